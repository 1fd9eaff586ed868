//! Which collection year's return each episode came from.
//!
//! An authority sends one SSDA903 return a year, and each return repeats the
//! episodes still open on its 1 April. When several years are loaded, ingest
//! merges them into one history (the latest return's copy of an episode wins,
//! and repairs close episodes that a later return does not carry forward).
//! That history is right for measures that need it (review due dates,
//! placement stability, distance), but a year's headline counts must come from
//! that year's own return, as the DfE's published figures do: otherwise a
//! year's count would change with the other files that happen to sit beside
//! it. [`FigureBasis`] says which a cohort's year counts use, and
//! [`ReturnHistory`] keeps what it takes to see a year as its return had it:
//! the set of returns that held each episode ([`YearSet`]) and each return's
//! own copy where it differs from the merged one.

use serde::{Deserialize, Serialize};

use crate::dates::CollectionYear;
use crate::model::Episode;

/// Where a collection year's headline counts (children looked after at
/// 31 March, starts, ceases, the flow of periods of care) come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FigureBasis {
    /// Each year's counts from that year's return alone, as the DfE counts
    /// them: episodes the return held, as it held them.
    #[default]
    EachYearsReturn,
    /// Each year recounted from the merged history of every loaded return
    /// (later returns' corrections and additions applied to earlier years).
    Revised,
}

impl FigureBasis {
    /// How outputs name it (`cohort_summary.csv`, `run.json`, the report).
    pub fn label(self) -> &'static str {
        match self {
            FigureBasis::EachYearsReturn => "each year's own return",
            FigureBasis::Revised => "revised from all loaded returns",
        }
    }
}

/// A set of collection years (2000 to 2127), as a bit set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct YearSet(u128);

impl YearSet {
    const BASE: i32 = 2000;

    pub const EMPTY: YearSet = YearSet(0);

    fn bit(year: CollectionYear) -> Option<u128> {
        let i = year.0.checked_sub(Self::BASE)?;
        (0..128).contains(&i).then(|| 1u128 << i)
    }

    pub fn of(year: CollectionYear) -> Self {
        let mut s = Self::EMPTY;
        s.insert(year);
        s
    }

    /// Adds `year`; a year outside 2000–2127 is not held (no return is).
    pub fn insert(&mut self, year: CollectionYear) {
        if let Some(b) = Self::bit(year) {
            self.0 |= b;
        }
    }

    pub fn contains(self, year: CollectionYear) -> bool {
        Self::bit(year).is_some_and(|b| self.0 & b != 0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The years, earliest first.
    pub fn iter(self) -> impl Iterator<Item = CollectionYear> {
        (0..128)
            .filter(move |i| self.0 & (1u128 << i) != 0)
            .map(|i| CollectionYear(Self::BASE + i))
    }
}

/// What ingest knows of the returns behind a cohort's episodes.
#[derive(Debug, Clone, Default)]
pub struct ReturnHistory {
    /// Per episode of the cohort, in the cohort's order: the returns that held it.
    pub(crate) held_in: Vec<YearSet>,
    /// An earlier return's own copy of an episode (its `year` says which
    /// return) where it differs from the copy the cohort keeps in a way that
    /// matters to that year; sorted by (child, DECOM, year).
    pub(crate) copies: Vec<Episode>,
}

/// Whether `earlier` (a return's own copy) and `kept` (the merged history's)
/// count differently in `earlier`'s collection year. They do unless they
/// differ only in how the episode ended and `earlier`'s return saw it still
/// open at its 31 March while the merged copy ends after that day (the usual
/// case: the next return records the end).
pub fn differs_in_its_year(earlier: &Episode, kept: &Episode) -> bool {
    let same_start = earlier.decom == kept.decom
        && earlier.rne == kept.rne
        && earlier.ls == kept.ls
        && earlier.cin == kept.cin
        && earlier.place == kept.place;
    if !same_start {
        return true;
    }
    if earlier.dec == kept.dec && earlier.rec == kept.rec {
        return false;
    }
    let year_end = earlier.year.end();
    let open_then = earlier.dec.is_none() && earlier.rec.is_none();
    let kept_after = kept.dec.is_none_or(|d| d > year_end);
    !(open_then && kept_after)
}

/// One child's part of a [`ReturnHistory`], borrowed from the cohort.
#[derive(Debug, Clone, Copy)]
pub struct ChildReturns<'a> {
    /// Beside the child's episodes, one each.
    pub held_in: &'a [YearSet],
    /// The child's returns' own copies, sorted by (DECOM, year).
    pub copies: &'a [Episode],
}

impl<'a> ChildReturns<'a> {
    /// The copy of `e` that `year`'s return held, if that return held it.
    pub fn as_returned(
        &self,
        e: &'a Episode,
        held: YearSet,
        year: CollectionYear,
    ) -> Option<&'a Episode> {
        if !held.contains(year) {
            return None;
        }
        let copy = self
            .copies
            .binary_search_by_key(&(e.decom, year), |c| (c.decom, c.year))
            .ok()
            .map(|i| &self.copies[i]);
        Some(copy.unwrap_or(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_sets_hold_their_years() {
        let mut s = YearSet::EMPTY;
        assert!(s.is_empty());
        s.insert(CollectionYear(2021));
        s.insert(CollectionYear(2025));
        s.insert(CollectionYear(1999)); // outside: not held
        assert!(s.contains(CollectionYear(2021)));
        assert!(!s.contains(CollectionYear(2022)));
        assert!(!s.contains(CollectionYear(1999)));
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![CollectionYear(2021), CollectionYear(2025)]
        );
        assert_eq!(YearSet::of(CollectionYear(2127)).iter().count(), 1);
        assert!(YearSet::of(CollectionYear(2128)).is_empty());
    }
}
