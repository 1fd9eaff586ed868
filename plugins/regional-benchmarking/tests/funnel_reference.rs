//! The England funnels of 2025 — children looked after per 10,000 and 3+
//! placements in the year, every authority — against an independent SciPy
//! oracle written from the published formulas
//! (`tests/reference/generate.py` → `funnels_2025.csv`): φ̂, τ̂², z-scores and
//! exact and adjusted limits at 95% and 99.8%, to 1e-6.

use std::collections::HashMap;

use iro_domain::{CollectionYear, LaCode};
use iro_metric_api::MetricRow;
use iro_reference::Reference;
use regional_benchmarking::{Benchmark, Options};

#[test]
fn england_funnels_match_the_scipy_oracle() {
    let reference = Reference::bundled().unwrap();
    let year = CollectionYear(2025);
    let las: Vec<LaCode> = reference.las_current(year).map(|l| l.code()).collect();
    let options = Options {
        full_detail: true,
        ..Options::default()
    };
    let rows = Benchmark::new(&reference, &[year], options).rows(&las, &[]);
    let index: HashMap<(String, String, String), &MetricRow> = rows
        .iter()
        .map(|r| {
            (
                (
                    r.la_code.to_string(),
                    r.metric.to_string(),
                    r.breakdown.to_string(),
                ),
                r,
            )
        })
        .collect();
    let get = |la: &str, m: &str, b: String| -> f64 {
        let r = index
            .get(&(
                la.to_string(),
                format!("regional-benchmarking.{m}"),
                b.clone(),
            ))
            .unwrap_or_else(|| panic!("no row {la} {m} [{b}]"));
        r.value
            .unwrap_or_else(|| panic!("no value {la} {m} [{b}]: {}", r.note))
    };
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/funnels_2025.csv");
    let mut csv = csv::Reader::from_path(path).unwrap();
    let h = csv.headers().unwrap().clone();
    let mut compared = 0;
    let mut worst: f64 = 0.0;
    let mut per_indicator: HashMap<String, usize> = HashMap::new();
    for rec in csv.records() {
        let rec = rec.unwrap();
        let col = |name: &str| &rec[h.iter().position(|c| c == name).unwrap()];
        let num = |name: &str| col(name).parse::<f64>().unwrap();
        let (ind, la) = (col("indicator").to_string(), col("la").to_string());
        *per_indicator.entry(ind.clone()).or_default() += 1;
        let g = format!("indicator={ind};comparator=england");
        let b = format!("{g};source=published");
        let mut check = |ours: f64, oracle: f64, what: &str| {
            let diff = (ours - oracle).abs() / oracle.abs().max(1.0);
            worst = worst.max(diff);
            assert!(
                diff < 1e-6,
                "{ind} {la} {what}: ours {ours}, SciPy {oracle}"
            );
            compared += 1;
        };
        check(get(&la, "overdispersion-phi", g.clone()), num("phi"), "phi");
        check(
            get(&la, "overdispersion-tau2", g.clone()),
            num("tau2"),
            "tau2",
        );
        check(
            get(&la, "z-score", format!("{b};limits=exact")),
            num("z"),
            "z",
        );
        check(
            get(&la, "z-score", format!("{b};limits=adjusted")),
            num("z_adjusted"),
            "z adjusted",
        );
        for level in ["95", "99.8"] {
            for (kind, prefix) in [("exact", ""), ("adjusted", "adj_")] {
                let bl = format!("{b};level={level};limits={kind}");
                check(
                    get(&la, "funnel-lower", bl.clone()),
                    num(&format!("{prefix}lower_{level}")),
                    "lower",
                );
                check(
                    get(&la, "funnel-upper", bl.clone()),
                    num(&format!("{prefix}upper_{level}")),
                    "upper",
                );
            }
        }
    }
    // Every authority with a published figure: 151 rates (Isles of Scilly z,
    // City of London c) and the 3+ placements of every authority that has them.
    assert_eq!(per_indicator["cla-rate"], 151);
    assert!(per_indicator["three-plus-placements"] >= 140);
    println!("{compared} figures compared; worst relative difference {worst:.2e}");
}
