//! # iro-metric-api
//!
//! The contract between metrics and the engine. A metric reads one authority's
//! [`Cohort`] for one collection year, with reference data and parameters, and
//! returns tidy [`MetricRow`]s. It never does IO, never suppresses small numbers
//! (the engine does, centrally) and never prints.
//!
//! **Invariant:** built-in metric crates (`plugins/*`) and run-time plugins
//! produce exactly this row shape; nothing downstream of a metric needs to know
//! which kind it came from.

mod row;

use std::collections::BTreeMap;

pub use iro_domain::{Cohort, CollectionYear, LaIdentity, TableKind, WorkingDayCalendar};
pub use iro_reference::Reference;
pub use row::{Breakdown, MetricRow, Period, Unit};

/// Parameters of a metric, as given in `iro.toml` (`[metrics.<id>]`), merged over
/// the metric's declared defaults.
pub type Params = serde_json::Map<String, serde_json::Value>;

/// A parameter a metric accepts, with its default and meaning.
#[derive(Debug, Clone)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: serde_json::Value,
    pub help: &'static str,
}

/// A measure a metric produces (the part after the dot in `crate.measure`).
#[derive(Debug, Clone)]
pub struct MeasureSpec {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: Unit,
    /// Breakdown keys whose rows partition the measure's total row (the row with
    /// no breakdown), so a suppressed cell could be recovered by subtraction.
    /// The engine applies secondary suppression within these groups.
    pub additive_breakdowns: &'static [&'static str],
}

/// What a metric is, for `iro metrics list`, the registry and run metadata.
#[derive(Debug, Clone)]
pub struct MetricSpec {
    /// Stable id, the crate's name: `review-timeliness`, `cohort-summary`…
    pub id: &'static str,
    pub title: &'static str,
    pub version: &'static str,
    /// Tables the metric cannot do without in the year computed. If one is
    /// missing the engine reports "not computable" and emits no rows.
    pub requires: &'static [TableKind],
    pub measures: &'static [MeasureSpec],
    pub params: &'static [ParamSpec],
}

impl MetricSpec {
    /// The measure with this short id.
    pub fn measure(&self, id: &str) -> Option<&MeasureSpec> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// Declared defaults, overridden by `given`. Unknown names are an error so a
    /// typo in `iro.toml` is not silently ignored.
    pub fn resolve_params(&self, given: &Params) -> Result<Params, MetricError> {
        let mut out = Params::new();
        for p in self.params {
            out.insert(p.name.to_string(), p.default.clone());
        }
        for (k, v) in given {
            if !out.contains_key(k) {
                return Err(MetricError::BadParameter {
                    name: k.clone(),
                    reason: format!(
                        "`{}` has no parameter `{k}` (it has: {})",
                        self.id,
                        self.params
                            .iter()
                            .map(|p| p.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            out.insert(k.clone(), v.clone());
        }
        Ok(out)
    }
}

/// Everything a metric may read.
#[derive(Debug, Clone, Copy)]
pub struct MetricContext<'a> {
    pub cohort: &'a Cohort,
    /// The authority's identity, when it is in the reference data.
    pub la: Option<&'a LaIdentity>,
    pub year: CollectionYear,
    pub reference: &'a Reference,
    pub calendar: &'a WorkingDayCalendar,
    /// Resolved parameters (defaults merged with `iro.toml`).
    pub params: &'a Params,
}

impl MetricContext<'_> {
    /// The DfE 3-digit code as it appears in the `la_code` column.
    pub fn la_code(&self) -> String {
        self.cohort.la().to_string()
    }

    /// A parameter as a number.
    pub fn param_f64(&self, name: &str) -> Result<f64, MetricError> {
        self.params
            .get(name)
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| MetricError::BadParameter {
                name: name.to_string(),
                reason: "expected a number".into(),
            })
    }

    /// A parameter as a boolean.
    pub fn param_bool(&self, name: &str) -> Result<bool, MetricError> {
        self.params
            .get(name)
            .and_then(serde_json::Value::as_bool)
            .ok_or_else(|| MetricError::BadParameter {
                name: name.to_string(),
                reason: "expected true or false".into(),
            })
    }

    /// A parameter as a string.
    pub fn param_str(&self, name: &str) -> Result<&str, MetricError> {
        self.params
            .get(name)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| MetricError::BadParameter {
                name: name.to_string(),
                reason: "expected a string".into(),
            })
    }

    /// Whether the cohort holds `table` for `year`.
    pub fn has(&self, year: CollectionYear, table: TableKind) -> bool {
        self.cohort.has_table(year, table)
    }
}

/// Why a metric produced no rows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricError {
    /// The data needed are not there: say so, never report zero.
    #[error("not computable: {0}")]
    NotComputable(String),
    #[error("parameter `{name}`: {reason}")]
    BadParameter { name: String, reason: String },
    #[error("{0}")]
    Failed(String),
}

/// A child-level table behind a metric's figures — **personal data**. The
/// engine asks for it only when the user does (`iro run --personal`) and writes
/// it apart, under `out/personal/`, never into shareable outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillDown {
    /// File-name part, e.g. `reviews`.
    pub name: &'static str,
    pub title: &'static str,
    /// Column names; SSDA903 field names where the column is one (`CHILD`).
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

/// A metric. Implementations must be deterministic and free of IO.
pub trait Metric: Send + Sync {
    fn spec(&self) -> &MetricSpec;

    /// Rows for one authority and collection year.
    fn compute(&self, ctx: &MetricContext<'_>) -> Result<Vec<MetricRow>, MetricError>;

    /// Child-level tables behind the figures (personal data), for the analyst
    /// who asks. Most metrics have none.
    fn drilldown(&self, _ctx: &MetricContext<'_>) -> Result<Vec<DrillDown>, MetricError> {
        Ok(Vec::new())
    }
}

/// Starts a row for this metric and context with the year, LA and unit of the
/// named measure filled in.
pub fn row(spec: &MetricSpec, ctx: &MetricContext<'_>, measure: &str, period: Period) -> MetricRow {
    let unit = spec.measure(measure).map_or(Unit::Count, |m| m.unit);
    MetricRow {
        la_code: ctx.la_code(),
        year: ctx.year.0,
        period,
        metric: format!("{}.{}", spec.id, measure),
        breakdown: Breakdown::default(),
        numerator: None,
        denominator: None,
        value: None,
        unit,
        suppressed: None,
        note: String::new(),
    }
}

/// Counts into a sorted map, for breakdowns.
pub fn tally<K: Ord>(items: impl IntoIterator<Item = K>) -> BTreeMap<K, u64> {
    let mut m = BTreeMap::new();
    for k in items {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}
