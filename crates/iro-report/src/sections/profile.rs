//! [`Layout::Profile`](super::Layout::Profile): children looked after at 31 March by
//! age, sex, ethnicity, legal status, category of need and UASC.

use iro_charts::build as cb;
use iro_charts::{Chart, SegmentColours};
use iro_metric_api::{MeasureId, Period};

use super::{
    AGE_ORDER, Ctx, Draft, SectionSpec, built, categories, label, lower_first, meta, para, table,
    v, with_notes,
};
use crate::format::{self, Shown};
use crate::model::{Cell, TableRow};

/// The profile breakdowns, in the order the seed reports show them: key,
/// column heading, what the caption says after "Children looked after at 31
/// March".
const PROFILE: [(&str, &str, &str); 6] = [
    ("age_band", "Age", "by age"),
    ("sex", "Sex", "by sex"),
    ("ethnicity", "Ethnicity", "by ethnicity"),
    ("legal_status", "Legal status", "by legal status"),
    (
        "category_of_need",
        "Category of need",
        "by category of need (the main reason they are looked after)",
    ),
    (
        "uasc",
        "Unaccompanied asylum-seeking children",
        "who were unaccompanied asylum-seeking children (UASC)",
    ),
];

pub(super) fn profile(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    const M: MeasureId = cohort_summary::PROFILE;
    let y = ctx.year;
    if ctx.rows.all(y, M).is_empty() {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut out = Vec::new();
    let find = |key: &str, val: &str| {
        ctx.rows
            .get(y, M, Period::Snapshot, &format!("{key}={val}"))
    };
    let mut facts = Vec::new();
    if let (Some(m), Some(f)) = (
        v(&format::value(find("sex", "Male"))),
        v(&format::value(find("sex", "Female"))),
    ) {
        facts.push(format!("{m} were boys and {f} girls"));
    }
    let ages = categories(ctx, y, M, Period::Snapshot, "age_band");
    if let Some((band, r)) = ages
        .iter()
        .filter(|(_, r)| !r.status.is_suppressed())
        .max_by_key(|(_, r)| r.numerator)
    {
        facts.push(format!(
            "the largest age group was {} ({}, {})",
            lower_first(band),
            format::numerator(Some(r)).text(),
            format::value(Some(r)).text()
        ));
    }
    let n2 = find("category_of_need", "N2 Child's disability");
    match (format::numerator(n2), format::value(n2)) {
        (Shown::Value(n), Shown::Value(p)) => facts.push(format!(
            "{n} ({p}) were looked after mainly because of their own disability (category of need N2)"
        )),
        (Shown::Suppressed, _) => facts.push(
            "the number looked after mainly because of their own disability (category of need N2) is small and not shown".into(),
        ),
        _ => {}
    }
    let uasc = find("uasc", "UASC");
    if let (Shown::Value(n), Shown::Value(p)) = (format::numerator(uasc), format::value(uasc)) {
        facts.push(format!(
            "{n} ({p}) were unaccompanied asylum-seeking children"
        ));
    }
    if !facts.is_empty() {
        out.push(para(format!(
            "Of the children looked after at 31 March {y}, {}.",
            facts.join("; ")
        )));
    }
    let prev = ctx.prev();
    for (key, name, by) in PROFILE {
        let mut cats = categories(ctx, y, M, Period::Snapshot, key);
        if cats.is_empty() {
            continue;
        }
        if key == "age_band" {
            cats.sort_by_key(|(c, _)| AGE_ORDER.iter().position(|a| a == c).unwrap_or(99));
        }
        let mut head = vec![name.to_string()];
        if let Some(p) = prev {
            head.push(format!("{} children", label(p)));
            head.push(format!("{} %", label(p)));
        }
        head.push(format!("{} children", ctx.year_label()));
        head.push(format!("{} %", ctx.year_label()));
        head.push(format!("England {} %", ctx.year_label()));
        let row_of = |c: &str, r: &iro_metric_api::MetricRow, key: &str| {
            let mut cells: Vec<Cell> = Vec::new();
            if let Some(p) = prev {
                let pr = ctx.rows.get(p, M, Period::Snapshot, &format!("{key}={c}"));
                // No row for a category another year has: no child in it.
                let known = !categories(ctx, p, M, Period::Snapshot, key).is_empty();
                cells.push(format::or_zero(pr, known, format::numerator, "0").into());
                cells.push(format::or_zero(pr, known, format::value, "0.0%").into());
            }
            cells.push(format::numerator(Some(r)).into());
            cells.push(format::value(Some(r)).into());
            cells.push(england(ctx, &format!("{key}={c}")));
            cells
        };
        let mut body: Vec<TableRow> = Vec::new();
        for (c, r) in &cats {
            body.push(TableRow::new(*c, row_of(c, r, key)));
            // Care orders: interim and full beneath them.
            if key == "legal_status" && *c == "Care order" {
                let mut kinds = categories(ctx, y, M, Period::Snapshot, "care_order");
                kinds.sort_by_key(|(k, _)| *k != cohort_summary::INTERIM_CARE_ORDER);
                for (k, r) in kinds {
                    body.push(TableRow::new(
                        format!("of which {}", lower_first(k)),
                        row_of(k, r, "care_order"),
                    ));
                }
            }
        }
        out.push(with_notes(
            table(
                format!("Children looked after at 31 March {by}"),
                head,
                body,
            ),
            Vec::new(),
        ));
        if matches!(key, "age_band" | "legal_status") {
            let title = format!("Children looked after at 31 March {by}");
            let colours = if key == "age_band" {
                SegmentColours::Sequential
            } else {
                SegmentColours::Categorical
            };
            out.extend(built(
                &format!("profile-{}", key.replace('_', "-")),
                format!("{title}, % of all, {}", ctx.years_text()),
                cb::stacked(
                    ctx.chart_rows,
                    ctx.la,
                    M,
                    key,
                    &ctx.snapshot_years(),
                    colours,
                    meta(
                        ctx,
                        &title,
                        "Year",
                        "Children looked after",
                        &ctx.years_text(),
                    ),
                )
                .map(Chart::StackedBars),
            ));
        }
    }
    out.extend(age_by_legal_status(ctx));
    out
}

/// England's published % for a profile row of the report's year, or "not
/// found".
fn england(ctx: &Ctx<'_>, breakdown: &str) -> Cell {
    match ctx
        .reference
        .national(
            iro_domain::CollectionYear(ctx.year),
            iro_reference::NationalSubject::Cla31March,
            breakdown,
        )
        .and_then(|f| f.percent.value())
    {
        Some(p) => Cell::Figure(Shown::Value(format!("{}%", format::number(p, 0)))),
        None => Cell::Text(super::care_leavers::NOT_FOUND.into()),
    }
}

/// Legal statuses in the order of the cross-tab's columns.
const LEGAL_ORDER: [&str; 6] = [
    cohort_summary::INTERIM_CARE_ORDER,
    cohort_summary::FULL_CARE_ORDER,
    "Placement order",
    "Voluntary agreement (s20)",
    "Emergency orders",
    "Youth justice",
];

/// Children looked after at 31 March by age (rows) and legal status
/// (columns): the seed reports' "age and legal status" graph as a table. A
/// cell with no row had no children (the cross-tab's total is there).
fn age_by_legal_status(ctx: &Ctx<'_>) -> Option<Draft> {
    const X: MeasureId = cohort_summary::AGE_LEGAL_STATUS;
    let y = ctx.year;
    ctx.rows.total(y, X, Period::Snapshot)?;
    let cells: Vec<(&str, &str, &iro_metric_api::MetricRow)> = ctx
        .rows
        .all(y, X)
        .iter()
        .filter(|r| r.period == Period::Snapshot)
        .filter_map(|r| {
            Some((
                r.breakdown.get("age_band")?,
                r.breakdown.get("legal_status")?,
                *r,
            ))
        })
        .collect();
    let mut statuses: Vec<&str> = Vec::new();
    for (_, s, _) in &cells {
        if !statuses.contains(s) {
            statuses.push(s);
        }
    }
    statuses.sort_by_key(|s| LEGAL_ORDER.iter().position(|o| o == s).unwrap_or(99));
    let mut ages: Vec<&str> = Vec::new();
    for (a, _, _) in &cells {
        if !ages.contains(a) {
            ages.push(a);
        }
    }
    ages.sort_by_key(|a| AGE_ORDER.iter().position(|o| o == a).unwrap_or(99));
    let mut head = vec!["Age at 31 March".to_string()];
    head.extend(statuses.iter().map(|s| s.to_string()));
    head.push("All".into());
    let mut body: Vec<TableRow> = ages
        .iter()
        .map(|a| {
            let mut row: Vec<Cell> = statuses
                .iter()
                .map(
                    |s| match cells.iter().find(|(ca, cs, _)| ca == a && cs == s) {
                        Some((_, _, r)) => format::numerator(Some(r)).into(),
                        None => Cell::Figure(Shown::Value("0".into())),
                    },
                )
                .collect();
            row.push(
                format::numerator(ctx.rows.get(
                    y,
                    cohort_summary::PROFILE,
                    Period::Snapshot,
                    &format!("age_band={a}"),
                ))
                .into(),
            );
            TableRow::new(*a, row)
        })
        .collect();
    let mut totals: Vec<Cell> = statuses
        .iter()
        .map(|s| {
            let b = if s.contains("care order") {
                format!("care_order={s}")
            } else {
                format!("legal_status={s}")
            };
            format::numerator(
                ctx.rows
                    .get(y, cohort_summary::PROFILE, Period::Snapshot, &b),
            )
            .into()
        })
        .collect();
    totals.push(format::numerator(ctx.rows.total(y, X, Period::Snapshot)).into());
    body.push(TableRow::new("All ages", totals).total());
    Some(with_notes(
        table(
            format!("Children looked after at 31 March {y} by age and legal status"),
            head,
            body,
        ),
        vec!["Care orders are shown as interim (C1) and full (C2) apart; a placement order here includes a freeing order (D1).".into()],
    ))
}
