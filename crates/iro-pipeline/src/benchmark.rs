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
    let codes: BTreeSet<String> = las.iter().map(|l| l.to_string()).collect();
    let (own, others): (Vec<MetricRow>, Vec<MetricRow>) = standard::published_rows(reference)
        .into_iter()
        .filter(|r| r.year <= latest)
        .partition(|r| codes.contains(r.la_code.as_str()));
    let mut set = standard::standard_set(
        &own,
        &others,
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
