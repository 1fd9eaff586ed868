//! What the CLI's end-to-end tests share: the repository, running `iro`, a
//! command's whole output, and the test plugins cargo builds for this crate.

// Each test binary uses some of these helpers, never all.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `iro ARGS…` run from the repository, as the README runs it, with no
/// reference overlay of the user's (`iro reference import-dfe` writes one to
/// the user's data directory): the tests see the bundled tables unless they
/// name an overlay in their own iro.toml.
pub fn iro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iro"))
        .args(args)
        .current_dir(repo())
        .env("XDG_DATA_HOME", no_user_data())
        .env("APPDATA", no_user_data())
        .output()
        .expect("run iro")
}

/// A data directory that holds nothing.
pub fn no_user_data() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-user-data")
}

/// stdout then stderr, as a person reads them.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A test plugin's shared library (`example_cdylib`, `misbehaving_plugin`),
/// which cargo builds into `target/<profile>/deps` because this crate
/// dev-depends on it.
pub fn test_library(crate_name: &str) -> PathBuf {
    let file = format!(
        "{}{crate_name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let profile_dir = Path::new(env!("CARGO_BIN_EXE_iro")).parent().unwrap();
    [
        profile_dir.join("deps").join(&file),
        profile_dir.join(&file),
    ]
    .into_iter()
    .find(|p| p.exists())
    .unwrap_or_else(|| panic!("{file} not built under {}", profile_dir.display()))
}
