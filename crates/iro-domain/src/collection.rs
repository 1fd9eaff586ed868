//! How the SSDA903 collection changes from year to year, as data: which
//! codes a collection year's return may use, and from which year each table
//! is collected ([`TableKind::first_year`]). The reader checks every coded
//! field against [`CODE_YEARS`] through [`code_not_valid_in`]; a new year's
//! changes are rows added here, not conditions added to the reader.

use crate::dates::CollectionYear;
use crate::table::{Column, TableKind};

/// A code valid only from, or only until, a collection year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeYears {
    /// The field, as the DfE names it.
    pub column: Column,
    /// The code as written (compared ignoring case and surrounding spaces).
    pub code: &'static str,
    /// The first collection year (the year the return ends) that may use it.
    pub first: Option<i32>,
    /// The last collection year that may use it.
    pub last: Option<i32>,
    /// Why, in words, completing "PLACE K3 …" (or "SEX …" for a coding).
    pub why: &'static str,
    /// The coding the code belongs to, when the change is of a whole coding
    /// (SEX `1`/`2` for `M`/`F`/`U`): a file's codes of one coding are
    /// reported together, without naming each code.
    pub coding: Option<&'static str>,
}

impl CodeYears {
    /// Whether a return of `year` may use the code.
    pub fn valid_in(&self, year: CollectionYear) -> bool {
        self.first.is_none_or(|f| year.0 >= f) && self.last.is_none_or(|l| year.0 <= l)
    }
}

const fn col(table: TableKind, name: &str) -> Column {
    Column::of(table, name)
}

const PLACE: Column = col(TableKind::Episodes, "PLACE");
const REC: Column = col(TableKind::Episodes, "REC");
const RPC: Column = col(TableKind::Episodes, "REASON_PLACE_CHANGE");
const SEX: Column = col(TableKind::Header, "SEX");
const UASC_SEX: Column = col(TableKind::Uasc, "SEX");

const fn from(column: Column, code: &'static str, first: i32, why: &'static str) -> CodeYears {
    CodeYears {
        column,
        code,
        first: Some(first),
        last: None,
        why,
        coding: None,
    }
}

const fn until(column: Column, code: &'static str, last: i32, why: &'static str) -> CodeYears {
    CodeYears {
        column,
        code,
        first: None,
        last: Some(last),
        why,
        coding: None,
    }
}

/// A code of a coding valid only until (`last`) or from (`first`) a year.
const fn coding(
    column: Column,
    code: &'static str,
    first: Option<i32>,
    last: Option<i32>,
    name: &'static str,
    why: &'static str,
) -> CodeYears {
    CodeYears {
        column,
        code,
        first,
        last,
        why,
        coding: Some(name),
    }
}

const SEX_NUMERIC: &str = "uses the 1/2 coding, replaced by M/F/U from 2024-25; read as M/F";
const SEX_LETTER: &str = "uses the M/F/U coding, introduced in 2024-25";

/// Every code whose validity depends on the collection year, by field.
/// Sources: the DfE validator's rules of each year (docs/DATA.md).
pub const CODE_YEARS: &[CodeYears] = &[
    // 2018-19: REC E43/E44 (adoption) split into E45–E48; CUSTOD added.
    until(REC, "E43", 2018, "was replaced by E45–E48 in 2018-19"),
    until(REC, "E44", 2018, "was replaced by E45–E48 in 2018-19"),
    from(REC, "E45", 2019, "is only valid from 2018-19"),
    from(REC, "E46", 2019, "is only valid from 2018-19"),
    from(REC, "E47", 2019, "is only valid from 2018-19"),
    from(REC, "E48", 2019, "is only valid from 2018-19"),
    from(RPC, "CUSTOD", 2019, "is only valid from 2018-19"),
    // 2024-25: registered supported accommodation; SEX coded M/F/U.
    from(PLACE, "K3", 2025, "is only valid from 2024-25"),
    coding(SEX, "1", None, Some(2024), "1/2", SEX_NUMERIC),
    coding(SEX, "2", None, Some(2024), "1/2", SEX_NUMERIC),
    coding(SEX, "M", Some(2025), None, "M/F/U", SEX_LETTER),
    coding(SEX, "F", Some(2025), None, "M/F/U", SEX_LETTER),
    coding(SEX, "U", Some(2025), None, "M/F/U", SEX_LETTER),
    coding(UASC_SEX, "1", None, Some(2024), "1/2", SEX_NUMERIC),
    coding(UASC_SEX, "2", None, Some(2024), "1/2", SEX_NUMERIC),
    coding(UASC_SEX, "M", Some(2025), None, "M/F/U", SEX_LETTER),
    coding(UASC_SEX, "F", Some(2025), None, "M/F/U", SEX_LETTER),
    coding(UASC_SEX, "U", Some(2025), None, "M/F/U", SEX_LETTER),
    // 2025-26: H5, P2 and Z1 withdrawn; Z11–Z14 in their place.
    until(PLACE, "H5", 2025, "is not valid from 2025-26"),
    until(PLACE, "P2", 2025, "is not valid from 2025-26"),
    until(PLACE, "Z1", 2025, "is not valid from 2025-26"),
    from(PLACE, "Z11", 2026, "is only valid from 2025-26"),
    from(PLACE, "Z12", 2026, "is only valid from 2025-26"),
    from(PLACE, "Z13", 2026, "is only valid from 2025-26"),
    from(PLACE, "Z14", 2026, "is only valid from 2025-26"),
];

/// The entry of [`CODE_YEARS`] that a return of `year` breaks by writing
/// `code` in `column`, if any.
pub fn code_not_valid_in(
    column: Column,
    code: &str,
    year: CollectionYear,
) -> Option<&'static CodeYears> {
    let code = code.trim();
    CODE_YEARS
        .iter()
        .find(|c| c.column == column && c.code.eq_ignore_ascii_case(code) && !c.valid_in(year))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{PlacementType, ReasonEpisodeCeased, ReasonPlaceChange};

    fn y(n: i32) -> CollectionYear {
        CollectionYear(n)
    }

    #[test]
    fn each_change_takes_effect_in_its_year() {
        assert!(code_not_valid_in(PLACE, "K3", y(2024)).is_some());
        assert!(code_not_valid_in(PLACE, "K3", y(2025)).is_none());
        assert!(code_not_valid_in(PLACE, "z1", y(2025)).is_none());
        assert!(code_not_valid_in(PLACE, " Z1 ", y(2026)).is_some());
        assert!(code_not_valid_in(PLACE, "Z12", y(2025)).is_some());
        assert!(code_not_valid_in(PLACE, "Z12", y(2027)).is_none());
        assert!(code_not_valid_in(REC, "E44", y(2019)).is_some());
        assert!(code_not_valid_in(REC, "E45", y(2018)).is_some());
        assert!(code_not_valid_in(SEX, "1", y(2025)).is_some());
        assert!(code_not_valid_in(SEX, "M", y(2024)).is_some());
        assert!(code_not_valid_in(SEX, "M", y(2025)).is_none());
        // A code with no entry is valid in every year (its list says whether
        // it is known at all).
        assert!(code_not_valid_in(PLACE, "U1", y(2000)).is_none());
        assert_eq!(
            code_not_valid_in(PLACE, "K3", y(2024)).map(|c| c.why),
            Some("is only valid from 2024-25")
        );
    }

    /// Every entry names a code its field's list knows, so that a misspelt
    /// entry cannot silently check nothing.
    #[test]
    fn every_entry_names_a_real_code() {
        for c in CODE_YEARS {
            let known = match c.column.name() {
                "PLACE" => PlacementType::parse(c.code).is_some(),
                "REC" => ReasonEpisodeCeased::parse(c.code).is_some(),
                "REASON_PLACE_CHANGE" => ReasonPlaceChange::parse(c.code).is_some(),
                "SEX" => crate::codes::Sex::parse(c.code).is_some(),
                other => panic!("no code list for {other}"),
            };
            assert!(known, "{} {}", c.column.name(), c.code);
            assert!(c.first.is_some() || c.last.is_some(), "{}", c.code);
        }
    }
}
