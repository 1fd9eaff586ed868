//! The data-quality gate, exit codes and the first lines an analyst sees, on
//! messy copies of the bundled sample: dates saved as Excel serial numbers,
//! two-digit years, month-first dates, a folder of `.xlsx` files only, a UTF-16
//! file, a title row above the header, a renamed column; and `--la`/`--year`
//! that match nothing, and no input outside the repository.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn iro_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iro"))
        .args(args)
        // No reference overlay of the user's (`iro reference import-dfe`).
        .env(
            "XDG_DATA_HOME",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-user-data"),
        )
        .current_dir(dir)
        .output()
        .expect("run iro")
}

fn iro(args: &[&str]) -> Output {
    iro_in(&repo(), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The text with lines joined and spaces collapsed: what a wrapped message
/// says.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A copy of the sample's authority 800, collection years 2024 and 2025.
fn copy_800() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for year in ["2024", "2025"] {
        let from = repo().join("data/sample/800").join(year);
        let to = dir.path().join("800").join(year);
        fs::create_dir_all(&to).unwrap();
        for e in fs::read_dir(&from).unwrap().flatten() {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
    dir
}

/// Rewrites the values of `column` in every `file` of the copy.
fn edit_column(root: &Path, file: &str, column: &str, f: impl Fn(&str) -> String) {
    for year in ["2024", "2025"] {
        let path = root.join("800").join(year).join(file);
        let text = fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let at = header.split(',').position(|h| h == column).unwrap();
        let mut out = format!("{header}\n");
        for l in lines {
            let mut fields: Vec<String> = l.split(',').map(String::from).collect();
            if !fields[at].is_empty() {
                fields[at] = f(&fields[at]);
            }
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        fs::write(&path, out).unwrap();
    }
}

/// `dd/mm/yyyy` as its parts.
fn dmy(s: &str) -> (i64, i64, i64) {
    let p: Vec<i64> = s.split('/').map(|x| x.parse().unwrap()).collect();
    (p[0], p[1], p[2])
}

/// Days from 1970-01-01 (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Excel serial number of a date (1900 date system).
fn excel_serial(s: &str) -> String {
    let (d, m, y) = dmy(s);
    (days_from_civil(y, m, d) - days_from_civil(1899, 12, 30)).to_string()
}

fn run(input: &Path) -> (Output, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let o = iro(&[
        "run",
        input.to_str().unwrap(),
        "--no-charts",
        "--no-report",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    (o, out)
}

/// Every line the user sees fits a 100-column terminal.
fn fits(text: &str) {
    for l in text.lines() {
        assert!(l.chars().count() <= 100, "line over 100 columns: {l:?}");
    }
}

/// The first lines of a run, as the closing report quotes them.
fn first_lines(o: &Output, n: usize) -> String {
    let mut text: Vec<String> = stderr(o).lines().map(String::from).collect();
    text.extend(stdout(o).lines().map(String::from));
    text.into_iter().take(n).collect::<Vec<_>>().join("\n")
}

fn run_json(out: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap()
}

#[test]
fn dates_saved_as_excel_serial_numbers_are_not_computable_never_zero() {
    let input = copy_800();
    edit_column(input.path(), "episodes.csv", "DECOM", excel_serial);
    edit_column(input.path(), "episodes.csv", "DEC", excel_serial);
    let (o, out) = run(input.path());
    let text = stdout(&o);
    eprintln!("{}", first_lines(&o, 30));
    assert_eq!(o.status.code(), Some(2), "{text}\n{}", stderr(&o));
    fits(&text);
    assert!(
        flat(&text).contains("DECOM saved as Excel serial numbers"),
        "{text}"
    );
    // Table 1 says not computable, never 0.
    let summary = fs::read_to_string(out.path().join("cohort_summary.csv")).unwrap();
    let line = summary.lines().find(|l| l.starts_with("800,")).unwrap();
    assert!(line.contains("not computable"), "{summary}");
    assert!(!line.contains(",0,"), "{summary}");
    assert!(text.contains("n/c"), "{text}");
    let metrics = fs::read_to_string(out.path().join("metrics.csv")).unwrap();
    assert!(
        !metrics.contains("cohort-summary.cla-31-march"),
        "no count at 31 March from unusable episodes"
    );
    let json = run_json(out.path());
    let unfit = json["data_quality"]["unfit"].as_array().unwrap();
    assert!(
        unfit
            .iter()
            .any(|u| u["table"] == "Episodes" && u["problem"] == "excluded"),
        "{unfit:?}"
    );
}

#[test]
fn two_digit_years_in_dec_name_the_rule_in_words() {
    let input = copy_800();
    edit_column(input.path(), "episodes.csv", "DEC", |s| {
        let (d, m, y) = dmy(s);
        format!("{d:02}/{m:02}/{:02}", y % 100)
    });
    let (o, out) = run(input.path());
    let text = stdout(&o);
    eprintln!("{}", first_lines(&o, 30));
    assert_eq!(o.status.code(), Some(2), "{text}");
    fits(&text);
    assert!(
        flat(&text).contains("DEC written with two-digit years"),
        "{text}"
    );
    assert!(flat(&text).contains("Episodes rows excluded"), "{text}");
    // No figure from those episodes anywhere, benchmarking's included.
    let metrics = fs::read_to_string(out.path().join("metrics.csv")).unwrap();
    assert!(!metrics.contains("source=903"), "no 903 figure benchmarked");
    // Errors lead the summary.
    let by_rule = text.find("Problems by rule").unwrap();
    let first = text[by_rule..].lines().nth(1).unwrap();
    assert!(first.contains("ERROR"), "{text}");
}

#[test]
fn validate_all_lists_every_row_and_the_default_a_few() {
    let input = copy_800();
    edit_column(input.path(), "episodes.csv", "DEC", |s| {
        let (d, m, y) = dmy(s);
        format!("{d:02}/{m:02}/{:02}", y % 100)
    });
    let dir = input.path().to_str().unwrap();
    let json = iro(&["validate", dir, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let unparsable = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "date.unparsable")
        .count();
    assert!(unparsable > 100, "{unparsable}");
    let few = stdout(&iro(&["validate", dir]));
    fits(&few);
    let examples = |t: &str| t.matches("DEC cannot be read as a date").count();
    assert_eq!(examples(&few), 3, "three examples a rule:\n{few}");
    assert!(
        flat(&few).contains("iro validate --all lists every row"),
        "{few}"
    );
    let all = stdout(&iro(&["validate", dir, "--all"]));
    assert_eq!(
        all.lines()
            .filter(|l| l.contains("ERROR   date.unparsable 800/"))
            .count(),
        unparsable,
        "every row"
    );
}

#[test]
fn month_first_dates_do_not_give_a_confident_wrong_count() {
    let input = copy_800();
    let us = |s: &str| {
        let (d, m, y) = dmy(s);
        format!("{m:02}/{d:02}/{y}")
    };
    edit_column(input.path(), "episodes.csv", "DECOM", us);
    edit_column(input.path(), "episodes.csv", "DEC", us);
    let (o, out) = run(input.path());
    let text = stdout(&o);
    eprintln!("{}", first_lines(&o, 30));
    assert_eq!(o.status.code(), Some(2), "{text}");
    fits(&text);
    let summary = fs::read_to_string(out.path().join("cohort_summary.csv")).unwrap();
    for l in summary.lines().skip(1) {
        assert!(l.contains("not computable"), "{summary}");
    }
}

#[test]
fn a_folder_of_workbooks_that_cannot_be_opened_exits_2_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let year = dir.path().join("800/2025");
    fs::create_dir_all(&year).unwrap();
    for name in ["header.xlsx", "episodes.xlsx", "reviews.xlsx"] {
        fs::write(year.join(name), b"PK\x03\x04 not really a workbook").unwrap();
    }
    let (o, _out) = run(dir.path());
    let all = format!("{}{}", stdout(&o), stderr(&o));
    eprintln!("{}", first_lines(&o, 20));
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(all.contains("episodes.xlsx"), "{all}");
    assert!(flat(&all).contains("cannot be opened"), "{all}");
    // The summary's first line does not stop at "Read 0 files".
    let first = stdout(&o).lines().next().unwrap_or("").to_string();
    assert!(
        first.starts_with("Read 0 files (3 more could not be opened: below) for 1 authority"),
        "{first}"
    );
    fits(&stdout(&o));
    let v = iro(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(2), "{}", stdout(&v));
}

#[test]
fn a_utf16_file_names_its_cause_without_verbose() {
    let input = copy_800();
    let path = input.path().join("800/2025/episodes.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    fs::write(&path, bytes).unwrap();
    let (o, out) = run(input.path());
    let text = stdout(&o);
    eprintln!("{}", first_lines(&o, 30));
    assert_eq!(o.status.code(), Some(2), "{text}");
    fits(&text);
    assert!(flat(&text).contains("the file is UTF-16"), "{text}");
    let json = run_json(out.path());
    let reason = json["data_quality"]["unfit"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("episodes.csv not read"), "{reason}");
    // The 2024 figures, from a readable file, are still computed.
    let summary = fs::read_to_string(out.path().join("cohort_summary.csv")).unwrap();
    let y2024 = summary
        .lines()
        .find(|l| l.starts_with("800,") && l.contains(",2024,2023-24,"));
    let cla = y2024.and_then(|l| l.split(',').nth(5)).unwrap_or("");
    assert!(!cla.is_empty(), "{summary}");
}

#[test]
fn a_title_row_above_the_header_is_shown_as_the_cause() {
    let input = copy_800();
    let path = input.path().join("800/2025/episodes.csv");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("Episodes report run 01/04/2025,,,,\n{text}")).unwrap();
    let (o, _out) = run(input.path());
    let text = stdout(&o);
    eprintln!("{}", first_lines(&o, 30));
    assert_eq!(o.status.code(), Some(2), "{text}");
    fits(&text);
    assert!(flat(&text).contains("matches no SSDA903 table"), "{text}");
    let v = iro(&["validate", input.path().to_str().unwrap()]);
    let vt = stdout(&v);
    fits(&vt);
    assert!(flat(&vt).contains("matches no SSDA903 table"), "{vt}");
}

#[test]
fn a_renamed_decom_column_leads_the_output() {
    let input = copy_800();
    for year in ["2024", "2025"] {
        let path = input.path().join("800").join(year).join("episodes.csv");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replacen("DECOM", "START_DATE", 1)).unwrap();
    }
    let v = iro(&["validate", input.path().to_str().unwrap()]);
    let text = stdout(&v);
    eprintln!("{}", text.lines().take(20).collect::<Vec<_>>().join("\n"));
    assert_eq!(v.status.code(), Some(2), "{text}");
    fits(&text);
    // The real error is in the first lines, not after the follow-on warnings.
    let head: String = text.lines().take(6).collect::<Vec<_>>().join("\n");
    assert!(head.contains("DECOM"), "{head}");
    let (o, _out) = run(input.path());
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}

#[test]
fn a_count_far_from_the_dfe_s_is_flagged_in_table_1() {
    // Half of the 2025 episodes lost without any error: the count at 31
    // March 2025 is far below the DfE's.
    let input = copy_800();
    let path = input.path().join("800/2025/episodes.csv");
    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let kept: Vec<&str> = lines[..lines.len() / 2].to_vec();
    fs::write(&path, kept.join("\n") + "\n").unwrap();
    let (o, out) = run(input.path());
    let text = stdout(&o);
    eprintln!("{}", first_lines(&o, 40));
    assert_eq!(o.status.code(), Some(1), "{text}\n{}", stderr(&o));
    fits(&text);
    assert!(
        flat(&text).contains("check the data: the DfE published"),
        "{text}"
    );
    let summary = fs::read_to_string(out.path().join("cohort_summary.csv")).unwrap();
    assert!(
        summary.contains("check the data: the DfE published"),
        "{summary}"
    );
}

#[test]
fn the_share_excluded_before_the_gate_trips_is_configurable() {
    let input = copy_800();
    edit_column(input.path(), "episodes.csv", "DEC", |s| {
        let (d, m, y) = dmy(s);
        format!("{d:02}/{m:02}/{:02}", y % 100)
    });
    let config = input.path().join("iro.toml");
    fs::write(&config, "[quality]\nmax_excluded_share = 1.0\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = iro(&[
        "run",
        input.path().to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--no-charts",
        "--no-report",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    // Everything computed on what is left: warnings, not "not computable".
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

#[test]
fn the_report_opens_with_a_data_quality_box_and_marks_the_sections() {
    let input = copy_800();
    edit_column(input.path(), "episodes.csv", "DEC", |s| {
        let (d, m, y) = dmy(s);
        format!("{d:02}/{m:02}/{:02}", y % 100)
    });
    let out = tempfile::tempdir().unwrap();
    let o = iro(&[
        "run",
        input.path().to_str().unwrap(),
        "--no-charts",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let md = fs::read_to_string(out.path().join("report/800-2025.md")).unwrap();
    let dq = md.find("**Data quality.**").expect("a Data quality box");
    let contents = md.find("## Contents").unwrap();
    assert!(dq < contents, "the box opens the report");
    assert!(md.contains("DEC written with two-digit years"), "{md}");
    assert!(md.contains("> **Data quality:**"), "sections marked");
    let html = fs::read_to_string(out.path().join("report/800-2025.html")).unwrap();
    assert!(html.contains("id=\"data-quality-title\""));
    // The box is absent when nothing was excluded or flagged.
    let clean_input = copy_800();
    let clean = tempfile::tempdir().unwrap();
    let o = iro(&[
        "run",
        clean_input.path().to_str().unwrap(),
        "--no-charts",
        "--out",
        clean.path().to_str().unwrap(),
    ]);
    assert!(o.status.code().unwrap() < 2, "{}", stdout(&o));
    let md = fs::read_to_string(clean.path().join("report/800-2025.md")).unwrap();
    assert!(!md.contains("**Data quality.**"), "{md}");
}

#[test]
fn la_and_year_that_match_nothing_say_so_and_exit_2() {
    let sample = repo().join("data/sample");
    let o = iro(&[
        "run",
        sample.to_str().unwrap(),
        "--la",
        "999",
        "--no-report",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("no data for authority 999"), "{err}");
    assert!(err.contains("authorities found: 800, 803, 887"), "{err}");
    let o = iro(&["run", sample.to_str().unwrap(), "--year", "2031"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("no data for collection year 2031"), "{err}");
    assert!(err.contains("2025"), "{err}");
    let o = iro(&["validate", sample.to_str().unwrap(), "--la", "999"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn outside_the_repository_run_says_how_to_give_an_input_and_sample_writes_one() {
    let cwd = tempfile::tempdir().unwrap();
    let o = iro_in(cwd.path(), &["run"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("no input given"), "{err}");
    assert!(err.contains("iro sample"), "{err}");
    fits(&err);
    let o = iro_in(cwd.path(), &["sample", "my-sample"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(cwd.path().join("my-sample/800/2025/episodes.csv").exists());
    let a = fs::read(cwd.path().join("my-sample/887/2021/header.csv")).unwrap();
    let b = fs::read(repo().join("data/sample/887/2021/header.csv")).unwrap();
    assert_eq!(a, b, "the bundled sample is the repository's");
    // Never over an existing sample.
    let o = iro_in(cwd.path(), &["sample", "my-sample"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn validate_writes_a_workbook_without_personal_values_unless_asked() {
    let input = copy_800();
    // CHILD written as a float in the Header: a warning whose value is personal.
    let path = input.path().join("800/2025/header.csv");
    let text = fs::read_to_string(&path).unwrap();
    let first_child = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    fs::write(
        &path,
        text.replacen(
            &format!("\n{first_child},"),
            &format!("\n{first_child}.0,"),
            1,
        ),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for personal in [false, true] {
        let xlsx = dir.path().join(format!("problems-{personal}.xlsx"));
        let mut args = vec![
            "validate",
            input.path().to_str().unwrap(),
            "--xlsx",
            xlsx.to_str().unwrap(),
        ];
        if personal {
            args.push("--personal");
        }
        let o = iro(&args);
        assert!(o.status.code().unwrap() >= 1, "{}", stdout(&o));
        let mut zip = zip_archive(&xlsx);
        // Every part of the workbook, as text.
        let mut all = String::new();
        let mut sheets = 0;
        for i in 0..zip.len() {
            use std::io::Read;
            let mut f = zip.by_index(i).unwrap();
            if f.name().unwrap().starts_with("xl/worksheets/sheet") {
                sheets += 1;
            }
            let mut s = String::new();
            let _ = f.read_to_string(&mut s);
            all.push_str(&s);
        }
        assert!(sheets >= 2, "a summary and a sheet per rule");
        assert!(all.contains("Summary"));
        assert!(all.contains("child.excel_float"), "a sheet per rule");
        assert_eq!(
            all.contains(&format!("{first_child}.0")),
            personal,
            "the CHILD value only with --personal"
        );
    }
}

fn zip_archive(path: &Path) -> zip::ZipArchive<fs::File> {
    zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap()
}

#[test]
fn exit_0_when_clean_1_with_warnings() {
    // One child, nothing wrong (an authority with no published figures, so
    // nothing to compare): 0. The same with SEX coded 1 in 2024-25 (a
    // warning, the row kept): 1.
    for (sex, code) in [("M", 0), ("1", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let year = dir.path().join("999/2025");
        fs::create_dir_all(&year).unwrap();
        fs::write(
            year.join("header.csv"),
            format!("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,{sex},01/01/2015,WBRI,UN1,,\n"),
        )
        .unwrap();
        fs::write(
            year.join("episodes.csv"),
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,\
             PL_POST,URN\nC1,01/05/2024,S,C2,N1,U4,PR1,,,,BA1 1AA,BA2 2AA,SC123456\n",
        )
        .unwrap();
        let (o, _out) = run(dir.path());
        assert_eq!(o.status.code(), Some(code), "{}", stdout(&o));
    }
}

#[test]
fn every_metric_switched_off_says_so_not_that_no_table_was_read() {
    let data = copy_800();
    // Every built-in metric, from the registry (a new one is switched off
    // too, with no list here to keep up to date).
    let ids: Vec<&str> = iro_engine::builtin_metrics()
        .iter()
        .map(|m| iro_metric_api::Metric::spec(m.as_ref()).id)
        .collect();
    assert!(ids.len() >= 8, "{ids:?}");
    let config: String = ids
        .iter()
        .map(|id| format!("[metrics.{id}]\nenabled = false\n"))
        .collect();
    let toml = data.path().join("off.toml");
    fs::write(&toml, config).unwrap();
    let out = data.path().join("out");
    let o = iro(&[
        "run",
        data.path().to_str().unwrap(),
        "--config",
        toml.to_str().unwrap(),
        "--no-charts",
        "--no-report",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = flat(&stderr(&o));
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("every metric is switched off"), "{err}");
    assert!(!err.contains("no SSDA903 table could be read"), "{err}");
}
