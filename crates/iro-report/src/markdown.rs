//! The Markdown report: the same sections, tables and words as the HTML,
//! charts as links to the SVG files written beside it, each followed by its
//! data table.

use std::fmt::Write as _;

use crate::format::{MISSING, SUPPRESSED};
use crate::model::{Block, Cell, Figure, Report, Table};
use crate::{charts_dir_name, narrative};

/// Escapes text for a Markdown paragraph (also what would start a block).
fn esc(s: &str) -> String {
    let mut out = esc_inline(s);
    // A leading `#`, `-`, `+` or `1.` would start a heading or list.
    if out.starts_with(['#', '-', '+']) {
        out.insert(0, '\\');
    } else if starts_like_ordered_item(&out) {
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        out.insert(digits, '\\');
    }
    out
}

/// Escapes text inside a line (a table cell, link text).
fn esc_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn starts_like_ordered_item(s: &str) -> bool {
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && matches!(s[digits..].chars().next(), Some('.') | Some(')'))
}

/// The whole Markdown document.
pub fn render(report: &Report) -> String {
    let mut m = String::with_capacity(32 * 1024);
    if report.is_draft() {
        m.push_str("**DRAFT**\n\n");
    }
    let _ = writeln!(m, "# {}\n", esc(&report.title()));
    // The authority's name in bold, then its code and region.
    let kicker = report.kicker();
    let (bold, rest) = match report.kind {
        crate::model::DocumentKind::AnnualReport => kicker.split_at(report.la_name.len()),
        crate::model::DocumentKind::RegionalPack { .. } => (kicker.as_str(), ""),
    };
    let _ = writeln!(
        m,
        "**{}**{}  \n{}\n",
        esc(bold),
        esc(rest),
        esc(&report.period_text)
    );
    for (term, value) in report.cover_details() {
        let _ = writeln!(m, "**{term}:** {}  ", esc_inline(&value));
    }
    if !report.cover_details().is_empty() {
        m.push('\n');
    }
    let restricted = report.not_for_publication();
    let _ = writeln!(
        m,
        "> **{}** {}\n",
        if restricted {
            "Not for publication."
        } else {
            "Who may read it."
        },
        esc_inline(&report.disclosure.rule_sentence())
    );
    if !report.data_quality.is_empty() {
        m.push_str(
            "> **Data quality.** Some figures in this report are affected by problems in the \
             data. Read this before using them.\n>\n",
        );
        for l in &report.data_quality {
            let _ = writeln!(m, "> - {}", esc(l));
        }
        m.push('\n');
    }
    m.push_str("## Contents\n\n");
    for s in &report.sections {
        let _ = writeln!(m, "{}. {}", s.number, esc(s.title));
    }
    m.push('\n');
    for s in &report.sections {
        let _ = writeln!(m, "## {}. {}\n", s.number, esc(s.title));
        for b in &s.blocks {
            match b {
                Block::Para(p) => {
                    let _ = writeln!(m, "{}\n", esc(p));
                }
                Block::Heading(t) => {
                    let _ = writeln!(m, "### {}\n", esc(t));
                }
                Block::NotAvailable(why) => {
                    let _ = writeln!(m, "> **Not available:** {}\n", esc(why));
                }
                Block::DataQuality(why) => {
                    let _ = writeln!(m, "> **Data quality:** {}\n", esc(why));
                }
                Block::Table(t) => table(&mut m, t),
                Block::Figure(f) => figure(&mut m, report, f),
            }
        }
        m.push_str("<!-- narrative:start -->\n");
        match &s.narrative {
            Some(md) => {
                let _ = writeln!(
                    m,
                    "{}\n",
                    narrative::to_markdown(md, 3, &report.images, &report.images_dir_name())
                );
            }
            None if s.narrative_only && report.is_draft() => {
                let _ = writeln!(
                    m,
                    "_The service has not written this section yet: add its text under \
                     `## {}` in the narrative file `{}.md`._\n",
                    s.id, report.la_code
                );
            }
            None => {}
        }
        m.push_str("<!-- narrative:end -->\n\n");
    }
    let _ = writeln!(
        m,
        "---\n\nMade with IRO Analytics {} from {} ({}).",
        env!("CARGO_PKG_VERSION"),
        report.made_from(),
        esc(&report.file_stem())
    );
    m
}

fn grid(m: &mut String, head: &[String], rows: &[Vec<String>], numeric: &[bool]) {
    m.push('|');
    for h in head {
        let _ = write!(m, " {} |", esc_inline(h));
    }
    m.push_str("\n|");
    for i in 0..head.len() {
        m.push_str(if numeric.get(i).copied().unwrap_or(false) {
            "---:|"
        } else {
            "---|"
        });
    }
    m.push('\n');
    for r in rows {
        m.push('|');
        for c in r {
            let _ = write!(m, " {} |", esc_inline(c));
        }
        m.push('\n');
    }
}

fn table(m: &mut String, t: &Table) {
    let _ = writeln!(m, "**Table {}: {}**\n", t.number, esc(&t.caption));
    let numeric: Vec<bool> = (0..t.head.len())
        .map(|i| {
            i > 0
                && t.rows
                    .iter()
                    .any(|r| matches!(r.cells.get(i - 1), Some(Cell::Figure(_))))
        })
        .collect();
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            // Plain Markdown has no bold row: a total says so, unless its
            // header does already.
            let header = if r.total && !r.header.to_lowercase().contains("total") {
                format!("{} (total)", r.header)
            } else {
                r.header.clone()
            };
            std::iter::once(header)
                .chain(r.cells.iter().map(|c| c.text().to_string()))
                .collect()
        })
        .collect();
    grid(m, &t.head, &rows, &numeric);
    m.push('\n');
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
    for n in notes {
        let _ = writeln!(m, "_{}_  ", esc(&n));
    }
    m.push('\n');
}

fn figure(m: &mut String, report: &Report, f: &Figure) {
    let _ = writeln!(m, "**Figure {}: {}**\n", f.number, esc(&f.caption));
    match &f.svg {
        Ok(_) => {
            let _ = writeln!(
                m,
                "![{}]({}/{}.svg)\n",
                esc_inline(&f.alt),
                charts_dir_name(report),
                f.slug
            );
        }
        Err(e) => {
            let _ = writeln!(m, "> **Chart not drawn:** {}. {}\n", esc(e), esc(&f.alt));
        }
    }
    if !f.data.columns.is_empty() {
        let _ = writeln!(m, "_Data for figure {}:_\n", f.number);
        let numeric: Vec<bool> = (0..f.data.columns.len()).map(|i| i > 0).collect();
        let rows = shown_rows(f);
        grid(m, &f.data.columns, &rows, &numeric);
        m.push('\n');
        if rows.len() < f.data.rows.len() {
            let _ = writeln!(
                m,
                "_The figures of all {} areas are in the HTML report's data table for this \
                 figure._\n",
                f.data.rows.len() - 1
            );
        }
    }
}

/// The rows of a chart's data table to print: for a long table with a
/// `Highlighted` column (a funnel plot of every authority), the highlighted
/// rows and the target; otherwise every row.
fn shown_rows(f: &Figure) -> Vec<Vec<String>> {
    const LONG: usize = 40;
    let col = f.data.columns.iter().position(|c| c == "Highlighted");
    match col {
        Some(i) if f.data.rows.len() > LONG => f
            .data
            .rows
            .iter()
            .filter(|r| {
                r.get(i).is_some_and(|v| v == "yes") || r.get(1).is_some_and(|v| v == "target")
            })
            .cloned()
            .collect(),
        _ => f.data.rows.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_syntax() {
        assert_eq!(esc("a|b *c* [d]"), "a\\|b \\*c\\* \\[d\\]");
        assert_eq!(esc("# not a heading"), "\\# not a heading");
        assert_eq!(esc("1. not a list"), "1\\. not a list");
        assert_eq!(esc("<script>"), "\\<script\\>");
    }
}
