//! An authority's own figures, read from the rows of the metrics that define
//! them (`cohort-summary`, `placement-stability`, `placement-distance`, at
//! their default parameters: the DfE's definitions), so the figures
//! benchmarked are exactly the ones those metrics report. Where each is read
//! from is the engine's wiring ([`crate::Sources`]).

use iro_domain::{CollectionYear, LaCode};
use iro_metric_api::{DerivedInput, Read};
use iro_reference::Geography;

use crate::Sources;
use crate::figure::{Counts, Figure, Source};
use crate::indicator::Indicator;

/// The 903 figures of `la` in `year`, one per indicator, with no value and
/// the reason where one cannot be had: no source for it, the source metric
/// not run, run with other parameters, not computable or failed, or no row.
pub fn figures(
    input: &DerivedInput<'_>,
    sources: Sources,
    la: LaCode,
    year: CollectionYear,
) -> Vec<Figure> {
    let rows = input.rows(la, year);
    Indicator::ALL
        .iter()
        .map(|&indicator| {
            let Some((_, source)) = sources.iter().find(|(i, _)| *i == indicator) else {
                return missing(
                    la,
                    year,
                    indicator,
                    "not computable: no metric in this build gives this figure",
                );
            };
            let metric = source.measure().metric();
            if let Some(why) = input.source(metric, la, year).reason(metric) {
                return missing(la, year, indicator, &why);
            }
            match source.read(rows, indicator.period()) {
                Ok(read) => from_read(&read, source.how, la, year, indicator),
                Err(term) => missing(
                    la,
                    year,
                    indicator,
                    &format!("not computable: {} gave no row", term.metric),
                ),
            }
        })
        .collect()
}

fn missing(la: LaCode, year: CollectionYear, indicator: Indicator, why: &str) -> Figure {
    Figure::missing(indicator, year, Geography::La(la), Source::Ssda903, why)
}

/// The figure from what was read: counts when there is a denominator (and,
/// for a percentage, a numerator no greater), otherwise the reason.
fn from_read(
    read: &Read,
    how: &str,
    la: LaCode,
    year: CollectionYear,
    indicator: Indicator,
) -> Figure {
    let counts = match (read.numerator, read.denominator) {
        (Some(n), Some(d)) if d > 0 && (indicator.is_rate() || n <= d) => Some(Counts {
            numerator: n,
            denominator: d,
        }),
        _ => None,
    };
    let note = if counts.is_some() {
        let mut n = format!("computed by {}", read.measure);
        if !how.is_empty() {
            n.push_str(&format!(" ({how})"));
        }
        if !read.note.is_empty() {
            n.push_str(": ");
            n.push_str(&read.note);
        }
        n
    } else if read.note.is_empty() {
        format!(
            "{}: no numerator or denominator (nobody in the denominator)",
            read.measure
        )
    } else {
        read.note.clone()
    };
    Figure {
        indicator,
        year,
        area: Geography::La(la),
        source: Source::Ssda903,
        counts,
        published_value: None,
        note,
    }
}
