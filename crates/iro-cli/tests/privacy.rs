//! Invariant 6 end to end: no value of a personal field (CHILD, DOB, MC_DOB,
//! UPN, HOME_POST, PL_POST, SW_ID, and the IRO-service records' CHILD, IRO_ID
//! and DRP_ID, also as SSD extracts name them) in any file `iro run` writes outside `personal/`, raw or
//! converted: not in a column, not in a message, not in a chart, the report or
//! the workbook.
//!
//! The fixture plants distinctive values that trigger every rule of the
//! loader's registries (`iro_ingest::rules::ALL`, `iro_ingest::service::rules::ALL`)
//! or names the rule in [`NOT_TRIGGERED`] with the reason, so a new rule cannot
//! be forgotten: add a row that triggers it (with a planted value if it
//! concerns a personal field), or say there why it needs none.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use iro_domain::diagnostic::IDENTIFYING_FIELDS;

/// Rules the fixture does not trigger, and why none of them can carry a value
/// of a personal field.
const NOT_TRIGGERED: &[(&str, &str)] = &[
    (
        "year.mismatch",
        "names a folder, collection years and counts of rows; no field value",
    ),
    (
        "file.placed_by_columns",
        "names a file and the authority-years its LA/YEAR columns give; no child's field",
    ),
    (
        "file.placement_disagrees",
        "names a file, authorities and years; no child's field",
    ),
    (
        "row.la_unknown",
        "quotes the LA cell (an authority's code or name, not a child's field) with a count",
    ),
    (
        "row.year_unreadable",
        "quotes the YEAR cell (a collection year, not a child's field) with a count",
    ),
    (
        "header.column_absent",
        "names the absent column and a near-match header name: column names, no data row",
    ),
    (
        "date.month_first",
        "the message gives counts and line numbers only; its example date is the `value`, \
         withheld for DOB and MC_DOB (the planted US DOBs sit among day-first dates, so the \
         column is not month-first)",
    ),
    (
        "episode.missing_from_earlier_return",
        "counts episodes and names collection years, a file and a line; no field value",
    ),
    (
        "return.flow_mismatch",
        "names collection years and counts of episodes by cause; no field value",
    ),
    (
        "folder.unrecognised",
        "about a folder name; names no field value",
    ),
    (
        "file.unreadable",
        "an I/O error; names the file and the error, no field value",
    ),
    ("file.empty", "an empty file holds no value"),
    (
        "file.binary",
        "the bytes are not read as values; names the file only",
    ),
    (
        "file.encoding",
        "the bytes are not read as values; names the file only",
    ),
    (
        "file.delimiter",
        "names the separator and the table the header would match, no data row",
    ),
    (
        "file.invalid_utf8",
        "names the file and the line of the first bad byte, no value",
    ),
    (
        "file.misplaced",
        "a file outside a year folder is not read; names the file only",
    ),
    (
        "file.duplicate_table",
        "names the two files; rows are then checked as any other",
    ),
    (
        "file.year_mismatch",
        "counts rows and names collection years; its value is a year",
    ),
    (
        "header.missing_columns",
        "names the columns the header lacks; no data row is read",
    ),
    (
        "header.missing_optional_columns",
        "names the columns the header lacks",
    ),
    (
        "header.extra_columns",
        "names header cells of a recognised header",
    ),
    (
        "header.duplicate_column",
        "names a header cell of a recognised header",
    ),
    (
        "table.missing",
        "names a table, an authority and a year; no row",
    ),
    (
        "episode.open_not_carried_forward",
        "about DEC and collection years, not personal fields",
    ),
    (
        "table.not_in_year",
        "names a table and collection years, no row",
    ),
    (
        "row.ragged",
        "counts the fields of the row; quotes no value",
    ),
    (
        "row.malformed_quote",
        "counts the lines swallowed; quotes no value",
    ),
    ("row.blank", "a blank row holds no value"),
    (
        "dfe.354",
        "about DECOM, not a personal field; the fixture's DECOMs are all in the year",
    ),
    ("dfe.385", "about DEC, not a personal field"),
    ("dfe.355", "about DECOM and DEC, not personal fields"),
    ("dfe.356", "about DECOM and DEC, not personal fields"),
    ("dfe.148", "about DEC and REC, not personal fields"),
    ("dfe.142", "about DEC and DECOM, not personal fields"),
    ("dfe.388", "about REC, DEC and DECOM, not personal fields"),
    ("dfe.431", "about RNE, DEC and DECOM, not personal fields"),
    ("dfe.432", "about REC and RNE, not personal fields"),
    ("dfe.433", "about RNE, DEC and DECOM, not personal fields"),
    ("dfe.501", "about DECOM and DEC, not personal fields"),
    ("dfe.357", "about RNE and DECOM, not personal fields"),
    ("dfe.504", "about CIN codes, not a personal field"),
    (
        "dfe.441",
        "names a participation code and an age in years, not the DOB",
    ),
    (
        "field.invalid",
        "about 0/1 flags and SDQ_SCORE, not personal fields",
    ),
    (
        "iro.missing_columns",
        "names the columns the header lacks; no data row is read",
    ),
    (
        "iro.extra_columns",
        "names header cells of a recognised header",
    ),
    (
        "iro.duplicate_column",
        "names a header cell of a recognised header",
    ),
    ("iro.duplicate_table", "names the two files"),
    ("iro.row_blank", "a blank row holds no value"),
    (
        "iro.row_ragged",
        "counts the fields of the row; quotes no value",
    ),
    (
        "iro.row_malformed",
        "quotes the CSV reader's error (a position), no value",
    ),
    (
        "iro.date_nonstandard",
        "about the service records' dates (REVIEW, IRO_START…), none of them personal",
    ),
    (
        "iro.year_mismatch",
        "counts rows and names the collection year",
    ),
    (
        "iro.row_duplicate",
        "names the line of the first copy, no value",
    ),
    (
        "iro.duplicate_key",
        "names the line of the first row with the key, no value",
    ),
    (
        "iro.review_status_conflict",
        "about STATUS and the review date, not personal fields",
    ),
    (
        "iro.sent_before_review",
        "about the dates a report or record was sent, not personal fields",
    ),
    (
        "iro.allocation_outside_care",
        "about IRO_START and the periods of care; names no IRO",
    ),
    (
        "drp.raised_mismatch",
        "about RAISED dates, not personal fields",
    ),
    (
        "drp.stage_after_end",
        "about stage numbers and outcomes, not personal fields",
    ),
    (
        "drp.stage_order",
        "about stage numbers, not personal fields",
    ),
    (
        "drp.outside_care",
        "about the date a DRP was raised, not a personal field",
    ),
    (
        "ssd.no_cla_episodes",
        "needs an authority with no ssd_cla_episodes file (this one has one); counts rows and \
         names the authority, no value",
    ),
];

/// A value planted in the fixture, with every form it could take in an
/// output: as written, repaired, or converted to a date.
struct Planted {
    what: &'static str,
    forms: Vec<String>,
}

fn planted(what: &'static str, forms: &[&str]) -> Planted {
    Planted {
        what,
        forms: forms.iter().map(|s| s.to_string()).collect(),
    }
}

/// A date of birth as written (`DD/MM/YYYY`), and as ISO.
fn dob(what: &'static str, dd_mm_yyyy: &str) -> Planted {
    let p: Vec<&str> = dd_mm_yyyy.split('/').collect();
    let iso = format!("{}-{}-{}", p[2], p[1], p[0]);
    Planted {
        what,
        forms: vec![dd_mm_yyyy.to_string(), iso],
    }
}

fn all_planted() -> Vec<Planted> {
    vec![
        dob("DOB of a child under a DoLO", DOLO_DOB),
        planted("CHILDID of an XML return", &XML_CHILD),
        dob("DOB given twice in an XML HEADER", XML_REPEATED_DOB),
        planted("CHILD", &["ZQ71XK"]),
        planted("CHILD written as a float", &["5994637.0", "5994637"]),
        planted("CHILD a fraction in a workbook", &["7719033.25", "7719033"]),
        planted("CHILD in scientific notation", &["5.99E+06", "5990000"]),
        planted("CHILD with a control character", &["QX58"]),
        planted(
            "CHILD with leading zeros",
            &["731942", "0731942", "00731942", "000731942"],
        ),
        planted("CHILD with an Excel-serial DOB", &["JV28PL"]),
        planted("CHILD with a two-digit-year DOB", &["HT64WN"]),
        planted("CHILD with a US-format DOB", &["MB39RD"]),
        planted("CHILD with an ISO DOB", &["CK47TS"]),
        planted("CHILD with an Excel-serial MC_DOB", &["PN52GV"]),
        planted("CHILD with a blank DOB", &["DL83FY"]),
        planted("CHILD only in Episodes", &["KX82QW"]),
        planted("CHILD only in Reviews", &["KY93RV"]),
        planted("CHILD only in Missing", &["KZ04SU"]),
        planted("CHILD of the 2024 Header", &["KT05LN"]),
        planted("CHILD with numeric SEX", &["GB19MX"]),
        planted("CHILD with a duplicate key", &["RD77ZP"]),
        planted("CHILD with an unknown REVIEW_CODE", &["KQ9Z"]),
        planted("CHILD in a file with no header row", &["RW55TQ"]),
        planted("IRO-service CHILD matching no child", &["UNKN55Q"]),
        planted("IRO-service CHILD in scientific notation", &["6.68E+06"]),
        planted(
            "DOB as an Excel serial",
            &["39942", "09/05/2009", "2009-05-09"],
        ),
        planted(
            "DOB with a two-digit year",
            &["23/11/07", "23/11/2007", "2007-11-23"],
        ),
        planted(
            "DOB written month first",
            &["11/27/2008", "27/11/2008", "2008-11-27"],
        ),
        planted("DOB written ISO", &["2010-07-19", "19/07/2010"]),
        planted(
            "MC_DOB as an Excel serial",
            &["32854", "12/12/1989", "1989-12-12"],
        ),
        dob("MC_DOB", "14/03/1990"),
        dob("DOB (Header 2025)", "17/08/2009"),
        dob("DOB (Header 2024, differs)", "18/08/2009"),
        dob("DOB (Reviews, differs: INT17)", "16/08/2009"),
        dob("DOB (UASC, differs)", "15/08/2009"),
        dob("DOB of the float CHILD", "21/06/2011"),
        dob("DOB of the scientific CHILD", "02/09/2012"),
        dob("DOB of the control-character CHILD", "13/01/2013"),
        dob("DOB of the blank CHILD", "05/05/2005"),
        dob("DOB of the leading-zeros CHILD", "12/12/2012"),
        dob("DOB of the numeric-SEX CHILD", "24/04/2014"),
        dob("DOB of the duplicate-key CHILD", "08/08/2008"),
        dob("DOB of the MC_DOB CHILD", "19/10/2011"),
        dob("DOB of the 2024 Header CHILD", "10/10/2010"),
        dob("DOB of the Reviews-only CHILD", "03/03/2013"),
        dob("DOB of the Missing-only CHILD", "04/04/2004"),
        dob("DOB in a file with no header row", "28/02/2008"),
        planted("UPN", &["X801234567891"]),
        planted("UPN", &["UPNQ7788"]),
        planted("UPN", &["UPNDUP1"]),
        planted("UPN in a file with no header row", &["UPNRW55"]),
        planted("HOME_POST", &["B17 8QX", "B178QX"]),
        planted("PL_POST", &["LS6 2ZZ", "LS62ZZ"]),
        planted("HOME_POST not a postcode", &["HPQQ9 9Z9", "HPQQ99Z9"]),
        planted("PL_POST not a postcode", &["PLZZ 77Q", "PLZZ77Q"]),
        planted("SW_ID", &["SWQX4471"]),
        planted("IRO_ID", &["IROVXQ31"]),
        planted("IRO_ID", &["IROWP902"]),
        planted("DRP_ID", &["DRPQK778"]),
        planted("DRP_ID", &["DRPQK779"]),
        planted("SSD clar_cla_id matching no clae_cla_id", &["CLAQ5X1"]),
        planted("SSD clae_person_id matching no child", &["PERSQ77"]),
        planted("SSD clae_person_id in conflict", &["PERSQ78"]),
        planted("SSD invo_person_id matching no child", &["PERSQ79"]),
        planted("SSD invo_professional_id of an IRO", &["IROSSD41"]),
        planted("SSD invo_professional_id of a social worker", &["SWSSD52"]),
    ]
}

const HEADER_2025: &str = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n\
ZQ71XK,M,17/08/2009,WBRI,X801234567891,0,\n\
ZQ71XK,M,17/08/2009,WBRI,X801234567891,0,\n\
5994637.0,F,21/06/2011,WBRI,UPNQ7788,1,14/03/1990\n\
5.99E+06,F,02/09/2012,WBRI,,,\n\
QX58\u{1}RT,M,13/01/2013,WBRI,,,\n\
,M,05/05/2005,WBRI,,,\n\
JV28PL,M,39942,WBRI,,,\n\
HT64WN,F,23/11/07,WBRI,,,\n\
MB39RD,F,11/27/2008,WBRI,,,\n\
CK47TS,M,2010-07-19,WBRI,,,\n\
PN52GV,F,19/10/2011,WBRI,,1,32854\n\
DL83FY,F,,WBRI,,,\n\
731942,M,12/12/2012,WBRI,,,\n\
GB19MX,1,24/04/2014,WBRI,,,\n\
RD77ZP,F,08/08/2008,WBRI,UPNDUP1,0,\n\
RD77ZP,M,08/08/2008,WBRI,UPNDUP1,0,\n";

const HEADER_2024: &str = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n\
ZQ71XK,2,18/08/2009,WBRI,X801234567891,0,\n\
0731942,1,12/12/2012,WBRI,,,\n\
KT05LN,2,10/10/2010,WBRI,,,\n";

const EPISODES_2025: &str = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n\
ZQ71XK,01/05/2024,S,C2,N1,U1,PR1,,,,B17 8QX,LS6 2ZZ,SC111111\n\
5994637.0,02/05/2024,S,C2,N1,U1,PR1,,,,HPQQ9 9Z9,PLZZ 77Q,SC111112\n\
JV28PL,03/05/2024,S,C2,N1,U1,PR1,,,,,,\n\
HT64WN,03/05/2024,S,C2,N1,U1,PR1,,,,,,\n\
MB39RD,03/05/2024,S,C2,N1,U1,PR1,,,,,,\n\
CK47TS,03/05/2024,S,C2,N1,U1,PR1,,,,,,\n\
PN52GV,03/05/2024,S,C2,N1,U1,PR1,,,,,,\n\
DL83FY,03/05/2024,S,C2,N1,U1,PR1,,,,,,\n\
00731942,04/05/2024,S,C2,N1,U1,PR1,,,,,,\n\
KX82QW,05/05/2024,S,C2,N1,U1,PR1,,,,,,\n\
GB19MX,01/06/2024,S,C2,N1,U1,PR1,10/06/2024,E11,,,,\n\
RD77ZP,01/06/2024,S,C2,N1,U1,PR1,,,,,,\n";

const EPISODES_2024: &str = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n\
KT05LN,01/06/2023,S,C2,N1,U1,PR1,01/09/2023,E11,,,,\n";

const REVIEWS_2025: &str = "CHILD,DOB,REVIEW,REVIEW_CODE\n\
ZQ71XK,16/08/2009,10/06/2024,PN1\n\
ZQ71XK,17/08/2009,10/06/2024,PN2\n\
ZQ71XK,17/08/2009,03/07/2009,PN1\n\
KY93RV,03/03/2013,12/06/2024,PN1\n\
JV28PL,,20/06/2024,PN1\n\
PN52GV,19/10/2011,20/06/2024,PN0\n\
KQ9Z,,21/06/2024,PN9\n";

const UASC_2025: &str = "CHILD,SEX,DOB,DUC\nZQ71XK,F,15/08/2009,01/01/2027\n";

const MISSING_2025: &str = "CHILD,DOB,MISSING,MIS_START,MIS_END\n\
KZ04SU,04/04/2004,M,01/06/2024,02/06/2024\n";

const SW_EPISODES_2025: &str = "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n\
ZQ71XK,17/08/2009,SWQX4471,01/05/2024,,FCONTA\n\
ZQ71XK,17/08/2009,,02/05/2024,,FCONTA\n";

/// A Header table exported without its header row: the first row is a child.
const NO_HEADER_ROW: &str = "RW55TQ,M,28/02/2008,WBRI,UPNRW55,0,\n";

const IRO_REVIEWS_2025: &str = "CHILD,REVIEW,STATUS,IRO_ID\n\
ZQ71XK,10/06/2024,HELD,IROVXQ31\n\
5994637.0,15/06/2024,HELD,IROVXQ31\n\
UNKN55Q,11/06/2024,HELD,IROVXQ31\n\
000731942,12/06/2024,HELD,IROVXQ31\n\
6.68E+06,13/06/2024,HELD,IROVXQ31\n\
ZQ71XK,14/06/2024,HELD,\n\
ZQ71XK,16/06/2024,maybe,IROVXQ31\n\
ZQ71XK,39999,HELD,IROVXQ31\n";

const IRO_ALLOCATIONS_2025: &str = "CHILD,IRO_ID,IRO_START,IRO_END\n\
ZQ71XK,IROWP902,01/05/2024,\n\
ZQ71XK,IROVXQ31,01/06/2024,\n\
JV28PL,IROWP902,10/05/2024,01/05/2024\n";

const MIDWAY_2025: &str = "CHILD,IRO_ID,MIDWAY_DUE,MIDWAY_DATE\n\
ZQ71XK,IROWP902,,\n\
ZQ71XK,IROWP902,01/09/2024,03/09/2024\n";

const DRP_LOG_2025: &str = "DRP_ID,CHILD,RAISED,STAGE,STAGE_START,RESPONSE_DATE,OUTCOME\n\
DRPQK778,ZQ71XK,01/07/2024,1,01/07/2024,,ESCALATED\n\
DRPQK778,JV28PL,01/07/2024,2,05/07/2024,,\n\
DRPQK779,HT64WN,01/08/2024,1,30/07/2024,25/07/2024,\n";

/// The same kind of records as Standard Safeguarding Dataset extracts: CLA
/// ids linked to children through `ssd_cla_episodes` (one to a person in no
/// SSDA903 file, one to two persons), and each SSD-specific problem.
const SSD_CLA_EPISODES_2025: &str = "clae_cla_episode_id,clae_person_id,clae_cla_id\n\
7001,PERSQ77,CLAQ5X2\n\
7002,ZQ71XK,CLAQ5X3\n\
7003,PERSQ78,CLAQ5X3\n\
7004,PN52GV,CLAQ5X4\n";

const SSD_CLA_REVIEWS_2025: &str = "clar_cla_review_id,clar_cla_id,clar_cla_review_due_date,clar_cla_review_date,clar_cla_review_cancelled,clar_cla_review_participation\n\
9001,CLAQ5X1,,2024-06-18 00:00:00.000,N,PN1\n\
9002,CLAQ5X2,,2024-06-18 00:00:00.000,N,PN1\n\
9003,CLAQ5X3,1900-01-01 00:00:00.000,2024-06-19 00:00:00.000,Q,PN1\n\
9004,CLAQ5X3,,2024-06-21 00:00:00.000,N,Attended\n\
9005,CLAQ5X4,2024-06-25 00:00:00.000,2024-06-20 00:00:00.000,N,PN7\n\
9006,CLAQ5X4,2024-12-20 00:00:00.000,,N,\n";

const SSD_INVOLVEMENTS_2025: &str = "invo_involvements_id,invo_professional_id,invo_professional_role_id,invo_person_id,invo_involvement_start_date,invo_involvement_end_date\n\
6001,IROSSD41,Independent Reviewing Officer,ZQ71XK,2024-07-01 00:00:00.000,\n\
6002,IROSSD41,IRO,PERSQ79,2024-07-01 00:00:00.000,\n\
6003,SWSSD52,Allocated Case Worker,ZQ71XK,2024-05-01 00:00:00.000,\n\
6004,SWSSD52,,ZQ71XK,2024-05-01 00:00:00.000,\n";

/// Writes the fixture: one authority (800, so that the report has its
/// reference figures), two collection years.
fn write_fixture(root: &Path) {
    let y25 = root.join("800/2025");
    let y24 = root.join("800/2024");
    fs::create_dir_all(&y25).unwrap();
    fs::create_dir_all(&y24).unwrap();
    for (dir, name, text) in [
        (&y25, "header.csv", HEADER_2025),
        (&y25, "episodes.csv", EPISODES_2025),
        (&y25, "reviews.csv", REVIEWS_2025),
        (&y25, "uasc.csv", UASC_2025),
        (&y25, "missing.csv", MISSING_2025),
        (&y25, "sw_episodes.csv", SW_EPISODES_2025),
        (&y25, "children_export.csv", NO_HEADER_ROW),
        (&y25, "iro_reviews.csv", IRO_REVIEWS_2025),
        (&y25, "iro_allocations.csv", IRO_ALLOCATIONS_2025),
        (&y25, "midway_reviews.csv", MIDWAY_2025),
        (&y25, "drp_log.csv", DRP_LOG_2025),
        (&y25, "ssd_cla_episodes.csv", SSD_CLA_EPISODES_2025),
        (&y25, "ssd_cla_reviews.csv", SSD_CLA_REVIEWS_2025),
        (&y25, "ssd_involvements.csv", SSD_INVOLVEMENTS_2025),
        (&y25, "notes.txt", "not a table\n"),
        (&y24, "header.csv", HEADER_2024),
        (&y24, "episodes.csv", EPISODES_2024),
    ] {
        fs::write(dir.join(name), text).unwrap();
    }
    write_workbook(&y25.join("returns_extra.xlsx"));
    fs::write(y25.join("broken.xlsx"), b"PK\x03\x04 not a workbook").unwrap();
    write_dolo(&root.join("801"));
    write_xml(&root.join("802"));
}

/// The XML fixture of the ingest tests (a return with one of each XML
/// problem, and one cut short) as authority 802, with its children's CHILDIDs
/// planted and a repeated DOB (`xml.repeated_element`) planted.
fn write_xml(la: &Path) {
    const FIXTURE: &[(&str, &str)] = &[
        (
            "2025",
            include_str!("../../iro-ingest/tests/fixtures/xml/800/2025/return.xml"),
        ),
        (
            "2024",
            include_str!("../../iro-ingest/tests/fixtures/xml/800/2024/return.xml"),
        ),
    ];
    for (year, text) in FIXTURE {
        let dir = la.join(year);
        fs::create_dir_all(&dir).unwrap();
        let text = text
            .replace(">X1<", &format!(">{}<", XML_CHILD[0]))
            .replace(">X2<", &format!(">{}<", XML_CHILD[1]))
            .replace(">X3<", &format!(">{}<", XML_CHILD[2]))
            .replace(
                "<DOB>01/03/2014</DOB>",
                &format!("<DOB>01/03/2014</DOB><DOB>{XML_REPEATED_DOB}</DOB>"),
            );
        assert!(text.contains(XML_CHILD[0]));
        fs::write(dir.join("return.xml"), text).unwrap();
    }
}

/// The CHILDIDs of the XML fixture's children.
const XML_CHILD: [&str; 3] = ["XMLQ58K", "XMLV31M", "XMLW27P"];
/// A DOB given twice in one HEADER of the XML fixture: the second, not read.
const XML_REPEATED_DOB: &str = "21/09/2011";

/// A workbook beside the CSVs: an empty cover sheet, an OC3 sheet below a
/// title row with a CHILD that is no whole number and a formula error, and
/// a sheet of IRO-service records (a header only).
fn write_workbook(path: &Path) {
    use rust_xlsxwriter::{Formula, Workbook};
    let mut book = Workbook::new();
    book.add_worksheet().set_name("Cover").unwrap();
    let oc3 = book.add_worksheet().set_name("OC3").unwrap();
    oc3.write_string(0, 0, "Care leavers 2024-25").unwrap();
    for (c, h) in ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM", "CONTACTED"]
        .iter()
        .enumerate()
    {
        oc3.write_string(1, c as u16, *h).unwrap();
    }
    for r in [2, 3] {
        oc3.write_number(r, 0, 7_719_033.25).unwrap();
        oc3.write_string(r, 1, "05/05/2006").unwrap();
        oc3.write_string(r, 2, "YES").unwrap();
        oc3.write_string(r, 3, "F1").unwrap();
        oc3.write_formula(r, 4, Formula::new("=NA()").set_result("#N/A"))
            .unwrap();
    }
    // CONTACTED as a spreadsheet set to US dates makes it: a text date with
    // a day above 12, and a date cell read month-first.
    oc3.write_string(2, 5, "25/03/2025").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let mar5 = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 3, 5).unwrap();
    oc3.write_datetime_with_format(3, 5, &mar5, &date).unwrap();
    let service = book.add_worksheet().set_name("IRO reviews").unwrap();
    for (c, h) in ["CHILD", "REVIEW", "STATUS", "IRO_ID"].iter().enumerate() {
        service.write_string(0, c as u16, *h).unwrap();
    }
    book.save(path).unwrap();
}

/// The DoLo fixture of the ingest tests (2026-27 and 2027-28, a row for each
/// of rules 702-710) as authority 801, with its child D9's date of birth
/// (the one rule 708 compares an order with) made one planted nowhere else.
fn write_dolo(la: &Path) {
    const FIXTURE: &[(&str, &str, &str)] = &[
        (
            "2027",
            "dolo.csv",
            include_str!("../../iro-ingest/tests/fixtures/dolo/800/2027/dolo.csv"),
        ),
        (
            "2027",
            "episodes.csv",
            include_str!("../../iro-ingest/tests/fixtures/dolo/800/2027/episodes.csv"),
        ),
        (
            "2027",
            "header.csv",
            include_str!("../../iro-ingest/tests/fixtures/dolo/800/2027/header.csv"),
        ),
        (
            "2028",
            "dolo.csv",
            include_str!("../../iro-ingest/tests/fixtures/dolo/800/2028/dolo.csv"),
        ),
        (
            "2028",
            "episodes.csv",
            include_str!("../../iro-ingest/tests/fixtures/dolo/800/2028/episodes.csv"),
        ),
        (
            "2028",
            "header.csv",
            include_str!("../../iro-ingest/tests/fixtures/dolo/800/2028/header.csv"),
        ),
    ];
    for (year, name, text) in FIXTURE {
        let dir = la.join(year);
        fs::create_dir_all(&dir).unwrap();
        let text = text.replace("01/01/2015", DOLO_DOB);
        fs::write(dir.join(name), text).unwrap();
    }
}

/// The date of birth of the child whose order starts before it (rule 708).
const DOLO_DOB: &str = "23/02/2015";

fn iro(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iro"))
        .args(args)
        // No reference overlay of the user's (`iro reference import-dfe`).
        .env(
            "XDG_DATA_HOME",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-user-data"),
        )
        .current_dir(cwd)
        .output()
        .expect("run iro")
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = fs::read_dir(dir.join(&rel)) else {
            continue;
        };
        for e in entries.flatten() {
            let r = rel.join(e.file_name());
            if e.path().is_dir() {
                stack.push(r);
            } else {
                out.push(r);
            }
        }
    }
    out.sort();
    out
}

/// The text of a file to scan: its bytes, or for a workbook or a Word
/// document (a zip) the XML of every part.
fn scannable(path: &Path) -> Vec<(String, String)> {
    let bytes = fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "xlsx" || e == "docx") {
        let mut zip =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("xlsx and docx are zips");
        let mut parts = Vec::new();
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            let mut text = Vec::new();
            part.read_to_end(&mut text).unwrap();
            parts.push((
                part.name().map(|n| n.to_string()).unwrap_or_default(),
                String::from_utf8_lossy(&text).into_owned(),
            ));
        }
        assert!(
            parts.iter().any(|(n, _)| n.ends_with(".xml")),
            "{path:?}: no XML parts"
        );
        parts
    } else if path.extension().is_some_and(|e| e == "parquet") {
        // Compressed column chunks would hide a value from a byte scan:
        // decode every cell to text, a row a line.
        vec![(String::new(), parquet_text(path))]
    } else {
        vec![(String::new(), String::from_utf8_lossy(&bytes).into_owned())]
    }
}

/// Every cell of a Parquet file as text (numbers as Rust prints them, so
/// `731942` and `731942.5` are found), cells separated by `,`, rows by lines.
fn parquet_text(path: &Path) -> String {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type, Int64Type};
    use arrow_schema::DataType;

    let file = fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("a Parquet reader");
    let mut text = String::new();
    for batch in reader {
        let batch = batch.expect("a Parquet batch");
        for i in 0..batch.num_rows() {
            for c in batch.columns() {
                let cell = if c.is_null(i) {
                    String::new()
                } else {
                    match c.data_type() {
                        DataType::Utf8 => c.as_string::<i32>().value(i).to_string(),
                        DataType::Dictionary(_, _) => {
                            let d = c.as_dictionary::<Int32Type>();
                            let key = d.keys().value(i) as usize;
                            d.values().as_string::<i32>().value(key).to_string()
                        }
                        DataType::Int32 => c.as_primitive::<Int32Type>().value(i).to_string(),
                        DataType::Int64 => c.as_primitive::<Int64Type>().value(i).to_string(),
                        DataType::Float64 => c.as_primitive::<Float64Type>().value(i).to_string(),
                        other => panic!("a column of type {other} the scan cannot read"),
                    }
                };
                text.push_str(&cell);
                text.push(',');
            }
            text.push('\n');
        }
    }
    text
}

/// Whether `needle` occurs in `text` as a whole token: not inside a longer
/// run of letters and digits (so the value `731942` is found in `,731942,`
/// and `731942.0` but not in a hash such as `a7319421`).
fn holds(text: &str, needle: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    text.match_indices(needle).any(|(at, _)| {
        !alnum(text[..at].chars().next_back()) && !alnum(text[at + needle.len()..].chars().next())
    })
}

/// Every planted value found in a file outside `personal/`.
fn leaks(out: &Path) -> Vec<String> {
    let planted = all_planted();
    let mut found = Vec::new();
    let files = files_under(out);
    assert!(!files.is_empty());
    for rel in files.iter().filter(|r| !r.starts_with("personal")) {
        for (part, text) in scannable(&out.join(rel)) {
            for p in &planted {
                for form in &p.forms {
                    if holds(&text, form) {
                        let line = text
                            .lines()
                            .find(|l| holds(l, form))
                            .unwrap_or("")
                            .chars()
                            .take(240)
                            .collect::<String>();
                        found.push(format!(
                            "{}{}{part}: {} `{form}` in: {line}",
                            rel.display(),
                            if part.is_empty() { "" } else { "!" },
                            p.what
                        ));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn no_planted_personal_value_reaches_a_shareable_output() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    write_fixture(&input);
    let input_arg = input.to_str().unwrap();

    // `iro validate` writes nothing, and reports every rule the fixture is for.
    let cwd = tmp.path().join("validate");
    fs::create_dir_all(&cwd).unwrap();
    let v = iro(&cwd, &["validate", input_arg, "--format", "json"]);
    assert!(
        matches!(v.status.code(), Some(0..=2)),
        "iro validate: {}",
        String::from_utf8_lossy(&v.stderr)
    );
    assert!(
        files_under(&cwd).is_empty(),
        "iro validate wrote {:?}",
        files_under(&cwd)
    );
    let report: serde_json::Value = serde_json::from_slice(&v.stdout).expect("validate JSON");
    let diags = report["diagnostics"].as_array().expect("diagnostics");
    let triggered: BTreeSet<&str> = diags.iter().filter_map(|d| d["rule"].as_str()).collect();

    // Every rule of the registries is triggered, or named with its reason.
    let registry: Vec<&str> = iro_ingest::rules::ALL
        .iter()
        .map(|r| r.name)
        .chain(iro_ingest::service::rules::ALL.iter().map(|r| r.name))
        .collect();
    let excused: BTreeSet<&str> = NOT_TRIGGERED.iter().map(|(r, _)| *r).collect();
    let forgotten: Vec<&&str> = registry
        .iter()
        .filter(|r| !triggered.contains(**r) && !excused.contains(**r))
        .collect();
    assert!(
        forgotten.is_empty(),
        "rules neither triggered by this fixture nor in NOT_TRIGGERED (add a row that \
         triggers each, planting a value if it concerns a personal field): {forgotten:?}"
    );
    let stale: Vec<&&str> = excused.iter().filter(|r| !registry.contains(*r)).collect();
    assert!(stale.is_empty(), "NOT_TRIGGERED names no rule: {stale:?}");
    // The fixture does reach the personal fields.
    let personal_fields: BTreeSet<&str> = diags
        .iter()
        .filter_map(|d| d["field"].as_str())
        .filter(|f| IDENTIFYING_FIELDS.contains(f))
        .collect();
    for f in [
        "CHILD",
        "DOB",
        "MC_DOB",
        "HOME_POST",
        "PL_POST",
        "SW_ID",
        "IRO_ID",
    ] {
        assert!(
            personal_fields.contains(f),
            "no diagnostic about {f}: {personal_fields:?}"
        );
    }

    // `iro run` with charts, report and workbook, asked for personal data.
    let cwd = tmp.path().join("run");
    fs::create_dir_all(&cwd).unwrap();
    let out = tmp.path().join("out");
    let r = iro(
        &cwd,
        &[
            "run",
            input_arg,
            "--personal",
            "--format",
            "csv,json,parquet",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        matches!(r.status.code(), Some(0..=2)),
        "iro run: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    let written = files_under(&out);
    for want in [
        "diagnostics.csv",
        "diagnostics.json",
        "metrics.csv",
        "metrics.parquet",
        "diagnostics.parquet",
        "targets.parquet",
        "row_counts.parquet",
        "run.json",
    ] {
        assert!(
            written.contains(&PathBuf::from(want)),
            "{want}: {written:?}"
        );
    }
    for ext in ["svg", "html", "md", "xlsx", "docx"] {
        assert!(
            written
                .iter()
                .any(|p| p.extension().is_some_and(|e| e == ext)),
            "no .{ext} written: {written:?}"
        );
    }
    assert!(files_under(&cwd).is_empty(), "iro run wrote outside --out");

    let found = leaks(&out);
    assert!(
        found.is_empty(),
        "{} planted personal value(s) in shareable outputs:\n{}",
        found.len(),
        found.join("\n")
    );

    // The shareable diagnostics still say where and what.
    let shared = fs::read_to_string(out.join("diagnostics.csv")).unwrap();
    let serial = shared
        .lines()
        .find(|l| l.starts_with("warning,date.unparsable,") && l.contains(",DOB,"))
        .expect("the serial DOB is reported");
    assert!(serial.contains("header.csv"), "{serial}");
    assert!(serial.contains("Excel serial"), "{serial}");
    // The Parquet copy was scanned as decoded text, which says the same.
    let decoded = parquet_text(&out.join("diagnostics.parquet"));
    assert!(
        decoded
            .lines()
            .any(|l| l.starts_with("warning,date.unparsable,")
                && l.contains(",DOB,")
                && l.contains("Excel serial")
                && l.contains("[withheld: personal data]")),
        "{decoded}"
    );

    // The values are in personal/diagnostics.csv, which was asked for.
    let personal = fs::read_to_string(out.join("personal/diagnostics.csv"))
        .expect("personal/diagnostics.csv with --personal");
    for value in [
        "KX82QW",
        "5994637.0",
        "39942",
        "it would be 09/05/2009",
        "16/08/2009",
        "Header DOB 17/08/2009",
        "linked to CHILD",
        "read as 5994637",
    ] {
        assert!(
            personal.contains(value),
            "{value} not in personal/diagnostics.csv"
        );
    }

    // Not asked for: no personal/ at all.
    let out2 = tmp.path().join("out2");
    let r = iro(
        &cwd,
        &[
            "run",
            input_arg,
            "--no-charts",
            "--no-report",
            "--out",
            out2.to_str().unwrap(),
        ],
    );
    assert!(matches!(r.status.code(), Some(0..=2)));
    assert!(out2.join("diagnostics.csv").exists());
    assert!(!out2.join("personal").exists(), "personal/ not asked for");
    assert!(leaks(&out2).is_empty());
}
