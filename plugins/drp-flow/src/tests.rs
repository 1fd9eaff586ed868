//! Hand-checked figures over the CSV fixture of `service-records`
//! (`plugins/service-records/tests/fixtures/records`, LA 800), read through
//! `iro-ingest`. Working days are England and Wales working days; the
//! default protocol has stages 1–5 with 5 working days each and 20 in all.
//!
//! The escalations (2024-25 unless said):
//!
//! | DRP | stages (start → response, outcome) |
//! |---|---|
//! | D7 | raised 05/03/2024: 1 (05/03 → 08/03/2024, escalated), 2 (11/03/2024 → 04/04/2024, resolved) |
//! | D1 | raised 01/10: 1 (01/10 → 04/10, escalated), 2 (07/10 → 14/10, resolved) |
//! | D2 | raised 15/10: 1 (15/10, no response, escalated), 3 (22/10 → 05/11, escalated; skips 2), 4 (06/11 → 13/11, resolved) |
//! | D3 | raised 02/12: enters at 2 (skips 1), no response: open at 31/03 |
//! | D4 | raised 20/12: 1 (20/12 → 02/01, escalated), 2 (06/01 → 10/01, closed, Cafcass) |
//! | D5 | raised 03/02: 1 (03/02 → 10/02, resolved) |
//! | D6 | raised 10/03: 1 (10/03 → 12/03), 2 (13/03 → 19/03), 3 (20/03, no response: open) |

use super::*;
use iro_domain::{Cohort, CollectionYear, LaCode, WorkingDayCalendar};
use iro_ingest::{InputSource, LoadOptions, Loaded, load};
use iro_metric_api::MetricExt;
use iro_metric_api::{Params, Period, Reference};
use serde_json::json;
use std::sync::OnceLock;

use Period::{Q1, Q2, Q3, Q4, Snapshot, Year};

fn loaded() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../service-records/tests/fixtures/records");
        load(&InputSource::Folder(dir), &LoadOptions::default()).unwrap()
    })
}

fn cohort() -> &'static Cohort {
    loaded().cohort(LaCode::new(800).unwrap()).unwrap()
}

fn run_with(year: i32, given: &Params) -> Result<Vec<MetricRow>, MetricError> {
    static R: OnceLock<Reference> = OnceLock::new();
    let reference = R.get_or_init(|| Reference::bundled().unwrap());
    let params = SPEC.resolve_params(given)?;
    let cal = WorkingDayCalendar::england_and_wales();
    let ctx = MetricContext {
        cohort: cohort(),
        la: None,
        year: CollectionYear(year),
        reference,
        calendar: &cal,
        params: &params,
    };
    DrpFlow.compute(&ctx)
}

fn run(year: i32) -> Vec<MetricRow> {
    run_with(year, &Params::new()).unwrap()
}

fn get<'a>(rows: &'a [MetricRow], measure: &str, period: Period, breakdown: &str) -> &'a MetricRow {
    let id = format!("drp-flow.{measure}");
    let hits: Vec<&MetricRow> = rows
        .iter()
        .filter(|r| r.metric == id && r.period == period && r.breakdown.to_string() == breakdown)
        .collect();
    assert_eq!(hits.len(), 1, "{id} {period:?} {breakdown}");
    hits[0]
}

fn count(rows: &[MetricRow], measure: &str, period: Period, breakdown: &str) -> u64 {
    get(rows, measure, period, breakdown).numerator.unwrap()
}

fn pct(rows: &[MetricRow], measure: &str, period: Period, breakdown: &str) -> (u64, u64) {
    let r = get(rows, measure, period, breakdown);
    (r.numerator.unwrap(), r.denominator.unwrap())
}

fn value(rows: &[MetricRow], measure: &str, period: Period, breakdown: &str) -> Option<f64> {
    get(rows, measure, period, breakdown).value
}

#[test]
fn escalations_by_stage_and_quarter() {
    let rows = run(2025);
    // The seed report's table: Stage 1 … Stage 5, Total, per quarter.
    for (p, by_stage) in [
        (Year, [5, 4, 2, 1, 0]),
        (Q1, [0, 0, 0, 0, 0]),
        (Q2, [0, 0, 0, 0, 0]),
        (Q3, [3, 2, 1, 1, 0]),
        (Q4, [2, 2, 1, 0, 0]),
    ] {
        for (k, n) in by_stage.iter().enumerate() {
            assert_eq!(
                count(&rows, "escalations", p, &format!("stage={}", k + 1)),
                *n,
                "{p:?} stage {}",
                k + 1
            );
        }
        assert_eq!(
            count(&rows, "escalations", p, ""),
            by_stage.iter().sum::<u64>()
        );
    }
    assert_eq!(
        get(&rows, "escalations", Q3, "stage=2").note,
        "Practice manager"
    );
    // Raised: D1, D2, D3, D4 in Q3 (D3 at stage 2); D5, D6 in Q4.
    assert_eq!(count(&rows, "drps-raised", Year, ""), 6);
    assert_eq!(count(&rows, "drps-raised", Q3, ""), 4);
    assert_eq!(count(&rows, "drps-raised", Q4, ""), 2);
    assert_eq!(count(&rows, "children", Year, ""), 6);
}

#[test]
fn issues_and_skipped_stages() {
    let rows = run(2025);
    assert_eq!(count(&rows, "issues", Year, ""), 6);
    assert_eq!(count(&rows, "issues", Year, "issue=social work report"), 3);
    assert_eq!(count(&rows, "issues", Year, "issue=care plan"), 2);
    assert_eq!(count(&rows, "issues", Year, "issue=visits"), 1);
    assert_eq!(count(&rows, "issues", Year, "issue=contact"), 1);
    assert_eq!(count(&rows, "issues", Q4, "issue=social work report"), 0);
    // D2 went from 1 to 3 (skipping 2); D3 entered at 2 (skipping 1).
    assert_eq!(count(&rows, "stages-skipped", Year, ""), 2);
    assert_eq!(count(&rows, "stages-skipped", Q3, "stage=1"), 1);
    assert_eq!(count(&rows, "stages-skipped", Q3, "stage=2"), 1);
    assert_eq!(count(&rows, "stages-skipped", Q3, "stage=3"), 0);
    assert_eq!(count(&rows, "stages-skipped", Q4, ""), 0);
}

#[test]
fn responses_against_each_stages_timescale() {
    let rows = run(2025);
    // Due (5 working days from the stage start) and received:
    // D1: 08/10 ✓ (04/10), 14/10 ✓ (14/10, the boundary).
    // D2: 22/10 ✗ (none), 29/10 ✗ (05/11), 13/11 ✓.
    // D3: 09/12 ✗ (none).
    // D4: 20/12 + 5 over Christmas = 31/12 ✗ (02/01, Q3); 13/01 ✓ (10/01, Q4).
    // D5: 10/02 ✓. D6: 17/03 ✓, 20/03 ✓, 27/03 ✗ (none).
    assert_eq!(pct(&rows, "responses-on-time", Year, ""), (7, 12));
    assert_eq!(pct(&rows, "responses-on-time", Q3, ""), (3, 7));
    assert_eq!(pct(&rows, "responses-on-time", Q4, ""), (4, 5));
    assert_eq!(pct(&rows, "responses-on-time", Year, "stage=1"), (3, 5));
    assert_eq!(pct(&rows, "responses-on-time", Year, "stage=2"), (3, 4));
    assert_eq!(pct(&rows, "responses-on-time", Year, "stage=3"), (0, 2));
    assert_eq!(pct(&rows, "responses-on-time", Year, "stage=4"), (1, 1));
    assert_eq!(pct(&rows, "responses-on-time", Year, "stage=5"), (0, 0));
}

#[test]
fn working_days_at_each_stage_and_to_the_end() {
    let rows = run(2025);
    // Stage times by the day each stage ended: D7/2 16 (11/03 → 04/04/2024,
    // over Good Friday and Easter Monday); D1 3, 5; D2 5 (to the next stage's
    // start), 10, 5; D4 6 (over Christmas), 4; D5 5; D6 2, 4.
    // Sorted: 2 3 4 4 5 5 5 5 6 10 16.
    assert_eq!(
        value(&rows, "stage-working-days-median", Year, ""),
        Some(5.0)
    );
    let mean = value(&rows, "stage-working-days-mean", Year, "").unwrap();
    assert!((mean - 65.0 / 11.0).abs() < 1e-12);
    assert_eq!(
        get(&rows, "stage-working-days-median", Year, "").denominator,
        Some(11)
    );
    assert_eq!(
        value(&rows, "stage-working-days-median", Year, "stage=1"),
        Some(5.0)
    );
    assert_eq!(
        value(&rows, "stage-working-days-median", Year, "stage=2"),
        Some(4.5)
    );
    assert_eq!(
        value(&rows, "stage-working-days-mean", Year, "stage=2"),
        Some(7.25)
    );
    assert_eq!(
        value(&rows, "stage-working-days-median", Year, "stage=5"),
        None
    );
    assert_eq!(value(&rows, "stage-working-days-median", Q3, ""), Some(5.0));
    // To the end: D7 20 (the boundary, over Easter 2024), D1 9, D2 21, D4 12, D5 5.
    assert_eq!(
        value(&rows, "resolution-working-days-median", Year, ""),
        Some(12.0)
    );
    assert_eq!(
        value(&rows, "resolution-working-days-mean", Year, ""),
        Some(13.4)
    );
    assert_eq!(pct(&rows, "ended-within-timescale", Year, ""), (4, 5));
    assert_eq!(pct(&rows, "ended-within-timescale", Q1, ""), (1, 1));
    assert_eq!(pct(&rows, "ended-within-timescale", Q3, ""), (1, 2));
    assert_eq!(
        value(&rows, "resolution-working-days-median", Q3, ""),
        Some(15.0)
    );
}

#[test]
fn outcomes_cafcass_and_drps_open_at_the_period_end() {
    let rows = run(2025);
    assert_eq!(count(&rows, "outcomes", Year, ""), 5);
    assert_eq!(count(&rows, "outcomes", Year, "outcome=resolved"), 4);
    assert_eq!(count(&rows, "outcomes", Year, "outcome=closed"), 1);
    assert_eq!(count(&rows, "outcomes", Year, "final_stage=1"), 1);
    assert_eq!(count(&rows, "outcomes", Year, "final_stage=2"), 3);
    assert_eq!(count(&rows, "outcomes", Year, "final_stage=4"), 1);
    assert_eq!(count(&rows, "outcomes", Q1, ""), 1, "D7, ended 04/04/2024");
    assert_eq!(count(&rows, "cafcass-referrals", Year, ""), 1);
    assert_eq!(count(&rows, "cafcass-referrals", Q4, ""), 1);
    // 31/12: D3 at stage 2; D4 (raised 20/12, ended 10/01) at stage 1.
    assert_eq!(count(&rows, "open-at-end", Q3, ""), 2);
    assert_eq!(count(&rows, "open-at-end", Q3, "stage=1"), 1);
    assert_eq!(count(&rows, "open-at-end", Q3, "stage=2"), 1);
    // 31/03: D3 still at stage 2; D6 at stage 3.
    for p in [Q4, Snapshot] {
        assert_eq!(count(&rows, "open-at-end", p, ""), 2);
        assert_eq!(count(&rows, "open-at-end", p, "stage=2"), 1);
        assert_eq!(count(&rows, "open-at-end", p, "stage=3"), 1);
    }
    assert_eq!(count(&rows, "open-at-end", Q1, ""), 0);
    assert_eq!(count(&rows, "open-at-end", Q2, ""), 0);
}

#[test]
fn the_previous_year_uses_the_later_copy_of_a_stage() {
    // D7's stage 2 is in both years' files; 2024-25's copy (response
    // 04/04/2024) replaces 2023-24's (still open at export).
    let rows = run(2024);
    assert_eq!(count(&rows, "escalations", Q4, ""), 2);
    // Due 12/03/2024 (✓ 08/03) and 18/03/2024 (✗ 04/04).
    assert_eq!(pct(&rows, "responses-on-time", Year, ""), (1, 2));
    assert_eq!(count(&rows, "open-at-end", Snapshot, "stage=2"), 1);
    assert_eq!(count(&rows, "outcomes", Year, ""), 0);
}

#[test]
fn each_authority_sets_its_own_protocol() {
    let mut p = Params::new();
    p.insert(
        "authorities".into(),
        json!({ "800": {
            "stages": [
                { "stage": 1, "name": "IRO alert", "response_working_days": 1 },
                { "stage": 2, "name": "Team manager", "response_working_days": 5 },
                { "stage": 4, "name": "Head of service" },
            ],
            "total_working_days": 25,
        } }),
    );
    let rows = run_with(2025, &p).unwrap();
    // One working day at stage 1: none of the five responses came the next day.
    assert_eq!(pct(&rows, "responses-on-time", Year, "stage=1"), (0, 5));
    // Stage 3 is not in this protocol: shown, flagged, and not timed.
    let s3 = get(&rows, "escalations", Year, "stage=3");
    assert!(s3.note.contains("not in the protocol"));
    assert_eq!(pct(&rows, "responses-on-time", Year, "stage=3"), (0, 0));
    assert!(
        get(&rows, "responses-on-time", Year, "")
            .note
            .contains("3 stage(s) with no due date")
    );
    // 1 → 3 still skips 2; entering at 2 skips 1; 3 → 4 skips nothing
    // configured; stage 4 has no timescale (with the two stage 3s, the 3 left out).
    assert_eq!(count(&rows, "stages-skipped", Year, ""), 2);
    assert_eq!(count(&rows, "stages-skipped", Year, "stage=2"), 1);
    // Stage 5 is neither configured nor in the data.
    assert!(rows.iter().all(|r| r.breakdown.to_string() != "stage=5"));
    assert_eq!(pct(&rows, "ended-within-timescale", Year, ""), (5, 5));
    // Another authority keeps the defaults; a bad protocol is an error.
    p.insert(
        "authorities".into(),
        json!({ "887": { "total_working_days": 30 } }),
    );
    assert_eq!(
        pct(
            &run_with(2025, &p).unwrap(),
            "ended-within-timescale",
            Year,
            ""
        ),
        (4, 5)
    );
    p.insert("stages".into(), json!([]));
    assert!(matches!(
        run_with(2025, &p),
        Err(MetricError::BadParameter { .. })
    ));
}

#[test]
fn no_drp_log_is_not_computable() {
    let mut empty = cohort().clone();
    empty.set_service(Default::default());
    static R: OnceLock<Reference> = OnceLock::new();
    let reference = R.get_or_init(|| Reference::bundled().unwrap());
    let params = SPEC.resolve_params(&Params::new()).unwrap();
    let cal = WorkingDayCalendar::england_and_wales();
    let ctx = MetricContext {
        cohort: &empty,
        la: None,
        year: CollectionYear(2025),
        reference,
        calendar: &cal,
        params: &params,
    };
    assert!(matches!(
        DrpFlow.compute(&ctx),
        Err(MetricError::NotComputable(_))
    ));
    assert!(DrpFlow.drilldown(&ctx).unwrap().is_empty());
}

#[test]
fn drilldown_lists_each_escalation() {
    static R: OnceLock<Reference> = OnceLock::new();
    let reference = R.get_or_init(|| Reference::bundled().unwrap());
    let params = SPEC.resolve_params(&Params::new()).unwrap();
    let cal = WorkingDayCalendar::england_and_wales();
    let ctx = MetricContext {
        cohort: cohort(),
        la: None,
        year: CollectionYear(2025),
        reference,
        calendar: &cal,
        params: &params,
    };
    let t = &DrpFlow.drilldown(&ctx).unwrap()[0];
    // D1–D7: D7 ended on 04/04/2024, inside the year.
    assert_eq!(t.rows.len(), 7);
    let d2 = t.rows.iter().find(|r| r[0] == "D2").unwrap();
    assert_eq!(d2[4], "1 > 3 > 4");
    assert_eq!(d2[5], "care plan; social work report");
    assert_eq!(d2[6..9], ["resolved", "13/11/2024", "21"]);
    assert_eq!(d2[9], "1, 3");
    let d6 = t.rows.iter().find(|r| r[0] == "D6").unwrap();
    assert_eq!(d6[6], "open at stage 3");
}

#[test]
fn the_protocol_example_in_config_md_is_valid() {
    let text = include_str!("../../../docs/CONFIG.md");
    let block = text
        .split("```toml")
        .map(|b| b.split("```").next().unwrap_or(""))
        .find(|b| b.contains("[metrics.drp-flow]"))
        .expect("a toml block with [metrics.drp-flow] in docs/CONFIG.md");
    let doc: toml::Table = toml::from_str(block).unwrap();
    let table = doc["metrics"]["drp-flow"].as_table().unwrap();
    let given: Params = table
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap()))
        .collect();
    let params = SPEC.resolve_params(&given).unwrap();
    let p800 = protocol_for(&params, LaCode::new(800).unwrap()).unwrap();
    assert_eq!(
        p800,
        protocol_for(
            &SPEC.resolve_params(&Params::new()).unwrap(),
            LaCode::new(800).unwrap()
        )
        .unwrap()
    );
    let p887 = protocol_for(&params, LaCode::new(887).unwrap()).unwrap();
    assert_eq!(p887.stages.len(), 4);
    assert_eq!(p887.stage(0).unwrap().name, "IRO alert");
    assert_eq!(p887.stage(3).unwrap().response_working_days, None);
    assert_eq!(p887.total_working_days, 20);
}
