//! Regional benchmarking as the engine's derived stage, on the bundled
//! synthetic sample (B&NES 800, South Gloucestershire 803, Medway 887;
//! 2021-2025): 903 figures read from the per-authority metrics' rows, beside
//! the published ones, compared in every group, with the 903 trend; and
//! what happens when a source metric is off, runs with other parameters, or
//! the derived metric panics.

use std::collections::BTreeSet;
use std::path::Path;

use iro_engine::{Config, Outcome, RunResult, builtin_metrics, run};
use iro_ingest::InputSource;
use iro_metric_api::{
    DerivedInput, DerivedMetric, Metric, MetricError, MetricRow, MetricSpec, TableKind,
};

fn sample() -> InputSource {
    InputSource::Folder(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample"))
}

fn run_with(toml: &str, metrics: &[Box<dyn Metric>]) -> RunResult {
    let config = Config::parse(toml).unwrap();
    run(&config, &sample(), metrics, &|_| {}).unwrap()
}

fn benchmarking_rows(result: &RunResult, la: &str, year: i32) -> Vec<MetricRow> {
    result
        .rows
        .iter()
        .filter(|r| {
            r.la_code == la && r.year == year && r.metric.metric() == "regional-benchmarking"
        })
        .copied()
        .collect()
}

fn find<'a>(rows: &'a [MetricRow], measure: &str, breakdown: &str) -> &'a MetricRow {
    rows.iter()
        .find(|r| r.metric.measure() == measure && r.breakdown.to_string() == breakdown)
        .unwrap_or_else(|| panic!("no {measure} [{breakdown}]"))
}

const INDICATORS: [&str; 6] = [
    "cla-rate",
    "starts-rate",
    "three-plus-placements",
    "long-term-stability",
    "over-20-miles",
    "new-placements-over-20-miles",
];

#[test]
fn banes_903_figures_beside_published_ones() {
    let result = run_with("", &builtin_metrics());
    let rows = benchmarking_rows(&result, "800", 2025);
    // The 903 figure is the one cohort-summary reports, over the DfE's
    // population.
    let cla = result
        .rows
        .iter()
        .find(|r| r.la_code == "800" && r.year == 2025 && r.metric == cohort_summary::CLA_31_MARCH)
        .unwrap();
    let ours = find(&rows, "cla-rate", "source=903");
    assert_eq!(ours.numerator, cla.numerator);
    assert_eq!(ours.denominator, Some(36_601));
    let published = find(&rows, "cla-rate", "source=published");
    assert_eq!(published.numerator, Some(220));
    // Every indicator has a 903 figure from the sample (postcodes are real).
    for m in INDICATORS {
        let r = find(&rows, m, "source=903");
        assert!(r.value.is_some(), "{m}: {}", r.note);
        assert!(r.note.starts_with("computed by"), "{m}: {}", r.note);
    }
    let np = find(&rows, "new-placements-over-20-miles", "source=903");
    assert!(
        np.note.starts_with(
            "computed by placement-distance.new-placements (inside + outside the LA boundary"
        ),
        "{}",
        np.note
    );
    // Compared in every group, published and 903 alike.
    for c in ["england", "region", "sn2021", "sn2025"] {
        for s in ["published", "903"] {
            let r = find(
                &rows,
                "rank",
                &format!("indicator=cla-rate;comparator={c};source={s}"),
            );
            assert!(r.value.is_some(), "{c} {s}: {}", r.note);
        }
        let p = find(
            &rows,
            "funnel-position",
            &format!("indicator=cla-rate;comparator={c};source=903;level=95;limits=adjusted"),
        );
        assert!(p.value.is_some(), "{c}: {}", p.note);
    }
    // B&NES published 2025: 60 per 10,000, below the South West's 62 but
    // well within its adjusted funnel.
    let pos = find(
        &rows,
        "funnel-position",
        "indicator=cla-rate;comparator=region;source=published;level=95;limits=adjusted",
    );
    assert_eq!(pos.value, Some(0.0), "{}", pos.note);
    // Five years of 903 figures: a 903 trend beside the published one.
    let t903 = find(&rows, "trend-change", "indicator=cla-rate;source=903");
    assert!(t903.note.contains("5 years"), "{}", t903.note);
    find(&rows, "trend-change", "indicator=cla-rate;source=published");
    // The first year has no 903 trend (one year of 903).
    let first = benchmarking_rows(&result, "800", 2021);
    assert!(!first.is_empty());
    assert!(
        !first.iter().any(|r| r.metric.measure() == "trend-change"
            && r.breakdown.to_string().contains("source=903"))
    );
}

#[test]
fn no_row_is_duplicated() {
    let result = run_with("", &builtin_metrics());
    let mut keys = BTreeSet::new();
    for r in &result.rows {
        let k = (r.la_code, r.year, r.metric, r.period, r.breakdown);
        assert!(keys.insert(k), "duplicate {k:?}");
    }
}

/// One authority on its own gives the same rows as with the others (the
/// groups are then built for one member, not placed all at once).
#[test]
fn one_authority_alone_gives_the_same_rows_as_with_the_others() {
    let all = run_with("", &builtin_metrics());
    let alone = run_with("[run]\nlas = [\"803\"]\n", &builtin_metrics());
    for year in 2021..=2025 {
        let a = benchmarking_rows(&all, "803", year);
        assert!(!a.is_empty());
        assert_eq!(a, benchmarking_rows(&alone, "803", year), "{year}");
    }
}

#[test]
fn a_source_metric_switched_off_leaves_its_figures_not_computable() {
    let result = run_with(
        "[metrics.placement-stability]\nenabled = false\n",
        &builtin_metrics(),
    );
    let rows = benchmarking_rows(&result, "887", 2024);
    for m in ["three-plus-placements", "long-term-stability"] {
        let r = find(&rows, m, "source=903");
        assert_eq!(r.value, None);
        assert!(
            r.note
                .contains("placement-stability is not in this run (switched off"),
            "{m}: {}",
            r.note
        );
        // Nothing is compared that cannot be had.
        assert!(!rows.iter().any(|x| x.metric.measure() == "rank"
            && x.breakdown.get("indicator") == Some(m)
            && x.breakdown.get("source") == Some("903")
            && x.value.is_some()));
    }
    // The other sources still give their figures, and the published ones
    // are still compared.
    assert!(find(&rows, "cla-rate", "source=903").value.is_some());
    assert!(
        find(&rows, "three-plus-placements", "source=published")
            .value
            .is_some()
    );
}

#[test]
fn a_source_metric_with_other_parameters_is_not_benchmarked() {
    let result = run_with(
        "[metrics.placement-distance]\nthreshold_miles = 10\n",
        &builtin_metrics(),
    );
    let rows = benchmarking_rows(&result, "800", 2025);
    for m in ["over-20-miles", "new-placements-over-20-miles"] {
        let r = find(&rows, m, "source=903");
        assert_eq!(r.value, None);
        assert!(
            r.note.contains(
                "placement-distance runs with parameters other than its defaults (threshold_miles)"
            ),
            "{m}: {}",
            r.note
        );
    }
    assert!(find(&rows, "starts-rate", "source=903").value.is_some());
}

#[test]
fn other_levels_reach_the_rows() {
    let plain = run_with("", &builtin_metrics());
    let other = run_with(
        "[metrics.regional-benchmarking]\nlevels = [0.9, 0.99]\ndetail = \"full\"\n",
        &builtin_metrics(),
    );
    let a = benchmarking_rows(&plain, "800", 2025);
    let b = benchmarking_rows(&other, "800", 2025);
    assert_ne!(a, b);
    find(
        &b,
        "funnel-position",
        "indicator=cla-rate;comparator=region;source=903;level=90;limits=exact",
    );
}

/// A derived metric that panics for one authority: the others still report.
struct Fragile;

static FRAGILE: MetricSpec = MetricSpec {
    id: "fragile",
    title: "a derived metric that panics for Medway",
    version: "0",
    requires: &[TableKind::Episodes],
    needs: &[],
    measures: &[],
    params: &[],
};

impl DerivedMetric for Fragile {
    fn spec(&self) -> &MetricSpec {
        &FRAGILE
    }
    fn derive(&self, input: &DerivedInput<'_>) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        input
            .tasks
            .iter()
            .map(|t| {
                if t.la.to_string() == "887" {
                    panic!("Medway is too much");
                }
                // It sees the per-authority metrics' rows of its task.
                assert!(!input.rows(t.la, t.year).is_empty());
                Ok(Vec::new())
            })
            .collect()
    }
}

#[test]
fn a_derived_metric_that_panics_takes_only_its_authority_down() {
    let mut metrics = builtin_metrics();
    metrics.push(Box::new(Fragile));
    let result = run_with("", &metrics);
    let fragile: Vec<_> = result
        .statuses
        .iter()
        .filter(|s| s.metric == "fragile")
        .collect();
    assert_eq!(fragile.len(), 15);
    for s in fragile {
        match (&s.la_code[..], &s.outcome) {
            ("887", Outcome::Failed(m)) => assert!(m.contains("Medway is too much"), "{m}"),
            ("887", o) => panic!("{o:?}"),
            (_, o) => assert_eq!(*o, Outcome::Ok(0)),
        }
    }
    // Asked to compute from a cohort alone, a derived metric says it cannot.
    assert!(Fragile.derived().is_some());
}
