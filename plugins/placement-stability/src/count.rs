//! Counting a child's placements in a window, and the carer spells behind the
//! long-term stability indicator (spec §8.3; docs/METHODS.md).
//!
//! Works on the placements `iro-domain` derives from episodes (a new placement at
//! RNE S, P, B, T or U; an L episode continues the placement) and adds, per
//! placement, what the counting rules need: is it a short break, a temporary
//! placement (T0–T4), the return from a temporary placement to the same PLACE and
//! PL_POST (rule 383)? Everything is linear in the child's placements.

use chrono::NaiveDate;
use iro_domain::{Episode, Placement, PlacementStart, PlacementType};

/// The open choices of the counting method (docs/METHODS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountOptions {
    /// Count a same-carer move (RNE T or U) as a new placement. Moves into A3/A5
    /// (placed for adoption with the current foster carer) never count.
    pub count_same_carer_moves: bool,
    /// Count temporary placements (T0–T4) and the return from one as
    /// placements. When false they are disregarded: they are not counted and do
    /// not break a carer spell.
    pub count_temporary: bool,
}

impl Default for CountOptions {
    fn default() -> Self {
        CountOptions {
            count_same_carer_moves: true,
            count_temporary: false,
        }
    }
}

impl CountOptions {
    /// The options as written in a row's `note`.
    pub fn note(self) -> String {
        format!(
            "count_same_carer_moves={}; count_temporary={}",
            self.count_same_carer_moves, self.count_temporary
        )
    }
}

/// What the counting rules need to know about one placement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlacementFlags {
    /// First placement of its period of care in the data.
    pub first_in_period: bool,
    /// Every episode of the placement is a short break (V3/V4).
    pub short_break: bool,
    /// A temporary placement (T0–T4).
    pub temporary: bool,
    /// For a temporary placement: the last non-temporary placement before it in
    /// the same period, the one the child is temporarily away from.
    pub home: Option<u32>,
    /// For the first non-temporary placement after a run of temporary ones: the
    /// placement before the run, when this one has the same PLACE and PL_POST
    /// (the return of rule 383).
    pub returns_to: Option<u32>,
}

/// Fills `out` with the flags of a child's placements (in order, as held in
/// the cohort). `episodes` is the whole cohort's episode slice.
pub fn classify(placements: &[Placement], episodes: &[Episode], out: &mut Vec<PlacementFlags>) {
    out.clear();
    out.reserve(placements.len());
    let mut last_real: Option<u32> = None;
    let mut after_temporary = false;
    for (i, p) in placements.iter().enumerate() {
        let first_in_period = i == 0 || placements[i - 1].period != p.period;
        if first_in_period {
            last_real = None;
            after_temporary = false;
        }
        let eps = episodes
            .get(p.episodes.start as usize..p.episodes.end as usize)
            .unwrap_or(&[]);
        let short_break = !eps.is_empty() && eps.iter().all(Episode::is_short_break);
        let temporary = p.is_temporary();
        let mut f = PlacementFlags {
            first_in_period,
            short_break,
            temporary,
            home: None,
            returns_to: None,
        };
        if temporary {
            f.home = last_real;
            after_temporary = true;
        } else {
            if after_temporary {
                f.returns_to = last_real.filter(|&h| {
                    let h = &placements[h as usize];
                    h.place == p.place && h.pl_post == p.pl_post
                });
            }
            after_temporary = false;
            last_real = Some(i as u32);
        }
        out.push(f);
    }
}

/// A child's placements with their flags, under one set of options.
#[derive(Debug, Clone, Copy)]
pub struct Placements<'a> {
    pub placements: &'a [Placement],
    pub flags: &'a [PlacementFlags],
    pub opts: CountOptions,
}

impl<'a> Placements<'a> {
    pub fn new(
        placements: &'a [Placement],
        flags: &'a [PlacementFlags],
        opts: CountOptions,
    ) -> Self {
        debug_assert_eq!(placements.len(), flags.len());
        Placements {
            placements,
            flags,
            opts,
        }
    }

    /// Disregarded under the options: a temporary placement, or the return from
    /// one, when temporary placements are not counted.
    fn disregarded(&self, i: usize) -> bool {
        let f = &self.flags[i];
        !self.opts.count_temporary && (f.temporary || f.returns_to.is_some())
    }

    /// Whether placement `i`, not the first of its period in the window, adds
    /// one to the count.
    pub fn is_counted_move(&self, i: usize) -> bool {
        let p = &self.placements[i];
        if self.disregarded(i)
            || p.place
                .is_some_and(PlacementType::is_adoption_with_current_carer)
        {
            return false;
        }
        match p.start_reason {
            PlacementStart::Entry | PlacementStart::NewCarer => true,
            PlacementStart::SameCarer => self.opts.count_same_carer_moves,
        }
    }

    /// Placements counted in the inclusive window `[from, to]`: for each period
    /// of care, 1 for the placement open at the start of the window (or the
    /// entry placement), then 1 for each placement starting in the window that
    /// [`is_counted_move`](Self::is_counted_move). `on_move` is called with the
    /// index of each placement counted as a move.
    ///
    /// A placement is in the window when it started on or before `to` and had
    /// not ended before `from` (an episode ending on `from` was still open when
    /// the window opened, as in the DfE's return).
    pub fn count(&self, from: NaiveDate, to: NaiveDate, mut on_move: impl FnMut(usize)) -> u32 {
        let mut total = 0;
        let mut need_base = true;
        let mut seen = false;
        for (i, p) in self.placements.iter().enumerate() {
            let f = &self.flags[i];
            if f.first_in_period {
                if need_base && seen {
                    total += 1;
                }
                need_base = true;
                seen = false;
            }
            if f.short_break || p.start > to || p.end.is_some_and(|e| e < from) {
                continue;
            }
            seen = true;
            if !self.opts.count_temporary && f.temporary {
                // Stands for the placement the child is away from, if any.
                if need_base && f.home.is_some() {
                    total += 1;
                    need_base = false;
                }
                continue;
            }
            if need_base {
                total += 1;
                need_base = false;
            } else if self.is_counted_move(i) {
                total += 1;
                on_move(i);
            }
        }
        if need_base && seen {
            total += 1;
        }
        total
    }

    /// The non-short-break placement open at the end of `date`.
    pub fn open_on(&self, date: NaiveDate) -> Option<usize> {
        (0..self.placements.len())
            .rev()
            .find(|&i| !self.flags[i].short_break && self.placements[i].open_on(date))
    }

    /// The placement `i` stands for: a disregarded temporary placement stands
    /// for the placement the child is away from.
    fn resolve(&self, i: usize) -> usize {
        let f = &self.flags[i];
        match f.home {
            Some(h) if f.temporary && !self.opts.count_temporary => h as usize,
            _ => i,
        }
    }

    /// The previous placement in the same carer spell, if placement `i` did
    /// not start one: a same-carer move (T/U) continues the spell, and so, when
    /// temporary placements are disregarded, do a temporary placement and the
    /// return from it.
    fn spell_predecessor(&self, i: usize) -> Option<usize> {
        let f = &self.flags[i];
        if !self.opts.count_temporary {
            if f.temporary {
                return f.home.map(|h| h as usize);
            }
            if let Some(h) = f.returns_to {
                return Some(h as usize);
            }
        }
        (self.placements[i].start_reason == PlacementStart::SameCarer && !f.first_in_period)
            .then(|| self.resolve(i - 1))
    }

    /// When the carer spell that placement `i` belongs to began: walks back
    /// across same-carer moves (and disregarded temporary placements) to the
    /// entry or the last change of carer. If the data begin part-way through a
    /// period, this is at the latest when the data begin.
    pub fn carer_spell_start(&self, i: usize) -> NaiveDate {
        let mut j = i;
        while let Some(k) = self.spell_predecessor(j) {
            j = k;
        }
        self.placements[j].start
    }

    /// The adoption clause. If placement `i` (or the placement it stands for) is
    /// placed for adoption (A3–A6): when the carer spell of the placement before
    /// the adoptive placement began. The adoptive placement runs back across
    /// same-carer moves between A3–A6 placements. `None` when `i` is not an
    /// adoptive placement or nothing precedes it in the period.
    pub fn pre_adoption_spell_start(&self, i: usize) -> Option<NaiveDate> {
        let is_adoptive = |j: usize| {
            self.placements[j]
                .place
                .is_some_and(PlacementType::is_placed_for_adoption)
        };
        let mut a = self.resolve(i);
        if !is_adoptive(a) {
            return None;
        }
        while let Some(k) = self.spell_predecessor(a).filter(|&k| is_adoptive(k)) {
            a = k;
        }
        // The placement before the adoptive one (same carer or not).
        let prev = match self.spell_predecessor(a) {
            Some(k) => k,
            None if self.flags[a].first_in_period => return None,
            None => self.resolve(a - 1),
        };
        if self.flags[prev].temporary && !self.opts.count_temporary {
            // A temporary placement with no placement before it in the period.
            return None;
        }
        Some(self.carer_spell_start(prev))
    }
}
