//! Reading one file: encoding checks, the header row, and every data row parsed
//! from bytes into a staged row (or excluded with a diagnostic).

use chrono::NaiveDate;
use csv::ByteRecord;
use iro_domain::*;
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use crate::child_id::{ChildBytes, clean_child_bytes};
use crate::dates::{DateValue, parse_date};
use crate::header::{
    ColumnMap, HeaderMatch, detect_normalised, has_columns, map_columns, normalise_header,
};
use crate::lines::{LineCounter, line_ends_in};
use crate::loaded::{FileInfo, FileStatus};
use crate::options::LoadOptions;
use crate::rules;
use crate::source::FileTask;
use crate::staged::*;

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
    pub mod sw {
        pub const SW_ID: usize = 2;
        pub const SW_DECOM: usize = 3;
        pub const SW_DEC: usize = 4;
        pub const SW_REASON: usize = 5;
    }
}

const PREV_PERM_CODES: &[&str] = &["P1", "P2", "P3", "P4", "Z1"];
const SW_REASON_CODES: &[&str] = &[
    "MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED",
    "OTHERS",
];
const SDQ_REASON_CODES: &[&str] = &["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"];
const RD_CODES: &[&str] = &["RD1", "RD2", "RD3", "RD4"];

/// A small direct-mapped cache of parsed codes, keyed by the raw bytes: a
/// column holds few distinct codes, so nearly every lookup hits.
///
/// Parsing is a pure function of the bytes, so the caches are kept from file
/// to file (in the thread's [`Scratch`]).
#[derive(Debug)]
pub(crate) struct CodeCache<T> {
    slots: [(u64, Option<T>); 64],
}

impl<T: Copy> Default for CodeCache<T> {
    fn default() -> Self {
        // Key 0 is never looked up: a key holds a non-zero length.
        CodeCache {
            slots: [(0, None); 64],
        }
    }
}

impl<T: Copy> CodeCache<T> {
    fn get(&mut self, raw: &[u8], parse: fn(&str) -> Option<T>) -> Option<T> {
        let Some(key) = pack7(raw) else {
            return std::str::from_utf8(raw).ok().and_then(parse);
        };
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize;
        let (k, v) = self.slots[slot];
        if k == key {
            return v;
        }
        let v = std::str::from_utf8(raw).ok().and_then(parse);
        self.slots[slot] = (key, v);
        v
    }
}

/// Up to 7 bytes and their count (in the top byte), packed into one integer:
/// equal keys mean equal strings. `None` for longer strings.
#[inline]
fn pack7(b: &[u8]) -> Option<u64> {
    let n = b.len();
    let bytes = if n >= 4 {
        if n > 7 {
            return None;
        }
        let head = u64::from(u32::from_le_bytes(b[..4].try_into().ok()?));
        let tail = u64::from(u32::from_le_bytes(b[n - 4..].try_into().ok()?));
        // The loads overlap on equal bytes, so or-ing them is exact.
        head | tail << ((n - 4) * 8)
    } else if n > 0 {
        let at = |i: usize| u64::from(b[i]) << (i * 8);
        at(0) | at(n / 2) | at(n - 1)
    } else {
        0
    };
    Some(bytes | (n as u64) << 56)
}

#[derive(Debug, Default)]
pub(crate) struct Caches {
    ethnic: CodeCache<Ethnicity>,
    rne: CodeCache<ReasonNewEpisode>,
    ls: CodeCache<LegalStatus>,
    cin: CodeCache<CategoryOfNeed>,
    place: CodeCache<PlacementType>,
    provider: CodeCache<PlaceProvider>,
    rec: CodeCache<ReasonEpisodeCeased>,
    rpc: CodeCache<ReasonPlaceChange>,
    review_code: CodeCache<ParticipationCode>,
    missing: CodeCache<MissingType>,
}

/// How much a field matters to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Required and needed to use the row: blank or unreadable excludes the row.
    Key,
    /// May be blank; unreadable excludes the row (an end date read as blank
    /// would make a closed spell look open).
    End,
    /// Required by the DfE but the row is usable without it: blank or
    /// unreadable gives a warning and `None`.
    Required,
    /// May be blank; unreadable gives a warning and `None`.
    Optional,
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
}

fn base_diag(task: &FileTask, sev: Severity, rule: &str, msg: String) -> Diagnostic {
    let mut d = Diagnostic::new(sev, rule, msg);
    d.la = Some(task.la);
    d.year = Some(task.year);
    d.file = Some(task.path.clone());
    d
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Line (1-based) of byte offset `at`.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    crate::lines::count_line_ends(bytes, 0, at) + 1
}

/// Why the bytes cannot be read as a CSV, if they cannot.
fn encoding_problem(bytes: &[u8]) -> Option<(&'static str, String)> {
    if bytes.trim_ascii().is_empty() {
        return Some((rules::FILE_EMPTY, "the file is empty".into()));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Some((
            rules::FILE_ENCODING,
            "the file is UTF-16 (byte-order mark found); save it as CSV UTF-8".into(),
        ));
    }
    let head = &bytes[..bytes.len().min(8192)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    if nuls > 0 {
        // UTF-16 without a BOM: NULs at every other byte of ASCII text.
        let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
        let half = head.len() / 2;
        if half > 0 && (odd * 10 >= half * 9 || even * 10 >= half * 9) {
            return Some((
                rules::FILE_ENCODING,
                "the file looks like UTF-16 text without a byte-order mark; save it as CSV UTF-8"
                    .into(),
            ));
        }
        let what = if bytes.starts_with(b"PK\x03\x04") {
            " (it looks like a zip or .xlsx workbook)"
        } else {
            ""
        };
        return Some((
            rules::FILE_BINARY,
            format!("the file holds binary data{what}, not CSV text"),
        ));
    }
    None
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

/// Roughly how many lines `body` has (from its first 4 KiB), to size vectors.
fn estimate_lines(body: &[u8]) -> usize {
    let sample = &body[..body.len().min(1 << 12)];
    let n = sample.iter().filter(|&&b| b == b'\n').count().max(1);
    n * body.len() / sample.len().max(1) + n / 8 + 16
}

/// Reads and parses one file. Never fails: problems become diagnostics.
pub(crate) fn read_file(idx: u32, task: &FileTask, opts: &LoadOptions) -> ParsedFile {
    let mut out = ParsedFile {
        idx,
        info: FileInfo {
            path: task.path.clone(),
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
    };
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
    out
}

/// Checks the bytes of a file (size, hash, encoding) and says where parsing
/// starts, or `None` when the file cannot be read as a CSV.
fn check_bytes(
    out: &mut ParsedFile,
    task: &FileTask,
    opts: &LoadOptions,
    bytes: &[u8],
) -> Option<BodyFacts> {
    out.info.bytes = bytes.len() as u64;
    if opts.hash_files {
        out.info.sha256 = Some(hex(&Sha256::digest(bytes)));
    }
    if let Some((rule, msg)) = encoding_problem(bytes) {
        out.diags.push(base_diag(task, Severity::Error, rule, msg));
        return None;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8 = if body.is_ascii() {
        Ok(())
    } else {
        std::str::from_utf8(body).map(|_| ())
    };
    if let Err(e) = utf8 {
        let mut d = base_diag(
            task,
            Severity::Warning,
            rules::FILE_INVALID_UTF8,
            "the file is not valid UTF-8 (perhaps saved as Windows-1252); codes and dates are read, other text may show U+FFFD".into(),
        );
        d.line = Some(line_of(body, e.valid_up_to()));
        out.diags.push(d);
    }
    Some(BodyFacts {
        start: (bytes.len() - body.len()) as u64,
        may_have_quotes: body.contains(&b'"'),
        // A row takes at least two bytes.
        lines: estimate_lines(body).min(body.len() / 2 + 1),
    })
}

/// What is known about a file's bytes before parsing.
#[derive(Debug, Clone, Copy)]
struct BodyFacts {
    /// Where the CSV starts (after a byte-order mark).
    start: u64,
    may_have_quotes: bool,
    lines: usize,
}

type CsvReader = csv::Reader<std::io::Cursor<Vec<u8>>>;

/// What each thread keeps from file to file: building a CSV reader costs as
/// much as parsing a small file, and the buffers only need to grow once.
pub(crate) struct Scratch {
    rdr: CsvReader,
    child_map: ChildMap,
    /// Recent postcodes, keyed by their raw bytes (see [`pack_bytes`]).
    postcode_cache: Box<PostcodeCache>,
    caches: Box<Caches>,
}

/// Parsed postcodes by raw value (a pure function of the bytes, so the cache
/// is kept from file to file: an authority's postcodes recur year after year).
type PostcodeCache = [(u128, Option<Postcode>); 256];

/// Up to 15 bytes and their count, packed into one integer (`None` for longer
/// strings). Equal keys mean equal strings, and keys compare as the strings
/// do (byte order). Built from a few overlapping loads, not byte by byte.
#[inline]
pub(crate) fn pack_bytes(b: &[u8]) -> Option<u128> {
    let n = b.len();
    let (lo, hi) = if n >= 8 {
        if n > 15 {
            return None;
        }
        let head = u64::from_le_bytes(b[..8].try_into().ok()?);
        let tail = u64::from_le_bytes(b[n - 8..].try_into().ok()?);
        // Bytes 8.. are the top `n - 8` bytes of `tail`.
        (head, if n == 8 { 0 } else { tail >> ((16 - n) * 8) })
    } else if n >= 4 {
        let head = u64::from(u32::from_le_bytes(b[..4].try_into().ok()?));
        let tail = u64::from(u32::from_le_bytes(b[n - 4..].try_into().ok()?));
        // The loads overlap on equal bytes, so or-ing them is exact.
        (head | tail << ((n - 4) * 8), 0)
    } else if n > 0 {
        let at = |i: usize| u64::from(b[i]) << (i * 8);
        (at(0) | at(n / 2) | at(n - 1), 0)
    } else {
        (0, 0)
    };
    let hi = hi | (n as u64) << 56;
    Some((u128::from(lo.swap_bytes()) << 64) | u128::from(hi.swap_bytes()))
}

/// A slot in a direct-mapped cache of `1 << bits` entries for a packed key.
#[inline]
fn slot_of(key: u128, bits: u32) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

/// One file's CHILD identifiers (as cleaned) → file-local index. Identifiers
/// of up to 15 bytes (nearly all) are keyed by their packed bytes.
#[derive(Debug, Default)]
pub(crate) struct ChildMap {
    short: FxHashMap<u128, u32>,
    long: FxHashMap<IdBuf, u32>,
}

impl ChildMap {
    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }

    fn capacity(&self) -> usize {
        self.short.capacity() + self.long.capacity()
    }

    pub fn reserve(&mut self, n: usize) {
        self.short.reserve(n);
    }

    /// Sets the index of `id` to `i` if it has none, or to `clash` if it
    /// has another.
    pub fn insert_or_mark(&mut self, id: &[u8], i: u32, clash: u32) {
        let e = match pack_bytes(id) {
            Some(k) => self.short.entry(k).or_insert(i),
            None => self.long.entry(IdBuf::new(id)).or_insert(i),
        };
        if *e != i {
            *e = clash;
        }
    }

    /// The index of `id` (packed as `key` when short).
    #[inline]
    pub fn get(&self, id: &[u8], key: Option<u128>) -> Option<u32> {
        match key {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(&IdBuf::new(id)).copied(),
        }
    }

    /// Sets the index of `id`.
    pub fn insert(&mut self, id: &[u8], i: u32) {
        match pack_bytes(id) {
            Some(k) => self.short.insert(k, i),
            None => self.long.insert(IdBuf::new(id), i),
        };
    }

    /// The index of `id` (packed as `key` when short), inserting `next` if
    /// it is new.
    fn get_or_insert(&mut self, id: &[u8], key: Option<u128>, next: u32) -> u32 {
        match key {
            Some(k) => *self.short.entry(k).or_insert(next),
            None => *self.long.entry(IdBuf::new(id)).or_insert(next),
        }
    }
}

impl Scratch {
    fn new() -> Self {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(std::io::Cursor::new(Vec::new()));
        // Seeking marks the reader so that it never treats a row as headers.
        let _ = rdr.seek_raw(std::io::SeekFrom::Start(0), csv::Position::new());
        Scratch {
            rdr,
            child_map: ChildMap::default(),
            // Key 0 is the empty string, never looked up.
            postcode_cache: Box::new([(0, None); 256]),
            caches: Box::default(),
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Option<Scratch>> = const { std::cell::RefCell::new(None) };
}

fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => f(slot.get_or_insert_with(Scratch::new)),
        Err(_) => f(&mut Scratch::new()),
    })
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
        && let Some(table) = crate::service::recognise(&names)
    {
        out.info.status = FileStatus::ServiceRecords(table);
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

/// One row's fields: `data[a..b]` for each `(a, b)` of `bounds`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'r> {
    data: &'r [u8],
    bounds: &'r [(usize, usize)],
    /// The line the csv reader gives the row (see [`Splitter`]).
    line: u64,
}

impl<'r> Fields<'r> {
    fn new(data: &'r [u8], bounds: &'r [(usize, usize)], line: u64) -> Self {
        Fields { data, bounds, line }
    }

    #[inline]
    fn get(&self, i: usize) -> Option<&'r [u8]> {
        let &(a, b) = self.bounds.get(i)?;
        self.data.get(a..b)
    }

    fn len(&self) -> usize {
        self.bounds.len()
    }

    fn iter(&self) -> impl Iterator<Item = &'r [u8]> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or_default())
    }

    /// The bytes from the first field to the last (for a csv record, its
    /// fields end to end).
    fn bytes(&self) -> &'r [u8] {
        match (self.bounds.first(), self.bounds.last()) {
            (Some(&(a, _)), Some(&(_, b))) => self.data.get(a..b).unwrap_or_default(),
            _ => b"",
        }
    }
}

/// The bytes that end a field when there are no quotes: `,`, `\r`, `\n`.
static ENDS_FIELD: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// A word whose lowest set bit is the top bit of the first byte of `x` (in
/// memory order) that is `,`, `\r` or `\n`; 0 if there is none. (Bits above
/// that first one may be wrong: only the lowest is used.)
#[inline]
fn field_ends(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    zero(x ^ (ONES * u64::from(b',')))
        | zero(x ^ (ONES * u64::from(b'\n')))
        | zero(x ^ (ONES * u64::from(b'\r')))
}

/// Splits CSV bytes that hold no quote character into rows exactly as the csv
/// reader does (flexible, `,`-separated, `\r`, `\n` or `\r\n` ending a row,
/// empty lines skipped), giving each row its physical line (see
/// [`crate::lines`]): `\n`, `\r\n` and a lone `\r` each end one line, and
/// blank lines count.
#[derive(Debug)]
pub(crate) struct Splitter<'a> {
    buf: &'a [u8],
    at: usize,
    /// The line of byte `at`.
    line: u64,
}

impl<'a> Splitter<'a> {
    /// Starts at byte `at` of `buf`, which is on line `line`.
    pub(crate) fn new(buf: &'a [u8], at: usize, line: u64) -> Self {
        Splitter { buf, at, line }
    }

    /// The next row: the bytes its `bounds` index and its line.
    pub(crate) fn next_record(
        &mut self,
        bounds: &mut Vec<(usize, usize)>,
    ) -> Option<(&'a [u8], u64)> {
        let buf = self.buf;
        // Empty lines.
        let mut i = self.at;
        while let Some(&b) = buf.get(i) {
            match b {
                b'\n' => self.line += 1,
                // The `\n` of a `\r\n` counts the line.
                b'\r' if buf.get(i + 1) != Some(&b'\n') => self.line += 1,
                b'\r' => {}
                _ => break,
            }
            i += 1;
        }
        if i >= buf.len() {
            self.at = buf.len();
            return None;
        }
        let line = self.line;
        bounds.clear();
        let mut start = i;
        loop {
            // Most bytes end nothing: skip them eight at a time.
            while let Some(word) = buf.get(i..i + 8) {
                let m = field_ends(<[u8; 8]>::try_from(word).map_or(0, u64::from_le_bytes));
                if m != 0 {
                    i += (m.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            while let Some(&b) = buf.get(i)
                && !ENDS_FIELD[usize::from(b)]
            {
                i += 1;
            }
            match buf.get(i) {
                Some(b',') => {
                    bounds.push((start, i));
                    start = i + 1;
                }
                Some(b'\n') => {
                    bounds.push((start, i));
                    self.line += 1;
                    i += 1;
                    break;
                }
                // A `\n` after it is consumed (and counted) with the next row.
                Some(b'\r') => {
                    bounds.push((start, i));
                    if buf.get(i + 1) != Some(&b'\n') {
                        self.line += 1;
                    }
                    i += 1;
                    break;
                }
                Some(_) => {}
                None => {
                    bounds.push((start, i));
                    break;
                }
            }
            i += 1;
        }
        self.at = i;
        Some((buf, line))
    }
}

/// How one date column of a file reads, for telling month-first columns
/// (US-style `MM/DD/YYYY`, from a spreadsheet set to a US locale) from
/// day-first ones.
#[derive(Debug, Clone, Default)]
struct DateOrder {
    /// Values only day-first can read: the first number above 12.
    only_day_first: u64,
    /// Values only month-first can read: the second number 13 to 31, the
    /// first 12 or under.
    only_month_first: u64,
    first_month_first_line: u32,
    example: String,
    /// In a column read month-first: values so read, and ambiguous ones.
    read_month_first: u64,
    ambiguous: u64,
    first_ambiguous_line: u32,
}

/// A column is read month-first when at least this many of its values can
/// only be month-first and none can only be day-first (one stray value is a
/// typo, not a format).
const MONTH_FIRST_MIN: u64 = 2;

/// The two numbers and the year of a `N/N/YYYY` date (one or two digits
/// each, an optional time of day after a space or `T`).
fn day_month_year(raw: &[u8]) -> Option<(u32, u32, i32)> {
    let date = match raw.iter().position(|&b| b == b' ' || b == b'T') {
        Some(cut) => &raw[..cut],
        None => raw,
    };
    let mut parts = date.split(|&b| b == b'/');
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !(1..=2).contains(&a.len()) || !(1..=2).contains(&b.len()) {
        return None;
    }
    if y.len() != 4 {
        return None;
    }
    let num = |s: &[u8]| -> Option<u32> {
        s.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    Some((num(a)?, num(b)?, num(y)? as i32))
}

/// A warning reported once per file with a count (dates written ISO, a SEX
/// coding from another year, CHILD written as `123.0`…).
#[derive(Debug)]
struct Aggregate {
    rule: &'static str,
    column: usize,
    key: String,
    first_line: u32,
    first_value: String,
    count: u64,
    message: String,
}

struct RowParser<'a> {
    child_map: &'a mut ChildMap,
    postcode_cache: &'a mut PostcodeCache,
    file: u32,
    task: &'a FileTask,
    table: TableKind,
    cols: &'a ColumnMap,
    header_len: usize,
    diags: Vec<Diagnostic>,
    aggregates: Vec<Aggregate>,
    child_ids: IdList,
    caches: &'a mut Caches,
    child_first_line: Vec<u32>,
    rows_read: u64,
    rows_excluded: u64,
    blank_rows: u64,
    first_blank_line: u32,
    /// Rows consistent with collection years Y-3 ..= Y+3 (Episodes, Reviews).
    year_hits: [u64; 7],
    dated_rows: u64,
    /// First and last day of collection years Y-3 ..= Y+3.
    year_bounds: [(NaiveDate, NaiveDate); 7],
    /// 31 March of the file's collection year.
    year_end: NaiveDate,
    /// Whether the file holds a quote at all (else no field can hold a line end).
    may_have_quotes: bool,
    /// The last CHILD read (packed, see [`pack_bytes`]) and its index (rows
    /// of one child usually follow each other).
    last_child: Option<(u128, u32)>,
    /// Whether every new short CHILD so far came after the one before (files
    /// are usually sorted by CHILD): then a CHILD after the last new one is
    /// new too, and short identifiers need no map until the order breaks.
    ids_ascending: bool,
    /// The last new short CHILD, packed, while `ids_ascending`.
    last_new_id: u128,
    /// Room to reserve in the map if the order breaks.
    expected_children: usize,
    /// Per column of the table: how its dates read (day-first or month-first).
    date_order: Vec<DateOrder>,
    /// Per column: read month-first (this is the second reading of a file
    /// whose first found the column month-first). Empty: none.
    month_first: Vec<bool>,
    /// Data records met so far (a split file's part maps them to lines).
    record_no: usize,
    // Per-row state.
    line: u32,
    excluded: bool,
}

impl<'a> RowParser<'a> {
    fn new(
        file: u32,
        task: &'a FileTask,
        cols: &'a ColumnMap,
        header_len: usize,
        child_map: &'a mut ChildMap,
        postcode_cache: &'a mut PostcodeCache,
        caches: &'a mut Caches,
    ) -> Self {
        RowParser {
            child_map,
            postcode_cache,
            file,
            task,
            table: cols.table,
            cols,
            header_len,
            diags: Vec::new(),
            aggregates: Vec::new(),
            child_ids: IdList::default(),
            caches,
            child_first_line: Vec::new(),
            rows_read: 0,
            rows_excluded: 0,
            blank_rows: 0,
            first_blank_line: 0,
            year_hits: [0; 7],
            dated_rows: 0,
            may_have_quotes: true,
            year_bounds: std::array::from_fn(|k| {
                let c = CollectionYear(task.year.0 + k as i32 - 3);
                (c.start(), c.end())
            }),
            year_end: task.year.end(),
            last_child: None,
            ids_ascending: true,
            last_new_id: 0,
            expected_children: 0,
            date_order: vec![DateOrder::default(); cols.table.columns().len()],
            month_first: Vec::new(),
            record_no: 0,
            line: 0,
            excluded: false,
        }
    }

    /// Reads the flagged columns month-first (see [`DateOrder`]).
    fn set_month_first(&mut self, columns: &[bool]) {
        if columns.iter().any(|&f| f) {
            self.month_first = columns.to_vec();
        }
    }

    /// The columns that read as month-first, if any: some values can only be
    /// month-first (at least two), none can only be day-first.
    fn month_first_columns(&self) -> Option<Vec<bool>> {
        let flags: Vec<bool> = self
            .date_order
            .iter()
            .map(|o| o.only_month_first >= MONTH_FIRST_MIN && o.only_day_first == 0)
            .collect();
        flags.iter().any(|&f| f).then_some(flags)
    }

    fn year(&self) -> CollectionYear {
        self.task.year
    }

    fn source(&self) -> SourceRef {
        SourceRef {
            file: self.file,
            line: self.line,
        }
    }

    #[inline]
    fn field<'r>(&self, rec: &Fields<'r>, c: usize) -> &'r [u8] {
        match self.cols.index[c] {
            Some(i) => rec.get(i).unwrap_or(b"").trim_ascii(),
            None => b"",
        }
    }

    fn name(&self, c: usize) -> &'static str {
        self.table.columns()[c]
    }

    #[cold]
    #[inline(never)]
    fn diag(
        &mut self,
        sev: Severity,
        rule: &str,
        c: Option<usize>,
        value: Option<&[u8]>,
        msg: String,
    ) {
        let mut d = base_diag(self.task, sev, rule, msg);
        d.table = Some(self.table);
        d.line = Some(self.line as u64);
        if let Some(c) = c {
            d.column = self.cols.index[c].map(|i| i as u32 + 1);
            d.field = Some(self.name(c).to_string());
        }
        d.value = value.map(show_value);
        if sev == Severity::Error {
            self.excluded = true;
        }
        self.diags.push(d);
    }

    /// Gives the diagnostic just reported a personal detail (see
    /// [`Diagnostic::personal_detail`]).
    fn personal_detail(&mut self, detail: Option<String>) {
        if let Some(d) = self.diags.last_mut() {
            d.personal_detail = detail;
        }
    }

    #[cold]
    #[inline(never)]
    fn aggregate(
        &mut self,
        rule: &'static str,
        c: usize,
        key: &str,
        value: &[u8],
        message: String,
    ) {
        if let Some(a) = self
            .aggregates
            .iter_mut()
            .find(|a| a.rule == rule && a.column == c && a.key == key)
        {
            a.count += 1;
            return;
        }
        self.aggregates.push(Aggregate {
            rule,
            column: c,
            key: key.to_string(),
            first_line: self.line,
            first_value: String::from_utf8_lossy(value).into_owned(),
            count: 1,
            message,
        });
    }

    // ---- field readers -------------------------------------------------------

    fn child(&mut self, rec: &Fields) -> ChildIdx {
        let raw = self.field(rec, col::CHILD);
        let key = pack_bytes(raw);
        if let (Some(k), Some((last, i))) = (key, self.last_child)
            && k == last
        {
            return ChildIdx(i);
        }
        // Identifiers are stored cleaned, and cleaning a cleaned identifier
        // gives it back unchanged with nothing to report: a value found as
        // written is clean. (While identifiers ascend, short ones are not in
        // the map; they are found below, once cleaned.)
        if (!self.ids_ascending || key.is_none())
            && let Some(i) = self.child_map.get(raw, key)
        {
            if let Some(k) = key {
                self.last_child = Some((k, i));
            }
            return ChildIdx(i);
        }
        let id = match clean_child_bytes(raw) {
            ChildBytes::Ok(s) => s,
            ChildBytes::ExcelFloat(s) => {
                self.aggregate(
                    rules::CHILD_EXCEL_FLOAT,
                    col::CHILD,
                    "",
                    raw,
                    "CHILD written as a decimal number (e.g. `123.0`); `.0` removed".into(),
                );
                s
            }
            ChildBytes::Blank => {
                self.diag(
                    Severity::Error,
                    rules::CHILD_BLANK,
                    Some(col::CHILD),
                    None,
                    "CHILD is blank; row excluded".into(),
                );
                return ChildIdx(u32::MAX);
            }
            ChildBytes::Scientific => {
                self.diag(
                    Severity::Error,
                    rules::CHILD_EXCEL_SCIENTIFIC,
                    Some(col::CHILD),
                    Some(raw),
                    "CHILD is in scientific notation (a spreadsheet reformatted it) and its digits are lost; row excluded".into(),
                );
                return ChildIdx(u32::MAX);
            }
            ChildBytes::Invalid => {
                self.diag(
                    Severity::Error,
                    rules::CHILD_INVALID,
                    Some(col::CHILD),
                    Some(raw),
                    "CHILD holds invalid characters; row excluded".into(),
                );
                return ChildIdx(u32::MAX);
            }
        };
        let next = self.child_ids.len() as u32;
        // `id` is `raw` or a part of it: the same length means the same bytes.
        let clean = id.len() == raw.len();
        let id_key = if clean { key } else { pack_bytes(id) };
        let i = match id_key {
            // After every short identifier so far: new.
            Some(k) if self.ids_ascending && k > self.last_new_id => {
                self.last_new_id = k;
                next
            }
            _ => {
                if self.ids_ascending && id_key.is_some() {
                    self.index_short_ids();
                }
                self.child_map.get_or_insert(id, id_key, next)
            }
        };
        if i == next {
            self.child_ids.push(id);
            self.child_first_line.push(self.line);
        }
        // Only clean identifiers are remembered by their raw bytes.
        if clean && let Some(k) = key {
            self.last_child = Some((k, i));
        }
        ChildIdx(i)
    }

    /// The order of identifiers broke: from now on short ones are looked up
    /// in the map, which gets those read so far.
    #[cold]
    #[inline(never)]
    fn index_short_ids(&mut self) {
        self.ids_ascending = false;
        self.child_map.reserve(self.expected_children);
        for (i, id) in self.child_ids.iter().enumerate() {
            if let Some(k) = pack_bytes(id) {
                self.child_map.short.insert(k, i as u32);
            }
        }
    }

    #[inline]
    fn blank(&mut self, c: usize, role: Role) {
        if matches!(role, Role::Key | Role::Required) {
            self.blank_required(c, role);
        }
    }

    #[cold]
    #[inline(never)]
    fn blank_required(&mut self, c: usize, role: Role) {
        // A column the file lacks is reported once, at the header.
        if self.cols.index[c].is_none() {
            return;
        }
        let name = self.name(c);
        match role {
            Role::Key => self.diag(
                Severity::Error,
                rules::FIELD_REQUIRED_BLANK,
                Some(c),
                None,
                format!("{name} is blank; row excluded"),
            ),
            Role::Required => self.diag(
                Severity::Warning,
                rules::FIELD_REQUIRED_BLANK,
                Some(c),
                None,
                format!("{name} is blank"),
            ),
            Role::End | Role::Optional => {}
        }
    }

    fn date(&mut self, rec: &Fields, c: usize, role: Role) -> Option<NaiveDate> {
        let raw = self.field(rec, c);
        if !self.month_first.is_empty() && self.month_first.get(c) == Some(&true) {
            return self.date_month_first(raw, c, role);
        }
        // Fast path: DD/MM/YYYY.
        if let [d0, d1, b'/', m0, m1, b'/', y0, y1, y2, y3] = *raw {
            let digit = |b: u8| u32::from(b.wrapping_sub(b'0'));
            let (d0, d1, m0, m1) = (digit(d0), digit(d1), digit(m0), digit(m1));
            let (y0, y1, y2, y3) = (digit(y0), digit(y1), digit(y2), digit(y3));
            // `&`, not `&&`: eight independent tests, one branch.
            if (d0 < 10)
                & (d1 < 10)
                & (m0 < 10)
                & (m1 < 10)
                & (y0 < 10)
                & (y1 < 10)
                & (y2 < 10)
                & (y3 < 10)
            {
                let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
                let day = d0 * 10 + d1;
                if (1900..=2099).contains(&year)
                    && let Some(d) = NaiveDate::from_ymd_opt(year as i32, m0 * 10 + m1, day)
                {
                    if day > 12 {
                        self.date_order[c].only_day_first += 1;
                    }
                    return Some(d);
                }
            }
        }
        if raw.is_empty() {
            self.blank(c, role);
            return None;
        }
        self.date_slow(raw, c, role)
    }

    /// A date in a column read month-first: a value only month-first can
    /// read is read so; an ambiguous one (both parts 12 or under, and not
    /// equal) is unreadable: for a key or end date the row is excluded,
    /// otherwise the value is blanked. Both are counted for the column's one
    /// `date.month_first` diagnostic.
    #[cold]
    #[inline(never)]
    fn date_month_first(&mut self, raw: &[u8], c: usize, role: Role) -> Option<NaiveDate> {
        let Some((a, b, y)) = day_month_year(raw) else {
            return self.date_slow(raw, c, role);
        };
        let o = &mut self.date_order[c];
        if b > 12 && a <= 12 {
            o.only_month_first += 1;
            if o.first_month_first_line == 0 {
                o.first_month_first_line = self.line;
                o.example = String::from_utf8_lossy(raw).into_owned();
            }
            if let Some(d) = NaiveDate::from_ymd_opt(y, a, b) {
                o.read_month_first += 1;
                return Some(d);
            }
            // No such day either way (02/30/2024): as any bad date.
            return self.date_slow_unchecked(raw, c, role);
        } else if a != b && a <= 12 && b <= 12 {
            o.ambiguous += 1;
            if o.first_ambiguous_line == 0 {
                o.first_ambiguous_line = self.line;
            }
            if matches!(role, Role::Key | Role::End) {
                self.excluded = true;
            }
            return None;
        }
        self.date_slow(raw, c, role)
    }

    /// Dates not written DD/MM/YYYY, and bad ones.
    #[cold]
    #[inline(never)]
    fn date_slow(&mut self, raw: &[u8], c: usize, role: Role) -> Option<NaiveDate> {
        if self.month_first.get(c) != Some(&true)
            && let Some((a, b, _)) = day_month_year(raw)
        {
            let o = &mut self.date_order[c];
            if a > 12 {
                o.only_day_first += 1;
            } else if b > 12 && b <= 31 {
                o.only_month_first += 1;
                if o.first_month_first_line == 0 {
                    o.first_month_first_line = self.line;
                    o.example = String::from_utf8_lossy(raw).into_owned();
                }
            }
        }
        self.date_slow_unchecked(raw, c, role)
    }

    /// [`Self::date_slow`] without the day-first / month-first tally.
    fn date_slow_unchecked(&mut self, raw: &[u8], c: usize, role: Role) -> Option<NaiveDate> {
        match parse_date(raw) {
            DateValue::Ok(d) => Some(d),
            DateValue::Blank => {
                self.blank(c, role);
                None
            }
            DateValue::NonStandard(d) => {
                let name = self.name(c);
                self.aggregate(
                    rules::DATE_NONSTANDARD,
                    c,
                    "",
                    raw,
                    format!("{name} not written DD/MM/YYYY; read anyway"),
                );
                Some(d)
            }
            DateValue::Bad(p) => {
                let name = self.name(c);
                let (sev, what) = match role {
                    Role::Key | Role::End => (Severity::Error, "row excluded"),
                    Role::Required | Role::Optional => (Severity::Warning, "value ignored"),
                };
                let (hint, detail) = p.describe(name);
                self.diag(
                    sev,
                    rules::DATE_UNPARSABLE,
                    Some(c),
                    Some(raw),
                    format!("{name} cannot be read as a date: {hint}; {what}"),
                );
                self.personal_detail(detail);
                None
            }
        }
    }

    fn code<T: Copy>(
        &mut self,
        rec: &Fields,
        c: usize,
        role: Role,
        parse: fn(&str) -> Option<T>,
        cache: fn(&mut Caches) -> &mut CodeCache<T>,
    ) -> Option<T> {
        let raw = self.field(rec, c);
        if raw.is_empty() {
            self.blank(c, role);
            return None;
        }
        let v = cache(self.caches).get(raw, parse);
        if v.is_none() {
            self.unknown_code(c, role, raw);
        }
        v
    }

    #[cold]
    #[inline(never)]
    fn unknown_code(&mut self, c: usize, role: Role, raw: &[u8]) {
        let name = self.name(c);
        let (sev, what) = match role {
            Role::Key | Role::End => (Severity::Error, "row excluded"),
            Role::Required | Role::Optional => (Severity::Warning, "value ignored"),
        };
        let upper = String::from_utf8_lossy(raw).to_ascii_uppercase();
        let hint = match upper.as_str() {
            "E99" | "LIIAF" => " (a liia-tools placeholder, not a DfE code)",
            _ => "",
        };
        self.diag(
            sev,
            rules::CODE_UNKNOWN,
            Some(c),
            Some(raw),
            format!(
                "`{}` is not a valid {name} code{hint}; {what}",
                String::from_utf8_lossy(raw)
            ),
        );
    }

    /// A code kept as text, checked against a list.
    fn text_code(&mut self, rec: &Fields, c: usize, role: Role, list: &[&str]) -> Option<Box<str>> {
        let raw = self.field(rec, c);
        if raw.is_empty() {
            self.blank(c, role);
            return None;
        }
        if let Some(code) = list.iter().find(|c| c.as_bytes().eq_ignore_ascii_case(raw)) {
            return Some((*code).into());
        }
        let up = String::from_utf8_lossy(raw).to_ascii_uppercase();
        match role {
            // Required text codes (PREV_PERM) are kept as written.
            Role::Key => {
                let name = self.name(c);
                self.diag(
                    Severity::Warning,
                    rules::CODE_UNKNOWN,
                    Some(c),
                    Some(raw),
                    format!("`{up}` is not a valid {name} code; kept as written"),
                );
                Some(up.into())
            }
            _ => {
                self.unknown_code(c, role, raw);
                None
            }
        }
    }

    fn text(&mut self, rec: &Fields, c: usize, role: Role) -> Option<Box<str>> {
        let raw = self.field(rec, c);
        if raw.is_empty() {
            self.blank(c, role);
            return None;
        }
        Some(text_of(raw))
    }

    fn flag(&mut self, rec: &Fields, c: usize) -> Option<bool> {
        let raw = self.field(rec, c);
        match raw {
            b"" => None,
            b"0" | b"0.0" => Some(false),
            b"1" | b"1.0" => Some(true),
            _ => {
                let name = self.name(c);
                self.diag(
                    Severity::Warning,
                    rules::FIELD_INVALID,
                    Some(c),
                    Some(raw),
                    format!("{name} must be 0 or 1; value ignored"),
                );
                None
            }
        }
    }

    fn postcode(&mut self, rec: &Fields, c: usize) -> Option<Postcode> {
        let raw = self.field(rec, c);
        if raw.is_empty() {
            return None;
        }
        // The same postcodes recur row after row (a child's home, a placement).
        let parse = |raw: &[u8]| std::str::from_utf8(raw).ok().and_then(Postcode::parse);
        let p = match pack_bytes(raw) {
            Some(key) => {
                let e = &mut self.postcode_cache[slot_of(key, 8)];
                if e.0 != key {
                    *e = (key, parse(raw));
                }
                e.1
            }
            None => parse(raw),
        };
        if p.is_none() {
            let name = self.name(c);
            self.diag(
                Severity::Warning,
                rules::POSTCODE_INVALID,
                Some(c),
                Some(raw),
                format!("{name} is not a UK postcode; value ignored"),
            );
        }
        p
    }

    fn sex(&mut self, rec: &Fields, c: usize) -> Option<Sex> {
        let raw = self.field(rec, c);
        if raw.is_empty() {
            self.blank(c, Role::Required);
            return None;
        }
        match std::str::from_utf8(raw).ok().and_then(Sex::parse) {
            Some((sex, numeric)) => {
                let y = self.year().0;
                if numeric && y >= 2025 {
                    self.aggregate(
                        rules::CODE_NOT_VALID_IN_YEAR,
                        c,
                        "numeric",
                        raw,
                        format!("SEX uses the 1/2 coding, replaced by M/F/U from 2024-25 ({} return); read as M/F", self.year().label()),
                    );
                } else if !numeric && y <= 2024 {
                    self.aggregate(
                        rules::CODE_NOT_VALID_IN_YEAR,
                        c,
                        "letter",
                        raw,
                        format!(
                            "SEX uses the M/F/U coding, introduced in 2024-25 ({} return)",
                            self.year().label()
                        ),
                    );
                }
                Some(sex)
            }
            None => {
                self.unknown_code(c, Role::Required, raw);
                None
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn not_valid_in_year(&mut self, c: usize, code: &str, why: &str) {
        let name = self.name(c);
        let raw = code.as_bytes().to_vec();
        let msg = format!("{name} {code} {why} ({} return)", self.year().label());
        self.aggregate(rules::CODE_NOT_VALID_IN_YEAR, c, code, &raw, msg);
    }

    /// Counts a dated row against collection years Y-3 ..= Y+3; `fits` gets
    /// each year's first and last day.
    fn count_year(&mut self, fits: impl Fn(NaiveDate, NaiveDate) -> bool) {
        self.dated_rows += 1;
        for (k, &(start, end)) in self.year_bounds.iter().enumerate() {
            if fits(start, end) {
                self.year_hits[k] += 1;
            }
        }
    }

    // ---- rows ---------------------------------------------------------------

    fn row(&mut self, rec: &Fields, rows: &mut TableRows) {
        self.line = u32::try_from(rec.line).unwrap_or(u32::MAX);
        if let Some(part) = &self.task.part {
            // A part of a split file: the row's line in the file itself.
            if let Some(&l) = part.lines.get(self.record_no) {
                self.line = l;
            }
        }
        self.record_no += 1;
        self.excluded = false;
        self.rows_read += 1;

        if self.may_have_quotes
            && let slice = rec.bytes()
            && slice.iter().any(|&b| b == b'\n' || b == b'\r')
            && !self.breaks_only_in_other_columns(rec)
        {
            // Lines swallowed by the quote (a quote left open to the end of
            // the file also holds the final line end, which is not a line).
            let swallowed = line_ends_in(slice.trim_ascii_end());
            self.rows_read += swallowed;
            self.rows_excluded += swallowed + 1;
            let msg = if swallowed == 0 {
                "a quote is not closed (truncated row?); row excluded".to_string()
            } else {
                format!(
                    "a quote is not closed and runs over the next {swallowed} line(s); this row and those lines are excluded"
                )
            };
            self.diag(Severity::Error, rules::ROW_MALFORMED_QUOTE, None, None, msg);
            return;
        }
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            if self.blank_rows == 0 {
                self.first_blank_line = self.line;
            }
            self.blank_rows += 1;
            self.rows_excluded += 1;
            return;
        }
        if rec.len() < self.header_len
            || (rec.len() > self.header_len
                && rec
                    .iter()
                    .skip(self.header_len)
                    .any(|f| !f.trim_ascii().is_empty()))
        {
            let n = rec.len();
            let m = self.header_len;
            self.diag(
                Severity::Error,
                rules::ROW_RAGGED,
                None,
                None,
                format!("row has {n} fields but the header has {m}; row excluded"),
            );
            self.rows_excluded += 1;
            return;
        }

        let kept = match rows {
            TableRows::Header(v) => self.header(rec).map(|r| v.push(r)).is_some(),
            TableRows::Episodes(v) => self.episode(rec).map(|r| v.push(r)).is_some(),
            TableRows::Reviews(v) => self.review(rec).map(|r| v.push(r)).is_some(),
            TableRows::Uasc(v) => self.uasc(rec).map(|r| v.push(r)).is_some(),
            TableRows::Oc2(v) => self.oc2(rec).map(|r| v.push(r)).is_some(),
            TableRows::Oc3(v) => self.oc3(rec).map(|r| v.push(r)).is_some(),
            TableRows::Ad1(v) | TableRows::PlacedAdoption(v) => {
                self.raw_row(rec).map(|r| v.push(r)).is_some()
            }
            TableRows::PrevPerm(v) => self.prev_perm(rec).map(|r| v.push(r)).is_some(),
            TableRows::Missing(v) => self.missing(rec).map(|r| v.push(r)).is_some(),
            TableRows::SwEpisodes(v) => self.sw_episode(rec).map(|r| v.push(r)).is_some(),
        };
        if !kept {
            self.rows_excluded += 1;
        }
    }

    /// Whether a row whose bytes hold a line break is well formed, with the
    /// breaks only inside quoted fields of columns the table does not use (a
    /// case-notes column beside the SSDA903 ones): the row is read. A break
    /// in a column the table uses, or a row of the wrong length, is taken as
    /// a quote left open.
    fn breaks_only_in_other_columns(&self, rec: &Fields) -> bool {
        rec.len() == self.header_len
            && rec.iter().enumerate().all(|(i, f)| {
                !f.iter().any(|&b| b == b'\n' || b == b'\r') || !self.cols.index.contains(&Some(i))
            })
    }

    fn finish(&mut self) {
        self.report_month_first();
        if self.blank_rows > 0 {
            let n = self.blank_rows;
            let first = self.first_blank_line;
            self.line = first;
            self.diag(
                Severity::Info,
                rules::ROW_BLANK,
                None,
                None,
                format!("{n} row(s) with every field blank excluded (first at line {first})"),
            );
        }
        for a in std::mem::take(&mut self.aggregates) {
            self.line = a.first_line;
            let msg = if a.count > 1 {
                format!(
                    "{} — {} rows, first at line {}",
                    a.message, a.count, a.first_line
                )
            } else {
                a.message
            };
            self.diag(
                Severity::Warning,
                a.rule,
                Some(a.column),
                Some(a.first_value.as_bytes()),
                msg,
            );
        }
        // Does the file belong to its folder's year?
        let own = self.year_hits[3];
        if self.dated_rows >= 5 && own * 2 < self.dated_rows {
            let (best, hits) = self
                .year_hits
                .iter()
                .enumerate()
                .max_by_key(|(k, h)| (**h, std::cmp::Reverse(k.abs_diff(3))))
                .map(|(k, h)| (k, *h))
                .unwrap_or((3, own));
            if best != 3 && hits > own {
                let likely = CollectionYear(self.year().0 + best as i32 - 3);
                let mut d = base_diag(
                    self.task,
                    Severity::Warning,
                    rules::FILE_YEAR_MISMATCH,
                    format!(
                        "only {own} of {} rows fit the {} collection year its folder gives; {hits} fit {} — is this the {} return?",
                        self.dated_rows,
                        self.year().label(),
                        likely.label(),
                        likely.0
                    ),
                );
                d.table = Some(self.table);
                d.value = Some(likely.0.to_string());
                self.diags.push(d);
            }
        }
    }

    /// One `date.month_first` error per column read month-first.
    fn report_month_first(&mut self) {
        for c in 0..self.month_first.len() {
            if !self.month_first[c] {
                continue;
            }
            let o = std::mem::take(&mut self.date_order[c]);
            let name = self.name(c);
            let excludes = matches!(self.role_of(c), Role::Key | Role::End);
            let fate = match (o.ambiguous, excludes) {
                (0, _) => String::new(),
                (n, true) => format!(
                    "; {n} ambiguous (day and month both 12 or under) cannot be read either way: those rows are excluded, first at line {}",
                    o.first_ambiguous_line
                ),
                (n, false) => format!(
                    "; {n} ambiguous (day and month both 12 or under) cannot be read either way: those values are left blank, first at line {}",
                    o.first_ambiguous_line
                ),
            };
            self.line = o.first_month_first_line;
            let example = o.example.clone();
            self.diag(
                Severity::Error,
                rules::DATE_MONTH_FIRST,
                Some(c),
                Some(example.as_bytes()),
                format!(
                    "{name} looks month-first (MM/DD/YYYY): in {} dates the second number is above 12, in none the first; {} read month-first{fate}. Save the column as DD/MM/YYYY",
                    o.only_month_first, o.read_month_first
                ),
            );
            // `diag` marks the row excluded; this is no row.
            self.excluded = false;
        }
    }

    /// How the row reader treats a column (for the month-first report).
    fn role_of(&self, c: usize) -> Role {
        let name = self.name(c);
        match (self.table, name) {
            (TableKind::Episodes, "DECOM")
            | (TableKind::Reviews, "REVIEW")
            | (TableKind::Missing, "MIS_START")
            | (TableKind::SwEpisodes, "SW_DECOM") => Role::Key,
            (TableKind::Episodes, "DEC")
            | (TableKind::Missing, "MIS_END")
            | (TableKind::SwEpisodes, "SW_DEC") => Role::End,
            _ => Role::Optional,
        }
    }

    fn header(&mut self, rec: &Fields) -> Option<Staged<HeaderRow>> {
        use col::header::*;
        let child = self.child(rec);
        let sex = self.sex(rec, SEX);
        let dob = self.date(rec, DOB, Role::Required);
        let ethnic = self.code(rec, ETHNIC, Role::Required, Ethnicity::parse, |c| {
            &mut c.ethnic
        });
        let upn = self.text(rec, UPN, Role::Required);
        let mother = self.flag(rec, MOTHER);
        let mc_dob = self.date(rec, MC_DOB, Role::Optional);
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: HeaderRow {
                child,
                sex,
                dob,
                ethnic,
                upn,
                mother,
                mc_dob,
                year: self.year(),
                source: self.source(),
            },
        })
    }

    fn episode(&mut self, rec: &Fields) -> Option<Staged<Episode>> {
        use col::ep::*;
        let child = self.child(rec);
        let decom = self.date(rec, DECOM, Role::Key);
        let rne = self.code(rec, RNE, Role::Key, ReasonNewEpisode::parse, |c| &mut c.rne);
        let ls = self.code(rec, LS, Role::Key, LegalStatus::parse, |c| &mut c.ls);
        let cin = self.code(rec, CIN, Role::Required, CategoryOfNeed::parse, |c| {
            &mut c.cin
        });
        let place = self.code(rec, PLACE, Role::Required, PlacementType::parse, |c| {
            &mut c.place
        });
        let place_provider = self.code(
            rec,
            PLACE_PROVIDER,
            Role::Optional,
            PlaceProvider::parse,
            |c| &mut c.provider,
        );
        let dec = self.date(rec, DEC, Role::End);
        let mut rec_code = self.code(rec, REC, Role::Optional, ReasonEpisodeCeased::parse, |c| {
            &mut c.rec
        });
        let reason_place_change = self.code(
            rec,
            REASON_PLACE_CHANGE,
            Role::Optional,
            ReasonPlaceChange::parse,
            |c| &mut c.rpc,
        );
        let home_post = self.postcode(rec, HOME_POST);
        let pl_post = self.postcode(rec, PL_POST);
        let urn = self.text(rec, URN, Role::Optional);

        let y = self.year();
        if let Some(p) = place {
            use PlacementType::*;
            match p {
                K3 if y.0 < 2025 => {
                    self.not_valid_in_year(PLACE, "K3", "is only valid from 2024-25")
                }
                H5 | P2 | Z1 if y.0 >= 2026 => {
                    self.not_valid_in_year(PLACE, p.code(), "is not valid from 2025-26")
                }
                Z11 | Z12 | Z13 | Z14 if y.0 < 2026 => {
                    self.not_valid_in_year(PLACE, p.code(), "is only valid from 2025-26")
                }
                _ => {}
            }
        }
        if let Some(r) = rec_code {
            use ReasonEpisodeCeased::*;
            match r {
                E43 | E44 if y.0 >= 2019 => {
                    self.not_valid_in_year(REC, r.code(), "was replaced by E45–E48 in 2018-19")
                }
                E45 | E46 | E47 | E48 if y.0 < 2019 => {
                    self.not_valid_in_year(REC, r.code(), "is only valid from 2018-19")
                }
                _ => {}
            }
        }
        if reason_place_change == Some(ReasonPlaceChange::CUSTOD) && y.0 < 2019 {
            self.not_valid_in_year(REASON_PLACE_CHANGE, "CUSTOD", "is only valid from 2018-19");
        }

        if let (Some(decom), Some(dec)) = (decom, dec) {
            if dec < decom {
                let raw = self.field(rec, DEC).to_vec();
                self.diag(
                    Severity::Error,
                    rules::DEC_BEFORE_DECOM,
                    Some(DEC),
                    Some(&raw),
                    format!(
                        "DEC {} is before DECOM {}; row excluded",
                        fmt(dec),
                        fmt(decom)
                    ),
                );
            } else if dec == decom {
                let raw = self.field(rec, DEC).to_vec();
                self.diag(
                    Severity::Warning,
                    rules::DECOM_EQUALS_DEC,
                    Some(DEC),
                    Some(&raw),
                    "the episode starts and ends on the same day".into(),
                );
            }
        }
        if let Some(decom) = decom
            && decom > self.year_end
        {
            let raw = self.field(rec, DECOM).to_vec();
            self.diag(
                Severity::Warning,
                rules::DECOM_AFTER_YEAR,
                Some(DECOM),
                Some(&raw),
                format!(
                    "DECOM is after the end of the {} collection year",
                    y.label()
                ),
            );
        }
        if let Some(dec) = dec
            && dec > self.year_end
        {
            let raw = self.field(rec, DEC).to_vec();
            self.diag(
                Severity::Warning,
                rules::DEC_AFTER_YEAR,
                Some(DEC),
                Some(&raw),
                format!("DEC is after the end of the {} collection year", y.label()),
            );
        }
        let dec_blank = self.field(rec, DEC).is_empty();
        let rec_blank = self.field(rec, REC).is_empty();
        // Without a REC column there is nothing to pair (reported at the header).
        let rec_absent = self.cols.index[REC].is_none();
        if dec_blank != rec_blank && !self.excluded && !rec_absent {
            if dec_blank {
                rec_code = None;
                self.diag(
                    Severity::Warning,
                    rules::DEC_REC_PAIR,
                    Some(REC),
                    Some(self.field(rec, REC)),
                    "REC is filled but DEC is blank; REC ignored (the episode is open)".into(),
                );
            } else {
                self.diag(
                    Severity::Warning,
                    rules::DEC_REC_PAIR,
                    Some(REC),
                    None,
                    "DEC is filled but REC is blank".into(),
                );
            }
        }
        if let Some(decom) = decom {
            self.count_year(|start, end| {
                decom <= end && dec.is_none_or(|d| start <= d && d <= end)
            });
        }

        let (Some(decom), Some(rne), Some(ls)) = (decom, rne, ls) else {
            return None;
        };
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob: None,
            row: Episode {
                child,
                decom,
                rne,
                ls,
                cin,
                place,
                place_provider,
                dec,
                rec: rec_code,
                reason_place_change,
                home_post,
                pl_post,
                urn,
                year: y,
                source: self.source(),
            },
        })
    }

    fn review(&mut self, rec: &Fields) -> Option<Staged<Review>> {
        use col::rev::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let review = self.date(rec, REVIEW, Role::Key);
        let review_code = self.code(
            rec,
            REVIEW_CODE,
            Role::Required,
            ParticipationCode::parse,
            |c| &mut c.review_code,
        );
        if let Some(r) = review {
            self.count_year(|start, end| start <= r && r <= end);
        }
        let review = review?;
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: Review {
                child,
                review,
                review_code,
                year: self.year(),
                source: self.source(),
            },
        })
    }

    fn uasc(&mut self, rec: &Fields) -> Option<Staged<UascRow>> {
        use col::uasc::*;
        let child = self.child(rec);
        let sex = self.sex(rec, SEX);
        let dob = self.date(rec, DOB, Role::Optional);
        let duc = self.date(rec, DUC, Role::Optional);
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: UascRow {
                child,
                sex,
                duc,
                year: self.year(),
                source: self.source(),
            },
        })
    }

    fn oc2(&mut self, rec: &Fields) -> Option<Staged<Oc2>> {
        use col::oc2::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let raw = self.field(rec, SDQ_SCORE);
        let sdq_score = if raw.is_empty() {
            None
        } else {
            let t = raw.strip_suffix(b".0").unwrap_or(raw);
            let v = std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.parse::<u8>().ok())
                .filter(|v| *v <= 40);
            if v.is_none() {
                self.diag(
                    Severity::Warning,
                    rules::FIELD_INVALID,
                    Some(SDQ_SCORE),
                    Some(raw),
                    "SDQ_SCORE must be a whole number from 0 to 40; value ignored".into(),
                );
            }
            v
        };
        let sdq_reason = self.text_code(rec, SDQ_REASON, Role::Optional, SDQ_REASON_CODES);
        let mut flags = [None; 8];
        for (k, c) in FLAGS.enumerate() {
            flags[k] = self.flag(rec, c);
        }
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: Oc2 {
                child,
                sdq_score,
                sdq_reason,
                convicted: flags[0],
                health_check: flags[1],
                immunisations: flags[2],
                teeth_check: flags[3],
                health_assessment: flags[4],
                substance_misuse: flags[5],
                intervention_received: flags[6],
                intervention_offered: flags[7],
                year: self.year(),
                source: self.source(),
            },
        })
    }

    fn oc3(&mut self, rec: &Fields) -> Option<Staged<Oc3>> {
        use col::oc3::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let in_touch = self.text(rec, IN_TOUCH, Role::Key);
        let activ = self.text(rec, ACTIV, Role::Optional);
        let accom = self.text(rec, ACCOM, Role::Optional);
        let in_touch = in_touch?;
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: Oc3 {
                child,
                in_touch: in_touch.to_ascii_uppercase().into(),
                activ: activ.map(|s| s.to_ascii_uppercase().into()),
                accom: accom.map(|s| s.to_ascii_uppercase().into()),
                year: self.year(),
                source: self.source(),
            },
        })
    }

    fn raw_row(&mut self, rec: &Fields) -> Option<Staged<RawRow>> {
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let cols = self.table.columns();
        let mut values: Vec<Box<str>> = Vec::with_capacity(cols.len());
        // Kept as text: problems are reported, the values stay as written.
        for (c, name) in cols.iter().enumerate() {
            let raw = self.field(rec, c);
            if c > col::DOB && name.starts_with("DATE_") {
                match parse_date(raw) {
                    DateValue::Ok(_) | DateValue::Blank => {}
                    DateValue::NonStandard(_) => self.aggregate(
                        rules::DATE_NONSTANDARD,
                        c,
                        "",
                        raw,
                        format!("{name} not written DD/MM/YYYY; kept as written"),
                    ),
                    DateValue::Bad(p) => {
                        let (hint, detail) = p.describe(name);
                        self.diag(
                            Severity::Warning,
                            rules::DATE_UNPARSABLE,
                            Some(c),
                            Some(raw),
                            format!("{name} cannot be read as a date: {hint}; kept as written"),
                        );
                        self.personal_detail(detail);
                    }
                }
            }
            if *name == "REASON_PLACED_CEASED"
                && !raw.is_empty()
                && !RD_CODES
                    .iter()
                    .any(|code| code.as_bytes().eq_ignore_ascii_case(raw))
            {
                self.diag(
                    Severity::Warning,
                    rules::CODE_UNKNOWN,
                    Some(c),
                    Some(raw),
                    format!(
                        "`{}` is not a valid {name} code; kept as written",
                        show_value(raw)
                    ),
                );
            }
            values.push(text_of(raw));
        }
        if self.excluded {
            return None;
        }
        if let Some(id) = self.child_ids.get(child.get()) {
            values[col::CHILD] = std::str::from_utf8(id).unwrap_or("").into();
        }
        Some(Staged {
            dob,
            row: RawRow {
                child,
                values,
                year: self.year(),
                source: self.source(),
            },
        })
    }

    fn prev_perm(&mut self, rec: &Fields) -> Option<Staged<PrevPerm>> {
        use col::pp::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let prev_perm = self.text_code(rec, PREV_PERM, Role::Key, PREV_PERM_CODES);
        let la_perm = self.text(rec, LA_PERM, Role::Optional);
        let date_perm = self.date(rec, DATE_PERM, Role::Optional);
        let prev_perm = prev_perm?;
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: PrevPerm {
                child,
                prev_perm,
                la_perm,
                date_perm,
                year: self.year(),
                source: self.source(),
            },
        })
    }

    fn missing(&mut self, rec: &Fields) -> Option<Staged<MissingSpell>> {
        use col::mis::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let missing = self.code(rec, MISSING, Role::Key, MissingType::parse, |c| {
            &mut c.missing
        });
        let mis_start = self.date(rec, MIS_START, Role::Key);
        let mis_end = self.date(rec, MIS_END, Role::End);
        let (Some(missing), Some(mis_start)) = (missing, mis_start) else {
            return None;
        };
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: MissingSpell {
                child,
                missing,
                mis_start,
                mis_end,
                year: self.year(),
                source: self.source(),
            },
        })
    }

    fn sw_episode(&mut self, rec: &Fields) -> Option<Staged<SwEpisode>> {
        use col::sw::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let sw_id = self.text(rec, SW_ID, Role::Key);
        let sw_decom = self.date(rec, SW_DECOM, Role::Key);
        let sw_dec = self.date(rec, SW_DEC, Role::End);
        let sw_reason = self.text_code(rec, SW_REASON, Role::Optional, SW_REASON_CODES);
        let (Some(sw_id), Some(sw_decom)) = (sw_id, sw_decom) else {
            return None;
        };
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: SwEpisode {
                child,
                sw_id,
                sw_decom,
                sw_dec,
                sw_reason,
                year: self.year(),
                source: self.source(),
            },
        })
    }
}

/// A value for a diagnostic: invalid UTF-8 replaced, control characters
/// escaped (`\u{1}`) so that they cannot upset a terminal or a CSV.
fn show_value(v: &[u8]) -> String {
    let s = String::from_utf8_lossy(v);
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        s.into_owned()
    }
}

/// Bytes as text (invalid UTF-8 replaced).
fn text_of(raw: &[u8]) -> Box<str> {
    match std::str::from_utf8(raw) {
        Ok(s) => s.into(),
        Err(_) => String::from_utf8_lossy(raw).into(),
    }
}

/// `DD/MM/YYYY`.
pub(crate) fn fmt(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows and line numbers of `bytes` after a prefix of `skip` bytes and
    /// `header` rows, read by the csv reader (as for files with quotes) and
    /// by the splitter (files without).
    fn both_ways(bytes: &[u8], skip: usize, header: bool) -> [Vec<(Vec<Vec<u8>>, u64)>; 2] {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(std::io::Cursor::new(bytes.to_vec()));
        let _ = rdr.seek_raw(std::io::SeekFrom::Start(skip as u64), csv::Position::new());
        let mut rec = ByteRecord::new();
        if header {
            let _ = rdr.read_byte_record(&mut rec);
        }
        let pos = rdr.position().clone();
        let mut by_csv = Vec::new();
        let mut lines = LineCounter::new(skip);
        while let Ok(true) = rdr.read_byte_record(&mut rec) {
            let fields = rec.iter().map(<[u8]>::to_vec).collect();
            let line = rec
                .position()
                .map_or(0, |p| lines.record_line(bytes, skip + p.byte() as usize));
            by_csv.push((fields, line));
        }
        let mut by_split = Vec::new();
        let mut bounds = Vec::new();
        let start = skip + pos.byte() as usize;
        let line = LineCounter::new(skip).line_at(bytes, start);
        let mut split = Splitter::new(bytes, start, line);
        while let Some((data, line)) = split.next_record(&mut bounds) {
            let f = Fields::new(data, &bounds, line);
            by_split.push((f.iter().map(<[u8]>::to_vec).collect(), line));
        }
        [by_csv, by_split]
    }

    #[test]
    fn splitter_reads_like_the_csv_reader() {
        // Dense and sparse in separators (long fields cross 8-byte words).
        let dense = [
            b'a', b'b', b' ', b',', b',', b'\r', b'\n', b'\n', b'\t', 0xFF,
        ];
        let sparse = [
            b'a', b'b', b' ', b'0', b'9', b'/', b'-', 0x80, 0xFF, b'+', b'.', b'Z', b'z', b'\t',
            0x2B, 0x0B, b',', b'\n', b'\r',
        ];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for n in 0..40_000usize {
            let alphabet: &[u8] = if n % 2 == 0 { &dense } else { &sparse };
            let len = n % 97;
            let mut bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    alphabet[(x % alphabet.len() as u64) as usize]
                })
                .collect();
            let skip = if n % 3 == 0 {
                bytes.splice(0..0, *b"\xEF\xBB\xBF");
                3
            } else {
                0
            };
            for header in [false, true] {
                let [a, b] = both_ways(&bytes, skip, header);
                assert_eq!(
                    a,
                    b,
                    "{:?} header {header}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
        for s in [
            &b"CHILD,DOB\r\n1,01/01/2020\r\n\r\n2,\r\n"[..],
            b"CHILD,DOB\n1,x\n\n\n2,y",
            b"CHILD\r\r\n\n1\r",
            b"",
            b"\n\n",
        ] {
            let [a, b] = both_ways(s, 0, true);
            assert_eq!(a, b, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn packed_bytes_are_exact_and_ordered() {
        // Every string of up to 15 bytes over a small alphabet (with NUL, so
        // that padding cannot be confused with data), lengths 0..=15.
        let alphabet = [0u8, b'0', b'9', b'A', 0xFF];
        let mut strings: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=15usize {
            for seed in 0..60u64 {
                let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ len as u64;
                let s: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x.rotate_left(7).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ 0x94D0;
                        alphabet[(x % alphabet.len() as u64) as usize]
                    })
                    .collect();
                strings.push(s);
            }
        }
        strings.push(b"1234567".to_vec());
        strings.push(b"12345678".to_vec());
        strings.push(b"123456789".to_vec());
        strings.push(b"123456789012345".to_vec());
        for a in &strings {
            let ka = pack_bytes(a).expect("short");
            for b in &strings {
                let kb = pack_bytes(b).expect("short");
                assert_eq!(ka == kb, a == b, "{a:?} {b:?}");
                assert_eq!(ka.cmp(&kb), a.cmp(b), "{a:?} {b:?}");
            }
        }
        assert_eq!(pack_bytes(b"1234567890123456"), None);
        for a in strings.iter().filter(|s| s.len() <= 7) {
            for b in strings.iter().filter(|s| s.len() <= 7) {
                assert_eq!(pack7(a) == pack7(b), a == b, "{a:?} {b:?}");
            }
        }
        assert_eq!(pack7(b"12345678"), None);
    }

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
        for t in TableKind::ALL {
            assert_eq!(t.columns()[col::CHILD], "CHILD");
            if !matches!(t, TableKind::Header | TableKind::Episodes | TableKind::Uasc) {
                assert_eq!(t.columns()[col::DOB], "DOB");
            }
        }
    }

    #[test]
    fn encodings() {
        assert_eq!(encoding_problem(b"").map(|p| p.0), Some(rules::FILE_EMPTY));
        assert_eq!(
            encoding_problem(b" \n\n").map(|p| p.0),
            Some(rules::FILE_EMPTY)
        );
        assert_eq!(
            encoding_problem(b"\xff\xfeC\0H\0").map(|p| p.0),
            Some(rules::FILE_ENCODING)
        );
        assert_eq!(
            encoding_problem(b"C\0H\0I\0L\0D\0,\0").map(|p| p.0),
            Some(rules::FILE_ENCODING)
        );
        assert_eq!(
            encoding_problem(b"PK\x03\x04\x14\0\0\0\x08\0").map(|p| p.0),
            Some(rules::FILE_BINARY)
        );
        assert_eq!(encoding_problem(b"CHILD,DOB\n"), None);
    }
}
