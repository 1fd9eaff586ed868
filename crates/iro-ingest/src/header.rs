//! Recognising SSDA903 tables by their header row, whatever the file is called.
//!
//! Header names are compared after removing a UTF-8 byte-order mark, trimming
//! spaces and upper-casing. Column order is free and extra columns are allowed.

use iro_domain::TableKind;

/// Normalises one header cell: strips a UTF-8 BOM, trims, upper-cases.
pub fn normalise_header(raw: &[u8]) -> String {
    let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
    String::from_utf8_lossy(raw.trim_ascii())
        .trim()
        .to_ascii_uppercase()
}

/// Where each of a table's columns is in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub table: TableKind,
    /// For each column of [`TableKind::columns`], its 0-based index in the file.
    pub index: Vec<Option<usize>>,
    /// Header names in the file that are not columns of the table (non-blank).
    pub extra: Vec<String>,
    /// Optional columns (older returns) the file lacks.
    pub missing_optional: Vec<&'static str>,
    /// Required columns the file lacks (empty when the file is usable).
    pub missing: Vec<&'static str>,
    /// Column names that appear more than once (the first is used).
    pub duplicates: Vec<String>,
}

impl ColumnMap {
    /// The file column holding the table's column `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        let i = self.table.columns().iter().position(|c| *c == name)?;
        self.index[i]
    }

    /// Whether every required column is present.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Maps normalised header names onto `table`'s columns.
pub fn map_columns<S: AsRef<str>>(table: TableKind, headers: &[S]) -> ColumnMap {
    let cols = table.columns();
    let optional = table.optional_columns();
    let mut index = vec![None; cols.len()];
    let mut extra = Vec::new();
    let mut duplicates = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.as_ref();
        match cols.iter().position(|c| *c == h) {
            Some(c) if index[c].is_none() => index[c] = Some(i),
            Some(_) => duplicates.push(h.to_string()),
            None if h.is_empty() => {}
            None => extra.push(h.to_string()),
        }
    }
    let mut missing = Vec::new();
    let mut missing_optional = Vec::new();
    for (c, name) in cols.iter().enumerate() {
        if index[c].is_none() {
            if optional.contains(name) {
                missing_optional.push(*name);
            } else {
                missing.push(*name);
            }
        }
    }
    ColumnMap {
        table,
        index,
        extra,
        missing_optional,
        missing,
        duplicates,
    }
}

/// What a header row looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderMatch {
    /// A usable SSDA903 table (perhaps with extra or missing optional columns).
    Table(ColumnMap),
    /// Recognisably this table, but required columns are missing (`map.missing`).
    Incomplete(ColumnMap),
    /// Not an SSDA903 table.
    Unrecognised,
}

/// Recognises a table from its (raw or normalised) header cells.
///
/// A table matches when all its required columns are present; among several,
/// the one with the most columns wins (a Header file with an extra `DUC` column
/// is a Header, not a UASC file). A file that has CHILD, at least three of a
/// table's required columns and lacks at most two is reported as
/// [`HeaderMatch::Incomplete`]; anything else is [`HeaderMatch::Unrecognised`].
pub fn detect_table<S: AsRef<[u8]>>(headers: &[S]) -> HeaderMatch {
    let names: Vec<String> = headers
        .iter()
        .map(|h| normalise_header(h.as_ref()))
        .collect();
    detect_normalised(&names)
}

pub(crate) fn detect_normalised(names: &[String]) -> HeaderMatch {
    // Score every table without building its column map (this runs for every
    // file), then map the winner's columns.
    let mut best: Option<(TableKind, usize)> = None;
    let mut best_incomplete: Option<(TableKind, usize)> = None;
    for table in TableKind::ALL {
        let optional = table.optional_columns();
        let (mut matched, mut missing, mut has_child) = (0usize, 0usize, false);
        for &col in table.columns() {
            if names.iter().any(|h| h == col) {
                matched += 1;
                has_child |= col == "CHILD";
            } else if !optional.contains(&col) {
                missing += 1;
            }
        }
        if missing == 0 {
            if best.is_none_or(|(_, m)| matched > m) {
                best = Some((table, matched));
            }
        } else {
            let required = table.columns().len() - optional.len();
            let found_required = required - missing;
            if has_child
                && found_required >= 3
                && missing <= 2
                && best_incomplete.is_none_or(|(_, m)| matched > m)
            {
                best_incomplete = Some((table, matched));
            }
        }
    }
    match (best, best_incomplete) {
        (Some((table, _)), _) => HeaderMatch::Table(map_columns(table, names)),
        (None, Some((table, _))) => HeaderMatch::Incomplete(map_columns(table, names)),
        (None, None) => HeaderMatch::Unrecognised,
    }
}

/// Matches headers against one given table (a manifest that names the table).
pub fn match_table<S: AsRef<[u8]>>(table: TableKind, headers: &[S]) -> HeaderMatch {
    let names: Vec<String> = headers
        .iter()
        .map(|h| normalise_header(h.as_ref()))
        .collect();
    let map = map_columns(table, &names);
    if map.is_complete() {
        HeaderMatch::Table(map)
    } else {
        HeaderMatch::Incomplete(map)
    }
}

/// Does this header row look like an SSDA903 table (all required columns present)?
pub fn looks_like_ssda903<S: AsRef<[u8]>>(headers: &[S]) -> Option<TableKind> {
    match detect_table(headers) {
        HeaderMatch::Table(m) => Some(m.table),
        _ => None,
    }
}

/// Whether normalised `headers` contain every one of `required` (compared
/// after the same normalisation).
pub fn has_columns<S: AsRef<str>, R: AsRef<str>>(headers: &[S], required: &[R]) -> bool {
    required.iter().all(|r| {
        let r = normalise_header(r.as_ref().as_bytes());
        headers.iter().any(|h| h.as_ref() == r)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Detection as first written: every table's full column map, compared.
    fn detect_by_maps(names: &[String]) -> HeaderMatch {
        let mut best: Option<(ColumnMap, usize)> = None;
        let mut best_incomplete: Option<(ColumnMap, usize)> = None;
        for table in TableKind::ALL {
            let map = map_columns(table, names);
            let matched = map.index.iter().filter(|i| i.is_some()).count();
            if map.is_complete() {
                if best.as_ref().is_none_or(|(_, m)| matched > *m) {
                    best = Some((map, matched));
                }
            } else {
                let required = table.columns().len() - table.optional_columns().len();
                let has_child = map.position("CHILD").is_some();
                let found_required = required - map.missing.len();
                if has_child
                    && found_required >= 3
                    && map.missing.len() <= 2
                    && best_incomplete.as_ref().is_none_or(|(_, m)| matched > *m)
                {
                    best_incomplete = Some((map, matched));
                }
            }
        }
        match (best, best_incomplete) {
            (Some((map, _)), _) => HeaderMatch::Table(map),
            (None, Some((map, _))) => HeaderMatch::Incomplete(map),
            (None, None) => HeaderMatch::Unrecognised,
        }
    }

    #[test]
    fn scoring_matches_full_column_maps() {
        // Headers drawn from every table's columns (with repeats, blanks and
        // strangers), in many combinations.
        let mut pool: Vec<&str> = TableKind::ALL
            .iter()
            .flat_map(|t| t.columns().iter().copied())
            .collect();
        pool.extend(["", "NOTES", "CHILD", "DOB"]);
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for t in TableKind::ALL {
            let cols: Vec<String> = t.columns().iter().map(|c| c.to_string()).collect();
            assert_eq!(detect_normalised(&cols), detect_by_maps(&cols), "{t}");
        }
        for _ in 0..20_000 {
            let base = TableKind::ALL[next(TableKind::ALL.len())];
            let mut names: Vec<String> = base
                .columns()
                .iter()
                .filter(|_| next(5) != 0)
                .map(|c| c.to_string())
                .collect();
            for _ in 0..next(4) {
                names.insert(next(names.len() + 1), pool[next(pool.len())].to_string());
            }
            assert_eq!(
                detect_normalised(&names),
                detect_by_maps(&names),
                "{names:?}"
            );
        }
    }

    #[test]
    fn recognises_with_bom_case_spaces_and_order() {
        let h = [
            "\u{feff}child",
            " Sex ",
            "dob",
            "ETHNIC",
            "upn",
            "MOTHER",
            "mc_dob",
        ];
        match detect_table(&h) {
            HeaderMatch::Table(m) => {
                assert_eq!(m.table, TableKind::Header);
                assert_eq!(m.position("CHILD"), Some(0));
                assert_eq!(m.position("MC_DOB"), Some(6));
                assert!(m.extra.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let r = ["REVIEW_CODE", "REVIEW", "DOB", "CHILD"];
        assert_eq!(looks_like_ssda903(&r), Some(TableKind::Reviews));
    }

    #[test]
    fn extra_and_missing_columns() {
        let mut h: Vec<&str> = TableKind::Episodes.columns().to_vec();
        h.push("PL_DISTANCE");
        h.push("");
        match detect_table(&h) {
            HeaderMatch::Table(m) => {
                assert_eq!(m.table, TableKind::Episodes);
                assert_eq!(m.extra, vec!["PL_DISTANCE".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        // Older return: no PLACE_PROVIDER, REASON_PLACE_CHANGE, URN.
        let old: Vec<&str> = TableKind::Episodes
            .columns()
            .iter()
            .copied()
            .filter(|c| !TableKind::Episodes.optional_columns().contains(c))
            .collect();
        match detect_table(&old) {
            HeaderMatch::Table(m) => assert_eq!(m.missing_optional.len(), 3),
            other => panic!("{other:?}"),
        }
        // Required columns missing.
        let broken: Vec<&str> = TableKind::Episodes
            .columns()
            .iter()
            .copied()
            .filter(|c| *c != "CIN" && *c != "LS")
            .collect();
        match detect_table(&broken) {
            HeaderMatch::Incomplete(m) => {
                assert_eq!(m.table, TableKind::Episodes);
                assert_eq!(m.missing, vec!["LS", "CIN"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn header_with_duc_is_header_not_uasc() {
        let mut h: Vec<&str> = TableKind::Header.columns().to_vec();
        h.push("DUC");
        assert_eq!(looks_like_ssda903(&h), Some(TableKind::Header));
        assert_eq!(
            looks_like_ssda903(&["CHILD", "SEX", "DOB", "DUC"]),
            Some(TableKind::Uasc)
        );
    }

    #[test]
    fn iro_records_are_not_ssda903() {
        let h = [
            "CHILD",
            "REVIEW",
            "REVIEW_DUE",
            "REVIEW_TYPE",
            "STATUS",
            "IRO_ID",
        ];
        assert_eq!(detect_table(&h), HeaderMatch::Unrecognised);
        assert_eq!(
            detect_table(&["DRP_ID", "CHILD", "RAISED"]),
            HeaderMatch::Unrecognised
        );
        assert_eq!(detect_table::<&str>(&[]), HeaderMatch::Unrecognised);
    }

    #[test]
    fn duplicate_columns_use_the_first() {
        let h = ["CHILD", "DOB", "REVIEW", "REVIEW_CODE", "child"];
        match detect_table(&h) {
            HeaderMatch::Table(m) => {
                assert_eq!(m.position("CHILD"), Some(0));
                assert_eq!(m.duplicates, vec!["CHILD".to_string()]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn manifest_table_must_be_complete() {
        let h = ["CHILD", "DOB", "REVIEW"];
        assert!(matches!(
            match_table(TableKind::Reviews, &h),
            HeaderMatch::Incomplete(m) if m.missing == vec!["REVIEW_CODE"]
        ));
        assert!(has_columns(&["CHILD", "REVIEW_DUE"], &["review_due"]));
    }
}
