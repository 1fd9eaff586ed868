//! An SSDA903 XML return gives the same figures as the CSVs of the same
//! return: the bundled sample, written as XML by the testkit, run through
//! `iro run` beside `data/sample` itself.

mod common;

use std::fs;

use common::{iro, text};
use iro_testkit::{Config, Format, generate, write_dataset_as};

#[test]
fn the_sample_as_xml_gives_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("xml");
    write_dataset_as(&generate(&Config::sample()), &xml, Format::Xml).unwrap();
    assert!(xml.join("800/2025/return.xml").exists());
    assert!(!xml.join("800/2025/episodes.csv").exists());

    let run = |input: &str, out: &str| {
        let out = dir.path().join(out);
        let o = iro(&[
            "run",
            input,
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
            "--no-report",
        ]);
        // Warnings (the sample's own) but no errors.
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        (out, text(&o))
    };
    let (from_csv, said_csv) = run("data/sample", "csv");
    let (from_xml, said_xml) = run(xml.to_str().unwrap(), "xml");
    for file in ["metrics.csv", "cohort_summary.csv"] {
        let a = fs::read(from_csv.join(file)).unwrap();
        let b = fs::read(from_xml.join(file)).unwrap();
        assert!(a.len() > 1000, "{file}");
        assert!(a == b, "{file} differs between the CSVs and the XML");
    }
    // Rows read, used and excluded alike; the XML also supplies the schema's
    // AD1 and PlacedAdoption tables, which the sample leaves empty.
    let counts = |dir: &std::path::Path| {
        fs::read_to_string(dir.join("row_counts.csv"))
            .unwrap()
            .lines()
            .filter(|l| !l.contains(",Ad1,0,0,0") && !l.contains(",PlacedAdoption,0,0,0"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert!(counts(&from_csv).len() > 50);
    assert_eq!(counts(&from_csv), counts(&from_xml));
    // The same problems; an XML return's point at its elements.
    let first = |s: &str| s.lines().nth(2).unwrap_or_default().to_string();
    assert_eq!(first(&said_csv), first(&said_xml));
    assert!(said_xml.contains("return.xml (CHILD["), "{said_xml}");
    // Each XML return counts as one file, its SWEpisodes CSV as another.
    assert!(said_xml.starts_with("Read 75 files"), "{said_xml}");
}
