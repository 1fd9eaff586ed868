//! # drp-flow
//!
//! Built-in metric over the IRO service's DRP log (`docs/DATA.md`, "IRO
//! service records"; definitions in `docs/METHODS.md`, "DRP flow"): how IROs
//! used the dispute resolution protocol.
//!
//! * escalations by stage (one per stage reached, by the date the stage
//!   began: the seed report's "Stage 1 … Stage 5, Total" table per quarter);
//!   escalations raised, by the stage they entered at; children concerned;
//!   issue categories (several per escalation); stages skipped;
//! * responses within each stage's timescale, working days at each stage and
//!   from raising to the end, and the share ended within the protocol's total
//!   timescale;
//! * outcomes and the stage reached, Cafcass referrals, and escalations still
//!   open at each quarter end by their current stage.
//!
//! Stage numbers, names and response timescales differ between authorities:
//! they are parameters, with per-authority overrides ([`protocol`]).

pub mod protocol;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use chrono::NaiveDate;
use iro_domain::{ChildIdx, DrpOutcome, DrpStage, IssueIdx, ServiceTable, WorkingDayCalendar};
use iro_metric_api::periods::{FLOWS, Periods, STOCKS, mean, median};
use iro_metric_api::{
    Breakdown, DrillDown, Field, MeasureId, MeasureSpec, Metric, MetricContext, MetricError,
    MetricRow, MetricSpec, ParamSpec, Relation, Subject, Term, Unit, row,
};

pub use protocol::{Protocol, StageConfig, protocol_for};

/// The metric.
#[derive(Debug, Default, Clone, Copy)]
pub struct DrpFlow;

static PARAMS: LazyLock<[ParamSpec; 3]> = LazyLock::new(|| {
    [
        ParamSpec {
            name: "stages",
            default: serde_json::to_value(protocol::default_stages()).unwrap_or_default(),
            help: "The protocol's stages, in order: { stage = number used in the DRP log's STAGE column, name, response_working_days = working days allowed for a response at that stage (optional) }.",
        },
        ParamSpec {
            name: "total_working_days",
            default: protocol::DEFAULT_TOTAL_WORKING_DAYS.into(),
            help: "Working days allowed from raising an escalation to its end (IRO Handbook: the formal process should take no more than 20).",
        },
        ParamSpec {
            name: "authorities",
            default: serde_json::json!({}),
            help: "Per-authority protocols replacing `stages` and/or `total_working_days`: [metrics.drp-flow.authorities.<DfE code>].",
        },
    ]
});

/// The ids of this metric's measures (the `metric` column): the report,
/// the charts, targets and benchmarking name measures by these, never by text.
pub const ESCALATIONS: MeasureId = MeasureId::new("drp-flow.escalations");
pub const DRPS_RAISED: MeasureId = MeasureId::new("drp-flow.drps-raised");
pub const CHILDREN: MeasureId = MeasureId::new("drp-flow.children");
pub const ISSUES: MeasureId = MeasureId::new("drp-flow.issues");
pub const STAGES_SKIPPED: MeasureId = MeasureId::new("drp-flow.stages-skipped");
pub const RESPONSES_ON_TIME: MeasureId = MeasureId::new("drp-flow.responses-on-time");
pub const STAGE_WORKING_DAYS_MEDIAN: MeasureId =
    MeasureId::new("drp-flow.stage-working-days-median");
pub const STAGE_WORKING_DAYS_MEAN: MeasureId = MeasureId::new("drp-flow.stage-working-days-mean");
pub const RESOLUTION_WORKING_DAYS_MEDIAN: MeasureId =
    MeasureId::new("drp-flow.resolution-working-days-median");
pub const RESOLUTION_WORKING_DAYS_MEAN: MeasureId =
    MeasureId::new("drp-flow.resolution-working-days-mean");
pub const ENDED_WITHIN_TIMESCALE: MeasureId = MeasureId::new("drp-flow.ended-within-timescale");
pub const OUTCOMES: MeasureId = MeasureId::new("drp-flow.outcomes");
pub const OPEN_AT_END: MeasureId = MeasureId::new("drp-flow.open-at-end");
pub const CAFCASS_REFERRALS: MeasureId = MeasureId::new("drp-flow.cafcass-referrals");

macro_rules! measure {
    ($id:expr, $title:literal, $unit:expr) => {
        measure!($id, $title, $unit, &[])
    };
    ($id:expr, $title:literal, $unit:expr, $add:expr) => {
        MeasureSpec {
            id: $id,
            title: $title,
            unit: $unit,
            additive_breakdowns: $add,
            subject: Subject::Children,
        }
    };
}

static SPEC: LazyLock<MetricSpec> = LazyLock::new(|| MetricSpec {
    id: "drp-flow",
    title: "IRO dispute resolution protocol (DRP): escalations by stage, issues, timeliness, outcomes",
    version: env!("CARGO_PKG_VERSION"),
    requires: &[],
    needs: &[],
    measures: &[
        measure!(
            ESCALATIONS,
            "Escalations to a stage, by the date the stage began, by stage",
            Unit::Count,
            &["stage"]
        ),
        measure!(DRPS_RAISED, "DRPs raised (by RAISED)", Unit::Count),
        measure!(CHILDREN, "Children with a DRP raised", Unit::Count),
        // Not a partition (a DRP may have several issues), but declared additive so
        // that one small category is never left recoverable from the others.
        measure!(
            ISSUES,
            "DRPs raised, by issue category (a DRP may have several)",
            Unit::Count,
            &["issue"]
        ),
        // Likewise declared additive for suppression (one escalation may skip two stages).
        measure!(
            STAGES_SKIPPED,
            "Escalations that skipped a stage of the protocol; by the stage skipped",
            Unit::Count,
            &["stage"]
        ),
        measure!(
            RESPONSES_ON_TIME,
            "Stage responses due in the period received by the due date, % of responses due",
            Unit::Percent,
            &["stage"]
        ),
        measure!(
            STAGE_WORKING_DAYS_MEDIAN,
            "Median working days at a stage (start to response, or to the next stage)",
            Unit::Days
        ),
        measure!(
            STAGE_WORKING_DAYS_MEAN,
            "Mean working days at a stage",
            Unit::Days
        ),
        measure!(
            RESOLUTION_WORKING_DAYS_MEDIAN,
            "Median working days from raising a DRP to its end",
            Unit::Days
        ),
        measure!(
            RESOLUTION_WORKING_DAYS_MEAN,
            "Mean working days from raising a DRP to its end",
            Unit::Days
        ),
        measure!(
            ENDED_WITHIN_TIMESCALE,
            "DRPs ended within the protocol's total timescale, % of DRPs ended",
            Unit::Percent
        ),
        measure!(
            OUTCOMES,
            "DRPs ended, by outcome and by the stage they ended at",
            Unit::Count,
            &["outcome", "final_stage"]
        ),
        measure!(
            OPEN_AT_END,
            "DRPs open at the end of the quarter (31 March), by their current stage",
            Unit::Count,
            &["stage"]
        ),
        measure!(
            CAFCASS_REFERRALS,
            "Referrals to Cafcass made at a DRP stage",
            Unit::Count
        ),
    ],
    params: &*PARAMS,
});

/// One escalation: its stages in order, and how it ended.
#[derive(Debug, Clone, Copy)]
pub struct Escalation<'a> {
    pub stages: &'a [DrpStage],
}

impl<'a> Escalation<'a> {
    pub fn new(stages: &'a [DrpStage]) -> Self {
        Escalation { stages }
    }

    pub fn child(&self) -> ChildIdx {
        self.stages[0].child
    }

    pub fn raised(&self) -> NaiveDate {
        self.stages[0].raised
    }

    /// The stage it entered at.
    pub fn entry_stage(&self) -> u8 {
        self.stages[0].stage
    }

    /// How it ended, if it has: the last stage's outcome (RESOLVED or CLOSED),
    /// the end date (that stage's RESPONSE_DATE, or its STAGE_START when no
    /// response is recorded), and whether the end date is the response date.
    pub fn ended(&self) -> Option<(DrpOutcome, NaiveDate, bool)> {
        let last = self.stages.last()?;
        let outcome = last.outcome.filter(|o| o.ends())?;
        Some(match last.response_date {
            Some(r) => (outcome, r, true),
            None => (outcome, last.stage_start, false),
        })
    }

    /// The end of stage `i`: its response, or (escalated without one) the
    /// start of the next stage.
    pub fn stage_end(&self, i: usize) -> Option<NaiveDate> {
        let s = &self.stages[i];
        s.response_date
            .or_else(|| self.stages.get(i + 1).map(|n| n.stage_start))
    }

    /// When a response was due at stage `i`: RESPONSE_DUE, or the stage's
    /// timescale counted from its start.
    pub fn response_due(
        &self,
        i: usize,
        protocol: &Protocol,
        cal: &WorkingDayCalendar,
    ) -> Option<NaiveDate> {
        let s = &self.stages[i];
        s.response_due.or_else(|| {
            protocol
                .stage(s.stage)
                .and_then(|c| c.response_working_days)
                .map(|n| cal.add_working_days(s.stage_start, n))
        })
    }

    /// Open at the end of `date`, and at which stage.
    pub fn open_on(&self, date: NaiveDate) -> Option<u8> {
        if self.raised() > date || self.ended().is_some_and(|(_, end, _)| end <= date) {
            return None;
        }
        let current = self
            .stages
            .iter()
            .rev()
            .find(|s| s.stage_start <= date)
            .unwrap_or(&self.stages[0]);
        Some(current.stage)
    }

    /// The stages skipped on the way to stage `i` (configured stages between
    /// the previous stage and this one, or below the entry stage).
    pub fn skipped_at(&self, i: usize, protocol: &Protocol) -> Vec<u8> {
        let to = self.stages[i].stage;
        match i {
            0 => protocol.skipped(None, to),
            _ => {
                let from = self.stages[i - 1].stage;
                if to > from {
                    protocol.skipped(Some(from), to)
                } else {
                    Vec::new()
                }
            }
        }
    }

    /// The issue categories of the escalation (every row's, once each).
    pub fn issues(&self) -> BTreeSet<IssueIdx> {
        self.stages
            .iter()
            .flat_map(|s| s.issues.iter().copied())
            .collect()
    }
}

#[derive(Debug, Default, Clone)]
struct Flow {
    escalations: BTreeMap<u8, u64>,
    raised: BTreeMap<u8, u64>,
    children: BTreeSet<ChildIdx>,
    issues: BTreeMap<IssueIdx, u64>,
    skipped_rows: u64,
    skipped: BTreeMap<u8, u64>,
    /// (on time, due) by stage.
    responses: BTreeMap<u8, (u64, u64)>,
    not_assessable: u64,
    stage_days: BTreeMap<u8, Vec<i64>>,
    resolution_days: Vec<i64>,
    within: (u64, u64),
    outcomes: BTreeMap<&'static str, u64>,
    final_stage: BTreeMap<u8, u64>,
    cafcass: u64,
}

/// What [`Metric::relations`] declares: every flow (counted by the date of
/// its event) adds up from the quarters to the year, stage by stage; the
/// `issues` total is the DRPs raised; the working-days figures of a stage
/// (and of all stages) have one denominator, the stages timed, which adds
/// up over the stages, as the responses due do; the DRPs ended with a
/// response date are the denominator of the resolution times and of those
/// ended within the timescale.
const STAGE_MEDIAN: MeasureId = STAGE_WORKING_DAYS_MEDIAN;
const RESOLUTION_MEDIAN: MeasureId = RESOLUTION_WORKING_DAYS_MEDIAN;

static SAME_COUNTS: [Relation; 4] = [
    Relation::Sum {
        total: Term::num(DRPS_RAISED).only(""),
        parts: &[Term::num(ISSUES).only("")],
    },
    Relation::Sum {
        total: Term::den(STAGE_MEDIAN),
        parts: &[Term::den(STAGE_WORKING_DAYS_MEAN)],
    },
    Relation::Sum {
        total: Term::den(RESOLUTION_MEDIAN),
        parts: &[Term::den(RESOLUTION_WORKING_DAYS_MEAN)],
    },
    Relation::Sum {
        total: Term::den(RESOLUTION_MEDIAN),
        parts: &[Term::den(ENDED_WITHIN_TIMESCALE)],
    },
];

static RELATIONS: LazyLock<Vec<Relation>> = LazyLock::new(|| {
    let mut r = SAME_COUNTS.to_vec();
    for metric in [RESPONSES_ON_TIME, STAGE_MEDIAN] {
        r.push(Relation::BreakdownSumsToTotal {
            metric,
            key: "stage",
            field: Field::Denominator,
        });
    }
    for m in [
        ESCALATIONS,
        DRPS_RAISED,
        ISSUES,
        STAGES_SKIPPED,
        RESPONSES_ON_TIME,
        ENDED_WITHIN_TIMESCALE,
        OUTCOMES,
        CAFCASS_REFERRALS,
    ] {
        r.push(Relation::QuartersSumToYear(Term::num(m)));
    }
    for m in [RESPONSES_ON_TIME, STAGE_MEDIAN, RESOLUTION_MEDIAN] {
        r.push(Relation::QuartersSumToYear(Term::den(m)));
    }
    r
});

impl Metric for DrpFlow {
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

    /// Every escalation with its stages and how it stands (personal data).
    fn drilldown(&self, ctx: &MetricContext<'_>) -> Result<Vec<DrillDown>, MetricError> {
        let service = ctx.cohort.service();
        if !service.has_table(ctx.year, ServiceTable::DrpLog) {
            return Ok(Vec::new());
        }
        let protocol = protocol_for(ctx.params, ctx.cohort.la())?;
        let cal = ctx.calendar;
        let (from, to) = (ctx.year.start(), ctx.year.end());
        let date = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
        let mut rows = Vec::new();
        for esc in service.drps().map(Escalation::new) {
            let ended = esc.ended();
            let active = esc.raised() <= to && ended.is_none_or(|(_, end, _)| end >= from);
            if !active {
                continue;
            }
            let first = &esc.stages[0];
            let stages: Vec<String> = esc.stages.iter().map(|s| s.stage.to_string()).collect();
            let issues: Vec<&str> = esc
                .issues()
                .into_iter()
                .map(|i| service.issue_category(i))
                .collect();
            let (status, end, days) = match ended {
                Some((o, end, known)) => (
                    o.label().to_string(),
                    date(end),
                    if known {
                        cal.working_days_between(esc.raised(), end).to_string()
                    } else {
                        String::new()
                    },
                ),
                None => (
                    format!("open at stage {}", esc.stages.last().map_or(0, |s| s.stage)),
                    String::new(),
                    String::new(),
                ),
            };
            let late: Vec<String> = (0..esc.stages.len())
                .filter(|&i| {
                    esc.response_due(i, &protocol, cal).is_some_and(|due| {
                        esc.stages[i].response_date.is_none_or(|r| r > due) && due <= to
                    })
                })
                .map(|i| esc.stages[i].stage.to_string())
                .collect();
            rows.push(vec![
                service.drp_id(first.drp).to_string(),
                ctx.cohort.children()[first.child.get()]
                    .child_id
                    .to_string(),
                first
                    .iro
                    .map(|i| service.iro_id(i).to_string())
                    .unwrap_or_default(),
                date(esc.raised()),
                stages.join(" > "),
                issues.join("; "),
                status,
                end,
                days,
                late.join(", "),
                if esc.stages.iter().any(|s| s.cafcass_referral == Some(true)) {
                    "yes"
                } else {
                    ""
                }
                .into(),
            ]);
        }
        Ok(vec![DrillDown {
            name: "escalations",
            title: "DRP escalations active in the year, with their stages and how they stand",
            columns: &[
                "DRP_ID",
                "CHILD",
                "IRO_ID",
                "RAISED",
                "stages",
                "issues",
                "status",
                "ended",
                "working_days",
                "late_responses_at_stage",
                "CAFCASS_REFERRAL",
            ],
            rows,
        }])
    }
}

impl DrpFlow {
    /// One collection year's rows.
    fn compute_year(&self, ctx: &MetricContext<'_>) -> Result<Vec<MetricRow>, MetricError> {
        let service = ctx.cohort.service();
        if !service.has_table(ctx.year, ServiceTable::DrpLog) {
            return Err(MetricError::NotComputable(format!(
                "no drp_log file for {}",
                ctx.year.label()
            )));
        }
        let protocol = protocol_for(ctx.params, ctx.cohort.la())?;
        let cal = ctx.calendar;
        let periods = Periods::new(ctx.year);
        let mut flows: [Flow; 5] = Default::default();
        let mut open: [BTreeMap<u8, u64>; 5] = Default::default();
        // Every stage number shown: the protocol's and any other in the data.
        let mut stage_keys: BTreeSet<u8> = protocol.stages.iter().map(|s| s.stage).collect();

        for esc in service.drps().map(Escalation::new) {
            stage_keys.extend(esc.stages.iter().map(|s| s.stage));
            if let Some(ps) = periods.flows_of(esc.raised()) {
                let issues = esc.issues();
                for p in ps {
                    let f = &mut flows[p];
                    *f.raised.entry(esc.entry_stage()).or_default() += 1;
                    f.children.insert(esc.child());
                    for &i in &issues {
                        *f.issues.entry(i).or_default() += 1;
                    }
                }
            }
            for (i, s) in esc.stages.iter().enumerate() {
                if let Some(ps) = periods.flows_of(s.stage_start) {
                    let skipped = esc.skipped_at(i, &protocol);
                    for p in ps {
                        let f = &mut flows[p];
                        *f.escalations.entry(s.stage).or_default() += 1;
                        if !skipped.is_empty() {
                            f.skipped_rows += 1;
                        }
                        for &k in &skipped {
                            *f.skipped.entry(k).or_default() += 1;
                        }
                        if s.cafcass_referral == Some(true) {
                            f.cafcass += 1;
                        }
                    }
                }
                match esc.response_due(i, &protocol, cal) {
                    Some(due) => {
                        if let Some(ps) = periods.flows_of(due) {
                            let on_time = s.response_date.is_some_and(|r| r <= due);
                            for p in ps {
                                let e = flows[p].responses.entry(s.stage).or_default();
                                e.1 += 1;
                                e.0 += u64::from(on_time);
                            }
                        }
                    }
                    None => {
                        if let Some(ps) = periods.flows_of(s.stage_start) {
                            for p in ps {
                                flows[p].not_assessable += 1;
                            }
                        }
                    }
                }
                if let Some(end) = esc.stage_end(i)
                    && let Some(ps) = periods.flows_of(end)
                {
                    let days = cal.working_days_between(s.stage_start, end);
                    for p in ps {
                        flows[p].stage_days.entry(s.stage).or_default().push(days);
                    }
                }
            }
            if let Some((outcome, end, known)) = esc.ended()
                && let Some(ps) = periods.flows_of(end)
            {
                let last = esc.stages.last().map_or(0, |s| s.stage);
                let days = known.then(|| cal.working_days_between(esc.raised(), end));
                for p in ps {
                    let f = &mut flows[p];
                    *f.outcomes.entry(outcome.label()).or_default() += 1;
                    *f.final_stage.entry(last).or_default() += 1;
                    if let Some(d) = days {
                        f.resolution_days.push(d);
                        f.within.1 += 1;
                        f.within.0 += u64::from(d <= i64::from(protocol.total_working_days));
                    }
                }
            }
            for (s, o) in open.iter_mut().enumerate() {
                if let Some(stage) = esc.open_on(periods.stock_date(s)) {
                    *o.entry(stage).or_default() += 1;
                }
            }
        }

        let issues_seen: BTreeSet<IssueIdx> = flows[0].issues.keys().copied().collect();
        let mut rows = Vec::new();
        let issue_missing = missing_column(ctx, "ISSUE_CATEGORY");
        let cafcass_missing = missing_column(ctx, "CAFCASS_REFERRAL");
        for (p, &period) in FLOWS.iter().enumerate() {
            let f = &mut flows[p];
            let r = |m: &str| row(&SPEC, ctx, m, period);
            let by_stage = |m: &str, key: &str, k: u8| {
                r(m).with_breakdown(Breakdown::one(key, k.to_string()))
                    .note(stage_note(&protocol, k))
            };
            rows.push(r("escalations").count(f.escalations.values().sum()));
            for &k in &stage_keys {
                rows.push(by_stage("escalations", "stage", k).count(get(&f.escalations, k)));
            }
            let raised: u64 = f.raised.values().sum();
            rows.push(r("drps-raised").count(raised));
            rows.push(r("children").count(f.children.len() as u64));
            match &issue_missing {
                Some(why) => rows.push(r("issues").not_computable(why)),
                None => {
                    rows.push(
                        r("issues")
                            .count(raised)
                            .note("DRPs raised; a DRP with several issues is counted under each"),
                    );
                    for &i in &issues_seen {
                        rows.push(
                            r("issues")
                                .with_breakdown(Breakdown::one("issue", service.issue_category(i)))
                                .count(f.issues.get(&i).copied().unwrap_or(0)),
                        );
                    }
                }
            }
            rows.push(
                r("stages-skipped").count(f.skipped_rows).note(
                    "escalations to a stage that bypassed at least one stage of the protocol",
                ),
            );
            for s in &protocol.stages {
                rows.push(
                    by_stage("stages-skipped", "stage", s.stage).count(get(&f.skipped, s.stage)),
                );
            }
            let (on, due) = f
                .responses
                .values()
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
            let mut resp = r("responses-on-time").percent(on, due).note(
                "response received on or before RESPONSE_DUE (or the stage's timescale from its start); no response counts as not on time",
            );
            if f.not_assessable > 0 {
                resp = resp.note(format!(
                    "{} stage(s) with no due date and no timescale configured left out",
                    f.not_assessable
                ));
            }
            rows.push(resp);
            for &k in &stage_keys {
                let (on, due) = f.responses.get(&k).copied().unwrap_or((0, 0));
                rows.push(by_stage("responses-on-time", "stage", k).percent(on, due));
            }
            let all: Vec<i64> = f.stage_days.values().flatten().copied().collect();
            rows.push(days(
                r("stage-working-days-median"),
                median(&mut all.clone()),
                all.len(),
            ));
            rows.push(days(r("stage-working-days-mean"), mean(&all), all.len()));
            for &k in &stage_keys {
                let mut v = f.stage_days.get(&k).cloned().unwrap_or_default();
                let n = v.len();
                rows.push(days(
                    by_stage("stage-working-days-median", "stage", k),
                    median(&mut v),
                    n,
                ));
                rows.push(days(
                    by_stage("stage-working-days-mean", "stage", k),
                    mean(&v),
                    n,
                ));
            }
            let n = f.resolution_days.len();
            rows.push(days(
                r("resolution-working-days-median"),
                median(&mut f.resolution_days.clone()),
                n,
            ));
            rows.push(days(
                r("resolution-working-days-mean"),
                mean(&f.resolution_days),
                n,
            ));
            rows.push(
                r("ended-within-timescale")
                    .percent(f.within.0, f.within.1)
                    .note(format!(
                        "ended within {} working days of being raised; denominator = DRPs ended with a response date",
                        protocol.total_working_days
                    )),
            );
            let ended: u64 = f.outcomes.values().sum();
            rows.push(r("outcomes").count(ended));
            for o in [DrpOutcome::Resolved, DrpOutcome::Closed] {
                rows.push(
                    r("outcomes")
                        .with_breakdown(Breakdown::one("outcome", o.label()))
                        .count(f.outcomes.get(o.label()).copied().unwrap_or(0)),
                );
            }
            for &k in &stage_keys {
                rows.push(by_stage("outcomes", "final_stage", k).count(get(&f.final_stage, k)));
            }
            rows.push(match &cafcass_missing {
                Some(why) => r("cafcass-referrals").not_computable(why),
                None => r("cafcass-referrals").count(f.cafcass),
            });
        }
        for (s, &period) in STOCKS.iter().enumerate() {
            let r = |m: &str| row(&SPEC, ctx, m, period);
            rows.push(r("open-at-end").count(open[s].values().sum()));
            for &k in &stage_keys {
                rows.push(
                    r("open-at-end")
                        .with_breakdown(Breakdown::one("stage", k.to_string()))
                        .note(stage_note(&protocol, k))
                        .count(get(&open[s], k)),
                );
            }
        }
        Ok(rows)
    }
}

fn get(m: &BTreeMap<u8, u64>, k: u8) -> u64 {
    m.get(&k).copied().unwrap_or(0)
}

fn stage_note(protocol: &Protocol, k: u8) -> String {
    match protocol.stage(k) {
        Some(s) => s.name.clone(),
        None => "stage not in the protocol configured for this authority".into(),
    }
}

fn days(mut r: MetricRow, value: Option<f64>, n: usize) -> MetricRow {
    r.denominator = Some(n as u64);
    r.value = value;
    r.note("working days; denominator = number of stages or DRPs timed")
}

fn missing_column(ctx: &MetricContext<'_>, column: &str) -> Option<String> {
    let service = ctx.cohort.service();
    (!service.has_column(ctx.year, ServiceTable::DrpLog, column)).then(|| {
        format!(
            "the drp_log file for {} has no {column} column",
            ctx.year.label()
        )
    })
}

#[cfg(test)]
mod tests;
