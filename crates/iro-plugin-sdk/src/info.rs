//! What a plugin's metrics are: ids, measures, units, parameters. Sent to the
//! host as JSON by `list_metrics`; the host reads it back with these same types.

use iro_vocabulary::Unit;
use serde::{Deserialize, Serialize};

/// A measure a metric produces (the part after the dot in `metric.measure`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureInfo {
    pub id: String,
    pub title: String,
    pub unit: Unit,
    /// Breakdown keys whose rows partition the measure's total row, so the
    /// host's secondary suppression can protect them.
    #[serde(default)]
    pub additive_breakdowns: Vec<String>,
}

/// A parameter, settable in `iro.toml` under `[metrics.<id>]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamInfo {
    pub name: String,
    pub default: serde_json::Value,
    #[serde(default)]
    pub help: String,
}

/// One metric of a plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricInfo {
    /// Stable id: lower-case letters, digits and `-`; unique among every
    /// metric `iro` runs (built-ins included), e.g. `missing-from-care`.
    pub id: String,
    pub title: String,
    /// The metric's own version (method changes).
    pub version: String,
    /// SSDA903 tables (DfE names, e.g. `Missing`) it cannot do without.
    #[serde(default)]
    pub requires: Vec<String>,
    pub measures: Vec<MeasureInfo>,
    #[serde(default)]
    pub params: Vec<ParamInfo>,
}

impl MetricInfo {
    /// Starts a description.
    pub fn new(id: &str, title: &str, version: &str) -> Self {
        MetricInfo {
            id: id.to_string(),
            title: title.to_string(),
            version: version.to_string(),
            requires: Vec::new(),
            measures: Vec::new(),
            params: Vec::new(),
        }
    }

    /// SSDA903 tables the metric needs (DfE names: `Episodes`, `Missing`…).
    pub fn requires(mut self, tables: &[&str]) -> Self {
        self.requires.extend(tables.iter().map(|s| s.to_string()));
        self
    }

    /// Declares a measure.
    pub fn measure(mut self, id: &str, title: &str, unit: Unit, additive: &[&str]) -> Self {
        self.measures.push(MeasureInfo {
            id: id.to_string(),
            title: title.to_string(),
            unit,
            additive_breakdowns: additive.iter().map(|s| s.to_string()).collect(),
        });
        self
    }

    /// Declares a parameter with its default.
    pub fn param(mut self, name: &str, default: serde_json::Value, help: &str) -> Self {
        self.params.push(ParamInfo {
            name: name.to_string(),
            default,
            help: help.to_string(),
        });
        self
    }

    /// The measure with this id.
    pub fn measure_info(&self, id: &str) -> Option<&MeasureInfo> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// Problems with the description: a bad id, no measures, duplicates.
    pub fn check(&self) -> Result<(), String> {
        if !is_id(&self.id) {
            return Err(format!(
                "metric id `{}` must be lower-case letters, digits and `-`",
                self.id
            ));
        }
        if self.measures.is_empty() {
            return Err(format!("metric `{}` declares no measure", self.id));
        }
        let mut seen = std::collections::BTreeSet::new();
        for m in &self.measures {
            if !is_id(&m.id) {
                return Err(format!(
                    "measure id `{}` of `{}` must be lower-case letters, digits and `-`",
                    m.id, self.id
                ));
            }
            if !seen.insert(&m.id) {
                return Err(format!(
                    "measure `{}` of `{}` declared twice",
                    m.id, self.id
                ));
            }
        }
        Ok(())
    }
}

/// Lower-case ASCII letters, digits and `-`, starting with a letter.
pub fn is_id(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_vocabulary::Period;

    #[test]
    fn labels_match_the_abi() {
        let labels: Vec<_> = Unit::ALL.iter().map(|u| u.label()).collect();
        assert_eq!(labels, iro_plugin_abi::UNITS);
        let labels: Vec<_> = Period::ALL.iter().map(|p| p.label()).collect();
        assert_eq!(labels, iro_plugin_abi::PERIODS);
        for u in Unit::ALL {
            let j = serde_json::to_value(u).unwrap();
            assert_eq!(j, serde_json::json!(u.label()));
        }
    }

    #[test]
    fn checks_ids() {
        let ok = MetricInfo::new("a-b1", "t", "1").measure("m", "t", Unit::Count, &[]);
        assert!(ok.check().is_ok());
        assert!(MetricInfo::new("A", "t", "1").check().is_err());
        assert!(MetricInfo::new("a", "t", "1").check().is_err());
        let dup = ok.clone().measure("m", "t", Unit::Count, &[]);
        assert!(dup.check().is_err());
    }
}
