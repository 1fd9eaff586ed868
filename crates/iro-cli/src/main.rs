//! `iro`: IRO Analytics on the command line.
//!
//! The binary is glue: it parses arguments, reads `iro.toml`, calls the engine,
//! draws progress and reports errors with the file, line and column at fault.
//! No figure is computed here.

mod benchmark;
mod chart;
mod pack;
mod plugins;
mod problems;
mod problems_xlsx;
mod reference;
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
#[command(
    name = "iro",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 clean; 1 outputs written with warnings (data problems, a count far \
                  from the DfE's); 2 figures not computable because of errors in the data, no data \
                  found, or an error that stopped the command."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ingest, run every enabled metric and write the outputs (default input:
    /// ./data/sample, e.g. the sample `iro sample` writes).
    ///
    /// Exit code: 0 = clean; 1 = outputs written with warnings (rows
    /// excluded, repaired values, a count far from the DfE's published one);
    /// 2 = figures not computable because of errors in the data (a table lost
    /// more than [quality] max_excluded_share of its rows, or a file could not
    /// be read), a metric failed, or no data was found.
    #[command(verbatim_doc_comment)]
    Run(RunArgs),
    /// Read and check the input; print a summary of the data problems by rule
    /// with example rows (--all: every row; --xlsx: a workbook).
    ///
    /// Exit code: 0 = clean, 1 = warnings, 2 = errors (or no data found).
    #[command(verbatim_doc_comment)]
    Validate(ValidateArgs),
    /// The IRO annual report (HTML and Markdown, with charts) for each
    /// authority, with the service's narrative from narrative/<la>.md.
    ///
    /// Exit code as for `iro run`: 0 = clean, 1 = written with warnings,
    /// 2 = figures not computable because of errors, or no data found.
    #[command(verbatim_doc_comment)]
    Report(ReportArgs),
    /// Write the bundled synthetic sample (three authorities, five years of
    /// SSDA903 returns; no real child's data) to a folder, to try the tool:
    /// `iro sample iro-sample && iro run iro-sample`.
    Sample {
        /// The folder to write (it must not hold the sample's files already).
        #[arg(value_name = "DIR", default_value = "iro-sample")]
        dir: PathBuf,
    },
    /// Benchmark authorities against England, their region and their
    /// statistical neighbours: rates per 10,000 and placement indicators,
    /// ranks, quartiles, funnel positions and trends (published figures, and
    /// the input's own 903 figures unless --reference-only).
    Benchmark(benchmark::BenchmarkArgs),
    /// The regional pack: one document (HTML, Word, a workbook) for a
    /// regional IRO group, every authority side by side: league tables with
    /// the DfE's published figures beside the returns', ranked bars, funnel
    /// plots, quarterly timeliness and five-year trends, and annexes of who
    /// supplied what.
    ///
    /// Exit code as for `iro run`.
    #[command(verbatim_doc_comment)]
    Pack(pack::PackArgs),
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
    /// Read the DfE's published LA-level CSVs (a newer release, downloaded
    /// from explore-education-statistics), check them and write them to the
    /// reference overlay every command then uses over the bundled figures.
    ///
    /// Exit code: 0 = every file imported (or skipped as not needed);
    /// 1 = imported with warnings, or some files not used; 2 = nothing
    /// usable (nothing written).
    #[command(verbatim_doc_comment)]
    ImportDfe(reference::ImportDfeArgs),
}

#[derive(Debug, Subcommand)]
enum PluginsCommand {
    /// Load every [[plugins]] entry of iro.toml and list its metrics.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Check a library and write (or update) its [[plugins]] entry in
    /// iro.toml: path relative to iro.toml, SHA-256 of the file as built.
    /// Run it after each rebuild; comments in iro.toml are kept.
    Allow {
        /// The shared library (.so, .dylib, .dll).
        #[arg(value_name = "LIB")]
        lib: PathBuf,
        /// The configuration file to edit (default: ./iro.toml, made if
        /// missing).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Check it in this process, and allow it with isolation = "in-process".
        #[arg(long)]
        in_process: bool,
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
    /// For plugin authors: load this plugin library for this run only,
    /// without a [[plugins]] entry in iro.toml (pinned to the file as it is
    /// when the run starts). Said loudly, and recorded in run.json; pin it
    /// with `iro plugins allow LIB` before sharing figures. Repeatable.
    #[arg(long = "dev-plugin", value_name = "LIB")]
    dev_plugins: Vec<PathBuf>,
    /// Formats of the tables (metrics, diagnostics, targets…), comma-separated
    /// or repeated: csv, json, parquet (default: [output] formats of iro.toml,
    /// else csv,json).
    #[arg(
        long = "format",
        value_name = "FORMAT",
        value_enum,
        value_delimiter = ','
    )]
    formats: Vec<TableFormat>,
    #[command(flatten)]
    audience: AudienceArgs,
    #[command(flatten)]
    print: PrintArgs,
    #[command(flatten)]
    common: Common,
}

/// The report printed to PDF: over [output] pdf and browser of iro.toml.
#[derive(Debug, Args)]
struct PrintArgs {
    /// Also print each report to PDF (<la>-<year>.pdf, A4, page numbers in
    /// its contents) with the Chromium, Chrome or Edge on this machine.
    #[arg(long)]
    pdf: bool,
    /// The browser that prints the PDF (default: the first Chromium, Chrome
    /// or Edge found).
    #[arg(long, value_name = "PATH")]
    browser: Option<PathBuf>,
}

impl PrintArgs {
    /// The browser to print with, found before anything is computed; `None`
    /// when no PDF is asked for.
    fn browser(
        &self,
        config: &mut iro_engine::config::Config,
    ) -> Result<Option<iro_report::print::Browser>> {
        if self.pdf {
            config.output.pdf = true;
        }
        if let Some(b) = &self.browser {
            config.output.browser = Some(b.clone());
        }
        if !config.output.pdf {
            return Ok(None);
        }
        Ok(Some(iro_report::print::Browser::find(
            config.output.browser.as_deref(),
        )?))
    }
}

/// Who the outputs are for, and whether the report is final: over iro.toml.
#[derive(Debug, Args)]
struct AudienceArgs {
    /// Who will read the outputs: public (the DfE's rule for published
    /// statistics, [suppression] threshold), board (papers to members,
    /// [suppression] board_threshold) or internal (nothing hidden; not for
    /// publication). Default: [suppression] audience of iro.toml, else public.
    #[arg(long, value_name = "AUDIENCE", value_parser = parse_audience)]
    audience: Option<iro_results::Audience>,
    /// The report for the committee: no prompts for unwritten sections, no
    /// DRAFT mark ([report] status = "final").
    #[arg(long = "final", conflicts_with = "draft")]
    final_report: bool,
    /// A working draft: DRAFT on every page and a prompt where a section is
    /// not written yet (the default, over [report] status).
    #[arg(long)]
    draft: bool,
}

fn parse_audience(s: &str) -> std::result::Result<iro_results::Audience, String> {
    s.parse()
}

impl AudienceArgs {
    fn apply(&self, config: &mut iro_engine::config::Config) -> Result<()> {
        if let Some(a) = self.audience {
            config.suppression.audience = a;
            config
                .suppression
                .check()
                .map_err(|e| anyhow::anyhow!("--audience {a}: {e}"))?;
        }
        if self.final_report {
            config.report.status = iro_results::ReportStatus::Final;
        }
        if self.draft {
            config.report.status = iro_results::ReportStatus::Draft;
        }
        Ok(())
    }
}

/// `iro run --format`: the engine's `OutputFormat`, as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TableFormat {
    Csv,
    Json,
    /// Typed columns, for DuckDB, Polars, pandas, Power BI.
    Parquet,
}

impl From<TableFormat> for iro_engine::config::OutputFormat {
    fn from(f: TableFormat) -> Self {
        match f {
            TableFormat::Csv => Self::Csv,
            TableFormat::Json => Self::Json,
            TableFormat::Parquet => Self::Parquet,
        }
    }
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
    audience: AudienceArgs,
    #[command(flatten)]
    print: PrintArgs,
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
    /// List every row with a problem, not only a few examples of each rule.
    #[arg(long)]
    all: bool,
    /// Also write the problems as a workbook: a summary sheet and a sheet per
    /// rule, with the row numbers and column letters of the files.
    #[arg(long, value_name = "FILE")]
    xlsx: Option<PathBuf>,
    /// Show the values of personal fields (CHILD, DOB, UPN, postcodes…) and
    /// write them into the --xlsx workbook (PERSONAL DATA: keep it safe).
    #[arg(long)]
    personal: bool,
    #[command(flatten)]
    common: Common,
}

use iro_pipeline::DEFAULT_INPUT;

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
        Command::Sample { dir } => write_sample(&dir),
        Command::Chart(args) => chart::chart(args),
        Command::Benchmark(args) => benchmark::benchmark(args),
        Command::Pack(args) => pack::pack(args),
        Command::Reference {
            command: ReferenceCommand::ImportOnspd { file, out },
        } => import_onspd(&file, &out),
        Command::Reference {
            command: ReferenceCommand::ImportDfe(args),
        } => reference::import_dfe(args),
        Command::PluginWorker { args } => Ok(iro_plugin_host::worker::main(args)),
        Command::Plugins {
            command: PluginsCommand::Check { lib, in_process },
        } => plugins::check(&lib, in_process),
        Command::Plugins {
            command:
                PluginsCommand::Allow {
                    lib,
                    config,
                    in_process,
                },
        } => plugins::allow(&lib, config.as_deref(), in_process),
        Command::Plugins {
            command: PluginsCommand::List { common },
        } => plugins::list(&load_config(&common)?),
        Command::Metrics {
            command: MetricsCommand::List { common },
        } => {
            let config = load_config(&common)?;
            let mut metrics = iro_engine::builtin_metrics();
            iro_pipeline::add_plugin_metrics(&mut metrics, &iro_pipeline::plugin_host(&config))?;
            metrics_list(&metrics, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
    }
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

/// The input folder: the command line, else iro.toml, else ./data/sample.
fn resolve_input(config: &Config, input: Option<PathBuf>) -> Result<iro_ingest::InputSource> {
    let fallback = (config.input.path.is_none() && config.input.files.is_empty())
        .then(|| PathBuf::from(DEFAULT_INPUT));
    if input.is_none()
        && let Some(f) = &fallback
        && !f.exists()
    {
        bail!("{}", no_input_help());
    }
    Ok(iro_engine::input_source(config, input.or(fallback))?)
}

/// What to do when no input is given and there is no ./data/sample.
fn no_input_help() -> String {
    let here = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| ".".into());
    format!(
        "no input given, and no data/sample folder in {here}.\n\
         Give the folder of your SSDA903 CSV files, laid out as <la>/<year>/*.csv:\n\
         \x20   iro run PATH/TO/RETURNS\n\
         or set `[input] path = \"...\"` in an iro.toml here (or pass --config FILE).\n\
         To try iro on the bundled synthetic sample (no real child's data), write it out first:\n\
         \x20   iro sample iro-sample && iro run iro-sample"
    )
}

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/sample.rs"));
}

/// `iro sample DIR`: writes the sample embedded in the binary.
fn write_sample(dir: &Path) -> Result<ExitCode> {
    if bundled::FILES.is_empty() {
        bail!("this build of iro has no bundled sample");
    }
    for (rel, _) in bundled::FILES {
        let p = dir.join(rel);
        if p.exists() {
            bail!(
                "{} exists already: give a new folder (nothing was written)",
                p.display()
            );
        }
    }
    for (rel, bytes) in bundled::FILES {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&p, bytes).with_context(|| format!("writing {}", p.display()))?;
    }
    println!(
        "Wrote the synthetic sample ({} files: authorities 800, 803 and 887, collection years \
         2021 to 2025) to {}.\nTry: iro run {}",
        bundled::FILES.len(),
        dir.display(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The progress bar of `iro run`; under it, while a run-time plugin call
/// has taken a second or more, a line naming the plugin, metric, authority
/// and year (`calls`).
fn progress_bar(quiet: bool, calls: &iro_plugin_host::CallBoard) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::new_spinner();
    let calls = calls.clone();
    let waiting = move |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
        if let Some(call) = calls.longest(std::time::Duration::from_secs(1)) {
            let _ = write!(w, "\n  waiting for {call}");
            let timed_out = calls.timed_out().len();
            if timed_out > 0 {
                let _ = write!(w, " ({timed_out} plugin call(s) timed out so far)");
            }
        }
    };
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} ({elapsed}){plugin}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("plugin", waiting)
            .progress_chars("=> "),
    );
    pb.set_message("reading input and computing");
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
    if !args.formats.is_empty() {
        config.output.formats = args.formats.iter().map(|&f| f.into()).collect();
    }
    args.audience.apply(&mut config)?;
    plugins::dev_plugins(&args.dev_plugins, &mut config)?;
    if args.print.pdf && args.no_report {
        anyhow::bail!("--pdf prints the report, which --no-report leaves out: drop one of them");
    }
    let pdf = if config.output.report {
        args.print.browser(&mut config)?
    } else {
        None
    };
    let mut pipeline = iro_pipeline::Pipeline::for_run(config, origin(&args.common, &args.input))?;
    say_overlay(pipeline.reference(), args.common.quiet);
    if args.common.verbose > 0 {
        pipeline.show_plugin_stderr(true);
    }
    let config = pipeline.config();
    let source = resolve_input(config, args.input)?;
    let pb = Mutex::new(progress_bar(args.common.quiet, pipeline.plugin_calls()));
    let on_progress = |p: Progress| {
        let guard = pb.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pb) = guard.as_ref() {
            match p {
                Progress::Loaded { authorities, files } => pb.set_message(format!(
                    "{files} files, {authorities} authorities read; comparing"
                )),
                Progress::TasksStarted(n) => pb.set_length(pb.length().unwrap_or(0) + n),
                Progress::TaskDone => pb.inc(1),
            }
        }
    };
    let steps = iro_pipeline::Steps {
        tables: true,
        charts: !args.no_charts,
        report: config.output.report.then(|| iro_pipeline::ReportRequest {
            pdf,
            ..Default::default()
        }),
    };
    let run = pipeline.run(&source, &steps, &on_progress);
    if let Some(pb) = pb.lock().unwrap_or_else(|e| e.into_inner()).take() {
        pb.finish_and_clear();
    }
    let run = run?;
    if args.common.verbose > 0 {
        for s in &run.charts_skipped {
            eprintln!("chart {} for {} not drawn: {}", s.name, s.la_code, s.reason);
        }
    }
    for w in run.report.iter().flat_map(|r| &r.warnings) {
        eprintln!("warning: {w}");
    }

    let quiet = args.common.quiet;
    if !quiet {
        print_summary(
            &mut std::io::stdout().lock(),
            &run,
            &config.output.dir,
            &SummaryView {
                verbose: args.common.verbose > 0,
                disclosure: config.suppression.disclosure(),
                root: validate::source_root(&source),
                published_from: summary_releases(pipeline.reference(), &run.summary),
            },
        )?;
    }
    Ok(finish(&run.result))
}

/// The line that says a reference overlay (`iro reference import-dfe`) is
/// used over the bundled published figures, on stderr.
fn say_overlay(reference: &iro_reference::Reference, quiet: bool) {
    if let Some(applied) = reference.overlay()
        && !quiet
    {
        eprintln!("{applied}");
    }
}

/// Where the configuration of `iro run` or `iro report` came from.
fn origin(common: &Common, input: &Option<PathBuf>) -> iro_pipeline::Origin {
    iro_pipeline::Origin {
        config_file: common.config.is_some() || Path::new("iro.toml").exists(),
        input_given: input.is_some(),
    }
}

/// One line per metric and reason that failed: a bad parameter fails every
/// authority and year alike, and is said once, with where.
fn failure_lines(statuses: &[iro_engine::TaskStatus]) -> Vec<String> {
    type Key<'a> = (&'a str, &'a str);
    let mut groups: Vec<(Key<'_>, Vec<(&str, i32)>)> = Vec::new();
    for s in statuses {
        if let iro_engine::Outcome::Failed(msg) = &s.outcome {
            let key = (s.metric.as_str(), msg.as_str());
            let at = (s.la_code.as_str(), s.year);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(at),
                None => groups.push((key, vec![at])),
            }
        }
    }
    groups
        .into_iter()
        .map(|((metric, msg), at)| {
            format!(
                "error: metric {metric} failed for {}: {msg}",
                where_text(&at)
            )
        })
        .collect()
}

/// `800 2024-25`; `15 authority-years (800, 803, 887; 2020-21 to 2024-25)`
/// when every authority failed in every year; else the first few.
fn where_text(at: &[(&str, i32)]) -> String {
    let label = |y: i32| iro_domain::CollectionYear(y).label();
    if let [(la, year)] = at {
        return format!("{la} {}", label(*year));
    }
    let las: std::collections::BTreeSet<&str> = at.iter().map(|a| a.0).collect();
    let years: std::collections::BTreeSet<i32> = at.iter().map(|a| a.1).collect();
    let distinct: std::collections::BTreeSet<_> = at.iter().collect();
    if distinct.len() == las.len() * years.len() {
        let (first, last) = (years.first().copied(), years.last().copied());
        let span = match (first, last) {
            (Some(a), Some(b)) if a != b => format!("{} to {}", label(a), label(b)),
            (Some(a), _) => label(a),
            _ => String::new(),
        };
        return format!(
            "{} authority-years ({}; {span})",
            distinct.len(),
            las.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    const SHOWN: usize = 4;
    let mut parts: Vec<String> = distinct
        .iter()
        .take(SHOWN)
        .map(|(la, y)| format!("{la} {}", label(*y)))
        .collect();
    if distinct.len() > SHOWN {
        parts.push(format!("and {} more", distinct.len() - SHOWN));
    }
    parts.join(", ")
}

/// Reports failures and what was not computed on stderr; the exit code.
fn finish(result: &iro_engine::RunResult) -> ExitCode {
    for line in failure_lines(&result.statuses) {
        eprintln!("{line}");
    }
    let verdict = result.verdict();
    if result.statuses.is_empty() && result.specs.is_empty() {
        eprintln!(
            "error: no figures computed: every metric is switched off\n  \
             (`enabled = false` in iro.toml's [metrics.<id>] tables; `iro metrics list` lists them)"
        );
    } else if result.statuses.is_empty() {
        eprintln!(
            "error: no figures computed: no SSDA903 table could be read (the files not read, and \
             why, are listed above)"
        );
    } else if verdict == iro_engine::Verdict::NotComputable {
        let n = result
            .quality
            .unfit
            .iter()
            .filter(|u| !u.metrics.is_empty())
            .count();
        if n > 0 {
            eprintln!(
                "error: {n} table(s) not fit for figures: see \"Not computable\" above and \
                 run.json (data_quality)"
            );
        }
    }
    ExitCode::from(verdict.exit_code())
}

fn report(args: ReportArgs) -> Result<ExitCode> {
    let mut config = load_config(&args.common)?;
    if let Some(out) = args.out {
        config.output.dir = out;
    }
    if let Some(dir) = args.narrative {
        config.output.narrative_dir = dir;
    }
    args.audience.apply(&mut config)?;
    let pdf = if args.init_narrative {
        None
    } else {
        args.print.browser(&mut config)?
    };
    // The same configuration as `iro run`, so `iro report` after `iro run`
    // writes the same report (the sample's demonstration targets included).
    let mut pipeline = iro_pipeline::Pipeline::for_run(config, origin(&args.common, &args.input))?;
    say_overlay(pipeline.reference(), args.common.quiet);
    let region = match &args.region {
        Some(region) => Some(iro_pipeline::region_las(pipeline.reference(), region)?),
        None => None,
    };
    let config = pipeline.config_mut();
    config.run.las.extend(args.la_list);
    if let Some(mut las) = region {
        if !config.run.las.is_empty() {
            las.retain(|la| config.run.las.contains(la));
            if las.is_empty() {
                bail!("none of the authorities asked for (--la, --las) is in the region");
            }
        }
        config.run.las = las;
    }
    let config = pipeline.config();
    let source = resolve_input(config, args.input)?;
    let quiet = args.common.quiet;
    let mut stdout = std::io::stdout().lock();
    if args.init_narrative {
        let las: Vec<String> = if config.run.las.is_empty() || args.region.is_some() {
            pipeline
                .load(&source)?
                .cohorts
                .iter()
                .map(|c| c.la().to_string())
                .collect()
        } else {
            config.run.las.clone()
        };
        let dir = &config.output.narrative_dir;
        for (path, written) in iro_report::init_narratives(pipeline.reference(), &las, dir)? {
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
    let steps = iro_pipeline::Steps {
        tables: false,
        charts: false,
        report: Some(iro_pipeline::ReportRequest {
            // A region: every authority of it found in the input (the run
            // reads only the region's).
            las: if args.region.is_some() {
                Vec::new()
            } else {
                config.run.las.clone()
            },
            year: args.report_year,
            pdf,
        }),
    };
    let run = pipeline.run(&source, &steps, &|_| {})?;
    let written = run.report.unwrap_or_default();
    for w in &written.warnings {
        eprintln!("warning: {w}");
    }
    if !quiet {
        print_written(&mut stdout, &written.files)?;
    }
    if args.region.is_some() && !quiet {
        let missing = region_not_in_input(pipeline.reference(), &config.run.las, &run.result);
        if !missing.is_empty() {
            problems::wrapped(
                &mut stdout,
                "No report (no return in the input): ",
                &missing.join(", "),
                2,
            )?;
        }
    }
    if !quiet {
        print_not_computable(&mut stdout, &run.result)?;
    }
    Ok(finish(&run.result))
}

/// The authorities of `region` (DfE codes) that exist in the run's latest
/// year but have no return in it, as "Name (code)": reported as skipped,
/// not as errors. Authorities abolished by then are not mentioned.
fn region_not_in_input(
    reference: &iro_reference::Reference,
    region: &[String],
    result: &iro_engine::RunResult,
) -> Vec<String> {
    let read: Vec<String> = result
        .loaded
        .cohorts
        .iter()
        .map(|c| c.la().to_string())
        .collect();
    let Some(&latest) = result.years.iter().max() else {
        return Vec::new();
    };
    region
        .iter()
        .filter(|code| !read.contains(code))
        .filter_map(|code| code.parse::<iro_domain::LaCode>().ok())
        .filter(|&la| reference.is_current(la, latest))
        .map(|la| {
            let name = reference.la(la).map_or("?", |i| i.name.as_str());
            format!("{name} ({la})")
        })
        .collect()
}

/// Every file the report wrote: the documents one a line, the charts and
/// images of a folder as one line with their number.
fn print_written(out: &mut dyn Write, files: &[PathBuf]) -> std::io::Result<()> {
    let mut folders: Vec<(PathBuf, usize)> = Vec::new();
    for p in files {
        let in_folder = p.parent().and_then(|d| d.file_name()).is_some_and(|n| {
            let n = n.to_string_lossy();
            n.ends_with("-charts") || n.ends_with("-images")
        });
        match p.parent().filter(|_| in_folder) {
            Some(dir) => match folders.iter_mut().find(|(d, _)| d == dir) {
                Some((_, n)) => *n += 1,
                None => folders.push((dir.to_path_buf(), 1)),
            },
            None => writeln!(out, "Wrote {}", p.display())?,
        }
    }
    for (dir, n) in folders {
        let what = if dir.to_string_lossy().ends_with("-images") {
            "narrative image"
        } else {
            "chart"
        };
        let s = if n == 1 { "" } else { "s" };
        writeln!(out, "Wrote {n} {what}{s} to {}", dir.display())?;
    }
    Ok(())
}

/// What the run summary shows.
struct SummaryView<'a> {
    verbose: bool,
    disclosure: iro_results::Disclosure,
    root: Option<&'a Path>,
    /// The releases the published columns come from ([`summary_releases`]).
    published_from: Option<String>,
}

/// "DfE CLA 2025 release (EES)": the releases of the published counts at 31
/// March beside Table 1's rows (an imported release's label where the
/// reference overlay holds the year), once each.
fn summary_releases(
    reference: &iro_reference::Reference,
    summary: &[iro_results::SummaryRow],
) -> Option<String> {
    let mut releases: Vec<&str> = Vec::new();
    for r in summary {
        let Ok(la) = r.la_code.parse::<iro_domain::LaCode>() else {
            continue;
        };
        let year = iro_domain::CollectionYear(r.year);
        if let Some(f) = reference.published(la, year, iro_reference::Measure::Cla31March)
            && !releases.contains(&f.release.as_str())
        {
            releases.push(&f.release);
        }
    }
    (!releases.is_empty()).then(|| releases.join("; "))
}

/// `180 files`, or with workbooks `70 files (125 sheets of 15 workbooks)`:
/// a workbook is one file, each of its sheets read as one table's file.
fn files_read(loaded: &iro_ingest::Loaded) -> String {
    // `files` has an entry per table read (a sheet, a table of an XML
    // return, an authority-year of a pooled file); a file counts once.
    let n = loaded.file_count();
    let read: std::collections::BTreeSet<&Path> =
        loaded.files.iter().map(|f| f.path.as_path()).collect();
    // Files that could not be opened at all have no entry: say so, so that
    // "Read 0 files" is never the whole story.
    let unopened: std::collections::BTreeSet<&Path> = loaded
        .diagnostics
        .iter()
        .filter(|d| {
            d.within.is_none()
                && matches!(
                    d.rule.as_str(),
                    iro_ingest::rules::FILE_UNREADABLE | iro_ingest::rules::WORKBOOK_UNREADABLE
                )
        })
        .filter_map(|d| d.file.as_deref())
        .filter(|p| !read.contains(p))
        .collect();
    let files = if n == 1 { "file" } else { "files" };
    let mut text = format!("{n} {files}");
    let books: std::collections::BTreeSet<&Path> = loaded
        .files
        .iter()
        .filter(|f| f.within.is_some())
        .map(|f| f.path.as_path())
        .collect();
    if !books.is_empty() {
        let sheets = loaded.files.iter().filter(|f| f.within.is_some()).count();
        let b = books.len();
        text.push_str(&match (sheets == b, b == 1) {
            (true, true) => " (1 of them a workbook of one sheet)".to_string(),
            (true, false) => format!(" ({b} of them workbooks, a sheet each)"),
            (false, true) => format!(" ({sheets} sheets of 1 workbook)"),
            (false, false) => format!(" ({sheets} sheets of {b} workbooks)"),
        });
    }
    if !unopened.is_empty() {
        text.push_str(&format!(
            " ({} more could not be opened: below)",
            unopened.len()
        ));
    }
    text
}

fn print_summary(
    out: &mut dyn Write,
    run: &iro_pipeline::Run,
    out_dir: &Path,
    view: &SummaryView<'_>,
) -> std::io::Result<()> {
    let result = &run.result;
    let loaded = &result.loaded;
    writeln!(
        out,
        "Read {} for {} and ran {} metric tasks in {} ms.",
        files_read(loaded),
        match loaded.cohorts.len() {
            1 => "1 authority".to_string(),
            n => format!("{n} authorities"),
        },
        result.statuses.len(),
        // Each authority's tasks run as it is read; then the comparisons,
        // suppression and targets (the split is in run.json).
        result.timings.ingest_ms + result.timings.metrics_ms
    )?;
    writeln!(out)?;
    problems::print(
        out,
        &loaded.diagnostics,
        &problems::View {
            examples: 2,
            all: false,
            personal: false,
            notes: view.verbose,
            root: view.root,
            all_command: "iro validate --all",
        },
    )?;
    print_not_computable(out, result)?;
    writeln!(
        out,
        "Children looked after, with the DfE's published figures alongside."
    )?;
    let t = view.disclosure.threshold;
    match (view.disclosure.audience, t) {
        (_, 0) => writeln!(
            out,
            "Suppression is OFF ({} audience): these outputs are not for sharing.",
            view.disclosure.audience
        )?,
        (iro_results::Audience::Board, _) => writeln!(
            out,
            "For a board, not for publication: counts of 1 to {t} are shown as c."
        )?,
        _ => writeln!(out, "For publication: counts of 1 to {t} are shown as c.")?,
    }
    writeln!(
        out,
        "{:<5} {:<8} {:>8} {:>8} {:>7} {:>7} {:>9} {:>10} {:>9}",
        "LA", "year", "31 Mar", "change%", "starts", "ceases", "rate/10k", "published", "pub.count"
    )?;
    let dash = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    let summary = &run.summary;
    let mut notes = Vec::new();
    for r in summary {
        let n_c = r.is_not_computable();
        let cell = |s: &str| if n_c { "n/c".to_string() } else { dash(s) };
        let flag = result.quality.published_flag(&r.la_code, r.year).is_some();
        writeln!(
            out,
            "{:<5} {:<8} {:>8} {:>8} {:>7} {:>7} {:>9} {:>10} {:>9}",
            r.la_code,
            r.year_label,
            if flag {
                format!("{} !", cell(&r.cla_31_march))
            } else {
                cell(&r.cla_31_march)
            },
            cell(&r.cla_change_percent),
            cell(&r.starts),
            cell(&r.ceases),
            cell(&r.cla_rate_per_10000),
            dash(&r.published_rate_per_10000),
            dash(&r.published_cla_31_march),
        )?;
        // The reasons of n/c lines are under "Not computable" above.
        if flag {
            notes.push(format!("{} {}: {}", r.la_code, r.year_label, r.note));
        }
    }
    if let Some(from) = &view.published_from {
        writeln!(out, "published, pub.count: {from}.")?;
    }
    if summary.iter().any(|r| r.is_not_computable()) {
        writeln!(out, "n/c: not computable (why: above), never shown as 0.")?;
    }
    if !notes.is_empty() {
        writeln!(out, "!: far from the DfE's published count (pub.count):")?;
        for n in notes {
            problems::wrapped(out, "  ", &n, 6)?;
        }
    }
    writeln!(out)?;
    print_targets(out, &result.targets)?;
    writeln!(out, "Outputs written to {}:", out_dir.display())?;
    for p in &run.written {
        if view.verbose {
            writeln!(out, "  {}", p.display())?;
        } else if let Some(name) = p.file_name() {
            writeln!(out, "  {}", name.to_string_lossy())?;
        }
    }
    Ok(())
}

/// The figures not computable, grouped by authority, year and reason: the
/// metrics left out and why, in lines that fit the terminal.
fn print_not_computable(
    out: &mut dyn Write,
    result: &iro_engine::RunResult,
) -> std::io::Result<()> {
    print_not_computable_of(out, result, &|_| true)
}

/// [`print_not_computable`] for the tasks `keep` chooses.
fn print_not_computable_of(
    out: &mut dyn Write,
    result: &iro_engine::RunResult,
    keep: &dyn Fn(&iro_engine::TaskStatus) -> bool,
) -> std::io::Result<()> {
    // (authority, year, reason) → the metrics not computable for it.
    type Group<'a> = ((&'a str, i32, &'a str), Vec<&'a str>);
    let mut groups: Vec<Group<'_>> = Vec::new();
    for s in result.statuses.iter().filter(|s| keep(s)) {
        if let iro_engine::Outcome::NotComputable(why) = &s.outcome {
            let key = (s.la_code.as_str(), s.year, why.as_str());
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, metrics)) => metrics.push(&s.metric),
                None => groups.push((key, vec![&s.metric])),
            }
        }
    }
    if groups.is_empty() {
        return Ok(());
    }
    writeln!(out, "Not computable (left out, never shown as 0):")?;
    const SHOWN: usize = 12;
    let total = groups.len();
    for ((la, year, why), metrics) in groups.into_iter().take(SHOWN) {
        problems::wrapped(
            out,
            &format!(
                "  {la} {}: {}: ",
                iro_domain::CollectionYear(year).label(),
                metrics.join(", ")
            ),
            why,
            6,
        )?;
    }
    if total > SHOWN {
        writeln!(
            out,
            "  … and {} more (every one is in run.json: tasks, and data_quality)",
            total - SHOWN
        )?;
    }
    writeln!(out)
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
    // LA, year and period take 22 columns and value, met, previous and trend
    // 39: a target longer than what is left of 100 goes on a line of its own.
    const TARGET_MAX: usize = 100 - 22 - 39;
    let width = shown
        .iter()
        .map(|t| target(t).chars().count())
        .filter(|&n| n <= TARGET_MAX)
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
        let mut text = target(t);
        let (la, year, period) = (
            t.la_code.as_str(),
            iro_domain::CollectionYear(t.year).label(),
            t.period.label(),
        );
        if text.chars().count() > width {
            problems::line(out, &format!("{la:<5} {year:<8} {period:<6} {text}"))?;
            text = String::new();
        }
        writeln!(
            out,
            "{:<5} {:<8} {:<6} {:<width$} {:>7} {:<14} {:>8} {}",
            la,
            year,
            period,
            text,
            figure(t.value, t.met == iro_engine::Met::Suppressed),
            t.met.label(),
            figure(t.previous_value, t.previous_suppressed),
            t.trend.label(),
        )?;
    }
    writeln!(out)
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
        if m.derived().is_some() {
            writeln!(
                out,
                "  computed from the other metrics' figures, after them (see docs/METHODS.md)"
            )?;
        }
        // The measure column as wide as this metric's longest name.
        let width = s
            .measures
            .iter()
            .map(|m| m.id.measure().len())
            .max()
            .unwrap_or(0)
            .max(16);
        for measure in s.measures {
            writeln!(
                out,
                "  {}.{:<width$} {:<14} {}",
                s.id,
                measure.id.measure(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(la: &str, year: i32, msg: &str) -> iro_engine::TaskStatus {
        iro_engine::TaskStatus {
            la_code: la.into(),
            year,
            metric: "m".into(),
            outcome: iro_engine::Outcome::Failed(msg.into()),
        }
    }

    #[test]
    fn a_failure_in_every_authority_and_year_is_said_once_with_where() {
        let mut all = Vec::new();
        for la in ["800", "803"] {
            for y in 2023..=2025 {
                all.push(failed(la, y, "parameter `n`: expected a whole number"));
            }
        }
        all.push(failed("887", 2025, "panicked"));
        assert_eq!(
            failure_lines(&all),
            vec![
                "error: metric m failed for 6 authority-years (800, 803; 2022-23 to 2024-25): \
                 parameter `n`: expected a whole number",
                "error: metric m failed for 887 2024-25: panicked",
            ]
        );
        let some: Vec<_> = (2019..=2025)
            .map(|y| failed("800", y, "x"))
            .chain([failed("803", 2025, "x")])
            .collect();
        assert_eq!(
            failure_lines(&some),
            vec![
                "error: metric m failed for 800 2018-19, 800 2019-20, 800 2020-21, 800 2021-22, and 4 more: x"
            ]
        );
    }
}
