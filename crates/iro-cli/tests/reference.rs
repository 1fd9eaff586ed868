//! `iro reference import-dfe` end to end: the DfE's own 2021–2025 files
//! imported into an overlay change nothing `iro benchmark` prints or writes;
//! a year added by a newer file is benchmarked (and named by its release);
//! broken files are reported by file, line and column, with the exit codes
//! the command's help gives.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{iro, repo, text};

/// The DfE's files as published (the 2025 release), kept beside the
/// reference crate's import tests.
fn dfe() -> PathBuf {
    repo().join("crates/iro-reference/tests/fixtures/dfe")
}

const FILES: [&str; 6] = [
    "cla_number_and_rate_per_10k_children.csv",
    "la_cla_placement_stability.csv",
    "la_cla_during_year_new_placements.csv",
    "ons_mid-year_population_estimates_2012_to_2024.csv",
    "New_Statistical_Neighbour_Groupings_April_2021.csv",
    "sn_model_2025_wide.csv",
];

const CLA: &str = "Children looked after on 31 March each year";

/// An iro.toml in `dir` naming `overlay` as the reference overlay.
fn config(dir: &Path, overlay: &Path) -> PathBuf {
    let path = dir.join("iro.toml");
    let shown = overlay.display().to_string().replace('\\', "\\\\");
    std::fs::write(&path, format!("[reference]\noverlay = \"{shown}\"\n")).unwrap();
    path
}

fn import(overlay: &Path, files: &[PathBuf]) -> Output {
    let mut args: Vec<String> = vec!["reference".into(), "import-dfe".into()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    args.extend(["--overlay".into(), overlay.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    iro(&args)
}

/// `iro benchmark --reference-only --region "South West"` into `out`, with
/// `config` if given: (stdout without the line naming `out`, stderr).
fn benchmark(out: &Path, config: Option<&Path>) -> (String, String) {
    let mut args = vec![
        "benchmark",
        "--reference-only",
        "--region",
        "South West",
        "--out",
        out.to_str().unwrap(),
    ];
    if let Some(c) = config {
        args.extend(["--config", c.to_str().unwrap()]);
    }
    let o = iro(&args);
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.starts_with("Benchmark written to"))
        .collect::<Vec<_>>()
        .join("\n");
    (stdout, String::from_utf8_lossy(&o.stderr).into_owned())
}

/// The rows of a CSV file, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A copy of the DfE's CLA file in `dir` as `name`, each data row passed
/// through `edit` (which may add rows after it).
fn edited_cla(dir: &Path, name: &str, edit: impl Fn(&[String]) -> Vec<Vec<String>>) -> PathBuf {
    let rows = csv_rows(&dfe().join(FILES[0]));
    let path = dir.join(name);
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(&path)
        .unwrap();
    w.write_record(&rows[0]).unwrap();
    for r in &rows[1..] {
        for out in edit(r) {
            w.write_record(&out).unwrap();
        }
    }
    w.flush().unwrap();
    path
}

#[test]
fn the_bundled_release_imported_changes_nothing_benchmark_shows() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("overlay");
    let files: Vec<PathBuf> = FILES.iter().map(|f| dfe().join(f)).collect();
    let o = import(&overlay, &files);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        said.contains("2021 to 2025 (DfE CLA 2025 release (EES)): 2505 rows for cla_published.csv"),
        "{said}"
    );
    assert!(said.contains("Wrote the reference overlay"), "{said}");
    for t in [
        "cla_published.csv",
        "stability_published.csv",
        "population_u18.csv",
        "statistical_neighbours.csv",
        "provenance.csv",
    ] {
        assert!(overlay.join(t).is_file(), "{t} not written");
    }

    let cfg = config(dir.path(), &overlay);
    let (plain, plain_err) = benchmark(&dir.path().join("plain"), None);
    let (with, with_err) = benchmark(&dir.path().join("with"), Some(&cfg));
    assert_eq!(plain, with);
    // The release the published figures come from is said under the table.
    assert!(
        plain.contains("Published: the DfE's published figure (DfE CLA 2025 release (EES))"),
        "{plain}"
    );
    // Only the overlay's own line tells the two runs apart.
    assert!(!plain_err.contains("reference overlay"), "{plain_err}");
    assert!(
        with_err.contains("Published figures: the reference overlay in")
            && with_err.contains("2021 to 2025 replaced"),
        "{with_err}"
    );
    // Every file written (metrics, charts and their data) is the same.
    let (plain_dir, with_dir) = (dir.path().join("plain"), dir.path().join("with"));
    let files = walk(&plain_dir);
    assert!(
        files.iter().any(|p| p.ends_with("metrics.csv")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "svg")),
        "{files:?}"
    );
    for f in &files {
        let rel = f.strip_prefix(&plain_dir).unwrap();
        let other = with_dir.join(rel);
        assert!(
            std::fs::read(f).unwrap() == std::fs::read(&other).unwrap(),
            "{} differs with the overlay",
            rel.display()
        );
    }
    assert_eq!(files.len(), walk(&with_dir).len());
}

#[test]
fn a_year_added_by_a_newer_file_is_benchmarked_and_named_by_its_release() {
    let dir = tempfile::tempdir().unwrap();
    // The 2025 rows again as the year to 31 March 2026, spelt as
    // explore-education-statistics spells a financial year.
    let file = edited_cla(
        dir.path(),
        "cla_number_and_rate_per_10k_children.csv",
        |r| {
            let mut out = vec![r.to_vec()];
            if r[0] == "2025" {
                let mut next = r.to_vec();
                next[0] = "202526".into();
                next[1] = "Financial year".into();
                // Bath and North East Somerset: 250 children (rate 68).
                if next[7] == "800" && next[10] == CLA {
                    (next[12], next[13]) = ("250".into(), "68".into());
                }
                out.push(next);
            }
            out
        },
    );
    let overlay = dir.path().join("overlay");
    let o = import(&overlay, &[file]);
    let said = text(&o);
    // Imported, with a warning: no ONS mid-2025 estimate is held to check
    // the 2026 populations against.
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(
        said.contains("2021 to 2026 (DfE CLA 2026 release (EES))"),
        "{said}"
    );
    assert!(said.contains("no ONS mid-2025 population"), "{said}");
    let cfg = config(dir.path(), &overlay);

    let out = dir.path().join("bench");
    let (stdout, stderr) = benchmark(&out, Some(&cfg));
    assert!(stdout.contains("South West (region), 2025-26"), "{stdout}");
    assert!(stdout.contains("(DfE CLA 2026 release (EES))"), "{stdout}");
    assert!(stderr.contains("2026 added"), "{stderr}");
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let banes_2026 = metrics
        .lines()
        .find(|l| {
            l.contains("800,2026,")
                && l.contains("regional-benchmarking.cla-rate,")
                && l.contains("source=published")
        })
        .unwrap_or_else(|| panic!("no 2026 published rate for 800:\n{metrics}"));
    assert!(
        banes_2026.contains("DfE CLA 2026 release (EES)"),
        "{banes_2026}"
    );
    // The charts' source lines name the release too.
    let charts = out.join("charts").join("800");
    let chart_text: String = std::fs::read_dir(&charts)
        .unwrap_or_else(|e| panic!("{}: {e}", charts.display()))
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .collect();
    assert!(
        chart_text.contains("DfE CLA 2026 release (EES)"),
        "no release in the charts of {}",
        charts.display()
    );

    // The run's benchmarking of the sample (903 to 2025) uses the same
    // reference data: its published 2025 figures are the newer release's
    // (the 2026 file holds 2021 to 2026), and the report says so.
    let run_out = dir.path().join("run");
    let sample = repo().join("data/sample");
    let o = iro(&[
        "run",
        sample.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        run_out.to_str().unwrap(),
    ]);
    assert!(o.status.code() != Some(2), "{}", text(&o));
    assert!(text(&o).contains("2026 added"), "{}", text(&o));
    // Table 1 on the terminal names the release of its published columns.
    assert!(
        text(&o).contains("published, pub.count: DfE CLA 2026 release (EES)."),
        "{}",
        text(&o)
    );
    let run_metrics = std::fs::read_to_string(run_out.join("metrics.csv")).unwrap();
    let published_2025 = run_metrics
        .lines()
        .find(|l| {
            l.starts_with("800,2025,")
                && l.contains("regional-benchmarking.cla-rate,")
                && l.contains("source=published")
        })
        .unwrap_or_else(|| panic!("no published 2025 rate for 800 in the run"));
    assert!(
        published_2025.contains("DfE CLA 2026 release (EES)"),
        "{published_2025}"
    );
    let report: String = walk(&run_out.join("report"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "html"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    assert!(
        report.contains("DfE published figures: DfE CLA 2026 release (EES)."),
        "the report does not name the release"
    );
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn broken_files_are_reported_by_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    // No rate_per_10000 column.
    let no_rate = edited_cla(dir.path(), "no_rate.csv", |r| {
        let mut r = r.to_vec();
        r.pop();
        vec![r]
    });
    let t = std::fs::read_to_string(&no_rate)
        .unwrap()
        .replacen(",rate_per_10000", "", 1);
    std::fs::write(&no_rate, t).unwrap();
    // An authority code that is no authority: B&NES's rows as 999.
    let bad_code = edited_cla(dir.path(), "bad_code.csv", |r| {
        let mut r = r.to_vec();
        if r[7] == "800" && r[0] == "2025" && r[10] == CLA {
            r[7] = "999".into();
        }
        vec![r]
    });
    // The South West's 2025 count far from the sum of its authorities.
    let total = edited_cla(dir.path(), "total.csv", |r| {
        let mut r = r.to_vec();
        if r[0] == "2025" && r[10] == CLA && r[2] == "Regional" && r[5] == "E12000009" {
            r[12] = "9000".into();
        }
        vec![r]
    });
    let overlay = dir.path().join("overlay");
    let o = import(&overlay, &[no_rate.clone(), bad_code.clone(), total]);
    let said = text(&o);
    // Some files not used, one imported with a warning: 1.
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(
        said.contains("no_rate.csv, line 1, column `rate_per_10000`"),
        "{said}"
    );
    let bad_line = said
        .lines()
        .find(|l| l.contains("bad_code.csv, line "))
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        bad_line.contains("column `old_la_code`") && bad_line.contains("`999`"),
        "{bad_line}"
    );
    let total_line = said
        .lines()
        .find(|l| l.contains("warning: ") && l.contains("total.csv, line "))
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        total_line.contains("column `children_count`"),
        "{total_line}"
    );
    assert!(
        said.contains(
            "no_rate.csv: children looked after: numbers and rates per 10,000: NOT imported"
        ),
        "{said}"
    );
    // What was usable was written.
    assert!(overlay.join("cla_published.csv").is_file());

    // Nothing usable: 2, and nothing written.
    let empty = dir.path().join("empty-overlay");
    let o = import(&empty, &[no_rate, bad_code]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("nothing was written"), "{}", text(&o));
    assert!(!empty.exists());
}
