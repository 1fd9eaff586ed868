//! Small multiples: a grid of small line or bar panels sharing one value
//! axis, so that panels compare at a glance (e.g. each authority's quarterly
//! review timeliness against the group's target, or each authority's
//! five-year trend beside the region and England).
//!
//! The axis's range and ticks are computed once across every panel and
//! drawn in each; the grid has one title, one value-axis title, one legend
//! (a series drawn in several panels is named once; a series of one panel
//! only is named by the panel's title and listed by its role), and one
//! footer. Suppressed and missing cells are gaps marked `c` and `x`, as on
//! the full-size kinds.

use std::collections::HashMap;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::ChartError;
use crate::canvas::{Canvas, Weight};
use crate::draw::{gap_notes, suffix};
use crate::layout::{
    FrameSpec, LegendAt, LegendItem, MARGIN, Rect, Swatch, TICK, ValueAxis, frame, y_of,
};
use crate::model::{AreaRole, BarChart, Chart, ChartMeta, DataTable, LineChart, SmallMultiples};
use crate::style::{
    AXIS, GRID, SECONDARY_TEXT, TEXT, WHITE, area_style, categorical, format_number, okabe_ito,
    year_label,
};
use crate::table::{bar_words, line_words, one_line};

/// Design sizes of a panel's text: smaller than a full chart's.
const PANEL_TITLE: f64 = 11.0;
const PANEL_TICK: f64 = 9.0;
const PANEL_VALUE: f64 = 9.0;
/// Design height of one row of panels at the natural size.
const PANEL_ROW: f64 = 180.0;
/// Design height of the title, legend, axis title, notes, period and source.
const FRAME: f64 = 230.0;
/// Gaps between panels.
const GAP_X: f64 = 18.0;
const GAP_Y: f64 = 14.0;
/// Line widths and markers in a panel, relative to a full-size line chart.
const LINE_SCALE: f64 = 0.7;

/// As wide as the other kinds (a wider image would only be drawn larger,
/// text and all), and a band of [`PANEL_ROW`] per row of panels.
pub(crate) fn natural_size(c: &SmallMultiples) -> (u32, u32) {
    let (_, rows) = c.grid();
    let h = FRAME + PANEL_ROW * rows as f64;
    (
        crate::DEFAULT_SIZE.0,
        (h.ceil() as u32).clamp(crate::DEFAULT_SIZE.1, crate::MAX_SIDE / 2),
    )
}

/// The one value axis of every panel: across all their figures (and bar
/// panels' targets). Bars start at zero, and percentages reaching above 60%
/// run 0 to 100, as on a full bar chart; lines start at zero unless every
/// line panel says otherwise, as on a full line chart.
pub(crate) fn shared_axis(c: &SmallMultiples) -> ValueAxis {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut any_bars = false;
    let mut any_lines = false;
    let mut all_percent = true;
    let mut from_zero = true;
    let mut take = |v: f64| {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    };
    for p in &c.panels {
        match &p.chart {
            Chart::Lines(l) => {
                any_lines = true;
                from_zero &= l.y_from_zero;
                l.series
                    .iter()
                    .flat_map(|s| s.values.iter().filter_map(|v| v.value()))
                    .for_each(&mut take);
            }
            Chart::Bars(b) => {
                any_bars = true;
                all_percent &= b.percent;
                b.series
                    .iter()
                    .flat_map(|s| s.values.iter().filter_map(|v| v.value()))
                    .chain(b.target.as_ref().map(|t| t.value))
                    .for_each(&mut take);
            }
            _ => {}
        }
    }
    if !lo.is_finite() {
        return ValueAxis::nice(0.0, 1.0, true);
    }
    if any_bars {
        let (lo, hi) = (lo.min(0.0), hi.max(0.0));
        if all_percent && !any_lines && lo >= 0.0 && hi <= 100.0 && hi > 60.0 {
            ValueAxis::percent()
        } else {
            ValueAxis::nice(lo, hi * 1.08, true)
        }
    } else {
        let pad = if from_zero { 0.0 } else { (hi - lo) * 0.1 };
        ValueAxis::nice(lo - pad, hi + (hi - lo).abs() * 0.05, from_zero)
    }
}

/// Series of line panels, by name and role: in how many panels each is
/// drawn. A series in more than one panel (or in the only panel) is named
/// in the legend; the others by their panel's title.
fn line_counts(c: &SmallMultiples) -> HashMap<(&str, AreaRole), usize> {
    let mut counts: HashMap<(&str, AreaRole), usize> = HashMap::new();
    for p in &c.panels {
        if let Chart::Lines(l) = &p.chart {
            let mut seen: Vec<(&str, AreaRole)> = Vec::new();
            for s in &l.series {
                let key = (s.name.as_str(), s.role);
                if !seen.contains(&key) {
                    seen.push(key);
                    *counts.entry(key).or_default() += 1;
                }
            }
        }
    }
    counts
}

fn repeated(
    c: &SmallMultiples,
    counts: &HashMap<(&str, AreaRole), usize>,
    name: &str,
    role: AreaRole,
) -> bool {
    c.panels.len() == 1 || counts.get(&(name, role)).copied().unwrap_or(0) > 1
}

/// The column header of a series drawn in one panel only, in place of its
/// name (which its panel's title says).
fn role_word(role: AreaRole) -> &'static str {
    match role {
        AreaRole::Authority => "Authority",
        AreaRole::Comparator => "Comparator",
        AreaRole::Region => "Region",
        AreaRole::England => "England",
        AreaRole::Neighbours => "Statistical neighbours",
    }
}

/// Line colour, width and dash of each series of a line panel.
fn line_styles(l: &LineChart) -> Vec<(RGBColor, f64, bool)> {
    let mut comparators = 0;
    l.series
        .iter()
        .map(|s| {
            let st = area_style(s.role, comparators);
            if s.role == AreaRole::Comparator {
                comparators += 1;
            }
            st
        })
        .collect()
}

fn bar_colours(b: &BarChart) -> Vec<RGBColor> {
    (0..b.series.len())
        .map(|i| {
            if b.series.len() == 1 {
                okabe_ito::BLUE
            } else {
                categorical(i)
            }
        })
        .collect()
}

fn legend(c: &SmallMultiples) -> Vec<LegendItem> {
    let counts = line_counts(c);
    let mut items: Vec<LegendItem> = Vec::new();
    let push = |items: &mut Vec<LegendItem>, swatch: Swatch, label: String| {
        if !items.iter().any(|i| i.label == label) {
            items.push(LegendItem { swatch, label });
        }
    };
    for p in &c.panels {
        match &p.chart {
            Chart::Lines(l) => {
                for (s, (color, width, dashed)) in l.series.iter().zip(line_styles(l)) {
                    let swatch = Swatch::Line {
                        color,
                        width: width * LINE_SCALE,
                        dashed,
                        marker: s.role == AreaRole::Authority,
                    };
                    let label = if repeated(c, &counts, &s.name, s.role) {
                        s.name.clone()
                    } else {
                        format!("Each panel's {}", role_word(s.role).to_lowercase())
                    };
                    push(&mut items, swatch, label);
                }
            }
            Chart::Bars(b) => {
                if b.series.len() > 1 {
                    for (s, colour) in b.series.iter().zip(bar_colours(b)) {
                        push(&mut items, Swatch::Block(colour), s.name.clone());
                    }
                }
                if let Some(t) = &b.target {
                    let swatch = Swatch::Line {
                        color: okabe_ito::VERMILLION,
                        width: 1.5,
                        dashed: true,
                        marker: false,
                    };
                    push(&mut items, swatch, one_line(&t.label));
                }
            }
            _ => {}
        }
    }
    items
}

pub(crate) fn draw<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    chart: &Chart,
    c: &SmallMultiples,
) -> Result<(), ChartError> {
    c.check()?;
    let axis = shared_axis(c);
    let legend = legend(c);
    let notes = gap_notes(chart);
    // The panels' categories say what runs across: no shared category title.
    let meta = ChartMeta {
        x_label: String::new(),
        ..c.meta.clone()
    };
    let f = frame(
        cv,
        &FrameSpec {
            meta: &meta,
            legend: &legend,
            legend_at: LegendAt::Top,
            notes: &notes,
            y_axis: &axis,
            categories: &[],
            x_value_labels: None,
            left_label_width: None,
        },
    )?;
    let m = cv.d(MARGIN);
    let grid = Rect {
        x0: m,
        y0: f.plot.y0 - cv.d(TICK) * 0.7,
        x1: cv.w - m,
        y1: f.x_labels_top + cv.line_height(TICK),
    };
    let (cols, rows) = c.grid();
    let (gx, gy) = (cv.d(GAP_X), cv.d(GAP_Y));
    let pw = (grid.width() - gx * (cols - 1) as f64) / cols as f64;
    let ph = (grid.height() - gy * (rows - 1) as f64) / rows as f64;
    if pw < cv.d(90.0) || ph < cv.d(80.0) {
        return Err(ChartError::TooSmall {
            width: cv.w as u32,
            height: cv.h as u32,
        });
    }
    // Panel titles over up to two lines, the same room in every panel so
    // the axes line up.
    let titles: Vec<Vec<String>> = c
        .panels
        .iter()
        .map(|p| {
            let mut lines = cv.wrap(&one_line(&p.title), PANEL_TITLE, Weight::Bold, pw);
            if lines.len() > 2 {
                let rest = lines[1..].join(" ");
                lines.truncate(1);
                lines.push(cv.truncate(&rest, PANEL_TITLE, Weight::Bold, pw));
            }
            lines
        })
        .collect();
    let title_lines = titles.iter().map(Vec::len).max().unwrap_or(1);
    for (i, p) in c.panels.iter().enumerate() {
        let (col, row) = (i % cols, i / cols);
        let x0 = grid.x0 + (pw + gx) * col as f64;
        let y0 = grid.y0 + (ph + gy) * row as f64;
        let cell = Rect {
            x0,
            y0,
            x1: x0 + pw,
            y1: y0 + ph,
        };
        panel(cv, &cell, &titles[i], title_lines, &p.chart, &axis)?;
    }
    Ok(())
}

/// One panel in `cell`: its title, the shared axis's gridlines and labels,
/// its categories, and its lines or bars.
fn panel<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    cell: &Rect,
    title: &[String],
    title_lines: usize,
    chart: &Chart,
    axis: &ValueAxis,
) -> Result<(), ChartError> {
    cv.text_lines(
        title,
        cell.x0,
        cell.y0,
        PANEL_TITLE,
        Weight::Bold,
        TEXT,
        HPos::Left,
    )?;
    let tick_w = axis
        .ticks
        .iter()
        .map(|t| cv.text_width(&axis.label(*t), PANEL_TICK, Weight::Normal))
        .fold(0.0, f64::max);
    let tlh = cv.line_height(PANEL_TICK);
    let plot = Rect {
        x0: cell.x0 + tick_w + cv.d(5.0),
        // Room above the top gridline for half a tick label, or for the
        // value printed over a bar that reaches it.
        y0: cell.y0
            + cv.line_height(PANEL_TITLE) * title_lines as f64
            + cv.d(3.0)
            + match chart {
                Chart::Bars(_) => cv.line_height(PANEL_VALUE) + cv.d(2.0),
                _ => cv.d(PANEL_TICK) * 0.6,
            },
        x1: cell.x1 - cv.d(2.0),
        y1: cell.y1 - tlh - cv.d(7.0),
    };
    for &t in &axis.ticks {
        let y = y_of(&plot, axis, t);
        let colour = if t == axis.min || t.abs() < 1e-12 {
            AXIS
        } else {
            GRID
        };
        cv.line((plot.x0, y), (plot.x1, y), colour, 1.0)?;
        cv.text(
            &axis.label(t),
            plot.x0 - cv.d(4.0),
            y,
            PANEL_TICK,
            Weight::Normal,
            TEXT,
            (HPos::Right, VPos::Center),
        )?;
    }
    let categories: Vec<String> = match chart {
        Chart::Lines(l) => l.years.iter().map(|y| year_label(*y)).collect(),
        Chart::Bars(b) => b.categories.iter().map(|c| one_line(c)).collect(),
        _ => Vec::new(),
    };
    category_labels(cv, &plot, &categories)?;
    match chart {
        Chart::Lines(l) => panel_lines(cv, &plot, axis, l),
        Chart::Bars(b) => panel_bars(cv, &plot, axis, b),
        _ => Ok(()),
    }
}

/// Category labels under a panel, every k-th (always the last) where they
/// would not fit side by side.
fn category_labels<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    plot: &Rect,
    categories: &[String],
) -> Result<(), ChartError> {
    let n = categories.len();
    if n == 0 {
        return Ok(());
    }
    let slot = plot.width() / n as f64;
    let widest = categories
        .iter()
        .map(|c| cv.text_width(c, PANEL_TICK, Weight::Normal))
        .fold(0.0, f64::max);
    let every = ((widest + cv.d(4.0)) / slot).ceil().max(1.0) as usize;
    for (i, label) in categories.iter().enumerate() {
        let cx = plot.x0 + slot * (i as f64 + 0.5);
        cv.line((cx, plot.y1), (cx, plot.y1 + cv.d(3.0)), AXIS, 1.0)?;
        if (n - 1 - i).is_multiple_of(every) {
            let label = cv.truncate(label, PANEL_TICK, Weight::Normal, slot * every as f64);
            // Below the lowest value label, which is centred on the axis.
            cv.text(
                &label,
                cx,
                plot.y1 + cv.d(6.0),
                PANEL_TICK,
                Weight::Normal,
                TEXT,
                (HPos::Center, VPos::Top),
            )?;
        }
    }
    Ok(())
}

fn panel_lines<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    plot: &Rect,
    axis: &ValueAxis,
    l: &LineChart,
) -> Result<(), ChartError> {
    let styles = line_styles(l);
    let n = l.years.len().max(1);
    let slot = plot.width() / n as f64;
    let x_of = |i: usize| plot.x0 + slot * (i as f64 + 0.5);
    let mut order: Vec<usize> = (0..l.series.len()).collect();
    order.sort_by_key(|&i| match l.series[i].role {
        AreaRole::England | AreaRole::Region => 0,
        AreaRole::Neighbours => 1,
        AreaRole::Comparator => 2,
        AreaRole::Authority => 3,
    });
    for &i in &order {
        let s = &l.series[i];
        let (color, width, dashed) = styles[i];
        let width = width * LINE_SCALE;
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |cv: &mut Canvas<'_, DB>, run: &mut Vec<(f64, f64)>| {
            let drawn = if dashed {
                cv.dashed(run, color, width, 6.0, 3.0)
            } else {
                cv.polyline(run, color, width)
            };
            run.clear();
            drawn
        };
        for (j, v) in s.values.iter().enumerate().take(n) {
            match v.value() {
                Some(v) => run.push((x_of(j), y_of(plot, axis, v))),
                None => flush(cv, &mut run)?,
            }
        }
        flush(cv, &mut run)?;
        // Markers on the authority's line; on the others (the region,
        // England) only where a figure stands alone between gaps, which no
        // line would show.
        let authority = s.role == AreaRole::Authority;
        let known = |j: usize| s.values.get(j).and_then(|v| v.value()).is_some();
        for (j, v) in s.values.iter().enumerate().take(n) {
            let Some(v) = v.value() else { continue };
            let alone = !(known(j + 1) || j > 0 && known(j - 1));
            if authority || alone {
                let r = if authority { 3.0 } else { 2.2 };
                cv.circle((x_of(j), y_of(plot, axis, v)), r, color, 1.0, Some(WHITE))?;
            }
        }
    }
    // Cells without a figure: their symbol just above the axis, stacked.
    let mut stack = vec![0usize; n];
    for (i, s) in l.series.iter().enumerate() {
        for (j, v) in s.values.iter().enumerate().take(n) {
            if let Some(sym) = v.symbol() {
                let y = plot.y1 - cv.d(3.0) - cv.line_height(PANEL_VALUE) * stack[j] as f64;
                stack[j] += 1;
                let colour = if styles[i].0 == crate::style::REGION {
                    SECONDARY_TEXT
                } else {
                    styles[i].0
                };
                cv.text(
                    sym,
                    x_of(j),
                    y,
                    PANEL_VALUE,
                    Weight::Bold,
                    colour,
                    (HPos::Center, VPos::Bottom),
                )?;
            }
        }
    }
    Ok(())
}

fn panel_bars<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    plot: &Rect,
    axis: &ValueAxis,
    b: &BarChart,
) -> Result<(), ChartError> {
    let colours = bar_colours(b);
    let k_series = b.series.len().max(1);
    let n = b.categories.len().max(1);
    let slot = plot.width() / n as f64;
    let group = slot * 0.74;
    let bar_w = group / k_series as f64;
    let zero = y_of(plot, axis, 0.0_f64.clamp(axis.min, axis.max));
    let target_y = b
        .target
        .as_ref()
        .filter(|t| t.value >= axis.min && t.value <= axis.max)
        .map(|t| y_of(plot, axis, t.value));
    let lh = cv.line_height(PANEL_VALUE);
    for (k, s) in b.series.iter().enumerate() {
        for (j, v) in s.values.iter().enumerate().take(n) {
            let x0 = plot.x0 + slot * j as f64 + (slot - group) / 2.0 + bar_w * k as f64;
            let x1 = x0 + bar_w - cv.d(if k_series > 1 { 1.5 } else { 0.0 });
            let cx = (x0 + x1) / 2.0;
            match v.value() {
                Some(v) => {
                    let y = y_of(plot, axis, v.clamp(axis.min, axis.max));
                    cv.rect((x0, zero), (x1, y), colours[k])?;
                    let label = format!("{}{}", format_number(v, b.decimals), suffix(b.percent));
                    // A label no wider than its bar (beside another bar),
                    // or a little wider (alone in its category).
                    let room = if k_series > 1 {
                        bar_w
                    } else {
                        bar_w + cv.d(3.0)
                    };
                    if cv.text_width(&label, PANEL_VALUE, Weight::Bold) > room {
                        continue;
                    }
                    let gap = cv.d(2.0);
                    // Below a negative bar reaching the foot of the axis,
                    // there is no room: the data table has the figure.
                    if v < 0.0 && y + gap + lh > plot.y1 {
                        continue;
                    }
                    let (mut ty, mut vp, mut colour) = if v >= 0.0 {
                        (y - gap, VPos::Bottom, TEXT)
                    } else {
                        (y + gap, VPos::Top, TEXT)
                    };
                    // Off the target line: inside the bar if it is tall
                    // enough, else above the line.
                    if let Some(t) = target_y
                        && v >= 0.0
                        && t > y - gap - lh - cv.d(1.0)
                        && t < y + cv.d(1.0) + lh
                    {
                        if zero - y > 2.5 * lh && t < y + cv.d(1.0) {
                            (ty, vp, colour) = (y + gap + cv.d(1.0), VPos::Top, WHITE);
                        } else if t <= y {
                            (ty, vp) = (t - gap - cv.d(1.0), VPos::Bottom);
                        }
                    }
                    cv.text(
                        &label,
                        cx,
                        ty,
                        PANEL_VALUE,
                        Weight::Bold,
                        colour,
                        (HPos::Center, vp),
                    )?;
                }
                None => {
                    cv.text(
                        v.symbol().unwrap_or("x"),
                        cx,
                        zero - cv.d(2.0),
                        PANEL_VALUE,
                        Weight::Bold,
                        SECONDARY_TEXT,
                        (HPos::Center, VPos::Bottom),
                    )?;
                }
            }
        }
    }
    if let Some(y) = target_y {
        cv.dashed(
            &[(plot.x0, y), (plot.x1, y)],
            okabe_ito::VERMILLION,
            1.5,
            6.0,
            3.0,
        )?;
    }
    Ok(())
}

/// One block of rows per panel, the panel's title first. A series drawn in
/// one panel only (the panel's own authority) is headed by its role
/// ("Authority"), so the blocks share columns; the others by their names.
pub(crate) fn data_table(c: &SmallMultiples) -> DataTable {
    let counts = line_counts(c);
    let mut union: Vec<String> = Vec::new();
    let mut category: Option<String> = None;
    let mut blocks: Vec<(String, Vec<String>, Vec<Vec<String>>)> = Vec::new();
    for p in &c.panels {
        let t = crate::table::data_table(&p.chart);
        let mut keys: Vec<String> = t.columns.iter().skip(1).cloned().collect();
        if let Chart::Lines(l) = &p.chart {
            for (j, s) in l.series.iter().enumerate() {
                if !repeated(c, &counts, &s.name, s.role)
                    && let Some(k) = keys.get_mut(j)
                {
                    *k = role_word(s.role).to_string();
                }
            }
        }
        // Two columns of one panel never share a header.
        for j in 1..keys.len() {
            let base = keys[j].clone();
            let mut nth = 2;
            while keys[..j].contains(&keys[j]) {
                keys[j] = format!("{base} ({nth})");
                nth += 1;
            }
        }
        for k in &keys {
            if !union.contains(k) {
                union.push(k.clone());
            }
        }
        let first = t.columns.first().cloned().unwrap_or_default();
        category = match category {
            None => Some(first),
            Some(c) if c == first => Some(c),
            Some(_) => Some("Category".to_string()),
        };
        blocks.push((one_line(&p.title), keys, t.rows));
    }
    // The grid's category axis label names the column, else the panels'.
    let category = match c.meta.x_label.split(" (").next().map(str::trim) {
        Some(x) if !x.is_empty() => x.to_string(),
        _ => category.unwrap_or_default(),
    };
    let mut columns = vec!["Panel".to_string(), category];
    columns.extend(union.iter().cloned());
    let rows = blocks
        .into_iter()
        .flat_map(|(title, keys, rows)| {
            let union = &union;
            rows.into_iter().map(move |row| {
                let mut out = vec![title.clone(), row.first().cloned().unwrap_or_default()];
                out.extend(union.iter().map(|u| {
                    keys.iter()
                        .position(|k| k == u)
                        .and_then(|j| row.get(j + 1).cloned())
                        .unwrap_or_default()
                }));
                out
            })
        })
        .collect();
    DataTable { columns, rows }
}

/// "15 panels sharing one value axis from 0 to 100%. Bath and North East
/// Somerset: …; … In every panel: South West went from …"
pub(crate) fn describe(c: &SmallMultiples, unit: &str) -> String {
    let axis = shared_axis(c);
    let n = c.panels.len();
    let mut s = format!(
        "{n} panel{} sharing one value axis from {} to {}{unit}. ",
        if n == 1 { "" } else { "s" },
        axis.label(axis.min),
        axis.label(axis.max)
    );
    let counts = line_counts(c);
    // Series drawn in several panels with the same figures are described
    // once, after the panels.
    let mut shared: Vec<(&str, AreaRole, String, usize)> = Vec::new();
    let same_everywhere = |name: &str, role: AreaRole| {
        let mut seen = c.panels.iter().filter_map(|p| match &p.chart {
            Chart::Lines(l) => l
                .series
                .iter()
                .find(|x| x.name == name && x.role == role)
                .map(|x| (&l.years, &x.values)),
            _ => None,
        });
        let first = seen.next();
        first.is_some_and(|f| seen.all(|o| o == f))
    };
    // One target line, the same in every bar panel, is described once.
    let targets: Vec<(String, f64)> = c
        .panels
        .iter()
        .filter_map(|p| match &p.chart {
            Chart::Bars(b) => b.target.as_ref().map(|t| (one_line(&t.label), t.value)),
            _ => None,
        })
        .collect();
    let bar_panels = c
        .panels
        .iter()
        .filter(|p| matches!(p.chart, Chart::Bars(_)))
        .count();
    let one_target = targets.len() == bar_panels
        && !targets.is_empty()
        && targets.iter().all(|t| *t == targets[0]);
    let (mut met, mut known) = (0usize, 0usize);
    for p in &c.panels {
        let mut parts: Vec<String> = Vec::new();
        match &p.chart {
            Chart::Lines(l) => {
                for ser in &l.series {
                    let described_once = c.panels.len() > 1
                        && repeated(c, &counts, &ser.name, ser.role)
                        && same_everywhere(&ser.name, ser.role);
                    if described_once {
                        if !shared.iter().any(|x| x.0 == ser.name && x.1 == ser.role) {
                            let k = counts.get(&(ser.name.as_str(), ser.role)).copied();
                            shared.push((
                                &ser.name,
                                ser.role,
                                line_words(l, ser, unit),
                                k.unwrap_or(0),
                            ));
                        }
                    } else {
                        parts.push(line_words(l, ser, unit));
                    }
                }
            }
            Chart::Bars(b) => {
                for ser in &b.series {
                    let words = bar_words(b, ser, unit);
                    parts.push(if b.series.len() > 1 {
                        format!("{}: {words}", ser.name)
                    } else {
                        words
                    });
                }
                if let Some(t) = &b.target {
                    if let Some(first) = b.series.first() {
                        known += first.values.iter().filter(|v| v.value().is_some()).count();
                        met += first
                            .values
                            .iter()
                            .filter(|v| v.value().is_some_and(|x| x >= t.value))
                            .count();
                    }
                    if !one_target {
                        parts.push(format!(
                            "line at {} ({}{unit})",
                            one_line(&t.label),
                            format_number(t.value, b.decimals)
                        ));
                    }
                }
            }
            other => parts.push(format!("a {} (not drawn)", other.kind_name())),
        }
        if parts.is_empty() {
            parts.push("only the lines described below".to_string());
        }
        s.push_str(&format!("{}: {}. ", one_line(&p.title), parts.join("; ")));
    }
    for (_, _, words, k) in &shared {
        let where_ = if *k == n {
            "In every panel".to_string()
        } else {
            format!("In {k} panels")
        };
        s.push_str(&format!("{where_}: {words}. "));
    }
    if let Some((label, value)) = targets.first().filter(|_| one_target) {
        let decimals = c
            .panels
            .iter()
            .find_map(|p| match &p.chart {
                Chart::Bars(b) => Some(b.decimals),
                _ => None,
            })
            .unwrap_or(0);
        s.push_str(&format!(
            "Each panel has a line at {label} ({}{unit}); {met} of {known} bars with a figure reach it. ",
            format_number(*value, decimals)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FunnelChart, Panel, StackedBarChart};
    use crate::testkit::{arb, assert_no_overlap, texts, timeliness_grid, trend_grid, write_look};
    use proptest::prelude::*;

    fn draw_svg(c: &SmallMultiples) -> String {
        crate::svg(&Chart::SmallMultiples(c.clone())).unwrap()
    }

    /// The value-axis tick labels of the panels (the only right-aligned
    /// text of a grid), left to right, top to bottom.
    fn tick_labels(svg: &str) -> Vec<String> {
        texts(svg)
            .into_iter()
            .filter(|t| t.anchor == "end")
            .inspect(|t| assert_eq!(t.size, PANEL_TICK, "small tick labels: {t:?}"))
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn every_panel_has_the_same_value_axis() {
        for grid in [timeliness_grid(), trend_grid()] {
            let axis = shared_axis(&grid);
            let svg = draw_svg(&grid);
            assert_no_overlap(&svg);
            let ticks = tick_labels(&svg);
            let one: Vec<String> = axis.ticks.iter().map(|t| axis.label(*t)).collect();
            assert_eq!(ticks.len(), one.len() * grid.panels.len());
            for panel in ticks.chunks(one.len()) {
                assert_eq!(panel, one.as_slice());
            }
        }
        // Bars of percentages above 60% run 0 to 100; the trends from zero to
        // above the highest rate of any panel.
        assert_eq!(shared_axis(&timeliness_grid()).max, 100.0);
        let axis = shared_axis(&trend_grid());
        assert_eq!(axis.min, 0.0);
        assert!(axis.max >= 106.0 && axis.max <= 125.0, "{}", axis.max);
    }

    #[test]
    fn one_legend_names_the_repeated_series_once() {
        let svg = draw_svg(&trend_grid());
        let t: Vec<String> = texts(&svg).into_iter().map(|b| b.text).collect();
        for label in ["Each panel's authority", "South West", "England"] {
            assert_eq!(t.iter().filter(|x| *x == label).count(), 1, "{label}");
        }
        // Each panel is titled with its authority.
        // Over two lines where it is long, never cut.
        assert!(t.iter().any(|x| x.starts_with("Bournemouth, Christchurch")));
        assert!(!t.iter().any(|x| x.contains('…')));
        assert!(t.iter().any(|x| x == "Isles of Scilly"));
        let svg = draw_svg(&timeliness_grid());
        let t: Vec<String> = texts(&svg).into_iter().map(|b| b.text).collect();
        assert_eq!(
            t.iter()
                .filter(|x| *x == "Group target: at least 90%")
                .count(),
            1
        );
        // One series a panel: no legend entry for it.
        assert!(!t.iter().any(|x| x == "Reviews on time"));
    }

    #[test]
    fn gaps_are_marked_never_drawn_as_zero() {
        let grid = timeliness_grid();
        let svg = draw_svg(&grid);
        // 15 panels × 4 quarters, less the suppressed and the missing one.
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let bars = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "rect" && n.attribute("fill") == Some("#0072B2"))
            .count();
        assert_eq!(bars, 15 * 4 - 2);
        let t: Vec<String> = texts(&svg).into_iter().map(|b| b.text).collect();
        assert!(t.iter().any(|x| x == "c") && t.iter().any(|x| x == "x"));
        assert!(t.iter().any(|x| x.starts_with("c = suppressed")));
        assert!(!t.iter().any(|x| x == "0%"));
        let chart = Chart::SmallMultiples(grid);
        assert!(chart.has_suppressed() && chart.has_missing());
    }

    #[test]
    fn the_table_has_a_block_per_panel_with_shared_columns() {
        let t = data_table(&trend_grid());
        assert_eq!(
            t.columns,
            vec![
                "Panel",
                "Collection year",
                "Authority",
                "South West",
                "England"
            ]
        );
        assert_eq!(t.rows.len(), 15 * 5);
        assert_eq!(
            t.rows[0],
            vec![
                "Bath and North East Somerset",
                "2020-21",
                "40.0",
                "57.6",
                "68.3"
            ]
        );
        let scilly: Vec<&Vec<String>> = t
            .rows
            .iter()
            .filter(|r| r[0] == "Isles of Scilly")
            .collect();
        assert_eq!(scilly.len(), 5);
        assert_eq!(scilly[0][2], "c");
        assert_eq!(scilly[4][2], "30.0");
        let swindon = t.rows.iter().find(|r| r[0] == "Swindon").unwrap();
        assert_eq!(swindon[2], "x");

        let t = data_table(&timeliness_grid());
        assert_eq!(
            t.columns,
            vec![
                "Panel",
                "Quarter",
                "Reviews on time",
                "Group target: at least 90%"
            ]
        );
        let scilly: Vec<&Vec<String>> = t
            .rows
            .iter()
            .filter(|r| r[0] == "Isles of Scilly")
            .collect();
        assert_eq!(scilly[0], &vec!["Isles of Scilly", "Q1", "100.0", "90.0"]);
        assert_eq!(scilly[2][2], "c");
    }

    #[test]
    fn alt_text_describes_each_panel_and_the_shared_lines_once() {
        let alt = crate::alt_text(&Chart::SmallMultiples(trend_grid()));
        for expected in [
            "A small-multiples chart: Children looked after per 10,000 children, five years",
            "Figures are per 10,000 children aged 0 to 17.",
            "15 panels sharing one value axis from 0 to",
            "Bath and North East Somerset: Bath and North East Somerset went from 40.0 in 2020-21 to",
            "Isles of Scilly: Isles of Scilly was 30.0 in 2024-25 (no other year available).",
            "In every panel: South West went from 57.6 in 2020-21 to 61.0 in 2024-25.",
            "In every panel: England went from 68.3 in 2020-21 to 67.1 in 2024-25.",
        ] {
            assert!(alt.contains(expected), "no {expected:?} in {alt}");
        }
        assert_eq!(alt.matches("England went from").count(), 1);

        let alt = crate::alt_text(&Chart::SmallMultiples(timeliness_grid()));
        for expected in [
            "15 panels sharing one value axis from 0 to 100%.",
            "Isles of Scilly: Q1 100%, Q2",
            "Q3 c (suppressed)",
            "Torbay: Q1",
            "Q4 x (no figure)",
            "Each panel has a line at Group target: at least 90% (90%);",
        ] {
            assert!(alt.contains(expected), "no {expected:?} in {alt}");
        }
    }

    #[test]
    fn only_line_and_bar_panels_are_drawn() {
        let mut grid = timeliness_grid();
        grid.panels[3].chart = Chart::StackedBars(StackedBarChart {
            meta: ChartMeta::new("Legal status"),
            categories: vec!["2024-25".into()],
            segments: vec![],
            percent: true,
            colours: Default::default(),
            decimals: 0,
        });
        let err = crate::svg(&Chart::SmallMultiples(grid.clone())).unwrap_err();
        assert!(
            matches!(&err, ChartError::UnsupportedPanel { panel, kind } if panel == "South Gloucestershire" && *kind == "stacked bar chart"),
            "{err}"
        );
        assert!(crate::png(&Chart::SmallMultiples(grid.clone()), 900, 900).is_err());
        let funnel = FunnelChart {
            meta: ChartMeta::new("Funnel"),
            indicator: iro_stats::Indicator::RatePer10k,
            points: vec![],
            target: 1.0,
            target_label: String::new(),
            limits: vec![],
            method: String::new(),
            over_dispersion: None,
            excluded: vec![],
            decimals: 1,
            compared: None,
        };
        grid.panels[3].chart = Chart::Funnel(funnel);
        assert!(matches!(
            grid.check(),
            Err(ChartError::UnsupportedPanel { .. })
        ));
        grid.panels[3].chart = Chart::SmallMultiples(trend_grid());
        assert!(grid.check().is_err());
        grid.panels.clear();
        assert!(matches!(grid.check(), Err(ChartError::NothingToDraw(_))));
    }

    #[test]
    fn more_panels_make_a_taller_grid() {
        let grid = timeliness_grid();
        assert_eq!(grid.grid(), (4, 4));
        let mut six = grid.clone();
        six.panels.truncate(6);
        assert_eq!(six.grid(), (3, 2));
        let mut two = grid.clone();
        two.panels.truncate(2);
        assert_eq!(two.grid(), (2, 1));
        let mut wide = grid.clone();
        wide.columns = 5;
        assert_eq!(wide.grid(), (5, 3));
        let mut forty = grid.clone();
        forty.panels = std::iter::repeat_n(grid.panels.clone(), 3)
            .flatten()
            .collect();
        let sizes: Vec<(u32, u32)> = [&two, &six, &grid, &forty]
            .iter()
            .map(|g| natural_size(g))
            .collect();
        assert!(sizes.windows(2).all(|w| w[1].1 > w[0].1), "{sizes:?}");
        assert_eq!(sizes[2], (900, 230 + 4 * 180));
        // Always as wide as the other kinds, so text is the same size.
        assert!(sizes.iter().all(|s| s.0 == 900));
        for g in [two, six, grid, wide, forty] {
            let chart = Chart::SmallMultiples(g);
            let svg = crate::svg(&chart).unwrap();
            assert_no_overlap(&svg);
            let (w, h) = crate::natural_size(&chart);
            let png = crate::png(&chart, w, h).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        }
    }

    #[test]
    fn a_lone_panel_names_its_series_in_the_legend() {
        let mut grid = trend_grid();
        grid.panels.truncate(1);
        let svg = draw_svg(&grid);
        let t: Vec<String> = texts(&svg).into_iter().map(|b| b.text).collect();
        assert!(t.iter().any(|x| x == "Bath and North East Somerset"));
        assert!(!t.iter().any(|x| x == "Each panel's authority"));
        assert_eq!(data_table(&grid).columns[2], "Bath and North East Somerset");
    }

    #[test]
    fn small_multiples_round_trip_through_json() {
        let chart = Chart::SmallMultiples(trend_grid());
        let json = serde_json::to_value(&chart).unwrap();
        assert_eq!(
            json["SmallMultiples"]["panels"][0]["chart"]["Lines"]["years"][0],
            2021
        );
        assert_eq!(serde_json::from_value::<Chart>(json).unwrap(), chart);
        assert_eq!(chart.kind_name(), "small-multiples chart");
    }

    #[test]
    fn the_grids_are_drawn_for_looking_at() {
        write_look(
            "multiples-timeliness",
            &Chart::SmallMultiples(timeliness_grid()),
        );
        write_look("multiples-trends", &Chart::SmallMultiples(trend_grid()));
    }

    fn any_panel() -> impl Strategy<Value = Panel> {
        let bars = (
            proptest::collection::vec(
                proptest::collection::vec(arb::cell(-50.0, 150.0), 1..6),
                1..4,
            ),
            proptest::option::of(0.0f64..120.0),
            any::<bool>(),
            0u8..2,
        )
            .prop_map(|(series, target, percent, decimals)| {
                let n = series[0].len();
                Chart::Bars(BarChart {
                    meta: ChartMeta::new(""),
                    categories: (1..=n).map(|q| format!("Q{q}")).collect(),
                    series: series
                        .into_iter()
                        .enumerate()
                        .map(|(i, values)| crate::model::Series {
                            name: format!("Series {i}"),
                            values,
                        })
                        .collect(),
                    target: target.map(|value| crate::model::TargetLine {
                        value,
                        label: "Target".into(),
                    }),
                    percent,
                    decimals,
                })
            });
        let lines = (
            1usize..8,
            proptest::collection::vec(
                (
                    arb::name(),
                    arb::role(),
                    proptest::collection::vec(arb::cell(-50.0, 200.0), 8),
                ),
                1..4,
            ),
            any::<bool>(),
        )
            .prop_map(|(years, series, y_from_zero)| {
                Chart::Lines(LineChart {
                    meta: ChartMeta::new(""),
                    years: (2026 - years as i32..2026).collect(),
                    series: series
                        .into_iter()
                        .map(|(name, role, values)| crate::model::LineSeries {
                            name,
                            code: String::new(),
                            role,
                            values: values[..years].to_vec(),
                        })
                        .collect(),
                    decimals: 1,
                    y_from_zero,
                })
            });
        (arb::name(), prop_oneof![bars, lines]).prop_map(|(title, chart)| Panel { title, chart })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever the panels, the grid draws without overlapping text,
        /// every panel with the same axis labels, and tables a row for each
        /// of every panel's rows.
        #[test]
        fn any_grid_draws_on_one_axis(
            panels in proptest::collection::vec(any_panel(), 1..20),
            columns in 0u8..7,
        ) {
            let grid = SmallMultiples { panels, columns, ..trend_grid() };
            let chart = Chart::SmallMultiples(grid.clone());
            let svg = crate::svg(&chart).unwrap();
            assert_no_overlap(&svg);
            let axis = shared_axis(&grid);
            let one: Vec<String> = axis.ticks.iter().map(|t| axis.label(*t)).collect();
            let ticks = tick_labels(&svg);
            prop_assert_eq!(ticks.len(), one.len() * grid.panels.len());
            for panel in ticks.chunks(one.len()) {
                prop_assert_eq!(panel, one.as_slice());
            }
            let rows: usize = grid.panels.iter().map(|p| crate::data_table(&p.chart).rows.len()).sum();
            let t = data_table(&grid);
            prop_assert_eq!(t.rows.len(), rows);
            prop_assert!(t.rows.iter().all(|r| r.len() == t.columns.len()));
            let alt = crate::alt_text(&chart);
            prop_assert!(!alt.contains("NaN") && !alt.contains("inf"), "{}", alt);
            let (w, h) = crate::natural_size(&chart);
            prop_assert_eq!(&crate::png(&chart, w, h).unwrap()[1..4], b"PNG");
        }
    }
}
