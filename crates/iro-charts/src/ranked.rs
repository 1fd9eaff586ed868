//! Ranked horizontal bars: a regional group's league table. One bar per
//! authority in the order given (the caller ranks them), its 95% interval as
//! a whisker, its value printed past the end of the bar and whisker, and
//! reference lines (the group's pooled value, England) across all bars.
//!
//! A suppressed or missing value has no bar and no whisker (an interval
//! would give the hidden figure away): its `c` or `x` is printed at the
//! axis. Labels too long for their column are cut with "…"; the data table
//! keeps them whole.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::ChartError;
use crate::canvas::{Canvas, Weight};
use crate::draw::{gap_notes, suffix};
use crate::layout::{
    FrameSpec, LegendAt, LegendItem, MARGIN, Rect, Swatch, TICK, VALUE_LABEL, ValueAxis, frame,
};
use crate::model::{AreaRole, Cell, Chart, ChartMeta, DataTable, RankedBar, RankedBarChart};
use crate::style::{AXIS, GRID, SECONDARY_TEXT, TEXT, WHITE, area_style, format_number, okabe_ito};
use crate::table::{cell_text, one_line, table_decimals};

/// Design height of one bar's row at the natural size.
const ROW: f64 = 26.0;
/// Design height of everything else: title, subtitle, legend, axis, notes,
/// period and source.
const FRAME: f64 = 290.0;
/// Design height of a row of reference-line labels above the bars.
const REFERENCE_ROW: f64 = 16.0;
/// Bars not highlighted: a light blue (ColorBrewer Blues) beside the
/// authority's Okabe–Ito blue, so a group's table with nobody highlighted
/// is still calm, and one highlighted authority stands out.
pub(crate) const COMPARATOR_BAR: RGBColor = RGBColor(0x9E, 0xCA, 0xE1);
/// Whiskers: near-black, thinner than the reference lines, solid.
const WHISKER: RGBColor = TEXT;
/// The share of the inner width the bar labels may take before they are
/// cut with "…".
const LABEL_SHARE: f64 = 0.32;

pub(crate) fn natural_size(c: &RankedBarChart) -> (u32, u32) {
    let h = FRAME + REFERENCE_ROW * c.references.len() as f64 + ROW * c.bars.len() as f64;
    (
        crate::DEFAULT_SIZE.0,
        (h.ceil() as u32).clamp(crate::DEFAULT_SIZE.1, crate::MAX_SIDE / 2),
    )
}

/// The interval drawn for a bar: only beside a figure, finite, lower first.
pub(crate) fn drawn_interval(b: &RankedBar) -> Option<(f64, f64)> {
    b.value.value()?;
    let (a, z) = b.interval?;
    (a.is_finite() && z.is_finite()).then(|| (a.min(z), a.max(z)))
}

/// The horizontal value axis: 0 to 100 for percentages reaching above 60%,
/// else from zero (or the lowest negative) to a nice step above everything
/// drawn (values, interval ends and reference lines).
pub(crate) fn value_axis(c: &RankedBarChart) -> ValueAxis {
    let numbers = c
        .bars
        .iter()
        .flat_map(|b| {
            b.value
                .value()
                .into_iter()
                .chain(drawn_interval(b).into_iter().flat_map(|(l, u)| [l, u]))
        })
        .chain(
            c.references
                .iter()
                .map(|r| r.value)
                .filter(|v| v.is_finite()),
        );
    let (lo, hi) = numbers.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    if c.percent && lo >= 0.0 && hi <= 100.0 && hi > 60.0 {
        ValueAxis::percent()
    } else {
        ValueAxis::nice(lo, hi, true)
    }
}

fn value_label(c: &RankedBarChart, v: f64) -> String {
    format!("{}{}", format_number(v, c.decimals), suffix(c.percent))
}

fn reference_colour(role: AreaRole) -> RGBColor {
    area_style(role, 0).0
}

fn weight(b: &RankedBar) -> Weight {
    if b.highlighted {
        Weight::Bold
    } else {
        Weight::Normal
    }
}

fn legend(c: &RankedBarChart) -> Vec<LegendItem> {
    let mut legend = Vec::new();
    let highlighted: Vec<&str> = c
        .bars
        .iter()
        .filter(|b| b.highlighted)
        .map(|b| b.label.as_str())
        .collect();
    if !highlighted.is_empty() && highlighted.len() < c.bars.len() {
        legend.push(LegendItem {
            swatch: Swatch::Block(okabe_ito::BLUE),
            label: highlighted.join(", "),
        });
        legend.push(LegendItem {
            swatch: Swatch::Block(COMPARATOR_BAR),
            label: "Other authorities".to_string(),
        });
    }
    if c.bars.iter().any(|b| drawn_interval(b).is_some()) {
        legend.push(LegendItem {
            swatch: Swatch::Line {
                color: WHISKER,
                width: 1.5,
                dashed: false,
                marker: false,
            },
            label: "95% interval".to_string(),
        });
    }
    for r in c.references.iter().filter(|r| r.value.is_finite()) {
        legend.push(LegendItem {
            swatch: Swatch::Line {
                color: reference_colour(r.role),
                width: 2.0,
                dashed: true,
                marker: false,
            },
            label: format!("{}: {}", one_line(&r.label), value_label(c, r.value)),
        });
    }
    legend
}

pub(crate) fn draw<DB: DrawingBackend>(
    cv: &mut Canvas<'_, DB>,
    chart: &Chart,
    c: &RankedBarChart,
) -> Result<(), ChartError> {
    if c.bars.is_empty() {
        return Err(ChartError::NothingToDraw(format!(
            "{}: a ranked bar chart without bars",
            c.meta.title
        )));
    }
    let axis = value_axis(c);
    let tick_labels: Vec<String> = axis.ticks.iter().map(|t| axis.label(*t)).collect();
    let legend = legend(c);
    let max_label = (cv.w - 2.0 * cv.d(MARGIN)) * LABEL_SHARE;
    let labels: Vec<String> = c
        .bars
        .iter()
        .map(|b| cv.truncate(&one_line(&b.label), TICK, weight(b), max_label))
        .collect();
    let label_w = labels
        .iter()
        .zip(&c.bars)
        .map(|(l, b)| cv.text_width(l, TICK, weight(b)))
        .fold(0.0, f64::max);
    // The value axis runs along the bottom: its title (label and unit) goes
    // under it, where the other kinds print the category axis title.
    let meta = ChartMeta {
        x_label: c.meta.y_axis_title(),
        y_label: String::new(),
        unit: String::new(),
        ..c.meta.clone()
    };
    let notes = gap_notes(chart);
    let f = frame(
        cv,
        &FrameSpec {
            meta: &meta,
            legend: &legend,
            legend_at: LegendAt::Top,
            notes: &notes,
            y_axis: &axis,
            categories: &[],
            x_value_labels: Some(&tick_labels),
            left_label_width: Some(label_w),
        },
    )?;
    let mut plot = f.plot;
    // Room right of the axis's end for the value printed past the longest
    // bar or whisker.
    let value_w = c
        .bars
        .iter()
        .filter_map(|b| b.value.value())
        .map(|v| cv.text_width(&value_label(c, v), VALUE_LABEL, Weight::Bold))
        .fold(0.0, f64::max);
    plot.x1 -= value_w + cv.d(6.0);
    // And left of it, past the bar labels, for a value printed beyond a
    // negative bar.
    if c.bars
        .iter()
        .any(|b| b.value.value().is_some_and(|v| v < 0.0))
    {
        plot.x0 += value_w + cv.d(6.0);
    }
    let span = axis.max - axis.min;
    let x_at = |plot: &Rect, v: f64| {
        plot.x0 + (v.clamp(axis.min, axis.max) - axis.min) / span * plot.width()
    };

    // Reference-line labels in rows above the bars, a new row wherever two
    // would touch. A lone line's label is centred on it; of several, the
    // leftmost's label ends at its line and the others' start at theirs, so
    // two lines close together read "South West (pooled) ¦ ¦ England".
    let lh = cv.line_height(VALUE_LABEL);
    let m = cv.d(MARGIN);
    let mut refs: Vec<(usize, f64)> = c
        .references
        .iter()
        .enumerate()
        .filter(|(_, r)| r.value.is_finite())
        .map(|(i, r)| (i, x_at(&plot, r.value)))
        .collect();
    refs.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut rows: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut placed: Vec<(usize, f64, usize)> = Vec::new();
    for (k, &(i, x)) in refs.iter().enumerate() {
        let label = one_line(&c.references[i].label);
        let w = cv.text_width(&label, VALUE_LABEL, Weight::Normal);
        let beside = cv.d(4.0);
        let left = match (refs.len(), k) {
            (1, _) => x - w / 2.0,
            (_, 0) => x - beside - w,
            _ => x + beside,
        };
        let left = left.clamp(m, (cv.w - m - w).max(m));
        let gap = cv.d(8.0);
        let row = rows
            .iter()
            .position(|r| {
                r.iter()
                    .all(|&(a, b)| left + w + gap <= a || b + gap <= left)
            })
            .unwrap_or(rows.len());
        if row == rows.len() {
            rows.push(Vec::new());
        }
        rows[row].push((left, left + w));
        placed.push((i, left, row));
    }
    let labels_top = plot.y0;
    if !rows.is_empty() {
        plot.y0 += lh * rows.len() as f64 + cv.d(4.0);
    }
    let n = c.bars.len();
    let row_h = plot.height() / n as f64;
    if row_h < cv.line_height(TICK) || plot.width() < cv.d(60.0) {
        return Err(ChartError::TooSmall {
            width: cv.w as u32,
            height: cv.h as u32,
        });
    }

    // Gridlines, tick marks and tick labels of the value axis.
    for (t, label) in axis.ticks.iter().zip(&tick_labels) {
        let x = x_at(&plot, *t);
        let colour = if t.abs() < 1e-12 { AXIS } else { GRID };
        cv.line((x, plot.y0), (x, plot.y1), colour, 1.0)?;
        cv.line((x, plot.y1), (x, plot.y1 + cv.d(4.0)), AXIS, 1.0)?;
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
    cv.line((plot.x0, plot.y1), (plot.x1, plot.y1), AXIS, 1.0)?;

    let thick = (row_h * 0.62).min(cv.d(22.0));
    let zero = x_at(&plot, 0.0);
    let centre = |i: usize| plot.y0 + row_h * (i as f64 + 0.5);
    for (i, (b, label)) in c.bars.iter().zip(&labels).enumerate() {
        let yc = centre(i);
        cv.text(
            label,
            f.plot.x0 - cv.d(8.0),
            yc,
            TICK,
            weight(b),
            TEXT,
            (HPos::Right, VPos::Center),
        )?;
        if let Some(v) = b.value.value() {
            let colour = if b.highlighted {
                okabe_ito::BLUE
            } else {
                COMPARATOR_BAR
            };
            cv.rect(
                (zero, yc - thick / 2.0),
                (x_at(&plot, v), yc + thick / 2.0),
                colour,
            )?;
        }
    }
    // The zero line over the bars' roots.
    cv.line((zero, plot.y0), (zero, plot.y1), AXIS, 1.0)?;
    for (i, b) in c.bars.iter().enumerate() {
        if let Some((lo, hi)) = drawn_interval(b) {
            let yc = centre(i);
            let (x0, x1) = (x_at(&plot, lo), x_at(&plot, hi));
            let cap = (thick * 0.3).max(cv.d(3.0));
            cv.line((x0, yc), (x1, yc), WHISKER, 1.5)?;
            cv.line((x0, yc - cap), (x0, yc + cap), WHISKER, 1.5)?;
            cv.line((x1, yc - cap), (x1, yc + cap), WHISKER, 1.5)?;
        }
    }
    for &(i, left, row) in &placed {
        let r = &c.references[i];
        let x = x_at(&plot, r.value);
        cv.dashed(
            &[(x, plot.y0 - cv.d(2.0)), (x, plot.y1)],
            reference_colour(r.role),
            2.0,
            6.0,
            4.0,
        )?;
        cv.text(
            &one_line(&r.label),
            left,
            labels_top + lh * (row as f64 + 0.5),
            VALUE_LABEL,
            Weight::Normal,
            TEXT,
            (HPos::Left, VPos::Center),
        )?;
    }
    // Values past the end of each bar and whisker, on a white halo so a
    // reference line crossing them does not cut the figures; c and x at the
    // axis where there is no bar.
    for (i, b) in c.bars.iter().enumerate() {
        let yc = centre(i);
        match b.value.value() {
            Some(v) => {
                let label = value_label(c, v);
                let w = cv.text_width(&label, VALUE_LABEL, Weight::Bold);
                let gap = cv.d(5.0);
                let (x, anchor, halo) = if v >= 0.0 {
                    let end = drawn_interval(b).map_or(v, |(_, hi)| hi.max(v));
                    let x = x_at(&plot, end) + gap;
                    (x, HPos::Left, (x - 1.0, x + w))
                } else {
                    let end = drawn_interval(b).map_or(v, |(lo, _)| lo.min(v));
                    let x = x_at(&plot, end) - gap;
                    (x, HPos::Right, (x - w, x + 1.0))
                };
                cv.rect((halo.0, yc - lh / 2.0), (halo.1, yc + lh / 2.0), WHITE)?;
                cv.text(
                    &label,
                    x,
                    yc,
                    VALUE_LABEL,
                    Weight::Bold,
                    TEXT,
                    (anchor, VPos::Center),
                )?;
            }
            None => {
                cv.text(
                    b.value.symbol().unwrap_or("x"),
                    zero + cv.d(5.0),
                    yc,
                    VALUE_LABEL,
                    Weight::Bold,
                    SECONDARY_TEXT,
                    (HPos::Left, VPos::Center),
                )?;
            }
        }
    }
    Ok(())
}

/// Label, code (when any bar has one), value, the interval's ends (when any
/// bar has one drawn), and what is drawn; the reference lines as rows after
/// the bars.
pub(crate) fn data_table(c: &RankedBarChart) -> DataTable {
    let d = table_decimals(c.percent, c.decimals) as usize;
    let codes = c.bars.iter().any(|b| !b.code.is_empty());
    let intervals = c.bars.iter().any(|b| drawn_interval(b).is_some());
    let label_header = match c.meta.x_label.split(" (").next().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "Area".to_string(),
    };
    let value_header = match c.meta.y_axis_title() {
        t if t.is_empty() => "Value".to_string(),
        t => t,
    };
    let mut columns = vec![label_header];
    if codes {
        columns.push("Code".to_string());
    }
    columns.push(value_header);
    if intervals {
        columns.push("Lower (95% interval)".to_string());
        columns.push("Upper (95% interval)".to_string());
    }
    columns.push("Shown as".to_string());
    let mut rows: Vec<Vec<String>> = c
        .bars
        .iter()
        .map(|b| {
            let mut row = vec![one_line(&b.label)];
            if codes {
                row.push(b.code.clone());
            }
            row.push(cell_text(b.value, d as u8));
            if intervals {
                match (b.value.symbol(), drawn_interval(b)) {
                    (Some(sym), _) => row.extend([sym.to_string(), sym.to_string()]),
                    (None, Some((lo, hi))) => {
                        row.push(format!("{lo:.d$}"));
                        row.push(format!("{hi:.d$}"));
                    }
                    (None, None) => row.extend([String::new(), String::new()]),
                }
            }
            row.push(
                match (b.value.value(), b.highlighted) {
                    (Some(_), true) => "bar, highlighted",
                    (Some(_), false) => "bar",
                    (None, _) => "no bar",
                }
                .to_string(),
            );
            row
        })
        .collect();
    for r in &c.references {
        let mut row = vec![one_line(&r.label)];
        if codes {
            row.push(String::new());
        }
        row.push(if r.value.is_finite() {
            format!("{:.d$}", r.value)
        } else {
            "x".to_string()
        });
        if intervals {
            row.extend([String::new(), String::new()]);
        }
        row.push(
            if r.value.is_finite() {
                "reference line"
            } else {
                "reference line, not drawn"
            }
            .to_string(),
        );
        rows.push(row);
    }
    DataTable { columns, rows }
}

/// "15 authorities, from highest to lowest. Highest: … Lowest: … Against
/// South West (pooled) (62.3%): 8 above, 5 below. …"
pub(crate) fn describe(c: &RankedBarChart, unit: &str) -> String {
    let n = c.bars.len();
    let known: Vec<(&RankedBar, f64)> = c
        .bars
        .iter()
        .filter_map(|b| b.value.value().map(|v| (b, v)))
        .collect();
    let order = if known.len() < 2 {
        ""
    } else if known.windows(2).all(|w| w[0].1 >= w[1].1) {
        ", from highest to lowest"
    } else if known.windows(2).all(|w| w[0].1 <= w[1].1) {
        ", from lowest to highest"
    } else {
        ""
    };
    let mut s = format!(
        "{n} {}{order}. ",
        if n == 1 { "authority" } else { "authorities" }
    );
    let fmt = |v: f64| format!("{}{unit}", format_number(v, c.decimals));
    let names = |target: f64| {
        known
            .iter()
            .filter(|(_, v)| *v == target)
            .map(|(b, _)| one_line(&b.label))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let hi = known.iter().map(|k| k.1).reduce(f64::max);
    let lo = known.iter().map(|k| k.1).reduce(f64::min);
    if let (Some(hi), Some(lo)) = (hi, lo) {
        if known.len() > 1 && hi != lo {
            s.push_str(&format!(
                "Highest: {} ({}); lowest: {} ({}). ",
                names(hi),
                fmt(hi),
                names(lo),
                fmt(lo)
            ));
        } else {
            s.push_str(&format!("All with a figure: {}. ", fmt(hi)));
        }
    }
    for r in c.references.iter().filter(|r| r.value.is_finite()) {
        let above = known.iter().filter(|k| k.1 > r.value).count();
        let below = known.iter().filter(|k| k.1 < r.value).count();
        let level = known.len() - above - below;
        s.push_str(&format!(
            "Against {} ({}): {above} above, {below} below",
            one_line(&r.label),
            fmt(r.value)
        ));
        if level > 0 {
            s.push_str(&format!(", {level} level with it"));
        }
        s.push_str(". ");
    }
    if c.bars.iter().any(|b| drawn_interval(b).is_some()) {
        s.push_str("Whiskers show 95% intervals. ");
    }
    let highlighted: Vec<String> = known
        .iter()
        .filter(|(b, _)| b.highlighted)
        .map(|(b, v)| format!("{} ({})", one_line(&b.label), fmt(*v)))
        .collect();
    if !highlighted.is_empty() && highlighted.len() < n {
        s.push_str(&format!("Highlighted: {}. ", highlighted.join(", ")));
    }
    let suppressed = c
        .bars
        .iter()
        .filter(|b| b.value == Cell::Suppressed)
        .count();
    let missing = n - known.len() - suppressed;
    let mut gaps = Vec::new();
    if suppressed > 0 {
        gaps.push(format!("{suppressed} suppressed (c)"));
    }
    if missing > 0 {
        gaps.push(format!("{missing} with no figure (x)"));
    }
    if !gaps.is_empty() {
        s.push_str(&format!("No bar: {}. ", gaps.join(", ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReferenceLine;
    use crate::testkit::{arb, assert_no_overlap, league_table, rects_filled, texts, write_look};
    use proptest::prelude::*;

    fn draw_svg(c: &RankedBarChart) -> String {
        crate::svg(&Chart::RankedBars(c.clone())).unwrap()
    }

    #[test]
    fn a_suppressed_or_missing_bar_is_not_drawn_as_zero() {
        let c = league_table();
        let svg = draw_svg(&c);
        // Thirteen figures: twelve light bars and Somerset's (and a swatch
        // of each colour in the legend), nothing for Torbay (x) or the Isles
        // of Scilly (c).
        assert_eq!(rects_filled(&svg, "#9ECAE1"), 12 + 1);
        assert_eq!(rects_filled(&svg, "#0072B2"), 1 + 1);
        let t = texts(&svg);
        assert!(t.iter().any(|b| b.text == "c"));
        assert!(t.iter().any(|b| b.text == "x"));
        assert!(!t.iter().any(|b| b.text == "0.0%"));
        assert!(t.iter().any(|b| b.text.starts_with("c = suppressed")));
        assert!(t.iter().any(|b| b.text.starts_with("x = no figure")));
        // The Isles of Scilly's interval is not drawn either: its whisker
        // would show roughly what is hidden (12 whiskers + Somerset's, each a
        // line and two caps, all near-black 1.5 px lines; one more in the
        // legend).
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let whiskers = doc
            .descendants()
            .filter(|n| {
                n.tag_name().name() == "polyline" && n.attribute("stroke") == Some("#0B0C0C")
            })
            .count();
        assert_eq!(whiskers, 13 * 3 + 1);
    }

    #[test]
    fn values_reference_lines_and_labels_are_printed() {
        let c = league_table();
        let svg = draw_svg(&c);
        assert_no_overlap(&svg);
        let t: Vec<String> = texts(&svg).into_iter().map(|b| b.text).collect();
        for expected in [
            "Wiltshire",
            "Bournemouth, Christchurch and Poole",
            "Bristol, City of",
            "97.1%",
            "75.3%",
            "South West (pooled)",
            "England",
            "South West (pooled): 88.6%",
            "England: 90.1%",
            "95% interval",
            "Somerset",
            "Other authorities",
            "Reviews held on time (%)",
            "100",
        ] {
            assert!(t.iter().any(|x| x == expected), "no {expected:?} in {t:?}");
        }
        // Percentages above 60% run on an axis of 0 to 100.
        assert_eq!(value_axis(&c).max, 100.0);
    }

    #[test]
    fn small_percentages_get_an_axis_of_their_own() {
        let mut c = league_table();
        for b in &mut c.bars {
            if let Cell::Value(v) = b.value {
                b.value = Cell::Value(v / 5.0);
                b.interval = b.interval.map(|(l, u)| (l / 5.0, u / 5.0));
            }
        }
        for r in &mut c.references {
            r.value /= 5.0;
        }
        let axis = value_axis(&c);
        assert_eq!((axis.min, axis.max), (0.0, 20.0));
        // The Isles of Scilly's hidden interval does not stretch the axis.
        c.bars.last_mut().unwrap().interval = Some((0.0, 95.0));
        assert_eq!(value_axis(&c).max, 20.0);
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis_and_kept_whole_in_the_table() {
        let mut c = league_table();
        let long = "Bournemouth, Christchurch and Poole and a name longer than any authority has";
        c.bars[0].label = long.into();
        let svg = draw_svg(&c);
        assert_no_overlap(&svg);
        let t = texts(&svg);
        let cut = t
            .iter()
            .find(|b| {
                b.text
                    .starts_with("Bournemouth, Christchurch and Poole and")
            })
            .expect("the long label");
        assert!(cut.text.ends_with('…'), "{}", cut.text);
        assert!(!t.iter().any(|b| b.text == long));
        assert_eq!(data_table(&c).rows[0][0], long);
    }

    #[test]
    fn the_table_holds_every_bar_interval_and_reference_line() {
        let c = league_table();
        let t = data_table(&c);
        assert_eq!(
            t.columns,
            vec![
                "Authority",
                "Code",
                "Reviews held on time (%)",
                "Lower (95% interval)",
                "Upper (95% interval)",
                "Shown as"
            ]
        );
        assert_eq!(t.rows.len(), 15 + 2);
        assert_eq!(
            t.rows[0],
            vec!["Wiltshire", "865", "97.1", "95.0", "99.2", "bar"]
        );
        assert_eq!(t.rows[3][5], "bar, highlighted");
        assert_eq!(t.rows[13], vec!["Torbay", "880", "x", "x", "x", "no bar"]);
        // The hidden figure's interval is not published either.
        assert_eq!(
            t.rows[14],
            vec!["Isles of Scilly", "420", "c", "c", "c", "no bar"]
        );
        assert_eq!(
            t.rows[15],
            vec!["South West (pooled)", "", "88.6", "", "", "reference line"]
        );
        assert_eq!(t.rows[16][0], "England");

        // Anonymised and without intervals: no code or interval columns.
        let mut anon = league_table();
        for (i, b) in anon.bars.iter_mut().enumerate() {
            b.label = format!("Authority {}", (b'A' + i as u8) as char);
            b.code.clear();
            b.interval = None;
        }
        let t = data_table(&anon);
        assert_eq!(
            t.columns,
            vec!["Authority", "Reviews held on time (%)", "Shown as"]
        );
        assert_eq!(t.rows[14], vec!["Authority O", "c", "no bar"]);
    }

    #[test]
    fn alt_text_names_the_extremes_and_counts_against_each_line() {
        let alt = crate::alt_text(&Chart::RankedBars(league_table()));
        for expected in [
            "A ranked bar chart: Reviews held within statutory timescales (South West IRO managers' group, 2024-25).",
            "15 authorities, from highest to lowest.",
            "Highest: Wiltshire (97.1%); lowest: Bristol, City of (75.3%).",
            "Against South West (pooled) (88.6%): 7 above, 6 below.",
            "Against England (90.1%): 6 above, 7 below.",
            "Whiskers show 95% intervals.",
            "Highlighted: Somerset (92.7%).",
            "No bar: 1 suppressed (c), 1 with no figure (x).",
            "Figures marked c are suppressed",
        ] {
            assert!(alt.contains(expected), "no {expected:?} in {alt}");
        }
    }

    #[test]
    fn more_bars_make_a_taller_chart_and_every_size_draws() {
        let c = league_table();
        assert_eq!(natural_size(&c), (900, 290 + 32 + 15 * 26));
        let mut few = c.clone();
        few.bars.truncate(3);
        assert_eq!(natural_size(&few).1, crate::DEFAULT_SIZE.1);
        let mut many = c.clone();
        many.bars = std::iter::repeat_n(c.bars.clone(), 6).flatten().collect();
        assert!(natural_size(&many).1 > natural_size(&c).1);
        for chart in [c, few, many] {
            let chart = Chart::RankedBars(chart);
            let svg = crate::svg(&chart).unwrap();
            assert_no_overlap(&svg);
            let (w, h) = crate::natural_size(&chart);
            assert!(svg.contains(&format!("viewBox=\"0 0 {w} {h}\"")));
            let png = crate::png(&chart, w, h).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        }
        // Fifteen bars do not fit the line-chart size: an error, not a mess.
        assert!(matches!(
            crate::png(&Chart::RankedBars(league_table()), 900, 220),
            Err(ChartError::TooSmall { .. })
        ));
        let mut none = league_table();
        none.bars.clear();
        assert!(matches!(
            crate::svg(&Chart::RankedBars(none)),
            Err(ChartError::NothingToDraw(_))
        ));
    }

    #[test]
    fn ranked_bars_round_trip_through_json() {
        let chart = Chart::RankedBars(league_table());
        let json = serde_json::to_value(&chart).unwrap();
        assert_eq!(
            json["RankedBars"]["bars"][14]["value"]["kind"],
            "suppressed"
        );
        assert_eq!(serde_json::from_value::<Chart>(json).unwrap(), chart);
        assert!(chart.has_suppressed() && chart.has_missing());
        assert_eq!(chart.kind_name(), "ranked bar chart");
    }

    #[test]
    fn the_league_table_is_drawn_for_looking_at() {
        write_look("ranked-south-west", &Chart::RankedBars(league_table()));
    }

    /// An anonymised pack of rates (letters, no codes, no intervals, nobody
    /// highlighted) and a table of changes either side of zero.
    #[test]
    fn rates_and_changes_draw_without_overlaps() {
        let mut rates = league_table();
        rates.meta = ChartMeta::new("Children looked after per 10,000 children")
            .subtitle("Authorities of the group, at 31 March 2025")
            .axes("Authority", "Rate")
            .unit("per 10,000 children aged 0 to 17")
            .source("SSDA903 returns")
            .period("31 March 2025");
        rates.percent = false;
        for (i, b) in rates.bars.iter_mut().enumerate() {
            b.label = format!("Authority {}", (b'A' + i as u8) as char);
            b.code.clear();
            b.interval = None;
            b.highlighted = false;
            if let Cell::Value(v) = b.value {
                b.value = Cell::Value(v * 1.2 - 30.0);
            }
        }
        rates.references[0].value = 61.0;
        rates.references[1].value = 67.1;
        let svg = crate::svg(&Chart::RankedBars(rates.clone())).unwrap();
        assert_no_overlap(&svg);
        // Nobody highlighted: no legend of bar colours.
        assert!(!texts(&svg).iter().any(|t| t.text == "Other authorities"));
        write_look("ranked-anonymised-rates", &Chart::RankedBars(rates));

        let mut change = league_table();
        change.meta.title = "Change in reviews held on time since 2023-24".into();
        change.meta.y_label = "Change (percentage points)".into();
        change.meta.unit = String::new();
        change.percent = false;
        for (i, b) in change.bars.iter_mut().enumerate() {
            if let Cell::Value(_) = b.value {
                let v = 8.0 - i as f64 * 1.1;
                b.value = Cell::Value(v);
                b.interval = Some((v - 2.5, v + 2.5));
            }
        }
        change.references = vec![ReferenceLine {
            value: 1.2,
            label: "South West (pooled)".into(),
            role: AreaRole::Region,
        }];
        let axis = value_axis(&change);
        assert!(axis.min < -7.0 && axis.max > 10.0);
        let svg = crate::svg(&Chart::RankedBars(change.clone())).unwrap();
        assert_no_overlap(&svg);
        write_look("ranked-change", &Chart::RankedBars(change));
    }

    fn any_chart() -> impl Strategy<Value = RankedBarChart> {
        let bar = (
            arb::name(),
            arb::cell(-200.0, 400.0),
            proptest::option::of((0.0f64..60.0, 0.0f64..60.0)),
            any::<bool>(),
        )
            .prop_map(|(label, value, spread, highlighted)| RankedBar {
                label,
                code: String::new(),
                interval: spread
                    .and_then(|(below, above)| value.value().map(|v| (v - below, v + above))),
                value,
                highlighted,
            });
        let reference = (
            prop_oneof![4 => -200.0f64..400.0, 1 => Just(f64::NAN)],
            arb::name(),
            arb::role(),
        )
            .prop_map(|(value, label, role)| ReferenceLine { value, label, role });
        (
            proptest::collection::vec(bar, 1..40),
            proptest::collection::vec(reference, 0..4),
            any::<bool>(),
            0u8..3,
        )
            .prop_map(|(bars, references, percent, decimals)| RankedBarChart {
                bars,
                references,
                percent,
                decimals,
                ..league_table()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the figures, the chart draws without overlapping text,
        /// a bar for each figure and none for a cell without one, and a
        /// table row for every bar and reference line.
        #[test]
        fn any_league_table_draws_what_it_has(c in any_chart()) {
            let chart = Chart::RankedBars(c.clone());
            let svg = crate::svg(&chart).unwrap();
            assert_no_overlap(&svg);
            let known = |h: bool| c.bars.iter().filter(|b| b.highlighted == h && b.value.value().is_some()).count();
            let both = c.bars.iter().any(|b| b.highlighted) && c.bars.iter().any(|b| !b.highlighted);
            prop_assert_eq!(rects_filled(&svg, "#0072B2"), known(true) + usize::from(both));
            prop_assert_eq!(rects_filled(&svg, "#9ECAE1"), known(false) + usize::from(both));
            let t = data_table(&c);
            prop_assert_eq!(t.rows.len(), c.bars.len() + c.references.len());
            for (row, b) in t.rows.iter().zip(&c.bars) {
                if b.value == Cell::Suppressed {
                    // Value and interval (no code column: codes are empty).
                    let n = row.len();
                    prop_assert!(row[1..n - 1].iter().all(|x| x == "c"), "{:?}", row);
                    prop_assert_eq!(&row[n - 1], "no bar");
                }
            }
            let alt = crate::alt_text(&chart);
            prop_assert!(!alt.contains("NaN") && !alt.contains("inf"), "{}", alt);
            let (w, h) = crate::natural_size(&chart);
            prop_assert_eq!(&crate::png(&chart, w, h).unwrap()[1..4], b"PNG");
        }
    }
}
