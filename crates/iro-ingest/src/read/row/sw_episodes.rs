//! The SWEpisodes table: each child's social workers and why they changed.

use iro_domain::*;

use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser};
use crate::staged::*;

const SW_REASON_CODES: &[&str] = &[
    "MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED",
    "OTHERS",
];

impl RowParser<'_> {
    pub(super) fn sw_episode(&mut self, rec: &Fields) -> Option<Staged<SwEpisode>> {
        use col::sw::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let sw_id = self.text(rec, SW_ID, Role::Key);
        let sw_decom = self.date(rec, SW_DECOM, Role::Key);
        let sw_dec = self.date(rec, SW_DEC, Role::End);
        let sw_reason = self.text_code(rec, SW_REASON, Role::Optional, SW_REASON_CODES);
        let (Some(sw_id), Some(sw_decom)) = (sw_id, sw_decom) else {
            return None;
        };
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: SwEpisode {
                child,
                sw_id,
                sw_decom,
                sw_dec,
                sw_reason,
                year: self.year(),
                source: self.source(),
            },
        })
    }
}
