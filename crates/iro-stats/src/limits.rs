//! Funnel-plot control limits around a target θ₀ (Spiegelhalter 2005), as
//! functions of the precision axis: the population for rates per 10,000, the
//! number of trials n for proportions.

use serde::{Deserialize, Serialize};

use crate::discrete::{Binomial, Poisson, interpolated_quantile};
use crate::error::{MAX_COUNT, Result, StatsError, check_count, check_denominator, tail_of_level};
use crate::interval::{Interval, PER_10K};
use crate::special::normal_quantile;

/// The kind of indicator a funnel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Indicator {
    /// Count per 10,000 children; the precision axis is the child population.
    /// Counts are modelled as Poisson(θ₀ · population / 10,000).
    RatePer10k,
    /// Successes out of n trials (a fraction in [0, 1]); the precision axis is
    /// n. Counts are modelled as Binomial(n, θ₀).
    Proportion,
}

/// How the (unadjusted) control limits are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitMethod {
    /// Exact Poisson or binomial quantiles with Spiegelhalter's interpolation
    /// (2005, App. A.1.1). The default.
    #[default]
    Exact,
    /// Normal approximation: θ₀ ± z·√(θ₀/ρ) for rates (ρ = population/10,000),
    /// θ₀ ± z·√(θ₀(1 − θ₀)/n) for proportions. (PHE's "Wilson" funnel for
    /// proportions is algebraically the same curve.)
    Normal,
}

/// Validate a target for limit calculations: a rate must be finite and ≥ 0;
/// a proportion must lie in [0, 1].
pub(crate) fn check_target(indicator: Indicator, target: f64) -> Result<()> {
    let ok = match indicator {
        Indicator::RatePer10k => target.is_finite() && target >= 0.0,
        Indicator::Proportion => (0.0..=1.0).contains(&target),
    };
    if ok {
        Ok(())
    } else {
        Err(StatsError::InvalidTarget(target))
    }
}

/// Validate a denominator for an indicator: positive, finite, ≤ 10¹⁰, and a
/// whole number for proportions. Also checks the expected count of a rate.
pub(crate) fn check_limit_denominator(
    indicator: Indicator,
    target: f64,
    denominator: f64,
) -> Result<()> {
    check_denominator(denominator)?;
    match indicator {
        Indicator::Proportion => {
            if denominator.fract() != 0.0 {
                return Err(StatsError::InvalidDenominator(denominator));
            }
        }
        Indicator::RatePer10k => {
            let lambda = target * denominator / PER_10K;
            if lambda > MAX_COUNT {
                return Err(StatsError::TooLarge(lambda));
            }
        }
    }
    Ok(())
}

/// Spiegelhalter's interpolated exact limit at one-sided probability `p`
/// (with `q = 1 − p` supplied separately for upper-tail precision), on the
/// indicator's own scale. No clamping. Inputs must already be validated.
pub(crate) fn exact_limit_unchecked(
    indicator: Indicator,
    target: f64,
    denominator: f64,
    p: f64,
    q: f64,
) -> f64 {
    match indicator {
        Indicator::RatePer10k => {
            let rho = denominator / PER_10K;
            let d = Poisson {
                lambda: target * rho,
            };
            interpolated_quantile(&d, p, q) / rho
        }
        Indicator::Proportion => {
            let d = Binomial {
                n: denominator as u64,
                theta: target,
            };
            interpolated_quantile(&d, p, q) / denominator
        }
    }
}

/// Null standard error of the indicator at θ₀: √(θ₀/ρ) for rates,
/// √(θ₀(1 − θ₀)/n) for proportions.
pub(crate) fn null_se(indicator: Indicator, target: f64, denominator: f64) -> f64 {
    match indicator {
        Indicator::RatePer10k => (target * PER_10K / denominator).sqrt(),
        Indicator::Proportion => (target * (1.0 - target) / denominator).sqrt(),
    }
}

/// Two-sided limits at tail probability `a = (1 − level)/2`. Inputs must
/// already be validated. Lower limits are floored at 0 and at most θ₀;
/// upper limits are at least θ₀ and, for proportions, at most 1.
pub(crate) fn limits_unchecked(
    indicator: Indicator,
    target: f64,
    denominator: f64,
    a: f64,
    method: LimitMethod,
) -> Interval {
    let cap = match indicator {
        Indicator::RatePer10k => f64::INFINITY,
        Indicator::Proportion => 1.0,
    };
    let (lower, upper) = match method {
        LimitMethod::Exact => (
            exact_limit_unchecked(indicator, target, denominator, a, 1.0 - a),
            exact_limit_unchecked(indicator, target, denominator, 1.0 - a, a),
        ),
        LimitMethod::Normal => {
            let z = normal_quantile(1.0 - a);
            let se = null_se(indicator, target, denominator);
            (target - z * se, target + z * se)
        }
    };
    Interval {
        lower: lower.clamp(0.0, target),
        upper: upper.max(target).min(cap),
    }
}

/// Control limits for a rate per 10,000 at a child population `population`,
/// around the target rate `target_per_10k`, at two-sided `level` (e.g. 0.95
/// or 0.998).
///
/// ```
/// use iro_stats::{rate_limits, LimitMethod};
/// // 70 per 10,000 in an authority of 50,000 children: E = 350.
/// let l = rate_limits(70.0, 50_000.0, 0.998, LimitMethod::Exact).unwrap();
/// assert!(l.lower < 70.0 && 70.0 < l.upper);
/// ```
pub fn rate_limits(
    target_per_10k: f64,
    population: f64,
    level: f64,
    method: LimitMethod,
) -> Result<Interval> {
    let a = tail_of_level(level)?;
    check_target(Indicator::RatePer10k, target_per_10k)?;
    check_limit_denominator(Indicator::RatePer10k, target_per_10k, population)?;
    Ok(limits_unchecked(
        Indicator::RatePer10k,
        target_per_10k,
        population,
        a,
        method,
    ))
}

/// Control limits for a proportion with `n` trials around the target
/// proportion `target` (a fraction), at two-sided `level`.
pub fn proportion_limits(target: f64, n: u64, level: f64, method: LimitMethod) -> Result<Interval> {
    let a = tail_of_level(level)?;
    check_target(Indicator::Proportion, target)?;
    if n == 0 {
        return Err(StatsError::InvalidDenominator(0.0));
    }
    check_count(n)?;
    Ok(limits_unchecked(
        Indicator::Proportion,
        target,
        n as f64,
        a,
        method,
    ))
}

/// One exact, interpolated, *unclamped* limit at one-sided probability `p`
/// in (0, 1): (r_p − α)/ρ per 10,000 for rates or (r_p − α)/n for
/// proportions, with r_p the smallest r such that P(R ≤ r) ≥ p and
/// α = [P(R ≤ r_p) − p] / [P(R ≤ r_p) − P(R ≤ r_p − 1)].
///
/// The value can be below 0 (when r_p = 0) or on the wrong side of θ₀ (when
/// the expected count is tiny); [`rate_limits`] and [`proportion_limits`]
/// clamp those cases.
pub fn exact_limit(indicator: Indicator, target: f64, denominator: f64, p: f64) -> Result<f64> {
    if !(p.is_finite() && p > 0.0 && p < 1.0) {
        return Err(StatsError::InvalidLevel(p));
    }
    check_target(indicator, target)?;
    check_limit_denominator(indicator, target, denominator)?;
    Ok(exact_limit_unchecked(
        indicator,
        target,
        denominator,
        p,
        1.0 - p,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_limits_match_formula() {
        let l = rate_limits(70.0, 100_000.0, 0.95, LimitMethod::Normal).unwrap();
        let se = (70.0f64 / 10.0).sqrt();
        assert!((l.upper - (70.0 + 1.959_963_984_540_054 * se)).abs() < 1e-10);
    }

    #[test]
    fn zero_target_gives_zero_limits() {
        let l = rate_limits(0.0, 1000.0, 0.95, LimitMethod::Exact).unwrap();
        assert_eq!((l.lower, l.upper), (0.0, 0.0));
        let l = proportion_limits(1.0, 10, 0.95, LimitMethod::Exact).unwrap();
        assert_eq!((l.lower <= 1.0, l.upper), (true, 1.0));
    }

    #[test]
    fn england_sized_population() {
        // 12 million children at 70 per 10,000: E = 84,000.
        let l = rate_limits(70.0, 12_000_000.0, 0.998, LimitMethod::Exact).unwrap();
        let n = rate_limits(70.0, 12_000_000.0, 0.998, LimitMethod::Normal).unwrap();
        assert!((l.upper - n.upper).abs() < 0.05);
        assert!((l.lower - n.lower).abs() < 0.05);
    }
}
