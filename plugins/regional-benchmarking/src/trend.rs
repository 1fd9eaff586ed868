//! The five-year trend: change over the window and the least-squares slope.

use iro_domain::CollectionYear;
use iro_metric_api::{AreaCode, MetricRow, Unit};

use crate::compare::new_row;
use crate::figure::Source;
use crate::indicator::Indicator;

/// Fewest yearly values a trend is given for.
pub const MIN_POINTS: usize = 3;

/// The collection years of the window of `n` years ending with `year`.
pub fn window(year: CollectionYear, n: u32) -> impl Iterator<Item = CollectionYear> {
    let n = i32::try_from(n.max(1)).unwrap_or(1);
    (year.0 - n + 1..=year.0).map(CollectionYear)
}

/// A trend over the years of a window that have a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// First year with a value, and the value.
    pub first: (i32, f64),
    /// The last year (the year of the trend), and its value.
    pub last: (i32, f64),
    /// Years with a value.
    pub points: usize,
    /// Least-squares slope of value on year, per year.
    pub slope: f64,
}

impl Trend {
    /// The trend of `(year, value)` points (any order). `None` unless at
    /// least [`MIN_POINTS`] finite values, distinct years, the last being the
    /// latest year.
    pub fn of(series: &[(i32, f64)]) -> Option<Trend> {
        let mut pts: Vec<(i32, f64)> = series.iter().copied().filter(|p| p.1.is_finite()).collect();
        pts.sort_by_key(|p| p.0);
        pts.dedup_by_key(|p| p.0);
        if pts.len() < MIN_POINTS {
            return None;
        }
        let n = pts.len() as f64;
        let mx = pts.iter().map(|p| f64::from(p.0)).sum::<f64>() / n;
        let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
        let sxx: f64 = pts.iter().map(|p| (f64::from(p.0) - mx).powi(2)).sum();
        let sxy: f64 = pts.iter().map(|p| (f64::from(p.0) - mx) * (p.1 - my)).sum();
        let slope = sxy / sxx;
        Some(Trend {
            first: pts[0],
            last: pts[pts.len() - 1],
            points: pts.len(),
            slope: if slope.is_finite() { slope } else { 0.0 },
        })
    }

    /// Change from the first year to the last.
    pub fn change(&self) -> f64 {
        self.last.1 - self.first.1
    }

    /// `trend-change` and `trend-slope` rows.
    pub fn rows(
        &self,
        la_code: AreaCode,
        year: CollectionYear,
        indicator: Indicator,
        source: Source,
    ) -> Vec<MetricRow> {
        let bd = [("indicator", indicator.id()), ("source", source.id())];
        let span = format!(
            "{} to {} ({} years with a figure)",
            CollectionYear(self.first.0).label(),
            CollectionYear(self.last.0).label(),
            self.points
        );
        let mut change = new_row(
            la_code,
            year,
            indicator.period(),
            "trend-change",
            Unit::Mean,
            &bd,
        );
        change.value = Some(self.change());
        change.set_note(&format!(
            "{span}: {:.1} to {:.1} {}; change in {}",
            self.first.1,
            self.last.1,
            indicator.unit_words(),
            indicator.difference_words()
        ));
        let mut slope = new_row(
            la_code,
            year,
            indicator.period(),
            "trend-slope",
            Unit::Mean,
            &bd,
        );
        slope.value = Some(self.slope);
        slope.set_note(&format!(
            "{span}: least-squares slope, {} per year",
            indicator.difference_words()
        ));
        vec![change, slope]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_and_change_by_hand() {
        // 2021..2025: 60, 62, 61, 65, 67 -> mean year 2023, mean value 63;
        // Sxy = (-2)(-3) + (-1)(-1) + 0 + 1*2 + 2*4 = 17, Sxx = 10.
        let t = Trend::of(&[
            (2025, 67.0),
            (2021, 60.0),
            (2022, 62.0),
            (2023, 61.0),
            (2024, 65.0),
        ])
        .unwrap();
        assert!((t.slope - 1.7).abs() < 1e-12);
        assert_eq!(t.change(), 7.0);
        assert_eq!(t.first, (2021, 60.0));
        assert_eq!(t.points, 5);
        let rows = t.rows(
            AreaCode::new("800"),
            CollectionYear(2025),
            Indicator::ClaRate,
            Source::Published,
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].metric, crate::TREND_CHANGE);
        assert_eq!(
            rows[0].breakdown.to_string(),
            "indicator=cla-rate;source=published"
        );
        assert!(
            rows[0].note.starts_with("2020-21 to 2024-25 (5 years"),
            "{}",
            rows[0].note
        );
    }

    #[test]
    fn too_few_points_give_no_trend() {
        assert_eq!(Trend::of(&[(2024, 1.0), (2025, 2.0)]), None);
        assert_eq!(
            Trend::of(&[(2024, 1.0), (2024, 2.0), (2025, f64::NAN)]),
            None
        );
        assert_eq!(window(CollectionYear(2025), 5).count(), 5);
        assert_eq!(
            window(CollectionYear(2025), 5).next(),
            Some(CollectionYear(2021))
        );
    }
}
