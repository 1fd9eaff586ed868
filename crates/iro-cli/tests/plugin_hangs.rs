//! A run-time plugin that hangs, from the user's side: `iro run` reports it
//! by plugin, metric, authority, year and timeout (`timeout_s`), isolated or
//! in-process, and leaves no worker behind when it is stopped.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{repo, test_library, text};

fn misbehaving_library() -> PathBuf {
    test_library("misbehaving_plugin")
}

fn sha256(path: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_iro"))
        .args(["plugins", "check", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let printed = String::from_utf8(out.stdout).unwrap();
    let at = printed.find("sha256 = \"").expect("an iro.toml entry") + "sha256 = \"".len();
    printed[at..at + 64].to_string()
}

/// An iro.toml allowing the misbehaving plugin with `isolation` and
/// `timeout_s`, only its `hang` and `good` metrics switched on, for 2025.
fn config(dir: &Path, isolation: &str, timeout_s: &str) -> PathBuf {
    let lib = misbehaving_library();
    let mut toml = format!(
        "[run]\nyears = [2025]\n\n[[plugins]]\npath = \"{}\"\nsha256 = \"{}\"\n\
         isolation = \"{isolation}\"\ntimeout_s = {timeout_s}\n",
        lib.display(),
        sha256(&lib)
    );
    for fault in misbehaving_plugin::FAULTS {
        if !["hang", "good"].contains(fault) {
            toml.push_str(&format!("\n[metrics.{fault}]\nenabled = false\n"));
        }
    }
    let path = dir.join("iro.toml");
    fs::write(&path, toml).unwrap();
    path
}

fn iro_run(config: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iro"));
    cmd.args([
        "run",
        "data/sample",
        "--no-report",
        "--no-charts",
        "--config",
    ])
    .arg(config)
    .arg("--out")
    .arg(out)
    .current_dir(repo());
    cmd
}

#[test]
fn a_hanging_isolated_plugin_is_reported_by_name_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "process", "1");
    let out_dir = dir.path().join("out");
    let t0 = Instant::now();
    let out = iro_run(&config, &out_dir).output().unwrap();
    let elapsed = t0.elapsed();
    let all = text(&out);
    // Written, with the failures: exit code 2.
    assert_eq!(out.status.code(), Some(2), "{all}");
    // Said once for the three authorities, by plugin, metric and timeout;
    // the calls after the first timeout were not made.
    let line = "error: metric hang failed for 3 authority-years (800, 803, 887; 2024-25): \
                timed out: plugin `misbehaving-plugin`, metric `hang` gave no answer within 1 s \
                (timeout_s) in at least one call; that worker was stopped, the metric's other \
                calls were not made, and all its figures are left out of this run";
    assert!(all.contains(line), "{line}\nnot in\n{all}");
    assert_eq!(all.matches("error: metric hang failed").count(), 1, "{all}");
    let metrics = fs::read_to_string(out_dir.join("metrics.csv")).unwrap();
    assert!(metrics.contains(",good.n,"), "the good metric ran");
    assert!(
        !metrics.contains(",hang."),
        "no figure of the metric that hung"
    );
    // One timeout per thread at most, not one per authority: far less than
    // the default timeout.
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

#[test]
fn a_hanging_in_process_plugin_stops_the_run_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "in-process", "1");
    let out_dir = dir.path().join("out");
    let out = iro_run(&config, &out_dir).output().unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or("");
    assert!(
        first.starts_with("error: timed out: plugin `misbehaving-plugin`, metric `hang`, ")
            && first.contains(", 2024-25 (libmisbehaving_plugin.so) gave no answer within 1 s")
            && first.contains("A plugin loaded in-process cannot be stopped, so the run stops")
            && first.contains("set isolation = \"process\""),
        "{all}"
    );
    // Nothing written.
    assert!(!out_dir.join("metrics.csv").exists(), "{all}");
}

#[test]
fn a_timeout_s_that_is_not_a_timeout_is_refused_when_iro_toml_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["0", "-5", "nan", "\"60\""] {
        let config = config(dir.path(), "process", bad);
        let out = Command::new(env!("CARGO_BIN_EXE_iro"))
            .args(["metrics", "list", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{bad}: {all}");
        assert!(
            all.contains("timeout_s = 60"),
            "{bad}: the fix is named: {all}"
        );
    }
}

/// `iro` ended with TERM or INT while a plugin hangs leaves no worker.
#[cfg(target_os = "linux")]
#[test]
fn stopping_iro_while_a_plugin_hangs_leaves_no_worker() {
    fn parent_and_state(pid: u32) -> Option<(u32, char)> {
        let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest = &text[text.rfind(')')? + 2..];
        let mut fields = rest.split(' ');
        let state = fields.next()?.chars().next()?;
        Some((fields.next()?.parse().ok()?, state))
    }
    let ended = |pid: u32| parent_and_state(pid).is_none_or(|(_, s)| s == 'Z' || s == 'X');
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "process", "600");
    for signal in ["-TERM", "-INT"] {
        let mut iro = iro_run(&config, &dir.path().join("out"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        let workers = loop {
            let workers: Vec<u32> = fs::read_dir("/proc")
                .unwrap()
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|&pid| {
                    parent_and_state(pid).is_some_and(|(ppid, _)| ppid == iro.id())
                        && fs::read(format!("/proc/{pid}/cmdline"))
                            .is_ok_and(|c| c.split(|&b| b == 0).any(|a| a == b"--serve"))
                })
                .collect();
            if !workers.is_empty() {
                break workers;
            }
            assert!(t0.elapsed() < Duration::from_secs(120), "no worker started");
            std::thread::sleep(Duration::from_millis(20));
        };
        // Into the endless call.
        std::thread::sleep(Duration::from_millis(500));
        let killed = Command::new("kill")
            .arg(signal)
            .arg(iro.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        assert!(!iro.wait().unwrap().success());
        let t0 = Instant::now();
        while !workers.iter().all(|&w| ended(w)) {
            assert!(
                t0.elapsed() < Duration::from_secs(2),
                "workers {workers:?} outlive iro ({signal})"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
