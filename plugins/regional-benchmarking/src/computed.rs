//! An authority's own figures, computed from its 903 by the metrics that
//! define them (`cohort-summary`, `placement-stability`,
//! `placement-distance`) at their default parameters — the DfE's
//! definitions — so the figures benchmarked are exactly the ones those
//! metrics report.

use cohort_summary::CohortSummary;
use iro_domain::{CollectionYear, LaCode};
use iro_metric_api::{MeasureId, Metric, MetricContext, MetricError, MetricRow, Params};
use iro_reference::Geography;
use placement_distance::{Options as DistanceOptions, PlacementDistance};
use placement_stability::PlacementStability;

use crate::figure::{Counts, Figure, Source};
use crate::indicator::Indicator;

/// The 903 figures of `ctx`'s authority and year, one per indicator (with no
/// value and the reason where one cannot be computed). `distance` is the
/// placement-distance metric with its postcode index; without it the two
/// distance indicators are not computable.
pub fn computed_figures(
    ctx: &MetricContext<'_>,
    distance: Option<&PlacementDistance>,
) -> Vec<Figure> {
    computed_figures_years(std::slice::from_ref(ctx), distance)
        .pop()
        .unwrap_or_default()
}

/// As [`computed_figures`] for several years of one authority at once (each
/// source metric's [`Metric::compute_years`] runs once): one list per context.
pub fn computed_figures_years(
    ctxs: &[MetricContext<'_>],
    distance: Option<&PlacementDistance>,
) -> Vec<Vec<Figure>> {
    let summary = run(&CohortSummary, ctxs);
    let stability = run(&PlacementStability, ctxs);
    let dist = distance.map(|d| run(d, ctxs));
    let labels = DistanceOptions::default();
    let over = labels.distance_labels()[1].clone();
    let mut out = Vec::with_capacity(ctxs.len());
    for (k, ctx) in ctxs.iter().enumerate() {
        let la = ctx.cohort.la();
        let year = ctx.year;
        let mut figures = Vec::with_capacity(Indicator::ALL.len());
        for (indicator, measure) in [
            (Indicator::ClaRate, cohort_summary::CLA_RATE),
            (Indicator::StartsRate, cohort_summary::STARTS_RATE),
        ] {
            figures.push(pick(&summary[k], la, year, indicator, measure, None));
        }
        for (indicator, measure) in [
            (
                Indicator::ThreePlusPlacements,
                placement_stability::THREE_PLUS_PLACEMENTS,
            ),
            (
                Indicator::LongTermStability,
                placement_stability::LONG_TERM_STABILITY,
            ),
        ] {
            figures.push(pick(&stability[k], la, year, indicator, measure, None));
        }
        match &dist {
            Some(rows) => {
                figures.push(pick(
                    &rows[k],
                    la,
                    year,
                    Indicator::Over20Miles,
                    placement_distance::DISTANCE,
                    Some(&[("distance", over.as_str())]),
                ));
                figures.push(new_placements_over(&rows[k], la, year, &labels));
            }
            None => {
                for indicator in [Indicator::Over20Miles, Indicator::NewPlacementsOver20Miles] {
                    figures.push(missing(
                        la,
                        year,
                        indicator,
                        "not computable: no postcode table for placement distance",
                    ));
                }
            }
        }
        out.push(figures);
    }
    // Parameters are the defaults, so a source metric can fail only on its
    // data: the failure is that figure's reason, not a failure of the
    // benchmark.
    out
}

/// Runs a source metric at its default parameters for every context.
fn run(metric: &dyn Metric, ctxs: &[MetricContext<'_>]) -> Vec<Result<Vec<MetricRow>, String>> {
    let params: Params = match metric.spec().resolve_params(&Params::new()) {
        Ok(p) => p,
        Err(e) => return ctxs.iter().map(|_| Err(e.to_string())).collect(),
    };
    let subs: Vec<MetricContext<'_>> = ctxs
        .iter()
        .map(|c| MetricContext {
            params: &params,
            ..*c
        })
        .collect();
    metric
        .compute_years(&subs)
        .into_iter()
        .zip(&subs)
        // A source figure needing a column the files lacked is not computable.
        .map(|(r, ctx)| iro_metric_api::apply_column_needs(metric.spec(), ctx, r))
        .map(|r| {
            r.map_err(|e| match e {
                MetricError::NotComputable(why) => format!("not computable: {why}"),
                other => format!("{}: {other}", metric.spec().id),
            })
        })
        .collect()
}

fn missing(la: LaCode, year: CollectionYear, indicator: Indicator, why: &str) -> Figure {
    Figure::missing(indicator, year, Geography::La(la), Source::Ssda903, why)
}

/// The figure in the row of `measure` with exactly `breakdown`.
fn pick(
    rows: &Result<Vec<MetricRow>, String>,
    la: LaCode,
    year: CollectionYear,
    indicator: Indicator,
    measure: MeasureId,
    breakdown: Option<&[(&str, &str)]>,
) -> Figure {
    let rows = match rows {
        Ok(rows) => rows,
        Err(why) => return missing(la, year, indicator, why),
    };
    let want: Vec<(&str, &str)> = breakdown.map(<[_]>::to_vec).unwrap_or_default();
    let found = rows.iter().find(|r| {
        r.metric == measure
            && r.period == indicator.period()
            && r.breakdown.len() == want.len()
            && r.breakdown
                .iter()
                .zip(&want)
                .all(|((k, v), (wk, wv))| k == *wk && v == *wv)
    });
    let Some(r) = found else {
        return missing(
            la,
            year,
            indicator,
            &format!("not computable: {measure} gave no row"),
        );
    };
    from_row(r, la, year, indicator)
}

fn from_row(r: &MetricRow, la: LaCode, year: CollectionYear, indicator: Indicator) -> Figure {
    let counts = match (r.numerator, r.denominator) {
        (Some(n), Some(d)) if d > 0 && (indicator.is_rate() || n <= d) => Some(Counts {
            numerator: n,
            denominator: d,
        }),
        _ => None,
    };
    let text = r.note_text();
    let note = if counts.is_some() {
        let mut n = format!("computed by {}", r.metric);
        if !text.is_empty() {
            n.push_str(": ");
            n.push_str(&text);
        }
        n
    } else if text.is_empty() {
        format!(
            "{}: no numerator or denominator (nobody in the denominator)",
            r.metric
        )
    } else {
        text.into_owned()
    };
    Figure {
        indicator,
        year,
        area: Geography::La(la),
        source: Source::Ssda903,
        counts,
        published_value: None,
        note,
    }
}

/// New placements more than 20 miles from home: the inside and outside
/// categories of `placement-distance.new-placements` added up.
fn new_placements_over(
    rows: &Result<Vec<MetricRow>, String>,
    la: LaCode,
    year: CollectionYear,
    labels: &DistanceOptions,
) -> Figure {
    let indicator = Indicator::NewPlacementsOver20Miles;
    let rows = match rows {
        Ok(rows) => rows,
        Err(why) => return missing(la, year, indicator, why),
    };
    let names = labels.new_placement_labels();
    let wanted = [&names[1], &names[3]];
    let parts: Vec<&MetricRow> = rows
        .iter()
        .filter(|r| {
            r.metric == placement_distance::NEW_PLACEMENTS
                && r.breakdown.len() == 1
                && r.breakdown
                    .get("location_distance")
                    .is_some_and(|v| wanted.iter().any(|w| *w == v))
        })
        .collect();
    let total = rows
        .iter()
        .find(|r| r.metric == placement_distance::NEW_PLACEMENTS && r.breakdown.is_empty());
    match (parts.as_slice(), total) {
        ([a, b], Some(t)) => {
            let n = a.numerator.unwrap_or(0) + b.numerator.unwrap_or(0);
            let mut sum = **a;
            sum.numerator = Some(n);
            sum.denominator = t.numerator;
            sum.set_note(
                &[a.note, b.note]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            let mut f = from_row(&sum, la, year, indicator);
            f.note = f.note.replace(
                "computed by placement-distance.new-placements",
                "computed by placement-distance.new-placements (inside + outside the LA boundary, more than 20 miles)",
            );
            f
        }
        _ => missing(
            la,
            year,
            indicator,
            "not computable: placement-distance.new-placements gave no rows",
        ),
    }
}
