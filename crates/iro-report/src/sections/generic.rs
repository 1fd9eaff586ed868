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

/// Every measure the section lists, as a table by breakdown (rows) and
/// period (columns), with a chart by quarter where there is one.
pub(super) fn generic(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let y = ctx.year;
    if !ctx.rows.has_any(y, spec.metrics) {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut out = Vec::new();
    let mut seen: Vec<MeasureId> = Vec::new();
    for &metric in spec.metrics {
        {
            if seen.contains(&metric) || ctx.rows.all(y, metric).is_empty() {
                continue;
            }
            seen.push(metric);
            let rows = ctx.rows.all(y, metric);
            let title = ctx.measure_title(metric).unwrap_or(metric.as_str());
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
            let key = rows
                .iter()
                .find(|r| !r.breakdown.is_empty())
                .map(|r| r.breakdown.keys().replace(';', " / ").replace('_', " "))
                .map(|k| upper_first(&k))
                .unwrap_or_else(|| "Breakdown".into());
            let find = |name: &str, p: Period| {
                rows.iter()
                    .find(|r| r.period == p && breakdown_name(r) == name)
                    .copied()
            };
            // A category whose rows carry their own meaning as the note
            // (e.g. stage 1 = "Social worker") is labelled with it.
            let meaning = |n: &str| -> Option<&str> {
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
                    && names.iter().filter(|m| m.as_str() != "All").count() > 1
                    && rows
                        .iter()
                        .filter(|r| !r.breakdown.is_empty() && breakdown_name(r) != n)
                        .all(|r| lead_note(r) != first))
                .then_some(first)
            };
            let labelled: Vec<&str> = names.iter().filter_map(|n| meaning(n)).collect();
            let mut head = vec![key];
            head.extend(periods.iter().map(|&p| period_name(p, y)));
            let body = names
                .iter()
                .map(|n| {
                    let label = match meaning(n) {
                        Some(m) => format!("{n}: {m}"),
                        None => n.clone(),
                    };
                    let row = TableRow::new(
                        label,
                        periods
                            .iter()
                            .map(|&p| format::value(find(n, p)).into())
                            .collect(),
                    );
                    if n == "All" { row.total() } else { row }
                })
                .collect();
            out.push(with_notes(
                table(
                    format!("{} ({}), {}", upper_first(title), metric, ctx.year_label()),
                    head,
                    body,
                ),
                notes_of(rows.iter().copied())
                    .into_iter()
                    .filter(|n| !labelled.contains(&n.as_str()))
                    .collect(),
            ));
            // A chart by quarter: bars for a total, stacked bars for one
            // breakdown of counts.
            let quarters = QUARTERS.iter().all(|(q, _)| periods.contains(q));
            let unit = rows[0].unit;
            let parts: Vec<&String> = names.iter().filter(|n| *n != "All").collect();
            if !quarters
                || !matches!(unit, Unit::Count | Unit::Percent)
                || !spec.charts.contains(&metric)
            {
                continue;
            }
            let cats: Vec<String> = QUARTERS
                .iter()
                .map(|(q, _)| q.label().to_string())
                .collect();
            let words = Words {
                title: &upper_first(title),
                x_label: "Quarter",
                y_label: title,
                unit: if unit == Unit::Percent { "%" } else { "" },
                period: &ctx.year_label(),
                source: &ctx.source(),
            };
            let slug = metric.as_str().replace('.', "-");
            let caption = if parts.len() > 5 && unit == Unit::Count {
                format!("{}, {}", upper_first(title), ctx.year_label())
            } else {
                format!("{}: by quarter, {}", upper_first(title), ctx.year_label())
            };
            let target = target_for(ctx, metric).map(|t| (t.target, target_words(t, unit)));
            let chart = if parts.len() > 5 && unit == Unit::Count {
                // Many categories: the year's figure of each, as bars.
                charts::bars(
                    &Words {
                        x_label: &key_words(rows),
                        ..words.clone()
                    },
                    parts.iter().map(|n| n.to_string()).collect(),
                    vec![(
                        ctx.year_label(),
                        parts.iter().map(|n| cell(find(n, Period::Year))).collect(),
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
                charts::stacked(
                    &words,
                    cats,
                    parts
                        .iter()
                        .map(|n| {
                            (
                                n.to_string(),
                                QUARTERS
                                    .iter()
                                    .map(|(q, _)| cell(find(n, *q)))
                                    .collect::<Vec<ChartCell>>(),
                            )
                        })
                        .collect(),
                    false,
                    false,
                    0,
                )
            };
            out.push(figure(&slug, caption, chart));
        }
    }
    out
}
