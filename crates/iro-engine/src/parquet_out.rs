//! Parquet copies of the shareable tidy tables (`[output] formats` with
//! `"parquet"`, `iro run --format parquet`): `metrics.parquet`,
//! `targets.parquet`, `diagnostics.parquet` and `row_counts.parquet`, the same
//! rows and columns as their CSV, with typed columns so DuckDB, Polars,
//! pandas and Power BI read numbers as numbers.
//!
//! - Counts (`numerator`, `denominator`, rows read…) are nullable `Int64`
//!   (signed, which every reader takes; Power BI has no unsigned 64-bit type),
//!   figures (`value`, targets) `Float64`, `year` `Int32`.
//! - Codes (`la_code`, `metric`, `period`, `unit`, `breakdown`,
//!   `suppressed`, …) are dictionary-encoded strings (`Dictionary(Int32,
//!   Utf8)`: a category in pandas and Polars, `VARCHAR` in DuckDB).
//! - Free text (`note`, labels, messages) is a plain string.
//! - A cell that is empty in the CSV is null here. A suppressed count or
//!   figure is null, with the reason in `suppressed` (the CSV's `c`).
//!
//! No table `iro run` shares holds a date, so there is no date column yet.
//!
//! **Invariants:** nothing here holds a value of a personal field, as in the
//! CSV (the diagnostics' values are withheld the same way,
//! [`crate::output::shared_value`]); the bytes depend only on the rows (no
//! timestamp; `created_by` names this crate's version, fixed for a build).
//! This module is the only place in the engine that knows Arrow or Parquet
//! (`crates/iro-cli/tests/architecture.rs`).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use iro_domain::{Diagnostic, RowAccount};
use iro_metric_api::{MetricRow, column};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::run::EngineError;
use crate::targets::TargetResult;

/// Rows encoded at a time: bounds the memory a national table needs while
/// it is written (a row group holds several batches).
const BATCH_ROWS: usize = 64 * 1024;
/// Rows per row group: large enough that each column's dictionary and
/// compression see many rows (the national tidy table is ~800,000 rows), small
/// enough that a reader can skip groups by their statistics.
const ROW_GROUP_ROWS: usize = 256 * 1024;

/// The kind of a column, and so its Arrow type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A code repeated down the column: a dictionary-encoded string.
    Code,
    /// Free text.
    Text,
    Int32,
    /// A count.
    Int64,
    Float64,
}

impl Kind {
    fn data_type(self) -> DataType {
        match self {
            Kind::Code => DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            Kind::Text => DataType::Utf8,
            Kind::Int32 => DataType::Int32,
            Kind::Int64 => DataType::Int64,
            Kind::Float64 => DataType::Float64,
        }
    }
}

/// A column's values for one batch of rows.
#[derive(Debug)]
enum Values<'a> {
    Code(Vec<Option<&'a str>>),
    Text(Vec<Option<&'a str>>),
    Int32(Vec<Option<i32>>),
    Int64(Vec<Option<i64>>),
    Float64(Vec<Option<f64>>),
}

impl Values<'_> {
    fn into_array(self) -> ArrayRef {
        match self {
            Values::Code(v) => Arc::new(v.into_iter().collect::<DictionaryArray<Int32Type>>()),
            Values::Text(v) => Arc::new(StringArray::from(v)),
            Values::Int32(v) => Arc::new(Int32Array::from(v)),
            Values::Int64(v) => Arc::new(Int64Array::from(v)),
            Values::Float64(v) => Arc::new(Float64Array::from(v)),
        }
    }
}

/// Empty strings are nulls: an empty CSV cell is a missing value.
fn some(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// A count as `Int64`. No count comes near `i64::MAX`; one that did is a
/// bug upstream, written as null rather than as a wrong number.
fn count(n: Option<u64>) -> Option<i64> {
    n.and_then(|n| i64::try_from(n).ok())
}

// ---------------------------------------------------------------------------
// metrics.parquet

/// The columns of `metrics.parquet`: those of `metrics.csv`, typed.
const METRICS_COLUMNS: &[(&str, Kind)] = &[
    (column::LA_CODE, Kind::Code),
    (column::YEAR, Kind::Int32),
    (column::PERIOD, Kind::Code),
    (column::METRIC, Kind::Code),
    (column::BREAKDOWN, Kind::Code),
    (column::NUMERATOR, Kind::Int64),
    (column::DENOMINATOR, Kind::Int64),
    (column::VALUE, Kind::Float64),
    (column::UNIT, Kind::Code),
    (column::SUPPRESSED, Kind::Code),
    (column::NOTE, Kind::Text),
];

/// One row of `metrics.parquet`, typed. [`metric_cells`] is the only place
/// that reads a [`MetricRow`]'s fields for Parquet.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricCells<'a> {
    pub la_code: &'a str,
    pub year: i32,
    pub period: &'static str,
    pub metric: &'a str,
    /// `key=value;…`; `None` for the total (no breakdown).
    pub breakdown: Option<String>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub value: Option<f64>,
    pub unit: &'static str,
    pub suppressed: Option<&'a str>,
    /// The `note` column's text (with a figure's not-computable reason).
    pub note: Option<std::borrow::Cow<'static, str>>,
}

/// A metric row's cells as `metrics.parquet` holds them.
pub fn metric_cells(r: &MetricRow) -> MetricCells<'_> {
    MetricCells {
        la_code: r.la_code.as_str(),
        year: r.year,
        period: r.period.label(),
        metric: r.metric.as_str(),
        breakdown: (!r.breakdown.is_empty()).then(|| r.breakdown.to_string()),
        numerator: count(r.numerator),
        denominator: count(r.denominator),
        value: r.value,
        unit: r.unit.label(),
        suppressed: some(r.suppressed_label()),
        note: Some(r.note_text()).filter(|n| !n.is_empty()),
    }
}

fn metric_batch<'a>(rows: &'a [MetricCells<'a>]) -> Vec<Values<'a>> {
    vec![
        Values::Code(rows.iter().map(|c| Some(c.la_code)).collect()),
        Values::Int32(rows.iter().map(|c| Some(c.year)).collect()),
        Values::Code(rows.iter().map(|c| Some(c.period)).collect()),
        Values::Code(rows.iter().map(|c| Some(c.metric)).collect()),
        Values::Code(rows.iter().map(|c| c.breakdown.as_deref()).collect()),
        Values::Int64(rows.iter().map(|c| c.numerator).collect()),
        Values::Int64(rows.iter().map(|c| c.denominator).collect()),
        Values::Float64(rows.iter().map(|c| c.value).collect()),
        Values::Code(rows.iter().map(|c| Some(c.unit)).collect()),
        Values::Code(rows.iter().map(|c| c.suppressed).collect()),
        Values::Text(rows.iter().map(|c| c.note.as_deref()).collect()),
    ]
}

/// Writes the tidy table to `path` (`metrics.parquet`).
pub fn write_metrics(path: &Path, rows: &[MetricRow]) -> Result<PathBuf, EngineError> {
    let mut w = TableWriter::create(path, METRICS_COLUMNS)?;
    for chunk in rows.chunks(BATCH_ROWS) {
        let cells: Vec<MetricCells> = chunk.iter().map(metric_cells).collect();
        w.write(metric_batch(&cells))?;
    }
    w.finish()
}

// ---------------------------------------------------------------------------
// targets.parquet, diagnostics.parquet, row_counts.parquet

const TARGETS_COLUMNS: &[(&str, Kind)] = &[
    ("la_code", Kind::Code),
    ("year", Kind::Int32),
    ("period", Kind::Code),
    ("metric", Kind::Code),
    ("breakdown", Kind::Code),
    ("label", Kind::Text),
    ("target", Kind::Float64),
    ("direction", Kind::Code),
    ("value", Kind::Float64),
    ("met", Kind::Code),
    ("previous_value", Kind::Float64),
    ("trend", Kind::Code),
];

/// `targets.parquet`: each local target per authority, year and period. A
/// hidden figure is null (`met` says `suppressed`); the previous figure is
/// null when there is none or it is hidden.
pub fn write_targets(path: &Path, targets: &[TargetResult]) -> Result<PathBuf, EngineError> {
    let mut w = TableWriter::create(path, TARGETS_COLUMNS)?;
    for t in targets.chunks(BATCH_ROWS) {
        w.write(vec![
            Values::Code(t.iter().map(|r| Some(r.la_code.as_str())).collect()),
            Values::Int32(t.iter().map(|r| Some(r.year)).collect()),
            Values::Code(t.iter().map(|r| Some(r.period.label())).collect()),
            Values::Code(t.iter().map(|r| Some(r.metric.as_str())).collect()),
            Values::Code(t.iter().map(|r| some(&r.breakdown)).collect()),
            Values::Text(t.iter().map(|r| some(&r.label)).collect()),
            Values::Float64(t.iter().map(|r| Some(r.target)).collect()),
            Values::Code(t.iter().map(|r| Some(r.direction.label())).collect()),
            Values::Float64(t.iter().map(|r| r.value).collect()),
            Values::Code(t.iter().map(|r| Some(r.met.label())).collect()),
            Values::Float64(t.iter().map(|r| r.previous_value).collect()),
            Values::Code(t.iter().map(|r| some(r.trend.label())).collect()),
        ])?;
    }
    w.finish()
}

const DIAGNOSTICS_COLUMNS: &[(&str, Kind)] = &[
    ("severity", Kind::Code),
    ("rule", Kind::Code),
    ("la_code", Kind::Code),
    ("year", Kind::Int32),
    ("table", Kind::Code),
    ("file", Kind::Code),
    ("within", Kind::Code),
    ("line", Kind::Int64),
    ("column", Kind::Int32),
    ("column_letter", Kind::Code),
    ("field", Kind::Code),
    ("value", Kind::Text),
    ("message", Kind::Text),
];

/// `diagnostics.parquet`: every data problem as in `diagnostics.csv`, the
/// values of personal fields withheld.
pub fn write_diagnostics(path: &Path, diagnostics: &[Diagnostic]) -> Result<PathBuf, EngineError> {
    let mut w = TableWriter::create(path, DIAGNOSTICS_COLUMNS)?;
    for d in diagnostics.chunks(BATCH_ROWS) {
        let la: Vec<Option<String>> = d.iter().map(|d| d.la.map(|l| l.to_string())).collect();
        let file: Vec<Option<String>> = d
            .iter()
            .map(|d| d.file.as_ref().map(|p| p.display().to_string()))
            .collect();
        let letter: Vec<Option<String>> = d.iter().map(Diagnostic::column_letter).collect();
        let value: Vec<String> = d.iter().map(crate::output::shared_value).collect();
        w.write(vec![
            Values::Code(d.iter().map(|d| Some(d.severity.label())).collect()),
            Values::Code(d.iter().map(|d| Some(d.rule.as_str())).collect()),
            Values::Code(la.iter().map(|s| s.as_deref()).collect()),
            Values::Int32(d.iter().map(|d| d.year.map(|y| y.0)).collect()),
            Values::Code(d.iter().map(|d| d.table.map(|t| t.name())).collect()),
            Values::Code(file.iter().map(|s| s.as_deref()).collect()),
            Values::Code(d.iter().map(|d| d.within.as_deref()).collect()),
            Values::Int64(d.iter().map(|d| count(d.line)).collect()),
            Values::Int32(
                d.iter()
                    .map(|d| d.column.and_then(|c| i32::try_from(c).ok()))
                    .collect(),
            ),
            Values::Code(letter.iter().map(|s| s.as_deref()).collect()),
            Values::Code(d.iter().map(|d| d.field.as_deref()).collect()),
            Values::Text(value.iter().map(|s| some(s)).collect()),
            Values::Text(d.iter().map(|d| some(&d.message)).collect()),
        ])?;
    }
    w.finish()
}

const ROW_COUNTS_COLUMNS: &[(&str, Kind)] = &[
    ("la", Kind::Code),
    ("year", Kind::Int32),
    ("table", Kind::Code),
    ("rows_read", Kind::Int64),
    ("rows_used", Kind::Int64),
    ("rows_excluded", Kind::Int64),
];

/// `row_counts.parquet`: rows read, used and excluded per authority, year
/// and table.
pub fn write_row_counts(path: &Path, accounts: &[RowAccount]) -> Result<PathBuf, EngineError> {
    let mut w = TableWriter::create(path, ROW_COUNTS_COLUMNS)?;
    for a in accounts.chunks(BATCH_ROWS) {
        let la: Vec<String> = a.iter().map(|a| a.la.to_string()).collect();
        // As `row_counts.csv` names the table (serde's name, `Uasc`; the
        // diagnostics use the DfE's, `UASC`).
        let table: Vec<Option<String>> = a
            .iter()
            .map(|a| match serde_json::to_value(a.table) {
                Ok(serde_json::Value::String(s)) => Some(s),
                _ => None,
            })
            .collect();
        w.write(vec![
            Values::Code(la.iter().map(|s| Some(s.as_str())).collect()),
            Values::Int32(a.iter().map(|a| Some(a.year.0)).collect()),
            Values::Code(table.iter().map(|s| s.as_deref()).collect()),
            Values::Int64(a.iter().map(|a| count(Some(a.rows_read))).collect()),
            Values::Int64(a.iter().map(|a| count(Some(a.rows_used))).collect()),
            Values::Int64(a.iter().map(|a| count(Some(a.rows_excluded))).collect()),
        ])?;
    }
    w.finish()
}

// ---------------------------------------------------------------------------
// The file

/// The Arrow schema of a table from its `(name, kind)` columns. Every column
/// is nullable, as every CSV cell may be empty.
fn schema(columns: &[(&str, Kind)]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, kind)| Field::new(*name, kind.data_type(), true))
            .collect::<Vec<_>>(),
    ))
}

/// The writer's settings, the same on every run so the bytes are too.
fn properties() -> WriterProperties {
    WriterProperties::builder()
        // Snappy: pure Rust, fast, and every reader has it. The columns are
        // dictionary- and run-length encoded first, which does most of the work.
        .set_compression(Compression::SNAPPY)
        .set_dictionary_enabled(true)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_created_by(format!("iro {}", env!("CARGO_PKG_VERSION")))
        .build()
}

/// An open Parquet file being written batch by batch.
struct TableWriter {
    path: PathBuf,
    schema: SchemaRef,
    writer: ArrowWriter<BufWriter<File>>,
}

impl TableWriter {
    fn create(path: &Path, columns: &[(&str, Kind)]) -> Result<Self, EngineError> {
        let schema = schema(columns);
        let file = File::create(path).map_err(|source| EngineError::Write {
            path: path.to_path_buf(),
            source,
        })?;
        let writer = ArrowWriter::try_new(BufWriter::new(file), schema.clone(), Some(properties()))
            .map_err(|e| write_error(path, e))?;
        Ok(TableWriter {
            path: path.to_path_buf(),
            schema,
            writer,
        })
    }

    fn write(&mut self, columns: Vec<Values>) -> Result<(), EngineError> {
        let arrays: Vec<ArrayRef> = columns.into_iter().map(Values::into_array).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(|e| write_error(&self.path, e))?;
        self.writer
            .write(&batch)
            .map_err(|e| write_error(&self.path, e))
    }

    /// Closes the file (footer written); a table with no rows still has its
    /// columns, as an empty CSV keeps its header.
    fn finish(self) -> Result<PathBuf, EngineError> {
        let mut inner = self
            .writer
            .into_inner()
            .map_err(|e| write_error(&self.path, e))?;
        std::io::Write::flush(&mut inner).map_err(|source| EngineError::Write {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.path)
    }
}

fn write_error(path: &Path, e: impl std::error::Error + Send + Sync + 'static) -> EngineError {
    EngineError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    }
}

#[cfg(test)]
mod tests {
    use iro_metric_api::{AreaCode, Breakdown, CellStatus, Period, Suppression, Unit};

    use super::*;

    fn row() -> MetricRow {
        MetricRow::new(
            AreaCode::new("800"),
            2025,
            Period::Q2,
            review_timeliness::ON_TIME,
            Unit::Percent,
        )
        .percent(40, 50)
    }

    #[test]
    fn a_shown_total_has_its_numbers_and_nulls_for_empty_cells() {
        let r = row();
        assert_eq!(
            metric_cells(&r),
            MetricCells {
                la_code: "800",
                year: 2025,
                period: "Q2",
                metric: "review-timeliness.on-time",
                breakdown: None,
                numerator: Some(40),
                denominator: Some(50),
                value: Some(80.0),
                unit: "percent",
                suppressed: None,
                note: None,
            }
        );
    }

    #[test]
    fn a_suppressed_cell_is_null_with_the_reason() {
        let mut r = row()
            .with_breakdown(Breakdown::new(&[("age_band", "10 to 15"), ("sex", "F")]))
            .note("late review recorded");
        r.numerator = None;
        r.value = None;
        r.status = CellStatus::Suppressed(Suppression::Primary);
        let c = metric_cells(&r);
        assert_eq!(c.breakdown.as_deref(), Some("age_band=10 to 15;sex=F"));
        assert_eq!((c.numerator, c.value), (None, None));
        assert_eq!(c.suppressed, Some("primary"));
        assert_eq!(c.note.as_deref(), Some("late review recorded"));
    }

    #[test]
    fn a_count_too_large_for_int64_is_null_not_wrapped() {
        assert_eq!(count(Some(u64::MAX)), None);
        assert_eq!(count(Some(7)), Some(7));
    }

    #[test]
    fn every_table_has_its_csv_columns_in_order() {
        use crate::output::{
            DIAGNOSTICS_HEADER, METRICS_HEADER, ROW_COUNTS_HEADER, TARGETS_HEADER,
        };
        for (columns, header) in [
            (METRICS_COLUMNS, METRICS_HEADER),
            (TARGETS_COLUMNS, TARGETS_HEADER),
            (DIAGNOSTICS_COLUMNS, DIAGNOSTICS_HEADER),
            (ROW_COUNTS_COLUMNS, ROW_COUNTS_HEADER),
        ] {
            let s = schema(columns);
            let names: Vec<&str> = s.fields().iter().map(|f| f.name().as_str()).collect();
            assert_eq!(names, header);
            assert!(s.fields().iter().all(|f| f.is_nullable()));
        }
    }
}
