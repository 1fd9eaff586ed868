//! The charts as a reader gets them: SVGs that parse and say what they show,
//! PNGs that decode at the size asked for and are not blank, funnel limits
//! equal to `iro-stats`', suppressed cells never drawn as zero, and no two
//! pieces of text overlapping.

use iro_charts::build::{self, Area, Areas, Categories, Rows};
use iro_charts::standard::{self, Bound, LocalTarget, Options};
use iro_charts::{
    AreaRole, BarChart, Cell, Chart, ChartError, ChartMeta, FunnelChart, FunnelPoint, LineChart,
    LineSeries, SegmentColours, Series, StackedBarChart, TargetLine, alt_text, data_table,
};
use iro_metric_api::{
    AreaCode, Breakdown, CellStatus, MeasureId, MetricRow, Period, Suppression, Unit,
};
use iro_stats::{Adjustment, FunnelSpec, Indicator, LimitMethod, Target, TargetSource};

// ---------------------------------------------------------------- fixtures

fn meta(title: &str) -> ChartMeta {
    ChartMeta::new(title)
        .subtitle("Test Authority, at 31 March")
        .axes("Collection year", "Children looked after")
        .unit("per 10,000 children aged 0 to 17")
        .source("SSDA903 return; DfE published figures")
        .period("31 March 2021 to 31 March 2025")
}

fn line_chart() -> LineChart {
    LineChart {
        meta: meta("Children looked after per 10,000 children"),
        years: vec![2021, 2022, 2023, 2024, 2025],
        series: vec![
            LineSeries {
                name: "Test Authority".into(),
                code: "800".into(),
                role: AreaRole::Authority,
                values: vec![
                    Cell::Value(50.0),
                    Cell::Value(53.5),
                    Cell::Suppressed,
                    Cell::Value(59.4),
                    Cell::Value(59.6),
                ],
            },
            LineSeries {
                name: "South West".into(),
                code: "E12000009".into(),
                role: AreaRole::Region,
                values: vec![
                    Cell::Value(57.6),
                    Cell::Value(60.1),
                    Cell::Value(62.8),
                    Cell::Value(62.9),
                    Cell::Missing,
                ],
            },
            LineSeries {
                name: "England".into(),
                code: "E92000001".into(),
                role: AreaRole::England,
                values: vec![
                    Cell::Value(68.3),
                    Cell::Value(69.8),
                    Cell::Value(70.4),
                    Cell::Value(69.1),
                    Cell::Value(67.1),
                ],
            },
        ],
        decimals: 1,
        y_from_zero: true,
    }
}

fn bar_chart() -> BarChart {
    BarChart {
        meta: ChartMeta::new("Reviews held within statutory timescales, by quarter")
            .subtitle("Test Authority, 2024-25")
            .axes("Quarter", "Reviews held on time")
            .unit("%")
            .source("SSDA903 return")
            .period("1 April 2024 to 31 March 2025"),
        categories: vec![
            "Q1\nApr to Jun".into(),
            "Q2\nJul to Sep".into(),
            "Q3\nOct to Dec".into(),
            "Q4\nJan to Mar".into(),
        ],
        series: vec![Series {
            name: "Reviews on time".into(),
            values: vec![
                Cell::Value(92.0),
                Cell::Value(98.0),
                Cell::Suppressed,
                Cell::Value(85.0),
            ],
        }],
        target: Some(TargetLine {
            value: 90.0,
            label: "Target: at least 90%".into(),
        }),
        percent: true,
        decimals: 0,
    }
}

fn stacked_chart() -> StackedBarChart {
    StackedBarChart {
        meta: ChartMeta::new("Distance from home to placement")
            .subtitle("Test Authority, at 31 March each year")
            .axes("Collection year", "Children looked after")
            .unit("%")
            .source("SSDA903 return")
            .period("31 March 2024 to 31 March 2025"),
        categories: vec!["2023-24".into(), "2024-25".into()],
        segments: vec![
            Series {
                name: "Less than 20 miles".into(),
                values: vec![Cell::Value(71.0), Cell::Value(73.0)],
            },
            Series {
                name: "21-40 miles".into(),
                values: vec![Cell::Suppressed, Cell::Value(9.0)],
            },
            Series {
                name: "Over 40 miles".into(),
                values: vec![Cell::Value(20.0), Cell::Value(12.0)],
            },
            Series {
                name: "Distance not known or not recorded".into(),
                values: vec![Cell::Suppressed, Cell::Value(6.0)],
            },
        ],
        percent: true,
        colours: SegmentColours::Sequential,
        decimals: 0,
    }
}

/// 40 authorities with populations from 5,000 to 200,000 and rates spread
/// around 70 per 10,000.
fn funnel_points(spread: f64) -> Vec<FunnelPoint> {
    (0..40)
        .map(|i| {
            let pop = 5_000 + i * 5_000;
            let wobble = ((i * 7919) % 13) as f64 / 12.0 - 0.5;
            let rate = 70.0 * (1.0 + spread * wobble);
            let count = (pop as f64 * rate / 10_000.0).round() as u64;
            FunnelPoint::new(
                format!("Authority {i}"),
                format!("{}", 800 + i),
                count,
                pop,
                i == 7,
            )
        })
        .collect()
}

fn funnel_chart(spread: f64, adjustment: Adjustment) -> FunnelChart {
    let spec = FunnelSpec::new(
        Indicator::RatePer10k,
        Target::new(70.0, TargetSource::England),
    )
    .adjustment(adjustment);
    FunnelChart::compute(
        ChartMeta::new("Children looked after per 10,000 children: every authority")
            .axes("Children aged 0 to 17", "Children looked after")
            .unit("per 10,000 children aged 0 to 17")
            .source("DfE published")
            .period("31 March 2025"),
        funnel_points(spread),
        &spec,
    )
    .unwrap()
}

fn all_charts() -> Vec<(&'static str, Chart)> {
    vec![
        ("lines", Chart::Lines(line_chart())),
        ("bars", Chart::Bars(bar_chart())),
        ("stacked", Chart::StackedBars(stacked_chart())),
        (
            "funnel",
            Chart::Funnel(funnel_chart(0.8, Adjustment::RandomEffects)),
        ),
    ]
}

// ------------------------------------------------------------------ helpers

/// Every `<text>` of an SVG: content and its box (from x, y, font-size,
/// text-anchor and textLength).
#[derive(Debug)]
struct TextBox {
    text: String,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

fn texts(svg: &str) -> Vec<TextBox> {
    let doc = roxmltree::Document::parse(svg).expect("SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| {
            let f = |a: &str| -> f64 {
                n.attribute(a)
                    .unwrap_or_else(|| panic!("text without {a}"))
                    .parse()
                    .unwrap()
            };
            let (x, y, size, len) = (f("x"), f("y"), f("font-size"), f("textLength"));
            let x0 = match n.attribute("text-anchor") {
                Some("middle") => x - len / 2.0,
                Some("end") => x - len,
                _ => x,
            };
            TextBox {
                text: n.text().unwrap_or("").to_string(),
                x0,
                x1: x0 + len,
                // Ascent and descent of Arial / Liberation Sans.
                y0: y - 0.905 * size,
                y1: y + 0.212 * size,
            }
        })
        .collect()
}

fn all_text(svg: &str) -> String {
    texts(svg)
        .into_iter()
        .map(|t| t.text)
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_no_overlap(name: &str, svg: &str, width: f64, height: f64) {
    let boxes = texts(svg);
    for (i, a) in boxes.iter().enumerate() {
        assert!(
            a.x0 >= -0.5 && a.x1 <= width + 0.5 && a.y0 >= -0.5 && a.y1 <= height + 0.5,
            "{name}: {:?} is outside the {width}×{height} image",
            a
        );
        for b in &boxes[i + 1..] {
            // 0.5 px of tolerance for rounding.
            let overlap =
                a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
            assert!(!overlap, "{name}: text overlaps:\n{a:?}\n{b:?}");
        }
    }
}

struct Decoded {
    width: u32,
    height: u32,
    pixels: Vec<[u8; 3]>,
}

fn decode(png_bytes: &[u8]) -> Decoded {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    // Palette images are expanded to RGB.
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    Decoded {
        width: info.width,
        height: info.height,
        pixels: buf[..info.buffer_size()]
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect(),
    }
}

fn has_colour(d: &Decoded, rgb: [u8; 3], at_least: usize) -> bool {
    d.pixels.iter().filter(|p| **p == rgb).count() >= at_least
}

// -------------------------------------------------------------------- SVG

#[test]
fn svg_parses_and_holds_titles_labels_and_series() {
    let svg = iro_charts::svg(&Chart::Lines(line_chart())).unwrap();
    let text = all_text(&svg);
    for expected in [
        "Children looked after per 10,000 children",
        "Test Authority, at 31 March",
        "Children looked after (per 10,000 children aged 0 to 17)",
        "Collection year",
        "Test Authority",
        "South West",
        "England",
        "2020-21",
        "2024-25",
        "Source: SSDA903 return; DfE published figures",
        "Period: 31 March 2021 to 31 March 2025",
        "59.6",
    ] {
        assert!(
            text.lines().any(|l| l == expected),
            "no text {expected:?} in:\n{text}"
        );
    }
    // Accessible name and description.
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let title = doc
        .descendants()
        .find(|n| n.tag_name().name() == "title")
        .and_then(|n| n.text())
        .unwrap();
    assert_eq!(title, "Children looked after per 10,000 children");
    let desc = doc
        .descendants()
        .find(|n| n.tag_name().name() == "desc")
        .and_then(|n| n.text())
        .unwrap();
    assert!(
        desc.starts_with("A line chart: Children looked after"),
        "{desc}"
    );
    assert_eq!(doc.root_element().attribute("role"), Some("img"));
    // One polyline per unbroken run: the authority's line is broken by the
    // suppressed year, so it is drawn in two pieces of its colour (#0072B2).
    let authority_paths = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline")
        .filter(|n| n.attribute("stroke") == Some("#0072B2"))
        .count();
    assert!(authority_paths >= 2, "{authority_paths}");
}

#[test]
fn every_kind_draws_without_overlapping_text_at_two_sizes() {
    for (name, chart) in all_charts() {
        let svg = iro_charts::svg(&chart).unwrap();
        assert_no_overlap(name, &svg, 900.0, 500.0);
        let small = iro_charts::svg_sized(&chart, 640, 360).unwrap();
        assert_no_overlap(name, &small, 640.0, 360.0);
        let large = iro_charts::svg_sized(&chart, 1800, 1000).unwrap();
        assert_no_overlap(name, &large, 1800.0, 1000.0);
        let text = all_text(&svg);
        assert!(text.contains(&chart.meta().title), "{name}: no title");
        assert!(text.contains("Source: "), "{name}: no source");
        assert!(text.contains("Period: "), "{name}: no period");
    }
}

/// A document whose caption names the chart draws it without its title:
/// nothing is drawn where the title was, and nothing overlaps.
#[test]
fn a_chart_without_a_title_draws_the_rest() {
    for (name, mut chart) in all_charts() {
        let title = chart.meta().title.clone();
        chart.meta_mut().title.clear();
        let svg = iro_charts::svg(&chart).unwrap();
        assert_no_overlap(name, &svg, 900.0, 500.0);
        let text = all_text(&svg);
        assert!(!text.contains(&title), "{name}: title drawn");
        assert!(text.contains("Source: "), "{name}: no source");
    }
}

#[test]
fn a_chart_too_small_for_its_text_is_an_error_not_a_mess() {
    let chart = Chart::Bars(bar_chart());
    assert!(matches!(
        iro_charts::png(&chart, 200, 120),
        Err(ChartError::TooSmall { .. })
    ));
    assert!(matches!(
        iro_charts::png(&chart, 0, 500),
        Err(ChartError::BadSize { .. })
    ));
    assert!(matches!(
        iro_charts::png(&chart, 900, 100_000),
        Err(ChartError::BadSize { .. })
    ));
}

// -------------------------------------------------------------------- PNG

#[test]
fn png_decodes_at_the_size_asked_for_and_is_not_blank() {
    for (name, chart) in all_charts() {
        for (w, h) in [(900, 500), (640, 360), (1200, 800)] {
            let d = decode(&iro_charts::png(&chart, w, h).unwrap());
            assert_eq!((d.width, d.height), (w, h), "{name}");
            let mut colours: Vec<[u8; 3]> = d.pixels.clone();
            colours.sort_unstable();
            colours.dedup();
            assert!(
                colours.len() >= 20,
                "{name} {w}×{h}: {} colours",
                colours.len()
            );
            let ink = d.pixels.iter().filter(|p| **p != [255, 255, 255]).count();
            let share = ink as f64 / d.pixels.len() as f64;
            assert!(share > 0.02 && share < 0.7, "{name} {w}×{h}: ink {share}");
            // The title is drawn in near-black text.
            assert!(has_colour(&d, [0x0B, 0x0C, 0x0C], 50), "{name}: no text");
        }
    }
}

#[test]
fn png_drawn_in_palette_indices_has_the_pixels_of_the_rgb_drawing() {
    // Two funnels: points drawn translucent, blended with what is under them.
    let mut charts = all_charts();
    charts.push((
        "funnel-wide",
        Chart::Funnel(funnel_chart(2.5, Adjustment::None)),
    ));
    for (name, chart) in charts {
        for (w, h) in [(900, 500), (1125, 625), (1350, 750), (640, 360)] {
            let fast = iro_charts::png(&chart, w, h).unwrap();
            let rgb = iro_charts::png_rgb(&chart, w, h).unwrap();
            let (a, b) = (decode(&fast), decode(&rgb));
            assert_eq!((a.width, a.height), (b.width, b.height), "{name}");
            let differ = a
                .pixels
                .iter()
                .zip(&b.pixels)
                .filter(|(x, y)| x != y)
                .count();
            assert_eq!(differ, 0, "{name} {w}×{h}: {differ} pixels differ");
        }
    }
}

#[test]
fn png_uses_the_palette() {
    let d = decode(&iro_charts::png(&Chart::Bars(bar_chart()), 900, 500).unwrap());
    // Bars in Okabe–Ito blue; the target line in vermillion.
    assert!(has_colour(&d, [0x00, 0x72, 0xB2], 5_000));
    assert!(has_colour(&d, [0xD5, 0x5E, 0x00], 200));
}

// ----------------------------------------------------------- suppression

#[test]
fn suppressed_cells_are_gaps_never_zero() {
    // Bars: three blue bars, not four; a "c" where the fourth would be.
    let svg = iro_charts::svg(&Chart::Bars(bar_chart())).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "rect" && n.attribute("fill") == Some("#0072B2"))
        .count();
    assert_eq!(bars, 3);
    let text = all_text(&svg);
    assert!(text.lines().any(|l| l == "c"));
    assert!(!text.lines().any(|l| l == "0%"));
    assert!(text.contains("c = suppressed"));

    // Lines: no marker at zero for the suppressed year; the table says c.
    let chart = Chart::Lines(line_chart());
    let table = data_table(&chart);
    assert_eq!(table.rows[2], vec!["2022-23", "c", "62.8", "70.4"]);
    assert_eq!(table.rows[4], vec!["2024-25", "59.6", "x", "67.1"]);

    // Stacked: the suppressed segments are not drawn, so the bar stops short
    // of 100% and is outlined to 100%.
    let chart = Chart::StackedBars(stacked_chart());
    let t = data_table(&chart);
    assert_eq!(t.rows[0], vec!["2023-24", "71.0", "c", "20.0", "c"]);
    assert_eq!(t.columns[0], "Collection year");
    let text = all_text(&iro_charts::svg(&chart).unwrap());
    assert!(text.contains("stops short of 100%"));
    assert!(alt_text(&chart).contains("c (suppressed)") || alt_text(&chart).contains("suppressed"));
}

// --------------------------------------------------------------- funnels

#[test]
fn funnel_limits_match_iro_stats_at_sampled_points() {
    // Unadjusted: the curves are exact Poisson limits around the target.
    let f = funnel_chart(0.8, Adjustment::None);
    assert_eq!(f.limits.len(), 2);
    assert_eq!((f.limits[0].level, f.limits[1].level), (0.95, 0.998));
    for l in &f.limits {
        for i in [0, 17, 80, l.denominators.len() - 1] {
            let d = l.denominators[i];
            let want = iro_stats::rate_limits(70.0, d, l.level, LimitMethod::Exact).unwrap();
            assert!((l.lower[i] - want.lower).abs() < 1e-9, "lower at {d}");
            assert!((l.upper[i] - want.upper).abs() < 1e-9, "upper at {d}");
        }
    }
    for p in &f.points {
        for b in &p.bands {
            let want =
                iro_stats::rate_limits(70.0, p.denominator as f64, b.level, LimitMethod::Exact)
                    .unwrap();
            assert!((b.lower - want.lower).abs() < 1e-9);
            assert!((b.upper - want.upper).abs() < 1e-9);
        }
        let expected = p.numerator as f64 * 10_000.0 / p.denominator as f64;
        assert!((p.value - expected).abs() < 1e-9);
    }

    // Adjusted for over-dispersion: the curves are iro-stats' adjusted ones.
    let spread = funnel_chart(0.8, Adjustment::RandomEffects);
    let od = spread.over_dispersion.expect("estimated");
    assert!(od.adjusted && od.phi > 1.0 && od.tau2 > 0.0);
    let units: Vec<iro_stats::Unit> = funnel_points(0.8)
        .iter()
        .map(|p| iro_stats::Unit::new(p.code.clone(), p.numerator, p.denominator))
        .collect();
    let direct = FunnelSpec::new(
        Indicator::RatePer10k,
        Target::new(70.0, TargetSource::England),
    )
    .grid_points(spread.limits[0].denominators.len())
    .grid_range(
        spread.limits[0].denominators[0],
        *spread.limits[0].denominators.last().unwrap(),
    )
    .compute(&units)
    .unwrap();
    for (mine, theirs) in spread.limits.iter().zip(&direct.curves) {
        assert_eq!(mine.level, theirs.level);
        for i in (0..mine.denominators.len()).step_by(23) {
            assert!((mine.upper[i] - theirs.adjusted_upper[i]).abs() < 1e-9);
            assert!((mine.lower[i] - theirs.adjusted_lower[i]).abs() < 1e-9);
        }
    }
    assert!(spread.method.contains("random-effects"));
    let text = all_text(&iro_charts::svg(&Chart::Funnel(spread.clone())).unwrap());
    assert!(text.contains("Over-dispersion: φ ="), "{text}");
    assert!(text.contains("Authority 7 "), "highlighted point labelled");
    assert!(text.contains("England 70.0"));
}

#[test]
fn funnel_of_proportions_is_drawn_in_percent() {
    let points: Vec<FunnelPoint> = (0..20)
        .map(|i| {
            FunnelPoint::new(
                format!("LA {i}"),
                format!("{}", 300 + i),
                80 + i,
                100 + 2 * i,
                i == 3,
            )
        })
        .chain([FunnelPoint::new("Empty", "999", 0, 0, false)])
        .collect();
    let spec = FunnelSpec::new(
        Indicator::Proportion,
        Target::new(0.85, TargetSource::Pooled),
    );
    let f = FunnelChart::compute(ChartMeta::new("Reviews on time"), points, &spec).unwrap();
    assert_eq!(f.points.len(), 20);
    assert_eq!(f.excluded, vec!["Empty (denominator 0)"]);
    assert!((f.target - 85.0).abs() < 1e-9);
    let p = &f.points[0];
    assert!((p.value - 80.0).abs() < 1e-9);
    let want =
        iro_stats::proportion_limits(0.85, p.denominator, 0.998, LimitMethod::Exact).unwrap();
    let band = p.bands.iter().find(|b| b.level == 0.998).unwrap();
    if !f.over_dispersion.unwrap().adjusted {
        assert!((band.upper - want.upper * 100.0).abs() < 1e-9);
    }
    let table = data_table(&Chart::Funnel(f));
    assert_eq!(table.columns[0], "Area");
    assert_eq!(table.rows.last().unwrap()[1], "target");
}

// --------------------------------------------------------------- builders

fn tidy(la: &str, year: i32, period: Period, metric: MeasureId, b: Breakdown) -> MetricRow {
    MetricRow::new(AreaCode::new(la), year, period, metric, Unit::Percent).with_breakdown(b)
}

fn rate(mut r: MetricRow, n: u64, population: u64) -> MetricRow {
    r.unit = Unit::Per10000;
    r.per_10000(n, population)
}

fn suppressed(mut r: MetricRow) -> MetricRow {
    r.numerator = None;
    r.value = None;
    r.status = CellStatus::Suppressed(Suppression::Primary);
    r
}

/// The rows one authority's run gives for the standard charts.
fn authority_rows(la: &str) -> Vec<MetricRow> {
    let mut rows = Vec::new();
    for (i, year) in (2021..=2025).enumerate() {
        let cla = 200 + 5 * i as u64;
        rows.push(rate(
            tidy(
                la,
                year,
                Period::Snapshot,
                standard::CLA_RATE,
                Breakdown::default(),
            ),
            cla,
            36_000,
        ));
        for (band, n) in [
            ("Less than 20 miles", 150),
            ("Over 100 miles", 40),
            ("21-40 miles", 5),
        ] {
            let r = tidy(
                la,
                year,
                Period::Snapshot,
                placement_distance::DISTANCE_BAND,
                Breakdown::one("band", band),
            )
            .percent(n, cla);
            rows.push(if n < 8 { suppressed(r) } else { r });
        }
        for (status, n) in [("Care order", 170), ("Voluntary agreement (s20)", 30)] {
            rows.push(
                tidy(
                    la,
                    year,
                    Period::Snapshot,
                    cohort_summary::PROFILE,
                    Breakdown::one("legal_status", status),
                )
                .percent(n, cla),
            );
        }
        for (group, n) in [
            ("Foster care with other carers", 150),
            ("Other placements", 50),
        ] {
            rows.push(
                tidy(
                    la,
                    year,
                    Period::Snapshot,
                    placement_stability::PLACEMENT_TYPE,
                    Breakdown::one("group", group),
                )
                .percent(n, cla),
            );
        }
    }
    for (p, on_time) in [
        (Period::Q1, 90),
        (Period::Q2, 95),
        (Period::Q3, 80),
        (Period::Q4, 99),
        (Period::Year, 364),
    ] {
        let held = if p == Period::Year { 400 } else { 100 };
        rows.push(
            tidy(la, 2025, p, standard::REVIEWS_ON_TIME, Breakdown::default())
                .percent(on_time, held),
        );
        for (code, n) in [("PN1", held / 2), ("PN5", held / 4), ("PN7", held / 4)] {
            rows.push(
                tidy(
                    la,
                    2025,
                    p,
                    participation::DISTRIBUTION,
                    Breakdown::one("code", code),
                )
                .percent(n, held),
            );
        }
    }
    rows
}

fn comparators() -> Vec<MetricRow> {
    let mut rows = Vec::new();
    for (i, year) in (2021..=2025).enumerate() {
        for (code, value) in [("E92000001", 70.0), ("E12000009", 60.0)] {
            let pop = 1_000_000;
            rows.push(rate(
                tidy(
                    code,
                    year,
                    Period::Snapshot,
                    standard::CLA_RATE,
                    Breakdown::default(),
                ),
                (value * 100.0) as u64 + i as u64 * 10,
                pop,
            ));
        }
        for k in 0..30u64 {
            rows.push(rate(
                tidy(
                    &format!("{}", 850 + k),
                    year,
                    Period::Snapshot,
                    standard::CLA_RATE,
                    Breakdown::default(),
                ),
                100 + 13 * k,
                20_000 + 4_000 * k,
            ));
        }
    }
    rows
}

fn areas() -> Areas {
    let mut a = Areas::new();
    a.insert("800", "Test Authority");
    a.insert("E12000009", "South West");
    a.set_region("800", "E12000009");
    a
}

#[test]
fn trend_from_rows_keeps_suppressed_and_missing_apart() {
    let mut rows = authority_rows("800");
    // 2023 suppressed; 2022 absent.
    for r in &mut rows {
        if r.metric == standard::CLA_RATE && r.year == 2023 {
            *r = suppressed(*r);
        }
    }
    rows.retain(|r| !(r.metric == standard::CLA_RATE && r.year == 2022));
    let index = Rows::new(&rows);
    let chart = build::trend(
        &index,
        standard::CLA_RATE,
        Some(Period::Snapshot),
        &Breakdown::default(),
        &[Area::new("800", "Test Authority", AreaRole::Authority)],
        &[2021, 2022, 2023, 2024, 2025],
        ChartMeta::new("CLA rate"),
    )
    .unwrap();
    let cells = &chart.series[0].values;
    assert!(matches!(cells[0], Cell::Value(_)));
    assert_eq!(cells[1], Cell::Missing);
    assert_eq!(cells[2], Cell::Suppressed);
    assert_eq!(chart.meta.unit, "per 10,000 children aged 0 to 17");

    let err = build::trend(
        &index,
        MeasureId::new("no-such.metric"),
        None,
        &Breakdown::default(),
        &[Area::new("800", "Test Authority", AreaRole::Authority)],
        &[2025],
        ChartMeta::new("x"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "nothing to draw: no rows of no-such.metric for 800 in 2024-25"
    );
}

#[test]
fn stacked_and_quarterly_builders_read_the_right_rows() {
    let rows = authority_rows("800");
    let index = Rows::new(&rows);
    let chart = build::stacked(
        &index,
        "800",
        placement_distance::DISTANCE_BAND,
        "band",
        &Categories::Years {
            years: vec![2024, 2025],
            period: Some(Period::Snapshot),
        },
        SegmentColours::Sequential,
        ChartMeta::new("Distance"),
    )
    .unwrap();
    let names: Vec<&str> = chart.segments.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["Less than 20 miles", "21-40 miles", "Over 100 miles"]
    );
    assert_eq!(
        chart.segments[1].values,
        vec![Cell::Suppressed, Cell::Suppressed]
    );
    assert!(chart.percent);
    assert_eq!(chart.categories, ["2023-24", "2024-25"]);

    let bars = build::quarter_bars(
        &index,
        "800",
        standard::REVIEWS_ON_TIME,
        2025,
        &Breakdown::default(),
        None,
        "On time",
        ChartMeta::new("Timeliness"),
    )
    .unwrap();
    assert_eq!(
        bars.series[0].values,
        vec![
            Cell::Value(90.0),
            Cell::Value(95.0),
            Cell::Value(80.0),
            Cell::Value(99.0)
        ]
    );
    assert_eq!(bars.categories[0], "Q1\nApr to Jun");
}

#[test]
fn the_standard_set_is_drawn_and_written_beside_its_tables() {
    let rows = authority_rows("800");
    let options = Options {
        targets: vec![LocalTarget {
            metric: standard::REVIEWS_ON_TIME.as_str().into(),
            breakdown: Breakdown::default(),
            period: None,
            bound: Bound::AtLeast(90.0),
            label: "Reviews held within statutory timescale".into(),
            las: vec![],
        }],
        ..Options::default()
    };
    let set = standard::standard_set(&rows, &comparators(), &areas(), &options);
    let names: Vec<&str> = set.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "cla-rate-trend",
            "cla-rate-funnel",
            "review-timeliness-quarterly",
            "distance-bands",
            "legal-status",
            "participation",
            "placement-types"
        ],
        "skipped: {:?}",
        set.skipped
    );
    // The trend compares with the region and England from the comparators.
    let Chart::Lines(trend) = &set.charts[0].chart else {
        panic!("trend is a line chart")
    };
    let series: Vec<&str> = trend.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(series, ["Test Authority", "South West", "England"]);
    // The funnel holds every authority, the run's highlighted.
    let Chart::Funnel(funnel) = &set.charts[1].chart else {
        panic!("funnel")
    };
    assert_eq!(funnel.points.len(), 31);
    let hl: Vec<&str> = funnel
        .points
        .iter()
        .filter(|p| p.highlighted)
        .map(|p| p.code.as_str())
        .collect();
    assert_eq!(hl, ["800"]);
    assert!(funnel.target_label.starts_with("England"));
    // The target line comes from the local target.
    let Chart::Bars(q) = &set.charts[2].chart else {
        panic!("bars")
    };
    assert_eq!(q.target.as_ref().unwrap().value, 90.0);
    assert!(
        q.meta
            .subtitle
            .as_deref()
            .unwrap()
            .contains("whole year 91.0%")
    );

    let dir = tempfile::tempdir().unwrap();
    let written = standard::write_set(dir.path(), &set, &options).unwrap();
    assert_eq!(written.len(), 7 * 3);
    for c in &set.charts {
        let base = dir.path().join("800").join(&c.name);
        let svg = std::fs::read_to_string(base.with_extension("svg")).unwrap();
        assert_no_overlap(&c.name, &svg, 900.0, 500.0);
        let d = decode(&std::fs::read(base.with_extension("png")).unwrap());
        assert_eq!((d.width, d.height), (900, 500));
        let csv = std::fs::read_to_string(base.with_extension("csv")).unwrap();
        assert_eq!(csv, data_table(&c.chart).to_csv());
    }
}

#[test]
fn standard_data_tables() {
    let set = standard::standard_set(
        &authority_rows("800"),
        &comparators(),
        &areas(),
        &Options::default(),
    );
    for c in set.charts.iter().filter(|c| c.name != "cla-rate-funnel") {
        insta::assert_snapshot!(c.name.clone(), data_table(&c.chart).to_csv());
    }
    insta::assert_snapshot!("alt-text-trend", alt_text(&set.charts[0].chart));
}

/// The run's own rate for 800 in `year` and the DfE-published rates of
/// `others` authorities (and England).
fn one_year_of_published(year: i32, others: u64, own_suppressed: bool) -> [Vec<MetricRow>; 2] {
    let row = |code: &str, n: u64, pop: u64| {
        rate(
            tidy(
                code,
                year,
                Period::Snapshot,
                standard::CLA_RATE,
                Breakdown::default(),
            ),
            n,
            pop,
        )
    };
    let mut own = row("800", 230, 40_000);
    if own_suppressed {
        own = suppressed(own);
    }
    let mut published: Vec<MetricRow> = (0..others)
        .map(|k| row(&format!("{}", 850 + k), 100 + 13 * k, 20_000 + 4_000 * k))
        .chain(std::iter::once(row("E92000001", 7_000, 1_000_000)))
        .collect();
    for r in &mut published {
        r.note = "DfE published: test release";
    }
    [vec![own], published]
}

#[test]
fn funnel_plots_say_exactly_whom_they_compare() {
    // 2018-19: as in the bundled reference data, few authorities published.
    let [own, published] = one_year_of_published(2019, 16, false);
    let set = standard::standard_set(&own, &published, &areas(), &Options::default());
    let funnel = set
        .charts
        .iter()
        .find(|c| c.name == "cla-rate-funnel")
        .unwrap_or_else(|| panic!("drawn: {:?}", set.skipped));
    let Chart::Funnel(f) = &funnel.chart else {
        panic!("funnel")
    };
    assert_eq!(f.points.len(), 17);
    let who = "the 17 authorities with a figure for 2018-19 (16 published by the DfE, 1 from SSDA903 returns in this run)";
    assert_eq!(f.compared.as_deref(), Some(who));
    assert_eq!(
        f.meta.title,
        format!("Children looked after per 10,000 children: {who}")
    );
    assert!(!f.meta.title.contains("every authority"));
    assert!(
        f.meta.source.starts_with(
            "Highlighted: its own SSDA903 return (not published). The other 16 authorities and England: DfE"
        ),
        "{}",
        f.meta.source
    );
    // The title is what the SVG and its text alternative say.
    let svg = iro_charts::svg(&funnel.chart).unwrap();
    assert!(all_text(&svg).contains("the 17 authorities"));
    assert!(alt_text(&funnel.chart).contains("the 17 authorities"));

    // Only published figures: said so.
    assert_eq!(
        standard::funnel_comparison(17, 0, 2019),
        "the 17 authorities with a published figure for 2018-19"
    );
    assert_eq!(
        standard::funnel_comparison(3, 3, 2025),
        "the 3 authorities of this run with a figure for 2024-25"
    );

    // Too few authorities: not drawn, and why.
    let [own, published] = one_year_of_published(2016, 5, false);
    let set = standard::standard_set(&own, &published, &areas(), &Options::default());
    assert!(!set.charts.iter().any(|c| c.name == "cla-rate-funnel"));
    let skipped = set
        .skipped
        .iter()
        .find(|s| s.name == "cla-rate-funnel")
        .unwrap();
    assert!(
        // Five published figures: the funnel the authority would be put on.
        skipped.reason.contains("only 5 authorities"),
        "{}",
        skipped.reason
    );

    // The highlighted authority has no figure (suppressed): nothing to
    // highlight, so no funnel "with it highlighted".
    let [own, published] = one_year_of_published(2019, 16, true);
    let set = standard::standard_set(&own, &published, &areas(), &Options::default());
    assert!(!set.charts.iter().any(|c| c.name == "cla-rate-funnel"));
    let skipped = set
        .skipped
        .iter()
        .find(|s| s.name == "cla-rate-funnel")
        .unwrap();
    assert!(skipped.reason.contains("no figure"), "{}", skipped.reason);
}
