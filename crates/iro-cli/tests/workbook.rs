//! The bundled sample's returns and IRO-service records kept as Excel
//! workbooks (one per year folder, a sheet per table, dates as date cells,
//! CHILD as numbers: as an analyst's Excel holds them) give the same figures
//! as the CSV files, byte for byte.

mod common;

use std::fs;
use std::path::Path;

use common::{iro, repo, text};

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_tree(&p, &to.join(e.file_name()));
        } else if p.extension().is_some_and(|x| x == "csv") {
            fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// What the terminal said, and the exit code.
fn run(input: &Path, out: &Path) -> (String, Option<i32>) {
    let o = iro(&[
        "run",
        input.to_str().unwrap(),
        "--no-charts",
        "--no-report",
        "--out",
        out.to_str().unwrap(),
    ]);
    (text(&o), o.status.code())
}

#[test]
fn the_sample_as_workbooks_gives_the_same_figures_as_its_csvs() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("csv");
    let xlsx = tmp.path().join("xlsx");
    for la in ["800", "803", "887"] {
        copy_tree(&repo().join("data/sample").join(la), &csv.join(la));
        copy_tree(&repo().join("data/sample").join(la), &xlsx.join(la));
        for year in fs::read_dir(xlsx.join(la)).unwrap().flatten() {
            let dir = year.path();
            iro_testkit::workbook::csv_folder_to_workbook(&dir, &dir.join("return.xlsx")).unwrap();
            // The IRO service's records are sheets too.
            assert!(!dir.join("episodes.csv").exists());
            assert!(!dir.join("iro_reviews.csv").exists());
        }
    }
    let (out_csv, out_xlsx) = (tmp.path().join("out-csv"), tmp.path().join("out-xlsx"));
    let (said_csv, code_csv) = run(&csv, &out_csv);
    let (said_xlsx, code_xlsx) = run(&xlsx, &out_xlsx);
    // The sample's warnings (its service records disagree on purpose).
    assert_eq!(code_csv, Some(1), "{said_csv}");
    assert_eq!(code_xlsx, code_csv, "{said_xlsx}");

    // Every tidy table, byte for byte (the diagnostics name their files,
    // which differ, and run.json the files and timings).
    let mut compared = 0;
    for e in fs::read_dir(&out_csv).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".csv") || name.starts_with("diagnostics") {
            continue;
        }
        let a = fs::read(e.path()).unwrap();
        let b = fs::read(out_xlsx.join(&name))
            .unwrap_or_else(|_| panic!("{name} not written from the workbooks"));
        assert!(a == b, "{name} differs between the CSVs and the workbooks");
        compared += 1;
    }
    assert!(compared >= 2, "only {compared} tables compared");
    for name in ["metrics.csv", "cohort_summary.csv"] {
        assert!(out_csv.join(name).exists(), "{name} not written");
    }
    // What the terminal says of the data is the same too: the problems by
    // rule with their counts, and the children looked after by year.
    let said = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.contains(" × ") || l.starts_with("8"))
            .map(str::to_string)
            .collect()
    };
    assert!(said(&said_csv).len() >= 15 + 4, "{said_csv}");
    assert_eq!(said(&said_csv), said(&said_xlsx));
}
