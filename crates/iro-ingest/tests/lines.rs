//! Row numbers as a person sees them: a diagnostic's line is the physical
//! line of its row (the header is line 1), whatever the line endings (LF,
//! CRLF, old-Mac CR), after blank lines and after quoted fields holding line
//! breaks; in the SSDA903 tables (both readers: files with and without
//! quotes) and in the IRO service's record files.

mod common;

use std::fs;
use std::path::Path;

use iro_ingest::{InputSource, LoadOptions, Loaded, load, rules};
use proptest::prelude::*;

const EPISODES: &str = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN,NOTES";

/// One data row, its CIN an unknown code (`Z7`) so that it has exactly one
/// diagnostic, at its line, in column E (5).
fn row(k: usize, notes: &str) -> String {
    format!(
        "C{k:03},01/0{}/2024,S,C2,Z7,U1,PR1,,,,,,,{notes}",
        1 + k % 9
    )
}

fn load_dir(dir: &Path) -> Loaded {
    let loaded = load(
        &InputSource::Folder(dir.to_path_buf()),
        &LoadOptions::default(),
    )
    .expect("loads");
    common::check_invariants(&loaded);
    loaded
}

/// The lines of the `code.unknown` diagnostics, in order.
fn flagged_lines(l: &Loaded) -> Vec<u64> {
    let mut v: Vec<u64> = l
        .diagnostics
        .iter()
        .filter(|d| d.rule == rules::CODE_UNKNOWN)
        .map(|d| {
            assert_eq!(d.column, Some(5), "{d:?}");
            assert_eq!(d.column_letter().as_deref(), Some("E"));
            d.line.unwrap_or(0)
        })
        .collect();
    v.sort_unstable();
    v
}

/// A row: blank lines before it, and a note that may hold line breaks.
#[derive(Debug, Clone)]
struct Spec {
    blank_before: usize,
    /// Line breaks inside the quoted note (0: no quotes at all).
    breaks_in_note: usize,
    quoted: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (0..3usize, 0..3usize, any::<bool>()).prop_map(|(blank_before, breaks_in_note, quoted)| Spec {
        blank_before,
        breaks_in_note: if quoted { breaks_in_note } else { 0 },
        quoted,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// The same table written with each line ending: every row's
    /// diagnostic is at the line counted while writing the file.
    #[test]
    fn lines_agree_with_a_count_made_while_writing(
        rows in prop::collection::vec(spec(), 1..12),
        eol in 0..3usize,
        trailing in any::<bool>(),
    ) {
        let eol = ["\n", "\r\n", "\r"][eol];
        let mut text = String::from(EPISODES);
        let mut line = 1u64;
        let mut expected = Vec::new();
        for (k, r) in rows.iter().enumerate() {
            for _ in 0..r.blank_before {
                text.push_str(eol);
                line += 1;
            }
            text.push_str(eol);
            line += 1;
            expected.push(line);
            let note = if r.quoted {
                let parts: Vec<String> = (0..=r.breaks_in_note).map(|i| format!("part {i}")).collect();
                format!("\"{}\"", parts.join(eol))
            } else {
                "plain".to_string()
            };
            line += r.breaks_in_note as u64;
            text.push_str(&row(k, &note));
        }
        if trailing {
            text.push_str(eol);
        }
        let dir = tempfile::tempdir().unwrap();
        let year = dir.path().join("800").join("2025");
        fs::create_dir_all(&year).unwrap();
        fs::write(year.join("episodes.csv"), &text).unwrap();
        let l = load_dir(dir.path());
        prop_assert_eq!(flagged_lines(&l), expected, "{:?}", text);
        // Every row was read: no quote was taken as left open.
        prop_assert!(l.diagnostics.iter().all(|d| d.rule != rules::ROW_MALFORMED_QUOTE));
    }
}

#[test]
fn crlf_and_cr_give_the_lines_of_lf() {
    for eol in ["\n", "\r\n", "\r"] {
        let text = [EPISODES, &row(1, ""), "", &row(2, "x"), &row(3, "")].join(eol);
        let dir = tempfile::tempdir().unwrap();
        let year = dir.path().join("800").join("2025");
        fs::create_dir_all(&year).unwrap();
        fs::write(year.join("episodes.csv"), text).unwrap();
        let l = load_dir(dir.path());
        assert_eq!(flagged_lines(&l), vec![2, 4, 5], "{eol:?}");
        let d = l
            .diagnostics
            .iter()
            .find(|d| d.rule == rules::CODE_UNKNOWN)
            .unwrap();
        assert!(d.location().ends_with("episodes.csv:2, column E"), "{d:?}");
    }
}

#[test]
fn a_line_break_in_a_table_column_is_still_a_bad_row() {
    // The break is inside CIN, a column the table reads: the row is
    // excluded as before, and the next row keeps its true line.
    let text = format!(
        "{EPISODES}\r\nC001,01/04/2024,S,C2,\"N1\r\nN2\",U1,PR1,,,,,,,\r\n{}\r\n",
        row(2, "")
    );
    let dir = tempfile::tempdir().unwrap();
    let year = dir.path().join("800").join("2025");
    fs::create_dir_all(&year).unwrap();
    fs::write(year.join("episodes.csv"), text).unwrap();
    let l = load_dir(dir.path());
    common::assert_at(&l, rules::ROW_MALFORMED_QUOTE, "episodes.csv", 2, None);
    assert_eq!(flagged_lines(&l), vec![4]);
}

/// The IRO service's reviews file of the service fixture, rewritten with
/// other line endings and a blank line: its diagnostics keep their lines.
#[test]
fn service_records_count_lines_the_same_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/service/800/2025");
    let run = |eol: &str| -> Vec<(String, Option<u64>, Option<u32>)> {
        let dir = tempfile::tempdir().unwrap();
        let year = dir.path().join("800").join("2025");
        fs::create_dir_all(&year).unwrap();
        for f in fs::read_dir(&src).unwrap() {
            let f = f.unwrap();
            let text = fs::read_to_string(f.path()).unwrap();
            let text = if f.file_name() == "iro_reviews.csv" {
                // A blank line after the header, then the rows.
                let mut lines: Vec<&str> = text.lines().collect();
                lines.insert(1, "");
                lines.join(eol)
            } else {
                text
            };
            fs::write(year.join(f.file_name()), text).unwrap();
        }
        let l = load(
            &InputSource::Folder(dir.path().to_path_buf()),
            &LoadOptions::default(),
        )
        .unwrap();
        l.diagnostics
            .iter()
            .filter(|d| {
                d.file
                    .as_ref()
                    .is_some_and(|f| f.ends_with("iro_reviews.csv"))
                    && d.line.is_some_and(|l| l > 1)
            })
            .map(|d| (d.rule.clone(), d.line, d.column))
            .collect()
    };
    let lf = run("\n");
    assert!(!lf.is_empty());
    assert_eq!(run("\r\n"), lf);
    assert_eq!(run("\r"), lf);
}
