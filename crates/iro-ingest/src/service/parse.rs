//! Reading one IRO-service record file: the header row mapped onto the table's
//! columns, then every row's fields read by [`super::schema`], with a
//! diagnostic for each problem.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use chrono::NaiveDate;
use csv::ByteRecord;
use iro_domain::{
    CollectionYear, Diagnostic, LaCode, ParticipationCode, ReviewStatus, ServiceTable, Severity,
};

use super::rules;
use super::schema::{Blank, FieldKind, FieldSpec, code_index, fields, yes_no};
use super::ssd::{self, Conversion, SsdTable};
use crate::child_id::{ChildId, clean_child_id};
use crate::dates::{DateValue, parse_date};
use crate::header::normalise_header;
use crate::lines::LineCounter;

/// Where a file's rows came from, for diagnostics.
#[derive(Debug, Clone)]
pub(crate) struct FileCtx {
    /// Index in the run's file list (`SourceRef::file`).
    pub idx: u32,
    pub path: PathBuf,
    /// The workbook's sheet, when the records are one.
    pub within: Option<String>,
    pub la: LaCode,
    pub year: CollectionYear,
    pub table: ServiceTable,
    /// For each field of the table (in [`fields`] order), its 0-based column in the file.
    pub pos: Vec<Option<usize>>,
    /// The SSD table, when the file is an SSD extract (`super::ssd`).
    pub ssd: Option<SsdTable>,
    /// SSD extracts: for each field, the SSD column it is read from and how.
    pub ssd_source: Vec<Option<(&'static str, Conversion)>>,
    /// SSD extracts: the normalised header (to place diagnostics about SSD
    /// columns that are none of our fields).
    pub header: Vec<String>,
}

impl FileCtx {
    /// The file's bytes, or a workbook sheet's (`within`) as CSV text; a file
    /// that cannot be read is an error (`file.unreadable`) naming `what`.
    fn bytes(
        &self,
        within: Option<&str>,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<u8>> {
        let bytes = match within {
            Some(sheet) => crate::workbook::sheet_csv(&self.path, sheet),
            None => std::fs::read(&self.path).map_err(|e| e.to_string()),
        };
        bytes
            .map_err(|e| {
                diags.push(self.diag(
                    Severity::Error,
                    crate::rules::FILE_UNREADABLE,
                    None,
                    None,
                    None,
                    format!("cannot read the {what} file: {e}"),
                ));
            })
            .ok()
    }

    /// A diagnostic about this file (`line` 1-based; `field` locates the column).
    pub fn diag(
        &self,
        severity: Severity,
        rule: &str,
        line: Option<u32>,
        field: Option<&str>,
        value: Option<String>,
        message: String,
    ) -> Diagnostic {
        let mut d = Diagnostic::new(severity, rule, message);
        d.la = Some(self.la);
        d.year = Some(self.year);
        d.file = Some(self.path.clone());
        d.within.clone_from(&self.within);
        d.line = line.map(u64::from);
        if let Some(f) = field {
            let k = fields(self.table).iter().position(|s| s.name == f);
            d.column = match k {
                Some(i) => self.pos.get(i).copied().flatten(),
                None => ssd::position(&self.header, f),
            }
            .map(|c| c as u32 + 1);
            d.field = Some(self.column_name(f).to_string());
        }
        d.value = value;
        d
    }

    /// The name of the column `field` is read from: the field itself, or in an
    /// SSD extract the SSD's column.
    pub fn column_name<'a>(&self, field: &'a str) -> &'a str {
        fields(self.table)
            .iter()
            .position(|s| s.name == field)
            .and_then(|k| self.ssd_source.get(k).copied().flatten())
            .map_or(field, |(c, _)| c)
    }

    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// One field's value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Blank,
    Date(NaiveDate),
    /// Index into the column's code list.
    Code(usize),
    Bool(bool),
    Int(u8),
    Text(Box<str>),
    List(Vec<Box<str>>),
}

impl Val {
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Val::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<usize> {
        match self {
            Val::Code(c) => Some(*c),
            _ => None,
        }
    }

    pub fn boolean(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// One usable row: its values in [`fields`] order.
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    pub line: u32,
    pub vals: Vec<Val>,
    /// A hash of the row's fields as written, trimmed (to tell exact copies
    /// from different rows with the same key).
    pub content: u64,
    /// SSD reviews: the participation code given beside the review, checked
    /// against the SSDA903 REVIEW_CODE.
    pub participation: Option<ParticipationCode>,
    /// SSD reviews: the IRO's last contact with the child
    /// (`clar_cla_review_last_iro_contact_date`), made IRO_MET_CHILD once the
    /// child's reviews are known (`ssd::met_child`).
    pub last_contact: Option<NaiveDate>,
}

impl RawRow {
    /// The value at position `i` of [`fields`] (see [`super::schema::col`]).
    pub fn at(&self, i: usize) -> &Val {
        self.vals.get(i).unwrap_or(&Val::Blank)
    }

    /// The value of the named field (for tests; the reader goes by position).
    #[cfg(test)]
    pub fn get(&self, table: ServiceTable, name: &str) -> &Val {
        fields(table)
            .iter()
            .position(|f| f.name == name)
            .map_or(&Val::Blank, |i| self.at(i))
    }
}

/// A file, read.
#[derive(Debug)]
pub(crate) struct ParsedService {
    pub ctx: FileCtx,
    pub rows: Vec<RawRow>,
    pub rows_read: u64,
    pub rows_excluded: u64,
    pub diags: Vec<Diagnostic>,
    /// Every required column present: the file is usable.
    pub complete: bool,
    /// The table's columns the file has.
    pub columns: BTreeSet<&'static str>,
    /// SSD reviews without a person id: CHILD holds the CLA id, to be linked
    /// to its child through `ssd_cla_episodes`.
    pub child_via: Option<ssd::LinkKey>,
}

/// SSD rows counted rather than reported one by one: (rule, SSD column,
/// value) → (rows, first line).
type Tally = BTreeMap<(&'static str, &'static str, String), (u64, u32)>;

/// Reads a file (or a workbook's sheet, `within`) recognised as `table`.
pub(crate) fn read(
    idx: u32,
    path: &Path,
    within: Option<&str>,
    la: LaCode,
    year: CollectionYear,
    table: ServiceTable,
) -> ParsedService {
    let specs = fields(table);
    let mut out = ParsedService {
        ctx: FileCtx {
            idx,
            path: path.to_path_buf(),
            within: within.map(str::to_string),
            la,
            year,
            table,
            pos: vec![None; specs.len()],
            ssd: None,
            ssd_source: vec![None; specs.len()],
            header: Vec::new(),
        },
        rows: Vec::new(),
        rows_read: 0,
        rows_excluded: 0,
        diags: Vec::new(),
        complete: false,
        columns: BTreeSet::new(),
        child_via: None,
    };
    let Some(bytes) = out.ctx.bytes(within, &table.to_string(), &mut out.diags) else {
        return out;
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    // Physical lines (`crate::lines`): the csv reader's own count is wrong
    // after `\r\n` and never moves in a file of `\r` line ends.
    let mut lines = LineCounter::new(0);
    let mut line_of = |p: &csv::Position| {
        u32::try_from(lines.record_line(body, p.byte() as usize)).unwrap_or(u32::MAX)
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(body);
    let mut rec = ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => {}
        _ => return out,
    }
    let names: Vec<String> = rec.iter().map(normalise_header).collect();
    let ssd_table = if super::recognise(&names).is_some() {
        None
    } else {
        ssd::recognise(&names).filter(|t| *t != SsdTable::ClaEpisodes && t.service_table() == table)
    };
    match ssd_table {
        Some(t) => map_header_ssd(&mut out, names.clone(), t),
        None => map_header(&mut out, &names),
    }
    if !out.complete {
        // Count the rows so that the accounting shows them excluded.
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => out.rows_read += 1,
                Ok(false) => break,
                Err(_) => out.rows_read += 1,
            }
        }
        out.rows_excluded = out.rows_read;
        return out;
    }
    let n_header = names.len();
    let mut blank_rows = (0u64, None::<u32>);
    let mut nonstandard: Vec<(u64, u32, String)> = vec![(0, 0, String::new()); specs.len()];
    let mut tally = Tally::new();
    loop {
        let res = rdr.read_byte_record(&mut rec);
        let line = rec.position().map_or(0, &mut line_of);
        match res {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                out.rows_read += 1;
                out.rows_excluded += 1;
                let line = e.position().map(&mut line_of);
                let d = out.ctx.diag(
                    Severity::Error,
                    rules::ROW_MALFORMED,
                    line,
                    None,
                    None,
                    format!("the row cannot be read: {e}; row excluded"),
                );
                out.diags.push(d);
                continue;
            }
        }
        out.rows_read += 1;
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            out.rows_excluded += 1;
            blank_rows.0 += 1;
            blank_rows.1.get_or_insert(line);
            continue;
        }
        if rec.len() < n_header {
            out.rows_excluded += 1;
            let d = out.ctx.diag(
                Severity::Error,
                rules::ROW_RAGGED,
                Some(line),
                None,
                None,
                format!(
                    "the row has {} fields, the header {}; row excluded",
                    rec.len(),
                    n_header
                ),
            );
            out.diags.push(d);
            continue;
        }
        if let Some((rule, column, value)) = ssd_skip(&out.ctx, &rec) {
            out.rows_excluded += 1;
            let e = tally.entry((rule, column, value)).or_insert((0, line));
            e.0 += 1;
            continue;
        }
        match read_row(
            &out.ctx,
            specs,
            &rec,
            line,
            &mut nonstandard,
            &mut tally,
            &mut out.diags,
        ) {
            Some(mut row) => {
                if out.ctx.ssd == Some(SsdTable::ClaReviews) {
                    row.participation = ssd_participation(&out.ctx, &rec, line, &mut tally);
                }
                out.rows.push(row)
            }
            None => out.rows_excluded += 1,
        }
    }
    for ((rule, column, value), (n, first)) in tally {
        let d = ssd_tally_diag(&out.ctx, rule, column, value, n, first);
        out.diags.push(d);
    }
    if blank_rows.0 > 0 {
        let d = out.ctx.diag(
            Severity::Info,
            rules::ROW_BLANK,
            blank_rows.1,
            None,
            None,
            format!("{} blank row(s) excluded", blank_rows.0),
        );
        out.diags.push(d);
    }
    for (i, (n, first, example)) in nonstandard.into_iter().enumerate() {
        // An SSD extract's dates are its database's (ISO, with a time): read
        // without a warning.
        if n > 0 && out.ctx.ssd.is_none() {
            let name = specs[i].name;
            let d = out.ctx.diag(
                Severity::Warning,
                rules::DATE_NONSTANDARD,
                Some(first),
                Some(name),
                Some(example),
                format!("{n} {name} date(s) not written DD/MM/YYYY; read"),
            );
            out.diags.push(d);
        }
    }
    out
}

/// Maps the header row onto the table's columns and reports what is missing,
/// extra or repeated.
fn map_header(out: &mut ParsedService, names: &[String]) {
    let table = out.ctx.table;
    let specs = fields(table);
    let mut extra = Vec::new();
    let mut dupes = Vec::new();
    for (i, h) in names.iter().enumerate() {
        match specs.iter().position(|s| s.name == h) {
            Some(k) if out.ctx.pos[k].is_none() => out.ctx.pos[k] = Some(i),
            Some(_) => dupes.push(h.clone()),
            None if h.is_empty() => {}
            None => extra.push(h.clone()),
        }
    }
    for (k, s) in specs.iter().enumerate() {
        if out.ctx.pos[k].is_some() {
            out.columns.insert(s.name);
        }
    }
    let missing: Vec<&str> = table
        .required_columns()
        .iter()
        .copied()
        .filter(|c| !out.columns.contains(c))
        .collect();
    let optional_missing: Vec<&str> = table
        .columns()
        .iter()
        .copied()
        .filter(|c| !out.columns.contains(c) && !table.required_columns().contains(c))
        .collect();
    let mut hdr = |sev, rule, msg| {
        let d = out.ctx.diag(sev, rule, Some(1), None, None, msg);
        out.diags.push(d);
    };
    if !missing.is_empty() {
        hdr(
            Severity::Error,
            rules::MISSING_COLUMNS,
            format!(
                "{table} file lacks required column(s) {}; the whole file is excluded",
                missing.join(", ")
            ),
        );
        return;
    }
    out.complete = true;
    if !optional_missing.is_empty() {
        hdr(
            Severity::Info,
            rules::MISSING_OPTIONAL,
            format!(
                "{table} file has no column(s) {}; figures needing them are not computable for {}",
                optional_missing.join(", "),
                out.ctx.year.label()
            ),
        );
    }
    if !extra.is_empty() {
        hdr(
            Severity::Warning,
            rules::EXTRA_COLUMNS,
            format!(
                "column(s) {} are not part of {table}; ignored",
                extra.join(", ")
            ),
        );
    }
    for d in dupes {
        hdr(
            Severity::Warning,
            rules::DUPLICATE_COLUMN,
            format!("column {d} appears more than once; the first is used"),
        );
    }
}

/// Maps an SSD extract's header onto the table's fields (`super::ssd`), and
/// reports what is missing: a required SSD column (the file is excluded) and
/// the fields the SSD does not hold (their figures are not computable).
fn map_header_ssd(out: &mut ParsedService, names: Vec<String>, t: SsdTable) {
    let table = out.ctx.table;
    out.ctx.ssd = Some(t);
    for (k, spec) in fields(table).iter().enumerate() {
        if let Some((i, m)) = ssd::source_of(t, &names, spec.name) {
            out.ctx.pos[k] = Some(i);
            out.ctx.ssd_source[k] = Some((m.ssd, m.conversion));
            out.columns.insert(spec.name);
            if spec.name == "CHILD" {
                out.child_via = m.conversion.link();
            }
        }
    }
    let mut missing: Vec<String> = t
        .required_columns()
        .iter()
        .filter(|c| ssd::position(&names, c).is_none())
        .map(|c| c.to_string())
        .collect();
    if t == SsdTable::ClaReviews && !out.columns.contains("CHILD") {
        missing.push("clar_cla_person_id, clar_cla_id or clar_cla_episode_id".into());
    }
    if t == SsdTable::ClaReviews && !out.columns.contains("STATUS") {
        // Without it a cancelled meeting would be counted as held.
        missing.push("clar_cla_review_cancelled".into());
    }
    let extra: Vec<&str> = names
        .iter()
        .filter(|n| !n.is_empty() && !t.columns().iter().any(|c| c.eq_ignore_ascii_case(n)))
        .map(String::as_str)
        .collect();
    let lacks: Vec<&str> = table
        .columns()
        .iter()
        .copied()
        .filter(|c| !out.columns.contains(c))
        .collect();
    let mut hdr = |sev, rule, msg| {
        let d = out.ctx.diag(sev, rule, Some(1), None, None, msg);
        out.diags.push(d);
    };
    if !missing.is_empty() {
        hdr(
            Severity::Error,
            rules::MISSING_COLUMNS,
            format!(
                "SSD {t} file lacks required column(s) {}; the whole file is excluded",
                missing.join(", ")
            ),
        );
        out.ctx.header = names;
        return;
    }
    out.complete = true;
    if !lacks.is_empty() {
        hdr(
            Severity::Info,
            rules::MISSING_OPTIONAL,
            format!(
                "read as {table} from the SSD's {t}, which holds no {}; figures needing them are not computable for {}",
                lacks.join(", "),
                out.ctx.year.label()
            ),
        );
    }
    if !extra.is_empty() {
        hdr(
            Severity::Warning,
            rules::EXTRA_COLUMNS,
            format!(
                "column(s) {} are not part of the SSD's {t}; ignored",
                extra.join(", ")
            ),
        );
    }
    out.ctx.header = names;
}

/// An SSD row that is no record of ours, and why: a review with no date (a
/// planned meeting), an involvement whose role is not the IRO's or is blank.
fn ssd_skip(ctx: &FileCtx, rec: &ByteRecord) -> Option<(&'static str, &'static str, String)> {
    let cell = |column: &str| -> Option<String> {
        ssd::position(&ctx.header, column)
            .and_then(|i| rec.get(i))
            .map(|b| String::from_utf8_lossy(b.trim_ascii()).into_owned())
    };
    match ctx.ssd? {
        SsdTable::ClaReviews => {
            let column = "clar_cla_review_date";
            cell(column)
                .is_none_or(|v| v.is_empty())
                .then(|| (rules::SSD_REVIEW_NO_DATE, column, String::new()))
        }
        SsdTable::Involvements => {
            let role = cell(ssd::ROLE_COLUMN).unwrap_or_default();
            if role.is_empty() {
                Some((rules::SSD_ROLE_BLANK, ssd::ROLE_COLUMN, role))
            } else {
                (!ssd::is_iro_role(&role)).then_some((rules::SSD_NOT_IRO, ssd::ROLE_COLUMN, role))
            }
        }
        SsdTable::ClaEpisodes => None,
    }
}

/// An SSD review's participation code; an unknown one is tallied.
fn ssd_participation(
    ctx: &FileCtx,
    rec: &ByteRecord,
    line: u32,
    tally: &mut Tally,
) -> Option<ParticipationCode> {
    let column = ssd::PARTICIPATION_COLUMN;
    let raw = ssd::position(&ctx.header, column).and_then(|i| rec.get(i))?;
    let text = String::from_utf8_lossy(raw.trim_ascii());
    match ssd::participation(&text) {
        Ok(code) => code,
        Err(ssd::UnknownParticipation) => {
            let e = tally
                .entry((rules::SSD_PARTICIPATION_UNKNOWN, column, text.into_owned()))
                .or_insert((0, line));
            e.0 += 1;
            None
        }
    }
}

/// The one diagnostic for a tally of SSD rows.
fn ssd_tally_diag(
    ctx: &FileCtx,
    rule: &'static str,
    column: &'static str,
    value: String,
    n: u64,
    first: u32,
) -> Diagnostic {
    let (severity, message) = match rule {
        rules::SSD_REVIEW_NO_DATE => (
            Severity::Info,
            format!("{n} review row(s) with no {column} (planned, not held) excluded"),
        ),
        rules::SSD_NOT_IRO => (
            Severity::Info,
            format!("{n} involvement row(s) with this {column} are not IRO allocations; excluded"),
        ),
        rules::SSD_ROLE_BLANK => (
            Severity::Warning,
            format!(
                "{n} involvement row(s) with a blank {column}: not known to be IRO allocations; excluded"
            ),
        ),
        rules::SSD_PARTICIPATION_UNKNOWN => (
            Severity::Warning,
            format!(
                "{n} row(s) with this {column}, which is no participation code PN0–PN7; kept, not checked against the SSDA903"
            ),
        ),
        rules::SSD_PLACEHOLDER_DATE => (
            Severity::Info,
            format!(
                "{n} row(s) with {column} 1900-01-01, the SSD's placeholder for no date; read as blank"
            ),
        ),
        _ => (
            Severity::Error,
            format!(
                "{n} row(s) with this {column}, which is not Y or N; rows excluded (a cancelled meeting must not count as held)"
            ),
        ),
    };
    let value = (!value.is_empty()).then_some(value);
    ctx.diag(severity, rule, Some(first), Some(column), value, message)
}

/// An `ssd_cla_episodes` file, read for its links from CLA id to person id.
#[derive(Debug)]
pub(crate) struct LinkFile {
    pub ctx: FileCtx,
    /// (which id, the id, clae_person_id, line), rows with both.
    pub links: Vec<(ssd::LinkKey, Box<str>, Box<str>, u32)>,
    pub rows_read: u64,
    pub diags: Vec<Diagnostic>,
}

/// Reads an `ssd_cla_episodes` file, or a workbook's sheet (`within`)
/// (`FileStatus::ServiceLink`).
pub(crate) fn read_links(
    idx: u32,
    path: &Path,
    within: Option<&str>,
    la: LaCode,
    year: CollectionYear,
) -> LinkFile {
    let table = ServiceTable::IroReviews;
    let n = fields(table).len();
    let mut out = LinkFile {
        ctx: FileCtx {
            idx,
            path: path.to_path_buf(),
            la,
            year,
            table,
            pos: vec![None; n],
            ssd: Some(SsdTable::ClaEpisodes),
            ssd_source: vec![None; n],
            header: Vec::new(),
            within: within.map(str::to_string),
        },
        links: Vec::new(),
        rows_read: 0,
        diags: Vec::new(),
    };
    let Some(bytes) = out
        .ctx
        .bytes(within, "SSD ssd_cla_episodes", &mut out.diags)
    else {
        return out;
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut lines = LineCounter::new(0);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(body);
    let mut rec = ByteRecord::new();
    if !matches!(rdr.read_byte_record(&mut rec), Ok(true)) {
        return out;
    }
    out.ctx.header = rec.iter().map(normalise_header).collect();
    let keys: Vec<(ssd::LinkKey, usize)> = ssd::LinkKey::ALL
        .into_iter()
        .filter_map(|k| ssd::position(&out.ctx.header, k.episode_column()).map(|i| (k, i)))
        .collect();
    let (false, Some(person)) = (
        keys.is_empty(),
        ssd::position(&out.ctx.header, ssd::EPISODE_PERSON_ID),
    ) else {
        let d = out.ctx.diag(
            Severity::Error,
            rules::MISSING_COLUMNS,
            Some(1),
            None,
            None,
            format!(
                "SSD ssd_cla_episodes file lacks {} or both {} and {}; it links no review to its child",
                ssd::EPISODE_PERSON_ID,
                ssd::EPISODE_CLA_ID,
                ssd::EPISODE_EPISODE_ID
            ),
        );
        out.diags.push(d);
        return out;
    };
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Err(_) => out.rows_read += 1,
            Ok(true) => {
                out.rows_read += 1;
                let line = rec.position().map_or(0, |p| {
                    u32::try_from(lines.record_line(body, p.byte() as usize)).unwrap_or(u32::MAX)
                });
                let get = |i: usize| {
                    rec.get(i)
                        .map(|b| String::from_utf8_lossy(b.trim_ascii()).into_owned())
                        .unwrap_or_default()
                };
                let raw_person = get(person);
                let (ChildId::Ok(p) | ChildId::ExcelFloat(p)) =
                    clean_child_id(raw_person.as_bytes())
                else {
                    continue;
                };
                for &(k, i) in &keys {
                    let id = get(i);
                    if !id.is_empty() {
                        out.links.push((k, id.into(), p.into(), line));
                    }
                }
            }
        }
    }
    out
}

/// Reads one row's fields; `None` when a key field is unusable (the
/// diagnostics say why).
fn read_row(
    ctx: &FileCtx,
    specs: &[FieldSpec],
    rec: &ByteRecord,
    line: u32,
    nonstandard: &mut [(u64, u32, String)],
    tally: &mut Tally,
    diags: &mut Vec<Diagnostic>,
) -> Option<RawRow> {
    let mut vals = Vec::with_capacity(specs.len());
    let mut excluded = false;
    let mut last_contact = None;
    let mut content = rustc_hash::FxHasher::default();
    for (k, spec) in specs.iter().enumerate() {
        let raw: &[u8] = ctx.pos[k].and_then(|i| rec.get(i)).unwrap_or(b"");
        let raw = raw.trim_ascii();
        let text = String::from_utf8_lossy(raw);
        {
            use std::hash::Hasher;
            content.write(raw);
            content.write_u8(0x1f);
        }
        // A column the file does not have (optional, or in an SSD extract
        // one the SSD does not hold): blank, nothing to report.
        if ctx.pos[k].is_none() {
            vals.push(Val::Blank);
            continue;
        }
        if let Some((column, Conversion::CancelledFlag)) = ctx.ssd_source[k] {
            let val = match ssd::review_status(&text) {
                Some(s) => Val::Code(ReviewStatus::ALL.iter().position(|x| *x == s).unwrap_or(0)),
                None => {
                    let e = tally
                        .entry((
                            rules::SSD_CANCELLED_UNKNOWN,
                            column,
                            text.trim().to_string(),
                        ))
                        .or_insert((0, line));
                    e.0 += 1;
                    excluded = true;
                    Val::Blank
                }
            };
            vals.push(val);
            continue;
        }
        if let Some((column, Conversion::LastContact)) = ctx.ssd_source[k] {
            vals.push(Val::Blank);
            if ssd::is_placeholder_date(raw) {
                let e = tally
                    .entry((rules::SSD_PLACEHOLDER_DATE, column, String::new()))
                    .or_insert((0, line));
                e.0 += 1;
                continue;
            }
            match parse_date(raw) {
                DateValue::Ok(d) | DateValue::NonStandard(d) => last_contact = Some(d),
                DateValue::Blank => {}
                DateValue::Bad(p) => diags.push(ctx.diag(
                    Severity::Warning,
                    rules::DATE_UNPARSABLE,
                    Some(line),
                    Some(spec.name),
                    Some(text.to_string()),
                    format!("{column}: {}; IRO_MET_CHILD left blank", p.hint()),
                )),
            }
            continue;
        }
        // The SSD's placeholder for "no date" is no date.
        let raw = match ctx.ssd_source[k] {
            Some((column, _)) if spec.kind == FieldKind::Date && ssd::is_placeholder_date(raw) => {
                let e = tally
                    .entry((rules::SSD_PLACEHOLDER_DATE, column, String::new()))
                    .or_insert((0, line));
                e.0 += 1;
                &b""[..]
            }
            _ => raw,
        };
        let name = ctx.column_name(spec.name);
        let mut problem =
            |(what, detail): (String, Option<String>), rule: &str, kind_is_key: bool| {
                // Key problems exclude the row; others blank the value.
                let fatal = kind_is_key;
                let sev = if fatal {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                let tail = if fatal {
                    "row excluded"
                } else {
                    "value left blank"
                };
                let mut d = ctx.diag(
                    sev,
                    rule,
                    Some(line),
                    Some(spec.name),
                    (!raw.is_empty()).then(|| text.to_string()),
                    format!("{name}: {what}; {tail}"),
                );
                d.personal_detail = detail;
                diags.push(d);
                fatal
            };
        let is_key = spec.blank == Blank::Key;
        let val = if raw.is_empty() {
            if matches!(spec.blank, Blank::Key | Blank::Required) {
                excluded |= problem(("blank".into(), None), rules::FIELD_BLANK, is_key);
            }
            Val::Blank
        } else {
            match read_value(spec, raw, &text) {
                Ok((v, nonstd)) => {
                    if nonstd {
                        let e = &mut nonstandard[k];
                        if e.0 == 0 {
                            e.1 = line;
                            e.2 = text.to_string();
                        }
                        e.0 += 1;
                    }
                    if spec.kind == FieldKind::Child
                        && let Val::Text(id) = &v
                        && id.as_ref() != text
                    {
                        let mut d = ctx.diag(
                            Severity::Warning,
                            rules::CHILD_EXCEL_FLOAT,
                            Some(line),
                            Some(spec.name),
                            Some(text.to_string()),
                            "CHILD written as a number with decimals; `.0` removed".into(),
                        );
                        d.personal_detail = Some(format!("read as {id}"));
                        diags.push(d);
                    }
                    v
                }
                Err((rule, what)) => {
                    let fatal = is_key || spec.blank == Blank::End || rule == rules::CHILD_INVALID;
                    excluded |= problem(what, rule, fatal);
                    Val::Blank
                }
            }
        };
        vals.push(val);
    }
    (!excluded).then(|| RawRow {
        line,
        vals,
        content: std::hash::Hasher::finish(&content),
        participation: None,
        last_contact,
    })
}

/// Why a field cannot be read: the rule broken, and what is wrong (for the
/// message: no value of a personal field) with the personal detail, if any.
type FieldProblem = (&'static str, (String, Option<String>));

/// One field's value, and whether a date was written in a non-standard way.
fn read_value(spec: &FieldSpec, raw: &[u8], text: &str) -> Result<(Val, bool), FieldProblem> {
    Ok(match spec.kind {
        FieldKind::Child => match clean_child_id(raw) {
            ChildId::Ok(s) | ChildId::ExcelFloat(s) => (Val::Text(s.into()), false),
            ChildId::Blank => (Val::Blank, false),
            ChildId::Scientific => {
                return Err((
                    rules::CHILD_INVALID,
                    (
                        "written in scientific notation: the digits are lost".into(),
                        None,
                    ),
                ));
            }
            ChildId::Invalid => {
                return Err((
                    rules::CHILD_INVALID,
                    ("not a readable identifier".into(), None),
                ));
            }
        },
        FieldKind::Id => {
            if text.chars().any(char::is_control) {
                return Err((
                    rules::CODE_UNKNOWN,
                    ("holds control characters".into(), None),
                ));
            }
            (Val::Text(text.trim().into()), false)
        }
        FieldKind::Text => {
            let t: String = text.trim().chars().filter(|c| !c.is_control()).collect();
            if t.chars().count() > 100 {
                return Err((
                    rules::CODE_UNKNOWN,
                    ("longer than 100 characters".into(), None),
                ));
            }
            (Val::Text(t.into()), false)
        }
        FieldKind::Date => match parse_date(raw) {
            DateValue::Ok(d) => (Val::Date(d), false),
            DateValue::NonStandard(d) => (Val::Date(d), true),
            DateValue::Blank => (Val::Blank, false),
            DateValue::Bad(p) => return Err((rules::DATE_UNPARSABLE, p.describe(spec.name))),
        },
        FieldKind::Code(codes) => match code_index(codes, text) {
            Some(i) => (Val::Code(i), false),
            None => {
                let list: Vec<&str> = codes.iter().map(|(c, _)| *c).collect();
                return Err((
                    rules::CODE_UNKNOWN,
                    (format!("not one of {}", list.join(", ")), None),
                ));
            }
        },
        FieldKind::YesNo => match yes_no(text) {
            Some(b) => (Val::Bool(b), false),
            None => return Err((rules::CODE_UNKNOWN, ("not Y or N".into(), None))),
        },
        FieldKind::Stage => match text.trim().parse::<u8>() {
            Ok(n) if n <= 20 => (Val::Int(n), false),
            _ => {
                return Err((
                    rules::CODE_UNKNOWN,
                    ("not a stage number from 0 to 20".into(), None),
                ));
            }
        },
        FieldKind::Categories => {
            let mut list: Vec<Box<str>> = Vec::new();
            for part in text.split([';', '|']) {
                let words: Vec<&str> = part.split_whitespace().collect();
                if words.is_empty() {
                    continue;
                }
                let cat = words.join(" ").to_lowercase();
                if cat.chars().count() > 60 {
                    return Err((
                        rules::CODE_UNKNOWN,
                        ("a category longer than 60 characters".into(), None),
                    ));
                }
                if !list.iter().any(|c| c.as_ref() == cat) {
                    list.push(cat.into());
                }
            }
            if list.is_empty() {
                (Val::Blank, false)
            } else {
                (Val::List(list), false)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    fn la() -> LaCode {
        "800".parse().unwrap()
    }

    #[test]
    fn reads_rows_and_reports_field_problems_with_line_and_column() {
        let f = write(
            "\u{feff}Child,REVIEW,STATUS,IRO_ID,SW_REPORT_RECEIVED,NOTES\n\
             C1,01/10/2024,held,IRO1,2024-09-25,x\n\
             C2,32/10/2024,HELD,IRO1,,\n\
             C3,02/10/2024,maybe,IRO1,,\n\
             C4,03/10/2024,CANCELLED,,45000,\n\
             ,,,,,\n\
             C5,04/10/2024\n",
        );
        let p = read(
            3,
            f.path(),
            None,
            la(),
            CollectionYear(2025),
            ServiceTable::IroReviews,
        );
        assert!(p.complete);
        assert_eq!(p.rows_read, 6);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows_excluded, 4);
        let t = ServiceTable::IroReviews;
        assert_eq!(p.rows[0].get(t, "CHILD").text(), Some("C1"));
        assert_eq!(p.rows[0].get(t, "STATUS").code(), Some(0));
        assert_eq!(
            p.rows[0].get(t, "SW_REPORT_RECEIVED").date(),
            NaiveDate::from_ymd_opt(2024, 9, 25)
        );
        // C4: blank IRO_ID and an Excel serial report date are warnings.
        assert_eq!(p.rows[1].get(t, "STATUS").code(), Some(1));
        assert_eq!(p.rows[1].get(t, "SW_REPORT_RECEIVED"), &Val::Blank);
        let at = |rule: &str| -> Vec<(Option<u64>, Option<u32>, Severity)> {
            p.diags
                .iter()
                .filter(|d| d.rule == rule)
                .map(|d| (d.line, d.column, d.severity))
                .collect()
        };
        assert_eq!(
            at(rules::DATE_UNPARSABLE),
            vec![
                (Some(3), Some(2), Severity::Error),
                (Some(5), Some(5), Severity::Warning)
            ]
        );
        assert_eq!(
            at(rules::CODE_UNKNOWN),
            vec![(Some(4), Some(3), Severity::Error)]
        );
        assert_eq!(
            at(rules::FIELD_BLANK),
            vec![(Some(5), Some(4), Severity::Warning)]
        );
        assert_eq!(at(rules::ROW_BLANK), vec![(Some(6), None, Severity::Info)]);
        assert_eq!(
            at(rules::ROW_RAGGED),
            vec![(Some(7), None, Severity::Error)]
        );
        assert_eq!(
            at(rules::DATE_NONSTANDARD),
            vec![(Some(2), Some(5), Severity::Warning)]
        );
        assert_eq!(at(rules::EXTRA_COLUMNS).len(), 1);
        // REVIEW_DUE, REVIEW_TYPE, DECISIONS_SENT… are optional columns.
        assert_eq!(at(rules::MISSING_OPTIONAL).len(), 1);
        assert!(p.columns.contains("SW_REPORT_RECEIVED"));
        assert!(!p.columns.contains("RECORD_SENT"));
    }

    #[test]
    fn missing_required_columns_exclude_the_file() {
        let f = write("CHILD,IRO_ID,IRO_START\nC1,A,01/04/2024\nC2,A,01/04/2024\n");
        let p = read(
            0,
            f.path(),
            None,
            la(),
            CollectionYear(2025),
            ServiceTable::IroAllocations,
        );
        assert!(!p.complete);
        assert_eq!((p.rows_read, p.rows_excluded), (2, 2));
        assert_eq!(p.diags.len(), 1);
        assert_eq!(p.diags[0].rule, rules::MISSING_COLUMNS);
        assert!(p.diags[0].message.contains("IRO_END"));
    }

    #[test]
    fn categories_stages_and_ends() {
        let f = write(
            "DRP_ID,CHILD,RAISED,ISSUE_CATEGORY,STAGE,STAGE_START,RESPONSE_DATE,OUTCOME\n\
             D1,C1,01/10/2024, Social Work Report ; care plan|care  plan ,2,01/10/2024,,escalated\n\
             D2,C1,01/10/2024,,21,01/10/2024,,\n\
             D3,1.2E+05,01/10/2024,visits,1,01/10/2024,,\n",
        );
        let p = read(
            0,
            f.path(),
            None,
            la(),
            CollectionYear(2025),
            ServiceTable::DrpLog,
        );
        let t = ServiceTable::DrpLog;
        assert_eq!(p.rows.len(), 1);
        assert_eq!(
            p.rows[0].get(t, "ISSUE_CATEGORY"),
            &Val::List(vec!["social work report".into(), "care plan".into()])
        );
        assert_eq!(p.rows[0].get(t, "STAGE"), &Val::Int(2));
        assert_eq!(p.rows[0].get(t, "OUTCOME").code(), Some(1));
        let rules_seen: Vec<&str> = p.diags.iter().map(|d| d.rule.as_str()).collect();
        assert!(rules_seen.contains(&rules::CODE_UNKNOWN), "{rules_seen:?}");
        assert!(rules_seen.contains(&rules::CHILD_INVALID), "{rules_seen:?}");
        assert!(rules_seen.contains(&rules::FIELD_BLANK), "{rules_seen:?}");

        let f = write("CHILD,IRO_ID,IRO_START,IRO_END\nC1,A,01/04/2024,31/13/2024\n");
        let p = read(
            0,
            f.path(),
            None,
            la(),
            CollectionYear(2025),
            ServiceTable::IroAllocations,
        );
        // An unreadable end excludes the row.
        assert!(p.rows.is_empty());
        let end = p
            .diags
            .iter()
            .find(|d| d.rule == rules::DATE_UNPARSABLE)
            .unwrap();
        assert_eq!(end.severity, Severity::Error);
        assert_eq!((end.line, end.column), (Some(2), Some(4)));
    }
}
