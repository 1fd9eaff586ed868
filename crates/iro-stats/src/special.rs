//! Special functions: regularised gamma and beta functions, the normal
//! distribution, and continuous quantiles found by safeguarded Newton steps.
//!
//! `ln Γ`, the regularised incomplete gamma functions and `erfc`/`erfc⁻¹` come
//! from statrs. The regularised incomplete beta function is our own (modified
//! Lentz continued fraction) because statrs' `beta_reg` stops after 140
//! iterations, which is not enough for denominators in the tens of thousands
//! (the continued fraction needs O(√max(a, b)) terms).
//!
//! Every function here is total: it never panics, and returns a saturated
//! value (0 or 1) at the edges of its domain rather than NaN, provided its
//! arguments are finite. Callers in this crate validate their inputs first.

use statrs::function::{erf, gamma};

/// Relative tolerance for the continued fractions.
const EPS: f64 = 1e-16;
/// Guard against division by zero in Lentz's algorithm.
const FPMIN: f64 = 1e-300;

/// ln Γ(x) for x > 0.
pub(crate) fn ln_gamma(x: f64) -> f64 {
    gamma::ln_gamma(x)
}

/// Regularised lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a).
///
/// Saturates: P(a, x ≤ 0) = 0, P(a, ∞) = 1.
pub(crate) fn gamma_p(a: f64, x: f64) -> f64 {
    if x.is_nan() || a.is_nan() {
        return 0.0;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x == f64::INFINITY {
        return 1.0;
    }
    gamma::checked_gamma_lr(a, x)
        .map(|v| v.clamp(0.0, 1.0))
        .unwrap_or(0.0)
}

/// Regularised upper incomplete gamma function Q(a, x) = 1 − P(a, x),
/// computed directly (not as 1 − P) where it is the smaller tail.
pub(crate) fn gamma_q(a: f64, x: f64) -> f64 {
    if x.is_nan() || a.is_nan() {
        return 1.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    gamma::checked_gamma_ur(a, x)
        .map(|v| v.clamp(0.0, 1.0))
        .unwrap_or(1.0)
}

/// ln B(a, b).
pub(crate) fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Regularised incomplete beta function I_x(a, b), with `y = 1 − x` passed
/// separately so that callers can keep full precision when x is close to 1.
///
/// Saturates: I_0 = 0, I_1 = 1.
pub(crate) fn beta_reg(a: f64, b: f64, x: f64, y: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 0.0;
    }
    if y.is_nan() || y <= 0.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() + b * y.ln() - ln_beta(a, b);
    if x < (a + 1.0) / (a + b + 2.0) {
        let v = ln_front.exp() * beta_cf(a, b, x) / a;
        v.clamp(0.0, 1.0)
    } else {
        let v = 1.0 - ln_front.exp() * beta_cf(b, a, y) / b;
        v.clamp(0.0, 1.0)
    }
}

/// Continued fraction for the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < FPMIN {
        d = FPMIN;
    }
    d = 1.0 / d;
    let mut h = d;
    // Convergence needs O(sqrt(max(a, b))) iterations; allow plenty.
    let max_iter = 1000 + (20.0 * (a + b).sqrt()) as usize;
    for m in 1..=max_iter {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < FPMIN {
            d = FPMIN;
        }
        c = 1.0 + aa / c;
        if c.abs() < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < FPMIN {
            d = FPMIN;
        }
        c = 1.0 + aa / c;
        if c.abs() < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= EPS {
            break;
        }
    }
    h
}

/// Standard normal CDF Φ(x), through the regularised gamma function:
/// Φ(x) = Q(½, x²/2)/2 for x ≤ 0 and 1 − Q(½, x²/2)/2 for x > 0. (statrs'
/// `erfc` is only good to about 1e-10 relative in 0.19.1; this is good to
/// about 1e-15.)
pub fn normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let tail = 0.5 * gamma_q(0.5, 0.5 * x * x);
    if x <= 0.0 { tail } else { 1.0 - tail }
}

/// Standard normal quantile Φ⁻¹(p). Saturates to ±∞ outside (0, 1); NaN in,
/// NaN out. (For two-sided level L the funnel multiplier is Φ⁻¹((1 + L)/2):
/// 1.959964 for 95%, 3.090232 for 99.8%.)
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    -std::f64::consts::SQRT_2 * erf::erfc_inv(2.0 * p)
}

/// Which tail a continuous quantile is defined through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tail {
    /// Solve F(x) = t.
    Lower,
    /// Solve 1 − F(x) = t.
    Upper,
}

/// Root of `tail_prob(x) = t` for a continuous distribution on `(lo, hi)`,
/// where `tail_prob` is the lower CDF (Tail::Lower) or the survival function
/// (Tail::Upper) and `density` is the density. Safeguarded Newton: every step
/// that would leave the current bracket is replaced by bisection, so the
/// search always converges; at most 200 iterations.
fn continuous_quantile(
    t: f64,
    tail: Tail,
    mut lo: f64,
    mut hi: f64,
    guess: f64,
    tail_prob: impl Fn(f64) -> f64,
    density: impl Fn(f64) -> f64,
) -> f64 {
    // g(x) is increasing in x: g < 0 means "x is too small".
    let g = |x: f64| match tail {
        Tail::Lower => tail_prob(x) - t,
        Tail::Upper => t - tail_prob(x),
    };
    let mut x = if guess > lo && guess < hi {
        guess
    } else {
        0.5 * (lo + hi)
    };
    for _ in 0..200 {
        let gx = g(x);
        if gx == 0.0 {
            return x;
        }
        if gx < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let dens = density(x);
        let mut next = if dens > 0.0 && dens.is_finite() {
            x - gx / dens
        } else {
            f64::NAN
        };
        if !(next > lo && next < hi) {
            // Bisect, geometrically when the bracket spans orders of magnitude.
            next = if lo > 0.0 && hi / lo > 4.0 {
                (lo * hi).sqrt()
            } else {
                0.5 * (lo + hi)
            };
        }
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.abs().max(f64::MIN_POSITIVE) {
            return next;
        }
        if hi - lo <= 4.0 * f64::EPSILON * hi.abs() {
            return 0.5 * (lo + hi);
        }
        x = next;
    }
    x
}

/// Quantile of the Gamma(shape, 1) distribution: x with P(shape, x) = t
/// (Tail::Lower) or Q(shape, x) = t (Tail::Upper). `t` in (0, 1), shape > 0.
pub(crate) fn gamma_quantile(shape: f64, t: f64, tail: Tail) -> f64 {
    if t.is_nan() || t <= 0.0 {
        return match tail {
            Tail::Lower => 0.0,
            Tail::Upper => f64::INFINITY,
        };
    }
    if t >= 1.0 {
        return match tail {
            Tail::Lower => f64::INFINITY,
            Tail::Upper => 0.0,
        };
    }
    // Wilson–Hilferty starting point.
    let z = match tail {
        Tail::Lower => normal_quantile(t),
        Tail::Upper => -normal_quantile(t),
    };
    let c = 1.0 / (9.0 * shape);
    let wh = shape * (1.0 - c + z * c.sqrt()).powi(3);
    let guess = if wh > 0.0 { wh } else { shape * 0.5 };
    // Upper end of the bracket: grow until it contains the root.
    let tail_prob = |x: f64| match tail {
        Tail::Lower => gamma_p(shape, x),
        Tail::Upper => gamma_q(shape, x),
    };
    let beyond = |x: f64| match tail {
        Tail::Lower => gamma_p(shape, x) >= t,
        Tail::Upper => gamma_q(shape, x) <= t,
    };
    let mut hi = (guess * 2.0).max(shape + 10.0 * shape.sqrt() + 10.0);
    let mut grow = 0;
    while !beyond(hi) && grow < 2000 {
        hi *= 2.0;
        grow += 1;
    }
    let ln_g = ln_gamma(shape);
    let density = |x: f64| {
        if x <= 0.0 {
            0.0
        } else {
            ((shape - 1.0) * x.ln() - x - ln_g).exp()
        }
    };
    continuous_quantile(t, tail, 0.0, hi, guess, tail_prob, density)
}

/// Quantile of the Beta(a, b) distribution: x with I_x(a, b) = t
/// (Tail::Lower) or 1 − I_x(a, b) = t (Tail::Upper). `t` in (0, 1), a, b > 0.
pub(crate) fn beta_quantile(a: f64, b: f64, t: f64, tail: Tail) -> f64 {
    if t.is_nan() || t <= 0.0 {
        return match tail {
            Tail::Lower => 0.0,
            Tail::Upper => 1.0,
        };
    }
    if t >= 1.0 {
        return match tail {
            Tail::Lower => 1.0,
            Tail::Upper => 0.0,
        };
    }
    let ln_b = ln_beta(a, b);
    let tail_prob = |x: f64| match tail {
        Tail::Lower => beta_reg(a, b, x, 1.0 - x),
        Tail::Upper => beta_reg(b, a, 1.0 - x, x),
    };
    let density = |x: f64| {
        if x <= 0.0 || x >= 1.0 {
            0.0
        } else {
            ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_b).exp()
        }
    };
    // Normal approximation as a starting point.
    let mean = a / (a + b);
    let sd = (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt();
    let z = match tail {
        Tail::Lower => normal_quantile(t),
        Tail::Upper => -normal_quantile(t),
    };
    let guess = (mean + z * sd).clamp(1e-300, 1.0 - 1e-16);
    continuous_quantile(t, tail, 0.0, 1.0, guess, tail_prob, density)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_constants() {
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((normal_quantile(0.999) - 3.090_232_306_167_813_5).abs() < 1e-12);
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-15);
        assert!((normal_quantile(0.999) - 3.090_232_306_167_813_5).abs() < 1e-15);
    }

    #[test]
    fn beta_reg_symmetry_and_edges() {
        let v = beta_reg(3.0, 5.0, 0.4, 0.6);
        let w = beta_reg(5.0, 3.0, 0.6, 0.4);
        assert!((v + w - 1.0).abs() < 1e-13);
        // I_0.4(3, 5) = P(Bin(7, 0.4) >= 3) = 0.580096
        assert!((v - 0.580_096).abs() < 1e-13);
        assert_eq!(beta_reg(2.0, 2.0, 0.0, 1.0), 0.0);
        assert_eq!(beta_reg(2.0, 2.0, 1.0, 0.0), 1.0);
        // I_0.5(1, 1) = 0.5
        assert!((beta_reg(1.0, 1.0, 0.5, 0.5) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn gamma_quantile_round_trip() {
        for &shape in &[1.0, 2.5, 10.0, 1000.0, 84_000.0] {
            for &t in &[1e-10, 0.001, 0.025, 0.5, 0.975] {
                let x = gamma_quantile(shape, t, Tail::Lower);
                assert!((gamma_p(shape, x) - t).abs() < 1e-9 * t, "{shape} {t}");
                let x = gamma_quantile(shape, t, Tail::Upper);
                assert!((gamma_q(shape, x) - t).abs() < 1e-9 * t, "{shape} {t}");
            }
        }
    }

    #[test]
    fn beta_quantile_round_trip() {
        for &(a, b) in &[(1.0, 1.0), (1.0, 30.0), (15.0, 2.0), (400.0, 80_000.0)] {
            for &t in &[1e-8, 0.025, 0.5, 0.999] {
                let x = beta_quantile(a, b, t, Tail::Lower);
                assert!(
                    (beta_reg(a, b, x, 1.0 - x) - t).abs() < 1e-11,
                    "{a} {b} {t}"
                );
            }
        }
    }
}
