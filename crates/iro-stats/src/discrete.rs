//! Poisson and binomial distributions, and the interpolated discrete quantile
//! of Spiegelhalter (2005), Appendix A.1.1.
//!
//! The quantile search is ours (not statrs' `inverse_cdf`, which panics for p
//! outside [0, 1] and bisects over the whole support): start at a
//! Cornish–Fisher guess, step outwards with doubling steps until the answer is
//! bracketed, then bisect. Near the mean the guess is usually within one or two
//! of the answer, so a limit costs a handful of CDF evaluations.

use crate::special::{beta_reg, gamma_p, gamma_q, ln_gamma, normal_quantile};

/// A distribution on 0, 1, 2, … with the few operations the search needs.
pub(crate) trait Discrete {
    /// P(R ≤ r).
    fn cdf(&self, r: u64) -> f64;
    /// P(R > r).
    fn sf(&self, r: u64) -> f64;
    /// P(R = r).
    fn pmf(&self, r: u64) -> f64;
    /// A starting guess for the p-quantile, given z = Φ⁻¹(p).
    fn guess(&self, z: f64) -> f64;
    /// A value r with P(R ≤ r) = 1, or far enough into the upper tail that it
    /// is treated as such.
    fn cap(&self) -> u64;
}

/// Poisson(λ).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Poisson {
    pub lambda: f64,
}

impl Discrete for Poisson {
    fn cdf(&self, r: u64) -> f64 {
        if self.lambda <= 0.0 {
            return 1.0;
        }
        gamma_q(r as f64 + 1.0, self.lambda)
    }
    fn sf(&self, r: u64) -> f64 {
        if self.lambda <= 0.0 {
            return 0.0;
        }
        gamma_p(r as f64 + 1.0, self.lambda)
    }
    fn pmf(&self, r: u64) -> f64 {
        let l = self.lambda;
        if l <= 0.0 {
            return if r == 0 { 1.0 } else { 0.0 };
        }
        let r = r as f64;
        (r * l.ln() - l - ln_gamma(r + 1.0)).exp()
    }
    fn guess(&self, z: f64) -> f64 {
        let l = self.lambda;
        if l <= 0.0 {
            return 0.0;
        }
        let sd = l.sqrt();
        l + sd * (z + (z * z - 1.0) / (6.0 * sd))
    }
    fn cap(&self) -> u64 {
        let l = self.lambda.max(0.0);
        // Beyond ~60 standard deviations (plus a margin for tiny means) the
        // upper tail is below 1e-300.
        (l + 60.0 * l.sqrt() + 400.0).ceil() as u64
    }
}

/// Binomial(n, θ).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Binomial {
    pub n: u64,
    pub theta: f64,
}

impl Discrete for Binomial {
    fn cdf(&self, r: u64) -> f64 {
        let (n, t) = (self.n, self.theta);
        if r >= n || t <= 0.0 {
            return 1.0;
        }
        if t >= 1.0 {
            return 0.0;
        }
        // P(R ≤ r) = I_{1−θ}(n − r, r + 1)
        beta_reg((n - r) as f64, r as f64 + 1.0, 1.0 - t, t)
    }
    fn sf(&self, r: u64) -> f64 {
        let (n, t) = (self.n, self.theta);
        if r >= n || t <= 0.0 {
            return 0.0;
        }
        if t >= 1.0 {
            return 1.0;
        }
        // P(R > r) = I_θ(r + 1, n − r)
        beta_reg(r as f64 + 1.0, (n - r) as f64, t, 1.0 - t)
    }
    fn pmf(&self, r: u64) -> f64 {
        let (n, t) = (self.n, self.theta);
        if r > n {
            return 0.0;
        }
        if t <= 0.0 {
            return if r == 0 { 1.0 } else { 0.0 };
        }
        if t >= 1.0 {
            return if r == n { 1.0 } else { 0.0 };
        }
        let (nf, rf) = (n as f64, r as f64);
        (ln_gamma(nf + 1.0) - ln_gamma(rf + 1.0) - ln_gamma(nf - rf + 1.0)
            + rf * t.ln()
            + (nf - rf) * (-t).ln_1p())
        .exp()
    }
    fn guess(&self, z: f64) -> f64 {
        let (n, t) = (self.n as f64, self.theta);
        let var = n * t * (1.0 - t);
        if var <= 0.0 {
            return n * t;
        }
        let sd = var.sqrt();
        let skew = (1.0 - 2.0 * t) / sd;
        n * t + sd * (z + skew * (z * z - 1.0) / 6.0)
    }
    fn cap(&self) -> u64 {
        self.n
    }
}

/// The smallest r ≥ 0 with P(R ≤ r) ≥ p, where `q = 1 − p` is passed too so
/// that upper-tail quantiles are decided on the survival function (no
/// cancellation near p = 1). Returns r_p together with the interpolation
/// weight α = [P(R ≤ r_p) − p] / P(R = r_p) ∈ [0, 1].
pub(crate) fn quantile_with_alpha<D: Discrete>(d: &D, p: f64, q: f64) -> (u64, f64) {
    let lower_tail = p <= 0.5;
    let cap = d.cap();
    // Whether r is at or past the quantile, with the tail probability it
    // was decided on (P(R ≤ r) for the lower tail, P(R > r) for the upper),
    // kept for the interpolation at the answer; `None` at the cap, where
    // nothing is evaluated.
    let reached = |r: u64| -> (bool, Option<f64>) {
        if r >= cap {
            return (true, None);
        }
        if lower_tail {
            let c = d.cdf(r);
            (c >= p, Some(c))
        } else {
            let s = d.sf(r);
            (s <= q, Some(s))
        }
    };
    let z = if lower_tail {
        normal_quantile(p)
    } else {
        -normal_quantile(q)
    };
    let g = d.guess(z);
    let start = if g.is_finite() {
        g.round().clamp(0.0, cap as f64) as u64
    } else {
        0
    };

    // Bracket: lo is "not reached" (None stands for r = -1), hi is "reached"
    // (hi_tail: its tail probability, when evaluated).
    let (mut lo, mut hi): (Option<u64>, u64);
    let mut hi_tail: Option<f64>;
    let (start_reached, start_tail) = reached(start);
    if start_reached {
        hi = start;
        hi_tail = start_tail;
        lo = None;
        let mut step = 1u64;
        while hi > 0 {
            let cand = hi.saturating_sub(step);
            let (ok, tail) = reached(cand);
            if ok {
                hi = cand;
                hi_tail = tail;
                step = step.saturating_mul(2);
            } else {
                lo = Some(cand);
                break;
            }
        }
    } else {
        lo = Some(start);
        let mut step = 1u64;
        loop {
            let base = lo.unwrap_or(0);
            let cand = base.saturating_add(step).min(cap);
            let (ok, tail) = reached(cand);
            if ok {
                hi = cand;
                hi_tail = tail;
                break;
            }
            lo = Some(cand);
            step = step.saturating_mul(2);
        }
    }
    // Bisection.
    while let Some(l) = lo {
        if hi - l <= 1 {
            break;
        }
        let mid = l + (hi - l) / 2;
        let (ok, tail) = reached(mid);
        if ok {
            hi = mid;
            hi_tail = tail;
        } else {
            lo = Some(mid);
        }
    }
    let r = hi;
    let pmf = d.pmf(r);
    let alpha = if pmf > 0.0 && pmf.is_finite() {
        // The tail probability at r as the search computed it (the same
        // function of the same r: the same number), or computed now.
        let num = if lower_tail {
            hi_tail.unwrap_or_else(|| d.cdf(r)) - p
        } else {
            q - hi_tail.unwrap_or_else(|| d.sf(r))
        };
        (num / pmf).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (r, if alpha.is_nan() { 0.0 } else { alpha })
}

/// Spiegelhalter's interpolated quantile r_p − α (on the count scale).
pub(crate) fn interpolated_quantile<D: Discrete>(d: &D, p: f64, q: f64) -> f64 {
    let (r, alpha) = quantile_with_alpha(d, p, q);
    r as f64 - alpha
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    fn brute<D: Discrete>(d: &D, p: f64) -> u64 {
        let mut r = 0;
        while d.cdf(r) < p {
            r += 1;
        }
        r
    }

    #[test]
    fn search_matches_brute_force() {
        for &l in &[0.0, 1e-6, 0.02, 0.7, 3.0, 12.5, 140.0, 2500.0] {
            let d = Poisson { lambda: l };
            for &p in &[0.001, 0.025, 0.2, 0.5, 0.8, 0.975, 0.999] {
                let (r, a) = quantile_with_alpha(&d, p, 1.0 - p);
                assert_eq!(r, brute(&d, p), "lambda {l} p {p}");
                assert!((0.0..=1.0).contains(&a));
            }
        }
        for &(n, t) in &[
            (1u64, 0.5),
            (10, 0.05),
            (40, 0.9),
            (300, 0.3),
            (1, 0.0),
            (7, 1.0),
        ] {
            let d = Binomial { n, theta: t };
            for &p in &[0.001, 0.025, 0.5, 0.975, 0.999] {
                let (r, _) = quantile_with_alpha(&d, p, 1.0 - p);
                assert_eq!(r, brute(&d, p), "n {n} t {t} p {p}");
            }
        }
    }

    /// The search as it was before it kept the tail probability of the
    /// answer: the reference the faster one must equal, bit for bit.
    fn reference_quantile<D: Discrete>(d: &D, p: f64, q: f64) -> (u64, f64) {
        let lower_tail = p <= 0.5;
        let cap = d.cap();
        let reached = |r: u64| -> bool {
            if r >= cap {
                return true;
            }
            if lower_tail {
                d.cdf(r) >= p
            } else {
                d.sf(r) <= q
            }
        };
        let z = if lower_tail {
            normal_quantile(p)
        } else {
            -normal_quantile(q)
        };
        let g = d.guess(z);
        let start = if g.is_finite() {
            g.round().clamp(0.0, cap as f64) as u64
        } else {
            0
        };
        let (mut lo, mut hi): (Option<u64>, u64);
        if reached(start) {
            hi = start;
            lo = None;
            let mut step = 1u64;
            while hi > 0 {
                let cand = hi.saturating_sub(step);
                if reached(cand) {
                    hi = cand;
                    step = step.saturating_mul(2);
                } else {
                    lo = Some(cand);
                    break;
                }
            }
        } else {
            lo = Some(start);
            let mut step = 1u64;
            loop {
                let base = lo.unwrap_or(0);
                let cand = base.saturating_add(step).min(cap);
                if reached(cand) {
                    hi = cand;
                    break;
                }
                lo = Some(cand);
                step = step.saturating_mul(2);
            }
        }
        while let Some(l) = lo {
            if hi - l <= 1 {
                break;
            }
            let mid = l + (hi - l) / 2;
            if reached(mid) {
                hi = mid;
            } else {
                lo = Some(mid);
            }
        }
        let r = hi;
        let pmf = d.pmf(r);
        let alpha = if pmf > 0.0 && pmf.is_finite() {
            let num = if lower_tail {
                d.cdf(r) - p
            } else {
                q - d.sf(r)
            };
            (num / pmf).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (r, if alpha.is_nan() { 0.0 } else { alpha })
    }

    /// Same r and the same α, to the bit.
    fn same<D: Discrete>(d: &D, p: f64) -> Result<(), TestCaseError> {
        let (q, new) = (1.0 - p, quantile_with_alpha(d, p, 1.0 - p));
        let old = reference_quantile(d, p, q);
        prop_assert_eq!(new.0, old.0);
        prop_assert_eq!(new.1.to_bits(), old.1.to_bits());
        Ok(())
    }

    /// The funnels' tail probabilities (95%, 99.8%, 99.9% two-sided) and
    /// any other.
    fn tail() -> impl Strategy<Value = f64> {
        prop_oneof![
            prop::sample::select(vec![0.025, 0.975, 0.001, 0.999, 0.0005, 0.9995]),
            1e-6f64..(1.0 - 1e-6),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn keeping_the_tail_changes_no_poisson_limit(
            // λ from 10⁻⁶ to 10⁶ (log-uniform), and whole numbers.
            log_lambda in -6.0f64..6.0,
            whole in 0u32..200,
            p in tail(),
        ) {
            same(&Poisson { lambda: 10f64.powf(log_lambda) }, p)?;
            same(&Poisson { lambda: f64::from(whole) }, p)?;
        }

        #[test]
        fn keeping_the_tail_changes_no_binomial_limit(
            // n from 1 to 10⁶ (log-uniform) and small n exactly.
            log_n in 0.0f64..6.0,
            small_n in 1u64..60,
            theta in prop_oneof![0.0f64..=1.0, 1e-6f64..1e-2, (1.0 - 1e-2)..1.0],
            p in tail(),
        ) {
            let n = 10f64.powf(log_n).round() as u64;
            same(&Binomial { n, theta }, p)?;
            same(&Binomial { n: small_n, theta }, p)?;
        }
    }

    #[test]
    fn cdf_and_sf_agree() {
        let d = Poisson { lambda: 84_000.0 };
        for &r in &[83_000u64, 84_000, 85_000] {
            assert!((d.cdf(r) + d.sf(r) - 1.0).abs() < 1e-12);
        }
        let b = Binomial {
            n: 80_000,
            theta: 0.47,
        };
        for &r in &[37_000u64, 37_600, 38_000] {
            assert!((b.cdf(r) + b.sf(r) - 1.0).abs() < 1e-12);
        }
    }
}
