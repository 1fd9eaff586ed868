//! `[[groups]]` in `iro.toml`: a regional IRO group the pack compares
//! (`iro pack --group NAME`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One group of authorities: its name, its members, and what the pack
/// measures them against.
///
/// ```toml
/// [[groups]]
/// name = "South West IRO managers"
/// las = ["800", "801", "802", "803"]
/// review_target = 95            # % of reviews on time, the group's own target
/// # An anonymised pack: a letter for every member (names and codes left out).
/// letters = { "800" = "A", "801" = "B", "802" = "C", "803" = "D" }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupSettings {
    /// As printed on the pack's cover and given to `--group`.
    pub name: String,
    /// The members' DfE codes.
    pub las: Vec<String>,
    /// The group's target for reviews held on time (%), drawn on the
    /// timeliness charts and marked in the league table.
    pub review_target: Option<f64>,
    /// DfE code → letter: an anonymised pack, every member named
    /// "Authority <letter>" only. Empty: members are named.
    pub letters: BTreeMap<String, String>,
}
