//! The "done when" cases, end to end: SSDA903 files for three
//! collection years (fixtures/done_when), through ingest, every built-in
//! metric, central suppression and targets. Every expected figure is worked
//! out by hand below; working days are counted on the England and Wales
//! bank-holiday list (data/reference/bank_holidays_england_wales.csv).
//!
//! The eight children (authority 800; collection years 2022-23 to 2024-25, so
//! reviews are known from 1 April 2022):
//!
//! * **A — Easter 2024, care spanning two collection years.** Enters Monday
//!   18/03/2024 (2023-24 return, still open in 2024-25's). Working days: 19–22
//!   March (1–4), 25–28 (5–8); Good Friday 29 March and Easter Monday 1 April
//!   are holidays; 2–5 April (9–12), 8–12 (13–17), 15–17 (18–20): first review
//!   due Wednesday 17/04/2024, held then (on time). Second due 17/07/2024
//!   (+3 months), held then (on time). Third due 17/01/2025 (+6 months), held
//!   20/01/2025: 3 days late.
//! * **B — Christmas 2024.** Enters Monday 16/12/2024: 17–20 December (1–4),
//!   23, 24 (5, 6); 25, 26 holidays; 27 (7), 30, 31 (8, 9); 1 January holiday;
//!   2, 3 (10, 11), 6–10 (12–16), 13–16 (17–20): due Thursday 16/01/2025, held
//!   17/01/2025: 1 day late.
//! * **C — substitute bank holidays, Christmas 2022.** Christmas Day was a
//!   Sunday: Monday 26 and Tuesday 27 December (substitute) and Monday 2
//!   January 2023 (substitute for New Year's Day) are holidays. Enters Monday
//!   19/12/2022: 20–23 December (1–4), 28–30 (5–7), 3–6 January (8–11), 9–13
//!   (12–16), 16–19 (17–20): due Thursday 19/01/2023 (18 January without the
//!   substitute 27 December), held then: on time in 2022-23. Then 18/04/2023
//!   (due 19/04, on time), 18/10/2023 (due 18/10), 16/04/2024 (due 18/04) and
//!   16/10/2024 (due 16/10): all on time.
//! * **D — a one-off bank holiday, then re-entry to care.** Enters Monday
//!   24/04/2023: 25–28 April (1–4); 1 May bank holiday; 2–5 May (5–8); 8 May
//!   2023, the coronation, a one-off holiday; 9–12 (9–12), 15–19 (13–17),
//!   22–24 (18–20): due Wednesday 24/05/2023 (23 May without the coronation),
//!   held then: on time. Leaves 30/06/2023, before the second review is due
//!   (24/08): not due. Re-enters Monday 02/12/2024 and the clock restarts:
//!   3–6 December (1–4), 9–13 (5–9), 16–20 (10–14), 23, 24 (15, 16), 27 (17),
//!   30, 31 (18, 19), 2 January (20): due 02/01/2025, held 06/01/2025 — a
//!   *first* review, 4 days late.
//! * **E — 31 August + 6 months, and 29 February.** The data begin part way
//!   through care (first episode held RNE = P): the first review held,
//!   31/08/2023, cannot be timed (flagged `start-not-known`). Next due
//!   31/08/2023 + 6 months = 29/02/2024 (a leap year), held 29/02/2024: on
//!   time. Next due 29/08/2024, held 30/08/2024: 1 day late. Next due
//!   30/08/2024 + 6 months = 28/02/2025 (clamped), held then: on time.
//! * **F — a child turning 18.** Born 15/10/2006; enters Monday 05/06/2023: 5–30
//!   June is 19 working days, so due Monday 03/07/2023, held 30/06 (on time);
//!   second due 30/09/2023, held 28/09 (on time); third due 28/03/2024, held
//!   27/03 (on time); fourth due 27/09/2024, held 20/09/2024 (on time). The next
//!   would be due 20/03/2025, after the 18th birthday (15/10/2024): not due,
//!   never overdue, flagged `due-after-18` in Q4, though the data keep the
//!   episode open.
//! * **G — overdue.** Enters Monday 03/02/2025: first review due 03/03/2025,
//!   none held by 31 March: overdue at the year end (and at the end of Q4).
//! * **H — care spanning two collection years that ends.** Enters Monday
//!   05/02/2024 (open in the 2023-24 return, closed 30/09/2024 in 2024-25's):
//!   first due 04/03/2024, held 01/03 (on time); second due 01/06/2024, held
//!   03/06/2024: 2 days late. Leaves 30/09/2024, before the third is due
//!   (03/12/2024): not due.

use std::path::{Path, PathBuf};

use iro_engine::{Config, Met, RunResult, Trend, builtin_metrics, input_source, run};
use iro_metric_api::{MetricRow, Period};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/done_when")
}

fn run_fixture(threshold: Option<u64>) -> RunResult {
    let mut config = Config::load(&fixture().join("iro.toml")).unwrap();
    if let Some(t) = threshold {
        config.suppression.threshold = t;
    }
    let source = input_source(&config, None).unwrap();
    let result = run(&config, &source, &builtin_metrics(), &|_| {}).unwrap();
    assert_eq!(result.failures().count(), 0, "{:?}", result.statuses);
    result
}

fn find<'a>(rows: &'a [MetricRow], year: i32, metric: &str, p: Period, b: &str) -> &'a MetricRow {
    rows.iter()
        .find(|r| {
            r.year == year && r.metric == metric && r.period == p && r.breakdown.to_string() == b
        })
        .unwrap_or_else(|| panic!("no row {year} {metric} {p:?} {b}"))
}

/// (numerator, denominator) of a row.
fn nd(
    rows: &[MetricRow],
    year: i32,
    metric: &str,
    p: Period,
    b: &str,
) -> (Option<u64>, Option<u64>) {
    let r = find(rows, year, metric, p, b);
    (r.numerator, r.denominator)
}

fn n(rows: &[MetricRow], year: i32, metric: &str, p: Period, b: &str) -> u64 {
    nd(rows, year, metric, p, b).0.unwrap()
}

const HELD: &str = "review-timeliness.held";
const ON_TIME: &str = "review-timeliness.on-time";
const LATE: &str = "review-timeliness.late";

#[test]
fn review_timeliness_by_hand() {
    let result = run_fixture(Some(0));
    let rows = &result.rows;
    let y = Period::Year;

    // 2022-23: C's first review, on time across the substitute days.
    assert_eq!(nd(rows, 2023, ON_TIME, y, ""), (Some(1), Some(1)));

    // 2023-24: C 18/04 ✓ 18/10 ✓; D 24/05 ✓ (coronation); E 31/08 not
    // assessable, 29/02 ✓; F 30/06 ✓ 28/09 ✓ 27/03 ✓; H 01/03 ✓ = 9 held,
    // 8 of 8 on time; first reviews D, F, H all on time.
    assert_eq!(n(rows, 2024, HELD, y, ""), 9);
    assert_eq!(nd(rows, 2024, ON_TIME, y, ""), (Some(8), Some(8)));
    assert_eq!(
        nd(rows, 2024, ON_TIME, y, "review=first"),
        (Some(3), Some(3))
    );
    assert_eq!(
        n(
            rows,
            2024,
            "review-timeliness.flags",
            y,
            "flag=start-not-known"
        ),
        1
    );

    // 2024-25, ordinary care:
    //   first:      A 17/04 ✓, B 17/01 ✗1, D 06/01 ✗4 (after re-entry)
    //   second:     A 17/07 ✓, H 03/06 ✗2
    //   subsequent: A 20/01 ✗3, C 16/04 ✓, C 16/10 ✓, E 30/08 ✗1,
    //               E 28/02 ✓, F 20/09 ✓
    assert_eq!(n(rows, 2025, HELD, y, ""), 11);
    assert_eq!(nd(rows, 2025, ON_TIME, y, ""), (Some(6), Some(11)));
    assert_eq!(
        nd(rows, 2025, ON_TIME, y, "review=first"),
        (Some(1), Some(3))
    );
    assert_eq!(
        nd(rows, 2025, ON_TIME, y, "review=second"),
        (Some(1), Some(2))
    );
    assert_eq!(
        nd(rows, 2025, ON_TIME, y, "review=subsequent"),
        (Some(4), Some(6))
    );
    assert_eq!(n(rows, 2025, LATE, y, ""), 5);
    assert_eq!(n(rows, 2025, LATE, y, "days_late=1-7"), 5);
    // Mean days late (3 + 1 + 4 + 1 + 2) / 5 = 2.2; median of 1, 1, 2, 3, 4 = 2.
    assert_eq!(
        find(rows, 2025, "review-timeliness.days-late-mean", y, "").value,
        Some(2.2)
    );
    assert_eq!(
        find(rows, 2025, "review-timeliness.days-late-median", y, "").value,
        Some(2.0)
    );
    // Children with an assessed review: A ✗, B ✗, C ✓, D ✗, E ✗, F ✓, H ✗.
    assert_eq!(
        nd(rows, 2025, "review-timeliness.children-on-time", y, ""),
        (Some(2), Some(7))
    );
    // Overdue: only G. Not D before re-entry (left before due), not F (due
    // after 18), not H (left before due).
    assert_eq!(n(rows, 2025, "review-timeliness.overdue", y, ""), 1);
    assert_eq!(
        n(rows, 2025, "review-timeliness.overdue", y, "review=first"),
        1
    );
    assert_eq!(
        n(
            rows,
            2025,
            "review-timeliness.flags",
            Period::Q4,
            "flag=due-after-18"
        ),
        1
    );
    // By quarter: Q1 A 17/04, C 16/04, H 03/06; Q2 A 17/07, E 30/08, F 20/09;
    // Q3 C 16/10; Q4 A 20/01, B 17/01, D 06/01, E 28/02.
    for (p, held, on_time, late) in [
        (Period::Q1, 3, 2, 1),
        (Period::Q2, 3, 2, 1),
        (Period::Q3, 1, 1, 0),
        (Period::Q4, 4, 1, 3),
    ] {
        assert_eq!(n(rows, 2025, HELD, p, ""), held, "{p:?}");
        assert_eq!(
            nd(rows, 2025, ON_TIME, p, ""),
            (Some(on_time), Some(held)),
            "{p:?}"
        );
        assert_eq!(n(rows, 2025, LATE, p, ""), late, "{p:?}");
    }
    // The participation metric counts the same reviews.
    for p in [Period::Year, Period::Q1, Period::Q2, Period::Q3, Period::Q4] {
        assert_eq!(
            n(rows, 2025, "participation.reviews", p, ""),
            n(rows, 2025, HELD, p, "")
        );
    }
}

#[test]
fn table_one_by_hand() {
    let result = run_fixture(Some(0));
    let rows = &result.rows;
    // 31 March 2025: A, B, C, D (back in care), E, F, G = 7; H left.
    // 31 March 2024: A, C, E, F, H = 5 (D left 30/06/2023; B, G not yet in).
    let cs = |m: &str| format!("cohort-summary.{m}");
    assert_eq!(n(rows, 2025, &cs("cla-31-march"), Period::Snapshot, ""), 7);
    assert_eq!(n(rows, 2024, &cs("cla-31-march"), Period::Snapshot, ""), 5);
    assert_eq!(
        find(rows, 2025, &cs("cla-change"), Period::Snapshot, "").value,
        Some(40.0)
    );
    // Starts in 2024-25: B, D (re-entry is a start), G. Ceases: H.
    assert_eq!(n(rows, 2025, &cs("starts"), Period::Year, ""), 3);
    assert_eq!(n(rows, 2025, &cs("ceases"), Period::Year, ""), 1);
    assert_eq!(n(rows, 2025, &cs("during-year"), Period::Year, ""), 8);
}

/// Every relation the figures obey, written out here independently of the
/// engine, as lists of (row, denominator?) cells: on time + late = assessed,
/// late = the denominator of its mean and median, quarters add up to the
/// year, breakdowns add up to their total, participation's reviews are the
/// reviews held.
fn equations(rows: &[MetricRow]) -> Vec<Vec<(usize, bool)>> {
    let at = |year: i32, m: &str, p: Period, b: &str| {
        rows.iter().position(|r| {
            r.year == year && r.metric == m && r.period == p && r.breakdown.to_string() == b
        })
    };
    let periods = [Period::Q1, Period::Q2, Period::Q3, Period::Q4, Period::Year];
    let mut eqs = Vec::new();
    for year in [2023, 2024, 2025] {
        for p in periods {
            for b in ["", "care_type=short breaks"] {
                if let (Some(o), Some(l)) = (at(year, ON_TIME, p, b), at(year, LATE, p, b)) {
                    eqs.push(vec![(o, false), (l, false), (o, true)]);
                }
            }
            let late = at(year, LATE, p, "").unwrap();
            for m in ["days-late-mean", "days-late-median"] {
                let r = at(year, &format!("review-timeliness.{m}"), p, "").unwrap();
                eqs.push(vec![(late, false), (r, true)]);
            }
            let held = at(year, HELD, p, "").unwrap();
            if let Some(r) = at(year, "participation.reviews", p, "") {
                eqs.push(vec![(held, false), (r, false)]);
            }
            let by_review: Vec<usize> = ["first", "second", "subsequent"]
                .iter()
                .map(|s| at(year, ON_TIME, p, &format!("review={s}")).unwrap())
                .collect();
            let total = at(year, ON_TIME, p, "").unwrap();
            for den in [false, true] {
                let mut e: Vec<(usize, bool)> = by_review.iter().map(|&i| (i, den)).collect();
                e.push((total, den));
                eqs.push(e);
            }
        }
        for (m, den) in [
            (HELD, false),
            (LATE, false),
            (ON_TIME, false),
            (ON_TIME, true),
            ("participation.reviews", false),
        ] {
            let cells: Option<Vec<(usize, bool)>> = periods
                .iter()
                .map(|&p| at(year, m, p, "").map(|i| (i, den)))
                .collect();
            if let Some(c) = cells {
                eqs.push(c);
            }
        }
    }
    eqs
}

#[test]
fn suppression_primary_secondary_and_across_measures() {
    let result = run_fixture(None); // threshold 2, from the fixture's iro.toml
    let rows = &result.rows;
    let r = |m: &str, p: Period| find(rows, 2025, m, p, "");
    let reason = |m: &str, p: Period| r(m, p).status.suppression().map(|s| s.label());
    // Q1: late 1 and on time 2 of 3 are small (primary); 3 assessed shows.
    assert_eq!(reason(LATE, Period::Q1), Some("primary"));
    assert_eq!(reason(ON_TIME, Period::Q1), Some("primary"));
    // Q4: on time 1 of 4 is hidden (primary); late 3 is not small, but 4 − 3
    // would give the 1 back: hidden too, across measures (secondary).
    assert_eq!(reason(ON_TIME, Period::Q4), Some("primary"));
    assert_eq!(reason(LATE, Period::Q4), Some("secondary"));
    assert!(
        r(LATE, Period::Q4).note.contains(
            "secondary suppression: review-timeliness.on-time + review-timeliness.late = review-timeliness.on-time denominator"
        ),
        "{}",
        r(LATE, Period::Q4).note
    );
    // ...and the late count is the denominator of the mean days late.
    let mean = r("review-timeliness.days-late-mean", Period::Q4);
    assert_eq!((mean.denominator, mean.value), (None, None));
    assert_eq!(
        mean.status.suppression().map(|s| s.label()),
        Some("secondary")
    );
    // Q3: one review held (primary). Quarters add up to the year's 11, so the
    // smallest other quarter goes too (Q1 and Q2 hold 3 each; Q1 first), and
    // with it participation's count of the same reviews.
    assert_eq!(reason(HELD, Period::Q3), Some("primary"));
    assert_eq!(reason(HELD, Period::Q1), Some("secondary"));
    assert!(
        r("participation.reviews", Period::Q1)
            .status
            .is_suppressed()
    );
    assert_eq!(r(HELD, Period::Year).numerator, Some(11), "the year stays");
    // Ceases 1: primary, with its rate.
    assert_eq!(
        find(rows, 2025, "cohort-summary.ceases", Period::Year, "")
            .status
            .suppression()
            .map(|s| s.label()),
        Some("primary")
    );
    assert_eq!(
        find(rows, 2025, "cohort-summary.ceases-rate", Period::Year, "").value,
        None
    );

    // No hidden count can be recovered from any relation: none is left with
    // exactly one hidden cell.
    for e in equations(rows) {
        let hidden = e
            .iter()
            .filter(|&&(i, den)| {
                let row = &rows[i];
                row.status.is_suppressed()
                    && if den {
                        row.denominator.is_none()
                    } else {
                        row.numerator.is_none()
                    }
            })
            .count();
        assert_ne!(
            hidden,
            1,
            "{:?}",
            e.iter().map(|&(i, d)| (&rows[i], d)).collect::<Vec<_>>()
        );
    }
    // Nothing small survives.
    for row in rows {
        for v in [
            row.numerator,
            (row.unit != iro_metric_api::Unit::Per10000)
                .then_some(row.denominator)
                .flatten(),
        ]
        .into_iter()
        .flatten()
        {
            assert!(v == 0 || v > 2, "{row:?}");
        }
    }
}

#[test]
fn targets_met_suppressed_and_trend() {
    let result = run_fixture(None);
    let on_time: Vec<_> = result
        .targets
        .iter()
        .filter(|t| t.metric == ON_TIME)
        .map(|t| {
            (
                t.year,
                t.met,
                t.value,
                t.previous_value,
                t.previous_suppressed,
                t.trend,
            )
        })
        .collect();
    // 2022-23: 1 of 1, hidden. 2023-24: 8 of 8 = 100%, met; the previous year
    // hidden, so no trend. 2024-25: 6 of 11 = 54.5%, not met, worse.
    assert_eq!(
        on_time,
        vec![
            (2023, Met::Suppressed, None, None, false, Trend::None),
            (2024, Met::Yes, Some(100.0), None, true, Trend::None),
            (
                2025,
                Met::No,
                Some(600.0 / 11.0),
                Some(100.0),
                false,
                Trend::Worse
            ),
        ]
    );
    // Overdue at each quarter end of 2024-25, at most 0: Q1–Q3 none (Q1 against
    // Q4 of 2023-24, also none: same); Q4 G alone, 1: hidden, never guessed.
    let overdue: Vec<_> = result
        .targets
        .iter()
        .filter(|t| t.metric == "review-timeliness.overdue-at-end" && t.year == 2025)
        .map(|t| (t.period, t.met, t.trend))
        .collect();
    assert_eq!(
        overdue,
        vec![
            (Period::Q1, Met::Yes, Trend::Same),
            (Period::Q2, Met::Yes, Trend::Same),
            (Period::Q3, Met::Yes, Trend::Same),
            (Period::Q4, Met::Suppressed, Trend::None),
        ]
    );
}
