//! The local targets of a run, met or not: the rows of `targets.csv`.
//! (`[[targets]]` themselves, as `iro.toml` gives them, are the engine's
//! configuration.)

use iro_metric_api::{MeasureId, Period};
use serde::Serialize;

/// Whether the figure should be at least or at most the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    AtLeast,
    AtMost,
}

impl Direction {
    /// As in `iro.toml` and the `direction` column: `at_least`, `at_most`.
    pub fn label(self) -> &'static str {
        match self {
            Direction::AtLeast => "at_least",
            Direction::AtMost => "at_most",
        }
    }

    /// `≥` or `≤`, for tables and chart legends.
    pub fn symbol(self) -> &'static str {
        match self {
            Direction::AtLeast => "≥",
            Direction::AtMost => "≤",
        }
    }
}

/// Whether a target was met in one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Met {
    #[serde(rename = "yes")]
    Yes,
    #[serde(rename = "no")]
    No,
    /// The figure is hidden by small-number suppression.
    #[serde(rename = "suppressed")]
    Suppressed,
    /// No figure: the metric could not compute it (tables missing), or the
    /// row is not produced.
    #[serde(rename = "not computable")]
    NotComputable,
}

impl Met {
    pub fn label(self) -> &'static str {
        match self {
            Met::Yes => "yes",
            Met::No => "no",
            Met::Suppressed => "suppressed",
            Met::NotComputable => "not computable",
        }
    }
}

/// The figure against the previous one, the target's way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Better,
    Worse,
    Same,
    /// No figure to compare (this one or the previous is missing or hidden).
    None,
}

impl Trend {
    pub fn label(self) -> &'static str {
        match self {
            Trend::Better => "better",
            Trend::Worse => "worse",
            Trend::Same => "same",
            Trend::None => "none",
        }
    }
}

/// One target in one authority, year and period: a row of `targets.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetResult {
    pub la_code: String,
    pub year: i32,
    pub period: Period,
    pub metric: MeasureId,
    pub breakdown: String,
    pub label: String,
    /// The threshold.
    pub target: f64,
    pub direction: Direction,
    /// The figure; `None` when suppressed or not computable.
    pub value: Option<f64>,
    pub met: Met,
    /// The previous year's figure (the previous quarter's, for a quarter);
    /// `None` when there is none or it is hidden.
    pub previous_value: Option<f64>,
    /// Whether `previous_value` is missing because it is hidden (`c` in CSV).
    #[serde(skip)]
    pub previous_suppressed: bool,
    pub trend: Trend,
}
