//! Derived metrics: figures computed from the table the other metrics
//! produced, rather than from the cohort.
//!
//! Regional benchmarking compares an authority's own figures (children looked
//! after per 10,000, placement stability, distance) with the published ones.
//! Those figures are the ones `cohort-summary`, `placement-stability` and
//! `placement-distance` report; computing them again would be slower, and
//! could disagree. So a derived metric runs after every per-authority metric,
//! in the engine's second stage, and reads their rows (before suppression)
//! through a [`DerivedInput`]: for each authority and year, the rows, and
//! whether each metric it reads ran at all, with which parameters, and how it
//! went ([`SourceState`]).
//!
//! A derived metric does not depend on the crates whose rows it reads: where
//! its figures come from ([`SourceFigure`]) is given to it by whoever wires
//! the metrics together (the engine's registry), which is also where the
//! relations between its figures and theirs are declared.

use iro_domain::{CollectionYear, LaCode};

use crate::{AreaCode, MetricError, MetricRow, MetricSpec, Params, Reference, Relation, Term};

/// One authority and year a derived metric is asked for (every table it
/// `requires` was fit for figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DerivedTask {
    pub la: LaCode,
    pub year: CollectionYear,
}

/// How a metric whose rows a derived metric reads went, for one authority and
/// year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceState<'a> {
    /// Computed at its default parameters: its rows are in the table.
    Computed,
    /// Not in the run: switched off, or not a metric the run has.
    NotRun,
    /// Computed, with parameters other than its defaults: its figures are not
    /// the standard definition's. The names of the parameters changed.
    NonDefault(&'a [String]),
    /// Not computable for this authority and year, with the reason (the
    /// data-quality gate, or data the metric needs are missing).
    NotComputable(&'a str),
    /// The metric failed (an error or a panic), with the message.
    Failed(&'a str),
}

impl SourceState<'_> {
    /// Why a figure read from `metric` cannot be had, or `None` when its rows
    /// can be read. The text starts with "not computable: " where the data
    /// are the cause, as the engine's own reasons do.
    pub fn reason(&self, metric: &str) -> Option<String> {
        match self {
            SourceState::Computed => None,
            SourceState::NotRun => Some(format!(
                "not computable: {metric} is not in this run (switched off with [metrics.{metric}] enabled = false)"
            )),
            SourceState::NonDefault(names) => Some(format!(
                "not computable: {metric} runs with parameters other than its defaults ({}): its figures are not the DfE's definition",
                names.join(", ")
            )),
            SourceState::NotComputable(why) => Some(format!("not computable: {why}")),
            SourceState::Failed(why) => Some(format!("{metric}: {why}")),
        }
    }
}

/// What the engine hands a derived metric: the unsuppressed rows of every
/// per-authority metric, sorted as the engine sorts them (authority, year,
/// measure, period, breakdown), and how each of those metrics went.
pub struct DerivedInput<'a> {
    /// The authorities and years to compute, in order.
    pub tasks: &'a [DerivedTask],
    pub reference: &'a Reference,
    /// This metric's parameters, merged over its defaults.
    pub params: &'a Params,
    rows: &'a [MetricRow],
    sources: &'a (dyn Fn(&str, LaCode, CollectionYear) -> SourceState<'a> + Sync),
}

impl std::fmt::Debug for DerivedInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DerivedInput")
            .field("tasks", &self.tasks.len())
            .field("rows", &self.rows.len())
            .finish_non_exhaustive()
    }
}

impl<'a> DerivedInput<'a> {
    /// `rows` must be sorted by authority and year (the engine's order);
    /// `sources` says how a metric went for an authority and year.
    pub fn new(
        tasks: &'a [DerivedTask],
        reference: &'a Reference,
        params: &'a Params,
        rows: &'a [MetricRow],
        sources: &'a (dyn Fn(&str, LaCode, CollectionYear) -> SourceState<'a> + Sync),
    ) -> Self {
        debug_assert!(
            rows.is_sorted_by_key(|r| (r.la_code, r.year)),
            "rows sorted by authority and year"
        );
        DerivedInput {
            tasks,
            reference,
            params,
            rows,
            sources,
        }
    }

    /// The same input for only some of the tasks (the engine's retry of one
    /// authority after a panic).
    pub fn with_tasks(&self, tasks: &'a [DerivedTask]) -> Self {
        DerivedInput { tasks, ..*self }
    }

    /// Every row of `la` in `year`, of every per-authority metric.
    pub fn rows(&self, la: LaCode, year: CollectionYear) -> &'a [MetricRow] {
        let code = AreaCode::of_la(la);
        let key = (code, year.0);
        let start = self.rows.partition_point(|r| (r.la_code, r.year) < key);
        let end = start + self.rows[start..].partition_point(|r| (r.la_code, r.year) == key);
        &self.rows[start..end]
    }

    /// How `metric` (its id) went for `la` in `year`.
    pub fn source(&self, metric: &str, la: LaCode, year: CollectionYear) -> SourceState<'a> {
        (self.sources)(metric, la, year)
    }
}

/// A metric computed from the other metrics' rows ([`DerivedInput`]), in the
/// engine's second stage. Every such metric is also a [`crate::Metric`] (a
/// blanket implementation), so it is registered, listed, configured and
/// gated like any other; the engine never asks it to compute from a cohort.
pub trait DerivedMetric: Send + Sync {
    fn spec(&self) -> &MetricSpec;

    /// Rows for each of `input.tasks`: one result per task, in order.
    ///
    /// Should it panic, the engine calls it again for each authority on its
    /// own, so one bad authority does not take the others down.
    fn derive(&self, input: &DerivedInput<'_>) -> Vec<Result<Vec<MetricRow>, MetricError>>;

    /// As [`crate::Metric::relations`].
    fn relations(&self) -> &[Relation] {
        &[]
    }

    /// The figure `row` (one of this metric's) is computed from, when that
    /// figure may be hidden: a rank, a z-score or a trend of a count. The
    /// engine withholds `row` whenever suppression (primary or secondary)
    /// hides any of those figures, since with the other published figures
    /// it would give the hidden count back. `params`: this metric's, merged
    /// over its defaults. `None` (the default): computed from nothing that
    /// is ever hidden.
    fn computed_from(&self, row: &MetricRow, params: &Params) -> Option<ComputedFrom> {
        let _ = (row, params);
        None
    }
}

/// The rows a derived row is computed from ([`DerivedMetric::computed_from`]):
/// the rows of `metric` with `breakdown` of the same authority and period, in
/// each collection year of `years`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputedFrom {
    pub metric: crate::MeasureId,
    pub breakdown: crate::Breakdown,
    pub years: std::ops::RangeInclusive<i32>,
}

/// Where a derived figure is read from in the table: the numerator is the sum
/// of the numbers `numerator` names, the denominator the number `denominator`
/// names, of one authority, year and period. Each term names one row
/// ([`crate::Rows::Only`]: a measure with one breakdown).
///
/// The same terms state the relation between the derived figure and its
/// sources, for secondary suppression: they show the same counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceFigure {
    pub numerator: &'static [Term],
    pub denominator: Term,
    /// How the numerator is made, for the note, when it is more than one
    /// row (`inside + outside the LA boundary, more than 20 miles`); empty
    /// when it is one row.
    pub how: &'static str,
}

impl SourceFigure {
    /// The measure the figure is read from (the first numerator term's).
    pub fn measure(&self) -> crate::MeasureId {
        self.numerator.first().unwrap_or(&self.denominator).metric
    }

    /// Reads the figure from `rows` (of one authority and year) in `period`:
    /// `Err` names the term that has no row.
    pub fn read(&self, rows: &[MetricRow], period: crate::Period) -> Result<Read, Term> {
        let find = |t: &Term| -> Result<&MetricRow, Term> {
            let crate::Rows::Only(text) = t.rows else {
                return Err(*t);
            };
            let breakdown = crate::Breakdown::parse(text);
            rows.iter()
                .find(|r| r.metric == t.metric && r.period == period && r.breakdown == breakdown)
                .ok_or(*t)
        };
        let number = |t: &Term, r: &MetricRow| match t.field {
            crate::Field::Numerator => r.numerator,
            crate::Field::Denominator => r.denominator,
        };
        let mut numerator = Some(0);
        let mut notes = std::collections::BTreeSet::new();
        for t in self.numerator {
            let r = find(t)?;
            numerator = numerator.zip(number(t, r)).map(|(a, b)| a + b);
            let note = r.note_text();
            if !note.is_empty() {
                notes.insert(note);
            }
        }
        if self.numerator.is_empty() {
            numerator = None;
        }
        let d = find(&self.denominator)?;
        Ok(Read {
            measure: self.measure(),
            numerator,
            denominator: number(&self.denominator, d),
            note: notes.into_iter().collect::<Vec<_>>().join("; "),
        })
    }
}

/// A figure read from the table ([`SourceFigure::read`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// The measure it was read from.
    pub measure: crate::MeasureId,
    /// `None` when a row has no number there (not computable: `note` says
    /// why).
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    /// The numerator rows' notes, each once, `; `-joined.
    pub note: String,
}

/// A derived metric is a metric: registered, listed, configured and gated as
/// any other. The engine computes it in its second stage
/// ([`crate::Metric::derived`]); asked to compute from a cohort alone, it
/// says it cannot.
impl<T: DerivedMetric> crate::Metric for T {
    fn spec(&self) -> &MetricSpec {
        DerivedMetric::spec(self)
    }

    fn compute_years(
        &self,
        ctxs: &[crate::MetricContext<'_>],
    ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        let why = format!(
            "{} is computed from the other metrics' rows, after them (the engine's derived stage), not from a cohort alone",
            DerivedMetric::spec(self).id
        );
        ctxs.iter()
            .map(|_| Err(MetricError::Failed(why.clone())))
            .collect()
    }

    fn relations(&self) -> &[Relation] {
        DerivedMetric::relations(self)
    }

    fn derived(&self) -> Option<&dyn DerivedMetric> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Breakdown, MeasureId, Period, Unit};

    const PLACED: MeasureId = MeasureId::new("distance.placed");
    const FAR: SourceFigure = SourceFigure {
        numerator: &[
            Term::num(PLACED).only("where=inside far"),
            Term::num(PLACED).only("where=outside far"),
        ],
        denominator: Term::num(PLACED).only(""),
        how: "inside + outside, far",
    };

    fn row(breakdown: &str, n: u64) -> MetricRow {
        MetricRow::new(
            AreaCode::new("800"),
            2025,
            Period::Year,
            PLACED,
            Unit::Count,
        )
        .with_breakdown(Breakdown::parse(breakdown))
        .count(n)
    }

    #[test]
    fn parts_add_up_over_the_total_with_their_notes_once() {
        let rows = [
            row("", 40),
            row("where=inside far", 3).note("estimated"),
            row("where=outside far", 9).note("estimated"),
            row("where=inside near", 28),
        ];
        let read = FAR.read(&rows, Period::Year).unwrap();
        assert_eq!(read.measure, PLACED);
        assert_eq!((read.numerator, read.denominator), (Some(12), Some(40)));
        assert_eq!(read.note, "estimated");
        // Another period has none of these rows: the first term is named.
        assert_eq!(FAR.read(&rows, Period::Q1), Err(FAR.numerator[0]));
    }

    #[test]
    fn a_part_without_a_number_leaves_the_sum_without_one() {
        let mut rows = [
            row("", 40),
            row("where=inside far", 3),
            row("where=outside far", 9).not_computable("no postcodes"),
        ];
        rows[2].numerator = None;
        let read = FAR.read(&rows, Period::Year).unwrap();
        assert_eq!(read.numerator, None);
        assert_eq!(read.denominator, Some(40));
        assert_eq!(read.note, "not computable: no postcodes");
        // The total missing: the denominator's term is named.
        assert_eq!(FAR.read(&rows[1..], Period::Year), Err(FAR.denominator));
    }
}
