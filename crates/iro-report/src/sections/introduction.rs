//! [`Layout::Introduction`](super::Layout::Introduction): what the report is for, the
//! data it is computed from and how small numbers are shown.

use super::{Ctx, Draft, label, para, suppression_sentence};

pub(super) fn introduction(ctx: &Ctx<'_>) -> Vec<Draft> {
    let y = ctx.year;
    let mut out = vec![para(format!(
        "This is the annual report of the Independent Reviewing Officer (IRO) service of {} for \
         the year from 1 April {} to 31 March {y}: the children the authority looked after, how \
         their statutory reviews were held and how they took part in them, where they lived, and \
         the work of the IRO service. The IRO Handbook (2010) asks the manager of the IRO service \
         to produce this report for the authority's corporate parents.",
        ctx.la_name,
        y - 1
    ))];
    let first = ctx.years.first().copied().unwrap_or(y);
    let span = if first == y {
        format!("the {} return", label(y))
    } else {
        format!("the returns for {} to {}", label(first), label(y))
    };
    out.push(para(format!(
        "The figures are computed from the authority's SSDA903 children looked after data \
         ({span}) and, where supplied, the IRO service's own records. Tables and charts show \
         numbers of children and reviews, never individual children."
    )));
    out.push(para(suppression_sentence(ctx.disclosure.threshold)));
    out
}
