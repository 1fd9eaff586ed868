//! Where the files are: a folder laid out `INPUT/<la>/<collection year>/*.csv`, or
//! a manifest listing files one by one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use iro_domain::{CollectionYear, Diagnostic, LaCode, Severity, TableKind};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::IngestError;
use crate::options::LoadOptions;
use crate::rules;

/// What to load.
#[derive(Debug, Clone, PartialEq)]
pub enum InputSource {
    /// A folder: `INPUT/<la>/<year>/*.csv` (several authorities),
    /// `INPUT/<year>/*.csv` when INPUT itself is named by an LA code, or a single
    /// `<la>/<year>` folder. Year folders are named by the year the return ends
    /// (`2025`) or by the span (`2024-25`).
    Folder(PathBuf),
    /// Files listed one by one (the `[[input.files]]` of `iro.toml`).
    Manifest(Manifest),
}

/// A list of input files, as embedded in `iro.toml`:
///
/// ```toml
/// [[input.files]]
/// la = "800"
/// year = 2025            # or "2024-25"
/// path = "exports/episodes_2025.csv"
/// table = "Episodes"     # optional: otherwise recognised by its header row
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Folder that relative paths are resolved against. The engine sets it to
    /// the folder holding `iro.toml`; when absent, paths are used as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<PathBuf>,
    #[serde(default)]
    pub files: Vec<ManifestFile>,
}

/// One file of a [`Manifest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// DfE 3-digit code (`"800"` or `800`).
    #[serde(deserialize_with = "de_la")]
    pub la: LaCode,
    /// Collection year: the year the return ends (`2025`) or `"2024-25"`.
    #[serde(deserialize_with = "de_year")]
    pub year: CollectionYear,
    pub path: PathBuf,
    /// The table, by its DfE name (`Header`, `Episodes`, `UASC`, `SWEpisodes`, …).
    /// When absent, the table is recognised from the header row.
    #[serde(
        default,
        deserialize_with = "de_table",
        skip_serializing_if = "Option::is_none"
    )]
    pub table: Option<TableKind>,
}

impl Manifest {
    /// Parses a manifest from the TOML-like value `serde` gives (e.g. the
    /// `input` table of `iro.toml`) and checks it.
    pub fn validate(&self) -> Result<(), IngestError> {
        if self.files.is_empty() {
            return Err(IngestError::Manifest("the manifest lists no files".into()));
        }
        let mut seen = BTreeSet::new();
        for f in &self.files {
            if !(1990..=2100).contains(&f.year.0) {
                return Err(IngestError::Manifest(format!(
                    "{}: year {} is out of range",
                    f.path.display(),
                    f.year
                )));
            }
            if f.path.as_os_str().is_empty() {
                return Err(IngestError::Manifest("a file has an empty path".into()));
            }
            if f.table.is_some() && crate::xml::is_xml(&f.path) {
                return Err(IngestError::Manifest(format!(
                    "{}: an SSDA903 XML return holds every table; give no `table` for it",
                    f.path.display()
                )));
            }
            if !seen.insert(self.resolve(&f.path)) {
                return Err(IngestError::Manifest(format!(
                    "{} is listed twice",
                    f.path.display()
                )));
            }
        }
        Ok(())
    }

    /// The path of a file, resolved against `base`.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        match &self.base {
            Some(b) if p.is_relative() => b.join(p),
            _ => p.to_path_buf(),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StrOrInt {
    S(String),
    I(i64),
}

fn de_la<'de, D: Deserializer<'de>>(d: D) -> Result<LaCode, D::Error> {
    let s = match StrOrInt::deserialize(d)? {
        StrOrInt::S(s) => s,
        StrOrInt::I(i) => format!("{i:03}"),
    };
    s.parse().map_err(serde::de::Error::custom)
}

fn de_year<'de, D: Deserializer<'de>>(d: D) -> Result<CollectionYear, D::Error> {
    match StrOrInt::deserialize(d)? {
        StrOrInt::I(i) => i32::try_from(i)
            .map(CollectionYear)
            .map_err(|_| serde::de::Error::custom(format!("year {i} is out of range"))),
        StrOrInt::S(s) => parse_year_name(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not a collection year (write 2025 or \"2024-25\")"
            ))
        }),
    }
}

fn de_table<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TableKind>, D::Error> {
    let s = String::deserialize(d)?;
    parse_table_name(&s).map(Some).ok_or_else(|| {
        let names: Vec<&str> = TableKind::ALL.iter().map(|t| t.name()).collect();
        serde::de::Error::custom(format!(
            "unknown table `{s}` (expected one of {})",
            names.join(", ")
        ))
    })
}

/// A table by its DfE name or its Rust variant name, case-insensitively.
pub fn parse_table_name(s: &str) -> Option<TableKind> {
    let t = s.trim();
    TableKind::ALL
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(t) || format!("{k:?}").eq_ignore_ascii_case(t))
}

/// A collection year as a folder is named (or a YEAR column holds it): the
/// year the return ends (`2025`), or the span it covers: `2024-25`, `2024_25`,
/// `2024–25` (en dash), `2024/25`, `202425`, `2024-2025`, `20242025`, with or
/// without spaces around the separator. A bare year is always read as the year
/// the return *ends*; a folder named by the year it starts is caught by the
/// check of its dates (`year.mismatch`).
pub fn parse_year_name(name: &str) -> Option<CollectionYear> {
    let n = name.trim();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let year = |s: &str| -> Option<i32> {
        (s.len() == 4 && all_digits(s))
            .then(|| s.parse::<i32>().ok())
            .flatten()
            .filter(|y| (1990..=2100).contains(y))
    };
    if let Some(y) = year(n) {
        return Some(CollectionYear(y));
    }
    let end_of = |start: i32, b: &str| -> Option<CollectionYear> {
        let end = match b.len() {
            2 if all_digits(b) => {
                let yy: i32 = b.parse().ok()?;
                (yy == (start + 1) % 100).then_some(start + 1)?
            }
            4 => year(b).filter(|e| *e == start + 1)?,
            _ => return None,
        };
        Some(CollectionYear(end))
    };
    // `202425` and `20242025`: the span without a separator.
    if all_digits(n) && (n.len() == 6 || n.len() == 8) {
        return end_of(year(&n[..4])?, &n[4..]);
    }
    let (a, b) = n.split_once(['-', '_', '\u{2013}', '/'])?;
    end_of(year(a.trim())?, b.trim())
}

/// Where a file's collection year came from: named in the message when the
/// dates say it is another year's return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum YearSource {
    /// The name of the year folder holding it.
    Folder,
    /// The `year` of its `[[input.files]]` entry in `iro.toml`.
    Manifest,
    /// The file's own YEAR (or COLLECTION_YEAR…) column.
    Column,
}

/// One file to read.
#[derive(Debug, Clone)]
pub(crate) struct FileTask {
    pub path: PathBuf,
    pub la: LaCode,
    pub year: CollectionYear,
    pub declared: Option<TableKind>,
    pub year_source: YearSource,
    /// The part of a file split by its LA/YEAR columns ([`crate::split`]):
    /// the header and this authority-year's rows, read instead of the file.
    pub part: Option<std::sync::Arc<crate::split::Part>>,
    /// LA/YEAR columns the file was split by (normalised): not reported as
    /// extra columns.
    pub placement_columns: Vec<String>,
}

impl FileTask {
    pub(crate) fn new(
        path: PathBuf,
        la: LaCode,
        year: CollectionYear,
        declared: Option<TableKind>,
        year_source: YearSource,
    ) -> Self {
        FileTask {
            path,
            la,
            year,
            declared,
            year_source,
            part: None,
            placement_columns: Vec::new(),
        }
    }
}

/// A CSV outside any `<la>/<year>` folder: read only if it carries its own
/// LA and YEAR columns ([`crate::split`]), else reported `file.misplaced`.
#[derive(Debug, Clone)]
pub(crate) struct LooseFile {
    pub path: PathBuf,
    /// The LA folder it sits in, if any.
    pub la: Option<LaCode>,
    /// The warning given if it has no LA/YEAR columns.
    pub misplaced: Diagnostic,
}

/// What was found.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    /// Files, sorted by (LA, year, path).
    pub files: Vec<FileTask>,
    /// Every LA-year the input names (year folders, manifest years), even with no files.
    pub la_years: BTreeMap<LaCode, BTreeSet<CollectionYear>>,
    pub diagnostics: Vec<Diagnostic>,
    /// CSVs outside a year folder, to be read only if they carry LA/YEAR columns.
    pub loose: Vec<LooseFile>,
}

fn folder_diag(path: &Path, msg: String) -> Diagnostic {
    let mut d = Diagnostic::new(Severity::Warning, rules::FOLDER_UNRECOGNISED, msg);
    d.file = Some(path.to_path_buf());
    d
}

fn is_hidden(name: &str) -> bool {
    name.starts_with('.') || name.starts_with("~$")
}

fn has_csv_ext(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

fn entries(dir: &Path) -> std::io::Result<Vec<(PathBuf, String, bool)>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        // Follow symlinks when asking whether it is a folder. The entry's own
        // type (no system call on most file systems) answers for the others.
        let is_dir = match e.file_type() {
            Ok(t) if !t.is_symlink() => t.is_dir(),
            _ => std::fs::metadata(&path)
                .map(|m| m.is_dir())
                .unwrap_or(false),
        };
        out.push((path, name, is_dir));
    }
    out.sort();
    Ok(out)
}

fn dir_name(p: &Path) -> Option<String> {
    // Canonicalise so that `.` or `..` still give the folder's name.
    let c = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    c.file_name().map(|n| n.to_string_lossy().into_owned())
}

pub(crate) fn discover(src: &InputSource, opts: &LoadOptions) -> Result<Discovery, IngestError> {
    let mut d = match src {
        InputSource::Folder(root) => discover_folder(root, opts)?,
        InputSource::Manifest(m) => discover_manifest(m, opts)?,
    };
    d.files
        .sort_by(|a, b| (a.la, a.year, &a.path).cmp(&(b.la, b.year, &b.path)));
    Ok(d)
}

fn discover_manifest(m: &Manifest, opts: &LoadOptions) -> Result<Discovery, IngestError> {
    m.validate()?;
    let mut d = Discovery::default();
    for f in &m.files {
        if !opts.wants(f.la) {
            continue;
        }
        d.la_years.entry(f.la).or_default().insert(f.year);
        d.files.push(FileTask::new(
            m.resolve(&f.path),
            f.la,
            f.year,
            f.table,
            YearSource::Manifest,
        ));
    }
    Ok(d)
}

fn discover_folder(root: &Path, opts: &LoadOptions) -> Result<Discovery, IngestError> {
    let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => IngestError::InputMissing(root.to_path_buf()),
        _ => IngestError::InputUnreadable {
            path: root.to_path_buf(),
            source: e,
        },
    })?;
    if !meta.is_dir() {
        return Err(IngestError::NotAFolder(root.to_path_buf()));
    }
    let top = entries(root).map_err(|e| IngestError::InputUnreadable {
        path: root.to_path_buf(),
        source: e,
    })?;
    let mut d = Discovery::default();
    let root_name = dir_name(root).unwrap_or_default();

    // A single <la>/<year> folder.
    if let Some(year) = parse_year_name(&root_name) {
        let parent_la = root
            .canonicalize()
            .ok()
            .and_then(|c| {
                c.parent()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .and_then(|n| n.parse::<LaCode>().ok());
        if let Some(la) = parent_la {
            if opts.wants(la) {
                scan_year(&mut d, la, year, &top);
            }
            return finish(d, root);
        }
    }
    // A single <la> folder holding year folders.
    if let Ok(la) = root_name.parse::<LaCode>()
        && top
            .iter()
            .any(|(_, n, is_dir)| *is_dir && parse_year_name(n).is_some())
    {
        if opts.wants(la) {
            scan_la(&mut d, la, &top);
        }
        return finish(d, root);
    }
    // INPUT/<la>/<year>/*.csv
    for (path, name, is_dir) in &top {
        if is_hidden(name) {
            continue;
        }
        if *is_dir {
            match name.parse::<LaCode>() {
                Ok(la) => {
                    if !opts.wants(la) {
                        continue;
                    }
                    match entries(path) {
                        Ok(inner) => scan_la(&mut d, la, &inner),
                        Err(e) => {
                            let mut diag = Diagnostic::new(
                                Severity::Error,
                                rules::FILE_UNREADABLE,
                                format!("cannot read folder {}: {e}", path.display()),
                            );
                            diag.la = Some(la);
                            diag.file = Some(path.clone());
                            d.diagnostics.push(diag);
                        }
                    }
                }
                Err(_) => d.diagnostics.push(folder_diag(
                    path,
                    format!(
                        "folder `{name}` is not a DfE 3-digit LA code; ignored (expected INPUT/<la>/<year>/*.csv)"
                    ),
                )),
            }
        } else if has_csv_ext(path) {
            let mut diag = Diagnostic::new(
                Severity::Warning,
                rules::FILE_MISPLACED,
                format!(
                    "CSV file outside an <la>/<year> folder and without LA and YEAR columns; ignored ({name})"
                ),
            );
            diag.file = Some(path.clone());
            d.loose.push(LooseFile {
                path: path.clone(),
                la: None,
                misplaced: diag,
            });
        } else if crate::xml::is_xml(path) {
            d.diagnostics.push(xml_misplaced(path, name, None));
        }
    }
    finish(d, root)
}

fn finish(d: Discovery, root: &Path) -> Result<Discovery, IngestError> {
    if d.la_years.is_empty() && d.files.is_empty() && d.loose.is_empty() {
        return Err(IngestError::NoData(root.to_path_buf()));
    }
    Ok(d)
}

fn scan_la(d: &mut Discovery, la: LaCode, inner: &[(PathBuf, String, bool)]) {
    let mut years_seen: BTreeMap<CollectionYear, PathBuf> = BTreeMap::new();
    for (path, name, is_dir) in inner {
        if is_hidden(name) {
            continue;
        }
        if *is_dir {
            match parse_year_name(name) {
                Some(year) => {
                    if let Some(prev) = years_seen.get(&year) {
                        let mut diag = folder_diag(
                            path,
                            format!(
                                "folder `{name}` names collection year {} like {}; both are read",
                                year.label(),
                                prev.display()
                            ),
                        );
                        diag.la = Some(la);
                        diag.year = Some(year);
                        d.diagnostics.push(diag);
                    }
                    years_seen.insert(year, path.clone());
                    match entries(path) {
                        Ok(files) => scan_year(d, la, year, &files),
                        Err(e) => {
                            let mut diag = Diagnostic::new(
                                Severity::Error,
                                rules::FILE_UNREADABLE,
                                format!("cannot read folder {}: {e}", path.display()),
                            );
                            diag.la = Some(la);
                            diag.year = Some(year);
                            diag.file = Some(path.clone());
                            d.diagnostics.push(diag);
                            d.la_years.entry(la).or_default().insert(year);
                        }
                    }
                }
                None => {
                    let mut diag = folder_diag(
                        path,
                        format!(
                            "folder `{name}` in LA {la} is not a collection year (`2025` or `2024-25`); ignored"
                        ),
                    );
                    diag.la = Some(la);
                    d.diagnostics.push(diag);
                }
            }
        } else if has_csv_ext(path) {
            let mut diag = Diagnostic::new(
                Severity::Warning,
                rules::FILE_MISPLACED,
                format!(
                    "CSV file directly in the LA folder, not in a year folder, and without a YEAR column; ignored ({name})"
                ),
            );
            diag.la = Some(la);
            diag.file = Some(path.clone());
            d.loose.push(LooseFile {
                path: path.clone(),
                la: Some(la),
                misplaced: diag,
            });
        } else if crate::xml::is_xml(path) {
            d.diagnostics.push(xml_misplaced(path, name, Some(la)));
        }
    }
}

/// An XML return outside a year folder: its authority and year are not known.
fn xml_misplaced(path: &Path, name: &str, la: Option<LaCode>) -> Diagnostic {
    let mut diag = Diagnostic::new(
        Severity::Warning,
        rules::FILE_MISPLACED,
        format!(
            "XML file outside an <la>/<year> folder; ignored (put an SSDA903 XML return in its authority's year folder, or list it in iro.toml with its la and year) ({name})"
        ),
    );
    diag.la = la;
    diag.file = Some(path.to_path_buf());
    diag
}

fn scan_year(
    d: &mut Discovery,
    la: LaCode,
    year: CollectionYear,
    files: &[(PathBuf, String, bool)],
) {
    d.la_years.entry(la).or_default().insert(year);
    for (path, name, is_dir) in files {
        if is_hidden(name) {
            continue;
        }
        if *is_dir {
            let mut diag = folder_diag(
                path,
                format!("folder `{name}` inside a year folder; ignored"),
            );
            diag.la = Some(la);
            diag.year = Some(year);
            d.diagnostics.push(diag);
        } else if has_csv_ext(path) || crate::xml::is_xml(path) {
            // An XML return is split into its tables by `crate::xml::expand`.
            d.files.push(FileTask::new(
                path.clone(),
                la,
                year,
                None,
                YearSource::Folder,
            ));
        } else {
            let mut diag = Diagnostic::new(
                Severity::Info,
                rules::FILE_NOT_CSV,
                format!("`{name}` is not a .csv file; ignored (save SSDA903 tables as CSV UTF-8)"),
            );
            diag.la = Some(la);
            diag.year = Some(year);
            diag.file = Some(path.clone());
            d.diagnostics.push(diag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_names() {
        assert_eq!(parse_year_name("2025"), Some(CollectionYear(2025)));
        assert_eq!(parse_year_name("2024-25"), Some(CollectionYear(2025)));
        assert_eq!(parse_year_name("2024_25"), Some(CollectionYear(2025)));
        assert_eq!(parse_year_name("2024-2025"), Some(CollectionYear(2025)));
        assert_eq!(parse_year_name("1999-00"), Some(CollectionYear(2000)));
        assert_eq!(parse_year_name("202425"), Some(CollectionYear(2025)));
        assert_eq!(parse_year_name("20242025"), Some(CollectionYear(2025)));
        assert_eq!(parse_year_name("2024_2025"), Some(CollectionYear(2025)));
        assert_eq!(
            parse_year_name("2024\u{2013}25"),
            Some(CollectionYear(2025))
        );
        assert_eq!(parse_year_name("2024 - 25"), Some(CollectionYear(2025)));
        assert_eq!(parse_year_name("2024/25"), Some(CollectionYear(2025)));
        assert_eq!(parse_year_name("202426"), None);
        assert_eq!(parse_year_name("2024-"), None);
        assert_eq!(parse_year_name("12345"), None);
        assert_eq!(parse_year_name("2024-26"), None);
        assert_eq!(parse_year_name("25"), None);
        assert_eq!(parse_year_name("800"), None);
        assert_eq!(parse_year_name("latest"), None);
    }

    #[test]
    fn table_names() {
        assert_eq!(parse_table_name("episodes"), Some(TableKind::Episodes));
        assert_eq!(parse_table_name("UASC"), Some(TableKind::Uasc));
        assert_eq!(parse_table_name("SWEpisodes"), Some(TableKind::SwEpisodes));
        assert_eq!(parse_table_name("SwEpisodes"), Some(TableKind::SwEpisodes));
        assert_eq!(parse_table_name("nope"), None);
    }
}
