//! The IRO service's own records: what an IRO annual report needs and the
//! SSDA903 does not hold (spec §9). Four tables, exported from the authority's
//! case system beside its SSDA903 files:
//!
//! * **IRO reviews** ([`IroReview`]): every review meeting the IRO service
//!   arranged — held, cancelled or adjourned — with its due date, chair, when
//!   the social worker's report reached the IRO, and when the decisions and the
//!   full record were sent. `(CHILD, REVIEW)` of a held review is the join key
//!   to the SSDA903 Reviews table.
//! * **IRO allocations** ([`IroAllocation`]): which IRO was allocated to which
//!   child, from when to when.
//! * **Midway reviews** ([`MidwayReview`]): the IRO's check on the care plan
//!   between statutory reviews, with its due and completed dates.
//! * **DRP log** ([`DrpStage`]): dispute resolution protocol escalations, one
//!   row per stage reached.
//!
//! Children are [`ChildIdx`] into the same cohort as the SSDA903 rows (CHILD is
//! namespaced by authority). IRO identities are staff data: they are interned
//! once ([`ServiceRecords::iros`]) and shareable outputs count them, never
//! name them.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dates::CollectionYear;
use crate::la::LaCode;
use crate::model::{ChildIdx, SourceRef};

/// One of the IRO service's record tables. Files are recognised by their
/// header row, like the SSDA903 tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceTable {
    IroReviews,
    IroAllocations,
    MidwayReviews,
    DrpLog,
}

impl ServiceTable {
    pub const ALL: [ServiceTable; 4] = [
        ServiceTable::IroReviews,
        ServiceTable::IroAllocations,
        ServiceTable::MidwayReviews,
        ServiceTable::DrpLog,
    ];

    /// The table's name, also the file name we suggest (`iro_reviews.csv`).
    pub fn name(self) -> &'static str {
        match self {
            ServiceTable::IroReviews => "iro_reviews",
            ServiceTable::IroAllocations => "iro_allocations",
            ServiceTable::MidwayReviews => "midway_reviews",
            ServiceTable::DrpLog => "drp_log",
        }
    }

    /// Every column, in documentation order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ServiceTable::IroReviews => &[
                "CHILD",
                "REVIEW",
                "REVIEW_DUE",
                "REVIEW_TYPE",
                "STATUS",
                "IRO_ID",
                "SW_REPORT_RECEIVED",
                "DECISIONS_SENT",
                "RECORD_SENT",
                "IRO_MET_CHILD",
                "MODE",
            ],
            ServiceTable::IroAllocations => {
                &["CHILD", "IRO_ID", "IRO_START", "IRO_END", "CHANGE_REASON"]
            }
            ServiceTable::MidwayReviews => &["CHILD", "IRO_ID", "MIDWAY_DUE", "MIDWAY_DATE"],
            ServiceTable::DrpLog => &[
                "DRP_ID",
                "CHILD",
                "IRO_ID",
                "RAISED",
                "ISSUE_CATEGORY",
                "STAGE",
                "STAGE_START",
                "RESPONSE_DUE",
                "RESPONSE_DATE",
                "OUTCOME",
                "CAFCASS_REFERRAL",
            ],
        }
    }

    /// Columns a file must have to be read (their values may still be blank
    /// where the column allows it). The others may be left out; the measures
    /// that need them are then "not computable".
    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            ServiceTable::IroReviews => &["CHILD", "REVIEW", "STATUS", "IRO_ID"],
            ServiceTable::IroAllocations => &["CHILD", "IRO_ID", "IRO_START", "IRO_END"],
            ServiceTable::MidwayReviews => &["CHILD", "MIDWAY_DATE"],
            ServiceTable::DrpLog => &[
                "DRP_ID",
                "CHILD",
                "RAISED",
                "STAGE",
                "STAGE_START",
                "RESPONSE_DATE",
                "OUTCOME",
            ],
        }
    }
}

impl std::fmt::Display for ServiceTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Index of an IRO in [`ServiceRecords::iros`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IroIdx(pub u32);

impl IroIdx {
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// Index of a DRP escalation in [`ServiceRecords::drp_ids`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DrpIdx(pub u32);

impl DrpIdx {
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// Index of an issue category in [`ServiceRecords::issue_categories`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IssueIdx(pub u16);

impl IssueIdx {
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// STATUS of a review meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ReviewStatus {
    /// The review took place on REVIEW (and should be in the SSDA903 Reviews table).
    Held,
    /// Arranged for REVIEW and did not take place.
    Cancelled,
    /// Started on REVIEW and adjourned; the reconvened meeting is its own row.
    Adjourned,
}

impl ReviewStatus {
    pub const ALL: [ReviewStatus; 3] = [
        ReviewStatus::Held,
        ReviewStatus::Cancelled,
        ReviewStatus::Adjourned,
    ];

    /// The code written in the file.
    pub fn code(self) -> &'static str {
        match self {
            ReviewStatus::Held => "HELD",
            ReviewStatus::Cancelled => "CANCELLED",
            ReviewStatus::Adjourned => "ADJOURNED",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::Held => "held",
            ReviewStatus::Cancelled => "cancelled",
            ReviewStatus::Adjourned => "adjourned",
        }
    }
}

/// REVIEW_TYPE: the review's place in the statutory sequence (CPPCR 2010 reg 33).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ReviewType {
    /// The first review of a period of care (within 20 working days).
    Initial,
    /// The second (within 3 months of the first).
    Second,
    /// Third and later (within 6 months of the previous).
    Subsequent,
}

impl ReviewType {
    pub const ALL: [ReviewType; 3] = [
        ReviewType::Initial,
        ReviewType::Second,
        ReviewType::Subsequent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReviewType::Initial => "INITIAL",
            ReviewType::Second => "SECOND",
            ReviewType::Subsequent => "SUBSEQUENT",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewType::Initial => "initial",
            ReviewType::Second => "second",
            ReviewType::Subsequent => "subsequent",
        }
    }
}

/// MODE of a review meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ReviewMode {
    InPerson,
    Virtual,
    Hybrid,
}

impl ReviewMode {
    pub const ALL: [ReviewMode; 3] = [
        ReviewMode::InPerson,
        ReviewMode::Virtual,
        ReviewMode::Hybrid,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReviewMode::InPerson => "IN_PERSON",
            ReviewMode::Virtual => "VIRTUAL",
            ReviewMode::Hybrid => "HYBRID",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewMode::InPerson => "in person",
            ReviewMode::Virtual => "virtual",
            ReviewMode::Hybrid => "hybrid",
        }
    }
}

/// OUTCOME of one DRP stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DrpOutcome {
    /// The issue was resolved at this stage; the escalation ends.
    Resolved,
    /// Not resolved: the IRO took it to a later stage (a later row).
    Escalated,
    /// Ended without resolution (the child left care, withdrawn, overtaken by
    /// events, referred to Cafcass…); the escalation ends.
    Closed,
}

impl DrpOutcome {
    pub const ALL: [DrpOutcome; 3] = [
        DrpOutcome::Resolved,
        DrpOutcome::Escalated,
        DrpOutcome::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DrpOutcome::Resolved => "RESOLVED",
            DrpOutcome::Escalated => "ESCALATED",
            DrpOutcome::Closed => "CLOSED",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DrpOutcome::Resolved => "resolved",
            DrpOutcome::Escalated => "escalated",
            DrpOutcome::Closed => "closed",
        }
    }

    /// Whether the escalation ends with this stage.
    pub fn ends(self) -> bool {
        !matches!(self, DrpOutcome::Escalated)
    }
}

/// One review meeting (iro_reviews).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IroReview {
    pub child: ChildIdx,
    /// REVIEW: the date of the meeting (held, or arranged when cancelled).
    pub review: NaiveDate,
    /// REVIEW_DUE: the due date the service worked to.
    pub review_due: Option<NaiveDate>,
    pub review_type: Option<ReviewType>,
    pub status: ReviewStatus,
    /// IRO_ID: the IRO who chaired (or was to chair) the review.
    pub iro: Option<IroIdx>,
    /// SW_REPORT_RECEIVED: the date the social worker's report reached the IRO;
    /// `None` when no report was received.
    pub sw_report_received: Option<NaiveDate>,
    /// DECISIONS_SENT: the date the review's decisions (recommendations) were sent.
    pub decisions_sent: Option<NaiveDate>,
    /// RECORD_SENT: the date the full record of the review was sent.
    pub record_sent: Option<NaiveDate>,
    /// IRO_MET_CHILD: the IRO met (or spoke to) the child before the review.
    pub iro_met_child: Option<bool>,
    pub mode: Option<ReviewMode>,
    /// The collection year of the file this row was taken from.
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// One IRO's allocation to a child (iro_allocations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IroAllocation {
    pub child: ChildIdx,
    pub iro: IroIdx,
    /// IRO_START: first day of the allocation.
    pub start: NaiveDate,
    /// IRO_END: last day of the allocation; `None` while it continues.
    pub end: Option<NaiveDate>,
    /// CHANGE_REASON as written (why this allocation began), if given.
    pub change_reason: Option<Box<str>>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

impl IroAllocation {
    /// In force on `date` (start and end days included).
    pub fn active_on(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|e| e >= date)
    }

    /// Overlaps the inclusive interval `[from, to]`.
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.start <= to && self.end.is_none_or(|e| e >= from)
    }
}

/// One midway review (midway_reviews).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MidwayReview {
    pub child: ChildIdx,
    pub iro: Option<IroIdx>,
    /// MIDWAY_DUE: when it was due, if the service records it.
    pub due: Option<NaiveDate>,
    /// MIDWAY_DATE: when it was completed; `None` when not (yet) completed.
    pub completed: Option<NaiveDate>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// One stage of a DRP escalation (drp_log).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrpStage {
    pub drp: DrpIdx,
    pub child: ChildIdx,
    pub iro: Option<IroIdx>,
    /// RAISED: when the escalation was first raised (the same on every row of
    /// one DRP_ID; ingest makes it so).
    pub raised: NaiveDate,
    /// ISSUE_CATEGORY: one or more categories of concern.
    pub issues: Vec<IssueIdx>,
    /// STAGE: the authority's stage number (its names and timescales are
    /// configured per authority).
    pub stage: u8,
    /// STAGE_START: when this stage began.
    pub stage_start: NaiveDate,
    /// RESPONSE_DUE, when the file gives it (otherwise computed from the
    /// configured timescale).
    pub response_due: Option<NaiveDate>,
    /// RESPONSE_DATE: when the response at this stage was received.
    pub response_date: Option<NaiveDate>,
    /// OUTCOME; `None` while the stage is open.
    pub outcome: Option<DrpOutcome>,
    /// CAFCASS_REFERRAL: the IRO referred the child's case to Cafcass at this stage.
    pub cafcass_referral: Option<bool>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// Rows read, used and excluded for one IRO-service table of one authority
/// and year. Invariant: `rows_read == rows_used + rows_excluded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRowAccount {
    pub la: LaCode,
    pub year: CollectionYear,
    pub table: ServiceTable,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_excluded: u64,
}

/// Offsets of each child's rows in a table sorted by child.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ByChild(Vec<u32>);

impl ByChild {
    fn build(n_children: usize, child_of: impl Iterator<Item = ChildIdx>) -> Self {
        let mut counts = vec![0u32; n_children + 1];
        for c in child_of {
            if let Some(slot) = counts.get_mut(c.get() + 1) {
                *slot += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        ByChild(counts)
    }

    fn range(&self, c: ChildIdx) -> Range<usize> {
        let i = c.get();
        match (self.0.get(i), self.0.get(i + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }
}

/// Every IRO-service record of one authority, over the years loaded. Rows are
/// sorted (reviews and allocations by child and date, midway reviews by child
/// and date, DRP stages by escalation, start and stage).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceRecords {
    pub reviews: Vec<IroReview>,
    pub allocations: Vec<IroAllocation>,
    pub midway: Vec<MidwayReview>,
    pub drp: Vec<DrpStage>,
    /// IRO_ID values, interned (personal to staff: count them, never publish them).
    pub iros: Vec<Box<str>>,
    /// DRP_ID values, interned.
    pub drp_ids: Vec<Box<str>>,
    /// ISSUE_CATEGORY values, interned (trimmed, lower case).
    pub issue_categories: Vec<Box<str>>,
    /// For each collection year, the tables supplied and the columns each had.
    pub tables: BTreeMap<CollectionYear, BTreeMap<ServiceTable, BTreeSet<&'static str>>>,
    review_idx: ByChild,
    allocation_idx: ByChild,
    midway_idx: ByChild,
}

impl ServiceRecords {
    /// Sorts the rows, drops any whose child index is not below `n_children`
    /// (ingest never produces them) and builds the per-child indices.
    pub fn finish(mut self, n_children: usize) -> Self {
        let valid = |c: ChildIdx| c.get() < n_children;
        self.reviews.retain(|r| valid(r.child));
        self.allocations.retain(|r| valid(r.child));
        self.midway.retain(|r| valid(r.child));
        self.drp.retain(|r| valid(r.child));
        self.reviews
            .sort_by_key(|r| (r.child, r.review, r.status, r.source));
        self.allocations
            .sort_by_key(|r| (r.child, r.start, r.end.unwrap_or(NaiveDate::MAX), r.source));
        self.midway.sort_by_key(|r| {
            (
                r.child,
                r.due.or(r.completed).unwrap_or(NaiveDate::MAX),
                r.source,
            )
        });
        self.drp
            .sort_by_key(|r| (r.drp, r.stage_start, r.stage, r.source));
        self.review_idx = ByChild::build(n_children, self.reviews.iter().map(|r| r.child));
        self.allocation_idx = ByChild::build(n_children, self.allocations.iter().map(|r| r.child));
        self.midway_idx = ByChild::build(n_children, self.midway.iter().map(|r| r.child));
        self
    }

    /// Whether no record of any kind was loaded.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Whether `table` was supplied for `year`.
    pub fn has_table(&self, year: CollectionYear, table: ServiceTable) -> bool {
        self.tables
            .get(&year)
            .is_some_and(|t| t.contains_key(&table))
    }

    /// Whether `table` was supplied for `year` with the column `column`.
    pub fn has_column(&self, year: CollectionYear, table: ServiceTable, column: &str) -> bool {
        self.tables
            .get(&year)
            .and_then(|t| t.get(&table))
            .is_some_and(|cols| cols.contains(column))
    }

    /// One child's review meetings, by date.
    pub fn reviews_of(&self, child: ChildIdx) -> &[IroReview] {
        self.reviews
            .get(self.review_idx.range(child))
            .unwrap_or_default()
    }

    /// One child's IRO allocations, by start date.
    pub fn allocations_of(&self, child: ChildIdx) -> &[IroAllocation] {
        self.allocations
            .get(self.allocation_idx.range(child))
            .unwrap_or_default()
    }

    /// One child's midway reviews.
    pub fn midway_of(&self, child: ChildIdx) -> &[MidwayReview] {
        self.midway
            .get(self.midway_idx.range(child))
            .unwrap_or_default()
    }

    /// The IRO_ID of an IRO (staff data: for personal drill-downs only).
    pub fn iro_id(&self, iro: IroIdx) -> &str {
        self.iros.get(iro.get()).map_or("", |s| s)
    }

    /// The DRP_ID of an escalation.
    pub fn drp_id(&self, drp: DrpIdx) -> &str {
        self.drp_ids.get(drp.get()).map_or("", |s| s)
    }

    /// An issue category's name.
    pub fn issue_category(&self, issue: IssueIdx) -> &str {
        self.issue_categories.get(issue.get()).map_or("", |s| s)
    }

    /// The stages of each DRP escalation, in order (rows grouped by DRP_ID,
    /// each group ordered by stage start and stage).
    pub fn drps(&self) -> impl Iterator<Item = &[DrpStage]> + '_ {
        self.drp.chunk_by(|a, b| a.drp == b.drp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn src(line: u32) -> SourceRef {
        SourceRef { file: 0, line }
    }

    fn alloc(child: u32, iro: u32, start: NaiveDate, end: Option<NaiveDate>) -> IroAllocation {
        IroAllocation {
            child: ChildIdx(child),
            iro: IroIdx(iro),
            start,
            end,
            change_reason: None,
            year: CollectionYear(2025),
            source: src(child + 2),
        }
    }

    #[test]
    fn rows_are_sorted_and_indexed_by_child() {
        let mut recs = ServiceRecords {
            allocations: vec![
                alloc(1, 0, d(2024, 6, 1), None),
                alloc(0, 1, d(2024, 9, 1), None),
                alloc(0, 0, d(2024, 4, 1), Some(d(2024, 8, 31))),
                // Out of range: dropped.
                alloc(7, 0, d(2024, 4, 1), None),
            ],
            iros: vec!["A".into(), "B".into()],
            ..Default::default()
        };
        recs = recs.finish(2);
        assert_eq!(recs.allocations.len(), 3);
        let c0 = recs.allocations_of(ChildIdx(0));
        assert_eq!(c0.len(), 2);
        assert_eq!(c0[0].start, d(2024, 4, 1));
        assert_eq!(recs.allocations_of(ChildIdx(1)).len(), 1);
        assert!(recs.allocations_of(ChildIdx(5)).is_empty());
        assert!(recs.reviews_of(ChildIdx(0)).is_empty());
        assert_eq!(recs.iro_id(IroIdx(1)), "B");
        assert_eq!(recs.iro_id(IroIdx(9)), "");
    }

    #[test]
    fn allocation_days_are_inclusive() {
        let a = alloc(0, 0, d(2024, 4, 1), Some(d(2024, 4, 30)));
        assert!(a.active_on(d(2024, 4, 1)));
        assert!(a.active_on(d(2024, 4, 30)));
        assert!(!a.active_on(d(2024, 5, 1)));
        assert!(!a.active_on(d(2024, 3, 31)));
        assert!(a.overlaps(d(2024, 4, 30), d(2024, 6, 30)));
        assert!(!a.overlaps(d(2024, 5, 1), d(2024, 6, 30)));
    }

    #[test]
    fn drps_are_grouped_by_escalation() {
        let stage = |drp: u32, stage: u8, start: NaiveDate| DrpStage {
            drp: DrpIdx(drp),
            child: ChildIdx(0),
            iro: None,
            raised: d(2024, 10, 1),
            issues: vec![],
            stage,
            stage_start: start,
            response_due: None,
            response_date: None,
            outcome: None,
            cafcass_referral: None,
            year: CollectionYear(2025),
            source: src(u32::from(stage)),
        };
        let recs = ServiceRecords {
            drp: vec![
                stage(1, 1, d(2024, 11, 1)),
                stage(0, 3, d(2024, 10, 20)),
                stage(0, 1, d(2024, 10, 1)),
            ],
            ..Default::default()
        }
        .finish(1);
        let groups: Vec<Vec<u8>> = recs
            .drps()
            .map(|g| g.iter().map(|s| s.stage).collect())
            .collect();
        assert_eq!(groups, vec![vec![1, 3], vec![1]]);
    }

    #[test]
    fn required_columns_are_columns() {
        for t in ServiceTable::ALL {
            for c in t.required_columns() {
                assert!(t.columns().contains(c), "{t}: {c}");
            }
            assert!(t.columns().contains(&"CHILD"));
        }
    }
}
