//! Charts from tidy metric rows.
//!
//! Every builder reads rows through a [`Rows`] index (built once, so a few
//! hundred charts over a national table stay fast) and fails with
//! [`ChartError::NothingToDraw`] when the rows hold nothing to draw. Rows
//! given first win: put the run's own rows before published reference rows.

use std::collections::{BTreeSet, HashMap};

use iro_metric_api::{Breakdown, MeasureId, MetricRow, Period, Unit};
use iro_stats::{FunnelSpec, Indicator, Target, TargetSource};

use crate::ChartError;
use crate::model::{
    AreaRole, BarChart, Cell, ChartMeta, FunnelChart, FunnelPoint, LineChart, LineSeries,
    SegmentColours, Series, StackedBarChart, TargetLine,
};
use crate::style::year_label;

/// ONS code of England in the `la_code` column.
pub const ENGLAND: &str = "E92000001";

/// Whether `code` is an authority's DfE 3-digit code (not England or a region).
pub fn is_authority_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Tidy rows indexed by metric and area, and by metric and year.
#[derive(Debug, Default)]
pub struct Rows<'a> {
    by_area: HashMap<MeasureId, HashMap<&'a str, Vec<&'a MetricRow>>>,
    by_year: HashMap<MeasureId, HashMap<i32, Vec<&'a MetricRow>>>,
}

impl<'a> Rows<'a> {
    /// Index `rows`, keeping their order.
    pub fn new(rows: impl IntoIterator<Item = &'a MetricRow>) -> Self {
        let mut r = Rows::default();
        for row in rows {
            r.by_area
                .entry(row.metric)
                .or_default()
                .entry(row.la_code.as_str())
                .or_default()
                .push(row);
            r.by_year
                .entry(row.metric)
                .or_default()
                .entry(row.year)
                .or_default()
                .push(row);
        }
        r
    }

    /// The rows of one area and metric.
    pub fn of(&self, la_code: &str, metric: MeasureId) -> &[&'a MetricRow] {
        self.by_area
            .get(&metric)
            .and_then(|m| m.get(la_code))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The rows of one metric and year, every area.
    pub fn of_year(&self, metric: MeasureId, year: i32) -> &[&'a MetricRow] {
        self.by_year
            .get(&metric)
            .and_then(|m| m.get(&year))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether any row has this metric id.
    pub fn has_metric(&self, metric: MeasureId) -> bool {
        self.by_area.contains_key(&metric)
    }

    /// Every metric id, sorted.
    pub fn metrics(&self) -> BTreeSet<MeasureId> {
        self.by_area.keys().copied().collect()
    }

    /// Every area code with a row of `metric`, sorted.
    pub fn areas(&self, metric: MeasureId) -> BTreeSet<&'a str> {
        self.by_area
            .get(&metric)
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The years one area has rows of `metric` for, increasing.
    pub fn years(&self, la_code: &str, metric: MeasureId) -> Vec<i32> {
        let set: BTreeSet<i32> = self.of(la_code, metric).iter().map(|r| r.year).collect();
        set.into_iter().collect()
    }

    /// The first row of an area, metric, year, period and breakdown. With no
    /// period given, the metric's whole-year or 31 March row.
    pub fn find(
        &self,
        la_code: &str,
        metric: MeasureId,
        year: i32,
        period: Option<Period>,
        breakdown: &Breakdown,
    ) -> Option<&'a MetricRow> {
        let matching = self
            .of(la_code, metric)
            .iter()
            .filter(|r| r.year == year && &r.breakdown == breakdown);
        match period {
            Some(p) => matching.clone().find(|r| r.period == p).copied(),
            None => matching
                .clone()
                .find(|r| matches!(r.period, Period::Year | Period::Snapshot))
                .or_else(|| matching.clone().next())
                .copied(),
        }
    }
}

/// Names of areas, and which region an authority is in.
#[derive(Debug, Clone, Default)]
pub struct Areas {
    names: HashMap<String, String>,
    regions: HashMap<String, String>,
}

impl Areas {
    /// No names: codes are printed as they are.
    pub fn new() -> Self {
        Areas::default()
    }

    /// Name an area.
    pub fn insert(&mut self, code: impl Into<String>, name: impl Into<String>) {
        self.names.insert(code.into(), name.into());
    }

    /// Put an authority in a region (by the region's ONS code).
    pub fn set_region(&mut self, la_code: impl Into<String>, region_code: impl Into<String>) {
        self.regions.insert(la_code.into(), region_code.into());
    }

    /// The area's name, or its code.
    pub fn name(&self, code: &str) -> String {
        match self.names.get(code) {
            Some(n) => n.clone(),
            None if code == ENGLAND => "England".to_string(),
            None => code.to_string(),
        }
    }

    /// The ONS code of an authority's region.
    pub fn region_of(&self, la_code: &str) -> Option<&str> {
        self.regions.get(la_code).map(String::as_str)
    }

    /// The authorities in a region.
    pub fn in_region(&self, region_code: &str) -> BTreeSet<String> {
        self.regions
            .iter()
            .filter(|(_, r)| r.as_str() == region_code)
            .map(|(la, _)| la.clone())
            .collect()
    }
}

/// An area on a line chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub role: AreaRole,
}

impl Area {
    pub fn new(code: impl Into<String>, name: impl Into<String>, role: AreaRole) -> Self {
        Area {
            code: code.into(),
            name: name.into(),
            role,
        }
    }
}

/// The words for a unit on an axis.
pub fn unit_text(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "number",
        Unit::Percent => "%",
        Unit::Per10000 => "per 10,000 children aged 0 to 17",
        Unit::PercentChange => "% change on the previous year",
        Unit::Days => "days",
        Unit::Miles => "miles",
        Unit::Mean => "mean",
    }
}

fn decimals_for(unit: Unit) -> u8 {
    match unit {
        Unit::Count => 0,
        _ => 1,
    }
}

fn fill_unit(meta: &mut ChartMeta, unit: Unit) {
    if meta.unit.is_empty() {
        meta.unit = unit_text(unit).to_string();
    }
}

/// Lines of `metric` over `years`, one per area (the authority, others, the
/// region, England…). A year without a row is a gap (`x`), a suppressed row a
/// gap (`c`).
pub fn trend(
    rows: &Rows<'_>,
    metric: MeasureId,
    period: Option<Period>,
    breakdown: &Breakdown,
    areas: &[Area],
    years: &[i32],
    mut meta: ChartMeta,
) -> Result<LineChart, ChartError> {
    if areas.is_empty() || years.is_empty() {
        return Err(ChartError::NothingToDraw(format!(
            "{metric}: no areas or years to draw"
        )));
    }
    let mut unit = None;
    let series: Vec<LineSeries> = areas
        .iter()
        .map(|a| LineSeries {
            name: a.name.clone(),
            code: a.code.clone(),
            role: a.role,
            values: years
                .iter()
                .map(
                    |&y| match rows.find(&a.code, metric, y, period, breakdown) {
                        Some(r) => {
                            unit.get_or_insert(r.unit);
                            Cell::of_row(r)
                        }
                        None => Cell::Missing,
                    },
                )
                .collect(),
        })
        .collect();
    let Some(unit) = unit else {
        return Err(ChartError::NothingToDraw(format!(
            "no rows of {metric}{} for {} in {}",
            breakdown_words(breakdown),
            areas
                .iter()
                .map(|a| a.code.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            years_words(years)
        )));
    };
    fill_unit(&mut meta, unit);
    Ok(LineChart {
        meta,
        years: years.to_vec(),
        series,
        decimals: decimals_for(unit),
        y_from_zero: true,
    })
}

/// A funnel plot of `metric` in `year` for every authority with a row (or
/// only those in `within`), highlighting `highlight`. The target is `target`
/// if given, else England's value of the same metric, else the pooled value.
/// Authorities whose row is suppressed or lacks a numerator or denominator
/// are listed as not plotted.
#[allow(clippy::too_many_arguments)]
pub fn funnel(
    rows: &Rows<'_>,
    metric: MeasureId,
    year: i32,
    period: Option<Period>,
    breakdown: &Breakdown,
    areas: &Areas,
    within: Option<&BTreeSet<String>>,
    highlight: &[&str],
    target: Option<Target>,
    mut meta: ChartMeta,
) -> Result<FunnelChart, ChartError> {
    let mut seen = BTreeSet::new();
    let mut points = Vec::new();
    let mut not_plotted = Vec::new();
    let mut unit = None;
    for r in rows.of_year(metric, year) {
        if !is_authority_code(&r.la_code)
            || &r.breakdown != breakdown
            || !period_matches(r.period, period)
            || within.is_some_and(|w| !w.contains(r.la_code.as_str()))
            || !seen.insert(r.la_code.as_str())
        {
            continue;
        }
        unit.get_or_insert(r.unit);
        match (r.numerator, r.denominator, Cell::of_row(r)) {
            (Some(n), Some(d), Cell::Value(_)) => points.push(FunnelPoint::new(
                areas.name(&r.la_code),
                r.la_code.to_string(),
                n,
                d,
                highlight.contains(&r.la_code.as_str()),
            )),
            (_, _, cell) => not_plotted.push(format!(
                "{} ({})",
                areas.name(&r.la_code),
                if cell == Cell::Suppressed {
                    "suppressed"
                } else {
                    "no figure"
                }
            )),
        }
    }
    let Some(unit) = unit else {
        return Err(ChartError::NothingToDraw(format!(
            "no authority rows of {metric}{} in {year}",
            breakdown_words(breakdown)
        )));
    };
    let indicator = match unit {
        Unit::Per10000 => Indicator::RatePer10k,
        Unit::Percent => Indicator::Proportion,
        other => {
            return Err(ChartError::NothingToDraw(format!(
                "{metric} is measured in {}; a funnel plot needs a rate per 10,000 or a percentage",
                other.label().replace('_', " ")
            )));
        }
    };
    if points.is_empty() {
        return Err(ChartError::NothingToDraw(format!(
            "no authority of {metric} in {year} has a numerator and denominator"
        )));
    }
    let scale = if indicator == Indicator::Proportion {
        100.0
    } else {
        1.0
    };
    let target = match target {
        Some(t) => t,
        None => match rows
            .find(ENGLAND, metric, year, period, breakdown)
            .and_then(|r| r.value)
            .filter(|v| *v > 0.0)
        {
            Some(v) => Target::new(v / scale, TargetSource::England),
            None => Target::pooled(
                indicator,
                &points
                    .iter()
                    .map(|p| iro_stats::Unit::new(p.code.clone(), p.numerator, p.denominator))
                    .collect::<Vec<_>>(),
            )?,
        },
    };
    fill_unit(&mut meta, unit);
    let spec = funnel_spec(indicator, target);
    let mut chart = FunnelChart::compute(meta, points, &spec)?;
    chart.excluded.extend(not_plotted);
    Ok(chart)
}

/// Puts `point` (the highlighted authority's own figure, e.g. from its
/// SSDA903 return) on `chart` in place of that authority's point, at its
/// own denominator: its value and limits there. The funnel is not changed:
/// its centre line, limits and over-dispersion stay those of the units it
/// was computed from (`units`: the published figures, the authority's own
/// published one among them), as regional benchmarking places a 903 figure
/// on the published funnel. A figure that cannot be placed (denominator 0,
/// more events than trials) is an error with the reason.
pub fn place_on_funnel(
    chart: &mut FunnelChart,
    units: &[iro_stats::Unit],
    mut point: FunnelPoint,
) -> Result<(), ChartError> {
    let scale = match chart.indicator {
        Indicator::RatePer10k => 1.0,
        Indicator::Proportion => 100.0,
    };
    let spec = funnel_spec(
        chart.indicator,
        Target::new(chart.target / scale, TargetSource::England),
    );
    let over_dispersion = spec.over_dispersion(units)?;
    let unit = iro_stats::Unit::new(point.code.clone(), point.numerator, point.denominator);
    let placed = spec.place_with(over_dispersion, &unit)?.map_err(|why| {
        ChartError::NothingToDraw(format!("{} cannot be placed: {why:?}", point.label))
    })?;
    let applied = over_dispersion.is_some_and(|o| o.applied());
    point.value = placed.value * scale;
    point.bands = crate::funnel::point_bands(&placed, applied, scale);
    match chart.points.iter_mut().find(|p| p.code == point.code) {
        Some(p) => *p = point,
        None => chart.points.push(point),
    }
    Ok(())
}

/// The funnel's specification: every funnel plot of the charts uses it, and
/// it is regional benchmarking's default (levels 95% and 99.8%, exact
/// limits, random-effects adjustment), so limits and φ̂ agree with the
/// `funnel-*` and `overdispersion-*` rows of the same units.
pub fn funnel_spec(indicator: Indicator, target: Target) -> FunnelSpec {
    FunnelSpec::new(indicator, target)
}

fn period_matches(p: Period, want: Option<Period>) -> bool {
    match want {
        Some(w) => p == w,
        None => matches!(p, Period::Year | Period::Snapshot),
    }
}

/// What the bars of a stacked or grouped bar chart are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Categories {
    /// One bar per collection year, all of one period (e.g. 31 March).
    Years {
        years: Vec<i32>,
        period: Option<Period>,
    },
    /// One bar per period of one year (e.g. Q1 to Q4, then the whole year).
    Periods { year: i32, periods: Vec<Period> },
}

impl Categories {
    fn cells(&self) -> Vec<(i32, Option<Period>, String)> {
        match self {
            Categories::Years { years, period } => years
                .iter()
                .map(|y| (*y, *period, year_label(*y)))
                .collect(),
            Categories::Periods { year, periods } => periods
                .iter()
                .map(|p| (*year, Some(*p), period_label(*p, *year)))
                .collect(),
        }
    }
}

/// "Q1\nApr to Jun", "2024-25", "31 March".
pub fn period_label(p: Period, year: i32) -> String {
    match p {
        Period::Q1 => "Q1\nApr to Jun".to_string(),
        Period::Q2 => "Q2\nJul to Sep".to_string(),
        Period::Q3 => "Q3\nOct to Dec".to_string(),
        Period::Q4 => "Q4\nJan to Mar".to_string(),
        Period::Year => format!("Whole year\n{}", year_label(year)),
        Period::Snapshot => format!("31 March\n{year}"),
    }
}

/// Stacked bars of `metric` broken down by `key` (e.g. `band`, `legal_status`,
/// `code`, `group`) for one authority: one bar per category, one segment per
/// value of the key. Only rows broken down by `key` alone are used.
pub fn stacked(
    rows: &Rows<'_>,
    la_code: &str,
    metric: MeasureId,
    key: &str,
    categories: &Categories,
    colours: SegmentColours,
    mut meta: ChartMeta,
) -> Result<StackedBarChart, ChartError> {
    let cells = categories.cells();
    let of_key = |r: &&&MetricRow| r.breakdown.len() == 1 && r.breakdown.has(key);
    let mut names: Vec<&str> = Vec::new();
    let mut unit = None;
    for (year, period, _) in &cells {
        for r in rows.of(la_code, metric).iter().filter(of_key) {
            if r.year == *year && period_matches(r.period, *period) {
                let v = r.breakdown.pairs()[0].1;
                if !names.contains(&v) {
                    names.push(v);
                }
                unit.get_or_insert(r.unit);
            }
        }
    }
    let Some(unit) = unit else {
        return Err(ChartError::NothingToDraw(format!(
            "no rows of {metric} by {key} for {la_code}"
        )));
    };
    names.sort_by_key(|a| segment_order(a));
    let segments: Vec<Series> = names
        .iter()
        .map(|name| Series {
            name: segment_label(key, name),
            values: cells
                .iter()
                .map(|(year, period, _)| {
                    let b = Breakdown::one(key, *name);
                    match rows.find(la_code, metric, *year, *period, &b) {
                        Some(r) if period_matches(r.period, *period) => Cell::of_row(r),
                        _ => Cell::Missing,
                    }
                })
                .collect(),
        })
        .collect();
    fill_unit(&mut meta, unit);
    Ok(StackedBarChart {
        meta,
        categories: cells.into_iter().map(|(_, _, l)| l).collect(),
        segments,
        percent: unit == Unit::Percent,
        colours,
        decimals: if unit == Unit::Percent {
            0
        } else {
            decimals_for(unit)
        },
    })
}

#[allow(clippy::too_many_arguments)]
/// Bars of `metric` (one breakdown) for one authority: one bar per category,
/// with an optional target line.
pub fn bars(
    rows: &Rows<'_>,
    la_code: &str,
    metric: MeasureId,
    breakdown: &Breakdown,
    categories: &Categories,
    target: Option<TargetLine>,
    series_name: &str,
    mut meta: ChartMeta,
) -> Result<BarChart, ChartError> {
    let cells = categories.cells();
    let mut unit = None;
    let values: Vec<Cell> = cells
        .iter()
        .map(
            |(year, period, _)| match rows.find(la_code, metric, *year, *period, breakdown) {
                Some(r) if period_matches(r.period, *period) => {
                    unit.get_or_insert(r.unit);
                    Cell::of_row(r)
                }
                _ => Cell::Missing,
            },
        )
        .collect();
    let Some(unit) = unit else {
        return Err(ChartError::NothingToDraw(format!(
            "no rows of {metric}{} for {la_code}",
            breakdown_words(breakdown)
        )));
    };
    fill_unit(&mut meta, unit);
    Ok(BarChart {
        meta,
        categories: cells.into_iter().map(|(_, _, l)| l).collect(),
        series: vec![Series {
            name: series_name.to_string(),
            values,
        }],
        target,
        percent: unit == Unit::Percent,
        // One decimal: a whole-number label could round up to a target the
        // figure misses (89.6% shown as 90%).
        decimals: decimals_for(unit),
    })
}

#[allow(clippy::too_many_arguments)]
/// Quarterly bars (Q1 to Q4 of `year`) with an optional target line: the
/// review-timeliness chart of the IRO report.
pub fn quarter_bars(
    rows: &Rows<'_>,
    la_code: &str,
    metric: MeasureId,
    year: i32,
    breakdown: &Breakdown,
    target: Option<TargetLine>,
    series_name: &str,
    meta: ChartMeta,
) -> Result<BarChart, ChartError> {
    bars(
        rows,
        la_code,
        metric,
        breakdown,
        &Categories::Periods {
            year,
            periods: vec![Period::Q1, Period::Q2, Period::Q3, Period::Q4],
        },
        target,
        series_name,
        meta,
    )
}

/// Segments in a reading order: numbered bands by their number ("Less than
/// 20 miles" before "21-40 miles" before "Over 100 miles"), other names
/// alphabetically, then "Other…", then "not known".
fn segment_order(name: &str) -> (u8, i64, String) {
    let lower = name.to_ascii_lowercase();
    if crate::draw::is_not_known(name) {
        return (4, 0, lower);
    }
    if lower.starts_with("other") {
        return (3, 0, lower);
    }
    // Bands: "21-40 miles", "Less than 20 miles", "Over 100 miles", "5+".
    let mut words = lower.split_whitespace();
    let first = words.next().unwrap_or("");
    let (shift, numeric) = match first {
        "less" | "under" | "fewer" => (-0.5, words.nth(1).or_else(|| words.next())),
        "up" => (-0.5, words.nth(1)),
        "over" | "more" => (
            0.5,
            if first == "more" {
                words.nth(1)
            } else {
                words.next()
            },
        ),
        _ => (0.0, Some(first)),
    };
    let number: Option<f64> = numeric.and_then(|w| {
        let digits: String = w
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        digits.parse().ok()
    });
    match number {
        Some(n) => (1, ((n + shift) * 1000.0) as i64, lower),
        None => (2, 0, lower),
    }
}

/// Legend text for a segment: participation codes get their meaning.
fn segment_label(key: &str, value: &str) -> String {
    let pn = match (key, value) {
        ("code", "PN0") => "child under 4",
        ("code", "PN1") => "attends and speaks for self",
        ("code", "PN2") => "attends, advocate speaks",
        ("code", "PN3") => "attends, conveys views non-verbally",
        ("code", "PN4") => "attends, views not conveyed",
        ("code", "PN5") => "absent, briefs an advocate",
        ("code", "PN6") => "absent, views conveyed another way",
        ("code", "PN7") => "absent, views not conveyed",
        _ => return value.to_string(),
    };
    format!("{value} {pn}")
}

fn breakdown_words(b: &Breakdown) -> String {
    if b.is_empty() {
        String::new()
    } else {
        format!(" ({b})")
    }
}

fn years_words(years: &[i32]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{} to {}", year_label(*a), year_label(*b)),
        (Some(a), _) => year_label(*a),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_ordered_by_distance() {
        let mut names = vec![
            "Over 100 miles",
            "21-40 miles",
            "Distance not known or not recorded",
            "Less than 20 miles",
            "81-100 miles",
            "41-60 miles",
        ];
        names.sort_by_key(|a| segment_order(a));
        assert_eq!(
            names,
            vec![
                "Less than 20 miles",
                "21-40 miles",
                "41-60 miles",
                "81-100 miles",
                "Over 100 miles",
                "Distance not known or not recorded",
            ]
        );
        let mut codes = vec!["PN7", "PN1", "PN0"];
        codes.sort_by_key(|a| segment_order(a));
        assert_eq!(codes, vec!["PN0", "PN1", "PN7"]);
        let mut legal = vec!["Voluntary agreement (s20)", "Care order", "Placement order"];
        legal.sort_by_key(|a| segment_order(a));
        assert_eq!(
            legal,
            vec!["Care order", "Placement order", "Voluntary agreement (s20)"]
        );
        let mut counts = vec!["3+", "1", "2"];
        counts.sort_by_key(|a| segment_order(a));
        assert_eq!(counts, vec!["1", "2", "3+"]);
        let mut groups = vec!["Other placements", "Placed for adoption", "Foster care"];
        groups.sort_by_key(|a| segment_order(a));
        assert_eq!(
            groups,
            vec!["Foster care", "Placed for adoption", "Other placements"]
        );
    }

    #[test]
    fn codes_are_told_apart() {
        assert!(is_authority_code("800"));
        assert!(!is_authority_code(ENGLAND));
        assert!(!is_authority_code("E12000009"));
        assert!(!is_authority_code("80"));
    }
}
