//! Opening a plugin library and checking it, in the order of docs/PLUGINS.md:
//! hash, symbol, magic, ABI major, ABI minor, descriptor size, entry points,
//! data contract, panic strategy; then `set_host_info` and `list_metrics`.

use std::path::Path;

use iro_plugin_abi::{self as abi, DescriptorFn};
use iro_plugin_sdk::client::{Client, read_header};
use iro_plugin_sdk::{HostInfo, MetricInfo};
use sha2::{Digest, Sha256};

use crate::error::LoadErrorKind;
use crate::report::Report;

/// A library opened and checked; never closed.
#[derive(Debug, Clone)]
pub(crate) struct Opened {
    pub client: Client,
    pub report: Report,
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A configured hash, normalised to lower case; an error unless 64 hex digits.
pub(crate) fn normalise_hash(s: &str) -> Result<String, LoadErrorKind> {
    let t = s.trim();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(LoadErrorKind::BadHash(s.to_string()))
    }
}

/// Reads the file, checks its hash (when one is expected), and loads exactly
/// the bytes hashed: they are written to a private temporary copy that is
/// loaded and then unlinked, so the file cannot be swapped between the check
/// and the load. The library is leaked: never unloaded. Gives the plugin's
/// descriptor function and the file's SHA-256.
fn open_library(
    path: &Path,
    expected: Option<&str>,
) -> Result<(DescriptorFn, String), LoadErrorKind> {
    let bytes = std::fs::read(path).map_err(|e| LoadErrorKind::Read(e.to_string()))?;
    let actual = sha256_hex(&bytes);
    if let Some(expected) = expected {
        let expected = normalise_hash(expected)?;
        if expected != actual {
            return Err(LoadErrorKind::HashMismatch { expected, actual });
        }
    }
    Ok((load_descriptor(path, &bytes)?, actual))
}

/// Loads the hashed bytes from a private copy and finds the descriptor symbol.
#[cfg(feature = "dynamic-loading")]
fn load_descriptor(path: &Path, bytes: &[u8]) -> Result<DescriptorFn, LoadErrorKind> {
    let dir = tempfile::Builder::new()
        .prefix("iro-plugin-")
        .tempdir()
        .map_err(|e| LoadErrorKind::Open(format!("cannot make a private copy: {e}")))?;
    let name = path
        .file_name()
        .map_or_else(|| "plugin".into(), |n| n.to_os_string());
    let copy = dir.path().join(name);
    std::fs::write(&copy, bytes)
        .map_err(|e| LoadErrorKind::Open(format!("cannot make a private copy: {e}")))?;
    // SAFETY: loading a library runs its initialisers. That is the act of
    // trust the allow-list and the pinned hash stand for (PLUGINS.md,
    // "Trust"); the bytes loaded are the bytes hashed.
    let lib = unsafe { libloading::Library::new(&copy) }.map_err(|e| {
        LoadErrorKind::Open(format!(
            "{e} (loaded from a private copy in {}; if that folder does not allow \
             executables, set TMPDIR to one that does)",
            dir.path().display()
        ))
    })?;
    drop(dir);
    let lib: &'static libloading::Library = Box::leak(Box::new(lib));
    // SAFETY: the symbol's type is fixed by ABI v1 (and by every major: the
    // symbol and the header are frozen); a library that exports the name with
    // another type is not an IRO plugin, which the magic check catches.
    let f: DescriptorFn = *unsafe { lib.get::<DescriptorFn>(abi::DESCRIPTOR_SYMBOL_NUL) }
        .map_err(|e| LoadErrorKind::MissingSymbol(e.to_string()))?;
    Ok(f)
}

/// Built without `dynamic-loading` (the browser's build): no library can be
/// loaded, and saying so is the whole answer.
#[cfg(not(feature = "dynamic-loading"))]
fn load_descriptor(_path: &Path, _bytes: &[u8]) -> Result<DescriptorFn, LoadErrorKind> {
    Err(LoadErrorKind::Unavailable)
}

/// Opens and checks a plugin.
///
/// * `expected`: the configured SHA-256, or `None` to only report it.
/// * `require_unwind`: refuse a `panic = "abort"` build (in-process use).
pub(crate) fn open(
    path: &Path,
    expected: Option<&str>,
    require_unwind: bool,
    host: &HostInfo,
) -> Result<Opened, LoadErrorKind> {
    let (f, sha256) = open_library(path, expected)?;
    // SAFETY: calling the plugin's descriptor function (no arguments, returns
    // a pointer to a static).
    let ptr = unsafe { f() };
    if ptr.is_null() {
        return Err(LoadErrorKind::NullDescriptor);
    }
    // SAFETY: non-null; every descriptor, in every ABI major, starts with the
    // 16-byte header.
    let h = unsafe { read_header(ptr) };
    if h.magic != abi::MAGIC {
        return Err(LoadErrorKind::BadMagic);
    }
    if h.abi_major != abi::ABI_MAJOR {
        return Err(LoadErrorKind::AbiMajor {
            plugin: h.abi_major,
            host: abi::ABI_MAJOR,
        });
    }
    if h.abi_minor > abi::ABI_MINOR {
        return Err(LoadErrorKind::AbiMinor {
            major: h.abi_major,
            plugin: h.abi_minor,
            host: abi::ABI_MINOR,
        });
    }
    if h.descriptor_size < abi::DESCRIPTOR_SIZE_V1_0 {
        return Err(LoadErrorKind::DescriptorTooSmall {
            size: h.descriptor_size,
            min: abi::DESCRIPTOR_SIZE_V1_0,
        });
    }
    // SAFETY: the header is checked (magic, major, size) and the library is
    // leaked, so the descriptor and what it points to stay valid.
    let client = unsafe { Client::new(ptr) };
    let contract = client.data_contract();
    if !abi::contract_compatible(abi::DATA_CONTRACT, &contract) {
        return Err(LoadErrorKind::DataContract {
            plugin: contract,
            host: abi::DATA_CONTRACT.to_string(),
        });
    }
    if let Some(e) = client.missing_entries().first() {
        return Err(LoadErrorKind::MissingEntry((*e).to_string()));
    }
    if require_unwind && !client.panic_unwind() {
        return Err(LoadErrorKind::PanicAbort);
    }
    client
        .set_host_info(host)
        .map_err(|e| LoadErrorKind::HostInfo(e.to_string()))?;
    let mut metrics = client
        .list_metrics()
        .map_err(|e| LoadErrorKind::ListMetrics(e.to_string()))?;
    // `relations` is a 1.2 field: a plugin of an older minor loads with its
    // additive breakdowns only, as it always did (and says so when checked).
    let mut ignored_relations = 0;
    if h.abi_minor < abi::RELATIONS_SINCE_MINOR {
        for m in &mut metrics {
            ignored_relations += m.relations.len();
            m.relations.clear();
        }
    }
    check_metrics(&metrics).map_err(LoadErrorKind::BadMetric)?;
    let report = Report {
        path: path.to_path_buf(),
        sha256,
        abi_major: h.abi_major,
        abi_minor: h.abi_minor,
        data_contract: contract,
        sdk_version: client.sdk_version(),
        plugin_name: client.plugin_name(),
        plugin_version: client.plugin_version(),
        panic_unwind: client.panic_unwind(),
        thread_safe: client.thread_safe(),
        drilldowns: client.has_drilldown(),
        metrics,
        ignored_relations,
    };
    Ok(Opened { client, report })
}

/// The host's own checks of `list_metrics`: ids, measures, tables named,
/// relations (each metric's own by [`MetricInfo::check`]; here, a measure of
/// another metric of the same plugin that it names must be declared).
pub(crate) fn check_metrics(metrics: &[MetricInfo]) -> Result<(), String> {
    if metrics.is_empty() {
        return Err("the plugin lists no metric".into());
    }
    let mut ids = std::collections::BTreeSet::new();
    for m in metrics {
        m.check()?;
        if !ids.insert(m.id.as_str()) {
            return Err(format!("metric `{}` listed twice", m.id));
        }
        for t in &m.requires {
            if crate::table_kind(t).is_none() {
                return Err(format!(
                    "metric `{}` requires `{t}`, which is not an SSDA903 table name",
                    m.id
                ));
            }
        }
        for r in &m.relations {
            for name in r.clone().qualified(&m.id).measures() {
                let Some((metric, measure)) = name.split_once('.') else {
                    continue;
                };
                if let Some(other) = metrics.iter().find(|o| o.id == metric)
                    && other.measure_info(measure).is_none()
                {
                    return Err(format!(
                        "metric `{}`: relation `{r}` names `{name}`, which `{metric}` does not declare",
                        m.id
                    ));
                }
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for p in &m.params {
            if p.name == "enabled" || !names.insert(p.name.as_str()) {
                return Err(format!(
                    "metric `{}`: parameter `{}` is reserved or declared twice",
                    m.id, p.name
                ));
            }
        }
    }
    Ok(())
}
