//! SSDA903 XML returns: read into the same tables as CSVs, with element paths
//! and XML lines in diagnostics, and every malformation reported.

mod common;

use std::fs;

use common::*;
use iro_domain::{CollectionYear, Severity, TableKind};
use iro_ingest::{FileStatus, InputSource, LoadOptions, Loaded, Manifest, load, rules};

/// Loads `xml` written as `800/2025/return.xml` (and any other files given).
fn load_xml(xml: &str, others: &[(&str, &str)]) -> Loaded {
    let dir = tempfile::tempdir().unwrap();
    let year = dir.path().join("800/2025");
    fs::create_dir_all(&year).unwrap();
    fs::write(year.join("return.xml"), xml).unwrap();
    for (name, text) in others {
        fs::write(year.join(name), text).unwrap();
    }
    let l = load(
        &InputSource::Folder(dir.path().to_path_buf()),
        &LoadOptions::default(),
    )
    .unwrap();
    check_invariants(&l);
    l
}

fn child(id: &str, episodes: &str) -> String {
    format!(
        "  <CHILD>
    <HEADER>
      <CHILDID>{id}</CHILDID>
      <UPN>A123456789012</UPN>
      <SEX>F</SEX>
      <DOB>01/02/2012</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UASC/>
      <AREVIEW>
        <REVIEW>01/09/2024</REVIEW>
        <REVIEW_CODE>PN1</REVIEW_CODE>
      </AREVIEW>
      <MOTHER>0</MOTHER>
    </HEADER>
{episodes}  </CHILD>
"
    )
}

fn episode(decom: &str, ls: &str) -> String {
    format!(
        "    <EPISODE>
      <DECOM>{decom}</DECOM>
      <RNE>S</RNE>
      <LS>{ls}</LS>
      <CIN>N1</CIN>
      <PL>U1</PL>
      <PL_POST/>
      <HOME_POST/>
      <DEC/>
      <REC/>
    </EPISODE>
"
    )
}

fn xml_return(children: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EXPSSDA903>\n{}</EXPSSDA903>\n",
        children.concat()
    )
}

fn diags<'a>(l: &'a Loaded, rule: &str) -> Vec<&'a iro_domain::Diagnostic> {
    with_rule(l, rule)
}

#[test]
fn an_xml_return_is_read_like_its_csvs() {
    let l = load_xml(
        &xml_return(&[
            child("X1", &episode("01/05/2024", "C2")),
            child("X2", &episode("01/06/2024", "C2")),
        ]),
        &[],
    );
    let c = l.cohort(la("800")).unwrap();
    assert_eq!(c.children().len(), 2);
    assert_eq!(c.episodes().len(), 2);
    assert_eq!(c.reviews().len(), 2);
    assert!(c.has_table(CollectionYear(2025), TableKind::Reviews));
    assert!(c.has_table(CollectionYear(2025), TableKind::Uasc));
    assert_eq!(account(&l, "800", 2025, TableKind::Episodes), (2, 2, 0));
    assert_eq!(account(&l, "800", 2025, TableKind::Header), (2, 2, 0));
    // Each row points at its record's element in the XML.
    let e = &c.episodes()[1];
    let f = l.file(e.source).unwrap();
    assert!(f.path.ends_with("800/2025/return.xml"));
    assert_eq!(f.table, Some(TableKind::Episodes));
    assert_eq!(e.source.line, 43);
    // One file info per table the return carries, all read.
    assert_eq!(l.files.len(), 10);
    assert_eq!(l.file_count(), 1);
    assert!(l.files.iter().all(|f| f.status == FileStatus::Read));
    assert!(
        l.diagnostics.iter().all(|d| d.severity < Severity::Warning),
        "{}",
        summary(&l)
    );
}

#[test]
fn a_row_problem_names_the_element_path_and_its_line() {
    let l = load_xml(
        &xml_return(&[child("X1", &episode("01/05/2024", "QQ"))]),
        &[],
    );
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.field.as_deref() == Some("LS"))
        .unwrap_or_else(|| panic!("{}", summary(&l)));
    assert_eq!(d.within.as_deref(), Some("CHILD[1]/EPISODE[1]"));
    assert_eq!(d.line, Some(20), "the line of <LS>");
    assert_eq!(d.column, None);
    assert!(d.location().contains("return.xml (CHILD[1]/EPISODE[1]):20"));
}

#[test]
fn a_problem_found_across_rows_names_the_element_too() {
    // The same episode twice with different content: a duplicate key.
    let two = format!(
        "{}{}",
        episode("01/05/2024", "C2"),
        episode("01/05/2024", "J1")
    );
    let l = load_xml(&xml_return(&[child("X1", &two)]), &[]);
    let d = diags(&l, rules::ROW_DUPLICATE_KEY);
    assert_eq!(d.len(), 1, "{}", summary(&l));
    assert_eq!(d[0].within.as_deref(), Some("CHILD[1]/EPISODE[2]"));
    assert_eq!(d[0].line, Some(28));
    assert_eq!(d[0].column, None);
}

#[test]
fn xml_not_well_formed_is_excluded_with_its_records_counted() {
    let mut text = xml_return(&[
        child("X1", &episode("01/05/2024", "C2")),
        child("X2", &episode("01/06/2024", "C2")),
    ]);
    text.truncate(text.len() - 20);
    let l = load_xml(&text, &[]);
    let d = diags(&l, rules::XML_MALFORMED);
    assert!(d.iter().all(|d| d.severity == Severity::Error));
    let tables: Vec<_> = d.iter().filter_map(|d| d.table).collect();
    assert_eq!(
        tables,
        vec![TableKind::Header, TableKind::Episodes, TableKind::Reviews]
    );
    assert!(d[0].line.is_some());
    assert_eq!(account(&l, "800", 2025, TableKind::Episodes), (2, 0, 2));
    assert_eq!(account(&l, "800", 2025, TableKind::Header), (2, 0, 2));
    assert!(l.files.iter().all(|f| f.status == FileStatus::Excluded));
    // Without a usable Header or Episodes table the year is not computable.
    assert_eq!(diags(&l, rules::TABLE_MISSING).len(), 2);
}

#[test]
fn another_root_is_not_an_ssda903_return() {
    let text =
        xml_return(&[child("X1", &episode("01/05/2024", "C2"))]).replace("EXPSSDA903", "CINCENSUS");
    let l = load_xml(&text, &[]);
    let d = diags(&l, rules::XML_MALFORMED);
    assert_eq!(d.len(), 3, "{}", summary(&l));
    assert!(d[0].message.contains("<CINCENSUS>"));
    assert_eq!(d[0].line, Some(2));
    assert_eq!(account(&l, "800", 2025, TableKind::Reviews), (1, 0, 1));
    // Nothing at all to read: one error for the file.
    let l = load_xml("<?xml version=\"1.0\"?>\n<Message/>\n", &[]);
    let d = diags(&l, rules::XML_MALFORMED);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].table, None);
}

#[test]
fn a_child_without_childid_loses_its_records() {
    let l = load_xml(
        &xml_return(&[
            child("", &episode("01/05/2024", "C2")),
            child("X2", &episode("01/06/2024", "C2")),
        ]),
        &[],
    );
    let d = diags(&l, rules::XML_CHILD_WITHOUT_ID);
    assert_eq!(d.len(), 3, "{}", summary(&l));
    assert!(d.iter().all(|d| d.within.as_deref() == Some("CHILD[1]")));
    assert!(d.iter().all(|d| d.line == Some(3)));
    assert_eq!(account(&l, "800", 2025, TableKind::Episodes), (2, 1, 1));
    assert_eq!(l.cohort(la("800")).unwrap().children().len(), 1);
}

#[test]
fn text_inside_a_group_excludes_its_record() {
    let ep = episode("01/05/2024", "C2").replace("<EPISODE>", "<EPISODE>stray");
    let l = load_xml(
        &xml_return(&[child("X1", &ep), child("X2", &episode("01/06/2024", "C2"))]),
        &[],
    );
    let d = diags(&l, rules::XML_TEXT_IN_GROUP);
    assert_eq!(d.len(), 1, "{}", summary(&l));
    assert_eq!(d[0].within.as_deref(), Some("CHILD[1]/EPISODE[1]"));
    assert_eq!(d[0].table, Some(TableKind::Episodes));
    assert_eq!(account(&l, "800", 2025, TableKind::Episodes), (2, 1, 1));
    // In a HEADER: every record of the child.
    let hdr = child("X1", &episode("01/05/2024", "C2")).replace("<HEADER>", "<HEADER>oops");
    let l = load_xml(&xml_return(&[hdr]), &[]);
    assert_eq!(diags(&l, rules::XML_TEXT_IN_GROUP).len(), 3);
    assert_eq!(account(&l, "800", 2025, TableKind::Header), (1, 0, 1));
}

#[test]
fn unknown_elements_are_named_and_counted_not_dropped_silently() {
    let sw = "    <SWEPISODE>\n      <SW_ID>SW1</SW_ID>\n    </SWEPISODE>\n";
    let l = load_xml(
        &xml_return(&[
            child("X1", &format!("{}{sw}", episode("01/05/2024", "C2"))),
            child("X2", sw),
        ]),
        &[],
    );
    let d = diags(&l, rules::XML_UNKNOWN_ELEMENT);
    assert_eq!(d.len(), 1, "{}", summary(&l));
    assert_eq!(d[0].severity, Severity::Info);
    assert!(d[0].message.contains("<SWEPISODE> inside <CHILD>"));
    assert!(d[0].message.contains("2 occurrence(s)"));
    assert_eq!(d[0].within.as_deref(), Some("CHILD[1]/SWEPISODE"));
    assert_eq!(d[0].line, Some(28));
    assert_eq!(account(&l, "800", 2025, TableKind::Episodes), (1, 1, 0));
}

#[test]
fn an_item_given_twice_is_read_once() {
    let ep = episode("01/05/2024", "C2").replace("<RNE>S</RNE>", "<RNE>S</RNE><RNE>P</RNE>");
    let l = load_xml(&xml_return(&[child("X1", &ep)]), &[]);
    let d = diags(&l, rules::XML_REPEATED_ELEMENT);
    assert_eq!(d.len(), 1, "{}", summary(&l));
    assert_eq!(d[0].field.as_deref(), Some("RNE"));
    assert_eq!(d[0].value.as_deref(), Some("P"));
    assert_eq!(d[0].within.as_deref(), Some("CHILD[1]/EPISODE[1]/RNE"));
    let c = l.cohort(la("800")).unwrap();
    assert_eq!(c.episodes()[0].rne, iro_domain::ReasonNewEpisode::S);
}

#[test]
fn the_uasc_flag_makes_a_uasc_row() {
    let uasc = child("X1", &episode("01/05/2024", "C2"))
        .replace("<UASC/>", "<UASC>1</UASC><DUC>01/02/2030</DUC>");
    let odd = child("X2", &episode("01/05/2024", "C2")).replace("<UASC/>", "<UASC>Y</UASC>");
    let l = load_xml(&xml_return(&[uasc, odd]), &[]);
    assert_eq!(account(&l, "800", 2025, TableKind::Uasc), (1, 1, 0));
    let d = diags(&l, rules::XML_UASC_FLAG);
    assert_eq!(d.len(), 1, "{}", summary(&l));
    assert_eq!(d[0].within.as_deref(), Some("CHILD[2]/HEADER/UASC"));
    let c = l.cohort(la("800")).unwrap();
    assert!(c.children().iter().any(|ch| ch.uasc.is_some()));
}

#[test]
fn an_xml_and_a_csv_of_one_table_in_one_year_are_both_read() {
    let csv = "CHILD,DOB,REVIEW,REVIEW_CODE\nX1,01/02/2012,01/10/2024,PN1\n";
    let l = load_xml(
        &xml_return(&[child("X1", &episode("01/05/2024", "C2"))]),
        &[("reviews.csv", csv)],
    );
    let d = diags(&l, rules::FILE_DUPLICATE_TABLE);
    assert_eq!(d.len(), 1, "{}", summary(&l));
    assert_eq!(d[0].table, Some(TableKind::Reviews));
    assert_eq!(l.cohort(la("800")).unwrap().reviews().len(), 2);
}

#[test]
fn an_xml_outside_a_year_folder_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("800/2025")).unwrap();
    let text = xml_return(&[child("X1", &episode("01/05/2024", "C2"))]);
    fs::write(dir.path().join("800/2025/return.xml"), &text).unwrap();
    fs::write(dir.path().join("800/stray.xml"), &text).unwrap();
    fs::write(dir.path().join("top.xml"), &text).unwrap();
    let l = load(
        &InputSource::Folder(dir.path().to_path_buf()),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(diags(&l, rules::FILE_MISPLACED).len(), 2, "{}", summary(&l));
    assert_eq!(l.cohort(la("800")).unwrap().children().len(), 1);
}

#[test]
fn a_manifest_lists_an_xml_return_without_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("return.xml");
    fs::write(
        &path,
        xml_return(&[child("X1", &episode("01/05/2024", "C2"))]),
    )
    .unwrap();
    let manifest = |table: &str| -> Manifest {
        toml::from_str(&format!(
            "[[files]]\nla = 800\nyear = \"2024-25\"\npath = {:?}\n{table}",
            path.display().to_string()
        ))
        .unwrap()
    };
    let l = load(
        &InputSource::Manifest(manifest("")),
        &LoadOptions::default(),
    )
    .unwrap();
    check_invariants(&l);
    assert_eq!(l.cohort(la("800")).unwrap().episodes().len(), 1);
    let err = load(
        &InputSource::Manifest(manifest("table = \"Episodes\"")),
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("holds every table"), "{err}");
}

#[test]
fn a_return_on_one_line_still_names_each_row_problem() {
    let text = xml_return(&[child("X1", &episode("01/05/2024", "QQ"))])
        .lines()
        .map(str::trim)
        .collect::<String>();
    let l = load_xml(&text, &[]);
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.field.as_deref() == Some("LS"))
        .unwrap_or_else(|| panic!("{}", summary(&l)));
    assert_eq!(d.within.as_deref(), Some("CHILD[1]/EPISODE[1]"));
    assert_eq!(d.line, Some(1));
}

/// The `xml` fixture: a return with one of each XML problem, and a return
/// cut short. Every `xml.*` rule is produced there (`every_rule_is_exercised`).
#[test]
fn the_xml_fixture() {
    let l = load_case("xml");
    let f25 = "800/2025/return.xml";
    assert_at(&l, rules::XML_REPEATED_ELEMENT, f25, 22, None);
    assert_at(&l, rules::XML_UNKNOWN_ELEMENT, f25, 34, None);
    assert_at(&l, rules::XML_UASC_FLAG, f25, 59, None);
    assert_at(&l, rules::XML_TEXT_IN_GROUP, f25, 68, None);
    // X3's LS, at the line of its <LS> element.
    let ls = l
        .diagnostics
        .iter()
        .find(|d| d.field.as_deref() == Some("LS"))
        .unwrap();
    assert_eq!(ls.line, Some(64));
    assert_eq!(ls.within.as_deref(), Some("CHILD[3]/EPISODE[1]"));
    // The second CHILD has no CHILDID: its Header and Episodes rows.
    assert_eq!(diags(&l, rules::XML_CHILD_WITHOUT_ID).len(), 2);
    assert_eq!(account(&l, "800", 2025, TableKind::Header), (3, 2, 1));
    assert_eq!(account(&l, "800", 2025, TableKind::Episodes), (4, 1, 3));
    // The 2023-24 return is cut short: excluded, its records counted.
    assert!(diags(&l, rules::XML_MALFORMED).iter().all(|d| {
        d.file
            .as_ref()
            .is_some_and(|f| f.ends_with("800/2024/return.xml"))
    }));
    assert_eq!(account(&l, "800", 2024, TableKind::Header), (2, 0, 2));
    assert_eq!(account(&l, "800", 2024, TableKind::Episodes), (1, 0, 1));
    insta::assert_snapshot!("xml", summary(&l));
}
