//! Workbook fixtures, built with rust_xlsxwriter as Excel saves one: the
//! sheets the workbook tests read, and [`every_rule`], the workbook that
//! gives each `workbook.*` and `cell.*` rule (for `every_rule_is_exercised`).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use iro_ingest::{InputSource, LoadOptions, Loaded, load};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};

use super::check_invariants;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%d/%m/%Y").unwrap()
}

/// `root/800/2025/name`, the folder made.
pub fn year_dir(root: &Path) -> PathBuf {
    let dir = root.join("800").join("2025");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn load_dir(root: &Path) -> Loaded {
    let l = load(
        &InputSource::Folder(root.to_path_buf()),
        &LoadOptions::default(),
    )
    .unwrap();
    check_invariants(&l);
    l
}

pub fn date_cell(ws: &mut Worksheet, row: u32, col: u16, dmy: &str) {
    let fmt = Format::new().set_num_format("dd/mm/yyyy");
    let x = d(dmy);
    use chrono::Datelike;
    let dt = ExcelDateTime::from_ymd(x.year() as u16, x.month() as u8, x.day() as u8).unwrap();
    ws.write_datetime_with_format(row, col, &dt, &fmt).unwrap();
}

pub fn header_row(ws: &mut Worksheet, row: u32, first_col: u16, names: &[&str]) {
    for (i, n) in names.iter().enumerate() {
        ws.write_string(row, first_col + i as u16, *n).unwrap();
    }
}

pub const HEADER: &[&str] = &["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"];
pub const EPISODES: &[&str] = &[
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
pub fn header_sheet(book: &mut Workbook) {
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
pub fn episodes_sheet(book: &mut Workbook, rows: &[(f64, &str, &str, &str)]) {
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

/// `root/800/2025/`: a workbook giving every workbook rule once (an empty
/// sheet, a title row above a header, a CHILD with a fraction on row 3, a formula error in HOME_POST (column K)
/// on rows 4 and 5, a Reviews sheet whose REVIEW a spreadsheet read
/// month-first) and `broken.xlsx`, which cannot be opened.
/// Returns the year folder.
pub fn every_rule(root: &Path) -> PathBuf {
    let dir = year_dir(root);
    let mut book = Workbook::new();
    book.add_worksheet().set_name("Cover").unwrap();
    header_sheet(&mut book);
    let ws = book.add_worksheet().set_name("Episodes").unwrap();
    ws.write_string(0, 0, "Episodes 2024-25").unwrap();
    header_row(ws, 1, 0, EPISODES);
    for (r, child) in [(2, 1001.5), (3, 1001.0), (4, 5_994_637.0)] {
        ws.write_number(r, 0, child).unwrap();
        date_cell(ws, r, 1, "01/05/2024");
        for (c, v) in [(2, "S"), (3, "C2"), (4, "N1"), (5, "U1"), (6, "PR1")] {
            ws.write_string(r, c, v).unwrap();
        }
        if r > 2 {
            // HOME_POST looked up by a formula that found nothing.
            ws.write_formula(r, 10, Formula::new("=NA()").set_result("#N/A"))
                .unwrap();
        }
    }
    // A Reviews sheet as a spreadsheet set to US dates makes it of
    // DD/MM/YYYY text: "06/05/2024" became the date cell 5 June (row 2);
    // "25/06/2024" stayed text (row 3).
    let ws = book.add_worksheet().set_name("Reviews").unwrap();
    header_row(ws, 0, 0, &["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]);
    for (r, child, dob) in [(1, 1001.0, "03/09/2015"), (2, 5_994_637.0, "14/02/2012")] {
        ws.write_number(r, 0, child).unwrap();
        ws.write_string(r, 1, dob).unwrap();
        ws.write_string(r, 3, "PN1").unwrap();
    }
    date_cell(ws, 1, 2, "05/06/2024");
    ws.write_string(2, 2, "25/06/2024").unwrap();
    book.save(dir.join("return.xlsx")).unwrap();
    std::fs::write(dir.join("broken.xlsx"), b"PK\x03\x04 not a workbook").unwrap();
    dir
}
