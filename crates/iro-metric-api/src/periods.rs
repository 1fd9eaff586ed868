//! The reporting periods every IRO-service figure is given for: the
//! collection year and its four quarters (flows, by the date of the event), and
//! the quarter ends and 31 March (stocks, at the end of the day).

use crate::Period;
use chrono::NaiveDate;
use iro_domain::{CollectionYear, Quarter};

/// Flow periods: the year, then Q1–Q4.
pub const FLOWS: [Period; 5] = [Period::Year, Period::Q1, Period::Q2, Period::Q3, Period::Q4];

/// Stock periods: the end of each quarter, then 31 March (the same day as
/// the end of Q4, given again under the snapshot label).
pub const STOCKS: [Period; 5] = [
    Period::Q1,
    Period::Q2,
    Period::Q3,
    Period::Q4,
    Period::Snapshot,
];

/// The year computed, split into flow periods and stock dates.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub year: CollectionYear,
    start: NaiveDate,
    /// Last day of each flow period (the year, then Q1–Q4).
    ends: [NaiveDate; 5],
}

impl Periods {
    pub fn new(year: CollectionYear) -> Self {
        let q = |q: Quarter| year.quarter_bounds(q).1;
        Periods {
            year,
            start: year.start(),
            ends: [
                year.end(),
                q(Quarter::Q1),
                q(Quarter::Q2),
                q(Quarter::Q3),
                q(Quarter::Q4),
            ],
        }
    }

    /// The flow periods (indices into [`FLOWS`]) that `date` falls in: the
    /// year and its quarter, or none when it is outside the year.
    pub fn flows_of(&self, date: NaiveDate) -> Option<[usize; 2]> {
        if date < self.start || date > self.ends[0] {
            return None;
        }
        let q = 1 + self.ends[1..4].iter().filter(|&&e| e < date).count();
        Some([0, q])
    }

    /// First and last day of a flow period (index into [`FLOWS`]).
    pub fn bounds(&self, p: usize) -> (NaiveDate, NaiveDate) {
        let start = match p {
            0 | 1 => self.start,
            _ => self.ends[p - 1].succ_opt().unwrap_or(NaiveDate::MAX),
        };
        (start, self.ends[p.min(4)])
    }

    /// The date of each stock period (index into [`STOCKS`]).
    pub fn stock_date(&self, s: usize) -> NaiveDate {
        self.ends[(s + 1).min(4)]
    }
}

/// The median of `v` (sorted in place): the mean of the middle two when even.
pub fn median(v: &mut [i64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    })
}

/// The mean of `v`.
pub fn mean(v: &[i64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<i64>() as f64 / v.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_fall_in_the_year_and_one_quarter() {
        let p = Periods::new(CollectionYear(2025));
        assert_eq!(p.flows_of(d(2024, 4, 1)), Some([0, 1]));
        assert_eq!(p.flows_of(d(2024, 6, 30)), Some([0, 1]));
        assert_eq!(p.flows_of(d(2024, 7, 1)), Some([0, 2]));
        assert_eq!(p.flows_of(d(2024, 12, 31)), Some([0, 3]));
        assert_eq!(p.flows_of(d(2025, 1, 1)), Some([0, 4]));
        assert_eq!(p.flows_of(d(2025, 3, 31)), Some([0, 4]));
        assert_eq!(p.flows_of(d(2025, 4, 1)), None);
        assert_eq!(p.flows_of(d(2024, 3, 31)), None);
        assert_eq!(p.bounds(0), (d(2024, 4, 1), d(2025, 3, 31)));
        assert_eq!(p.bounds(3), (d(2024, 10, 1), d(2024, 12, 31)));
        assert_eq!(p.stock_date(0), d(2024, 6, 30));
        assert_eq!(p.stock_date(3), d(2025, 3, 31));
        assert_eq!(p.stock_date(4), d(2025, 3, 31));
    }

    #[test]
    fn medians_and_means() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3, 1, 2]), Some(2.0));
        assert_eq!(median(&mut [4, 1, 2, 3]), Some(2.5));
        assert_eq!(mean(&[1, 2]), Some(1.5));
        assert_eq!(mean(&[]), None);
    }
}
