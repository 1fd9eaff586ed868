//! Look-ups over one authority's rows of the shareable tables.

use std::collections::HashMap;

use iro_metric_api::{MetricRow, Period};

/// Rows of one metric: (year, period) → breakdown (`key=value;…`) → row.
type ByPeriod<'a> = HashMap<(i32, Period), HashMap<String, &'a MetricRow>>;

/// One authority's tidy rows, indexed by metric, year, period and breakdown.
#[derive(Debug, Default)]
pub struct LaRows<'a> {
    /// metric → (year, period) → breakdown (`key=value;…`) → row.
    by_key: HashMap<&'a str, ByPeriod<'a>>,
    /// metric → year → rows, in the engine's sorted order.
    by_metric: HashMap<&'a str, HashMap<i32, Vec<&'a MetricRow>>>,
}

impl<'a> LaRows<'a> {
    pub fn new(rows: impl IntoIterator<Item = &'a MetricRow>) -> Self {
        let mut out = LaRows::default();
        for r in rows {
            out.by_key
                .entry(r.metric.as_str())
                .or_default()
                .entry((r.year, r.period))
                .or_default()
                .insert(r.breakdown.to_string(), r);
            out.by_metric
                .entry(r.metric.as_str())
                .or_default()
                .entry(r.year)
                .or_default()
                .push(r);
        }
        out
    }

    /// The row of `metric` for `year` and `period` with breakdown `breakdown`
    /// (`key=value;…`, empty for the total).
    pub fn get(
        &self,
        year: i32,
        metric: &str,
        period: Period,
        breakdown: &str,
    ) -> Option<&'a MetricRow> {
        self.by_key
            .get(metric)?
            .get(&(year, period))?
            .get(breakdown)
            .copied()
    }

    /// The total row (no breakdown).
    pub fn total(&self, year: i32, metric: &str, period: Period) -> Option<&'a MetricRow> {
        self.get(year, metric, period, "")
    }

    /// Every row of `metric` in `year`, sorted by period then breakdown.
    pub fn all(&self, year: i32, metric: &str) -> &[&'a MetricRow] {
        self.by_metric
            .get(metric)
            .and_then(|y| y.get(&year))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Rows of `metric` in `year` and `period` whose breakdown has the single
    /// key `key`, with that key's value.
    pub fn by_key(
        &self,
        year: i32,
        metric: &str,
        period: Period,
        key: &str,
    ) -> Vec<(&'a str, &'a MetricRow)> {
        self.all(year, metric)
            .iter()
            .filter(|r| r.period == period)
            .filter_map(|r| match r.breakdown.0.as_slice() {
                [(k, v)] if k == key => Some((v.as_str(), *r)),
                _ => None,
            })
            .collect()
    }

    /// Whether `year` has any row of a metric named in `ids`: an exact id
    /// (`crate.measure`) or a crate prefix ending in a dot (`crate.`).
    pub fn has_any(&self, year: i32, ids: &[&str]) -> bool {
        self.by_metric
            .iter()
            .any(|(m, ys)| ys.contains_key(&year) && ids.iter().any(|id| matches_id(m, id)))
    }

    /// The distinct metrics of `year` matching `id` (exact or `crate.` prefix),
    /// sorted.
    pub fn metrics_matching(&self, year: i32, id: &str) -> Vec<&'a str> {
        let mut out: Vec<&'a str> = self
            .by_metric
            .iter()
            .filter(|(m, ys)| ys.contains_key(&year) && matches_id(m, id))
            .map(|(m, _)| *m)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// `crate.measure` matches itself, and any measure of `crate.`.
pub fn matches_id(metric: &str, id: &str) -> bool {
    if id.ends_with('.') {
        metric.starts_with(id)
    } else {
        metric == id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_metric_api::{Breakdown, Unit};

    fn row(metric: &str, period: Period, b: Breakdown) -> MetricRow {
        MetricRow {
            la_code: "800".into(),
            year: 2025,
            period,
            metric: metric.into(),
            breakdown: b,
            numerator: Some(1),
            denominator: None,
            value: Some(1.0),
            unit: Unit::Count,
            suppressed: None,
            note: String::new(),
        }
    }

    #[test]
    fn finds_rows_by_key_and_prefix() {
        let rows = vec![
            row("a.x", Period::Year, Breakdown::default()),
            row("a.x", Period::Year, Breakdown::one("k", "v1")),
            row("a.x", Period::Q1, Breakdown::one("k", "v2")),
            row("b.y", Period::Snapshot, Breakdown::default()),
        ];
        let ix = LaRows::new(&rows);
        assert!(ix.total(2025, "a.x", Period::Year).is_some());
        assert!(ix.get(2025, "a.x", Period::Year, "k=v1").is_some());
        assert!(ix.total(2024, "a.x", Period::Year).is_none());
        assert_eq!(ix.all(2025, "a.x").len(), 3);
        let v: Vec<&str> = ix
            .by_key(2025, "a.x", Period::Year, "k")
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        assert_eq!(v, ["v1"]);
        assert!(ix.has_any(2025, &["b."]));
        assert!(!ix.has_any(2025, &["c."]));
        assert!(!ix.has_any(2025, &["a.z"]));
        assert_eq!(ix.metrics_matching(2025, "a."), ["a.x"]);
    }
}
