//! # placement-stability
//!
//! Built-in metric: the DfE's placement stability indicators, computed from the
//! authority's own SSDA903 episodes, and the placement figures an IRO annual
//! report quotes beside them.
//!
//! * `three-plus-placements` — children looked after at 31 March with 3 or more
//!   placements during the year (the DfE's short-term instability indicator);
//! * `three-plus-placements-2y` — "CLA 2 years on 31 March" (by default,
//!   looked after at 31 March of this year and of the previous one) with 3 or
//!   more placements over the previous 2 years;
//! * `long-term-stability` — children looked after continuously for at least
//!   2.5 years, aged under 16, living with the same carer for at least 2 years
//!   (or placed for adoption, the adoptive placement and the one before lasting
//!   2 years together), with `long-term-stability-not-assessable` for children
//!   the loaded years cannot settle;
//! * `placements-per-child` (1, 2, 3, 4, 5+) and `placements-mean`;
//! * `moves` — placement moves during the year by REASON_PLACE_CHANGE;
//! * `placement-type` — the placement mix at 31 March.
//!
//! Counting rules and every choice the DfE has not published are in
//! docs/METHODS.md; the choices that are open are parameters,
//! echoed in each row's `note`. The counting itself is in [`count`].
//!
//! [`Metric::compute_years`] walks the authority's children once for every
//! year asked for (each child's placements are classified once, then counted
//! in each year's windows); [`Metric::compute`] is the same walk for one year.

pub mod count;

use std::sync::LazyLock;

use chrono::NaiveDate;
use iro_domain::{
    ChildRecord, Cohort, CollectionYear, Episode, PeriodOfCare, PlacementGroup, PlacementStart,
    PlacementType, ReasonPlaceChange, TableKind, add_months_clamped,
};
use iro_metric_api::MetricExt;
use iro_metric_api::{
    Breakdown, Cells, Column, ColumnNeed, MeasureId, MeasureSpec, Metric, MetricContext,
    MetricError, MetricRow, MetricSpec, ParamSpec, Period, Relation, Subject, Term, Unit, row,
};

pub use count::{CountOptions, PlacementFlags, Placements, classify};

/// The metric.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlacementStability;

/// Parameter names.
pub const COUNT_SAME_CARER_MOVES: &str = "count_same_carer_moves";
pub const COUNT_TEMPORARY: &str = "count_temporary";
pub const CLA_2_YEARS: &str = "cla_2_years";

/// Labels of the `placements` breakdown of `placements-per-child`.
const PLACEMENT_BANDS: [&str; 5] = ["1", "2", "3", "4", "5+"];
const NOT_RECORDED: &str = "not recorded";
const NOT_KNOWN: &str = "Not known";
const NA_DATA: &str = "data do not reach back 2.5 years";
const NA_DOB: &str = "date of birth not known";

/// Who is in "CLA 2 years on 31 March", the denominator of
/// `three-plus-placements-2y` (parameter `cla_2_years`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TwoYearCohort {
    /// Looked after at 31 March of the year and at 31 March of the previous
    /// year (`both-31-march`, the default): the reading that reproduces the
    /// size of the DfE's published cohort (73% of children looked after).
    #[default]
    BothMarch31,
    /// The period of care open at 31 March was already open at the end of 31
    /// March two years earlier (`continuous`): looked after without a break
    /// for 2 years or more.
    Continuous,
}

impl TwoYearCohort {
    pub const BOTH_31_MARCH: &'static str = "both-31-march";
    pub const CONTINUOUS: &'static str = "continuous";

    pub fn name(self) -> &'static str {
        match self {
            TwoYearCohort::BothMarch31 => Self::BOTH_31_MARCH,
            TwoYearCohort::Continuous => Self::CONTINUOUS,
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            Self::BOTH_31_MARCH => Some(TwoYearCohort::BothMarch31),
            Self::CONTINUOUS => Some(TwoYearCohort::Continuous),
            _ => None,
        }
    }
}

/// The metric's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub count: CountOptions,
    pub cla_2_years: TwoYearCohort,
}

/// The ids of this metric's measures (the `metric` column): the report,
/// the charts, targets and benchmarking name measures by these, never by text.
pub const THREE_PLUS_PLACEMENTS: MeasureId =
    MeasureId::new("placement-stability.three-plus-placements");
pub const THREE_PLUS_PLACEMENTS_2Y: MeasureId =
    MeasureId::new("placement-stability.three-plus-placements-2y");
pub const LONG_TERM_STABILITY: MeasureId =
    MeasureId::new("placement-stability.long-term-stability");
pub const LONG_TERM_STABILITY_NOT_ASSESSABLE: MeasureId =
    MeasureId::new("placement-stability.long-term-stability-not-assessable");
pub const PLACEMENTS_PER_CHILD: MeasureId =
    MeasureId::new("placement-stability.placements-per-child");
pub const PLACEMENTS_MEAN: MeasureId = MeasureId::new("placement-stability.placements-mean");
pub const MOVES: MeasureId = MeasureId::new("placement-stability.moves");
pub const PLACEMENT_TYPE: MeasureId = MeasureId::new("placement-stability.placement-type");

static SPEC: LazyLock<MetricSpec> = LazyLock::new(|| MetricSpec {
    id: "placement-stability",
    title: "Placement stability: DfE stability indicators, placements per child, moves and placement mix",
    version: env!("CARGO_PKG_VERSION"),
    requires: &[TableKind::Episodes],
    needs: NEEDS,
    measures: &[
        MeasureSpec {
            id: THREE_PLUS_PLACEMENTS,
            title: "Children looked after at 31 March with 3 or more placements during the year",
            unit: Unit::Percent,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: THREE_PLUS_PLACEMENTS_2Y,
            title: "Children looked after at 31 March of this year and the previous one (\"CLA 2 years on 31 March\") with 3 or more placements during the previous 2 years",
            unit: Unit::Percent,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: LONG_TERM_STABILITY,
            title: "Children looked after continuously for 2.5 years or more at 31 March, aged under 16, living with the same carer for at least 2 years (or placed for adoption)",
            unit: Unit::Percent,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: LONG_TERM_STABILITY_NOT_ASSESSABLE,
            title: "Children looked after at 31 March whom the long-term stability indicator could not assess, by reason",
            unit: Unit::Count,
            additive_breakdowns: &["reason"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: PLACEMENTS_PER_CHILD,
            title: "Children looked after at 31 March by number of placements during the year",
            unit: Unit::Percent,
            additive_breakdowns: &["placements"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: PLACEMENTS_MEAN,
            title: "Mean number of placements during the year of children looked after at 31 March",
            unit: Unit::Mean,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: MOVES,
            title: "Placement moves during the year, by reason for the change and type of move",
            unit: Unit::Count,
            additive_breakdowns: &["reason", "move_type"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: PLACEMENT_TYPE,
            title: "Children looked after at 31 March by placement",
            unit: Unit::Percent,
            additive_breakdowns: &["group", "place"],
            subject: Subject::Children,
        },
    ],
    params: &*PARAMS,
});

/// Placements are counted by PLACE (temporary placements, adoption by the
/// current carer) and PL_POST (the return to the same placement after a
/// temporary one); moves are broken down by REASON_PLACE_CHANGE; long-term
/// stability is for children under 16.
const NEEDS: &[ColumnNeed] = {
    const DOB: Column = Column::of(TableKind::Header, "DOB");
    &[
        ColumnNeed::all(&[
            Column::of(TableKind::Episodes, "PLACE"),
            Column::of(TableKind::Episodes, "PL_POST"),
        ]),
        ColumnNeed::breakdown(
            MOVES,
            "reason",
            &[Column::of(TableKind::Episodes, "REASON_PLACE_CHANGE")],
        ),
        ColumnNeed::measure(LONG_TERM_STABILITY, &[DOB]),
        ColumnNeed::measure(LONG_TERM_STABILITY_NOT_ASSESSABLE, &[DOB]),
    ]
};

const FOSTER_FRIENDS: &str = "Foster care with relatives or friends";
const FOSTER_OTHER: &str = "Foster care with other carers";
const ADOPTION: &str = "Placed for adoption";
const PARENTS: &str = "Placed with parents or others with parental responsibility";
const INDEPENDENT: &str = "Independent and semi-independent living";
const RESIDENTIAL: &str = "Secure units, children's homes and residential settings";
const OTHER: &str = "Other placements";
const TEMPORARY: &str = "Temporary placements";

/// Each PLACE code's group, as `placement-type` labels them (a test checks
/// this against [`PlacementType::group`]).
static PLACE_GROUPS: [(&str, &str); 33] = [
    ("A3", ADOPTION),
    ("A4", ADOPTION),
    ("A5", ADOPTION),
    ("A6", ADOPTION),
    ("H5", INDEPENDENT),
    ("K1", RESIDENTIAL),
    ("K2", RESIDENTIAL),
    ("K3", INDEPENDENT),
    ("P1", PARENTS),
    ("P2", INDEPENDENT),
    ("P3", OTHER),
    ("R1", RESIDENTIAL),
    ("R2", OTHER),
    ("R3", OTHER),
    ("R5", OTHER),
    ("S1", RESIDENTIAL),
    ("T0", TEMPORARY),
    ("T1", TEMPORARY),
    ("T2", TEMPORARY),
    ("T3", TEMPORARY),
    ("T4", TEMPORARY),
    ("U1", FOSTER_FRIENDS),
    ("U2", FOSTER_FRIENDS),
    ("U3", FOSTER_FRIENDS),
    ("U4", FOSTER_OTHER),
    ("U5", FOSTER_OTHER),
    ("U6", FOSTER_OTHER),
    ("Z1", OTHER),
    ("Z11", OTHER),
    ("Z12", OTHER),
    ("Z13", OTHER),
    ("Z14", OTHER),
    (NOT_KNOWN, NOT_KNOWN),
];

/// What [`Metric::relations`] declares. Within the metric: 3+ placements
/// are the children with 3, 4 or 5+ placements; the children looked after
/// at 31 March are shown as the total of each breakdown, the indicator's and
/// the mean's denominators; the placement codes add up to their groups.
/// Across metrics: those children are `cohort-summary`'s looked after at 31
/// March, and the placement groups its profile by placement.
static RELATIONS: [Relation; 7] = [
    Relation::Sum {
        total: Term::num(THREE_PLUS_PLACEMENTS).only(""),
        parts: &[
            Term::num(PLACEMENTS_PER_CHILD).only("placements=3"),
            Term::num(PLACEMENTS_PER_CHILD).only("placements=4"),
            Term::num(PLACEMENTS_PER_CHILD).only("placements=5+"),
        ],
    },
    Relation::Sum {
        total: Term::num(PLACEMENTS_PER_CHILD).only(""),
        parts: &[Term::den(THREE_PLUS_PLACEMENTS).only("")],
    },
    Relation::Sum {
        total: Term::num(PLACEMENTS_PER_CHILD).only(""),
        parts: &[Term::den(PLACEMENTS_MEAN).only("")],
    },
    Relation::Sum {
        total: Term::num(PLACEMENTS_PER_CHILD).only(""),
        parts: &[Term::num(PLACEMENT_TYPE).only("")],
    },
    Relation::Sum {
        total: Term::num(MeasureId::new("cohort-summary.cla-31-march")).only(""),
        parts: &[Term::num(PLACEMENTS_PER_CHILD).only("")],
    },
    Relation::Regroup {
        parts: Cells::num(PLACEMENT_TYPE, "place", "place"),
        total: Cells::num(PLACEMENT_TYPE, "group", "group"),
        groups: &PLACE_GROUPS,
    },
    Relation::SumByValue {
        parts: Cells::num(PLACEMENT_TYPE, "group", "group"),
        total: Cells::num(
            MeasureId::new("cohort-summary.profile"),
            "placement",
            "placement",
        ),
    },
];

static PARAMS: LazyLock<[ParamSpec; 3]> = LazyLock::new(|| {
    [
        ParamSpec {
            name: COUNT_SAME_CARER_MOVES,
            default: serde_json::Value::Bool(true),
            help: "Count a same-carer move (RNE T or U) as a new placement, as the DfE appears to. Moves into A3/A5 (placed for adoption with the current foster carer) never count.",
        },
        ParamSpec {
            name: COUNT_TEMPORARY,
            default: serde_json::Value::Bool(false),
            help: "Count temporary placements (T0-T4) and the return to the same placement afterwards (rule 383) as placements. When false they are disregarded: not counted, and they do not break a carer spell for long-term stability.",
        },
        ParamSpec {
            name: CLA_2_YEARS,
            default: serde_json::Value::from(TwoYearCohort::BOTH_31_MARCH),
            help: "Who is in \"CLA 2 years on 31 March\", the denominator of three-plus-placements-2y: \"both-31-march\" (looked after at 31 March of the year and of the previous year; the reading that matches the size of the DfE's published cohort) or \"continuous\" (looked after without a break since 31 March two years earlier).",
        },
    ]
});

impl Metric for PlacementStability {
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
        let Some(first) = ctxs.first() else {
            return Vec::new();
        };
        // One walk serves every year only if they share cohort and parameters.
        if ctxs
            .iter()
            .any(|c| !std::ptr::eq(c.cohort, first.cohort) || c.params != first.params)
        {
            return ctxs.iter().map(|c| self.compute(c)).collect();
        }
        let opts = match options(first) {
            Ok(o) => o,
            Err(e) => return ctxs.iter().map(|_| Err(e.clone())).collect(),
        };
        let mut plans: Vec<YearPlan> = ctxs
            .iter()
            .enumerate()
            .filter(|(_, c)| c.has(c.year, TableKind::Episodes))
            .map(|(i, c)| YearPlan {
                ctx: i,
                w: Windows::new(c),
                tally: Tally::default(),
            })
            .collect();
        tally_cohort(first.cohort, &mut plans, opts);
        let mut out: Vec<Result<Vec<MetricRow>, MetricError>> = ctxs
            .iter()
            .map(|c| {
                Err(MetricError::NotComputable(format!(
                    "no Episodes table for {}",
                    c.year.label()
                )))
            })
            .collect();
        for p in &plans {
            out[p.ctx] = Ok(rows(&ctxs[p.ctx], &p.w, opts, &p.tally));
        }
        out
    }
}

/// Reads the options, falling back to the declared defaults.
pub fn options(ctx: &MetricContext<'_>) -> Result<Options, MetricError> {
    let get = |name: &str, default: bool| match ctx.params.get(name) {
        None | Some(serde_json::Value::Null) => Ok(default),
        Some(v) => v.as_bool().ok_or_else(|| MetricError::BadParameter {
            name: name.to_string(),
            reason: "expected true or false".into(),
        }),
    };
    let d = CountOptions::default();
    let cla_2_years =
        match ctx.params.get(CLA_2_YEARS) {
            None | Some(serde_json::Value::Null) => TwoYearCohort::default(),
            Some(v) => v.as_str().and_then(TwoYearCohort::parse).ok_or_else(|| {
                MetricError::BadParameter {
                    name: CLA_2_YEARS.to_string(),
                    reason: format!(
                        "expected \"{}\" or \"{}\"",
                        TwoYearCohort::BOTH_31_MARCH,
                        TwoYearCohort::CONTINUOUS
                    ),
                }
            })?,
        };
    Ok(Options {
        count: CountOptions {
            count_same_carer_moves: get(COUNT_SAME_CARER_MOVES, d.count_same_carer_moves)?,
            count_temporary: get(COUNT_TEMPORARY, d.count_temporary)?,
        },
        cla_2_years,
    })
}

/// The dates of one collection year's measures.
#[derive(Debug, Clone, Copy)]
struct Windows {
    /// 1 April and 31 March of the year.
    from: NaiveDate,
    end: NaiveDate,
    /// 1 April of the previous year: start of the 2-year window.
    from_2y: NaiveDate,
    /// 31 March of the previous year.
    prev_end: NaiveDate,
    /// Episodes loaded for the previous year (the 2-year measure needs them).
    has_prev: bool,
    /// 31 March two years back: "same carer for 2 years" means the carer
    /// spell began on or before it (and, with `cla_2_years = continuous`,
    /// "looked after 2 years" that the period of care open at 31 March was
    /// already open at the end of this day).
    two_years: NaiveDate,
    /// 31 March − 30 months (30 September three years back).
    two_and_half_years: NaiveDate,
    /// Episodes are loaded for every year from the one holding the episode open
    /// at the end of `two_and_half_years` to this year.
    long_term_covered: bool,
}

impl Windows {
    fn new(ctx: &MetricContext<'_>) -> Self {
        let year = ctx.year;
        let end = year.end();
        let two_and_half_years = add_months_clamped(end, -30);
        Windows {
            from: year.start(),
            end,
            from_2y: year.previous().start(),
            prev_end: year.previous().end(),
            has_prev: ctx.has(year.previous(), TableKind::Episodes),
            two_years: add_months_clamped(end, -24),
            two_and_half_years,
            long_term_covered: covered(ctx, two_and_half_years),
        }
    }
}

/// Whether the loaded Episodes tables would hold the episode open at the end
/// of `date` and every episode from it to 31 March of the year computed.
fn covered(ctx: &MetricContext<'_>, date: NaiveDate) -> bool {
    let first = CollectionYear::containing(date.succ_opt().unwrap_or(date));
    (first.0..=ctx.year.0).all(|y| ctx.has(CollectionYear(y), TableKind::Episodes))
}

/// Whether a period of care open at 31 March was already open at the end of
/// `date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continuity {
    Yes,
    No,
    /// The data begin part-way through the period, after `date`, and the
    /// loaded years do not reach back to `date`.
    NotKnown,
}

/// Was `period` open at the end of `date`? A period whose start is not known
/// (the data begin part-way through it) counts when the data already show it
/// open on `date`. If they begin after `date` and the loaded years do reach
/// back (`covered`), the episode chain is broken in the data and the period is
/// taken to begin where the data do.
pub fn continuity(period: &PeriodOfCare, date: NaiveDate, covered: bool) -> Continuity {
    if period.start <= date {
        Continuity::Yes
    } else if period.start_known || covered {
        Continuity::No
    } else {
        Continuity::NotKnown
    }
}

/// Slots of the `group` breakdown: the placement groups, then "not known".
const GROUPS: usize = 9;
/// Slots of the `place` breakdown: the PLACE codes, then "not known".
const PLACES: usize = PlacementType::ALL.len() + 1;

/// Everything counted over the cohort for one year.
#[derive(Debug, Clone, PartialEq)]
struct Tally {
    cla: u64,
    three_plus: u64,
    placements_total: u64,
    /// Children looked after at 31 March with 1, 2, 3, 4, 5+ placements.
    bands: [u64; 5],
    cla_2y: u64,
    three_plus_2y: u64,
    long_term_den: u64,
    long_term_num: u64,
    na_data: u64,
    na_dob: u64,
    moves: u64,
    /// Moves by REASON_PLACE_CHANGE (index in `ReasonPlaceChange::ALL`, then
    /// "not recorded").
    move_reasons: [u64; ReasonPlaceChange::ALL.len() + 1],
    moves_new_carer: u64,
    moves_same_carer: u64,
    /// Children looked after at 31 March by placement group and by PLACE.
    groups: [u64; GROUPS],
    places: [u64; PLACES],
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            cla: 0,
            three_plus: 0,
            placements_total: 0,
            bands: [0; 5],
            cla_2y: 0,
            three_plus_2y: 0,
            long_term_den: 0,
            long_term_num: 0,
            na_data: 0,
            na_dob: 0,
            moves: 0,
            move_reasons: [0; ReasonPlaceChange::ALL.len() + 1],
            moves_new_carer: 0,
            moves_same_carer: 0,
            groups: [0; GROUPS],
            places: [0; PLACES],
        }
    }
}

fn group_slot(g: Option<PlacementGroup>) -> usize {
    g.map_or(GROUPS - 1, |g| g as usize)
}

fn group_label(slot: usize) -> &'static str {
    const ALL: [PlacementGroup; GROUPS - 1] = [
        PlacementGroup::FosterRelativeFriend,
        PlacementGroup::FosterOther,
        PlacementGroup::PlacedForAdoption,
        PlacementGroup::WithParents,
        PlacementGroup::IndependentLiving,
        PlacementGroup::Residential,
        PlacementGroup::Other,
        PlacementGroup::Temporary,
    ];
    ALL.get(slot).map_or(NOT_KNOWN, |g| g.label())
}

fn place_slot(p: Option<PlacementType>) -> usize {
    p.map_or(PLACES - 1, |p| p as usize)
}

fn place_label(slot: usize) -> &'static str {
    PlacementType::ALL.get(slot).map_or(NOT_KNOWN, |p| p.code())
}

/// One year to compute: its position among the contexts, dates and tally.
#[derive(Debug)]
struct YearPlan {
    ctx: usize,
    w: Windows,
    tally: Tally,
}

/// Walks the cohort once, counting every child into every year's tally.
fn tally_cohort(cohort: &Cohort, plans: &mut [YearPlan], opts: Options) {
    let (Some(lo), Some(hi)) = (
        plans.iter().map(|p| p.w.from).min(),
        plans.iter().map(|p| p.w.end).max(),
    ) else {
        return;
    };
    let episodes = cohort.episodes();
    let periods = cohort.periods();
    let mut flags = Vec::new();
    for c in cohort.iter_children() {
        // A child matters to a year only through a placement overlapping it
        // (every measure, the 2-year and long-term ones included, starts from
        // a child looked after during the year). Placements are in date order.
        let Some(first) = c.placements.first() else {
            continue;
        };
        // The last day the child is in a placement (`None`: still is).
        let last_end = c
            .placements
            .iter()
            .try_fold(NaiveDate::MIN, |m, p| p.end.map(|e| m.max(e)));
        let before = |from: NaiveDate| last_end.is_some_and(|e| e < from);
        if first.start > hi || before(lo) {
            continue;
        }
        classify(c.placements, episodes, &mut flags);
        let pl = Placements::new(c.placements, &flags, opts.count);
        for plan in plans.iter_mut() {
            if first.start <= plan.w.end && !before(plan.w.from) {
                tally_child(&mut plan.tally, &plan.w, &c, &pl, periods, episodes, opts);
            }
        }
    }
}

/// Counts one child into one year's tally.
fn tally_child(
    t: &mut Tally,
    w: &Windows,
    c: &ChildRecord<'_>,
    pl: &Placements<'_>,
    periods: &[PeriodOfCare],
    episodes: &[Episode],
    opts: Options,
) {
    // Placements during the year, and the moves among them (every child looked
    // after during the year, not only at 31 March).
    let n = pl.count(w.from, w.end, |i| {
        let p = &c.placements[i];
        t.moves += 1;
        match p.start_reason {
            PlacementStart::SameCarer => t.moves_same_carer += 1,
            PlacementStart::NewCarer | PlacementStart::Entry => t.moves_new_carer += 1,
        }
        // REASON_PLACE_CHANGE is recorded on the episode that ends.
        let reason = (p.episodes.start as usize)
            .checked_sub(1)
            .and_then(|k| episodes.get(k))
            .and_then(|e| e.reason_place_change);
        let slot = reason
            .and_then(|r| ReasonPlaceChange::ALL.iter().position(|&x| x == r))
            .unwrap_or(ReasonPlaceChange::ALL.len());
        t.move_reasons[slot] += 1;
    });

    // Looked after at 31 March (DfE): an episode open at the end of the day
    // whose legal status is not a short break.
    let Some(open) = c.episode_open_on(w.end).filter(|e| !e.is_short_break()) else {
        return;
    };
    t.cla += 1;
    t.placements_total += u64::from(n);
    t.bands[(n.clamp(1, 5) - 1) as usize] += 1;
    if n >= 3 {
        t.three_plus += 1;
    }
    t.groups[group_slot(open.place.map(PlacementType::group))] += 1;
    t.places[place_slot(open.place)] += 1;

    let Some(k) = pl.open_on(w.end) else {
        return;
    };
    let Some(period) = periods.get(c.placements[k].period as usize) else {
        return;
    };

    if w.has_prev {
        let in_cohort = match opts.cla_2_years {
            TwoYearCohort::BothMarch31 => c.looked_after_on(w.prev_end),
            TwoYearCohort::Continuous => continuity(period, w.two_years, true) == Continuity::Yes,
        };
        if in_cohort {
            t.cla_2y += 1;
            if pl.count(w.from_2y, w.end, |_| {}) >= 3 {
                t.three_plus_2y += 1;
            }
        }
    }

    long_term(t, c, pl, k, period, w);
}

/// The long-term stability indicator for one child looked after at 31 March,
/// whose placement at 31 March is `k`.
fn long_term(
    t: &mut Tally,
    c: &ChildRecord<'_>,
    pl: &Placements<'_>,
    k: usize,
    period: &PeriodOfCare,
    w: &Windows,
) {
    let age = c.age_on(w.end);
    if age.is_some_and(|a| a >= 16) {
        return;
    }
    match continuity(period, w.two_and_half_years, w.long_term_covered) {
        Continuity::No => {}
        Continuity::NotKnown => t.na_data += 1,
        Continuity::Yes if age.is_none() => t.na_dob += 1,
        Continuity::Yes => {
            t.long_term_den += 1;
            let same_carer = pl.carer_spell_start(k) <= w.two_years;
            let adoption = || {
                pl.pre_adoption_spell_start(k)
                    .is_some_and(|s| s <= w.two_years)
            };
            if same_carer || adoption() {
                t.long_term_num += 1;
            }
        }
    }
}

fn rows(ctx: &MetricContext<'_>, w: &Windows, opts: Options, t: &Tally) -> Vec<MetricRow> {
    let r = |measure: &str, period: Period| row(&SPEC, ctx, measure, period);
    let d = |date: NaiveDate| date.format("%d/%m/%Y").to_string();
    let opt_note = opts.count.note();
    let mut out = Vec::with_capacity(48);

    out.push(
        r("three-plus-placements", Period::Snapshot)
            .percent(t.three_plus, t.cla)
            .note(opt_note.clone()),
    );

    let prev = ctx.year.previous();
    out.push(if w.has_prev {
        let cohort = match opts.cla_2_years {
            TwoYearCohort::BothMarch31 => format!(
                "CLA 2 years: looked after at 31 March {} and {} ({CLA_2_YEARS}={})",
                w.prev_end.format("%Y"),
                w.end.format("%Y"),
                opts.cla_2_years.name()
            ),
            TwoYearCohort::Continuous => format!(
                "CLA 2 years: period of care open at 31 March began on or before {} ({CLA_2_YEARS}={})",
                d(w.two_years),
                opts.cla_2_years.name()
            ),
        };
        r("three-plus-placements-2y", Period::Snapshot)
            .percent(t.three_plus_2y, t.cla_2y)
            .note(opt_note.clone())
            .note(cohort)
    } else {
        r("three-plus-placements-2y", Period::Snapshot).not_computable(format!(
            "no Episodes table for {}",
            prev.label()
        ))
    });

    let mut lt = r("long-term-stability", Period::Snapshot)
        .percent(t.long_term_num, t.long_term_den)
        .note(format!("count_temporary={}", opts.count.count_temporary))
        .note(format!(
            "looked after continuously since {} or earlier; same carer since {} or earlier",
            d(w.two_and_half_years),
            d(w.two_years)
        ));
    if t.na_data + t.na_dob > 0 {
        lt = lt.note("some children not assessable: see long-term-stability-not-assessable");
    }
    out.push(lt);
    let na_note = if w.long_term_covered {
        String::new()
    } else {
        format!(
            "Episodes not loaded for every year back to {}",
            CollectionYear::containing(w.two_and_half_years).label()
        )
    };
    out.push(
        r("long-term-stability-not-assessable", Period::Snapshot)
            .count(t.na_data + t.na_dob)
            .note(na_note.clone()),
    );
    for (reason, n) in [(NA_DATA, t.na_data), (NA_DOB, t.na_dob)] {
        out.push(
            r("long-term-stability-not-assessable", Period::Snapshot)
                .with_breakdown(Breakdown::one("reason", reason))
                .count(n)
                .note(na_note.clone()),
        );
    }

    out.push(
        r("placements-per-child", Period::Snapshot)
            .percent(t.cla, t.cla)
            .note(opt_note.clone()),
    );
    for (band, &n) in PLACEMENT_BANDS.iter().zip(&t.bands) {
        out.push(
            r("placements-per-child", Period::Snapshot)
                .with_breakdown(Breakdown::one("placements", *band))
                .percent(n, t.cla)
                .note(opt_note.clone()),
        );
    }
    let mut mean = r("placements-mean", Period::Snapshot).note(opt_note.clone());
    mean.numerator = Some(t.placements_total);
    mean.denominator = Some(t.cla);
    mean.value = (t.cla > 0).then(|| t.placements_total as f64 / t.cla as f64);
    out.push(mean);

    out.push(
        r("moves", Period::Year)
            .count(t.moves)
            .note(opt_note.clone()),
    );
    let reasons = ReasonPlaceChange::ALL
        .iter()
        .map(|r| r.code())
        .chain([NOT_RECORDED]);
    for (reason, &n) in reasons.zip(&t.move_reasons) {
        out.push(
            r("moves", Period::Year)
                .with_breakdown(Breakdown::one("reason", reason))
                .count(n)
                .note(opt_note.clone()),
        );
    }
    for (kind, n) in [
        ("new carer", t.moves_new_carer),
        ("same carer", t.moves_same_carer),
    ] {
        out.push(
            r("moves", Period::Year)
                .with_breakdown(Breakdown::one("move_type", kind))
                .count(n)
                .note(opt_note.clone()),
        );
    }

    out.push(r("placement-type", Period::Snapshot).percent(t.cla, t.cla));
    // Groups, then codes, each in label order (as a sorted map would give).
    let present = |counts: &[u64], label: fn(usize) -> &'static str| {
        let mut v: Vec<(&'static str, u64)> = counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, &n)| (label(i), n))
            .collect();
        v.sort_unstable();
        v
    };
    for (key, cells) in [
        ("group", present(&t.groups, group_label)),
        ("place", present(&t.places, place_label)),
    ] {
        for (value, n) in cells {
            out.push(
                r("placement-type", Period::Snapshot)
                    .with_breakdown(Breakdown::one(key, value))
                    .percent(n, t.cla),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
