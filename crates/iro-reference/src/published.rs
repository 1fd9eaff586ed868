//! A published cell: a number, or the DfE symbol printed in its place.

use std::fmt;

/// One cell of a published table, exactly as published.
///
/// DfE (Explore Education Statistics) prints a symbol where there is no number; the
/// symbol is kept, never turned into 0 or into an estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Published<T> {
    /// A published number.
    Value(T),
    /// `c`: suppressed to protect confidentiality (small numbers).
    Suppressed,
    /// `z`: not applicable (the authority did not exist, or had no such children).
    NotApplicable,
    /// `x`: not available (in the 2015–2017 SFR files also "suppressed, 1 to 5").
    NotAvailable,
    /// `k`: a percentage that rounds to 0 but is not 0.
    RoundsToZero,
    /// `low`: rounds to zero (newer DfE files).
    Low,
    /// `u`: low reliability.
    Unreliable,
    /// Blank in the bundled file: the source we hold does not give this figure
    /// (e.g. no rate per 10,000 was published for 2015–2017).
    Missing,
}

impl<T: Copy> Published<T> {
    /// The number, if one was published.
    pub fn value(&self) -> Option<T> {
        match self {
            Published::Value(v) => Some(*v),
            _ => None,
        }
    }
}

impl<T> Published<T> {
    /// The DfE symbol (`c`, `z`, `x`, `k`, `low`, `u`), or `""` for
    /// [`Published::Missing`]; `None` for a number.
    pub fn symbol(&self) -> Option<&'static str> {
        Some(match self {
            Published::Value(_) => return None,
            Published::Suppressed => "c",
            Published::NotApplicable => "z",
            Published::NotAvailable => "x",
            Published::RoundsToZero => "k",
            Published::Low => "low",
            Published::Unreliable => "u",
            Published::Missing => "",
        })
    }

    /// True for a number.
    pub fn is_value(&self) -> bool {
        matches!(self, Published::Value(_))
    }
}

impl<T: Number> Published<T> {
    /// Parses a cell as the bundled files write it: a number, a DfE symbol, or blank.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Ok(match raw.trim() {
            "" => Published::Missing,
            "c" => Published::Suppressed,
            "z" => Published::NotApplicable,
            "x" => Published::NotAvailable,
            "k" => Published::RoundsToZero,
            "low" => Published::Low,
            "u" => Published::Unreliable,
            t => Published::Value(T::parse_number(t).ok_or_else(|| {
                format!(
                    "expected {} or a DfE symbol (c, z, x, k, low, u)",
                    T::DESCRIPTION
                )
            })?),
        })
    }
}

impl<T: fmt::Display> fmt::Display for Published<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Published::Value(v) => v.fmt(f),
            other => f.write_str(other.symbol().unwrap_or_default()),
        }
    }
}

/// The numbers a published cell can hold: counts (`u64`) and rates or percentages
/// (`f64`, finite and not negative).
pub trait Number: Sized + Copy + private::Sealed {
    #[doc(hidden)]
    const DESCRIPTION: &'static str;
    #[doc(hidden)]
    fn parse_number(s: &str) -> Option<Self>;
}

impl Number for u64 {
    const DESCRIPTION: &'static str = "a whole number";
    fn parse_number(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl Number for f64 {
    const DESCRIPTION: &'static str = "a number";
    fn parse_number(s: &str) -> Option<Self> {
        // Only plain decimals: "NaN", "inf" and exponents are not published figures.
        if !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        s.parse::<f64>().ok().filter(|v| v.is_finite())
    }
}

mod private {
    pub trait Sealed {}
    impl Sealed for u64 {}
    impl Sealed for f64 {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numbers_symbols_and_blanks() {
        assert_eq!(
            Published::<u64>::parse("81770"),
            Ok(Published::Value(81770))
        );
        assert_eq!(Published::<u64>::parse("c"), Ok(Published::Suppressed));
        assert_eq!(Published::<u64>::parse("z"), Ok(Published::NotApplicable));
        assert_eq!(Published::<u64>::parse("x"), Ok(Published::NotAvailable));
        assert_eq!(Published::<f64>::parse("k"), Ok(Published::RoundsToZero));
        assert_eq!(Published::<f64>::parse("low"), Ok(Published::Low));
        assert_eq!(Published::<f64>::parse("u"), Ok(Published::Unreliable));
        assert_eq!(Published::<f64>::parse(""), Ok(Published::Missing));
        assert_eq!(Published::<f64>::parse("67"), Ok(Published::Value(67.0)));
        assert_eq!(Published::<f64>::parse("2.5"), Ok(Published::Value(2.5)));
        assert!(Published::<u64>::parse("-3").is_err());
        assert!(Published::<u64>::parse("1.5").is_err());
        assert!(Published::<f64>::parse("NaN").is_err());
        assert!(Published::<f64>::parse("inf").is_err());
        assert!(Published::<f64>::parse("1e5").is_err());
        assert!(Published::<u64>::parse("C").is_err());
    }

    #[test]
    fn prints_as_published() {
        assert_eq!(Published::Value(12u64).to_string(), "12");
        assert_eq!(Published::<u64>::Suppressed.to_string(), "c");
        assert_eq!(Published::<u64>::Missing.to_string(), "");
        assert_eq!(Published::Value(5u64).value(), Some(5));
        assert_eq!(Published::<u64>::NotApplicable.value(), None);
        assert_eq!(Published::<u64>::NotApplicable.symbol(), Some("z"));
    }
}
