//! The report's "Data quality" box: in plain words, what was excluded from or
//! flagged in the figures of one authority, and which sections it touches.
//! Built from the data-quality gate's [`iro_results::DataQuality`] (`run.json`'s
//! `data_quality`), never from the data.

use std::collections::{BTreeMap, BTreeSet};

use iro_results::DataQuality;
use iro_results::quality::thousands;

use crate::sections::SECTIONS;

/// The box's lines and the ids of the sections whose figures are affected
/// (each with the words of its mark).
#[derive(Debug, Default, Clone)]
pub struct QualityBox {
    pub lines: Vec<String>,
    pub affected: Vec<(&'static str, String)>,
}

/// The indices in [`SECTIONS`] of the sections showing any measure of
/// metric `metric` (a crate id such as `cohort-summary`).
fn sections_of(metric: &str) -> impl Iterator<Item = usize> + '_ {
    SECTIONS
        .iter()
        .enumerate()
        .filter(move |(_, s)| s.metrics.iter().any(|m| m.metric() == metric))
        .map(|(i, _)| i)
}

fn label(year: i32) -> String {
    iro_domain::CollectionYear(year).label()
}

/// The box for `la`, over the report's years `years` (the report's year last).
pub fn build(q: &DataQuality, la: &str, years: &[i32]) -> QualityBox {
    let mut lines = Vec::new();
    // Section index → (years not computable, years flagged).
    let mut marks: BTreeMap<usize, (BTreeSet<i32>, BTreeSet<i32>)> = BTreeMap::new();
    for u in q.unfit_for(la).filter(|u| years.contains(&u.year)) {
        let mut affected: BTreeSet<usize> = BTreeSet::new();
        for m in &u.metrics {
            affected.extend(sections_of(m));
        }
        for i in &affected {
            marks.entry(*i).or_default().0.insert(u.year);
        }
        let titles: Vec<String> = affected
            .iter()
            .map(|i| format!("\u{201c}{}\u{201d}", SECTIONS[*i].title))
            .collect();
        let mut line = format!(
            "{}: figures using the {} table are not computable (never shown as 0): {}.",
            label(u.year),
            u.table.name(),
            u.reason.trim_end_matches('.')
        );
        if !titles.is_empty() {
            line.push_str(&format!(" Sections affected: {}.", titles.join(", ")));
        }
        lines.push(line);
    }
    for p in q
        .published
        .iter()
        .filter(|p| p.la_code == la && years.contains(&p.year))
    {
        lines.push(format!(
            "31 March {}: the number of children looked after computed from the return differs \
             from the DfE's published count ({}) by more than {}%: check the data before using \
             the figures for {}.",
            p.year,
            thousands(p.published),
            trim(100.0 * q.published_difference),
            label(p.year)
        ));
        for i in sections_of("cohort-summary") {
            marks.entry(i).or_default().1.insert(p.year);
        }
    }
    if let Some(last) = years.last()
        && let Some(e) = q
            .excluded
            .iter()
            .find(|e| e.la_code == la && e.year == *last)
    {
        lines.push(format!(
            "{}: {} of {} rows of the return ({:.1}%) were excluded because of errors in the \
             data; the figures leave them out. The rows and the rules are listed in \
             diagnostics.csv (and by iro validate).",
            label(e.year),
            thousands(e.rows_excluded),
            thousands(e.rows_read),
            100.0 * e.rows_excluded as f64 / e.rows_read.max(1) as f64
        ));
    }
    let affected = marks
        .into_iter()
        .map(|(i, (not_computable, flagged))| {
            let mut words = Vec::new();
            if !not_computable.is_empty() {
                words.push(format!(
                    "some figures for {} are not computable: a table they need is not fit for \
                     them",
                    years_list(&not_computable)
                ));
            }
            if !flagged.is_empty() {
                words.push(format!(
                    "the count of children looked after at 31 March is far from the DfE's \
                     published count in {}: check the data",
                    years_list(&flagged)
                ));
            }
            (
                SECTIONS[i].id,
                format!(
                    "{}. See \u{201c}Data quality\u{201d} at the top of the report.",
                    upper_first(&words.join("; "))
                ),
            )
        })
        .collect();
    QualityBox { lines, affected }
}

/// `2023-24 and 2024-25`.
fn years_list(years: &BTreeSet<i32>) -> String {
    let labels: Vec<String> = years.iter().map(|y| label(*y)).collect();
    match labels.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => labels.join(""),
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_domain::TableKind;
    use iro_results::quality::{Excluded, PublishedCheck, UnfitTable, Unfitness};

    fn quality() -> DataQuality {
        DataQuality {
            max_excluded_share: 0.02,
            published_difference: 0.1,
            unfit: vec![UnfitTable {
                la_code: "800".into(),
                year: 2025,
                table: TableKind::Episodes,
                problem: Unfitness::Excluded {
                    rows_read: 4102,
                    rows_excluded: 2871,
                    causes: vec![],
                },
                reason: "2,871 of 4,102 Episodes rows excluded in 2024-25: DEC written with \
                         two-digit years"
                    .into(),
                metrics: vec!["cohort-summary".into(), "participation".into()],
            }],
            published: vec![PublishedCheck {
                la_code: "800".into(),
                year: 2024,
                computed: 0,
                published: 60,
                difference: 1.0,
                note: "check the data: the DfE published 60".into(),
            }],
            excluded: vec![Excluded {
                la_code: "800".into(),
                year: 2025,
                rows_read: 5000,
                rows_excluded: 2871,
            }],
        }
    }

    #[test]
    fn the_box_says_what_was_excluded_and_flagged_in_words() {
        let b = build(&quality(), "800", &[2024, 2025]);
        assert_eq!(b.lines.len(), 3, "{:?}", b.lines);
        assert!(b.lines[0].starts_with("2024-25: figures using the Episodes table are not"));
        assert!(b.lines[0].contains("DEC written with two-digit years"));
        assert!(b.lines[0].contains("\u{201c}Children in care over five years\u{201d}"));
        assert!(
            b.lines[1].contains("published count (60)"),
            "{}",
            b.lines[1]
        );
        assert!(b.lines[2].contains("2,871 of 5,000 rows"), "{}", b.lines[2]);
        // Every section showing cohort-summary or participation is marked once.
        let marked: Vec<&str> = b.affected.iter().map(|(id, _)| *id).collect();
        assert!(marked.contains(&"children-in-care"));
        assert!(marked.contains(&"participation"));
        assert!(!marked.contains(&"drp"));
        let care = &b
            .affected
            .iter()
            .find(|(id, _)| *id == "children-in-care")
            .unwrap()
            .1;
        assert!(care.contains("2024-25 are not computable"), "{care}");
        assert!(care.contains("in 2023-24: check the data"), "{care}");
    }

    #[test]
    fn nothing_to_say_no_box() {
        let b = build(&quality(), "803", &[2024, 2025]);
        assert!(b.lines.is_empty() && b.affected.is_empty());
        // Outside the report's years.
        let b = build(&quality(), "800", &[2022, 2023]);
        assert!(b.lines.is_empty(), "{:?}", b.lines);
    }
}
