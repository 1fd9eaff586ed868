//! A figure needs only its own columns: a renamed column makes the figures
//! that read it not computable, with the reason in words, and leaves every
//! other figure exactly as it was (on two years of the bundled sample).

use std::fs;
use std::path::{Path, PathBuf};

use iro_engine::{Config, Outcome, RunResult, builtin_metrics, run};
use iro_ingest::InputSource;
use iro_metric_api::MetricRow;

/// Authority 800's 2023-24 and 2024-25 returns, with `edit` applied to the
/// text of 2024-25's `file`.
fn sample_with(dir: &Path, file: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample/800");
    for year in ["2024", "2025"] {
        let to = dir.join("800").join(year);
        fs::create_dir_all(&to).unwrap();
        for f in fs::read_dir(sample.join(year)).unwrap() {
            let f = f.unwrap();
            let text = fs::read_to_string(f.path()).unwrap();
            let text = if year == "2025" && f.file_name() == file {
                edit(&text)
            } else {
                text
            };
            fs::write(to.join(f.file_name()), text).unwrap();
        }
    }
    dir.to_path_buf()
}

fn run_on(dir: &Path) -> RunResult {
    let config = Config::default();
    let result = run(
        &config,
        &InputSource::Folder(dir.to_path_buf()),
        &builtin_metrics(),
        &|_| {},
    )
    .unwrap();
    assert_eq!(result.failures().count(), 0, "{:?}", result.statuses);
    result
}

/// Renames one column in the header line only.
fn rename(from: &'static str, to: &'static str) -> impl Fn(&str) -> String {
    move |text: &str| {
        let (header, rest) = text.split_once('\n').unwrap();
        let header: Vec<&str> = header
            .split(',')
            .map(|h| if h.trim() == from { to } else { h })
            .collect();
        format!("{}\n{rest}", header.join(","))
    }
}

fn outcome<'a>(r: &'a RunResult, metric: &str, year: i32) -> &'a Outcome {
    &r.statuses
        .iter()
        .find(|s| s.la_code == "800" && s.year == year && s.metric == metric)
        .unwrap_or_else(|| panic!("no status for {metric} {year}"))
        .outcome
}

fn rows_of<'a>(r: &'a RunResult, metric: &str, year: i32) -> Vec<&'a MetricRow> {
    r.rows
        .iter()
        .filter(|row| row.year == year && row.metric.as_str().starts_with(&format!("{metric}.")))
        .collect()
}

#[test]
fn pl_post_renamed_loses_distance_only() {
    let base_dir = tempfile::tempdir().unwrap();
    let base = run_on(&sample_with(base_dir.path(), "", |t| t.to_string()));
    let dir = tempfile::tempdir().unwrap();
    let renamed = run_on(&sample_with(
        dir.path(),
        "episodes.csv",
        rename("PL_POST", "PL_POSTCODE"),
    ));

    // The file is read; the column named, with its near match.
    let absent: Vec<_> = renamed
        .loaded
        .diagnostics
        .iter()
        .filter(|d| d.rule == iro_ingest::rules::HEADER_COLUMN_ABSENT)
        .collect();
    assert_eq!(absent.len(), 1);
    assert!(
        absent[0]
            .message
            .contains("PL_POST (PL_POSTCODE — did you mean PL_POST?)"),
        "{}",
        absent[0].message
    );
    assert!(
        renamed
            .loaded
            .diagnostics
            .iter()
            .all(|d| d.rule != iro_ingest::rules::HEADER_MISSING_COLUMNS)
    );

    // Distance is not computable, saying why; never 0.
    for year in [2024, 2025] {
        match outcome(&renamed, "placement-distance", year) {
            Outcome::NotComputable(why) => {
                assert!(
                    why.contains("PL_POST missing from the Episodes file episodes.csv"),
                    "{why}"
                );
            }
            other => panic!("{year}: {other:?}"),
        }
        assert!(rows_of(&renamed, "placement-distance", year).is_empty());
    }
    assert!(matches!(
        outcome(&base, "placement-distance", 2025),
        Outcome::Ok(_)
    ));

    // Table 1 and the profile are exactly as before.
    assert!(!rows_of(&base, "cohort-summary", 2025).is_empty());
    assert_eq!(
        rows_of(&renamed, "cohort-summary", 2025),
        rows_of(&base, "cohort-summary", 2025)
    );
    assert_eq!(
        rows_of(&renamed, "review-timeliness", 2025),
        rows_of(&base, "review-timeliness", 2025)
    );
    // Benchmarking's distance indicator says why it is missing.
    let bench: Vec<_> = rows_of(&renamed, "regional-benchmarking", 2025)
        .into_iter()
        .filter(|r| {
            r.metric == "regional-benchmarking.over-20-miles"
                && r.breakdown.get("source") == Some("903")
        })
        .collect();
    assert!(!bench.is_empty());
    assert!(bench.iter().all(|r| r.value.is_none()), "{bench:?}");
    assert!(
        bench.iter().all(|r| r.note.contains("PL_POST missing")),
        "{bench:?}"
    );
}

#[test]
fn review_code_renamed_loses_participation_not_timeliness() {
    let base_dir = tempfile::tempdir().unwrap();
    let base = run_on(&sample_with(base_dir.path(), "", |t| t.to_string()));
    let dir = tempfile::tempdir().unwrap();
    let renamed = run_on(&sample_with(
        dir.path(),
        "reviews.csv",
        rename("REVIEW_CODE", "Participation"),
    ));
    match outcome(&renamed, "participation", 2025) {
        Outcome::NotComputable(why) => assert!(
            why.contains("REVIEW_CODE missing from the Reviews file reviews.csv")
                && why.contains("not computable"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        outcome(&renamed, "review-timeliness", 2025),
        Outcome::Ok(_)
    ));
    assert_eq!(
        rows_of(&renamed, "review-timeliness", 2025),
        rows_of(&base, "review-timeliness", 2025)
    );
    assert_eq!(
        rows_of(&renamed, "cohort-summary", 2025),
        rows_of(&base, "cohort-summary", 2025)
    );
    // 2023-24's own Reviews file has the column: its participation stands.
    assert_eq!(
        rows_of(&renamed, "participation", 2024),
        rows_of(&base, "participation", 2024)
    );
}

#[test]
fn a_profile_column_missing_hides_only_that_breakdown() {
    let base_dir = tempfile::tempdir().unwrap();
    let base = run_on(&sample_with(base_dir.path(), "", |t| t.to_string()));
    let dir = tempfile::tempdir().unwrap();
    let renamed = run_on(&sample_with(
        dir.path(),
        "episodes.csv",
        rename("CIN", "CATEGORY OF NEED"),
    ));
    let profile = |r: &RunResult, key: &str| -> Vec<MetricRow> {
        rows_of(r, "cohort-summary", 2025)
            .into_iter()
            .filter(|row| {
                row.metric == "cohort-summary.profile"
                    && row.breakdown.pairs().iter().any(|(k, _)| *k == key)
            })
            .cloned()
            .collect()
    };
    let need = profile(&renamed, "category_of_need");
    assert_eq!(need.len(), 1, "{need:?}");
    assert_eq!(need[0].value, None);
    assert!(
        need[0]
            .note_text()
            .starts_with("not computable: CIN missing from the Episodes file episodes.csv"),
        "{}",
        need[0].note
    );
    assert_eq!(profile(&renamed, "sex"), profile(&base, "sex"));
    let headline = |r: &RunResult| -> Vec<MetricRow> {
        rows_of(r, "cohort-summary", 2025)
            .into_iter()
            .filter(|row| row.metric == "cohort-summary.cla-31-march")
            .cloned()
            .collect()
    };
    assert_eq!(headline(&renamed), headline(&base));
}

/// Every declared need names a measure of its own metric (a typo would
/// silently protect nothing), and no need repeats an essential column (which
/// can never be absent).
#[test]
fn every_need_names_a_measure_of_its_metric() {
    let mut declared = 0;
    for m in builtin_metrics() {
        let spec = m.spec();
        for need in spec.needs {
            declared += 1;
            if let Some(measure) = need.measure {
                assert!(
                    spec.measure(measure).is_some(),
                    "{}: no measure {measure}",
                    spec.id
                );
            }
            for c in need.columns {
                assert!(
                    !c.table().essential_columns().contains(&c.name()),
                    "{}: {} is essential",
                    spec.id,
                    c
                );
            }
        }
    }
    assert!(declared >= 10);
}
