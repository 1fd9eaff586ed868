//! Over-dispersion (Spiegelhalter 2005, "Handling over-dispersion of
//! performance indicators"), following the steps of NHS-R FunnelPlotR:
//! z-scores on a variance-stabilising scale, winsorised; φ̂; the test
//! I·φ̂ > I − 1; the DerSimonian–Laird between-unit variance τ̂²; and
//! random-effects (or multiplicative) limits, back-transformed.
//!
//! Scales (one per indicator type):
//!
//! * rates per 10,000 — square root, as FunnelPlotR's "CQC" method for ratios:
//!   with E = θ₀·population/10,000, Y = √(O/E), target 1, s = 1/(2√E), so
//!   z = 2(√O − √E). Works for O = 0; τ² is on the dimensionless √(O/E) scale.
//! * proportions — arcsine square root, as FunnelPlotR's "PR": Y = asin √(O/n),
//!   target asin √θ₀, s = 1/(2√n).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError};
use crate::interval::{Interval, PER_10K};
use crate::limits::Indicator;

/// The variance-stabilising scale on which z-scores and adjusted limits are
/// computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transform {
    /// √(O/E) with E the expected count (rates).
    Sqrt,
    /// asin √(O/n) (proportions).
    ArcsineSqrt,
}

impl Transform {
    /// The scale this crate uses for an indicator type.
    pub fn for_indicator(indicator: Indicator) -> Self {
        match indicator {
            Indicator::RatePer10k => Transform::Sqrt,
            Indicator::Proportion => Transform::ArcsineSqrt,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Transform::Sqrt => "√(O/E)",
            Transform::ArcsineSqrt => "arcsine √p",
        }
    }
}

/// Winsorisation percentiles for the z-scores (FunnelPlotR default: 10% at
/// each end, i.e. 0.1 and 0.9). Percentiles use R's default (type 7)
/// definition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Winsorisation {
    /// Lower percentile, e.g. 0.1.
    pub lower: f64,
    /// Upper percentile, e.g. 0.9.
    pub upper: f64,
}

impl Default for Winsorisation {
    fn default() -> Self {
        Winsorisation {
            lower: 0.1,
            upper: 0.9,
        }
    }
}

impl Winsorisation {
    /// No winsorisation (percentiles 0 and 1).
    pub const NONE: Winsorisation = Winsorisation {
        lower: 0.0,
        upper: 1.0,
    };

    pub(crate) fn check(&self) -> Result<()> {
        let ok = (0.0..=1.0).contains(&self.lower)
            && (0.0..=1.0).contains(&self.upper)
            && self.lower < self.upper;
        if ok {
            Ok(())
        } else {
            Err(StatsError::InvalidWinsorisation {
                lower: self.lower,
                upper: self.upper,
            })
        }
    }
}

/// Which over-dispersion adjustment draws the adjusted limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Adjustment {
    /// No adjustment: the adjusted limits are the unadjusted ones. φ̂ and τ̂²
    /// are still estimated and reported.
    None,
    /// Additive random effects: t₀ ± z·√(s² + τ̂²) on the transformed scale,
    /// back-transformed. The default.
    #[default]
    RandomEffects,
    /// Multiplicative: t₀ ± z·√φ̂·s on the transformed scale, back-transformed
    /// (φ̂ is floored at 1).
    Multiplicative,
}

/// The over-dispersion estimates to print beside every funnel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OverDispersion {
    /// I, the number of units in the estimate.
    pub units: usize,
    /// The scale of the z-scores.
    pub transform: Transform,
    /// The winsorisation percentiles used.
    pub winsorisation: Winsorisation,
    /// The z-values at those percentiles (the winsorisation bounds).
    pub z_lower: f64,
    /// See `z_lower`.
    pub z_upper: f64,
    /// φ̂ = (1/I) Σ z_w², the mean squared winsorised z-score.
    pub phi: f64,
    /// I·φ̂ > I − 1: evidence of over-dispersion, so adjustment is applied.
    pub overdispersed: bool,
    /// DerSimonian–Laird τ̂² = max(0, (I·φ̂ − (I − 1)) / (Σw − Σw²/Σw)),
    /// w = 1/s²; 0 when not over-dispersed.
    pub tau2: f64,
    /// The adjustment the funnel applies.
    pub adjustment: Adjustment,
}

impl OverDispersion {
    /// The standard deviation on the transformed scale for a unit with null
    /// standard error `s`, under the chosen adjustment. Equals `s` when no
    /// over-dispersion was detected or no adjustment was chosen.
    pub fn adjusted_sd(&self, s: f64) -> f64 {
        match self.adjustment {
            Adjustment::None => s,
            Adjustment::RandomEffects => (s * s + self.tau2).sqrt(),
            Adjustment::Multiplicative => s * self.phi_used().sqrt(),
        }
    }

    /// The multiplicative factor applied: φ̂ (at least 1) when over-dispersed,
    /// otherwise 1.
    pub fn phi_used(&self) -> f64 {
        if self.overdispersed {
            self.phi.max(1.0)
        } else {
            1.0
        }
    }

    /// True when the adjusted limits differ from the unadjusted ones.
    pub fn applied(&self) -> bool {
        self.overdispersed && self.adjustment != Adjustment::None
    }
}

impl fmt::Display for OverDispersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let adj = match self.adjustment {
            Adjustment::None => "none",
            Adjustment::RandomEffects => "random effects (DerSimonian–Laird τ²)",
            Adjustment::Multiplicative => "multiplicative φ",
        };
        write!(
            f,
            "φ̂ = {:.3}, τ̂² = {:.5}; I = {}; z on the {} scale, winsorised at the {}th/{}th percentiles; {}; adjusted limits: {}",
            self.phi,
            self.tau2,
            self.units,
            self.transform.label(),
            (self.winsorisation.lower * 100.0).round(),
            (self.winsorisation.upper * 100.0).round(),
            if self.overdispersed {
                "over-dispersed (I·φ̂ > I − 1)"
            } else {
                "no over-dispersion detected"
            },
            if self.applied() {
                adj
            } else {
                "none (same as unadjusted)"
            },
        )
    }
}

/// Smallest rate target (per 10,000) accepted by funnels and z-scores, 10⁻⁹:
/// with denominators ≥ 1 every expected count is then ≥ 10⁻¹³ and every
/// transformed value finite.
pub const MIN_RATE_TARGET: f64 = 1e-9;

/// Check a target for z-scores and funnels: a rate in [10⁻⁹, ∞) (finite), a
/// proportion strictly between 0 and 1.
pub(crate) fn check_z_target(indicator: Indicator, target: f64) -> Result<()> {
    let ok = match indicator {
        Indicator::RatePer10k => target.is_finite() && target >= MIN_RATE_TARGET,
        Indicator::Proportion => target > 0.0 && target < 1.0,
    };
    if ok {
        Ok(())
    } else {
        Err(StatsError::InvalidTarget(target))
    }
}

/// A unit on the transformed scale: value Y, target t₀, null standard error s
/// and null z = (Y − t₀)/s (computed as 2(√O − √E) for rates, which is the
/// same number without the overflow-prone O/E).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Transformed {
    pub y: f64,
    pub t0: f64,
    pub s: f64,
    pub z: f64,
}

/// Transform one unit. Requires a validated target strictly inside its range
/// (rate > 0, proportion in (0, 1)) and a positive denominator.
pub(crate) fn transform_unit(
    indicator: Indicator,
    target: f64,
    observed: u64,
    denominator: f64,
) -> Transformed {
    let o = observed as f64;
    match indicator {
        Indicator::RatePer10k => {
            let e = target * denominator / PER_10K;
            Transformed {
                y: (o / e).sqrt(),
                t0: 1.0,
                s: 1.0 / (2.0 * e.sqrt()),
                z: 2.0 * (o.sqrt() - e.sqrt()),
            }
        }
        Indicator::Proportion => {
            let y = (o / denominator).clamp(0.0, 1.0).sqrt().asin();
            let t0 = target.sqrt().asin();
            Transformed {
                y,
                t0,
                s: 1.0 / (2.0 * denominator.sqrt()),
                z: (y - t0) * 2.0 * denominator.sqrt(),
            }
        }
    }
}

/// The null standard error on the transformed scale at a denominator.
pub(crate) fn transformed_se(indicator: Indicator, target: f64, denominator: f64) -> f64 {
    match indicator {
        Indicator::RatePer10k => 1.0 / (2.0 * (target * denominator / PER_10K).sqrt()),
        Indicator::Proportion => 1.0 / (2.0 * denominator.sqrt()),
    }
}

/// Back-transform t₀ ± z·sd to the indicator's scale, clamping the
/// transformed value to the transform's range first (so the square and the
/// sin² cannot fold back): rates θ₀·max(0, 1 ± z·sd)²; proportions
/// sin²(clamp(asin √θ₀ ± z·sd, 0, π/2)).
pub(crate) fn back_transform_limits(
    indicator: Indicator,
    target: f64,
    z: f64,
    sd: f64,
) -> Interval {
    match indicator {
        Indicator::RatePer10k => {
            let lo = (1.0 - z * sd).max(0.0);
            let hi = 1.0 + z * sd;
            Interval {
                lower: (target * lo * lo).min(target),
                upper: (target * hi * hi).max(target),
            }
        }
        Indicator::Proportion => {
            let t0 = target.sqrt().asin();
            let half_pi = std::f64::consts::FRAC_PI_2;
            let lo = (t0 - z * sd).clamp(0.0, half_pi).sin();
            let hi = (t0 + z * sd).clamp(0.0, half_pi).sin();
            Interval {
                lower: (lo * lo).clamp(0.0, target),
                upper: (hi * hi).clamp(target, 1.0),
            }
        }
    }
}

/// The p-th sample quantile by R's default definition (type 7): with the n
/// finite values sorted, h = (n − 1)p, x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋+1 − x_⌊h⌋).
/// NaNs are ignored; `None` when no finite values remain or p ∉ [0, 1].
pub fn quantile(values: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(quantile_sorted(&v, p))
}

fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Winsorise `z` at the given percentiles (type-7 quantiles of the finite
/// values): values below the lower percentile are raised to it, values above
/// the upper one lowered to it. Returns the winsorised values and the two
/// bounds. Non-finite values are passed through unchanged.
pub fn winsorise(z: &[f64], w: Winsorisation) -> Result<(Vec<f64>, f64, f64)> {
    w.check()?;
    let mut v: Vec<f64> = z.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return Ok((z.to_vec(), f64::NEG_INFINITY, f64::INFINITY));
    }
    v.sort_by(f64::total_cmp);
    let lz = quantile_sorted(&v, w.lower);
    let uz = quantile_sorted(&v, w.upper);
    let out = z
        .iter()
        .map(|&x| if x.is_finite() { x.clamp(lz, uz) } else { x })
        .collect();
    Ok((out, lz, uz))
}

/// Estimate over-dispersion from null z-scores `z` and their transformed-scale
/// standard errors `s` (one per unit, same order). Units with a non-finite z
/// or s are ignored. Returns `Ok(None)` when fewer than two units remain.
///
/// 1. winsorise z at the percentiles of `w`;
/// 2. φ̂ = (1/I) Σ z_w²;
/// 3. over-dispersed iff I·φ̂ > I − 1;
/// 4. τ̂² = max(0, (I·φ̂ − (I − 1)) / (Σw − Σw²/Σw)) with w = 1/s² (all
///    units, not winsorised), or 0 when not over-dispersed.
pub fn estimate_over_dispersion(
    z: &[f64],
    s: &[f64],
    transform: Transform,
    w: Winsorisation,
    adjustment: Adjustment,
) -> Result<Option<OverDispersion>> {
    w.check()?;
    let (zs, ss): (Vec<f64>, Vec<f64>) = z
        .iter()
        .zip(s)
        .filter(|(z, s)| z.is_finite() && s.is_finite() && **s > 0.0)
        .map(|(z, s)| (*z, *s))
        .unzip();
    let n = zs.len();
    if n < 2 {
        return Ok(None);
    }
    let (zw, z_lower, z_upper) = winsorise(&zs, w)?;
    let nf = n as f64;
    let phi = zw.iter().map(|z| z * z).sum::<f64>() / nf;
    let overdispersed = nf * phi > nf - 1.0;
    let tau2 = if overdispersed {
        let sw: f64 = ss.iter().map(|s| 1.0 / (s * s)).sum();
        let sw2: f64 = ss.iter().map(|s| 1.0 / (s * s * s * s)).sum();
        let den = sw - sw2 / sw;
        if den > 0.0 && den.is_finite() {
            ((nf * phi - (nf - 1.0)) / den).max(0.0)
        } else {
            0.0
        }
    } else {
        0.0
    };
    Ok(Some(OverDispersion {
        units: n,
        transform,
        winsorisation: w,
        z_lower,
        z_upper,
        phi,
        overdispersed,
        tau2,
        adjustment,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantile() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&v, 0.5), Some(3.0));
        assert!((quantile(&v, 0.9).unwrap() - 7.6).abs() < 1e-12);
        assert!((quantile(&v, 0.1).unwrap() - 1.4).abs() < 1e-12);
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[f64::NAN], 0.5), None);
    }

    #[test]
    fn no_overdispersion_for_small_z() {
        let z = [0.1, -0.2, 0.3, -0.1, 0.0];
        let s = [0.1; 5];
        let od = estimate_over_dispersion(
            &z,
            &s,
            Transform::Sqrt,
            Winsorisation::default(),
            Adjustment::RandomEffects,
        )
        .unwrap()
        .unwrap();
        assert!(!od.overdispersed);
        assert_eq!(od.tau2, 0.0);
        assert_eq!(od.adjusted_sd(0.1), 0.1);
    }

    #[test]
    fn sqrt_z_is_twice_root_difference() {
        let t = transform_unit(Indicator::RatePer10k, 70.0, 400, 50_000.0);
        let e: f64 = 350.0;
        assert!((t.z - 2.0 * (400f64.sqrt() - e.sqrt())).abs() < 1e-12);
        assert!(((t.y - t.t0) / t.s - t.z).abs() < 1e-12);
    }

    #[test]
    fn back_transform_does_not_fold() {
        // A huge sd must not make the lower limit rise again.
        let l = back_transform_limits(Indicator::RatePer10k, 50.0, 3.09, 10.0);
        assert_eq!(l.lower, 0.0);
        let l = back_transform_limits(Indicator::Proportion, 0.3, 3.09, 10.0);
        assert_eq!((l.lower, l.upper), (0.0, 1.0));
    }
}
