//! # service-records
//!
//! Built-in metric over the IRO service's own records (`docs/DATA.md`, "IRO
//! service records"; definitions in `docs/METHODS.md`, "IRO service records"):
//!
//! * reviews held (by mode), cancelled and adjourned; the social worker's report
//!   available at least **3 working days** before the review; decisions sent
//!   within **5** and the full record within **20 working days**; the IRO met
//!   the child beforehand; reviews held by the service's own due date; and how
//!   many SSDA903 reviews have a service record;
//! * the IRO allocated within **5 working days** of the child entering care;
//!   caseload per IRO at each quarter end (number of IROs, mean, median and
//!   largest caseload: counts only, never a named IRO); children looked after
//!   with no IRO; changes of IRO;
//! * midway reviews completed, on time and overdue.
//!
//! Every flow is given for the year and each quarter, by the date of the
//! event; stocks at each quarter end and 31 March. Working days are England
//! and Wales working days ([`iro_domain::WorkingDayCalendar`]). The timescales
//! are parameters. A table or column the year's files do not have makes its
//! figures "not computable", never zero.

pub mod allocation;
mod drilldown;
mod midway;
pub mod reviews;

use std::sync::LazyLock;

use iro_domain::{ServiceTable, TableKind};
use iro_metric_api::{
    DrillDown, MeasureId, MeasureSpec, Metric, MetricContext, MetricError, MetricRow, MetricSpec,
    ParamSpec, Period, Relation, Subject, Term, Unit, row,
};

pub use iro_metric_api::periods::{self as period, FLOWS, Periods, STOCKS};

/// The metric.
#[derive(Debug, Default, Clone, Copy)]
pub struct ServiceRecordsMetric;

/// The timescales, in England and Wales working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timescales {
    /// The social worker's report is due at least this many working days
    /// before the review (3).
    pub sw_report_working_days: u32,
    /// The review's decisions are due within this many working days (5).
    pub decisions_working_days: u32,
    /// The full record of the review is due within this many working days (20).
    pub record_working_days: u32,
    /// An IRO is due to be allocated within this many working days of the
    /// child entering care (5).
    pub allocation_working_days: u32,
}

impl Default for Timescales {
    fn default() -> Self {
        Timescales {
            sw_report_working_days: 3,
            decisions_working_days: 5,
            record_working_days: 20,
            allocation_working_days: 5,
        }
    }
}

static PARAMS: LazyLock<[ParamSpec; 4]> = LazyLock::new(|| {
    let d = Timescales::default();
    [
        ParamSpec {
            name: "sw_report_working_days",
            default: d.sw_report_working_days.into(),
            help: "The social worker's report counts as on time when it reached the IRO on or before this many working days before the review (IRO Handbook: 3).",
        },
        ParamSpec {
            name: "decisions_working_days",
            default: d.decisions_working_days.into(),
            help: "The review's decisions count as on time when sent within this many working days of the review (5). The review day is day 0.",
        },
        ParamSpec {
            name: "record_working_days",
            default: d.record_working_days.into(),
            help: "The full review record counts as on time when sent within this many working days of the review (20).",
        },
        ParamSpec {
            name: "allocation_working_days",
            default: d.allocation_working_days.into(),
            help: "An IRO counts as allocated on time when allocated within this many working days of the start of a period of care (5).",
        },
    ]
});

/// The ids of this metric's measures (the `metric` column): the report,
/// the charts, targets and benchmarking name measures by these, never by text.
pub const REVIEWS_HELD: MeasureId = MeasureId::new("service-records.reviews-held");
pub const REVIEWS_CANCELLED: MeasureId = MeasureId::new("service-records.reviews-cancelled");
pub const REVIEWS_ADJOURNED: MeasureId = MeasureId::new("service-records.reviews-adjourned");
pub const SW_REPORT_ON_TIME: MeasureId = MeasureId::new("service-records.sw-report-on-time");
pub const SW_REPORT_RECEIVED: MeasureId = MeasureId::new("service-records.sw-report-received");
pub const SW_REPORT_ON_TIME_OF_RECEIVED: MeasureId =
    MeasureId::new("service-records.sw-report-on-time-of-received");
pub const DECISIONS_ON_TIME: MeasureId = MeasureId::new("service-records.decisions-on-time");
pub const RECORD_ON_TIME: MeasureId = MeasureId::new("service-records.record-on-time");
pub const RECORD_WORKING_DAYS_MEDIAN: MeasureId =
    MeasureId::new("service-records.record-working-days-median");
pub const IRO_MET_CHILD: MeasureId = MeasureId::new("service-records.iro-met-child");
pub const HELD_BY_DUE: MeasureId = MeasureId::new("service-records.held-by-due");
pub const RECORD_COVERAGE: MeasureId = MeasureId::new("service-records.record-coverage");
pub const ALLOCATED_ON_TIME: MeasureId = MeasureId::new("service-records.allocated-on-time");
pub const ALLOCATION_WORKING_DAYS_MEDIAN: MeasureId =
    MeasureId::new("service-records.allocation-working-days-median");
pub const CASELOAD_IROS: MeasureId = MeasureId::new("service-records.caseload-iros");
pub const CASELOAD_MEAN: MeasureId = MeasureId::new("service-records.caseload-mean");
pub const CASELOAD_MEDIAN: MeasureId = MeasureId::new("service-records.caseload-median");
pub const CASELOAD_MAX: MeasureId = MeasureId::new("service-records.caseload-max");
pub const CHILDREN_WITHOUT_IRO: MeasureId = MeasureId::new("service-records.children-without-iro");
pub const ALLOCATIONS_NOT_IN_CARE: MeasureId =
    MeasureId::new("service-records.allocations-not-in-care");
pub const IRO_CHANGES: MeasureId = MeasureId::new("service-records.iro-changes");
pub const CHILDREN_CHANGED_IRO: MeasureId = MeasureId::new("service-records.children-changed-iro");
pub const MIDWAY_COMPLETED: MeasureId = MeasureId::new("service-records.midway-completed");
pub const MIDWAY_ON_TIME: MeasureId = MeasureId::new("service-records.midway-on-time");
pub const MIDWAY_OVERDUE_AT_END: MeasureId =
    MeasureId::new("service-records.midway-overdue-at-end");

macro_rules! measure {
    ($id:expr, $title:literal, $unit:expr) => {
        measure!($id, $title, $unit, &[])
    };
    ($id:expr, $title:literal, $unit:expr, $add:expr) => {
        measure!($id, $title, $unit, $add, Subject::Children)
    };
    ($id:expr, $title:literal, $unit:expr, $add:expr, $subject:expr) => {
        MeasureSpec {
            id: $id,
            title: $title,
            unit: $unit,
            additive_breakdowns: $add,
            subject: $subject,
        }
    };
}

static SPEC: LazyLock<MetricSpec> = LazyLock::new(|| MetricSpec {
    id: "service-records",
    title: "IRO service records: social-work reports, decisions and records, IRO allocation and caseloads, midway reviews",
    version: env!("CARGO_PKG_VERSION"),
    // Checked per table and year in `compute`: the SSDA903 Episodes and
    // Reviews are needed only by some measures.
    requires: &[],
    needs: &[],
    measures: &[
        measure!(
            REVIEWS_HELD,
            "Reviews held (IRO records), by mode: in person, virtual, hybrid, not recorded",
            Unit::Count,
            &["mode"]
        ),
        measure!(
            REVIEWS_CANCELLED,
            "Review meetings cancelled (by the date arranged)",
            Unit::Count
        ),
        measure!(REVIEWS_ADJOURNED, "Review meetings adjourned", Unit::Count),
        measure!(
            SW_REPORT_ON_TIME,
            "Reviews held with the social worker's report at least 3 working days before, % of reviews held",
            Unit::Percent
        ),
        measure!(
            SW_REPORT_RECEIVED,
            "Reviews held with a social worker's report by the day of the review, % of reviews held",
            Unit::Percent
        ),
        measure!(
            SW_REPORT_ON_TIME_OF_RECEIVED,
            "Of reviews held with a report by the day of the review, % whose report came at least 3 working days before",
            Unit::Percent
        ),
        measure!(
            DECISIONS_ON_TIME,
            "Reviews held whose decisions were sent within 5 working days, % of reviews held",
            Unit::Percent
        ),
        measure!(
            RECORD_ON_TIME,
            "Reviews held whose full record was sent within 20 working days, % of reviews held",
            Unit::Percent
        ),
        measure!(
            RECORD_WORKING_DAYS_MEDIAN,
            "Median working days from review to full record sent (records sent)",
            Unit::Days
        ),
        measure!(
            IRO_MET_CHILD,
            "Reviews held where the IRO met the child beforehand, % of reviews held with it recorded",
            Unit::Percent
        ),
        measure!(
            HELD_BY_DUE,
            "Reviews held on or before the service's own due date, % of reviews held with a due date",
            Unit::Percent
        ),
        measure!(
            RECORD_COVERAGE,
            "SSDA903 reviews with a HELD IRO record, % of SSDA903 reviews",
            Unit::Percent
        ),
        measure!(
            ALLOCATED_ON_TIME,
            "Periods of care starting in the period with an IRO allocated within 5 working days, % of those due",
            Unit::Percent
        ),
        measure!(
            ALLOCATION_WORKING_DAYS_MEDIAN,
            "Median working days from the start of care to the IRO's allocation",
            Unit::Days
        ),
        measure!(
            CASELOAD_IROS,
            "IROs with at least one child in care allocated, at the end of the quarter (31 March)",
            Unit::Count,
            &[],
            Subject::Staff
        ),
        measure!(
            CASELOAD_MEAN,
            "Mean children in care per IRO at the end of the quarter",
            Unit::Mean
        ),
        measure!(
            CASELOAD_MEDIAN,
            "Median children in care per IRO at the end of the quarter",
            Unit::Mean
        ),
        measure!(
            CASELOAD_MAX,
            "Largest caseload (children in care) of one IRO at the end of the quarter",
            Unit::Mean
        ),
        measure!(
            CHILDREN_WITHOUT_IRO,
            "Children looked after at the end of the quarter with no IRO allocated",
            Unit::Count
        ),
        measure!(
            ALLOCATIONS_NOT_IN_CARE,
            "IRO allocations in force at the end of the quarter for children not in care (not ended)",
            Unit::Count
        ),
        measure!(
            IRO_CHANGES,
            "Changes of IRO during a period of care",
            Unit::Count
        ),
        measure!(
            CHILDREN_CHANGED_IRO,
            "Children whose IRO changed, % of children in care with an IRO in the period",
            Unit::Percent
        ),
        measure!(MIDWAY_COMPLETED, "Midway reviews completed", Unit::Count),
        measure!(
            MIDWAY_ON_TIME,
            "Midway reviews due in the period completed by their due date, % of those due (child in care)",
            Unit::Percent
        ),
        measure!(
            MIDWAY_OVERDUE_AT_END,
            "Midway reviews overdue at the end of the quarter (due, not completed, child in care)",
            Unit::Count
        ),
    ],
    params: &*PARAMS,
});

/// What [`Metric::relations`] declares: every flow (counted by the date of
/// its event) adds up from the quarters to the year, numerators and
/// denominators; the reviews held are the social-work report measures'
/// denominator, and the reports received by the review the denominator of
/// those on time among them, whose numerator is the reports on time.
const RECEIVED: MeasureId = SW_REPORT_RECEIVED;
const OF_RECEIVED: MeasureId = SW_REPORT_ON_TIME_OF_RECEIVED;

static SW_REPORTS: [Relation; 4] = {
    const HELD: Term = Term::num(REVIEWS_HELD).only("");
    [
        Relation::Sum {
            total: HELD,
            parts: &[Term::den(SW_REPORT_ON_TIME).only("")],
        },
        Relation::Sum {
            total: HELD,
            parts: &[Term::den(RECEIVED).only("")],
        },
        Relation::Sum {
            total: Term::num(RECEIVED).only(""),
            parts: &[Term::den(OF_RECEIVED).only("")],
        },
        Relation::Sum {
            total: Term::num(SW_REPORT_ON_TIME).only(""),
            parts: &[Term::num(OF_RECEIVED).only("")],
        },
    ]
};

static RELATIONS: LazyLock<Vec<Relation>> = LazyLock::new(|| {
    let mut r = SW_REPORTS.to_vec();
    let counts = [
        REVIEWS_HELD,
        REVIEWS_CANCELLED,
        REVIEWS_ADJOURNED,
        IRO_CHANGES,
        MIDWAY_COMPLETED,
    ];
    let shares = [
        SW_REPORT_ON_TIME,
        RECEIVED,
        OF_RECEIVED,
        DECISIONS_ON_TIME,
        RECORD_ON_TIME,
        IRO_MET_CHILD,
        HELD_BY_DUE,
        RECORD_COVERAGE,
        ALLOCATED_ON_TIME,
        MIDWAY_ON_TIME,
    ];
    let timed = [RECORD_WORKING_DAYS_MEDIAN, ALLOCATION_WORKING_DAYS_MEDIAN];
    r.extend(
        counts
            .into_iter()
            .chain(shares)
            .map(|m| Relation::QuartersSumToYear(Term::num(m))),
    );
    r.extend(
        shares
            .into_iter()
            .chain(timed)
            .map(|m| Relation::QuartersSumToYear(Term::den(m))),
    );
    r
});

impl Metric for ServiceRecordsMetric {
    fn spec(&self) -> &MetricSpec {
        &SPEC
    }

    fn relations(&self) -> &[Relation] {
        &RELATIONS
    }

    fn compute_years(
        &self,
        ctxs: &[MetricContext<'_>],
    ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        ctxs.iter().map(|ctx| self.compute_year(ctx)).collect()
    }

    /// Child-level tables (personal data): every review meeting with its
    /// timings, every start of care with its IRO allocation, and the caseload
    /// of each IRO at each quarter end.
    fn drilldown(&self, ctx: &MetricContext<'_>) -> Result<Vec<DrillDown>, MetricError> {
        let t = timescales_from(ctx)?;
        let periods = Periods::new(ctx.year);
        let mut out = Vec::new();
        let service = ctx.cohort.service();
        if service.has_table(ctx.year, ServiceTable::IroReviews) {
            out.push(drilldown::reviews(ctx, &periods, &t));
        }
        if service.has_table(ctx.year, ServiceTable::IroAllocations)
            && ctx.has(ctx.year, TableKind::Episodes)
        {
            out.push(drilldown::allocations(ctx, &periods, &t));
            out.push(drilldown::caseloads(ctx, &periods));
        }
        Ok(out)
    }
}

impl ServiceRecordsMetric {
    /// One collection year's rows.
    fn compute_year(&self, ctx: &MetricContext<'_>) -> Result<Vec<MetricRow>, MetricError> {
        let t = timescales_from(ctx)?;
        let service = ctx.cohort.service();
        let tables = [
            ServiceTable::IroReviews,
            ServiceTable::IroAllocations,
            ServiceTable::MidwayReviews,
        ];
        if !tables.iter().any(|&tb| service.has_table(ctx.year, tb)) {
            return Err(MetricError::NotComputable(format!(
                "no IRO-service records (iro_reviews, iro_allocations, midway_reviews) for {}",
                ctx.year.label()
            )));
        }
        let periods = Periods::new(ctx.year);
        let mut rows = Vec::new();
        rows.extend(reviews::rows(ctx, &periods, &t));
        rows.extend(allocation::rows(ctx, &periods, &t));
        rows.extend(midway::rows(ctx, &periods));
        Ok(rows)
    }
}

/// Reads the timescales from the resolved parameters.
pub fn timescales_from(ctx: &MetricContext<'_>) -> Result<Timescales, MetricError> {
    let wd = |name: &str| -> Result<u32, MetricError> {
        let v = ctx.param_f64(name)?;
        if v.fract() != 0.0 || !(0.0..=250.0).contains(&v) {
            return Err(MetricError::BadParameter {
                name: name.to_string(),
                reason: format!("expected a whole number of working days from 0 to 250, got {v}"),
            });
        }
        Ok(v as u32)
    };
    Ok(Timescales {
        sw_report_working_days: wd("sw_report_working_days")?,
        decisions_working_days: wd("decisions_working_days")?,
        record_working_days: wd("record_working_days")?,
        allocation_working_days: wd("allocation_working_days")?,
    })
}

/// Starts a row of this metric.
pub(crate) fn start(ctx: &MetricContext<'_>, measure: &str, period: Period) -> MetricRow {
    row(&SPEC, ctx, measure, period)
}

/// A row that cannot be computed: no value, and why.
pub(crate) fn not_computable(
    ctx: &MetricContext<'_>,
    measure: &str,
    period: Period,
    why: &str,
) -> MetricRow {
    start(ctx, measure, period).not_computable(why)
}

/// Why a service table or column is missing for the year, if it is.
pub(crate) fn missing(
    ctx: &MetricContext<'_>,
    table: ServiceTable,
    column: Option<&str>,
) -> Option<String> {
    let service = ctx.cohort.service();
    let year = ctx.year;
    if !service.has_table(year, table) {
        return Some(format!("no {table} file for {}", year.label()));
    }
    match column {
        Some(c) if !service.has_column(year, table, c) => Some(format!(
            "the {table} file for {} has no {c} column",
            year.label()
        )),
        _ => None,
    }
}

/// Why an SSDA903 table is missing for the year, if it is.
pub(crate) fn missing_903(ctx: &MetricContext<'_>, table: TableKind) -> Option<String> {
    (!ctx.has(ctx.year, table))
        .then(|| format!("no SSDA903 {table} table for {}", ctx.year.label()))
}

/// The last day covered by a service table: the end of the latest collection
/// year it was supplied for.
pub(crate) fn data_end(ctx: &MetricContext<'_>, table: ServiceTable) -> Option<chrono::NaiveDate> {
    ctx.cohort
        .service()
        .tables
        .iter()
        .filter(|(_, t)| t.contains_key(&table))
        .map(|(y, _)| y.end())
        .max()
}

#[cfg(test)]
mod tests;
