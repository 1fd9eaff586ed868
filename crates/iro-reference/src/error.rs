//! The one error type of this crate: every variant names the file, and where it
//! applies the line and column, of the value that could not be used.

use std::fmt;

/// Why reference data could not be loaded.
///
/// `file` is the file name for bundled data (e.g. `population_u18.csv`) and the full
/// path for a folder given to [`crate::Reference::from_dir`]. `line` is the 1-based
/// line in that file (the header is line 1).
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not well-formed CSV (e.g. a row with the wrong number of fields).
    #[error("{file}, line {line}: malformed CSV: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    /// A column the loader needs is not in the header row.
    #[error("{file}: the header has no column `{column}`")]
    MissingColumn { file: String, column: String },
    /// A value that cannot be used: not a number, an unknown code, a reference to an
    /// authority or region that is not in `local_authorities.csv` / `regions.csv`, …
    #[error("{file}, line {line}, column `{column}`: {problem} (value `{value}`)")]
    BadValue {
        file: String,
        line: u64,
        column: String,
        value: String,
        problem: String,
    },
    /// Two rows with the same key.
    #[error("{file}, line {line}: duplicate row for {key}")]
    Duplicate {
        file: String,
        line: u64,
        key: String,
    },
}

impl ReferenceError {
    /// The file the problem is in.
    pub fn file(&self) -> &str {
        match self {
            ReferenceError::Io { file, .. }
            | ReferenceError::Csv { file, .. }
            | ReferenceError::MissingColumn { file, .. }
            | ReferenceError::BadValue { file, .. }
            | ReferenceError::Duplicate { file, .. } => file,
        }
    }

    /// The 1-based line, where the problem is on one line.
    pub fn line(&self) -> Option<u64> {
        match self {
            ReferenceError::Csv { line, .. }
            | ReferenceError::BadValue { line, .. }
            | ReferenceError::Duplicate { line, .. } => Some(*line),
            ReferenceError::Io { .. } | ReferenceError::MissingColumn { .. } => None,
        }
    }

    /// The column, where the problem is in one column.
    pub fn column(&self) -> Option<&str> {
        match self {
            ReferenceError::BadValue { column, .. }
            | ReferenceError::MissingColumn { column, .. } => Some(column),
            _ => None,
        }
    }

    pub(crate) fn bad(
        file: &str,
        line: u64,
        column: &str,
        value: &str,
        problem: impl fmt::Display,
    ) -> Self {
        ReferenceError::BadValue {
            file: file.to_string(),
            line,
            column: column.to_string(),
            value: value.to_string(),
            problem: problem.to_string(),
        }
    }
}
