//! Which stretch of care a review belongs to.
//!
//! A child's periods of care become **tracks**: each ordinary period of care is
//! one track; short-break periods (every episode V3/V4, CPPCR reg 48) are
//! chained into **series** — a break starting within `gap_days` of the end of
//! the previous break of the series belongs to the same series — and each
//! series is one track. A review is attributed to the ordinary period of care
//! whose dates contain it; failing that, to a short-break series whose window
//! (first break's start to last break's end + `gap_days`) contains it; failing
//! that, it is outside care. Two reviews of one child on one day count once.
//!
//! The rule is the domain's, not one metric's: `review-timeliness` times
//! the reviews it attributes and `participation` counts exactly the same
//! reviews.

use chrono::{Duration, NaiveDate};

use crate::{PeriodOfCare, Review};

/// Default gap between short breaks of one series: 183 days, about six months
/// (the interval between reg 48 reviews).
pub const DEFAULT_SERIES_GAP_DAYS: i64 = 183;

/// Ordinary care (reg 33) or a series of short breaks (reg 48).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CareKind {
    Ordinary,
    ShortBreaks,
}

impl CareKind {
    pub fn index(self) -> usize {
        match self {
            CareKind::Ordinary => 0,
            CareKind::ShortBreaks => 1,
        }
    }
}

/// A stretch of care within which reviews are timed: an ordinary period of
/// care, or a series of short breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub kind: CareKind,
    /// Start of the period of care, or of the first break of the series.
    pub start: NaiveDate,
    /// False when the data begin part way through it (first episode held is
    /// not RNE = S).
    pub start_known: bool,
    /// Ordinary: the period's end (DEC), `None` while open. Series: the end of
    /// its last break, `None` while a break (or a V4 agreement) is open.
    pub end: Option<NaiveDate>,
    /// Last day (inclusive) a review is attributed to this track; `None`: open.
    /// Ordinary: `end`. Series: `end` + the series gap.
    pub attrib_end: Option<NaiveDate>,
}

impl Track {
    /// Whether a review can fall due on `date`. Ordinary care: looked after at
    /// the end of the day (start ≤ date < end). Short breaks: the series is
    /// running (start ≤ date ≤ end of its last break).
    pub fn in_care_on(&self, date: NaiveDate) -> bool {
        self.start <= date
            && match self.kind {
                CareKind::Ordinary => self.end.is_none_or(|e| e > date),
                CareKind::ShortBreaks => self.end.is_none_or(|e| date <= e),
            }
    }

    /// Whether a review held on `date` is attributed to this track.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && self.attrib_end.is_none_or(|e| date <= e)
    }
}

/// Splits a child's periods of care (sorted by start, as the cohort holds
/// them) into ordinary tracks and short-break series. Both outputs are
/// cleared first and come out sorted by start.
pub fn build_tracks(
    periods: &[PeriodOfCare],
    gap_days: i64,
    ordinary: &mut Vec<Track>,
    short: &mut Vec<Track>,
) {
    ordinary.clear();
    short.clear();
    let gap = Duration::days(gap_days.max(0));
    for p in periods {
        if !p.short_break {
            ordinary.push(Track {
                kind: CareKind::Ordinary,
                start: p.start,
                start_known: p.start_known,
                end: p.end,
                attrib_end: p.end,
            });
            continue;
        }
        if let Some(cur) = short.last_mut() {
            let joins = match cur.end {
                None => true,
                Some(e) => p.start <= e.checked_add_signed(gap).unwrap_or(NaiveDate::MAX),
            };
            if joins {
                cur.end = match (cur.end, p.end) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                continue;
            }
        }
        short.push(Track {
            kind: CareKind::ShortBreaks,
            start: p.start,
            start_known: p.start_known,
            end: p.end,
            attrib_end: None,
        });
    }
    for s in short.iter_mut() {
        s.attrib_end = s
            .end
            .map(|e| e.checked_add_signed(gap).unwrap_or(NaiveDate::MAX));
    }
}

/// Where a review belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The ordinary track with this index.
    Ordinary(usize),
    /// The short-break series with this index.
    ShortBreaks(usize),
    /// A second (third…) review of the child on the same day: counted once.
    Duplicate,
    /// Before the start of the child's first recorded care.
    BeforeCare,
    /// After a period of care (or series) ended, and in no later one.
    AfterCare,
    /// The child has no episodes at all.
    NoEpisodes,
    /// Outside the dates being looked at.
    OutsideWindow,
}

/// Places each review (sorted by date, as the cohort holds them) whose date is
/// in `from..=to`; `out` is cleared and gets one entry per review. Linear in
/// reviews + tracks.
pub fn classify(
    reviews: &[Review],
    from: NaiveDate,
    to: NaiveDate,
    ordinary: &[Track],
    short: &[Track],
    out: &mut Vec<Place>,
) {
    out.clear();
    let first_start = match (ordinary.first(), short.first()) {
        (Some(a), Some(b)) => Some(a.start.min(b.start)),
        (Some(a), None) => Some(a.start),
        (None, Some(b)) => Some(b.start),
        (None, None) => None,
    };
    let (mut oi, mut si) = (0usize, 0usize);
    let mut prev: Option<NaiveDate> = None;
    for r in reviews {
        let date = r.review;
        let dup = prev == Some(date);
        prev = Some(date);
        if date < from || date > to {
            out.push(Place::OutsideWindow);
            continue;
        }
        if dup {
            out.push(Place::Duplicate);
            continue;
        }
        while ordinary
            .get(oi)
            .is_some_and(|t| t.attrib_end.is_some_and(|e| e < date))
        {
            oi += 1;
        }
        if ordinary.get(oi).is_some_and(|t| t.contains(date)) {
            out.push(Place::Ordinary(oi));
            continue;
        }
        while short
            .get(si)
            .is_some_and(|t| t.attrib_end.is_some_and(|e| e < date))
        {
            si += 1;
        }
        if short.get(si).is_some_and(|t| t.contains(date)) {
            out.push(Place::ShortBreaks(si));
            continue;
        }
        out.push(match first_start {
            None => Place::NoEpisodes,
            Some(s) if date < s => Place::BeforeCare,
            Some(_) => Place::AfterCare,
        });
    }
}

/// Reusable buffers, so that classifying a child allocates nothing once warm.
#[derive(Debug, Default)]
pub struct Scratch {
    pub ordinary: Vec<Track>,
    pub short: Vec<Track>,
    pub places: Vec<Place>,
}

impl Scratch {
    /// Builds the child's tracks and places its reviews dated `from..=to`.
    pub fn classify_child(
        &mut self,
        periods: &[PeriodOfCare],
        reviews: &[Review],
        gap_days: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) {
        build_tracks(periods, gap_days, &mut self.ordinary, &mut self.short);
        classify(
            reviews,
            from,
            to,
            &self.ordinary,
            &self.short,
            &mut self.places,
        );
    }
}
