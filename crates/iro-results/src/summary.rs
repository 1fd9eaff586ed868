//! "Table 1": one line per authority and year, the headline figures of
//! `cohort-summary` beside the DfE's published ones (`cohort_summary.csv`).
//! The engine builds it from the suppressed rows
//! (`iro_engine::output::cohort_summary`); the CLI prints it and the report
//! shows it.

use iro_domain::{CollectionYear, LaCode};
use iro_metric_api::Reference;
use iro_reference::Measure;
use serde::Serialize;

/// One line of the "Table 1" summary: an authority in a year, beside the
/// DfE's published figures for the same authority and year.
#[derive(Debug, Default, Serialize)]
pub struct SummaryRow {
    pub la_code: String,
    pub la_name: String,
    pub region: String,
    pub year: i32,
    pub year_label: String,
    pub cla_31_march: String,
    pub cla_change_percent: String,
    pub starts: String,
    pub ceases: String,
    pub during_year: String,
    pub population_u18: String,
    pub population_mid_year: String,
    pub cla_rate_per_10000: String,
    pub starts_rate_per_10000: String,
    pub ceases_rate_per_10000: String,
    /// The flow of periods of care: open on 1 April + started − ended = open
    /// at 31 March (docs/METHODS.md, "The flow of periods of care").
    pub periods_at_start: String,
    pub periods_started: String,
    pub periods_ended: String,
    pub periods_at_31_march: String,
    /// Where the year's counts come from: `each-years-return` or `revised`.
    pub counted_from: iro_domain::FigureBasis,
    pub published_cla_31_march: String,
    pub published_rate_per_10000: String,
    pub note: String,
}

impl SummaryRow {
    /// A Table 1 line with no figures: the note says why.
    pub fn not_computable(
        la_code: &str,
        year: CollectionYear,
        reference: &Reference,
        why: &str,
        figure_basis: iro_domain::FigureBasis,
    ) -> Self {
        let la = la_code.parse::<LaCode>().ok();
        let identity = la.and_then(|la| reference.la(la));
        let published = la.and_then(|la| reference.published(la, year, Measure::Cla31March));
        // No figures: every figure column stays empty.
        SummaryRow {
            la_code: la_code.to_string(),
            la_name: identity.map(|i| i.name.clone()).unwrap_or_default(),
            region: identity.map(|i| i.region.name.clone()).unwrap_or_default(),
            year: year.0,
            year_label: year.label(),
            population_mid_year: la
                .and_then(|la| reference.denominator_for(la, year))
                .map(|d| d.mid_year.to_string())
                .unwrap_or_default(),
            counted_from: figure_basis,
            published_cla_31_march: published.map(|p| p.count.to_string()).unwrap_or_default(),
            published_rate_per_10000: published
                .map(|p| p.rate_per_10000.to_string())
                .unwrap_or_default(),
            note: format!("not computable: {why}"),
            ..SummaryRow::default()
        }
    }

    /// Whether the line has no figures because they were not computable.
    pub fn is_not_computable(&self) -> bool {
        self.cla_31_march.is_empty() && self.note.starts_with("not computable")
    }
}
