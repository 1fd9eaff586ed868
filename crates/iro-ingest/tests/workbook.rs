//! Workbooks: a sheet per table, typed cells read as what they mean, and
//! diagnostics at the sheet's own rows and columns. Each fixture is a
//! workbook built with rust_xlsxwriter, as Excel saves one (`common::workbook`).

mod common;

use chrono::NaiveDate;
use common::workbook::*;
use common::*;
use iro_domain::{CollectionYear, ServiceTable, Severity, TableKind};
use iro_ingest::{FileStatus, Loaded, rules};
use rust_xlsxwriter::Workbook;

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
    // The IRO-service records on a sheet are read as their CSV file is.
    let service: Vec<_> = l
        .files
        .iter()
        .filter(|f| f.within.as_deref() == Some("IRO reviews"))
        .map(|f| (f.status.clone(), f.rows))
        .collect();
    assert_eq!(
        service,
        vec![(FileStatus::ServiceRecords(ServiceTable::IroReviews), 1)],
        "{}",
        summary(&l)
    );
    let a = &l.service_accounts;
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!((a[0].table, a[0].rows_read), (ServiceTable::IroReviews, 1));
    assert_eq!(a[0].rows_read, a[0].rows_used + a[0].rows_excluded);
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
    std::fs::write(
        dir.join("header.xlsx"),
        "CHILD,SEX,DOB\r\n1001,1,03/09/2015\r\n",
    )
    .unwrap();
    let l = load_dir(tmp.path());
    let mut bad = with_rule(&l, rules::WORKBOOK_UNREADABLE);
    assert_eq!(bad.len(), 3, "{}", summary(&l));
    // A CSV given a workbook's name is told apart.
    let text = bad.remove(1);
    assert!(text.file.as_ref().unwrap().ends_with("header.xlsx"));
    assert!(text.message.contains("rename it .csv"), "{}", text.message);
    for b in bad {
        assert_eq!(b.severity, Severity::Error);
        assert!(b.message.contains("cannot be opened"), "{}", b.message);
        assert_eq!(b.year, Some(CollectionYear(2025)));
    }
}

/// Each workbook rule, once, at the sheet, row and column it is about.
#[test]
fn every_workbook_rule_names_its_sheet_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    every_rule(tmp.path());
    let l = load_dir(tmp.path());
    let at = |rule: &str| -> (Severity, Option<&str>, Option<u64>, Option<u32>) {
        let hits = with_rule(&l, rule);
        assert_eq!(hits.len(), 1, "{rule}: {}", summary(&l));
        let d = hits[0];
        (d.severity, d.within.as_deref(), d.line, d.column)
    };
    assert_eq!(
        at(rules::WORKBOOK_SHEET_EMPTY),
        (Severity::Info, Some("Cover"), None, None)
    );
    assert_eq!(
        at(rules::WORKBOOK_ROWS_ABOVE_HEADER),
        (Severity::Info, Some("Episodes"), Some(2), None)
    );
    assert_eq!(
        at(rules::CELL_CHILD_NOT_WHOLE),
        (Severity::Error, Some("Episodes"), Some(3), Some(1))
    );
    assert_eq!(
        at(rules::CELL_FORMULA_ERROR),
        (Severity::Warning, Some("Episodes"), Some(4), Some(11))
    );
    assert!(
        with_rule(&l, rules::CELL_FORMULA_ERROR)[0]
            .message
            .contains("HOME_POST holds the formula error #N/A in 2 cell(s) (first at row 4)")
    );
    assert_eq!(
        at(rules::CELL_DATES_MONTH_FIRST),
        (Severity::Warning, Some("Reviews"), Some(2), Some(3))
    );
    let reviews: Vec<(String, NaiveDate)> = l
        .cohort(la("800"))
        .unwrap()
        .iter_children()
        .flat_map(|r| {
            let id = r.child.child_id.to_string();
            r.reviews.iter().map(move |v| (id.clone(), v.review))
        })
        .collect();
    assert_eq!(
        reviews,
        vec![
            ("1001".to_string(), d("06/05/2024")),
            ("5994637".to_string(), d("25/06/2024"))
        ]
    );
    let broken = with_rule(&l, rules::WORKBOOK_UNREADABLE);
    assert_eq!(broken.len(), 1);
    assert!(broken[0].file.as_ref().unwrap().ends_with("broken.xlsx"));
    // The fractional CHILD's row is excluded and counted; the rows whose
    // postcode was an error are read, the postcode blank.
    assert_eq!(account(&l, "800", 2025, TableKind::Episodes), (3, 2, 1));
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
    let (a, b) = (load_dir(&csv), load_dir(&xlsx));
    assert!(records(&a).len() > 100, "{}", records(&a).len());
    assert_loads_the_same(&a, &b);
}

/// A DoLo sheet is read as the DoLo table: the DoLo fixture (2026-27 and
/// 2027-28 returns, with every DoLo rule broken) as workbooks loads as its
/// CSVs do.
#[test]
fn a_dolo_sheet_loads_as_its_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let xlsx = tmp.path().join("dolo");
    for year in ["2027", "2028"] {
        let dir = xlsx.join("800").join(year);
        std::fs::create_dir_all(&dir).unwrap();
        for f in std::fs::read_dir(fixtures().join("dolo/800").join(year)).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
        }
        iro_testkit::workbook::csv_folder_to_workbook(&dir, &dir.join("return.xlsx")).unwrap();
        assert!(!dir.join("dolo.csv").exists());
    }
    let a = load_case("dolo");
    let b = load_dir(&xlsx);
    let sheets: Vec<_> = b
        .files
        .iter()
        .filter(|f| f.table == Some(TableKind::DoLo))
        .map(|f| (f.status.clone(), f.within.as_deref()))
        .collect();
    assert_eq!(
        sheets,
        vec![
            (FileStatus::Read, Some("DoLo")),
            (FileStatus::Read, Some("DoLo"))
        ]
    );
    // Its checks run on the sheets as on the files.
    assert_eq!(with_rule(&b, rules::DOLO_END_BEFORE_START).len(), 1);
    assert_loads_the_same(&a, &b);
}

/// Records as they were read, but for the file number of their source.
fn records(l: &Loaded) -> Vec<String> {
    l.cohorts
        .iter()
        .flat_map(|c| {
            c.iter_children()
                .map(|r| without_file_numbers(&format!("{r:?}")))
        })
        .collect()
}

/// The same row accounts, diagnostics (but for the file and sheet they
/// name) and records.
#[track_caller]
fn assert_loads_the_same(a: &Loaded, b: &Loaded) {
    assert!(
        b.files.iter().any(|f| f.within.is_some()),
        "no sheet was read"
    );
    assert_eq!(a.accounts, b.accounts);
    assert_eq!(a.service_accounts, b.service_accounts);
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
    assert_eq!(key(a), key(b));
    // A diagnostic at a row of a workbook names its sheet, whichever check
    // made it (the service records' cross-checks too).
    for d in &b.diagnostics {
        if d.line.is_some() && d.file.as_ref().is_some_and(|f| f.ends_with("return.xlsx")) {
            assert!(d.within.is_some(), "{d:?}");
        }
    }
    assert_eq!(a.cohorts.len(), b.cohorts.len());
    let (ra, rb) = (records(a), records(b));
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
