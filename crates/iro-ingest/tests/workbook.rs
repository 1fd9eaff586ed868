//! Workbooks: a sheet per table, typed cells read as what they mean, and
//! diagnostics at the sheet's own rows and columns. Each fixture is a
//! workbook built here with rust_xlsxwriter, as Excel saves one.

mod common;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use common::*;
use iro_domain::{CollectionYear, Severity, TableKind};
use iro_ingest::{FileStatus, InputSource, LoadOptions, Loaded, load, rules};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%d/%m/%Y").unwrap()
}

/// `root/800/2025/name`, the folder made.
fn year_dir(root: &Path) -> PathBuf {
    let dir = root.join("800").join("2025");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn load_dir(root: &Path) -> Loaded {
    let l = load(
        &InputSource::Folder(root.to_path_buf()),
        &LoadOptions::default(),
    )
    .unwrap();
    check_invariants(&l);
    l
}

fn date_cell(ws: &mut Worksheet, row: u32, col: u16, dmy: &str) {
    let fmt = Format::new().set_num_format("dd/mm/yyyy");
    let x = d(dmy);
    use chrono::Datelike;
    let dt = ExcelDateTime::from_ymd(x.year() as u16, x.month() as u8, x.day() as u8).unwrap();
    ws.write_datetime_with_format(row, col, &dt, &fmt).unwrap();
}

fn header_row(ws: &mut Worksheet, row: u32, first_col: u16, names: &[&str]) {
    for (i, n) in names.iter().enumerate() {
        ws.write_string(row, first_col + i as u16, *n).unwrap();
    }
}

const HEADER: &[&str] = &["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"];
const EPISODES: &[&str] = &[
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
];

/// A Header sheet of two children, CHILD stored as numbers and DOB as date
/// cells, as Excel holds them.
fn header_sheet(book: &mut Workbook) {
    let ws = book.add_worksheet().set_name("Header").unwrap();
    header_row(ws, 0, 0, HEADER);
    for (r, (child, dob)) in [(5_994_637.0, "14/02/2012"), (1001.0, "03/09/2015")]
        .iter()
        .enumerate()
    {
        let r = r as u32 + 1;
        ws.write_number(r, 0, *child).unwrap();
        ws.write_number(r, 1, 1.0).unwrap();
        date_cell(ws, r, 2, dob);
        ws.write_string(r, 3, "WBRI").unwrap();
        ws.write_string(r, 4, "A123456789012").unwrap();
    }
}

/// An Episodes sheet below a merged title row, starting at column B: the
/// header on row 3, data from row 4.
fn episodes_sheet(book: &mut Workbook, rows: &[(f64, &str, &str, &str)]) {
    let ws = book.add_worksheet().set_name("Episodes").unwrap();
    ws.merge_range(
        0,
        1,
        0,
        6,
        "Episodes 2024-25 (OFFICIAL-SENSITIVE)",
        &Format::new(),
    )
    .unwrap();
    header_row(ws, 2, 1, EPISODES);
    for (k, (child, decom, ls, post)) in rows.iter().enumerate() {
        let r = 3 + k as u32;
        ws.write_number(r, 1, *child).unwrap();
        if decom.contains('/') && decom.len() == 10 {
            date_cell(ws, r, 2, decom);
        } else {
            ws.write_string(r, 2, *decom).unwrap();
        }
        ws.write_string(r, 3, "S").unwrap();
        ws.write_string(r, 4, *ls).unwrap();
        ws.write_string(r, 5, "N1").unwrap();
        ws.write_string(r, 6, "U1").unwrap();
        ws.write_string(r, 7, "PR1").unwrap();
        ws.write_string(r, 11, *post).unwrap();
        ws.write_string(r, 12, "AB1 2").unwrap();
    }
}

#[test]
fn typed_cells_read_as_what_they_mean() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = year_dir(tmp.path());
    let mut book = Workbook::new();
    header_sheet(&mut book);
    episodes_sheet(
        &mut book,
        &[
            (5_994_637.0, "01/05/2024", "C2", "AB1 2"),
            (1001.0, "10/06/2024", "C2", "CD3 4"),
        ],
    );
    book.save(dir.join("return 2024-25.xlsx")).unwrap();
    let l = load_dir(tmp.path());

    let c = l.cohort(la("800")).unwrap();
    let ids: Vec<&str> = c.children().iter().map(|ch| &*ch.child_id).collect();
    assert_eq!(ids, vec!["1001", "5994637"], "{}", summary(&l));
    let child = c
        .iter_children()
        .find(|r| &*r.child.child_id == "5994637")
        .unwrap();
    assert_eq!(child.child.dob, Some(d("14/02/2012")));
    assert_eq!(child.episodes.len(), 1);
    assert_eq!(child.episodes[0].decom, d("01/05/2024"));
    // Rows are the sheet's rows: data on rows 4 and 5.
    assert_eq!(child.episodes[0].source.line, 4);
    assert_eq!(account(&l, "800", 2025, TableKind::Episodes), (2, 2, 0));
    assert_eq!(account(&l, "800", 2025, TableKind::Header), (2, 2, 0));
    // Two sheets of one workbook, each a file read.
    let read: Vec<_> = l
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Read)
        .map(|f| (f.within.as_deref().unwrap_or(""), f.table))
        .collect();
    assert_eq!(
        read,
        vec![
            ("Header", Some(TableKind::Header)),
            ("Episodes", Some(TableKind::Episodes))
        ]
    );
    // The title row is named, not silently passed over.
    let above = with_rule(&l, rules::WORKBOOK_ROWS_ABOVE_HEADER);
    assert_eq!(above.len(), 1, "{}", summary(&l));
    assert_eq!(above[0].within.as_deref(), Some("Episodes"));
    assert_eq!(above[0].line, Some(3));
    assert!(
        above[0].message.contains("row 1 above it"),
        "{}",
        above[0].message
    );
}

#[test]
fn a_diagnostic_names_the_sheet_row_and_column_excel_shows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = year_dir(tmp.path());
    let mut book = Workbook::new();
    header_sheet(&mut book);
    // LS `ZZ` on the second data row: row 5, and LS is column E (the table
    // starts at column B).
    episodes_sheet(
        &mut book,
        &[
            (5_994_637.0, "01/05/2024", "C2", "AB1 2"),
            (1001.0, "10/06/2024", "ZZ", "CD3 4"),
        ],
    );
    let path = dir.join("returns.xlsx");
    book.save(&path).unwrap();
    let l = load_dir(tmp.path());
    let bad: Vec<_> = l
        .diagnostics
        .iter()
        .filter(|d| d.field.as_deref() == Some("LS"))
        .collect();
    assert_eq!(bad.len(), 1, "{}", summary(&l));
    let b = bad[0];
    assert_eq!(b.file.as_deref(), Some(path.as_path()));
    assert_eq!(b.within.as_deref(), Some("Episodes"));
    assert_eq!((b.line, b.column), (Some(5), Some(5)));
    assert_eq!(b.table, Some(TableKind::Episodes));
}

#[test]
fn sheets_that_are_no_table_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = year_dir(tmp.path());
    let mut book = Workbook::new();
    let notes = book.add_worksheet().set_name("Notes").unwrap();
    notes
        .write_string(0, 0, "Extracted from the case system on 2 April")
        .unwrap();
    book.add_worksheet().set_name("Sheet3").unwrap();
    header_sheet(&mut book);
    let service = book.add_worksheet().set_name("IRO reviews").unwrap();
    header_row(
        service,
        0,
        0,
        &["CHILD", "REVIEW", "STATUS", "IRO_ID", "REVIEW_DUE"],
    );
    service.write_number(1, 0, 1001.0).unwrap();
    date_cell(service, 1, 1, "01/06/2024");
    service.write_string(1, 2, "HELD").unwrap();
    service.write_string(1, 3, "IRO7").unwrap();
    book.save(dir.join("return.xlsx")).unwrap();
    let l = load_dir(tmp.path());

    let unrec = with_rule(&l, rules::FILE_UNRECOGNISED);
    assert_eq!(unrec.len(), 1, "{}", summary(&l));
    assert_eq!(unrec[0].severity, Severity::Info);
    assert_eq!(unrec[0].within.as_deref(), Some("Notes"));
    let empty = with_rule(&l, rules::WORKBOOK_SHEET_EMPTY);
    assert_eq!(empty.len(), 1);
    assert!(empty[0].message.contains("`Sheet3`"));
    let service = with_rule(&l, rules::WORKBOOK_SERVICE_SHEET);
    assert_eq!(service.len(), 1, "{}", summary(&l));
    assert_eq!(service[0].within.as_deref(), Some("IRO reviews"));
    // The Header sheet is read whatever sits beside it.
    assert_eq!(account(&l, "800", 2025, TableKind::Header), (2, 2, 0));
}

#[test]
fn a_workbook_that_cannot_be_opened_is_a_file_diagnostic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = year_dir(tmp.path());
    std::fs::write(
        dir.join("episodes.xlsx"),
        b"PK\x03\x04 not really a workbook",
    )
    .unwrap();
    std::fs::write(dir.join("old.xls"), b"\xD0\xCF\x11\xE0 truncated").unwrap();
    let l = load_dir(tmp.path());
    let bad = with_rule(&l, rules::WORKBOOK_UNREADABLE);
    assert_eq!(bad.len(), 2, "{}", summary(&l));
    for b in bad {
        assert_eq!(b.severity, Severity::Error);
        assert!(b.message.contains("cannot be opened"), "{}", b.message);
        assert_eq!(b.year, Some(CollectionYear(2025)));
    }
}

/// The synthetic returns as CSV files and as workbooks (a sheet per table,
/// dates as date cells, CHILD as numbers) load to the same cohorts, row
/// accounts and diagnostics.
#[test]
fn workbooks_and_csvs_of_the_same_returns_load_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("csv");
    let xlsx = tmp.path().join("xlsx");
    let cfg = iro_testkit::Config::small(2, 120, 2023, 2025, 17);
    let data = iro_testkit::generate(&cfg);
    iro_testkit::write_dataset(&data, &csv).unwrap();
    iro_testkit::write_dataset(&data, &xlsx).unwrap();
    for la in std::fs::read_dir(&xlsx).unwrap().flatten() {
        for year in std::fs::read_dir(la.path()).unwrap().flatten() {
            let dir = year.path();
            iro_testkit::workbook::csv_folder_to_workbook(&dir, &dir.join("return.xlsx")).unwrap();
        }
    }
    let a = load_dir(&csv);
    let b = load_dir(&xlsx);
    assert!(
        b.files.iter().any(|f| f.within.is_some()),
        "no sheet was read"
    );
    assert_eq!(a.accounts, b.accounts);
    assert_eq!(a.service_accounts, b.service_accounts);
    // Where a diagnostic is, but the file (and sheet) it names.
    let key = |l: &Loaded| {
        let mut v: Vec<String> = l
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {}",
                    d.rule, d.la, d.year, d.table, d.line, d.column, d.field, d.value, d.message
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&a), key(&b));
    assert_eq!(a.cohorts.len(), b.cohorts.len());
    // Records as they were read, but for the file number of their source.
    let records = |l: &Loaded| -> Vec<String> {
        l.cohorts
            .iter()
            .flat_map(|c| {
                c.iter_children()
                    .map(|r| without_file_numbers(&format!("{r:?}")))
            })
            .collect()
    };
    let (ra, rb) = (records(&a), records(&b));
    assert!(ra.len() > 100, "{}", ra.len());
    assert_eq!(ra.len(), rb.len());
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(x, y);
    }
}

/// `file: 12` → `file: _` (a file's number is its place in the sorted
/// list of files, which differs between the two inputs).
fn without_file_numbers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("file: ") {
        out.push_str(&rest[..i + 6]);
        rest = rest[i + 6..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('_');
    }
    out.push_str(rest);
    out
}
