use super::*;
use crate::Config;
use iro_metric_api::{Breakdown, MeasureSpec, Unit};

const ON_TIME: &str = r#"
[[targets]]
metric = "review-timeliness.on-time"
at_least = 90.0
label = "Reviews held within statutory timescale"
"#;

#[test]
fn a_target_reads_with_its_defaults() {
    let c = Config::parse(ON_TIME).unwrap();
    assert_eq!(
        c.targets,
        vec![Target {
            metric: "review-timeliness.on-time".into(),
            breakdown: String::new(),
            period: TargetPeriod::One(Period::Year),
            direction: Direction::AtLeast,
            threshold: 90.0,
            label: "Reviews held within statutory timescale".into(),
            las: vec![],
        }]
    );
    assert_eq!(
        c.targets[0].to_string(),
        "Reviews held within statutory timescale ≥ 90"
    );
    let c = Config::parse(
        r#"
        [[targets]]
        metric = "review-timeliness.overdue-at-end"
        period = "each-quarter"
        at_most = 5
        las = ["800", "803"]
        breakdown = "care_type=short breaks"
        "#,
    )
    .unwrap();
    let t = &c.targets[0];
    assert_eq!(
        t.period.periods(),
        [Period::Q1, Period::Q2, Period::Q3, Period::Q4]
    );
    assert_eq!((t.direction, t.threshold), (Direction::AtMost, 5.0));
    assert_eq!(t.display_label(), "review-timeliness.overdue-at-end");
    assert!(t.applies_to("803") && !t.applies_to("887"));
    // Written back (run.json's options) in the same shape, and read again.
    let text = toml::to_string(&c).unwrap();
    assert!(text.contains("at_most = 5.0"), "{text}");
    assert_eq!(Config::parse(&text).unwrap().targets, c.targets);
}

#[test]
fn bad_targets_are_errors_with_a_line() {
    let cases = [
        (
            "[[targets]]\nmetric = \"a.b\"\nat_least = 1\nat_most = 2\n",
            "not both",
        ),
        (
            "[[targets]]\nmetric = \"a.b\"\n",
            "give at_least or at_most",
        ),
        (
            "[[targets]]\nmetric = \"a.b\"\nat_least = 1\nlevel = 3\n",
            "unknown field `level`",
        ),
        (
            "[[targets]]\nmetric = \"a.b\"\nat_least = 1\nperiod = \"Q5\"\n",
            "period `Q5`: expected \"year\", \"Q1\", \"Q2\", \"Q3\", \"Q4\", \"31-03\" or \"each-quarter\"",
        ),
        (
            "[[targets]]\nmetric = \"a.b\"\nat_least = 1\nlas = [\"8\"]\n",
            "`8` is not a DfE",
        ),
        (
            "[[targets]]\nmetric = \"a.b\"\nat_least = 1\nbreakdown = \"first\"\n",
            "is not key=value",
        ),
        (
            "[[targets]]\nmetric = \"on-time\"\nat_least = 1\n",
            "crate.measure",
        ),
        (
            "[[targets]]\nmetric = \"a.b\"\nat_least = nan\n",
            "must be a number",
        ),
    ];
    for (text, want) in cases {
        let e = Config::parse(text).unwrap_err();
        assert!(e.contains(want), "{text}: {e}");
        assert!(e.contains("line "), "{text}: no line in {e}");
    }
}

/// A target's period is a row's period by its text form, or every quarter.
#[test]
fn target_periods_read_as_the_period_column() {
    for p in Period::ALL {
        let t = TargetPeriod::parse(p.label()).unwrap();
        assert_eq!(t, TargetPeriod::One(p));
        assert_eq!(t.label(), p.label());
    }
    assert_eq!(
        TargetPeriod::parse("each-quarter"),
        Ok(TargetPeriod::EachQuarter)
    );
    for bad in ["", "Year", "q1", "31/03", "each quarter"] {
        assert!(TargetPeriod::parse(bad).is_err(), "{bad}");
    }
}

static SPEC: MetricSpec = MetricSpec {
    id: "review-timeliness",
    title: "",
    version: "0",
    requires: &[],
    needs: &[],
    measures: &[MeasureSpec {
        id: MeasureId::new("review-timeliness.on-time"),
        title: "",
        unit: Unit::Percent,
        additive_breakdowns: &[],
        subject: iro_metric_api::Subject::Children,
    }],
    params: &[],
};

#[test]
fn unknown_metrics_are_named() {
    let c = Config::parse(ON_TIME).unwrap();
    assert_eq!(c.targets[0].check_metric(&[&SPEC]), Ok(()));
    let mut t = c.targets[0].clone();
    t.metric = "review-timeliness.reviews-on-time-pct".into();
    let e = t.check_metric(&[&SPEC]).unwrap_err();
    assert!(
        e.contains("`review-timeliness.reviews-on-time-pct`") && e.contains("on-time"),
        "{e}"
    );
    t.metric = "timeliness.on-time".into();
    let e = t.check_metric(&[&SPEC]).unwrap_err();
    assert!(e.contains("no metric `timeliness`"), "{e}");
}

fn pct(la: &str, year: i32, period: Period, num: u64, den: u64) -> MetricRow {
    MetricRow::new(
        iro_metric_api::AreaCode::new(la),
        year,
        period,
        review_timeliness::ON_TIME,
        Unit::Percent,
    )
    .percent(num, den)
}

fn hidden(mut r: MetricRow) -> MetricRow {
    r.numerator = None;
    r.value = None;
    r.status = iro_metric_api::CellStatus::Suppressed(iro_metric_api::Suppression::Secondary {
        relation: "",
    });
    r
}

/// (authority, year, met, value, previous, previous hidden, trend).
type Outcome<'a> = (&'a str, i32, Met, Option<f64>, Option<f64>, bool, Trend);

#[test]
fn met_and_trend_by_hand() {
    let y = Period::Year;
    let rows = vec![
        // 800: 2023 85% (no previous year loaded), 2024 90% exactly (met;
        // better), 2025 89.5% (not met; worse).
        pct("800", 2023, y, 85, 100),
        pct("800", 2024, y, 90, 100),
        pct("800", 2025, y, 179, 200),
        // 803: 2024 95%, 2025 hidden: suppressed, never guessed, no trend.
        pct("803", 2024, y, 95, 100),
        hidden(pct("803", 2025, y, 95, 100)),
        // 887: 2024 hidden, 2025 92%: met, no trend (previous hidden).
        hidden(pct("887", 2024, y, 9, 10)),
        pct("887", 2025, y, 92, 100),
    ];
    let targets = Config::parse(ON_TIME).unwrap().targets;
    let las: Vec<String> = ["887", "800", "803", "999"].map(String::from).to_vec();
    let out = evaluate(&targets, &rows, &las, &[2024, 2025]);
    let got: Vec<Outcome<'_>> = out
        .iter()
        .map(|r| {
            (
                r.la_code.as_str(),
                r.year,
                r.met,
                r.value,
                r.previous_value,
                r.previous_suppressed,
                r.trend,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "800",
                2024,
                Met::Yes,
                Some(90.0),
                Some(85.0),
                false,
                Trend::Better
            ),
            (
                "800",
                2025,
                Met::No,
                Some(89.5),
                Some(90.0),
                false,
                Trend::Worse
            ),
            ("803", 2024, Met::Yes, Some(95.0), None, false, Trend::None),
            (
                "803",
                2025,
                Met::Suppressed,
                None,
                Some(95.0),
                false,
                Trend::None
            ),
            ("887", 2024, Met::Suppressed, None, None, false, Trend::None),
            ("887", 2025, Met::Yes, Some(92.0), None, true, Trend::None),
            // An authority with no rows: not computable, never zero.
            (
                "999",
                2024,
                Met::NotComputable,
                None,
                None,
                false,
                Trend::None
            ),
            (
                "999",
                2025,
                Met::NotComputable,
                None,
                None,
                false,
                Trend::None
            ),
        ]
    );
    assert!(
        out.iter()
            .all(|r| r.label == "Reviews held within statutory timescale")
    );
}

#[test]
fn quarters_compare_with_the_previous_quarter_and_at_most_is_lower_is_better() {
    let mut rows = vec![
        pct("800", 2024, Period::Q4, 6, 100),
        pct("800", 2025, Period::Q1, 4, 100),
        pct("800", 2025, Period::Q2, 4, 100),
        pct("800", 2025, Period::Q3, 5, 100),
        pct("800", 2025, Period::Q4, 3, 100),
    ];
    for r in &mut rows {
        r.breakdown = Breakdown::one("care_type", "short breaks");
    }
    let targets = Config::parse(
        r#"
        [[targets]]
        metric = "review-timeliness.on-time"
        breakdown = "care_type=short breaks"
        period = "each-quarter"
        at_most = 4
        las = ["800"]
        "#,
    )
    .unwrap()
    .targets;
    let out = evaluate(&targets, &rows, &["800".into(), "803".into()], &[2025]);
    let got: Vec<(Period, Met, Option<f64>, Trend)> = out
        .iter()
        .map(|r| (r.period, r.met, r.previous_value, r.trend))
        .collect();
    // Q1 against Q4 of 2023-24 (6 → 4, lower: better); Q2 against Q1 (same);
    // Q3 5 > 4: not met, worse; Q4 3: met, better. 803 is not targeted.
    assert_eq!(
        got,
        vec![
            (Period::Q1, Met::Yes, Some(6.0), Trend::Better),
            (Period::Q2, Met::Yes, Some(4.0), Trend::Same),
            (Period::Q3, Met::No, Some(4.0), Trend::Worse),
            (Period::Q4, Met::Yes, Some(5.0), Trend::Better),
        ]
    );
    assert!(
        out.iter()
            .all(|r| r.direction == Direction::AtMost && r.target == 4.0)
    );
}
