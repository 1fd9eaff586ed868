//! IRO records read from Standard Safeguarding Dataset extracts
//! (`service::ssd`): every SSD-specific problem is a diagnostic of a
//! registered rule with its file, line and column; rows read = used +
//! excluded; identifiers stay withheld under their SSD column names.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use iro_domain::{
    ChildIdx, Cohort, CollectionYear, Diagnostic, LaCode, ReviewStatus, ServiceTable, Severity,
};
use iro_ingest::service::rules;
use iro_ingest::{FileStatus, InputSource, LoadOptions, Loaded, load};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ssd")
}

fn loaded() -> Loaded {
    load(&InputSource::Folder(fixture()), &LoadOptions::default()).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

use Severity::{Error as E, Info as I, Warning as W};

/// (severity, rule, file under the fixture, line, column, field)
type Found<'a> = (
    Severity,
    &'a str,
    &'a str,
    Option<u64>,
    Option<u32>,
    Option<&'a str>,
);

#[test]
fn every_ssd_problem_has_its_file_line_and_column() {
    let l = loaded();
    let found: Vec<(&Diagnostic, String)> = l
        .diagnostics
        .iter()
        .filter(|d| d.rule.starts_with("ssd.") || d.rule.starts_with("iro."))
        .filter(|d| d.rule != rules::REVIEW_NO_RECORD)
        .map(|d| {
            let f = d.file.as_ref().unwrap().strip_prefix(fixture()).unwrap();
            (d, f.display().to_string())
        })
        .collect();
    let (eps, rev, inv) = (
        "800/2025/ssd_cla_episodes.csv",
        "800/2025/ssd_cla_reviews.csv",
        "800/2025/ssd_involvements.csv",
    );
    let want: Vec<Found> = vec![
        // CLA id 5003 is given two persons: the first is used.
        (
            W,
            rules::SSD_CLA_PERSON_CONFLICT,
            eps,
            Some(5),
            Some(2),
            Some("clae_person_id"),
        ),
        // The SSD holds no chair, report or record dates, type or mode.
        (I, rules::MISSING_OPTIONAL, rev, Some(1), None, None),
        // Line 2's due date is the placeholder 1900-01-01: blank.
        (
            I,
            rules::SSD_PLACEHOLDER_DATE,
            rev,
            Some(2),
            Some(3),
            Some("clar_cla_review_due_date"),
        ),
        (
            E,
            rules::SSD_CANCELLED_UNKNOWN,
            rev,
            Some(3),
            Some(5),
            Some("clar_cla_review_cancelled"),
        ),
        (
            E,
            rules::SSD_CLA_UNKNOWN,
            rev,
            Some(4),
            Some(2),
            Some("clar_cla_id"),
        ),
        (
            W,
            rules::SSD_PARTICIPATION_UNKNOWN,
            rev,
            Some(5),
            Some(6),
            Some("clar_cla_review_participation"),
        ),
        (
            W,
            rules::SSD_PARTICIPATION_DIFFERS,
            rev,
            Some(6),
            Some(6),
            Some("clar_cla_review_participation"),
        ),
        (
            I,
            rules::SSD_REVIEW_NO_DATE,
            rev,
            Some(7),
            Some(4),
            Some("clar_cla_review_date"),
        ),
        // CLA id 5099 is person 9999, in no SSDA903 file.
        (
            E,
            rules::CHILD_UNKNOWN,
            rev,
            Some(8),
            Some(2),
            Some("clar_cla_id"),
        ),
        (
            I,
            rules::SSD_NOT_IRO,
            inv,
            Some(5),
            Some(3),
            Some("invo_professional_role_id"),
        ),
        (
            W,
            rules::SSD_ROLE_BLANK,
            inv,
            Some(7),
            Some(3),
            Some("invo_professional_role_id"),
        ),
        // Authority 801 has reviews by CLA id but no ssd_cla_episodes file,
        // and involvements without an end date column.
        (
            I,
            rules::MISSING_OPTIONAL,
            "801/2025/ssd_cla_reviews.csv",
            Some(1),
            None,
            None,
        ),
        (
            E,
            rules::SSD_NO_CLA_EPISODES,
            "801/2025/ssd_cla_reviews.csv",
            Some(2),
            Some(2),
            Some("clar_cla_id"),
        ),
        (
            E,
            rules::MISSING_COLUMNS,
            "801/2025/ssd_involvements.csv",
            Some(1),
            None,
            None,
        ),
        (
            I,
            rules::MISSING_OPTIONAL,
            "802/2025/ssd_cla_reviews.csv",
            Some(1),
            None,
            None,
        ),
    ];
    let got: Vec<Found> = found
        .iter()
        .map(|(d, f)| {
            (
                d.severity,
                d.rule.as_str(),
                f.as_str(),
                d.line,
                d.column,
                d.field.as_deref(),
            )
        })
        .collect();
    assert_eq!(got, want);
    // Every rule is registered with the severity it is reported with.
    for d in &l.diagnostics {
        if d.rule.starts_with("ssd.") || d.rule.starts_with("iro.") {
            let r = rules::ALL.iter().find(|r| r.name == d.rule).unwrap();
            assert!(r.severity.is_none_or(|s| s == d.severity), "{}", d.rule);
        }
    }
}

#[test]
fn the_fixture_exercises_every_ssd_rule() {
    let l = loaded();
    for r in rules::ALL.iter().filter(|r| r.name.starts_with("ssd.")) {
        assert!(
            l.diagnostics.iter().any(|d| d.rule == r.name),
            "no fixture row produces {}",
            r.name
        );
    }
}

#[test]
fn what_a_diagnostic_counts_is_said_and_values_are_where_they_belong() {
    let l = loaded();
    let one = |rule: &str| l.diagnostics.iter().find(|d| d.rule == rule).unwrap();
    // Tallied: one diagnostic per value, with the count in the message.
    let not_iro = one(rules::SSD_NOT_IRO);
    assert_eq!(not_iro.value.as_deref(), Some("Allocated Case Worker"));
    assert!(
        not_iro.message.starts_with("2 involvement row(s)"),
        "{}",
        not_iro.message
    );
    assert_eq!(
        one(rules::SSD_CANCELLED_UNKNOWN).value.as_deref(),
        Some("X")
    );
    assert_eq!(
        one(rules::SSD_PARTICIPATION_DIFFERS).value.as_deref(),
        Some("PN5")
    );
    assert!(
        one(rules::SSD_NO_CLA_EPISODES)
            .message
            .starts_with("2 review row(s)")
    );
    // Identifiers under their SSD names are withheld from shareable outputs.
    for rule in [rules::SSD_CLA_UNKNOWN, rules::CHILD_UNKNOWN] {
        let d = one(rule);
        assert!(d.value.is_some() && d.is_identifying(), "{d:?}");
    }
    assert_eq!(one(rules::SSD_CLA_UNKNOWN).value.as_deref(), Some("5404"));
    assert_eq!(one(rules::CHILD_UNKNOWN).value.as_deref(), Some("9999"));
}

fn child(c: &Cohort, id: &str) -> ChildIdx {
    ChildIdx(
        c.children()
            .iter()
            .position(|ch| ch.child_id.as_ref() == id)
            .unwrap() as u32,
    )
}

#[test]
fn rows_read_are_used_or_excluded_and_records_reach_the_children() {
    let l = loaded();
    let acc = |la: u16, t: ServiceTable| {
        let a = l
            .service_accounts
            .iter()
            .find(|a| a.la == LaCode::new(la).unwrap() && a.table == t)
            .unwrap();
        assert_eq!(a.rows_read, a.rows_used + a.rows_excluded);
        (a.rows_read, a.rows_used, a.rows_excluded)
    };
    // Reviews: flag X, CLA id 5404, no date, person 9999 excluded.
    assert_eq!(acc(800, ServiceTable::IroReviews), (8, 4, 4));
    // Involvements: two social workers' and a blank role excluded.
    assert_eq!(acc(800, ServiceTable::IroAllocations), (6, 3, 3));
    assert_eq!(acc(801, ServiceTable::IroReviews), (2, 0, 2));
    assert_eq!(acc(801, ServiceTable::IroAllocations), (1, 0, 1));
    let status = |name: &str| {
        l.files
            .iter()
            .find(|f| f.path.ends_with(name))
            .map(|f| (f.status.clone(), f.rows))
            .unwrap()
    };
    assert_eq!(
        status("800/2025/ssd_cla_episodes.csv"),
        (FileStatus::ServiceLink(ServiceTable::IroReviews), 6)
    );
    assert_eq!(
        status("800/2025/ssd_involvements.csv"),
        (FileStatus::ServiceRecords(ServiceTable::IroAllocations), 6)
    );
    assert_eq!(
        status("801/2025/ssd_involvements.csv"),
        (FileStatus::ServiceExcluded(ServiceTable::IroAllocations), 1)
    );
    assert!(l.unrecognised_files().next().is_none());

    let c = l.cohort(LaCode::new(800).unwrap()).unwrap();
    let s = c.service();
    let y = CollectionYear(2025);
    assert!(s.has_column(y, ServiceTable::IroReviews, "REVIEW_DUE"));
    assert!(!s.has_column(y, ServiceTable::IroReviews, "IRO_ID"));
    // Authority 802's reviews name the CLA episode (the older definitions'
    // clar_cla_episode_id), linked through clae_cla_episode_id.
    let c802 = l.cohort(LaCode::new(802).unwrap()).unwrap();
    let s802 = c802.service();
    assert_eq!(
        s802.reviews_of(child(c802, "1001"))
            .iter()
            .map(|r| (r.review, r.status))
            .collect::<Vec<_>>(),
        vec![
            (d(2024, 4, 15), ReviewStatus::Held),
            (d(2024, 10, 3), ReviewStatus::Cancelled)
        ]
    );
    assert_eq!(s802.reviews_of(child(c802, "1002")).len(), 1);
    assert_eq!(acc(802, ServiceTable::IroReviews), (3, 3, 0));
    let c1001 = s.reviews_of(child(c, "1001"));
    assert_eq!(
        c1001
            .iter()
            .map(|r| (r.review, r.review_due))
            .collect::<Vec<_>>(),
        // The placeholder due date is read as none.
        vec![
            (d(2024, 4, 15), None),
            (d(2024, 10, 10), Some(d(2024, 10, 15)))
        ]
    );
    // IRO_MET_CHILD from the last IRO contact: before the first review (Y);
    // at or before the previous held review (N); after the review (blank).
    assert!(s.has_column(y, ServiceTable::IroReviews, "IRO_MET_CHILD"));
    assert_eq!(
        c1001.iter().map(|r| r.iro_met_child).collect::<Vec<_>>(),
        vec![Some(true), Some(false)]
    );
    assert_eq!(s.reviews_of(child(c, "1006")).len(), 1);
    assert_eq!(s.reviews_of(child(c, "1006"))[0].iro_met_child, None);
    // 1002's review of 28/08/2024 was excluded for its cancelled flag.
    let c1002 = s.reviews_of(child(c, "1002"));
    assert_eq!(
        c1002.iter().map(|r| r.review).collect::<Vec<_>>(),
        vec![d(2024, 11, 28)]
    );
    assert_eq!(c1002[0].iro_met_child, None);
    // The IROs, named as in the SSD, including a role worded in full.
    assert_eq!(
        s.iros.iter().map(|i| i.as_ref()).collect::<Vec<_>>(),
        ["Alpha", "Beta", "Gamma"]
    );
    let a1006 = s.allocations_of(child(c, "1006"));
    assert_eq!(
        a1006.iter().map(|a| (a.start, a.end)).collect::<Vec<_>>(),
        vec![
            (d(2024, 10, 1), Some(d(2025, 1, 14))),
            (d(2025, 1, 15), None)
        ]
    );
}
