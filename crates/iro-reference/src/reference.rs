//! [`Reference`]: the loaded tables and every lookup on them.

use std::collections::HashMap;
use std::path::Path;

use iro_domain::{CollectionYear, LaCode, LaIdentity, Region};

use crate::error::ReferenceError;
use crate::overlay::{OverlayApplied, OverlayTable, TableChange};
use crate::published::Published;
use crate::table::{Row, Table};
use crate::types::{
    Closeness, Denominator, ENGLAND_ONS_CODE, Geography, GeographyLevel, LaRecord, LtlaLink,
    Measure, NationalFigure, NationalSubject, Neighbour, PublishedFigure, SnModel, StabilityFigure,
};

/// The files a reference folder holds (the same names as `data/reference/`).
pub const FILES: [&str; 8] = [
    REGIONS,
    LOCAL_AUTHORITIES,
    POPULATION,
    CLA_PUBLISHED,
    STABILITY,
    NEIGHBOURS,
    LTLA_UTLA,
    ENGLAND_PUBLISHED,
];

const REGIONS: &str = "regions.csv";
const LOCAL_AUTHORITIES: &str = "local_authorities.csv";
const POPULATION: &str = "population_u18.csv";
const CLA_PUBLISHED: &str = "cla_published.csv";
const STABILITY: &str = "stability_published.csv";
const NEIGHBOURS: &str = "statistical_neighbours.csv";
const LTLA_UTLA: &str = "ltla_utla_apr23.csv";
const ENGLAND_PUBLISHED: &str = "england_published.csv";
/// `england_published.csv` with no rows.
const ENGLAND_PUBLISHED_HEADER: &str = "year,subject,breakdown,percent,count,release,source\n";

/// DfE's denominator rule: the rate at 31 March of collection year *Y* divides by
/// the ONS mid-year estimate of children aged 0–17 for mid-year *Y − 1*.
pub const DENOMINATOR_MID_YEAR_LAG: i32 = 1;

macro_rules! bundled {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../../data/reference/", $name)),
        )
    };
}

const BUNDLED: [(&str, &str); 8] = [
    bundled!("regions.csv"),
    bundled!("local_authorities.csv"),
    bundled!("population_u18.csv"),
    bundled!("cla_published.csv"),
    bundled!("stability_published.csv"),
    bundled!("statistical_neighbours.csv"),
    bundled!("ltla_utla_apr23.csv"),
    bundled!("england_published.csv"),
];

/// The text of every reference file, with the name to report in errors.
struct Sources<'a> {
    files: [(String, &'a str); 8],
}

impl<'a> Sources<'a> {
    fn get(&self, name: &str) -> (&str, &'a str) {
        let k = FILES.iter().position(|f| *f == name).unwrap_or(0);
        (&self.files[k].0, self.files[k].1)
    }
}

/// All bundled (or user-supplied) reference tables, checked against each other.
#[derive(Debug, Clone)]
pub struct Reference {
    england: Region,
    regions: Vec<Region>,
    london_subregions: Vec<Region>,
    las: Vec<LaRecord>,
    la_index: HashMap<LaCode, usize>,
    ons_index: HashMap<String, LaCode>,
    population: HashMap<(Geography, i32), Published<u64>>,
    published: Vec<PublishedFigure>,
    published_index: HashMap<(Geography, CollectionYear, Measure), usize>,
    stability: Vec<StabilityFigure>,
    stability_index: HashMap<(Geography, CollectionYear, String), usize>,
    neighbours: HashMap<(SnModel, LaCode), Vec<Neighbour>>,
    ltla: Vec<LtlaLink>,
    ltla_index: HashMap<String, usize>,
    national: Vec<NationalFigure>,
    national_index: HashMap<(CollectionYear, NationalSubject, String), usize>,
    /// The overlay used over these tables, if any ([`Reference::with_overlay`]).
    overlay: Option<OverlayApplied>,
}

impl Reference {
    /// The reference data compiled into the binary from `data/reference/`. Works from
    /// any directory. (An error here means the bundled files were edited badly.)
    pub fn bundled() -> Result<Self, ReferenceError> {
        Self::load(&Sources {
            files: BUNDLED.map(|(name, text)| (name.to_string(), text)),
        })
    }

    /// Loads a folder holding files with the same names as `data/reference/`
    /// (see [`FILES`]), so figures can be updated without recompiling. Every file
    /// must be present but `england_published.csv` (without it: no England
    /// figures); errors name the file by its full path.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self, ReferenceError> {
        let dir = dir.as_ref();
        let mut texts = Vec::with_capacity(FILES.len());
        for name in FILES {
            let path = dir.join(name);
            let shown = path.display().to_string();
            let text = match std::fs::read_to_string(&path) {
                // England's profile and care-leaver figures came later than the
                // other files: a folder made before them still loads, with
                // none (the report then says "not found").
                Err(e) if name == ENGLAND_PUBLISHED && e.kind() == std::io::ErrorKind::NotFound => {
                    ENGLAND_PUBLISHED_HEADER.to_string()
                }
                r => r.map_err(|source| ReferenceError::Io {
                    file: shown.clone(),
                    source,
                })?,
            };
            texts.push((shown, text));
        }
        let files: [(String, &str); 8] =
            std::array::from_fn(|k| (texts[k].0.clone(), texts[k].1.as_str()));
        Self::load(&Sources { files })
    }

    /// These tables with the overlay in `dir` used over them
    /// ([`crate::overlay`]): each of its rows replaces the row of the same
    /// year, area and figure (a revised year) or is added (a new year); for
    /// statistical neighbours an authority's whole list is replaced. A
    /// folder that is missing, or holds no overlay table, changes nothing.
    /// Errors name the overlay's file, line and column.
    pub fn with_overlay(mut self, dir: impl AsRef<Path>) -> Result<Self, ReferenceError> {
        let dir = dir.as_ref();
        let mut applied = OverlayApplied {
            dir: dir.to_path_buf(),
            changes: Vec::new(),
            provenance: crate::overlay::read_provenance(&dir.join(crate::overlay::PROVENANCE))?,
        };
        let mut any = !applied.provenance.is_empty();
        for table in OverlayTable::ALL {
            let path = dir.join(table.file_name());
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(ReferenceError::Io {
                        file: path.display().to_string(),
                        source,
                    });
                }
            };
            any = true;
            let shown = path.display().to_string();
            let mut change = TableChange::default();
            let src = (shown.as_str(), text.as_str());
            match table {
                OverlayTable::ClaPublished => self.load_published(src, Some(&mut change))?,
                OverlayTable::Stability => self.load_stability(src, Some(&mut change))?,
                OverlayTable::Population => self.load_population(src, Some(&mut change))?,
                OverlayTable::Neighbours => self.load_neighbours(src, Some(&mut change))?,
            }
            applied.changes.push((table, change));
        }
        if any {
            self.overlay = Some(applied);
        }
        Ok(self)
    }

    /// The overlay these tables were loaded with, if any: what it added and
    /// replaced, and where its files came from (print it: it says so in a
    /// line).
    pub fn overlay(&self) -> Option<&OverlayApplied> {
        self.overlay.as_ref()
    }

    fn load(src: &Sources<'_>) -> Result<Self, ReferenceError> {
        let mut r = Reference {
            england: Region {
                ons_code: String::new(),
                name: String::new(),
            },
            regions: Vec::new(),
            london_subregions: Vec::new(),
            las: Vec::new(),
            la_index: HashMap::new(),
            ons_index: HashMap::new(),
            population: HashMap::new(),
            published: Vec::new(),
            published_index: HashMap::new(),
            stability: Vec::new(),
            stability_index: HashMap::new(),
            neighbours: HashMap::new(),
            ltla: Vec::new(),
            ltla_index: HashMap::new(),
            national: Vec::new(),
            national_index: HashMap::new(),
            overlay: None,
        };
        r.load_regions(src.get(REGIONS))?;
        r.load_las(src.get(LOCAL_AUTHORITIES))?;
        r.load_population(src.get(POPULATION), None)?;
        r.load_published(src.get(CLA_PUBLISHED), None)?;
        r.load_stability(src.get(STABILITY), None)?;
        r.load_neighbours(src.get(NEIGHBOURS), None)?;
        r.load_ltla(src.get(LTLA_UTLA))?;
        r.load_national(src.get(ENGLAND_PUBLISHED))?;
        Ok(r)
    }

    // ------------------------------------------------------------------ loading

    fn load_regions(&mut self, (file, text): (&str, &str)) -> Result<(), ReferenceError> {
        const COLS: &[&str] = &["ons_code", "name", "geography_level", "parent_ons_code"];
        let t = Table::parse(file, text, COLS)?;
        let mut seen = HashMap::new();
        let mut england_line = None;
        for row in t.rows() {
            let code = row.required("ons_code")?;
            let region = Region {
                ons_code: code.to_string(),
                name: row.required("name")?.to_string(),
            };
            if seen.insert(code.to_string(), ()).is_some() {
                return Err(dup(&row, code));
            }
            let level = row.text("geography_level");
            let parent = row.text("parent_ons_code");
            match GeographyLevel::parse(level) {
                Some(GeographyLevel::National) if code == ENGLAND_ONS_CODE => {
                    england_line = Some(row.line());
                    self.england = region;
                }
                Some(GeographyLevel::Regional) if code.starts_with("E12") => {
                    if parent != ENGLAND_ONS_CODE {
                        return Err(row.bad("parent_ons_code", "a region's parent is England"));
                    }
                    self.regions.push(region);
                }
                Some(GeographyLevel::LondonSubregion) if code.starts_with("E13") => {
                    self.london_subregions.push(region);
                }
                _ => {
                    return Err(row.bad(
                        "geography_level",
                        format!("`{code}` needs national (E92000001), regional (E12…) or london_subregion (E13…)"),
                    ));
                }
            }
        }
        if england_line.is_none() {
            return Err(ReferenceError::bad(
                file,
                1,
                "ons_code",
                "",
                "no row for England (E92000001)",
            ));
        }
        // London sub-regions must sit under a region in this file.
        for row in t.rows() {
            if row.text("geography_level") == "london_subregion"
                && !self
                    .regions
                    .iter()
                    .any(|r| r.ons_code == row.text("parent_ons_code"))
            {
                return Err(row.bad("parent_ons_code", "not a region in this file"));
            }
        }
        self.regions.sort();
        self.london_subregions.sort();
        Ok(())
    }

    fn load_las(&mut self, (file, text): (&str, &str)) -> Result<(), ReferenceError> {
        const COLS: &[&str] = &[
            "la_code",
            "ons_code",
            "name",
            "region_ons_code",
            "region_name",
            "london_subregion_ons_code",
            "valid_from",
            "valid_to",
            "predecessor_codes",
            "successor_codes",
            "former_ons_codes",
            "ons_code_from",
            "notes",
        ];
        let t = Table::parse(file, text, COLS)?;
        let mut lines = Vec::new();
        for row in t.rows() {
            let code = row.la_code("la_code")?;
            let region_code = row.required("region_ons_code")?;
            let region = self
                .regions
                .iter()
                .find(|r| r.ons_code == region_code)
                .cloned()
                .ok_or_else(|| {
                    row.bad("region_ons_code", "not one of the regions in regions.csv")
                })?;
            if row.text("region_name") != region.name {
                return Err(row.bad(
                    "region_name",
                    format!("regions.csv calls {} `{}`", region.ons_code, region.name),
                ));
            }
            let london_subregion = match row.text("london_subregion_ons_code") {
                "" => None,
                sub => Some(
                    self.london_subregions
                        .iter()
                        .find(|r| r.ons_code == sub)
                        .cloned()
                        .ok_or_else(|| {
                            row.bad(
                                "london_subregion_ons_code",
                                "not a London sub-region in regions.csv",
                            )
                        })?,
                ),
            };
            let valid_from = row.opt_parse::<i32>("valid_from", "a collection year")?;
            let valid_to = row.opt_parse::<i32>("valid_to", "a collection year")?;
            if let (Some(f), Some(t)) = (valid_from, valid_to)
                && f > t
            {
                return Err(row.bad("valid_to", "earlier than valid_from"));
            }
            let former_ons_codes: Vec<String> =
                row.list("former_ons_codes").map(str::to_string).collect();
            let ons_code_from = row.opt_parse::<i32>("ons_code_from", "a collection year")?;
            if former_ons_codes.is_empty() != ons_code_from.is_none() {
                return Err(row.bad(
                    "ons_code_from",
                    "give both former_ons_codes and ons_code_from, or neither",
                ));
            }
            let rec = LaRecord {
                identity: LaIdentity {
                    code,
                    ons_code: row.required("ons_code")?.to_string(),
                    name: row.required("name")?.to_string(),
                    region,
                },
                london_subregion,
                valid_from: valid_from.map(CollectionYear),
                valid_to: valid_to.map(CollectionYear),
                predecessors: row.la_codes("predecessor_codes")?,
                successors: row.la_codes("successor_codes")?,
                former_ons_codes,
                ons_code_from: ons_code_from.map(CollectionYear),
                notes: row.text("notes").to_string(),
            };
            if self.la_index.insert(code, self.las.len()).is_some() {
                return Err(dup(&row, &code.to_string()));
            }
            let ons_codes =
                std::iter::once(&rec.identity.ons_code).chain(rec.former_ons_codes.iter());
            for ons in ons_codes {
                if self.ons_index.insert(ons.clone(), code).is_some() {
                    return Err(row.bad("ons_code", format!("ONS code {ons} is used twice")));
                }
            }
            self.las.push(rec);
            lines.push(row.line());
        }
        // Predecessors and successors must be authorities in this file.
        for (rec, line) in self.las.iter().zip(&lines) {
            for (column, codes) in [
                ("predecessor_codes", &rec.predecessors),
                ("successor_codes", &rec.successors),
            ] {
                if let Some(c) = codes.iter().find(|c| !self.la_index.contains_key(c)) {
                    return Err(ReferenceError::bad(
                        file,
                        *line,
                        column,
                        &c.to_string(),
                        "not an authority in this file",
                    ));
                }
            }
        }
        let mut order: Vec<usize> = (0..self.las.len()).collect();
        order.sort_by_key(|&k| self.las[k].code());
        self.las = order.into_iter().map(|k| self.las[k].clone()).collect();
        self.la_index = self
            .las
            .iter()
            .enumerate()
            .map(|(k, r)| (r.code(), k))
            .collect();
        Ok(())
    }

    /// The geography of a row from its `geography_level`, `ons_code` and `la_code`.
    fn geography_of(&self, row: &Row<'_>) -> Result<Geography, ReferenceError> {
        let ons = row.text("ons_code");
        match GeographyLevel::parse(row.text("geography_level")) {
            Some(GeographyLevel::National) if ons == ENGLAND_ONS_CODE => Ok(Geography::England),
            Some(GeographyLevel::Regional) if self.regions.iter().any(|r| r.ons_code == ons) => {
                Ok(Geography::Region(ons.to_string()))
            }
            Some(GeographyLevel::LondonSubregion)
                if self.london_subregions.iter().any(|r| r.ons_code == ons) =>
            {
                Ok(Geography::Region(ons.to_string()))
            }
            Some(GeographyLevel::LocalAuthority) => {
                let code = row.la_code("la_code")?;
                let rec = self.la_record(code).ok_or_else(|| {
                    row.bad("la_code", "not an authority in local_authorities.csv")
                })?;
                if ons != rec.identity.ons_code && !rec.former_ons_codes.iter().any(|f| f == ons) {
                    return Err(row.bad(
                        "ons_code",
                        format!("not an ONS code of authority {code} in local_authorities.csv"),
                    ));
                }
                Ok(Geography::La(code))
            }
            Some(_) => Err(row.bad("ons_code", "not a known area of that geography_level")),
            None => Err(row.bad(
                "geography_level",
                "expected national, regional, london_subregion or local_authority",
            )),
        }
    }

    fn load_population(
        &mut self,
        (file, text): (&str, &str),
        mut overlay: Option<&mut TableChange>,
    ) -> Result<(), ReferenceError> {
        let mut this_file = std::collections::HashSet::new();
        const COLS: &[&str] = &[
            "mid_year",
            "geography_level",
            "ons_code",
            "la_code",
            "population_0_17",
        ];
        let t = Table::parse(file, text, COLS)?;
        for row in t.rows() {
            let year: i32 = row.parse("mid_year", "a year")?;
            let geo = self.geography_of(&row)?;
            let value = row.published::<u64>("population_0_17")?;
            let key = format!("{geo} mid-{year}");
            let replaced = self.population.insert((geo.clone(), year), value).is_some();
            match overlay.as_deref_mut() {
                Some(change) if this_file.insert((geo, year)) => {
                    change.record(year.to_string(), replaced);
                }
                _ if replaced => return Err(dup(&row, &key)),
                _ => {}
            }
        }
        Ok(())
    }

    fn load_published(
        &mut self,
        (file, text): (&str, &str),
        mut overlay: Option<&mut TableChange>,
    ) -> Result<(), ReferenceError> {
        let mut this_file = std::collections::HashSet::new();
        // The bundled format, as the overlay writes it.
        let t = Table::parse(file, text, OverlayTable::ClaPublished.header())?;
        for row in t.rows() {
            let year = CollectionYear(row.parse("year", "a collection year")?);
            let geography = self.geography_of(&row)?;
            let measure = Measure::parse(row.text("measure"))
                .ok_or_else(|| row.bad("measure", "expected cla_31_march, starts or ceases"))?;
            let fig = PublishedFigure {
                year,
                ons_code: row.text("ons_code").to_string(),
                name: row.text("name").to_string(),
                measure,
                count: row.published("count")?,
                population_used: row.published("population_used")?,
                rate_per_10000: row.published("rate_per_10000")?,
                release: row.text("release").to_string(),
                source: row.text("source").to_string(),
                geography: geography.clone(),
            };
            let key = (geography, year, measure);
            let existing = self.published_index.get(&key).copied();
            match (overlay.as_deref_mut(), existing) {
                (Some(change), _) if this_file.insert(key.clone()) => {
                    change.record(year.0.to_string(), existing.is_some());
                    match existing {
                        Some(k) => self.published[k] = fig,
                        None => {
                            self.published_index.insert(key, self.published.len());
                            self.published.push(fig);
                        }
                    }
                }
                (_, Some(_)) | (Some(_), None) => {
                    return Err(dup(
                        &row,
                        &format!("{} {} {}", fig.geography, year, measure.id()),
                    ));
                }
                (None, None) => {
                    self.published_index.insert(key, self.published.len());
                    self.published.push(fig);
                }
            }
        }
        Ok(())
    }

    fn load_stability(
        &mut self,
        (file, text): (&str, &str),
        mut overlay: Option<&mut TableChange>,
    ) -> Result<(), ReferenceError> {
        let mut this_file = std::collections::HashSet::new();
        // The bundled format, as the overlay writes it.
        let t = Table::parse(file, text, OverlayTable::Stability.header())?;
        for row in t.rows() {
            let year = CollectionYear(row.parse("year", "a collection year")?);
            let geography = self.geography_of(&row)?;
            let indicator = row.required("indicator")?.to_string();
            let fig = StabilityFigure {
                year,
                ons_code: row.text("ons_code").to_string(),
                name: row.text("name").to_string(),
                indicator: indicator.clone(),
                numerator: row.published("numerator")?,
                denominator: row.published("denominator")?,
                percent: row.published("percent")?,
                release: row.text("release").to_string(),
                source: row.text("source").to_string(),
                geography: geography.clone(),
            };
            let text_key = format!("{geography} {year} {indicator}");
            let key = (geography, year, indicator);
            let existing = self.stability_index.get(&key).copied();
            match (overlay.as_deref_mut(), existing) {
                (Some(change), _) if this_file.insert(key.clone()) => {
                    change.record(year.0.to_string(), existing.is_some());
                    match existing {
                        Some(k) => self.stability[k] = fig,
                        None => {
                            self.stability_index.insert(key, self.stability.len());
                            self.stability.push(fig);
                        }
                    }
                }
                (_, Some(_)) | (Some(_), None) => return Err(dup(&row, &text_key)),
                (None, None) => {
                    self.stability_index.insert(key, self.stability.len());
                    self.stability.push(fig);
                }
            }
        }
        Ok(())
    }

    fn load_national(&mut self, (file, text): (&str, &str)) -> Result<(), ReferenceError> {
        const COLS: &[&str] = &[
            "year",
            "subject",
            "breakdown",
            "percent",
            "count",
            "release",
            "source",
        ];
        let t = Table::parse(file, text, COLS)?;
        for row in t.rows() {
            let year = CollectionYear(row.parse("year", "a collection year")?);
            let subject = NationalSubject::parse(row.text("subject"))
                .ok_or_else(|| row.bad("subject", "expected cla_31_march or care_leavers"))?;
            let breakdown = row.required("breakdown")?.to_string();
            if breakdown.split(';').any(|pair| {
                pair.split_once('=')
                    .is_none_or(|(k, v)| k.trim().is_empty() || v.trim().is_empty())
            }) {
                return Err(row.bad("breakdown", "expected key=value pairs joined by ;"));
            }
            let fig = NationalFigure {
                year,
                subject,
                breakdown: breakdown.clone(),
                percent: row.published("percent")?,
                count: row.published("count")?,
                release: row.text("release").to_string(),
                source: row.required("source")?.to_string(),
            };
            let key = format!("{year} {} {breakdown}", subject.id());
            if self
                .national_index
                .insert((year, subject, breakdown), self.national.len())
                .is_some()
            {
                return Err(dup(&row, &key));
            }
            self.national.push(fig);
        }
        Ok(())
    }

    fn load_neighbours(
        &mut self,
        (file, text): (&str, &str),
        overlay: Option<&mut TableChange>,
    ) -> Result<(), ReferenceError> {
        // The bundled format, as the overlay writes it.
        let t = Table::parse(file, text, OverlayTable::Neighbours.header())?;
        // An overlay's lists are read apart, then each replaces the
        // authority's whole list of that model.
        let base = overlay
            .is_some()
            .then(|| std::mem::take(&mut self.neighbours));
        for row in t.rows() {
            let model = SnModel::parse(row.text("model"))
                .ok_or_else(|| row.bad("model", "expected groupings_2021 or model_2025"))?;
            let la = row.la_code("la_code")?;
            let neighbour = row.la_code("neighbour_la_code")?;
            for (column, code) in [("la_code", la), ("neighbour_la_code", neighbour)] {
                if !self.la_index.contains_key(&code) {
                    return Err(row.bad(column, "not an authority in local_authorities.csv"));
                }
            }
            let rank: u8 = row.parse("rank", "a rank from 1 to 10")?;
            if !(1..=10).contains(&rank) {
                return Err(row.bad("rank", "expected a rank from 1 to 10"));
            }
            let closeness = Closeness::parse(row.text("closeness")).ok_or_else(|| {
                row.bad(
                    "closeness",
                    "expected Extremely close, Very close, Close, Somewhat close or Not close",
                )
            })?;
            let list = self.neighbours.entry((model, la)).or_default();
            if list.iter().any(|n| n.rank == rank) {
                return Err(dup(&row, &format!("{} {la} rank {rank}", model.id())));
            }
            list.push(Neighbour {
                rank,
                la: neighbour,
                closeness,
            });
        }
        for list in self.neighbours.values_mut() {
            list.sort_by_key(|n| n.rank);
        }
        if let (Some(mut base), Some(change)) = (base, overlay) {
            for (key, list) in std::mem::take(&mut self.neighbours) {
                let replaced = base.insert(key, list).is_some();
                change.record(key.0.id().to_string(), replaced);
            }
            self.neighbours = base;
        }
        Ok(())
    }

    fn load_ltla(&mut self, (file, text): (&str, &str)) -> Result<(), ReferenceError> {
        const COLS: &[&str] = &["LTLA23CD", "LTLA23NM", "UTLA23CD", "UTLA23NM"];
        let t = Table::parse(file, text, COLS)?;
        for row in t.rows() {
            let link = LtlaLink {
                ltla_code: row.required("LTLA23CD")?.to_string(),
                ltla_name: row.text("LTLA23NM").to_string(),
                utla_code: row.required("UTLA23CD")?.to_string(),
                utla_name: row.text("UTLA23NM").to_string(),
            };
            if link.utla_code.starts_with('E') && !self.ons_index.contains_key(&link.utla_code) {
                return Err(row.bad("UTLA23CD", "not an authority in local_authorities.csv"));
            }
            if self
                .ltla_index
                .insert(link.ltla_code.clone(), self.ltla.len())
                .is_some()
            {
                return Err(dup(&row, &link.ltla_code));
            }
            self.ltla.push(link);
        }
        Ok(())
    }

    // ------------------------------------------------------------------ lookups

    /// Every authority that has existed since 2015, by DfE code.
    pub fn las(&self) -> &[LaRecord] {
        &self.las
    }

    /// Authorities that existed for all of collection year `year`.
    pub fn las_current(&self, year: CollectionYear) -> impl Iterator<Item = &LaRecord> {
        self.las.iter().filter(move |r| r.is_current(year))
    }

    pub fn la(&self, code: LaCode) -> Option<&LaIdentity> {
        self.la_record(code).map(|r| &r.identity)
    }

    pub fn la_record(&self, code: LaCode) -> Option<&LaRecord> {
        self.la_index.get(&code).map(|&k| &self.las[k])
    }

    /// The authority with this ONS code, current or former (e.g. `E10000023` and
    /// `E06000065` are both North Yorkshire, 815).
    pub fn la_by_ons(&self, ons_code: &str) -> Option<&LaIdentity> {
        self.ons_index
            .get(ons_code.trim())
            .and_then(|&c| self.la(c))
    }

    /// The region (`E12…`) of an authority; London boroughs are in London `E12000007`.
    pub fn region_of(&self, code: LaCode) -> Option<&Region> {
        self.la(code).map(|i| &i.region)
    }

    /// Authorities in a region (`E12…`) or London sub-region (`E13…`), including
    /// abolished ones; filter with [`LaRecord::is_current`] for one year.
    pub fn las_in_region<'a>(
        &'a self,
        region_ons_code: &'a str,
    ) -> impl Iterator<Item = &'a LaRecord> + 'a {
        self.las.iter().filter(move |r| {
            r.identity.region.ons_code == region_ons_code
                || r.london_subregion
                    .as_ref()
                    .is_some_and(|s| s.ons_code == region_ons_code)
        })
    }

    /// Did authority `code` exist for all of collection year `year`? `false` for an
    /// unknown code.
    pub fn is_current(&self, code: LaCode, year: CollectionYear) -> bool {
        self.la_record(code).is_some_and(|r| r.is_current(year))
    }

    pub fn england(&self) -> &Region {
        &self.england
    }

    /// The nine English regions (`E12…`), by code.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Inner London and Outer London (`E13…`), which DfE publishes as regions.
    pub fn london_subregions(&self) -> &[Region] {
        &self.london_subregions
    }

    /// Resolves a code: `E92000001`, a region or London sub-region code, a DfE
    /// 3-digit code, or an authority's current or former ONS code.
    pub fn geography(&self, code: &str) -> Option<Geography> {
        let code = code.trim();
        if code == ENGLAND_ONS_CODE {
            return Some(Geography::England);
        }
        if self
            .regions
            .iter()
            .chain(&self.london_subregions)
            .any(|r| r.ons_code == code)
        {
            return Some(Geography::Region(code.to_string()));
        }
        if let Ok(la) = code.parse::<LaCode>() {
            return self.la_index.contains_key(&la).then_some(Geography::La(la));
        }
        self.ons_index.get(code).map(|&c| Geography::La(c))
    }

    /// The name of an area (`England`, `South West`, `Medway`, …).
    pub fn name_of(&self, geography: &Geography) -> Option<&str> {
        match geography {
            Geography::England => Some(&self.england.name),
            Geography::Region(code) => self
                .regions
                .iter()
                .chain(&self.london_subregions)
                .find(|r| &r.ons_code == code)
                .map(|r| r.name.as_str()),
            Geography::La(code) => self.la(*code).map(|i| i.name.as_str()),
        }
    }

    /// ONS mid-year estimate of children aged 0–17, as published (DfE's curated,
    /// Census-2021-rebased series). `None` where the file has no row; a symbol
    /// (e.g. `x` for pre-2019 Dorset, Poole, Bournemouth) where DfE printed one.
    pub fn population_u18(
        &self,
        geography: impl Into<Geography>,
        mid_year: i32,
    ) -> Option<Published<u64>> {
        self.population.get(&(geography.into(), mid_year)).copied()
    }

    /// The population DfE divides by for a rate at 31 March of `year`: the mid-year
    /// `year − 1` estimate ([`DENOMINATOR_MID_YEAR_LAG`]). `None` if the authority
    /// did not exist that year or no number is published.
    ///
    /// For 2021–2025 this equals the `population_used` of every DfE figure. For
    /// earlier years DfE's own releases used the estimates of their day (the 2022
    /// release: pre-Census-2021), so [`Reference::published`] may differ; this
    /// function always gives the current ONS series.
    pub fn denominator_for(
        &self,
        geography: impl Into<Geography>,
        year: CollectionYear,
    ) -> Option<Denominator> {
        let geography = geography.into();
        if let Geography::La(code) = geography
            && !self.is_current(code, year)
        {
            return None;
        }
        let mid_year = year.0 - DENOMINATOR_MID_YEAR_LAG;
        let population = self.population_u18(geography, mid_year)?.value()?;
        Some(Denominator {
            mid_year,
            population,
        })
    }

    /// The published count, population and rate per 10,000 for one area, year and
    /// measure (latest release we hold for that year).
    pub fn published(
        &self,
        geography: impl Into<Geography>,
        year: CollectionYear,
        measure: Measure,
    ) -> Option<&PublishedFigure> {
        self.published_index
            .get(&(geography.into(), year, measure))
            .map(|&k| &self.published[k])
    }

    /// Every row of `cla_published.csv`, in file order.
    pub fn published_all(&self) -> &[PublishedFigure] {
        &self.published
    }

    /// One stability or distance indicator (ids in [`crate::indicators`]).
    pub fn stability(
        &self,
        geography: impl Into<Geography>,
        year: CollectionYear,
        indicator: &str,
    ) -> Option<&StabilityFigure> {
        self.stability_index
            .get(&(geography.into(), year, indicator.to_string()))
            .map(|&k| &self.stability[k])
    }

    /// England's published figure for `subject` in `year` with `breakdown`
    /// (`key=value;…`, the breakdowns of `metrics.csv`): `None` when we hold
    /// no such figure.
    pub fn national(
        &self,
        year: CollectionYear,
        subject: NationalSubject,
        breakdown: &str,
    ) -> Option<&NationalFigure> {
        self.national_index
            .get(&(year, subject, breakdown.to_string()))
            .map(|&k| &self.national[k])
    }

    /// Every row of `england_published.csv`, in file order.
    pub fn national_all(&self) -> &[NationalFigure] {
        &self.national
    }

    /// Every row of `stability_published.csv`, in file order.
    pub fn stability_all(&self) -> &[StabilityFigure] {
        &self.stability
    }

    /// The authority's statistical neighbours, closest first; `None` if the model
    /// has no entry for it.
    pub fn statistical_neighbours(&self, code: LaCode, model: SnModel) -> Option<&[Neighbour]> {
        self.neighbours.get(&(model, code)).map(Vec::as_slice)
    }

    /// A lower-tier (or unitary) authority's row in the April 2023 ONS lookup.
    pub fn ltla(&self, ltla_code: &str) -> Option<&LtlaLink> {
        self.ltla_index
            .get(ltla_code.trim())
            .map(|&k| &self.ltla[k])
    }

    /// The children's-services authority over a lower-tier authority (April 2023
    /// boundaries), e.g. Ashford `E07000105` → Kent 886. `None` for Wales.
    pub fn la_for_ltla(&self, ltla_code: &str) -> Option<&LaIdentity> {
        self.ltla(ltla_code)
            .and_then(|l| self.la_by_ons(&l.utla_code))
    }

    /// Every row of the LTLA → UTLA lookup, in file order.
    pub fn ltla_links(&self) -> &[LtlaLink] {
        &self.ltla
    }
}

fn dup(row: &Row<'_>, key: &str) -> ReferenceError {
    ReferenceError::Duplicate {
        file: row.file().to_string(),
        line: row.line(),
        key: key.to_string(),
    }
}
