//! Point estimates with confidence intervals: rates per 10,000 (exact Poisson
//! "Garwood" and Byar's approximation) and proportions (Wilson score and exact
//! Clopper–Pearson), at any confidence level.

use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError, check_count, check_denominator, tail_of_level};
use crate::special::{Tail, beta_quantile, gamma_quantile, normal_quantile};

/// Rates are expressed per this many children.
pub const PER_10K: f64 = 10_000.0;

/// A two-sided interval `[lower, upper]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower end.
    pub lower: f64,
    /// Upper end.
    pub upper: f64,
}

impl Interval {
    /// True if `x` lies in the closed interval.
    pub fn contains(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }
}

/// A point estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The rate per 10,000 or the proportion (a fraction in [0, 1], not %).
    pub value: f64,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
    /// Two-sided confidence level, e.g. 0.95.
    pub level: f64,
}

/// How a confidence interval for a Poisson count (and so a rate) is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RateCiMethod {
    /// Exact (Garwood 1936): lower = χ²_{a}(2O)/2, upper = χ²_{1−a}(2O+2)/2.
    Exact,
    /// Byar's approximation (as in PHEindicatormethods).
    Byar,
}

/// How a confidence interval for a binomial proportion is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProportionCiMethod {
    /// Wilson (1927) score interval.
    Wilson,
    /// Exact Clopper–Pearson (1934) interval from beta quantiles.
    Exact,
}

/// Confidence interval for the mean of a Poisson count `observed`, on the
/// count scale.
///
/// * Exact: lower = 0 if O = 0, else the a-quantile of Gamma(O, 1); upper =
///   the (1 − a)-quantile of Gamma(O + 1, 1), with a = (1 − level)/2. (This is
///   the χ² form χ²_a(2O)/2, χ²_{1−a}(2O + 2)/2.)
/// * Byar: lower = O(1 − 1/(9O) − z/(3√O))³ (0 if O = 0, floored at 0),
///   upper = (O + 1)(1 − 1/(9(O + 1)) + z/(3√(O + 1)))³, z = Φ⁻¹(1 − a).
pub fn poisson_count_interval(observed: u64, level: f64, method: RateCiMethod) -> Result<Interval> {
    let a = tail_of_level(level)?;
    check_count(observed)?;
    let o = observed as f64;
    Ok(match method {
        RateCiMethod::Exact => {
            let lower = if observed == 0 {
                0.0
            } else {
                gamma_quantile(o, a, Tail::Lower)
            };
            let upper = gamma_quantile(o + 1.0, a, Tail::Upper);
            Interval { lower, upper }
        }
        RateCiMethod::Byar => {
            let z = normal_quantile(1.0 - a);
            let lower = if observed == 0 {
                0.0
            } else {
                (o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt())).powi(3)).max(0.0)
            };
            let o1 = o + 1.0;
            let upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * o1.sqrt())).powi(3);
            Interval { lower, upper }
        }
    })
}

/// The rate per 10,000, `observed / population × 10,000`, with its confidence
/// interval (the count interval scaled the same way). `population` is the
/// number of children (for example under-18s from the ONS mid-year estimates).
pub fn rate_per_10k(
    observed: u64,
    population: f64,
    level: f64,
    method: RateCiMethod,
) -> Result<Estimate> {
    check_denominator(population)?;
    let ci = poisson_count_interval(observed, level, method)?;
    let scale = PER_10K / population;
    Ok(Estimate {
        value: observed as f64 * scale,
        lower: ci.lower * scale,
        upper: ci.upper * scale,
        level,
    })
}

/// The proportion `observed / n` (a fraction, not %) with its confidence
/// interval.
///
/// * Wilson: (2x + z² ± z√(z² + 4x(1 − x/n))) / (2(n + z²)).
/// * Exact (Clopper–Pearson): lower = 0 if x = 0, else the a-quantile of
///   Beta(x, n − x + 1); upper = 1 if x = n, else the (1 − a)-quantile of
///   Beta(x + 1, n − x).
pub fn proportion(
    observed: u64,
    n: u64,
    level: f64,
    method: ProportionCiMethod,
) -> Result<Estimate> {
    let a = tail_of_level(level)?;
    if n == 0 {
        return Err(StatsError::InvalidDenominator(0.0));
    }
    check_count(n)?;
    if observed > n {
        return Err(StatsError::ObservedExceedsDenominator {
            observed,
            denominator: n,
        });
    }
    let (x, nf) = (observed as f64, n as f64);
    let value = x / nf;
    let (lower, upper) = match method {
        ProportionCiMethod::Wilson => {
            let z = normal_quantile(1.0 - a);
            let z2 = z * z;
            let centre = 2.0 * x + z2;
            let half = z * (z2 + 4.0 * x * (1.0 - value)).max(0.0).sqrt();
            let den = 2.0 * (nf + z2);
            (
                ((centre - half) / den).clamp(0.0, value),
                ((centre + half) / den).clamp(value, 1.0),
            )
        }
        ProportionCiMethod::Exact => {
            let lower = if observed == 0 {
                0.0
            } else {
                beta_quantile(x, nf - x + 1.0, a, Tail::Lower)
            };
            let upper = if observed == n {
                1.0
            } else {
                beta_quantile(x + 1.0, nf - x, a, Tail::Upper)
            };
            (lower.min(value), upper.max(value))
        }
    };
    Ok(Estimate {
        value,
        lower,
        upper,
        level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_count_exact_upper_is_minus_log_a() {
        // With O = 0 the exact upper limit solves e^{-μ} = a.
        let ci = poisson_count_interval(0, 0.95, RateCiMethod::Exact).unwrap();
        assert_eq!(ci.lower, 0.0);
        assert!((ci.upper - (-(0.025f64).ln())).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(rate_per_10k(3, 0.0, 0.95, RateCiMethod::Exact).is_err());
        assert!(rate_per_10k(3, f64::NAN, 0.95, RateCiMethod::Exact).is_err());
        assert!(rate_per_10k(3, 100.0, 1.0, RateCiMethod::Exact).is_err());
        assert!(proportion(4, 3, 0.95, ProportionCiMethod::Wilson).is_err());
        assert!(proportion(0, 0, 0.95, ProportionCiMethod::Exact).is_err());
    }

    #[test]
    fn proportion_edges() {
        let e = proportion(0, 10, 0.95, ProportionCiMethod::Exact).unwrap();
        assert_eq!(e.lower, 0.0);
        // upper = 1 − a^{1/n}
        assert!((e.upper - (1.0 - 0.025f64.powf(0.1))).abs() < 1e-12);
        let e = proportion(10, 10, 0.95, ProportionCiMethod::Exact).unwrap();
        assert_eq!(e.upper, 1.0);
        assert!((e.lower - 0.025f64.powf(0.1)).abs() < 1e-12);
    }
}
