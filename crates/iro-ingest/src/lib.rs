//! # iro-ingest
//!
//! Turns SSDA903 CSV files into one checked [`iro_domain::Cohort`] per local
//! authority, plus every [`iro_domain::Diagnostic`] found and a
//! [`iro_domain::RowAccount`] per (authority, year, table).
//!
//! * **Never panics, never drops a row silently.** For every (LA, year, table),
//!   rows read = rows used + rows excluded, and every excluded row is covered by
//!   a diagnostic (an error, or `row.duplicate` / `row.blank`). Rows superseded by
//!   a later year's copy of the same key (last year's open episode replaced by
//!   this year's copy with its DEC) count as used.
//! * **Whole-run failures only** are [`IngestError`]s: the input folder missing or
//!   unreadable, no data at all, an invalid manifest. A bad file is a diagnostic
//!   and the run goes on.
//! * Tables are recognised by their **header row** ([`detect_table`]), whatever
//!   the files are called. The IRO service's own records (reviews, IRO
//!   allocations, midway reviews, DRP escalations; [`service`]) are recognised
//!   the same way, read, linked to the cohort and attached to it
//!   ([`iro_domain::Cohort::service`]). Other CSVs are listed as
//!   [`FileStatus::Unrecognised`] with an `Info` diagnostic, or claimed through
//!   [`LoadOptions::other_tables`].
//! * **The collection year is checked against the data** (`src/years.rs`): a year
//!   folder whose rows fit another year (named by the year the return starts)
//!   is an error, `year.mismatch`, and its rows are excluded and counted.
//! * **Files with LA/YEAR columns** (the LIIA tools' pooled files) are split
//!   into authority-years before reading (`src/split.rs`); each part is read as if
//!   in its own folder, with its rows' lines in the file.
//! * **SSDA903 XML returns** (`.xml`, root `<EXPSSDA903>`) are read into
//!   one part per table they carry before reading (`src/xml.rs`), each row
//!   with its line in the XML and its element path (`Diagnostic::within`).
//! * Files are parsed in parallel and authorities merged in parallel (rayon).
//!
//! The rules are listed, with severities and what happens to the row, in
//! `RULES.md` (generated from [`rules::ALL`]).
//!
//! ```no_run
//! use iro_ingest::{load, InputSource, LoadOptions};
//! let loaded = load(&InputSource::Folder("data/sample".into()), &LoadOptions::default())?;
//! for cohort in &loaded.cohorts {
//!     println!("{}: {} children", cohort.la(), cohort.children().len());
//! }
//! # Ok::<(), iro_ingest::IngestError>(())
//! ```
//!
//! ## Decisions where the specification was silent
//!
//! * Two files of one table for one LA-year are both read (warning
//!   `file.duplicate_table`); their rows are de-duplicated by key as if they were
//!   one file, the earlier file name winning.
//! * Severity follows `iro_domain::Severity`: error = the row (or file) was
//!   excluded; warning = the row was kept. So an unreadable DOB is a warning
//!   (the DOB is blanked), an unreadable DECOM or DEC an error (the row goes: a
//!   DEC read as blank would make a closed episode look open).
//! * Non-standard but unambiguous dates (`1/4/2024`, `2024-04-01`,
//!   `01/04/2024 00:00`) are read, with one `date.nonstandard` warning per file and
//!   column giving the count.
//! * A REC without a DEC is ignored (148); an episode with no DEC followed by
//!   another of the child is closed on the next DECOM (142). Neither invents a
//!   code.
//! * Children are numbered in CHILD order (byte order of the identifier), so
//!   `ChildIdx` order is stable whatever order the files come in. CHILD
//!   strings linked by leading zeros keep the longer form.
//! * Repeated warnings of one kind in one file and column (dates written ISO,
//!   SEX coded 1/2 in a 2024-25 return, CHILD written `123.0`) are reported once,
//!   at the first line, with the count; every excluded row has its own
//!   diagnostic, except blank rows (one `row.blank` per file, with the count),
//!   files excluded whole (`header.missing_columns`) and rows of a month-first
//!   date column whose key date is ambiguous (one `date.month_first` per file
//!   and column, with the counts).
//! * Only a table's essential columns (`TableKind::essential_columns`)
//!   exclude a file when missing; any other missing column is read as blank
//!   (`header.column_absent`, once) and recorded on the cohort, and the
//!   figures that need it are made not computable downstream
//!   (`iro_metric_api::apply_column_needs`). A near-match header is named
//!   ("did you mean"), never used in the column's place.
//! * Lines are physical lines (`lines`): `\r\n` and a lone `\r` end a line as
//!   `\n` does, blank lines and line breaks inside quoted fields count.
//! * Rows superseded by a later year's copy of the same key count as used;
//!   `RowAccount` has no separate column for them.
//! * A table given for a year before it was collected (`table.not_in_year`) is
//!   still read.
//!
//! ## Speed
//!
//! One file buffer, CSV reader and CHILD map per thread, reused from file to
//! file. A file with no quote character (nearly all) is split into rows and
//! fields in place, exactly as the csv reader would split it (same rows, same
//! line numbers: a test compares the two), eight bytes at a time, every field
//! end of a word found from one mask; files with quotes go through the csv
//! reader. Dates, codes and CHILD are parsed from bytes, codes and postcodes
//! through small per-thread caches (and whether a code is one its year may
//! not use, once per column and code); CHILD identifiers of up to 15 bytes are
//! packed into integers, and while a file's identifiers ascend (files are
//! usually sorted by CHILD) a new one needs no map lookup at all. Header
//! detection scores tables without building their column maps.
//! De-duplication sorts `(u64 key, row number)` pairs and gathers rows once;
//! periods of care and placements are derived into one vector per cohort.
//! The LA/YEAR pre-pass (`src/split.rs`) reads only each file's first row
//! (split in place, no csv reader built per file), and a whole file only when
//! it has those columns.

mod checks;
mod child_id;
mod dates;
mod error;
mod header;
mod lines;
mod loaded;
mod merge;
mod options;
mod read;
pub mod rules;
pub mod service;
mod source;
mod split;
mod staged;
pub mod workbook;
mod xml;
mod years;

use std::collections::BTreeMap;

use iro_domain::{Cohort, Diagnostic, LaCode, RowAccount};
use rayon::prelude::*;

pub use child_id::{ChildId, clean_child_id, strip_leading_zeros};
pub use dates::{DateProblem, DateValue, parse_date};
pub use error::IngestError;
pub use header::{
    ColumnMap, HeaderMatch, detect_table, has_columns, looks_like_ssda903, map_columns,
    match_table, nearest_table, normalise_header,
};
pub use loaded::{FileInfo, FileStatus, HeaderCheck, Loaded};
pub use options::{LoadOptions, OtherTable};
pub use source::{InputSource, Manifest, ManifestFile, parse_table_name, parse_year_name};
pub use split::{LA_COLUMNS, UnplacedRows, YEAR_COLUMNS};

/// Loads every SSDA903 file of `source` into one cohort per authority.
pub fn load(source: &InputSource, opts: &LoadOptions) -> Result<Loaded, IngestError> {
    load_inner(source, opts, None)
}

/// One authority as ingest finishes it, before the next is read: its cohort
/// and everything found while reading it.
#[derive(Debug, Clone, Copy)]
pub struct LaLoaded<'a> {
    pub cohort: &'a Cohort,
    /// This authority's diagnostics (not yet in the order of
    /// [`Loaded::diagnostics`]).
    pub diagnostics: &'a [Diagnostic],
    /// Rows read, used and excluded per year and table.
    pub accounts: &'a [RowAccount],
    /// The files read for this authority.
    pub files: &'a [FileInfo],
}

/// [`load`], handing each authority to `each` as soon as it is read, then
/// letting go of its child-level records ([`Cohort::release_records`]): a
/// national input is never in memory all at once. `each` runs on the worker
/// threads, for several authorities at a time, in no set order.
///
/// The cohorts of the [`Loaded`] returned hold no child-level records (their
/// authority, years, tables and figure basis only); everything else
/// (diagnostics, row accounts, files) is as [`load`] gives it.
pub fn load_each(
    source: &InputSource,
    opts: &LoadOptions,
    each: &(dyn Fn(&LaLoaded<'_>) + Sync),
) -> Result<Loaded, IngestError> {
    load_inner(source, opts, Some(each))
}

fn load_inner(
    source: &InputSource,
    opts: &LoadOptions,
    each: Option<&(dyn Fn(&LaLoaded<'_>) + Sync)>,
) -> Result<Loaded, IngestError> {
    let mut disc = source::discover(source, opts)?;
    // A workbook is read as a file per sheet.
    workbook::open_all(&mut disc, opts);
    // Files with LA/YEAR columns are split into authority-years first.
    let unplaced = split::place_rows(&mut disc, opts);
    // XML returns become one task per table they carry.
    xml::expand(&mut disc, opts);
    if let InputSource::Folder(root) = source
        && disc.files.is_empty()
        && disc.la_years.is_empty()
        && unplaced.is_empty()
    {
        return Err(IngestError::NoData(root.clone()));
    }
    let disc_diagnostics = disc.diagnostics;

    // Files keep their index in the sorted list: it is `SourceRef::file`.
    let mut by_la: BTreeMap<LaCode, Vec<(u32, source::FileTask)>> = BTreeMap::new();
    for (i, f) in disc.files.into_iter().enumerate() {
        by_la.entry(f.la).or_default().push((i as u32, f));
    }
    for la in disc.la_years.keys() {
        by_la.entry(*la).or_default();
    }
    let empty = Default::default();
    let outputs: Vec<(merge::LaOutput, Vec<iro_domain::ServiceRowAccount>)> = by_la
        .into_par_iter()
        .map(|(la, tasks)| {
            let mut parsed: Vec<read::ParsedFile> = tasks
                .par_iter()
                .map(|(i, t)| read::read_file(*i, t, opts))
                .collect();
            // A year folder holding another year's return is excluded here.
            let year_check = years::check_years(la, &tasks, &mut parsed);
            let years = disc.la_years.get(&la).unwrap_or(&empty);
            let mut out = merge::merge_la(la, years, parsed, opts.figure_basis);
            out.cohort.set_absent_columns(absent_columns(&out.files));
            out.diags.extend(year_check.errors);
            let service = service::load_la(la, &out.cohort, &out.files, &year_check.excluded_years);
            for (idx, status, rows) in service.files {
                if let Some((_, f)) = out.files.iter_mut().find(|(i, _)| *i == idx) {
                    f.status = status;
                    f.rows = rows;
                }
            }
            out.cohort.set_service(service.records);
            let mut service_diags = service.diags;
            xml::place_diagnostics(&mut service_diags, &tasks);
            out.diags.extend(service_diags);
            if let Some(each) = each {
                // Found before the authority's files were read (a file that
                // could not be opened, a folder named for another year).
                let mut diagnostics: Vec<Diagnostic> = disc_diagnostics
                    .iter()
                    .filter(|d| d.la == Some(la))
                    .cloned()
                    .collect();
                diagnostics.extend(out.diags.iter().cloned());
                let files: Vec<FileInfo> = out.files.iter().map(|(_, f)| f.clone()).collect();
                each(&LaLoaded {
                    cohort: &out.cohort,
                    diagnostics: &diagnostics,
                    accounts: &out.accounts,
                    files: &files,
                });
                out.cohort.release_records();
            }
            (out, service.accounts)
        })
        .collect();

    let mut diagnostics = disc_diagnostics;
    let mut cohorts = Vec::with_capacity(outputs.len());
    let mut accounts = Vec::new();
    let mut service_accounts = Vec::new();
    let mut files = Vec::new();
    for (o, s) in outputs {
        cohorts.push(o.cohort);
        diagnostics.extend(o.diags);
        accounts.extend(o.accounts);
        service_accounts.extend(s);
        files.extend(o.files);
    }
    files.sort_by_key(|(i, _)| *i);
    let files = files.into_iter().map(|(_, f)| f).collect();
    sort_diagnostics(&mut diagnostics);
    Ok(Loaded {
        cohorts,
        diagnostics,
        accounts,
        service_accounts,
        files,
        unplaced,
    })
}

/// The columns each file read lacked (read as blank): what a figure needing
/// one of them checks before it is computed.
fn absent_columns(files: &[(u32, FileInfo)]) -> Vec<iro_domain::AbsentColumn> {
    let mut out = Vec::new();
    for (_, f) in files {
        let (FileStatus::Read, Some(table), Some(check)) = (&f.status, f.table, &f.header_check)
        else {
            continue;
        };
        for name in &check.absent {
            if let Some(column) = iro_domain::Column::find(table, name) {
                out.push(iro_domain::AbsentColumn {
                    year: f.year,
                    column,
                    file: f
                        .path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                });
            }
        }
    }
    out
}

/// Sorts by LA, year, file, line, column, rule (stable, so ties keep their order).
fn sort_diagnostics(d: &mut [Diagnostic]) {
    d.sort_by(|a, b| {
        (a.la, a.year, &a.file, a.line, a.column, &a.rule, a.table)
            .cmp(&(b.la, b.year, &b.file, b.line, b.column, &b.rule, b.table))
    });
}
