//! The Reviews table: a review date and how the child took part.

use iro_domain::*;

use super::super::col;
use super::super::fields::Fields;
use super::{Role, RowParser};
use crate::staged::*;

impl RowParser<'_> {
    pub(super) fn review(&mut self, rec: &Fields) -> Option<Staged<Review>> {
        use col::rev::*;
        let child = self.child(rec);
        let dob = self.date(rec, col::DOB, Role::Optional);
        let review = self.date(rec, REVIEW, Role::Key);
        let review_code = self.code(
            rec,
            REVIEW_CODE,
            Role::Required,
            ParticipationCode::parse,
            |c| &mut c.review_code,
        );
        if let Some(r) = review {
            self.count_year(|start, end| start <= r && r <= end);
        }
        let review = review?;
        if self.excluded {
            return None;
        }
        Some(Staged {
            dob,
            row: Review {
                child,
                review,
                review_code,
                year: self.year(),
                source: self.source(),
            },
        })
    }
}
