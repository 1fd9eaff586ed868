//! The tidy output table: a builder for plugins, and a reader for the host and
//! tests.
//!
//! ```ignore
//! let mut out = ctx.output();
//! out.count("children", Period::Year, 12).breakdown("type", "M");
//! out.percent("share", Period::Year, 12, 80);
//! out.mean("episodes-per-child", Period::Year, 30, 12).note("children with one or more");
//! out.finish()
//! ```

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};

use crate::schema::{output_schema, output_schema_mismatch};
use crate::validate::{RowError, check_rows};
use crate::{Error, MetricInfo, Period};

/// A finished output table, ready to hand to the host.
#[derive(Debug, Clone)]
pub struct Output(RecordBatch);

impl Output {
    /// Wraps a batch built by other means. The host checks it in full.
    pub fn from_batch(batch: RecordBatch) -> Self {
        Output(batch)
    }

    pub fn batch(&self) -> &RecordBatch {
        &self.0
    }

    pub fn into_batch(self) -> RecordBatch {
        self.0
    }
}

/// One row being built. Setters chain: `out.count(..).breakdown(..).note(..)`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutRow {
    measure: String,
    period: Period,
    breakdown: Vec<(String, String)>,
    numerator: Option<u64>,
    denominator: Option<u64>,
    value: Option<f64>,
    note: String,
}

impl OutRow {
    /// Adds a `key=value` breakdown pair (keys in the order added).
    pub fn breakdown(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.breakdown.push((key.to_string(), value.into()));
        self
    }

    /// Appends a method note (joined with `; `).
    pub fn note(&mut self, note: impl AsRef<str>) -> &mut Self {
        let n = note.as_ref();
        if !self.note.is_empty() && !n.is_empty() {
            self.note.push_str("; ");
        }
        self.note.push_str(n);
        self
    }

    pub fn numerator(&mut self, n: Option<u64>) -> &mut Self {
        self.numerator = n;
        self
    }

    pub fn denominator(&mut self, d: Option<u64>) -> &mut Self {
        self.denominator = d;
        self
    }

    pub fn value(&mut self, v: Option<f64>) -> &mut Self {
        self.value = v;
        self
    }

    /// Makes the figure not computable, with the reason: no numbers, and
    /// `not computable: <why>` at the end of the note (add other notes
    /// first), which `iro` reads back as the built-ins' "not computable"
    /// status.
    pub fn not_computable(&mut self, why: impl AsRef<str>) -> &mut Self {
        self.numerator = None;
        self.denominator = None;
        self.value = None;
        self.note(format!("{NOT_COMPUTABLE}{}", why.as_ref()))
    }
}

/// How the `note` column starts the reason a figure is not computable (the
/// engine's `iro_metric_api::NOT_COMPUTABLE`; a test keeps them equal).
pub const NOT_COMPUTABLE: &str = "not computable: ";

/// Builds the output table of one metric for one authority and year. The
/// `la_code`, `year`, metric prefix and unit columns are filled in for you.
#[derive(Debug, Clone)]
pub struct OutputBuilder {
    la_code: String,
    year: i32,
    info: MetricInfo,
    rows: Vec<OutRow>,
}

impl OutputBuilder {
    pub fn new(la_code: &str, year: i32, info: &MetricInfo) -> Self {
        OutputBuilder {
            la_code: la_code.to_string(),
            year,
            info: info.clone(),
            rows: Vec::new(),
        }
    }

    /// A blank row of `measure` (a declared measure id).
    pub fn row(&mut self, measure: &str, period: Period) -> &mut OutRow {
        self.rows.push(OutRow {
            measure: measure.to_string(),
            period,
            breakdown: Vec::new(),
            numerator: None,
            denominator: None,
            value: None,
            note: String::new(),
        });
        let last = self.rows.len() - 1;
        &mut self.rows[last]
    }

    /// A count: `numerator` = `value` = `n`.
    pub fn count(&mut self, measure: &str, period: Period, n: u64) -> &mut OutRow {
        self.row(measure, period)
            .numerator(Some(n))
            .value(Some(n as f64))
    }

    /// A percentage: `num` of `den` (no value when `den` is 0).
    pub fn percent(&mut self, measure: &str, period: Period, num: u64, den: u64) -> &mut OutRow {
        self.row(measure, period)
            .numerator(Some(num))
            .denominator(Some(den))
            .value((den > 0).then(|| num as f64 * 100.0 / den as f64))
    }

    /// A rate per 10,000 of `population`.
    pub fn per_10000(
        &mut self,
        measure: &str,
        period: Period,
        num: u64,
        population: u64,
    ) -> &mut OutRow {
        self.row(measure, period)
            .numerator(Some(num))
            .denominator(Some(population))
            .value((population > 0).then(|| num as f64 * 10_000.0 / population as f64))
    }

    /// A rate per 10,000 children aged 0 to 17 living in the authority,
    /// as the built-in rates (`cohort-summary.cla-rate`) give it: `num` over
    /// the year's [`crate::Population`] ([`crate::CohortView::population`]),
    /// the note naming the estimate; without one, the row is not computable
    /// and says why, never 0.
    ///
    /// ```ignore
    /// out.per_10000_children("uasc-rate", Period::Snapshot, n, ctx.cohort.population()?);
    /// ```
    pub fn per_10000_children(
        &mut self,
        measure: &str,
        period: Period,
        num: u64,
        population: Option<crate::Population>,
    ) -> &mut OutRow {
        let la = self.la_code.clone();
        let year = self.year;
        match population {
            Some(p) => self
                .per_10000(measure, period, num, p.children)
                .note(format!(
                    "population: ONS mid-{} estimate, aged 0-17",
                    p.mid_year
                )),
            None => self.row(measure, period).not_computable(format!(
                "no under-18 population for {la} in the reference data for {}",
                iro_domain::CollectionYear(year).label()
            )),
        }
    }

    /// A mean: `total` over `n` (no value when `n` is 0).
    pub fn mean(&mut self, measure: &str, period: Period, total: u64, n: u64) -> &mut OutRow {
        self.row(measure, period)
            .numerator(Some(total))
            .denominator(Some(n))
            .value((n > 0).then(|| total as f64 / n as f64))
    }

    /// A figure with no counts (days, miles…).
    pub fn figure(&mut self, measure: &str, period: Period, value: Option<f64>) -> &mut OutRow {
        self.row(measure, period).value(value)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table, checked as `iro` checks every plugin's
    /// ([`crate::validate::check_row`]): it fails on an undeclared measure, a
    /// numerator over its denominator in a percentage, a value that is not
    /// finite, a malformed breakdown, a count too large for Int64, with the
    /// message `iro run` would give, naming the measure, breakdown,
    /// authority and year.
    pub fn finish(self) -> Result<Output, Error> {
        let n = self.rows.len();
        let mut metric = Vec::with_capacity(n);
        let mut unit = Vec::with_capacity(n);
        let mut breakdown = Vec::with_capacity(n);
        let mut num = Vec::with_capacity(n);
        let mut den = Vec::with_capacity(n);
        for r in &self.rows {
            let b = r
                .breakdown
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(";");
            let id = format!("{}.{}", self.info.id, r.measure);
            let to_i64 = |v: Option<u64>, what: &str| -> Result<Option<i64>, Error> {
                v.map(|x| {
                    i64::try_from(x).map_err(|_| {
                        Error::failed(
                            RowError {
                                measure: id.clone(),
                                breakdown: b.clone(),
                                la_code: self.la_code.clone(),
                                year: self.year,
                                period: r.period.label().to_string(),
                                problem: format!("{what} {x} is too large"),
                            }
                            .to_string(),
                        )
                    })
                })
                .transpose()
            };
            num.push(to_i64(r.numerator, "numerator")?);
            den.push(to_i64(r.denominator, "denominator")?);
            // An undeclared measure has no unit: the check below names it.
            unit.push(
                self.info
                    .measure_info(&r.measure)
                    .map_or("", |m| m.unit.label()),
            );
            metric.push(id);
            breakdown.push(b);
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec![self.la_code.as_str(); n])),
            Arc::new(Int32Array::from(vec![self.year; n])),
            Arc::new(StringArray::from_iter_values(
                self.rows.iter().map(|r| r.period.label()),
            )),
            Arc::new(StringArray::from(metric)),
            Arc::new(StringArray::from(breakdown)),
            Arc::new(Int64Array::from(num)),
            Arc::new(Int64Array::from(den)),
            Arc::new(Float64Array::from(
                self.rows.iter().map(|r| r.value).collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(unit)),
            Arc::new(StringArray::from_iter_values(
                self.rows.iter().map(|r| r.note.as_str()),
            )),
        ];
        let batch = RecordBatch::try_new(output_schema(), columns)?;
        let rows = read_rows(&batch).map_err(Error::failed)?;
        check_rows(&rows, &self.info, &self.la_code, self.year)
            .map_err(|e| Error::failed(e.to_string()))?;
        Ok(Output(batch))
    }
}

/// One row of an output table, as read back (by the host, or in tests).
#[derive(Debug, Clone, PartialEq)]
pub struct OutputRow {
    pub la_code: String,
    pub year: i32,
    pub period: String,
    pub metric: String,
    pub breakdown: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub value: Option<f64>,
    pub unit: String,
    pub note: String,
}

/// Reads an output table, checking its schema exactly (names, order, types,
/// nullability) and that no non-nullable column holds a null. The values are
/// not judged here: the host does that.
pub fn read_rows(batch: &RecordBatch) -> Result<Vec<OutputRow>, String> {
    if let Some(why) = output_schema_mismatch(&batch.schema()) {
        return Err(format!("output schema: {why}"));
    }
    let c = batch.columns();
    for (i, f) in batch.schema().fields().iter().enumerate() {
        if !f.is_nullable() && c[i].null_count() > 0 {
            return Err(format!("column `{}` holds nulls", f.name()));
        }
    }
    // The schema check guarantees these downcasts.
    let s = |i: usize| c[i].as_any().downcast_ref::<StringArray>();
    let (Some(la), Some(period), Some(metric), Some(bd), Some(unit), Some(note)) =
        (s(0), s(2), s(3), s(4), s(8), s(9))
    else {
        return Err("output columns are not of the expected types".into());
    };
    let (Some(year), Some(num), Some(den), Some(value)) = (
        c[1].as_any().downcast_ref::<Int32Array>(),
        c[5].as_any().downcast_ref::<Int64Array>(),
        c[6].as_any().downcast_ref::<Int64Array>(),
        c[7].as_any().downcast_ref::<Float64Array>(),
    ) else {
        return Err("output columns are not of the expected types".into());
    };
    let opt_i = |a: &Int64Array, i: usize| a.is_valid(i).then(|| a.value(i));
    Ok((0..batch.num_rows())
        .map(|i| OutputRow {
            la_code: la.value(i).to_string(),
            year: year.value(i),
            period: period.value(i).to_string(),
            metric: metric.value(i).to_string(),
            breakdown: bd.value(i).to_string(),
            numerator: opt_i(num, i),
            denominator: opt_i(den, i),
            value: value.is_valid(i).then(|| value.value(i)),
            unit: unit.value(i).to_string(),
            note: note.value(i).to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Unit;

    #[test]
    fn builds_and_reads_back() {
        let info = MetricInfo::new("m", "t", "1")
            .measure("n", "n", Unit::Count, &["type"])
            .measure("p", "p", Unit::Percent, &[]);
        let mut b = OutputBuilder::new("800", 2025, &info);
        b.count("n", Period::Year, 3)
            .breakdown("type", "M")
            .note("a")
            .note("b");
        b.percent("p", Period::Snapshot, 1, 4);
        b.percent("p", Period::Q1, 0, 0);
        let rows = read_rows(b.finish().unwrap().batch()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].metric, "m.n");
        assert_eq!(rows[0].breakdown, "type=M");
        assert_eq!(rows[0].note, "a; b");
        assert_eq!(rows[0].unit, "count");
        assert_eq!(rows[1].value, Some(25.0));
        assert_eq!(rows[1].period, "31-03");
        assert_eq!(rows[2].value, None);

        let fails = |f: &dyn Fn(&mut OutputBuilder)| {
            let mut b = OutputBuilder::new("800", 2025, &info);
            f(&mut b);
            b.finish().unwrap_err().to_string()
        };
        assert_eq!(
            fails(&|b| {
                b.count("nope", Period::Year, 1);
            }),
            "m.nope, authority 800, year 2025, period year: `m.nope` is not a measure `m` declared"
        );
        assert!(
            fails(&|b| {
                b.figure("n", Period::Year, Some(f64::NAN));
            })
            .ends_with("value is not finite")
        );
        // The host's own check, with the host's words.
        assert_eq!(
            fails(&|b| {
                b.percent("p", Period::Year, 441, 440)
                    .breakdown("age", "16+");
            }),
            "m.p [age=16+], authority 800, year 2025, period year: \
             numerator 441 exceeds denominator 440 in a percentage"
        );
        assert!(
            fails(&|b| {
                b.count("n", Period::Year, u64::MAX);
            })
            .ends_with("numerator 18446744073709551615 is too large")
        );
    }
}
