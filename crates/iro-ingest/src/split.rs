//! Files that say for each row which authority and collection year it belongs
//! to: an `LA` column (or `LA_CODE`, `LA Code`, `LOCAL_AUTHORITY`…) and a
//! `YEAR` column (or `COLLECTION_YEAR`…), as the LIIA tools write when they
//! pool several boroughs' returns into one file per table.
//!
//! Such a file is split into one part per (authority, year) before anything
//! is read, so that each part is read, counted and checked exactly like a file
//! in an `<la>/<year>` folder (including the check that its dates fit the year,
//! `year.mismatch`). A part keeps the file's header and only its own rows, with
//! each row's line in the original file, so diagnostics point at the file the
//! analyst has.
//!
//! * The columns win over the folder: a file in `800/2025` whose LA column says
//!   801 puts those rows under 801, with a warning.
//! * A blank LA or YEAR falls back to the folder the file sits in (if any).
//! * An LA value is a DfE 3-digit code, or an ONS code or authority name that
//!   [`LoadOptions::la_aliases`] knows (the engine fills it from the reference
//!   data). A YEAR value is read like a year folder's name ([`parse_year_name`]).
//! * Rows whose LA or YEAR cannot be placed are excluded, with one error per
//!   distinct value (count and first line), and listed in [`Loaded::unplaced`](crate::Loaded::unplaced).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use iro_domain::{CollectionYear, Diagnostic, LaCode, Severity, TableKind};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::header::{HeaderMatch, detect_normalised, normalise_header};
use crate::options::LoadOptions;
use crate::read::Splitter;
use crate::rules;
use crate::source::{Discovery, FileTask, YearSource, parse_year_name};

/// Column names that give a row's authority, best first (a code before a
/// name), compared after [`column_key`].
pub const LA_COLUMNS: &[&str] = &[
    "LA_CODE",
    "LACODE",
    "NEW_LA_CODE",
    "LA_NUMBER",
    "LOCAL_AUTHORITY_CODE",
    "LA",
    "LOCAL_AUTHORITY",
    "LA_NAME",
    "AUTHORITY",
];

/// Column names that give a row's collection year, best first.
pub const YEAR_COLUMNS: &[&str] = &["COLLECTION_YEAR", "COLLECTIONYEAR", "RETURN_YEAR", "YEAR"];

/// A header name as compared with [`LA_COLUMNS`] and [`YEAR_COLUMNS`]:
/// upper case, spaces and hyphens as underscores (`LA Code` = `LA_CODE`).
pub fn column_key(normalised: &str) -> String {
    normalised
        .trim()
        .to_ascii_uppercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// Rows of a file that could not be given an authority and year: excluded,
/// each value reported once (rules `row.la_unknown`, `row.year_unreadable`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnplacedRows {
    pub path: PathBuf,
    pub table: Option<TableKind>,
    /// The column at fault (`LA` or `YEAR`, as named in the file).
    pub column: String,
    /// The value as written (blank when the cell was blank).
    pub value: String,
    pub rows: u64,
}

/// One authority-year's share of a split file.
#[derive(Debug)]
pub(crate) struct Part {
    /// The file's header line, then this part's rows, as bytes of the file.
    pub bytes: Vec<u8>,
    /// The line in the file of each data row of `bytes`, in order.
    pub lines: Vec<u32>,
    /// The SHA-256 of the whole file (when asked for).
    pub file_sha256: Option<String>,
    /// A table read out of an XML return ([`crate::xml`]): where each row's
    /// record is in it. `None` for a part of a CSV.
    pub xml: Option<crate::xml::XmlRecords>,
    /// The sheet of a workbook the rows come from ([`crate::workbook`]):
    /// each diagnostic's `within`.
    pub sheet: Option<String>,
}

/// How the values of an LA column are read.
struct LaNames {
    /// Normalised name or ONS code → code (`None`: two authorities share it).
    by_alias: FxHashMap<String, Option<LaCode>>,
}

fn alias_key(s: &str) -> String {
    let lower = s.trim().to_lowercase().replace('&', " and ");
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl LaNames {
    fn new(opts: &LoadOptions) -> Self {
        let mut by_alias: FxHashMap<String, Option<LaCode>> = FxHashMap::default();
        for (alias, la) in &opts.la_aliases {
            let k = alias_key(alias);
            if k.is_empty() {
                continue;
            }
            by_alias
                .entry(k)
                .and_modify(|v| {
                    if *v != Some(*la) {
                        *v = None;
                    }
                })
                .or_insert(Some(*la));
        }
        LaNames { by_alias }
    }

    /// The authority an LA cell names, or why not.
    fn resolve(&self, raw: &str) -> Result<LaCode, String> {
        let t = raw.trim();
        let t = t.strip_suffix(".0").unwrap_or(t);
        if let Ok(la) = t.parse::<LaCode>() {
            return Ok(la);
        }
        match self.by_alias.get(&alias_key(t)) {
            Some(Some(la)) => Ok(*la),
            Some(None) => Err(format!(
                "`{t}` names more than one authority in the reference data; write the DfE 3-digit code"
            )),
            None if self.by_alias.is_empty() => Err(format!(
                "`{t}` is not a DfE 3-digit LA code (no reference data was given to read names or ONS codes)"
            )),
            None => Err(format!(
                "`{t}` is not a DfE 3-digit LA code, nor an ONS code or name of an authority in the reference data"
            )),
        }
    }
}

fn read_year(raw: &str) -> Option<CollectionYear> {
    let t = raw.trim();
    parse_year_name(t.strip_suffix(".0").unwrap_or(t))
}

/// Where a file's rows go when a cell is blank: its folder's LA and year.
#[derive(Debug, Clone)]
struct Candidate {
    path: PathBuf,
    la: Option<LaCode>,
    year: Option<CollectionYear>,
    declared: Option<TableKind>,
    year_source: YearSource,
    /// Index into `Discovery::files`, or `None` for a loose file.
    task: Option<usize>,
}

/// What splitting one file gave.
#[derive(Debug, Default)]
struct Split {
    /// `None`: the file has no LA/YEAR column (or is not an SSDA903 table):
    /// read it as it is.
    parts: Option<BTreeMap<(LaCode, CollectionYear), Part>>,
    placement_columns: Vec<String>,
    table: Option<TableKind>,
    year_column: bool,
    unplaced: Vec<UnplacedRows>,
    diagnostics: Vec<Diagnostic>,
}

/// How far into a file its header row is looked for.
const PEEK_LIMIT: usize = 64 << 10;

/// Reads the first line's cells (normalised), from the first 64 KiB.
///
/// Only as much of the file is read as holds its first row (a few KiB at a
/// time), and a row without quotes is split in place ([`Splitter`], the same
/// split as the csv reader's): building a csv reader for every file cost a
/// tenth of a national ingest. A first row with a quote character goes
/// through the csv reader, over the same 64 KiB as ever. `None` when a NUL
/// byte is read (UTF-16 or binary: the reader reports it); [`split_file`]
/// checks the whole first 64 KiB for NULs before splitting.
fn peek_header(path: &Path) -> Option<Vec<String>> {
    const CHUNK: usize = 4 << 10;
    let mut f = std::fs::File::open(path).ok()?;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK);
    loop {
        let before = buf.len();
        let want = (PEEK_LIMIT - before).min(CHUNK) as u64;
        let n = f.by_ref().take(want).read_to_end(&mut buf).ok()?;
        if buf[before..].contains(&0) {
            return None;
        }
        if buf[before..].contains(&b'"') {
            // Quotes: the csv reader's rules, over the first 64 KiB.
            f.by_ref()
                .take((PEEK_LIMIT - buf.len()) as u64)
                .read_to_end(&mut buf)
                .ok()?;
            if buf.contains(&0) {
                return None;
            }
            let body = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf);
            let mut rdr = csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(false)
                .from_reader(body);
            let mut rec = csv::ByteRecord::new();
            rdr.read_byte_record(&mut rec).ok()?;
            return Some(rec.iter().map(normalise_header).collect());
        }
        let body = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf);
        if n == 0 || buf.len() >= PEEK_LIMIT || first_row_ends(body) {
            let mut bounds = Vec::new();
            let Some((data, _)) = Splitter::new(body, 0, 1).next_record(&mut bounds) else {
                // Nothing but line ends: the csv reader gives one empty row.
                return Some(Vec::new());
            };
            return Some(
                bounds
                    .iter()
                    .map(|&(a, b)| normalise_header(&data[a..b]))
                    .collect(),
            );
        }
    }
}

/// Whether `body` holds a line end after the first byte that is not one
/// (blank lines before the first row are skipped, as the csv reader does).
fn first_row_ends(body: &[u8]) -> bool {
    let is_end = |b: &u8| *b == b'\n' || *b == b'\r';
    body.iter()
        .position(|b| !is_end(b))
        .is_some_and(|start| body[start..].iter().any(is_end))
}

/// Which columns place rows: (LA column index, YEAR column index, every
/// placement column's name).
fn placement_columns(names: &[String]) -> (Option<usize>, Option<usize>, Vec<String>) {
    let keys: Vec<String> = names.iter().map(|n| column_key(n)).collect();
    let find = |list: &[&str]| {
        list.iter()
            .find_map(|want| keys.iter().position(|k| k == want))
    };
    let la = find(LA_COLUMNS);
    let year = find(YEAR_COLUMNS);
    let all = names
        .iter()
        .zip(&keys)
        .filter(|(_, k)| LA_COLUMNS.contains(&k.as_str()) || YEAR_COLUMNS.contains(&k.as_str()))
        .map(|(n, _)| n.clone())
        .collect();
    (la, year, all)
}

/// Splits every file that has LA or YEAR columns; files without stay as they
/// are, and loose CSVs without them are reported `file.misplaced`.
pub(crate) fn place_rows(disc: &mut Discovery, opts: &LoadOptions) -> Vec<UnplacedRows> {
    let names = LaNames::new(opts);
    let mut candidates: Vec<Candidate> = disc
        .files
        .iter()
        .enumerate()
        .map(|(i, t)| Candidate {
            path: t.path.clone(),
            la: Some(t.la),
            year: Some(t.year),
            declared: t.declared,
            year_source: t.year_source,
            task: Some(i),
        })
        .collect();
    let loose = std::mem::take(&mut disc.loose);
    candidates.extend(loose.iter().map(|l| Candidate {
        path: l.path.clone(),
        la: l.la,
        year: None,
        declared: None,
        year_source: YearSource::Column,
        task: None,
    }));
    let splits: Vec<Split> = candidates
        .par_iter()
        .map(|c| split_file(c, &names, opts))
        .collect();

    let mut unplaced = Vec::new();
    let mut replaced: Vec<usize> = Vec::new();
    let mut new_tasks: Vec<FileTask> = Vec::new();
    for (c, s) in candidates.iter().zip(splits) {
        disc.diagnostics.extend(s.diagnostics);
        unplaced.extend(s.unplaced);
        let Some(parts) = s.parts else {
            if c.task.is_none()
                && let Some(l) = loose.iter().find(|l| l.path == c.path)
            {
                disc.diagnostics.push(l.misplaced.clone());
            }
            continue;
        };
        let year_source = if s.year_column {
            YearSource::Column
        } else {
            c.year_source
        };
        // One part, the folder's own: read the file as it is.
        let only_own = parts.len() == 1
            && c.task.is_some()
            && parts.keys().next() == c.la.zip(c.year).as_ref();
        if only_own && let Some(i) = c.task {
            disc.files[i].placement_columns = s.placement_columns.clone();
            continue;
        }
        if let Some(i) = c.task {
            replaced.push(i);
        }
        for ((la, year), part) in parts {
            if !opts.wants(la) {
                continue;
            }
            disc.la_years.entry(la).or_default().insert(year);
            let mut t = FileTask::new(c.path.clone(), la, year, c.declared, year_source);
            t.part = Some(Arc::new(part));
            t.placement_columns = s.placement_columns.clone();
            new_tasks.push(t);
        }
    }
    // Remove the tasks of split files (indices ascending), add their parts.
    replaced.sort_unstable();
    for i in replaced.into_iter().rev() {
        disc.files.remove(i);
    }
    disc.files.extend(new_tasks);
    disc.files
        .sort_by(|a, b| (a.la, a.year, &a.path).cmp(&(b.la, b.year, &b.path)));
    unplaced
}

fn split_file(c: &Candidate, names: &LaNames, opts: &LoadOptions) -> Split {
    let mut out = Split::default();
    let Some(header) = peek_header(&c.path) else {
        return out;
    };
    let (la_col, year_col, placement) = placement_columns(&header);
    if la_col.is_none() && year_col.is_none() {
        return out;
    }
    // Only an SSDA903 table is split (an IRO-service file is left to its reader).
    let rest: Vec<String> = header
        .iter()
        .filter(|h| !placement.contains(h))
        .cloned()
        .collect();
    let table = match (c.declared, detect_normalised(&rest)) {
        (Some(t), _) => t,
        (None, HeaderMatch::Table(m) | HeaderMatch::Incomplete(m)) => m.table,
        (None, HeaderMatch::Unrecognised) => return out,
    };
    let Ok(bytes) = std::fs::read(&c.path) else {
        return out;
    };
    // As when the header was read from the first 64 KiB whole: a NUL there
    // leaves the file to the reader (UTF-16 or binary).
    if bytes[..bytes.len().min(PEEK_LIMIT)].contains(&0) {
        return out;
    }
    out.table = Some(table);
    out.year_column = year_col.is_some();
    out.placement_columns = placement;
    let file_sha256 = opts
        .hash_files
        .then(|| crate::read::encoding::sha256_hex(&bytes));
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);

    // Each record's start; its segment runs to the next record's start.
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(body);
    let mut rec = csv::ByteRecord::new();
    let mut records: Vec<(usize, Slot)> = Vec::new();
    let mut header_end = body.len();
    let mut first = true;
    // (column, value) → (rows, first line)
    let mut bad: BTreeMap<(String, String), (u64, u32, String)> = BTreeMap::new();
    let mut lines = LineCounter::new(body);
    let col_name = |i: Option<usize>, dflt: &str| {
        i.and_then(|i| header.get(i).cloned())
            .unwrap_or_else(|| dflt.to_string())
    };
    let la_name = col_name(la_col, "LA");
    let year_name = col_name(year_col, "YEAR");
    loop {
        let start = usize::try_from(rdr.position().byte()).unwrap_or(body.len());
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
        if first {
            first = false;
            header_end = usize::try_from(rdr.position().byte()).unwrap_or(body.len());
            continue;
        }
        let line = lines.line_of_content(start);
        let cell = |i: Option<usize>| {
            i.and_then(|i| rec.get(i))
                .map(|v| String::from_utf8_lossy(v).trim().to_string())
                .unwrap_or_default()
        };
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            // A blank row goes with its neighbours (read as `row.blank`).
            records.push((start, Slot::Blank));
            continue;
        }
        let la_raw = cell(la_col);
        let year_raw = cell(year_col);
        let la = if la_raw.is_empty() {
            c.la.ok_or_else(|| {
                if la_col.is_some() {
                    "LA is blank and the file is not in an LA folder".to_string()
                } else {
                    "the file has no LA column and is not in an LA folder".to_string()
                }
            })
        } else {
            names.resolve(&la_raw)
        };
        let year = if year_raw.is_empty() {
            c.year.ok_or_else(|| {
                if year_col.is_some() {
                    "YEAR is blank and the file is not in a year folder".to_string()
                } else {
                    "the file has no YEAR column and is not in a year folder".to_string()
                }
            })
        } else {
            read_year(&year_raw).ok_or_else(|| {
                format!(
                    "`{year_raw}` is not a collection year (write the year the return ends, 2025, or the span, 2024-25)"
                )
            })
        };
        match (la, year) {
            (Ok(la), Ok(year)) => records.push((start, Slot::Placed(la, year))),
            (Err(why), _) => {
                let e = bad
                    .entry((la_name.clone(), la_raw))
                    .or_insert((0, line, why));
                e.0 += 1;
                records.push((start, Slot::Unplaced));
            }
            (_, Err(why)) => {
                let e = bad
                    .entry((year_name.clone(), year_raw))
                    .or_insert((0, line, why));
                e.0 += 1;
                records.push((start, Slot::Unplaced));
            }
        }
    }
    if first {
        // Not even a header: read as it is (the reader reports it).
        out.parts = None;
        out.table = None;
        return out;
    }

    let mut parts: BTreeMap<(LaCode, CollectionYear), Part> = BTreeMap::new();
    let mut prev: Option<(LaCode, CollectionYear)> = None;
    // Blank rows before any placed row go with the first placed row.
    let first_place = records.iter().find_map(|(_, s)| match s {
        Slot::Placed(la, y) => Some((*la, *y)),
        _ => None,
    });
    let mut lines = LineCounter::new(body);
    for (k, &(start, place)) in records.iter().enumerate() {
        let end = records.get(k + 1).map_or(body.len(), |r| r.0);
        let place = match place {
            Slot::Unplaced => continue,
            Slot::Placed(la, y) => (la, y),
            Slot::Blank => match prev.or(first_place) {
                Some(p) => p,
                None => continue,
            },
        };
        prev = Some(place);
        let line = lines.line_of_content(start);
        let part = parts.entry(place).or_insert_with(|| Part {
            bytes: body[..header_end].to_vec(),
            lines: Vec::new(),
            file_sha256: file_sha256.clone(),
            xml: None,
            sheet: None,
        });
        part.bytes.extend_from_slice(&body[start..end]);
        // The file's last row may have no line end: give it one, so that a
        // row appended after it does not run on.
        if !matches!(part.bytes.last(), Some(b'\n' | b'\r')) {
            part.bytes.push(b'\n');
        }
        part.lines.push(line);
    }

    let where_ = match (c.la, c.year) {
        (Some(la), Some(y)) => format!(" (folder {la}/{})", y.0),
        (Some(la), None) => format!(" (LA folder {la})"),
        _ => String::new(),
    };
    let summary: Vec<String> = parts
        .iter()
        .take(12)
        .map(|((la, y), p)| format!("{la} {} ({} rows)", y.label(), p.lines.len()))
        .collect();
    let more = if parts.len() > 12 {
        format!(" and {} more", parts.len() - 12)
    } else {
        String::new()
    };
    let mut info = Diagnostic::new(
        Severity::Info,
        rules::FILE_PLACED_BY_COLUMNS,
        format!(
            "{table} file with {} column(s){where_}: rows placed by them in {} authority-year(s): {}{more}",
            out.placement_columns.join(", "),
            parts.len(),
            summary.join(", ")
        ),
    );
    info.file = Some(c.path.clone());
    info.table = Some(table);
    info.la = c.la;
    info.year = c.year;
    out.diagnostics.push(info);
    if let Some(la) = c.la {
        let elsewhere: Vec<String> = parts
            .iter()
            .filter(|((pla, py), _)| *pla != la || c.year.is_some_and(|y| y != *py))
            .map(|((pla, py), p)| format!("{pla} {} ({} rows)", py.label(), p.lines.len()))
            .collect();
        if !elsewhere.is_empty() {
            let folder = match c.year {
                Some(y) => format!("{la} {}", y.label()),
                None => la.to_string(),
            };
            let mut d = Diagnostic::new(
                Severity::Warning,
                rules::FILE_PLACEMENT_DISAGREES,
                format!(
                    "the {} column(s) put rows elsewhere than the folder ({folder}): {}; they are read there",
                    out.placement_columns.join(", "),
                    elsewhere.join(", ")
                ),
            );
            d.file = Some(c.path.clone());
            d.table = Some(table);
            d.la = Some(la);
            d.year = c.year;
            out.diagnostics.push(d);
        }
    }
    for ((column, value), (rows, line, why)) in bad {
        let rule = if column == la_name {
            rules::ROW_LA_UNKNOWN
        } else {
            rules::ROW_YEAR_UNREADABLE
        };
        let mut d = Diagnostic::new(
            Severity::Error,
            rule,
            format!("{why}; {rows} row(s) excluded (first at line {line})"),
        );
        d.file = Some(c.path.clone());
        d.table = Some(table);
        d.la = c.la;
        d.year = c.year;
        d.line = Some(u64::from(line));
        d.field = Some(column.clone());
        d.value = (!value.is_empty()).then(|| value.clone());
        out.diagnostics.push(d);
        out.unplaced.push(UnplacedRows {
            path: c.path.clone(),
            table: Some(table),
            column,
            value,
            rows,
        });
    }
    out.parts = Some(parts);
    out
}

/// Where a row of a split file goes.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// Every field blank: goes with the row before (read as `row.blank`).
    Blank,
    Placed(LaCode, CollectionYear),
    /// Its LA or YEAR cannot be read: excluded here, reported per value.
    Unplaced,
}

/// Physical line numbers (header = line 1) of byte offsets met in order:
/// LF, CRLF and lone CR each end a line.
struct LineCounter<'a> {
    body: &'a [u8],
    at: usize,
    line: u32,
}

impl<'a> LineCounter<'a> {
    fn new(body: &'a [u8]) -> Self {
        LineCounter {
            body,
            at: 0,
            line: 1,
        }
    }

    /// The line of the first byte at or after `start` that is not a line
    /// break (a record's segment may begin with blank lines).
    fn line_of_content(&mut self, start: usize) -> u32 {
        let mut s = start.min(self.body.len());
        while s < self.body.len() && matches!(self.body[s], b'\n' | b'\r') {
            s += 1;
        }
        self.advance(s);
        self.line
    }

    fn advance(&mut self, to: usize) {
        let to = to.max(self.at);
        let mut i = self.at;
        while i < to {
            match self.body[i] {
                b'\n' => self.line += 1,
                b'\r' if self.body.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            i += 1;
        }
        self.at = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_are_compared_loosely() {
        let names: Vec<String> = ["CHILD", "LA CODE", "COLLECTION-YEAR", "LA"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (la, year, all) = placement_columns(&names);
        assert_eq!(la, Some(1), "a code column is preferred to LA");
        assert_eq!(year, Some(2));
        assert_eq!(all, vec!["LA CODE", "COLLECTION-YEAR", "LA"]);
    }

    #[test]
    fn la_values_are_codes_names_or_ons_codes() {
        let opts = LoadOptions {
            la_aliases: vec![
                ("Kent".into(), LaCode::new(886).unwrap()),
                ("E10000016".into(), LaCode::new(886).unwrap()),
                ("Brighton & Hove".into(), LaCode::new(846).unwrap()),
            ],
            ..LoadOptions::default()
        };
        let n = LaNames::new(&opts);
        assert_eq!(n.resolve("886"), Ok(LaCode::new(886).unwrap()));
        assert_eq!(n.resolve("886.0"), Ok(LaCode::new(886).unwrap()));
        assert_eq!(n.resolve(" kent "), Ok(LaCode::new(886).unwrap()));
        assert_eq!(n.resolve("e10000016"), Ok(LaCode::new(886).unwrap()));
        assert_eq!(
            n.resolve("Brighton and Hove"),
            Ok(LaCode::new(846).unwrap())
        );
        assert!(n.resolve("Narnia").unwrap_err().contains("`Narnia`"));
        let bare = LaNames::new(&LoadOptions::default());
        assert!(
            bare.resolve("Kent")
                .unwrap_err()
                .contains("no reference data")
        );
    }

    #[test]
    fn lines_count_every_ending() {
        let body = b"H\r\na\rb\n\nc";
        let mut l = LineCounter::new(body);
        assert_eq!(l.line_of_content(3), 2);
        assert_eq!(l.line_of_content(5), 3);
        assert_eq!(l.line_of_content(7), 5);
    }

    /// The header as the csv reader gives it from the first 64 KiB, as
    /// `peek_header` read it before it read only the first row.
    fn header_by_csv_reader(bytes: &[u8]) -> Option<Vec<String>> {
        let buf = &bytes[..bytes.len().min(PEEK_LIMIT)];
        if buf.contains(&0) {
            return None;
        }
        let body = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf);
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(body);
        let mut rec = csv::ByteRecord::new();
        rdr.read_byte_record(&mut rec).ok()?;
        Some(rec.iter().map(normalise_header).collect())
    }

    fn peek_bytes(bytes: &[u8]) -> Option<Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        peek_header(&path)
    }

    #[test]
    fn the_header_row_is_read_as_the_csv_reader_reads_it() {
        let long_cell = format!("CHILD,{},YEAR\nx", "A".repeat(70_000));
        let late_quote = format!("CHILD,LA\n{}\"1\",2\n", "1,2\n".repeat(3000));
        let cases: Vec<&[u8]> = vec![
            b"",
            b"\n\r\n",
            b"CHILD,LA,YEAR",
            b"CHILD,LA,YEAR\r\n1,2,3\r\n",
            b"\xEF\xBB\xBFCHILD, la code ,YEAR\n1,2,3",
            b"\r\n\nCHILD,LA\r1,2",
            b"CHILD,\"LA\nCODE\",YEAR\n1,2,3",
            b"CHILD,LA\n\"quoted\",2",
            b"C\0H\0I\0L\0D\0",
            b"\xFF\xFEC\0H\0",
            b"CHILD,,YEAR,\n",
            long_cell.as_bytes(),
            late_quote.as_bytes(),
        ];
        for bytes in cases {
            assert_eq!(
                peek_bytes(bytes),
                header_by_csv_reader(bytes),
                "{:?}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(60)])
            );
        }
    }

    #[test]
    fn a_nul_in_the_first_64_kib_leaves_a_pooled_file_unsplit() {
        let header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,LA,YEAR\n";
        let row = "1,1,01/01/2010,WBRI,A123,,,801,2025\n";
        let dir = tempfile::tempdir().unwrap();
        let c = |path: PathBuf| Candidate {
            path,
            la: None,
            year: None,
            declared: None,
            year_source: YearSource::Column,
            task: None,
        };
        let names = LaNames::new(&LoadOptions::default());
        let clean = dir.path().join("clean.csv");
        std::fs::write(&clean, format!("{header}{}", row.repeat(400))).unwrap();
        assert!(
            split_file(&c(clean), &names, &LoadOptions::default())
                .parts
                .is_some()
        );
        // The NUL lies well after the first row, which is all that is peeked.
        let nul = dir.path().join("nul.csv");
        std::fs::write(&nul, format!("{header}{}\0\n", row.repeat(400))).unwrap();
        assert!(std::fs::metadata(&nul).unwrap().len() < PEEK_LIMIT as u64);
        assert!(peek_header(&nul).is_some());
        assert!(
            split_file(&c(nul), &names, &LoadOptions::default())
                .parts
                .is_none()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_first_row_is_read_as_the_csv_reader_reads_it(
            bytes in proptest::collection::vec(
                proptest::sample::select(b"AB ,\r\n\"\xEF".to_vec()), 0..40)
        ) {
            proptest::prop_assert_eq!(peek_bytes(&bytes), header_by_csv_reader(&bytes));
        }
    }
}
