//! The Parquet outputs hold what the CSV holds, typed: the bundled sample
//! written as both, every Parquet file read back with the `parquet` crate's
//! Arrow reader and compared with its CSV cell by cell; and written twice,
//! byte for byte the same (invariant 7).

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use iro_engine::config::OutputFormat;
use iro_engine::{Config, RunResult, builtin_metrics, input_source, load_reference, run};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn sample_run() -> (RunResult, Config) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
    let mut config = Config::load(&root.join("iro.toml")).expect("sample iro.toml");
    config.input.path = Some(root);
    let source = input_source(&config, None).unwrap();
    let result = run(&config, &source, &builtin_metrics(), &|_| {}).expect("runs");
    assert_eq!(result.failures().count(), 0, "{:?}", result.statuses);
    assert!(
        !result.targets.is_empty(),
        "the sample's targets are checked"
    );
    (result, config)
}

/// Writes the run's outputs in `formats` to `dir`.
fn write(result: &RunResult, config: &Config, dir: &Path, formats: &[OutputFormat]) {
    let mut config = config.clone();
    config.output.dir = dir.to_path_buf();
    config.output.formats = formats.to_vec();
    let reference = load_reference(&config).unwrap();
    iro_engine::write_outputs(result, &config, &reference).unwrap();
}

fn read_parquet(path: &Path) -> (Vec<String>, Vec<DataType>, Vec<RecordBatch>) {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let schema = builder.schema().clone();
    let batches = builder
        .build()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (
        schema.fields().iter().map(|f| f.name().clone()).collect(),
        schema
            .fields()
            .iter()
            .map(|f| f.data_type().clone())
            .collect(),
        batches,
    )
}

/// A Parquet cell as a typed value, for comparing with a CSV cell.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Text(String),
    Int(i64),
    Float(f64),
}

fn cell(column: &dyn Array, i: usize) -> Cell {
    if column.is_null(i) {
        return Cell::Null;
    }
    match column.data_type() {
        DataType::Utf8 => Cell::Text(column.as_string::<i32>().value(i).to_string()),
        DataType::Dictionary(_, _) => {
            let dict = column.as_dictionary::<Int32Type>();
            let key = dict.keys().value(i) as usize;
            Cell::Text(dict.values().as_string::<i32>().value(key).to_string())
        }
        DataType::Int32 => Cell::Int(column.as_primitive::<Int32Type>().value(i).into()),
        DataType::Int64 => Cell::Int(column.as_primitive::<Int64Type>().value(i)),
        DataType::Float64 => Cell::Float(column.as_primitive::<Float64Type>().value(i)),
        other => panic!("unexpected column type {other}"),
    }
}

/// Every cell of every row of `name.parquet` against `name.csv`. A null is
/// an empty CSV cell or `c` (suppressed); text is equal; numbers are the same
/// number (the CSV writes at most six decimals). Returns the Parquet rows.
fn compare(dir: &Path, name: &str) -> Vec<Vec<Cell>> {
    let (names, _, batches) = read_parquet(&dir.join(format!("{name}.parquet")));
    let mut csv = csv::Reader::from_path(dir.join(format!("{name}.csv"))).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(names, header, "{name}: the CSV's columns, in order");
    let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let mut rows = Vec::new();
    for batch in &batches {
        for i in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .map(|c| cell(c.as_ref(), i))
                    .collect::<Vec<_>>(),
            );
        }
    }
    assert_eq!(rows.len(), records.len(), "{name}: the CSV's rows");
    for (k, (row, record)) in rows.iter().zip(&records).enumerate() {
        for (col, (got, text)) in row.iter().zip(record.iter()).enumerate() {
            let at = || {
                format!(
                    "{name} row {} column {}: {got:?} vs {text:?}",
                    k + 1,
                    names[col]
                )
            };
            match got {
                Cell::Null => assert!(text.is_empty() || text == "c", "{}", at()),
                Cell::Text(s) => assert_eq!(s, text, "{}", at()),
                Cell::Int(n) => assert_eq!(text.parse::<i64>().ok(), Some(*n), "{}", at()),
                Cell::Float(v) => {
                    let csv: f64 = text.parse().unwrap_or_else(|_| panic!("{}", at()));
                    assert!((csv - v).abs() <= 1e-6 * v.abs().max(1.0), "{}", at());
                }
            }
        }
    }
    rows
}

#[test]
fn parquet_tables_hold_the_csv_rows_typed() {
    let (result, config) = sample_run();
    let dir = tempfile::tempdir().unwrap();
    write(
        &result,
        &config,
        dir.path(),
        &[OutputFormat::Csv, OutputFormat::Parquet],
    );

    // metrics: typed columns, and a null number is `c` exactly when the
    // row is suppressed.
    let (names, types, _) = read_parquet(&dir.path().join("metrics.parquet"));
    let code = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let typed: Vec<(&str, &DataType)> = names.iter().map(String::as_str).zip(&types).collect();
    assert_eq!(
        typed,
        vec![
            ("la_code", &code),
            ("year", &DataType::Int32),
            ("period", &code),
            ("metric", &code),
            ("breakdown", &code),
            ("numerator", &DataType::Int64),
            ("denominator", &DataType::Int64),
            ("value", &DataType::Float64),
            ("unit", &code),
            ("suppressed", &code),
            ("note", &DataType::Utf8),
        ]
    );
    let rows = compare(dir.path(), "metrics");
    assert_eq!(rows.len(), result.rows.len());
    let mut csv = csv::Reader::from_path(dir.path().join("metrics.csv")).unwrap();
    let mut suppressed = 0;
    for (row, record) in rows.iter().zip(csv.records().map(Result::unwrap)) {
        let hidden = row[9] != Cell::Null;
        suppressed += usize::from(hidden);
        assert_eq!(record[5] == *"c", hidden && row[5] == Cell::Null, "{row:?}");
        assert_eq!(record[7] == *"c", hidden && row[7] == Cell::Null, "{row:?}");
    }
    assert!(suppressed > 0, "the sample has suppressed cells");
    assert!(
        rows.iter().any(|r| r[4] == Cell::Null) && rows.iter().any(|r| r[4] != Cell::Null),
        "totals (no breakdown) and breakdowns both present"
    );

    for name in ["targets", "row_counts", "diagnostics"] {
        let rows = compare(dir.path(), name);
        assert!(!rows.is_empty(), "{name}: the sample has rows");
    }
}

#[test]
fn parquet_output_is_the_same_bytes_every_run() {
    let files = |dir: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
            .map(|p| (p.file_name().unwrap().into(), std::fs::read(&p).unwrap()))
            .collect();
        out.sort();
        out
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Two runs, not one written twice: the parallel run's order must not show.
    let (first, config) = sample_run();
    write(&first, &config, a.path(), &[OutputFormat::Parquet]);
    let (second, _) = sample_run();
    write(&second, &config, b.path(), &[OutputFormat::Parquet]);
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert_eq!(
        fa.iter().map(|f| &f.0).collect::<Vec<_>>(),
        [
            "diagnostics.parquet",
            "metrics.parquet",
            "row_counts.parquet",
            "targets.parquet"
        ]
        .map(PathBuf::from)
        .iter()
        .collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{} differs between two runs", name.display());
    }
    // No CSV or JSON was asked for, so none was written.
    assert!(!a.path().join("metrics.csv").exists());
}

#[test]
fn an_empty_table_keeps_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("metrics.parquet");
    iro_engine::parquet_out::write_metrics(&path, &[]).unwrap();
    let (names, _, batches) = read_parquet(&path);
    assert_eq!(names.len(), 11);
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 0);
}
