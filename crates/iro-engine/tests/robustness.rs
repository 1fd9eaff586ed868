//! Property: whatever an authority's files hold — the SSDA903 tables and the
//! IRO service's own records, plausible values mixed with garbage — a run
//! never panics and no metric fails: bad rows are reported and excluded by
//! ingest, and every metric copes with what is left (it may find a figure
//! not computable, never crash). Rows read are accounted for table by table.

use std::fs;
use std::path::Path;

use iro_engine::{Config, Outcome, builtin_metrics, run};
use iro_ingest::InputSource;
use proptest::prelude::*;

const CHILDREN: [&str; 5] = ["C1", "C2", "C3", "C4", "c1 "];

/// Dates in and around the 2024-25 collection year, in the forms analysts'
/// files hold (ISO and spreadsheet serial numbers are read with a warning);
/// dates that are not dates come from the garbage side of [`field`].
const DATES: [&str; 12] = [
    "01/04/2024",
    "15/05/2024",
    "31/08/2024",
    "29/02/2024",
    "25/12/2024",
    "02/01/2025",
    "28/02/2025",
    "31/03/2025",
    "01/04/2025",
    "2024-06-03",
    "45580",
    "01/01/1900",
];

/// As [`DATES`], often blank: an optional date not yet known.
const OPTIONAL_DATES: [&str; 16] = with_blanks(DATES);

/// `values` after `M - N` blanks.
const fn with_blanks<const N: usize, const M: usize>(
    values: [&'static str; N],
) -> [&'static str; M] {
    let mut out = [""; M];
    let mut i = 0;
    while i < N {
        out[M - N + i] = values[i];
        i += 1;
    }
    out
}

/// A field of a column: mostly its plausible values, sometimes anything.
fn field(plausible: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        30 => prop::sample::select(plausible).prop_map(str::to_string),
        1 => "[ -~]{0,8}",
    ]
    .boxed()
}

/// A column's name and the plausible values to draw from.
type Column = (&'static str, &'static [&'static str]);

/// One table: its header and, per column, the values to draw from.
struct Table {
    file: &'static str,
    columns: &'static [Column],
}

const TABLES: [Table; 7] = [
    Table {
        file: "header.csv",
        columns: &[
            ("CHILD", &CHILDREN),
            ("SEX", &["1", "2", "M", "F", "3"]),
            (
                "DOB",
                &["10/05/2012", "01/06/2008", "15/10/2006", "29/02/2024", "x"],
            ),
            ("ETHNIC", &["WBRI", "MWBA", "REFU", "zz"]),
            ("UPN", &["UN1", "A123456789012"]),
            ("MOTHER", &["", "0", "1"]),
            ("MC_DOB", &["", "01/01/2025"]),
        ],
    },
    Table {
        file: "episodes.csv",
        columns: &[
            ("CHILD", &CHILDREN),
            ("DECOM", &DATES),
            ("RNE", &["S", "P", "L", "T", "U", "B", "Q"]),
            ("LS", &["C2", "V2", "V3", "E1", "J2", "ZZ"]),
            ("CIN", &["N1", "N4", "N9"]),
            ("PLACE", &["U4", "U1", "K2", "R1", "A5", "Z1", "T4"]),
            ("PLACE_PROVIDER", &["PR1", "PR4", ""]),
            ("DEC", &OPTIONAL_DATES),
            ("REC", &["", "E13", "E4A", "X1", "E11", "E2"]),
            ("REASON_PLACE_CHANGE", &["", "CARPL", "OTHER"]),
            ("HOME_POST", &["BA1 1AA", "BA2", "", "NOTAPC"]),
            ("PL_POST", &["BA2 2AA", "TR1", "", "BT1 1AA"]),
            ("URN", &["SC100001", "XXXXXXX", ""]),
        ],
    },
    Table {
        file: "reviews.csv",
        columns: &[
            ("CHILD", &CHILDREN),
            ("DOB", &["10/05/2012", "01/06/2008"]),
            ("REVIEW", &DATES),
            ("REVIEW_CODE", &["PN1", "PN0", "PN7", "PN9", ""]),
        ],
    },
    Table {
        file: "iro_reviews.csv",
        columns: &[
            ("CHILD", &CHILDREN),
            ("REVIEW", &DATES),
            ("REVIEW_DUE", &OPTIONAL_DATES),
            (
                "REVIEW_TYPE",
                &["INITIAL", "SECOND", "subsequent", "", "other"],
            ),
            ("STATUS", &["HELD", "Cancelled", "ADJOURNED", "", "maybe"]),
            ("IRO_ID", &["I1", "I2", ""]),
            ("SW_REPORT_RECEIVED", &OPTIONAL_DATES),
            ("DECISIONS_SENT", &OPTIONAL_DATES),
            ("RECORD_SENT", &OPTIONAL_DATES),
            ("IRO_MET_CHILD", &["Y", "N", "", "yes"]),
            ("MODE", &["IN_PERSON", "virtual", "", "phone"]),
            ("NOTES", &["", "rescheduled"]),
        ],
    },
    Table {
        file: "iro_allocations.csv",
        columns: &[
            ("CHILD", &CHILDREN),
            ("IRO_ID", &["I1", "I2", "I3", ""]),
            ("IRO_START", &DATES),
            ("IRO_END", &OPTIONAL_DATES),
            ("CHANGE_REASON", &["", "caseload balancing", "left"]),
        ],
    },
    Table {
        file: "midway_reviews.csv",
        columns: &[
            ("CHILD", &CHILDREN),
            ("IRO_ID", &["I1", ""]),
            ("MIDWAY_DUE", &OPTIONAL_DATES),
            ("MIDWAY_DATE", &OPTIONAL_DATES),
        ],
    },
    Table {
        file: "drp_log.csv",
        columns: &[
            ("DRP_ID", &["D1", "D2", "D3", ""]),
            ("CHILD", &CHILDREN),
            ("IRO_ID", &["I1", "I2", ""]),
            ("RAISED", &DATES),
            (
                "ISSUE_CATEGORY",
                &[
                    "care plan",
                    "social work report;contact",
                    "",
                    "care plan|health",
                ],
            ),
            ("STAGE", &["0", "1", "2", "3", "5", "9", "-1", "x"]),
            ("STAGE_START", &DATES),
            ("RESPONSE_DUE", &OPTIONAL_DATES),
            ("RESPONSE_DATE", &OPTIONAL_DATES),
            (
                "OUTCOME",
                &["ESCALATED", "RESOLVED", "", "WITHDRAWN", "lost"],
            ),
            ("CAFCASS_REFERRAL", &["Y", "N", "", "?"]),
        ],
    },
];

/// Rows of one table, each with every column or, now and then, one short.
fn rows(t: &'static Table) -> impl Strategy<Value = Vec<String>> {
    let row = t
        .columns
        .iter()
        .map(|(_, values)| field(values))
        .collect::<Vec<_>>();
    let one = (row, prop::bool::weighted(0.03)).prop_map(|(mut fields, short)| {
        if short && fields.len() > 1 {
            fields.pop();
        }
        fields.join(",")
    });
    prop::collection::vec(one, 0..16)
}

fn write(dir: &Path, t: &Table, rows: &[String]) {
    let header: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    let mut text = header.join(",");
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    fs::write(dir.join(t.file), text).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn a_run_never_panics_and_no_metric_fails(
        tables in (
            rows(&TABLES[0]), rows(&TABLES[1]), rows(&TABLES[2]), rows(&TABLES[3]),
            rows(&TABLES[4]), rows(&TABLES[5]), rows(&TABLES[6]),
        ),
        suppress in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let year = dir.path().join("800").join("2025");
        fs::create_dir_all(&year).unwrap();
        let (a, b, c, d, e, f, g) = &tables;
        for (t, rows) in TABLES.iter().zip([a, b, c, d, e, f, g]) {
            write(&year, t, rows);
        }
        // Suppression on (the default) or off, so that the figures of so
        // small a cohort are seen too.
        let mut config = Config::default();
        if !suppress {
            config.suppression.threshold = 0;
        }
        let source = InputSource::Folder(dir.path().to_path_buf());
        let result = run(&config, &source, &builtin_metrics(), &|_| {});
        let result = result.expect("a folder of CSV files always runs");
        for s in &result.statuses {
            prop_assert!(
                !matches!(s.outcome, Outcome::Failed(_)),
                "{} {} failed: {:?}", s.metric, s.year, s.outcome
            );
        }
        for a in &result.loaded.accounts {
            prop_assert_eq!(a.rows_read, a.rows_used + a.rows_excluded);
        }
        for a in &result.loaded.service_accounts {
            prop_assert_eq!(a.rows_read, a.rows_used + a.rows_excluded);
        }
    }
}
