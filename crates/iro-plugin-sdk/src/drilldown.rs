//! Child-level tables behind a metric's figures (ABI 1.1): what
//! [`crate::Metric::drilldown`] returns, and the long form they cross the
//! boundary in (a row per cell, [`abi::DRILLDOWN_COLUMNS`]), so that tables of
//! any shape travel as one Arrow table of fixed schema.
//!
//! These are personal data: the host asks for them only when the user does,
//! writes them apart from the shareable outputs and marks them as such.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};

use crate::Error;
use crate::abi;

/// One child-level table: a name (the file-name part), a title, columns and
/// rows of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drilldown {
    /// Lower-case letters, digits, `-` and `_`, e.g. `missing-episodes`.
    pub name: String,
    pub title: String,
    /// SSDA903 field names where the column is one (`CHILD`).
    pub columns: Vec<String>,
    /// Each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

impl Drilldown {
    pub fn new(name: &str, title: &str, columns: &[&str]) -> Drilldown {
        Drilldown {
            name: name.to_string(),
            title: title.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (as many values as columns).
    pub fn row<I, S>(&mut self, values: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(values.into_iter().map(Into::into).collect());
        self
    }
}

/// Whether `name` can name a drill-down table (and so a file).
pub fn is_table_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The schema of the long form: `table`, `title`, `row`, `column`, `value`,
/// none nullable.
pub fn long_form_schema() -> Schema {
    let [table, title, row, column, value] = abi::DRILLDOWN_COLUMNS;
    Schema::new(vec![
        Field::new(table, DataType::Utf8, false),
        Field::new(title, DataType::Utf8, false),
        Field::new(row, DataType::Int64, false),
        Field::new(column, DataType::Utf8, false),
        Field::new(value, DataType::Utf8, false),
    ])
}

/// The long form of `tables`: for each table, its columns in order as cells
/// of row −1 (empty values), then every cell of every row.
pub fn long_form(tables: &[Drilldown]) -> Result<RecordBatch, Error> {
    let (mut t, mut ti, mut r, mut c, mut v) = (vec![], vec![], vec![], vec![], vec![]);
    let mut seen = std::collections::BTreeSet::new();
    for d in tables {
        if !is_table_name(&d.name) {
            return Err(Error::failed(format!(
                "drill-down name `{}`: use lower-case letters, digits, - and _",
                d.name
            )));
        }
        if !seen.insert(d.name.as_str()) {
            return Err(Error::failed(format!(
                "drill-down `{}` given twice",
                d.name
            )));
        }
        let mut push = |row: i64, column: &str, value: &str| {
            t.push(d.name.clone());
            ti.push(d.title.clone());
            r.push(row);
            c.push(column.to_string());
            v.push(value.to_string());
        };
        for col in &d.columns {
            push(-1, col, "");
        }
        for (k, row) in d.rows.iter().enumerate() {
            if row.len() != d.columns.len() {
                return Err(Error::failed(format!(
                    "drill-down `{}` row {}: {} values for {} columns",
                    d.name,
                    k + 1,
                    row.len(),
                    d.columns.len()
                )));
            }
            for (col, value) in d.columns.iter().zip(row) {
                push(k as i64, col, value);
            }
        }
    }
    RecordBatch::try_new(
        Arc::new(long_form_schema()),
        vec![
            Arc::new(StringArray::from(t)),
            Arc::new(StringArray::from(ti)),
            Arc::new(Int64Array::from(r)),
            Arc::new(StringArray::from(c)),
            Arc::new(StringArray::from(v)),
        ],
    )
    .map_err(|e| Error::failed(format!("drill-down table: {e}")))
}

/// The tables of a long-form batch, checked: the schema exactly, table
/// names, one title per table, columns named (row −1) before their cells, no
/// cell twice, rows from 0. Tables come in the order they first appear.
pub fn from_long_form(batch: &RecordBatch) -> Result<Vec<Drilldown>, String> {
    let want = long_form_schema();
    let got = batch.schema();
    if got.fields().len() != want.fields().len()
        || got.fields().iter().zip(want.fields()).any(|(g, w)| {
            g.name() != w.name()
                || g.data_type() != w.data_type()
                || g.is_nullable() != w.is_nullable()
        })
    {
        return Err(format!(
            "drill-down schema is not {:?} (Utf8, Utf8, Int64, Utf8, Utf8, not null)",
            abi::DRILLDOWN_COLUMNS
        ));
    }
    let text = |k: usize| -> Result<&StringArray, String> {
        let a = batch
            .column(k)
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or("drill-down column is not Utf8")?;
        if a.null_count() > 0 {
            return Err(format!(
                "drill-down column `{}` has nulls",
                abi::DRILLDOWN_COLUMNS[k]
            ));
        }
        Ok(a)
    };
    let (table, title, column, value) = (text(0)?, text(1)?, text(3)?, text(4)?);
    let row = batch
        .column(2)
        .as_any()
        .downcast_ref::<Int64Array>()
        .filter(|a| a.null_count() == 0)
        .ok_or("drill-down column `row` is not Int64 without nulls")?;

    struct Building {
        table: Drilldown,
        cells: BTreeMap<(i64, usize), String>,
    }
    let mut order: Vec<Building> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..batch.num_rows() {
        let name = table.value(i);
        let k = match index.get(name) {
            Some(&k) => k,
            None => {
                if !is_table_name(name) {
                    return Err(format!("drill-down name `{name}` is not a file-name part"));
                }
                index.insert(name.to_string(), order.len());
                order.push(Building {
                    table: Drilldown::new(name, title.value(i), &[]),
                    cells: BTreeMap::new(),
                });
                order.len() - 1
            }
        };
        let b = &mut order[k];
        if b.table.title != title.value(i) {
            return Err(format!("drill-down `{name}` has two titles"));
        }
        let (r, col) = (row.value(i), column.value(i));
        if r == -1 {
            if b.table.columns.iter().any(|c| c == col) {
                return Err(format!("drill-down `{name}` names column `{col}` twice"));
            }
            b.table.columns.push(col.to_string());
            continue;
        }
        if r < 0 || r > u32::MAX as i64 {
            return Err(format!("drill-down `{name}`: row {r} out of range"));
        }
        let c = b
            .table
            .columns
            .iter()
            .position(|c| c == col)
            .ok_or_else(|| format!("drill-down `{name}`: column `{col}` not named first"))?;
        if b.cells.insert((r, c), value.value(i).to_string()).is_some() {
            return Err(format!(
                "drill-down `{name}`: row {r} column `{col}` given twice"
            ));
        }
    }
    Ok(order
        .into_iter()
        .map(|mut b| {
            let n = b.cells.keys().map(|(r, _)| r + 1).max().unwrap_or(0) as usize;
            let width = b.table.columns.len();
            let mut rows = vec![vec![String::new(); width]; n];
            for ((r, c), v) in b.cells {
                rows[r as usize][c] = v;
            }
            b.table.rows = rows;
            b.table
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_survive_the_long_form() {
        let mut a = Drilldown::new(
            "missing",
            "Children missing from care",
            &["CHILD", "episodes"],
        );
        a.row(["C1", "3"]).row(["C2", ""]);
        let empty = Drilldown::new("none-yet", "Nothing", &["CHILD"]);
        let tables = vec![a, empty];
        let batch = long_form(&tables).unwrap();
        assert_eq!(batch.num_rows(), 2 + 4 + 1);
        assert_eq!(from_long_form(&batch).unwrap(), tables);
    }

    #[test]
    fn bad_tables_are_refused_on_both_sides() {
        let mut a = Drilldown::new("Bad Name", "", &["CHILD"]);
        assert!(long_form(std::slice::from_ref(&a)).is_err());
        a.name = "ok".into();
        a.row(["C1", "extra"]);
        assert!(long_form(&[a]).is_err());
        // A cell of a column never named, and a cell given twice.
        let cells = |rows: Vec<(i64, &str)>| {
            let n = rows.len();
            RecordBatch::try_new(
                Arc::new(long_form_schema()),
                vec![
                    Arc::new(StringArray::from(vec!["t"; n])),
                    Arc::new(StringArray::from(vec![""; n])),
                    Arc::new(Int64Array::from(
                        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                    )),
                    Arc::new(StringArray::from(
                        rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                    )),
                    Arc::new(StringArray::from(vec!["v"; n])),
                ],
            )
            .unwrap()
        };
        assert!(from_long_form(&cells(vec![(0, "CHILD")])).is_err());
        assert!(from_long_form(&cells(vec![(-1, "CHILD"), (0, "CHILD"), (0, "CHILD")])).is_err());
        assert!(from_long_form(&cells(vec![(-1, "CHILD"), (-5, "CHILD")])).is_err());
        // Rows not given are empty.
        let t = from_long_form(&cells(vec![(-1, "CHILD"), (2, "CHILD")])).unwrap();
        assert_eq!(t[0].rows, vec![vec![""], vec![""], vec!["v"]]);
    }
}
