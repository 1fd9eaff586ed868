//! The metrics compiled into the tool, and the wiring between them: where a
//! derived metric reads its figures ([`BENCHMARK_SOURCES`]). The metric
//! crates do not know each other; what one reads of another's rows is stated
//! here, once, and checked by the tests below against the rows they produce.

use iro_metric_api::{
    Metric, MetricContext, MetricError, MetricRow, MetricSpec, Relation, SourceFigure, Term,
};
use regional_benchmarking::{Indicator, RegionalBenchmarking};

use crate::config::Config;
use crate::run::EngineError;

/// Where regional benchmarking reads each indicator's 903 figure: the rows
/// of `cohort-summary`, `placement-stability` and `placement-distance` (at
/// their default parameters: the DfE's definitions, the 20-mile threshold).
/// The same terms are the relations that make secondary suppression hide a
/// benchmarked count and its source together.
pub static BENCHMARK_SOURCES: [(Indicator, SourceFigure); 6] = [
    (
        Indicator::ClaRate,
        SourceFigure {
            numerator: &[Term::num(cohort_summary::CLA_RATE).only("")],
            denominator: Term::den(cohort_summary::CLA_RATE).only(""),
            how: "",
        },
    ),
    (
        Indicator::StartsRate,
        SourceFigure {
            numerator: &[Term::num(cohort_summary::STARTS_RATE).only("")],
            denominator: Term::den(cohort_summary::STARTS_RATE).only(""),
            how: "",
        },
    ),
    (
        Indicator::ThreePlusPlacements,
        SourceFigure {
            numerator: &[Term::num(placement_stability::THREE_PLUS_PLACEMENTS).only("")],
            denominator: Term::den(placement_stability::THREE_PLUS_PLACEMENTS).only(""),
            how: "",
        },
    ),
    (
        Indicator::LongTermStability,
        SourceFigure {
            numerator: &[Term::num(placement_stability::LONG_TERM_STABILITY).only("")],
            denominator: Term::den(placement_stability::LONG_TERM_STABILITY).only(""),
            how: "",
        },
    ),
    (
        Indicator::Over20Miles,
        SourceFigure {
            numerator: &[Term::num(placement_distance::DISTANCE).only("distance=Over 20 miles")],
            denominator: Term::den(placement_distance::DISTANCE).only(""),
            how: "",
        },
    ),
    (
        Indicator::NewPlacementsOver20Miles,
        SourceFigure {
            numerator: &[
                Term::num(placement_distance::NEW_PLACEMENTS).only(
                    "location_distance=Placed inside LA boundary more than 20 miles from home",
                ),
                Term::num(placement_distance::NEW_PLACEMENTS).only(
                    "location_distance=Placed outside LA boundary more than 20 miles from home",
                ),
            ],
            denominator: Term::num(placement_distance::NEW_PLACEMENTS).only(""),
            how: "inside + outside the LA boundary, more than 20 miles",
        },
    ),
];

/// Relations between two metrics' figures (secondary suppression), declared
/// here, where the metrics are wired together, so that neither crate depends
/// on the other: participation counts the reviews `review-timeliness`
/// attributes (the same attribution, `iro_domain::review_attribution`, and
/// the default short-break series gap), and the reviews it leaves out are
/// timeliness's flags of the same reviews and its short-break reviews held.
pub static CROSS_RELATIONS: [Relation; 4] = [
    Relation::Sum {
        total: Term::num(participation::REVIEWS).only(""),
        parts: &[Term::num(review_timeliness::HELD).only("")],
    },
    Relation::Sum {
        total: Term::num(participation::FLAGS).only("flag=duplicate-review"),
        parts: &[Term::num(review_timeliness::FLAGS).only("flag=duplicate-review")],
    },
    Relation::Sum {
        total: Term::num(participation::FLAGS).only("flag=review-outside-care"),
        parts: &[
            Term::num(review_timeliness::FLAGS).only("flag=review-before-care"),
            Term::num(review_timeliness::FLAGS).only("flag=review-after-care"),
            Term::num(review_timeliness::FLAGS).only("flag=review-no-episodes"),
        ],
    },
    Relation::Sum {
        total: Term::num(participation::FLAGS).only("flag=short-break-review"),
        parts: &[Term::num(review_timeliness::HELD).only("care_type=short breaks")],
    },
];

/// The relations of `metrics` and the [`CROSS_RELATIONS`] between them, each
/// cross relation right after the relations of the later of its two metrics
/// (so the order does not depend on how the list was put together).
pub fn relations_of<'m>(metrics: impl IntoIterator<Item = &'m dyn Metric>) -> Vec<Relation> {
    let metrics: Vec<&dyn Metric> = metrics.into_iter().collect();
    let ids: Vec<&str> = metrics.iter().map(|m| m.spec().id).collect();
    let mut out = Vec::new();
    for (k, m) in metrics.iter().enumerate() {
        out.extend(m.relations().iter().copied());
        for rel in &CROSS_RELATIONS {
            let named = relation_metrics(rel);
            let positions: Option<Vec<usize>> = named
                .iter()
                .map(|id| ids.iter().position(|x| x == id))
                .collect();
            if positions.is_some_and(|p| p.iter().max() == Some(&k)) {
                out.push(*rel);
            }
        }
    }
    out
}

/// The metric ids a relation names.
fn relation_metrics(rel: &Relation) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = rel.metrics().iter().map(|m| m.metric()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The metrics compiled into the tool, in registry order, with the bundled
/// reference data (postcode-sector centroids for placement distance).
pub fn builtin_metrics() -> Vec<Box<dyn Metric>> {
    let distance: Box<dyn Metric> = match placement_distance::PlacementDistance::bundled() {
        Ok(m) => Box::new(m),
        // The bundled table is checked by tests; should it ever fail to load,
        // the metric reports the failure for every task rather than vanish.
        Err(e) => Box::new(Unavailable {
            spec: MetricSpec {
                id: "placement-distance",
                title: "Placement distance (postcode table failed to load)",
                version: "0",
                requires: &[],
                needs: &[],
                measures: &[],
                params: &[],
            },
            reason: format!("postcode table: {e}"),
        }),
    };
    builtin_with_distance(distance)
}

/// The built-in metrics for this configuration: as [`builtin_metrics`], with
/// the unit-postcode table of `[reference] postcode_units` (exact distances)
/// when one is configured.
pub fn builtin_metrics_for(config: &Config) -> Result<Vec<Box<dyn Metric>>, EngineError> {
    let Some(units) = &config.reference.postcode_units else {
        return Ok(builtin_metrics());
    };
    let index = iro_postcodes::PostcodeIndex::load(Some(units))?;
    let distance = placement_distance::PlacementDistance::new(std::sync::Arc::new(index));
    Ok(builtin_with_distance(Box::new(distance)))
}

/// The registry: one line per built-in metric. Per-authority metrics first;
/// a derived metric (benchmarking) is computed after them whatever its place.
fn builtin_with_distance(distance: Box<dyn Metric>) -> Vec<Box<dyn Metric>> {
    vec![
        Box::new(cohort_summary::CohortSummary),
        Box::new(review_timeliness::ReviewTimeliness),
        Box::new(participation::Participation),
        Box::new(placement_stability::PlacementStability),
        distance,
        Box::new(service_records::ServiceRecordsMetric),
        Box::new(drp_flow::DrpFlow),
        Box::new(RegionalBenchmarking::new(&BENCHMARK_SOURCES)),
        Box::new(care_leavers::CareLeavers),
    ]
}

/// A built-in metric that could not be set up: every task reports why.
struct Unavailable {
    spec: MetricSpec,
    reason: String,
}

impl Metric for Unavailable {
    fn spec(&self) -> &MetricSpec {
        &self.spec
    }
    fn compute_years(
        &self,
        ctxs: &[MetricContext<'_>],
    ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        ctxs.iter()
            .map(|_| Err(MetricError::Failed(self.reason.clone())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_metric_api::{Breakdown, Rows};

    /// Every term names a measure its metric declares, and a breakdown that
    /// metric gives at its default parameters.
    #[test]
    fn benchmark_sources_name_declared_measures_and_default_labels() {
        let metrics = builtin_metrics();
        let labels = placement_distance::Options::default();
        let distance = labels.distance_labels();
        let new = labels.new_placement_labels();
        let known = [
            String::new(),
            format!("distance={}", distance[1]),
            format!("location_distance={}", new[1]),
            format!("location_distance={}", new[3]),
        ];
        for (indicator, source) in &BENCHMARK_SOURCES {
            for t in source.numerator.iter().chain([&source.denominator]) {
                let spec = metrics
                    .iter()
                    .map(|m| m.spec())
                    .find(|s| s.id == t.metric.metric())
                    .unwrap_or_else(|| panic!("{indicator:?}: no metric {}", t.metric));
                assert!(spec.measure(t.metric).is_some(), "{indicator:?}: {t}");
                let Rows::Only(text) = t.rows else {
                    panic!("{indicator:?}: {t} names no one row")
                };
                assert!(known.iter().any(|k| k == text), "{indicator:?}: `{text}`");
                assert_eq!(Breakdown::parse(text).to_string(), text);
            }
        }
        let covered: Vec<Indicator> = BENCHMARK_SOURCES.iter().map(|(i, _)| *i).collect();
        assert_eq!(covered, Indicator::ALL);
    }

    /// Adding a metric is one line in the registry: every id once, and the
    /// derived ones known as such.
    #[test]
    fn registry_ids_are_unique_and_benchmarking_is_derived() {
        let metrics = builtin_metrics();
        let mut ids: Vec<&str> = metrics.iter().map(|m| m.spec().id).collect();
        let derived: Vec<&str> = metrics
            .iter()
            .filter(|m| m.derived().is_some())
            .map(|m| m.spec().id)
            .collect();
        assert_eq!(derived, [regional_benchmarking::METRIC_ID]);
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
