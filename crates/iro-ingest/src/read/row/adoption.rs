//! The AD1 and Placed-for-adoption tables, kept as raw rows (their reason-for-disruption codes checked).

use iro_domain::*;

use super::super::col;
use super::super::fields::Fields;
use super::cells::text_of;
use super::{Role, RowParser, show_value};
use crate::dates::{DateValue, parse_date};
use crate::rules;
use crate::staged::*;

const RD_CODES: &[&str] = &["RD1", "RD2", "RD3", "RD4"];

impl RowParser<'_> {
    pub(super) fn raw_row(&mut self, rec: &Fields) -> Option<Staged<RawRow>> {
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
}
