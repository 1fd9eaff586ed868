//! Runs `placement-distance` over a folder of SSDA903 returns and prints, per
//! authority and year, the headline figures beside the DfE's published ones,
//! with timings.
//!
//! ```sh
//! cargo run --release -p placement-distance --example distance -- [INPUT] [--units FILE] [--year YYYY] [--quiet]
//! ```
//!
//! INPUT defaults to `data/sample`; `--units` loads a unit-postcode table made
//! by `iro reference import-onspd` (otherwise the bundled sector centroids).
//! Ingest is timed separately: the figure that matters for the metric is
//! "index load + metric".

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iro_domain::{CollectionYear, TableKind, WorkingDayCalendar};
use iro_ingest::{InputSource, LoadOptions, load};
use iro_metric_api::MetricExt;
use iro_metric_api::{Metric, MetricContext, MetricRow, Params, Reference};
use iro_postcodes::PostcodeIndex;
use iro_reference::indicators as ind;
use placement_distance::PlacementDistance;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut input = PathBuf::from("data/sample");
    let mut units: Option<PathBuf> = None;
    let mut only: Option<i32> = None;
    let mut quiet = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--units" => units = args.next().map(PathBuf::from),
            "--year" => only = args.next().and_then(|y| y.parse().ok()),
            "--quiet" => quiet = true,
            _ => input = PathBuf::from(a),
        }
    }
    let t = Instant::now();
    let loaded = load(&InputSource::Folder(input.clone()), &LoadOptions::default())?;
    let ingest = t.elapsed();
    let reference = Reference::bundled()?;
    let calendar = WorkingDayCalendar::england_and_wales();

    let t = Instant::now();
    let index = PostcodeIndex::load(units.as_deref())?;
    let index_load = t.elapsed();
    let metric = PlacementDistance::new(Arc::new(index));
    let params = metric.spec().resolve_params(&Params::new())?;

    let mut compute = Duration::ZERO;
    let mut latest_cla = 0u64;
    let (mut not_found, mut approx, mut known) = (0u64, 0u64, 0u64);
    println!("{}", metric.index().describe());
    println!(
        "{:<4} {:<5} {:>5} | {:>14} {:>14} {:>14} {:>14} | {:>22}",
        "LA",
        "year",
        "CLA",
        ">20 mi ours",
        ">20 mi DfE",
        "outside ours",
        "outside DfE",
        "new pl. in >20 ours/DfE"
    );
    for cohort in &loaded.cohorts {
        let years: Vec<CollectionYear> = cohort
            .years()
            .filter(|y| cohort.has_table(*y, TableKind::Episodes))
            .filter(|y| only.is_none_or(|o| o == y.0))
            .collect();
        for (k, &year) in years.iter().enumerate() {
            let ctx = MetricContext {
                cohort,
                la: reference.la(cohort.la()),
                year,
                reference: &reference,
                calendar: &calendar,
                params: &params,
            };
            let t = Instant::now();
            let rows = metric.compute(&ctx)?;
            compute += t.elapsed();
            let get = |m: &str, b: &str| -> Option<&MetricRow> {
                rows.iter().find(|r| {
                    r.metric == format!("placement-distance.{m}") && r.breakdown.to_string() == b
                })
            };
            let cla = get("distance", "").and_then(|r| r.denominator).unwrap_or(0);
            if k + 1 == years.len() {
                latest_cla += cla;
                let n = |m: &str, b: &str| get(m, b).and_then(|r| r.numerator).unwrap_or(0);
                not_found += n("postcodes-not-found", "");
                approx += n("approximate-locations", "");
                known += cla - n("distance-not-known", "");
            }
            if quiet {
                continue;
            }
            let ours = |m: &str, b: &str| {
                get(m, b).map_or("-".to_string(), |r| {
                    format!(
                        "{} ({:.0}%)",
                        r.numerator.unwrap_or(0),
                        r.value.unwrap_or(f64::NAN)
                    )
                })
            };
            let dfe = |indicator: &str| {
                reference
                    .stability(cohort.la(), year, indicator)
                    .map_or("-".to_string(), |f| {
                        format!("{}/{} ({})", f.numerator, f.denominator, f.percent)
                    })
            };
            println!(
                "{:<4} {:<5} {:>5} | {:>14} {:>14} {:>14} {:>14} | {} / {}",
                cohort.la().to_string(),
                year.0,
                cla,
                ours("distance", "distance=Over 20 miles"),
                dfe(ind::CLA_31_MARCH_OVER_20_MILES),
                ours("location", "location=Outside LA boundary"),
                dfe(ind::CLA_31_MARCH_OUTSIDE_LA_BOUNDARY),
                ours(
                    "new-placements",
                    "location_distance=Placed inside LA boundary more than 20 miles from home"
                ),
                dfe(ind::NEW_PLACEMENTS_INSIDE_LA_OVER_20_MILES),
            );
            for (m, b, i) in [
                (
                    "distance",
                    "distance=Distance not known or not recorded",
                    ind::CLA_31_MARCH_DISTANCE_NOT_KNOWN,
                ),
                (
                    "new-placements",
                    "location_distance=Placed outside LA boundary more than 20 miles from home",
                    ind::NEW_PLACEMENTS_OUTSIDE_LA_OVER_20_MILES,
                ),
                (
                    "new-placements",
                    "location_distance=Distance not known or not recorded",
                    ind::NEW_PLACEMENTS_DISTANCE_NOT_KNOWN,
                ),
            ] {
                if reference.stability(cohort.la(), year, i).is_some() {
                    println!(
                        "{:>17} {:<40} ours {:>12}  DfE {}",
                        "",
                        format!("{m} [{}]", b.split('=').nth(1).unwrap_or("")),
                        ours(m, b),
                        dfe(i)
                    );
                }
            }
        }
    }
    println!(
        "latest year: {latest_cla} looked after at 31 March, distance known for {known}, {approx} located by sector centroid, {not_found} postcodes not found"
    );
    println!(
        "ingest {ingest:?} (not counted); postcode index load {index_load:?}; metric over {} authorities ({latest_cla} looked after at 31 March in the latest year computed; {}) {compute:?}; index load + metric {:?}",
        loaded.cohorts.len(),
        only.map_or("every year held".to_string(), |y| format!("year {y} only")),
        index_load + compute
    );
    Ok(())
}
