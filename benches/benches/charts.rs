//! Criterion benchmark: the standard chart set `iro run` writes, for every
//! current English authority (153 × 7 charts, each as SVG, 900×500 PNG and
//! CSV), from national-scale tidy rows. Target: the whole set drawn under
//! 2 s on 2 cores. Measured on the shared 2-core development VM: about 1.5 s
//! of CPU time per set (SVG 0.3 s, PNG 1.15 s), so about 0.8 s on 2 idle
//! cores; 2.35 s wall with the machine's load average near 4. Writing the
//! 3,213 files is measured apart: it is bound by the file system (creating a
//! file costs about 1.5 ms on that VM).
//!
//! The rows are synthesised like a national run's: the DfE's published rate
//! per 10,000 for every authority (as `cohort-summary.cla-rate`), quarterly
//! review timeliness, and the distance-band, legal-status, participation-code
//! and placement-type breakdowns over five years, with small cells
//! suppressed as the engine would.

use criterion::{Criterion, criterion_group, criterion_main};
use iro_charts::standard::{self, Bound, LocalTarget, Options};
use iro_domain::CollectionYear;
use iro_metric_api::{Breakdown, MetricRow, Period, Unit};
use rayon::prelude::*;

const YEARS: [i32; 5] = [2021, 2022, 2023, 2024, 2025];

/// xorshift64: deterministic, no dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn row(la: &str, year: i32, period: Period, metric: &str, b: Breakdown) -> MetricRow {
    MetricRow::new(
        iro_metric_api::AreaCode::new(la),
        year,
        period,
        iro_metric_api::MeasureId::parse(metric).unwrap(),
        Unit::Percent,
    )
    .with_breakdown(b)
}

/// A percentage row of `n` out of `den`, suppressed when 1 to 7.
fn pct(mut r: MetricRow, n: u64, den: u64) -> MetricRow {
    r = r.percent(n, den);
    if (1..=7).contains(&n) {
        r.numerator = None;
        r.value = None;
        r.status = iro_metric_api::CellStatus::Suppressed(iro_metric_api::Suppression::Primary);
    }
    r
}

/// Split `total` over `shares` (weights) at random.
fn split(rng: &mut Rng, total: u64, shares: &[f64]) -> Vec<u64> {
    let w: Vec<f64> = shares
        .iter()
        .map(|s| s * (0.6 + 0.8 * rng.next()))
        .collect();
    let sum: f64 = w.iter().sum();
    w.iter()
        .map(|x| (total as f64 * x / sum).round() as u64)
        .collect()
}

fn national_rows(reference: &iro_reference::Reference) -> Vec<MetricRow> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let las: Vec<String> = reference
        .las_current(CollectionYear(2025))
        .map(|l| l.code().to_string())
        .collect();
    let mut rows: Vec<MetricRow> = standard::published_rows(reference)
        .into_iter()
        .filter(|r| las.iter().any(|l| r.la_code == *l) && YEARS.contains(&r.year))
        .collect();
    let bands = [
        "Less than 20 miles",
        "21-40 miles",
        "41-60 miles",
        "61-80 miles",
        "81-100 miles",
        "Over 100 miles",
        "Distance not known or not recorded",
    ];
    let band_w = [70.0, 8.0, 4.0, 2.0, 1.5, 8.0, 6.0];
    let legal = [
        "Care order",
        "Placement order",
        "Voluntary agreement (s20)",
        "Emergency orders",
    ];
    let legal_w = [78.0, 6.0, 15.0, 1.0];
    let groups = [
        "Foster care with other carers",
        "Foster care with relatives or friends",
        "Independent and semi-independent living",
        "Placed for adoption",
        "Placed with parents or others with parental responsibility",
        "Secure units, children's homes and residential settings",
        "Other placements",
    ];
    let group_w = [55.0, 18.0, 6.0, 3.0, 6.0, 11.0, 1.0];
    let pn_w = [10.0, 40.0, 8.0, 4.0, 3.0, 17.0, 10.0, 8.0];
    for la in &las {
        for &year in &YEARS {
            let cla = (80.0 + 900.0 * rng.next()) as u64;
            for (metric, key, names, w) in [
                (
                    "placement-distance.distance-band",
                    "band",
                    &bands[..],
                    &band_w[..],
                ),
                (
                    "cohort-summary.profile",
                    "legal_status",
                    &legal[..],
                    &legal_w[..],
                ),
                (
                    "placement-stability.placement-type",
                    "group",
                    &groups[..],
                    &group_w[..],
                ),
            ] {
                rows.push(pct(
                    row(la, year, Period::Snapshot, metric, Breakdown::default()),
                    cla,
                    cla,
                ));
                for (name, n) in names.iter().zip(split(&mut rng, cla, w)) {
                    rows.push(pct(
                        row(
                            la,
                            year,
                            Period::Snapshot,
                            metric,
                            Breakdown::one(key, *name),
                        ),
                        n,
                        cla,
                    ));
                }
            }
            let periods = [Period::Q1, Period::Q2, Period::Q3, Period::Q4];
            let mut year_held = 0;
            let mut year_on_time = 0;
            for p in periods {
                let held = (cla as f64 * (0.5 + 0.2 * rng.next())) as u64;
                let on_time = (held as f64 * (0.75 + 0.24 * rng.next())) as u64;
                year_held += held;
                year_on_time += on_time;
                rows.push(pct(
                    row(
                        la,
                        year,
                        p,
                        "review-timeliness.on-time",
                        Breakdown::default(),
                    ),
                    on_time,
                    held,
                ));
                for (i, n) in split(&mut rng, held, &pn_w).into_iter().enumerate() {
                    rows.push(pct(
                        row(
                            la,
                            year,
                            p,
                            "participation.distribution",
                            Breakdown::one("code", format!("PN{i}")),
                        ),
                        n,
                        held,
                    ));
                }
            }
            rows.push(pct(
                row(
                    la,
                    year,
                    Period::Year,
                    "review-timeliness.on-time",
                    Breakdown::default(),
                ),
                year_on_time,
                year_held,
            ));
            for (i, n) in split(&mut rng, year_held, &pn_w).into_iter().enumerate() {
                rows.push(pct(
                    row(
                        la,
                        year,
                        Period::Year,
                        "participation.distribution",
                        Breakdown::one("code", format!("PN{i}")),
                    ),
                    n,
                    year_held,
                ));
            }
        }
    }
    rows
}

fn charts(c: &mut Criterion) {
    let reference = iro_reference::Reference::bundled().expect("reference");
    let areas = standard::areas_from_reference(&reference);
    let published = standard::published_rows(&reference);
    let rows = national_rows(&reference);
    let options = Options {
        targets: vec![LocalTarget {
            metric: standard::REVIEWS_ON_TIME.as_str().into(),
            breakdown: Breakdown::default(),
            period: None,
            bound: Bound::AtLeast(90.0),
            label: "Reviews held within statutory timescale".into(),
            las: Vec::new(),
        }],
        ..Options::default()
    };
    let set = standard::standard_set(&rows, &published, &areas, &options);
    assert_eq!(
        set.charts.len(),
        153 * 7,
        "skipped: {:?}",
        set.skipped.first()
    );
    eprintln!(
        "{} rows; {} charts for {} authorities",
        rows.len(),
        set.charts.len(),
        set.charts.len() / 7
    );

    let mut g = c.benchmark_group("charts-153-authorities");
    g.sample_size(10);
    g.bench_function("build the set", |b| {
        b.iter(|| standard::standard_set(&rows, &published, &areas, &options))
    });
    g.bench_function("build and draw svg+png+csv (in memory)", |b| {
        b.iter(|| {
            let set = standard::standard_set(&rows, &published, &areas, &options);
            let drawn: Vec<_> = set
                .charts
                .par_iter()
                .map(|c| standard::render_chart(&c.chart, Some(options.png_size)).expect("draw"))
                .collect();
            drawn
        })
    });
    g.bench_function("build, draw and write svg+png+csv", |b| {
        let dir = tempfile::tempdir().expect("tempdir");
        b.iter(|| {
            let set = standard::standard_set(&rows, &published, &areas, &options);
            standard::write_set(dir.path(), &set, &options).expect("write")
        })
    });
    g.finish();
}

criterion_group!(benches, charts);
criterion_main!(benches);
