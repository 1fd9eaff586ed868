//! The data-quality gate on small hand-written returns: the share of rows
//! excluded at which a table stops being fit, the reason in words for each kind
//! of damaged date, a table missing because its file was not read, and the
//! run's verdict (the exit code).

use std::fs;
use std::path::Path;

use iro_engine::quality::Unfitness;
use iro_engine::{Config, Outcome, RunResult, Verdict, builtin_metrics, input_source, run};

const HEADER: &str = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n";
const EPISODES: &str = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,\
                        REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n";

/// Authority 999 (no published figures to compare), 2024-25: `n` children,
/// each with one episode; `bad` of them have `dec` written as DEC (the rest
/// end on 01/12/2024 with E13).
fn write_return(root: &Path, n: usize, bad: usize, dec: &str) {
    let dir = root.join("999/2025");
    fs::create_dir_all(&dir).unwrap();
    let mut header = HEADER.to_string();
    let mut episodes = EPISODES.to_string();
    for i in 0..n {
        header.push_str(&format!("C{i:03},M,01/01/2015,WBRI,UN1,,\n"));
        let dec = if i < bad { dec } else { "01/12/2024" };
        episodes.push_str(&format!(
            "C{i:03},01/05/2024,S,C2,N1,U4,PR1,{dec},E13,,BA1 1AA,BA2 2AA,SC123456\n"
        ));
    }
    fs::write(dir.join("header.csv"), header).unwrap();
    fs::write(dir.join("episodes.csv"), episodes).unwrap();
}

fn run_on(root: &Path, config: &Config) -> RunResult {
    let source = input_source(config, Some(root.to_path_buf())).unwrap();
    run(config, &source, &builtin_metrics(), &|_| {}).unwrap()
}

fn status<'a>(r: &'a RunResult, metric: &str) -> &'a Outcome {
    &r.statuses
        .iter()
        .find(|s| s.metric == metric && s.year == 2025)
        .unwrap()
        .outcome
}

#[test]
fn a_table_losing_more_than_the_share_allowed_is_not_used() {
    // 2 of 100 rows excluded: exactly 2%, allowed; 3 of 100: not.
    for (bad, gated) in [(0, false), (2, false), (3, true)] {
        let dir = tempfile::tempdir().unwrap();
        write_return(dir.path(), 100, bad, "01/12/24");
        let r = run_on(dir.path(), &Config::default());
        match status(&r, "cohort-summary") {
            Outcome::NotComputable(why) if gated => {
                assert_eq!(
                    why,
                    "3 of 100 Episodes rows excluded in 2024-25 (3.0%, more than the 2% \
                     allowed): DEC written with two-digit years"
                );
            }
            Outcome::Ok(_) if !gated => {}
            other => panic!("{bad} bad rows: {other:?}"),
        }
        // No row of a gated metric: not computable, never 0.
        assert_eq!(
            r.rows
                .iter()
                .any(|row| row.metric.as_str().starts_with("cohort-summary.")),
            !gated
        );
        let expected = match bad {
            0 => Verdict::Clean,
            2 => Verdict::Warnings,
            _ => Verdict::NotComputable,
        };
        assert_eq!(r.verdict(), expected, "{bad} bad rows");
        assert_eq!(r.verdict().exit_code(), expected.exit_code());
        if gated {
            let u = &r.quality.unfit[0];
            assert_eq!(u.table, iro_domain::TableKind::Episodes);
            assert!(u.metrics.contains(&"cohort-summary".to_string()));
            assert!(u.metrics.contains(&"placement-stability".to_string()));
            assert!(
                u.metrics.contains(&"regional-benchmarking".to_string()),
                "its 903 figures come from the episodes"
            );
            assert!(
                !u.metrics.contains(&"drp-flow".to_string()),
                "drp-flow needs no Episodes"
            );
            let Unfitness::Excluded {
                rows_read,
                rows_excluded,
                causes,
            } = &u.problem
            else {
                panic!("{u:?}")
            };
            assert_eq!((*rows_read, *rows_excluded), (100, 3));
            assert_eq!(causes[0].rule, "date.unparsable");
            assert_eq!(causes[0].rows, 3);
        }
    }
}

#[test]
fn the_share_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    write_return(dir.path(), 100, 3, "01/12/24");
    let config = Config::parse("[quality]\nmax_excluded_share = 0.05\n").unwrap();
    let r = run_on(dir.path(), &config);
    assert!(matches!(status(&r, "cohort-summary"), Outcome::Ok(_)));
    assert_eq!(r.verdict(), Verdict::Warnings);
}

#[test]
fn each_kind_of_damaged_date_is_named_never_its_value() {
    for (dec, words) in [
        ("45627", "DEC saved as Excel serial numbers"),
        ("01/12/24", "DEC written with two-digit years"),
        (
            "12/31/2024",
            "DEC written month-first (MM/DD/YYYY), its ambiguous dates excluded",
        ),
        (
            "31/02/2024",
            "DEC not real dates (month-first, or a day the month does not have)",
        ),
        ("01/12/1850", "DEC with years outside 1900-2099"),
        ("1st December", "DEC not written as DD/MM/YYYY dates"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_return(dir.path(), 10, 8, dec);
        let r = run_on(dir.path(), &Config::default());
        let Outcome::NotComputable(why) = status(&r, "cohort-summary") else {
            panic!("{dec}: {:?}", status(&r, "cohort-summary"));
        };
        assert!(why.ends_with(words), "{dec}: {why}");
        assert!(!why.contains(dec), "the value is never shown: {why}");
    }
}

#[test]
fn a_file_not_read_makes_its_table_missing_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    write_return(dir.path(), 10, 0, "");
    let episodes = dir.path().join("999/2025/episodes.csv");
    let text = fs::read_to_string(&episodes).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    fs::write(&episodes, utf16).unwrap();
    let r = run_on(dir.path(), &Config::default());
    let Outcome::NotComputable(why) = status(&r, "cohort-summary") else {
        panic!("{:?}", r.statuses);
    };
    assert!(
        why.starts_with(
            "no usable Episodes table for 999 2024-25: episodes.csv not read (the file is UTF-16"
        ),
        "{why}"
    );
    assert!(matches!(
        r.quality.unfit[0].problem,
        Unfitness::Missing { .. }
    ));
    assert_eq!(r.verdict(), Verdict::NotComputable);
}

#[test]
fn a_table_simply_not_supplied_is_not_a_data_error() {
    // No Reviews file: review timeliness says so itself; nothing is gated.
    let dir = tempfile::tempdir().unwrap();
    write_return(dir.path(), 10, 0, "");
    let r = run_on(dir.path(), &Config::default());
    assert!(matches!(
        status(&r, "review-timeliness"),
        Outcome::NotComputable(_)
    ));
    assert!(r.quality.unfit.is_empty(), "{:?}", r.quality.unfit);
    assert_eq!(r.verdict(), Verdict::Clean);
}

#[test]
fn a_count_far_from_the_dfe_s_is_flagged_without_showing_it() {
    // Authority 800 (BANES, about 220 children at 31 March) with 10 children.
    let dir = tempfile::tempdir().unwrap();
    write_return(dir.path(), 10, 0, "");
    fs::rename(dir.path().join("999"), dir.path().join("800")).unwrap();
    let r = run_on(dir.path(), &Config::default());
    let flag = r.quality.published_flag("800", 2025).expect("flagged");
    assert!(flag.note.starts_with("check the data: the DfE published "));
    assert_eq!(r.verdict(), Verdict::Warnings);
    let json = serde_json::to_string(&r.quality).unwrap();
    assert!(
        !json.contains("\"computed\""),
        "the count is not written: {json}"
    );
    // Within the share allowed: no flag.
    let config = Config::parse("[quality]\npublished_difference = 1.0\n").unwrap();
    let r = run_on(dir.path(), &config);
    assert!(r.quality.published.is_empty());
}
