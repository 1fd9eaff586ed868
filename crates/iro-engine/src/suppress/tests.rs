use super::*;
use iro_metric_api::{MeasureSpec, Period, Subject};
use proptest::prelude::*;

static SPEC: MetricSpec = MetricSpec {
    id: "m",
    title: "",
    version: "0",
    requires: &[],
    needs: &[],
    measures: &[
        MeasureSpec {
            id: MeasureId::new("m.count"),
            title: "",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: MeasureId::new("m.profile"),
            title: "",
            unit: Unit::Percent,
            additive_breakdowns: &["age_band"],
            subject: Subject::Children,
        },
    ],
    params: &[],
};

const PRIMARY: &str = "primary";
const SECONDARY: &str = "secondary";

fn row(metric: &str, unit: Unit) -> MetricRow {
    MetricRow::new(
        iro_metric_api::AreaCode::new("800"),
        2025,
        Period::Snapshot,
        MeasureId::parse(metric).unwrap(),
        unit,
    )
}

fn reasons(rows: &[MetricRow]) -> Vec<Option<&str>> {
    rows.iter()
        .map(|r| r.status.suppression().map(|s| s.label()))
        .collect()
}

#[test]
fn primary_hides_small_counts_not_zero_or_populations() {
    let mut rows = vec![
        row("m.count", Unit::Count).count(3),
        row("m.count", Unit::Count).count(0),
        row("m.count", Unit::Count).count(8),
        row("m.rate", Unit::Per10000).per_10000(7, 36_000),
        row("m.pct", Unit::Percent).percent(5, 6),
        row("m.pct", Unit::Percent).percent(2, 40),
    ];
    suppress(&mut rows, &[&SPEC], &[], &SuppressionConfig::default());
    assert_eq!(
        rows[0].status.suppression().map(|s| s.label()),
        Some(PRIMARY)
    );
    assert_eq!((rows[0].numerator, rows[0].value), (None, None));
    assert_eq!(rows[1].value, Some(0.0));
    assert_eq!(rows[2].value, Some(8.0));
    assert_eq!(
        rows[3].status.suppression().map(|s| s.label()),
        Some(PRIMARY)
    );
    assert_eq!(rows[3].denominator, Some(36_000), "population stays");
    assert_eq!(
        rows[4].denominator, None,
        "a percentage of 6 children is hidden whole"
    );
    assert_eq!(rows[5].denominator, Some(40));
    assert_eq!(rows[5].numerator, None);
}

#[test]
fn secondary_hides_the_next_smallest_cell() {
    // Age bands of 64 children: 3 is hidden (primary); 64 − 12 − 9 − 40 would
    // give it back, so the next smallest, 9, is hidden too.
    let mut rows: Vec<MetricRow> = [
        ("Under 1", 3),
        ("1 to 4", 12),
        ("5 to 9", 9),
        ("10 to 15", 40),
    ]
    .into_iter()
    .map(|(band, n)| {
        row("m.profile", Unit::Percent)
            .with_breakdown(Breakdown::one("age_band", band))
            .percent(n, 64)
    })
    .collect();
    suppress(&mut rows, &[&SPEC], &[], &SuppressionConfig::default());
    assert_eq!(reasons(&rows), [Some(PRIMARY), None, Some(SECONDARY), None]);
    assert_eq!(
        rows[2].note,
        "secondary suppression: m.profile by age_band sums to its total"
    );
    assert!(rows[0].note.is_empty(), "primary cells need no note");
}

#[test]
fn cross_tabulations_are_protected_row_by_row() {
    static CROSS: MetricSpec = MetricSpec {
        id: "x",
        title: "",
        version: "0",
        requires: &[],
        needs: &[],
        measures: &[MeasureSpec {
            id: MeasureId::new("x.d"),
            title: "",
            unit: Unit::Count,
            additive_breakdowns: &["group;distance"],
            subject: Subject::Children,
        }],
        params: &[],
    };
    // Two groups; only the first has a small cell. Hiding the whole
    // cross-tab's next smallest cell (in the second group) would leave the
    // first group's subtotal revealing the hidden cell.
    let cells = [
        ("a", "near", 3),
        ("a", "far", 30),
        ("b", "near", 9),
        ("b", "far", 40),
    ];
    let mut rows: Vec<MetricRow> = cells
        .iter()
        .map(|&(g, d, n)| {
            row("x.d", Unit::Count)
                .with_breakdown(Breakdown::new(&[("group", g), ("distance", d)]))
                .count(n)
        })
        .collect();
    suppress(&mut rows, &[&CROSS], &[], &SuppressionConfig::default());
    let reasons = reasons(&rows);
    assert_eq!(reasons[0], Some(PRIMARY));
    assert_eq!(reasons[1], Some(SECONDARY), "protects group a's subtotal");
    // Hiding a-far leaves the "far" column... the whole cross-tab then has
    // two hidden cells (3 and 30): 3 + 30 is all a reader can get.
    assert_eq!(reasons.iter().filter(|r| r.is_some()).count(), 2);
}

/// Reviews on time and late, of the same reviews assessed: on time + late =
/// assessed. Late is 5 (hidden); on time 95 of 100 shown would give it back.
static ON_TIME_LATE: [Term; 2] = [
    Term::num(MeasureId::new("r.on-time")),
    Term::num(MeasureId::new("r.late")),
];
static RELATIONS: [Relation; 4] = [
    Relation::Sum {
        total: Term::den(MeasureId::new("r.on-time")),
        parts: &ON_TIME_LATE,
    },
    Relation::QuartersSumToYear(Term::num(MeasureId::new("r.late"))),
    Relation::QuartersSumToYear(Term::num(MeasureId::new("r.on-time"))),
    Relation::QuartersSumToYear(Term::den(MeasureId::new("r.on-time"))),
];

fn timeliness(period: Period, on_time: u64, assessed: u64) -> [MetricRow; 2] {
    let mut a = row("r.on-time", Unit::Percent).percent(on_time, assessed);
    a.period = period;
    let mut b = row("r.late", Unit::Count).count(assessed - on_time);
    b.period = period;
    [a, b]
}

#[test]
fn a_difference_of_two_measures_is_protected() {
    let mut rows = timeliness(Period::Year, 95, 100).to_vec();
    suppress(&mut rows, &[], &RELATIONS, &SuppressionConfig::default());
    assert_eq!(
        rows[1].status.suppression().map(|s| s.label()),
        Some(PRIMARY)
    );
    // The on-time numerator (and so the percentage) goes; the denominator,
    // 100 reviews assessed, stays.
    assert_eq!(
        rows[0].status.suppression().map(|s| s.label()),
        Some(SECONDARY)
    );
    assert_eq!(
        (rows[0].numerator, rows[0].denominator, rows[0].value),
        (None, Some(100), None)
    );
    assert_eq!(
        rows[0].note,
        "secondary suppression: r.on-time + r.late = r.on-time denominator"
    );
    // Without the relation declared, nothing more would be hidden.
    let mut rows = timeliness(Period::Year, 95, 100).to_vec();
    suppress(&mut rows, &[], &[], &SuppressionConfig::default());
    assert_eq!(rows[0].status.suppression(), None);
}

#[test]
fn a_count_is_shown_beside_a_change_on_a_small_count() {
    // 8 children at 31 March, 5 a year before: the change (8 on 5) goes with
    // last year's small count, but its numerator is this year's 8, which is
    // shown as the count and gives nothing of the 5 away.
    static SAME: [Term; 1] = [Term::num(MeasureId::new("c.change"))];
    static REL: [Relation; 1] = [Relation::Sum {
        total: Term::num(MeasureId::new("c.cla")),
        parts: &SAME,
    }];
    let mut rows = vec![
        row("c.cla", Unit::Count).count(8),
        row("c.change", Unit::Percent).change(8, 5),
    ];
    suppress(&mut rows, &[], &REL, &SuppressionConfig::default());
    assert_eq!(reasons(&rows), [None, Some(PRIMARY)]);
    assert_eq!(rows[0].numerator, Some(8));
    assert_eq!(
        (rows[1].numerator, rows[1].denominator, rows[1].value),
        (None, None, None)
    );
    // A small count on both sides is hidden on both.
    let mut rows = vec![
        row("c.cla", Unit::Count).count(6),
        row("c.change", Unit::Percent).change(6, 5),
    ];
    suppress(&mut rows, &[], &REL, &SuppressionConfig::default());
    assert_eq!(reasons(&rows), [Some(PRIMARY), Some(PRIMARY)]);
}

#[test]
fn a_numerator_the_reader_can_work_out_protects_nothing() {
    // x: a share of a small denominator (12 of 3?) hidden with its row, its
    // 12 also the `a` part of a = b + small. Shown beside twin(a) = 12, the
    // 12 is known; so the only protection of `small` (3) is gone and b must go.
    static TWIN: [Term; 1] = [Term::num(MeasureId::new("x.share"))];
    static PARTS: [Term; 2] = [
        Term::num(MeasureId::new("s.b")),
        Term::num(MeasureId::new("s.small")),
    ];
    static REL: [Relation; 2] = [
        Relation::Sum {
            total: Term::num(MeasureId::new("s.a")),
            parts: &TWIN,
        },
        Relation::Sum {
            total: Term::num(MeasureId::new("x.share")),
            parts: &PARTS,
        },
    ];
    let mut share = row("x.share", Unit::Mean);
    share.numerator = Some(12);
    share.denominator = Some(3);
    share.value = Some(4.0);
    let mut rows = vec![
        row("s.a", Unit::Count).count(12),
        share,
        row("s.b", Unit::Count).count(9),
        row("s.small", Unit::Count).count(3),
    ];
    suppress(&mut rows, &[], &REL, &SuppressionConfig::default());
    assert_eq!(
        rows[1].status.suppression().map(|s| s.label()),
        Some(PRIMARY)
    );
    assert_eq!(
        rows[3].status.suppression().map(|s| s.label()),
        Some(PRIMARY)
    );
    // Hidden so that 12 - b - small leaves two unknowns.
    assert_eq!(
        rows[2].status.suppression().map(|s| s.label()),
        Some(SECONDARY)
    );
    assert_eq!(rows[0].status.suppression(), None, "the 12 needs no hiding");
}

#[test]
fn quarters_that_add_up_to_the_year_are_protected() {
    // Late by quarter 10, 3, 12, 15 (year 40); on time 90 of each 100. Q2's 3
    // is hidden; the smallest other quarter (10, Q1) goes with it. Hiding
    // Q1's late then needs its on-time hidden (Q1: on time + late =
    // assessed), which needs a second quarter's on-time hidden, and so on.
    let mut rows = Vec::new();
    let late = [10, 3, 12, 15];
    for (q, l) in [Period::Q1, Period::Q2, Period::Q3, Period::Q4]
        .into_iter()
        .zip(late)
    {
        rows.extend(timeliness(q, 100 - l, 100));
    }
    rows.extend(timeliness(Period::Year, 400 - 40, 400));
    let before = rows.clone();
    let cfg = SuppressionConfig::default();
    suppress(&mut rows, &[], &RELATIONS, &cfg);
    let hidden = |p: Period, m: &str| {
        rows.iter()
            .find(|r| r.period == p && r.metric == m)
            .is_some_and(|r| r.numerator.is_none())
    };
    assert!(hidden(Period::Q2, "r.late"));
    assert!(hidden(Period::Q1, "r.late"), "smallest other quarter");
    assert!(!hidden(Period::Year, "r.late"), "the total stays");
    assert!(hidden(Period::Q2, "r.on-time") && hidden(Period::Q1, "r.on-time"));
    let eqs = timeliness_equations(&rows);
    assert_no_small_count_recoverable(&before, &rows, &eqs, cfg.threshold);
}

#[test]
fn a_figure_shown_twice_is_hidden_twice() {
    // The 9 reviews of kind b are also shown by another measure. Kind a (2) is
    // hidden; kind b goes with it (the only other part of the breakdown), and
    // so must its twin.
    static TWIN: [Term; 1] = [Term::num(MeasureId::new("t.reviews")).only("")];
    static REL: [Relation; 1] = [Relation::Sum {
        total: Term::num(MeasureId::new("m.count")).only("kind=b"),
        parts: &TWIN,
    }];
    static SPEC2: MetricSpec = MetricSpec {
        id: "m",
        title: "",
        version: "0",
        requires: &[],
        needs: &[],
        measures: &[MeasureSpec {
            id: MeasureId::new("m.count"),
            title: "",
            unit: Unit::Count,
            additive_breakdowns: &["kind"],
            subject: Subject::Children,
        }],
        params: &[],
    };
    let rows = || {
        vec![
            row("m.count", Unit::Count)
                .with_breakdown(Breakdown::one("kind", "a"))
                .count(2),
            row("m.count", Unit::Count)
                .with_breakdown(Breakdown::one("kind", "b"))
                .count(9),
            row("m.count", Unit::Count).count(11),
            row("t.reviews", Unit::Count).count(9),
        ]
    };
    let mut shown = rows();
    suppress(&mut shown, &[&SPEC2], &REL, &SuppressionConfig::default());
    assert_eq!(
        reasons(&shown),
        [Some(PRIMARY), Some(SECONDARY), None, Some(SECONDARY)]
    );
    assert_eq!(
        shown[3].note,
        "secondary suppression: t.reviews = m.count[kind=b]"
    );
    // Secondary suppression switched off: primary only.
    let mut shown = rows();
    let cfg = SuppressionConfig {
        secondary: false,
        ..SuppressionConfig::default()
    };
    suppress(&mut shown, &[&SPEC2], &REL, &cfg);
    assert_eq!(reasons(&shown), [Some(PRIMARY), None, None, None]);
}

#[test]
fn a_hidden_denominator_hides_the_row_and_a_missing_term_protects_nothing() {
    // late = the mean's denominator. Late hidden by a quarter relation
    // (secondary, 20) must take the mean's denominator with it.
    static DEN: [Term; 1] = [Term::den(MeasureId::new("r.mean")).only("")];
    static REL: [Relation; 2] = [
        Relation::Sum {
            total: Term::num(MeasureId::new("r.late")).only(""),
            parts: &DEN,
        },
        Relation::QuartersSumToYear(Term::num(MeasureId::new("r.late"))),
    ];
    let mut rows = Vec::new();
    for (p, n) in [
        (Period::Q1, 4),
        (Period::Q2, 20),
        (Period::Q3, 30),
        (Period::Q4, 40),
        (Period::Year, 94),
    ] {
        let mut late = row("r.late", Unit::Count).count(n);
        late.period = p;
        let mut mean = row("r.mean", Unit::Days);
        mean.period = p;
        mean.denominator = Some(n);
        mean.value = Some(12.5);
        rows.extend([late, mean]);
    }
    suppress(&mut rows, &[], &REL, &SuppressionConfig::default());
    let q2_mean = &rows[3];
    assert_eq!(
        q2_mean.status.suppression().map(|s| s.label()),
        Some(SECONDARY)
    );
    assert_eq!((q2_mean.denominator, q2_mean.value), (None, None));
    // No Q3 row of the mean's twin missing: a relation whose rows are not all
    // there is not instantiated (nothing to subtract from).
    let mut rows = vec![row("r.late", Unit::Count).count(5)];
    suppress(&mut rows, &[], &REL, &SuppressionConfig::default());
    assert_eq!(reasons(&rows), [Some(PRIMARY)]);
}

#[test]
fn rounding_keeps_values_from_unrounded_counts() {
    let cfg = SuppressionConfig {
        rounding: Rounding::Nearest5,
        ..SuppressionConfig::default()
    };
    let mut rows = vec![
        row("m.count", Unit::Count).count(222),
        row("m.pct", Unit::Percent).percent(13, 27),
    ];
    suppress(&mut rows, &[&SPEC], &[], &cfg);
    assert_eq!(rows[0].numerator, Some(220));
    assert_eq!(rows[0].value, Some(220.0));
    assert_eq!(
        (rows[1].numerator, rows[1].denominator),
        (Some(15), Some(25))
    );
    assert!((rows[1].value.unwrap() - 13.0 * 100.0 / 27.0).abs() < 1e-9);
}

/// A count in an equation: (row index, denominator?).
type Ref = (usize, bool);

/// Every equation the timeliness-shaped rows satisfy, written out
/// independently of the suppression code: per period, on time + late =
/// assessed; per measure and number, Q1..Q4 = year; per period, on time by
/// review sums to the total (numerators and denominators).
fn timeliness_equations(rows: &[MetricRow]) -> Vec<Vec<Ref>> {
    let find = |m: &str, p: Period, b: &str| {
        rows.iter()
            .position(|r| r.metric == m && r.period == p && r.breakdown.to_string() == b)
    };
    let mut eqs = Vec::new();
    let periods = [Period::Q1, Period::Q2, Period::Q3, Period::Q4, Period::Year];
    let breakdowns: Vec<String> = rows
        .iter()
        .filter(|r| r.metric == "r.on-time")
        .map(|r| r.breakdown.to_string())
        .collect();
    for p in periods {
        if let (Some(on), Some(late)) = (find("r.on-time", p, ""), find("r.late", p, "")) {
            eqs.push(vec![(on, false), (late, false), (on, true)]);
        }
        for den in [false, true] {
            let cells: Vec<Ref> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.metric == "r.on-time" && r.period == p && !r.breakdown.is_empty()
                })
                .map(|(i, _)| (i, den))
                .collect();
            if let (false, Some(t)) = (cells.is_empty(), find("r.on-time", p, "")) {
                let mut e = cells;
                e.push((t, den));
                eqs.push(e);
            }
        }
    }
    for (m, den) in [("r.on-time", false), ("r.on-time", true), ("r.late", false)] {
        for b in &breakdowns {
            let cells: Option<Vec<Ref>> = periods
                .iter()
                .map(|&p| find(m, p, b).map(|i| (i, den)))
                .collect();
            if let Some(c) = cells {
                eqs.push(c);
            }
        }
    }
    eqs
}

/// No small count can be recovered by subtraction, however many steps it
/// takes: a hidden count the reader can work out from an equation with it as
/// the only unknown becomes known, until nothing changes; then every count
/// known to the reader but hidden in `rows` is 0 or above the threshold (such
/// as a numerator hidden only with its row's small denominator).
fn assert_no_small_count_recoverable(
    before: &[MetricRow],
    rows: &[MetricRow],
    eqs: &[Vec<Ref>],
    t: u64,
) {
    let shown = |&(i, den): &Ref| {
        let r = &rows[i];
        if den {
            r.denominator.is_some()
        } else {
            r.numerator.is_some()
        }
    };
    let mut known: std::collections::HashSet<Ref> =
        eqs.iter().flatten().copied().filter(shown).collect();
    loop {
        let mut learnt = false;
        for e in eqs {
            let mut unknown = e.iter().filter(|c| !known.contains(c));
            if let (Some(&c), None) = (unknown.next(), unknown.next()) {
                known.insert(c);
                learnt = true;
            }
        }
        if !learnt {
            break;
        }
    }
    for &(i, den) in known.iter().filter(|c| !shown(c)) {
        let b = &before[i];
        let n = if den { b.denominator } else { b.numerator };
        assert!(
            !n.is_some_and(|n| n >= 1 && n <= t),
            "small count {n:?} of {:?} recoverable (threshold {t})",
            rows[i]
        );
    }
}

proptest! {
    /// Invariant 5: every shown count is 0, above the threshold, or hidden;
    /// and no additive group has exactly one hidden cell unless every other
    /// cell is zero.
    #[test]
    fn no_small_count_survives(counts in proptest::collection::vec(0u64..30, 1..8), t in 0u64..10) {
        let total: u64 = counts.iter().sum();
        let mut rows: Vec<MetricRow> = counts.iter().enumerate().map(|(i, &n)| {
            row("m.profile", Unit::Percent)
                .with_breakdown(Breakdown::one("age_band", i.to_string()))
                .percent(n, total.max(1))
        }).collect();
        rows.push(row("m.count", Unit::Count).count(total));
        let cfg = SuppressionConfig { threshold: t, ..SuppressionConfig::default() };
        suppress(&mut rows, &[&SPEC], &[], &cfg);
        for r in &rows {
            for n in [r.numerator, if r.unit == Unit::Per10000 { None } else { r.denominator }].into_iter().flatten() {
                prop_assert!(n == 0 || n > t, "count {n} shown with threshold {t}");
            }
        }
        let cells = &rows[..counts.len()];
        let hidden = cells.iter().filter(|r| r.status.is_suppressed()).count();
        if hidden == 1 {
            let others_nonzero = cells.iter().filter(|r| !r.status.is_suppressed()).any(|r| r.numerator.unwrap_or(0) > 0);
            prop_assert!(!others_nonzero || cells.iter().all(|r| r.denominator.is_none()));
        }
    }

    /// After suppression, no hidden count can be recovered by subtraction from
    /// any declared relation: quarters and years, on time + late = assessed,
    /// and on time by review sequence (numerators and denominators), however
    /// the counts fall.
    #[test]
    fn no_hidden_count_is_recoverable_from_a_relation(
        cells in proptest::collection::vec((0u64..25, 0u64..25), 12),
        t in 0u64..10,
    ) {
        static SEQ_SPEC: MetricSpec = MetricSpec {
            id: "r",
            title: "",
            version: "0",
            requires: &[],
            needs: &[],
            measures: &[MeasureSpec {
                id: MeasureId::new("r.on-time"),
                title: "",
                unit: Unit::Percent,
                additive_breakdowns: &["review"],
                subject: Subject::Children,
            }],
            params: &[],
        };
        static MORE: [Relation; 5] = [
            Relation::Sum { total: Term::den(MeasureId::new("r.on-time")), parts: &ON_TIME_LATE },
            Relation::QuartersSumToYear(Term::num(MeasureId::new("r.late"))),
            Relation::QuartersSumToYear(Term::num(MeasureId::new("r.on-time"))),
            Relation::QuartersSumToYear(Term::den(MeasureId::new("r.on-time"))),
            Relation::BreakdownSumsToTotal { metric: MeasureId::new("r.on-time"), key: "review", field: Field::Denominator },
        ];
        // cells[q * 3 + s]: (on time, late) for quarter q and review sequence s.
        let seqs = ["first", "second", "subsequent"];
        let quarters = [Period::Q1, Period::Q2, Period::Q3, Period::Q4];
        let mut rows = Vec::new();
        let mut year = [(0u64, 0u64); 3];
        let push = |rows: &mut Vec<MetricRow>, p: Period, by_seq: [(u64, u64); 3]| {
            let (on, late) = by_seq.iter().fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1));
            rows.extend(timeliness(p, on, on + late));
            for (s, (on, late)) in seqs.iter().zip(by_seq) {
                let mut r = row("r.on-time", Unit::Percent)
                    .with_breakdown(Breakdown::one("review", *s))
                    .percent(on, on + late);
                r.period = p;
                rows.push(r);
            }
        };
        for (q, &p) in quarters.iter().enumerate() {
            let by_seq: [(u64, u64); 3] = std::array::from_fn(|s| cells[q * 3 + s]);
            for s in 0..3 {
                year[s].0 += by_seq[s].0;
                year[s].1 += by_seq[s].1;
            }
            push(&mut rows, p, by_seq);
        }
        push(&mut rows, Period::Year, year);
        let cfg = SuppressionConfig { threshold: t, ..SuppressionConfig::default() };
        let before = rows.clone();
        suppress(&mut rows, &[&SEQ_SPEC], &MORE, &cfg);
        for r in &rows {
            for n in [r.numerator, r.denominator].into_iter().flatten() {
                prop_assert!(n == 0 || n > t, "count {n} shown with threshold {t}");
            }
            if r.status.suppression().map(|s| s.label()) == Some(SECONDARY) {
                prop_assert!(r.note.starts_with(SECONDARY_NOTE));
            }
        }
        assert_no_small_count_recoverable(&before, &rows, &timeliness_equations(&rows), t);
    }
}

/// Figures computed from a count suppression hides — a trend, a z-score, a
/// rank — are withheld with it, whether the count was hidden as small
/// (primary) or to protect another (secondary).
mod computed_from_hidden {
    use super::*;
    use iro_domain::CollectionYear;
    use iro_metric_api::{AreaCode, DerivedMetric, Params};
    use regional_benchmarking::{
        Indicator, OVER_20_MILES, RegionalBenchmarking, Source, Trend, compare::new_row,
    };

    use crate::registry::BENCHMARK_SOURCES;

    const DISTANCE: MeasureId = placement_distance::DISTANCE;
    const YEARS: std::ops::RangeInclusive<i32> = 2021..=2025;
    const BANDS: [&str; 3] = ["Over 20 miles", "20 miles or less", "Not known"];
    /// The centre line of the comparison (England's share, as a proportion).
    const CENTRE: f64 = 0.2;

    static DISTANCE_SPEC: MetricSpec = MetricSpec {
        id: "placement-distance",
        title: "",
        version: "0",
        requires: &[],
        needs: &[],
        measures: &[MeasureSpec {
            id: DISTANCE,
            title: "",
            unit: Unit::Percent,
            additive_breakdowns: &["distance"],
            subject: Subject::Children,
        }],
        params: &[],
    };

    fn metric() -> RegionalBenchmarking {
        RegionalBenchmarking::new(&BENCHMARK_SOURCES)
    }

    fn at(la: &str, year: i32, metric: MeasureId) -> MetricRow {
        MetricRow::new(
            AreaCode::new(la),
            year,
            Period::Snapshot,
            metric,
            Unit::Percent,
        )
    }

    fn bd(pairs: &[(&'static str, &'static str)]) -> Breakdown {
        Breakdown::of_static(pairs)
    }

    /// z of a share `n / d` against [`CENTRE`] (normal approximation).
    fn z_of(n: u64, d: u64) -> f64 {
        let p = n as f64 / d as f64;
        (p - CENTRE) / (CENTRE * (1.0 - CENTRE) / d as f64).sqrt()
    }

    /// One authority's rows as the engine has them before suppression:
    /// `placement-distance.distance` by band and its total; the benchmarked
    /// 903 figure; its rank and z-score (as the metric writes them only for
    /// a figure with no small count) and its five-year trend (only where no
    /// figure of the window has a small count).
    fn authority(la: &'static str, counts: &[[u64; 3]], t: u64) -> Vec<MetricRow> {
        let small = |n: u64| n >= 1 && n <= t;
        let mut rows = Vec::new();
        let mut figures: Vec<(i32, u64, u64)> = Vec::new();
        for (year, c) in YEARS.zip(counts) {
            let total: u64 = c.iter().sum();
            for (band, &n) in BANDS.iter().zip(c) {
                rows.push(
                    at(la, year, DISTANCE)
                        .with_breakdown(bd(&[("distance", band)]))
                        .percent(n, total),
                );
            }
            rows.push(at(la, year, DISTANCE).percent(total, total));
            rows.push(
                at(la, year, OVER_20_MILES)
                    .with_breakdown(bd(&[("source", "903")]))
                    .percent(c[0], total),
            );
            figures.push((year, c[0], total));
        }
        let code = AreaCode::new(la);
        let ind = Indicator::Over20Miles;
        for &(year, n, d) in &figures {
            if d == 0 || small(n) || small(d) {
                continue;
            }
            let comparison = |measure: &str, value: f64| {
                let mut r = new_row(
                    code,
                    CollectionYear(year),
                    ind.period(),
                    measure,
                    Unit::Mean,
                    &[
                        ("indicator", ind.id()),
                        ("comparator", "england"),
                        ("source", "903"),
                    ],
                );
                r.value = Some(value);
                r
            };
            rows.push(comparison("z-score", z_of(n, d)));
            rows.push(comparison("rank", 1.0));
            let window: Vec<&(i32, u64, u64)> = figures
                .iter()
                .filter(|f| f.0 > year - 5 && f.0 <= year)
                .collect();
            if window.iter().any(|f| small(f.1) || small(f.2)) {
                continue;
            }
            let series: Vec<(i32, f64)> = window
                .iter()
                .filter(|f| f.2 > 0)
                .map(|f| (f.0, f.1 as f64 * 100.0 / f.2 as f64))
                .collect();
            if let Some(trend) = Trend::of(&series) {
                rows.extend(trend.rows(code, CollectionYear(year), ind, Source::Ssda903));
            }
        }
        rows
    }

    fn find<'a>(
        rows: &'a [MetricRow],
        la: &str,
        year: i32,
        measure: &str,
    ) -> Option<&'a MetricRow> {
        rows.iter().find(|r| {
            r.la_code == la
                && r.year == year
                && r.metric.measure() == measure
                && r.breakdown.get("source") == Some("903")
        })
    }

    /// What a reader could work out of the hidden share of `la` in `year`
    /// from the rows shown: from a trend change and the first (or last)
    /// year's share, from the slope and every other year's share, or from a
    /// z-score, the centre line and the denominator.
    fn recovered(shown: &[MetricRow], la: &str, year: i32, total: u64) -> Vec<(String, f64)> {
        let published = |y: i32| {
            find(shown, la, y, OVER_20_MILES.measure())
                .filter(|r| !r.status.is_suppressed())
                .and_then(|r| r.value)
        };
        let mut out = Vec::new();
        for last in YEARS {
            let window: Vec<i32> = YEARS.filter(|y| *y > last - 5 && *y <= last).collect();
            if !window.contains(&year) {
                continue;
            }
            if let Some(change) = find(shown, la, last, "trend-change").and_then(|r| r.value) {
                let first = window[0];
                if year == last
                    && let Some(v) = published(first)
                {
                    out.push((format!("change to {last}"), v + change));
                }
                if year == first
                    && let Some(v) = published(last)
                {
                    out.push((format!("change from {first}"), v - change));
                }
            }
            if let Some(slope) = find(shown, la, last, "trend-slope").and_then(|r| r.value) {
                // slope · Sxx = Σ (x - x̄) y, with the hidden year's y unknown.
                let xbar = window.iter().map(|&y| f64::from(y)).sum::<f64>() / window.len() as f64;
                let sxx: f64 = window.iter().map(|&y| (f64::from(y) - xbar).powi(2)).sum();
                let known: Option<f64> = window
                    .iter()
                    .filter(|&&y| y != year)
                    .map(|&y| published(y).map(|v| (f64::from(y) - xbar) * v))
                    .sum();
                let dx = f64::from(year) - xbar;
                if let Some(k) = known
                    && dx != 0.0
                {
                    out.push((format!("slope of {last}"), (slope * sxx - k) / dx));
                }
            }
        }
        if let Some(z) = find(shown, la, year, "z-score").and_then(|r| r.value) {
            let se = (CENTRE * (1.0 - CENTRE) / total as f64).sqrt();
            out.push(("z-score".into(), (CENTRE + z * se) * 100.0));
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn no_hidden_count_comes_back_through_a_trend_or_a_z_score(
            counts in prop::collection::vec(
                prop::collection::vec(
                    (0u64..40, 5u64..160, prop_oneof![Just(0u64), 1u64..12, 12u64..30])
                        .prop_map(|(a, b, c)| [a, b, c]),
                    5,
                ),
                1..4,
            ),
            t in prop_oneof![Just(5u64), Just(7u64), Just(10u64)],
        ) {
            let las = ["800", "801", "802"];
            let mut rows: Vec<MetricRow> = las
                .iter()
                .zip(&counts)
                .flat_map(|(la, c)| authority(la, c, t))
                .collect();
            rows.sort_by(MetricRow::table_order);
            let m = metric();
            let cfg = SuppressionConfig { threshold: t, ..SuppressionConfig::default() };
            suppress(&mut rows, &[&DISTANCE_SPEC, m.spec()], m.relations(), &cfg);
            let params = Params::new();
            withhold_computed(&mut rows, |r| m.computed_from(r, &params));
            for (la, c) in las.iter().zip(&counts) {
                for (year, cell) in YEARS.zip(c) {
                    let total: u64 = cell.iter().sum();
                    let Some(figure) = find(&rows, la, year, OVER_20_MILES.measure()) else {
                        continue;
                    };
                    if !figure.status.is_suppressed() || total == 0 {
                        continue;
                    }
                    let share = cell[0] as f64 * 100.0 / total as f64;
                    for (how, v) in recovered(&rows, la, year, total) {
                        prop_assert!(
                            (v - share).abs() > 1e-6,
                            "{la} {year}: hidden {} of {total} recovered from the {how}",
                            cell[0]
                        );
                    }
                    // No note shown quotes the hidden year's share.
                    let label = CollectionYear(year).label();
                    for r in rows.iter().filter(|r| {
                        r.la_code == *la && !r.status.is_suppressed() && r.metric.metric() == "regional-benchmarking"
                    }) {
                        prop_assert!(!r.note.contains(&label), "{la}: `{}` quotes {label}", r.note);
                    }
                }
            }
        }
    }

    /// 803's case: 2025's share over 20 miles hidden by secondary
    /// suppression (a band of its breakdown is small) while 2021's is shown:
    /// the 2025 trend and z-score go, 2021's stay.
    #[test]
    fn a_secondary_suppression_withholds_the_trend_and_the_z_score() {
        let counts = [
            [12, 203, 0],
            [14, 200, 0],
            [13, 198, 0],
            [12, 190, 0],
            [11, 196, 5],
        ];
        let mut rows = authority("803", &counts, 7);
        rows.sort_by(MetricRow::table_order);
        let m = metric();
        let before = find(&rows, "803", 2025, "trend-change").copied().unwrap();
        assert!(before.note.contains(" to 5.2 %"), "{}", before.note);
        suppress(
            &mut rows,
            &[&DISTANCE_SPEC, m.spec()],
            m.relations(),
            &SuppressionConfig::default(),
        );
        let figure = find(&rows, "803", 2025, "over-20-miles").unwrap();
        assert_eq!(
            figure.status.suppression().map(|s| s.label()),
            Some(SECONDARY)
        );
        withhold_computed(&mut rows, |r| m.computed_from(r, &Params::new()));
        for measure in ["trend-change", "trend-slope", "z-score", "rank"] {
            let r = find(&rows, "803", 2025, measure).unwrap();
            assert_eq!(r.value, None, "{measure}");
            assert_eq!(r.status.suppression().map(|s| s.label()), Some(SECONDARY));
            assert_eq!(
                r.note,
                "withheld: computed from a suppressed figure, regional-benchmarking.over-20-miles [source=903]"
            );
        }
        // 2021's figure was shown: its comparisons stay.
        assert!(find(&rows, "803", 2021, "z-score").unwrap().value.is_some());
        assert!(
            !find(&rows, "803", 2021, "rank")
                .unwrap()
                .status
                .is_suppressed()
        );
    }
}
