//! [`PostcodeIndex`]: unit postcodes when imported, sector centroids always.

use std::path::Path;

use iro_domain::Postcode;

use crate::code::{LookupKeys, lookup_keys, parse_district, parse_sector};
use crate::error::PostcodeError;
use crate::location::{Location, Resolved};
use crate::sectors::SectorTable;
use crate::units::UnitTable;

/// How to read a value such as `BA12`, written without a space, that is the
/// sector `BA1 2` or the district `BA12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reading {
    /// Whichever the tables hold; [`Resolved::Ambiguous`] if they hold both.
    Either,
    Sector,
    District,
}

/// Postcode lookups: the unit-postcode table when one has been imported
/// ([`crate::import_onspd`]), falling back to the bundled sector centroids.
///
/// Cheap to share (`Arc<PostcodeIndex>`); lookups take `&self`.
#[derive(Debug, Clone)]
pub struct PostcodeIndex {
    sectors: SectorTable,
    units: Option<UnitTable>,
}

impl PostcodeIndex {
    /// The bundled sector centroids only (compiled in; a few milliseconds to parse).
    pub fn bundled() -> Result<Self, PostcodeError> {
        Ok(PostcodeIndex {
            sectors: SectorTable::bundled()?,
            units: None,
        })
    }

    /// The bundled sector centroids plus, when `unit_table` is given, the unit
    /// table imported there (the path in the configuration).
    pub fn load(unit_table: Option<&Path>) -> Result<Self, PostcodeError> {
        let index = Self::bundled()?;
        match unit_table {
            Some(p) => Ok(index.with_units(UnitTable::load(p)?)),
            None => Ok(index),
        }
    }

    pub fn new(sectors: SectorTable, units: Option<UnitTable>) -> Self {
        PostcodeIndex { sectors, units }
    }

    pub fn with_units(mut self, units: UnitTable) -> Self {
        self.units = Some(units);
        self
    }

    /// The postcode's location: for a unit postcode its own grid reference
    /// from the unit table, else its sector's centroid; for a sector or a
    /// district, its centroid. `None` when none is known, when the postcode
    /// has no grid reference (Channel Islands, Isle of Man, some terminated
    /// postcodes) or when a value such as `BA12` could be a sector or a
    /// district: see [`PostcodeIndex::resolve`].
    pub fn lookup(&self, pc: &Postcode) -> Option<Location> {
        self.resolve(pc).location()
    }

    /// Like [`PostcodeIndex::lookup`], telling "known but no grid reference"
    /// and "ambiguous" from "not found". A value that reads both as a sector
    /// and as a district ([`iro_domain::PostcodeKind::SectorOrDistrict`]) is
    /// taken as whichever reading the tables hold, and is
    /// [`Resolved::Ambiguous`] when they hold both.
    pub fn resolve(&self, pc: &Postcode) -> Resolved {
        self.resolve_as(pc, Reading::Either)
    }

    /// [`PostcodeIndex::resolve`], reading a value that is a sector or a
    /// district as `reading` says. Other postcodes are unaffected.
    pub fn resolve_as(&self, pc: &Postcode, reading: Reading) -> Resolved {
        match lookup_keys(pc) {
            LookupKeys::Unit { unit, sector } => {
                if let Some(u) = &self.units {
                    let r = u.resolve_key(unit);
                    if r != Resolved::NotFound {
                        return r;
                    }
                }
                self.sectors.resolve_key(sector)
            }
            LookupKeys::Sector(k) => self.sectors.resolve_key(k),
            LookupKeys::District(k) => self.sectors.resolve_district_key(k),
            LookupKeys::SectorOrDistrict { sector, district } => match reading {
                Reading::Sector => self.sectors.resolve_key(sector),
                Reading::District => self.sectors.resolve_district_key(district),
                Reading::Either => {
                    let s = self.sectors.resolve_key(sector);
                    let d = self.sectors.resolve_district_key(district);
                    match (s, d) {
                        (Resolved::NotFound, d) => d,
                        (s, Resolved::NotFound) => s,
                        _ => Resolved::Ambiguous,
                    }
                }
            },
        }
    }

    /// A sector's centroid, for data that hold only the sector (`BA1 1`).
    pub fn lookup_sector(&self, sector: &str) -> Resolved {
        parse_sector(sector).map_or(Resolved::NotFound, |k| self.sectors.resolve_key(k))
    }

    /// A district's centroid (`BA1`), the mean of its sectors'.
    pub fn lookup_district(&self, district: &str) -> Resolved {
        parse_district(district)
            .map_or(Resolved::NotFound, |k| self.sectors.resolve_district_key(k))
    }

    pub fn has_unit_table(&self) -> bool {
        self.units.is_some()
    }

    pub fn sectors(&self) -> &SectorTable {
        &self.sectors
    }

    pub fn units(&self) -> Option<&UnitTable> {
        self.units.as_ref()
    }

    /// One line saying what is loaded, for run metadata.
    pub fn describe(&self) -> String {
        let s = format!(
            "postcode sectors: {} ({} sectors, {} districts)",
            self.sectors.source(),
            self.sectors.len(),
            self.sectors.district_count()
        );
        match &self.units {
            Some(u) => format!("unit postcodes: {}; {s}", u.source()),
            None => format!("{s}; no unit-postcode table: distances are approximate"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OnsCode;
    use crate::location::{Grid, Precision, dfe_distance_tenths};

    fn pc(s: &str) -> Postcode {
        Postcode::parse(s).unwrap()
    }

    #[test]
    fn bundled_sectors_answer_lookups() {
        let ix = PostcodeIndex::bundled().unwrap();
        assert!(!ix.has_unit_table());
        let b1 = ix.lookup(&pc("B1 1AA")).unwrap();
        assert_eq!(b1.precision, Precision::SectorCentroid);
        assert_eq!(b1.lad.unwrap().as_str(), "E08000025");
        assert_eq!(b1.utla.unwrap().as_str(), "E08000025");
        let bs1 = ix.lookup(&pc("BS1 1AA")).unwrap();
        assert_eq!(bs1.utla.unwrap().as_str(), "E06000023");
        // The unit-level answer is 76.6 miles; sector centroids land close.
        let d = dfe_distance_tenths(&b1, &bs1).unwrap();
        assert!((740..=790).contains(&d), "{d}");
        // Northern Ireland: Irish Grid. Channel Islands: known, no grid reference.
        assert_eq!(ix.lookup(&pc("BT1 1AA")).unwrap().grid, Grid::Irish);
        assert!(matches!(
            ix.resolve(&pc("JE2 3AB")),
            Resolved::NoCoordinates { .. }
        ));
        assert!(matches!(
            ix.resolve(&pc("IM1 1AA")),
            Resolved::NoCoordinates { .. }
        ));
        assert_eq!(ix.resolve(&pc("ZZ9 9ZZ")), Resolved::NotFound);
        assert!(matches!(ix.lookup_sector("BS1 1"), Resolved::Found(_)));
        assert!(ix.describe().contains("approximate"));
        let dbg = format!("{ix:?}");
        assert!(
            dbg.len() < 300 && dbg.contains("sector_centroids.csv"),
            "{dbg}"
        );
    }

    const HEAD: &str = "sector,easting,northing,lad,utla,units\n";

    fn table(rows: &str) -> PostcodeIndex {
        PostcodeIndex::new(
            SectorTable::parse("t.csv", &format!("{HEAD}{rows}")).unwrap(),
            None,
        )
    }

    fn at(r: Resolved) -> (u32, u32, Precision, &'static str) {
        match r {
            Resolved::Found(l) => (
                l.easting,
                l.northing,
                l.precision,
                match l.lad.map(|c| c.to_string()).as_deref() {
                    Some("E06000022") => "BANES",
                    Some("E06000054") => "Wiltshire",
                    _ => "other",
                },
            ),
            other => panic!("not found: {other:?}"),
        }
    }

    #[test]
    fn sectors_and_districts_are_placed_at_their_centroids() {
        // District XX1 has two sectors: (100, 100) with 1 unit in BANES and
        // (400, 700) with 3 units in Wiltshire. Its centroid, weighted by
        // units: ((100×1 + 400×3)/4, (100×1 + 700×3)/4) = (325, 550); its LAD
        // the one with most units, Wiltshire.
        let ix = table(
            "XX1 1,100,100,E06000022,E06000022,1\nXX1 2,400,700,E06000054,E06000054,3\nXX12 5,9000,9000,E06000022,E06000022,2\n",
        );
        assert_eq!(ix.sectors().district_count(), 2);
        assert_eq!(
            at(ix.resolve(&pc("xx1 2"))),
            (400, 700, Precision::SectorCentroid, "Wiltshire")
        );
        assert_eq!(
            at(ix.resolve(&pc("XX1"))),
            (325, 550, Precision::DistrictCentroid, "Wiltshire")
        );
        assert_eq!(
            at(ix.lookup_district("xx1")),
            (325, 550, Precision::DistrictCentroid, "Wiltshire")
        );
        // A unit postcode of a sector in the table, with no unit table: its sector.
        assert_eq!(
            at(ix.resolve(&pc("XX1 2AB"))),
            (400, 700, Precision::SectorCentroid, "Wiltshire")
        );
        // `XX12` is the sector XX1 2 or the district XX12: both exist.
        assert_eq!(ix.resolve(&pc("XX12")), Resolved::Ambiguous);
        assert_eq!(ix.lookup(&pc("XX12")), None);
        assert_eq!(
            at(ix.resolve_as(&pc("XX12"), Reading::Sector)),
            (400, 700, Precision::SectorCentroid, "Wiltshire")
        );
        assert_eq!(
            at(ix.resolve_as(&pc("XX12"), Reading::District)),
            (9000, 9000, Precision::DistrictCentroid, "BANES")
        );
        // Only one reading exists: it is taken whatever `Either` says.
        assert_eq!(
            at(ix.resolve(&pc("XX11"))),
            (100, 100, Precision::SectorCentroid, "BANES")
        );
        assert_eq!(
            ix.resolve_as(&pc("XX11"), Reading::District),
            Resolved::NotFound
        );
        // The reading does not affect other kinds of postcode.
        assert_eq!(
            ix.resolve_as(&pc("XX1"), Reading::Sector),
            ix.resolve(&pc("XX1"))
        );
        // Not in the table.
        for p in ["XX1 3", "XX2", "XX13", "XX2 1AA"] {
            assert_eq!(ix.resolve(&pc(p)), Resolved::NotFound, "{p}");
        }
        assert_eq!(
            crate::code::district_string(crate::code::parse_district("xx12").unwrap()),
            "XX12"
        );
    }

    #[test]
    fn districts_without_coordinates_or_units() {
        // A district whose sectors have no grid reference has none either; one
        // whose sectors have no units is the plain mean.
        let ix = table(
            "JE2 3,,,L99999999,L99999999,0\nJE2 4,,,L99999999,L99999999,5\nYY1 1,100,100,E06000022,,0\nYY1 2,300,500,E06000022,,0\n",
        );
        assert_eq!(
            ix.resolve(&pc("JE2")),
            Resolved::NoCoordinates {
                lad: OnsCode::parse("L99999999"),
                precision: Precision::DistrictCentroid
            }
        );
        assert_eq!(
            at(ix.resolve(&pc("YY1"))),
            (200, 300, Precision::DistrictCentroid, "BANES")
        );
    }

    #[test]
    fn bundled_sectors_and_districts() {
        let ix = PostcodeIndex::bundled().unwrap();
        // A sector resolves to the same place as a unit postcode in it.
        assert_eq!(ix.resolve(&pc("BS1 1")), ix.resolve(&pc("BS1 1AA")));
        assert_eq!(ix.resolve(&pc("bs1 1")), ix.lookup_sector("BS1 1"));
        // Northern Ireland districts stay on the Irish Grid.
        assert_eq!(ix.lookup(&pc("BT1")).unwrap().grid, Grid::Irish);
        assert_eq!(ix.lookup(&pc("BT1 1")).unwrap().grid, Grid::Irish);
        // BS11 (Avonmouth) and BS1 1 (central Bristol) both exist.
        assert_eq!(ix.resolve(&pc("BS11")), Resolved::Ambiguous);
        let (s, d) = (
            ix.resolve_as(&pc("BS11"), Reading::Sector)
                .location()
                .unwrap(),
            ix.resolve_as(&pc("BS11"), Reading::District)
                .location()
                .unwrap(),
        );
        assert_eq!(Some(s), ix.lookup(&pc("BS1 1")));
        assert_eq!(d.precision, Precision::DistrictCentroid);
        // About 6 miles apart: the reading matters.
        let miles = dfe_distance_tenths(&s, &d).unwrap();
        assert!((40..=90).contains(&miles), "{miles}");
        // A district centroid lies among its sectors: Bath (BA1) is in BANES.
        let ba1 = ix.lookup(&pc("BA1")).unwrap();
        assert_eq!(ba1.utla.unwrap().as_str(), "E06000022");
        let near = dfe_distance_tenths(&ba1, &ix.lookup(&pc("BA1 1")).unwrap()).unwrap();
        assert!(near < 30, "{near}");
        assert!(ix.describe().contains("districts"), "{}", ix.describe());
    }
}
