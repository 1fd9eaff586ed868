//! Reading the tidy `metrics.csv` or `metrics.json` that `iro run` writes,
//! so a chart can be drawn from the shared outputs alone.

use std::path::{Path, PathBuf};

use iro_metric_api::{Breakdown, MetricRow, Period, RowText, Unit};

/// Why a metrics file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}, line {line}, column {column}: {message}", path.display())]
    Field {
        path: PathBuf,
        line: u64,
        column: String,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
}

/// Read `metrics.csv` (by header name) or `metrics.json` (by extension).
pub fn read_metrics(path: &Path) -> Result<Vec<MetricRow>, ReadError> {
    let bytes = std::fs::read(path).map_err(|error| ReadError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        serde_json::from_slice(&bytes).map_err(|e| ReadError::Field {
            path: path.to_path_buf(),
            line: e.line() as u64,
            column: e.column().to_string(),
            message: e.to_string(),
        })
    } else {
        parse_csv(path, &bytes)
    }
}

/// The columns of `metrics.csv`, read by name.
const COLUMNS: [&str; 11] = iro_metric_api::TIDY_COLUMNS;

fn parse_csv(path: &Path, bytes: &[u8]) -> Result<Vec<MetricRow>, ReadError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let format = |message: String| ReadError::Format {
        path: path.to_path_buf(),
        message,
    };
    let headers = rdr.headers().map_err(|e| format(e.to_string()))?.clone();
    let mut at = [0usize; 11];
    for (k, name) in COLUMNS.iter().enumerate() {
        at[k] = headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == *name)
            .ok_or_else(|| {
                format(format!(
                    "no `{name}` column: is this a metrics.csv written by `iro run`?"
                ))
            })?;
    }
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format(e.to_string()))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |k: usize| rec.get(at[k]).unwrap_or("").trim();
        let bad = |k: usize, message: String| ReadError::Field {
            path: path.to_path_buf(),
            line,
            column: COLUMNS[k].to_string(),
            message,
        };
        let suppressed = Some(get(9)).filter(|s| !s.is_empty());
        let year: i32 = get(1)
            .parse()
            .map_err(|_| bad(1, format!("`{}` is not a year", get(1))))?;
        let period = parse_period(get(2))
            .ok_or_else(|| bad(2, format!("`{}`: expected year, Q1..Q4 or 31-03", get(2))))?;
        let unit =
            Unit::from_label(get(8)).ok_or_else(|| bad(8, format!("unknown unit `{}`", get(8))))?;
        let count = |k: usize| -> Result<Option<u64>, ReadError> {
            match get(k) {
                "" | "c" => Ok(None),
                s => s
                    .parse()
                    .map(Some)
                    .map_err(|_| bad(k, format!("`{s}` is not a count"))),
            }
        };
        let value = match get(7) {
            "" | "c" => None,
            s => Some(
                s.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(7, format!("`{s}` is not a number")))?,
            ),
        };
        if value.is_none() && get(7) == "c" && suppressed.is_none() {
            return Err(bad(
                9,
                "value is `c` but the row is not marked suppressed".into(),
            ));
        }
        let breakdown = parse_breakdown(get(4)).map_err(|m| bad(4, m))?;
        rows.push(
            MetricRow::from_text(RowText {
                la_code: get(0),
                year,
                period,
                metric: get(3),
                breakdown,
                numerator: count(5)?,
                denominator: count(6)?,
                value,
                unit,
                suppressed,
                note: rec.get(at[10]).unwrap_or(""),
            })
            .map_err(|m| bad(3, m))?,
        );
    }
    Ok(rows)
}

/// `year`, `Q1`..`Q4`, `31-03`.
pub fn parse_period(s: &str) -> Option<Period> {
    Period::from_label(s)
}

/// A breakdown as displayed in `metrics.csv`: `` or `key=value[;key=value]`.
pub fn parse_breakdown(s: &str) -> Result<Breakdown, String> {
    if s.trim().is_empty() {
        return Ok(Breakdown::default());
    }
    s.split(';')
        .map(|part| {
            part.split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("`{part}` is not key=value"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|pairs| Breakdown::new(&pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "la_code,year,period,metric,breakdown,numerator,denominator,value,unit,suppressed,note\n\
800,2025,31-03,cohort-summary.cla-rate,,218,36601,59.561214,per_10000,,\"population: ONS mid-2024 estimate, aged 0-17\"\n\
800,2025,31-03,cohort-summary.profile,legal_status=Placement order,c,218,c,percent,primary,\n\
800,2025,Q4,review-timeliness.on-time,review=first;care_type=short breaks,0,0,,percent,,\n";

    #[test]
    fn reads_the_tidy_csv() {
        let rows = parse_csv(Path::new("metrics.csv"), CSV.as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].value, Some(59.561214));
        assert_eq!(rows[0].unit, Unit::Per10000);
        assert_eq!(rows[0].note, "population: ONS mid-2024 estimate, aged 0-17");
        assert_eq!(
            rows[1].status.suppression().map(|s| s.label()),
            Some("primary")
        );
        assert_eq!((rows[1].numerator, rows[1].value), (None, None));
        assert_eq!(
            rows[1].breakdown,
            Breakdown::one("legal_status", "Placement order")
        );
        assert_eq!(rows[2].period, Period::Q4);
        assert_eq!(rows[2].breakdown.pairs().len(), 2);
        assert_eq!(rows[2].value, None);
    }

    #[test]
    fn bad_fields_name_the_line_and_column() {
        let bad = CSV.replace("59.561214", "lots");
        let err = parse_csv(Path::new("m.csv"), bad.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.csv, line 2, column value: `lots` is not a number"
        );
        let no_col = "la_code,year\n800,2025\n";
        let err = parse_csv(Path::new("m.csv"), no_col.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("no `period` column"), "{err}");
        let c_not_marked = CSV.replace(",c,percent,primary,", ",c,percent,,");
        let err = parse_csv(Path::new("m.csv"), c_not_marked.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    #[test]
    fn breakdowns_parse_as_displayed() {
        assert_eq!(parse_breakdown("").unwrap(), Breakdown::default());
        assert_eq!(
            parse_breakdown("age_band=10-15;sex=F").unwrap().to_string(),
            "age_band=10-15;sex=F"
        );
        assert!(parse_breakdown("oops").is_err());
    }
}
