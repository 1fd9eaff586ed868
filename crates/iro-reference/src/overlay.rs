//! A reference overlay: tables imported from newer DfE files
//! ([`crate::import`]), in the bundled tables' own format, used over the
//! bundled (or `[reference] dir`) tables when the reference data are loaded
//! ([`crate::Reference::with_overlay`]): a year the overlay adds is added, a
//! year it holds again is replaced, row by row (for statistical neighbours,
//! an authority's whole list).
//!
//! The folder holds some of `cla_published.csv`, `stability_published.csv`,
//! `population_u18.csv` and `statistical_neighbours.csv`, and
//! `provenance.csv`: one line per imported file, naming it, its SHA-256, the
//! DfE publication and release it comes from, the years it covers and when
//! it was imported.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::error::ReferenceError;
use crate::import::{ImportedFile, sort_rows};
use crate::table::Table;

/// The file of an overlay that says where its rows come from.
pub const PROVENANCE: &str = "provenance.csv";

const PROVENANCE_COLUMNS: &[&str] = &[
    "source_file",
    "sha256",
    "kind",
    "publication",
    "release",
    "time_period",
    "table",
    "rows",
    "imported_at",
];

/// A table an overlay can hold: one of the bundled tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OverlayTable {
    ClaPublished,
    Stability,
    Population,
    Neighbours,
}

impl OverlayTable {
    pub const ALL: [OverlayTable; 4] = [
        OverlayTable::ClaPublished,
        OverlayTable::Stability,
        OverlayTable::Population,
        OverlayTable::Neighbours,
    ];

    /// The bundled table's file name.
    pub fn file_name(self) -> &'static str {
        match self {
            OverlayTable::ClaPublished => "cla_published.csv",
            OverlayTable::Stability => "stability_published.csv",
            OverlayTable::Population => "population_u18.csv",
            OverlayTable::Neighbours => "statistical_neighbours.csv",
        }
    }

    /// What it holds, in words.
    pub fn label(self) -> &'static str {
        match self {
            OverlayTable::ClaPublished => "children looked after, starts and ceases",
            OverlayTable::Stability => "placement stability and distance",
            OverlayTable::Population => "populations aged 0 to 17",
            OverlayTable::Neighbours => "statistical neighbours",
        }
    }

    /// The bundled table's header.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            OverlayTable::ClaPublished => &[
                "year",
                "geography_level",
                "ons_code",
                "la_code",
                "name",
                "measure",
                "count",
                "population_used",
                "rate_per_10000",
                "release",
                "source",
            ],
            OverlayTable::Stability => &[
                "year",
                "geography_level",
                "ons_code",
                "la_code",
                "name",
                "indicator",
                "numerator",
                "denominator",
                "percent",
                "release",
                "source",
            ],
            OverlayTable::Population => &[
                "mid_year",
                "geography_level",
                "ons_code",
                "la_code",
                "name",
                "population_0_17",
            ],
            OverlayTable::Neighbours => {
                &["model", "la_code", "rank", "neighbour_la_code", "closeness"]
            }
        }
    }

    /// What a row replaces: the same year, area and figure (for
    /// neighbours, the same model and authority: its whole list).
    fn key(self, row: &[String]) -> (String, String, String) {
        let area = |r: &[String]| {
            if r[3].is_empty() {
                r[2].clone()
            } else {
                r[3].clone()
            }
        };
        match self {
            OverlayTable::ClaPublished | OverlayTable::Stability => {
                (row[0].clone(), area(row), row[5].clone())
            }
            OverlayTable::Population => (row[0].clone(), area(row), String::new()),
            OverlayTable::Neighbours => (row[0].clone(), row[1].clone(), String::new()),
        }
    }
}

/// Where an overlay is when `iro.toml` names none: the user's data
/// directory (`$XDG_DATA_HOME/iro/reference`, else
/// `~/.local/share/iro/reference`; `~/Library/Application Support/iro/reference`
/// on macOS; `%APPDATA%\iro\reference` on Windows). `None` when the
/// environment names no home.
pub fn default_overlay_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local").join("share")))
    };
    base.map(|b| b.join("iro").join("reference"))
}

/// One line of `provenance.csv`: one imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenanceEntry {
    /// The file's name as imported.
    pub source_file: String,
    pub sha256: String,
    /// What it holds (`DfeKind::label`).
    pub kind: String,
    pub publication: String,
    /// The release its rows are labelled with (`DfE CLA 2026 release (EES)`).
    pub release: String,
    /// The years it covers (`2021 to 2026`).
    pub time_period: String,
    /// The overlay table its rows went to.
    pub table: String,
    pub rows: usize,
    /// When it was imported (UTC, `2026-12-07T21:40:00Z`).
    pub imported_at: String,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayWritten {
    pub dir: PathBuf,
    /// Each table written, with its rows after the import.
    pub tables: Vec<(OverlayTable, usize)>,
    /// The lines added to `provenance.csv`.
    pub entries: Vec<ProvenanceEntry>,
}

/// Writes the usable files' rows into the overlay folder `dir` (made if
/// missing): each table merged with the rows the overlay already holds (a
/// row of the same year, area and figure replaced), and one line per file
/// added to `provenance.csv`. Files that are not usable are skipped.
pub fn write_overlay(
    dir: &Path,
    files: &[ImportedFile],
    imported_at: SystemTime,
) -> Result<OverlayWritten, ReferenceError> {
    let io = |file: &Path| {
        let file = file.display().to_string();
        move |source| ReferenceError::Io { file, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let stamp = chrono::DateTime::<chrono::Utc>::from(imported_at)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let mut tables: BTreeMap<OverlayTable, Vec<Vec<String>>> = BTreeMap::new();
    let mut entries = Vec::new();
    for f in files.iter().filter(|f| f.usable()) {
        let Some(kind) = f.kind else { continue };
        let table = kind.table();
        let rows = match tables.entry(table) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(read_rows(&dir.join(table.file_name()), table)?)
            }
        };
        let replaced: HashSet<_> = f.rows.iter().map(|r| table.key(r)).collect();
        rows.retain(|r| !replaced.contains(&table.key(r)));
        rows.extend(f.rows.iter().cloned());
        entries.push(ProvenanceEntry {
            source_file: Path::new(&f.file)
                .file_name()
                .map_or_else(|| f.file.clone(), |n| n.to_string_lossy().into_owned()),
            sha256: f.sha256.clone(),
            kind: kind.label().to_string(),
            publication: kind.publication().to_string(),
            release: f.release.clone(),
            time_period: f.years_text(),
            table: table.file_name().to_string(),
            rows: f.rows.len(),
            imported_at: stamp.clone(),
        });
    }
    let mut written = Vec::new();
    for (table, mut rows) in tables {
        sort_rows(table, &mut rows);
        let path = dir.join(table.file_name());
        write_csv(&path, table.header(), &rows)?;
        written.push((table, rows.len()));
    }
    if !entries.is_empty() {
        let path = dir.join(PROVENANCE);
        let mut all = read_provenance(&path)?;
        all.extend(entries.iter().cloned());
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|e| {
                vec![
                    e.source_file.clone(),
                    e.sha256.clone(),
                    e.kind.clone(),
                    e.publication.clone(),
                    e.release.clone(),
                    e.time_period.clone(),
                    e.table.clone(),
                    e.rows.to_string(),
                    e.imported_at.clone(),
                ]
            })
            .collect();
        write_csv(&path, PROVENANCE_COLUMNS, &rows)?;
    }
    Ok(OverlayWritten {
        dir: dir.to_path_buf(),
        tables: written,
        entries,
    })
}

/// The rows an overlay table holds now (none if the file is missing).
fn read_rows(path: &Path, table: OverlayTable) -> Result<Vec<Vec<String>>, ReferenceError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(ReferenceError::Io {
                file: path.display().to_string(),
                source,
            });
        }
    };
    let shown = path.display().to_string();
    let t = Table::parse(&shown, &text, table.header())?;
    Ok(t.rows()
        .map(|r| {
            table
                .header()
                .iter()
                .map(|c| r.text(c).to_string())
                .collect()
        })
        .collect())
}

/// The lines of an overlay's `provenance.csv` (none if it is missing).
pub fn read_provenance(path: &Path) -> Result<Vec<ProvenanceEntry>, ReferenceError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(ReferenceError::Io {
                file: path.display().to_string(),
                source,
            });
        }
    };
    let shown = path.display().to_string();
    let t = Table::parse(&shown, &text, PROVENANCE_COLUMNS)?;
    t.rows()
        .map(|r| {
            Ok(ProvenanceEntry {
                source_file: r.required("source_file")?.to_string(),
                sha256: r.required("sha256")?.to_string(),
                kind: r.text("kind").to_string(),
                publication: r.text("publication").to_string(),
                release: r.text("release").to_string(),
                time_period: r.text("time_period").to_string(),
                table: r.text("table").to_string(),
                rows: r.parse("rows", "a number of rows")?,
                imported_at: r.text("imported_at").to_string(),
            })
        })
        .collect()
}

/// Writes a CSV whole, through a temporary file beside it, so a failed
/// write never leaves half a table.
fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<(), ReferenceError> {
    let err = |source: std::io::Error| ReferenceError::Io {
        file: path.display().to_string(),
        source,
    };
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let csv_err = |e: csv::Error| err(std::io::Error::other(e.to_string()));
    w.write_record(header).map_err(csv_err)?;
    for r in rows {
        w.write_record(r).map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.into_error()))?;
    let tmp = path.with_extension("csv.tmp");
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

/// What an overlay changed in one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableChange {
    /// The years (mid-years for populations; models for neighbours) the
    /// overlay added, with their rows.
    pub added: BTreeMap<String, usize>,
    /// The years it holds again, replacing the bundled rows.
    pub replaced: BTreeMap<String, usize>,
}

impl TableChange {
    pub(crate) fn record(&mut self, key: String, replaced: bool) {
        let map = if replaced {
            &mut self.replaced
        } else {
            &mut self.added
        };
        *map.entry(key).or_default() += 1;
    }
}

/// The overlay a [`crate::Reference`] was loaded with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverlayApplied {
    pub dir: PathBuf,
    /// Per table, what it added and replaced.
    pub changes: Vec<(OverlayTable, TableChange)>,
    /// `provenance.csv`.
    pub provenance: Vec<ProvenanceEntry>,
}

impl OverlayApplied {
    /// The releases of the imported files, in the order imported, once each.
    pub fn releases(&self) -> Vec<&str> {
        let mut seen = BTreeSet::new();
        self.provenance
            .iter()
            .map(|e| e.release.as_str())
            .filter(|r| seen.insert(*r))
            .collect()
    }
}

/// `2021 to 2025`, `2026`, `2019, 2021 to 2022`.
fn spans(keys: &BTreeMap<String, usize>) -> String {
    let mut years: Vec<i32> = Vec::new();
    let mut other: Vec<&str> = Vec::new();
    for k in keys.keys() {
        match k.parse() {
            Ok(y) => years.push(y),
            Err(_) => other.push(k),
        }
    }
    years.sort_unstable();
    let mut parts: Vec<String> = Vec::new();
    let mut k = 0;
    while k < years.len() {
        let start = years[k];
        let mut end = start;
        while k + 1 < years.len() && years[k + 1] == end + 1 {
            k += 1;
            end = years[k];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start} to {end}")
        });
        k += 1;
    }
    parts.extend(other.iter().map(|s| s.to_string()));
    parts.join(", ")
}

impl fmt::Display for OverlayApplied {
    /// The line `iro` prints when it loads an overlay.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Published figures: the reference overlay in {} is used over the bundled tables",
            self.dir.display()
        )?;
        let mut parts = Vec::new();
        for (table, change) in &self.changes {
            let mut words = Vec::new();
            if !change.added.is_empty() {
                words.push(format!("{} added", spans(&change.added)));
            }
            if !change.replaced.is_empty() {
                words.push(format!("{} replaced", spans(&change.replaced)));
            }
            if !words.is_empty() {
                parts.push(format!("{} {}", table.label(), words.join(", ")));
            }
        }
        if parts.is_empty() {
            f.write_str(" (it holds no rows)")?;
        } else {
            write!(f, ": {}", parts.join("; "))?;
        }
        let releases = self.releases();
        if !releases.is_empty() {
            write!(f, " (from {})", releases.join("; "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_join_consecutive_years() {
        let keys: BTreeMap<String, usize> = ["2019", "2021", "2022", "2023", "model_2025"]
            .into_iter()
            .map(|k| (k.to_string(), 1))
            .collect();
        assert_eq!(spans(&keys), "2019, 2021 to 2023, model_2025");
    }

    #[test]
    fn the_default_folder_is_under_the_data_directory() {
        if let Some(d) = default_overlay_dir() {
            assert!(d.ends_with(Path::new("iro").join("reference")), "{d:?}");
        }
    }
}
