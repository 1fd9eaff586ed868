//! Relations between figures: which counts a reader could add or subtract to
//! recover another. A metric declares them ([`crate::Metric::relations`]) and
//! the engine's secondary suppression makes sure that no relation is left with
//! exactly one hidden count, which subtraction would give away.
//!
//! A breakdown a metric declares additive ([`crate::MeasureSpec::additive_breakdowns`])
//! is already such a relation for numerators; the relations here cover the
//! rest: a measure that is the difference of two others (reviews late =
//! reviews assessed − reviews on time), two measures that count the same
//! thing, quarters that add up to the year, and denominators that add up.

use std::fmt;

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
    pub metric: &'static str,
    pub rows: Rows,
    pub field: Field,
}

impl Term {
    /// The numerator of `metric`, row by row.
    pub const fn num(metric: &'static str) -> Term {
        Term {
            metric,
            rows: Rows::Each,
            field: Field::Numerator,
        }
    }

    /// The denominator of `metric`, row by row.
    pub const fn den(metric: &'static str) -> Term {
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
        f.write_str(self.metric)?;
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
        metric: &'static str,
        key: &'static str,
        field: Field,
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
        }
    }
}

impl Relation {
    /// Every term the relation names.
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_read_as_equations() {
        static PARTS: [Term; 2] = [Term::num("m.on-time"), Term::num("m.late")];
        let r = Relation::Sum {
            total: Term::den("m.on-time"),
            parts: &PARTS,
        };
        assert_eq!(r.to_string(), "m.on-time + m.late = m.on-time denominator");
        assert_eq!(r.terms().len(), 3);
        let q = Relation::QuartersSumToYear(Term::num("m.held").only("review=first"));
        assert_eq!(
            q.to_string(),
            "m.held[review=first]: Q1 + Q2 + Q3 + Q4 = year"
        );
        let b = Relation::BreakdownSumsToTotal {
            metric: "m.on-time",
            key: "review",
            field: Field::Denominator,
        };
        assert_eq!(
            b.to_string(),
            "m.on-time by review sums to its total (denominators)"
        );
        assert_eq!(Term::num("m.x").only("").to_string(), "m.x");
    }
}
