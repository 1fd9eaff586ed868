//! One pass of placement distance + placement stability over a data set,
//! postcode index load included: the unit of work `benches/placements.rs`
//! measures, as a plain program for instruction counts.
//!
//! ```sh
//! cargo build --release -p iro-bench --example placements_once
//! valgrind --tool=callgrind --collect-atstart=no \
//!   --toggle-collect='placements_once::run_metrics' \
//!   target/release/examples/placements_once benches/data/national [--units FILE] [--threads N] [--only stability|distance]
//! ```
//!
//! Prints the wall-clock time of `run_metrics` (the best of `--repeat N`) and
//! the rows it produced; with `--dump`, every row unsuppressed as
//! `la_code,year,metric,breakdown,numerator,denominator,note` (for comparing
//! two builds' figures).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use iro_engine::{Config, compute, load, load_reference};
use iro_ingest::Loaded;
use iro_metric_api::{Metric, Reference};
use iro_postcodes::PostcodeIndex;

#[inline(never)]
fn run_metrics(
    config: &Config,
    loaded: &Loaded,
    reference: &Reference,
    units: Option<&Path>,
    only: Option<&str>,
) -> Vec<iro_metric_api::MetricRow> {
    let mut metrics: Vec<Box<dyn Metric>> = Vec::new();
    if only != Some("distance") {
        metrics.push(Box::new(placement_stability::PlacementStability));
    }
    if only != Some("stability") {
        let index = PostcodeIndex::load(units).expect("postcode index");
        metrics.push(Box::new(placement_distance::PlacementDistance::new(
            Arc::new(index),
        )));
    }
    compute(config, loaded, reference, &metrics, &|_| {})
        .expect("compute")
        .rows
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut input = PathBuf::from("benches/data/national");
    let mut units = None;
    let mut threads = 1usize;
    let mut repeat = 1usize;
    let mut only = None;
    let mut dump = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--units" => units = args.next().map(PathBuf::from),
            "--threads" => threads = args.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            "--repeat" => repeat = args.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            "--only" => only = args.next(),
            "--dump" => dump = true,
            _ => input = PathBuf::from(a),
        }
    }
    let mut config = Config::default();
    if dump {
        config.suppression.threshold = 0;
    }
    let loaded = load(&config, &iro_ingest::InputSource::Folder(input)).expect("load");
    let reference = load_reference(&config).expect("reference");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let mut best = f64::INFINITY;
    let mut rows = Vec::new();
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        rows = pool.install(|| {
            run_metrics(
                &config,
                &loaded,
                &reference,
                units.as_deref(),
                only.as_deref(),
            )
        });
        best = best.min(t.elapsed().as_secs_f64());
    }
    if dump {
        let opt = |v: Option<u64>| v.map_or(String::new(), |n| n.to_string());
        for r in &rows {
            println!(
                "{},{},{},{},{},{},{}",
                r.la_code,
                r.year,
                r.metric,
                r.breakdown,
                opt(r.numerator),
                opt(r.denominator),
                r.note
            );
        }
        return;
    }
    println!(
        "{} rows; best of {repeat}: {:.1} ms on {threads} thread(s)",
        rows.len(),
        best * 1000.0
    );
}
