//! The engine over the bundled sample: failing metrics are contained, missing
//! tables are "not computable", and shareable rows are suppressed.

use std::path::Path;

use iro_engine::{Config, Outcome, builtin_metrics, run};
use iro_ingest::InputSource;
use iro_metric_api::{
    MeasureId, MeasureSpec, Metric, MetricContext, MetricError, MetricRow, MetricSpec, Period,
    TableKind, Unit, row,
};

fn sample() -> InputSource {
    InputSource::Folder(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample"))
}

/// A metric that misbehaves in a chosen way.
struct Faulty {
    spec: MetricSpec,
    mode: u8,
}

/// The one measure `n` of a test metric `id`.
fn measures(id: &str) -> &'static [MeasureSpec] {
    Vec::leak(vec![MeasureSpec {
        id: MeasureId::parse(&format!("{id}.n")).unwrap(),
        title: "n",
        unit: Unit::Count,
        additive_breakdowns: &[],
        subject: iro_metric_api::Subject::Children,
    }])
}

fn faulty(id: &'static str, mode: u8, requires: &'static [TableKind]) -> Box<dyn Metric> {
    Box::new(Faulty {
        spec: MetricSpec {
            id,
            title: "test metric",
            version: "0",
            requires,
            needs: &[],
            measures: measures(id),
            params: &[],
        },
        mode,
    })
}

impl Metric for Faulty {
    fn spec(&self) -> &MetricSpec {
        &self.spec
    }
    fn compute_years(
        &self,
        ctxs: &[MetricContext<'_>],
    ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        ctxs.iter()
            .map(|ctx| match self.mode {
                0 => panic!("boom in {}", ctx.year),
                1 => Err(MetricError::Failed("deliberate".into())),
                2 => Ok(vec![row(&self.spec, ctx, "n", Period::Year).count(3)]),
                4 if ctx.year.0 == 2023 => panic!("only 2022-23 is bad"),
                4 => Ok(vec![row(&self.spec, ctx, "n", Period::Year).count(30)]),
                _ => Err(MetricError::NotComputable("no such table".into())),
            })
            .collect()
    }
}

#[test]
fn a_panicking_metric_does_not_stop_the_others() {
    let mut metrics = builtin_metrics();
    metrics.push(faulty("panics", 0, &[]));
    metrics.push(faulty("errors", 1, &[]));
    metrics.push(faulty("small", 2, &[]));
    metrics.push(faulty("absent", 3, &[]));
    let result = run(&Config::default(), &sample(), &metrics, &|_| {}).unwrap();

    let outcome = |metric: &str| {
        result
            .statuses
            .iter()
            .filter(|s| s.metric == metric)
            .map(|s| s.outcome.clone())
            .collect::<Vec<_>>()
    };
    let panics = outcome("panics");
    assert_eq!(panics.len(), 15, "3 authorities × 5 years");
    assert!(
        panics
            .iter()
            .all(|o| matches!(o, Outcome::Failed(m) if m.starts_with("panicked: boom in 20")))
    );
    assert!(
        outcome("errors")
            .iter()
            .all(|o| matches!(o, Outcome::Failed(m) if m == "deliberate"))
    );
    assert!(
        outcome("absent")
            .iter()
            .all(|o| matches!(o, Outcome::NotComputable(_)))
    );
    assert!(
        outcome("cohort-summary")
            .iter()
            .all(|o| matches!(o, Outcome::Ok(n) if *n > 10))
    );
    assert_eq!(result.failures().count(), 30);

    // The built-in metrics still produced their figures...
    assert!(
        result
            .rows
            .iter()
            .any(|r| r.metric == "cohort-summary.cla-31-march" && r.value.is_some())
    );
    // ...and the small count of 3 was suppressed centrally.
    let small: Vec<_> = result
        .rows
        .iter()
        .filter(|r| r.metric == "small.n")
        .collect();
    assert_eq!(small.len(), 15);
    assert!(
        small
            .iter()
            .all(|r| r.value.is_none()
                && r.status.suppression().map(|s| s.label()) == Some("primary"))
    );
}

#[test]
fn a_year_that_panics_takes_no_other_year_down() {
    // All years of an authority are one task; when it panics, the years are
    // run one by one, so only 2022-23 fails.
    let mut metrics = builtin_metrics();
    metrics.push(faulty("one-bad-year", 4, &[]));
    let result = run(&Config::default(), &sample(), &metrics, &|_| {}).unwrap();
    let mine: Vec<_> = result
        .statuses
        .iter()
        .filter(|s| s.metric == "one-bad-year")
        .collect();
    assert_eq!(mine.len(), 15);
    for s in mine {
        if s.year == 2023 {
            assert_eq!(
                s.outcome,
                Outcome::Failed("panicked: only 2022-23 is bad".into())
            );
        } else {
            assert_eq!(s.outcome, Outcome::Ok(1), "{s:?}");
        }
    }
    assert_eq!(result.failures().count(), 3);
    assert_eq!(
        result
            .rows
            .iter()
            .filter(|r| r.metric == "one-bad-year.n")
            .count(),
        12
    );
}

/// The engine enforces `MetricSpec::requires`: a metric that computes
/// whatever the tables gives no figure for a year lacking one it requires.
/// The sample has SWEpisodes from 2023-24 only.
#[test]
fn a_year_without_a_required_table_is_not_computable_whatever_the_metric_does() {
    let mut metrics = builtin_metrics();
    metrics.push(faulty("needs-sw", 2, &[TableKind::SwEpisodes]));
    metrics.push(faulty("says-so", 3, &[TableKind::SwEpisodes]));
    let result = run(&Config::default(), &sample(), &metrics, &|_| {}).unwrap();
    let statuses = |metric: &str| -> Vec<_> {
        result
            .statuses
            .iter()
            .filter(|s| s.metric == metric)
            .collect()
    };
    let mine = statuses("needs-sw");
    assert_eq!(mine.len(), 15);
    for s in mine {
        if s.year >= 2024 {
            assert_eq!(s.outcome, Outcome::Ok(1), "{s:?}");
        } else {
            let label = format!("{}-{:02}", s.year - 1, s.year % 100);
            assert_eq!(
                s.outcome,
                Outcome::NotComputable(format!("no SWEpisodes table for {label}")),
                "{s:?}"
            );
        }
    }
    let years: Vec<i32> = result
        .rows
        .iter()
        .filter(|r| r.metric == "needs-sw.n")
        .map(|r| r.year)
        .collect();
    assert_eq!(years.len(), 6, "2023-24 and 2024-25 of 3 authorities");
    assert!(years.iter().all(|&y| y >= 2024));
    // A metric's own "not computable" keeps its words.
    assert!(
        statuses("says-so")
            .iter()
            .all(|s| s.outcome == Outcome::NotComputable("no such table".into()))
    );
    // Not computable is not a failure: the run has none of these.
    assert!(
        result
            .failures()
            .all(|s| s.metric != "needs-sw" && s.metric != "says-so")
    );
}

#[test]
fn every_relation_names_a_built_in_measure() {
    let metrics = builtin_metrics();
    let known = |id: &str| {
        id.split_once('.').is_some_and(|(m, measure)| {
            metrics
                .iter()
                .any(|x| x.spec().id == m && x.spec().measure_named(measure).is_some())
        })
    };
    let mut relations = 0;
    for r in iro_engine::registry::relations_of(metrics.iter().map(|m| m.as_ref())) {
        relations += 1;
        for metric in r.metrics() {
            assert!(known(metric.as_str()), "{r}: no measure {metric}");
        }
    }
    assert!(relations >= 30, "{relations}");
}

#[test]
fn unknown_target_metrics_are_errors_naming_them() {
    let config = Config::parse(
        "[[targets]]\nmetric = \"review-timeliness.reviews-on-time-pct\"\nat_least = 90\n",
    )
    .unwrap();
    let err = run(&config, &sample(), &builtin_metrics(), &|_| {}).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown metric `review-timeliness.reviews-on-time-pct`"),
        "{err}"
    );
}

#[test]
fn shareable_rows_hold_no_small_counts() {
    let result = run(&Config::default(), &sample(), &builtin_metrics(), &|_| {}).unwrap();
    assert!(result.rows.len() > 1000);
    // Counts of staff (IROs) are not counts of children: never hidden.
    let staff = |metric: &str| {
        result.specs.iter().any(|s| {
            s.measures
                .iter()
                .any(|m| m.subject == iro_metric_api::Subject::Staff && metric == m.id.as_str())
        })
    };
    let mut staff_rows = 0;
    for r in &result.rows {
        if staff(r.metric.as_str()) {
            assert_eq!(r.status.suppression(), None, "{r:?}");
            staff_rows += 1;
            continue;
        }
        for n in [
            r.numerator,
            (r.unit != Unit::Per10000)
                .then_some(r.denominator)
                .flatten(),
        ]
        .into_iter()
        .flatten()
        {
            assert!(n == 0 || n > 7, "{r:?}");
        }
        // A count shown is 0 or above the threshold; a count with no value
        // says why (invariant 3: "not computable", never 0).
        if !r.status.is_suppressed() && r.unit == Unit::Count {
            match r.value {
                Some(v) => assert!(v == 0.0 || v > 7.0, "{r:?}"),
                None => assert!(r.note_text().starts_with("not computable"), "{r:?}"),
            }
        }
    }
    assert!(staff_rows > 0);
}

#[test]
fn one_year_and_one_authority() {
    let mut config = Config::default();
    config.run.years = vec![2025];
    config.run.las = vec!["800".into()];
    let result = run(&config, &sample(), &builtin_metrics(), &|_| {}).unwrap();
    assert!(
        result
            .rows
            .iter()
            .all(|r| r.la_code == "800" && r.year == 2025)
    );
    assert!(!result.rows.is_empty());
}

#[test]
fn unknown_metric_parameters_are_errors() {
    let config =
        Config::parse("[metrics.review-timeliness]\nfirst_review_workingdays = 20\n").unwrap();
    let err = run(&config, &sample(), &builtin_metrics(), &|_| {}).unwrap_err();
    assert!(
        err.to_string().contains("first_review_workingdays"),
        "{err}"
    );
}

#[test]
fn every_measure_id_names_its_metric_once() {
    let mut seen = std::collections::BTreeSet::new();
    for m in builtin_metrics() {
        let spec = m.spec();
        assert!(!spec.measures.is_empty(), "{}: no measures", spec.id);
        for measure in spec.measures {
            assert_eq!(measure.id.metric(), spec.id, "{}", measure.id);
            assert!(seen.insert(measure.id), "{} declared twice", measure.id);
        }
    }
}
