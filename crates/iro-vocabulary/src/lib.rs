//! # iro-vocabulary
//!
//! The words every metric speaks, whether it is built in (`iro-metric-api`)
//! or a run-time plugin (`iro-plugin-sdk`, across `iro-plugin-abi`): the
//! [`Unit`] of a measure and what its numerator and denominator count, the
//! [`Period`] of a figure, whom a measure's counts are about ([`Subject`]),
//! and the columns of the tidy table ([`column`], [`TIDY_COLUMNS`]), each with
//! its one text form and the parsing of it.
//!
//! **Invariant:** a text form here is the text in `metrics.csv`,
//! `metrics.json`, `metrics.parquet` and across the plugin boundary; changing
//! one changes every output and the plugins' wire format, so they are frozen
//! (the tests below pin them). The crate depends on serde only, because the
//! SDK that plugins compile into their shared library depends on it.

use serde::{Deserialize, Serialize};

/// The `unit` column: what a measure's `value` is, and so what its
/// `numerator` and `denominator` count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Unit {
    /// A number of children, reviews, episodes… `value` is the count, as is
    /// `numerator`.
    #[serde(rename = "count")]
    Count,
    /// numerator / denominator × 100; numerator ≤ denominator.
    #[serde(rename = "percent")]
    Percent,
    /// numerator / population × 10,000.
    #[serde(rename = "per_10000")]
    Per10000,
    /// (numerator − denominator) / denominator × 100: change on the previous
    /// year.
    #[serde(rename = "percent_change")]
    PercentChange,
    #[serde(rename = "days")]
    Days,
    #[serde(rename = "miles")]
    Miles,
    /// A mean or other figure that is not a count.
    #[serde(rename = "mean")]
    Mean,
}

impl Unit {
    /// Every unit, in declaration order.
    pub const ALL: [Unit; 7] = [
        Unit::Count,
        Unit::Percent,
        Unit::Per10000,
        Unit::PercentChange,
        Unit::Days,
        Unit::Miles,
        Unit::Mean,
    ];

    /// The text forms of [`Unit::ALL`], in the same order.
    pub const LABELS: [&'static str; 7] = [
        "count",
        "percent",
        "per_10000",
        "percent_change",
        "days",
        "miles",
        "mean",
    ];

    /// The text form: the `unit` column.
    pub const fn label(self) -> &'static str {
        Unit::LABELS[self as usize]
    }

    /// The unit whose text form is `s`.
    pub fn from_label(s: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.label() == s)
    }

    /// Whether the numerator counts children or events (and so may be a
    /// small count), rather than days, miles or a mean's total.
    pub const fn numerator_is_count(self) -> bool {
        !matches!(self, Unit::Days | Unit::Miles | Unit::Mean)
    }

    /// Whether the denominator counts children or events (and so is itself
    /// subject to small-number suppression): every unit's but a rate per
    /// 10,000, whose denominator is a population (a mean's denominator is
    /// the number of children or events averaged over).
    pub const fn denominator_is_count(self) -> bool {
        !matches!(self, Unit::Per10000)
    }
}

/// The `period` column: a whole collection year, a quarter of it, or the
/// 31 March snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Period {
    /// The whole collection year (1 April to 31 March).
    #[serde(rename = "year")]
    Year,
    Q1,
    Q2,
    Q3,
    Q4,
    /// At 31 March.
    #[serde(rename = "31-03")]
    Snapshot,
}

impl Period {
    /// Every period, in declaration order.
    pub const ALL: [Period; 6] = [
        Period::Year,
        Period::Q1,
        Period::Q2,
        Period::Q3,
        Period::Q4,
        Period::Snapshot,
    ];

    /// The text forms of [`Period::ALL`], in the same order.
    pub const LABELS: [&'static str; 6] = ["year", "Q1", "Q2", "Q3", "Q4", "31-03"];

    /// The text form: the `period` column.
    pub const fn label(self) -> &'static str {
        Period::LABELS[self as usize]
    }

    /// The period whose text form is `s`.
    pub fn from_label(s: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.label() == s)
    }
}

/// Whom a measure's counts are about, which decides whether small-number
/// suppression applies to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Subject {
    /// Children, or events of their care (reviews, episodes, placements,
    /// escalations): a count from 1 to the threshold is hidden.
    #[default]
    Children,
    /// The service's staff (IROs): not information about a child, so never
    /// suppressed, and never hidden to protect another count.
    Staff,
}

/// The names of the tidy table's columns (`metrics.csv`, `metrics.json`,
/// `metrics.parquet`, and a run-time plugin's output table).
pub mod column {
    /// The area: an authority's DfE code, a region's or England's.
    pub const LA_CODE: &str = "la_code";
    /// The collection year, named by the year it ends.
    pub const YEAR: &str = "year";
    /// A [`Period`](crate::Period)'s text form.
    pub const PERIOD: &str = "period";
    /// The measure, `metric.measure`.
    pub const METRIC: &str = "metric";
    /// Empty, or `key=value[;key=value]`.
    pub const BREAKDOWN: &str = "breakdown";
    pub const NUMERATOR: &str = "numerator";
    pub const DENOMINATOR: &str = "denominator";
    pub const VALUE: &str = "value";
    /// A [`Unit`](crate::Unit)'s text form.
    pub const UNIT: &str = "unit";
    /// How a hidden figure was suppressed (the engine's column: a plugin
    /// never suppresses).
    pub const SUPPRESSED: &str = "suppressed";
    /// Method flags and caveats, `; `-joined.
    pub const NOTE: &str = "note";
}

/// The columns of the tidy table the engine writes, in order.
pub const TIDY_COLUMNS: [&str; 11] = [
    column::LA_CODE,
    column::YEAR,
    column::PERIOD,
    column::METRIC,
    column::BREAKDOWN,
    column::NUMERATOR,
    column::DENOMINATOR,
    column::VALUE,
    column::UNIT,
    column::SUPPRESSED,
    column::NOTE,
];

/// The columns of a run-time plugin's output table, in order: the tidy
/// columns but `suppressed`, which only the engine fills in.
pub const PLUGIN_OUTPUT_COLUMNS: [&str; 10] = [
    column::LA_CODE,
    column::YEAR,
    column::PERIOD,
    column::METRIC,
    column::BREAKDOWN,
    column::NUMERATOR,
    column::DENOMINATOR,
    column::VALUE,
    column::UNIT,
    column::NOTE,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The text forms are the outputs' and the plugins' wire format.
    #[test]
    fn text_forms_are_frozen() {
        let units: Vec<&str> = Unit::ALL.iter().map(|u| u.label()).collect();
        assert_eq!(
            units,
            [
                "count",
                "percent",
                "per_10000",
                "percent_change",
                "days",
                "miles",
                "mean"
            ]
        );
        let periods: Vec<&str> = Period::ALL.iter().map(|p| p.label()).collect();
        assert_eq!(periods, ["year", "Q1", "Q2", "Q3", "Q4", "31-03"]);
    }

    #[test]
    fn labels_read_back_and_serialise_as_themselves() {
        for u in Unit::ALL {
            assert_eq!(Unit::from_label(u.label()), Some(u));
            let j = serde_json::to_value(u).unwrap();
            assert_eq!(j, serde_json::json!(u.label()));
            assert_eq!(serde_json::from_value::<Unit>(j).unwrap(), u);
        }
        for p in Period::ALL {
            assert_eq!(Period::from_label(p.label()), Some(p));
            let j = serde_json::to_value(p).unwrap();
            assert_eq!(j, serde_json::json!(p.label()));
            assert_eq!(serde_json::from_value::<Period>(j).unwrap(), p);
        }
        for bad in ["", "Count", "per-10000", "31/03", "q1", "year "] {
            assert_eq!(Unit::from_label(bad), None, "{bad}");
            assert_eq!(Period::from_label(bad), None, "{bad}");
        }
    }

    /// Which numerators and denominators may be small counts of children.
    #[test]
    fn count_semantics() {
        let num: Vec<Unit> = Unit::ALL
            .into_iter()
            .filter(|u| u.numerator_is_count())
            .collect();
        assert_eq!(
            num,
            [
                Unit::Count,
                Unit::Percent,
                Unit::Per10000,
                Unit::PercentChange
            ]
        );
        let den: Vec<Unit> = Unit::ALL
            .into_iter()
            .filter(|u| !u.denominator_is_count())
            .collect();
        assert_eq!(den, [Unit::Per10000]);
        assert_eq!(Subject::default(), Subject::Children);
    }

    #[test]
    fn plugin_columns_are_the_tidy_columns_but_suppressed() {
        let mut want = TIDY_COLUMNS.to_vec();
        want.retain(|c| *c != column::SUPPRESSED);
        assert_eq!(PLUGIN_OUTPUT_COLUMNS.to_vec(), want);
    }

    #[test]
    fn orders_are_declaration_orders() {
        let mut u = Unit::ALL.to_vec();
        u.sort();
        assert_eq!(u, Unit::ALL);
        let mut p = Period::ALL.to_vec();
        p.sort();
        assert_eq!(p, Period::ALL);
    }
}
