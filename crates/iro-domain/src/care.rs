//! Periods of care and placements, derived from a child's episodes.
//!
//! * A **period of care** runs from an episode with RNE = S to the first episode
//!   that ceases with REC ≠ X1 (or is still open). Episodes chained by X1 belong
//!   to the same period even when they came from different collection years.
//! * A **placement** is a run of episodes with the same placement: it starts at
//!   entry (S), on a change of carer (P, B) or on a same-carer move (T, U), and a
//!   legal-status-only change (L) continues it (spec §8.3).

use std::borrow::Borrow;
use std::ops::Range;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::{PlaceProvider, PlacementType, ReasonEpisodeCeased, ReasonNewEpisode};
use crate::model::{ChildIdx, Episode, Postcode};

/// What "open on a date" and "looked after" read of an episode: when it
/// started and ceased and whether it is a short break. The built-in
/// metrics' [`Episode`] and a run-time plugin's episode row
/// (`iro_plugin_sdk::cohort::EpisodeRow`) both implement it, so the rules
/// below are one piece of code for both.
pub trait EpisodeSpan {
    /// DECOM.
    fn decom(&self) -> NaiveDate;
    /// DEC, `None` while open.
    fn dec(&self) -> Option<NaiveDate>;
    /// Legal status V3 or V4: a short break, not "looked after" in the
    /// DfE's counts.
    fn is_short_break(&self) -> bool;

    /// Open at the end of `date` (started on or before it, not ceased by it).
    fn open_on(&self, date: NaiveDate) -> bool {
        self.decom() <= date && self.dec().is_none_or(|d| d > date)
    }

    /// Overlaps the inclusive interval `[from, to]`.
    fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.decom() <= to && self.dec().is_none_or(|d| d >= from)
    }
}

impl<E: EpisodeSpan + ?Sized> EpisodeSpan for &E {
    fn decom(&self) -> NaiveDate {
        (**self).decom()
    }
    fn dec(&self) -> Option<NaiveDate> {
        (**self).dec()
    }
    fn is_short_break(&self) -> bool {
        (**self).is_short_break()
    }
}

impl EpisodeSpan for Episode {
    fn decom(&self) -> NaiveDate {
        self.decom
    }
    fn dec(&self) -> Option<NaiveDate> {
        self.dec
    }
    fn is_short_break(&self) -> bool {
        self.ls.is_short_break()
    }
}

/// The episode open at the end of `date` among one child's episodes (in
/// DECOM order): the last one open, if several are (overlapping episodes).
pub fn episode_open_on<E: EpisodeSpan>(
    episodes: impl IntoIterator<Item = E>,
    date: NaiveDate,
) -> Option<E> {
    episodes.into_iter().filter(|e| e.open_on(date)).last()
}

/// Looked after at the end of `date`, under the DfE's definition: the
/// episode open then ([`episode_open_on`]) is not a short break (V3/V4).
/// Returns that episode (its legal status and placement are the child's on
/// the day). "Looked after at 31 March" is this on the year's last day.
pub fn looked_after_on<E: EpisodeSpan>(
    episodes: impl IntoIterator<Item = E>,
    date: NaiveDate,
) -> Option<E> {
    episode_open_on(episodes, date).filter(|e| !e.is_short_break())
}

/// Looked after at some time in `[from, to]`: an episode that is not a
/// short break overlaps it (`cohort-summary.during-year` over the year).
pub fn looked_after_during<E: EpisodeSpan>(
    episodes: impl IntoIterator<Item = E>,
    from: NaiveDate,
    to: NaiveDate,
) -> bool {
    episodes
        .into_iter()
        .any(|e| !e.is_short_break() && e.overlaps(from, to))
}

/// A continuous period of being looked after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodOfCare {
    pub child: ChildIdx,
    /// Indices into the cohort's episodes.
    pub episodes: Range<u32>,
    /// DECOM of the first episode held.
    pub start: NaiveDate,
    /// False when the first episode held is not RNE = S: the data begin part way
    /// through the period, so `start` is only when the data begin.
    pub start_known: bool,
    /// DEC of the last episode when it ceased with REC ≠ X1; `None` while open.
    pub end: Option<NaiveDate>,
    /// Reason the period ended.
    pub reason_ceased: Option<ReasonEpisodeCeased>,
    /// Every episode is a short break (V3/V4).
    pub short_break: bool,
    /// The chain broke: the last episode ceased with X1 but no episode follows
    /// on its DEC (the period is closed at that DEC, cause unknown).
    pub broken_chain: bool,
}

impl PeriodOfCare {
    /// Looked after at the end of `date`.
    pub fn open_on(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|e| e > date)
    }

    /// Overlaps the inclusive interval `[from, to]`.
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.start <= to && self.end.is_none_or(|e| e >= from)
    }
}

/// Why a placement began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PlacementStart {
    /// First placement of a period of care (RNE = S), or the first held.
    Entry,
    /// New carer (RNE = P or B).
    NewCarer,
    /// Same carer, placement details changed (RNE = T or U).
    SameCarer,
}

/// A placement: consecutive episodes with the same placement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub child: ChildIdx,
    /// Index of its period of care in the cohort.
    pub period: u32,
    pub episodes: Range<u32>,
    pub start: NaiveDate,
    /// DEC of its last episode; `None` while open.
    pub end: Option<NaiveDate>,
    pub start_reason: PlacementStart,
    pub place: Option<PlacementType>,
    pub place_provider: Option<PlaceProvider>,
    pub home_post: Option<Postcode>,
    pub pl_post: Option<Postcode>,
}

impl Placement {
    pub fn open_on(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|e| e > date)
    }

    pub fn is_temporary(&self) -> bool {
        self.place.is_some_and(PlacementType::is_temporary)
    }
}

/// Splits one child's episodes (sorted by DECOM, indices `base..`) into periods
/// of care. Works on the episodes themselves or on references to them (a
/// year's return as [`crate::ChildRecord::episodes_in_return`] gives it).
pub fn derive_periods<E: Borrow<Episode>>(
    child: ChildIdx,
    episodes: &[E],
    base: u32,
) -> Vec<PeriodOfCare> {
    let mut out = Vec::new();
    derive_periods_into(child, episodes, base, &mut out);
    out
}

/// The periods of care a year's counts see: short-break episodes (legal
/// status V3/V4) are not being looked after, so they are left out before the
/// rest are chained. A child's status in one return then never depends on what
/// a later return adds (a short break at 31 March that later turns into care
/// starts a period when the care does). Returns the episodes kept, which the
/// periods' `episodes` ranges index, and the periods.
pub fn periods_without_short_breaks<'a>(
    child: ChildIdx,
    episodes: &[&'a Episode],
) -> (Vec<&'a Episode>, Vec<PeriodOfCare>) {
    let care: Vec<&Episode> = episodes
        .iter()
        .copied()
        .filter(|e| !e.is_short_break())
        .collect();
    let periods = derive_periods(child, &care, 0);
    (care, periods)
}

/// [`derive_periods`], appending to `out` (one vector for a whole cohort).
pub(crate) fn derive_periods_into<E: Borrow<Episode>>(
    child: ChildIdx,
    episodes: &[E],
    base: u32,
    out: &mut Vec<PeriodOfCare>,
) {
    let mut current: Option<PeriodOfCare> = None;
    for (i, e) in episodes.iter().enumerate() {
        let e = e.borrow();
        let idx = base + i as u32;
        if let Some(p) = current.as_mut() {
            let prev = episodes[i - 1].borrow();
            let continues = e.rne != ReasonNewEpisode::S && prev.dec == Some(e.decom);
            if continues {
                p.episodes.end = idx + 1;
                p.short_break &= e.is_short_break();
            } else {
                // The previous period ended with X1 (or no REC) but nothing follows.
                let mut done = current.take().unwrap_or_else(|| unreachable_period(child));
                done.end = prev.dec;
                done.broken_chain = prev.dec.is_some();
                out.push(done);
            }
        }
        if current.is_none() {
            current = Some(PeriodOfCare {
                child,
                episodes: idx..idx + 1,
                start: e.decom,
                start_known: e.rne == ReasonNewEpisode::S,
                end: None,
                reason_ceased: None,
                short_break: e.is_short_break(),
                broken_chain: false,
            });
        }
        if let Some(rec) = e.rec.filter(|r| r.ends_period_of_care()) {
            let mut done = current.take().unwrap_or_else(|| unreachable_period(child));
            done.end = e.dec;
            done.reason_ceased = Some(rec);
            out.push(done);
        }
    }
    if let Some(mut p) = current.take() {
        // Open period, or last episode ceased with X1 / blank REC and nothing follows.
        let last = episodes[(p.episodes.end - base) as usize - 1].borrow();
        if last.dec.is_some() {
            p.end = last.dec;
            p.broken_chain = true;
        }
        out.push(p);
    }
}

// `current` is always Some where this is called; kept total rather than panicking.
fn unreachable_period(child: ChildIdx) -> PeriodOfCare {
    PeriodOfCare {
        child,
        episodes: 0..0,
        start: NaiveDate::MIN,
        start_known: false,
        end: None,
        reason_ceased: None,
        short_break: false,
        broken_chain: true,
    }
}

/// Splits a period of care's episodes into placements. `episodes` is the
/// whole cohort's episode slice; `period_idx` is the period's cohort index.
pub fn derive_placements(
    period: &PeriodOfCare,
    period_idx: u32,
    episodes: &[Episode],
) -> Vec<Placement> {
    let mut out = Vec::new();
    derive_placements_into(period, period_idx, episodes, &mut out);
    out
}

/// [`derive_placements`], appending to `out` (one vector for a whole cohort).
pub(crate) fn derive_placements_into(
    period: &PeriodOfCare,
    period_idx: u32,
    episodes: &[Episode],
    all: &mut Vec<Placement>,
) {
    // This period's placements are `all[first..]`.
    let first = all.len();
    for idx in period.episodes.clone() {
        let e = &episodes[idx as usize];
        let reason = match e.rne {
            ReasonNewEpisode::S => Some(PlacementStart::Entry),
            ReasonNewEpisode::P | ReasonNewEpisode::B => Some(PlacementStart::NewCarer),
            ReasonNewEpisode::T | ReasonNewEpisode::U => Some(PlacementStart::SameCarer),
            ReasonNewEpisode::L => None,
        };
        match (reason, all[first..].last_mut()) {
            (None, Some(p)) => {
                p.episodes.end = idx + 1;
                p.end = e.dec;
            }
            (reason, _) => all.push(Placement {
                child: e.child,
                period: period_idx,
                episodes: idx..idx + 1,
                start: e.decom,
                end: e.dec,
                start_reason: reason.unwrap_or(PlacementStart::Entry),
                place: e.place,
                place_provider: e.place_provider,
                home_post: e.home_post,
                pl_post: e.pl_post,
            }),
        }
    }
    if let (Some(p), Some(end)) = (all[first..].last_mut(), period.end) {
        p.end = Some(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{LegalStatus as LS, PlacementType as PT, ReasonEpisodeCeased as REC};
    use crate::dates::CollectionYear;
    use crate::model::SourceRef;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ep(
        decom: &str,
        rne: ReasonNewEpisode,
        ls: LS,
        place: PT,
        dec: Option<&str>,
        rec: Option<REC>,
    ) -> Episode {
        Episode {
            child: ChildIdx(0),
            decom: d(decom),
            rne,
            ls,
            cin: None,
            place: Some(place),
            place_provider: None,
            dec: dec.map(d),
            rec,
            reason_place_change: None,
            home_post: None,
            pl_post: None,
            urn: None,
            year: CollectionYear::containing(d(decom)),
            source: SourceRef { file: 0, line: 2 },
        }
    }

    use ReasonNewEpisode::*;

    #[test]
    fn period_spanning_collection_years_is_one_period() {
        // Enters in 2022-23, moves in 2023-24, legal status changes in 2024-25, still in care.
        let eps = vec![
            ep(
                "2022-11-03",
                S,
                LS::V2,
                PT::U6,
                Some("2023-06-10"),
                Some(REC::X1),
            ),
            ep(
                "2023-06-10",
                P,
                LS::V2,
                PT::U4,
                Some("2024-05-01"),
                Some(REC::X1),
            ),
            ep("2024-05-01", L, LS::C2, PT::U4, None, None),
        ];
        let periods = derive_periods(ChildIdx(0), &eps, 0);
        assert_eq!(periods.len(), 1);
        let p = &periods[0];
        assert_eq!(
            (p.start, p.end, p.start_known, p.broken_chain),
            (d("2022-11-03"), None, true, false)
        );
        assert!(p.open_on(d("2025-03-31")));
        let pl = derive_placements(p, 0, &eps);
        assert_eq!(pl.len(), 2, "the L episode continues the second placement");
        assert_eq!(pl[0].start_reason, PlacementStart::Entry);
        assert_eq!(pl[1].start_reason, PlacementStart::NewCarer);
        assert_eq!(pl[1].episodes, 1..3);
        assert_eq!(pl[1].end, None);
    }

    #[test]
    fn re_entry_starts_a_new_period() {
        let eps = vec![
            ep(
                "2021-01-10",
                S,
                LS::C1,
                PT::U6,
                Some("2021-03-02"),
                Some(REC::X1),
            ),
            ep(
                "2021-03-02",
                T,
                LS::C1,
                PT::U6,
                Some("2021-09-30"),
                Some(REC::E4A),
            ),
            ep(
                "2022-02-14",
                S,
                LS::V2,
                PT::K2,
                Some("2022-04-01"),
                Some(REC::E13),
            ),
        ];
        let periods = derive_periods(ChildIdx(0), &eps, 10);
        assert_eq!(periods.len(), 2);
        assert_eq!(periods[0].episodes, 10..12);
        assert_eq!(periods[0].end, Some(d("2021-09-30")));
        assert_eq!(periods[0].reason_ceased, Some(REC::E4A));
        assert_eq!(periods[1].episodes, 12..13);
        assert!(!periods[1].open_on(d("2022-04-01")), "ceased on 1 April");
        assert!(periods[1].open_on(d("2022-03-31")));
        let pl = derive_placements(
            &periods[0],
            0,
            &[vec![eps[0].clone(); 10], eps.clone()].concat(),
        );
        assert_eq!(pl.len(), 2);
        assert_eq!(pl[1].start_reason, PlacementStart::SameCarer);
    }

    #[test]
    fn data_starting_mid_period_and_broken_chains_are_flagged() {
        let eps = vec![
            // The first year held starts with an episode open on 1 April (RNE P).
            ep(
                "2019-08-01",
                P,
                LS::C2,
                PT::U4,
                Some("2020-01-05"),
                Some(REC::X1),
            ),
            // Gap: nothing starts on 5 January.
            ep("2020-02-01", P, LS::C2, PT::U4, None, None),
        ];
        let periods = derive_periods(ChildIdx(0), &eps, 0);
        assert_eq!(periods.len(), 2);
        assert!(!periods[0].start_known);
        assert!(periods[0].broken_chain);
        assert_eq!(periods[0].end, Some(d("2020-01-05")));
        assert!(!periods[1].start_known);
    }

    #[test]
    fn short_breaks_are_their_own_periods() {
        let eps = vec![
            ep(
                "2024-05-03",
                S,
                LS::V3,
                PT::K2,
                Some("2024-05-05"),
                Some(REC::E8),
            ),
            ep(
                "2024-06-07",
                S,
                LS::V3,
                PT::K2,
                Some("2024-06-09"),
                Some(REC::E8),
            ),
        ];
        let periods = derive_periods(ChildIdx(0), &eps, 0);
        assert_eq!(periods.len(), 2);
        assert!(periods.iter().all(|p| p.short_break));
    }
}
