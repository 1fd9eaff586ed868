//! Hand-worked care leavers: who is counted, ages at the birthday, and each
//! code list.

use super::*;
use iro_domain::{
    Child, ChildIdx, Cohort, CohortParts, Episode, LaCode, LegalStatus, PlacementType,
    ReasonNewEpisode, SourceRef, WorkingDayCalendar,
};
use iro_metric_api::{MetricExt, Params, Reference};
use std::collections::{BTreeMap, BTreeSet};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%d/%m/%Y").unwrap()
}

const Y2025: CollectionYear = CollectionYear(2025);

fn oc3(child: u32, in_touch: &str, activ: Option<&str>, accom: Option<&str>) -> Oc3 {
    Oc3 {
        child: ChildIdx(child),
        in_touch: in_touch.into(),
        activ: activ.map(Into::into),
        accom: accom.map(Into::into),
        year: Y2025,
        source: SourceRef { file: 0, line: 2 },
    }
}

fn never_looked_after(_: NaiveDate) -> bool {
    false
}

#[test]
fn the_age_is_the_one_reached_on_the_birthday_in_the_year() {
    // 2024-25 runs from 1 April 2024 to 31 March 2025.
    assert_eq!(birthday_in(d("15/06/2006"), Y2025), (d("15/06/2024"), 18));
    assert_eq!(birthday_in(d("15/02/2006"), Y2025), (d("15/02/2025"), 19));
    assert_eq!(birthday_in(d("01/04/2007"), Y2025), (d("01/04/2024"), 17));
    assert_eq!(birthday_in(d("31/03/2004"), Y2025), (d("31/03/2025"), 21));
    // 29 February: 2025 has none, the birthday is kept on 28 February.
    assert_eq!(birthday_in(d("29/02/2004"), Y2025), (d("28/02/2025"), 21));
    assert_eq!(age_group(16), None);
    assert_eq!(age_group(17), Some(AGE_17_18));
    assert_eq!(age_group(18), Some(AGE_17_18));
    assert_eq!(age_group(19), Some(AGE_19_21));
    assert_eq!(age_group(21), Some(AGE_19_21));
    assert_eq!(age_group(22), None);
}

#[test]
fn who_is_counted() {
    let row = oc3(0, "YES", Some("F2"), Some("D1"));
    let at = |dob: &str| classify(&row, Some(d(dob)), Y2025, never_looked_after);
    // 16 on their birthday in the year, and 22: outside the indicators.
    assert_eq!(at("10/10/2008"), Leaver::NotCounted(OUTSIDE_AGES));
    assert_eq!(at("10/10/2002"), Leaver::NotCounted(OUTSIDE_AGES));
    assert!(matches!(
        at("10/10/2007"),
        Leaver::Counted {
            age_group: AGE_17_18,
            ..
        }
    ));
    assert!(matches!(
        at("10/10/2003"),
        Leaver::Counted {
            age_group: AGE_19_21,
            ..
        }
    ));
    assert_eq!(
        classify(&row, None, Y2025, never_looked_after),
        Leaver::NotCounted(NO_DOB)
    );
    // Died and returned home are left out whatever the age.
    for (code, why) in [
        ("DIED", DIED),
        ("RHOM", RETURNED_HOME),
        ("rhom", RETURNED_HOME),
    ] {
        let r = oc3(0, code, Some("0"), Some("0"));
        assert_eq!(
            classify(&r, Some(d("10/10/2004")), Y2025, never_looked_after),
            Leaver::NotCounted(why)
        );
    }
    // A 17- or 18-year-old looked after on their birthday is not a care
    // leaver yet; a 19-year-old is counted (the rule is for 17 and 18).
    let looked_after = |day: NaiveDate| day == d("10/10/2024");
    assert_eq!(
        classify(&row, Some(d("10/10/2006")), Y2025, looked_after),
        Leaver::NotCounted(STILL_LOOKED_AFTER)
    );
    assert!(matches!(
        classify(&row, Some(d("10/10/2005")), Y2025, looked_after),
        Leaver::Counted { .. }
    ));
}

fn answers(
    in_touch: &str,
    activ: Option<&str>,
    accom: Option<&str>,
) -> (&'static str, &'static str, &'static str) {
    match classify(
        &oc3(0, in_touch, activ, accom),
        Some(d("10/10/2004")),
        Y2025,
        never_looked_after,
    ) {
        Leaver::Counted {
            contact,
            accommodation,
            activity,
            ..
        } => (contact, accommodation, activity),
        other => panic!("{other:?}"),
    }
}

#[test]
fn in_touch_codes() {
    assert_eq!(answers("YES", None, None).0, IN_TOUCH);
    assert_eq!(answers("NO", None, None).0, NOT_IN_TOUCH);
    assert_eq!(answers("REFU", None, None).0, REFUSED);
    assert_eq!(answers("NREQ", None, None).0, NOT_REQUIRED);
    assert_eq!(answers("MAYBE", None, None).0, CONTACT_NOT_VALID);
}

#[test]
fn accommodation_codes() {
    assert_eq!(answers("YES", None, Some("D1")).1, SUITABLE);
    assert_eq!(answers("YES", None, Some("Z1")).1, SUITABLE);
    assert_eq!(answers("YES", None, Some("S2")).1, NOT_SUITABLE);
    assert_eq!(answers("YES", None, Some("X2")).1, NOT_SUITABLE);
    assert_eq!(answers("YES", None, Some("b2")).1, NOT_SUITABLE);
    assert_eq!(answers("NO", None, Some("0")).1, NO_INFORMATION);
    assert_eq!(answers("YES", None, None).1, NO_INFORMATION);
    // S1 (homeless and suitable) is not a code: no information.
    assert_eq!(answers("YES", None, Some("S1")).1, NO_INFORMATION);
}

#[test]
fn activity_codes() {
    for code in ["F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5"] {
        assert_eq!(answers("YES", Some(code), None).2, EET, "{code}");
    }
    for code in ["G4", "G5", "G6"] {
        assert_eq!(answers("YES", Some(code), None).2, NOT_EET, "{code}");
    }
    assert_eq!(answers("NO", Some("0"), None).2, NO_INFORMATION);
    assert_eq!(answers("YES", None, None).2, NO_INFORMATION);
    assert_eq!(answers("YES", Some("G7"), None).2, NO_INFORMATION);
}

fn child(i: u32, dob: Option<&str>) -> Child {
    Child {
        child_id: format!("L{i}").into(),
        sex: None,
        dob: dob.map(d),
        ethnic: None,
        upn: None,
        mother: None,
        mc_dob: None,
        uasc: None,
        header_year: Some(Y2025),
    }
}

/// Eight OC3 rows of 2024-25:
/// 0: 18, in touch, D1 suitable, F2 education;
/// 1: 17, not in touch, 0, 0;
/// 2: 20, in touch, U1 suitable, G5 not EET;
/// 3: 21, refused, 0, 0;
/// 4: 19, in touch, S2 unsuitable, F5 EET;
/// 5: died; 6: aged 23 (not in the indicators);
/// 7: 17 and looked after on their birthday (an open episode).
fn cohort(tables: &[TableKind]) -> Cohort {
    let children = vec![
        child(0, Some("01/05/2006")),
        child(1, Some("01/05/2007")),
        child(2, Some("01/05/2004")),
        child(3, Some("01/05/2003")),
        child(4, Some("01/05/2005")),
        child(5, Some("01/05/2005")),
        child(6, Some("01/05/2001")),
        child(7, Some("01/06/2007")),
    ];
    let oc3 = vec![
        oc3(0, "YES", Some("F2"), Some("D1")),
        oc3(1, "NO", Some("0"), Some("0")),
        oc3(2, "YES", Some("G5"), Some("U1")),
        oc3(3, "REFU", Some("0"), Some("0")),
        oc3(4, "YES", Some("F5"), Some("S2")),
        oc3(5, "DIED", Some("0"), Some("0")),
        oc3(6, "YES", Some("F1"), Some("U1")),
        oc3(7, "YES", Some("F2"), Some("Z1")),
    ];
    let episodes = vec![Episode {
        child: ChildIdx(7),
        decom: d("01/01/2022"),
        rne: ReasonNewEpisode::S,
        ls: LegalStatus::C2,
        cin: None,
        place: Some(PlacementType::U4),
        place_provider: None,
        dec: None,
        rec: None,
        reason_place_change: None,
        home_post: None,
        pl_post: None,
        urn: None,
        year: Y2025,
        source: SourceRef { file: 0, line: 2 },
    }];
    let tables = BTreeMap::from([(Y2025, tables.iter().copied().collect::<BTreeSet<_>>())]);
    Cohort::new(
        LaCode::new(800).unwrap(),
        CohortParts {
            children,
            episodes,
            oc3,
            tables,
            ..Default::default()
        },
    )
}

fn compute(cohort: &Cohort) -> Result<Vec<MetricRow>, MetricError> {
    static REFERENCE: std::sync::OnceLock<Reference> = std::sync::OnceLock::new();
    let reference = REFERENCE.get_or_init(|| Reference::bundled().unwrap());
    let calendar = WorkingDayCalendar::england_and_wales();
    let params = Params::new();
    let ctx = MetricContext {
        cohort,
        la: reference.la(cohort.la()),
        year: Y2025,
        reference,
        calendar: &calendar,
        params: &params,
    };
    CareLeavers.compute(&ctx)
}

fn get(rows: &[MetricRow], m: MeasureId, b: &str) -> (Option<u64>, Option<u64>) {
    let r = rows
        .iter()
        .find(|r| r.metric == m && r.breakdown.to_string() == b)
        .unwrap_or_else(|| panic!("no {m} [{b}]"));
    (r.numerator, r.denominator)
}

#[test]
fn the_indicators_by_hand() {
    let rows = compute(&cohort(&[
        TableKind::Header,
        TableKind::Episodes,
        TableKind::Oc3,
    ]))
    .unwrap();
    // Counted: 0, 1 (17 to 18); 2, 3, 4 (19 to 21).
    assert_eq!(get(&rows, IN_SCOPE, ""), (Some(5), None));
    assert_eq!(get(&rows, IN_SCOPE, "age_group=17 to 18"), (Some(2), None));
    assert_eq!(get(&rows, IN_SCOPE, "age_group=19 to 21"), (Some(3), None));
    let b = |g: &str, k: &str, v: &str| format!("age_group={g};{k}={v}");
    assert_eq!(
        get(&rows, CONTACT, &b(AGE_19_21, "contact", IN_TOUCH)),
        (Some(2), Some(3))
    );
    assert_eq!(
        get(&rows, CONTACT, &b(AGE_19_21, "contact", REFUSED)),
        (Some(1), Some(3))
    );
    assert_eq!(
        get(&rows, CONTACT, &b(AGE_17_18, "contact", NOT_IN_TOUCH)),
        (Some(1), Some(2))
    );
    assert_eq!(
        get(&rows, CONTACT, &b(AGE_17_18, "contact", NOT_REQUIRED)),
        (Some(0), Some(2))
    );
    assert_eq!(
        get(
            &rows,
            ACCOMMODATION,
            &b(AGE_19_21, "accommodation", SUITABLE)
        ),
        (Some(1), Some(3))
    );
    assert_eq!(
        get(
            &rows,
            ACCOMMODATION,
            &b(AGE_19_21, "accommodation", NOT_SUITABLE)
        ),
        (Some(1), Some(3))
    );
    assert_eq!(
        get(
            &rows,
            ACCOMMODATION,
            &b(AGE_19_21, "accommodation", NO_INFORMATION)
        ),
        (Some(1), Some(3))
    );
    assert_eq!(
        get(&rows, ACTIVITY, &b(AGE_19_21, "activity", EET)),
        (Some(1), Some(3))
    );
    assert_eq!(
        get(&rows, ACTIVITY, &b(AGE_17_18, "activity", EET)),
        (Some(1), Some(2))
    );
    // Not counted: 5 died, 6 aged 23, 7 still looked after.
    assert_eq!(get(&rows, NOT_COUNTED, ""), (Some(3), None));
    assert_eq!(get(&rows, NOT_COUNTED, "reason=Died"), (Some(1), None));
    assert_eq!(
        get(&rows, NOT_COUNTED, &format!("reason={OUTSIDE_AGES}")),
        (Some(1), None)
    );
    assert_eq!(
        get(&rows, NOT_COUNTED, &format!("reason={STILL_LOOKED_AFTER}")),
        (Some(1), None)
    );
}

#[test]
fn every_oc3_row_is_counted_or_given_a_reason() {
    let cohort = cohort(&[TableKind::Header, TableKind::Episodes, TableKind::Oc3]);
    let rows = compute(&cohort).unwrap();
    let counted = get(&rows, IN_SCOPE, "").0.unwrap();
    let not = get(&rows, NOT_COUNTED, "").0.unwrap();
    assert_eq!(counted + not, cohort.oc3().len() as u64);
    // Each cross-tab's cells add up to their age group.
    for (m, key, n) in [
        (CONTACT, "contact", CONTACTS.len()),
        (ACCOMMODATION, "accommodation", ACCOMMODATIONS.len()),
        (ACTIVITY, "activity", ACTIVITIES.len()),
    ] {
        for g in AGE_GROUPS {
            let cells: Vec<&MetricRow> = rows
                .iter()
                .filter(|r| r.metric == m && r.breakdown.get("age_group") == Some(g))
                .collect();
            assert_eq!(cells.len(), n, "{m} {key}");
            let sum: u64 = cells.iter().filter_map(|r| r.numerator).sum();
            assert_eq!(
                sum,
                get(&rows, IN_SCOPE, &format!("age_group={g}")).0.unwrap()
            );
        }
    }
}

#[test]
fn without_episodes_the_still_looked_after_are_counted_and_it_says_so() {
    let rows = compute(&cohort(&[TableKind::Header, TableKind::Oc3])).unwrap();
    assert_eq!(get(&rows, IN_SCOPE, "age_group=17 to 18"), (Some(3), None));
    let r = rows.iter().find(|r| r.metric == NOT_COUNTED).unwrap();
    assert!(
        r.note.contains("no Episodes table for 2024-25"),
        "{}",
        r.note
    );
}

#[test]
fn without_an_oc3_table_it_is_not_computable() {
    assert_eq!(
        compute(&cohort(&[TableKind::Header, TableKind::Episodes])),
        Err(MetricError::NotComputable(
            "no OC3 table for 2024-25".into()
        ))
    );
}

#[test]
fn relations_name_measures_that_exist() {
    for r in CareLeavers.relations() {
        for m in r.metrics() {
            assert!(SPEC.measure(m).is_some(), "{r}");
        }
    }
}
