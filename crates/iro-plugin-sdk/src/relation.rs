//! Relations between figures (ABI 1.2): which counts a reader of
//! `metrics.csv` could add or subtract to recover another, so that `iro`'s
//! secondary suppression hides enough of them. The same forms a built-in
//! metric declares (`iro_metric_api::Relation`), as data a plugin sends in
//! its metric list; the host turns each into the built-ins' own type, and
//! the engine protects them alike.
//!
//! An additive breakdown ([`crate::MetricInfo::measure`]'s last argument) is
//! already a relation; declare the rest here, above all **the same count
//! shown twice**: a share whose numerator is a count shown in another row
//! (UASC aged 16+: the count, and 13 of 52 in a share), a mean whose
//! denominator is the number of children counted elsewhere. Without the
//! relation, a count hidden in one row stays readable in the other, and with
//! it every small count it was protecting.
//!
//! ```ignore
//! MetricInfo::new("uasc-age", "UASC looked after at 31 March by age", "1.0.0")
//!     .measure("uasc", "UASC looked after at 31 March", Unit::Count, &["age"])
//!     .measure("uasc-share", "Share of the UASC in each age band", Unit::Percent, &[])
//!     // A band's share is its count, of all the UASC.
//!     .relation(Relation::same(Term::num("uasc-share"), Term::num("uasc")))
//!     .relation(Relation::same(Term::den("uasc-share"), Term::num("uasc").total()))
//! ```
//!
//! A measure is named as in [`crate::OutputBuilder`] (`uasc`: of the metric
//! declaring the relation) or in full (`metric.measure`: another metric's,
//! of this plugin or a built-in, e.g. `cohort-summary.cla-31-march`).
//! [`crate::MetricInfo::relation`] writes every name in full, as the metric
//! list carries it.

use serde::{Deserialize, Serialize};

/// Which number of a row a term uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The `numerator` column (for a count, the count).
    #[default]
    Numerator,
    /// The `denominator` column, when it counts children or events.
    Denominator,
}

/// One side of a relation: a number of the rows of one measure.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Term {
    /// `measure` of the declaring metric, or `metric.measure`.
    pub measure: String,
    /// `None`: row by row, the relation holding for each breakdown that
    /// every row-by-row term has a row for. `Some(b)`: only the row whose
    /// breakdown is `b`, as written in `metrics.csv` (`age=16 and over`);
    /// `Some("")` is the row with no breakdown (the total).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<String>,
    #[serde(default)]
    pub field: Field,
}

impl Term {
    /// The numerator (a count's count) of `measure`, row by row.
    pub fn num(measure: &str) -> Term {
        Term {
            measure: measure.to_string(),
            breakdown: None,
            field: Field::Numerator,
        }
    }

    /// The denominator of `measure`, row by row.
    pub fn den(measure: &str) -> Term {
        Term {
            field: Field::Denominator,
            ..Term::num(measure)
        }
    }

    /// The same number, of the one row with this breakdown
    /// (`key=value[;key=value]`).
    pub fn only(self, breakdown: &str) -> Term {
        Term {
            breakdown: Some(breakdown.to_string()),
            ..self
        }
    }

    /// The same number, of the row with no breakdown.
    pub fn total(self) -> Term {
        self.only("")
    }
}

/// The rows of one breakdown of a measure, matched to other rows by the
/// value of one of its keys (`placement;distance` matched by `distance`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cells {
    /// `measure` of the declaring metric, or `metric.measure`.
    pub measure: String,
    /// The breakdown's keys, joined by `;` as in the `breakdown` column.
    pub keys: String,
    /// The key (one of `keys`) whose value rows are matched by.
    pub by: String,
    #[serde(default)]
    pub field: Field,
}

impl Cells {
    /// The numerators of `measure`'s rows broken down by `keys`, matched by
    /// the value of `by`.
    pub fn num(measure: &str, keys: &str, by: &str) -> Cells {
        Cells {
            measure: measure.to_string(),
            keys: keys.to_string(),
            by: by.to_string(),
            field: Field::Numerator,
        }
    }

    /// The same rows' denominators.
    pub fn den(self) -> Cells {
        Cells {
            field: Field::Denominator,
            ..self
        }
    }
}

/// A linear relation between counts of one authority, collection year and
/// period: every form a built-in metric can declare. Rows a term names that
/// a run did not produce leave the relation out there (a reader cannot
/// subtract a number that is not shown).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Relation {
    /// `total` = the sum of `parts`. With one part: the same count shown
    /// twice ([`Relation::same`]).
    Sum { total: Term, parts: Vec<Term> },
    /// Q1 + Q2 + Q3 + Q4 = the year, for the term's rows. True of flows
    /// counted by the date of the event, not of stocks or of children
    /// counted once a period.
    QuartersSumToYear { term: Term },
    /// The rows of `measure` broken down by `key` sum, in `field`, to its
    /// row with no breakdown: for denominators that add up (an additive
    /// breakdown says it of numerators).
    BreakdownSumsToTotal {
        measure: String,
        key: String,
        #[serde(default)]
        field: Field,
    },
    /// For each value `v` of `parts.by`, the `parts` rows whose `by` is `v`
    /// sum to each `total` row whose `total.by` is `v`: a cross-tab's margin,
    /// the same children counted under another key or by another measure.
    SumByValue { parts: Cells, total: Cells },
    /// As [`Relation::SumByValue`], with the values of `parts.by` gathered
    /// into the values of `total.by` by `groups` (`[part value, total
    /// value]`): codes into their groups.
    Regroup {
        parts: Cells,
        total: Cells,
        groups: Vec<(String, String)>,
    },
}

impl Relation {
    /// Two terms are the same count, shown twice: a share's numerator and a
    /// count, a mean's denominator and a count of the same children.
    pub fn same(a: Term, b: Term) -> Relation {
        Relation::Sum {
            total: a,
            parts: vec![b],
        }
    }

    /// `total` = the sum of `parts` (measures that add up to another).
    pub fn sum(total: Term, parts: impl IntoIterator<Item = Term>) -> Relation {
        Relation::Sum {
            total,
            parts: parts.into_iter().collect(),
        }
    }

    /// Q1 + Q2 + Q3 + Q4 = the year, for the term's rows.
    pub fn quarters_sum_to_year(term: Term) -> Relation {
        Relation::QuartersSumToYear { term }
    }

    /// `measure` by `key` sums to its total in `field`.
    pub fn breakdown_sums_to_total(measure: &str, key: &str, field: Field) -> Relation {
        Relation::BreakdownSumsToTotal {
            measure: measure.to_string(),
            key: key.to_string(),
            field,
        }
    }

    /// `parts` summed by value = `total`.
    pub fn sum_by_value(parts: Cells, total: Cells) -> Relation {
        Relation::SumByValue { parts, total }
    }

    /// `parts` gathered into groups by `groups` (`(part value, total
    /// value)`) = `total`.
    pub fn regroup(parts: Cells, total: Cells, groups: &[(&str, &str)]) -> Relation {
        Relation::Regroup {
            parts,
            total,
            groups: groups
                .iter()
                .map(|&(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    /// Every measure name the relation holds, as written.
    pub fn measures(&self) -> Vec<&str> {
        match self {
            Relation::Sum { total, parts } => std::iter::once(total)
                .chain(parts)
                .map(|t| t.measure.as_str())
                .collect(),
            Relation::QuartersSumToYear { term } => vec![term.measure.as_str()],
            Relation::BreakdownSumsToTotal { measure, .. } => vec![measure.as_str()],
            Relation::SumByValue { parts, total } | Relation::Regroup { parts, total, .. } => {
                vec![parts.measure.as_str(), total.measure.as_str()]
            }
        }
    }

    /// Every measure name, mutably (to write them in full).
    fn measures_mut(&mut self) -> Vec<&mut String> {
        match self {
            Relation::Sum { total, parts } => std::iter::once(total)
                .chain(parts.iter_mut())
                .map(|t| &mut t.measure)
                .collect(),
            Relation::QuartersSumToYear { term } => vec![&mut term.measure],
            Relation::BreakdownSumsToTotal { measure, .. } => vec![measure],
            Relation::SumByValue { parts, total } | Relation::Regroup { parts, total, .. } => {
                vec![&mut parts.measure, &mut total.measure]
            }
        }
    }

    /// The relation with every bare measure name (`uasc`) written in full
    /// as a measure of `metric` (`uasc-age.uasc`).
    pub fn qualified(mut self, metric: &str) -> Relation {
        for m in self.measures_mut() {
            if !m.contains('.') {
                *m = format!("{metric}.{m}");
            }
        }
        self
    }

    /// The breakdowns the relation names one row by (`Term::only`).
    pub fn breakdowns(&self) -> Vec<&str> {
        match self {
            Relation::Sum { total, parts } => std::iter::once(total)
                .chain(parts)
                .filter_map(|t| t.breakdown.as_deref())
                .collect(),
            Relation::QuartersSumToYear { term } => term.breakdown.as_deref().into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.measure)?;
        if let Some(b) = self.breakdown.as_deref().filter(|b| !b.is_empty()) {
            write!(f, "[{b}]")?;
        }
        if self.field == Field::Denominator {
            f.write_str(" denominator")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Cells {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.measure, self.keys)?;
        if self.field == Field::Denominator {
            f.write_str(" denominator")?;
        }
        Ok(())
    }
}

/// As the engine writes it in `run.json` and in a secondary cell's note.
impl std::fmt::Display for Relation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Relation::Sum { total, parts } => {
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" + ")?;
                    }
                    write!(f, "{p}")?;
                }
                write!(f, " = {total}")
            }
            Relation::QuartersSumToYear { term } => {
                write!(f, "{term}: Q1 + Q2 + Q3 + Q4 = year")
            }
            Relation::BreakdownSumsToTotal {
                measure,
                key,
                field,
            } => {
                write!(f, "{measure} by {key} sums to its total")?;
                if *field == Field::Denominator {
                    f.write_str(" (denominators)")?;
                }
                Ok(())
            }
            Relation::SumByValue { parts, total } => {
                write!(f, "{parts} summed by {} = {total}", parts.by)?;
                if total.by != parts.by {
                    write!(f, " by {}", total.by)?;
                }
                Ok(())
            }
            Relation::Regroup { parts, total, .. } => {
                write!(f, "{parts} grouped by {} = {total}", parts.by)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_cross_as_json_and_read_as_equations() {
        let r = Relation::same(Term::num("uasc-share"), Term::num("uasc")).qualified("uasc-age");
        assert_eq!(r.to_string(), "uasc-age.uasc = uasc-age.uasc-share");
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(
            j,
            serde_json::json!({"kind": "sum",
                "total": {"measure": "uasc-age.uasc-share", "field": "numerator"},
                "parts": [{"measure": "uasc-age.uasc", "field": "numerator"}]})
        );
        assert_eq!(serde_json::from_value::<Relation>(j).unwrap(), r);
        // Field defaults to the numerator; a full name is left as it is.
        let r: Relation = serde_json::from_str(
            r#"{"kind": "quarters_sum_to_year", "term": {"measure": "spells", "breakdown": ""}}"#,
        )
        .unwrap();
        assert_eq!(
            r,
            Relation::quarters_sum_to_year(Term::num("spells").total())
        );
        let r = Relation::sum(
            Term::den("x").total(),
            [Term::num("cohort-summary.cla-31-march").only("")],
        )
        .qualified("m");
        assert_eq!(r.measures(), ["m.x", "cohort-summary.cla-31-march"]);
        assert_eq!(
            r.to_string(),
            "cohort-summary.cla-31-march = m.x denominator"
        );
        let g = Relation::regroup(
            Cells::num("t", "place", "place"),
            Cells::num("t", "group", "group"),
            &[("U1", "Foster")],
        );
        let back: Relation = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
        assert_eq!(back, g);
        assert_eq!(g.to_string(), "t[place] grouped by place = t[group]");
    }
}
