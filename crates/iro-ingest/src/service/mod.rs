//! The IRO service's own records (`docs/DATA.md`, "IRO service records"):
//! review meetings, IRO allocations, midway reviews and DRP escalations,
//! exported from the authority's case system into the same year folders as
//! its SSDA903 files.
//!
//! * Files are recognised by their header row ([`recognise`]), after the
//!   SSDA903 tables: a file that is a complete SSDA903 table is never claimed.
//! * Every row is read by the column rules of [`schema`], with the same kind of
//!   diagnostics as the SSDA903 tables (file, line, column, rule); for every
//!   (authority, year, table), rows read = rows used + rows excluded
//!   ([`iro_domain::ServiceRowAccount`]).
//! * Rows are linked to the authority's SSDA903 cohort: CHILD must be one of
//!   its children (namespaced by authority, as in the SSDA903), and a HELD
//!   review joins the SSDA903 Reviews table on CHILD + REVIEW. Mismatches are
//!   reported both ways: a held review missing from the SSDA903, and an
//!   SSDA903 review with no IRO record.
//! * The same key in several years' files: the latest year's copy wins.
//! * The same records may come from Data to Insight's Standard Safeguarding
//!   Dataset extracts instead ([`ssd`]): recognised by their own headers and
//!   read onto the same fields, with the same checks.

mod link;
mod parse;
pub mod rules;
pub mod schema;
pub mod ssd;

pub(crate) use link::load_la;

use iro_domain::{ServiceTable, TableKind};

use crate::loaded::FileStatus;

/// What a file whose header is no complete SSDA903 table is to the IRO
/// service's records: a bespoke table ([`recognise`]), an SSD extract of one
/// ([`ssd::recognise`]: `ssd_cla_reviews`, `ssd_involvements`), or the SSD
/// table that links reviews to children (`ssd_cla_episodes`). `None`: neither.
pub fn recognise_file<S: AsRef<str>>(names: &[S]) -> Option<FileStatus> {
    if let Some(t) = recognise(names) {
        return Some(FileStatus::ServiceRecords(t));
    }
    ssd::recognise(names).map(|t| match t {
        ssd::SsdTable::ClaEpisodes => FileStatus::ServiceLink(t.service_table()),
        _ => FileStatus::ServiceRecords(t.service_table()),
    })
}

/// Whether a column belongs to some SSDA903 table.
fn is_ssda903_column(name: &str) -> bool {
    TableKind::ALL.iter().any(|t| t.columns().contains(&name))
}

/// Recognises an IRO-service table from its normalised header row (trimmed,
/// upper-cased; see [`crate::normalise_header`]).
///
/// A table matches when all its required columns are present; among several,
/// the one with the most of its columns present wins. A header with CHILD and
/// at least three of a table's own columns (those in no SSDA903 table) is
/// that table with columns missing: it is claimed, and reported and excluded
/// when read. Anything else is `None`.
pub fn recognise<S: AsRef<str>>(names: &[S]) -> Option<ServiceTable> {
    let has = |c: &str| names.iter().any(|n| n.as_ref() == c);
    let mut best: Option<(bool, usize, ServiceTable)> = None;
    for t in ServiceTable::ALL {
        let complete = t.required_columns().iter().all(|c| has(c));
        let matched = t.columns().iter().filter(|c| has(c)).count();
        let own = t
            .columns()
            .iter()
            .filter(|c| !is_ssda903_column(c) && has(c))
            .count();
        if !(complete || (has("CHILD") && own >= 3)) {
            continue;
        }
        let score = (complete, matched, t);
        if best.is_none_or(|b| (score.0, score.1) > (b.0, b.1)) {
            best = Some(score);
        }
    }
    best.map(|(_, _, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(h: &[&str]) -> Option<ServiceTable> {
        recognise(h)
    }

    #[test]
    fn recognises_each_table_by_its_columns() {
        for t in ServiceTable::ALL {
            assert_eq!(recognise(t.columns()), Some(t), "{t}");
            assert_eq!(recognise(t.required_columns()), Some(t), "{t}");
        }
        // A held-review export with the child's DOB beside it is still IRO reviews.
        assert_eq!(
            rec(&["CHILD", "DOB", "REVIEW", "STATUS", "IRO_ID"]),
            Some(ServiceTable::IroReviews)
        );
    }

    #[test]
    fn ssda903_tables_and_strangers_are_not_claimed() {
        for t in TableKind::ALL {
            assert_eq!(recognise(t.columns()), None, "{t}");
        }
        assert_eq!(rec(&["CHILD", "REVIEW", "REVIEW_DUE", "STATUS"]), None);
        assert_eq!(rec(&["NAME", "ADDRESS"]), None);
        assert_eq!(rec(&[]), None);
    }

    #[test]
    fn incomplete_headers_are_claimed_to_be_reported() {
        // No IRO_END: allocations with a column missing.
        assert_eq!(
            rec(&["CHILD", "IRO_ID", "IRO_START", "CHANGE_REASON"]),
            Some(ServiceTable::IroAllocations)
        );
        // Without CHILD nothing is claimed.
        assert_eq!(rec(&["IRO_ID", "IRO_START", "IRO_END"]), None);
    }
}
