//! Writes a run's shareable outputs: `metrics.*`, `cohort_summary.*`,
//! `diagnostics.*`, `row_counts.*`, `targets.*` and `run.json` (the Parquet
//! files through `crate::parquet_out`).
//!
//! **Invariant:** nothing written here holds a CHILD identifier, a date of birth
//! or a postcode. Diagnostics point at the file, line and column instead, and
//! their values are withheld where the field identifies a child; their messages
//! never quote such a value (see `iro_domain::diagnostic`), so they are written
//! as they are. The values and the personal details go only to
//! `personal/diagnostics.csv`, when the user asks for personal data.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use cohort_summary as cs;
use iro_domain::{CollectionYear, Diagnostic, LaCode, Severity};
use iro_metric_api::{MeasureId, MetricRow, Period, Reference};
use iro_reference::Measure;
use serde::Serialize;

use crate::config::{Config, OutputFormat};
use crate::parquet_out;
use crate::run::{EngineError, RunResult};
use crate::targets::{Met, TargetResult};

pub use iro_results::SummaryRow;

/// Written in place of a value that would identify a child.
pub const WITHHELD: &str = "[withheld: personal data]";

/// Writes every output into `config.output.dir`; returns the paths written.
pub fn write_outputs(
    result: &RunResult,
    config: &Config,
    reference: &Reference,
) -> Result<Vec<PathBuf>, EngineError> {
    write_outputs_with_summary(result, config, &cohort_summary(result, reference))
}

/// [`write_outputs`] with "Table 1" already built ([`cohort_summary`]), so
/// that a caller that also prints or reports it builds it once.
pub fn write_outputs_with_summary(
    result: &RunResult,
    config: &Config,
    summary: &[SummaryRow],
) -> Result<Vec<PathBuf>, EngineError> {
    let dir = &config.output.dir;
    fs::create_dir_all(dir).map_err(|source| EngineError::Write {
        path: dir.clone(),
        source,
    })?;
    let mut written = Vec::new();
    let csv = config.output.formats.contains(&OutputFormat::Csv);
    let json = config.output.formats.contains(&OutputFormat::Json);
    let parquet = config.output.formats.contains(&OutputFormat::Parquet);

    let diagnostics: Vec<SharedDiagnostic> = result
        .loaded
        .diagnostics
        .iter()
        .map(SharedDiagnostic::from)
        .collect();
    if csv {
        written.extend(write_metric_rows(dir, &result.rows, &[OutputFormat::Csv])?);
        written.push(write_csv(
            &dir.join("cohort_summary.csv"),
            SUMMARY_HEADER,
            summary.iter(),
        )?);
        written.push(write_csv(
            &dir.join("diagnostics.csv"),
            DIAGNOSTICS_HEADER,
            diagnostics.iter(),
        )?);
        written.push(write_csv(
            &dir.join("row_counts.csv"),
            ROW_COUNTS_HEADER,
            result.loaded.accounts.iter(),
        )?);
        written.push(write_csv(
            &dir.join("targets.csv"),
            TARGETS_HEADER,
            result.targets.iter().map(TargetCsvRow::from),
        )?);
    }
    if json {
        written.extend(write_metric_rows(dir, &result.rows, &[OutputFormat::Json])?);
        written.push(write_json(&dir.join("cohort_summary.json"), &summary)?);
        written.push(write_json(&dir.join("diagnostics.json"), &diagnostics)?);
        written.push(write_json(&dir.join("targets.json"), &result.targets)?);
    }
    if parquet {
        // Table 1 (`cohort_summary`) is left out: it is a view for people of
        // figures formatted and rounded as text, each of which is a row of
        // `metrics.parquet` (`cohort-summary.*`).
        written.extend(write_metric_rows(
            dir,
            &result.rows,
            &[OutputFormat::Parquet],
        )?);
        written.push(parquet_out::write_diagnostics(
            &dir.join("diagnostics.parquet"),
            &result.loaded.diagnostics,
        )?);
        written.push(parquet_out::write_row_counts(
            &dir.join("row_counts.parquet"),
            &result.loaded.accounts,
        )?);
        written.push(parquet_out::write_targets(
            &dir.join("targets.parquet"),
            &result.targets,
        )?);
    }
    written.push(write_json(
        &dir.join("run.json"),
        &run_metadata(result, config),
    )?);
    if config.output.personal {
        written.extend(write_personal(
            &dir.join("personal"),
            &result.drilldowns,
            &result.loaded.diagnostics,
        )?);
    }
    Ok(written)
}

/// The tidy table: `metrics.csv`, `metrics.json` and/or `metrics.parquet`
/// in `dir`, as `formats` asks (`iro run` and `iro benchmark` both write it this way).
pub fn write_metric_rows(
    dir: &Path,
    rows: &[MetricRow],
    formats: &[OutputFormat],
) -> Result<Vec<PathBuf>, EngineError> {
    let mut written = Vec::new();
    if formats.contains(&OutputFormat::Csv) {
        let path = dir.join("metrics.csv");
        write_in_chunks(&path, rows, b"", b"", |chunk, first, buf| {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(buf);
            if first {
                w.write_record(METRICS_HEADER)?;
            }
            let mut scratch = String::new();
            for r in chunk {
                write_metric_csv_row(&mut w, r, &mut scratch)?;
            }
            w.flush()?;
            Ok(())
        })?;
        written.push(path);
    }
    if formats.contains(&OutputFormat::Json) {
        // A JSON array with one row per line: the tidy table can have most
        // of a million rows, which indented JSON makes three times larger
        // and slower to write, and a row a line is what `grep` and `diff`
        // want.
        let path = dir.join("metrics.json");
        write_in_chunks(&path, rows, b"[", b"\n]\n", |chunk, first, buf| {
            for (k, r) in chunk.iter().enumerate() {
                buf.extend_from_slice(if first && k == 0 { b"\n" } else { b",\n" });
                write_metric_json_row(buf, r);
            }
            Ok(())
        })?;
        written.push(path);
    }
    if formats.contains(&OutputFormat::Parquet) {
        written.push(parquet_out::write_metrics(
            &dir.join("metrics.parquet"),
            rows,
        )?);
    }
    Ok(written)
}

/// The warning at the top of `personal/`.
const PERSONAL_README: &str = "# PERSONAL DATA\n\n\
The files in this folder list individual children (CHILD identifiers and dates from the\n\
SSDA903 return). They were written because `iro run --personal` (or `[output] personal = true`)\n\
asked for them, to help the service check and correct its records.\n\n\
`diagnostics.csv` is every data problem with the value at fault and, in `personal_detail`,\n\
what the shareable `../diagnostics.csv` leaves out (the CHILD id a value was repaired to,\n\
the Header DOB a DOB differs from, the date an Excel serial DOB would be).\n\n\
- Keep them on the authority's systems, under its data-protection arrangements.\n\
- Do not publish, email or share them outside the team that holds the source data.\n\
- Delete them when the check is done.\n\n\
Nothing else under the output folder holds child-level data.\n";

/// Writes each child-level table to `personal/<metric>.<name>.csv`, every
/// authority and year together, and every diagnostic with its values to
/// `personal/diagnostics.csv`, with a README saying what they are.
fn write_personal(
    dir: &Path,
    tables: &[crate::run::PersonalTable],
    diagnostics: &[Diagnostic],
) -> Result<Vec<PathBuf>, EngineError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let readme = dir.join("README.md");
    fs::write(&readme, PERSONAL_README).map_err(io_err(&readme))?;
    let mut written = vec![readme];
    written.push(write_csv(
        &dir.join("diagnostics.csv"),
        PERSONAL_DIAGNOSTICS_HEADER,
        diagnostics.iter().map(PersonalDiagnostic::from),
    )?);
    let mut groups: std::collections::BTreeMap<(&str, &str), Vec<&crate::run::PersonalTable>> =
        std::collections::BTreeMap::new();
    for t in tables {
        groups.entry((&t.metric, t.table.name)).or_default().push(t);
    }
    for ((metric, name), parts) in groups {
        let path = dir.join(format!("{metric}.{name}.csv"));
        let file = File::create(&path).map_err(io_err(&path))?;
        let mut w = csv::Writer::from_writer(BufWriter::new(file));
        let columns = parts[0].table.columns;
        let to_io = |e: csv::Error| EngineError::Write {
            path: path.clone(),
            source: std::io::Error::other(e),
        };
        w.write_record(["la_code", "year"].iter().chain(columns))
            .map_err(to_io)?;
        for p in parts {
            let year = p.year.to_string();
            for row in &p.table.rows {
                w.write_record(
                    [p.la_code.as_str(), year.as_str()]
                        .into_iter()
                        .chain(row.iter().map(String::as_str)),
                )
                .map_err(to_io)?;
            }
        }
        w.flush().map_err(io_err(&path))?;
        written.push(path);
    }
    Ok(written)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn write_csv<T: Serialize>(
    path: &Path,
    header: &[&str],
    rows: impl IntoIterator<Item = T>,
) -> Result<PathBuf, EngineError> {
    let file = File::create(path).map_err(io_err(path))?;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    let mut empty = true;
    for r in rows {
        empty = false;
        w.serialize(r).map_err(|e| EngineError::Write {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
    }
    // A table with no rows still gets its header, so readers see the columns.
    if empty {
        w.write_record(header).map_err(|e| EngineError::Write {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
    }
    w.flush().map_err(io_err(path))?;
    Ok(path.to_path_buf())
}

/// Rows formatted into text per chunk.
type FormatError = Box<dyn std::error::Error + Send + Sync>;

/// Writes `head`, every row formatted by `format`, then `tail`. The rows are
/// formatted on every worker thread, a chunk each, a batch of chunks at a
/// time, and written in order: the national table (most of a million rows,
/// a hundred megabytes and more of text) is written in a fraction of the
/// time one thread takes, holding only one batch of text at once.
/// `format(chunk, first, buf)` appends the chunk's text to `buf`; `first`
/// is true for the first chunk only (which, for an empty table, is empty).
fn write_in_chunks<T: Sync>(
    path: &Path,
    rows: &[T],
    head: &[u8],
    tail: &[u8],
    format: impl Fn(&[T], bool, &mut Vec<u8>) -> Result<(), FormatError> + Sync,
) -> Result<(), EngineError> {
    use rayon::prelude::*;
    const CHUNK: usize = 4096;
    let file = File::create(path).map_err(io_err(path))?;
    let mut w = BufWriter::new(file);
    let format_err = |e: FormatError| EngineError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    w.write_all(head).map_err(io_err(path))?;
    let batch = CHUNK * 4 * rayon::current_num_threads().max(1);
    let mut batches = rows.chunks(batch).peekable();
    if batches.peek().is_none() {
        let mut buf = Vec::new();
        format(&[], true, &mut buf).map_err(format_err)?;
        w.write_all(&buf).map_err(io_err(path))?;
    }
    for (b, rows) in batches.enumerate() {
        let texts: Vec<Result<Vec<u8>, FormatError>> = rows
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut buf = Vec::with_capacity(chunk.len() * 160);
                format(chunk, b == 0 && c == 0, &mut buf)?;
                Ok(buf)
            })
            .collect();
        for text in texts {
            w.write_all(&text.map_err(format_err)?)
                .map_err(io_err(path))?;
        }
    }
    w.write_all(tail).map_err(io_err(path))?;
    w.flush().map_err(io_err(path))?;
    Ok(())
}

fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<PathBuf, EngineError> {
    let file = File::create(path).map_err(io_err(path))?;
    let mut w = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, value).map_err(|e| EngineError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    w.write_all(b"\n").map_err(io_err(path))?;
    w.flush().map_err(io_err(path))?;
    Ok(path.to_path_buf())
}

/// Column headers, written even when a table has no rows (checked against the
/// serialised structs by a test).
pub(crate) const METRICS_HEADER: &[&str] = &iro_metric_api::TIDY_COLUMNS;
const SUMMARY_HEADER: &[&str] = &[
    "la_code",
    "la_name",
    "region",
    "year",
    "year_label",
    "cla_31_march",
    "cla_change_percent",
    "starts",
    "ceases",
    "during_year",
    "population_u18",
    "population_mid_year",
    "cla_rate_per_10000",
    "starts_rate_per_10000",
    "ceases_rate_per_10000",
    "periods_at_start",
    "periods_started",
    "periods_ended",
    "periods_at_31_march",
    "counted_from",
    "published_cla_31_march",
    "published_rate_per_10000",
    "note",
];
pub(crate) const DIAGNOSTICS_HEADER: &[&str] = &[
    "severity",
    "rule",
    "la_code",
    "year",
    "table",
    "file",
    "within",
    "line",
    "column",
    "column_letter",
    "field",
    "value",
    "message",
];
const PERSONAL_DIAGNOSTICS_HEADER: &[&str] = &[
    "severity",
    "rule",
    "la_code",
    "year",
    "table",
    "file",
    "within",
    "line",
    "column",
    "column_letter",
    "field",
    "value",
    "message",
    "personal_detail",
];
pub(crate) const ROW_COUNTS_HEADER: &[&str] = &[
    "la",
    "year",
    "table",
    "rows_read",
    "rows_used",
    "rows_excluded",
];

pub(crate) const TARGETS_HEADER: &[&str] = &[
    "la_code",
    "year",
    "period",
    "metric",
    "breakdown",
    "label",
    "target",
    "direction",
    "value",
    "met",
    "previous_value",
    "trend",
];

/// `targets.csv` row: a hidden figure shows as `c`, a missing one blank.
#[derive(Debug, Serialize)]
struct TargetCsvRow<'a> {
    la_code: &'a str,
    year: i32,
    period: &'static str,
    metric: &'a str,
    breakdown: &'a str,
    label: &'a str,
    target: String,
    direction: &'static str,
    value: String,
    met: &'static str,
    previous_value: String,
    trend: &'static str,
}

impl<'a> From<&'a TargetResult> for TargetCsvRow<'a> {
    fn from(r: &'a TargetResult) -> Self {
        TargetCsvRow {
            la_code: &r.la_code,
            year: r.year,
            period: r.period.label(),
            metric: r.metric.as_str(),
            breakdown: &r.breakdown,
            label: &r.label,
            target: fmt_value(r.target),
            direction: r.direction.label(),
            value: cell(r.value.map(fmt_value), r.met == Met::Suppressed),
            met: r.met.label(),
            previous_value: cell(r.previous_value.map(fmt_value), r.previous_suppressed),
            trend: r.trend.label(),
        }
    }
}

/// Formats a figure for a CSV cell: at most six decimals, no trailing zeros.
pub fn fmt_value(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// [`fmt_value`] into `out` (cleared first), allocating nothing once `out`
/// has room.
fn fmt_value_into(v: f64, out: &mut String) {
    use std::fmt::Write as _;
    out.clear();
    let _ = write!(out, "{v:.6}");
    let kept = out.trim_end_matches('0').trim_end_matches('.').len();
    out.truncate(kept);
    if out == "-0" {
        out.clear();
        out.push('0');
    }
}

/// One `metrics.csv` row, written cell by cell: what serialising
/// [`MetricCsvRow`] writes (the test `fast_rows_are_the_serialised_rows`
/// compares them), without a `String` per cell. `scratch` is reused.
fn write_metric_csv_row<W: Write>(
    w: &mut csv::Writer<W>,
    r: &MetricRow,
    scratch: &mut String,
) -> csv::Result<()> {
    use std::fmt::Write as _;
    let suppressed = r.status.is_suppressed();
    w.write_field(r.la_code.as_str())?;
    scratch.clear();
    let _ = write!(scratch, "{}", r.year);
    w.write_field(scratch.as_str())?;
    w.write_field(r.period.label())?;
    w.write_field(r.metric.as_str())?;
    scratch.clear();
    for (i, (k, v)) in r.breakdown.iter().enumerate() {
        if i > 0 {
            scratch.push(';');
        }
        scratch.push_str(k);
        scratch.push('=');
        scratch.push_str(v);
    }
    w.write_field(scratch.as_str())?;
    scratch.clear();
    match r.numerator {
        Some(n) => {
            let _ = write!(scratch, "{n}");
        }
        None if suppressed => scratch.push('c'),
        None => {}
    }
    w.write_field(scratch.as_str())?;
    scratch.clear();
    if let Some(d) = r.denominator {
        let _ = write!(scratch, "{d}");
    }
    w.write_field(scratch.as_str())?;
    match r.value {
        Some(v) => fmt_value_into(v, scratch),
        None => {
            scratch.clear();
            if suppressed {
                scratch.push('c');
            }
        }
    }
    w.write_field(scratch.as_str())?;
    w.write_field(r.unit.label())?;
    w.write_field(r.suppressed_label())?;
    w.write_field(r.note_text().as_bytes())?;
    w.write_record(None::<&[u8]>)
}

/// `text` as a JSON string, escaped as `serde_json` escapes it.
fn push_json_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// One `metrics.json` row: what `serde_json` writes for [`MetricRow`]'s
/// `Serialize` (the test `fast_rows_are_the_serialised_rows` compares
/// them), written directly: the keys as they are, the text escaped once.
fn write_metric_json_row(out: &mut Vec<u8>, r: &MetricRow) {
    use iro_metric_api::column;
    let key = |out: &mut Vec<u8>, name: &str, first: bool| {
        out.extend_from_slice(if first { b"{\"" } else { b",\"" });
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    };
    let number = |out: &mut Vec<u8>, n: Option<u64>| match n {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.extend_from_slice(b"null"),
    };
    key(out, column::LA_CODE, true);
    push_json_str(out, r.la_code.as_str());
    key(out, column::YEAR, false);
    let _ = write!(out, "{}", r.year);
    key(out, column::PERIOD, false);
    push_json_str(out, r.period.label());
    key(out, column::METRIC, false);
    push_json_str(out, r.metric.as_str());
    key(out, column::BREAKDOWN, false);
    out.push(b'[');
    for (i, (k, v)) in r.breakdown.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        push_json_str(out, k);
        out.push(b',');
        push_json_str(out, v);
        out.push(b']');
    }
    out.push(b']');
    key(out, column::NUMERATOR, false);
    number(out, r.numerator);
    key(out, column::DENOMINATOR, false);
    number(out, r.denominator);
    key(out, column::VALUE, false);
    match r.value {
        // serde_json's own number text (and `null` for a non-finite one).
        Some(v) => {
            let _ = serde_json::to_writer(&mut *out, &v);
        }
        None => out.extend_from_slice(b"null"),
    }
    key(out, column::UNIT, false);
    push_json_str(out, r.unit.label());
    key(out, column::SUPPRESSED, false);
    match r.status.suppression() {
        Some(s) => push_json_str(out, s.label()),
        None => out.extend_from_slice(b"null"),
    }
    key(out, column::NOTE, false);
    push_json_str(out, &r.note_text());
    out.push(b'}');
}

/// `metrics.csv` row: the tidy shape, with suppressed cells shown as `c`.
/// Written by [`write_metric_csv_row`]; serialised whole, the reference the
/// tests hold it to.
#[cfg(test)]
#[derive(Debug, Serialize)]
struct MetricCsvRow<'a> {
    la_code: &'a str,
    year: i32,
    period: &'static str,
    metric: &'a str,
    breakdown: String,
    numerator: String,
    denominator: String,
    value: String,
    unit: &'static str,
    suppressed: &'a str,
    note: std::borrow::Cow<'a, str>,
}

fn cell(v: Option<String>, suppressed: bool) -> String {
    match (v, suppressed) {
        (Some(v), _) => v,
        (None, true) => "c".into(),
        (None, false) => String::new(),
    }
}

#[cfg(test)]
impl<'a> From<&'a MetricRow> for MetricCsvRow<'a> {
    fn from(r: &'a MetricRow) -> Self {
        let s = r.status.is_suppressed();
        MetricCsvRow {
            la_code: r.la_code.as_str(),
            year: r.year,
            period: r.period.label(),
            metric: r.metric.as_str(),
            breakdown: r.breakdown.to_string(),
            numerator: cell(r.numerator.map(|n| n.to_string()), s),
            denominator: r.denominator.map(|n| n.to_string()).unwrap_or_default(),
            value: cell(r.value.map(fmt_value), s),
            unit: r.unit.label(),
            suppressed: r.suppressed_label(),
            note: r.note_text(),
        }
    }
}

/// The "Table 1" rows of every authority and year, from the (suppressed)
/// tidy rows of `cohort-summary`.
pub fn cohort_summary(result: &RunResult, reference: &Reference) -> Vec<SummaryRow> {
    // Index the headline rows once: (LA, year, measure, period) → row.
    let mut index: HashMap<(&str, i32, MeasureId, Period), &MetricRow> = HashMap::new();
    for r in &result.rows {
        if r.metric.metric() == cs::CLA_31_MARCH.metric() && r.breakdown.is_empty() {
            index.insert((r.la_code.as_str(), r.year, r.metric, r.period), r);
        }
    }
    let mut out = Vec::new();
    for cohort in &result.loaded.cohorts {
        let la = cohort.la();
        let code = la.to_string();
        for &year in &result.years {
            let find = |measure: MeasureId, period: Period| {
                index
                    .get(&(code.as_str(), year.0, measure, period))
                    .copied()
            };
            let Some(cla) = find(cs::CLA_31_MARCH, Period::Snapshot) else {
                // Not computed: the row says why rather than vanish.
                if let Some(why) = not_computable(result, &code, year.0, "cohort-summary") {
                    out.push(SummaryRow::not_computable(
                        &code,
                        year,
                        reference,
                        why,
                        cohort.figure_basis(),
                    ));
                }
                continue;
            };
            let shown = |r: Option<&MetricRow>, dp: usize| match r {
                Some(r) if r.status.is_suppressed() => "c".to_string(),
                Some(r) => r.value.map(|v| format!("{v:.dp$}")).unwrap_or_default(),
                None => String::new(),
            };
            let rate = find(cs::CLA_RATE, Period::Snapshot);
            let published = reference.published(la, year, Measure::Cla31March);
            let identity = reference.la(la);
            let mut notes: Vec<std::borrow::Cow<'_, str>> = Vec::new();
            for r in [rate, find(cs::CLA_CHANGE, Period::Snapshot)]
                .into_iter()
                .flatten()
            {
                if r.status.is_not_computable() {
                    notes.push(r.note_text());
                }
            }
            if let Some(flag) = result.quality.published_flag(&code, year.0) {
                notes.push(flag.note.as_str().into());
            }
            out.push(SummaryRow {
                la_code: code.clone(),
                la_name: identity.map(|i| i.name.clone()).unwrap_or_default(),
                region: identity.map(|i| i.region.name.clone()).unwrap_or_default(),
                year: year.0,
                year_label: year.label(),
                cla_31_march: shown(Some(cla), 0),
                cla_change_percent: shown(find(cs::CLA_CHANGE, Period::Snapshot), 1),
                starts: shown(find(cs::STARTS, Period::Year), 0),
                ceases: shown(find(cs::CEASES, Period::Year), 0),
                during_year: shown(find(cs::DURING_YEAR, Period::Year), 0),
                population_u18: rate
                    .and_then(|r| r.denominator)
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                population_mid_year: reference
                    .denominator_for(la, year)
                    .map(|d| d.mid_year.to_string())
                    .unwrap_or_default(),
                cla_rate_per_10000: shown(rate, 1),
                starts_rate_per_10000: shown(find(cs::STARTS_RATE, Period::Year), 1),
                ceases_rate_per_10000: shown(find(cs::CEASES_RATE, Period::Year), 1),
                periods_at_start: shown(find(cs::PERIODS_AT_START, Period::Year), 0),
                periods_started: shown(find(cs::PERIODS_STARTED, Period::Year), 0),
                periods_ended: shown(find(cs::PERIODS_ENDED, Period::Year), 0),
                periods_at_31_march: shown(find(cs::PERIODS_AT_END, Period::Year), 0),
                counted_from: cohort.figure_basis(),
                published_cla_31_march: published.map(|p| p.count.to_string()).unwrap_or_default(),
                published_rate_per_10000: published
                    .map(|p| p.rate_per_10000.to_string())
                    .unwrap_or_default(),
                note: notes.join("; "),
            });
        }
    }
    out
}

/// Why `metric` was not computable for an authority and year, if it was not.
fn not_computable<'a>(result: &'a RunResult, la: &str, year: i32, metric: &str) -> Option<&'a str> {
    result.statuses.iter().find_map(|s| match &s.outcome {
        crate::run::Outcome::NotComputable(why)
            if s.la_code == la && s.year == year && s.metric == metric =>
        {
            Some(why.as_str())
        }
        _ => None,
    })
}

/// A diagnostic as written to shareable outputs: values of personal fields
/// withheld, no personal detail. The message is written as it is: it never
/// quotes a value of a personal field (`iro_domain::diagnostic`), so nothing
/// is searched and replaced here.
#[derive(Debug, Serialize)]
struct SharedDiagnostic {
    severity: &'static str,
    rule: String,
    la_code: String,
    year: String,
    table: String,
    file: String,
    /// Where inside the file: a workbook's sheet, an XML element path.
    within: String,
    line: String,
    column: String,
    /// The column's spreadsheet letter (`C`), as Excel shows it.
    column_letter: String,
    field: String,
    value: String,
    message: String,
}

impl From<&Diagnostic> for SharedDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        let opt = |v: Option<String>| v.unwrap_or_default();
        SharedDiagnostic {
            severity: d.severity.label(),
            rule: d.rule.clone(),
            la_code: opt(d.la.map(|l: LaCode| l.to_string())),
            year: opt(d.year.map(|y: CollectionYear| y.0.to_string())),
            table: opt(d.table.map(|t| t.name().to_string())),
            file: opt(d.file.as_ref().map(|p| p.display().to_string())),
            within: opt(d.within.clone()),
            line: opt(d.line.map(|l| l.to_string())),
            column: opt(d.column.map(|c| c.to_string())),
            column_letter: opt(d.column_letter()),
            field: opt(d.field.clone()),
            value: shared_value(d),
            message: d.message.clone(),
        }
    }
}

/// A diagnostic's value as shareable outputs write it: withheld when its
/// field identifies a child, empty when there is none.
pub(crate) fn shared_value(d: &Diagnostic) -> String {
    match &d.value {
        Some(_) if d.is_identifying() => WITHHELD.to_string(),
        Some(v) => v.clone(),
        None => String::new(),
    }
}

/// A diagnostic as written to `personal/diagnostics.csv`: every value, and
/// the personal detail. (Its own struct: the csv writer cannot flatten.)
#[derive(Debug, Serialize)]
struct PersonalDiagnostic {
    severity: &'static str,
    rule: String,
    la_code: String,
    year: String,
    table: String,
    file: String,
    /// Where inside the file: a workbook's sheet, an XML element path.
    within: String,
    line: String,
    column: String,
    column_letter: String,
    field: String,
    value: String,
    message: String,
    personal_detail: String,
}

impl From<&Diagnostic> for PersonalDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        let s = SharedDiagnostic::from(d);
        PersonalDiagnostic {
            severity: s.severity,
            rule: s.rule,
            la_code: s.la_code,
            year: s.year,
            table: s.table,
            file: s.file,
            within: s.within,
            line: s.line,
            column: s.column,
            column_letter: s.column_letter,
            field: s.field,
            value: d.value.clone().unwrap_or_default(),
            message: s.message,
            personal_detail: d.personal_detail.clone().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Serialize)]
struct RunMetadata<'a> {
    tool: &'static str,
    version: &'static str,
    options: &'a Config,
    inputs: Vec<InputFile>,
    metrics: Vec<MetricMeta<'a>>,
    /// The relations secondary suppression protects, as equations.
    relations: Vec<String>,
    tasks: &'a [crate::run::TaskStatus],
    diagnostics: DiagnosticCounts,
    row_counts: &'a [iro_domain::RowAccount],
    /// The data-quality gate's findings.
    data_quality: &'a crate::quality::DataQuality,
    timings: &'a crate::run::Timings,
}

#[derive(Debug, Serialize)]
struct InputFile {
    path: String,
    /// A workbook's sheet (the path is the workbook's).
    #[serde(skip_serializing_if = "Option::is_none")]
    within: Option<String>,
    sha256: Option<String>,
    bytes: u64,
    la_code: String,
    year: i32,
    table: Option<String>,
    status: iro_ingest::FileStatus,
    rows: u64,
}

#[derive(Debug, Serialize)]
struct MetricMeta<'a> {
    id: &'a str,
    title: &'a str,
    version: &'a str,
}

#[derive(Debug, Default, Serialize)]
struct DiagnosticCounts {
    errors: usize,
    warnings: usize,
    info: usize,
}

fn run_metadata<'a>(result: &'a RunResult, config: &'a Config) -> RunMetadata<'a> {
    let mut counts = DiagnosticCounts::default();
    for d in &result.loaded.diagnostics {
        match d.severity {
            Severity::Error => counts.errors += 1,
            Severity::Warning => counts.warnings += 1,
            Severity::Info => counts.info += 1,
        }
    }
    RunMetadata {
        tool: "iro",
        version: env!("CARGO_PKG_VERSION"),
        options: config,
        inputs: result
            .loaded
            .files
            .iter()
            .map(|f| InputFile {
                path: f.path.display().to_string(),
                within: f.within.clone(),
                sha256: f.sha256.clone(),
                bytes: f.bytes,
                la_code: f.la.to_string(),
                year: f.year.0,
                status: f.status.clone(),
                table: f.table.map(|t| t.name().to_string()),
                rows: f.rows,
            })
            .collect(),
        metrics: result
            .specs
            .iter()
            .map(|s| MetricMeta {
                id: s.id,
                title: s.title,
                version: s.version,
            })
            .collect(),
        relations: result.relations.iter().map(|r| r.to_string()).collect(),
        tasks: &result.statuses,
        diagnostics: counts,
        row_counts: &result.loaded.accounts,
        data_quality: &result.quality,
        timings: &result.timings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The formatting of each chunk, one thread after another: what the
    /// chunked writer must give byte for byte.
    fn one_by_one(rows: &[u32]) -> Vec<u8> {
        let mut out = b"[".to_vec();
        for (k, r) in rows.iter().enumerate() {
            out.extend_from_slice(if k == 0 { b"\n" } else { b",\n" });
            out.extend_from_slice(r.to_string().as_bytes());
        }
        out.extend_from_slice(b"\n]\n");
        out
    }

    fn chunked(rows: &[u32]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        write_in_chunks(&path, rows, b"[", b"\n]\n", |chunk, first, buf| {
            for (k, r) in chunk.iter().enumerate() {
                buf.extend_from_slice(if first && k == 0 { b"\n" } else { b",\n" });
                buf.extend_from_slice(r.to_string().as_bytes());
            }
            Ok(())
        })
        .unwrap();
        fs::read(path).unwrap()
    }

    /// Rows of every kind the writers meet: each period and unit, suppressed
    /// (each way) and not, not computable, text that needs quoting or
    /// escaping, values that format oddly.
    fn awkward_rows() -> Vec<MetricRow> {
        use iro_metric_api::{AreaCode, Breakdown, CellStatus, Suppression, Unit};
        let units = Unit::ALL;
        let statuses = [
            CellStatus::Shown,
            CellStatus::NotComputable {
                reason: "no \"Episodes\" table, here",
            },
            CellStatus::Suppressed(Suppression::Primary),
            CellStatus::Suppressed(Suppression::Secondary {
                relation: "a = b + c",
            }),
            CellStatus::Suppressed(Suppression::Published),
        ];
        let values = [
            None,
            Some(0.0),
            Some(-0.0),
            Some(-0.000_000_1),
            Some(12.5),
            Some(1.0 / 3.0),
            Some(-7.25),
            Some(1e21),
            Some(123_456_789.000_000_4),
            Some(f64::NAN),
            Some(f64::INFINITY),
        ];
        let notes = [
            "",
            "plain",
            "a, b",
            "say \"hi\"",
            "two\nlines\r\tand\u{1}\u{8}\u{c}\u{1f}\u{7f} back\\slash",
            "non-ASCII: £ é – ✓",
        ];
        let breakdowns = [
            Breakdown::NONE,
            Breakdown::new(&[("age_band", "10-15")]),
            Breakdown::new(&[("k", "a,b"), ("q", "\"x\""), ("n", "l1\nl2")]),
        ];
        let mut rows = Vec::new();
        let mut k = 0usize;
        for (pi, &period) in Period::ALL.iter().enumerate() {
            for (ui, &unit) in units.iter().enumerate() {
                for &status in &statuses {
                    for &value in &values {
                        k += 1;
                        let mut r = MetricRow::new(
                            AreaCode::new(if k.is_multiple_of(2) {
                                "800"
                            } else {
                                "E92000001"
                            }),
                            2020 + (k % 7) as i32,
                            period,
                            MeasureId::new("m.x"),
                            unit,
                        )
                        .with_breakdown(breakdowns[(k + pi) % breakdowns.len()]);
                        r.numerator = (!k.is_multiple_of(3)).then_some((k * 7919) as u64);
                        r.denominator = (!k.is_multiple_of(4)).then_some(u64::MAX - k as u64);
                        r.value = value;
                        r.status = status;
                        r.note = notes[(k + ui) % notes.len()];
                        rows.push(r);
                    }
                }
            }
        }
        rows
    }

    #[test]
    fn fast_rows_are_the_serialised_rows() {
        let rows = awkward_rows();
        assert!(rows.len() > 2000);
        // metrics.csv: cell by cell against the serialised struct.
        let mut slow = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        let mut fast = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        let mut scratch = String::new();
        for r in &rows {
            slow.serialize(MetricCsvRow::from(r)).unwrap();
            write_metric_csv_row(&mut fast, r, &mut scratch).unwrap();
        }
        let slow = slow.into_inner().unwrap();
        let fast = fast.into_inner().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&slow)
        );
        assert_eq!(fast, slow);
        // metrics.json: against serde_json on the row's own Serialize.
        for r in &rows {
            let mut out = Vec::new();
            write_metric_json_row(&mut out, r);
            let expected = serde_json::to_vec(r).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&expected)
            );
        }
        // And the values' text.
        let mut text = String::new();
        for v in values_to_format() {
            fmt_value_into(v, &mut text);
            assert_eq!(text, fmt_value(v), "{v}");
        }
    }

    fn values_to_format() -> Vec<f64> {
        let mut v = vec![
            0.0, -0.0, 1e-7, -1e-7, 5e-7, -5e-7, 0.5, 100.0, -100.0, 1e300,
        ];
        v.extend((0..2000).map(|k| (k as f64 - 1000.0) * 0.123_456_789));
        v.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        v
    }

    #[test]
    fn rows_formatted_in_parallel_are_written_in_order() {
        // Several batches of several chunks, the last ones short.
        let rows: Vec<u32> = (0..100_003).collect();
        assert_eq!(chunked(&rows), one_by_one(&rows));
        assert_eq!(chunked(&rows[..1]), one_by_one(&rows[..1]));
    }

    #[test]
    fn an_empty_table_still_gets_its_header() {
        let dir = tempfile::tempdir().unwrap();
        write_metric_rows(dir.path(), &[], &[OutputFormat::Csv, OutputFormat::Json]).unwrap();
        let csv = fs::read_to_string(dir.path().join("metrics.csv")).unwrap();
        assert_eq!(csv, format!("{}\n", METRICS_HEADER.join(",")));
        let json = fs::read_to_string(dir.path().join("metrics.json")).unwrap();
        assert_eq!(json, "[\n]\n");
    }

    fn header_of<T: Serialize>(row: T) -> Vec<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        text.lines()
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect()
    }

    #[test]
    fn empty_table_headers_match_the_rows() {
        let d = Diagnostic::new(Severity::Warning, "x", "y");
        assert_eq!(header_of(SharedDiagnostic::from(&d)), DIAGNOSTICS_HEADER);
        assert_eq!(
            header_of(PersonalDiagnostic::from(&d)),
            PERSONAL_DIAGNOSTICS_HEADER
        );
        let a = iro_domain::RowAccount {
            la: LaCode::new(800).unwrap(),
            year: CollectionYear(2025),
            table: iro_domain::TableKind::Header,
            rows_read: 1,
            rows_used: 1,
            rows_excluded: 0,
        };
        assert_eq!(header_of(&a), ROW_COUNTS_HEADER);
        let row = MetricRow::new(
            iro_metric_api::AreaCode::new("800"),
            2025,
            Period::Year,
            MeasureId::new("m.x"),
            iro_metric_api::Unit::Count,
        );
        assert_eq!(header_of(MetricCsvRow::from(&row)), METRICS_HEADER);
        let summary = SummaryRow::default();
        assert_eq!(header_of(&summary), SUMMARY_HEADER);
        let target = TargetResult {
            la_code: String::new(),
            year: 2025,
            period: Period::Year,
            metric: MeasureId::new("m.x"),
            breakdown: String::new(),
            label: String::new(),
            target: 90.0,
            direction: crate::targets::Direction::AtLeast,
            value: None,
            met: Met::Suppressed,
            previous_value: None,
            previous_suppressed: true,
            trend: crate::targets::Trend::None,
        };
        assert_eq!(header_of(TargetCsvRow::from(&target)), TARGETS_HEADER);
        // The JSON has the same fields.
        let json = serde_json::to_value(&target).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = TARGETS_HEADER.to_vec();
        want.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(keys, want);
        assert_eq!(TargetCsvRow::from(&target).value, "c");
        assert_eq!(TargetCsvRow::from(&target).previous_value, "c");
    }

    #[test]
    fn shareable_diagnostics_withhold_the_value_and_never_carry_the_detail() {
        let mut d = Diagnostic::new(
            Severity::Warning,
            "date.unparsable",
            "DOB cannot be read as a date: looks like an Excel serial date; value ignored",
        );
        d.field = Some("DOB".into());
        d.value = Some("39942".into());
        d.personal_detail = Some("read as an Excel serial date it would be 09/05/2009".into());
        let shared = SharedDiagnostic::from(&d);
        assert_eq!(shared.value, WITHHELD);
        assert_eq!(shared.message, d.message);
        let line = {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.serialize(&shared).unwrap();
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        };
        assert!(!line.contains("39942") && !line.contains("2009"), "{line}");
        let personal = PersonalDiagnostic::from(&d);
        assert_eq!(personal.value, "39942");
        assert!(personal.personal_detail.ends_with("09/05/2009"));
        // A value of a field that identifies no one is shared.
        d.field = Some("DECOM".into());
        assert_eq!(SharedDiagnostic::from(&d).value, "39942");
    }

    #[test]
    fn values_are_formatted_compactly() {
        assert_eq!(fmt_value(60.0), "60");
        assert_eq!(fmt_value(100.0 / 3.0), "33.333333");
        assert_eq!(fmt_value(1.5), "1.5");
        assert_eq!(fmt_value(-0.0000001), "0");
    }
}
