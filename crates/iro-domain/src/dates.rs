//! Calendar arithmetic the statutory timescales need: calendar months clamped to
//! the month end, ages in completed years, and the April–March reporting year.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Adds calendar months, clamping to the last day of the target month:
/// 31 August + 6 months = 28 February (29 in a leap year); 30 November + 3 months =
/// 28/29 February. Negative `months` go back. Saturates at chrono's date range.
pub fn add_months_clamped(date: NaiveDate, months: i32) -> NaiveDate {
    let m = Months::new(months.unsigned_abs());
    let r = if months >= 0 {
        date.checked_add_months(m)
    } else {
        date.checked_sub_months(m)
    };
    r.unwrap_or(if months >= 0 {
        NaiveDate::MAX
    } else {
        NaiveDate::MIN
    })
}

/// Age in completed years on `on`. Someone born on 29 February becomes a year
/// older on 1 March in a common year, as English law counts it.
pub fn age_in_years(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

/// The DfE's age bands for children looked after ("Children looked after in
/// England" tables; the profile at 31 March): under 1, 1 to 4, 5 to 9, 10 to
/// 15, 16 and over, and not known (no date of birth). Ordered youngest first,
/// "not known" last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeBand {
    Under1,
    From1To4,
    From5To9,
    From10To15,
    From16,
    NotKnown,
}

impl AgeBand {
    /// Every band, youngest first, "not known" last.
    pub const ALL: [AgeBand; 6] = [
        AgeBand::Under1,
        AgeBand::From1To4,
        AgeBand::From5To9,
        AgeBand::From10To15,
        AgeBand::From16,
        AgeBand::NotKnown,
    ];

    /// The band of an age in completed years (`None`: not known). An age
    /// below 1 (a date before the birth included) is "under 1".
    pub fn of(age: Option<i32>) -> Self {
        match age {
            None => AgeBand::NotKnown,
            Some(a) if a < 1 => AgeBand::Under1,
            Some(1..=4) => AgeBand::From1To4,
            Some(5..=9) => AgeBand::From5To9,
            Some(10..=15) => AgeBand::From10To15,
            Some(_) => AgeBand::From16,
        }
    }

    /// The band of someone born on `dob` (if known) on `date`.
    pub fn on(dob: Option<NaiveDate>, date: NaiveDate) -> Self {
        AgeBand::of(dob.map(|dob| age_in_years(dob, date)))
    }

    /// The label of the `age_band` breakdown (`metrics.csv`): `Under 1`,
    /// `1 to 4`, `5 to 9`, `10 to 15`, `16 and over`, `Not known`.
    pub const fn label(self) -> &'static str {
        match self {
            AgeBand::Under1 => "Under 1",
            AgeBand::From1To4 => "1 to 4",
            AgeBand::From5To9 => "5 to 9",
            AgeBand::From10To15 => "10 to 15",
            AgeBand::From16 => "16 and over",
            AgeBand::NotKnown => "Not known",
        }
    }
}

impl std::fmt::Display for AgeBand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The date of the `years`-th birthday (29 February birthdays fall on 1 March in
/// common years).
pub fn birthday(dob: NaiveDate, years: i32) -> NaiveDate {
    let y = dob.year() + years;
    NaiveDate::from_ymd_opt(y, dob.month(), dob.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, 3, 1))
        .unwrap_or(NaiveDate::MAX)
}

/// A collection (reporting) year, named by the year it ends:
/// `CollectionYear(2025)` runs from 1 April 2024 to 31 March 2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CollectionYear(pub i32);

impl CollectionYear {
    /// The collection year containing `date`.
    pub fn containing(date: NaiveDate) -> Self {
        if date.month() >= 4 {
            CollectionYear(date.year() + 1)
        } else {
            CollectionYear(date.year())
        }
    }

    /// 1 April of the previous calendar year.
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 - 1, 4, 1).unwrap_or(NaiveDate::MIN)
    }

    /// 31 March: the snapshot date of "looked after at 31 March".
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 3, 31).unwrap_or(NaiveDate::MAX)
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.start() <= date && date <= self.end()
    }

    pub fn previous(self) -> Self {
        CollectionYear(self.0 - 1)
    }

    /// The quarter of this year that `date` falls in, if it is in the year.
    pub fn quarter_of(self, date: NaiveDate) -> Option<Quarter> {
        if !self.contains(date) {
            return None;
        }
        Some(match date.month() {
            4..=6 => Quarter::Q1,
            7..=9 => Quarter::Q2,
            10..=12 => Quarter::Q3,
            _ => Quarter::Q4,
        })
    }

    /// First and last day of a quarter of this year.
    pub fn quarter_bounds(self, q: Quarter) -> (NaiveDate, NaiveDate) {
        let (y, m1, m3) = match q {
            Quarter::Q1 => (self.0 - 1, 4, 6),
            Quarter::Q2 => (self.0 - 1, 7, 9),
            Quarter::Q3 => (self.0 - 1, 10, 12),
            Quarter::Q4 => (self.0, 1, 3),
        };
        let start = NaiveDate::from_ymd_opt(y, m1, 1).unwrap_or(NaiveDate::MIN);
        let end = add_months_clamped(start, 3)
            .pred_opt()
            .unwrap_or(NaiveDate::MAX);
        debug_assert_eq!(end.month(), m3);
        (start, end)
    }

    /// The label analysts use, e.g. `2024-25`.
    pub fn label(self) -> String {
        format!("{}-{:02}", self.0 - 1, self.0.rem_euclid(100))
    }
}

impl std::fmt::Display for CollectionYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A quarter of the April–March year: Q1 April–June … Q4 January–March.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Quarter {
    Q1,
    Q2,
    Q3,
    Q4,
}

impl Quarter {
    pub const ALL: [Quarter; 4] = [Quarter::Q1, Quarter::Q2, Quarter::Q3, Quarter::Q4];

    pub fn label(self) -> &'static str {
        match self {
            Quarter::Q1 => "Q1",
            Quarter::Q2 => "Q2",
            Quarter::Q3 => "Q3",
            Quarter::Q4 => "Q4",
        }
    }
}

/// A reporting period: a collection year or one of its quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReportingPeriod {
    pub year: CollectionYear,
    pub quarter: Option<Quarter>,
}

impl ReportingPeriod {
    pub fn year(year: CollectionYear) -> Self {
        ReportingPeriod {
            year,
            quarter: None,
        }
    }

    pub fn quarter(year: CollectionYear, q: Quarter) -> Self {
        ReportingPeriod {
            year,
            quarter: Some(q),
        }
    }

    pub fn start(self) -> NaiveDate {
        match self.quarter {
            None => self.year.start(),
            Some(q) => self.year.quarter_bounds(q).0,
        }
    }

    pub fn end(self) -> NaiveDate {
        match self.quarter {
            None => self.year.end(),
            Some(q) => self.year.quarter_bounds(q).1,
        }
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// `year` or `Q1`…`Q4`, the `period` column of the tidy table.
    pub fn label(self) -> &'static str {
        self.quarter.map_or("year", Quarter::label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(add_months_clamped(d(2023, 8, 31), 6), d(2024, 2, 29));
        assert_eq!(add_months_clamped(d(2022, 8, 31), 6), d(2023, 2, 28));
        assert_eq!(add_months_clamped(d(2024, 11, 30), 3), d(2025, 2, 28));
        assert_eq!(add_months_clamped(d(2023, 11, 30), 3), d(2024, 2, 29));
        assert_eq!(add_months_clamped(d(2024, 2, 29), 12), d(2025, 2, 28));
        assert_eq!(add_months_clamped(d(2024, 1, 31), 1), d(2024, 2, 29));
        assert_eq!(add_months_clamped(d(2024, 3, 31), 6), d(2024, 9, 30));
        assert_eq!(add_months_clamped(d(2024, 12, 15), 3), d(2025, 3, 15));
        assert_eq!(add_months_clamped(d(2024, 3, 31), -1), d(2024, 2, 29));
    }

    #[test]
    fn ages_and_leap_birthdays() {
        let dob = d(2008, 2, 29);
        assert_eq!(age_in_years(dob, d(2026, 2, 28)), 17);
        assert_eq!(age_in_years(dob, d(2026, 3, 1)), 18);
        assert_eq!(birthday(dob, 18), d(2026, 3, 1));
        assert_eq!(birthday(dob, 16), d(2024, 2, 29));
        assert_eq!(age_in_years(d(2010, 6, 15), d(2025, 6, 14)), 14);
        assert_eq!(age_in_years(d(2010, 6, 15), d(2025, 6, 15)), 15);
    }

    #[test]
    fn dfe_age_bands() {
        let band = |a| AgeBand::of(Some(a));
        assert_eq!(band(-1), AgeBand::Under1);
        assert_eq!(band(0), AgeBand::Under1);
        assert_eq!(band(1), AgeBand::From1To4);
        assert_eq!(band(4), AgeBand::From1To4);
        assert_eq!(band(5), AgeBand::From5To9);
        assert_eq!(band(9), AgeBand::From5To9);
        assert_eq!(band(10), AgeBand::From10To15);
        assert_eq!(band(15), AgeBand::From10To15);
        assert_eq!(band(16), AgeBand::From16);
        assert_eq!(band(21), AgeBand::From16);
        assert_eq!(AgeBand::of(None), AgeBand::NotKnown);
        // 16 on the day of the 16th birthday, not the day before.
        let dob = d(2009, 3, 31);
        assert_eq!(AgeBand::on(Some(dob), d(2025, 3, 30)), AgeBand::From10To15);
        assert_eq!(AgeBand::on(Some(dob), d(2025, 3, 31)), AgeBand::From16);
        assert_eq!(AgeBand::on(None, d(2025, 3, 31)).label(), "Not known");
        let labels: Vec<&str> = AgeBand::ALL.iter().map(|b| b.label()).collect();
        assert_eq!(
            labels,
            [
                "Under 1",
                "1 to 4",
                "5 to 9",
                "10 to 15",
                "16 and over",
                "Not known"
            ]
        );
        assert!(AgeBand::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn collection_year_bounds_and_quarters() {
        let y = CollectionYear(2025);
        assert_eq!(y.start(), d(2024, 4, 1));
        assert_eq!(y.end(), d(2025, 3, 31));
        assert_eq!(y.label(), "2024-25");
        assert_eq!(CollectionYear(2000).label(), "1999-00");
        assert_eq!(
            CollectionYear::containing(d(2024, 3, 31)),
            CollectionYear(2024)
        );
        assert_eq!(
            CollectionYear::containing(d(2024, 4, 1)),
            CollectionYear(2025)
        );
        assert_eq!(y.quarter_of(d(2024, 6, 30)), Some(Quarter::Q1));
        assert_eq!(y.quarter_of(d(2024, 7, 1)), Some(Quarter::Q2));
        assert_eq!(y.quarter_of(d(2024, 12, 31)), Some(Quarter::Q3));
        assert_eq!(y.quarter_of(d(2025, 3, 31)), Some(Quarter::Q4));
        assert_eq!(y.quarter_of(d(2025, 4, 1)), None);
        assert_eq!(
            y.quarter_bounds(Quarter::Q4),
            (d(2025, 1, 1), d(2025, 3, 31))
        );
        assert_eq!(
            y.quarter_bounds(Quarter::Q3),
            (d(2024, 10, 1), d(2024, 12, 31))
        );
        let p = ReportingPeriod::quarter(CollectionYear(2024), Quarter::Q4);
        assert_eq!(p.end(), d(2024, 3, 31));
        assert!(p.contains(d(2024, 2, 29)));
    }

    proptest! {
        #[test]
        fn months_never_overflow_the_month(y in 1990i32..2040, m in 1u32..=12, day in 1u32..=31, k in -36i32..36) {
            prop_assume!(NaiveDate::from_ymd_opt(y, m, day).is_some());
            let date = d(y, m, day);
            let r = add_months_clamped(date, k);
            let months = (r.year() - y) * 12 + r.month() as i32 - m as i32;
            prop_assert_eq!(months, k);
            prop_assert!(r.day() <= day);
            if r.day() < day {
                // clamped: must be the last day of its month
                prop_assert!(r.succ_opt().unwrap().day() == 1);
            }
        }

        #[test]
        fn every_date_is_in_exactly_one_quarter(offset in 0i64..365) {
            let y = CollectionYear(2024);
            let date = y.start() + chrono::Duration::days(offset);
            let q = y.quarter_of(date).unwrap();
            let (s, e) = y.quarter_bounds(q);
            prop_assert!(s <= date && date <= e);
        }
    }
}
