//! The Episodes table: legal status, placement and the episode's dates, with the checks between them.

use iro_domain::*;

use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser, fmt};
use crate::rules;
use crate::staged::*;

impl RowParser<'_> {
    pub(super) fn episode(&mut self, rec: &Fields) -> Option<Staged<Episode>> {
        use col::ep::*;
        let child = self.child(rec);
        let decom = self.date(rec, DECOM, Role::Key);
        let rne = self.code(rec, RNE, Role::Key, ReasonNewEpisode::parse, |c| &mut c.rne);
        let ls = self.code(rec, LS, Role::Key, LegalStatus::parse, |c| &mut c.ls);
        let cin = self.code(rec, CIN, Role::Required, CategoryOfNeed::parse, |c| {
            &mut c.cin
        });
        let place = self.code(rec, PLACE, Role::Required, PlacementType::parse, |c| {
            &mut c.place
        });
        let place_provider = self.code(
            rec,
            PLACE_PROVIDER,
            Role::Optional,
            PlaceProvider::parse,
            |c| &mut c.provider,
        );
        let dec = self.date(rec, DEC, Role::End);
        let mut rec_code = self.code(rec, REC, Role::Optional, ReasonEpisodeCeased::parse, |c| {
            &mut c.rec
        });
        let reason_place_change = self.code(
            rec,
            REASON_PLACE_CHANGE,
            Role::Optional,
            ReasonPlaceChange::parse,
            |c| &mut c.rpc,
        );
        let home_post = self.postcode(rec, HOME_POST);
        let pl_post = self.postcode(rec, PL_POST);
        let urn = self.text(rec, URN, Role::Optional);

        let y = self.year();
        if let Some(p) = place {
            self.check_code_year(PLACE, p.code());
        }
        if let Some(r) = rec_code {
            self.check_code_year(REC, r.code());
        }
        if let Some(r) = reason_place_change {
            self.check_code_year(REASON_PLACE_CHANGE, r.code());
        }

        if let (Some(decom), Some(dec)) = (decom, dec) {
            if dec < decom {
                let raw = self.field(rec, DEC).to_vec();
                self.diag(
                    Severity::Error,
                    rules::DEC_BEFORE_DECOM,
                    Some(DEC),
                    Some(&raw),
                    format!(
                        "DEC {} is before DECOM {}; row excluded",
                        fmt(dec),
                        fmt(decom)
                    ),
                );
            } else if dec == decom {
                let raw = self.field(rec, DEC).to_vec();
                self.diag(
                    Severity::Warning,
                    rules::DECOM_EQUALS_DEC,
                    Some(DEC),
                    Some(&raw),
                    "the episode starts and ends on the same day".into(),
                );
            }
        }
        if let Some(decom) = decom
            && decom > self.year_end
        {
            let raw = self.field(rec, DECOM).to_vec();
            self.diag(
                Severity::Warning,
                rules::DECOM_AFTER_YEAR,
                Some(DECOM),
                Some(&raw),
                format!(
                    "DECOM is after the end of the {} collection year",
                    y.label()
                ),
            );
        }
        if let Some(dec) = dec
            && dec > self.year_end
        {
            let raw = self.field(rec, DEC).to_vec();
            self.diag(
                Severity::Warning,
                rules::DEC_AFTER_YEAR,
                Some(DEC),
                Some(&raw),
                format!("DEC is after the end of the {} collection year", y.label()),
            );
        }
        let dec_blank = self.field(rec, DEC).is_empty();
        let rec_blank = self.field(rec, REC).is_empty();
        // Without a REC column there is nothing to pair (reported at the header).
        let rec_absent = self.cols.index[REC].is_none();
        if dec_blank != rec_blank && !self.excluded && !rec_absent {
            if dec_blank {
                rec_code = None;
                self.diag(
                    Severity::Warning,
                    rules::DEC_REC_PAIR,
                    Some(REC),
                    Some(self.field(rec, REC)),
                    "REC is filled but DEC is blank; REC ignored (the episode is open)".into(),
                );
            } else {
                self.diag(
                    Severity::Warning,
                    rules::DEC_REC_PAIR,
                    Some(REC),
                    None,
                    "DEC is filled but REC is blank".into(),
                );
            }
        }
        if let Some(decom) = decom {
            self.count_year(|start, end| {
                decom <= end && dec.is_none_or(|d| start <= d && d <= end)
            });
        }

        let (Some(decom), Some(rne), Some(ls)) = (decom, rne, ls) else {
            return None;
        };
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob: None,
            row: Episode {
                child,
                decom,
                rne,
                ls,
                cin,
                place,
                place_provider,
                dec,
                rec: rec_code,
                reason_place_change,
                home_post,
                pl_post,
                urn,
                year: y,
                source: self.source(),
            },
        })
    }
}
