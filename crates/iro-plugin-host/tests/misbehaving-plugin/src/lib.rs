//! A plugin that misbehaves on purpose, for iro-plugin-host's tests.
//!
//! * **Load-time faults** are chosen by the environment variable
//!   `IRO_TEST_PLUGIN_VARIANT`, read each time the descriptor is asked for:
//!   `wrong-magic`, `wrong-major`, `newer-minor`, `older-contract-major`,
//!   `newer-contract`, `panic-abort` (claims `panic = "abort"`),
//!   `missing-entry` (no `compute`), `small-descriptor`, `null`; and two
//!   good ones of later minors: `minor-1` (ABI 1.1) and `minor-2` (1.2,
//!   whose relations the host reads). Without a variant the plugin is ABI
//!   1.0.
//! * **Run-time faults** are metrics, one per fault: the metric id is the fault
//!   (see [`FAULTS`]). `good` behaves.
//!
//! The shims are written by hand over `iro_plugin_sdk::rt` (as a C author would
//! write them) so that the descriptor can be varied.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema};
use iro_plugin_sdk::abi::{
    self, ArrowArray, ArrowSchema, IroBuffer, IroComputeArgs, IroHostInfo, IroPluginDescriptor,
    IroStatus, status,
};
use iro_plugin_sdk::rt::{self, Registry, RegistryResult};
use iro_plugin_sdk::{
    Context, Error, Metric, MetricInfo, Output, OutputBuilder, Period, Relation, Term, Unit,
};

/// Every metric: its id is the fault it commits.
pub const FAULTS: &[&str] = &[
    "good",
    "error",
    "not-computable",
    "panic",
    "abort",
    "segfault",
    "hang",
    "noisy",
    "calls",
    "no-output",
    "schema-name",
    "schema-type",
    "schema-nullability",
    "schema-extra-column",
    "invalid-arrow",
    "negative-numerator",
    "negative-denominator",
    "numerator-over-denominator",
    "wrong-la",
    "wrong-year",
    "unknown-unit",
    "unit-mismatch",
    "unknown-period",
    "undeclared-measure",
    "bad-breakdown",
    "non-finite-value",
    "related",
];

#[derive(Debug, Clone, Copy)]
struct Fault(&'static str);

/// The good output: `n` = 5 (count), `p` = 2 of 4 (percent).
struct Columns {
    la: Vec<String>,
    year: Vec<i32>,
    period: Vec<&'static str>,
    metric: Vec<String>,
    breakdown: Vec<&'static str>,
    num: Vec<Option<i64>>,
    den: Vec<Option<i64>>,
    value: Vec<Option<f64>>,
    unit: Vec<&'static str>,
    note: Vec<&'static str>,
}

impl Columns {
    fn good(ctx: &Context<'_>, id: &str) -> Columns {
        Columns {
            la: vec![ctx.la_code().to_string(); 2],
            year: vec![ctx.year(); 2],
            period: vec!["year", "31-03"],
            metric: vec![format!("{id}.n"), format!("{id}.p")],
            breakdown: vec!["", "sex=F"],
            num: vec![Some(5), Some(2)],
            den: vec![None, Some(4)],
            value: vec![Some(5.0), Some(50.0)],
            unit: vec!["count", "percent"],
            note: vec!["", ""],
        }
    }

    fn batch(self, fault: &str) -> RecordBatch {
        let mut fields: Vec<Field> = iro_plugin_sdk::schema::output_schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        let mut cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(self.la)),
            Arc::new(Int32Array::from(self.year)),
            Arc::new(StringArray::from(self.period)),
            Arc::new(StringArray::from(self.metric)),
            Arc::new(StringArray::from(self.breakdown)),
            Arc::new(Int64Array::from(self.num)),
            Arc::new(Int64Array::from(self.den)),
            Arc::new(Float64Array::from(self.value)),
            Arc::new(StringArray::from(self.unit)),
            Arc::new(StringArray::from(self.note)),
        ];
        match fault {
            "schema-name" => fields[5] = Field::new("num", DataType::Int64, true),
            "schema-type" => {
                fields[1] = Field::new("year", DataType::Int64, false);
                cols[1] = Arc::new(Int64Array::from(vec![2025_i64, 2025]));
            }
            "schema-nullability" => fields[7] = Field::new("value", DataType::Float64, false),
            "schema-extra-column" => {
                fields.push(Field::new("extra", DataType::Int32, true));
                cols.push(Arc::new(Int32Array::from(vec![1, 2])));
            }
            "invalid-arrow" => {
                // Not UTF-8: only full validation notices.
                let offsets = OffsetBuffer::new(ScalarBuffer::from(vec![0_i32, 1, 2]));
                let values = Buffer::from(vec![0xff_u8, 0xfe]);
                // SAFETY: deliberately invalid UTF-8, for the host to reject;
                // the offsets are in bounds, so building it is memory-safe.
                let bad = unsafe { StringArray::new_unchecked(offsets, values, None) };
                cols[9] = Arc::new(bad);
            }
            _ => {}
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), cols)
            .unwrap_or_else(|e| panic!("building the faulty batch: {e}"))
    }
}

impl Metric for Fault {
    fn info(&self) -> MetricInfo {
        let info = MetricInfo::new(self.0, "A deliberate fault", "0.0.0")
            .measure("n", "a count", Unit::Count, &[])
            .measure("p", "a percentage", Unit::Percent, &["sex"]);
        // `related` declares a relation (ABI 1.2), which the host reads only
        // when the descriptor says 1.2.
        if self.0 == "related" {
            return info.relation(Relation::same(
                Term::den("p").only("sex=F"),
                Term::num("n").total(),
            ));
        }
        info
    }

    fn compute(&self, ctx: &Context<'_>) -> Result<Output, Error> {
        let id = self.0;
        let mut c = Columns::good(ctx, id);
        match id {
            "good" => {
                // The same as the raw columns, through the SDK's builder.
                let mut out: OutputBuilder = ctx.output();
                out.count("n", Period::Year, 5);
                out.percent("p", Period::Snapshot, 2, 4)
                    .breakdown("sex", "F");
                return out.finish();
            }
            "error" => return Err(Error::failed("a deliberate failure")),
            "not-computable" => return Err(Error::not_computable("no such table")),
            "panic" => panic!("a deliberate panic"),
            "negative-numerator" => c.num[0] = Some(-1),
            "negative-denominator" => c.den[1] = Some(-4),
            "numerator-over-denominator" => {
                c.num[1] = Some(441);
                c.den[1] = Some(440);
            }
            "wrong-la" => c.la[1] = "999".into(),
            "wrong-year" => c.year[0] = 1999,
            "unknown-unit" => c.unit[0] = "furlongs",
            "unit-mismatch" => c.unit[1] = "count",
            "unknown-period" => c.period[0] = "Q5",
            "undeclared-measure" => c.metric[0] = format!("{id}.nope"),
            "bad-breakdown" => c.breakdown[1] = "sex",
            "non-finite-value" => c.value[0] = Some(f64::NAN),
            // `n` = how many times this process has computed `calls`: shows
            // whether an isolated worker serves more than one call.
            "calls" => {
                static CALLS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
                let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                c.num[0] = Some(n);
                c.value[0] = Some(n as f64);
            }
            _ => {}
        }
        Ok(Output::from_batch(c.batch(id)))
    }
}

fn registry() -> &'static RegistryResult {
    static R: std::sync::OnceLock<RegistryResult> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        Registry::new(
            FAULTS
                .iter()
                .map(|f| Box::new(Fault(f)) as Box<dyn Metric>)
                .collect(),
        )
    })
}

unsafe extern "C" fn set_host_info(info: *const IroHostInfo) -> IroStatus {
    // SAFETY: forwarded from the host.
    unsafe { rt::set_host_info(info) }
}

unsafe extern "C" fn list_metrics(out: *mut IroBuffer) -> IroStatus {
    // SAFETY: forwarded from the host.
    unsafe { rt::list_metrics(registry, out) }
}

unsafe extern "C" fn compute(
    args: *const IroComputeArgs,
    out_schema: *mut ArrowSchema,
    out_array: *mut ArrowArray,
) -> IroStatus {
    if !args.is_null() {
        // SAFETY: the host passes valid arguments.
        let id = unsafe { (*args).metric_id.as_bytes() };
        match id {
            b"abort" => std::process::abort(),
            b"segfault" => {
                // SAFETY: not safe at all: a deliberate write through NULL so
                // that the process dies of SIGSEGV (isolated tests only).
                unsafe { std::ptr::null_mut::<u64>().write_volatile(1) };
            }
            b"no-output" => return status::OK,
            // Never answers (isolated tests with a short timeout only).
            b"hang" => loop {
                std::thread::sleep(std::time::Duration::from_secs(60));
            },
            // Writes on stdout, which an isolated worker also answers on,
            // and on stderr (shown with `iro -v`), before answering well.
            b"noisy" => {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(b"\0IRO-WORKER\0 not the marker; some noise\n");
                let _ = out.flush();
                eprintln!("noise on stderr, line 1");
                eprintln!("noise on stderr, line 2");
            }
            _ => {}
        }
    }
    // SAFETY: forwarded from the host.
    unsafe { rt::compute(registry, args, out_schema, out_array) }
}

unsafe extern "C" fn last_error(out: *mut IroBuffer) -> IroStatus {
    // SAFETY: forwarded from the host.
    unsafe { rt::last_error(out) }
}

unsafe extern "C" fn release(buf: *mut IroBuffer) {
    // SAFETY: forwarded from the host.
    unsafe { rt::release(buf) }
}

const fn descriptor(
    magic: [u8; 8],
    major: u16,
    minor: u16,
    size: u32,
    contract: &'static [u8],
    panic_unwind: u8,
    has_compute: bool,
) -> IroPluginDescriptor {
    IroPluginDescriptor {
        header: abi::IroDescriptorHeader {
            magic,
            abi_major: major,
            abi_minor: minor,
            descriptor_size: size,
        },
        data_contract: contract.as_ptr().cast(),
        sdk_version: rt::SDK_VERSION_NUL.as_ptr().cast(),
        plugin_name: c"misbehaving-plugin".as_ptr(),
        plugin_version: c"0.0.0".as_ptr(),
        panic_unwind,
        thread_safe: 1,
        reserved: [0; 6],
        vtable: abi::IroPluginVTable {
            set_host_info: Some(set_host_info),
            list_metrics: Some(list_metrics),
            compute: if has_compute { Some(compute) } else { None },
            last_error: Some(last_error),
            release: Some(release),
            // Not part of a 1.0 descriptor (`SIZE` stops before it).
            drilldown: None,
        },
    }
}

const SIZE: u32 = abi::DESCRIPTOR_SIZE_V1_0;
const MAJOR: u16 = abi::ABI_MAJOR;
/// A 1.0 plugin (no drill-downs), which a 1.1 host still loads.
const MINOR: u16 = 0;
/// Data contract 1.0 (no `population` table), which a 1.1 host still serves.
const CONTRACT: &[u8] = b"903-cohort/1.0\0";

static GOOD: IroPluginDescriptor = descriptor(abi::MAGIC, MAJOR, MINOR, SIZE, CONTRACT, 1, true);
static WRONG_MAGIC: IroPluginDescriptor =
    descriptor(*b"NOTIRO\0\0", MAJOR, MINOR, SIZE, CONTRACT, 1, true);
static WRONG_MAJOR: IroPluginDescriptor =
    descriptor(abi::MAGIC, MAJOR + 1, 0, SIZE, CONTRACT, 1, true);
static NEWER_MINOR: IroPluginDescriptor = descriptor(
    abi::MAGIC,
    MAJOR,
    abi::ABI_MINOR + 1,
    SIZE,
    CONTRACT,
    1,
    true,
);
static OLDER_CONTRACT_MAJOR: IroPluginDescriptor =
    descriptor(abi::MAGIC, MAJOR, MINOR, SIZE, b"903-cohort/0.9\0", 1, true);
static NEWER_CONTRACT: IroPluginDescriptor = descriptor(
    abi::MAGIC,
    MAJOR,
    MINOR,
    SIZE,
    b"903-cohort/1.99\0",
    1,
    true,
);
static PANIC_ABORT: IroPluginDescriptor =
    descriptor(abi::MAGIC, MAJOR, MINOR, SIZE, CONTRACT, 0, true);
static MISSING_ENTRY: IroPluginDescriptor =
    descriptor(abi::MAGIC, MAJOR, MINOR, SIZE, CONTRACT, 1, false);
static SMALL_DESCRIPTOR: IroPluginDescriptor =
    descriptor(abi::MAGIC, MAJOR, MINOR, 16, CONTRACT, 1, true);
/// Good, of ABI 1.1 (the descriptor's size, with no drill-down entry).
static MINOR_1: IroPluginDescriptor = descriptor(
    abi::MAGIC,
    MAJOR,
    1,
    abi::DESCRIPTOR_SIZE_V1_1,
    CONTRACT,
    1,
    true,
);
/// Good, of ABI 1.2: its metric list's relations are read.
static MINOR_2: IroPluginDescriptor = descriptor(
    abi::MAGIC,
    MAJOR,
    abi::RELATIONS_SINCE_MINOR,
    abi::DESCRIPTOR_SIZE_V1_1,
    CONTRACT,
    1,
    true,
);

/// The descriptor, varied by `IRO_TEST_PLUGIN_VARIANT`.
#[unsafe(no_mangle)]
pub extern "C" fn iro_plugin_descriptor() -> *const IroPluginDescriptor {
    match std::env::var("IRO_TEST_PLUGIN_VARIANT").as_deref() {
        Ok("wrong-magic") => &WRONG_MAGIC,
        Ok("wrong-major") => &WRONG_MAJOR,
        Ok("newer-minor") => &NEWER_MINOR,
        Ok("older-contract-major") => &OLDER_CONTRACT_MAJOR,
        Ok("newer-contract") => &NEWER_CONTRACT,
        Ok("panic-abort") => &PANIC_ABORT,
        Ok("missing-entry") => &MISSING_ENTRY,
        Ok("small-descriptor") => &SMALL_DESCRIPTOR,
        Ok("null") => std::ptr::null(),
        Ok("minor-1") => &MINOR_1,
        Ok("minor-2") => &MINOR_2,
        _ => &GOOD,
    }
}
