//! Import → load → lookup on small ONSPD-style fixtures (real ONSPD values,
//! `testdata/`), error reporting, and an ignored full-scale timing.

use std::path::{Path, PathBuf};

use iro_domain::Postcode;

use crate::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

fn pc(s: &str) -> Postcode {
    Postcode::parse(s).unwrap()
}

fn imported(name: &str) -> (PostcodeIndex, ImportSummary, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("units.bin");
    let summary = import_onspd(&fixture(name), &out).unwrap();
    let index = PostcodeIndex::load(Some(&out)).unwrap();
    (index, summary, dir)
}

#[test]
fn import_onspd_round_trips() {
    let (ix, s, _dir) = imported("onspd_sample.csv");
    assert_eq!(s.rows, 16);
    assert_eq!(s.blank_postcodes, 1);
    // JE, IM (osgrdind 9) and the terminated AB11 3AG have no grid reference.
    assert_eq!((s.with_coordinates, s.without_coordinates), (13, 3));
    assert_eq!(s.by_country["England"], 10);
    assert_eq!(s.by_country["Unknown"], 1);
    assert!(s.lads_without_utla.is_empty(), "{:?}", s.lads_without_utla);
    assert!(ix.has_unit_table());
    assert_eq!(ix.units().unwrap().len(), 16);

    // The spec's worked example, exactly: 76.6 miles.
    let b1 = ix.lookup(&pc("B1 1AA")).unwrap();
    let bs1 = ix.lookup(&pc("bs11aa")).unwrap();
    assert_eq!((b1.easting, b1.northing), (406_649, 286_530));
    assert_eq!((bs1.easting, bs1.northing), (359_905, 172_440));
    assert_eq!(b1.precision, Precision::Unit);
    assert_eq!(dfe_distance_miles(&b1, &bs1), Some(76.6));

    // 2023 authorities: LAD and UTLA are the new unitaries.
    for (p, code) in [
        ("TA1 1AA", "E06000066"),
        ("YO7 1AA", "E06000065"),
        ("CA1 1AA", "E06000063"),
        ("LA9 4AA", "E06000064"),
    ] {
        let l = ix.lookup(&pc(p)).unwrap();
        assert_eq!(l.lad.unwrap().as_str(), code, "{p}");
        assert_eq!(l.utla.unwrap().as_str(), code, "{p}");
    }
    // Barnsley's post-2023 LAD code maps to its April 2023 UTLA.
    let s70 = ix.lookup(&pc("S70 1AA")).unwrap();
    assert_eq!(s70.lad.unwrap().as_str(), "E08000038");
    assert_eq!(s70.utla.unwrap().as_str(), "E08000016");

    // Northern Ireland is on the Irish Grid; no distance to GB.
    let bt = ix.lookup(&pc("BT1 1AA")).unwrap();
    assert_eq!(bt.grid, Grid::Irish);
    assert_eq!(bt.country(), Country::NorthernIreland);
    assert_eq!(dfe_distance_tenths(&b1, &bt), None);
    // Channel Islands / Isle of Man: known, no grid reference.
    assert_eq!(
        ix.resolve(&pc("JE2 3AB")),
        Resolved::NoCoordinates {
            lad: OnsCode::parse("L99999999"),
            precision: Precision::Unit
        }
    );
    assert!(ix.lookup(&pc("IM1 1AA")).is_none());
    // A terminated postcode with nothing: known, no LAD, no grid reference.
    assert_eq!(
        ix.resolve(&pc("AB11 3AG")),
        Resolved::NoCoordinates {
            lad: None,
            precision: Precision::Unit
        }
    );
    // Not in the unit table: the sector centroid answers, labelled.
    let bs1_9 = ix.lookup(&pc("BS1 1ZZ")).unwrap();
    assert_eq!(bs1_9.precision, Precision::SectorCentroid);
    assert_eq!(bs1_9.utla.unwrap().as_str(), "E06000023");
    assert_eq!(ix.resolve(&pc("ZZ9 9ZZ")), Resolved::NotFound);
}

#[test]
fn nspl_column_names_and_decimal_coordinates() {
    let (ix, s, _dir) = imported("nspl_style.csv");
    assert_eq!(s.rows, 2);
    // lad25cd (the latest year) is used, not lad23cd.
    let s1 = ix.lookup(&pc("S1 1AA")).unwrap();
    assert_eq!(s1.lad.unwrap().as_str(), "E08000039");
    assert_eq!(s1.utla.unwrap().as_str(), "E08000019");
    assert_eq!((s1.easting, s1.northing), (435_732, 387_312));
}

#[test]
fn a_folder_is_searched_for_the_uk_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("Data");
    std::fs::create_dir(&data).unwrap();
    std::fs::copy(
        fixture("onspd_sample.csv"),
        data.join("ONSPD_NOV_2025_UK.csv"),
    )
    .unwrap();
    std::fs::write(data.join("notes.csv"), "a,b\n1,2\n").unwrap();
    let out = dir.path().join("units.bin");
    let s = import_onspd(dir.path(), &out).unwrap();
    assert_eq!(s.files, vec![data.join("ONSPD_NOV_2025_UK.csv")]);
    let empty = tempfile::tempdir().unwrap();
    let e = import_onspd(empty.path(), &out).unwrap_err();
    assert!(matches!(e, PostcodeError::NoData { .. }), "{e}");
}

fn import_text(text: &str) -> Result<ImportSummary, PostcodeError> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, text).unwrap();
    import_onspd(&input, &dir.path().join("out.bin"))
}

#[test]
fn bad_input_names_file_line_and_column() {
    let head = "pcd,oseast1m,osnrth1m,oslaua\n";
    let e = import_text(&format!(
        "{head}B1 1AA,406649,286530,E08000025\nB1 1AD,40x,286530,E08000025\n"
    ))
    .unwrap_err();
    assert_eq!(e.line(), Some(3), "{e}");
    assert!(e.file().ends_with("in.csv"));
    assert!(e.to_string().contains("oseast1m"), "{e}");
    // A value that is not a postcode is skipped and counted, with where it was.
    let s = import_text(&format!(
        "{head}B1 1AA,1,1,E08000025\nNPT 0AD,1,1,W06000022\n"
    ))
    .unwrap();
    assert_eq!((s.rows, s.skipped_postcodes), (1, 1));
    assert!(
        s.skipped_examples[0].ends_with(":3: NPT 0AD"),
        "{:?}",
        s.skipped_examples
    );
    let many: String = (0..200).map(|i| format!("X{i},1,1,E08000025\n")).collect();
    let e = import_text(&format!("{head}{many}")).unwrap_err();
    assert!(e.to_string().contains("ONSPD"), "{e}");
    let e = import_text(&format!("{head}B1 1AA,1,1,E0800002X\n")).unwrap_err();
    assert_eq!(e.line(), Some(2), "{e}");
    let e = import_text(&format!("{head}B1 1AA,1,99999999,E08000025\n")).unwrap_err();
    assert!(e.to_string().contains("outside"), "{e}");
    let e = import_text(&format!(
        "{head}B1 1AA,1,1,E08000025\nB1  1AA,2,2,E08000025\n"
    ))
    .unwrap_err();
    assert!(
        matches!(&e, PostcodeError::Duplicate { line: 3, first_line: 2, key, .. } if key == "B1 1AA"),
        "{e}"
    );
    let e = import_text(&format!("{head}B1 1AA,1,1\n")).unwrap_err();
    assert!(matches!(e, PostcodeError::Csv { line: 2, .. }), "{e}");
    let e = import_text("postcode,lat,long\nB1 1AA,52.4,-1.9\n").unwrap_err();
    assert!(matches!(e, PostcodeError::MissingColumn { .. }), "{e}");
    let e = import_text(head).unwrap_err();
    assert!(matches!(e, PostcodeError::NoData { .. }), "{e}");
    let e = import_onspd(Path::new("/no/such/onspd.csv"), Path::new("/tmp/x.bin")).unwrap_err();
    assert!(matches!(e, PostcodeError::Io { .. }), "{e}");
}

#[test]
fn english_lads_missing_from_the_lookup_are_reported() {
    // Mendip was abolished in April 2023: not in the April 2023 lookup.
    let s = import_text("pcd,oseast1m,osnrth1m,oslaua\nBA5 1AA,355000,145000,E07000187\n").unwrap();
    assert_eq!(s.lads_without_utla.get("E07000187"), Some(&1));
}

/// Full-scale load and lookup timing on a national unit table. Needs an
/// ONSPD-style CSV: `IRO_ONSPD_CSV=/path/units.csv` (e.g. the one
/// `data/reference/postcodes/build/build_sectors.py WHEEL --units-csv FILE`
/// writes from the ONSPD subset package: 2,720,556 postcodes). Run with
/// `cargo test --release -p iro-postcodes -- --ignored --nocapture national`.
#[test]
#[ignore = "needs a national ONSPD CSV (IRO_ONSPD_CSV); run in release"]
fn national_unit_table_timing() {
    let Ok(csv) = std::env::var("IRO_ONSPD_CSV") else {
        eprintln!("IRO_ONSPD_CSV not set: skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("units.bin");
    let t = std::time::Instant::now();
    let s = import_onspd(Path::new(&csv), &out).unwrap();
    let import = t.elapsed();
    let t = std::time::Instant::now();
    let ix = PostcodeIndex::load(Some(&out)).unwrap();
    let load = t.elapsed();
    let units = ix.units().unwrap();
    // A million lookups of postcodes spread over the table.
    let text = std::fs::read_to_string(&csv).unwrap();
    let pcs: Vec<Postcode> = text
        .lines()
        .skip(1)
        .step_by(2)
        .filter_map(|l| Postcode::parse(l.split(',').next()?))
        .take(1_000_000)
        .collect();
    let t = std::time::Instant::now();
    let found = pcs.iter().filter(|p| ix.lookup(p).is_some()).count();
    let lookups = t.elapsed();
    // The same in random order (no locality between lookups).
    let mut shuffled = pcs.clone();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..shuffled.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        shuffled.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let t = std::time::Instant::now();
    let found_random = shuffled.iter().filter(|p| ix.lookup(p).is_some()).count();
    let random = t.elapsed();
    assert_eq!(found, found_random);
    eprintln!(
        "{} postcodes; file {:.1} MB; import {import:?}; load {load:?}; in memory {:.1} MB; {} lookups ({found} with a location): in file order {lookups:?}, in random order {random:?}",
        s.rows,
        s.output_bytes as f64 / 1e6,
        units.memory_bytes() as f64 / 1e6,
        pcs.len()
    );
    assert!(units.memory_bytes() < 100_000_000);
    assert!(lookups.as_secs_f64() < 1.0);
    assert!(random.as_secs_f64() < 1.0);
}
