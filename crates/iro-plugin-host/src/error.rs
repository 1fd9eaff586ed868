//! Why a plugin could not be loaded. Every error names the file.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A plugin that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("plugin {}: {kind}", path.display())]
pub struct LoadError {
    /// The library, as configured (or as given to `iro plugins check`).
    pub path: PathBuf,
    pub kind: LoadErrorKind,
}

impl LoadError {
    pub fn new(path: impl Into<PathBuf>, kind: LoadErrorKind) -> Self {
        LoadError {
            path: path.into(),
            kind,
        }
    }
}

/// The checks, in the order the host makes them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum LoadErrorKind {
    #[error(
        "not on the allow-list: add it under [[plugins]] in iro.toml, with its sha256 \
         (`iro plugins check` prints both)"
    )]
    NotAllowed,
    #[error("cannot read the file: {0}")]
    Read(String),
    #[error("`{0}` is not a SHA-256 (64 hexadecimal digits)")]
    BadHash(String),
    #[error(
        "SHA-256 mismatch: iro.toml says {expected}, the file is {actual} \
         (rebuilt or replaced? check it, then update sha256)"
    )]
    HashMismatch { expected: String, actual: String },
    #[error("cannot load the library: {0}")]
    Open(String),
    #[error(
        "this build of iro cannot load run-time plugins (it was built without the \
         `dynamic-loading` feature, as the browser's is): use the `iro` command"
    )]
    Unavailable,
    #[error(
        "no `iro_plugin_descriptor` symbol: not an IRO plugin, or not built with \
         iro_plugin_sdk::export_plugin! ({0})"
    )]
    MissingSymbol(String),
    #[error("the descriptor function returned NULL")]
    NullDescriptor,
    #[error("bad magic: the descriptor is not an IRO plugin descriptor")]
    BadMagic,
    #[error(
        "ABI major version {plugin}, but this iro speaks {host}: rebuild the plugin \
         against an iro-plugin-sdk for ABI {host}.x"
    )]
    AbiMajor { plugin: u16, host: u16 },
    #[error(
        "ABI version {major}.{plugin} is newer than this iro's {major}.{host}: update \
         iro, or build the plugin against an older iro-plugin-sdk"
    )]
    AbiMinor { major: u16, plugin: u16, host: u16 },
    #[error("descriptor of {size} bytes, smaller than an ABI 1.0 descriptor ({min})")]
    DescriptorTooSmall { size: u32, min: u32 },
    #[error("the plugin lacks the entry point `{0}`")]
    MissingEntry(String),
    #[error("data contract `{plugin}` is not supported: this iro provides `{host}`")]
    DataContract { plugin: String, host: String },
    #[error(
        "built with panic = \"abort\", so a panic would end iro: run it with \
         isolation = \"process\", or build it with panic = \"unwind\""
    )]
    PanicAbort,
    #[error("set_host_info failed: {0}")]
    HostInfo(String),
    #[error("list_metrics failed: {0}")]
    ListMetrics(String),
    #[error("bad metric description: {0}")]
    BadMetric(String),
    #[error("the plugin worker failed: {0}")]
    Worker(String),
}

/// A plugin call that gave no answer within its timeout (`timeout_s`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CallTimeout {
    pub call: crate::calls::PluginCall,
    /// The library, as configured.
    pub path: PathBuf,
    pub timeout: std::time::Duration,
    /// In a worker (stopped, the run goes on) or in-process (cannot be
    /// stopped: the run stops).
    pub isolation: crate::Isolation,
}

impl std::fmt::Display for CallTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        write!(
            f,
            "timed out: {} ({file}) gave no answer within {} (timeout_s)",
            self.call,
            crate::calls::seconds(self.timeout)
        )?;
        match self.isolation {
            crate::Isolation::Process => write!(
                f,
                "; its worker process was stopped and the run went on without these figures"
            ),
            crate::Isolation::InProcess => write!(
                f,
                ". A plugin loaded in-process cannot be stopped, so the run stops and writes \
                 nothing: set isolation = \"process\" in its [[plugins]] entry (a call that \
                 hangs is then stopped and the run goes on), or raise its timeout_s if it is \
                 only slow"
            ),
        }
    }
}

impl CallTimeout {
    /// What every task of the metric says once an isolated call of it timed
    /// out and the pipeline left all its figures out: the plugin, the metric
    /// and the timeout, never the call (which one timed out first depends on
    /// the threads' timing).
    pub fn metric_left_out(&self) -> String {
        format!(
            "timed out: plugin `{}`, metric `{}` gave no answer within {} (timeout_s) in at \
             least one call; that worker was stopped, the metric's other calls were not made, \
             and all its figures are left out of this run",
            self.call.plugin,
            self.call.metric,
            crate::calls::seconds(self.timeout)
        )
    }
}
