//! Funnel plots: limits from `iro-stats`, put on the chart's scale.

use iro_stats::{FunnelSpec, Indicator, LimitMethod, TargetSource, Unit};

use crate::ChartError;
use crate::draw::{format_sig, level_label};
use crate::model::{
    ChartMeta, FunnelChart, FunnelLimits, FunnelPoint, OverDispersionNote, PointBand,
};
use crate::style::format_number;

/// How many points the limit curves are evaluated at.
const GRID_POINTS: usize = 160;

/// A unit's limits on the chart's scale, one per level: the
/// over-dispersion adjusted ones when the funnel applied them.
pub(crate) fn point_bands(
    unit: &iro_stats::UnitResult,
    applied: bool,
    scale: f64,
) -> Vec<PointBand> {
    unit.bands
        .iter()
        .map(|b| {
            let band = if applied { b.adjusted } else { b.unadjusted };
            PointBand {
                level: b.level,
                lower: band.lower * scale,
                upper: band.upper * scale,
            }
        })
        .collect()
}

impl FunnelChart {
    /// Compute a funnel plot of `points` (numerators and denominators; their
    /// values are filled in) with the limits of `spec`, drawn over
    /// over-dispersion-adjusted limits when `spec` asks for an adjustment and
    /// the units are over-dispersed. Units that cannot be plotted (denominator
    /// 0, more events than trials) are listed in `excluded`, never dropped
    /// silently.
    pub fn compute(
        meta: ChartMeta,
        points: Vec<FunnelPoint>,
        spec: &FunnelSpec,
    ) -> Result<FunnelChart, ChartError> {
        if points.is_empty() {
            return Err(ChartError::NothingToDraw(
                "a funnel plot needs at least one area".into(),
            ));
        }
        let indicator = spec.indicator;
        let scale = match indicator {
            Indicator::RatePer10k => 1.0,
            Indicator::Proportion => 100.0,
        };
        let units: Vec<Unit> = points
            .iter()
            .map(|p| Unit::new(p.code.clone(), p.numerator, p.denominator))
            .collect();
        // Limits over the whole width of the chart: from the smallest
        // denominator past the largest (the plot clips them).
        let dens = points.iter().map(|p| p.denominator).filter(|d| *d > 0);
        let (dmin, dmax) = dens.fold((u64::MAX, 0u64), |(a, b), d| (a.min(d), b.max(d)));
        let mut spec = spec.clone().grid_points(GRID_POINTS);
        if dmax > 0 {
            let lo = (dmin as f64).max(1.0);
            let hi = (dmax as f64 * 1.5).max(lo * 2.0);
            spec = spec.grid_range(lo, hi);
        }
        let funnel = spec.compute(&units)?;
        let applied = funnel.over_dispersion.as_ref().is_some_and(|o| o.applied());

        let mut out_points = Vec::with_capacity(funnel.units.len());
        let mut excluded = Vec::new();
        let mut next = funnel.units.iter().peekable();
        for mut p in points {
            match next.peek() {
                Some(u) if u.id == p.code && u.denominator == p.denominator => {
                    p.value = u.value * scale;
                    p.bands = point_bands(u, applied, scale);
                    out_points.push(p);
                    next.next();
                }
                _ => {
                    let why = if p.denominator == 0 {
                        "denominator 0".to_string()
                    } else if p.numerator > p.denominator {
                        format!("{} events out of {}", p.numerator, p.denominator)
                    } else {
                        "figures out of range".to_string()
                    };
                    excluded.push(format!("{} ({why})", p.label));
                }
            }
        }

        let mut limits: Vec<FunnelLimits> = funnel
            .curves
            .iter()
            .map(|c| {
                let (lower, upper) = if applied {
                    (&c.adjusted_lower, &c.adjusted_upper)
                } else {
                    (&c.lower, &c.upper)
                };
                FunnelLimits {
                    level: c.level,
                    denominators: funnel.grid.clone(),
                    lower: lower.iter().map(|v| v * scale).collect(),
                    upper: upper.iter().map(|v| v * scale).collect(),
                }
            })
            .collect();
        limits.sort_by(|a, b| a.level.total_cmp(&b.level));

        let decimals = 1;
        let target = spec.target.value * scale;
        let target_label = format!(
            "{} {}{}",
            target_name(&spec.target.source),
            format_number(target, decimals),
            if indicator == Indicator::Proportion {
                "%"
            } else {
                ""
            }
        );
        let model = match (indicator, spec.method) {
            (Indicator::RatePer10k, LimitMethod::Exact) => "exact Poisson",
            (Indicator::Proportion, LimitMethod::Exact) => "exact binomial",
            (_, LimitMethod::Normal) => "normal approximation",
        };
        let levels: Vec<String> = limits.iter().map(|l| level_label(l.level)).collect();
        let mut method = format!(
            "Control limits: {model} (Spiegelhalter 2005) at {} around the {} value.",
            levels.join(" and "),
            target_name(&spec.target.source),
        );
        let over_dispersion = funnel.over_dispersion.as_ref().map(|o| OverDispersionNote {
            phi: o.phi,
            tau2: o.tau2,
            adjusted: applied,
        });
        if applied {
            method.push_str(match spec.adjustment {
                iro_stats::Adjustment::Multiplicative => {
                    " The areas vary more than chance allows, so the limits are widened by √φ (multiplicative)."
                }
                _ => {
                    " The areas vary more than chance allows, so the limits are widened by a random-effects term τ² (DerSimonian–Laird)."
                }
            });
        }
        Ok(FunnelChart {
            meta,
            indicator,
            points: out_points,
            target,
            target_label,
            limits,
            method,
            over_dispersion,
            excluded,
            decimals,
            compared: None,
        })
    }

    /// Highlight exactly the areas with these codes.
    pub fn highlight(&mut self, codes: &[&str]) {
        for p in &mut self.points {
            p.highlighted = codes.contains(&p.code.as_str());
        }
    }

    /// Where a point lies against the widest limits: "above", "below" or
    /// "within" the named level, for tables and text.
    pub fn position(&self, p: &FunnelPoint) -> String {
        let outside = |b: &PointBand| {
            if p.value > b.upper {
                Some("above")
            } else if p.value < b.lower {
                Some("below")
            } else {
                None
            }
        };
        // Widest first: the strongest statement that holds.
        let mut bands: Vec<&PointBand> = p.bands.iter().collect();
        bands.sort_by(|a, b| b.level.total_cmp(&a.level));
        for b in &bands {
            if let Some(side) = outside(b) {
                return format!("{side} the {} limit", level_label(b.level));
            }
        }
        match bands.last() {
            Some(b) => format!("within the {} limits", level_label(b.level)),
            None => String::new(),
        }
    }

    /// The over-dispersion line for text: "φ = 3.21, τ² = 0.00412".
    pub fn over_dispersion_text(&self) -> Option<String> {
        self.over_dispersion.map(|o| {
            format!(
                "φ = {}, τ² = {}",
                format_number(o.phi, 2),
                format_sig(o.tau2)
            )
        })
    }
}

fn target_name(source: &TargetSource) -> String {
    match source {
        TargetSource::England => "England".to_string(),
        TargetSource::Region(name) => name.clone(),
        TargetSource::StatisticalNeighbours => "statistical neighbours'".to_string(),
        TargetSource::Pooled => "all areas' pooled".to_string(),
        TargetSource::Other(what) => what.clone(),
    }
}
