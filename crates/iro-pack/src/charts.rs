//! The pack's charts: ranked bars with intervals, one funnel plot per
//! indicator with every authority labelled, and small multiples.

use iro_charts::{Chart, ChartMeta, FunnelChart, FunnelPoint};
use iro_stats::{FunnelSpec, Target, TargetSource};

use crate::PackInput;
use crate::indicator::{PackIndicator, Scale};
use crate::league::League;

fn stats_indicator(i: &PackIndicator) -> Option<iro_stats::Indicator> {
    match i.scale {
        Scale::Rate => Some(iro_stats::Indicator::RatePer10k),
        Scale::Percent => Some(iro_stats::Indicator::Proportion),
        _ => None,
    }
}

fn unit_words(i: &PackIndicator) -> &'static str {
    match i.scale {
        Scale::Rate => "per 10,000 children aged 0 to 17",
        Scale::Percent => "%",
        Scale::Per100 => "per 100 children",
        Scale::Mean => "children per IRO",
        Scale::Count => "children",
    }
}

/// The source line of a chart of the group's own figures.
fn source(input: &PackInput<'_>) -> String {
    format!(
        "the authorities' own SSDA903 returns and IRO records, as supplied to the {} group",
        input.group.name
    )
}

/// One funnel plot of the group's figures, every authority labelled. The
/// centre line is England's published figure where the DfE publishes one,
/// else the pooled figure of the authorities plotted (never one that
/// includes a hidden figure).
pub fn funnel(input: &PackInput<'_>, l: &League) -> Result<Chart, String> {
    let i = &l.indicator;
    let indicator = stats_indicator(i)
        .ok_or_else(|| "a funnel plot needs a rate or a percentage".to_string())?;
    let mut points = Vec::new();
    let mut left_off = Vec::new();
    for line in &l.lines {
        let m = &input.group.members[line.member];
        match line.figure.counts() {
            Some((n, d)) => points.push(FunnelPoint::new(m.label(), m.code_text(), n, d, true)),
            None => left_off.push(format!(
                "{} ({})",
                m.label(),
                if line.figure.is_suppressed() {
                    "suppressed"
                } else {
                    "no figure"
                }
            )),
        }
    }
    if points.len() < 2 {
        return Err("fewer than two authorities have a figure to plot".into());
    }
    let scale = if indicator == iro_stats::Indicator::Proportion {
        100.0
    } else {
        1.0
    };
    let (target, centre) = match l.england_published.as_ref().and_then(|p| p.value) {
        Some(v) if v > 0.0 => (
            Target::new(v / scale, TargetSource::England),
            "England's published figure".to_string(),
        ),
        _ => {
            let units: Vec<iro_stats::Unit> = points
                .iter()
                .map(|p| iro_stats::Unit::new(p.code.clone(), p.numerator, p.denominator))
                .collect();
            (
                Target::pooled(indicator, &units).map_err(|e| e.to_string())?,
                format!(
                    "the pooled figure of the {} authorities plotted",
                    points.len()
                ),
            )
        }
    };
    let meta = ChartMeta::new(format!("{}, {}", i.short, l.year.label()))
        .subtitle(format!(
            "{} authorities of {}; centre line: {centre}",
            points.len(),
            input.group.name
        ))
        .axes(
            match i.scale {
                Scale::Rate => "Children aged 0 to 17",
                _ => "Number counted (denominator)",
            },
            i.short,
        )
        .unit(unit_words(i))
        .source(source(input))
        .period(l.year.label());
    let spec = FunnelSpec::new(indicator, target);
    let mut chart = FunnelChart::compute(meta, points, &spec).map_err(|e| e.to_string())?;
    chart.excluded.extend(left_off);
    chart.compared = Some(format!("the authorities of {}", input.group.name));
    Ok(Chart::Funnel(chart))
}

pub fn ranked_bars(_input: &PackInput<'_>, _l: &League) -> Result<Chart, String> {
    Err("ranked bars: not yet drawn".into())
}

pub fn quarter_multiples(_input: &PackInput<'_>, _quarters: &[League]) -> Result<Chart, String> {
    Err("small multiples: not yet drawn".into())
}

pub fn trend_multiples(
    _input: &PackInput<'_>,
    _i: &PackIndicator,
    _history: &[League],
) -> Result<Chart, String> {
    Err("small multiples: not yet drawn".into())
}
