//! SSDA903 dates, parsed by hand from bytes.
//!
//! The standard form is `DD/MM/YYYY`. `D/M/YYYY`, ISO `YYYY-MM-DD` and either of
//! those followed by a time of day (`01/04/2024 00:00`, as spreadsheets export
//! them) are read, flagged as non-standard. Everything else is unparsable, with a
//! hint for the usual spreadsheet damage (Excel serial numbers, two-digit years).

use chrono::NaiveDate;

/// The result of reading one date field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateValue {
    /// Blank field.
    Blank,
    /// `DD/MM/YYYY`.
    Ok(NaiveDate),
    /// Read, but not written `DD/MM/YYYY`.
    NonStandard(NaiveDate),
    /// Not a date.
    Bad(DateProblem),
}

/// Why a date could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not in any accepted shape.
    Shape,
    /// A whole number that looks like an Excel serial date; the date it would be.
    ExcelSerial(Option<NaiveDate>),
    /// `DD/MM/YY`.
    TwoDigitYear,
    /// The right shape but no such day (31/02/2024).
    Impossible,
    /// A year outside 1900–2099.
    YearOutOfRange,
}

impl DateProblem {
    /// A short explanation for a diagnostic message. It never names a date,
    /// so it may be said of any field; [`DateProblem::describe`] adds the date
    /// an Excel serial number would be where that is not personal data.
    pub fn hint(self) -> String {
        match self {
            DateProblem::Shape => "not a DD/MM/YYYY date".to_string(),
            DateProblem::ExcelSerial(_) => {
                "looks like an Excel serial date; save the column formatted as DD/MM/YYYY"
                    .to_string()
            }
            DateProblem::TwoDigitYear => {
                "two-digit year: the century cannot be known; write DD/MM/YYYY".to_string()
            }
            DateProblem::Impossible => "no such date".to_string(),
            DateProblem::YearOutOfRange => "year outside 1900–2099".to_string(),
        }
    }

    /// The date an Excel serial number would be.
    pub fn would_be(self) -> Option<NaiveDate> {
        match self {
            DateProblem::ExcelSerial(d) => d,
            _ => None,
        }
    }

    /// The explanation for a message about column `field`, and the personal
    /// detail kept out of it. The date an Excel serial number would be is
    /// named in the message for an episode's or a review's date (it helps
    /// to find the row), but for a date of birth it is personal data: it goes
    /// in the detail (`Diagnostic::personal_detail`), never in the message.
    pub fn describe(self, field: &str) -> (String, Option<String>) {
        let Some(d) = self.would_be() else {
            return (self.hint(), None);
        };
        let date = d.format("%d/%m/%Y");
        if iro_domain::diagnostic::is_personal_field(field) {
            (
                self.hint(),
                Some(format!("read as an Excel serial date it would be {date}")),
            )
        } else {
            (
                format!(
                    "looks like an Excel serial date (it would be {date}); save the column formatted as DD/MM/YYYY"
                ),
                None,
            )
        }
    }
}

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2099;

#[inline]
fn digit(b: u8) -> Option<u32> {
    b.is_ascii_digit().then(|| (b - b'0') as u32)
}

#[inline]
fn num(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    let mut n = 0u32;
    for &b in bytes {
        n = n * 10 + digit(b)?;
    }
    Some(n)
}

fn make(y: u32, m: u32, d: u32) -> Result<NaiveDate, DateProblem> {
    let y = y as i32;
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(DateProblem::YearOutOfRange);
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateProblem::Impossible)
}

/// Splits off a trailing time of day (`hh:mm` or `hh:mm:ss`, after a space or `T`).
fn strip_time(s: &[u8]) -> Option<&[u8]> {
    let cut = s.iter().position(|&b| b == b' ' || b == b'T')?;
    let (date, time) = (&s[..cut], &s[cut + 1..]);
    let time = time.strip_suffix(b".000").unwrap_or(time);
    let ok = match time.len() {
        5 => time[2] == b':',
        8 => time[2] == b':' && time[5] == b':',
        _ => false,
    } && time.iter().all(|&b| b == b':' || b.is_ascii_digit());
    ok.then_some(date)
}

/// Parses a date field (already trimmed, or not: surrounding spaces are ignored).
pub fn parse_date(raw: &[u8]) -> DateValue {
    let s = raw.trim_ascii();
    if s.is_empty() {
        return DateValue::Blank;
    }
    // Fast path: DD/MM/YYYY.
    if s.len() == 10
        && s[2] == b'/'
        && s[5] == b'/'
        && let (Some(d), Some(m), Some(y)) = (num(&s[0..2]), num(&s[3..5]), num(&s[6..10]))
    {
        return match make(y, m, d) {
            Ok(date) => DateValue::Ok(date),
            Err(p) => DateValue::Bad(p),
        };
    }
    match parse_slow(s) {
        Ok(d) => DateValue::NonStandard(d),
        Err(p) => DateValue::Bad(p),
    }
}

fn parse_slow(s: &[u8]) -> Result<NaiveDate, DateProblem> {
    if let Some(date) = strip_time(s) {
        return match parse_date(date) {
            DateValue::Ok(d) | DateValue::NonStandard(d) => Ok(d),
            DateValue::Bad(p) => Err(p),
            DateValue::Blank => Err(DateProblem::Shape),
        };
    }
    // Excel serial: a whole number (optionally `.0`).
    let int_part = s.strip_suffix(b".0").unwrap_or(s);
    if !int_part.is_empty() && int_part.len() <= 6 && int_part.iter().all(u8::is_ascii_digit) {
        let n: i64 = std::str::from_utf8(int_part)
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let date = (1..=109_574) // 1900-01-01 .. 2199-12-31
            .contains(&n)
            .then(|| {
                NaiveDate::from_ymd_opt(1899, 12, 30)
                    .and_then(|base| base.checked_add_days(chrono::Days::new(n as u64)))
            })
            .flatten();
        return Err(DateProblem::ExcelSerial(date));
    }
    // D/M/YYYY, DD/M/YY …
    let parts: Vec<&[u8]> = s.split(|&b| b == b'/').collect();
    if parts.len() == 3 {
        let (d, m, y) = (parts[0], parts[1], parts[2]);
        if (1..=2).contains(&d.len())
            && (1..=2).contains(&m.len())
            && let (Some(dn), Some(mn)) = (num(d), num(m))
        {
            match y.len() {
                4 => {
                    if let Some(yn) = num(y) {
                        return make(yn, mn, dn);
                    }
                }
                2 if num(y).is_some() => return Err(DateProblem::TwoDigitYear),
                _ => {}
            }
        }
        return Err(DateProblem::Shape);
    }
    // YYYY-MM-DD.
    let parts: Vec<&[u8]> = s.split(|&b| b == b'-').collect();
    if parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && let (Some(y), Some(m), Some(d)) = (num(parts[0]), num(parts[1]), num(parts[2]))
    {
        return make(y, m, d);
    }
    Err(DateProblem::Shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn standard_dates() {
        assert_eq!(parse_date(b"01/04/2024"), DateValue::Ok(d(2024, 4, 1)));
        assert_eq!(parse_date(b" 31/03/2025 "), DateValue::Ok(d(2025, 3, 31)));
        assert_eq!(parse_date(b""), DateValue::Blank);
        assert_eq!(parse_date(b"   "), DateValue::Blank);
    }

    #[test]
    fn leap_days_and_month_ends() {
        assert_eq!(parse_date(b"29/02/2024"), DateValue::Ok(d(2024, 2, 29)));
        assert_eq!(
            parse_date(b"29/02/2023"),
            DateValue::Bad(DateProblem::Impossible)
        );
        assert_eq!(parse_date(b"29/02/2000"), DateValue::Ok(d(2000, 2, 29)));
        assert_eq!(
            parse_date(b"29/02/1900"),
            DateValue::Bad(DateProblem::Impossible)
        );
        assert_eq!(
            parse_date(b"31/02/2024"),
            DateValue::Bad(DateProblem::Impossible)
        );
        assert_eq!(parse_date(b"30/04/2024"), DateValue::Ok(d(2024, 4, 30)));
        assert_eq!(
            parse_date(b"31/04/2024"),
            DateValue::Bad(DateProblem::Impossible)
        );
        assert_eq!(parse_date(b"31/12/2024"), DateValue::Ok(d(2024, 12, 31)));
        assert_eq!(
            parse_date(b"00/12/2024"),
            DateValue::Bad(DateProblem::Impossible)
        );
        assert_eq!(
            parse_date(b"01/13/2024"),
            DateValue::Bad(DateProblem::Impossible)
        );
    }

    #[test]
    fn non_standard_but_readable() {
        assert_eq!(
            parse_date(b"1/4/2024"),
            DateValue::NonStandard(d(2024, 4, 1))
        );
        assert_eq!(
            parse_date(b"01/4/2024"),
            DateValue::NonStandard(d(2024, 4, 1))
        );
        assert_eq!(
            parse_date(b"2024-04-01"),
            DateValue::NonStandard(d(2024, 4, 1))
        );
        assert_eq!(
            parse_date(b"01/04/2024 00:00"),
            DateValue::NonStandard(d(2024, 4, 1))
        );
        assert_eq!(
            parse_date(b"2024-04-01T00:00:00"),
            DateValue::NonStandard(d(2024, 4, 1))
        );
        assert_eq!(
            parse_date(b"2023-02-29"),
            DateValue::Bad(DateProblem::Impossible)
        );
    }

    #[test]
    fn the_date_a_serial_dob_would_be_is_a_personal_detail_not_a_message() {
        let DateValue::Bad(p) = parse_date(b"39942") else {
            panic!("a serial number is not a date");
        };
        for field in ["DOB", "MC_DOB"] {
            let (message, detail) = p.describe(field);
            assert!(message.contains("Excel serial"), "{message}");
            assert!(!message.contains("2009"), "{message}");
            assert_eq!(
                detail.as_deref(),
                Some("read as an Excel serial date it would be 09/05/2009")
            );
        }
        let (message, detail) = p.describe("DECOM");
        assert!(message.contains("(it would be 09/05/2009)"), "{message}");
        assert_eq!(detail, None);
        // Other problems have no detail, whatever the field.
        assert_eq!(
            DateProblem::TwoDigitYear.describe("DOB"),
            (DateProblem::TwoDigitYear.hint(), None)
        );
    }

    #[test]
    fn damage_is_recognised() {
        assert_eq!(
            parse_date(b"45383"),
            DateValue::Bad(DateProblem::ExcelSerial(Some(d(2024, 4, 1))))
        );
        assert!(parse_date(b"45383").eq(&parse_date(b"45383.0")));
        assert!(
            matches!(parse_date(b"45383"), DateValue::Bad(p) if p.hint().contains("Excel serial") && p.describe("DECOM").0.contains("01/04/2024"))
        );
        assert_eq!(
            parse_date(b"01/04/24"),
            DateValue::Bad(DateProblem::TwoDigitYear)
        );
        assert_eq!(
            parse_date(b"01/04/1850"),
            DateValue::Bad(DateProblem::YearOutOfRange)
        );
        assert_eq!(
            parse_date(b"01-04-2024"),
            DateValue::Bad(DateProblem::Shape)
        );
        assert_eq!(parse_date(b"1st April"), DateValue::Bad(DateProblem::Shape));
        assert_eq!(
            parse_date(b"01/04/2024 junk"),
            DateValue::Bad(DateProblem::Shape)
        );
        assert_eq!(parse_date(b"\xff\xfe"), DateValue::Bad(DateProblem::Shape));
        assert_eq!(parse_date(b"//"), DateValue::Bad(DateProblem::Shape));
        assert_eq!(
            parse_date(b"ab/cd/efgh"),
            DateValue::Bad(DateProblem::Shape)
        );
    }
}
