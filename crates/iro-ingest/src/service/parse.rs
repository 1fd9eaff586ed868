//! Reading one IRO-service record file: the header row mapped onto the table's
//! columns, then every row's fields read by [`super::schema`], with a
//! diagnostic for each problem.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use csv::ByteRecord;
use iro_domain::{CollectionYear, Diagnostic, LaCode, ServiceTable, Severity};

use super::rules;
use super::schema::{Blank, FieldKind, FieldSpec, code_index, fields, yes_no};
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
}

impl FileCtx {
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
            d.column = fields(self.table)
                .iter()
                .position(|s| s.name == f)
                .and_then(|i| self.pos.get(i).copied().flatten())
                .map(|c| c as u32 + 1);
            d.field = Some(f.to_string());
        }
        d.value = value;
        d
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
}

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
        },
        rows: Vec::new(),
        rows_read: 0,
        rows_excluded: 0,
        diags: Vec::new(),
        complete: false,
        columns: BTreeSet::new(),
    };
    let bytes = match within {
        Some(sheet) => crate::workbook::sheet_csv(path, sheet),
        None => std::fs::read(path).map_err(|e| e.to_string()),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            let d = out.ctx.diag(
                Severity::Error,
                crate::rules::FILE_UNREADABLE,
                None,
                None,
                None,
                format!("cannot read the {table} file: {e}"),
            );
            out.diags.push(d);
            return out;
        }
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
    map_header(&mut out, &names);
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
        match read_row(
            &out.ctx,
            specs,
            &rec,
            line,
            &mut nonstandard,
            &mut out.diags,
        ) {
            Some(row) => out.rows.push(row),
            None => out.rows_excluded += 1,
        }
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
        if n > 0 {
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

/// Reads one row's fields; `None` when a key field is unusable (the
/// diagnostics say why).
fn read_row(
    ctx: &FileCtx,
    specs: &[FieldSpec],
    rec: &ByteRecord,
    line: u32,
    nonstandard: &mut [(u64, u32, String)],
    diags: &mut Vec<Diagnostic>,
) -> Option<RawRow> {
    let mut vals = Vec::with_capacity(specs.len());
    let mut excluded = false;
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
                    format!("{}: {what}; {tail}", spec.name),
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
