//! `isolation = "process"`: the plugin runs in a child process,
//! `iro plugin-worker`, so that an abort or a segfault ends the worker, not the
//! run. The host keeps a [`Pool`] of workers per plugin library, started as
//! calls need them (at most one per engine thread) and reused: a worker
//! `--serve`s one call after another, loading the library (checking the same
//! hash and versions again) once. For each call it reads the request and the
//! cohort tables on stdin, calls the plugin, and writes the outcome and the
//! output table on stdout. A worker that crashes, hangs past the timeout or
//! breaks the protocol fails only the call it was serving; it is stopped and
//! the next call starts a new one. A worker never outlives `iro` ([`spawn`],
//! [`watch_parent`]). Its stderr is kept for error messages (its end) or,
//! with `-v`, passed through line by line with the plugin's name
//! ([`relay_stderr`]). Tables travel as their Arrow buffers
//! ([`crate::wire`]; not Arrow IPC, to spare the build `arrow-ipc`'s
//! dependencies).
//!
//! ```text
//! iro plugin-worker <LIB> --serve [--sha256 HEX]      calls (stdin → stdout) until stdin ends
//! iro plugin-worker <LIB> --describe [--sha256 HEX]   descriptor and metrics
//! ```
//!
//! Wire format (all integers little-endian):
//!
//! * stdin, per call: `IROW`, u32 version, frame(JSON request), frame(tables);
//!   tables = u32 count, then per table frame(name) frame(batch); the
//!   request names the metric.
//! * stdout, per call: [`RESPONSE_MARKER`], u32 version, frame(JSON outcome),
//!   frame(batch of the output, empty unless the outcome is OK).
//!
//! A batch is encoded by [`crate::wire`].
//!   Anything a plugin prints to stdout before the marker is ignored.
//!
//! A frame is a u64 length and that many bytes.

use std::ffi::OsString;
use std::io::{BufReader, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitCode, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use arrow_array::RecordBatch;
use iro_plugin_sdk::HostInfo;
use iro_plugin_sdk::client::CallError;
use iro_plugin_sdk::testing::export_tables;
use serde::{Deserialize, Serialize};

use crate::error::LoadErrorKind;
use crate::load;
use crate::report::Report;
use crate::wire::{decode_batch, encode_batch, write_frame};

const REQUEST_MAGIC: &[u8; 4] = b"IROW";
/// Starts the worker's answer on stdout; what precedes it is plugin noise.
pub const RESPONSE_MARKER: &[u8; 16] = b"\0IRO-WORKER-OUT\0";
const WIRE_VERSION: u32 = 1;
/// Largest frame accepted (1 GiB): a guard against a corrupt length.
const MAX_FRAME: u64 = 1 << 30;

/// How the host starts a worker: `program args... <LIB> ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerCommand {
    pub program: PathBuf,
    /// Arguments before the library, `["plugin-worker"]` for `iro`.
    pub args: Vec<OsString>,
}

impl Default for WorkerCommand {
    /// This executable, `plugin-worker` (right when the host is `iro`).
    fn default() -> Self {
        WorkerCommand {
            program: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("iro")),
            args: vec![OsString::from("plugin-worker")],
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Request {
    /// The metric to compute.
    metric: String,
    /// Its drill-down tables (long form) rather than its figures.
    #[serde(default)]
    drilldown: bool,
    year: i32,
    la_code: String,
    params: String,
    max_threads: u32,
    host_version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Outcome {
    /// Computed; the output follows.
    Ok,
    /// The plugin returned an error status or broke the protocol.
    Call(CallError),
    /// The plugin returned a table whose schema is not the output schema.
    InvalidOutput(String),
    /// The library failed a load check in the worker.
    Load(LoadErrorKind),
    /// The worker itself could not do its job.
    Failed(String),
}

/// Why a worker call produced no table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WorkerError {
    Call(CallError),
    InvalidOutput(String),
    Load(LoadErrorKind),
    /// Gave no answer within the timeout; the worker was stopped. `tail`:
    /// the end of its stderr, `; its stderr: …` or empty.
    TimedOut {
        tail: String,
    },
    /// Crashed, or answered nonsense.
    Worker(String),
}

fn read_u32(r: &mut impl Read) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_frame(r: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    let n = u64::from_le_bytes(b);
    if n > MAX_FRAME {
        return Err(std::io::Error::other(format!(
            "frame of {n} bytes is too large"
        )));
    }
    let mut v = vec![0u8; n as usize];
    r.read_exact(&mut v)?;
    Ok(v)
}

/// The cohort tables as the body of a request.
pub(crate) fn encode_tables(tables: &[(String, RecordBatch)]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    out.extend_from_slice(&(tables.len() as u32).to_le_bytes());
    for (name, batch) in tables {
        write_frame(&mut out, name.as_bytes());
        write_frame(&mut out, &encode_batch(batch)?);
    }
    Ok(out)
}

fn decode_tables(bytes: &[u8]) -> Result<Vec<(String, RecordBatch)>, String> {
    let mut r = Cursor::new(bytes);
    let n = read_u32(&mut r).map_err(|e| e.to_string())?;
    (0..n)
        .map(|_| {
            let name = String::from_utf8(read_frame(&mut r).map_err(|e| e.to_string())?)
                .map_err(|_| "table name is not UTF-8".to_string())?;
            let batch = decode_batch(&read_frame(&mut r).map_err(|e| e.to_string())?)
                .map_err(|e| format!("table `{name}`: {e}"))?;
            Ok((name, batch))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The worker side.
// ---------------------------------------------------------------------------

fn respond(outcome: &Outcome, output: &[u8]) -> ExitCode {
    if answer(outcome, output) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// Writes one answer on stdout; false if it could not be written.
fn answer(outcome: &Outcome, output: &[u8]) -> bool {
    let mut buf = Vec::new();
    buf.extend_from_slice(RESPONSE_MARKER);
    buf.extend_from_slice(&WIRE_VERSION.to_le_bytes());
    let json =
        serde_json::to_vec(outcome).unwrap_or_else(|_| b"{\"Failed\":\"encoding\"}".to_vec());
    write_frame(&mut buf, &json);
    write_frame(&mut buf, output);
    let mut out = std::io::stdout().lock();
    match out.write_all(&buf).and_then(|()| out.flush()) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("iro plugin-worker: cannot write the answer: {e}");
            false
        }
    }
}

const USAGE: &str = "usage: iro plugin-worker <LIB> --serve [--sha256 HEX]\n       \
                     iro plugin-worker <LIB> --describe [--sha256 HEX]\n\
                     (started by iro for plugins with isolation = \"process\")";

/// The worker's main loop, for `iro plugin-worker` (the CLI passes the
/// arguments after `plugin-worker`). Exit code 0 whenever an answer was
/// written (including a plugin's error); 2 on bad arguments or broken pipes.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let mut positional: Vec<OsString> = Vec::new();
    let mut sha256: Option<String> = None;
    let mut describe = false;
    let mut serve_calls = false;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.to_str() {
            Some("--sha256") => match it.next().and_then(|v| v.into_string().ok()) {
                Some(v) => sha256 = Some(v),
                None => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
            Some("--describe") => describe = true,
            Some("--serve") => serve_calls = true,
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => positional.push(a),
        }
    }
    let lib = match positional.as_slice() {
        [lib] if describe != serve_calls => PathBuf::from(lib),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    watch_parent();
    if serve_calls {
        return serve(&lib, sha256.as_deref());
    }
    let host = HostInfo {
        host_name: "iro plugin-worker".into(),
        host_version: env!("CARGO_PKG_VERSION").into(),
        ..HostInfo::default()
    };
    let outcome = match load::open(&lib, sha256.as_deref(), false, &host) {
        Ok(o) => serde_json::to_vec(&o.report).map(|j| (Outcome::Ok, j)),
        Err(k) => Ok((Outcome::Load(k), Vec::new())),
    };
    match outcome {
        Ok((o, body)) => respond(&o, &body),
        Err(e) => respond(&Outcome::Failed(e.to_string()), &[]),
    }
}

/// Ends this worker as soon as the `iro` that started it is gone, even while
/// the plugin is in an endless loop: a thread checks every 100 ms whether
/// the worker's parent is still the process `IRO_PLUGIN_HOST_PID` names
/// (the one it had, when started otherwise). On Linux the kernel's signal
/// ([`spawn`]) comes first; this covers the other Unix systems. Not on
/// Windows.
fn watch_parent() {
    #[cfg(unix)]
    {
        // SAFETY: `getppid` cannot fail and touches no memory.
        let first = unsafe { libc::getppid() };
        let parent = std::env::var(HOST_PID_VAR)
            .ok()
            .and_then(|v| v.parse::<libc::pid_t>().ok())
            .unwrap_or(first);
        let _ = std::thread::Builder::new()
            .name("iro-plugin-parent-watch".into())
            .spawn(move || {
                loop {
                    // SAFETY: as above.
                    if unsafe { libc::getppid() } != parent {
                        // SAFETY: `_exit` ends the process at once; nothing
                        // of this process is needed after the parent is gone
                        // (no exit handlers: the plugin may hold stdout's
                        // lock forever).
                        unsafe { libc::_exit(3) };
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
    }
}

/// Why a request could not be read: the outcome to answer with.
fn read_failed(e: impl std::fmt::Display) -> Outcome {
    Outcome::Failed(format!("reading the request: {e}"))
}

/// Reads one request (after its magic) from stdin.
fn read_request(
    stdin: &mut impl Read,
    magic: [u8; 4],
) -> Result<(Request, Vec<(String, RecordBatch)>), Outcome> {
    let version = read_u32(stdin).map_err(read_failed)?;
    if &magic != REQUEST_MAGIC || version != WIRE_VERSION {
        return Err(Outcome::Failed(
            "not a plugin-worker request (wrong magic or version)".into(),
        ));
    }
    let request: Request = serde_json::from_slice(&read_frame(stdin).map_err(read_failed)?)
        .map_err(|e| Outcome::Failed(format!("request: {e}")))?;
    let body = read_frame(stdin).map_err(read_failed)?;
    let tables = decode_tables(&body).map_err(Outcome::Failed)?;
    Ok((request, tables))
}

fn worker_host(request: &Request) -> HostInfo {
    HostInfo {
        host_name: "iro plugin-worker".into(),
        host_version: request.host_version.clone(),
        max_threads: request.max_threads,
        ..HostInfo::default()
    }
}

/// One call on an opened library: the encoded output table.
fn call(
    opened: &load::Opened,
    request: &Request,
    tables: &[(String, RecordBatch)],
) -> Result<Vec<u8>, Outcome> {
    let mut exported =
        export_tables(tables, &request.la_code, request.year).map_err(Outcome::Failed)?;
    let client = &opened.client;
    let (metric, year) = (request.metric.as_str(), request.year);
    let (la_code, params) = (request.la_code.as_str(), request.params.as_str());
    let batch = if request.drilldown {
        // A plugin without drill-downs answers with none.
        match client
            .drilldown(metric, year, la_code, params, &mut exported)
            .map_err(Outcome::Call)?
        {
            Some(b) => b,
            None => iro_plugin_sdk::drilldown::long_form(&[])
                .map_err(|e| Outcome::Failed(e.to_string()))?,
        }
    } else {
        client
            .compute(metric, year, la_code, params, &mut exported)
            .map_err(Outcome::Call)?
    };
    // Only a table of the expected schema can (and need) travel; the host
    // judges everything else about it, as for an in-process plugin.
    let mismatch = if request.drilldown {
        let want = iro_plugin_sdk::drilldown::long_form_schema();
        (batch.schema().fields() != want.fields()).then(|| {
            format!(
                "not the drill-down schema {:?}",
                iro_plugin_sdk::abi::DRILLDOWN_COLUMNS
            )
        })
    } else {
        iro_plugin_sdk::schema::output_schema_mismatch(&batch.schema())
    };
    if let Some(why) = mismatch {
        return Err(Outcome::InvalidOutput(format!("output schema: {why}")));
    }
    encode_batch(&batch).map_err(|e| Outcome::Failed(format!("encoding the output: {e}")))
}

/// `--serve`: answers calls until stdin ends. The library is opened (and
/// checked) at the first call and kept. A request that cannot be read leaves
/// the stream out of step: it is answered `Failed` and the worker ends, so
/// the host starts a new one for the next call.
fn serve(lib: &Path, sha256: Option<&str>) -> ExitCode {
    let mut stdin = std::io::stdin().lock();
    let mut opened: Option<Result<load::Opened, LoadErrorKind>> = None;
    loop {
        let mut magic = [0u8; 4];
        match stdin.read_exact(&mut magic) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return ExitCode::SUCCESS,
            Err(e) => return respond(&read_failed(e), &[]),
        }
        let (request, tables) = match read_request(&mut stdin, magic) {
            Ok(r) => r,
            Err(o) => return respond(&o, &[]),
        };
        let opened =
            opened.get_or_insert_with(|| load::open(lib, sha256, false, &worker_host(&request)));
        let outcome = match opened {
            Err(k) => Err(Outcome::Load(k.clone())),
            Ok(o) => call(o, &request, &tables),
        };
        let written = match outcome {
            Ok(out) => answer(&Outcome::Ok, &out),
            Err(o) => answer(&o, &[]),
        };
        if !written {
            return ExitCode::from(2);
        }
    }
}

// ---------------------------------------------------------------------------
// The host side.
// ---------------------------------------------------------------------------

fn describe_status(s: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = s.signal() {
            let name = match sig {
                4 => " (SIGILL)",
                6 => " (SIGABRT: the plugin aborted)",
                7 => " (SIGBUS)",
                8 => " (SIGFPE)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV: the plugin crashed)",
                _ => "",
            };
            return format!("killed by signal {sig}{name}");
        }
    }
    match s.code() {
        Some(c) => format!("exited with code {c}"),
        None => "ended abnormally".to_string(),
    }
}

/// The end of a worker's stderr (its last 2,000 bytes or so), to add to an
/// error: `; its stderr: …`, or nothing.
fn stderr_tail(err: &[u8]) -> String {
    let s = String::from_utf8_lossy(err);
    let s = s.trim();
    let start = s.len().saturating_sub(2000);
    let start = (start..=s.len())
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(s.len());
    if s.is_empty() {
        String::new()
    } else {
        format!("; its stderr: {}", &s[start..])
    }
}

/// Runs a one-off worker (`--describe`) with `extra` arguments; returns its
/// answer (the bytes after the marker). `stderr`: as for [`Worker::start`].
fn run(
    cmd: &WorkerCommand,
    extra: &[OsString],
    timeout: Option<Duration>,
    stderr: Option<&str>,
) -> Result<Vec<u8>, String> {
    let mut command = Command::new(&cmd.program);
    command
        .args(&cmd.args)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn(command, stderr.is_some())
        .map_err(|e| format!("cannot start {}: {e}", cmd.program.display()))?;
    let mut stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let err_pipe = child.stderr.take().ok_or("no stderr pipe")?;
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let kept = Arc::new(Mutex::new(Vec::new()));
    let err_reader = relay_stderr(err_pipe, kept.clone(), stderr.map(str::to_string));
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Ok(s),
            Ok(None) => {
                if let Some(t) = timeout.filter(|t| start.elapsed() > *t) {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(format!(
                        "gave no answer within {} (timeout_s) and was stopped",
                        crate::calls::seconds(t)
                    ));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => break Err(format!("waiting for it: {e}")),
        }
    };
    let out = out_reader.join().unwrap_or_default();
    let _ = err_reader.join();
    let tail = stderr_tail(&kept.lock().unwrap_or_else(|e| e.into_inner()));
    let status = status.map_err(|e| format!("the worker {e}{tail}"))?;
    if !status.success() {
        return Err(format!("the worker {}{tail}", describe_status(status)));
    }
    let at = out
        .windows(RESPONSE_MARKER.len())
        .position(|w| w == RESPONSE_MARKER)
        .ok_or_else(|| format!("the worker gave no answer{tail}"))?;
    Ok(out[at + RESPONSE_MARKER.len()..].to_vec())
}

/// Starts a worker process from `command`, set up to end with `iro`: the
/// worker is told whose child it is (`IRO_PLUGIN_HOST_PID`, watched by the
/// worker, [`watch_parent`]) and, on Linux, gets SIGKILL from the kernel the
/// moment its parent ends, however it ends (SIGKILL, SIGTERM, SIGINT, a
/// crash): `prctl(PR_SET_PDEATHSIG)`. The kernel ties that signal to the
/// *thread* that started the process, and the engine's threads come and go,
/// so every worker is started from one thread that lives as long as `iro`.
/// `verbose`: the worker's plugin may print its panics (`IRO_PLUGIN_VERBOSE`).
fn spawn(mut command: Command, verbose: bool) -> std::io::Result<Child> {
    type Job = (Command, mpsc::Sender<std::io::Result<Child>>);
    static SPAWNER: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    command.env(HOST_PID_VAR, std::process::id().to_string());
    if verbose {
        command.env("IRO_PLUGIN_VERBOSE", "1");
    }
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("iro-plugin-spawner".into())
            .spawn(move || {
                for (mut command, reply) in rx {
                    die_with_parent(&mut command);
                    let _ = reply.send(command.spawn());
                }
            })
            .ok()
            .map(|_| tx)
    });
    match spawner {
        Some(tx) => {
            let (reply, answer) = mpsc::channel();
            tx.send((command, reply))
                .map_err(|_| std::io::Error::other("the worker-starting thread has ended"))?;
            answer
                .recv()
                .map_err(|_| std::io::Error::other("the worker-starting thread has ended"))?
        }
        // No thread to spare: started from this one, without the kernel's
        // signal (this thread may end first); the worker's own watch remains.
        None => command.spawn(),
    }
}

/// The environment variable that tells a worker the process id of the
/// `iro` that started it.
const HOST_PID_VAR: &str = "IRO_PLUGIN_HOST_PID";

/// Linux: the child gets SIGKILL when the thread that started it ends (with
/// its process): [`spawn`].
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs in the child between fork and exec, where only
    // async-signal-safe calls are allowed: `prctl` and `getppid` are, and it
    // allocates nothing (an `io::Error` from an OS code does not allocate).
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have ended before the signal was asked for: the
            // child then already has another parent, and must not run.
            if libc::getppid() != parent {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}

/// Reads a worker's stderr until it ends: keeps its last [`STDERR_TAIL`]
/// bytes or so in `kept` (for error messages) and, with a `prefix` (`-v`),
/// writes each line on `iro`'s stderr as it comes, `[plugin NAME] line`.
fn relay_stderr(
    pipe: impl Read + Send + 'static,
    kept: Arc<Mutex<Vec<u8>>>,
    prefix: Option<String>,
) -> std::thread::JoinHandle<()> {
    let to = prefix.map(|p| (p, std::io::stderr()));
    std::thread::spawn(move || relay(pipe, &kept, to))
}

/// [`relay_stderr`]'s loop, writing the lines to `to`'s writer (a line
/// longer than [`LONGEST_LINE`] is passed on in pieces).
fn relay(mut pipe: impl Read, kept: &Mutex<Vec<u8>>, mut to: Option<(String, impl Write)>) {
    let passing = to.is_some();
    let mut buf = [0u8; 4096];
    let mut line: Vec<u8> = Vec::new();
    let mut pass = |line: &[u8]| {
        if let Some((name, out)) = &mut to {
            let text = String::from_utf8_lossy(line);
            let text = text.trim_end_matches(['\r', '\n']);
            let _ = writeln!(out, "[plugin {name}] {text}").and_then(|()| out.flush());
        }
    };
    loop {
        let n = match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        {
            let mut v = kept.lock().unwrap_or_else(|e| e.into_inner());
            v.extend_from_slice(&buf[..n]);
            if v.len() > 2 * STDERR_TAIL {
                let cut = v.len() - STDERR_TAIL;
                v.drain(..cut);
            }
        }
        if passing {
            for &b in &buf[..n] {
                line.push(b);
                if b == b'\n' || line.len() >= LONGEST_LINE {
                    pass(&line);
                    line.clear();
                }
            }
        }
    }
    if !line.is_empty() {
        pass(&line);
    }
}

/// The longest piece of a worker's stderr passed on as one line.
const LONGEST_LINE: usize = 16 * 1024;

fn parse_answer(answer: &[u8]) -> Result<(Outcome, Vec<u8>), String> {
    let mut r = Cursor::new(answer);
    let v = read_u32(&mut r).map_err(|e| format!("bad answer: {e}"))?;
    if v != WIRE_VERSION {
        return Err(format!(
            "answer in wire version {v}, expected {WIRE_VERSION}"
        ));
    }
    let outcome: Outcome = serde_json::from_slice(&read_frame(&mut r).map_err(|e| e.to_string())?)
        .map_err(|e| format!("bad answer: {e}"))?;
    let body = read_frame(&mut r).map_err(|e| format!("bad answer: {e}"))?;
    Ok((outcome, body))
}

fn lib_args(lib: &Path, sha256: &str) -> Vec<OsString> {
    vec![lib.as_os_str().to_os_string()]
        .into_iter()
        .chain(
            (!sha256.is_empty())
                .then(|| [OsString::from("--sha256"), OsString::from(sha256)])
                .into_iter()
                .flatten(),
        )
        .collect()
}

/// Loads and checks the library in a worker; its report. `show_stderr`:
/// the worker's stderr is passed through, each line prefixed with the
/// library's file name (the plugin's name is not known yet).
pub(crate) fn describe(
    cmd: &WorkerCommand,
    lib: &Path,
    sha256: &str,
    timeout: Option<Duration>,
    show_stderr: bool,
) -> Result<Report, LoadErrorKind> {
    let mut args = lib_args(lib, sha256);
    args.push("--describe".into());
    let name = lib.file_name().map_or_else(
        || lib.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let answer = run(cmd, &args, timeout, show_stderr.then_some(name.as_str()))
        .map_err(LoadErrorKind::Worker)?;
    let (outcome, body) = parse_answer(&answer).map_err(LoadErrorKind::Worker)?;
    match outcome {
        Outcome::Ok => {
            let mut report: Report = serde_json::from_slice(&body)
                .map_err(|e| LoadErrorKind::Worker(format!("bad report: {e}")))?;
            report.path = lib.to_path_buf();
            Ok(report)
        }
        Outcome::Load(k) => Err(k),
        Outcome::Call(c) => Err(LoadErrorKind::Worker(c.to_string())),
        Outcome::InvalidOutput(m) => Err(LoadErrorKind::Worker(m)),
        Outcome::Failed(m) => Err(LoadErrorKind::Worker(m)),
    }
}

/// What the host sends for one call.
#[derive(Debug, Clone)]
pub(crate) struct CallSpec<'a> {
    pub lib: &'a Path,
    pub sha256: &'a str,
    pub metric: &'a str,
    pub year: i32,
    pub la_code: &'a str,
    pub params: &'a str,
    pub max_threads: u32,
    pub host_version: &'a str,
    /// The drill-down tables, not the figures.
    pub drilldown: bool,
    /// The plugin's name, to prefix its stderr with when passed through.
    pub plugin: &'a str,
    /// Pass the worker's stderr through to `iro`'s (`-v`).
    pub show_stderr: bool,
}

/// The request's head (magic, version, JSON) and the tables frame's length.
fn request_head(call: &CallSpec<'_>, tables: usize) -> Result<Vec<u8>, String> {
    let request = Request {
        metric: call.metric.to_string(),
        drilldown: call.drilldown,
        year: call.year,
        la_code: call.la_code.to_string(),
        params: call.params.to_string(),
        max_threads: call.max_threads,
        host_version: call.host_version.to_string(),
    };
    let mut head = Vec::new();
    head.extend_from_slice(REQUEST_MAGIC);
    head.extend_from_slice(&WIRE_VERSION.to_le_bytes());
    write_frame(
        &mut head,
        &serde_json::to_vec(&request).map_err(|e| e.to_string())?,
    );
    head.extend_from_slice(&(tables as u64).to_le_bytes());
    Ok(head)
}

/// An answer's outcome as the call's result; with an error, whether the
/// worker is still fit to serve (not after a failure of the worker itself).
fn outcome_of(answer: &[u8]) -> Result<RecordBatch, (WorkerError, bool)> {
    let (outcome, body) = parse_answer(answer).map_err(|m| (WorkerError::Worker(m), false))?;
    match outcome {
        Outcome::Ok => decode_batch(&body).map_err(|e| {
            (
                WorkerError::Worker(format!("unreadable answer: {e}")),
                false,
            )
        }),
        Outcome::Call(c) => Err((WorkerError::Call(c), true)),
        Outcome::InvalidOutput(m) => Err((WorkerError::InvalidOutput(m), true)),
        Outcome::Load(k) => Err((WorkerError::Load(k), true)),
        Outcome::Failed(m) => Err((WorkerError::Worker(m), false)),
    }
}

/// Serving workers of one plugin library, idle between calls.
#[derive(Default)]
pub(crate) struct Pool {
    idle: Mutex<Vec<Worker>>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.idle.lock().map_or(0, |v| v.len());
        write!(f, "Pool({n} idle)")
    }
}

impl Pool {
    /// Computes one metric in an idle worker of the pool, or in a new one;
    /// the worker goes back to the pool unless it failed.
    pub(crate) fn compute(
        &self,
        cmd: &WorkerCommand,
        call: &CallSpec<'_>,
        tables: Arc<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<RecordBatch, WorkerError> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut worker = match idle {
            Some(w) => w,
            None => Worker::start(
                cmd,
                call.lib,
                call.sha256,
                call.show_stderr.then_some(call.plugin),
            )
            .map_err(WorkerError::Worker)?,
        };
        let head = request_head(call, tables.len()).map_err(WorkerError::Worker)?;
        let answer = worker.ask(head, tables, timeout)?;
        match outcome_of(&answer) {
            Ok(batch) => {
                self.put(worker);
                Ok(batch)
            }
            Err((e, healthy)) => {
                if healthy {
                    self.put(worker);
                }
                Err(e)
            }
        }
    }

    fn put(&self, worker: Worker) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(worker);
    }
}

/// Most of a worker's stderr kept for error messages.
const STDERR_TAIL: usize = 4000;

/// One serving worker: its process, its stdin (between calls), the answers
/// read from its stdout, and the tail of its stderr.
struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    answers: Receiver<Result<Vec<u8>, String>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Worker {
    /// Starts a serving worker. `show_stderr`: the plugin's name, to pass
    /// its stderr through to `iro`'s, each line prefixed with it; `None`:
    /// only its end is kept, for error messages.
    fn start(
        cmd: &WorkerCommand,
        lib: &Path,
        sha256: &str,
        show_stderr: Option<&str>,
    ) -> Result<Worker, String> {
        let mut args = lib_args(lib, sha256);
        args.push("--serve".into());
        let mut command = Command::new(&cmd.program);
        command
            .args(&cmd.args)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = spawn(command, show_stderr.is_some())
            .map_err(|e| format!("cannot start {}: {e}", cmd.program.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin pipe")?;
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        let err_pipe = child.stderr.take().ok_or("no stderr pipe")?;
        let (tx, answers) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let next = read_answer(&mut r);
                let end = next.is_err();
                if tx.send(next).is_err() || end {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        relay_stderr(err_pipe, stderr.clone(), show_stderr.map(str::to_string));
        Ok(Worker {
            child,
            stdin: Some(stdin),
            answers,
            stderr,
        })
    }

    /// Sends one request and waits for its answer (the bytes after the
    /// marker). On any failure the worker is stopped and the error says why.
    fn ask(
        &mut self,
        head: Vec<u8>,
        body: Arc<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<Vec<u8>, WorkerError> {
        let mut stdin = self
            .stdin
            .take()
            .ok_or_else(|| WorkerError::Worker("the worker has no stdin".into()))?;
        // An error names what the worker wrote during this call only.
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        // Written on the side, so that a worker that stops reading cannot
        // hold the call past its timeout.
        let writer = std::thread::spawn(move || {
            let r = stdin
                .write_all(&head)
                .and_then(|()| stdin.write_all(&body))
                .and_then(|()| stdin.flush());
            (stdin, r)
        });
        let got = match timeout {
            Some(t) => self.answers.recv_timeout(t),
            None => self
                .answers
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
        };
        match got {
            Ok(Ok(answer)) => {
                if let Ok((stdin, Ok(()))) = writer.join() {
                    self.stdin = Some(stdin);
                }
                Ok(answer)
            }
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                let status = self.end(Duration::from_secs(5));
                let _ = writer.join();
                Err(WorkerError::Worker(format!(
                    "the worker {status}{}",
                    self.tail()
                )))
            }
            Err(RecvTimeoutError::Timeout) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let _ = writer.join();
                Err(WorkerError::TimedOut { tail: self.tail() })
            }
        }
    }

    /// Waits up to `grace` for the worker to end (killing it after), and
    /// says how it ended.
    fn end(&mut self, grace: Duration) -> String {
        let start = Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(s)) => return describe_status(s),
                Ok(None) if start.elapsed() < grace => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Ok(None) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return "stopped answering and was stopped".to_string();
                }
                Err(e) => return format!("could not be waited for: {e}"),
            }
        }
    }

    fn tail(&self) -> String {
        stderr_tail(&self.stderr.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Worker {
    /// Closing stdin ends an idle worker; one that does not end soon is
    /// stopped.
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.end(Duration::from_secs(1));
    }
}

/// Reads the next answer from a serving worker's stdout: skips whatever
/// precedes the marker (plugin noise), then the version and two frames, and
/// returns them as the bytes after the marker.
fn read_answer(r: &mut impl Read) -> Result<Vec<u8>, String> {
    let mut window = [0u8; 16];
    let mut seen = 0usize;
    let mut byte = [0u8; 1];
    loop {
        match r.read(&mut byte) {
            Ok(0) => return Err("the worker closed its output".into()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.to_string()),
        }
        window.rotate_left(1);
        window[15] = byte[0];
        seen += 1;
        if seen >= 16 && &window == RESPONSE_MARKER {
            break;
        }
    }
    let mut out = Vec::new();
    let version = read_u32(r).map_err(|e| e.to_string())?;
    out.extend_from_slice(&version.to_le_bytes());
    for _ in 0..2 {
        let frame = read_frame(r).map_err(|e| e.to_string())?;
        write_frame(&mut out, &frame);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workers_stderr_is_passed_through_line_by_line_with_the_plugins_name() {
        let kept = Mutex::new(Vec::new());
        let mut shown = Vec::new();
        let from: &[u8] = b"first line\nsecond, in Windows style\r\nno newline at the end";
        relay(from, &kept, Some(("sw-changes".to_string(), &mut shown)));
        assert_eq!(
            String::from_utf8(shown).unwrap(),
            "[plugin sw-changes] first line\n\
             [plugin sw-changes] second, in Windows style\n\
             [plugin sw-changes] no newline at the end\n"
        );
        // Kept as it came, for an error message.
        assert_eq!(kept.into_inner().unwrap(), from);
    }

    #[test]
    fn without_verbose_only_the_end_of_a_workers_stderr_is_kept() {
        let kept = Mutex::new(Vec::new());
        let long: Vec<u8> = (0..20_000).map(|i| b'a' + (i % 26) as u8).collect();
        relay(long.as_slice(), &kept, None::<(String, Vec<u8>)>);
        let kept = kept.into_inner().unwrap();
        assert!(kept.len() <= 2 * STDERR_TAIL && kept.len() >= STDERR_TAIL);
        assert!(long.ends_with(&kept));
        let tail = stderr_tail(&kept);
        assert!(
            tail.starts_with("; its stderr: ") && tail.len() <= 2020,
            "{tail}"
        );
    }
}
