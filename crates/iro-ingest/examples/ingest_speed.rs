//! Times the loader against a bare `csv`-crate pass over the same files.
//!
//! ```text
//! cargo run --release -p iro-testkit -- national --out /tmp/national
//! cargo run --release -p iro-ingest --example ingest_speed -- /tmp/national [bare|bare-seq|load|all]
//! ```
//!
//! `bare` reads every CSV with `csv::ByteRecord` (files in parallel with rayon,
//! as the loader does) and counts records; `bare-seq` does the same on one
//! thread; `load` runs `iro_ingest::load`. Run one mode per process under
//! `/usr/bin/time -v` to see each one's peak memory.

use std::path::{Path, PathBuf};
use std::time::Instant;

use iro_ingest::{InputSource, LoadOptions, load};
use rayon::prelude::*;

fn csv_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            csv_files(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            out.push(p);
        }
    }
}

fn bare_one(p: &Path) -> (u64, u64) {
    let Ok(mut rdr) = csv::ReaderBuilder::new().flexible(true).from_path(p) else {
        return (0, 0);
    };
    let mut rec = csv::ByteRecord::new();
    let (mut rows, mut bytes) = (0u64, 0u64);
    while let Ok(true) = rdr.read_byte_record(&mut rec) {
        rows += 1;
        bytes += rec.as_slice().len() as u64;
    }
    (rows, bytes)
}

fn bare(files: &[PathBuf], parallel: bool) -> f64 {
    let t = Instant::now();
    let (rows, bytes) = if parallel {
        files
            .par_iter()
            .map(|p| bare_one(p))
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    } else {
        files
            .iter()
            .map(|p| bare_one(p))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    };
    let s = t.elapsed().as_secs_f64();
    println!(
        "bare csv pass ({}): {rows} records, {:.1} MB of fields, {s:.3} s",
        if parallel {
            "rayon over files"
        } else {
            "one thread"
        },
        bytes as f64 / 1e6
    );
    s
}

fn run_load(dir: &Path) -> f64 {
    let t = Instant::now();
    let loaded = match load(
        &InputSource::Folder(dir.to_path_buf()),
        &LoadOptions::default(),
    ) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let s = t.elapsed().as_secs_f64();
    let read: u64 = loaded.accounts.iter().map(|a| a.rows_read).sum();
    let excluded: u64 = loaded.accounts.iter().map(|a| a.rows_excluded).sum();
    let episodes: usize = loaded.cohorts.iter().map(|c| c.episodes().len()).sum();
    let reviews: usize = loaded.cohorts.iter().map(|c| c.reviews().len()).sum();
    let periods: usize = loaded.cohorts.iter().map(|c| c.periods().len()).sum();
    let children: usize = loaded.cohorts.iter().map(|c| c.children().len()).sum();
    println!(
        "iro_ingest::load: {} cohorts, {children} children, {episodes} episodes, {periods} periods, {reviews} reviews; {read} rows read, {excluded} excluded; {} diagnostics; {s:.3} s",
        loaded.cohorts.len(),
        loaded.diagnostics.len()
    );
    let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in &loaded.diagnostics {
        *by_rule.entry(d.rule.as_str()).or_default() += 1;
    }
    let mut v: Vec<_> = by_rule.into_iter().collect();
    v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (rule, n) in v.iter().take(15) {
        println!("  {n:>8}  {rule}");
    }
    let t = Instant::now();
    drop(loaded);
    println!(
        "(dropping the result took {:.3} s)",
        t.elapsed().as_secs_f64()
    );
    s
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/national".into()));
    let mode = args.next().unwrap_or_else(|| "all".into());
    let mut files = Vec::new();
    csv_files(&dir, &mut files);
    println!(
        "{} CSV files under {}, {} threads",
        files.len(),
        dir.display(),
        rayon::current_num_threads()
    );
    match mode.as_str() {
        "bare" => {
            bare(&files, true);
        }
        "bare-seq" => {
            bare(&files, false);
        }
        "load" => {
            run_load(&dir);
        }
        _ => {
            // Warm the page cache, then time each.
            bare(&files, true);
            let b = bare(&files, true);
            let bs = bare(&files, false);
            let l = run_load(&dir);
            println!(
                "load / bare (parallel) = {:.2}x; load / bare (one thread) = {:.2}x",
                l / b,
                l / bs
            );
        }
    }
}
