//! The shape that leaked in issue 20, as a plugin author writes it: the
//! unaccompanied asylum-seeking children (UASC) looked after at 31 March by
//! age band, as counts (`uasc`, additive by `age`) and as each band's share
//! of all of them (`uasc-share`: the band's count of the total count). Every
//! share's numerator is a count shown in `uasc`, and its denominator is the
//! `uasc` total: the same counts shown twice.
//!
//! * `uasc-age` declares so ([`MetricInfo::relation`], ABI 1.2), and `iro`
//!   hides a share wherever it hides the count it repeats; it also declares
//!   that its total is the built-in `cohort-summary.profile[uasc=UASC]`.
//! * `uasc-age-undeclared` gives the same figures and declares nothing but
//!   the additive breakdown: a band count hidden to protect a small one is
//!   shown again in its share (13 of 52), and the small one is the total
//!   less the others.
//!
//! A test fixture of `iro-plugin-host`; never loaded outside tests.

use iro_plugin_sdk::prelude::*;

/// The metric; `declare` says whether it declares its relations.
#[derive(Debug, Clone, Copy)]
pub struct UascByAge {
    pub declare: bool,
}

impl Metric for UascByAge {
    fn info(&self) -> MetricInfo {
        let id = if self.declare {
            "uasc-age"
        } else {
            "uasc-age-undeclared"
        };
        let info = MetricInfo::new(id, "UASC looked after at 31 March, by age", "1.0.0")
            .requires(&["Header", "Episodes", "UASC"])
            .measure(
                "uasc",
                "UASC looked after at 31 March, by age at 31 March",
                Unit::Count,
                &["age"],
            )
            .measure(
                "uasc-share",
                "Share of the UASC looked after at 31 March in each age band",
                Unit::Percent,
                &[],
            )
            .measure(
                "uasc-rate",
                "UASC looked after at 31 March per 10,000 children aged under 18",
                Unit::Per10000,
                &[],
            );
        if !self.declare {
            return info;
        }
        // A band's share is its count, of all the UASC; and all the UASC
        // are the built-in profile's (the same children, counted the same
        // way); the rate counts them too.
        info.relation(Relation::same(Term::num("uasc-share"), Term::num("uasc")))
            .relation(Relation::same(
                Term::den("uasc-share"),
                Term::num("uasc").total(),
            ))
            .relation(Relation::same(
                Term::num("uasc").total(),
                Term::num("cohort-summary.profile").only("uasc=UASC"),
            ))
            .relation(Relation::same(
                Term::num("uasc-rate"),
                Term::num("uasc").total(),
            ))
    }

    fn compute(&self, ctx: &Context<'_>) -> Result<Output, Error> {
        let day = ctx.cohort.year_end();
        let mut by_band = [0_u64; AgeBand::ALL.len()];
        for c in ctx.cohort.looked_after_on(day)? {
            if c.child.uasc_on(day) {
                by_band[c.child.age_band_on(day) as usize] += 1;
            }
        }
        let total: u64 = by_band.iter().sum();
        let mut out = ctx.output();
        out.count("uasc", Period::Snapshot, total);
        out.per_10000_children(
            "uasc-rate",
            Period::Snapshot,
            total,
            ctx.cohort.population()?,
        );
        for (band, n) in AgeBand::ALL.iter().zip(by_band) {
            out.count("uasc", Period::Snapshot, n)
                .breakdown("age", band.label());
            out.percent("uasc-share", Period::Snapshot, n, total)
                .breakdown("age", band.label());
        }
        out.finish()
    }
}

iro_plugin_sdk::export_plugin! {
    name: "uasc-plugin",
    version: env!("CARGO_PKG_VERSION"),
    metrics: [UascByAge { declare: true }, UascByAge { declare: false }],
}

#[cfg(test)]
mod tests {
    use super::*;
    use iro_plugin_sdk::serde_json::json;
    use iro_plugin_sdk::testing::{Fixture, list, run};

    #[test]
    fn counts_and_shares_of_the_uasc_by_age() {
        let mut f = Fixture::new("800");
        for (id, dob, uasc) in [
            ("A", "2008-06-01", "true"),
            ("B", "2012-01-01", "true"),
            ("C", "2008-01-01", "false"),
        ] {
            f.child(id, &[("DOB", dob), ("UASC", uasc)]);
            f.add(
                "episodes",
                &[
                    ("CHILD", id),
                    ("DECOM", "2024-05-01"),
                    ("RNE", "S"),
                    ("LS", "C2"),
                ],
            );
        }
        f.child("D", &[("UASC", "true")]); // no date of birth
        f.add(
            "episodes",
            &[
                ("CHILD", "D"),
                ("DECOM", "2024-05-01"),
                ("RNE", "S"),
                ("LS", "V2"),
            ],
        );
        f.supply(2025, &["Header", "Episodes", "UASC"]);
        f.population(2025, 40_000);
        let rows = run(iro_plugin_descriptor, "uasc-age", 2025, &f, json!({})).unwrap();
        let get = |m: &str, b: &str| {
            rows.iter()
                .find(|r| r.metric == format!("uasc-age.{m}") && r.breakdown == b)
                .map(|r| (r.numerator, r.denominator))
                .unwrap()
        };
        assert_eq!(get("uasc", ""), (Some(3), None));
        assert_eq!(get("uasc", "age=16 and over"), (Some(1), None));
        assert_eq!(get("uasc", "age=Not known"), (Some(1), None));
        assert_eq!(get("uasc-share", "age=10 to 15"), (Some(1), Some(3)));
        assert_eq!(get("uasc-rate", ""), (Some(3), Some(40_000)));
        let metrics = list(iro_plugin_descriptor).unwrap();
        assert_eq!(metrics[0].relations.len(), 4);
        assert!(metrics[1].relations.is_empty());
    }
}
