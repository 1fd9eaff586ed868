//! The postcode-sector table: one centroid per sector, bundled as CSV.

use std::path::Path;

use crate::code::{BASE, OnsCode, parse_sector, sector_string};
use crate::error::PostcodeError;
use crate::location::{Grid, Location, Precision, Resolved};
use crate::units::{MAX_EASTING, MAX_NORTHING};

/// The bundled table, `data/reference/postcodes/sector_centroids.csv`.
pub const BUNDLED_SECTORS: &str =
    include_str!("../../../data/reference/postcodes/sector_centroids.csv");
/// Name reported in errors and descriptions of the bundled table.
pub const BUNDLED_SECTORS_NAME: &str = "sector_centroids.csv";
/// Columns of a sector table, in order.
pub const SECTOR_COLUMNS: [&str; 6] = ["sector", "easting", "northing", "lad", "utla", "units"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sector {
    /// `None`: the sector's units have no grid reference.
    coords: Option<(u32, u32)>,
    grid: Grid,
    lad: OnsCode,
    utla: Option<OnsCode>,
    units: u32,
}

impl Sector {
    fn resolved(&self, precision: Precision) -> Resolved {
        match self.coords {
            Some((easting, northing)) => Resolved::Found(Location {
                easting,
                northing,
                grid: self.grid,
                lad: Some(self.lad),
                utla: self.utla,
                precision,
            }),
            None => Resolved::NoCoordinates {
                lad: Some(self.lad),
                precision,
            },
        }
    }
}

/// The districts of sorted sector keys (a district's key is its sectors' key
/// divided by 37, so each district's sectors are adjacent). A district's
/// centroid is the mean of its sectors' centroids weighted by their unit
/// postcodes (equal weights if none has any), rounded to the metre; its LAD
/// is the one holding most of its units (ties: the lowest code), with that
/// LAD's UTLA; `units` is the district's total.
fn districts_of(keys: &[u64], sectors: &[Sector]) -> (Vec<u64>, Vec<Sector>) {
    let mut out_keys = Vec::new();
    let mut out = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let key = keys[start] / BASE;
        let end = start + keys[start..].partition_point(|k| k / BASE == key);
        let group = &sectors[start..end];
        let with_coords = || group.iter().filter(|s| s.coords.is_some());
        let weight_sum: u64 = with_coords().map(|s| u64::from(s.units)).sum();
        let weight = |s: &Sector| {
            if weight_sum > 0 {
                f64::from(s.units)
            } else {
                1.0
            }
        };
        let total: f64 = with_coords().map(weight).sum();
        let coords = (total > 0.0).then(|| {
            let mean = |f: fn(&(u32, u32)) -> u32| {
                with_coords()
                    .map(|s| s.coords.as_ref().map_or(0.0, |c| f64::from(f(c))) * weight(s))
                    .sum::<f64>()
                    / total
            };
            (mean(|c| c.0).round() as u32, mean(|c| c.1).round() as u32)
        });
        let mut by_lad: Vec<(OnsCode, u64, Option<OnsCode>)> = Vec::new();
        for s in group {
            match by_lad.iter_mut().find(|l| l.0 == s.lad) {
                Some(l) => l.1 += u64::from(s.units),
                None => by_lad.push((s.lad, u64::from(s.units), s.utla)),
            }
        }
        by_lad.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (lad, _, utla) = by_lad[0];
        out_keys.push(key);
        out.push(Sector {
            coords,
            grid: group[0].grid,
            lad,
            utla,
            units: group.iter().fold(0u32, |a, s| a.saturating_add(s.units)),
        });
        start = end;
    }
    (out_keys, out)
}

/// Postcode-sector centroids, sorted by sector for binary search, and the
/// district centroids derived from them.
#[derive(Clone)]
pub struct SectorTable {
    keys: Vec<u64>,
    sectors: Vec<Sector>,
    /// District (outward code) keys, sorted, and their centroids: the
    /// unit-weighted mean of the district's sector centroids.
    district_keys: Vec<u64>,
    districts: Vec<Sector>,
    source: String,
}

impl SectorTable {
    /// The table compiled into the binary.
    pub fn bundled() -> Result<Self, PostcodeError> {
        Self::parse(BUNDLED_SECTORS_NAME, BUNDLED_SECTORS)
    }

    /// A sector table in the bundled CSV format (e.g. rebuilt from a newer
    /// ONSPD release), from a file.
    pub fn from_path(path: &Path) -> Result<Self, PostcodeError> {
        let text = std::fs::read_to_string(path).map_err(|e| PostcodeError::io(path, e))?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses the CSV `sector,easting,northing,lad,utla,units` (no quoting).
    /// `file` names the source in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, PostcodeError> {
        let mut lines = text.lines().enumerate();
        let header = lines
            .next()
            .map(|(_, h)| h.trim_start_matches('\u{feff}').trim_end_matches('\r'))
            .unwrap_or("");
        let cols: Vec<&str> = header.split(',').map(str::trim).collect();
        for (i, want) in SECTOR_COLUMNS.iter().enumerate() {
            if cols.get(i) != Some(want) {
                return Err(PostcodeError::MissingColumn {
                    file: file.to_string(),
                    column: format!(
                        "`{want}` (column {}; expected header {})",
                        i + 1,
                        SECTOR_COLUMNS.join(",")
                    ),
                });
            }
        }
        let mut rows: Vec<(u64, Sector, u64)> = Vec::new();
        for (i, raw) in lines {
            let line = i as u64 + 1;
            let raw = raw.trim_end_matches('\r');
            if raw.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = raw.split(',').map(str::trim).collect();
            if f.len() != SECTOR_COLUMNS.len() {
                return Err(PostcodeError::Csv {
                    file: file.to_string(),
                    line,
                    message: format!("{} fields, expected {}", f.len(), SECTOR_COLUMNS.len()),
                });
            }
            let bad = |c: usize, problem: &str| {
                PostcodeError::bad(file, line, SECTOR_COLUMNS[c], f[c], problem)
            };
            let key = parse_sector(f[0])
                .ok_or_else(|| bad(0, "not a postcode sector such as `BA1 1`"))?;
            let lad = OnsCode::parse(f[3]).ok_or_else(|| bad(3, "not an ONS code"))?;
            let utla = match f[4] {
                "" => None,
                u => Some(OnsCode::parse(u).ok_or_else(|| bad(4, "not an ONS code"))?),
            };
            let num = |c: usize, max: u32| -> Result<Option<u32>, PostcodeError> {
                if f[c].is_empty() {
                    return Ok(None);
                }
                match f[c].parse::<u32>() {
                    Ok(v) if v <= max => Ok(Some(v)),
                    _ => Err(bad(c, &format!("expected whole metres from 0 to {max}"))),
                }
            };
            let coords = match (num(1, MAX_EASTING)?, num(2, MAX_NORTHING)?) {
                (Some(e), Some(n)) => Some((e, n)),
                (None, None) => None,
                _ => return Err(bad(1, "give both easting and northing, or neither")),
            };
            let units = f[5]
                .parse::<u32>()
                .map_err(|_| bad(5, "expected a count of unit postcodes"))?;
            let bt = f[0].trim_start().to_ascii_uppercase().starts_with("BT");
            let ni = lad.country() == crate::Country::NorthernIreland;
            if bt != ni {
                return Err(bad(
                    3,
                    "Northern Ireland (BT) sectors, and only they, have a Northern Ireland LAD: their grid references are on the Irish Grid",
                ));
            }
            let grid = if bt { Grid::Irish } else { Grid::Gb };
            rows.push((
                key,
                Sector {
                    coords,
                    grid,
                    lad,
                    utla,
                    units,
                },
                line,
            ));
        }
        if rows.is_empty() {
            return Err(PostcodeError::NoData {
                file: file.to_string(),
                problem: "no sectors".into(),
            });
        }
        rows.sort_by_key(|r| r.0);
        for w in rows.windows(2) {
            if w[0].0 == w[1].0 {
                let (a, b) = (w[0].2.min(w[1].2), w[0].2.max(w[1].2));
                return Err(PostcodeError::Duplicate {
                    file: file.to_string(),
                    line: b,
                    first_line: a,
                    key: format!("sector {}", sector_string(w[0].0)),
                });
            }
        }
        let keys: Vec<u64> = rows.iter().map(|r| r.0).collect();
        let sectors: Vec<Sector> = rows.iter().map(|r| r.1).collect();
        let (district_keys, districts) = districts_of(&keys, &sectors);
        Ok(SectorTable {
            keys,
            sectors,
            district_keys,
            districts,
            source: file.to_string(),
        })
    }

    pub(crate) fn resolve_key(&self, key: u64) -> Resolved {
        match self.keys.binary_search(&key) {
            Ok(i) => self.sectors[i].resolved(Precision::SectorCentroid),
            Err(_) => Resolved::NotFound,
        }
    }

    /// A district (outward code) by its key: the centroid of its sectors.
    pub(crate) fn resolve_district_key(&self, key: u64) -> Resolved {
        match self.district_keys.binary_search(&key) {
            Ok(i) => self.districts[i].resolved(Precision::DistrictCentroid),
            Err(_) => Resolved::NotFound,
        }
    }

    /// Number of postcode districts (outward codes) the sectors make up.
    pub fn district_count(&self) -> usize {
        self.district_keys.len()
    }

    /// Number of sectors.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Unit postcodes the centroids were averaged over, in all.
    pub fn unit_count(&self) -> u64 {
        self.sectors.iter().map(|s| u64::from(s.units)).sum()
    }

    /// Where the table came from (file name).
    pub fn source(&self) -> &str {
        &self.source
    }
}

impl std::fmt::Debug for SectorTable {
    /// A summary: the table itself is thousands of entries.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SectorTable")
            .field("sectors", &self.len())
            .field("districts", &self.district_count())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "sector,easting,northing,lad,utla,units\n";

    #[test]
    fn parses_and_checks() {
        let t = SectorTable::parse(
            "t.csv",
            &format!("{HEAD}BS1 1,359000,172000,E06000023,E06000023,10\nJE2 3,,,L99999999,L99999999,0\nBT1 1,334000,374000,N09000003,N09000003,5\n"),
        )
        .unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t.unit_count(), 15);
        let bt = t.resolve_key(parse_sector("BT1 1").unwrap());
        assert!(matches!(bt, Resolved::Found(l) if l.grid == Grid::Irish));
        let je = t.resolve_key(parse_sector("JE2 3").unwrap());
        assert!(matches!(je, Resolved::NoCoordinates { .. }));
        assert_eq!(
            t.resolve_key(parse_sector("BS9 9").unwrap()),
            Resolved::NotFound
        );
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = SectorTable::parse(
            "t.csv",
            &format!("{HEAD}BS1 1,35x,172000,E06000023,E06000023,10\n"),
        )
        .unwrap_err();
        assert_eq!((e.file(), e.line()), ("t.csv", Some(2)));
        assert!(e.to_string().contains("easting"), "{e}");
        let e = SectorTable::parse(
            "t.csv",
            &format!("{HEAD}BS1 1,1,1,E06000023,,1\nBS1 1,2,2,E06000023,,1\n"),
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                PostcodeError::Duplicate {
                    line: 3,
                    first_line: 2,
                    ..
                }
            ),
            "{e}"
        );
        // A GB sector claiming a Northern Ireland district would mix grids.
        let e =
            SectorTable::parse("t.csv", &format!("{HEAD}BS1 1,1,1,N09000003,,1\n")).unwrap_err();
        assert_eq!(e.line(), Some(2));
        let e = SectorTable::parse("t.csv", "sector,x\n").unwrap_err();
        assert!(matches!(e, PostcodeError::MissingColumn { .. }));
        let e = SectorTable::parse("t.csv", &format!("{HEAD}BS1 1,1\n")).unwrap_err();
        assert!(matches!(e, PostcodeError::Csv { line: 2, .. }));
        let e = SectorTable::parse("t.csv", &format!("{HEAD}BS1 1,1,,E06000023,,1\n")).unwrap_err();
        assert_eq!(e.line(), Some(2));
        assert!(SectorTable::parse("t.csv", HEAD).is_err());
        assert!(SectorTable::parse("t.csv", "").is_err());
    }

    #[test]
    fn bundled_table_loads() {
        let t = SectorTable::bundled().unwrap();
        assert!(t.len() > 12_000, "{}", t.len());
        assert!(t.unit_count() > 2_600_000);
    }
}
