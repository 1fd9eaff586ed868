//! The one error type of the crate.

use thiserror::Error;

/// Largest count, denominator or expected count the crate accepts (10¹⁰).
/// England has about 12 million children; anything larger than this is a
/// data error, and it keeps every series and continued fraction short.
pub const MAX_COUNT: f64 = 1e10;

/// Why a statistic could not be computed. Every public function returns one
/// of these instead of panicking or returning NaN.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StatsError {
    /// A confidence or control level outside the open interval (0, 1).
    #[error("level {0} is not strictly between 0 and 1")]
    InvalidLevel(f64),
    /// A target outside its range: a rate must be finite and ≥ 0, a
    /// proportion in [0, 1]; funnels need a strictly positive rate or a
    /// proportion strictly between 0 and 1.
    #[error("target {0} is out of range for this indicator")]
    InvalidTarget(f64),
    /// A denominator that is zero, below 10⁻⁶, negative, not finite, or (for
    /// proportions) not a whole number.
    #[error("denominator {0} must be a positive finite number")]
    InvalidDenominator(f64),
    /// A proportion with more successes than trials.
    #[error("observed {observed} exceeds denominator {denominator}")]
    ObservedExceedsDenominator {
        /// The numerator.
        observed: u64,
        /// The denominator.
        denominator: u64,
    },
    /// A count, denominator or expected count above [`MAX_COUNT`].
    #[error("{0} is larger than the supported maximum of 1e10")]
    TooLarge(f64),
    /// Winsorisation percentiles not satisfying 0 ≤ lower < upper ≤ 1.
    #[error("winsorisation percentiles ({lower}, {upper}) must satisfy 0 <= lower < upper <= 1")]
    InvalidWinsorisation {
        /// Lower percentile.
        lower: f64,
        /// Upper percentile.
        upper: f64,
    },
    /// A funnel grid with no points, or a range that is not positive and finite.
    #[error("invalid funnel grid: {0}")]
    InvalidGrid(String),
    /// A funnel with no usable units and no explicit grid range.
    #[error("no units with a usable denominator")]
    NoUnits,
}

/// Shorthand for results in this crate.
pub type Result<T> = std::result::Result<T, StatsError>;

/// Validate a two-sided level in (0, 1) and return the one-sided tail
/// probability a = (1 − L)/2.
pub(crate) fn tail_of_level(level: f64) -> Result<f64> {
    if level.is_finite() && level > 0.0 && level < 1.0 {
        Ok((1.0 - level) / 2.0)
    } else {
        Err(StatsError::InvalidLevel(level))
    }
}

/// Validate a count (numerator) against [`MAX_COUNT`].
pub(crate) fn check_count(x: u64) -> Result<()> {
    if (x as f64) > MAX_COUNT {
        Err(StatsError::TooLarge(x as f64))
    } else {
        Ok(())
    }
}

/// Smallest denominator accepted (10⁻⁶), so that rates stay finite.
pub const MIN_DENOMINATOR: f64 = 1e-6;

/// Validate a finite denominator (population) in
/// [[`MIN_DENOMINATOR`], [`MAX_COUNT`]].
pub(crate) fn check_denominator(d: f64) -> Result<()> {
    if !d.is_finite() || d < MIN_DENOMINATOR {
        Err(StatsError::InvalidDenominator(d))
    } else if d > MAX_COUNT {
        Err(StatsError::TooLarge(d))
    } else {
        Ok(())
    }
}
