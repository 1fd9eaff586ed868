//! Does a year folder hold that year's return? The dates of all its rows say.
//!
//! A folder named `2021` is read as the 2020-21 return (a bare year names the
//! year the return ends, as the DfE does). Authorities that name folders by
//! the year the return *starts* would otherwise get every figure a year out.
//! So each year folder (each manifest year, each YEAR-column year) is checked
//! against its own rows, across its tables: an episode fits collection year Y
//! when it started by 31 March of Y and ended in Y or is still open; a review
//! fits Y when held in Y. A folder whose rows fit another year clearly better
//! (by at least 3 rows and a tenth of its dated rows) is an error naming the
//! year its data fit and how to rename it, and its SSDA903 rows are excluded
//! and counted as read and excluded: not counted under the wrong year.
//!
//! A single file whose rows fit another year than its folder (one table copied
//! from the wrong year) stays a warning, `file.year_mismatch`, as before.

use std::collections::BTreeMap;
use std::path::PathBuf;

use iro_domain::{CollectionYear, Diagnostic, LaCode, Severity};

use crate::loaded::FileStatus;
use crate::read::ParsedFile;
use crate::rules;
use crate::source::{FileTask, YearSource};

/// The rows of one year's folder (or manifest year, or YEAR-column year).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Folder(PathBuf),
    Manifest,
    Column,
}

/// Rules whose diagnostics only restate a wrong year: dropped for the rows of
/// a folder found to hold another year's return.
const RESTATED: &[&str] = &[
    rules::FILE_YEAR_MISMATCH,
    rules::DECOM_AFTER_YEAR,
    rules::DEC_AFTER_YEAR,
    rules::CODE_NOT_VALID_IN_YEAR,
    rules::TABLE_NOT_IN_YEAR,
];

/// Checks every year group of one authority's files (`tasks[i]` was read into
/// `files[i]`), excludes the rows of groups that hold another year's return,
/// and returns the errors saying so.
pub(crate) fn check_years(
    la: LaCode,
    tasks: &[(u32, FileTask)],
    files: &mut [ParsedFile],
) -> YearCheck {
    let mut groups: BTreeMap<(CollectionYear, Group), Vec<usize>> = BTreeMap::new();
    for (k, (_, t)) in tasks.iter().enumerate() {
        let g = match t.year_source {
            YearSource::Folder => {
                Group::Folder(t.path.parent().map(PathBuf::from).unwrap_or_default())
            }
            YearSource::Manifest => Group::Manifest,
            YearSource::Column => Group::Column,
        };
        groups.entry((t.year, g)).or_default().push(k);
    }
    let years_present: Vec<CollectionYear> = groups.keys().map(|(y, _)| *y).collect();
    let mut out = YearCheck::default();
    for ((year, group), members) in groups {
        let mut hits = [0u64; 7];
        let mut dated = 0u64;
        for &k in &members {
            let f = &files[k];
            if f.info.status != FileStatus::Read {
                continue;
            }
            for (h, x) in hits.iter_mut().zip(f.year_hits) {
                *h += x;
            }
            dated += f.dated_rows;
        }
        let Some(likely) = other_year(year, &hits, dated) else {
            continue;
        };
        let own = hits[3];
        let best = hits[(likely.0 - year.0 + 3) as usize];
        let mut rows = 0u64;
        let mut n_files = 0usize;
        for &k in &members {
            let f = &mut files[k];
            if f.info.status != FileStatus::Read {
                continue;
            }
            n_files += 1;
            rows += f.rows_read;
            f.rows = None;
            f.child_ids = Default::default();
            f.child_first_line = Vec::new();
            f.rows_excluded = f.rows_read;
            f.info.status = FileStatus::Excluded;
            f.diags.retain(|d| !RESTATED.contains(&d.rule.as_str()));
        }
        let fit = format!(
            "{best} of its {dated} dated rows (DECOM, DEC, REVIEW) fit {}, {own} fit {}",
            likely.label(),
            year.label()
        );
        let clash = if years_present.contains(&likely) {
            format!(
                " (LA {la} already has files for {}: check which holds that year's return)",
                likely.label()
            )
        } else {
            String::new()
        };
        let excluded = format!(
            "its {rows} rows in {n_files} SSDA903 file(s) are excluded (counted as read and excluded) until then{clash}"
        );
        let (msg, path) = match &group {
            Group::Folder(dir) => {
                let name = dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let start_year = likely.0 - 1;
                (
                    format!(
                        "folder `{name}` is read as the {} return (a year folder is named by the year the return ends), but its data are the {} return: {fit}. Rename the folder `{start_year}-{:02}` (or `{}`); {excluded}",
                        year.label(),
                        likely.label(),
                        likely.0 % 100,
                        likely.0
                    ),
                    Some(dir.clone()),
                )
            }
            Group::Manifest => (
                format!(
                    "the files listed in the manifest for LA {la} with year {} ({}) hold the {} return: {fit}. Set `year = \"{}\"` for them in iro.toml; {excluded}",
                    year.0,
                    year.label(),
                    likely.label(),
                    likely.label()
                ),
                None,
            ),
            Group::Column => (
                format!(
                    "the rows whose YEAR column gives {} for LA {la} (read as the year the return ends, {}) hold the {} return: {fit}. If YEAR gives the year the return starts, write the span (`{}`) or the year it ends ({}); {excluded}",
                    year.0,
                    year.label(),
                    likely.label(),
                    likely.label(),
                    likely.0
                ),
                None,
            ),
        };
        let mut d = Diagnostic::new(Severity::Error, rules::YEAR_MISMATCH, msg);
        d.la = Some(la);
        d.year = Some(year);
        d.file = path;
        d.value = Some(likely.label());
        out.errors.push(d);
        out.excluded_years.push(year);
    }
    // Another folder of the same year may still hold that year's return.
    out.excluded_years.retain(|y| {
        !tasks
            .iter()
            .zip(files.iter())
            .any(|((_, t), f)| t.year == *y && f.info.status == FileStatus::Read)
    });
    out
}

/// What the year check found for one authority.
#[derive(Debug, Default)]
pub(crate) struct YearCheck {
    /// One `year.mismatch` error per folder (manifest year, YEAR value).
    pub errors: Vec<Diagnostic>,
    /// The years whose SSDA903 rows were excluded: the IRO-service records
    /// filed under them are excluded too.
    pub excluded_years: Vec<CollectionYear>,
}

/// The year a group's rows fit, if clearly not its own: some other year fits
/// at least 3 more rows, and a tenth of the dated rows more, than its own.
fn other_year(year: CollectionYear, hits: &[u64; 7], dated: u64) -> Option<CollectionYear> {
    let own = hits[3];
    let (k, best) = hits
        .iter()
        .enumerate()
        .max_by_key(|(k, h)| (**h, std::cmp::Reverse(k.abs_diff(3))))
        .map(|(k, h)| (k, *h))?;
    let margin = best.saturating_sub(own);
    (k != 3 && dated >= 5 && margin >= 3 && margin * 10 >= dated)
        .then(|| CollectionYear(year.0 + k as i32 - 3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_fits_its_year_unless_another_fits_clearly_better() {
        let y = CollectionYear(2021);
        // Every row fits its own year: nothing to say.
        assert_eq!(other_year(y, &[0, 0, 40, 100, 60, 20, 0], 100), None);
        // A start-year name: the long-open episodes fit both, the rest 2021-22.
        assert_eq!(
            other_year(y, &[0, 0, 30, 40, 100, 40, 40], 100),
            Some(CollectionYear(2022))
        );
        // An end-year shift the other way.
        assert_eq!(
            other_year(y, &[0, 0, 100, 35, 35, 35, 0], 100),
            Some(CollectionYear(2020))
        );
        // Too few dated rows, or too small a margin, to be sure.
        assert_eq!(other_year(y, &[0, 0, 0, 0, 4, 0, 0], 4), None);
        assert_eq!(other_year(y, &[0, 0, 0, 90, 95, 0, 0], 100), None);
    }
}
