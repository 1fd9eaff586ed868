//! Testing a plugin in-process, through its real C entry points.
//!
//! ```ignore
//! use iro_plugin_sdk::testing::{Fixture, run};
//!
//! let mut f = Fixture::new("800");
//! f.child("A", &[("DOB", "2010-06-01"), ("SEX", "F")]);
//! f.add("episodes", &[("CHILD", "A"), ("DECOM", "2024-05-01"), ("RNE", "S"), ("LS", "C2")]);
//! f.add("missing", &[("CHILD", "A"), ("MISSING", "M"), ("MIS_START", "2024-06-01")]);
//! f.supply(2025, &["Header", "Episodes", "Missing"]);
//! let rows = run(crate::iro_plugin_descriptor, "my-metric", 2025, &f, serde_json::json!({})).unwrap();
//! ```
//!
//! A fixture holds exactly the rows given: the host derives `periods_of_care`
//! and `placements` from episodes, a fixture does not (add their rows if a
//! metric reads them).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, UInt32Array,
};
use chrono::NaiveDate;
use iro_plugin_abi::{self as abi, ColumnType, DescriptorFn, TableSpec};

use crate::client::{CallError, Client, read_header};
use crate::cohort::date_to_date32;
pub use crate::ffi::export_tables;
use crate::output::{OutputRow, read_rows};
use crate::schema::table_schema;
use crate::validate::check_rows;
use crate::{HostInfo, MetricInfo};

/// A small cohort, written cell by cell as text: dates as `YYYY-MM-DD` (or
/// `DD/MM/YYYY`), booleans as `true`/`false`, everything else as written.
#[derive(Debug, Clone)]
pub struct Fixture {
    la_code: String,
    children: Vec<String>,
    rows: BTreeMap<&'static str, Vec<BTreeMap<String, String>>>,
    supplied: BTreeSet<(i32, String)>,
}

/// Parses a fixture date. Panics on a bad one (this is for tests).
pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .unwrap_or_else(|_| panic!("fixture: `{s}` is not a date (YYYY-MM-DD or DD/MM/YYYY)"))
}

/// The collection year containing `d` (it ends on 31 March).
fn collection_year(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    if d.month() >= 4 {
        d.year() + 1
    } else {
        d.year()
    }
}

impl Fixture {
    pub fn new(la_code: &str) -> Self {
        Fixture {
            la_code: la_code.to_string(),
            children: Vec::new(),
            rows: BTreeMap::new(),
            supplied: BTreeSet::new(),
        }
    }

    pub fn la_code(&self) -> &str {
        &self.la_code
    }

    /// Adds a child (a row of `children`); returns its `CHILD_IDX`.
    pub fn child(&mut self, id: &str, cells: &[(&str, &str)]) -> u32 {
        let idx = self.children.len() as u32;
        self.children.push(id.to_string());
        let mut row: BTreeMap<String, String> = cells
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        row.insert("CHILD".into(), id.into());
        row.entry("UASC".into()).or_insert_with(|| "false".into());
        self.rows.entry(abi::CHILDREN).or_default().push(row);
        idx
    }

    /// Adds a row to a table. `CHILD` names a child added with
    /// [`Fixture::child`] (its `CHILD_IDX` is filled in); `YEAR`, when not
    /// given, is the collection year of the row's first date.
    pub fn add(&mut self, table: &str, cells: &[(&str, &str)]) -> &mut Self {
        let spec = abi::table_spec(table)
            .unwrap_or_else(|| panic!("fixture: no table `{table}` in the data contract"));
        let mut row: BTreeMap<String, String> = cells
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for k in row.keys() {
            assert!(
                spec.columns.iter().any(|c| c.name == k),
                "fixture: table `{table}` has no column `{k}`"
            );
        }
        if spec.columns.iter().any(|c| c.name == "CHILD_IDX") && !row.contains_key("CHILD_IDX") {
            let child = row
                .get("CHILD")
                .unwrap_or_else(|| panic!("fixture: a `{table}` row needs CHILD"));
            let idx = self
                .children
                .iter()
                .position(|c| c == child)
                .unwrap_or_else(|| panic!("fixture: add child `{child}` first"));
            row.insert("CHILD_IDX".into(), idx.to_string());
        }
        if spec.columns.iter().any(|c| c.name == "YEAR") && !row.contains_key("YEAR") {
            let first_date = spec
                .columns
                .iter()
                .find(|c| c.ty == ColumnType::Date32)
                .and_then(|c| row.get(c.name));
            if let Some(d) = first_date {
                row.insert("YEAR".into(), collection_year(date(d)).to_string());
            }
        }
        self.rows.entry(spec.name).or_default().push(row);
        self
    }

    /// The authority's children aged 0 to 17 for collection year `year`
    /// (the `population` table, contract 1.1; the ONS estimate for mid-year
    /// `year - 1`, as `iro` passes it). Without it a rate per 10,000 is not
    /// computable.
    pub fn population(&mut self, year: i32, children: u64) -> &mut Self {
        let row = BTreeMap::from([
            ("YEAR".to_string(), year.to_string()),
            ("MID_YEAR".to_string(), (year - 1).to_string()),
            ("CHILDREN".to_string(), children.to_string()),
        ]);
        self.rows.entry(abi::POPULATION).or_default().push(row);
        self
    }

    /// Says that these SSDA903 tables (DfE names) were supplied for `year`.
    pub fn supply(&mut self, year: i32, tables: &[&str]) -> &mut Self {
        for t in tables {
            self.supplied.insert((year, t.to_string()));
        }
        self
    }

    /// Every contract table as a record batch (empty where no rows were added),
    /// child tables sorted by child then first date.
    pub fn batches(&self) -> Vec<(String, RecordBatch)> {
        let supplied_rows: Vec<BTreeMap<String, String>> = self
            .supplied
            .iter()
            .map(|(y, t)| {
                BTreeMap::from([
                    ("YEAR".to_string(), y.to_string()),
                    ("TABLE".to_string(), t.clone()),
                ])
            })
            .collect();
        abi::COHORT_TABLES
            .iter()
            .map(|spec| {
                let rows: &[BTreeMap<String, String>] = if spec.name == abi::SUPPLIED {
                    &supplied_rows
                } else {
                    self.rows.get(spec.name).map_or(&[], Vec::as_slice)
                };
                let mut rows: Vec<&BTreeMap<String, String>> = rows.iter().collect();
                if spec.columns.iter().any(|c| c.name == "CHILD_IDX") {
                    let first_date = spec.columns.iter().find(|c| c.ty == ColumnType::Date32);
                    rows.sort_by_key(|r| {
                        (
                            r["CHILD_IDX"].parse::<u32>().unwrap_or(u32::MAX),
                            first_date.and_then(|c| r.get(c.name)).map(|d| date(d)),
                        )
                    });
                }
                (spec.name.to_string(), build_batch(spec, &rows))
            })
            .collect()
    }
}

fn build_batch(spec: &TableSpec, rows: &[&BTreeMap<String, String>]) -> RecordBatch {
    let cols: Vec<ArrayRef> = spec
        .columns
        .iter()
        .map(|c| {
            let cells: Vec<Option<&str>> = rows
                .iter()
                .map(|r| r.get(c.name).map(String::as_str).filter(|s| !s.is_empty()))
                .collect();
            if !c.nullable {
                assert!(
                    cells.iter().all(Option::is_some),
                    "fixture: every `{}` row needs `{}`",
                    spec.name,
                    c.name
                );
            }
            let num = |s: &str| -> i64 {
                s.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("fixture: `{s}` in `{}` is not a number", c.name))
            };
            let arr: ArrayRef = match c.ty {
                ColumnType::Utf8 => Arc::new(StringArray::from(cells)),
                ColumnType::Int32 => Arc::new(Int32Array::from(
                    cells
                        .iter()
                        .map(|s| s.map(|s| num(s) as i32))
                        .collect::<Vec<_>>(),
                )),
                ColumnType::UInt32 => Arc::new(UInt32Array::from(
                    cells
                        .iter()
                        .map(|s| s.map(|s| num(s) as u32))
                        .collect::<Vec<_>>(),
                )),
                ColumnType::Int64 => Arc::new(Int64Array::from(
                    cells.iter().map(|s| s.map(num)).collect::<Vec<_>>(),
                )),
                ColumnType::Float64 => Arc::new(Float64Array::from(
                    cells
                        .iter()
                        .map(|s| s.map(|s| s.trim().parse::<f64>().unwrap_or(f64::NAN)))
                        .collect::<Vec<_>>(),
                )),
                ColumnType::Boolean => Arc::new(BooleanArray::from(
                    cells
                        .iter()
                        .map(|s| s.map(|s| matches!(s.trim(), "true" | "1" | "Y" | "y")))
                        .collect::<Vec<_>>(),
                )),
                ColumnType::Date32 => Arc::new(Date32Array::from(
                    cells
                        .iter()
                        .map(|s| s.map(|s| date_to_date32(date(s))))
                        .collect::<Vec<_>>(),
                )),
            };
            arr
        })
        .collect();
    let schema = Arc::new(table_schema(spec, &[]));
    RecordBatch::try_new(schema, cols)
        .unwrap_or_else(|e| panic!("fixture: table `{}`: {e}", spec.name))
}

/// Opens a descriptor function the way the host does (magic, major version,
/// entries), tells it about a test host, and returns a client.
pub fn open(descriptor: DescriptorFn) -> Result<Client, String> {
    // SAFETY: calling the plugin's exported descriptor function, which takes
    // no arguments and returns a pointer to a static.
    let ptr = unsafe { descriptor() };
    if ptr.is_null() {
        return Err("the descriptor function returned NULL".into());
    }
    // SAFETY: non-null; every descriptor starts with the 16-byte header.
    let h = unsafe { read_header(ptr) };
    if h.magic != abi::MAGIC {
        return Err("bad magic".into());
    }
    if h.abi_major != abi::ABI_MAJOR || h.abi_minor > abi::ABI_MINOR {
        return Err(format!("ABI {}.{} not supported", h.abi_major, h.abi_minor));
    }
    if h.descriptor_size < abi::DESCRIPTOR_SIZE_V1_0 {
        return Err("descriptor too small".into());
    }
    // SAFETY: header checked; the descriptor is static in the plugin.
    let client = unsafe { Client::new(ptr) };
    if let Some(e) = client.missing_entries().first() {
        return Err(format!("missing entry point `{e}`"));
    }
    client
        .set_host_info(&HostInfo {
            host_name: "iro-plugin-sdk testing".into(),
            host_version: crate::SDK_VERSION.into(),
            ..HostInfo::default()
        })
        .map_err(|e| e.to_string())?;
    Ok(client)
}

/// The plugin's metrics, through `list_metrics`.
pub fn list(descriptor: DescriptorFn) -> Result<Vec<MetricInfo>, String> {
    open(descriptor)?.list_metrics().map_err(|e| e.to_string())
}

/// Runs one metric of the plugin on `fixture` through its C entry points and
/// reads the output back: the schema checked exactly, and every row checked
/// as `iro` checks it ([`crate::validate::check_row`]; a row it would refuse
/// is [`CallError::InvalidOutput`], with the message `iro run` gives). A
/// non-OK status comes back as [`CallError::Status`] with the plugin's
/// message.
pub fn run(
    descriptor: DescriptorFn,
    metric_id: &str,
    year: i32,
    fixture: &Fixture,
    params: serde_json::Value,
) -> Result<Vec<OutputRow>, CallError> {
    let client = open(descriptor).map_err(CallError::Protocol)?;
    let info = client
        .list_metrics()?
        .into_iter()
        .find(|m| m.id == metric_id);
    let mut tables =
        export_tables(&fixture.batches(), fixture.la_code(), year).map_err(CallError::Protocol)?;
    let batch = client.compute(
        metric_id,
        year,
        fixture.la_code(),
        &params.to_string(),
        &mut tables,
    )?;
    let rows = read_rows(&batch).map_err(CallError::Protocol)?;
    // The plugin answered for a metric it does not list: `iro` never asks.
    let info = info.ok_or_else(|| {
        CallError::Protocol(format!("the plugin does not list the metric `{metric_id}`"))
    })?;
    check_rows(&rows, &info, fixture.la_code(), year).map_err(CallError::InvalidOutput)?;
    Ok(rows)
}

/// The drill-down tables of one metric of the plugin on `fixture`, through
/// its C entry points (ABI 1.1), checked as the host checks them; empty for
/// a plugin without drill-downs.
pub fn drilldown(
    descriptor: DescriptorFn,
    metric_id: &str,
    year: i32,
    fixture: &Fixture,
    params: serde_json::Value,
) -> Result<Vec<crate::Drilldown>, CallError> {
    let client = open(descriptor).map_err(CallError::Protocol)?;
    let mut tables =
        export_tables(&fixture.batches(), fixture.la_code(), year).map_err(CallError::Protocol)?;
    match client.drilldown(
        metric_id,
        year,
        fixture.la_code(),
        &params.to_string(),
        &mut tables,
    )? {
        Some(batch) => crate::drilldown::from_long_form(&batch).map_err(CallError::Protocol),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::CohortView;

    #[test]
    fn fixture_builds_every_contract_table() {
        let mut f = Fixture::new("800");
        let b = f.child("B", &[("DOB", "2012-01-01")]);
        let a = f.child("A", &[("SEX", "F")]);
        assert_eq!((a, b), (1, 0));
        f.add(
            "missing",
            &[
                ("CHILD", "A"),
                ("MISSING", "M"),
                ("MIS_START", "2024-06-01"),
            ],
        );
        f.add(
            "missing",
            &[
                ("CHILD", "B"),
                ("MISSING", "A"),
                ("MIS_START", "01/05/2024"),
            ],
        );
        f.supply(2025, &["Missing"]);
        let batches = f.batches();
        assert_eq!(batches.len(), abi::COHORT_TABLES.len());
        let view = CohortView::new("800", 2025, batches).unwrap();
        let m = view.missing().unwrap();
        let rows: Vec<_> = m.iter().collect();
        assert_eq!(rows[0].child, "B");
        assert_eq!(rows[0].year, 2025);
        assert_eq!(m.for_child(1).count(), 1);
        assert!(view.supplied(2025, "Missing"));
        assert!(view.require(&["Missing"]).is_ok());
        assert!(view.require(&["Episodes"]).is_err());
        assert_eq!(view.children().unwrap().get(1).sex, Some("F"));
    }
}
