//! # iro-stats
//!
//! The statistics behind benchmarking, and nothing else: rates per 10,000
//! children and proportions with confidence intervals, funnel-plot control
//! limits around a target (Spiegelhalter 2005), over-dispersion (φ̂,
//! DerSimonian–Laird τ̂², random-effects limits), and ranks and quartiles.
//!
//! **Invariant:** pure functions of their arguments — no IO, no global state,
//! no dependency on any other iro crate. Nothing panics on any input: invalid
//! input gives a [`StatsError`], and every number inside an `Ok` is finite.
//! (The small helpers [`normal_quantile`], [`normal_cdf`], [`quantile`] and
//! [`winsorise`] pass NaN through and saturate to ±∞ at the ends of their
//! domain instead.) Every lower limit is ≤ the target ≤ every upper limit, and
//! limits are nested in the level. Every formula and choice is written out in
//! docs/METHODS.md ("Benchmarking statistics").
//!
//! ## Map
//!
//! * [`interval`] — [`rate_per_10k`] (exact Garwood / Byar) and
//!   [`proportion`] (Wilson / Clopper–Pearson), any confidence level.
//! * [`limits`] — [`rate_limits`], [`proportion_limits`], [`exact_limit`]:
//!   exact Poisson/binomial limits with Spiegelhalter's interpolation, or the
//!   normal approximation, at any level.
//! * [`overdispersion`] — z-scores on the √ (rates) or arcsine-√ (proportions)
//!   scale, winsorisation, φ̂, τ̂², adjusted limits; [`OverDispersion`] is the
//!   footnote printed beside every funnel.
//! * [`funnel`] — [`FunnelSpec::compute`]: units in; values, z, positions
//!   against every limit, and limit curves on a log-spaced grid out.
//! * [`rank`](mod@rank) — [`rank()`](rank::rank) with tie methods and quartiles.
//!
//! Numbers are plain `f64`. Proportions are fractions in [0, 1]; multiply by
//! 100 for display. Rates are per 10,000 ([`PER_10K`]); the precision axis for
//! rates is the child population, not ρ = population/10,000.

mod discrete;
mod error;
pub mod funnel;
pub mod interval;
pub mod limits;
pub mod overdispersion;
pub mod rank;
mod special;

pub use error::{MAX_COUNT, MIN_DENOMINATOR, Result, StatsError};
pub use funnel::{
    Band, Excluded, ExclusionReason, Funnel, FunnelSpec, LimitCurve, MAX_GRID_POINTS, Placement,
    Position, Target, TargetSource, Unit, UnitBand, UnitResult, log_grid,
};
pub use interval::{
    Estimate, Interval, PER_10K, ProportionCiMethod, RateCiMethod, poisson_count_interval,
    proportion, rate_per_10k,
};
pub use limits::{Indicator, LimitMethod, exact_limit, proportion_limits, rate_limits};
pub use overdispersion::{
    Adjustment, MIN_RATE_TARGET, OverDispersion, Transform, Winsorisation,
    estimate_over_dispersion, quantile, winsorise,
};
pub use rank::{Order, Quartiles, Rank, Ties, quartile_of_rank, rank};
pub use special::{normal_cdf, normal_quantile};

/// Null z-score of one unit against θ₀ on the crate's transformed scale for
/// the indicator (√ for rates, arcsine-√ for proportions): (Y − t₀)/s.
///
/// Errors for a rate target below [`MIN_RATE_TARGET`] or not finite, a
/// proportion target not strictly between 0 and 1, a zero denominator, or observed > n for a
/// proportion.
pub fn z_score(indicator: Indicator, target: f64, observed: u64, denominator: u64) -> Result<f64> {
    overdispersion::check_z_target(indicator, target)?;
    if denominator == 0 {
        return Err(StatsError::InvalidDenominator(0.0));
    }
    if indicator == Indicator::Proportion && observed > denominator {
        return Err(StatsError::ObservedExceedsDenominator {
            observed,
            denominator,
        });
    }
    error::check_count(observed)?;
    limits::check_limit_denominator(indicator, target, denominator as f64)?;
    Ok(overdispersion::transform_unit(indicator, target, observed, denominator as f64).z)
}
