//! The report's "Data quality" box: in plain words, what was excluded from or
//! flagged in the figures of one authority, and which sections it touches.
//! Built from the engine's [`iro_engine::DataQuality`] (`run.json`'s
//! `data_quality`), never from the data.

use iro_engine::DataQuality;
use iro_engine::quality::{Unfitness, thousands};

use crate::sections::SECTIONS;

/// The box's lines and the ids of the sections whose figures are affected
/// (each with the words of its mark).
#[derive(Debug, Default, Clone)]
pub struct QualityBox {
    pub lines: Vec<String>,
    pub affected: Vec<(&'static str, String)>,
}

/// Sections showing any measure of metric `id` (a crate id such as
/// `cohort-summary`).
fn sections_of(metric: &str) -> impl Iterator<Item = &'static crate::SectionSpec> + '_ {
    SECTIONS.iter().filter(move |s| {
        s.metrics
            .iter()
            .any(|m| m.split('.').next() == Some(metric))
    })
}

fn label(year: i32) -> String {
    iro_domain::CollectionYear(year).label()
}

/// The box for `la`, over the report's years `years` (the report's year last).
pub fn build(q: &DataQuality, la: &str, years: &[i32]) -> QualityBox {
    let mut b = QualityBox::default();
    let mut mark = |id: &'static str, words: String| {
        if !b.affected.iter().any(|(s, w)| *s == id && *w == words) {
            b.affected.push((id, words));
        }
    };
    let mut lines = Vec::new();
    for u in q.unfit_for(la).filter(|u| years.contains(&u.year)) {
        let what = match &u.problem {
            Unfitness::Excluded { .. } => "too many rows excluded",
            Unfitness::Missing { .. } => "table missing",
        };
        let mut titles: Vec<String> = Vec::new();
        for m in &u.metrics {
            for s in sections_of(m) {
                let t = format!("\u{201c}{}\u{201d}", s.title);
                if !titles.contains(&t) {
                    titles.push(t);
                }
                mark(
                    s.id,
                    format!(
                        "Some figures for {} are not computable: the {} table is not fit for \
                         them ({what}). See \u{201c}Data quality\u{201d} at the top of the report.",
                        label(u.year),
                        u.table.name()
                    ),
                );
            }
        }
        let mut line = format!(
            "{}: figures using the {} table are not computable, never shown as 0. {}.",
            label(u.year),
            u.table.name(),
            upper_first(u.reason.trim_end_matches('.'))
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
        for s in sections_of("cohort-summary") {
            mark(
                s.id,
                format!(
                    "Check the data: the count at 31 March {} is far from the DfE's published \
                     count ({}). See \u{201c}Data quality\u{201d} at the top of the report.",
                    p.year,
                    thousands(p.published)
                ),
            );
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
             diagnostics.csv (and by `iro validate`).",
            label(e.year),
            thousands(e.rows_excluded),
            thousands(e.rows_read),
            100.0 * e.rows_excluded as f64 / e.rows_read.max(1) as f64
        ));
    }
    b.lines = lines;
    b
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
