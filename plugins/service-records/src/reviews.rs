//! Review meetings: status and mode, the social worker's report, decisions
//! and full records sent, the IRO meeting the child, the service's due dates,
//! and how many SSDA903 reviews have a record.

use chrono::NaiveDate;
use iro_domain::{
    IroReview, ReviewMode, ReviewStatus, ServiceTable, TableKind, WorkingDayCalendar,
};
use iro_metric_api::{Breakdown, MetricContext, MetricRow};

use crate::{Timescales, missing, missing_903, not_computable, start};
use iro_metric_api::periods::{FLOWS, Periods, median};

/// When the social worker's report reached the IRO, relative to the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTiming {
    /// On or before the n-th working day before the review.
    OnTime,
    /// Before the review day, but later than that.
    Short,
    /// On the day of the review.
    OnTheDay,
    /// After the review.
    After,
    /// No report received.
    None,
}

impl ReportTiming {
    pub const ALL: [ReportTiming; 5] = [
        ReportTiming::OnTime,
        ReportTiming::Short,
        ReportTiming::OnTheDay,
        ReportTiming::After,
        ReportTiming::None,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ReportTiming::OnTime => "on time",
            ReportTiming::Short => "fewer working days before",
            ReportTiming::OnTheDay => "on the day",
            ReportTiming::After => "after the review",
            ReportTiming::None => "no report",
        }
    }

    /// Classifies a report received on `received` for a review on `review`.
    pub fn of(
        review: NaiveDate,
        received: Option<NaiveDate>,
        working_days: u32,
        cal: &WorkingDayCalendar,
    ) -> Self {
        Self::against(review, received, cal.sub_working_days(review, working_days))
    }

    /// Classifies a report against the last day it was on time (`due_by`).
    pub fn against(review: NaiveDate, received: Option<NaiveDate>, due_by: NaiveDate) -> Self {
        match received {
            None => ReportTiming::None,
            Some(r) if r <= due_by => ReportTiming::OnTime,
            Some(r) if r < review => ReportTiming::Short,
            Some(r) if r == review => ReportTiming::OnTheDay,
            Some(_) => ReportTiming::After,
        }
    }

    /// Whether the IRO had the report by the day of the review.
    pub fn by_the_review(self) -> bool {
        matches!(
            self,
            ReportTiming::OnTime | ReportTiming::Short | ReportTiming::OnTheDay
        )
    }
}

/// Whether a document due within `n` working days of `review` was sent on
/// time, and the working days it took (`None` when not sent).
pub fn sent_within(
    review: NaiveDate,
    sent: Option<NaiveDate>,
    n: u32,
    cal: &WorkingDayCalendar,
) -> (bool, Option<i64>) {
    match sent {
        None => (false, None),
        Some(s) => (
            s <= cal.add_working_days(review, n),
            Some(cal.working_days_between(review, s)),
        ),
    }
}

/// A percentage's parts.
#[derive(Debug, Clone, Copy, Default)]
struct Ratio {
    num: u64,
    den: u64,
}

impl Ratio {
    fn add(&mut self, hit: bool) {
        self.den += 1;
        self.num += u64::from(hit);
    }
}

#[derive(Debug, Default, Clone)]
struct Counts {
    meetings: [u64; 3],
    modes: [u64; 4],
    timing: [u64; 5],
    decisions: Ratio,
    decisions_pending: u64,
    record: Ratio,
    record_pending: u64,
    record_days: Vec<i64>,
    met: Ratio,
    by_due: Ratio,
    coverage: Ratio,
}

fn status_index(s: ReviewStatus) -> usize {
    ReviewStatus::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

fn mode_index(m: Option<ReviewMode>) -> usize {
    m.and_then(|m| ReviewMode::ALL.iter().position(|x| *x == m))
        .unwrap_or(3)
}

/// The latest day the review records can speak for: the end of the latest
/// collection year with an iro_reviews file, or the latest date written in
/// them if later (an export made after the year end). A decision or record
/// due after it may still be sent, so it is not yet due.
pub fn records_as_at(ctx: &MetricContext<'_>) -> Option<NaiveDate> {
    let service = ctx.cohort.service();
    let year_end = crate::data_end(ctx, ServiceTable::IroReviews)?;
    let latest = service
        .reviews
        .iter()
        .flat_map(|r| {
            [
                Some(r.review),
                r.sw_report_received,
                r.decisions_sent,
                r.record_sent,
            ]
        })
        .flatten()
        .max();
    Some(latest.map_or(year_end, |l| l.max(year_end)))
}

pub(crate) fn rows(ctx: &MetricContext<'_>, periods: &Periods, t: &Timescales) -> Vec<MetricRow> {
    let table = ServiceTable::IroReviews;
    let cal = ctx.calendar;
    let service = ctx.cohort.service();
    let as_at = records_as_at(ctx).unwrap_or(ctx.year.end());
    let mut c: [Counts; 5] = Default::default();
    let mut deadlines = Deadlines::new(ctx.year.start(), t, cal);
    for r in &service.reviews {
        let Some(ps) = periods.flows_of(r.review) else {
            continue;
        };
        let facts = Facts::of(r, &mut deadlines, as_at, cal);
        for p in ps {
            tally(&mut c[p], r, &facts);
        }
    }
    for r in ctx.cohort.reviews() {
        let Some(ps) = periods.flows_of(r.review) else {
            continue;
        };
        let has_record = service
            .reviews_of(r.child)
            .iter()
            .any(|s| s.review == r.review && s.status == ReviewStatus::Held);
        for p in ps {
            c[p].coverage.add(has_record);
        }
    }

    let mut rows = Vec::new();
    let no_table = missing(ctx, table, None);
    let gone = |col: &str| missing(ctx, table, Some(col));
    let sw_missing = gone("SW_REPORT_RECEIVED");
    let dec_missing = gone("DECISIONS_SENT");
    let rec_missing = gone("RECORD_SENT");
    let met_missing = gone("IRO_MET_CHILD");
    let due_missing = gone("REVIEW_DUE");
    let mode_missing = gone("MODE");
    let cov_missing = no_table
        .clone()
        .or_else(|| missing_903(ctx, TableKind::Reviews));
    let sw_n = t.sw_report_working_days;
    for (p, &period) in FLOWS.iter().enumerate() {
        let c = &mut c[p];
        let r = |m: &str| start(ctx, m, period);
        let nc = |m: &str, why: &str| not_computable(ctx, m, period, why);
        if let Some(why) = &no_table {
            for m in [
                "reviews-held",
                "reviews-cancelled",
                "reviews-adjourned",
                "sw-report-on-time",
                "sw-report-received",
                "sw-report-on-time-of-received",
                "decisions-on-time",
                "record-on-time",
                "record-working-days-median",
                "iro-met-child",
                "held-by-due",
                "record-coverage",
            ] {
                rows.push(nc(m, why));
            }
            continue;
        }
        let held = c.meetings[status_index(ReviewStatus::Held)];
        rows.push(r("reviews-held").count(held));
        for (i, label) in ReviewMode::ALL
            .iter()
            .map(|m| m.label())
            .chain(["not recorded"])
            .enumerate()
        {
            let row = r("reviews-held")
                .with_breakdown(Breakdown::one("mode", label))
                .count(c.modes[i]);
            rows.push(match &mode_missing {
                Some(why) if i == 3 => row.note(format!("no mode recorded: {why}")),
                _ => row,
            });
        }
        rows.push(r("reviews-cancelled").count(c.meetings[status_index(ReviewStatus::Cancelled)]));
        rows.push(r("reviews-adjourned").count(c.meetings[status_index(ReviewStatus::Adjourned)]));
        if let Some(why) = &sw_missing {
            for m in [
                "sw-report-on-time",
                "sw-report-received",
                "sw-report-on-time-of-received",
            ] {
                rows.push(nc(m, why));
            }
        } else {
            let on_time = c.timing[0];
            let received: u64 = ReportTiming::ALL
                .iter()
                .zip(&c.timing)
                .filter(|(timing, _)| timing.by_the_review())
                .map(|(_, n)| n)
                .sum();
            let sw_note = format!(
                "report received at least {sw_n} working days before the review; no report counts as not on time"
            );
            rows.push(
                r("sw-report-on-time")
                    .percent(on_time, held)
                    .note(sw_note.clone()),
            );
            rows.push(
                r("sw-report-received")
                    .percent(received, held)
                    .note("report received on or before the day of the review"),
            );
            rows.push(
                r("sw-report-on-time-of-received")
                    .percent(on_time, received)
                    .note(sw_note),
            );
        }
        match &dec_missing {
            Some(why) => rows.push(nc("decisions-on-time", why)),
            None => rows.push(pending_note(
                r("decisions-on-time")
                    .percent(c.decisions.num, c.decisions.den)
                    .note(format!(
                        "sent within {} working days of the review; not sent counts as not on time",
                        t.decisions_working_days
                    )),
                c.decisions_pending,
                as_at,
            )),
        }
        match &rec_missing {
            Some(why) => {
                rows.push(nc("record-on-time", why));
                rows.push(nc("record-working-days-median", why));
            }
            None => {
                rows.push(pending_note(
                    r("record-on-time")
                        .percent(c.record.num, c.record.den)
                        .note(format!(
                            "sent within {} working days of the review; not sent counts as not on time",
                            t.record_working_days
                        )),
                    c.record_pending,
                    as_at,
                ));
                let mut med = r("record-working-days-median");
                med.denominator = Some(c.record_days.len() as u64);
                med.value = median(&mut c.record_days);
                rows.push(med.note("working days after the review; denominator = records sent"));
            }
        }
        match &met_missing {
            Some(why) => rows.push(nc("iro-met-child", why)),
            None => rows.push(
                r("iro-met-child")
                    .percent(c.met.num, c.met.den)
                    .note("denominator = reviews held with IRO_MET_CHILD recorded"),
            ),
        }
        match &due_missing {
            Some(why) => rows.push(nc("held-by-due", why)),
            None => rows.push(
                r("held-by-due")
                    .percent(c.by_due.num, c.by_due.den)
                    .note("the service's own REVIEW_DUE; denominator = reviews held with one"),
            ),
        }
        match &cov_missing {
            Some(why) => rows.push(nc("record-coverage", why)),
            None => rows.push(r("record-coverage").percent(c.coverage.num, c.coverage.den)),
        }
    }
    rows
}

fn pending_note(row: MetricRow, pending: u64, as_at: NaiveDate) -> MetricRow {
    if pending == 0 {
        return row;
    }
    row.note(format!(
        "{pending} review(s) due after {} (the latest date in the review records) left out: not yet due",
        as_at.format("%d/%m/%Y")
    ))
}

/// The deadlines of a review held on a given day — the report by, the
/// decisions by, the record by — cached by day: counting working days is the
/// costly step, and many reviews share a day.
struct Deadlines<'a> {
    base: NaiveDate,
    t: &'a Timescales,
    cal: &'a WorkingDayCalendar,
    cache: Vec<Option<[NaiveDate; 3]>>,
}

impl<'a> Deadlines<'a> {
    fn new(base: NaiveDate, t: &'a Timescales, cal: &'a WorkingDayCalendar) -> Self {
        Deadlines {
            base,
            t,
            cal,
            cache: Vec::new(),
        }
    }

    fn compute(&self, review: NaiveDate) -> [NaiveDate; 3] {
        [
            self.cal
                .sub_working_days(review, self.t.sw_report_working_days),
            self.cal
                .add_working_days(review, self.t.decisions_working_days),
            self.cal
                .add_working_days(review, self.t.record_working_days),
        ]
    }

    fn get(&mut self, review: NaiveDate) -> [NaiveDate; 3] {
        let Ok(i) = usize::try_from((review - self.base).num_days()) else {
            return self.compute(review);
        };
        if i >= 400 {
            return self.compute(review);
        }
        if i >= self.cache.len() {
            self.cache.resize(i + 1, None);
        }
        match self.cache[i] {
            Some(d) => d,
            None => {
                let d = self.compute(review);
                self.cache[i] = Some(d);
                d
            }
        }
    }
}

/// What one held review contributes, worked out once for the year and its
/// quarter alike.
struct Facts {
    timing: usize,
    /// On time, or `None` when not yet due at the records' as-at date.
    decisions: Option<bool>,
    record: Option<bool>,
    record_days: Option<i64>,
}

impl Facts {
    fn of(
        r: &IroReview,
        deadlines: &mut Deadlines<'_>,
        as_at: NaiveDate,
        cal: &WorkingDayCalendar,
    ) -> Self {
        let [report_by, decisions_by, record_by] = deadlines.get(r.review);
        let timing = ReportTiming::against(r.review, r.sw_report_received, report_by);
        // A deadline after the records' as-at date is not yet due: left out
        // whether or not the document was sent, so as not to count only the
        // early ones.
        let due = |by: NaiveDate, sent: Option<NaiveDate>| {
            (by <= as_at).then(|| sent.is_some_and(|s| s <= by))
        };
        Facts {
            timing: ReportTiming::ALL
                .iter()
                .position(|x| *x == timing)
                .unwrap_or(4),
            decisions: due(decisions_by, r.decisions_sent),
            record: due(record_by, r.record_sent),
            record_days: r.record_sent.map(|s| cal.working_days_between(r.review, s)),
        }
    }
}

fn tally(c: &mut Counts, r: &IroReview, f: &Facts) {
    c.meetings[status_index(r.status)] += 1;
    if r.status != ReviewStatus::Held {
        return;
    }
    c.modes[mode_index(r.mode)] += 1;
    c.timing[f.timing] += 1;
    match f.decisions {
        Some(ok) => c.decisions.add(ok),
        None => c.decisions_pending += 1,
    }
    match f.record {
        Some(ok) => c.record.add(ok),
        None => c.record_pending += 1,
    }
    c.record_days.extend(f.record_days);
    if let Some(met) = r.iro_met_child {
        c.met.add(met);
    }
    if let Some(due) = r.review_due {
        c.by_due.add(r.review <= due);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn report_timing_counts_working_days_back_over_bank_holidays() {
        let cal = WorkingDayCalendar::england_and_wales();
        let of = |review, received| ReportTiming::of(review, received, 3, &cal);
        // Thursday 10 October 2024: 3 working days before is Monday 7 October.
        assert_eq!(
            of(d(2024, 10, 10), Some(d(2024, 10, 7))),
            ReportTiming::OnTime
        );
        assert_eq!(
            of(d(2024, 10, 10), Some(d(2024, 10, 8))),
            ReportTiming::Short
        );
        // Wednesday 28 August 2024, after the summer bank holiday (26 August):
        // 3 working days before is Thursday 22 August; Friday 23 is only 2.
        assert_eq!(
            of(d(2024, 8, 28), Some(d(2024, 8, 22))),
            ReportTiming::OnTime
        );
        assert_eq!(
            of(d(2024, 8, 28), Some(d(2024, 8, 23))),
            ReportTiming::Short
        );
        // Thursday 2 January 2025: 1 January, 25 and 26 December are holidays,
        // so 3 working days before is Friday 27 December.
        assert_eq!(
            of(d(2025, 1, 2), Some(d(2024, 12, 27))),
            ReportTiming::OnTime
        );
        assert_eq!(
            of(d(2025, 1, 2), Some(d(2024, 12, 30))),
            ReportTiming::Short
        );
        assert_eq!(
            of(d(2025, 1, 2), Some(d(2025, 1, 2))),
            ReportTiming::OnTheDay
        );
        assert_eq!(of(d(2025, 1, 2), Some(d(2025, 1, 3))), ReportTiming::After);
        assert_eq!(of(d(2025, 1, 2), None), ReportTiming::None);
        // A report on the Sunday before a Monday review is before the day but
        // 0 working days before.
        assert_eq!(of(d(2024, 9, 9), Some(d(2024, 9, 8))), ReportTiming::Short);
    }

    #[test]
    fn documents_sent_within_working_days() {
        let cal = WorkingDayCalendar::england_and_wales();
        // 28 November 2024 + 20 working days, over Christmas, is 30 December.
        assert_eq!(
            sent_within(d(2024, 11, 28), Some(d(2024, 12, 30)), 20, &cal),
            (true, Some(20))
        );
        assert_eq!(
            sent_within(d(2024, 11, 28), Some(d(2024, 12, 31)), 20, &cal),
            (false, Some(21))
        );
        // Sent the same day: 0 working days.
        assert_eq!(
            sent_within(d(2024, 11, 28), Some(d(2024, 11, 28)), 5, &cal),
            (true, Some(0))
        );
        assert_eq!(sent_within(d(2024, 11, 28), None, 5, &cal), (false, None));
    }
}
