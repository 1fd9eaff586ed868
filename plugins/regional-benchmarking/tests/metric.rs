//! The metric on the bundled synthetic sample (B&NES 800, South
//! Gloucestershire 803, Medway 887; 2021-2025): 903 figures beside the
//! published ones, compared in every group, with the 903 trend.

use std::collections::BTreeSet;
use std::path::Path;

use iro_domain::{CollectionYear, LaCode, WorkingDayCalendar};
use iro_ingest::{InputSource, LoadOptions};
use iro_metric_api::{MeasureId, MetricExt};
use iro_metric_api::{Metric, MetricContext, MetricRow, Params};
use iro_reference::Reference;
use regional_benchmarking::{DETAIL, LEVELS, RegionalBenchmarking};

fn sample_rows(la: u16) -> (Vec<(CollectionYear, Vec<MetricRow>)>, Vec<MetricRow>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
    let opts = LoadOptions {
        las: Some(BTreeSet::from([LaCode::new(la).unwrap()])),
        ..LoadOptions::default()
    };
    let loaded = iro_ingest::load(&InputSource::Folder(dir), &opts).unwrap();
    let cohort = &loaded.cohorts[0];
    let reference = Reference::bundled().unwrap();
    let calendar = WorkingDayCalendar::england_and_wales();
    let metric =
        RegionalBenchmarking::new(placement_distance::PlacementDistance::bundled().unwrap());
    let params = metric.spec().resolve_params(&Params::new()).unwrap();
    let years: Vec<CollectionYear> = cohort.years().collect();
    let ctxs: Vec<MetricContext<'_>> = years
        .iter()
        .map(|&year| MetricContext {
            cohort,
            la: reference.la(cohort.la()),
            year,
            reference: &reference,
            calendar: &calendar,
            params: &params,
        })
        .collect();
    let per_year: Vec<(CollectionYear, Vec<MetricRow>)> = years
        .iter()
        .copied()
        .zip(metric.compute_years(&ctxs).into_iter().map(Result::unwrap))
        .collect();
    // The source metric, for cross-checks.
    let summary = cohort_summary::CohortSummary
        .compute(&MetricContext {
            params: &Params::new(),
            ..ctxs[ctxs.len() - 1]
        })
        .unwrap();
    (per_year, summary)
}

fn find<'a>(rows: &'a [MetricRow], metric: &str, breakdown: &str) -> &'a MetricRow {
    rows.iter()
        .find(|r| {
            r.metric == format!("regional-benchmarking.{metric}")
                && r.breakdown.to_string() == breakdown
        })
        .unwrap_or_else(|| panic!("no {metric} [{breakdown}]"))
}

#[test]
fn banes_903_figures_beside_published_ones() {
    let (per_year, summary) = sample_rows(800);
    assert_eq!(per_year.len(), 5);
    let (year, rows) = per_year.last().unwrap();
    assert_eq!(*year, CollectionYear(2025));
    assert!(rows.iter().all(|r| r.la_code == "800" && r.year == 2025));
    // The 903 rate is the cohort-summary count over the DfE's population.
    let cla = summary
        .iter()
        .find(|r| r.metric == MeasureId::new("cohort-summary.cla-31-march"))
        .unwrap();
    let ours = find(rows, "cla-rate", "source=903");
    assert_eq!(ours.numerator, cla.numerator);
    assert_eq!(ours.denominator, Some(36_601));
    let published = find(rows, "cla-rate", "source=published");
    assert_eq!(published.numerator, Some(220));
    // Every indicator has a 903 figure from the sample (postcodes are real).
    for m in [
        "cla-rate",
        "starts-rate",
        "three-plus-placements",
        "long-term-stability",
        "over-20-miles",
        "new-placements-over-20-miles",
    ] {
        let r = find(rows, m, "source=903");
        assert!(r.value.is_some(), "{m}: {}", r.note);
        assert!(r.note.starts_with("computed by"), "{m}: {}", r.note);
    }
    // Compared in every group, published and 903 alike.
    for c in ["england", "region", "sn2021", "sn2025"] {
        for s in ["published", "903"] {
            let r = find(
                rows,
                "rank",
                &format!("indicator=cla-rate;comparator={c};source={s}"),
            );
            assert!(r.value.is_some(), "{c} {s}: {}", r.note);
        }
        let p = find(
            rows,
            "funnel-position",
            &format!("indicator=cla-rate;comparator={c};source=903;level=95;limits=adjusted"),
        );
        assert!(p.value.is_some(), "{c}: {}", p.note);
    }
    // B&NES published 2025: 60 per 10,000, below the South West's 62 but
    // well within its adjusted funnel.
    let pos = find(
        rows,
        "funnel-position",
        "indicator=cla-rate;comparator=region;source=published;level=95;limits=adjusted",
    );
    assert_eq!(pos.value, Some(0.0), "{}", pos.note);
    // Five years of 903 figures: a 903 trend beside the published one.
    let t903 = find(rows, "trend-change", "indicator=cla-rate;source=903");
    assert!(t903.note.contains("5 years"), "{}", t903.note);
    find(rows, "trend-change", "indicator=cla-rate;source=published");
    // The first year has no trend (one year of 903).
    let (_, first) = &per_year[0];
    assert!(
        !first
            .iter()
            .any(|r| r.metric.as_str().ends_with("trend-change")
                && r.breakdown.to_string().contains("source=903"))
    );
}

#[test]
fn no_row_is_duplicated() {
    let (per_year, _) = sample_rows(887);
    for (_, rows) in &per_year {
        let mut keys = BTreeSet::new();
        for r in rows {
            let k = (
                r.la_code,
                r.year,
                r.metric,
                r.period,
                r.breakdown.to_string(),
            );
            assert!(keys.insert(k.clone()), "duplicate {k:?}");
        }
    }
}

/// The rows of each sample authority from one metric instance, which keeps
/// the published figures and comparison groups between tasks, run over
/// `references` in turn with each of `params` in turn.
fn rows_by_instance(
    metric: &RegionalBenchmarking,
    references: &[&Reference],
    params: &[Params],
) -> Vec<Vec<MetricRow>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
    let loaded = iro_ingest::load(&InputSource::Folder(dir), &LoadOptions::default()).unwrap();
    let calendar = WorkingDayCalendar::england_and_wales();
    let mut out = Vec::new();
    for reference in references {
        for given in params {
            let params = metric.spec().resolve_params(given).unwrap();
            for cohort in &loaded.cohorts {
                let ctxs: Vec<MetricContext<'_>> = cohort
                    .years()
                    .map(|year| MetricContext {
                        cohort,
                        la: reference.la(cohort.la()),
                        year,
                        reference,
                        calendar: &calendar,
                        params: &params,
                    })
                    .collect();
                for rows in metric.compute_years(&ctxs) {
                    out.push(rows.unwrap());
                }
            }
        }
    }
    out
}

#[test]
fn figures_kept_between_tasks_give_the_same_rows_as_a_fresh_start() {
    let first = Reference::bundled().unwrap();
    let second = Reference::bundled().unwrap();
    assert_ne!(first.instance(), second.instance());
    let mut other = Params::new();
    other.insert(LEVELS.into(), serde_json::json!([0.9, 0.99]));
    other.insert(DETAIL.into(), serde_json::json!("full"));
    let params = [Params::new(), other];
    let new =
        || RegionalBenchmarking::new(placement_distance::PlacementDistance::bundled().unwrap());

    // One instance across authorities, parameter sets and reference loads…
    let shared = new();
    let kept = rows_by_instance(&shared, &[&first, &second], &params);
    // …against a fresh instance for each (reference, parameters) pair.
    let mut fresh = Vec::new();
    for r in [&first, &second] {
        for p in &params {
            fresh.extend(rows_by_instance(&new(), &[r], std::slice::from_ref(p)));
        }
    }
    assert_eq!(kept.len(), fresh.len());
    assert!(kept.iter().all(|rows| !rows.is_empty()));
    assert_eq!(kept, fresh);
    // The other levels reached the rows: the two parameter sets differ.
    let per_set = kept.len() / 4;
    assert_ne!(kept[..per_set], kept[per_set..2 * per_set]);
}
