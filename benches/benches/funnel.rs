//! Criterion benchmark: funnel-plot limits and over-dispersion for every
//! English authority (153 units × 4 limit levels, 100-point grid), for a rate
//! per 10,000 and for a proportion. Target: well under 50 ms each.

use criterion::{Criterion, criterion_group, criterion_main};
use iro_stats::{FunnelSpec, Indicator, Target, TargetSource, Unit};

/// 153 authorities with plausible populations and counts, from a small
/// deterministic generator.
fn authorities(rate: bool) -> Vec<Unit> {
    let mut state: u64 = 0x1234_5678_9abc_def0;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..153)
        .map(|i| {
            if rate {
                let pop = (2_000.0 * 200f64.powf(next())).round() as u64;
                let r = 27.0 + 157.0 * next();
                Unit::new(
                    format!("{i:03}"),
                    (pop as f64 * r / 1e4).round() as u64,
                    pop,
                )
            } else {
                let n = (20.0 * 300f64.powf(next())).round() as u64;
                let p = 0.6 + 0.4 * next();
                Unit::new(format!("{i:03}"), (n as f64 * p).round() as u64, n)
            }
        })
        .collect()
}

fn funnel(c: &mut Criterion) {
    let levels = [0.8, 0.95, 0.998, 0.9999];
    let rates = authorities(true);
    let props = authorities(false);
    let rate_spec = FunnelSpec::new(
        Indicator::RatePer10k,
        Target::new(70.0, TargetSource::England),
    )
    .levels(levels);
    let prop_spec = FunnelSpec::new(
        Indicator::Proportion,
        Target::new(0.85, TargetSource::England),
    )
    .levels(levels);
    let mut g = c.benchmark_group("funnel-153-authorities");
    g.bench_function("rate per 10,000", |b| {
        b.iter(|| rate_spec.compute(&rates).expect("funnel"))
    });
    g.bench_function("proportion", |b| {
        b.iter(|| prop_spec.compute(&props).expect("funnel"))
    });
    g.finish();
}

criterion_group!(benches, funnel);
criterion_main!(benches);
