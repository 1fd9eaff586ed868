//! [`RowParser`]: one data row at a time, from its fields to a staged row of
//! its table (or excluded, with a diagnostic), and what a file's rows add up
//! to (blank rows, repeated warnings, the year its dates fit, month-first
//! date columns). The cell parsers are in [`cells`], each table's row in its
//! own module.

use chrono::NaiveDate;
use iro_domain::*;

use super::base_diag;
use super::caches::{Caches, ChildMap, PostcodeCache};
use super::fields::Fields;
use crate::header::ColumnMap;
use crate::lines::line_ends_in;
use crate::rules;
use crate::source::FileTask;
use crate::staged::*;

mod adoption;
mod cells;
mod dolo;
mod episodes;
mod header;
mod missing;
mod oc2;
mod oc3;
mod prev_perm;
mod reviews;
mod sw_episodes;
mod uasc;

pub(crate) use cells::fmt;
use cells::{DateOrder, MONTH_FIRST_MIN};

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

/// A warning reported once per file with a count (dates written ISO, a SEX
/// coding from another year, CHILD written as `123.0`…).
#[derive(Debug)]
struct Aggregate {
    rule: &'static str,
    column: usize,
    key: String,
    first_line: u32,
    /// The row (0-based) of the first, for its place in an XML return.
    first_record: usize,
    first_value: String,
    count: u64,
    message: String,
}

pub(super) struct RowParser<'a> {
    child_map: &'a mut ChildMap,
    postcode_cache: &'a mut PostcodeCache,
    file: u32,
    task: &'a FileTask,
    table: TableKind,
    cols: &'a ColumnMap,
    header_len: usize,
    pub(super) diags: Vec<Diagnostic>,
    aggregates: Vec<Aggregate>,
    pub(super) child_ids: IdList,
    caches: &'a mut Caches,
    pub(super) child_first_line: Vec<u32>,
    pub(super) rows_read: u64,
    pub(super) rows_excluded: u64,
    blank_rows: u64,
    first_blank_line: u32,
    /// Rows consistent with collection years Y-3 ..= Y+3 (Episodes, Reviews).
    pub(super) year_hits: [u64; 7],
    pub(super) dated_rows: u64,
    /// First and last day of collection years Y-3 ..= Y+3.
    year_bounds: [(NaiveDate, NaiveDate); 7],
    /// 31 March of the file's collection year.
    year_end: NaiveDate,
    /// Whether the file holds a quote at all (else no field can hold a line end).
    pub(super) may_have_quotes: bool,
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
    pub(super) expected_children: usize,
    /// Per column of the table: how its dates read (day-first or month-first).
    date_order: Vec<DateOrder>,
    /// Per column: read month-first (this is the second reading of a file
    /// whose first found the column month-first). Empty: none.
    month_first: Vec<bool>,
    /// Data records met so far (a split file's part maps them to lines).
    record_no: usize,
    /// The data record (0-based) diagnostics are about: the row being read,
    /// or the first row of a repeated warning. Out of range: none.
    record: usize,
    /// The codes of the table's columns that the file's collection year may
    /// not use ([`iro_domain::CODE_YEARS`]), by column index.
    code_years: Vec<(usize, &'static CodeYears)>,
    /// Bit `c` set when column `c` (below 64) has entries in `code_years`;
    /// a column at 64 or beyond is always looked up.
    code_year_columns: u64,
    /// What `code_years` says of recent (column, code) pairs, keyed by the
    /// code's packed bytes with the column in the top bits (key 0, the empty
    /// code of column 0, has no entry either way).
    code_year_memo: [(u64, Option<&'static CodeYears>); 32],
    // Per-row state.
    line: u32,
    excluded: bool,
}

impl<'a> RowParser<'a> {
    pub(super) fn new(
        file: u32,
        task: &'a FileTask,
        cols: &'a ColumnMap,
        header_len: usize,
        child_map: &'a mut ChildMap,
        postcode_cache: &'a mut PostcodeCache,
        caches: &'a mut Caches,
    ) -> Self {
        let mut p = RowParser {
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
            record: usize::MAX,
            code_years: CODE_YEARS
                .iter()
                .filter(|e| e.column.table() == cols.table && !e.valid_in(task.year))
                .filter_map(|e| {
                    let i = cols
                        .table
                        .columns()
                        .iter()
                        .position(|n| *n == e.column.name())?;
                    Some((i, e))
                })
                .collect(),
            line: 0,
            excluded: false,
            code_year_columns: 0,
            code_year_memo: [(0, None); 32],
        };
        p.code_year_columns = p
            .code_years
            .iter()
            .fold(0, |m, &(i, _)| if i < 64 { m | 1 << i } else { !0 });
        p
    }

    /// Reads the flagged columns month-first (see [`DateOrder`]).
    pub(super) fn set_month_first(&mut self, columns: &[bool]) {
        if columns.iter().any(|&f| f) {
            self.month_first = columns.to_vec();
        }
    }

    /// The columns that read as month-first, if any: some values can only be
    /// month-first (at least two), none can only be day-first.
    pub(super) fn month_first_columns(&self) -> Option<Vec<bool>> {
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
        if let Some(xml) = self.task.part.as_ref().and_then(|p| p.xml.as_ref()) {
            // A table of an XML return: the record's element path, and the
            // line of the element at fault; a CSV column means nothing there.
            d.column = None;
            d.within = xml.path(self.record).map(str::to_string);
            if let Some(line) = c.and_then(|c| xml.field_line(self.record, c)) {
                d.line = Some(u64::from(line));
            }
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
            first_record: self.record,
            first_value: String::from_utf8_lossy(value).into_owned(),
            count: 1,
            message,
        });
    }

    // ---- rows ---------------------------------------------------------------

    pub(super) fn row(&mut self, rec: &Fields, rows: &mut TableRows) {
        self.line = u32::try_from(rec.line).unwrap_or(u32::MAX);
        if let Some(part) = &self.task.part {
            // A part of a split file: the row's line in the file itself.
            if let Some(&l) = part.lines.get(self.record_no) {
                self.line = l;
            }
        }
        self.record = self.record_no;
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
            TableRows::DoLo(v) => self.dolo(rec).map(|r| v.push(r)).is_some(),
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

    pub(super) fn finish(&mut self) {
        self.report_month_first();
        if self.blank_rows > 0 {
            let n = self.blank_rows;
            let first = self.first_blank_line;
            self.line = first;
            self.record = usize::MAX;
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
            self.record = a.first_record;
            // In an XML return the first is shown at its field's element.
            let first = self
                .task
                .part
                .as_ref()
                .and_then(|p| p.xml.as_ref())
                .and_then(|x| x.field_line(a.first_record, a.column))
                .unwrap_or(a.first_line);
            let msg = if a.count > 1 {
                format!("{} — {} rows, first at line {first}", a.message, a.count)
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
            self.record = usize::MAX;
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
            | (TableKind::SwEpisodes, "SW_DECOM")
            | (TableKind::DoLo, "DOLO_START") => Role::Key,
            (TableKind::Episodes, "DEC")
            | (TableKind::Missing, "MIS_END")
            | (TableKind::SwEpisodes, "SW_DEC")
            | (TableKind::DoLo, "DOLO_END") => Role::End,
            _ => Role::Optional,
        }
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
