//! The PrevPerm table: the permanence order a child had before coming into care.

use iro_domain::*;

use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser};
use crate::staged::*;

const PREV_PERM_CODES: &[&str] = &["P1", "P2", "P3", "P4", "Z1"];

impl RowParser<'_> {
    pub(super) fn prev_perm(&mut self, rec: &Fields) -> Option<Staged<PrevPerm>> {
        use col::pp::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let prev_perm = self.text_code(rec, PREV_PERM, Role::Key, PREV_PERM_CODES);
        let la_perm = self.text(rec, LA_PERM, Role::Optional);
        let date_perm = self.date(rec, DATE_PERM, Role::Optional);
        let prev_perm = prev_perm?;
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: PrevPerm {
                child,
                prev_perm,
                la_perm,
                date_perm,
                year: self.year(),
                source: self.source(),
            },
        })
    }
}
