//! `iro.toml`: inputs, years and authorities, metrics and their parameters,
//! suppression and outputs. Unknown keys are errors, so a typo is never
//! silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub input: InputConfig,
    pub reference: ReferenceConfig,
    pub run: RunConfig,
    pub output: OutputConfig,
    pub suppression: SuppressionConfig,
    /// `[quality]`: the data-quality gate (`crate::quality`).
    pub quality: QualityConfig,
    /// `[metrics.<id>]`: `enabled = false` switches a metric off; every other
    /// key is a parameter of that metric.
    pub metrics: BTreeMap<String, toml::Table>,
    /// `[[plugins]]`: run-time metric plugins allowed to load (path, sha256,
    /// isolation). A library not listed here never loads.
    pub plugins: Vec<iro_plugin_host::PluginConfig>,
    /// `[[targets]]`: local targets, each reported as met or not, with the
    /// trend, in `targets.csv` / `.json`.
    pub targets: Vec<crate::targets::Target>,
    /// `[report]`: the report's cover (author, approver, date, version) and
    /// whether it is a draft or final.
    pub report: iro_results::ReportSettings,
    /// `[[groups]]`: regional IRO groups for `iro pack --group NAME`.
    pub groups: Vec<iro_results::GroupSettings>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputConfig {
    /// Folder laid out as `<la>/<collection year>/*.csv`.
    pub path: Option<PathBuf>,
    /// Files listed one by one instead (`[[input.files]]`).
    pub files: Vec<iro_ingest::ManifestFile>,
    /// Where each year's headline counts come from: `"each-years-return"`
    /// (the default, as the DfE counts: that year's own return) or
    /// `"revised"` (the merged history of every loaded return; `--revised`).
    pub figure_basis: iro_domain::FigureBasis,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReferenceConfig {
    /// A folder of reference files replacing the bundled ones.
    pub dir: Option<PathBuf>,
    /// A unit-postcode table built by `iro reference import-onspd` from an ONS
    /// Postcode Directory release: exact placement distances instead of
    /// postcode-sector centroids.
    pub postcode_units: Option<PathBuf>,
    /// The reference overlay `iro reference import-dfe` writes and every
    /// command uses over the bundled (or `dir`) tables. Default: the user's
    /// data directory (`iro_reference::default_overlay_dir`); `""`: none.
    pub overlay: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Collection years to report (default: every year loaded).
    pub years: Vec<i32>,
    /// Authorities to report, DfE codes (default: every authority loaded).
    pub las: Vec<String>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    pub dir: PathBuf,
    /// Any of `csv`, `json`, `parquet`.
    pub formats: Vec<OutputFormat>,
    /// Also write child-level drill-downs and the diagnostics with their values
    /// (personal data) to `<dir>/personal/`.
    pub personal: bool,
    /// Write the IRO annual report (`<dir>/report/`) in `iro run`.
    pub report: bool,
    /// Folder of the service's narrative files (`<la>.md`), read by the
    /// report and never written to.
    pub narrative_dir: PathBuf,
    /// Also print each report to PDF (`<la>-<year>.pdf`, with page numbers
    /// in its contents) with a Chromium, Chrome or Edge on this machine.
    pub pdf: bool,
    /// The browser that prints the PDF (default: the first Chromium,
    /// Chrome or Edge found on PATH or in its usual install folder).
    pub browser: Option<PathBuf>,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: PathBuf::from("out"),
            formats: vec![OutputFormat::Csv, OutputFormat::Json],
            personal: false,
            report: true,
            narrative_dir: PathBuf::from("narrative"),
            pdf: false,
            browser: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Csv,
    Json,
    /// Typed columns for DuckDB, Polars, pandas, Power BI (`parquet_out`).
    Parquet,
}

/// Small-number suppression for everything meant for sharing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SuppressionConfig {
    /// Who the outputs are for: `public` (the default: `threshold`),
    /// `board` (`board_threshold`) or `internal` (nothing hidden).
    pub audience: iro_results::Audience,
    /// Counts from 1 to this number are hidden (`c`) in outputs for the
    /// public. The DfE's rule for sub-national children's social care
    /// figures: 7. 0 switches suppression off.
    pub threshold: u64,
    /// The service's own threshold for papers to elected members, used when
    /// the audience is `board`; it must be set for that audience.
    pub board_threshold: Option<u64>,
    /// Round shown counts (rates and percentages stay computed from the
    /// unrounded counts).
    pub rounding: Rounding,
    /// Hide a further cell where a total would reveal a suppressed one.
    pub secondary: bool,
}

impl Default for SuppressionConfig {
    fn default() -> Self {
        SuppressionConfig {
            audience: iro_results::Audience::Public,
            threshold: 7,
            board_threshold: None,
            rounding: Rounding::None,
            secondary: true,
        }
    }
}

impl SuppressionConfig {
    /// The threshold the audience calls for: `threshold` for the public,
    /// `board_threshold` for a board, 0 (nothing hidden) for the service
    /// itself. A board audience without `board_threshold` is refused when
    /// the configuration is read ([`SuppressionConfig::check`]); here it
    /// falls back to the public rule, never to showing more.
    pub fn applied_threshold(&self) -> u64 {
        match self.audience {
            iro_results::Audience::Public => self.threshold,
            iro_results::Audience::Board => self.board_threshold.unwrap_or(self.threshold),
            iro_results::Audience::Internal => 0,
        }
    }

    /// The audience and the threshold applied, as the outputs record them.
    pub fn disclosure(&self) -> iro_results::Disclosure {
        iro_results::Disclosure {
            audience: self.audience,
            threshold: self.applied_threshold(),
        }
    }

    /// Refuses a board audience with no threshold of its own.
    pub fn check(&self) -> Result<(), String> {
        if self.audience == iro_results::Audience::Board && self.board_threshold.is_none() {
            return Err(
                "[suppression] audience = \"board\" needs the service's own threshold \
                        for papers to members: add board_threshold = N (counts from 1 to N are \
                        hidden) under [suppression]"
                    .into(),
            );
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    None,
    Nearest5,
}

/// The data-quality gate: when an input is not fit for the figures that use
/// it, and when Table 1's count is far enough from the DfE's to flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualityConfig {
    /// The largest share (0 to 1) of one authority-year's table that may be
    /// excluded by errors before every figure needing that table is *not
    /// computable*. Default 0.02 (2%).
    pub max_excluded_share: f64,
    /// The largest difference (a share, 0 to 1, of the DfE's figure) between
    /// the computed count of children looked after at 31 March and the DfE's
    /// published count before Table 1 and the report say "check the data".
    /// Default 0.10 (10%).
    pub published_difference: f64,
}

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig {
            max_excluded_share: 0.02,
            published_difference: 0.10,
        }
    }
}

impl QualityConfig {
    fn check(&self) -> Result<(), String> {
        for (key, v) in [
            ("max_excluded_share", self.max_excluded_share),
            ("published_difference", self.published_difference),
        ] {
            if !v.is_finite() || !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "[quality] {key} = {v}: give a share from 0 to 1 (0.02 is 2%)"
                ));
            }
        }
        Ok(())
    }
}

/// A bad configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
}

impl Config {
    /// Reads `iro.toml`. Relative paths in it are taken from the file's folder.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.rebase(base);
        Ok(config)
    }

    /// Parses TOML text; the error carries line and column.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.quality.check()?;
        config.suppression.check()?;
        Ok(config)
    }

    fn rebase(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        if let Some(p) = self.input.path.as_mut() {
            fix(p);
        }
        for f in &mut self.input.files {
            fix(&mut f.path);
        }
        if let Some(p) = self.reference.dir.as_mut() {
            fix(p);
        }
        if let Some(p) = self.reference.postcode_units.as_mut() {
            fix(p);
        }
        // `overlay = ""` switches the overlay off: it stays empty.
        if let Some(p) = self
            .reference
            .overlay
            .as_mut()
            .filter(|p| !p.as_os_str().is_empty())
        {
            fix(p);
        }
        for p in &mut self.plugins {
            fix(&mut p.path);
        }
        if let Some(b) = self.output.browser.as_mut() {
            fix(b);
        }
        fix(&mut self.output.dir);
        fix(&mut self.output.narrative_dir);
    }

    /// Whether a metric is switched on (default: yes).
    pub fn metric_enabled(&self, id: &str) -> bool {
        self.metrics
            .get(id)
            .and_then(|t| t.get("enabled"))
            .and_then(toml::Value::as_bool)
            .unwrap_or(true)
    }

    /// Sets `key` of `[metrics.<id>]` (a parameter, or `enabled`), over
    /// what iro.toml says: the command line's choices, as typed values, never
    /// as TOML text to parse again.
    pub fn set_metric_param(&mut self, id: &str, key: &str, value: impl Into<toml::Value>) {
        self.metrics
            .entry(id.to_string())
            .or_default()
            .insert(key.to_string(), value.into());
    }

    /// Whether iro.toml sets `key` of `[metrics.<id>]`.
    pub fn has_metric_param(&self, id: &str, key: &str) -> bool {
        self.metrics.get(id).is_some_and(|t| t.contains_key(key))
    }

    /// A metric's parameters from `[metrics.<id>]`, without `enabled`.
    pub fn metric_params(&self, id: &str) -> iro_metric_api::Params {
        let mut out = iro_metric_api::Params::new();
        if let Some(t) = self.metrics.get(id) {
            for (k, v) in t {
                if k != "enabled"
                    && let Ok(j) = serde_json::to_value(v)
                {
                    out.insert(k.clone(), j);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let c = Config::parse(
            r#"
            [input]
            path = "data/sample"
            [suppression]
            threshold = 5
            rounding = "nearest5"
            [metrics.cohort-summary]
            enabled = false
            [metrics.review-timeliness]
            first_review_working_days = 20
            "#,
        )
        .unwrap();
        assert_eq!(c.suppression.threshold, 5);
        assert_eq!(c.suppression.rounding, Rounding::Nearest5);
        assert!(c.suppression.secondary);
        assert!(!c.metric_enabled("cohort-summary"));
        assert!(c.metric_enabled("review-timeliness"));
        assert_eq!(
            c.metric_params("review-timeliness")["first_review_working_days"],
            serde_json::json!(20)
        );
        assert_eq!(c.output.dir, PathBuf::from("out"));
    }

    #[test]
    fn the_quality_gate_is_configurable_and_checked() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.quality.max_excluded_share, 0.02);
        assert_eq!(c.quality.published_difference, 0.10);
        let c = Config::parse("[quality]\nmax_excluded_share = 0.05\n").unwrap();
        assert_eq!(c.quality.max_excluded_share, 0.05);
        let e = Config::parse("[quality]\nmax_excluded_share = 2\n").unwrap_err();
        assert!(e.contains("max_excluded_share"), "{e}");
        let e = Config::parse("[quality]\npublished_difference = -0.1\n").unwrap_err();
        assert!(e.contains("published_difference"), "{e}");
    }

    #[test]
    fn output_formats_include_parquet() {
        let c = Config::parse("[output]\nformats = [\"csv\", \"json\", \"parquet\"]\n").unwrap();
        assert_eq!(
            c.output.formats,
            [OutputFormat::Csv, OutputFormat::Json, OutputFormat::Parquet]
        );
        let e = Config::parse("[output]\nformats = [\"xlsx\"]\n").unwrap_err();
        assert!(e.contains("parquet"), "the error lists the formats: {e}");
    }

    #[test]
    fn typos_are_errors_with_a_position() {
        let e = Config::parse("[suppresion]\nthreshold = 5\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        let e = Config::parse("[suppression]\nthreshhold = 5\n").unwrap_err();
        assert!(e.contains("threshhold"), "{e}");
    }

    #[test]
    fn the_audience_chooses_the_threshold() {
        use iro_results::{Audience, ReportStatus};
        let c = Config::default();
        assert_eq!(c.suppression.audience, Audience::Public);
        assert_eq!(c.suppression.applied_threshold(), 7);
        let board = "[suppression]\naudience = \"board\"\nboard_threshold = 2\n";
        let c = Config::parse(board).unwrap();
        assert_eq!(c.suppression.applied_threshold(), 2);
        assert_eq!(c.suppression.disclosure().audience, Audience::Board);
        let e = Config::parse("[suppression]\naudience = \"board\"\n").unwrap_err();
        assert!(e.contains("board_threshold"), "{e}");
        let c = Config::parse("[suppression]\naudience = \"internal\"\n").unwrap();
        assert_eq!(c.suppression.applied_threshold(), 0);
        assert!(Config::parse("[suppression]\naudience = \"members\"\n").is_err());
        let c = Config::parse(
            "[report]\nstatus = \"final\"\nauthor = \"A. Manager\"\nversion = \"1.0\"\n",
        )
        .unwrap();
        assert_eq!(c.report.status, ReportStatus::Final);
        assert_eq!(c.report.author.as_deref(), Some("A. Manager"));
        assert!(Config::parse("[report]\nauthr = \"x\"\n").is_err());
    }
}
