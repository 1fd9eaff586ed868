//! IRO allocation: allocated within 5 working days of entering care, caseload
//! per IRO at each quarter end, children with no IRO, and changes of IRO.

use chrono::NaiveDate;
use iro_domain::{
    ChildRecord, IroAllocation, IroIdx, PeriodOfCare, ServiceTable, TableKind, WorkingDayCalendar,
};
use iro_metric_api::{MetricContext, MetricRow};

use crate::{Timescales, data_end, missing, missing_903, not_computable, start};
use iro_metric_api::periods::{FLOWS, Periods, STOCKS, median};

/// How a period of care's IRO allocation stands against the timescale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationStatus {
    /// An allocation in force on some day from the start of care to the deadline.
    OnTime { working_days: i64 },
    /// The deadline passed with no IRO allocated (perhaps one came later).
    Late { working_days: Option<i64> },
    /// Care ended on or before the deadline: no allocation was due.
    NotDue,
    /// The deadline is after the last day of the allocation data.
    NotYetDue,
}

/// The allocation of an IRO at the start of one period of care.
pub fn allocation_on_entry(
    period: &PeriodOfCare,
    allocations: &[IroAllocation],
    working_days: u32,
    data_end: NaiveDate,
    cal: &WorkingDayCalendar,
) -> (NaiveDate, AllocationStatus) {
    let start = period.start;
    let deadline = cal.add_working_days(start, working_days);
    if period.end.is_some_and(|e| e <= deadline) {
        return (deadline, AllocationStatus::NotDue);
    }
    if deadline > data_end {
        return (deadline, AllocationStatus::NotYetDue);
    }
    // The first allocation in force on or after the start of care (and not
    // after the end of it).
    let first = allocations
        .iter()
        .filter(|a| a.end.is_none_or(|e| e >= start))
        .filter(|a| period.end.is_none_or(|e| a.start <= e))
        .min_by_key(|a| a.start);
    let days = first.map(|a| {
        if a.start <= start {
            0
        } else {
            cal.working_days_between(start, a.start)
        }
    });
    let status = match (first, days) {
        (Some(a), Some(d)) if a.start <= deadline => AllocationStatus::OnTime { working_days: d },
        _ => AllocationStatus::Late { working_days: days },
    };
    (deadline, status)
}

/// The IRO allocated to a child on `date`: the allocation in force that
/// started last (overlapping allocations are reported by ingest).
pub fn iro_on(allocations: &[IroAllocation], date: NaiveDate) -> Option<IroIdx> {
    allocations
        .iter()
        .filter(|a| a.active_on(date))
        .max_by_key(|a| a.start)
        .map(|a| a.iro)
}

/// Changes of IRO: allocations (by index) that replaced another IRO's
/// allocation within the same period of care. The first allocation of a
/// period of care is not a change, nor is a new allocation of the same IRO.
pub fn changes(child: &ChildRecord<'_>, allocations: &[IroAllocation]) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, a) in allocations.iter().enumerate() {
        let Some(p) = child
            .periods
            .iter()
            .find(|p| p.start <= a.start && p.end.is_none_or(|e| e >= a.start))
        else {
            continue;
        };
        // The allocation in force in that care that started last before this one.
        let prev = allocations[..i]
            .iter()
            .filter(|b| b.end.is_none_or(|e| e >= p.start))
            .max_by_key(|b| b.start);
        if prev.is_some_and(|b| b.iro != a.iro) {
            out.push(i);
        }
    }
    out
}

/// Whether a child had an allocation in force on some day of `[from, to]`
/// while in a period of care.
fn allocated_in_care(
    child: &ChildRecord<'_>,
    allocations: &[IroAllocation],
    from: NaiveDate,
    to: NaiveDate,
) -> bool {
    allocations.iter().any(|a| {
        let lo = a.start.max(from);
        let hi = a.end.map_or(to, |e| e.min(to));
        lo <= hi && child.periods.iter().any(|p| p.overlaps(lo, hi))
    })
}

#[derive(Debug, Default, Clone)]
struct Flow {
    due: u64,
    on_time: u64,
    not_yet_due: u64,
    days: Vec<i64>,
    changes: u64,
    children_changed: u64,
    children_allocated: u64,
}

#[derive(Debug, Default, Clone)]
struct Stock {
    /// Children per IRO.
    caseload: Vec<u64>,
    without: u64,
    not_in_care: u64,
}

pub(crate) fn rows(ctx: &MetricContext<'_>, periods: &Periods, t: &Timescales) -> Vec<MetricRow> {
    let cal = ctx.calendar;
    let service = ctx.cohort.service();
    let why = missing(ctx, ServiceTable::IroAllocations, None)
        .or_else(|| missing_903(ctx, TableKind::Episodes));
    let mut rows = Vec::new();
    if let Some(why) = why {
        for &period in &FLOWS {
            for m in [
                "allocated-on-time",
                "allocation-working-days-median",
                "iro-changes",
                "children-changed-iro",
            ] {
                rows.push(not_computable(ctx, m, period, &why));
            }
        }
        for &period in &STOCKS {
            for m in [
                "caseload-iros",
                "caseload-mean",
                "caseload-median",
                "caseload-max",
                "children-without-iro",
                "allocations-not-in-care",
            ] {
                rows.push(not_computable(ctx, m, period, &why));
            }
        }
        return rows;
    }
    let end = data_end(ctx, ServiceTable::IroAllocations).unwrap_or(ctx.year.end());
    let mut flows: [Flow; 5] = Default::default();
    let mut stocks: [Stock; 5] = Default::default();
    for s in &mut stocks {
        s.caseload = vec![0; service.iros.len()];
    }
    for child in ctx.cohort.iter_children() {
        let allocs = service.allocations_of(child.idx);
        for p in child.periods {
            if p.short_break || !p.start_known {
                continue;
            }
            let Some(ps) = periods.flows_of(p.start) else {
                continue;
            };
            let (_, status) = allocation_on_entry(p, allocs, t.allocation_working_days, end, cal);
            for i in ps {
                let f = &mut flows[i];
                match status {
                    AllocationStatus::OnTime { working_days } => {
                        f.due += 1;
                        f.on_time += 1;
                        f.days.push(working_days);
                    }
                    AllocationStatus::Late { working_days } => {
                        f.due += 1;
                        f.days.extend(working_days);
                    }
                    AllocationStatus::NotYetDue => f.not_yet_due += 1,
                    AllocationStatus::NotDue => {}
                }
            }
        }
        let changed = changes(&child, allocs);
        let mut changed_in = [false; 5];
        for &i in &changed {
            if let Some(ps) = periods.flows_of(allocs[i].start) {
                for p in ps {
                    flows[p].changes += 1;
                    changed_in[p] = true;
                }
            }
        }
        for (p, f) in flows.iter_mut().enumerate() {
            let (from, to) = periods.bounds(p);
            if allocated_in_care(&child, allocs, from, to) {
                f.children_allocated += 1;
                f.children_changed += u64::from(changed_in[p]);
            }
        }
        for (s, stock) in stocks.iter_mut().enumerate() {
            let date = periods.stock_date(s);
            let iro = iro_on(allocs, date);
            let in_care = child.episode_open_on(date).is_some();
            match iro {
                Some(i) if in_care => {
                    if let Some(n) = stock.caseload.get_mut(i.get()) {
                        *n += 1;
                    }
                }
                Some(_) => stock.not_in_care += 1,
                None if child.looked_after_on(date) => stock.without += 1,
                None => {}
            }
        }
    }

    let wd = t.allocation_working_days;
    for (p, &period) in FLOWS.iter().enumerate() {
        let f = &mut flows[p];
        let r = |m: &str| start(ctx, m, period);
        let mut on_time = r("allocated-on-time").percent(f.on_time, f.due).note(format!(
            "allocation in force within {wd} working days of the start of care; periods of care starting in the period (short breaks and starts before the data excluded)"
        ));
        if f.not_yet_due > 0 {
            on_time = on_time.note(format!(
                "{} start(s) not yet due at the end of the allocation data left out",
                f.not_yet_due
            ));
        }
        rows.push(on_time);
        let mut med = r("allocation-working-days-median");
        med.denominator = Some(f.days.len() as u64);
        med.value = median(&mut f.days);
        rows.push(med.note("working days from the start of care to the allocation (0 if already allocated); denominator = starts with an allocation"));
        rows.push(r("iro-changes").count(f.changes));
        rows.push(
            r("children-changed-iro")
                .percent(f.children_changed, f.children_allocated)
                .note("denominator = children in care with an IRO allocated at some time in the period"),
        );
    }
    for (s, &period) in STOCKS.iter().enumerate() {
        let st = &stocks[s];
        let r = |m: &str| start(ctx, m, period);
        let mut loads: Vec<i64> = st
            .caseload
            .iter()
            .filter(|&&n| n > 0)
            .map(|&n| n as i64)
            .collect();
        let iros = loads.len() as u64;
        let children: i64 = loads.iter().sum();
        rows.push(
            r("caseload-iros")
                .count(iros)
                .note("a count of staff, not of children"),
        );
        let mut mean = r("caseload-mean");
        mean.value = (iros > 0).then(|| children as f64 / iros as f64);
        rows.push(mean.note("children in care with an IRO allocated ÷ IROs with at least one"));
        let mut med = r("caseload-median");
        med.value = median(&mut loads);
        rows.push(med);
        let mut max = r("caseload-max");
        max.value = loads.iter().max().map(|&m| m as f64);
        rows.push(max);
        rows.push(r("children-without-iro").count(st.without));
        rows.push(r("allocations-not-in-care").count(st.not_in_care));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_domain::{ChildIdx, CollectionYear, SourceRef};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn period(start: NaiveDate, end: Option<NaiveDate>) -> PeriodOfCare {
        PeriodOfCare {
            child: ChildIdx(0),
            episodes: 0..1,
            start,
            start_known: true,
            end,
            reason_ceased: None,
            short_break: false,
            broken_chain: false,
        }
    }

    fn alloc(iro: u32, start: NaiveDate, end: Option<NaiveDate>) -> IroAllocation {
        IroAllocation {
            child: ChildIdx(0),
            iro: IroIdx(iro),
            start,
            end,
            change_reason: None,
            year: CollectionYear(2025),
            source: SourceRef { file: 0, line: 2 },
        }
    }

    #[test]
    fn allocation_deadlines_cross_bank_holidays() {
        let cal = WorkingDayCalendar::england_and_wales();
        let end = d(2025, 3, 31);
        // Entered Tuesday 20 August 2024: 5 working days, skipping the summer
        // bank holiday (26 August), is Wednesday 28 August.
        let p = period(d(2024, 8, 20), None);
        let a = [alloc(0, d(2024, 8, 28), None)];
        assert_eq!(
            allocation_on_entry(&p, &a, 5, end, &cal),
            (d(2024, 8, 28), AllocationStatus::OnTime { working_days: 5 })
        );
        let a = [alloc(0, d(2024, 8, 29), None)];
        assert_eq!(
            allocation_on_entry(&p, &a, 5, end, &cal).1,
            AllocationStatus::Late {
                working_days: Some(6)
            }
        );
        // Entered Friday 20 December 2024: the deadline is Tuesday 31 December;
        // allocated 2 January 2025, 6 working days on.
        let p = period(d(2024, 12, 20), None);
        let a = [alloc(0, d(2025, 1, 2), None)];
        assert_eq!(
            allocation_on_entry(&p, &a, 5, end, &cal),
            (
                d(2024, 12, 31),
                AllocationStatus::Late {
                    working_days: Some(6)
                }
            )
        );
        // Already allocated (an allocation continuing from before): 0 days.
        let a = [alloc(0, d(2024, 1, 1), None)];
        assert_eq!(
            allocation_on_entry(&p, &a, 5, end, &cal).1,
            AllocationStatus::OnTime { working_days: 0 }
        );
        // No allocation at all.
        assert_eq!(
            allocation_on_entry(&p, &[], 5, end, &cal).1,
            AllocationStatus::Late { working_days: None }
        );
        // Care ended on the deadline: not due.
        let p = period(d(2024, 12, 20), Some(d(2024, 12, 31)));
        assert_eq!(
            allocation_on_entry(&p, &[], 5, end, &cal).1,
            AllocationStatus::NotDue
        );
        // Entered Thursday 27 March 2025: due 3 April, after the data end.
        let p = period(d(2025, 3, 27), None);
        assert_eq!(
            allocation_on_entry(&p, &[alloc(0, d(2025, 3, 28), None)], 5, end, &cal),
            (d(2025, 4, 3), AllocationStatus::NotYetDue)
        );
        // An allocation that ended before care started does not count.
        let p = period(d(2024, 8, 20), None);
        let a = [alloc(0, d(2023, 1, 1), Some(d(2024, 8, 19)))];
        assert_eq!(
            allocation_on_entry(&p, &a, 5, end, &cal).1,
            AllocationStatus::Late { working_days: None }
        );
    }

    #[test]
    fn the_later_of_overlapping_allocations_is_the_iro() {
        let a = [
            alloc(0, d(2024, 4, 1), None),
            alloc(1, d(2024, 6, 1), Some(d(2024, 6, 30))),
        ];
        assert_eq!(iro_on(&a, d(2024, 5, 31)), Some(IroIdx(0)));
        assert_eq!(iro_on(&a, d(2024, 6, 30)), Some(IroIdx(1)));
        assert_eq!(iro_on(&a, d(2024, 7, 1)), Some(IroIdx(0)));
        assert_eq!(iro_on(&a, d(2024, 3, 31)), None);
    }
}
