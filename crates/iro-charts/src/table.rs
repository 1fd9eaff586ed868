//! The words and numbers behind a chart: its data table and text alternative.

use crate::draw::level_label;
use crate::model::{
    AreaRole, BarChart, Cell, Chart, DataTable, FunnelChart, LineChart, LineSeries, Series,
};
use crate::style::{format_number, year_label};

/// A cell for the table: the number with `decimals` places (no thousands
/// separators, so spreadsheets read it), or `c` / `x`.
pub(crate) fn cell_text(c: Cell, decimals: u8) -> String {
    match c.value() {
        Some(v) => format!("{v:.*}", decimals as usize),
        None => c.symbol().unwrap_or("x").to_string(),
    }
}

/// Percentages are drawn whole but tabled to one decimal place.
pub(crate) fn table_decimals(percent: bool, decimals: u8) -> u8 {
    if percent { decimals.max(1) } else { decimals }
}

/// The header of the category column: the axis label without its
/// parenthesis, e.g. "Collection year".
fn first_column(x_label: &str) -> String {
    let base = x_label.split(" (").next().unwrap_or("").trim();
    if base.is_empty() {
        "Category".to_string()
    } else {
        base.to_string()
    }
}

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The numbers behind the chart: exactly what is drawn, one row per year,
/// category or area.
pub fn data_table(chart: &Chart) -> DataTable {
    match chart {
        Chart::Lines(c) => DataTable {
            columns: std::iter::once("Collection year".to_string())
                .chain(c.series.iter().map(|s| s.name.clone()))
                .collect(),
            rows: c
                .years
                .iter()
                .enumerate()
                .map(|(j, y)| {
                    std::iter::once(year_label(*y))
                        .chain(c.series.iter().map(|s| {
                            cell_text(
                                s.values.get(j).copied().unwrap_or(Cell::Missing),
                                c.decimals,
                            )
                        }))
                        .collect()
                })
                .collect(),
        },
        Chart::Bars(c) => {
            let d = table_decimals(c.percent, c.decimals);
            let mut columns = vec![first_column(&c.meta.x_label)];
            columns.extend(c.series.iter().map(|s| s.name.clone()));
            if let Some(t) = &c.target {
                columns.push(one_line(&t.label));
            }
            let rows =
                c.categories
                    .iter()
                    .enumerate()
                    .map(|(j, cat)| {
                        let mut row = vec![one_line(cat)];
                        row.extend(c.series.iter().map(|s| {
                            cell_text(s.values.get(j).copied().unwrap_or(Cell::Missing), d)
                        }));
                        if let Some(t) = &c.target {
                            row.push(format!("{:.*}", d as usize, t.value));
                        }
                        row
                    })
                    .collect();
            DataTable { columns, rows }
        }
        Chart::StackedBars(c) => DataTable {
            columns: std::iter::once(first_column(&c.meta.x_label))
                .chain(c.segments.iter().map(|s| s.name.clone()))
                .collect(),
            rows: c
                .categories
                .iter()
                .enumerate()
                .map(|(j, cat)| {
                    std::iter::once(one_line(cat))
                        .chain(c.segments.iter().map(|s| {
                            cell_text(
                                s.values.get(j).copied().unwrap_or(Cell::Missing),
                                table_decimals(c.percent, c.decimals),
                            )
                        }))
                        .collect()
                })
                .collect(),
        },
        Chart::Funnel(c) => funnel_table(c),
        Chart::RankedBars(c) => crate::ranked::data_table(c),
        Chart::SmallMultiples(c) => crate::multiples::data_table(c),
    }
}

fn funnel_table(c: &FunnelChart) -> DataTable {
    let d = c.decimals as usize;
    let mut columns: Vec<String> = ["Area", "Code", "Numerator", "Denominator", "Value"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for l in &c.limits {
        columns.push(format!("Lower {} limit", level_label(l.level)));
        columns.push(format!("Upper {} limit", level_label(l.level)));
    }
    columns.push("Position".to_string());
    columns.push("Highlighted".to_string());
    let mut rows: Vec<Vec<String>> = c
        .points
        .iter()
        .map(|p| {
            let mut row = vec![
                p.label.clone(),
                p.code.clone(),
                p.numerator.to_string(),
                p.denominator.to_string(),
                format!("{:.*}", d, p.value),
            ];
            for l in &c.limits {
                match p.bands.iter().find(|b| b.level == l.level) {
                    Some(b) => {
                        row.push(format!("{:.*}", d + 1, b.lower));
                        row.push(format!("{:.*}", d + 1, b.upper));
                    }
                    None => row.extend(["x".to_string(), "x".to_string()]),
                }
            }
            row.push(c.position(p));
            row.push(if p.highlighted { "yes" } else { "no" }.to_string());
            row
        })
        .collect();
    let mut target = vec![
        c.target_label.clone(),
        "target".to_string(),
        String::new(),
        String::new(),
        format!("{:.*}", d, c.target),
    ];
    target.extend(std::iter::repeat_n(String::new(), c.limits.len() * 2 + 2));
    rows.push(target);
    DataTable { columns, rows }
}

/// A one-paragraph text alternative: what the chart is, what it shows, and
/// the figures a reader would take from it.
pub fn alt_text(chart: &Chart) -> String {
    let meta = chart.meta();
    let mut s = format!("{} {}", article(chart.kind_name()), chart.kind_name());
    s.push_str(&format!(": {}", meta.title.trim_end_matches('.')));
    if let Some(sub) = meta.subtitle.as_deref().filter(|x| !x.is_empty()) {
        s.push_str(&format!(" ({})", sub.trim_end_matches('.')));
    }
    s.push_str(". ");
    // Percentages carry "%"; other units are named once.
    let unit = if meta.unit.starts_with('%') {
        "%".to_string()
    } else {
        if !meta.unit.is_empty() && !matches!(chart, Chart::Funnel(_)) {
            s.push_str(&format!(
                "Figures are {}. ",
                meta.unit.trim_end_matches('.')
            ));
        }
        String::new()
    };
    match chart {
        Chart::Lines(c) => {
            let first = c.years.first().map(|y| year_label(*y)).unwrap_or_default();
            let last = c.years.last().map(|y| year_label(*y)).unwrap_or_default();
            let parts: Vec<String> = c
                .series
                .iter()
                .map(|ser| line_words(c, ser, &unit))
                .collect();
            s.push_str(&format!(
                "Collection years {first} to {last}. {}.",
                parts.join("; ")
            ));
            if !s.ends_with(' ') {
                s.push(' ');
            }
            let auth: Vec<&str> = c
                .series
                .iter()
                .filter(|x| x.role == AreaRole::Authority)
                .map(|x| x.name.as_str())
                .collect();
            if !auth.is_empty() {
                s.push_str(&format!("The highlighted line is {}. ", auth.join(" and ")));
            }
        }
        Chart::Bars(c) => {
            for ser in &c.series {
                if c.series.len() > 1 {
                    s.push_str(&format!("{}: ", ser.name));
                }
                s.push_str(&bar_words(c, ser, &unit));
                s.push_str(". ");
            }
            if let Some(t) = &c.target {
                let met = c
                    .series
                    .first()
                    .map(|ser| {
                        ser.values
                            .iter()
                            .filter(|v| v.value().is_some_and(|x| x >= t.value))
                            .count()
                    })
                    .unwrap_or(0);
                let known = c
                    .series
                    .first()
                    .map(|ser| ser.values.iter().filter(|v| v.value().is_some()).count())
                    .unwrap_or(0);
                s.push_str(&format!(
                    "A line marks {} ({}{unit}); {met} of {known} bars with a figure reach it. ",
                    one_line(&t.label),
                    format_number(t.value, c.decimals)
                ));
            }
        }
        Chart::StackedBars(c) => {
            let n = c.categories.len();
            s.push_str(&format!(
                "{n} bar{} ({}), each split into {}. ",
                if n == 1 { "" } else { "s" },
                c.categories
                    .iter()
                    .map(|x| one_line(x))
                    .collect::<Vec<_>>()
                    .join(", "),
                c.segments
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            if let Some(j) = n.checked_sub(1) {
                let parts: Vec<String> = c
                    .segments
                    .iter()
                    .map(|seg| {
                        format!(
                            "{} {}",
                            seg.name,
                            value_words(
                                seg.values.get(j).copied().unwrap_or(Cell::Missing),
                                c.decimals,
                                &unit
                            )
                        )
                    })
                    .collect();
                s.push_str(&format!(
                    "In {}: {}. ",
                    one_line(&c.categories[j]),
                    parts.join(", ")
                ));
            }
        }
        Chart::Funnel(c) => {
            s.push_str(&format!(
                "{} areas are plotted against {} with {} around {}. ",
                c.points.len(),
                if meta.x_label.is_empty() {
                    "their denominator".to_string()
                } else {
                    meta.x_label.to_lowercase()
                },
                c.limits
                    .iter()
                    .map(|l| format!("{} limits", level_label(l.level)))
                    .collect::<Vec<_>>()
                    .join(" and "),
                c.target_label
            ));
            if let Some(widest) = c.limits.iter().map(|l| l.level).reduce(f64::max) {
                let above = c
                    .points
                    .iter()
                    .filter(|p| {
                        p.bands
                            .iter()
                            .any(|b| b.level == widest && p.value > b.upper)
                    })
                    .count();
                let below = c
                    .points
                    .iter()
                    .filter(|p| {
                        p.bands
                            .iter()
                            .any(|b| b.level == widest && p.value < b.lower)
                    })
                    .count();
                s.push_str(&format!(
                    "{above} lie above and {below} below the {} limits. ",
                    level_label(widest)
                ));
            }
            if !meta.unit.is_empty() && !meta.unit.starts_with('%') {
                s.push_str(&format!("Values are {}. ", meta.unit.trim_end_matches('.')));
            }
            for p in c.points.iter().filter(|p| p.highlighted) {
                s.push_str(&format!(
                    "{}: {}{unit}, {}. ",
                    p.label,
                    format_number(p.value, c.decimals),
                    c.position(p)
                ));
            }
            if let Some(od) = c.over_dispersion_text() {
                s.push_str(&format!("Over-dispersion {od}. "));
            }
        }
        Chart::RankedBars(c) => s.push_str(&crate::ranked::describe(c, &unit)),
        Chart::SmallMultiples(c) => s.push_str(&crate::multiples::describe(c, &unit)),
    }
    if chart.has_suppressed() {
        s.push_str("Figures marked c are suppressed to protect small numbers and are not drawn. ");
    }
    if !meta.period.is_empty() {
        s.push_str(&format!("Period: {}. ", meta.period.trim_end_matches('.')));
    }
    if !meta.source.is_empty() {
        s.push_str(&format!("Source: {}.", meta.source.trim_end_matches('.')));
    }
    s.trim_end().to_string()
}

/// "Bath and North East Somerset went from 61.0 in 2020-21 to 58.2 in
/// 2024-25": one line's first and last figures.
pub(crate) fn line_words(c: &LineChart, ser: &LineSeries, unit: &str) -> String {
    let known: Vec<(i32, f64)> = c
        .years
        .iter()
        .zip(&ser.values)
        .filter_map(|(y, v)| v.value().map(|v| (*y, v)))
        .collect();
    match (known.first(), known.last()) {
        (Some(a), Some(b)) if a.0 != b.0 => format!(
            "{} went from {}{unit} in {} to {}{unit} in {}",
            ser.name,
            format_number(a.1, c.decimals),
            year_label(a.0),
            format_number(b.1, c.decimals),
            year_label(b.0)
        ),
        (Some(a), _) => format!(
            "{} was {}{unit} in {} (no other year available)",
            ser.name,
            format_number(a.1, c.decimals),
            year_label(a.0)
        ),
        _ => format!("{} has no figures to show", ser.name),
    }
}

/// "Q1 92%, Q2 c (suppressed), …": one bar series, category by category.
pub(crate) fn bar_words(c: &BarChart, ser: &Series, unit: &str) -> String {
    c.categories
        .iter()
        .zip(&ser.values)
        .map(|(cat, v)| format!("{} {}", one_line(cat), value_words(*v, c.decimals, unit)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn value_words(c: Cell, decimals: u8, unit: &str) -> String {
    match c {
        Cell::Value(v) if v.is_finite() => format!("{}{unit}", format_number(v, decimals)),
        Cell::Suppressed => "c (suppressed)".to_string(),
        _ => "x (no figure)".to_string(),
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "An"
    } else {
        "A"
    }
}
