//! Date arithmetic: calendar-month and year addition (clamped to month end, as pandas'
//! `DateOffset` does, which the DfE validator uses), collection years, and the England and
//! Wales working-day calendar used for the 20-working-day first review.

use std::collections::HashSet;
use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The England and Wales bank holidays bundled with the project
/// (`data/reference/bank_holidays_england_wales.csv`, 2010–2030).
const BANK_HOLIDAYS_CSV: &str =
    include_str!("../../../data/reference/bank_holidays_england_wales.csv");

fn bank_holidays() -> &'static HashSet<NaiveDate> {
    static SET: OnceLock<HashSet<NaiveDate>> = OnceLock::new();
    SET.get_or_init(|| {
        BANK_HOLIDAYS_CSV
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .filter_map(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
            .collect()
    })
}

/// `true` for a Monday–Friday that is not an England and Wales bank holiday. Outside the
/// bundled calendar (before 2010, after 2030) only weekends are excluded; no generated
/// review that is written out depends on such a date.
pub fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !bank_holidays().contains(&d)
}

/// The `n`th working day after `d` (day 0 = `d` itself, not counted).
pub fn add_working_days(d: NaiveDate, n: u32) -> NaiveDate {
    let mut cur = d;
    let mut left = n;
    while left > 0 {
        cur = cur.succ_opt().expect("date in range");
        if is_working_day(cur) {
            left -= 1;
        }
    }
    cur
}

/// The latest working day on or before `d`.
pub fn working_day_on_or_before(d: NaiveDate) -> NaiveDate {
    let mut cur = d;
    while !is_working_day(cur) {
        cur = cur.pred_opt().expect("date in range");
    }
    cur
}

/// The earliest working day on or after `d`.
pub fn working_day_on_or_after(d: NaiveDate) -> NaiveDate {
    let mut cur = d;
    while !is_working_day(cur) {
        cur = cur.succ_opt().expect("date in range");
    }
    cur
}

/// `d` plus `months` calendar months, clamped to the end of the month
/// (31 August + 6 months = 28/29 February).
pub fn add_months(d: NaiveDate, months: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + months;
    let (y, m0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    let last = last_day_of_month(y, m0 + 1);
    NaiveDate::from_ymd_opt(y, m0 + 1, d.day().min(last)).expect("valid date")
}

/// `d` plus `years` years (29 February → 28 February in a common year).
pub fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    add_months(d, years * 12)
}

fn last_day_of_month(y: i32, m: u32) -> u32 {
    let first_next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .expect("valid date");
    (first_next - Duration::days(1)).day()
}

/// First day of collection year `year` (1 April of `year - 1`).
pub fn year_start(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year - 1, 4, 1).expect("valid date")
}

/// Last day of collection year `year` (31 March of `year`).
pub fn year_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 3, 31).expect("valid date")
}

/// The collection year (ending year) that contains `d`.
pub fn collection_year_of(d: NaiveDate) -> i32 {
    if d.month() >= 4 {
        d.year() + 1
    } else {
        d.year()
    }
}

/// Age in whole years on `on` (birthdays as `add_years`).
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - dob.year();
    if add_years(dob, age) > on {
        age -= 1;
    }
    age
}

/// Formats a date as the SSDA903 `DD/MM/YYYY`.
pub fn fmt_date(d: NaiveDate) -> String {
    String::from_utf8(date_bytes(d).to_vec()).expect("ASCII")
}

/// `DD/MM/YYYY` as bytes, without allocating (years 0–9999).
pub fn date_bytes(d: NaiveDate) -> [u8; 10] {
    let (dd, mm, yy) = (d.day(), d.month(), d.year().clamp(0, 9999) as u32);
    let digit = |x: u32| b'0' + x as u8;
    [
        digit(dd / 10),
        digit(dd % 10),
        b'/',
        digit(mm / 10),
        digit(mm % 10),
        b'/',
        digit(yy / 1000),
        digit(yy / 100 % 10),
        digit(yy / 10 % 10),
        digit(yy % 10),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(add_months(d(2023, 8, 31), 6), d(2024, 2, 29));
        assert_eq!(add_months(d(2022, 8, 31), 6), d(2023, 2, 28));
        assert_eq!(add_months(d(2023, 11, 30), 3), d(2024, 2, 29));
        assert_eq!(add_years(d(2020, 2, 29), 1), d(2021, 2, 28));
    }

    #[test]
    fn working_days_skip_weekends_and_bank_holidays() {
        // Thursday 17 April 2025; Good Friday 18th and Easter Monday 21st are holidays.
        assert_eq!(add_working_days(d(2025, 4, 17), 1), d(2025, 4, 22));
        // Friday → next Monday.
        assert_eq!(add_working_days(d(2024, 3, 1), 1), d(2024, 3, 4));
        // 20 working days from Monday 3 June 2024 (no holidays) = Monday 1 July.
        assert_eq!(add_working_days(d(2024, 6, 3), 20), d(2024, 7, 1));
        assert!(!is_working_day(d(2024, 12, 25)));
    }

    #[test]
    fn dates_are_dd_mm_yyyy() {
        assert_eq!(fmt_date(d(2024, 3, 7)), "07/03/2024");
        assert_eq!(fmt_date(d(1999, 12, 31)), "31/12/1999");
    }

    #[test]
    fn collection_years() {
        assert_eq!(collection_year_of(d(2024, 4, 1)), 2025);
        assert_eq!(collection_year_of(d(2025, 3, 31)), 2025);
        assert_eq!(year_start(2025), d(2024, 4, 1));
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 2, 28)), 18);
        assert_eq!(age_on(d(2008, 3, 1), d(2026, 2, 28)), 17);
    }
}
