//! `iro`: IRO Analytics on the command line.
//!
//! The binary is glue: it parses arguments, reads `iro.toml`, calls the engine,
//! draws progress and reports errors with the file, line and column at fault.
//! No figure is computed here.

mod benchmark;
mod chart;
mod validate;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use iro_engine::{Config, Progress};

/// IRO Analytics: children-in-care figures for the Independent Reviewing Officer
/// annual report, from the SSDA903 return.
#[derive(Debug, Parser)]
#[command(name = "iro", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ingest, run every enabled metric and write the outputs (default input:
    /// the bundled synthetic sample in data/sample).
    Run(RunArgs),
    /// Read and check the input; print every data problem. Exit code 0 = clean,
    /// 1 = warnings, 2 = errors.
    Validate(ValidateArgs),
    /// The IRO annual report (HTML and Markdown, with charts) for each
    /// authority, with the service's narrative from narrative/<la>.md.
    Report(ReportArgs),
    /// Benchmark authorities against England, their region and their
    /// statistical neighbours: rates per 10,000 and placement indicators,
    /// ranks, quartiles, funnel positions and trends (published figures, and
    /// the input's own 903 figures unless --reference-only).
    Benchmark(benchmark::BenchmarkArgs),
    /// Draw one chart (SVG or PNG, with its data table as CSV beside it)
    /// from the metrics.csv or metrics.json of a run: a trend, a funnel
    /// plot, stacked bars or bars with a target line.
    Chart(chart::ChartArgs),
    /// Metrics: list those built in, with their measures and parameters.
    Metrics {
        #[command(subcommand)]
        command: MetricsCommand,
    },
    /// Run-time plugins: list those allowed in iro.toml, or check a library.
    Plugins {
        #[command(subcommand)]
        command: PluginsCommand,
    },
    /// Internal: runs one plugin call in a child process (isolation = "process").
    #[command(hide = true, disable_help_flag = true)]
    PluginWorker {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Reference data: build optional, larger tables from public releases.
    Reference {
        #[command(subcommand)]
        command: ReferenceCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ReferenceCommand {
    /// Build the unit-postcode table from an ONS Postcode Directory (ONSPD)
    /// release, for exact placement distances (the bundled postcode-sector
    /// centroids give approximate ones). Then set `[reference] postcode_units`
    /// in iro.toml to the file written.
    ImportOnspd {
        /// The ONSPD CSV (e.g. Data/ONSPD_NOV_2025_UK.csv) or the folder holding it.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Where to write the table.
        #[arg(
            long,
            value_name = "PATH",
            default_value = "data/reference/postcodes/units.bin"
        )]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum PluginsCommand {
    /// Load every [[plugins]] entry of iro.toml and list its metrics.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Print a library's ABI, data contract, metrics and SHA-256 (and the
    /// iro.toml entry to allow it) without computing anything.
    Check {
        /// The shared library (.so, .dylib, .dll).
        #[arg(value_name = "LIB")]
        lib: PathBuf,
        /// Load it into this process instead of a worker process.
        #[arg(long)]
        in_process: bool,
    },
}

#[derive(Debug, Subcommand)]
enum MetricsCommand {
    /// List the built-in metrics and those of the run-time plugins iro.toml allows.
    List {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
struct Common {
    /// Configuration file (default: ./iro.toml if it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Only these collection years (the year the return ends: 2025 = 2024-25).
    #[arg(long = "year", value_name = "YEAR")]
    years: Vec<i32>,
    /// Only these authorities (DfE 3-digit codes).
    #[arg(long = "la", value_name = "CODE")]
    las: Vec<String>,
    /// Count each year from the merged history of every loaded return (later
    /// returns' corrections and additions applied), not from that year's own
    /// return as the DfE does ([input] figure_basis = "revised").
    #[arg(long)]
    revised: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Print more detail.
    #[arg(long, short, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Input folder laid out as <la>/<collection year>/*.csv.
    #[arg(value_name = "INPUT")]
    input: Option<PathBuf>,
    /// Output folder (default: out/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write child-level lists (PERSONAL DATA) to <out>/personal/, e.g.
    /// every review with its due date and status, and diagnostics.csv with
    /// the values at fault (CHILD ids, dates of birth…).
    #[arg(long)]
    personal: bool,
    /// Do not draw the standard charts (<out>/charts/<la>/).
    #[arg(long)]
    no_charts: bool,
    /// Do not write the annual report (<out>/report/).
    #[arg(long)]
    no_report: bool,
    /// Folder of the narrative files <la>.md (default: narrative/).
    #[arg(long, value_name = "DIR")]
    narrative: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// Input folder laid out as <la>/<collection year>/*.csv.
    #[arg(value_name = "INPUT")]
    input: Option<PathBuf>,
    /// Output folder: the report goes to <DIR>/report/ (default: out/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Folder of the narrative files <la>.md (default: narrative/).
    #[arg(long, value_name = "DIR")]
    narrative: Option<PathBuf>,
    /// Authorities to report, comma-separated DfE codes (e.g. a regional group).
    #[arg(long = "las", value_name = "CODES", value_delimiter = ',')]
    la_list: Vec<String>,
    /// Report every authority of this region found in the input (ONS code,
    /// e.g. E12000009, or name, e.g. "South West").
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The collection year reported (default: each authority's latest); the
    /// trend tables show up to five years to it.
    #[arg(long, value_name = "YEAR")]
    report_year: Option<i32>,
    /// Write a narrative template (every section, with a prompt) for each
    /// authority that has no narrative file yet, then stop. Existing files
    /// are never changed.
    #[arg(long)]
    init_narrative: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// Input folder laid out as <la>/<collection year>/*.csv.
    #[arg(value_name = "INPUT")]
    input: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = validate::Format::Table)]
    format: validate::Format,
    #[command(flatten)]
    common: Common,
}

const DEFAULT_INPUT: &str = "data/sample";

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        // The reader went away (`iro run | head`): not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Report(args) => report(args),
        Command::Validate(args) => validate::validate(args),
        Command::Chart(args) => chart::chart(args),
        Command::Benchmark(args) => benchmark::benchmark(args),
        Command::Reference {
            command: ReferenceCommand::ImportOnspd { file, out },
        } => import_onspd(&file, &out),
        Command::PluginWorker { args } => Ok(iro_plugin_host::worker::main(args)),
        Command::Plugins {
            command: PluginsCommand::Check { lib, in_process },
        } => {
            let report = if in_process {
                iro_plugin_host::check(&lib)?
            } else {
                iro_plugin_host::check_isolated(&lib, &iro_plugin_host::HostOptions::default())?
            };
            print!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Plugins {
            command: PluginsCommand::List { common },
        } => {
            let config = load_config(&common)?;
            let host = plugin_host(&config);
            let mut failed = false;
            if host.allowed().is_empty() {
                println!("No [[plugins]] in iro.toml.");
            }
            for p in host.load_each() {
                match p {
                    Ok(p) => {
                        let r = p.report();
                        println!(
                            "{} {} ({}, {:?})",
                            r.plugin_name,
                            r.plugin_version,
                            r.path.display(),
                            p.isolation()
                        );
                        for m in &r.metrics {
                            println!("  {} {}: {}", m.id, m.version, m.title);
                        }
                    }
                    Err(e) => {
                        failed = true;
                        eprintln!("error: {e}");
                    }
                }
            }
            Ok(if failed {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Metrics {
            command: MetricsCommand::List { common },
        } => {
            let config = load_config(&common)?;
            let mut metrics = iro_engine::builtin_metrics();
            add_plugin_metrics(&mut metrics, &plugin_host(&config))?;
            metrics_list(&metrics, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Adds the metrics of every plugin iro.toml allows. A plugin metric may not
/// take the id of a built-in one (or of another plugin's): the outputs would
/// mix two definitions under one name.
fn add_plugin_metrics(
    metrics: &mut Vec<Box<dyn iro_metric_api::Metric>>,
    host: &iro_plugin_host::Host,
) -> Result<()> {
    for m in host.metrics()? {
        let id = m.spec().id;
        if metrics.iter().any(|b| b.spec().id == id) {
            bail!(
                "run-time plugin metric `{id}` has the id of a metric that is already registered; \
                 rename it in the plugin (ids must be unique)"
            );
        }
        metrics.push(m);
    }
    Ok(())
}

/// The plugin host for iro.toml's [[plugins]].
fn plugin_host(config: &Config) -> iro_plugin_host::Host {
    let mut opts = iro_plugin_host::HostOptions::default();
    if let Some(n) = config.run.threads {
        opts.max_threads = n as u32;
    }
    iro_plugin_host::Host::new(config.plugins.clone(), opts)
}

/// Loads the configuration and applies command-line overrides.
fn load_config(common: &Common) -> Result<Config> {
    let path = common.config.clone().or_else(|| {
        let p = PathBuf::from("iro.toml");
        p.exists().then_some(p)
    });
    let mut config = match &path {
        Some(p) => Config::load(p).with_context(|| format!("reading {}", p.display()))?,
        None => Config::default(),
    };
    if !common.years.is_empty() {
        config.run.years = common.years.clone();
    }
    if !common.las.is_empty() {
        config.run.las = common.las.clone();
    }
    if common.revised {
        config.input.figure_basis = iro_domain::FigureBasis::Revised;
    }
    Ok(config)
}

/// The input folder: the command line, else iro.toml, else the bundled sample.
fn resolve_input(config: &Config, input: Option<PathBuf>) -> Result<iro_ingest::InputSource> {
    let fallback = (config.input.path.is_none() && config.input.files.is_empty())
        .then(|| PathBuf::from(DEFAULT_INPUT));
    Ok(iro_engine::input_source(config, input.or(fallback))?)
}

fn progress_bar(quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message("reading input");
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(pb)
}

fn run(args: RunArgs) -> Result<ExitCode> {
    let mut config = load_config(&args.common)?;
    if let Some(out) = args.out {
        config.output.dir = out;
    }
    if args.personal {
        config.output.personal = true;
    }
    if args.no_report {
        config.output.report = false;
    }
    if let Some(dir) = args.narrative {
        config.output.narrative_dir = dir;
    }
    benchmark::configure_metric(&mut config, &[], false)?;
    sample_targets(&mut config, &args.common, args.input.is_none())?;
    let source = resolve_input(&config, args.input)?;
    let mut metrics = iro_engine::builtin_metrics_for(&config)?;
    let host = plugin_host(&config);
    add_plugin_metrics(&mut metrics, &host)?;
    let _plugin_cache = host.cache_scope();
    let pb = Mutex::new(progress_bar(args.common.quiet));
    let on_progress = |p: Progress| {
        let guard = pb.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pb) = guard.as_ref() {
            match p {
                Progress::Loaded { authorities, files } => pb.set_message(format!(
                    "{files} files, {authorities} authorities; computing"
                )),
                Progress::TasksStarted(n) => pb.set_length(n),
                Progress::TaskDone => pb.inc(1),
            }
        }
    };
    let reference = iro_engine::load_reference(&config)?;
    let result = iro_engine::run(&config, &source, &metrics, &on_progress)?;
    if let Some(pb) = pb.lock().unwrap_or_else(|e| e.into_inner()).take() {
        pb.finish_and_clear();
    }
    let mut written = iro_engine::write_outputs(&result, &config, &reference)?;
    if !args.no_charts {
        let charts = chart::write_run_charts(&result.rows, &config, &reference)?;
        if args.common.verbose > 0 {
            for s in &charts.skipped {
                eprintln!("chart {} for {} not drawn: {}", s.name, s.la_code, s.reason);
            }
        }
        written.push(charts.dir);
    }
    if config.output.report {
        let report = write_report(&result, &config, &reference, Vec::new(), None)?;
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
        written.push(config.output.dir.join("report"));
    }

    let quiet = args.common.quiet;
    if !quiet {
        print_summary(
            &mut std::io::stdout().lock(),
            &result,
            &reference,
            &config.output.dir,
            &written,
            args.common.verbose > 0,
            config.suppression.threshold,
        )?;
    }
    let failures: Vec<_> = result.failures().collect();
    for f in &failures {
        if let iro_engine::Outcome::Failed(msg) = &f.outcome {
            eprintln!(
                "error: metric {} failed for {} {}: {msg}",
                f.metric, f.la_code, f.year
            );
        }
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes the annual report of `las` (empty: every authority in the run) to
/// `<out>/report/`.
fn write_report(
    result: &iro_engine::RunResult,
    config: &Config,
    reference: &iro_reference::Reference,
    las: Vec<String>,
    year: Option<i32>,
) -> Result<iro_report::Written> {
    let summary = iro_engine::output::cohort_summary(result, reference);
    let input = iro_report::ReportInput {
        rows: &result.rows,
        summary: &summary,
        targets: &result.targets,
        statuses: &result.statuses,
        specs: &result.specs,
        reference,
        threshold: config.suppression.threshold,
        charts: None,
    };
    let dir = config.output.dir.join("report");
    iro_report::write_reports(
        &input,
        &iro_report::ReportOptions {
            dir: dir.clone(),
            narrative_dir: config.output.narrative_dir.clone(),
            las,
            year,
        },
    )
    .with_context(|| format!("writing the report to {}", dir.display()))
}

/// The DfE codes of the authorities in a region, by ONS code or name.
fn region_las(reference: &iro_reference::Reference, region: &str) -> Result<Vec<String>> {
    let wanted = region.trim();
    let found = reference
        .regions()
        .iter()
        .find(|r| r.ons_code.eq_ignore_ascii_case(wanted) || r.name.eq_ignore_ascii_case(wanted))
        .with_context(|| {
            let names: Vec<&str> = reference
                .regions()
                .iter()
                .map(|r| r.name.as_str())
                .collect();
            format!("no region `{wanted}` (regions: {})", names.join(", "))
        })?;
    Ok(reference
        .las_in_region(&found.ons_code)
        .map(|r| r.code().to_string())
        .collect())
}

fn report(args: ReportArgs) -> Result<ExitCode> {
    let mut config = load_config(&args.common)?;
    if let Some(out) = args.out {
        config.output.dir = out;
    }
    if let Some(dir) = args.narrative {
        config.output.narrative_dir = dir;
    }
    let reference = iro_engine::load_reference(&config)?;
    config.run.las.extend(args.la_list);
    if let Some(region) = &args.region {
        let mut las = region_las(&reference, region)?;
        if !config.run.las.is_empty() {
            las.retain(|la| config.run.las.contains(la));
        }
        config.run.las = las;
    }
    let source = resolve_input(&config, args.input)?;
    let quiet = args.common.quiet;
    let mut stdout = std::io::stdout().lock();
    if args.init_narrative {
        let las: Vec<String> = if config.run.las.is_empty() || args.region.is_some() {
            iro_engine::load(&config, &source)?
                .cohorts
                .iter()
                .map(|c| c.la().to_string())
                .collect()
        } else {
            config.run.las.clone()
        };
        let dir = &config.output.narrative_dir;
        for (path, written) in iro_report::init_narratives(&reference, &las, dir)? {
            if !quiet {
                if written {
                    writeln!(stdout, "Wrote {}", path.display())?;
                } else {
                    writeln!(
                        stdout,
                        "Kept {} (it exists; never overwritten)",
                        path.display()
                    )?;
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    benchmark::configure_metric(&mut config, &[], false)?;
    let mut metrics = iro_engine::builtin_metrics_for(&config)?;
    let host = plugin_host(&config);
    metrics.extend(host.metrics()?);
    let _plugin_cache = host.cache_scope();
    let result = iro_engine::run(&config, &source, &metrics, &|_| {})?;
    let las = config.run.las.clone();
    let written = write_report(&result, &config, &reference, las, args.report_year)?;
    for w in &written.warnings {
        eprintln!("warning: {w}");
    }
    if !quiet {
        for p in written
            .files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "md"))
        {
            writeln!(stdout, "Wrote {}", p.display())?;
        }
    }
    let failures: Vec<_> = result.failures().collect();
    for f in &failures {
        if let iro_engine::Outcome::Failed(msg) = &f.outcome {
            eprintln!(
                "error: metric {} failed for {} {}: {msg}",
                f.metric, f.la_code, f.year
            );
        }
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_summary(
    out: &mut dyn Write,
    result: &iro_engine::RunResult,
    reference: &iro_reference::Reference,
    out_dir: &Path,
    written: &[PathBuf],
    verbose: bool,
    suppression_threshold: u64,
) -> std::io::Result<()> {
    let loaded = &result.loaded;
    let (errors, warnings) = loaded
        .diagnostics
        .iter()
        .fold((0, 0), |(e, w), d| match d.severity {
            iro_domain::Severity::Error => (e + 1, w),
            iro_domain::Severity::Warning => (e, w + 1),
            iro_domain::Severity::Info => (e, w),
        });
    writeln!(
        out,
        "Read {} files for {} authorities ({} ms); {} metric tasks ({} ms).",
        loaded.files.len(),
        loaded.cohorts.len(),
        result.timings.ingest_ms,
        result.statuses.len(),
        result.timings.metrics_ms
    )?;
    if errors + warnings > 0 {
        writeln!(
            out,
            "Data problems: {errors} errors, {warnings} warnings (see {} or run `iro validate`).",
            out_dir.join("diagnostics.csv").display()
        )?;
    }
    for s in &result.statuses {
        if let iro_engine::Outcome::NotComputable(why) = &s.outcome {
            writeln!(
                out,
                "Not computable: {} for {} {}: {why}",
                s.metric, s.la_code, s.year
            )?;
        }
    }
    writeln!(out)?;
    if suppression_threshold > 0 {
        writeln!(
            out,
            "Children looked after (counts of 1 to {suppression_threshold} hidden as c; \
             DfE published rate per 10,000 alongside):"
        )?;
    } else {
        writeln!(
            out,
            "Children looked after (suppression OFF: not for sharing; \
             DfE published rate per 10,000 alongside):"
        )?;
    }
    writeln!(
        out,
        "{:<5} {:<8} {:>8} {:>8} {:>7} {:>7} {:>9} {:>10}",
        "LA", "year", "31 Mar", "change%", "starts", "ceases", "rate/10k", "published"
    )?;
    let dash = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    for r in iro_engine::output::cohort_summary(result, reference) {
        writeln!(
            out,
            "{:<5} {:<8} {:>8} {:>8} {:>7} {:>7} {:>9} {:>10}",
            r.la_code,
            r.year_label,
            dash(&r.cla_31_march),
            dash(&r.cla_change_percent),
            dash(&r.starts),
            dash(&r.ceases),
            dash(&r.cla_rate_per_10000),
            dash(&r.published_rate_per_10000),
        )?;
    }
    writeln!(out)?;
    print_targets(out, &result.targets)?;
    writeln!(out, "Outputs written to {}:", out_dir.display())?;
    for p in written {
        if verbose {
            writeln!(out, "  {}", p.display())?;
        } else if let Some(name) = p.file_name() {
            writeln!(out, "  {}", name.to_string_lossy())?;
        }
    }
    Ok(())
}

/// The "Targets" table: each authority's latest year (every year is in
/// targets.csv).
fn print_targets(out: &mut dyn Write, targets: &[iro_engine::TargetResult]) -> std::io::Result<()> {
    if targets.is_empty() {
        return Ok(());
    }
    let latest = |la: &str| {
        targets
            .iter()
            .filter(|t| t.la_code == la)
            .map(|t| t.year)
            .max()
    };
    let shown: Vec<&iro_engine::TargetResult> = targets
        .iter()
        .filter(|t| latest(&t.la_code) == Some(t.year))
        .collect();
    let target = |t: &iro_engine::TargetResult| {
        format!(
            "{} {} {}",
            t.label,
            t.direction.symbol(),
            iro_engine::output::fmt_value(t.target)
        )
    };
    let width = shown
        .iter()
        .map(|t| target(t).chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let figure = |v: Option<f64>, hidden: bool| match (v, hidden) {
        (Some(v), _) => format!("{v:.1}"),
        (None, true) => "c".to_string(),
        (None, false) => "-".to_string(),
    };
    writeln!(
        out,
        "Targets (latest year of each authority; every year in targets.csv):"
    )?;
    writeln!(
        out,
        "{:<5} {:<8} {:<6} {:<width$} {:>7} {:<14} {:>8} trend",
        "LA", "year", "period", "target", "value", "met", "previous"
    )?;
    for t in shown {
        writeln!(
            out,
            "{:<5} {:<8} {:<6} {:<width$} {:>7} {:<14} {:>8} {}",
            t.la_code,
            iro_domain::CollectionYear(t.year).label(),
            t.period.label(),
            target(t),
            figure(t.value, t.met == iro_engine::Met::Suppressed),
            t.met.label(),
            figure(t.previous_value, t.previous_suppressed),
            t.trend.label(),
        )?;
    }
    writeln!(out)
}

/// With no iro.toml and no input, `iro run` runs on the bundled sample; the
/// sample's own `data/sample/iro.toml` then supplies its demonstration
/// `[[targets]]` (only those are read from it).
fn sample_targets(config: &mut Config, common: &Common, no_input: bool) -> Result<()> {
    let has_config_file = common.config.is_some() || Path::new("iro.toml").exists();
    let falls_back = no_input && config.input.path.is_none() && config.input.files.is_empty();
    let sample = Path::new(DEFAULT_INPUT).join("iro.toml");
    if has_config_file || !falls_back || !sample.exists() {
        return Ok(());
    }
    let sample_config =
        Config::load(&sample).with_context(|| format!("reading {}", sample.display()))?;
    config.targets = sample_config.targets;
    Ok(())
}

fn import_onspd(file: &Path, out: &Path) -> Result<ExitCode> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let s = iro_postcodes::import_onspd(file, out)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "Wrote {} ({:.1} MB): {} postcodes, {} with coordinates, {} without; {} skipped (not a \
         postcode shape SSDA903 can hold).",
        out.display(),
        s.output_bytes as f64 / 1e6,
        s.with_coordinates + s.without_coordinates,
        s.with_coordinates,
        s.without_coordinates,
        s.skipped_postcodes
    )?;
    for (lad, n) in &s.lads_without_utla {
        writeln!(
            stdout,
            "  note: district {lad} ({n} postcodes) has no upper-tier authority in the April 2023 lookup"
        )?;
    }
    writeln!(
        stdout,
        "To use it, add to iro.toml:\n\n[reference]\npostcode_units = \"{}\"",
        out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn metrics_list(
    metrics: &[Box<dyn iro_metric_api::Metric>],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for m in metrics {
        let s = m.spec();
        writeln!(out, "{} (v{}): {}", s.id, s.version, s.title)?;
        let needs: Vec<&str> = s.requires.iter().map(|t| t.name()).collect();
        writeln!(out, "  needs: {}", needs.join(", "))?;
        for measure in s.measures {
            writeln!(
                out,
                "  {}.{:<16} {:<14} {}",
                s.id,
                measure.id,
                measure.unit.label(),
                measure.title
            )?;
        }
        for p in s.params {
            writeln!(out, "  parameter {} = {} : {}", p.name, p.default, p.help)?;
        }
    }
    Ok(())
}
