//! Reading one CSV file into rows addressed by column name, with every parse
//! failure turned into a [`ReferenceError`] carrying file, line and column.

use std::str::FromStr;

use csv::StringRecord;
use iro_domain::LaCode;

use crate::error::ReferenceError;
use crate::published::{Number, Published};

/// The rows of one file, with the columns the loader asked for.
pub(crate) struct Table<'f> {
    file: &'f str,
    columns: &'static [&'static str],
    index: Vec<usize>,
    records: Vec<StringRecord>,
}

impl<'f> Table<'f> {
    /// Parses `text` (a leading UTF-8 byte-order mark is ignored). Every name in
    /// `columns` must be in the header; other columns are ignored.
    pub(crate) fn parse(
        file: &'f str,
        text: &str,
        columns: &'static [&'static str],
    ) -> Result<Self, ReferenceError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(text.as_bytes());
        let csv_err = |e: csv::Error| ReferenceError::Csv {
            file: file.to_string(),
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        };
        let header = reader.headers().map_err(csv_err)?.clone();
        let mut index = Vec::with_capacity(columns.len());
        for &c in columns {
            let i = header.iter().position(|h| h.trim() == c).ok_or_else(|| {
                ReferenceError::MissingColumn {
                    file: file.to_string(),
                    column: c.to_string(),
                }
            })?;
            index.push(i);
        }
        let records = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(csv_err)?;
        Ok(Table {
            file,
            columns,
            index,
            records,
        })
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().map(move |rec| Row { table: self, rec })
    }
}

/// One row of a [`Table`].
pub(crate) struct Row<'t> {
    table: &'t Table<'t>,
    rec: &'t StringRecord,
}

impl Row<'_> {
    pub(crate) fn file(&self) -> &str {
        self.table.file
    }

    /// 1-based line number of the row in its file.
    pub(crate) fn line(&self) -> u64 {
        self.rec.position().map_or(0, |p| p.line())
    }

    /// The trimmed text of a column (the column must be one the table was built with).
    pub(crate) fn text(&self, column: &str) -> &str {
        self.table
            .columns
            .iter()
            .position(|c| *c == column)
            .and_then(|k| self.rec.get(self.table.index[k]))
            .map_or("", str::trim)
    }

    pub(crate) fn bad(&self, column: &str, problem: impl std::fmt::Display) -> ReferenceError {
        ReferenceError::bad(
            self.table.file,
            self.line(),
            column,
            self.text(column),
            problem,
        )
    }

    pub(crate) fn required(&self, column: &str) -> Result<&str, ReferenceError> {
        match self.text(column) {
            "" => Err(self.bad(column, "a value is required")),
            t => Ok(t),
        }
    }

    pub(crate) fn parse<T: FromStr>(&self, column: &str, what: &str) -> Result<T, ReferenceError> {
        self.required(column)?
            .parse()
            .map_err(|_| self.bad(column, format!("expected {what}")))
    }

    pub(crate) fn opt_parse<T: FromStr>(
        &self,
        column: &str,
        what: &str,
    ) -> Result<Option<T>, ReferenceError> {
        match self.text(column) {
            "" => Ok(None),
            t => t
                .parse()
                .map(Some)
                .map_err(|_| self.bad(column, format!("expected {what} or blank"))),
        }
    }

    pub(crate) fn la_code(&self, column: &str) -> Result<LaCode, ReferenceError> {
        self.parse(column, "a DfE 3-digit local-authority code")
    }

    /// A `;`-separated list of LA codes (blank = none).
    pub(crate) fn la_codes(&self, column: &str) -> Result<Vec<LaCode>, ReferenceError> {
        self.list(column)
            .map(|t| {
                t.parse()
                    .map_err(|_| self.bad(column, "expected `;`-separated DfE 3-digit codes"))
            })
            .collect()
    }

    /// A `;`-separated list of strings (blank = none).
    pub(crate) fn list(&self, column: &str) -> impl Iterator<Item = &str> {
        self.text(column)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    pub(crate) fn published<T: Number>(
        &self,
        column: &str,
    ) -> Result<Published<T>, ReferenceError> {
        Published::parse(self.text(column)).map_err(|p| self.bad(column, p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[&str] = &["a", "b"];

    #[test]
    fn reads_by_column_name_and_ignores_bom_and_extra_columns() {
        let t = Table::parse("t.csv", "\u{feff}b,x,a\n2,zz,1\n", COLS).unwrap();
        let row = t.rows().next().unwrap();
        assert_eq!(row.text("a"), "1");
        assert_eq!(row.text("b"), "2");
        assert_eq!(row.line(), 2);
    }

    #[test]
    fn missing_column_and_ragged_rows_are_errors() {
        let e = Table::parse("t.csv", "a\n1\n", COLS).err().unwrap();
        assert_eq!(e.file(), "t.csv");
        assert_eq!(e.column(), Some("b"));
        let e = Table::parse("t.csv", "a,b\n1,2\n3\n", COLS).err().unwrap();
        assert!(matches!(e, ReferenceError::Csv { line: 3, .. }), "{e}");
    }

    #[test]
    fn bad_values_name_file_line_and_column() {
        let t = Table::parse("t.csv", "a,b\n1,2\nq,4\n", COLS).unwrap();
        let row = t.rows().nth(1).unwrap();
        let e = row.parse::<u32>("a", "a number").unwrap_err();
        assert_eq!(
            (e.file(), e.line(), e.column()),
            ("t.csv", Some(3), Some("a"))
        );
        assert!(e.to_string().contains("`q`"), "{e}");
    }
}
