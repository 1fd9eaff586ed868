//! [`Layout::Uasc`](super::Layout::Uasc): unaccompanied asylum-seeking
//! children looked after at 31 March (how many, their share of all children
//! looked after, by sex and by age, over five years) and those who started to
//! be looked after in the year.

use iro_metric_api::{MeasureId, Period};

use super::{
    AGE_ORDER, Ctx, Draft, SectionSpec, categories, label, lower_first, para, table, v, with_notes,
};
use crate::format::{self, Shown};
use crate::model::{Cell, TableRow};

pub(super) fn uasc(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    const PROFILE: MeasureId = cohort_summary::PROFILE;
    const BY: MeasureId = cohort_summary::UASC_PROFILE;
    const STARTS: MeasureId = cohort_summary::UASC_STARTS;
    let y = ctx.year;
    let uasc = |year: i32| ctx.rows.get(year, PROFILE, Period::Snapshot, "uasc=UASC");
    // No UASC row: either none at 31 March (a zero the profile says as
    // "Not UASC" = 100%) or no profile at all.
    if ctx.rows.all(y, PROFILE).is_empty() {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut out = Vec::new();
    let count = |year: i32| match uasc(year) {
        Some(r) => format::numerator(Some(r)),
        // The profile exists but has no UASC row: there were none.
        None if !ctx.rows.all(year, PROFILE).is_empty() => Shown::Value("0".into()),
        None => Shown::Missing,
    };
    let share = |year: i32| match uasc(year) {
        Some(r) => format::value(Some(r)),
        None if !ctx.rows.all(year, PROFILE).is_empty() => Shown::Value("0.0%".into()),
        None => Shown::Missing,
    };
    let now = count(y);
    let mut s = match (&now, share(y)) {
        (Shown::Value(n), Shown::Value(p)) => format!(
            "At 31 March {y}, {n} of the children looked after were unaccompanied \
             asylum-seeking children (UASC), {p} of all children looked after."
        ),
        (Shown::Suppressed, _) => format!(
            "At 31 March {y}, the number of unaccompanied asylum-seeking children (UASC) \
             looked after is small and not shown."
        ),
        _ => String::new(),
    };
    if let Some(p) = ctx.prev()
        && let (Shown::Value(n), Shown::Value(pc)) = (count(p), share(p))
    {
        s.push_str(&format!(" A year earlier there were {n} ({pc})."));
    }
    if !s.is_empty() {
        out.push(para(s));
    }
    let mut facts = Vec::new();
    let sexes = categories(ctx, y, BY, Period::Snapshot, "sex");
    if let (Some(m), Some(f)) = (
        sexes.iter().find(|(k, _)| *k == "Male"),
        sexes.iter().find(|(k, _)| *k == "Female"),
    ) && let (Some(m), Some(f)) = (
        v(&format::numerator(Some(m.1))),
        v(&format::numerator(Some(f.1))),
    ) {
        facts.push(format!("{m} were boys and {f} girls"));
    } else if let Some((_, m)) = sexes.iter().find(|(k, _)| *k == "Male")
        && sexes.len() == 1
        && let Some(n) = v(&format::numerator(Some(m)))
    {
        facts.push(format!("all {n} were boys"));
    }
    let ages = categories(ctx, y, BY, Period::Snapshot, "age_band");
    if let Some((_, r)) = ages.iter().find(|(k, _)| *k == "16 and over")
        && let (Some(n), Some(p)) = (v(&format::numerator(Some(r))), v(&format::value(Some(r))))
    {
        facts.push(format!("{n} ({p}) were aged 16 or over"));
    }
    let starts = ctx.rows.total(y, STARTS, Period::Year);
    let starts_text = match format::numerator(starts) {
        Shown::Value(n) => Some(format!(
            "{n} children started to be looked after during {} as unaccompanied asylum-seeking \
             children",
            ctx.year_label()
        )),
        Shown::Suppressed => Some(format!(
            "the number who started to be looked after during {} as unaccompanied \
             asylum-seeking children is small and not shown",
            ctx.year_label()
        )),
        Shown::Missing => None,
    };
    if !facts.is_empty() || starts_text.is_some() {
        let mut s = String::new();
        if !facts.is_empty() {
            s.push_str(&format!("Of those at 31 March, {}.", facts.join("; ")));
        }
        if let Some(t) = starts_text {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&super::upper_first(&t));
            s.push('.');
        }
        out.push(para(s));
    }

    // Five years: the count, the share, the starts.
    let years = &ctx.years;
    let mut head = vec!["Unaccompanied asylum-seeking children".to_string()];
    head.extend(years.iter().map(|&yr| label(yr)));
    let body = vec![
        TableRow::new(
            "Looked after at 31 March",
            years.iter().map(|&yr| count(yr).into()).collect(),
        ),
        TableRow::new(
            "% of all children looked after at 31 March",
            years.iter().map(|&yr| share(yr).into()).collect(),
        ),
        TableRow::new(
            "Started to be looked after during the year",
            years
                .iter()
                .map(|&yr| format::numerator(ctx.rows.total(yr, STARTS, Period::Year)).into())
                .collect(),
        ),
    ];
    out.push(with_notes(
        table(
            format!(
                "Unaccompanied asylum-seeking children, {}",
                ctx.years_text()
            ),
            head,
            body,
        ),
        vec![
            "UASC at 31 March: the child's UASC status had not ceased (DUC) by 31 March. A child \
             who started more than once in the year is counted once, as UASC if they were on \
             the day of their first start."
                .into(),
        ],
    ));

    // By sex and by age, this year.
    let mut body: Vec<TableRow> = Vec::new();
    let mut sexes = sexes;
    sexes.sort_by_key(|(k, _)| *k);
    for (k, r) in &sexes {
        body.push(TableRow::new(
            match *k {
                "Male" => "Boys".to_string(),
                "Female" => "Girls".to_string(),
                other => format!("Sex: {}", lower_first(other)),
            },
            vec![
                format::numerator(Some(r)).into(),
                format::value(Some(r)).into(),
            ],
        ));
    }
    let mut ages = ages;
    ages.sort_by_key(|(k, _)| AGE_ORDER.iter().position(|a| a == k).unwrap_or(99));
    for (k, r) in &ages {
        body.push(TableRow::new(
            format!("Aged {}", lower_first(k)),
            vec![
                format::numerator(Some(r)).into(),
                format::value(Some(r)).into(),
            ],
        ));
    }
    if !body.is_empty() {
        body.push(
            TableRow::new(
                "All UASC at 31 March",
                vec![now.into(), Cell::Figure(Shown::Value("100%".into()))],
            )
            .total(),
        );
        out.push(with_notes(
            table(
                format!(
                    "Unaccompanied asylum-seeking children looked after at 31 March {y}, by sex \
                     and by age"
                ),
                vec![
                    "Unaccompanied asylum-seeking children".into(),
                    "Children".into(),
                    "%".into(),
                ],
                body,
            ),
            Vec::new(),
        ));
    }
    out
}
