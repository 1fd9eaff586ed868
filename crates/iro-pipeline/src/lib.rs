//! # iro-pipeline
//!
//! The orchestration `iro run`, `iro report` and `iro benchmark` share, so
//! that the three commands compute the same figures in the same way and the
//! CLI is left with its arguments, progress bar and printing:
//!
//! * the configuration every command runs with ([`Pipeline::new`],
//!   [`Pipeline::for_run`]: benchmarking's small-count threshold, the sample's
//!   demonstration targets), the same for `iro run` and `iro report`;
//! * the reference data, loaded once and used by the engine, the tables,
//!   the charts and the report;
//! * one engine run ([`Pipeline::compute`]);
//! * "Table 1" (`cohort_summary`) built once, written, reported and
//!   returned for printing ([`Run::summary`]);
//! * the standard charts built once, written to `<out>/charts/` and handed
//!   to the report, which never draws its own ([`Pipeline::run`]);
//! * `iro benchmark`'s figures, files and charts ([`benchmark`]).
//!
//! **Never** here: parsing arguments, printing, a figure computed (that is
//! the metrics' and the engine's work), or a dependency on the CLI's crates
//! (clap, anyhow, indicatif): `crates/iro-cli/tests/architecture.rs`.
//!
//! Start reading at [`Pipeline::run`].

pub mod benchmark;
pub mod pack;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use iro_charts::standard::{self, Bound, LocalTarget, Skipped};
use iro_engine::config::ConfigError;
use iro_engine::{Config, Direction, EngineError, Progress, RunResult, TargetPeriod};
use iro_ingest::{InputSource, Loaded};
use iro_metric_api::Metric;
use iro_reference::Reference;
use iro_results::SummaryRow;
use regional_benchmarking::METRIC_ID as BENCHMARKING;

/// The input read when none is given: the bundled sample's folder (what
/// `iro sample` writes, and the repository's `data/sample`).
pub const DEFAULT_INPUT: &str = "data/sample";

/// Errors that stop a command.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Plugin(#[from] iro_plugin_host::LoadError),
    /// An in-process plugin call gave no answer within its timeout: its
    /// thread cannot be stopped, so the run stops before writing anything.
    #[error(transparent)]
    PluginHung(Box<iro_plugin_host::CallTimeout>),
    #[error(
        "run-time plugin metric `{id}` has the id of a metric that is already registered; \
         rename it in the plugin (ids must be unique)"
    )]
    DuplicateMetric { id: String },
    #[error(
        "run-time plugin metric `{metric}` declares the relation `{relation}`, which names \
         `{measure}`: no metric of this iro declares that measure (a typo, or a metric of \
         another version?), so the relation would protect nothing"
    )]
    UnknownRelationMeasure {
        metric: String,
        relation: String,
        measure: String,
    },
    #[error("reading {}", path.display())]
    Config {
        path: PathBuf,
        #[source]
        source: ConfigError,
    },
    /// A metric parameter set for the command could not be read.
    #[error("{0}")]
    Params(String),
    #[error("no region `{wanted}` (regions: {regions})")]
    UnknownRegion { wanted: String, regions: String },
    #[error("creating {}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing charts to {}", dir.display())]
    Charts {
        dir: PathBuf,
        #[source]
        source: iro_charts::ChartError,
    },
    #[error("writing the report to {}", dir.display())]
    Report {
        dir: PathBuf,
        #[source]
        source: iro_report::ReportError,
    },
}

/// Where a command's configuration came from: with no `iro.toml` and no
/// input, the bundled sample's own `iro.toml` supplies its demonstration
/// `[[targets]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// An `iro.toml` was read (`--config`, or one in the working folder).
    pub config_file: bool,
    /// An input folder was given on the command line.
    pub input_given: bool,
}

/// One command's configuration and reference data, shared by every step.
#[derive(Debug)]
pub struct Pipeline {
    config: Config,
    reference: Reference,
    /// The run-time plugin calls under way (a progress line shows them) and
    /// those that timed out.
    plugin_calls: iro_plugin_host::CallBoard,
    /// Pass the plugin workers' stderr through (`iro -v`).
    show_plugin_stderr: bool,
}

/// Which outputs [`Pipeline::run`] writes.
#[derive(Debug, Clone, Default)]
pub struct Steps {
    /// The tables (`metrics.*`, `cohort_summary.*`, `diagnostics.*`,
    /// `row_counts.*`, `targets.*`, `run.json`, and `personal/` on request)
    /// in `[output] dir`.
    pub tables: bool,
    /// The standard charts of every authority in `<dir>/charts/`.
    pub charts: bool,
    /// The annual report in `<dir>/report/`.
    pub report: Option<ReportRequest>,
}

/// Which reports to write.
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    /// Authorities (DfE codes); empty: every authority in the run.
    pub las: Vec<String>,
    /// The collection year reported; `None`: each authority's latest.
    pub year: Option<i32>,
    /// Also print each report to PDF with this browser.
    pub pdf: Option<iro_report::print::Browser>,
}

/// What [`Pipeline::run`] computed and wrote.
#[derive(Debug)]
pub struct Run {
    pub result: RunResult,
    /// "Table 1", built once: the one written to `cohort_summary.*` and
    /// shown in the report.
    pub summary: Vec<SummaryRow>,
    /// The tables' files, then the charts' folder, then the report's folder,
    /// as `iro run` lists them.
    pub written: Vec<PathBuf>,
    /// Standard charts that had nothing to draw, with the reason.
    pub charts_skipped: Vec<Skipped>,
    /// The report's files and narrative warnings, when it was written.
    pub report: Option<iro_report::Written>,
}

/// The metrics of a run: the built-in ones `iro.toml` configures and those
/// of the run-time plugins it allows. Keeps the plugins loaded (and their
/// cohort exports cached) while it lives.
pub struct Metrics {
    // Dropped first: the per-run cache of cohorts exported to plugins.
    _cache: iro_plugin_host::CacheScope,
    pub list: Vec<Box<dyn Metric>>,
    _host: iro_plugin_host::Host,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.list.iter().map(|m| m.spec().id).collect();
        f.debug_struct("Metrics").field("list", &ids).finish()
    }
}

impl Pipeline {
    /// Loads the reference data (`[reference] dir`, or the bundled set) once,
    /// and puts `[suppression] threshold` into benchmarking's parameters
    /// ([`configure_benchmarking`]).
    pub fn new(mut config: Config) -> Result<Self, PipelineError> {
        configure_benchmarking(&mut config, &[], false)?;
        let reference = iro_engine::load_reference(&config)?;
        Ok(Pipeline {
            config,
            reference,
            plugin_calls: iro_plugin_host::CallBoard::default(),
            show_plugin_stderr: iro_plugin_host::HostOptions::default().show_stderr,
        })
    }

    /// [`Pipeline::new`] for `iro run` and `iro report`, which run with the
    /// same configuration (so `iro report` after `iro run` writes the same
    /// report): on the bundled sample with no `iro.toml`, the sample's
    /// demonstration `[[targets]]` too ([`sample_targets`]).
    pub fn for_run(mut config: Config, origin: Origin) -> Result<Self, PipelineError> {
        sample_targets(&mut config, origin)?;
        Pipeline::new(config)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// To narrow the run after the reference data are read (a region's
    /// authorities, a benchmarking selection).
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// The run-time plugin calls under way and those that timed out, for a
    /// progress line: "waiting for plugin `x`, metric `y`, 800 …, 2024-25".
    pub fn plugin_calls(&self) -> &iro_plugin_host::CallBoard {
        &self.plugin_calls
    }

    /// Whether the plugins' own stderr is shown, each line prefixed with the
    /// plugin's name (`iro -v`; also `IRO_PLUGIN_VERBOSE=1`). Otherwise only
    /// its last lines are kept, for an error message.
    pub fn show_plugin_stderr(&mut self, on: bool) {
        self.show_plugin_stderr = on;
    }

    /// Reads and checks the input only (no metric runs).
    pub fn load(&self, source: &InputSource) -> Result<Loaded, PipelineError> {
        Ok(iro_engine::load_with_reference(
            &self.config,
            source,
            &self.reference,
        )?)
    }

    /// The built-in metrics `iro.toml` configures and those of the run-time
    /// plugins it allows.
    pub fn metrics(&self) -> Result<Metrics, PipelineError> {
        let mut list = iro_engine::builtin_metrics_for(&self.config)?;
        let mut host = plugin_host(&self.config);
        host.options_mut().calls = self.plugin_calls.clone();
        host.options_mut().show_stderr = self.show_plugin_stderr;
        add_plugin_metrics(&mut list, &host)?;
        Ok(Metrics {
            _cache: host.cache_scope(),
            list,
            _host: host,
        })
    }

    /// One engine run (ingest, every metric, suppression, targets) with the
    /// reference data already loaded; writes nothing.
    pub fn compute(
        &self,
        source: &InputSource,
        metrics: &[Box<dyn Metric>],
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<RunResult, PipelineError> {
        Ok(iro_engine::run_with_reference(
            &self.config,
            source,
            &self.reference,
            metrics,
            progress,
        )?)
    }

    /// The whole run: the metrics, one engine run, then the outputs `steps`
    /// asks for. "Table 1" is built once; the standard charts are built
    /// once (when written or reported) and the report is handed them.
    pub fn run(
        &self,
        source: &InputSource,
        steps: &Steps,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Run, PipelineError> {
        let metrics = self.metrics()?;
        let mut result = self.compute(source, &metrics.list, progress)?;
        // A hung in-process plugin still runs on a thread of its own: stop.
        if let Some(hung) = self.plugin_calls.hung_in_process() {
            return Err(PipelineError::PluginHung(Box::new(hung)));
        }
        leave_out_timed_out(&mut result, &self.plugin_calls.timed_out());
        let summary = iro_engine::output::cohort_summary(&result, &self.reference);
        let mut written = Vec::new();
        if steps.tables {
            written.extend(iro_engine::write_outputs_with_summary(
                &result,
                &self.config,
                &summary,
            )?);
        }
        let options = chart_options(&self.config);
        let mut charts = (steps.charts || steps.report.is_some()).then(|| {
            standard::standard_set(
                &result.rows,
                &standard::published_rows(&self.reference),
                &standard::areas_from_reference(&self.reference),
                &options,
            )
        });
        let mut charts_skipped = Vec::new();
        if steps.charts
            && let Some(set) = &mut charts
        {
            let dir = self.config.output.dir.join("charts");
            standard::write_set(&dir, set, &options).map_err(|source| PipelineError::Charts {
                dir: dir.clone(),
                source,
            })?;
            charts_skipped = std::mem::take(&mut set.skipped);
            written.push(dir);
        }
        let report = match &steps.report {
            Some(request) => {
                let input = iro_report::ReportInput {
                    rows: &result.rows,
                    summary: &summary,
                    targets: &result.targets,
                    statuses: &result.statuses,
                    quality: &result.quality,
                    specs: &result.specs,
                    reference: &self.reference,
                    disclosure: self.config.suppression.disclosure(),
                    settings: &self.config.report,
                    charts: charts.as_ref().map(|s| s.charts.as_slice()),
                };
                let dir = self.config.output.dir.join("report");
                let w = iro_report::write_reports(
                    &input,
                    &iro_report::ReportOptions {
                        dir: dir.clone(),
                        narrative_dir: self.config.output.narrative_dir.clone(),
                        las: request.las.clone(),
                        year: request.year,
                        pdf: request.pdf.clone(),
                    },
                )
                .map_err(|source| PipelineError::Report {
                    dir: dir.clone(),
                    source,
                })?;
                written.push(dir);
                Some(w)
            }
            None => None,
        };
        Ok(Run {
            result,
            summary,
            written,
            charts_skipped,
            report,
        })
    }
}

/// Leaves out every figure of a plugin metric of which a call timed out in
/// a worker: its other calls were not made (the host skips them), and which
/// calls had answered first depends on the threads' timing, so keeping them
/// would make the outputs differ from run to run. Each of its tasks fails
/// with one message that names the plugin, the metric and the timeout.
fn leave_out_timed_out(
    result: &mut iro_engine::RunResult,
    timeouts: &[iro_plugin_host::CallTimeout],
) {
    let mut why: BTreeMap<&str, String> = BTreeMap::new();
    for t in timeouts {
        why.entry(t.call.metric.as_str())
            .or_insert_with(|| t.metric_left_out());
    }
    if why.is_empty() {
        return;
    }
    result.rows.retain(|r| !why.contains_key(r.metric.metric()));
    result
        .targets
        .retain(|t| !why.contains_key(t.metric.metric()));
    result
        .drilldowns
        .retain(|d| !why.contains_key(d.metric.as_str()));
    for s in &mut result.statuses {
        if let Some(w) = why.get(s.metric.as_str()) {
            s.outcome = iro_engine::Outcome::Failed(w.clone());
        }
    }
}

/// The standard charts' options for a run: `[[targets]]` of `iro.toml`
/// give the target lines.
pub fn chart_options(config: &Config) -> standard::Options {
    standard::Options {
        targets: chart_targets(config),
        ..standard::Options::default()
    }
}

/// `[[targets]]` of iro.toml, for the charts' target lines.
pub fn chart_targets(config: &Config) -> Vec<LocalTarget> {
    config
        .targets
        .iter()
        .filter_map(|t| {
            Some(LocalTarget {
                metric: t.metric.clone(),
                breakdown: iro_charts::parse_breakdown(&t.breakdown).ok()?,
                period: match t.period {
                    TargetPeriod::One(p) => Some(p),
                    TargetPeriod::EachQuarter => None,
                },
                bound: match t.direction {
                    Direction::AtLeast => Bound::AtLeast(t.threshold),
                    Direction::AtMost => Bound::AtMost(t.threshold),
                },
                label: t.label.clone(),
                las: t.las.clone(),
            })
        })
        .collect()
}

/// With no iro.toml and no input, `iro run` runs on the bundled sample; the
/// sample's own `data/sample/iro.toml` then supplies its demonstration
/// `[[targets]]` (only those are read from it).
pub fn sample_targets(config: &mut Config, origin: Origin) -> Result<(), PipelineError> {
    let falls_back =
        !origin.input_given && config.input.path.is_none() && config.input.files.is_empty();
    let sample = Path::new(DEFAULT_INPUT).join("iro.toml");
    if origin.config_file || !falls_back || !sample.exists() {
        return Ok(());
    }
    let sample_config = Config::load(&sample).map_err(|source| PipelineError::Config {
        path: sample.clone(),
        source,
    })?;
    config.targets = sample_config.targets;
    Ok(())
}

/// Puts `[suppression] threshold` (and a selection) into regional
/// benchmarking's parameters, unless iro.toml sets them: a 903 figure small
/// enough to be suppressed must not be compared (docs/METHODS.md,
/// "Regional benchmarking"). `force_enable` switches the metric on
/// (`iro benchmark`).
pub fn configure_benchmarking(
    config: &mut Config,
    selection: &[iro_domain::LaCode],
    force_enable: bool,
) -> Result<(), PipelineError> {
    // iro.toml's own small_count wins; a selection or `enabled` asked for
    // on the command line wins over iro.toml.
    if !config.has_metric_param(BENCHMARKING, "small_count") {
        let threshold = i64::try_from(config.suppression.applied_threshold())
            .map_err(|_| PipelineError::Params("[suppression] threshold is too large".into()))?;
        config.set_metric_param(BENCHMARKING, "small_count", threshold);
    }
    if !selection.is_empty() {
        let codes: Vec<toml::Value> = selection
            .iter()
            .map(|c| toml::Value::from(c.to_string()))
            .collect();
        config.set_metric_param(BENCHMARKING, "selection", codes);
    }
    if force_enable {
        config.set_metric_param(BENCHMARKING, "enabled", true);
    }
    Ok(())
}

/// The plugin host for iro.toml's `[[plugins]]`.
pub fn plugin_host(config: &Config) -> iro_plugin_host::Host {
    let mut opts = iro_plugin_host::HostOptions::default();
    if let Some(n) = config.run.threads {
        opts.max_threads = n as u32;
    }
    iro_plugin_host::Host::new(config.plugins.clone(), opts)
}

/// Adds the metrics of every plugin iro.toml allows. A plugin metric may not
/// take the id of a built-in one (or of another plugin's): the outputs would
/// mix two definitions under one name.
pub fn add_plugin_metrics(
    metrics: &mut Vec<Box<dyn Metric>>,
    host: &iro_plugin_host::Host,
) -> Result<(), PipelineError> {
    let from = metrics.len();
    for m in host.metrics()? {
        let id = m.spec().id;
        if metrics.iter().any(|b| b.spec().id == id) {
            return Err(PipelineError::DuplicateMetric { id: id.to_string() });
        }
        metrics.push(m);
    }
    check_relation_measures(metrics, from)
}

/// A plugin metric's relation (`metrics[from..]`) may name another metric's
/// measure (a built-in's, another plugin's): it must be one that some
/// metric declares, or the relation would silently protect nothing.
fn check_relation_measures(metrics: &[Box<dyn Metric>], from: usize) -> Result<(), PipelineError> {
    for m in metrics.get(from..).unwrap_or_default() {
        for r in m.relations() {
            for measure in r.metrics() {
                if !metrics.iter().any(|o| o.spec().measure(measure).is_some()) {
                    return Err(PipelineError::UnknownRelationMeasure {
                        metric: m.spec().id.to_string(),
                        relation: r.to_string(),
                        measure: measure.to_string(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The DfE codes of the authorities in a region, by ONS code or name.
pub fn region_las(reference: &Reference, region: &str) -> Result<Vec<String>, PipelineError> {
    let wanted = region.trim();
    let found = reference
        .regions()
        .iter()
        .find(|r| r.ons_code.eq_ignore_ascii_case(wanted) || r.name.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            let names: Vec<&str> = reference
                .regions()
                .iter()
                .map(|r| r.name.as_str())
                .collect();
            PipelineError::UnknownRegion {
                wanted: wanted.to_string(),
                regions: names.join(", "),
            }
        })?;
    Ok(reference
        .las_in_region(&found.ons_code)
        .map(|r| r.code().to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_metric_api::{
        MeasureId, MetricContext, MetricError, MetricRow, MetricSpec, Relation, Term,
    };

    /// A plugin metric as the host presents it: a spec and relations.
    struct Declares(&'static [Relation]);

    static SPEC: MetricSpec = MetricSpec {
        id: "uasc-age",
        title: "",
        version: "1",
        requires: &[],
        needs: &[],
        measures: &[iro_metric_api::MeasureSpec {
            id: MeasureId::new("uasc-age.uasc"),
            title: "",
            unit: iro_metric_api::Unit::Count,
            additive_breakdowns: &[],
            subject: iro_metric_api::Subject::Children,
        }],
        params: &[],
    };

    impl Metric for Declares {
        fn spec(&self) -> &MetricSpec {
            &SPEC
        }
        fn compute_years(
            &self,
            ctxs: &[MetricContext<'_>],
        ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
            ctxs.iter().map(|_| Ok(Vec::new())).collect()
        }
        fn relations(&self) -> &[Relation] {
            self.0
        }
    }

    #[test]
    fn a_plugin_relation_must_name_measures_some_metric_declares() {
        static KNOWN: [Relation; 1] = [Relation::Sum {
            total: Term::num(MeasureId::new("uasc-age.uasc")).only(""),
            parts: &[Term::num(MeasureId::new("cohort-summary.profile")).only("uasc=UASC")],
        }];
        static TYPO: [Relation; 1] = [Relation::Sum {
            total: Term::num(MeasureId::new("uasc-age.uasc")).only(""),
            parts: &[Term::num(MeasureId::new("cohort-summary.profiles")).only("uasc=UASC")],
        }];
        let mut metrics = iro_engine::builtin_metrics();
        let from = metrics.len();
        metrics.push(Box::new(Declares(&KNOWN)));
        assert!(check_relation_measures(&metrics, from).is_ok());
        metrics.push(Box::new(Declares(&TYPO)));
        let e = check_relation_measures(&metrics, from).unwrap_err();
        assert!(
            e.to_string().contains(
                "names `cohort-summary.profiles`: no metric of this iro declares that measure"
            ),
            "{e}"
        );
    }
}
