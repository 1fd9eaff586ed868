//! The England and Wales working-day calendar used by statutory timescales
//! ("within 20 working days", "3 working days before the review").
//!
//! A working day is Monday to Friday and not a bank holiday (Christmas Day and
//! Good Friday included). Bank holidays are data, not rules: one-off days such as
//! 3 June 2022, 19 September 2022 and 8 May 2023 are proclaimed, so the list is
//! kept in `data/reference/bank_holidays_england_wales.csv` and embedded here.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

/// The bank-holiday file bundled with the tool (2010–2030).
pub const ENGLAND_AND_WALES_CSV: &str =
    include_str!("../../../data/reference/bank_holidays_england_wales.csv");

/// Error reading a bank-holiday list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("bank-holiday list line {line}: `{value}` is not a YYYY-MM-DD date")]
    BadDate { line: usize, value: String },
    #[error("bank-holiday list is empty")]
    Empty,
}

/// Working days for England and Wales, valid between the first and last year of
/// its bank-holiday list. Outside that range every weekday counts as a working
/// day, and [`WorkingDayCalendar::covers`] says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingDayCalendar {
    holidays: BTreeSet<NaiveDate>,
    first_year: i32,
    last_year: i32,
}

impl WorkingDayCalendar {
    /// The bundled England and Wales calendar.
    pub fn england_and_wales() -> Self {
        // The bundled file is checked by this crate's tests, so it always parses.
        Self::from_csv(ENGLAND_AND_WALES_CSV).unwrap_or_else(|_| Self {
            holidays: BTreeSet::new(),
            first_year: 0,
            last_year: -1,
        })
    }

    /// Reads a CSV whose first column is an ISO date (`date,name,…` with a header).
    pub fn from_csv(text: &str) -> Result<Self, CalendarError> {
        let mut dates = Vec::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            let first = line.split(',').next().unwrap_or("").trim();
            if first.is_empty() {
                continue;
            }
            let date = NaiveDate::parse_from_str(first, "%Y-%m-%d").map_err(|_| {
                CalendarError::BadDate {
                    line: i + 1,
                    value: first.to_string(),
                }
            })?;
            dates.push(date);
        }
        Self::from_dates(dates)
    }

    /// A calendar from a list of holidays; coverage runs from the first to the
    /// last year that has one.
    pub fn from_dates(dates: impl IntoIterator<Item = NaiveDate>) -> Result<Self, CalendarError> {
        let holidays: BTreeSet<NaiveDate> = dates.into_iter().collect();
        let (first, last) = match (holidays.first(), holidays.last()) {
            (Some(f), Some(l)) => (f.year(), l.year()),
            _ => return Err(CalendarError::Empty),
        };
        Ok(Self {
            holidays,
            first_year: first,
            last_year: last,
        })
    }

    /// Whether the holiday list covers this date's year.
    pub fn covers(&self, date: NaiveDate) -> bool {
        (self.first_year..=self.last_year).contains(&date.year())
    }

    /// First and last calendar year covered.
    pub fn coverage(&self) -> (i32, i32) {
        (self.first_year, self.last_year)
    }

    pub fn is_bank_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_bank_holiday(date)
    }

    /// The `n`-th working day after `date` (`date` itself is day 0 and is not
    /// counted). `add_working_days(d, 0)` is `d`.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = match d.succ_opt() {
                Some(next) => next,
                None => return NaiveDate::MAX,
            };
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The `n`-th working day before `date` (for "report due 3 working days
    /// before the review").
    pub fn sub_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = match d.pred_opt() {
                Some(prev) => prev,
                None => return NaiveDate::MIN,
            };
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to`; negative when `to`
    /// is before `from` (then it counts working days after `to` up to and
    /// including `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let days = (to - from).num_days();
        let full_weeks = days / 7;
        let mut count = full_weeks * 5;
        let mut d = from + chrono::Duration::days(full_weeks * 7);
        while d < to {
            d = d.succ_opt().unwrap_or(NaiveDate::MAX);
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                count += 1;
            }
        }
        let holidays = self
            .holidays
            .range((
                std::ops::Bound::Excluded(from),
                std::ops::Bound::Included(to),
            ))
            .filter(|h| !matches!(h.weekday(), Weekday::Sat | Weekday::Sun))
            .count() as i64;
        count - holidays
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher),
    /// written independently of the data file as an oracle.
    fn easter(y: i32) -> NaiveDate {
        let a = y % 19;
        let b = y / 100;
        let c = y % 100;
        let dd = b / 4;
        let e = b % 4;
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - dd - g + 15) % 30;
        let i = c / 4;
        let k = c % 4;
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        d(y, month as u32, day as u32)
    }

    fn first_monday(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Mon, 1).unwrap()
    }

    fn last_monday(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Mon, 5)
            .or_else(|| NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Mon, 4))
            .unwrap()
    }

    /// The statutory and customary rules, with the known exceptions, as an
    /// independent oracle for the bundled file.
    fn expected_holidays(y: i32) -> BTreeSet<NaiveDate> {
        let mut s = BTreeSet::new();
        // New Year's Day, substitute Monday if it falls at a weekend.
        let ny = d(y, 1, 1);
        s.insert(match ny.weekday() {
            Weekday::Sat => d(y, 1, 3),
            Weekday::Sun => d(y, 1, 2),
            _ => ny,
        });
        let es = easter(y);
        s.insert(es - chrono::Duration::days(2)); // Good Friday
        s.insert(es + chrono::Duration::days(1)); // Easter Monday
        // Early May: first Monday, moved to Friday 8 May in 2020 (VE Day 75).
        s.insert(if y == 2020 {
            d(2020, 5, 8)
        } else {
            first_monday(y, 5)
        });
        // Spring: last Monday in May, moved for the 2012 and 2022 jubilees.
        s.insert(match y {
            2012 => d(2012, 6, 4),
            2022 => d(2022, 6, 2),
            _ => last_monday(y, 5),
        });
        s.insert(last_monday(y, 8)); // Summer
        // Christmas and Boxing Day with substitute days.
        let xmas = d(y, 12, 25);
        match xmas.weekday() {
            Weekday::Fri => {
                s.insert(xmas);
                s.insert(d(y, 12, 28));
            }
            Weekday::Sat => {
                s.insert(d(y, 12, 27));
                s.insert(d(y, 12, 28));
            }
            Weekday::Sun => {
                s.insert(d(y, 12, 26));
                s.insert(d(y, 12, 27));
            }
            _ => {
                s.insert(xmas);
                s.insert(d(y, 12, 26));
            }
        }
        // One-off days.
        for (yy, m, dd) in [
            (2011, 4, 29), // Royal wedding
            (2012, 6, 5),  // Diamond Jubilee
            (2022, 6, 3),  // Platinum Jubilee
            (2022, 9, 19), // State funeral of Queen Elizabeth II
            (2023, 5, 8),  // Coronation of King Charles III
        ] {
            if yy == y {
                s.insert(d(yy, m, dd));
            }
        }
        s
    }

    #[test]
    fn bundled_file_matches_every_rule_2010_to_2030() {
        let cal = WorkingDayCalendar::england_and_wales();
        assert_eq!(cal.coverage(), (2010, 2030));
        for y in 2010..=2030 {
            let got: BTreeSet<NaiveDate> = cal
                .holidays
                .iter()
                .copied()
                .filter(|h| h.year() == y)
                .collect();
            assert_eq!(got, expected_holidays(y), "bank holidays of {y}");
        }
    }

    #[test]
    fn one_off_days_are_not_working_days() {
        let cal = WorkingDayCalendar::england_and_wales();
        for day in [d(2022, 6, 3), d(2022, 9, 19), d(2023, 5, 8), d(2020, 5, 8)] {
            assert!(!cal.is_working_day(day), "{day}");
        }
        // 4 May 2020 was not a bank holiday: the early May day moved to 8 May.
        assert!(cal.is_working_day(d(2020, 5, 4)));
        // Substitute days: Christmas 2022 fell on a Sunday.
        assert!(!cal.is_working_day(d(2022, 12, 27)));
        assert!(!cal.is_working_day(d(2023, 1, 2)));
    }

    #[test]
    fn twenty_working_days() {
        let cal = WorkingDayCalendar::england_and_wales();
        // No holidays: four weeks.
        assert_eq!(cal.add_working_days(d(2024, 9, 2), 20), d(2024, 9, 30));
        // Across Christmas 2024 (25, 26 Dec) and New Year 2025 (1 Jan): 13 January
        // without holidays, three working days later with them.
        assert_eq!(cal.add_working_days(d(2024, 12, 16), 20), d(2025, 1, 16));
        // Across Easter 2025 (Good Friday 18 April, Easter Monday 21 April)
        // and the early May bank holiday (5 May).
        assert_eq!(cal.add_working_days(d(2025, 4, 14), 20), d(2025, 5, 15));
        // A start on a Saturday counts from the Monday.
        assert_eq!(cal.add_working_days(d(2024, 9, 7), 1), d(2024, 9, 9));
        assert_eq!(cal.add_working_days(d(2024, 9, 7), 0), d(2024, 9, 7));
        // Across the 2022 jubilee (2 and 3 June) and the funeral (19 September).
        assert_eq!(cal.add_working_days(d(2022, 5, 30), 5), d(2022, 6, 8));
        assert_eq!(cal.add_working_days(d(2022, 9, 16), 1), d(2022, 9, 20));
        assert_eq!(cal.sub_working_days(d(2022, 9, 20), 1), d(2022, 9, 16));
        // 1 January, 25 and 26 December are holidays: 31, 30 and 27 December.
        assert_eq!(cal.sub_working_days(d(2025, 1, 2), 3), d(2024, 12, 27));
    }

    #[test]
    fn counting_agrees_with_stepping() {
        let cal = WorkingDayCalendar::england_and_wales();
        let start = d(2021, 11, 17);
        for n in 0..400 {
            let end = cal.add_working_days(start, n);
            assert_eq!(cal.working_days_between(start, end), i64::from(n));
            assert_eq!(cal.working_days_between(end, start), -i64::from(n));
        }
        // A span ending on a weekend counts no extra days.
        assert_eq!(cal.working_days_between(d(2024, 9, 6), d(2024, 9, 8)), 0);
    }

    #[test]
    fn bad_lists_are_errors_not_panics() {
        assert_eq!(
            WorkingDayCalendar::from_csv("date,name\n2024-13-01,x\n"),
            Err(CalendarError::BadDate {
                line: 2,
                value: "2024-13-01".into()
            })
        );
        assert_eq!(
            WorkingDayCalendar::from_csv("date,name\n"),
            Err(CalendarError::Empty)
        );
    }
}
