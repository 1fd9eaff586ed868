//! [`Layout::LocalTargets`](super::Layout::LocalTargets): the authority's own targets,
//! met or not.

use iro_metric_api::Unit;
use iro_results::{Met, Trend};

use super::{Ctx, Draft, SectionSpec, para, period_name, table, target_words};
use crate::TargetRow;
use crate::format::{Shown, count, in_unit};
use crate::model::{Block, Cell, TableRow};

pub(super) fn local_targets(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let targets: Vec<&TargetRow> = ctx
        .targets
        .iter()
        .copied()
        .filter(|t| t.year == ctx.year)
        .collect();
    if targets.is_empty() {
        return vec![Draft::Block(Block::NotAvailable(
            ctx.with_year(spec.if_missing),
        ))];
    }
    let met = targets.iter().filter(|t| t.met == Met::Yes).count();
    let mut out = vec![para(format!(
        "{} of the {} local targets for {} {} met.",
        count(met as u64),
        count(targets.len() as u64),
        ctx.year_label(),
        if met == 1 { "was" } else { "were" }
    ))];
    let body = targets
        .iter()
        .map(|t| {
            let unit = ctx
                .rows
                .all(t.year, t.metric)
                .first()
                .map(|r| r.unit)
                .unwrap_or(Unit::Percent);
            let shown = |x: Option<f64>, hidden: bool| match x {
                _ if hidden => Shown::Suppressed,
                Some(x) => Shown::Value(in_unit(x, unit)),
                None => Shown::Missing,
            };
            let met_text = match t.met {
                Met::Yes => "\u{2713} Met",
                Met::No => "\u{2717} Not met",
                Met::Suppressed => "Not shown (c)",
                Met::NotComputable => "Not computable",
            };
            let trend = match t.trend {
                Trend::Better => "Better",
                Trend::Worse => "Worse",
                Trend::Same => "Same",
                Trend::None => "Not comparable",
            };
            let period = period_name(t.period, t.year);
            TableRow::new(
                t.label.clone(),
                vec![
                    Cell::Text(period),
                    Cell::Text(
                        target_words(t, unit)
                            .trim_start_matches("Target: ")
                            .to_string(),
                    ),
                    shown(t.value, t.met == Met::Suppressed).into(),
                    Cell::Text(met_text.to_string()),
                    shown(t.previous_value, t.previous_suppressed).into(),
                    Cell::Text(trend.to_string()),
                ],
            )
        })
        .collect();
    out.push(Draft::Block(Block::Table(table(
        format!("Local targets, {}", ctx.year_label()),
        vec![
            "Target".into(),
            "Period".into(),
            "Aim".into(),
            ctx.year_label(),
            "Met".into(),
            "Previous period".into(),
            "Trend".into(),
        ],
        body,
    ))));
    out
}
