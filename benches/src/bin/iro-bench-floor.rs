//! `iro-bench-floor DIR`: times a bare csv-crate pass over every CSV under DIR
//! (the floor no reader can beat) and then `iro_ingest::load` over the same
//! folder, and prints both with their ratio.

use std::path::PathBuf;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or_else(|| {
        anyhow::anyhow!("usage: iro-bench-floor DIR [--floor-only|--ingest-only]")
    })?);
    let mode = std::env::args().nth(2).unwrap_or_default();
    let files = iro_bench::csv_files(&dir);
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    println!("{} files, {:.1} MB", files.len(), bytes as f64 / 1e6);
    if mode != "--ingest-only" {
        let t = Instant::now();
        let (records, field_bytes) = iro_bench::bare_csv_pass(&files);
        let floor = t.elapsed();
        println!(
            "bare csv pass: {records} records, {:.1} MB of fields in {:.3} s",
            field_bytes as f64 / 1e6,
            floor.as_secs_f64()
        );
    }
    if mode != "--floor-only" {
        let t = Instant::now();
        let loaded = iro_ingest::load(
            &iro_ingest::InputSource::Folder(dir.clone()),
            &iro_ingest::LoadOptions::default(),
        )?;
        let ingest = t.elapsed();
        let episodes: usize = loaded.cohorts.iter().map(|c| c.episodes().len()).sum();
        let reviews: usize = loaded.cohorts.iter().map(|c| c.reviews().len()).sum();
        println!(
            "iro ingest + checks: {} authorities, {episodes} episodes, {reviews} reviews, {} diagnostics in {:.3} s",
            loaded.cohorts.len(),
            loaded.diagnostics.len(),
            ingest.as_secs_f64()
        );
    }
    Ok(())
}
