//! Runs `placement-stability` over a folder of SSDA903 returns and prints,
//! per authority and year, the three DfE indicators beside the DfE's
//! published figures for the authority (`iro-reference`), with "CLA 2 years"
//! read both ways (`cla_2_years`).
//!
//! ```sh
//! cargo run --release -p placement-stability --example stability -- [INPUT]
//! ```
//!
//! INPUT defaults to `data/sample`. The output is the comparison in
//! docs/METHODS.md ("Placement stability", "Checked against the published
//! figures").

use std::path::PathBuf;

use iro_domain::{CollectionYear, TableKind, WorkingDayCalendar};
use iro_ingest::{InputSource, LoadOptions, load};
use iro_metric_api::MetricExt;
use iro_metric_api::{Metric, MetricContext, MetricRow, Params, Reference};
use iro_reference::indicators as ind;
use placement_stability::{CLA_2_YEARS, PlacementStability};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let input = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("data/sample"), PathBuf::from);
    let loaded = load(&InputSource::Folder(input), &LoadOptions::default())?;
    let reference = Reference::bundled()?;
    let calendar = WorkingDayCalendar::england_and_wales();
    let metric = PlacementStability;
    let default = metric.spec().resolve_params(&Params::new())?;
    let mut p = Params::new();
    p.insert(CLA_2_YEARS.into(), "continuous".into());
    let continuous = metric.spec().resolve_params(&p)?;

    println!(
        "{:<4} {:<5} | {:>15} {:>15} | {:>15} {:>15} {:>15} | {:>15} {:>15}",
        "LA", "year", "3+ in year", "DfE", "3+ over 2y", "(continuous)", "DfE", "long-term", "DfE"
    );
    for cohort in &loaded.cohorts {
        let years: Vec<CollectionYear> = cohort
            .years()
            .filter(|y| cohort.has_table(*y, TableKind::Episodes))
            .collect();
        for year in years {
            let run = |params: &Params| {
                metric.compute(&MetricContext {
                    cohort,
                    la: reference.la(cohort.la()),
                    year,
                    reference: &reference,
                    calendar: &calendar,
                    params,
                })
            };
            let (rows, cont) = (run(&default)?, run(&continuous)?);
            let ours = |rows: &[MetricRow], m: &str| {
                rows.iter()
                    .find(|r| {
                        r.metric == format!("placement-stability.{m}") && r.breakdown.is_empty()
                    })
                    .and_then(|r| {
                        Some(format!(
                            "{}/{} ({:.0})",
                            r.numerator?, r.denominator?, r.value?
                        ))
                    })
                    .unwrap_or_else(|| "-".into())
            };
            let dfe = |indicator: &str| {
                reference
                    .stability(cohort.la(), year, indicator)
                    .map_or("-".to_string(), |f| {
                        format!("{}/{} ({})", f.numerator, f.denominator, f.percent)
                    })
            };
            println!(
                "{:<4} {:<5} | {:>15} {:>15} | {:>15} {:>15} {:>15} | {:>15} {:>15}",
                cohort.la().to_string(),
                year.0,
                ours(&rows, "three-plus-placements"),
                dfe(ind::PLACEMENTS_3PLUS_IN_YEAR),
                ours(&rows, "three-plus-placements-2y"),
                ours(&cont, "three-plus-placements-2y"),
                dfe(ind::PLACEMENTS_3PLUS_PREV_2YRS),
                ours(&rows, "long-term-stability"),
                dfe(ind::LONG_TERM_STABILITY_SAME_CARER),
            );
        }
    }
    Ok(())
}
