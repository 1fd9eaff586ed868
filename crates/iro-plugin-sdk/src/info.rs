//! What a plugin's metrics are: ids, measures, units, parameters. Sent to the
//! host as JSON by `list_metrics`; the host reads it back with these same types.

use iro_vocabulary::Unit;
use serde::{Deserialize, Serialize};

use crate::relation::{Field, Relation};
use crate::validate::check_breakdown;

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
    /// How its figures relate to each other and to other metrics' (ABI
    /// 1.2): sums, the same count shown twice, parts of another measure's
    /// population. The host's secondary suppression protects them as it
    /// does a built-in metric's. Every measure named in full
    /// (`metric.measure`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
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
            relations: Vec::new(),
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

    /// Declares a relation between figures ([`crate::relation`]): measures
    /// named without a dot are this metric's. Declare it for every count
    /// shown twice (a share's numerator that is a count of another row) and
    /// every sum across measures, so that no count `iro` hides can be worked
    /// out from the others.
    pub fn relation(mut self, relation: Relation) -> Self {
        self.relations.push(relation.qualified(&self.id));
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
        for r in &self.relations {
            self.check_relation(r)
                .map_err(|why| format!("metric `{}`: relation `{r}`: {why}", self.id))?;
        }
        Ok(())
    }

    /// A relation names measures that can be, one of them at least this
    /// metric's (declared), rows by well-formed breakdowns, and keys that
    /// are in its breakdowns.
    fn check_relation(&self, r: &Relation) -> Result<(), String> {
        let r = r.clone().qualified(&self.id);
        let mut own = false;
        for name in r.measures() {
            let (metric, measure) = name
                .split_once('.')
                .filter(|(a, b)| is_id(a) && is_id(b))
                .ok_or_else(|| format!("`{name}` is not a measure (`metric.measure`)"))?;
            if metric == self.id {
                own = true;
                if self.measure_info(measure).is_none() {
                    return Err(format!("`{}` declares no measure `{measure}`", self.id));
                }
            }
        }
        if !own {
            return Err(format!("it names no measure of `{}`", self.id));
        }
        for b in r.breakdowns() {
            check_breakdown(b)?;
        }
        let count_denominator = |name: &str, field: Field| {
            field == Field::Denominator
                && name
                    .strip_prefix(&self.id)
                    .and_then(|m| m.strip_prefix('.'))
                    .and_then(|m| self.measure_info(m))
                    .is_some_and(|m| m.unit == Unit::Count)
        };
        let cells = |c: &crate::relation::Cells| -> Result<(), String> {
            if c.keys.is_empty() || c.keys.split(';').any(|k| !is_key(k)) {
                return Err(format!("`{}` is not breakdown keys joined by `;`", c.keys));
            }
            if !c.keys.split(';').any(|k| k == c.by) {
                return Err(format!("`{}` is not one of the keys `{}`", c.by, c.keys));
            }
            if count_denominator(&c.measure, c.field) {
                return Err(format!("`{}` is a count: it has no denominator", c.measure));
            }
            Ok(())
        };
        match &r {
            Relation::Sum { total, parts } => {
                if parts.is_empty() {
                    return Err("a sum needs one part or more".into());
                }
                for t in std::iter::once(total).chain(parts) {
                    if count_denominator(&t.measure, t.field) {
                        return Err(format!("`{}` is a count: it has no denominator", t.measure));
                    }
                }
            }
            Relation::QuartersSumToYear { term } => {
                if count_denominator(&term.measure, term.field) {
                    return Err(format!(
                        "`{}` is a count: it has no denominator",
                        term.measure
                    ));
                }
            }
            Relation::BreakdownSumsToTotal {
                measure,
                key,
                field,
            } => {
                if key.is_empty() || key.split(';').any(|k| !is_key(k)) {
                    return Err(format!("`{key}` is not breakdown keys joined by `;`"));
                }
                if count_denominator(measure, *field) {
                    return Err(format!("`{measure}` is a count: it has no denominator"));
                }
            }
            Relation::SumByValue { parts, total } => {
                cells(parts)?;
                cells(total)?;
            }
            Relation::Regroup {
                parts,
                total,
                groups,
            } => {
                cells(parts)?;
                cells(total)?;
                if groups.is_empty() {
                    return Err("a regrouping needs one group or more".into());
                }
            }
        }
        Ok(())
    }
}

/// A breakdown key: not empty, no `=` or `;`.
fn is_key(k: &str) -> bool {
    !k.is_empty() && !k.contains(['=', ';'])
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

    #[test]
    fn checks_relations() {
        use crate::relation::{Cells, Term};
        let m = MetricInfo::new("uasc-age", "t", "1")
            .measure("uasc", "t", Unit::Count, &["age"])
            .measure("uasc-share", "t", Unit::Percent, &[]);
        let ok = m
            .clone()
            .relation(Relation::same(Term::num("uasc-share"), Term::num("uasc")))
            .relation(Relation::same(
                Term::den("uasc-share").total(),
                Term::num("cohort-summary.cla-31-march").only("age=16 and over"),
            ));
        assert_eq!(ok.check(), Ok(()));
        assert_eq!(
            ok.relations[0].measures(),
            ["uasc-age.uasc-share", "uasc-age.uasc"]
        );
        let err = |r: Relation| m.clone().relation(r).check().unwrap_err();
        assert!(
            err(Relation::same(Term::num("nope"), Term::num("uasc"))).contains("no measure `nope`")
        );
        assert!(
            err(Relation::same(Term::num("a.b"), Term::num("c.d")))
                .contains("names no measure of `uasc-age`")
        );
        assert!(
            err(Relation::same(Term::den("uasc"), Term::num("uasc-share")))
                .contains("no denominator")
        );
        assert!(
            err(Relation::same(
                Term::num("uasc").only("age"),
                Term::num("uasc-share")
            ))
            .contains("key=value")
        );
        assert!(err(Relation::sum(Term::num("uasc"), [])).contains("one part"));
        assert!(
            err(Relation::sum_by_value(
                Cells::num("uasc", "age", "sex"),
                Cells::num("uasc-share", "age", "age")
            ))
            .contains("not one of the keys")
        );
        assert!(
            err(Relation::same(Term::num("Bad.x"), Term::num("uasc"))).contains("not a measure")
        );
    }
}
