//! Fixtures and SVG readers shared by the unit tests of the pack's chart
//! kinds: fifteen South West authorities as a regional group sees them.
//!
//! To look at what the tests draw (PNG at 1.5 × natural size, as the Word
//! report has them, and SVG):
//! `IRO_CHARTS_LOOK=/tmp/charts-look cargo test -p iro-charts --lib`.

use crate::model::{
    AreaRole, BarChart, Cell, Chart, ChartMeta, LineChart, LineSeries, Panel, RankedBar,
    RankedBarChart, ReferenceLine, Series, SmallMultiples, TargetLine,
};

/// The South West's fifteen authorities (2025), with their codes.
pub(crate) const SOUTH_WEST: [(&str, &str); 15] = [
    ("Bath and North East Somerset", "800"),
    ("Bristol, City of", "801"),
    ("North Somerset", "802"),
    ("South Gloucestershire", "803"),
    ("Dorset", "838"),
    ("Bournemouth, Christchurch and Poole", "839"),
    ("Wiltshire", "865"),
    ("Swindon", "866"),
    ("Devon", "878"),
    ("Plymouth", "879"),
    ("Torbay", "880"),
    ("Cornwall", "908"),
    ("Gloucestershire", "916"),
    ("Somerset", "933"),
    ("Isles of Scilly", "420"),
];

/// Reviews held on time, ranked highest first: Isles of Scilly suppressed,
/// Torbay without a figure, Somerset highlighted; the South West's pooled
/// figure and England as reference lines.
pub(crate) fn league_table() -> RankedBarChart {
    let values = [
        ("Wiltshire", 97.1, 2.1),
        ("Gloucestershire", 95.8, 2.4),
        ("Bath and North East Somerset", 94.0, 4.6),
        ("Somerset", 92.7, 2.2),
        ("North Somerset", 91.5, 4.9),
        ("Dorset", 90.2, 3.1),
        ("Bournemouth, Christchurch and Poole", 89.9, 2.9),
        ("Devon", 88.3, 2.6),
        ("South Gloucestershire", 86.0, 4.4),
        ("Cornwall", 84.6, 2.8),
        ("Swindon", 82.1, 4.8),
        ("Plymouth", 79.4, 3.7),
        ("Bristol, City of", 75.3, 3.0),
    ];
    let code = |name: &str| {
        SOUTH_WEST
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c.to_string())
            .unwrap_or_default()
    };
    let mut bars: Vec<RankedBar> = values
        .iter()
        .map(|&(name, v, half)| RankedBar {
            label: name.to_string(),
            code: code(name),
            value: Cell::Value(v),
            interval: Some((v - half, (v + half).min(100.0))),
            highlighted: name == "Somerset",
        })
        .collect();
    bars.push(RankedBar {
        label: "Torbay".into(),
        code: "880".into(),
        value: Cell::Missing,
        interval: None,
        highlighted: false,
    });
    bars.push(RankedBar {
        label: "Isles of Scilly".into(),
        code: "420".into(),
        value: Cell::Suppressed,
        interval: Some((40.0, 100.0)),
        highlighted: false,
    });
    RankedBarChart {
        meta: ChartMeta::new("Reviews held within statutory timescales")
            .subtitle("South West IRO managers' group, 2024-25")
            .axes("Authority", "Reviews held on time")
            .unit("%")
            .source("SSDA903 returns of the group's authorities")
            .period("1 April 2024 to 31 March 2025"),
        bars,
        references: vec![
            ReferenceLine {
                value: 88.6,
                label: "South West (pooled)".into(),
                role: AreaRole::Region,
            },
            ReferenceLine {
                value: 90.1,
                label: "England".into(),
                role: AreaRole::England,
            },
        ],
        percent: true,
        decimals: 1,
    }
}

/// Each authority's reviews on time by quarter against the group's 90%
/// target: the Isles of Scilly's Q3 suppressed, Torbay's Q4 without a figure.
pub(crate) fn timeliness_grid() -> SmallMultiples {
    let panels = SOUTH_WEST
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            let base = 78.0 + (i as f64 * 7.3) % 20.0;
            let mut values: Vec<Cell> = (0..4)
                .map(|q| Cell::Value((base + (q as f64 * 3.1 + i as f64) % 9.0).min(100.0)))
                .collect();
            if *name == "Isles of Scilly" {
                values[2] = Cell::Suppressed;
                values[0] = Cell::Value(100.0);
            }
            if *name == "Torbay" {
                values[3] = Cell::Missing;
            }
            Panel {
                title: name.to_string(),
                chart: Chart::Bars(BarChart {
                    meta: ChartMeta::new(*name),
                    categories: vec!["Q1".into(), "Q2".into(), "Q3".into(), "Q4".into()],
                    series: vec![Series {
                        name: "Reviews on time".into(),
                        values,
                    }],
                    target: Some(TargetLine {
                        value: 90.0,
                        label: "Group target: at least 90%".into(),
                    }),
                    percent: true,
                    decimals: 0,
                }),
            }
        })
        .collect();
    SmallMultiples {
        meta: ChartMeta::new("Reviews held on time, by quarter")
            .subtitle("South West IRO managers' group, 2024-25")
            .axes("Quarter", "Reviews held on time")
            .unit("%")
            .source("SSDA903 returns of the group's authorities")
            .period("1 April 2024 to 31 March 2025"),
        panels,
        columns: 0,
    }
}

/// Each authority's children looked after per 10,000 over five years,
/// beside the South West and England: the Isles of Scilly suppressed but
/// for one year, Swindon without a 2021 figure.
pub(crate) fn trend_grid() -> SmallMultiples {
    let years = vec![2021, 2022, 2023, 2024, 2025];
    let region = LineSeries {
        name: "South West".into(),
        code: "E12000009".into(),
        role: AreaRole::Region,
        values: [57.6, 60.1, 62.8, 62.9, 61.0].map(Cell::Value).to_vec(),
    };
    let england = LineSeries {
        name: "England".into(),
        code: "E92000001".into(),
        role: AreaRole::England,
        values: [68.3, 69.8, 70.4, 69.1, 67.1].map(Cell::Value).to_vec(),
    };
    let panels = SOUTH_WEST
        .iter()
        .enumerate()
        .map(|(i, (name, code))| {
            let base = 40.0 + (i as f64 * 11.7) % 60.0;
            let mut values: Vec<Cell> = (0..5)
                .map(|y| Cell::Value(base + (y as f64 * 2.3 + i as f64 * 1.7) % 8.0))
                .collect();
            if *name == "Isles of Scilly" {
                values = vec![Cell::Suppressed; 5];
                values[4] = Cell::Value(30.0);
            }
            if *name == "Swindon" {
                values[0] = Cell::Missing;
            }
            Panel {
                title: name.to_string(),
                chart: Chart::Lines(LineChart {
                    meta: ChartMeta::new(*name),
                    years: years.clone(),
                    series: vec![
                        LineSeries {
                            name: name.to_string(),
                            code: code.to_string(),
                            role: AreaRole::Authority,
                            values,
                        },
                        region.clone(),
                        england.clone(),
                    ],
                    decimals: 1,
                    y_from_zero: true,
                }),
            }
        })
        .collect();
    SmallMultiples {
        meta: ChartMeta::new("Children looked after per 10,000 children, five years")
            .subtitle("South West authorities beside the region and England, at 31 March")
            .axes("Collection year", "Children looked after")
            .unit("per 10,000 children aged 0 to 17")
            .source("SSDA903 returns; DfE published figures for the South West and England")
            .period("31 March 2021 to 31 March 2025"),
        panels,
        columns: 0,
    }
}

/// One `<text>` of an SVG: its content, anchor and box (from x, y,
/// font-size, text-anchor and textLength).
#[derive(Debug, Clone)]
pub(crate) struct TextBox {
    pub text: String,
    pub anchor: String,
    pub size: f64,
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

pub(crate) fn texts(svg: &str) -> Vec<TextBox> {
    let doc = roxmltree::Document::parse(svg).expect("SVG parses as XML");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| {
            let f = |a: &str| -> f64 { n.attribute(a).unwrap().parse().unwrap() };
            let (x, y, size, len) = (f("x"), f("y"), f("font-size"), f("textLength"));
            let anchor = n.attribute("text-anchor").unwrap_or("start").to_string();
            let x0 = match anchor.as_str() {
                "middle" => x - len / 2.0,
                "end" => x - len,
                _ => x,
            };
            TextBox {
                text: n.text().unwrap_or("").to_string(),
                anchor,
                size,
                x0,
                x1: x0 + len,
                y0: y - 0.905 * size,
                y1: y + 0.212 * size,
            }
        })
        .collect()
}

/// No text outside the image, no two texts overlapping.
pub(crate) fn assert_no_overlap(svg: &str) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    let width: f64 = root.attribute("width").unwrap().parse().unwrap();
    let height: f64 = root.attribute("height").unwrap().parse().unwrap();
    let boxes = texts(svg);
    for (i, a) in boxes.iter().enumerate() {
        assert!(
            a.x0 >= -0.5 && a.x1 <= width + 0.5 && a.y0 >= -0.5 && a.y1 <= height + 0.5,
            "{a:?} is outside the {width}×{height} image"
        );
        for b in &boxes[i + 1..] {
            let overlap =
                a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
            assert!(!overlap, "text overlaps:\n{a:?}\n{b:?}");
        }
    }
}

/// How many `<rect>`s are filled with `fill` (e.g. "#0072B2").
pub(crate) fn rects_filled(svg: &str, fill: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "rect" && n.attribute("fill") == Some(fill))
        .count()
}

/// Write `chart` as PNG (at 1.5 × its natural size, as the Word report
/// draws it) and SVG into the directory named by `IRO_CHARTS_LOOK`, if set,
/// to be looked at.
pub(crate) fn write_look(name: &str, chart: &Chart) {
    let Some(dir) = std::env::var_os("IRO_CHARTS_LOOK") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (w, h) = crate::natural_size(chart);
    let png = crate::png(chart, w * 3 / 2, h * 3 / 2).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    std::fs::write(dir.join(format!("{name}.svg")), crate::svg(chart).unwrap()).unwrap();
}

/// Strategies for property tests: any cell, including a NaN "value".
pub(crate) mod arb {
    use proptest::prelude::*;

    use crate::model::{AreaRole, Cell};

    pub fn cell(lo: f64, hi: f64) -> impl Strategy<Value = Cell> {
        prop_oneof![
            8 => (lo..hi).prop_map(Cell::Value),
            1 => Just(Cell::Suppressed),
            1 => Just(Cell::Missing),
            1 => Just(Cell::Value(f64::NAN)),
        ]
    }

    /// An authority's name as printed: real, lettered, or far too long.
    pub fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            (0..super::SOUTH_WEST.len()).prop_map(|i| super::SOUTH_WEST[i].0.to_string()),
            (0u8..26).prop_map(|i| format!("Authority {}", (b'A' + i) as char)),
            Just(
                "Bournemouth, Christchurch and Poole, with words no authority's name has"
                    .to_string()
            ),
        ]
    }

    pub fn role() -> impl Strategy<Value = AreaRole> {
        prop_oneof![
            Just(AreaRole::Authority),
            Just(AreaRole::Comparator),
            Just(AreaRole::Region),
            Just(AreaRole::England),
            Just(AreaRole::Neighbours),
        ]
    }
}
