//! The tidy metric row: one figure, with what it counts and how.

use serde::{Deserialize, Serialize};

/// The `period` column: a whole year, a quarter, or the 31 March snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Period {
    #[serde(rename = "year")]
    Year,
    Q1,
    Q2,
    Q3,
    Q4,
    #[serde(rename = "31-03")]
    Snapshot,
}

impl Period {
    pub fn label(self) -> &'static str {
        match self {
            Period::Year => "year",
            Period::Q1 => "Q1",
            Period::Q2 => "Q2",
            Period::Q3 => "Q3",
            Period::Q4 => "Q4",
            Period::Snapshot => "31-03",
        }
    }

    pub fn from_quarter(q: iro_domain::Quarter) -> Self {
        match q {
            iro_domain::Quarter::Q1 => Period::Q1,
            iro_domain::Quarter::Q2 => Period::Q2,
            iro_domain::Quarter::Q3 => Period::Q3,
            iro_domain::Quarter::Q4 => Period::Q4,
        }
    }
}

/// The `unit` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A number of children, reviews, episodes… `value` is the count.
    Count,
    /// numerator / denominator × 100.
    Percent,
    /// numerator / population × 10,000.
    #[serde(rename = "per_10000")]
    Per10000,
    /// (numerator − denominator) / denominator × 100: change on the previous year.
    PercentChange,
    Days,
    Miles,
    /// A mean or other figure that is not a count.
    Mean,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Percent => "percent",
            Unit::Per10000 => "per_10000",
            Unit::PercentChange => "percent_change",
            Unit::Days => "days",
            Unit::Miles => "miles",
            Unit::Mean => "mean",
        }
    }

    /// Whether the denominator counts children or events (and so is itself
    /// subject to small-number suppression) rather than a population.
    pub fn denominator_is_count(self) -> bool {
        matches!(self, Unit::Percent | Unit::PercentChange)
    }
}

/// The `breakdown` column: `key=value` pairs, e.g. `age_band=10-15`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Breakdown(pub Vec<(String, String)>);

impl Breakdown {
    pub fn one(key: &str, value: impl Into<String>) -> Self {
        Breakdown(vec![(key.to_string(), value.into())])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The keys, in order, joined by `;` (identifies a breakdown group).
    pub fn keys(&self) -> String {
        self.0
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(";")
    }
}

impl std::fmt::Display for Breakdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{k}={v}")?;
        }
        Ok(())
    }
}

/// One row of `metrics.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    /// DfE 3-digit code, or `E92000001` England, `E12…` a region.
    pub la_code: String,
    /// Collection year (the year the return ends).
    pub year: i32,
    pub period: Period,
    /// `crate.measure`, e.g. `cohort-summary.cla-31-march`.
    pub metric: String,
    pub breakdown: Breakdown,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
    pub unit: Unit,
    /// Empty, or why the cell is hidden (`primary`, `secondary`).
    pub suppressed: Option<String>,
    /// Method flags and caveats.
    pub note: String,
}

impl MetricRow {
    pub fn with_breakdown(mut self, b: Breakdown) -> Self {
        self.breakdown = b;
        self
    }

    /// A count: `value` = `numerator` = n.
    pub fn count(mut self, n: u64) -> Self {
        self.numerator = Some(n);
        self.value = Some(n as f64);
        self
    }

    /// A percentage of `den`; no value when `den` is 0.
    pub fn percent(mut self, num: u64, den: u64) -> Self {
        self.numerator = Some(num);
        self.denominator = Some(den);
        self.value = (den > 0).then(|| num as f64 * 100.0 / den as f64);
        self
    }

    /// A rate per 10,000 of `population`.
    pub fn per_10000(mut self, num: u64, population: u64) -> Self {
        self.numerator = Some(num);
        self.denominator = Some(population);
        self.value = (population > 0).then(|| num as f64 * 10_000.0 / population as f64);
        self
    }

    /// Change from `previous` to `current`, as a percentage of `previous`.
    pub fn change(mut self, current: u64, previous: u64) -> Self {
        self.numerator = Some(current);
        self.denominator = Some(previous);
        self.value =
            (previous > 0).then(|| (current as f64 - previous as f64) * 100.0 / previous as f64);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        let n = note.into();
        if !self.note.is_empty() && !n.is_empty() {
            self.note.push_str("; ");
        }
        self.note.push_str(&n);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank() -> MetricRow {
        MetricRow {
            la_code: "800".into(),
            year: 2025,
            period: Period::Snapshot,
            metric: "x.y".into(),
            breakdown: Breakdown::default(),
            numerator: None,
            denominator: None,
            value: None,
            unit: Unit::Count,
            suppressed: None,
            note: String::new(),
        }
    }

    #[test]
    fn builders_compute_values() {
        assert_eq!(blank().percent(1, 4).value, Some(25.0));
        assert_eq!(blank().percent(0, 0).value, None);
        assert_eq!(
            blank().per_10000(220, 36601).value.map(|v| v.round()),
            Some(60.0)
        );
        let c = blank().change(220, 217).value.unwrap();
        assert!((c - 1.382_488).abs() < 1e-6);
        assert_eq!(blank().note("a").note("b").note, "a; b");
        let b = Breakdown(vec![
            ("age_band".into(), "10-15".into()),
            ("sex".into(), "F".into()),
        ]);
        assert_eq!(b.to_string(), "age_band=10-15;sex=F");
        assert_eq!(b.keys(), "age_band;sex");
    }
}
