//! The cell parsers: CHILD, dates (day-first, ISO, serial, month-first
//! columns), codes through the per-thread caches, codes from a list, text,
//! flags, postcodes and SEX, each reporting its own problems.

use chrono::NaiveDate;
use iro_domain::*;

use super::super::caches::{Caches, CodeCache, POSTCODE_BITS, pack_bytes, pack7, slot_of};
use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser};
use crate::child_id::{ChildBytes, clean_child_bytes};
use crate::dates::{DateValue, parse_date};
use crate::rules;

/// How one date column of a file reads, for telling month-first columns
/// (US-style `MM/DD/YYYY`, from a spreadsheet set to a US locale) from
/// day-first ones.
#[derive(Debug, Clone, Default)]
pub(super) struct DateOrder {
    /// Values only day-first can read: the first number above 12.
    pub(super) only_day_first: u64,
    /// Values only month-first can read: the second number 13 to 31, the
    /// first 12 or under.
    pub(super) only_month_first: u64,
    pub(super) first_month_first_line: u32,
    pub(super) example: String,
    /// In a column read month-first: values so read, and ambiguous ones.
    pub(super) read_month_first: u64,
    pub(super) ambiguous: u64,
    pub(super) first_ambiguous_line: u32,
}

/// A column is read month-first when at least this many of its values can
/// only be month-first and none can only be day-first (one stray value is a
/// typo, not a format).
pub(super) const MONTH_FIRST_MIN: u64 = 2;

/// The two numbers and the year of a `N/N/YYYY` date (one or two digits
/// each, an optional time of day after a space or `T`).
pub(super) fn day_month_year(raw: &[u8]) -> Option<(u32, u32, i32)> {
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

impl RowParser<'_> {
    // ---- field readers -------------------------------------------------------

    pub(super) fn child(&mut self, rec: &Fields) -> ChildIdx {
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
    pub(super) fn index_short_ids(&mut self) {
        self.ids_ascending = false;
        self.child_map.reserve(self.expected_children);
        for (i, id) in self.child_ids.iter().enumerate() {
            if let Some(k) = pack_bytes(id) {
                self.child_map.short.insert(k, i as u32);
            }
        }
    }

    #[inline]
    pub(super) fn blank(&mut self, c: usize, role: Role) {
        if matches!(role, Role::Key | Role::Required) {
            self.blank_required(c, role);
        }
    }

    #[cold]
    #[inline(never)]
    pub(super) fn blank_required(&mut self, c: usize, role: Role) {
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

    pub(super) fn date(&mut self, rec: &Fields, c: usize, role: Role) -> Option<NaiveDate> {
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
    pub(super) fn date_month_first(
        &mut self,
        raw: &[u8],
        c: usize,
        role: Role,
    ) -> Option<NaiveDate> {
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
    pub(super) fn date_slow(&mut self, raw: &[u8], c: usize, role: Role) -> Option<NaiveDate> {
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
    pub(super) fn date_slow_unchecked(
        &mut self,
        raw: &[u8],
        c: usize,
        role: Role,
    ) -> Option<NaiveDate> {
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

    pub(super) fn code<T: Copy>(
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
    pub(super) fn unknown_code(&mut self, c: usize, role: Role, raw: &[u8]) {
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
    pub(super) fn text_code(
        &mut self,
        rec: &Fields,
        c: usize,
        role: Role,
        list: &[&str],
    ) -> Option<Box<str>> {
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

    pub(super) fn text(&mut self, rec: &Fields, c: usize, role: Role) -> Option<Box<str>> {
        let raw = self.field(rec, c);
        if raw.is_empty() {
            self.blank(c, role);
            return None;
        }
        Some(text_of(raw))
    }

    pub(super) fn flag(&mut self, rec: &Fields, c: usize) -> Option<bool> {
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

    pub(super) fn postcode(&mut self, rec: &Fields, c: usize) -> Option<Postcode> {
        let raw = self.field(rec, c);
        if raw.is_empty() {
            return None;
        }
        // The same postcodes recur row after row (a child's home, a placement).
        let parse = |raw: &[u8]| std::str::from_utf8(raw).ok().and_then(Postcode::parse);
        let p = match pack_bytes(raw) {
            Some(key) => {
                let e = &mut self.postcode_cache[slot_of(key, POSTCODE_BITS)];
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

    pub(super) fn sex(&mut self, rec: &Fields, c: usize) -> Option<Sex> {
        let raw = self.field(rec, c);
        if raw.is_empty() {
            self.blank(c, Role::Required);
            return None;
        }
        match std::str::from_utf8(raw).ok().and_then(Sex::parse) {
            Some((sex, _)) => {
                if let Ok(code) = std::str::from_utf8(raw) {
                    self.check_code_year(c, code);
                }
                Some(sex)
            }
            None => {
                self.unknown_code(c, Role::Required, raw);
                None
            }
        }
    }

    /// Reports a code the file's collection year may not use
    /// ([`iro_domain::CODE_YEARS`]): once per file and code (or coding),
    /// with the count.
    #[inline]
    pub(super) fn check_code_year(&mut self, c: usize, code: &str) {
        if c < 64 && self.code_year_columns & (1 << c) == 0 {
            return;
        }
        // A column holds few codes: each (column, code as written) is
        // looked up once.
        let found = match pack7(code.as_bytes()).filter(|_| c < 16) {
            Some(k) => {
                let key = k | (c as u64) << 60;
                let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59) as usize;
                match self.code_year_memo[slot] {
                    (k, found) if k == key => found,
                    _ => {
                        let found = self.find_code_year(c, code.trim());
                        self.code_year_memo[slot] = (key, found);
                        found
                    }
                }
            }
            None => self.find_code_year(c, code.trim()),
        };
        if let Some(entry) = found {
            self.code_not_valid_in_year(c, code.trim(), entry);
        }
    }

    /// The entry of [`iro_domain::CODE_YEARS`] saying that column `c` may
    /// not hold `code` in the file's collection year, if there is one.
    fn find_code_year(&self, c: usize, code: &str) -> Option<&'static CodeYears> {
        self.code_years
            .iter()
            .find(|(i, e)| *i == c && e.code.eq_ignore_ascii_case(code))
            .map(|&(_, e)| e)
    }

    #[cold]
    #[inline(never)]
    fn code_not_valid_in_year(&mut self, c: usize, code: &str, entry: &CodeYears) {
        let name = self.name(c);
        let year = self.year().label();
        let raw = code.as_bytes().to_vec();
        let (key, msg) = match entry.coding {
            Some(coding) => (coding, format!("{name} {} ({year} return)", entry.why)),
            None => (code, format!("{name} {code} {} ({year} return)", entry.why)),
        };
        self.aggregate(rules::CODE_NOT_VALID_IN_YEAR, c, key, &raw, msg);
    }

    /// Counts a dated row against collection years Y-3 ..= Y+3; `fits` gets
    /// each year's first and last day.
    pub(super) fn count_year(&mut self, fits: impl Fn(NaiveDate, NaiveDate) -> bool) {
        self.dated_rows += 1;
        for (k, &(start, end)) in self.year_bounds.iter().enumerate() {
            if fits(start, end) {
                self.year_hits[k] += 1;
            }
        }
    }
}

/// Bytes as text (invalid UTF-8 replaced).
pub(super) fn text_of(raw: &[u8]) -> Box<str> {
    match std::str::from_utf8(raw) {
        Ok(s) => s.into(),
        Err(_) => String::from_utf8_lossy(raw).into(),
    }
}

/// `DD/MM/YYYY`.
pub(crate) fn fmt(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}
