//! One run: ingest, every enabled metric over authorities × years in parallel,
//! each task isolated so that one failing metric does not stop the others, then
//! central suppression.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::Instant;

use iro_domain::{CollectionYear, LaCode, WorkingDayCalendar};
use iro_ingest::{InputSource, LoadOptions, Loaded};
use iro_metric_api::{
    DrillDown, Metric, MetricContext, MetricError, MetricRow, MetricSpec, Reference,
};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::suppress::suppress;

/// The metrics compiled into the tool, in registry order, with the bundled
/// reference data (postcode-sector centroids for placement distance).
pub fn builtin_metrics() -> Vec<Box<dyn Metric>> {
    let distance: Box<dyn Metric> = match placement_distance::PlacementDistance::bundled() {
        Ok(m) => Box::new(m),
        // The bundled table is checked by tests; should it ever fail to load,
        // the metric reports the failure for every task rather than vanish.
        Err(e) => Box::new(Unavailable {
            spec: MetricSpec {
                id: "placement-distance",
                title: "Placement distance (postcode table failed to load)",
                version: "0",
                requires: &[],
                measures: &[],
                params: &[],
            },
            reason: format!("postcode table: {e}"),
        }),
    };
    builtin_with_distance(distance)
}

/// The built-in metrics for this configuration: as [`builtin_metrics`], with
/// the unit-postcode table of `[reference] postcode_units` (exact distances)
/// when one is configured.
pub fn builtin_metrics_for(config: &Config) -> Result<Vec<Box<dyn Metric>>, EngineError> {
    let Some(units) = &config.reference.postcode_units else {
        return Ok(builtin_metrics());
    };
    let index = iro_postcodes::PostcodeIndex::load(Some(units))?;
    Ok(builtin_with_distance(Box::new(
        placement_distance::PlacementDistance::new(std::sync::Arc::new(index)),
    )))
}

fn builtin_with_distance(distance: Box<dyn Metric>) -> Vec<Box<dyn Metric>> {
    vec![
        Box::new(cohort_summary::CohortSummary),
        Box::new(review_timeliness::ReviewTimeliness),
        Box::new(participation::Participation),
        Box::new(placement_stability::PlacementStability),
        distance,
    ]
}

/// A built-in metric that could not be set up: every task reports why.
struct Unavailable {
    spec: MetricSpec,
    reason: String,
}

impl Metric for Unavailable {
    fn spec(&self) -> &MetricSpec {
        &self.spec
    }
    fn compute(&self, _ctx: &MetricContext<'_>) -> Result<Vec<MetricRow>, MetricError> {
        Err(MetricError::Failed(self.reason.clone()))
    }
}

/// What happened to one metric for one authority and year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskStatus {
    pub la_code: String,
    pub year: i32,
    pub metric: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    /// Computed; the number of rows.
    Ok(usize),
    /// The data needed are missing: reported, never shown as zero.
    NotComputable(String),
    /// The metric returned an error or panicked.
    Failed(String),
}

/// Wall-clock time of each stage, in milliseconds (the only non-deterministic
/// part of a run's output).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub ingest_ms: u128,
    pub metrics_ms: u128,
}

/// Everything a run produced.
#[derive(Debug)]
pub struct RunResult {
    pub loaded: Loaded,
    /// Suppressed, sorted tidy rows: safe to share.
    pub rows: Vec<MetricRow>,
    pub statuses: Vec<TaskStatus>,
    pub specs: Vec<MetricSpec>,
    pub years: Vec<CollectionYear>,
    /// Child-level tables, only when `[output] personal = true`.
    pub drilldowns: Vec<PersonalTable>,
    pub timings: Timings,
}

impl RunResult {
    /// Metric tasks that failed (a failed run exits non-zero).
    pub fn failures(&self) -> impl Iterator<Item = &TaskStatus> {
        self.statuses
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Failed(_)))
    }
}

/// Errors that stop a whole run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Ingest(#[from] iro_ingest::IngestError),
    #[error(transparent)]
    Reference(#[from] iro_reference::ReferenceError),
    #[error("no input: give an input folder or list files under [input] in iro.toml")]
    NoInput,
    #[error("metric `{id}`: {source}")]
    Params { id: String, source: MetricError },
    #[error("[run] las: `{0}` is not a DfE 3-digit authority code")]
    BadLa(String),
    #[error(transparent)]
    Postcodes(#[from] iro_postcodes::PostcodeError),
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Progress reports for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    Loaded { authorities: usize, files: usize },
    TasksStarted(u64),
    TaskDone,
}

/// Resolves where the input comes from: the command line wins over `iro.toml`.
pub fn input_source(
    config: &Config,
    cli_input: Option<PathBuf>,
) -> Result<InputSource, EngineError> {
    if let Some(p) = cli_input {
        return Ok(InputSource::Folder(p));
    }
    if !config.input.files.is_empty() {
        return Ok(InputSource::Manifest(iro_ingest::Manifest {
            base: None,
            files: config.input.files.clone(),
        }));
    }
    config
        .input
        .path
        .clone()
        .map(InputSource::Folder)
        .ok_or(EngineError::NoInput)
}

/// Loads the reference data: the bundled set or `[reference] dir`.
pub fn load_reference(config: &Config) -> Result<Reference, EngineError> {
    Ok(match &config.reference.dir {
        Some(dir) => Reference::from_dir(dir)?,
        None => Reference::bundled()?,
    })
}

/// Builds the worker pool `[run] threads` asks for (all cores by default).
pub fn thread_pool(config: &Config) -> Result<rayon::ThreadPool, EngineError> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = config.run.threads {
        b = b.num_threads(n);
    }
    b.build().map_err(|e| EngineError::Threads(e.to_string()))
}

/// Runs everything but writing: [`load`], then [`compute`].
pub fn run(
    config: &Config,
    source: &InputSource,
    metrics: &[Box<dyn Metric>],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<RunResult, EngineError> {
    thread_pool(config)?.install(|| {
        let reference = load_reference(config)?;
        let t0 = Instant::now();
        let loaded = load(config, source)?;
        let ingest_ms = t0.elapsed().as_millis();
        progress(Progress::Loaded {
            authorities: loaded.cohorts.len(),
            files: loaded.files.len(),
        });
        let c = compute(config, &loaded, &reference, metrics, progress)?;
        Ok(RunResult {
            loaded,
            rows: c.rows,
            statuses: c.statuses,
            specs: c.specs,
            years: c.years,
            drilldowns: c.drilldowns,
            timings: Timings {
                ingest_ms,
                metrics_ms: c.metrics_ms,
            },
        })
    })
}

/// Reads and checks the input for the authorities `[run] las` asks for.
pub fn load(config: &Config, source: &InputSource) -> Result<Loaded, EngineError> {
    let las = wanted_las(config)?;
    Ok(iro_ingest::load(
        source,
        &LoadOptions {
            hash_files: true,
            las: (!las.is_empty()).then(|| las.into_iter().collect()),
            ..LoadOptions::default()
        },
    )?)
}

fn wanted_las(config: &Config) -> Result<Vec<LaCode>, EngineError> {
    config
        .run
        .las
        .iter()
        .map(|s| s.parse().map_err(|_| EngineError::BadLa(s.clone())))
        .collect()
}

/// Runs every enabled metric over every authority and year of `loaded`, in
/// parallel on the current rayon pool, then sorts and suppresses the rows.
pub fn compute(
    config: &Config,
    loaded: &Loaded,
    reference: &Reference,
    metrics: &[Box<dyn Metric>],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Computed, EngineError> {
    let calendar = WorkingDayCalendar::england_and_wales();
    let enabled: Vec<(&dyn Metric, iro_metric_api::Params)> = metrics
        .iter()
        .filter(|m| config.metric_enabled(m.spec().id))
        .map(|m| {
            let id = m.spec().id;
            m.spec()
                .resolve_params(&config.metric_params(id))
                .map(|p| (m.as_ref(), p))
                .map_err(|source| EngineError::Params {
                    id: id.to_string(),
                    source,
                })
        })
        .collect::<Result<_, _>>()?;

    // Every (authority, year, metric) is one task.
    let mut years: Vec<CollectionYear> = Vec::new();
    let mut tasks = Vec::new();
    for (ci, cohort) in loaded.cohorts.iter().enumerate() {
        for year in cohort.years() {
            if !config.run.years.is_empty() && !config.run.years.contains(&year.0) {
                continue;
            }
            if !years.contains(&year) {
                years.push(year);
            }
            for mi in 0..enabled.len() {
                tasks.push((ci, year, mi));
            }
        }
    }
    years.sort();
    progress(Progress::TasksStarted(tasks.len() as u64));

    let personal = config.output.personal;
    let t1 = Instant::now();
    let results: Vec<TaskResult> = tasks
        .par_iter()
        .map(|&(ci, year, mi)| {
            let cohort = &loaded.cohorts[ci];
            let (metric, params) = &enabled[mi];
            let ctx = MetricContext {
                cohort,
                la: reference.la(cohort.la()),
                year,
                reference,
                calendar: &calendar,
                params,
            };
            let result = run_task(*metric, &ctx, personal);
            progress(Progress::TaskDone);
            result
        })
        .collect();

    let mut statuses = Vec::with_capacity(results.len());
    let mut rows = Vec::new();
    let mut drilldowns = Vec::new();
    for r in results {
        statuses.push(r.status);
        rows.extend(r.rows);
        drilldowns.extend(r.drilldowns);
    }
    sort_rows(&mut rows);
    let specs: Vec<MetricSpec> = enabled.iter().map(|(m, _)| m.spec().clone()).collect();
    let spec_refs: Vec<&MetricSpec> = specs.iter().collect();
    suppress(&mut rows, &spec_refs, &config.suppression);
    let metrics_ms = t1.elapsed().as_millis();

    Ok(Computed {
        rows,
        statuses,
        specs,
        years,
        drilldowns,
        metrics_ms,
    })
}

/// What [`compute`] produced.
#[derive(Debug)]
pub struct Computed {
    /// Suppressed, sorted tidy rows.
    pub rows: Vec<MetricRow>,
    pub statuses: Vec<TaskStatus>,
    pub specs: Vec<MetricSpec>,
    pub years: Vec<CollectionYear>,
    pub drilldowns: Vec<PersonalTable>,
    pub metrics_ms: u128,
}

/// One task's output.
struct TaskResult {
    status: TaskStatus,
    rows: Vec<MetricRow>,
    drilldowns: Vec<PersonalTable>,
}

/// Runs one metric for one authority and year, containing any panic.
fn run_task(metric: &dyn Metric, ctx: &MetricContext<'_>, personal: bool) -> TaskResult {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let rows = metric.compute(ctx)?;
        let drill = if personal {
            metric.drilldown(ctx)?
        } else {
            Vec::new()
        };
        Ok::<_, MetricError>((rows, drill))
    }));
    let (outcome, rows, drill) = match outcome {
        Ok(Ok((rows, drill))) => (Outcome::Ok(rows.len()), rows, drill),
        Ok(Err(MetricError::NotComputable(why))) => (Outcome::NotComputable(why), vec![], vec![]),
        Ok(Err(e)) => (Outcome::Failed(e.to_string()), vec![], vec![]),
        Err(payload) => (
            Outcome::Failed(format!("panicked: {}", panic_message(payload.as_ref()))),
            vec![],
            vec![],
        ),
    };
    let la_code = ctx.cohort.la().to_string();
    let id = metric.spec().id;
    TaskResult {
        drilldowns: drill
            .into_iter()
            .map(|table| PersonalTable {
                la_code: la_code.clone(),
                year: ctx.year.0,
                metric: id.to_string(),
                table,
            })
            .collect(),
        status: TaskStatus {
            la_code,
            year: ctx.year.0,
            metric: id.to_string(),
            outcome,
        },
        rows,
    }
}

/// A child-level table from one task: personal data, for `out/personal/` only.
#[derive(Debug, Clone)]
pub struct PersonalTable {
    pub la_code: String,
    pub year: i32,
    pub metric: String,
    pub table: DrillDown,
}

/// The order rows are written in: stable whatever the thread timing.
pub fn sort_rows(rows: &mut [MetricRow]) {
    rows.sort_by(|a, b| {
        (&a.la_code, a.year, &a.metric, a.period, &a.breakdown).cmp(&(
            &b.la_code,
            b.year,
            &b.metric,
            b.period,
            &b.breakdown,
        ))
    });
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}
