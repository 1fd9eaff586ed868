//! Run-time plugins from the user's side: `iro plugins check` prints the
//! iro.toml entry, and with that entry `iro metrics list` and `iro run` pick
//! the plugin's metric up beside the built-ins (docs/PLUGINS.md walk-through).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{repo, test_library, text};

fn iro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iro"))
        .args(args)
        // No reference overlay of the user's (`iro reference import-dfe`).
        .env(
            "XDG_DATA_HOME",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-user-data"),
        )
        .current_dir(repo())
        .output()
        .expect("run iro")
}

fn example_library() -> PathBuf {
    test_library("example_cdylib")
}

/// `iro plugins allow LIB --config CONFIG`.
fn allow(lib: &Path, config: &Path) -> Output {
    iro(&[
        "plugins",
        "allow",
        lib.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ])
}

/// The `[[plugins]]` entry `iro plugins allow` writes for the library into
/// `config` (made if missing), as the file then reads.
fn allow_entry(lib: &Path, config: &Path) -> String {
    let out = allow(lib, config);
    assert!(out.status.success(), "{}", text(&out));
    let entry = fs::read_to_string(config).unwrap();
    assert!(entry.contains("sha256 = \""), "{entry}");
    entry
}

#[test]
fn an_allowed_plugin_is_listed_and_run_beside_the_built_ins() {
    let lib = example_library();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("iro.toml");
    allow_entry(&lib, &config);
    let config = config.to_str().unwrap();

    let out = iro(&["metrics", "list", "--config", config]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains("cohort-summary"), "{listed}");
    assert!(listed.contains("missing-from-care (v0.1.0)"), "{listed}");
    assert!(
        listed.contains("missing-from-care.spells-per-child"),
        "{listed}"
    );

    let out_dir = dir.path().join("out");
    let out = iro(&[
        "run",
        "data/sample",
        "--config",
        config,
        "--year",
        "2025",
        "--out",
        out_dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", text(&out));
    let metrics = fs::read_to_string(out_dir.join("metrics.csv")).unwrap();
    let plugin_rows: Vec<&str> = metrics
        .lines()
        .filter(|l| l.contains(",missing-from-care."))
        .collect();
    // Every sample authority has a Missing table, so each gets the plugin's
    // figures, suppressed by the engine like any built-in's.
    for la in ["800", "803", "887"] {
        assert!(
            plugin_rows
                .iter()
                .any(|l| l.starts_with(&format!("{la},2025,"))),
            "no missing-from-care rows for {la}"
        );
    }
    assert!(metrics.contains(",cohort-summary."));
}

#[test]
fn a_plugin_listed_twice_is_refused_not_run_twice() {
    let lib = example_library();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("iro.toml");
    let entry = allow_entry(&lib, &config);
    fs::write(&config, format!("{entry}\n{entry}")).unwrap();
    let out = iro(&["metrics", "list", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("missing-from-care"),
        "the error names the metric: {}",
        text(&out)
    );
}

#[test]
fn a_library_with_the_wrong_hash_never_loads() {
    let lib = example_library();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("iro.toml");
    let entry = allow_entry(&lib, &config);
    let start = entry.find("sha256 = \"").unwrap() + "sha256 = \"".len();
    let mut wrong = entry.clone();
    wrong.replace_range(start..start + 64, &"0".repeat(64));
    fs::write(&config, wrong).unwrap();
    let out = iro(&["metrics", "list", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).to_lowercase().contains("sha"), "{}", text(&out));
}

/// The edit loop: rebuild → `iro plugins allow` → run. The second allow
/// updates the same entry's hash (no second entry, comments kept) and the
/// run loads the rebuilt file.
#[test]
fn allow_after_a_rebuild_updates_the_hash_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir
        .path()
        .join("target")
        .join(example_library().file_name().unwrap());
    fs::create_dir_all(lib.parent().unwrap()).unwrap();
    fs::copy(example_library(), &lib).unwrap();
    let config = dir.path().join("iro.toml");
    fs::write(
        &config,
        "# Our service's settings\n[suppression]\nthreshold = 7\n",
    )
    .unwrap();
    let first = allow_entry(&lib, &config);
    assert!(first.starts_with("# Our service's settings\n"), "{first}");
    let rel = format!("target/{}", lib.file_name().unwrap().to_str().unwrap());
    assert!(first.contains(&format!("path = \"{rel}\"")), "{first}");
    // A rebuild: the same library, other bytes (trailing bytes are ignored
    // by the loader).
    let mut bytes = fs::read(&lib).unwrap();
    bytes.extend_from_slice(b"rebuilt");
    fs::write(&lib, bytes).unwrap();
    let out = allow(&lib, &config);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).starts_with("Updated example-cdylib 0.1.0 (target/"),
        "{}",
        text(&out)
    );
    let second = fs::read_to_string(&config).unwrap();
    assert_eq!(second.matches("[[plugins]]").count(), 1, "{second}");
    assert_ne!(first, second);
    let out = iro(&["plugins", "list", "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("  missing-from-care "),
        "{}",
        text(&out)
    );
}

/// `--dev-plugin`: a library run with no iro.toml entry, said on stderr
/// and recorded in run.json.
#[test]
fn a_development_plugin_runs_for_one_run_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let lib = example_library();
    let out = iro(&[
        "run",
        "data/sample",
        "--dev-plugin",
        lib.to_str().unwrap(),
        "--year",
        "2025",
        "--no-report",
        "--no-charts",
        "--out",
        out_dir.to_str().unwrap(),
        "--quiet",
    ]);
    let said = text(&out);
    assert!(out.status.code().is_some_and(|c| c < 2), "{said}");
    assert!(said.contains("warning: DEVELOPMENT RUN: "), "{said}");
    assert!(said.contains("iro plugins allow"), "{said}");
    let metrics = fs::read_to_string(out_dir.join("metrics.csv")).unwrap();
    assert!(metrics.contains(",missing-from-care."));
    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(
        run["options"]["plugins"][0]["development"], true,
        "{}",
        run["options"]["plugins"]
    );
}
