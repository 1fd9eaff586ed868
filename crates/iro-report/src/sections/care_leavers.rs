//! [`Layout::CareLeavers`](super::Layout::CareLeavers): care leavers aged 17
//! to 21 from the OC3 table: whether the authority is in touch, in suitable
//! accommodation, in education, employment or training, by age group, with
//! England's published figures beside them.
//!
//! The first sentence answers the question councillors ask: does the council
//! know where its care leavers are?

use ::care_leavers as cl;
use iro_metric_api::{MeasureId, MetricRow, Period};
use iro_reference::NationalSubject;

use super::{Ctx, Draft, SectionSpec, label, para, table, with_notes};
use crate::format::{self, Shown};
use crate::model::{Cell, TableRow};

/// Said in an England cell when we hold no published figure.
pub(super) const NOT_FOUND: &str = "not found";

const GROUPS: [&str; 2] = [cl::AGE_17_18, cl::AGE_19_21];

/// The rows of the main table: measure, breakdown key, value, row heading.
const INDICATORS: [(MeasureId, &str, &str, &str); 7] = [
    (
        cl::CONTACT,
        "contact",
        cl::IN_TOUCH,
        "In touch with the authority",
    ),
    (cl::CONTACT, "contact", cl::NOT_IN_TOUCH, "Not in touch"),
    (cl::CONTACT, "contact", cl::REFUSED, "Refused contact"),
    (
        cl::CONTACT,
        "contact",
        cl::NOT_REQUIRED,
        "No longer requires services",
    ),
    (
        cl::ACCOMMODATION,
        "accommodation",
        cl::SUITABLE,
        "In suitable accommodation",
    ),
    (
        cl::ACTIVITY,
        "activity",
        cl::EET,
        "In education, employment or training",
    ),
    (
        cl::CONTACT,
        "contact",
        cl::CONTACT_NOT_VALID,
        "In touch not recorded (code not valid)",
    ),
];

fn cell_key(group: &str, key: &str, value: &str) -> String {
    format!("age_group={group};{key}={value}")
}

/// England's published % for a row, or "not found".
fn england(ctx: &Ctx<'_>, year: i32, breakdown: &str) -> Cell {
    match ctx
        .reference
        .national(
            iro_domain::CollectionYear(year),
            NationalSubject::CareLeavers,
            breakdown,
        )
        .and_then(|f| f.percent.value())
    {
        Some(p) => Cell::Figure(Shown::Value(format!("{}%", format::number(p, 0)))),
        None => Cell::Text(NOT_FOUND.into()),
    }
}

/// A count in a sentence: "20 (80.0%)", "none", or in words where the
/// table shows `c` or `x`.
fn count_and_share(r: Option<&MetricRow>) -> String {
    match (format::numerator(r), format::value(r)) {
        (Shown::Value(n), _) if n == "0" => "none".to_string(),
        (Shown::Value(n), Shown::Value(p)) => format!("{n} ({p})"),
        (Shown::Value(n), _) => n,
        (Shown::Suppressed, _) => "a small number (c)".to_string(),
        (Shown::Missing, _) => "an unknown number (x)".to_string(),
    }
}

pub(super) fn care_leavers(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let y = ctx.year;
    if ctx.rows.all(y, cl::IN_SCOPE).is_empty() {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut out = Vec::new();
    let get = |year: i32, m: MeasureId, b: &str| ctx.rows.get(year, m, Period::Year, b);

    // The answer first: in touch, not in touch, refused, not required.
    let mut answers = Vec::new();
    for g in GROUPS {
        let total = get(y, cl::IN_SCOPE, &format!("age_group={g}"));
        let n = format::numerator(total);
        if matches!(n, Shown::Value(ref v) if v == "0") {
            answers.push(format!("had no care leavers aged {g} to report"));
            continue;
        }
        let c = |v: &str| count_and_share(get(y, cl::CONTACT, &cell_key(g, "contact", v)));
        answers.push(format!(
            "was in touch with {} of its {} care leavers aged {g} (not in touch: {}; refused \
             contact: {}; no longer requiring services: {})",
            c(cl::IN_TOUCH),
            match &n {
                Shown::Value(v) => v.as_str(),
                Shown::Suppressed => "few (c)",
                Shown::Missing => "x",
            },
            c(cl::NOT_IN_TOUCH),
            c(cl::REFUSED),
            c(cl::NOT_REQUIRED),
        ));
    }
    out.push(para(format!(
        "Around their birthday in {}, {} {}.",
        ctx.year_label(),
        ctx.la_name,
        answers.join(", and ")
    )));
    out.push(para(
        "Care leavers here are the young people the authority looked after for at least 13 \
         weeks after their 14th birthday, including their 16th, whose 17th to 21st birthday fell \
         in the year (the DfE's care-leaver indicators); \"in touch\" and what they were doing \
         are recorded around that birthday. Young people who died, or who returned home to \
         their parents for six months or more, are not counted, as in the DfE's figures.",
    ));

    // The indicators by age group, with England's.
    let mut head = vec!["Care leavers".to_string()];
    for g in GROUPS {
        head.push(format!("Aged {g}"));
        head.push(format!("Aged {g} %"));
    }
    head.push(format!("England, aged {} %", cl::AGE_19_21));
    let mut body = Vec::new();
    let mut totals = Vec::new();
    for g in GROUPS {
        totals.push(format::numerator(get(y, cl::IN_SCOPE, &format!("age_group={g}"))).into());
        totals.push(Cell::Figure(Shown::Value("100%".into())));
    }
    totals.push(Cell::Text(String::new()));
    body.push(TableRow::new("Care leavers counted", totals).total());
    for (m, key, value, heading) in INDICATORS {
        let rows: Vec<Option<&MetricRow>> = GROUPS
            .iter()
            .map(|g| get(y, m, &cell_key(g, key, value)))
            .collect();
        // An empty "not recorded" line says nothing: leave it out.
        if value == cl::CONTACT_NOT_VALID
            && rows.iter().all(|r| r.and_then(|r| r.numerator) == Some(0))
        {
            continue;
        }
        let mut cells = Vec::new();
        for r in &rows {
            cells.push(format::numerator(*r).into());
            cells.push(format::value(*r).into());
        }
        cells.push(england(ctx, y, &cell_key(cl::AGE_19_21, key, value)));
        body.push(TableRow::new(heading, cells));
    }
    out.push(with_notes(
        table(
            format!(
                "Care leavers aged 17 to 21 by age group, {}, with England",
                ctx.year_label()
            ),
            head,
            body,
        ),
        vec![
            "Percentages are of the care leavers counted in the age group. Suitable \
             accommodation and education, employment or training are of all of them, as the \
             DfE publishes them: a young person the authority is not in touch with counts as \
             no information."
                .into(),
            format!(
                "England: the DfE's published figure for the same year and age group, where we \
                 found one; \"{NOT_FOUND}\" where we did not. The DfE's national tables give 17- \
                 and 18-year-olds apart, so England is shown for 19 to 21 only."
            ),
        ],
    ));

    // Over the years loaded.
    let years: Vec<i32> = ctx
        .years
        .iter()
        .copied()
        .filter(|&yr| !ctx.rows.all(yr, cl::IN_SCOPE).is_empty())
        .collect();
    if years.len() > 1 {
        let mut head = vec!["Care leavers".to_string()];
        head.extend(years.iter().map(|&yr| label(yr)));
        let mut body = Vec::new();
        for g in GROUPS {
            let mut cells: Vec<Cell> = Vec::new();
            for &yr in &years {
                cells.push(
                    format::numerator(get(yr, cl::IN_SCOPE, &format!("age_group={g}"))).into(),
                );
            }
            body.push(TableRow::new(format!("Aged {g}: counted"), cells).total());
            for (m, key, value, heading) in [
                (cl::CONTACT, "contact", cl::IN_TOUCH, "in touch"),
                (
                    cl::ACCOMMODATION,
                    "accommodation",
                    cl::SUITABLE,
                    "in suitable accommodation",
                ),
                (
                    cl::ACTIVITY,
                    "activity",
                    cl::EET,
                    "in education, employment or training",
                ),
            ] {
                let cells = years
                    .iter()
                    .map(|&yr| format::value(get(yr, m, &cell_key(g, key, value))).into())
                    .collect();
                body.push(TableRow::new(format!("Aged {g}: % {heading}"), cells));
            }
        }
        out.push(with_notes(
            table(
                format!("Care leavers over the years, {}", ctx.years_text()),
                head,
                body,
            ),
            Vec::new(),
        ));
    }

    // Rows of OC3 the indicators leave out, so that nothing goes unseen.
    let reasons = super::categories(ctx, y, cl::NOT_COUNTED, Period::Year, "reason");
    let total = ctx.rows.total(y, cl::NOT_COUNTED, Period::Year);
    if total.and_then(|r| r.numerator) != Some(0) && !reasons.is_empty() {
        let body: Vec<TableRow> = reasons
            .iter()
            .map(|(reason, r)| TableRow::new(*reason, vec![format::numerator(Some(r)).into()]))
            .chain(std::iter::once(
                TableRow::new("All not counted", vec![format::numerator(total).into()]).total(),
            ))
            .collect();
        out.push(with_notes(
            table(
                format!(
                    "Young people in the care leavers' return not counted in the indicators, {}",
                    ctx.year_label()
                ),
                vec!["Reason".into(), "Young people".into()],
                body,
            ),
            super::notes_of(total),
        ));
    }
    out
}
