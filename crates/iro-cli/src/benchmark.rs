//! `iro benchmark`: authorities against England, their region and their
//! statistical neighbours, from the published figures alone
//! (`--reference-only`) or with the input authorities' own 903 figures.
//! Glue only: the figures come from `regional-benchmarking` (through the
//! engine, with its central suppression, for 903 figures).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use iro_charts::standard;
use iro_domain::{CollectionYear, LaCode};
use iro_engine::Config;
use iro_metric_api::MetricRow;
use iro_reference::{Geography, Measure, Reference, SnModel};
use regional_benchmarking::{
    Benchmark, Comparator, Indicator, METRIC_ID, Options, RankingTable, TableRequest, sort_rows,
};

use crate::{Common, load_config, resolve_input};

#[derive(Debug, Args)]
pub struct BenchmarkArgs {
    /// Input folder (<la>/<collection year>/*.csv): its authorities' own 903
    /// figures are benchmarked beside their published ones. Not read with
    /// --reference-only.
    #[arg(value_name = "INPUT")]
    input: Option<PathBuf>,
    /// Published figures only: no 903 input is read.
    #[arg(long)]
    reference_only: bool,
    /// Benchmark every authority of a region (name, e.g. "South West", or ONS
    /// code E12…).
    #[arg(long, value_name = "REGION", conflicts_with_all = ["group", "neighbours_of", "all"])]
    region: Option<String>,
    /// Benchmark a group of authorities (comma-separated DfE codes, e.g. a
    /// regional IRO group); they are also ranked among themselves
    /// (comparator=selection).
    #[arg(long = "las", value_name = "CODES", value_delimiter = ',', conflicts_with_all = ["neighbours_of", "all"])]
    group: Vec<String>,
    /// Benchmark an authority and its ten DfE statistical neighbours (see
    /// --model); they are also ranked among themselves.
    #[arg(long, value_name = "CODE", conflicts_with = "all")]
    neighbours_of: Option<String>,
    /// Statistical-neighbour model for --neighbours-of.
    #[arg(long, value_enum, default_value_t = Model::M2025)]
    model: Model,
    /// Benchmark every English authority.
    #[arg(long)]
    all: bool,
    /// The indicator of the printed ranking table (cla-rate, starts-rate,
    /// three-plus-placements, long-term-stability, over-20-miles,
    /// new-placements-over-20-miles). Every indicator is written.
    #[arg(long, value_name = "INDICATOR", default_value = "cla-rate")]
    indicator: String,
    /// The group of the printed ranking table: england, region, neighbours or
    /// selection (default: the selection for --las and --neighbours-of,
    /// england for --all, otherwise the region). `--la 800 --against
    /// neighbours` is `--neighbours-of 800`.
    #[arg(long, value_name = "GROUP")]
    against: Option<String>,
    /// Also write z-scores and the exact (unadjusted) funnel limits (parameter
    /// detail = "full"); the positions against them are always written.
    #[arg(long)]
    full: bool,
    /// Do not draw the charts (<out>/charts/<la>/: the rate per 10,000
    /// against the region and England over five years, and the funnel plot of
    /// the authorities with a published figure that year, this one highlighted).
    #[arg(long)]
    no_charts: bool,
    /// Output folder (default: <[output] dir>/benchmark, i.e. out/benchmark).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Model {
    /// DfE April 2021 groupings.
    #[value(name = "2021")]
    M2021,
    /// DfE 2025 model.
    #[value(name = "2025")]
    M2025,
}

/// Who is benchmarked.
struct Selection {
    las: Vec<LaCode>,
    /// A group to rank them among (--las, --neighbours-of).
    group: Vec<LaCode>,
    default_against: Comparator,
}

/// Puts `[suppression] threshold` (and a selection) into the metric's
/// parameters, unless iro.toml sets them: a 903 figure small enough to be
/// suppressed must not be compared (docs/METHODS.md, "Regional
/// benchmarking").
pub fn configure_metric(
    config: &mut Config,
    selection: &[LaCode],
    force_enable: bool,
) -> Result<()> {
    let mut text = format!(
        "[metrics.{METRIC_ID}]\nsmall_count = {}\n",
        config.suppression.threshold
    );
    if !selection.is_empty() {
        let codes: Vec<String> = selection.iter().map(|c| format!("\"{c}\"")).collect();
        text.push_str(&format!("selection = [{}]\n", codes.join(", ")));
    }
    if force_enable {
        text.push_str("enabled = true\n");
    }
    let extra = Config::parse(&text)
        .map_err(anyhow::Error::msg)?
        .metrics
        .remove(METRIC_ID)
        .unwrap_or_default();
    let table = config.metrics.entry(METRIC_ID.to_string()).or_default();
    for (k, v) in extra {
        // iro.toml's own small_count wins; a selection or `enabled` asked
        // for on the command line wins over iro.toml.
        if k != "small_count" || !table.contains_key(&k) {
            table.insert(k, v);
        }
    }
    Ok(())
}

/// Sets one parameter of the metric, over iro.toml.
fn set_param(config: &mut Config, key: &str, toml_value: &str) -> Result<()> {
    let extra = Config::parse(&format!("[metrics.{METRIC_ID}]\n{key} = {toml_value}\n"))
        .map_err(anyhow::Error::msg)?
        .metrics
        .remove(METRIC_ID)
        .unwrap_or_default();
    config
        .metrics
        .entry(METRIC_ID.to_string())
        .or_default()
        .extend(extra);
    Ok(())
}

fn parse_la(reference: &Reference, s: &str) -> Result<LaCode> {
    let la: LaCode = s
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("`{s}` is not a DfE 3-digit authority code"))?;
    if reference.la_record(la).is_none() {
        bail!("{la} is not an authority in the reference data");
    }
    Ok(la)
}

fn region_code(reference: &Reference, region: &str) -> Result<String> {
    let wanted = region.trim();
    reference
        .regions()
        .iter()
        .find(|r| r.ons_code.eq_ignore_ascii_case(wanted) || r.name.eq_ignore_ascii_case(wanted))
        .map(|r| r.ons_code.clone())
        .with_context(|| {
            let names: Vec<&str> = reference
                .regions()
                .iter()
                .map(|r| r.name.as_str())
                .collect();
            format!("no region `{wanted}` (regions: {})", names.join(", "))
        })
}

/// The authority whose statistical neighbours are benchmarked: from
/// --neighbours-of, or from a single --la with `--against neighbours`.
fn neighbours_of(args: &BenchmarkArgs) -> Result<Option<&String>> {
    if args.neighbours_of.is_some() {
        return Ok(args.neighbours_of.as_ref());
    }
    if !args
        .against
        .as_deref()
        .is_some_and(|a| a.trim().eq_ignore_ascii_case("neighbours"))
    {
        return Ok(None);
    }
    match args.common.las.as_slice() {
        [one] if args.region.is_none() && args.group.is_empty() && !args.all => Ok(Some(one)),
        _ => bail!(
            "--against neighbours needs one authority (--la CODE or --neighbours-of CODE): neighbour groups differ from one authority to the next"
        ),
    }
}

fn selection(args: &BenchmarkArgs, reference: &Reference) -> Result<Option<Selection>> {
    if let Some(region) = &args.region {
        let code = region_code(reference, region)?;
        return Ok(Some(Selection {
            las: reference
                .las_in_region(&code)
                .filter(|r| r.identity.region.ons_code == code)
                .map(|r| r.code())
                .collect(),
            group: Vec::new(),
            default_against: Comparator::Region,
        }));
    }
    if !args.group.is_empty() {
        let las = args
            .group
            .iter()
            .map(|s| parse_la(reference, s))
            .collect::<Result<Vec<_>>>()?;
        return Ok(Some(Selection {
            group: las.clone(),
            las,
            default_against: Comparator::Selection,
        }));
    }
    if let Some(code) = neighbours_of(args)? {
        let la = parse_la(reference, code)?;
        let model = match args.model {
            Model::M2021 => SnModel::Groupings2021,
            Model::M2025 => SnModel::Model2025,
        };
        let neighbours = reference
            .statistical_neighbours(la, model)
            .with_context(|| {
                format!(
                    "{la} has no statistical neighbours in the {} model",
                    model.id()
                )
            })?;
        let mut las = vec![la];
        las.extend(neighbours.iter().map(|n| n.la));
        return Ok(Some(Selection {
            group: las.clone(),
            las,
            default_against: Comparator::Selection,
        }));
    }
    if args.all {
        return Ok(Some(Selection {
            las: reference.las().iter().map(|r| r.code()).collect(),
            group: Vec::new(),
            default_against: Comparator::England,
        }));
    }
    Ok(None)
}

/// The last five collection years with England's published rate per 10,000.
fn published_years(reference: &Reference) -> Vec<CollectionYear> {
    let mut years: Vec<CollectionYear> = reference
        .published_all()
        .iter()
        .filter(|f| {
            f.geography == Geography::England
                && f.measure == Measure::Cla31March
                && f.rate_per_10000.is_value()
        })
        .map(|f| f.year)
        .collect();
    years.sort();
    years.dedup();
    let skip = years.len().saturating_sub(5);
    years.split_off(skip)
}

pub fn benchmark(args: BenchmarkArgs) -> Result<ExitCode> {
    let mut config = load_config(&args.common)?;
    if args.full {
        set_param(&mut config, "detail", "\"full\"")?;
    }
    let reference = iro_engine::load_reference(&config)?;
    let indicator = Indicator::parse(&args.indicator).with_context(|| {
        let ids: Vec<&str> = Indicator::ALL.iter().map(|i| i.id()).collect();
        format!(
            "no indicator `{}` (indicators: {})",
            args.indicator,
            ids.join(", ")
        )
    })?;
    let chosen = selection(&args, &reference)?;
    if args.reference_only && chosen.is_none() {
        bail!("--reference-only needs authorities: --region, --las, --neighbours-of or --all");
    }
    let group = chosen.as_ref().map(|s| s.group.clone()).unwrap_or_default();
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| config.output.dir.join("benchmark"));

    // The input authorities' own figures, through the engine (suppressed).
    let mut rows: Vec<MetricRow> = Vec::new();
    let mut input_las: Vec<LaCode> = Vec::new();
    let mut failed = false;
    let mut years: Vec<CollectionYear> = config
        .run
        .years
        .iter()
        .map(|&y| CollectionYear(y))
        .collect();
    if !args.reference_only {
        configure_metric(&mut config, &group, true)?;
        let source = resolve_input(&config, args.input.clone())?;
        let sources = [
            "cohort-summary",
            "placement-stability",
            "placement-distance",
            METRIC_ID,
        ];
        // The source metrics run too, so that suppression (which relates the
        // 903 figures to theirs) is the same as in `iro run`.
        let metrics: Vec<Box<dyn iro_metric_api::Metric>> =
            iro_engine::builtin_metrics_for(&config)?
                .into_iter()
                .filter(|m| sources.contains(&m.spec().id))
                .collect();
        let result = iro_engine::run(&config, &source, &metrics, &|_| {})?;
        for s in &result.statuses {
            match &s.outcome {
                iro_engine::Outcome::Failed(why) => {
                    failed = true;
                    eprintln!(
                        "error: metric {} failed for {} {}: {why}",
                        s.metric, s.la_code, s.year
                    );
                }
                iro_engine::Outcome::NotComputable(why)
                    if s.metric == METRIC_ID && !args.common.quiet =>
                {
                    eprintln!(
                        "not computable: {} for {} {}: {why}",
                        s.metric, s.la_code, s.year
                    );
                }
                _ => {}
            }
        }
        input_las = result.loaded.cohorts.iter().map(|c| c.la()).collect();
        if years.is_empty() {
            years = result.years.clone();
        }
        rows.extend(
            result
                .rows
                .into_iter()
                .filter(|r| r.metric.metric() == METRIC_ID),
        );
    }
    if years.is_empty() {
        years = published_years(&reference);
    }

    // Everyone else from the published figures: the selection, or the input
    // authorities' regions.
    let mut las: BTreeSet<LaCode> = match &chosen {
        Some(s) => s.las.iter().copied().collect(),
        None => input_las
            .iter()
            .filter_map(|&la| reference.region_of(la))
            .flat_map(|r| {
                reference
                    .las_in_region(&r.ons_code)
                    .filter(|l| l.identity.region.ons_code == r.ons_code)
                    .map(|l| l.code())
            })
            .collect(),
    };
    let mut params = config.metric_params(METRIC_ID);
    params
        .entry("small_count")
        .or_insert_with(|| serde_json::Value::from(config.suppression.threshold));
    params.insert(
        "selection".into(),
        serde_json::Value::from(group.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
    );
    params.remove("enabled");
    let options = Options::from_params(&params, &reference)
        .map_err(|e| anyhow::anyhow!("[metrics.{METRIC_ID}] {e}"))?;
    let mut areas = vec![Geography::England];
    for &la in las.iter().chain(&input_las) {
        if let Some(r) = reference.region_of(la) {
            let g = Geography::Region(r.ons_code.clone());
            if !areas.contains(&g) {
                areas.push(g);
            }
        }
    }
    for la in &input_las {
        las.remove(la);
    }
    let las: Vec<LaCode> = las.into_iter().collect();
    let bench = Benchmark::new(&reference, &years, options.clone());
    rows.extend(bench.rows(&las, &areas));
    sort_rows(&mut rows);

    let mut written = write(&rows, &out_dir, &config)?;
    if !args.no_charts {
        // The authorities asked about: the selection's, or the input's.
        let charted: Vec<LaCode> = match &chosen {
            Some(s) => s.las.clone(),
            None => input_las.clone(),
        };
        if let Some(dir) = write_charts(&reference, &charted, &years, &out_dir)? {
            written.push(dir);
        }
    }
    if !args.common.quiet {
        let mut out = std::io::stdout().lock();
        print_tables(
            &mut out,
            &rows,
            &reference,
            &chosen,
            &las,
            &input_las,
            indicator,
            &args.against,
            &years,
            &options,
        )?;
        writeln!(out, "Benchmark written to {}:", out_dir.display())?;
        for p in &written {
            writeln!(
                out,
                "  {}",
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                )
            )?;
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The two benchmarking charts of each of `las`, from the published figures:
/// the rate per 10,000 against its region and England over the five years
/// ending at the latest of `years`, and that year's funnel plot of the
/// authorities with a published figure, with it highlighted (titled with how
/// many; not drawn for too few). Written to `<out>/charts/<la>/`
/// (SVG, PNG and the CSV of what is drawn); `None` when there is nothing to
/// draw.
fn write_charts(
    reference: &Reference,
    las: &[LaCode],
    years: &[CollectionYear],
    out_dir: &Path,
) -> Result<Option<PathBuf>> {
    const CHARTS: [&str; 2] = ["cla-rate-trend", "cla-rate-funnel"];
    let Some(latest) = years.iter().max().map(|y| y.0) else {
        return Ok(None);
    };
    let codes: BTreeSet<String> = las.iter().map(|l| l.to_string()).collect();
    let (own, others): (Vec<MetricRow>, Vec<MetricRow>) = standard::published_rows(reference)
        .into_iter()
        .filter(|r| r.year <= latest)
        .partition(|r| codes.contains(r.la_code.as_str()));
    let mut set = standard::standard_set(
        &own,
        &others,
        &standard::areas_from_reference(reference),
        &standard::Options::default(),
    );
    set.charts.retain(|c| CHARTS.contains(&c.name.as_str()));
    for s in set
        .skipped
        .iter()
        .filter(|s| CHARTS.contains(&s.name.as_str()))
    {
        eprintln!("chart {} for {} not drawn: {}", s.name, s.la_code, s.reason);
    }
    if set.charts.is_empty() {
        return Ok(None);
    }
    let dir = out_dir.join("charts");
    standard::write_set(&dir, &set, &standard::Options::default())
        .with_context(|| format!("writing charts to {}", dir.display()))?;
    Ok(Some(dir))
}

#[allow(clippy::too_many_arguments)]
fn print_tables(
    out: &mut dyn Write,
    rows: &[MetricRow],
    reference: &Reference,
    chosen: &Option<Selection>,
    las: &[LaCode],
    input_las: &[LaCode],
    indicator: Indicator,
    against: &Option<String>,
    years: &[CollectionYear],
    options: &Options,
) -> Result<()> {
    let Some(&year) = years.iter().max() else {
        return Ok(());
    };
    let comparator = match against {
        // The selection is the authority and its neighbours (see `neighbours_of`).
        Some(a) if a.trim().eq_ignore_ascii_case("neighbours") => Comparator::Selection,
        Some(a) => match Comparator::parse(a) {
            Some(c @ (Comparator::England | Comparator::Region | Comparator::Selection)) => c,
            _ => bail!("--against takes england, region, neighbours or selection"),
        },
        None => chosen
            .as_ref()
            .map_or(Comparator::Region, |s| s.default_against),
    };
    if comparator == Comparator::Selection && options.selection.is_empty() {
        bail!("--against selection needs --las or --neighbours-of");
    }
    let mut everyone: Vec<LaCode> = las.iter().chain(input_las).copied().collect();
    everyone.sort();
    everyone.dedup();
    let tables: Vec<(String, Vec<LaCode>)> = match comparator {
        Comparator::England => vec![("England".to_string(), everyone)],
        Comparator::Selection => vec![("the selection".to_string(), options.selection.clone())],
        _ => {
            let mut by_region: Vec<(String, Vec<LaCode>)> = Vec::new();
            for la in everyone {
                let Some(r) = reference.region_of(la) else {
                    continue;
                };
                match by_region.iter_mut().find(|(n, _)| *n == r.name) {
                    Some((_, v)) => v.push(la),
                    None => by_region.push((r.name.clone(), vec![la])),
                }
            }
            by_region
        }
    };
    for (name, members) in tables {
        let t = RankingTable::from_rows(
            rows,
            reference,
            &TableRequest {
                members: &members,
                indicator,
                comparator,
                year,
                group: name,
                levels: &options.levels,
            },
        );
        writeln!(out, "{t}")?;
    }
    Ok(())
}

/// `metrics.csv` / `metrics.json` in the engine's tidy format.
fn write(rows: &[MetricRow], dir: &Path, config: &Config) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(iro_engine::output::write_metric_rows(
        dir,
        rows,
        &config.output.formats,
    )?)
}
