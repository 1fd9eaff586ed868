//! Local targets (`[[targets]]` in `iro.toml`): a figure of `metrics.csv`
//! held against a level, per authority, year and period, reported as met or
//! not, beside the previous year's (or quarter's) figure and the trend.
//!
//! Targets are read from the suppressed rows, so a target on a hidden cell is
//! `suppressed`, never guessed from the figures around it.
//!
//! ```toml
//! [[targets]]
//! metric = "review-timeliness.on-time"   # a `metric` id of metrics.csv
//! breakdown = ""                         # the row's breakdown as displayed; "" = all children
//! period = "year"                        # "year", "Q1".."Q4", "31-03", or "each-quarter"
//! at_least = 90.0                        # or at_most = ...
//! label = "Reviews held within statutory timescale"
//! las = []                               # only these authorities; default all
//! ```

use std::collections::HashMap;
use std::fmt;

use iro_domain::LaCode;
use iro_metric_api::{MeasureId, MetricRow, MetricSpec, Period};
use serde::{Deserialize, Serialize};

pub use iro_results::targets::{Direction, Met, TargetResult, Trend};

/// One `[[targets]]` entry, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TargetToml", into = "TargetToml")]
pub struct Target {
    /// A `metric` id of `metrics.csv`: `crate.measure`.
    pub metric: String,
    /// The row's breakdown as displayed (`key=value;key=value`); `""` is the
    /// row with no breakdown (all children).
    pub breakdown: String,
    pub period: TargetPeriod,
    pub direction: Direction,
    /// The level to reach (`at_least`) or not to exceed (`at_most`), in the
    /// row's unit (a percentage is 0–100).
    pub threshold: f64,
    /// Shown in tables and charts; empty: the metric id.
    pub label: String,
    /// Only these authorities (DfE codes); empty: every authority.
    pub las: Vec<String>,
}

/// Which periods a target is checked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetPeriod {
    /// One period: `year`, `Q1`..`Q4` or `31-03`.
    One(Period),
    /// Every quarter, separately (`each-quarter`).
    EachQuarter,
}

impl TargetPeriod {
    pub const fn periods(self) -> &'static [Period] {
        match self {
            TargetPeriod::One(Period::Year) => &[Period::Year],
            TargetPeriod::One(Period::Q1) => &[Period::Q1],
            TargetPeriod::One(Period::Q2) => &[Period::Q2],
            TargetPeriod::One(Period::Q3) => &[Period::Q3],
            TargetPeriod::One(Period::Q4) => &[Period::Q4],
            TargetPeriod::One(Period::Snapshot) => &[Period::Snapshot],
            TargetPeriod::EachQuarter => &[Period::Q1, Period::Q2, Period::Q3, Period::Q4],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TargetPeriod::One(p) => p.label(),
            TargetPeriod::EachQuarter => "each-quarter",
        }
    }

    fn parse(s: &str) -> Result<Self, String> {
        if s == "each-quarter" {
            return Ok(TargetPeriod::EachQuarter);
        }
        Period::from_label(s).map(TargetPeriod::One).ok_or_else(|| {
            let labels: Vec<String> = Period::LABELS.iter().map(|l| format!("\"{l}\"")).collect();
            format!(
                "period `{s}`: expected {} or \"each-quarter\"",
                labels.join(", ")
            )
        })
    }
}

impl Target {
    /// Whether `value` meets the target. Figures are compared as written in
    /// `metrics.csv`, to 6 decimal places.
    pub fn is_met(&self, value: f64) -> bool {
        let v = round6(value);
        let t = round6(self.threshold);
        match self.direction {
            Direction::AtLeast => v >= t,
            Direction::AtMost => v <= t,
        }
    }

    /// The label, or the metric id when none was given.
    pub fn display_label(&self) -> &str {
        if self.label.is_empty() {
            &self.metric
        } else {
            &self.label
        }
    }

    /// Whether the target applies to this authority (DfE code).
    pub fn applies_to(&self, la_code: &str) -> bool {
        self.las.is_empty() || self.las.iter().any(|l| l == la_code)
    }

    /// Checks the metric id against the metrics known to the run: the
    /// measure must exist.
    pub fn check_metric(&self, specs: &[&MetricSpec]) -> Result<(), String> {
        let (id, measure) = self
            .metric
            .split_once('.')
            .ok_or_else(|| format!("`{}` is not a metric id (crate.measure)", self.metric))?;
        let Some(spec) = specs.iter().find(|s| s.id == id) else {
            let known: Vec<&str> = specs.iter().map(|s| s.id).collect();
            return Err(format!(
                "unknown metric `{}`: no metric `{id}` (known: {})",
                self.metric,
                known.join(", ")
            ));
        };
        if spec.measure_named(measure).is_none() {
            let known: Vec<&str> = spec.measures.iter().map(|m| m.id.measure()).collect();
            return Err(format!(
                "unknown metric `{}`: `{id}` has no measure `{measure}` (it has: {})",
                self.metric,
                known.join(", ")
            ));
        }
        Ok(())
    }
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// `[[targets]]` as written in `iro.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetToml {
    metric: String,
    #[serde(default)]
    breakdown: String,
    #[serde(default = "year")]
    period: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_least: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_most: Option<f64>,
    #[serde(default)]
    label: String,
    #[serde(default)]
    las: Vec<String>,
}

fn year() -> String {
    "year".into()
}

impl TryFrom<TargetToml> for Target {
    type Error = String;

    fn try_from(t: TargetToml) -> Result<Self, String> {
        let what = format!("target `{}`", t.metric);
        let (direction, threshold) = match (t.at_least, t.at_most) {
            (Some(v), None) => (Direction::AtLeast, v),
            (None, Some(v)) => (Direction::AtMost, v),
            (Some(_), Some(_)) => {
                return Err(format!("{what}: give at_least or at_most, not both"));
            }
            (None, None) => return Err(format!("{what}: give at_least or at_most")),
        };
        if !threshold.is_finite() {
            return Err(format!("{what}: the level must be a number"));
        }
        if !t.metric.as_str().contains('.') {
            return Err(format!(
                "{what}: `metric` must be a metric id as in metrics.csv (crate.measure, e.g. review-timeliness.on-time)"
            ));
        }
        if let Some(part) = t
            .breakdown
            .split(';')
            .find(|p| !t.breakdown.is_empty() && !p.contains('='))
        {
            return Err(format!(
                "{what}: breakdown `{}`: `{part}` is not key=value (write it as displayed in metrics.csv)",
                t.breakdown
            ));
        }
        for la in &t.las {
            if la.parse::<LaCode>().is_err() {
                return Err(format!(
                    "{what}: las: `{la}` is not a DfE 3-digit authority code"
                ));
            }
        }
        Ok(Target {
            period: TargetPeriod::parse(&t.period).map_err(|e| format!("{what}: {e}"))?,
            metric: t.metric,
            breakdown: t.breakdown,
            direction,
            threshold,
            label: t.label,
            las: t.las,
        })
    }
}

impl From<Target> for TargetToml {
    fn from(t: Target) -> Self {
        let (at_least, at_most) = match t.direction {
            Direction::AtLeast => (Some(t.threshold), None),
            Direction::AtMost => (None, Some(t.threshold)),
        };
        TargetToml {
            metric: t.metric,
            breakdown: t.breakdown,
            period: t.period.label().to_string(),
            at_least,
            at_most,
            label: t.label,
            las: t.las,
        }
    }
}

/// A figure as read from a row.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Figure {
    Shown(f64),
    Suppressed,
    Missing,
}

fn figure(row: Option<&MetricRow>) -> Figure {
    match row {
        Some(r) if r.status.is_suppressed() => Figure::Suppressed,
        Some(MetricRow { value: Some(v), .. }) => Figure::Shown(*v),
        _ => Figure::Missing,
    }
}

/// The period before `period` and its collection year: the previous quarter
/// for a quarter (Q4 of the year before for Q1), the previous year otherwise.
fn previous(year: i32, period: Period) -> (i32, Period) {
    match period {
        Period::Q1 => (year - 1, Period::Q4),
        Period::Q2 => (year, Period::Q1),
        Period::Q3 => (year, Period::Q2),
        Period::Q4 => (year, Period::Q3),
        Period::Year | Period::Snapshot => (year - 1, period),
    }
}

/// Evaluates every target for every authority and year of the run, from the
/// suppressed rows. Rows come out by authority, year, target (in
/// `iro.toml` order) and period.
pub fn evaluate(
    targets: &[Target],
    rows: &[MetricRow],
    las: &[String],
    years: &[i32],
) -> Vec<TargetResult> {
    if targets.is_empty() {
        return Vec::new();
    }
    let mut index: HashMap<(&str, i32, &str, Period, String), &MetricRow> = HashMap::new();
    for r in rows {
        if targets.iter().any(|t| r.metric == t.metric.as_str()) {
            index.insert(
                (
                    r.la_code.as_str(),
                    r.year,
                    r.metric.as_str(),
                    r.period,
                    r.breakdown.to_string(),
                ),
                r,
            );
        }
    }
    let mut las: Vec<&String> = las.iter().collect();
    las.sort();
    las.dedup();
    let mut out = Vec::new();
    for la in las {
        for &year in years {
            for t in targets.iter().filter(|t| t.applies_to(la)) {
                // Checked against the run's metrics before the run.
                let Some(id) = MeasureId::parse(&t.metric) else {
                    continue;
                };
                for &period in t.period.periods() {
                    let get = |y: i32, p: Period| {
                        index
                            .get(&(la.as_str(), y, t.metric.as_str(), p, t.breakdown.clone()))
                            .copied()
                    };
                    let now = figure(get(year, period));
                    let (py, pp) = previous(year, period);
                    let before = figure(get(py, pp));
                    let (value, met) = match now {
                        Figure::Shown(v) if t.is_met(v) => (Some(v), Met::Yes),
                        Figure::Shown(v) => (Some(v), Met::No),
                        Figure::Suppressed => (None, Met::Suppressed),
                        Figure::Missing => (None, Met::NotComputable),
                    };
                    let trend = match (now, before) {
                        (Figure::Shown(a), Figure::Shown(b)) => {
                            let (a, b) = (round6(a), round6(b));
                            match (t.direction, a.partial_cmp(&b)) {
                                (_, Some(std::cmp::Ordering::Equal)) => Trend::Same,
                                (Direction::AtLeast, Some(std::cmp::Ordering::Greater))
                                | (Direction::AtMost, Some(std::cmp::Ordering::Less)) => {
                                    Trend::Better
                                }
                                (_, Some(_)) => Trend::Worse,
                                (_, None) => Trend::None,
                            }
                        }
                        _ => Trend::None,
                    };
                    out.push(TargetResult {
                        la_code: la.clone(),
                        year,
                        period,
                        metric: id,
                        breakdown: t.breakdown.clone(),
                        label: t.display_label().to_string(),
                        target: t.threshold,
                        direction: t.direction,
                        value,
                        met,
                        previous_value: match before {
                            Figure::Shown(v) => Some(v),
                            _ => None,
                        },
                        previous_suppressed: before == Figure::Suppressed,
                        trend,
                    });
                }
            }
        }
    }
    out
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.display_label(),
            self.direction.symbol(),
            crate::output::fmt_value(self.threshold)
        )
    }
}

#[cfg(test)]
mod tests;
