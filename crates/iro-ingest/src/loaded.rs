//! What a load returns.

use std::path::PathBuf;

use iro_domain::{
    Cohort, CollectionYear, Diagnostic, LaCode, RowAccount, ServiceRowAccount, ServiceTable,
    Severity, TableKind,
};
use serde::{Deserialize, Serialize};

/// What became of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Read as an SSDA903 table.
    Read,
    /// Recognised as an SSDA903 table but excluded: required columns missing,
    /// or its folder holds another year's return (`year.mismatch`).
    Excluded,
    /// A CSV whose header row matches no SSDA903 table and no IRO-service
    /// table (an `Info` diagnostic says so).
    Unrecognised,
    /// Read as one of the IRO service's own record tables (`docs/DATA.md`).
    ServiceRecords(ServiceTable),
    /// Recognised as an IRO-service table but excluded: required columns
    /// missing, or its year folder holds another year's return.
    ServiceExcluded(ServiceTable),
    /// An SSD extract read only to link the rows of an IRO-service table to
    /// the children (`ssd_cla_episodes`: a review's CLA id to its child); its
    /// rows are counted in [`FileInfo::rows`], not in a row account.
    ServiceLink(ServiceTable),
    /// Matched one of [`crate::LoadOptions::other_tables`] (named); not read.
    Other(String),
    /// Could not be read (missing, binary, wrong encoding, empty).
    Unreadable,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub path: PathBuf,
    pub la: LaCode,
    pub year: CollectionYear,
    /// The table recognised from the header row (or named by the manifest).
    pub table: Option<TableKind>,
    pub status: FileStatus,
    /// Data rows read (0 unless the file was recognised as an SSDA903 or
    /// IRO-service table).
    pub rows: u64,
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the file's bytes, when asked for.
    pub sha256: Option<String>,
    /// The header row, normalised (BOM removed, trimmed, upper-cased).
    pub headers: Vec<String>,
    /// What the header row lacked against its table (or, for a header that
    /// matches no table, the nearest one), so that the cause can be shown
    /// without reading the diagnostics. `None` when nothing is lacking.
    pub header_check: Option<HeaderCheck>,
}

/// A header row set against an SSDA903 table: what it lacks, what it has
/// instead and which of its headers are probably the lacking columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderCheck {
    /// The file's table, or the nearest table to a header that matches none.
    pub table: TableKind,
    /// Whether `table` is only the nearest (the file was not read as it).
    pub nearest_only: bool,
    /// Columns without which the file cannot be read (it was excluded).
    pub missing: Vec<String>,
    /// Other columns lacking: read as blank, figures needing them not computable.
    pub absent: Vec<String>,
    /// Headers in the file that are no column of the table.
    pub extra: Vec<String>,
    /// (header in the file, the column it probably is): "did you mean".
    pub did_you_mean: Vec<(String, String)>,
}

impl HeaderCheck {
    /// The check of a column map, `None` when the header lacks nothing.
    pub fn of(map: &crate::ColumnMap, nearest_only: bool) -> Option<HeaderCheck> {
        if map.missing.is_empty() && map.absent.is_empty() && !nearest_only {
            return None;
        }
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect();
        Some(HeaderCheck {
            table: map.table,
            nearest_only,
            missing: s(&map.missing),
            absent: s(&map.absent),
            extra: map.extra.clone(),
            did_you_mean: map
                .did_you_mean
                .iter()
                .map(|(h, c)| (h.clone(), c.to_string()))
                .collect(),
        })
    }
}

/// Everything a load produced.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// One cohort per authority, sorted by LA code.
    pub cohorts: Vec<Cohort>,
    /// Every problem found, sorted by LA, year, file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// Rows read, used and excluded per (LA, year, table).
    pub accounts: Vec<RowAccount>,
    /// The same for the IRO service's record tables, per (LA, year, table).
    pub service_accounts: Vec<ServiceRowAccount>,
    /// Every file looked at, in the order of [`iro_domain::SourceRef::file`].
    /// A file split by its LA/YEAR columns is listed once per authority-year.
    pub files: Vec<FileInfo>,
    /// Rows of files with LA/YEAR columns that could not be given an
    /// authority and year (so are in no row account): excluded, each value
    /// reported by a `row.la_unknown` or `row.year_unreadable` error.
    pub unplaced: Vec<crate::UnplacedRows>,
}

impl Loaded {
    /// The cohort of one authority.
    pub fn cohort(&self, la: LaCode) -> Option<&Cohort> {
        self.cohorts
            .binary_search_by_key(&la, Cohort::la)
            .ok()
            .map(|i| &self.cohorts[i])
    }

    /// How many files were read: `files` has one entry per table read, so a
    /// file holding several (an XML return, a pooled file split by authority
    /// and year) counts once.
    pub fn file_count(&self) -> usize {
        self.files
            .iter()
            .map(|f| f.path.as_path())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }

    /// CSV files that are not SSDA903 tables (candidates for other readers).
    pub fn unrecognised_files(&self) -> impl Iterator<Item = &FileInfo> + '_ {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Unrecognised))
    }

    /// The file a row came from.
    pub fn file(&self, source: iro_domain::SourceRef) -> Option<&FileInfo> {
        self.files.get(source.file as usize)
    }

    /// The worst severity found, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.diagnostics.iter().map(|d| d.severity).max()
    }

    /// How many diagnostics have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// The row account of one table of one authority and year.
    pub fn account(
        &self,
        la: LaCode,
        year: CollectionYear,
        table: TableKind,
    ) -> Option<&RowAccount> {
        self.accounts
            .iter()
            .find(|a| a.la == la && a.year == year && a.table == table)
    }
}
