//! [`Layout::Placements`](super::Layout::Placements): distance from home, placement
//! stability and type of placement.

use iro_charts::build as cb;
use iro_charts::{Chart, SegmentColours};
use iro_metric_api::{Breakdown, MeasureId, MetricRow, Period};

use super::{
    Ctx, Draft, SectionSpec, band_order, built, categories, figure, heading, label, meta, notes_of,
    para, table, upper_first, v, with_notes,
};
use crate::charts::{self, Words, cell};
use crate::format::{self, Shown, count};
use crate::model::{Cell, Table, TableRow};

pub(super) fn placements(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let y = ctx.year;
    let mut out = Vec::new();
    // --- Distance and location.
    out.push(heading("Distance from home"));
    const DIST: MeasureId = placement_distance::DISTANCE;
    const LOC: MeasureId = placement_distance::LOCATION;
    let mut dist = categories(ctx, y, DIST, Period::Snapshot, "distance");
    dist.sort_by_key(|(c, _)| band_order(c));
    if dist.is_empty() {
        out.push(Draft::Block(ctx.not_available(
            &[placement_distance::DISTANCE],
            "no placement distance figures: placement-distance needs the Episodes table",
        )));
    } else {
        let over = dist
            .iter()
            .find(|(c, _)| c.starts_with("Over"))
            .map(|(_, r)| *r);
        let outside = ctx.rows.at(
            y,
            LOC,
            Period::Snapshot,
            Breakdown::one("location", placement_distance::OUTSIDE),
        );
        let mut s = String::new();
        if let (Some(n), Some(p)) = (v(&format::numerator(over)), v(&format::value(over))) {
            s.push_str(&format!(
                "At 31 March {y}, {n} children looked after ({p}) lived more than {} from home",
                over.map(|r| r.breakdown.pairs()[0]
                    .1
                    .trim_start_matches("Over ")
                    .to_string())
                    .unwrap_or_default()
            ));
            if let (Some(n2), Some(p2)) =
                (v(&format::numerator(outside)), v(&format::value(outside)))
            {
                s.push_str(&format!(
                    ", and {n2} ({p2}) lived outside the authority's boundary"
                ));
            }
            s.push('.');
            out.push(para(s));
        }
        let mut head = vec!["Distance from home".to_string()];
        head.extend(ctx.years.iter().map(|&yy| format!("{} %", label(yy))));
        head.push(format!("{} children", ctx.year_label()));
        let body = dist
            .iter()
            .map(|(c, r)| {
                let b = format!("distance={c}");
                let mut cells: Vec<Cell> = ctx
                    .years
                    .iter()
                    .map(|&yy| format::value(ctx.rows.get(yy, DIST, Period::Snapshot, &b)).into())
                    .collect();
                cells.push(format::numerator(Some(r)).into());
                TableRow::new(*c, cells)
            })
            .collect();
        out.push(with_notes(
            table(
                "Children looked after at 31 March by distance from home",
                head,
                body,
            ),
            distance_notes(dist.iter().map(|(_, r)| *r)),
        ));
        let title = "Children looked after at 31 March by distance from home";
        out.extend(built(
            "placement-distance",
            format!("{title}, % of all, {}", ctx.years_text()),
            cb::stacked(
                ctx.chart_rows,
                ctx.la,
                DIST,
                "distance",
                &ctx.snapshot_years(),
                SegmentColours::Sequential,
                meta(
                    ctx,
                    title,
                    "Year",
                    "Children looked after",
                    &ctx.years_text(),
                ),
            )
            .map(Chart::StackedBars),
        ));
        let mut loc = categories(ctx, y, LOC, Period::Snapshot, "location");
        loc.sort_by_key(|(c, _)| band_order(c));
        if !loc.is_empty() {
            out.push(with_notes(
                share_table(
                    &format!("Children looked after at 31 March {y} by placement location"),
                    "Location",
                    &loc,
                ),
                distance_notes(loc.iter().map(|(_, r)| *r)),
            ));
        }
        let mut bands = categories(
            ctx,
            y,
            placement_distance::DISTANCE_BAND,
            Period::Snapshot,
            "band",
        );
        bands.sort_by_key(|(c, _)| band_order(c));
        if !bands.is_empty() {
            out.push(with_notes(
                share_table(
                    &format!("Children looked after at 31 March {y} by distance band"),
                    "Distance from home",
                    &bands,
                ),
                Vec::new(),
            ));
        }
    }

    // --- Stability.
    out.push(heading("Placement stability"));
    const IND: [MeasureId; 3] = [
        placement_stability::THREE_PLUS_PLACEMENTS,
        placement_stability::THREE_PLUS_PLACEMENTS_2Y,
        placement_stability::LONG_TERM_STABILITY,
    ];
    if IND
        .iter()
        .all(|&m| ctx.rows.total(y, m, Period::Snapshot).is_none())
    {
        out.push(Draft::Block(ctx.not_available(
            &IND,
            "no placement stability figures: placement-stability needs the Episodes table",
        )));
    } else {
        let three = ctx.rows.total(y, IND[0], Period::Snapshot);
        // A year whose long-term stability lost too many children to
        // missing history shows no figure (`x`), with the reason.
        let withheld: Vec<(i32, String)> = ctx
            .years
            .iter()
            .filter_map(|&yy| long_term_withheld(ctx, yy).map(|why| (yy, why)))
            .collect();
        let shown_lts = |yy: i32| {
            ctx.rows
                .total(yy, IND[2], Period::Snapshot)
                .filter(|_| !withheld.iter().any(|(w, _)| *w == yy))
        };
        let total_of = |m: MeasureId, yy: i32| {
            if m == IND[2] {
                shown_lts(yy)
            } else {
                ctx.rows.total(yy, m, Period::Snapshot)
            }
        };
        let lts = shown_lts(y);
        let mut facts = Vec::new();
        if let (Some(n), Some(p)) = (v(&format::numerator(three)), v(&format::value(three))) {
            facts.push(format!(
                "{n} children looked after at 31 March {y} ({p}) had 3 or more placements during the year"
            ));
        }
        if let (Some(n), Some(d), Some(p)) = (
            v(&format::numerator(lts)),
            v(&format::denominator(lts)),
            v(&format::value(lts)),
        ) {
            facts.push(format!(
                "{n} of the {d} children under 16 looked after for two and a half years or more ({p}) had lived with the same carer for at least 2 years"
            ));
        }
        if !facts.is_empty() {
            out.push(para(format!("{}.", upper_first(&facts.join("; ")))));
        }
        let mut head = vec!["Indicator".to_string()];
        head.extend(ctx.years.iter().map(|&yy| format!("{} %", label(yy))));
        head.push(format!("{} children", ctx.year_label()));
        head.push(format!("{} of", ctx.year_label()));
        let body = IND
            .iter()
            .map(|&m| {
                let mut cells: Vec<Cell> = ctx
                    .years
                    .iter()
                    .map(|&yy| format::value(total_of(m, yy)).into())
                    .collect();
                let r = total_of(m, y);
                cells.push(format::numerator(r).into());
                cells.push(format::denominator(r).into());
                TableRow::new(ctx.measure_title(m).unwrap_or(m.as_str()), cells)
            })
            .collect();
        out.push(with_notes(
            table("Placement stability indicators", head, body),
            notes_of(
                IND.iter()
                    .filter_map(|&m| ctx.rows.total(y, m, Period::Snapshot)),
            )
            .into_iter()
            .chain(withheld.iter().map(|(_, why)| why.clone()))
            .collect(),
        ));
        let years: Vec<String> = ctx.years.iter().map(|&yy| label(yy)).collect();
        let words = Words {
            title: "Placement stability indicators",
            x_label: "Year",
            y_label: "Children",
            unit: "%",
            period: &years.join(", "),
            source: &ctx.source(),
        };
        let short = [
            "3 or more placements in the year",
            "3 or more placements in 2 years",
            "Same carer for 2 years (long-term stability)",
        ];
        out.push(figure(
            "placement-stability",
            format!(
                "Placement stability indicators, {} to {}",
                years.first().map(String::as_str).unwrap_or(""),
                ctx.year_label()
            ),
            charts::bars(
                &words,
                years,
                IND.iter()
                    .zip(short)
                    .map(|(&m, name)| {
                        (
                            name.to_string(),
                            ctx.years.iter().map(|&yy| cell(total_of(m, yy))).collect(),
                        )
                    })
                    .collect(),
                true,
                1,
                None,
            ),
        ));
        const MOVES: MeasureId = placement_stability::MOVES;
        let moves = ctx.rows.total(y, MOVES, Period::Year);
        if let Some(n) = v(&format::numerator(moves)) {
            out.push(para(format!(
                "Children looked after during {} moved placement {n} times.",
                ctx.year_label()
            )));
        }
        let reasons = categories(ctx, y, MOVES, Period::Year, "reason");
        if !reasons.is_empty() {
            let body = reasons
                .iter()
                .map(|(code, r)| {
                    let name = iro_domain::ReasonPlaceChange::parse(code)
                        .map(|c| format!("{} ({code})", c.meaning()))
                        .unwrap_or_else(|| upper_first(code));
                    TableRow::new(name, vec![format::numerator(Some(r)).into()])
                })
                .chain(std::iter::once(
                    TableRow::new("All moves", vec![format::numerator(moves).into()]).total(),
                ))
                .collect();
            out.push(with_notes(
                table(
                    format!("Placement moves by reason, {}", ctx.year_label()),
                    vec!["Reason for the move".into(), "Moves".into()],
                    body,
                ),
                notes_of(moves),
            ));
        }
    }

    // --- Placement type.
    out.push(heading("Type of placement"));
    const TYPE: MeasureId = placement_stability::PLACEMENT_TYPE;
    let groups = categories(ctx, y, TYPE, Period::Snapshot, "group");
    if groups.is_empty() {
        out.push(Draft::Block(ctx.not_available(&[TYPE], spec.if_missing)));
    } else {
        out.push(with_notes(
            share_table(
                &format!("Children looked after at 31 March {y} by type of placement"),
                "Placement",
                &groups,
            ),
            Vec::new(),
        ));
        let title = "Children looked after at 31 March by type of placement";
        out.extend(built(
            "placement-type",
            format!("{title}, % of all, {}", ctx.years_text()),
            cb::stacked(
                ctx.chart_rows,
                ctx.la,
                TYPE,
                "group",
                &ctx.snapshot_years(),
                SegmentColours::Categorical,
                meta(
                    ctx,
                    title,
                    "Year",
                    "Children looked after",
                    &ctx.years_text(),
                ),
            )
            .map(Chart::StackedBars),
        ));
    }
    out
}

/// Notes of distance rows, the sector-centroid caveat in words.
fn distance_notes<'r>(rows: impl IntoIterator<Item = &'r MetricRow>) -> Vec<String> {
    notes_of(rows)
        .into_iter()
        .map(|n| {
            if n == "approximate: sector centroids" {
                "Approximate: distances and locations are measured from the centre of each \
                 postcode sector, not the exact address (see About these figures)."
                    .to_string()
            } else {
                n
            }
        })
        .collect()
}

/// Category | children | % for one year, with the total row.
fn share_table(caption: &str, first: &str, cats: &[(&str, &MetricRow)]) -> Table {
    let mut body: Vec<TableRow> = cats
        .iter()
        .map(|(c, r)| {
            TableRow::new(
                *c,
                vec![
                    format::numerator(Some(r)).into(),
                    format::value(Some(r)).into(),
                ],
            )
        })
        .collect();
    if let Some(d) = cats.first().and_then(|(_, r)| r.denominator) {
        body.push(
            TableRow::new(
                "All",
                vec![
                    Cell::Figure(Shown::Value(count(d))),
                    Cell::Figure(Shown::Value("100%".into())),
                ],
            )
            .total(),
        );
    }
    table(
        caption,
        vec![first.to_string(), "Children".into(), "%".into()],
        body,
    )
}

/// The largest share of the children in scope of long-term stability that
/// may be not assessable (their history is not in the data, or their date
/// of birth is not known) for the figure to be shown: above it, the figure
/// would describe a different group of children (those whose history
/// happens to be loaded), so it is not shown (docs/METHODS.md).
pub(crate) const MAX_NOT_ASSESSABLE: f64 = 0.1;

/// Why long-term stability in `year` is not shown, or `None` to show it.
fn long_term_withheld(ctx: &Ctx<'_>, year: i32) -> Option<String> {
    let not = ctx.rows.total(
        year,
        placement_stability::LONG_TERM_STABILITY_NOT_ASSESSABLE,
        Period::Snapshot,
    )?;
    let assessed = ctx
        .rows
        .total(
            year,
            placement_stability::LONG_TERM_STABILITY,
            Period::Snapshot,
        )?
        .denominator?;
    // A suppressed count is from 1 to the threshold: at most that many.
    let missing = match not.numerator {
        Some(n) => n,
        None if not.status.is_suppressed() => ctx.disclosure.threshold,
        None => return None,
    };
    let scope = assessed + missing;
    if scope == 0 || (missing as f64) <= MAX_NOT_ASSESSABLE * scope as f64 {
        return None;
    }
    let count = match not.numerator {
        Some(n) => format::count(n),
        None => "a few".into(),
    };
    Some(format!(
        "Long-term stability {}: not shown, because {count} of the children it would count \
         could not be assessed ({}), more than {}% of them.",
        label(year),
        not.note.trim(),
        (MAX_NOT_ASSESSABLE * 100.0).round()
    ))
}
