//! Draw the standard chart set from a `metrics.csv` (or `.json`) written by
//! `iro run`, comparing with the bundled DfE published figures:
//!
//! ```sh
//! cargo run --release -p iro-charts --example standard_set -- out/metrics.csv out/charts
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use iro_charts::standard::{self, Options};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out] = args.as_slice() else {
        eprintln!("usage: standard_set METRICS_CSV OUT_DIR");
        return ExitCode::from(2);
    };
    let rows = match iro_charts::read_metrics(&PathBuf::from(input)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let reference = match iro_reference::Reference::bundled() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: reference data: {e}");
            return ExitCode::from(2);
        }
    };
    let areas = standard::areas_from_reference(&reference);
    let published = standard::published_rows(&reference);
    let options = Options::default();
    let t = std::time::Instant::now();
    let set = standard::standard_set(&rows, &published, &areas, &options);
    let built = t.elapsed();
    match standard::write_set(&PathBuf::from(out), &set, &options) {
        Ok(files) => {
            println!(
                "{} charts ({} files) in {:.0?} (built in {:.0?}); {} skipped",
                set.charts.len(),
                files.len(),
                t.elapsed(),
                built,
                set.skipped.len()
            );
            for s in &set.skipped {
                println!("skipped {} {}: {}", s.la_code, s.name, s.reason);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
