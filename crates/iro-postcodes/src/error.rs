//! The one error type of this crate. Every variant names the file; text
//! problems give the 1-based line (the header is line 1), binary ones the byte
//! offset or record number.

/// Why postcode data could not be read, imported or written.
#[derive(Debug, thiserror::Error)]
pub enum PostcodeError {
    /// The file could not be opened, read or written.
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Not well-formed CSV (e.g. a row with the wrong number of fields).
    #[error("{file}, line {line}: malformed CSV: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    /// A column the reader needs is not in the header row.
    #[error("{file}: the header has no column {column}")]
    MissingColumn { file: String, column: String },
    /// A value that cannot be used.
    #[error("{file}, line {line}, column `{column}`: {problem} (value `{value}`)")]
    BadValue {
        file: String,
        line: u64,
        column: String,
        value: String,
        problem: String,
    },
    /// The same postcode (or sector) twice.
    #[error("{file}, line {line}: {key} appears twice (first on line {first_line})")]
    Duplicate {
        file: String,
        line: u64,
        first_line: u64,
        key: String,
    },
    /// A binary unit-postcode table that is not one, is of another version, is
    /// truncated or corrupt.
    #[error("{file}, byte {offset}: {problem}")]
    Format {
        file: String,
        offset: u64,
        problem: String,
    },
    /// Nothing to import: no ONSPD CSV in a folder, or a file with no rows.
    #[error("{file}: {problem}")]
    NoData { file: String, problem: String },
}

impl PostcodeError {
    /// The file the problem is in.
    pub fn file(&self) -> &str {
        match self {
            PostcodeError::Io { file, .. }
            | PostcodeError::Csv { file, .. }
            | PostcodeError::MissingColumn { file, .. }
            | PostcodeError::BadValue { file, .. }
            | PostcodeError::Duplicate { file, .. }
            | PostcodeError::Format { file, .. }
            | PostcodeError::NoData { file, .. } => file,
        }
    }

    /// The 1-based line of a text file, where the problem is on one line.
    pub fn line(&self) -> Option<u64> {
        match self {
            PostcodeError::Csv { line, .. }
            | PostcodeError::BadValue { line, .. }
            | PostcodeError::Duplicate { line, .. } => Some(*line),
            _ => None,
        }
    }

    pub(crate) fn io(file: &std::path::Path, source: std::io::Error) -> Self {
        PostcodeError::Io {
            file: file.display().to_string(),
            source,
        }
    }

    pub(crate) fn bad(
        file: &str,
        line: u64,
        column: &str,
        value: &str,
        problem: impl Into<String>,
    ) -> Self {
        PostcodeError::BadValue {
            file: file.to_string(),
            line,
            column: column.to_string(),
            value: value.chars().take(80).collect(),
            problem: problem.into(),
        }
    }

    pub(crate) fn format(file: &str, offset: u64, problem: impl Into<String>) -> Self {
        PostcodeError::Format {
            file: file.to_string(),
            offset,
            problem: problem.into(),
        }
    }
}
