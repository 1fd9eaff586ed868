//! `iro reference import-dfe FILE...`: the DfE's published CSVs read,
//! checked and written to the reference overlay (`iro_reference::import`,
//! `iro_reference::overlay`). Arguments and printing only.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use iro_reference::import::{ImportOptions, Severity, import_files};

#[derive(Debug, Args)]
pub struct ImportDfeArgs {
    /// The DfE's CSV files as downloaded from explore-education-statistics
    /// (recognised by their columns): cla_number_and_rate_per_10k_children,
    /// la_cla_placement_stability, la_cla_during_year_new_placements, the
    /// ONS mid-year population estimates, the statistical-neighbour
    /// groupings.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// The overlay folder to write (default: [reference] overlay of
    /// iro.toml, else the user's data directory).
    #[arg(long, value_name = "DIR")]
    overlay: Option<PathBuf>,
    /// The release to label the figures with (default: "DfE CLA <latest
    /// year of the file> release (EES)").
    #[arg(long, value_name = "TEXT")]
    release: Option<String>,
    /// Check the files and print what would be imported; write nothing.
    #[arg(long)]
    check: bool,
    /// Configuration file (default: ./iro.toml if it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Exit code: 0 every file imported (or skipped as not needed); 1
/// imported with warnings, or some files not used; 2 nothing usable
/// (nothing written).
pub fn import_dfe(args: ImportDfeArgs) -> Result<ExitCode> {
    let path = args.config.clone().or_else(|| {
        let p = PathBuf::from("iro.toml");
        p.exists().then_some(p)
    });
    let config = match &path {
        Some(p) => {
            iro_engine::Config::load(p).with_context(|| format!("reading {}", p.display()))?
        }
        None => iro_engine::Config::default(),
    };
    let dir = match args
        .overlay
        .clone()
        .or_else(|| iro_engine::overlay_dir(&config))
    {
        Some(d) => d,
        None => bail!(
            "no folder for the reference overlay: set `[reference] overlay = \"...\"` in iro.toml \
             or pass --overlay DIR"
        ),
    };
    let base = iro_engine::load_base_reference(&config)?;
    let options = ImportOptions {
        release: args.release.clone(),
    };
    let files = import_files(&args.files, &base, &options);
    let mut out = std::io::stdout().lock();
    let mut warnings = false;
    for f in &files {
        let years = match f.years_text() {
            y if y.is_empty() => String::new(),
            y => format!(", {y}"),
        };
        match (f.kind, f.usable()) {
            _ if f.skipped.is_some() => writeln!(
                out,
                "{}: skipped: {}",
                f.file,
                f.skipped.as_deref().unwrap_or("")
            )?,
            (Some(kind), true) => writeln!(
                out,
                "{}: {}{years} ({}): {} rows for {}",
                f.file,
                kind.label(),
                f.release,
                f.rows.len(),
                kind.table().file_name()
            )?,
            (Some(kind), false) => writeln!(out, "{}: {}: NOT imported", f.file, kind.label())?,
            (None, _) => writeln!(out, "{}: NOT imported", f.file)?,
        }
        for (what, n) in &f.rows_not_used {
            writeln!(out, "  {n} rows not used: {what}")?;
        }
        const SHOWN: usize = 20;
        for p in f.problems.iter().take(SHOWN) {
            writeln!(out, "  {p}")?;
        }
        if f.problems.len() > SHOWN {
            writeln!(out, "  … and {} more problems", f.problems.len() - SHOWN)?;
        }
        warnings |= !f.problems.is_empty();
    }
    let usable = files.iter().filter(|f| f.usable()).count();
    if usable == 0 {
        eprintln!(
            "error: nothing usable in the {} file(s) given: nothing was written to {}",
            files.len(),
            dir.display()
        );
        return Ok(ExitCode::from(2));
    }
    if args.check {
        writeln!(
            out,
            "Checked only (--check): nothing was written to {}.",
            dir.display()
        )?;
    } else {
        let written =
            iro_reference::overlay::write_overlay(&dir, &files, std::time::SystemTime::now())?;
        // Load it as every command will, so a problem shows now.
        let reference = base
            .with_overlay(&dir)
            .with_context(|| format!("the overlay written to {} does not load", dir.display()))?;
        let tables: Vec<String> = written
            .tables
            .iter()
            .map(|(t, n)| format!("{} ({n} rows)", t.file_name()))
            .collect();
        writeln!(
            out,
            "Wrote the reference overlay {}: {}; provenance.csv.",
            dir.display(),
            tables.join(", ")
        )?;
        if let Some(applied) = reference.overlay() {
            writeln!(out, "{applied}")?;
        }
        writeln!(
            out,
            "Every iro command now uses these figures over the bundled ones (delete {} to go back \
             to the bundled figures).",
            dir.display()
        )?;
    }
    let all = files.iter().all(|f| f.usable() || f.skipped.is_some());
    let errors = files
        .iter()
        .any(|f| f.problems.iter().any(|p| p.severity == Severity::Error));
    Ok(if all && !warnings && !errors {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
