//! `iro chart`: one chart from the tidy `metrics.csv` / `.json` of a run (the
//! standard set `iro run` writes to `<out>/charts/` is `iro-pipeline`'s).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use iro_charts::build::{self, Area, Areas, Categories, ENGLAND, Rows};
use iro_charts::standard;
use iro_charts::{AreaRole, Chart, ChartError, ChartMeta, SegmentColours, TargetLine};
use iro_metric_api::{MeasureId, MetricRow, Period, Unit};

/// What kind of chart to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Lines over the years: the authorities, their region and England.
    Trend,
    /// Every authority against its denominator, with control limits.
    Funnel,
    /// Stacked bars of a breakdown (--by), across years or quarters.
    Stacked,
    /// Bars across quarters or years, with an optional --target line.
    Bars,
}

/// What the bars of a bar or stacked bar chart are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Across {
    /// One bar per collection year.
    Years,
    /// One bar per quarter of the year (and the whole year for stacked bars).
    Quarters,
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// A metrics.csv or metrics.json written by `iro run`.
    #[arg(value_name = "METRICS")]
    file: PathBuf,
    /// The metric id, as in the `metric` column, e.g. cohort-summary.cla-rate.
    #[arg(long, value_name = "ID")]
    metric: String,
    #[arg(long, value_enum, default_value_t = Kind::Trend)]
    kind: Kind,
    /// Output file, .svg or .png; the table of what is drawn goes beside it
    /// as .csv.
    #[arg(long, short, value_name = "FILE")]
    out: PathBuf,
    /// Only the rows with this breakdown, as displayed in metrics.csv
    /// (key=value[;key=value]); default: the all-children row.
    #[arg(long, value_name = "BREAKDOWN", default_value = "")]
    breakdown: String,
    /// Stacked bars: the breakdown key whose values are the segments, e.g.
    /// band, legal_status, code, group.
    #[arg(long, value_name = "KEY")]
    by: Option<String>,
    /// The rows' period: year, Q1..Q4 or 31-03 (default: the whole-year or
    /// 31 March row).
    #[arg(long, value_name = "PERIOD")]
    period: Option<String>,
    /// Years on a trend or across years, ending at the latest --year.
    #[arg(long, value_name = "N", default_value_t = 5)]
    years_shown: usize,
    /// Bars across years or quarters (default: quarters for bars, years for
    /// stacked bars).
    #[arg(long, value_enum)]
    across: Option<Across>,
    /// Trend: leave out the region and England.
    #[arg(long)]
    no_compare: bool,
    /// Funnel: only the authorities of the first --la's region.
    #[arg(long)]
    region_only: bool,
    /// Bars: a target line at this value (in the metric's unit).
    #[arg(long, value_name = "VALUE")]
    target: Option<f64>,
    /// Bars: the target line's label.
    #[arg(long, value_name = "TEXT")]
    target_label: Option<String>,
    /// The title (default: the measure's title).
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// PNG width in pixels.
    #[arg(long, default_value_t = 900)]
    width: u32,
    /// PNG height in pixels.
    #[arg(long, default_value_t = 500)]
    height: u32,
    #[command(flatten)]
    common: super::Common,
}

/// `iro chart`.
pub fn chart(args: ChartArgs) -> Result<std::process::ExitCode> {
    let file = args.file.display().to_string();
    let format = match args.out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => "svg",
        Some(e) if e.eq_ignore_ascii_case("png") => "png",
        _ => bail!(
            "--out {}: give a file ending .svg or .png",
            args.out.display()
        ),
    };
    let rows = iro_charts::read_metrics(&args.file)?;
    let config = super::load_config(&args.common)?;
    let reference = iro_engine::load_reference(&config)?;
    crate::say_overlay(&reference, args.common.quiet);
    let areas = standard::areas_from_reference(&reference);
    let published = if args.metric == standard::CLA_RATE.as_str() {
        standard::published_rows(&reference)
    } else {
        Vec::new()
    };
    let index = Rows::new(rows.iter().chain(&published));
    if !rows.iter().any(|r| r.metric == args.metric.as_str()) {
        bail!("{file}: {}", unknown_metric(&args.metric, &rows));
    }
    let chart = make(&args, &index, &rows, &areas).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    let bytes = match format {
        "svg" => iro_charts::svg(&chart)?.into_bytes(),
        _ => iro_charts::png(&chart, args.width, args.height)?,
    };
    write(&args.out, &bytes)?;
    let table = args.out.with_extension("csv");
    write(&table, iro_charts::data_table(&chart).to_csv().as_bytes())?;
    if !args.common.quiet {
        println!("{} (data: {})", args.out.display(), table.display());
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// "no metric `x`", with the nearest ids the file has.
fn unknown_metric(metric: &str, rows: &[MetricRow]) -> String {
    let ids: BTreeSet<&str> = rows.iter().map(|r| r.metric.as_str()).collect();
    let prefix = metric.split('.').next().unwrap_or(metric);
    let mut near: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| id.starts_with(prefix) || id.contains(metric) || metric.contains(*id))
        .collect();
    if near.is_empty() {
        near = ids.iter().copied().collect();
    }
    let shown: Vec<&str> = near.iter().copied().take(12).collect();
    format!(
        "no metric `{metric}`; {} it has: {}{}",
        if near.len() == ids.len() {
            "the metrics"
        } else {
            "similar metrics"
        },
        shown.join(", "),
        if near.len() > shown.len() {
            ", …"
        } else {
            ""
        }
    )
}

fn parse_period(s: &Option<String>) -> Result<Option<Period>> {
    match s {
        None => Ok(None),
        Some(p) => iro_charts::parse_period(p)
            .map(Some)
            .with_context(|| format!("--period {p}: expected year, Q1, Q2, Q3, Q4 or 31-03")),
    }
}

/// The measure's title from the built-in metrics, or the metric id.
fn measure_title(metric: MeasureId) -> String {
    iro_engine::builtin_metrics()
        .iter()
        .find(|m| m.spec().id == metric.metric())
        .and_then(|m| m.spec().measure(metric).map(|s| s.title.to_string()))
        .unwrap_or_else(|| metric.to_string())
}

fn make(
    args: &ChartArgs,
    index: &Rows<'_>,
    rows: &[MetricRow],
    areas: &Areas,
) -> Result<Chart, ChartError> {
    let breakdown = iro_charts::parse_breakdown(&args.breakdown)
        .map_err(|e| ChartError::NothingToDraw(format!("--breakdown: {e}")))?;
    let period =
        parse_period(&args.period).map_err(|e| ChartError::NothingToDraw(e.to_string()))?;
    let metric = MeasureId::parse(&args.metric).ok_or_else(|| {
        ChartError::NothingToDraw(format!(
            "`{}` is not a metric id (crate.measure)",
            args.metric
        ))
    })?;
    let las: Vec<String> = if args.common.las.is_empty() {
        // The authorities in the file, for charts of one authority: the first.
        let mut seen: Vec<String> = rows
            .iter()
            .filter(|r| r.metric == metric && build::is_authority_code(&r.la_code))
            .map(|r| r.la_code.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        seen.truncate(1);
        seen
    } else {
        args.common.las.clone()
    };
    let first = las
        .first()
        .cloned()
        .ok_or_else(|| ChartError::NothingToDraw(format!("no authority has rows of {metric}")))?;
    let latest = args
        .common
        .years
        .iter()
        .copied()
        .max()
        .or_else(|| index.years(&first, metric).last().copied())
        .ok_or_else(|| ChartError::NothingToDraw(format!("no rows of {metric} for {first}")))?;
    let years: Vec<i32> = if args.common.years.len() > 1 {
        let mut y = args.common.years.clone();
        y.sort_unstable();
        y.dedup();
        y
    } else {
        let n = args.years_shown.max(1) as i32;
        (latest - n + 1..=latest).collect()
    };
    let title = args.title.clone().unwrap_or_else(|| measure_title(metric));
    let names: Vec<String> = las.iter().map(|l| areas.name(l)).collect();
    let unit = index
        .of(&first, metric)
        .first()
        .map(|r| r.unit)
        .unwrap_or(Unit::Count);
    let source = format!(
        "{}: SSDA903 return, via {}",
        names.join(", "),
        args.file
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default()
    );
    let year_span = |ys: &[i32]| match (ys.first(), ys.last()) {
        (Some(a), Some(b)) if a != b => format!(
            "Collection years {} to {}",
            iro_charts::year_label(*a),
            iro_charts::year_label(*b)
        ),
        (Some(a), _) => format!("Collection year {}", iro_charts::year_label(*a)),
        _ => String::new(),
    };
    Ok(match args.kind {
        Kind::Trend => {
            let mut list: Vec<Area> = las
                .iter()
                .enumerate()
                .map(|(i, la)| {
                    let role = if i == 0 {
                        AreaRole::Authority
                    } else {
                        AreaRole::Comparator
                    };
                    Area::new(la.clone(), areas.name(la), role)
                })
                .collect();
            if !args.no_compare {
                let has = |code: &str| {
                    years
                        .iter()
                        .any(|y| index.find(code, metric, *y, period, &breakdown).is_some())
                };
                if let Some(region) = areas.region_of(&first).filter(|r| has(r)) {
                    list.push(Area::new(region, areas.name(region), AreaRole::Region));
                }
                if has(ENGLAND) {
                    list.push(Area::new(ENGLAND, "England", AreaRole::England));
                }
            }
            let meta = ChartMeta::new(title)
                .subtitle(
                    list.iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                )
                .axes("Collection year", axis_label(unit))
                .source(source)
                .period(year_span(&years));
            Chart::Lines(build::trend(
                index, metric, period, &breakdown, &list, &years, meta,
            )?)
        }
        Kind::Funnel => {
            let within = if args.region_only {
                let region = areas.region_of(&first).ok_or_else(|| {
                    ChartError::NothingToDraw(format!("{first}: region not known"))
                })?;
                Some(areas.in_region(region))
            } else {
                None
            };
            let highlight: Vec<&str> = las.iter().map(String::as_str).collect();
            let meta = ChartMeta::new(title)
                .subtitle(format!("{} highlighted", names.join(", ")))
                .axes(
                    if unit == Unit::Per10000 {
                        "Children aged 0 to 17"
                    } else {
                        "Denominator"
                    },
                    axis_label(unit),
                )
                .source(source)
                .period(year_span(&[latest]));
            Chart::Funnel(build::funnel(
                index,
                metric,
                latest,
                period,
                &breakdown,
                areas,
                within.as_ref(),
                &highlight,
                None,
                meta,
            )?)
        }
        Kind::Stacked => {
            let key = args.by.as_deref().ok_or_else(|| {
                ChartError::NothingToDraw(
                    "a stacked chart needs --by KEY (the breakdown key of the segments)".into(),
                )
            })?;
            let categories =
                categories(args.across.unwrap_or(Across::Years), &years, latest, period);
            let colours = if key == "band" || key == "distance" {
                SegmentColours::Sequential
            } else {
                SegmentColours::Categorical
            };
            let meta = ChartMeta::new(title)
                .subtitle(names[0].clone())
                .axes(
                    across_label(args.across.unwrap_or(Across::Years)),
                    axis_label(unit),
                )
                .source(source)
                .period(match &categories {
                    Categories::Years { years, .. } => year_span(years),
                    Categories::Periods { year, .. } => year_span(&[*year]),
                });
            Chart::StackedBars(build::stacked(
                index,
                &first,
                metric,
                key,
                &categories,
                colours,
                meta,
            )?)
        }
        Kind::Bars => {
            let across = args.across.unwrap_or(Across::Quarters);
            let mut categories = categories(across, &years, latest, period);
            if let Categories::Periods { periods, .. } = &mut categories {
                periods.retain(|p| *p != Period::Year);
            }
            let target = args.target.map(|v| TargetLine {
                value: v,
                label: args.target_label.clone().unwrap_or_else(|| {
                    format!(
                        "Target: {}{}",
                        iro_charts::format_number(v, if v.fract() == 0.0 { 0 } else { 1 }),
                        if unit == Unit::Percent { "%" } else { "" }
                    )
                }),
            });
            let meta = ChartMeta::new(title)
                .subtitle(names[0].clone())
                .axes(across_label(across), axis_label(unit))
                .source(source)
                .period(match &categories {
                    Categories::Years { years, .. } => year_span(years),
                    Categories::Periods { year, .. } => year_span(&[*year]),
                });
            Chart::Bars(build::bars(
                index,
                &first,
                metric,
                &breakdown,
                &categories,
                target,
                &names[0],
                meta,
            )?)
        }
    })
}

fn categories(across: Across, years: &[i32], latest: i32, period: Option<Period>) -> Categories {
    match across {
        Across::Years => Categories::Years {
            years: years.to_vec(),
            period,
        },
        Across::Quarters => Categories::Periods {
            year: latest,
            periods: vec![Period::Q1, Period::Q2, Period::Q3, Period::Q4, Period::Year],
        },
    }
}

fn across_label(a: Across) -> &'static str {
    match a {
        Across::Years => "Collection year",
        Across::Quarters => "Quarter of the collection year",
    }
}

/// The value axis title, before its unit.
fn axis_label(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "Number",
        Unit::Percent => "Percentage",
        Unit::Per10000 => "Rate",
        Unit::PercentChange => "Change on the previous year",
        Unit::Days => "Days",
        Unit::Miles => "Miles",
        Unit::Mean => "Mean",
    }
}
