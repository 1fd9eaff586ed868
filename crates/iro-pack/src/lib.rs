//! # iro-pack
//!
//! The regional pack (`iro pack`): one document for a regional IRO group,
//! every authority side by side on the figures IRO services run on. League
//! tables give each authority's figure from its own return beside the DfE's
//! published figure, with rank and quartile among the group, last year's
//! figure and the change, the group's pooled figure and England's; charts
//! rank the authorities with intervals, put them on one funnel plot per
//! indicator and draw quarterly timeliness and five-year trends as small
//! multiples; annexes say who supplied what and how each return's count
//! compares with the DfE's.
//!
//! **Invariants:** like the report, the pack reads only the shareable,
//! already-suppressed rows (`metrics.csv`), the row counts, the
//! data-quality findings and the published reference figures, never the
//! cohort; anything computed from several authorities' figures (a pooled
//! total, a rank, a change) is withheld where it would give a hidden figure
//! away ([`league`]). It is written through the report's renderers
//! ([`iro_report::write_report`]) from one document model, so the HTML, Word,
//! Markdown and workbook say the same thing.

pub mod charts;
pub mod document;
pub mod group;
pub mod indicator;
pub mod league;

use std::path::{Path, PathBuf};

use iro_domain::{CollectionYear, RowAccount};
use iro_metric_api::MetricRow;
use iro_reference::Reference;
use iro_results::{DataQuality, Disclosure, ReportSettings};

pub use group::{Group, GroupError, Member};
pub use iro_report::Report;

/// Years in a trend.
pub const TREND_YEARS: u32 = 5;

/// Everything a pack reads.
#[derive(Debug, Clone, Copy)]
pub struct PackInput<'a> {
    pub group: &'a Group,
    pub year: CollectionYear,
    /// The suppressed tidy rows of the run (`metrics.csv`); rows of
    /// authorities outside the group are ignored.
    pub rows: &'a [MetricRow],
    /// Rows read, used and excluded per authority, year and table
    /// (`row_counts.csv`).
    pub accounts: &'a [RowAccount],
    /// The data-quality gate's findings (counts far from the DfE's).
    pub quality: &'a DataQuality,
    pub reference: &'a Reference,
    /// Who the rows were suppressed for, and the threshold.
    pub disclosure: Disclosure,
    /// `[report]`: the cover, draft or final.
    pub settings: &'a ReportSettings,
}

/// Builds the pack's document.
pub fn build(input: &PackInput<'_>) -> Report {
    document::build(input)
}

/// Writes the pack into `dir`: `<group>-<year>.html`, `.docx`, `.xlsx`,
/// `.md` and its charts' SVGs; returns the files written.
pub fn write(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, iro_report::ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| iro_report::ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    iro_report::write_report(report, dir)
}
