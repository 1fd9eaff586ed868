use std::path::PathBuf;

use iro_domain::{CollectionYear, LaCode};

use super::*;
use crate::source::YearSource;

fn task() -> FileTask {
    FileTask::new(
        PathBuf::from("800/2025/return.xml"),
        LaCode::new(800).unwrap(),
        CollectionYear(2025),
        None,
        YearSource::Folder,
    )
}

fn read(text: &[u8]) -> (BTreeMap<TableKind, TablePart>, Vec<Diagnostic>) {
    let t = task();
    read_bytes(text, &Base { task: &t }, 2025)
}

fn csv(parts: &BTreeMap<TableKind, TablePart>, t: TableKind) -> String {
    String::from_utf8(parts[&t].0.clone()).unwrap()
}

const RETURN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>C1</CHILDID>
      <UPN>A123456789012</UPN>
      <SEX>M</SEX>
      <DOB>01/02/2010</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UASC>1</UASC>
      <DUC>01/02/2028</DUC>
      <IN_TOUCH>YES</IN_TOUCH>
      <AREVIEW>
        <REVIEW>01/06/2024</REVIEW>
        <REVIEW_CODE>PN1</REVIEW_CODE>
      </AREVIEW>
      <AREVIEW>
        <REVIEW>01/12/2024</REVIEW>
        <REVIEW_CODE>PN0</REVIEW_CODE>
      </AREVIEW>
      <MOTHER/>
    </HEADER>
    <EPISODE>
      <DECOM>01/05/2024</DECOM>
      <RNE>S</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>U1</PL>
      <DEC/>
      <REC/>
    </EPISODE>
  </CHILD>
</EXPSSDA903>
";

#[test]
fn a_return_becomes_one_part_per_table_of_the_year() {
    let (parts, diags) = read(RETURN.as_bytes());
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(parts.keys().copied().collect::<Vec<_>>(), TABLES.to_vec());
    assert_eq!(
        csv(&parts, TableKind::Header),
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,M,01/02/2010,WBRI,A123456789012,,\n"
    );
    assert_eq!(
        csv(&parts, TableKind::Episodes),
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\nC1,01/05/2024,S,C2,N1,U1,,,,,,,\n"
    );
    assert_eq!(
        csv(&parts, TableKind::Reviews),
        "CHILD,DOB,REVIEW,REVIEW_CODE\nC1,01/02/2010,01/06/2024,PN1\nC1,01/02/2010,01/12/2024,PN0\n"
    );
    assert_eq!(
        csv(&parts, TableKind::Uasc),
        "CHILD,SEX,DOB,DUC\nC1,M,01/02/2010,01/02/2028\n"
    );
    // OC3 is given IN_TOUCH only: the row is made, its blanks checked later.
    assert_eq!(
        csv(&parts, TableKind::Oc3),
        "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nC1,01/02/2010,YES,,\n"
    );
    assert_eq!(csv(&parts, TableKind::Ad1).lines().count(), 1);
    // Lines: each row's record element; paths; each field's element.
    let (_, lines, xml) = &parts[&TableKind::Reviews];
    assert_eq!(lines, &[13, 17]);
    assert_eq!(xml.path(1), Some("CHILD[1]/HEADER/AREVIEW[2]"));
    assert_eq!(xml.field_line(1, 2), Some(18), "REVIEW");
    assert_eq!(xml.field_line(1, 1), Some(8), "DOB, from the HEADER");
    let (_, lines, xml) = &parts[&TableKind::Episodes];
    assert_eq!(lines, &[23]);
    assert_eq!(xml.path(0), Some("CHILD[1]/EPISODE[1]"));
    assert_eq!(xml.field_line(0, 5), Some(28), "PLACE is <PL>");
    assert_eq!(xml.field_line(0, 6), None, "no PLACE_PROVIDER element");
    assert_eq!(parts[&TableKind::Header].1, vec![4]);
}

#[test]
fn tables_not_collected_in_the_year_are_carried_only_with_records() {
    let t = task();
    let (parts, _) = read_bytes(RETURN.as_bytes(), &Base { task: &t }, 2014);
    assert!(!parts.contains_key(&TableKind::Missing));
    assert!(!parts.contains_key(&TableKind::PrevPerm));
    assert!(parts.contains_key(&TableKind::Reviews));
}

#[test]
fn values_with_commas_quotes_and_line_breaks_stay_one_field() {
    let xml =
        "<EXPSSDA903><CHILD><HEADER><CHILDID>a,\"b\"\n c</CHILDID></HEADER></CHILD></EXPSSDA903>";
    let (parts, diags) = read(xml.as_bytes());
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(
        csv(&parts, TableKind::Header).lines().nth(1),
        Some("\"a,\"\"b\"\"  c\",,,,,,")
    );
}

#[test]
fn utf16_and_a_byte_order_mark_are_read() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in RETURN.replace("UTF-8", "UTF-16").encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let (parts, diags) = read(&bytes);
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(parts[&TableKind::Episodes].1, vec![23]);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(RETURN.as_bytes());
    let (parts, diags) = read(&bom);
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(parts[&TableKind::Reviews].1, vec![13, 17]);
}

#[test]
fn start_tags_are_counted_in_text_that_does_not_parse() {
    let text = "<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID><UASC>1</UASC><IN_TOUCH/>\
                <AREVIEW><REVIEW>x</REVIEW></AREVIEW></HEADER><EPISODE></EPISODE><EPISODE>\
                <CHILD><HEADER><UASC>0</UASC><DATE_INT>01/01/2020</DATE_INT>";
    let counts = count_start_tags(text);
    assert_eq!(counts.get(&TableKind::Header), Some(&2));
    assert_eq!(counts.get(&TableKind::Episodes), Some(&2));
    assert_eq!(counts.get(&TableKind::Reviews), Some(&1));
    assert_eq!(counts.get(&TableKind::Uasc), Some(&1));
    assert_eq!(counts.get(&TableKind::Oc3), None);
    assert_eq!(counts.get(&TableKind::Ad1), Some(&1));
}

#[test]
fn lines_end_as_in_a_csv() {
    let l = LineIndex::new("a\r\nb\rc\n\nd");
    assert_eq!(l.line(0), 1);
    assert_eq!(l.line(3), 2);
    assert_eq!(l.line(5), 3);
    assert_eq!(l.line(8), 5);
}

#[test]
fn a_line_names_a_record_only_when_one_starts_on_it() {
    let lines = [2, 2, 5, 9];
    assert_eq!(XmlRecords::record_at_line(&lines, 2), None);
    assert_eq!(XmlRecords::record_at_line(&lines, 5), Some(2));
    assert_eq!(XmlRecords::record_at_line(&lines, 9), Some(3));
    assert_eq!(XmlRecords::record_at_line(&lines, 7), None);
}

#[test]
fn columns_and_elements() {
    for t in TABLES {
        for c in t.columns() {
            let e = element_of(c);
            assert_eq!(column_of(e), *c);
            // Every column of a table is an item of the HEADER or of the
            // table's own group.
            let group = [
                Group::Header,
                Group::Episode,
                Group::Missing,
                Group::Review,
                Group::Permanence,
                Group::Oc2,
                Group::AdPlaced,
            ]
            .into_iter()
            .find(|g| g.table() == t)
            .unwrap_or(Group::Header);
            assert!(
                group.items().contains(&e) || Group::Header.items().contains(&e),
                "{t} {c}"
            );
        }
    }
}
