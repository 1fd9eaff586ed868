//! The calling side of the ABI: wraps a plugin's descriptor and calls its
//! vtable. Used by the host (`iro-plugin-host`) and by [`crate::testing`]. It
//! checks the protocol (statuses, buffers, output structs) but not the
//! *content* of the output, which is the host's job.

use std::ffi::{CStr, c_char};

use arrow_array::RecordBatch;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use iro_plugin_abi::{
    self as abi, IroBuffer, IroComputeArgs, IroDescriptorHeader, IroHostInfo, IroPluginDescriptor,
    IroStatus, IroStr, status,
};

use crate::ffi::{self, ExportedTable};
use crate::{HostInfo, MetricInfo};

/// A call that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CallError {
    /// The plugin returned a status other than OK, with its `last_error`.
    Status { status: IroStatus, message: String },
    /// The vtable entry is NULL.
    MissingEntry(String),
    /// The plugin broke the protocol (bad JSON, unfilled output…).
    Protocol(String),
    /// A row of the output breaks a rule of the output table
    /// ([`crate::validate::check_row`]): the message `iro run` gives.
    InvalidOutput(Box<crate::RowError>),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Status { status: s, message } if *s == status::PANIC => {
                write!(f, "the plugin panicked: {message}")
            }
            CallError::Status { status: s, message } => {
                write!(f, "{} ({s}): {message}", status::name(*s))
            }
            CallError::MissingEntry(e) => write!(f, "the plugin does not provide `{e}`"),
            CallError::Protocol(m) => write!(f, "protocol error: {m}"),
            CallError::InvalidOutput(e) => write!(f, "the plugin returned invalid output: {e}"),
        }
    }
}

impl std::error::Error for CallError {}

/// A plugin's descriptor, copied, and the means to call it.
#[derive(Debug, Clone, Copy)]
pub struct Client {
    desc: IroPluginDescriptor,
}

// SAFETY: the descriptor holds pointers to the plugin's static strings and
// functions, valid on every thread; whether the *functions* may be called
// concurrently is the plugin's `thread_safe` flag, which the host honours.
unsafe impl Send for Client {}
// SAFETY: as above.
unsafe impl Sync for Client {}

/// Reads a descriptor's 16-byte header.
///
/// # Safety
/// `ptr` must be non-null and point to at least 16 readable bytes.
pub unsafe fn read_header(ptr: *const IroPluginDescriptor) -> IroDescriptorHeader {
    // SAFETY: per the caller's contract; the header is the frozen prefix of
    // every descriptor version.
    unsafe { ptr.cast::<IroDescriptorHeader>().read_unaligned() }
}

/// A C string from the descriptor, or `""` when NULL or not UTF-8.
fn c_str(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the descriptor's strings are static and NUL-terminated per the
    // ABI (the caller of `Client::new` vouched for the descriptor).
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

impl Client {
    /// Copies the descriptor: `min(descriptor_size, size_of::<IroPluginDescriptor>())`
    /// bytes over a zeroed one, so entries an older minor lacks are `None`.
    ///
    /// # Safety
    /// `ptr` must point to a descriptor whose header has been checked (magic,
    /// major, `descriptor_size` at least [`abi::DESCRIPTOR_SIZE_V1_0`]), with
    /// `descriptor_size` readable bytes, static strings and function pointers
    /// valid for the rest of the process.
    pub unsafe fn new(ptr: *const IroPluginDescriptor) -> Client {
        // SAFETY: per the caller's contract, `ptr` has at least 16 bytes.
        let header = unsafe { read_header(ptr) };
        let n = (header.descriptor_size as usize).min(size_of::<IroPluginDescriptor>());
        let mut desc = std::mem::MaybeUninit::<IroPluginDescriptor>::zeroed();
        // SAFETY: `n` bytes are readable at `ptr` (caller's contract) and fit
        // in `desc`; all-zero is a valid descriptor (NULL pointers, `None`
        // function pointers, zero integers), so the result is initialised.
        let desc = unsafe {
            std::ptr::copy_nonoverlapping(ptr.cast::<u8>(), desc.as_mut_ptr().cast::<u8>(), n);
            desc.assume_init()
        };
        Client { desc }
    }

    pub fn descriptor(&self) -> &IroPluginDescriptor {
        &self.desc
    }
    pub fn data_contract(&self) -> String {
        c_str(self.desc.data_contract)
    }
    pub fn sdk_version(&self) -> String {
        c_str(self.desc.sdk_version)
    }
    pub fn plugin_name(&self) -> String {
        c_str(self.desc.plugin_name)
    }
    pub fn plugin_version(&self) -> String {
        c_str(self.desc.plugin_version)
    }
    pub fn panic_unwind(&self) -> bool {
        self.desc.panic_unwind != 0
    }
    pub fn thread_safe(&self) -> bool {
        self.desc.thread_safe != 0
    }

    /// The vtable entries a 1.0 plugin must provide that are NULL.
    pub fn missing_entries(&self) -> Vec<&'static str> {
        let v = &self.desc.vtable;
        [
            ("set_host_info", v.set_host_info.is_none()),
            ("list_metrics", v.list_metrics.is_none()),
            ("compute", v.compute.is_none()),
            ("last_error", v.last_error.is_none()),
            ("release", v.release.is_none()),
        ]
        .into_iter()
        .filter_map(|(n, missing)| missing.then_some(n))
        .collect()
    }

    /// Copies a plugin buffer and hands it back.
    fn take_buffer(&self, mut buf: IroBuffer) -> Vec<u8> {
        let bytes = if buf.ptr.is_null() || buf.len == 0 {
            Vec::new()
        } else {
            // SAFETY: the plugin filled `buf` with `len` readable bytes that
            // stay valid until we release it (ABI ownership rule).
            unsafe { std::slice::from_raw_parts(buf.ptr, buf.len) }.to_vec()
        };
        if let Some(release) = self.desc.vtable.release {
            // SAFETY: handing back the buffer the plugin made, once.
            unsafe { release(&mut buf) };
        }
        bytes
    }

    /// The plugin's `last_error` on this thread.
    pub fn last_error(&self) -> String {
        let Some(f) = self.desc.vtable.last_error else {
            return "(no message: the plugin has no last_error)".into();
        };
        let mut buf = IroBuffer::empty();
        // SAFETY: `buf` is a valid, empty buffer for the plugin to fill.
        let st = unsafe { f(&mut buf) };
        if st != status::OK {
            return format!("(no message: last_error returned {})", status::name(st));
        }
        String::from_utf8_lossy(&self.take_buffer(buf)).into_owned()
    }

    fn check(&self, st: IroStatus) -> Result<(), CallError> {
        if st == status::OK {
            Ok(())
        } else {
            Err(CallError::Status {
                status: st,
                message: self.last_error(),
            })
        }
    }

    /// `set_host_info`.
    pub fn set_host_info(&self, info: &HostInfo) -> Result<(), CallError> {
        let f = self
            .desc
            .vtable
            .set_host_info
            .ok_or_else(|| CallError::MissingEntry("set_host_info".into()))?;
        let raw = IroHostInfo {
            struct_size: size_of::<IroHostInfo>() as u32,
            abi_major: abi::ABI_MAJOR,
            abi_minor: abi::ABI_MINOR,
            max_threads: info.max_threads.max(1),
            reserved: 0,
            host_name: IroStr::new(&info.host_name),
            host_version: IroStr::new(&info.host_version),
            data_contract: IroStr::new(&info.data_contract),
        };
        // SAFETY: `raw` and the strings it borrows live across the call.
        self.check(unsafe { f(&raw) })
    }

    /// `list_metrics`, parsed.
    pub fn list_metrics(&self) -> Result<Vec<MetricInfo>, CallError> {
        let f = self
            .desc
            .vtable
            .list_metrics
            .ok_or_else(|| CallError::MissingEntry("list_metrics".into()))?;
        let mut buf = IroBuffer::empty();
        // SAFETY: `buf` is a valid, empty buffer for the plugin to fill.
        self.check(unsafe { f(&mut buf) })?;
        let bytes = self.take_buffer(buf);
        serde_json::from_slice(&bytes)
            .map_err(|e| CallError::Protocol(format!("list_metrics returned bad JSON: {e}")))
    }

    /// `compute`: the output as a record batch, imported and validated as
    /// Arrow (`validate_full`); its schema and content are not judged here.
    /// `tables` are exported for this call; the plugin may move them.
    pub fn compute(
        &self,
        metric_id: &str,
        year: i32,
        la_code: &str,
        params_json: &str,
        tables: &mut [ExportedTable],
    ) -> Result<RecordBatch, CallError> {
        let f = self
            .desc
            .vtable
            .compute
            .ok_or_else(|| CallError::MissingEntry("compute".into()))?;
        self.call(f, metric_id, year, la_code, params_json, tables)
    }

    /// Whether the plugin has `drilldown` (ABI 1.1).
    pub fn has_drilldown(&self) -> bool {
        self.desc.vtable.drilldown.is_some()
    }

    /// `drilldown` (ABI 1.1): the long-form table, imported and validated as
    /// Arrow, as [`Client::compute`]; `None` when the plugin has no
    /// drill-downs (a 1.0 plugin, or the entry NULL).
    pub fn drilldown(
        &self,
        metric_id: &str,
        year: i32,
        la_code: &str,
        params_json: &str,
        tables: &mut [ExportedTable],
    ) -> Result<Option<RecordBatch>, CallError> {
        match self.desc.vtable.drilldown {
            None => Ok(None),
            Some(f) => self
                .call(f, metric_id, year, la_code, params_json, tables)
                .map(Some),
        }
    }

    /// Calls `compute` or `drilldown` (the same signature).
    fn call(
        &self,
        f: abi::ComputeFn,
        metric_id: &str,
        year: i32,
        la_code: &str,
        params_json: &str,
        tables: &mut [ExportedTable],
    ) -> Result<RecordBatch, CallError> {
        let abi_tables: Vec<abi::IroTable> = tables.iter_mut().map(|t| t.as_abi()).collect();
        let args = IroComputeArgs {
            struct_size: size_of::<IroComputeArgs>() as u32,
            year,
            metric_id: IroStr::new(metric_id),
            params_json: IroStr::new(params_json),
            la_code: IroStr::new(la_code),
            tables: abi_tables.as_ptr(),
            n_tables: abi_tables.len(),
        };
        let mut out_schema = FFI_ArrowSchema::empty();
        let mut out_array = FFI_ArrowArray::empty();
        // SAFETY: `args`, the strings and tables it points to, and the two
        // empty output structs all live across the call.
        let st = unsafe {
            f(
                &args,
                ffi::schema_ptr_mut(&mut out_schema),
                ffi::array_ptr(&mut out_array),
            )
        };
        if st != status::OK {
            // Whatever the plugin left there is released by the drops.
            return Err(CallError::Status {
                status: st,
                message: self.last_error(),
            });
        }
        // SAFETY: on OK the plugin filled both structs (or left them
        // released, which import_batch reports).
        unsafe { ffi::import_batch(ffi::schema_ptr(&out_schema), ffi::array_ptr(&mut out_array)) }
            .map_err(|e| CallError::Protocol(format!("output: {e}")))
    }
}
