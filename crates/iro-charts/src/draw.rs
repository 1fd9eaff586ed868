//! Drawing each kind of chart onto a canvas.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::ChartError;
use crate::canvas::{Canvas, TextLayer, Weight};
use crate::layout::{
    FrameSpec, LegendAt, LegendItem, Rect, Swatch, TICK, VALUE_LABEL, ValueAxis, category_axis,
    clip_polyline, frame, value_axis, y_of,
};
use crate::model::{
    AreaRole, BarChart, Chart, FunnelChart, LineChart, SegmentColours, StackedBarChart,
};
use crate::style::{
    AXIS, MUTED_POINT, NOT_KNOWN, SECONDARY_TEXT, TEXT, WHITE, area_style, categorical,
    format_number, needs_light_text, okabe_ito, sequential, year_label,
};

/// Draw `chart` on the whole of `backend`.
pub(crate) fn render<DB: DrawingBackend>(
    chart: &Chart,
    backend: &mut DB,
    raster_text: bool,
) -> Result<TextLayer, ChartError> {
    let fonts = crate::style::fonts()?;
    let mut cv = Canvas::new(backend, fonts, raster_text);
    // A bitmap starts white.
    if !raster_text {
        cv.fill(WHITE)?;
    }
    match chart {
        Chart::Lines(c) => lines(&mut cv, c)?,
        Chart::Funnel(c) => funnel(&mut cv, c)?,
        Chart::StackedBars(c) => stacked(&mut cv, c)?,
        Chart::Bars(c) => bars(&mut cv, c)?,
        Chart::RankedBars(c) => crate::ranked::draw(&mut cv, chart, c)?,
        Chart::SmallMultiples(c) => crate::multiples::draw(&mut cv, chart, c)?,
    }
    cv.present()?;
    Ok(std::mem::take(&mut cv.texts))
}

/// The notes every chart with gaps carries.
pub(crate) fn gap_notes(chart: &Chart) -> Vec<String> {
    let mut notes = Vec::new();
    if chart.has_suppressed() {
        notes.push(
            "c = suppressed to protect small numbers (counts of 1 to 7, or a figure that would reveal one); not drawn, never shown as zero."
                .to_string(),
        );
    }
    if chart.has_missing() {
        notes.push("x = no figure (no data for the period, or nothing to divide by).".to_string());
    }
    notes
}

pub(crate) fn suffix(percent: bool) -> &'static str {
    if percent { "%" } else { "" }
}

fn lines<DB: DrawingBackend>(cv: &mut Canvas<'_, DB>, c: &LineChart) -> Result<(), ChartError> {
    let chart = Chart::Lines(c.clone());
    let mut comparators = 0;
    let styles: Vec<(RGBColor, f64, bool)> = c
        .series
        .iter()
        .map(|s| {
            let st = area_style(s.role, comparators);
            if s.role == AreaRole::Comparator {
                comparators += 1;
            }
            st
        })
        .collect();
    let legend: Vec<LegendItem> = c
        .series
        .iter()
        .zip(&styles)
        .map(|(s, &(color, width, dashed))| LegendItem {
            swatch: Swatch::Line {
                color,
                width,
                dashed,
                marker: true,
            },
            label: s.name.clone(),
        })
        .collect();
    let values = c
        .series
        .iter()
        .flat_map(|s| s.values.iter().filter_map(|v| v.value()));
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let axis = if lo.is_finite() {
        let pad = if c.y_from_zero { 0.0 } else { (hi - lo) * 0.1 };
        ValueAxis::nice(lo - pad, hi + (hi - lo).abs() * 0.05, c.y_from_zero)
    } else {
        ValueAxis::nice(0.0, 1.0, true)
    };
    let categories: Vec<String> = c.years.iter().map(|y| year_label(*y)).collect();
    let notes = gap_notes(&chart);
    let f = frame(
        cv,
        &FrameSpec {
            meta: &c.meta,
            legend: &legend,
            legend_at: LegendAt::Top,
            notes: &notes,
            y_axis: &axis,
            categories: &categories,
            x_value_labels: None,
            left_label_width: None,
        },
    )?;
    value_axis(cv, &f.plot, &axis)?;
    category_axis(cv, &f)?;
    let n = c.years.len().max(1);
    let slot = f.plot.width() / n as f64;
    let x_of = |i: usize| f.plot.x0 + slot * (i as f64 + 0.5);

    // Lines, neutral areas first so the authority is drawn on top.
    let mut order: Vec<usize> = (0..c.series.len()).collect();
    order.sort_by_key(|&i| match c.series[i].role {
        AreaRole::England | AreaRole::Region => 0,
        AreaRole::Neighbours => 1,
        AreaRole::Comparator => 2,
        AreaRole::Authority => 3,
    });
    for &i in &order {
        let s = &c.series[i];
        let (color, width, dashed) = styles[i];
        let mut run: Vec<(f64, f64)> = Vec::new();
        for (j, v) in s.values.iter().enumerate().take(n) {
            match v.value() {
                Some(v) => run.push((x_of(j), y_of(&f.plot, &axis, v))),
                None => {
                    draw_run(cv, &run, color, width, dashed)?;
                    run.clear();
                }
            }
        }
        draw_run(cv, &run, color, width, dashed)?;
        let r = if s.role == AreaRole::Authority {
            4.5
        } else {
            3.5
        };
        for (j, v) in s.values.iter().enumerate().take(n) {
            if let Some(v) = v.value() {
                cv.circle(
                    (x_of(j), y_of(&f.plot, &axis, v)),
                    r,
                    color,
                    1.0,
                    Some(WHITE),
                )?;
            }
        }
    }

    // Values of the authority's line, on the side away from the others.
    for (i, s) in c.series.iter().enumerate() {
        if s.role != AreaRole::Authority {
            continue;
        }
        let (color, _, _) = styles[i];
        for (j, v) in s.values.iter().enumerate().take(n) {
            let Some(v) = v.value() else { continue };
            let others_above = c
                .series
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != i)
                .filter_map(|(_, o)| o.values.get(j).and_then(|x| x.value()))
                .any(|o| o > v);
            let y = y_of(&f.plot, &axis, v);
            let (ty, vpos) = if others_above {
                (y + cv.d(8.0), VPos::Top)
            } else {
                (y - cv.d(8.0), VPos::Bottom)
            };
            cv.text(
                &format_number(v, c.decimals),
                x_of(j),
                ty,
                VALUE_LABEL,
                Weight::Bold,
                color,
                (HPos::Center, vpos),
            )?;
        }
    }

    // Cells without a figure: their symbol just above the axis, stacked.
    let mut stack = vec![0usize; n];
    for (i, s) in c.series.iter().enumerate() {
        for (j, v) in s.values.iter().enumerate().take(n) {
            if let Some(sym) = v.symbol() {
                let y = f.plot.y1 - cv.d(4.0) - cv.line_height(VALUE_LABEL) * stack[j] as f64;
                stack[j] += 1;
                cv.text(
                    sym,
                    x_of(j),
                    y,
                    VALUE_LABEL,
                    Weight::Bold,
                    styles[i].0,
                    (HPos::Center, VPos::Bottom),
                )?;
            }
        }
    }
    Ok(())
}

fn draw_run<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    run: &[(f64, f64)],
    color: RGBColor,
    width: f64,
    dashed: bool,
) -> Result<(), ChartError> {
    if dashed {
        cv.dashed(run, color, width, 8.0, 4.0)
    } else {
        cv.polyline(run, color, width)
    }
}

fn bars<DB: DrawingBackend>(cv: &mut Canvas<'_, DB>, c: &BarChart) -> Result<(), ChartError> {
    let chart = Chart::Bars(c.clone());
    let colours: Vec<RGBColor> = (0..c.series.len())
        .map(|i| {
            if c.series.len() == 1 {
                okabe_ito::BLUE
            } else {
                categorical(i)
            }
        })
        .collect();
    let mut legend: Vec<LegendItem> = Vec::new();
    if c.series.len() > 1 {
        legend.extend(c.series.iter().zip(&colours).map(|(s, &col)| LegendItem {
            swatch: Swatch::Block(col),
            label: s.name.clone(),
        }));
    }
    if let Some(t) = &c.target {
        legend.push(LegendItem {
            swatch: Swatch::Line {
                color: okabe_ito::VERMILLION,
                width: 2.0,
                dashed: true,
                marker: false,
            },
            label: t.label.clone(),
        });
    }
    let hi = c
        .series
        .iter()
        .flat_map(|s| s.values.iter().filter_map(|v| v.value()))
        .chain(c.target.as_ref().map(|t| t.value))
        .fold(0.0, f64::max);
    let lo = c
        .series
        .iter()
        .flat_map(|s| s.values.iter().filter_map(|v| v.value()))
        .fold(0.0, f64::min);
    // Percentages run to 100% only when the bars come near it: an axis to
    // 100% under bars of 20% hides the differences between them.
    let axis = if c.percent && lo >= 0.0 && hi <= 100.0 && hi > 60.0 {
        ValueAxis::percent()
    } else {
        ValueAxis::nice(lo, hi * 1.08, true)
    };
    let notes = gap_notes(&chart);
    let f = frame(
        cv,
        &FrameSpec {
            meta: &c.meta,
            legend: &legend,
            legend_at: LegendAt::Top,
            notes: &notes,
            y_axis: &axis,
            categories: &c.categories,
            x_value_labels: None,
            left_label_width: None,
        },
    )?;
    value_axis(cv, &f.plot, &axis)?;
    category_axis(cv, &f)?;
    let n = c.categories.len().max(1);
    let slot = f.plot.width() / n as f64;
    let group = (slot * 0.7).min(cv.d(110.0) * c.series.len().max(1) as f64);
    let bar_w = group / c.series.len().max(1) as f64;
    let zero = y_of(&f.plot, &axis, 0.0_f64.clamp(axis.min, axis.max));
    let target_y = c
        .target
        .as_ref()
        .filter(|t| t.value >= axis.min && t.value <= axis.max)
        .map(|t| y_of(&f.plot, &axis, t.value));
    for (k, s) in c.series.iter().enumerate() {
        for (j, v) in s.values.iter().enumerate().take(n) {
            let x0 = f.plot.x0 + slot * j as f64 + (slot - group) / 2.0 + bar_w * k as f64;
            let x1 = x0 + bar_w - cv.d(if c.series.len() > 1 { 2.0 } else { 0.0 });
            let cx = (x0 + x1) / 2.0;
            match v.value() {
                Some(v) => {
                    let y = y_of(&f.plot, &axis, v);
                    cv.rect((x0, zero), (x1, y), colours[k])?;
                    let label = format!("{}{}", format_number(v, c.decimals), suffix(c.percent));
                    let fits =
                        cv.text_width(&label, VALUE_LABEL, Weight::Bold) <= bar_w + cv.d(6.0);
                    if fits {
                        let lh = cv.line_height(VALUE_LABEL);
                        let gap = cv.d(3.0);
                        let (mut ty, mut vp, mut colour) = if v >= 0.0 {
                            (y - gap, VPos::Bottom, TEXT)
                        } else {
                            (y + gap, VPos::Top, TEXT)
                        };
                        // Keep the label off the target line: inside the bar
                        // if it is tall enough, else above the line.
                        if let Some(t) = target_y
                            && v >= 0.0
                            && t > y - gap - lh - cv.d(2.0)
                            && t < y + cv.d(2.0)
                        {
                            if zero - y > 2.5 * lh {
                                (ty, vp, colour) = (y + gap + cv.d(2.0), VPos::Top, WHITE);
                            } else {
                                (ty, vp) = (t - gap - cv.d(2.0), VPos::Bottom);
                            }
                        }
                        cv.text(
                            &label,
                            cx,
                            ty,
                            VALUE_LABEL,
                            Weight::Bold,
                            colour,
                            (HPos::Center, vp),
                        )?;
                    }
                }
                None => {
                    let sym = v.symbol().unwrap_or("x");
                    cv.text(
                        sym,
                        cx,
                        zero - cv.d(3.0),
                        VALUE_LABEL,
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
            &[(f.plot.x0, y), (f.plot.x1, y)],
            okabe_ito::VERMILLION,
            2.0,
            8.0,
            4.0,
        )?;
    }
    Ok(())
}

fn stacked<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    c: &StackedBarChart,
) -> Result<(), ChartError> {
    let chart = Chart::StackedBars(c.clone());
    let ordered: Vec<usize> = (0..c.segments.len())
        .filter(|&i| !is_not_known(&c.segments[i].name))
        .collect();
    let colours: Vec<RGBColor> = c
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| match c.colours {
            SegmentColours::Categorical => categorical(i),
            SegmentColours::Sequential if is_not_known(&s.name) => NOT_KNOWN,
            SegmentColours::Sequential => {
                let pos = ordered.iter().position(|&o| o == i).unwrap_or(0);
                sequential(pos, ordered.len())
            }
        })
        .collect();
    // Legend top to bottom = stack top to bottom.
    let legend: Vec<LegendItem> = c
        .segments
        .iter()
        .zip(&colours)
        .rev()
        .map(|(s, &col)| LegendItem {
            swatch: Swatch::Block(col),
            label: s.name.clone(),
        })
        .collect();
    let n = c.categories.len();
    let totals: Vec<f64> = (0..n)
        .map(|j| {
            c.segments
                .iter()
                .filter_map(|s| s.values.get(j).and_then(|v| v.value()))
                .filter(|v| *v > 0.0)
                .sum()
        })
        .collect();
    let hi = totals.iter().copied().fold(0.0, f64::max);
    let axis = if c.percent && hi <= 100.5 {
        ValueAxis::percent()
    } else {
        ValueAxis::nice(0.0, hi, true)
    };
    let mut notes = gap_notes(&chart);
    let short: Vec<bool> = (0..n)
        .map(|j| {
            c.segments
                .iter()
                .any(|s| s.values.get(j).is_some_and(|v| v.value().is_none()))
        })
        .collect();
    if c.percent && short.iter().any(|s| *s) {
        notes.insert(
            0,
            "Where a bar stops short of 100%, the rest is in categories whose figures are suppressed (c) or not available (x)."
                .to_string(),
        );
    }
    let f = frame(
        cv,
        &FrameSpec {
            meta: &c.meta,
            legend: &legend,
            legend_at: LegendAt::Right,
            notes: &notes,
            y_axis: &axis,
            categories: &c.categories,
            x_value_labels: None,
            left_label_width: None,
        },
    )?;
    value_axis(cv, &f.plot, &axis)?;
    category_axis(cv, &f)?;
    let slot = f.plot.width() / n.max(1) as f64;
    let bar_w = (slot * 0.62).min(cv.d(90.0));
    for (j, &short_j) in short.iter().enumerate() {
        let x0 = f.plot.x0 + slot * j as f64 + (slot - bar_w) / 2.0;
        let x1 = x0 + bar_w;
        let mut base = 0.0;
        for (i, s) in c.segments.iter().enumerate() {
            let Some(v) = s.values.get(j).and_then(|v| v.value()) else {
                continue;
            };
            if v <= 0.0 {
                continue;
            }
            let (yb, yt) = (
                y_of(&f.plot, &axis, base),
                y_of(&f.plot, &axis, (base + v).min(axis.max)),
            );
            cv.rect((x0, yb), (x1, yt), colours[i])?;
            // A hairline between segments.
            cv.line((x0, yt), (x1, yt), WHITE, 1.0)?;
            let label = format!("{}{}", format_number(v, c.decimals), suffix(c.percent));
            if yb - yt >= cv.line_height(VALUE_LABEL)
                && cv.text_width(&label, VALUE_LABEL, Weight::Normal) <= bar_w - cv.d(4.0)
            {
                let tc = if needs_light_text(colours[i]) {
                    WHITE
                } else {
                    TEXT
                };
                cv.text(
                    &label,
                    (x0 + x1) / 2.0,
                    (yb + yt) / 2.0,
                    VALUE_LABEL,
                    Weight::Normal,
                    tc,
                    (HPos::Center, VPos::Center),
                )?;
            }
            base += v;
        }
        if c.percent && short_j && base < 99.5 {
            let yt = y_of(&f.plot, &axis, 100.0);
            let yb = y_of(&f.plot, &axis, base);
            cv.dashed(
                &[(x0, yb), (x0, yt), (x1, yt), (x1, yb)],
                AXIS,
                1.0,
                3.0,
                3.0,
            )?;
        }
        if base == 0.0 && short_j {
            cv.text(
                "c",
                (x0 + x1) / 2.0,
                f.plot.y1 - cv.d(3.0),
                VALUE_LABEL,
                Weight::Bold,
                SECONDARY_TEXT,
                (HPos::Center, VPos::Bottom),
            )?;
        }
    }
    Ok(())
}

/// "Distance not known or not recorded", "Not known", "Unknown"…
pub(crate) fn is_not_known(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l.contains("not known") || l.contains("unknown") || l.contains("not recorded")
}

fn funnel<DB: DrawingBackend>(cv: &mut Canvas<'_, DB>, c: &FunnelChart) -> Result<(), ChartError> {
    let limit_color = RGBColor(0x59, 0x59, 0x59);
    let highlighted: Vec<&str> = c
        .points
        .iter()
        .filter(|p| p.highlighted)
        .map(|p| p.label.as_str())
        .collect();
    let mut legend = Vec::new();
    // A group's funnel highlights every area: no "other areas", and the
    // names are on the points, not listed in the legend.
    let all = highlighted.len() == c.points.len();
    if !all {
        legend.push(LegendItem {
            swatch: Swatch::Dot {
                color: MUTED_POINT,
                radius: 3.5,
            },
            label: "Other areas".to_string(),
        });
    }
    if !highlighted.is_empty() {
        legend.push(LegendItem {
            swatch: Swatch::Dot {
                color: okabe_ito::BLUE,
                radius: 5.0,
            },
            label: if all && highlighted.len() > 3 {
                "Each area (named beside its point)".to_string()
            } else {
                highlighted.join(", ")
            },
        });
    }
    legend.push(LegendItem {
        swatch: Swatch::Line {
            color: TEXT,
            width: 1.5,
            dashed: false,
            marker: false,
        },
        label: c.target_label.clone(),
    });
    for (k, l) in c.limits.iter().enumerate() {
        legend.push(LegendItem {
            swatch: Swatch::Line {
                color: limit_color,
                width: 1.5,
                dashed: k + 1 < c.limits.len(),
                marker: false,
            },
            label: format!("{} limits", level_label(l.level)),
        });
    }
    let values = c.points.iter().map(|p| p.value).filter(|v| v.is_finite());
    let (mut lo, mut hi) = values.fold((c.target, c.target), |(a, b), v| (a.min(v), b.max(v)));
    let pad = ((hi - lo) * 0.08).max(c.target.abs() * 0.05).max(1e-6);
    lo = (lo - pad).max(0.0);
    hi += pad;
    if c.indicator == iro_stats::Indicator::Proportion {
        hi = hi.min(100.0);
    }
    let axis = ValueAxis::nice(lo, hi, false);
    let max_den = c
        .points
        .iter()
        .map(|p| p.denominator as f64)
        .fold(0.0, f64::max);
    let x_axis = ValueAxis::nice(0.0, max_den.max(1.0) * 1.02, true);
    let x_labels: Vec<String> = x_axis.ticks.iter().map(|t| x_axis.label(*t)).collect();
    let mut notes = vec![c.method.clone()];
    if let Some(od) = c.over_dispersion {
        notes.push(format!(
            "Over-dispersion: φ = {}, τ² = {}{}.",
            format_number(od.phi, 2),
            format_sig(od.tau2),
            if od.adjusted {
                "; limits widened for it"
            } else {
                "; limits not adjusted"
            }
        ));
    }
    if !c.excluded.is_empty() {
        notes.push(format!("Not plotted: {}.", c.excluded.join("; ")));
    }
    let f = frame(
        cv,
        &FrameSpec {
            meta: &c.meta,
            legend: &legend,
            legend_at: LegendAt::Top,
            notes: &notes,
            y_axis: &axis,
            categories: &[],
            x_value_labels: Some(&x_labels),
            left_label_width: None,
        },
    )?;
    value_axis(cv, &f.plot, &axis)?;
    let x_of = |d: f64| f.plot.x0 + (d - x_axis.min) / (x_axis.max - x_axis.min) * f.plot.width();
    for (t, label) in x_axis.ticks.iter().zip(&x_labels) {
        let x = x_of(*t);
        cv.line((x, f.plot.y1), (x, f.plot.y1 + cv.d(4.0)), AXIS, 1.0)?;
        cv.text(
            label,
            x,
            f.x_labels_top,
            TICK,
            Weight::Normal,
            TEXT,
            (HPos::Center, VPos::Top),
        )?;
    }
    // Limits, clipped to the plot.
    let clip = Rect {
        x0: f.plot.x0,
        y0: f.plot.y0,
        x1: f.plot.x1,
        y1: f.plot.y1,
    };
    for (k, l) in c.limits.iter().enumerate() {
        let dashed = k + 1 < c.limits.len();
        for curve in [&l.lower, &l.upper] {
            let pts: Vec<(f64, f64)> = l
                .denominators
                .iter()
                .zip(curve.iter())
                .map(|(&d, &v)| (x_of(d), y_of(&f.plot, &axis, v)))
                .collect();
            for piece in clip_polyline(&pts, &clip) {
                if dashed {
                    cv.dashed(&piece, limit_color, 1.5, 6.0, 4.0)?;
                } else {
                    cv.polyline(&piece, limit_color, 1.5)?;
                }
            }
        }
    }
    let ty = y_of(&f.plot, &axis, c.target);
    cv.line((f.plot.x0, ty), (f.plot.x1, ty), TEXT, 1.5)?;
    // Points: the others first, then the highlighted on top with labels.
    for p in c.points.iter().filter(|p| !p.highlighted) {
        if p.value.is_finite() {
            cv.circle(
                (x_of(p.denominator as f64), y_of(&f.plot, &axis, p.value)),
                3.5,
                MUTED_POINT,
                0.9,
                Some(WHITE),
            )?;
        }
    }
    let mut taken: Vec<Rect> = Vec::new();
    let hl: Vec<_> = c
        .points
        .iter()
        .filter(|p| p.highlighted && p.value.is_finite())
        .collect();
    for p in &hl {
        let (x, y) = (x_of(p.denominator as f64), y_of(&f.plot, &axis, p.value));
        taken.push(Rect {
            x0: x - cv.d(6.0),
            y0: y - cv.d(6.0),
            x1: x + cv.d(6.0),
            y1: y + cv.d(6.0),
        });
    }
    for p in &hl {
        let (x, y) = (x_of(p.denominator as f64), y_of(&f.plot, &axis, p.value));
        cv.circle((x, y), 5.5, okabe_ito::BLUE, 1.0, Some(TEXT))?;
    }
    for p in &hl {
        let (x, y) = (x_of(p.denominator as f64), y_of(&f.plot, &axis, p.value));
        let label = format!("{} {}", p.label, format_number(p.value, c.decimals));
        let label = cv.truncate(&label, TICK, Weight::Bold, f.plot.width() * 0.6);
        let tw = cv.text_width(&label, TICK, Weight::Bold);
        let th = cv.line_height(TICK);
        let gap = cv.d(8.0);
        let candidates = [
            (x + gap, y - th / 2.0),
            (x - gap - tw, y - th / 2.0),
            (x - tw / 2.0, y - gap - th),
            (x - tw / 2.0, y + gap),
            (x + gap, y - gap - th),
            (x + gap, y + gap),
            (x - gap - tw, y - gap - th),
            (x - gap - tw, y + gap),
        ];
        let rect_at = |(lx, ly): (f64, f64)| Rect {
            x0: lx,
            y0: ly,
            x1: lx + tw,
            y1: ly + th,
        };
        let chosen = candidates
            .iter()
            .map(|&c| rect_at(c))
            .find(|r| r.inside(&f.plot) && !taken.iter().any(|t| t.overlaps(r)))
            .unwrap_or_else(|| {
                // Keep it inside the plot at least.
                let mut r = rect_at(candidates[0]);
                if r.x1 > f.plot.x1 {
                    r = rect_at(candidates[1]);
                }
                let dy = (f.plot.y0 - r.y0).max(0.0) - (r.y1 - f.plot.y1).max(0.0);
                Rect {
                    y0: r.y0 + dy,
                    y1: r.y1 + dy,
                    ..r
                }
            });
        // A white halo so the label reads over points and lines.
        cv.rect(
            (chosen.x0 - 2.0, chosen.y0),
            (chosen.x1 + 2.0, chosen.y1),
            WHITE,
        )?;
        cv.text(
            &label,
            chosen.x0,
            chosen.y0 + th / 2.0,
            TICK,
            Weight::Bold,
            okabe_ito::BLUE,
            (HPos::Left, VPos::Center),
        )?;
        taken.push(chosen);
    }
    Ok(())
}

/// "95%", "99.8%".
pub(crate) fn level_label(level: f64) -> String {
    let pct = level * 100.0;
    let s = format!("{pct:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// Three significant figures, for small estimates like τ².
pub(crate) fn format_sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format_number(v, 0);
    }
    let digits = (2 - v.abs().log10().floor() as i32).clamp(0, 10) as u8;
    format_number(v, digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_small_numbers_print_briefly() {
        assert_eq!(level_label(0.95), "95%");
        assert_eq!(level_label(0.998), "99.8%");
        assert_eq!(format_sig(0.001_234_5), "0.00123");
        assert_eq!(format_sig(12.345), "12.3");
        assert_eq!(format_sig(0.0), "0");
    }

    #[test]
    fn not_known_segments_are_recognised() {
        assert!(is_not_known("Distance not known or not recorded"));
        assert!(is_not_known("Unknown"));
        assert!(!is_not_known("Over 100 miles"));
    }
}
