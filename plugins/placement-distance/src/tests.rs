//! A hand-built Somerset (933) cohort for 2024-25 whose figures were worked
//! out by hand (the working is in the comments), the derivation on its own,
//! parameters, sector and district postcodes (timings: `benches/benches/placements.rs`).
//!
//! The postcode index is the bundled sector centroids plus a small unit table
//! imported from an ONSPD-style CSV written here: real ONSPD references for
//! real postcodes, and made-up `TA1 9A?` postcodes placed due east of
//! `TA1 1AA` at chosen distances.

use super::*;
use chrono::NaiveDate;
use iro_domain::*;
use iro_metric_api::MetricExt;
use iro_metric_api::{Params, Reference};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use LegalStatus::*;
use PlacementType::*;
use ReasonEpisodeCeased::*;
use ReasonNewEpisode::*;

/// TA1 1AA is at (322271, 125483). 1 mile = 1609.3 m in the DfE formula, so
/// +32186 m = 20.000 miles → 20.0; +32347 m = 20.100 → 20.1; +32251 m =
/// 20.040 → 20.0 (over 20 on the raw value, not on the 1-dp value).
const UNITS: &str = "pcd,oseast1m,osnrth1m,oslaua,osgrdind
TA1 1AA,322271,125483,E06000066,1
TA1 9AA,354457,125483,E06000066,1
TA1 9AB,354618,125483,E06000066,1
TA1 9AD,354522,125483,E06000066,1
B1  1AA,406649,286530,E08000025,1
BS1 1AA,359905,172440,E06000023,1
BT1 1AA,334316,374675,N09000003,1
YO7 1AA,442989,482181,E06000065,1
CF101AA,318284,176230,W06000015,1
JE2 3AB,,,L99999999,9
EH1 1AA,325910,674040,S12000036,1
CA1 1AA,339560,555499,E06000063,1
LA9 4AA,351519,492937,E06000064,1
";

fn index() -> Arc<PostcodeIndex> {
    static INDEX: OnceLock<Arc<PostcodeIndex>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let csv = dir.path().join("units.csv");
            std::fs::write(&csv, UNITS).unwrap();
            let bin = dir.path().join("units.bin");
            iro_postcodes::import_onspd(&csv, &bin).unwrap();
            Arc::new(PostcodeIndex::load(Some(&bin)).unwrap())
        })
        .clone()
}

fn reference() -> &'static Reference {
    static R: OnceLock<Reference> = OnceLock::new();
    R.get_or_init(|| Reference::bundled().unwrap())
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn pcode(s: &str) -> Option<Postcode> {
    (!s.is_empty()).then(|| Postcode::parse(s).unwrap())
}

fn child(id: &str, uasc: Option<Uasc>) -> Child {
    Child {
        child_id: id.into(),
        sex: Some(Sex::Female),
        dob: Some(d("2012-05-01")),
        ethnic: Some(Ethnicity::WBRI),
        upn: None,
        mother: None,
        mc_dob: None,
        uasc,
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
    home: &str,
    pl: &str,
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
        home_post: pcode(home),
        pl_post: pcode(pl),
        urn: None,
        year: CollectionYear::containing(d(decom)),
        source: SourceRef { file: 0, line: 2 },
    }
}

/// One open episode from 2023, so no new placement in 2024-25.
fn settled(c: u32, place: PlacementType, home: &str, pl: &str) -> Episode {
    ep(c, "2023-01-01", S, C2, place, None, None, home, pl)
}

const HOME: &str = "TA1 1AA";

fn cohort(la: u16, tables: &[TableKind]) -> Cohort {
    let former = Some(Uasc {
        duc: Some(d("2023-05-01")),
    });
    let children = vec![
        child("EXACT20", None),                  // 0
        child("OVER20", None),                   // 1
        child("NEAR20", None),                   // 2
        child("B1BS1", None),                    // 3
        child("UASC", Some(Uasc { duc: None })), // 4
        child("EXUASC", former),                 // 5
        child("UNKNOWN", None),                  // 6
        child("NI", None),                       // 7
        child("NYORKS", None),                   // 8
        child("SECTOR", None),                   // 9
        child("WALESHOME", None),                // 10
        child("JERSEY", None),                   // 11
        child("NOHOME", None),                   // 12
        child("NOPL", None),                     // 13
        child("SCOT", None),                     // 14
        child("SHORTBRK", None),                 // 15
        child("CEASED", None),                   // 16
        child("PLUNKNOWN", None),                // 17
    ];
    let episodes = vec![
        // 0: moved in the year to a placement exactly 20.0 miles away (inside).
        ep(
            0,
            "2023-01-01",
            S,
            C2,
            U4,
            Some("2024-09-01"),
            Some(X1),
            HOME,
            "BS1 1AA",
        ),
        ep(0, "2024-09-01", P, C2, U4, None, None, HOME, "TA1 9AA"),
        // 1: started in the year, 20.1 miles (inside, over 20).
        ep(1, "2024-06-01", S, C1, U4, None, None, HOME, "TA1 9AB"),
        // 2: 20.04 → 20.0 miles; a temporary placement and the return to the
        // same placement in the year: neither is a new placement.
        ep(
            2,
            "2023-02-01",
            S,
            C2,
            U6,
            Some("2024-10-01"),
            Some(X1),
            HOME,
            "TA1 9AD",
        ),
        ep(
            2,
            "2024-10-01",
            P,
            C2,
            T3,
            Some("2024-10-05"),
            Some(X1),
            HOME,
            "TA1 1AA",
        ),
        ep(2, "2024-10-05", P, C2, U6, None, None, HOME, "TA1 9AD"),
        // 3: the spec's worked example, B1 1AA → BS1 1AA = 76.6 miles (outside).
        ep(3, "2024-05-01", S, C2, K2, None, None, "B1 1AA", "BS1 1AA"),
        // 4: UASC, no home postcode (as usual), placed in Somerset.
        ep(4, "2024-07-01", S, V2, K3, None, None, "", HOME),
        // 5: formerly UASC: distance still blank (rule 406).
        settled(5, U6, HOME, "TA1 9AA"),
        // 6: home postcode in no directory.
        settled(6, U4, "ZZ9 9ZZ", HOME),
        // 7: placed in Northern Ireland: Irish Grid, no distance; outside.
        settled(7, U4, HOME, "BT1 1AA"),
        // 8: placed in North Yorkshire (E06000065, a 2023 unitary): 234.0 miles.
        settled(8, K2, HOME, "YO7 1AA"),
        // 9: placement postcode not in the unit table; its sector BS1 2 is.
        settled(9, P1, HOME, "BS1 2AB"),
        // 10: home in Wales: distance 999.9 (home outside England).
        settled(10, U4, "CF10 1AA", HOME),
        // 11: placed in Jersey: no grid reference; outside.
        settled(11, K2, HOME, "JE2 3AB"),
        // 12, 13: a postcode not recorded.
        settled(12, U4, "", HOME),
        ep(13, "2024-08-01", S, C1, U4, None, None, HOME, ""),
        // 14: placed in Edinburgh: 340.9 miles on the GB grid; outside.
        settled(14, K2, HOME, "EH1 1AA"),
        // 15: short breaks only: not looked after (DfE), no new placement.
        ep(15, "2024-11-01", S, V3, K2, None, None, HOME, "TA1 9AA"),
        // 16: placed (20.0 miles, inside) and ceased in the year.
        ep(
            16,
            "2024-04-10",
            S,
            V2,
            U4,
            Some("2024-12-01"),
            Some(E8),
            HOME,
            "TA1 9AA",
        ),
        // 17: placement postcode in no directory.
        settled(17, U1, HOME, "ZZ1 1ZZ"),
    ];
    let mut t = BTreeMap::new();
    for y in [2024, 2025] {
        t.insert(
            CollectionYear(y),
            tables.iter().copied().collect::<BTreeSet<_>>(),
        );
    }
    Cohort::new(
        LaCode::new(la).unwrap(),
        CohortParts {
            children,
            episodes,
            tables: t,
            ..Default::default()
        },
    )
}

const ALL_TABLES: &[TableKind] = &[TableKind::Header, TableKind::Episodes, TableKind::Uasc];

fn run(cohort: &Cohort, year: i32, params: Params) -> Result<Vec<MetricRow>, MetricError> {
    let metric = PlacementDistance::new(index());
    let params = metric.spec().resolve_params(&params)?;
    let calendar = WorkingDayCalendar::england_and_wales();
    let ctx = MetricContext {
        cohort,
        la: reference().la(cohort.la()),
        year: CollectionYear(year),
        reference: reference(),
        calendar: &calendar,
        params: &params,
    };
    metric.compute(&ctx)
}

fn find<'a>(rows: &'a [MetricRow], measure: &str, breakdown: &str) -> &'a MetricRow {
    rows.iter()
        .find(|r| {
            r.metric == format!("placement-distance.{measure}")
                && r.breakdown.to_string() == breakdown
        })
        .unwrap_or_else(|| panic!("no row {measure} [{breakdown}]"))
}

fn num(rows: &[MetricRow], measure: &str, breakdown: &str) -> u64 {
    find(rows, measure, breakdown).numerator.unwrap()
}

fn somerset_rows() -> Vec<MetricRow> {
    run(&cohort(933, ALL_TABLES), 2025, Params::new()).unwrap()
}

#[test]
fn distance_at_31_march_by_hand() {
    let rows = somerset_rows();
    // Looked after at 31/03/2025: 0–14 and 17 (15 short breaks, 16 ceased) = 16.
    let total = find(&rows, "distance", "");
    assert_eq!((total.numerator, total.denominator), (Some(16), Some(16)));
    // ≤ 20: 0 (20.0), 2 (20.04 → 20.0).
    assert_eq!(num(&rows, "distance", "distance=20 miles or less"), 2);
    // > 20: 1 (20.1), 3 (76.6), 8 (234.0), 9 (BS1 2 centroid, ~37), 14 (340.9).
    assert_eq!(num(&rows, "distance", "distance=Over 20 miles"), 5);
    // Not known: 4, 5 (UASC), 6, 7, 10, 11, 12, 13, 17.
    let nk = find(
        &rows,
        "distance",
        "distance=Distance not known or not recorded",
    );
    assert_eq!(nk.numerator, Some(9));
    assert!((nk.value.unwrap() - 56.25).abs() < 1e-9);
    // Only child 9 used a sector centroid: the cell holding it says so, the
    // others do not.
    assert!(
        find(&rows, "distance", "distance=Over 20 miles")
            .note
            .contains(APPROXIMATE)
    );
    assert!(find(&rows, "distance", "").note.contains(APPROXIMATE));
    assert!(
        !find(&rows, "distance", "distance=20 miles or less")
            .note
            .contains(APPROXIMATE)
    );
    assert_eq!(num(&rows, "approximate-locations", ""), 1);
}

#[test]
fn reasons_and_unmatched_postcodes_by_hand() {
    let rows = somerset_rows();
    let reason = |r: NotKnown| {
        num(
            &rows,
            "distance-not-known",
            &format!("reason={}", r.label()),
        )
    };
    assert_eq!(num(&rows, "distance-not-known", ""), 9);
    assert_eq!(reason(NotKnown::Uasc), 2); // 4, 5
    assert_eq!(reason(NotKnown::HomeNotRecorded), 1); // 12
    assert_eq!(reason(NotKnown::PlacementNotRecorded), 1); // 13
    assert_eq!(reason(NotKnown::HomeNotFound), 1); // 6
    assert_eq!(reason(NotKnown::HomeOutsideEngland), 1); // 10
    assert_eq!(reason(NotKnown::HomeNoGridReference), 0);
    assert_eq!(reason(NotKnown::PlacementNotFound), 1); // 17
    assert_eq!(reason(NotKnown::PlacementNoGridReference), 2); // 7 (NI), 11 (Jersey)
    // Unknown postcodes are counted, never dropped: ZZ9 9ZZ and ZZ1 1ZZ.
    assert_eq!(num(&rows, "postcodes-not-found", ""), 2);
    assert_eq!(num(&rows, "postcodes-not-found", "field=HOME_POST"), 1);
    assert_eq!(num(&rows, "postcodes-not-found", "field=PL_POST"), 1);
}

#[test]
fn location_by_hand() {
    let rows = somerset_rows();
    // Inside Somerset (E06000066 = DfE 933): 0, 1, 2, 4 (UASC: location is
    // known), 5, 6, 10, 12. Outside: 3 (Bristol), 7 (NIR), 8 (North
    // Yorkshire), 9 (Bristol, by sector), 11 (Jersey), 14 (SCO).
    // Not known: 13 (no PL_POST), 17 (PL_POST not found).
    assert_eq!(num(&rows, "location", "location=Inside LA boundary"), 8);
    assert_eq!(num(&rows, "location", "location=Outside LA boundary"), 6);
    assert_eq!(num(&rows, "location", "location=Location not known"), 2);
    assert!(
        find(&rows, "location", "location=Outside LA boundary")
            .note
            .contains(APPROXIMATE)
    );
    assert!(
        !find(&rows, "location", "location=Inside LA boundary")
            .note
            .contains(APPROXIMATE)
    );
    let ld = |l: &str, dd: &str| {
        num(
            &rows,
            "distance-location",
            &format!("location={l};distance={dd}"),
        )
    };
    let (w, o, n) = ("20 miles or less", "Over 20 miles", DISTANCE_NOT_KNOWN);
    assert_eq!((ld(INSIDE, w), ld(INSIDE, o), ld(INSIDE, n)), (2, 1, 5));
    assert_eq!((ld(OUTSIDE, w), ld(OUTSIDE, o), ld(OUTSIDE, n)), (0, 4, 2));
    assert_eq!(
        (
            ld(LOCATION_NOT_KNOWN, w),
            ld(LOCATION_NOT_KNOWN, o),
            ld(LOCATION_NOT_KNOWN, n)
        ),
        (0, 0, 2)
    );
}

#[test]
fn bands_groups_and_median_by_hand() {
    let rows = somerset_rows();
    let ix = index();
    let sector = |p: &str| ix.lookup(&Postcode::parse(p).unwrap()).unwrap();
    let nine = iro_postcodes::dfe_distance_tenths(&sector(HOME), &sector("BS1 2AB")).unwrap();
    assert!((300..=400).contains(&nine), "{nine}"); // ~37 miles: 21-40
    let band = |b: &str| num(&rows, "distance-band", &format!("band={b}"));
    assert_eq!(band("Less than 20 miles"), 2); // 0, 2
    assert_eq!(band("21-40 miles"), 2); // 1 (20.1), 9
    assert_eq!(band("41-60 miles"), 0);
    assert_eq!(band("61-80 miles"), 1); // 3 (76.6)
    assert_eq!(band("81-100 miles"), 0);
    assert_eq!(band("Over 100 miles"), 2); // 8 (234.0), 14 (340.9)
    assert_eq!(band(DISTANCE_NOT_KNOWN), 9);

    // Known distances sorted: 20.0, 20.0, 20.1, child 9, 76.6, 234.0, 340.9.
    let m = find(&rows, "median-distance", "");
    assert_eq!(m.denominator, Some(7));
    assert_eq!(m.value, Some(f64::from(nine) / 10.0));
    assert_eq!(m.unit, Unit::Miles);

    // By placement group, as a % of the group.
    let g = |grp: &str, dd: &str| {
        let r = find(
            &rows,
            "distance-by-placement",
            &format!("placement_group={grp};distance={dd}"),
        );
        (r.numerator.unwrap(), r.denominator.unwrap())
    };
    let foster = "Foster care with other carers"; // 0, 1, 2, 5, 6, 7, 10, 12, 13
    assert_eq!(g(foster, "20 miles or less"), (2, 9));
    assert_eq!(g(foster, "Over 20 miles"), (1, 9));
    assert_eq!(g(foster, DISTANCE_NOT_KNOWN), (6, 9));
    let resi = "Secure units, children's homes and residential settings"; // 3, 8, 11, 14
    assert_eq!(g(resi, "Over 20 miles"), (3, 4));
    assert_eq!(g(resi, DISTANCE_NOT_KNOWN), (1, 4));
    assert_eq!(
        g(
            "Placed with parents or others with parental responsibility",
            "Over 20 miles"
        ),
        (1, 1)
    );
    assert_eq!(
        g(
            "Independent and semi-independent living",
            DISTANCE_NOT_KNOWN
        ),
        (1, 1)
    );
    assert_eq!(
        g("Foster care with relatives or friends", DISTANCE_NOT_KNOWN),
        (1, 1)
    );
    // Groups with no children have no rows.
    assert!(
        !rows
            .iter()
            .any(|r| r.breakdown.to_string().contains("Placed for adoption"))
    );
}

#[test]
fn new_placements_by_hand() {
    let rows = somerset_rows();
    // New in 2024-25: 0's move (20.0, inside), 1 (20.1, inside), 3 (76.6,
    // outside), 4 (UASC), 13 (no PL_POST), 16 (20.0, inside, ceased later).
    // Not new: 2's temporary placement and its return, 15's short break,
    // placements begun before 1 April 2024.
    let np = find(&rows, "new-placements", "");
    assert_eq!(
        (np.numerator, np.denominator, np.period),
        (Some(6), Some(6), Period::Year)
    );
    let cat = |c: &str| num(&rows, "new-placements", &format!("location_distance={c}"));
    assert_eq!(
        cat("Placed inside LA boundary less than 20 miles from home"),
        2
    );
    assert_eq!(
        cat("Placed inside LA boundary more than 20 miles from home"),
        1
    );
    assert_eq!(
        cat("Placed outside LA boundary less than 20 miles from home"),
        0
    );
    assert_eq!(
        cat("Placed outside LA boundary more than 20 miles from home"),
        1
    );
    assert_eq!(cat(DISTANCE_NOT_KNOWN), 2);
    assert_eq!(cat(LOCATION_NOT_KNOWN), 0);
}

#[test]
fn additive_breakdowns_partition_their_totals() {
    let rows = somerset_rows();
    for m in SPEC.measures {
        let total = rows
            .iter()
            .find(|r| r.metric == m.id && r.breakdown.is_empty())
            .unwrap_or_else(|| panic!("{} has no total row", m.id));
        for keys in m.additive_breakdowns {
            let sum: u64 = rows
                .iter()
                .filter(|r| r.metric == total.metric && r.breakdown.keys() == *keys)
                .map(|r| r.numerator.unwrap())
                .sum();
            assert_eq!(Some(sum), total.numerator, "{} by {keys}", m.id);
        }
    }
    // Every row's metric is a declared measure.
    for r in &rows {
        let id = r
            .metric
            .as_str()
            .strip_prefix("placement-distance.")
            .unwrap();
        assert!(SPEC.measure_named(id).is_some(), "{id}");
    }
}

#[test]
fn the_2023_authorities() {
    let ix = index();
    let r = reference();
    let p = |s: &str| Postcode::parse(s).unwrap();
    let loc = |la: u16, pl: &str| {
        let own = OwnArea::of(r, LaCode::new(la).unwrap());
        derive(&ix, Some(&p(HOME)), Some(&p(pl)), false, own.as_ref()).location
    };
    // Somerset 933 and North Yorkshire 815 kept their DfE codes but changed
    // ONS codes in April 2023; the postcode directory gives the new ones.
    assert_eq!(loc(933, "TA1 9AA"), Some(InOut::In));
    assert_eq!(loc(815, "YO7 1AA"), Some(InOut::In));
    assert_eq!(loc(815, "TA1 9AA"), Some(InOut::Out));
    // Cumberland 942 and Westmorland and Furness 943 (new DfE codes).
    assert_eq!(loc(942, "CA1 1AA"), Some(InOut::In));
    assert_eq!(loc(942, "LA9 4AA"), Some(InOut::Out));
    assert_eq!(loc(943, "LA9 4AA"), Some(InOut::In));
    // Cumbria 909 (abolished): its area is its successors'.
    let cumbria = OwnArea::of(r, LaCode::new(909).unwrap()).unwrap();
    assert!(cumbria.via_successors.as_deref().unwrap().contains("942"));
    assert_eq!(loc(909, "CA1 1AA"), Some(InOut::In));
    assert_eq!(loc(909, "LA9 4AA"), Some(InOut::In));
    assert_eq!(loc(909, "YO7 1AA"), Some(InOut::Out));
    // PL_LA as the DfE validator writes it.
    let d = derive(&ix, Some(&p(HOME)), Some(&p("YO7 1AA")), false, None);
    assert_eq!(d.pl_la.unwrap().code(), "E06000065");
    assert_eq!(d.location, None); // own area unknown
    assert_eq!(d.pl_distance(), Some(234.0));
    let scot = derive(&ix, Some(&p(HOME)), Some(&p("EH1 1AA")), false, None);
    assert_eq!(
        (
            scot.pl_la.unwrap().code(),
            scot.location,
            scot.pl_distance()
        ),
        ("SCO", Some(InOut::Out), Some(340.9))
    );
    let ni = derive(&ix, Some(&p(HOME)), Some(&p("BT1 1AA")), false, None);
    assert_eq!(
        (ni.pl_la.unwrap().code(), ni.pl_distance()),
        ("NIR", Some(999.9))
    );
    let wal = derive(&ix, Some(&p("CF10 1AA")), Some(&p(HOME)), false, None);
    assert_eq!(wal.pl_distance(), Some(999.9));
    let uasc = derive(&ix, Some(&p(HOME)), Some(&p("TA1 9AA")), true, None);
    assert_eq!(uasc.pl_distance(), None); // blank, not 999.9
}

#[test]
fn worked_example_and_the_20_mile_edge() {
    let ix = index();
    let p = |s: &str| Postcode::parse(s).unwrap();
    let dist = |h: &str, pl: &str| derive(&ix, Some(&p(h)), Some(&p(pl)), false, None);
    let b = dist("B1 1AA", "BS1 1AA");
    assert_eq!(
        (b.pl_distance(), b.distance_approximate),
        (Some(76.6), false)
    );
    assert_eq!(dist(HOME, "TA1 9AA").distance_tenths, Some(200));
    assert_eq!(dist(HOME, "TA1 9AB").distance_tenths, Some(201));
    assert_eq!(dist(HOME, "TA1 9AD").distance_tenths, Some(200));
    let o = Options::default();
    assert_eq!(o.distance_slot(Some(200)), 0);
    assert_eq!(o.distance_slot(Some(201)), 1);
    // Bands: ≤ 20.0 | 20.1–40.0 | … | 80.1–100.0 | > 100.0 | not known.
    for (t, slot) in [
        (0, 0),
        (200, 0),
        (201, 1),
        (400, 1),
        (401, 2),
        (1000, 4),
        (1001, 5),
    ] {
        assert_eq!(o.band_slot(Some(t)), slot, "{t}");
    }
    assert_eq!(o.band_slot(None), 6);
    // With only sector centroids, the same pair is approximate.
    let sectors = PostcodeIndex::bundled().unwrap();
    let s = derive(
        &sectors,
        Some(&p("B1 1AA")),
        Some(&p("BS1 1AA")),
        false,
        None,
    );
    assert!(s.distance_approximate);
    assert!((740..=790).contains(&s.distance_tenths.unwrap()));
}

#[test]
fn sector_centroids_only_label_every_distance_approximate() {
    let metric = PlacementDistance::bundled().unwrap();
    let cohort = cohort(933, ALL_TABLES);
    let params = metric.spec().resolve_params(&Params::new()).unwrap();
    let calendar = WorkingDayCalendar::england_and_wales();
    let ctx = MetricContext {
        cohort: &cohort,
        la: reference().la(cohort.la()),
        year: CollectionYear(2025),
        reference: reference(),
        calendar: &calendar,
        params: &params,
    };
    let rows = metric.compute(&ctx).unwrap();
    for b in ["distance=20 miles or less", "distance=Over 20 miles"] {
        let r = find(&rows, "distance", b);
        if r.numerator != Some(0) {
            assert!(r.note.contains(APPROXIMATE), "{b}: {}", r.note);
        }
    }
    // The made-up TA1 9A? postcodes fall back to the TA1 9 sector; JE2 3AB to
    // JE2 3 (no grid reference); ZZ9 9ZZ has no sector.
    assert_eq!(num(&rows, "postcodes-not-found", ""), 2);
    assert!(num(&rows, "approximate-locations", "") >= 10);
}

#[test]
fn parameters() {
    let c = cohort(933, ALL_TABLES);
    let mut p = Params::new();
    p.insert(THRESHOLD_MILES.into(), serde_json::json!(20.05));
    let rows = run(&c, 2025, p).unwrap();
    // The threshold is compared on the 1-dp scale: 20.05 rounds to 20.1, so
    // 20.0, 20.0 and 20.1 are within it.
    assert_eq!(num(&rows, "distance", "distance=20.1 miles or less"), 3);
    assert!(
        find(&rows, "distance", "")
            .note
            .contains("threshold_miles=20.1")
    );
    let mut p = Params::new();
    p.insert(BANDS.into(), serde_json::json!([10, 50]));
    let rows = run(&c, 2025, p).unwrap();
    assert_eq!(num(&rows, "distance-band", "band=Less than 10 miles"), 0);
    assert_eq!(num(&rows, "distance-band", "band=11-50 miles"), 4);
    assert_eq!(num(&rows, "distance-band", "band=Over 50 miles"), 3);
    for bad in [
        (THRESHOLD_MILES, serde_json::json!("twenty")),
        (THRESHOLD_MILES, serde_json::json!(-1)),
        (BANDS, serde_json::json!([40, 20])),
        (BANDS, serde_json::json!([])),
        (BANDS, serde_json::json!([20.5])),
    ] {
        let mut p = Params::new();
        p.insert(bad.0.into(), bad.1.clone());
        assert!(
            matches!(run(&c, 2025, p), Err(MetricError::BadParameter { .. })),
            "{bad:?}"
        );
    }
    let mut p = Params::new();
    p.insert("threshold".into(), serde_json::json!(20));
    assert!(run(&c, 2025, p).is_err());
}

#[test]
fn missing_tables() {
    // No Episodes for the year: not computable, never zero.
    let c = cohort(933, &[TableKind::Header, TableKind::Uasc]);
    assert!(matches!(
        run(&c, 2025, Params::new()),
        Err(MetricError::NotComputable(_))
    ));
    let c = cohort(933, ALL_TABLES);
    assert!(matches!(
        run(&c, 2026, Params::new()),
        Err(MetricError::NotComputable(_))
    ));
    // No UASC table: computed, with a warning on the rows.
    let c = cohort(933, &[TableKind::Header, TableKind::Episodes]);
    let rows = run(&c, 2025, Params::new()).unwrap();
    assert!(find(&rows, "distance", "").note.contains("no UASC table"));
}

#[test]
fn an_authority_not_in_the_reference_data() {
    // 999 is a well-formed DfE code no authority has: location not known.
    let c = cohort(999, ALL_TABLES);
    let rows = run(&c, 2025, Params::new()).unwrap();
    // Placements in England (0–6, 8, 9, 10, 12) and none found (13, 17).
    assert_eq!(num(&rows, "location", "location=Location not known"), 13);
    // Outside England is outside any English authority: 7, 11, 14.
    assert_eq!(num(&rows, "location", "location=Outside LA boundary"), 3);
    assert!(
        find(&rows, "location", "")
            .note
            .contains("not in the reference data")
    );
    // Distance does not depend on it.
    assert_eq!(num(&rows, "distance", "distance=Over 20 miles"), 5);
}

/// A small Somerset (933) cohort whose HOME_POST and PL_POST hold postcode
/// sectors and districts as well as unit postcodes, all looked after at
/// 31/03/2025 in one placement since 2023 (so no new placements in 2024-25).
/// With `extra_sector`, a sixth child placed in the sector `BA1 2`.
fn forms_cohort(extra_sector: bool) -> Cohort {
    let mut children = vec![
        child("SECTORHOME", None),   // 0
        child("DISTRICTHOME", None), // 1
        child("AMBIGUOUS", None),    // 2
        child("NIDISTRICT", None),   // 3
        child("UNKNOWNSECT", None),  // 4
    ];
    let mut episodes = vec![
        settled(0, U4, "TA1 1", "TA1 9AA"),
        settled(1, U4, "ta1", "BS1 1AA"),
        settled(2, U4, HOME, "BA12"),
        settled(3, U4, HOME, "BT1"),
        settled(4, U4, "zz9 9", "TA1 9AA"),
    ];
    if extra_sector {
        children.push(child("SECTORPL", None)); // 5
        episodes.push(settled(5, U4, HOME, "ba1 2"));
    }
    let mut t = BTreeMap::new();
    for y in [2024, 2025] {
        t.insert(CollectionYear(y), ALL_TABLES.iter().copied().collect());
    }
    Cohort::new(
        LaCode::new(933).unwrap(),
        CohortParts {
            children,
            episodes,
            tables: t,
            ..Default::default()
        },
    )
}

/// Sector, district and sector-or-district values, by hand. Centroids from
/// `data/reference/postcodes/sector_centroids.csv`:
///
/// * TA1 1 (322683, 124976) → TA1 9AA (354457, 125483): √(31774² + 507²) =
///   31,778 m = 19.75 miles → **19.7** (20 miles or less), from a sector
///   centroid; placed in Somerset (unit postcode): inside.
/// * TA1, the district: its sectors TA1 1, 2, 3, 4, 5, 9 weighted by their
///   unit postcodes (359, 323, 358, 314, 213, 302) → (322536, 124700); to
///   BS1 1AA (359905, 172440): 60,626 m = 37.67 → **37.7** (over 20), from a
///   district centroid; Bristol: outside.
/// * BA12 is the sector BA1 2 (Bath) or the district BA12 (Warminster); both
///   are in the table. The authority's other truncated values are 2 sectors
///   (TA1 1, ZZ9 9) and 2 districts (TA1, BT1): a tie, so BA12 is not placed
///   (placement not found, location not known).
/// * BT1 (Belfast): Irish Grid, so no distance; PL_LA NIR, outside, the
///   location from a district centroid.
/// * ZZ9 9: no such sector: home postcode not found.
#[test]
fn sectors_and_districts_by_hand() {
    let rows = run(&forms_cohort(false), 2025, Params::new()).unwrap();
    assert_eq!(num(&rows, "distance", ""), 5);
    let within = find(&rows, "distance", "distance=20 miles or less");
    assert_eq!(within.numerator, Some(1)); // child 0
    assert!(within.note.contains(APPROXIMATE) && !within.note.contains(APPROXIMATE_DISTRICT));
    let over = find(&rows, "distance", "distance=Over 20 miles");
    assert_eq!(over.numerator, Some(1)); // child 1
    assert!(over.note.contains(APPROXIMATE_DISTRICT) && !over.note.contains(APPROXIMATE));
    assert_eq!(
        num(
            &rows,
            "distance",
            "distance=Distance not known or not recorded"
        ),
        3 // 2, 3, 4
    );
    let m = find(&rows, "median-distance", "");
    assert_eq!(
        (m.denominator, m.value),
        (Some(2), Some((197.0 + 377.0) / 20.0))
    );
    let reason = |r: NotKnown| {
        num(
            &rows,
            "distance-not-known",
            &format!("reason={}", r.label()),
        )
    };
    assert_eq!(reason(NotKnown::HomeNotFound), 1); // 4
    assert_eq!(reason(NotKnown::PlacementNotFound), 1); // 2 (ambiguous)
    assert_eq!(reason(NotKnown::PlacementNoGridReference), 1); // 3 (Belfast)
    assert_eq!(num(&rows, "location", "location=Inside LA boundary"), 2); // 0, 4
    assert_eq!(num(&rows, "location", "location=Outside LA boundary"), 2); // 1, 3
    assert_eq!(num(&rows, "location", "location=Location not known"), 1); // 2
    assert!(
        find(&rows, "location", "location=Outside LA boundary")
            .note
            .contains(APPROXIMATE_DISTRICT)
    );
    // Distance from a centroid for 0 and 1, location for 3.
    assert_eq!(num(&rows, "approximate-locations", ""), 3);
    // Every value is accounted for, by field and how it was placed.
    assert_eq!(num(&rows, "postcode-resolution", ""), 10);
    let res = |field: &str, r: Resolution| {
        num(
            &rows,
            "postcode-resolution",
            &format!("field={field};resolution={}", r.label()),
        )
    };
    assert_eq!(res("HOME_POST", Resolution::Unit), 2); // 2, 3
    assert_eq!(res("HOME_POST", Resolution::Sector), 1); // 0
    assert_eq!(res("HOME_POST", Resolution::District), 1); // 1
    assert_eq!(res("HOME_POST", Resolution::NotFound), 1); // 4
    assert_eq!(res("PL_POST", Resolution::Unit), 3); // 0, 1, 4
    assert_eq!(res("PL_POST", Resolution::District), 1); // 3
    assert_eq!(res("PL_POST", Resolution::Ambiguous), 1); // 2
    assert_eq!(res("PL_POST", Resolution::NotRecorded), 0);
    // Not placed: ZZ9 9 and BA12, reported per field, with how BA12 was read.
    assert_eq!(num(&rows, "postcodes-not-found", "field=HOME_POST"), 1);
    assert_eq!(num(&rows, "postcodes-not-found", "field=PL_POST"), 1);
    let note = &find(&rows, "postcodes-not-found", "").note;
    assert!(
        note.contains("1 values such as BA12 (sector BA1 2 or district BA12) placed only where the tables hold one reading: the authority's other values hold 2 sectors and 2 districts"),
        "{note}"
    );
}

/// With a third sector (`ba1 2`), sectors outnumber districts 3 to 2, so
/// BA12 is read as the sector BA1 2 (374729, 165129): from TA1 1AA (322271,
/// 125483), √(52458² + 39646²) = 65,754 m = 40.86 → **40.9** miles, in Bath
/// and North East Somerset: outside. `ba1 2` is the same place.
#[test]
fn sector_or_district_read_as_the_authority_writes_them() {
    let rows = run(&forms_cohort(true), 2025, Params::new()).unwrap();
    assert_eq!(num(&rows, "distance", ""), 6);
    assert_eq!(num(&rows, "distance", "distance=Over 20 miles"), 3); // 1, 2, 5
    let band = |b: &str| num(&rows, "distance-band", &format!("band={b}"));
    assert_eq!(band("21-40 miles"), 1); // 37.7
    assert_eq!(band("41-60 miles"), 2); // 40.9 twice
    assert_eq!(num(&rows, "postcodes-not-found", "field=PL_POST"), 0);
    assert_eq!(
        num(
            &rows,
            "postcode-resolution",
            &format!("field=PL_POST;resolution={}", Resolution::Sector.label())
        ),
        2
    );
    let p = |s: &str| Postcode::parse(s).unwrap();
    let d = derive_as(
        &index(),
        Reading::Sector,
        Some(&p(HOME)),
        Some(&p("BA12")),
        false,
        None,
    );
    assert_eq!(d.pl_distance(), Some(40.9));
    assert!(d.distance_approximate);
    assert_eq!(d.pl_la.unwrap().code(), "E06000022");
    assert!(
        find(&rows, "postcode-resolution", "").note.contains(
            "read as sectors: the authority's other values hold 3 sectors and 2 districts"
        )
    );
    // Read as the district BA12 instead: Warminster, in Wiltshire.
    let w = derive_as(
        &index(),
        Reading::District,
        Some(&p(HOME)),
        Some(&p("BA12")),
        false,
        None,
    );
    assert_eq!(w.pl_la.unwrap().code(), "E06000054");
}

/// `compute_years` (one walk over the children for several years) gives
/// exactly what `compute` gives year by year, and "not computable" in place
/// for a year with no Episodes table.
#[test]
fn all_years_in_one_walk_match_year_by_year() {
    let metric = PlacementDistance::new(index());
    let calendar = WorkingDayCalendar::england_and_wales();
    for (c, params) in [
        (cohort(933, ALL_TABLES), Params::new()),
        (cohort(909, ALL_TABLES), {
            let mut p = Params::new();
            p.insert(THRESHOLD_MILES.into(), serde_json::json!(30));
            p
        }),
        (forms_cohort(true), Params::new()),
    ] {
        let params = metric.spec().resolve_params(&params).unwrap();
        let ctxs: Vec<MetricContext<'_>> = [2025, 2023, 2024]
            .into_iter()
            .map(|y| MetricContext {
                cohort: &c,
                la: reference().la(c.la()),
                year: CollectionYear(y),
                reference: reference(),
                calendar: &calendar,
                params: &params,
            })
            .collect();
        let together = metric.compute_years(&ctxs);
        assert_eq!(together.len(), 3);
        for (ctx, got) in ctxs.iter().zip(&together) {
            assert_eq!(got, &metric.compute(ctx), "{}", ctx.year.0);
        }
        assert!(matches!(together[1], Err(MetricError::NotComputable(_))));
        assert!(together[0].is_ok() && together[2].is_ok());
    }
    assert!(metric.compute_years(&[]).is_empty());
}

/// End to end from CSV: a return whose HOME_POST and PL_POST hold sectors and
/// districts goes through ingest with no postcode warning (only the value
/// that is no postcode at all is reported and blanked), and every value is
/// placed or accounted for.
#[test]
fn sector_only_returns_are_read_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let y = dir.path().join("800").join("2025");
    std::fs::create_dir_all(&y).unwrap();
    std::fs::write(
        y.join("header.csv"),
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n\
         1,M,01/05/2012,WBRI,UN1,,\n\
         2,F,01/05/2012,WBRI,UN1,0,\n\
         3,M,01/05/2012,WBRI,UN1,,\n\
         4,M,01/05/2012,WBRI,UN1,,\n",
    )
    .unwrap();
    // Child 2's `ba12` is read as the sector BA1 2: the return's other
    // truncated values are two sectors (BA1 2, BA2 1) and one district (BA1).
    std::fs::write(
        y.join("episodes.csv"),
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n\
         1,01/06/2024,S,C2,N1,U4,PR1,,,,BA1 2,BS1 1AA,\n\
         2,01/06/2024,S,C2,N1,U4,PR1,,,,ba12,BS1 1AA,\n\
         3,01/06/2024,S,C2,N1,U4,PR1,,,,BA2 1,BA1,\n\
         4,01/06/2024,S,C2,N1,U4,PR1,,,,NOT A PC,BS1 1AA,\n",
    )
    .unwrap();
    let loaded = iro_ingest::load(
        &iro_ingest::InputSource::Folder(dir.path().to_path_buf()),
        &iro_ingest::LoadOptions::default(),
    )
    .unwrap();
    let invalid: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.rule == iro_ingest::rules::POSTCODE_INVALID)
        .collect();
    assert_eq!(invalid.len(), 1, "{invalid:?}");
    assert_eq!(invalid[0].line, Some(5));
    let c = &loaded.cohorts[0];
    let kinds: Vec<Option<PostcodeKind>> = c
        .episodes()
        .iter()
        .map(|e| e.home_post.map(|p| p.kind()))
        .collect();
    assert_eq!(
        kinds,
        [
            Some(PostcodeKind::Sector),
            Some(PostcodeKind::SectorOrDistrict),
            Some(PostcodeKind::Sector),
            None
        ]
    );
    let rows = run(c, 2025, Params::new()).unwrap();
    let res = |field: &str, r: Resolution| {
        num(
            &rows,
            "postcode-resolution",
            &format!("field={field};resolution={}", r.label()),
        )
    };
    assert_eq!(res("HOME_POST", Resolution::Sector), 3);
    assert_eq!(res("HOME_POST", Resolution::NotRecorded), 1);
    assert_eq!(res("PL_POST", Resolution::Unit), 3);
    assert_eq!(res("PL_POST", Resolution::District), 1);
    assert_eq!(num(&rows, "postcodes-not-found", ""), 0);
    // Children 1–3 have a distance (from centroids); 4's home was not a postcode.
    assert_eq!(num(&rows, "distance-not-known", ""), 1);
    assert_eq!(num(&rows, "approximate-locations", ""), 3);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    const ENGLISH: [&str; 9] = [
        "TA1 1AA", "TA1 9AA", "TA1 9AB", "B1 1AA", "BS1 1AA", "YO7 1AA", "CA1 1AA", "LA9 4AA",
        "BS1 2AB",
    ];

    proptest! {
        #[test]
        fn distance_is_symmetric_and_non_negative(a in 0usize..ENGLISH.len(), b in 0usize..ENGLISH.len()) {
            let ix = index();
            let p = |s: &str| Postcode::parse(s).unwrap();
            let ab = derive(&ix, Some(&p(ENGLISH[a])), Some(&p(ENGLISH[b])), false, None);
            let ba = derive(&ix, Some(&p(ENGLISH[b])), Some(&p(ENGLISH[a])), false, None);
            prop_assert!(ab.distance_tenths.is_some());
            prop_assert_eq!(ab.distance_tenths, ba.distance_tenths);
            prop_assert!(ab.pl_distance().unwrap() >= 0.0);
            if a == b {
                prop_assert_eq!(ab.distance_tenths, Some(0));
            }
        }
    }
}

/// The relations declared for suppression hold on the worked example, and
/// every row they name by its breakdown is written (the engine checks those
/// that reach into other metrics, over whole runs).
#[test]
fn declared_relations_hold_and_name_rows_that_exist() {
    use iro_metric_api::{Field, Relation, Rows, Term};
    let rows = somerset_rows();
    let own = |m: MeasureId| m.metric() == "placement-distance";
    let get = |r: &MetricRow, f: Field| match f {
        Field::Numerator => r.numerator.unwrap(),
        Field::Denominator => r.denominator.unwrap(),
    };
    let one = |t: &Term| -> Option<u64> {
        let Rows::Only(b) = t.rows else { return None };
        let r = rows
            .iter()
            .find(|r| r.metric == t.metric && r.breakdown.to_string() == b)
            .unwrap_or_else(|| panic!("no row {t}"));
        Some(get(r, t.field))
    };
    let mut checked = 0;
    for rel in PlacementDistance::new(index()).relations() {
        match *rel {
            Relation::Sum { total, parts } if own(total.metric) => {
                let terms: Vec<Term> = std::iter::once(total)
                    .chain(parts.iter().copied())
                    .collect();
                if terms.iter().any(|t| !own(t.metric) || t.rows == Rows::Each) {
                    continue;
                }
                let sum: u64 = parts.iter().map(|t| one(t).unwrap()).sum();
                assert_eq!(Some(sum), one(&total), "{rel}");
                checked += 1;
            }
            Relation::SumByValue { parts, total } if own(parts.metric) && own(total.metric) => {
                let value = |r: &MetricRow, keys: &str, by: &str| {
                    (r.breakdown.keys() == keys)
                        .then(|| r.breakdown.get(by).map(str::to_string))
                        .flatten()
                };
                for t in rows.iter().filter(|r| r.metric == total.metric) {
                    let Some(v) = value(t, total.keys, total.by) else {
                        continue;
                    };
                    let sum: u64 = rows
                        .iter()
                        .filter(|r| r.metric == parts.metric)
                        .filter(|r| value(r, parts.keys, parts.by).as_deref() == Some(v.as_str()))
                        .map(|r| get(r, parts.field))
                        .sum();
                    assert_eq!(sum, get(t, total.field), "{rel} [{v}]");
                    checked += 1;
                }
            }
            _ => {}
        }
    }
    assert!(checked >= 20, "{checked}");
}
