//! The report's charts, built from the same cells as the tables beside them,
//! drawn by `iro-charts`. Every chart construction is here, so a change in
//! the charts crate's types is fixed in one place.

use iro_charts::{
    BarChart, Cell as ChartCell, Chart, ChartMeta, SegmentColours, Series, StackedBarChart,
    TargetLine,
};
use iro_metric_api::MetricRow;

/// A chart cell from a tidy row (suppressed stays suppressed, never zero).
pub fn cell(row: Option<&MetricRow>) -> ChartCell {
    row.map(ChartCell::of_row).unwrap_or(ChartCell::Missing)
}

/// The words around a chart.
#[derive(Debug, Clone)]
pub struct Words<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub unit: &'a str,
    pub period: &'a str,
    pub source: &'a str,
}

impl Words<'_> {
    fn meta(&self) -> ChartMeta {
        ChartMeta::new(self.title)
            .axes(self.x_label, self.y_label)
            .unit(self.unit)
            .source(self.source)
            .period(self.period)
    }
}

/// Grouped bars: one group per category, one bar per series.
pub fn bars(
    words: &Words<'_>,
    categories: Vec<String>,
    series: Vec<(String, Vec<ChartCell>)>,
    percent: bool,
    decimals: u8,
    target: Option<(f64, String)>,
) -> Chart {
    Chart::Bars(BarChart {
        meta: words.meta(),
        categories,
        series: series
            .into_iter()
            .map(|(name, values)| Series { name, values })
            .collect(),
        target: target.map(|(value, label)| TargetLine { value, label }),
        percent,
        decimals,
    })
}

/// Stacked bars: one bar per category, one segment per series.
pub fn stacked(
    words: &Words<'_>,
    categories: Vec<String>,
    segments: Vec<(String, Vec<ChartCell>)>,
    percent: bool,
    ordered: bool,
    decimals: u8,
) -> Chart {
    Chart::StackedBars(StackedBarChart {
        meta: words.meta(),
        categories,
        segments: segments
            .into_iter()
            .map(|(name, values)| Series { name, values })
            .collect(),
        percent,
        colours: if ordered {
            SegmentColours::Sequential
        } else {
            SegmentColours::Categorical
        },
        decimals,
    })
}
