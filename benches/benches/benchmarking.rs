//! Criterion benchmark: regional benchmarking of every English authority
//! (153 in 2025) for the five collection years 2021–2025 from the bundled
//! reference data — every indicator, every comparison group (England, region,
//! both statistical-neighbour models), ranks, funnels and trends — the work of
//! `iro benchmark --reference-only --all`. Target: well under a second.

use criterion::{Criterion, criterion_group, criterion_main};
use iro_domain::{CollectionYear, LaCode};
use iro_reference::{Geography, Reference};
use regional_benchmarking::{Benchmark, Options};

fn benchmarking(c: &mut Criterion) {
    let reference = Reference::bundled().expect("bundled reference data");
    let years: Vec<CollectionYear> = (2021..=2025).map(CollectionYear).collect();
    let las: Vec<LaCode> = reference.las().iter().map(|r| r.code()).collect();
    let mut areas = vec![Geography::England];
    areas.extend(
        reference
            .regions()
            .iter()
            .map(|r| Geography::Region(r.ons_code.clone())),
    );
    let mut g = c.benchmark_group("benchmarking");
    g.sample_size(10);
    g.bench_function("153 authorities x 5 years, reference only", |b| {
        b.iter(|| {
            let bench = Benchmark::new(&reference, &years, Options::default());
            let rows = bench.rows(&las, &areas);
            assert!(rows.len() > 100_000);
            rows.len()
        })
    });
    g.finish();
}

criterion_group!(benches, benchmarking);
criterion_main!(benches);
