//! `iro reference import-dfe`: the DfE's published LA-level CSVs (as
//! downloaded from explore-education-statistics) read, checked and turned
//! into rows of the bundled tables' own format, for a reference overlay
//! ([`crate::overlay`]).
//!
//! A file is recognised by its columns, never by its name
//! ([`DfeKind::recognise`]). Every problem names the file, the line and the
//! column ([`ImportProblem`]). A file with an error is not used at all (a
//! year half replaced would mix two releases); warnings (a total that does
//! not add up, a population that is not the ONS estimate the DfE says it
//! used) are reported and the figures kept as published.
//!
//! **Invariant:** every figure written is a copy of the text the DfE
//! printed; nothing is recomputed. Arithmetic is used in checks only.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use csv::StringRecord;
use iro_domain::{CollectionYear, LaCode};
use sha2::{Digest, Sha256};

use crate::overlay::OverlayTable;
use crate::published::Published;
use crate::reference::Reference;
use crate::types::{ENGLAND_ONS_CODE, Geography, Measure};

/// The columns every explore-education-statistics file of a geography has.
const GEOGRAPHY_COLUMNS: &[&str] = &[
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
];

/// The DfE (and DfE-curated ONS) files `import-dfe` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DfeKind {
    /// `cla_number_and_rate_per_10k_children.csv`: CLA at 31 March, starts
    /// and ceases, count, population and rate per 10,000.
    ClaRates,
    /// `la_cla_placement_stability.csv`.
    PlacementStability,
    /// `la_cla_during_year_new_placements.csv` (location and distance).
    NewPlacements,
    /// `ons_mid-year_population_estimates_…csv`: children aged 0 to 17.
    Population,
    /// `New_Statistical_Neighbour_Groupings_April_2021.csv`.
    NeighbourGroupings2021,
    /// `sn_model_2025_wide.csv`.
    NeighbourModel2025,
}

impl DfeKind {
    pub const ALL: [DfeKind; 6] = [
        DfeKind::ClaRates,
        DfeKind::PlacementStability,
        DfeKind::NewPlacements,
        DfeKind::Population,
        DfeKind::NeighbourGroupings2021,
        DfeKind::NeighbourModel2025,
    ];

    /// What the file holds, in words.
    pub fn label(self) -> &'static str {
        match self {
            DfeKind::ClaRates => "children looked after: numbers and rates per 10,000",
            DfeKind::PlacementStability => "placement stability",
            DfeKind::NewPlacements => "new placements during the year: location and distance",
            DfeKind::Population => "ONS mid-year estimates of children aged 0 to 17",
            DfeKind::NeighbourGroupings2021 => "statistical neighbours (groupings of April 2021)",
            DfeKind::NeighbourModel2025 => "statistical neighbours (model 2025)",
        }
    }

    /// The file name the DfE gives it (for messages only: files are
    /// recognised by their columns).
    pub fn usual_name(self) -> &'static str {
        match self {
            DfeKind::ClaRates => "cla_number_and_rate_per_10k_children.csv",
            DfeKind::PlacementStability => "la_cla_placement_stability.csv",
            DfeKind::NewPlacements => "la_cla_during_year_new_placements.csv",
            DfeKind::Population => "ons_mid-year_population_estimates_2012_to_2024.csv",
            DfeKind::NeighbourGroupings2021 => "New_Statistical_Neighbour_Groupings_April_2021.csv",
            DfeKind::NeighbourModel2025 => "sn_model_2025_wide.csv",
        }
    }

    /// The publication it comes from.
    pub fn publication(self) -> &'static str {
        match self {
            DfeKind::ClaRates | DfeKind::PlacementStability | DfeKind::NewPlacements => {
                "DfE, Children looked after in England including adoptions"
            }
            DfeKind::Population => "ONS mid-year population estimates, as curated by the DfE",
            DfeKind::NeighbourGroupings2021 | DfeKind::NeighbourModel2025 => {
                "DfE statistical neighbours"
            }
        }
    }

    /// The overlay table its rows go to.
    pub fn table(self) -> OverlayTable {
        match self {
            DfeKind::ClaRates => OverlayTable::ClaPublished,
            DfeKind::PlacementStability | DfeKind::NewPlacements => OverlayTable::Stability,
            DfeKind::Population => OverlayTable::Population,
            DfeKind::NeighbourGroupings2021 | DfeKind::NeighbourModel2025 => {
                OverlayTable::Neighbours
            }
        }
    }

    /// The column(s) that tell this kind of file from the others.
    fn markers(self) -> &'static [&'static str] {
        match self {
            DfeKind::ClaRates => &["population_type"],
            DfeKind::PlacementStability => &["cla_group", "placement_stability"],
            DfeKind::NewPlacements => &["characteristic", "breakdown"],
            DfeKind::Population => &["age_group"],
            DfeKind::NeighbourGroupings2021 => &["GOInd"],
            DfeKind::NeighbourModel2025 => &["region_ind"],
        }
    }

    /// Columns the file must have beside the geography's.
    fn own_columns(self) -> &'static [&'static str] {
        match self {
            DfeKind::ClaRates => &[
                "population_type",
                "population_estimate",
                "children_count",
                "rate_per_10000",
            ],
            DfeKind::PlacementStability => &[
                "cla_group",
                "placement_stability",
                "children_count",
                "children_percent",
            ],
            DfeKind::NewPlacements => &[
                "characteristic",
                "breakdown",
                "children_count",
                "children_percent",
            ],
            DfeKind::Population => &["age_group", "population_estimate"],
            DfeKind::NeighbourGroupings2021 => &["LA num", "LA number", "GOInd", "SN1", "SNP"],
            DfeKind::NeighbourModel2025 => {
                &["old_la_code", "la_name", "region_ind", "SN_1", "SN_1P"]
            }
        }
    }

    fn has_geography(self) -> bool {
        !matches!(
            self,
            DfeKind::NeighbourGroupings2021 | DfeKind::NeighbourModel2025
        )
    }

    /// Every column the file must have.
    pub fn required_columns(self) -> Vec<&'static str> {
        let mut cols: Vec<&'static str> = if self.has_geography() {
            GEOGRAPHY_COLUMNS.to_vec()
        } else {
            Vec::new()
        };
        cols.extend(self.own_columns());
        if self == DfeKind::NeighbourModel2025 {
            for k in 2..=10 {
                cols.push(SN_2025_COLUMNS[2 * (k - 1)]);
                cols.push(SN_2025_COLUMNS[2 * (k - 1) + 1]);
            }
        }
        cols
    }

    /// The kind whose marker columns are all in `header`.
    pub fn recognise(header: &[&str]) -> Option<DfeKind> {
        DfeKind::ALL
            .into_iter()
            .find(|k| k.markers().iter().all(|m| header.contains(m)))
    }
}

const SN_2025_COLUMNS: [&str; 20] = [
    "SN_1", "SN_1P", "SN_2", "SN_2P", "SN_3", "SN_3P", "SN_4", "SN_4P", "SN_5", "SN_5P", "SN_6",
    "SN_6P", "SN_7", "SN_7P", "SN_8", "SN_8P", "SN_9", "SN_9P", "SN_10", "SN_10P",
];

impl fmt::Display for DfeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The figures are kept as published; the analyst should know.
    Warning,
    /// The file is not used.
    Error,
}

/// One problem in one imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub severity: Severity,
    /// The file as given.
    pub file: String,
    /// 1-based line (the header is line 1); `None` for the whole file.
    pub line: Option<u64>,
    pub column: Option<String>,
    /// The value at fault, as in the file (blank when none).
    pub value: String,
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{word}: {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": {}", self.message)?;
        if !self.value.is_empty() {
            write!(f, " (value `{}`)", self.value)?;
        }
        Ok(())
    }
}

/// One file read: what it is, its rows in the bundled table's format, and
/// every problem found.
#[derive(Debug, Clone)]
pub struct ImportedFile {
    /// The path as given.
    pub file: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// `None`: not recognised (a problem says why).
    pub kind: Option<DfeKind>,
    /// The release the rows are labelled with (`DfE CLA 2026 release (EES)`).
    pub release: String,
    /// The years (collection years; mid-years for populations) of the rows.
    pub years: BTreeSet<i32>,
    /// Rows of [`DfeKind::table`], each in that table's column order.
    pub rows: Vec<Vec<String>>,
    /// Rows of the file read.
    pub rows_read: usize,
    /// Rows read but not imported because the bundled tables hold no such
    /// figure (e.g. reasons for placement change), with what they were.
    pub rows_not_used: BTreeMap<String, usize>,
    pub problems: Vec<ImportProblem>,
    /// Why a file the DfE publishes beside these is left alone on purpose
    /// (the ONS lower- to upper-tier lookup: iro's bundled one is used), or
    /// `None`.
    pub skipped: Option<String>,
}

impl ImportedFile {
    /// Whether its rows can be imported (recognised, no error).
    pub fn usable(&self) -> bool {
        self.kind.is_some()
            && !self.rows.is_empty()
            && !self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// `2021 to 2026`, `2012 to 2024`, `2025`.
    pub fn years_text(&self) -> String {
        match (self.years.first(), self.years.last()) {
            (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
            (Some(a), _) => a.to_string(),
            _ => String::new(),
        }
    }
}

/// What the import needs besides the files.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The release to label the rows with, instead of the one named after
    /// the latest year of each file (`DfE CLA 2026 release (EES)`).
    pub release: Option<String>,
}

/// Reads and checks every file against `base` (the authority list and
/// regions; populations to check the DfE's denominators against). The
/// population files are read first, so a CLA file's denominators are
/// checked against a population file imported beside it.
pub fn import_files(
    paths: &[impl AsRef<Path>],
    base: &Reference,
    options: &ImportOptions,
) -> Vec<ImportedFile> {
    let mut read: Vec<(usize, ImportedFile, Option<Parsed>)> = Vec::new();
    for (k, p) in paths.iter().enumerate() {
        let (file, records) = open(p.as_ref());
        read.push((k, file, records));
    }
    // Populations first: their figures check the CLA files' denominators.
    read.sort_by_key(|(k, f, _)| (f.kind != Some(DfeKind::Population), *k));
    let mut populations: HashMap<(Geography, i32), u64> = HashMap::new();
    let mut out = Vec::new();
    for (k, mut file, records) in read {
        if let (Some(kind), Some(parsed)) = (file.kind, records) {
            let mut cx = Reader {
                base,
                file: &mut file,
                populations: &populations,
                columns: &parsed.columns,
            };
            cx.read(kind, &parsed.records);
            let release = options
                .release
                .clone()
                .unwrap_or_else(|| release_label(kind, &file.years));
            file.release = release.clone();
            let source = source_label(&file.file, &file.sha256);
            for row in &mut file.rows {
                if matches!(
                    kind.table(),
                    OverlayTable::ClaPublished | OverlayTable::Stability
                ) {
                    row.push(release.clone());
                    row.push(source.clone());
                }
            }
            if kind == DfeKind::Population && file.usable() {
                for row in &file.rows {
                    if let (Ok(year), Some(g), Ok(Published::Value(v))) = (
                        row[0].parse::<i32>(),
                        geography_of_row(&row[1], &row[2], &row[3]),
                        Published::<u64>::parse(&row[5]),
                    ) {
                        populations.insert((g, year), v);
                    }
                }
            }
            sort_rows(kind.table(), &mut file.rows);
        }
        out.push((k, file));
    }
    out.sort_by_key(|(k, _)| *k);
    out.into_iter().map(|(_, f)| f).collect()
}

/// The release a file's rows are labelled with: the DfE's CLA release of
/// the latest year the file holds, as the bundled tables name it.
fn release_label(kind: DfeKind, years: &BTreeSet<i32>) -> String {
    let last = years.last().copied().unwrap_or_default();
    match kind {
        DfeKind::ClaRates | DfeKind::PlacementStability | DfeKind::NewPlacements => {
            format!("DfE CLA {last} release (EES)")
        }
        DfeKind::Population => format!("ONS mid-year estimates to mid-{last} (DfE-curated)"),
        DfeKind::NeighbourGroupings2021 => "DfE statistical neighbour groupings, April 2021".into(),
        DfeKind::NeighbourModel2025 => "DfE statistical neighbour model 2025".into(),
    }
}

/// The `source` column of an imported row: the file's name and the start of
/// its SHA-256 (the whole is in the overlay's provenance).
fn source_label(file: &str, sha256: &str) -> String {
    let name = Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
    format!(
        "imported {name} (sha256 {})",
        &sha256[..sha256.len().min(16)]
    )
}

/// Reads a file's bytes, hashes them and recognises the kind from the
/// header. On failure the problem is on the returned file.
fn open(path: &Path) -> (ImportedFile, Option<Parsed>) {
    let shown = path.display().to_string();
    let mut file = ImportedFile {
        file: shown.clone(),
        sha256: String::new(),
        kind: None,
        release: String::new(),
        years: BTreeSet::new(),
        rows: Vec::new(),
        rows_read: 0,
        rows_not_used: BTreeMap::new(),
        problems: Vec::new(),
        skipped: None,
    };
    let whole = |file: &mut ImportedFile, message: String| {
        file.problems.push(ImportProblem {
            severity: Severity::Error,
            file: shown.clone(),
            line: None,
            column: None,
            value: String::new(),
            message,
        });
    };
    // The documentation and metadata a download holds beside its data
    // (README, data guidance, PDFs): nothing to import.
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if matches!(
        ext.as_deref(),
        Some("md" | "txt" | "pdf" | "html" | "htm" | "json" | "docx" | "odt")
    ) {
        file.skipped =
            Some("not a data file (the DfE's data files are CSV): nothing to import".into());
        return (file, None);
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            whole(&mut file, format!("cannot read: {e}"));
            return (file, None);
        }
    };
    file.sha256 = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let Ok(text) = std::str::from_utf8(&bytes) else {
        whole(
            &mut file,
            "not UTF-8 text: save it as CSV (UTF-8), as explore-education-statistics gives it"
                .into(),
        );
        return (file, None);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Windows line ends (a file saved by Excel): the CSV reader counts a
    // record's line one short after a `\r\n` header, so lines are made `\n`
    // first and every problem names the line a text editor shows.
    let text: std::borrow::Cow<'_, str> = if text.contains("\r\n") {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            whole(&mut file, format!("malformed CSV: {e}"));
            return (file, None);
        }
    };
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let is = |prefix: &str| {
        names
            .iter()
            .any(|n| n.starts_with(prefix) && n.ends_with("CD"))
    };
    if is("LTLA") && is("UTLA") {
        file.skipped = Some(
            "the ONS lookup of lower- to upper-tier authorities: not imported, iro uses its \
             bundled lookup (ltla_utla_apr23.csv); nothing to do"
                .to_string(),
        );
        return (file, None);
    }
    let Some(kind) = DfeKind::recognise(&names) else {
        let known: Vec<&str> = DfeKind::ALL.iter().map(|k| k.usual_name()).collect();
        whole(
            &mut file,
            format!(
                "not a DfE file iro knows (files are recognised by their columns; iro reads {}: \
                 docs/DATA.md, \"Newer DfE figures\")",
                known.join(", ")
            ),
        );
        return (file, None);
    };
    file.kind = Some(kind);
    let mut missing = false;
    for c in kind.required_columns() {
        if !names.contains(&c) {
            missing = true;
            file.problems.push(ImportProblem {
                severity: Severity::Error,
                file: shown.clone(),
                line: Some(1),
                column: Some(c.to_string()),
                value: String::new(),
                message: format!(
                    "the header has no column `{c}`, which a {} file ({}) has",
                    kind.label(),
                    kind.usual_name()
                ),
            });
        }
    }
    if missing {
        return (file, None);
    }
    let mut records = Vec::new();
    for r in reader.records() {
        match r {
            Ok(rec) => records.push(rec),
            Err(e) => {
                file.problems.push(ImportProblem {
                    severity: Severity::Error,
                    file: shown.clone(),
                    line: e.position().map(|p| p.line()),
                    column: None,
                    value: String::new(),
                    message: format!("malformed CSV: {e}"),
                });
                return (file, None);
            }
        }
    }
    // The columns by name, for the readers below.
    // The first of two columns of the same name (the 2021 groupings repeat
    // `SNP`) is the one found by name.
    let columns: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .rev()
        .map(|(k, h)| (h.clone(), k))
        .collect();
    (file, Some(Parsed { columns, records }))
}

/// A recognised file's header (column name → position) and rows.
struct Parsed {
    columns: HashMap<String, usize>,
    records: Vec<StringRecord>,
}

/// One row of a DfE file, addressed by column name.
struct DfeRow<'r> {
    rec: &'r StringRecord,
    columns: &'r HashMap<String, usize>,
}

impl DfeRow<'_> {
    fn line(&self) -> u64 {
        self.rec.position().map_or(0, |p| p.line())
    }

    fn get(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|&k| self.rec.get(k))
            .map_or("", str::trim)
    }

    fn at(&self, k: usize) -> &str {
        self.rec.get(k).map_or("", str::trim)
    }
}

/// The geography of a row as the bundled tables write it:
/// (`geography_level`, `ons_code`, `la_code`, name).
struct Area {
    level: &'static str,
    ons: String,
    la: String,
    name: String,
    geography: Geography,
}

/// Reading one recognised file.
struct Reader<'a> {
    base: &'a Reference,
    file: &'a mut ImportedFile,
    populations: &'a HashMap<(Geography, i32), u64>,
    columns: &'a HashMap<String, usize>,
}

impl Reader<'_> {
    fn problem(
        &mut self,
        severity: Severity,
        line: u64,
        column: &str,
        value: &str,
        message: impl Into<String>,
    ) {
        self.file.problems.push(ImportProblem {
            severity,
            file: self.file.file.clone(),
            line: Some(line),
            column: (!column.is_empty()).then(|| column.to_string()),
            value: value.to_string(),
            message: message.into(),
        });
    }

    fn error(&mut self, row: &DfeRow<'_>, column: &str, message: impl Into<String>) {
        let value = row.get(column).to_string();
        self.problem(Severity::Error, row.line(), column, &value, message);
    }

    fn not_used(&mut self, what: String) {
        *self.file.rows_not_used.entry(what).or_default() += 1;
    }

    fn read(&mut self, kind: DfeKind, records: &[StringRecord]) {
        self.file.rows_read = records.len();
        let columns = self.columns;
        let rows: Vec<DfeRow<'_>> = records.iter().map(|rec| DfeRow { rec, columns }).collect();
        match kind {
            DfeKind::ClaRates => self.cla_rates(&rows),
            DfeKind::PlacementStability => self.stability(&rows),
            DfeKind::NewPlacements => self.new_placements(&rows),
            DfeKind::Population => self.population(&rows),
            DfeKind::NeighbourGroupings2021 => self.neighbours_2021(&rows),
            DfeKind::NeighbourModel2025 => self.neighbours_2025(&rows),
        }
        if self.file.rows.is_empty() && !self.file.problems.is_empty() {
            return;
        }
        if self.file.rows.is_empty() {
            let line = 1;
            self.problem(
                Severity::Error,
                line,
                "",
                "",
                "no rows iro can use in this file",
            );
        }
    }

    /// The year of a row (`time_period`): four digits (`2026`, as the CLA
    /// files' "Reporting year" gives it), or, for the CLA files, the span
    /// explore-education-statistics gives a financial year (`202526`), which
    /// is the collection year ending 31 March of its second year (2026).
    /// Population files are at a mid-year: four digits only.
    fn year(&mut self, row: &DfeRow<'_>) -> Option<i32> {
        let t = row.get("time_period");
        let digits = t.bytes().all(|b| b.is_ascii_digit());
        let span = self.file.kind != Some(DfeKind::Population) && t.len() == 6 && digits;
        let year = match (t.len(), digits) {
            (4, true) => t.parse::<i32>().ok(),
            (6, true) if span => {
                let first: i32 = t[..4].parse().ok()?;
                let second: i32 = t[4..].parse().ok()?;
                (second == (first + 1) % 100).then_some(first + 1)
            }
            _ => None,
        };
        match year {
            Some(y) if (2000..=2100).contains(&y) => {
                self.file.years.insert(y);
                Some(y)
            }
            _ => {
                let why = if span {
                    "expected two consecutive years (e.g. 202526, the year to 31 March 2026)"
                } else if t.len() == 6 && digits {
                    "expected the mid-year the estimates are at (four digits, e.g. 2025), not a span"
                } else {
                    "expected a year (four digits, e.g. 2026, or a span such as 202526)"
                };
                self.error(row, "time_period", why);
                None
            }
        }
    }

    /// The area of a row, checked against the authority list and regions.
    fn area(&mut self, row: &DfeRow<'_>) -> Option<Area> {
        match row.get("geographic_level") {
            "National" => {
                let code = row.get("country_code");
                if code != ENGLAND_ONS_CODE {
                    self.error(row, "country_code", "expected England, E92000001");
                    return None;
                }
                Some(Area {
                    level: "national",
                    ons: code.to_string(),
                    la: String::new(),
                    name: row.get("country_name").to_string(),
                    geography: Geography::England,
                })
            }
            "Regional" => {
                let code = row.get("region_code");
                let known = self
                    .base
                    .regions()
                    .iter()
                    .chain(self.base.london_subregions())
                    .any(|r| r.ons_code == code);
                if !known {
                    self.error(
                        row,
                        "region_code",
                        "not a region (E12…) or Inner/Outer London (E13…) in regions.csv",
                    );
                    return None;
                }
                Some(Area {
                    level: if code.starts_with("E13") {
                        "london_subregion"
                    } else {
                        "regional"
                    },
                    ons: code.to_string(),
                    la: String::new(),
                    name: row.get("region_name").to_string(),
                    geography: Geography::Region(code.to_string()),
                })
            }
            "Local authority" => {
                let Ok(code) = row.get("old_la_code").parse::<LaCode>() else {
                    self.error(row, "old_la_code", "expected a DfE 3-digit authority code");
                    return None;
                };
                let Some(rec) = self.base.la_record(code) else {
                    self.error(
                        row,
                        "old_la_code",
                        "not an authority in local_authorities.csv (a new authority needs a \
                         newer iro)",
                    );
                    return None;
                };
                let ons = row.get("new_la_code");
                if ons != rec.identity.ons_code && !rec.former_ons_codes.iter().any(|f| f == ons) {
                    let expected = rec.identity.ons_code.clone();
                    self.error(
                        row,
                        "new_la_code",
                        format!(
                            "not an ONS code of authority {code} in local_authorities.csv \
                             ({expected})"
                        ),
                    );
                    return None;
                }
                Some(Area {
                    level: "local_authority",
                    ons: ons.to_string(),
                    la: code.to_string(),
                    name: row.get("la_name").to_string(),
                    geography: Geography::La(code),
                })
            }
            _ => {
                self.error(
                    row,
                    "geographic_level",
                    "expected National, Regional or Local authority",
                );
                None
            }
        }
    }

    /// A published cell: a number or a DfE symbol.
    fn cell<T: crate::published::Number>(
        &mut self,
        row: &DfeRow<'_>,
        column: &str,
    ) -> Option<Published<T>> {
        let raw = row.get(column);
        if raw.is_empty() {
            self.error(
                row,
                column,
                "blank: the DfE writes a symbol (c, z, x, k, low, u) where there is no number",
            );
            return None;
        }
        match Published::<T>::parse(raw) {
            Ok(p) => Some(p),
            Err(why) => {
                self.error(row, column, why);
                None
            }
        }
    }

    /// A row's count and percentage of children (both read and checked, so
    /// both are reported when they cannot be), and whether its authority
    /// existed that year; `None` when either cannot be read.
    fn count_cell(&mut self, row: &DfeRow<'_>, area: &Area, year: i32) -> Option<Cell> {
        let (Some(count), Some(_)) = (
            self.cell::<u64>(row, "children_count"),
            self.cell::<f64>(row, "children_percent"),
        ) else {
            return None;
        };
        self.check_existence(row, area, year, "children_count");
        Some(Cell {
            line: row.line(),
            count: row.get("children_count").to_string(),
            value: count.value(),
            percent: row.get("children_percent").to_string(),
        })
    }

    /// An authority's row with a figure for a year it did not exist in.
    fn check_existence(&mut self, row: &DfeRow<'_>, area: &Area, year: i32, column: &str) {
        if let Geography::La(code) = area.geography
            && !self.base.is_current(code, CollectionYear(year))
            && Published::<f64>::parse(row.get(column)).is_ok_and(|p| p.is_value())
        {
            self.error(
                row,
                column,
                format!(
                    "a figure for authority {code} in {year}, a year it did not exist in \
                     (local_authorities.csv)"
                ),
            );
        }
    }

    fn cla_rates(&mut self, rows: &[DfeRow<'_>]) {
        let mut seen: HashMap<(i32, Geography, Measure), u64> = HashMap::new();
        let mut totals = Totals::default();
        for row in rows {
            let (Some(year), Some(area)) = (self.year(row), self.area(row)) else {
                continue;
            };
            let measure = match row.get("population_type") {
                "Children looked after on 31 March each year" => Measure::Cla31March,
                "Children starting to be looked after each year" => Measure::Starts,
                "Children ceasing to be looked after each year" => Measure::Ceases,
                _ => {
                    self.error(
                        row,
                        "population_type",
                        "expected children looked after on 31 March, starting or ceasing \
                         to be looked after each year",
                    );
                    continue;
                }
            };
            let (Some(pop), Some(count), Some(rate)) = (
                self.cell::<u64>(row, "population_estimate"),
                self.cell::<u64>(row, "children_count"),
                self.cell::<f64>(row, "rate_per_10000"),
            ) else {
                continue;
            };
            self.check_existence(row, &area, year, "children_count");
            if let Some(first) = seen.insert((year, area.geography.clone(), measure), row.line()) {
                self.duplicate(row, first);
                continue;
            }
            totals.add(
                &area.geography,
                (year, measure.id().to_string()),
                count.value(),
                row.line(),
                "children_count",
            );
            self.check_denominator(row, &area, year, pop);
            if let (Geography::La(_), Some(c), Some(p), Some(r)) =
                (&area.geography, count.value(), pop.value(), rate.value())
            {
                // The DfE's rate: count × 10,000 ÷ population, rounded half up.
                let expected = (c as f64 * 10_000.0 / p as f64 + 0.5).floor();
                if p > 0 && (expected - r).abs() > 0.5 {
                    let line = row.line();
                    self.problem(
                        Severity::Warning,
                        line,
                        "rate_per_10000",
                        row.get("rate_per_10000"),
                        format!("{c} × 10,000 ÷ {p} rounds to {expected}, not the rate printed"),
                    );
                }
            }
            self.file.rows.push(vec![
                year.to_string(),
                area.level.to_string(),
                area.ons,
                area.la,
                area.name,
                measure.id().to_string(),
                row.get("children_count").to_string(),
                row.get("population_estimate").to_string(),
                row.get("rate_per_10000").to_string(),
            ]);
        }
        self.check_totals(&totals, "children_count", 10);
    }

    /// The population the DfE divided by for year Y is the ONS mid-year
    /// Y − 1 estimate (the bundled or an imported population file).
    fn check_denominator(&mut self, row: &DfeRow<'_>, area: &Area, year: i32, pop: Published<u64>) {
        let Some(p) = pop.value() else { return };
        let mid = year - crate::DENOMINATOR_MID_YEAR_LAG;
        let known = self
            .populations
            .get(&(area.geography.clone(), mid))
            .copied()
            .or_else(|| {
                self.base
                    .population_u18(area.geography.clone(), mid)
                    .and_then(|v| v.value())
            });
        match known {
            Some(k) if k != p => {
                let line = row.line();
                self.problem(
                    Severity::Warning,
                    line,
                    "population_estimate",
                    row.get("population_estimate"),
                    format!(
                        "the ONS mid-{mid} estimate of children aged 0 to 17 is {k}, not the \
                         population the DfE printed"
                    ),
                );
            }
            Some(_) => {}
            None => {
                let what = format!(
                    "no ONS mid-{mid} population held to check the DfE's population against \
                     (import the ONS population file with it)"
                );
                if !self.file.problems.iter().any(|q| q.message == what) {
                    let line = row.line();
                    self.problem(Severity::Warning, line, "population_estimate", "", what);
                }
            }
        }
    }

    fn duplicate(&mut self, row: &DfeRow<'_>, first: u64) {
        let line = row.line();
        self.problem(
            Severity::Error,
            line,
            "",
            "",
            format!("a second row for the same year, area and figure (the first is line {first})"),
        );
    }

    fn stability(&mut self, rows: &[DfeRow<'_>]) {
        const GROUPS: [(&str, &str, &str); 3] = [
            (
                "CLA on 31 March",
                crate::indicators::PLACEMENTS_3PLUS_IN_YEAR,
                "With 3 or more placements during the year",
            ),
            (
                "CLA 2 years on 31 March",
                crate::indicators::PLACEMENTS_3PLUS_PREV_2YRS,
                "With 3 or more placements during the previous 2 years",
            ),
            (
                "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
                crate::indicators::LONG_TERM_STABILITY_SAME_CARER,
                "Living with the same carer for at least 2 years",
            ),
        ];
        let mut groups: BTreeMap<(i32, usize, String), Group> = BTreeMap::new();
        for row in rows {
            let (Some(year), Some(area)) = (self.year(row), self.area(row)) else {
                continue;
            };
            let group = row.get("cla_group");
            let Some(g) = GROUPS.iter().position(|(name, _, _)| *name == group) else {
                self.not_used(format!(
                    "cla_group `{group}`, which the bundled tables do not hold"
                ));
                continue;
            };
            let stability = row.get("placement_stability").to_string();
            let Some(cell) = self.count_cell(row, &area, year) else {
                continue;
            };
            let key = (year, g, area_key(&area));
            let entry = groups
                .entry(key)
                .or_insert_with(|| Group::new(area, cell.line));
            if let Err(first) = entry.add(stability, cell) {
                self.duplicate(row, first);
            }
        }
        let mut totals = Totals::default();
        for ((year, g, _), group) in groups {
            let (_, indicator, numerator) = GROUPS[g];
            let (Some(num), Some(total)) = (
                group.cells.get(numerator),
                group.cells.get("Total children"),
            ) else {
                self.group_incomplete(&group, &[numerator, "Total children"]);
                continue;
            };
            for (label, cell) in [(numerator, num), ("Total children", total)] {
                totals.add(
                    &group.area.geography,
                    (year, format!("{indicator} {label}")),
                    cell.value,
                    cell.line,
                    "children_count",
                );
            }
            let row = group.row(year, indicator, num, total);
            self.file.rows.push(row);
        }
        self.check_totals(&totals, "children_count", 10);
    }

    fn group_incomplete(&mut self, group: &Group, needed: &[&str]) {
        let missing: Vec<&str> = needed
            .iter()
            .copied()
            .filter(|n| !group.cells.contains_key(*n))
            .collect();
        self.problem(
            Severity::Error,
            group.line,
            "",
            "",
            format!(
                "{} has no row for {}",
                group.area.name,
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }

    fn new_placements(&mut self, rows: &[DfeRow<'_>]) {
        const LOCATION: &str = "Location of new placements during the year";
        const TOTAL: &str = "Total new placements";
        const BREAKDOWNS: [(&str, &str); 5] = [
            (
                "Placed inside LA boundary less than 20 miles from home",
                crate::indicators::NEW_PLACEMENTS_INSIDE_LA_UNDER_20_MILES,
            ),
            (
                "Placed inside LA boundary more than 20 miles from home",
                crate::indicators::NEW_PLACEMENTS_INSIDE_LA_OVER_20_MILES,
            ),
            (
                "Placed outside LA boundary less than 20 miles from home",
                crate::indicators::NEW_PLACEMENTS_OUTSIDE_LA_UNDER_20_MILES,
            ),
            (
                "Placed outside LA boundary more than 20 miles from home",
                crate::indicators::NEW_PLACEMENTS_OUTSIDE_LA_OVER_20_MILES,
            ),
            (
                "Distance not known or not recorded",
                crate::indicators::NEW_PLACEMENTS_DISTANCE_NOT_KNOWN,
            ),
        ];
        let mut groups: BTreeMap<(i32, String), Group> = BTreeMap::new();
        for row in rows {
            let characteristic = row.get("characteristic");
            if characteristic != LOCATION {
                self.not_used(format!(
                    "characteristic `{characteristic}`, which the bundled tables do not hold"
                ));
                continue;
            }
            let (Some(year), Some(area)) = (self.year(row), self.area(row)) else {
                continue;
            };
            let breakdown = row.get("breakdown").to_string();
            if breakdown != TOTAL && !BREAKDOWNS.iter().any(|(b, _)| *b == breakdown) {
                self.error(
                    row,
                    "breakdown",
                    "not a location of new placements iro knows",
                );
                continue;
            }
            let Some(cell) = self.count_cell(row, &area, year) else {
                continue;
            };
            let key = (year, area_key(&area));
            let entry = groups
                .entry(key)
                .or_insert_with(|| Group::new(area, cell.line));
            if let Err(first) = entry.add(breakdown, cell) {
                self.duplicate(row, first);
            }
        }
        let mut totals = Totals::default();
        let needed: Vec<&str> = BREAKDOWNS.iter().map(|(b, _)| *b).chain([TOTAL]).collect();
        for ((year, _), group) in groups {
            if needed.iter().any(|n| !group.cells.contains_key(*n)) {
                self.group_incomplete(&group, &needed);
                continue;
            }
            let total = &group.cells[TOTAL];
            totals.add(
                &group.area.geography,
                (year, TOTAL.to_string()),
                total.value,
                total.line,
                "children_count",
            );
            for (label, indicator) in BREAKDOWNS {
                let cell = &group.cells[label];
                totals.add(
                    &group.area.geography,
                    (year, label.to_string()),
                    cell.value,
                    cell.line,
                    "children_count",
                );
                let row = group.row(year, indicator, cell, total);
                self.file.rows.push(row);
            }
        }
        self.check_totals(&totals, "children_count", 10);
    }

    fn population(&mut self, rows: &[DfeRow<'_>]) {
        const AGE: &str = "Children aged 0 to 17 years";
        let mut seen: HashMap<(i32, Geography), u64> = HashMap::new();
        let mut totals = Totals::default();
        for row in rows {
            let age = row.get("age_group");
            if age != AGE {
                self.not_used(format!(
                    "age_group `{age}`, which the bundled tables do not hold"
                ));
                continue;
            }
            let (Some(year), Some(area)) = (self.year(row), self.area(row)) else {
                continue;
            };
            let Some(value) = self.cell::<u64>(row, "population_estimate") else {
                continue;
            };
            if let Some(first) = seen.insert((year, area.geography.clone()), row.line()) {
                self.duplicate(row, first);
                continue;
            }
            totals.add(
                &area.geography,
                (year, String::new()),
                value.value(),
                row.line(),
                "population_estimate",
            );
            self.file.rows.push(vec![
                year.to_string(),
                area.level.to_string(),
                area.ons,
                area.la,
                area.name,
                row.get("population_estimate").to_string(),
            ]);
        }
        // ONS estimates are not rounded: England is the sum of its regions.
        self.check_totals(&totals, "population_estimate", 0);
    }

    fn neighbour(
        &mut self,
        row: &DfeRow<'_>,
        model: &str,
        la: &str,
        k: usize,
        nb: usize,
        cl: usize,
    ) {
        let line = row.line();
        let code = row.at(nb).to_string();
        let column = format!("neighbour {}", k + 1);
        if code
            .parse::<LaCode>()
            .ok()
            .and_then(|c| self.base.la_record(c))
            .is_none()
        {
            self.problem(
                Severity::Error,
                line,
                &column,
                &code,
                "not an authority in local_authorities.csv",
            );
            return;
        }
        let closeness = row.at(cl).to_string();
        if crate::types::Closeness::parse(&closeness).is_none() {
            self.problem(
                Severity::Error,
                line,
                &format!("closeness {}", k + 1),
                &closeness,
                "expected Extremely close, Very close, Close, Somewhat close or Not close",
            );
            return;
        }
        self.file.rows.push(vec![
            model.to_string(),
            la.to_string(),
            (k + 1).to_string(),
            code,
            closeness,
        ]);
    }

    fn neighbour_la(&mut self, row: &DfeRow<'_>, column: &str) -> Option<String> {
        let raw = row.get(column);
        match raw
            .parse::<LaCode>()
            .ok()
            .filter(|c| self.base.la_record(*c).is_some())
        {
            Some(c) => Some(c.to_string()),
            None => {
                self.error(row, column, "not an authority in local_authorities.csv");
                None
            }
        }
    }

    fn neighbours_2021(&mut self, rows: &[DfeRow<'_>]) {
        let first_sn = self.columns.get("SN1").copied().unwrap_or(5);
        let mut seen = HashMap::new();
        for row in rows {
            // Blank lines and the "Old SNs:" divider.
            if row.get("LA num").is_empty() {
                self.not_used("blank lines and the \"Old SNs\" divider".into());
                continue;
            }
            if row.get("LA num") != row.get("LA number") {
                self.error(row, "LA number", "differs from `LA num`");
                continue;
            }
            let Some(la) = self.neighbour_la(row, "LA num") else {
                continue;
            };
            if let Some(first) = seen.insert(la.clone(), row.line()) {
                self.duplicate(row, first);
                continue;
            }
            for k in 0..10 {
                self.neighbour(
                    row,
                    "groupings_2021",
                    &la,
                    k,
                    first_sn + 2 * k,
                    first_sn + 2 * k + 1,
                );
            }
        }
    }

    fn neighbours_2025(&mut self, rows: &[DfeRow<'_>]) {
        let at = |c: &str| self.columns.get(c).copied().unwrap_or(0);
        let positions: Vec<(usize, usize)> = (0..10)
            .map(|k| (at(SN_2025_COLUMNS[2 * k]), at(SN_2025_COLUMNS[2 * k + 1])))
            .collect();
        let mut seen = HashMap::new();
        for row in rows {
            if row.get("old_la_code").is_empty() {
                self.not_used("blank lines".into());
                continue;
            }
            let Some(la) = self.neighbour_la(row, "old_la_code") else {
                continue;
            };
            if let Some(first) = seen.insert(la.clone(), row.line()) {
                self.duplicate(row, first);
                continue;
            }
            for (k, (nb, cl)) in positions.iter().enumerate() {
                self.neighbour(row, "model_2025", &la, k, *nb, *cl);
            }
        }
    }

    /// England against the sum of the nine regions, and London against
    /// Inner plus Outer London, where the file gives every part: a
    /// difference more than `rounding` per figure added is a warning.
    fn check_totals(&mut self, totals: &Totals, column: &str, rounding: u64) {
        let mut problems = Vec::new();
        for (key, parts) in &totals.by_key {
            let regions: Vec<&(u64, u64)> = parts
                .regions
                .iter()
                .filter(|(code, _)| code.starts_with("E12"))
                .map(|(_, v)| v)
                .collect();
            if let Some((england, line)) = parts.england
                && regions.len() == 9
            {
                let sum: u64 = regions.iter().map(|(v, _)| v).sum();
                // Each figure is rounded to the nearest `rounding`: half of
                // it each, for England and the nine regions.
                let slack = rounding / 2 * 10;
                if sum.abs_diff(england) > slack {
                    problems.push((
                        line,
                        england,
                        format!(
                            "England's figure ({england}) is not the sum of the nine regions' \
                             ({sum}){}{}",
                            key_words(key),
                            if slack > 0 {
                                format!(", even allowing for rounding (±{slack})")
                            } else {
                                String::new()
                            }
                        ),
                    ));
                }
            }
            if let (Some((london, line)), Some((inner, _)), Some((outer, _))) = (
                parts.regions.get("E12000007"),
                parts.regions.get("E13000001"),
                parts.regions.get("E13000002"),
            ) {
                let slack = rounding / 2 * 3;
                if (inner + outer).abs_diff(*london) > slack {
                    problems.push((
                        *line,
                        *london,
                        format!(
                            "London's figure ({london}) is not Inner plus Outer London's ({}){}",
                            inner + outer,
                            key_words(key)
                        ),
                    ));
                }
            }
        }
        for (line, value, message) in problems {
            self.problem(Severity::Warning, line, column, &value.to_string(), message);
        }
    }
}

fn key_words((year, what): &(i32, String)) -> String {
    if what.is_empty() {
        format!(" in {year}")
    } else {
        format!(" in {year}, {what}")
    }
}

/// The national and regional figures of one year and figure, for the
/// totals check.
#[derive(Default)]
struct Parts {
    england: Option<(u64, u64)>,
    /// ONS code → (value, line).
    regions: BTreeMap<String, (u64, u64)>,
}

#[derive(Default)]
struct Totals {
    by_key: BTreeMap<(i32, String), Parts>,
}

impl Totals {
    fn add(
        &mut self,
        geography: &Geography,
        key: (i32, String),
        value: Option<u64>,
        line: u64,
        _column: &str,
    ) {
        let Some(v) = value else { return };
        let parts = self.by_key.entry(key).or_default();
        match geography {
            Geography::England => parts.england = Some((v, line)),
            Geography::Region(code) => {
                parts.regions.insert(code.clone(), (v, line));
            }
            Geography::La(_) => {}
        }
    }
}

/// A key that sorts areas as the bundled tables do (England, regions,
/// sub-regions, authorities by code).
fn area_key(a: &Area) -> String {
    format!("{}:{}:{}", level_order(a.level), a.la, a.ons)
}

fn level_order(level: &str) -> u8 {
    match level {
        "national" => 0,
        "regional" => 1,
        "london_subregion" => 2,
        _ => 3,
    }
}

/// The rows of one area, year and group of a stability or new-placements
/// file, by their `placement_stability` or `breakdown` label.
struct Group {
    area: Area,
    line: u64,
    cells: HashMap<String, Cell>,
}

struct Cell {
    line: u64,
    count: String,
    value: Option<u64>,
    percent: String,
}

impl Group {
    fn new(area: Area, line: u64) -> Self {
        Group {
            area,
            line,
            cells: HashMap::new(),
        }
    }

    /// Adds a cell under `key`, or gives the line of the one already there.
    fn add(&mut self, key: String, cell: Cell) -> Result<(), u64> {
        match self.cells.get(&key) {
            Some(first) => Err(first.line),
            None => {
                self.cells.insert(key, cell);
                Ok(())
            }
        }
    }

    fn row(&self, year: i32, indicator: &str, num: &Cell, total: &Cell) -> Vec<String> {
        vec![
            year.to_string(),
            self.area.level.to_string(),
            self.area.ons.clone(),
            self.area.la.clone(),
            self.area.name.clone(),
            indicator.to_string(),
            num.count.clone(),
            total.count.clone(),
            num.percent.clone(),
        ]
    }
}

/// The geography of a bundled-format row from its level, ONS and DfE codes.
fn geography_of_row(level: &str, ons: &str, la: &str) -> Option<Geography> {
    match level {
        "national" => Some(Geography::England),
        "regional" | "london_subregion" => Some(Geography::Region(ons.to_string())),
        "local_authority" => la.parse().ok().map(Geography::La),
        _ => None,
    }
}

/// Sorts rows as the bundled tables are sorted: year, level, authority
/// code, ONS code, then measure or indicator.
pub(crate) fn sort_rows(table: OverlayTable, rows: &mut [Vec<String>]) {
    let measure_order = |m: &str| Measure::parse(m).map_or(9, |m| m as u8);
    let num = |s: &str| s.parse::<i64>().unwrap_or(-1);
    match table {
        // In the order of the DfE's files (the 2021 groupings keep their
        // "Old SNs" at the end), each authority's list by rank.
        OverlayTable::Neighbours => {}
        OverlayTable::Population => {
            rows.sort_by(|a, b| {
                (num(&a[0]), level_order(&a[1]), num(&a[3]), a[2].as_str()).cmp(&(
                    num(&b[0]),
                    level_order(&b[1]),
                    num(&b[3]),
                    b[2].as_str(),
                ))
            });
        }
        OverlayTable::ClaPublished => {
            rows.sort_by(|a, b| {
                (
                    num(&a[0]),
                    level_order(&a[1]),
                    num(&a[3]),
                    a[2].as_str(),
                    measure_order(&a[5]),
                )
                    .cmp(&(
                        num(&b[0]),
                        level_order(&b[1]),
                        num(&b[3]),
                        b[2].as_str(),
                        measure_order(&b[5]),
                    ))
            });
        }
        OverlayTable::Stability => {
            rows.sort_by(|a, b| {
                (
                    num(&a[0]),
                    level_order(&a[1]),
                    num(&a[3]),
                    a[2].as_str(),
                    a[5].as_str(),
                )
                    .cmp(&(
                        num(&b[0]),
                        level_order(&b[1]),
                        num(&b[3]),
                        b[2].as_str(),
                        b[5].as_str(),
                    ))
            });
        }
    }
}
