//! The UASC table: unaccompanied asylum-seeking children, with the date they ceased to be.

use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser};
use crate::staged::*;

impl RowParser<'_> {
    pub(super) fn uasc(&mut self, rec: &Fields) -> Option<Staged<UascRow>> {
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
}
