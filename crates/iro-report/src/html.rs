//! The HTML report: one self-contained file (inline CSS and SVG, no script,
//! nothing fetched), accessible to WCAG 2.2 AA — a language, one `h1` and
//! headings in order, a skip link, tables with captions and header scopes,
//! every chart a figure with a caption, a text alternative and its data table —
//! and a print stylesheet so that a browser prints it as clean A4 pages.
//!
//! The markup is well-formed XML apart from the doctype, so tests parse it
//! strictly.

use std::fmt::Write as _;

use crate::format::{MISSING, SUPPRESSED};
use crate::model::{Block, Cell, Figure, Report, Section, Table};
use crate::narrative;

/// Colours of the stylesheet, as (foreground, background, where): every text
/// colour is checked against its background for a contrast of at least 4.5:1.
pub const TEXT_COLOURS: &[(&str, &str, &str)] = &[
    (TEXT, PAGE, "body text"),
    (MUTED, PAGE, "secondary text, notes"),
    (LINK, PAGE, "links"),
    (VISITED, PAGE, "visited links"),
    (TEXT, SHADE, "table headings, placeholders"),
    (MUTED, SHADE, "placeholder text"),
    (TEXT, FOCUS, "focused link"),
    (TEXT, NOTICE, "not-available notes"),
    (MET, PAGE, "target met"),
    (NOT_MET, PAGE, "target not met"),
];

const TEXT: &str = "#0b0c0c";
const PAGE: &str = "#ffffff";
const MUTED: &str = "#484949";
const LINK: &str = "#1d4f91";
const VISITED: &str = "#4c2c92";
const SHADE: &str = "#f3f2f1";
const FOCUS: &str = "#ffdd00";
const NOTICE: &str = "#fff4d6";
const MET: &str = "#00602f";
const NOT_MET: &str = "#a4161f";
const RULE: &str = "#6f777b";

fn css() -> String {
    format!(
        r#"
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
html {{ font-family: Arial, "Liberation Sans", Helvetica, sans-serif; font-size: 100%; line-height: 1.5; color: {TEXT}; background: {PAGE}; }}
body {{ margin: 0; }}
.skip-link {{ position: absolute; left: 0.5rem; top: -3rem; padding: 0.5rem 1rem; background: {FOCUS}; color: {TEXT}; z-index: 10; }}
.skip-link:focus {{ top: 0.5rem; }}
a {{ color: {LINK}; text-decoration: underline; text-underline-offset: 0.15em; }}
a:visited {{ color: {VISITED}; }}
a:focus {{ outline: 3px solid {FOCUS}; background: {FOCUS}; color: {TEXT}; box-shadow: 0 4px {TEXT}; text-decoration: none; }}
.page {{ max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }}
header.report-header {{ border-bottom: 4px solid {TEXT}; margin-bottom: 1.5rem; }}
.kicker, .period {{ color: {MUTED}; margin: 0.25rem 0; font-size: 1.125rem; }}
h1 {{ font-size: 2rem; line-height: 1.2; margin: 0.5rem 0; }}
h2 {{ font-size: 1.5rem; line-height: 1.25; margin: 2.5rem 0 1rem; border-top: 2px solid {RULE}; padding-top: 1rem; }}
h3 {{ font-size: 1.1875rem; margin: 1.75rem 0 0.75rem; }}
h4, h5, h6 {{ font-size: 1rem; margin: 1.25rem 0 0.5rem; }}
p, li {{ max-width: 44rem; }}
nav.contents ol {{ padding-left: 1.5rem; }}
nav.contents li {{ margin: 0.2rem 0; }}
nav.contents .pageno, nav.contents .leader {{ display: none; }}
.table-wrap {{ overflow-x: auto; margin: 1rem 0 1.5rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.9375rem; }}
caption {{ text-align: left; font-weight: bold; padding: 0 0 0.5rem; }}
th, td {{ border-bottom: 1px solid {RULE}; padding: 0.35rem 0.5rem; vertical-align: top; text-align: left; }}
thead th {{ background: {SHADE}; border-bottom: 2px solid {TEXT}; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
thead th.num {{ white-space: normal; }}
tbody th {{ font-weight: normal; min-width: 11em; }}
tr.total th, tr.total td {{ font-weight: bold; border-top: 2px solid {TEXT}; }}
.nowrap {{ white-space: nowrap; }}
td.met {{ color: {MET}; font-weight: bold; }}
td.not-met {{ color: {NOT_MET}; font-weight: bold; }}
.notes {{ color: {MUTED}; font-size: 0.875rem; margin-top: 0.4rem; }}
.notes p {{ margin: 0.15rem 0; }}
figure {{ margin: 1.5rem 0; }}
figcaption {{ font-weight: bold; margin-bottom: 0.5rem; }}
.chart-image svg {{ display: block; width: 100%; max-width: 48rem; height: auto; }}
details {{ margin-top: 0.5rem; }}
summary {{ cursor: pointer; color: {LINK}; text-decoration: underline; }}
.not-available {{ background: {NOTICE}; border-left: 6px solid #8a5a00; padding: 0.6rem 1rem; margin: 1rem 0; }}
.not-available p {{ margin: 0; }}
.data-quality h2 {{ margin-top: 0; }}
.data-quality ul {{ margin: 0.5rem 0 0 1.25rem; padding: 0; }}
.placeholder {{ background: {SHADE}; color: {MUTED}; padding: 0.6rem 1rem; }}
.narrative {{ margin-top: 1.25rem; }}
.narrative img {{ display: block; max-width: 100%; height: auto; margin: 1rem 0; }}
.draft-mark {{ display: inline-block; border: 3px solid {NOT_MET}; color: {NOT_MET}; font-weight: bold; font-size: 1.5rem; letter-spacing: 0.2em; text-transform: uppercase; padding: 0.1rem 0.8rem; margin: 0.5rem 0; }}
dl.cover-details {{ display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.5rem; margin: 1.5rem 0; }}
dl.cover-details dt {{ font-weight: bold; }}
dl.cover-details dd {{ margin: 0; }}
.audience {{ border-left: 6px solid {RULE}; padding: 0.4rem 1rem; margin: 1rem 0 1.5rem; background: {SHADE}; }}
.audience p {{ margin: 0; }}
.audience.restricted {{ border-left-color: {NOT_MET}; }}
footer {{ color: {MUTED}; font-size: 0.875rem; border-top: 1px solid {RULE}; margin-top: 3rem; padding-top: 0.75rem; }}
@page {{ size: A4; margin: 16mm 14mm 18mm; }}
@media print {{
  html {{ font-size: 10.5pt; }}
  .page {{ max-width: none; padding: 0; }}
  .skip-link, details {{ display: none; }}
  header.cover {{ border-bottom: none; padding-top: 25mm; }}
  header.cover h1 {{ font-size: 2.6rem; }}
  nav.contents {{ break-before: page; break-after: page; }}
  nav.contents li {{ max-width: none; }}
  nav.contents a {{ display: flex; align-items: baseline; gap: 0.4rem; }}
  nav.contents .entry {{ flex: 0 1 auto; }}
  nav.contents .leader {{ display: block; flex: 1 1 2rem; border-bottom: 1.5px dotted {MUTED}; }}
  nav.contents .pageno {{ display: inline; flex: 0 0 auto; min-width: 1.6rem; text-align: right; font-variant-numeric: tabular-nums; }}
  h2 {{ margin-top: 1.5rem; }}
  h2, h3, h4, caption, figcaption {{ break-after: avoid; }}
  table, figure, .not-available, .notes, .narrative img {{ break-inside: avoid; }}
  thead {{ display: table-header-group; }}
  tr {{ break-inside: avoid; }}
  .table-wrap {{ overflow: visible; }}
  a {{ color: {TEXT}; text-decoration: none; }}
  .chart-image svg {{ max-width: 100%; }}
}}
"#
    )
}

/// The printed page's margins: "Page N of M" and the report's title in the
/// footer of every page after the cover, DRAFT or NOT FOR PUBLICATION at
/// the top of every page where that applies.
fn page_css(report: &Report) -> String {
    let mut top = Vec::new();
    if report.is_draft() {
        top.push("DRAFT");
    }
    if report.not_for_publication() {
        top.push("NOT FOR PUBLICATION");
    }
    let top = if top.is_empty() {
        String::new()
    } else {
        format!(
            " @top-center {{ content: {}; color: {NOT_MET}; font: bold 10pt Arial, sans-serif; letter-spacing: 0.15em; }}",
            css_string(&top.join(" \u{2014} "))
        )
    };
    format!(
        "\n@page {{ @bottom-left {{ content: {}; color: {MUTED}; font: 8.5pt Arial, sans-serif; }} \
         @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); color: {MUTED}; \
         font: 8.5pt Arial, sans-serif; }}{top} }}\n\
         @page :first {{ @bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}\n",
        css_string(&report.running_title())
    )
}

/// A CSS string literal: quotes, backslashes and anything that could end the
/// style element escaped.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' | '<' | '>' | '&' => {
                let _ = write!(out, "\\{:x} ", c as u32);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes text for an element or an attribute value.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The whole HTML document.
pub fn render(report: &Report) -> String {
    render_with_pages(report, None)
}

/// The section anchors' printed page numbers (`section-<id>` → page, the
/// cover being page 1), as [`crate::print`] reads them from a printed copy.
pub type PageNumbers = std::collections::BTreeMap<String, u32>;

/// The dotted line from a contents entry to its page number.
const LEADER: &str = "<span class=\"leader\" aria-hidden=\"true\"></span>";

/// The contents' anchor of a section.
pub fn section_anchor(id: &str) -> String {
    format!("section-{id}")
}

/// The whole HTML document; with `pages`, the printed contents give each
/// section's page number (a section missing from `pages` shows "??", the
/// width of a number, so a first printing lays out as the last).
pub fn render_with_pages(report: &Report, pages: Option<&PageNumbers>) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let title = format!("{}: {}", report.title(), report.la_name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <meta name=\"generator\" content=\"IRO Analytics {}\"/>\n<title>{}</title>\n\
         <style>{}{}</style>\n</head>\n<body>\n\
         <a class=\"skip-link\" href=\"#main\">Skip to main content</a>\n\
         <div class=\"page\">\n<main id=\"main\" tabindex=\"-1\">\n",
        env!("CARGO_PKG_VERSION"),
        esc(&title),
        css(),
        page_css(report)
    );
    cover(&mut h, report);
    if !report.data_quality.is_empty() {
        h.push_str(
            "<aside class=\"not-available data-quality\" aria-labelledby=\"data-quality-title\">\n\
             <h2 id=\"data-quality-title\">Data quality</h2>\n<p>Some figures in this report are \
             affected by problems in the data. Read this before using them.</p>\n<ul>\n",
        );
        for l in &report.data_quality {
            let _ = writeln!(h, "<li>{}</li>", esc(l));
        }
        h.push_str("</ul>\n</aside>\n");
    }
    h.push_str(
        "<nav class=\"contents\" aria-labelledby=\"contents-title\">\n\
         <h2 id=\"contents-title\">Contents</h2>\n<ol>\n",
    );
    for s in &report.sections {
        let anchor = section_anchor(s.id);
        let page = match pages {
            Some(p) => match p.get(&anchor) {
                Some(n) => format!("{LEADER}<span class=\"pageno\">{n}</span>"),
                None => format!("{LEADER}<span class=\"pageno\">??</span>"),
            },
            None => String::new(),
        };
        let _ = writeln!(
            h,
            "<li><a href=\"#{anchor}\"><span class=\"entry\">{}</span>{page}</a></li>",
            esc(s.title)
        );
    }
    h.push_str("</ol>\n</nav>\n");
    for s in &report.sections {
        section(&mut h, report, s);
    }
    let _ = write!(
        h,
        "</main>\n<footer>\n<p>Made with IRO Analytics {} from {} ({}).</p>\n</footer>\n\
         </div>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        report.made_from(),
        esc(&report.file_stem())
    );
    h
}

/// The cover: authority, title, period, who wrote and approved it, the
/// date and version, who may read it; a page of its own in print.
fn cover(h: &mut String, report: &Report) {
    h.push_str("<header class=\"report-header cover\">\n");
    if report.is_draft() {
        h.push_str("<p class=\"draft-mark\">Draft</p>\n");
    }
    let _ = write!(
        h,
        "<p class=\"kicker\">{}</p>\n\
         <h1>{} <span class=\"nowrap\">{}</span></h1>\n<p class=\"period\">{}</p>\n",
        esc(&report.kicker()),
        esc(report
            .title()
            .trim_end_matches(report.year_label.as_str())
            .trim_end()),
        esc(&report.year_label),
        esc(&report.period_text)
    );
    let details = report.cover_details();
    let missing = report.missing_cover_details();
    if !details.is_empty() || !missing.is_empty() {
        h.push_str("<dl class=\"cover-details\">\n");
        for (term, value) in details {
            let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(term), esc(&value));
        }
        for (term, key) in missing {
            let _ = writeln!(
                h,
                "<dt>{}</dt><dd class=\"placeholder\">add <code>{key}</code> under \
                 <code>[report]</code> in iro.toml</dd>",
                esc(term)
            );
        }
        h.push_str("</dl>\n");
    }
    let restricted = report.not_for_publication();
    let _ = writeln!(
        h,
        "<div class=\"audience{}\" role=\"note\"><p><strong>{}</strong> {}</p></div>",
        if restricted { " restricted" } else { "" },
        if restricted {
            "Not for publication."
        } else {
            "Who may read it."
        },
        esc(&report.disclosure.rule_sentence())
    );
    h.push_str("</header>\n");
}

fn section(h: &mut String, report: &Report, s: &Section) {
    let _ = write!(
        h,
        "<section class=\"report-section\" id=\"{anchor}\" aria-labelledby=\"heading-{id}\">\n\
         <h2 id=\"heading-{id}\">{n}. {t}</h2>\n",
        anchor = section_anchor(s.id),
        id = s.id,
        n = s.number,
        t = esc(s.title)
    );
    for b in &s.blocks {
        match b {
            Block::Para(p) => {
                let _ = writeln!(h, "<p>{}</p>", esc(p));
            }
            Block::Heading(t) => {
                let _ = writeln!(h, "<h3>{}</h3>", esc(t));
            }
            Block::NotAvailable(why) => {
                let _ = writeln!(
                    h,
                    "<div class=\"not-available\" role=\"note\"><p><strong>Not available:</strong> {}</p></div>",
                    esc(why)
                );
            }
            Block::DataQuality(why) => {
                let _ = writeln!(
                    h,
                    "<div class=\"not-available\" role=\"note\"><p><strong>Data quality:</strong> {}</p></div>",
                    esc(why)
                );
            }
            Block::Table(t) => table(h, t),
            Block::Figure(f) => figure(h, f),
        }
    }
    // The service's words, between markers (tests compare what lies outside).
    h.push_str("<!-- narrative:start -->\n");
    match &s.narrative {
        Some(md) => {
            let _ = write!(
                h,
                "<div class=\"narrative\">\n{}</div>\n",
                narrative::to_html(md, 3, &report.images)
            );
        }
        None if s.narrative_only && report.is_draft() => {
            let _ = writeln!(
                h,
                "<p class=\"placeholder\">The service has not written this section yet: add its \
                 text under <code>## {}</code> in the narrative file <code>{}.md</code>.</p>",
                s.id,
                esc(&report.la_code)
            );
        }
        None => {}
    }
    h.push_str("<!-- narrative:end -->\n</section>\n");
}

/// A table's footnotes: its own, then the symbols it uses (also the Word
/// document's).
pub(crate) fn notes_for(t: &Table) -> Vec<String> {
    let mut notes = t.notes.clone();
    if t.has(Cell::is_suppressed) {
        notes.push(format!(
            "{SUPPRESSED}: not shown, to protect children's privacy (a small number, or a figure \
             from which one could be worked out)."
        ));
    }
    if t.has(Cell::is_missing) {
        notes.push(format!("{MISSING}: not available."));
    }
    notes
}

fn table(h: &mut String, t: &Table) {
    let id = format!("table-{}", t.number);
    let notes = notes_for(t);
    let described = if notes.is_empty() {
        String::new()
    } else {
        format!(" aria-describedby=\"{id}-notes\"")
    };
    let _ = write!(
        h,
        "<div class=\"table-wrap\">\n<table id=\"{id}\"{described}>\n<caption>Table {}: {}</caption>\n<thead>\n<tr>",
        t.number,
        esc(&t.caption)
    );
    for (i, c) in t.head.iter().enumerate() {
        let class = if i > 0 && numeric_column(t, i - 1) {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(h, "<th scope=\"col\"{class}>{}</th>", esc(c));
    }
    h.push_str("</tr>\n</thead>\n<tbody>\n");
    for r in &t.rows {
        let class = if r.total { " class=\"total\"" } else { "" };
        let _ = write!(h, "<tr{class}><th scope=\"row\">{}</th>", esc(&r.header));
        for c in &r.cells {
            match c {
                Cell::Figure(s) => {
                    let _ = write!(h, "<td class=\"num\">{}</td>", esc(s.text()));
                }
                Cell::Text(t) => {
                    let class = if t.contains("Not met") {
                        " class=\"not-met\""
                    } else if t.contains("Met") {
                        " class=\"met\""
                    } else {
                        ""
                    };
                    let _ = write!(h, "<td{class}>{}</td>", esc(t));
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    if !notes.is_empty() {
        let _ = writeln!(h, "<div class=\"notes\" id=\"{id}-notes\">");
        for n in notes {
            let _ = writeln!(h, "<p>{}</p>", esc(&n));
        }
        h.push_str("</div>\n");
    }
    h.push_str("</div>\n");
}

/// A column is numeric when its cells are figures.
fn numeric_column(t: &Table, i: usize) -> bool {
    t.rows
        .iter()
        .any(|r| matches!(r.cells.get(i), Some(Cell::Figure(_))))
}

fn figure(h: &mut String, f: &Figure) {
    let id = format!("figure-{}", f.number);
    let _ = write!(
        h,
        "<figure id=\"{id}\" aria-labelledby=\"{id}-caption\">\n\
         <figcaption id=\"{id}-caption\">Figure {}: {}</figcaption>\n",
        f.number,
        esc(&f.caption)
    );
    match &f.svg {
        Ok(svg) => {
            let _ = writeln!(
                h,
                "<div class=\"chart-image\">{}</div>",
                accessible_svg(svg, &id, &f.caption, &f.alt)
            );
        }
        Err(e) => {
            let _ = writeln!(
                h,
                "<div class=\"not-available\" role=\"note\"><p><strong>Chart not drawn:</strong> {}. {}</p></div>",
                esc(e),
                esc(&f.alt)
            );
        }
    }
    let open = if f.svg.is_err() { " open=\"open\"" } else { "" };
    let _ = write!(
        h,
        "<details{open}>\n<summary>Figure {} as a table</summary>\n<div class=\"table-wrap\">\n\
         <table>\n<caption>Data for figure {}: {}</caption>\n<thead>\n<tr>",
        f.number,
        f.number,
        esc(&f.caption)
    );
    for c in &f.data.columns {
        let _ = write!(h, "<th scope=\"col\">{}</th>", esc(c));
    }
    h.push_str("</tr>\n</thead>\n<tbody>\n");
    for r in &f.data.rows {
        h.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            if i == 0 {
                let _ = write!(h, "<th scope=\"row\">{}</th>", esc(c));
            } else {
                let _ = write!(h, "<td class=\"num\">{}</td>", esc(c));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</div>\n</details>\n</figure>\n");
}

/// The chart's SVG made an accessible image for inlining: no XML prolog,
/// `role="img"` named by its own `<title>` and described by `<desc>`, with
/// ids unique in the page (any title, description and labelling the SVG
/// brought are replaced).
pub fn accessible_svg(svg: &str, id: &str, title: &str, desc: &str) -> String {
    let mut s = svg.trim();
    // Drop an XML declaration, doctype and comments before the root element.
    while let Some(rest) = s.strip_prefix("<?").or_else(|| s.strip_prefix("<!")) {
        match rest.find('>') {
            Some(end) => s = rest[end + 1..].trim_start(),
            None => break,
        }
    }
    let Some(open_end) = s.starts_with("<svg").then(|| s.find('>')).flatten() else {
        return format!(
            "<p role=\"img\" aria-label=\"{}\">{}</p>",
            esc(desc),
            esc(title)
        );
    };
    let (tag, rest) = s.split_at(open_end);
    let (tag, self_closing) = match tag.strip_suffix('/') {
        Some(t) => (t, true),
        None => (tag, false),
    };
    let mut tag = tag.to_string();
    for name in [
        "role",
        "aria-labelledby",
        "aria-label",
        "aria-describedby",
        "focusable",
    ] {
        tag = remove_attribute(&tag, name);
    }
    let labels = format!(
        "<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(desc)
    );
    let open = format!(
        "{tag} role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" focusable=\"false\">{labels}"
    );
    if self_closing {
        return format!("{open}</svg>");
    }
    // The body without the SVG's own title and desc elements.
    let mut body = rest[1..].to_string();
    for el in ["title", "desc"] {
        while let Some(start) = body.find(&format!("<{el}")) {
            let close = format!("</{el}>");
            match body[start..].find(&close) {
                Some(end) => body.replace_range(start..start + end + close.len(), ""),
                None => break,
            }
        }
    }
    format!("{open}{body}")
}

/// Removes ` name="…"` from a start tag.
fn remove_attribute(tag: &str, name: &str) -> String {
    let needle = format!(" {name}=\"");
    match tag.find(&needle) {
        Some(start) => {
            let value = start + needle.len();
            match tag[value..].find('"') {
                Some(end) => format!("{}{}", &tag[..start], &tag[value + end + 1..]),
                None => tag.to_string(),
            }
        }
        None => tag.to_string(),
    }
}

/// WCAG relative luminance of `#rrggbb`.
pub fn luminance(hex: &str) -> Option<f64> {
    let h = hex.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let ch = |i: usize| -> Option<f64> {
        let v = u8::from_str_radix(h.get(i..i + 2)?, 16).ok()? as f64 / 255.0;
        Some(if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * ch(0)? + 0.7152 * ch(2)? + 0.0722 * ch(4)?)
}

/// WCAG contrast ratio of two `#rrggbb` colours.
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_colours_have_aa_contrast() {
        for (fg, bg, what) in TEXT_COLOURS {
            let c = contrast(fg, bg).unwrap();
            assert!(c >= 4.5, "{what}: {fg} on {bg} is {c:.2}:1");
        }
        assert!((contrast("#000000", "#ffffff").unwrap() - 21.0).abs() < 1e-9);
    }

    #[test]
    fn svg_gets_a_role_title_and_description() {
        let s = accessible_svg(
            "<?xml version=\"1.0\"?>\n<svg width=\"10\" viewBox=\"0 0 10 10\"><rect/></svg>",
            "figure-1",
            "A & B",
            "Bars <rising>",
        );
        assert!(s.starts_with("<svg width=\"10\" viewBox=\"0 0 10 10\" role=\"img\" aria-labelledby=\"figure-1-title figure-1-desc\""), "{s}");
        assert!(s.contains("<title id=\"figure-1-title\">A &amp; B</title><desc id=\"figure-1-desc\">Bars &lt;rising&gt;</desc><rect/>"), "{s}");
        // The charts crate's own labelling is replaced, so ids stay unique.
        let s = accessible_svg(
            "<svg width=\"9\" role=\"img\" aria-labelledby=\"chart-title chart-desc\">\n<title id=\"chart-title\">T</title>\n<desc id=\"chart-desc\">D</desc><g/></svg>",
            "figure-2",
            "Title",
            "Desc",
        );
        assert_eq!(
            s,
            "<svg width=\"9\" role=\"img\" aria-labelledby=\"figure-2-title figure-2-desc\" focusable=\"false\"><title id=\"figure-2-title\">Title</title><desc id=\"figure-2-desc\">Desc</desc>\n\n<g/></svg>"
        );
        let bad = accessible_svg("not svg", "f", "t", "d");
        assert!(bad.contains("role=\"img\""));
    }

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
