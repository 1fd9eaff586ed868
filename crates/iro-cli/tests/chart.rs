//! End-to-end: the charts `iro run` writes beside its tables, and `iro chart`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn iro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iro"))
        .args(args)
        // No reference overlay of the user's (`iro reference import-dfe`).
        .env(
            "XDG_DATA_HOME",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-user-data"),
        )
        .current_dir(repo())
        .output()
        .expect("run iro")
}

fn run_sample(out: &Path, extra: &[&str]) {
    let sample = repo().join("data/sample");
    let mut args = vec![
        "run",
        sample.to_str().unwrap(),
        "--quiet",
        "--no-report",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = iro(&args);
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "iro run failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

const SET: [&str; 7] = [
    "cla-rate-trend",
    "cla-rate-funnel",
    "review-timeliness-quarterly",
    "distance-bands",
    "legal-status",
    "participation",
    "placement-types",
];

#[test]
fn run_writes_each_authoritys_charts_beside_their_tables() {
    let out = tempfile::tempdir().unwrap();
    run_sample(out.path(), &[]);
    for la in ["800", "803", "887"] {
        for name in SET {
            let base = out.path().join("charts").join(la).join(name);
            let svg = fs::read_to_string(base.with_extension("svg")).unwrap();
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
            assert!(svg.contains("<title id=\"chart-title\">"), "{la} {name}");
            let png = fs::read(base.with_extension("png")).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            let csv = fs::read_to_string(base.with_extension("csv")).unwrap();
            assert!(csv.lines().count() >= 2, "{la} {name}: {csv}");
        }
    }
    // The trend compares Bath and North East Somerset with the South West
    // and England from the DfE's published figures.
    let trend = fs::read_to_string(out.path().join("charts/800/cla-rate-trend.csv")).unwrap();
    assert!(
        trend.starts_with("Collection year,Bath and North East Somerset,South West,England\n"),
        "{trend}"
    );
}

#[test]
fn no_charts_means_none() {
    let out = tempfile::tempdir().unwrap();
    run_sample(out.path(), &["--no-charts"]);
    assert!(out.path().join("metrics.csv").exists());
    assert!(!out.path().join("charts").exists());
}

#[test]
fn chart_draws_one_chart_from_metrics_csv() {
    let out = tempfile::tempdir().unwrap();
    run_sample(out.path(), &["--no-charts"]);
    let metrics = out.path().join("metrics.csv");
    let svg = out.path().join("one/trend.svg");
    let o = iro(&[
        "chart",
        metrics.to_str().unwrap(),
        "--metric",
        "cohort-summary.cla-rate",
        "--kind",
        "trend",
        "--la",
        "800",
        "--out",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = fs::read_to_string(&svg).unwrap();
    assert!(text.contains("Bath and North East Somerset"));
    assert!(text.contains(">England<"));
    assert!(svg.with_extension("csv").exists());

    // PNG, stacked bars of a breakdown, from the JSON.
    let png = out.path().join("bands.png");
    let o = iro(&[
        "chart",
        out.path().join("metrics.json").to_str().unwrap(),
        "--metric",
        "placement-distance.distance-band",
        "--kind",
        "stacked",
        "--by",
        "band",
        "--la",
        "887",
        "--width",
        "1200",
        "--height",
        "700",
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, at bytes 16..24.
    assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 1200);
    assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 700);
}

#[test]
fn chart_errors_name_the_file_and_the_problem() {
    let out = tempfile::tempdir().unwrap();
    run_sample(out.path(), &["--no-charts"]);
    let metrics = out.path().join("metrics.csv");
    let m = metrics.to_str().unwrap();
    let target = out.path().join("x.svg");
    let t = target.to_str().unwrap();
    for (args, expected) in [
        (
            vec!["--metric", "cohort-summary.cla-rate-per-10000"],
            "no metric `cohort-summary.cla-rate-per-10000`",
        ),
        (
            vec!["--metric", "review-timeliness.on-time", "--kind", "stacked"],
            "needs --by",
        ),
        (
            vec!["--metric", "review-timeliness.on-time", "--la", "999"],
            "no rows of review-timeliness.on-time for 999",
        ),
    ] {
        let mut all = vec!["chart", m, "--out", t];
        all.extend(args);
        let o = iro(&all);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(m), "{err}");
        assert!(err.contains(expected), "{err}");
    }
    let o = iro(&["chart", m, "--metric", "x.y", "--out", "chart.pdf"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains(".svg or .png"));
    assert!(!target.exists());
    let o = iro(&["chart", "--help"]);
    assert!(o.status.success());
}
