//! The pack's charts: ranked bars with intervals, one funnel plot per
//! indicator with every authority labelled, and small multiples.

use iro_charts::{
    AreaRole, BarChart, Cell, Chart, ChartMeta, FunnelChart, FunnelPoint, LineChart, LineSeries,
    Panel, RankedBar, RankedBarChart, ReferenceLine, Series, SmallMultiples, TargetLine,
};
use iro_stats::{FunnelSpec, Target, TargetSource};

use crate::PackInput;
use crate::indicator::{PackIndicator, Scale};
use crate::league::{Figure, League, Pooled};

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

/// The value axis's title (the unit is added to it): a rate's short name
/// already says "per 10,000".
fn y_label(i: &PackIndicator) -> &'static str {
    match i.scale {
        Scale::Rate => "Rate",
        _ => i.short,
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
    let mut not_supplied = 0;
    for line in &l.lines {
        let m = &input.group.members[line.member];
        if line.figure == Figure::NotSupplied {
            not_supplied += 1;
            continue;
        }
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
            "{} authorities of {}{}; centre line: {centre}",
            points.len(),
            input.group.name,
            if not_supplied > 0 {
                format!(" ({not_supplied} did not supply the IRO records it needs)")
            } else {
                String::new()
            }
        ))
        .axes(
            match i.scale {
                Scale::Rate => "Children aged 0 to 17",
                _ => "Number counted (denominator)",
            },
            y_label(i),
        )
        .unit(unit_words(i))
        .source(source(input))
        .period(l.year.label());
    let spec = FunnelSpec::new(indicator, target);
    let mut chart = FunnelChart::compute(meta, points, &spec).map_err(|e| e.to_string())?;
    if chart.target_label.starts_with("all areas") {
        // The chart's own words for a pooled centre line: name the group.
        chart.target_label = format!(
            "{} pooled {}{}",
            input.group.name,
            iro_charts::format_number(chart.target, chart.decimals),
            if indicator == iro_stats::Indicator::Proportion {
                "%"
            } else {
                ""
            }
        );
    }
    chart.excluded.extend(left_off);
    chart.compared = Some(format!("the authorities of {}", input.group.name));
    Ok(Chart::Funnel(chart))
}

/// Ranked bars: each authority's figure with its 95% interval, highest
/// first (hidden and missing figures last, never drawn as 0), with the
/// group's pooled figure and England's published one as reference lines.
pub fn ranked_bars(input: &PackInput<'_>, l: &League) -> Result<Chart, String> {
    let i = &l.indicator;
    // Authorities that kept no IRO records have no bar at all (the table
    // says "not supplied"); hidden and missing figures keep theirs, marked.
    let ranked: Vec<_> = l
        .ranked()
        .into_iter()
        .filter(|line| line.figure != Figure::NotSupplied)
        .collect();
    let not_supplied = l.lines.len() - ranked.len();
    let bars: Vec<RankedBar> = ranked
        .into_iter()
        .map(|line| {
            let m = &input.group.members[line.member];
            RankedBar {
                label: m.label(),
                code: m.code_text(),
                value: match &line.figure {
                    Figure::Shown { value, .. } => Cell::Value(*value),
                    Figure::Suppressed => Cell::Suppressed,
                    _ => Cell::Missing,
                },
                interval: line.interval,
                highlighted: true,
            }
        })
        .collect();
    if !bars.iter().any(|b| b.value.value().is_some()) {
        return Err("no authority has a figure to draw".into());
    }
    let mut references = Vec::new();
    if let Pooled::Shown {
        value, of, hidden, ..
    } = &l.pooled
    {
        references.push(ReferenceLine {
            value: *value,
            label: if *hidden > 0 || *of < l.lines.len() {
                format!("{} pooled ({of} of {})", input.group.name, l.lines.len())
            } else {
                format!("{} pooled", input.group.name)
            },
            role: AreaRole::Region,
        });
    }
    if let Some(v) = l.england_published.as_ref().and_then(|p| p.value) {
        references.push(ReferenceLine {
            value: v,
            label: "England (published)".into(),
            role: AreaRole::England,
        });
    }
    let meta = ChartMeta::new(format!("{}, {}", i.short, l.year.label()))
        .subtitle(if not_supplied > 0 {
            format!(
                "Each authority's own figure with its 95% interval, highest first; {not_supplied} \
                 did not supply the IRO records it needs"
            )
        } else {
            "Each authority's own figure with its 95% interval, highest first".to_string()
        })
        .axes("", y_label(i))
        .unit(unit_words(i))
        .source(source(input))
        .period(l.year.label());
    Ok(Chart::RankedBars(RankedBarChart {
        meta,
        bars,
        references,
        percent: i.scale == Scale::Percent,
        decimals: 1,
    }))
}

fn figure_cell(f: &Figure) -> Cell {
    match f {
        Figure::Shown { value, .. } => Cell::Value(*value),
        Figure::Suppressed => Cell::Suppressed,
        _ => Cell::Missing,
    }
}

/// Quarterly timeliness, one panel per authority, with the group's target.
pub fn quarter_multiples(input: &PackInput<'_>, quarters: &[League]) -> Result<Chart, String> {
    let Some(first) = quarters.first() else {
        return Err("no quarters".into());
    };
    let year = first.year;
    let panels: Vec<Panel> = input
        .group
        .members
        .iter()
        .enumerate()
        .map(|(m, member)| Panel {
            title: member.label(),
            chart: Chart::Bars(BarChart {
                meta: ChartMeta::new(member.label()).unit("%"),
                categories: ["Q1", "Q2", "Q3", "Q4"].map(String::from).to_vec(),
                series: vec![Series {
                    name: "Reviews on time".into(),
                    values: quarters
                        .iter()
                        .map(|q| figure_cell(&q.lines[m].figure))
                        .collect(),
                }],
                target: input.group.review_target.map(|t| TargetLine {
                    value: t,
                    label: format!("Target {}%", t),
                }),
                percent: true,
                decimals: 1,
            }),
        })
        .collect();
    if !quarters.iter().any(League::any_shown) {
        return Err("no authority has a quarter's figure to draw".into());
    }
    let meta = ChartMeta::new(format!("Reviews held on time by quarter, {}", year.label()))
        .subtitle(match input.group.review_target {
            Some(t) => format!("Each authority; the line is the group's target of {t}%"),
            None => "Each authority".to_string(),
        })
        .axes("Quarter", "Reviews on time")
        .unit("%")
        .source(source(input))
        .period(year.label());
    Ok(Chart::SmallMultiples(SmallMultiples {
        meta,
        panels,
        columns: 0,
    }))
}

/// One figure over five years, one panel per authority, with England's
/// published figure (and the region's, for a regional group) beside it.
pub fn trend_multiples(
    input: &PackInput<'_>,
    i: &PackIndicator,
    history: &[League],
) -> Result<Chart, String> {
    if !history.iter().any(League::any_shown) {
        return Err("no authority has a figure in any year".into());
    }
    let years: Vec<i32> = history.iter().map(|l| l.year.0).collect();
    let published_line = |name: &str, code: &str, role, get: &dyn Fn(&League) -> Option<f64>| {
        let values: Vec<Cell> = history
            .iter()
            .map(|l| get(l).map_or(Cell::Missing, Cell::Value))
            .collect();
        values
            .iter()
            .any(|c| c.value().is_some())
            .then(|| LineSeries {
                name: name.to_string(),
                code: code.to_string(),
                role,
                values,
            })
    };
    let region = input.group.region.clone();
    let panels: Vec<Panel> = input
        .group
        .members
        .iter()
        .enumerate()
        .map(|(m, member)| {
            let mut series = vec![LineSeries {
                name: member.label(),
                code: member.code_text(),
                role: AreaRole::Authority,
                values: history
                    .iter()
                    .map(|l| figure_cell(&l.lines[m].figure))
                    .collect(),
            }];
            if let Some((ons, name)) = &region {
                series.extend(published_line(
                    &format!("{name} (published)"),
                    ons,
                    AreaRole::Region,
                    &|l| l.region_published.as_ref().and_then(|p| p.value),
                ));
            }
            series.extend(published_line(
                "England (published)",
                "E92000001",
                AreaRole::England,
                &|l| l.england_published.as_ref().and_then(|p| p.value),
            ));
            Panel {
                title: member.label(),
                chart: Chart::Lines(LineChart {
                    meta: ChartMeta::new(member.label()).unit(unit_words(i)),
                    years: years.clone(),
                    series,
                    decimals: 1,
                    y_from_zero: true,
                }),
            }
        })
        .collect();
    let meta = ChartMeta::new(format!("{} over {} years", i.short, years.len()))
        .subtitle("Each authority's own figure (903)")
        .axes("Collection year", y_label(i))
        .unit(unit_words(i))
        .source(source(input))
        .period(format!(
            "{} to {}",
            history.first().map(|l| l.year.label()).unwrap_or_default(),
            history.last().map(|l| l.year.label()).unwrap_or_default()
        ));
    Ok(Chart::SmallMultiples(SmallMultiples {
        meta,
        panels,
        columns: 0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Group;
    use crate::indicator::INDICATORS;
    use crate::league::{Rows, league};
    use iro_domain::CollectionYear;
    use iro_metric_api::{AreaCode, CellStatus, MetricRow, Period, Suppression, Unit};
    use iro_reference::Reference;
    use iro_results::{DataQuality, Disclosure, ReportSettings};

    fn on_time(la: &str, n: u64, d: u64, hidden: bool) -> MetricRow {
        let mut r = MetricRow::new(
            AreaCode::new(la),
            2025,
            Period::Year,
            service_records::RECORD_ON_TIME,
            Unit::Percent,
        )
        .percent(n, d);
        if hidden {
            r.numerator = None;
            r.value = None;
            r.status = CellStatus::Suppressed(Suppression::Primary);
        }
        r
    }

    #[test]
    fn ranked_bars_leave_out_the_not_supplied_and_mark_the_hidden() {
        let reference = Reference::bundled().unwrap();
        let group = Group::list(
            &reference,
            &["800".into(), "801".into(), "802".into(), "803".into()],
            None,
            CollectionYear(2025),
        )
        .unwrap();
        let rows = vec![
            on_time("800", 40, 80, false),
            on_time("801", 0, 60, true),
            on_time("803", 30, 40, false),
        ];
        let (quality, settings) = (DataQuality::default(), ReportSettings::default());
        let input = PackInput {
            group: &group,
            year: CollectionYear(2025),
            rows: &rows,
            accounts: &[],
            quality: &quality,
            reference: &reference,
            disclosure: Disclosure {
                audience: iro_results::Audience::Public,
                threshold: 7,
            },
            settings: &settings,
        };
        let index = Rows::new(&rows, &group);
        let records = INDICATORS
            .iter()
            .find(|i| i.id == "records-on-time")
            .unwrap();
        let l = league(&index, &reference, &group, records, CollectionYear(2025));
        let Ok(Chart::RankedBars(c)) = ranked_bars(&input, &l) else {
            panic!("no ranked bars");
        };
        let labels: Vec<&str> = c.bars.iter().map(|b| b.label.as_str()).collect();
        // 803 75%, 800 50%, then Bristol hidden; North Somerset (802)
        // supplied no records and has no bar.
        assert_eq!(
            labels,
            [
                "South Gloucestershire",
                "Bath and North East Somerset",
                "Bristol, City of"
            ]
        );
        assert_eq!(c.bars[2].value, Cell::Suppressed);
        assert_eq!(c.bars[2].interval, None);
        assert!(
            c.meta
                .subtitle
                .as_deref()
                .unwrap()
                .contains("1 did not supply")
        );
        // The group's line pools the two shown figures only, and says so.
        assert_eq!(c.references.len(), 1);
        assert!((c.references[0].value - 70.0 * 100.0 / 120.0).abs() < 1e-9);
        assert!(
            c.references[0].label.contains("(2 of 4)"),
            "{:?}",
            c.references
        );
        let Ok(Chart::Funnel(f)) = funnel(&input, &l) else {
            panic!("no funnel");
        };
        assert_eq!(f.points.len(), 2);
        assert!(f.points.iter().all(|p| p.highlighted));
        assert_eq!(f.excluded, ["Bristol, City of (suppressed)"]);
    }
}
