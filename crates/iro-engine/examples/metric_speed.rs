//! Times each built-in metric over a data set, ingest done once outside the
//! timing: what every metric adds to an `iro run`, including the central
//! suppression of its rows.
//!
//! ```sh
//! cargo run --release -p iro-engine --example metric_speed -- benches/data/national \
//!     [--threads N] [--repeat R] [--metric ID]... [--la CODE]...
//! ```
//!
//! Prints, per metric and for all of them together, the fastest and the median
//! of R runs. With `--repeat 1 --threads 1 --metric ID` it is the program to
//! run under `valgrind --tool=callgrind` for instruction counts.

use std::path::PathBuf;
use std::time::Instant;

use iro_engine::{Config, builtin_metrics, compute, load, load_reference};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut threads = 2usize;
    let mut repeat = 5usize;
    let mut only: Vec<String> = Vec::new();
    let mut config = Config::default();
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| fail(&format!("{name} needs a value")))
        };
        match a.as_str() {
            "--threads" => {
                threads = value("--threads")
                    .parse()
                    .unwrap_or_else(|_| fail("--threads N"))
            }
            "--repeat" => {
                repeat = value("--repeat")
                    .parse()
                    .unwrap_or_else(|_| fail("--repeat R"))
            }
            "--metric" => only.push(value("--metric")),
            "--la" => config.run.las.push(value("--la")),
            _ if dir.is_none() => dir = Some(PathBuf::from(a)),
            _ => fail(&format!("unexpected argument {a}")),
        }
    }
    let dir = dir.unwrap_or_else(|| {
        fail("usage: metric_speed DIR [--threads N] [--repeat R] [--metric ID]... [--la CODE]...")
    });
    let source = iro_ingest::InputSource::Folder(dir);
    let t = Instant::now();
    let loaded = load(&config, &source).unwrap_or_else(|e| fail(&e.to_string()));
    let reference = load_reference(&config).unwrap_or_else(|e| fail(&e.to_string()));
    eprintln!(
        "loaded {} authorities in {:.2} s",
        loaded.cohorts.len(),
        t.elapsed().as_secs_f64()
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap_or_else(|e| fail(&e.to_string()));
    let metrics = builtin_metrics();
    let ids: Vec<&str> = metrics.iter().map(|m| m.spec().id).collect();
    let mut runs: Vec<(String, Vec<&str>)> = ids
        .iter()
        .filter(|id| only.is_empty() || only.iter().any(|o| o == *id))
        .map(|id| (id.to_string(), vec![*id]))
        .collect();
    if only.is_empty() {
        runs.push(("all built-in metrics".into(), ids.clone()));
    }
    println!("threads {threads}, best and median of {repeat} runs");
    for (name, on) in runs {
        let mut cfg = config.clone();
        for id in &ids {
            if !on.contains(id) {
                let mut t = toml::Table::new();
                t.insert("enabled".into(), toml::Value::Boolean(false));
                cfg.metrics.insert(id.to_string(), t);
            }
        }
        let mut times = Vec::with_capacity(repeat);
        let mut rows = 0;
        let mut phases = Vec::with_capacity(repeat);
        let mut drops = Vec::with_capacity(repeat);
        for _ in 0..repeat {
            let t = Instant::now();
            let c = pool
                .install(|| compute(&cfg, &loaded, &reference, &metrics, &|_| {}))
                .unwrap_or_else(|e| fail(&e.to_string()));
            times.push(t.elapsed().as_secs_f64());
            rows = c.rows.len();
            phases.push((c.tasks_ms, c.suppression_ms, c.metrics_ms));
            let t = Instant::now();
            drop(c);
            drops.push(t.elapsed().as_secs_f64());
        }
        drops.sort_by(f64::total_cmp);
        phases.sort();
        times.sort_by(f64::total_cmp);
        let (tasks, merge, all) = phases[phases.len() / 2];
        println!(
            "{name:<24} best {:>7.3} s  median {:>7.3} s  ({rows} rows; median tasks {tasks} ms, \
             merge+sort+suppression {merge} ms, with targets {all} ms; \
             dropping the rows {:.0} ms)",
            times[0],
            times[times.len() / 2],
            drops[drops.len() / 2] * 1000.0
        );
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("metric_speed: {msg}");
    std::process::exit(2)
}
