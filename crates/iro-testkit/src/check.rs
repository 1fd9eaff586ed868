//! Checks of a generated return against the DfE validation rules the generator must obey
//! (spec §6; rule numbers as in the DfE/csc-validator-be-903 rule set). Used by the tests;
//! usable on any [`YearReturn`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::calendar::{add_years, year_end, year_start};
use crate::codes::{is_short_break, is_temporary};
use crate::returns::{EpisodeRow, YearReturn};

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// DfE rule code.
    pub rule: &'static str,
    /// CHILD.
    pub child: String,
    /// What is wrong.
    pub detail: String,
}

fn v(rule: &'static str, child: &str, detail: String) -> Violation {
    Violation {
        rule,
        child: child.to_string(),
        detail,
    }
}

fn by_child(eps: &[EpisodeRow]) -> BTreeMap<&str, Vec<&EpisodeRow>> {
    let mut m: BTreeMap<&str, Vec<&EpisodeRow>> = BTreeMap::new();
    for e in eps {
        m.entry(e.child.as_str()).or_default().push(e);
    }
    for list in m.values_mut() {
        list.sort_by_key(|e| e.decom);
    }
    m
}

const VALID_PLACE_2024: [&str; 31] = [
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1",
    "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1", "", "", "",
];

/// Checks one year's return; `prev` is the same authority's return for the year before.
pub fn check_return(ret: &YearReturn, prev: Option<&YearReturn>) -> Vec<Violation> {
    let mut out = Vec::new();
    let (s, e) = (year_start(ret.year), year_end(ret.year));
    let header: BTreeMap<&str, _> = ret.header.iter().map(|h| (h.child.as_str(), h)).collect();
    if header.len() != ret.header.len() {
        out.push(v("INT32", "", "duplicate CHILD in Header".into()));
    }
    for h in &ret.header {
        let ok = if ret.year >= 2025 {
            matches!(h.sex, "M" | "F")
        } else {
            matches!(h.sex, "1" | "2")
        };
        if !ok {
            out.push(v("101", &h.child, format!("SEX {}", h.sex)));
        }
        let upn_ok = matches!(h.upn.as_str(), "UN1" | "UN2" | "UN3" | "UN4" | "UN5")
            || (h.upn.len() == 13
                && h.upn.as_bytes()[0].is_ascii_uppercase()
                && !b"IOS".contains(&h.upn.as_bytes()[0])
                && h.upn.as_bytes()[1..].iter().all(u8::is_ascii_digit));
        if !upn_ok {
            out.push(v("168", &h.child, format!("UPN {}", h.upn)));
        }
    }
    let eps = by_child(&ret.episodes);
    let prev_open: BTreeMap<&str, &EpisodeRow> = prev
        .map(|p| {
            p.episodes
                .iter()
                .filter(|e| e.dec.is_none())
                .map(|e| (e.child.as_str(), e))
                .collect()
        })
        .unwrap_or_default();

    for (child, list) in &eps {
        let Some(h) = header.get(child) else {
            out.push(v("INT03", child, "episodes but no Header row".into()));
            continue;
        };
        let dob = h.dob;
        // 502/503: the first episode continues last year's open episode.
        if let Some(po) = prev_open.get(child) {
            let first = list[0];
            if first.decom != po.decom {
                out.push(v(
                    "502",
                    child,
                    format!("first DECOM {} vs {}", first.decom, po.decom),
                ));
            } else if (
                first.rne,
                first.ls,
                first.cin,
                first.place,
                first.place_provider,
            ) != (po.rne, po.ls, po.cin, po.place, po.place_provider)
                || first.urn != po.urn
                || first.pl_post != po.pl_post
                || first.home_post != po.home_post
            {
                out.push(v("503", child, "open episode changed between years".into()));
            }
        } else if prev.is_some() && list[0].decom < s {
            out.push(v(
                "NoE",
                child,
                "episode before the year not in last year's return".into(),
            ));
        }
        let mut cin_of_period: Option<&str> = None;
        for (i, ep) in list.iter().enumerate() {
            let next = list.get(i + 1);
            let before = i.checked_sub(1).map(|k| list[k]);
            if ep.dec.is_some() != ep.rec.is_some() {
                out.push(v("148", child, format!("DEC/REC at {}", ep.decom)));
            }
            if next.is_some() && ep.dec.is_none() {
                out.push(v(
                    "142",
                    child,
                    format!("open episode {} not last", ep.decom),
                ));
            }
            if let Some(dec) = ep.dec {
                if dec == ep.decom {
                    out.push(v("355", child, format!("{} lasted < 24h", ep.decom)));
                }
                if dec < ep.decom {
                    out.push(v("356", child, format!("DEC before DECOM {}", ep.decom)));
                }
                if dec > e {
                    out.push(v("385", child, "DEC after the year".into()));
                }
            }
            if ep.decom > e {
                out.push(v("354", child, "DECOM after the year".into()));
            }
            if ep.dec.is_none() && ep.reason_place_change.is_some() {
                out.push(v("233", child, "reason on open episode".into()));
            }
            // 388
            match (ep.rec, next) {
                (Some("X1"), Some(n)) if Some(n.decom) != ep.dec => out.push(v(
                    "388",
                    child,
                    format!("X1 at {:?} but next starts {}", ep.dec, n.decom),
                )),
                (Some("X1"), None) => out.push(v("388", child, "final episode ends X1".into())),
                (Some(r), Some(n)) if r != "X1" && Some(n.decom) == ep.dec => {
                    out.push(v("388", child, format!("{r} but next starts same day")))
                }
                _ => {}
            }
            if let Some(b) = before {
                if ep.decom < b.dec.unwrap_or(NaiveDate::MAX) && b.dec.is_some() {
                    out.push(v("501", child, format!("overlap at {}", ep.decom)));
                }
                if ep.rne == "S" && b.dec.is_some_and(|d| ep.decom <= d) {
                    out.push(v("431", child, format!("S on previous DEC {}", ep.decom)));
                }
                if b.rec.is_some_and(|r| r != "X1") && ep.rne != "S" {
                    out.push(v("432", child, format!("{} after leaving", ep.rne)));
                }
                if matches!(ep.rne, "P" | "L" | "T" | "U" | "B") && b.dec != Some(ep.decom) {
                    out.push(v(
                        "433",
                        child,
                        format!("{} at {} not on previous DEC", ep.rne, ep.decom),
                    ));
                }
                let same_place = ep.place == b.place
                    && ep.pl_post == b.pl_post
                    && ep.urn == b.urn
                    && ep.place_provider == b.place_provider;
                match ep.rne {
                    "L" if ep.ls == b.ls || !same_place => {
                        out.push(v("434", child, format!("L at {}", ep.decom)))
                    }
                    "P" | "T" if ep.ls != b.ls || same_place => {
                        out.push(v("435", child, format!("{} at {}", ep.rne, ep.decom)))
                    }
                    "B" | "U" if ep.ls == b.ls || same_place => {
                        out.push(v("436", child, format!("{} at {}", ep.rne, ep.decom)))
                    }
                    _ => {}
                }
                // 225: reason required before a placement change.
                if b.rec == Some("X1")
                    && b.reason_place_change.is_none()
                    && !is_temporary(b.place)
                    && matches!(ep.rne, "P" | "B" | "T" | "U")
                    && !is_temporary(ep.place)
                {
                    out.push(v("225", child, format!("no reason before {}", ep.decom)));
                }
                // 226: no reason on or before a temporary placement.
                if is_temporary(ep.place)
                    && (ep.reason_place_change.is_some() || b.reason_place_change.is_some())
                {
                    out.push(v(
                        "226",
                        child,
                        format!("reason around temporary {}", ep.decom),
                    ));
                }
                // 383: back to the same placement after a temporary one.
                if is_temporary(b.place)
                    && let Some(bb) = i.checked_sub(2).map(|k| list[k])
                    && (ep.rne != "P" || ep.place != bb.place || ep.pl_post != bb.pl_post)
                {
                    out.push(v("383", child, format!("return at {}", ep.decom)));
                }
            } else if ep.rne != "S" && ep.decom >= s && !prev_open.contains_key(child) {
                out.push(v("357", child, format!("first episode {} not S", ep.rne)));
            }
            // 380 / 381
            if is_temporary(ep.place) && !matches!(ep.rne, "P" | "B") {
                out.push(v(
                    "380",
                    child,
                    format!("temporary starts care {}", ep.decom),
                ));
            }
            if is_temporary(ep.place) && ep.rec.is_some_and(|r| r != "X1") {
                out.push(v("381", child, format!("temporary ends care {}", ep.decom)));
            }
            // 504: CIN fixed within a period of care.
            if ep.rne == "S" {
                cin_of_period = Some(ep.cin);
            } else if let Some(c) = cin_of_period
                && c != ep.cin
            {
                out.push(v("504", child, format!("CIN {} → {}", c, ep.cin)));
            }
            // Ages.
            let age_ok = |years: i32| ep.decom >= add_years(dob, years);
            if ep.rne == "S" && age_ok(18) {
                out.push(v("352", child, "started aged 18+".into()));
            }
            if ep.decom < dob {
                out.push(v("302", child, "episode before birth".into()));
            }
            match ep.place {
                "R5" if !age_ok(10) => out.push(v("372", child, "R5 under 10".into())),
                "S1" if !age_ok(4) => out.push(v("373", child, "S1 under 4".into())),
                "P3" if !age_ok(14) => out.push(v("374", child, "P3 under 14".into())),
                "K3" if !age_ok(16) => out.push(v("371", child, "K3 under 16".into())),
                "H5" if !age_ok(16) => out.push(v("370", child, "H5 under 16".into())),
                _ => {}
            }
            if ep.place == "P1" && ep.ls == "V2" {
                out.push(v("378", child, "P1 under V2".into()));
            }
            if matches!(ep.place, "A5" | "A6") && ep.ls != "E1" {
                out.push(v("408", child, "A5/A6 without placement order".into()));
            }
            if matches!(ep.place, "A3" | "A5") && !matches!(ep.rne, "S" | "T" | "U") {
                out.push(v("217", child, "A3/A5 with a new carer".into()));
            }
            if ep.place_provider == Some("PR0") && ep.place != "P1" {
                out.push(v("550", child, "PR0 not P1".into()));
            }
            let known = VALID_PLACE_2024.contains(&ep.place)
                || (ret.year >= 2026 && matches!(ep.place, "Z11" | "Z12" | "Z13" | "Z14"));
            let removed = (ret.year >= 2026 && matches!(ep.place, "H5" | "P2" | "Z1"))
                || (ret.year <= 2024 && ep.place == "K3");
            if !known || removed {
                out.push(v(
                    "146",
                    child,
                    format!("PLACE {} in {}", ep.place, ret.year),
                ));
            }
            // Postcodes.
            if is_short_break(ep.ls) {
                if ep.home_post.is_some() || ep.pl_post.is_some() || ep.urn.is_some() {
                    out.push(v("398", child, "postcode/URN on a short break".into()));
                }
            } else {
                // UASC have no home postcode (distance not computed, rule 406).
                let uasc = ret.uasc.iter().any(|u| u.child == *child);
                if (ep.home_post.is_none() && !uasc) || ep.pl_post.is_none() {
                    out.push(v("392b", child, format!("no postcode {}", ep.decom)));
                }
                if ep.place != "P1" && ep.home_post.is_some() && ep.home_post == ep.pl_post {
                    out.push(v("392d", child, "HOME_POST = PL_POST".into()));
                }
            }
            if is_temporary(ep.place) && (ep.place_provider.is_some() || ep.urn.is_some()) {
                out.push(v(
                    "213",
                    child,
                    "provider/URN on a temporary placement".into(),
                ));
            }
            if !is_temporary(ep.place) && ep.place_provider.is_none() {
                out.push(v("526", child, "no provider".into()));
            }
            // Supported accommodation: no URN under the 2022-23 rules (222), a URN when
            // running on or after 29 October 2023 (230).
            if ep.place == "H5" {
                let registered = NaiveDate::from_ymd_opt(2023, 10, 29).expect("date");
                if ret.year <= 2023 && ep.urn.is_some() {
                    out.push(v("222", child, format!("URN on H5 in {}", ret.year)));
                }
                if ret.year >= 2024 && ep.dec.is_none_or(|d| d >= registered) && ep.urn.is_none() {
                    out.push(v("230", child, format!("H5 without URN {}", ep.decom)));
                }
            }
        }
    }

    // Reviews.
    let ls_all: BTreeMap<&str, bool> = eps
        .iter()
        .map(|(c, l)| (*c, l.iter().all(|e| is_short_break(e.ls))))
        .collect();
    let mut seen = BTreeSet::new();
    for r in &ret.reviews {
        let Some(h) = header.get(r.child.as_str()) else {
            out.push(v("INT08", &r.child, "review but no Header".into()));
            continue;
        };
        if r.dob != h.dob {
            out.push(v("INT17", &r.child, "DOB differs".into()));
        }
        if !matches!(
            r.review_code,
            "PN0" | "PN1" | "PN2" | "PN3" | "PN4" | "PN5" | "PN6" | "PN7"
        ) {
            out.push(v("167", &r.child, r.review_code.into()));
        }
        if r.review < s || r.review > e {
            out.push(v("166", &r.child, "review outside the year".into()));
        }
        let four = add_years(h.dob, 4);
        if r.review_code == "PN0" && r.review >= four {
            out.push(v("440", &r.child, format!("PN0 at {}", r.review)));
        }
        if r.review_code != "PN0" && r.review < four {
            out.push(v(
                "441",
                &r.child,
                format!("{} at {}", r.review_code, r.review),
            ));
        }
        if ls_all.get(r.child.as_str()).copied().unwrap_or(false) {
            out.push(v("399", &r.child, "review for a short-break child".into()));
        }
        if !seen.insert((&r.child, r.review)) {
            out.push(v("DUPREV", &r.child, "two reviews the same day".into()));
        }
        // Inside a period of care.
        let inside = eps.get(r.child.as_str()).is_some_and(|l| {
            l.iter()
                .any(|e| e.decom <= r.review && e.dec.is_none_or(|d| r.review <= d))
        });
        if !inside {
            out.push(v(
                "REVOUT",
                &r.child,
                format!("review {} outside care", r.review),
            ));
        }
    }
    for h in &ret.header {
        if ls_all.get(h.child.as_str()).copied().unwrap_or(false) && h.mother.is_some() {
            out.push(v("399", &h.child, "MOTHER for a short-break child".into()));
        }
    }

    // Social-worker episodes.
    if let Some(sw) = &ret.sw_episodes {
        let mut last: BTreeMap<&str, Option<NaiveDate>> = BTreeMap::new();
        for r in sw {
            if !r.sw_id.starts_with("SW") {
                out.push(v("SW02", &r.child, r.sw_id.clone()));
            }
            if r.sw_dec.is_some_and(|d| d <= r.sw_decom) {
                out.push(v("SW09", &r.child, "SW episode < 24h or reversed".into()));
            }
            if let Some(prev_end) = last.get(r.child.as_str()) {
                match prev_end {
                    None => out.push(v("SW08", &r.child, "previous SW episode open".into())),
                    Some(pe) if r.sw_decom < *pe => {
                        out.push(v("SW10", &r.child, "SW episodes overlap".into()))
                    }
                    _ => {}
                }
            }
            last.insert(r.child.as_str(), r.sw_dec);
        }
        for (child, list) in &eps {
            let cla = list
                .last()
                .is_some_and(|e| e.dec.is_none() && !is_short_break(e.ls));
            if cla && last.get(child).is_none_or(|x| x.is_some()) {
                out.push(v(
                    "SW01",
                    child,
                    "looked after at 31 March, no open SW episode".into(),
                ));
            }
        }
    }
    out
}

/// Checks every year of an authority, each against the year before.
pub fn check_years(years: &[YearReturn]) -> Vec<(i32, Violation)> {
    let mut out = Vec::new();
    for (i, r) in years.iter().enumerate() {
        let prev = i.checked_sub(1).map(|k| &years[k]);
        out.extend(check_return(r, prev).into_iter().map(|x| (r.year, x)));
    }
    out
}
