//! The Header table: one row per child (SEX, DOB, ETHNIC, UPN, mother).

use iro_domain::*;

use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser};
use crate::staged::*;

impl RowParser<'_> {
    pub(super) fn header(&mut self, rec: &Fields) -> Option<Staged<HeaderRow>> {
        use col::header::*;
        let child = self.child(rec);
        let sex = self.sex(rec, SEX);
        let dob = self.date(rec, DOB, Role::Required);
        let ethnic = self.code(rec, ETHNIC, Role::Required, Ethnicity::parse, |c| {
            &mut c.ethnic
        });
        let upn = self.text(rec, UPN, Role::Required);
        let mother = self.flag(rec, MOTHER);
        let mc_dob = self.date(rec, MC_DOB, Role::Optional);
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: HeaderRow {
                child,
                sex,
                dob,
                ethnic,
                upn,
                mother,
                mc_dob,
                year: self.year(),
                source: self.source(),
            },
        })
    }
}
