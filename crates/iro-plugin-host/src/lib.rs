//! # iro-plugin-host
//!
//! Loads run-time metric plugins (shared libraries built against
//! `iro-plugin-sdk`, IRO plugin ABI v1) and presents each of their metrics as
//! a `Box<dyn iro_metric_api::Metric>`, so the engine runs them like built-ins
//! (and suppresses their small numbers like any other row: plugins never do).
//!
//! * **Trust.** A plugin loads only from a path listed in `iro.toml`
//!   (`[[plugins]]`, see [`PluginConfig`]) whose SHA-256 matches; the bytes
//!   loaded are the bytes hashed (a private copy is loaded). The library is
//!   never unloaded.
//! * **Checks**, each a typed [`LoadError`] naming the file, in this order:
//!   allow-list, hash, descriptor symbol, magic, ABI major (equal), ABI minor
//!   (not newer than the host's), descriptor size, data contract, entry points,
//!   `panic = "unwind"` (in-process only), `set_host_info`, `list_metrics`
//!   (with the relations a 1.2 plugin declares, [`relations_of`]).
//! * **Calls.** The cohort is exported to Arrow once per cohort (within a
//!   [`CacheScope`]) and passed by reference; every output is validated in full
//!   ([`validate::to_metric_rows`]) before it becomes [`MetricRow`]s. A plugin
//!   that returns an error or panics fails that task only; the run goes on.
//! * **Isolation.** With `isolation = "process"` (the default) each call runs
//!   in a child `iro plugin-worker` ([`worker`]), so an abort or a segfault is a
//!   clean error too.
//!
//! Wiring (for the engine and CLI):
//!
//! ```ignore
//! let host = iro_plugin_host::Host::new(config.plugins.clone(), HostOptions::default());
//! let mut metrics = iro_engine::builtin_metrics();
//! metrics.extend(host.metrics()?);            // Box<dyn Metric> each
//! let _scope = host.cache_scope();            // one Arrow export per cohort
//! let computed = iro_engine::compute(&config, &loaded, &reference, &metrics, &progress)?;
//! ```

mod error;
pub mod export;
mod load;
mod report;
pub mod validate;
mod wire;
pub mod worker;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arrow_array::RecordBatch;
use iro_domain::TableKind;
use iro_metric_api::{
    DrillDown, MeasureId, MeasureSpec, Metric, MetricContext, MetricError, MetricRow, MetricSpec,
    ParamSpec, Relation,
};
use iro_plugin_sdk::client::{CallError, Client};
use iro_plugin_sdk::{HostInfo, MetricInfo, abi};
use serde::{Deserialize, Serialize};

pub use error::{LoadError, LoadErrorKind};
pub use export::{CacheScope, CohortTables, export_cohort};
pub use load::sha256_hex;
pub use report::Report;
pub use worker::WorkerCommand;

use export::ExportCache;
use worker::{CallSpec, WorkerError};

/// How a plugin is run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Isolation {
    /// In a child `iro plugin-worker` per call: a crash is contained. The
    /// default, for libraries built outside this workspace.
    #[default]
    Process,
    /// Loaded into `iro` itself: fastest; a panic is caught, but an abort or
    /// a segfault ends the run. Requires a `panic = "unwind"` build.
    InProcess,
}

/// One `[[plugins]]` entry of `iro.toml`:
///
/// ```toml
/// [[plugins]]
/// path = "plugins/libmy_metric.so"   # relative to iro.toml
/// sha256 = "3f1c…"                    # `iro plugins check` prints it
/// isolation = "process"               # or "in-process"
/// ```
///
/// Parameters of a plugin's metrics go under `[metrics.<id>]`, as for
/// built-ins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginConfig {
    pub path: PathBuf,
    pub sha256: String,
    #[serde(default)]
    pub isolation: Isolation,
    /// Loaded for one run by `iro run --dev-plugin`, pinned to the file's
    /// hash at the start of that run rather than by iro.toml: recorded in
    /// run.json, never read from iro.toml.
    #[serde(
        default,
        skip_deserializing,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub development: bool,
}

/// Host-wide settings.
#[derive(Debug, Clone)]
pub struct HostOptions {
    /// How to start `iro plugin-worker` (default: this executable).
    pub worker: WorkerCommand,
    /// Threads a plugin may use for its own parallelism.
    pub max_threads: u32,
    /// A worker still running after this long is stopped (`None`: never).
    pub timeout: Option<Duration>,
    /// Reported to plugins as the host version.
    pub host_version: String,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            worker: WorkerCommand::default(),
            max_threads: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
            timeout: Some(Duration::from_secs(300)),
            host_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

impl HostOptions {
    fn host_info(&self) -> HostInfo {
        HostInfo {
            host_name: "iro".into(),
            host_version: self.host_version.clone(),
            abi_major: abi::ABI_MAJOR,
            abi_minor: abi::ABI_MINOR,
            max_threads: self.max_threads.max(1),
            data_contract: abi::DATA_CONTRACT.into(),
        }
    }
}

/// The SSDA903 table with this DfE name (`Episodes`, `SWEpisodes`…).
pub fn table_kind(name: &str) -> Option<TableKind> {
    TableKind::ALL.into_iter().find(|k| k.name() == name)
}

/// Loads the plugins an `iro.toml` allows.
#[derive(Debug)]
pub struct Host {
    allowed: Vec<PluginConfig>,
    opts: HostOptions,
    cache: Arc<ExportCache>,
}

impl Host {
    /// `allowed`: the `[[plugins]]` entries, paths already resolved against
    /// iro.toml's folder.
    pub fn new(allowed: Vec<PluginConfig>, opts: HostOptions) -> Host {
        Host {
            allowed,
            opts,
            cache: Arc::new(ExportCache::default()),
        }
    }

    pub fn allowed(&self) -> &[PluginConfig] {
        &self.allowed
    }

    pub fn options(&self) -> &HostOptions {
        &self.opts
    }

    /// Loads the library at `path`, which must be on the allow-list.
    pub fn load(&self, path: &Path) -> Result<Plugin, LoadError> {
        let err = |kind| LoadError::new(path, kind);
        let canonical = path
            .canonicalize()
            .map_err(|e| err(LoadErrorKind::Read(e.to_string())))?;
        let cfg = self
            .allowed
            .iter()
            .find(|c| c.path.canonicalize().is_ok_and(|p| p == canonical))
            .ok_or_else(|| err(LoadErrorKind::NotAllowed))?;
        self.load_entry(cfg)
    }

    /// Loads every allowed plugin, each on its own (for `iro plugins list`).
    pub fn load_each(&self) -> Vec<Result<Plugin, LoadError>> {
        self.allowed.iter().map(|c| self.load_entry(c)).collect()
    }

    /// Loads every allowed plugin; the first failure is the error.
    pub fn load_all(&self) -> Result<Vec<Plugin>, LoadError> {
        self.allowed.iter().map(|c| self.load_entry(c)).collect()
    }

    /// Every metric of every allowed plugin, ready for the engine. Metric ids
    /// must be unique across plugins (the caller should also check them
    /// against the built-ins).
    pub fn metrics(&self) -> Result<Vec<Box<dyn Metric>>, LoadError> {
        let plugins = self.load_all()?;
        let mut seen: Vec<(String, PathBuf)> = Vec::new();
        let mut out = Vec::new();
        for p in &plugins {
            for m in &p.report.metrics {
                if let Some((_, other)) = seen.iter().find(|(id, _)| *id == m.id) {
                    return Err(LoadError::new(
                        &p.config.path,
                        LoadErrorKind::BadMetric(format!(
                            "metric `{}` is also provided by {}",
                            m.id,
                            other.display()
                        )),
                    ));
                }
                seen.push((m.id.clone(), p.config.path.clone()));
            }
            out.extend(p.metrics());
        }
        Ok(out)
    }

    /// Shares one Arrow export per cohort among plugin calls while the guard
    /// lives (keyed by [`iro_domain::Cohort::stamp`], so a cohort changed or
    /// let go is never given another's export; the last few cohorts only).
    /// Open it around a run; without it every call exports the cohort
    /// afresh, which is correct but slower.
    pub fn cache_scope(&self) -> CacheScope {
        CacheScope::new(self.cache.clone())
    }

    fn load_entry(&self, cfg: &PluginConfig) -> Result<Plugin, LoadError> {
        let err = |kind| LoadError::new(&cfg.path, kind);
        let expected = load::normalise_hash(&cfg.sha256).map_err(err)?;
        let (report, client) = match cfg.isolation {
            Isolation::InProcess => {
                let o = load::open(&cfg.path, Some(&expected), true, &self.opts.host_info())
                    .map_err(err)?;
                (o.report, Some(o.client))
            }
            Isolation::Process => {
                // Check the hash here too, so a wrong file is reported the same
                // way whichever the isolation; the worker checks it again.
                let bytes = std::fs::read(&cfg.path)
                    .map_err(|e| err(LoadErrorKind::Read(e.to_string())))?;
                let actual = sha256_hex(&bytes);
                if actual != expected {
                    return Err(err(LoadErrorKind::HashMismatch { expected, actual }));
                }
                let r =
                    worker::describe(&self.opts.worker, &cfg.path, &expected, self.opts.timeout)
                        .map_err(err)?;
                load::check_metrics(&r.metrics).map_err(|m| err(LoadErrorKind::BadMetric(m)))?;
                (r, None)
            }
        };
        let specs = report
            .metrics
            .iter()
            .map(|m| {
                let spec = spec_of(m).map_err(|e| err(LoadErrorKind::BadMetric(e)))?;
                // Relations are read from a 1.2 plugin only (load::open
                // leaves an older one's out, and so does this).
                let relations = if report.abi_minor >= abi::RELATIONS_SINCE_MINOR {
                    relations_of(m).map_err(|e| err(LoadErrorKind::BadMetric(e)))?
                } else {
                    &[]
                };
                Ok((spec, relations))
            })
            .collect::<Result<Vec<_>, LoadError>>()?;
        Ok(Plugin {
            config: cfg.clone(),
            inner: Arc::new(Inner {
                path: cfg.path.clone(),
                sha256: expected,
                thread_safe: report.thread_safe,
                abi_minor: report.abi_minor,
                client,
                opts: self.opts.clone(),
                cache: self.cache.clone(),
                call_lock: Mutex::new(()),
                workers: worker::Pool::default(),
            }),
            specs,
            report,
        })
    }
}

/// Checks a library without computing anything: hash, ABI, data contract,
/// metrics (for `iro plugins check`). Loads it into this process.
pub fn check(path: &Path) -> Result<Report, LoadError> {
    load::open(path, None, false, &HostOptions::default().host_info())
        .map(|o| o.report)
        .map_err(|k| LoadError::new(path, k))
}

/// [`check`] in a worker process, so a library that crashes on load cannot
/// take the caller with it.
pub fn check_isolated(path: &Path, opts: &HostOptions) -> Result<Report, LoadError> {
    worker::describe(&opts.worker, path, "", opts.timeout).map_err(|k| LoadError::new(path, k))
}

/// A loaded, checked plugin: what it is ([`Plugin::report`], for
/// `iro plugins list`) and its metrics for the engine.
#[derive(Debug)]
pub struct Plugin {
    config: PluginConfig,
    report: Report,
    /// Each metric's spec and relations, as the engine reads a built-in's.
    specs: Vec<(&'static MetricSpec, &'static [Relation])>,
    inner: Arc<Inner>,
}

impl Plugin {
    pub fn config(&self) -> &PluginConfig {
        &self.config
    }

    pub fn report(&self) -> &Report {
        &self.report
    }

    pub fn isolation(&self) -> Isolation {
        self.config.isolation
    }

    /// Its metrics as engine metrics.
    pub fn metrics(&self) -> Vec<Box<dyn Metric>> {
        self.report
            .metrics
            .iter()
            .zip(&self.specs)
            .map(|(info, &(spec, relations))| {
                Box::new(PluginMetric {
                    info: info.clone(),
                    spec,
                    relations,
                    inner: self.inner.clone(),
                }) as Box<dyn Metric>
            })
            .collect()
    }
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    sha256: String,
    thread_safe: bool,
    /// In-process only.
    client: Option<Client>,
    opts: HostOptions,
    cache: Arc<ExportCache>,
    /// The plugin's ABI minor (1.1 added drill-downs).
    abi_minor: u16,
    /// Serialises calls into a plugin that is not thread-safe.
    call_lock: Mutex<()>,
    /// Isolated only: the serving workers.
    workers: worker::Pool,
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// The engine's spec of a plugin metric. Leaked once per load: a plugin's
/// metrics live as long as the process, like its library.
pub fn spec_of(m: &MetricInfo) -> Result<&'static MetricSpec, String> {
    let requires = m
        .requires
        .iter()
        .map(|t| table_kind(t).ok_or_else(|| format!("unknown table `{t}`")))
        .collect::<Result<Vec<_>, _>>()?;
    let measures = m
        .measures
        .iter()
        .map(|me| {
            Ok(MeasureSpec {
                id: MeasureId::parse(&format!("{}.{}", m.id, me.id)).ok_or_else(|| {
                    format!("measure id `{}.{}` is not metric.measure", m.id, me.id)
                })?,
                title: leak(&me.title),
                // The SDK's unit is the metric API's (`iro-vocabulary`).
                unit: me.unit,
                additive_breakdowns: Vec::leak(
                    me.additive_breakdowns.iter().map(|s| leak(s)).collect(),
                ),
                // A run-time plugin is not trusted to say that a count is
                // not of children: every count it returns is suppressed.
                subject: iro_metric_api::Subject::Children,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let params = m
        .params
        .iter()
        .map(|p| ParamSpec {
            name: leak(&p.name),
            default: p.default.clone(),
            help: leak(&p.help),
        })
        .collect::<Vec<_>>();
    Ok(Box::leak(Box::new(MetricSpec {
        id: leak(&m.id),
        title: leak(&m.title),
        version: leak(&m.version),
        requires: Vec::leak(requires),
        // A run-time plugin cannot declare columns yet (ABI 1.x).
        needs: &[],
        measures: Vec::leak(measures),
        params: Vec::leak(params),
    })))
}

/// The relations a plugin metric declares (ABI 1.2), as the built-in
/// metrics' own [`Relation`] values: the engine's secondary suppression
/// (`iro_engine::registry::relations_of`, through [`Metric::relations`])
/// protects them exactly as it does a built-in's. Leaked once per load, like
/// the spec. The description was checked ([`MetricInfo::check`]): every name
/// is `metric.measure`, this metric's are declared, breakdowns well formed.
pub fn relations_of(m: &MetricInfo) -> Result<&'static [Relation], String> {
    use iro_metric_api::symbol::intern;
    use iro_metric_api::{Cells, Field, Rows, Term};
    use iro_plugin_sdk::relation as sdk;

    let measure = |name: &str| {
        MeasureId::parse(name).ok_or_else(|| format!("`{name}` is not a measure (metric.measure)"))
    };
    let field = |f: sdk::Field| match f {
        sdk::Field::Numerator => Field::Numerator,
        sdk::Field::Denominator => Field::Denominator,
    };
    let term = |t: &sdk::Term| -> Result<Term, String> {
        Ok(Term {
            metric: measure(&t.measure)?,
            rows: match &t.breakdown {
                None => Rows::Each,
                // As `metrics.csv` shows it, which is how the engine matches it.
                Some(b) => Rows::Only(intern(&iro_metric_api::Breakdown::parse(b).to_string())),
            },
            field: field(t.field),
        })
    };
    let cells = |c: &sdk::Cells| -> Result<Cells, String> {
        Ok(Cells {
            metric: measure(&c.measure)?,
            keys: intern(&c.keys),
            by: intern(&c.by),
            field: field(c.field),
        })
    };
    let out = m
        .relations
        .iter()
        .map(|r| {
            Ok(match r.clone().qualified(&m.id) {
                sdk::Relation::Sum { total, parts } => Relation::Sum {
                    total: term(&total)?,
                    parts: Vec::leak(parts.iter().map(term).collect::<Result<Vec<_>, _>>()?),
                },
                sdk::Relation::QuartersSumToYear { term: t } => {
                    Relation::QuartersSumToYear(term(&t)?)
                }
                sdk::Relation::BreakdownSumsToTotal {
                    measure: name,
                    key,
                    field: f,
                } => Relation::BreakdownSumsToTotal {
                    metric: measure(&name)?,
                    key: intern(&key),
                    field: field(f),
                },
                sdk::Relation::SumByValue { parts, total } => Relation::SumByValue {
                    parts: cells(&parts)?,
                    total: cells(&total)?,
                },
                sdk::Relation::Regroup {
                    parts,
                    total,
                    groups,
                } => Relation::Regroup {
                    parts: cells(&parts)?,
                    total: cells(&total)?,
                    groups: Vec::leak(groups.iter().map(|(a, b)| (intern(a), intern(b))).collect()),
                },
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Vec::leak(out))
}

/// A plugin's metric, as the engine sees it.
#[derive(Debug)]
pub struct PluginMetric {
    info: MetricInfo,
    spec: &'static MetricSpec,
    relations: &'static [Relation],
    inner: Arc<Inner>,
}

impl PluginMetric {
    /// The plugin library it comes from.
    pub fn library(&self) -> &Path {
        &self.inner.path
    }

    /// One call into the plugin, in-process or in a worker: the metric's
    /// figures, or with `drilldown` its child-level tables in long form
    /// (`None`: the plugin has none).
    fn call(
        &self,
        ctx: &MetricContext<'_>,
        drilldown: bool,
    ) -> Result<Option<RecordBatch>, MetricError> {
        let inner = &*self.inner;
        let tables = inner
            .cache
            .get(ctx.cohort, ctx.reference)
            .map_err(MetricError::Failed)?;
        let la_code = tables.la_code.as_str();
        let year = ctx.year.0;
        let params = serde_json::to_string(ctx.params)
            .map_err(|e| MetricError::Failed(format!("parameters: {e}")))?;
        match &inner.client {
            Some(client) => {
                if drilldown && !client.has_drilldown() {
                    return Ok(None);
                }
                let _guard = (!inner.thread_safe)
                    .then(|| inner.call_lock.lock().unwrap_or_else(|e| e.into_inner()));
                let mut exported =
                    iro_plugin_sdk::ffi::export_tables(&tables.tables, la_code, year)
                        .map_err(MetricError::Failed)?;
                let id = &self.info.id;
                if drilldown {
                    client.drilldown(id, year, la_code, &params, &mut exported)
                } else {
                    client
                        .compute(id, year, la_code, &params, &mut exported)
                        .map(Some)
                }
                .map_err(call_error)
            }
            None => {
                if drilldown && inner.abi_minor < 1 {
                    return Ok(None);
                }
                let body = tables.wire().map_err(MetricError::Failed)?;
                let call = CallSpec {
                    lib: &inner.path,
                    sha256: &inner.sha256,
                    metric: &self.info.id,
                    year,
                    la_code,
                    params: &params,
                    max_threads: inner.opts.max_threads,
                    host_version: &inner.opts.host_version,
                    drilldown,
                };
                inner
                    .workers
                    .compute(&inner.opts.worker, &call, body, inner.opts.timeout)
                    .map(Some)
                    .map_err(|e| match e {
                        WorkerError::Call(c) => call_error(c),
                        WorkerError::InvalidOutput(m) => {
                            MetricError::Failed(format!("the plugin returned invalid output: {m}"))
                        }
                        WorkerError::Load(k) => {
                            MetricError::Failed(format!("plugin {}: {k}", inner.path.display()))
                        }
                        WorkerError::Worker(m) => MetricError::Failed(format!(
                            "plugin {} (isolated): {m}",
                            inner.path.display()
                        )),
                    })
            }
        }
    }

    fn rows(&self, ctx: &MetricContext<'_>) -> Result<Vec<MetricRow>, MetricError> {
        let batch = self
            .call(ctx, false)?
            .ok_or_else(|| MetricError::Failed("the plugin returned no table".into()))?;
        validate::to_metric_rows(
            &batch,
            &self.info,
            ctx.cohort.la().to_string().as_str(),
            ctx.year.0,
        )
        .map_err(|e| MetricError::Failed(format!("the plugin returned invalid output: {e}")))
    }

    fn drilldowns(&self, ctx: &MetricContext<'_>) -> Result<Vec<DrillDown>, MetricError> {
        let Some(batch) = self.call(ctx, true)? else {
            return Ok(Vec::new());
        };
        let tables = iro_plugin_sdk::drilldown::from_long_form(&batch).map_err(|e| {
            MetricError::Failed(format!("the plugin returned an invalid drill-down: {e}"))
        })?;
        Ok(tables
            .into_iter()
            .map(|t| DrillDown {
                name: intern(&t.name),
                title: intern(&t.title),
                columns: intern_columns(&t.columns),
                rows: t.rows,
            })
            .collect())
    }
}

/// A string kept for the rest of the process, once per distinct value: the
/// engine's drill-down tables name themselves with `&'static str`, and a
/// plugin's names and columns are few.
fn intern(s: &str) -> &'static str {
    static SEEN: std::sync::OnceLock<Mutex<std::collections::HashSet<&'static str>>> =
        std::sync::OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    match seen.get(s) {
        Some(&k) => k,
        None => {
            let k = leak(s);
            seen.insert(k);
            k
        }
    }
}

/// As [`intern`], for a list of column names.
fn intern_columns(columns: &[String]) -> &'static [&'static str] {
    type Seen = Mutex<std::collections::HashSet<&'static [&'static str]>>;
    static SEEN: std::sync::OnceLock<Seen> = std::sync::OnceLock::new();
    let names: Vec<&'static str> = columns.iter().map(|c| intern(c)).collect();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    match seen.get(names.as_slice()) {
        Some(&k) => k,
        None => {
            let k: &'static [&'static str] = Vec::leak(names);
            seen.insert(k);
            k
        }
    }
}

fn call_error(e: CallError) -> MetricError {
    match e {
        CallError::Status { status, message } if status == abi::status::NOT_COMPUTABLE => {
            MetricError::NotComputable(message)
        }
        CallError::Status { status, message } if status == abi::status::PANIC => {
            MetricError::Failed(format!("the plugin panicked: {message}"))
        }
        CallError::Status { status, message } if status == abi::status::INVALID_INPUT => {
            MetricError::Failed(format!("the plugin rejected its input: {message}"))
        }
        CallError::Status { status, message } if status == abi::status::ERROR => {
            MetricError::Failed(message)
        }
        CallError::Status { status, message } => MetricError::Failed(format!(
            "the plugin returned unknown status {status}: {message}"
        )),
        CallError::MissingEntry(e) => {
            MetricError::Failed(format!("the plugin does not provide `{e}`"))
        }
        CallError::Protocol(m) => {
            MetricError::Failed(format!("the plugin broke the protocol: {m}"))
        }
        CallError::InvalidOutput(e) => {
            MetricError::Failed(format!("the plugin returned invalid output: {e}"))
        }
    }
}

impl Metric for PluginMetric {
    fn spec(&self) -> &MetricSpec {
        self.spec
    }

    fn compute_years(
        &self,
        ctxs: &[MetricContext<'_>],
    ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        ctxs.iter()
            .map(|ctx| contained(|| self.rows(ctx)))
            .collect()
    }

    fn drilldown(&self, ctx: &MetricContext<'_>) -> Result<Vec<DrillDown>, MetricError> {
        contained(|| self.drilldowns(ctx))
    }

    fn relations(&self) -> &[Relation] {
        self.relations
    }
}

/// Foreign data go through arrow-rs's import code: contain any panic there
/// (the engine would too, but the message is better here).
fn contained<T>(f: impl FnOnce() -> Result<T, MetricError>) -> Result<T, MetricError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| {
        let msg = iro_metric_api::panic_message(p.as_ref()).unwrap_or_default();
        Err(MetricError::Failed(format!(
            "reading the plugin's output panicked: {msg}"
        )))
    })
}
