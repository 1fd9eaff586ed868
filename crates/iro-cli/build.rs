//! Embeds the bundled synthetic sample (`data/sample`) so that `iro sample DIR`
//! can write it out wherever the binary runs, without the repository.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let sample = manifest.join("../../data/sample");
    println!("cargo:rerun-if-changed={}", sample.display());
    let mut found = Vec::new();
    files(&sample, &mut found);
    found.sort();
    let mut code = String::from("/// The bundled sample: (path under the sample folder, bytes).\n");
    code.push_str("pub const FILES: &[(&str, &[u8])] = &[\n");
    for p in &found {
        println!("cargo:rerun-if-changed={}", p.display());
        let rel = p.strip_prefix(&sample).expect("under the sample");
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let abs = p.canonicalize().unwrap_or_else(|_| p.clone());
        let _ = writeln!(
            code,
            "    ({:?}, include_bytes!({:?})),",
            rel.join("/"),
            abs.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("sample.rs");
    std::fs::write(out, code).expect("write sample.rs");
}
