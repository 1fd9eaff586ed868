//! Hand-checked benchmarks on a made-up region
//! (`tests/fixtures/made-up-region`), and checks on the bundled data.

use super::*;
use crate::compare::{Group, GroupId, RowContext, build_groups};

fn fixture() -> Reference {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/made-up-region");
    Reference::from_dir(dir).unwrap()
}

fn la(code: u16) -> LaCode {
    LaCode::new(code).unwrap()
}

const Y: CollectionYear = CollectionYear(2025);

fn find<'a>(rows: &'a [MetricRow], la: &str, measure: &str, breakdown: &str) -> &'a MetricRow {
    let metric = format!("{METRIC_ID}.{measure}");
    rows.iter()
        .find(|r| r.la_code == la && r.metric == metric && r.breakdown.to_string() == breakdown)
        .unwrap_or_else(|| panic!("no row {la} {metric} [{breakdown}]"))
}

fn value(rows: &[MetricRow], la: &str, measure: &str, breakdown: &str) -> f64 {
    let r = find(rows, la, measure, breakdown);
    r.value
        .unwrap_or_else(|| panic!("no value in {la} {measure} [{breakdown}]: {}", r.note))
}

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} != {b} (±{tol})");
}

fn fixture_rows(options: Options) -> Vec<MetricRow> {
    let r = fixture();
    let las: Vec<LaCode> = (801..=806).map(la).collect();
    Benchmark::new(&r, &[Y], options).rows(
        &las,
        &[Geography::England, Geography::Region("E12000099".into())],
    )
}

const CLA_REGION: &str = "indicator=cla-rate;comparator=region;source=published";

/// Wessex, 2025: five authorities of 40,000 children each; the region's rate
/// is 980 / 200,000 = 49 per 10,000, so each expects E = 196 children and
/// √E = 14. Counts 144, 169, 196, 256, 324 = 12², 13², 14², 16², 18².
#[test]
fn made_up_region_ranks_and_quartiles_by_hand() {
    let rows = fixture_rows(Options::default());
    // Rates 36, 42.25, 49, 64, 81 per 10,000: ranks 1 to 5 (1 = lowest).
    for (code, rank, quartile) in [
        ("801", 1.0, 1.0),
        // N = 5: quartile ⌊4(r − 1)/5⌋ + 1 = 1, 1, 2, 3, 4.
        ("802", 2.0, 1.0),
        ("803", 3.0, 2.0),
        ("804", 4.0, 3.0),
        ("805", 5.0, 4.0),
    ] {
        let r = find(&rows, code, "rank", CLA_REGION);
        assert_eq!(r.value, Some(rank), "{code}");
        assert!(r.note.contains(" of 5 "), "{}", r.note);
        assert_eq!(
            value(&rows, code, "quartile", CLA_REGION),
            quartile,
            "{code}"
        );
    }
    assert_eq!(
        find(&rows, "801", "rank", CLA_REGION).note,
        "1 of 5 (1 = lowest)"
    );
    // England: 36, 42, 49, 49 (Fir, Mercia), 64, 81 -> Cedar and Fir joint 3rd.
    let eng = "indicator=cla-rate;comparator=england;source=published";
    let cedar = find(&rows, "803", "rank", eng);
    assert_eq!(cedar.value, Some(3.0));
    assert!(cedar.note.starts_with("=3 of 6"), "{}", cedar.note);
    assert_eq!(value(&rows, "806", "rank", eng), 3.0);
    assert_eq!(value(&rows, "805", "rank", eng), 6.0);
    // Quartiles of 6: ⌊4(r − 1)/6⌋ + 1 for r = 1, 2, 3, 3, 5, 6 -> 1 1 2 2 3 4.
    assert_eq!(value(&rows, "806", "quartile", eng), 2.0);
    assert_eq!(value(&rows, "804", "quartile", eng), 3.0);
}

#[test]
fn made_up_region_funnel_by_hand() {
    let rows = fixture_rows(Options {
        full_detail: true,
        ..Options::default()
    });
    // Centre line: Wessex's published rate, 980 / 200,000 × 10,000 = 49.
    let centre = find(
        &rows,
        "801",
        "comparator-value",
        "indicator=cla-rate;comparator=region",
    );
    assert_eq!(centre.value, Some(49.0));
    assert_eq!(
        (centre.numerator, centre.denominator),
        (Some(980), Some(200_000))
    );
    // Null z on the square-root scale, 2(√O − √E): -4, -2, 0, 4, 8.
    for (code, z) in [
        ("801", -4.0),
        ("802", -2.0),
        ("803", 0.0),
        ("804", 4.0),
        ("805", 8.0),
    ] {
        close(
            value(
                &rows,
                code,
                "z-score",
                &format!("{CLA_REGION};limits=exact"),
            ),
            z,
            1e-9,
        );
    }
    // Winsorised at the type-7 10th/90th percentiles of (-4, -2, 0, 4, 8):
    // -4 + 0.4·2 = -3.2 and 4 + 0.6·4 = 6.4, so z_w = (-3.2, -2, 0, 4, 6.4);
    // φ̂ = (10.24 + 4 + 0 + 16 + 40.96)/5 = 14.24.
    let g = "indicator=cla-rate;comparator=region";
    close(value(&rows, "801", "overdispersion-phi", g), 14.24, 1e-9);
    // s = 1/(2√196) = 1/28, w = 784 each: Σw − Σw²/Σw = 3920 − 784 = 3136;
    // τ̂² = (5·14.24 − 4)/3136 = 67.2/3136 = 3/140.
    close(
        value(&rows, "801", "overdispersion-tau2", g),
        3.0 / 140.0,
        1e-12,
    );
    assert_eq!(find(&rows, "801", "overdispersion-tau2", g).note, "I = 5");

    // Exact Poisson limits at E = 196 (Spiegelhalter's interpolation; SciPy
    // 1.17 poisson.ppf/cdf): 95% 168.5278 to 223.4184 children, 99.8%
    // 153.6739 to 240.1686, so ÷ 4 per 10,000: 42.132–55.855, 38.418–60.042.
    let lim = |code: &str, which: &str, level: &str, kind: &str| {
        value(
            &rows,
            code,
            which,
            &format!("{CLA_REGION};level={level};limits={kind}"),
        )
    };
    close(
        lim("803", "funnel-lower", "95", "exact"),
        168.527_765 / 4.0,
        1e-5,
    );
    close(
        lim("803", "funnel-upper", "95", "exact"),
        223.418_423 / 4.0,
        1e-5,
    );
    close(
        lim("803", "funnel-lower", "99.8", "exact"),
        153.673_943 / 4.0,
        1e-5,
    );
    close(
        lim("803", "funnel-upper", "99.8", "exact"),
        240.168_607 / 4.0,
        1e-5,
    );
    // Positions: 36 < 42.13 and < 38.42: below both; 42.25 just inside the
    // 95% limits; 64 and 81 above both.
    for (code, p95, p998) in [
        ("801", -1.0, -1.0),
        ("802", 0.0, 0.0),
        ("803", 0.0, 0.0),
        ("804", 1.0, 1.0),
        ("805", 1.0, 1.0),
    ] {
        assert_eq!(lim(code, "funnel-position", "95", "exact"), p95, "{code}");
        assert_eq!(
            lim(code, "funnel-position", "99.8", "exact"),
            p998,
            "{code}"
        );
    }
    // Random-effects limits: sd = √(1/784 + 3/140) = 0.150679; at 95%
    // 49(1 ∓ 1.959964·sd)² = 24.332 to 82.216: everyone is within.
    close(lim("803", "funnel-lower", "95", "adjusted"), 24.3317, 1e-3);
    close(lim("803", "funnel-upper", "95", "adjusted"), 82.2156, 1e-3);
    for code in ["801", "802", "803", "804", "805"] {
        assert_eq!(
            lim(code, "funnel-position", "95", "adjusted"),
            0.0,
            "{code}"
        );
        assert_eq!(
            lim(code, "funnel-position", "99.8", "adjusted"),
            0.0,
            "{code}"
        );
    }
    // Adjusted z = z·s/sd: 8 · (1/28) / 0.150679 = 1.8962.
    close(
        value(
            &rows,
            "805",
            "z-score",
            &format!("{CLA_REGION};limits=adjusted"),
        ),
        1.8962,
        1e-4,
    );
    assert_eq!(
        find(
            &rows,
            "801",
            "funnel-position",
            &format!("{CLA_REGION};level=95;limits=exact")
        )
        .note,
        "below"
    );
}

#[test]
fn made_up_region_neighbours_selection_and_trend() {
    let options = Options {
        selection: vec![la(801), la(803), la(805)],
        ..Options::default()
    };
    let rows = fixture_rows(options);
    // 2021 groupings of 801: 802, 803, 806 -> mean (42.25 + 49 + 49)/3.
    let sn21 = find(
        &rows,
        "801",
        "comparator-value",
        "indicator=cla-rate;comparator=sn2021",
    );
    close(sn21.value.unwrap(), 46.75, 1e-12);
    assert!(sn21.note.contains("802, 803, 806"), "{}", sn21.note);
    // 801 has the lowest of its four (36, 42, 49, 49): rank 1 of 4.
    let r = find(
        &rows,
        "801",
        "rank",
        "indicator=cla-rate;comparator=sn2021;source=published",
    );
    assert_eq!((r.value, r.note), (Some(1.0), "1 of 4 (1 = lowest)"));
    // 2025 model: 805 alone.
    assert_eq!(
        value(
            &rows,
            "801",
            "comparator-value",
            "indicator=cla-rate;comparator=sn2025"
        ),
        81.0
    );
    // The selection's centre: the mean of its members' values, 36, 49 and
    // 81 per 10,000 (unweighted, as the DfE's neighbour average).
    close(
        value(
            &rows,
            "803",
            "comparator-value",
            "indicator=cla-rate;comparator=selection",
        ),
        (36.0 + 49.0 + 81.0) / 3.0,
        1e-9,
    );
    assert!(
        find(
            &rows,
            "803",
            "comparator-value",
            "indicator=cla-rate;comparator=selection"
        )
        .note
        .starts_with("mean of 3 selected authorities' published values"),
    );
    assert_eq!(
        value(
            &rows,
            "805",
            "rank",
            "indicator=cla-rate;comparator=selection;source=published"
        ),
        3.0
    );
    // Not a member: no selection rows for 802.
    assert!(!rows.iter().any(|r| r.la_code == "802"
        && r.breakdown.to_string().contains("comparator=selection")));
    // Trend of 801: 30, 33, 36 in 2023-2025 -> change 6, slope 3 per year.
    let t = "indicator=cla-rate;source=published";
    close(value(&rows, "801", "trend-change", t), 6.0, 1e-12);
    close(value(&rows, "801", "trend-slope", t), 3.0, 1e-12);
    // Only one year for the others: no trend.
    assert!(
        !rows
            .iter()
            .any(|r| r.la_code == "802" && r.metric.as_str().ends_with("trend-change"))
    );
    // England and the region get value rows.
    assert_eq!(
        find(&rows, "E12000099", "cla-rate", "source=published").value,
        Some(49.0)
    );
    close(
        find(&rows, "E92000001", "cla-rate", "source=published")
            .value
            .unwrap(),
        1285.0 / 24.0,
        1e-9,
    );
}

#[test]
fn summary_detail_leaves_out_z_scores_and_exact_limits_only() {
    let summary = fixture_rows(Options::default());
    let full = fixture_rows(Options {
        full_detail: true,
        ..Options::default()
    });
    let left_out: Vec<&MetricRow> = full.iter().filter(|r| !summary.contains(r)).collect();
    assert!(!left_out.is_empty());
    for r in left_out {
        let b = r.breakdown.to_string();
        assert!(
            r.metric.as_str().ends_with("z-score")
                || (b.ends_with("limits=exact") && !r.metric.as_str().ends_with("position")),
            "{r:?}"
        );
    }
    find(
        &summary,
        "801",
        "funnel-position",
        &format!("{CLA_REGION};level=95;limits=exact"),
    );
    find(
        &summary,
        "801",
        "funnel-upper",
        &format!("{CLA_REGION};level=95;limits=adjusted"),
    );
}

#[test]
fn missing_figures_are_rows_with_a_reason_never_zero() {
    let rows = fixture_rows(Options::default());
    let starts = find(&rows, "802", "starts-rate", "source=published");
    assert_eq!(starts.value, None);
    assert!(
        starts.note.contains("suppressed by the DfE (c)"),
        "{}",
        starts.note
    );
    let no_stability = find(&rows, "801", "three-plus-placements", "source=published");
    assert_eq!(no_stability.value, None);
    assert!(
        no_stability.note.contains("no published"),
        "{}",
        no_stability.note
    );
    // No comparisons where nobody has a figure.
    assert!(!rows.iter().any(|r| r.metric.as_str().ends_with(".rank")
        && r.breakdown.to_string().contains("three-plus-placements")));
    // Every value row with a value has its counts.
    for r in rows
        .iter()
        .filter(|r| r.breakdown.to_string() == "source=published")
    {
        if r.value.is_some() && r.la_code.len() == 3 {
            assert!(r.numerator.is_some() && r.denominator.is_some(), "{r:?}");
        }
    }
}

#[test]
fn a_903_figure_is_placed_on_the_published_funnel() {
    let r = fixture();
    let published = PublishedFigures::load(&r, &[Y]);
    let options = Options::default();
    let g = Group::build(
        &r,
        &published,
        &options,
        GroupId::Region("E12000099".into()),
        Comparator::Region,
        Indicator::ClaRate,
        Y,
        false,
    );
    // Alder's own count of 300 (75 per 10,000) among the others' 42, 49,
    // 64, 81: 4th of 5.
    let rank = g.rank_among_others(la(801), 75.0).unwrap();
    assert_eq!((rank.rank, rank.of, rank.quartile), (4, 5, 3));
    let p = g
        .place(Counts {
            numerator: 300,
            denominator: 40_000,
        })
        .unwrap();
    close(p.z, 2.0 * (300f64.sqrt() - 14.0), 1e-9);
    // Same funnel: the adjusted 95% limits at 40,000 are those of the units.
    let own = g.published_placement(la(803)).unwrap();
    assert_eq!(p.bands[0].adjusted.0, own.bands[0].adjusted.0);
    assert_eq!(p.bands[0].exact.2, iro_stats::Position::Above);
    assert_eq!(p.bands[0].adjusted.2, iro_stats::Position::Within);
    close(
        p.z_adjusted,
        p.z / 28.0 / (1.0 / 784.0 + 3.0 / 140.0f64).sqrt(),
        1e-9,
    );
    // At another denominator the limits move, the centre does not.
    let q = g
        .place(Counts {
            numerator: 490,
            denominator: 100_000,
        })
        .unwrap();
    assert_eq!(q.z, 0.0);
    assert!(q.bands[0].exact.0 > p.bands[0].exact.0);
    assert_eq!(g.funnel.as_ref().unwrap().over_dispersion.unwrap().units, 5);
}

#[test]
fn small_903_counts_get_no_comparisons() {
    let r = fixture();
    let published = PublishedFigures::load(&r, &[Y]);
    let options = Options::default();
    let groups = build_groups(&r, &published, &options, &[la(801)], &[Y], false);
    let ctx = RowContext {
        reference: &r,
        published: &published,
        options: &options,
        groups: &groups,
    };
    let small = Figure {
        indicator: Indicator::ClaRate,
        year: Y,
        area: Geography::La(la(801)),
        source: Source::Ssda903,
        counts: Some(Counts {
            numerator: 5,
            denominator: 40_000,
        }),
        published_value: None,
        note: "computed".into(),
    };
    let rows = ctx.authority_rows(la(801), Y, &[small]);
    let v = find(&rows, "801", "cla-rate", "source=903");
    assert_eq!((v.numerator, v.value), (Some(5), Some(1.25)));
    let derived: Vec<&MetricRow> = rows
        .iter()
        .filter(|r| {
            r.breakdown.to_string().contains("source=903")
                && !r.metric.as_str().ends_with("cla-rate")
        })
        .collect();
    assert!(!derived.is_empty());
    for r in derived {
        assert_eq!(r.value, None, "{r:?}");
        assert!(r.note.starts_with("withheld"), "{}", r.note);
    }
    // A larger count is compared.
    let big = Figure {
        counts: Some(Counts {
            numerator: 300,
            denominator: 40_000,
        }),
        ..small_figure()
    };
    let rows = ctx.authority_rows(la(801), Y, &[big]);
    assert_eq!(
        value(
            &rows,
            "801",
            "rank",
            "indicator=cla-rate;comparator=region;source=903"
        ),
        4.0
    );
}

fn small_figure() -> Figure {
    Figure::missing(
        Indicator::ClaRate,
        Y,
        Geography::La(la(801)),
        Source::Ssda903,
        "",
    )
}

#[test]
fn ranking_table_from_rows() {
    let r = fixture();
    let rows = fixture_rows(Options::default());
    let members: Vec<LaCode> = (801..=805).map(la).collect();
    let t = RankingTable::from_rows(
        &rows,
        &r,
        &TableRequest {
            members: &members,
            indicator: Indicator::ClaRate,
            comparator: Comparator::Region,
            year: Y,
            group: "Wessex".into(),
            levels: &[0.95, 0.998],
        },
    );
    let codes: Vec<&str> = t.lines.iter().map(|l| l.la_code.as_str()).collect();
    assert_eq!(codes, ["801", "802", "803", "804", "805"]);
    assert_eq!(
        t.lines[4].published.as_ref().unwrap().positions,
        vec![Some("within"), Some("within")]
    );
    assert_eq!(t.centre.as_ref().map(|c| c.0), Some(49.0));
    let lines = t.table_lines(100);
    assert!(lines.iter().all(|l| l.chars().count() <= 100), "{lines:#?}");
    let text = [vec![t.title()], lines, t.footnotes()].concat().join("\n");
    assert!(text.contains("Wessex (region), 2024-25"), "{text}");
    assert!(text.contains("Elder"), "{text}");
    assert!(text.contains("324/40,000"), "{text}");
    assert!(text.contains("φ̂ = 14.240"), "{text}");
    // The release the published figures come from is named.
    assert_eq!(t.releases, ["made-up release"]);
    assert!(
        text.contains("Published: the DfE's published figure (made-up release);"),
        "{text}"
    );
}

/// With 903 figures, each authority has one line: its published figure
/// (ranked among the published ones) and its own 903 figure beside it, never
/// ranked among the published figures.
#[test]
fn ranking_table_puts_903_figures_beside_published_ones() {
    let r = fixture();
    let mut rows = fixture_rows(Options::default());
    let own = |code: &str, num: u64, rank: f64| {
        let mut v = *find(&rows, code, "cla-rate", "source=published");
        v.breakdown = iro_metric_api::Breakdown::parse("source=903");
        v.numerator = Some(num);
        v.value = Some(num as f64 * 10_000.0 / 40_000.0);
        let mut k = *find(&rows, code, "rank", CLA_REGION);
        k.breakdown =
            iro_metric_api::Breakdown::parse("indicator=cla-rate;comparator=region;source=903");
        k.value = Some(rank);
        [v, k]
    };
    let extra: Vec<MetricRow> = [own("801", 400, 1.0), own("805", 100, 1.0)]
        .into_iter()
        .flatten()
        .collect();
    rows.extend(extra);
    let members: Vec<LaCode> = (801..=805).map(la).collect();
    let t = RankingTable::from_rows(
        &rows,
        &r,
        &TableRequest {
            members: &members,
            indicator: Indicator::ClaRate,
            comparator: Comparator::Region,
            year: Y,
            group: "Wessex".into(),
            levels: &[0.95, 0.998],
        },
    );
    let codes: Vec<&str> = t.lines.iter().map(|l| l.la_code.as_str()).collect();
    assert_eq!(
        codes,
        ["801", "802", "803", "804", "805"],
        "published order"
    );
    let first = &t.lines[0];
    assert_eq!(first.published.as_ref().unwrap().rank.as_deref(), Some("1"));
    let ours = first.ssda903.as_ref().unwrap();
    assert_eq!((ours.numerator, ours.rank.as_deref()), (Some(400), None));
    let lines = t.table_lines(100);
    assert!(lines[0].ends_with("903 num/den"), "{}", lines[0]);
    assert!(
        lines[1].contains("144/40,000") && lines[1].ends_with("400/40,000"),
        "{}",
        lines[1]
    );
    // Rank 1 once: the 903 figures are not ranked among the published.
    let ones = lines
        .iter()
        .filter(|l| l.trim_start().starts_with("1 "))
        .count();
    assert_eq!(ones, 1, "{lines:#?}");
    for width in [100, 160] {
        let lines = t.table_lines(width);
        assert!(
            lines.iter().all(|l| l.chars().count() <= width),
            "{lines:#?}"
        );
    }
}

#[test]
fn options_are_checked() {
    let r = fixture();
    let p = |j: serde_json::Value| -> Params { j.as_object().unwrap().clone() };
    let o = Options::from_params(
        &p(serde_json::json!({"levels": [0.9], "adjustment": "none", "selection": ["801", 802], "small_count": 10, "trend_years": 3})),
        &r,
    )
    .unwrap();
    assert_eq!(o.levels, vec![0.9]);
    assert_eq!(o.adjustment, Adjustment::None);
    assert_eq!(o.selection, vec![la(801), la(802)]);
    assert_eq!((o.small_count, o.trend_years), (10, 3));
    assert!(!o.full_detail);
    let full = Options::from_params(&p(serde_json::json!({"detail": "full"})), &r).unwrap();
    assert!(full.full_detail);
    for bad in [
        serde_json::json!({"levels": [1.5]}),
        serde_json::json!({"levels": []}),
        serde_json::json!({"adjustment": "lots"}),
        serde_json::json!({"selection": ["999"]}),
        serde_json::json!({"selection": ["E06"]}),
        serde_json::json!({"small_count": -1}),
        serde_json::json!({"trend_years": 2}),
        serde_json::json!({"detail": "most"}),
    ] {
        let e = Options::from_params(&p(bad.clone()), &r).unwrap_err();
        assert!(matches!(e, MetricError::BadParameter { .. }), "{bad}: {e}");
    }
}

// ------------------------------------------------------------------ bundled data

#[test]
fn south_gloucestershire_had_the_lowest_rate_in_the_south_west_in_2020() {
    // Seed 004: "When compared to our South West benchmarking areas (15) for
    // the year, we had the lowest number of children looked after per 10,000".
    let r = Reference::bundled().unwrap();
    let y = CollectionYear(2020);
    let sw: Vec<LaCode> = r
        .las_in_region("E12000009")
        .filter(|l| l.is_current(y))
        .map(|l| l.code())
        .collect();
    assert_eq!(sw.len(), 15);
    let rows = Benchmark::new(&r, &[y], Options::default()).rows(&sw, &[]);
    let rank = find(
        &rows,
        "803",
        "rank",
        "indicator=cla-rate;comparator=region;source=published",
    );
    // Isles of Scilly is `c`: 14 ranked.
    assert_eq!(rank.value, Some(1.0));
    assert!(rank.note.starts_with("1 of 14 "), "{}", rank.note);
}

#[test]
fn every_authority_in_2025_is_benchmarked_without_gaps() {
    let r = Reference::bundled().unwrap();
    let las: Vec<LaCode> = r.las_current(Y).map(|l| l.code()).collect();
    assert_eq!(las.len(), 153);
    let options = Options {
        full_detail: true,
        ..Options::default()
    };
    let rows = Benchmark::new(&r, &[Y], options).rows(&las, &[Geography::England]);
    // B&NES 2025: 60 per 10,000 (220 / 36,601), South West 62.
    let v = find(&rows, "800", "cla-rate", "source=published");
    assert_eq!((v.numerator, v.denominator), (Some(220), Some(36_601)));
    assert!(v.note.starts_with("published 60 per 10,000"), "{}", v.note);
    let eng = find(
        &rows,
        "800",
        "comparator-value",
        "indicator=cla-rate;comparator=england",
    );
    assert_eq!(
        (eng.numerator, eng.denominator),
        (Some(81_770), Some(12_183_016))
    );
    // Every authority with a published rate is ranked in England: 151 of the
    // 153 (Isles of Scilly z; City of London c in 2025 have value rows with
    // the reason and no comparisons).
    let ranks: Vec<&MetricRow> = rows
        .iter()
        .filter(|r| {
            r.metric.as_str().ends_with(".rank")
                && r.breakdown.to_string()
                    == "indicator=cla-rate;comparator=england;source=published"
        })
        .collect();
    assert_eq!(ranks.len(), 151);
    assert!(
        ranks
            .iter()
            .all(|r| r.value.is_some() && r.note.contains(" of 151 "))
    );
    for code in ["420", "201"] {
        let v = find(&rows, code, "cla-rate", "source=published");
        assert_eq!(v.value, None);
        assert!(!v.note.is_empty());
    }
    // Authorities' rates vary far beyond Poisson noise: over-dispersed.
    let phi = value(
        &rows,
        "800",
        "overdispersion-phi",
        "indicator=cla-rate;comparator=england",
    );
    assert!(phi > 10.0, "{phi}");
    // Positions never contradict the limits.
    let index: std::collections::HashMap<(String, String, String), &MetricRow> = rows
        .iter()
        .map(|r| {
            (
                (
                    r.la_code.to_string(),
                    r.metric.to_string(),
                    r.breakdown.to_string(),
                ),
                r,
            )
        })
        .collect();
    let get = |la: &str, m: &str, b: &str| {
        index[&(la.to_string(), format!("{METRIC_ID}.{m}"), b.to_string())]
            .value
            .unwrap()
    };
    let mut checked = 0;
    for p in rows
        .iter()
        .filter(|r| r.metric.as_str().ends_with("funnel-position"))
    {
        let b = p.breakdown.to_string();
        let Some(pos) = p.value else { continue };
        let lo = get(&p.la_code, "funnel-lower", &b);
        let hi = get(&p.la_code, "funnel-upper", &b);
        let src = b
            .split(';')
            .find_map(|kv| kv.strip_prefix("indicator="))
            .unwrap();
        let v = get(&p.la_code, src, "source=published");
        checked += 1;
        let expect = if v < lo - 1e-9 {
            -1.0
        } else if v > hi + 1e-9 {
            1.0
        } else {
            0.0
        };
        if (v - lo).abs() > 1e-9 && (v - hi).abs() > 1e-9 {
            assert_eq!(pos, expect, "{} {b}: {v} in {lo}..{hi}", p.la_code);
        }
    }
    assert!(checked > 3000, "{checked}");
}

#[test]
fn measure_ids_are_found_by_name() {
    // `measure_id` matches names; every declared measure is found by its own
    // name, and only those.
    for m in &MEASURES {
        assert_eq!(measure_id(m.id.measure()), m.id);
    }
    for ind in Indicator::ALL {
        assert_eq!(measure_id(ind.id()).measure(), ind.id());
    }
    assert!(std::panic::catch_unwind(|| measure_id("no-such-measure")).is_err());
}
