//! Property tests: limits bracket the target, are nested in the level, narrow
//! as the denominator grows, and nothing panics or returns NaN for any input.

use iro_stats::*;
use proptest::prelude::*;

const TOL: f64 = 1e-9;

fn level() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.95),
        Just(0.998),
        0.5f64..0.99999,
        0.000_001f64..0.999_999_999,
    ]
}

fn population() -> impl Strategy<Value = f64> {
    prop_oneof![
        1.0f64..100.0,
        100.0f64..1e5,
        1e5f64..1.3e7,
        Just(12_000_000.0)
    ]
}

fn n_trials() -> impl Strategy<Value = u64> {
    prop_oneof![1u64..20, 1u64..2_000, 1u64..100_000]
}

fn rate_target() -> impl Strategy<Value = f64> {
    prop_oneof![0.0f64..1.0, 1.0f64..300.0, Just(70.0), Just(0.0)]
}

fn prop_target() -> impl Strategy<Value = f64> {
    prop_oneof![0.0f64..=1.0, 0.0f64..0.01, 0.99f64..=1.0, Just(0.5)]
}

fn methods() -> impl Strategy<Value = LimitMethod> {
    prop_oneof![Just(LimitMethod::Exact), Just(LimitMethod::Normal)]
}

fn finite(i: Interval) -> bool {
    i.lower.is_finite() && i.upper.is_finite()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rate_limits_bracket_target(t in rate_target(), pop in population(), lv in level(), m in methods()) {
        let l = rate_limits(t, pop, lv, m).unwrap();
        prop_assert!(finite(l));
        prop_assert!(0.0 <= l.lower && l.lower <= t && t <= l.upper, "{l:?} {t}");
    }

    #[test]
    fn proportion_limits_bracket_target(t in prop_target(), n in n_trials(), lv in level(), m in methods()) {
        let l = proportion_limits(t, n, lv, m).unwrap();
        prop_assert!(finite(l));
        prop_assert!(0.0 <= l.lower && l.lower <= t && t <= l.upper && l.upper <= 1.0, "{l:?} {t}");
    }

    #[test]
    fn limits_are_nested_in_the_level(
        t in rate_target(), pt in prop_target(), pop in population(), n in n_trials(),
        a in level(), b in level(), m in methods()
    ) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let r1 = rate_limits(t, pop, lo, m).unwrap();
        let r2 = rate_limits(t, pop, hi, m).unwrap();
        prop_assert!(r2.lower <= r1.lower + TOL * t.max(1.0) && r1.upper <= r2.upper + TOL * t.max(1.0), "{r1:?} {r2:?}");
        let p1 = proportion_limits(pt, n, lo, m).unwrap();
        let p2 = proportion_limits(pt, n, hi, m).unwrap();
        prop_assert!(p2.lower <= p1.lower + TOL && p1.upper <= p2.upper + TOL, "{p1:?} {p2:?}");
    }

    /// Normal limits narrow strictly; exact lower limits never fall as the
    /// population grows.
    #[test]
    fn rate_limits_narrow_with_population(t in 0.1f64..300.0, p1 in population(), f in 1.0f64..50.0, lv in level()) {
        let p2 = (p1 * f).min(1.3e7);
        let n1 = rate_limits(t, p1, lv, LimitMethod::Normal).unwrap();
        let n2 = rate_limits(t, p2, lv, LimitMethod::Normal).unwrap();
        prop_assert!(n2.lower + TOL * t >= n1.lower && n2.upper <= n1.upper + TOL * t);
        let e1 = rate_limits(t, p1, lv, LimitMethod::Exact).unwrap();
        let e2 = rate_limits(t, p2, lv, LimitMethod::Exact).unwrap();
        prop_assert!(e2.lower + TOL * t >= e1.lower, "lower {e1:?} {e2:?}");
    }

    /// Exact upper limits ripple (discreteness survives the interpolation),
    /// but for levels ≥ 80% and expected counts ≥ 5 they never rise by more
    /// than 0.5% of θ₀, and a fourfold larger population (from E ≥ 1) always
    /// has a lower upper limit.
    #[test]
    fn exact_rate_upper_limit_ripple_is_small(t in 0.1f64..300.0, p1 in population(), f in 1.0f64..50.0, lv in 0.8f64..0.99999) {
        let p2 = (p1 * f).min(1.3e7);
        let e1 = rate_limits(t, p1, lv, LimitMethod::Exact).unwrap();
        let e2 = rate_limits(t, p2, lv, LimitMethod::Exact).unwrap();
        let expected = t * p1 / PER_10K;
        if expected >= 5.0 {
            prop_assert!(e2.upper <= e1.upper + 0.005 * t, "{e1:?} {e2:?} E={expected}");
        }
        if expected >= 1.0 && p2 >= 4.0 * p1 {
            prop_assert!(e2.upper <= e1.upper, "{e1:?} {e2:?} E={expected}");
        }
    }

    #[test]
    fn proportion_limits_narrow_with_n(t in 0.001f64..0.999, n1 in n_trials(), f in 1u64..50, lv in 0.8f64..0.99999) {
        let n2 = n1 * f;
        let a = proportion_limits(t, n1, lv, LimitMethod::Normal).unwrap();
        let b = proportion_limits(t, n2, lv, LimitMethod::Normal).unwrap();
        prop_assert!(b.lower + TOL >= a.lower && b.upper <= a.upper + TOL);
        let a = proportion_limits(t, n1, lv, LimitMethod::Exact).unwrap();
        let b = proportion_limits(t, n2, lv, LimitMethod::Exact).unwrap();
        prop_assert!(b.lower + TOL >= a.lower, "lower {a:?} {b:?}");
        let m = n1 as f64 * t.min(1.0 - t);
        if m >= 5.0 {
            prop_assert!(b.upper <= a.upper + 0.005 * t, "upper {a:?} {b:?}");
        }
    }

    #[test]
    fn confidence_intervals_contain_the_estimate(o in 0u64..200_000, pop in population(), x in 0u64..5_000, extra in 0u64..5_000, lv in level()) {
        let n = x + extra;
        for m in [RateCiMethod::Exact, RateCiMethod::Byar] {
            let e = rate_per_10k(o, pop, lv, m).unwrap();
            prop_assert!(e.lower.is_finite() && e.upper.is_finite());
            prop_assert!(0.0 <= e.lower && e.lower <= e.value + TOL * e.value.max(1.0) && e.value <= e.upper, "{e:?}");
        }
        if n > 0 {
            for m in [ProportionCiMethod::Wilson, ProportionCiMethod::Exact] {
                let e = proportion(x, n, lv, m).unwrap();
                prop_assert!(0.0 <= e.lower && e.lower <= e.value && e.value <= e.upper && e.upper <= 1.0, "{e:?}");
            }
        }
    }

    #[test]
    fn no_panics_for_any_scalar_input(
        o in any::<u64>(), d in any::<u64>(), f in any::<f64>(), g in any::<f64>(), lv in any::<f64>()
    ) {
        let small_o = o % 2_000_000;
        let _ = rate_per_10k(small_o, f, lv, RateCiMethod::Exact);
        let _ = rate_per_10k(small_o, g, lv, RateCiMethod::Byar);
        let _ = proportion(small_o, d % 3_000_000, lv, ProportionCiMethod::Exact);
        let _ = proportion(o, d, lv, ProportionCiMethod::Wilson);
        let _ = rate_limits(f, g, lv, LimitMethod::Exact);
        let _ = rate_limits(f, g, lv, LimitMethod::Normal);
        let _ = proportion_limits(f, d % 3_000_000, lv, LimitMethod::Exact);
        let _ = exact_limit(Indicator::RatePer10k, f, g, lv);
        let _ = exact_limit(Indicator::Proportion, f, g, lv);
        let _ = z_score(Indicator::RatePer10k, f, o, d);
        let _ = z_score(Indicator::Proportion, f, o, d);
        let _ = quantile(&[f, g, lv], f);
        let _ = winsorise(&[f, g, lv], Winsorisation { lower: g, upper: lv });
        let _ = quartile_of_rank(o as usize, d as usize);
        let _ = rank(&[Some(f), None, Some(g), Some(lv), Some(f)], Order::Descending, Ties::Dense);
        let _ = normal_quantile(f);
        let _ = normal_cdf(f);
        // Values returned with Ok are finite.
        if let Ok(l) = rate_limits(f, g, lv, LimitMethod::Exact) {
            prop_assert!(finite(l));
        }
        if let Ok(e) = rate_per_10k(small_o, f, lv, RateCiMethod::Exact) {
            prop_assert!(e.value.is_finite() && e.lower.is_finite() && e.upper.is_finite());
        }
    }
}

fn unit_strategy() -> impl Strategy<Value = Unit> {
    (
        prop_oneof![5 => 0u64..50, 5 => 0u64..5_000, 1 => Just(0u64), 1 => any::<u64>()],
        prop_oneof![5 => 0u64..100, 5 => 100u64..400_000, 1 => Just(0u64), 1 => Just(12_000_000u64), 1 => any::<u64>()],
    )
        .prop_map(|(o, d)| Unit::new(format!("{o}/{d}"), o, d))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any units, target, levels, winsorisation and grid size: no panic; on
    /// success every number is finite, limits bracket the target, every
    /// unit is either plotted or excluded, and normal curves and applied
    /// adjusted curves narrow along the grid.
    #[test]
    fn funnel_never_panics(
        units in prop::collection::vec(unit_strategy(), 0..40),
        rate in any::<bool>(),
        target in prop_oneof![5 => 0.0f64..1.0, 5 => 1.0f64..300.0, 1 => any::<f64>()],
        levels in prop::collection::vec(prop_oneof![20 => level(), 1 => any::<f64>()], 0..4),
        wl in prop_oneof![5 => Just(0.1f64), 5 => 0.0f64..0.5, 1 => any::<f64>()],
        wu in prop_oneof![5 => Just(0.9f64), 5 => 0.5f64..1.0, 1 => any::<f64>()],
        points in prop_oneof![5 => Just(100usize), 5 => 0usize..300],
        adj in prop_oneof![Just(Adjustment::None), Just(Adjustment::RandomEffects), Just(Adjustment::Multiplicative)],
        method in methods(),
    ) {
        let ind = if rate { Indicator::RatePer10k } else { Indicator::Proportion };
        let spec = FunnelSpec::new(ind, Target::new(target, TargetSource::Other("test".into())))
            .levels(levels)
            .winsorisation(wl, wu)
            .grid_points(points)
            .adjustment(adj)
            .method(method);
        let res = spec.compute(&units);
        if std::env::var_os("IRO_STATS_DEBUG").is_some() {
            eprintln!("{}", if res.is_ok() { "ok" } else { "err" });
        }
        if let Ok(f) = res {
            prop_assert_eq!(f.units.len() + f.excluded.len(), units.len());
            let t = f.spec.target.value;
            for u in &f.units {
                prop_assert!(u.value.is_finite() && u.z.is_finite() && u.z_adjusted.is_finite());
                for b in &u.bands {
                    for band in [b.unadjusted, b.adjusted] {
                        prop_assert!(band.lower.is_finite() && band.upper.is_finite());
                        prop_assert!(band.lower <= t && t <= band.upper);
                    }
                }
            }
            if let Some(od) = f.over_dispersion {
                prop_assert!(od.phi.is_finite() && od.tau2.is_finite() && od.tau2 >= 0.0);
            }
            let applied = f.over_dispersion.is_some_and(|o| o.applied());
            for c in &f.curves {
                for k in 0..f.grid.len() {
                    prop_assert!(c.lower[k] <= t && t <= c.upper[k]);
                    prop_assert!(c.adjusted_lower[k] <= t && t <= c.adjusted_upper[k]);
                    prop_assert!(c.upper[k].is_finite() && c.adjusted_upper[k].is_finite());
                    if k > 0 {
                        if applied {
                            prop_assert!(c.adjusted_lower[k] + TOL * t >= c.adjusted_lower[k - 1]);
                            prop_assert!(c.adjusted_upper[k] <= c.adjusted_upper[k - 1] + TOL * t);
                        }
                        if method == LimitMethod::Normal {
                            prop_assert!(c.lower[k] + TOL * t >= c.lower[k - 1]);
                            prop_assert!(c.upper[k] <= c.upper[k - 1] + TOL * t);
                        }
                    }
                }
            }
        }
    }
}
