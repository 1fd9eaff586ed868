//! Full validation of what a plugin returns, and its conversion to tidy
//! [`MetricRow`]s. Nothing a plugin returns reaches the engine unchecked.
//! The rules for a row are the SDK's ([`iro_plugin_sdk::validate`]), the
//! one function a plugin's own tests run too.

use arrow_array::{Array, RecordBatch};
use iro_metric_api::{AreaCode, Breakdown, MeasureId, MetricRow, split_note_text};
use iro_plugin_sdk::MetricInfo;
use iro_plugin_sdk::output::read_rows;
use iro_plugin_sdk::validate::check_row;

/// Checks `batch` in full and converts it:
///
/// 1. the schema is exactly the output schema (names, order, types,
///    nullability) and no non-nullable column holds a null;
/// 2. every column passes Arrow's `validate_full`;
/// 3. every row passes [`check_row`]: `la_code` is the cohort's, `year` the
///    year computed, `period` a known label, `metric` a measure the plugin
///    declared for this metric, `unit` the measure's declared unit, no
///    negative count, numerator ≤ denominator for a percentage, a finite
///    value, a well-formed breakdown.
///
/// The first problem found is the error, naming the row by its measure,
/// breakdown, authority, year and period.
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
    rows.into_iter()
        .map(|r| {
            let checked = check_row(&r, info, la_code, year).map_err(|e| e.to_string())?;
            let id = MeasureId::parse(&r.metric)
                .ok_or_else(|| format!("metric `{}` is not metric.measure", r.metric))?;
            let mut row = MetricRow::new(
                AreaCode::new(&r.la_code),
                r.year,
                checked.period,
                id,
                checked.unit,
            )
            .with_breakdown(Breakdown::parse(&r.breakdown));
            row.numerator = checked.numerator;
            row.denominator = checked.denominator;
            row.value = checked.value;
            // The tidy table crosses the boundary as text: a figure that is
            // not computable says so in its note.
            Ok(match split_note_text(&r.note) {
                (notes, Some(why)) => row.note(notes).not_computable(why),
                (notes, None) => row.note(notes),
            })
        })
        .collect()
}
