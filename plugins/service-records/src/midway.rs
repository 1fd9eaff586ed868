//! Midway reviews: completed, completed by their due date, and overdue at each
//! quarter end.

use iro_domain::{ServiceTable, TableKind};
use iro_metric_api::{MetricContext, MetricRow};

use crate::{missing, missing_903, not_computable, start};
use iro_metric_api::periods::{FLOWS, Periods, STOCKS};

/// The first statutory review of the child held after `date`: in the SSDA903
/// Reviews table or, failing that, the IRO service's held reviews.
fn next_review_after(
    ctx: &MetricContext<'_>,
    child: iro_domain::ChildIdx,
    date: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    let in_903 = ctx
        .cohort
        .child(child)
        .reviews
        .iter()
        .map(|r| r.review)
        .find(|&r| r > date);
    let in_records = ctx
        .cohort
        .service()
        .reviews_of(child)
        .iter()
        .filter(|r| r.status == iro_domain::ReviewStatus::Held)
        .map(|r| r.review)
        .find(|&r| r > date);
    match (in_903, in_records) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub(crate) fn rows(ctx: &MetricContext<'_>, periods: &Periods) -> Vec<MetricRow> {
    let service = ctx.cohort.service();
    let table = ServiceTable::MidwayReviews;
    let mut rows = Vec::new();
    if let Some(why) = missing(ctx, table, None) {
        for &period in &FLOWS {
            rows.push(not_computable(ctx, "midway-completed", period, &why));
            rows.push(not_computable(ctx, "midway-on-time", period, &why));
        }
        for &period in &STOCKS {
            rows.push(not_computable(ctx, "midway-overdue-at-end", period, &why));
        }
        return rows;
    }
    // Due dates are needed for timeliness, and the episodes to know whether
    // the child was still in care when the review fell due.
    let timed_missing =
        missing(ctx, table, Some("MIDWAY_DUE")).or_else(|| missing_903(ctx, TableKind::Episodes));
    let mut completed = [0u64; 5];
    let mut due = [(0u64, 0u64); 5];
    let mut overdue = [0u64; 5];
    for m in &service.midway {
        if let Some(ps) = m.completed.and_then(|c| periods.flows_of(c)) {
            for p in ps {
                completed[p] += 1;
            }
        }
        let Some(due_on) = m.due else {
            continue;
        };
        // Due after this year: in none of its figures.
        let (year_start, year_end) = periods.bounds(0);
        if due_on > year_end {
            continue;
        }
        let child = ctx.cohort.child(m.child);
        if child.episode_open_on(due_on).is_none() {
            // Care had ended: no midway review was owed.
            continue;
        }
        if let Some(ps) = periods.flows_of(due_on) {
            let on_time = m.completed.is_some_and(|c| c <= due_on);
            for p in ps {
                due[p].1 += 1;
                due[p].0 += u64::from(on_time);
            }
        }
        // Completed before the year began: overdue at none of its dates.
        if m.completed.is_some_and(|c| c < year_start) {
            continue;
        }
        // Owed until done or overtaken by the child's next statutory review.
        let next_review = next_review_after(ctx, m.child, due_on);
        for (s, n) in overdue.iter_mut().enumerate() {
            let date = periods.stock_date(s);
            if due_on <= date
                && m.completed.is_none_or(|c| c > date)
                && next_review.is_none_or(|r| r > date)
                && child.episode_open_on(date).is_some()
            {
                *n += 1;
            }
        }
    }
    for (p, &period) in FLOWS.iter().enumerate() {
        rows.push(start(ctx, "midway-completed", period).count(completed[p]));
        rows.push(match &timed_missing {
            Some(why) => not_computable(ctx, "midway-on-time", period, why),
            None => start(ctx, "midway-on-time", period)
                .percent(due[p].0, due[p].1)
                .note("completed on or before MIDWAY_DUE; denominator = midway reviews due in the period while the child was in care"),
        });
    }
    for (s, &period) in STOCKS.iter().enumerate() {
        rows.push(match &timed_missing {
            Some(why) => not_computable(ctx, "midway-overdue-at-end", period, why),
            None => start(ctx, "midway-overdue-at-end", period).count(overdue[s]),
        });
    }
    rows
}
