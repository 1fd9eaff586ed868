//! [`Layout::Generic`](super::Layout::Generic): every measure a section lists as a
//! table by breakdown and period, with a chart by quarter where there is one.

use iro_charts::Cell as ChartCell;
use iro_metric_api::{MeasureId, MetricRow, Period, Unit};

use super::{
    Ctx, Draft, QUARTERS, SectionSpec, figure, notes_of, period_name, table, target_for,
    target_words, upper_first, with_notes,
};
use crate::charts::{self, Words, cell};
use crate::format;
use crate::model::TableRow;

/// The order periods are shown in.
const PERIODS: [Period; 6] = [
    Period::Q1,
    Period::Q2,
    Period::Q3,
    Period::Q4,
    Period::Year,
    Period::Snapshot,
];

fn breakdown_name(r: &MetricRow) -> String {
    if r.breakdown.is_empty() {
        "All".into()
    } else {
        r.breakdown
            .iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

/// The first part of a row's note (before `; `).
fn lead_note(r: &MetricRow) -> &str {
    r.note.split("; ").next().unwrap_or("").trim()
}

/// The breakdown key of `rows` in words (`issue`, `stage`).
fn key_words(rows: &[&MetricRow]) -> String {
    rows.iter()
        .find(|r| !r.breakdown.is_empty())
        .map(|r| upper_first(&r.breakdown.keys().replace(';', " / ").replace('_', " ")))
        .unwrap_or_else(|| "Category".into())
}

/// One measure's rows in the report's year, as the table shows them.
struct Measure<'a> {
    id: MeasureId,
    title: &'a str,
    rows: &'a [&'a MetricRow],
    periods: Vec<Period>,
    /// Breakdown names in the engine's order, "All" (the total) among them.
    names: Vec<String>,
}

impl Measure<'_> {
    /// Only a total: a row in a table of measures, not a table of its own.
    fn is_single(&self) -> bool {
        self.names.iter().all(|n| n == "All")
    }

    /// What a category means where its rows carry it as their note and
    /// no other category's rows do (stage 1 = "Social worker").
    fn meaning(&self, n: &str) -> Option<&str> {
        let rows = self.rows;
        let notes: Vec<&str> = rows
            .iter()
            .filter(|r| breakdown_name(r) == n)
            .map(|r| lead_note(r))
            .collect();
        let first = *notes.first()?;
        let total_note = rows
            .iter()
            .find(|r| r.breakdown.is_empty())
            .map(|r| lead_note(r));
        (n != "All"
            && !first.is_empty()
            && notes.iter().all(|x| *x == first)
            && total_note != Some(first)
            && self.names.iter().filter(|m| m.as_str() != "All").count() > 1
            && rows
                .iter()
                .filter(|r| !r.breakdown.is_empty() && breakdown_name(r) != n)
                .all(|r| lead_note(r) != first))
        .then_some(first)
    }

    /// A category as the table and the chart both label it: "1: Social
    /// worker", or the category with a capital.
    fn label(&self, n: &str) -> String {
        match self.meaning(n) {
            Some(meant) => format!("{n}: {meant}"),
            None => upper_first(n),
        }
    }

    fn find(&self, name: &str, p: Period) -> Option<&MetricRow> {
        self.rows
            .iter()
            .find(|r| r.period == p && breakdown_name(r) == name)
            .copied()
    }
}

/// Every measure the section lists: measures with a breakdown as a table by
/// breakdown (rows) and period (columns); neighbouring measures with only a
/// total and the same periods together, a row each; a chart by quarter
/// where the section asks for one.
pub(super) fn generic(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let y = ctx.year;
    if !ctx.rows.has_any(y, spec.metrics) {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut measures: Vec<Measure<'_>> = Vec::new();
    for &metric in spec.metrics {
        let rows = ctx.rows.all(y, metric);
        if rows.is_empty() || measures.iter().any(|m| m.id == metric) {
            continue;
        }
        let periods: Vec<Period> = PERIODS
            .iter()
            .copied()
            .filter(|p| rows.iter().any(|r| r.period == *p))
            .collect();
        let mut names: Vec<String> = Vec::new();
        for r in rows {
            let n = breakdown_name(r);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        measures.push(Measure {
            id: metric,
            title: ctx.measure_title(metric).unwrap_or(metric.as_str()),
            rows,
            periods,
            names,
        });
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < measures.len() {
        if measures[i].is_single() {
            let mut j = i + 1;
            let starts_group = |m: &Measure<'_>| spec.groups.iter().any(|(id, _)| *id == m.id);
            while j < measures.len()
                && measures[j].is_single()
                && measures[j].periods == measures[i].periods
                && !starts_group(&measures[j])
            {
                j += 1;
            }
            out.push(measure_table(spec, ctx, &measures[i..j]));
            for m in &measures[i..j] {
                out.extend(chart(spec, ctx, m));
            }
            i = j;
        } else {
            out.push(breakdown_table(ctx, &measures[i]));
            out.extend(chart(spec, ctx, &measures[i]));
            i += 1;
        }
    }
    out
}

/// Measures with only a total, a row each, periods as columns. Their notes
/// are keyed to the rows by letter.
fn measure_table(spec: &SectionSpec, ctx: &Ctx<'_>, group: &[Measure<'_>]) -> Draft {
    let periods = &group[0].periods;
    let caption = spec
        .groups
        .iter()
        .find(|(id, _)| group.iter().any(|m| m.id == *id))
        .map(|(_, c)| (*c).to_string())
        .unwrap_or_else(|| upper_first(group[0].title));
    let by = if periods.contains(&Period::Snapshot) {
        ""
    } else if periods.iter().any(|p| QUARTERS.iter().any(|(q, _)| q == p)) {
        " by quarter"
    } else {
        ""
    };
    let caption = if caption.ends_with("quarter") {
        format!("{caption}, {}", ctx.year_label())
    } else {
        format!("{caption}{by}, {}", ctx.year_label())
    };
    let mut head = vec!["Measure".to_string()];
    head.extend(periods.iter().map(|&p| period_name(p, ctx.year)));
    let mut notes = Vec::new();
    let marked = group.len() > 1;
    let body = group
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let own = notes_of(m.rows.iter().copied());
            let mut header = upper_first(m.title);
            if !own.is_empty() && marked {
                let mark = (b'a' + (k % 26) as u8) as char;
                header = format!("{header} ({mark})");
                notes.push(format!("({mark}) {}.", own.join("; ")));
            } else {
                notes.extend(own);
            }
            let cells: Vec<Option<&MetricRow>> =
                periods.iter().map(|&p| m.find("All", p)).collect();
            TableRow::new(
                header,
                cells.into_iter().map(|r| whole(r, m).into()).collect(),
            )
        })
        .collect();
    with_notes(table(caption, head, body), notes)
}

/// A figure of a measure whose every value is a whole number (the largest
/// caseload) without decimals; any other as its unit shows it.
fn whole(row: Option<&MetricRow>, m: &Measure<'_>) -> crate::format::Shown {
    let all_whole = m
        .rows
        .iter()
        .filter_map(|r| r.value)
        .all(|v| v.fract() == 0.0);
    match row {
        Some(r) if all_whole && r.unit == Unit::Mean && !r.status.is_suppressed() => {
            match r.value {
                Some(v) => crate::format::Shown::Value(format::number(v, 0)),
                None => crate::format::Shown::Missing,
            }
        }
        r => format::value(r),
    }
}

/// One measure by its breakdown (rows, the total last) and period (columns).
fn breakdown_table(ctx: &Ctx<'_>, m: &Measure<'_>) -> Draft {
    let rows = m.rows;
    let names = &m.names;
    let key = rows
        .iter()
        .find(|r| !r.breakdown.is_empty())
        .map(|r| r.breakdown.keys().replace(';', " / ").replace('_', " "))
        .map(|k| upper_first(&k))
        .unwrap_or_else(|| "Breakdown".into());
    let labelled: Vec<&str> = names.iter().filter_map(|n| m.meaning(n)).collect();
    let mut head = vec![key];
    head.extend(m.periods.iter().map(|&p| period_name(p, ctx.year)));
    let mut parts: Vec<&String> = names.iter().filter(|n| *n != "All").collect();
    let year_value = |n: &str| {
        [Period::Year, Period::Snapshot]
            .iter()
            .find_map(|&p| m.find(n, p).and_then(|r| r.value))
    };
    parts.sort_by(|a, b| natural_order(a, b, &year_value));
    let parts = parts.into_iter();
    let total = names.iter().filter(|n| *n == "All");
    let body = parts
        .chain(total)
        .map(|n| {
            let label = if n == "All" {
                "Total".to_string()
            } else {
                m.label(n)
            };
            let row = TableRow::new(
                label,
                m.periods
                    .iter()
                    .map(|&p| format::value(m.find(n, p)).into())
                    .collect(),
            );
            if n == "All" { row.total() } else { row }
        })
        .collect();
    with_notes(
        table(
            format!("{}, {}", upper_first(m.title), ctx.year_label()),
            head,
            body,
        ),
        notes_of(rows.iter().copied())
            .into_iter()
            .filter(|n| !labelled.contains(&n.as_str()))
            .collect(),
    )
}

/// A chart by quarter of a measure the section asks to draw: bars for a
/// total or a percentage, stacked bars for one breakdown of counts, bars of
/// the year's figures for a breakdown of many categories.
fn chart(spec: &SectionSpec, ctx: &Ctx<'_>, m: &Measure<'_>) -> Option<Draft> {
    let rows = m.rows;
    let quarters = QUARTERS.iter().all(|(q, _)| m.periods.contains(q));
    let unit = rows[0].unit;
    if !quarters || !matches!(unit, Unit::Count | Unit::Percent) || !spec.charts.contains(&m.id) {
        return None;
    }
    let title = m.title;
    let find = |n: &str, p: Period| m.find(n, p);
    let parts: Vec<&String> = m.names.iter().filter(|n| *n != "All").collect();
    let cats: Vec<String> = QUARTERS
        .iter()
        .map(|(q, _)| q.label().to_string())
        .collect();
    let short = short_title(title);
    // The axis says only the unit: the title and caption say what is counted.
    let words = Words {
        title: &short,
        x_label: "Quarter",
        y_label: if unit == Unit::Percent { "%" } else { "Number" },
        unit: if unit == Unit::Percent { "%" } else { "" },
        period: &ctx.year_label(),
        source: &ctx.source(),
    };
    let slug = m.id.as_str().replace('.', "-");
    let many = parts.len() > 5 && unit == Unit::Count;
    let caption = if many {
        format!("{}, {}", upper_first(title), ctx.year_label())
    } else {
        format!("{}: by quarter, {}", upper_first(title), ctx.year_label())
    };
    let target = target_for(ctx, m.id).map(|t| (t.target, target_words(t, unit)));
    let chart = if many {
        // Many categories: the year's figure of each, as bars, largest first.
        let mut ordered: Vec<&String> = parts.clone();
        ordered.sort_by(|a, b| {
            let v = |n: &str| find(n, Period::Year).and_then(|r| r.value).unwrap_or(-1.0);
            v(b).total_cmp(&v(a))
        });
        charts::bars(
            &Words {
                x_label: &key_words(rows),
                ..words.clone()
            },
            ordered.iter().map(|n| m.label(n)).collect(),
            vec![(
                ctx.year_label(),
                ordered
                    .iter()
                    .map(|n| cell(find(n, Period::Year)))
                    .collect(),
            )],
            false,
            0,
            None,
        )
    } else if parts.is_empty() || unit == Unit::Percent {
        charts::bars(
            &words,
            cats,
            vec![(
                "All".to_string(),
                QUARTERS
                    .iter()
                    .map(|(q, _)| cell(find("All", *q)))
                    .collect(),
            )],
            unit == Unit::Percent,
            if unit == Unit::Percent { 1 } else { 0 },
            target,
        )
    } else {
        let mut segments: Vec<(String, Vec<ChartCell>)> = parts
            .iter()
            .map(|n| {
                (
                    m.label(n),
                    QUARTERS
                        .iter()
                        .map(|(q, _)| cell(find(n, *q)))
                        .collect::<Vec<ChartCell>>(),
                )
            })
            .collect();
        if let Some(hidden) = hidden_segment(&segments, |k| cell(find("All", QUARTERS[k].0))) {
            segments.push((HIDDEN_SEGMENT.to_string(), hidden));
        }
        charts::stacked(&words, cats, segments, false, true, 0)
    };
    Some(figure(&slug, caption, chart))
}

/// The order categories are read in: numbered ones (stages) by number,
/// then the largest first, then "not recorded", "not known" and "other"
/// last; equal ones alphabetically.
fn natural_order(a: &str, b: &str, value: &impl Fn(&str) -> Option<f64>) -> std::cmp::Ordering {
    fn rank(n: &str) -> (u8, u64) {
        let lower = n.to_ascii_lowercase();
        let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(k) = digits.parse::<u64>() {
            return (0, k);
        }
        if lower.starts_with("not ") || lower.starts_with("other") || lower == "unknown" {
            return (2, 0);
        }
        (1, 0)
    }
    let (ra, rb) = (rank(a), rank(b));
    ra.cmp(&rb)
        .then_with(|| {
            // Larger first; a hidden or missing figure after every figure.
            let (va, vb) = (value(a).unwrap_or(f64::MIN), value(b).unwrap_or(f64::MIN));
            vb.total_cmp(&va)
        })
        .then_with(|| a.cmp(b))
}

/// A measure's title up to its first comma or bracket: the chart's own
/// short title ("Escalations to a stage"), the caption saying the rest.
fn short_title(title: &str) -> String {
    let end = title.find([',', '(']).unwrap_or(title.len());
    upper_first(title[..end].trim())
}

/// The legend of the part of a stacked bar made of suppressed counts.
pub(crate) const HIDDEN_SEGMENT: &str = "Small numbers not shown (c)";

/// The suppressed parts of each stacked bar as one segment: the total less
/// the parts shown, so that a bar is as tall as its total and what is hidden
/// is marked, never dropped. It reveals nothing the table does not: the
/// table shows the total and the same parts. `None` when no part is hidden.
/// A bar whose total is itself hidden or missing gets a hidden cell.
pub(crate) fn hidden_segment(
    segments: &[(String, Vec<ChartCell>)],
    total: impl Fn(usize) -> ChartCell,
) -> Option<Vec<ChartCell>> {
    let bars = segments.first().map_or(0, |(_, v)| v.len());
    let any_hidden = segments
        .iter()
        .any(|(_, v)| v.iter().any(|c| matches!(c, ChartCell::Suppressed)));
    if !any_hidden {
        return None;
    }
    Some(
        (0..bars)
            .map(|k| {
                let hidden = segments
                    .iter()
                    .any(|(_, v)| matches!(v.get(k), Some(ChartCell::Suppressed)));
                if !hidden {
                    return ChartCell::Value(0.0);
                }
                match total(k).value() {
                    Some(t) => {
                        let shown: f64 = segments
                            .iter()
                            .filter_map(|(_, v)| v.get(k).and_then(|c| c.value()))
                            .sum();
                        ChartCell::Value((t - shown).max(0.0))
                    }
                    None => ChartCell::Suppressed,
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_read_numbered_then_largest_then_not_recorded() {
        let values = |n: &str| match n {
            "in person" => Some(307.0),
            "virtual" => Some(112.0),
            "hybrid" => Some(74.0),
            "not recorded" => Some(22.0),
            _ => None,
        };
        let mut v = vec!["hybrid", "in person", "not recorded", "virtual"];
        v.sort_by(|a, b| natural_order(a, b, &values));
        assert_eq!(v, ["in person", "virtual", "hybrid", "not recorded"]);
        let mut s = vec!["closed", "2", "10", "1", "resolved"];
        s.sort_by(|a, b| natural_order(a, b, &|_| None));
        assert_eq!(s, ["1", "2", "10", "closed", "resolved"]);
    }

    #[test]
    fn hidden_parts_of_a_bar_are_one_marked_segment() {
        let segments = vec![
            (
                "1".to_string(),
                vec![
                    ChartCell::Value(17.0),
                    ChartCell::Suppressed,
                    ChartCell::Value(4.0),
                ],
            ),
            (
                "2".to_string(),
                vec![
                    ChartCell::Value(14.0),
                    ChartCell::Value(13.0),
                    ChartCell::Suppressed,
                ],
            ),
            (
                "3".to_string(),
                vec![
                    ChartCell::Suppressed,
                    ChartCell::Suppressed,
                    ChartCell::Value(2.0),
                ],
            ),
        ];
        let totals = [38.0, 32.0, f64::NAN];
        let hidden = hidden_segment(&segments, |k| {
            if totals[k].is_nan() {
                ChartCell::Suppressed
            } else {
                ChartCell::Value(totals[k])
            }
        })
        .unwrap();
        assert_eq!(
            hidden,
            vec![
                ChartCell::Value(7.0),
                ChartCell::Value(19.0),
                ChartCell::Suppressed
            ]
        );
        let none = vec![("1".to_string(), vec![ChartCell::Value(1.0)])];
        assert_eq!(hidden_segment(&none, |_| ChartCell::Value(1.0)), None);
    }
}
