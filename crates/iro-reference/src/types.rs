//! The records the reference tables hold.

use std::fmt;

use iro_domain::{CollectionYear, LaCode, LaIdentity, Region};

use crate::published::Published;

/// ONS code of England.
pub const ENGLAND_ONS_CODE: &str = "E92000001";

/// An area DfE publishes figures for: England, a region (`E12…`) or London
/// sub-region (`E13…` Inner/Outer London), or a local authority.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Geography {
    England,
    /// ONS code of a region (`E12…`) or of Inner/Outer London (`E13…`).
    Region(String),
    La(LaCode),
}

impl From<LaCode> for Geography {
    fn from(code: LaCode) -> Self {
        Geography::La(code)
    }
}

impl From<&Geography> for Geography {
    fn from(g: &Geography) -> Self {
        g.clone()
    }
}

impl From<&Region> for Geography {
    fn from(r: &Region) -> Self {
        if r.ons_code == ENGLAND_ONS_CODE {
            Geography::England
        } else {
            Geography::Region(r.ons_code.clone())
        }
    }
}

impl fmt::Display for Geography {
    /// The code used in the tidy metric row's `la_code` column: `E92000001`, the
    /// region's ONS code, or the DfE 3-digit code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Geography::England => f.write_str(ENGLAND_ONS_CODE),
            Geography::Region(code) => f.write_str(code),
            Geography::La(code) => code.fmt(f),
        }
    }
}

/// The `geography_level` column of the bundled tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GeographyLevel {
    National,
    Regional,
    /// Inner London / Outer London (DfE publishes them as regions).
    LondonSubregion,
    LocalAuthority,
}

impl GeographyLevel {
    pub fn id(self) -> &'static str {
        match self {
            GeographyLevel::National => "national",
            GeographyLevel::Regional => "regional",
            GeographyLevel::LondonSubregion => "london_subregion",
            GeographyLevel::LocalAuthority => "local_authority",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "national" => GeographyLevel::National,
            "regional" => GeographyLevel::Regional,
            "london_subregion" => GeographyLevel::LondonSubregion,
            "local_authority" => GeographyLevel::LocalAuthority,
            _ => return None,
        })
    }
}

/// One local authority with children's-services responsibility, and its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaRecord {
    /// Current (or, for an abolished authority, last) identity. `region` is always one
    /// of the nine `E12…` regions (London authorities: `E12000007`).
    pub identity: LaIdentity,
    /// Inner or Outer London (`E13…`), for London boroughs and the City.
    pub london_subregion: Option<Region>,
    /// First collection year the authority existed in; `None` = before 2015.
    pub valid_from: Option<CollectionYear>,
    /// Last collection year the authority existed in; `None` = still current.
    pub valid_to: Option<CollectionYear>,
    /// Authorities it replaced (e.g. BCP 839 ← 835, 836, 837).
    pub predecessors: Vec<LaCode>,
    /// Authorities that replaced it (e.g. Northamptonshire 928 → 940, 941).
    pub successors: Vec<LaCode>,
    /// ONS codes it used before its current one (same DfE code), e.g. North
    /// Yorkshire `E10000023` before `E06000065`.
    pub former_ons_codes: Vec<String>,
    /// First collection year under the current ONS code, where it changed.
    pub ons_code_from: Option<CollectionYear>,
    pub notes: String,
}

impl LaRecord {
    pub fn code(&self) -> LaCode {
        self.identity.code
    }

    /// Did the authority exist for (all of) collection year `year`?
    pub fn is_current(&self, year: CollectionYear) -> bool {
        self.valid_from.is_none_or(|f| year >= f) && self.valid_to.is_none_or(|t| year <= t)
    }

    /// The ONS code the authority had in collection year `year`.
    pub fn ons_code_in(&self, year: CollectionYear) -> &str {
        match (self.ons_code_from, self.former_ons_codes.last()) {
            (Some(from), Some(old)) if year < from => old,
            _ => &self.identity.ons_code,
        }
    }
}

/// The population DfE divides by for a rate at 31 March of a collection year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denominator {
    /// The ONS mid-year estimate used: collection year − 1.
    pub mid_year: i32,
    /// Children aged 0 to 17.
    pub population: u64,
}

/// The measures of `cla_published.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// Children looked after at 31 March.
    Cla31March,
    /// Children starting to be looked after during the year.
    Starts,
    /// Children ceasing to be looked after during the year.
    Ceases,
}

impl Measure {
    pub const ALL: [Measure; 3] = [Measure::Cla31March, Measure::Starts, Measure::Ceases];

    pub fn id(self) -> &'static str {
        match self {
            Measure::Cla31March => "cla_31_march",
            Measure::Starts => "starts",
            Measure::Ceases => "ceases",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Measure::ALL.into_iter().find(|m| m.id() == s)
    }
}

/// One published count with the population and rate per 10,000 DfE gave with it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedFigure {
    pub year: CollectionYear,
    pub geography: Geography,
    /// ONS code as printed in that release.
    pub ons_code: String,
    pub name: String,
    pub measure: Measure,
    /// National and regional counts are rounded to the nearest 10 by DfE.
    pub count: Published<u64>,
    /// Children aged 0–17 DfE divided by (blank where the release gives none).
    pub population_used: Published<u64>,
    pub rate_per_10000: Published<f64>,
    pub release: String,
    pub source: String,
}

/// One stability or distance indicator: numerator, denominator and the published %.
#[derive(Debug, Clone, PartialEq)]
pub struct StabilityFigure {
    pub year: CollectionYear,
    pub geography: Geography,
    pub ons_code: String,
    pub name: String,
    /// Indicator id, see [`crate::indicators`].
    pub indicator: String,
    pub numerator: Published<u64>,
    pub denominator: Published<u64>,
    pub percent: Published<f64>,
    pub release: String,
    pub source: String,
}

/// Which DfE statistical-neighbour set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SnModel {
    /// DfE "New Statistical Neighbour Groupings", April 2021.
    Groupings2021,
    /// DfE statistical neighbour model 2025.
    Model2025,
}

impl SnModel {
    pub const ALL: [SnModel; 2] = [SnModel::Groupings2021, SnModel::Model2025];

    pub fn id(self) -> &'static str {
        match self {
            SnModel::Groupings2021 => "groupings_2021",
            SnModel::Model2025 => "model_2025",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        SnModel::ALL.into_iter().find(|m| m.id() == s)
    }
}

/// DfE's closeness band for a statistical neighbour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Closeness {
    ExtremelyClose,
    VeryClose,
    Close,
    SomewhatClose,
    NotClose,
}

impl Closeness {
    pub fn label(self) -> &'static str {
        match self {
            Closeness::ExtremelyClose => "Extremely close",
            Closeness::VeryClose => "Very close",
            Closeness::Close => "Close",
            Closeness::SomewhatClose => "Somewhat close",
            Closeness::NotClose => "Not close",
        }
    }

    /// Case-insensitive (the 2021 and 2025 files capitalise differently).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        [
            Closeness::ExtremelyClose,
            Closeness::VeryClose,
            Closeness::Close,
            Closeness::SomewhatClose,
            Closeness::NotClose,
        ]
        .into_iter()
        .find(|c| c.label().eq_ignore_ascii_case(s))
    }
}

/// One statistical neighbour of an authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Neighbour {
    /// 1 = closest.
    pub rank: u8,
    pub la: LaCode,
    pub closeness: Closeness,
}

/// A row of the ONS lower-tier → upper-tier lookup (April 2023).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LtlaLink {
    pub ltla_code: String,
    pub ltla_name: String,
    pub utla_code: String,
    pub utla_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for m in Measure::ALL {
            assert_eq!(Measure::parse(m.id()), Some(m));
        }
        for m in SnModel::ALL {
            assert_eq!(SnModel::parse(m.id()), Some(m));
        }
        assert_eq!(Closeness::parse("Very Close"), Some(Closeness::VeryClose));
        assert_eq!(Closeness::parse("Close "), Some(Closeness::Close));
        assert_eq!(Closeness::parse("near"), None);
        assert_eq!(Geography::England.to_string(), "E92000001");
        assert_eq!(Geography::La(LaCode::new(800).unwrap()).to_string(), "800");
    }
}

/// What a row of `england_published.csv` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NationalSubject {
    /// Children looked after at 31 March, by characteristic (% of all).
    Cla31March,
    /// Care leavers aged 17 to 21 (% of the care leavers of the age group).
    CareLeavers,
}

impl NationalSubject {
    /// The id in the file.
    pub fn id(self) -> &'static str {
        match self {
            NationalSubject::Cla31March => "cla_31_march",
            NationalSubject::CareLeavers => "care_leavers",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [NationalSubject::Cla31March, NationalSubject::CareLeavers]
            .into_iter()
            .find(|m| m.id() == s)
    }
}

/// One of England's published percentages (`england_published.csv`): the
/// profile of children looked after at 31 March and the care-leaver
/// indicators, each exactly as the DfE printed it.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalFigure {
    pub year: CollectionYear,
    pub subject: NationalSubject,
    /// `key=value;…` with the keys and values of `metrics.csv`
    /// (`sex=Male`, `age_group=19 to 21;accommodation=Suitable`); a DfE
    /// group we do not compute has a key of its own (`age=17`).
    pub breakdown: String,
    pub percent: Published<f64>,
    /// The count beside it (rounded to the nearest 10), where printed.
    pub count: Published<u64>,
    pub release: String,
    pub source: String,
}
