//! Rows of the SSDA903 tables, typed. Field names follow the SSDA903 columns.
//!
//! Children are referred to by [`ChildIdx`], their index in the authority's
//! [`crate::Cohort`]; the CHILD string itself lives once, in [`Child`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::*;
use crate::dates::CollectionYear;

mod postcode;
pub use postcode::{Postcode, PostcodeKind};

/// Index of a child in its cohort's `children`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChildIdx(pub u32);

impl ChildIdx {
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// Where a row came from: an index into the run's file list and a 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SourceRef {
    pub file: u32,
    pub line: u32,
}

/// Header: one child. Merged across collection years, the latest return wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Child {
    /// The authority's own CHILD identifier, as written (trimmed).
    pub child_id: Box<str>,
    pub sex: Option<Sex>,
    pub dob: Option<NaiveDate>,
    pub ethnic: Option<Ethnicity>,
    pub upn: Option<Box<str>>,
    pub mother: Option<bool>,
    pub mc_dob: Option<NaiveDate>,
    /// UASC table row, when the child was (or had been) unaccompanied.
    pub uasc: Option<Uasc>,
    /// The latest collection year whose Header held this child.
    pub header_year: Option<CollectionYear>,
}

/// UASC: the child was an unaccompanied asylum-seeking child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uasc {
    /// DUC: date UASC status ceased, if it has.
    pub duc: Option<NaiveDate>,
}

impl Uasc {
    /// Whether the status held on `date`: not ceased on or before it (a DUC
    /// on the day means the child was no longer UASC that day).
    pub fn held_on(self, date: NaiveDate) -> bool {
        self.duc.is_none_or(|d| d > date)
    }
}

impl Child {
    /// Whether the child was UASC on `date` (status not yet ceased).
    pub fn is_uasc_on(&self, date: NaiveDate) -> bool {
        self.uasc.is_some_and(|u| u.held_on(date))
    }
}

/// Episodes: one spell with unchanged legal status and placement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    pub child: ChildIdx,
    pub decom: NaiveDate,
    pub rne: ReasonNewEpisode,
    pub ls: LegalStatus,
    pub cin: Option<CategoryOfNeed>,
    pub place: Option<PlacementType>,
    pub place_provider: Option<PlaceProvider>,
    pub dec: Option<NaiveDate>,
    pub rec: Option<ReasonEpisodeCeased>,
    pub reason_place_change: Option<ReasonPlaceChange>,
    pub home_post: Option<Postcode>,
    pub pl_post: Option<Postcode>,
    pub urn: Option<Box<str>>,
    /// The collection year of the return this row was taken from.
    pub year: CollectionYear,
    pub source: SourceRef,
}

impl Episode {
    /// Open at the end of `date` (started on or before it, not ceased by it).
    pub fn open_on(&self, date: NaiveDate) -> bool {
        crate::care::EpisodeSpan::open_on(self, date)
    }

    /// Overlaps the inclusive interval `[from, to]`.
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        crate::care::EpisodeSpan::overlaps(self, from, to)
    }

    pub fn is_short_break(&self) -> bool {
        self.ls.is_short_break()
    }
}

/// Reviews: one statutory review held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub child: ChildIdx,
    pub review: NaiveDate,
    pub review_code: Option<ParticipationCode>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// Missing: one spell missing from care or away without authorisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingSpell {
    pub child: ChildIdx,
    pub missing: MissingType,
    pub mis_start: NaiveDate,
    pub mis_end: Option<NaiveDate>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// PrevPerm: previous permanence option before entering care.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrevPerm {
    pub child: ChildIdx,
    /// P1–P4 or Z1, kept as written.
    pub prev_perm: Box<str>,
    pub la_perm: Option<Box<str>>,
    pub date_perm: Option<NaiveDate>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// SWEpisodes: one social worker's allocation (from 2023-24).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwEpisode {
    pub child: ChildIdx,
    pub sw_id: Box<str>,
    pub sw_decom: NaiveDate,
    pub sw_dec: Option<NaiveDate>,
    /// SW_REASON as written (MANAGE, FCONTA, LEFTRL, …).
    pub sw_reason: Option<Box<str>>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// DoLo: one Deprivation of Liberty Order (collected from 2026-27): a court's
/// authority to deprive a looked-after child of liberty outside a secure
/// children's home. An order open at 31 March is returned again the next
/// year, as an open episode is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeprivationOfLiberty {
    pub child: ChildIdx,
    pub dolo_start: NaiveDate,
    /// Blank while the order is in force.
    pub dolo_end: Option<NaiveDate>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

impl DeprivationOfLiberty {
    /// Whether the order is in force at any time from `from` to `to`
    /// (inclusive).
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.dolo_start <= to && self.dolo_end.is_none_or(|e| e >= from)
    }
}

/// OC2: outcomes for children looked after continuously for 12 months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Oc2 {
    pub child: ChildIdx,
    pub sdq_score: Option<u8>,
    pub sdq_reason: Option<Box<str>>,
    pub convicted: Option<bool>,
    pub health_check: Option<bool>,
    pub immunisations: Option<bool>,
    pub teeth_check: Option<bool>,
    pub health_assessment: Option<bool>,
    pub substance_misuse: Option<bool>,
    pub intervention_received: Option<bool>,
    pub intervention_offered: Option<bool>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// OC3: care leavers aged 17–21.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Oc3 {
    pub child: ChildIdx,
    pub in_touch: Box<str>,
    pub activ: Option<Box<str>>,
    pub accom: Option<Box<str>>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// A row of a table kept as text (AD1, PlacedAdoption): read, checked for its
/// child, and carried through for plugins, but not interpreted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawRow {
    pub child: ChildIdx,
    /// Values in the table's column order (see [`crate::TableKind::columns`]).
    pub values: Vec<Box<str>>,
    pub year: CollectionYear,
    pub source: SourceRef,
}
