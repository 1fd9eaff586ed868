//! # iro-reference
//!
//! **One job:** give the rest of IRO Analytics the public reference data it
//! benchmarks against — English local authorities (DfE 3-digit and ONS codes,
//! regions, the 2019/2021/2023 reorganisations), ONS mid-year estimates of children
//! aged 0–17, the DfE's published CLA counts and rates per 10,000, placement
//! stability and distance indicators, DfE statistical neighbours and the ONS
//! lower→upper-tier lookup — through a typed API.
//!
//! The tables live in `data/reference/` (see its README for sources, vintages and
//! licences). [`Reference::bundled`] uses the copies compiled into the binary, so it
//! works from any directory; [`Reference::from_dir`] loads a folder with the same
//! file names, so figures can be updated without recompiling.
//! [`import::import_files`] reads the DfE's own published CSVs (a newer
//! release) and [`overlay::write_overlay`] writes their rows, in these tables'
//! format, to a reference overlay that [`Reference::with_overlay`] uses over
//! the bundled tables (`iro reference import-dfe`).
//!
//! **Invariant:** every figure returned is a published figure, exactly as
//! published. Nothing is estimated, interpolated or recomputed; a DfE symbol
//! (`c`, `z`, `x`, `k`, …) comes back as a [`Published`] variant, never as a number,
//! and a figure we do not hold comes back as `None` (or [`Published::Missing`]).
//! Loading checks the tables against each other (every authority, region and
//! neighbour code referred to exists) and never panics: bad data is a
//! [`ReferenceError`] naming the file, line and column.
//!
//! ```
//! use iro_domain::{CollectionYear, LaCode};
//! use iro_reference::{Measure, Reference};
//!
//! let reference = Reference::bundled().unwrap();
//! let banes = LaCode::new(800).unwrap();
//! assert_eq!(reference.region_of(banes).unwrap().name, "South West");
//! let d = reference.denominator_for(banes, CollectionYear(2025)).unwrap();
//! assert_eq!((d.mid_year, d.population), (2024, 36601));
//! let cla = reference.published(banes, CollectionYear(2025), Measure::Cla31March).unwrap();
//! assert_eq!(cla.count.value(), Some(220));
//! ```

mod error;
pub mod import;
pub mod overlay;
mod published;
mod reference;
mod table;
mod types;

pub use error::ReferenceError;
pub use overlay::{OverlayApplied, default_overlay_dir};
pub use published::{Number, Published};
pub use reference::{DENOMINATOR_MID_YEAR_LAG, FILES, Reference};
pub use types::{
    Closeness, Denominator, ENGLAND_ONS_CODE, Geography, GeographyLevel, LaRecord, LtlaLink,
    Measure, NationalFigure, NationalSubject, Neighbour, PublishedFigure, SnModel, StabilityFigure,
};

/// Indicator ids of `stability_published.csv`.
pub mod indicators {
    /// CLA at 31 March with 3 or more placements during the year (÷ CLA at 31 March).
    pub const PLACEMENTS_3PLUS_IN_YEAR: &str = "placements_3plus_in_year";
    /// CLA for 2+ years at 31 March with 3 or more placements in the previous 2 years.
    pub const PLACEMENTS_3PLUS_PREV_2YRS: &str = "placements_3plus_prev_2yrs";
    /// Looked after 2.5+ years, aged under 16, with the same carer for 2+ years
    /// (current definition, 2021 on).
    pub const LONG_TERM_STABILITY_SAME_CARER: &str = "long_term_stability_same_carer";
    /// The same, on the earlier "same placement" definition (2018–2020 only).
    pub const LONG_TERM_STABILITY_SAME_PLACEMENT_PRE2023: &str =
        "long_term_stability_same_placement_pre2023";
    /// New placements in the year, by location and distance (÷ all new placements).
    pub const NEW_PLACEMENTS_INSIDE_LA_UNDER_20_MILES: &str =
        "new_placements_inside_la_under_20_miles";
    pub const NEW_PLACEMENTS_INSIDE_LA_OVER_20_MILES: &str =
        "new_placements_inside_la_over_20_miles";
    pub const NEW_PLACEMENTS_OUTSIDE_LA_UNDER_20_MILES: &str =
        "new_placements_outside_la_under_20_miles";
    pub const NEW_PLACEMENTS_OUTSIDE_LA_OVER_20_MILES: &str =
        "new_placements_outside_la_over_20_miles";
    pub const NEW_PLACEMENTS_DISTANCE_NOT_KNOWN: &str = "new_placements_distance_not_known";
    /// CLA at 31 March placed more than 20 miles from home (South West, Medway,
    /// England, SW/SE regions only; England also 2018–2020).
    pub const CLA_31_MARCH_OVER_20_MILES: &str = "cla_31_march_over_20_miles";
    pub const CLA_31_MARCH_20_MILES_OR_LESS: &str = "cla_31_march_20_miles_or_less";
    pub const CLA_31_MARCH_DISTANCE_NOT_KNOWN: &str = "cla_31_march_distance_not_known";
    pub const CLA_31_MARCH_OUTSIDE_LA_BOUNDARY: &str = "cla_31_march_outside_la_boundary";
}

#[cfg(test)]
mod tests;
