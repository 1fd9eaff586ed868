//! No hidden count can be worked out from the pack: for packs of random
//! authorities and counts, suppressed by the engine's own rule, changing a
//! hidden count to any other value it could have had (another count from 1
//! to the threshold) changes nothing the pack publishes: no league table
//! cell, rank, quartile, change from last year, pooled group figure (this
//! year's or last year's), interval or funnel point.

use iro_domain::CollectionYear;
use iro_engine::config::SuppressionConfig;
use iro_metric_api::{AreaCode, MetricRow, MetricSpec, Period, Unit};
use iro_pack::indicator::{INDICATORS, QUARTERS};
use iro_pack::{Group, PackInput, league};
use iro_reference::Reference;
use iro_results::{DataQuality, ReportSettings};
use proptest::prelude::*;

const YEAR: i32 = 2025;

/// One authority's raw counts for one year, before suppression.
#[derive(Debug, Clone)]
struct Raw {
    /// Children looked after at 31 March, and the population aged 0-17.
    cla: u64,
    population: u64,
    /// Reviews of children 4+ with a code, and those participating.
    coded: u64,
    participated: u64,
    /// Reviews held in the year and on time.
    held: u64,
    on_time: u64,
    /// DRP issues raised, and children looked after during the year.
    drps: u64,
    during: u64,
}

fn raw() -> impl Strategy<Value = Raw> {
    (
        0u64..40,
        1000u64..90_000,
        0u64..40,
        0u64..40,
        0u64..40,
        0u64..40,
        0u64..20,
        0u64..60,
    )
        .prop_map(|(cla, population, coded, p, held, o, drps, during)| Raw {
            cla,
            population,
            coded,
            participated: p.min(coded),
            held,
            on_time: o.min(held),
            drps,
            during,
        })
}

fn rows_of(la: &str, year: i32, r: &Raw) -> Vec<MetricRow> {
    let code = AreaCode::new(la);
    let mut rows = vec![
        MetricRow::new(
            code,
            year,
            Period::Snapshot,
            cohort_summary::CLA_31_MARCH,
            Unit::Count,
        )
        .count(r.cla),
        MetricRow::new(
            code,
            year,
            Period::Snapshot,
            cohort_summary::CLA_RATE,
            Unit::Per10000,
        )
        .per_10000(r.cla, r.population),
        MetricRow::new(
            code,
            year,
            Period::Year,
            participation::PARTICIPATED,
            Unit::Percent,
        )
        .percent(r.participated, r.coded),
        MetricRow::new(
            code,
            year,
            Period::Year,
            cohort_summary::DURING_YEAR,
            Unit::Count,
        )
        .count(r.during),
        MetricRow::new(code, year, Period::Year, drp_flow::DRPS_RAISED, Unit::Count).count(r.drps),
    ];
    for period in [Period::Year, Period::Q1, Period::Q2, Period::Q3, Period::Q4] {
        rows.push(
            MetricRow::new(
                code,
                year,
                period,
                review_timeliness::ON_TIME,
                Unit::Percent,
            )
            .percent(r.on_time, r.held),
        );
    }
    rows
}

fn specs() -> Vec<MetricSpec> {
    iro_engine::builtin_metrics()
        .iter()
        .map(|m| m.spec().clone())
        .collect()
}

/// Everything the pack computes from the rows, as text: every league
/// (both years' figures, ranks, intervals, pooled figures, published
/// figures) of every indicator and quarter.
fn published(
    reference: &Reference,
    group: &Group,
    raw: &[(Raw, Raw)],
    specs: &[MetricSpec],
) -> String {
    let mut rows = Vec::new();
    for (m, (last, this)) in group.members.iter().zip(raw) {
        rows.extend(rows_of(&m.area_code(), YEAR - 1, last));
        rows.extend(rows_of(&m.area_code(), YEAR, this));
    }
    let spec_refs: Vec<&MetricSpec> = specs.iter().collect();
    iro_engine::suppress::suppress(&mut rows, &spec_refs, &[], &SuppressionConfig::default());
    let index = league::Rows::new(&rows, group);
    let mut out = String::new();
    for i in INDICATORS.iter().chain(QUARTERS.iter().map(|(_, i)| i)) {
        let l = league::league(&index, reference, group, i, CollectionYear(YEAR));
        out.push_str(&format!("{l:?}\n"));
    }
    out
}

/// Another value a hidden count could have had: a count from 1 to the
/// threshold (and no more than its denominator, where it has one).
fn other(n: u64, most: u64) -> Option<u64> {
    (1..=most).find(|&v| v != n)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_hidden_count_changes_anything_the_pack_publishes(
        data in prop::collection::vec((raw(), raw()), 2..8),
        pick in any::<prop::sample::Index>(),
    ) {
        let reference = Reference::bundled().unwrap();
        let south_west = Group::region(&reference, "South West", CollectionYear(YEAR)).unwrap();
        let mut group = south_west.clone();
        group.members.truncate(data.len());
        let specs = specs();
        let t = SuppressionConfig::default().threshold;
        let before = published(&reference, &group, &data, &specs);

        // Every count the rule hides (1 to t): change one, chosen at random,
        // to another hidden value.
        let mut hidden: Vec<(usize, bool, &'static str)> = Vec::new();
        for (m, (last, this)) in data.iter().enumerate() {
            for (is_this, r) in [(false, last), (true, this)] {
                let small = |n: u64| n >= 1 && n <= t;
                if small(r.cla) { hidden.push((m, is_this, "cla")); }
                if small(r.participated) && r.coded > t { hidden.push((m, is_this, "participated")); }
                if small(r.on_time) && r.held > t { hidden.push((m, is_this, "on_time")); }
                if small(r.drps) { hidden.push((m, is_this, "drps")); }
            }
        }
        prop_assume!(!hidden.is_empty());
        let (m, is_this, field) = hidden[pick.index(hidden.len())];
        let mut changed = data.clone();
        let r = if is_this { &mut changed[m].1 } else { &mut changed[m].0 };
        let moved = match field {
            "cla" => other(r.cla, t).map(|v| r.cla = v),
            "participated" => other(r.participated, t.min(r.coded)).map(|v| r.participated = v),
            "on_time" => other(r.on_time, t.min(r.held)).map(|v| r.on_time = v),
            _ => other(r.drps, t).map(|v| r.drps = v),
        };
        prop_assume!(moved.is_some());
        let after = published(&reference, &group, &changed, &specs);
        let differ: Vec<(&str, &str)> = before
            .lines()
            .zip(after.lines())
            .filter(|(a, b)| a != b)
            .collect();
        prop_assert!(
            differ.is_empty(),
            "changing hidden {} of member {} changed the pack:\n{:#?}",
            field,
            m,
            differ
        );
    }
}

/// The whole document, charts' data included, is the same whatever a
/// hidden count is.
#[test]
fn the_whole_document_does_not_depend_on_a_hidden_count() {
    let reference = Reference::bundled().unwrap();
    let group = Group::region(&reference, "South West", CollectionYear(YEAR)).unwrap();
    let specs = specs();
    let base: Vec<(Raw, Raw)> = (0..group.members.len() as u64)
        .map(|i| {
            let r = Raw {
                cla: 20 + i,
                population: 30_000 + 1000 * i,
                coded: 30,
                participated: 25 - (i % 5),
                held: 30,
                on_time: 26 - (i % 4),
                drps: 8 + i,
                during: 40 + i,
            };
            (r.clone(), r)
        })
        .collect();
    let render = |data: &[(Raw, Raw)]| {
        let mut rows = Vec::new();
        for (m, (last, this)) in group.members.iter().zip(data) {
            rows.extend(rows_of(&m.area_code(), YEAR - 1, last));
            rows.extend(rows_of(&m.area_code(), YEAR, this));
        }
        let spec_refs: Vec<&MetricSpec> = specs.iter().collect();
        iro_engine::suppress::suppress(&mut rows, &spec_refs, &[], &SuppressionConfig::default());
        let quality = DataQuality::default();
        let settings = ReportSettings::default();
        let input = PackInput {
            group: &group,
            year: CollectionYear(YEAR),
            rows: &rows,
            accounts: &[],
            quality: &quality,
            reference: &reference,
            disclosure: SuppressionConfig::default().disclosure(),
            settings: &settings,
        };
        let report = iro_pack::build(&input);
        iro_report::markdown::render(&report)
    };
    let mut one = base.clone();
    one[3].1.cla = 2;
    one[5].1.participated = 3;
    let mut two = base.clone();
    two[3].1.cla = 6;
    two[5].1.participated = 1;
    let (a, b) = (render(&one), render(&two));
    let differ: Vec<(&str, &str)> = a.lines().zip(b.lines()).filter(|(x, y)| x != y).collect();
    assert!(differ.is_empty(), "{differ:#?}");
    // And the hidden figures are marked, the pooled figure says what it
    // leaves out.
    assert!(a.contains("1 hidden (c) is left out"), "{a}");
}

/// Annex A's rows read per table are counts too (a Header row is a child):
/// from 1 to the threshold they are hidden.
#[test]
fn small_row_counts_in_the_coverage_annex_are_hidden() {
    use iro_domain::{RowAccount, TableKind};
    let reference = Reference::bundled().unwrap();
    let group = Group::list(
        &reference,
        &["420".into(), "800".into()],
        None,
        CollectionYear(YEAR),
    )
    .unwrap();
    let account = |la: u16, table, rows_read, rows_excluded| RowAccount {
        la: iro_domain::LaCode::new(la).unwrap(),
        year: CollectionYear(YEAR),
        table,
        rows_read,
        rows_used: rows_read - rows_excluded,
        rows_excluded,
    };
    let accounts = vec![
        account(420, TableKind::Header, 5, 0),
        account(420, TableKind::Episodes, 9, 2),
        account(800, TableKind::Header, 316, 0),
        account(800, TableKind::Episodes, 543, 0),
    ];
    let (quality, settings) = (DataQuality::default(), ReportSettings::default());
    let input = PackInput {
        group: &group,
        year: CollectionYear(YEAR),
        rows: &[],
        accounts: &accounts,
        quality: &quality,
        reference: &reference,
        disclosure: SuppressionConfig::default().disclosure(),
        settings: &settings,
    };
    let md = iro_report::markdown::render(&iro_pack::build(&input));
    let annex = &md[md
        .find("Rows read from each SSDA903 table")
        .expect("Annex A's table")..];
    let line = |name: &str| {
        annex
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("no row for {name}"))
            .to_string()
    };
    assert_eq!(line("Isles of Scilly"), "| Isles of Scilly | c | 9 | c |");
    assert_eq!(
        line("Bath and North East Somerset"),
        "| Bath and North East Somerset | 316 | 543 | 0 |"
    );
}
