//! The error a plugin's metric returns.

use iro_plugin_abi::{IroStatus, status};

/// Why a metric produced no table. Each kind becomes a status code the host
/// understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The data needed are not there (a table missing for the year): the host
    /// reports "not computable", never zero.
    NotComputable(String),
    /// A bad parameter, an unknown metric, or a cohort not as contracted.
    InvalidInput(String),
    /// Anything else.
    Failed(String),
}

impl Error {
    pub fn not_computable(msg: impl Into<String>) -> Self {
        Error::NotComputable(msg.into())
    }
    pub fn invalid_input(msg: impl Into<String>) -> Self {
        Error::InvalidInput(msg.into())
    }
    pub fn failed(msg: impl Into<String>) -> Self {
        Error::Failed(msg.into())
    }

    /// The status code the shim returns.
    pub fn status(&self) -> IroStatus {
        match self {
            Error::NotComputable(_) => status::NOT_COMPUTABLE,
            Error::InvalidInput(_) => status::INVALID_INPUT,
            Error::Failed(_) => status::ERROR,
        }
    }

    /// The message alone.
    pub fn message(&self) -> &str {
        match self {
            Error::NotComputable(m) | Error::InvalidInput(m) | Error::Failed(m) => m,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NotComputable(m) => write!(f, "not computable: {m}"),
            Error::InvalidInput(m) => write!(f, "invalid input: {m}"),
            Error::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl From<arrow_schema::ArrowError> for Error {
    fn from(e: arrow_schema::ArrowError) -> Self {
        Error::Failed(format!("arrow: {e}"))
    }
}
