//! The frame every chart shares: title, subtitle, legend, value-axis title,
//! plot area, category or value axis, notes, period and source — laid out so
//! no text overlaps at any size from about 600×340 up.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::ChartError;
use crate::canvas::{Canvas, Weight};
use crate::model::ChartMeta;
use crate::style::{AXIS, GRID, SECONDARY_TEXT, TEXT, format_number};

// Design sizes (pixels at 900×500).
pub(crate) const MARGIN: f64 = 18.0;
pub(crate) const TITLE: f64 = 18.0;
pub(crate) const SUBTITLE: f64 = 13.0;
pub(crate) const LEGEND: f64 = 12.0;
pub(crate) const AXIS_TITLE: f64 = 12.0;
pub(crate) const TICK: f64 = 12.0;
pub(crate) const NOTE: f64 = 11.0;
pub(crate) const VALUE_LABEL: f64 = 11.0;

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
    pub fn inside(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }
}

/// What a legend entry's swatch looks like.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A line sample, optionally dashed, optionally with a marker.
    Line {
        color: RGBColor,
        width: f64,
        dashed: bool,
        marker: bool,
    },
    /// A filled square.
    Block(RGBColor),
    /// A dot.
    Dot { color: RGBColor, radius: f64 },
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct LegendItem {
    pub swatch: Swatch,
    pub label: String,
}

/// A legend entry with its label broken into lines.
type WrappedItem = (LegendItem, Vec<String>);

/// Where the legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegendAt {
    /// In rows above the plot.
    Top,
    /// In a column right of the plot (stacked bars: entries line up with the
    /// stack, top segment first).
    Right,
}

/// A value (vertical) axis: range and ticks.
#[derive(Debug, Clone)]
pub(crate) struct ValueAxis {
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<f64>,
    pub decimals: u8,
}

impl ValueAxis {
    /// A range covering `lo..hi` with about five "nice" steps (1, 2, 2.5, 5 ×
    /// 10ⁿ), starting at zero when `from_zero`.
    pub fn nice(lo: f64, hi: f64, from_zero: bool) -> ValueAxis {
        let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() && hi >= lo {
            (lo, hi)
        } else {
            (0.0, 1.0)
        };
        if from_zero {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }
        if hi - lo < 1e-9 {
            let pad = if hi.abs() > 1e-9 { hi.abs() * 0.1 } else { 1.0 };
            hi += pad;
            if !from_zero || lo < 0.0 {
                lo -= pad;
            }
        }
        let raw = (hi - lo) / 5.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw * 0.999)
            .unwrap_or(10.0 * mag);
        let min = (lo / step).floor() * step;
        let mut max = (hi / step).ceil() * step;
        if max <= min {
            max = min + step;
        }
        let n = ((max - min) / step).round() as usize;
        let ticks = (0..=n).map(|i| min + step * i as f64).collect();
        // The fewest decimals that print every tick exactly.
        let decimals = (0u8..=6)
            .find(|d| {
                let scaled = step * 10f64.powi(i32::from(*d));
                (scaled - scaled.round()).abs() < 1e-6
            })
            .unwrap_or(6);
        ValueAxis {
            min,
            max,
            ticks,
            decimals,
        }
    }

    /// 0 to 100 in steps of 20: percentages.
    pub fn percent() -> ValueAxis {
        ValueAxis {
            min: 0.0,
            max: 100.0,
            ticks: (0..=5).map(|i| i as f64 * 20.0).collect(),
            decimals: 0,
        }
    }

    pub fn label(&self, v: f64) -> String {
        format_number(v, self.decimals)
    }
}

/// Everything placed around the plot area.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// The plot area (inside the axes).
    pub plot: Rect,
    /// Top of the category labels under the plot.
    pub x_labels_top: f64,
    /// Lines of each category label, as wrapped.
    pub category_lines: Vec<Vec<String>>,
}

/// What the frame must make room for.
#[derive(Debug)]
pub(crate) struct FrameSpec<'a> {
    pub meta: &'a ChartMeta,
    pub legend: &'a [LegendItem],
    pub legend_at: LegendAt,
    /// Notes printed above the period and source lines.
    pub notes: &'a [String],
    pub y_axis: &'a ValueAxis,
    /// Categories under the plot (bars, years), or none for a value axis.
    pub categories: &'a [String],
    /// The largest tick label of a horizontal value axis (funnel), if any.
    pub x_value_labels: Option<&'a [String]>,
    /// The width of the labels left of the plot (horizontal bars), which
    /// then sets the left margin in place of the value axis's tick labels.
    pub left_label_width: Option<f64>,
}

/// Lay out and draw the title, subtitle, legend, axis titles, notes, period
/// and source; return where the plot goes.
pub(crate) fn frame<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    spec: &FrameSpec<'_>,
) -> Result<Frame, ChartError> {
    let m = cv.d(MARGIN);
    let (w, h) = (cv.w, cv.h);
    let inner = w - 2.0 * m;

    // Header: title (up to two lines), subtitle.
    // A chart without a title (the document's caption names it) starts with
    // its legend or plot.
    let mut y = if spec.meta.title.is_empty() {
        cv.d(4.0)
    } else {
        cv.d(14.0)
    };
    let mut title = if spec.meta.title.is_empty() {
        Vec::new()
    } else {
        cv.wrap(&spec.meta.title, TITLE, Weight::Bold, inner)
    };
    if title.len() > 2 {
        let rest = title[1..].join(" ");
        title.truncate(1);
        title.push(cv.truncate(&rest, TITLE, Weight::Bold, inner));
    }
    y = cv.text_lines(&title, m, y, TITLE, Weight::Bold, TEXT, HPos::Left)?;
    if let Some(sub) = spec.meta.subtitle.as_deref().filter(|s| !s.is_empty()) {
        y += cv.d(2.0);
        let lines = cv.wrap(sub, SUBTITLE, Weight::Normal, inner);
        y = cv.text_lines(
            &lines,
            m,
            y,
            SUBTITLE,
            Weight::Normal,
            SECONDARY_TEXT,
            HPos::Left,
        )?;
    }
    y += cv.d(8.0);

    // Right legend: measured first, so the plot knows its width.
    let mut right = w - m;
    let mut right_legend: Option<(f64, Vec<WrappedItem>)> = None;
    if spec.legend_at == LegendAt::Right && !spec.legend.is_empty() {
        let max_w = (w * 0.34).min(cv.d(300.0));
        let text_max = max_w - cv.d(20.0);
        let items: Vec<WrappedItem> = spec
            .legend
            .iter()
            .map(|it| {
                (
                    it.clone(),
                    cv.wrap(&it.label, LEGEND, Weight::Normal, text_max),
                )
            })
            .collect();
        let widest = items
            .iter()
            .flat_map(|(_, ls)| ls.iter())
            .map(|l| cv.text_width(l, LEGEND, Weight::Normal))
            .fold(0.0, f64::max);
        let lw = widest + cv.d(20.0);
        right = w - m - lw - cv.d(16.0);
        right_legend = Some((w - m - lw, items));
    }

    // Top legend: rows of entries.
    if spec.legend_at == LegendAt::Top && !spec.legend.is_empty() {
        let gap = cv.d(18.0);
        let mut x = m;
        let lh = cv.line_height(LEGEND);
        for item in spec.legend {
            let sw = swatch_width(cv, &item.swatch);
            let label = cv.truncate(&item.label, LEGEND, Weight::Normal, inner - sw);
            let iw = sw + cv.text_width(&label, LEGEND, Weight::Normal);
            if x > m && x + iw > w - m {
                x = m;
                y += lh;
            }
            draw_swatch(cv, &item.swatch, x, y + lh / 2.0)?;
            cv.text(
                &label,
                x + sw,
                y + lh / 2.0,
                LEGEND,
                Weight::Normal,
                TEXT,
                (HPos::Left, VPos::Center),
            )?;
            x += iw + gap;
        }
        y += lh + cv.d(6.0);
    }

    // Value-axis title, horizontal above the axis (GOV.UK / ONS style).
    let y_title = spec.meta.y_axis_title();
    if !y_title.is_empty() {
        let lines = cv.wrap(&y_title, AXIS_TITLE, Weight::Normal, right - m);
        y = cv.text_lines(&lines, m, y, AXIS_TITLE, Weight::Normal, TEXT, HPos::Left)?;
        y += cv.d(4.0);
    }
    // Half a tick label of room above the top gridline.
    let plot_top = y + cv.d(TICK) * 0.7;

    // Footer from the bottom up: source, period, notes.
    let mut footer: Vec<String> = Vec::new();
    for n in spec.notes {
        footer.extend(cv.wrap(n, NOTE, Weight::Normal, inner));
    }
    if !spec.meta.period.is_empty() {
        footer.extend(cv.wrap(
            &format!("Period: {}", spec.meta.period),
            NOTE,
            Weight::Normal,
            inner,
        ));
    }
    if !spec.meta.source.is_empty() {
        footer.extend(cv.wrap(
            &format!("Source: {}", spec.meta.source),
            NOTE,
            Weight::Normal,
            inner,
        ));
    }
    let nlh = cv.line_height(NOTE);
    let footer_top = h - cv.d(10.0) - nlh * footer.len() as f64;
    cv.text_lines(
        &footer,
        m,
        footer_top,
        NOTE,
        Weight::Normal,
        SECONDARY_TEXT,
        HPos::Left,
    )?;

    // Left: the widest value-axis tick label.
    let tick_w = spec
        .y_axis
        .ticks
        .iter()
        .map(|t| cv.text_width(&spec.y_axis.label(*t), TICK, Weight::Normal))
        .fold(0.0, f64::max);
    let mut left = m + spec.left_label_width.unwrap_or(tick_w) + cv.d(8.0);
    // A horizontal value axis: its last label is centred on the right edge.
    if let Some(labels) = spec.x_value_labels
        && let Some(last) = labels.last()
    {
        right -= cv.text_width(last, TICK, Weight::Normal) / 2.0;
        if let Some(first) = labels.first() {
            left = left.max(m + cv.text_width(first, TICK, Weight::Normal) / 2.0);
        }
    }

    // Bottom: axis title, then category or tick labels.
    let mut bottom = footer_top - cv.d(8.0);
    if !spec.meta.x_label.is_empty() {
        let lines = cv.wrap(&spec.meta.x_label, AXIS_TITLE, Weight::Normal, right - left);
        bottom -= cv.line_height(AXIS_TITLE) * lines.len() as f64;
        cv.text_lines(
            &lines,
            (left + right) / 2.0,
            bottom,
            AXIS_TITLE,
            Weight::Normal,
            TEXT,
            HPos::Center,
        )?;
        bottom -= cv.d(4.0);
    }
    let tlh = cv.line_height(TICK);
    let mut category_lines = Vec::new();
    let label_rows = if spec.categories.is_empty() {
        1
    } else {
        let slot = (right - left) / spec.categories.len() as f64;
        category_lines = spec
            .categories
            .iter()
            .map(|c| {
                let mut ls = cv.wrap(c, TICK, Weight::Normal, slot - cv.d(4.0));
                // Up to four lines, the last cut only if the label is longer.
                if ls.len() > 4 {
                    let rest = ls[3..].join(" ");
                    ls.truncate(3);
                    ls.push(cv.truncate(&rest, TICK, Weight::Normal, slot - cv.d(4.0)));
                }
                ls
            })
            .collect();
        category_lines.iter().map(Vec::len).max().unwrap_or(1)
    };
    let x_labels_top = bottom - tlh * label_rows as f64;
    let plot = Rect {
        x0: left,
        y0: plot_top,
        x1: right,
        y1: x_labels_top - cv.d(6.0),
    };
    if plot.height() < cv.d(40.0) || plot.width() < cv.d(60.0) {
        return Err(ChartError::TooSmall {
            width: cv.w as u32,
            height: cv.h as u32,
        });
    }

    // Right legend, aligned with the top of the plot.
    if let Some((x, items)) = right_legend {
        let lh = cv.line_height(LEGEND);
        let mut ly = plot.y0;
        for (item, lines) in items {
            draw_swatch(cv, &item.swatch, x, ly + lh / 2.0)?;
            ly = cv.text_lines(
                &lines,
                x + cv.d(20.0),
                ly,
                LEGEND,
                Weight::Normal,
                TEXT,
                HPos::Left,
            )?;
            ly += cv.d(4.0);
        }
    }

    Ok(Frame {
        plot,
        x_labels_top,
        category_lines,
    })
}

fn swatch_width<DB: DrawingBackend>(cv: &Canvas<'_, DB>, s: &Swatch) -> f64 {
    match s {
        Swatch::Line { .. } => cv.d(30.0),
        Swatch::Block(_) | Swatch::Dot { .. } => cv.d(18.0),
    }
}

fn draw_swatch<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    s: &Swatch,
    x: f64,
    cy: f64,
) -> Result<(), ChartError> {
    match *s {
        Swatch::Line {
            color,
            width,
            dashed,
            marker,
        } => {
            let (a, b) = ((x, cy), (x + cv.d(24.0), cy));
            if dashed {
                cv.dashed(&[a, b], color, width, 6.0, 3.0)?;
            } else {
                cv.line(a, b, color, width)?;
            }
            if marker {
                cv.circle((x + cv.d(12.0), cy), 3.5, color, 1.0, None)?;
            }
        }
        Swatch::Block(color) => {
            let r = cv.d(6.0);
            cv.rect((x, cy - r), (x + 2.0 * r, cy + r), color)?;
        }
        Swatch::Dot { color, radius } => {
            cv.circle((x + cv.d(6.0), cy), radius, color, 1.0, Some(TEXT))?;
        }
    }
    Ok(())
}

/// Map a value to a pixel row of the plot.
pub(crate) fn y_of(plot: &Rect, axis: &ValueAxis, v: f64) -> f64 {
    plot.y1 - (v - axis.min) / (axis.max - axis.min) * plot.height()
}

/// Gridlines and tick labels of the vertical value axis, and the baseline.
pub(crate) fn value_axis<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    plot: &Rect,
    axis: &ValueAxis,
) -> Result<(), ChartError> {
    for &t in &axis.ticks {
        let y = y_of(plot, axis, t);
        let color = if t == axis.min || t.abs() < 1e-12 {
            AXIS
        } else {
            GRID
        };
        cv.line((plot.x0, y), (plot.x1, y), color, 1.0)?;
        cv.text(
            &axis.label(t),
            plot.x0 - cv.d(8.0),
            y,
            TICK,
            Weight::Normal,
            TEXT,
            (HPos::Right, VPos::Center),
        )?;
    }
    Ok(())
}

/// Category labels centred under their slots.
pub(crate) fn category_axis<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    frame: &Frame,
) -> Result<(), ChartError> {
    let n = frame.category_lines.len();
    if n == 0 {
        return Ok(());
    }
    let slot = frame.plot.width() / n as f64;
    for (i, lines) in frame.category_lines.iter().enumerate() {
        let cx = frame.plot.x0 + slot * (i as f64 + 0.5);
        cv.line(
            (cx, frame.plot.y1),
            (cx, frame.plot.y1 + cv.d(4.0)),
            AXIS,
            1.0,
        )?;
        cv.text_lines(
            lines,
            cx,
            frame.x_labels_top,
            TICK,
            Weight::Normal,
            TEXT,
            HPos::Center,
        )?;
    }
    Ok(())
}

/// Clip a polyline to `r`, returning the visible pieces.
pub(crate) fn clip_polyline(points: &[(f64, f64)], r: &Rect) -> Vec<Vec<(f64, f64)>> {
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for pair in points.windows(2) {
        match clip_segment(pair[0], pair[1], r) {
            Some((a, b)) => {
                let joined = current
                    .last()
                    .is_some_and(|l| (l.0 - a.0).abs() < 1e-9 && (l.1 - a.1).abs() < 1e-9);
                if !joined {
                    if current.len() >= 2 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(a);
                }
                current.push(b);
            }
            None => {
                if current.len() >= 2 {
                    pieces.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        pieces.push(current);
    }
    pieces
}

/// Liang–Barsky clipping of the segment a→b to `r`.
fn clip_segment(a: (f64, f64), b: (f64, f64), r: &Rect) -> Option<((f64, f64), (f64, f64))> {
    if !(a.0.is_finite() && a.1.is_finite() && b.0.is_finite() && b.1.is_finite()) {
        return None;
    }
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - r.x0),
        (dx, r.x1 - a.0),
        (-dy, a.1 - r.y0),
        (dy, r.y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return None;
            }
        }
    }
    Some((
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axes_cover_the_data() {
        let a = ValueAxis::nice(0.0, 71.6, true);
        assert_eq!((a.min, a.max), (0.0, 80.0));
        assert_eq!(a.ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0]);
        let b = ValueAxis::nice(34.1, 71.6, false);
        assert!(b.min <= 34.1 && b.max >= 71.6);
        let c = ValueAxis::nice(0.0, 0.0, true);
        assert!(c.max > 0.0);
        let d = ValueAxis::nice(f64::NAN, 3.0, true);
        assert_eq!((d.min, d.max), (0.0, 1.0));
        let e = ValueAxis::nice(0.0, 0.23, true);
        assert_eq!(e.max, 0.25);
        assert_eq!(e.label(0.05), "0.05");
        let f = ValueAxis::nice(0.0, 12.0, true);
        assert_eq!(f.label(f.ticks[1]), "2.5");
    }

    #[test]
    fn polylines_are_clipped_to_the_plot() {
        let r = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        };
        // Enters from above, leaves below.
        let pieces = clip_polyline(&[(0.0, -10.0), (5.0, 5.0), (10.0, 20.0)], &r);
        assert_eq!(pieces.len(), 1);
        assert!(pieces[0].iter().all(|p| p.1 >= -1e-9 && p.1 <= 10.0 + 1e-9));
        // Leaves and comes back: two pieces.
        let pieces = clip_polyline(&[(0.0, 5.0), (3.0, 50.0), (6.0, 50.0), (9.0, 5.0)], &r);
        assert_eq!(pieces.len(), 2);
        assert!(clip_polyline(&[(0.0, 20.0), (10.0, 30.0)], &r).is_empty());
    }
}
