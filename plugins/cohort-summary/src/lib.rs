//! # cohort-summary
//!
//! Built-in metric: the first table of every IRO annual report — children looked
//! after at 31 March, children who started and ceased to be looked after, the
//! rate per 10,000 children and the change on the previous year — with the
//! reasons children left care and the profile of children looked after at
//! 31 March (age band, sex, ethnic group, legal status, category of need, UASC,
//! placement type).
//!
//! Counts follow the DfE definitions (docs/METHODS.md, "Cohorts"): short breaks
//! (legal status V3/V4) are left out; a child who started (or ceased) more than
//! once in the year is counted once.

use iro_domain::{ChildRecord, CollectionYear, ReasonEpisodeCeased, ReasonNewEpisode, TableKind};
use iro_metric_api::{
    Breakdown, MeasureSpec, Metric, MetricContext, MetricError, MetricRow, MetricSpec, Period,
    Unit, row, tally,
};

/// The metric.
#[derive(Debug, Default, Clone, Copy)]
pub struct CohortSummary;

const PROFILE_KEYS: &[&str] = &[
    "age_band",
    "sex",
    "ethnicity",
    "legal_status",
    "category_of_need",
    "uasc",
    "placement",
];

static SPEC: MetricSpec = MetricSpec {
    id: "cohort-summary",
    title: "Children looked after: numbers, rates and profile",
    version: env!("CARGO_PKG_VERSION"),
    requires: &[TableKind::Episodes],
    measures: &[
        MeasureSpec {
            id: "cla-31-march",
            title: "Children looked after at 31 March",
            unit: Unit::Count,
            additive_breakdowns: &[],
        },
        MeasureSpec {
            id: "cla-rate",
            title: "Children looked after at 31 March per 10,000 children aged under 18",
            unit: Unit::Per10000,
            additive_breakdowns: &[],
        },
        MeasureSpec {
            id: "cla-change",
            title: "Change in children looked after at 31 March on the previous year",
            unit: Unit::PercentChange,
            additive_breakdowns: &[],
        },
        MeasureSpec {
            id: "starts",
            title: "Children who started to be looked after during the year",
            unit: Unit::Count,
            additive_breakdowns: &[],
        },
        MeasureSpec {
            id: "starts-rate",
            title: "Children who started to be looked after per 10,000 children aged under 18",
            unit: Unit::Per10000,
            additive_breakdowns: &[],
        },
        MeasureSpec {
            id: "ceases",
            title: "Children who ceased to be looked after during the year",
            unit: Unit::Count,
            additive_breakdowns: &[],
        },
        MeasureSpec {
            id: "ceases-rate",
            title: "Children who ceased to be looked after per 10,000 children aged under 18",
            unit: Unit::Per10000,
            additive_breakdowns: &[],
        },
        MeasureSpec {
            id: "during-year",
            title: "Children looked after at any time during the year",
            unit: Unit::Count,
            additive_breakdowns: &[],
        },
        MeasureSpec {
            id: "profile",
            title: "Children looked after at 31 March by characteristic",
            unit: Unit::Percent,
            additive_breakdowns: PROFILE_KEYS,
        },
        MeasureSpec {
            id: "ceased-reason",
            title: "Children who ceased to be looked after, by reason",
            unit: Unit::Percent,
            additive_breakdowns: &["reason"],
        },
    ],
    params: &[],
};

impl Metric for CohortSummary {
    fn spec(&self) -> &MetricSpec {
        &SPEC
    }

    fn compute(&self, ctx: &MetricContext<'_>) -> Result<Vec<MetricRow>, MetricError> {
        if !ctx.has(ctx.year, TableKind::Episodes) {
            return Err(MetricError::NotComputable(format!(
                "no Episodes table for {}",
                ctx.year.label()
            )));
        }
        let year = ctx.year;
        let cohort = ctx.cohort;
        let mut rows = Vec::new();

        let at_31_march: Vec<ChildRecord<'_>> = cohort
            .iter_children()
            .filter(|c| c.looked_after_on(year.end()))
            .collect();
        let cla = at_31_march.len() as u64;
        let starts = cohort
            .iter_children()
            .filter(|c| started_in(c, year))
            .count() as u64;
        let ceased: Vec<(ChildRecord<'_>, ReasonEpisodeCeased)> = cohort
            .iter_children()
            .filter_map(|c| last_ceased_in(&c, year).map(|r| (c, r)))
            .collect();
        let ceases = ceased.len() as u64;
        let during = cohort
            .iter_children()
            .filter(|c| {
                c.episodes
                    .iter()
                    .any(|e| !e.is_short_break() && e.overlaps(year.start(), year.end()))
            })
            .count() as u64;

        let r = |measure: &str, period: Period| row(&SPEC, ctx, measure, period);
        rows.push(r("cla-31-march", Period::Snapshot).count(cla));
        rows.push(r("starts", Period::Year).count(starts));
        rows.push(r("ceases", Period::Year).count(ceases));
        rows.push(r("during-year", Period::Year).count(during));

        // Rates per 10,000, on the population DfE uses for this year.
        let la = cohort.la();
        let denominator = ctx.reference.denominator_for(la, year);
        for (measure, period, n) in [
            ("cla-rate", Period::Snapshot, cla),
            ("starts-rate", Period::Year, starts),
            ("ceases-rate", Period::Year, ceases),
        ] {
            rows.push(match denominator {
                Some(d) => r(measure, period).per_10000(n, d.population).note(format!(
                    "population: ONS mid-{} estimate, aged 0-17",
                    d.mid_year
                )),
                None => r(measure, period).note(format!(
                    "not computable: no under-18 population for {la} in the reference data for {}",
                    year.label()
                )),
            });
        }

        // Change on the previous year, only when that year's return was loaded.
        let prev = year.previous();
        rows.push(if ctx.has(prev, TableKind::Episodes) {
            let prev_cla = cohort
                .iter_children()
                .filter(|c| c.looked_after_on(prev.end()))
                .count() as u64;
            r("cla-change", Period::Snapshot)
                .change(cla, prev_cla)
                .note(format!("against 31 March {}", prev.0))
        } else {
            r("cla-change", Period::Snapshot).note(format!(
                "not computable: no Episodes table for {}",
                prev.label()
            ))
        });

        // Profile at 31 March.
        let end = year.end();
        let profile: [(&str, Vec<String>); 7] = [
            (
                "age_band",
                at_31_march
                    .iter()
                    .map(|c| age_band(c.age_on(end)))
                    .collect(),
            ),
            (
                "sex",
                at_31_march
                    .iter()
                    .map(|c| c.child.sex.map_or("Not known", |s| s.label()).to_string())
                    .collect(),
            ),
            (
                "ethnicity",
                at_31_march
                    .iter()
                    .map(|c| {
                        c.child
                            .ethnic
                            .map_or("Not known", |e| e.group())
                            .to_string()
                    })
                    .collect(),
            ),
            (
                "legal_status",
                at_31_march
                    .iter()
                    .map(|c| {
                        c.episode_open_on(end)
                            .map_or("Not known", |e| e.ls.group())
                            .to_string()
                    })
                    .collect(),
            ),
            (
                "category_of_need",
                at_31_march
                    .iter()
                    .map(|c| {
                        c.episode_open_on(end)
                            .and_then(|e| e.cin)
                            .map_or("Not known".to_string(), |n| {
                                format!("{} {}", n.code(), n.meaning())
                            })
                    })
                    .collect(),
            ),
            (
                "uasc",
                at_31_march
                    .iter()
                    .map(|c| {
                        if c.child.is_uasc_on(end) {
                            "UASC"
                        } else {
                            "Not UASC"
                        }
                        .to_string()
                    })
                    .collect(),
            ),
            (
                "placement",
                at_31_march
                    .iter()
                    .map(|c| {
                        c.episode_open_on(end)
                            .and_then(|e| e.place)
                            .map_or("Not known", |p| p.group().label())
                            .to_string()
                    })
                    .collect(),
            ),
        ];
        for (key, values) in profile {
            for (value, n) in tally(values) {
                rows.push(
                    r("profile", Period::Snapshot)
                        .with_breakdown(Breakdown::one(key, value))
                        .percent(n, cla),
                );
            }
        }

        // Reasons for leaving care.
        for (reason, n) in tally(ceased.iter().map(|(_, rec)| rec.leaving_group())) {
            rows.push(
                r("ceased-reason", Period::Year)
                    .with_breakdown(Breakdown::one("reason", reason))
                    .percent(n, ceases),
            );
        }
        Ok(rows)
    }
}

/// DfE age bands at 31 March.
fn age_band(age: Option<i32>) -> String {
    match age {
        None => "Not known",
        Some(a) if a < 1 => "Under 1",
        Some(1..=4) => "1 to 4",
        Some(5..=9) => "5 to 9",
        Some(10..=15) => "10 to 15",
        Some(_) => "16 and over",
    }
    .to_string()
}

/// Started to be looked after in the year: an RNE = S episode, not a short break.
fn started_in(c: &ChildRecord<'_>, year: CollectionYear) -> bool {
    c.episodes
        .iter()
        .any(|e| e.rne == ReasonNewEpisode::S && !e.is_short_break() && year.contains(e.decom))
}

/// The reason for the last time in the year the child ceased to be looked after
/// (an episode ending with REC ≠ X1, not a short break).
fn last_ceased_in(c: &ChildRecord<'_>, year: CollectionYear) -> Option<ReasonEpisodeCeased> {
    c.episodes
        .iter()
        .filter(|e| !e.is_short_break() && e.dec.is_some_and(|d| year.contains(d)))
        .filter_map(|e| e.rec.filter(|r| r.ends_period_of_care()))
        .next_back()
}

#[cfg(test)]
mod tests {
    //! A five-child cohort whose figures were worked out by hand.
    use super::*;
    use chrono::NaiveDate;
    use iro_domain::*;
    use iro_metric_api::Params;
    use std::collections::{BTreeMap, BTreeSet};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%d/%m/%Y").unwrap()
    }

    fn child(id: &str, sex: Sex, dob: &str, ethnic: Ethnicity) -> Child {
        Child {
            child_id: id.into(),
            sex: Some(sex),
            dob: Some(d(dob)),
            ethnic: Some(ethnic),
            upn: None,
            mother: None,
            mc_dob: None,
            uasc: None,
            header_year: Some(CollectionYear(2025)),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn ep(
        c: u32,
        decom: &str,
        rne: ReasonNewEpisode,
        ls: LegalStatus,
        place: PlacementType,
        dec: Option<&str>,
        rec: Option<ReasonEpisodeCeased>,
    ) -> Episode {
        Episode {
            child: ChildIdx(c),
            decom: d(decom),
            rne,
            ls,
            cin: Some(CategoryOfNeed::N1),
            place: Some(place),
            place_provider: None,
            dec: dec.map(d),
            rec,
            reason_place_change: None,
            home_post: None,
            pl_post: None,
            urn: None,
            year: CollectionYear::containing(d(decom)),
            source: SourceRef { file: 0, line: 2 },
        }
    }

    fn cohort() -> Cohort {
        use LegalStatus::*;
        use PlacementType::*;
        use ReasonEpisodeCeased::*;
        use ReasonNewEpisode::*;
        let children = vec![
            // 0: in care throughout, aged 12 at 31/03/2025.
            child("A1", Sex::Male, "10/05/2012", Ethnicity::WBRI),
            // 1: starts in 2024-25 as a baby, still in care.
            child("A2", Sex::Female, "01/06/2024", Ethnicity::MWBC),
            // 2: in care at 31/03/2024, ceases in 2024-25 (SGO).
            child("A3", Sex::Female, "20/02/2016", Ethnicity::WBRI),
            // 3: starts and ceases in 2024-25, then starts again: counted once each.
            child("A4", Sex::Male, "03/03/2008", Ethnicity::BAFR),
            // 4: short breaks only: never counted.
            child("A5", Sex::Male, "03/03/2014", Ethnicity::WBRI),
        ];
        let mut uasc_child = children;
        uasc_child[3].uasc = Some(Uasc { duc: None });
        let episodes = vec![
            ep(0, "01/09/2020", S, C2, U4, Some("01/07/2024"), Some(X1)),
            ep(0, "01/07/2024", P, C2, K2, None, None),
            ep(1, "10/06/2024", S, C1, U6, Some("10/10/2024"), Some(X1)),
            ep(1, "10/10/2024", L, C2, U6, None, None),
            ep(2, "15/01/2023", S, V2, U3, Some("30/09/2024"), Some(E45)),
            ep(3, "05/05/2024", S, V2, H5, Some("20/05/2024"), Some(E13)),
            ep(3, "01/02/2025", S, V2, K2, Some("01/03/2025"), Some(X1)),
            ep(3, "01/03/2025", P, V2, H5, None, None),
            ep(4, "01/03/2025", S, V3, K2, Some("04/03/2025"), Some(E8)),
        ];
        let mut tables = BTreeMap::new();
        for y in [2024, 2025] {
            tables.insert(
                CollectionYear(y),
                BTreeSet::from([TableKind::Header, TableKind::Episodes]),
            );
        }
        Cohort::new(
            LaCode::new(800).unwrap(),
            CohortParts {
                children: uasc_child,
                episodes,
                tables,
                ..Default::default()
            },
        )
    }

    fn value(rows: &[MetricRow], metric: &str, breakdown: &str) -> Option<f64> {
        rows.iter()
            .find(|r| r.metric == metric && r.breakdown.to_string() == breakdown)
            .and_then(|r| r.value)
    }

    #[test]
    fn table_one_figures_by_hand() {
        let cohort = cohort();
        let reference = iro_metric_api::Reference::bundled().unwrap();
        let calendar = WorkingDayCalendar::england_and_wales();
        let params = Params::new();
        let ctx = MetricContext {
            cohort: &cohort,
            la: reference.la(cohort.la()),
            year: CollectionYear(2025),
            reference: &reference,
            calendar: &calendar,
            params: &params,
        };
        let rows = CohortSummary.compute(&ctx).unwrap();
        // At 31/03/2025: A1, A2, A4 (A3 ceased, A5 short breaks only).
        assert_eq!(value(&rows, "cohort-summary.cla-31-march", ""), Some(3.0));
        // At 31/03/2024: A1, A3.
        assert_eq!(value(&rows, "cohort-summary.cla-change", ""), Some(50.0));
        // Starts: A2, A4 (twice, counted once). A5's short break is not a start.
        assert_eq!(value(&rows, "cohort-summary.starts", ""), Some(2.0));
        // Ceases: A3 (E45) and A4 (E13, once).
        assert_eq!(value(&rows, "cohort-summary.ceases", ""), Some(2.0));
        assert_eq!(value(&rows, "cohort-summary.during-year", ""), Some(4.0));
        // BANES population for 31 March 2025 is the mid-2024 estimate, 36,601.
        let rate = value(&rows, "cohort-summary.cla-rate", "").unwrap();
        assert!((rate - 3.0 * 10_000.0 / 36_601.0).abs() < 1e-9);
        // Profile: A1 aged 12, A2 aged 0, A4 aged 17.
        let third = 100.0 / 3.0;
        for band in [
            "age_band=10 to 15",
            "age_band=Under 1",
            "age_band=16 and over",
        ] {
            assert_eq!(value(&rows, "cohort-summary.profile", band), Some(third));
        }
        assert_eq!(
            value(&rows, "cohort-summary.profile", "legal_status=Care order"),
            Some(2.0 * third)
        );
        assert_eq!(
            value(&rows, "cohort-summary.profile", "uasc=UASC"),
            Some(third)
        );
        assert_eq!(
            value(
                &rows,
                "cohort-summary.ceased-reason",
                "reason=Special guardianship order"
            ),
            Some(50.0)
        );
    }

    #[test]
    fn missing_tables_are_not_computable() {
        let cohort = cohort();
        let reference = iro_metric_api::Reference::bundled().unwrap();
        let calendar = WorkingDayCalendar::england_and_wales();
        let params = Params::new();
        let mut ctx = MetricContext {
            cohort: &cohort,
            la: None,
            year: CollectionYear(2026),
            reference: &reference,
            calendar: &calendar,
            params: &params,
        };
        assert!(matches!(
            CohortSummary.compute(&ctx),
            Err(MetricError::NotComputable(_))
        ));
        ctx.year = CollectionYear(2024);
        let rows = CohortSummary.compute(&ctx).unwrap();
        let change = rows
            .iter()
            .find(|r| r.metric == "cohort-summary.cla-change")
            .unwrap();
        assert_eq!(change.value, None);
        assert!(change.note.starts_with("not computable"));
    }
}
