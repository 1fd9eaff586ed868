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
    /// Essential columns ([`TableKind::essential_columns`]) the file lacks
    /// (empty when the file is usable).
    pub missing: Vec<&'static str>,
    /// Other required columns the file lacks: read as blank, and the figures
    /// that need them are not computable.
    pub absent: Vec<&'static str>,
    /// Header cells of the file that nearly match a lacking column: (the
    /// header as written in the file, normalised; the column it probably is).
    pub did_you_mean: Vec<(String, &'static str)>,
    /// Column names that appear more than once (the first is used).
    pub duplicates: Vec<String>,
}

impl ColumnMap {
    /// The file column holding the table's column `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        let i = self.table.columns().iter().position(|c| *c == name)?;
        self.index[i]
    }

    /// Whether every essential column is present (the file can be read).
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }

    /// The near match found for a lacking column, if any.
    pub fn suggestion_for(&self, column: &str) -> Option<&str> {
        self.did_you_mean
            .iter()
            .find(|(_, c)| *c == column)
            .map(|(h, _)| h.as_str())
    }

    /// `COL` or `COL (FOUND — did you mean COL?)`, for messages.
    pub fn describe_lacking(&self, column: &str) -> String {
        match self.suggestion_for(column) {
            Some(h) => format!("{column} ({h} — did you mean {column}?)"),
            None => column.to_string(),
        }
    }
}

/// A header with spaces, underscores, hyphens and dots removed (already
/// upper-cased by [`normalise_header`]): `Pl-Post` and `PL POST` are `PLPOST`.
fn squash(h: &str) -> String {
    h.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .collect()
}

/// Headers case-management exports use for SSDA903 columns (squashed, see
/// [`squash`]), and the column each is.
const COMMON_RENAMES: &[(&str, &str)] = &[
    ("CHILDID", "CHILD"),
    ("CHILDREF", "CHILD"),
    ("PERSONID", "CHILD"),
    ("CLIENTID", "CHILD"),
    ("LACHILDID", "CHILD"),
    ("DATEOFBIRTH", "DOB"),
    ("BIRTHDATE", "DOB"),
    ("GENDER", "SEX"),
    ("ETHNICITY", "ETHNIC"),
    ("ETHNICORIGIN", "ETHNIC"),
    ("STARTDATE", "DECOM"),
    ("EPISODESTART", "DECOM"),
    ("EPISODESTARTDATE", "DECOM"),
    ("DATEEPISODECOMMENCED", "DECOM"),
    ("ENDDATE", "DEC"),
    ("EPISODEEND", "DEC"),
    ("EPISODEENDDATE", "DEC"),
    ("DATEEPISODECEASED", "DEC"),
    ("REASONNEWEPISODE", "RNE"),
    ("LEGALSTATUS", "LS"),
    ("CATEGORYOFNEED", "CIN"),
    ("PLACEMENTTYPE", "PLACE"),
    ("PLACEMENT", "PLACE"),
    ("PLACEMENTPROVIDER", "PLACE_PROVIDER"),
    ("REASONEPISODECEASED", "REC"),
    ("REASONFORCHANGE", "REASON_PLACE_CHANGE"),
    ("HOMEPOSTCODE", "HOME_POST"),
    ("PLACEMENTPOSTCODE", "PL_POST"),
    ("PLPOSTCODE", "PL_POST"),
    ("REVIEWDATE", "REVIEW"),
    ("DATEOFREVIEW", "REVIEW"),
    ("PARTICIPATION", "REVIEW_CODE"),
    ("PARTICIPATIONCODE", "REVIEW_CODE"),
    ("REVIEWPARTICIPATION", "REVIEW_CODE"),
    ("PNCODE", "REVIEW_CODE"),
    ("UASCENDDATE", "DUC"),
];

/// Whether header `h` (normalised) is probably `column` written another way:
/// the same once spaces, underscores, hyphens and dots are dropped; a common
/// case-management rename; the column's name with something added
/// (`PL_POSTCODE`); or one letter off (`DECCOM`).
fn nearly(h: &str, column: &str) -> bool {
    let (a, b) = (squash(h), squash(column));
    if a.is_empty() {
        return false;
    }
    a == b
        || COMMON_RENAMES.iter().any(|(r, c)| *r == a && *c == column)
        || (b.len() >= 4 && a.starts_with(&b) && a.len() <= b.len() + 6)
        || (b.len() >= 4 && within_one_edit(&a, &b))
}

/// Whether `a` becomes `b` by inserting, deleting or changing one character.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if prefix == short.len() {
        // Equal, or one character added at the end.
        return true;
    }
    if short.len() == long.len() {
        short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// Near matches between the headers a file has that are no column of the
/// table (`extra`) and the columns it lacks: each header used once, the
/// columns in table order.
fn near_matches(lacking: &[&'static str], extra: &[String]) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for &c in lacking {
        if let Some(h) = extra
            .iter()
            .find(|h| nearly(h, c) && !out.iter().any(|(u, _)| u == *h))
        {
            out.push((h.clone(), c));
        }
    }
    out
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
    let mut absent = Vec::new();
    let mut missing_optional = Vec::new();
    let essential = table.essential_columns();
    for (c, name) in cols.iter().enumerate() {
        if index[c].is_none() {
            if optional.contains(name) {
                missing_optional.push(*name);
            } else if essential.contains(name) {
                missing.push(*name);
            } else {
                absent.push(*name);
            }
        }
    }
    let lacking: Vec<&'static str> = cols
        .iter()
        .enumerate()
        .filter(|(c, _)| index[*c].is_none())
        .map(|(_, n)| *n)
        .collect();
    let did_you_mean = if lacking.is_empty() || extra.is_empty() {
        Vec::new()
    } else {
        near_matches(&lacking, &extra)
    };
    ColumnMap {
        table,
        index,
        extra,
        missing_optional,
        missing,
        absent,
        did_you_mean,
        duplicates,
    }
}

/// The SSDA903 table a header that matches none is closest to: the one with
/// the most of its columns present (as written or nearly), at least two of
/// them. Its map says what is lacking, what is extra and the near matches.
pub fn nearest_table<S: AsRef<str>>(headers: &[S]) -> Option<ColumnMap> {
    let names: Vec<&str> = headers.iter().map(AsRef::as_ref).collect();
    let mut best: Option<(usize, usize, TableKind)> = None;
    for table in TableKind::ALL {
        let cols = table.columns();
        let score = cols
            .iter()
            .filter(|c| names.iter().any(|h| h == *c || nearly(h, c)))
            .count();
        // Fewer columns lacking breaks a tie (a Header over a UASC file).
        let key = (score, usize::MAX - cols.len(), table);
        if score >= 2 && best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
            best = Some(key);
        }
    }
    best.map(|(_, _, t)| map_columns(t, &names))
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
            let lacking = map.missing.len() + map.absent.len();
            if lacking == 0 {
                if best.as_ref().is_none_or(|(_, m)| matched > *m) {
                    best = Some((map, matched));
                }
            } else {
                let required = table.columns().len() - table.optional_columns().len();
                let has_child = map.position("CHILD").is_some();
                let found_required = required - lacking;
                if has_child
                    && found_required >= 3
                    && lacking <= 2
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
                // LS is essential; CIN can be read as blank.
                assert_eq!(m.missing, vec!["LS"]);
                assert_eq!(m.absent, vec!["CIN"]);
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
            HeaderMatch::Table(m) if m.absent == vec!["REVIEW_CODE"] && m.missing.is_empty()
        ));
        assert!(matches!(
            match_table(TableKind::Reviews, &["CHILD", "DOB", "REVIEW_CODE"]),
            HeaderMatch::Incomplete(m) if m.missing == vec!["REVIEW"]
        ));
        assert!(has_columns(&["CHILD", "REVIEW_DUE"], &["review_due"]));
    }

    #[test]
    fn near_matches_are_named() {
        let mut h: Vec<&str> = TableKind::Episodes.columns().to_vec();
        let at = h.iter().position(|c| *c == "PL_POST").unwrap();
        h[at] = "PL_POSTCODE";
        let names: Vec<String> = h.iter().map(|s| normalise_header(s.as_bytes())).collect();
        match detect_normalised(&names) {
            HeaderMatch::Incomplete(m) => {
                assert!(m.missing.is_empty());
                assert_eq!(m.absent, vec!["PL_POST"]);
                assert_eq!(m.suggestion_for("PL_POST"), Some("PL_POSTCODE"));
                assert_eq!(
                    m.describe_lacking("PL_POST"),
                    "PL_POST (PL_POSTCODE — did you mean PL_POST?)"
                );
            }
            other => panic!("{other:?}"),
        }
        for (written, column) in [
            ("REVIEW CODE", "REVIEW_CODE"),
            ("REVIEW-CODE", "REVIEW_CODE"),
            ("REVIEWCODE", "REVIEW_CODE"),
            ("PARTICIPATION", "REVIEW_CODE"),
            ("DATE_OF_BIRTH", "DOB"),
            ("DECCOM", "DECOM"),
            ("START_DATE", "DECOM"),
            ("HOME_POSTCODE", "HOME_POST"),
        ] {
            assert!(nearly(written, column), "{written} {column}");
        }
        for (written, column) in [
            ("DOB", "DEC"),
            ("REC", "RNE"),
            ("NOTES", "CIN"),
            ("", "LS"),
            ("URN", "UPN"),
        ] {
            assert!(!nearly(written, column), "{written} {column}");
        }
        assert!(within_one_edit("DECOM", "DECOMX"));
        assert!(within_one_edit("DECOM", "DXCOM"));
        assert!(!within_one_edit("DECOM", "DXCOX"));
        assert!(within_one_edit("", "A"));
    }

    #[test]
    fn a_header_matching_no_table_names_the_nearest() {
        let h = ["CHILD_ID", "START_DATE", "RNE", "LS", "END_DATE", "NOTES"];
        let names: Vec<String> = h.iter().map(|s| normalise_header(s.as_bytes())).collect();
        assert_eq!(detect_normalised(&names), HeaderMatch::Unrecognised);
        let m = nearest_table(&names).expect("nearest");
        assert_eq!(m.table, TableKind::Episodes);
        assert_eq!(m.suggestion_for("CHILD"), Some("CHILD_ID"));
        assert_eq!(m.suggestion_for("DECOM"), Some("START_DATE"));
        assert_eq!(m.suggestion_for("DEC"), Some("END_DATE"));
        assert!(m.extra.contains(&"NOTES".to_string()));
        assert_eq!(nearest_table(&["NAME", "ADDRESS"]), None);
    }
}
