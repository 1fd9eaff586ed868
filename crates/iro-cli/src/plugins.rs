//! `iro plugins check | allow | list` and `iro run --dev-plugin`: what a
//! plugin author types while writing a run-time metric plugin.
//!
//! The edit loop is *rebuild → run*: `iro run --dev-plugin LIB` loads a
//! library pinned to its hash as it is at the start of the run, and says
//! loudly that it is not pinned in iro.toml; `iro plugins allow LIB` writes
//! or updates its `[[plugins]]` entry (path relative to iro.toml, hash) for
//! the runs whose figures are shared. Nobody pastes a hash by hand.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use iro_plugin_host::{HostOptions, Isolation, PluginConfig, Report};

/// The metric ids built into this iro.
fn builtin_ids() -> Vec<&'static str> {
    iro_engine::builtin_metrics()
        .iter()
        .map(|m| m.spec().id)
        .collect()
}

/// A plugin's metric ids that a built-in metric already has.
fn clashes(report: &Report) -> Vec<String> {
    let builtin = builtin_ids();
    report
        .metrics
        .iter()
        .filter(|m| builtin.contains(&m.id.as_str()))
        .map(|m| m.id.clone())
        .collect()
}

fn clash_message(report: &Report, ids: &[String]) -> String {
    format!(
        "{} declares the metric id{} {}, which {} built into iro: the outputs would mix two \
         definitions under one name. Rename {} in MetricInfo::new",
        report.path.display(),
        if ids.len() == 1 { "" } else { "s" },
        ids.join(", "),
        if ids.len() == 1 { "is" } else { "are" },
        if ids.len() == 1 { "it" } else { "them" },
    )
}

/// Describes a library in a worker process (or this one).
fn describe(lib: &Path, in_process: bool) -> Result<Report> {
    Ok(if in_process {
        iro_plugin_host::check(lib)?
    } else {
        iro_plugin_host::check_isolated(lib, &HostOptions::default())?
    })
}

/// `iro plugins check LIB`.
pub fn check(lib: &Path, in_process: bool) -> Result<ExitCode> {
    let report = describe(lib, in_process)?;
    print!("{report}");
    println!();
    println!(
        "Or let iro write that entry (and update it after each rebuild): iro plugins allow {}",
        shell_word(&lib.display().to_string())
    );
    let ids = clashes(&report);
    if !ids.is_empty() {
        eprintln!("error: {}", clash_message(&report, &ids));
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// `iro plugins list`: loads each `[[plugins]]` entry and lists its metrics;
/// a metric id that a built-in or an earlier plugin has is an error.
pub fn list(config: &iro_engine::Config) -> Result<ExitCode> {
    let host = iro_pipeline::plugin_host(config);
    let mut failed = false;
    if host.allowed().is_empty() {
        println!("No [[plugins]] in iro.toml.");
    }
    let mut seen: BTreeMap<String, PathBuf> = builtin_ids()
        .into_iter()
        .map(|id| (id.to_string(), PathBuf::from("built into iro")))
        .collect();
    for p in host.load_each() {
        match p {
            Ok(p) => {
                let r = p.report();
                println!(
                    "{} {} ({}, {})",
                    r.plugin_name,
                    r.plugin_version,
                    r.path.display(),
                    match p.isolation() {
                        Isolation::Process => "in a worker process",
                        Isolation::InProcess => "in-process",
                    }
                );
                for m in &r.metrics {
                    println!("  {} {}: {}", m.id, m.version, m.title);
                    if let Some(first) = seen.get(&m.id) {
                        failed = true;
                        eprintln!(
                            "error: metric id {} of {} is taken already ({}): rename it in \
                             MetricInfo::new",
                            m.id,
                            r.path.display(),
                            first.display()
                        );
                    } else {
                        seen.insert(m.id.clone(), r.path.clone());
                    }
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("error: {e}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// `iro plugins allow LIB`: checks the library (in a worker process), then
/// writes its `[[plugins]]` entry into iro.toml, or updates the hash of the
/// entry that already names it. Comments and the rest of the file are kept.
pub fn allow(lib: &Path, config: Option<&Path>, in_process: bool) -> Result<ExitCode> {
    let report = describe(lib, in_process)?;
    let ids = clashes(&report);
    if !ids.is_empty() {
        bail!("not allowed: {}", clash_message(&report, &ids));
    }
    for w in report.warnings() {
        eprintln!("warning: {w}");
    }
    let config_path = config.map_or_else(|| PathBuf::from("iro.toml"), Path::to_path_buf);
    let existing = if config_path.exists() {
        std::fs::read_to_string(&config_path)
            .with_context(|| format!("reading {}", config_path.display()))?
    } else {
        String::new()
    };
    let base = config_dir(&config_path)?;
    let entry_path = relative_to(&absolute(lib)?, &base);
    let isolation = in_process.then_some(Isolation::InProcess);
    let edit = set_entry(&existing, &base, &entry_path, &report.sha256, isolation)
        .with_context(|| format!("editing {}", config_path.display()))?;
    // Written only if iro reads it back: a mistake here must not break the
    // user's configuration.
    if let Err(e) = iro_engine::Config::parse(&edit.text) {
        bail!(
            "{} left unchanged: with the entry it would not load ({e})",
            config_path.display()
        );
    }
    if edit.text != existing {
        let tmp = config_path.with_extension("toml.tmp");
        std::fs::write(&tmp, &edit.text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &config_path)
            .with_context(|| format!("writing {}", config_path.display()))?;
    }
    let metrics: Vec<&str> = report.metrics.iter().map(|m| m.id.as_str()).collect();
    let what = format!(
        "{} {} ({}; metrics {})",
        report.plugin_name,
        report.plugin_version,
        entry_path.display(),
        metrics.join(", ")
    );
    let short = &report.sha256[..12];
    match edit.previous {
        None => println!(
            "Allowed {what} in {}: sha256 {short}…",
            config_path.display()
        ),
        Some(old) if old == report.sha256 => println!(
            "{what} is allowed in {} already, with this sha256 ({short}…): nothing changed",
            config_path.display()
        ),
        Some(old) => println!(
            "Updated {what} in {}: sha256 {short}… (was {}…)",
            config_path.display(),
            &old[..old.len().min(12)]
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// What [`set_entry`] did.
#[derive(Debug, PartialEq, Eq)]
struct Edit {
    text: String,
    /// The hash the entry had, if there was one for this library.
    previous: Option<String>,
}

/// iro.toml's text with the entry for the library at `path` (relative to
/// `base`, the file's folder) pinned to `sha256`: the existing entry whose
/// path names the same file, else a new one at the end.
fn set_entry(
    text: &str,
    base: &Path,
    path: &Path,
    sha256: &str,
    isolation: Option<Isolation>,
) -> Result<Edit> {
    let mut doc: toml_edit::DocumentMut = text.parse().context("not valid TOML")?;
    let target = normalise(&base.join(path));
    if !doc.contains_key("plugins") {
        doc.insert(
            "plugins",
            toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()),
        );
    }
    let Some(entries) = doc
        .get_mut("plugins")
        .and_then(toml_edit::Item::as_array_of_tables_mut)
    else {
        bail!("`plugins` is not a list of [[plugins]] tables");
    };
    let found = entries.iter_mut().find(|t| {
        t.get("path")
            .and_then(toml_edit::Item::as_str)
            .is_some_and(|p| same_file(&normalise(&base.join(p)), &target))
    });
    let previous = match found {
        Some(t) => {
            let old = t
                .get("sha256")
                .and_then(toml_edit::Item::as_str)
                .map(str::to_string)
                .unwrap_or_default();
            t["sha256"] = toml_edit::value(sha256);
            if let Some(i) = isolation {
                t["isolation"] = toml_edit::value(isolation_word(i));
            }
            Some(old)
        }
        None => {
            let mut t = toml_edit::Table::new();
            t["path"] = toml_edit::value(toml_path(path));
            t["sha256"] = toml_edit::value(sha256);
            t["isolation"] = toml_edit::value(isolation_word(isolation.unwrap_or_default()));
            entries.push(t);
            None
        }
    };
    Ok(Edit {
        text: doc.to_string(),
        previous,
    })
}

fn isolation_word(i: Isolation) -> &'static str {
    match i {
        Isolation::Process => "process",
        Isolation::InProcess => "in-process",
    }
}

/// A path as iro.toml holds it: forward slashes, so one file serves Windows
/// and Linux.
fn toml_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// The folder of the configuration file, absolute.
fn config_dir(config: &Path) -> Result<PathBuf> {
    let dir = config.parent().unwrap_or(Path::new(""));
    absolute(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    })
}

fn absolute(p: &Path) -> Result<PathBuf> {
    Ok(normalise(
        &std::path::absolute(p).with_context(|| format!("resolving {}", p.display()))?,
    ))
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Two paths name the same file: the same text, or (when both exist) the
/// same file after following links.
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

/// `path` relative to `base` (both absolute and normalised): `../x/lib.so`,
/// or `path` itself when they share no root (another drive on Windows).
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    if p.first() != b.first() {
        return path.to_path_buf();
    }
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

/// A path as one word for the shell (quoted when it holds spaces).
fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:\\".contains(c))
    {
        s.to_string()
    } else {
        format!("\"{s}\"")
    }
}

/// `iro run --dev-plugin LIB`: the library, pinned to its hash as it is
/// now, for this run only; said on stderr, loudly, before anything runs.
pub fn dev_plugins(libs: &[PathBuf], config: &mut iro_engine::Config) -> Result<()> {
    for lib in libs {
        let bytes = std::fs::read(lib).with_context(|| format!("reading {}", lib.display()))?;
        let sha256 = iro_plugin_host::sha256_hex(&bytes);
        let path = absolute(lib)?;
        if config
            .plugins
            .iter()
            .any(|p| same_file(&normalise(&p.path), &path))
        {
            bail!(
                "--dev-plugin {}: iro.toml allows this library already; drop --dev-plugin, or \
                 update its entry with `iro plugins allow {}`",
                lib.display(),
                lib.display()
            );
        }
        eprintln!(
            "warning: DEVELOPMENT RUN: {} is loaded without a hash pinned in iro.toml (sha256 \
             {}… as it is now). Its figures are for checking the plugin, not for sharing: pin \
             it with `iro plugins allow {}` (run.json records this run as development).",
            lib.display(),
            &sha256[..12],
            shell_word(&lib.display().to_string())
        );
        config.plugins.push(PluginConfig {
            path,
            sha256,
            isolation: Isolation::Process,
            development: true,
            timeout_s: None,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const SHA_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn a_new_library_is_appended_with_a_relative_path_and_the_file_keeps_its_comments() {
        let text = "# our settings\n[input]\npath = \"data\"  # the returns\n";
        let base = Path::new("/work/la");
        let e = set_entry(text, base, Path::new("../p/libx.so"), SHA_A, None).unwrap();
        assert_eq!(e.previous, None);
        assert_eq!(
            e.text,
            "# our settings\n[input]\npath = \"data\"  # the returns\n\n[[plugins]]\n\
             path = \"../p/libx.so\"\nsha256 = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n\
             isolation = \"process\"\n"
        );
        iro_engine::Config::parse(&e.text).unwrap();
    }

    #[test]
    fn the_entry_naming_the_same_file_gets_the_new_hash_and_nothing_else_changes() {
        let text = format!(
            "[[plugins]]\npath = \"plugins/liby.so\"\nsha256 = \"{SHA_A}\"\n\n\
             [[plugins]]\npath = \"./target/../target/release/libx.so\"  # ours\n\
             sha256 = \"{SHA_A}\"\nisolation = \"in-process\"\n"
        );
        let base = Path::new("/work/la");
        let e = set_entry(
            &text,
            base,
            Path::new("target/release/libx.so"),
            SHA_B,
            None,
        )
        .unwrap();
        assert_eq!(e.previous.as_deref(), Some(SHA_A));
        assert_eq!(
            e.text,
            text.replacen(
                &format!("\"{SHA_A}\"\nisolation"),
                &format!("\"{SHA_B}\"\nisolation"),
                1
            )
        );
        // Allowed again with the same hash: the same text.
        let again = set_entry(
            &e.text,
            base,
            Path::new("target/release/libx.so"),
            SHA_B,
            None,
        )
        .unwrap();
        assert_eq!(again.text, e.text);
    }

    #[test]
    fn a_file_that_is_not_toml_is_refused_not_overwritten() {
        let e = set_entry(
            "[input\npath=",
            Path::new("/w"),
            Path::new("l.so"),
            SHA_A,
            None,
        );
        assert!(e.is_err());
    }

    #[test]
    fn relative_paths_climb_out_of_the_config_folder_and_keep_other_roots() {
        assert_eq!(
            relative_to(Path::new("/a/b/target/libx.so"), Path::new("/a/b")),
            PathBuf::from("target/libx.so")
        );
        assert_eq!(
            relative_to(Path::new("/a/p/libx.so"), Path::new("/a/b/c")),
            PathBuf::from("../../p/libx.so")
        );
        assert_eq!(normalise(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(toml_path(Path::new(r"..\p\x.dll")), "../p/x.dll");
    }
}
