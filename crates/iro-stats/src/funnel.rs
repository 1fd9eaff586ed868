//! The funnel plot: units in, per-unit values, z-scores and positions against
//! every limit out, plus limit curves on a log-spaced grid for charts.
//!
//! ```
//! use iro_stats::{FunnelSpec, Indicator, Target, TargetSource, Unit};
//!
//! let units = vec![
//!     Unit::new("800", 310, 40_000),
//!     Unit::new("801", 900, 90_000),
//!     Unit::new("802", 120, 30_000),
//! ];
//! let spec = FunnelSpec::new(
//!     Indicator::RatePer10k,
//!     Target::new(70.0, TargetSource::England),
//! );
//! let funnel = spec.compute(&units).unwrap();
//! assert_eq!(funnel.units.len(), 3);
//! assert_eq!(funnel.grid.len(), 100);
//! println!("{}", funnel.over_dispersion.unwrap());
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{MAX_COUNT, MIN_DENOMINATOR, Result, StatsError, tail_of_level};
use crate::interval::{Interval, PER_10K};
use crate::limits::{Indicator, LimitMethod, check_limit_denominator, limits_unchecked};
use crate::overdispersion::{
    Adjustment, OverDispersion, Transform, Winsorisation, back_transform_limits, check_z_target,
    estimate_over_dispersion, transform_unit, transformed_se,
};
use crate::special::normal_quantile;

/// One unit (a local authority, a region…) on the funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Identifier, e.g. the DfE 3-digit LA code.
    pub id: String,
    /// The numerator: a count of children or events.
    pub observed: u64,
    /// The denominator: the child population (rates) or the number of trials
    /// (proportions).
    pub denominator: u64,
}

impl Unit {
    /// A unit from its parts.
    pub fn new(id: impl Into<String>, observed: u64, denominator: u64) -> Self {
        Unit {
            id: id.into(),
            observed,
            denominator,
        }
    }
}

/// Where a target value comes from (printed in the chart footnote).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "name")]
pub enum TargetSource {
    /// The England value from the reference data.
    England,
    /// A region's value, named.
    Region(String),
    /// The statistical neighbours' value.
    StatisticalNeighbours,
    /// Σ observed / Σ denominator over the plotted units.
    Pooled,
    /// Anything else, described.
    Other(String),
}

/// The funnel's centre line θ₀: a rate per 10,000 or a proportion (fraction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// θ₀ on the indicator's scale.
    pub value: f64,
    /// Where θ₀ comes from.
    pub source: TargetSource,
}

impl Target {
    /// A target with its source.
    pub fn new(value: f64, source: TargetSource) -> Self {
        Target { value, source }
    }

    /// The pooled value Σ observed / Σ denominator over `units` (× 10,000 for
    /// rates). Prefer an external (England) target where one exists.
    pub fn pooled(indicator: Indicator, units: &[Unit]) -> Result<Target> {
        let o: f64 = units.iter().map(|u| u.observed as f64).sum();
        let d: f64 = units.iter().map(|u| u.denominator as f64).sum();
        if d <= 0.0 {
            return Err(StatsError::NoUnits);
        }
        let value = match indicator {
            Indicator::RatePer10k => o / d * PER_10K,
            Indicator::Proportion => o / d,
        };
        Ok(Target::new(value, TargetSource::Pooled))
    }
}

/// Everything a funnel needs besides the units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelSpec {
    /// Rate per 10,000 or proportion.
    pub indicator: Indicator,
    /// Centre line θ₀ and its source.
    pub target: Target,
    /// Two-sided control levels, e.g. `[0.95, 0.998]` (any list, each in
    /// (0, 1)).
    pub levels: Vec<f64>,
    /// Exact (default) or normal unadjusted limits.
    pub method: LimitMethod,
    /// Over-dispersion adjustment for the adjusted limits.
    pub adjustment: Adjustment,
    /// Winsorisation percentiles for φ̂.
    pub winsorisation: Winsorisation,
    /// Number of points on the log-spaced precision grid (PHE uses 100).
    pub grid_points: usize,
    /// Grid range on the precision axis; default: the smallest to the largest
    /// denominator of the units.
    pub grid_range: Option<(f64, f64)>,
}

impl FunnelSpec {
    /// Defaults: levels 95% and 99.8%, exact limits, random-effects
    /// adjustment, winsorised at the 10th and 90th percentiles, 100 grid
    /// points over the units' range.
    pub fn new(indicator: Indicator, target: Target) -> Self {
        FunnelSpec {
            indicator,
            target,
            levels: vec![0.95, 0.998],
            method: LimitMethod::Exact,
            adjustment: Adjustment::RandomEffects,
            winsorisation: Winsorisation::default(),
            grid_points: 100,
            grid_range: None,
        }
    }

    /// Replace the control levels.
    pub fn levels(mut self, levels: impl Into<Vec<f64>>) -> Self {
        self.levels = levels.into();
        self
    }

    /// Choose exact or normal unadjusted limits.
    pub fn method(mut self, method: LimitMethod) -> Self {
        self.method = method;
        self
    }

    /// Choose the over-dispersion adjustment.
    pub fn adjustment(mut self, adjustment: Adjustment) -> Self {
        self.adjustment = adjustment;
        self
    }

    /// Choose the winsorisation percentiles.
    pub fn winsorisation(mut self, lower: f64, upper: f64) -> Self {
        self.winsorisation = Winsorisation { lower, upper };
        self
    }

    /// Choose the number of grid points.
    pub fn grid_points(mut self, n: usize) -> Self {
        self.grid_points = n;
        self
    }

    /// Fix the grid range on the precision axis.
    pub fn grid_range(mut self, min: f64, max: f64) -> Self {
        self.grid_range = Some((min, max));
        self
    }

    /// Compute the funnel. Units whose denominator is 0, whose count exceeds
    /// the denominator (proportions) or whose figures exceed 10¹⁰ are not
    /// plotted and are listed in [`Funnel::excluded`] with the reason.
    ///
    /// Errors: a level outside (0, 1); a target below 10⁻⁹ per 10,000 or not
    /// finite (rates) or not strictly between 0 and 1 (proportions); bad winsorisation
    /// percentiles; a bad grid; no usable units and no grid range.
    pub fn compute(&self, units: &[Unit]) -> Result<Funnel> {
        compute(self, units)
    }

    /// One unit's result on the funnel of `units`, without computing every
    /// unit's limits and the curves: over-dispersion is estimated from
    /// `units` (as [`FunnelSpec::compute`] does), and `unit` — one of them or
    /// not, e.g. a local figure placed on the published funnel — gets its
    /// value, z-scores and limits at its own denominator. For a unit of
    /// `units` the result equals its entry in `compute(units).units`.
    ///
    /// Errors as [`FunnelSpec::compute`], except that no units is not an
    /// error (no over-dispersion is then estimated).
    pub fn place(&self, units: &[Unit], unit: &Unit) -> Result<Placement> {
        // The estimate fails only on the checks `over_dispersion` makes first
        // (target, winsorisation), so errors come in the same order as ever:
        // target, winsorisation, levels.
        let od = self.over_dispersion(units)?;
        Ok(Placement {
            over_dispersion: od,
            unit: self.place_with(od, unit)?,
        })
    }

    /// The over-dispersion of `units` as [`FunnelSpec::compute`] and
    /// [`FunnelSpec::place`] estimate it; `None` with fewer than two usable
    /// units.
    pub fn over_dispersion(&self, units: &[Unit]) -> Result<Option<OverDispersion>> {
        let ind = self.indicator;
        let theta = self.target.value;
        check_z_target(ind, theta)?;
        self.winsorisation.check()?;
        let (z, s): (Vec<f64>, Vec<f64>) = units
            .iter()
            .filter(|u| exclusion(ind, theta, u).is_none())
            .map(|u| {
                let t = transform_unit(ind, theta, u.observed, u.denominator as f64);
                (t.z, t.s)
            })
            .unzip();
        estimate_over_dispersion(
            &z,
            &s,
            Transform::for_indicator(ind),
            self.winsorisation,
            self.adjustment,
        )
    }

    /// [`FunnelSpec::place`] with the over-dispersion already estimated
    /// (by [`FunnelSpec::over_dispersion`] of the same units, with this
    /// spec): placing many figures on one funnel estimates it once.
    pub fn place_with(
        &self,
        over_dispersion: Option<OverDispersion>,
        unit: &Unit,
    ) -> Result<std::result::Result<UnitResult, ExclusionReason>> {
        let ind = self.indicator;
        let theta = self.target.value;
        check_z_target(ind, theta)?;
        let tails: Vec<f64> = self
            .levels
            .iter()
            .map(|&l| tail_of_level(l))
            .collect::<Result<_>>()?;
        Ok(match exclusion(ind, theta, unit) {
            Some(reason) => Err(reason),
            None => Ok(unit_result(
                self,
                &tails,
                over_dispersion.filter(|o| o.applied()),
                unit,
            )),
        })
    }
}

/// What [`FunnelSpec::place`] gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// φ̂, τ̂² and friends of the funnel's units; `None` with fewer than two.
    pub over_dispersion: Option<OverDispersion>,
    /// The placed unit's result, or why it cannot be placed.
    pub unit: std::result::Result<UnitResult, ExclusionReason>,
}

/// Where a unit's value lies relative to a pair of limits. A value exactly on
/// a limit is within.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    /// Below the lower limit.
    Below,
    /// Between the limits (inclusive).
    Within,
    /// Above the upper limit.
    Above,
}

impl Position {
    /// Classify `value` against `interval`.
    pub fn of(value: f64, interval: Interval) -> Position {
        if value < interval.lower {
            Position::Below
        } else if value > interval.upper {
            Position::Above
        } else {
            Position::Within
        }
    }
}

/// Limits at a unit's denominator and the unit's position against them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Lower limit on the indicator's scale.
    pub lower: f64,
    /// Upper limit on the indicator's scale.
    pub upper: f64,
    /// The unit's position.
    pub position: Position,
}

impl Band {
    fn new(value: f64, interval: Interval) -> Band {
        Band {
            lower: interval.lower,
            upper: interval.upper,
            position: Position::of(value, interval),
        }
    }
}

/// A unit's limits at one level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UnitBand {
    /// The two-sided level.
    pub level: f64,
    /// Exact (or normal, per the spec's method) limits.
    pub unadjusted: Band,
    /// Over-dispersion-adjusted limits; the same as `unadjusted` when no
    /// adjustment is applied.
    pub adjusted: Band,
}

/// One plotted unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    /// The unit's id.
    pub id: String,
    /// Numerator.
    pub observed: u64,
    /// Denominator.
    pub denominator: u64,
    /// The indicator value: rate per 10,000 or proportion (fraction).
    pub value: f64,
    /// Null z-score against θ₀ on the transformed scale (not winsorised).
    pub z: f64,
    /// z against the adjusted spread, (Y − t₀)/sd_adj; equal to `z` when no
    /// adjustment is applied.
    pub z_adjusted: f64,
    /// One entry per level, in the spec's order.
    pub bands: Vec<UnitBand>,
}

/// Why a unit is not plotted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExclusionReason {
    /// Denominator 0.
    ZeroDenominator,
    /// A proportion with observed > denominator.
    ObservedExceedsDenominator,
    /// A figure above 10¹⁰.
    TooLarge,
}

/// A unit left off the funnel, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// The unit's id.
    pub id: String,
    /// Why.
    pub reason: ExclusionReason,
}

/// Limit curves at one level, evaluated on [`Funnel::grid`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitCurve {
    /// The two-sided level.
    pub level: f64,
    /// Unadjusted lower limits, one per grid point.
    pub lower: Vec<f64>,
    /// Unadjusted upper limits.
    pub upper: Vec<f64>,
    /// Adjusted lower limits (same as `lower` when no adjustment applies).
    pub adjusted_lower: Vec<f64>,
    /// Adjusted upper limits.
    pub adjusted_upper: Vec<f64>,
}

/// A computed funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    /// The spec it was computed from.
    pub spec: FunnelSpec,
    /// φ̂, τ̂² and friends; `None` with fewer than two plotted units.
    pub over_dispersion: Option<OverDispersion>,
    /// Plotted units, in input order.
    pub units: Vec<UnitResult>,
    /// Units not plotted, in input order.
    pub excluded: Vec<Excluded>,
    /// The precision-axis grid (population or n), increasing.
    pub grid: Vec<f64>,
    /// One curve set per level, in the spec's order.
    pub curves: Vec<LimitCurve>,
}

impl Funnel {
    /// The result for a unit id, if plotted.
    pub fn unit(&self, id: &str) -> Option<&UnitResult> {
        self.units.iter().find(|u| u.id == id)
    }
}

/// The most grid points [`log_grid`] will make.
pub const MAX_GRID_POINTS: usize = 100_000;

/// `n` log-spaced points from `min` to `max` inclusive (geometric steps).
/// For proportions the points are rounded to whole numbers ≥ 1 and
/// duplicates removed.
pub fn log_grid(min: f64, max: f64, n: usize, indicator: Indicator) -> Result<Vec<f64>> {
    if n == 0 || n > MAX_GRID_POINTS {
        return Err(StatsError::InvalidGrid(format!(
            "{n} grid points; allowed 1 to {MAX_GRID_POINTS}"
        )));
    }
    if !(min.is_finite()
        && max.is_finite()
        && min >= MIN_DENOMINATOR
        && max >= min
        && max <= MAX_COUNT)
    {
        return Err(StatsError::InvalidGrid(format!(
            "range {min}..{max} must be finite, increasing and within 1e-6..=1e10"
        )));
    }
    let (lmin, lmax) = (min.ln(), max.ln());
    let mut grid: Vec<f64> = (0..n)
        .map(|k| {
            if k == 0 {
                min
            } else if k + 1 == n {
                max
            } else {
                (lmin + (lmax - lmin) * k as f64 / (n - 1) as f64).exp()
            }
        })
        .collect();
    if indicator == Indicator::Proportion {
        for g in &mut grid {
            *g = g.round().max(1.0);
        }
        grid.dedup();
    }
    Ok(grid)
}

/// Why a unit cannot be plotted, if it cannot.
fn exclusion(ind: Indicator, theta: f64, u: &Unit) -> Option<ExclusionReason> {
    if u.denominator == 0 {
        Some(ExclusionReason::ZeroDenominator)
    } else if ind == Indicator::Proportion && u.observed > u.denominator {
        Some(ExclusionReason::ObservedExceedsDenominator)
    } else if u.observed as f64 > MAX_COUNT
        || check_limit_denominator(ind, theta, u.denominator as f64).is_err()
    {
        Some(ExclusionReason::TooLarge)
    } else {
        None
    }
}

/// The adjusted limits at a denominator: `base` (the unadjusted limits) when
/// no adjustment applies.
fn adjusted_limits(
    ind: Indicator,
    theta: f64,
    applied: Option<OverDispersion>,
    denominator: f64,
    zmult: f64,
    base: Interval,
) -> Interval {
    match applied {
        Some(o) => {
            let sd = o.adjusted_sd(transformed_se(ind, theta, denominator));
            back_transform_limits(ind, theta, zmult, sd)
        }
        None => base,
    }
}

/// A plottable unit's value, z-scores and limits at every level. `applied`
/// is the over-dispersion estimate when the adjustment applies.
fn unit_result(
    spec: &FunnelSpec,
    tails: &[f64],
    applied: Option<OverDispersion>,
    u: &Unit,
) -> UnitResult {
    let ind = spec.indicator;
    let theta = spec.target.value;
    let t = transform_unit(ind, theta, u.observed, u.denominator as f64);
    let d = u.denominator as f64;
    let value = match ind {
        Indicator::RatePer10k => u.observed as f64 / d * PER_10K,
        Indicator::Proportion => u.observed as f64 / d,
    };
    let z = t.z;
    let z_adjusted = match applied {
        Some(o) => t.z * t.s / o.adjusted_sd(t.s),
        None => z,
    };
    let bands = tails
        .iter()
        .zip(&spec.levels)
        .map(|(&a, &level)| {
            let zm = normal_quantile(1.0 - a);
            let base = limits_unchecked(ind, theta, d, a, spec.method);
            let adj = adjusted_limits(ind, theta, applied, d, zm, base);
            UnitBand {
                level,
                unadjusted: Band::new(value, base),
                adjusted: Band::new(value, adj),
            }
        })
        .collect();
    UnitResult {
        id: u.id.clone(),
        observed: u.observed,
        denominator: u.denominator,
        value,
        z,
        z_adjusted,
        bands,
    }
}

fn compute(spec: &FunnelSpec, units: &[Unit]) -> Result<Funnel> {
    let ind = spec.indicator;
    let theta = spec.target.value;
    check_z_target(ind, theta)?;
    spec.winsorisation.check()?;
    let tails: Vec<f64> = spec
        .levels
        .iter()
        .map(|&l| tail_of_level(l))
        .collect::<Result<_>>()?;
    let zs: Vec<f64> = tails.iter().map(|&a| normal_quantile(1.0 - a)).collect();

    // Split units into plotted and excluded.
    let mut plotted: Vec<&Unit> = Vec::with_capacity(units.len());
    let mut excluded = Vec::new();
    for u in units {
        match exclusion(ind, theta, u) {
            Some(reason) => excluded.push(Excluded {
                id: u.id.clone(),
                reason,
            }),
            None => plotted.push(u),
        }
    }

    // Transformed values, z-scores and over-dispersion.
    let transformed: Vec<_> = plotted
        .iter()
        .map(|u| transform_unit(ind, theta, u.observed, u.denominator as f64))
        .collect();
    let z: Vec<f64> = transformed.iter().map(|t| t.z).collect();
    let s: Vec<f64> = transformed.iter().map(|t| t.s).collect();
    let od = estimate_over_dispersion(
        &z,
        &s,
        Transform::for_indicator(ind),
        spec.winsorisation,
        spec.adjustment,
    )?;
    let applied = od.filter(|o| o.applied());

    let adjusted_at = |denominator: f64, zmult: f64, base: Interval| -> Interval {
        adjusted_limits(ind, theta, applied, denominator, zmult, base)
    };

    let results: Vec<UnitResult> = plotted
        .iter()
        .map(|u| unit_result(spec, &tails, applied, u))
        .collect();

    // Grid and curves.
    let (gmin, gmax) = match spec.grid_range {
        Some(r) => r,
        None => {
            let mut it = plotted.iter().map(|u| u.denominator as f64);
            let first = it.next().ok_or(StatsError::NoUnits)?;
            let (mn, mx) = it.fold((first, first), |(a, b), d| (a.min(d), b.max(d)));
            if mn == mx {
                ((mn / 2.0).max(1.0), mx * 2.0)
            } else {
                (mn, mx)
            }
        }
    };
    let grid = log_grid(gmin, gmax, spec.grid_points, ind)?;
    for &g in &grid {
        check_limit_denominator(ind, theta, g)?;
    }
    let curves = tails
        .iter()
        .zip(&zs)
        .zip(&spec.levels)
        .map(|((&a, &zm), &level)| {
            let n = grid.len();
            let mut c = LimitCurve {
                level,
                lower: Vec::with_capacity(n),
                upper: Vec::with_capacity(n),
                adjusted_lower: Vec::with_capacity(n),
                adjusted_upper: Vec::with_capacity(n),
            };
            for &g in &grid {
                let base = limits_unchecked(ind, theta, g, a, spec.method);
                let adj = adjusted_at(g, zm, base);
                c.lower.push(base.lower);
                c.upper.push(base.upper);
                c.adjusted_lower.push(adj.lower);
                c.adjusted_upper.push(adj.upper);
            }
            c
        })
        .collect();

    Ok(Funnel {
        spec: spec.clone(),
        over_dispersion: od,
        units: results,
        excluded,
        grid,
        curves,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_geometric() {
        let g = log_grid(100.0, 10_000.0, 3, Indicator::RatePer10k).unwrap();
        assert_eq!((g[0], g[2]), (100.0, 10_000.0));
        assert!((g[1] - 1000.0).abs() < 1e-9);
        let g = log_grid(1.0, 10.0, 100, Indicator::Proportion).unwrap();
        assert_eq!(g, (1..=10).map(f64::from).collect::<Vec<_>>());
    }

    #[test]
    fn excluded_units_are_listed() {
        let units = vec![
            Unit::new("a", 3, 0),
            Unit::new("b", 5, 4),
            Unit::new("c", 2, 10),
            Unit::new("d", 4, 12),
        ];
        let spec = FunnelSpec::new(
            Indicator::Proportion,
            Target::new(0.3, TargetSource::England),
        );
        let f = spec.compute(&units).unwrap();
        assert_eq!(f.units.len(), 2);
        assert_eq!(
            f.excluded
                .iter()
                .map(|e| (e.id.as_str(), e.reason))
                .collect::<Vec<_>>(),
            vec![
                ("a", ExclusionReason::ZeroDenominator),
                ("b", ExclusionReason::ObservedExceedsDenominator)
            ]
        );
    }

    #[test]
    fn no_units_without_range_is_an_error() {
        let spec = FunnelSpec::new(
            Indicator::RatePer10k,
            Target::new(70.0, TargetSource::England),
        );
        assert_eq!(spec.compute(&[]), Err(StatsError::NoUnits));
        let f = spec.clone().grid_range(1000.0, 1e6).compute(&[]).unwrap();
        assert!(f.over_dispersion.is_none());
        assert_eq!(f.curves.len(), 2);
    }
}

#[cfg(test)]
mod place_tests {
    use super::*;

    fn units() -> Vec<Unit> {
        vec![
            Unit::new("a", 144, 40_000),
            Unit::new("b", 169, 40_000),
            Unit::new("c", 196, 40_000),
            Unit::new("d", 256, 30_000),
            Unit::new("e", 324, 70_000),
            Unit::new("zero", 3, 0),
        ]
    }

    #[test]
    fn placing_a_unit_gives_what_compute_gives_it() {
        for (ind, target) in [
            (Indicator::RatePer10k, 49.0),
            (Indicator::Proportion, 0.005),
        ] {
            for adj in [
                Adjustment::RandomEffects,
                Adjustment::Multiplicative,
                Adjustment::None,
            ] {
                let spec = FunnelSpec::new(ind, Target::new(target, TargetSource::England))
                    .levels([0.95, 0.998])
                    .adjustment(adj);
                let f = spec.compute(&units()).unwrap();
                for u in units() {
                    let p = spec.place(&units(), &u).unwrap();
                    assert_eq!(p.over_dispersion, f.over_dispersion);
                    // The estimate made once and reused gives the same.
                    let od = spec.over_dispersion(&units()).unwrap();
                    assert_eq!(od, f.over_dispersion);
                    assert_eq!(spec.place_with(od, &u).unwrap(), p.unit);
                    match f.unit(&u.id) {
                        Some(r) => assert_eq!(p.unit.as_ref(), Ok(r)),
                        None => assert_eq!(p.unit, Err(ExclusionReason::ZeroDenominator)),
                    }
                }
                // A unit that is not on the funnel: limits at its denominator
                // are the curves' (grid of one point there).
                let other = Unit::new("x", 300, 55_000);
                let p = spec.place(&units(), &other).unwrap().unit.unwrap();
                let at = spec
                    .clone()
                    .grid_points(1)
                    .grid_range(55_000.0, 55_000.0)
                    .compute(&units())
                    .unwrap();
                for (b, c) in p.bands.iter().zip(&at.curves) {
                    assert_eq!(b.unadjusted.lower, c.lower[0]);
                    assert_eq!(b.unadjusted.upper, c.upper[0]);
                    assert_eq!(b.adjusted.lower, c.adjusted_lower[0]);
                    assert_eq!(b.adjusted.upper, c.adjusted_upper[0]);
                }
            }
        }
        // No units: nothing estimated, the unit still placed.
        let spec = FunnelSpec::new(
            Indicator::RatePer10k,
            Target::new(49.0, TargetSource::England),
        );
        let p = spec.place(&[], &Unit::new("x", 10, 1000)).unwrap();
        assert_eq!(p.over_dispersion, None);
        assert!(p.unit.is_ok());
    }
}
