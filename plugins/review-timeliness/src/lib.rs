//! # review-timeliness
//!
//! Built-in metric: were statutory reviews of children looked after held on
//! time? The Care Planning, Placement and Case Review (England) Regulations 2010
//! reg 33 set the timescales: the first review within 20 working days of the
//! date the child became looked after, the second within 3 months of the first,
//! later ones within 6 months of the previous. Short breaks (reg 48) are
//! reviewed within 3 months of the first break and then every 6 months; they
//! are reported separately (`care_type=short breaks`), never in the headline.
//!
//! The SSDA903 holds only the dates reviews were **held**: no due date, no
//! sequence number. Due dates are rebuilt here from the periods of care and
//! the reviews themselves (method in docs/METHODS.md).

pub mod drilldown;
pub mod rules;
#[cfg(any(test, feature = "synthetic"))]
#[doc(hidden)]
pub mod synthetic;

use std::sync::LazyLock;

use chrono::NaiveDate;
use iro_domain::dates::birthday;
use iro_domain::{ChildRecord, CollectionYear, TableKind, WorkingDayCalendar};
use iro_metric_api::periods::Periods;
use iro_metric_api::{
    Breakdown, Column, ColumnNeed, DrillDown, Field, MeasureId, MeasureSpec, Metric, MetricContext,
    MetricError, MetricRow, MetricSpec, ParamSpec, Period, Relation, Subject, Term, Unit, row,
};

pub use iro_domain::review_attribution::{self as attribution, CareKind, Place, Scratch, Track};
pub use rules::{
    DEFAULT_SERIES_GAP_DAYS, DueEvent, Flag, ReviewEvent, Rules, Seq, Sink, Start, Status,
    walk_track,
};

/// The metric.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReviewTimeliness;

/// Breakdown value for short-break rows.
pub const SHORT_BREAKS: &str = "short breaks";

/// Days-late bands: (label, lowest day, highest day).
const DAYS_LATE_BANDS: [(&str, i64, i64); 4] = [
    ("1-7", 1, 7),
    ("8-14", 8, 14),
    ("15-28", 15, 28),
    ("29+", 29, i64::MAX),
];

static PARAMS: LazyLock<[ParamSpec; 6]> = LazyLock::new(|| {
    let d = Rules::default();
    [
        ParamSpec {
            name: "first_review_working_days",
            default: d.first_review_working_days.into(),
            help: "First review due within this many working days (England and Wales) of the start of a period of care; the start is day 0 (CPPCR 2010 reg 33: 20).",
        },
        ParamSpec {
            name: "second_review_months",
            default: d.second_review_months.into(),
            help: "Second review due within this many calendar months of the first (reg 33: 3). Months are clamped to the month end.",
        },
        ParamSpec {
            name: "subsequent_review_months",
            default: d.subsequent_review_months.into(),
            help: "Third and later reviews due within this many calendar months of the previous review (reg 33: 6).",
        },
        ParamSpec {
            name: "short_break_first_months",
            default: d.short_break_first_months.into(),
            help: "Short breaks (V3/V4, reg 48): first review due within this many calendar months of the start of the first break of a series (3).",
        },
        ParamSpec {
            name: "short_break_subsequent_months",
            default: d.short_break_subsequent_months.into(),
            help: "Short breaks: later reviews due within this many calendar months of the previous review (6).",
        },
        ParamSpec {
            name: "short_break_series_gap_days",
            default: d.short_break_series_gap_days.into(),
            help: "A short break starting within this many days of the end of the previous break belongs to the same series (one reg 48 arrangement, one review clock); a longer gap starts a new series. Reviews up to this many days after a series' last break are attributed to it.",
        },
    ]
});

/// Reviews stop being due at 18: every figure reads the date of birth.
const NEEDS: &[ColumnNeed] = &[ColumnNeed::all(&[Column::of(TableKind::Header, "DOB")])];

/// The ids of this metric's measures (the `metric` column): the report,
/// the charts, targets and benchmarking name measures by these, never by text.
pub const HELD: MeasureId = MeasureId::new("review-timeliness.held");
pub const ON_TIME: MeasureId = MeasureId::new("review-timeliness.on-time");
pub const LATE: MeasureId = MeasureId::new("review-timeliness.late");
pub const DAYS_LATE_MEAN: MeasureId = MeasureId::new("review-timeliness.days-late-mean");
pub const DAYS_LATE_MEDIAN: MeasureId = MeasureId::new("review-timeliness.days-late-median");
pub const CHILDREN_ON_TIME: MeasureId = MeasureId::new("review-timeliness.children-on-time");
pub const OVERDUE: MeasureId = MeasureId::new("review-timeliness.overdue");
pub const OVERDUE_AT_END: MeasureId = MeasureId::new("review-timeliness.overdue-at-end");
pub const FLAGS: MeasureId = MeasureId::new("review-timeliness.flags");

static SPEC: LazyLock<MetricSpec> = LazyLock::new(|| MetricSpec {
    id: "review-timeliness",
    title: "Timeliness of statutory reviews of children looked after",
    version: env!("CARGO_PKG_VERSION"),
    requires: &[TableKind::Episodes, TableKind::Reviews],
    needs: NEEDS,
    measures: &[
        MeasureSpec {
            id: HELD,
            title: "Reviews held (by review date), by review sequence",
            unit: Unit::Count,
            additive_breakdowns: &["review"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: ON_TIME,
            title: "Reviews held within statutory timescale, % of reviews whose timeliness can be assessed",
            unit: Unit::Percent,
            additive_breakdowns: &["review"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: LATE,
            title: "Reviews held late, by days late",
            unit: Unit::Count,
            additive_breakdowns: &["days_late"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: DAYS_LATE_MEAN,
            title: "Mean calendar days late of reviews held late",
            unit: Unit::Days,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: DAYS_LATE_MEDIAN,
            title: "Median calendar days late of reviews held late",
            unit: Unit::Days,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: CHILDREN_ON_TIME,
            title: "Children all of whose reviews in the period were on time, % of children with a review in the period",
            unit: Unit::Percent,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: OVERDUE,
            title: "Reviews falling due in the period and not held by its end, by review sequence",
            unit: Unit::Count,
            additive_breakdowns: &["review"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: OVERDUE_AT_END,
            title: "Reviews overdue at the end of the quarter (or 31 March), whenever they fell due, child still in care",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: FLAGS,
            title: "Edge cases counted (see METHODS): reviews outside care, duplicates, unknown starts, 18th birthdays",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
    ],
    params: &*PARAMS,
});

/// What [`Metric::relations`] declares (secondary suppression): reviews
/// on time + late = reviews assessed (the on-time denominator); the late
/// count is the denominator of its mean and median; on-time denominators add
/// up by review sequence; and every flow counted by date adds up from the
/// quarters to the year.
static RELATIONS: [Relation; 9] = [
    Relation::Sum {
        total: Term::den(ON_TIME),
        parts: &[Term::num(ON_TIME), Term::num(LATE)],
    },
    Relation::Sum {
        total: Term::num(LATE).only(""),
        parts: &[Term::den(DAYS_LATE_MEAN).only("")],
    },
    Relation::Sum {
        total: Term::num(LATE).only(""),
        parts: &[Term::den(DAYS_LATE_MEDIAN).only("")],
    },
    Relation::BreakdownSumsToTotal {
        metric: ON_TIME,
        key: "review",
        field: Field::Denominator,
    },
    Relation::QuartersSumToYear(Term::num(HELD)),
    Relation::QuartersSumToYear(Term::num(ON_TIME)),
    Relation::QuartersSumToYear(Term::den(ON_TIME)),
    Relation::QuartersSumToYear(Term::num(LATE)),
    Relation::QuartersSumToYear(Term::num(FLAGS)),
];

impl Metric for ReviewTimeliness {
    fn spec(&self) -> &MetricSpec {
        &SPEC
    }

    /// Years whose reviews history starts on the same day share one walk
    /// over the cohort: a year's figures do not depend on reviews held after
    /// it (a due date met later is still overdue at the end of the year), so
    /// walking to the end of the last year and keeping each event in its own
    /// year gives every year what a walk of its own would.
    fn compute_years(
        &self,
        ctxs: &[MetricContext<'_>],
    ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        let mut out: Vec<Option<Result<Vec<MetricRow>, MetricError>>> =
            ctxs.iter().map(|_| None).collect();
        // Walks to do: (history start, the years sharing it).
        let mut walks: Vec<(NaiveDate, Vec<usize>)> = Vec::new();
        for (i, ctx) in ctxs.iter().enumerate() {
            if let Some(table) = [TableKind::Reviews, TableKind::Episodes]
                .into_iter()
                .find(|&t| !ctx.has(ctx.year, t))
            {
                out[i] = Some(Err(MetricError::NotComputable(format!(
                    "no {} table for {}",
                    table.name(),
                    ctx.year.label()
                ))));
                continue;
            }
            let start = reviews_history_start(ctx);
            match walks.iter_mut().find(|(s, _)| *s == start) {
                Some((_, years)) => years.push(i),
                None => walks.push((start, vec![i])),
            }
        }
        for (history_start, years) in walks {
            let first = &ctxs[years[0]];
            let rules = match rules_from(first) {
                Ok(r) => r,
                Err(e) => {
                    for i in years {
                        out[i] = Some(Err(e.clone()));
                    }
                    continue;
                }
            };
            let until = years
                .iter()
                .map(|&i| ctxs[i].year.end())
                .max()
                .unwrap_or(history_start);
            let mut sink = Years(
                years
                    .iter()
                    .map(|&i| Aggregate::new(ctxs[i].year))
                    .collect(),
            );
            let mut scratch = ChildScratch::default();
            for child in first.cohort.iter_children() {
                assess_child(
                    &child,
                    history_start,
                    until,
                    &rules,
                    first.calendar,
                    &mut scratch,
                    &mut sink,
                );
            }
            for (agg, i) in sink.0.into_iter().zip(years) {
                out[i] = Some(Ok(agg.rows(&ctxs[i], history_start)));
            }
        }
        out.into_iter()
            .map(|r| r.unwrap_or_else(|| Err(MetricError::Failed("year not computed".into()))))
            .collect()
    }

    fn relations(&self) -> &[Relation] {
        &RELATIONS
    }

    /// Every review held in the year with its due date and status, every
    /// review overdue at 31 March and every flagged case, child by child.
    fn drilldown(&self, ctx: &MetricContext<'_>) -> Result<Vec<DrillDown>, MetricError> {
        if !ctx.has(ctx.year, TableKind::Reviews) || !ctx.has(ctx.year, TableKind::Episodes) {
            return Ok(Vec::new());
        }
        let rules = rules_from(ctx)?;
        let history_start = reviews_history_start(ctx);
        let mut sink = drilldown::DrillDownSink::new(ctx.year);
        let mut scratch = ChildScratch::default();
        for child in ctx.cohort.iter_children() {
            sink.set_child(&child.child.child_id);
            assess_child(
                &child,
                history_start,
                ctx.year.end(),
                &rules,
                ctx.calendar,
                &mut scratch,
                &mut sink,
            );
        }
        Ok(vec![sink.finish()])
    }
}

/// Reads the timescales from the resolved parameters.
pub fn rules_from(ctx: &MetricContext<'_>) -> Result<Rules, MetricError> {
    let int = |name: &str, min: f64, max: f64| -> Result<i64, MetricError> {
        let v = ctx.param_f64(name)?;
        if v.fract() != 0.0 || v < min || v > max {
            return Err(MetricError::BadParameter {
                name: name.to_string(),
                reason: format!("expected a whole number from {min} to {max}, got {v}"),
            });
        }
        Ok(v as i64)
    };
    Ok(Rules {
        first_review_working_days: int("first_review_working_days", 0.0, 1000.0)? as u32,
        second_review_months: int("second_review_months", 0.0, 120.0)? as i32,
        subsequent_review_months: int("subsequent_review_months", 0.0, 120.0)? as i32,
        short_break_first_months: int("short_break_first_months", 0.0, 120.0)? as i32,
        short_break_subsequent_months: int("short_break_subsequent_months", 0.0, 120.0)? as i32,
        short_break_series_gap_days: int("short_break_series_gap_days", 0.0, 3660.0)?,
    })
}

/// The first day of the unbroken run of collection years, ending with the year
/// computed, for which a Reviews table was loaded. Before it, the reviews held
/// are unknown, so a period of care that began earlier cannot have its first
/// review in the data numbered or timed.
pub fn reviews_history_start(ctx: &MetricContext<'_>) -> NaiveDate {
    let mut y = ctx.year;
    while ctx.has(y.previous(), TableKind::Reviews) {
        y = y.previous();
    }
    y.start()
}

/// Per-child buffers, reused from child to child.
#[derive(Debug, Default)]
pub struct ChildScratch {
    pub tracks: Scratch,
    assigned: Vec<(CareKind, usize, NaiveDate)>,
    dates: Vec<NaiveDate>,
    first_due: FirstDue,
}

/// First-review due dates ("the n-th working day after the start") for
/// starts from `from` on, read from a table of the working days after
/// `from` instead of counting day by day: the costliest step otherwise, done
/// for every period of care. Same answer as
/// [`WorkingDayCalendar::add_working_days`] (a test checks).
#[derive(Debug, Default)]
struct FirstDue {
    /// (from, working days added) the table was built for.
    key: Option<(NaiveDate, u32)>,
    /// `after[i]`: how many working days fall in (from, from + i days].
    after: Vec<u32>,
    /// The working days after `from`, in order, up to `scanned`.
    days: Vec<NaiveDate>,
    /// The last day looked at.
    scanned: Option<NaiveDate>,
}

impl FirstDue {
    fn get(
        &mut self,
        cal: &WorkingDayCalendar,
        from: NaiveDate,
        start: NaiveDate,
        n: u32,
    ) -> NaiveDate {
        let offset = (start - from).num_days();
        if n == 0 || !(0..1 << 16).contains(&offset) {
            return cal.add_working_days(start, n);
        }
        let offset = offset as usize;
        if self.key != Some((from, n)) {
            self.key = Some((from, n));
            self.after.clear();
            self.days.clear();
            self.scanned = Some(from);
        }
        while self.after.len() <= offset {
            let Some(day) = from.checked_add_days(chrono::Days::new(self.after.len() as u64))
            else {
                return cal.add_working_days(start, n);
            };
            while self.scanned.is_some_and(|s| s < day) {
                if !self.scan_next(cal) {
                    return cal.add_working_days(start, n);
                }
            }
            self.after
                .push(self.days.partition_point(|&d| d <= day) as u32);
        }
        let want = self.after[offset] as usize + n as usize - 1;
        while self.days.len() <= want {
            if !self.scan_next(cal) {
                return cal.add_working_days(start, n);
            }
        }
        self.days[want]
    }

    /// Looks at the day after the last one looked at; false at the end of time.
    fn scan_next(&mut self, cal: &WorkingDayCalendar) -> bool {
        match self.scanned.and_then(|s| s.succ_opt()) {
            Some(d) => {
                if cal.is_working_day(d) {
                    self.days.push(d);
                }
                self.scanned = Some(d);
                true
            }
            None => false,
        }
    }
}

/// Attributes one child's reviews dated `history_start..=until`, walks each
/// track and reports to `sink`. Linear in the child's periods and reviews
/// (plus a sort of its attributed reviews by track).
pub fn assess_child<S: ChildSink>(
    child: &ChildRecord<'_>,
    history_start: NaiveDate,
    until: NaiveDate,
    rules: &Rules,
    cal: &WorkingDayCalendar,
    scratch: &mut ChildScratch,
    sink: &mut S,
) {
    if child.reviews.is_empty() && child.periods.is_empty() {
        return;
    }
    sink.begin_child();
    let birthday_18 = child.child.dob.map(|dob| birthday(dob, 18));
    scratch.tracks.classify_child(
        child.periods,
        child.reviews,
        rules.short_break_series_gap_days,
        history_start,
        until,
    );
    scratch.assigned.clear();
    for (r, place) in child.reviews.iter().zip(&scratch.tracks.places) {
        let date = r.review;
        let flag = match *place {
            Place::OutsideWindow => continue,
            Place::Ordinary(i) => {
                scratch.assigned.push((CareKind::Ordinary, i, date));
                None
            }
            Place::ShortBreaks(i) => {
                scratch.assigned.push((CareKind::ShortBreaks, i, date));
                None
            }
            Place::Duplicate => Some(Flag::DuplicateReview),
            Place::BeforeCare => Some(Flag::ReviewBeforeCare),
            Place::AfterCare => Some(Flag::ReviewAfterCare),
            Place::NoEpisodes => Some(Flag::ReviewNoEpisodes),
        };
        match flag {
            Some(f) => sink.flag(date, f),
            None if birthday_18.is_none() => sink.flag(date, Flag::NoDob),
            None => {}
        }
    }
    // Reviews arrive in date order; grouping by track keeps that order.
    scratch.assigned.sort_by_key(|&(k, i, d)| (k, i, d));
    let mut next = 0usize;
    for (kind, tracks) in [
        (CareKind::Ordinary, &scratch.tracks.ordinary),
        (CareKind::ShortBreaks, &scratch.tracks.short),
    ] {
        for (i, track) in tracks.iter().enumerate() {
            scratch.dates.clear();
            while let Some(&(k, j, d)) = scratch.assigned.get(next) {
                if (k, j) != (kind, i) {
                    break;
                }
                scratch.dates.push(d);
                next += 1;
            }
            let irrelevant =
                track.start > until || track.attrib_end.is_some_and(|e| e < history_start);
            if irrelevant {
                continue;
            }
            let start = if !track.start_known {
                Start::Unknown(Flag::StartNotKnown)
            } else if track.start < history_start {
                Start::Unknown(Flag::StartBeforeReviewsData)
            } else {
                let due = match kind {
                    CareKind::Ordinary => {
                        let due = scratch.first_due.get(
                            cal,
                            history_start,
                            track.start,
                            rules.first_review_working_days,
                        );
                        if !(cal.covers(track.start) && cal.covers(due)) {
                            sink.flag(due, Flag::CalendarNotCovered);
                        }
                        due
                    }
                    CareKind::ShortBreaks => rules.first_due(track, cal),
                };
                Start::Due(due)
            };
            walk_track(track, &scratch.dates, start, rules, birthday_18, sink);
        }
    }
    sink.end_child();
}

/// A [`Sink`] that also hears where one child's events begin and end.
pub trait ChildSink: Sink {
    fn begin_child(&mut self);
    fn end_child(&mut self);
}

/// Counts for one care kind in one period.
#[derive(Debug, Clone, Default)]
struct Counts {
    held: [u64; 3],
    assessed: [u64; 3],
    on_time: [u64; 3],
    late_days: Vec<u32>,
    late_bands: [u64; 4],
    overdue: [u64; 3],
    children: u64,
    children_on_time: u64,
}

/// One child's standing in one period: (had an assessed review, all on time).
type ChildState = (bool, bool);

/// Period index: 0 the year, 1–4 the quarters.
const PERIODS: [Period; 5] = [Period::Year, Period::Q1, Period::Q2, Period::Q3, Period::Q4];

/// Accumulates a year's events over every child.
#[derive(Debug)]
struct Aggregate {
    /// The year and its quarters.
    periods: Periods,
    counts: [[Counts; 5]; 2],
    /// Overdue at each quarter end, by care kind.
    at_end: [[u64; 4]; 2],
    flags: [Vec<u64>; 5],
    child: [[ChildState; 5]; 2],
}

impl Aggregate {
    fn new(year: CollectionYear) -> Self {
        Aggregate {
            periods: Periods::new(year),
            counts: Default::default(),
            at_end: [[0; 4]; 2],
            flags: std::array::from_fn(|_| vec![0; Flag::ALL.len()]),
            child: [[(false, true); 5]; 2],
        }
    }

    fn in_year(&self, date: NaiveDate) -> bool {
        self.periods.flows_of(date).is_some()
    }

    /// The year (0) and quarter (1–4) a date falls in, if it is in the year.
    fn periods_of(&self, date: NaiveDate) -> Option<[usize; 2]> {
        self.periods.flows_of(date)
    }

    /// The last day of the year (0) or of a quarter (1–4).
    fn end(&self, p: usize) -> NaiveDate {
        self.periods.bounds(p).1
    }
}

impl Sink for Aggregate {
    fn review(&mut self, ev: &ReviewEvent) {
        let Some(ps) = self.periods_of(ev.date) else {
            return;
        };
        let k = ev.kind.index();
        let s = ev.seq.index();
        for p in ps {
            let c = &mut self.counts[k][p];
            c.held[s] += 1;
            let st = &mut self.child[k][p];
            match ev.status {
                Status::OnTime => {
                    c.assessed[s] += 1;
                    c.on_time[s] += 1;
                    st.0 = true;
                }
                Status::Late { days } => {
                    c.assessed[s] += 1;
                    c.late_days.push(u32::try_from(days).unwrap_or(u32::MAX));
                    if let Some(b) = DAYS_LATE_BANDS
                        .iter()
                        .position(|&(_, lo, hi)| (lo..=hi).contains(&days))
                    {
                        c.late_bands[b] += 1;
                    }
                    *st = (true, false);
                }
                Status::NotAssessable => {}
            }
        }
    }

    fn due(&mut self, ev: &DueEvent<'_>) {
        if !ev.counts {
            return;
        }
        let k = ev.track.kind.index();
        let not_held_by = |end: NaiveDate| ev.held.is_none_or(|h| h > end);
        if let Some(ps) = self.periods_of(ev.due) {
            for p in ps {
                if not_held_by(self.end(p)) {
                    self.counts[k][p].overdue[ev.seq.index()] += 1;
                }
            }
        }
        for q in 0..4 {
            let end = self.end(q + 1);
            if ev.due <= end && not_held_by(end) && ev.track.in_care_on(end) {
                self.at_end[k][q] += 1;
            }
        }
    }

    fn flag(&mut self, date: NaiveDate, flag: Flag) {
        if let Some(ps) = self.periods_of(date) {
            for p in ps {
                self.flags[p][flag.index()] += 1;
            }
        }
    }
}

impl ChildSink for Aggregate {
    fn begin_child(&mut self) {
        self.child = [[(false, true); 5]; 2];
    }

    fn end_child(&mut self) {
        for k in 0..2 {
            for p in 0..5 {
                let (any, all) = self.child[k][p];
                if any {
                    self.counts[k][p].children += 1;
                    if all {
                        self.counts[k][p].children_on_time += 1;
                    }
                }
            }
        }
    }
}

/// Several years' aggregates fed by one walk: each review and flag goes to
/// the year it is dated in, each due date to every year (a review overdue at
/// a quarter end may have fallen due in an earlier year).
struct Years(Vec<Aggregate>);

impl Sink for Years {
    fn review(&mut self, ev: &ReviewEvent) {
        if let Some(a) = self.0.iter_mut().find(|a| a.in_year(ev.date)) {
            a.review(ev);
        }
    }

    fn due(&mut self, ev: &DueEvent<'_>) {
        for a in &mut self.0 {
            // A year that ended before the due date, or began after the
            // review that met it, has nothing to count.
            if ev.due <= a.end(0) && ev.held.is_none_or(|h| h >= a.periods.bounds(0).0) {
                a.due(ev);
            }
        }
    }

    fn flag(&mut self, date: NaiveDate, flag: Flag) {
        if let Some(a) = self.0.iter_mut().find(|a| a.in_year(date)) {
            a.flag(date, flag);
        }
    }
}

impl ChildSink for Years {
    fn begin_child(&mut self) {
        for a in &mut self.0 {
            a.begin_child();
        }
    }

    fn end_child(&mut self) {
        for a in &mut self.0 {
            a.end_child();
        }
    }
}

fn median(v: &mut [u32]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        f64::from(v[n / 2])
    } else {
        (f64::from(v[n / 2 - 1]) + f64::from(v[n / 2])) / 2.0
    })
}

impl Aggregate {
    fn rows(mut self, ctx: &MetricContext<'_>, history_start: NaiveDate) -> Vec<MetricRow> {
        let spec = &*SPEC;
        let r = |m: &str, p: Period| row(spec, ctx, m, p);
        let by_review = |s: Seq| Breakdown::one("review", s.label());
        let short = || Breakdown::one("care_type", SHORT_BREAKS);
        let history_note = (history_start >= ctx.year.start()).then(|| {
            format!(
                "no Reviews table for {}: the first review in the year of a child already in care on 1 April cannot be timed",
                ctx.year.previous().label()
            )
        });
        let with_note = |row: MetricRow| match &history_note {
            Some(n) => row.note(n.clone()),
            None => row,
        };
        let mut rows = Vec::new();
        for (p, &period) in PERIODS.iter().enumerate() {
            let c = &mut self.counts[0][p];
            let sum = |a: &[u64; 3]| a.iter().sum::<u64>();
            rows.push(r("held", period).count(sum(&c.held)));
            for s in Seq::ALL {
                rows.push(
                    r("held", period)
                        .with_breakdown(by_review(s))
                        .count(c.held[s.index()]),
                );
            }
            rows.push(with_note(
                r("on-time", period).percent(sum(&c.on_time), sum(&c.assessed)),
            ));
            for s in Seq::ALL {
                rows.push(
                    r("on-time", period)
                        .with_breakdown(by_review(s))
                        .percent(c.on_time[s.index()], c.assessed[s.index()]),
                );
            }
            let late = c.late_days.len() as u64;
            rows.push(r("late", period).count(late));
            for (b, &(label, _, _)) in DAYS_LATE_BANDS.iter().enumerate() {
                rows.push(
                    r("late", period)
                        .with_breakdown(Breakdown::one("days_late", label))
                        .count(c.late_bands[b]),
                );
            }
            let total_days: u64 = c.late_days.iter().map(|&d| u64::from(d)).sum();
            let mut mean = r("days-late-mean", period);
            mean.denominator = Some(late);
            mean.value = (late > 0).then(|| total_days as f64 / late as f64);
            rows.push(mean.note("calendar days after the due date; denominator = late reviews"));
            let mut med = r("days-late-median", period);
            med.denominator = Some(late);
            med.value = median(&mut c.late_days);
            rows.push(med.note("calendar days after the due date; denominator = late reviews"));
            rows.push(with_note(
                r("children-on-time", period).percent(c.children_on_time, c.children),
            ));
            rows.push(r("overdue", period).count(sum(&c.overdue)));
            for s in Seq::ALL {
                rows.push(
                    r("overdue", period)
                        .with_breakdown(by_review(s))
                        .count(c.overdue[s.index()]),
                );
            }
            // Short breaks, beside (never inside) the headline.
            let sb = &self.counts[1][p];
            rows.push(
                r("held", period)
                    .with_breakdown(short())
                    .count(sum(&sb.held)),
            );
            rows.push(
                r("on-time", period)
                    .with_breakdown(short())
                    .percent(sum(&sb.on_time), sum(&sb.assessed)),
            );
            rows.push(
                r("late", period)
                    .with_breakdown(short())
                    .count(sb.late_days.len() as u64),
            );
            rows.push(
                r("children-on-time", period)
                    .with_breakdown(short())
                    .percent(sb.children_on_time, sb.children),
            );
            rows.push(
                r("overdue", period)
                    .with_breakdown(short())
                    .count(sum(&sb.overdue)),
            );
            for f in Flag::ALL {
                rows.push(
                    r("flags", period)
                        .with_breakdown(Breakdown::one("flag", f.label()))
                        .count(self.flags[p][f.index()]),
                );
            }
        }
        for (q, period) in [
            Period::Q1,
            Period::Q2,
            Period::Q3,
            Period::Q4,
            Period::Snapshot,
        ]
        .into_iter()
        .enumerate()
        {
            let q = q.min(3);
            rows.push(r("overdue-at-end", period).count(self.at_end[0][q]));
            rows.push(
                r("overdue-at-end", period)
                    .with_breakdown(short())
                    .count(self.at_end[1][q]),
            );
        }
        rows
    }
}

#[cfg(test)]
mod tests;
