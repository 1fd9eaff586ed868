//! # iro-domain
//!
//! The vocabulary of IRO Analytics, as pure data and pure functions: SSDA903 code
//! lists, the rows of each table, children, episodes, **periods of care**,
//! **placements**, reviews, the IRO service's own records (reviews, allocations,
//! midway reviews, DRP escalations), collection years and quarters, local-authority
//! identity, the England and Wales working-day calendar, and diagnostics.
//!
//! **Invariant:** no IO, no global state, no dependency on any other iro crate.
//! Everything here is deterministic and can be tested with literals. (The
//! bank-holiday list is compiled in from `data/reference/`; nothing is read at
//! run time.)

pub mod calendar;
pub mod care;
pub mod codes;
pub mod cohort;
pub mod collection;
pub mod dates;
pub mod diagnostic;
pub mod la;
pub mod model;
pub mod returns;
pub mod review_attribution;
pub mod service;
pub mod table;

pub use calendar::WorkingDayCalendar;
pub use care::{
    EpisodeSpan, PeriodOfCare, Placement, PlacementStart, episode_open_on, looked_after_during,
    looked_after_on,
};
pub use codes::*;
pub use cohort::{AbsentColumn, ChildRecord, Cohort, CohortParts};
pub use collection::{CODE_YEARS, CodeYears, code_not_valid_in};
pub use dates::{
    AgeBand, CollectionYear, Quarter, ReportingPeriod, add_months_clamped, age_in_years,
};
pub use diagnostic::{Diagnostic, RowAccount, Severity, column_letter};
pub use la::{LaCode, LaIdentity, Region};
pub use model::*;
pub use returns::{ChildReturns, FigureBasis, YearSet};
pub use service::{
    DrpIdx, DrpOutcome, DrpStage, IroAllocation, IroIdx, IroReview, IssueIdx, MidwayReview,
    ReviewMode, ReviewStatus, ReviewType, ServiceRecords, ServiceRowAccount, ServiceTable,
};
pub use table::{Column, TableKind};
