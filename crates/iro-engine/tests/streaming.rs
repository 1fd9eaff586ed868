//! A run computes each authority's metrics as soon as ingest has read it and
//! then lets its child-level records go (`iro_ingest::load_each`), so that a
//! national input is never held all at once. These tests hold it to giving
//! exactly what computing over the whole input at once gives: the same rows,
//! statuses, data-quality findings and targets, damaged inputs included.

use std::fs;
use std::path::Path;

use iro_engine::{Config, builtin_metrics, compute, input_source, load, load_reference, run};

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs `root` both ways and checks they agree.
fn both_ways_agree(root: &Path, config: &Config) {
    let metrics = builtin_metrics();
    let source = input_source(config, Some(root.to_path_buf())).unwrap();
    let streamed = run(config, &source, &metrics, &|_| {}).unwrap();

    let loaded = load(config, &source).unwrap();
    let reference = load_reference(config).unwrap();
    let whole = compute(config, &loaded, &reference, &metrics, &|_| {}).unwrap();

    assert!(!streamed.rows.is_empty());
    assert_eq!(streamed.rows.len(), whole.rows.len());
    for (a, b) in streamed.rows.iter().zip(&whole.rows) {
        assert_eq!(a, b);
    }
    assert_eq!(streamed.statuses, whole.statuses);
    assert_eq!(streamed.quality, whole.quality);
    assert_eq!(streamed.targets, whole.targets);
    assert_eq!(streamed.years, whole.years);
    assert_eq!(streamed.loaded.diagnostics, loaded.diagnostics);
    assert_eq!(streamed.loaded.accounts, loaded.accounts);

    // What the run keeps of each cohort: its authority, years and tables,
    // not its children.
    assert_eq!(streamed.loaded.cohorts.len(), loaded.cohorts.len());
    for (kept, full) in streamed.loaded.cohorts.iter().zip(&loaded.cohorts) {
        assert!(kept.records_released());
        assert!(kept.episodes().is_empty());
        assert!(!full.episodes().is_empty());
        assert_eq!(kept.la(), full.la());
        assert_eq!(kept.tables(), full.tables());
        assert_eq!(kept.figure_basis(), full.figure_basis());
    }
}

#[test]
fn the_bundled_sample_gives_the_same_figures_read_an_authority_at_a_time() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
    let config = Config::load(&sample.join("iro.toml")).unwrap();
    both_ways_agree(&sample, &config);
}

#[test]
fn damaged_returns_are_gated_the_same_read_an_authority_at_a_time() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
    let dir = tempfile::tempdir().unwrap();
    for la in ["800", "803", "887"] {
        copy_dir(&sample.join(la), &dir.path().join(la));
    }
    // 800: a file that cannot be read (UTF-16), so its table is missing.
    let episodes = fs::read_dir(dir.path().join("800"))
        .unwrap()
        .flatten()
        .map(|year| year.path())
        .find_map(|year| {
            fs::read_dir(&year)
                .unwrap()
                .flatten()
                .map(|f| f.path())
                .find(|f| {
                    f.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.to_ascii_lowercase().contains("episodes"))
                })
        })
        .expect("an episodes file in the sample");
    let text = fs::read_to_string(&episodes).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    fs::write(&episodes, utf16).unwrap();
    // 803: every review date unreadable, so its reviews are excluded.
    for year in fs::read_dir(dir.path().join("803")).unwrap().flatten() {
        for f in fs::read_dir(year.path()).unwrap().flatten() {
            let name = f.file_name().to_string_lossy().to_ascii_lowercase();
            if name == "reviews.csv" {
                let text = fs::read_to_string(f.path()).unwrap();
                let mut lines = text.lines();
                let head = lines.next().unwrap();
                let review = head.split(',').position(|c| c == "REVIEW").unwrap();
                let mut out = format!("{head}\n");
                for line in lines {
                    let mut cells: Vec<&str> = line.split(',').collect();
                    if cells.len() > review {
                        cells[review] = "31/02/2024";
                    }
                    out.push_str(&cells.join(","));
                    out.push('\n');
                }
                fs::write(f.path(), out).unwrap();
            }
        }
    }
    let config = Config::default();
    both_ways_agree(dir.path(), &config);

    // The damage was seen (both ways alike, as checked above).
    let source = input_source(&config, Some(dir.path().to_path_buf())).unwrap();
    let r = run(&config, &source, &builtin_metrics(), &|_| {}).unwrap();
    let unfit: Vec<(&str, _)> = r
        .quality
        .unfit
        .iter()
        .map(|u| (u.la_code.as_str(), u.table))
        .collect();
    assert!(
        unfit.iter().any(|(la, _)| *la == "800"),
        "800's unreadable episodes make its table unfit: {unfit:?}"
    );
    assert!(
        unfit.iter().any(|(la, _)| *la == "803"),
        "803's reviews are excluded: {unfit:?}"
    );
}
