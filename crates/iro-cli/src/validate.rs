//! `iro validate`: every data problem in the input: a summary by rule with
//! example rows (or every row with `--all`), as JSON, or as a workbook
//! (`--xlsx`).
//!
//! This prints to the analyst's own terminal; values of personal fields (a
//! CHILD id, a date of birth, a postcode) are shown only with `--personal`,
//! and go into the workbook only then.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use iro_domain::{Diagnostic, Severity};
use iro_ingest::LoadOptions;
use serde::Serialize;

use crate::problems::{self, View};
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
    let source = resolve_input(&config, args.input.clone())?;
    // The reference data name the authorities an LA column may give by name.
    let reference = iro_engine::load_reference(&config)?;
    crate::say_overlay(&reference, args.common.quiet);
    let opts = LoadOptions {
        la_aliases: iro_engine::la_aliases(&reference),
        ..LoadOptions::default()
    };
    // Only the diagnostics and row accounts are reported: each authority's
    // records are let go once it is checked.
    let loaded = iro_engine::check_with(&config, &source, opts)?;
    let mut summary = Summary {
        files: loaded.file_count(),
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
    if let Some(path) = &args.xlsx {
        crate::problems_xlsx::write(path, &loaded, source_root(&source), args.personal)?;
    }
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
        Format::Table => {
            let mut out = std::io::stdout().lock();
            print_table(&mut out, &loaded, &summary, &args, source_root(&source))?;
            if let Some(path) = &args.xlsx
                && !args.common.quiet
            {
                writeln!(out, "Wrote {}", path.display())?;
            }
        }
    }
    Ok(ExitCode::from(code))
}

/// The input folder, for showing paths relative to it.
pub fn source_root(source: &iro_ingest::InputSource) -> Option<&std::path::Path> {
    match source {
        iro_ingest::InputSource::Folder(p) => Some(p.as_path()),
        iro_ingest::InputSource::Manifest(m) => m.base.as_deref(),
    }
}

fn print_table(
    out: &mut dyn Write,
    loaded: &iro_ingest::Loaded,
    s: &Summary,
    args: &ValidateArgs,
    root: Option<&std::path::Path>,
) -> std::io::Result<()> {
    let quiet = args.common.quiet;
    let errors_only: Vec<Diagnostic>;
    let diagnostics: &[Diagnostic] = if quiet {
        errors_only = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        &errors_only
    } else {
        &loaded.diagnostics
    };
    problems::print(
        out,
        diagnostics,
        &View {
            examples: 3,
            all: args.all,
            personal: args.personal,
            notes: args.common.verbose > 0,
            root,
            all_command: "iro validate --all",
        },
    )?;
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
