//! The standard set of charts `iro run` writes beside the tidy tables: for
//! each authority, `charts/<la>/<name>.svg`, `.png` and `.csv` (the table of
//! exactly what is drawn).
//!
//! | name | kind | drawn from |
//! |---|---|---|
//! | `cla-rate-trend` | lines | `cohort-summary.cla-rate`: the authority, its region and England, five years |
//! | `cla-rate-funnel` | funnel | `cohort-summary.cla-rate` of every authority with a figure that year (the run's own, else the DfE's published), latest year; titled with exactly how many and from where, and not drawn for fewer than [`MIN_FUNNEL_AUTHORITIES`] or when the highlighted authority has no figure |
//! | `review-timeliness-quarterly` | bars + target | `review-timeliness.on-time` by quarter |
//! | `distance-bands` | stacked bars | `placement-distance.distance-band` by `band`, five years |
//! | `legal-status` | stacked bars | `cohort-summary.profile` by `legal_status`, five years |
//! | `participation` | stacked bars | `participation.distribution` by `code`, by quarter and year |
//! | `placement-types` | stacked bars | `placement-stability.placement-type` by `group`, five years |
//!
//! England, regional and other authorities' rates come from the run's rows
//! where present (e.g. benchmarking rows), else from the DfE's published
//! figures in the bundled reference data ([`published_rows`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use iro_metric_api::{
    AreaCode, Breakdown, CellStatus, MeasureId, MetricRow, Period, Suppression, Unit,
};
use iro_reference::{Geography, Measure, Reference};
use rayon::prelude::*;

use crate::build::{self, Area, Areas, Categories, ENGLAND, Rows, is_authority_code};
use crate::model::{AreaRole, Chart, ChartMeta, FunnelChart, SegmentColours, TargetLine};
use crate::style::{format_number, year_label};
use crate::{ChartError, DEFAULT_SIZE, data_table, png, svg};

/// The metric the trend and funnel charts draw.
pub const CLA_RATE: MeasureId = cohort_summary::CLA_RATE;
/// The metric of the quarterly timeliness chart.
pub const REVIEWS_ON_TIME: MeasureId = review_timeliness::ON_TIME;

/// A funnel plot of fewer authorities than this is not drawn: it would
/// compare an authority with a handful of others, not with England's spread
/// (the DfE published authority figures for only 15 to 19 authorities a year
/// before 2020-21 in the bundled reference data).
pub const MIN_FUNNEL_AUTHORITIES: usize = 10;

/// A local target, as `[[targets]]` in `iro.toml` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalTarget {
    /// A metric id, e.g. `review-timeliness.on-time`.
    pub metric: String,
    /// The breakdown it applies to; empty = the all-children row.
    pub breakdown: Breakdown,
    /// The period it applies to: `None` = every quarter and the year
    /// (`"each-quarter"`), else one period.
    pub period: Option<Period>,
    pub bound: Bound,
    /// e.g. "Reviews held within statutory timescale".
    pub label: String,
    /// Only these authorities (DfE codes); empty: every authority.
    pub las: Vec<String>,
}

/// Which side of the target is good.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    AtLeast(f64),
    AtMost(f64),
}

impl Bound {
    pub fn value(self) -> f64 {
        match self {
            Bound::AtLeast(v) | Bound::AtMost(v) => v,
        }
    }
}

impl LocalTarget {
    /// The line drawn on a chart of `unit`.
    pub fn line(&self, unit: Unit) -> TargetLine {
        let (words, v) = match self.bound {
            Bound::AtLeast(v) => ("at least", v),
            Bound::AtMost(v) => ("at most", v),
        };
        let suffix = if unit == Unit::Percent { "%" } else { "" };
        let what = if self.label.is_empty() {
            "Target".to_string()
        } else {
            format!("Target ({})", self.label)
        };
        TargetLine {
            value: v,
            label: format!(
                "{what}: {words} {}{suffix}",
                format_number(v, if v.fract() == 0.0 { 0 } else { 1 })
            ),
        }
    }

    /// Whether this target applies to quarterly figures of `metric` for `la`.
    fn applies_to_quarters(&self, metric: MeasureId, la: &str) -> bool {
        metric == self.metric.as_str()
            && (self.las.is_empty() || self.las.iter().any(|l| l == la))
            && self.breakdown.is_empty()
            && matches!(
                self.period,
                None | Some(Period::Year | Period::Q1 | Period::Q2 | Period::Q3 | Period::Q4)
            )
    }
}

/// What the standard set draws.
#[derive(Debug, Clone)]
pub struct Options {
    /// Years on trend and stacked-bar charts, ending at the latest.
    pub years: usize,
    /// Local targets; the first for `review-timeliness.on-time` draws the
    /// line on the quarterly chart.
    pub targets: Vec<LocalTarget>,
    /// PNG size in pixels.
    pub png_size: (u32, u32),
    /// Write PNGs as well as SVGs.
    pub png: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            years: 5,
            targets: Vec::new(),
            png_size: DEFAULT_SIZE,
            png: true,
        }
    }
}

/// One chart of the set.
#[derive(Debug, Clone)]
pub struct NamedChart {
    /// The authority it is about.
    pub la_code: String,
    /// File stem, e.g. `cla-rate-trend`.
    pub name: String,
    pub chart: Chart,
}

/// A chart of the set that was not drawn, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub la_code: String,
    pub name: String,
    pub reason: String,
}

/// The charts made, and those skipped.
#[derive(Debug, Default)]
pub struct ChartSet {
    pub charts: Vec<NamedChart>,
    pub skipped: Vec<Skipped>,
}

/// Names of every authority, region and England, and each authority's region.
pub fn areas_from_reference(reference: &Reference) -> Areas {
    let mut areas = Areas::new();
    areas.insert(ENGLAND, "England");
    for r in reference.regions() {
        areas.insert(r.ons_code.clone(), r.name.clone());
    }
    for la in reference.las() {
        let code = la.code().to_string();
        areas.insert(code.clone(), la.identity.name.clone());
        areas.set_region(code, la.identity.region.ons_code.clone());
    }
    areas
}

/// How the note of a [`published_rows`] row begins.
const PUBLISHED_NOTE: &str = "DfE published:";

/// The DfE's published children-looked-after counts at 31 March as rows of
/// `cohort-summary.cla-rate` (rate per 10,000 children aged 0 to 17), for
/// England, every region and every authority. The rate is recomputed from
/// the count and population to one decimal (DfE print whole numbers);
/// national and regional counts are rounded to the nearest 10 by DfE. A
/// count DfE withheld is a suppressed row, never zero.
pub fn published_rows(reference: &Reference) -> Vec<MetricRow> {
    let mut rows = Vec::new();
    for f in reference.published_all() {
        if f.measure != Measure::Cla31March {
            continue;
        }
        let la_code = f.geography.to_string();
        match &f.geography {
            // Inner and Outer London: not a comparator here.
            Geography::Region(code) if code.starts_with("E13") => continue,
            // An authority abolished or not yet created that year.
            Geography::La(code) if !reference.is_current(*code, f.year) => continue,
            _ => {}
        }
        let population = f.population_used.value().or_else(|| {
            reference
                .denominator_for(f.geography.clone(), f.year)
                .map(|d| d.population)
        });
        let mut row = MetricRow::new(
            AreaCode::new(&la_code),
            f.year.0,
            Period::Snapshot,
            CLA_RATE,
            Unit::Per10000,
        )
        .note(format!("{PUBLISHED_NOTE} {}", f.release));
        row.denominator = population;
        match (f.count.value(), population) {
            (Some(n), Some(p)) => row = row.per_10000(n, p),
            (Some(n), None) => row.numerator = Some(n),
            (None, _) if f.count.symbol() == Some("c") => {
                row.status = CellStatus::Suppressed(Suppression::Published);
            }
            (None, _) => {}
        }
        rows.push(row);
    }
    rows
}

/// The standard set for every authority with rows in `rows` (the run's
/// suppressed tidy rows), comparing with `comparators` (e.g.
/// [`published_rows`]) where the run has no row of its own.
pub fn standard_set(
    rows: &[MetricRow],
    comparators: &[MetricRow],
    areas: &Areas,
    options: &Options,
) -> ChartSet {
    let index = Rows::new(rows.iter().chain(comparators));
    let mut latest: BTreeMap<&str, i32> = BTreeMap::new();
    for r in rows.iter().filter(|r| is_authority_code(&r.la_code)) {
        let y = latest.entry(r.la_code.as_str()).or_insert(r.year);
        *y = (*y).max(r.year);
    }
    // One funnel per year, of the published figures only (every
    // authority's, England's as the centre line): the units regional
    // benchmarking's England comparison uses, so its limits and φ̂ are the
    // ones in metrics.csv. Each authority's chart then puts its own figure
    // on it in place of its published one: never another input authority's
    // unpublished figure.
    let published = Rows::new(comparators.iter());
    let funnel_years: BTreeSet<i32> = latest.values().copied().collect();
    let funnels: BTreeMap<i32, Result<FunnelChart, String>> = funnel_years
        .par_iter()
        .map(|&y| {
            (
                y,
                cla_funnel(&published, areas, y).map_err(|e| e.to_string()),
            )
        })
        .collect();

    let per_la: Vec<(Vec<NamedChart>, Vec<Skipped>)> = latest
        .par_iter()
        .map(|(&la, &year)| {
            let mut made = Vec::new();
            let mut skipped = Vec::new();
            let mut push = |name: &str, res: Result<Chart, String>| match res {
                Ok(chart) => made.push(NamedChart {
                    la_code: la.to_string(),
                    name: name.to_string(),
                    chart,
                }),
                Err(reason) => skipped.push(Skipped {
                    la_code: la.to_string(),
                    name: name.to_string(),
                    reason,
                }),
            };
            let e = |e: ChartError| e.to_string();
            push(
                "cla-rate-trend",
                cla_trend(&index, areas, la, year, options)
                    .map(Chart::Lines)
                    .map_err(e),
            );
            push(
                "cla-rate-funnel",
                match funnels.get(&year) {
                    Some(Ok(f)) => own_funnel(&index, f, areas, la, year).map(Chart::Funnel),
                    Some(Err(reason)) => Err(reason.clone()),
                    None => Err("no funnel for the year".to_string()),
                },
            );
            push(
                "review-timeliness-quarterly",
                timeliness(&index, areas, la, year, options)
                    .map(Chart::Bars)
                    .map_err(e),
            );
            for (name, res) in stacked_set(&index, areas, la, year, options) {
                push(name, res.map(Chart::StackedBars).map_err(e));
            }
            (made, skipped)
        })
        .collect();
    let mut set = ChartSet::default();
    for (made, skipped) in per_la {
        set.charts.extend(made);
        set.skipped.extend(skipped);
    }
    set
}

fn year_range(latest: i32, n: usize) -> Vec<i32> {
    let n = n.max(1) as i32;
    (latest - n + 1..=latest).collect()
}

/// Where an authority's own rate comes from: its SSDA903 return (computed by
/// `cohort-summary`), or the DfE's published figure when the rows are
/// [`published_rows`] (a benchmark of published figures only).
fn own_source(index: &Rows<'_>, la: &str, year: i32) -> String {
    if is_published(index, la, year) {
        dfe_published(index, &[la], &[year], "published")
    } else {
        "SSDA903 return".to_string()
    }
}

fn cla_trend(
    index: &Rows<'_>,
    areas: &Areas,
    la: &str,
    year: i32,
    options: &Options,
) -> Result<crate::LineChart, ChartError> {
    let years = year_range(year, options.years);
    let name = areas.name(la);
    let mut list = vec![Area::new(la, name.clone(), AreaRole::Authority)];
    let mut compared = Vec::new();
    if let Some(region) = areas.region_of(la)
        && years.iter().any(|y| {
            index
                .find(region, CLA_RATE, *y, None, &Breakdown::default())
                .is_some()
        })
    {
        let region_name = areas.name(region);
        compared.push(region_name.clone());
        list.push(Area::new(region, region_name, AreaRole::Region));
    }
    if years.iter().any(|y| {
        index
            .find(ENGLAND, CLA_RATE, *y, None, &Breakdown::default())
            .is_some()
    }) {
        compared.push("England".to_string());
        list.push(Area::new(ENGLAND, "England", AreaRole::England));
    }
    let mut subtitle = name.clone();
    for (i, c) in compared.iter().enumerate() {
        subtitle.push_str(if i + 1 == compared.len() {
            " and "
        } else {
            ", "
        });
        subtitle.push_str(c);
    }
    subtitle.push_str(", at 31 March");
    let meta = ChartMeta::new("Children looked after per 10,000 children")
        .subtitle(subtitle)
        .axes(
            "Collection year (figures at 31 March)",
            "Children looked after",
        )
        .unit("per 10,000 children aged 0 to 17")
        .source(format!(
            "{name}: {}. England and regions: {}",
            own_source(index, la, year),
            dfe_published(
                index,
                &list[1..]
                    .iter()
                    .map(|a| a.code.as_str())
                    .collect::<Vec<_>>(),
                &years,
                "published counts; ONS mid-year population estimates"
            )
        ))
        .period(format!(
            "31 March {} to 31 March {}",
            years.first().copied().unwrap_or(year),
            year
        ));
    build::trend(
        index,
        CLA_RATE,
        Some(Period::Snapshot),
        &Breakdown::default(),
        &list,
        &years,
        meta,
    )
}

/// "DfE, Children looked after in England (published; DfE CLA 2025 release
/// (EES))": the publication, with the release(s) the published rows of
/// `areas` in `years` come from (the notes of [`published_rows`], so an
/// imported release's label when the reference overlay holds the year).
fn dfe_published(index: &Rows<'_>, areas: &[&str], years: &[i32], what: &str) -> String {
    let mut releases: Vec<&str> = Vec::new();
    for &y in years {
        for r in index.of_year(CLA_RATE, y) {
            if !areas.is_empty() && !areas.contains(&r.la_code.as_str()) {
                continue;
            }
            if let Some(release) = r.note.strip_prefix(PUBLISHED_NOTE).map(str::trim)
                && !release.is_empty()
                && !releases.contains(&release)
            {
                releases.push(release);
            }
        }
    }
    if releases.is_empty() {
        format!("DfE, Children looked after in England ({what})")
    } else {
        format!(
            "DfE, Children looked after in England ({what}; {})",
            releases.join("; ")
        )
    }
}

/// Whether an authority's rate in `year` is the DfE's published figure
/// ([`published_rows`]) rather than one the run computed from its return.
fn is_published(index: &Rows<'_>, la: &str, year: i32) -> bool {
    index
        .find(la, CLA_RATE, year, None, &Breakdown::default())
        .is_some_and(|r| r.note.starts_with(PUBLISHED_NOTE))
}

/// Exactly whom a funnel of `n` authorities compares, `from_returns` of
/// them computed by the run from SSDA903 returns, the rest DfE published.
pub fn funnel_comparison(n: usize, from_returns: usize, year: i32) -> String {
    let year = year_label(year);
    let published = n - from_returns.min(n);
    if from_returns == 0 {
        format!("the {n} authorities with a published figure for {year}")
    } else if published == 0 {
        format!("the {n} authorities of this run with a figure for {year}")
    } else {
        format!(
            "the {n} authorities with a figure for {year} ({published} published by the DfE, {from_returns} from SSDA903 returns in this run)"
        )
    }
}

/// The source line of one authority's funnel: its own figure (from its
/// SSDA903 return, or the DfE's published one), and the DfE's published
/// figures of every other authority and England.
fn funnel_source(index: &Rows<'_>, f: &FunnelChart, la: &str, year: i32) -> String {
    let others = f.points.iter().filter(|p| p.code != la).count();
    let dfe = dfe_published(index, &[], &[year], "published");
    let own = if is_published(index, la, year) {
        dfe.clone()
    } else {
        "its own SSDA903 return (not published)".to_string()
    };
    format!(
        "Highlighted: {own}. The other {others} authorities and England: {dfe}; \
         limits from the published figures"
    )
}

/// One authority's funnel: the year's published funnel with the authority
/// highlighted, its own figure from the run (its SSDA903 return) in place
/// of its published one, placed at its own denominator. The limits and the
/// other points stay the published ones.
fn own_funnel(
    index: &Rows<'_>,
    published: &FunnelChart,
    areas: &Areas,
    la: &str,
    year: i32,
) -> Result<FunnelChart, String> {
    let name = areas.name(la);
    let mut f = published.clone();
    let own = index
        .find(
            la,
            CLA_RATE,
            year,
            Some(Period::Snapshot),
            &Breakdown::default(),
        )
        .filter(|r| !r.note.starts_with(PUBLISHED_NOTE));
    if let Some(r) = own {
        match (r.numerator, r.denominator, crate::Cell::of_row(r)) {
            (Some(n), Some(d), crate::Cell::Value(_)) => {
                let units: Vec<iro_stats::Unit> = published
                    .points
                    .iter()
                    .map(|p| iro_stats::Unit::new(p.code.clone(), p.numerator, p.denominator))
                    .collect();
                let point = crate::FunnelPoint::new(name.clone(), la, n, d, true);
                build::place_on_funnel(&mut f, &units, point).map_err(|e| e.to_string())?;
                // Whom it compares, exactly: one figure from a return.
                let compared = funnel_comparison(f.points.len(), 1, year);
                f.meta.title = format!("{FUNNEL_TITLE}: {compared}");
                f.compared = Some(compared);
            }
            (_, _, cell) => {
                return Err(format!(
                    "{name} has no figure for 31 March {year} to highlight in the funnel plot (its own is {})",
                    if cell == crate::Cell::Suppressed {
                        "suppressed"
                    } else {
                        "not computable"
                    }
                ));
            }
        }
    }
    if !f.points.iter().any(|p| p.code == la) {
        return Err(format!(
            "{name} has no figure for 31 March {year} to highlight in the funnel plot"
        ));
    }
    f.highlight(&[la]);
    f.meta.subtitle = Some(format!("{name} highlighted; at 31 March {year}"));
    f.meta.source = funnel_source(index, &f, la, year);
    Ok(f)
}

/// The title of the funnel plot, before whom it compares.
const FUNNEL_TITLE: &str = "Children looked after per 10,000 children";

fn cla_funnel(index: &Rows<'_>, areas: &Areas, year: i32) -> Result<FunnelChart, ChartError> {
    let meta = ChartMeta::new(FUNNEL_TITLE)
        .axes(
            "Children aged 0 to 17 (ONS mid-year estimate)",
            "Children looked after",
        )
        .unit("per 10,000 children aged 0 to 17")
        .source(format!(
            "Highlighted: SSDA903 return. Other authorities and England: {}",
            dfe_published(index, &[], &[year], "published")
        ))
        .period(format!("31 March {year}"));
    build::funnel(
        index,
        CLA_RATE,
        year,
        Some(Period::Snapshot),
        &Breakdown::default(),
        areas,
        None,
        &[],
        None,
        meta,
    )
    .and_then(|mut chart| {
        let n = chart.points.len();
        if n < MIN_FUNNEL_AUTHORITIES {
            return Err(ChartError::NothingToDraw(format!(
                "only {n} authorities have a figure for 31 March {year}: too few for a funnel plot (at least {MIN_FUNNEL_AUTHORITIES})"
            )));
        }
        let from_returns = chart
            .points
            .iter()
            .filter(|p| !is_published(index, &p.code, year))
            .count();
        let compared = funnel_comparison(n, from_returns, year);
        chart.meta.title = format!("{FUNNEL_TITLE}: {compared}");
        chart.compared = Some(compared);
        Ok(chart)
    })
}

fn timeliness(
    index: &Rows<'_>,
    areas: &Areas,
    la: &str,
    year: i32,
    options: &Options,
) -> Result<crate::BarChart, ChartError> {
    let name = areas.name(la);
    let whole = index
        .find(
            la,
            REVIEWS_ON_TIME,
            year,
            Some(Period::Year),
            &Breakdown::default(),
        )
        .map(crate::Cell::of_row);
    let mut subtitle = format!("{name}, {}", year_label(year));
    match whole {
        Some(crate::Cell::Value(v)) => {
            subtitle.push_str(&format!("; whole year {}%", format_number(v, 1)))
        }
        Some(crate::Cell::Suppressed) => subtitle.push_str("; whole year c"),
        _ => {}
    }
    let target = options
        .targets
        .iter()
        .find(|t| t.applies_to_quarters(REVIEWS_ON_TIME, la))
        .map(|t| t.line(Unit::Percent));
    let meta = ChartMeta::new("Reviews held within statutory timescales, by quarter")
        .subtitle(subtitle)
        .axes("Quarter of the collection year", "Reviews held on time")
        .unit("% of reviews whose timeliness can be assessed")
        .source(format!("{name}: SSDA903 return (reviews, episodes)"))
        .period(format!("1 April {} to 31 March {year}", year - 1));
    build::quarter_bars(
        index,
        la,
        REVIEWS_ON_TIME,
        year,
        &Breakdown::default(),
        target,
        "Reviews on time",
        meta,
    )
}

type StackedResult = Result<crate::StackedBarChart, ChartError>;

fn stacked_set(
    index: &Rows<'_>,
    areas: &Areas,
    la: &str,
    year: i32,
    options: &Options,
) -> Vec<(&'static str, StackedResult)> {
    let name = areas.name(la);
    let years_of = |metric: MeasureId| -> Vec<i32> {
        let have: BTreeSet<i32> = index.years(la, metric).into_iter().collect();
        year_range(year, options.years)
            .into_iter()
            .filter(|y| have.contains(y))
            .collect()
    };
    let period_words = |years: &[i32]| match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("31 March {a} to 31 March {b}"),
        (Some(a), _) => format!("31 March {a}"),
        _ => String::new(),
    };
    let source = format!("{name}: SSDA903 return");
    let snapshot = |metric: MeasureId,
                    key: &str,
                    colours: SegmentColours,
                    title: &str,
                    note: &str|
     -> StackedResult {
        let years = years_of(metric);
        let meta = ChartMeta::new(title)
            .subtitle(format!("{name}, at 31 March each year{note}"))
            .axes(
                "Collection year (figures at 31 March)",
                "Children looked after",
            )
            .unit("%")
            .source(source.clone())
            .period(period_words(&years));
        build::stacked(
            index,
            la,
            metric,
            key,
            &Categories::Years {
                years,
                period: Some(Period::Snapshot),
            },
            colours,
            meta,
        )
    };
    vec![
        (
            "distance-bands",
            snapshot(
                placement_distance::DISTANCE_BAND,
                "band",
                SegmentColours::Sequential,
                "Distance from home to placement of children looked after",
                "; straight-line distance, home postcode to placement postcode",
            ),
        ),
        (
            "legal-status",
            snapshot(
                cohort_summary::PROFILE,
                "legal_status",
                SegmentColours::Categorical,
                "Legal status of children looked after",
                "",
            ),
        ),
        ("participation", {
            let meta = ChartMeta::new("How children took part in their reviews")
                .subtitle(format!(
                    "{name}, {}: participation codes (PN) of reviews held",
                    year_label(year)
                ))
                .axes("Quarter of the collection year", "Reviews held")
                .unit("%")
                .source(source.clone())
                .period(format!("1 April {} to 31 March {year}", year - 1));
            build::stacked(
                index,
                la,
                participation::DISTRIBUTION,
                "code",
                &Categories::Periods {
                    year,
                    periods: vec![Period::Q1, Period::Q2, Period::Q3, Period::Q4, Period::Year],
                },
                SegmentColours::Categorical,
                meta,
            )
        }),
        (
            "placement-types",
            snapshot(
                placement_stability::PLACEMENT_TYPE,
                "group",
                SegmentColours::Categorical,
                "Placement types of children looked after",
                "",
            ),
        ),
    ]
}

/// A chart drawn: its SVG, PNG (if asked for) and data table as CSV.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub svg: String,
    pub png: Option<Vec<u8>>,
    pub csv: String,
}

/// Draw one chart as SVG, PNG of `png_size` (if given) and CSV, in memory.
pub fn render_chart(chart: &Chart, png_size: Option<(u32, u32)>) -> Result<Rendered, ChartError> {
    Ok(Rendered {
        svg: svg(chart)?,
        png: match png_size {
            Some((w, h)) => Some(png(chart, w, h)?),
            None => None,
        },
        csv: data_table(chart).to_csv(),
    })
}

/// Write one chart as `<dir>/<name>.svg`, `.png` (if `png_size` is given) and
/// `.csv`; returns the paths written.
pub fn write_chart(
    dir: &Path,
    name: &str,
    chart: &Chart,
    png_size: Option<(u32, u32)>,
) -> Result<Vec<PathBuf>, ChartError> {
    let r = render_chart(chart, png_size)?;
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut written = Vec::with_capacity(3);
    let svg_path = dir.join(format!("{name}.svg"));
    std::fs::write(&svg_path, r.svg).map_err(|e| io(&svg_path, e))?;
    written.push(svg_path);
    if let Some(bytes) = r.png {
        let p = dir.join(format!("{name}.png"));
        std::fs::write(&p, bytes).map_err(|e| io(&p, e))?;
        written.push(p);
    }
    let csv_path = dir.join(format!("{name}.csv"));
    std::fs::write(&csv_path, r.csv).map_err(|e| io(&csv_path, e))?;
    written.push(csv_path);
    Ok(written)
}

/// Write every chart of `set` under `dir/<la>/`, in parallel. Returns the
/// paths written, sorted.
pub fn write_set(
    dir: &Path,
    set: &ChartSet,
    options: &Options,
) -> Result<Vec<PathBuf>, ChartError> {
    let png_size = options.png.then_some(options.png_size);
    let written: Vec<Vec<PathBuf>> = set
        .charts
        .par_iter()
        .map(|c| write_chart(&dir.join(&c.la_code), &c.name, &c.chart, png_size))
        .collect::<Result<_, _>>()?;
    let mut all: Vec<PathBuf> = written.into_iter().flatten().collect();
    all.sort();
    Ok(all)
}

fn io(path: &Path, error: std::io::Error) -> ChartError {
    ChartError::Io {
        path: path.to_path_buf(),
        error,
    }
}
