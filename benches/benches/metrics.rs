//! Criterion benchmark: each built-in metric alone, and all of them together,
//! on 1 and on 2 worker threads, so both the per-metric figure and the
//! parallel speed-up show. What is timed is what a metric adds to `iro run`:
//! its tasks, then sorting, central suppression and targets of its rows.
//! Ingest is done once, outside the measurement.
//!
//! Data: the national synthetic set in `benches/data/national` (153
//! authorities × 5 years; `benches/national.sh` generates it), or the folder
//! in `IRO_BENCH_DATA`; without either, a generated 25-authority, 5-year set.

use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use iro_engine::{Config, builtin_metrics, compute, load, load_reference};

/// The default configuration with only the metrics in `on` switched on.
fn only(ids: &[&str], on: &[&str]) -> Config {
    let off: String = ids
        .iter()
        .filter(|id| !on.contains(id))
        .map(|id| format!("[metrics.{id}]\nenabled = false\n"))
        .collect();
    Config::parse(&off).expect("config")
}

fn metrics(c: &mut Criterion) {
    let national = std::env::var_os("IRO_BENCH_DATA")
        .map(PathBuf::from)
        .or_else(|| {
            let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/national");
            p.is_dir().then_some(p)
        });
    let generated = tempfile::tempdir().expect("temp dir");
    let (dir, label) = match national {
        Some(p) => (p, "metrics-national-5y"),
        None => {
            let cfg = iro_testkit::Config::small(25, 500, 2021, 2025, 11);
            iro_testkit::write_dataset(&iro_testkit::generate(&cfg), generated.path())
                .expect("write");
            (generated.path().to_path_buf(), "metrics-25la-5y")
        }
    };
    let config = Config::default();
    let source = iro_ingest::InputSource::Folder(dir);
    let loaded = load(&config, &source).expect("load");
    let reference = load_reference(&config).expect("reference");
    let metrics = builtin_metrics();
    let ids: Vec<&str> = metrics.iter().map(|m| m.spec().id).collect();

    let mut g = c.benchmark_group(label);
    g.sample_size(10);
    let mut runs: Vec<(String, Config)> = ids
        .iter()
        .map(|id| (id.to_string(), only(&ids, &[id])))
        .collect();
    runs.push(("all built-in metrics".into(), config.clone()));
    for (name, cfg) in &runs {
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            g.bench_with_input(BenchmarkId::new(name, threads), cfg, |b, cfg| {
                b.iter(|| {
                    pool.install(|| compute(cfg, &loaded, &reference, &metrics, &|_| {}))
                        .expect("compute")
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, metrics);
criterion_main!(benches);
