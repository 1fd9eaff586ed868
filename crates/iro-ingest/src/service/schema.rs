//! The format of the IRO service's record files, column by column: what each
//! holds, how a blank or unreadable value is treated, and the codes allowed.
//! The reader works from this table, and `data/schema/iro-records.schema.json`
//! (a Frictionless Data Package) is rendered from it and checked by a test, so
//! the published format and the code cannot drift apart.

use iro_domain::ServiceTable;
#[cfg(test)]
use serde_json::{Value, json};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// CHILD: the authority's child identifier, as in its SSDA903 files.
    Child,
    /// An identifier kept as written (IRO_ID, DRP_ID).
    Id,
    /// A date, `DD/MM/YYYY`.
    Date,
    /// One of a list of codes: (code, other spellings accepted). Codes are
    /// compared upper-cased with spaces and hyphens read as underscores.
    Code(&'static [(&'static str, &'static [&'static str])]),
    /// `Y` or `N` (also `YES`/`NO`, `1`/`0`, `TRUE`/`FALSE`).
    YesNo,
    /// A whole number from 0 to 20 (the authority's DRP stage).
    Stage,
    /// One or more categories separated by `;` or `|`.
    Categories,
    /// Free text, kept as written (at most 100 characters).
    Text,
}

/// How a blank or unreadable value is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blank {
    /// Blank or unreadable: error, the row is excluded.
    Key,
    /// Blank or unreadable: warning, the value is blank and the row kept.
    Required,
    /// May be blank (with a meaning given in the description); unreadable:
    /// warning, the value is blank and the row kept.
    Optional,
    /// May be blank (still running); unreadable: error, the row is excluded
    /// (a blank end would make a closed allocation look open).
    End,
}

impl Blank {
    pub fn label(self) -> &'static str {
        match self {
            Blank::Key => "key",
            Blank::Required => "required",
            Blank::Optional => "optional",
            Blank::End => "end",
        }
    }
}

/// One column of an IRO-service table.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub blank: Blank,
    pub description: &'static str,
}

const STATUS: &[(&str, &[&str])] = &[
    ("HELD", &["H", "COMPLETED", "COMPLETE"]),
    ("CANCELLED", &["C", "CANCELED", "POSTPONED"]),
    ("ADJOURNED", &["A"]),
];
const REVIEW_TYPE: &[(&str, &[&str])] = &[
    ("INITIAL", &["FIRST", "1"]),
    ("SECOND", &["2"]),
    ("SUBSEQUENT", &["3", "LATER"]),
];
const MODE: &[(&str, &[&str])] = &[
    ("IN_PERSON", &["INPERSON", "FACE_TO_FACE", "F2F"]),
    ("VIRTUAL", &["ONLINE", "REMOTE"]),
    ("HYBRID", &[]),
];
const OUTCOME: &[(&str, &[&str])] = &[
    ("RESOLVED", &[]),
    ("ESCALATED", &[]),
    ("CLOSED", &["WITHDRAWN", "UNRESOLVED"]),
];

const fn f(
    name: &'static str,
    kind: FieldKind,
    blank: Blank,
    description: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        blank,
        description,
    }
}

use Blank::{End, Key, Optional, Required};
use FieldKind::{Categories, Child, Code, Date, Id, Stage, Text, YesNo};

const IRO_REVIEWS: &[FieldSpec] = &[
    f(
        "CHILD",
        Child,
        Key,
        "The child's identifier, as in the authority's SSDA903 files.",
    ),
    f(
        "REVIEW",
        Date,
        Key,
        "The date of the meeting: the date held (for HELD, the SSDA903 REVIEW date: the join key), or the date it was arranged for (CANCELLED, ADJOURNED).",
    ),
    f(
        "REVIEW_DUE",
        Date,
        Optional,
        "The date the review was due, as the service worked it out.",
    ),
    f(
        "REVIEW_TYPE",
        Code(REVIEW_TYPE),
        Optional,
        "INITIAL (first of a period of care), SECOND or SUBSEQUENT.",
    ),
    f(
        "STATUS",
        Code(STATUS),
        Key,
        "HELD, CANCELLED (did not take place) or ADJOURNED (started and adjourned; the reconvened meeting is its own row).",
    ),
    f(
        "IRO_ID",
        Id,
        Required,
        "The IRO who chaired the review (any stable identifier; never published).",
    ),
    f(
        "SW_REPORT_RECEIVED",
        Date,
        Optional,
        "The date the social worker's report for the review reached the IRO. Blank: no report received.",
    ),
    f(
        "DECISIONS_SENT",
        Date,
        Optional,
        "The date the review's decisions (recommendations) were sent. Blank: not sent.",
    ),
    f(
        "RECORD_SENT",
        Date,
        Optional,
        "The date the full record of the review was sent. Blank: not sent.",
    ),
    f(
        "IRO_MET_CHILD",
        YesNo,
        Optional,
        "Y if the IRO met or spoke to the child before the review, N if not. Blank: not recorded.",
    ),
    f(
        "MODE",
        Code(MODE),
        Optional,
        "IN_PERSON, VIRTUAL or HYBRID.",
    ),
];

const IRO_ALLOCATIONS: &[FieldSpec] = &[
    f(
        "CHILD",
        Child,
        Key,
        "The child's identifier, as in the authority's SSDA903 files.",
    ),
    f(
        "IRO_ID",
        Id,
        Key,
        "The IRO allocated (any stable identifier; never published).",
    ),
    f("IRO_START", Date, Key, "The first day of the allocation."),
    f(
        "IRO_END",
        Date,
        End,
        "The last day of the allocation. Blank: still allocated.",
    ),
    f(
        "CHANGE_REASON",
        Text,
        Optional,
        "Why this allocation began (e.g. IRO left, caseload balancing, child's request), as written.",
    ),
];

const MIDWAY_REVIEWS: &[FieldSpec] = &[
    f(
        "CHILD",
        Child,
        Key,
        "The child's identifier, as in the authority's SSDA903 files.",
    ),
    f(
        "IRO_ID",
        Id,
        Optional,
        "The IRO who carried it out (never published).",
    ),
    f(
        "MIDWAY_DUE",
        Date,
        Optional,
        "When the midway review was due. Blank: the service does not set due dates.",
    ),
    f(
        "MIDWAY_DATE",
        Date,
        Optional,
        "When it was completed. Blank: not completed. A row needs MIDWAY_DUE or MIDWAY_DATE.",
    ),
];

const DRP_LOG: &[FieldSpec] = &[
    f(
        "DRP_ID",
        Id,
        Key,
        "The escalation's reference: the same on every row (stage) of one escalation.",
    ),
    f(
        "CHILD",
        Child,
        Key,
        "The child's identifier, as in the authority's SSDA903 files.",
    ),
    f(
        "IRO_ID",
        Id,
        Optional,
        "The IRO who raised it (never published).",
    ),
    f(
        "RAISED",
        Date,
        Key,
        "The date the escalation was first raised (the same on every row).",
    ),
    f(
        "ISSUE_CATEGORY",
        Categories,
        Required,
        "The concern(s), separated by `;` (e.g. `social work report; care plan`). Categories are the authority's own; compared ignoring case.",
    ),
    f(
        "STAGE",
        Stage,
        Key,
        "The stage reached, as numbered in the authority's protocol (names and timescales are set in iro.toml).",
    ),
    f(
        "STAGE_START",
        Date,
        Key,
        "The date this stage began (the concern was put to that level).",
    ),
    f(
        "RESPONSE_DUE",
        Date,
        Optional,
        "The date a response was due at this stage. Blank: worked out from the stage's timescale in iro.toml.",
    ),
    f(
        "RESPONSE_DATE",
        Date,
        Optional,
        "The date the response at this stage was received. Blank: none yet.",
    ),
    f(
        "OUTCOME",
        Code(OUTCOME),
        Optional,
        "RESOLVED (ends the escalation), ESCALATED (taken to a later stage: a later row) or CLOSED (ended unresolved: child left care, withdrawn…). Blank: the stage is still open.",
    ),
    f(
        "CAFCASS_REFERRAL",
        YesNo,
        Optional,
        "Y if the IRO referred the child's case to Cafcass at this stage.",
    ),
];

/// Positions of each table's columns in [`fields`] order (checked by a test),
/// so that rows are read by index, not by name.
pub(crate) mod col {
    use iro_domain::ServiceTable;

    pub mod reviews {
        pub const CHILD: usize = 0;
        pub const REVIEW: usize = 1;
        pub const REVIEW_DUE: usize = 2;
        pub const REVIEW_TYPE: usize = 3;
        pub const STATUS: usize = 4;
        pub const IRO_ID: usize = 5;
        pub const SW_REPORT_RECEIVED: usize = 6;
        pub const DECISIONS_SENT: usize = 7;
        pub const RECORD_SENT: usize = 8;
        pub const IRO_MET_CHILD: usize = 9;
        pub const MODE: usize = 10;
    }
    pub mod allocations {
        pub const CHILD: usize = 0;
        pub const IRO_ID: usize = 1;
        pub const IRO_START: usize = 2;
        pub const IRO_END: usize = 3;
        pub const CHANGE_REASON: usize = 4;
    }
    pub mod midway {
        pub const CHILD: usize = 0;
        pub const IRO_ID: usize = 1;
        pub const MIDWAY_DUE: usize = 2;
        pub const MIDWAY_DATE: usize = 3;
    }
    pub mod drp {
        pub const DRP_ID: usize = 0;
        pub const CHILD: usize = 1;
        pub const IRO_ID: usize = 2;
        pub const RAISED: usize = 3;
        pub const ISSUE_CATEGORY: usize = 4;
        pub const STAGE: usize = 5;
        pub const STAGE_START: usize = 6;
        pub const RESPONSE_DUE: usize = 7;
        pub const RESPONSE_DATE: usize = 8;
        pub const OUTCOME: usize = 9;
        pub const CAFCASS_REFERRAL: usize = 10;
    }

    /// CHILD's position in `table`.
    pub fn child(table: ServiceTable) -> usize {
        match table {
            ServiceTable::IroReviews => reviews::CHILD,
            ServiceTable::IroAllocations => allocations::CHILD,
            ServiceTable::MidwayReviews => midway::CHILD,
            ServiceTable::DrpLog => drp::CHILD,
        }
    }

    /// IRO_ID's position in `table`.
    pub fn iro(table: ServiceTable) -> usize {
        match table {
            ServiceTable::IroReviews => reviews::IRO_ID,
            ServiceTable::IroAllocations => allocations::IRO_ID,
            ServiceTable::MidwayReviews => midway::IRO_ID,
            ServiceTable::DrpLog => drp::IRO_ID,
        }
    }
}

/// The columns of a table, in [`ServiceTable::columns`] order.
pub fn fields(table: ServiceTable) -> &'static [FieldSpec] {
    match table {
        ServiceTable::IroReviews => IRO_REVIEWS,
        ServiceTable::IroAllocations => IRO_ALLOCATIONS,
        ServiceTable::MidwayReviews => MIDWAY_REVIEWS,
        ServiceTable::DrpLog => DRP_LOG,
    }
}

/// The primary key of each table (what identifies a row across files and
/// years). A midway review with no MIDWAY_DUE is keyed by CHILD + MIDWAY_DATE.
pub fn key(table: ServiceTable) -> &'static [&'static str] {
    match table {
        ServiceTable::IroReviews => &["CHILD", "REVIEW"],
        ServiceTable::IroAllocations => &["CHILD", "IRO_ID", "IRO_START"],
        ServiceTable::MidwayReviews => &["CHILD", "MIDWAY_DUE"],
        ServiceTable::DrpLog => &["DRP_ID", "STAGE", "STAGE_START"],
    }
}

#[cfg(test)]
fn description(table: ServiceTable) -> &'static str {
    match table {
        ServiceTable::IroReviews => {
            "One row per review meeting the IRO service arranged in the collection year: held, cancelled or adjourned. A HELD row joins the SSDA903 Reviews table on CHILD + REVIEW."
        }
        ServiceTable::IroAllocations => {
            "One row per allocation of an IRO to a child, for every allocation in force at some time in the collection year."
        }
        ServiceTable::MidwayReviews => {
            "One row per midway review (the IRO's check on the care plan between statutory reviews) due or completed in the collection year."
        }
        ServiceTable::DrpLog => {
            "Dispute resolution protocol escalations: one row per stage reached, for every stage open at some time in the collection year."
        }
    }
}

/// The tables and their columns as Markdown, for `docs/DATA.md`.
pub fn markdown() -> String {
    let mut s = String::new();
    for t in ServiceTable::ALL {
        let required = t.required_columns();
        s.push_str(&format!(
            "**`{}`** (key: {}{})\n\n| Column | Column required | Value | Blank or unreadable | Meaning |\n|---|---|---|---|---|\n",
            t.name(),
            key(t).join(" + "),
            if t == ServiceTable::MidwayReviews {
                "; CHILD + MIDWAY_DATE when MIDWAY_DUE is blank"
            } else {
                ""
            }
        ));
        for f in fields(t) {
            let value = match f.kind {
                FieldKind::Child => "CHILD id".to_string(),
                FieldKind::Id => "identifier".to_string(),
                FieldKind::Text => "text (≤ 100 characters)".to_string(),
                FieldKind::Date => "date `DD/MM/YYYY`".to_string(),
                FieldKind::Code(codes) => codes
                    .iter()
                    .map(|(c, _)| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                FieldKind::YesNo => "`Y`, `N`".to_string(),
                FieldKind::Stage => "whole number 0–20".to_string(),
                FieldKind::Categories => "categories separated by `;`".to_string(),
            };
            let blank = match f.blank {
                Blank::Key => "error: row excluded",
                Blank::Required => "warning: kept, value blank",
                Blank::Optional => "may be blank; unreadable: warning, kept blank",
                Blank::End => "may be blank; unreadable: error, row excluded",
            };
            s.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                f.name,
                if required.contains(&f.name) {
                    "yes"
                } else {
                    "no"
                },
                value,
                blank,
                f.description
            ));
        }
        s.push('\n');
    }
    s
}

/// Normalises a code as the reader compares it: trimmed, upper case, spaces
/// and hyphens as underscores.
pub fn normalise_code(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Whether `raw` is `code` once normalised as [`normalise_code`] does
/// (without allocating: this runs for every coded field of every row).
fn is_code(raw: &str, code: &str) -> bool {
    let t = raw.trim();
    t.len() == code.len()
        && t.bytes().zip(code.bytes()).all(|(a, b)| {
            let a = match a {
                b' ' | b'-' => b'_',
                a => a.to_ascii_uppercase(),
            };
            a == b
        })
}

/// Looks a value up in a code list: the index of the code it is.
pub fn code_index(codes: &[(&str, &[&str])], raw: &str) -> Option<usize> {
    codes
        .iter()
        .position(|(code, other)| is_code(raw, code) || other.iter().any(|o| is_code(raw, o)))
}

/// Reads a Y/N value.
pub fn yes_no(raw: &str) -> Option<bool> {
    let t = raw.trim();
    let any = |list: &[&str]| list.iter().any(|v| t.eq_ignore_ascii_case(v));
    if any(&["Y", "YES", "1", "TRUE"]) {
        Some(true)
    } else if any(&["N", "NO", "0", "FALSE"]) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
fn field_json(spec: &FieldSpec, required_column: bool) -> Value {
    let (ty, extra) = match spec.kind {
        FieldKind::Child | FieldKind::Id | FieldKind::Text => ("string", json!({})),
        FieldKind::Date => ("date", json!({ "format": "%d/%m/%Y" })),
        FieldKind::Code(codes) => (
            "string",
            json!({
                "iro:codes": codes.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
                "iro:also_accepted": codes
                    .iter()
                    .map(|(c, o)| (c.to_string(), json!(o)))
                    .collect::<serde_json::Map<_, _>>(),
            }),
        ),
        FieldKind::YesNo => (
            "boolean",
            json!({ "trueValues": ["Y", "YES", "1", "TRUE"], "falseValues": ["N", "NO", "0", "FALSE"] }),
        ),
        FieldKind::Stage => ("integer", json!({})),
        FieldKind::Categories => ("string", json!({ "iro:separators": [";", "|"] })),
    };
    let mut constraints = serde_json::Map::new();
    if spec.blank == Blank::Key {
        constraints.insert("required".into(), json!(true));
    }
    if let FieldKind::Code(codes) = spec.kind {
        constraints.insert(
            "enum".into(),
            json!(codes.iter().map(|(c, _)| *c).collect::<Vec<_>>()),
        );
    }
    if spec.kind == FieldKind::Stage {
        constraints.insert("minimum".into(), json!(0));
        constraints.insert("maximum".into(), json!(20));
    }
    if spec.kind == FieldKind::Text {
        constraints.insert("maxLength".into(), json!(100));
    }
    let mut out = json!({
        "name": spec.name,
        "type": ty,
        "description": spec.description,
        "iro:column": if required_column { "required" } else { "optional" },
        "iro:blank": spec.blank.label(),
    });
    if let (Some(o), Value::Object(e)) = (out.as_object_mut(), extra) {
        o.extend(e);
        if !constraints.is_empty() {
            o.insert("constraints".into(), Value::Object(constraints));
        }
    }
    out
}

/// The machine-readable format: a Frictionless Data Package whose resources
/// are the four tables (`data/schema/iro-records.schema.json`).
#[cfg(test)]
pub fn data_package() -> Value {
    let resources: Vec<Value> = ServiceTable::ALL
        .iter()
        .map(|&t| {
            let required = t.required_columns();
            json!({
                "name": t.name(),
                "path": format!("INPUT/<la>/<collection year>/{}.csv", t.name()),
                "description": description(t),
                "format": "csv",
                "encoding": "utf-8",
                "iro:recognised_by": "the header row (any file name): all required columns present; column order free, names compared ignoring case and surrounding spaces",
                "schema": {
                    "fields": fields(t)
                        .iter()
                        .map(|s| field_json(s, required.contains(&s.name)))
                        .collect::<Vec<_>>(),
                    "iro:key": key(t),
                    "missingValues": [""],
                },
            })
        })
        .collect();
    json!({
        "name": "iro-service-records",
        "title": "IRO service records (IRO Analytics input format)",
        "description": "The IRO service's own records, exported from its case system beside the SSDA903 files: review meetings, IRO allocations, midway reviews and DRP escalations. Documented in docs/DATA.md; generated from crates/iro-ingest/src/service/schema.rs.",
        "profile": "data-package",
        "resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_the_domain_columns() {
        for t in ServiceTable::ALL {
            let names: Vec<&str> = fields(t).iter().map(|f| f.name).collect();
            assert_eq!(names, t.columns(), "{t}");
            for k in key(t) {
                assert!(t.columns().contains(k), "{t}: key {k}");
            }
            // Every key field is a required column.
            for f in fields(t) {
                if f.blank == Blank::Key {
                    assert!(t.required_columns().contains(&f.name), "{t}: {}", f.name);
                }
            }
        }
    }

    #[test]
    fn column_positions_match_the_fields() {
        let at = |t: ServiceTable, name: &str| fields(t).iter().position(|f| f.name == name);
        use ServiceTable::*;
        let r = IroReviews;
        for (name, i) in [
            ("CHILD", col::reviews::CHILD),
            ("REVIEW", col::reviews::REVIEW),
            ("REVIEW_DUE", col::reviews::REVIEW_DUE),
            ("REVIEW_TYPE", col::reviews::REVIEW_TYPE),
            ("STATUS", col::reviews::STATUS),
            ("IRO_ID", col::reviews::IRO_ID),
            ("SW_REPORT_RECEIVED", col::reviews::SW_REPORT_RECEIVED),
            ("DECISIONS_SENT", col::reviews::DECISIONS_SENT),
            ("RECORD_SENT", col::reviews::RECORD_SENT),
            ("IRO_MET_CHILD", col::reviews::IRO_MET_CHILD),
            ("MODE", col::reviews::MODE),
        ] {
            assert_eq!(at(r, name), Some(i), "{name}");
        }
        for (name, i) in [
            ("CHILD", col::allocations::CHILD),
            ("IRO_ID", col::allocations::IRO_ID),
            ("IRO_START", col::allocations::IRO_START),
            ("IRO_END", col::allocations::IRO_END),
            ("CHANGE_REASON", col::allocations::CHANGE_REASON),
        ] {
            assert_eq!(at(IroAllocations, name), Some(i), "{name}");
        }
        for (name, i) in [
            ("CHILD", col::midway::CHILD),
            ("IRO_ID", col::midway::IRO_ID),
            ("MIDWAY_DUE", col::midway::MIDWAY_DUE),
            ("MIDWAY_DATE", col::midway::MIDWAY_DATE),
        ] {
            assert_eq!(at(MidwayReviews, name), Some(i), "{name}");
        }
        for (name, i) in [
            ("DRP_ID", col::drp::DRP_ID),
            ("CHILD", col::drp::CHILD),
            ("IRO_ID", col::drp::IRO_ID),
            ("RAISED", col::drp::RAISED),
            ("ISSUE_CATEGORY", col::drp::ISSUE_CATEGORY),
            ("STAGE", col::drp::STAGE),
            ("STAGE_START", col::drp::STAGE_START),
            ("RESPONSE_DUE", col::drp::RESPONSE_DUE),
            ("RESPONSE_DATE", col::drp::RESPONSE_DATE),
            ("OUTCOME", col::drp::OUTCOME),
            ("CAFCASS_REFERRAL", col::drp::CAFCASS_REFERRAL),
        ] {
            assert_eq!(at(DrpLog, name), Some(i), "{name}");
        }
        for t in ServiceTable::ALL {
            assert_eq!(fields(t)[col::child(t)].name, "CHILD");
            assert_eq!(fields(t)[col::iro(t)].name, "IRO_ID");
        }
    }

    #[test]
    fn codes_are_read_leniently() {
        assert_eq!(code_index(STATUS, " held "), Some(0));
        assert_eq!(code_index(STATUS, "Cancelled"), Some(1));
        assert_eq!(code_index(STATUS, "postponed"), Some(1));
        assert_eq!(code_index(MODE, "in person"), Some(0));
        assert_eq!(code_index(MODE, "In-Person"), Some(0));
        assert_eq!(code_index(MODE, "telephone"), None);
        assert_eq!(yes_no("yes"), Some(true));
        assert_eq!(yes_no("0"), Some(false));
        assert_eq!(yes_no("maybe"), None);
    }

    /// The format in `docs/DATA.md` ("IRO service records") is this module and
    /// the rule table rendered; run with `IRO_UPDATE_DOCS=1` to rewrite it.
    #[test]
    fn data_md_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/DATA.md");
        let (begin, end) = ("<!-- iro-records:begin -->\n", "<!-- iro-records:end -->");
        let want = format!(
            "{begin}{}#### Checks\n\n{}{end}",
            markdown(),
            super::super::rules::markdown() + "\n"
        );
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
            "docs/DATA.md (IRO service records) is out of date: run `IRO_UPDATE_DOCS=1 cargo test -p iro-ingest data_md`"
        );
    }

    /// `data/schema/iro-records.schema.json` is this module rendered; run with
    /// `IRO_UPDATE_SCHEMA=1` to rewrite it after changing the format.
    #[test]
    fn published_schema_is_up_to_date() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/schema/iro-records.schema.json"
        );
        let want = serde_json::to_string_pretty(&data_package()).unwrap() + "\n";
        if std::env::var_os("IRO_UPDATE_SCHEMA").is_some() {
            std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "data/schema/iro-records.schema.json is out of date: run `IRO_UPDATE_SCHEMA=1 cargo test -p iro-ingest published_schema`"
        );
        // And it parses back with every table and column.
        let v: Value = serde_json::from_str(&have).unwrap();
        for (i, t) in ServiceTable::ALL.iter().enumerate() {
            let res = &v["resources"][i];
            assert_eq!(res["name"], t.name());
            let cols: Vec<&str> = res["schema"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap())
                .collect();
            assert_eq!(cols, t.columns());
        }
    }
}
