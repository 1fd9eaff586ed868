//! The IRO service's own records for the synthetic authorities (`docs/DATA.md`, "IRO
//! service records"): review meetings, IRO allocations, midway reviews and DRP
//! escalations, made from the same simulated histories as the SSDA903 returns, so that
//! every held review is the SSDA903 review of that child and day and every allocation
//! and escalation falls in the child's care.
//!
//! Each child has its own random stream (seeded from the authority's seed and the CHILD
//! id) that the SSDA903 simulation never touches, so adding these records leaves the
//! SSDA903 files byte for byte as they were. Every file is cut as an export made on the
//! last day of the sample (31 March of the last collection year): dates after it are
//! blank.
//!
//! Rates follow the seed report (Bath and North East Somerset, 2024-25) and are varied a
//! little per authority: a social worker's report by the day of ~80% of reviews and at
//! least 3 working days before ~40–55%; decisions within 5 working days ~60%; the full
//! record within 20 working days ~35–55%; an IRO allocated within 5 working days of
//! entering care ~80%; ~0.25 DRP escalations a year per child in care, most entering at
//! stage 1, some skipping a stage; midway reviews from April 2022.

use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::calendar::{
    add_months, add_working_days, is_working_day, working_day_on_or_after,
    working_day_on_or_before, year_end, year_start,
};
use crate::model::{Child, Period};

/// One review meeting (`iro_reviews.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IroReviewRow {
    pub child: String,
    pub review: NaiveDate,
    pub review_due: Option<NaiveDate>,
    pub review_type: &'static str,
    pub status: &'static str,
    pub iro_id: String,
    pub sw_report_received: Option<NaiveDate>,
    pub decisions_sent: Option<NaiveDate>,
    pub record_sent: Option<NaiveDate>,
    pub iro_met_child: Option<bool>,
    pub mode: Option<&'static str>,
}

/// One IRO allocation (`iro_allocations.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationRow {
    pub child: String,
    pub iro_id: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub change_reason: Option<&'static str>,
}

/// One midway review (`midway_reviews.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MidwayRow {
    pub child: String,
    pub iro_id: String,
    pub due: NaiveDate,
    pub completed: Option<NaiveDate>,
}

/// One stage of a DRP escalation (`drp_log.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrpRow {
    pub drp_id: String,
    pub child: String,
    pub iro_id: String,
    pub raised: NaiveDate,
    pub issues: String,
    pub stage: u8,
    pub stage_start: NaiveDate,
    pub response_date: Option<NaiveDate>,
    pub outcome: Option<&'static str>,
    pub cafcass_referral: bool,
    /// Last day the stage was open (its response, the next stage's start, or the export
    /// date): which years' files hold it.
    active_to: NaiveDate,
}

/// One collection year's IRO-service files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceYear {
    pub year: i32,
    pub reviews: Vec<IroReviewRow>,
    pub allocations: Vec<AllocationRow>,
    /// `None` before the service began midway reviews (no file that year).
    pub midway: Option<Vec<MidwayRow>>,
    pub drp: Vec<DrpRow>,
}

/// Midway reviews are recorded from this date (no file for earlier years).
pub const MIDWAY_FROM: (i32, u32, u32) = (2022, 4, 1);

/// DRP escalations raised a year per child in care.
const DRP_RATE: f64 = 0.25;

/// Issue categories of DRP escalations and their weights (the social worker's report is
/// the most common, as in the seed report).
const ISSUES: &[(&str, f64)] = &[
    ("social work report", 30.0),
    ("care plan", 18.0),
    ("placement", 10.0),
    ("visits", 12.0),
    ("assessments", 8.0),
    ("health", 6.0),
    ("education", 6.0),
    ("contact", 5.0),
    ("pathway plan", 5.0),
];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a CHILD id: each child's stream depends only on its id.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn sub_working_days(date: NaiveDate, n: u32) -> NaiveDate {
    let mut cur = date;
    let mut left = n;
    while left > 0 {
        cur = cur.pred_opt().expect("date in range");
        if is_working_day(cur) {
            left -= 1;
        }
    }
    cur
}

fn pick<'a, R: Rng>(rng: &mut R, mix: &[(&'a str, f64)]) -> &'a str {
    let total: f64 = mix.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (v, w) in mix {
        if x < *w {
            return v;
        }
        x -= w;
    }
    mix.last().map_or("", |(v, _)| v)
}

/// The authority's IROs: each post is held by one IRO after another.
struct Posts {
    /// Per post: (IRO id, first day, last day).
    holders: Vec<Vec<(String, NaiveDate, NaiveDate)>>,
}

impl Posts {
    fn new<R: Rng>(rng: &mut R, n: usize, code: u16) -> Posts {
        let mut used = std::collections::HashSet::new();
        let mut id = |rng: &mut R| loop {
            let s = format!("IRO{code:03}-{:04}", rng.random_range(0..10_000));
            if used.insert(s.clone()) {
                return s;
            }
        };
        let far = d(2100, 1, 1);
        let holders = (0..n)
            .map(|_| {
                let mut v = Vec::new();
                let mut from = d(2000, 1, 1) - Duration::days(rng.random_range(0..2000));
                while from < far {
                    let years = 1.5 + -3.5 * (1.0 - rng.random::<f64>()).ln();
                    let to = (from + Duration::days((years * 365.0) as i64)).min(far);
                    v.push((id(rng), from, to));
                    from = to + Duration::days(1);
                }
                v
            })
            .collect();
        Posts { holders }
    }

    /// The holder of `post` on `date` and the last day they hold it.
    fn holder(&self, post: usize, date: NaiveDate) -> (&str, NaiveDate) {
        self.holders[post]
            .iter()
            .find(|(_, from, to)| *from <= date && date <= *to)
            .or_else(|| self.holders[post].last())
            .map_or(("", date), |(id, _, to)| (id.as_str(), *to))
    }
}

/// Authority-level rates, varied a little around the seed report's.
struct Rates {
    /// Of reports received by the review day, the share at least 3 working days before,
    /// by collection year offset from 2021.
    report_on_time: f64,
    record_on_time: f64,
    decisions_on_time: f64,
    allocation_on_time: f64,
}

/// Generates one authority's IRO-service records, year by year.
pub(crate) fn generate(
    code: u16,
    seed: u64,
    target_cla: u32,
    children: &[Child],
    first_year: i32,
    last_year: i32,
) -> Vec<ServiceYear> {
    let la_seed = mix(seed, 0x15E4_71CE ^ u64::from(code));
    let mut rng = ChaCha8Rng::seed_from_u64(la_seed);
    let n_posts = ((f64::from(target_cla) / 55.0).round() as usize).max(2);
    let posts = Posts::new(&mut rng, n_posts, code);
    let rates = Rates {
        report_on_time: rng.random_range(0.45..0.65),
        record_on_time: rng.random_range(0.35..0.55),
        decisions_on_time: rng.random_range(0.5..0.75),
        allocation_on_time: rng.random_range(0.72..0.9),
    };
    let horizon = year_end(last_year);
    let from = year_start(first_year);
    let mut all = All::default();
    let mut drp_counter = 0u32;
    for child in children {
        let mut crng = ChaCha8Rng::seed_from_u64(mix(la_seed, fnv(&child.id)));
        let mut last_post: Option<(usize, NaiveDate)> = None;
        for p in child.periods.iter().filter(|p| !p.short_break) {
            if p.start > horizon || p.end.is_some_and(|e| e < from - Duration::days(400)) {
                continue;
            }
            let allocs = allocations(
                &mut crng,
                child,
                p,
                &posts,
                &rates,
                (from, horizon),
                &mut last_post,
            );
            let chair = |date: NaiveDate| -> String {
                allocs
                    .iter()
                    .filter(|a| a.start <= date && a.end.is_none_or(|e| e >= date))
                    .max_by_key(|a| a.start)
                    .map(|a| a.iro_id.clone())
                    .unwrap_or_else(|| {
                        posts
                            .holder(fnv(&child.id) as usize % n_posts, date)
                            .0
                            .into()
                    })
            };
            reviews(&mut crng, child, p, &rates, from, horizon, &chair, &mut all);
            drps(
                &mut crng,
                child,
                p,
                from,
                horizon,
                &chair,
                code,
                &mut drp_counter,
                &mut all,
            );
            all.allocations.extend(allocs);
        }
    }
    all.cut(first_year, last_year)
}

#[derive(Default)]
struct All {
    reviews: Vec<IroReviewRow>,
    allocations: Vec<AllocationRow>,
    midway: Vec<MidwayRow>,
    drp: Vec<DrpRow>,
}

impl All {
    fn cut(self, first_year: i32, last_year: i32) -> Vec<ServiceYear> {
        let midway_from = d(MIDWAY_FROM.0, MIDWAY_FROM.1, MIDWAY_FROM.2);
        (first_year..=last_year)
            .map(|year| {
                let (s, e) = (year_start(year), year_end(year));
                let inside = |x: NaiveDate| s <= x && x <= e;
                let mut reviews: Vec<IroReviewRow> = self
                    .reviews
                    .iter()
                    .filter(|r| inside(r.review))
                    .cloned()
                    .collect();
                reviews.sort_by(|a, b| (&a.child, a.review).cmp(&(&b.child, b.review)));
                let mut allocations: Vec<AllocationRow> = self
                    .allocations
                    .iter()
                    .filter(|a| a.start <= e && a.end.is_none_or(|x| x >= s))
                    .cloned()
                    .collect();
                allocations.sort_by(|a, b| (&a.child, a.start).cmp(&(&b.child, b.start)));
                let midway = (e >= midway_from).then(|| {
                    let mut v: Vec<MidwayRow> = self
                        .midway
                        .iter()
                        .filter(|m| inside(m.due) || m.completed.is_some_and(inside))
                        .cloned()
                        .collect();
                    v.sort_by(|a, b| (&a.child, a.due).cmp(&(&b.child, b.due)));
                    v
                });
                let mut drp: Vec<DrpRow> = self
                    .drp
                    .iter()
                    .filter(|r| r.stage_start <= e && r.active_to >= s)
                    .cloned()
                    .collect();
                drp.sort_by(|a, b| {
                    (&a.drp_id, a.stage_start, a.stage).cmp(&(&b.drp_id, b.stage_start, b.stage))
                });
                ServiceYear {
                    year,
                    reviews,
                    allocations,
                    midway,
                    drp,
                }
            })
            .collect()
    }
}

/// The child's IRO allocations in one period of care: allocated a few working days
/// after entering care, reallocated when the IRO leaves the service or caseloads are
/// balanced, ended when care ends (a few are left open by mistake).
fn allocations<R: Rng>(
    rng: &mut R,
    child: &Child,
    p: &Period,
    posts: &Posts,
    rates: &Rates,
    (from, horizon): (NaiveDate, NaiveDate),
    last_post: &mut Option<(usize, NaiveDate)>,
) -> Vec<AllocationRow> {
    let n_posts = posts.holders.len();
    let mut out = Vec::new();
    let care_end = p.end;
    let delay = if rng.random_bool(rates.allocation_on_time) {
        if rng.random_bool(0.55) {
            0
        } else {
            rng.random_range(1..=5)
        }
    } else {
        rng.random_range(6..=20)
    };
    let mut start = add_working_days(p.start, delay);
    // A child coming back within a year usually has their previous IRO's post.
    let mut post = match *last_post {
        Some((post, ended)) if (p.start - ended).num_days() < 365 && rng.random_bool(0.6) => post,
        _ => rng.random_range(0..n_posts),
    };
    let mut reason = None;
    loop {
        if start > horizon || care_end.is_some_and(|e| start > e) {
            break;
        }
        let (iro, holder_to) = posts.holder(post, start);
        // Caseloads are rebalanced now and then (about every six years per child).
        let rebalance =
            start + Duration::days((-(6.0 * 365.0) * (1.0 - rng.random::<f64>()).ln()) as i64 + 1);
        let next_change = holder_to.min(rebalance);
        let ends_with_care = care_end.is_some_and(|e| e <= next_change);
        if ends_with_care {
            // A few allocations are not ended when the child leaves care (only for
            // children the returns hold, so that every record names a known child).
            let keep_open = care_end.is_some_and(|e| e >= from) && rng.random_bool(0.02);
            let end = care_end.filter(|_| !keep_open);
            out.push(AllocationRow {
                child: child.id.clone(),
                iro_id: iro.to_string(),
                start,
                end,
                change_reason: reason,
            });
            break;
        }
        if next_change >= horizon {
            out.push(AllocationRow {
                child: child.id.clone(),
                iro_id: iro.to_string(),
                start,
                end: None,
                change_reason: reason,
            });
            break;
        }
        out.push(AllocationRow {
            child: child.id.clone(),
            iro_id: iro.to_string(),
            start,
            end: Some(next_change),
            change_reason: reason,
        });
        let left = next_change == holder_to;
        reason = Some(if left {
            "IRO left the service"
        } else {
            "caseload balancing"
        });
        // Usually reallocated the next day; after a departure sometimes a few working
        // days later.
        start = if left && rng.random_bool(0.3) {
            add_working_days(next_change, rng.random_range(1..=10))
        } else {
            next_change + Duration::days(1)
        };
        if !left || rng.random_bool(0.5) {
            // Another post (n_posts ≥ 2).
            let other = rng.random_range(0..n_posts - 1);
            post = if other >= post { other + 1 } else { other };
        }
    }
    if let Some(last) = out.last() {
        *last_post = Some((post, last.end.unwrap_or(horizon)));
    }
    out
}

/// Review meetings for the period's SSDA903 reviews, with a few cancelled and adjourned
/// meetings, and midway reviews between them.
#[allow(clippy::too_many_arguments)]
fn reviews<R: Rng>(
    rng: &mut R,
    child: &Child,
    p: &Period,
    rates: &Rates,
    from: NaiveDate,
    horizon: NaiveDate,
    chair: &dyn Fn(NaiveDate) -> String,
    all: &mut All,
) {
    let known = |x: Option<NaiveDate>| x.filter(|x| *x <= horizon);
    let dates: Vec<NaiveDate> = p.reviews.iter().map(|(x, _)| *x).collect();
    let midway_from = d(MIDWAY_FROM.0, MIDWAY_FROM.1, MIDWAY_FROM.2);
    let mut prev: Option<NaiveDate> = None;
    // Meeting dates already written for this child (a meeting's date is its key).
    let mut used: std::collections::BTreeSet<NaiveDate> = dates.iter().copied().collect();
    for (i, &date) in dates.iter().enumerate() {
        let due = match (i, prev) {
            (0, _) | (_, None) => add_working_days(p.start, 20),
            (1, Some(x)) => add_months(x, 3),
            (_, Some(x)) => add_months(x, 6),
        };
        prev = Some(date);
        if date < from || date > horizon {
            continue;
        }
        let year_k = f64::from((date.year() - 2021).clamp(0, 4));
        // Midway review three months after the second and later reviews.
        if i >= 1 {
            let mdue = add_months(date, 3);
            let next = dates.get(i + 1).copied();
            if mdue >= midway_from
                && mdue <= horizon
                && next.is_none_or(|n| n > mdue)
                && p.end.is_none_or(|e| e > mdue)
            {
                let x: f64 = rng.random();
                let completed = if x < 0.6 {
                    Some(
                        working_day_on_or_before(mdue - Duration::days(rng.random_range(0..=10)))
                            .max(date + Duration::days(1)),
                    )
                } else if x < 0.8 {
                    Some(working_day_on_or_after(
                        mdue + Duration::days(rng.random_range(1..=40)),
                    ))
                } else {
                    None
                };
                all.midway.push(MidwayRow {
                    child: child.id.clone(),
                    iro_id: chair(mdue),
                    due: mdue,
                    completed: known(completed),
                });
            }
        }
        // About 1 in 100 held reviews has no service record; 1 in 300 is recorded a
        // day out (so matches no SSDA903 review).
        let x: f64 = rng.random();
        if x < 0.01 {
            continue;
        }
        let recorded = if x < 0.013 && !used.contains(&(date + Duration::days(1))) {
            date + Duration::days(1)
        } else {
            date
        };
        used.insert(recorded);
        let iro = chair(date);
        // Extra meetings that did not go ahead.
        let y: f64 = rng.random();
        if y < 0.05 {
            let m = working_day_on_or_before(date - Duration::days(rng.random_range(3..=20)));
            if m >= p.start && m >= from && used.insert(m) {
                all.reviews.push(IroReviewRow {
                    child: child.id.clone(),
                    review: m,
                    review_due: Some(due),
                    review_type: review_type(i),
                    status: if y < 0.04 { "CANCELLED" } else { "ADJOURNED" },
                    iro_id: iro.clone(),
                    sw_report_received: None,
                    decisions_sent: None,
                    record_sent: None,
                    iro_met_child: None,
                    mode: None,
                });
            }
        }
        // The social worker's report.
        let report_q = (rates.report_on_time + 0.03 * year_k).min(0.95);
        let r: f64 = rng.random();
        let report = if r < 0.08 {
            None
        } else if r < 0.2 {
            Some(add_working_days(date, rng.random_range(1..=5)))
        } else if rng.random_bool(report_q) {
            Some(sub_working_days(date, 3 + rng.random_range(0..=7)))
        } else {
            Some(sub_working_days(date, rng.random_range(0..=2)))
        };
        let dec_q = (rates.decisions_on_time + 0.02 * year_k).min(0.95);
        let decisions = if rng.random_bool(0.02) {
            None
        } else if rng.random_bool(dec_q) {
            Some(add_working_days(date, rng.random_range(0..=5)))
        } else {
            Some(add_working_days(date, rng.random_range(6..=20)))
        };
        let rec_q = (rates.record_on_time + 0.02 * year_k).min(0.95);
        let record = if rng.random_bool(0.03) {
            None
        } else if rng.random_bool(rec_q) {
            Some(add_working_days(date, rng.random_range(5..=20)))
        } else {
            Some(add_working_days(date, rng.random_range(21..=60)))
        };
        let mode = match date.year() {
            ..=2021 => [("VIRTUAL", 70.0), ("IN_PERSON", 20.0), ("HYBRID", 10.0)],
            2022 => [("VIRTUAL", 40.0), ("IN_PERSON", 45.0), ("HYBRID", 15.0)],
            _ => [("VIRTUAL", 20.0), ("IN_PERSON", 65.0), ("HYBRID", 15.0)],
        };
        let met = rng.random::<f64>();
        all.reviews.push(IroReviewRow {
            child: child.id.clone(),
            review: recorded,
            review_due: Some(due),
            review_type: review_type(i),
            status: "HELD",
            iro_id: iro,
            sw_report_received: report,
            decisions_sent: known(decisions),
            record_sent: known(record),
            iro_met_child: if met < 0.72 {
                Some(true)
            } else if met < 0.92 {
                Some(false)
            } else {
                None
            },
            mode: rng.random_bool(0.95).then(|| pick(rng, &mode)),
        });
    }
}

fn review_type(i: usize) -> &'static str {
    match i {
        0 => "INITIAL",
        1 => "SECOND",
        _ => "SUBSEQUENT",
    }
}

/// DRP escalations raised while the child is in care: entering mostly at stage 1,
/// escalated when unresolved or unanswered, sometimes skipping a stage.
#[allow(clippy::too_many_arguments)]
fn drps<R: Rng>(
    rng: &mut R,
    child: &Child,
    p: &Period,
    from: NaiveDate,
    horizon: NaiveDate,
    chair: &dyn Fn(NaiveDate) -> String,
    code: u16,
    counter: &mut u32,
    all: &mut All,
) {
    let window_start = p.start.max(from - Duration::days(120));
    let window_end = p.end.unwrap_or(horizon).min(horizon);
    let mut t = window_start;
    loop {
        let gap = -(365.0 / DRP_RATE) * (1.0 - rng.random::<f64>()).ln();
        t += Duration::days(gap.ceil() as i64);
        if t >= window_end {
            break;
        }
        let raised = working_day_on_or_after(t);
        if raised >= window_end {
            break;
        }
        *counter += 1;
        let drp_id = format!("DRP{code:03}-{:05}", *counter);
        let mut issues = vec![pick(rng, ISSUES)];
        if rng.random_bool(0.25) {
            let other = pick(rng, ISSUES);
            if !issues.contains(&other) {
                issues.push(other);
            }
        }
        let issues = issues.join("; ");
        let iro = chair(raised);
        let x: f64 = rng.random();
        let mut stage: u8 = if x < 0.75 {
            1
        } else if x < 0.95 {
            2
        } else {
            3
        };
        let mut start = raised;
        loop {
            if start > horizon {
                break;
            }
            let r: f64 = rng.random();
            let response = if r < 0.72 {
                Some(add_working_days(start, rng.random_range(1..=5)))
            } else if r < 0.9 {
                Some(add_working_days(start, rng.random_range(6..=15)))
            } else {
                None
            };
            let lapse = response.unwrap_or(add_working_days(start, 10));
            let mut row = DrpRow {
                drp_id: drp_id.clone(),
                child: child.id.clone(),
                iro_id: iro.clone(),
                raised,
                issues: issues.clone(),
                stage,
                stage_start: start,
                response_date: response,
                outcome: None,
                cafcass_referral: false,
                active_to: lapse,
            };
            if let Some(end) = p.end.filter(|e| *e <= lapse) {
                // The child left care first: closed.
                row.response_date = Some(end.max(start));
                row.outcome = Some("CLOSED");
                row.active_to = end.max(start);
                all.drp.push(row);
                break;
            }
            if lapse > horizon {
                // Still open when the records were exported.
                row.response_date = response.filter(|r| *r <= horizon);
                row.active_to = horizon;
                all.drp.push(row);
                break;
            }
            let resolve_p = [0.55, 0.6, 0.7, 0.8, 0.85][usize::from(stage.clamp(1, 5) - 1)];
            let resolved = response.is_some() && rng.random_bool(resolve_p);
            if resolved {
                row.outcome = Some("RESOLVED");
                all.drp.push(row);
                break;
            }
            if stage >= 5 {
                row.outcome = Some("CLOSED");
                row.cafcass_referral = rng.random_bool(0.4);
                all.drp.push(row);
                break;
            }
            // Some escalations are withdrawn instead of taken further.
            if rng.random_bool(0.08) {
                row.outcome = Some("CLOSED");
                all.drp.push(row);
                break;
            }
            let skip = u8::from(stage <= 3 && rng.random_bool(0.1));
            let next = add_working_days(lapse, rng.random_range(0..=3));
            if next > horizon {
                // Answered but not yet taken further when the records were exported.
                row.active_to = horizon;
                all.drp.push(row);
                break;
            }
            row.outcome = Some("ESCALATED");
            // Open until answered or, unanswered, until taken to the next stage.
            row.active_to = response.unwrap_or(next);
            all.drp.push(row);
            stage = (stage + 1 + skip).min(5);
            start = next;
        }
    }
}

/// The header rows of the IRO-service files (the columns of `iro_domain::ServiceTable`).
pub mod headers {
    pub const IRO_REVIEWS: [&str; 11] = [
        "CHILD",
        "REVIEW",
        "REVIEW_DUE",
        "REVIEW_TYPE",
        "STATUS",
        "IRO_ID",
        "SW_REPORT_RECEIVED",
        "DECISIONS_SENT",
        "RECORD_SENT",
        "IRO_MET_CHILD",
        "MODE",
    ];
    pub const IRO_ALLOCATIONS: [&str; 5] =
        ["CHILD", "IRO_ID", "IRO_START", "IRO_END", "CHANGE_REASON"];
    pub const MIDWAY_REVIEWS: [&str; 4] = ["CHILD", "IRO_ID", "MIDWAY_DUE", "MIDWAY_DATE"];
    pub const DRP_LOG: [&str; 11] = [
        "DRP_ID",
        "CHILD",
        "IRO_ID",
        "RAISED",
        "ISSUE_CATEGORY",
        "STAGE",
        "STAGE_START",
        "RESPONSE_DUE",
        "RESPONSE_DATE",
        "OUTCOME",
        "CAFCASS_REFERRAL",
    ];
}
