//! `iro pack` end to end on the bundled sample: a list, a region (most of
//! whose authorities supplied nothing), an anonymised `[[groups]]` group,
//! and the errors a user meets first.

mod common;

use std::fs;

use common::{iro, repo, text};

#[test]
fn a_pack_of_the_sample_authorities_has_every_part() {
    let out = tempfile::tempdir().unwrap();
    let o = iro(&[
        "pack",
        "data/sample",
        "--las",
        "800,803,887",
        "--target",
        "90",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(o.status.code().unwrap() <= 1, "{t}");
    assert!(
        t.contains("Selected authorities (3 authorities), 2024-25: pack built in"),
        "{t}"
    );
    assert!(
        t.contains("IRO records: supplied by 3 of 3 authorities"),
        "{t}"
    );
    for line in t.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line}"
        );
    }
    let dir = out.path().join("pack");
    for ext in ["html", "docx", "xlsx", "md"] {
        let f = dir.join(format!("selected-authorities-2025.{ext}"));
        assert!(f.is_file(), "{} missing", f.display());
    }
    let html = fs::read_to_string(dir.join("selected-authorities-2025.html")).unwrap();
    assert!(html.contains("IRO services compared: regional pack"));
    for name in [
        "Bath and North East Somerset",
        "South Gloucestershire",
        "Medway",
    ] {
        assert!(html.contains(name), "{name} missing");
    }
    for part in [
        "Children looked after at 31 March per 10,000 children aged 0 to 17, 2024-25",
        "Reviews held on time by quarter, 2024-25",
        "Review records sent within 20 working days",
        "Annex A: what each authority supplied",
        "Annex B: plausibility against the DfE",
        "DfE published",
        "Year at least 90%",
    ] {
        assert!(html.contains(part), "{part} missing");
    }
    // Same inputs, same pack.
    let again = tempfile::tempdir().unwrap();
    let o2 = iro(&[
        "pack",
        "data/sample",
        "--las",
        "800,803,887",
        "--target",
        "90",
        "--out",
        again.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), o2.status.code());
    let html2 =
        fs::read_to_string(again.path().join("pack/selected-authorities-2025.html")).unwrap();
    assert_eq!(html, html2);
}

#[test]
fn a_region_pack_has_the_regions_authorities_of_the_year_and_says_who_supplied_nothing() {
    let out = tempfile::tempdir().unwrap();
    let o = iro(&[
        "pack",
        "data/sample",
        "--region",
        "South West",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(o.status.code().unwrap() <= 1, "{t}");
    assert!(t.contains("South West (15 authorities), 2024-25"), "{t}");
    for line in t.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line}"
        );
    }
    assert!(
        t.contains("warning: no return in the input for") && t.contains("Isles of Scilly"),
        "{t}"
    );
    let md = fs::read_to_string(out.path().join("pack/south-west-2025.md")).unwrap();
    // Abolished in 2019: never in a 2024-25 pack.
    assert!(!md.contains("| Poole |"), "{md}");
    assert!(md.contains("Bournemouth, Christchurch and Poole"));
    assert!(md.contains("not supplied"));
}

#[test]
fn an_anonymised_group_names_no_authority() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("iro.toml");
    fs::write(
        &config,
        format!(
            "[input]\npath = \"{}\"\n\n[output]\ndir = \"{}\"\n\n[[groups]]\nname = \"Peer group\"\n\
             las = [\"800\", \"803\", \"887\"]\nreview_target = 95\n\
             letters = {{ \"800\" = \"B\", \"803\" = \"C\", \"887\" = \"A\" }}\n",
            repo().join("data/sample").display(),
            dir.path().join("out").display()
        ),
    )
    .unwrap();
    let o = iro(&[
        "pack",
        "--group",
        "peer group",
        "--config",
        config.to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(o.status.code().unwrap() <= 1, "{t}");
    assert!(t.contains("Peer group (3 authorities)"), "{t}");
    let md = fs::read_to_string(dir.path().join("out/pack/peer-group-2025.md")).unwrap();
    for name in [
        "Bath and North East Somerset",
        "South Gloucestershire",
        "Medway",
        "| 800 |",
        "| 803 |",
        "| 887 |",
    ] {
        assert!(!md.contains(name), "{name} in an anonymised pack");
    }
    assert!(md.contains("Authority A") && md.contains("Authority C"));
    assert!(md.contains("Year at least 95%"));
}

#[test]
fn errors_say_what_to_do() {
    let o = iro(&["pack", "data/sample", "--las", "800,836"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("836") && t.contains("Poole"), "{t}");
    let o = iro(&["pack", "data/sample", "--group", "nope"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("no group called \"nope\" in iro.toml"), "{t}");
    let o = iro(&["pack", "data/sample"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
