//! [`Layout::ChildrenInCare`](super::Layout::ChildrenInCare): "Table 1", the children
//! looked after over five years with starts and ceases, from `cohort_summary.csv`.

use iro_metric_api::Period;
use iro_results::SummaryRow;

use super::{Ctx, Draft, SectionSpec, figure, label, para, table, v};
use crate::charts::{self, Words, cell};
use crate::format::{self, Shown, count};
use crate::model::{Block, Cell, TableRow};

/// A `cohort_summary.csv` cell as the report shows it.
fn summary_cell(s: &str) -> Shown {
    match s.trim() {
        "" => Shown::Missing,
        "c" => Shown::Suppressed,
        t => match t.parse::<u64>() {
            Ok(n) => Shown::Value(count(n)),
            Err(_) => Shown::Value(t.to_string()),
        },
    }
}

pub(super) fn children_in_care(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let rows: Vec<&SummaryRow> = ctx
        .years
        .iter()
        .filter_map(|y| ctx.summary.iter().find(|s| s.year == *y).copied())
        .collect();
    let Some(this) = rows.iter().find(|s| s.year == ctx.year) else {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    };
    let mut out = Vec::new();
    // The headline sentence, from the same cells as the table.
    let cla = summary_cell(&this.cla_31_march);
    let rate = summary_cell(&this.cla_rate_per_10000);
    let published = summary_cell(&this.published_rate_per_10000);
    let mut s = match v(&cla) {
        Some(n) => format!(
            "At 31 March {} {} looked after {n} children",
            ctx.year, ctx.la_name
        ),
        None => format!(
            "The number of children {} looked after at 31 March {} is not shown (c)",
            ctx.la_name, ctx.year
        ),
    };
    if let (Some(_), Ok(change)) = (v(&cla), this.cla_change_percent.trim().parse::<f64>()) {
        let prev = ctx.summary.iter().find(|r| r.year == ctx.year - 1);
        let was = prev
            .and_then(|p| v(&summary_cell(&p.cla_31_march)).map(str::to_string))
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let pct = format::number(change.abs(), 1);
        if pct == "0.0" {
            s.push_str(&format!(", about as many as a year earlier{was}"));
        } else if change > 0.0 {
            s.push_str(&format!(", {pct}% more than a year earlier{was}"));
        } else {
            s.push_str(&format!(", {pct}% fewer than a year earlier{was}"));
        }
    }
    s.push('.');
    if let Some(flag) = ctx.published_flag {
        s.push_str(&format!(
            " Check the data: the DfE published {} children looked after at 31 March {}.",
            count(flag.published),
            ctx.year
        ));
    }
    if let Some(r) = v(&rate) {
        s.push_str(&format!(
            " That is {r} children in every 10,000 aged 0 to 17 in the area"
        ));
        if let Some(p) = v(&published) {
            s.push_str(&format!(" (the DfE published {p})"));
        }
        s.push('.');
    }
    let starts = summary_cell(&this.starts);
    let ceases = summary_cell(&this.ceases);
    if let (Some(a), Some(b)) = (v(&starts), v(&ceases)) {
        s.push_str(&format!(
            " During {}, {a} children started to be looked after and {b} ceased.",
            ctx.year_label()
        ));
    }
    out.push(para(s));

    let mut head = vec!["Measure".to_string()];
    head.extend(rows.iter().map(|r| r.year_label.clone()));
    type Field = fn(&SummaryRow) -> &str;
    let lines: [(&str, Field); 8] = [
        ("Children looked after at 31 March", |r| &r.cla_31_march),
        ("Change on the previous 31 March (%)", |r| {
            &r.cla_change_percent
        }),
        ("Rate per 10,000 children aged 0 to 17", |r| {
            &r.cla_rate_per_10000
        }),
        ("DfE published: children looked after at 31 March", |r| {
            &r.published_cla_31_march
        }),
        ("DfE published: rate per 10,000", |r| {
            &r.published_rate_per_10000
        }),
        ("Children who started to be looked after", |r| &r.starts),
        ("Children who ceased to be looked after", |r| &r.ceases),
        ("Children looked after at any time in the year", |r| {
            &r.during_year
        }),
    ];
    let body = lines
        .iter()
        .map(|(name, f)| {
            TableRow::new(
                *name,
                rows.iter()
                    .map(|r| Cell::from(summary_cell(f(r))))
                    .collect(),
            )
        })
        .collect();
    let mut t = table(
        format!(
            "Children looked after, starts and ceases, {} to {}",
            rows.first().map(|r| r.year_label.as_str()).unwrap_or(""),
            ctx.year_label()
        ),
        head,
        body,
    );
    let mut notes: Vec<String> = rows
        .iter()
        .filter(|r| !r.note.is_empty())
        .map(|r| format!("{}: {}", r.year_label, r.note))
        .collect();
    notes.push(if this.counted_from == iro_domain::FigureBasis::Revised {
        "Every year is recounted from the merged history of all the returns loaded, later \
         corrections applied, so earlier years can differ from the returns as they were sent."
            .to_string()
    } else {
        "Each year is counted from that year's own return, as the DfE counts.".to_string()
    });
    notes.push(
        "Rates use the ONS mid-year estimate of children aged 0 to 17 for the previous year, as \
         the DfE does. The DfE computes its published figures from its own cleaned national \
         database, so they can differ by a child or two."
            .into(),
    );
    let years: Vec<i32> = rows.iter().map(|r| r.year).collect();
    notes.extend(ctx.published_from(&years));
    t.notes = notes;
    out.push(Draft::Block(Block::Table(t)));

    // The chart: the same three counts, from the tidy rows behind the table.
    let years: Vec<String> = ctx.years.iter().map(|&y| label(y)).collect();
    let series = [
        (
            cohort_summary::CLA_31_MARCH,
            Period::Snapshot,
            "Looked after at 31 March",
        ),
        (
            cohort_summary::STARTS,
            Period::Year,
            "Started to be looked after",
        ),
        (
            cohort_summary::CEASES,
            Period::Year,
            "Ceased to be looked after",
        ),
    ]
    .iter()
    .map(|(m, p, name)| {
        (
            name.to_string(),
            ctx.years
                .iter()
                .map(|&y| cell(ctx.rows.total(y, *m, *p)))
                .collect(),
        )
    })
    .collect();
    let words = Words {
        title: "Children looked after at 31 March, starts and ceases",
        x_label: "Year",
        y_label: "Children",
        unit: "",
        period: &years.join(", "),
        source: &ctx.source(),
    };
    out.push(figure(
        "children-in-care",
        format!(
            "Children looked after at 31 March, starts and ceases, {} to {}",
            years.first().map(String::as_str).unwrap_or(""),
            ctx.year_label()
        ),
        charts::bars(&words, years.clone(), series, false, 0, None),
    ));
    out
}
