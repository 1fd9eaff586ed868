//! A run-time plugin's relations (ABI 1.2) are protected exactly as a
//! built-in metric's: no count `iro` hides can be worked out from
//! `metrics.csv` by subtraction, or read again where it is shown twice.
//!
//! The reader here knows which figures truly add up from how they were made
//! (the plugin's definitions, the generator's), not from what the plugin
//! declared: it solves, over and over, every equation left with one unknown,
//! and reports the counts from 1 to the threshold it learns.

mod common;

use std::collections::{BTreeMap, HashSet};

use common::*;
use iro_engine::Config;
use iro_engine::config::SuppressionConfig;
use iro_metric_api::{Field, MetricRow, Period, Suppression};
use iro_plugin_host::{Host, Isolation};
use iro_plugin_sdk::{Cells, MetricInfo, OutputBuilder, Relation, Term, Unit};
use proptest::prelude::*;

/// A number of a row: (row index, field).
type Cell = (usize, Field);

/// `parts` add up to `total`; with one part, the two are the same count.
#[derive(Debug, Clone)]
struct Equation {
    total: Cell,
    parts: Vec<Cell>,
}

fn count(r: &MetricRow, f: Field) -> Option<u64> {
    match f {
        Field::Numerator => r.numerator,
        Field::Denominator => r.denominator,
    }
}

/// The hidden counts a reader of `shown` works out, one equation with one
/// unknown after another, with what they were before suppression.
fn learnt(before: &[MetricRow], shown: &[MetricRow], eqs: &[Equation]) -> Vec<(Cell, u64)> {
    // An equation with a number that is not there at all is of no use.
    let usable: Vec<&Equation> = eqs
        .iter()
        .filter(|e| {
            std::iter::once(&e.total)
                .chain(&e.parts)
                .all(|&(i, f)| count(&before[i], f).is_some())
        })
        .collect();
    let mut known: HashSet<Cell> = usable
        .iter()
        .flat_map(|e| std::iter::once(e.total).chain(e.parts.iter().copied()))
        .filter(|&(i, f)| count(&shown[i], f).is_some())
        .collect();
    let mut out = Vec::new();
    loop {
        let mut more = false;
        for e in &usable {
            let mut unknown = std::iter::once(e.total)
                .chain(e.parts.iter().copied())
                .filter(|c| !known.contains(c));
            if let (Some(c), None) = (unknown.next(), unknown.next()) {
                known.insert(c);
                out.push((c, count(&before[c.0], c.1).unwrap_or_default()));
                more = true;
            }
        }
        if !more {
            return out;
        }
    }
}

/// The equations that hold among `uasc-plugin`'s rows of one metric, by its
/// definition: the bands add up to the total count, each band's share is
/// its count (numerator) of the total count (denominator), the rate's
/// numerator is the total, and the total is the built-in
/// `cohort-summary.profile[uasc=UASC]` (the same children).
fn uasc_equations(rows: &[MetricRow], metric: &str) -> Vec<Equation> {
    let mut groups: BTreeMap<(String, i32), Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.metric.metric() == metric
            || r.metric == "cohort-summary.profile" && r.breakdown.to_string() == "uasc=UASC"
        {
            groups
                .entry((r.la_code.to_string(), r.year))
                .or_default()
                .push(i);
        }
    }
    let mut eqs = Vec::new();
    for idx in groups.values() {
        let find = |measure: &str, b: &str| {
            idx.iter().copied().find(|&i| {
                rows[i].metric.measure() == measure && rows[i].breakdown.to_string() == b
            })
        };
        let Some(total) = find("uasc", "") else {
            continue;
        };
        let bands: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| rows[i].metric.measure() == "uasc" && !rows[i].breakdown.is_empty())
            .collect();
        // The rate per 10,000 counts the same children as the total.
        if let Some(rate) = find("uasc-rate", "") {
            eqs.push(Equation {
                total: (rate, Field::Numerator),
                parts: vec![(total, Field::Numerator)],
            });
        }
        if let Some(profile) = find("profile", "uasc=UASC") {
            eqs.push(Equation {
                total: (total, Field::Numerator),
                parts: vec![(profile, Field::Numerator)],
            });
        }
        eqs.push(Equation {
            total: (total, Field::Numerator),
            parts: bands.iter().map(|&b| (b, Field::Numerator)).collect(),
        });
        for &b in &bands {
            let share = find("uasc-share", &rows[b].breakdown.to_string()).expect("a share");
            eqs.push(Equation {
                total: (share, Field::Numerator),
                parts: vec![(b, Field::Numerator)],
            });
            eqs.push(Equation {
                total: (share, Field::Denominator),
                parts: vec![(total, Field::Numerator)],
            });
        }
    }
    eqs
}

/// The primary-suppressed counts (from 1 to `t`) of `metric` a reader of
/// the suppressed rows recovers, and how many there are.
fn recovered_primary(
    before: &[MetricRow],
    after: &[MetricRow],
    metric: &str,
    t: u64,
) -> (Vec<String>, usize) {
    let eqs = uasc_equations(before, metric);
    let small = |(i, f): Cell| count(&before[i], f).is_some_and(|n| n >= 1 && n <= t);
    let primary =
        |(i, f): Cell| after[i].status.suppression() == Some(Suppression::Primary) && small((i, f));
    let cells: HashSet<Cell> = eqs
        .iter()
        .flat_map(|e| std::iter::once(e.total).chain(e.parts.iter().copied()))
        .filter(|&c| primary(c))
        .collect();
    let found = learnt(before, after, &eqs)
        .into_iter()
        .filter(|&(c, _)| cells.contains(&c))
        .map(|((i, f), n)| {
            let r = &after[i];
            format!(
                "{} {} {} [{}] {f:?} = {n}",
                r.la_code, r.year, r.metric, r.breakdown
            )
        })
        .collect();
    (found, cells.len())
}

/// Issue 20's leak: UASC by age band, counts and shares of all the UASC.
/// Declared only as an additive breakdown (`uasc-age-undeclared`, or any
/// plugin before ABI 1.2), a band count hidden to protect a small one is
/// shown again as its share's numerator, and the small one is the total
/// less the others; declared (`uasc-age`), nothing is recoverable.
#[test]
fn a_share_repeating_a_hidden_count_is_hidden_too() {
    let lib = cdylib("uasc-plugin");
    for isolation in [Isolation::InProcess, Isolation::Process] {
        let host = Host::new(vec![entry(&lib, isolation)], options());
        let mut metrics = iro_engine::builtin_metrics();
        metrics.extend(host.metrics().unwrap());
        let _scope = host.cache_scope();
        let run = |threshold: u64| {
            let mut config = Config::default();
            config.suppression.threshold = threshold;
            let c = iro_engine::compute(&config, sample(), reference(), &metrics, &|_| {})
                .expect("runs");
            assert!(
                !c.statuses
                    .iter()
                    .any(|s| matches!(s.outcome, iro_engine::Outcome::Failed(_))),
                "{:?}",
                c.statuses
            );
            c.rows
        };
        let before = run(0);
        // The plugin's definitions hold, the built-in profile's UASC too.
        for e in uasc_equations(&before, "uasc-age") {
            let sum: Option<u64> = e.parts.iter().map(|&(i, f)| count(&before[i], f)).sum();
            assert_eq!(count(&before[e.total.0], e.total.1), sum, "{e:?}");
        }
        for t in [7, 10] {
            let after = run(t);
            assert_eq!(before.len(), after.len());
            let (leaks, hidden) = recovered_primary(&before, &after, "uasc-age-undeclared", t);
            eprintln!(
                "{isolation:?}, threshold {t}: undeclared, {} of {hidden} primary-suppressed cells recoverable",
                leaks.len()
            );
            assert!(hidden > 0, "the sample has small counts of UASC by age");
            assert!(
                !leaks.is_empty(),
                "the undeclared shape should leak at threshold {t}"
            );
            let (leaks, hidden) = recovered_primary(&before, &after, "uasc-age", t);
            eprintln!(
                "{isolation:?}, threshold {t}: declared, {} of {hidden} primary-suppressed cells recoverable",
                leaks.len()
            );
            assert!(hidden > 0);
            assert!(leaks.is_empty(), "{}", leaks.join("\n"));
            // The two metrics are the same figures, hidden differently.
            let shown = |m: &str| {
                after
                    .iter()
                    .filter(|r| r.metric.metric() == m && r.status.is_suppressed())
                    .count()
            };
            assert!(shown("uasc-age") > shown("uasc-age-undeclared"));
        }
    }
}

/// One authority-year of a random plugin metric, every relation between its
/// figures known by construction.
#[derive(Debug, Clone)]
struct Case {
    /// Children per band.
    bands: Vec<u64>,
    /// Of each band's children, how many are girls.
    girls: Vec<u64>,
    /// Of each band's children, how many have a plan.
    plans: Vec<u64>,
    /// Starts by quarter.
    quarters: [u64; 4],
    /// Episodes per band (a mean's total: not a count).
    episodes: Vec<u64>,
    threshold: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=5, 1u64..=10)
        .prop_flat_map(|(k, threshold)| {
            let small = prop_oneof![3 => 0u64..=12, 1 => 0u64..=60];
            (
                proptest::collection::vec(small, k),
                proptest::collection::vec(0.0f64..=1.0, k),
                proptest::collection::vec(0.0f64..=1.0, k),
                [0u64..=15, 0u64..=15, 0u64..=15, 0u64..=15],
                proptest::collection::vec(0u64..=5, k),
                Just(threshold),
            )
        })
        .prop_map(|(bands, g, p, quarters, per, threshold)| {
            let part = |n: u64, f: f64| (n as f64 * f).round() as u64;
            Case {
                girls: bands.iter().zip(&g).map(|(&n, &f)| part(n, f)).collect(),
                plans: bands.iter().zip(&p).map(|(&n, &f)| part(n, f)).collect(),
                episodes: bands.iter().zip(&per).map(|(&n, &e)| n * e).collect(),
                bands,
                quarters,
                threshold,
            }
        })
}

/// The metric: every form of relation a plugin can declare, over one set of
/// children (`children` by `band`), each declared.
fn metric() -> MetricInfo {
    MetricInfo::new("p", "A random plugin metric", "1")
        .measure("children", "Children, by band", Unit::Count, &["band"])
        .measure(
            "share",
            "Each band's share of the children",
            Unit::Percent,
            &[],
        )
        .measure(
            "again",
            "The same children, counted again",
            Unit::Count,
            &[],
        )
        .measure("by-sex", "The children by sex", Unit::Count, &[])
        .measure("cross", "The children by band and sex", Unit::Count, &[])
        .measure(
            "with-plan",
            "Children with a plan, %",
            Unit::Percent,
            &["band"],
        )
        .measure("episodes-per-child", "Episodes per child", Unit::Mean, &[])
        .measure("starts", "Starts, by quarter", Unit::Count, &[])
        // The same count shown twice, row by row and of one row.
        .relation(Relation::same(Term::num("share"), Term::num("children")))
        .relation(Relation::same(
            Term::den("share"),
            Term::num("children").total(),
        ))
        .relation(Relation::same(Term::num("again"), Term::num("children")))
        .relation(Relation::same(
            Term::den("episodes-per-child"),
            Term::num("children"),
        ))
        .relation(Relation::same(
            Term::den("with-plan"),
            Term::num("children"),
        ))
        // A sum across measures.
        .relation(Relation::sum(
            Term::num("children").total(),
            [
                Term::num("by-sex").only("sex=F"),
                Term::num("by-sex").only("sex=M"),
            ],
        ))
        // A cross-tab's margins: by band (another measure), by sex.
        .relation(Relation::sum_by_value(
            Cells::num("cross", "band;sex", "band"),
            Cells::num("children", "band", "band"),
        ))
        .relation(Relation::sum_by_value(
            Cells::num("cross", "band;sex", "sex"),
            Cells::num("by-sex", "sex", "sex"),
        ))
        // Denominators that add up over a breakdown; quarters to the year.
        .relation(Relation::breakdown_sums_to_total(
            "with-plan",
            "band",
            iro_plugin_sdk::Field::Denominator,
        ))
        .relation(Relation::quarters_sum_to_year(Term::num("starts").total()))
}

/// The rows of a case, built with the SDK's builder, and every equation
/// that holds among them (by row position).
fn rows_of(c: &Case, info: &MetricInfo) -> (Vec<MetricRow>, Vec<Equation>) {
    use iro_plugin_sdk::Period as P;
    let band = |b: usize| format!("b{b}");
    let mut out = OutputBuilder::new("800", 2025, info);
    let total: u64 = c.bands.iter().sum();
    let girls: u64 = c.girls.iter().sum();
    let plans: u64 = c.plans.iter().sum();
    out.count("children", P::Snapshot, total);
    out.count("by-sex", P::Snapshot, girls)
        .breakdown("sex", "F");
    out.count("by-sex", P::Snapshot, total - girls)
        .breakdown("sex", "M");
    out.percent("with-plan", P::Snapshot, plans, total);
    for (b, &n) in c.bands.iter().enumerate() {
        out.count("children", P::Snapshot, n)
            .breakdown("band", band(b));
        out.percent("share", P::Snapshot, n, total)
            .breakdown("band", band(b));
        out.count("again", P::Snapshot, n)
            .breakdown("band", band(b));
        for (sex, k) in [("F", c.girls[b]), ("M", n - c.girls[b])] {
            out.count("cross", P::Snapshot, k)
                .breakdown("band", band(b))
                .breakdown("sex", sex);
        }
        out.percent("with-plan", P::Snapshot, c.plans[b], n)
            .breakdown("band", band(b));
        out.mean("episodes-per-child", P::Snapshot, c.episodes[b], n)
            .breakdown("band", band(b));
    }
    for (q, period) in [P::Q1, P::Q2, P::Q3, P::Q4].into_iter().enumerate() {
        out.count("starts", period, c.quarters[q]);
    }
    out.count("starts", P::Year, c.quarters.iter().sum());
    let batch = out.finish().expect("valid output").into_batch();
    let rows = iro_plugin_host::validate::to_metric_rows(&batch, info, "800", 2025)
        .expect("the host accepts it");

    // The equations, from how the rows were made.
    let at = |m: &str, b: &str, p: Period| {
        rows.iter()
            .position(|r| r.metric.measure() == m && r.breakdown.to_string() == b && r.period == p)
            .unwrap_or_else(|| panic!("no row {m} [{b}] {p:?}"))
    };
    let s = Period::Snapshot;
    let (num, den) = (Field::Numerator, Field::Denominator);
    let children = at("children", "", s);
    let mut eqs = vec![
        Equation {
            total: (children, num),
            parts: (0..c.bands.len())
                .map(|b| (at("children", &format!("band={}", band(b)), s), num))
                .collect(),
        },
        Equation {
            total: (children, num),
            parts: vec![
                (at("by-sex", "sex=F", s), num),
                (at("by-sex", "sex=M", s), num),
            ],
        },
        Equation {
            total: (at("with-plan", "", s), den),
            parts: vec![(children, num)],
        },
        Equation {
            total: (at("with-plan", "", s), num),
            parts: (0..c.bands.len())
                .map(|b| (at("with-plan", &format!("band={}", band(b)), s), num))
                .collect(),
        },
        Equation {
            total: (at("with-plan", "", s), den),
            parts: (0..c.bands.len())
                .map(|b| (at("with-plan", &format!("band={}", band(b)), s), den))
                .collect(),
        },
        Equation {
            total: (at("starts", "", Period::Year), num),
            parts: [Period::Q1, Period::Q2, Period::Q3, Period::Q4]
                .into_iter()
                .map(|q| (at("starts", "", q), num))
                .collect(),
        },
    ];
    for sex in ["F", "M"] {
        eqs.push(Equation {
            total: (at("by-sex", &format!("sex={sex}"), s), num),
            parts: (0..c.bands.len())
                .map(|b| (at("cross", &format!("band={};sex={sex}", band(b)), s), num))
                .collect(),
        });
    }
    for b in 0..c.bands.len() {
        let bd = format!("band={}", band(b));
        let n = (at("children", &bd, s), num);
        for (m, f) in [
            ("share", num),
            ("again", num),
            ("episodes-per-child", den),
            ("with-plan", den),
        ] {
            eqs.push(Equation {
                total: (at(m, &bd, s), f),
                parts: vec![n],
            });
        }
        eqs.push(Equation {
            total: (at("share", &bd, s), den),
            parts: vec![(children, num)],
        });
        eqs.push(Equation {
            total: n,
            parts: ["F", "M"]
                .iter()
                .map(|sex| (at("cross", &format!("{bd};sex={sex}"), s), num))
                .collect(),
        });
    }
    (rows, eqs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
    ))]

    /// Random outputs of a plugin metric declaring every relation between
    /// its figures: after suppression, no count from 1 to the threshold is
    /// recoverable by one subtraction or repeat after another.
    #[test]
    fn no_hidden_count_of_a_plugin_is_recoverable(c in case()) {
        let info = metric();
        prop_assert_eq!(info.check(), Ok(()));
        let spec = iro_plugin_host::spec_of(&info).unwrap();
        let relations = iro_plugin_host::relations_of(&info).unwrap();
        let (before, eqs) = rows_of(&c, &info);
        // Every equation holds: the generator is right.
        for e in &eqs {
            let sum: u64 = e.parts.iter().map(|&(i, f)| count(&before[i], f).unwrap_or(0)).sum();
            prop_assert_eq!(count(&before[e.total.0], e.total.1).unwrap_or(0), sum, "{:?}", e);
        }
        let mut after = before.clone();
        let cfg = SuppressionConfig { threshold: c.threshold, ..SuppressionConfig::default() };
        iro_engine::suppress::suppress(&mut after, &[spec], relations, &cfg);
        let small: Vec<String> = learnt(&before, &after, &eqs)
            .into_iter()
            .filter(|&(_, n)| n >= 1 && n <= c.threshold)
            .map(|((i, f), n)| format!("{} [{}] {f:?} = {n}", after[i].metric, after[i].breakdown))
            .collect();
        prop_assert!(small.is_empty(), "threshold {}: {}", c.threshold, small.join("; "));
    }
}
