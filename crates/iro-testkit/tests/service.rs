//! The synthetic IRO-service records: consistent with the SSDA903 returns they
//! are cut beside (read back through `iro-ingest` with no error), deterministic,
//! and with rates like the seed report's.

use iro_domain::{ReviewStatus, Severity};
use iro_ingest::{InputSource, LoadOptions, load};
use iro_testkit::write::{render_service_table, service_file_names};
use iro_testkit::{Config, generate};

fn config() -> Config {
    Config {
        service_records: true,
        ..Config::small(2, 120, 2023, 2025, 17)
    }
}

#[test]
fn records_read_back_cleanly_and_match_the_returns() {
    let cfg = config();
    let dir = tempfile::tempdir().unwrap();
    iro_testkit::write_dataset(&generate(&cfg), dir.path()).unwrap();
    let l = load(
        &InputSource::Folder(dir.path().into()),
        &LoadOptions::default(),
    )
    .unwrap();
    let errors: Vec<_> = l
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Every row is used (nothing excluded), every year has every table
    // (midway reviews from 2022-23).
    assert_eq!(l.service_accounts.len(), 2 * 3 * 4);
    for a in &l.service_accounts {
        assert_eq!(a.rows_excluded, 0, "{a:?}");
        assert!(a.rows_read > 0, "{a:?}");
    }
    for c in &l.cohorts {
        let s = c.service();
        let held: Vec<_> = s
            .reviews
            .iter()
            .filter(|r| r.status == ReviewStatus::Held)
            .collect();
        // Held records are the SSDA903 reviews, but for a deliberate 0.3% a day out.
        let matched = held
            .iter()
            .filter(|r| {
                c.child(r.child)
                    .reviews
                    .iter()
                    .any(|x| x.review == r.review)
            })
            .count();
        assert!(
            matched * 100 >= held.len() * 98,
            "{matched} of {}",
            held.len()
        );
        // About 1% of SSDA903 reviews have no record.
        let in_years = c
            .reviews()
            .iter()
            .filter(|r| r.review >= iro_domain::CollectionYear(2023).start())
            .count();
        assert!(
            held.len() * 100 >= in_years * 97,
            "{} of {in_years}",
            held.len()
        );
        // Rates like the seed report's.
        let share = |f: &dyn Fn(&&&iro_domain::IroReview) -> bool| {
            held.iter().filter(f).count() as f64 / held.len() as f64
        };
        let with_report = share(&|r| r.sw_report_received.is_some_and(|x| x <= r.review));
        assert!((0.6..0.9).contains(&with_report), "{with_report}");
        let cal = iro_domain::WorkingDayCalendar::england_and_wales();
        let report_3 = share(&|r| {
            r.sw_report_received
                .is_some_and(|x| x <= cal.sub_working_days(r.review, 3))
        });
        assert!((0.3..0.8).contains(&report_3), "{report_3}");
        let record_20 = share(&|r| {
            r.record_sent
                .is_some_and(|x| x <= cal.add_working_days(r.review, 20))
        });
        assert!((0.25..0.7).contains(&record_20), "{record_20}");
        assert!(!s.allocations.is_empty() && !s.drp.is_empty() && !s.midway.is_empty());
        // DRP escalations: ~0.25 a year per child in care, most entering at stage 1.
        let drps: Vec<_> = s.drps().collect();
        let at_1 = drps.iter().filter(|d| d[0].stage == 1).count();
        assert!(at_1 * 2 > drps.len(), "{at_1} of {}", drps.len());
    }
}

#[test]
fn the_same_seed_gives_the_same_records() {
    let bytes = |cfg: &Config| -> Vec<Vec<u8>> {
        let data = generate(cfg);
        let mut out = Vec::new();
        for a in &data.authorities {
            for y in a.service.as_ref().unwrap() {
                for name in service_file_names(y) {
                    out.push(render_service_table(y, name).unwrap());
                }
            }
        }
        out
    };
    assert_eq!(bytes(&config()), bytes(&config()));
    assert_ne!(
        bytes(&config()),
        bytes(&Config {
            seed: 18,
            ..config()
        })
    );
    // Without them, nothing is made.
    assert!(
        generate(&Config::small(1, 30, 2024, 2025, 3)).authorities[0]
            .service
            .is_none()
    );
}
