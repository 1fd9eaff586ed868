//! One validation, two places: a row `iro run` refuses fails a plugin's own
//! `cargo test` (the SDK's harness) with the same message, naming the
//! measure, breakdown, authority and year. The misbehaving plugin is linked
//! here (its own test binary, as its descriptor symbol would clash with
//! another plugin's) so the harness can call it as a plugin's tests do.

mod common;

use common::*;
use iro_metric_api::{AreaCode, MetricError};
use iro_plugin_host::{Host, Isolation};
use iro_plugin_sdk::client::CallError;
use iro_plugin_sdk::testing::{Fixture, run};
use serde_json::json;

#[test]
fn a_row_the_host_refuses_fails_the_plugins_own_tests_with_the_same_message() {
    let cohort = &sample().cohorts[0];
    let la = AreaCode::of_la(cohort.la()).to_string();
    let fault = "numerator-over-denominator";

    // The plugin's own test, through the SDK's harness.
    let harness = run(
        misbehaving_plugin::iro_plugin_descriptor,
        fault,
        2025,
        &Fixture::new(&la),
        json!({}),
    )
    .unwrap_err();
    assert!(
        matches!(harness, CallError::InvalidOutput(_)),
        "{harness:?}"
    );
    let harness = harness.to_string();
    assert_eq!(
        harness,
        format!(
            "the plugin returned invalid output: {fault}.p [sex=F], authority {la}, year 2025, \
             period 31-03: numerator 441 exceeds denominator 440 in a percentage"
        )
    );

    // `iro run`: the host, in-process and isolated.
    for isolation in [Isolation::InProcess, Isolation::Process] {
        let host = Host::new(vec![entry(&misbehaving(), isolation)], options());
        let metrics = host.metrics().unwrap();
        let m = &metrics[pick(&metrics, fault)];
        match compute(m.as_ref(), cohort, 2025, json!({})) {
            Err(MetricError::Failed(msg)) => assert_eq!(msg, harness, "{isolation:?}"),
            other => panic!("{isolation:?}: {other:?}"),
        }
    }

    // The good metric passes both.
    let rows = run(
        misbehaving_plugin::iro_plugin_descriptor,
        "good",
        2025,
        &Fixture::new(&la),
        json!({}),
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
}
