//! One figure of one area for one year and indicator: its numerator and
//! denominator when known, where it comes from, and why it is missing when it
//! is.

use iro_domain::{CollectionYear, LaCode};
use iro_reference::{Geography, Measure, Published, Reference, indicators};
use rustc_hash::FxHashMap;

use crate::indicator::Indicator;

/// Where a figure comes from (the `source=` breakdown value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// The DfE's published figure, from the reference data.
    Published,
    /// Computed from the authority's own SSDA903 return.
    Ssda903,
}

impl Source {
    pub fn id(self) -> &'static str {
        match self {
            Source::Published => "published",
            Source::Ssda903 => "903",
        }
    }
}

/// Numerator and denominator of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Counts {
    pub numerator: u64,
    /// The child population (rates) or the number of children or placements
    /// (percentages).
    pub denominator: u64,
}

/// One figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub indicator: Indicator,
    pub year: CollectionYear,
    pub area: Geography,
    pub source: Source,
    /// Numerator and denominator, when both are known and the denominator is
    /// not 0.
    pub counts: Option<Counts>,
    /// The value as published (rounded by the DfE), for published figures.
    pub published_value: Option<f64>,
    /// The release it comes from, or why there is no figure.
    pub note: String,
}

impl Figure {
    /// The value on the display scale (per 10,000, or %), unrounded:
    /// numerator ÷ denominator × scale; otherwise the published value.
    pub fn value(&self) -> Option<f64> {
        match self.counts {
            Some(c) => {
                Some(c.numerator as f64 * self.indicator.scale() as f64 / c.denominator as f64)
            }
            None => self.published_value,
        }
    }

    /// The value rounded half up to whole numbers, the DfE's published
    /// precision (exactly, in integers, when the counts are known).
    pub fn rounded(&self) -> Option<f64> {
        match self.counts {
            Some(c) => round_half_up_ratio(c.numerator, c.denominator, self.indicator.scale())
                .map(|v| v as f64),
            None => self.published_value.map(|v| (v + 0.5).floor()),
        }
    }

    /// The value on the `iro-stats` scale (per 10,000, or a fraction).
    pub fn stats_value(&self) -> Option<f64> {
        self.value().map(|v| self.indicator.to_stats(v))
    }

    /// A figure with no value and the reason.
    pub fn missing(
        indicator: Indicator,
        year: CollectionYear,
        area: Geography,
        source: Source,
        why: impl Into<String>,
    ) -> Self {
        Figure {
            indicator,
            year,
            area,
            source,
            counts: None,
            published_value: None,
            note: why.into(),
        }
    }
}

/// numerator × scale ÷ denominator rounded half up, in exact integer
/// arithmetic: ⌊(2·n·scale + d) / 2d⌋. `None` for a zero denominator.
pub fn round_half_up_ratio(numerator: u64, denominator: u64, scale: u64) -> Option<u64> {
    if denominator == 0 {
        return None;
    }
    let n = u128::from(numerator) * u128::from(scale);
    let d = u128::from(denominator);
    u64::try_from((2 * n + d) / (2 * d)).ok()
}

/// The words for a DfE symbol, for notes.
pub fn symbol_words<T>(p: &Published<T>) -> String {
    match p {
        Published::Value(_) => "published".to_string(),
        Published::Suppressed => "suppressed by the DfE (c)".to_string(),
        Published::NotApplicable => "not applicable (z)".to_string(),
        Published::NotAvailable => "not available (x)".to_string(),
        Published::RoundsToZero => "rounds to zero (k)".to_string(),
        Published::Low => "rounds to zero (low)".to_string(),
        Published::Unreliable => "low reliability (u)".to_string(),
        Published::Missing => "not published in the source held".to_string(),
    }
}

/// The release an area's published figure of `indicator` in `year` comes
/// from (`DfE CLA 2025 release (EES)`; an imported release's own label when
/// the reference overlay holds the year), if the reference data hold one.
pub fn published_release(
    reference: &Reference,
    area: &Geography,
    year: CollectionYear,
    indicator: Indicator,
) -> Option<String> {
    let stability = |id: &str| {
        reference
            .stability(area.clone(), year, id)
            .map(|f| f.release.clone())
    };
    match indicator {
        Indicator::ClaRate => reference
            .published(area.clone(), year, Measure::Cla31March)
            .map(|f| f.release.clone()),
        Indicator::StartsRate => reference
            .published(area.clone(), year, Measure::Starts)
            .map(|f| f.release.clone()),
        Indicator::ThreePlusPlacements => stability(indicators::PLACEMENTS_3PLUS_IN_YEAR),
        Indicator::LongTermStability => stability(indicators::LONG_TERM_STABILITY_SAME_CARER),
        Indicator::Over20Miles => stability(indicators::CLA_31_MARCH_OVER_20_MILES),
        Indicator::NewPlacementsOver20Miles => {
            stability(indicators::NEW_PLACEMENTS_INSIDE_LA_OVER_20_MILES)
        }
    }
}

/// The published figure of an area, year and indicator.
pub fn published_figure(
    reference: &Reference,
    area: &Geography,
    year: CollectionYear,
    indicator: Indicator,
) -> Figure {
    let missing =
        |why: String| Figure::missing(indicator, year, area.clone(), Source::Published, why);
    let held = |what: &str| {
        format!(
            "no published {what} for {} in the reference data",
            year.label()
        )
    };
    match indicator {
        Indicator::ClaRate | Indicator::StartsRate => {
            let measure = if indicator == Indicator::ClaRate {
                Measure::Cla31March
            } else {
                Measure::Starts
            };
            let Some(f) = reference.published(area.clone(), year, measure) else {
                return missing(held(measure.id()));
            };
            let counts = match (f.count.value(), f.population_used.value()) {
                (Some(n), Some(d)) if d > 0 => Some(Counts {
                    numerator: n,
                    denominator: d,
                }),
                _ => None,
            };
            let note = match (&counts, f.count.value()) {
                (Some(_), _) => f.release.clone(),
                (None, Some(_)) => {
                    format!("population not published with the count ({})", f.release)
                }
                (None, None) => format!("count {} ({})", symbol_words(&f.count), f.release),
            };
            Figure {
                indicator,
                year,
                area: area.clone(),
                source: Source::Published,
                counts,
                published_value: f.rate_per_10000.value(),
                note,
            }
        }
        Indicator::ThreePlusPlacements | Indicator::LongTermStability | Indicator::Over20Miles => {
            let id = match indicator {
                Indicator::ThreePlusPlacements => indicators::PLACEMENTS_3PLUS_IN_YEAR,
                Indicator::LongTermStability => indicators::LONG_TERM_STABILITY_SAME_CARER,
                _ => indicators::CLA_31_MARCH_OVER_20_MILES,
            };
            let Some(f) = reference.stability(area.clone(), year, id) else {
                return missing(held(id));
            };
            let counts = match (f.numerator.value(), f.denominator.value()) {
                (Some(n), Some(d)) if d > 0 && n <= d => Some(Counts {
                    numerator: n,
                    denominator: d,
                }),
                _ => None,
            };
            let note = if counts.is_some() {
                f.release.clone()
            } else if !f.numerator.is_value() {
                format!("numerator {} ({})", symbol_words(&f.numerator), f.release)
            } else {
                format!(
                    "denominator {} ({})",
                    symbol_words(&f.denominator),
                    f.release
                )
            };
            Figure {
                indicator,
                year,
                area: area.clone(),
                source: Source::Published,
                counts,
                published_value: f.percent.value(),
                note,
            }
        }
        Indicator::NewPlacementsOver20Miles => {
            let parts = [
                indicators::NEW_PLACEMENTS_INSIDE_LA_OVER_20_MILES,
                indicators::NEW_PLACEMENTS_OUTSIDE_LA_OVER_20_MILES,
            ]
            .map(|id| reference.stability(area.clone(), year, id));
            let [Some(inside), Some(outside)] = parts else {
                return missing(held("new placements by distance"));
            };
            let release = &inside.release;
            let counts = match (
                inside.numerator.value(),
                outside.numerator.value(),
                inside.denominator.value(),
                outside.denominator.value(),
            ) {
                (Some(a), Some(b), Some(d), Some(d2)) if d == d2 && d > 0 && a + b <= d => {
                    Some(Counts {
                        numerator: a + b,
                        denominator: d,
                    })
                }
                (Some(_), Some(_), Some(d), Some(d2)) if d != d2 => {
                    return missing(format!(
                        "inside and outside the LA boundary have different totals ({d}, {d2}) ({release})"
                    ));
                }
                _ => None,
            };
            let note = match counts {
                Some(_) => {
                    format!("inside + outside the LA boundary, more than 20 miles ({release})")
                }
                None => {
                    let (which, p) = if !inside.numerator.is_value() {
                        ("inside the LA boundary", &inside.numerator)
                    } else if !outside.numerator.is_value() {
                        ("outside the LA boundary", &outside.numerator)
                    } else {
                        ("total", &inside.denominator)
                    };
                    format!("{which}: {} ({release})", symbol_words(p))
                }
            };
            Figure {
                indicator,
                year,
                area: area.clone(),
                source: Source::Published,
                counts,
                published_value: None,
                note,
            }
        }
    }
}

/// The published figures of every authority current in each year, England and
/// the regions, for a set of years: the table every comparison reads.
#[derive(Debug, Clone, Default)]
pub struct PublishedFigures {
    /// Authorities' figures.
    la_figures: FxHashMap<(Indicator, CollectionYear, LaCode), Figure>,
    /// England's and the regions'.
    areas: FxHashMap<(Indicator, CollectionYear, Geography), Figure>,
    las: FxHashMap<CollectionYear, Vec<LaCode>>,
}

impl PublishedFigures {
    /// Loads every indicator for `years`.
    pub fn load(reference: &Reference, years: &[CollectionYear]) -> Self {
        let mut out = PublishedFigures::default();
        for &year in years {
            if out.las.contains_key(&year) {
                continue;
            }
            let las: Vec<LaCode> = reference.las_current(year).map(|r| r.code()).collect();
            let areas = std::iter::once(Geography::England)
                .chain(
                    reference
                        .regions()
                        .iter()
                        .map(|r| Geography::Region(r.ons_code.clone())),
                )
                .chain(las.iter().map(|&c| Geography::La(c)));
            for area in areas {
                for indicator in Indicator::ALL {
                    let f = published_figure(reference, &area, year, indicator);
                    match area {
                        Geography::La(la) => {
                            out.la_figures.insert((indicator, year, la), f);
                        }
                        _ => {
                            out.areas.insert((indicator, year, area.clone()), f);
                        }
                    }
                }
            }
            out.las.insert(year, las);
        }
        out
    }

    /// The figure of an area (an authority current that year, England or a
    /// region); `None` outside the years loaded.
    pub fn get(
        &self,
        indicator: Indicator,
        year: CollectionYear,
        area: &Geography,
    ) -> Option<&Figure> {
        match area {
            Geography::La(la) => self.la(indicator, year, *la),
            _ => self.areas.get(&(indicator, year, area.clone())),
        }
    }

    /// The authority's figure, if it existed that year.
    pub fn la(&self, indicator: Indicator, year: CollectionYear, la: LaCode) -> Option<&Figure> {
        self.la_figures.get(&(indicator, year, la))
    }

    /// The authorities current in `year` (empty if the year was not loaded).
    pub fn las(&self, year: CollectionYear) -> &[LaCode] {
        self.las.get(&year).map_or(&[], Vec::as_slice)
    }

    /// Whether any authority has a figure for this indicator and year.
    pub fn any_la_value(&self, indicator: Indicator, year: CollectionYear) -> bool {
        self.las(year).iter().any(|&la| {
            self.la(indicator, year, la)
                .is_some_and(|f| f.value().is_some())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_up_exactly() {
        assert_eq!(round_half_up_ratio(220, 36601, 10_000), Some(60));
        assert_eq!(round_half_up_ratio(1, 2, 1), Some(1));
        assert_eq!(round_half_up_ratio(1, 4, 10), Some(3)); // 2.5 -> 3
        assert_eq!(round_half_up_ratio(49, 1000, 100), Some(5)); // 4.9
        assert_eq!(round_half_up_ratio(5, 0, 100), None);
        assert_eq!(round_half_up_ratio(u64::MAX, 1, 10_000), None);
    }

    #[test]
    fn published_figures_of_banes_2025() {
        let r = Reference::bundled().unwrap();
        let banes = Geography::La(LaCode::new(800).unwrap());
        let y = CollectionYear(2025);
        let cla = published_figure(&r, &banes, y, Indicator::ClaRate);
        assert_eq!(
            cla.counts,
            Some(Counts {
                numerator: 220,
                denominator: 36601
            })
        );
        assert_eq!(cla.rounded(), Some(60.0));
        assert_eq!(cla.published_value, Some(60.0));
        let np = published_figure(&r, &banes, y, Indicator::NewPlacementsOver20Miles);
        assert_eq!(
            np.counts,
            Some(Counts {
                numerator: 58,
                denominator: 202
            })
        );
        let o20 = published_figure(&r, &banes, y, Indicator::Over20Miles);
        assert_eq!(o20.rounded(), Some(26.0));
        // Published only for the South West and Medway.
        let leeds = Geography::La(LaCode::new(383).unwrap());
        let none = published_figure(&r, &leeds, y, Indicator::Over20Miles);
        assert_eq!(none.value(), None);
        assert!(none.note.contains("no published"), "{}", none.note);
        // Isles of Scilly: z.
        let scilly = Geography::La(LaCode::new(420).unwrap());
        let z = published_figure(&r, &scilly, y, Indicator::ClaRate);
        assert_eq!(z.value(), None);
        assert!(z.note.contains("(z)"), "{}", z.note);
    }
}
