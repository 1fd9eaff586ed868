//! The catalogue of every rule the loader can report: its name, severity, the
//! DfE validation rule it mirrors (if any) and what happens to the row.
//!
//! `RULES.md` in this crate is generated from this table (see the
//! `rules_md_is_up_to_date` test), so the two cannot drift apart.

use iro_domain::Severity;

/// One rule the loader can report.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    /// The stable name used in [`iro_domain::Diagnostic::rule`].
    pub name: &'static str,
    /// The severity, or `None` when it depends on the field (error when the
    /// row is excluded, warning when only the value is blanked).
    pub severity: Option<Severity>,
    /// The DfE validation rule it corresponds to, if any.
    pub dfe: &'static str,
    /// What the check is.
    pub check: &'static str,
    /// What happens to the row or file.
    pub action: &'static str,
}

use Severity::{Error as E, Info as I, Warning as W};

macro_rules! rules {
    ($( $ident:ident = $name:literal, $sev:expr, $dfe:literal, $check:literal, $action:literal; )+) => {
        $( pub const $ident: &str = $name; )+
        /// Every rule, in documentation order.
        pub const ALL: &[RuleInfo] = &[ $( RuleInfo { name: $name, severity: $sev, dfe: $dfe, check: $check, action: $action }, )+ ];
    };
}

rules! {
    FOLDER_UNRECOGNISED = "folder.unrecognised", Some(W), "",
        "A folder in the input whose name is not a DfE 3-digit LA code (top level) or a collection year (`2025` or `2024-25`, inside an LA folder)",
        "Folder ignored";
    FILE_UNREADABLE = "file.unreadable", Some(E), "",
        "The file could not be opened or read (missing, permissions, I/O error)",
        "File skipped";
    FILE_EMPTY = "file.empty", Some(E), "",
        "The file is empty or has no header line",
        "File skipped";
    FILE_BINARY = "file.binary", Some(E), "",
        "The file holds binary data (NUL bytes), e.g. a spreadsheet renamed to .csv",
        "File skipped";
    FILE_ENCODING = "file.encoding", Some(E), "",
        "The file is UTF-16 (or another multi-byte encoding); SSDA903 CSVs must be UTF-8",
        "File skipped";
    FILE_DELIMITER = "file.delimiter", Some(E), "",
        "The file is separated by semicolons, tabs or bars, not commas (its header row would otherwise match a table)",
        "File skipped";
    FILE_INVALID_UTF8 = "file.invalid_utf8", Some(W), "",
        "Some bytes are not valid UTF-8 (e.g. a Windows-1252 export); reported once per file with the first line",
        "File read; codes and dates are ASCII and unaffected, text fields get U+FFFD";
    FILE_NOT_CSV = "file.not_csv", Some(I), "",
        "A file that is not a `.csv` or an SSDA903 `.xml` return sits in a year folder",
        "File ignored";
    FILE_MISPLACED = "file.misplaced", Some(W), "",
        "A CSV outside an `<la>/<year>` folder (at the top of the input or directly in an LA folder) without LA and YEAR columns to place its rows, or an XML return there (it names neither authority nor year)",
        "File ignored";
    FILE_UNRECOGNISED = "file.unrecognised", Some(I), "",
        "A CSV whose header row matches no SSDA903 table (IRO-service record files are expected here)",
        "File not read as SSDA903; listed in `Loaded::files` with status `Unrecognised`";
    FILE_DUPLICATE_TABLE = "file.duplicate_table", Some(W), "",
        "Two or more files hold the same table for one LA and year",
        "All are read; rows are de-duplicated by key across them (`row.duplicate`, `row.duplicate_key`)";
    FILE_YEAR_MISMATCH = "file.year_mismatch", Some(W), "",
        "Most dated rows of the file belong to another collection year than its folder (or manifest) says",
        "Rows kept under the stated year; the message names the likely year";
    YEAR_MISMATCH = "year.mismatch", Some(E), "",
        "The dates of a year folder's rows, across all its tables (DECOM and DEC of episodes, open or closed, and REVIEW), fit another collection year than its name gives (a folder named by the year the return starts: `2021` for 2021-22). A bare year names the year the return ends; also checked for a manifest's `year` and for rows placed by a YEAR column",
        "Every row of the folder's SSDA903 files excluded and counted as read and excluded (the year's figures are not computable); the message names the year the data fit and how to rename the folder";
    FILE_PLACED_BY_COLUMNS = "file.placed_by_columns", Some(I), "",
        "A file with an LA column (`LA`, `LA_CODE`, `LA Code`, `LOCAL_AUTHORITY`, …) and/or a YEAR column (`YEAR`, `COLLECTION_YEAR`, …), as the LIIA tools write: its rows are placed in authority-years by them; a blank cell falls back to the folder",
        "Each authority-year's rows read as if in its own folder (with their lines in the file); the message lists them";
    FILE_PLACEMENT_DISAGREES = "file.placement_disagrees", Some(W), "",
        "The LA/YEAR columns of a file in an `<la>/<year>` folder put rows in another authority or year",
        "Rows read where the columns say";
    XML_MALFORMED = "xml.malformed", Some(E), "",
        "An `.xml` file that is not well-formed XML (the parser's line and reason), is empty, or whose root element is not `<EXPSSDA903>`",
        "File excluded: the records it holds (counted by their elements) are counted as read and excluded, one error per table; its tables are not supplied";
    XML_CHILD_WITHOUT_ID = "xml.child_without_id", Some(E), "",
        "A `<CHILD>` of an XML return without a CHILDID in its HEADER (or with a blank one), or without a HEADER",
        "The child's records excluded, one error per table with the count, at the CHILD element's line";
    XML_TEXT_IN_GROUP = "xml.text_in_group", None, "",
        "Text directly inside a group element of an XML return (`CHILD`, `HEADER`, `EPISODE`, `AREVIEW`…), where only elements belong",
        "Error: the record excluded (in CHILD or HEADER: all the child's records); warning, text between the CHILD elements: ignored";
    XML_UNKNOWN_ELEMENT = "xml.unknown_element", Some(I), "",
        "An element the 2021 SSDA903 XML schema (v3.3.0) does not have where it is found (a later year's addition such as social-worker episodes, or a misplaced item); one per element and parent, with the count and first line",
        "Not read";
    XML_REPEATED_ELEMENT = "xml.repeated_element", Some(W), "",
        "An item given twice in one record of an XML return (two DECOMs in one EPISODE), or a CHILD with more than one HEADER",
        "The first is read; several HEADERs are read as one";
    XML_UASC_FLAG = "xml.uasc_flag", Some(W), "",
        "The HEADER's UASC flag of an XML return is neither 1 nor 0 (blank)",
        "The child is read as unaccompanied (a UASC row) only if a DUC is given";
    ROW_LA_UNKNOWN = "row.la_unknown", Some(E), "",
        "An LA cell that is not a DfE 3-digit code, nor the ONS code or name of an authority in the reference data (or blank, in a file outside an LA folder)",
        "Rows excluded, one diagnostic per value with the count and first line; listed in `Loaded::unplaced`";
    ROW_YEAR_UNREADABLE = "row.year_unreadable", Some(E), "",
        "A YEAR cell that is not a collection year (`2025`, `2024-25`, `202425`, …), or blank in a file outside a year folder",
        "Rows excluded, one diagnostic per value with the count and first line; listed in `Loaded::unplaced`";
    HEADER_MISSING_COLUMNS = "header.missing_columns", Some(E), "",
        "The header is recognisably one table's but lacks a column without which no row can be used (CHILD, the table's key dates and codes: `TableKind::essential_columns`); a header that nearly matches is named (\"DATE_START — did you mean DECOM?\")",
        "File excluded: every data row counted as read and excluded";
    HEADER_COLUMN_ABSENT = "header.column_absent", Some(W), "",
        "The header lacks a required column that rows can do without (PL_POST, REVIEW_CODE, CIN…); one per column, naming a near match (\"PL_POSTCODE — did you mean PL_POST?\")",
        "File read with the column blank for every row; the figures that need the column are not computable for that year (never computed on the blanks)";
    HEADER_MISSING_OPTIONAL = "header.missing_optional_columns", Some(W), "",
        "The header lacks columns that older returns did not have (PLACE_PROVIDER, REASON_PLACE_CHANGE, URN)",
        "File read; those fields are blank";
    HEADER_EXTRA_COLUMNS = "header.extra_columns", Some(W), "",
        "The header has columns that are not part of the table",
        "Extra columns ignored";
    HEADER_DUPLICATE_COLUMN = "header.duplicate_column", Some(W), "",
        "A column name appears twice in the header",
        "The first one is used";
    TABLE_MISSING = "table.missing", Some(E), "",
        "An LA-year folder (or manifest year) has no Header or no Episodes table",
        "Nothing to exclude; metrics for that year are not computable";
    TABLE_NOT_SUPPLIED = "table.not_supplied", Some(I), "",
        "An LA-year has no Reviews or no UASC table",
        "Metrics needing it are not computable for that year";
    TABLE_NOT_IN_YEAR = "table.not_in_year", Some(W), "",
        "A table supplied for a year before it was collected (Missing before 2014-15, PrevPerm before 2016-17, SWEpisodes before 2023-24)",
        "Rows kept";
    ROW_RAGGED = "row.ragged", Some(E), "",
        "The row has fewer fields than the header, or extra non-blank fields",
        "Row excluded";
    ROW_MALFORMED_QUOTE = "row.malformed_quote", Some(E), "",
        "An unbalanced quote made a field run over line ends (the lines it swallowed are counted as rows)",
        "Row and swallowed lines excluded";
    ROW_BLANK = "row.blank", Some(I), "",
        "Rows whose fields are all blank (one diagnostic per file, with the count and first line)",
        "Rows excluded";
    ROW_DUPLICATE = "row.duplicate", Some(W), "",
        "An exact copy of an earlier row of the same table, LA and year",
        "Copy excluded";
    ROW_DUPLICATE_KEY = "row.duplicate_key", Some(E), "INT31–INT36",
        "Same key as an earlier row of the same table, LA and year but different content (keys: Header, UASC, PrevPerm, OC2, OC3, AD1, PlacedAdoption CHILD; Episodes CHILD+DECOM; Reviews CHILD+REVIEW; Missing CHILD+MIS_START+MISSING; SWEpisodes CHILD+SW_DECOM; DoLo CHILD+DOLO_START)",
        "The later row (by file name, then line) is excluded";
    CHILD_BLANK = "child.blank", Some(E), "",
        "CHILD is blank",
        "Row excluded";
    CHILD_INVALID = "child.invalid", Some(E), "",
        "CHILD holds non-UTF-8 bytes or control characters",
        "Row excluded";
    CHILD_EXCEL_FLOAT = "child.excel_float", Some(W), "",
        "CHILD ends in `.0` (spreadsheet turned it into a number)",
        "Repaired (`.0` removed); row kept";
    CHILD_EXCEL_SCIENTIFIC = "child.excel_scientific", Some(E), "",
        "CHILD is in scientific notation (`1.2E+05`): the digits are lost",
        "Row excluded";
    CHILD_LEADING_ZEROS = "child.leading_zeros", Some(W), "",
        "CHILD matches exactly one Header child (or another year's Header child) only once leading zeros are removed",
        "Linked to that child; row kept";
    CHILD_NOT_IN_HEADER_EPISODES = "dfe.INT03", Some(W), "INT03",
        "Episodes CHILD not in that year's Header",
        "Row kept; a child with unknown demographics is created if no year's Header has it";
    CHILD_NOT_IN_HEADER_REVIEWS = "dfe.INT08", Some(W), "INT08",
        "Reviews CHILD not in that year's Header",
        "Row kept; child created as for INT03";
    CHILD_NOT_IN_HEADER = "child.not_in_header", Some(W), "",
        "CHILD of another table (UASC, Missing, OC2, …) not in that year's Header",
        "Row kept; child created as for INT03";
    CHILD_DOB_CHANGED = "child.dob_changed", Some(W), "",
        "An earlier year's Header gives a different DOB from the latest Header",
        "Latest Header wins";
    CHILD_SEX_CHANGED = "child.sex_changed", Some(W), "",
        "An earlier year's Header gives a different SEX (1/2 read as M/F) from the latest Header",
        "Latest Header wins";
    REVIEWS_DOB_MISMATCH = "dfe.INT17", Some(W), "INT17",
        "Reviews DOB differs from the Header DOB",
        "Row kept; Header DOB used";
    DOB_MISMATCH = "child.dob_mismatch", Some(W), "",
        "DOB in UASC, Missing, OC2, OC3, PrevPerm, SWEpisodes, AD1 or PlacedAdoption differs from the Header DOB",
        "Row kept; Header DOB used";
    UASC_SEX_MISMATCH = "dfe.INT21", Some(W), "INT21",
        "UASC SEX differs from the Header SEX",
        "Row kept; Header SEX used";
    DATE_UNPARSABLE = "date.unparsable", None, "141, 147, 166, …",
        "A date that is not DD/MM/YYYY (or an accepted variant): Excel serials (hint given), two-digit years, impossible dates (31/02/2024), years outside 1900–2099",
        "Error and row excluded for key and end dates (DECOM, DEC, REVIEW, MIS_START, MIS_END, SW_DECOM, SW_DEC, DOLO_START, DOLO_END); warning and value blanked otherwise (DOB, MC_DOB, DUC, DATE_PERM, AD1/PlacedAdoption dates)";
    DATE_MONTH_FIRST = "date.month_first", Some(E), "",
        "A date column reads as month-first (MM/DD/YYYY): values with a day above 12 in the second place, none above 12 in the first, across the column in the file; reported once per file and column with the counts",
        "Values that can only be month-first are read so; ambiguous ones (both parts 12 or under, and not equal) are unreadable: the row is excluded for key and end dates, the value blanked otherwise";
    DATE_NONSTANDARD = "date.nonstandard", Some(W), "",
        "A date written D/M/YYYY, YYYY-MM-DD, or with a time of day",
        "Date read; row kept";
    CODE_UNKNOWN = "code.unknown", None, "143, 144, 145, 146, 149, 167, …",
        "A code not in the DfE list for the field (after trimming and upper-casing)",
        "Error and row excluded for RNE, LS and MISSING; warning and value blanked otherwise (PREV_PERM is kept as written)";
    CODE_NOT_VALID_IN_YEAR = "code.not_valid_in_year", Some(W), "101, 146, 149",
        "A code outside its years: PLACE K3 before 2024-25, H5/P2/Z1 from 2025-26, Z11–Z14 before 2025-26; REC E43/E44 from 2018-19, E45–E48 before it; REASON_PLACE_CHANGE CUSTOD before 2018-19; SEX 1/2 from 2024-25, M/F/U before it",
        "Row kept, code used";
    FIELD_REQUIRED_BLANK = "field.required_blank", None, "",
        "A field the DfE requires is blank",
        "Error and row excluded for key fields (DECOM, RNE, LS, REVIEW, MISSING, MIS_START, SW_ID, SW_DECOM, DOLO_START, PREV_PERM, IN_TOUCH); warning otherwise";
    FIELD_INVALID = "field.invalid", Some(W), "180, …",
        "A number or 0/1 flag that cannot be read (SDQ_SCORE outside 0–40, MOTHER not 0/1, …)",
        "Value blanked; row kept";
    POSTCODE_INVALID = "postcode.invalid", Some(W), "",
        "HOME_POST or PL_POST is not a UK postcode shape",
        "Value blanked; row kept";
    DEC_BEFORE_DECOM = "dfe.356", Some(E), "356",
        "DEC is before DECOM",
        "Row excluded";
    DECOM_EQUALS_DEC = "dfe.355", Some(W), "355",
        "The episode starts and ends on the same day",
        "Row kept";
    DECOM_AFTER_YEAR = "dfe.354", Some(W), "354",
        "DECOM after the end of the collection year of the return",
        "Row kept";
    DEC_AFTER_YEAR = "dfe.385", Some(W), "385",
        "DEC after the end of the collection year of the return",
        "Row kept";
    DEC_REC_PAIR = "dfe.148", Some(W), "148",
        "DEC and REC are not both filled or both blank",
        "Row kept; a REC without a DEC is ignored (the episode is open)";
    OPEN_NOT_LAST = "dfe.142", Some(W), "142",
        "An episode without DEC is followed by another episode of the child",
        "Closed on the next DECOM (the day before if the next episode is RNE = S); REC left blank";
    OPEN_NOT_CARRIED_FORWARD = "episode.open_not_carried_forward", Some(W), "562, NoE",
        "An episode open at the end of its year Y, when the LA supplied Episodes for Y+1 and nothing there continues it",
        "Closed at 31 March of Y (or the day before the child's next RNE = S episode); REC left blank, so the period of care shows a broken chain";
    MISSING_FROM_EARLIER_RETURN = "episode.missing_from_earlier_return", Some(W), "",
        "Episodes in a later return that were open during an earlier loaded year but are absent from that year's return (one diagnostic per authority and earlier year, with the count and the first such row)",
        "Rows kept for the history; the earlier year's figures leave them out (its own return did), unless `--revised`";
    RETURNS_DISAGREE = "return.flow_mismatch", Some(W), "",
        "A year's return has a different number of periods of care open on 1 April from the previous year's return at 31 March (the message gives both, the difference and the episodes behind it)",
        "Nothing excluded; each year's figures come from its own return (or the merged history with `--revised`)";
    X1_CHAIN = "dfe.388", Some(W), "388",
        "REC = X1 but no episode starts on DEC; an episode starts on DEC but REC ≠ X1",
        "Row kept";
    S_START_OVERLAP = "dfe.431", Some(W), "431",
        "RNE = S but the episode starts on or before the previous DEC",
        "Row kept";
    AFTER_LEAVING_NOT_S = "dfe.432", Some(W), "432",
        "The previous episode ended with a leaving REC but RNE ≠ S",
        "Row kept";
    NOT_ON_PREVIOUS_DEC = "dfe.433", Some(W), "433",
        "RNE is P, L, T, U or B but DECOM ≠ the previous DEC",
        "Row kept";
    OVERLAP = "dfe.501", Some(W), "501",
        "The episode starts before the previous episode's DEC",
        "Row kept";
    FIRST_NOT_S = "dfe.357", Some(W), "357",
        "The child's first episode is not RNE = S (checked only when it starts inside the years supplied)",
        "Row kept";
    CIN_CHANGED = "dfe.504", Some(W), "504",
        "CIN changes within a period of care",
        "Row kept";
    REVIEW_OUTSIDE_CARE = "review.outside_care", Some(W), "",
        "A review before the child's first DECOM, after care ended, or between periods of care (checked when that year's Episodes were supplied)",
        "Row kept";
    REVIEW_BEFORE_DOB = "review.before_dob", Some(W), "",
        "A review dated before the child's DOB",
        "Row kept";
    PN0_AGED_4 = "dfe.440", Some(W), "440",
        "REVIEW_CODE PN0 but the child was aged 4 or over at the review",
        "Row kept";
    PN_UNDER_4 = "dfe.441", Some(W), "441",
        "REVIEW_CODE PN1–PN7 but the child was under 4 at the review",
        "Row kept";
    DOLO_END_BEFORE_START = "dfe.702", Some(E), "702",
        "DoLo: DOLO_END is before DOLO_START",
        "Row excluded";
    DOLO_START_AFTER_YEAR = "dfe.703", Some(W), "703",
        "DoLo: DOLO_START after the end of the collection year of the return",
        "Row kept";
    DOLO_END_OUTSIDE_YEAR = "dfe.704", Some(W), "704",
        "DoLo: DOLO_END before the start or after the end of the collection year of the return",
        "Row kept";
    DOLO_OVERLAP = "dfe.705", Some(W), "705",
        "DoLo: an order starts while the child's previous order is still open (no DOLO_END, or DOLO_END after this DOLO_START)",
        "Row kept";
    DOLO_NOT_CARRIED_FORWARD = "dfe.706", Some(W), "706",
        "DoLo: an order open at the end of its year Y, when the LA supplied a DoLo table for Y+1 and that table does not return it again",
        "Row kept; the order is taken as open from that return on";
    DOLO_OUTSIDE_CARE = "dfe.707", Some(W), "707",
        "DoLo: an order outside every period of care of the child: open once care has ended, open from before care began, or ending after care ended or before it began (checked when that year's Episodes were supplied)",
        "Row kept";
    DOLO_BEFORE_DOB = "dfe.708", Some(W), "708",
        "DoLo: DOLO_START before the child's DOB",
        "Row kept";
    DOLO_PLACEMENT_UNEXPECTED = "dfe.709", Some(W), "709",
        "DoLo: an episode in force during an order has a PLACE other than K2, Z12 or Z13 (and not one rule 710 names)",
        "Rows kept";
    DOLO_PLACEMENT_NOT_ALLOWED = "dfe.710", Some(W), "710",
        "DoLo: an episode in force during an order is in a secure children's home (K1), placed with parents (P1), a young offender institution or prison (R5) or supported accommodation (K3)",
        "Rows kept";
}

/// Rules whose diagnostic is about a whole file (or year folder) that was not
/// read as SSDA903: the root cause when a table is missing.
pub const FILE_NOT_READ: &[&str] = &[
    FILE_UNREADABLE,
    FILE_EMPTY,
    FILE_BINARY,
    FILE_ENCODING,
    FILE_DELIMITER,
    FILE_NOT_CSV,
    FILE_UNRECOGNISED,
    FILE_MISPLACED,
    HEADER_MISSING_COLUMNS,
    YEAR_MISMATCH,
];

/// How each field is treated when it is blank or cannot be read.
///
/// * **key**: blank or unreadable → error, row excluded;
/// * **end**: may be blank; unreadable → error, row excluded (a blank end would
///   make a closed spell look open);
/// * **required**: blank or unreadable → warning, value blank, row kept;
/// * **optional**: may be blank; unreadable → warning, value blank, row kept.
pub const FIELD_POLICY: &[(&str, &[(&str, &str)])] = &[
    (
        "Header",
        &[
            ("CHILD", "key"),
            ("SEX", "required (1/2 read as M/F)"),
            ("DOB", "required"),
            ("ETHNIC", "required"),
            ("UPN", "required (kept as written)"),
            ("MOTHER", "optional (0/1)"),
            ("MC_DOB", "optional"),
        ],
    ),
    (
        "Episodes",
        &[
            ("CHILD", "key"),
            ("DECOM", "key"),
            ("RNE", "key"),
            ("LS", "key"),
            ("CIN", "required"),
            ("PLACE", "required"),
            ("PLACE_PROVIDER", "optional"),
            ("DEC", "end (DEC < DECOM: error, excluded)"),
            ("REC", "optional (ignored when DEC is blank)"),
            ("REASON_PLACE_CHANGE", "optional"),
            ("HOME_POST", "optional (postcode shape checked)"),
            ("PL_POST", "optional (postcode shape checked)"),
            ("URN", "optional (kept as written)"),
        ],
    ),
    (
        "Reviews",
        &[
            ("CHILD", "key"),
            ("DOB", "optional (checked against Header, INT17)"),
            ("REVIEW", "key"),
            ("REVIEW_CODE", "required"),
        ],
    ),
    (
        "UASC",
        &[
            ("CHILD", "key"),
            ("SEX", "required (checked against Header, INT21)"),
            ("DOB", "optional (checked against Header)"),
            ("DUC", "optional"),
        ],
    ),
    (
        "Missing",
        &[
            ("CHILD", "key"),
            ("DOB", "optional (checked against Header)"),
            ("MISSING", "key"),
            ("MIS_START", "key"),
            ("MIS_END", "end"),
        ],
    ),
    (
        "SWEpisodes",
        &[
            ("CHILD", "key"),
            ("DOB", "optional (checked against Header)"),
            ("SW_ID", "key"),
            ("SW_DECOM", "key"),
            ("SW_DEC", "end"),
            ("SW_REASON", "optional"),
        ],
    ),
    (
        "DoLo",
        &[
            ("CHILD", "key"),
            ("DOB", "optional (checked against Header)"),
            ("DOLO_START", "key"),
            ("DOLO_END", "end"),
        ],
    ),
    (
        "PrevPerm",
        &[
            ("CHILD", "key"),
            ("DOB", "optional (checked against Header)"),
            (
                "PREV_PERM",
                "key (an unknown code is kept as written, with a warning)",
            ),
            ("LA_PERM", "optional (kept as written)"),
            ("DATE_PERM", "optional"),
        ],
    ),
    (
        "OC2",
        &[
            ("CHILD", "key"),
            ("DOB", "optional (checked against Header)"),
            ("SDQ_SCORE", "optional (0–40)"),
            ("SDQ_REASON", "optional"),
            ("CONVICTED … INTERVENTION_OFFERED", "optional (0/1)"),
        ],
    ),
    (
        "OC3",
        &[
            ("CHILD", "key"),
            ("DOB", "optional (checked against Header)"),
            ("IN_TOUCH", "key (kept as written)"),
            ("ACTIV", "optional (kept as written)"),
            ("ACCOM", "optional (kept as written)"),
        ],
    ),
    (
        "AD1, PlacedAdoption",
        &[
            ("CHILD", "key"),
            ("DOB", "optional (checked against Header)"),
            (
                "other columns",
                "kept as text; dates and REASON_PLACED_CEASED checked (warnings)",
            ),
        ],
    ),
];

/// Looks a rule up by name.
pub fn rule_info(name: &str) -> Option<&'static RuleInfo> {
    ALL.iter().find(|r| r.name == name)
}

/// The rule table as Markdown (the body of `RULES.md`).
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "# iro-ingest rules\n\n\
         Every diagnostic the SSDA903 loader (`iro-ingest`) can report. Severities follow\n\
         `iro_domain::Severity`: **error** means the row (or file) was excluded, **warning**\n\
         means the row was kept (perhaps repaired or with a field blanked), **info** changes no\n\
         figure. Row accounting holds for every (LA, year, table): rows read = rows used + rows\n\
         excluded, and every excluded row is covered by an error (or a `row.duplicate` /\n\
         `row.blank`) diagnostic. Rows superseded by a later year's copy of the same key count\n\
         as used.\n\n\
         Generated from `crates/iro-ingest/src/rules.rs` (test `rules_md_is_up_to_date`).\n\n\
         | Rule | Severity | DfE rule | Check | What happens |\n\
         |---|---|---|---|---|\n",
    );
    for r in ALL {
        let sev = match r.severity {
            Some(s) => s.label().to_string(),
            None => "error / warning".to_string(),
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.name, sev, r.dfe, r.check, r.action
        ));
    }
    s.push_str(
        "\n## Fields\n\n\
         What happens when a field is blank or cannot be read. **key**: error, row\n\
         excluded. **end**: may be blank; unreadable is an error and the row is excluded\n\
         (a blank end would make a closed spell look open). **required**: warning, value\n\
         blank, row kept. **optional**: may be blank; unreadable is a warning and the\n\
         value is blank. Codes are trimmed and upper-cased first; CHILD is trimmed and\n\
         repaired as described above.\n\n\
         | Table | Field | Treatment |\n|---|---|---|\n",
    );
    for (table, fields) in FIELD_POLICY {
        for (field, how) in *fields {
            s.push_str(&format!("| {table} | {field} | {how} |\n"));
        }
    }
    s.push_str(
        "\n## Keys and merging across years\n\n\
         | Table | Key | Across years |\n|---|---|---|\n\
         | Header | CHILD | latest year wins; earlier differing DOB/SEX reported |\n\
         | UASC | CHILD | latest year wins |\n\
         | Episodes | CHILD, DECOM | latest year wins (last year's open copy replaced) |\n\
         | Reviews | CHILD, REVIEW | latest year wins |\n\
         | Missing | CHILD, MIS_START, MISSING | latest year wins |\n\
         | SWEpisodes | CHILD, SW_DECOM | latest year wins |\n\
         | PrevPerm | CHILD | latest year wins |\n\
         | OC2, OC3, AD1, PlacedAdoption | CHILD (per year) | one row per child and year |\n\n\
         Within one year (one or several files) an exact copy is `row.duplicate`, a\n\
         different row with the same key is `row.duplicate_key`; the row from the\n\
         earlier file name (then the earlier line) is kept.\n",
    );
    s.push_str(
        "\n## IRO service records\n\n\
         The IRO service's own record files, and the same records read from Standard\n\
         Safeguarding Dataset extracts (`ssd.*`), have rules of their own, generated from\n\
         `crates/iro-ingest/src/service/rules.rs` (also in `docs/DATA.md`, \"IRO service\n\
         records\"). \"error / warning\": error when the row is excluded, warning when only\n\
         the value is blanked.\n\n",
    );
    s.push_str(&crate::service::rules::markdown());
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = ALL.iter().map(|r| r.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len());
    }

    #[test]
    fn rules_md_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/RULES.md");
        let want = rules_markdown();
        let have = std::fs::read_to_string(path).unwrap_or_default();
        if have != want {
            if std::env::var_os("IRO_UPDATE_RULES").is_some() {
                std::fs::write(path, &want).expect("write RULES.md");
            } else {
                panic!(
                    "RULES.md is out of date: run `IRO_UPDATE_RULES=1 cargo test -p iro-ingest rules_md`"
                );
            }
        }
    }
}
