//! Helpers shared by the host's integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use iro_domain::{Cohort, CollectionYear, WorkingDayCalendar};
use iro_ingest::{InputSource, LoadOptions, Loaded};
use iro_metric_api::MetricExt;
use iro_metric_api::{DrillDown, Metric, MetricContext, MetricError, MetricRow, Reference};
use iro_plugin_host::{HostOptions, Isolation, PluginConfig, WorkerCommand, sha256_hex};

/// The cdylib of a workspace package, built by cargo into
/// `target/<profile>/deps` because this test depends on the package (the
/// approach of DataFusion's FFI tests: walk up from the test executable). If
/// it is not there (say the test binary was built on its own), build it with
/// the same profile.
pub fn cdylib(package: &str) -> PathBuf {
    let file = format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        package.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    );
    let exe = std::env::current_exe().expect("test executable");
    let deps = exe.parent().expect("deps folder");
    let profile_dir = deps.parent().expect("profile folder");
    let find = || {
        [deps, profile_dir]
            .iter()
            .map(|d| d.join(&file))
            .find(|p| p.exists())
    };
    if let Some(p) = find() {
        return p;
    }
    let profile = profile_dir
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("debug");
    let mut cmd = Command::new(option_env!("CARGO").unwrap_or("cargo"));
    cmd.args(["build", "-p", package]);
    match profile {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    if let Some(target) = profile_dir.parent() {
        cmd.env("CARGO_TARGET_DIR", target);
    }
    let status = cmd.status().expect("running cargo build");
    assert!(status.success(), "cargo build -p {package} failed");
    find().unwrap_or_else(|| panic!("{file} not found after cargo build -p {package}"))
}

pub fn example() -> PathBuf {
    cdylib("example-cdylib")
}

pub fn misbehaving() -> PathBuf {
    cdylib("misbehaving-plugin")
}

pub fn hash(path: &Path) -> String {
    sha256_hex(&std::fs::read(path).expect("reading the library"))
}

pub fn entry(path: &Path, isolation: Isolation) -> PluginConfig {
    PluginConfig {
        path: path.to_path_buf(),
        sha256: hash(path),
        isolation,
        development: false,
        timeout_s: None,
    }
}

/// Host options whose worker is this package's `iro-plugin-worker` binary.
pub fn options() -> HostOptions {
    HostOptions {
        worker: WorkerCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_iro-plugin-worker")),
            args: vec!["plugin-worker".into()],
        },
        max_threads: 2,
        ..HostOptions::default()
    }
}

/// The bundled synthetic sample (3 authorities, 2021–2025).
pub fn sample() -> &'static Loaded {
    static S: OnceLock<Loaded> = OnceLock::new();
    S.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
        iro_ingest::load(&InputSource::Folder(dir), &LoadOptions::default()).expect("sample")
    })
}

pub fn reference() -> &'static Reference {
    static R: OnceLock<Reference> = OnceLock::new();
    R.get_or_init(|| Reference::bundled().expect("bundled reference"))
}

/// Calls `f` with the context the engine would give `metric` for one cohort
/// and year (defaults for parameters unless given).
fn with_context<T>(
    metric: &dyn Metric,
    cohort: &Cohort,
    year: i32,
    params: serde_json::Value,
    f: impl FnOnce(&MetricContext<'_>) -> Result<T, MetricError>,
) -> Result<T, MetricError> {
    let given = params.as_object().cloned().unwrap_or_default();
    let params = metric.spec().resolve_params(&given)?;
    let calendar = WorkingDayCalendar::england_and_wales();
    let reference = reference();
    let ctx = MetricContext {
        cohort,
        la: reference.la(cohort.la()),
        year: CollectionYear(year),
        reference,
        calendar: &calendar,
        params: &params,
    };
    f(&ctx)
}

/// Runs one metric for one cohort and year as the engine would (defaults
/// for parameters unless given).
pub fn compute(
    metric: &dyn Metric,
    cohort: &Cohort,
    year: i32,
    params: serde_json::Value,
) -> Result<Vec<MetricRow>, MetricError> {
    with_context(metric, cohort, year, params, |ctx| metric.compute(ctx))
}

/// The drill-down tables of one metric for one cohort and year (default
/// parameters), as the engine asks for them when the user wants personal
/// data.
pub fn drilldown(metric: &dyn Metric, cohort: &Cohort, year: i32) -> Vec<DrillDown> {
    with_context(metric, cohort, year, serde_json::json!({}), |ctx| {
        metric.drilldown(ctx)
    })
    .unwrap_or_else(|e| panic!("{}: {e}", metric.spec().id))
}

/// The metric with this id.
pub fn pick(metrics: &[Box<dyn Metric>], id: &str) -> usize {
    metrics
        .iter()
        .position(|m| m.spec().id == id)
        .unwrap_or_else(|| panic!("no metric {id}"))
}
