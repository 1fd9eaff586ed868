//! Criterion benchmark: every built-in metric over a generated data set
//! (25 authorities, 5 collection years), on 1 and on 2 worker threads, so the
//! parallel speed-up shows. Ingest is done once, outside the measurement.

use criterion::{Criterion, criterion_group, criterion_main};
use iro_engine::{Config, builtin_metrics, compute, load, load_reference};

fn metrics(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = iro_testkit::Config::small(25, 500, 2021, 2025, 11);
    iro_testkit::write_dataset(&iro_testkit::generate(&cfg), dir.path()).expect("write");
    let config = Config::default();
    let source = iro_ingest::InputSource::Folder(dir.path().to_path_buf());
    let loaded = load(&config, &source).expect("load");
    let reference = load_reference(&config).expect("reference");
    let metrics = builtin_metrics();

    let mut g = c.benchmark_group("metrics-25la-5y");
    g.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        g.bench_function(format!("all built-in metrics, {threads} thread(s)"), |b| {
            b.iter(|| {
                pool.install(|| compute(&config, &loaded, &reference, &metrics, &|_| {}))
                    .expect("compute")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, metrics);
criterion_main!(benches);
