//! Options for [`crate::load`].

use std::collections::BTreeSet;

use iro_domain::{FigureBasis, LaCode};

/// How to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Compute a SHA-256 of every file read (for `run.json`).
    pub hash_files: bool,
    /// Load only these authorities (all when `None`).
    pub las: Option<BTreeSet<LaCode>>,
    /// Non-SSDA903 CSV formats that may share the year folders (e.g. the IRO
    /// service's own records). Files whose headers contain all the columns of
    /// one of these are listed with [`crate::FileStatus::Other`] and no
    /// `file.unrecognised` diagnostic.
    pub other_tables: Vec<OtherTable>,
    /// Where each year's headline counts come from: that year's own return
    /// (the default, as the DfE counts) or the merged history of every
    /// loaded return (`Revised`). The cross-return checks run either way.
    pub figure_basis: FigureBasis,
    /// Other ways an `LA` column may name an authority: its name and ONS
    /// codes, each with its DfE code (the engine fills it from the reference
    /// data). A 3-digit code needs none. See `split` in the crate docs.
    pub la_aliases: Vec<(String, LaCode)>,
}

impl LoadOptions {
    pub(crate) fn wants(&self, la: LaCode) -> bool {
        self.las.as_ref().is_none_or(|s| s.contains(&la))
    }
}

/// A CSV format other than SSDA903, recognised by a set of columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherTable {
    /// A name for the format (reported in [`crate::FileStatus::Other`]).
    pub name: String,
    /// Columns that must all be present (compared trimmed, case-insensitively).
    pub columns: Vec<String>,
}
