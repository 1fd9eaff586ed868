//! The authority's dispute resolution protocol: its stages (numbers, names,
//! response timescales) and the timescale for the whole escalation. They
//! differ between authorities, so they are parameters, with per-authority
//! overrides:
//!
//! ```toml
//! [metrics.drp-flow]
//! total_working_days = 20
//! stages = [
//!   { stage = 1, name = "Social worker", response_working_days = 5 },
//!   { stage = 2, name = "Team manager", response_working_days = 5 },
//! ]
//! [metrics.drp-flow.authorities.800]
//! stages = [ { stage = 1, name = "IRO alert", response_working_days = 10 } ]
//! ```

use std::collections::BTreeMap;

use iro_domain::LaCode;
use iro_metric_api::MetricError;
use serde::{Deserialize, Serialize};

/// One stage of the protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageConfig {
    /// The number used in the DRP log's STAGE column (0 to 20).
    pub stage: u8,
    /// Who the concern is put to at this stage.
    pub name: String,
    /// Working days allowed for a response; none when the protocol sets none.
    #[serde(default)]
    pub response_working_days: Option<u32>,
}

/// A protocol, or the part of one an authority overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolConfig {
    #[serde(default)]
    pub stages: Option<Vec<StageConfig>>,
    #[serde(default)]
    pub total_working_days: Option<u32>,
}

/// The protocol that applies to one authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protocol {
    /// In stage order.
    pub stages: Vec<StageConfig>,
    /// Working days allowed from raising an escalation to its end (the IRO
    /// Handbook's "no more than 20 working days" for the formal process).
    pub total_working_days: u32,
}

/// The default protocol: five stages of rising seniority, 5 working days
/// each, 20 in all.
pub fn default_stages() -> Vec<StageConfig> {
    [
        "Social worker",
        "Practice manager",
        "Team manager",
        "Head of service",
        "Assistant director",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| StageConfig {
        stage: i as u8 + 1,
        name: (*name).to_string(),
        response_working_days: Some(5),
    })
    .collect()
}

/// The default for the whole escalation.
pub const DEFAULT_TOTAL_WORKING_DAYS: u32 = 20;

fn bad(name: &str, reason: String) -> MetricError {
    MetricError::BadParameter {
        name: name.to_string(),
        reason,
    }
}

fn check_stages(name: &str, stages: &mut [StageConfig]) -> Result<(), MetricError> {
    if stages.is_empty() {
        return Err(bad(name, "at least one stage is needed".into()));
    }
    stages.sort_by_key(|s| s.stage);
    for w in stages.windows(2) {
        if w[0].stage == w[1].stage {
            return Err(bad(name, format!("stage {} is listed twice", w[0].stage)));
        }
    }
    for s in stages.iter() {
        if s.stage > 20 {
            return Err(bad(name, format!("stage {} is above 20", s.stage)));
        }
        let n = s.name.trim();
        if n.is_empty() || n.chars().count() > 60 {
            return Err(bad(
                name,
                format!("stage {}: a name of 1 to 60 characters is needed", s.stage),
            ));
        }
        if s.response_working_days.is_some_and(|d| d > 250) {
            return Err(bad(
                name,
                format!("stage {}: response_working_days above 250", s.stage),
            ));
        }
    }
    Ok(())
}

/// The protocol for `la` from the resolved parameters: `stages` and
/// `total_working_days`, overridden by `authorities.<la>`.
pub fn protocol_for(params: &iro_metric_api::Params, la: LaCode) -> Result<Protocol, MetricError> {
    let get = |k: &str| params.get(k).cloned().unwrap_or(serde_json::Value::Null);
    let mut stages: Vec<StageConfig> = serde_json::from_value(get("stages")).map_err(|e| {
        bad(
            "stages",
            format!("{e} (expected a list of {{ stage, name, response_working_days }})"),
        )
    })?;
    check_stages("stages", &mut stages)?;
    let mut total: u32 = serde_json::from_value(get("total_working_days")).map_err(|e| {
        bad(
            "total_working_days",
            format!("{e} (expected a whole number)"),
        )
    })?;
    let overrides: BTreeMap<String, ProtocolConfig> = serde_json::from_value(
        match get("authorities") {
            serde_json::Value::Null => serde_json::json!({}),
            v => v,
        },
    )
    .map_err(|e| {
        bad(
            "authorities",
            format!(
                "{e} (expected tables named by DfE code, e.g. [metrics.drp-flow.authorities.800])"
            ),
        )
    })?;
    for code in overrides.keys() {
        code.parse::<LaCode>()
            .map_err(|_| bad("authorities", format!("`{code}` is not a DfE 3-digit code")))?;
    }
    if let Some(o) = overrides.get(&la.to_string()) {
        if let Some(s) = &o.stages {
            stages = s.clone();
            check_stages(&format!("authorities.{la}.stages"), &mut stages)?;
        }
        if let Some(t) = o.total_working_days {
            total = t;
        }
    }
    if total > 500 {
        return Err(bad("total_working_days", format!("{total} is above 500")));
    }
    Ok(Protocol {
        stages,
        total_working_days: total,
    })
}

impl Protocol {
    /// The configured stage with this number.
    pub fn stage(&self, n: u8) -> Option<&StageConfig> {
        self.stages.iter().find(|s| s.stage == n)
    }

    /// Configured stages strictly between `from` and `to`, or below `to` when
    /// `from` is `None` (an escalation entering above the first stage).
    pub fn skipped(&self, from: Option<u8>, to: u8) -> Vec<u8> {
        self.stages
            .iter()
            .map(|s| s.stage)
            .filter(|&s| s < to && from.is_none_or(|f| s > f))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: serde_json::Value) -> iro_metric_api::Params {
        let mut p = iro_metric_api::Params::new();
        p.insert(
            "stages".into(),
            serde_json::to_value(default_stages()).unwrap(),
        );
        p.insert("total_working_days".into(), json!(20));
        p.insert("authorities".into(), json!({}));
        if let serde_json::Value::Object(m) = v {
            p.extend(m);
        }
        p
    }

    fn la(c: u16) -> LaCode {
        LaCode::new(c).unwrap()
    }

    #[test]
    fn defaults_and_authority_overrides() {
        let p = protocol_for(&params(json!({})), la(800)).unwrap();
        assert_eq!(p.stages.len(), 5);
        assert_eq!(p.total_working_days, 20);
        let p = params(json!({
            "authorities": { "800": {
                "stages": [
                    { "stage": 3, "name": "Head of service" },
                    { "stage": 1, "name": "IRO alert", "response_working_days": 10 },
                ],
                "total_working_days": 30,
            } }
        }));
        let banes = protocol_for(&p, la(800)).unwrap();
        // Sorted by stage number; a stage may have no timescale.
        assert_eq!(
            banes.stages.iter().map(|s| s.stage).collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert_eq!(banes.stage(1).unwrap().response_working_days, Some(10));
        assert_eq!(banes.stage(3).unwrap().response_working_days, None);
        assert_eq!(banes.total_working_days, 30);
        // Other authorities keep the defaults.
        assert_eq!(protocol_for(&p, la(887)).unwrap().stages.len(), 5);
    }

    #[test]
    fn bad_protocols_are_parameter_errors() {
        for v in [
            json!({ "stages": [] }),
            json!({ "stages": [ { "stage": 1, "name": "a" }, { "stage": 1, "name": "b" } ] }),
            json!({ "stages": [ { "stage": 21, "name": "a" } ] }),
            json!({ "stages": [ { "stage": 1, "name": " " } ] }),
            json!({ "stages": [ { "stage": 1, "name": "a", "days": 5 } ] }),
            json!({ "stages": "five" }),
            json!({ "total_working_days": -1 }),
            json!({ "authorities": { "BANES": {} } }),
            json!({ "authorities": { "800": { "stages": [], } } }),
        ] {
            assert!(
                matches!(
                    protocol_for(&params(v.clone()), la(800)),
                    Err(MetricError::BadParameter { .. })
                ),
                "{v}"
            );
        }
    }

    #[test]
    fn skipped_stages() {
        let p = protocol_for(&params(json!({})), la(800)).unwrap();
        assert_eq!(p.skipped(None, 1), Vec::<u8>::new());
        assert_eq!(p.skipped(None, 3), vec![1, 2]);
        assert_eq!(p.skipped(Some(1), 2), Vec::<u8>::new());
        assert_eq!(p.skipped(Some(1), 4), vec![2, 3]);
        assert_eq!(p.skipped(Some(4), 2), Vec::<u8>::new());
    }
}
