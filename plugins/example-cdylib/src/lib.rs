//! # example-cdylib
//!
//! A run-time metric plugin for IRO Analytics, and the template for new ones
//! (see PLUGINS.md). It is built as a shared library (`cdylib`) that `iro`
//! loads from a path listed in `iro.toml`; it talks to `iro` only through the
//! C interface that `iro_plugin_sdk::export_plugin!` generates.
//!
//! ## The metric: `missing-from-care`
//!
//! No built-in metric reads the SSDA903 **Missing** table. This one reports,
//! for the collection year computed:
//!
//! * `children-looked-after` — children looked after at some point in the
//!   year (an episode overlapping 1 April–31 March whose legal status is not a
//!   short break, V3/V4): the denominator of the percentages below;
//! * `children-with-spell` — of those, the children with one or more spells
//!   starting in the year: any type, and by `type` (`M` missing from care,
//!   `A` away from placement without authorisation; a child may have both, so
//!   the breakdown is not additive);
//! * `spells` — spells starting in the year, of those children, by `type`
//!   (additive);
//! * `spells-per-child` — spells per child with one or more (a mean), by `type`;
//! * `children-repeat` — children with `repeat_threshold` (default 3) or more
//!   *missing* (M) spells in the year, % of children looked after.
//!
//! Spells of children not looked after during the year (which a valid return
//! does not hold) are left out. The host suppresses small numbers; the plugin
//! never does, but it declares which counts are shown twice (ABI 1.2: the
//! percentages' denominators are the children looked after; a mean's
//! numerator and denominator are the spells and the children with a spell),
//! so that a count hidden in one row is hidden in the other too.

use std::collections::{BTreeMap, BTreeSet};

use iro_plugin_sdk::prelude::*;
use iro_plugin_sdk::serde_json::json;

/// The metric.
#[derive(Debug, Default, Clone, Copy)]
pub struct MissingFromCare;

/// The `type` breakdown: the MISSING codes.
const TYPES: [&str; 2] = ["M", "A"];

impl Metric for MissingFromCare {
    fn info(&self) -> MetricInfo {
        MetricInfo::new(
            "missing-from-care",
            "Children missing from care or away without authorisation, and spells per child",
            env!("CARGO_PKG_VERSION"),
        )
        .requires(&["Episodes", "Missing"])
        .measure(
            "children-looked-after",
            "Children looked after at some point in the year (short breaks left out)",
            Unit::Count,
            &[],
        )
        .measure(
            "children-with-spell",
            "Children with one or more spells starting in the year, % of children looked after; by type (M missing, A away without authorisation)",
            Unit::Percent,
            &[],
        )
        .measure(
            "spells",
            "Spells starting in the year, of children looked after, by type",
            Unit::Count,
            &["type"],
        )
        .measure(
            "spells-per-child",
            "Spells per child with one or more, by type",
            Unit::Mean,
            &[],
        )
        .measure(
            "children-repeat",
            "Children with repeat_threshold or more missing (M) spells in the year, % of children looked after",
            Unit::Percent,
            &[],
        )
        .param(
            "repeat_threshold",
            json!(3),
            "Missing (M) spells in the year that make a child a repeat missing child",
        )
        // The same counts, shown twice: `iro` hides each where it hides the
        // other, so a count hidden in one row is not read in another.
        // Both percentages are of the children looked after.
        .relation(Relation::same(
            Term::den("children-with-spell"),
            Term::num("children-looked-after").total(),
        ))
        .relation(Relation::same(
            Term::den("children-repeat"),
            Term::num("children-looked-after").total(),
        ))
        // Spells per child, row by row (any type, M, A): the spells over the
        // children with a spell.
        .relation(Relation::same(
            Term::num("spells-per-child"),
            Term::num("spells"),
        ))
        .relation(Relation::same(
            Term::den("spells-per-child"),
            Term::num("children-with-spell"),
        ))
    }

    fn compute(&self, ctx: &Context<'_>) -> Result<Output, Error> {
        let Spells {
            threshold,
            n_looked_after,
            spells,
        } = Spells::of(ctx)?;

        let mut out = ctx.output();
        out.count("children-looked-after", Period::Year, n_looked_after);

        let with_any = spells.len() as u64;
        let total: u64 = spells.values().map(|c| c[0] + c[1]).sum();
        out.percent(
            "children-with-spell",
            Period::Year,
            with_any,
            n_looked_after,
        );
        out.count("spells", Period::Year, total);
        out.mean("spells-per-child", Period::Year, total, with_any);
        for (k, code) in TYPES.iter().enumerate() {
            let with = spells.values().filter(|c| c[k] > 0).count() as u64;
            let n: u64 = spells.values().map(|c| c[k]).sum();
            out.percent("children-with-spell", Period::Year, with, n_looked_after)
                .breakdown("type", *code);
            out.count("spells", Period::Year, n)
                .breakdown("type", *code);
            out.mean("spells-per-child", Period::Year, n, with)
                .breakdown("type", *code);
        }

        let repeat = spells.values().filter(|c| c[0] >= threshold).count() as u64;
        out.percent("children-repeat", Period::Year, repeat, n_looked_after)
            .note(format!("{threshold} or more missing (M) spells"));
        out.finish()
    }

    /// `repeat-missing`: the children counted in `children-repeat`, with
    /// their spells in the year (personal data, for checking the records).
    fn drilldown(&self, ctx: &Context<'_>) -> Result<Vec<Drilldown>, Error> {
        let Spells {
            threshold, spells, ..
        } = Spells::of(ctx)?;
        let children = ctx.cohort.children()?;
        let mut table = Drilldown::new(
            "repeat-missing",
            &format!("Children with {threshold} or more missing (M) spells in the year"),
            &["CHILD", "missing_spells", "away_spells"],
        );
        for (&idx, c) in spells.iter().filter(|(_, c)| c[0] >= threshold) {
            let child = children.get(idx as usize).child;
            table.row([child.to_string(), c[0].to_string(), c[1].to_string()]);
        }
        Ok(vec![table])
    }
}

/// What both the figures and the drill-down count.
struct Spells {
    threshold: u64,
    /// Children looked after at some point in the year.
    n_looked_after: u64,
    /// Spells starting in the year per child looked after, by type.
    spells: BTreeMap<u32, [u64; 2]>,
}

impl Spells {
    fn of(ctx: &Context<'_>) -> Result<Spells, Error> {
        let threshold = ctx.param_i64("repeat_threshold")?;
        let threshold = u64::try_from(threshold)
            .ok()
            .filter(|t| *t >= 1)
            .ok_or_else(|| Error::invalid_input("repeat_threshold must be 1 or more"))?;
        let cohort = ctx.cohort;
        // The built-in rule (`cohort-summary.during-year`), from the SDK.
        let looked_after: BTreeSet<u32> = cohort
            .looked_after_during(cohort.year_start(), cohort.year_end())?
            .iter()
            .map(|c| c.idx)
            .collect();
        let n_looked_after = looked_after.len() as u64;

        // Spells per child, by type (index into TYPES).
        let mut spells: BTreeMap<u32, [u64; 2]> = BTreeMap::new();
        for m in cohort.missing()?.iter() {
            let Some(k) = TYPES.iter().position(|t| *t == m.missing) else {
                continue;
            };
            if ctx.in_year(m.mis_start) && looked_after.contains(&m.child_idx) {
                spells.entry(m.child_idx).or_default()[k] += 1;
            }
        }
        Ok(Spells {
            threshold,
            n_looked_after,
            spells,
        })
    }
}

iro_plugin_sdk::export_plugin! {
    name: "example-cdylib",
    version: env!("CARGO_PKG_VERSION"),
    metrics: [MissingFromCare],
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_plugin_sdk::client::CallError;
    use iro_plugin_sdk::testing::{Fixture, drilldown, list, run};

    fn fixture() -> Fixture {
        let mut f = Fixture::new("800");
        for id in ["A", "B", "C", "D"] {
            f.child(id, &[("DOB", "2010-01-01")]);
        }
        // A, B, C looked after in 2024-25; D only on short breaks.
        f.add(
            "episodes",
            &[
                ("CHILD", "A"),
                ("DECOM", "2023-01-10"),
                ("RNE", "S"),
                ("LS", "C2"),
            ],
        );
        f.add(
            "episodes",
            &[
                ("CHILD", "B"),
                ("DECOM", "2024-06-01"),
                ("RNE", "S"),
                ("LS", "V2"),
                ("DEC", "2024-12-01"),
                ("REC", "E11"),
            ],
        );
        f.add(
            "episodes",
            &[
                ("CHILD", "C"),
                ("DECOM", "2025-03-31"),
                ("RNE", "S"),
                ("LS", "C1"),
            ],
        );
        f.add(
            "episodes",
            &[
                ("CHILD", "D"),
                ("DECOM", "2024-05-01"),
                ("RNE", "S"),
                ("LS", "V3"),
            ],
        );
        let spell = |f: &mut Fixture, c: &str, t: &str, d: &str| {
            f.add("missing", &[("CHILD", c), ("MISSING", t), ("MIS_START", d)]);
        };
        for d in ["2024-04-01", "2024-05-01", "2024-06-01"] {
            spell(&mut f, "A", "M", d);
        }
        spell(&mut f, "A", "A", "2024-07-01");
        spell(&mut f, "B", "A", "2024-08-01");
        spell(&mut f, "A", "M", "2024-03-31"); // previous year
        spell(&mut f, "D", "M", "2024-06-01"); // not looked after
        f.supply(2025, &["Header", "Episodes", "Missing"]);
        f.supply(2024, &["Header", "Episodes"]);
        f
    }

    fn value(
        rows: &[iro_plugin_sdk::OutputRow],
        metric: &str,
        bd: &str,
    ) -> (Option<i64>, Option<i64>, Option<f64>) {
        let r = rows
            .iter()
            .find(|r| r.metric == format!("missing-from-care.{metric}") && r.breakdown == bd)
            .unwrap_or_else(|| panic!("no row {metric} {bd}"));
        (r.numerator, r.denominator, r.value)
    }

    #[test]
    fn counts_spells_through_the_c_abi() {
        let rows = run(
            iro_plugin_descriptor,
            "missing-from-care",
            2025,
            &fixture(),
            json!({}),
        )
        .unwrap();
        assert!(
            rows.iter()
                .all(|r| r.la_code == "800" && r.year == 2025 && r.period == "year")
        );
        assert_eq!(value(&rows, "children-looked-after", "").0, Some(3));
        assert_eq!(value(&rows, "children-with-spell", "").0, Some(2));
        assert_eq!(value(&rows, "children-with-spell", "type=M").0, Some(1));
        assert_eq!(value(&rows, "children-with-spell", "type=A").0, Some(2));
        assert_eq!(value(&rows, "spells", "").0, Some(5));
        assert_eq!(value(&rows, "spells", "type=M").0, Some(3));
        assert_eq!(value(&rows, "spells-per-child", "").2, Some(2.5));
        assert_eq!(value(&rows, "spells-per-child", "type=A").2, Some(1.0));
        assert_eq!(
            value(&rows, "children-repeat", ""),
            (Some(1), Some(3), Some(100.0 / 3.0))
        );
    }

    #[test]
    fn lists_the_repeat_missing_children_through_the_c_abi() {
        let tables = drilldown(
            iro_plugin_descriptor,
            "missing-from-care",
            2025,
            &fixture(),
            json!({}),
        )
        .unwrap();
        assert_eq!(tables.len(), 1);
        let t = &tables[0];
        assert_eq!(t.name, "repeat-missing");
        assert_eq!(t.columns, ["CHILD", "missing_spells", "away_spells"]);
        // A: 3 missing spells and 1 away in the year (the one of 31 March
        // 2024 is the year before); B has only an away spell.
        assert_eq!(t.rows, vec![vec!["A", "3", "1"]]);
        let t = &drilldown(
            iro_plugin_descriptor,
            "missing-from-care",
            2025,
            &fixture(),
            json!({"repeat_threshold": 4}),
        )
        .unwrap()[0];
        assert!(t.rows.is_empty());
        assert_eq!(
            t.title,
            "Children with 4 or more missing (M) spells in the year"
        );
    }

    #[test]
    fn parameters_and_missing_tables() {
        let rows = run(
            iro_plugin_descriptor,
            "missing-from-care",
            2025,
            &fixture(),
            json!({"repeat_threshold": 4}),
        )
        .unwrap();
        assert_eq!(value(&rows, "children-repeat", "").0, Some(0));
        // No Missing table for 2023-24: not computable, never zero.
        let e = run(
            iro_plugin_descriptor,
            "missing-from-care",
            2024,
            &fixture(),
            json!({}),
        )
        .unwrap_err();
        assert!(
            matches!(&e, CallError::Status { status, message }
            if *status == iro_plugin_sdk::abi::status::NOT_COMPUTABLE && message.contains("Missing")),
            "{e}"
        );
        let e = run(
            iro_plugin_descriptor,
            "missing-from-care",
            2025,
            &fixture(),
            json!({"repeat_threshold": 0}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("repeat_threshold"), "{e}");
        let e = run(
            iro_plugin_descriptor,
            "missing-from-care",
            2025,
            &fixture(),
            json!({"nope": 1}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
        let e = run(
            iro_plugin_descriptor,
            "no-such-metric",
            2025,
            &fixture(),
            json!({}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("no-such-metric"), "{e}");
    }

    #[test]
    fn lists_its_metric() {
        let metrics = list(iro_plugin_descriptor).unwrap();
        assert_eq!(metrics.len(), 1);
        assert_eq!(metrics[0].id, "missing-from-care");
        assert_eq!(metrics[0].params[0].name, "repeat_threshold");
        assert_eq!(metrics[0].relations.len(), 4);
        assert_eq!(
            metrics[0].relations[2].to_string(),
            "missing-from-care.spells = missing-from-care.spells-per-child"
        );
    }
}
