//! `iro validate`: every data problem in the input, as a table or JSON.
//!
//! This prints to the analyst's own terminal, so values (which may be a CHILD
//! id or a date of birth) and personal details are shown; nothing is written
//! to disk.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use iro_domain::{Diagnostic, Severity};
use iro_ingest::LoadOptions;
use serde::Serialize;

use crate::{ValidateArgs, load_config, resolve_input};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    summary: Summary,
    row_counts: &'a [iro_domain::RowAccount],
    diagnostics: &'a [Diagnostic],
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    files: usize,
    authorities: usize,
    errors: usize,
    warnings: usize,
    info: usize,
    /// 0 clean, 1 warnings, 2 errors.
    exit_code: u8,
}

pub fn validate(args: ValidateArgs) -> Result<ExitCode> {
    let config = load_config(&args.common)?;
    let source = resolve_input(&config, args.input)?;
    // The reference data name the authorities an LA column may give by name.
    let reference = iro_engine::load_reference(&config)?;
    let opts = LoadOptions {
        la_aliases: iro_engine::la_aliases(&reference),
        ..LoadOptions::default()
    };
    let loaded = iro_ingest::load(&source, &opts)?;
    let mut summary = Summary {
        files: loaded.files.len(),
        authorities: loaded.cohorts.len(),
        ..Summary::default()
    };
    for d in &loaded.diagnostics {
        match d.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.info += 1,
        }
    }
    summary.exit_code = if summary.errors > 0 {
        2
    } else if summary.warnings > 0 {
        1
    } else {
        0
    };
    let code = summary.exit_code;
    match args.format {
        Format::Json => {
            let report = Report {
                summary,
                row_counts: &loaded.accounts,
                diagnostics: &loaded.diagnostics,
            };
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Table => print_table(
            &mut std::io::stdout().lock(),
            &loaded,
            &summary,
            args.common.quiet,
            args.common.verbose,
        )?,
    }
    Ok(ExitCode::from(code))
}

fn print_table(
    out: &mut dyn Write,
    loaded: &iro_ingest::Loaded,
    s: &Summary,
    quiet: bool,
    verbose: u8,
) -> std::io::Result<()> {
    let shown: Vec<&Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| !quiet || d.severity == Severity::Error)
        .filter(|d| verbose > 0 || d.severity != Severity::Info)
        .collect();
    if !shown.is_empty() {
        let loc_w = shown
            .iter()
            .map(|d| d.location().len())
            .max()
            .unwrap_or(8)
            .clamp(8, 70);
        writeln!(
            out,
            "{:<8} {:<34} {:<loc_w$} {:<16} {:<14} message",
            "severity", "rule", "location", "field", "value"
        )?;
        for d in &shown {
            writeln!(
                out,
                "{:<8} {:<34} {:<loc_w$} {:<16} {:<14} {}",
                d.severity.label(),
                d.rule,
                d.location(),
                d.field.as_deref().unwrap_or(""),
                d.value.as_deref().unwrap_or(""),
                d.message_with_detail()
            )?;
        }
        writeln!(out)?;
        let mut by_rule: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for d in &shown {
            *by_rule.entry((d.severity.label(), &d.rule)).or_default() += 1;
        }
        writeln!(out, "By rule:")?;
        for ((sev, rule), n) in by_rule {
            writeln!(out, "  {n:>6}  {sev:<8} {rule}")?;
        }
        writeln!(out)?;
    }
    if !quiet {
        writeln!(out, "Rows read, used and excluded:")?;
        writeln!(
            out,
            "{:<5} {:<6} {:<15} {:>9} {:>9} {:>9}",
            "LA", "year", "table", "read", "used", "excluded"
        )?;
        for a in &loaded.accounts {
            writeln!(
                out,
                "{:<5} {:<6} {:<15} {:>9} {:>9} {:>9}",
                a.la.to_string(),
                a.year.0,
                a.table.name(),
                a.rows_read,
                a.rows_used,
                a.rows_excluded
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{} files, {} authorities: {} errors, {} warnings, {} notes.",
            s.files, s.authorities, s.errors, s.warnings, s.info
        )?;
    }
    Ok(())
}
