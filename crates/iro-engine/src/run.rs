//! One run: ingest, every enabled metric over authorities × years in parallel,
//! each task isolated so that one failing metric does not stop the others, then
//! central suppression.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::Instant;

use iro_domain::Cohort;
use iro_domain::{CollectionYear, LaCode, WorkingDayCalendar};
use iro_ingest::{InputSource, LaLoaded, LoadOptions, Loaded};

use crate::quality::GateInput;
use iro_metric_api::MetricExt;
use iro_metric_api::{
    DerivedInput, DerivedTask, DrillDown, Metric, MetricContext, MetricError, MetricRow,
    MetricSpec, Reference, Relation, SourceState,
};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::config::Config;
use crate::suppress::suppress;
use crate::targets::TargetResult;
pub use iro_results::{Outcome, TaskStatus};

/// Wall-clock time of each stage, in milliseconds (the only non-deterministic
/// part of a run's output).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Reading and checking the files, with each authority's metric tasks,
    /// which run as soon as it is read.
    pub ingest_ms: u128,
    /// What follows: the derived stage, sorting, suppression and targets.
    pub metrics_ms: u128,
    /// The per-authority metric tasks: time on the worker threads, summed
    /// over authorities (several run at once, alongside reading).
    pub metric_tasks_ms: u128,
    /// Of which the derived stage (regional benchmarking, from the other
    /// metrics' rows).
    pub derived_ms: u128,
    /// Of which sorting and suppression.
    pub suppression_ms: u128,
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
    /// Every relation the enabled metrics declare (secondary suppression).
    pub relations: Vec<Relation>,
    /// `[[targets]]`, met or not, per authority, year and period.
    pub targets: Vec<TargetResult>,
    /// What the data-quality gate found: tables not fit for figures, counts
    /// far from the DfE's, rows excluded.
    pub quality: crate::quality::DataQuality,
    pub timings: Timings,
}

impl RunResult {
    /// Metric tasks that failed (a failed run exits non-zero).
    pub fn failures(&self) -> impl Iterator<Item = &TaskStatus> {
        self.statuses
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Failed(_)))
    }

    /// How the run went, for the exit code.
    pub fn verdict(&self) -> Verdict {
        let gated = self.quality.unfit.iter().any(|u| !u.metrics.is_empty());
        if self.statuses.is_empty() || gated || self.failures().next().is_some() {
            Verdict::NotComputable
        } else if self
            .loaded
            .diagnostics
            .iter()
            .any(|d| d.severity >= iro_domain::Severity::Warning)
            || !self.quality.published.is_empty()
        {
            Verdict::Warnings
        } else {
            Verdict::Clean
        }
    }
}

/// How a run went: the exit code of `iro run` and `iro report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Exit 0: no data problem, nothing flagged.
    Clean,
    /// Exit 1: outputs written, with data problems (rows excluded below the
    /// gate's share, warnings) or a count far from the DfE's.
    Warnings,
    /// Exit 2: figures not computable because of errors in the data (the
    /// gate), a metric failed, or nothing could be computed at all.
    NotComputable,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Clean => 0,
            Verdict::Warnings => 1,
            Verdict::NotComputable => 2,
        }
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
    #[error(
        "no data for authority {} in {input} (--la / [run] las); authorities found: {}",
        wanted.join(", "),
        if found.is_empty() { "none".to_string() } else { found.join(", ") }
    )]
    NoSuchLa {
        wanted: Vec<String>,
        found: Vec<String>,
        input: String,
    },
    #[error(
        "no data for collection year {} (--year / [run] years; the year the return ends: 2025 = 2024-25); years found: {}",
        wanted.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", "),
        if found.is_empty() { "none".to_string() } else { found.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ") }
    )]
    NoSuchYear { wanted: Vec<i32>, found: Vec<i32> },
    #[error(transparent)]
    Postcodes(#[from] iro_postcodes::PostcodeError),
    #[error("[[targets]]: {0}")]
    Target(String),
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
    /// Every file is read (and, in a run, every authority's own metrics
    /// computed).
    Loaded {
        authorities: usize,
        files: usize,
    },
    /// This many more tasks are under way: add them to the total (each
    /// authority's are known once it is read).
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

/// Loads the reference data: the bundled set or `[reference] dir`, with the
/// reference overlay ([`overlay_dir`]) used over it when there is one
/// (`Reference::overlay` then says what it changed).
pub fn load_reference(config: &Config) -> Result<Reference, EngineError> {
    let base = load_base_reference(config)?;
    Ok(match overlay_dir(config) {
        Some(dir) => base.with_overlay(dir)?,
        None => base,
    })
}

/// The bundled set or `[reference] dir`, without the overlay (what
/// `iro reference import-dfe` checks new files against).
pub fn load_base_reference(config: &Config) -> Result<Reference, EngineError> {
    Ok(match &config.reference.dir {
        Some(dir) => Reference::from_dir(dir)?,
        None => Reference::bundled()?,
    })
}

/// Where the reference overlay is: `[reference] overlay`, else the user's
/// data directory; `None` when `overlay = ""` or no home is known.
pub fn overlay_dir(config: &Config) -> Option<PathBuf> {
    match &config.reference.overlay {
        Some(p) if p.as_os_str().is_empty() => None,
        Some(p) => Some(p.clone()),
        None => iro_reference::default_overlay_dir(),
    }
}

/// Builds the worker pool `[run] threads` asks for (all cores by default).
/// `None` where the platform has no threads at all (WebAssembly in the
/// browser): the run then happens on the calling thread, which rayon's global
/// pool falls back to there.
pub fn thread_pool(config: &Config) -> Result<Option<rayon::ThreadPool>, EngineError> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = config.run.threads {
        b = b.num_threads(n);
    }
    match b.build() {
        Ok(pool) => Ok(Some(pool)),
        Err(_) if threads_unsupported() => Ok(None),
        Err(e) => Err(EngineError::Threads(e.to_string())),
    }
}

/// Whether this platform cannot start a thread at all (asked only after a
/// pool failed to build, so that a real failure is still reported).
fn threads_unsupported() -> bool {
    matches!(
        std::thread::Builder::new().spawn(|| ()),
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported
    )
}

/// Runs `f` in `pool`, or here when there is none ([`thread_pool`]).
fn install<R: Send>(pool: Option<rayon::ThreadPool>, f: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// Runs everything but writing: [`load`], then [`compute`].
pub fn run(
    config: &Config,
    source: &InputSource,
    metrics: &[Box<dyn Metric>],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<RunResult, EngineError> {
    run_with_reference(config, source, &load_reference(config)?, metrics, progress)
}

/// [`run`], with the reference data already loaded (`iro-pipeline` loads it
/// once for the run, its outputs, charts and report).
pub fn run_with_reference(
    config: &Config,
    source: &InputSource,
    reference: &Reference,
    metrics: &[Box<dyn Metric>],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<RunResult, EngineError> {
    install(thread_pool(config)?, || {
        let t0 = Instant::now();
        let enabled = Enabled::new(config, metrics)?;
        // Each authority's metrics run as soon as it is read, and its
        // child-level records are let go straight after: nothing later reads
        // them, and a national input is then never held all at once.
        let stages = std::sync::Mutex::new(Vec::new());
        let each = |la: &LaLoaded<'_>| {
            let gate = crate::quality::Gate::new(&config.quality, &GateInput::of_la(la));
            let stage = enabled.la_stage(config, la.cohort, &gate, reference, progress);
            stages
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((stage, gate));
        };
        let loaded = load_inner(config, source, load_options(reference), Some(&each))?;
        let ingest_ms = t0.elapsed().as_millis();
        progress(Progress::Loaded {
            authorities: loaded.cohorts.len(),
            files: loaded.files.len(),
        });
        // `metrics_ms` counts what follows reading: the derived stage,
        // sorting, suppression and targets.
        let started = Instant::now();
        let (stages, gates): (Vec<LaStage>, Vec<crate::quality::Gate>) = stages
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .unzip();
        let gate = crate::quality::Gate::merge(gates);
        let c = enabled
            .assemble(stages, gate, &loaded, started)
            .finish(config, &loaded, reference, progress);
        Ok(RunResult {
            loaded,
            rows: c.rows,
            statuses: c.statuses,
            specs: c.specs,
            years: c.years,
            drilldowns: c.drilldowns,
            relations: c.relations,
            targets: c.targets,
            quality: c.quality,
            timings: Timings {
                ingest_ms,
                metrics_ms: c.metrics_ms,
                metric_tasks_ms: c.tasks_ms,
                derived_ms: c.derived_ms,
                suppression_ms: c.suppression_ms,
            },
        })
    })
}

/// Reads and checks the input for the authorities `[run] las` asks for.
pub fn load(config: &Config, source: &InputSource) -> Result<Loaded, EngineError> {
    let reference = load_reference(config)?;
    load_with_reference(config, source, &reference)
}

/// [`load`], with the reference data already loaded: it names the
/// authorities an `LA` column may give by name or ONS code.
pub fn load_with_reference(
    config: &Config,
    source: &InputSource,
    reference: &Reference,
) -> Result<Loaded, EngineError> {
    load_with(config, source, load_options(reference))
}

/// How a run reads its input: files hashed (for `run.json`), authorities
/// named as the reference data knows them.
fn load_options(reference: &Reference) -> LoadOptions {
    LoadOptions {
        hash_files: true,
        la_aliases: la_aliases(reference),
        ..LoadOptions::default()
    }
}

/// [`load`] with other options; the authorities and years of `[run]` must
/// match something in the input, or the error says what there is.
pub fn load_with(
    config: &Config,
    source: &InputSource,
    opts: LoadOptions,
) -> Result<Loaded, EngineError> {
    load_inner(config, source, opts, None)
}

/// [`load_with`] for a caller that needs only what reading found (the
/// diagnostics, row accounts and files: `iro validate`): each authority's
/// child-level records are let go as soon as it is checked
/// ([`iro_ingest::load_each`]), so the input is never in memory all at once
/// and no cohort is left to drop at the end. The cohorts returned hold their
/// authority, years and tables only.
pub fn check_with(
    config: &Config,
    source: &InputSource,
    opts: LoadOptions,
) -> Result<Loaded, EngineError> {
    load_inner(config, source, opts, Some(&|_| {}))
}

/// [`load_with`], handing each authority to `each` as it is read (and then
/// letting its records go: [`iro_ingest::load_each`]) when given.
fn load_inner(
    config: &Config,
    source: &InputSource,
    opts: LoadOptions,
    each: Option<&(dyn Fn(&LaLoaded<'_>) + Sync)>,
) -> Result<Loaded, EngineError> {
    let las = wanted_las(config)?;
    let filtered = !las.is_empty();
    let opts = LoadOptions {
        las: filtered.then(|| las.iter().copied().collect()),
        figure_basis: config.input.figure_basis,
        ..opts
    };
    let loaded = match each {
        Some(each) => iro_ingest::load_each(source, &opts, each),
        None => iro_ingest::load(source, &opts),
    };
    let loaded = match loaded {
        Err(iro_ingest::IngestError::NoData(path)) if filtered => {
            return Err(EngineError::NoSuchLa {
                wanted: las.iter().map(|l| l.to_string()).collect(),
                found: available_las(source),
                input: path.display().to_string(),
            });
        }
        other => other?,
    };
    if !config.run.years.is_empty() {
        let mut found: Vec<i32> = loaded
            .cohorts
            .iter()
            .flat_map(|c| c.years().map(|y| y.0))
            .collect();
        found.sort_unstable();
        found.dedup();
        if !config.run.years.iter().any(|y| found.contains(y)) {
            return Err(EngineError::NoSuchYear {
                wanted: config.run.years.clone(),
                found,
            });
        }
    }
    Ok(loaded)
}

/// The authorities an input holds (folder names or manifest entries), for
/// saying what there is when `--la` matches nothing.
pub fn available_las(source: &InputSource) -> Vec<String> {
    let mut out: Vec<String> = match source {
        InputSource::Folder(dir) => std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().is_dir())
                    .filter_map(|e| e.file_name().to_str()?.parse::<LaCode>().ok())
                    .map(|la| la.to_string())
                    .collect()
            })
            .unwrap_or_default(),
        InputSource::Manifest(m) => m.files.iter().map(|f| f.la.to_string()).collect(),
    };
    out.sort();
    out.dedup();
    out
}

/// Every authority's name, ONS code and former ONS codes, with its DfE code:
/// how an `LA` column may name it ([`LoadOptions::la_aliases`]).
pub fn la_aliases(reference: &Reference) -> Vec<(String, LaCode)> {
    reference
        .las()
        .iter()
        .flat_map(|r| {
            let code = r.code();
            std::iter::once(r.identity.name.clone())
                .chain(std::iter::once(r.identity.ons_code.clone()))
                .chain(r.former_ons_codes.iter().cloned())
                .map(move |a| (a, code))
        })
        .collect()
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
/// parallel on the current rayon pool, then sorts and suppresses the rows and
/// checks the targets.
///
/// Each (authority, metric) is one task computing every year of the
/// authority ([`Metric::compute_years`]), inside `catch_unwind`; should it
/// fail, the years are computed one by one, each on its own, so that a year
/// that fails takes no other year down.
pub fn compute(
    config: &Config,
    loaded: &Loaded,
    reference: &Reference,
    metrics: &[Box<dyn Metric>],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Computed, EngineError> {
    let started = Instant::now();
    let enabled = Enabled::new(config, metrics)?;
    // The data-quality gate: a year whose required tables are not fit is not
    // computed at all, and says why.
    let gate = crate::quality::Gate::new(&config.quality, &GateInput::of_loaded(loaded));
    let stages: Vec<LaStage> = loaded
        .cohorts
        .par_iter()
        .map(|cohort| enabled.la_stage(config, cohort, &gate, reference, progress))
        .collect();
    Ok(enabled
        .assemble(stages, gate, loaded, started)
        .finish(config, loaded, reference, progress))
}

/// The enabled metrics with their parameters, checked against `iro.toml`.
struct Enabled<'m> {
    list: Vec<(&'m dyn Metric, iro_metric_api::Params)>,
    calendar: WorkingDayCalendar,
}

/// One authority's per-authority stage: how each of its tasks went, its
/// rows, and the derived metrics' tasks it leaves for later.
struct LaStage {
    la: LaCode,
    years: Vec<CollectionYear>,
    /// (year, metric index, status): not computed because of the gate.
    gated: Vec<(i32, usize, TaskStatus)>,
    /// (metric index, each year's result).
    results: Vec<(usize, Vec<TaskResult>)>,
    /// (metric index, task) of the derived metrics.
    derived: Vec<(usize, DerivedTask)>,
    tasks_ms: u128,
}

impl<'m> Enabled<'m> {
    fn new(config: &Config, metrics: &'m [Box<dyn Metric>]) -> Result<Self, EngineError> {
        let list: Vec<(&dyn Metric, iro_metric_api::Params)> = metrics
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
        // Targets name measures: check them against every metric known (a
        // target on a metric switched off is "not computable", not an error).
        let known: Vec<&MetricSpec> = metrics.iter().map(|m| m.spec()).collect();
        for t in &config.targets {
            t.check_metric(&known).map_err(EngineError::Target)?;
        }
        Ok(Enabled {
            list,
            calendar: WorkingDayCalendar::england_and_wales(),
        })
    }

    /// Every enabled metric that is not derived over one authority's years
    /// (those of `[run] years`) that `gate` lets through, the metrics in
    /// parallel.
    fn la_stage(
        &self,
        config: &Config,
        cohort: &Cohort,
        gate: &crate::quality::Gate,
        reference: &Reference,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> LaStage {
        assert!(
            !cohort.records_released(),
            "metrics over a cohort whose records were let go"
        );
        let t0 = Instant::now();
        let la = cohort.la();
        let years: Vec<CollectionYear> = cohort
            .years()
            .filter(|y| config.run.years.is_empty() || config.run.years.contains(&y.0))
            .collect();
        let mut stage = LaStage {
            la,
            years: years.clone(),
            gated: Vec::new(),
            results: Vec::new(),
            derived: Vec::new(),
            tasks_ms: 0,
        };
        if years.is_empty() {
            return stage;
        }
        let mut tasks: Vec<(usize, Vec<CollectionYear>)> = Vec::new();
        for (mi, (metric, _)) in self.list.iter().enumerate() {
            let spec = metric.spec();
            let mut fit = Vec::with_capacity(years.len());
            for &year in &years {
                match gate.blocks(spec, la, year) {
                    Some(why) => stage.gated.push((
                        year.0,
                        mi,
                        TaskStatus {
                            la_code: la.to_string(),
                            year: year.0,
                            metric: spec.id.to_string(),
                            outcome: Outcome::NotComputable(why),
                        },
                    )),
                    None => fit.push(year),
                }
            }
            if fit.is_empty() {
                continue;
            }
            if metric.derived().is_some() {
                stage
                    .derived
                    .extend(fit.into_iter().map(|year| (mi, DerivedTask { la, year })));
            } else {
                tasks.push((mi, fit));
            }
        }
        progress(Progress::TasksStarted(tasks.len() as u64));
        let personal = config.output.personal;
        stage.results = tasks
            .par_iter()
            .map(|(mi, task_years)| {
                let (metric, params) = &self.list[*mi];
                let ctxs: Vec<MetricContext<'_>> = task_years
                    .iter()
                    .map(|&year| MetricContext {
                        cohort,
                        la: reference.la(la),
                        year,
                        reference,
                        calendar: &self.calendar,
                        params,
                    })
                    .collect();
                let result = run_task(*metric, &ctxs, personal);
                progress(Progress::TaskDone);
                (*mi, result)
            })
            .collect();
        stage.tasks_ms = t0.elapsed().as_millis();
        stage
    }

    /// Every authority's stage in one sorted table, with how each task went
    /// in the order of authority, year and metric (registry order), whatever
    /// the thread timing. `loaded` gives each authority's index; `metrics_ms`
    /// counts from `started`.
    fn assemble(
        self,
        mut stages: Vec<LaStage>,
        mut gate: crate::quality::Gate,
        loaded: &Loaded,
        started: Instant,
    ) -> PerAuthority<'m> {
        // Time on the worker threads, summed over authorities.
        let tasks_ms = stages.iter().map(|s| s.tasks_ms).sum();
        let t2 = Instant::now();
        stages.sort_by_key(|s| s.la);
        // `loaded.cohorts` is sorted by authority.
        let index_of = |la: LaCode| {
            loaded
                .cohorts
                .binary_search_by_key(&la, Cohort::la)
                .unwrap_or(usize::MAX)
        };
        let mut years: Vec<CollectionYear> = Vec::new();
        let mut keyed = Vec::new();
        let mut derived_tasks: Vec<Vec<(usize, DerivedTask)>> = vec![Vec::new(); self.list.len()];
        // Every task's rows moved into one table (each task's vector freed
        // as it goes), then sorted in place: no second copy of the table.
        let total: usize = stages
            .iter()
            .flat_map(|s| s.results.iter())
            .flat_map(|(_, task)| task.iter().map(|r| r.rows.len()))
            .sum();
        let mut rows: Vec<MetricRow> = Vec::with_capacity(total);
        for stage in stages {
            let ci = index_of(stage.la);
            for year in stage.years {
                if !years.contains(&year) {
                    years.push(year);
                }
            }
            for (year, mi, status) in stage.gated {
                gate.record(self.list[mi].0.spec(), stage.la, CollectionYear(year));
                keyed.push(((ci, year, mi), status, Vec::new()));
            }
            for (mi, task) in stage.results {
                for mut r in task {
                    rows.append(&mut r.rows);
                    keyed.push(((ci, r.status.year, mi), r.status, r.drilldowns));
                }
            }
            for (mi, task) in stage.derived {
                derived_tasks[mi].push((ci, task));
            }
        }
        years.sort();
        return_freed_memory();
        // Rows are unique by the sort key (authority, year, measure, period,
        // breakdown), so an unstable sort gives the same order every run.
        rows.par_sort_unstable_by(MetricRow::table_order);
        PerAuthority {
            enabled: self.list,
            gate,
            years,
            derived_tasks,
            keyed,
            rows,
            started,
            tasks_ms,
            sort_ms: t2.elapsed().as_millis(),
        }
    }
}

/// What the per-authority stage leaves for the rest of [`compute`]: the
/// table of every per-authority metric's rows, how each task went, and the
/// derived metrics' tasks. It borrows nothing of the cohorts' records, so
/// they can be let go before [`PerAuthority::finish`].
struct PerAuthority<'m> {
    enabled: Vec<(&'m dyn Metric, iro_metric_api::Params)>,
    gate: crate::quality::Gate,
    years: Vec<CollectionYear>,
    derived_tasks: Vec<Vec<(usize, DerivedTask)>>,
    keyed: Vec<(TaskKey, TaskStatus, Vec<PersonalTable>)>,
    rows: Vec<MetricRow>,
    started: Instant,
    tasks_ms: u128,
    /// Putting the rows in one table, in order.
    sort_ms: u128,
}

impl PerAuthority<'_> {
    /// The derived stage, then suppression and targets: the rest of
    /// [`compute`]. `loaded` is read for each cohort's authority, years and
    /// tables only (its records may have been let go).
    fn finish(
        self,
        config: &Config,
        loaded: &Loaded,
        reference: &Reference,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Computed {
        let PerAuthority {
            enabled,
            gate,
            years,
            derived_tasks,
            mut keyed,
            mut rows,
            started: t1,
            tasks_ms,
            sort_ms,
        } = self;
        let derived_count = derived_tasks.iter().filter(|t| !t.is_empty()).count();
        progress(Progress::TasksStarted(derived_count as u64));
        // The derived stage: metrics computed from the rows above (before
        // suppression), each over every authority and year at once.
        let t3 = Instant::now();
        if derived_count > 0 {
            let derived = derive(
                &enabled,
                &derived_tasks,
                &keyed,
                loaded,
                reference,
                &rows,
                progress,
            );
            let new_rows = sorted_rows(derived, &mut keyed);
            merge_sorted(&mut rows, new_rows);
        }
        let derived_ms = t3.elapsed().as_millis();
        let t4 = Instant::now();
        keyed.sort_by_key(|(k, _, _)| *k);
        let mut statuses = Vec::with_capacity(keyed.len());
        let mut drilldowns = Vec::new();
        for (_, status, drill) in keyed {
            statuses.push(status);
            drilldowns.extend(drill);
        }
        debug_assert!(rows.is_sorted_by(|a, b| MetricRow::table_order(a, b).is_le()));
        let specs: Vec<MetricSpec> = enabled.iter().map(|(m, _)| m.spec().clone()).collect();
        let relations: Vec<Relation> =
            crate::registry::relations_of(enabled.iter().map(|(m, _)| *m));
        let spec_refs: Vec<&MetricSpec> = specs.iter().collect();
        // Checked on the unsuppressed counts: the flag says only "far from the
        // DfE's figure", never the count.
        let quality = gate.finish(&config.quality, loaded, &rows, reference);
        suppress(&mut rows, &spec_refs, &relations, &config.suppression);
        // A rank, a z-score or a trend of a figure suppression hid is
        // withheld with it.
        let derived: Vec<(
            &str,
            &dyn iro_metric_api::DerivedMetric,
            &iro_metric_api::Params,
        )> = enabled
            .iter()
            .filter_map(|(m, p)| m.derived().map(|d| (m.spec().id, d, p)))
            .collect();
        if !derived.is_empty() {
            crate::suppress::withhold_computed(&mut rows, |r| {
                let (_, d, p) = derived.iter().find(|(id, _, _)| r.metric.metric() == *id)?;
                d.computed_from(r, p)
            });
        }
        let suppression_ms = sort_ms + t4.elapsed().as_millis();

        let mut las: Vec<String> = loaded.cohorts.iter().map(|c| c.la().to_string()).collect();
        las.sort();
        let year_numbers: Vec<i32> = years.iter().map(|y| y.0).collect();
        let targets = crate::targets::evaluate(&config.targets, &rows, &las, &year_numbers);
        let metrics_ms = t1.elapsed().as_millis();

        Computed {
            rows,
            quality,
            statuses,
            specs,
            relations,
            years,
            drilldowns,
            targets,
            metrics_ms,
            tasks_ms,
            derived_ms,
            suppression_ms,
        }
    }
}

/// Gives the memory freed so far back to the system. The system allocator
/// of Linux (glibc) keeps what a program frees for its next allocations, and
/// a run frees most of a gigabyte in many small pieces (each authority's
/// records, each task's rows) just before it makes the one large table:
/// without this the process would hold both. Elsewhere a no-op.
#[allow(unsafe_code)]
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free heap pages to the system; it
    // is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The derived tasks' rows in [`MetricRow::table_order`], their statuses
/// added to `keyed`. Each task's rows are sorted on their own, in parallel,
/// and the tasks put in the order of their first rows: a task's rows are
/// usually one authority and year, so that is the whole table's order,
/// checked in one pass; when it is not, the whole is sorted again.
fn sorted_rows(
    mut derived: Vec<(TaskKey, TaskStatus, Vec<MetricRow>)>,
    keyed: &mut Vec<(TaskKey, TaskStatus, Vec<PersonalTable>)>,
) -> Vec<MetricRow> {
    derived
        .par_iter_mut()
        .for_each(|(_, _, rows)| rows.sort_unstable_by(MetricRow::table_order));
    let mut parts: Vec<Vec<MetricRow>> = Vec::with_capacity(derived.len());
    for (key, status, task_rows) in derived {
        keyed.push((key, status, Vec::new()));
        if !task_rows.is_empty() {
            parts.push(task_rows);
        }
    }
    parts.sort_by(|a, b| MetricRow::table_order(&a[0], &b[0]));
    let mut rows = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for mut p in parts {
        rows.append(&mut p);
    }
    if !rows.is_sorted_by(|a, b| MetricRow::table_order(a, b).is_le()) {
        rows.par_sort_unstable_by(MetricRow::table_order);
    }
    rows
}

/// Merges `more` into `rows`, both in [`MetricRow::table_order`], in place:
/// one exact reservation (growing by doubling would hold half as many rows
/// again as there are), then filled from the back, so no row is held twice
/// and nothing is sorted again.
fn merge_sorted(rows: &mut Vec<MetricRow>, more: Vec<MetricRow>) {
    let Some(&filler) = more.first() else {
        return;
    };
    let (n, m) = (rows.len(), more.len());
    rows.reserve_exact(m);
    // Placeholders, overwritten below (every row is `Copy`).
    rows.resize(n + m, filler);
    let (mut i, mut j, mut k) = (n, m, n + m);
    while j > 0 {
        k -= 1;
        if i > 0 && MetricRow::table_order(&rows[i - 1], &more[j - 1]).is_gt() {
            i -= 1;
            rows[k] = rows[i];
        } else {
            j -= 1;
            rows[k] = more[j];
        }
    }
}

/// The key statuses are ordered by: cohort index, year, metric index.
type TaskKey = (usize, i32, usize);

/// Runs each derived metric over its tasks, reading `rows` (every
/// per-authority metric's, sorted, unsuppressed) and `keyed` (how each of
/// those went). A derived metric that panics is run again for each
/// authority on its own.
fn derive(
    enabled: &[(&dyn Metric, iro_metric_api::Params)],
    derived_tasks: &[Vec<(usize, DerivedTask)>],
    keyed: &[(TaskKey, TaskStatus, Vec<PersonalTable>)],
    loaded: &Loaded,
    reference: &Reference,
    rows: &[MetricRow],
    progress: &(dyn Fn(Progress) + Sync),
) -> Vec<(TaskKey, TaskStatus, Vec<MetricRow>)> {
    // How every per-authority task went, by metric, authority and year.
    let outcomes: FxHashMap<(usize, LaCode, i32), &Outcome> = keyed
        .iter()
        .map(|((ci, year, mi), status, _)| {
            ((*mi, loaded.cohorts[*ci].la(), *year), &status.outcome)
        })
        .collect();
    // The parameters each metric runs with that differ from its defaults.
    let changed: Vec<Vec<String>> = enabled
        .iter()
        .map(|(m, params)| {
            let defaults = m
                .spec()
                .resolve_params(&iro_metric_api::Params::new())
                .unwrap_or_default();
            params
                .iter()
                .filter(|(k, v)| defaults.get(*k) != Some(*v))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (mi, tasks) in derived_tasks.iter().enumerate() {
        if tasks.is_empty() {
            continue;
        }
        let (metric, params) = &enabled[mi];
        let Some(derived) = metric.derived() else {
            continue;
        };
        let just_tasks: Vec<DerivedTask> = tasks.iter().map(|(_, t)| *t).collect();
        let source = |metric: &str, la: LaCode, year: CollectionYear| -> SourceState<'_> {
            let Some(mi) = enabled.iter().position(|(m, _)| m.spec().id == metric) else {
                return SourceState::NotRun;
            };
            if !changed[mi].is_empty() {
                return SourceState::NonDefault(&changed[mi]);
            }
            match outcomes.get(&(mi, la, year.0)) {
                Some(Outcome::Ok(_)) => SourceState::Computed,
                Some(Outcome::NotComputable(why)) => SourceState::NotComputable(why),
                Some(Outcome::Failed(why)) => SourceState::Failed(why),
                None => SourceState::NotComputable("no data for this authority and year"),
            }
        };
        let input = DerivedInput::new(&just_tasks, reference, params, rows, &source);
        let all = catch_unwind(AssertUnwindSafe(|| derived.derive(&input)))
            .ok()
            .filter(|r| r.len() == just_tasks.len());
        let results: Vec<Result<Result<Vec<MetricRow>, MetricError>, String>> = match all {
            Some(results) => results.into_iter().map(Ok).collect(),
            // A panic (or a wrong number of results): each authority on its
            // own, so the others still report.
            None => just_tasks
                .chunk_by(|a, b| a.la == b.la)
                .flat_map(|one| {
                    let input = input.with_tasks(one);
                    match catch_unwind(AssertUnwindSafe(|| derived.derive(&input))) {
                        Ok(r) if r.len() == one.len() => r.into_iter().map(Ok).collect(),
                        Ok(_) => vec![Err("wrong number of results".to_string()); one.len()],
                        Err(payload) => {
                            vec![Err(panic_message(payload.as_ref())); one.len()]
                        }
                    }
                })
                .collect(),
        };
        let id = metric.spec().id;
        for ((ci, task), result) in tasks.iter().zip(results) {
            let (outcome, task_rows) = match result {
                Ok(Ok(r)) => (Outcome::Ok(r.len()), r),
                Ok(Err(MetricError::NotComputable(why))) => (Outcome::NotComputable(why), vec![]),
                Ok(Err(e)) => (Outcome::Failed(e.to_string()), vec![]),
                Err(message) => (Outcome::Failed(format!("panicked: {message}")), vec![]),
            };
            out.push((
                (*ci, task.year.0, mi),
                TaskStatus {
                    la_code: task.la.to_string(),
                    year: task.year.0,
                    metric: id.to_string(),
                    outcome,
                },
                task_rows,
            ));
        }
        progress(Progress::TaskDone);
    }
    out
}

/// What [`compute`] produced.
#[derive(Debug)]
pub struct Computed {
    /// Suppressed, sorted tidy rows.
    pub rows: Vec<MetricRow>,
    /// What the data-quality gate found.
    pub quality: crate::quality::DataQuality,
    pub statuses: Vec<TaskStatus>,
    pub specs: Vec<MetricSpec>,
    /// Every relation the enabled metrics declare (secondary suppression).
    pub relations: Vec<Relation>,
    pub years: Vec<CollectionYear>,
    pub drilldowns: Vec<PersonalTable>,
    /// `[[targets]]`, met or not, per authority, year and period.
    pub targets: Vec<TargetResult>,
    /// Metric tasks, sorting, suppression and targets.
    pub metrics_ms: u128,
    /// Of which the metric tasks.
    pub tasks_ms: u128,
    /// Of which the derived stage, with the sort of its rows into the rest.
    pub derived_ms: u128,
    /// Of which sorting and suppression.
    pub suppression_ms: u128,
}

/// One year's output of one task.
struct TaskResult {
    status: TaskStatus,
    rows: Vec<MetricRow>,
    drilldowns: Vec<PersonalTable>,
}

type YearOutput = Result<(Vec<MetricRow>, Vec<DrillDown>), MetricError>;

/// Runs one metric for one authority over its years, containing any panic:
/// all years at once, then, should that fail as a whole, year by year.
fn run_task(metric: &dyn Metric, ctxs: &[MetricContext<'_>], personal: bool) -> Vec<TaskResult> {
    let together = catch_unwind(AssertUnwindSafe(|| {
        let computed = metric.compute_years(ctxs);
        if computed.len() != ctxs.len() {
            return None;
        }
        Some(
            computed
                .into_iter()
                .zip(ctxs)
                .map(|(rows, ctx)| -> YearOutput {
                    let rows = rows?;
                    let drill = if personal {
                        metric.drilldown(ctx)?
                    } else {
                        Vec::new()
                    };
                    Ok((rows, drill))
                })
                .collect::<Vec<_>>(),
        )
    }));
    let outputs: Vec<Result<YearOutput, String>> = match together {
        Ok(Some(outputs)) => outputs.into_iter().map(Ok).collect(),
        // A panic (or a wrong number of results) in the batch: every year on
        // its own, so the years that work still report.
        Ok(None) | Err(_) => ctxs
            .iter()
            .map(|ctx| {
                catch_unwind(AssertUnwindSafe(|| -> YearOutput {
                    let rows = metric.compute(ctx)?;
                    let drill = if personal {
                        metric.drilldown(ctx)?
                    } else {
                        Vec::new()
                    };
                    Ok((rows, drill))
                }))
                .map_err(|payload| panic_message(payload.as_ref()))
            })
            .collect(),
    };
    let id = metric.spec().id;
    outputs
        .into_iter()
        .zip(ctxs)
        .map(|(output, ctx)| {
            // Figures needing a column the files lacked: not computable.
            let output = output.map(|o| {
                let (rows, drill) = o?;
                iro_metric_api::apply_column_needs(metric.spec(), ctx, Ok(rows))
                    .map(|rows| (rows, drill))
            });
            let (outcome, rows, drill) = match output {
                // Sorted with every other task's rows afterwards.
                Ok(Ok((rows, drill))) => (Outcome::Ok(rows.len()), rows, drill),
                Ok(Err(MetricError::NotComputable(why))) => {
                    (Outcome::NotComputable(why), vec![], vec![])
                }
                Ok(Err(e)) => (Outcome::Failed(e.to_string()), vec![], vec![]),
                Err(message) => (
                    Outcome::Failed(format!("panicked: {message}")),
                    vec![],
                    vec![],
                ),
            };
            let la_code = ctx.cohort.la().to_string();
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
        })
        .collect()
}

/// A child-level table from one task: personal data, for `out/personal/` only.
#[derive(Debug, Clone)]
pub struct PersonalTable {
    pub la_code: String,
    pub year: i32,
    pub metric: String,
    pub table: DrillDown,
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    iro_metric_api::panic_message(payload).unwrap_or_else(|| "unknown panic".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_metric_api::{AreaCode, Breakdown, MeasureId, Unit};
    use proptest::prelude::*;

    fn row(la: u16, year: i32, band: u8) -> MetricRow {
        MetricRow::new(
            AreaCode::new(&format!("{la:03}")),
            year,
            iro_metric_api::Period::Year,
            MeasureId::new("test.n"),
            Unit::Count,
        )
        .with_breakdown(Breakdown::one("band", band.to_string()))
    }

    proptest! {
        /// Merging two sorted tables gives what sorting them together gives.
        #[test]
        fn merging_sorted_rows_is_sorting_them_together(
            a in prop::collection::btree_set((800u16..804, 2021i32..2026, 0u8..20), 0..60),
            b in prop::collection::btree_set((800u16..804, 2021i32..2026, 20u8..40), 0..60),
        ) {
            let mut left: Vec<MetricRow> = a.iter().map(|&(l, y, k)| row(l, y, k)).collect();
            let mut right: Vec<MetricRow> = b.iter().map(|&(l, y, k)| row(l, y, k)).collect();
            left.sort_by(MetricRow::table_order);
            right.sort_by(MetricRow::table_order);
            let mut expected: Vec<MetricRow> = left.iter().chain(&right).copied().collect();
            expected.sort_by(MetricRow::table_order);
            merge_sorted(&mut left, right);
            prop_assert_eq!(left, expected);
        }
    }
}
