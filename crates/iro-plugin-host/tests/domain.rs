//! The SDK's domain helpers give the built-in metrics' answers (issue 20,
//! item 5): on the bundled sample, exported as `iro` exports it to a
//! plugin, the children `CohortView::looked_after_on` finds at 31 March,
//! with their DfE age bands, UASC status, legal-status and placement groups,
//! and the children looked after during the year, are those
//! `cohort-summary` counts; `CohortView::population` is the denominator of
//! its rates. The cohort is loaded with `figure_basis = revised`, so that
//! the built-in counts the merged history a plugin is given (PLUGINS.md,
//! "Which episodes a plugin sees").

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use iro_domain::{ChildIdx, FigureBasis};
use iro_ingest::{InputSource, LoadOptions, Loaded};
use iro_metric_api::MetricRow;
use iro_plugin_sdk::CohortView;

fn sample_with(basis: FigureBasis) -> Loaded {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
    let options = LoadOptions {
        figure_basis: basis,
        ..LoadOptions::default()
    };
    iro_ingest::load(&InputSource::Folder(dir), &options).expect("sample")
}

/// `measure`'s numerators by breakdown text (`age_band=1 to 4`; `""` the
/// total).
fn counts(rows: &[MetricRow], measure: &str) -> BTreeMap<String, u64> {
    rows.iter()
        .filter(|r| r.metric.as_str() == format!("cohort-summary.{measure}"))
        .filter_map(|r| Some((r.breakdown.to_string(), r.numerator?)))
        .collect()
}

fn tally<'a>(key: &str, values: impl Iterator<Item = &'a str>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for v in values {
        *out.entry(format!("{key}={v}")).or_default() += 1;
    }
    out
}

/// The profile's rows of one key.
fn of_key(all: &BTreeMap<String, u64>, key: &str) -> BTreeMap<String, u64> {
    all.iter()
        .filter(|(b, _)| b.starts_with(&format!("{key}=")))
        .map(|(b, n)| (b.clone(), *n))
        .collect()
}

#[test]
fn the_sdk_helpers_count_what_cohort_summary_counts() {
    let metrics = iro_engine::builtin_metrics();
    let summary = &metrics[pick(&metrics, "cohort-summary")];
    let loaded = sample_with(FigureBasis::Revised);
    let mut checked = 0;
    for cohort in &loaded.cohorts {
        let tables = iro_plugin_host::export_cohort(cohort, reference()).unwrap();
        for year in 2021..=2025 {
            let rows = compute(summary.as_ref(), cohort, year, serde_json::json!({})).unwrap();
            let view =
                CohortView::new(tables.la_code.clone(), year, tables.tables.clone()).unwrap();
            let end = view.year_end();
            let la = view.looked_after_on(end).unwrap();
            let what = format!("{} {year}", view.la_code());

            let cla = counts(&rows, "cla-31-march")[""];
            assert_eq!(la.len() as u64, cla, "{what}: looked after at 31 March");
            let profile = counts(&rows, "profile");
            assert_eq!(
                tally(
                    "age_band",
                    la.iter().map(|c| c.child.age_band_on(end).label())
                ),
                of_key(&profile, "age_band"),
                "{what}: age bands"
            );
            assert_eq!(
                tally(
                    "legal_status",
                    la.iter()
                        .map(|c| c.episode.legal_status().unwrap().group().label())
                ),
                of_key(&profile, "legal_status"),
                "{what}: legal status"
            );
            assert_eq!(
                tally(
                    "care_order",
                    la.iter()
                        .filter_map(|c| c.episode.legal_status())
                        .filter(|ls| ls.is_care_order())
                        .map(|ls| ls.group_with_care_orders_apart())
                ),
                of_key(&profile, "care_order"),
                "{what}: care orders"
            );
            assert_eq!(
                tally(
                    "placement",
                    la.iter().map(|c| c
                        .episode
                        .placement_group()
                        .map_or("Not known", |g| g.label()))
                ),
                of_key(&profile, "placement"),
                "{what}: placement groups"
            );
            let uasc: Vec<_> = la.iter().filter(|c| c.child.uasc_on(end)).collect();
            assert_eq!(
                profile.get("uasc=UASC").copied().unwrap_or(0),
                uasc.len() as u64,
                "{what}: UASC"
            );
            assert_eq!(
                tally(
                    "age_band",
                    uasc.iter().map(|c| c.child.age_band_on(end).label())
                ),
                of_key(&counts(&rows, "uasc-profile"), "age_band"),
                "{what}: UASC by age band"
            );
            let during = view
                .looked_after_during(view.year_start(), end)
                .unwrap()
                .len() as u64;
            assert_eq!(during, counts(&rows, "during-year")[""], "{what}: during");

            // The rates' denominator is the population the plugin is given.
            let rate = rows
                .iter()
                .find(|r| r.metric.as_str() == "cohort-summary.cla-rate")
                .unwrap();
            let population = view.population().unwrap().map(|p| p.children);
            assert_eq!(population, rate.denominator, "{what}: population");

            // The domain's own child record says the same children.
            let domain: Vec<u32> = (0..cohort.children().len() as u32)
                .filter(|&i| cohort.child(ChildIdx(i)).looked_after_on(end))
                .collect();
            let sdk: Vec<u32> = la.iter().map(|c| c.idx).collect();
            assert_eq!(domain, sdk, "{what}: the same children");
            checked += 1;
        }
    }
    assert_eq!(checked, 15);
}

/// A plugin's rate per 10,000 (`uasc-plugin`'s `uasc-rate`, written with
/// `per_10000_children`) divides by the population the built-in rates
/// divide by, in-process and isolated (the `population` table crosses the C
/// ABI and the worker's wire), and its numerator is the built-in's count of
/// UASC at 31 March.
#[test]
fn a_plugin_rate_uses_the_built_in_population() {
    use iro_plugin_host::{Host, Isolation};
    let lib = cdylib("uasc-plugin");
    for isolation in [Isolation::InProcess, Isolation::Process] {
        let host = Host::new(vec![entry(&lib, isolation)], options());
        let mut metrics = iro_engine::builtin_metrics();
        metrics.extend(host.metrics().unwrap());
        let _scope = host.cache_scope();
        let mut config = iro_engine::Config::default();
        config.suppression.threshold = 0;
        let c = iro_engine::compute(&config, sample(), reference(), &metrics, &|_| {}).unwrap();
        let find = |la: &str, year: i32, measure: &str, b: &str| {
            c.rows
                .iter()
                .find(|r| {
                    r.la_code == la
                        && r.year == year
                        && r.metric.as_str() == measure
                        && r.breakdown.to_string() == b
                })
                .unwrap_or_else(|| panic!("{la} {year} {measure} [{b}]"))
        };
        let mut rates = 0;
        for la in ["800", "803", "887"] {
            for year in 2021..=2025 {
                let ours = find(la, year, "uasc-age.uasc-rate", "");
                let theirs = find(la, year, "cohort-summary.cla-rate", "");
                assert_eq!(ours.denominator, theirs.denominator, "{la} {year}");
                assert!(ours.denominator.is_some(), "{la} {year}: {ours:?}");
                assert_eq!(ours.note, theirs.note, "{la} {year}");
                let uasc = find(la, year, "cohort-summary.profile", "uasc=UASC");
                assert_eq!(ours.numerator, uasc.numerator, "{la} {year}");
                rates += 1;
            }
        }
        assert_eq!(rates, 15);
    }
}
