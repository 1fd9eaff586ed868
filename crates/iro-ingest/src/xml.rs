//! The SSDA903 XML return: the file a case-management system exports for the
//! DfE (schema "Expanded SSDA903 Return", root `<EXPSSDA903>`), read into the
//! same tables as the CSVs.
//!
//! An XML return is one authority-year holding many tables. At discovery
//! ([`expand`]) it is parsed once and becomes one [`FileTask`] per table it
//! carries, each with a [`Part`]: that table's rows as CSV bytes in the
//! table's own columns, with each row's line in the XML and its element path
//! ([`XmlRecords`]). From there every row is read, checked, counted, merged
//! and made into figures exactly as a CSV row is.
//!
//! * **Layout** (the DfE's 2021 schema, v3.3.0): one `<CHILD>` per child,
//!   holding one `<HEADER>` and 0–366 `<EPISODE>`. The HEADER holds the
//!   child's own items (CHILDID, UPN, SEX, DOB, ETHNIC, the UASC flag and DUC,
//!   the AD1 items, the OC3 items, MOTHER, MC_DOB) and the repeated groups
//!   `AMISSING`, `AREVIEW`, `PERMANENCE`, `OC2` and `AD_PLACED`.
//! * **Element → column**: an element is named as its column, except
//!   `CHILDID` (CHILD) and `PL` (PLACE). A row of a table that carries the
//!   child's SEX or DOB takes them from the HEADER.
//! * **Which rows**: Header, one per CHILD; UASC when the UASC flag is 1 or a
//!   DUC is given; OC3 when IN_TOUCH, ACTIV or ACCOM is given; AD1 when any
//!   AD1 item is given; one row per EPISODE, AREVIEW, AMISSING, PERMANENCE,
//!   OC2 and AD_PLACED.
//! * **Every table** of the schema collected in the file's year is carried,
//!   an empty one as a table without rows: the XML is the whole return, so a
//!   table with no record has no rows, rather than not being supplied.
//! * **Problems** are diagnostics with the XML line and the element path
//!   (`CHILD[12]/EPISODE[2]`) in [`iro_domain::Diagnostic::within`], never a
//!   column number. A file that is not well-formed or whose root is not
//!   `EXPSSDA903` is excluded with the records it holds counted as read and
//!   excluded (`xml.malformed`); a CHILD without a CHILDID, or with text
//!   where only elements belong, loses its records (`xml.child_without_id`,
//!   `xml.text_in_group`); an element the schema does not have is named
//!   with its count and not read (`xml.unknown_element`), never dropped
//!   silently; an item given twice in one record is read once
//!   (`xml.repeated_element`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use iro_domain::{Diagnostic, Severity, TableKind};
use rayon::prelude::*;

use crate::options::LoadOptions;
use crate::rules;
use crate::source::{Discovery, FileTask};
use crate::split::Part;

/// The root element of an SSDA903 XML return.
pub const ROOT: &str = "EXPSSDA903";

/// The tables an XML return carries, in the order their tasks are made.
pub const TABLES: [TableKind; 10] = [
    TableKind::Header,
    TableKind::Episodes,
    TableKind::Reviews,
    TableKind::Uasc,
    TableKind::Oc2,
    TableKind::Oc3,
    TableKind::Ad1,
    TableKind::PlacedAdoption,
    TableKind::PrevPerm,
    TableKind::Missing,
];

/// Whether a path names an XML file (`.xml`, any case).
pub(crate) fn is_xml(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
}

/// The element that gives a column (`CHILDID` for CHILD, `PL` for PLACE).
pub fn element_of(column: &str) -> &str {
    match column {
        "CHILD" => "CHILDID",
        "PLACE" => "PL",
        c => c,
    }
}

/// The column an element gives (CHILD for `CHILDID`, PLACE for `PL`).
fn column_of(element: &str) -> &str {
    match element {
        "CHILDID" => "CHILD",
        "PL" => "PLACE",
        e => e,
    }
}

/// A group element: one record of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Header,
    Episode,
    Missing,
    Review,
    Permanence,
    Oc2,
    AdPlaced,
}

/// The HEADER's own items that make an OC3 row.
const OC3_ITEMS: [&str; 3] = ["IN_TOUCH", "ACTIV", "ACCOM"];
/// The HEADER's own items that make an AD1 row.
const AD1_ITEMS: [&str; 6] = [
    "DATE_INT",
    "DATE_MATCH",
    "FOSTER_CARE",
    "NB_ADOPTR",
    "SEX_ADOPTR",
    "LS_ADOPTR",
];

impl Group {
    /// The groups a HEADER holds.
    const IN_HEADER: [Group; 5] = [
        Group::Missing,
        Group::Review,
        Group::Permanence,
        Group::Oc2,
        Group::AdPlaced,
    ];

    fn element(self) -> &'static str {
        match self {
            Group::Header => "HEADER",
            Group::Episode => "EPISODE",
            Group::Missing => "AMISSING",
            Group::Review => "AREVIEW",
            Group::Permanence => "PERMANENCE",
            Group::Oc2 => "OC2",
            Group::AdPlaced => "AD_PLACED",
        }
    }

    /// The items (leaf elements) the group holds, in the schema's order.
    fn items(self) -> &'static [&'static str] {
        match self {
            Group::Header => &[
                "CHILDID",
                "UPN",
                "SEX",
                "DOB",
                "ETHNIC",
                "UASC",
                "DUC",
                "DATE_INT",
                "DATE_MATCH",
                "FOSTER_CARE",
                "NB_ADOPTR",
                "SEX_ADOPTR",
                "LS_ADOPTR",
                "IN_TOUCH",
                "ACTIV",
                "ACCOM",
                "MOTHER",
                "MC_DOB",
            ],
            Group::Episode => &[
                "DECOM",
                "RNE",
                "LS",
                "CIN",
                "PL",
                "PL_POST",
                "HOME_POST",
                "URN",
                "PLACE_PROVIDER",
                "DEC",
                "REC",
                "REASON_PLACE_CHANGE",
            ],
            Group::Missing => &["MISSING", "MIS_START", "MIS_END"],
            Group::Review => &["REVIEW", "REVIEW_CODE"],
            Group::Permanence => &["PREV_PERM", "LA_PERM", "DATE_PERM"],
            Group::Oc2 => &[
                "SDQ_SCORE",
                "SDQ_REASON",
                "CONVICTED",
                "HEALTH_CHECK",
                "IMMUNISATIONS",
                "TEETH_CHECK",
                "HEALTH_ASSESSMENT",
                "SUBSTANCE_MISUSE",
                "INTERVENTION_RECEIVED",
                "INTERVENTION_OFFERED",
            ],
            Group::AdPlaced => &["DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"],
        }
    }

    /// Whether the schema lets the group repeat in its parent (its paths are
    /// then always numbered).
    fn repeats(self) -> bool {
        matches!(
            self,
            Group::Episode | Group::Missing | Group::Review | Group::AdPlaced
        )
    }

    /// The table one record of the group is a row of (a HEADER is also a
    /// row of UASC, OC3 and AD1 when it carries their items).
    fn table(self) -> TableKind {
        match self {
            Group::Header => TableKind::Header,
            Group::Episode => TableKind::Episodes,
            Group::Missing => TableKind::Missing,
            Group::Review => TableKind::Reviews,
            Group::Permanence => TableKind::PrevPerm,
            Group::Oc2 => TableKind::Oc2,
            Group::AdPlaced => TableKind::PlacedAdoption,
        }
    }
}

/// Where each row of a table read out of an XML return is in the file.
#[derive(Debug, Default)]
pub(crate) struct XmlRecords {
    /// Element path of each row's record (`CHILD[12]/EPISODE[2]`), in the
    /// order of the part's rows.
    pub paths: Vec<Box<str>>,
    /// The line of the element giving each column of each row, row by row
    /// in [`TableKind::columns`] order (0: the record has no such element).
    pub field_lines: Vec<u32>,
    /// Columns per row of `field_lines`.
    pub columns: usize,
    /// Records excluded before reading (a CHILD without CHILDID, text where
    /// only elements belong, or the whole file), each reported: counted as
    /// read and excluded.
    pub excluded: u64,
    /// The file is not a usable SSDA903 XML return (not well-formed, another
    /// root): the part has no rows and the table is excluded.
    pub unreadable: bool,
}

impl XmlRecords {
    /// The element path of row `record` (0-based).
    pub(crate) fn path(&self, record: usize) -> Option<&str> {
        self.paths.get(record).map(|p| &**p)
    }

    /// The line of the element giving `column` in row `record`, if it has one.
    pub(crate) fn field_line(&self, record: usize, column: usize) -> Option<u32> {
        self.field_lines
            .get(record * self.columns + column)
            .copied()
            .filter(|&l| l > 0)
    }

    /// The row that starts on `line`, when only one row of the part does
    /// (`lines` are the part's, ascending): a file written on one line has
    /// many rows on each line.
    pub(crate) fn record_at_line(lines: &[u32], line: u32) -> Option<usize> {
        let first = lines.partition_point(|&l| l < line);
        (lines.get(first) == Some(&line) && lines.get(first + 1) != Some(&line)).then_some(first)
    }
}

/// Points diagnostics made after reading (the IRO-service checks) that name
/// a row of an XML return by its file, table and line at that row's element
/// path and its field's element, in place of a CSV column.
pub(crate) fn place_diagnostics(diags: &mut [Diagnostic], tasks: &[(u32, FileTask)]) {
    let parts: Vec<(&Path, TableKind, &Part, &XmlRecords)> = tasks
        .iter()
        .filter_map(|(_, t)| {
            let part = t.part.as_deref()?;
            Some((t.path.as_path(), t.declared?, part, part.xml.as_ref()?))
        })
        .collect();
    if parts.is_empty() {
        return;
    }
    for d in diags.iter_mut().filter(|d| d.within.is_none()) {
        let (Some(file), Some(table), Some(line)) = (d.file.as_deref(), d.table, d.line) else {
            continue;
        };
        let Some((_, _, part, xml)) = parts.iter().find(|(p, t, _, _)| *p == file && *t == table)
        else {
            continue;
        };
        d.column = None;
        let Some(k) = u32::try_from(line)
            .ok()
            .and_then(|l| XmlRecords::record_at_line(&part.lines, l))
        else {
            continue;
        };
        d.within = xml.path(k).map(str::to_string);
        let column = d
            .field
            .as_deref()
            .and_then(|f| table.columns().iter().position(|c| *c == f));
        if let Some(l) = column.and_then(|c| xml.field_line(k, c)) {
            d.line = Some(u64::from(l));
        }
    }
}

/// Replaces every XML file of the discovery by one task per table it carries.
/// A file that cannot be opened is left as it is: reading it reports it.
pub(crate) fn expand(disc: &mut Discovery, opts: &LoadOptions) {
    let found: Vec<usize> = disc
        .files
        .iter()
        .enumerate()
        .filter(|(_, t)| t.part.is_none() && is_xml(&t.path))
        .map(|(i, _)| i)
        .collect();
    if found.is_empty() {
        return;
    }
    let read: Vec<Option<(Vec<FileTask>, Vec<Diagnostic>)>> = found
        .par_iter()
        .map(|&i| read_return(&disc.files[i], opts))
        .collect();
    let mut added = Vec::new();
    let mut replaced = Vec::new();
    for (i, r) in found.into_iter().zip(read) {
        if let Some((tasks, diags)) = r {
            replaced.push(i);
            added.extend(tasks);
            disc.diagnostics.extend(diags);
        }
    }
    for i in replaced.into_iter().rev() {
        disc.files.remove(i);
    }
    disc.files.extend(added);
    disc.files
        .sort_by(|a, b| (a.la, a.year, &a.path).cmp(&(b.la, b.year, &b.path)));
}

/// Reads one XML return into its tables' tasks, or `None` if the file cannot
/// be read at all.
fn read_return(task: &FileTask, opts: &LoadOptions) -> Option<(Vec<FileTask>, Vec<Diagnostic>)> {
    let bytes = std::fs::read(&task.path).ok()?;
    let file_sha256 = opts
        .hash_files
        .then(|| crate::read::encoding::sha256_hex(&bytes));
    let base = Base { task };
    let (tables, diags) = read_bytes(&bytes, &base, task.year.0);
    let tasks = tables
        .into_iter()
        .map(|(table, (bytes, lines, xml))| {
            let mut t = FileTask::new(
                task.path.clone(),
                task.la,
                task.year,
                Some(table),
                task.year_source,
            );
            t.part = Some(Arc::new(Part {
                bytes,
                lines,
                file_sha256: file_sha256.clone(),
                xml: Some(xml),
                sheet: None,
            }));
            t
        })
        .collect();
    Some((tasks, diags))
}

/// What a diagnostic of the file starts from.
struct Base<'a> {
    task: &'a FileTask,
}

impl Base<'_> {
    fn diag(
        &self,
        severity: Severity,
        rule: &str,
        table: Option<TableKind>,
        line: u32,
        within: Option<&str>,
        message: String,
    ) -> Diagnostic {
        let mut d = Diagnostic::new(severity, rule, message);
        d.la = Some(self.task.la);
        d.year = Some(self.task.year);
        d.file = Some(self.task.path.clone());
        d.table = table;
        d.line = (line > 0).then_some(u64::from(line));
        d.within = within.map(str::to_string);
        d
    }
}

/// One table's part: CSV bytes, each row's line, where each row is.
type TablePart = (Vec<u8>, Vec<u32>, XmlRecords);

/// The text of the file: UTF-8 (a byte-order mark skipped), UTF-16 with a
/// byte-order mark, or anything else read as UTF-8 with a warning.
fn decode(bytes: &[u8], base: &Base, diags: &mut Vec<Diagnostic>) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode(rest, base, diags);
    }
    let utf16 = |le: bool, rest: &[u8]| -> String {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(true, rest);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(false, rest);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let line = crate::lines::count_line_ends(bytes, 0, e.valid_up_to()) + 1;
            diags.push(base.diag(
                Severity::Warning,
                rules::FILE_INVALID_UTF8,
                None,
                u32::try_from(line).unwrap_or(u32::MAX),
                None,
                "the file is not valid UTF-8 (perhaps saved as Windows-1252); codes and dates are read, other text may show U+FFFD".into(),
            ));
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

/// Reads the bytes of an XML return of collection year `year` into each
/// table's part, with the diagnostics of the file.
fn read_bytes(
    bytes: &[u8],
    base: &Base,
    year: i32,
) -> (BTreeMap<TableKind, TablePart>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let text = decode(bytes, base, &mut diags);
    let lines = LineIndex::new(&text);
    let opt = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = match roxmltree::Document::parse_with_options(&text, opt) {
        Ok(doc) => doc,
        Err(e) => {
            // The parser places an unclosed root at the start: the file was
            // cut short, so its last line is where the fault shows.
            let last = lines.line(text.trim_end().len().saturating_sub(1));
            let (why, line) = if text.trim().is_empty() {
                ("the file is empty".to_string(), 1)
            } else if matches!(e, roxmltree::Error::UnclosedRootNode) {
                (
                    "the file ends before its root element is closed (cut short?)".to_string(),
                    last,
                )
            } else {
                (format!("the file is not well-formed XML: {e}"), e.pos().row)
            };
            let counts = count_start_tags(&text);
            let parts = unusable(base, year, &counts, line, &why, &mut diags);
            return (parts, diags);
        }
    };
    let mut w = Walker {
        lines,
        base,
        diags: Vec::new(),
        unknown: BTreeMap::new(),
    };
    let root = doc.root_element();
    let children = w.children(root);
    if root.tag_name().name() != ROOT {
        let mut counts: BTreeMap<TableKind, u64> = BTreeMap::new();
        for c in &children {
            for (t, n) in c.record_counts() {
                *counts.entry(t).or_default() += n;
            }
        }
        let why = format!(
            "the root element is <{}>, not <{ROOT}>: not an SSDA903 XML return",
            root.tag_name().name()
        );
        let line = w.line(root);
        let parts = unusable(base, year, &counts, line, &why, &mut diags);
        return (parts, diags);
    }
    diags.append(&mut w.diags);
    let mut builder = Builder::new(year);
    for c in &children {
        builder.child(c, base, &mut diags);
    }
    for ((parent, name), u) in std::mem::take(&mut w.unknown) {
        diags.push(base.diag(
            Severity::Info,
            rules::XML_UNKNOWN_ELEMENT,
            None,
            u.line,
            Some(&u.path),
            format!(
                "element <{name}> inside <{parent}> is not in the SSDA903 XML schema this reader knows (2021, v3.3.0): {} occurrence(s), first at line {}; not read (a table that schema lacks, such as SWEpisodes or DoLo, can be given as a CSV in the same folder)",
                u.count, u.line
            ),
        ));
    }
    (builder.finish(), diags)
}

/// Every table of the year as an excluded part holding `counts` records,
/// with one error per table that had records (one for the file when none).
fn unusable(
    base: &Base,
    year: i32,
    counts: &BTreeMap<TableKind, u64>,
    line: u32,
    why: &str,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<TableKind, TablePart> {
    let mut parts = BTreeMap::new();
    for t in TABLES {
        let n = counts.get(&t).copied().unwrap_or(0);
        if n == 0 && year < t.first_year() {
            continue;
        }
        if n > 0 {
            diags.push(base.diag(
                Severity::Error,
                rules::XML_MALFORMED,
                Some(t),
                line,
                None,
                format!(
                    "{why}; the file is excluded: its {n} {t} record(s) are counted as read and excluded"
                ),
            ));
        }
        let xml = XmlRecords {
            columns: t.columns().len(),
            excluded: n,
            unreadable: true,
            ..XmlRecords::default()
        };
        parts.insert(t, (header_line(t), Vec::new(), xml));
    }
    if counts.values().all(|&n| n == 0) {
        diags.push(base.diag(
            Severity::Error,
            rules::XML_MALFORMED,
            None,
            line,
            None,
            format!("{why}; the file is excluded (no SSDA903 record found in it)"),
        ));
    }
    parts
}

/// The CSV header line of a table.
fn header_line(t: TableKind) -> Vec<u8> {
    let mut b = t.columns().join(",").into_bytes();
    b.push(b'\n');
    b
}

/// Records in text that does not parse, by their start tags: CHILD (a
/// Header row), EPISODE, AREVIEW, AMISSING, OC2, PERMANENCE, AD_PLACED, and
/// the items that make a UASC (a UASC flag of 1), OC3 (IN_TOUCH) or AD1
/// (DATE_INT) row.
fn count_start_tags(text: &str) -> BTreeMap<TableKind, u64> {
    let b = text.as_bytes();
    let mut counts: BTreeMap<TableKind, u64> = BTreeMap::new();
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let start = i + off + 1;
        let len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'-' | b'.'))
            .count();
        i = start + len;
        if len == 0 {
            continue;
        }
        let name = &text[start..start + len];
        let local = name.rsplit(':').next().unwrap_or(name);
        // The text up to the next tag, if the element is not empty (`<X/>`).
        let content = || -> &str {
            let rest = &text[i..];
            let Some(gt) = rest.find('>') else { return "" };
            if rest[..gt].ends_with('/') {
                return "";
            }
            let after = &rest[gt + 1..];
            after[..after.find('<').unwrap_or(after.len())].trim()
        };
        let table = match local {
            "CHILD" => Some(TableKind::Header),
            "EPISODE" => Some(TableKind::Episodes),
            "AREVIEW" => Some(TableKind::Reviews),
            "AMISSING" => Some(TableKind::Missing),
            "OC2" => Some(TableKind::Oc2),
            "PERMANENCE" => Some(TableKind::PrevPerm),
            "AD_PLACED" => Some(TableKind::PlacedAdoption),
            "UASC" => (content() == "1").then_some(TableKind::Uasc),
            "IN_TOUCH" => (!content().is_empty()).then_some(TableKind::Oc3),
            "DATE_INT" => (!content().is_empty()).then_some(TableKind::Ad1),
            _ => None,
        };
        if let Some(t) = table {
            *counts.entry(t).or_default() += 1;
        }
    }
    counts
}

/// Line numbers of byte offsets: `\n`, `\r\n` and a lone `\r` each end a
/// line, as in a CSV (`crate::lines`).
struct LineIndex {
    /// Where each line starts.
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for i in 0..b.len() {
            if crate::lines::ends_line(b, i) {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// The 1-based line of byte `pos`.
    fn line(&self, pos: usize) -> u32 {
        u32::try_from(self.starts.partition_point(|&s| s <= pos)).unwrap_or(u32::MAX)
    }
}

/// An item's value and the line of its element.
#[derive(Debug, Clone)]
struct Item {
    text: String,
    line: u32,
}

/// One group element as read: its items (the first of each).
#[derive(Debug)]
struct Record {
    group: Group,
    path: String,
    line: u32,
    items: Vec<(&'static str, Item)>,
    /// Text directly inside the element (a broken export): the record is
    /// excluded. The line of the text.
    stray_text: Option<u32>,
}

impl Record {
    fn new(group: Group, path: String, line: u32) -> Self {
        Record {
            group,
            path,
            line,
            items: Vec::new(),
            stray_text: None,
        }
    }

    fn get(&self, element: &str) -> Option<&Item> {
        self.items
            .iter()
            .find(|(n, _)| *n == element)
            .map(|(_, i)| i)
    }

    /// Whether the item is given and not blank.
    fn has(&self, element: &str) -> bool {
        self.get(element).is_some_and(|i| !i.text.is_empty())
    }
}

/// Why a CHILD's records are all excluded.
#[derive(Debug)]
enum ChildProblem {
    /// No CHILDID (or a blank one), or no HEADER at all.
    NoId,
    /// Text directly inside the CHILD or its HEADER, at this line and path.
    StrayText(u32, String),
}

/// One `<CHILD>` as read.
#[derive(Debug)]
struct ChildElement {
    path: String,
    line: u32,
    /// The HEADER's items (several HEADERs are read as one).
    header: Option<Record>,
    /// EPISODEs and the HEADER's groups, in the order of the file.
    records: Vec<Record>,
    problem: Option<ChildProblem>,
}

/// How the HEADER's flag for an unaccompanied asylum-seeking child reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UascFlag {
    Set,
    NotSet,
    /// Neither 0 nor 1.
    Unreadable,
}

impl ChildElement {
    fn uasc_flag(header: &Record) -> UascFlag {
        match header.get("UASC").map(|i| i.text.as_str()) {
            Some("1") => UascFlag::Set,
            None | Some("" | "0") => UascFlag::NotSet,
            Some(_) => UascFlag::Unreadable,
        }
    }

    /// The tables the HEADER gives a row of.
    fn header_tables(header: &Record) -> Vec<TableKind> {
        let mut v = vec![TableKind::Header];
        if Self::uasc_flag(header) == UascFlag::Set || header.has("DUC") {
            v.push(TableKind::Uasc);
        }
        if OC3_ITEMS.iter().any(|e| header.has(e)) {
            v.push(TableKind::Oc3);
        }
        if AD1_ITEMS.iter().any(|e| header.has(e)) {
            v.push(TableKind::Ad1);
        }
        v
    }

    /// The rows the child's records make, by table.
    fn record_counts(&self) -> BTreeMap<TableKind, u64> {
        let mut counts: BTreeMap<TableKind, u64> = BTreeMap::new();
        match &self.header {
            Some(h) => {
                for t in Self::header_tables(h) {
                    *counts.entry(t).or_default() += 1;
                }
            }
            None => *counts.entry(TableKind::Header).or_default() += 1,
        }
        for r in &self.records {
            *counts.entry(r.group.table()).or_default() += 1;
        }
        counts
    }
}

/// An element the schema does not have where it was found.
#[derive(Debug)]
struct Unknown {
    count: u64,
    line: u32,
    path: String,
}

/// Walks the document, child by child.
struct Walker<'a> {
    lines: LineIndex,
    base: &'a Base<'a>,
    diags: Vec<Diagnostic>,
    /// (parent element, element) → occurrences.
    unknown: BTreeMap<(String, String), Unknown>,
}

/// Whether a text node holds more than white space.
fn is_stray_text(n: roxmltree::Node) -> bool {
    n.is_text() && n.text().is_some_and(|t| !t.trim().is_empty())
}

impl Walker<'_> {
    fn line(&self, n: roxmltree::Node) -> u32 {
        self.lines.line(n.range().start)
    }

    fn unknown(&mut self, parent: &str, n: roxmltree::Node, path: &str) {
        let name = n.tag_name().name().to_string();
        let line = self.line(n);
        self.unknown
            .entry((parent.to_string(), name.clone()))
            .and_modify(|u| u.count += 1)
            .or_insert_with(|| Unknown {
                count: 1,
                line,
                path: format!("{path}/{name}"),
            });
    }

    /// The root's `<CHILD>` elements, read.
    fn children(&mut self, root: roxmltree::Node) -> Vec<ChildElement> {
        let mut out = Vec::new();
        let root_name = root.tag_name().name().to_string();
        for n in root.children() {
            if is_stray_text(n) {
                let line = self.line(n);
                self.diags.push(self.base.diag(
                    Severity::Warning,
                    rules::XML_TEXT_IN_GROUP,
                    None,
                    line,
                    None,
                    format!(
                        "text directly inside <{root_name}>, between the CHILD elements; ignored"
                    ),
                ));
            }
            if !n.is_element() {
                continue;
            }
            if n.tag_name().name() == "CHILD" {
                let path = format!("CHILD[{}]", out.len() + 1);
                out.push(self.child(n, path));
            } else {
                self.unknown(&root_name, n, "");
            }
        }
        out
    }

    fn child(&mut self, n: roxmltree::Node, path: String) -> ChildElement {
        let mut c = ChildElement {
            line: self.line(n),
            path,
            header: None,
            records: Vec::new(),
            problem: None,
        };
        let headers = n
            .children()
            .filter(|e| e.is_element() && e.tag_name().name() == "HEADER")
            .count();
        let (mut header_no, mut episode_no) = (0, 0);
        for e in n.children() {
            if is_stray_text(e) && c.problem.is_none() {
                c.problem = Some(ChildProblem::StrayText(self.line(e), c.path.clone()));
            }
            if !e.is_element() {
                continue;
            }
            match e.tag_name().name() {
                "HEADER" => {
                    header_no += 1;
                    let path = if headers > 1 {
                        format!("{}/HEADER[{header_no}]", c.path)
                    } else {
                        format!("{}/HEADER", c.path)
                    };
                    if header_no == 2 {
                        let line = self.line(e);
                        self.diags.push(self.base.diag(
                            Severity::Warning,
                            rules::XML_REPEATED_ELEMENT,
                            Some(TableKind::Header),
                            line,
                            Some(&path),
                            format!(
                                "{} has {headers} HEADER elements; they are read as one (an item given in more than one: the first)",
                                c.path
                            ),
                        ));
                    }
                    self.header(e, &mut c, path);
                }
                "EPISODE" => {
                    episode_no += 1;
                    let path = format!("{}/EPISODE[{episode_no}]", c.path);
                    let r = self.group(e, Group::Episode, path);
                    c.records.push(r);
                }
                _ => {
                    let path = c.path.clone();
                    self.unknown("CHILD", e, &path);
                }
            }
        }
        let has_id = c.header.as_ref().is_some_and(|h| h.has("CHILDID"));
        if !has_id && c.problem.is_none() {
            c.problem = Some(ChildProblem::NoId);
        }
        c
    }

    fn header(&mut self, n: roxmltree::Node, c: &mut ChildElement, path: String) {
        let line = self.line(n);
        let mut h = c
            .header
            .take()
            .unwrap_or_else(|| Record::new(Group::Header, path.clone(), line));
        let mut seen: Vec<(Group, usize)> = Vec::new();
        let total = |g: Group| {
            n.children()
                .filter(|e| e.is_element() && e.tag_name().name() == g.element())
                .count()
        };
        for e in n.children() {
            if is_stray_text(e) && c.problem.is_none() {
                c.problem = Some(ChildProblem::StrayText(self.line(e), path.clone()));
            }
            if !e.is_element() {
                continue;
            }
            let name = e.tag_name().name();
            if let Some(item) = Group::Header.items().iter().find(|i| **i == name) {
                self.item(&mut h, e, item);
            } else if let Some(g) = Group::IN_HEADER.into_iter().find(|g| g.element() == name) {
                let k = match seen.iter_mut().find(|(s, _)| *s == g) {
                    Some((_, k)) => {
                        *k += 1;
                        *k
                    }
                    None => {
                        seen.push((g, 1));
                        1
                    }
                };
                let gpath = if g.repeats() || total(g) > 1 {
                    format!("{path}/{name}[{k}]")
                } else {
                    format!("{path}/{name}")
                };
                let r = self.group(e, g, gpath);
                c.records.push(r);
            } else {
                self.unknown("HEADER", e, &path);
            }
        }
        c.header = Some(h);
    }

    /// A group element other than HEADER: its items.
    fn group(&mut self, n: roxmltree::Node, group: Group, path: String) -> Record {
        let mut r = Record::new(group, path, self.line(n));
        for e in n.children() {
            if is_stray_text(e) && r.stray_text.is_none() {
                r.stray_text = Some(self.line(e));
            }
            if !e.is_element() {
                continue;
            }
            let name = e.tag_name().name();
            match group.items().iter().find(|i| **i == name) {
                Some(item) => self.item(&mut r, e, item),
                None => {
                    let path = r.path.clone();
                    self.unknown(group.element(), e, &path);
                }
            }
        }
        r
    }

    /// One item of a record: its text (trimmed; a line break inside read as
    /// a space), the first if given twice.
    fn item(&mut self, r: &mut Record, n: roxmltree::Node, name: &'static str) {
        let line = self.line(n);
        let path = format!("{}/{name}", r.path);
        let mut text = String::new();
        for e in n.children() {
            if e.is_text() {
                text.push_str(e.text().unwrap_or(""));
            } else if e.is_element() {
                self.unknown(name, e, &path);
            }
        }
        let mut text = text.trim().to_string();
        if text.contains(['\r', '\n']) {
            text = text.replace("\r\n", " ").replace(['\r', '\n'], " ");
        }
        if let Some(first) = r.get(name) {
            let column = column_of(name);
            let mut d = self.base.diag(
                Severity::Warning,
                rules::XML_REPEATED_ELEMENT,
                Some(r.group.table()),
                line,
                Some(&path),
                format!(
                    "<{name}> is given again in one <{}>; the first (line {}) is read",
                    r.group.element(),
                    first.line
                ),
            );
            d.field = Some(column.to_string());
            d.value = Some(text);
            self.diags.push(d);
            return;
        }
        r.items.push((name, Item { text, line }));
    }
}

/// One table's rows as they are made.
struct TableOut {
    csv: csv::Writer<Vec<u8>>,
    lines: Vec<u32>,
    xml: XmlRecords,
}

/// Makes each table's part from the children, one child at a time.
struct Builder {
    year: i32,
    tables: BTreeMap<TableKind, TableOut>,
}

impl Builder {
    fn new(year: i32) -> Self {
        let tables = TABLES
            .into_iter()
            .map(|t| {
                let mut csv = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_writer(Vec::new());
                let _ = csv.write_record(t.columns());
                let xml = XmlRecords {
                    columns: t.columns().len(),
                    ..XmlRecords::default()
                };
                (
                    t,
                    TableOut {
                        csv,
                        lines: Vec::new(),
                        xml,
                    },
                )
            })
            .collect();
        Builder { year, tables }
    }

    fn child(&mut self, c: &ChildElement, base: &Base, diags: &mut Vec<Diagnostic>) {
        if let Some(problem) = &c.problem {
            let (rule, line, within, why) = match problem {
                ChildProblem::NoId => (
                    rules::XML_CHILD_WITHOUT_ID,
                    c.line,
                    c.path.clone(),
                    format!("{} has no CHILDID (or a blank one)", c.path),
                ),
                ChildProblem::StrayText(line, path) => (
                    rules::XML_TEXT_IN_GROUP,
                    *line,
                    path.clone(),
                    format!("{path} holds text where only elements belong (a broken export?)"),
                ),
            };
            for (t, n) in c.record_counts() {
                if let Some(out) = self.tables.get_mut(&t) {
                    out.xml.excluded += n;
                }
                let mut d = base.diag(
                    Severity::Error,
                    rule,
                    Some(t),
                    line,
                    Some(&within),
                    format!("{why}: its {n} {t} record(s) are excluded"),
                );
                d.field = Some("CHILD".into());
                diags.push(d);
            }
            return;
        }
        let Some(header) = &c.header else { return };
        if ChildElement::uasc_flag(header) == UascFlag::Unreadable {
            let item = header.get("UASC");
            let mut d = base.diag(
                Severity::Warning,
                rules::XML_UASC_FLAG,
                Some(TableKind::Uasc),
                item.map_or(header.line, |i| i.line),
                Some(&format!("{}/UASC", header.path)),
                "the UASC flag is neither 1 nor 0 (blank); the child is read as unaccompanied only if a DUC is given".into(),
            );
            d.field = Some("UASC".into());
            d.value = item.map(|i| i.text.clone());
            diags.push(d);
        }
        for t in ChildElement::header_tables(header) {
            self.row(t, header, header);
        }
        for r in &c.records {
            let t = r.group.table();
            if let Some(line) = r.stray_text {
                if let Some(out) = self.tables.get_mut(&t) {
                    out.xml.excluded += 1;
                }
                diags.push(base.diag(
                    Severity::Error,
                    rules::XML_TEXT_IN_GROUP,
                    Some(t),
                    line,
                    Some(&r.path),
                    format!(
                        "<{}> holds text where only elements belong (a broken export?); the record is excluded",
                        r.group.element()
                    ),
                ));
                continue;
            }
            self.row(t, r, header);
        }
    }

    /// One row of `table` from a record (and its child's HEADER).
    fn row(&mut self, table: TableKind, r: &Record, header: &Record) {
        let Some(out) = self.tables.get_mut(&table) else {
            return;
        };
        let mut values: Vec<&str> = Vec::with_capacity(table.columns().len());
        for col in table.columns() {
            let el = element_of(col);
            let item = r.get(el).or_else(|| header.get(el));
            values.push(item.map_or("", |i| i.text.as_str()));
            out.xml.field_lines.push(item.map_or(0, |i| i.line));
        }
        let _ = out.csv.write_record(&values);
        out.lines.push(r.line);
        out.xml.paths.push(r.path.clone().into_boxed_str());
    }

    /// Each table's part: the tables of the year, and any other with rows.
    fn finish(self) -> BTreeMap<TableKind, TablePart> {
        let year = self.year;
        self.tables
            .into_iter()
            .filter(|(t, out)| {
                year >= t.first_year() || !out.lines.is_empty() || out.xml.excluded > 0
            })
            .map(|(t, out)| {
                let bytes = out.csv.into_inner().unwrap_or_else(|_| header_line(t));
                (t, (bytes, out.lines, out.xml))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
