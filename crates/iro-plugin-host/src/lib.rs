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
//!   clean error too. Workers end with `iro`, however it ends.
//! * **Timeouts.** A call has `timeout_s` (per `[[plugins]]` entry, else
//!   [`HostOptions::timeout`]) to answer. A worker that does not is stopped
//!   and the call fails alone; an in-process plugin cannot be stopped, so its
//!   call fails, the plugin is called no more, and the run must stop
//!   ([`CallBoard::hung_in_process`]; the error is a [`CallTimeout`]). The
//!   calls under way are on the host's [`CallBoard`], for a progress line.
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

mod calls;
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

pub use calls::{CallBoard, CallUnderWay, PluginCall};
pub use error::{CallTimeout, LoadError, LoadErrorKind};
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
/// timeout_s = 60                      # optional: most seconds one call may take
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
    /// Most time one call (one metric, one authority, one year) may take;
    /// [`HostOptions::timeout`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_s: Option<PluginTimeout>,
}

/// `timeout_s` of a `[[plugins]]` entry: a positive, finite number of
/// seconds (`60`, `2.5`), checked when iro.toml is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginTimeout(Duration);

impl PluginTimeout {
    /// The timeout of `seconds`, or why it is not one (the words an
    /// iro.toml error gives).
    pub fn from_secs(seconds: f64) -> Result<PluginTimeout, String> {
        // As written: `-1`, `2.5`, `1e300` (Display alone never uses exponents).
        let seconds_text = if seconds != 0.0 && !(1e-4..1e15).contains(&seconds.abs()) {
            format!("{seconds:e}")
        } else {
            seconds.to_string()
        };
        let fix = "write the most seconds one call (one metric, one authority, one year) may \
                   take, e.g. timeout_s = 60";
        if !seconds.is_finite() || seconds <= 0.0 {
            return Err(format!(
                "timeout_s = {seconds_text} is not a timeout: {fix} (a positive number; leave \
                 timeout_s out for the default of {} s)",
                DEFAULT_TIMEOUT.as_secs()
            ));
        }
        Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .map(PluginTimeout)
            .ok_or_else(|| format!("timeout_s = {seconds_text} is out of range: {fix}"))
    }

    pub fn duration(self) -> Duration {
        self.0
    }
}

impl Serialize for PluginTimeout {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.subsec_nanos() == 0 {
            s.serialize_u64(self.0.as_secs())
        } else {
            s.serialize_f64(self.0.as_secs_f64())
        }
    }
}

impl<'de> Deserialize<'de> for PluginTimeout {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Seconds;
        impl serde::de::Visitor<'_> for Seconds {
            type Value = PluginTimeout;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a positive number of seconds, e.g. timeout_s = 60")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<PluginTimeout, E> {
                PluginTimeout::from_secs(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PluginTimeout, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PluginTimeout, E> {
                self.visit_f64(v as f64)
            }
        }
        d.deserialize_any(Seconds)
    }
}

/// How long a call may take when its `[[plugins]]` entry sets no
/// `timeout_s`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Host-wide settings.
#[derive(Debug, Clone)]
pub struct HostOptions {
    /// How to start `iro plugin-worker` (default: this executable).
    pub worker: WorkerCommand,
    /// Threads a plugin may use for its own parallelism.
    pub max_threads: u32,
    /// How long a call may take when its `[[plugins]]` entry sets no
    /// `timeout_s` (`None`: for ever). A worker still running after it is
    /// stopped; an in-process call is given up on and the run must stop.
    pub timeout: Option<Duration>,
    /// Reported to plugins as the host version.
    pub host_version: String,
    /// The calls under way and those that timed out (a progress line reads
    /// them; the pipeline stops a run whose in-process plugin hung).
    pub calls: CallBoard,
    /// Pass each worker's stderr through to `iro`'s, line by line, prefixed
    /// with the plugin's name (`iro -v`); otherwise only its last lines are
    /// kept, for error messages. Workers then also print a plugin's panics.
    /// Default: whether `IRO_PLUGIN_VERBOSE` is set (and not `0`).
    pub show_stderr: bool,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            worker: WorkerCommand::default(),
            max_threads: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
            timeout: Some(DEFAULT_TIMEOUT),
            host_version: env!("CARGO_PKG_VERSION").to_string(),
            calls: CallBoard::default(),
            show_stderr: std::env::var_os("IRO_PLUGIN_VERBOSE").is_some_and(|v| v != "0"),
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

    /// To change the options before loading (the pipeline shares its call
    /// board and `-v` with the host).
    pub fn options_mut(&mut self) -> &mut HostOptions {
        &mut self.opts
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
        let timeout = cfg
            .timeout_s
            .map(PluginTimeout::duration)
            .or(self.opts.timeout);
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
                let r = worker::describe(
                    &self.opts.worker,
                    &cfg.path,
                    &expected,
                    timeout,
                    self.opts.show_stderr,
                )
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
                name: report.plugin_name.clone(),
                timeout,
                hung: Mutex::new(None),
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
    worker::describe(&opts.worker, path, "", opts.timeout, opts.show_stderr)
        .map_err(|k| LoadError::new(path, k))
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
    /// The plugin's name, from its descriptor.
    name: String,
    /// How long one call may take (`None`: for ever).
    timeout: Option<Duration>,
    /// In-process only: the call that hung. The plugin is called no more:
    /// its thread may still be inside it.
    hung: Mutex<Option<CallTimeout>>,
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
    /// (`None`: the plugin has none). On the host's [`CallBoard`] while it
    /// runs; a call past the plugin's timeout is a [`CallTimeout`].
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
        let year = ctx.year.0;
        let params = serde_json::to_string(ctx.params)
            .map_err(|e| MetricError::Failed(format!("parameters: {e}")))?;
        let what = PluginCall {
            plugin: inner.name.clone(),
            metric: self.info.id.clone(),
            la_code: tables.la_code.clone(),
            la_name: ctx.la.map(|l| l.name.clone()),
            year: ctx.year,
        };
        match inner.client {
            Some(client) => {
                if drilldown && !client.has_drilldown() {
                    return Ok(None);
                }
                let _guard = (!inner.thread_safe)
                    .then(|| inner.call_lock.lock().unwrap_or_else(|e| e.into_inner()));
                // Checked once the lock is held: a call queued behind the
                // one that hung must not go in after it.
                if let Some(earlier) = inner
                    .hung
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_ref()
                {
                    return Err(MetricError::Failed(format!(
                        "not called: an earlier call of this plugin ({}) gave no answer within \
                         {}, and a plugin loaded in-process is called no more after that",
                        earlier.call,
                        calls::seconds(earlier.timeout)
                    )));
                }
                let _on_board = inner.opts.calls.enter(what.clone(), inner.timeout);
                let id = self.info.id.clone();
                let run = move || {
                    let la_code = tables.la_code.as_str();
                    let mut exported =
                        iro_plugin_sdk::ffi::export_tables(&tables.tables, la_code, year)
                            .map_err(MetricError::Failed)?;
                    if drilldown {
                        client.drilldown(&id, year, la_code, &params, &mut exported)
                    } else {
                        client
                            .compute(&id, year, la_code, &params, &mut exported)
                            .map(Some)
                    }
                    .map_err(call_error)
                };
                let Some(timeout) = inner.timeout else {
                    return run();
                };
                match within(timeout, run) {
                    Waited::Answered(r) => r,
                    Waited::Panicked(msg) => Err(MetricError::Failed(format!(
                        "reading the plugin's output panicked: {msg}"
                    ))),
                    Waited::NoThread(e) => Err(MetricError::Failed(format!(
                        "cannot start a thread for the call: {e}"
                    ))),
                    Waited::TimedOut => {
                        let t = CallTimeout {
                            call: what,
                            path: inner.path.clone(),
                            timeout,
                            isolation: Isolation::InProcess,
                        };
                        *inner.hung.lock().unwrap_or_else(|e| e.into_inner()) = Some(t.clone());
                        inner.opts.calls.record_timeout(t.clone());
                        Err(MetricError::Failed(t.to_string()))
                    }
                }
            }
            None => {
                if drilldown && inner.abi_minor < 1 {
                    return Ok(None);
                }
                // A metric that hangs costs one timeout per thread, not one
                // per authority and year.
                if inner
                    .opts
                    .calls
                    .metric_timed_out(&inner.path, &self.info.id)
                {
                    return Err(MetricError::Failed(format!(
                        "not called: a call of metric `{}` (plugin `{}`) timed out earlier in \
                         this run",
                        self.info.id, inner.name
                    )));
                }
                let body = tables.wire().map_err(MetricError::Failed)?;
                let call = CallSpec {
                    lib: &inner.path,
                    sha256: &inner.sha256,
                    metric: &self.info.id,
                    year,
                    la_code: tables.la_code.as_str(),
                    params: &params,
                    max_threads: inner.opts.max_threads,
                    host_version: &inner.opts.host_version,
                    drilldown,
                    plugin: &inner.name,
                    show_stderr: inner.opts.show_stderr,
                };
                let _on_board = inner.opts.calls.enter(what.clone(), inner.timeout);
                inner
                    .workers
                    .compute(&inner.opts.worker, &call, body, inner.timeout)
                    .map(Some)
                    .map_err(|e| match e {
                        WorkerError::Call(c) => call_error(c),
                        WorkerError::InvalidOutput(m) => {
                            MetricError::Failed(format!("the plugin returned invalid output: {m}"))
                        }
                        WorkerError::Load(k) => {
                            MetricError::Failed(format!("plugin {}: {k}", inner.path.display()))
                        }
                        WorkerError::TimedOut { tail } => {
                            let t = CallTimeout {
                                call: what,
                                path: inner.path.clone(),
                                timeout: inner.timeout.unwrap_or_default(),
                                isolation: Isolation::Process,
                            };
                            inner.opts.calls.record_timeout(t.clone());
                            MetricError::Failed(format!("{t}{tail}"))
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

/// How a call run on a thread of its own ([`within`]) went.
enum Waited<T> {
    Answered(T),
    /// The call panicked (in the host's reading of the plugin's output:
    /// the plugin's own panics are caught in the plugin).
    Panicked(String),
    /// No answer within the timeout: the thread is left running.
    TimedOut,
    NoThread(String),
}

/// Runs `f` on a thread of its own and waits for it at most `timeout`. A
/// thread inside foreign code cannot be stopped: past the timeout it is left
/// to run, detached, holding what `f` owns (so nothing it reads is freed).
fn within<T: Send + 'static>(
    timeout: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Waited<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("iro-plugin-call".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return Waited::NoThread(e.to_string());
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(v)) => Waited::Answered(v),
        Ok(Err(p)) => {
            Waited::Panicked(iro_metric_api::panic_message(p.as_ref()).unwrap_or_default())
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Waited::TimedOut,
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            Waited::Panicked("the call's thread ended without an answer".into())
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One `[[plugins]]` entry with `timeout_s = <value>`, as iro.toml gives it.
    fn entry(value: &str) -> Result<PluginConfig, String> {
        #[derive(Deserialize)]
        struct File {
            plugins: Vec<PluginConfig>,
        }
        let text = format!(
            "[[plugins]]\npath = \"libx.so\"\nsha256 = \"{}\"\ntimeout_s = {value}\n",
            "0".repeat(64)
        );
        toml::from_str::<File>(&text)
            .map(|f| f.plugins[0].clone())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn timeout_s_is_a_positive_number_of_seconds() {
        let secs = |v: &str| entry(v).unwrap().timeout_s.unwrap().duration();
        assert_eq!(secs("3"), Duration::from_secs(3));
        assert_eq!(secs("2.5"), Duration::from_millis(2500));
        assert_eq!(secs("600"), Duration::from_secs(600));
        assert_eq!(secs("0.001"), Duration::from_millis(1));
        // Absent: the host's default.
        let text = format!("path = \"x\"\nsha256 = \"{}\"\n", "0".repeat(64));
        let c: PluginConfig = toml::from_str(&text).unwrap();
        assert_eq!(c.timeout_s, None);
    }

    #[test]
    fn a_timeout_s_that_is_not_a_timeout_is_refused_with_the_fix() {
        for bad in ["0", "0.0", "-1", "-0.5", "nan", "inf", "-inf"] {
            let e = entry(bad).unwrap_err();
            assert!(e.contains("is not a timeout"), "{bad}: {e}");
            assert!(
                e.contains("e.g. timeout_s = 60") && e.contains("default of 300 s"),
                "{bad}: {e}"
            );
            // toml names the line.
            assert!(e.contains("line 4"), "{bad}: {e}");
        }
        let e = entry("1e300").unwrap_err();
        assert!(e.contains("timeout_s = 1e300 is out of range"), "{e}");
        // Less than a nanosecond is no time at all.
        let e = entry("1e-12").unwrap_err();
        assert!(e.contains("out of range"), "{e}");
        for wrong_type in ["\"60\"", "true", "[60]"] {
            let e = entry(wrong_type).unwrap_err();
            assert!(
                e.contains("expected a positive number of seconds, e.g. timeout_s = 60"),
                "{wrong_type}: {e}"
            );
        }
        assert_eq!(
            PluginTimeout::from_secs(-1.0).unwrap_err(),
            "timeout_s = -1 is not a timeout: write the most seconds one call (one metric, \
             one authority, one year) may take, e.g. timeout_s = 60 (a positive number; leave \
             timeout_s out for the default of 300 s)"
        );
    }

    #[test]
    fn timeout_s_is_written_back_as_it_was_read() {
        for v in ["3", "2.5"] {
            let c = entry(v).unwrap();
            let text = toml::to_string(&c).unwrap();
            assert!(text.contains(&format!("timeout_s = {v}\n")), "{text}");
            assert_eq!(toml::from_str::<PluginConfig>(&text).unwrap(), c);
        }
        let text = format!("path = \"x\"\nsha256 = \"{}\"\n", "0".repeat(64));
        let c: PluginConfig = toml::from_str(&text).unwrap();
        assert!(!toml::to_string(&c).unwrap().contains("timeout_s"));
    }

    fn hung(isolation: Isolation) -> CallTimeout {
        CallTimeout {
            call: PluginCall {
                plugin: "uasc-by-age".into(),
                metric: "uasc-age".into(),
                la_code: "800".into(),
                la_name: Some("Bath and North East Somerset".into()),
                year: iro_domain::CollectionYear(2025),
            },
            path: PathBuf::from("/plugins/libuasc_by_age.so"),
            timeout: Duration::from_secs(3),
            isolation,
        }
    }

    #[test]
    fn a_timeout_names_plugin_metric_authority_year_and_the_timeout() {
        assert_eq!(
            hung(Isolation::Process).to_string(),
            "timed out: plugin `uasc-by-age`, metric `uasc-age`, 800 Bath and North East \
             Somerset, 2024-25 (libuasc_by_age.so) gave no answer within 3 s (timeout_s); its \
             worker process was stopped and the run went on without these figures"
        );
        assert_eq!(
            hung(Isolation::InProcess).to_string(),
            "timed out: plugin `uasc-by-age`, metric `uasc-age`, 800 Bath and North East \
             Somerset, 2024-25 (libuasc_by_age.so) gave no answer within 3 s (timeout_s). A \
             plugin loaded in-process cannot be stopped, so the run stops and writes nothing: \
             set isolation = \"process\" in its [[plugins]] entry (a call that hangs is then \
             stopped and the run goes on), or raise its timeout_s if it is only slow"
        );
    }

    #[test]
    fn the_board_says_whether_an_in_process_plugin_hung() {
        let board = CallBoard::default();
        board.record_timeout(hung(Isolation::Process));
        assert_eq!(board.timed_out().len(), 1);
        assert_eq!(board.hung_in_process(), None);
        board.record_timeout(hung(Isolation::InProcess));
        assert_eq!(board.hung_in_process(), Some(hung(Isolation::InProcess)));
    }

    #[test]
    fn a_call_on_a_thread_of_its_own_answers_panics_or_times_out() {
        assert!(matches!(
            within(Duration::from_secs(5), || 7),
            Waited::Answered(7)
        ));
        match within(Duration::from_secs(5), || -> u8 { panic!("bad import") }) {
            Waited::Panicked(m) => assert!(m.contains("bad import"), "{m}"),
            _ => panic!("not a panic"),
        }
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let t0 = std::time::Instant::now();
        // Blocks until the sender goes: past the timeout.
        assert!(matches!(
            within(Duration::from_millis(100), move || rx.recv().is_err()),
            Waited::TimedOut
        ));
        assert!(t0.elapsed() < Duration::from_secs(2));
        drop(tx);
    }
}
