//! # iro-results
//!
//! What a run produced, as plain data: the statuses of its metric tasks, its
//! local targets met or not, what the data-quality gate found, and "Table 1".
//! The report (`iro-report`), the charts (`iro-charts`) and the CLI read a
//! run's results through these types, so that they need not depend on the
//! engine that computes them (and with it ingest, every metric, the plugin
//! host and Arrow). The engine re-exports each type where it used to be
//! (`iro_engine::TaskStatus`, `iro_engine::quality::DataQuality`…).
//!
//! **Never** here: computing a figure, reading or writing a file, a
//! dependency above `iro-metric-api` (`crates/iro-cli/tests/architecture.rs`).
//!
//! Start reading at [`TaskStatus`], then [`TargetResult`] and [`DataQuality`].

pub mod audience;
pub mod group;
pub mod quality;
pub mod summary;
pub mod targets;
pub mod task;

pub use audience::{Audience, Disclosure, ReportSettings, ReportStatus};
pub use group::GroupSettings;
pub use quality::{DataQuality, thousands};
pub use summary::SummaryRow;
pub use targets::{Direction, Met, TargetResult, Trend};
pub use task::{Outcome, TaskStatus};
