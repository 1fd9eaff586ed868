//! What a lookup returns, and the DfE distance between two places.

use crate::code::{Country, OnsCode};

/// Which national grid a grid reference is on. Great Britain uses the OSGB36
/// British National Grid; Northern Ireland (BT postcodes) the Irish Grid.
/// References on different grids must never be subtracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grid {
    Gb,
    Irish,
}

/// How precise a location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    /// The unit postcode's own grid reference (ONSPD, 1 m resolution).
    Unit,
    /// The mean of the grid references of the sector's unit postcodes: the
    /// value is a sector (`BA1 2`), or the unit postcode is not in the loaded
    /// tables (no unit table, or a postcode the table does not hold), so the
    /// figure is approximate.
    SectorCentroid,
    /// The mean of the district's sector centroids (weighted by their unit
    /// postcodes): the value is only a district (`BA1`). Approximate, often
    /// by several miles.
    DistrictCentroid,
}

impl Precision {
    pub fn label(self) -> &'static str {
        match self {
            Precision::Unit => "unit postcode",
            Precision::SectorCentroid => "sector centroid",
            Precision::DistrictCentroid => "district centroid",
        }
    }

    /// Anything but a unit postcode's own grid reference.
    pub fn is_approximate(self) -> bool {
        self != Precision::Unit
    }
}

/// A postcode's place: grid reference, local authority district (LAD) and the
/// upper-tier authority (UTLA, April 2023 boundaries) that DfE's PL_LA uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Location {
    /// Metres east on `grid`.
    pub easting: u32,
    /// Metres north on `grid`.
    pub northing: u32,
    pub grid: Grid,
    /// ONS LAD code, when the directory gives one.
    pub lad: Option<OnsCode>,
    /// ONS UTLA code of the LAD (for England the children's-services authority;
    /// Scotland, Wales and Northern Ireland areas are their own upper tier).
    /// `None` when the LAD is not in the LTLA→UTLA lookup.
    pub utla: Option<OnsCode>,
    pub precision: Precision,
}

impl Location {
    /// The country, from the LAD code (`Unknown` without one).
    pub fn country(&self) -> Country {
        self.lad.map_or(Country::Unknown, |l| l.country())
    }

    /// Straight-line distance in metres, `None` if the two are on different grids.
    pub fn metres_to(&self, other: &Location) -> Option<f64> {
        (self.grid == other.grid).then(|| {
            let de = f64::from(self.easting) - f64::from(other.easting);
            let dn = f64::from(self.northing) - f64::from(other.northing);
            (de * de + dn * dn).sqrt()
        })
    }
}

/// The result of looking a postcode up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolved {
    Found(Location),
    /// The postcode (or its sector) is in the directory but has no grid
    /// reference: Channel Islands, Isle of Man, some terminated postcodes.
    NoCoordinates {
        lad: Option<OnsCode>,
        precision: Precision,
    },
    /// Neither the postcode nor its sector (or, for a sector or district, the
    /// sector or district itself) is known.
    NotFound,
    /// A value such as `BA12`, written without a space, that reads both as a
    /// sector (`BA1 2`) and as a district (`BA12`), both of which are in the
    /// tables: say which reading to take
    /// ([`crate::PostcodeIndex::resolve_as`]).
    Ambiguous,
}

impl Resolved {
    pub fn location(&self) -> Option<Location> {
        match self {
            Resolved::Found(l) => Some(*l),
            _ => None,
        }
    }
}

/// Kilometres per mile in the DfE formula.
pub const DFE_KM_PER_MILE: f64 = 1.6093;

/// PL_DISTANCE by the DfE formula (as in the DfE validator):
/// `round(sqrt(dE² + dN²) / 1000 / 1.6093, 1)` miles, returned in **tenths of
/// a mile** so thresholds compare exactly. Rounding is half-to-even on the
/// value × 10, as numpy/pandas `round(1)` does. `None` when the two are on
/// different grids (a Northern Ireland place and a GB one).
pub fn dfe_distance_tenths(home: &Location, placement: &Location) -> Option<u32> {
    home.metres_to(placement)
        .map(|m| ((m / 1000.0 / DFE_KM_PER_MILE) * 10.0).round_ties_even() as u32)
}

/// [`dfe_distance_tenths`] in miles (1 decimal place).
pub fn dfe_distance_miles(home: &Location, placement: &Location) -> Option<f64> {
    dfe_distance_tenths(home, placement).map(|t| f64::from(t) / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(e: u32, n: u32, grid: Grid) -> Location {
        Location {
            easting: e,
            northing: n,
            grid,
            lad: None,
            utla: None,
            precision: Precision::Unit,
        }
    }

    #[test]
    fn worked_example_b1_to_bs1() {
        // Spec §7.2: B1 1AA (406649, 286530) → BS1 1AA (359905, 172440):
        // √(46744² + 114090²) = 123,294 m → 76.6 miles.
        let b1 = at(406_649, 286_530, Grid::Gb);
        let bs1 = at(359_905, 172_440, Grid::Gb);
        assert_eq!(b1.metres_to(&bs1).map(f64::round), Some(123_294.0));
        assert_eq!(dfe_distance_tenths(&b1, &bs1), Some(766));
        assert_eq!(dfe_distance_miles(&b1, &bs1), Some(76.6));
    }

    #[test]
    fn grids_never_mix() {
        let gb = at(334_316, 374_675, Grid::Gb);
        let ni = at(334_316, 374_675, Grid::Irish);
        assert_eq!(dfe_distance_tenths(&gb, &ni), None);
        assert_eq!(dfe_distance_tenths(&ni, &ni), Some(0));
    }

    proptest! {
        #[test]
        fn distance_is_symmetric_and_non_negative(
            e1 in 0u32..700_000, n1 in 0u32..1_300_000,
            e2 in 0u32..700_000, n2 in 0u32..1_300_000,
        ) {
            let a = at(e1, n1, Grid::Gb);
            let b = at(e2, n2, Grid::Gb);
            let ab = a.metres_to(&b).unwrap();
            prop_assert!(ab >= 0.0);
            prop_assert_eq!(ab, b.metres_to(&a).unwrap());
            prop_assert_eq!(dfe_distance_tenths(&a, &b), dfe_distance_tenths(&b, &a));
            prop_assert_eq!(dfe_distance_tenths(&a, &a), Some(0));
        }
    }
}
