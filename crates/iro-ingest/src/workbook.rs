//! Workbooks: Excel (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`) and OpenDocument
//! (`.ods`) files holding a table per sheet, read with calamine (pure Rust).
//!
//! A workbook found in a year folder (or listed in the manifest) is opened
//! before anything is read, and each sheet with anything in it becomes one
//! file to read: a [`Part`] whose bytes are the sheet's rows as CSV text, the
//! text an analyst's "Save as CSV" would give, so that every check, figure
//! and row account is the CSV path's own. What a cell's type means is kept:
//!
//! * a **date cell** (a serial number with a date format) is its calendar
//!   date, `DD/MM/YYYY` (with the time of day when it has one); the 1904 date
//!   system is followed;
//! * a **whole number** is its integer text (a CHILD stored as a number reads
//!   `5994637`, never `5994637.0`); another number its shortest decimal text;
//! * a **fractional number in CHILD** cannot be an identifier: the cell is
//!   read as blank and the row excluded (`cell.child_not_whole`);
//! * a **formula error** (`#N/A`, `#REF!`…) is read as blank, reported once
//!   per column with the count (`cell.formula_error`);
//! * text is as written, a line break inside a cell read as a space;
//! * a column of **date cells beside dates kept as text**, where every text
//!   date has a day above 12 and every date cell a day of 12 or under, was
//!   made by a spreadsheet reading `DD/MM/YYYY` month-first (US dates): the
//!   date cells are read with day and month swapped back, once reported per
//!   column (`cell.dates_month_first`).
//!
//! The **header row** is found as a CSV's is, by its column names, among the
//! first [`HEADER_SEARCH_ROWS`] rows with anything in them: title rows above
//! it (merged or not) are skipped and named (`workbook.rows_above_header`).
//! Every line of the CSV text is the sheet's row of the same number, and
//! every field the sheet's column of the same position (a table starting at
//! column B has an empty column A), so a diagnostic's line and column are
//! the row number and column letter Excel shows; its `within` is the sheet.
//!
//! A sheet with nothing in it is named (`workbook.sheet_empty`); a sheet that
//! matches no table is `file.unrecognised` as an unrecognised CSV is; a
//! sheet of IRO-service records is read as their CSV file is
//! ([`sheet_csv`]); a workbook that cannot be opened (damaged, password-protected, not a
//! workbook) is `workbook.unreadable`.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use calamine::{Data, Reader, SheetType, Sheets};
use iro_domain::{Diagnostic, Severity, TableKind};
use rayon::prelude::*;

use crate::header::{HeaderMatch, detect_normalised, has_columns, map_columns, normalise_header};
use crate::options::LoadOptions;
use crate::rules;
use crate::source::{Discovery, FileTask};
use crate::split::Part;

/// The file extensions read as workbooks (compared ignoring case).
pub const WORKBOOK_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// How many rows with anything in them are looked at for the header row.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Whether `path` is read as a workbook (by its extension).
pub(crate) fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        WORKBOOK_EXTENSIONS
            .iter()
            .any(|w| e.eq_ignore_ascii_case(w))
    })
}

/// Opens every workbook found (in parallel) and puts a file to read per
/// sheet in their place.
pub(crate) fn open_all(disc: &mut Discovery, opts: &LoadOptions) {
    let books = std::mem::take(&mut disc.workbooks);
    if books.is_empty() {
        return;
    }
    let opened: Vec<Opened> = books.par_iter().map(|t| open(t, opts)).collect();
    for o in opened {
        disc.files.extend(o.tasks);
        disc.diagnostics.extend(o.diagnostics);
    }
    // Stable: a workbook's sheets stay in the workbook's order.
    disc.files
        .sort_by(|a, b| (a.la, a.year, &a.path).cmp(&(b.la, b.year, &b.path)));
}

/// A workbook's sheets, as files to read, and what was found opening it.
#[derive(Debug, Default)]
struct Opened {
    tasks: Vec<FileTask>,
    diagnostics: Vec<Diagnostic>,
}

fn diag(task: &FileTask, sev: Severity, rule: &str, msg: String) -> Diagnostic {
    let mut d = Diagnostic::new(sev, rule, msg);
    d.la = Some(task.la);
    d.year = Some(task.year);
    d.file = Some(task.path.clone());
    d
}

/// Whether a file named as a workbook holds text instead (every workbook
/// format is a zip or a compound file, both binary from their first bytes).
fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    !head.is_empty()
        && std::str::from_utf8(head).is_ok_and(|t| {
            t.chars()
                .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        })
}

/// Why a workbook cannot be opened, in words.
fn open_error(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    if text.to_ascii_lowercase().contains("password") {
        "the workbook is password-protected; save a copy without a password (File > Info > Protect Workbook) to read it".to_string()
    } else {
        format!("the workbook cannot be opened ({text}); is it damaged, or not a workbook?")
    }
}

fn open_book(path: &Path, bytes: Vec<u8>) -> Result<Sheets<Cursor<Vec<u8>>>, String> {
    use calamine::{Ods, Xls, Xlsb, Xlsx, open_workbook_from_rs};
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let rs = Cursor::new(bytes);
    match ext.as_str() {
        "xlsx" | "xlsm" => open_workbook_from_rs::<Xlsx<_>, _>(rs)
            .map(Sheets::Xlsx)
            .map_err(|e| open_error(&e)),
        "xls" => open_workbook_from_rs::<Xls<_>, _>(rs)
            .map(Sheets::Xls)
            .map_err(|e| open_error(&e)),
        "xlsb" => open_workbook_from_rs::<Xlsb<_>, _>(rs)
            .map(Sheets::Xlsb)
            .map_err(|e| open_error(&e)),
        _ => open_workbook_from_rs::<Ods<_>, _>(rs)
            .map(Sheets::Ods)
            .map_err(|e| open_error(&e)),
    }
}

fn open(task: &FileTask, opts: &LoadOptions) -> Opened {
    let mut out = Opened::default();
    let bytes = match std::fs::read(&task.path) {
        Ok(b) => b,
        Err(e) => {
            let msg = match e.kind() {
                std::io::ErrorKind::NotFound => "file not found".to_string(),
                _ => format!("cannot read the file: {e}"),
            };
            out.diagnostics
                .push(diag(task, Severity::Error, rules::FILE_UNREADABLE, msg));
            return out;
        }
    };
    let file_sha256 = opts
        .hash_files
        .then(|| crate::read::encoding::sha256_hex(&bytes));
    if looks_like_text(&bytes) {
        out.diagnostics.push(diag(
            task,
            Severity::Error,
            rules::WORKBOOK_UNREADABLE,
            "the file is text (a CSV saved with a workbook's name?), not a workbook: rename it .csv to have it read".into(),
        ));
        return out;
    }
    // calamine is not known to panic on a damaged file, but a workbook is
    // untrusted input: a panic would stop every authority's ingest.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_sheets(&task.path, bytes)
    }));
    let sheets = match read {
        Ok(Ok(s)) => s,
        Ok(Err(msg)) => {
            out.diagnostics
                .push(diag(task, Severity::Error, rules::WORKBOOK_UNREADABLE, msg));
            return out;
        }
        Err(_) => {
            out.diagnostics.push(diag(
                task,
                Severity::Error,
                rules::WORKBOOK_UNREADABLE,
                "the workbook could not be read (the reader failed on it); is it damaged?".into(),
            ));
            return out;
        }
    };
    for s in sheets {
        let at = |sev, rule: &str, msg: String| {
            let mut d = diag(task, sev, rule, msg);
            d.within = Some(s.name.clone());
            d
        };
        let Ok(range) = s.range else {
            let why = s.range.err().unwrap_or_default();
            out.diagnostics.push(at(
                Severity::Error,
                rules::WORKBOOK_UNREADABLE,
                format!("sheet `{}` cannot be read ({why}); skipped", s.name),
            ));
            continue;
        };
        let grid = Grid::of(&range);
        if grid.is_empty() {
            out.diagnostics.push(at(
                Severity::Info,
                rules::WORKBOOK_SHEET_EMPTY,
                format!("sheet `{}` is empty; nothing read from it", s.name),
            ));
            continue;
        }
        let sheet = to_csv(&grid, task.declared, opts);
        if let Some((first, last)) = sheet.above_header {
            let rows = if first == last {
                format!("row {first}")
            } else {
                format!("rows {first}–{last}")
            };
            let mut d = at(
                Severity::Info,
                rules::WORKBOOK_ROWS_ABOVE_HEADER,
                format!(
                    "the header row of sheet `{}` is row {}; {rows} above it (a title?) not read",
                    s.name, sheet.header_row
                ),
            );
            d.line = Some(u64::from(sheet.header_row));
            d.table = sheet.table;
            out.diagnostics.push(d);
        }
        for p in &sheet.problems {
            let mut d = at(p.severity, p.rule, p.message.clone());
            d.line = Some(u64::from(p.row));
            d.column = Some(p.column);
            d.field = p.field.clone();
            d.value = p.value.clone();
            d.table = sheet.table;
            out.diagnostics.push(d);
        }
        let mut t = task.clone();
        t.part = Some(Arc::new(Part {
            bytes: sheet.bytes,
            lines: sheet.lines,
            file_sha256: file_sha256.clone(),
            sheet: Some(s.name.clone()),
            xml: None,
        }));
        out.tasks.push(t);
    }
    out
}

/// One sheet of the workbook `path` as the CSV text [`open`] made of it:
/// for the IRO-service reader, which reads its files once the authority's
/// cohort is known. What the cells' types showed was reported by [`open`].
///
/// The service reader asks for a workbook's sheets one after another on
/// one thread, so the last workbook opened on the thread is kept (its bytes
/// with its sheets, and used again only for the same path and the same
/// bytes): a return with every service table in one workbook is opened
/// once, not once a sheet.
pub(crate) fn sheet_csv(path: &Path, sheet: &str) -> Result<Vec<u8>, String> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<OpenedBook>> =
            const { std::cell::RefCell::new(None) };
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    LAST.with_borrow_mut(|last| {
        let fresh = last
            .as_ref()
            .is_none_or(|b| b.path != path || b.bytes != bytes);
        if fresh {
            let sheets = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                read_sheets(path, bytes.clone())
            }))
            .map_err(|_| "the reader failed on it".to_string())
            .and_then(|r| r);
            *last = Some(OpenedBook {
                path: path.to_path_buf(),
                bytes,
                sheets,
            });
        }
        let book = last.as_ref().expect("just filled");
        let sheets = book.sheets.as_ref().map_err(String::clone)?;
        let range = sheets
            .iter()
            .find(|s| s.name == sheet)
            .ok_or_else(|| format!("no sheet `{sheet}`"))?
            .range
            .as_ref()
            .map_err(String::clone)?;
        Ok(to_csv(&Grid::of(range), None, &LoadOptions::default()).bytes)
    })
}

/// A workbook read by [`sheet_csv`]: its path and bytes, and its sheets.
struct OpenedBook {
    path: std::path::PathBuf,
    bytes: Vec<u8>,
    sheets: Result<Vec<SheetRange>, String>,
}

/// One sheet as calamine gives it.
struct SheetRange {
    name: String,
    range: Result<calamine::Range<Data>, String>,
}

fn read_sheets(path: &Path, bytes: Vec<u8>) -> Result<Vec<SheetRange>, String> {
    let mut book = open_book(path, bytes)?;
    let sheets: Vec<_> = book.sheets_metadata().to_vec();
    Ok(sheets
        .into_iter()
        // Chart and dialog sheets hold no cells.
        .filter(|s| matches!(s.typ, SheetType::WorkSheet))
        .map(|s| {
            let range = book.worksheet_range(&s.name).map_err(|e| e.to_string());
            SheetRange {
                name: s.name,
                range,
            }
        })
        .collect())
}

/// A cell as text, and what its type says beyond the text.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    /// A date cell: its text, and the text with day and month swapped
    /// (when both are 12 or under; see [`month_first_columns`]).
    Date {
        text: String,
        swapped: Option<String>,
    },
    /// A number that is not whole (its text).
    Fraction(String),
    /// A formula error (`#N/A`…), read as blank.
    FormulaError(String),
}

impl Cell {
    fn text(&self) -> &str {
        match self {
            Cell::Text(s) | Cell::Fraction(s) | Cell::Date { text: s, .. } => s,
            Cell::FormulaError(_) => "",
        }
    }
}

/// Numbers of whole days and times written as text.
fn number_text(f: f64) -> Cell {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        Cell::Text(format!("{}", f as i64))
    } else {
        Cell::Fraction(format!("{f}"))
    }
}

fn date_text(y: u16, m: u8, d: u8, h: u8, mi: u8, s: u8) -> String {
    if (h, mi, s) == (0, 0, 0) {
        format!("{d:02}/{m:02}/{y:04}")
    } else {
        format!("{d:02}/{m:02}/{y:04} {h:02}:{mi:02}:{s:02}")
    }
}

/// A date cell of `y-m-d` (and time of day).
fn date_cell(y: u16, m: u8, d: u8, h: u8, mi: u8, s: u8) -> Cell {
    Cell::Date {
        text: date_text(y, m, d, h, mi, s),
        swapped: (d <= 12 && m <= 12).then(|| date_text(y, d, m, h, mi, s)),
    }
}

/// A text of the form `NN/NN/YYYY` (a date written as text): its first
/// and second numbers.
fn text_date_parts(s: &str) -> Option<(u8, u8)> {
    let b = s.trim().as_bytes();
    if b.len() != 10 || b[2] != b'/' || b[5] != b'/' || !b[6..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |x: &[u8]| -> Option<u8> {
        x.iter()
            .all(u8::is_ascii_digit)
            .then(|| (x[0] - b'0') * 10 + (x[1] - b'0'))
    };
    Some((n(&b[0..2])?, n(&b[3..5])?))
}

/// A column a spreadsheet read month-first: its date cells, its text dates
/// and the first row of each.
#[derive(Debug, Clone, Copy, PartialEq)]
struct MonthFirst {
    cells: u64,
    texts: u64,
    first_cell: u32,
    first_text: u32,
}

/// The columns (below the header row) whose date cells were made by reading
/// `DD/MM/YYYY` text month-first: date cells and text dates side by side,
/// every text date with a first number above 12 (no month, so left as
/// text), every date cell with a day of 12 or under (as a swapped reading
/// gives). A column of date cells alone, or of text alone, says nothing.
fn month_first_columns(grid: &Grid, header: usize) -> Vec<Option<MonthFirst>> {
    (0..grid.width)
        .map(|c| {
            let mut m = MonthFirst {
                cells: 0,
                texts: 0,
                first_cell: 0,
                first_text: 0,
            };
            for r in header + 1..grid.rows.len() {
                let row_no = r as u32 + 1;
                match grid.rows[r].get(c) {
                    Some(Cell::Date { swapped, .. }) => {
                        swapped.as_ref()?;
                        m.cells += 1;
                        if m.first_cell == 0 {
                            m.first_cell = row_no;
                        }
                    }
                    Some(Cell::Text(t)) => match text_date_parts(t) {
                        Some((first, second)) if first > 12 && second <= 12 => {
                            m.texts += 1;
                            if m.first_text == 0 {
                                m.first_text = row_no;
                            }
                        }
                        // A text date the spreadsheet could have read.
                        Some(_) => return None,
                        None => {}
                    },
                    _ => {}
                }
            }
            (m.cells > 0 && m.texts > 0).then_some(m)
        })
        .collect()
}

/// An ISO 8601 date or date-time (as OpenDocument stores dates): year,
/// month, day, hour, minute, second.
fn iso_parts(iso: &str) -> Option<(u16, u8, u8, u8, u8, u8)> {
    let (date, time) = match iso.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (iso, None),
    };
    let mut p = date.split('-');
    let y: u16 = p.next()?.parse().ok()?;
    let m: u8 = p.next()?.parse().ok()?;
    let d: u8 = p.next()?.parse().ok()?;
    if p.next().is_some() || date.len() != 10 {
        return None;
    }
    let (mut h, mut mi, mut s) = (0u8, 0u8, 0u8);
    if let Some(t) = time {
        let mut q = t.split(':');
        h = q.next()?.parse().ok()?;
        mi = q.next().unwrap_or("0").parse().ok()?;
        s = q
            .next()
            .unwrap_or("0")
            .split('.')
            .next()
            .unwrap_or("0")
            .parse()
            .ok()?;
    }
    Some((y, m, d, h, mi, s))
}

/// The text of one cell, as the CSV path expects it.
fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Text(String::new()),
        Data::String(s) => Cell::Text(if s.contains(['\n', '\r']) {
            s.replace("\r\n", " ").replace(['\n', '\r'], " ")
        } else {
            s.clone()
        }),
        Data::Int(i) => Cell::Text(i.to_string()),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTime(dt) if dt.is_datetime() && dt.as_f64() >= 1.0 => {
            let (y, m, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            date_cell(y, m, d, h, mi, s)
        }
        // A time of day alone, or a duration: its number.
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::DateTimeIso(s) => match iso_parts(s) {
            Some((y, m, d, h, mi, sec)) => date_cell(y, m, d, h, mi, sec),
            None => Cell::Text(s.clone()),
        },
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::FormulaError(e.to_string()),
    }
}

/// A sheet's cells from A1, as text: `rows[r][c]` is row `r + 1`, column
/// `c + 1`; trailing empty rows and columns are dropped.
struct Grid {
    rows: Vec<Vec<Cell>>,
    width: usize,
}

impl Grid {
    fn of(range: &calamine::Range<Data>) -> Grid {
        let Some((r0, c0)) = range.start() else {
            return Grid {
                rows: Vec::new(),
                width: 0,
            };
        };
        let (r0, c0) = (r0 as usize, c0 as usize);
        let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); r0];
        let mut width = 0;
        let mut last_row = 0;
        for (i, r) in range.rows().enumerate() {
            let mut cells: Vec<Cell> = vec![Cell::Text(String::new()); c0];
            cells.extend(r.iter().map(cell));
            let used = cells
                .iter()
                .rposition(|c| !matches!(c, Cell::Text(t) if t.trim().is_empty()))
                .map_or(0, |p| p + 1);
            cells.truncate(used);
            if used > 0 {
                width = width.max(used);
                last_row = r0 + i + 1;
            }
            rows.push(cells);
        }
        rows.truncate(last_row);
        Grid { rows, width }
    }

    fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn text(&self, r: usize, c: usize) -> &str {
        self.rows
            .get(r)
            .and_then(|row| row.get(c))
            .map_or("", Cell::text)
    }

    fn row_is_blank(&self, r: usize) -> bool {
        self.rows.get(r).is_none_or(|row| row.is_empty())
    }
}

/// A problem a cell's type shows, found while writing the CSV text.
#[derive(Debug, Clone)]
struct Problem {
    severity: Severity,
    rule: &'static str,
    row: u32,
    column: u32,
    field: Option<String>,
    value: Option<String>,
    message: String,
}

/// A sheet written as CSV text.
struct SheetCsv {
    bytes: Vec<u8>,
    /// The sheet row of each data record.
    lines: Vec<u32>,
    /// The sheet row of the header (1-based).
    header_row: u32,
    /// Rows with anything in them above the header row (first, last).
    above_header: Option<(u32, u32)>,
    table: Option<TableKind>,
    problems: Vec<Problem>,
}

/// Whether a row's names are a header the reader will recognise.
fn is_header(names: &[String], declared: Option<TableKind>, opts: &LoadOptions) -> bool {
    if let Some(t) = declared {
        return map_columns(t, names).is_complete();
    }
    !matches!(detect_normalised(names), HeaderMatch::Unrecognised)
        || crate::service::recognise(names).is_some()
        || opts
            .other_tables
            .iter()
            .any(|o| has_columns(names, &o.columns))
}

/// Quotes a field if the CSV text needs it.
fn push_field(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn column_letter(c: u32) -> String {
    let mut n = c;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn to_csv(grid: &Grid, declared: Option<TableKind>, opts: &LoadOptions) -> SheetCsv {
    let names_of = |r: usize| -> Vec<String> {
        (0..grid.width)
            .map(|c| normalise_header(grid.text(r, c).as_bytes()))
            .collect()
    };
    let filled: Vec<usize> = (0..grid.rows.len())
        .filter(|&r| !grid.row_is_blank(r))
        .collect();
    let header = filled
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .copied()
        .find(|&r| is_header(&names_of(r), declared, opts))
        .or_else(|| filled.first().copied())
        .unwrap_or(0);
    let names = names_of(header);
    let table = match declared {
        Some(t) => Some(t),
        None => match detect_normalised(&names) {
            HeaderMatch::Table(m) | HeaderMatch::Incomplete(m) => Some(m.table),
            HeaderMatch::Unrecognised => None,
        },
    };
    let above: Vec<usize> = filled.iter().copied().filter(|&r| r < header).collect();
    let above_header = match (above.first(), above.last()) {
        (Some(&a), Some(&b)) => Some((a as u32 + 1, b as u32 + 1)),
        _ => None,
    };

    let month_first = month_first_columns(grid, header);
    let child_col = names.iter().position(|n| n == "CHILD");
    let mut problems = Vec::new();
    // (column, error text) → (count, first row)
    let mut errors: std::collections::BTreeMap<(usize, String), (u64, u32)> =
        std::collections::BTreeMap::new();
    let mut bytes = Vec::with_capacity(grid.rows.len() * grid.width * 8);
    // Blank lines up to the header, so that its line is its row.
    bytes.resize(header, b'\n');
    let mut lines = Vec::with_capacity(grid.rows.len().saturating_sub(header));
    for r in header..grid.rows.len() {
        let row_no = r as u32 + 1;
        if r > header {
            lines.push(row_no);
        }
        let row = &grid.rows[r];
        for (c, read_month_first) in month_first.iter().enumerate() {
            if c > 0 {
                bytes.push(b',');
            }
            let Some(cell) = row.get(c) else { continue };
            match cell {
                Cell::Text(s) => push_field(&mut bytes, s),
                Cell::Date {
                    swapped: Some(s), ..
                } if r > header && read_month_first.is_some() => push_field(&mut bytes, s),
                Cell::Date { text, .. } => push_field(&mut bytes, text),
                Cell::Fraction(s) if r > header && Some(c) == child_col => {
                    problems.push(Problem {
                        severity: Severity::Error,
                        rule: rules::CELL_CHILD_NOT_WHOLE,
                        row: row_no,
                        column: c as u32 + 1,
                        field: Some("CHILD".into()),
                        value: Some(s.clone()),
                        message: "CHILD is a number with a fraction (a formula's result, or a typing slip?), not an identifier; read as blank, so the row is excluded".into(),
                    });
                }
                Cell::Fraction(s) => push_field(&mut bytes, s),
                Cell::FormulaError(e) => {
                    let k = errors.entry((c, e.clone())).or_insert((0, row_no));
                    k.0 += 1;
                }
            }
        }
        // A lone empty field would be a blank line, which is no record.
        if grid.width == 1 && row.first().is_none_or(|c| c.text().is_empty()) {
            bytes.extend_from_slice(b"\"\"");
        }
        bytes.push(b'\n');
    }
    for (c, m) in month_first.iter().enumerate() {
        let Some(m) = m else { continue };
        let field = names.get(c).filter(|n| !n.is_empty()).cloned();
        let what = field.as_deref().map_or_else(
            || format!("column {}", column_letter(c as u32 + 1)),
            |f| f.to_string(),
        );
        problems.push(Problem {
            severity: Severity::Warning,
            rule: rules::CELL_DATES_MONTH_FIRST,
            row: m.first_cell,
            column: c as u32 + 1,
            field,
            value: None,
            message: format!(
                "{what}: {} date cell(s) (first at row {}) beside {} text date(s) with a day above 12 (first at row {}): a spreadsheet set to US dates read the column month-first; date cells read with day and month swapped back (open CSVs with UK date settings)",
                m.cells, m.first_cell, m.texts, m.first_text
            ),
        });
    }
    for ((c, e), (n, first)) in errors {
        let field = names.get(c).filter(|n| !n.is_empty()).cloned();
        let what = field.as_deref().map_or_else(
            || format!("column {}", column_letter(c as u32 + 1)),
            |f| f.to_string(),
        );
        problems.push(Problem {
            severity: Severity::Warning,
            rule: rules::CELL_FORMULA_ERROR,
            row: first,
            column: c as u32 + 1,
            field,
            value: Some(e.clone()),
            message: format!(
                "{what} holds the formula error {e} in {n} cell(s) (first at row {first}); read as blank"
            ),
        });
    }
    SheetCsv {
        bytes,
        lines,
        header_row: header as u32 + 1,
        above_header,
        table,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_what_they_mean() {
        assert_eq!(
            cell(&Data::Float(5_994_637.0)),
            Cell::Text("5994637".into())
        );
        assert_eq!(cell(&Data::Int(1)), Cell::Text("1".into()));
        assert_eq!(cell(&Data::Float(12.5)), Cell::Fraction("12.5".into()));
        assert_eq!(cell(&Data::Float(-3.0)), Cell::Text("-3".into()));
        assert_eq!(
            cell(&Data::Float(1e20)),
            Cell::Fraction("100000000000000000000".into())
        );
    }

    #[test]
    fn date_cells_read_as_their_calendar_date() {
        use calamine::{ExcelDateTime, ExcelDateTimeType::DateTime};
        let text = |d: &Data| cell(d).text().to_string();
        // 45383 is 1 April 2024 in the 1900 system.
        let d = Data::DateTime(ExcelDateTime::new(45383.0, DateTime, false));
        assert_eq!(
            cell(&d),
            Cell::Date {
                text: "01/04/2024".into(),
                swapped: Some("04/01/2024".into())
            }
        );
        let t = Data::DateTime(ExcelDateTime::new(45383.5, DateTime, false));
        assert_eq!(text(&t), "01/04/2024 12:00:00");
        // The 1904 system counts from 1 January 1904.
        let d = Data::DateTime(ExcelDateTime::new(43921.0, DateTime, true));
        assert_eq!(text(&d), "01/04/2024");
        assert_eq!(text(&Data::DateTimeIso("2024-04-01".into())), "01/04/2024");
        assert_eq!(
            text(&Data::DateTimeIso("2024-04-01T00:00:00".into())),
            "01/04/2024"
        );
        assert_eq!(
            cell(&Data::DateTimeIso("2024-04-13T09:30:00".into())),
            Cell::Date {
                text: "13/04/2024 09:30:00".into(),
                swapped: None
            }
        );
    }

    /// A spreadsheet set to US dates opening a DD/MM/YYYY CSV: `08/01/2024`
    /// (8 January) is read month-first, the date cell 1 August; `27/12/2023`
    /// has no month 27 and stays text.
    #[test]
    fn dates_a_spreadsheet_read_month_first_are_swapped_back() {
        use calamine::{ExcelDateTime, ExcelDateTimeType::DateTime};
        // 45505 is 1 August 2024: what "08/01/2024" becomes month-first.
        let aug1 = Data::DateTime(ExcelDateTime::new(45505.0, DateTime, false));
        let grid = Grid::of(&range(&[
            &[s("CHILD"), s("DECOM"), s("DOB")],
            &[Data::Int(1), aug1.clone(), aug1.clone()],
            &[Data::Int(2), s("27/12/2023"), aug1.clone()],
            &[Data::Int(3), aug1.clone(), s("01/02/2010")],
        ]));
        let csv = to_csv(&grid, Some(TableKind::Episodes), &LoadOptions::default());
        let text = String::from_utf8(csv.bytes).unwrap();
        // DECOM: swapped back; DOB: a text date with a day of 12 or under
        // (which the spreadsheet would have read) says the cells are right.
        assert_eq!(
            text,
            "\n,CHILD,DECOM,DOB\n,1,08/01/2024,01/08/2024\n,2,27/12/2023,01/08/2024\n,3,08/01/2024,01/02/2010\n"
        );
        assert_eq!(csv.problems.len(), 1);
        let p = &csv.problems[0];
        assert_eq!(
            (p.rule, p.row, p.column, p.field.as_deref()),
            (rules::CELL_DATES_MONTH_FIRST, 3, 3, Some("DECOM"))
        );
        assert!(
            p.message.starts_with(
                "DECOM: 2 date cell(s) (first at row 3) beside 1 text date(s) with a day above 12"
            ),
            "{}",
            p.message
        );
        // Date cells alone are read as they are.
        let cell = std::slice::from_ref(&aug1);
        let grid = Grid::of(&range(&[&[s("DECOM")], cell, cell]));
        assert!(month_first_columns(&grid, 1).iter().all(Option::is_none));
    }

    #[test]
    fn text_keeps_its_value_on_one_line() {
        assert_eq!(
            cell(&Data::String("a\r\nb\nc".into())),
            Cell::Text("a b c".into())
        );
        let mut out = Vec::new();
        push_field(&mut out, "say \"hi\", then");
        assert_eq!(out, b"\"say \"\"hi\"\", then\"");
    }

    /// A range from B2 (as calamine gives a sheet whose first cell is B2).
    fn range(rows: &[&[Data]]) -> calamine::Range<Data> {
        let w = rows.iter().map(|r| r.len()).max().unwrap_or(1) as u32;
        let mut r = calamine::Range::new((1, 1), (rows.len() as u32, w));
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                r.set_value((i as u32 + 1, j as u32 + 1), v.clone());
            }
        }
        r
    }

    fn s(x: &str) -> Data {
        Data::String(x.into())
    }

    #[test]
    fn a_sheet_becomes_csv_text_at_its_own_rows_and_columns() {
        use calamine::CellErrorType;
        let grid = Grid::of(&range(&[
            &[s("Reviews, 2024-25"), Data::Empty, Data::Empty, Data::Empty],
            &[Data::Empty, Data::Empty, Data::Empty, Data::Empty],
            &[s("CHILD"), s("DOB"), s("REVIEW"), s("REVIEW_CODE")],
            &[
                Data::Float(12.5),
                s("01/01/2015"),
                s("01/05/2024"),
                s("PN1"),
            ],
            &[
                Data::Int(7),
                s("01/01/2015"),
                Data::Error(CellErrorType::NA),
                Data::Error(CellErrorType::NA),
            ],
            &[Data::Empty, Data::Empty, Data::Empty, Data::Empty],
        ]));
        let csv = to_csv(&grid, None, &LoadOptions::default());
        assert_eq!(csv.table, Some(TableKind::Reviews));
        assert_eq!(csv.header_row, 4);
        assert_eq!(csv.above_header, Some((2, 2)));
        assert_eq!(csv.lines, vec![5, 6]);
        // Line N is row N; field N is column N (column A empty); the
        // fractional CHILD and the formula errors are blank; the trailing
        // empty row is gone.
        assert_eq!(
            String::from_utf8(csv.bytes).unwrap(),
            "\n\n\n,CHILD,DOB,REVIEW,REVIEW_CODE\n,,01/01/2015,01/05/2024,PN1\n,7,01/01/2015,,\n"
        );
        let rules: Vec<(&str, u32, u32)> = csv
            .problems
            .iter()
            .map(|p| (p.rule, p.row, p.column))
            .collect();
        assert_eq!(
            rules,
            vec![
                (rules::CELL_CHILD_NOT_WHOLE, 5, 2),
                (rules::CELL_FORMULA_ERROR, 6, 4),
                (rules::CELL_FORMULA_ERROR, 6, 5),
            ]
        );
        assert!(
            csv.problems[1]
                .message
                .contains("REVIEW holds the formula error #N/A in 1 cell(s)")
        );
        // The identifier is kept out of the message.
        assert!(!csv.problems[0].message.contains("12.5"));
        assert_eq!(csv.problems[0].value.as_deref(), Some("12.5"));
    }

    #[test]
    fn a_csv_named_as_a_workbook_is_told_apart() {
        assert!(looks_like_text(
            b"\xEF\xBB\xBFCHILD,DOB\r\n1,01/01/2015\r\n"
        ));
        assert!(!looks_like_text(b"PK\x03\x04 not really a workbook"));
        assert!(!looks_like_text(b"\xD0\xCF\x11\xE0 truncated"));
        assert!(!looks_like_text(b""));
    }

    #[test]
    fn a_password_is_named_as_the_cause() {
        assert!(open_error(&"Workbook is password protected").contains("password-protected"));
        assert!(open_error(&"invalid zip header").contains("cannot be opened"));
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(1), "A");
        assert_eq!(column_letter(26), "Z");
        assert_eq!(column_letter(27), "AA");
        assert_eq!(column_letter(703), "AAA");
    }
}
