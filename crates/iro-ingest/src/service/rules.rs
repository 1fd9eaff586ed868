//! Every rule the IRO-service record reader can report, with its severity and
//! what happens to the row. The table in `docs/DATA.md` ("IRO service records",
//! "Checks") lists them; a test keeps the two in step.

use iro_domain::Severity;

/// One rule.
#[derive(Debug, Clone, Copy)]
pub struct ServiceRule {
    /// The stable name used in [`iro_domain::Diagnostic::rule`].
    pub name: &'static str,
    /// The severity, or `None` when it depends on the field (error when the
    /// row is excluded, warning when only the value is blanked).
    pub severity: Option<Severity>,
    /// What the check is.
    pub check: &'static str,
    /// What happens to the row or file.
    pub action: &'static str,
}

use Severity::{Error as E, Info as I, Warning as W};

macro_rules! rules {
    ($( $ident:ident = $name:literal, $sev:expr, $check:literal, $action:literal; )+) => {
        $( pub const $ident: &str = $name; )+
        /// Every rule, in documentation order.
        pub const ALL: &[ServiceRule] = &[ $( ServiceRule { name: $name, severity: $sev, check: $check, action: $action }, )+ ];
    };
}

rules! {
    MISSING_COLUMNS = "iro.missing_columns", Some(E),
        "A file recognised as an IRO-service table lacks one of its required columns",
        "File excluded; its rows are counted as read and excluded";
    MISSING_OPTIONAL = "iro.missing_optional_columns", Some(I),
        "A file leaves out optional columns",
        "File read; measures needing those columns are not computable for its year";
    EXTRA_COLUMNS = "iro.extra_columns", Some(W),
        "Columns that are not part of the table",
        "Ignored";
    DUPLICATE_COLUMN = "iro.duplicate_column", Some(W),
        "A column name appears twice",
        "The first is used";
    DUPLICATE_TABLE = "iro.duplicate_table", Some(W),
        "Two files of the same IRO-service table for one authority and year",
        "Both read; rows de-duplicated by key";
    ROW_BLANK = "iro.row_blank", Some(I),
        "Rows with every field blank (one diagnostic per file, with the count)",
        "Row excluded";
    ROW_RAGGED = "iro.row_ragged", Some(E),
        "A row with fewer fields than the header",
        "Row excluded";
    ROW_MALFORMED = "iro.row_malformed", Some(E),
        "A row the CSV reader cannot read (bad quoting, invalid bytes)",
        "Row excluded";
    FIELD_BLANK = "iro.field_blank", None,
        "A field that must be filled is blank (key fields: error; others: warning)",
        "Key field: row excluded. Other: row kept, value blank";
    DATE_UNPARSABLE = "iro.date_unparsable", None,
        "A date that cannot be read (Excel serial numbers, two-digit years, impossible days)",
        "Key date: row excluded. Other: row kept, date blank";
    DATE_NONSTANDARD = "iro.date_nonstandard", Some(W),
        "Dates written `D/M/YYYY`, ISO or with a time (one per file and column, with the count)",
        "Read";
    CODE_UNKNOWN = "iro.code_unknown", None,
        "A code not in the column's list (STATUS, REVIEW_TYPE, MODE, OUTCOME, Y/N fields, STAGE)",
        "Key code (STATUS, STAGE): row excluded. Other: row kept, value blank";
    CHILD_INVALID = "iro.child_invalid", Some(E),
        "CHILD unreadable: scientific notation (`1.2E+05`), control characters",
        "Row excluded";
    CHILD_EXCEL_FLOAT = "iro.child_excel_float", Some(W),
        "CHILD written `12345.0` by a spreadsheet",
        "Read as `12345`";
    CHILD_UNKNOWN = "iro.child_unknown", Some(E),
        "CHILD matches no child in the authority's SSDA903 files (any year loaded)",
        "Row excluded (the IRO-service records are counted against the SSDA903 cohort)";
    CHILD_LEADING_ZEROS = "iro.child_leading_zeros", Some(W),
        "CHILD matches an SSDA903 child only when leading zeros are ignored",
        "Linked to that child";
    YEAR_MISMATCH = "iro.year_mismatch", Some(W),
        "Rows dated outside the collection year of their folder (one per file, with the count)",
        "Read; figures use each row's own dates";
    DUPLICATE_ROW = "iro.row_duplicate", Some(W),
        "An exact copy of an earlier row of the same year",
        "Copy excluded";
    DUPLICATE_KEY = "iro.duplicate_key", Some(E),
        "Two different rows with the same key in the same year (reviews: CHILD + REVIEW; allocations: CHILD + IRO_ID + IRO_START; midway: CHILD + MIDWAY_DUE or MIDWAY_DATE; DRP: DRP_ID + STAGE + STAGE_START)",
        "Later row excluded. (A copy in a later year's file replaces the earlier year's and counts as used.)";
    REVIEW_NOT_IN_903 = "iro.review_not_in_903", Some(W),
        "A HELD review with no review of that child on that date in the SSDA903 Reviews table of its year",
        "Kept and counted in the service-record figures";
    REVIEW_NO_RECORD = "iro.review_no_record", Some(W),
        "An SSDA903 review with no HELD row in the IRO reviews of its year (reported at the SSDA903 Reviews row)",
        "The review is left out of the service-record figures (counted in `service-records.record-coverage`)";
    REVIEW_STATUS_CONFLICT = "iro.review_status_conflict", Some(W),
        "A CANCELLED or ADJOURNED meeting on a date the SSDA903 Reviews table says a review was held",
        "Kept as written";
    SENT_BEFORE_REVIEW = "iro.sent_before_review", Some(W),
        "DECISIONS_SENT or RECORD_SENT before the review",
        "Date blanked (counted as not sent in time)";
    ALLOCATION_END_BEFORE_START = "iro.allocation_end_before_start", Some(E),
        "IRO_END before IRO_START",
        "Row excluded";
    ALLOCATION_OVERLAP = "iro.allocation_overlap", Some(W),
        "Two allocations of one child to different IROs overlap",
        "Both kept; on an overlapping day the later allocation is the child's IRO";
    ALLOCATION_OUTSIDE_CARE = "iro.allocation_outside_care", Some(W),
        "An allocation that overlaps none of the child's SSDA903 periods of care",
        "Kept; not in care, so not in any caseload";
    MIDWAY_NO_DATES = "iro.midway_no_dates", Some(E),
        "A midway review with neither MIDWAY_DUE nor MIDWAY_DATE",
        "Row excluded";
    DRP_CHILD_MISMATCH = "drp.child_mismatch", Some(E),
        "Rows of one DRP_ID name different children",
        "Rows after the first child's excluded";
    DRP_RAISED_MISMATCH = "drp.raised_mismatch", Some(W),
        "Rows of one DRP_ID give different RAISED dates",
        "The earliest is used for every row";
    DRP_STAGE_BEFORE_RAISED = "drp.stage_before_raised", Some(W),
        "STAGE_START before RAISED",
        "Kept";
    DRP_RESPONSE_BEFORE_STAGE = "drp.response_before_stage", Some(W),
        "RESPONSE_DATE before STAGE_START",
        "Response date blanked";
    DRP_ESCALATED_NO_NEXT = "drp.escalated_no_next", Some(W),
        "OUTCOME ESCALATED but no later stage of that DRP_ID",
        "Kept; the escalation counts as open at its next stage's level";
    DRP_STAGE_AFTER_END = "drp.stage_after_end", Some(W),
        "A stage after one whose OUTCOME ended the escalation (RESOLVED or CLOSED)",
        "Kept; the escalation ends at its last stage";
    DRP_STAGE_ORDER = "drp.stage_order", Some(W),
        "A stage number lower than or equal to the previous stage's (de-escalation or a repeated stage)",
        "Kept; not counted as a skip";
    DRP_OUTSIDE_CARE = "drp.outside_care", Some(W),
        "A DRP raised on a day the child was in no SSDA903 period of care",
        "Kept";
    SSD_CANCELLED_UNKNOWN = "ssd.cancelled_unknown", Some(E),
        "An `ssd_cla_reviews` `clar_cla_review_cancelled` that is not `Y` or `N` (also `YES`/`NO`, `1`/`0`, `TRUE`/`FALSE`; blank is `N`), one per value with the count",
        "Rows excluded (a cancelled meeting must not be counted as held)";
    SSD_PARTICIPATION_UNKNOWN = "ssd.participation_unknown", Some(W),
        "An `ssd_cla_reviews` `clar_cla_review_participation` that is no participation code `PN0`–`PN7` (nor a description starting with one), one per value with the count",
        "Row kept; its participation is not checked against the SSDA903";
    SSD_PLACEHOLDER_DATE = "ssd.placeholder_date", Some(I),
        "An SSD date of 1900-01-01 (the placeholder some deployments write for \"no date\"), one per file and column with the count",
        "Read as blank (a key date: the row is excluded as for any blank key)";
    SSD_REVIEW_NO_DATE = "ssd.review_no_date", Some(I),
        "`ssd_cla_reviews` rows with no `clar_cla_review_date` (a review planned, not held), one per file with the count",
        "Row excluded (no meeting to count)";
    SSD_NOT_IRO = "ssd.not_iro_involvement", Some(I),
        "`ssd_involvements` rows whose `invo_professional_role_id` is not the IRO's, one per role with the count",
        "Row excluded (not an IRO allocation)";
    SSD_ROLE_BLANK = "ssd.role_blank", Some(W),
        "`ssd_involvements` rows with a blank `invo_professional_role_id`, one per file with the count",
        "Row excluded (it cannot be told to be an IRO allocation)";
    SSD_NO_CLA_EPISODES = "ssd.no_cla_episodes", Some(E),
        "An `ssd_cla_reviews` file names each review's `clar_cla_id` or `clar_cla_episode_id` (no `clar_cla_person_id`) but the authority has no `ssd_cla_episodes` file to link them to children, one per file with the count",
        "Every row excluded";
    SSD_CLA_UNKNOWN = "ssd.cla_unknown", Some(E),
        "A review's `clar_cla_id` (`clar_cla_episode_id`) matches no `clae_cla_id` (`clae_cla_episode_id`) of the authority's `ssd_cla_episodes` files, so its child is not known",
        "Row excluded";
    SSD_CLA_PERSON_CONFLICT = "ssd.cla_person_conflict", Some(W),
        "One `clae_cla_id` (or `clae_cla_episode_id`) with different `clae_person_id`s in `ssd_cla_episodes`",
        "The first is used";
    SSD_PARTICIPATION_DIFFERS = "ssd.participation_differs", Some(W),
        "`clar_cla_review_participation` differs from the SSDA903 REVIEW_CODE of that child's review that day",
        "Kept; the participation figures use the SSDA903";
}

/// The rule table as Markdown, for `docs/DATA.md`.
pub fn markdown() -> String {
    let mut s = String::from("| Rule | Severity | Check | What happens |\n|---|---|---|---|\n");
    for r in ALL {
        let sev = r.severity.map_or("error / warning", Severity::label);
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.name, sev, r.check, r.action
        ));
    }
    s
}
