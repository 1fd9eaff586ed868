//! The statutory timescales and the walk along one track's reviews.

use chrono::NaiveDate;
use iro_domain::{WorkingDayCalendar, add_months_clamped};

use iro_domain::review_attribution::{CareKind, Track};

/// The timescales (parameters of the metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// First review within this many working days of the start of care (reg 33).
    pub first_review_working_days: u32,
    /// Second review within this many calendar months of the first.
    pub second_review_months: i32,
    /// Later reviews within this many calendar months of the previous one.
    pub subsequent_review_months: i32,
    /// Short breaks (reg 48): first review within this many months of the start
    /// of the first break of the series.
    pub short_break_first_months: i32,
    /// Short breaks: later reviews within this many months of the previous one.
    pub short_break_subsequent_months: i32,
    /// Short breaks starting within this many days of the end of the previous
    /// break belong to the same series (one reg 48 arrangement).
    pub short_break_series_gap_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            first_review_working_days: 20,
            second_review_months: 3,
            subsequent_review_months: 6,
            short_break_first_months: 3,
            short_break_subsequent_months: 6,
            short_break_series_gap_days: DEFAULT_SERIES_GAP_DAYS,
        }
    }
}

pub use iro_domain::review_attribution::DEFAULT_SERIES_GAP_DAYS;

impl Rules {
    /// Due date of a track's first review.
    pub fn first_due(&self, track: &Track, cal: &WorkingDayCalendar) -> NaiveDate {
        match track.kind {
            CareKind::Ordinary => cal.add_working_days(track.start, self.first_review_working_days),
            CareKind::ShortBreaks => add_months_clamped(track.start, self.short_break_first_months),
        }
    }

    /// Due date of the review after one of sequence `seq` held on `held`.
    pub fn next_due(&self, kind: CareKind, seq: Seq, held: NaiveDate) -> NaiveDate {
        let months = match (kind, seq) {
            (CareKind::Ordinary, Seq::First) => self.second_review_months,
            (CareKind::Ordinary, _) => self.subsequent_review_months,
            (CareKind::ShortBreaks, _) => self.short_break_subsequent_months,
        };
        add_months_clamped(held, months)
    }
}

/// A review's place in its track's sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seq {
    First,
    Second,
    Subsequent,
}

impl Seq {
    pub const ALL: [Seq; 3] = [Seq::First, Seq::Second, Seq::Subsequent];

    pub fn index(self) -> usize {
        match self {
            Seq::First => 0,
            Seq::Second => 1,
            Seq::Subsequent => 2,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Seq::First => "first",
            Seq::Second => "second",
            Seq::Subsequent => "subsequent",
        }
    }

    /// The sequence of the next review. Short breaks have no "second" review:
    /// every review after the first is at the subsequent interval.
    fn next(self, kind: CareKind) -> Seq {
        match (kind, self) {
            (CareKind::Ordinary, Seq::First) => Seq::Second,
            _ => Seq::Subsequent,
        }
    }
}

/// Whether a review held was on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Held on or before its due date.
    OnTime,
    /// Held after its due date, by this many calendar days (≥ 1).
    Late { days: i64 },
    /// Its due date is not known (start of care or of the review history not in
    /// the data), or it was not due (due date on or after the 18th birthday).
    NotAssessable,
}

/// A review held, attributed to a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewEvent {
    pub date: NaiveDate,
    pub kind: CareKind,
    pub seq: Seq,
    pub due: Option<NaiveDate>,
    pub status: Status,
}

/// A due date, with the review that met it (the next review held in the
/// track, if any by the end of the dates looked at).
#[derive(Debug, Clone, Copy)]
pub struct DueEvent<'t> {
    pub due: NaiveDate,
    pub held: Option<NaiveDate>,
    pub seq: Seq,
    pub track: &'t Track,
    /// The review was due: the child was in care on the due date and the due
    /// date is before the 18th birthday.
    pub counts: bool,
}

macro_rules! flags {
    ($( $(#[$m:meta])* $v:ident = $label:literal ),+ $(,)?) => {
        /// Edge cases the regulations do not settle, each counted.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Flag { $( $(#[$m])* $v ),+ }
        impl Flag {
            pub const ALL: &'static [Flag] = &[$(Flag::$v),+];
            pub fn label(self) -> &'static str {
                match self { $(Flag::$v => $label),+ }
            }
            pub fn index(self) -> usize {
                self as usize
            }
        }
    };
}

flags! {
    /// Review before the start of the child's first recorded care: excluded.
    ReviewBeforeCare = "review-before-care",
    /// Review after a period of care (or series of short breaks) ended and in
    /// no later one: excluded.
    ReviewAfterCare = "review-after-care",
    /// Review of a child with no episodes: excluded.
    ReviewNoEpisodes = "review-no-episodes",
    /// Second (third…) review of a child on one day: counted once.
    DuplicateReview = "duplicate-review",
    /// First review held in a period whose start is not in the data
    /// (first episode held is not RNE = S): not assessable, counted as subsequent.
    StartNotKnown = "start-not-known",
    /// First review held in a period that began before the earliest Reviews
    /// table loaded: not assessable, counted as subsequent.
    StartBeforeReviewsData = "start-before-reviews-data",
    /// Period of care ended before its first review fell due, with no review:
    /// not due, not late.
    ShortCareNoReview = "short-care-no-review",
    /// Review held on or after the 18th birthday.
    ReviewAfter18 = "review-after-18",
    /// A due date on or after the 18th birthday while the data show the child
    /// still in care: not counted as due.
    DueAfter18 = "due-after-18",
    /// Review of a child whose date of birth is not known: the 18th-birthday
    /// rule cannot be applied.
    NoDob = "no-dob",
    /// A first-review due date outside the years of the bank-holiday list:
    /// only weekends were skipped.
    CalendarNotCovered = "calendar-not-covered",
}

/// Receives what the walk finds.
pub trait Sink {
    fn review(&mut self, ev: &ReviewEvent);
    fn due(&mut self, ev: &DueEvent<'_>);
    fn flag(&mut self, date: NaiveDate, flag: Flag);
}

/// How a track's first review is timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The first review is due on this date.
    Due(NaiveDate),
    /// The first review held cannot be numbered or timed, for this reason.
    Unknown(Flag),
}

/// Walks one track's reviews (attributed, deduplicated, sorted) and reports
/// each review's timeliness and each due date.
pub fn walk_track<S: Sink>(
    track: &Track,
    held: &[NaiveDate],
    start: Start,
    rules: &Rules,
    birthday_18: Option<NaiveDate>,
    sink: &mut S,
) {
    let kind = track.kind;
    let (mut due, mut seq) = match start {
        Start::Due(d) => (Some(d), Seq::First),
        Start::Unknown(_) => (None, Seq::Subsequent),
    };
    let before_18 = |d: NaiveDate| birthday_18.is_none_or(|b| d < b);
    let report_due = |sink: &mut S, d: NaiveDate, held: Option<NaiveDate>, seq: Seq| {
        let in_care = track.in_care_on(d);
        if in_care && !before_18(d) {
            sink.flag(d, Flag::DueAfter18);
        }
        sink.due(&DueEvent {
            due: d,
            held,
            seq,
            track,
            counts: in_care && before_18(d),
        });
    };
    for (i, &r) in held.iter().enumerate() {
        if !before_18(r) {
            sink.flag(r, Flag::ReviewAfter18);
        }
        let status = match due {
            None => {
                if let (0, Start::Unknown(f)) = (i, start) {
                    sink.flag(r, f);
                }
                Status::NotAssessable
            }
            Some(d) if r <= d => Status::OnTime,
            Some(d) if !before_18(d) => Status::NotAssessable,
            Some(d) => Status::Late {
                days: (r - d).num_days(),
            },
        };
        sink.review(&ReviewEvent {
            date: r,
            kind,
            seq,
            due,
            status,
        });
        if let Some(d) = due {
            report_due(sink, d, Some(r), seq);
        }
        due = Some(rules.next_due(kind, seq, r));
        seq = seq.next(kind);
    }
    if let Some(d) = due {
        report_due(sink, d, None, seq);
        if held.is_empty()
            && kind == CareKind::Ordinary
            && let Some(end) = track.end.filter(|&e| e <= d)
        {
            sink.flag(end, Flag::ShortCareNoReview);
        }
    }
}
