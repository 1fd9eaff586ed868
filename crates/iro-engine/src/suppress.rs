//! Small-number suppression, applied centrally to every row meant for sharing.
//!
//! * **Primary**: a count of children (or events) from 1 to the threshold is
//!   hidden. A small numerator hides the numerator and the value; a small count
//!   denominator (a percentage of a handful of children) hides the whole cell.
//!   Populations are never hidden.
//! * **Secondary**: where the cells of an additive breakdown sum to a total that
//!   is shown, one hidden cell could be recovered by subtraction, so the next
//!   smallest cell is hidden too.
//! * **Rounding** (optional): shown counts are rounded to the nearest 5; values
//!   stay computed from the unrounded counts.

use std::collections::BTreeMap;

use iro_metric_api::{MetricRow, MetricSpec, Unit};

use crate::config::{Rounding, SuppressionConfig};

/// Why a cell is hidden, as written in the `suppressed` column.
pub const PRIMARY: &str = "primary";
pub const SECONDARY: &str = "secondary";

fn small(n: Option<u64>, threshold: u64) -> bool {
    n.is_some_and(|n| n >= 1 && n <= threshold)
}

/// Whether the row's numerator counts children or events (and so may be small).
fn numerator_is_count(unit: Unit) -> bool {
    !matches!(unit, Unit::Days | Unit::Miles | Unit::Mean)
}

/// Whether the row's denominator counts children or events.
fn denominator_is_count(unit: Unit) -> bool {
    unit != Unit::Per10000
}

fn hide(row: &mut MetricRow, reason: &str, whole: bool) {
    row.numerator = None;
    row.value = None;
    if whole {
        row.denominator = None;
    }
    row.suppressed = Some(reason.to_string());
}

/// Applies suppression in place. `specs` tells which breakdowns are additive.
pub fn suppress(rows: &mut [MetricRow], specs: &[&MetricSpec], cfg: &SuppressionConfig) {
    let t = cfg.threshold;
    if t > 0 {
        for row in rows.iter_mut() {
            let den_small = denominator_is_count(row.unit) && small(row.denominator, t);
            let num_small = numerator_is_count(row.unit) && small(row.numerator, t);
            if den_small {
                hide(row, PRIMARY, true);
            } else if num_small {
                hide(row, PRIMARY, false);
            }
        }
        if cfg.secondary {
            secondary(rows, specs);
        }
    }
    if cfg.rounding == Rounding::Nearest5 {
        for row in rows.iter_mut() {
            if numerator_is_count(row.unit) {
                row.numerator = row.numerator.map(round5);
                if row.unit == Unit::Count {
                    row.value = row.numerator.map(|n| n as f64);
                }
            }
            if denominator_is_count(row.unit) {
                row.denominator = row.denominator.map(round5);
            }
        }
    }
}

fn round5(n: u64) -> u64 {
    (n + 2) / 5 * 5
}

fn is_additive(specs: &[&MetricSpec], metric: &str, keys: &str) -> bool {
    let Some((id, measure)) = metric.split_once('.') else {
        return false;
    };
    specs
        .iter()
        .filter(|s| s.id == id)
        .filter_map(|s| s.measure(measure))
        .any(|m| m.additive_breakdowns.contains(&keys))
}

/// Identifies one set of cells that sum to a shown total: authority, year,
/// period, metric, breakdown keys, and — for a cross-tabulation such as
/// `placement_group;distance` — the values of every key but the last (each
/// row of the cross-tab sums to its own subtotal).
type GroupKey = (String, i32, &'static str, String, String, Vec<String>);

fn secondary(rows: &mut [MetricRow], specs: &[&MetricSpec]) {
    let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.breakdown.is_empty() {
            continue;
        }
        let keys = r.breakdown.keys();
        if !is_additive(specs, &r.metric, &keys) {
            continue;
        }
        let base = (
            r.la_code.clone(),
            r.year,
            r.period.label(),
            r.metric.clone(),
            keys,
        );
        let pairs = &r.breakdown.0;
        // The whole breakdown sums to the measure's total...
        groups
            .entry((
                base.0.clone(),
                base.1,
                base.2,
                base.3.clone(),
                base.4.clone(),
                vec![],
            ))
            .or_default()
            .push(i);
        // ...and each row of a cross-tabulation to its subtotal.
        if pairs.len() > 1 {
            let prefix = pairs[..pairs.len() - 1]
                .iter()
                .map(|(_, v)| v.clone())
                .collect();
            groups
                .entry((base.0, base.1, base.2, base.3, base.4, prefix))
                .or_default()
                .push(i);
        }
    }
    // Hiding a cell in one group can leave another group with a single hidden
    // cell, so repeat until nothing changes.
    loop {
        let mut changed = false;
        for cells in groups.values() {
            while cells
                .iter()
                .filter(|&&i| rows[i].suppressed.is_some())
                .count()
                == 1
            {
                // Hide the smallest shown non-zero cell.
                let next = cells
                    .iter()
                    .copied()
                    .filter(|&i| {
                        rows[i].suppressed.is_none() && rows[i].numerator.is_some_and(|n| n > 0)
                    })
                    .min_by_key(|&i| (rows[i].numerator, i));
                match next {
                    Some(i) => {
                        hide(&mut rows[i], SECONDARY, false);
                        changed = true;
                    }
                    None => break,
                }
            }
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_metric_api::{Breakdown, MeasureSpec, Period};
    use proptest::prelude::*;

    static SPEC: MetricSpec = MetricSpec {
        id: "m",
        title: "",
        version: "0",
        requires: &[],
        measures: &[
            MeasureSpec {
                id: "count",
                title: "",
                unit: Unit::Count,
                additive_breakdowns: &[],
            },
            MeasureSpec {
                id: "profile",
                title: "",
                unit: Unit::Percent,
                additive_breakdowns: &["age_band"],
            },
        ],
        params: &[],
    };

    fn row(metric: &str, unit: Unit) -> MetricRow {
        MetricRow {
            la_code: "800".into(),
            year: 2025,
            period: Period::Snapshot,
            metric: metric.into(),
            breakdown: Breakdown::default(),
            numerator: None,
            denominator: None,
            value: None,
            unit,
            suppressed: None,
            note: String::new(),
        }
    }

    #[test]
    fn primary_hides_small_counts_not_zero_or_populations() {
        let mut rows = vec![
            row("m.count", Unit::Count).count(3),
            row("m.count", Unit::Count).count(0),
            row("m.count", Unit::Count).count(8),
            row("m.rate", Unit::Per10000).per_10000(7, 36_000),
            row("m.pct", Unit::Percent).percent(5, 6),
            row("m.pct", Unit::Percent).percent(2, 40),
        ];
        suppress(&mut rows, &[&SPEC], &SuppressionConfig::default());
        assert_eq!(rows[0].suppressed.as_deref(), Some(PRIMARY));
        assert_eq!((rows[0].numerator, rows[0].value), (None, None));
        assert_eq!(rows[1].value, Some(0.0));
        assert_eq!(rows[2].value, Some(8.0));
        assert_eq!(rows[3].suppressed.as_deref(), Some(PRIMARY));
        assert_eq!(rows[3].denominator, Some(36_000), "population stays");
        assert_eq!(
            rows[4].denominator, None,
            "a percentage of 6 children is hidden whole"
        );
        assert_eq!(rows[5].denominator, Some(40));
        assert_eq!(rows[5].numerator, None);
    }

    #[test]
    fn secondary_hides_the_next_smallest_cell() {
        let mut rows: Vec<MetricRow> = [
            ("Under 1", 3),
            ("1 to 4", 12),
            ("5 to 9", 9),
            ("10 to 15", 40),
        ]
        .into_iter()
        .map(|(band, n)| {
            row("m.profile", Unit::Percent)
                .with_breakdown(Breakdown::one("age_band", band))
                .percent(n, 64)
        })
        .collect();
        suppress(&mut rows, &[&SPEC], &SuppressionConfig::default());
        let reasons: Vec<_> = rows.iter().map(|r| r.suppressed.as_deref()).collect();
        assert_eq!(reasons, [Some(PRIMARY), None, Some(SECONDARY), None]);
    }

    #[test]
    fn cross_tabulations_are_protected_row_by_row() {
        static CROSS: MetricSpec = MetricSpec {
            id: "x",
            title: "",
            version: "0",
            requires: &[],
            measures: &[MeasureSpec {
                id: "d",
                title: "",
                unit: Unit::Count,
                additive_breakdowns: &["group;distance"],
            }],
            params: &[],
        };
        // Two groups; only the first has a small cell. Hiding the whole
        // cross-tab's next smallest cell (in the second group) would leave the
        // first group's subtotal revealing the hidden cell.
        let cells = [
            ("a", "near", 3),
            ("a", "far", 30),
            ("b", "near", 9),
            ("b", "far", 40),
        ];
        let mut rows: Vec<MetricRow> = cells
            .iter()
            .map(|&(g, d, n)| {
                row("x.d", Unit::Count)
                    .with_breakdown(Breakdown(vec![
                        ("group".into(), g.into()),
                        ("distance".into(), d.into()),
                    ]))
                    .count(n)
            })
            .collect();
        suppress(&mut rows, &[&CROSS], &SuppressionConfig::default());
        let reasons: Vec<_> = rows.iter().map(|r| r.suppressed.as_deref()).collect();
        assert_eq!(reasons[0], Some(PRIMARY));
        assert_eq!(reasons[1], Some(SECONDARY), "protects group a's subtotal");
        let hidden = reasons.iter().filter(|r| r.is_some()).count();
        assert!(hidden >= 2);
    }

    #[test]
    fn rounding_keeps_values_from_unrounded_counts() {
        let cfg = SuppressionConfig {
            rounding: Rounding::Nearest5,
            ..SuppressionConfig::default()
        };
        let mut rows = vec![
            row("m.count", Unit::Count).count(222),
            row("m.pct", Unit::Percent).percent(13, 27),
        ];
        suppress(&mut rows, &[&SPEC], &cfg);
        assert_eq!(rows[0].numerator, Some(220));
        assert_eq!(rows[0].value, Some(220.0));
        assert_eq!(
            (rows[1].numerator, rows[1].denominator),
            (Some(15), Some(25))
        );
        assert!((rows[1].value.unwrap() - 13.0 * 100.0 / 27.0).abs() < 1e-9);
    }

    proptest! {
        /// Invariant 4: every shown count is 0, above the threshold, or hidden;
        /// and no additive group has exactly one hidden cell unless every other
        /// cell is zero.
        #[test]
        fn no_small_count_survives(counts in proptest::collection::vec(0u64..30, 1..8), t in 0u64..10) {
            let total: u64 = counts.iter().sum();
            let mut rows: Vec<MetricRow> = counts.iter().enumerate().map(|(i, &n)| {
                row("m.profile", Unit::Percent)
                    .with_breakdown(Breakdown::one("age_band", i.to_string()))
                    .percent(n, total.max(1))
            }).collect();
            rows.push(row("m.count", Unit::Count).count(total));
            let cfg = SuppressionConfig { threshold: t, ..SuppressionConfig::default() };
            suppress(&mut rows, &[&SPEC], &cfg);
            for r in &rows {
                for n in [r.numerator, if r.unit == Unit::Per10000 { None } else { r.denominator }].into_iter().flatten() {
                    prop_assert!(n == 0 || n > t, "count {n} shown with threshold {t}");
                }
            }
            let cells = &rows[..counts.len()];
            let hidden = cells.iter().filter(|r| r.suppressed.is_some()).count();
            if hidden == 1 {
                let others_nonzero = cells.iter().filter(|r| r.suppressed.is_none()).any(|r| r.numerator.unwrap_or(0) > 0);
                prop_assert!(!others_nonzero || cells.iter().all(|r| r.denominator.is_none()));
            }
        }
    }
}
