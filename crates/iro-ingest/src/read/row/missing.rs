//! The Missing table: spells missing or away from placement without authorisation.

use iro_domain::*;

use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser};
use crate::staged::*;

impl RowParser<'_> {
    pub(super) fn missing(&mut self, rec: &Fields) -> Option<Staged<MissingSpell>> {
        use col::mis::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let missing = self.code(rec, MISSING, Role::Key, MissingType::parse, |c| {
            &mut c.missing
        });
        let mis_start = self.date(rec, MIS_START, Role::Key);
        let mis_end = self.date(rec, MIS_END, Role::End);
        let (Some(missing), Some(mis_start)) = (missing, mis_start) else {
            return None;
        };
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: MissingSpell {
                child,
                missing,
                mis_start,
                mis_end,
                year: self.year(),
                source: self.source(),
            },
        })
    }
}
