//! include/iro_plugin.h describes the same layout as the Rust types: a C
//! compiler checks it with static assertions (skipped when there is no `cc`).

use std::path::Path;
use std::process::Command;

#[test]
#[cfg(all(unix, target_pointer_width = "64"))]
fn the_c_header_matches_the_rust_layout() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = match Command::new(&cc)
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fsyntax-only",
            "-I",
        ])
        .arg(dir.join("include"))
        .arg(dir.join("tests/layout.c"))
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: no C compiler `{cc}`: {e}");
            return;
        }
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
