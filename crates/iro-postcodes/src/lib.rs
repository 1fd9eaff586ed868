//! # iro-postcodes
//!
//! **One job:** say where a postcode is — its grid reference, local authority
//! district (LAD) and upper-tier authority (UTLA) — so placement distance
//! (PL_DISTANCE) and location (PL_LA, PL_LOCATION) can be derived exactly as
//! the DfE does (spec §7).
//!
//! Two tables, both from the ONS Postcode Directory (ONSPD, OGL v3):
//!
//! * **Postcode-sector centroids**, bundled: the mean grid reference of every
//!   sector's unit postcodes, with the sector's most common LAD and its UTLA
//!   (`data/reference/postcodes/`, built by the maintainer script there).
//!   Compiled in, so lookups work with no set-up; distances from them are
//!   approximate (half a mile typically, a few miles in large rural sectors).
//! * **Unit postcodes**, imported by the user from an ONSPD release with
//!   [`import_onspd`] into a compact binary file ([`units`] documents the
//!   format), then loaded with [`PostcodeIndex::load`]. Exact figures.
//!
//! [`PostcodeIndex::lookup`] tries the unit table, then the sector. Northern
//! Ireland (BT) grid references are on the Irish Grid and carry
//! [`Grid::Irish`]; [`dfe_distance_tenths`] refuses to subtract references on
//! different grids. Channel Islands and Isle of Man postcodes have no grid
//! reference ([`Resolved::NoCoordinates`]).
//!
//! ```
//! use iro_domain::Postcode;
//! use iro_postcodes::{PostcodeIndex, Precision, dfe_distance_miles};
//!
//! let index = PostcodeIndex::bundled().unwrap();
//! let home = index.lookup(&Postcode::parse("B1 1AA").unwrap()).unwrap();
//! let placement = index.lookup(&Postcode::parse("BS1 1AA").unwrap()).unwrap();
//! assert_eq!(placement.utla.unwrap().as_str(), "E06000023"); // Bristol
//! assert_eq!(home.precision, Precision::SectorCentroid);
//! let miles = dfe_distance_miles(&home, &placement).unwrap(); // 76.6 with unit postcodes
//! assert!((74.0..79.0).contains(&miles));
//! ```
//!
//! **Invariant:** no panics on any input; every problem in a file is a
//! [`PostcodeError`] naming the file and the line (text) or byte (binary).

mod code;
mod error;
mod index;
mod location;
mod onspd;
mod sectors;
pub mod units;
mod utla;

pub use code::{Country, OnsCode};
pub use error::PostcodeError;
pub use index::{PostcodeIndex, Reading};
pub use location::{
    DFE_KM_PER_MILE, Grid, Location, Precision, Resolved, dfe_distance_miles, dfe_distance_tenths,
};
pub use onspd::{
    EASTING_COLUMNS, GRID_QUALITY_COLUMN, ImportSummary, LAD_COLUMNS, NORTHING_COLUMNS,
    POSTCODE_COLUMNS, import_onspd, import_onspd_with,
};
pub use sectors::{BUNDLED_SECTORS_NAME, SECTOR_COLUMNS, SectorTable};
pub use units::{Area, UnitTable};
pub use utla::{RECODED_LADS, UtlaLookup};

#[cfg(test)]
mod tests;
