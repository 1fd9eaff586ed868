//! # iro-metric-api
//!
//! The contract between metrics and the engine. A metric reads one authority's
//! [`Cohort`] for one collection year, with reference data and parameters, and
//! returns tidy [`MetricRow`]s. It never does IO, never suppresses small numbers
//! (the engine does, centrally) and never prints.
//!
//! **Invariant:** built-in metric crates (`plugins/*`) and run-time plugins
//! produce exactly this row shape; nothing downstream of a metric needs to know
//! which kind it came from. The words both kinds speak (a measure's [`Unit`],
//! a figure's [`Period`], whom a count is about, [`Subject`], and the tidy
//! table's [`column`] names) are `iro-vocabulary`'s, re-exported here.

mod derived;
pub mod periods;
mod relation;
mod row;
pub mod symbol;

use std::collections::BTreeMap;

pub use derived::{
    ComputedFrom, DerivedInput, DerivedMetric, DerivedTask, Read, SourceFigure, SourceState,
};
pub use iro_domain::{Cohort, CollectionYear, Column, LaIdentity, TableKind, WorkingDayCalendar};
pub use iro_reference::Reference;
pub use iro_vocabulary::{Period, Subject, TIDY_COLUMNS, Unit, column};
pub use relation::{Cells, Field, Relation, Rows, Term};
pub use row::{
    AreaCode, Breakdown, CellStatus, MeasureId, MetricRow, NOT_COMPUTABLE, RowText, SECONDARY_NOTE,
    Suppression, split_note_text,
};

/// Parameters of a metric, as given in `iro.toml` (`[metrics.<id>]`), merged over
/// the metric's declared defaults.
pub type Params = serde_json::Map<String, serde_json::Value>;

/// A parameter a metric accepts, with its default and meaning.
#[derive(Debug, Clone)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: serde_json::Value,
    pub help: &'static str,
}

/// A measure a metric produces. Each metric declares its measures' ids as
/// public constants (`cohort_summary::CLA_31_MARCH`) and lists them here.
#[derive(Debug, Clone)]
pub struct MeasureSpec {
    /// `metric.measure`; the metric part is the metric's [`MetricSpec::id`]
    /// (checked by the engine's registry test).
    pub id: MeasureId,
    pub title: &'static str,
    pub unit: Unit,
    /// Breakdown keys whose rows partition the measure's total row (the row with
    /// no breakdown), so a suppressed cell could be recovered by subtraction.
    /// The engine applies secondary suppression within these groups.
    pub additive_breakdowns: &'static [&'static str],
    /// What the counts count: children (suppressed) or staff (not).
    pub subject: Subject,
}

/// What a metric is, for `iro metrics list`, the registry and run metadata.
#[derive(Debug, Clone)]
pub struct MetricSpec {
    /// Stable id, the crate's name: `review-timeliness`, `cohort-summary`…
    pub id: &'static str,
    pub title: &'static str,
    pub version: &'static str,
    /// Tables the metric cannot do without in the year computed. If one is
    /// missing the engine reports "not computable" and emits no rows for the
    /// year, whatever the metric returned ([`apply_column_needs`]).
    pub requires: &'static [TableKind],
    /// Columns the metric's figures read, beyond those every row of their
    /// table has ([`TableKind::essential_columns`]). A file may lack such a
    /// column (it is then read as blank); the engine makes the figures that
    /// need it not computable for that year, never computed on the blanks.
    pub needs: &'static [ColumnNeed],
    pub measures: &'static [MeasureSpec],
    pub params: &'static [ParamSpec],
}

/// Columns some of a metric's figures need ([`MetricSpec::needs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnNeed {
    pub columns: &'static [Column],
    /// The measure that needs them; `None`: every figure of the metric.
    pub measure: Option<MeasureId>,
    /// Only the measure's rows broken down by this key (`sex`); `None`: all
    /// its rows.
    pub breakdown: Option<&'static str>,
}

impl ColumnNeed {
    /// Every figure of the metric needs `columns`.
    pub const fn all(columns: &'static [Column]) -> Self {
        ColumnNeed {
            columns,
            measure: None,
            breakdown: None,
        }
    }

    /// One measure needs `columns`.
    pub const fn measure(measure: MeasureId, columns: &'static [Column]) -> Self {
        ColumnNeed {
            columns,
            measure: Some(measure),
            breakdown: None,
        }
    }

    /// One breakdown of one measure needs `columns`.
    pub const fn breakdown(
        measure: MeasureId,
        key: &'static str,
        columns: &'static [Column],
    ) -> Self {
        ColumnNeed {
            columns,
            measure: Some(measure),
            breakdown: Some(key),
        }
    }
}

/// A [`ColumnNeed`] a cohort does not meet for a year, and why, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct UnmetNeed {
    pub need: ColumnNeed,
    /// "PL_POST missing from the Episodes file episodes.csv: placed over 20
    /// miles not computable".
    pub reason: String,
}

impl MetricSpec {
    /// Why the metric is not computable for `year` of `cohort` because a
    /// table it requires ([`MetricSpec::requires`]) was not supplied for
    /// that year (`no Reviews table for 2024-25`); `None` when every one was.
    pub fn unmet_requires(&self, cohort: &Cohort, year: CollectionYear) -> Option<String> {
        let missing: Vec<&str> = self
            .requires
            .iter()
            .filter(|&&t| !cohort.has_table(year, t))
            .map(|t| t.name())
            .collect();
        let tables = match missing.as_slice() {
            [] => return None,
            [one] => one.to_string(),
            [first @ .., last] => format!("{} or {last}", first.join(", ")),
        };
        Some(format!("no {tables} table for {}", year.label()))
    }

    /// The needs of this metric that `cohort` does not meet for `year`: a
    /// needed column is absent from that year's file of its table (or from a
    /// later year's, whose rows replace this year's copies).
    pub fn unmet_needs(&self, cohort: &Cohort, year: CollectionYear) -> Vec<UnmetNeed> {
        if cohort.absent_columns().is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for need in self.needs {
            let why: Vec<String> = need
                .columns
                .iter()
                .filter_map(|&c| cohort.column_absent_for(year, c))
                .map(|a| {
                    let when = if a.year == year {
                        String::new()
                    } else {
                        format!(
                            " of {} (whose rows replace {}'s)",
                            a.year.label(),
                            year.label()
                        )
                    };
                    format!(
                        "{} missing from the {} file {}{when}",
                        a.column,
                        a.column.table(),
                        a.file
                    )
                })
                .collect();
            if why.is_empty() {
                continue;
            }
            let what = match need.measure.and_then(|m| self.measure(m)) {
                Some(m) => match need.breakdown {
                    Some(key) => format!("{} by {}", m.title, key.replace('_', " ")),
                    None => m.title.to_string(),
                },
                None => self.title.to_string(),
            };
            out.push(UnmetNeed {
                need: *need,
                reason: format!("{}: {what} not computable", why.join("; ")),
            });
        }
        out
    }

    /// The measure with this id.
    pub fn measure(&self, id: MeasureId) -> Option<&MeasureSpec> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// The measure with this name (the part after the dot).
    pub fn measure_named(&self, name: &str) -> Option<&MeasureSpec> {
        self.measures.iter().find(|m| m.id.measure() == name)
    }

    /// Declared defaults, overridden by `given`. Unknown names are an error so a
    /// typo in `iro.toml` is not silently ignored.
    pub fn resolve_params(&self, given: &Params) -> Result<Params, MetricError> {
        let mut out = Params::new();
        for p in self.params {
            out.insert(p.name.to_string(), p.default.clone());
        }
        for (k, v) in given {
            if !out.contains_key(k) {
                return Err(MetricError::BadParameter {
                    name: k.clone(),
                    reason: format!(
                        "`{}` has no parameter `{k}` (it has: {})",
                        self.id,
                        self.params
                            .iter()
                            .map(|p| p.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            out.insert(k.clone(), v.clone());
        }
        Ok(out)
    }
}

/// Everything a metric may read.
#[derive(Debug, Clone, Copy)]
pub struct MetricContext<'a> {
    pub cohort: &'a Cohort,
    /// The authority's identity, when it is in the reference data.
    pub la: Option<&'a LaIdentity>,
    pub year: CollectionYear,
    pub reference: &'a Reference,
    pub calendar: &'a WorkingDayCalendar,
    /// Resolved parameters (defaults merged with `iro.toml`).
    pub params: &'a Params,
}

impl MetricContext<'_> {
    /// The DfE 3-digit code as it appears in the `la_code` column.
    pub fn la_code(&self) -> AreaCode {
        AreaCode::of_la(self.cohort.la())
    }

    /// A parameter as a number.
    pub fn param_f64(&self, name: &str) -> Result<f64, MetricError> {
        self.params
            .get(name)
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| MetricError::BadParameter {
                name: name.to_string(),
                reason: "expected a number".into(),
            })
    }

    /// A parameter as a boolean.
    pub fn param_bool(&self, name: &str) -> Result<bool, MetricError> {
        self.params
            .get(name)
            .and_then(serde_json::Value::as_bool)
            .ok_or_else(|| MetricError::BadParameter {
                name: name.to_string(),
                reason: "expected true or false".into(),
            })
    }

    /// A parameter as a string.
    pub fn param_str(&self, name: &str) -> Result<&str, MetricError> {
        self.params
            .get(name)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| MetricError::BadParameter {
                name: name.to_string(),
                reason: "expected a string".into(),
            })
    }

    /// Whether the cohort holds `table` for `year`.
    pub fn has(&self, year: CollectionYear, table: TableKind) -> bool {
        self.cohort.has_table(year, table)
    }
}

/// Why a metric produced no rows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricError {
    /// The data needed are not there: say so, never report zero.
    #[error("not computable: {0}")]
    NotComputable(String),
    #[error("parameter `{name}`: {reason}")]
    BadParameter { name: String, reason: String },
    #[error("{0}")]
    Failed(String),
}

/// A child-level table behind a metric's figures — **personal data**. The
/// engine asks for it only when the user does (`iro run --personal`) and writes
/// it apart, under `out/personal/`, never into shareable outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillDown {
    /// File-name part, e.g. `reviews`.
    pub name: &'static str,
    pub title: &'static str,
    /// Column names; SSDA903 field names where the column is one (`CHILD`).
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

/// The message of a caught panic (`&str` or `String` payload), for the
/// error that reports a metric's panic.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
}

/// One year's result of a metric with its declared needs applied. First the
/// tables it requires ([`MetricSpec::requires`]): when one was not supplied
/// for the year, the result is "not computable" with the reason
/// ([`MetricSpec::unmet_requires`]) whatever the metric returned, unless it
/// said "not computable" itself (its own words are kept) or a parameter is
/// wrong (a configuration error stays one). So a metric that forgets to check
/// its tables cannot report figures computed without them. Then the columns
/// ([`MetricSpec::needs`]): when a column the whole metric needs is absent,
/// "not computable" with the reason; when a column one measure (or one
/// breakdown of it) needs is absent, that measure's rows are replaced by one
/// row with no value whose note says why. Never a figure computed on the
/// blanks. The engine applies this to every metric; a metric that runs
/// another (regional benchmarking) applies it to what it runs.
pub fn apply_column_needs(
    spec: &MetricSpec,
    ctx: &MetricContext<'_>,
    result: Result<Vec<MetricRow>, MetricError>,
) -> Result<Vec<MetricRow>, MetricError> {
    if let Some(why) = spec.unmet_requires(ctx.cohort, ctx.year) {
        return match result {
            Err(e @ (MetricError::NotComputable(_) | MetricError::BadParameter { .. })) => Err(e),
            Ok(_) | Err(MetricError::Failed(_)) => Err(MetricError::NotComputable(why)),
        };
    }
    let unmet = spec.unmet_needs(ctx.cohort, ctx.year);
    if unmet.is_empty() {
        return result;
    }
    let whole: Vec<&str> = unmet
        .iter()
        .filter(|u| u.need.measure.is_none())
        .map(|u| u.reason.as_str())
        .collect();
    if !whole.is_empty() {
        return Err(MetricError::NotComputable(whole.join("; ")));
    }
    let mut rows = result?;
    for u in &unmet {
        let Some(measure) = u.need.measure else {
            continue;
        };
        let hit = |r: &MetricRow| {
            r.metric == measure && u.need.breakdown.is_none_or(|k| r.breakdown.has(k))
        };
        // One row per period the measure had, with no value.
        let mut replaced: Vec<MetricRow> = Vec::new();
        for r in rows.iter().filter(|r| hit(r)) {
            if !replaced.iter().any(|x| x.period == r.period) {
                let breakdown = match u.need.breakdown {
                    Some(k) => Breakdown::one(k, "not computable"),
                    None => Breakdown::default(),
                };
                replaced.push(
                    MetricRow::new(r.la_code, r.year, r.period, r.metric, r.unit)
                        .with_breakdown(breakdown)
                        .not_computable(&u.reason),
                );
            }
        }
        rows.retain(|r| !hit(r));
        rows.extend(replaced);
    }
    Ok(rows)
}

/// A metric. Implementations must be deterministic and free of IO.
///
/// One entry point computes: [`Metric::compute_years`]. A metric that works
/// a year at a time maps its years (`ctxs.iter().map(|c| self.year(c))`);
/// one year alone is [`MetricExt::compute`], which no metric can override,
/// so no two defaults can call each other for ever.
pub trait Metric: Send + Sync {
    fn spec(&self) -> &MetricSpec;

    /// Rows for one authority over several collection years: one result per
    /// context, in order. Every context holds the same cohort, reference
    /// data, calendar and parameters; only `year` differs. The engine calls
    /// this once per authority, so a metric whose work is mostly a walk over
    /// every child of the cohort can do the walk once for all years.
    ///
    /// Should it panic, the engine calls it again for each year on its own,
    /// so one bad year does not take the others down.
    fn compute_years(&self, ctxs: &[MetricContext<'_>])
    -> Vec<Result<Vec<MetricRow>, MetricError>>;

    /// Child-level tables behind the figures (personal data), for the analyst
    /// who asks. Most metrics have none.
    fn drilldown(&self, _ctx: &MetricContext<'_>) -> Result<Vec<DrillDown>, MetricError> {
        Ok(Vec::new())
    }

    /// How this metric's figures relate to each other (and to other metrics'):
    /// which counts add up to which. The engine's secondary suppression uses
    /// them so that no hidden count can be recovered by subtraction. Additive
    /// breakdowns are declared in [`MeasureSpec::additive_breakdowns`]; a
    /// metric with no other relations need not override this.
    fn relations(&self) -> &[Relation] {
        &[]
    }

    /// `Some` for a metric computed from the other metrics' rows rather than
    /// from the cohort ([`DerivedMetric`], which provides this): the engine
    /// computes it after every other metric, in its second stage.
    fn derived(&self) -> Option<&dyn DerivedMetric> {
        None
    }
}

/// One year of a metric: [`Metric::compute_years`] on that year alone.
pub trait MetricExt: Metric {
    fn compute(&self, ctx: &MetricContext<'_>) -> Result<Vec<MetricRow>, MetricError> {
        self.compute_years(std::slice::from_ref(ctx))
            .pop()
            .unwrap_or_else(|| Err(MetricError::Failed("no year computed".into())))
    }
}

impl<M: Metric + ?Sized> MetricExt for M {}

/// Starts a row of `measure` for this context, with the year, LA and the
/// measure's unit filled in.
pub fn row_of(measure: &MeasureSpec, ctx: &MetricContext<'_>, period: Period) -> MetricRow {
    MetricRow::new(ctx.la_code(), ctx.year.0, period, measure.id, measure.unit)
}

/// Starts a row for this metric and context with the year, LA and unit of the
/// named measure (the part after the dot) filled in.
///
/// # Panics
/// When `spec` declares no measure of that name: a built-in metric's bug,
/// which the engine reports as that task's failure (never a row with a
/// guessed unit). Tests over every metric's output catch it first.
pub fn row(spec: &MetricSpec, ctx: &MetricContext<'_>, measure: &str, period: Period) -> MetricRow {
    match spec.measure_named(measure) {
        Some(m) => row_of(m, ctx, period),
        None => panic!("metric `{}` declares no measure `{measure}`", spec.id),
    }
}

/// Counts into a sorted map, for breakdowns.
pub fn tally<K: Ord>(items: impl IntoIterator<Item = K>) -> BTreeMap<K, u64> {
    let mut m = BTreeMap::new();
    for k in items {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A national run holds about 800,000 rows: each byte of a row is most
    /// of a megabyte. Text fields are interned references, so a row is
    /// `Copy` and this size whatever its text.
    #[test]
    fn a_row_is_144_bytes_at_most() {
        assert!(std::mem::size_of::<MetricRow>() <= 144);
        assert!(std::mem::size_of::<CellStatus>() <= 24);
    }

    struct Plain;

    static SPEC: MetricSpec = MetricSpec {
        id: "plain",
        title: "",
        version: "0",
        requires: &[],
        needs: &[],
        measures: &[MeasureSpec {
            id: MeasureId::new("plain.n"),
            title: "",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        }],
        params: &[],
    };

    impl Metric for Plain {
        fn spec(&self) -> &MetricSpec {
            &SPEC
        }
        fn compute_years(
            &self,
            ctxs: &[MetricContext<'_>],
        ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
            ctxs.iter()
                .map(|ctx| {
                    if ctx.year.0 == 2024 {
                        return Err(MetricError::NotComputable("no table".into()));
                    }
                    Ok(vec![row(&SPEC, ctx, "n", Period::Year).count(1)])
                })
                .collect()
        }
    }

    #[test]
    fn a_missing_column_makes_only_the_figures_needing_it_not_computable() {
        use iro_domain::{AbsentColumn, Column};
        const CODE: Column = Column::of(TableKind::Reviews, "REVIEW_CODE");
        const SEX: Column = Column::of(TableKind::Header, "SEX");
        const N: MeasureId = MeasureId::new("t.n");
        const M: MeasureId = MeasureId::new("t.m");
        static NEEDS: [ColumnNeed; 2] = [
            ColumnNeed::breakdown(N, "sex", &[SEX]),
            ColumnNeed::measure(M, &[CODE]),
        ];
        static MEASURES: [MeasureSpec; 2] = [
            MeasureSpec {
                id: N,
                title: "Children",
                unit: Unit::Count,
                additive_breakdowns: &["sex"],
                subject: Subject::Children,
            },
            MeasureSpec {
                id: M,
                title: "Reviews by code",
                unit: Unit::Count,
                additive_breakdowns: &[],
                subject: Subject::Children,
            },
        ];
        let spec = MetricSpec {
            id: "t",
            title: "Test",
            version: "0",
            requires: &[],
            needs: &NEEDS,
            measures: &MEASURES,
            params: &[],
        };
        let reference = Reference::bundled().unwrap();
        let calendar = WorkingDayCalendar::england_and_wales();
        let params = Params::new();
        let lacking = |column: Column, file: &str| {
            let mut c = Cohort::new(
                iro_domain::LaCode::new(800).unwrap(),
                iro_domain::CohortParts::default(),
            );
            c.set_absent_columns(vec![AbsentColumn {
                year: CollectionYear(2025),
                column,
                file: file.into(),
            }]);
            c
        };
        let no_sex = lacking(SEX, "header.csv");
        let no_code = lacking(CODE, "reviews.csv");
        let ctx = |cohort, y| MetricContext {
            cohort,
            la: None,
            year: CollectionYear(y),
            reference: &reference,
            calendar: &calendar,
            params: &params,
        };
        let rows = |c: &MetricContext<'_>| {
            vec![
                row(&spec, c, "n", Period::Year).count(5),
                row(&spec, c, "n", Period::Year)
                    .with_breakdown(Breakdown::one("sex", "Male"))
                    .count(3),
                row(&spec, c, "n", Period::Year)
                    .with_breakdown(Breakdown::one("sex", "Not known"))
                    .count(2),
                row(&spec, c, "m", Period::Year).count(4),
            ]
        };
        let c25 = ctx(&no_sex, 2025);
        let out = apply_column_needs(&spec, &c25, Ok(rows(&c25))).unwrap();
        // The total and the other measure stand; the sex breakdown is one
        // row with no value, saying why.
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].value, Some(5.0));
        assert_eq!(out[1].metric, "t.m");
        let hidden = &out[2];
        assert_eq!(hidden.breakdown, Breakdown::one("sex", "not computable"));
        assert_eq!(hidden.value, None);
        assert_eq!(
            hidden.note_text(),
            "not computable: SEX missing from the Header file header.csv: Children by sex not computable"
        );
        // Header columns missing in a later year count for earlier years too.
        let c24 = ctx(&no_sex, 2024);
        assert_eq!(
            apply_column_needs(&spec, &c24, Ok(rows(&c24)))
                .unwrap()
                .len(),
            3
        );
        // Not another year's Reviews, nor an earlier year's anything.
        let c24 = ctx(&no_code, 2024);
        assert_eq!(
            apply_column_needs(&spec, &c24, Ok(rows(&c24)))
                .unwrap()
                .len(),
            4
        );
        let c26 = ctx(&no_code, 2026);
        assert_eq!(
            apply_column_needs(&spec, &c26, Ok(rows(&c26)))
                .unwrap()
                .len(),
            4
        );
        // A need of the whole metric: not computable.
        static ALL: [ColumnNeed; 1] = [ColumnNeed::all(&[CODE])];
        let whole = MetricSpec {
            needs: &ALL,
            ..spec
        };
        let c25 = ctx(&no_code, 2025);
        assert!(matches!(
            apply_column_needs(&whole, &c25, Ok(rows(&c25))),
            Err(MetricError::NotComputable(why)) if why.starts_with("REVIEW_CODE missing from the Reviews file reviews.csv")
        ));
    }

    #[test]
    fn a_required_table_not_supplied_makes_the_year_not_computable() {
        static REQUIRES: [TableKind; 2] = [TableKind::Episodes, TableKind::Reviews];
        let spec = MetricSpec {
            requires: &REQUIRES,
            ..SPEC.clone()
        };
        let mut parts = iro_domain::CohortParts::default();
        parts
            .tables
            .insert(CollectionYear(2025), REQUIRES.into_iter().collect());
        parts.tables.insert(
            CollectionYear(2024),
            [TableKind::Episodes].into_iter().collect(),
        );
        let cohort = Cohort::new(iro_domain::LaCode::new(800).unwrap(), parts);
        assert_eq!(spec.unmet_requires(&cohort, CollectionYear(2025)), None);
        assert_eq!(
            spec.unmet_requires(&cohort, CollectionYear(2024))
                .as_deref(),
            Some("no Reviews table for 2023-24")
        );
        assert_eq!(
            spec.unmet_requires(&cohort, CollectionYear(2023))
                .as_deref(),
            Some("no Episodes or Reviews table for 2022-23")
        );

        let reference = Reference::bundled().unwrap();
        let calendar = WorkingDayCalendar::england_and_wales();
        let params = Params::new();
        let ctx = |y| MetricContext {
            cohort: &cohort,
            la: None,
            year: CollectionYear(y),
            reference: &reference,
            calendar: &calendar,
            params: &params,
        };
        let (c25, c24) = (ctx(2025), ctx(2024));
        let figures = |c: &MetricContext<'_>| Ok(vec![row(&spec, c, "n", Period::Year).count(7)]);
        // Every table there: the figures stand.
        assert_eq!(
            apply_column_needs(&spec, &c25, figures(&c25))
                .unwrap()
                .len(),
            1
        );
        // A metric that forgot to check reports no figure.
        assert_eq!(
            apply_column_needs(&spec, &c24, figures(&c24)),
            Err(MetricError::NotComputable(
                "no Reviews table for 2023-24".into()
            ))
        );
        // Nor a failure: the year was never computable.
        assert_eq!(
            apply_column_needs(&spec, &c24, Err(MetricError::Failed("index".into()))),
            Err(MetricError::NotComputable(
                "no Reviews table for 2023-24".into()
            ))
        );
        // A metric that said so keeps its words; a bad parameter stays one.
        let own = Err(MetricError::NotComputable("no Reviews table".into()));
        assert_eq!(apply_column_needs(&spec, &c24, own.clone()), own);
        let bad = Err(MetricError::BadParameter {
            name: "x".into(),
            reason: "expected a number".into(),
        });
        assert_eq!(apply_column_needs(&spec, &c24, bad.clone()), bad);
    }

    #[test]
    fn rows_carry_the_code_and_id_and_one_year_is_the_years_entry_point() {
        let reference = Reference::bundled().unwrap();
        let calendar = WorkingDayCalendar::england_and_wales();
        let params = Params::new();
        for code in [100, 201, 800, 999] {
            let cohort = Cohort::new(
                iro_domain::LaCode::new(code).unwrap(),
                iro_domain::CohortParts::default(),
            );
            let ctxs: Vec<MetricContext<'_>> = [2024, 2025]
                .map(|y| MetricContext {
                    cohort: &cohort,
                    la: None,
                    year: CollectionYear(y),
                    reference: &reference,
                    calendar: &calendar,
                    params: &params,
                })
                .to_vec();
            assert_eq!(ctxs[0].la_code(), cohort.la().to_string());
            let out = Plain.compute_years(&ctxs);
            assert_eq!(out.len(), 2);
            assert!(matches!(out[0], Err(MetricError::NotComputable(_))));
            let rows = out[1].as_ref().unwrap();
            assert_eq!(rows[0].metric, "plain.n");
            assert_eq!(rows[0].la_code, format!("{code:03}"));
            assert!(Plain.relations().is_empty());
            assert_eq!(Plain.compute(&ctxs[1]).unwrap(), *rows);
            assert!(Plain.compute(&ctxs[0]).is_err());
        }
    }
}
