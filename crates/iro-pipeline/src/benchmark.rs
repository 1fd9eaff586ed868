//! `iro benchmark`: authorities against England, their region and their
//! statistical neighbours, from the published figures alone or with the
//! input authorities' own 903 figures (through the engine, with its central
//! suppression). The figures come from `regional-benchmarking`; this module
//! runs it, writes `metrics.*` and draws the two benchmarking charts. The
//! CLI chooses who is benchmarked and prints the ranking tables.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use iro_charts::standard::{self, Skipped};
use iro_domain::{CollectionYear, LaCode};
use iro_ingest::InputSource;
use iro_metric_api::{Metric, MetricRow};
use iro_reference::{Geography, Measure, Reference};
use iro_results::TaskStatus;
use regional_benchmarking::{Benchmark, METRIC_ID, Options, sort_rows};

use crate::{Pipeline, PipelineError};

/// What to benchmark.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The input whose authorities' own 903 figures are benchmarked beside
    /// their published ones; `None`: published figures only. Its selection
    /// must be in the metric's parameters ([`crate::configure_benchmarking`]).
    pub input: Option<&'a InputSource>,
    /// The authorities asked about; `None`: the input's authorities, and
    /// every authority of their regions from the published figures.
    pub las: Option<&'a [LaCode]>,
    /// A group to rank them among (`--las`, `--neighbours-of`); empty: none.
    pub group: &'a [LaCode],
    /// Draw the charts (`<out>/charts/<la>/`).
    pub charts: bool,
    /// Where `metrics.*` and `charts/` go.
    pub out_dir: &'a Path,
}

/// What [`run`] computed and wrote.
#[derive(Debug)]
pub struct Benchmarked {
    /// The benchmarking rows: the input's (suppressed) and the published
    /// figures of everyone else, sorted.
    pub rows: Vec<MetricRow>,
    /// The authorities benchmarked from their published figures only.
    pub las: Vec<LaCode>,
    /// The input's authorities.
    pub input_las: Vec<LaCode>,
    /// The collection years benchmarked.
    pub years: Vec<CollectionYear>,
    /// The metric's options, as resolved.
    pub options: Options,
    /// What happened to each metric task of the engine run on the input.
    pub statuses: Vec<TaskStatus>,
    /// `metrics.*`, then the charts' folder.
    pub written: Vec<PathBuf>,
    /// Benchmarking charts that had nothing to draw.
    pub charts_skipped: Vec<Skipped>,
}

/// The two charts of a benchmark.
const CHARTS: [&str; 2] = ["cla-rate-trend", "cla-rate-funnel"];

/// Benchmarks, writes the tables and draws the charts.
pub fn run(pipeline: &Pipeline, request: &Request<'_>) -> Result<Benchmarked, PipelineError> {
    let config = pipeline.config();
    let reference = pipeline.reference();
    // The input authorities' own figures, through the engine (suppressed).
    let mut rows: Vec<MetricRow> = Vec::new();
    let mut input_las: Vec<LaCode> = Vec::new();
    let mut statuses = Vec::new();
    let mut years: Vec<CollectionYear> = config
        .run
        .years
        .iter()
        .map(|&y| CollectionYear(y))
        .collect();
    if let Some(source) = request.input {
        let sources = [
            "cohort-summary",
            "placement-stability",
            "placement-distance",
            METRIC_ID,
        ];
        // The source metrics run too, so that suppression (which relates the
        // 903 figures to theirs) is the same as in `iro run`.
        let metrics: Vec<Box<dyn Metric>> = iro_engine::builtin_metrics_for(config)?
            .into_iter()
            .filter(|m| sources.contains(&m.spec().id))
            .collect();
        let result = pipeline.compute(source, &metrics, &|_| {})?;
        input_las = result.loaded.cohorts.iter().map(|c| c.la()).collect();
        if years.is_empty() {
            years = result.years.clone();
        }
        statuses = result.statuses;
        rows.extend(
            result
                .rows
                .into_iter()
                .filter(|r| r.metric.metric() == METRIC_ID),
        );
    }
    if years.is_empty() {
        years = published_years(reference);
    }

    // Everyone else from the published figures: the selection, or the input
    // authorities' regions.
    let mut las: BTreeSet<LaCode> = match request.las {
        Some(s) => s.iter().copied().collect(),
        None => input_las
            .iter()
            .filter_map(|&la| reference.region_of(la))
            .flat_map(|r| {
                reference
                    .las_in_region(&r.ons_code)
                    .filter(|l| l.identity.region.ons_code == r.ons_code)
                    .map(|l| l.code())
            })
            .collect(),
    };
    let mut params = config.metric_params(METRIC_ID);
    params
        .entry("small_count")
        .or_insert_with(|| serde_json::Value::from(config.suppression.applied_threshold()));
    params.insert(
        "selection".into(),
        serde_json::Value::from(
            request
                .group
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
        ),
    );
    params.remove("enabled");
    let options = Options::from_params(&params, reference)
        .map_err(|e| PipelineError::Params(format!("[metrics.{METRIC_ID}] {e}")))?;
    let mut areas = vec![Geography::England];
    for &la in las.iter().chain(&input_las) {
        if let Some(r) = reference.region_of(la) {
            let g = Geography::Region(r.ons_code.clone());
            if !areas.contains(&g) {
                areas.push(g);
            }
        }
    }
    for la in &input_las {
        las.remove(la);
    }
    let las: Vec<LaCode> = las.into_iter().collect();
    let bench = Benchmark::new(reference, &years, options.clone());
    rows.extend(bench.rows(&las, &areas));
    sort_rows(&mut rows);

    std::fs::create_dir_all(request.out_dir).map_err(|source| PipelineError::CreateDir {
        path: request.out_dir.to_path_buf(),
        source,
    })?;
    let mut written =
        iro_engine::output::write_metric_rows(request.out_dir, &rows, &config.output.formats)?;
    let mut charts_skipped = Vec::new();
    if request.charts {
        // The authorities asked about: the selection's, or the input's.
        let charted: &[LaCode] = request.las.unwrap_or(&input_las);
        let (dir, skipped) = write_charts(reference, charted, &years, request.out_dir)?;
        charts_skipped = skipped;
        written.extend(dir);
    }
    Ok(Benchmarked {
        rows,
        las,
        input_las,
        years,
        options,
        statuses,
        written,
        charts_skipped,
    })
}

/// The last five collection years with England's published rate per 10,000.
pub fn published_years(reference: &Reference) -> Vec<CollectionYear> {
    let mut years: Vec<CollectionYear> = reference
        .published_all()
        .iter()
        .filter(|f| {
            f.geography == Geography::England
                && f.measure == Measure::Cla31March
                && f.rate_per_10000.is_value()
        })
        .map(|f| f.year)
        .collect();
    years.sort();
    years.dedup();
    let skip = years.len().saturating_sub(5);
    years.split_off(skip)
}

/// The two benchmarking charts of each of `las`, from the published figures:
/// the rate per 10,000 against its region and England over the five years
/// ending at the latest of `years`, and that year's funnel plot of the
/// authorities with a published figure, with it highlighted (titled with how
/// many; not drawn for too few). Written to `<out>/charts/<la>/`
/// (SVG, PNG and the CSV of what is drawn); no folder when there is nothing
/// to draw.
fn write_charts(
    reference: &Reference,
    las: &[LaCode],
    years: &[CollectionYear],
    out_dir: &Path,
) -> Result<(Option<PathBuf>, Vec<Skipped>), PipelineError> {
    let Some(latest) = years.iter().max().map(|y| y.0) else {
        return Ok((None, Vec::new()));
    };
    // Only the authorities that exist in the latest year: none for an
    // authority abolished before it (Bournemouth, Poole in 2025).
    let codes: BTreeSet<String> = las
        .iter()
        .filter(|&&l| reference.is_current(l, CollectionYear(latest)))
        .map(|l| l.to_string())
        .collect();
    // Every authority's published figure is a comparator (the funnel is of
    // them all); the charted authorities' rows say whom to chart.
    let published: Vec<MetricRow> = standard::published_rows(reference)
        .into_iter()
        .filter(|r| r.year <= latest)
        .collect();
    let own: Vec<MetricRow> = published
        .iter()
        .filter(|r| codes.contains(r.la_code.as_str()))
        .copied()
        .collect();
    let mut set = standard::standard_set(
        &own,
        &published,
        &standard::areas_from_reference(reference),
        &standard::Options::default(),
    );
    set.charts.retain(|c| CHARTS.contains(&c.name.as_str()));
    set.skipped.retain(|s| CHARTS.contains(&s.name.as_str()));
    if set.charts.is_empty() {
        return Ok((None, set.skipped));
    }
    let dir = out_dir.join("charts");
    standard::write_set(&dir, &set, &standard::Options::default()).map_err(|source| {
        PipelineError::Charts {
            dir: dir.clone(),
            source,
        }
    })?;
    Ok((Some(dir), set.skipped))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use iro_charts::Chart;
    use iro_engine::Config;
    use regional_benchmarking::{COMPARATOR_VALUE, FUNNEL_UPPER, OVERDISPERSION_PHI};

    use super::*;
    use crate::Origin;

    /// The funnel chart of `iro run` and the England comparison of
    /// `metrics.csv` are one computation: the same centre line, φ̂ and
    /// limits at the authority's denominator, and the authority's own 903
    /// figure among the others' published figures only.
    #[test]
    fn funnel_chart_and_metrics_agree() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
        let config = Config::load(&sample.join("iro.toml")).unwrap();
        let p = Pipeline::for_run(
            config,
            Origin {
                config_file: true,
                input_given: true,
            },
        )
        .unwrap();
        let source = iro_engine::input_source(p.config(), Some(sample)).unwrap();
        let metrics = p.metrics().unwrap();
        let result = p.compute(&source, &metrics.list, &|_| {}).unwrap();
        let published = standard::published_rows(p.reference());
        let set = standard::standard_set(
            &result.rows,
            &published,
            &standard::areas_from_reference(p.reference()),
            &standard::Options::default(),
        );
        let row = |la: &str, year: i32, metric, breakdown: &str| {
            result
                .rows
                .iter()
                .find(|r| {
                    r.la_code == la
                        && r.year == year
                        && r.metric == metric
                        && r.breakdown.to_string() == breakdown
                })
                .unwrap_or_else(|| panic!("no {metric} [{breakdown}] for {la} {year}"))
        };
        let close = |a: f64, b: f64, what: &str| {
            assert!(
                (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                "{what}: chart {a}, metrics {b}"
            );
        };
        let mut charts = 0;
        for c in set.charts.iter().filter(|c| c.name == "cla-rate-funnel") {
            let Chart::Funnel(f) = &c.chart else {
                panic!("{} is not a funnel", c.name)
            };
            let la = c.la_code.as_str();
            let year = 2025;
            let england = "indicator=cla-rate;comparator=england";
            close(
                f.target,
                row(la, year, COMPARATOR_VALUE, england).value.unwrap(),
                "centre",
            );
            let phi = row(la, year, OVERDISPERSION_PHI, england).value.unwrap();
            close(f.over_dispersion.as_ref().unwrap().phi, phi, "phi");
            // The highlighted point: the authority's own 903 figure, with
            // the limits regional benchmarking gives it.
            let own = f.points.iter().find(|p| p.highlighted).unwrap();
            let ours = row(la, year, regional_benchmarking::CLA_RATE, "source=903");
            assert_eq!(
                (Some(own.numerator), Some(own.denominator)),
                (ours.numerator, ours.denominator),
                "{la}"
            );
            let upper = row(
                la,
                year,
                FUNNEL_UPPER,
                &format!("{england};source=903;level=99.8;limits=adjusted"),
            );
            let band = own.bands.iter().find(|b| b.level == 0.998).unwrap();
            close(band.upper, upper.value.unwrap(), "upper limit");
            // Every other point is a published figure.
            for other in f.points.iter().filter(|p| !p.highlighted) {
                let published = published
                    .iter()
                    .find(|r| r.la_code == other.code.as_str() && r.year == year)
                    .unwrap();
                assert_eq!(Some(other.numerator), published.numerator, "{}", other.code);
            }
            assert!(
                f.meta.source.contains("its own SSDA903 return"),
                "{}",
                f.meta.source
            );
            charts += 1;
        }
        assert_eq!(charts, 3, "one funnel for each of the sample's authorities");
    }
}
