//! Writing a return as one SSDA903 XML file, the way a case-management system
//! exports it for the DfE: root `<EXPSSDA903>`, one `<CHILD>` per Header row
//! holding its `<HEADER>` and `<EPISODE>`s, in the order of the DfE's 2021
//! schema (v3.3.0).
//!
//! The HEADER carries the child's own items, the UASC flag (1 for a child with
//! a UASC row) and DUC, the OC3 items, and the repeated groups `AMISSING`,
//! `AREVIEW`, `PERMANENCE` and `OC2`; a row's CHILD is `CHILDID`, PLACE is
//! `PL`. The columns a table repeats from the Header (DOB, SEX) are the
//! HEADER's. The SWEpisodes table, which the 2021 schema does not have, is
//! written beside the XML as `sw_episodes.csv` (see [`write_return_xml`]).
//!
//! Read back by `iro-ingest`, an XML return gives the same cohort, row
//! accounts and diagnostics as the CSVs of the same return
//! (`tests/xml_identity.rs`).

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use chrono::NaiveDate;

use crate::calendar::date_bytes;
use crate::returns::YearReturn;

/// The name of the XML file [`write_return_xml`] writes.
pub const FILE_NAME: &str = "return.xml";

/// Builds the text, element by element, indented two spaces a level.
struct Out {
    s: String,
    depth: usize,
}

impl Out {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.s.push_str("  ");
        }
    }

    fn open(&mut self, name: &str) {
        self.indent();
        self.s.push('<');
        self.s.push_str(name);
        self.s.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        self.s.push_str("</");
        self.s.push_str(name);
        self.s.push_str(">\n");
    }

    /// An item with its text; `<NAME/>` when the text is empty.
    fn item(&mut self, name: &str, text: &str) {
        self.indent();
        self.s.push('<');
        self.s.push_str(name);
        if text.is_empty() {
            self.s.push_str("/>\n");
            return;
        }
        self.s.push('>');
        for c in text.chars() {
            match c {
                '&' => self.s.push_str("&amp;"),
                '<' => self.s.push_str("&lt;"),
                '>' => self.s.push_str("&gt;"),
                c => self.s.push(c),
            }
        }
        self.s.push_str("</");
        self.s.push_str(name);
        self.s.push_str(">\n");
    }

    /// An item only when it has a value (the schema's optional items).
    fn opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text.filter(|t| !t.is_empty()) {
            self.item(name, t);
        }
    }

    fn date(&mut self, name: &str, d: NaiveDate) {
        self.item(name, &date(d));
    }

    fn opt_date(&mut self, name: &str, d: Option<NaiveDate>) {
        self.opt(name, d.map(date).as_deref());
    }

    fn flag(&mut self, name: &str, b: Option<bool>) {
        self.opt(name, b.map(|b| if b { "1" } else { "0" }));
    }
}

fn date(d: NaiveDate) -> String {
    String::from_utf8_lossy(&date_bytes(d)).into_owned()
}

/// Each child's rows of one table, by CHILD, in the table's order.
fn by_child<T>(rows: &[T], child: impl Fn(&T) -> &str) -> HashMap<&str, Vec<&T>> {
    let mut m: HashMap<&str, Vec<&T>> = HashMap::new();
    for r in rows {
        m.entry(child(r)).or_default().push(r);
    }
    m
}

/// One child's rows of a table (none: empty).
fn rows<'m, 'r, T>(m: &'m HashMap<&str, Vec<&'r T>>, id: &str) -> &'m [&'r T] {
    m.get(id).map_or(&[], Vec::as_slice)
}

/// Renders a return (without its SWEpisodes) as the text of one XML file.
///
/// Fails if a row of any table belongs to a child the Header does not hold:
/// an XML return has nowhere to put it, and it is never dropped silently.
pub fn render_xml(ret: &YearReturn) -> anyhow::Result<String> {
    let episodes = by_child(&ret.episodes, |r| &r.child);
    let reviews = by_child(&ret.reviews, |r| &r.child);
    let uasc = by_child(&ret.uasc, |r| &r.child);
    let missing = by_child(&ret.missing, |r| &r.child);
    let prevperm = by_child(&ret.prevperm, |r| &r.child);
    let oc2 = by_child(&ret.oc2, |r| &r.child);
    let oc3 = by_child(&ret.oc3, |r| &r.child);
    let in_header: std::collections::HashSet<&str> =
        ret.header.iter().map(|h| h.child.as_str()).collect();
    for (table, children) in [
        ("Episodes", episodes.keys().collect::<Vec<_>>()),
        ("Reviews", reviews.keys().collect()),
        ("UASC", uasc.keys().collect()),
        ("Missing", missing.keys().collect()),
        ("PrevPerm", prevperm.keys().collect()),
        ("OC2", oc2.keys().collect()),
        ("OC3", oc3.keys().collect()),
    ] {
        if let Some(c) = children.into_iter().find(|c| !in_header.contains(**c)) {
            anyhow::bail!(
                "{}: a {table} row's child {c} is not in the Header, so it has no CHILD element",
                ret.year
            );
        }
    }
    for (table, m) in [
        ("UASC", uasc.values().map(Vec::len).max()),
        ("OC3", oc3.values().map(Vec::len).max()),
    ] {
        if m.is_some_and(|n| n > 1) {
            anyhow::bail!(
                "{}: a child with two {table} rows; a HEADER holds one",
                ret.year
            );
        }
    }
    let mut o = Out {
        s: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        depth: 0,
    };
    o.open("EXPSSDA903");
    for h in &ret.header {
        let id = h.child.as_str();
        o.open("CHILD");
        o.open("HEADER");
        o.item("CHILDID", id);
        o.item("UPN", &h.upn);
        o.item("SEX", h.sex);
        o.date("DOB", h.dob);
        o.item("ETHNIC", h.ethnic);
        let u = uasc.get(id).and_then(|v| v.first());
        o.item("UASC", if u.is_some() { "1" } else { "" });
        o.opt_date("DUC", u.and_then(|u| u.duc));
        if let Some(l) = oc3.get(id).and_then(|v| v.first()) {
            o.opt("IN_TOUCH", Some(l.in_touch));
            o.opt("ACTIV", Some(l.activ));
            o.opt("ACCOM", Some(l.accom));
        }
        for m in rows(&missing, id) {
            o.open("AMISSING");
            o.item("MISSING", m.missing);
            o.date("MIS_START", m.mis_start);
            o.opt_date("MIS_END", m.mis_end);
            o.close("AMISSING");
        }
        for r in rows(&reviews, id) {
            o.open("AREVIEW");
            o.date("REVIEW", r.review);
            o.item("REVIEW_CODE", r.review_code);
            o.close("AREVIEW");
        }
        o.flag("MOTHER", h.mother);
        o.opt_date("MC_DOB", h.mc_dob);
        for p in rows(&prevperm, id) {
            o.open("PERMANENCE");
            o.item("PREV_PERM", p.prev_perm);
            o.opt("LA_PERM", p.la_perm.map(|c| format!("{c:03}")).as_deref());
            o.opt_date("DATE_PERM", p.date_perm);
            o.close("PERMANENCE");
        }
        for r in rows(&oc2, id) {
            o.open("OC2");
            o.opt("SDQ_SCORE", r.sdq_score.map(|s| s.to_string()).as_deref());
            o.opt("SDQ_REASON", r.sdq_reason);
            o.flag("CONVICTED", r.convicted);
            o.flag("HEALTH_CHECK", r.health_check);
            o.flag("IMMUNISATIONS", r.immunisations);
            o.flag("TEETH_CHECK", r.teeth_check);
            o.flag("HEALTH_ASSESSMENT", r.health_assessment);
            o.flag("SUBSTANCE_MISUSE", r.substance_misuse);
            o.flag("INTERVENTION_RECEIVED", r.intervention_received);
            o.flag("INTERVENTION_OFFERED", r.intervention_offered);
            o.close("OC2");
        }
        o.close("HEADER");
        for e in rows(&episodes, id) {
            o.open("EPISODE");
            o.date("DECOM", e.decom);
            o.item("RNE", e.rne);
            o.item("LS", e.ls);
            o.item("CIN", e.cin);
            o.item("PL", e.place);
            o.opt("PL_POST", e.pl_post.as_deref());
            o.opt("HOME_POST", e.home_post.as_deref());
            o.opt("URN", e.urn.as_deref());
            o.opt("PLACE_PROVIDER", e.place_provider);
            o.opt_date("DEC", e.dec);
            o.opt("REC", e.rec);
            o.opt("REASON_PLACE_CHANGE", e.reason_place_change);
            o.close("EPISODE");
        }
        o.close("CHILD");
    }
    o.close("EXPSSDA903");
    Ok(o.s)
}

/// Writes one return into `dir` (created if needed) as [`FILE_NAME`], with
/// its SWEpisodes (from 2023-24) as `sw_episodes.csv` beside it. Returns the
/// bytes written.
pub fn write_return_xml(ret: &YearReturn, dir: &Path) -> anyhow::Result<u64> {
    fs::create_dir_all(dir)?;
    let text = render_xml(ret)?;
    let mut total = text.len() as u64;
    fs::write(dir.join(FILE_NAME), text)?;
    if ret.sw_episodes.is_some() {
        let bytes = crate::write::render_table(ret, "sw_episodes.csv")?;
        total += bytes.len() as u64;
        fs::write(dir.join("sw_episodes.csv"), bytes)?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, generate};

    fn one_return() -> YearReturn {
        let data = generate(&Config::small(1, 40, 2025, 2025, 3));
        data.authorities[0].years[0].clone()
    }

    #[test]
    fn every_row_is_one_element() {
        let ret = one_return();
        let text = render_xml(&ret).unwrap();
        let count = |tag: &str| text.matches(&format!("<{tag}>")).count();
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EXPSSDA903>\n"));
        assert_eq!(count("CHILD"), ret.header.len());
        assert_eq!(count("EPISODE"), ret.episodes.len());
        assert_eq!(count("AREVIEW"), ret.reviews.len());
        assert_eq!(count("AMISSING"), ret.missing.len());
        assert_eq!(count("OC2"), ret.oc2.len());
        assert_eq!(count("IN_TOUCH"), ret.oc3.len());
        assert_eq!(text.matches("<UASC>1</UASC>").count(), ret.uasc.len());
        assert!(!ret.episodes.is_empty() && !ret.reviews.is_empty());
    }

    #[test]
    fn a_row_whose_child_is_not_in_the_header_is_an_error() {
        let mut ret = one_return();
        let child = ret.episodes[0].child.clone();
        ret.header.retain(|h| h.child != child);
        let err = render_xml(&ret).unwrap_err().to_string();
        assert!(err.contains("not in the Header"), "{err}");
    }
}
