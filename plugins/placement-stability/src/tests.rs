//! A hand-built cohort whose figures were worked out by hand (comments give the
//! working), property tests of the counting rules (timings: `benches/benches/placements.rs`).
//!
//! Year computed: 2024-25 (window 1/4/2024–31/3/2025). Key dates:
//! 2.5 years back = 30/09/2022 (period must have begun on or before it);
//! 2 years back = 31/03/2023 (carer spell must have begun on or before it; a
//! "CLA 2 years" period of care must have begun on or before it).

use super::*;
use chrono::NaiveDate;
use iro_domain::*;
use iro_metric_api::MetricExt;
use iro_metric_api::Params;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use LegalStatus::*;
use PlacementType::*;
use ReasonEpisodeCeased::*;
use ReasonNewEpisode::*;
use ReasonPlaceChange as Why;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn child(id: &str, dob: Option<&str>) -> Child {
    Child {
        child_id: id.into(),
        sex: Some(Sex::Female),
        dob: dob.map(d),
        ethnic: Some(Ethnicity::WBRI),
        upn: None,
        mother: None,
        mc_dob: None,
        uasc: None,
        header_year: Some(CollectionYear(2025)),
    }
}

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

trait EpisodeExt {
    fn post(self, pc: &str) -> Self;
    fn why(self, r: ReasonPlaceChange) -> Self;
}

impl EpisodeExt for Episode {
    fn post(mut self, pc: &str) -> Self {
        self.pl_post = Postcode::parse(pc);
        self
    }
    fn why(mut self, r: ReasonPlaceChange) -> Self {
        self.reason_place_change = Some(r);
        self
    }
}

// Child indices, for the tests below.
const TEMP_RETURN: usize = 0;
const SAME_CARER_MOVE: usize = 1;
const INTO_A5: usize = 2;
const CROSSES_MARCH: usize = 3;
const MOVES_1_APRIL: usize = 4;
const RE_ENTRY: usize = 5;
const AGED_15: usize = 6;
const AGED_16: usize = 7;
const ADOPTION_YES: usize = 8;
const ADOPTION_NO: usize = 9;
const PART_WAY_OLD: usize = 10;
const PART_WAY_RECENT: usize = 11;
const THREE_IN_2Y: usize = 12;
const SHORT_BREAKS: usize = 13;
const CEASED: usize = 14;
const NO_DOB: usize = 15;

fn parts(tables: &[i32]) -> CohortParts {
    let children = vec![
        child("TEMP", Some("2012-05-01")),
        child("SAMECARER", Some("2012-05-01")),
        child("A5", Some("2019-06-01")),
        child("CROSS", Some("2012-05-01")),
        child("APRIL1", Some("2012-05-01")),
        child("REENTRY", Some("2012-05-01")),
        // 15 on 31/03/2025 (16th birthday is 1 April).
        child("AGE15", Some("2009-04-01")),
        // 16 on 31/03/2025.
        child("AGE16", Some("2009-03-31")),
        child("ADOPTYES", Some("2020-02-01")),
        child("ADOPTNO", Some("2020-02-01")),
        child("PARTOLD", Some("2012-05-01")),
        child("PARTNEW", Some("2012-05-01")),
        child("THREE2Y", Some("2012-05-01")),
        child("SHORTBRK", Some("2014-03-03")),
        child("CEASED", Some("2008-01-01")),
        child("NODOB", None),
    ];
    let episodes = vec![
        // TEMP: U4 → T3 respite → back to the same U4 (same PLACE and PL_POST,
        // rule 383) → K2.
        ep(0, "2023-06-01", S, C2, U4, Some("2024-07-01"), Some(X1)).post("BA1 1AA"),
        ep(0, "2024-07-01", P, C2, T3, Some("2024-07-15"), Some(X1)),
        ep(0, "2024-07-15", P, C2, U4, Some("2024-10-01"), Some(X1))
            .post("BA1 1AA")
            .why(Why::CREQB),
        ep(0, "2024-10-01", P, C2, K2, None, None).post("BS1 2AB"),
        // SAMECARER: U6 → (T) U4 same carer → (P) U6 new carer.
        ep(1, "2022-01-10", S, V2, U6, Some("2024-05-01"), Some(X1)).why(Why::PLACE),
        ep(1, "2024-05-01", T, V2, U4, Some("2024-11-01"), Some(X1)).why(Why::ALLEG),
        ep(1, "2024-11-01", P, V2, U6, None, None),
        // A5: U6 → (U) A5 placed for adoption with the foster carer.
        ep(2, "2021-05-01", S, C2, U6, Some("2024-09-01"), Some(X1)).why(Why::CARPL),
        ep(2, "2024-09-01", U, E1, A5, None, None),
        // CROSS: enters in 2023-24, two moves in 2024-25.
        ep(3, "2024-02-01", S, V2, U6, Some("2024-06-01"), Some(X1)).why(Why::CREQO),
        ep(3, "2024-06-01", P, V2, K2, Some("2025-01-10"), Some(X1)).why(Why::CARPL),
        ep(3, "2025-01-10", P, V2, U4, None, None),
        // APRIL1: moves on 1 April 2024, the first day of the year.
        ep(4, "2023-09-01", S, V2, U6, Some("2024-04-01"), Some(X1)).why(Why::CARPL),
        ep(4, "2024-04-01", P, V2, U4, None, None),
        // RE_ENTRY: in and out, then back in and a move (reason not recorded).
        ep(5, "2024-05-01", S, V2, U6, Some("2024-08-01"), Some(E4A)),
        ep(5, "2024-12-01", S, V2, K2, Some("2025-02-01"), Some(X1)),
        ep(5, "2025-02-01", P, V2, U4, None, None),
        // AGE15: with the same carer since 2020, a fortnight's respite in 2024.
        ep(6, "2020-01-01", S, C2, U4, Some("2024-08-01"), Some(X1)).post("BA2 3CD"),
        ep(6, "2024-08-01", P, C2, T3, Some("2024-08-14"), Some(X1)),
        ep(6, "2024-08-14", P, C2, U4, None, None).post("BA2 3CD"),
        // AGE16: same carer since 2020.
        ep(7, "2020-01-01", S, C2, U4, None, None),
        // ADOPTYES: U6 → (T) U4 same carer → (B) A6 with adopters.
        ep(8, "2021-01-15", S, C2, U6, Some("2023-01-10"), Some(X1)).why(Why::PLACE),
        ep(8, "2023-01-10", T, C2, U4, Some("2024-10-01"), Some(X1)).why(Why::CARPL),
        ep(8, "2024-10-01", B, E1, A6, None, None),
        // ADOPTNO: U6 → (P) U4 → (B) A4.
        ep(9, "2022-06-01", S, C2, U6, Some("2023-06-01"), Some(X1)).why(Why::CREQO),
        ep(9, "2023-06-01", P, C2, U4, Some("2024-12-01"), Some(X1)).why(Why::CARPL),
        ep(9, "2024-12-01", B, E1, A4, None, None),
        // PARTOLD: the data begin with an RNE = P episode from 2021.
        ep(10, "2021-03-01", P, C2, U4, None, None),
        // PARTNEW: the data begin with an RNE = P episode from January 2023.
        ep(11, "2023-01-01", P, C2, U4, None, None),
        // THREE2Y: two moves in 2023-24, none in 2024-25.
        ep(12, "2022-01-01", S, V2, U6, Some("2023-06-01"), Some(X1)).why(Why::CREQB),
        ep(12, "2023-06-01", P, V2, K2, Some("2023-12-01"), Some(X1)).why(Why::CARPL),
        ep(12, "2023-12-01", P, V2, U4, None, None),
        // SHORTBRK: V4 short breaks, open at 31 March: not looked after.
        ep(13, "2024-06-01", S, V4, K2, None, None),
        // CEASED: a move, then leaves care in 2024-25.
        ep(14, "2023-01-01", S, V2, U6, Some("2024-06-01"), Some(X1)).why(Why::CHILD),
        ep(14, "2024-06-01", P, V2, K2, Some("2024-09-01"), Some(E13)),
        // NODOB: in care since 2020, date of birth not known.
        ep(15, "2020-01-01", S, C2, U4, None, None),
    ];
    let mut t = BTreeMap::new();
    for &y in tables {
        t.insert(
            CollectionYear(y),
            BTreeSet::from([TableKind::Header, TableKind::Episodes]),
        );
    }
    CohortParts {
        children,
        episodes,
        tables: t,
        ..Default::default()
    }
}

fn cohort(tables: &[i32]) -> Cohort {
    Cohort::new(LaCode::new(800).unwrap(), parts(tables))
}

fn run(cohort: &Cohort, year: i32, params: Params) -> Result<Vec<MetricRow>, MetricError> {
    static REFERENCE: OnceLock<(iro_metric_api::Reference, WorkingDayCalendar)> = OnceLock::new();
    let (reference, calendar) = REFERENCE.get_or_init(|| {
        (
            iro_metric_api::Reference::bundled().unwrap(),
            WorkingDayCalendar::england_and_wales(),
        )
    });
    let ctx = MetricContext {
        cohort,
        la: None,
        year: CollectionYear(year),
        reference,
        calendar,
        params: &params,
    };
    PlacementStability.compute(&ctx)
}

fn find<'a>(rows: &'a [MetricRow], measure: &str, breakdown: &str) -> &'a MetricRow {
    let metric = format!("placement-stability.{measure}");
    rows.iter()
        .find(|r| r.metric == metric && r.breakdown.to_string() == breakdown)
        .unwrap_or_else(|| panic!("no row {metric} [{breakdown}]"))
}

fn nd(rows: &[MetricRow], measure: &str, breakdown: &str) -> (Option<u64>, Option<u64>) {
    let r = find(rows, measure, breakdown);
    (r.numerator, r.denominator)
}

const DEFAULT: CountOptions = CountOptions {
    count_same_carer_moves: true,
    count_temporary: false,
};
const NO_SAME_CARER: CountOptions = CountOptions {
    count_same_carer_moves: false,
    count_temporary: false,
};
const WITH_TEMPORARY: CountOptions = CountOptions {
    count_same_carer_moves: true,
    count_temporary: true,
};

/// Placements counted for one child over collection year `year`, and over the
/// two years to `year`.
fn counts(cohort: &Cohort, c: usize, year: i32, opts: CountOptions) -> (u32, u32) {
    let rec = cohort.child(ChildIdx(c as u32));
    let mut flags = Vec::new();
    classify(rec.placements, cohort.episodes(), &mut flags);
    let pl = Placements::new(rec.placements, &flags, opts);
    let y = CollectionYear(year);
    (
        pl.count(y.start(), y.end(), |_| {}),
        pl.count(y.previous().start(), y.end(), |_| {}),
    )
}

fn carer_spell(cohort: &Cohort, c: usize, opts: CountOptions) -> (NaiveDate, Option<NaiveDate>) {
    let rec = cohort.child(ChildIdx(c as u32));
    let mut flags = Vec::new();
    classify(rec.placements, cohort.episodes(), &mut flags);
    let pl = Placements::new(rec.placements, &flags, opts);
    let k = pl.open_on(d("2025-03-31")).unwrap();
    (pl.carer_spell_start(k), pl.pre_adoption_spell_start(k))
}

#[test]
fn temporary_placement_and_return() {
    let c = cohort(&[2023, 2024, 2025]);
    // Placements: U4 (entry, open on 1/4/2024), T3 (P), U4 again (P, same PLACE
    // and PL_POST: the return), K2 (P).
    // Default: U4 = 1; T3 and the return disregarded; K2 +1 → 2.
    assert_eq!(counts(&c, TEMP_RETURN, 2025, DEFAULT).0, 2);
    // Counting temporary placements: U4, T3, U4, K2 → 4.
    assert_eq!(counts(&c, TEMP_RETURN, 2025, WITH_TEMPORARY).0, 4);
    // AGE15: U4 since 2020, T3 for a fortnight, back to U4.
    // Default: 1 placement, and the carer spell runs from 2020 (stable).
    assert_eq!(counts(&c, AGED_15, 2025, DEFAULT).0, 1);
    assert_eq!(carer_spell(&c, AGED_15, DEFAULT).0, d("2020-01-01"));
    // Counting them: U4, T3, U4 → 3, and the spell restarts on the return.
    assert_eq!(counts(&c, AGED_15, 2025, WITH_TEMPORARY).0, 3);
    assert_eq!(carer_spell(&c, AGED_15, WITH_TEMPORARY).0, d("2024-08-14"));
}

#[test]
fn same_carer_move_both_settings() {
    let c = cohort(&[2023, 2024, 2025]);
    // U6 (open 1/4/2024) = 1, T to U4 (same carer) +1, P to U6 +1 → 3.
    assert_eq!(counts(&c, SAME_CARER_MOVE, 2025, DEFAULT).0, 3);
    // Without same-carer moves: U6, P → 2.
    assert_eq!(counts(&c, SAME_CARER_MOVE, 2025, NO_SAME_CARER).0, 2);
    // The carer spell began with the P move on 1/11/2024 either way.
    assert_eq!(carer_spell(&c, SAME_CARER_MOVE, DEFAULT).0, d("2024-11-01"));
}

#[test]
fn move_into_a5_with_the_foster_carer_never_counts() {
    let c = cohort(&[2023, 2024, 2025]);
    // U6 = 1; the U move into A5 is not a change of placement → 1, both settings.
    assert_eq!(counts(&c, INTO_A5, 2025, DEFAULT), (1, 1));
    assert_eq!(counts(&c, INTO_A5, 2025, NO_SAME_CARER), (1, 1));
    // Same carer since entry on 1/5/2021.
    assert_eq!(carer_spell(&c, INTO_A5, DEFAULT).0, d("2021-05-01"));
}

#[test]
fn period_crossing_31_march_of_the_previous_year() {
    let c = cohort(&[2023, 2024, 2025]);
    // 2024-25: U6 (open on 1/4/2024) = 1, K2 +1, U4 +1 → 3.
    assert_eq!(counts(&c, CROSSES_MARCH, 2025, DEFAULT).0, 3);
    // 2023-24: only the entry placement U6 → 1.
    assert_eq!(counts(&c, CROSSES_MARCH, 2024, DEFAULT).0, 1);
    // A move on 1 April itself: U6 (ends 1/4/2024, so open as the year opens)
    // = 1, U4 +1 → 2.
    assert_eq!(counts(&c, MOVES_1_APRIL, 2025, DEFAULT).0, 2);
}

#[test]
fn re_entry_within_the_year() {
    let c = cohort(&[2023, 2024, 2025]);
    // First period: U6 = 1. Second period: K2 = 1, U4 +1 → 3.
    assert_eq!(counts(&c, RE_ENTRY, 2025, DEFAULT).0, 3);
}

#[test]
fn adoption_clause() {
    let c = cohort(&[2023, 2024, 2025]);
    // ADOPTYES: A6 from 1/10/2024 (B: new carer), so the current spell is short;
    // the placement before it, U4, continues (T) the U6 spell from 15/01/2021,
    // which is before 31/03/2023 → the adoption clause holds.
    assert_eq!(
        carer_spell(&c, ADOPTION_YES, DEFAULT),
        (d("2024-10-01"), Some(d("2021-01-15")))
    );
    // ADOPTNO: A4 from 1/12/2024; U4 before it began with a P move on 1/6/2023.
    assert_eq!(
        carer_spell(&c, ADOPTION_NO, DEFAULT),
        (d("2024-12-01"), Some(d("2023-06-01")))
    );
    // Not placed for adoption: no clause.
    assert_eq!(carer_spell(&c, SAME_CARER_MOVE, DEFAULT).1, None);
}

#[test]
fn three_plus_over_two_years() {
    let c = cohort(&[2023, 2024, 2025]);
    // THREE2Y: 2024-25 alone: U4 → 1. From 1/4/2023: U6 (open then) = 1,
    // K2 +1, U4 +1 → 3.
    assert_eq!(counts(&c, THREE_IN_2Y, 2025, DEFAULT), (1, 3));
    // SAMECARER over 2 years: U6, U4 (T), U6 (P) → 3; without T/U → 2.
    assert_eq!(counts(&c, SAME_CARER_MOVE, 2025, DEFAULT).1, 3);
    assert_eq!(counts(&c, SAME_CARER_MOVE, 2025, NO_SAME_CARER).1, 2);
}

/// The whole metric, default options, three years loaded.
///
/// Looked after at 31/03/2025 (14): every child but SHORTBRK (V4) and CEASED.
/// Placements in 2024-25: TEMP 2, SAMECARER 3, A5 1, CROSS 3, APRIL1 2,
/// REENTRY 3, AGE15 1, AGE16 1, ADOPTYES 2 (U4, A6), ADOPTNO 2 (U4, A4),
/// PARTOLD 1, PARTNEW 1, THREE2Y 1, NODOB 1. Sum 24.
/// Bands: 1 → 7, 2 → 4, 3 → 3 (SAMECARER, CROSS, REENTRY), 4 → 0, 5+ → 0.
#[test]
fn whole_metric_by_hand() {
    let c = cohort(&[2023, 2024, 2025]);
    let rows = run(&c, 2025, Params::new()).unwrap();

    assert_eq!(nd(&rows, "three-plus-placements", ""), (Some(3), Some(14)));
    for (band, n) in [("1", 7), ("2", 4), ("3", 3), ("4", 0), ("5+", 0)] {
        let b = format!("placements={band}");
        assert_eq!(nd(&rows, "placements-per-child", &b), (Some(n), Some(14)));
    }
    assert_eq!(nd(&rows, "placements-per-child", ""), (Some(14), Some(14)));
    let mean = find(&rows, "placements-mean", "");
    assert_eq!((mean.numerator, mean.denominator), (Some(24), Some(14)));
    assert_eq!(mean.value, Some(24.0 / 14.0));
    assert_eq!(mean.unit, Unit::Mean);

    // CLA 2 years (default: looked after at 31/03/2024 and at 31/03/2025):
    // all 14 but REENTRY (first entered 1/5/2024) → 13. APRIL1's U6 ended on
    // 1/4/2024, so it was open at the end of 31/03/2024: in. Placements over
    // 1/4/2023–31/3/2025: TEMP 2 (U4, K2; the respite and the return are
    // disregarded), SAMECARER 3, A5 1, CROSS 3 (U6 from 1/2/2024, K2, U4),
    // APRIL1 2, AGE15 1, AGE16 1, ADOPTYES 2 (U4 open on 1/4/2023, A6), ADOPTNO
    // 3 (U6 open on 1/4/2023, U4, A4), PARTOLD 1, PARTNEW 1, THREE2Y 3, NODOB 1
    // → 3+: SAMECARER, CROSS, ADOPTNO, THREE2Y = 4 of 13.
    let two = find(&rows, "three-plus-placements-2y", "");
    assert_eq!((two.numerator, two.denominator), (Some(4), Some(13)));
    assert!(
        two.note.contains(
            "CLA 2 years: looked after at 31 March 2024 and 2025 (cla_2_years=both-31-march)"
        ),
        "{}",
        two.note
    );

    // Long-term: under 16 and in care since 30/09/2022 or earlier:
    // SAMECARER (no: new carer 1/11/2024), A5 (yes: same carer since 2021),
    // AGE15 (yes: the respite is disregarded), ADOPTYES (yes: adoption clause),
    // ADOPTNO (no), PARTOLD (yes: data show care and carer since 1/3/2021),
    // THREE2Y (no: carer since 1/12/2023) → 4 of 7. AGE16 is 16. PARTNEW's data
    // begin on 1/1/2023 although 2022-23 is loaded: a broken chain, so not
    // continuously looked after. NODOB: not assessable.
    assert_eq!(nd(&rows, "long-term-stability", ""), (Some(4), Some(7)));
    assert_eq!(
        find(&rows, "long-term-stability-not-assessable", "").value,
        Some(1.0)
    );
    assert_eq!(
        find(
            &rows,
            "long-term-stability-not-assessable",
            "reason=date of birth not known"
        )
        .value,
        Some(1.0)
    );

    // Moves in 2024-25 (every child): TEMP 1 (CREQB), SAMECARER 2 (PLACE on the
    // T move, ALLEG on the P move), CROSS 2 (CREQO, CARPL), APRIL1 1 (CARPL),
    // REENTRY 1 (not recorded), ADOPTYES 1 (CARPL), ADOPTNO 1 (CARPL),
    // CEASED 1 (CHILD) → 10. The move into A5 and the respite are not moves.
    assert_eq!(find(&rows, "moves", "").value, Some(10.0));
    for (reason, n) in [
        ("CARPL", 4.0),
        ("CHILD", 1.0),
        ("CREQB", 1.0),
        ("CREQO", 1.0),
        ("ALLEG", 1.0),
        ("PLACE", 1.0),
        ("not recorded", 1.0),
        ("LAREQ", 0.0),
    ] {
        assert_eq!(
            find(&rows, "moves", &format!("reason={reason}")).value,
            Some(n),
            "{reason}"
        );
    }
    assert_eq!(
        find(&rows, "moves", "move_type=same carer").value,
        Some(1.0)
    );
    assert_eq!(find(&rows, "moves", "move_type=new carer").value, Some(9.0));

    // Placement at 31 March: U4 × 9, K2, U6, A5, A6, A4.
    assert_eq!(nd(&rows, "placement-type", "place=U4"), (Some(9), Some(14)));
    assert_eq!(
        nd(
            &rows,
            "placement-type",
            "group=Foster care with other carers"
        ),
        (Some(10), Some(14))
    );
    assert_eq!(
        nd(&rows, "placement-type", "group=Placed for adoption"),
        (Some(3), Some(14))
    );

    // Options are echoed.
    let note = &find(&rows, "three-plus-placements", "").note;
    assert!(note.contains("count_same_carer_moves=true; count_temporary=false"));
}

#[test]
fn whole_metric_other_settings() {
    let c = cohort(&[2023, 2024, 2025]);
    let mut p = Params::new();
    p.insert(COUNT_TEMPORARY.into(), true.into());
    let rows = run(&c, 2025, p).unwrap();
    // TEMP 4 and AGE15 3 join SAMECARER, CROSS and REENTRY → 5 of 14.
    assert_eq!(nd(&rows, "three-plus-placements", ""), (Some(5), Some(14)));
    // AGE15's spell now restarts on 14/08/2024 → 3 of 7.
    assert_eq!(nd(&rows, "long-term-stability", ""), (Some(3), Some(7)));
    assert!(
        find(&rows, "moves", "")
            .note
            .contains("count_temporary=true")
    );

    let mut p = Params::new();
    p.insert(COUNT_SAME_CARER_MOVES.into(), false.into());
    let rows = run(&c, 2025, p).unwrap();
    // SAMECARER drops to 2 → CROSS, REENTRY: 2 of 14.
    assert_eq!(nd(&rows, "three-plus-placements", ""), (Some(2), Some(14)));
    // Over 2 years SAMECARER drops to 2 → CROSS, ADOPTNO, THREE2Y: 3 of 13.
    assert_eq!(
        nd(&rows, "three-plus-placements-2y", ""),
        (Some(3), Some(13))
    );
    assert_eq!(find(&rows, "moves", "").value, Some(9.0));
    assert_eq!(
        find(&rows, "moves", "move_type=same carer").value,
        Some(0.0)
    );
    // Long-term stability does not depend on it.
    assert_eq!(nd(&rows, "long-term-stability", ""), (Some(4), Some(7)));

    let mut p = Params::new();
    p.insert(COUNT_TEMPORARY.into(), "yes".into());
    assert!(matches!(
        run(&c, 2025, p),
        Err(MetricError::BadParameter { .. })
    ));
}

#[test]
fn data_beginning_part_way_through_a_period() {
    // Only 2024-25 loaded: the data cannot reach back to 30/09/2022.
    let c = cohort(&[2025]);
    let rows = run(&c, 2025, Params::new()).unwrap();
    // PARTOLD's data show care since 1/3/2021: assessed (and stable).
    // PARTNEW's data begin on 1/1/2023 with RNE = P: not assessable.
    // The other 2.5-year children have their RNE = S episode in the data.
    assert_eq!(nd(&rows, "long-term-stability", ""), (Some(4), Some(7)));
    assert_eq!(
        find(&rows, "long-term-stability-not-assessable", "").value,
        Some(2.0)
    );
    assert_eq!(
        find(
            &rows,
            "long-term-stability-not-assessable",
            "reason=data do not reach back 2.5 years"
        )
        .value,
        Some(1.0)
    );
    assert!(
        find(&rows, "long-term-stability-not-assessable", "")
            .note
            .contains("2022-23")
    );
    // No 2023-24 Episodes: the 2-year measure is a row with no value.
    let two = find(&rows, "three-plus-placements-2y", "");
    assert_eq!(two.value, None);
    assert!(
        two.note_text()
            .starts_with("not computable: no Episodes table for 2023-24")
    );
    // The in-year figures do not need earlier years.
    assert_eq!(nd(&rows, "three-plus-placements", ""), (Some(3), Some(14)));
    // PARTOLD, 2024-25: its one placement, open on 1 April → 1.
    assert_eq!(counts(&c, PART_WAY_OLD, 2025, DEFAULT).0, 1);
    assert_eq!(counts(&c, PART_WAY_RECENT, 2025, DEFAULT).0, 1);
}

#[test]
fn short_breaks_and_leavers_are_not_in_31_march_figures() {
    let c = cohort(&[2023, 2024, 2025]);
    // SHORTBRK is V4 throughout: no placements counted at all.
    assert_eq!(counts(&c, SHORT_BREAKS, 2025, DEFAULT), (0, 0));
    // CEASED had 2 placements in the year but left care.
    assert_eq!(counts(&c, CEASED, 2025, DEFAULT).0, 2);
}

#[test]
fn aged_15_and_16_at_31_march() {
    let c = cohort(&[2023, 2024, 2025]);
    let end = d("2025-03-31");
    // Born 1/4/2009: 15 on 31/03/2025, in the long-term denominator (and
    // stable, see whole_metric_by_hand). Born 31/3/2009: 16, left out.
    let age = |i: usize| c.child(ChildIdx(i as u32)).age_on(end);
    assert_eq!(
        (age(AGED_15), age(AGED_16), age(NO_DOB)),
        (Some(15), Some(16), None)
    );
    // Both have the same carer since 1/1/2020.
    assert_eq!(carer_spell(&c, AGED_16, DEFAULT).0, d("2020-01-01"));
    assert_eq!(carer_spell(&c, AGED_15, DEFAULT).0, d("2020-01-01"));
    // Were AGE16 counted, the indicator would be 5 of 8; the by-hand total
    // (4 of 7) includes AGE15 and leaves AGE16 out.
    let rows = run(&c, 2025, Params::new()).unwrap();
    assert_eq!(nd(&rows, "long-term-stability", ""), (Some(4), Some(7)));
}

#[test]
fn missing_episodes_are_not_computable() {
    let c = cohort(&[2023, 2024, 2025]);
    assert!(matches!(
        run(&c, 2026, Params::new()),
        Err(MetricError::NotComputable(_))
    ));
}

#[test]
fn additive_breakdowns_partition_their_totals() {
    let c = cohort(&[2023, 2024, 2025]);
    let rows = run(&c, 2025, Params::new()).unwrap();
    for m in SPEC.measures {
        let metric = m.id.to_string();
        for key in m.additive_breakdowns {
            let total = rows
                .iter()
                .find(|r| r.metric == metric && r.breakdown.is_empty())
                .and_then(|r| r.numerator)
                .unwrap_or_else(|| panic!("{metric} has no total row"));
            let cells: u64 = rows
                .iter()
                .filter(|r| r.metric == metric && r.breakdown.keys() == *key)
                .filter_map(|r| r.numerator)
                .sum();
            assert_eq!(cells, total, "{metric} by {key}");
        }
    }
}

#[test]
fn cla_2_years_parameter() {
    let c = cohort(&[2023, 2024, 2025]);
    let mut p = Params::new();
    p.insert(CLA_2_YEARS.into(), "continuous".into());
    let rows = run(&c, 2025, p).unwrap();
    // The period of care open at 31/03/2025 began by 31/03/2023: SAMECARER (3
    // placements over the 2 years), A5 (1), AGE15 (1), AGE16 (1), ADOPTYES
    // (U4, A6 = 2), ADOPTNO (U6 open 1/4/2023, U4, A4 = 3), PARTOLD (1),
    // PARTNEW (data show it open since 1/1/2023: 1), THREE2Y (3), NODOB (1) →
    // 10, of whom 3 have 3+. TEMP, CROSS and APRIL1 entered after 31/03/2023.
    let two = find(&rows, "three-plus-placements-2y", "");
    assert_eq!((two.numerator, two.denominator), (Some(3), Some(10)));
    assert!(
        two.note.contains(
            "period of care open at 31 March began on or before 31/03/2023 (cla_2_years=continuous)"
        ),
        "{}",
        two.note
    );
    // Nothing else depends on it.
    let default = run(&c, 2025, Params::new()).unwrap();
    assert_eq!(
        nd(&rows, "long-term-stability", ""),
        nd(&default, "long-term-stability", "")
    );
    let mut p = Params::new();
    p.insert(CLA_2_YEARS.into(), "two years".into());
    assert!(matches!(
        run(&c, 2025, p),
        Err(MetricError::BadParameter { name, .. }) if name == CLA_2_YEARS
    ));
}

/// "Looked after at both 31 Marches" against "continuously", at the edges:
/// a child who left and came back between the two 31 Marches, one whose care
/// ended on 31 March itself, and one who was looked after on 31 March two
/// years back but not last year.
#[test]
fn cla_2_years_edges() {
    let children = vec![
        child("LEFTBACK", Some("2012-05-01")),
        child("ENDS31MAR", Some("2012-05-01")),
        child("GAPYEAR", Some("2012-05-01")),
    ];
    let episodes = vec![
        // LEFTBACK: in care from 2022, home on 1/5/2024, back on 1/9/2024.
        // At 31/03/2024 and 31/03/2025: in the default cohort; the period open
        // at 31/03/2025 began 1/9/2024: not continuously. Placements over
        // 1/4/2023–31/3/2025: U4 (first period) 1 + K2 (second) 1 = 2.
        ep(0, "2022-01-01", S, V2, U4, Some("2024-05-01"), Some(E13)),
        ep(0, "2024-09-01", S, V2, K2, None, None),
        // ENDS31MAR: ceased on 31/03/2024 (not looked after at the end of that
        // day) and came back on 1/4/2024: in neither cohort.
        ep(1, "2023-01-01", S, V2, U4, Some("2024-03-31"), Some(E13)),
        ep(1, "2024-04-01", S, V2, U6, None, None),
        // GAPYEAR: looked after at 31/03/2023, home from 1/6/2023 to 1/6/2024:
        // not looked after at 31/03/2024, so in neither cohort.
        ep(2, "2021-01-01", S, C2, U4, Some("2023-06-01"), Some(E13)),
        ep(2, "2024-06-01", S, C2, U4, None, None),
    ];
    let mut tables = BTreeMap::new();
    for y in [2023, 2024, 2025] {
        tables.insert(CollectionYear(y), BTreeSet::from([TableKind::Episodes]));
    }
    let c = Cohort::new(
        LaCode::new(800).unwrap(),
        CohortParts {
            children,
            episodes,
            tables,
            ..Default::default()
        },
    );
    let rows = run(&c, 2025, Params::new()).unwrap();
    assert_eq!(nd(&rows, "three-plus-placements", ""), (Some(0), Some(3)));
    assert_eq!(
        nd(&rows, "three-plus-placements-2y", ""),
        (Some(0), Some(1))
    );
    let mut p = Params::new();
    p.insert(CLA_2_YEARS.into(), "continuous".into());
    let rows = run(&c, 2025, p).unwrap();
    assert_eq!(
        nd(&rows, "three-plus-placements-2y", ""),
        (Some(0), Some(0))
    );
    // LEFTBACK in 2024-25 alone: U4 (open on 1/4/2024) 1 + K2 1 = 2 as well.
    assert_eq!(counts(&c, 0, 2025, DEFAULT), (2, 2));
}

/// `compute_years` (one walk for several years) gives exactly what
/// `compute` gives year by year, and says "not computable" for a year with no
/// Episodes table, in its place.
#[test]
fn all_years_in_one_walk_match_year_by_year() {
    let c = cohort(&[2023, 2024, 2025]);
    let (reference, calendar) = (
        iro_metric_api::Reference::bundled().unwrap(),
        WorkingDayCalendar::england_and_wales(),
    );
    for params in [Params::new(), {
        let mut p = Params::new();
        p.insert(COUNT_TEMPORARY.into(), true.into());
        p.insert(CLA_2_YEARS.into(), "continuous".into());
        p
    }] {
        let params = SPEC.resolve_params(&params).unwrap();
        let ctxs: Vec<MetricContext<'_>> = [2023, 2026, 2024, 2025]
            .into_iter()
            .map(|y| MetricContext {
                cohort: &c,
                la: None,
                year: CollectionYear(y),
                reference: &reference,
                calendar: &calendar,
                params: &params,
            })
            .collect();
        let together = PlacementStability.compute_years(&ctxs);
        assert_eq!(together.len(), 4);
        for (ctx, got) in ctxs.iter().zip(&together) {
            assert_eq!(got, &PlacementStability.compute(ctx), "{}", ctx.year.0);
        }
        assert!(matches!(together[1], Err(MetricError::NotComputable(_))));
        assert!(together[3].as_ref().is_ok_and(|r| !r.is_empty()));
    }
    assert!(PlacementStability.compute_years(&[]).is_empty());
}

mod properties {
    //! Random episode histories: the counting rules' invariants.
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    struct Step {
        days: i64,
        rne: u8,
        place: u8,
        post: u8,
        ls: u8,
        ends: bool,
        gap: i64,
    }

    fn step() -> impl Strategy<Value = Step> {
        (
            1i64..300,
            0u8..5,
            0u8..9,
            0u8..3,
            0u8..10,
            prop::bool::weighted(0.12),
            1i64..200,
        )
            .prop_map(|(days, rne, place, post, ls, ends, gap)| Step {
                days,
                rne,
                place,
                post,
                ls,
                ends,
                gap,
            })
    }

    /// (days after 1/1/2019 of the first DECOM, first RNE is S, steps, last open)
    type History = (i64, bool, Vec<Step>, bool);

    fn history() -> impl Strategy<Value = History> {
        (
            0i64..2200,
            prop::bool::weighted(0.8),
            prop::collection::vec(step(), 1..12),
            prop::bool::weighted(0.7),
        )
    }

    fn episodes_of(c: u32, h: &History) -> Vec<Episode> {
        const PLACES: [PlacementType; 9] = [U4, U6, K2, T1, T3, A5, A6, U4, P1];
        const POSTS: [&str; 3] = ["BA1 1AA", "BS1 2AB", ""];
        const RNES: [ReasonNewEpisode; 5] = [L, P, T, U, B];
        let (offset, first_s, steps, last_open) = h;
        let mut date = d("2019-01-01") + chrono::Duration::days(*offset);
        let mut new_period = true;
        let mut out = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            let rne = if i == 0 {
                if *first_s { S } else { P }
            } else if new_period {
                S
            } else {
                RNES[s.rne as usize]
            };
            let ls = if s.ls == 0 { V4 } else { C2 };
            let last = i + 1 == steps.len();
            let dec = date + chrono::Duration::days(s.days);
            let (dec, rec) = if last && *last_open {
                (None, None)
            } else if s.ends || last {
                (Some(dec), Some(E4A))
            } else {
                (Some(dec), Some(X1))
            };
            let mut e = Episode {
                child: ChildIdx(c),
                decom: date,
                rne,
                ls,
                cin: None,
                place: Some(PLACES[s.place as usize]),
                place_provider: None,
                dec,
                rec,
                reason_place_change: None,
                home_post: None,
                pl_post: None,
                urn: None,
                year: CollectionYear::containing(date),
                source: SourceRef { file: 0, line: 2 },
            };
            e = e.post(POSTS[s.post as usize]);
            out.push(e);
            new_period = rec.is_some_and(|r| r != X1);
            date = match dec {
                Some(x) if new_period => x + chrono::Duration::days(s.gap),
                Some(x) => x,
                None => break,
            };
        }
        out
    }

    fn random_cohort(hs: &[History]) -> Cohort {
        let children = (0..hs.len())
            .map(|i| child(&format!("C{i}"), Some("2012-05-01")))
            .collect();
        let episodes = hs
            .iter()
            .enumerate()
            .flat_map(|(i, h)| episodes_of(i as u32, h))
            .collect();
        let mut t = BTreeMap::new();
        for y in 2021..=2025 {
            t.insert(CollectionYear(y), BTreeSet::from([TableKind::Episodes]));
        }
        Cohort::new(
            LaCode::new(800).unwrap(),
            CohortParts {
                children,
                episodes,
                tables: t,
                ..Default::default()
            },
        )
    }

    const ALL_OPTIONS: [CountOptions; 4] = [
        DEFAULT,
        NO_SAME_CARER,
        WITH_TEMPORARY,
        CountOptions {
            count_same_carer_moves: false,
            count_temporary: true,
        },
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn counting_invariants(hs in prop::collection::vec(history(), 1..8), year in 2023i32..=2025) {
            let c = random_cohort(&hs);
            let end = CollectionYear(year).end();
            for i in 0..hs.len() {
                let rec = c.child(ChildIdx(i as u32));
                let cla = rec.looked_after_on(end);
                for opts in ALL_OPTIONS {
                    let (one, two) = counts(&c, i, year, opts);
                    // Every child looked after at 31 March has at least one placement.
                    if cla {
                        prop_assert!(one >= 1, "child {i} {opts:?}");
                    }
                    // A longer window never lowers a count.
                    prop_assert!(two >= one, "child {i} {opts:?}: {two} < {one}");
                    // Moves are the placements beyond the first of each period.
                    let mut flags = Vec::new();
                    classify(rec.placements, c.episodes(), &mut flags);
                    let pl = Placements::new(rec.placements, &flags, opts);
                    let mut moves = 0;
                    let n = pl.count(CollectionYear(year).start(), end, |_| moves += 1);
                    prop_assert!(moves < n.max(1));
                    if let Some(k) = pl.open_on(end) {
                        prop_assert!(pl.carer_spell_start(k) <= rec.placements[k].start);
                        if let Some(s) = pl.pre_adoption_spell_start(k) {
                            prop_assert!(s <= rec.placements[k].start);
                        }
                    }
                }
                // Counting same-carer moves (or temporary placements) never lowers a count.
                for temp in [false, true] {
                    let with = CountOptions { count_same_carer_moves: true, count_temporary: temp };
                    let without = CountOptions { count_same_carer_moves: false, count_temporary: temp };
                    let (a, a2) = counts(&c, i, year, with);
                    let (b, b2) = counts(&c, i, year, without);
                    prop_assert!(a >= b && a2 >= b2, "same-carer, temp={temp}");
                }
                for same in [false, true] {
                    let with = CountOptions { count_same_carer_moves: same, count_temporary: true };
                    let without = CountOptions { count_same_carer_moves: same, count_temporary: false };
                    let (a, a2) = counts(&c, i, year, with);
                    let (b, b2) = counts(&c, i, year, without);
                    prop_assert!(a >= b && a2 >= b2, "temporary, same={same}");
                }
            }
            // The metric runs and its breakdowns add up.
            let rows = run(&c, year, Params::new()).unwrap();
            let total = |m: &str| find(&rows, m, "").numerator.unwrap();
            let sum = |m: &str, key: &str| -> u64 {
                let metric = format!("placement-stability.{m}");
                rows.iter()
                    .filter(|r| r.metric == metric && r.breakdown.keys() == key)
                    .filter_map(|r| r.numerator)
                    .sum()
            };
            prop_assert_eq!(sum("placements-per-child", "placements"), total("placements-per-child"));
            prop_assert_eq!(sum("moves", "reason"), total("moves"));
            prop_assert_eq!(sum("moves", "move_type"), total("moves"));
            prop_assert_eq!(sum("placement-type", "place"), total("placement-type"));
            let lt = find(&rows, "long-term-stability", "");
            prop_assert!(lt.numerator <= lt.denominator);
            // Both readings of "CLA 2 years" are children looked after at 31
            // March. (Neither need hold the other: a period of care can hold a
            // short-break episode open on 31 March of the previous year.)
            let mut p = Params::new();
            p.insert(CLA_2_YEARS.into(), "continuous".into());
            let cont = run(&c, year, p).unwrap();
            for rs in [&rows, &cont] {
                let two = find(rs, "three-plus-placements-2y", "");
                prop_assert!(two.denominator <= Some(total("placements-per-child")));
                prop_assert!(two.numerator <= two.denominator);
            }
        }

        #[test]
        fn one_walk_for_all_years_matches_year_by_year(hs in prop::collection::vec(history(), 1..8)) {
            let c = random_cohort(&hs);
            let reference = iro_metric_api::Reference::bundled().unwrap();
            let calendar = WorkingDayCalendar::england_and_wales();
            let params = SPEC.resolve_params(&Params::new()).unwrap();
            let ctxs: Vec<MetricContext<'_>> = (2021..=2025)
                .map(|y| MetricContext {
                    cohort: &c,
                    la: None,
                    year: CollectionYear(y),
                    reference: &reference,
                    calendar: &calendar,
                    params: &params,
                })
                .collect();
            let together = PlacementStability.compute_years(&ctxs);
            for (ctx, got) in ctxs.iter().zip(&together) {
                prop_assert_eq!(got, &PlacementStability.compute(ctx));
            }
        }
    }
}

#[test]
fn the_place_groups_declared_for_suppression_are_the_code_lists() {
    // Every PLACE code's group as `placement-type` shows it, and nothing else.
    let want: BTreeSet<(String, String)> = PlacementType::ALL
        .iter()
        .map(|p| (p.code().to_string(), p.group().label().to_string()))
        .chain([(NOT_KNOWN.to_string(), NOT_KNOWN.to_string())])
        .collect();
    let declared: BTreeSet<(String, String)> = PLACE_GROUPS
        .iter()
        .map(|(p, g)| (p.to_string(), g.to_string()))
        .collect();
    assert_eq!(declared, want);
    assert_eq!(PLACE_GROUPS.len(), want.len(), "no code twice");
    for slot in 0..GROUPS {
        assert!(
            PLACE_GROUPS.iter().any(|(_, g)| *g == group_label(slot)),
            "{}",
            group_label(slot)
        );
    }
}
