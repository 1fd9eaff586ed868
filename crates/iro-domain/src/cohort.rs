//! One authority's children in care, over every collection year loaded, with
//! periods of care and placements derived and indexed by child.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use chrono::NaiveDate;

use crate::care::{PeriodOfCare, Placement, derive_periods_into, derive_placements_into};
use crate::dates::CollectionYear;
use crate::la::LaCode;
use crate::model::*;
use crate::returns::{ChildReturns, FigureBasis, ReturnHistory, YearSet};
use crate::service::ServiceRecords;
use crate::table::{Column, TableKind};

/// The tables read for one authority, before indexing. Rows may be in any order.
#[derive(Debug, Clone, Default)]
pub struct CohortParts {
    pub children: Vec<Child>,
    pub episodes: Vec<Episode>,
    pub reviews: Vec<Review>,
    pub missing: Vec<MissingSpell>,
    pub prev_perm: Vec<PrevPerm>,
    pub sw_episodes: Vec<SwEpisode>,
    pub deprivation_of_liberty: Vec<DeprivationOfLiberty>,
    pub oc2: Vec<Oc2>,
    pub oc3: Vec<Oc3>,
    pub ad1: Vec<RawRow>,
    pub placed_adoption: Vec<RawRow>,
    /// Which tables were supplied for which collection years.
    pub tables: BTreeMap<CollectionYear, BTreeSet<TableKind>>,
}

/// A column a file of one collection year lacks: it was read as blank for
/// every row, and a figure that needs it is not computable for that year.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AbsentColumn {
    pub year: CollectionYear,
    pub column: Column,
    /// The file's name (for the reason a figure gives).
    pub file: String,
}

/// Offsets of each child's rows in a table sorted by child (`offsets[c]..offsets[c+1]`).
#[derive(Debug, Clone, Default)]
struct ChildIndex(Vec<u32>);

impl ChildIndex {
    fn build(n_children: usize, child_of: impl Iterator<Item = ChildIdx>) -> Self {
        let mut counts = vec![0u32; n_children + 1];
        for c in child_of {
            counts[c.get() + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        ChildIndex(counts)
    }

    fn range(&self, c: ChildIdx) -> Range<usize> {
        let i = c.get();
        match (self.0.get(i), self.0.get(i + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }
}

/// One authority's cohort. Rows are sorted by child and date, and every
/// `ChildIdx` is a valid index into [`Cohort::children`].
#[derive(Debug, Clone)]
pub struct Cohort {
    la: LaCode,
    children: Vec<Child>,
    episodes: Vec<Episode>,
    reviews: Vec<Review>,
    periods: Vec<PeriodOfCare>,
    placements: Vec<Placement>,
    missing: Vec<MissingSpell>,
    prev_perm: Vec<PrevPerm>,
    sw_episodes: Vec<SwEpisode>,
    deprivation_of_liberty: Vec<DeprivationOfLiberty>,
    oc2: Vec<Oc2>,
    oc3: Vec<Oc3>,
    ad1: Vec<RawRow>,
    placed_adoption: Vec<RawRow>,
    tables: BTreeMap<CollectionYear, BTreeSet<TableKind>>,
    episode_idx: ChildIndex,
    review_idx: ChildIndex,
    period_idx: ChildIndex,
    placement_idx: ChildIndex,
    /// The IRO service's own records (empty unless supplied), attached by
    /// [`Cohort::set_service`].
    service: ServiceRecords,
    /// Which return held each episode ([`Cohort::set_return_history`]);
    /// `None`: the merged history stands for every year ([`FigureBasis::Revised`]).
    returns: Option<ReturnHistory>,
    copy_idx: ChildIndex,
    /// Columns the files lacked (read as blank), sorted; see
    /// [`Cohort::set_absent_columns`].
    absent: Vec<AbsentColumn>,
    /// The child-level records have been let go ([`Cohort::release_records`]).
    released: bool,
    /// See [`Cohort::stamp`].
    stamp: u64,
}

/// A number no other cohort state of this process has had.
fn next_stamp() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Everything held about one child, borrowed from the cohort.
#[derive(Debug, Clone, Copy)]
pub struct ChildRecord<'a> {
    pub idx: ChildIdx,
    pub child: &'a Child,
    pub episodes: &'a [Episode],
    pub reviews: &'a [Review],
    pub periods: &'a [PeriodOfCare],
    pub placements: &'a [Placement],
    /// Which returns held the child's episodes, when the cohort's year counts
    /// come from each year's own return.
    pub returns: Option<ChildReturns<'a>>,
}

impl<'a> ChildRecord<'a> {
    /// The child's episodes as `year`'s return held them, into `out` (cleared
    /// first), in DECOM order: only episodes that return held, in its own
    /// copy. Without a return history (the cohort's
    /// [`Cohort::figure_basis`] is `Revised`), every episode of the merged
    /// history.
    pub fn episodes_in_return(&self, year: CollectionYear, out: &mut Vec<&'a Episode>) {
        out.clear();
        match &self.returns {
            None => out.extend(self.episodes.iter()),
            Some(r) => out.extend(
                self.episodes
                    .iter()
                    .zip(r.held_in.iter().chain(std::iter::repeat(&YearSet::EMPTY)))
                    .filter_map(|(e, &held)| r.as_returned(e, held, year)),
            ),
        }
    }

    /// The episode open at the end of `date`, if any.
    pub fn episode_open_on(&self, date: NaiveDate) -> Option<&'a Episode> {
        crate::care::episode_open_on(self.episodes, date)
    }

    /// Looked after at the end of `date` under the DfE definition: an episode
    /// open on that date whose legal status is not a short break (V3/V4)
    /// ([`crate::care::looked_after_on`]).
    pub fn looked_after_on(&self, date: NaiveDate) -> bool {
        crate::care::looked_after_on(self.episodes, date).is_some()
    }

    /// Age in completed years on `date`, if the date of birth is known.
    pub fn age_on(&self, date: NaiveDate) -> Option<i32> {
        self.child
            .dob
            .map(|dob| crate::dates::age_in_years(dob, date))
    }

    /// The DfE age band on `date` ([`crate::AgeBand`]).
    pub fn age_band_on(&self, date: NaiveDate) -> crate::AgeBand {
        crate::AgeBand::on(self.child.dob, date)
    }
}

impl Cohort {
    /// Sorts the tables, derives periods of care and placements and builds the
    /// per-child indices. Rows whose child index is out of range are dropped
    /// (ingest never produces them).
    pub fn new(la: LaCode, parts: CohortParts) -> Self {
        let CohortParts {
            children,
            mut episodes,
            mut reviews,
            mut missing,
            mut prev_perm,
            mut sw_episodes,
            mut deprivation_of_liberty,
            mut oc2,
            mut oc3,
            mut ad1,
            mut placed_adoption,
            tables,
        } = parts;
        let n = children.len();
        let valid = |c: ChildIdx| c.get() < n;
        episodes.retain(|e| valid(e.child));
        reviews.retain(|r| valid(r.child));
        missing.retain(|r| valid(r.child));
        prev_perm.retain(|r| valid(r.child));
        sw_episodes.retain(|r| valid(r.child));
        deprivation_of_liberty.retain(|r| valid(r.child));
        oc2.retain(|r| valid(r.child));
        oc3.retain(|r| valid(r.child));
        ad1.retain(|r| valid(r.child));
        placed_adoption.retain(|r| valid(r.child));

        episodes.sort_by_key(|e| (e.child, e.decom, e.dec.unwrap_or(NaiveDate::MAX)));
        reviews.sort_by_key(|r| (r.child, r.review));
        missing.sort_by_key(|r| (r.child, r.mis_start));
        sw_episodes.sort_by_key(|r| (r.child, r.sw_decom));
        deprivation_of_liberty.sort_by_key(|r| (r.child, r.dolo_start));
        prev_perm.sort_by_key(|r| r.child);
        oc2.sort_by_key(|r| (r.child, r.year));
        oc3.sort_by_key(|r| (r.child, r.year));
        ad1.sort_by_key(|r| (r.child, r.year));
        placed_adoption.sort_by_key(|r| (r.child, r.year));

        let episode_idx = ChildIndex::build(n, episodes.iter().map(|e| e.child));
        let review_idx = ChildIndex::build(n, reviews.iter().map(|r| r.child));

        // A period or a placement holds at least one episode.
        let mut periods = Vec::with_capacity(episodes.len());
        for c in 0..n {
            let child = ChildIdx(c as u32);
            let r = episode_idx.range(child);
            if !r.is_empty() {
                derive_periods_into(child, &episodes[r.clone()], r.start as u32, &mut periods);
            }
        }
        periods.shrink_to_fit();
        let mut placements = Vec::with_capacity(episodes.len());
        for (i, p) in periods.iter().enumerate() {
            derive_placements_into(p, i as u32, &episodes, &mut placements);
        }
        placements.shrink_to_fit();
        let period_idx = ChildIndex::build(n, periods.iter().map(|p| p.child));
        let placement_idx = ChildIndex::build(n, placements.iter().map(|p| p.child));

        Cohort {
            la,
            children,
            episodes,
            reviews,
            periods,
            placements,
            missing,
            prev_perm,
            sw_episodes,
            deprivation_of_liberty,
            oc2,
            oc3,
            ad1,
            placed_adoption,
            tables,
            episode_idx,
            review_idx,
            period_idx,
            placement_idx,
            service: ServiceRecords::default(),
            returns: None,
            copy_idx: ChildIndex::default(),
            absent: Vec::new(),
            released: false,
            stamp: next_stamp(),
        }
    }

    /// Identifies what the cohort holds: two cohorts with the same stamp
    /// hold the same records (a clone, unchanged), and every change gives a
    /// new one. A cache of something computed from a cohort (the plugin
    /// host's Arrow export) keys by it: an address can be reused by another
    /// authority's cohort once ingest hands cohorts over one at a time.
    pub fn stamp(&self) -> u64 {
        self.stamp
    }

    /// Lets go of every child-level record (children, episodes, reviews,
    /// the tables derived from them, the IRO service's records, each
    /// return's copies), keeping what describes the cohort: its authority,
    /// which tables each year supplied, the columns the files lacked and
    /// where its figures come from ([`Cohort::figure_basis`]).
    ///
    /// The engine calls it once every per-authority metric has run, so that
    /// a national run does not hold every child of England while it builds
    /// the comparisons and writes the table. Nothing may compute a figure
    /// from the cohort afterwards: its tables are empty, which would read as
    /// zero; [`Cohort::records_released`] says so, and the engine checks it
    /// before every metric task.
    pub fn release_records(&mut self) {
        self.stamp = next_stamp();
        let basis = self.figure_basis();
        self.children = Vec::new();
        self.episodes = Vec::new();
        self.reviews = Vec::new();
        self.periods = Vec::new();
        self.placements = Vec::new();
        self.missing = Vec::new();
        self.prev_perm = Vec::new();
        self.sw_episodes = Vec::new();
        self.deprivation_of_liberty = Vec::new();
        self.oc2 = Vec::new();
        self.oc3 = Vec::new();
        self.ad1 = Vec::new();
        self.placed_adoption = Vec::new();
        self.episode_idx = ChildIndex::default();
        self.review_idx = ChildIndex::default();
        self.period_idx = ChildIndex::default();
        self.placement_idx = ChildIndex::default();
        self.copy_idx = ChildIndex::default();
        self.service = ServiceRecords::default();
        // An empty history still says each year's figures came from that
        // year's own return.
        self.returns = match basis {
            FigureBasis::EachYearsReturn => Some(ReturnHistory::default()),
            FigureBasis::Revised => None,
        };
        self.released = true;
    }

    /// Whether [`Cohort::release_records`] has let the child-level records go.
    pub fn records_released(&self) -> bool {
        self.released
    }

    /// Records which collection years' returns held each episode
    /// (`held`: one entry per episode key, CHILD and DECOM) and each return's
    /// own copy of an episode where it differs in a way that matters to that
    /// year ([`crate::returns::differs_in_its_year`]; a copy's `year` names its
    /// return). From then on each year's counts can come from that year's own
    /// return ([`ChildRecord::episodes_in_return`]). An episode missing from
    /// `held` is taken as held by its own `year`'s return only.
    pub fn set_return_history(
        &mut self,
        mut held: Vec<(ChildIdx, NaiveDate, YearSet)>,
        mut copies: Vec<Episode>,
    ) {
        self.stamp = next_stamp();
        held.sort_by_key(|h| (h.0, h.1));
        let held_in = self
            .episodes
            .iter()
            .map(
                |e| match held.binary_search_by_key(&(e.child, e.decom), |h| (h.0, h.1)) {
                    Ok(i) => held[i].2,
                    Err(_) => YearSet::of(e.year),
                },
            )
            .collect();
        let n = self.children.len();
        copies.retain(|c| c.child.get() < n);
        copies.sort_by_key(|c| (c.child, c.decom, c.year));
        self.copy_idx = ChildIndex::build(n, copies.iter().map(|c| c.child));
        self.returns = Some(ReturnHistory { held_in, copies });
    }

    /// Forgets the return history: every year's counts then come from the
    /// merged history ([`FigureBasis::Revised`]).
    pub fn drop_return_history(&mut self) {
        self.stamp = next_stamp();
        self.returns = None;
        self.copy_idx = ChildIndex::default();
    }

    /// Where each year's headline counts come from: each year's own return
    /// once ingest has recorded the returns, otherwise the merged history.
    pub fn figure_basis(&self) -> FigureBasis {
        if self.returns.is_some() {
            FigureBasis::EachYearsReturn
        } else {
            FigureBasis::Revised
        }
    }

    /// Records the columns the files lacked (each read as blank for every
    /// row of its file).
    pub fn set_absent_columns(&mut self, mut absent: Vec<AbsentColumn>) {
        self.stamp = next_stamp();
        absent.sort();
        absent.dedup();
        self.absent = absent;
    }

    /// Every column a file lacked, by year.
    pub fn absent_columns(&self) -> &[AbsentColumn] {
        &self.absent
    }

    /// Why a figure of `year` that needs `column` cannot be computed, if it
    /// cannot: the column is absent from that year's file of its table, or,
    /// for the tables every later return repeats (Header, Episodes, UASC:
    /// the same children, open episodes carried forward), from a later
    /// year's, whose copies replace this year's.
    pub fn column_absent_for(&self, year: CollectionYear, column: Column) -> Option<&AbsentColumn> {
        let carried = matches!(
            column.table(),
            TableKind::Header | TableKind::Episodes | TableKind::Uasc
        );
        self.absent
            .iter()
            .filter(|a| a.column == column && (a.year == year || (carried && a.year > year)))
            .min_by_key(|a| a.year)
    }

    /// Attaches the IRO service's records (reviews, allocations, midway
    /// reviews, DRP escalations) read for this authority. Their child indices
    /// refer to this cohort's children; rows out of range are dropped (ingest
    /// never produces them).
    pub fn set_service(&mut self, records: ServiceRecords) {
        self.stamp = next_stamp();
        self.service = records.finish(self.children.len());
    }

    /// The IRO service's records (empty when none were supplied).
    pub fn service(&self) -> &ServiceRecords {
        &self.service
    }

    pub fn la(&self) -> LaCode {
        self.la
    }
    pub fn children(&self) -> &[Child] {
        &self.children
    }
    pub fn episodes(&self) -> &[Episode] {
        &self.episodes
    }
    pub fn reviews(&self) -> &[Review] {
        &self.reviews
    }
    pub fn periods(&self) -> &[PeriodOfCare] {
        &self.periods
    }
    pub fn placements(&self) -> &[Placement] {
        &self.placements
    }
    pub fn missing(&self) -> &[MissingSpell] {
        &self.missing
    }
    pub fn prev_perm(&self) -> &[PrevPerm] {
        &self.prev_perm
    }
    pub fn sw_episodes(&self) -> &[SwEpisode] {
        &self.sw_episodes
    }
    /// Deprivation of Liberty Orders (the DoLo table, from 2026-27), sorted
    /// by child and start.
    pub fn deprivation_of_liberty(&self) -> &[DeprivationOfLiberty] {
        &self.deprivation_of_liberty
    }
    pub fn oc2(&self) -> &[Oc2] {
        &self.oc2
    }
    pub fn oc3(&self) -> &[Oc3] {
        &self.oc3
    }
    pub fn ad1(&self) -> &[RawRow] {
        &self.ad1
    }
    pub fn placed_adoption(&self) -> &[RawRow] {
        &self.placed_adoption
    }

    /// Collection years for which at least one table was supplied.
    pub fn years(&self) -> impl Iterator<Item = CollectionYear> + '_ {
        self.tables.keys().copied()
    }

    /// The latest collection year supplied.
    pub fn latest_year(&self) -> Option<CollectionYear> {
        self.tables.keys().next_back().copied()
    }

    /// Whether `table` was supplied for `year`. Metrics use this to say "not
    /// computable" instead of reporting zero.
    pub fn has_table(&self, year: CollectionYear, table: TableKind) -> bool {
        self.tables.get(&year).is_some_and(|t| t.contains(&table))
    }

    pub fn tables(&self) -> &BTreeMap<CollectionYear, BTreeSet<TableKind>> {
        &self.tables
    }

    pub fn child(&self, idx: ChildIdx) -> ChildRecord<'_> {
        let episodes = self.episode_idx.range(idx);
        ChildRecord {
            idx,
            child: &self.children[idx.get()],
            returns: self.returns.as_ref().map(|r| ChildReturns {
                held_in: r.held_in.get(episodes.clone()).unwrap_or(&[]),
                copies: &r.copies[self.copy_idx.range(idx)],
            }),
            episodes: &self.episodes[episodes],
            reviews: &self.reviews[self.review_idx.range(idx)],
            periods: &self.periods[self.period_idx.range(idx)],
            placements: &self.placements[self.placement_idx.range(idx)],
        }
    }

    /// Every child's record, in index order.
    pub fn iter_children(&self) -> impl ExactSizeIterator<Item = ChildRecord<'_>> + '_ {
        (0..self.children.len()).map(|i| self.child(ChildIdx(i as u32)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{LegalStatus, PlacementType, ReasonNewEpisode};

    fn one_child(year: CollectionYear) -> Cohort {
        let decom = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
        let parts = CohortParts {
            children: vec![Child {
                child_id: "A1".into(),
                sex: None,
                dob: NaiveDate::from_ymd_opt(2015, 1, 1),
                ethnic: None,
                upn: None,
                mother: None,
                mc_dob: None,
                uasc: None,
                header_year: Some(year),
            }],
            episodes: vec![Episode {
                child: ChildIdx(0),
                decom,
                rne: ReasonNewEpisode::S,
                ls: LegalStatus::C2,
                cin: None,
                place: Some(PlacementType::U4),
                place_provider: None,
                dec: None,
                rec: None,
                reason_place_change: None,
                home_post: None,
                pl_post: None,
                urn: None,
                year,
                source: SourceRef { file: 0, line: 2 },
            }],
            reviews: Vec::new(),
            missing: Vec::new(),
            prev_perm: Vec::new(),
            sw_episodes: Vec::new(),
            deprivation_of_liberty: Vec::new(),
            oc2: Vec::new(),
            oc3: Vec::new(),
            ad1: Vec::new(),
            placed_adoption: Vec::new(),
            tables: BTreeMap::from([(
                year,
                BTreeSet::from([TableKind::Header, TableKind::Episodes]),
            )]),
        };
        Cohort::new("887".parse().unwrap(), parts)
    }

    #[test]
    fn releasing_the_records_keeps_what_describes_the_cohort() {
        let year = CollectionYear(2025);
        let mut cohort = one_child(year);
        cohort.set_return_history(Vec::new(), Vec::new());
        assert_eq!(cohort.episodes().len(), 1);
        assert_eq!(cohort.periods().len(), 1);
        assert!(!cohort.records_released());

        cohort.release_records();
        assert!(cohort.records_released());
        assert!(cohort.children().is_empty());
        assert!(cohort.episodes().is_empty());
        assert!(cohort.periods().is_empty());
        assert!(cohort.placements().is_empty());
        assert_eq!(cohort.iter_children().len(), 0);
        // Still described: authority, years and tables, figure basis.
        assert_eq!(cohort.la().to_string(), "887");
        assert_eq!(cohort.years().collect::<Vec<_>>(), vec![year]);
        assert!(cohort.has_table(year, TableKind::Episodes));
        assert_eq!(cohort.figure_basis(), FigureBasis::EachYearsReturn);

        let mut revised = one_child(year);
        revised.release_records();
        assert_eq!(revised.figure_basis(), FigureBasis::Revised);
    }
}
