//! [`Layout::LeavingCare`](super::Layout::LeavingCare): children who ceased to be
//! looked after, by reason.

use iro_metric_api::{MeasureId, MetricRow, Period};

use super::{
    Ctx, Draft, SectionSpec, categories, figure, label, lower_first, para, table, v, with_notes,
};
use crate::charts::{self, Words, cell};
use crate::format::{self, Shown};
use crate::model::{Cell, TableRow};

pub(super) fn leaving_care(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    const M: MeasureId = cohort_summary::CEASED_REASON;
    let mut reasons = categories(ctx, ctx.year, M, Period::Year, "reason");
    if reasons.is_empty() {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    // Largest first; suppressed cells after the shown ones, in their order.
    reasons.sort_by(|a, b| {
        let key = |r: &MetricRow| (r.status.is_suppressed(), std::cmp::Reverse(r.numerator));
        key(a.1).cmp(&key(b.1))
    });
    let total = ctx
        .rows
        .total(ctx.year, cohort_summary::CEASES, Period::Year);
    let mut out = Vec::new();
    let shown: Vec<String> = reasons
        .iter()
        .filter(|(_, r)| !r.status.is_suppressed() && r.numerator.unwrap_or(0) > 0)
        .take(3)
        .map(|(reason, r)| {
            format!(
                "{} ({}, {})",
                lower_first(reason),
                format::numerator(Some(r)).text(),
                format::value(Some(r)).text()
            )
        })
        .collect();
    if let Some(n) = v(&format::numerator(total)) {
        let mut s = format!(
            "In {}, {n} children ceased to be looked after.",
            ctx.year_label()
        );
        if !shown.is_empty() {
            s.push_str(&format!(
                " The most common reasons were: {}.",
                shown.join("; ")
            ));
        }
        out.push(para(s));
    }
    let prev = ctx.prev();
    let mut head = vec!["Reason for ceasing to be looked after".to_string()];
    if let Some(p) = prev {
        head.push(format!("{} children", label(p)));
    }
    head.push(format!("{} children", ctx.year_label()));
    head.push(format!("{} %", ctx.year_label()));
    let mut body: Vec<TableRow> = reasons
        .iter()
        .map(|(reason, r)| {
            let mut cells = Vec::new();
            if let Some(p) = prev {
                let known = ctx
                    .rows
                    .total(p, cohort_summary::CEASES, Period::Year)
                    .is_some_and(|t| t.value.is_some());
                let row = ctx
                    .rows
                    .get(p, M, Period::Year, &format!("reason={reason}"));
                cells.push(format::or_zero(row, known, format::numerator, "0").into());
            }
            cells.push(format::numerator(Some(r)).into());
            cells.push(format::value(Some(r)).into());
            TableRow::new(*reason, cells)
        })
        .collect();
    let mut total_cells = Vec::new();
    if let Some(p) = prev {
        total_cells.push(
            format::numerator(ctx.rows.total(p, cohort_summary::CEASES, Period::Year)).into(),
        );
    }
    total_cells.push(format::numerator(total).into());
    total_cells.push(Cell::Figure(Shown::Value("100%".into())));
    body.push(TableRow::new("All children who ceased", total_cells).total());
    out.push(with_notes(
        table(
            format!("Children who ceased to be looked after by reason, {}", ctx.year_label()),
            head,
            body,
        ),
        vec!["A child who ceased more than once in the year is counted once, by the reason of their last ceasing.".into()],
    ));
    let words = Words {
        title: "Reasons for ceasing to be looked after",
        x_label: "Reason",
        y_label: "Children who ceased",
        unit: "%",
        period: &ctx.year_label(),
        source: &ctx.source(),
    };
    out.push(figure(
        "leaving-care",
        format!(
            "Children who ceased to be looked after by reason, % of all who ceased, {}",
            ctx.year_label()
        ),
        charts::bars(
            &words,
            reasons
                .iter()
                .map(|(r, _)| short_reason(r).to_string())
                .collect(),
            vec![(
                ctx.year_label(),
                reasons.iter().map(|(_, r)| cell(Some(r))).collect(),
            )],
            true,
            1,
            None,
        ),
    ));
    out
}

/// A reason for ceasing as a chart's category label, short enough to read
/// under a bar; the table beside the chart gives it in full.
fn short_reason(reason: &str) -> &str {
    match reason {
        "Returned home to parents or others with parental responsibility" => "Returned home",
        "Moved into independent living" => "Independent living",
        "Aged 18 and remained with current carers" => "Stayed with carers at 18",
        "Care taken over by another local authority" => "Another authority took over",
        "Custody or remand ended" => "Custody or remand ended",
        "Left care to live with parents, relatives or others without parental responsibility" => {
            "To parents or relatives without PR"
        }
        "Residence or child arrangements order" => "Child arrangements order",
        "Special guardianship order" => "Special guardianship",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_reason_label_is_short() {
        for code in iro_domain::codes::ReasonEpisodeCeased::ALL {
            let name = code.leaving_group();
            assert!(
                super::short_reason(name).len() <= 36,
                "{name} → {}",
                super::short_reason(name)
            );
        }
    }
}
