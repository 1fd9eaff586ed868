//! Small-number suppression, applied centrally to every row meant for sharing.
//!
//! * **Primary**: a count of children (or events) from 1 to the threshold is
//!   hidden. A small numerator hides the numerator and the value; a small count
//!   denominator (a percentage of a handful of children) hides the whole cell.
//!   Populations are never hidden.
//! * **Secondary**: wherever counts add up — the cells of an additive
//!   breakdown to their total, quarters to the year, two measures to a third
//!   (reviews on time + reviews late = reviews assessed), one figure shown
//!   twice — a relation left with exactly one hidden count would give it away
//!   by subtraction. So, relation by relation, until none has exactly one, the
//!   smallest other non-zero count of the relation is hidden too (the total
//!   only when no other part is left). Relations come from the metrics:
//!   [`MeasureSpec::additive_breakdowns`](iro_metric_api::MeasureSpec) and
//!   [`Metric::relations`](iro_metric_api::Metric::relations). A cell hidden
//!   this way says `secondary`, and its note names the relation. A numerator
//!   hidden only because its row's denominator is, and not small itself,
//!   needs no protection: where a relation gives it away it counts as shown.
//!   Relations hold between the rows of one authority, year and period
//!   whichever metric produced them: a measure counting part of another
//!   metric's population is declared as such by one of the two metrics.
//! * **Rounding** (optional): shown counts are rounded to the nearest 5; values
//!   stay computed from the unrounded counts.
//! * **Staff counts** (a measure whose [`Subject`] is `Staff`: IROs) are not
//!   information about a child: never hidden, rounded or used to protect
//!   another count.
//!
//! * **Computed from a hidden count** ([`withhold_computed`]): a figure a
//!   derived metric computes from another figure — a rank, a quartile, a
//!   z-score, a funnel position or limit, a trend's change or slope — is
//!   withheld whenever suppression (primary *or* secondary) hides any figure
//!   it is computed from, in any year it spans
//!   ([`DerivedMetric::computed_from`](iro_metric_api::DerivedMetric::computed_from)).
//!   With the other years' values a trend gives a hidden year's value back,
//!   and a z-score with the centre line and the denominator gives the
//!   numerator back. Its number and note (which could quote the figures)
//!   are cleared; it says `secondary`, and the note names the figure.
//!
//! Every relation holds within one authority and collection year, so each
//! (authority, year) is solved on its own, in parallel.

use std::collections::{BTreeMap, VecDeque};

use rustc_hash::{FxHashMap, FxHashSet};

use iro_metric_api::{
    AreaCode, Breakdown, CellStatus, Cells, ComputedFrom, Field, MeasureId, MetricRow, MetricSpec,
    Period, Relation, Rows, Subject, Suppression, Term, Unit,
};
use rayon::prelude::*;

use crate::config::{Rounding, SuppressionConfig};

pub use iro_metric_api::SECONDARY_NOTE;

fn small(n: Option<u64>, threshold: u64) -> bool {
    n.is_some_and(|n| n >= 1 && n <= threshold)
}

fn hide(row: &mut MetricRow, reason: Suppression, whole: bool) {
    row.numerator = None;
    row.value = None;
    if whole {
        row.denominator = None;
    }
    if !row.status.is_suppressed() {
        row.status = CellStatus::Suppressed(reason);
    }
}

/// Applies suppression in place. `specs` tell which breakdowns are additive;
/// `relations` are every relation the metrics declare.
pub fn suppress(
    rows: &mut [MetricRow],
    specs: &[&MetricSpec],
    relations: &[Relation],
    cfg: &SuppressionConfig,
) {
    let t = cfg.applied_threshold();
    let staff = staff_measures(specs);
    let is_staff = |r: &MetricRow| !staff.is_empty() && staff.contains(&r.metric);
    if t > 0 {
        let original: Vec<(Option<u64>, Option<u64>)> =
            rows.iter().map(|r| (r.numerator, r.denominator)).collect();
        for row in rows.iter_mut().filter(|r| !is_staff(r)) {
            let den_small = row.unit.denominator_is_count() && small(row.denominator, t);
            let num_small = row.unit.numerator_is_count() && small(row.numerator, t);
            if den_small {
                hide(row, Suppression::Primary, true);
            } else if num_small {
                hide(row, Suppression::Primary, false);
            }
        }
        if cfg.secondary {
            secondary(rows, &original, specs, relations, t, &staff);
        }
    }
    if cfg.rounding == Rounding::Nearest5 {
        for row in rows.iter_mut().filter(|r| !is_staff(r)) {
            if row.unit.numerator_is_count() {
                row.numerator = row.numerator.map(round5);
                if row.unit == Unit::Count {
                    row.value = row.numerator.map(|n| n as f64);
                }
            }
            if row.unit.denominator_is_count() {
                row.denominator = row.denominator.map(round5);
            }
        }
    }
}

/// The note of a figure withheld because one it is computed from is hidden
/// (followed by the figure).
pub const COMPUTED_FROM_NOTE: &str = "withheld: computed from a suppressed figure, ";

/// Withholds, after [`suppress`], every row computed from a row it hid:
/// `computed_from` says what a row is computed from (`None`: from nothing
/// that can be hidden). Rows are matched on authority, period, measure,
/// breakdown and year. Its value, counts and note are cleared (the note of
/// a trend quotes its first and last values); it is marked `secondary`. A
/// row with no figure already (a metric withheld it itself) is left as it
/// is.
pub fn withhold_computed(
    rows: &mut [MetricRow],
    computed_from: impl Fn(&MetricRow) -> Option<ComputedFrom> + Sync,
) {
    // The hidden rows, by what identifies them.
    let hidden: FxHashSet<(AreaCode, Period, MeasureId, Breakdown, i32)> = rows
        .iter()
        .filter(|r| r.status.is_suppressed())
        .map(|r| (r.la_code, r.period, r.metric, r.breakdown, r.year))
        .collect();
    if hidden.is_empty() {
        return;
    }
    let withheld: Vec<(usize, ComputedFrom)> = rows
        .par_iter()
        .enumerate()
        .filter_map(|(i, r)| {
            // A row with no figure has nothing to give away, and keeps its
            // own reason (a metric's `withheld: …`).
            if r.value.is_none() && r.numerator.is_none() && r.denominator.is_none() {
                return None;
            }
            let from = computed_from(r)?;
            from.years
                .clone()
                .any(|y| hidden.contains(&(r.la_code, r.period, from.metric, from.breakdown, y)))
                .then_some((i, from))
        })
        .collect();
    for (i, from) in withheld {
        let row = &mut rows[i];
        let figure = if from.breakdown.is_empty() {
            from.metric.to_string()
        } else {
            format!("{} [{}]", from.metric, from.breakdown)
        };
        let note = format!("{COMPUTED_FROM_NOTE}{figure}");
        row.numerator = None;
        row.denominator = None;
        row.value = None;
        row.status = CellStatus::Suppressed(Suppression::Secondary {
            relation: iro_metric_api::symbol::intern(&format!("computed from {figure}")),
        });
        row.set_note(&note);
    }
}

/// The measures (`crate.measure`) whose counts are of staff, not children.
fn staff_measures(specs: &[&MetricSpec]) -> FxHashSet<MeasureId> {
    specs
        .iter()
        .flat_map(|spec| {
            spec.measures
                .iter()
                .filter(|m| m.subject == Subject::Staff)
                .map(|m| m.id)
        })
        .collect()
}

fn round5(n: u64) -> u64 {
    (n + 2) / 5 * 5
}

/// Every relation over the cells of one (authority, year), in one arena:
/// relation `k` has cells `cells[start[k]..start[k + 1]]`, which add up to
/// the cell at position `total[k]` among them, or, with no total shown, to a
/// number shown elsewhere (a denominator).
#[derive(Default)]
struct Instances {
    cells: Vec<Cell>,
    start: Vec<usize>,
    total: Vec<Option<usize>>,
    /// Index into the labels, for the note.
    label: Vec<usize>,
}

impl Instances {
    /// Adds the relation whose cells were pushed onto `cells` since `from`.
    fn close(&mut self, from: usize, total: Option<usize>, label: usize) {
        self.start.push(from);
        self.total.push(total);
        self.label.push(label);
    }

    fn len(&self) -> usize {
        self.start.len()
    }

    fn cells(&self, k: usize) -> &[Cell] {
        let end = self.start.get(k + 1).copied().unwrap_or(self.cells.len());
        &self.cells[self.start[k]..end]
    }
}

/// A number of a row of the group: (row position in the group, field).
type Cell = (usize, Field);

/// A cell secondary suppression hides: (row index in `rows`, field, label).
type Hide = (usize, Field, usize);

/// The relations a set of rows is subject to, as labels and the
/// declarations to instantiate.
struct Declared<'a> {
    relations: &'a [Relation],
    /// For `Rows::Only` breakdowns, read once.
    parsed: FxHashMap<&'static str, Breakdown>,
    labels: Vec<String>,
    /// Label of each relation, same order as `relations`.
    relation_label: Vec<usize>,
    /// Additive breakdowns: measure → (breakdown keys, label).
    additive: FxHashMap<MeasureId, Vec<(&'static str, usize)>>,
    /// Measures some relation or additive breakdown names: only their rows
    /// need looking at.
    named: FxHashSet<MeasureId>,
}

impl<'a> Declared<'a> {
    fn new(specs: &[&MetricSpec], relations: &'a [Relation]) -> Self {
        let mut parsed = FxHashMap::default();
        let mut labels = Vec::new();
        let mut relation_label = Vec::new();
        let mut named = FxHashSet::default();
        for r in relations {
            named.extend(r.metrics());
            for t in r.terms() {
                if let Rows::Only(b) = t.rows {
                    parsed.entry(b).or_insert_with(|| Breakdown::parse(b));
                }
            }
            relation_label.push(labels.len());
            labels.push(r.to_string());
        }
        let mut additive: FxHashMap<MeasureId, Vec<(&'static str, usize)>> = FxHashMap::default();
        for spec in specs {
            for m in spec.measures {
                for &key in m.additive_breakdowns {
                    let metric = m.id;
                    labels.push(format!("{metric} by {key} sums to its total"));
                    named.insert(metric);
                    additive
                        .entry(metric)
                        .or_default()
                        .push((key, labels.len() - 1));
                }
            }
        }
        Declared {
            relations,
            parsed,
            labels,
            relation_label,
            additive,
            named,
        }
    }
}

/// Whether a breakdown's keys, joined by `;`, are `keys`.
fn keys_are(b: &Breakdown, keys: &str) -> bool {
    let mut want = keys.split(';');
    b.iter().all(|(k, _)| want.next() == Some(k)) && want.next().is_none()
}

/// The value of `cells.by` in a breakdown with `cells`'s keys.
fn value_by(b: &Breakdown, cells: &Cells) -> Option<&'static str> {
    if !keys_are(b, cells.keys) {
        return None;
    }
    b.get(cells.by)
}

/// The values of every key but the last: which row of a cross-tab a cell is in.
fn prefix(b: &Breakdown) -> Vec<&'static str> {
    let pairs = b.pairs();
    pairs[..pairs.len().saturating_sub(1)]
        .iter()
        .map(|&(_, v)| v)
        .collect()
}

fn secondary(
    rows: &mut [MetricRow],
    original: &[(Option<u64>, Option<u64>)],
    specs: &[&MetricSpec],
    relations: &[Relation],
    threshold: u64,
    staff: &FxHashSet<MeasureId>,
) {
    let declared = Declared::new(specs, relations);
    // Rows of one authority and year that some relation names, in row order
    // (staff counts apart: nothing is hidden to protect them, and they are
    // never hidden).
    let mut groups: BTreeMap<(&str, i32), Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        if declared.named.contains(&r.metric) && !staff.contains(&r.metric) {
            groups
                .entry((r.la_code.as_str(), r.year))
                .or_default()
                .push(i);
        }
    }
    let rows_ro: &[MetricRow] = rows;
    let hides: Vec<Vec<Hide>> = groups
        .values()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|idx| solve_group(rows_ro, original, idx, &declared, threshold))
        .collect();
    for (i, field, label) in hides.into_iter().flatten() {
        let row = &mut rows[i];
        let relation = declared.labels[label].as_str();
        hide(
            row,
            Suppression::Secondary {
                relation: iro_metric_api::symbol::intern(relation),
            },
            field == Field::Denominator,
        );
        let note = format!("{SECONDARY_NOTE}{relation}");
        if !row.note.contains(&note) {
            row.add_note(&note);
        }
    }
}

/// The state of one cell: its count before suppression (`None`: no count,
/// which a reader cannot use either), whether it is hidden, and whether it is
/// hidden only because its row's denominator is (`collateral`: a numerator
/// that is not itself a small count, such as this year's 40 children in a
/// change on last year's 5).
#[derive(Debug, Clone, Copy)]
struct State {
    value: Option<u64>,
    hidden: bool,
    collateral: bool,
}

/// Finds the cells secondary suppression must hide in one (authority, year).
fn solve_group(
    rows: &[MetricRow],
    original: &[(Option<u64>, Option<u64>)],
    idx: &[usize],
    declared: &Declared<'_>,
    threshold: u64,
) -> Vec<Hide> {
    // A numerator hidden with its row that needs no protection of its own.
    let collateral =
        |unit: Unit, num: Option<u64>| !(unit.numerator_is_count() && small(num, threshold));
    // Lookups: (metric, period, breakdown) → position; metric → positions.
    let mut at: FxHashMap<(MeasureId, Period, &Breakdown), usize> = FxHashMap::default();
    at.reserve(idx.len());
    let mut by_metric: FxHashMap<MeasureId, Vec<usize>> = FxHashMap::default();
    for (p, &i) in idx.iter().enumerate() {
        let r = &rows[i];
        at.insert((r.metric, r.period, &r.breakdown), p);
        by_metric.entry(r.metric).or_default().push(p);
    }
    let state = |p: usize, f: Field| -> State {
        let i = idx[p];
        let r = &rows[i];
        let (num, den) = original[i];
        match f {
            Field::Numerator => {
                let hidden = r.status.is_suppressed() && num.is_some();
                let whole = den.is_some() && r.denominator.is_none();
                State {
                    value: num,
                    hidden,
                    collateral: hidden
                        && whole
                        && r.status.suppression() == Some(Suppression::Primary)
                        && collateral(r.unit, num),
                }
            }
            Field::Denominator => State {
                value: den,
                hidden: r.status.is_suppressed() && den.is_some() && r.denominator.is_none(),
                collateral: false,
            },
        }
    };

    let mut inst = Instances::default();
    let empty = Breakdown::default();

    // Cells of a breakdown by `key` of `metric_rows`, in `field`: the whole
    // breakdown sums to the total row; each row of a cross-tab to its own
    // subtotal. Subtotals first: settling the rows of a cross-tab usually
    // leaves its whole with two hidden cells already, so fewer are hidden.
    let breakdown_sums = |inst: &mut Instances,
                          metric: MeasureId,
                          metric_rows: &[usize],
                          key: &str,
                          field: Field,
                          label: usize| {
        let mut sets: BTreeMap<(Period, Vec<&str>), Vec<Cell>> = BTreeMap::new();
        for &p in metric_rows {
            let r = &rows[idx[p]];
            if r.breakdown.is_empty() || !keys_are(&r.breakdown, key) {
                continue;
            }
            sets.entry((r.period, vec![])).or_default().push((p, field));
            if r.breakdown.len() > 1 {
                sets.entry((r.period, prefix(&r.breakdown)))
                    .or_default()
                    .push((p, field));
            }
        }
        let (subtotals, wholes): (Vec<_>, Vec<_>) = sets
            .into_iter()
            .partition(|((_, prefix), _)| !prefix.is_empty());
        for ((period, prefix), cells) in subtotals.into_iter().chain(wholes) {
            let from = inst.cells.len();
            inst.cells.extend(cells);
            let total = if prefix.is_empty() {
                at.get(&(metric, period, &empty)).map(|&t| {
                    inst.cells.push((t, field));
                    inst.cells.len() - 1 - from
                })
            } else {
                None
            };
            inst.close(from, total, label);
        }
    };

    // Additive breakdowns (numerators), metric by metric in row order.
    let mut metrics: Vec<MeasureId> = by_metric.keys().copied().collect();
    metrics.sort_unstable();
    for &metric in &metrics {
        if let Some(keys) = declared.additive.get(&metric) {
            for &(key, label) in keys {
                breakdown_sums(
                    &mut inst,
                    metric,
                    &by_metric[&metric],
                    key,
                    Field::Numerator,
                    label,
                );
            }
        }
    }

    // Rows of `parts` whose value of `parts.by` is `v` (or, with `groups`,
    // maps to `v`) sum to each row of `total` whose `total.by` is `v`.
    let sums_by_value = |inst: &mut Instances,
                         parts: Cells,
                         total: Cells,
                         groups: Option<&[(&str, &'static str)]>,
                         label: usize| {
        let (Some(part_rows), Some(total_rows)) =
            (by_metric.get(&parts.metric), by_metric.get(&total.metric))
        else {
            return;
        };
        let mut sums: FxHashMap<(Period, &str), Vec<usize>> = FxHashMap::default();
        for &p in part_rows {
            let r = &rows[idx[p]];
            let value = value_by(&r.breakdown, &parts).and_then(|v| match groups {
                None => Some(v),
                Some(g) => g.iter().find(|(part, _)| *part == v).map(|&(_, t)| t),
            });
            if let Some(v) = value {
                sums.entry((r.period, v)).or_default().push(p);
            }
        }
        for &t in total_rows {
            let r = &rows[idx[t]];
            let Some(ps) = value_by(&r.breakdown, &total).and_then(|v| sums.get(&(r.period, v)))
            else {
                continue;
            };
            let from = inst.cells.len();
            inst.cells.extend(ps.iter().map(|&p| (p, parts.field)));
            inst.cells.push((t, total.field));
            inst.close(from, Some(ps.len()), label);
        }
    };

    // Declared relations.
    let find = |t: &Term, period: Period, each: &Breakdown| -> Option<usize> {
        let b = match t.rows {
            Rows::Each => each,
            Rows::Only(s) => declared.parsed.get(s)?,
        };
        at.get(&(t.metric, period, b)).copied()
    };
    for (ri, rel) in declared.relations.iter().enumerate() {
        let label = declared.relation_label[ri];
        match *rel {
            Relation::Sum { total, parts } => {
                // Where to instantiate: every row of the first term that goes
                // row by row, or every period of the total's one row.
                let terms: Vec<Term> = std::iter::once(total)
                    .chain(parts.iter().copied())
                    .collect();
                let anchor = terms
                    .iter()
                    .find(|t| t.rows == Rows::Each)
                    .unwrap_or(&total);
                let Some(anchor_rows) = by_metric.get(&anchor.metric) else {
                    continue;
                };
                for &a in anchor_rows {
                    let ar = &rows[idx[a]];
                    if let Rows::Only(s) = anchor.rows
                        && declared.parsed.get(s) != Some(&ar.breakdown)
                    {
                        continue;
                    }
                    let from = inst.cells.len();
                    let mut complete = true;
                    for t in &terms {
                        match find(t, ar.period, &ar.breakdown) {
                            Some(p) => inst.cells.push((p, t.field)),
                            None => {
                                complete = false;
                                break;
                            }
                        }
                    }
                    if complete {
                        inst.close(from, Some(0), label);
                    } else {
                        inst.cells.truncate(from);
                    }
                }
            }
            Relation::QuartersSumToYear(t) => {
                let Some(metric_rows) = by_metric.get(&t.metric) else {
                    continue;
                };
                for &y in metric_rows {
                    let yr = &rows[idx[y]];
                    if yr.period != Period::Year {
                        continue;
                    }
                    if let Rows::Only(s) = t.rows
                        && declared.parsed.get(s) != Some(&yr.breakdown)
                    {
                        continue;
                    }
                    let q = |q: Period| at.get(&(t.metric, q, &yr.breakdown)).copied();
                    if let (Some(q1), Some(q2), Some(q3), Some(q4)) =
                        (q(Period::Q1), q(Period::Q2), q(Period::Q3), q(Period::Q4))
                    {
                        let from = inst.cells.len();
                        inst.cells.extend([q1, q2, q3, q4, y].map(|p| (p, t.field)));
                        inst.close(from, Some(4), label);
                    }
                }
            }
            Relation::BreakdownSumsToTotal { metric, key, field } => {
                if let Some(metric_rows) = by_metric.get(&metric) {
                    breakdown_sums(&mut inst, metric, metric_rows, key, field, label);
                }
            }
            Relation::SumByValue { parts, total } => {
                sums_by_value(&mut inst, parts, total, None, label);
            }
            Relation::Regroup {
                parts,
                total,
                groups,
            } => {
                sums_by_value(&mut inst, parts, total, Some(groups), label);
            }
        }
    }

    // Each relation must end with no hidden cell or at least two.
    let n = idx.len();
    let slot = |(p, f): Cell| p * 2 + usize::from(f == Field::Denominator);
    let mut states: Vec<State> = (0..n)
        .flat_map(|p| [state(p, Field::Numerator), state(p, Field::Denominator)])
        .collect();
    // The relations each cell is in, as offsets into one list.
    let mut member_start = vec![0usize; n * 2 + 1];
    for &c in &inst.cells {
        member_start[slot(c) + 1] += 1;
    }
    for i in 1..member_start.len() {
        member_start[i] += member_start[i - 1];
    }
    let mut members = vec![0usize; inst.cells.len()];
    let mut fill = member_start.clone();
    for k in 0..inst.len() {
        for &c in inst.cells(k) {
            members[fill[slot(c)]] = k;
            fill[slot(c)] += 1;
        }
    }
    let mut queue: VecDeque<usize> = (0..inst.len()).collect();
    let mut queued = vec![true; inst.len()];
    // A cell changed: every relation it is in is looked at again.
    let requeue = |c: usize, queue: &mut VecDeque<usize>, queued: &mut [bool]| {
        for &m in &members[member_start[c]..member_start[c + 1]] {
            if !queued[m] {
                queued[m] = true;
                queue.push_back(m);
            }
        }
    };
    let mut hides = Vec::new();
    while let Some(k) = queue.pop_front() {
        queued[k] = false;
        let cells = inst.cells(k);
        let total = inst.total[k];
        // A count the reader does not have makes the relation useless to
        // them: nothing to protect.
        if cells.iter().any(|&c| states[slot(c)].value.is_none()) {
            continue;
        }
        let mut hidden = cells.iter().filter(|&&c| states[slot(c)].hidden);
        let (Some(&only), None) = (hidden.next(), hidden.next()) else {
            continue;
        };
        if states[slot(only)].collateral {
            // The reader can work it out, and may: it is not a small count
            // and gives nothing of its row's hidden denominator away. From
            // here on it counts as shown, in every relation it is in.
            let s = &mut states[slot(only)];
            s.hidden = false;
            s.collateral = false;
            requeue(slot(only), &mut queue, &mut queued);
            continue;
        }
        let shown_nonzero = |j: usize| {
            let s = states[slot(cells[j])];
            !s.hidden && s.value.is_some_and(|v| v > 0)
        };
        let part = (0..cells.len())
            .filter(|&j| Some(j) != total && shown_nonzero(j))
            .min_by_key(|&j| (states[slot(cells[j])].value, cells[j]));
        let Some(j) = part.or(total.filter(|&t| shown_nonzero(t))) else {
            // Every other count is zero and the total is hidden or zero:
            // with counts that add up, the hidden cell is then zero, which
            // is never hidden; nothing to do.
            continue;
        };
        let (p, field) = cells[j];
        hides.push((idx[p], field, inst.label[k]));
        let mut newly = vec![(p, field, false)];
        if field == Field::Denominator {
            // A hidden denominator hides the whole row; its numerator needs
            // protecting only if it is small itself.
            let r = &rows[idx[p]];
            newly.push((p, Field::Numerator, collateral(r.unit, original[idx[p]].0)));
        }
        for (p, f, coll) in newly {
            let c = (p, f);
            let s = &mut states[slot(c)];
            if s.hidden || s.value.is_none() {
                continue;
            }
            s.hidden = true;
            s.collateral = coll;
            requeue(slot(c), &mut queue, &mut queued);
        }
    }
    hides
}

#[cfg(test)]
mod tests;
