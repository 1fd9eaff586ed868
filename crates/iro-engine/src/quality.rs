//! The data-quality gate: a figure is computed only from inputs fit for it.
//!
//! Two checks, both configured under `[quality]` in `iro.toml`:
//!
//! * **Before the metrics run**, every table a metric requires
//!   ([`iro_metric_api::MetricSpec::requires`]) is checked for each authority
//!   and year: if errors excluded more than `max_excluded_share` of its rows,
//!   or it is missing because a file could not be read (or none was given
//!   where the return needs one), the metric is *not computable* for that
//!   authority-year, with the reason in words (the rules that excluded most
//!   rows, the files not read and why). Never a figure computed on what is
//!   left, never 0.
//! * **After**, the count of children looked after at 31 March is set beside
//!   the DfE's published count; a difference above `published_difference` of
//!   the published count is flagged ("check the data: the DfE published 60").
//!
//! **Never** shown here: a value of a personal field. Causes are named by
//! rule, field and kind of problem; values are read only to tell which kind of
//! date problem they are (`iro_ingest::parse_date`).

use std::collections::BTreeMap;

use iro_domain::{Cohort, CollectionYear, Diagnostic, LaCode, RowAccount, Severity, TableKind};
use iro_ingest::{DateProblem, DateValue, FileInfo, LaLoaded, Loaded};
use iro_metric_api::{MetricRow, MetricSpec, Period, Reference};
use iro_reference::Measure;

use crate::config::QualityConfig;

pub use iro_results::quality::{
    Cause, DataQuality, Excluded, FileNotRead, PublishedCheck, UnfitTable, Unfitness, thousands,
};

/// The tables of `loaded` not fit for figures: decided once, before the
/// metrics run.
#[derive(Debug)]
pub struct Gate {
    unfit: BTreeMap<(LaCode, CollectionYear, TableKind), UnfitTable>,
}

/// What the gate reads: the diagnostics, row accounts and files of the
/// authorities it checks, and their cohorts (which tables each year holds).
#[derive(Debug, Clone)]
pub struct GateInput<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub accounts: &'a [RowAccount],
    pub files: &'a [FileInfo],
    pub cohorts: Vec<&'a Cohort>,
}

impl<'a> GateInput<'a> {
    /// Every authority of `loaded`.
    pub fn of_loaded(loaded: &'a Loaded) -> Self {
        GateInput {
            diagnostics: &loaded.diagnostics,
            accounts: &loaded.accounts,
            files: &loaded.files,
            cohorts: loaded.cohorts.iter().collect(),
        }
    }

    /// One authority, as ingest hands it over ([`iro_ingest::load_each`]).
    pub fn of_la(la: &'a LaLoaded<'a>) -> Self {
        GateInput {
            diagnostics: la.diagnostics,
            accounts: la.accounts,
            files: la.files,
            cohorts: vec![la.cohort],
        }
    }
}

impl Gate {
    /// Checks every table of every authority-year of `input`.
    pub fn new(config: &QualityConfig, loaded: &GateInput<'_>) -> Gate {
        let mut unfit = BTreeMap::new();
        // Errors by (LA, year, table): the rows they excluded.
        let mut errors: BTreeMap<(LaCode, CollectionYear, TableKind), Vec<&Diagnostic>> =
            BTreeMap::new();
        for d in loaded.diagnostics {
            if d.severity != Severity::Error {
                continue;
            }
            if let (Some(la), Some(year), Some(table)) = (d.la, d.year, d.table) {
                errors.entry((la, year, table)).or_default().push(d);
            }
        }
        for a in loaded.accounts {
            if a.rows_read == 0 || a.rows_excluded == 0 {
                continue;
            }
            let share = a.rows_excluded as f64 / a.rows_read as f64;
            if share <= config.max_excluded_share {
                continue;
            }
            let found = errors
                .get(&(a.la, a.year, a.table))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let causes = causes(found, a, loaded);
            let reason = excluded_reason(a, &causes, config.max_excluded_share);
            unfit.insert(
                (a.la, a.year, a.table),
                UnfitTable {
                    la_code: a.la.to_string(),
                    year: a.year.0,
                    table: a.table,
                    problem: Unfitness::Excluded {
                        rows_read: a.rows_read,
                        rows_excluded: a.rows_excluded,
                        causes,
                    },
                    reason,
                    metrics: Vec::new(),
                },
            );
        }
        // Tables missing from a year because files were not read, or because
        // the return has none where it must (`table.missing`).
        for cohort in &loaded.cohorts {
            let la = cohort.la();
            for (year, tables) in cohort.tables() {
                let not_read = files_not_read(loaded, la, *year);
                for table in TableKind::ALL {
                    if tables.contains(&table) || unfit.contains_key(&(la, *year, table)) {
                        continue;
                    }
                    let missing_error = loaded.diagnostics.iter().any(|d| {
                        d.severity == Severity::Error
                            && d.la == Some(la)
                            && d.year == Some(*year)
                            && d.table == Some(table)
                            && d.rule == iro_ingest::rules::TABLE_MISSING
                    });
                    let failed_files = not_read.iter().any(|(_, sev)| *sev == Severity::Error);
                    if !missing_error && !failed_files {
                        // Simply not supplied: the metric says so itself.
                        continue;
                    }
                    let files: Vec<FileNotRead> = not_read.iter().map(|(f, _)| f.clone()).collect();
                    let reason = missing_reason(la, *year, table, &files);
                    unfit.insert(
                        (la, *year, table),
                        UnfitTable {
                            la_code: la.to_string(),
                            year: year.0,
                            table,
                            problem: Unfitness::Missing {
                                files_not_read: files,
                            },
                            reason,
                            metrics: Vec::new(),
                        },
                    );
                }
            }
        }
        Gate { unfit }
    }

    /// Why `spec` is not computable for `la` in `year`, if a table it
    /// requires is unfit.
    pub fn blocks(&self, spec: &MetricSpec, la: LaCode, year: CollectionYear) -> Option<String> {
        let reasons: Vec<&str> = spec
            .requires
            .iter()
            .filter_map(|t| self.unfit.get(&(la, year, *t)))
            .map(|u| u.reason.as_str())
            .collect();
        (!reasons.is_empty()).then(|| reasons.join("; "))
    }

    /// The gates of separate authorities as one.
    pub fn merge(gates: impl IntoIterator<Item = Gate>) -> Gate {
        let mut unfit = BTreeMap::new();
        for g in gates {
            unfit.extend(g.unfit);
        }
        Gate { unfit }
    }

    /// Records that `metric` was not computed because of the unfit tables it
    /// requires.
    pub fn record(&mut self, spec: &MetricSpec, la: LaCode, year: CollectionYear) {
        for t in spec.requires {
            if let Some(u) = self.unfit.get_mut(&(la, year, *t))
                && !u.metrics.iter().any(|m| m == spec.id)
            {
                u.metrics.push(spec.id.to_string());
            }
        }
    }

    /// The findings, with the published-count check of the computed rows
    /// (unsuppressed) and the excluded rows per authority-year.
    pub fn finish(
        self,
        config: &QualityConfig,
        loaded: &Loaded,
        rows: &[MetricRow],
        reference: &Reference,
    ) -> DataQuality {
        let mut excluded: BTreeMap<(LaCode, CollectionYear), (u64, u64)> = BTreeMap::new();
        for a in &loaded.accounts {
            let e = excluded.entry((a.la, a.year)).or_default();
            e.0 += a.rows_read;
            e.1 += a.rows_excluded;
        }
        DataQuality {
            max_excluded_share: config.max_excluded_share,
            published_difference: config.published_difference,
            unfit: self.unfit.into_values().collect(),
            published: published_checks(config, rows, reference),
            excluded: excluded
                .into_iter()
                .filter(|(_, (_, e))| *e > 0)
                .map(|((la, year), (read, excl))| Excluded {
                    la_code: la.to_string(),
                    year: year.0,
                    rows_read: read,
                    rows_excluded: excl,
                })
                .collect(),
        }
    }
}

/// The count at 31 March against the DfE's, for every authority-year with
/// both.
fn published_checks(
    config: &QualityConfig,
    rows: &[MetricRow],
    reference: &Reference,
) -> Vec<PublishedCheck> {
    let mut out = Vec::new();
    for r in rows {
        if r.metric != "cohort-summary.cla-31-march"
            || r.period != Period::Snapshot
            || !r.breakdown.is_empty()
        {
            continue;
        }
        let (Ok(la), Some(value)) = (r.la_code.parse::<LaCode>(), r.value) else {
            continue;
        };
        let Some(published) = reference.published(la, CollectionYear(r.year), Measure::Cla31March)
        else {
            continue;
        };
        let Some(p) = published.count.value().filter(|&p| p > 0) else {
            continue;
        };
        let computed = value.max(0.0).round() as u64;
        let difference = (computed as f64 - p as f64).abs() / p as f64;
        if difference > config.published_difference {
            out.push(PublishedCheck {
                la_code: r.la_code.to_string(),
                year: r.year,
                computed,
                published: p,
                difference,
                note: format!("check the data: the DfE published {}", thousands(p)),
            });
        }
    }
    out.sort_by(|a, b| (&a.la_code, a.year).cmp(&(&b.la_code, b.year)));
    out
}

/// The rules behind a table's excluded rows, most rows first.
fn causes(errors: &[&Diagnostic], account: &RowAccount, loaded: &GateInput<'_>) -> Vec<Cause> {
    // (rule, field, kind of problem) → (rows, words)
    let mut groups: BTreeMap<(String, Option<String>, String), u64> = BTreeMap::new();
    for d in errors {
        let words = cause_words(d);
        // A file excluded whole stands for all its rows.
        let rows = if d.line.is_none() {
            d.file
                .as_ref()
                .and_then(|p| loaded.files.iter().find(|f| &f.path == p))
                .map(|f| f.rows.max(1))
                .unwrap_or(1)
        } else {
            1
        };
        *groups
            .entry((d.rule.clone(), d.field.clone(), words))
            .or_default() += rows;
    }
    let mut out: Vec<Cause> = groups
        .into_iter()
        .map(|((rule, field, words), rows)| Cause {
            rule,
            field,
            rows: rows.min(account.rows_excluded),
            words,
        })
        .collect();
    out.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.rule.cmp(&b.rule)));
    out
}

/// A diagnostic's kind of problem in words, never its value.
fn cause_words(d: &Diagnostic) -> String {
    let field = d.field.as_deref().unwrap_or("");
    if d.rule == iro_ingest::rules::DATE_UNPARSABLE {
        let kind = match d
            .value
            .as_deref()
            .map(|v| iro_ingest::parse_date(v.as_bytes()))
        {
            Some(DateValue::Bad(DateProblem::ExcelSerial(_))) => "saved as Excel serial numbers",
            Some(DateValue::Bad(DateProblem::TwoDigitYear)) => "written with two-digit years",
            Some(DateValue::Bad(DateProblem::Impossible)) => {
                "not real dates (month-first, or a day the month does not have)"
            }
            Some(DateValue::Bad(DateProblem::YearOutOfRange)) => "with years outside 1900-2099",
            _ => "not written as DD/MM/YYYY dates",
        };
        return format!("{field} {kind}").trim().to_string();
    }
    if d.rule == iro_ingest::rules::DATE_MONTH_FIRST {
        return format!("{field} written month-first (MM/DD/YYYY), its ambiguous dates excluded")
            .trim()
            .to_string();
    }
    let info = iro_ingest::rules::ALL.iter().find(|r| r.name == d.rule);
    let check = info.map(|r| r.check).unwrap_or(d.rule.as_str());
    // A file-level problem's message names the file's columns, not a value.
    if d.line.is_none() && !d.is_identifying() {
        return format!("{} ({})", d.message.trim_end_matches('.'), d.rule);
    }
    let check = lower_first(check.split(" (").next().unwrap_or(check));
    if field.is_empty() {
        format!("{check} ({})", d.rule)
    } else {
        format!("{field}: {check} ({})", d.rule)
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if c.clone().next().is_some_and(|n| n.is_lowercase()) => {
            f.to_lowercase().chain(c).collect()
        }
        Some(f) => std::iter::once(f).chain(c).collect(),
        None => String::new(),
    }
}

/// `2,871 of 4,102 Episodes rows excluded (70.0%, more than the 2% allowed):
/// DEC written with two-digit years (2,850); …`
fn excluded_reason(a: &RowAccount, causes: &[Cause], max: f64) -> String {
    let share = 100.0 * a.rows_excluded as f64 / a.rows_read as f64;
    let mut s = format!(
        "{} of {} {} rows excluded in {} ({:.1}%, more than the {}% allowed)",
        thousands(a.rows_excluded),
        thousands(a.rows_read),
        a.table.name(),
        a.year.label(),
        share,
        trim_number(100.0 * max)
    );
    // The dominant rules: enough to explain most of the rows, at most three.
    let mut named = Vec::new();
    let mut covered = 0;
    for c in causes.iter().take(3) {
        if covered * 10 >= a.rows_excluded * 9 {
            break;
        }
        covered += c.rows;
        named.push(if causes.len() == 1 {
            c.words.clone()
        } else {
            format!("{} ({} rows)", c.words, thousands(c.rows))
        });
    }
    if !named.is_empty() {
        s.push_str(": ");
        s.push_str(&named.join("; "));
    }
    s
}

/// `no usable Episodes table for 2024-25: episodes.txt not read (UTF-16 …)`.
fn missing_reason(
    la: LaCode,
    year: CollectionYear,
    table: TableKind,
    files: &[FileNotRead],
) -> String {
    let mut s = format!("no usable {} table for {la} {}", table.name(), year.label());
    if files.is_empty() {
        s.push_str(": no file of it was given");
    } else {
        let shown: Vec<String> = files
            .iter()
            .take(3)
            .map(|f| format!("{} not read ({})", f.file, f.why.trim_end_matches('.')))
            .collect();
        s.push_str(": ");
        s.push_str(&shown.join("; "));
        if files.len() > 3 {
            s.push_str(&format!("; and {} more files not read", files.len() - 3));
        }
    }
    s
}

/// Files of one authority-year that were not read, with why (file-level
/// diagnostics: unreadable, UTF-16, not a CSV, header matching no table, a
/// table lacking required columns), and the worst severity.
fn files_not_read(
    loaded: &GateInput<'_>,
    la: LaCode,
    year: CollectionYear,
) -> Vec<(FileNotRead, Severity)> {
    const FILE_RULES: &[&str] = iro_ingest::rules::FILE_NOT_READ;
    let mut out: Vec<(FileNotRead, Severity)> = Vec::new();
    for d in loaded.diagnostics {
        if d.la != Some(la) || d.year != Some(year) || !FILE_RULES.contains(&d.rule.as_str()) {
            continue;
        }
        let file = d
            .file
            .as_ref()
            .map(|p| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| p.display().to_string())
            })
            .unwrap_or_default();
        if out.iter().any(|(f, _)| f.file == file && f.rule == d.rule) {
            continue;
        }
        out.push((
            FileNotRead {
                file,
                rule: d.rule.clone(),
                why: d.message.clone(),
            },
            d.severity,
        ));
    }
    out
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
