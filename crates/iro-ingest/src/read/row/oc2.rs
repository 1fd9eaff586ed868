//! The OC2 table: outcomes of children looked after for a year (SDQ, offending, health checks).

use iro_domain::*;

use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser};
use crate::rules;
use crate::staged::*;

const SDQ_REASON_CODES: &[&str] = &["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"];

impl RowParser<'_> {
    pub(super) fn oc2(&mut self, rec: &Fields) -> Option<Staged<Oc2>> {
        use col::oc2::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let raw = self.field(rec, SDQ_SCORE);
        let sdq_score = if raw.is_empty() {
            None
        } else {
            let t = raw.strip_suffix(b".0").unwrap_or(raw);
            let v = std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.parse::<u8>().ok())
                .filter(|v| *v <= 40);
            if v.is_none() {
                self.diag(
                    Severity::Warning,
                    rules::FIELD_INVALID,
                    Some(SDQ_SCORE),
                    Some(raw),
                    "SDQ_SCORE must be a whole number from 0 to 40; value ignored".into(),
                );
            }
            v
        };
        let sdq_reason = self.text_code(rec, SDQ_REASON, Role::Optional, SDQ_REASON_CODES);
        let mut flags = [None; 8];
        for (k, c) in FLAGS.enumerate() {
            flags[k] = self.flag(rec, c);
        }
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: Oc2 {
                child,
                sdq_score,
                sdq_reason,
                convicted: flags[0],
                health_check: flags[1],
                immunisations: flags[2],
                teeth_check: flags[3],
                health_assessment: flags[4],
                substance_misuse: flags[5],
                intervention_received: flags[6],
                intervention_offered: flags[7],
                year: self.year(),
                source: self.source(),
            },
        })
    }
}
