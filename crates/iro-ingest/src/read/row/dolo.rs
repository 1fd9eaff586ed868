//! The DoLo table (from 2026-27): Deprivation of Liberty Orders.

use iro_domain::*;

use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser, fmt};
use crate::rules;
use crate::staged::*;

impl RowParser<'_> {
    pub(super) fn dolo(&mut self, rec: &Fields) -> Option<Staged<DeprivationOfLiberty>> {
        use col::dolo::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let dolo_start = self.date(rec, DOLO_START, Role::Key);
        let dolo_end = self.date(rec, DOLO_END, Role::End);
        let dolo_start = dolo_start?;
        if let Some(end) = dolo_end
            && end < dolo_start
        {
            let raw = self.field(rec, DOLO_END).to_vec();
            self.diag(
                Severity::Error,
                rules::DOLO_END_BEFORE_START,
                Some(DOLO_END),
                Some(&raw),
                format!(
                    "DOLO_END {} is before DOLO_START {}; row excluded",
                    fmt(end),
                    fmt(dolo_start)
                ),
            );
        }
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: DeprivationOfLiberty {
                child,
                dolo_start,
                dolo_end,
                year: self.year(),
                source: self.source(),
            },
        })
    }
}
