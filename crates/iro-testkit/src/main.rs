//! `iro-testkit`: writes synthetic SSDA903 data sets.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use iro_testkit::{AuthoritySummary, Config, Format, NATIONAL_CLA, SAMPLE_SEED};

/// Deterministic synthetic SSDA903 (children looked after) data. No real child's data.
#[derive(Debug, Parser)]
#[command(name = "iro-testkit", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the bundled sample: authorities 800, 887, 803, collection years 2021–2025,
    /// real postcodes, with the IRO service's own records.
    Sample {
        /// Output folder (`<la>/<year>/<table>.csv` are written under it).
        #[arg(long, default_value = "data/sample")]
        out: PathBuf,
        /// Seed (the bundled sample uses the default).
        #[arg(long, default_value_t = SAMPLE_SEED)]
        seed: u64,
        /// Print per-year figures.
        #[arg(short, long)]
        verbose: bool,
        /// Write each return as one SSDA903 XML file (`return.xml`, with
        /// `sw_episodes.csv` beside it) instead of one CSV per table.
        #[arg(long)]
        xml: bool,
    },
    /// Write a national-scale set: 153 authorities, collection years 2021–2025.
    National {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Children looked after at each 31 March across England.
        #[arg(long, default_value_t = NATIONAL_CLA)]
        total_cla: u32,
        /// Also write the IRO service's own records (reviews, allocations, midway
        /// reviews, DRP log).
        #[arg(long)]
        service_records: bool,
        /// Print per-authority figures.
        #[arg(short, long)]
        verbose: bool,
    },
}

fn report(summaries: &[AuthoritySummary], verbose: bool) {
    let mut total_bytes = 0u64;
    let mut totals: std::collections::BTreeMap<&str, usize> = Default::default();
    for a in summaries {
        for y in &a.years {
            total_bytes += y.bytes;
            for (name, n) in &y.rows {
                *totals.entry(name).or_default() += n;
            }
            if verbose {
                let rows: Vec<String> = y
                    .rows
                    .iter()
                    .map(|(n, c)| format!("{}={c}", n.trim_end_matches(".csv")))
                    .collect();
                println!(
                    "{:03} {:<28} {}  CLA 31 March {:>5}  starts {:>4}  ceases {:>4}  {}",
                    a.code,
                    a.name,
                    y.year,
                    y.counts.cla_31_march,
                    y.counts.starts,
                    y.counts.ceases,
                    rows.join(" ")
                );
            }
        }
    }
    let rows: Vec<String> = totals
        .iter()
        .map(|(n, c)| format!("{}={c}", n.trim_end_matches(".csv")))
        .collect();
    println!(
        "{} authorities, {:.1} MB; rows: {}",
        summaries.len(),
        total_bytes as f64 / 1e6,
        rows.join(" ")
    );
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let t0 = Instant::now();
    match cli.command {
        Command::Sample {
            out,
            seed,
            verbose,
            xml,
        } => {
            let cfg = Config {
                seed,
                ..Config::sample()
            };
            let data = iro_testkit::generate(&cfg);
            let format = if xml { Format::Xml } else { Format::Csv };
            let s = iro_testkit::write_dataset_as(&data, &out, format)
                .with_context(|| format!("writing {}", out.display()))?;
            report(&s, verbose);
        }
        Command::National {
            out,
            seed,
            total_cla,
            service_records,
            verbose,
        } => {
            let cfg = Config {
                service_records,
                ..Config::national_scaled(seed, total_cla)
            };
            let s = iro_testkit::generate_to_dir(&cfg, &out)
                .with_context(|| format!("writing {}", out.display()))?;
            report(&s, verbose);
        }
    }
    eprintln!("done in {:.2} s", t0.elapsed().as_secs_f64());
    Ok(())
}
