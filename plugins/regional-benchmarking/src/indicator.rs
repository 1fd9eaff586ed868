//! The five indicators (six measures) benchmarked, with their scale, unit and
//! period.

use iro_metric_api::{Period, Unit};

/// An indicator compared between authorities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Indicator {
    /// Children looked after at 31 March per 10,000 children aged 0–17.
    ClaRate,
    /// Children who started to be looked after in the year per 10,000.
    StartsRate,
    /// % of children looked after at 31 March with 3 or more placements in the year.
    ThreePlusPlacements,
    /// % of children looked after 2.5+ years, aged under 16, with the same carer
    /// for 2+ years.
    LongTermStability,
    /// % of children looked after at 31 March placed more than 20 miles from home.
    Over20Miles,
    /// % of new placements in the year more than 20 miles from home.
    NewPlacementsOver20Miles,
}

impl Indicator {
    pub const ALL: [Indicator; 6] = [
        Indicator::ClaRate,
        Indicator::StartsRate,
        Indicator::ThreePlusPlacements,
        Indicator::LongTermStability,
        Indicator::Over20Miles,
        Indicator::NewPlacementsOver20Miles,
    ];

    /// The measure id (`regional-benchmarking.<id>`) and the `indicator=` value.
    pub fn id(self) -> &'static str {
        match self {
            Indicator::ClaRate => "cla-rate",
            Indicator::StartsRate => "starts-rate",
            Indicator::ThreePlusPlacements => "three-plus-placements",
            Indicator::LongTermStability => "long-term-stability",
            Indicator::Over20Miles => "over-20-miles",
            Indicator::NewPlacementsOver20Miles => "new-placements-over-20-miles",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Indicator::ALL.into_iter().find(|i| i.id() == s.trim())
    }

    pub fn title(self) -> &'static str {
        match self {
            Indicator::ClaRate => "Children looked after at 31 March per 10,000 children aged 0-17",
            Indicator::StartsRate => {
                "Children who started to be looked after during the year per 10,000 children aged 0-17"
            }
            Indicator::ThreePlusPlacements => {
                "Children looked after at 31 March with 3 or more placements during the year (%)"
            }
            Indicator::LongTermStability => {
                "Children looked after 2.5+ years, aged under 16, with the same carer for 2+ years (%)"
            }
            Indicator::Over20Miles => {
                "Children looked after at 31 March placed more than 20 miles from home (%)"
            }
            Indicator::NewPlacementsOver20Miles => {
                "New placements during the year more than 20 miles from home (%)"
            }
        }
    }

    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Indicator::ClaRate => "CLA per 10,000",
            Indicator::StartsRate => "starts per 10,000",
            Indicator::ThreePlusPlacements => "3+ placements %",
            Indicator::LongTermStability => "long-term stability %",
            Indicator::Over20Miles => "placed over 20 miles %",
            Indicator::NewPlacementsOver20Miles => "new placements over 20 miles %",
        }
    }

    /// Rate per 10,000 (Poisson funnel on the population) or proportion
    /// (binomial funnel on the denominator).
    pub fn kind(self) -> iro_stats::Indicator {
        match self {
            Indicator::ClaRate | Indicator::StartsRate => iro_stats::Indicator::RatePer10k,
            _ => iro_stats::Indicator::Proportion,
        }
    }

    pub fn is_rate(self) -> bool {
        self.kind() == iro_stats::Indicator::RatePer10k
    }

    /// The unit of the value rows.
    pub fn unit(self) -> Unit {
        if self.is_rate() {
            Unit::Per10000
        } else {
            Unit::Percent
        }
    }

    /// At-31-March snapshot or the whole year.
    pub fn period(self) -> Period {
        match self {
            Indicator::StartsRate | Indicator::NewPlacementsOver20Miles => Period::Year,
            _ => Period::Snapshot,
        }
    }

    /// Display multiplier of numerator ÷ denominator: 10,000 or 100.
    pub fn scale(self) -> u64 {
        if self.is_rate() { 10_000 } else { 100 }
    }

    /// How the value is read: "per 10,000" or "%".
    pub fn unit_words(self) -> &'static str {
        if self.is_rate() { "per 10,000" } else { "%" }
    }

    /// The units of a difference of two values.
    pub fn difference_words(self) -> &'static str {
        if self.is_rate() {
            "per 10,000"
        } else {
            "percentage points"
        }
    }

    /// Converts a display value (per 10,000, or %) to the `iro-stats` scale
    /// (per 10,000, or a fraction).
    pub fn to_stats(self, display: f64) -> f64 {
        if self.is_rate() {
            display
        } else {
            display / 100.0
        }
    }

    /// Converts an `iro-stats` value to the display scale.
    pub fn from_stats(self, stats: f64) -> f64 {
        if self.is_rate() { stats } else { stats * 100.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_scales() {
        for i in Indicator::ALL {
            assert_eq!(Indicator::parse(i.id()), Some(i));
            assert_eq!(i.from_stats(i.to_stats(42.5)), 42.5);
        }
        assert_eq!(Indicator::parse("nope"), None);
        assert_eq!(Indicator::ClaRate.scale(), 10_000);
        assert_eq!(Indicator::LongTermStability.unit(), Unit::Percent);
        assert_eq!(Indicator::StartsRate.period(), Period::Year);
        assert_eq!(Indicator::Over20Miles.period(), Period::Snapshot);
    }
}
