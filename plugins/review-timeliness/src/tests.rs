//! Hand-checked cases. Every expected figure is worked out in the comments;
//! working days are counted from the England and Wales bank-holiday list.

use super::*;
use chrono::NaiveDate;
use iro_domain::{
    Child, ChildIdx, CohortParts, Episode, LaCode, LegalStatus, ParticipationCode, PlacementType,
    ReasonEpisodeCeased, ReasonNewEpisode, Review, SourceRef,
};
use iro_metric_api::MetricExt;
use iro_metric_api::Params;
use std::collections::{BTreeMap, BTreeSet};

use LegalStatus::{C2, V2, V3, V4};
use ReasonEpisodeCeased::{E8, E13};
use ReasonNewEpisode::{P, S};

pub(crate) fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Builds a small cohort by hand.
#[derive(Default)]
pub(crate) struct Build {
    children: Vec<Child>,
    episodes: Vec<Episode>,
    reviews: Vec<Review>,
}

impl Build {
    pub(crate) fn child(&mut self, dob: Option<&str>) -> u32 {
        let i = self.children.len() as u32;
        self.children.push(Child {
            child_id: format!("C{i}").into(),
            sex: None,
            dob: dob.map(d),
            ethnic: None,
            upn: None,
            mother: None,
            mc_dob: None,
            uasc: None,
            header_year: None,
        });
        i
    }

    pub(crate) fn ep(
        &mut self,
        c: u32,
        decom: &str,
        rne: ReasonNewEpisode,
        ls: LegalStatus,
        end: Option<(&str, ReasonEpisodeCeased)>,
    ) -> &mut Self {
        self.episodes.push(Episode {
            child: ChildIdx(c),
            decom: d(decom),
            rne,
            ls,
            cin: None,
            place: Some(if ls.is_short_break() {
                PlacementType::K2
            } else {
                PlacementType::U4
            }),
            place_provider: None,
            dec: end.map(|(e, _)| d(e)),
            rec: end.map(|(_, r)| r),
            reason_place_change: None,
            home_post: None,
            pl_post: None,
            urn: None,
            year: CollectionYear::containing(d(decom)),
            source: SourceRef { file: 0, line: 2 },
        });
        self
    }

    pub(crate) fn rev(&mut self, c: u32, date: &str) -> &mut Self {
        self.rev_code(c, date, Some(ParticipationCode::PN1))
    }

    pub(crate) fn rev_code(
        &mut self,
        c: u32,
        date: &str,
        code: Option<ParticipationCode>,
    ) -> &mut Self {
        self.reviews.push(Review {
            child: ChildIdx(c),
            review: d(date),
            review_code: code,
            year: CollectionYear::containing(d(date)),
            source: SourceRef { file: 1, line: 2 },
        });
        self
    }

    /// Header, Episodes and Reviews for each of `years`.
    pub(crate) fn cohort(self, years: &[i32]) -> Cohort {
        let mut tables = BTreeMap::new();
        for &y in years {
            tables.insert(
                CollectionYear(y),
                BTreeSet::from([TableKind::Header, TableKind::Episodes, TableKind::Reviews]),
            );
        }
        Cohort::new(
            LaCode::new(800).unwrap(),
            CohortParts {
                children: self.children,
                episodes: self.episodes,
                reviews: self.reviews,
                tables,
                ..Default::default()
            },
        )
    }
}

use iro_domain::Cohort;

pub(crate) fn reference() -> &'static iro_metric_api::Reference {
    static REFERENCE: std::sync::OnceLock<iro_metric_api::Reference> = std::sync::OnceLock::new();
    REFERENCE.get_or_init(|| iro_metric_api::Reference::bundled().unwrap())
}

pub(crate) fn run_with(
    cohort: &Cohort,
    year: i32,
    params: &Params,
) -> Result<Vec<MetricRow>, MetricError> {
    let reference = reference();
    let calendar = WorkingDayCalendar::england_and_wales();
    let resolved = ReviewTimeliness.spec().resolve_params(params)?;
    let ctx = MetricContext {
        cohort,
        la: None,
        year: CollectionYear(year),
        reference,
        calendar: &calendar,
        params: &resolved,
    };
    ReviewTimeliness.compute(&ctx)
}

fn run(cohort: &Cohort, year: i32) -> Vec<MetricRow> {
    run_with(cohort, year, &Params::new()).unwrap()
}

fn find<'a>(
    rows: &'a [MetricRow],
    measure: &str,
    period: Period,
    breakdown: &str,
) -> &'a MetricRow {
    let metric = format!("review-timeliness.{measure}");
    rows.iter()
        .find(|r| r.metric == metric && r.period == period && r.breakdown.to_string() == breakdown)
        .unwrap_or_else(|| panic!("no row {metric} {period:?} {breakdown}"))
}

/// The count of a count row.
fn n(rows: &[MetricRow], measure: &str, period: Period, breakdown: &str) -> u64 {
    let r = find(rows, measure, period, breakdown);
    assert_eq!(r.unit, Unit::Count, "{measure} {breakdown}");
    r.numerator.unwrap()
}

/// Numerator and denominator of a percentage row.
fn pc(rows: &[MetricRow], measure: &str, period: Period, breakdown: &str) -> (u64, u64) {
    let r = find(rows, measure, period, breakdown);
    (r.numerator.unwrap(), r.denominator.unwrap())
}

/// Records what the walk reports for inspection.
#[derive(Debug, Default)]
struct Recorder {
    reviews: Vec<ReviewEvent>,
    dues: Vec<(NaiveDate, Option<NaiveDate>, Seq, bool)>,
    flags: Vec<(NaiveDate, Flag)>,
}

impl Sink for Recorder {
    fn review(&mut self, ev: &ReviewEvent) {
        self.reviews.push(*ev);
    }
    fn due(&mut self, ev: &DueEvent<'_>) {
        self.dues.push((ev.due, ev.held, ev.seq, ev.counts));
    }
    fn flag(&mut self, date: NaiveDate, flag: Flag) {
        self.flags.push((date, flag));
    }
}

impl ChildSink for Recorder {
    fn begin_child(&mut self) {}
    fn end_child(&mut self) {}
}

/// Every event for one child, reviews from `from` to `until`.
fn record(cohort: &Cohort, c: u32, from: &str, until: &str) -> Recorder {
    let mut rec = Recorder::default();
    assess_child(
        &cohort.child(ChildIdx(c)),
        d(from),
        d(until),
        &Rules::default(),
        &WorkingDayCalendar::england_and_wales(),
        &mut ChildScratch::default(),
        &mut rec,
    );
    rec
}

fn statuses(rec: &Recorder) -> Vec<(NaiveDate, Option<NaiveDate>, Seq, Status)> {
    rec.reviews
        .iter()
        .map(|e| (e.date, e.due, e.seq, e.status))
        .collect()
}

#[test]
fn first_review_due_across_bank_holidays() {
    let mut b = Build::default();
    // Easter 2024. Start Monday 18 March (day 0). Working days: 19–22 March (1–4),
    // 25–28 (5–8); Good Friday 29 March and Easter Monday 1 April are holidays;
    // 2–5 April (9–12), 8–12 (13–17), 15, 16, 17 April (18, 19, 20).
    // Due Wednesday 17 April (15 April if the holidays were ignored).
    let easter = b.child(Some("2012-01-01"));
    b.ep(easter, "2024-03-18", S, C2, None)
        .rev(easter, "2024-04-17");
    // Christmas 2024 and New Year 2025. Start Monday 16 December: 17–20 (1–4),
    // 23, 24 (5, 6); 25, 26 December holidays; 27 (7), 30, 31 (8, 9);
    // 1 January holiday; 2, 3 (10, 11), 6–10 (12–16), 13–16 (17–20).
    // Due Thursday 16 January; held the day after: 1 day late.
    let xmas = b.child(Some("2015-03-03"));
    b.ep(xmas, "2024-12-16", S, V2, None)
        .rev(xmas, "2025-01-17");
    // Christmas 2022 fell on a Sunday: Monday 26 and Tuesday 27 December
    // (substitute) and Monday 2 January 2023 (substitute for New Year's Day)
    // are holidays. Start Monday 19 December: 20–23 (1–4), 28–30 (5–7),
    // 3–6 January (8–11), 9–13 (12–16), 16–19 (17–20). Due Thursday 19 January
    // 2023 (18 January without the substitute 27 December): held on it, on time.
    let subst = b.child(Some("2010-05-05"));
    b.ep(subst, "2022-12-19", S, V2, None)
        .rev(subst, "2023-01-19");
    let cohort = b.cohort(&[2023, 2024, 2025]);

    let rec = record(&cohort, easter, "2022-04-01", "2025-03-31");
    assert_eq!(
        statuses(&rec),
        vec![(
            d("2024-04-17"),
            Some(d("2024-04-17")),
            Seq::First,
            Status::OnTime
        )]
    );
    let rec = record(&cohort, xmas, "2022-04-01", "2025-03-31");
    assert_eq!(
        statuses(&rec),
        vec![(
            d("2025-01-17"),
            Some(d("2025-01-16")),
            Seq::First,
            Status::Late { days: 1 }
        )]
    );
    let rec = record(&cohort, subst, "2022-04-01", "2025-03-31");
    assert_eq!(
        statuses(&rec),
        vec![(
            d("2023-01-19"),
            Some(d("2023-01-19")),
            Seq::First,
            Status::OnTime
        )]
    );
    // After the first, the second is due 3 calendar months later: 19 April 2023.
    assert_eq!(rec.dues[1], (d("2023-04-19"), None, Seq::Second, true));
}

#[test]
fn six_months_from_31_august_is_the_end_of_february() {
    let mut b = Build::default();
    // Data begin part way through care (first episode held is RNE = P), so the
    // first review held is "subsequent" and cannot be timed; the next is due six
    // months later.
    // Leap year: 31 August 2023 + 6 months = 29 February 2024; a review held on
    // 29 February is on time. 29 February 2024 + 6 months = 29 August 2024;
    // held 30 August: 1 day late.
    let leap = b.child(Some("2010-01-01"));
    b.ep(leap, "2023-01-01", P, C2, None)
        .rev(leap, "2023-08-31")
        .rev(leap, "2024-02-29")
        .rev(leap, "2024-08-30");
    // Common year: 31 August 2022 + 6 months = 28 February 2023; held 1 March:
    // 1 day late.
    let common = b.child(Some("2010-01-01"));
    b.ep(common, "2022-01-01", P, C2, None)
        .rev(common, "2022-08-31")
        .rev(common, "2023-03-01");
    let cohort = b.cohort(&[2022, 2023, 2024, 2025]);

    let rec = record(&cohort, leap, "2021-04-01", "2025-03-31");
    assert_eq!(
        statuses(&rec),
        vec![
            (
                d("2023-08-31"),
                None,
                Seq::Subsequent,
                Status::NotAssessable
            ),
            (
                d("2024-02-29"),
                Some(d("2024-02-29")),
                Seq::Subsequent,
                Status::OnTime
            ),
            (
                d("2024-08-30"),
                Some(d("2024-08-29")),
                Seq::Subsequent,
                Status::Late { days: 1 }
            ),
        ]
    );
    assert_eq!(rec.flags, vec![(d("2023-08-31"), Flag::StartNotKnown)]);
    let rec = record(&cohort, common, "2021-04-01", "2025-03-31");
    assert_eq!(
        statuses(&rec)[1],
        (
            d("2023-03-01"),
            Some(d("2023-02-28")),
            Seq::Subsequent,
            Status::Late { days: 1 }
        )
    );
}

/// The cohort behind `a_year_by_hand`, each child a case (collection year
/// 2024-25; tables for 2022-23 to 2024-25, so reviews are known from
/// 1 April 2022).
fn year_cohort() -> Cohort {
    let mut b = Build::default();
    // A — Easter 2024: enters Mon 18/03/2024, first due 17/04/2024 (see
    // `first_review_due_across_bank_holidays`). Held 17/04 (first, on time);
    // second due 17/07/2024, held 17/07 (on time); third due 17/01/2025, held
    // 20/01/2025: 3 days late.
    let a = b.child(Some("2012-01-01"));
    b.ep(a, "2024-03-18", S, C2, None)
        .rev(a, "2024-04-17")
        .rev(a, "2024-07-17")
        .rev(a, "2025-01-20");
    // B — one period across 1 April, reviews in both years. Enters Mon
    // 05/02/2024: 6–9 Feb (1–4), 12–16 (5–9), 19–23 (10–14), 26–29 (15–18),
    // 1 Mar (19), 4 Mar (20): due 04/03/2024, held 01/03/2024 (2023-24, on time).
    // Second due 01/06/2024, held 03/06/2024: 2 days late (Q1). Third due
    // 03/12/2024, held 02/12/2024: on time (Q3).
    let bb = b.child(Some("2010-06-01"));
    b.ep(bb, "2024-02-05", S, C2, None)
        .rev(bb, "2024-03-01")
        .rev(bb, "2024-06-03")
        .rev(bb, "2024-12-02");
    // C — Christmas 2024: enters 16/12/2024, first due 16/01/2025, held on it.
    let c = b.child(Some("2015-03-03"));
    b.ep(c, "2024-12-16", S, V2, None).rev(c, "2025-01-16");
    // D — re-entry. Enters Wed 01/05/2024: 2, 3 May (1, 2); 6 May bank holiday;
    // 7–10 (3–6), 13–17 (7–11), 20–24 (12–16); 27 May bank holiday; 28–31
    // (17–20): due 31/05, held 29/05 (on time). Leaves 20/08/2024, before the
    // second review is due (29/08): not due. Re-enters Mon 02/12/2024, clock
    // restarts: 3–6 Dec (1–4), 9–13 (5–9), 16–20 (10–14), 23, 24 (15, 16),
    // 27 (17), 30, 31 (18, 19), 2 Jan (20): due 02/01/2025, held 06/01/2025 —
    // a *first* review, 4 days late.
    let dd = b.child(Some("2009-09-09"));
    b.ep(dd, "2024-05-01", S, V2, Some(("2024-08-20", E13)))
        .ep(dd, "2024-12-02", S, V2, None)
        .rev(dd, "2024-05-29")
        .rev(dd, "2025-01-06");
    // E — turns 18 on 15/10/2024 but the data keep the episode open. Enters
    // Mon 05/06/2023, first due 03/07/2023 (5–30 June = 19 working days,
    // 3 July the 20th), held 30/06/2023; second due 30/09/2023, held
    // 28/09/2023; third due 28/03/2024, held 27/03/2024; fourth due
    // 27/09/2024, held 20/09/2024 (on time, Q2). The next would be due
    // 20/03/2025, after the 18th birthday: not due, flagged (Q4).
    let e = b.child(Some("2006-10-15"));
    b.ep(e, "2023-06-05", S, C2, None)
        .rev(e, "2023-06-30")
        .rev(e, "2023-09-28")
        .rev(e, "2024-03-27")
        .rev(e, "2024-09-20");
    // F — in care under 20 working days: enters Mon 02/09/2024 (first due
    // 30/09/2024), leaves 20/09/2024, no review: not due, not late; flagged (Q2).
    let f = b.child(Some("2012-02-02"));
    b.ep(f, "2024-09-02", S, V2, Some(("2024-09-20", E13)));
    // G — a review before care starts (01/05/2024: excluded, flagged) and two
    // reviews on one day. Enters Fri 10/05/2024: 13–17 May (1–5), 20–24
    // (6–10), 27 May holiday, 28–31 (11–14), 3–7 June (15–19), 10 June (20):
    // due 10/06. Held twice on 07/06 (first, on time, counted once, the second
    // flagged). Second due 07/09, held 06/09 (on time). Third due 06/03/2025,
    // not held by 31 March: overdue at the year end (and Q4).
    let g = b.child(Some("2011-11-11"));
    b.ep(g, "2024-05-10", S, V2, None)
        .rev(g, "2024-05-01")
        .rev(g, "2024-06-07")
        .rev(g, "2024-06-07")
        .rev(g, "2024-09-06");
    // H — overdue at a quarter end. Enters Fri 01/09/2023, first due
    // 29/09/2023 (4–29 September = 20 working days), held 29/09; second due
    // 29/12/2023, held 15/12/2023; third due 15/06/2024, held 15/04/2024 (on
    // time, Q1); fourth due 15/10/2024 (Q3), held 10/01/2025: overdue at the
    // end of Q3, then late by 16 + 30 + 31 + 10 = 87 days (Q4).
    let h = b.child(Some("2008-04-04"));
    b.ep(h, "2023-09-01", S, C2, None)
        .rev(h, "2023-09-29")
        .rev(h, "2023-12-15")
        .rev(h, "2024-04-15")
        .rev(h, "2025-01-10");
    // I — enters Mon 03/02/2025: 4–7 Feb (1–4), 10–14 (5–9), 17–21 (10–14),
    // 24–28 (15–19), 3 Mar (20): first due 03/03/2025, no review by 31 March:
    // overdue (first) at the year end.
    let i = b.child(Some("2013-01-01"));
    b.ep(i, "2025-02-03", S, V2, None);
    // J — short breaks (V3): 3–5 May, 7–9 June, 5–7 July 2024 are one series;
    // a break on 10/03/2025 starts 246 days after the last (> 183): a new series.
    // First review of series 1 due 03/05 + 3 months = 03/08/2024, held 01/08
    // (on time). Its next would be due 01/02/2025, but the series' last break
    // ended 07/07/2024: not running, not due. Series 2's first is due
    // 10/06/2025, after the year.
    let j = b.child(Some("2014-05-05"));
    b.ep(j, "2024-05-03", S, V3, Some(("2024-05-05", E8)))
        .ep(j, "2024-06-07", S, V3, Some(("2024-06-09", E8)))
        .ep(j, "2024-07-05", S, V3, Some(("2024-07-07", E8)))
        .ep(j, "2025-03-10", S, V3, Some(("2025-03-12", E8)))
        .rev(j, "2024-08-01");
    // K — a short-break agreement (V4) from 01/06/2024, still open. First
    // review due 01/09/2024, held 10/09: 9 days late. Next due 10/03/2025, not
    // held: overdue (short breaks) at the year end.
    let k = b.child(Some("2012-12-12"));
    b.ep(k, "2024-06-01", S, V4, None).rev(k, "2024-09-10");
    // L — data begin part way through a period (first episode RNE = P): the
    // first review held (20/05/2024) is "subsequent" and not assessable
    // (flagged); the next is due 20/11/2024, held 25/11/2024: 5 days late (Q3).
    let l = b.child(Some("2010-01-01"));
    b.ep(l, "2023-03-01", P, C2, None)
        .rev(l, "2024-05-20")
        .rev(l, "2024-11-25");
    b.cohort(&[2023, 2024, 2025])
}

#[test]
fn a_year_by_hand() {
    let rows = run(&year_cohort(), 2025);
    let y = Period::Year;
    // Reviews held in 2024-25 in ordinary care (short breaks J, K apart; G's
    // review before care and duplicate apart):
    //   A 17/04 first ✓, 17/07 second ✓, 20/01 subsequent ✗3
    //   B 03/06 second ✗2, 02/12 subsequent ✓
    //   C 16/01 first ✓
    //   D 29/05 first ✓, 06/01 first ✗4
    //   E 20/09 subsequent ✓
    //   G 07/06 first ✓, 06/09 second ✓
    //   H 15/04 subsequent ✓, 10/01 subsequent ✗87
    //   L 20/05 subsequent (not assessable), 25/11 subsequent ✗5
    assert_eq!(n(&rows, "held", y, ""), 15);
    assert_eq!(n(&rows, "held", y, "review=first"), 5);
    assert_eq!(n(&rows, "held", y, "review=second"), 3);
    assert_eq!(n(&rows, "held", y, "review=subsequent"), 7);
    // 9 on time of 14 assessable.
    assert_eq!(pc(&rows, "on-time", y, ""), (9, 14));
    assert_eq!(pc(&rows, "on-time", y, "review=first"), (4, 5));
    assert_eq!(pc(&rows, "on-time", y, "review=second"), (2, 3));
    assert_eq!(pc(&rows, "on-time", y, "review=subsequent"), (3, 6));
    // Late: 3, 2, 4, 87, 5 days.
    assert_eq!(n(&rows, "late", y, ""), 5);
    assert_eq!(n(&rows, "late", y, "days_late=1-7"), 4);
    assert_eq!(n(&rows, "late", y, "days_late=8-14"), 0);
    assert_eq!(n(&rows, "late", y, "days_late=15-28"), 0);
    assert_eq!(n(&rows, "late", y, "days_late=29+"), 1);
    let mean = find(&rows, "days-late-mean", y, "");
    // Mean (3 + 2 + 4 + 87 + 5) / 5 = 101 / 5; median of 2, 3, 4, 5, 87.
    assert_eq!(
        (mean.numerator, mean.denominator, mean.value),
        (None, Some(5), Some(20.2))
    );
    assert_eq!(mean.unit, Unit::Days);
    assert_eq!(find(&rows, "days-late-median", y, "").value, Some(4.0));
    // Children with an assessable review: A B C D E G H L; all on time: C E G.
    assert_eq!(pc(&rows, "children-on-time", y, ""), (3, 8));
    // Overdue at the year end: G (subsequent, due 06/03) and I (first, due 03/03).
    // Not D (left care before 29/08), E (due after 18), F (left before due),
    // H (held by 31 March).
    assert_eq!(n(&rows, "overdue", y, ""), 2);
    assert_eq!(n(&rows, "overdue", y, "review=first"), 1);
    assert_eq!(n(&rows, "overdue", y, "review=second"), 0);
    assert_eq!(n(&rows, "overdue", y, "review=subsequent"), 1);

    // Quarters. Held: Q1 A B D G H L = 6; Q2 A E G = 3; Q3 B L = 2; Q4 A C D H = 4.
    for (p, held) in [
        (Period::Q1, 6),
        (Period::Q2, 3),
        (Period::Q3, 2),
        (Period::Q4, 4),
    ] {
        assert_eq!(n(&rows, "held", p, ""), held, "{p:?}");
    }
    // Q1: A ✓ B ✗ D ✓ G ✓ H ✓ (L not assessable) = 4 of 5; Q4: A ✗ C ✓ D ✗ H ✗.
    assert_eq!(pc(&rows, "on-time", Period::Q1, ""), (4, 5));
    assert_eq!(pc(&rows, "on-time", Period::Q4, ""), (1, 4));
    assert_eq!(pc(&rows, "children-on-time", Period::Q1, ""), (4, 5));
    // Overdue within the quarter: H's review due 15/10 not held by 31/12 (Q3);
    // G and I in Q4. B's due 01/06 was held 03/06, before the end of Q1.
    assert_eq!(n(&rows, "overdue", Period::Q1, ""), 0);
    assert_eq!(n(&rows, "overdue", Period::Q3, "review=subsequent"), 1);
    assert_eq!(n(&rows, "overdue", Period::Q4, ""), 2);
    // Outstanding at each quarter end, whenever due.
    assert_eq!(n(&rows, "overdue-at-end", Period::Q1, ""), 0);
    assert_eq!(n(&rows, "overdue-at-end", Period::Q2, ""), 0);
    assert_eq!(n(&rows, "overdue-at-end", Period::Q3, ""), 1);
    assert_eq!(n(&rows, "overdue-at-end", Period::Q4, ""), 2);
    assert_eq!(n(&rows, "overdue-at-end", Period::Snapshot, ""), 2);

    // Short breaks, apart from the headline: J 01/08 ✓, K 10/09 ✗9.
    let sb = "care_type=short breaks";
    assert_eq!(n(&rows, "held", y, sb), 2);
    assert_eq!(pc(&rows, "on-time", y, sb), (1, 2));
    assert_eq!(n(&rows, "late", y, sb), 1);
    assert_eq!(pc(&rows, "children-on-time", y, sb), (1, 2));
    assert_eq!(n(&rows, "overdue", y, sb), 1);
    assert_eq!(n(&rows, "overdue-at-end", Period::Snapshot, sb), 1);
    assert_eq!(n(&rows, "overdue-at-end", Period::Q2, sb), 0);

    // Flags.
    let flag = |f: &str, p: Period| n(&rows, "flags", p, &format!("flag={f}"));
    assert_eq!(flag("review-before-care", y), 1);
    assert_eq!(flag("duplicate-review", Period::Q1), 1);
    assert_eq!(flag("start-not-known", Period::Q1), 1);
    assert_eq!(flag("short-care-no-review", Period::Q2), 1);
    assert_eq!(flag("due-after-18", Period::Q4), 1);
    for f in [
        "review-after-care",
        "review-no-episodes",
        "start-before-reviews-data",
        "review-after-18",
        "no-dob",
        "calendar-not-covered",
    ] {
        assert_eq!(flag(f, y), 0, "{f}");
    }
    // Reviews held back to 1 April 2022: no caveat.
    assert!(find(&rows, "on-time", y, "").note.is_empty());
}

#[test]
fn additive_breakdowns_sum_to_their_totals() {
    let rows = run(&year_cohort(), 2025);
    for m in SPEC.measures {
        for key in m.additive_breakdowns {
            for p in PERIODS {
                let total = find(&rows, m.id.measure(), p, "");
                let cells: Vec<&MetricRow> = rows
                    .iter()
                    .filter(|r| r.metric == m.id && r.period == p)
                    .filter(|r| r.breakdown.keys() == *key)
                    .collect();
                assert!(!cells.is_empty(), "{} {key}", m.id);
                let sum: u64 = cells.iter().map(|r| r.numerator.unwrap()).sum();
                assert_eq!(Some(sum), total.numerator, "{} {key} {p:?}", m.id);
                if m.unit == Unit::Percent {
                    let den: u64 = cells.iter().map(|r| r.denominator.unwrap()).sum();
                    assert_eq!(Some(den), total.denominator, "{} {key} {p:?}", m.id);
                }
            }
        }
    }
}

#[test]
fn first_review_in_year_without_last_years_reviews_is_not_assessable() {
    // Only the 2024-25 tables: B, E, H and L were in care on 1 April 2024, so
    // their first review in the year cannot be numbered or timed.
    let cohort = {
        let full = year_cohort();
        let mut parts_tables = BTreeMap::new();
        parts_tables.insert(
            CollectionYear(2025),
            BTreeSet::from([TableKind::Header, TableKind::Episodes, TableKind::Reviews]),
        );
        Cohort::new(
            full.la(),
            CohortParts {
                children: full.children().to_vec(),
                episodes: full.episodes().to_vec(),
                reviews: full.reviews().to_vec(),
                tables: parts_tables,
                ..Default::default()
            },
        )
    };
    let rows = run(&cohort, 2025);
    let y = Period::Year;
    // A entered 18/03/2024, before 1 April too. Not assessable: A 17/04,
    // B 03/06, E 20/09, H 15/04 (start before the reviews data) and L 20/05
    // (start not known). Assessable and on time: A 17/07 (6 months, from a
    // "subsequent"), B 02/12, C, D 29/05, G ×2 = 6; late: A 20/01 (due
    // 17/01/2025 from 17/07/2024 + 6 months), D 06/01, H 10/01 (due 15/10), L
    // 25/11 = 4.
    assert_eq!(n(&rows, "held", y, ""), 15);
    assert_eq!(pc(&rows, "on-time", y, ""), (6, 10));
    assert_eq!(n(&rows, "flags", y, "flag=start-before-reviews-data"), 4);
    assert_eq!(n(&rows, "flags", y, "flag=start-not-known"), 1);
    let note = &find(&rows, "on-time", y, "").note;
    assert!(note.contains("no Reviews table for 2023-24"), "{note}");
}

#[test]
fn reviews_after_18_are_assessed_only_against_a_due_date_before_the_birthday() {
    let mut b = Build::default();
    // 18 on 01/10/2024. Enters Mon 02/09/2024 (first due 30/09/2024), still in
    // care per the data. First review 04/10/2024: after the birthday, but due
    // before it, so late by 4 days (and flagged). The second is due 04/01/2025,
    // after the birthday: a review held on 10/01/2025 is not assessable, and
    // flagged; the third, due 10/07/2025, is outside the year.
    let c = b.child(Some("2006-10-01"));
    b.ep(c, "2024-09-02", S, C2, None)
        .rev(c, "2024-10-04")
        .rev(c, "2025-01-10");
    let cohort = b.cohort(&[2025]);
    let rec = record(&cohort, c, "2024-04-01", "2025-03-31");
    assert_eq!(
        statuses(&rec),
        vec![
            (
                d("2024-10-04"),
                Some(d("2024-09-30")),
                Seq::First,
                Status::Late { days: 4 }
            ),
            (
                d("2025-01-10"),
                Some(d("2025-01-04")),
                Seq::Second,
                Status::NotAssessable
            ),
        ]
    );
    assert_eq!(
        rec.flags,
        vec![
            (d("2024-10-04"), Flag::ReviewAfter18),
            (d("2025-01-10"), Flag::ReviewAfter18),
            (d("2025-01-04"), Flag::DueAfter18),
            (d("2025-07-10"), Flag::DueAfter18),
        ]
    );
    let rows = run(&cohort, 2025);
    assert_eq!(pc(&rows, "on-time", Period::Year, ""), (0, 1));
    assert_eq!(n(&rows, "overdue", Period::Year, ""), 0);
}

#[test]
fn no_reviews_table_is_not_computable_and_bad_parameters_are_errors() {
    let mut b = Build::default();
    let c = b.child(Some("2010-01-01"));
    b.ep(c, "2024-05-01", S, C2, None);
    let mut cohort_parts_tables = BTreeMap::new();
    cohort_parts_tables.insert(
        CollectionYear(2025),
        BTreeSet::from([TableKind::Header, TableKind::Episodes]),
    );
    let cohort = Cohort::new(
        LaCode::new(800).unwrap(),
        CohortParts {
            children: b.children,
            episodes: b.episodes,
            tables: cohort_parts_tables,
            ..Default::default()
        },
    );
    assert!(matches!(
        run_with(&cohort, 2025, &Params::new()),
        Err(MetricError::NotComputable(m)) if m.contains("Reviews")
    ));
    let cohort = year_cohort();
    let mut params = Params::new();
    params.insert("second_review_months".into(), 2.5.into());
    assert!(matches!(
        run_with(&cohort, 2025, &params),
        Err(MetricError::BadParameter { .. })
    ));
    let mut params = Params::new();
    params.insert("sceond_review_months".into(), 3.into());
    assert!(matches!(
        run_with(&cohort, 2025, &params),
        Err(MetricError::BadParameter { .. })
    ));
}

#[test]
fn parameters_change_the_timescales() {
    // With 4 months to the second review, B's second (due 01/07/2024, held
    // 03/06) is on time, and its third is then due 03/12 (held 02/12, on
    // time); nothing else in the year changes: 10 of 14.
    let mut params = Params::new();
    params.insert("second_review_months".into(), 4.into());
    let rows = run_with(&year_cohort(), 2025, &params).unwrap();
    assert_eq!(pc(&rows, "on-time", Period::Year, ""), (10, 14));
    assert_eq!(pc(&rows, "on-time", Period::Year, "review=second"), (3, 3));
}

#[test]
fn series_gap_parameter_joins_or_splits_short_breaks() {
    let mut b = Build::default();
    // Breaks 01–03/04/2024 and 20–22/06/2024, 78 days apart; a review on
    // 01/08/2024.
    let c = b.child(Some("2015-01-01"));
    b.ep(c, "2024-04-01", S, V3, Some(("2024-04-03", E8)))
        .ep(c, "2024-06-20", S, V3, Some(("2024-06-22", E8)))
        .rev(c, "2024-08-01");
    let cohort = b.cohort(&[2025]);
    // One series (gap 183): due 01/07/2024, held 01/08: 31 days late.
    let rows = run(&cohort, 2025);
    assert_eq!(
        pc(&rows, "on-time", Period::Year, "care_type=short breaks"),
        (0, 1)
    );
    assert_eq!(
        n(&rows, "held", Period::Year, ""),
        0,
        "never in the headline"
    );
    // Gap 60: the second break starts a new series (first review due
    // 20/09/2024; its window runs to 22/06 + 60 days = 21/08/2024, so the
    // review on 01/08 is its first): on time.
    let mut params = Params::new();
    params.insert("short_break_series_gap_days".into(), 60.into());
    let rows = run_with(&cohort, 2025, &params).unwrap();
    assert_eq!(
        pc(&rows, "on-time", Period::Year, "care_type=short breaks"),
        (1, 1)
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

        /// Any period of care and reviews: a review held on or before its due
        /// date is never late, a late one is after it by the days counted,
        /// on time ≤ assessed ≤ held, and additive cells sum to their total.
        #[test]
        fn on_time_is_never_late_and_counts_nest(
            start in 0i64..700,
            len in proptest::option::of(1i64..800),
            offsets in proptest::collection::vec(0i64..900, 0..12),
            known in any::<bool>(),
            dob_days in 4000i64..7000,
        ) {
            let base = d("2023-04-01");
            let day = |n: i64| base + chrono::Duration::days(n);
            let mut b = Build::default();
            let c = b.child(Some(&day(start - dob_days).to_string()));
            let rne = if known { S } else { P };
            let end = len.map(|l| day(start + l).to_string());
            b.ep(c, &day(start).to_string(), rne, C2, end.as_deref().map(|e| (e, E13)));
            for o in &offsets {
                b.rev(c, &day(*o).to_string());
            }
            let cohort = b.cohort(&[2024, 2025, 2026]);
            let rec = record(&cohort, c, "2023-04-01", "2026-03-31");
            for e in &rec.reviews {
                match (e.status, e.due) {
                    (Status::OnTime, Some(due)) => prop_assert!(e.date <= due),
                    (Status::Late { days }, Some(due)) => {
                        prop_assert!(e.date > due);
                        prop_assert_eq!(days, (e.date - due).num_days());
                    }
                    (Status::NotAssessable, _) => {}
                    (s, due) => prop_assert!(false, "{:?} with due {:?}", s, due),
                }
            }
            for year in [2024, 2025, 2026] {
                let rows = run(&cohort, year);
                for p in PERIODS {
                    let (on, assessed) = pc(&rows, "on-time", p, "");
                    let held = n(&rows, "held", p, "");
                    let late = n(&rows, "late", p, "");
                    prop_assert!(on <= assessed && assessed <= held);
                    prop_assert_eq!(on + late, assessed);
                    let (kids_ok, kids) = pc(&rows, "children-on-time", p, "");
                    prop_assert!(kids_ok <= kids && kids <= 1);
                }
            }
        }
    }
}

#[test]
#[ignore = "timing: run with --release -- --ignored"]
fn national_scale_is_fast() {
    let cohort = crate::synthetic::national_cohort(2021, 2025, 7);
    let reviews = cohort.reviews().len();
    let reference = reference();
    let calendar = WorkingDayCalendar::england_and_wales();
    let params = ReviewTimeliness
        .spec()
        .resolve_params(&Params::new())
        .unwrap();
    let ctx = MetricContext {
        cohort: &cohort,
        la: None,
        year: CollectionYear(2025),
        reference,
        calendar: &calendar,
        params: &params,
    };
    let t = std::time::Instant::now();
    let rows = ReviewTimeliness.compute(&ctx).unwrap();
    let took = t.elapsed();
    let held = find(&rows, "held", Period::Year, "").numerator.unwrap();
    eprintln!(
        "{} children, {reviews} reviews: {took:?}; {held} held in 2024-25",
        cohort.children().len()
    );
    if !cfg!(debug_assertions) {
        assert!(took.as_secs_f64() < 0.5, "{took:?}");
    }
}

#[test]
fn first_due_table_matches_the_calendar() {
    // The table of working days gives the same first due date as counting
    // day by day, for starts in any order, across Easter, Christmas,
    // substitute and one-off bank holidays, and at the calendar's edge.
    let cal = WorkingDayCalendar::england_and_wales();
    for n in [0, 1, 5, 20, 28, 1000] {
        let mut table = FirstDue::default();
        let from = d("2022-04-01");
        let mut starts: Vec<NaiveDate> = (0..3200)
            .map(|i| from + chrono::Duration::days(i))
            .collect();
        // Out of order: backwards through the first half, then the rest.
        starts[..1600].reverse();
        for s in starts {
            assert_eq!(
                table.get(&cal, from, s, n),
                cal.add_working_days(s, n),
                "{s} + {n}"
            );
        }
        // A start before the table's first day is counted the slow way.
        let early = d("2021-12-24");
        assert_eq!(
            table.get(&cal, from, early, n),
            cal.add_working_days(early, n)
        );
    }
}

#[test]
fn all_years_at_once_equal_each_year_alone_by_hand() {
    let cohort = year_cohort();
    let calendar = WorkingDayCalendar::england_and_wales();
    let params = ReviewTimeliness
        .spec()
        .resolve_params(&Params::new())
        .unwrap();
    let ctxs: Vec<MetricContext<'_>> = [2022, 2023, 2024, 2025]
        .map(|y| MetricContext {
            cohort: &cohort,
            la: None,
            year: CollectionYear(y),
            reference: reference(),
            calendar: &calendar,
            params: &params,
        })
        .to_vec();
    let together = ReviewTimeliness.compute_years(&ctxs);
    assert!(matches!(&together[0], Err(MetricError::NotComputable(m)) if m.contains("2021-22")));
    for (ctx, got) in ctxs.iter().zip(together) {
        assert_eq!(got, ReviewTimeliness.compute(ctx), "{:?}", ctx.year);
    }
}

#[test]
fn a_29_february_birthday_turns_18_on_1_march_in_a_common_year() {
    // Both born 29/02/2008: 18 on 01/03/2026 (2026 is a common year). Data
    // begin part way through care, so each first review in the data cannot
    // be timed, and the next is due 6 months after it.
    let mut b = Build::default();
    // X: held 28/08/2025, next due 28/02/2026, the day before the birthday:
    // due, and never held: overdue in Q4 and at 31 March 2026.
    let x = b.child(Some("2008-02-29"));
    b.ep(x, "2025-01-01", P, C2, None).rev(x, "2025-08-28");
    // Y: held 01/09/2025, next due 01/03/2026, the 18th birthday itself: not
    // due (care ends at 18), never overdue; flagged `due-after-18`.
    let y = b.child(Some("2008-02-29"));
    b.ep(y, "2025-01-01", P, C2, None).rev(y, "2025-09-01");
    let cohort = b.cohort(&[2025, 2026]);
    let rec = record(&cohort, y, "2024-04-01", "2026-03-31");
    assert_eq!(
        rec.dues,
        vec![(d("2026-03-01"), None, Seq::Subsequent, false)]
    );
    assert!(rec.flags.contains(&(d("2026-03-01"), Flag::DueAfter18)));
    let rec = record(&cohort, x, "2024-04-01", "2026-03-31");
    assert_eq!(
        rec.dues,
        vec![(d("2026-02-28"), None, Seq::Subsequent, true)]
    );
    let rows = run(&cohort, 2026);
    assert_eq!(n(&rows, "overdue", Period::Year, ""), 1);
    assert_eq!(n(&rows, "overdue", Period::Q4, ""), 1);
    assert_eq!(n(&rows, "overdue-at-end", Period::Snapshot, ""), 1);
    assert_eq!(n(&rows, "flags", Period::Q4, "flag=due-after-18"), 1);
}

#[test]
fn relations_name_measures_that_exist() {
    for r in ReviewTimeliness.relations() {
        for t in r.terms() {
            let (id, measure) = t.metric.as_str().split_once('.').unwrap();
            assert_eq!(id, "review-timeliness", "{r}");
            assert!(SPEC.measure_named(measure).is_some(), "{r}");
        }
    }
}

mod all_years {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 80, .. ProptestConfig::default() })]

        /// One walk for every year gives each year exactly what a walk of its
        /// own gives, whatever the care and reviews, and with a gap in the
        /// Reviews tables (two histories, two walks).
        #[test]
        fn all_years_at_once_equal_each_year_alone(
            children in proptest::collection::vec(
                (0i64..1100, proptest::option::of(1i64..600), any::<bool>(), proptest::collection::vec(0i64..1200, 0..8), 3000i64..7000),
                1..6,
            ),
            reviews_2024 in any::<bool>(),
        ) {
            let base = d("2022-04-01");
            let day = |n: i64| base + chrono::Duration::days(n);
            let mut b = Build::default();
            for (start, len, known, reviews, age) in &children {
                let c = b.child(Some(&day(start - age).to_string()));
                let end = len.map(|l| day(start + l).to_string());
                b.ep(c, &day(*start).to_string(), if *known { S } else { P }, C2, end.as_deref().map(|e| (e, E13)));
                for r in reviews {
                    b.rev(c, &day(*r).to_string());
                }
            }
            let mut cohort = b.cohort(&[2023, 2024, 2025]);
            if !reviews_2024 {
                let mut tables = cohort.tables().clone();
                tables.get_mut(&CollectionYear(2024)).unwrap().remove(&TableKind::Reviews);
                cohort = Cohort::new(cohort.la(), CohortParts {
                    children: cohort.children().to_vec(),
                    episodes: cohort.episodes().to_vec(),
                    reviews: cohort.reviews().to_vec(),
                    tables,
                    ..Default::default()
                });
            }
            let calendar = WorkingDayCalendar::england_and_wales();
            let params = ReviewTimeliness.spec().resolve_params(&Params::new()).unwrap();
            let ctxs: Vec<MetricContext<'_>> = [2023, 2024, 2025]
                .map(|y| MetricContext {
                    cohort: &cohort,
                    la: None,
                    year: CollectionYear(y),
                    reference: reference(),
                    calendar: &calendar,
                    params: &params,
                })
                .to_vec();
            let together = ReviewTimeliness.compute_years(&ctxs);
            for (ctx, got) in ctxs.iter().zip(together) {
                prop_assert_eq!(got, ReviewTimeliness.compute(ctx));
            }
        }
    }
}
