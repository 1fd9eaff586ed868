//! The SSDA903 tables and their columns, as the DfE defines them.

use serde::{Deserialize, Serialize};

/// One SSDA903 table (one CSV file per table and collection year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TableKind {
    Header,
    Episodes,
    Reviews,
    Uasc,
    Oc2,
    Oc3,
    Ad1,
    PlacedAdoption,
    PrevPerm,
    Missing,
    SwEpisodes,
    /// Deprivation of Liberty Orders (from 2026-27).
    DoLo,
}

impl TableKind {
    pub const ALL: [TableKind; 12] = [
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
        TableKind::SwEpisodes,
        TableKind::DoLo,
    ];

    /// The name the DfE validator uses.
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Header => "Header",
            TableKind::Episodes => "Episodes",
            TableKind::Reviews => "Reviews",
            TableKind::Uasc => "UASC",
            TableKind::Oc2 => "OC2",
            TableKind::Oc3 => "OC3",
            TableKind::Ad1 => "AD1",
            TableKind::PlacedAdoption => "PlacedAdoption",
            TableKind::PrevPerm => "PrevPerm",
            TableKind::Missing => "Missing",
            TableKind::SwEpisodes => "SWEpisodes",
            TableKind::DoLo => "DoLo",
        }
    }

    /// Columns in DfE order. A file is recognised by this set of headers.
    pub const fn columns(self) -> &'static [&'static str] {
        match self {
            TableKind::Header => &["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
            TableKind::Episodes => &[
                "CHILD",
                "DECOM",
                "RNE",
                "LS",
                "CIN",
                "PLACE",
                "PLACE_PROVIDER",
                "DEC",
                "REC",
                "REASON_PLACE_CHANGE",
                "HOME_POST",
                "PL_POST",
                "URN",
            ],
            TableKind::Reviews => &["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
            TableKind::Uasc => &["CHILD", "SEX", "DOB", "DUC"],
            TableKind::Oc2 => &[
                "CHILD",
                "DOB",
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
            TableKind::Oc3 => &["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
            TableKind::Ad1 => &[
                "CHILD",
                "DOB",
                "DATE_INT",
                "DATE_MATCH",
                "FOSTER_CARE",
                "NB_ADOPTR",
                "SEX_ADOPTR",
                "LS_ADOPTR",
            ],
            TableKind::PlacedAdoption => &[
                "CHILD",
                "DOB",
                "DATE_PLACED",
                "DATE_PLACED_CEASED",
                "REASON_PLACED_CEASED",
            ],
            TableKind::PrevPerm => &["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
            TableKind::Missing => &["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
            TableKind::SwEpisodes => &["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
            TableKind::DoLo => &["CHILD", "DOB", "DOLO_START", "DOLO_END"],
        }
    }

    /// Columns that older returns may lack (added to the collection later).
    /// A file missing only these is still recognised, with a warning.
    pub fn optional_columns(self) -> &'static [&'static str] {
        match self {
            TableKind::Episodes => &["PLACE_PROVIDER", "REASON_PLACE_CHANGE", "URN"],
            _ => &[],
        }
    }

    /// Columns without which no row of the table can be used: the child, the
    /// dates that place the row in time (an end date too: read as blank, it
    /// would make every closed episode or spell look open) and the codes the
    /// row is about. A file lacking one is excluded; a file lacking any other
    /// column is read with that column blank, and the figures that need it
    /// are not computable (`docs/DATA.md`, "Missing columns").
    pub fn essential_columns(self) -> &'static [&'static str] {
        match self {
            TableKind::Header | TableKind::Oc2 | TableKind::Ad1 => &["CHILD"],
            TableKind::Episodes => &["CHILD", "DECOM", "RNE", "LS", "DEC"],
            TableKind::Reviews => &["CHILD", "REVIEW"],
            TableKind::Uasc => &["CHILD", "DUC"],
            TableKind::Oc3 => &["CHILD", "IN_TOUCH"],
            TableKind::PlacedAdoption => &["CHILD", "DATE_PLACED"],
            TableKind::PrevPerm => &["CHILD", "PREV_PERM"],
            TableKind::Missing => &["CHILD", "MISSING", "MIS_START", "MIS_END"],
            TableKind::SwEpisodes => &["CHILD", "SW_ID", "SW_DECOM", "SW_DEC"],
            TableKind::DoLo => &["CHILD", "DOLO_START", "DOLO_END"],
        }
    }

    /// The first collection year in which the table exists.
    pub fn first_year(self) -> i32 {
        match self {
            TableKind::Missing => 2015,
            TableKind::PrevPerm => 2017,
            TableKind::SwEpisodes => 2024,
            TableKind::DoLo => 2027,
            _ => 2000,
        }
    }
}

impl std::fmt::Display for TableKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One column of one SSDA903 table: typed, so that a metric's declared needs
/// cannot name a column that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Column {
    table: TableKind,
    /// Position in [`TableKind::columns`].
    index: u8,
}

impl Column {
    /// Column `name` of `table`. Panics if the table has no such column, so in
    /// a `const` or `static` a misspelt name does not compile.
    pub const fn of(table: TableKind, name: &str) -> Column {
        let cols = table.columns();
        let mut i = 0;
        while i < cols.len() {
            if const_eq(cols[i], name) {
                return Column {
                    table,
                    index: i as u8,
                };
            }
            i += 1;
        }
        panic!("no such column in this SSDA903 table")
    }

    /// Column `name` of `table`, if it has one.
    pub fn find(table: TableKind, name: &str) -> Option<Column> {
        let i = table.columns().iter().position(|c| *c == name)?;
        Some(Column {
            table,
            index: i as u8,
        })
    }

    pub fn table(self) -> TableKind {
        self.table
    }

    /// The header as the DfE names it (`PL_POST`).
    pub fn name(self) -> &'static str {
        self.table.columns()[self.index as usize]
    }
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_name_and_essential_ones_exist() {
        const PL_POST: Column = Column::of(TableKind::Episodes, "PL_POST");
        assert_eq!(PL_POST.name(), "PL_POST");
        assert_eq!(PL_POST.table(), TableKind::Episodes);
        assert_eq!(Column::find(TableKind::Episodes, "PL_POST"), Some(PL_POST));
        assert_eq!(Column::find(TableKind::Episodes, "REVIEW"), None);
        assert_ne!(
            Column::of(TableKind::Header, "DOB"),
            Column::of(TableKind::Reviews, "DOB")
        );
        for t in TableKind::ALL {
            assert_eq!(t.essential_columns().first(), Some(&"CHILD"), "{t}");
            for c in t.essential_columns() {
                assert!(Column::find(t, c).is_some(), "{t} {c}");
                assert!(!t.optional_columns().contains(c), "{t} {c}");
            }
        }
    }
}
