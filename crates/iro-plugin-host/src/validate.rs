//! Full validation of what a plugin returns, and its conversion to tidy
//! [`MetricRow`]s. Nothing a plugin returns reaches the engine unchecked.

use arrow_array::{Array, RecordBatch};
use iro_metric_api::{AreaCode, Breakdown, MeasureId, MetricRow, Period, Unit, split_note_text};
use iro_plugin_sdk::MetricInfo;
use iro_plugin_sdk::output::read_rows;

fn breakdown(s: &str) -> Result<Breakdown, String> {
    if s.is_empty() {
        return Ok(Breakdown::default());
    }
    s.split(';')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.is_empty() && !v.is_empty() && !v.contains('=') => Ok((k, v)),
            _ => Err(format!("breakdown `{s}` is not key=value[;key=value]")),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|pairs| Breakdown::new(&pairs))
}

/// Checks `batch` in full and converts it:
///
/// 1. the schema is exactly the output schema (names, order, types,
///    nullability) and no non-nullable column holds a null;
/// 2. every column passes Arrow's `validate_full`;
/// 3. per row: `la_code` is the cohort's, `year` the year computed, `period` a
///    known label, `metric` a measure the plugin declared for this metric,
///    `unit` the measure's declared unit, no negative count, numerator ≤
///    denominator for a percentage, a finite value, a well-formed breakdown.
///
/// The first problem found is the error, naming the row (1-based).
pub fn to_metric_rows(
    batch: &RecordBatch,
    info: &MetricInfo,
    la_code: &str,
    year: i32,
) -> Result<Vec<MetricRow>, String> {
    for (f, c) in batch.schema().fields().iter().zip(batch.columns()) {
        c.to_data()
            .validate_full()
            .map_err(|e| format!("column `{}`: invalid Arrow data: {e}", f.name()))?;
    }
    let rows = read_rows(batch)?;
    let prefix = format!("{}.", info.id);
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let at = |msg: String| format!("row {}: {msg}", i + 1);
            if r.la_code != la_code {
                return Err(at(format!(
                    "la_code `{}` is not the authority computed ({la_code})",
                    r.la_code
                )));
            }
            if r.year != year {
                return Err(at(format!(
                    "year {} is not the year computed ({year})",
                    r.year
                )));
            }
            let p = Period::from_label(&r.period)
                .ok_or_else(|| at(format!("unknown period `{}`", r.period)))?;
            let measure = r
                .metric
                .strip_prefix(&prefix)
                .and_then(|m| info.measure_info(m))
                .ok_or_else(|| {
                    at(format!(
                        "metric `{}` is not a measure `{}` declared",
                        r.metric, info.id
                    ))
                })?;
            let u = Unit::from_label(&r.unit)
                .ok_or_else(|| at(format!("unknown unit `{}`", r.unit)))?;
            if u != measure.unit {
                return Err(at(format!(
                    "unit `{}`, but `{}` was declared in `{}`",
                    r.unit,
                    r.metric,
                    measure.unit.label()
                )));
            }
            let count = |v: Option<i64>, what: &str| -> Result<Option<u64>, String> {
                v.map(|n| u64::try_from(n).map_err(|_| at(format!("negative {what} {n}"))))
                    .transpose()
            };
            let numerator = count(r.numerator, "numerator")?;
            let denominator = count(r.denominator, "denominator")?;
            if u == Unit::Percent
                && let (Some(n), Some(d)) = (numerator, denominator)
                && n > d
            {
                return Err(at(format!(
                    "numerator {n} exceeds denominator {d} in a percentage"
                )));
            }
            if r.value.is_some_and(|v| !v.is_finite()) {
                return Err(at("value is not finite".to_string()));
            }
            let id = MeasureId::parse(&r.metric)
                .ok_or_else(|| at(format!("metric `{}` is not metric.measure", r.metric)))?;
            let mut row = MetricRow::new(AreaCode::new(&r.la_code), r.year, p, id, u)
                .with_breakdown(breakdown(&r.breakdown).map_err(at)?);
            row.numerator = numerator;
            row.denominator = denominator;
            row.value = r.value;
            // The tidy table crosses the boundary as text: a figure that is
            // not computable says so in its note.
            Ok(match split_note_text(&r.note) {
                (notes, Some(why)) => row.note(notes).not_computable(why),
                (notes, None) => row.note(notes),
            })
        })
        .collect()
}
