//! Workers end with the process that started them, however it ends, and a
//! worker's stderr reaches the user only when asked (`iro -v`).
//!
//! Each test starts this test executable again as a *host* process (the
//! `host_role` test below, which does nothing unless `IRO_TEST_HOST_ROLE`
//! says what to do): it loads the misbehaving plugin isolated and calls a
//! metric in a worker. The test then looks at the host's children in /proc
//! (Linux only) or at what the host printed.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use iro_plugin_host::{Host, Isolation};
use serde_json::json;

const ROLE: &str = "IRO_TEST_HOST_ROLE";

/// What a host process does, by `IRO_TEST_HOST_ROLE`: `hang` calls the
/// metric that never answers, with no timeout (blocks until killed);
/// `noisy` and `noisy-verbose` call the metric that writes on stderr, with
/// the worker's stderr discarded or passed through, and print `done`.
#[test]
fn host_role() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let lib = misbehaving();
    let mut opts = options();
    opts.timeout = None;
    opts.show_stderr = role == "noisy-verbose";
    let host = Host::new(vec![entry(&lib, Isolation::Process)], opts);
    let set = host.metrics().unwrap_or_else(|e| panic!("{e}"));
    let cohort = &sample().cohorts[0];
    let metric = if role == "hang" { "hang" } else { "noisy" };
    let rows = compute(set[pick(&set, metric)].as_ref(), cohort, 2025, json!({}));
    // The worker ends when its stdin closes; wait for it, so that all it
    // wrote has been passed on.
    drop(set);
    drop(host);
    println!("done: {} rows", rows.map(|r| r.len()).unwrap_or(0));
}

fn start_host(role: &str) -> Child {
    Command::new(std::env::current_exe().expect("test executable"))
        .args(["host_role", "--exact", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the host process")
}

#[test]
fn a_workers_stderr_reaches_the_user_only_when_verbose() {
    for (role, shown) in [("noisy", false), ("noisy-verbose", true)] {
        let out = start_host(role).wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{role}: {stdout}\n{stderr}");
        assert!(stdout.contains("done: 2 rows"), "{role}: {stdout}");
        for line in ["noise on stderr, line 1", "noise on stderr, line 2"] {
            let prefixed = format!("[plugin misbehaving-plugin] {line}\n");
            assert_eq!(stderr.contains(&prefixed), shown, "{role}: {stderr}");
            // Never unprefixed.
            assert_eq!(stderr.matches(line).count(), usize::from(shown), "{role}");
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::*;

    /// A process's parent and state, from /proc/<pid>/stat.
    fn stat(pid: u32) -> Option<(u32, char)> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
        let rest = &text[text.rfind(')')? + 2..];
        let mut fields = rest.split(' ');
        let state = fields.next()?.chars().next()?;
        let ppid = fields.next()?.parse().ok()?;
        Some((ppid, state))
    }

    /// Gone, or a zombie nobody has reaped yet (a container's first process
    /// may never reap): either way it runs no more.
    fn ended(pid: u32) -> bool {
        stat(pid).is_none_or(|(_, state)| state == 'Z' || state == 'X')
    }

    /// The serving worker the host process started.
    fn worker_of(host: u32) -> u32 {
        let t0 = Instant::now();
        loop {
            for e in std::fs::read_dir("/proc").unwrap().flatten() {
                let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                    continue;
                };
                let is_child = stat(pid).is_some_and(|(ppid, _)| ppid == host);
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                let serving = cmdline.split(|&b| b == 0).any(|a| a == b"--serve");
                if is_child && serving {
                    return pid;
                }
            }
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "the host started no worker"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts a host whose worker hangs, ends the host with `signal`, and
    /// checks the worker ended too, within two seconds.
    fn worker_ends_with_its_host(signal: i32) {
        let mut host = start_host("hang");
        let worker = worker_of(host.id());
        // Let the worker load the library and enter the endless call.
        std::thread::sleep(Duration::from_millis(500));
        assert!(!ended(worker), "the worker ended before its host");
        // SAFETY: sends a signal to the host process this test started.
        let sent = unsafe { libc::kill(host.id() as libc::pid_t, signal) };
        assert_eq!(sent, 0, "kill({signal})");
        let status = host.wait().unwrap();
        assert!(!status.success());
        let t0 = Instant::now();
        while !ended(worker) {
            assert!(
                t0.elapsed() < Duration::from_secs(2),
                "worker {worker} still runs {:?} after its host got signal {signal}",
                t0.elapsed()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_hung_worker_ends_when_its_host_is_killed() {
        worker_ends_with_its_host(libc::SIGKILL);
    }

    #[test]
    fn a_hung_worker_ends_when_its_host_is_terminated() {
        worker_ends_with_its_host(libc::SIGTERM);
    }

    #[test]
    fn a_hung_worker_ends_when_its_host_is_interrupted() {
        worker_ends_with_its_host(libc::SIGINT);
    }
}
