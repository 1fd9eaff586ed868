//! What `iro plugins check` prints: everything about a plugin except a result.

use std::fmt;
use std::path::{Path, PathBuf};

use iro_plugin_sdk::{MetricInfo, Unit};
use serde::{Deserialize, Serialize};

/// A plugin as its descriptor and `list_metrics` describe it, with its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub path: PathBuf,
    /// Lower-case hex SHA-256 of the file: what `sha256` in iro.toml pins.
    pub sha256: String,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub data_contract: String,
    pub sdk_version: String,
    pub plugin_name: String,
    pub plugin_version: String,
    /// Built with `panic = "unwind"`: panics are caught and reported.
    pub panic_unwind: bool,
    /// May be called from several threads at once.
    pub thread_safe: bool,
    /// Provides child-level drill-downs (the ABI 1.1 `drilldown` entry).
    #[serde(default)]
    pub drilldowns: bool,
    pub metrics: Vec<MetricInfo>,
    /// Relations the metric list declared that this iro leaves out, because
    /// the plugin's ABI minor is older than 1.2 (they are protected by
    /// their additive breakdowns only).
    #[serde(default)]
    pub ignored_relations: usize,
}

impl Report {
    /// What `iro plugins check` warns of: counts that look as if they are
    /// shown twice with no relation saying so, and relations left out.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self.metrics.iter().flat_map(undeclared_repeats).collect();
        if self.ignored_relations > 0 {
            out.push(format!(
                "{} relation(s) left out: the plugin declares ABI {}.{}, and relations are read \
                 from {}.{} on; rebuild it against this iro's iro-plugin-sdk, or its counts are \
                 protected by their additive breakdowns only",
                self.ignored_relations,
                self.abi_major,
                self.abi_minor,
                iro_plugin_abi::ABI_MAJOR,
                iro_plugin_abi::RELATIONS_SINCE_MINOR
            ));
        }
        out
    }
}

/// A measure of `m` whose numerator or denominator is a count (a share, a
/// rate, a mean) that no relation ties to any of `m`'s counts, while `m`
/// shows counts: it looks like a repeat of one of them (the share of the
/// UASC aged 16+ and their count; a mean's denominator and the children
/// counted), and a count hidden in one would be shown in the other. Judged
/// from the description alone: `plugins check` computes nothing.
fn undeclared_repeats(m: &MetricInfo) -> Vec<String> {
    let counts: Vec<&str> = m
        .measures
        .iter()
        .filter(|me| me.unit == Unit::Count)
        .map(|me| me.id.as_str())
        .collect();
    if counts.is_empty() {
        return Vec::new();
    }
    let related = |a: &str, b: &str| {
        let (a, b) = (format!("{}.{a}", m.id), format!("{}.{b}", m.id));
        m.relations.iter().any(|r| {
            let names = r.clone().qualified(&m.id);
            let names = names.measures();
            names.contains(&a.as_str()) && names.contains(&b.as_str())
        })
    };
    m.measures
        .iter()
        .filter(|me| {
            matches!(
                me.unit,
                Unit::Percent | Unit::Per10000 | Unit::PercentChange | Unit::Mean
            )
        })
        .filter(|me| !counts.iter().any(|c| related(c, &me.id)))
        .map(|me| {
            let listed: Vec<String> = counts.iter().map(|c| format!("`{}.{c}`", m.id)).collect();
            format!(
                "`{}.{}` ({}) is tied by no relation to the counts {}: if its numerator or \
                 denominator is one of them shown again, declare it (e.g. \
                 `.relation(Relation::same(Term::num(\"{}\"), Term::num(\"{}\")))`), or a count \
                 iro hides there can be read here (PLUGINS.md, \"Relations\")",
                m.id,
                me.id,
                me.unit.label(),
                listed.join(", "),
                me.id,
                counts[0]
            )
        })
        .collect()
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "plugin    {} {}", self.plugin_name, self.plugin_version)?;
        writeln!(f, "file      {}", self.path.display())?;
        writeln!(f, "sha256    {}", self.sha256)?;
        writeln!(
            f,
            "ABI       {}.{} (this iro: {}.{}), built with iro-plugin-sdk {}",
            self.abi_major,
            self.abi_minor,
            iro_plugin_abi::ABI_MAJOR,
            iro_plugin_abi::ABI_MINOR,
            if self.sdk_version.is_empty() {
                "?"
            } else {
                &self.sdk_version
            }
        )?;
        writeln!(
            f,
            "contract  {} (this iro provides {})",
            self.data_contract,
            iro_plugin_abi::DATA_CONTRACT
        )?;
        writeln!(
            f,
            "panics    {}",
            if self.panic_unwind {
                "caught and reported (panic = \"unwind\")"
            } else {
                "abort the process (panic = \"abort\"): needs isolation = \"process\""
            }
        )?;
        writeln!(
            f,
            "threads   {}",
            if self.thread_safe {
                "may be called from several threads"
            } else {
                "one call at a time"
            }
        )?;
        writeln!(
            f,
            "drilldown {}",
            if self.drilldowns {
                "entry present (ABI 1.1): child-level tables, from the metrics that give \
                 any (Metric::drilldown), are written with --personal only"
            } else {
                "none (no drilldown entry)"
            }
        )?;
        writeln!(f, "metrics   {}", self.metrics.len())?;
        for m in &self.metrics {
            writeln!(f)?;
            writeln!(f, "  {} {}: {}", m.id, m.version, m.title)?;
            if !m.requires.is_empty() {
                writeln!(f, "    requires  {}", m.requires.join(", "))?;
            }
            for me in &m.measures {
                writeln!(
                    f,
                    "    {}.{} [{}] {}",
                    m.id,
                    me.id,
                    me.unit.label(),
                    me.title
                )?;
            }
            for p in &m.params {
                writeln!(f, "    param {} = {}  {}", p.name, p.default, p.help)?;
            }
            for r in &m.relations {
                writeln!(f, "    relation  {}", r.clone().qualified(&m.id))?;
            }
        }
        let warnings = self.warnings();
        if !warnings.is_empty() {
            writeln!(f)?;
            for w in &warnings {
                writeln!(f, "warning: {w}")?;
            }
        }
        writeln!(f)?;
        writeln!(f, "In iro.toml:")?;
        writeln!(f)?;
        writeln!(f, "[[plugins]]")?;
        // Relative to this folder (where iro.toml usually is) when the
        // library is under it, so the entry holds no one's home folder.
        let absolute = std::fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        let shown = std::env::current_dir()
            .ok()
            .and_then(|d| std::fs::canonicalize(d).ok())
            .and_then(|d| absolute.strip_prefix(d).ok().map(Path::to_path_buf))
            .unwrap_or(absolute);
        writeln!(
            f,
            "path = {}  # relative to iro.toml",
            toml_string(&shown.display().to_string().replace('\\', "/"))
        )?;
        writeln!(f, "sha256 = \"{}\"", self.sha256)?;
        writeln!(f, "isolation = \"process\"  # or \"in-process\"")
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_plugin_sdk::{Relation, Term};

    fn report(m: MetricInfo) -> Report {
        Report {
            path: "libx.so".into(),
            sha256: "0".repeat(64),
            abi_major: 1,
            abi_minor: 2,
            data_contract: iro_plugin_abi::DATA_CONTRACT.into(),
            sdk_version: String::new(),
            plugin_name: "x".into(),
            plugin_version: "1".into(),
            panic_unwind: true,
            thread_safe: true,
            drilldowns: false,
            metrics: vec![m],
            ignored_relations: 0,
        }
    }

    /// A count and a share of the same rows, with no relation: the share
    /// looks like a repeat of the count, and `plugins check` says so, with
    /// the line to add. Declared, or with no count to repeat, it is quiet.
    #[test]
    fn a_share_beside_a_count_with_no_relation_is_warned_of() {
        let m = MetricInfo::new("uasc-age", "t", "1")
            .measure("uasc", "t", Unit::Count, &["age"])
            .measure("uasc-share", "t", Unit::Percent, &[])
            .measure("median-days", "t", Unit::Days, &[]);
        let w = report(m.clone()).warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("`uasc-age.uasc-share` (percent) is tied by no relation to the counts `uasc-age.uasc`"),
            "{}",
            w[0]
        );
        assert!(w[0].contains(r#"Relation::same(Term::num("uasc-share"), Term::num("uasc"))"#));
        let text = report(m.clone()).to_string();
        assert!(text.contains("warning: `uasc-age.uasc-share`"), "{text}");

        let declared = m.relation(Relation::same(Term::num("uasc-share"), Term::num("uasc")));
        assert!(report(declared.clone()).warnings().is_empty());
        let text = report(declared).to_string();
        assert!(
            text.contains("    relation  uasc-age.uasc = uasc-age.uasc-share\n"),
            "{text}"
        );
        let no_count = MetricInfo::new("m", "t", "1").measure("p", "t", Unit::Percent, &[]);
        assert!(report(no_count).warnings().is_empty());
        let old = Report {
            abi_minor: 1,
            ignored_relations: 2,
            ..report(MetricInfo::new("m", "t", "1").measure("n", "t", Unit::Count, &[]))
        };
        assert_eq!(old.warnings().len(), 1);
        assert!(
            old.warnings()[0].starts_with("2 relation(s) left out: the plugin declares ABI 1.1")
        );
    }
}
