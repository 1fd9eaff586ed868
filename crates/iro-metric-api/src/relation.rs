//! Relations between figures: which counts a reader could add or subtract to
//! recover another. A metric declares them ([`crate::Metric::relations`]) and
//! the engine's secondary suppression makes sure that no relation is left with
//! exactly one hidden count, which subtraction would give away.
//!
//! A breakdown a metric declares additive ([`crate::MeasureSpec::additive_breakdowns`])
//! is already such a relation for numerators; the relations here cover the
//! rest: a measure that is the difference of two others (reviews late =
//! reviews assessed − reviews on time), two measures that count the same
//! thing, quarters that add up to the year, denominators that add up, and the
//! margins of a cross-tabulation, which may be another measure, of this
//! metric or of another one ([`Relation::SumByValue`]).
//!
//! Relations hold between the rows of one authority, collection year and
//! period, whichever metric produced them: a measure that counts part of
//! another measure's population (or the same population) is declared here,
//! by whichever of the two metrics comes to know of the other.

use std::fmt;

use crate::MeasureId;

/// Which number of a row a term uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The `numerator` column (for a count, the count).
    Numerator,
    /// The `denominator` column, when it counts children or events.
    Denominator,
}

/// Which rows of a measure a term uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rows {
    /// Row by row: the relation holds for each breakdown that every
    /// [`Rows::Each`] term of the relation has a row for.
    Each,
    /// Only the row with this breakdown, as displayed in `metrics.csv`
    /// (`key=value;key=value`); `""` is the row with no breakdown.
    Only(&'static str),
}

/// One side of a relation: a number of the rows of one measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Term {
    /// The `metric` column, `crate.measure` (any metric's, not only the
    /// declaring one's: two metrics may count the same thing).
    pub metric: MeasureId,
    pub rows: Rows,
    pub field: Field,
}

impl Term {
    /// The numerator of `metric`, row by row.
    pub const fn num(metric: MeasureId) -> Term {
        Term {
            metric,
            rows: Rows::Each,
            field: Field::Numerator,
        }
    }

    /// The denominator of `metric`, row by row.
    pub const fn den(metric: MeasureId) -> Term {
        Term {
            metric,
            rows: Rows::Each,
            field: Field::Denominator,
        }
    }

    /// The same number, of the one row with this breakdown (`""`: the total).
    pub const fn only(self, breakdown: &'static str) -> Term {
        Term {
            rows: Rows::Only(breakdown),
            ..self
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.metric.as_str())?;
        if let Rows::Only(b) = self.rows
            && !b.is_empty()
        {
            write!(f, "[{b}]")?;
        }
        if self.field == Field::Denominator {
            f.write_str(" denominator")?;
        }
        Ok(())
    }
}

/// The rows of one breakdown of a measure, matched to other rows by the value
/// of one of its keys: `placement-distance.distance-location` by
/// `location;distance`, matched by `distance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cells {
    /// The `metric` column, `crate.measure`.
    pub metric: MeasureId,
    /// The breakdown's keys, joined by `;` as in [`crate::Breakdown::keys`].
    pub keys: &'static str,
    /// The key (one of `keys`) whose value rows are matched by.
    pub by: &'static str,
    pub field: Field,
}

impl Cells {
    /// The numerators of `metric`'s rows broken down by `keys`, matched by
    /// the value of `by`.
    pub const fn num(metric: MeasureId, keys: &'static str, by: &'static str) -> Cells {
        Cells {
            metric,
            keys,
            by,
            field: Field::Numerator,
        }
    }

    /// The same rows' denominators.
    pub const fn den(self) -> Cells {
        Cells {
            field: Field::Denominator,
            ..self
        }
    }
}

impl fmt::Display for Cells {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.metric, self.keys)?;
        if self.field == Field::Denominator {
            f.write_str(" denominator")?;
        }
        Ok(())
    }
}

/// A linear relation between counts, within one authority and collection
/// year. Rows a term names that the run did not produce (a metric switched
/// off, a breakdown not emitted) leave the relation out for that authority,
/// year and period: a reader cannot subtract a number that is not there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// `total` = the sum of `parts`, in the same period. With one part it says
    /// two figures are equal (the same count shown twice).
    Sum { total: Term, parts: &'static [Term] },
    /// For the term's rows (every breakdown, with [`Rows::Each`]): Q1 + Q2 +
    /// Q3 + Q4 = the year. True of flows counted by the date of the event
    /// (reviews held), not of stocks or of children counted once a period.
    QuartersSumToYear(Term),
    /// The rows of `metric` broken down by `key` (`a;b` for a cross-tab, each
    /// of its rows summing to its own subtotal) sum, in `field`, to the row
    /// with no breakdown. [`crate::MeasureSpec::additive_breakdowns`] says the
    /// same of numerators; this is for denominators that add up too (on time
    /// by review sequence: both numerators and denominators add up).
    BreakdownSumsToTotal {
        metric: MeasureId,
        key: &'static str,
        field: Field,
    },
    /// For each value `v` of `parts.by`, the rows of `parts` whose `by` is
    /// `v` sum to each row of `total` whose `total.by` is `v`, in the same
    /// period. The margin of a cross-tab (`distance-location` summed over
    /// `location` gives `distance` by `distance`), the same children counted
    /// by two metrics under different keys (`cohort-summary.profile` by
    /// `placement` and `placement-stability.placement-type` by `group`), and
    /// a row of a cross-tab whose denominator is its own subtotal
    /// (`distance-by-placement`: a placement group's cells sum to each of its
    /// cells' denominators). A value with no `parts` rows is left out.
    SumByValue { parts: Cells, total: Cells },
    /// As [`Relation::SumByValue`], with the values of `parts.by` gathered
    /// into the values of `total.by` by `groups` (`(part value, total
    /// value)`): placement codes into their placement groups. A part value
    /// missing from `groups` is in no sum.
    Regroup {
        parts: Cells,
        total: Cells,
        groups: &'static [(&'static str, &'static str)],
    },
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
            Relation::QuartersSumToYear(t) => write!(f, "{t}: Q1 + Q2 + Q3 + Q4 = year"),
            Relation::BreakdownSumsToTotal { metric, key, field } => {
                write!(f, "{metric} by {key} sums to its total")?;
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

impl Relation {
    /// Every measure the relation names (`crate.measure`).
    pub fn metrics(&self) -> Vec<MeasureId> {
        match *self {
            Relation::SumByValue { parts, total } | Relation::Regroup { parts, total, .. } => {
                vec![parts.metric, total.metric]
            }
            _ => self.terms().into_iter().map(|t| t.metric).collect(),
        }
    }

    /// Every term the relation names, row by row or of one row; a
    /// [`Relation::SumByValue`] names its measures' rows by a key instead,
    /// and has none ([`Relation::metrics`] names its measures).
    pub fn terms(&self) -> Vec<Term> {
        match *self {
            Relation::Sum { total, parts } => std::iter::once(total)
                .chain(parts.iter().copied())
                .collect(),
            Relation::QuartersSumToYear(t) => vec![t],
            Relation::BreakdownSumsToTotal { metric, field, .. } => vec![Term {
                metric,
                rows: Rows::Each,
                field,
            }],
            Relation::SumByValue { .. } | Relation::Regroup { .. } => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_read_as_equations() {
        static PARTS: [Term; 2] = [
            Term::num(MeasureId::new("m.on-time")),
            Term::num(MeasureId::new("m.late")),
        ];
        let r = Relation::Sum {
            total: Term::den(MeasureId::new("m.on-time")),
            parts: &PARTS,
        };
        assert_eq!(r.to_string(), "m.on-time + m.late = m.on-time denominator");
        assert_eq!(r.terms().len(), 3);
        let q =
            Relation::QuartersSumToYear(Term::num(MeasureId::new("m.held")).only("review=first"));
        assert_eq!(
            q.to_string(),
            "m.held[review=first]: Q1 + Q2 + Q3 + Q4 = year"
        );
        let b = Relation::BreakdownSumsToTotal {
            metric: MeasureId::new("m.on-time"),
            key: "review",
            field: Field::Denominator,
        };
        assert_eq!(
            b.to_string(),
            "m.on-time by review sums to its total (denominators)"
        );
        assert_eq!(Term::num(MeasureId::new("m.x")).only("").to_string(), "m.x");
        let m = Relation::SumByValue {
            parts: Cells::num(
                MeasureId::new("d.loc-dist"),
                "location;distance",
                "distance",
            ),
            total: Cells::num(MeasureId::new("d.dist"), "distance", "distance"),
        };
        assert_eq!(
            m.to_string(),
            "d.loc-dist[location;distance] summed by distance = d.dist[distance]"
        );
        assert_eq!(m.metrics(), ["d.loc-dist", "d.dist"]);
        let renamed = Relation::SumByValue {
            parts: Cells::num(MeasureId::new("d.by-group"), "group;distance", "group"),
            total: Cells::num(MeasureId::new("d.by-group"), "group;distance", "group").den(),
        };
        assert_eq!(
            renamed.to_string(),
            "d.by-group[group;distance] summed by group = d.by-group[group;distance] denominator"
        );
    }
}
