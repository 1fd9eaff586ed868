//! Criterion benchmark: SSDA903 ingest against a bare csv-crate pass over the
//! same files, on a generated regional-size data set (10 authorities, 3 years).
//! Whole national-scale timings are in `benches/national.sh`.

use criterion::{Criterion, criterion_group, criterion_main};

fn ingest(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = iro_testkit::Config::small(10, 250, 2023, 2025, 7);
    let data = iro_testkit::generate(&cfg);
    iro_testkit::write_dataset(&data, dir.path()).expect("write data set");
    let files = iro_bench::csv_files(dir.path());
    let source = iro_ingest::InputSource::Folder(dir.path().to_path_buf());

    let mut g = c.benchmark_group("regional-10la-3y");
    g.sample_size(20);
    g.bench_function("bare csv pass (floor)", |b| {
        b.iter(|| iro_bench::bare_csv_pass(&files))
    });
    g.bench_function("iro_ingest::load", |b| {
        b.iter(|| iro_ingest::load(&source, &iro_ingest::LoadOptions::default()).expect("load"))
    });
    g.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
