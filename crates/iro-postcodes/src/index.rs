//! [`PostcodeIndex`]: unit postcodes when imported, sector centroids always.

use std::path::Path;

use iro_domain::Postcode;

use crate::code::{parse_sector, sector_key_of, unit_key};
use crate::error::PostcodeError;
use crate::location::{Location, Resolved};
use crate::sectors::SectorTable;
use crate::units::UnitTable;

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

    /// The postcode's location: its own grid reference from the unit table,
    /// else its sector's centroid. `None` when neither is known, or when the
    /// postcode has no grid reference (Channel Islands, Isle of Man, some
    /// terminated postcodes: see [`PostcodeIndex::resolve`]).
    pub fn lookup(&self, pc: &Postcode) -> Option<Location> {
        self.resolve(pc).location()
    }

    /// Like [`PostcodeIndex::lookup`], telling "known but no grid reference"
    /// from "not found".
    pub fn resolve(&self, pc: &Postcode) -> Resolved {
        if let Some(u) = &self.units {
            let r = u.resolve_key(unit_key(pc));
            if r != Resolved::NotFound {
                return r;
            }
        }
        self.sectors.resolve_key(sector_key_of(pc))
    }

    /// A sector's centroid, for data that hold only the sector (`BA1 1`).
    pub fn lookup_sector(&self, sector: &str) -> Resolved {
        parse_sector(sector).map_or(Resolved::NotFound, |k| self.sectors.resolve_key(k))
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
            "postcode sectors: {} ({} sectors)",
            self.sectors.source(),
            self.sectors.len()
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
}
