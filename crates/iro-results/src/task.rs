//! What happened to each metric task of a run: `run.json`'s `tasks`.

use serde::Serialize;

/// What happened to one metric for one authority and year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskStatus {
    pub la_code: String,
    pub year: i32,
    pub metric: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// How a task ended (`status` and `detail` in `run.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    /// Computed; the number of rows.
    Ok(usize),
    /// The data needed are missing: reported, never shown as zero.
    NotComputable(String),
    /// The metric returned an error or panicked.
    Failed(String),
}
