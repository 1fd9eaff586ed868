#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use iro_domain::{CollectionYear, Diagnostic, LaCode, Severity, TableKind};
use iro_ingest::{InputSource, LoadOptions, Loaded, load, rules};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn load_case(case: &str) -> Loaded {
    let opts = LoadOptions {
        hash_files: true,
        ..Default::default()
    };
    let loaded = load(&InputSource::Folder(fixtures().join(case)), &opts)
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    check_invariants(&loaded);
    loaded
}

pub fn la(code: &str) -> LaCode {
    code.parse().unwrap()
}

/// Path relative to the fixtures folder, with `/` separators.
pub fn rel(p: &Path) -> String {
    let s = p.strip_prefix(fixtures()).unwrap_or(p);
    s.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// One line per diagnostic, for snapshots.
pub fn summary(l: &Loaded) -> String {
    let mut s = String::new();
    for d in &l.diagnostics {
        s.push_str(&line(d));
        s.push('\n');
    }
    s.push_str("-- accounts (la year table: read = used + excluded)\n");
    for a in &l.accounts {
        s.push_str(&format!(
            "{} {} {}: {} = {} + {}\n",
            a.la, a.year, a.table, a.rows_read, a.rows_used, a.rows_excluded
        ));
    }
    s
}

pub fn line(d: &Diagnostic) -> String {
    let mut file = d.file.as_deref().map(rel).unwrap_or_default();
    if let Some(within) = &d.within {
        file = format!("{file} ({within})");
    }
    let loc = match (d.line, d.column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file,
    };
    let field = match (&d.field, &d.value) {
        (Some(f), Some(v)) => format!(" {f}=`{v}`"),
        (Some(f), None) => format!(" {f}"),
        _ => String::new(),
    };
    format!(
        "{} {} {}{} | {}",
        d.severity.label(),
        d.rule,
        loc,
        field,
        d.message_with_detail()
    )
}

/// The diagnostics of one rule.
pub fn with_rule<'a>(l: &'a Loaded, rule: &str) -> Vec<&'a Diagnostic> {
    l.diagnostics.iter().filter(|d| d.rule == rule).collect()
}

/// Asserts exactly one diagnostic of `rule` at `file:line[:column]` (any
/// column when `column` is `None`).
#[track_caller]
pub fn assert_at(l: &Loaded, rule: &str, file_suffix: &str, line: u64, column: Option<u32>) {
    let hits: Vec<_> = l
        .diagnostics
        .iter()
        .filter(|d| {
            d.rule == rule
                && d.line == Some(line)
                && column.is_none_or(|c| d.column == Some(c))
                && d.file
                    .as_deref()
                    .is_some_and(|f| rel(f).ends_with(file_suffix))
        })
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one {rule} at {file_suffix}:{line}, got {hits:#?}\nall:\n{}",
        summary(l)
    );
    if column.is_some() {
        assert_eq!(hits[0].column, column, "{rule} column: {:?}", hits[0]);
    }
}

pub fn account(l: &Loaded, la_code: &str, year: i32, table: TableKind) -> (u64, u64, u64) {
    let a = l
        .account(la(la_code), CollectionYear(year), table)
        .unwrap_or_else(|| panic!("no account for {la_code} {year} {table}"));
    (a.rows_read, a.rows_used, a.rows_excluded)
}

/// rows read = used + excluded; every rule is documented; every table with
/// excluded rows has a diagnostic that excludes rows.
pub fn check_invariants(l: &Loaded) {
    for a in &l.accounts {
        assert_eq!(a.rows_read, a.rows_used + a.rows_excluded, "{a:?}");
    }
    for d in &l.diagnostics {
        assert!(
            rules::rule_info(&d.rule).is_some(),
            "undocumented rule {}",
            d.rule
        );
    }
    let excluding = [
        rules::ROW_DUPLICATE,
        rules::ROW_BLANK,
        rules::HEADER_MISSING_COLUMNS,
    ];
    let mut covered: BTreeMap<(LaCode, CollectionYear, TableKind), u64> = BTreeMap::new();
    for d in &l.diagnostics {
        if (d.severity == Severity::Error || excluding.contains(&d.rule.as_str()))
            && let (Some(la), Some(y), Some(t)) = (d.la, d.year, d.table)
        {
            *covered.entry((la, y, t)).or_default() += 1;
        }
    }
    // A year folder holding another year's return: one error covers every
    // table of that authority-year.
    let whole_years: Vec<(LaCode, CollectionYear)> = l
        .diagnostics
        .iter()
        .filter(|d| d.rule == rules::YEAR_MISMATCH)
        .filter_map(|d| d.la.zip(d.year))
        .collect();
    for a in &l.accounts {
        if a.rows_excluded > 0 {
            assert!(
                covered.contains_key(&(a.la, a.year, a.table))
                    || whole_years.contains(&(a.la, a.year)),
                "{a:?} has excluded rows but no diagnostic"
            );
        }
    }
    // Cohorts sorted by LA, one per LA.
    assert!(l.cohorts.windows(2).all(|w| w[0].la() < w[1].la()));
}
