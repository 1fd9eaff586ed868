//! [`Layout::About`](super::Layout::About): how the figures were made, what could not
//! be computed, and the metrics behind them.

use iro_results::Outcome;

use super::{Ctx, Draft, para, settings_in, suppression_sentence, table};
use crate::model::{Block, Cell, TableRow};

pub(super) fn about(ctx: &Ctx<'_>) -> Vec<Draft> {
    let mut out = vec![
        para(format!(
            "Every figure in this report is in the tables IRO Analytics writes beside it \
             (metrics.csv, cohort_summary.csv, targets.csv), computed from {}'s SSDA903 return \
             by the definitions in the tool's methods document (docs/METHODS.md). The DfE \
             publishes children looked after figures from its own cleaned national data, so a \
             count here can differ from the published one by a child or two.",
            ctx.la_name
        )),
        para(suppression_sentence(ctx.disclosure.threshold)),
        para(
            "Review timeliness is rebuilt from the dates reviews were held: the SSDA903 holds no \
             due dates, so a review whose period of care began before the data does cannot be \
             timed, and is counted as held but not in the percentage on time. Placement \
             distances are measured in a straight line between the home and placement \
             postcodes, as the DfE measures them.",
        ),
    ];
    let problems: Vec<TableRow> = ctx
        .statuses
        .iter()
        .filter(|s| s.year == ctx.year)
        .filter_map(|s| match &s.outcome {
            Outcome::NotComputable(why) => Some(TableRow::new(
                s.metric.clone(),
                vec![Cell::Text("Not computable".into()), Cell::Text(why.clone())],
            )),
            Outcome::Failed(why) => Some(TableRow::new(
                s.metric.clone(),
                vec![Cell::Text("Failed".into()), Cell::Text(why.clone())],
            )),
            Outcome::Ok(_) => None,
        })
        .collect();
    if !problems.is_empty() {
        out.push(Draft::Block(Block::Table(table(
            format!("Figures that could not be computed, {}", ctx.year_label()),
            vec!["Metric".into(), "Status".into(), "Why".into()],
            problems,
        ))));
    }
    let body = ctx
        .specs
        .iter()
        .map(|s| {
            // Sorted, so the table does not depend on the rows' order.
            let mut settings = settings_in(ctx.rows.of_metric(ctx.year, s.id));
            settings.sort();
            TableRow::new(
                s.id,
                vec![
                    Cell::Text(s.title.to_string()),
                    Cell::Text(settings.join("; ")),
                    Cell::Text(s.version.to_string()),
                ],
            )
        })
        .collect();
    out.push(Draft::Block(Block::Table(table(
        "Metrics computed for this report, and the settings they used",
        vec![
            "Metric".into(),
            "What it computes".into(),
            "Settings".into(),
            "Version".into(),
        ],
        body,
    ))));
    out
}
