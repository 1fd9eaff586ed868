//! # iro-plugin-abi — "IRO plugin ABI v1"
//!
//! The binary contract between `iro` (the host) and a run-time metric plugin (a
//! shared library: `.so`, `.dylib`, `.dll`). Everything here is `#[repr(C)]` and
//! `extern "C"`, so a plugin may be written in any language and built with any
//! compiler version. This crate holds no logic beyond constants; its one
//! dependency is `iro-vocabulary`, whose text forms of units, periods and the
//! output columns are the ones that cross the boundary ([`UNITS`], [`PERIODS`],
//! [`OUTPUT_COLUMNS`]). Rust plugin authors use `iro-plugin-sdk`, which fills
//! it in.
//!
//! ## The shape
//!
//! A plugin exports **one symbol**, [`DESCRIPTOR_SYMBOL`]
//! (`iro_plugin_descriptor`), a function of type [`DescriptorFn`] returning a
//! pointer to a static [`IroPluginDescriptor`]:
//!
//! * a frozen header ([`IroDescriptorHeader`]: [`MAGIC`], `abi_major`,
//!   `abi_minor`, `descriptor_size`) whose layout never changes in any major
//!   version, so any host can read it and say precisely what is wrong;
//! * metadata: the data contract the plugin reads ([`DATA_CONTRACT`]), SDK
//!   version, plugin name and version, whether it was built with
//!   `panic = "unwind"` and whether it may be called from several threads;
//! * a vtable ([`IroPluginVTable`]) of `extern "C"` functions that return an
//!   [`IroStatus`] (see [`status`]).
//!
//! Data crosses as the **Arrow C Data Interface** ([`ArrowSchema`],
//! [`ArrowArray`]): each cohort table goes in as one struct array (a record
//! batch), and the metric table comes out as one struct array in the tidy shape
//! ([`OUTPUT_COLUMNS`]). The tables, columns and types a plugin may rely on are
//! the data contract ([`COHORT_TABLES`]), versioned separately from the ABI.
//!
//! ## Ownership
//!
//! * Strings the host passes ([`IroStr`]) are borrowed for the duration of the
//!   call and are not NUL-terminated.
//! * Input tables ([`IroTable`]): the schema is borrowed for the call; the array
//!   may be *moved* by the plugin (copy the struct, set `release` to NULL in the
//!   original), as the C Data Interface allows; the host releases whatever the
//!   plugin did not move when the call returns. Buffers stay valid for as long
//!   as the plugin holds the moved array.
//! * Output: the host passes two zeroed structs; on [`status::OK`] the plugin
//!   has filled both and the host owns them (and calls their `release`); on any
//!   other status the plugin leaves them untouched (or released).
//! * Byte buffers the plugin returns ([`IroBuffer`], from `list_metrics` and
//!   `last_error`) belong to the plugin; the host copies them and hands them back
//!   through `release`, so each side frees only what its own allocator made.
//!
//! ## Versioning rules
//!
//! * **`abi_major`** changes when anything already published changes meaning or
//!   layout: a field moved, a signature changed, an ownership rule changed, a
//!   status code reinterpreted. The host loads a plugin only when
//!   `abi_major == ABI_MAJOR`. The descriptor header and the symbol name stay the
//!   same in every major, so a mismatch is reported, never crashed on.
//! * **`abi_minor`** changes when something is *added* in a backward-compatible
//!   way, and only these additions are allowed:
//!   1. new function pointers appended at the end of [`IroPluginVTable`] (so at
//!      the end of the descriptor; `descriptor_size` tells the host how many the
//!      plugin has, and a host never calls an entry past it or one that is NULL);
//!   2. new fields appended at the end of a struct that carries a `struct_size`
//!      ([`IroHostInfo`], [`IroComputeArgs`]), which a plugin built for an older
//!      minor ignores;
//!   3. new status codes returned by the host to nobody (status codes flow from
//!      plugin to host only; a new code can be added only together with the
//!      host minor that understands it);
//!   4. new bits in the reserved bytes, defaulting to today's behaviour when 0;
//!   5. new fields in the metric list (`list_metrics`' JSON) that the host
//!      must understand to keep its promises: a plugin declaring the minor
//!      that introduced one is refused by an older host, which would ignore
//!      the field (1.2: `relations`, without which an older host would leave
//!      counts the plugin asked to protect recoverable). A host reads such a
//!      field only from a plugin of that minor or later.
//!
//!   The host loads a plugin when `abi_minor <= ABI_MINOR`: it knows everything
//!   the plugin may use. A plugin built for a *newer* minor is refused, because
//!   it may rely on something this host does not provide.
//! * **The data contract** (`"903-cohort/MAJOR.MINOR"`) versions the cohort
//!   tables independently of the binary interface (nushell's lesson: a protocol
//!   tied to the application's version breaks every plugin on every release). A
//!   minor contract version may add tables and add columns to existing tables
//!   (plugins select columns by name and ignore the rest); renaming or removing a
//!   table or a column, changing a type or nullability, or changing what a value
//!   means, is a new major. The host accepts a plugin whose contract has the same
//!   major and a minor no greater than its own.

use std::ffi::{c_char, c_void};

use iro_vocabulary::{Period, Unit, column};

/// The 8 bytes every descriptor starts with.
pub const MAGIC: [u8; 8] = *b"IROPLUG\0";

/// The ABI major version this crate describes.
pub const ABI_MAJOR: u16 = 1;

/// The ABI minor version this crate describes. 1.1 added
/// [`IroPluginVTable::drilldown`]; 1.2 added the metric list's `relations`
/// ([`RELATIONS_SINCE_MINOR`]).
pub const ABI_MINOR: u16 = 2;

/// The first minor whose metric list may declare `relations` between
/// figures (same sums, repeats and parts as a built-in metric declares), which
/// the host's secondary suppression protects. A host ignores `relations` in
/// the list of a plugin of an older minor: such a plugin is protected by its
/// additive breakdowns only, as before. The descriptor itself is unchanged
/// (1.2 descriptors have [`DESCRIPTOR_SIZE_V1_1`] bytes).
pub const RELATIONS_SINCE_MINOR: u16 = 2;

/// The exported symbol: an `extern "C" fn() -> *const IroPluginDescriptor`.
pub const DESCRIPTOR_SYMBOL: &str = "iro_plugin_descriptor";

/// [`DESCRIPTOR_SYMBOL`] with its NUL terminator, for `dlsym`.
pub const DESCRIPTOR_SYMBOL_NUL: &[u8] = b"iro_plugin_descriptor\0";

/// The name part of the data contract.
pub const DATA_CONTRACT_NAME: &str = "903-cohort";

/// Data contract major version.
pub const DATA_CONTRACT_MAJOR: u16 = 1;

/// Data contract minor version. 1.1 added the [`POPULATION`] table.
pub const DATA_CONTRACT_MINOR: u16 = 1;

/// The data contract this crate describes, `"903-cohort/1.1"`.
pub const DATA_CONTRACT: &str = "903-cohort/1.1";

/// [`DATA_CONTRACT`] with its NUL terminator, for the descriptor.
pub const DATA_CONTRACT_NUL: &[u8] = b"903-cohort/1.1\0";

/// Schema metadata keys set on every input table.
pub mod metadata {
    /// The table's name, e.g. `episodes`.
    pub const TABLE: &str = "iro.table";
    /// The DfE 3-digit code of the authority, e.g. `800`.
    pub const LA_CODE: &str = "iro.la_code";
    /// The collection year being computed, e.g. `2025` (= 2024-25).
    pub const COLLECTION_YEAR: &str = "iro.collection_year";
    /// The data contract, e.g. `903-cohort/1.0`.
    pub const DATA_CONTRACT: &str = "iro.data_contract";
}

/// A status code returned by every vtable function.
pub type IroStatus = u32;

/// The status codes.
pub mod status {
    use super::IroStatus;

    /// Success.
    pub const OK: IroStatus = 0;
    /// The metric failed; `last_error` says why.
    pub const ERROR: IroStatus = 1;
    /// The arguments were wrong: an unknown metric id, bad parameters, a
    /// cohort table not as contracted; `last_error` says which.
    pub const INVALID_INPUT: IroStatus = 2;
    /// The plugin panicked (or threw); `last_error` holds the message.
    pub const PANIC: IroStatus = 3;
    /// The data the metric needs are not there (e.g. no Missing table for the
    /// year): reported as "not computable", never as zero.
    pub const NOT_COMPUTABLE: IroStatus = 4;

    /// A name for messages.
    pub fn name(s: IroStatus) -> &'static str {
        match s {
            OK => "OK",
            ERROR => "ERROR",
            INVALID_INPUT => "INVALID_INPUT",
            PANIC => "PANIC",
            NOT_COMPUTABLE => "NOT_COMPUTABLE",
            _ => "UNKNOWN",
        }
    }
}

/// The Arrow C Data Interface schema struct, exactly as the Arrow
/// specification defines it. Layout-compatible with
/// `arrow_schema::ffi::FFI_ArrowSchema`.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowSchema {
    pub format: *const c_char,
    pub name: *const c_char,
    pub metadata: *const c_char,
    pub flags: i64,
    pub n_children: i64,
    pub children: *mut *mut ArrowSchema,
    pub dictionary: *mut ArrowSchema,
    pub release: Option<unsafe extern "C" fn(arg1: *mut ArrowSchema)>,
    pub private_data: *mut c_void,
}

/// The Arrow C Data Interface array struct, exactly as the Arrow specification
/// defines it. Layout-compatible with `arrow_data::ffi::FFI_ArrowArray`.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowArray {
    pub length: i64,
    pub null_count: i64,
    pub offset: i64,
    pub n_buffers: i64,
    pub n_children: i64,
    pub buffers: *mut *const c_void,
    pub children: *mut *mut ArrowArray,
    pub dictionary: *mut ArrowArray,
    pub release: Option<unsafe extern "C" fn(arg1: *mut ArrowArray)>,
    pub private_data: *mut c_void,
}

/// A borrowed UTF-8 string: pointer and length, no NUL terminator. Valid only
/// for the duration of the call that received it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IroStr {
    pub ptr: *const u8,
    pub len: usize,
}

impl IroStr {
    /// Borrows `s` (the caller keeps `s` alive while the `IroStr` is used).
    pub const fn new(s: &str) -> Self {
        IroStr {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    /// The empty string.
    pub const EMPTY: IroStr = IroStr {
        ptr: std::ptr::null(),
        len: 0,
    };

    /// The bytes.
    ///
    /// # Safety
    /// `ptr` must be NULL with `len == 0`, or point to `len` readable bytes that
    /// stay valid and unchanged for `'a`.
    pub unsafe fn as_bytes<'a>(&self) -> &'a [u8] {
        if self.ptr.is_null() || self.len == 0 {
            &[]
        } else {
            // SAFETY: non-null and `len` readable bytes valid for 'a, per the
            // caller's contract.
            unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
        }
    }
}

/// Bytes owned by the plugin, handed to the host, and handed back through the
/// vtable's `release` when the host has copied them.
#[repr(C)]
#[derive(Debug)]
pub struct IroBuffer {
    pub ptr: *const u8,
    pub len: usize,
    /// The plugin's own bookkeeping (e.g. the allocation to free).
    pub private_data: *mut c_void,
}

impl IroBuffer {
    /// An empty buffer for the plugin to fill.
    pub const fn empty() -> Self {
        IroBuffer {
            ptr: std::ptr::null(),
            len: 0,
            private_data: std::ptr::null_mut(),
        }
    }
}

/// What the host tells the plugin once, before anything else.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IroHostInfo {
    /// `size_of::<IroHostInfo>()` as the host built it; later minors append.
    pub struct_size: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    /// Threads the plugin may use for its own parallelism (at least 1).
    pub max_threads: u32,
    pub reserved: u32,
    /// E.g. `iro`.
    pub host_name: IroStr,
    /// E.g. `0.1.0`.
    pub host_version: IroStr,
    /// The data contract the host produces, e.g. `903-cohort/1.0`.
    pub data_contract: IroStr,
}

/// One cohort table going in.
#[repr(C)]
#[derive(Debug)]
pub struct IroTable {
    /// The table's name (see [`COHORT_TABLES`]).
    pub name: IroStr,
    /// A struct schema, borrowed for the call.
    pub schema: *const ArrowSchema,
    /// A struct array; the plugin may move it (see the crate docs).
    pub array: *mut ArrowArray,
}

/// The arguments of `compute`.
#[repr(C)]
#[derive(Debug)]
pub struct IroComputeArgs {
    /// `size_of::<IroComputeArgs>()` as the host built it; later minors append.
    pub struct_size: u32,
    /// The collection year to compute (2025 = 1 April 2024 to 31 March 2025).
    pub year: i32,
    /// One of the ids from `list_metrics`.
    pub metric_id: IroStr,
    /// The metric's parameters as a JSON object: declared defaults merged with
    /// `iro.toml`.
    pub params_json: IroStr,
    /// The authority's DfE 3-digit code; every output row must carry it.
    pub la_code: IroStr,
    /// `n_tables` tables, in no guaranteed order: find them by name.
    pub tables: *const IroTable,
    pub n_tables: usize,
}

/// `set_host_info(info)`: called once after loading, before any other entry.
pub type SetHostInfoFn = unsafe extern "C" fn(info: *const IroHostInfo) -> IroStatus;

/// `list_metrics(out)`: fills `out` with a UTF-8 JSON array describing the
/// metrics (see PLUGINS.md, "Metric list").
pub type ListMetricsFn = unsafe extern "C" fn(out: *mut IroBuffer) -> IroStatus;

/// `compute(args, out_schema, out_array)`: computes one metric for one
/// authority and collection year.
pub type ComputeFn = unsafe extern "C" fn(
    args: *const IroComputeArgs,
    out_schema: *mut ArrowSchema,
    out_array: *mut ArrowArray,
) -> IroStatus;

/// `last_error(out)`: fills `out` with the message of the last failed call on
/// this thread (UTF-8, may be empty).
pub type LastErrorFn = unsafe extern "C" fn(out: *mut IroBuffer) -> IroStatus;

/// `release(buf)`: frees a buffer the plugin returned; sets it empty.
pub type ReleaseFn = unsafe extern "C" fn(buf: *mut IroBuffer);

/// `drilldown(args, out_schema, out_array)` (ABI 1.1): the child-level
/// tables behind one metric's figures for one authority and collection year,
/// personal data the host asks for only when the user does. Same arguments,
/// ownership and statuses as `compute`; the output is one table in long form
/// (see [`DRILLDOWN_COLUMNS`]): a row per cell.
pub type DrilldownFn = unsafe extern "C" fn(
    args: *const IroComputeArgs,
    out_schema: *mut ArrowSchema,
    out_array: *mut ArrowArray,
) -> IroStatus;

/// The columns of a `drilldown` output, in order, all non-null: `table`
/// (Utf8, the file-name part: lower-case letters, digits, `-` and `_`),
/// `title` (Utf8), `row` (Int64, from 0 within each table), `column` (Utf8,
/// the column's name; SSDA903 field names where the column is one, e.g.
/// `CHILD`) and `value` (Utf8). A table's columns are in the order they first
/// appear; a cell not given is empty.
pub const DRILLDOWN_COLUMNS: [&str; 5] = ["table", "title", "row", "column", "value"];

/// The functions. Later minor versions append entries at the end; a NULL entry
/// is "not provided".
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IroPluginVTable {
    pub set_host_info: Option<SetHostInfoFn>,
    pub list_metrics: Option<ListMetricsFn>,
    pub compute: Option<ComputeFn>,
    pub last_error: Option<LastErrorFn>,
    pub release: Option<ReleaseFn>,
    /// ABI 1.1; `None` (or a 1.0 descriptor): the plugin has no drill-downs.
    pub drilldown: Option<DrilldownFn>,
}

/// The first 16 bytes of every descriptor, in every ABI major version.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IroDescriptorHeader {
    /// [`MAGIC`].
    pub magic: [u8; 8],
    pub abi_major: u16,
    pub abi_minor: u16,
    /// `size_of::<IroPluginDescriptor>()` as the plugin built it.
    pub descriptor_size: u32,
}

/// What [`DESCRIPTOR_SYMBOL`] returns a pointer to. It must be static: the host
/// reads it once after loading and never frees it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IroPluginDescriptor {
    pub header: IroDescriptorHeader,
    /// NUL-terminated data contract, e.g. `903-cohort/1.0`.
    pub data_contract: *const c_char,
    /// NUL-terminated version of the SDK that built the plugin (may be empty).
    pub sdk_version: *const c_char,
    /// NUL-terminated plugin name, e.g. `example-cdylib`.
    pub plugin_name: *const c_char,
    /// NUL-terminated plugin version, e.g. `0.1.0`.
    pub plugin_version: *const c_char,
    /// 1 when built with `panic = "unwind"` (panics can be caught and turned
    /// into [`status::PANIC`]); 0 with `panic = "abort"`. The host refuses to
    /// load a 0 in-process.
    pub panic_unwind: u8,
    /// 1 when `compute` may be called from several threads at once.
    pub thread_safe: u8,
    /// Zero.
    pub reserved: [u8; 6],
    pub vtable: IroPluginVTable,
}

// SAFETY: the descriptor is immutable after construction and its pointers
// refer to static, immutable NUL-terminated strings and to `extern "C"`
// functions, so sharing it between threads cannot cause a data race.
unsafe impl Sync for IroPluginDescriptor {}
// SAFETY: as above; the pointers are to static data, valid on every thread.
unsafe impl Send for IroPluginDescriptor {}

/// Size of an ABI 1.0 descriptor (up to the vtable's `release`): the least
/// `descriptor_size` a 1.x plugin may declare.
pub const DESCRIPTOR_SIZE_V1_0: u32 = (std::mem::offset_of!(IroPluginDescriptor, vtable)
    + std::mem::offset_of!(IroPluginVTable, drilldown))
    as u32;

/// Size of an ABI 1.1 descriptor (with the vtable's `drilldown`).
pub const DESCRIPTOR_SIZE_V1_1: u32 = std::mem::size_of::<IroPluginDescriptor>() as u32;

/// The type of the exported symbol.
pub type DescriptorFn = unsafe extern "C" fn() -> *const IroPluginDescriptor;

/// Parses `"903-cohort/1.0"` into `("903-cohort", 1, 0)`.
pub fn parse_contract(s: &str) -> Option<(&str, u16, u16)> {
    let (name, ver) = s.split_once('/')?;
    let (major, minor) = ver.split_once('.')?;
    Some((name, major.parse().ok()?, minor.parse().ok()?))
}

/// Whether a host producing `host` can serve a plugin built for `plugin`:
/// same name and major, and the plugin's minor no greater than the host's.
pub fn contract_compatible(host: &str, plugin: &str) -> bool {
    match (parse_contract(host), parse_contract(plugin)) {
        (Some((hn, hmaj, hmin)), Some((pn, pmaj, pmin))) => {
            hn == pn && hmaj == pmaj && pmin <= hmin
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// The data contract, as data: both the SDK (reading) and the host (writing,
// validating) build their Arrow schemas from these lists, and PLUGINS.md
// documents them.
// ---------------------------------------------------------------------------

/// A column type in the data contract (Arrow logical types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Arrow `Utf8` (codes, identifiers, labels).
    Utf8,
    /// Arrow `Int32` (years).
    Int32,
    /// Arrow `UInt32` (row indices).
    UInt32,
    /// Arrow `Int64` (counts).
    Int64,
    /// Arrow `Float64` (figures).
    Float64,
    /// Arrow `Boolean`.
    Boolean,
    /// Arrow `Date32` (days since 1970-01-01).
    Date32,
}

impl ColumnType {
    /// The Arrow C Data Interface format string.
    pub fn format(self) -> &'static str {
        match self {
            ColumnType::Utf8 => "u",
            ColumnType::Int32 => "i",
            ColumnType::UInt32 => "I",
            ColumnType::Int64 => "l",
            ColumnType::Float64 => "g",
            ColumnType::Boolean => "b",
            ColumnType::Date32 => "tdD",
        }
    }

    /// A name for documentation.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Utf8 => "Utf8",
            ColumnType::Int32 => "Int32",
            ColumnType::UInt32 => "UInt32",
            ColumnType::Int64 => "Int64",
            ColumnType::Float64 => "Float64",
            ColumnType::Boolean => "Boolean",
            ColumnType::Date32 => "Date32",
        }
    }
}

/// One column of a contracted table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub ty: ColumnType,
    pub nullable: bool,
    pub doc: &'static str,
}

/// One contracted input table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSpec {
    pub name: &'static str,
    pub doc: &'static str,
    /// The contract minor version that introduced the table.
    pub since_minor: u16,
    pub columns: &'static [ColumnSpec],
}

const fn col(name: &'static str, ty: ColumnType, nullable: bool, doc: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        nullable,
        doc,
    }
}

use ColumnType::{Boolean, Date32, Float64, Int32, Int64, UInt32, Utf8};

const CHILD_IDX: ColumnSpec = col("CHILD_IDX", UInt32, false, "row of the child in `children`");
const CHILD: ColumnSpec = col(
    "CHILD",
    Utf8,
    false,
    "the authority's CHILD identifier, as written",
);
const YEAR: ColumnSpec = col(
    "YEAR",
    Int32,
    false,
    "collection year of the return the row was taken from",
);

/// Name of the children table.
pub const CHILDREN: &str = "children";
/// Name of the episodes table.
pub const EPISODES: &str = "episodes";
/// Name of the reviews table.
pub const REVIEWS: &str = "reviews";
/// Name of the periods-of-care table.
pub const PERIODS_OF_CARE: &str = "periods_of_care";
/// Name of the placements table.
pub const PLACEMENTS: &str = "placements";
/// Name of the missing table.
pub const MISSING: &str = "missing";
/// Name of the social-worker episodes table.
pub const SW_EPISODES: &str = "sw_episodes";
/// Name of the table saying which SSDA903 tables were supplied for which year.
pub const SUPPLIED: &str = "supplied";
/// Name of the authority's child population table (contract 1.1).
pub const POPULATION: &str = "population";

/// The cohort tables of data contract 1.1 (each says the minor that added it). Every table but `children` and
/// `supplied` is sorted by `CHILD_IDX` and then by its start date.
pub const COHORT_TABLES: &[TableSpec] = &[
    TableSpec {
        name: CHILDREN,
        doc: "One row per child (Header and UASC merged across years, the latest return wins); row i is CHILD_IDX i.",
        since_minor: 0,
        columns: &[
            CHILD,
            col(
                "SEX",
                Utf8,
                true,
                "M, F or U (2024-25 coding; 1/2 are recoded)",
            ),
            col("DOB", Date32, true, "date of birth"),
            col("ETHNIC", Utf8, true, "ethnicity code, e.g. WBRI"),
            col("MOTHER", Boolean, true, "the child is a mother"),
            col(
                "MC_DOB",
                Date32,
                true,
                "date of birth of the child's first child",
            ),
            col(
                "UASC",
                Boolean,
                false,
                "the child has a UASC row (was unaccompanied asylum-seeking)",
            ),
            col("DUC", Date32, true, "date UASC status ceased"),
            col(
                "HEADER_YEAR",
                Int32,
                true,
                "latest collection year whose Header held the child",
            ),
        ],
    },
    TableSpec {
        name: EPISODES,
        doc: "SSDA903 Episodes, every year loaded, de-duplicated across returns.",
        since_minor: 0,
        columns: &[
            CHILD_IDX,
            CHILD,
            col("DECOM", Date32, false, "date episode commenced"),
            col(
                "RNE",
                Utf8,
                false,
                "reason for new episode (S, L, P, T, U, B)",
            ),
            col("LS", Utf8, false, "legal status (C1, C2, V2, V3, V4, ...)"),
            col("CIN", Utf8, true, "category of need (N1-N8)"),
            col(
                "PLACE",
                Utf8,
                true,
                "placement type (e.g. U1-U6, R1, K2, Z1)",
            ),
            col("PLACE_PROVIDER", Utf8, true, "placement provider (PR0-PR5)"),
            col("DEC", Date32, true, "date episode ceased; null while open"),
            col("REC", Utf8, true, "reason episode ceased (X1, E11, ...)"),
            col(
                "REASON_PLACE_CHANGE",
                Utf8,
                true,
                "reason for placement change",
            ),
            col(
                "HOME_POST",
                Utf8,
                true,
                "home postcode, normalised (e.g. BA1 1AA)",
            ),
            col("PL_POST", Utf8, true, "placement postcode, normalised"),
            col("URN", Utf8, true, "Ofsted URN of the placement"),
            YEAR,
        ],
    },
    TableSpec {
        name: REVIEWS,
        doc: "SSDA903 Reviews: one row per statutory review held.",
        since_minor: 0,
        columns: &[
            CHILD_IDX,
            CHILD,
            col("REVIEW", Date32, false, "date of the review"),
            col("REVIEW_CODE", Utf8, true, "participation code PN0-PN7"),
            YEAR,
        ],
    },
    TableSpec {
        name: PERIODS_OF_CARE,
        doc: "Derived: continuous periods of care (S episode to the first ceasing with REC other than X1).",
        since_minor: 0,
        columns: &[
            CHILD_IDX,
            CHILD,
            col(
                "POC_START",
                Date32,
                false,
                "DECOM of the first episode held",
            ),
            col(
                "START_KNOWN",
                Boolean,
                false,
                "the first episode held is RNE = S (else the data begin part way through)",
            ),
            col(
                "POC_END",
                Date32,
                true,
                "DEC of the last episode; null while open",
            ),
            col("REC", Utf8, true, "reason the period ended"),
            col(
                "SHORT_BREAK",
                Boolean,
                false,
                "every episode is a short break (V3/V4)",
            ),
            col(
                "BROKEN_CHAIN",
                Boolean,
                false,
                "ended with X1 but nothing follows",
            ),
            col(
                "FIRST_EPISODE",
                UInt32,
                false,
                "row in `episodes` of the first episode",
            ),
            col("N_EPISODES", UInt32, false, "number of episodes"),
        ],
    },
    TableSpec {
        name: PLACEMENTS,
        doc: "Derived: placements (runs of episodes with the same carer and placement).",
        since_minor: 0,
        columns: &[
            CHILD_IDX,
            CHILD,
            col("POC_INDEX", UInt32, false, "row in `periods_of_care`"),
            col("PL_START", Date32, false, "start date"),
            col("PL_END", Date32, true, "end date; null while open"),
            col(
                "START_REASON",
                Utf8,
                false,
                "entry, new_carer or same_carer",
            ),
            col("PLACE", Utf8, true, "placement type"),
            col("PLACE_PROVIDER", Utf8, true, "placement provider"),
            col("HOME_POST", Utf8, true, "home postcode"),
            col("PL_POST", Utf8, true, "placement postcode"),
            col(
                "FIRST_EPISODE",
                UInt32,
                false,
                "row in `episodes` of the first episode",
            ),
            col("N_EPISODES", UInt32, false, "number of episodes"),
        ],
    },
    TableSpec {
        name: MISSING,
        doc: "SSDA903 Missing: spells missing from care (M) or away without authorisation (A).",
        since_minor: 0,
        columns: &[
            CHILD_IDX,
            CHILD,
            col(
                "MISSING",
                Utf8,
                false,
                "M (missing) or A (away without authorisation)",
            ),
            col("MIS_START", Date32, false, "start of the spell"),
            col(
                "MIS_END",
                Date32,
                true,
                "end of the spell; null if not recorded",
            ),
            YEAR,
        ],
    },
    TableSpec {
        name: SW_EPISODES,
        doc: "SSDA903 SWEpisodes (from 2023-24): social-worker allocations.",
        since_minor: 0,
        columns: &[
            CHILD_IDX,
            CHILD,
            col("SW_ID", Utf8, false, "social worker identifier"),
            col("SW_DECOM", Date32, false, "allocation start"),
            col("SW_DEC", Date32, true, "allocation end; null while open"),
            col(
                "SW_REASON",
                Utf8,
                true,
                "reason the allocation ended (MANAGE, FCONTA, ...)",
            ),
            YEAR,
        ],
    },
    TableSpec {
        name: SUPPLIED,
        doc: "Which SSDA903 tables were supplied for which collection year. A metric whose table is missing for the year is not computable, never zero.",
        since_minor: 0,
        columns: &[
            col("YEAR", Int32, false, "collection year"),
            col(
                "TABLE",
                Utf8,
                false,
                "DfE table name: Header, Episodes, Reviews, UASC, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing, SWEpisodes",
            ),
        ],
    },
    TableSpec {
        name: POPULATION,
        doc: "(Since 1.1.) The authority's children aged 0 to 17, the denominator of the built-in rates per 10,000: for each collection year loaded, the ONS mid-year estimate the DfE uses for it (mid-year YEAR - 1: for 31 March 2025, mid-2024). No row for a year whose estimate iro's reference data lack, or when the code is not a current authority that year: a rate for that year is not computable.",
        since_minor: 1,
        columns: &[
            col("YEAR", Int32, false, "collection year"),
            col("MID_YEAR", Int32, false, "the ONS mid-year estimate's year"),
            col(
                "CHILDREN",
                Int64,
                false,
                "children aged 0 to 17 living in the authority",
            ),
        ],
    },
];

/// The output table every plugin returns, in this column order, with these
/// types and nullability exactly.
pub const OUTPUT_COLUMNS: &[ColumnSpec] = &[
    col(
        column::LA_CODE,
        Utf8,
        false,
        "the authority computed (the cohort's DfE code)",
    ),
    col(column::YEAR, Int32, false, "the collection year computed"),
    col(column::PERIOD, Utf8, false, "year, Q1, Q2, Q3, Q4 or 31-03"),
    col(
        column::METRIC,
        Utf8,
        false,
        "`<metric id>.<measure id>`, a declared measure",
    ),
    col(
        column::BREAKDOWN,
        Utf8,
        false,
        "empty, or key=value[;key=value]",
    ),
    col(column::NUMERATOR, Int64, true, "a count (never negative)"),
    col(
        column::DENOMINATOR,
        Int64,
        true,
        "a count or population (never negative; for percent, >= numerator)",
    ),
    col(column::VALUE, Float64, true, "the figure; finite"),
    col(column::UNIT, Utf8, false, "the measure's declared unit"),
    col(column::NOTE, Utf8, false, "method flags, or empty"),
];

/// The `period` labels a row may carry (`iro_vocabulary::Period`'s).
pub const PERIODS: &[&str] = &Period::LABELS;

/// The `unit` labels a measure may declare (`iro_vocabulary::Unit`'s).
pub const UNITS: &[&str] = &Unit::LABELS;

/// The spec of a cohort table by name.
pub fn table_spec(name: &str) -> Option<&'static TableSpec> {
    COHORT_TABLES.iter().find(|t| t.name == name)
}

fn columns_markdown(out: &mut String, columns: &[ColumnSpec]) {
    out.push_str("| Column | Type | Nulls | Meaning |\n|---|---|---|---|\n");
    for c in columns {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.name,
            c.ty.name(),
            if c.nullable { "yes" } else { "no" },
            c.doc
        ));
    }
}

/// The data contract as Markdown (the tables of PLUGINS.md, which a test
/// keeps in step with these lists).
pub fn contract_markdown() -> String {
    let mut out = String::new();
    for t in COHORT_TABLES {
        out.push_str(&format!("#### `{}`\n\n{}\n\n", t.name, t.doc));
        columns_markdown(&mut out, t.columns);
        out.push('\n');
    }
    out.push_str("#### Output\n\n");
    columns_markdown(&mut out, OUTPUT_COLUMNS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_a_frozen_prefix() {
        assert_eq!(std::mem::size_of::<IroDescriptorHeader>(), 16);
        assert_eq!(std::mem::offset_of!(IroPluginDescriptor, header), 0);
        assert_eq!(std::mem::offset_of!(IroPluginDescriptor, data_contract), 16);
        // The vtable is last, so later minors can append to it.
        assert_eq!(
            std::mem::offset_of!(IroPluginDescriptor, vtable)
                + std::mem::size_of::<IroPluginVTable>(),
            std::mem::size_of::<IroPluginDescriptor>()
        );
    }

    /// The layout PLUGINS.md and include/iro_plugin.h document (64-bit).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn documented_layout() {
        use std::mem::{offset_of, size_of};
        assert_eq!(size_of::<IroPluginDescriptor>(), 104);
        assert_eq!(DESCRIPTOR_SIZE_V1_0, 96);
        assert_eq!(DESCRIPTOR_SIZE_V1_1, 104);
        assert_eq!(offset_of!(IroPluginDescriptor, panic_unwind), 48);
        assert_eq!(offset_of!(IroPluginDescriptor, vtable), 56);
        assert_eq!(size_of::<IroHostInfo>(), 64);
        assert_eq!(offset_of!(IroHostInfo, host_name), 16);
        assert_eq!(size_of::<IroComputeArgs>(), 72);
        assert_eq!(offset_of!(IroComputeArgs, tables), 56);
        assert_eq!(size_of::<IroTable>(), 32);
        assert_eq!(size_of::<IroBuffer>(), 24);
        assert_eq!(size_of::<ArrowSchema>(), 72);
        assert_eq!(size_of::<ArrowArray>(), 80);
    }

    #[test]
    fn contract_versions() {
        assert_eq!(
            parse_contract(DATA_CONTRACT),
            Some(("903-cohort", DATA_CONTRACT_MAJOR, DATA_CONTRACT_MINOR))
        );
        assert!(
            COHORT_TABLES
                .iter()
                .all(|t| t.since_minor <= DATA_CONTRACT_MINOR)
        );
        // A 1.0 plugin still loads in a 1.1 host.
        assert!(contract_compatible(DATA_CONTRACT, "903-cohort/1.0"));
        assert_eq!(
            &DATA_CONTRACT_NUL[..DATA_CONTRACT_NUL.len() - 1],
            DATA_CONTRACT.as_bytes()
        );
        assert!(contract_compatible("903-cohort/1.2", "903-cohort/1.0"));
        assert!(!contract_compatible("903-cohort/1.0", "903-cohort/1.1"));
        assert!(!contract_compatible("903-cohort/1.0", "903-cohort/2.0"));
        assert!(!contract_compatible("903-cohort/1.0", "other/1.0"));
        assert!(!contract_compatible("903-cohort/1.0", "903-cohort"));
    }

    #[test]
    fn tables_have_unique_columns() {
        for t in COHORT_TABLES {
            let mut names: Vec<_> = t.columns.iter().map(|c| c.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), t.columns.len(), "{}", t.name);
        }
        assert_eq!(OUTPUT_COLUMNS.len(), 10);
        let names: Vec<&str> = OUTPUT_COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(names, iro_vocabulary::PLUGIN_OUTPUT_COLUMNS);
        assert_eq!(
            &DESCRIPTOR_SYMBOL_NUL[..DESCRIPTOR_SYMBOL_NUL.len() - 1],
            DESCRIPTOR_SYMBOL.as_bytes()
        );
    }
}
