//! [`Layout::Participation`](super::Layout::Participation): the voice of the child,
//! participation in reviews (codes PN1 to PN7).

use iro_charts::build::{self as cb, Categories};
use iro_charts::{Chart, SegmentColours};
use iro_metric_api::{MeasureId, Period};

use super::{
    Ctx, Draft, QUARTERS, SectionSpec, band_order, built, categories, meta, para, table, v,
    with_notes,
};
use crate::format;
use crate::model::{Block, TableRow};

/// Short labels of the participation codes (the DfE meanings, abridged).
const PN: [(&str, &str); 7] = [
    ("PN1", "attended and spoke for themselves"),
    ("PN2", "attended, an advocate spoke for them"),
    ("PN3", "attended and conveyed their views non-verbally"),
    ("PN4", "attended without conveying their views"),
    ("PN5", "did not attend, briefed an advocate"),
    ("PN6", "did not attend, conveyed their views another way"),
    ("PN7", "did not attend, views not conveyed"),
];

pub(super) fn participation(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    const P: MeasureId = participation::PARTICIPATED;
    const D: MeasureId = participation::DISTRIBUTION;
    let y = ctx.year;
    let year = ctx.rows.total(y, P, Period::Year);
    if year.is_none() {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut out = Vec::new();
    if let (Some(n), Some(d), Some(p)) = (
        v(&format::numerator(year)),
        v(&format::denominator(year)),
        v(&format::value(year)),
    ) {
        let mut s = format!(
            "Of the {d} reviews of children aged 4 or over in {}, the child took part in {n} \
             ({p}): they attended, or their views were conveyed to the review (codes PN1 to PN6).",
            ctx.year_label()
        );
        let pn7 = ctx.rows.get(y, D, Period::Year, "code=PN7");
        if let (Some(n7), Some(p7)) = (v(&format::numerator(pn7)), v(&format::value(pn7))) {
            s.push_str(&format!(
                " In {n7} ({p7}) the child did not attend and their views were not conveyed (PN7)."
            ));
        }
        out.push(para(s));
    }
    let line = |period: Period, name: &str| {
        let r = ctx.rows.total(y, P, period);
        TableRow::new(
            name,
            vec![
                format::denominator(r).into(),
                format::numerator(r).into(),
                format::value(r).into(),
            ],
        )
    };
    let mut body: Vec<TableRow> = QUARTERS.iter().map(|(p, n)| line(*p, n)).collect();
    body.push(line(Period::Year, "The year").total());
    out.push(with_notes(
        table(
            format!("Participation in reviews by quarter, {}", ctx.year_label()),
            vec![
                "Quarter".into(),
                "Reviews of children aged 4 or over".into(),
                "Child took part".into(),
                "% took part".into(),
            ],
            body,
        ),
        vec!["Took part: codes PN1 to PN6 of PN1 to PN7 (our grouping of the DfE code meanings, not a published DfE indicator). Reviews of children under 4 (PN0) are not counted.".into()],
    ));
    let codes: Vec<TableRow> = PN
        .iter()
        .map(|(code, meaning)| {
            let r = ctx.rows.get(y, D, Period::Year, &format!("code={code}"));
            TableRow::new(
                format!("{code}: {meaning}"),
                vec![format::numerator(r).into(), format::value(r).into()],
            )
        })
        .collect();
    out.push(Draft::Block(Block::Table(table(
        format!(
            "How children took part in their reviews, {}",
            ctx.year_label()
        ),
        vec!["Participation code".into(), "Reviews".into(), "%".into()],
        codes,
    ))));
    let mut bands = categories(ctx, y, P, Period::Year, "age_band");
    bands.sort_by_key(|(c, _)| band_order(c));
    if !bands.is_empty() {
        let body = bands
            .iter()
            .map(|(b, r)| {
                TableRow::new(
                    format!("Aged {b}"),
                    vec![
                        format::denominator(Some(r)).into(),
                        format::numerator(Some(r)).into(),
                        format::value(Some(r)).into(),
                    ],
                )
            })
            .collect();
        out.push(Draft::Block(Block::Table(table(
            format!("Participation in reviews by age, {}", ctx.year_label()),
            vec![
                "Age at the review".into(),
                "Reviews".into(),
                "Child took part".into(),
                "% took part".into(),
            ],
            body,
        ))));
    }
    let title = "How children aged 4 or over took part in their reviews";
    let mut periods: Vec<Period> = QUARTERS.iter().map(|(p, _)| *p).collect();
    periods.push(Period::Year);
    out.extend(built(
        "participation",
        format!("{title}, % of reviews by quarter, {}", ctx.year_label()),
        cb::stacked(
            ctx.chart_rows,
            ctx.la,
            D,
            "code",
            &Categories::Periods { year: y, periods },
            SegmentColours::Categorical,
            meta(ctx, title, "Quarter", "Reviews", &ctx.year_label()),
        )
        .map(Chart::StackedBars),
    ));
    out
}
