//! [`Layout::ReviewTimeliness`](super::Layout::ReviewTimeliness): reviews held and on
//! time by quarter, by review in the sequence and over the years.

use iro_charts::build as cb;
use iro_charts::{Chart, TargetLine};
use iro_metric_api::{Breakdown, MeasureId, Period, Unit};

use super::{
    Ctx, Draft, QUARTERS, SectionSpec, built, label, meta, notes_of, para, table, target_for,
    target_words, v, with_notes,
};
use crate::format::{self, Shown};
use crate::model::{Block, TableRow};

pub(super) fn review_timeliness(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    const HELD: MeasureId = review_timeliness::HELD;
    const ON: MeasureId = review_timeliness::ON_TIME;
    let y = ctx.year;
    let year_on = ctx.rows.total(y, ON, Period::Year);
    if ctx.rows.total(y, HELD, Period::Year).is_none() && year_on.is_none() {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut out = Vec::new();
    let held = format::numerator(ctx.rows.total(y, HELD, Period::Year));
    if let Some(h) = v(&held) {
        let mut s = format!(
            "In {} IROs chaired {h} reviews of children looked after.",
            ctx.year_label()
        );
        if let (Some(n), Some(d), Some(p)) = (
            v(&format::numerator(year_on)),
            v(&format::denominator(year_on)),
            v(&format::value(year_on)),
        ) {
            s.push_str(&format!(
                " Of the {d} whose timeliness could be assessed, {n} ({p}) were held within the \
                 statutory timescale."
            ));
        }
        let overdue = format::numerator(ctx.rows.total(
            y,
            review_timeliness::OVERDUE_AT_END,
            Period::Snapshot,
        ));
        match &overdue {
            Shown::Value(n) => s.push_str(&format!(
                " At 31 March {y}, {n} children's reviews were overdue."
            )),
            Shown::Suppressed => s.push_str(&format!(
                " The number of reviews overdue at 31 March {y} is small and not shown (c)."
            )),
            Shown::Missing => {}
        }
        out.push(para(s));
    }
    let head: Vec<String> = [
        "Quarter",
        "Reviews held",
        "Reviews timed",
        "On time",
        "% on time",
        "Late",
        "Median days late",
        "Overdue at end of quarter",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let line = |period: Period, name: &str, stock: Period| {
        let on = ctx.rows.total(y, ON, period);
        TableRow::new(
            name,
            vec![
                format::numerator(ctx.rows.total(y, HELD, period)).into(),
                format::denominator(on).into(),
                format::numerator(on).into(),
                format::value(on).into(),
                format::numerator(ctx.rows.total(y, review_timeliness::LATE, period)).into(),
                format::value(
                    ctx.rows
                        .total(y, review_timeliness::DAYS_LATE_MEDIAN, period),
                )
                .into(),
                format::numerator(ctx.rows.total(y, review_timeliness::OVERDUE_AT_END, stock))
                    .into(),
            ],
        )
    };
    let mut body: Vec<TableRow> = QUARTERS.iter().map(|(p, n)| line(*p, n, *p)).collect();
    body.push(line(Period::Year, "The year", Period::Snapshot).total());
    out.push(with_notes(
        table(
            format!("Reviews held and on time by quarter, {}", ctx.year_label()),
            head,
            body,
        ),
        vec![
            "Reviews are counted in the quarter they were held. \"Reviews timed\" leaves out reviews whose due date cannot be worked out from the data (see About these figures).".into(),
            "Overdue: reviews due and not held by the end of the quarter (for the year, at 31 March), children still in care.".into(),
        ],
    ));

    // By review in the sequence.
    let seq = [
        ("first", "First review"),
        ("second", "Second review"),
        ("subsequent", "Later reviews"),
    ];
    let body: Vec<TableRow> = seq
        .iter()
        .map(|(k, name)| {
            let b = format!("review={k}");
            let on = ctx.rows.get(y, ON, Period::Year, &b);
            TableRow::new(
                *name,
                vec![
                    format::numerator(ctx.rows.get(y, HELD, Period::Year, &b)).into(),
                    format::denominator(on).into(),
                    format::numerator(on).into(),
                    format::value(on).into(),
                ],
            )
        })
        .collect();
    out.push(Draft::Block(Block::Table(table(
        format!("Reviews held and on time by review, {}", ctx.year_label()),
        [
            "Review",
            "Reviews held",
            "Reviews timed",
            "On time",
            "% on time",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        body,
    ))));

    // Trend over the years.
    if ctx.years.len() > 1 {
        let mut head = vec!["Measure".to_string()];
        head.extend(ctx.years.iter().map(|&y| label(y)));
        let body = vec![
            TableRow::new(
                "Reviews held",
                ctx.years
                    .iter()
                    .map(|&yy| format::numerator(ctx.rows.total(yy, HELD, Period::Year)).into())
                    .collect(),
            ),
            TableRow::new(
                "% on time",
                ctx.years
                    .iter()
                    .map(|&yy| format::value(ctx.rows.total(yy, ON, Period::Year)).into())
                    .collect(),
            ),
        ];
        let notes = notes_of(
            ctx.years
                .iter()
                .filter_map(|&yy| ctx.rows.total(yy, ON, Period::Year)),
        );
        out.push(with_notes(
            table("Reviews held and on time over the years", head, body),
            notes,
        ));
    }

    let target = target_for(ctx, ON).map(|t| TargetLine {
        value: t.target,
        label: target_words(t, Unit::Percent),
    });
    out.extend(built(
        "review-timeliness",
        format!(
            "Reviews held within the statutory timescale by quarter, {}",
            ctx.year_label()
        ),
        cb::quarter_bars(
            ctx.chart_rows,
            ctx.la,
            ON,
            y,
            &Breakdown::default(),
            target,
            "Reviews on time",
            meta(
                ctx,
                "Reviews held on time by quarter",
                "Quarter",
                "Reviews on time",
                &ctx.year_label(),
            ),
        )
        .map(Chart::Bars),
    ));
    out
}
