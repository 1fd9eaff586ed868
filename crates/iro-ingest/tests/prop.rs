//! Property: for random rows, including garbage, loading never panics and every
//! row read is either used or excluded with a diagnostic.

mod common;

use std::fs;

use iro_domain::TableKind;
use iro_ingest::{InputSource, LoadOptions, load};
use proptest::prelude::*;

const HEADERS: [&str; 4] = [
    "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN",
    "CHILD,DOB,REVIEW,REVIEW_CODE",
    "CHILD,SEX,DOB,DUC",
];

fn field() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Plausible values, often valid.
        4 => prop::sample::select(vec![
            "C1", "C2", "C3", "007", "7", "7.0", "1.2E+05", "", " ", "S", "P", "L", "T", "X1",
            "E4A", "C2", "V2", "V3", "N1", "N9", "U4", "K3", "Z11", "PR1", "PN0", "PN1", "PN9",
            "M", "F", "1", "2", "U", "WBRI", "wbri", "UN1", "0", "BA1 1AA", "NOTAPC",
            "01/04/2024", "31/03/2025", "29/02/2024", "29/02/2023", "1/4/2024", "2024-04-01",
            "45383", "01/04/24", "31/02/2024", "10/05/2024", "01/06/2024", "01/07/2023",
            // Month-first (US) dates: unambiguous, ambiguous, the same either way.
            "04/13/2024", "12/25/2024", "06/07/2024", "07/07/2024", "4/30/2024",
            "\"quoted\"", "\"", "a\"b", "É", "\u{feff}",
        ]).prop_map(|s| s.as_bytes().to_vec()),
        // Anything at all.
        1 => prop::collection::vec(any::<u8>(), 0..12),
    ]
}

fn row() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => prop::collection::vec(field(), 0..16).prop_map(|fs| fs.join(&b","[..])),
        1 => prop::collection::vec(any::<u8>(), 0..60),
    ]
}

/// A table, its rows and its line ending (LF, CRLF, CR).
fn file() -> impl Strategy<Value = (usize, Vec<Vec<u8>>, u8)> {
    (
        0..HEADERS.len(),
        prop::collection::vec(row(), 0..25),
        0..3u8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn never_panics_and_accounts_for_every_row(
        years in prop::collection::vec(prop::collection::vec(file(), 0..5), 1..3),
        garbage in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (k, files) in years.iter().enumerate() {
            let ydir = dir.path().join("800").join(format!("{}", 2024 + k));
            fs::create_dir_all(&ydir).unwrap();
            for (n, (h, rows, ending)) in files.iter().enumerate() {
                let eol: &[u8] = [&b"\n"[..], b"\r\n", b"\r"][*ending as usize % 3];
                let mut text = HEADERS[*h].as_bytes().to_vec();
                for r in rows {
                    text.extend_from_slice(eol);
                    text.extend_from_slice(r);
                }
                fs::write(ydir.join(format!("f{n}.csv")), text).unwrap();
            }
            fs::write(ydir.join("garbage.csv"), &garbage).unwrap();
        }
        let loaded = load(&InputSource::Folder(dir.path().to_path_buf()), &LoadOptions::default());
        let loaded = loaded.expect("a folder with year folders always loads");
        common::check_invariants(&loaded);

        // Rows per file add up to the accounts.
        for a in &loaded.accounts {
            let from_files: u64 = loaded
                .files
                .iter()
                .filter(|f| f.la == a.la && f.year == a.year && f.table == Some(a.table))
                .map(|f| f.rows)
                .sum();
            prop_assert_eq!(from_files, a.rows_read);
        }
        // The cohort holds no more rows than were used.
        let used = |t: TableKind| -> u64 {
            loaded.accounts.iter().filter(|a| a.table == t).map(|a| a.rows_used).sum()
        };
        let c = &loaded.cohorts[0];
        prop_assert!(c.episodes().len() as u64 <= used(TableKind::Episodes));
        prop_assert!(c.reviews().len() as u64 <= used(TableKind::Reviews));
        for e in c.episodes() {
            prop_assert!(e.dec.is_none_or(|d| d >= e.decom));
        }
    }
}

/// A plausible cell: no quotes or line breaks, so that adding LA and YEAR
/// columns to a row cannot change how it splits into fields.
fn plain_field() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "C1",
        "C2",
        "007",
        "7",
        "",
        " ",
        "S",
        "P",
        "X1",
        "E4A",
        "V2",
        "V3",
        "N1",
        "U4",
        "K3",
        "PR1",
        "PN1",
        "M",
        "F",
        "1",
        "2",
        "WBRI",
        "BA1 1AA",
        "01/04/2024",
        "31/03/2025",
        "29/02/2024",
        "10/05/2024",
        "01/06/2024",
        "01/07/2023",
        "15/01/2025",
        "45383",
    ])
    .prop_map(str::to_string)
}

/// One table's rows, each with the authority and year it belongs to.
fn placed_rows() -> impl Strategy<Value = (usize, Vec<(Vec<String>, usize, usize)>)> {
    (0..HEADERS.len()).prop_flat_map(|h| {
        let width = HEADERS[h].split(',').count();
        (
            Just(h),
            prop::collection::vec(
                (
                    prop::collection::vec(plain_field(), width),
                    0..3usize,
                    0..2usize,
                ),
                0..30,
            ),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// One pooled file per table with LA and YEAR columns reads exactly as the
    /// same rows filed in `<la>/<year>` folders: the same row accounts, the
    /// same cohorts, and every row's line is its line in the pooled file.
    #[test]
    fn a_pooled_file_reads_as_its_authority_years(
        tables in prop::collection::vec(placed_rows(), 1..4),
        crlf in any::<bool>(),
    ) {
        // Without a single row there is no data at all (`NoData`).
        prop_assume!(tables.iter().any(|(_, rows)| !rows.is_empty()));
        const LAS: [&str; 3] = ["800", "801", "802"];
        const YEARS: [&str; 2] = ["2024", "2025"];
        let eol = if crlf { "\r\n" } else { "\n" };
        let folders = tempfile::tempdir().unwrap();
        let pooled = tempfile::tempdir().unwrap();
        for (n, (h, rows)) in tables.iter().enumerate() {
            let mut flat = format!("{},LA,YEAR{eol}", HEADERS[*h]);
            for (la, year) in LAS.iter().flat_map(|l| YEARS.iter().map(move |y| (l, y))) {
                let dir = folders.path().join(la).join(year);
                fs::create_dir_all(&dir).unwrap();
                let mut text = format!("{}{eol}", HEADERS[*h]);
                for (cells, l, y) in rows {
                    if LAS[*l] == *la && YEARS[*y] == *year {
                        text.push_str(&format!("{}{eol}", cells.join(",")));
                    }
                }
                fs::write(dir.join(format!("t{n}.csv")), text).unwrap();
            }
            for (cells, l, y) in rows {
                flat.push_str(&format!("{},{},{}{eol}", cells.join(","), LAS[*l], YEARS[*y]));
            }
            fs::write(pooled.path().join(format!("t{n}.csv")), flat).unwrap();
        }
        let opts = LoadOptions::default();
        let a = load(&InputSource::Folder(folders.path().to_path_buf()), &opts).unwrap();
        let b = load(&InputSource::Folder(pooled.path().to_path_buf()), &opts).unwrap();
        common::check_invariants(&b);
        let accounts = |l: &iro_ingest::Loaded| -> Vec<(String, i32, TableKind, u64, u64, u64)> {
            let mut v: Vec<_> = l
                .accounts
                .iter()
                .filter(|x| x.rows_read > 0)
                .map(|x| (x.la.to_string(), x.year.0, x.table, x.rows_read, x.rows_used, x.rows_excluded))
                .collect();
            v.sort();
            v
        };
        prop_assert_eq!(accounts(&a), accounts(&b));
        prop_assert!(b.unplaced.is_empty());
        for cb in &b.cohorts {
            let ca = a.cohort(cb.la()).expect("the same authorities");
            prop_assert_eq!(ca.episodes().len(), cb.episodes().len());
            prop_assert_eq!(ca.reviews().len(), cb.reviews().len());
            prop_assert_eq!(ca.children().len(), cb.children().len());
            // Each episode's line in the pooled file holds its DECOM.
            for e in cb.episodes() {
                let f = b.file(e.source).unwrap();
                let text = fs::read_to_string(&f.path).unwrap();
                let line = text.split(eol).nth(e.source.line as usize - 1).unwrap_or("");
                let decom = e.decom.format("%d/%m/%Y").to_string();
                prop_assert!(line.contains(&decom), "line {} of {}: {}", e.source.line, f.path.display(), line);
            }
        }
    }
}
