//! `iro benchmark`: authorities against England, their region and their
//! statistical neighbours, from the published figures alone
//! (`--reference-only`) or with the input authorities' own 903 figures.
//! Arguments and printing only: who is benchmarked is chosen here, the
//! figures, files and charts are `iro_pipeline::benchmark`'s (the figures
//! `regional-benchmarking`'s, through the engine, with its central
//! suppression, for 903 figures).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use iro_domain::{CollectionYear, LaCode};
use iro_metric_api::MetricRow;
use iro_reference::{Reference, SnModel};
use regional_benchmarking::{
    Comparator, Indicator, METRIC_ID, Options, RankingTable, TableRequest, table::DEFAULT_WIDTH,
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
    if !against_neighbours(args) {
        return Ok(None);
    }
    match args.common.las.as_slice() {
        [one] if args.region.is_none() && args.group.is_empty() && !args.all => Ok(Some(one)),
        _ => bail!(
            "--against neighbours needs one authority (--la CODE or --neighbours-of CODE): neighbour groups differ from one authority to the next"
        ),
    }
}

/// Whether `--against neighbours` was asked for.
fn against_neighbours(args: &BenchmarkArgs) -> bool {
    args.against
        .as_deref()
        .is_some_and(|a| a.trim().eq_ignore_ascii_case("neighbours"))
}

fn selection(args: &BenchmarkArgs, reference: &Reference) -> Result<Option<Selection>> {
    if let Some(region) = &args.region {
        if against_neighbours(args) {
            bail!(
                "--against neighbours does not go with --region: each authority of a region has \
                 its own statistical neighbours. Use --neighbours-of CODE (one authority and its \
                 neighbours) instead of --region, or --against region or england with --region"
            );
        }
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

pub fn benchmark(args: BenchmarkArgs) -> Result<ExitCode> {
    let mut config = load_config(&args.common)?;
    if args.full {
        config.set_metric_param(METRIC_ID, "detail", "full");
    }
    let mut pipeline = iro_pipeline::Pipeline::new(config)?;
    crate::say_overlay(pipeline.reference(), args.common.quiet);
    let reference = pipeline.reference();
    let indicator = Indicator::parse(&args.indicator).with_context(|| {
        let ids: Vec<&str> = Indicator::ALL.iter().map(|i| i.id()).collect();
        format!(
            "no indicator `{}` (indicators: {})",
            args.indicator,
            ids.join(", ")
        )
    })?;
    let chosen = selection(&args, reference)?;
    if args.reference_only && chosen.is_none() {
        bail!("--reference-only needs authorities: --region, --las, --neighbours-of or --all");
    }
    let group = chosen.as_ref().map(|s| s.group.clone()).unwrap_or_default();
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| pipeline.config().output.dir.join("benchmark"));
    let source = if args.reference_only {
        None
    } else {
        iro_pipeline::configure_benchmarking(pipeline.config_mut(), &group, true)?;
        Some(resolve_input(pipeline.config(), args.input.clone())?)
    };
    let b = iro_pipeline::benchmark::run(
        &pipeline,
        &iro_pipeline::benchmark::Request {
            input: source.as_ref(),
            las: chosen.as_ref().map(|s| s.las.as_slice()),
            group: &group,
            charts: !args.no_charts,
            out_dir: &out_dir,
        },
    )?;
    let failures = crate::failure_lines(&b.statuses);
    let failed = !failures.is_empty();
    for line in failures {
        eprintln!("{line}");
    }
    for s in &b.statuses {
        if let iro_results::Outcome::NotComputable(why) = &s.outcome
            && s.metric == METRIC_ID
            && !args.common.quiet
        {
            eprintln!(
                "not computable: {} for {} {}: {why}",
                s.metric, s.la_code, s.year
            );
        }
    }
    for s in &b.charts_skipped {
        eprintln!("chart {} for {} not drawn: {}", s.name, s.la_code, s.reason);
    }
    if !args.common.quiet {
        let mut out = std::io::stdout().lock();
        print_tables(
            &mut out,
            &b.rows,
            pipeline.reference(),
            &chosen,
            &b.las,
            &b.input_las,
            indicator,
            &args.against,
            &b.years,
            &b.options,
            output_width(),
        )?;
        writeln!(out, "Benchmark written to {}:", out_dir.display())?;
        for p in &b.written {
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
    width: usize,
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
        writeln!(out, "{}", t.title())?;
        for line in t.table_lines(width) {
            writeln!(out, "{line}")?;
        }
        for note in t.footnotes() {
            for line in crate::problems::wrap("", &note, 2, width) {
                writeln!(out, "{line}")?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The width tables are printed to: the terminal's when standard output is
/// one and its width is known (`COLUMNS`, else the terminal's size), else
/// [`DEFAULT_WIDTH`] (100 columns).
fn output_width() -> usize {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return DEFAULT_WIDTH;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        .filter(|&w| w >= 40)
        .unwrap_or(DEFAULT_WIDTH)
}
