//! How a figure is shown in the report: the only arithmetic here is rounding
//! for display. Suppressed cells show as `c`, missing ones as `x` (the DfE's symbol for "not available").

use iro_metric_api::{MetricRow, Unit};

/// A figure as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// A formatted number (or short text).
    Value(String),
    /// Hidden by small-number suppression: shown as `c`.
    Suppressed,
    /// No figure (not computable, no row, or no denominator): shown as `x`.
    Missing,
}

impl Shown {
    /// The text in a table cell or a sentence.
    pub fn text(&self) -> &str {
        match self {
            Shown::Value(s) => s,
            Shown::Suppressed => SUPPRESSED,
            Shown::Missing => MISSING,
        }
    }

    pub fn is_value(&self) -> bool {
        matches!(self, Shown::Value(_))
    }
}

/// The DfE's symbol for a suppressed figure.
pub const SUPPRESSED: &str = "c";
/// Shown where there is no figure.
pub const MISSING: &str = "x";

/// A whole number with thousands separators: `81770` → `81,770`.
pub fn count(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// A number rounded to `dp` decimals with thousands separators; `-0.0` shows as
/// `0.0`.
pub fn number(v: f64, dp: usize) -> String {
    if !v.is_finite() {
        return MISSING.to_string();
    }
    let s = format!("{v:.dp$}");
    let (sign, digits) = match s.strip_prefix('-') {
        Some(rest) if rest.chars().any(|c| c.is_ascii_digit() && c != '0') => ("-", rest),
        Some(rest) => ("", rest),
        None => ("", s.as_str()),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut out = String::from(sign);
    out.push_str(&group_thousands(int));
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

fn group_thousands(int: &str) -> String {
    let n = int.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A value in its unit: `86.9%`, `59.6`, `+0.5%`, `1,234`, `9.5`.
pub fn in_unit(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Count => number(v, 0),
        Unit::Percent => format!("{}%", number(v, 1)),
        Unit::PercentChange => {
            let s = number(v, 1);
            if v > 0.0 && s != "0.0" {
                format!("+{s}%")
            } else {
                format!("{s}%")
            }
        }
        Unit::Per10000 | Unit::Days | Unit::Miles => number(v, 1),
        Unit::Mean => number(v, 1),
    }
}

/// The row's `value`, formatted for its unit.
pub fn value(row: Option<&MetricRow>) -> Shown {
    match row {
        Some(r) if r.status.is_suppressed() => Shown::Suppressed,
        Some(r) => match r.value {
            Some(v) => Shown::Value(in_unit(v, r.unit)),
            None => Shown::Missing,
        },
        None => Shown::Missing,
    }
}

/// The row's count: `numerator` (for a count row, the value itself).
pub fn numerator(row: Option<&MetricRow>) -> Shown {
    match row {
        Some(r) if r.status.is_suppressed() && r.numerator.is_none() => Shown::Suppressed,
        Some(r) => match r.numerator {
            Some(n) => Shown::Value(count(n)),
            None => Shown::Missing,
        },
        None => Shown::Missing,
    }
}

/// The row's `denominator` (never suppressed on its own: a suppressed
/// denominator is the total row's numerator, hidden there).
pub fn denominator(row: Option<&MetricRow>) -> Shown {
    match row.and_then(|r| r.denominator) {
        Some(n) => Shown::Value(count(n)),
        None => Shown::Missing,
    }
}

/// A category's figure where a category with no children has no row: the
/// row's figure (`shown` of it), or, with no row, `zero` when the measure
/// has figures for that year and period (`known`: no child fell in the
/// category), else `x` (nothing is known).
pub fn or_zero(
    row: Option<&MetricRow>,
    known: bool,
    shown: impl Fn(Option<&MetricRow>) -> Shown,
    zero: &str,
) -> Shown {
    match row {
        None if known => Shown::Value(zero.to_string()),
        r => shown(r),
    }
}

/// The unit's words after a value in a sentence (`per 10,000 children`).
pub fn unit_words(unit: Unit) -> &'static str {
    match unit {
        Unit::Per10000 => " per 10,000 children",
        Unit::Days => " days",
        Unit::Miles => " miles",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(81_770), "81,770");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(number(59.561_214, 1), "59.6");
        assert_eq!(number(-0.04, 1), "0.0");
        assert_eq!(number(-4.8, 1), "-4.8");
        assert_eq!(number(12_345.678, 2), "12,345.68");
        assert_eq!(number(f64::NAN, 1), "x");
    }

    #[test]
    fn an_absent_category_is_zero_only_when_the_year_is_known() {
        assert_eq!(
            or_zero(None, true, numerator, "0"),
            Shown::Value("0".into())
        );
        assert_eq!(or_zero(None, false, numerator, "0"), Shown::Missing);
    }

    #[test]
    fn units_have_their_own_shape() {
        assert_eq!(in_unit(86.897_881, Unit::Percent), "86.9%");
        assert_eq!(in_unit(0.460_829, Unit::PercentChange), "+0.5%");
        assert_eq!(in_unit(-0.9, Unit::PercentChange), "-0.9%");
        assert_eq!(in_unit(0.01, Unit::PercentChange), "0.0%");
        assert_eq!(in_unit(218.0, Unit::Count), "218");
        assert_eq!(in_unit(1.504_587, Unit::Mean), "1.5");
        assert_eq!(in_unit(10.06, Unit::Miles), "10.1");
    }
}
