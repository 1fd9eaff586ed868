//! Whole-run failures. Anything wrong with a single file or row is a
//! [`iro_domain::Diagnostic`], not an error.

use std::path::PathBuf;

/// The load could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("input folder {} does not exist", .0.display())]
    InputMissing(PathBuf),
    #[error("input {} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("cannot read input folder {}: {source}", path.display())]
    InputUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "no SSDA903 data found in {}: expected INPUT/<la>/<year>/*.csv, where <la> is a DfE 3-digit code and <year> the year the return ends (2025 or 2024-25)",
        .0.display()
    )]
    NoData(PathBuf),
    #[error("invalid input manifest: {0}")]
    Manifest(String),
}
