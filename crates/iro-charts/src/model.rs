//! What a chart holds: the numbers to draw and the words around them. Built
//! from tidy metric rows (see [`crate::build`]) or by hand.

use iro_metric_api::MetricRow;
use serde::{Deserialize, Serialize};

/// Titles and labels printed on every chart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChartMeta {
    /// What the chart shows, e.g. "Children looked after per 10,000 children".
    pub title: String,
    /// A second line under the title, e.g. the areas compared.
    pub subtitle: Option<String>,
    /// The horizontal axis, e.g. "Collection year".
    pub x_label: String,
    /// The vertical axis, e.g. "Rate".
    pub y_label: String,
    /// The unit of the values, printed with the vertical axis label, e.g.
    /// "per 10,000 children aged 0 to 17" or "%".
    pub unit: String,
    /// Where the figures come from, printed as "Source: …".
    pub source: String,
    /// The period the figures cover, printed as "Period: …".
    pub period: String,
}

impl ChartMeta {
    /// A chart description with a title and nothing else yet.
    pub fn new(title: impl Into<String>) -> Self {
        ChartMeta {
            title: title.into(),
            ..ChartMeta::default()
        }
    }

    /// Set the subtitle.
    pub fn subtitle(mut self, s: impl Into<String>) -> Self {
        self.subtitle = Some(s.into());
        self
    }

    /// Set the axis labels.
    pub fn axes(mut self, x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        self.x_label = x_label.into();
        self.y_label = y_label.into();
        self
    }

    /// Set the unit.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = unit.into();
        self
    }

    /// Set the source line.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// Set the period line.
    pub fn period(mut self, period: impl Into<String>) -> Self {
        self.period = period.into();
        self
    }

    /// The vertical axis title: the label with the unit, unless the label
    /// already says it.
    pub fn y_axis_title(&self) -> String {
        let unit = self.unit.trim();
        let label = self.y_label.trim();
        if unit.is_empty() || label.to_lowercase().contains(&unit.to_lowercase()) {
            label.to_string()
        } else if label.is_empty() {
            unit.to_string()
        } else if unit == "%" {
            format!("{label} (%)")
        } else {
            format!("{label} ({unit})")
        }
    }
}

/// One plotted value: a number, a value hidden by small-number suppression,
/// or no figure at all. A suppressed or missing cell is never drawn as zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Cell {
    Value(f64),
    /// Hidden to protect a small count: shown as "c".
    Suppressed,
    /// No figure (no data, or nothing to divide by): shown as "x".
    Missing,
}

impl Cell {
    /// The number, if there is one to draw.
    pub fn value(self) -> Option<f64> {
        match self {
            Cell::Value(v) if v.is_finite() => Some(v),
            _ => None,
        }
    }

    /// The cell a tidy row holds: suppressed if the row says so (whatever its
    /// value), else its value, else missing.
    pub fn of_row(row: &MetricRow) -> Cell {
        if row.status.is_suppressed() {
            return Cell::Suppressed;
        }
        match row.value {
            Some(v) if v.is_finite() => Cell::Value(v),
            _ => Cell::Missing,
        }
    }

    /// The symbol printed for a cell without a number: `c` suppressed, `x`
    /// not available.
    pub fn symbol(self) -> Option<&'static str> {
        match self {
            Cell::Value(v) if v.is_finite() => None,
            Cell::Suppressed => Some("c"),
            _ => Some("x"),
        }
    }
}

/// What an area is on a comparison chart; decides its colour and weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaRole {
    /// The authority the chart is about (strongest colour).
    Authority,
    /// Another authority shown beside it.
    Comparator,
    /// The authority's region (neutral tone).
    Region,
    /// England (neutral tone, darker).
    England,
    /// The mean of the statistical neighbours.
    Neighbours,
}

/// A line of values over the years for one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineSeries {
    /// The area's name as printed in the legend.
    pub name: String,
    /// The area's code (`800`, `E12000009`, `E92000001`), for the data table.
    pub code: String,
    pub role: AreaRole,
    /// One cell per year of [`LineChart::years`].
    pub values: Vec<Cell>,
}

/// Lines over collection years, one series per area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineChart {
    pub meta: ChartMeta,
    /// Collection years (the year the return ends), increasing.
    pub years: Vec<i32>,
    pub series: Vec<LineSeries>,
    /// Decimal places of the figures in labels and the data table.
    pub decimals: u8,
    /// Start the value axis at zero (default) rather than near the lowest value.
    pub y_from_zero: bool,
}

/// Where a unit lies against one pair of funnel limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PointBand {
    /// The two-sided level, e.g. 0.998.
    pub level: f64,
    /// Lower limit at the unit's denominator, on the chart's scale.
    pub lower: f64,
    /// Upper limit at the unit's denominator, on the chart's scale.
    pub upper: f64,
}

/// One unit (an authority) on a funnel plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelPoint {
    /// Printed beside highlighted points and in the data table.
    pub label: String,
    /// The area's code, for the data table.
    pub code: String,
    /// The precision axis: the child population (rates) or number of
    /// children or events (proportions).
    pub denominator: u64,
    pub numerator: u64,
    /// On the chart's scale (rate per 10,000, or percent for proportions).
    pub value: f64,
    /// Drawn in the authority colour and labelled.
    pub highlighted: bool,
    /// The limits at this unit's denominator, one per level (filled in by
    /// [`FunnelChart::compute`]).
    pub bands: Vec<PointBand>,
}

impl FunnelPoint {
    /// A point before its limits are computed.
    pub fn new(
        label: impl Into<String>,
        code: impl Into<String>,
        numerator: u64,
        denominator: u64,
        highlighted: bool,
    ) -> Self {
        FunnelPoint {
            label: label.into(),
            code: code.into(),
            denominator,
            numerator,
            value: f64::NAN,
            highlighted,
            bands: Vec::new(),
        }
    }
}

/// One level's limit curves, on the chart's scale, evaluated on `denominators`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelLimits {
    pub level: f64,
    pub denominators: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Over-dispersion estimates printed on a funnel plot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OverDispersionNote {
    /// φ̂, the mean squared winsorised z-score.
    pub phi: f64,
    /// τ̂², the between-unit variance on the transformed scale.
    pub tau2: f64,
    /// Whether the drawn limits were widened for it.
    pub adjusted: bool,
}

/// A funnel plot: every unit's value against its denominator, with control
/// limits around a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelChart {
    pub meta: ChartMeta,
    /// Rate per 10,000 or proportion (drawn as a percentage).
    pub indicator: iro_stats::Indicator,
    pub points: Vec<FunnelPoint>,
    /// The centre line, on the chart's scale.
    pub target: f64,
    /// What the centre line is, e.g. "England 67.1".
    pub target_label: String,
    /// The limits drawn, one per level, narrowest first.
    pub limits: Vec<FunnelLimits>,
    /// How the limits were computed, printed under the chart.
    pub method: String,
    pub over_dispersion: Option<OverDispersionNote>,
    /// Units left off, with the reason (e.g. "Isles of Scilly: denominator 0").
    pub excluded: Vec<String>,
    /// Decimal places of the values in labels and the data table.
    pub decimals: u8,
    /// Exactly whom the plot compares, in words, e.g. "the 17 authorities
    /// with a published figure for 2018-19" (set by the standard set; also in
    /// the title). Captions and report text use it rather than a promise of
    /// "every authority".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared: Option<String>,
}

/// One named series of cells, aligned with its chart's categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    /// One cell per category.
    pub values: Vec<Cell>,
}

/// How a stacked bar's segments are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentColours {
    /// Distinct colours for unordered categories (legal status, placement type).
    #[default]
    Categorical,
    /// Light to dark for ordered bands (distance from home); "not known"
    /// segments are grey.
    Sequential,
}

/// Stacked bars: categories (years, quarters or authorities) × segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackedBarChart {
    pub meta: ChartMeta,
    /// One bar per category; `\n` breaks a label over lines.
    pub categories: Vec<String>,
    /// Drawn bottom to top, in this order.
    pub segments: Vec<Series>,
    /// Values are percentages of each bar (the axis runs 0 to 100).
    pub percent: bool,
    pub colours: SegmentColours,
    pub decimals: u8,
}

/// A horizontal target line across a bar chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetLine {
    pub value: f64,
    /// e.g. "Target: at least 90%".
    pub label: String,
}

/// Bars: categories (e.g. Q1 to Q4) × one or more series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarChart {
    pub meta: ChartMeta,
    /// One group of bars per category; `\n` breaks a label over lines.
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub target: Option<TargetLine>,
    /// Values are percentages (the axis runs 0 to 100).
    pub percent: bool,
    pub decimals: u8,
}

/// A vertical reference line across a ranked bar chart, e.g. the group's
/// pooled value or England: dashed, in the tone of its role, labelled above
/// the plot and in the legend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceLine {
    /// On the chart's scale.
    pub value: f64,
    /// e.g. "South West (pooled)", "England".
    pub label: String,
    /// Decides the tone: `Region` and `England` neutral greys, `Neighbours`
    /// orange (as on line charts).
    pub role: AreaRole,
}

/// One authority's bar on a ranked bar chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedBar {
    /// The authority's name, or its letter in an anonymised pack
    /// ("Authority C"); cut with "…" where too long to print.
    pub label: String,
    /// The area's code for the data table (`800`), or "" when anonymised.
    pub code: String,
    /// Suppressed: no bar, `c` printed; missing: no bar, `x` printed. Never
    /// drawn as zero.
    pub value: Cell,
    /// The 95% interval (lower, upper) on the chart's scale, drawn as a
    /// whisker. Not drawn (nor tabled) when the value has no figure.
    pub interval: Option<(f64, f64)>,
    /// Drawn in the authority colour (else the comparator colour).
    pub highlighted: bool,
}

/// Horizontal bars, one per authority, in the order given (the caller
/// ranks them, e.g. highest first): a regional group's league table.
///
/// The value axis is horizontal, titled with [`ChartMeta::y_axis_title`]
/// (the label and unit, as on the other kinds) under the bars;
/// [`ChartMeta::x_label`] names the bars (e.g. "Authority") and heads the
/// first column of the data table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedBarChart {
    pub meta: ChartMeta,
    pub bars: Vec<RankedBar>,
    /// Vertical reference lines across all bars, e.g. the group's pooled
    /// value and England.
    pub references: Vec<ReferenceLine>,
    /// Values are percentages. The axis runs 0 to 100 when the highest value,
    /// interval end or reference line is above 60%, else from 0 to a nice
    /// step above the highest (an axis to 100% under bars of 20% hides the
    /// differences between them), as on [`BarChart`].
    pub percent: bool,
    /// Decimal places of the printed values.
    pub decimals: u8,
}

/// One panel of a [`SmallMultiples`] grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    /// Printed above the panel, e.g. the authority's name.
    pub title: String,
    /// [`Chart::Lines`] or [`Chart::Bars`] only; any other kind is
    /// [`crate::ChartError::UnsupportedPanel`]. Its own title, unit, source
    /// and period are not drawn: the grid's [`SmallMultiples::meta`] says them
    /// once.
    pub chart: Chart,
}

/// A grid of small panels sharing one value axis (the same range and ticks
/// in every panel, computed across all), so panels compare at a glance: e.g.
/// each authority's quarterly review timeliness with the group's target, or
/// each authority's five-year trend beside the region and England.
///
/// One legend serves the whole grid: a series drawn in more than one panel
/// (the region, England, a target) is named once; a series of one panel
/// only is named by its panel's title and listed by its role ("Each panel's
/// authority").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmallMultiples {
    /// The overall title, value axis label and unit, source and period.
    pub meta: ChartMeta,
    pub panels: Vec<Panel>,
    /// Panels per row; 0 = chosen from the count ([`SmallMultiples::grid`]).
    pub columns: u8,
}

impl SmallMultiples {
    /// Columns and rows of the grid: `columns` if set (at most the number of
    /// panels), else 1 to 3 panels in one row, 4 as 2 × 2, 5 or 6 three
    /// wide, 7 to 16 four wide, more five wide.
    pub fn grid(&self) -> (usize, usize) {
        let n = self.panels.len().max(1);
        let cols = match usize::from(self.columns) {
            0 => match n {
                1..=3 => n,
                4 => 2,
                5 | 6 => 3,
                7..=16 => 4,
                _ => 5,
            },
            c => c.min(n),
        };
        (cols, n.div_ceil(cols))
    }

    /// Whether the grid can be drawn: it has a panel, and every panel is a
    /// line or bar chart.
    pub fn check(&self) -> Result<(), crate::ChartError> {
        if self.panels.is_empty() {
            return Err(crate::ChartError::NothingToDraw(format!(
                "{}: a small-multiples chart without panels",
                self.meta.title
            )));
        }
        for p in &self.panels {
            if !matches!(p.chart, Chart::Lines(_) | Chart::Bars(_)) {
                return Err(crate::ChartError::UnsupportedPanel {
                    panel: p.title.clone(),
                    kind: p.chart.kind_name(),
                });
            }
        }
        Ok(())
    }
}

/// A chart of one of the six kinds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Chart {
    Lines(LineChart),
    Funnel(FunnelChart),
    StackedBars(StackedBarChart),
    Bars(BarChart),
    /// Horizontal bars ranked by the caller, with intervals and reference
    /// lines.
    RankedBars(RankedBarChart),
    /// A grid of line or bar charts sharing one value axis.
    SmallMultiples(SmallMultiples),
}

impl Chart {
    /// The words around the chart.
    pub fn meta(&self) -> &ChartMeta {
        match self {
            Chart::Lines(c) => &c.meta,
            Chart::Funnel(c) => &c.meta,
            Chart::StackedBars(c) => &c.meta,
            Chart::Bars(c) => &c.meta,
            Chart::RankedBars(c) => &c.meta,
            Chart::SmallMultiples(c) => &c.meta,
        }
    }

    /// The words around the chart, to change (a document whose caption
    /// names the chart draws it without its own title).
    pub fn meta_mut(&mut self) -> &mut ChartMeta {
        match self {
            Chart::Lines(c) => &mut c.meta,
            Chart::Funnel(c) => &mut c.meta,
            Chart::StackedBars(c) => &mut c.meta,
            Chart::Bars(c) => &mut c.meta,
            Chart::RankedBars(c) => &mut c.meta,
            Chart::SmallMultiples(c) => &mut c.meta,
        }
    }

    /// "line chart", "funnel plot", …
    pub fn kind_name(&self) -> &'static str {
        match self {
            Chart::Lines(_) => "line chart",
            Chart::Funnel(_) => "funnel plot",
            Chart::StackedBars(_) => "stacked bar chart",
            Chart::Bars(_) => "bar chart",
            Chart::RankedBars(_) => "ranked bar chart",
            Chart::SmallMultiples(_) => "small-multiples chart",
        }
    }

    /// Whether any cell is suppressed.
    pub fn has_suppressed(&self) -> bool {
        self.cells().any(|c| c == Cell::Suppressed)
    }

    /// Whether any cell has no figure.
    pub fn has_missing(&self) -> bool {
        self.cells().any(|c| matches!(c, Cell::Missing))
    }

    fn cells(&self) -> Box<dyn Iterator<Item = Cell> + '_> {
        match self {
            Chart::Lines(c) => Box::new(c.series.iter().flat_map(|s| s.values.iter().copied())),
            Chart::Funnel(_) => Box::new(std::iter::empty()),
            Chart::StackedBars(c) => {
                Box::new(c.segments.iter().flat_map(|s| s.values.iter().copied()))
            }
            Chart::Bars(c) => Box::new(c.series.iter().flat_map(|s| s.values.iter().copied())),
            Chart::RankedBars(c) => Box::new(c.bars.iter().map(|b| b.value)),
            Chart::SmallMultiples(c) => Box::new(c.panels.iter().flat_map(|p| p.chart.cells())),
        }
    }
}

/// The numbers behind a chart: a header and rows of strings, for an
/// accessible table and for the CSV written beside the chart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl DataTable {
    /// The table as CSV (RFC 4180 quoting, `\n` line ends).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for line in std::iter::once(&self.columns).chain(&self.rows) {
            for (i, field) in line.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if field.contains([',', '"', '\n', '\r']) {
                    out.push('"');
                    out.push_str(&field.replace('"', "\"\""));
                    out.push('"');
                } else {
                    out.push_str(field);
                }
            }
            out.push('\n');
        }
        out
    }
}
