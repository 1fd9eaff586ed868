//! Data problems found while reading and checking input, each tied to the file,
//! line and column at fault.
//!
//! **Messages are shareable by construction:** a message says where and what
//! kind of problem, and never quotes a value of a personal field
//! ([`IDENTIFYING_FIELDS`]) as written, repaired or converted (a CHILD id, a
//! date of birth, the date an Excel serial number would be, a postcode, an
//! IRO's identifier). The value goes in [`Diagnostic::value`], anything else
//! personal the analyst needs to fix it in [`Diagnostic::personal_detail`];
//! shareable outputs withhold the first and never carry the second.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::dates::CollectionYear;
use crate::la::LaCode;
use crate::table::TableKind;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; figures are unaffected.
    Info,
    /// The row was kept but something in it is wrong or was repaired.
    Warning,
    /// The row (or file) could not be used and was excluded.
    Error,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One data problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable rule name, e.g. `date.unparsable`, `episode.overlap`, or a DfE
    /// validation rule code where one exists (`dfe.501`).
    pub rule: String,
    pub la: Option<LaCode>,
    pub year: Option<CollectionYear>,
    pub table: Option<TableKind>,
    pub file: Option<PathBuf>,
    /// Where inside the file, when one file holds several tables: a
    /// workbook's sheet (`Episodes`) or an XML element path
    /// (`CHILD[12]/EPISODE[2]`). `None` for a CSV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// 1-based line in the file (the header is line 1); a workbook's row
    /// number.
    pub line: Option<u64>,
    /// 1-based column.
    pub column: Option<u32>,
    pub field: Option<String>,
    /// The offending value as written. May be personal data (a CHILD id, a date
    /// of birth, a postcode): see [`Diagnostic::is_identifying`].
    pub value: Option<String>,
    /// Where and what kind of problem, in words. Never holds a value of a
    /// personal field (see the module documentation).
    pub message: String,
    /// Personal details that help the analyst correct the record, kept out of
    /// [`Diagnostic::message`]: the CHILD id a value was repaired to, the
    /// Header DOB a DOB differs from, the date an Excel serial DOB would be.
    /// Shown on the analyst's terminal and written only to
    /// `personal/diagnostics.csv`, never to a shareable output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_detail: Option<String>,
}

/// Fields whose values identify a child (or a member of staff working with
/// one: SW_ID, IRO_ID; or a case: DRP_ID) and must not leave `personal/`,
/// neither as a value nor inside a message.
pub const IDENTIFYING_FIELDS: &[&str] = &[
    "CHILD",
    "DOB",
    "UPN",
    "MC_DOB",
    "HOME_POST",
    "PL_POST",
    "SW_ID",
    "IRO_ID",
    "DRP_ID",
    // The same identifiers as the Standard Safeguarding Dataset's extracts
    // name them (IRO records read from SSD files; `iro_ingest::service::ssd`
    // checks that every identifying column it reads is listed here).
    "clar_cla_id",
    "clar_cla_episode_id",
    "clar_cla_person_id",
    "clae_cla_id",
    "clae_cla_episode_id",
    "clae_person_id",
    "invo_person_id",
    "invo_professional_id",
];

/// Whether values of the column `field` are personal data
/// ([`IDENTIFYING_FIELDS`]): a message about it must not quote them.
pub fn is_personal_field(field: &str) -> bool {
    IDENTIFYING_FIELDS.contains(&field)
}

impl Diagnostic {
    pub fn new(severity: Severity, rule: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            rule: rule.into(),
            la: None,
            year: None,
            table: None,
            file: None,
            within: None,
            line: None,
            column: None,
            field: None,
            value: None,
            message: message.into(),
            personal_detail: None,
        }
    }

    /// Whether `value` may identify a child (its field is CHILD, DOB, UPN, a
    /// postcode…), so that shareable outputs must drop it.
    pub fn is_identifying(&self) -> bool {
        self.field.as_deref().is_some_and(is_personal_field)
    }

    /// The message followed by the personal detail, if any: for the analyst's
    /// own terminal and `personal/diagnostics.csv`, never a shareable output.
    pub fn message_with_detail(&self) -> String {
        match &self.personal_detail {
            Some(detail) => format!("{} ({detail})", self.message),
            None => self.message.clone(),
        }
    }

    /// The column as a spreadsheet shows it (`A`, `B`, … `AA`), if known.
    pub fn column_letter(&self) -> Option<String> {
        self.column.and_then(column_letter)
    }

    /// The file, and where inside it when it holds several tables:
    /// `returns.xlsx (Episodes)`.
    pub fn file_and_within(&self, file: &Path) -> String {
        match &self.within {
            Some(w) => format!("{} ({w})", file.display()),
            None => file.display().to_string(),
        }
    }

    /// `file:line, column C` (the column by its spreadsheet letter, as Excel
    /// shows it), as far as known; `returns.xlsx (Episodes):12, column C`
    /// for a sheet of a workbook.
    pub fn location(&self) -> String {
        let mut s = self
            .file
            .as_deref()
            .map(|p| self.file_and_within(p))
            .unwrap_or_default();
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
            if let Some(c) = self.column_letter() {
                s.push_str(&format!(", column {c}"));
            }
        }
        s
    }
}

/// The spreadsheet letter of a 1-based column number: 1 → `A`, 26 → `Z`,
/// 27 → `AA`, 702 → `ZZ`, 703 → `AAA`. `None` for 0.
pub fn column_letter(column: u32) -> Option<String> {
    if column == 0 {
        return None;
    }
    let mut n = column;
    let mut letters = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push(char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    Some(letters.into_iter().rev().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_are_as_a_spreadsheet_shows_them() {
        let l = |n| column_letter(n).unwrap_or_default();
        assert_eq!(column_letter(0), None);
        assert_eq!(l(1), "A");
        assert_eq!(l(3), "C");
        assert_eq!(l(26), "Z");
        assert_eq!(l(27), "AA");
        assert_eq!(l(52), "AZ");
        assert_eq!(l(53), "BA");
        assert_eq!(l(702), "ZZ");
        assert_eq!(l(703), "AAA");
        assert_eq!(l(16_384), "XFD");
        // Letters count in base 26 without a zero: each number has one name.
        let mut seen = std::collections::BTreeSet::new();
        for n in 1..=2000 {
            assert!(seen.insert(l(n)), "{n}");
        }
    }

    #[test]
    fn location_names_the_column_by_its_letter() {
        let mut d = Diagnostic::new(Severity::Error, "r", "m");
        d.file = Some("episodes.csv".into());
        assert_eq!(d.location(), "episodes.csv");
        d.line = Some(12);
        d.column = Some(2);
        assert_eq!(d.location(), "episodes.csv:12, column B");
        assert_eq!(d.column_letter().as_deref(), Some("B"));
        d.file = Some("returns.xlsx".into());
        d.within = Some("Episodes".into());
        assert_eq!(d.location(), "returns.xlsx (Episodes):12, column B");
    }
}

/// Rows read, used and excluded for one table of one authority and year.
/// Invariant: `rows_read == rows_used + rows_excluded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowAccount {
    pub la: LaCode,
    pub year: CollectionYear,
    pub table: TableKind,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_excluded: u64,
}
