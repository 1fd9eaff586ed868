//! An XML return and the CSVs of the same return read the same: the bundled
//! sample's returns, written both ways by the testkit, give identical cohorts,
//! row accounts and diagnostics (all but where in the file each one points).

use std::path::Path;

use iro_domain::{CollectionYear, Diagnostic, RowAccount, SourceRef, TableKind};
use iro_ingest::{InputSource, LoadOptions, Loaded, load};
use iro_testkit::{Config, Format, generate, write_dataset_as};

fn load_dir(dir: &Path) -> Loaded {
    load(
        &InputSource::Folder(dir.to_path_buf()),
        &LoadOptions::default(),
    )
    .unwrap()
}

/// The tables of the 2021 XML schema that the testkit never fills: an XML
/// return carries them, empty, where the CSVs have no file.
const XML_ONLY: [TableKind; 2] = [TableKind::Ad1, TableKind::PlacedAdoption];

/// A message without the line numbers it quotes ("first at line 12").
fn without_lines(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find("line ") {
        out.push_str(&rest[..at + 5]);
        let after = &rest[at + 5..];
        rest = after.trim_start_matches(|c: char| c.is_ascii_digit());
        if rest.len() < after.len() {
            out.push('N');
        }
    }
    out.push_str(rest);
    out
}

/// What a diagnostic says, without where it points.
fn what(d: &Diagnostic) -> String {
    format!(
        "{} {} {:?} {:?} {:?} {:?} {:?} | {} | {:?}",
        d.severity.label(),
        d.rule,
        d.la,
        d.year,
        d.table,
        d.field,
        d.value,
        without_lines(&d.message),
        d.personal_detail,
    )
}

fn diagnostics(l: &Loaded) -> Vec<String> {
    let mut v: Vec<String> = l.diagnostics.iter().map(what).collect();
    v.sort();
    v
}

fn accounts(l: &Loaded, drop_xml_only: bool) -> Vec<RowAccount> {
    l.accounts
        .iter()
        .filter(|a| !(drop_xml_only && XML_ONLY.contains(&a.table) && a.rows_read == 0))
        .cloned()
        .collect()
}

/// Rows of a table with where they came from blanked.
macro_rules! unsourced {
    ($rows:expr) => {
        $rows
            .iter()
            .cloned()
            .map(|mut r| {
                r.source = SourceRef { file: 0, line: 0 };
                r
            })
            .collect::<Vec<_>>()
    };
}

#[test]
fn the_sample_as_xml_reads_as_its_csvs() {
    let data = generate(&Config::sample());
    let said = assert_read_alike(&data);
    assert!(said.len() > 100, "{} diagnostics", said.len());
}

/// Faults put into a return are reported alike from both: an unknown code,
/// a blank UPN, a review given twice, an episode ending before it starts.
#[test]
fn row_problems_are_reported_alike() {
    let mut data = generate(&Config::small(1, 60, 2024, 2025, 5));
    let ret = &mut data.authorities[0].years[1];
    ret.episodes[0].ls = "QQ";
    ret.header[1].upn = String::new();
    let twice = ret.reviews[2].clone();
    ret.reviews.push(twice);
    ret.reviews[3].review_code = "PN9";
    let e = &mut ret.episodes[4];
    e.dec = Some(e.decom - chrono::Duration::days(3));
    e.rec = Some("E11");
    let said = assert_read_alike(&data);
    for rule in [
        "error code.unknown",
        "warning code.unknown",
        "error dfe.356",
        "warning field.required_blank",
        "warning row.duplicate",
    ] {
        assert!(
            said.iter().any(|d| d.starts_with(rule)),
            "{rule}: {said:#?}"
        );
    }
}

/// Writes `data` both ways, reads both, and checks they read alike; returns
/// the diagnostics compared.
fn assert_read_alike(data: &iro_testkit::Dataset) -> Vec<String> {
    let csv_dir = tempfile::tempdir().unwrap();
    let xml_dir = tempfile::tempdir().unwrap();
    write_dataset_as(data, csv_dir.path(), Format::Csv).unwrap();
    write_dataset_as(data, xml_dir.path(), Format::Xml).unwrap();
    let la = format!("{:03}", data.authorities[0].spec.code);
    let xml_file = xml_dir.path().join(&la).join("2025/return.xml");
    assert!(xml_file.exists());
    assert!(!xml_dir.path().join(&la).join("2025/episodes.csv").exists());

    let csv = load_dir(csv_dir.path());
    let xml = load_dir(xml_dir.path());

    assert_eq!(xml.cohorts.len(), csv.cohorts.len());
    for (c, x) in csv.cohorts.iter().zip(&xml.cohorts) {
        assert_eq!(c.la(), x.la());
        assert!(!c.episodes().is_empty());
        assert_eq!(c.children(), x.children(), "{} children", c.la());
        assert_eq!(
            unsourced!(c.episodes()),
            unsourced!(x.episodes()),
            "{} episodes",
            c.la()
        );
        assert_eq!(unsourced!(c.reviews()), unsourced!(x.reviews()));
        assert_eq!(unsourced!(c.missing()), unsourced!(x.missing()));
        assert_eq!(unsourced!(c.prev_perm()), unsourced!(x.prev_perm()));
        assert_eq!(unsourced!(c.sw_episodes()), unsourced!(x.sw_episodes()));
        assert_eq!(unsourced!(c.oc2()), unsourced!(x.oc2()));
        assert_eq!(unsourced!(c.oc3()), unsourced!(x.oc3()));
        assert_eq!(c.ad1().len() + x.ad1().len(), 0);
        assert_eq!(
            format!("{:?}", c.periods()),
            format!("{:?}", x.periods()),
            "{} periods of care",
            c.la()
        );
        assert_eq!(
            format!("{:?}", c.placements()),
            format!("{:?}", x.placements())
        );
        assert_eq!(c.figure_basis(), x.figure_basis());
        assert_eq!(c.service().reviews.len(), x.service().reviews.len());
        // The tables supplied, year by year: the XML's also include the
        // schema's tables the sample never fills.
        for (year, tables) in c.tables() {
            let mut with_xml_only = tables.clone();
            with_xml_only.extend(XML_ONLY.into_iter().filter(|t| year.0 >= t.first_year()));
            assert_eq!(x.tables().get(year), Some(&with_xml_only), "{year:?}");
        }
        let y = CollectionYear(2025);
        assert!(x.has_table(y, TableKind::Ad1) && !c.has_table(y, TableKind::Ad1));
    }

    assert_eq!(accounts(&csv, false), accounts(&xml, true));
    let (c, x) = (diagnostics(&csv), diagnostics(&xml));
    assert_eq!(c, x);
    // Every diagnostic about a row of the XML points into it: a line and
    // an element path.
    for d in &xml.diagnostics {
        if d.file.as_deref() == Some(xml_file.as_path()) && d.line.is_some() {
            assert!(d.within.is_some(), "{d:?}");
            assert_eq!(d.column, None, "{d:?}");
        }
    }
    c
}

#[test]
fn messages_lose_only_their_line_numbers() {
    assert_eq!(
        without_lines("UPN is blank — 3 rows, first at line 120"),
        "UPN is blank — 3 rows, first at line N"
    );
    assert_eq!(without_lines("no line here"), "no line here");
}
