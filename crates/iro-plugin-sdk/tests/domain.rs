//! The SDK's domain helpers, each on a small fixture: the rules a plugin no
//! longer writes itself (looked after on a date, ages and DfE bands, UASC
//! on a date, legal-status and placement groups, quarters, working days,
//! the population behind a rate per 10,000).

use iro_plugin_sdk::chrono::Weekday;
use iro_plugin_sdk::output::read_rows;
use iro_plugin_sdk::prelude::*;
use iro_plugin_sdk::testing::{Fixture, date};
use iro_plugin_sdk::validate::check_row;
use iro_plugin_sdk::{HostInfo, Params};

fn episode(f: &mut Fixture, child: &str, decom: &str, ls: &str, dec: Option<&str>) {
    let mut cells = vec![
        ("CHILD", child),
        ("DECOM", decom),
        ("RNE", "S"),
        ("LS", ls),
        ("PLACE", "U4"),
    ];
    if let Some(dec) = dec {
        cells.push(("DEC", dec));
        cells.push(("REC", "E11"));
    }
    f.add("episodes", &cells);
}

/// Five children around 31 March 2025: in care (A), a short break (B), left
/// on 31 March (C), left on 1 April (D), two overlapping episodes, the
/// later a short break (E).
fn fixture() -> Fixture {
    let mut f = Fixture::new("800");
    f.child("A", &[("DOB", "2008-02-29"), ("UASC", "true")]);
    f.child("B", &[("DOB", "2020-05-01")]);
    f.child(
        "C",
        &[
            ("DOB", "2024-06-01"),
            ("UASC", "true"),
            ("DUC", "2025-03-31"),
        ],
    );
    f.child("D", &[("UASC", "true"), ("DUC", "2025-04-01")]);
    f.child("E", &[("DOB", "2014-01-01")]);
    episode(&mut f, "A", "2023-01-10", "C2", None);
    episode(&mut f, "B", "2024-06-01", "V3", None);
    episode(&mut f, "C", "2024-07-01", "C1", Some("2025-03-31"));
    episode(&mut f, "D", "2024-04-01", "V2", Some("2025-04-01"));
    episode(&mut f, "E", "2024-04-01", "E1", None);
    episode(&mut f, "E", "2025-01-01", "V4", None);
    f.supply(2025, &["Header", "Episodes", "UASC"]);
    f.population(2025, 36_601);
    f
}

fn view(f: &Fixture, year: i32) -> CohortView {
    CohortView::new(f.la_code(), year, f.batches()).unwrap()
}

fn ids<'a>(v: &[LookedAfter<'a>]) -> Vec<&'a str> {
    v.iter().map(|c| c.child.child).collect()
}

#[test]
fn looked_after_on_a_date_is_the_dfe_definition() {
    let f = fixture();
    let cohort = view(&f, 2025);
    let end = cohort.year_end();
    let la = cohort.looked_after_on(end).unwrap();
    // B is on a short break; C's episode ceased on the day (not open at the
    // end of it); E's latest open episode is a short break.
    assert_eq!(ids(&la), ["A", "D"]);
    assert_eq!(la[1].idx, 3);
    assert_eq!(la[1].episode.legal_status(), Some(LegalStatus::V2));
    // The day before, C was looked after; E too, before the short break.
    let before = cohort.looked_after_on(date("2024-12-31")).unwrap();
    assert_eq!(ids(&before), ["A", "C", "D", "E"]);
    // At some time in the year: all but B.
    let during = cohort
        .looked_after_during(cohort.year_start(), end)
        .unwrap();
    assert_eq!(ids(&during), ["A", "C", "D", "E"]);
    // E's episode in the year that is not a short break.
    assert_eq!(during[3].episode.ls, "E1");
    // The same rule over any episodes, through the domain's function.
    let episodes = cohort.episodes().unwrap();
    let e = iro_plugin_sdk::domain::looked_after_on(episodes.for_child(4), date("2024-12-31"));
    assert_eq!(e.map(|e| e.ls), Some("E1"));
}

#[test]
fn ages_bands_and_uasc_on_a_date() {
    let f = fixture();
    let cohort = view(&f, 2025);
    let children = cohort.children().unwrap();
    let (a, b, c, d) = (
        children.get(0),
        children.get(1),
        children.get(2),
        children.get(3),
    );
    // Born 29 February 2008: 17 on 28 February 2026, 18 on 1 March.
    assert_eq!(a.age_on(date("2026-02-28")), Some(17));
    assert_eq!(a.age_on(date("2026-03-01")), Some(18));
    assert_eq!(a.age_band_on(date("2025-03-31")), AgeBand::From16);
    assert_eq!(b.age_band_on(date("2025-03-31")).label(), "1 to 4");
    assert_eq!(c.age_band_on(date("2025-03-31")), AgeBand::Under1);
    assert_eq!(d.age_on(date("2025-03-31")), None);
    assert_eq!(d.age_band_on(date("2025-03-31")).label(), "Not known");
    // UASC until the day before DUC.
    assert!(a.uasc_on(date("2025-03-31")));
    assert!(!b.uasc_on(date("2025-03-31")));
    assert!(c.uasc_on(date("2025-03-30")) && !c.uasc_on(date("2025-03-31")));
    assert!(d.uasc_on(date("2025-03-31")) && !d.uasc_on(date("2025-04-01")));
    // chrono is the SDK's: a date's parts through the prelude's Datelike.
    assert_eq!(date("2008-02-29").day(), 29);
}

#[test]
fn legal_status_and_placement_groups() {
    let f = fixture();
    let cohort = view(&f, 2025);
    let groups: Vec<(LegalStatusGroup, &str)> = cohort
        .episodes()
        .unwrap()
        .iter()
        .filter_map(|e| e.legal_status())
        .map(|ls| (ls.group(), ls.group_with_care_orders_apart()))
        .collect();
    assert_eq!(
        groups,
        [
            (LegalStatusGroup::CareOrder, "Full care order (C2)"),
            (LegalStatusGroup::ShortBreaks, "Short breaks"),
            (LegalStatusGroup::CareOrder, "Interim care order (C1)"),
            (LegalStatusGroup::Section20, "Voluntary agreement (s20)"),
            (LegalStatusGroup::PlacementOrder, "Placement order"),
            (LegalStatusGroup::ShortBreaks, "Short breaks"),
        ]
    );
    let e = cohort.episodes().unwrap().get(0);
    assert_eq!(e.placement_type(), Some(PlacementType::U4));
    assert_eq!(e.placement_group(), Some(PlacementGroup::FosterOther));
    assert_eq!(
        e.placement_group().map(|g| g.label()),
        Some("Foster care with other carers")
    );
}

fn with_context<T>(
    f: &Fixture,
    year: i32,
    info: MetricInfo,
    go: impl FnOnce(&Context<'_>) -> T,
) -> T {
    let cohort = view(f, year);
    let params = Params::new();
    let host = HostInfo::default();
    go(&Context {
        info: &info,
        cohort: &cohort,
        params: &params,
        host: &host,
    })
}

#[test]
fn quarters_periods_and_working_days() {
    let info = MetricInfo::new("m", "t", "1").measure("n", "n", Unit::Count, &[]);
    with_context(&fixture(), 2025, info, |ctx| {
        assert_eq!(ctx.collection_year(), CollectionYear(2025));
        assert_eq!(ctx.quarter_of(date("2024-04-01")), Some(Quarter::Q1));
        assert_eq!(ctx.quarter_of(date("2024-12-31")), Some(Quarter::Q3));
        assert_eq!(ctx.quarter_of(date("2025-03-31")), Some(Quarter::Q4));
        assert_eq!(ctx.quarter_of(date("2025-04-01")), None);
        let periods: Vec<Period> = ctx.periods_of(date("2024-08-15")).collect();
        assert_eq!(periods, [Period::Year, Period::Q2]);
        assert_eq!(ctx.periods_of(date("2024-03-31")).count(), 0);
        // 20 working days from Monday 2 December 2024 skip Christmas,
        // Boxing Day and New Year's Day, as the built-in timescales do.
        let cal = ctx.calendar();
        assert_eq!(
            cal.add_working_days(date("2024-12-02"), 20),
            date("2025-01-02")
        );
        // After Christmas Eve up to 2 January: 27, 30, 31 December, 2 January.
        assert_eq!(
            cal.working_days_between(date("2024-12-24"), date("2025-01-02")),
            4
        );
        assert_eq!(date("2025-01-02").weekday(), Weekday::Thu);
    });
}

#[test]
fn a_rate_per_10000_children_uses_the_population_or_says_why_not() {
    let info = MetricInfo::new("m", "t", "1").measure("rate", "r", Unit::Per10000, &[]);
    let rows = with_context(&fixture(), 2025, info.clone(), |ctx| {
        let p = ctx.cohort.population().unwrap();
        assert_eq!(
            p,
            Some(Population {
                year: 2025,
                mid_year: 2024,
                children: 36_601
            })
        );
        let mut out = ctx.output();
        out.per_10000_children("rate", Period::Snapshot, 220, p);
        read_rows(out.finish().unwrap().batch()).unwrap()
    });
    assert_eq!(
        (rows[0].numerator, rows[0].denominator),
        (Some(220), Some(36_601))
    );
    assert_eq!(rows[0].value.map(|v| (v * 10.0).round() / 10.0), Some(60.1));
    assert_eq!(rows[0].note, "population: ONS mid-2024 estimate, aged 0-17");

    // No estimate for 2024 in the fixture: not computable, never 0.
    let rows = with_context(&fixture(), 2024, info.clone(), |ctx| {
        let mut out = ctx.output();
        let p = ctx.cohort.population().unwrap();
        out.per_10000_children("rate", Period::Snapshot, 220, p);
        read_rows(out.finish().unwrap().batch()).unwrap()
    });
    assert_eq!((rows[0].numerator, rows[0].value), (None, None));
    assert_eq!(
        rows[0].note,
        "not computable: no under-18 population for 800 in the reference data for 2023-24"
    );

    // A rate that is not its numerator over its population is refused, by
    // the builder and the host alike (one check).
    let mut bad = rows[0].clone();
    bad.year = 2025;
    bad.numerator = Some(220);
    bad.denominator = Some(36_601);
    bad.value = Some(61.0);
    let e = check_row(&bad, &info, "800", 2025).unwrap_err();
    assert!(e.problem.contains("rate per 10,000"), "{e}");
    bad.value = Some(220.0 * 10_000.0 / 36_601.0);
    assert!(check_row(&bad, &info, "800", 2025).is_ok());
    bad.denominator = None;
    let e = check_row(&bad, &info, "800", 2025).unwrap_err();
    assert!(e.problem.contains("its population"), "{e}");
    bad.denominator = Some(0);
    assert!(check_row(&bad, &info, "800", 2025).is_err());
    // No value (not computable, or a population of 0): nothing to check.
    bad.value = None;
    assert!(check_row(&bad, &info, "800", 2025).is_ok());
}

/// Every day from March 2024 to April 2025 counts in the periods the
/// built-in metrics' `Periods::flows_of` gives it.
#[test]
fn periods_of_a_date_are_the_built_ins() {
    use iro_metric_api::periods::{FLOWS, Periods};
    let info = MetricInfo::new("m", "t", "1").measure("n", "n", Unit::Count, &[]);
    with_context(&fixture(), 2025, info, |ctx| {
        let builtin = Periods::new(iro_metric_api::CollectionYear(2025));
        let mut day = date("2024-03-01");
        while day <= date("2025-04-30") {
            let ours: Vec<Period> = ctx.periods_of(day).collect();
            let theirs: Vec<Period> = builtin
                .flows_of(day)
                .map(|f| f.iter().map(|&i| FLOWS[i]).collect())
                .unwrap_or_default();
            assert_eq!(ours, theirs, "{day}");
            day = day.succ_opt().unwrap();
        }
    });
}

/// The note that says a figure is not computable is the engine's.
#[test]
fn not_computable_is_written_as_the_engine_reads_it() {
    assert_eq!(
        iro_plugin_sdk::output::NOT_COMPUTABLE,
        iro_metric_api::NOT_COMPUTABLE
    );
    let (notes, why) = iro_metric_api::split_note_text("a note; not computable: no data");
    assert_eq!((notes, why), ("a note", Some("no data")));
}
