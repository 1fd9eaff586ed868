//! `iro reference import-dfe`'s library: the DfE's 2021–2025 files
//! re-imported reproduce the bundled tables exactly; an added year is added
//! and a revised one replaced; bad files give diagnostics with file, line and
//! column.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use iro_domain::{CollectionYear, LaCode};
use iro_reference::import::{DfeKind, ImportOptions, ImportedFile, Severity, import_files};
use iro_reference::overlay::{OverlayTable, read_provenance, write_overlay};
use iro_reference::{Measure, Reference};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dfe")
}

fn bundled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/reference")
}

const FILES: [&str; 6] = [
    "cla_number_and_rate_per_10k_children.csv",
    "la_cla_placement_stability.csv",
    "la_cla_during_year_new_placements.csv",
    "ons_mid-year_population_estimates_2012_to_2024.csv",
    "New_Statistical_Neighbour_Groupings_April_2021.csv",
    "sn_model_2025_wide.csv",
];

/// Where the bundled 2021–2025 rows say they came from.
const DFE_REPO: &str =
    "github.com/dfe-analytical-services/CSC_outcomes_and_enablers@2f5d11a:data-raw/";

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

fn import(paths: &[PathBuf]) -> Vec<ImportedFile> {
    import_files(
        paths,
        &Reference::bundled().unwrap(),
        &ImportOptions::default(),
    )
}

/// The rows of a CSV file, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn errors(f: &ImportedFile) -> Vec<String> {
    f.problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn reimporting_the_bundled_dfe_files_reproduces_the_bundled_tables() {
    let paths: Vec<PathBuf> = FILES.iter().map(|f| fixtures().join(f)).collect();
    let files = import(&paths);
    let kinds: Vec<Option<DfeKind>> = files.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            Some(DfeKind::ClaRates),
            Some(DfeKind::PlacementStability),
            Some(DfeKind::NewPlacements),
            Some(DfeKind::Population),
            Some(DfeKind::NeighbourGroupings2021),
            Some(DfeKind::NeighbourModel2025),
        ]
    );
    for f in &files {
        assert!(f.usable(), "{}: {:#?}", f.file, f.problems);
        assert!(f.problems.is_empty(), "{}: {:#?}", f.file, f.problems);
    }
    assert_eq!(files[0].release, "DfE CLA 2025 release (EES)");
    assert_eq!(files[0].years_text(), "2021 to 2025");
    assert_eq!(files[3].years_text(), "2012 to 2024");

    let dir = tempfile::tempdir().unwrap();
    let written = write_overlay(dir.path(), &files, at(1_796_000_000)).unwrap();
    assert_eq!(written.entries.len(), 6);

    // Populations and neighbours: the bundled files, byte for byte.
    for table in [OverlayTable::Population, OverlayTable::Neighbours] {
        let name = table.file_name();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            std::fs::read_to_string(bundled_dir().join(name)).unwrap(),
            "{name}"
        );
    }
    // The published figures: every bundled row the DfE's 2025 files gave,
    // in the same order, every column the same but `source` (which names
    // the file imported, with its SHA-256, not the repository it came
    // from).
    for (table, sources) in [
        (
            OverlayTable::ClaPublished,
            &["cla_number_and_rate_per_10k_children.csv"][..],
        ),
        (
            OverlayTable::Stability,
            &[
                "la_cla_placement_stability.csv",
                "la_cla_during_year_new_placements.csv",
            ][..],
        ),
    ] {
        let name = table.file_name();
        let bundled = csv_rows(&bundled_dir().join(name));
        let imported = csv_rows(&dir.path().join(name));
        assert_eq!(imported[0], bundled[0], "{name} header");
        let source = bundled[0].iter().position(|c| c == "source").unwrap();
        let from_dfe: Vec<&Vec<String>> = bundled[1..]
            .iter()
            .filter(|r| {
                sources
                    .iter()
                    .any(|s| r[source] == format!("{DFE_REPO}{s}"))
            })
            .collect();
        assert_eq!(imported.len() - 1, from_dfe.len(), "{name}");
        for (i, b) in imported[1..].iter().zip(from_dfe) {
            assert_eq!(i[..source], b[..source], "{name}");
            let file = sources.iter().find(|s| b[source].ends_with(*s)).unwrap();
            assert!(
                i[source].starts_with(&format!("imported {file} (sha256 ")),
                "{}",
                i[source]
            );
        }
    }
    // Loaded over the bundled tables, the overlay replaces every 2021–2025
    // figure with itself and adds nothing.
    let bundled = Reference::bundled().unwrap();
    let overlaid = Reference::bundled()
        .unwrap()
        .with_overlay(dir.path())
        .unwrap();
    let applied = overlaid.overlay().unwrap();
    for (table, change) in &applied.changes {
        assert!(change.added.is_empty(), "{table:?} {change:?}");
        assert!(!change.replaced.is_empty(), "{table:?}");
    }
    assert_eq!(
        overlaid.published_all().len(),
        bundled.published_all().len()
    );
    assert_eq!(
        overlaid.stability_all().len(),
        bundled.stability_all().len()
    );
    for (a, b) in overlaid.published_all().iter().zip(bundled.published_all()) {
        assert_eq!(
            (&a.geography, a.year, a.measure, a.count, a.population_used),
            (&b.geography, b.year, b.measure, b.count, b.population_used)
        );
        assert_eq!(
            (&a.rate_per_10000, &a.release),
            (&b.rate_per_10000, &b.release)
        );
    }
    let line = applied.to_string();
    assert!(
        line.contains("children looked after, starts and ceases 2021 to 2025 replaced"),
        "{line}"
    );
    assert!(line.contains("DfE CLA 2025 release (EES)"), "{line}");

    // Provenance: each file with its SHA-256, release, years and time.
    let p = read_provenance(&dir.path().join("provenance.csv")).unwrap();
    assert_eq!(p.len(), 6);
    assert_eq!(p[0].source_file, FILES[0]);
    assert_eq!(p[0].sha256.len(), 64);
    assert_eq!(p[0].release, "DfE CLA 2025 release (EES)");
    assert_eq!(p[0].publication, DfeKind::ClaRates.publication());
    assert_eq!(p[0].time_period, "2021 to 2025");
    assert_eq!(p[0].imported_at, "2026-11-30T00:53:20Z");
}

/// A copy of the CLA file with `edit` applied to each data line (its fields).
fn edited_cla(dir: &Path, name: &str, edit: impl Fn(usize, &mut Vec<String>)) -> PathBuf {
    let rows = csv_rows(&fixtures().join(FILES[0]));
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(dir.join(name))
        .unwrap();
    w.write_record(&rows[0]).unwrap();
    for (k, r) in rows[1..].iter().enumerate() {
        let mut r = r.clone();
        edit(k, &mut r);
        if !r.is_empty() {
            w.write_record(&r).unwrap();
        }
    }
    w.flush().unwrap();
    dir.join(name)
}

/// The CLA file with every 2025 row also given as 2026, B&NES's count at 31
/// March raised from 220 to 250 (rate 68), and England's 2025 count at 31
/// March revised from 81,770 to 81,780.
fn with_2026(dir: &Path) -> PathBuf {
    let rows = csv_rows(&fixtures().join(FILES[0]));
    let path = dir.join("cla_2026.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&rows[0]).unwrap();
    let cla = "Children looked after on 31 March each year";
    for r in &rows[1..] {
        let mut r = r.clone();
        if r[0] == "2025" && r[2] == "National" && r[10] == cla {
            r[12] = "81780".into();
        }
        w.write_record(&r).unwrap();
    }
    for r in rows[1..].iter().filter(|r| r[0] == "2025") {
        let mut r = r.clone();
        r[0] = "2026".into();
        if r[7] == "800" && r[10] == cla {
            (r[12], r[13]) = ("250".into(), "68".into());
        }
        w.write_record(&r).unwrap();
    }
    w.flush().unwrap();
    path
}

#[test]
fn an_added_year_is_added_and_a_revised_one_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let files = import(&[with_2026(dir.path())]);
    let f = &files[0];
    assert!(f.usable(), "{:#?}", f.problems);
    assert_eq!(f.release, "DfE CLA 2026 release (EES)");
    // 2026's populations (mid-2025) are not in the bundled ONS file: said,
    // once, as a warning.
    let warnings: Vec<String> = f.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("no ONS mid-2025 population"),
        "{warnings:?}"
    );

    let overlay = dir.path().join("overlay");
    write_overlay(&overlay, &files, at(0)).unwrap();
    let r = Reference::bundled()
        .unwrap()
        .with_overlay(&overlay)
        .unwrap();
    let banes = LaCode::new(800).unwrap();
    let f26 = r
        .published(banes, CollectionYear(2026), Measure::Cla31March)
        .unwrap();
    assert_eq!(f26.count.value(), Some(250));
    assert_eq!(f26.rate_per_10000.value(), Some(68.0));
    assert_eq!(f26.release, "DfE CLA 2026 release (EES)");
    let england = r
        .published(
            iro_reference::Geography::England,
            CollectionYear(2025),
            Measure::Cla31March,
        )
        .unwrap();
    assert_eq!(england.count.value(), Some(81780));
    assert_eq!(england.release, "DfE CLA 2026 release (EES)");
    // Older years and other tables are the bundled ones.
    let f20 = r
        .published(banes, CollectionYear(2020), Measure::Cla31March)
        .unwrap();
    assert_eq!(f20.release, "DfE CLA 2024 release (EES)");
    let line = r.overlay().unwrap().to_string();
    assert!(
        line.contains("children looked after, starts and ceases 2026 added, 2021 to 2025 replaced"),
        "{line}"
    );

    // A second import of the same file replaces its rows, never doubles them.
    write_overlay(&overlay, &files, at(60)).unwrap();
    let again = Reference::bundled()
        .unwrap()
        .with_overlay(&overlay)
        .unwrap();
    assert_eq!(again.published_all().len(), r.published_all().len());
    assert_eq!(
        read_provenance(&overlay.join("provenance.csv"))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_missing_column_is_named_and_the_file_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_cla(dir.path(), "no_rate.csv", |_, r| {
        r.pop();
    });
    // The header too: rewrite it without rate_per_10000.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replacen(",rate_per_10000", "", 1);
    std::fs::write(&path, text).unwrap();
    let f = &import(&[path])[0];
    assert_eq!(f.kind, Some(DfeKind::ClaRates));
    assert!(!f.usable());
    assert_eq!(f.problems.len(), 1, "{:#?}", f.problems);
    let p = &f.problems[0];
    assert_eq!(
        (p.line, p.column.as_deref()),
        (Some(1), Some("rate_per_10000"))
    );
    assert!(
        p.to_string()
            .contains("no_rate.csv, line 1, column `rate_per_10000`"),
        "{p}"
    );
}

#[test]
fn unknown_codes_and_unreadable_numbers_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    // Data line k is file line k + 2; lines 38 on are authorities'.
    let path = edited_cla(dir.path(), "bad.csv", |k, r| match k + 2 {
        40 => r[7] = "999".into(),       // old_la_code
        41 => r[9] = "E06099999".into(), // new_la_code
        42 => r[12] = "1,234".into(),    // children_count
        43 => r[13] = "n/a".into(),      // rate_per_10000
        44 => r[0] = "2024/25".into(),   // time_period
        45 => r[2] = "Ward".into(),      // geographic_level
        46 => r[11] = String::new(),     // population_estimate
        _ => {}
    });
    let f = &import(&[path])[0];
    assert!(!f.usable());
    let at: Vec<(Option<u64>, Option<&str>)> = f
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.line, p.column.as_deref()))
        .collect();
    assert_eq!(
        at,
        [
            (Some(40), Some("old_la_code")),
            (Some(41), Some("new_la_code")),
            (Some(42), Some("children_count")),
            (Some(43), Some("rate_per_10000")),
            (Some(44), Some("time_period")),
            (Some(45), Some("geographic_level")),
            (Some(46), Some("population_estimate")),
        ],
        "{:#?}",
        errors(f)
    );
    let all = errors(f).join("\n");
    assert!(all.contains("`999`"), "{all}");
    assert!(
        all.contains("not an authority in local_authorities.csv"),
        "{all}"
    );
    assert!(all.contains("DfE symbol (c, z, x, k, low, u)"), "{all}");
}

#[test]
fn lines_are_counted_as_an_editor_shows_them_with_windows_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_cla(dir.path(), "crlf.csv", |k, r| {
        if k + 2 == 40 {
            r[7] = "999".into();
        }
    });
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace('\n', "\r\n");
    std::fs::write(&path, text).unwrap();
    let f = &import(&[path])[0];
    let at: Vec<(Option<u64>, Option<&str>)> = f
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.line, p.column.as_deref()))
        .collect();
    assert_eq!(at, [(Some(40), Some("old_la_code"))], "{:#?}", errors(f));
}

#[test]
fn symbols_are_read_as_symbols_and_totals_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let cla = "Children looked after on 31 March each year";
    // South West's 2025 count at 31 March far from what England implies;
    // B&NES's 2025 count suppressed.
    let path = edited_cla(dir.path(), "sym.csv", |_, r| {
        if r[0] == "2025" && r[10] == cla {
            if r[5] == "E12000009" && r[2] == "Regional" {
                r[12] = "9000".into();
            }
            if r[7] == "800" {
                (r[12], r[13]) = ("c".into(), "c".into());
            }
        }
    });
    let files = import(&[path]);
    let f = &files[0];
    assert!(f.usable(), "{:#?}", f.problems);
    assert_eq!(f.problems.len(), 1, "{:#?}", f.problems);
    let p = &f.problems[0];
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(p.column.as_deref(), Some("children_count"));
    assert!(p.message.contains("not the sum of the nine regions"), "{p}");
    let overlay = dir.path().join("o");
    write_overlay(&overlay, &files, at(0)).unwrap();
    let r = Reference::bundled()
        .unwrap()
        .with_overlay(&overlay)
        .unwrap();
    let banes = r
        .published(
            LaCode::new(800).unwrap(),
            CollectionYear(2025),
            Measure::Cla31March,
        )
        .unwrap();
    assert_eq!(banes.count.symbol(), Some("c"));
}

#[test]
fn a_file_iro_does_not_know_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("header.csv");
    std::fs::write(&path, "CHILD,SEX,DOB\n1,1,01/01/2015\n").unwrap();
    let f = &import(&[path])[0];
    assert_eq!(f.kind, None);
    assert!(!f.usable());
    assert!(
        f.problems[0].message.contains("not a DfE file iro knows"),
        "{}",
        f.problems[0]
    );
    // Nothing usable: nothing written.
    let out = dir.path().join("overlay");
    let w = write_overlay(&out, &import(&[dir.path().join("header.csv")]), at(0)).unwrap();
    assert!(w.entries.is_empty() && w.tables.is_empty());
    assert!(!out.join("provenance.csv").exists());
}
