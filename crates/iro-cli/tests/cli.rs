//! End-to-end tests of the `iro` binary on the bundled sample and small fixtures.

use std::collections::BTreeSet;
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

fn sample() -> String {
    repo().join("data/sample").display().to_string()
}

/// Every CHILD id and every date of birth in the sample's Header files.
fn identifiers() -> (BTreeSet<String>, BTreeSet<String>) {
    let mut ids = BTreeSet::new();
    let mut dobs = BTreeSet::new();
    for la in fs::read_dir(repo().join("data/sample")).unwrap().flatten() {
        if !la.path().is_dir() {
            continue;
        }
        for year in fs::read_dir(la.path()).unwrap().flatten() {
            let header = year.path().join("header.csv");
            if let Ok(mut r) = csv::Reader::from_path(&header) {
                for rec in r.records().flatten() {
                    ids.insert(rec[0].to_string());
                    dobs.insert(rec[2].to_string());
                }
            }
        }
    }
    (ids, dobs)
}

/// Every file under `dir` (subfolders such as `report/` included), relative.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in fs::read_dir(dir.join(&rel)).unwrap().flatten() {
            let r = rel.join(e.file_name());
            if e.path().is_dir() {
                stack.push(r);
            } else {
                out.push(r);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn run_on_the_sample_is_deterministic_and_shares_no_identifiers() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        let out = iro(&[
            "run",
            &sample(),
            "--quiet",
            "--format",
            "csv,json,parquet",
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "iro run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (ids, dobs) = identifiers();
    assert!(ids.len() > 100, "the sample should have children");
    let mut compared = 0;
    for name in files_under(a.path()) {
        let left = fs::read(a.path().join(&name)).unwrap();
        let text = String::from_utf8_lossy(&left);
        // Invariant 6: no CHILD id anywhere, and no date of birth as a value,
        // in any shareable output (the Parquet files' compressed bytes are
        // decoded and scanned by tests/privacy.rs). (A date inside a sentence, such as a
        // cut-off date in a note, may coincide with somebody's birthday.)
        for token in text.split([',', '\n', '"', ' ', ':', ';', '=']) {
            assert!(
                !ids.contains(token.trim()),
                "{name:?} holds a CHILD id: {token}"
            );
        }
        for cell in text.split([',', '\n', '"']) {
            let cell = cell.trim();
            assert!(
                !dobs.contains(cell),
                "{name:?} holds a date of birth: {cell}"
            );
        }
        // Invariant 7: byte-identical, except run.json's timings.
        if name != Path::new("run.json") {
            let right = fs::read(b.path().join(&name)).unwrap();
            assert!(left == right, "{name:?} differs between two runs");
            compared += 1;
        }
    }
    assert!(compared >= 10, "csv, json and parquet tables compared");
    let summary = fs::read_to_string(a.path().join("cohort_summary.csv")).unwrap();
    for la in ["800", "803", "887"] {
        assert!(
            summary.contains(&format!("\n{la},")),
            "{la} missing from summary"
        );
    }
}

#[test]
fn personal_lists_only_on_request_and_only_in_personal() {
    let dir = tempfile::tempdir().unwrap();
    let out = iro(&[
        "run",
        &sample(),
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some_and(|c| c < 2));
    assert!(!dir.path().join("personal").exists(), "not asked for");

    let out = iro(&[
        "run",
        &sample(),
        "--quiet",
        "--personal",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some_and(|c| c < 2));
    let readme = fs::read_to_string(dir.path().join("personal/README.md")).unwrap();
    assert!(readme.starts_with("# PERSONAL DATA"));
    let reviews =
        fs::read_to_string(dir.path().join("personal/review-timeliness.reviews.csv")).unwrap();
    assert!(reviews.starts_with("la_code,year,CHILD,care_type,review,REVIEW,due,status,days_late"));
    let (ids, _) = identifiers();
    let listed = reviews
        .lines()
        .skip(1)
        .filter(|l| ids.contains(l.split(',').nth(2).unwrap_or("")))
        .count();
    assert!(listed > 1000, "reviews list children: {listed}");
    assert!(reviews.contains(",late,"));
    assert!(reviews.contains(",on time,"));
}

#[test]
fn report_writes_the_narrative_template_once_and_the_report_of_the_authorities_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let narrative = dir.path().join("narrative");
    let (n, out) = (narrative.to_str().unwrap(), dir.path().to_str().unwrap());
    let init = iro(&[
        "report",
        &sample(),
        "--init-narrative",
        "--narrative",
        n,
        "--las",
        "800,887",
    ]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let template = fs::read_to_string(narrative.join("800.md")).unwrap();
    assert!(template.contains("\n## review-timeliness\n"));
    assert!(narrative.join("887.md").exists() && !narrative.join("803.md").exists());
    // The service writes its words; a second init keeps them.
    let words = template.replace("\n## summary\n", "\n## summary\n\nA year of recovery.\n");
    fs::write(narrative.join("800.md"), &words).unwrap();
    let again = iro(&[
        "report",
        &sample(),
        "--init-narrative",
        "--narrative",
        n,
        "--las",
        "800",
    ]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("never overwritten"));
    assert_eq!(fs::read_to_string(narrative.join("800.md")).unwrap(), words);

    let rep = iro(&[
        "report",
        &sample(),
        "--narrative",
        n,
        "--out",
        out,
        "--las",
        "800",
    ]);
    assert!(
        rep.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&rep.stderr)
    );
    let html = fs::read_to_string(dir.path().join("report/800-2025.html")).unwrap();
    assert!(html.contains("A year of recovery."));
    assert!(dir.path().join("report/800-2025.md").exists());
    assert!(!dir.path().join("report/887-2025.html").exists());
    assert!(!dir.path().join("metrics.csv").exists(), "the report only");
}

#[test]
fn run_prints_where_outputs_are() {
    let dir = tempfile::tempdir().unwrap();
    let out = iro(&["run", &sample(), "--out", dir.path().to_str().unwrap()]);
    assert!(out.status.code().is_some_and(|c| c < 2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Outputs written to"), "{stdout}");
    assert!(stdout.contains("metrics.csv"));
}

#[test]
fn run_with_no_input_uses_the_sample_and_its_targets() {
    // No INPUT and no ./iro.toml: the bundled sample, with the targets of
    // data/sample/iro.toml, reported in targets.csv and after Table 1.
    let dir = tempfile::tempdir().unwrap();
    let out = iro(&["run", "--out", dir.path().to_str().unwrap()]);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let table1 = stdout.find("Children looked after").unwrap();
    let targets = stdout.find("Targets (").expect("a Targets table");
    assert!(targets > table1, "{stdout}");
    assert!(
        stdout.contains("Reviews held within statutory timescale ≥ 90"),
        "{stdout}"
    );
    let csv = fs::read_to_string(dir.path().join("targets.csv")).unwrap();
    assert!(csv.starts_with(
        "la_code,year,period,metric,breakdown,label,target,direction,value,met,previous_value,trend\n"
    ));
    assert!(
        csv.contains("\n800,2025,year,review-timeliness.on-time,,"),
        "{csv}"
    );
    // `iro report` after `iro run` reads the same configuration: the same
    // report, targets included.
    let again = tempfile::tempdir().unwrap();
    let out = iro(&["report", "--quiet", "--out", again.path().to_str().unwrap()]);
    assert!(out.status.code().is_some_and(|c| c < 2));
    let md = |d: &Path| fs::read_to_string(d.join("report/800-2025.md")).unwrap();
    assert_eq!(md(again.path()), md(dir.path()));
    // With the sample given explicitly, no targets are read: nothing to meet.
    let other = tempfile::tempdir().unwrap();
    let out = iro(&[
        "run",
        &sample(),
        "--quiet",
        "--out",
        other.path().to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some_and(|c| c < 2));
    let csv = fs::read_to_string(other.path().join("targets.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1, "header only: {csv}");
}

#[test]
fn validate_the_sample_has_no_errors() {
    let out = iro(&["validate", &sample(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["errors"], 0, "{}", report["diagnostics"]);
    assert!(out.status.code().unwrap() < 2);
}

#[test]
fn validate_exit_codes_follow_the_worst_problem() {
    let dir = tempfile::tempdir().unwrap();
    let year = dir.path().join("800/2025");
    fs::create_dir_all(&year).unwrap();
    fs::write(
        year.join("header.csv"),
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,M,01/01/2015,WBRI,UN1,,\n",
    )
    .unwrap();
    fs::write(
        year.join("episodes.csv"),
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n\
         1,31/02/2024,S,C2,N1,U4,PR1,,,,BA1 1AA,BA2 2AA,SC123456\n",
    )
    .unwrap();
    let out = iro(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("episodes.csv:2"), "{stdout}");
}

#[test]
fn help_on_every_command() {
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["validate", "--help"],
        vec!["metrics", "list", "--help"],
        vec!["report", "--help"],
    ] {
        let out = iro(&args);
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
    let out = iro(&["metrics", "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("cohort-summary.cla-rate"));
    // Within a metric the units line up, however long its measure names.
    let unit_column = |line: &str| line.find(" count ").or_else(|| line.find(" per_10000 "));
    let columns: Vec<usize> = text
        .lines()
        .filter(|l| l.starts_with("  cohort-summary."))
        .filter_map(unit_column)
        .collect();
    assert!(columns.len() > 5);
    assert!(columns.windows(2).all(|w| w[0] == w[1]), "{text}");
    assert!(text.contains("computed from the other metrics' figures"));
}

#[test]
fn a_missing_input_folder_is_a_clear_error() {
    let out = iro(&["run", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no/such/folder"), "{stderr}");
}

/// "Table 1" on a six-child fixture whose figures were worked out by hand
/// (suppression off in its iro.toml):
///
/// - C1 in care since 2020, moves in July 2024; C3 in care from January 2023
///   until an SGO on 30/09/2024; C6 starts in June 2023 and goes home in
///   December 2023; C2 (a baby) starts in June 2024; C4 (UASC) starts, leaves
///   and starts again in 2024-25; C5 has a short break only (never counted).
/// - 31 March 2024: C1, C3 = 2. 2023-24: starts C6 = 1, ceases C6 = 1, during 3.
/// - 31 March 2025: C1, C2, C4 = 3, +50%. 2024-25: starts C2, C4 = 2 (C4
///   once), ceases C3, C4 = 2, during the year C1–C4 = 4.
/// - Rates per 10,000 on BANES' mid-2023 (36,554) and mid-2024 (36,601)
///   under-18 populations: 0.5 and 0.8.
#[test]
fn table_one_on_a_hand_checked_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let config = repo().join("crates/iro-cli/tests/fixtures/table1/iro.toml");
    let out = iro(&[
        "run",
        "--quiet",
        "--config",
        config.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = fs::read_to_string(dir.path().join("cohort_summary.csv")).unwrap();
    insta::assert_snapshot!("table1_cohort_summary", summary);
    let metrics = fs::read_to_string(dir.path().join("metrics.csv")).unwrap();
    let profile: String = metrics
        .lines()
        .filter(|l| l.starts_with("800,2025,31-03,cohort-summary.profile,"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("table1_profile_2025", profile);
}

/// `iro report` writes exactly the report `iro run` writes (the same
/// settings, the sample's demonstration targets included), and lists every
/// file it writes.
#[test]
fn report_gives_what_run_gives_and_lists_its_files() {
    let run_dir = tempfile::tempdir().unwrap();
    let rep_dir = tempfile::tempdir().unwrap();
    let run = iro(&["run", &sample(), "--out", run_dir.path().to_str().unwrap()]);
    assert!(run.status.code().is_some_and(|c| c < 2));
    let rep = iro(&[
        "report",
        &sample(),
        "--out",
        rep_dir.path().to_str().unwrap(),
    ]);
    assert!(
        rep.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&rep.stderr)
    );
    let ran = files_under(&run_dir.path().join("report"));
    let reported = files_under(&rep_dir.path().join("report"));
    assert_eq!(ran, reported);
    assert!(ran.len() > 10, "{ran:?}");
    for f in &ran {
        assert_eq!(
            fs::read(run_dir.path().join("report").join(f)).unwrap(),
            fs::read(rep_dir.path().join("report").join(f)).unwrap(),
            "{} differs",
            f.display()
        );
    }
    let stdout = String::from_utf8_lossy(&rep.stdout);
    for kind in ["800-2025.html", "800-2025.md", "800-2025.xlsx"] {
        assert!(stdout.contains(kind), "{kind} not listed: {stdout}");
    }
    assert!(stdout.contains("charts to"), "{stdout}");
}

/// The audience chooses the threshold for every output and the report says
/// which rule applied; a final report has no prompts and no DRAFT mark.
#[test]
fn audience_and_final_are_chosen_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let internal = iro(&[
        "report",
        &sample(),
        "--out",
        out,
        "--las",
        "800",
        "--audience",
        "internal",
        "--final",
    ]);
    assert!(
        internal.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&internal.stderr)
    );
    let html = fs::read_to_string(dir.path().join("report/800-2025.html")).unwrap();
    assert!(
        html.contains("NOT FOR PUBLICATION"),
        "every printed page is marked"
    );
    assert!(html.contains("nothing is hidden"));
    assert!(
        !html.contains("has not written this section yet"),
        "final: no prompts"
    );
    assert!(!html.contains("class=\"draft-mark\""));
    // A section of the service's words it has not written is left out.
    assert!(
        !html.contains("section-iro-service"),
        "unwritten section in a final"
    );
    let public = iro(&["report", &sample(), "--out", out, "--las", "800"]);
    assert!(public.status.code().is_some_and(|c| c < 2));
    let html = fs::read_to_string(dir.path().join("report/800-2025.html")).unwrap();
    assert!(html.contains("counts of children from 1 to 7"));
    assert!(
        html.contains("has not written this section yet"),
        "a draft prompts"
    );
    assert!(html.contains("content: \"DRAFT\""));
    // A board needs its own threshold.
    let board = iro(&["report", &sample(), "--out", out, "--audience", "board"]);
    assert_eq!(board.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&board.stderr).contains("board_threshold"));
}
