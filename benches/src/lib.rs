//! Shared helpers for the benchmarks: the "floor" every reader is measured
//! against — a bare csv-crate pass over the same files, touching every field.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// Every `.csv` file under `dir`, sorted.
pub fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Reads every file with the csv crate (ByteRecord reuse, in parallel over
/// files as the loader is) and counts fields and bytes, so nothing is optimised
/// away. Returns (records, field bytes).
pub fn bare_csv_pass(files: &[PathBuf]) -> (u64, u64) {
    files
        .par_iter()
        .map(|f| {
            let mut records = 0u64;
            let mut bytes = 0u64;
            if let Ok(mut r) = csv::ReaderBuilder::new().flexible(true).from_path(f) {
                let mut rec = csv::ByteRecord::new();
                while let Ok(true) = r.read_byte_record(&mut rec) {
                    records += 1;
                    bytes += rec.iter().map(|f| f.len() as u64).sum::<u64>();
                }
            }
            (records, bytes)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}
