//! Builds a unit-postcode table from an ONSPD release (until `iro reference
//! import-onspd` is wired in the CLI, and for timing):
//!
//! ```sh
//! cargo run --release -p iro-postcodes --example import_onspd -- ONSPD.csv units.bin
//! ```

use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out] = args.as_slice() else {
        return Err("usage: import_onspd ONSPD.csv OUT.bin".into());
    };
    let t = Instant::now();
    let s = iro_postcodes::import_onspd(Path::new(input), Path::new(out))?;
    println!(
        "{} postcodes ({} with grid references, {} without; {} non-standard skipped, e.g. {:?}) → {} ({:.1} MB) in {:?}",
        s.rows,
        s.with_coordinates,
        s.without_coordinates,
        s.skipped_postcodes,
        s.skipped_examples.first(),
        out,
        s.output_bytes as f64 / 1e6,
        t.elapsed()
    );
    println!("by country: {:?}", s.by_country);
    if !s.lads_without_utla.is_empty() {
        println!(
            "LADs with no upper tier in the lookup: {:?}",
            s.lads_without_utla
        );
    }
    let t = Instant::now();
    let index = iro_postcodes::PostcodeIndex::load(Some(Path::new(out)))?;
    println!(
        "loaded in {:?}, {:.1} MB in memory: {}",
        t.elapsed(),
        index.units().map_or(0, |u| u.memory_bytes()) as f64 / 1e6,
        index.describe()
    );
    Ok(())
}
