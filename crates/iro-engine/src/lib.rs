//! # iro-engine
//!
//! Runs a whole analysis: reads `iro.toml`, loads the input through
//! `iro-ingest`, runs every enabled metric over authorities × collection years
//! in parallel (rayon), catches a metric that fails or panics so the others still
//! finish, applies small-number suppression centrally, and writes the tidy
//! outputs.
//!
//! **Invariants:** metrics never see configuration files or the file system;
//! every row written for sharing has passed [`suppress::suppress`]; the same
//! inputs and options give byte-identical outputs except the timings in
//! `run.json`.

pub mod config;
pub mod output;
pub mod parquet_out;
pub mod quality;
pub mod registry;
pub mod run;
pub mod suppress;
pub mod targets;

pub use config::Config;
pub use output::{write_outputs, write_outputs_with_summary};
pub use quality::DataQuality;
pub use registry::{builtin_metrics, builtin_metrics_for};
pub use run::{
    Computed, EngineError, Outcome, PersonalTable, Progress, RunResult, TaskStatus, Verdict,
    available_las, check_with, compute, input_source, la_aliases, load, load_base_reference,
    load_reference, load_with, load_with_reference, overlay_dir, run, run_with_reference,
    thread_pool,
};
pub use targets::{Direction, Met, Target, TargetPeriod, TargetResult, Trend};
