//! Reading one file: encoding checks, the header row, and every data row parsed
//! from bytes into a staged row (or excluded with a diagnostic).
//!
//! [`read_file`] and the header row are here; the rest along its seams:
//!
//! * `encoding` — the bytes before any CSV: empty, binary, UTF-16, not UTF-8,
//!   the byte-order mark, the hash.
//! * `fields` — splitting rows into fields ([`Splitter`], in place, as the
//!   csv reader would).
//! * `caches` — what a thread keeps from file to file: the csv reader, the
//!   CHILD map, parsed codes and postcodes.
//! * `row` — one data row to a staged row, and what a file's rows add up to;
//!   `row/cells.rs` the cell parsers (CHILD, dates, codes, text, postcodes);
//!   one module per SSDA903 table (`row/header.rs`, `row/episodes.rs`,
//!   `row/reviews.rs`, `row/uasc.rs`, `row/oc2.rs`, `row/oc3.rs`,
//!   `row/adoption.rs` for AD1 and placed-for-adoption, `row/prev_perm.rs`,
//!   `row/missing.rs`, `row/sw_episodes.rs`).

use csv::ByteRecord;
use iro_domain::*;

use crate::header::{
    ColumnMap, HeaderMatch, detect_normalised, has_columns, map_columns, normalise_header,
};
use crate::lines::LineCounter;
use crate::loaded::{FileInfo, FileStatus};
use crate::options::LoadOptions;
use crate::rules;
use crate::source::FileTask;
use crate::staged::*;

mod caches;
pub(crate) mod encoding;
mod fields;
mod row;

pub(crate) use caches::{ChildMap, pack_bytes};
use caches::{Scratch, with_scratch};
use encoding::{BodyFacts, check_bytes};
use fields::Fields;
pub(crate) use fields::Splitter;
use row::RowParser;
pub(crate) use row::fmt;

/// Column indices in [`TableKind::columns`] order.
pub(crate) mod col {
    pub const CHILD: usize = 0;
    pub mod header {
        pub const SEX: usize = 1;
        pub const DOB: usize = 2;
        pub const ETHNIC: usize = 3;
        pub const UPN: usize = 4;
        pub const MOTHER: usize = 5;
        pub const MC_DOB: usize = 6;
    }
    pub mod ep {
        pub const DECOM: usize = 1;
        pub const RNE: usize = 2;
        pub const LS: usize = 3;
        pub const CIN: usize = 4;
        pub const PLACE: usize = 5;
        pub const PLACE_PROVIDER: usize = 6;
        pub const DEC: usize = 7;
        pub const REC: usize = 8;
        pub const REASON_PLACE_CHANGE: usize = 9;
        pub const HOME_POST: usize = 10;
        pub const PL_POST: usize = 11;
        pub const URN: usize = 12;
    }
    /// DOB is column 1 of every table but Header, Episodes and UASC.
    pub const DOB: usize = 1;
    pub mod rev {
        pub const REVIEW: usize = 2;
        pub const REVIEW_CODE: usize = 3;
    }
    pub mod uasc {
        pub const SEX: usize = 1;
        pub const DOB: usize = 2;
        pub const DUC: usize = 3;
    }
    pub mod oc2 {
        pub const SDQ_SCORE: usize = 2;
        pub const SDQ_REASON: usize = 3;
        pub const FLAGS: std::ops::Range<usize> = 4..12;
    }
    pub mod oc3 {
        pub const IN_TOUCH: usize = 2;
        pub const ACTIV: usize = 3;
        pub const ACCOM: usize = 4;
    }
    pub mod pp {
        pub const PREV_PERM: usize = 2;
        pub const LA_PERM: usize = 3;
        pub const DATE_PERM: usize = 4;
    }
    pub mod mis {
        pub const MISSING: usize = 2;
        pub const MIS_START: usize = 3;
        pub const MIS_END: usize = 4;
    }
    pub mod dolo {
        pub const DOLO_START: usize = 2;
        pub const DOLO_END: usize = 3;
    }
    pub mod sw {
        pub const SW_ID: usize = 2;
        pub const SW_DECOM: usize = 3;
        pub const SW_DEC: usize = 4;
        pub const SW_REASON: usize = 5;
    }
}

/// One file, read.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    pub idx: u32,
    pub info: FileInfo,
    pub diags: Vec<Diagnostic>,
    pub cols: Option<ColumnMap>,
    pub rows: Option<TableRows>,
    /// CHILD strings of this file; staged rows refer to them by index.
    pub child_ids: IdList,
    /// Line where each CHILD first appears.
    pub child_first_line: Vec<u32>,
    /// Data rows read (physical lines, including ones swallowed by a bad quote).
    pub rows_read: u64,
    /// Rows excluded while reading.
    pub rows_excluded: u64,
    /// Dated rows (Episodes, Reviews) consistent with collection years
    /// Y-3 ..= Y+3 of the file's year, and how many dated rows there were:
    /// the votes of the year check (`crate::years`).
    pub year_hits: [u64; 7],
    pub dated_rows: u64,
    /// The table's part of an XML return: where its rows are in the file
    /// (their element paths), for diagnostics made after reading.
    pub xml: Option<std::sync::Arc<crate::split::Part>>,
}

fn base_diag(task: &FileTask, sev: Severity, rule: &str, msg: String) -> Diagnostic {
    let mut d = Diagnostic::new(sev, rule, msg);
    d.la = Some(task.la);
    d.year = Some(task.year);
    d.file = Some(task.path.clone());
    d
}

/// A header cell that is really a whole header row separated by `;` or a
/// tab, and the table it would be.
fn other_delimiter(cell: &str) -> Option<(&'static str, TableKind)> {
    for (sep, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "bars")] {
        if cell.contains(sep) {
            let parts: Vec<String> = cell
                .split(sep)
                .map(|p| normalise_header(p.as_bytes()))
                .collect();
            if let HeaderMatch::Table(m) = detect_normalised(&parts) {
                return Some((name, m.table));
            }
        }
    }
    None
}

/// Whether a first row that matches no table looks like a data row rather
/// than column names: a cell holds a digit (column names of SSDA903 and
/// IRO-service tables have none; CHILD ids, dates and postcodes do).
fn looks_like_data(cells: &[String]) -> bool {
    cells.iter().any(|c| c.bytes().any(|b| b.is_ascii_digit()))
}

/// Reads and parses one file. Never fails: problems become diagnostics.
pub(crate) fn read_file(idx: u32, task: &FileTask, opts: &LoadOptions) -> ParsedFile {
    let mut out = ParsedFile {
        idx,
        info: FileInfo {
            path: task.path.clone(),
            within: task.part.as_ref().and_then(|p| p.sheet.clone()),
            la: task.la,
            year: task.year,
            table: None,
            status: FileStatus::Unreadable,
            rows: 0,
            bytes: 0,
            sha256: None,
            headers: Vec::new(),
            header_check: None,
        },
        diags: Vec::new(),
        cols: None,
        rows: None,
        child_ids: IdList::default(),
        child_first_line: Vec::new(),
        rows_read: 0,
        rows_excluded: 0,
        year_hits: [0; 7],
        dated_rows: 0,
        xml: None,
    };
    if let Some(part) = task.part.as_ref().filter(|p| p.xml.is_some()) {
        out.xml = Some(part.clone());
        if part.xml.as_ref().is_some_and(|x| x.unreadable) {
            // Not a usable XML return (`xml.malformed`, reported with the
            // file): the table is excluded with the records it held.
            let n = part.xml.as_ref().map_or(0, |x| x.excluded);
            out.info.table = task.declared;
            out.info.status = FileStatus::Excluded;
            out.info.sha256.clone_from(&part.file_sha256);
            out.rows_read = n;
            out.rows_excluded = n;
            out.info.rows = n;
            return out;
        }
    }
    with_scratch(|sc| {
        let buf = sc.rdr.get_mut().get_mut();
        buf.clear();
        let read = match &task.part {
            // One authority-year's rows of a file split by its LA/YEAR columns.
            Some(part) => {
                buf.extend_from_slice(&part.bytes);
                Ok(part.bytes.len())
            }
            None => std::fs::File::open(&task.path).and_then(|mut f| {
                use std::io::Read;
                f.read_to_end(buf)
            }),
        };
        if let Err(e) = read {
            let msg = match e.kind() {
                std::io::ErrorKind::NotFound => "file not found".to_string(),
                _ => format!("cannot read the file: {e}"),
            };
            out.diags.push(base_diag(
                task,
                Severity::Error,
                rules::FILE_UNREADABLE,
                msg,
            ));
            return;
        }
        let Some(facts) = check_bytes(&mut out, task, opts, sc.rdr.get_ref().get_ref()) else {
            return;
        };
        if let Some(part) = &task.part {
            out.info.sha256.clone_from(&part.file_sha256);
        }
        let _ = sc
            .rdr
            .seek_raw(std::io::SeekFrom::Start(facts.start), csv::Position::new());
        parse_csv(&mut out, task, opts, sc, facts);
        // Keep the buffer for the next file, unless it is unusually large.
        if sc.rdr.get_ref().get_ref().capacity() > 64 << 20 {
            *sc.rdr.get_mut() = std::io::Cursor::new(Vec::new());
        }
        if sc.child_map.capacity() > 1 << 20 {
            sc.child_map = ChildMap::default();
        }
    });
    // Records of an XML return excluded before reading (reported there).
    if let Some(x) = task.part.as_ref().and_then(|p| p.xml.as_ref()) {
        out.rows_read += x.excluded;
        out.rows_excluded += x.excluded;
        out.info.rows += x.excluded;
    }
    // A workbook's sheet: every diagnostic says which.
    if let Some(sheet) = &out.info.within {
        for d in &mut out.diags {
            d.within.get_or_insert_with(|| sheet.clone());
        }
    }
    out
}

/// Reads the header row and every data row of a file.
fn parse_csv(
    out: &mut ParsedFile,
    task: &FileTask,
    opts: &LoadOptions,
    sc: &mut Scratch,
    facts: BodyFacts,
) {
    let Scratch {
        rdr,
        child_map,
        postcode_cache,
        caches,
    } = sc;
    child_map.clear();
    // Byte offsets from the reader count from `facts.start` (after a BOM).
    let base = usize::try_from(facts.start).unwrap_or(usize::MAX);
    let mut lines = LineCounter::new(base);
    let mut header_rec = ByteRecord::new();
    match rdr.read_byte_record(&mut header_rec) {
        Ok(_) => {}
        Err(e) => {
            out.diags.push(base_diag(
                task,
                Severity::Error,
                rules::FILE_UNREADABLE,
                format!("cannot read the header row: {e}"),
            ));
            return;
        }
    }
    let header_line = header_rec.position().map_or(1, |p| {
        lines.record_line(
            rdr.get_ref().get_ref(),
            base.saturating_add(p.byte() as usize),
        )
    });
    let names: Vec<String> = header_rec.iter().map(normalise_header).collect();
    out.info.headers = names.clone();
    if names.iter().all(String::is_empty) {
        out.diags.push(base_diag(
            task,
            Severity::Error,
            rules::FILE_EMPTY,
            "the file has no header row".into(),
        ));
        return;
    }

    if task.declared.is_none()
        && let Some(o) = opts
            .other_tables
            .iter()
            .find(|o| has_columns(&names, &o.columns))
    {
        out.info.status = FileStatus::Other(o.name.clone());
        return;
    }
    let detected = match task.declared {
        Some(t) => {
            let m = map_columns(t, &names);
            if m.is_complete() {
                HeaderMatch::Table(m)
            } else {
                HeaderMatch::Incomplete(m)
            }
        }
        None => detect_normalised(&names),
    };
    // The IRO service's own records: claimed here, read per authority once
    // its SSDA903 cohort is known (`service::load_la`).
    if task.declared.is_none()
        && !matches!(detected, HeaderMatch::Table(_))
        && let Some(status) = crate::service::recognise_file(&names)
    {
        out.info.status = status;
        return;
    }
    let cols = match detected {
        HeaderMatch::Unrecognised if names.len() == 1 && other_delimiter(&names[0]).is_some() => {
            let (sep, table) = other_delimiter(&names[0]).unwrap_or(("?", TableKind::Header));
            out.info.table = Some(table);
            let mut d = base_diag(
                task,
                Severity::Error,
                rules::FILE_DELIMITER,
                format!(
                    "the file is separated by {sep}, not commas (a {table} table saved by a spreadsheet set to another locale?); save it as comma-separated CSV"
                ),
            );
            d.table = Some(table);
            d.line = Some(header_line);
            out.diags.push(d);
            return;
        }
        HeaderMatch::Unrecognised => {
            out.info.status = FileStatus::Unrecognised;
            let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
            let nearest = crate::header::nearest_table(&names);
            let hint = nearest.as_ref().map_or(String::new(), |m| {
                let lacking: Vec<String> = m
                    .missing
                    .iter()
                    .chain(&m.absent)
                    .map(|c| m.describe_lacking(c))
                    .collect();
                format!(
                    "; nearest is the {} table (lacking {})",
                    m.table,
                    lacking.join(", ")
                )
            });
            let listed = format!(
                "{}{}",
                shown.join(", "),
                if names.len() > 8 { ", …" } else { "" }
            );
            // A file exported without its header row starts with a child's
            // record: its cells are personal data, not column names.
            let (message, detail) = if looks_like_data(&names) {
                (
                    format!(
                        "the first row ({} cells) matches no SSDA903 table and holds numbers or dates: is the header row missing? File not read as SSDA903",
                        names.len()
                    ),
                    Some(format!("first row: {listed}")),
                )
            } else {
                (
                    format!(
                        "header row ({listed}) matches no SSDA903 table{hint}; file not read as SSDA903"
                    ),
                    None,
                )
            };
            let mut d = base_diag(task, Severity::Info, rules::FILE_UNRECOGNISED, message);
            d.personal_detail = detail;
            d.line = Some(header_line);
            out.diags.push(d);
            out.info.header_check = nearest.and_then(|m| crate::loaded::HeaderCheck::of(&m, true));
            return;
        }
        HeaderMatch::Incomplete(m) if !m.is_complete() => {
            out.info.table = Some(m.table);
            out.info.status = FileStatus::Excluded;
            out.info.header_check = crate::loaded::HeaderCheck::of(&m, false);
            let lacking: Vec<String> = m.missing.iter().map(|c| m.describe_lacking(c)).collect();
            let mut d = base_diag(
                task,
                Severity::Error,
                rules::HEADER_MISSING_COLUMNS,
                format!(
                    "{} file lacks column(s) {}, without which no row can be used; the whole file is excluded",
                    m.table,
                    lacking.join(", ")
                ),
            );
            d.table = Some(m.table);
            d.line = Some(header_line);
            if let [only] = m.missing.as_slice() {
                d.field = Some(only.to_string());
                d.column = m
                    .suggestion_for(only)
                    .and_then(|h| names.iter().position(|n| n == h))
                    .map(|i| i as u32 + 1);
            }
            out.diags.push(d);
            // Count the rows so that the accounting shows them excluded.
            let mut rec = ByteRecord::new();
            let mut n = 0u64;
            while let Ok(true) = rdr.read_byte_record(&mut rec) {
                n += 1;
            }
            out.rows_read = n;
            out.rows_excluded = n;
            out.info.rows = n;
            out.cols = Some(m);
            return;
        }
        // Only columns rows can do without are lacking: read them as blank.
        HeaderMatch::Table(m) | HeaderMatch::Incomplete(m) => m,
    };
    let mut cols = cols;
    // The LA/YEAR columns the file was split by are not extra columns.
    cols.extra.retain(|e| !task.placement_columns.contains(e));
    let table = cols.table;
    out.info.table = Some(table);
    out.info.status = FileStatus::Read;
    let hdr = |sev, rule, msg| {
        let mut d = base_diag(task, sev, rule, msg);
        d.table = Some(table);
        d.line = Some(header_line);
        d
    };
    out.info.header_check = crate::loaded::HeaderCheck::of(&cols, false);
    for &c in &cols.absent {
        let mut d = hdr(
            Severity::Warning,
            rules::HEADER_COLUMN_ABSENT,
            format!(
                "{table} file has no {}; {c} is read as blank for every row, and figures that need it are not computable for {}",
                cols.describe_lacking(c),
                task.year.label()
            ),
        );
        d.field = Some(c.to_string());
        // Point at the header that is probably the column, if there is one.
        d.column = cols
            .suggestion_for(c)
            .and_then(|h| names.iter().position(|n| n == h))
            .map(|i| i as u32 + 1);
        out.diags.push(d);
    }
    if !cols.missing_optional.is_empty() {
        out.diags.push(hdr(
            Severity::Warning,
            rules::HEADER_MISSING_OPTIONAL,
            format!(
                "no column(s) {} (older return?); those fields are blank",
                cols.missing_optional.join(", ")
            ),
        ));
    }
    if !cols.extra.is_empty() {
        out.diags.push(hdr(
            Severity::Warning,
            rules::HEADER_EXTRA_COLUMNS,
            format!(
                "column(s) {} are not part of {}; ignored",
                cols.extra.join(", "),
                table
            ),
        ));
    }
    for dup in &cols.duplicates {
        out.diags.push(hdr(
            Severity::Warning,
            rules::HEADER_DUPLICATE_COLUMN,
            format!("column {dup} appears more than once; the first is used"),
        ));
    }

    // Rows are read once; if a date column turns out to be written
    // month-first, they are read again with that column read month-first
    // (a file in a hundred, so the usual file pays nothing).
    let after_header = rdr.position().clone();
    let mut month_first: Vec<bool> = Vec::new();
    let (mut p, rows) = loop {
        child_map.clear();
        let mut p = RowParser::new(
            out.idx,
            task,
            &cols,
            header_rec.len(),
            child_map,
            postcode_cache,
            caches,
        );
        p.set_month_first(&month_first);
        // A field can only run over a line end inside quotes.
        p.may_have_quotes = facts.may_have_quotes;
        let n = facts.lines.min(1 << 20);
        p.expected_children = n;
        p.child_ids.reserve(n);
        p.child_first_line.reserve(n);
        let mut rows = TableRows::with_capacity(table, facts.lines);
        let mut bounds: Vec<(usize, usize)> = Vec::new();
        if facts.may_have_quotes {
            let mut rec = ByteRecord::new();
            loop {
                match rdr.read_byte_record(&mut rec) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        let line = e.position().map(|p| {
                            let at = base.saturating_add(p.byte() as usize);
                            lines.record_line(rdr.get_ref().get_ref(), at)
                        });
                        let mut d = base_diag(
                            task,
                            Severity::Error,
                            rules::FILE_UNREADABLE,
                            format!("reading stopped: {e}"),
                        );
                        d.line = line;
                        d.table = Some(table);
                        p.diags.push(d);
                        break;
                    }
                }
                bounds.clear();
                let mut at = 0;
                for f in rec.iter() {
                    bounds.push((at, at + f.len()));
                    at += f.len();
                }
                let line = rec.position().map_or(0, |pos| {
                    let at = base.saturating_add(pos.byte() as usize);
                    lines.record_line(rdr.get_ref().get_ref(), at)
                });
                p.row(&Fields::new(rec.as_slice(), &bounds, line), &mut rows);
            }
        } else {
            // No quotes: split the rows in place, as the csv reader would.
            let start = usize::try_from(facts.start.saturating_add(after_header.byte()))
                .unwrap_or(usize::MAX);
            let buf = rdr.get_ref().get_ref();
            let mut split = Splitter::new(buf, start, lines.line_at(buf, start));
            while let Some((data, line)) = split.next_record(&mut bounds) {
                p.row(&Fields::new(data, &bounds, line), &mut rows);
            }
        }
        match p.month_first_columns() {
            Some(found) if month_first.is_empty() => {
                month_first = found;
                let _ = rdr.seek_raw(
                    std::io::SeekFrom::Start(facts.start.saturating_add(after_header.byte())),
                    after_header.clone(),
                );
            }
            _ => break (p, rows),
        }
    };
    p.finish();
    out.year_hits = p.year_hits;
    out.dated_rows = p.dated_rows;
    out.info.rows = p.rows_read;
    out.rows_read = p.rows_read;
    out.rows_excluded = p.rows_excluded;
    out.diags.append(&mut p.diags);
    out.child_ids = p.child_ids;
    out.child_first_line = p.child_first_line;
    out.rows = Some(rows);
    out.cols = Some(cols);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_constants_match_the_domain() {
        let cols = |t: TableKind| t.columns();
        assert_eq!(cols(TableKind::Header)[col::header::MC_DOB], "MC_DOB");
        assert_eq!(cols(TableKind::Header)[col::header::UPN], "UPN");
        assert_eq!(cols(TableKind::Episodes)[col::ep::DECOM], "DECOM");
        assert_eq!(
            cols(TableKind::Episodes)[col::ep::REASON_PLACE_CHANGE],
            "REASON_PLACE_CHANGE"
        );
        assert_eq!(cols(TableKind::Episodes)[col::ep::URN], "URN");
        assert_eq!(
            cols(TableKind::Reviews)[col::rev::REVIEW_CODE],
            "REVIEW_CODE"
        );
        assert_eq!(cols(TableKind::Uasc)[col::uasc::DUC], "DUC");
        assert_eq!(cols(TableKind::Oc2)[col::oc2::SDQ_REASON], "SDQ_REASON");
        assert_eq!(
            cols(TableKind::Oc2)[col::oc2::FLAGS.end - 1],
            "INTERVENTION_OFFERED"
        );
        assert_eq!(cols(TableKind::Oc3)[col::oc3::ACCOM], "ACCOM");
        assert_eq!(cols(TableKind::PrevPerm)[col::pp::DATE_PERM], "DATE_PERM");
        assert_eq!(cols(TableKind::Missing)[col::mis::MIS_END], "MIS_END");
        assert_eq!(cols(TableKind::SwEpisodes)[col::sw::SW_REASON], "SW_REASON");
        assert_eq!(cols(TableKind::DoLo)[col::dolo::DOLO_START], "DOLO_START");
        assert_eq!(cols(TableKind::DoLo)[col::dolo::DOLO_END], "DOLO_END");
        for t in TableKind::ALL {
            assert_eq!(t.columns()[col::CHILD], "CHILD");
            if !matches!(t, TableKind::Header | TableKind::Episodes | TableKind::Uasc) {
                assert_eq!(t.columns()[col::DOB], "DOB");
            }
        }
    }
}
