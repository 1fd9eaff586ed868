//! [`Layout::Benchmarking`](super::Layout::Benchmarking): the rate of children looked
//! after beside the region's and England's (charts), then the comparison tables of
//! `regional-benchmarking`.

use iro_charts::Chart;
use iro_metric_api::{MeasureId, MetricRow, Period};

use super::{Ctx, Draft, SectionSpec, figure, para, table, v, with_notes};
use crate::format::{self, Shown};
use crate::model::{Cell, TableRow};

pub(super) fn benchmarking(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let mut out = Vec::new();
    let chart = |name: &str| {
        ctx.standard
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.chart.clone())
    };
    let rate = ctx
        .rows
        .total(ctx.year, cohort_summary::CLA_RATE, Period::Snapshot);
    // Exactly whom the funnel plot compares (never "every authority" unless so).
    let funnel = chart("cla-rate-funnel");
    let compared = match &funnel {
        Some(Chart::Funnel(f)) => f.compared.clone(),
        _ => None,
    };
    if let Some(r) = v(&format::value(rate)) {
        let funnel_words = match &compared {
            Some(who) => format!(", and, in a funnel plot, with {who}"),
            None => String::new(),
        };
        out.push(para(format!(
            "At 31 March {} {} looked after {r} children per 10,000 aged 0 to 17. The charts \
             compare this rate with the region's and England's, as published by the DfE{funnel_words}.",
            ctx.year, ctx.la_name
        )));
    }
    if let Some(c) = chart("cla-rate-trend") {
        out.push(figure(
            "cla-rate-trend",
            format!(
                "Children looked after per 10,000 children: {}, its region and England",
                ctx.la_name
            ),
            c,
        ));
    }
    if let (Some(c), Some(who)) = (funnel, compared) {
        out.push(figure(
            "cla-rate-funnel",
            format!(
                "Children looked after per 10,000 children at 31 March {}: {who}, each against \
                 its child population (funnel plot)",
                ctx.year
            ),
            c,
        ));
        out.push(para(
            "In a funnel plot each dot is an authority: the further right, the more children \
             live there. The curved lines show how far a rate can differ from England's by \
             chance alone; a rate outside the outer lines differs by more than chance explains.",
        ));
    }
    out.extend(benchmark_tables(ctx));
    if out.is_empty() {
        out.push(Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        ));
    }
    out
}

/// The benchmarked indicators of `regional-benchmarking`, with the words the
/// report uses for them.
const INDICATORS: [(&str, &str); 6] = [
    ("cla-rate", "Children looked after per 10,000 (31 March)"),
    (
        "starts-rate",
        "Children starting to be looked after per 10,000",
    ),
    (
        "three-plus-placements",
        "3 or more placements in the year (%)",
    ),
    (
        "long-term-stability",
        "Long-term stability: same carer for 2 years (%)",
    ),
    (
        "over-20-miles",
        "Placed more than 20 miles from home (%, 31 March)",
    ),
    (
        "new-placements-over-20-miles",
        "New placements more than 20 miles from home (%)",
    ),
];

/// The comparison tables from `regional-benchmarking`'s rows: the
/// authority's figures beside its region, England and statistical
/// neighbours, then where it stands (rank, funnel position).
fn benchmark_tables(ctx: &Ctx<'_>) -> Vec<Draft> {
    let y = ctx.year;
    let value_of = |ind: &str, source: &str| {
        ctx.rows
            .all(y, regional_benchmarking::measure_id(ind))
            .iter()
            .find(|r| r.breakdown.to_string() == format!("source={source}"))
            .copied()
    };
    let present: Vec<(&str, &str, Period)> = INDICATORS
        .iter()
        .filter_map(|(ind, name)| {
            value_of(ind, "903")
                .or_else(|| value_of(ind, "published"))
                .map(|r| (*ind, *name, r.period))
        })
        .collect();
    if present.is_empty() {
        return Vec::new();
    }
    let find = |metric: MeasureId, period: Period, b: String| ctx.rows.get(y, metric, period, &b);
    let mut out = Vec::new();
    let comparators = [
        ("region", ctx.region.to_string()),
        ("england", "England".to_string()),
        ("sn2021", "Statistical neighbours (2021)".to_string()),
        ("sn2025", "Statistical neighbours (2025)".to_string()),
    ];
    let mut head = vec![
        "Indicator".to_string(),
        ctx.la_name.to_string(),
        "DfE published".to_string(),
    ];
    head.extend(comparators.iter().map(|(_, n)| n.clone()));
    let body = present
        .iter()
        .map(|(ind, name, period)| {
            let mut cells: Vec<Cell> = vec![
                format::value(value_of(ind, "903")).into(),
                format::value(value_of(ind, "published")).into(),
            ];
            cells.extend(comparators.iter().map(|(c, _)| {
                Cell::from(format::value(find(
                    regional_benchmarking::COMPARATOR_VALUE,
                    *period,
                    format!("indicator={ind};comparator={c}"),
                )))
            }));
            TableRow::new(*name, cells)
        })
        .collect();
    out.push(with_notes(
        table(
            format!("{} beside its region, England and statistical neighbours, {}", ctx.la_name, ctx.year_label()),
            head,
            body,
        ),
        [
            format!("{}: computed from the authority's SSDA903 return; the other columns are the DfE's published figures. Statistical neighbours: the mean of the neighbours' published values (DfE groupings of April 2021 and the 2025 model).", ctx.la_name),
        ]
        .into_iter()
        .chain(ctx.published_from(&[y]))
        .collect(),
    ));
    // Where the authority stands.
    let rank = |ind: &str, period: Period, c: &str| {
        let r = find(
            regional_benchmarking::RANK,
            period,
            format!("indicator={ind};comparator={c};source=903"),
        );
        match r {
            Some(r) if r.status.is_suppressed() => Shown::Suppressed,
            // The number ranked is in the note ("=25 of 85 (1 = lowest)"):
            // it counts authorities, not children, so it is no denominator.
            Some(r @ MetricRow { value: Some(v), .. }) => Shown::Value(rank_words(r, *v)),
            _ => Shown::Missing,
        }
    };
    let position = |ind: &str, period: Period| {
        ["adjusted", "exact"].iter().find_map(|l| {
            let r = find(
                regional_benchmarking::FUNNEL_POSITION,
                period,
                format!("indicator={ind};comparator=england;source=903;level=99.8;limits={l}"),
            )?;
            let side = match r.value {
                Some(v) if v < 0.0 => "Below the limits",
                Some(v) if v > 0.0 => "Above the limits",
                Some(_) => "Within the limits",
                None => return None,
            };
            Some(if *l == "adjusted" {
                format!("{side} (adjusted for over-dispersion)")
            } else {
                side.to_string()
            })
        })
    };
    let body: Vec<TableRow> = present
        .iter()
        .map(|(ind, name, period)| {
            TableRow::new(
                *name,
                vec![
                    rank(ind, *period, "region").into(),
                    rank(ind, *period, "england").into(),
                    match position(ind, *period) {
                        Some(t) => Cell::Text(t),
                        None => Shown::Missing.into(),
                    },
                ],
            )
        })
        .collect();
    out.push(with_notes(
        table(
            format!("Where {} stands, {}", ctx.la_name, ctx.year_label()),
            vec![
                "Indicator".into(),
                format!("Rank in {}", if ctx.region.is_empty() { "the region" } else { ctx.region }),
                "Rank in England".into(),
                "Against England's rate (funnel plot, 99.8% limits)".into(),
            ],
            body,
        ),
        vec!["Rank 1 is the lowest value. Funnel limits show how far a figure can differ from England's by chance given the authority's size; over-dispersion adjusted where the spread between authorities calls for it (see docs/METHODS.md, \"Regional benchmarking\").".into()],
    ));
    out
}

/// A rank as the table shows it: `25 of 85`, `=3 of 15` for a tie, from the
/// row's note; the bare rank when the note does not say of how many.
fn rank_words(row: &MetricRow, rank: f64) -> String {
    let lead = row.note.split("; ").next().unwrap_or("").trim();
    let lead = lead.trim_end_matches("(1 = lowest)").trim_end();
    let of_many = lead
        .trim_start_matches('=')
        .split_once(" of ")
        .is_some_and(|(a, b)| a.parse::<u64>().is_ok() && b.parse::<u64>().is_ok());
    if of_many {
        lead.to_string()
    } else {
        format::number(rank, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_say_of_how_many_from_the_note() {
        let mut row = MetricRow::new(
            iro_metric_api::AreaCode::new("800"),
            2025,
            Period::Year,
            regional_benchmarking::RANK,
            iro_metric_api::Unit::Mean,
        );
        row.note = "=25 of 85 (1 = lowest); 85 of the 151 members have a figure";
        assert_eq!(rank_words(&row, 25.0), "=25 of 85");
        row.note = "3 of 15 (1 = lowest)";
        assert_eq!(rank_words(&row, 3.0), "3 of 15");
        row.note = "something else";
        assert_eq!(rank_words(&row, 4.0), "4");
    }
}
