//! # regional-benchmarking
//!
//! Compares English local authorities with England, their region and their
//! DfE statistical neighbours (April 2021 groupings and the 2025 model), the
//! way regional IRO groups do by hand, with the statistics done right:
//!
//! * five indicators as the DfE publishes them — children looked after per
//!   10,000, starts per 10,000, 3+ placements in the year (%), long-term
//!   stability (%), placed more than 20 miles from home (%, at 31 March and
//!   for new placements) — for every authority from the published figures,
//!   and for an input authority also from its own 903 ([`computed`]);
//! * in every comparison group: rank and quartile, the funnel-plot position
//!   against exact and over-dispersion adjusted limits with φ̂ and τ̂²
//!   (`iro-stats`), and the five-year trend ([`trend`]).
//!
//! Two ways in: [`RegionalBenchmarking`], a built-in metric that runs in
//! `iro run` for each input authority and year; and [`Benchmark`], which
//! benchmarks any set of authorities from the reference data alone
//! (`iro benchmark --reference-only`). Both write the same tidy rows; every
//! definition is in docs/METHODS.md ("Regional benchmarking").
//!
//! **Invariants:** no IO, no suppression (the engine's), no panic; a figure
//! that cannot be had is a row with no value and the reason in `note`, never
//! a zero. Published figures are used exactly as published (`iro-reference`).

pub mod compare;
pub mod computed;
pub mod figure;
pub mod indicator;
pub mod table;
pub mod trend;

use iro_domain::{CollectionYear, LaCode, TableKind};
use iro_metric_api::{
    AreaCode, ComputedFrom, DerivedInput, DerivedMetric, DerivedTask, MeasureId, MeasureSpec,
    MetricError, MetricRow, MetricSpec, ParamSpec, Params, Reference, Relation, SourceFigure,
    Subject, Term, Unit,
};
use iro_reference::Geography;
use iro_stats::Adjustment;
use rayon::prelude::*;

pub use compare::{Comparator, Group, GroupId, Options, level_label};
pub use figure::{
    Counts, Figure, PublishedFigures, Source, published_figure, published_release,
    round_half_up_ratio,
};
pub use indicator::Indicator;
pub use table::{RankingTable, TableRequest};
pub use trend::Trend;

/// The metric id: rows are `regional-benchmarking.<measure>`.
pub const METRIC_ID: &str = "regional-benchmarking";

/// Parameter names.
pub const LEVELS: &str = "levels";
pub const ADJUSTMENT: &str = "adjustment";
pub const SELECTION: &str = "selection";
pub const SMALL_COUNT: &str = "small_count";
pub const TREND_YEARS: &str = "trend_years";
pub const DETAIL: &str = "detail";

/// The ids of this metric's measures (the `metric` column): the report,
/// the charts, targets and benchmarking name measures by these, never by text.
pub const CLA_RATE: MeasureId = MeasureId::new("regional-benchmarking.cla-rate");
pub const STARTS_RATE: MeasureId = MeasureId::new("regional-benchmarking.starts-rate");
pub const THREE_PLUS_PLACEMENTS: MeasureId =
    MeasureId::new("regional-benchmarking.three-plus-placements");
pub const LONG_TERM_STABILITY: MeasureId =
    MeasureId::new("regional-benchmarking.long-term-stability");
pub const OVER_20_MILES: MeasureId = MeasureId::new("regional-benchmarking.over-20-miles");
pub const NEW_PLACEMENTS_OVER_20_MILES: MeasureId =
    MeasureId::new("regional-benchmarking.new-placements-over-20-miles");
pub const COMPARATOR_VALUE: MeasureId = MeasureId::new("regional-benchmarking.comparator-value");
pub const RANK: MeasureId = MeasureId::new("regional-benchmarking.rank");
pub const QUARTILE: MeasureId = MeasureId::new("regional-benchmarking.quartile");
pub const Z_SCORE: MeasureId = MeasureId::new("regional-benchmarking.z-score");
pub const FUNNEL_LOWER: MeasureId = MeasureId::new("regional-benchmarking.funnel-lower");
pub const FUNNEL_UPPER: MeasureId = MeasureId::new("regional-benchmarking.funnel-upper");
pub const FUNNEL_POSITION: MeasureId = MeasureId::new("regional-benchmarking.funnel-position");
pub const OVERDISPERSION_PHI: MeasureId =
    MeasureId::new("regional-benchmarking.overdispersion-phi");
pub const OVERDISPERSION_TAU2: MeasureId =
    MeasureId::new("regional-benchmarking.overdispersion-tau2");
pub const TREND_CHANGE: MeasureId = MeasureId::new("regional-benchmarking.trend-change");
pub const TREND_SLOPE: MeasureId = MeasureId::new("regional-benchmarking.trend-slope");

const fn measure(id: MeasureId, title: &'static str, unit: Unit) -> MeasureSpec {
    MeasureSpec {
        id,
        title,
        unit,
        additive_breakdowns: &[],
        subject: Subject::Children,
    }
}

static MEASURES: [MeasureSpec; 17] = [
    measure(
        CLA_RATE,
        "Children looked after at 31 March per 10,000 children aged 0-17 (source=published|903)",
        Unit::Per10000,
    ),
    measure(
        STARTS_RATE,
        "Children who started to be looked after per 10,000 children aged 0-17",
        Unit::Per10000,
    ),
    measure(
        THREE_PLUS_PLACEMENTS,
        "Children looked after at 31 March with 3 or more placements in the year",
        Unit::Percent,
    ),
    measure(
        LONG_TERM_STABILITY,
        "Looked after 2.5+ years, aged under 16, same carer for 2+ years",
        Unit::Percent,
    ),
    measure(
        OVER_20_MILES,
        "Children looked after at 31 March placed more than 20 miles from home",
        Unit::Percent,
    ),
    measure(
        NEW_PLACEMENTS_OVER_20_MILES,
        "New placements in the year more than 20 miles from home",
        Unit::Percent,
    ),
    measure(
        COMPARATOR_VALUE,
        "The comparison group's figure, the funnel's centre line (in the indicator's unit)",
        Unit::Mean,
    ),
    measure(
        RANK,
        "Rank in the comparison group, 1 = lowest (denominator = authorities ranked)",
        Unit::Mean,
    ),
    measure(
        QUARTILE,
        "Quartile in the comparison group by rank, 1 = lowest values",
        Unit::Mean,
    ),
    measure(
        Z_SCORE,
        "z against the centre line (limits=exact: null; limits=adjusted: over-dispersion adjusted)",
        Unit::Mean,
    ),
    measure(
        FUNNEL_LOWER,
        "Lower funnel limit at the authority's denominator (in the indicator's unit)",
        Unit::Mean,
    ),
    measure(
        FUNNEL_UPPER,
        "Upper funnel limit at the authority's denominator (in the indicator's unit)",
        Unit::Mean,
    ),
    measure(
        FUNNEL_POSITION,
        "Position on the funnel: -1 below the lower limit, 0 within, 1 above",
        Unit::Mean,
    ),
    measure(
        OVERDISPERSION_PHI,
        "Over-dispersion phi of the group's funnel (denominator = units)",
        Unit::Mean,
    ),
    measure(
        OVERDISPERSION_TAU2,
        "DerSimonian-Laird tau-squared of the group's funnel (denominator = units)",
        Unit::Mean,
    ),
    measure(
        TREND_CHANGE,
        "Change over the trend window (per 10,000 or percentage points)",
        Unit::Mean,
    ),
    measure(
        TREND_SLOPE,
        "Least-squares slope over the trend window, per year",
        Unit::Mean,
    ),
];

/// The id of this metric's measure `name` (the part after the dot).
///
/// # Panics
/// When there is no such measure: a bug, reported as the task's failure.
pub fn measure_id(name: &str) -> MeasureId {
    // A match, not a search of [`MEASURES`]: every benchmarking row is made
    // through here (400,000 on a national run). The test
    // `measure_ids_are_found_by_name` checks it against the list.
    match name {
        "cla-rate" => CLA_RATE,
        "starts-rate" => STARTS_RATE,
        "three-plus-placements" => THREE_PLUS_PLACEMENTS,
        "long-term-stability" => LONG_TERM_STABILITY,
        "over-20-miles" => OVER_20_MILES,
        "new-placements-over-20-miles" => NEW_PLACEMENTS_OVER_20_MILES,
        "comparator-value" => COMPARATOR_VALUE,
        "rank" => RANK,
        "quartile" => QUARTILE,
        "z-score" => Z_SCORE,
        "funnel-lower" => FUNNEL_LOWER,
        "funnel-upper" => FUNNEL_UPPER,
        "funnel-position" => FUNNEL_POSITION,
        "overdispersion-phi" => OVERDISPERSION_PHI,
        "overdispersion-tau2" => OVERDISPERSION_TAU2,
        "trend-change" => TREND_CHANGE,
        "trend-slope" => TREND_SLOPE,
        _ => panic!("{METRIC_ID} declares no measure `{name}`"),
    }
}

static SPEC: std::sync::LazyLock<MetricSpec> = std::sync::LazyLock::new(|| MetricSpec {
    id: METRIC_ID,
    title: "Benchmarking against England, the region and statistical neighbours: rates per 10,000 and placement indicators, ranks, quartiles, funnel positions and five-year trends",
    version: env!("CARGO_PKG_VERSION"),
    // The 903 figures come from the episodes (cohort-summary, stability,
    // distance): a year whose Episodes table is not fit for figures (the
    // engine's data-quality gate) is not computable. Reference-only
    // benchmarking (`iro benchmark --reference-only`) needs no input.
    requires: &[TableKind::Episodes],
    // A derived metric reads rows, not the cohort: the source metrics' own
    // column needs were applied to their rows.
    needs: &[],
    measures: &MEASURES,
    params: &*PARAMS,
});

static PARAMS: std::sync::LazyLock<[ParamSpec; 6]> = std::sync::LazyLock::new(|| {
    let d = Options::default();
    [
        ParamSpec {
            name: LEVELS,
            default: serde_json::Value::from(d.levels.clone()),
            help: "Two-sided funnel levels, each strictly between 0 and 1 (1 to 6 of them).",
        },
        ParamSpec {
            name: ADJUSTMENT,
            default: serde_json::Value::from("random-effects"),
            help: "Over-dispersion adjustment of the adjusted limits: random-effects (DerSimonian-Laird tau-squared), multiplicative (phi) or none.",
        },
        ParamSpec {
            name: SELECTION,
            default: serde_json::Value::Array(Vec::new()),
            help: "DfE codes of a benchmarking group (e.g. a regional IRO group): adds comparator=selection for its members, centred on the mean of their values (unweighted, as the DfE's statistical neighbour average).",
        },
        ParamSpec {
            name: SMALL_COUNT,
            default: serde_json::Value::from(d.small_count),
            help: "A 903 figure whose numerator (or percentage denominator) is from 1 to this gets no rank, quartile, z-score or funnel position, which would reveal the suppressed count. The CLI sets it to [suppression] threshold.",
        },
        ParamSpec {
            name: TREND_YEARS,
            default: serde_json::Value::from(d.trend_years),
            help: "Years in the trend window, ending with the year reported (3 to 10).",
        },
        ParamSpec {
            name: DETAIL,
            default: serde_json::Value::from("summary"),
            help: "summary: rank, quartile, positions against the exact and adjusted limits, and the adjusted limits; full: also the z-scores and the exact limits.",
        },
    ]
});

impl Options {
    /// Reads the metric's parameters (merged over the defaults); codes in
    /// `selection` must be authorities in the reference data.
    pub fn from_params(params: &Params, reference: &Reference) -> Result<Self, MetricError> {
        let bad = |name: &str, reason: String| MetricError::BadParameter {
            name: name.to_string(),
            reason,
        };
        let mut o = Options::default();
        if let Some(v) = params.get(LEVELS).filter(|v| !v.is_null()) {
            let reason = || {
                "expected a list of 1 to 6 levels strictly between 0 and 1, e.g. [0.95, 0.998]"
                    .to_string()
            };
            let list = v.as_array().ok_or_else(|| bad(LEVELS, reason()))?;
            let mut levels = Vec::new();
            for x in list {
                let l = x
                    .as_f64()
                    .filter(|l| l.is_finite() && *l > 0.0 && *l < 1.0)
                    .ok_or_else(|| bad(LEVELS, reason()))?;
                if !levels.contains(&l) {
                    levels.push(l);
                }
            }
            if levels.is_empty() || levels.len() > 6 {
                return Err(bad(LEVELS, reason()));
            }
            o.levels = levels;
        }
        if let Some(v) = params.get(ADJUSTMENT).filter(|v| !v.is_null()) {
            o.adjustment = match v.as_str() {
                Some("random-effects") => Adjustment::RandomEffects,
                Some("multiplicative") => Adjustment::Multiplicative,
                Some("none") => Adjustment::None,
                _ => {
                    return Err(bad(
                        ADJUSTMENT,
                        "expected \"random-effects\", \"multiplicative\" or \"none\"".into(),
                    ));
                }
            };
        }
        if let Some(v) = params.get(SELECTION).filter(|v| !v.is_null()) {
            let list = v.as_array().ok_or_else(|| {
                bad(
                    SELECTION,
                    "expected a list of DfE codes, e.g. [\"800\", \"801\"]".into(),
                )
            })?;
            for x in list {
                let text = match x {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => return Err(bad(SELECTION, format!("`{x}` is not a DfE code"))),
                };
                let la: LaCode = text
                    .parse()
                    .map_err(|_| bad(SELECTION, format!("`{text}` is not a DfE 3-digit code")))?;
                if reference.la_record(la).is_none() {
                    return Err(bad(
                        SELECTION,
                        format!("{la} is not an authority in the reference data"),
                    ));
                }
                if !o.selection.contains(&la) {
                    o.selection.push(la);
                }
            }
        }
        if let Some(v) = params.get(SMALL_COUNT).filter(|v| !v.is_null()) {
            o.small_count = v
                .as_u64()
                .ok_or_else(|| bad(SMALL_COUNT, "expected a whole number, 0 or more".into()))?;
        }
        if let Some(v) = params.get(DETAIL).filter(|v| !v.is_null()) {
            o.full_detail = match v.as_str() {
                Some("summary") => false,
                Some("full") => true,
                _ => return Err(bad(DETAIL, "expected \"summary\" or \"full\"".into())),
            };
        }
        if let Some(v) = params.get(TREND_YEARS).filter(|v| !v.is_null()) {
            o.trend_years = v
                .as_u64()
                .filter(|n| (3..=10).contains(n))
                .map(|n| n as u32)
                .ok_or_else(|| bad(TREND_YEARS, "expected a whole number from 3 to 10".into()))?;
        }
        Ok(o)
    }
}

/// The built-in metric: the input authority's 903 figures and its published
/// ones, compared with the published figures of England, its region, its
/// statistical neighbours (and the `selection`).
///
/// A derived metric ([`DerivedMetric`]): the engine computes it after the
/// per-authority metrics, and it reads each 903 figure from their rows where
/// its [`Sources`] say, so the figures benchmarked are exactly the ones those
/// metrics report.
#[derive(Debug, Clone)]
pub struct RegionalBenchmarking {
    sources: Sources,
    /// The 903 value rows show the same counts as the rows they are read
    /// from: declared so that the engine's secondary suppression hides both
    /// or neither.
    relations: Vec<Relation>,
}

/// Where each indicator's 903 figure is read from in the table, at the
/// source metric's default parameters (the DfE's definitions). An indicator
/// with no source has no 903 figure. The engine's registry gives these: this
/// crate does not know the metrics it reads.
pub type Sources = &'static [(Indicator, SourceFigure)];

impl RegionalBenchmarking {
    pub fn new(sources: Sources) -> Self {
        let mut relations = Vec::new();
        for (indicator, source) in sources {
            let id = measure_id(indicator.id());
            relations.push(Relation::Sum {
                total: Term::num(id).only("source=903"),
                parts: source.numerator,
            });
            // A rate's denominator is the population: not a count.
            if !indicator.is_rate() {
                relations.push(Relation::Sum {
                    total: Term::den(id).only("source=903"),
                    parts: std::slice::from_ref(&source.denominator),
                });
            }
        }
        RegionalBenchmarking { sources, relations }
    }

    pub fn sources(&self) -> Sources {
        self.sources
    }
}

impl DerivedMetric for RegionalBenchmarking {
    fn spec(&self) -> &MetricSpec {
        &SPEC
    }

    /// Every authority and year of the run at once: the published figures
    /// and the comparison groups (England's and each region's are the same
    /// for all their members) are built once; then each authority in
    /// parallel, its 903 five-year trend drawn from its years together.
    fn derive(&self, input: &DerivedInput<'_>) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        let reference = input.reference;
        let options = match Options::from_params(input.params, reference) {
            Ok(o) => o,
            Err(e) => return input.tasks.iter().map(|_| Err(e.clone())).collect(),
        };
        // Tasks by authority (consecutive tasks of one authority together).
        let mut by_la: Vec<(LaCode, Vec<usize>)> = Vec::new();
        for (k, t) in input.tasks.iter().enumerate() {
            match by_la.last_mut() {
                Some((la, ks)) if *la == t.la => ks.push(k),
                _ => by_la.push((t.la, vec![k])),
            }
        }
        let years_of = |ks: &[usize]| -> Vec<CollectionYear> {
            ks.iter().map(|&k| input.tasks[k].year).collect()
        };
        let mut all_years: Vec<CollectionYear> = input
            .tasks
            .iter()
            .flat_map(|t| trend::window(t.year, options.trend_years))
            .collect();
        all_years.sort();
        all_years.dedup();
        let published = PublishedFigures::load(reference, &all_years);
        let mut wanted = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (la, ks) in &by_la {
            if reference.la_record(*la).is_some() {
                for w in compare::wanted_groups(reference, &options, &[*la], &years_of(ks)) {
                    if seen.insert(w.0.clone()) {
                        wanted.push(w);
                    }
                }
            }
        }
        // With more than one authority, every member of England's and the
        // regions' funnels is placed once, in parallel.
        let groups =
            compare::build_wanted(reference, &published, &options, &wanted, by_la.len() > 1);
        let row_ctx = compare::RowContext {
            reference,
            published: &published,
            options: &options,
            groups: &groups,
        };
        // Each authority's results in its tasks' order; the authorities in
        // theirs: flattened, the tasks' order.
        let per_la: Vec<Vec<Result<Vec<MetricRow>, MetricError>>> = by_la
            .par_iter()
            .map(|(la, ks)| {
                let la = *la;
                if reference.la_record(la).is_none() {
                    let e = MetricError::NotComputable(format!(
                        "authority {la} is not in the reference data: no published figures to compare with"
                    ));
                    return ks.iter().map(|_| Err(e.clone())).collect();
                }
                let tasks: Vec<DerivedTask> = ks.iter().map(|&k| input.tasks[k]).collect();
                let computed: Vec<Vec<Figure>> = tasks
                    .iter()
                    .map(|t| computed::figures(input, self.sources, t.la, t.year))
                    .collect();
                let code = AreaCode::of_la(la);
                tasks
                    .iter()
                    .zip(&computed)
                    .map(|(t, figures)| {
                        let mut rows = row_ctx.authority_rows(la, t.year, figures);
                        rows.extend(ssda903_trend_rows(
                            code,
                            t.year,
                            computed.iter().flatten(),
                            &options,
                        ));
                        Ok(rows)
                    })
                    .collect()
            })
            .collect();
        per_la.into_iter().flatten().collect()
    }

    fn relations(&self) -> &[Relation] {
        &self.relations
    }

    fn computed_from(&self, row: &MetricRow, params: &Params) -> Option<ComputedFrom> {
        computed_from(row, params)
    }
}

/// The value row a comparison or trend row is computed from: a rank,
/// quartile, z-score or funnel row from its figure in the same year; a
/// trend row from its figure in every year of the window. The engine
/// withholds it when suppression hides one of those (docs/METHODS.md,
/// "Suppression"). Centre lines and over-dispersion are computed from the
/// published figures of the group, which the engine does not hide.
pub fn computed_from(row: &MetricRow, params: &Params) -> Option<ComputedFrom> {
    let indicator = Indicator::parse(row.breakdown.get("indicator")?)?;
    let source = row.breakdown.get("source")?;
    let first = if row.metric == TREND_CHANGE || row.metric == TREND_SLOPE {
        let n = params
            .get(TREND_YEARS)
            .and_then(serde_json::Value::as_u64)
            .filter(|n| (3..=10).contains(n))
            .unwrap_or(u64::from(Options::default().trend_years));
        row.year - i32::try_from(n).unwrap_or(5) + 1
    } else if [
        RANK,
        QUARTILE,
        Z_SCORE,
        FUNNEL_LOWER,
        FUNNEL_UPPER,
        FUNNEL_POSITION,
    ]
    .contains(&row.metric)
    {
        row.year
    } else {
        return None;
    };
    Some(ComputedFrom {
        metric: measure_id(indicator.id()),
        breakdown: iro_metric_api::Breakdown::of_static(&[("source", source)]),
        years: first..=row.year,
    })
}

/// The 903 trend rows of one year from the figures of the years computed
/// together: only when every figure in the window could be shown (none with
/// a small count), so the trend reveals nothing suppression hides.
fn ssda903_trend_rows<'a>(
    code: AreaCode,
    year: CollectionYear,
    figures: impl Iterator<Item = &'a Figure> + Clone,
    options: &Options,
) -> Vec<MetricRow> {
    let window: Vec<CollectionYear> = trend::window(year, options.trend_years).collect();
    let mut rows = Vec::new();
    for indicator in Indicator::ALL {
        let inside: Vec<&Figure> = figures
            .clone()
            .filter(|f| f.indicator == indicator && window.contains(&f.year))
            .collect();
        if inside
            .iter()
            .any(|f| compare::is_small(f, options.small_count))
        {
            continue;
        }
        let series: Vec<(i32, f64)> = inside
            .iter()
            .filter_map(|f| f.value().map(|v| (f.year.0, v)))
            .collect();
        if series.iter().any(|p| p.0 == year.0)
            && let Some(t) = Trend::of(&series)
        {
            rows.extend(t.rows(code, year, indicator, Source::Ssda903));
        }
    }
    rows
}

/// Benchmarking from the reference data alone (no 903): every comparison of
/// every authority asked for, in parallel.
#[derive(Debug)]
pub struct Benchmark<'r> {
    reference: &'r Reference,
    options: Options,
    published: PublishedFigures,
    years: Vec<CollectionYear>,
}

impl<'r> Benchmark<'r> {
    /// Loads the published figures of `years` and of their trend windows.
    pub fn new(reference: &'r Reference, years: &[CollectionYear], options: Options) -> Self {
        let mut all: Vec<CollectionYear> = years
            .iter()
            .flat_map(|&y| trend::window(y, options.trend_years))
            .collect();
        all.sort();
        all.dedup();
        let mut years = years.to_vec();
        years.sort();
        years.dedup();
        Benchmark {
            reference,
            published: PublishedFigures::load(reference, &all),
            options,
            years,
        }
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn published(&self) -> &PublishedFigures {
        &self.published
    }

    /// Rows for each authority of `las` in each year it existed (value rows
    /// `source=published`, comparisons, trend) and the value and trend rows of
    /// each of `areas` (England, regions), sorted as the engine sorts.
    pub fn rows(&self, las: &[LaCode], areas: &[Geography]) -> Vec<MetricRow> {
        let mut las = las.to_vec();
        las.sort();
        las.dedup();
        let groups = compare::build_groups(
            self.reference,
            &self.published,
            &self.options,
            &las,
            &self.years,
            true,
        );
        let ctx = compare::RowContext {
            reference: self.reference,
            published: &self.published,
            options: &self.options,
            groups: &groups,
        };
        // Tasks in output order, each sorted on its own: the whole is then
        // (nearly) sorted already and the final sort is cheap.
        let mut tasks: Vec<(String, CollectionYear, Option<LaCode>, Option<&Geography>)> = las
            .iter()
            .flat_map(|&la| self.years.iter().map(move |&y| (la, y)))
            .filter(|&(la, y)| self.reference.is_current(la, y))
            .map(|(la, y)| (la.to_string(), y, Some(la), None))
            .collect();
        for area in areas {
            for &y in &self.years {
                tasks.push((area.to_string(), y, None, Some(area)));
            }
        }
        tasks.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let parts: Vec<Vec<MetricRow>> = tasks
            .par_iter()
            .map(|(_, y, la, area)| {
                let mut rows = match (la, area) {
                    (Some(la), _) => ctx.authority_rows(*la, *y, &[]),
                    (None, Some(area)) => ctx.area_rows(area, *y),
                    (None, None) => Vec::new(),
                };
                sort_rows(&mut rows);
                rows
            })
            .collect();
        let mut rows: Vec<MetricRow> = Vec::with_capacity(parts.iter().map(Vec::len).sum());
        for p in parts {
            rows.extend(p);
        }
        sort_rows(&mut rows);
        rows
    }
}

/// The order rows are written in (the engine's: authority, year, metric,
/// period, breakdown).
pub fn sort_rows(rows: &mut [MetricRow]) {
    rows.sort_by(MetricRow::table_order);
}

#[cfg(test)]
mod tests;
