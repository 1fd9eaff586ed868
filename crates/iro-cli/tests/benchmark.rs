//! `iro benchmark` end to end: reference-only for a regional group (no 903
//! at all), and with the bundled sample's own figures.

mod common;

use std::fs;
use std::path::Path;

use common::{iro, repo};

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// Rows of metrics.csv as maps.
fn rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .zip(rec.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn find<'a>(
    rows: &'a [std::collections::HashMap<String, String>],
    la: &str,
    year: &str,
    metric: &str,
    breakdown: &str,
) -> &'a std::collections::HashMap<String, String> {
    rows.iter()
        .find(|r| {
            r["la_code"] == la
                && r["year"] == year
                && r["metric"] == format!("regional-benchmarking.{metric}")
                && r["breakdown"] == breakdown
        })
        .unwrap_or_else(|| panic!("no row {la} {year} {metric} [{breakdown}]"))
}

#[test]
fn reference_only_south_west_needs_no_903_and_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for dir in [&a, &b] {
        let out = iro(&[
            "benchmark",
            "--reference-only",
            "--region",
            "South West",
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        outputs.push(text(&out.stdout));
    }
    let stdout = &outputs[0];
    // The ranking table: South Gloucestershire lowest in 2024-25, Torbay
    // highest, the South West's published 62 as the centre line.
    assert!(stdout.contains("South West (region), 2024-25"), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("South Gloucestershire"))
        .unwrap();
    let last = lines.iter().position(|l| l.contains("Torbay")).unwrap();
    assert!(first < last, "{stdout}");
    assert!(
        lines[first].trim_start().starts_with("1 "),
        "{}",
        lines[first]
    );
    assert!(
        stdout.contains("South West: 62 per 10,000 published"),
        "{stdout}"
    );
    assert!(stdout.contains("φ̂ ="), "{stdout}");

    for name in ["metrics.csv", "metrics.json"] {
        assert_eq!(
            fs::read(a.path().join(name)).unwrap(),
            fs::read(b.path().join(name)).unwrap(),
            "{name} differs between runs"
        );
    }
    let rows = rows(&a.path().join("metrics.csv"));
    // B&NES 2025: 220 / 36,601, published 60, 7th (=) of 14 in the region.
    let v = find(&rows, "800", "2025", "cla-rate", "source=published");
    assert_eq!(
        (v["numerator"].as_str(), v["denominator"].as_str()),
        ("220", "36601")
    );
    let r = find(
        &rows,
        "800",
        "2025",
        "rank",
        "indicator=cla-rate;comparator=region;source=published",
    );
    assert_eq!(r["value"], "7");
    assert!(r["note"].starts_with("=7 of 14"), "{}", r["note"]);
    // England and the region have value rows; no 903 anywhere; nothing hidden.
    find(&rows, "E92000001", "2025", "cla-rate", "source=published");
    find(
        &rows,
        "E12000009",
        "2021",
        "long-term-stability",
        "source=published",
    );
    assert!(rows.iter().all(|r| !r["breakdown"].contains("source=903")));
    assert!(rows.iter().all(|r| r["suppressed"].is_empty()));
    // Five years, 2021-2025, every South West authority of the time.
    let years: std::collections::BTreeSet<&str> = rows.iter().map(|r| r["year"].as_str()).collect();
    assert_eq!(
        years.into_iter().collect::<Vec<_>>(),
        ["2021", "2022", "2023", "2024", "2025"]
    );
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(a.path().join("metrics.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), rows.len());
}

#[test]
fn reference_only_needs_a_selection_and_known_codes() {
    let out = iro(&["benchmark", "--reference-only"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--region, --las, --neighbours-of or --all"));
    let out = iro(&["benchmark", "--reference-only", "--las", "800,99x"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("`99x`"), "{}", text(&out.stderr));
    let out = iro(&["benchmark", "--reference-only", "--region", "Atlantis"]);
    assert!(text(&out.stderr).contains("no region `Atlantis`"));
}

#[test]
fn neighbours_and_a_benchmarking_group() {
    let dir = tempfile::tempdir().unwrap();
    let out = iro(&[
        "benchmark",
        "--reference-only",
        "--neighbours-of",
        "800",
        "--model",
        "2021",
        "--year",
        "2025",
        "--indicator",
        "long-term-stability",
        "--full",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("the selection (selection), 2024-25"),
        "{stdout}"
    );
    assert!(stdout.contains("Gloucestershire"), "{stdout}");
    let rows = rows(&dir.path().join("metrics.csv"));
    // 800 and its ten 2021 neighbours, ranked among themselves.
    let r = find(
        &rows,
        "800",
        "2025",
        "rank",
        "indicator=long-term-stability;comparator=selection;source=published",
    );
    assert!(r["note"].contains(" of 11 "), "{}", r["note"]);
    // --full: z-scores and exact limits too.
    find(
        &rows,
        "800",
        "2025",
        "z-score",
        "indicator=cla-rate;comparator=sn2021;source=published;limits=exact",
    );
    let sn = find(
        &rows,
        "800",
        "2025",
        "comparator-value",
        "indicator=cla-rate;comparator=sn2021",
    );
    assert!(sn["note"].contains("916"), "{}", sn["note"]);
}

#[test]
fn with_the_sample_903_figures_sit_beside_published_ones_suppressed() {
    let dir = tempfile::tempdir().unwrap();
    let sample = repo().join("data/sample");
    let out = iro(&[
        "benchmark",
        sample.to_str().unwrap(),
        "--las",
        "800,803,887",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // One line per authority: the 903 figure in the columns beside the
    // published one, not a row of its own; the table fits 100 columns.
    assert!(!stdout.contains("(903)"), "{stdout}");
    let header = stdout.lines().find(|l| l.contains("rank")).unwrap();
    assert!(header.ends_with("903 num/den"), "{header}");
    let banes: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("Bath and North East Somerset"))
        .collect();
    assert_eq!(banes.len(), 1, "{stdout}");
    assert!(stdout.lines().all(|l| l.chars().count() <= 100), "{stdout}");
    let rows = rows(&dir.path().join("metrics.csv"));
    for la in ["800", "803", "887"] {
        let v = find(&rows, la, "2025", "cla-rate", "source=903");
        assert!(!v["value"].is_empty(), "{la}: {}", v["note"]);
        find(&rows, la, "2025", "cla-rate", "source=published");
        find(
            &rows,
            la,
            "2025",
            "rank",
            "indicator=cla-rate;comparator=selection;source=903",
        );
        find(
            &rows,
            la,
            "2025",
            "trend-change",
            "indicator=cla-rate;source=903",
        );
    }
    // Ranks among three are shown (no count of children in them).
    let r = find(
        &rows,
        "800",
        "2025",
        "rank",
        "indicator=three-plus-placements;comparator=selection;source=903",
    );
    assert!(
        r["suppressed"].is_empty() && !r["value"].is_empty(),
        "{r:?}"
    );
    // Every 903 count shown is 0 or above the threshold; comparisons of a
    // small 903 count carry no value.
    for r in rows
        .iter()
        .filter(|r| r["breakdown"].contains("source=903"))
    {
        if let Ok(n) = r["numerator"].parse::<u64>()
            && r["unit"] != "mean"
        {
            assert!(n == 0 || n > 7, "{r:?}");
        }
        // Withheld by the metric (a small count: no value) or by the
        // engine (computed from a suppressed figure: `c`, secondary).
        if r["note"].starts_with("withheld") {
            assert!(r["value"].is_empty() || r["value"] == "c", "{r:?}");
        }
        if r["note"].starts_with("withheld: computed from a suppressed") {
            assert_eq!(r["suppressed"], "secondary", "{r:?}");
        }
    }
}

#[test]
fn one_authority_against_its_neighbours_prints_the_table_and_draws_the_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = iro(&[
        "benchmark",
        "--reference-only",
        "--la",
        "800",
        "--against",
        "neighbours",
        "--year",
        "2025",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("the selection (selection), 2024-25"),
        "{stdout}"
    );
    // 800's 2025 statistical neighbours are ranked with it.
    assert!(stdout.contains("Bath and North East Somerset"), "{stdout}");
    assert!(stdout.contains("Kingston upon Thames"), "{stdout}");

    // Each authority of the selection gets its trend and funnel, beside the
    // table of what is drawn.
    let charts = dir.path().join("charts/800");
    for name in ["cla-rate-trend", "cla-rate-funnel"] {
        for ext in ["svg", "png", "csv"] {
            let f = charts.join(format!("{name}.{ext}"));
            assert!(
                f.metadata().map(|m| m.len() > 0).unwrap_or(false),
                "{}",
                f.display()
            );
        }
    }
    let trend = std::fs::read_to_string(charts.join("cla-rate-trend.svg")).unwrap();
    for label in [
        "Bath and North East Somerset",
        "South West",
        "England",
        "published",
    ] {
        assert!(trend.contains(label), "trend lacks {label}");
    }
    let funnel = std::fs::read_to_string(charts.join("cla-rate-funnel.svg")).unwrap();
    assert!(funnel.contains("Bath and North East Somerset highlighted"));
    assert!(funnel.contains("99.8%"));
    assert!(dir.path().join("charts/916/cla-rate-funnel.svg").exists());

    // Neighbours are one authority's: two are refused with the reason.
    let out = iro(&[
        "benchmark",
        "--reference-only",
        "--la",
        "800",
        "--la",
        "803",
        "--against",
        "neighbours",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("needs one authority"));
}
