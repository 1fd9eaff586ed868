//! The IRO service's records as Data to Insight's **Standard Safeguarding
//! Dataset** (SSD) holds them: which SSD extract tables are read, which of
//! their published columns become which of our fields, and how the SSD's codes
//! (a review's cancelled flag and participation, an involvement's role) map to
//! ours. This module is the one place that knows the SSD's names; the reader
//! (`parse.rs`) and the linking (`link.rs`) ask it.
//!
//! * `ssd_cla_reviews` → `iro_reviews`: one row per CLA review meeting.
//! * `ssd_involvements` → `iro_allocations`: the rows whose role is the IRO's.
//! * `ssd_cla_episodes` is read only to link a review to its child: most
//!   deployments' `ssd_cla_reviews` carry the review's CLA id
//!   (`clar_cla_id`), not the person, and `ssd_cla_episodes` pairs each CLA id
//!   with its person (`clae_cla_id`, `clae_person_id`); extracts made to the
//!   older definitions name the CLA episode instead ([`LinkKey`]).
//! * A review's last IRO contact date, where extracted, gives IRO_MET_CHILD
//!   ([`met_child`]); its participation code is checked against the SSDA903.
//!
//! What the SSD lacks (the chair of a review, report and record dates, the
//! review's type and mode, midway reviews, the DRP log) is left out: the
//! figures that need it are "not computable" with the reason, through the
//! columns a file is recorded as having (`ServiceRecords::has_column`).
//! `docs/DATA.md` ("IRO records from SSD extracts") documents the mapping.

use chrono::NaiveDate;
use iro_domain::{ParticipationCode, ReviewStatus, ServiceTable};

use super::schema::{FieldKind, fields, normalise_code};

/// The SSD release the mapping follows.
pub const SSD_VERSION: &str = "SSD data model (data-to-insight/ssd-data-model: the `data/objects` definitions of ssd_cla_reviews, ssd_cla_episodes and ssd_involvements, and the deployments' extract scripts, which give `clar_cla_id` where the definitions also list `clar_cla_episode_id`)";

/// An SSD extract table the IRO records are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SsdTable {
    ClaReviews,
    Involvements,
    ClaEpisodes,
}

/// How an SSD column becomes one of our fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// Read as our field is read (a date, an identifier, text).
    Same,
    /// `clar_cla_review_cancelled` (`Y`/`N`) becomes STATUS through [`CANCELLED`].
    CancelledFlag,
    /// A CLA id, turned into the child's person id through `ssd_cla_episodes`.
    ClaId,
    /// A CLA episode id (the older definitions' `clar_cla_episode_id`),
    /// turned into the child's person id through `ssd_cla_episodes`.
    EpisodeId,
    /// `clar_cla_review_last_iro_contact_date` becomes IRO_MET_CHILD once the
    /// reviews are linked ([`met_child`]).
    LastContact,
}

/// One of our fields read from an SSD column.
#[derive(Debug, Clone, Copy)]
pub struct Mapping {
    /// The SSD's published column name (as its definitions spell it).
    pub ssd: &'static str,
    /// Our field (a column of [`ServiceTable::columns`]).
    pub field: &'static str,
    pub conversion: Conversion,
}

const fn m(ssd: &'static str, field: &'static str, conversion: Conversion) -> Mapping {
    Mapping {
        ssd,
        field,
        conversion,
    }
}

use Conversion::{CancelledFlag, ClaId, EpisodeId, LastContact, Same};

/// Which `ssd_cla_episodes` id a review names, to be linked to its child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKey {
    /// `clar_cla_id` → `clae_cla_id`.
    Cla,
    /// `clar_cla_episode_id` → `clae_cla_episode_id`.
    Episode,
}

impl LinkKey {
    pub const ALL: [LinkKey; 2] = [LinkKey::Cla, LinkKey::Episode];

    /// The review's column holding the id.
    pub fn review_column(self) -> &'static str {
        match self {
            LinkKey::Cla => "clar_cla_id",
            LinkKey::Episode => "clar_cla_episode_id",
        }
    }

    /// The `ssd_cla_episodes` column holding the same id.
    pub fn episode_column(self) -> &'static str {
        match self {
            LinkKey::Cla => EPISODE_CLA_ID,
            LinkKey::Episode => EPISODE_EPISODE_ID,
        }
    }
}

impl Conversion {
    /// The link a CHILD read this way needs, if any.
    pub fn link(self) -> Option<LinkKey> {
        match self {
            ClaId => Some(LinkKey::Cla),
            EpisodeId => Some(LinkKey::Episode),
            _ => None,
        }
    }
}

/// `ssd_cla_reviews` → `iro_reviews`, in order of preference for a field
/// (the person id where a deployment gives it, else the CLA id).
const CLA_REVIEWS: &[Mapping] = &[
    m("clar_cla_person_id", "CHILD", Same),
    m("clar_cla_id", "CHILD", ClaId),
    m("clar_cla_episode_id", "CHILD", EpisodeId),
    m("clar_cla_review_date", "REVIEW", Same),
    m("clar_cla_review_due_date", "REVIEW_DUE", Same),
    m("clar_cla_review_cancelled", "STATUS", CancelledFlag),
    m(
        "clar_cla_review_last_iro_contact_date",
        "IRO_MET_CHILD",
        LastContact,
    ),
];

/// `ssd_involvements` → `iro_allocations` (rows with the IRO's role only).
const INVOLVEMENTS: &[Mapping] = &[
    m("invo_person_id", "CHILD", Same),
    m("invo_professional_id", "IRO_ID", Same),
    m("invo_involvement_start_date", "IRO_START", Same),
    m("invo_involvement_end_date", "IRO_END", Same),
    m("invo_worker_change_reason", "CHANGE_REASON", Same),
];

/// `clar_cla_review_participation`: checked against the SSDA903 REVIEW_CODE.
pub const PARTICIPATION_COLUMN: &str = "clar_cla_review_participation";
/// `invo_professional_role_id`: which involvements are IRO allocations.
pub const ROLE_COLUMN: &str = "invo_professional_role_id";
/// `ssd_cla_episodes`' CLA id and person id (the link from a review to its child).
pub const EPISODE_CLA_ID: &str = "clae_cla_id";
pub const EPISODE_EPISODE_ID: &str = "clae_cla_episode_id";
pub const EPISODE_PERSON_ID: &str = "clae_person_id";

impl SsdTable {
    pub const ALL: [SsdTable; 3] = [
        SsdTable::ClaReviews,
        SsdTable::Involvements,
        SsdTable::ClaEpisodes,
    ];

    /// The table's SSD name.
    pub fn name(self) -> &'static str {
        match self {
            SsdTable::ClaReviews => "ssd_cla_reviews",
            SsdTable::Involvements => "ssd_involvements",
            SsdTable::ClaEpisodes => "ssd_cla_episodes",
        }
    }

    /// Every published column of the table (the SSD's definitions; all
    /// deployments' variants), lower case as the SSD writes them.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            SsdTable::ClaReviews => &[
                "clar_cla_review_id",
                "clar_cla_id",
                "clar_cla_episode_id",
                "clar_cla_person_id",
                "clar_cla_review_due_date",
                "clar_cla_review_date",
                "clar_cla_review_cancelled",
                "clar_cla_review_participation",
                "clar_cla_review_last_iro_contact_date",
            ],
            SsdTable::Involvements => &[
                "invo_involvements_id",
                "invo_professional_id",
                "invo_professional_role_id",
                "invo_professional_team",
                "invo_person_id",
                "invo_involvement_start_date",
                "invo_involvement_end_date",
                "invo_worker_change_reason",
                "invo_referral_id",
            ],
            SsdTable::ClaEpisodes => &[
                "clae_cla_episode_id",
                "clae_person_id",
                "clae_cla_placement_id",
                "clae_cla_episode_start_date",
                "clae_cla_episode_start_reason",
                "clae_cla_primary_need_code",
                "clae_cla_episode_ceased_date",
                "clae_cla_episode_ceased",
                "clae_cla_episode_ceased_reason",
                "clae_cla_id",
                "clae_referral_id",
                "clae_cla_last_iro_contact_date",
                "clae_entered_care_date",
            ],
        }
    }

    /// Columns without which the file cannot be read (the whole file is then
    /// excluded, `iro.missing_columns`). A review needs a person id or a CLA id.
    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            SsdTable::ClaReviews => &["clar_cla_review_date"],
            SsdTable::Involvements => &[
                "invo_person_id",
                "invo_professional_id",
                "invo_professional_role_id",
                "invo_involvement_start_date",
                "invo_involvement_end_date",
            ],
            SsdTable::ClaEpisodes => &[EPISODE_PERSON_ID],
        }
    }

    /// The IRO-service table its rows become; for `ssd_cla_episodes`, the
    /// table whose rows it links to children.
    pub fn service_table(self) -> ServiceTable {
        match self {
            SsdTable::ClaReviews | SsdTable::ClaEpisodes => ServiceTable::IroReviews,
            SsdTable::Involvements => ServiceTable::IroAllocations,
        }
    }

    /// Our fields read from the table, in order of preference.
    pub fn mappings(self) -> &'static [Mapping] {
        match self {
            SsdTable::ClaReviews => CLA_REVIEWS,
            SsdTable::Involvements => INVOLVEMENTS,
            SsdTable::ClaEpisodes => &[],
        }
    }
}

impl std::fmt::Display for SsdTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Recognises an SSD extract table from a normalised header row (trimmed,
/// upper-cased): two or more of one table's published columns. The SSD's
/// column prefixes (`clar_`, `invo_`, `clae_`) are its own, so no SSDA903 or
/// bespoke header is taken for one. A file so recognised that lacks a required
/// column is claimed, reported and excluded when read.
pub fn recognise<S: AsRef<str>>(names: &[S]) -> Option<SsdTable> {
    let has = |c: &str| names.iter().any(|n| n.as_ref().eq_ignore_ascii_case(c));
    SsdTable::ALL
        .into_iter()
        .map(|t| (t.columns().iter().filter(|c| has(c)).count(), t))
        .filter(|(n, _)| *n >= 2)
        .max_by_key(|(n, t)| (*n, std::cmp::Reverse(*t)))
        .map(|(_, t)| t)
}

/// `clar_cla_review_cancelled` → STATUS: a cancelled meeting, or one held.
/// (The SSD has no "adjourned".) A blank flag is a meeting held.
pub const CANCELLED: &[(ReviewStatus, &[&str])] = &[
    (
        ReviewStatus::Cancelled,
        &["Y", "YES", "1", "TRUE", "CANCELLED"],
    ),
    (ReviewStatus::Held, &["N", "NO", "0", "FALSE"]),
];

/// Reads `clar_cla_review_cancelled`; `None` when the value is no flag.
pub fn review_status(raw: &str) -> Option<ReviewStatus> {
    let t = normalise_code(raw);
    if t.is_empty() {
        return Some(ReviewStatus::Held);
    }
    CANCELLED
        .iter()
        .find(|(_, spellings)| spellings.iter().any(|s| *s == t))
        .map(|(status, _)| *status)
}

/// A `clar_cla_review_participation` that is no participation code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a participation code PN0–PN7")]
pub struct UnknownParticipation;

/// Reads `clar_cla_review_participation`: the DfE code (`PN1`), or a
/// description that starts with it (`PN1 - Child physically attends…`), or the
/// DfE's meaning in full. Blank is `Ok(None)`; anything else is an error.
pub fn participation(raw: &str) -> Result<Option<ParticipationCode>, UnknownParticipation> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let head: String = t.chars().take_while(char::is_ascii_alphanumeric).collect();
    if let Some(c) = ParticipationCode::parse(&head) {
        return Ok(Some(c));
    }
    ParticipationCode::ALL
        .iter()
        .find(|c| c.meaning().eq_ignore_ascii_case(t))
        .copied()
        .map(Some)
        .ok_or(UnknownParticipation)
}

/// IRO_MET_CHILD from a review's last IRO contact date: `Y` when the contact
/// fell after the child's previous held review (if any) and before this one;
/// `N` when it was on or before the previous held review (no contact between
/// the two); not recorded when it is on or after the review's own date (the
/// review itself, or a later contact: no evidence either way).
pub fn met_child(
    contact: NaiveDate,
    review: NaiveDate,
    previous_held: Option<NaiveDate>,
) -> Option<bool> {
    if contact >= review {
        return None;
    }
    Some(previous_held.is_none_or(|p| contact > p))
}

/// Whether an SSD date is 1900-01-01, the placeholder some deployments write
/// for "no date" (SQL Server's zero date), with or without a time.
pub fn is_placeholder_date(raw: &[u8]) -> bool {
    matches!(
        crate::dates::parse_date(raw),
        crate::dates::DateValue::Ok(d) | crate::dates::DateValue::NonStandard(d)
            if d == chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
    )
}

/// Whether an involvement's role (`invo_professional_role_id`, the case
/// system's own wording or code) is the Independent Reviewing Officer's:
/// `IRO` as a word (`IRO`, `CLA IRO`, `IRO - Children in Care`), or
/// "independent reviewing" or "reviewing officer" anywhere in it
/// (`Child in Care Reviewing Officer`).
pub fn is_iro_role(raw: &str) -> bool {
    let t = normalise_code(raw);
    t.contains("INDEPENDENT_REVIEWING")
        || t.contains("REVIEWING_OFFICER")
        || t.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == "IRO")
}

/// The SSD column that gives `field` in a file of `table` whose header is
/// `names` (normalised), and how: the first mapping whose column is present.
pub fn source_of<S: AsRef<str>>(
    table: SsdTable,
    names: &[S],
    field: &str,
) -> Option<(usize, Mapping)> {
    table
        .mappings()
        .iter()
        .filter(|m| m.field == field)
        .find_map(|m| {
            names
                .iter()
                .position(|n| n.as_ref().eq_ignore_ascii_case(m.ssd))
                .map(|i| (i, *m))
        })
}

/// The position of an SSD column in a normalised header.
pub fn position<S: AsRef<str>>(names: &[S], column: &str) -> Option<usize> {
    names
        .iter()
        .position(|n| n.as_ref().eq_ignore_ascii_case(column))
}

/// The published columns of the tables read that `iro` does not use, and why.
pub const NOT_USED: &[(SsdTable, &str, &str)] = &[
    (
        SsdTable::ClaReviews,
        "clar_cla_review_id",
        "the SSD's row id; a review is known by its child and date (CHILD + REVIEW), as in the bespoke files",
    ),
    (
        SsdTable::Involvements,
        "invo_involvements_id",
        "the SSD's row id; an allocation is known by CHILD + IRO_ID + IRO_START",
    ),
    (
        SsdTable::Involvements,
        "invo_professional_team",
        "the team is not used by any figure",
    ),
    (
        SsdTable::Involvements,
        "invo_referral_id",
        "links to a CIN referral, not needed for IRO allocations",
    ),
    (
        SsdTable::ClaEpisodes,
        "clae_cla_placement_id",
        "the episodes themselves come from the SSDA903 return",
    ),
    (
        SsdTable::ClaEpisodes,
        "clae_cla_episode_start_date",
        "as above",
    ),
    (
        SsdTable::ClaEpisodes,
        "clae_cla_episode_start_reason",
        "as above",
    ),
    (
        SsdTable::ClaEpisodes,
        "clae_cla_primary_need_code",
        "as above",
    ),
    (
        SsdTable::ClaEpisodes,
        "clae_cla_episode_ceased_date",
        "as above",
    ),
    (SsdTable::ClaEpisodes, "clae_cla_episode_ceased", "as above"),
    (
        SsdTable::ClaEpisodes,
        "clae_cla_episode_ceased_reason",
        "as above",
    ),
    (
        SsdTable::ClaEpisodes,
        "clae_referral_id",
        "links to a CIN referral, not needed",
    ),
    (
        SsdTable::ClaEpisodes,
        "clae_cla_last_iro_contact_date",
        "one date per episode (the latest contact), not per review",
    ),
    (
        SsdTable::ClaEpisodes,
        "clae_entered_care_date",
        "periods of care come from the SSDA903 return",
    ),
];

/// The mapping as Markdown tables (what is read, what is not), for
/// `docs/DATA.md` ("IRO records from SSD extracts").
pub fn markdown() -> String {
    let mut s = format!(
        "Column names as published in the {SSD_VERSION}.\n\n\
         | SSD table | SSD column | Read as | How |\n|---|---|---|---|\n"
    );
    let row = |s: &mut String, t: SsdTable, column: &str, ours: &str, how: &str| {
        s.push_str(&format!("| `{t}` | `{column}` | {ours} | {how} |\n"));
    };
    for t in [SsdTable::ClaReviews, SsdTable::Involvements] {
        for m in t.mappings() {
            let is_date = fields(t.service_table())
                .iter()
                .any(|f| f.name == m.field && f.kind == FieldKind::Date);
            let how = match m.conversion {
                Same if is_date => {
                    "a date as the SSD writes it (`2024-10-10 00:00:00.000`) or `DD/MM/YYYY`; `1900-01-01` is blank (`ssd.placeholder_date`)"
                }
                Same => "as written",
                CancelledFlag => {
                    "`Y` → `CANCELLED`; `N` or blank → `HELD` (also `YES`/`NO`, `1`/`0`, `TRUE`/`FALSE`); anything else: `ssd.cancelled_unknown`, row excluded"
                }
                ClaId => {
                    "when there is no `clar_cla_person_id`: the CLA id, linked to its child through `ssd_cla_episodes` (`clae_cla_id` → `clae_person_id`)"
                }
                EpisodeId => {
                    "when there is neither (the older definitions): the CLA episode id, linked through `ssd_cla_episodes` (`clae_cla_episode_id` → `clae_person_id`)"
                }
                LastContact => {
                    "a date: `Y` if after the child's previous held review (or there is none) and before this review; `N` if on or before the previous held review; blank if on or after the review's own date, or no date"
                }
            };
            let ours = format!("`{}` `{}`", t.service_table().name(), m.field);
            row(&mut s, t, m.ssd, &ours, how);
        }
        if t == SsdTable::ClaReviews {
            row(
                &mut s,
                t,
                PARTICIPATION_COLUMN,
                "checked against the SSDA903 Reviews `REVIEW_CODE`",
                "`PN0`–`PN7`, or a description starting with the code; a different code from the SSDA903's: `ssd.participation_differs` (the SSDA903's is used); anything else: `ssd.participation_unknown`",
            );
        } else {
            row(
                &mut s,
                t,
                ROLE_COLUMN,
                "which rows are IRO allocations",
                "`IRO` as a word, or \"independent reviewing\" or \"reviewing officer\" in it; other roles: `ssd.not_iro_involvement` (info, one per role with the count); blank: `ssd.role_blank`",
            );
        }
    }
    row(
        &mut s,
        SsdTable::ClaEpisodes,
        &format!("{EPISODE_CLA_ID}`, `{EPISODE_EPISODE_ID}`, `{EPISODE_PERSON_ID}"),
        "the link from a review's `clar_cla_id` (or `clar_cla_episode_id`) to its child",
        "`clae_person_id` must be the child's id as in the SSDA903 files (CHILD); one id with two persons: `ssd.cla_person_conflict`, the first is used",
    );
    s.push_str("\nNot used:\n\n| SSD table | SSD column | Why |\n|---|---|---|\n");
    for (t, c, why) in NOT_USED {
        s.push_str(&format!("| `{t}` | `{c}` | {why} |\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mapping_names_a_published_column_and_one_of_our_fields() {
        for t in SsdTable::ALL {
            for m in t.mappings() {
                assert!(t.columns().contains(&m.ssd), "{t}: {}", m.ssd);
                assert!(
                    fields(t.service_table()).iter().any(|f| f.name == m.field),
                    "{t}: {}",
                    m.field
                );
            }
            for c in t.required_columns() {
                assert!(t.columns().contains(c), "{t}: {c}");
            }
        }
    }

    /// A value read from an SSD column that holds a child's or a worker's
    /// identifier is withheld from shareable outputs as CHILD and IRO_ID are:
    /// diagnostics name the SSD column, so it must be listed as personal.
    #[test]
    fn identifying_columns_are_personal_under_their_ssd_names() {
        use iro_domain::diagnostic::is_personal_field;
        for t in SsdTable::ALL {
            for m in t.mappings() {
                assert_eq!(
                    is_personal_field(m.ssd),
                    is_personal_field(m.field),
                    "{t}: {} ({})",
                    m.ssd,
                    m.field
                );
            }
        }
        for c in [EPISODE_CLA_ID, EPISODE_EPISODE_ID, EPISODE_PERSON_ID] {
            assert!(is_personal_field(c), "{c}");
        }
        for k in LinkKey::ALL {
            assert!(SsdTable::ClaReviews.columns().contains(&k.review_column()));
            assert!(
                SsdTable::ClaEpisodes
                    .columns()
                    .contains(&k.episode_column())
            );
        }
    }

    /// Every published column of a table read is used (a mapping, the
    /// participation, the role, the link) or said not to be, once.
    #[test]
    fn every_published_column_is_used_or_said_not_to_be() {
        for t in SsdTable::ALL {
            for c in t.columns() {
                let used = t.mappings().iter().any(|m| m.ssd == *c)
                    || [
                        PARTICIPATION_COLUMN,
                        ROLE_COLUMN,
                        EPISODE_CLA_ID,
                        EPISODE_EPISODE_ID,
                        EPISODE_PERSON_ID,
                    ]
                    .contains(c);
                let unused = NOT_USED
                    .iter()
                    .filter(|(u, n, _)| *u == t && n == c)
                    .count();
                assert_eq!(used as usize + unused, 1, "{t}: {c}");
            }
        }
        for (t, c, _) in NOT_USED {
            assert!(t.columns().contains(c), "{t}: {c}");
        }
    }

    /// `docs/DATA.md` ("IRO records from SSD extracts") holds [`markdown`];
    /// run with `IRO_UPDATE_DOCS=1` to rewrite it.
    #[test]
    fn data_md_mapping_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/DATA.md");
        let (begin, end) = ("<!-- ssd-mapping:begin -->\n", "<!-- ssd-mapping:end -->");
        let want = format!("{begin}{}{end}", markdown());
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let (Some(a), Some(b)) = (text.find(begin), text.find(end)) else {
            panic!("docs/DATA.md has no `{}` … `{end}` block", begin.trim());
        };
        let have = &text[a..b + end.len()];
        if have != want && std::env::var_os("IRO_UPDATE_DOCS").is_some() {
            let new = format!("{}{want}{}", &text[..a], &text[b + end.len()..]);
            std::fs::write(path, new).unwrap();
            return;
        }
        assert!(
            have == want,
            "docs/DATA.md (SSD mapping) is out of date: run `IRO_UPDATE_DOCS=1 cargo test -p iro-ingest data_md`"
        );
    }

    #[test]
    fn recognised_by_their_published_columns() {
        let upper = |cols: &[&str]| -> Vec<String> {
            cols.iter().map(|c| c.to_ascii_uppercase()).collect()
        };
        for t in SsdTable::ALL {
            assert_eq!(recognise(&upper(t.columns())), Some(t), "{t}");
            assert_eq!(
                recognise(t.required_columns()).is_some(),
                t == SsdTable::Involvements
            );
        }
        // The System C deployment's reviews: no person id.
        assert_eq!(
            recognise(&upper(&[
                "clar_cla_review_id",
                "clar_cla_id",
                "clar_cla_review_due_date",
                "clar_cla_review_date",
                "clar_cla_review_cancelled",
                "clar_cla_review_participation"
            ])),
            Some(SsdTable::ClaReviews)
        );
        for t in iro_domain::TableKind::ALL {
            assert_eq!(recognise(t.columns()), None, "{t}");
        }
        for t in ServiceTable::ALL {
            assert_eq!(recognise(t.columns()), None, "{t}");
        }
        assert_eq!(recognise(&["CLAR_CLA_ID"]), None);
    }

    #[test]
    fn codes_map_to_ours() {
        assert_eq!(review_status("Y"), Some(ReviewStatus::Cancelled));
        assert_eq!(review_status(" n "), Some(ReviewStatus::Held));
        assert_eq!(review_status(""), Some(ReviewStatus::Held));
        assert_eq!(review_status("maybe"), None);
        assert_eq!(participation("PN1"), Ok(Some(ParticipationCode::PN1)));
        assert_eq!(
            participation("pn5 - Child does not attend physically"),
            Ok(Some(ParticipationCode::PN5))
        );
        assert_eq!(
            participation(ParticipationCode::PN7.meaning()),
            Ok(Some(ParticipationCode::PN7))
        );
        assert_eq!(participation(""), Ok(None));
        assert_eq!(participation("PN9"), Err(UnknownParticipation));
        assert_eq!(participation("Attended"), Err(UnknownParticipation));
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        let (prev, review) = (Some(d(4, 15)), d(10, 10));
        assert_eq!(met_child(d(9, 1), review, prev), Some(true));
        assert_eq!(met_child(d(9, 1), review, None), Some(true));
        assert_eq!(met_child(d(4, 15), review, prev), Some(false));
        assert_eq!(met_child(d(10, 10), review, prev), None);
        assert_eq!(met_child(d(11, 1), review, prev), None);
        assert!(is_placeholder_date(b"1900-01-01 00:00:00.000"));
        assert!(is_placeholder_date(b"01/01/1900"));
        assert!(!is_placeholder_date(b"1900-01-02"));
        assert!(!is_placeholder_date(b""));
        for role in [
            "IRO",
            "Independent Reviewing Officer",
            "CLA IRO",
            "iro - children in care",
        ] {
            assert!(is_iro_role(role), "{role}");
        }
        assert!(is_iro_role("Child in Care Reviewing Officer"));
        for role in ["Allocated Case Worker", "CW", "Irony", "Director", ""] {
            assert!(!is_iro_role(role), "{role}");
        }
    }
}
