//! Look-ups over one authority's rows of the shareable tables.

use std::collections::HashMap;

use iro_metric_api::{Breakdown, MeasureId, MetricRow, Period};

/// Rows of one measure: (year, period) → breakdown → row.
type ByPeriod<'a> = HashMap<(i32, Period), HashMap<Breakdown, &'a MetricRow>>;

/// One authority's tidy rows, indexed by measure, year, period and breakdown.
#[derive(Debug, Default)]
pub struct LaRows<'a> {
    /// measure → (year, period) → breakdown → row.
    by_key: HashMap<MeasureId, ByPeriod<'a>>,
    /// measure → year → rows, in the engine's sorted order.
    by_metric: HashMap<MeasureId, HashMap<i32, Vec<&'a MetricRow>>>,
}

impl<'a> LaRows<'a> {
    pub fn new(rows: impl IntoIterator<Item = &'a MetricRow>) -> Self {
        let mut out = LaRows::default();
        for r in rows {
            out.by_key
                .entry(r.metric)
                .or_default()
                .entry((r.year, r.period))
                .or_default()
                .insert(r.breakdown, r);
            out.by_metric
                .entry(r.metric)
                .or_default()
                .entry(r.year)
                .or_default()
                .push(r);
        }
        out
    }

    /// Every row of one metric's measures (`metric` is the metric's id,
    /// `placement-stability`) for `year`.
    pub fn of_metric<'s>(
        &'s self,
        year: i32,
        metric: &'s str,
    ) -> impl Iterator<Item = &'a MetricRow> + 's {
        self.by_metric
            .iter()
            .filter(move |(id, _)| id.metric() == metric)
            .filter_map(move |(_, by_year)| by_year.get(&year))
            .flatten()
            .copied()
    }

    /// The row of `metric` for `year` and `period` with breakdown `breakdown`
    /// (`key=value;…` as in `metrics.csv`, empty for the total).
    pub fn get(
        &self,
        year: i32,
        metric: MeasureId,
        period: Period,
        breakdown: &str,
    ) -> Option<&'a MetricRow> {
        self.at(year, metric, period, Breakdown::parse(breakdown))
    }

    /// The row of `metric` for `year` and `period` with this breakdown.
    pub fn at(
        &self,
        year: i32,
        metric: MeasureId,
        period: Period,
        breakdown: Breakdown,
    ) -> Option<&'a MetricRow> {
        self.by_key
            .get(&metric)?
            .get(&(year, period))?
            .get(&breakdown)
            .copied()
    }

    /// The total row (no breakdown).
    pub fn total(&self, year: i32, metric: MeasureId, period: Period) -> Option<&'a MetricRow> {
        self.at(year, metric, period, Breakdown::NONE)
    }

    /// Every row of `metric` in `year`, sorted by period then breakdown.
    pub fn all(&self, year: i32, metric: MeasureId) -> &[&'a MetricRow] {
        self.by_metric
            .get(&metric)
            .and_then(|y| y.get(&year))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Rows of `metric` in `year` and `period` whose breakdown has the single
    /// key `key`, with that key's value.
    pub fn by_key(
        &self,
        year: i32,
        metric: MeasureId,
        period: Period,
        key: &str,
    ) -> Vec<(&'static str, &'a MetricRow)> {
        self.all(year, metric)
            .iter()
            .filter(|r| r.period == period)
            .filter_map(|r| match r.breakdown.pairs() {
                [(k, v)] if *k == key => Some((*v, *r)),
                _ => None,
            })
            .collect()
    }

    /// Whether `year` has any row of a measure in `ids`.
    pub fn has_any(&self, year: i32, ids: &[MeasureId]) -> bool {
        ids.iter().any(|id| {
            self.by_metric
                .get(id)
                .is_some_and(|ys| ys.contains_key(&year))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_metric_api::{AreaCode, Unit};

    const X: MeasureId = MeasureId::new("a.x");
    const Y: MeasureId = MeasureId::new("b.y");
    const Z: MeasureId = MeasureId::new("a.z");

    fn row(metric: MeasureId, period: Period, b: Breakdown) -> MetricRow {
        MetricRow::new(AreaCode::new("800"), 2025, period, metric, Unit::Count)
            .with_breakdown(b)
            .count(1)
    }

    #[test]
    fn finds_rows_by_measure_and_key() {
        let rows = vec![
            row(X, Period::Year, Breakdown::default()),
            row(X, Period::Year, Breakdown::one("k", "v1")),
            row(X, Period::Q1, Breakdown::one("k", "v2")),
            row(Y, Period::Snapshot, Breakdown::default()),
        ];
        let ix = LaRows::new(&rows);
        assert!(ix.total(2025, X, Period::Year).is_some());
        assert!(ix.get(2025, X, Period::Year, "k=v1").is_some());
        assert!(ix.total(2024, X, Period::Year).is_none());
        assert_eq!(ix.all(2025, X).len(), 3);
        let v: Vec<&str> = ix
            .by_key(2025, X, Period::Year, "k")
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        assert_eq!(v, ["v1"]);
        assert!(ix.has_any(2025, &[Y]));
        assert!(!ix.has_any(2024, &[Y]));
        assert!(!ix.has_any(2025, &[Z]));
    }
}
