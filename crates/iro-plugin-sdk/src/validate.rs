//! The checks of a plugin's output rows, in one place: `iro` runs them on
//! every table a plugin returns (`iro-plugin-host`), and the SDK runs the
//! same function when [`crate::OutputBuilder::finish`] builds a table and
//! when [`crate::testing::run`] reads one back, so a plugin's `cargo test`
//! fails wherever `iro run` would, with the same words.
//!
//! A problem names the row by what it is (measure, breakdown, authority,
//! collection year, period), never by its place in the table.

use iro_vocabulary::{Period, Unit};

use crate::MetricInfo;
use crate::output::OutputRow;

/// A row `iro` refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    /// The `metric` column as written (`uasc-age.uasc-share`).
    pub measure: String,
    /// The `breakdown` column as written (`""`: none).
    pub breakdown: String,
    pub la_code: String,
    pub year: i32,
    pub period: String,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.measure)?;
        if !self.breakdown.is_empty() {
            write!(f, " [{}]", self.breakdown)?;
        }
        write!(
            f,
            ", authority {}, year {}, period {}: {}",
            self.la_code, self.year, self.period, self.problem
        )
    }
}

impl std::error::Error for RowError {}

/// A row that passed: its period, unit and counts as typed values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckedRow {
    pub period: Period,
    pub unit: Unit,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
}

/// A `breakdown` cell: empty, or `key=value` pairs joined by `;`, neither
/// part empty.
pub fn check_breakdown(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Ok(());
    }
    let ok = s.split(';').all(|pair| {
        pair.split_once('=')
            .is_some_and(|(k, v)| !k.is_empty() && !v.is_empty() && !v.contains('='))
    });
    if ok {
        Ok(())
    } else {
        Err(format!("breakdown `{s}` is not key=value[;key=value]"))
    }
}

/// Checks one row of `info`'s output for the authority `la_code` and the
/// collection year `year`: the authority and year computed, a known period,
/// a measure `info` declares with its declared unit, no negative count,
/// numerator ≤ denominator in a percentage, a finite value, a well-formed
/// breakdown.
pub fn check_row(
    row: &OutputRow,
    info: &MetricInfo,
    la_code: &str,
    year: i32,
) -> Result<CheckedRow, Box<RowError>> {
    let err = |problem: String| {
        Box::new(RowError {
            measure: row.metric.clone(),
            breakdown: row.breakdown.clone(),
            la_code: row.la_code.clone(),
            year: row.year,
            period: row.period.clone(),
            problem,
        })
    };
    if row.la_code != la_code {
        return Err(err(format!(
            "la_code `{}` is not the authority computed ({la_code})",
            row.la_code
        )));
    }
    if row.year != year {
        return Err(err(format!(
            "year {} is not the year computed ({year})",
            row.year
        )));
    }
    let period = Period::from_label(&row.period)
        .ok_or_else(|| err(format!("unknown period `{}`", row.period)))?;
    let measure = row
        .metric
        .strip_prefix(info.id.as_str())
        .and_then(|m| m.strip_prefix('.'))
        .and_then(|m| info.measure_info(m))
        .ok_or_else(|| {
            err(format!(
                "`{}` is not a measure `{}` declared",
                row.metric, info.id
            ))
        })?;
    let unit =
        Unit::from_label(&row.unit).ok_or_else(|| err(format!("unknown unit `{}`", row.unit)))?;
    if unit != measure.unit {
        return Err(err(format!(
            "unit `{}`, but `{}` was declared in `{}`",
            row.unit,
            row.metric,
            measure.unit.label()
        )));
    }
    let count = |v: Option<i64>, what: &str| -> Result<Option<u64>, Box<RowError>> {
        v.map(|n| u64::try_from(n).map_err(|_| err(format!("negative {what} {n}"))))
            .transpose()
    };
    let numerator = count(row.numerator, "numerator")?;
    let denominator = count(row.denominator, "denominator")?;
    if unit == Unit::Percent
        && let (Some(n), Some(d)) = (numerator, denominator)
        && n > d
    {
        return Err(err(format!(
            "numerator {n} exceeds denominator {d} in a percentage"
        )));
    }
    if row.value.is_some_and(|v| !v.is_finite()) {
        return Err(err("value is not finite".to_string()));
    }
    // A rate per 10,000 is its numerator over its denominator (the
    // population), as the built-in rates are: a value that is not cannot be
    // checked against the counts suppression protects.
    if unit == Unit::Per10000
        && let Some(v) = row.value
    {
        let (Some(n), Some(d)) = (numerator, denominator) else {
            return Err(err(
                "a rate per 10,000 needs its numerator and its population (the denominator)"
                    .to_string(),
            ));
        };
        let want = (d > 0).then(|| n as f64 * 10_000.0 / d as f64);
        if want.is_none_or(|w| (v - w).abs() > 1e-9 * w.abs().max(1.0)) {
            return Err(err(match want {
                Some(w) => format!("a rate per 10,000 of {v}, but {n} of {d} is {w}"),
                None => format!("a rate per 10,000 of {v} over a population of 0"),
            }));
        }
    }
    check_breakdown(&row.breakdown).map_err(err)?;
    Ok(CheckedRow {
        period,
        unit,
        numerator,
        denominator,
        value: row.value,
    })
}

/// [`check_row`] over a table; the first problem is the error.
pub fn check_rows(
    rows: &[OutputRow],
    info: &MetricInfo,
    la_code: &str,
    year: i32,
) -> Result<Vec<CheckedRow>, Box<RowError>> {
    rows.iter()
        .map(|r| check_row(r, info, la_code, year))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(metric: &str, num: i64, den: i64) -> OutputRow {
        OutputRow {
            la_code: "800".into(),
            year: 2025,
            period: "31-03".into(),
            metric: metric.into(),
            breakdown: "age=16 and over".into(),
            numerator: Some(num),
            denominator: Some(den),
            value: Some(num as f64 * 100.0 / den as f64),
            unit: "percent".into(),
            note: String::new(),
        }
    }

    #[test]
    fn a_problem_names_the_measure_breakdown_authority_and_year() {
        let info =
            MetricInfo::new("uasc-age", "t", "1").measure("uasc-share", "t", Unit::Percent, &[]);
        let e = check_row(&row("uasc-age.uasc-share", 441, 440), &info, "800", 2025).unwrap_err();
        assert_eq!(
            e.to_string(),
            "uasc-age.uasc-share [age=16 and over], authority 800, year 2025, period 31-03: \
             numerator 441 exceeds denominator 440 in a percentage"
        );
        let ok = check_row(&row("uasc-age.uasc-share", 13, 52), &info, "800", 2025).unwrap();
        assert_eq!((ok.numerator, ok.denominator), (Some(13), Some(52)));
        assert_eq!(ok.period, Period::Snapshot);
        let e = check_row(&row("uasc-age.nope", 1, 2), &info, "800", 2025).unwrap_err();
        assert!(
            e.problem.contains("not a measure `uasc-age` declared"),
            "{e}"
        );
        // A metric whose id is a prefix of another's is not that one.
        let e = check_row(&row("uasc-agex.uasc-share", 1, 2), &info, "800", 2025).unwrap_err();
        assert!(e.problem.contains("not a measure"), "{e}");
        assert!(check_row(&row("uasc-age.uasc-share", 1, 2), &info, "801", 2025).is_err());
        assert!(check_row(&row("uasc-age.uasc-share", -1, 2), &info, "800", 2025).is_err());
        assert_eq!(check_breakdown("a=1;b=2"), Ok(()));
        assert!(check_breakdown("a").is_err());
        assert!(check_breakdown("a=1;").is_err());
        assert!(check_breakdown("=1").is_err());
        assert!(check_breakdown("a=b=c").is_err());
    }
}
