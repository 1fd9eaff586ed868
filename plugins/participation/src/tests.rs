//! Hand-checked cases; expected figures worked out in the comments.

use super::*;
use chrono::NaiveDate;
use iro_domain::{
    Child, ChildIdx, Cohort, CohortParts, Episode, LaCode, LegalStatus, ParticipationCode as PN,
    PlacementType, ReasonEpisodeCeased, ReasonNewEpisode, Review, SourceRef, WorkingDayCalendar,
};
use iro_metric_api::MetricExt;
use iro_metric_api::{Params, Reference};
use std::collections::{BTreeMap, BTreeSet};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn reference() -> &'static Reference {
    static REFERENCE: std::sync::OnceLock<Reference> = std::sync::OnceLock::new();
    REFERENCE.get_or_init(|| Reference::bundled().unwrap())
}

#[derive(Default)]
struct Build {
    children: Vec<Child>,
    episodes: Vec<Episode>,
    reviews: Vec<Review>,
}

impl Build {
    fn child(&mut self, dob: Option<&str>) -> u32 {
        let i = self.children.len() as u32;
        self.children.push(Child {
            child_id: format!("P{i}").into(),
            sex: None,
            dob: dob.map(d),
            ethnic: None,
            upn: None,
            mother: None,
            mc_dob: None,
            uasc: None,
            header_year: None,
        });
        i
    }

    fn ep(&mut self, c: u32, decom: &str, ls: LegalStatus, dec: Option<&str>) -> &mut Self {
        self.episodes.push(Episode {
            child: ChildIdx(c),
            decom: d(decom),
            rne: ReasonNewEpisode::S,
            ls,
            cin: None,
            place: Some(PlacementType::U4),
            place_provider: None,
            dec: dec.map(d),
            rec: dec.map(|_| ReasonEpisodeCeased::E13),
            reason_place_change: None,
            home_post: None,
            pl_post: None,
            urn: None,
            year: CollectionYear::containing(d(decom)),
            source: SourceRef { file: 0, line: 2 },
        });
        self
    }

    fn rev(&mut self, c: u32, date: &str, code: Option<PN>) -> &mut Self {
        self.reviews.push(Review {
            child: ChildIdx(c),
            review: d(date),
            review_code: code,
            year: CollectionYear::containing(d(date)),
            source: SourceRef { file: 1, line: 2 },
        });
        self
    }

    fn cohort(self, tables: &[TableKind]) -> Cohort {
        let mut t = BTreeMap::new();
        t.insert(
            CollectionYear(2025),
            tables.iter().copied().collect::<BTreeSet<_>>(),
        );
        Cohort::new(
            LaCode::new(800).unwrap(),
            CohortParts {
                children: self.children,
                episodes: self.episodes,
                reviews: self.reviews,
                tables: t,
                ..Default::default()
            },
        )
    }
}

fn run_metric(metric: &dyn Metric, cohort: &Cohort) -> Result<Vec<MetricRow>, MetricError> {
    let calendar = WorkingDayCalendar::england_and_wales();
    let params = metric.spec().resolve_params(&Params::new())?;
    let ctx = MetricContext {
        cohort,
        la: None,
        year: CollectionYear(2025),
        reference: reference(),
        calendar: &calendar,
        params: &params,
    };
    metric.compute(&ctx)
}

fn find<'a>(rows: &'a [MetricRow], measure: &str, p: Period, breakdown: &str) -> &'a MetricRow {
    rows.iter()
        .find(|r| {
            r.metric.as_str().ends_with(&format!(".{measure}"))
                && r.period == p
                && r.breakdown.to_string() == breakdown
        })
        .unwrap_or_else(|| panic!("no row {measure} {p:?} {breakdown}"))
}

fn n(rows: &[MetricRow], measure: &str, p: Period, breakdown: &str) -> u64 {
    find(rows, measure, p, breakdown).numerator.unwrap()
}

fn pc(rows: &[MetricRow], measure: &str, p: Period, breakdown: &str) -> (u64, u64) {
    let r = find(rows, measure, p, breakdown);
    (r.numerator.unwrap(), r.denominator.unwrap())
}

const ALL_TABLES: &[TableKind] = &[TableKind::Header, TableKind::Episodes, TableKind::Reviews];

/// Collection year 2024-25; every child but P5 (short breaks) and P6 (from
/// 01/06 to 01/08/2024) in care from 01/04/2024.
fn cohort(tables: &[TableKind]) -> Cohort {
    use LegalStatus::*;
    let mut b = Build::default();
    // P0, born 15/06/2014: aged 9 on 10/05/2024 (PN1, band 4-9, Q1); 10 on
    // 15/06/2024 (PN7, 10-15, Q1) — and a second review that day (PN3): counted
    // once, the first row kept, flagged; 10 on 01/12/2024 (PN5, 10-15, Q3).
    let p0 = b.child(Some("2014-06-15"));
    b.ep(p0, "2024-04-01", V2, None)
        .rev(p0, "2024-05-10", Some(PN::PN1))
        .rev(p0, "2024-06-15", Some(PN::PN7))
        .rev(p0, "2024-06-15", Some(PN::PN3))
        .rev(p0, "2024-12-01", Some(PN::PN5));
    // P1, born 10/01/2021: 3 on 01/07/2024 (PN0: right, Q2); still 3 on
    // 09/01/2025 but coded PN2 (rule 441, Q4); 4 on 10/01/2025 but coded PN0
    // (rule 440, Q4). Neither is recoded nor in the distribution.
    let p1 = b.child(Some("2021-01-10"));
    b.ep(p1, "2024-04-01", C2, None)
        .rev(p1, "2024-07-01", Some(PN::PN0))
        .rev(p1, "2025-01-09", Some(PN::PN2))
        .rev(p1, "2025-01-10", Some(PN::PN0));
    // P2, born 20/03/2007: 17 on 30/09/2024 (PN6, 16-17, Q2); 18 on 25/03/2025
    // (PN4, band 18+, Q4).
    let p2 = b.child(Some("2007-03-20"));
    b.ep(p2, "2024-04-01", C2, None)
        .rev(p2, "2024-09-30", Some(PN::PN6))
        .rev(p2, "2025-03-25", Some(PN::PN4));
    // P3, born 01/01/2012: no code on 15/10/2024 (Q3); PN2 at 13 on 01/02/2025
    // (10-15, Q4).
    let p3 = b.child(Some("2012-01-01"));
    b.ep(p3, "2024-04-01", V2, None)
        .rev(p3, "2024-10-15", None)
        .rev(p3, "2025-02-01", Some(PN::PN2));
    // P4, no date of birth: PN1 on 08/08/2024 (Q2), "no DOB", not distributed.
    let p4 = b.child(None);
    b.ep(p4, "2024-04-01", V2, None)
        .rev(p4, "2024-08-08", Some(PN::PN1));
    // P5, short breaks only (V3, 1–3 May 2024): the review on 01/07/2024 is a
    // short-break review, left out.
    let p5 = b.child(Some("2015-01-01"));
    b.ep(p5, "2024-05-01", V3, Some("2024-05-03"))
        .rev(p5, "2024-07-01", Some(PN::PN1));
    // P6, born 01/01/2012, in care 01/06–01/08/2024: the review on 20/05/2024
    // is before care (left out); PN5 at 12 on 20/06/2024 (10-15, Q1).
    let p6 = b.child(Some("2012-01-01"));
    b.ep(p6, "2024-06-01", V2, Some("2024-08-01"))
        .rev(p6, "2024-05-20", Some(PN::PN1))
        .rev(p6, "2024-06-20", Some(PN::PN5));
    b.cohort(tables)
}

#[test]
fn distribution_and_flags_by_hand() {
    let rows = run_metric(&Participation, &cohort(ALL_TABLES)).unwrap();
    let y = Period::Year;
    // Reviews counted: P0 3, P1 3, P2 2, P3 2, P4 1, P6 1 = 12.
    assert_eq!(n(&rows, "reviews", y, ""), 12);
    // 4+ coded PN1-PN7: P0 ×3, P2 ×2, P3 01/02, P6 20/06 = 7.
    assert_eq!(n(&rows, "reviews", y, "population=4+ PN1-PN7"), 7);
    assert_eq!(n(&rows, "reviews", y, "population=under 4 PN0"), 1);
    assert_eq!(n(&rows, "reviews", y, "population=4+ PN0"), 1);
    assert_eq!(n(&rows, "reviews", y, "population=under 4 PN1-PN7"), 1);
    assert_eq!(n(&rows, "reviews", y, "population=no code"), 1);
    assert_eq!(n(&rows, "reviews", y, "population=no DOB"), 1);
    // PN1: P0 10/05. PN2: P3. PN3: none (the duplicate). PN4: P2 25/03.
    // PN5: P0 01/12, P6. PN6: P2 30/09. PN7: P0 15/06.
    let dist = [1, 1, 0, 1, 2, 1, 1];
    for (i, want) in dist.into_iter().enumerate() {
        let b = format!("code=PN{}", i + 1);
        assert_eq!(pc(&rows, "distribution", y, &b), (want, 7), "{b}");
    }
    assert!(
        find(&rows, "distribution", y, "code=PN7")
            .note
            .contains("nor are his or her views conveyed")
    );
    assert_eq!(pc(&rows, "distribution", y, ""), (7, 7));
    // Participated: all but PN7 = 6 of 7. By band: 4-9 P0 PN1 (1/1); 10-15 P0
    // PN7 ✗, P0 PN5, P3 PN2, P6 PN5 (3/4); 16-17 P2 PN6 (1/1); 18+ P2 PN4 (1/1).
    assert_eq!(pc(&rows, "participated", y, ""), (6, 7));
    assert_eq!(pc(&rows, "participated", y, "age_band=4-9"), (1, 1));
    assert_eq!(pc(&rows, "participated", y, "age_band=10-15"), (3, 4));
    assert_eq!(pc(&rows, "participated", y, "age_band=16-17"), (1, 1));
    assert_eq!(pc(&rows, "participated", y, "age_band=18+"), (1, 1));
    for f in FLAG_NAMES {
        assert_eq!(n(&rows, "flags", y, &format!("flag={f}")), 1, "{f}");
    }
    // Quarters: Q1 P0 10/05 PN1, P0 15/06 PN7, P6 PN5 (2 of 3); Q2 P1 PN0,
    // P2 PN6, P4 (1 of 1); Q3 P0 PN5, P3 no code (1 of 1); Q4 P1 ×2, P2 PN4,
    // P3 PN2 (2 of 2).
    let q = [
        (Period::Q1, 3, (2, 3)),
        (Period::Q2, 3, (1, 1)),
        (Period::Q3, 2, (1, 1)),
        (Period::Q4, 4, (2, 2)),
    ];
    for (p, reviews, part) in q {
        assert_eq!(n(&rows, "reviews", p, ""), reviews, "{p:?}");
        assert_eq!(pc(&rows, "participated", p, ""), part, "{p:?}");
    }
    assert_eq!(n(&rows, "flags", Period::Q1, "flag=duplicate-review"), 1);
    assert_eq!(n(&rows, "flags", Period::Q4, "flag=pn0-aged-4-plus"), 1);
    assert!(!find(&rows, "reviews", y, "").note.contains("no Episodes"));
}

#[test]
fn counts_the_same_reviews_as_timeliness() {
    let cohort = cohort(ALL_TABLES);
    let part = run_metric(&Participation, &cohort).unwrap();
    let time = run_metric(&review_timeliness::ReviewTimeliness, &cohort).unwrap();
    for p in PERIODS {
        assert_eq!(n(&part, "reviews", p, ""), n(&time, "held", p, ""), "{p:?}");
    }
    // P5's short-break review is timed apart, as here.
    assert_eq!(n(&time, "held", Period::Year, "care_type=short breaks"), 1);
}

#[test]
fn additive_breakdowns_sum_to_their_totals() {
    let rows = run_metric(&Participation, &cohort(ALL_TABLES)).unwrap();
    for m in SPEC.measures {
        for key in m.additive_breakdowns {
            for p in PERIODS {
                let total = find(&rows, m.id.measure(), p, "");
                let cells: Vec<&MetricRow> = rows
                    .iter()
                    .filter(|r| r.metric == m.id && r.period == p)
                    .filter(|r| r.breakdown.keys() == *key)
                    .collect();
                let num: u64 = cells.iter().map(|r| r.numerator.unwrap()).sum();
                assert_eq!(Some(num), total.numerator, "{} {p:?}", m.id);
                if m.id.measure() == "participated" {
                    let den: u64 = cells.iter().map(|r| r.denominator.unwrap()).sum();
                    assert_eq!(Some(den), total.denominator, "{} {p:?}", m.id);
                }
            }
        }
    }
}

#[test]
fn without_episodes_every_review_counts_with_a_note_and_without_reviews_nothing() {
    // No Episodes table: P5's short-break review and P6's review before care
    // are counted too (12 + 2); the duplicate still is not.
    let rows = run_metric(
        &Participation,
        &cohort(&[TableKind::Header, TableKind::Reviews]),
    )
    .unwrap();
    assert_eq!(n(&rows, "reviews", Period::Year, ""), 14);
    assert_eq!(n(&rows, "flags", Period::Year, "flag=duplicate-review"), 1);
    assert!(
        find(&rows, "participated", Period::Year, "")
            .note
            .contains("no Episodes table for 2024-25")
    );
    assert!(matches!(
        run_metric(
            &Participation,
            &cohort(&[TableKind::Header, TableKind::Episodes])
        ),
        Err(MetricError::NotComputable(_))
    ));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 100, .. ProptestConfig::default() })]

        /// Whatever the codes and ages: the populations partition the reviews,
        /// the distribution sums to its base, participated ≤ base, and the
        /// rule 440/441 flags match their populations.
        #[test]
        fn partitions_hold(
            reviews in proptest::collection::vec((0i64..365, 0usize..9, 0i64..7000), 0..30),
        ) {
            let mut b = Build::default();
            for (day, code, age_days) in reviews {
                let date = d("2024-04-01") + chrono::Duration::days(day);
                let dob = (date - chrono::Duration::days(age_days)).to_string();
                let c = b.child(Some(&dob));
                b.ep(c, "2024-04-01", LegalStatus::C2, None);
                let code = PN::ALL.get(code).copied();
                b.rev(c, &date.to_string(), code);
            }
            let rows = run_metric(&Participation, &b.cohort(ALL_TABLES)).unwrap();
            for p in PERIODS {
                let total = n(&rows, "reviews", p, "");
                let parts: u64 = POPULATIONS.iter().map(|l| n(&rows, "reviews", p, &format!("population={l}"))).sum();
                prop_assert_eq!(total, parts);
                let (num, den) = pc(&rows, "distribution", p, "");
                prop_assert_eq!(num, den);
                let codes: u64 = (1..=7).map(|i| n(&rows, "distribution", p, &format!("code=PN{i}"))).sum();
                prop_assert_eq!(codes, den);
                let (part, base) = pc(&rows, "participated", p, "");
                prop_assert!(part <= base);
                prop_assert_eq!(base, den);
                prop_assert_eq!(n(&rows, "flags", p, "flag=pn0-aged-4-plus"), n(&rows, "reviews", p, "population=4+ PN0"));
                prop_assert_eq!(n(&rows, "flags", p, "flag=pn1-7-under-4"), n(&rows, "reviews", p, "population=under 4 PN1-PN7"));
            }
        }
    }
}

#[test]
#[ignore = "timing: run with --release -- --ignored"]
fn national_scale_is_fast() {
    let cohort = review_timeliness::synthetic::national_cohort(2021, 2025, 7);
    let t = std::time::Instant::now();
    let rows = run_metric(&Participation, &cohort).unwrap();
    let took = t.elapsed();
    let reviews = n(&rows, "reviews", Period::Year, "");
    eprintln!(
        "{} reviews in the cohort, {reviews} counted in 2024-25: {took:?}",
        cohort.reviews().len()
    );
    if !cfg!(debug_assertions) {
        assert!(took.as_secs_f64() < 0.5, "{took:?}");
    }
}

/// Runs `metric` for `year` over a cohort with Header, Episodes and Reviews
/// for each of `years`.
fn run_year(
    metric: &dyn Metric,
    b: Build,
    years: &[i32],
    year: i32,
) -> Result<Vec<MetricRow>, MetricError> {
    let mut tables = BTreeMap::new();
    for &y in years {
        tables.insert(
            CollectionYear(y),
            ALL_TABLES.iter().copied().collect::<BTreeSet<_>>(),
        );
    }
    let cohort = Cohort::new(
        LaCode::new(800).unwrap(),
        CohortParts {
            children: b.children,
            episodes: b.episodes,
            reviews: b.reviews,
            tables,
            ..Default::default()
        },
    );
    let calendar = WorkingDayCalendar::england_and_wales();
    let params = metric.spec().resolve_params(&Params::new())?;
    metric.compute(&MetricContext {
        cohort: &cohort,
        la: None,
        year: CollectionYear(year),
        reference: reference(),
        calendar: &calendar,
        params: &params,
    })
}

#[test]
fn twenty_ninth_of_february_birthdays() {
    use LegalStatus::C2;
    // 2023-24, a leap year: the birthday is 29 February itself.
    let mut b = Build::default();
    // Born 29/02/2020: aged 3 on 28/02/2024 (PN0, right), 4 on 29/02/2024
    // (PN1: counted, band 4-9).
    let young = b.child(Some("2020-02-29"));
    b.ep(young, "2023-04-01", C2, None)
        .rev(young, "2024-02-28", Some(PN::PN0))
        .rev(young, "2024-02-29", Some(PN::PN1));
    // Born 29/02/2008: aged 15 on 28/02/2024 (PN1, band 10-15), 16 on
    // 29/02/2024 (PN7, band 16-17).
    let older = b.child(Some("2008-02-29"));
    b.ep(older, "2023-04-01", C2, None)
        .rev(older, "2024-02-28", Some(PN::PN1))
        .rev(older, "2024-02-29", Some(PN::PN7));
    let rows = run_year(&Participation, b, &[2024], 2024).unwrap();
    let q4 = Period::Q4;
    assert_eq!(n(&rows, "reviews", q4, "population=under 4 PN0"), 1);
    assert_eq!(n(&rows, "reviews", q4, "population=4+ PN1-PN7"), 3);
    assert_eq!(n(&rows, "flags", q4, "flag=pn0-aged-4-plus"), 0);
    assert_eq!(n(&rows, "flags", q4, "flag=pn1-7-under-4"), 0);
    assert_eq!(pc(&rows, "participated", q4, "age_band=4-9"), (1, 1));
    assert_eq!(pc(&rows, "participated", q4, "age_band=10-15"), (1, 1));
    assert_eq!(pc(&rows, "participated", q4, "age_band=16-17"), (0, 1));

    // 2021-22, a common year: a 29 February birthday falls on 1 March. Born
    // 29/02/2012: aged 9 on 28/02/2022 (band 4-9), 10 on 01/03/2022 (10-15).
    let mut b = Build::default();
    let c = b.child(Some("2012-02-29"));
    b.ep(c, "2021-04-01", C2, None)
        .rev(c, "2022-02-28", Some(PN::PN1))
        .rev(c, "2022-03-01", Some(PN::PN2));
    let rows = run_year(&Participation, b, &[2022], 2022).unwrap();
    assert_eq!(
        pc(&rows, "participated", Period::Year, "age_band=4-9"),
        (1, 1)
    );
    assert_eq!(
        pc(&rows, "participated", Period::Year, "age_band=10-15"),
        (1, 1)
    );
}

mod all_years {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 60, .. ProptestConfig::default() })]

        /// Computing every year in one walk gives each year exactly what it
        /// gets computed alone, whichever years lack an Episodes table.
        #[test]
        fn all_years_at_once_equal_each_year_alone(
            children in proptest::collection::vec(
                (0i64..1000, proptest::option::of(1i64..500), proptest::collection::vec((0i64..1100, 0usize..9), 0..6)),
                1..8,
            ),
            no_episodes_2024 in any::<bool>(),
        ) {
            let base = d("2022-04-01");
            let day = |n: i64| (base + chrono::Duration::days(n)).to_string();
            let mut b = Build::default();
            for (start, len, reviews) in &children {
                let c = b.child(Some("2012-06-30"));
                let end = len.map(|l| day(start + l));
                b.ep(c, &day(*start), LegalStatus::C2, end.as_deref());
                for (r, code) in reviews {
                    b.rev(c, &day(*r), PN::ALL.get(*code).copied());
                }
            }
            let mut tables = BTreeMap::new();
            for y in [2023, 2024, 2025] {
                let mut t: BTreeSet<TableKind> = ALL_TABLES.iter().copied().collect();
                if y == 2024 && no_episodes_2024 {
                    t.remove(&TableKind::Episodes);
                }
                tables.insert(CollectionYear(y), t);
            }
            let cohort = Cohort::new(
                LaCode::new(800).unwrap(),
                CohortParts { children: b.children, episodes: b.episodes, reviews: b.reviews, tables, ..Default::default() },
            );
            let calendar = WorkingDayCalendar::england_and_wales();
            let params = Participation.spec().resolve_params(&Params::new()).unwrap();
            let ctxs: Vec<MetricContext<'_>> = [2023, 2024, 2025, 2026]
                .map(|y| MetricContext {
                    cohort: &cohort,
                    la: None,
                    year: CollectionYear(y),
                    reference: reference(),
                    calendar: &calendar,
                    params: &params,
                })
                .to_vec();
            let together = Participation.compute_years(&ctxs);
            prop_assert_eq!(together.len(), 4);
            for (ctx, got) in ctxs.iter().zip(together) {
                prop_assert_eq!(got, Participation.compute(ctx));
            }
        }
    }
}
