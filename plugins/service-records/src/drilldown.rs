//! The child-level (and IRO-level) lists behind the figures. Personal data:
//! the engine writes them only on request, under `personal/`.

use chrono::NaiveDate;
use iro_domain::ReviewStatus;
use iro_metric_api::{DrillDown, MetricContext};

use crate::Timescales;
use crate::allocation::{AllocationStatus, allocation_on_entry, iro_on};
use crate::reviews::{ReportTiming, sent_within};
use crate::{ServiceTable, data_end};
use iro_metric_api::periods::{Periods, STOCKS};

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

fn on_time(ok: bool, sent: Option<NaiveDate>) -> &'static str {
    match (ok, sent) {
        (_, None) => "not sent",
        (true, _) => "on time",
        (false, _) => "late",
    }
}

pub const REVIEW_COLUMNS: &[&str] = &[
    "CHILD",
    "REVIEW",
    "STATUS",
    "IRO_ID",
    "SW_REPORT_RECEIVED",
    "sw_report",
    "DECISIONS_SENT",
    "decisions",
    "RECORD_SENT",
    "record_working_days",
    "record",
    "in_ssda903",
];

/// Every review meeting of the year with its timings.
pub(crate) fn reviews(ctx: &MetricContext<'_>, periods: &Periods, t: &Timescales) -> DrillDown {
    let cal = ctx.calendar;
    let service = ctx.cohort.service();
    let mut rows = Vec::new();
    for r in &service.reviews {
        if periods.flows_of(r.review).is_none() {
            continue;
        }
        let child = ctx.cohort.child(r.child);
        let iro = r
            .iro
            .map(|i| service.iro_id(i).to_string())
            .unwrap_or_default();
        let mut row = vec![
            child.child.child_id.to_string(),
            date(Some(r.review)),
            r.status.code().into(),
            iro,
        ];
        if r.status == ReviewStatus::Held {
            let timing = ReportTiming::of(
                r.review,
                r.sw_report_received,
                t.sw_report_working_days,
                cal,
            );
            let (dec_ok, _) =
                sent_within(r.review, r.decisions_sent, t.decisions_working_days, cal);
            let (rec_ok, days) = sent_within(r.review, r.record_sent, t.record_working_days, cal);
            let in_903 = child.reviews.iter().any(|x| x.review == r.review);
            row.extend([
                date(r.sw_report_received),
                timing.label().into(),
                date(r.decisions_sent),
                on_time(dec_ok, r.decisions_sent).into(),
                date(r.record_sent),
                days.map(|d| d.to_string()).unwrap_or_default(),
                on_time(rec_ok, r.record_sent).into(),
                if in_903 { "yes" } else { "no" }.into(),
            ]);
        } else {
            row.extend(std::iter::repeat_n(String::new(), 8));
        }
        rows.push(row);
    }
    DrillDown {
        name: "reviews",
        title: "Review meetings of the year with report, decisions and record timings, child by child",
        columns: REVIEW_COLUMNS,
        rows,
    }
}

pub const ALLOCATION_COLUMNS: &[&str] = &[
    "CHILD",
    "care_start",
    "deadline",
    "IRO_ID",
    "IRO_START",
    "working_days",
    "status",
];

/// Every period of care starting in the year with its IRO allocation.
pub(crate) fn allocations(ctx: &MetricContext<'_>, periods: &Periods, t: &Timescales) -> DrillDown {
    let cal = ctx.calendar;
    let service = ctx.cohort.service();
    let end = data_end(ctx, ServiceTable::IroAllocations).unwrap_or(ctx.year.end());
    let mut rows = Vec::new();
    for child in ctx.cohort.iter_children() {
        let allocs = service.allocations_of(child.idx);
        for p in child.periods {
            if p.short_break || !p.start_known || periods.flows_of(p.start).is_none() {
                continue;
            }
            let (deadline, status) =
                allocation_on_entry(p, allocs, t.allocation_working_days, end, cal);
            let first = allocs
                .iter()
                .filter(|a| a.end.is_none_or(|e| e >= p.start))
                .min_by_key(|a| a.start);
            let (label, days) = match status {
                AllocationStatus::OnTime { working_days } => ("on time", Some(working_days)),
                AllocationStatus::Late { working_days } => ("late", working_days),
                AllocationStatus::NotDue => ("not due: care ended first", None),
                AllocationStatus::NotYetDue => ("not yet due", None),
            };
            rows.push(vec![
                child.child.child_id.to_string(),
                date(Some(p.start)),
                date(Some(deadline)),
                first
                    .map(|a| service.iro_id(a.iro).to_string())
                    .unwrap_or_default(),
                date(first.map(|a| a.start)),
                days.map(|d| d.to_string()).unwrap_or_default(),
                label.into(),
            ]);
        }
    }
    DrillDown {
        name: "allocations",
        title: "Periods of care starting in the year and when an IRO was allocated, child by child",
        columns: ALLOCATION_COLUMNS,
        rows,
    }
}

pub const CASELOAD_COLUMNS: &[&str] = &["period", "date", "IRO_ID", "children"];

/// Each IRO's caseload (children in care allocated) at each quarter end.
pub(crate) fn caseloads(ctx: &MetricContext<'_>, periods: &Periods) -> DrillDown {
    let service = ctx.cohort.service();
    let mut rows = Vec::new();
    for (s, period) in STOCKS.iter().enumerate().take(4) {
        let on = periods.stock_date(s);
        let mut load = vec![0u64; service.iros.len()];
        for child in ctx.cohort.iter_children() {
            if child.episode_open_on(on).is_none() {
                continue;
            }
            if let Some(i) = iro_on(service.allocations_of(child.idx), on)
                && let Some(n) = load.get_mut(i.get())
            {
                *n += 1;
            }
        }
        for (i, n) in load.iter().enumerate() {
            if *n > 0 {
                rows.push(vec![
                    period.label().to_string(),
                    date(Some(on)),
                    service.iros[i].to_string(),
                    n.to_string(),
                ]);
            }
        }
    }
    DrillDown {
        name: "caseloads",
        title: "Children in care allocated to each IRO at each quarter end",
        columns: CASELOAD_COLUMNS,
        rows,
    }
}
