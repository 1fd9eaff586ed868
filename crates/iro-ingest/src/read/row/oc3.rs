//! The OC3 table: care leavers in touch, their activity and accommodation.

use iro_domain::*;

use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser};
use crate::staged::*;

impl RowParser<'_> {
    pub(super) fn oc3(&mut self, rec: &Fields) -> Option<Staged<Oc3>> {
        use col::oc3::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let in_touch = self.text(rec, IN_TOUCH, Role::Key);
        let activ = self.text(rec, ACTIV, Role::Optional);
        let accom = self.text(rec, ACCOM, Role::Optional);
        let in_touch = in_touch?;
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: Oc3 {
                child,
                in_touch: in_touch.to_ascii_uppercase().into(),
                activ: activ.map(|s| s.to_ascii_uppercase().into()),
                accom: accom.map(|s| s.to_ascii_uppercase().into()),
                year: self.year(),
                source: self.source(),
            },
        })
    }
}
