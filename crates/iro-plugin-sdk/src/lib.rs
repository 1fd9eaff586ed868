//! # iro-plugin-sdk
//!
//! Everything needed to write a run-time metric plugin for IRO Analytics: a
//! shared library (`crate-type = ["cdylib"]`) that `iro` loads from a path in
//! `iro.toml` and calls through the C interface of `iro-plugin-abi`.
//!
//! 1. Implement [`Metric`] for each metric: [`Metric::info`] says what it is
//!    (id, measures, units, parameters, tables it needs) and
//!    [`Metric::compute`] reads a [`CohortView`] and returns an [`Output`]
//!    built with [`OutputBuilder`].
//! 2. Call [`export_plugin!`] once at the crate root. It generates the C entry
//!    points; each runs inside `catch_unwind`, so a panic becomes an error for
//!    that metric (the host reports it and carries on) instead of aborting the
//!    process — as long as the plugin is built with `panic = "unwind"` (the
//!    default; the host refuses to load a `panic = "abort"` build in-process).
//! 3. Declare how the figures relate ([`MetricInfo::relation`],
//!    [`relation`]): wherever one count is shown twice (a share's numerator
//!    and a count) or measures add up, so that `iro` hides enough of them
//!    that no small count can be worked out.
//! 4. Test with [`testing`]: build a [`testing::Fixture`] cohort and call
//!    [`testing::run`], which goes through the same C entry points the host
//!    uses and checks the rows with the host's own checks ([`validate`]).
//!
//! Write no date or cohort rule of your own: [`domain`] and the views'
//! helpers are the built-in metrics' code (`iro-domain`): children looked
//! after on a date ([`CohortView::looked_after_on`]) or during a period, age
//! and DfE age band ([`cohort::ChildRow::age_band_on`]), UASC on a date,
//! legal-status and placement groups, quarters ([`Context::quarter_of`],
//! [`Context::periods_of`]), working days ([`Context::calendar`]) and the
//! under-18 population for a rate per 10,000
//! ([`CohortView::population`], [`OutputBuilder::per_10000_children`]).
//! `use iro_plugin_sdk::prelude::*;` brings them with chrono's `Datelike`.
//!
//! The plugin never suppresses small numbers (the host does, centrally), never
//! does IO and never prints. A metric whose tables are missing for the year
//! returns [`Error::NotComputable`] (the SDK does this for you for the tables
//! listed in [`MetricInfo::requires`]).
//!
//! ```ignore
//! use iro_plugin_sdk::prelude::*;
//!
//! struct CountChildren;
//!
//! impl Metric for CountChildren {
//!     fn info(&self) -> MetricInfo {
//!         MetricInfo::new("count-children", "Children in the data", "1.0.0")
//!             .requires(&["Header"])
//!             .measure("children", "Children", Unit::Count, &[])
//!     }
//!     fn compute(&self, ctx: &Context<'_>) -> Result<Output, Error> {
//!         let n = ctx.cohort.children()?.len() as u64;
//!         let mut out = ctx.output();
//!         out.count("children", Period::Year, n);
//!         out.finish()
//!     }
//! }
//!
//! iro_plugin_sdk::export_plugin! {
//!     name: "count-children",
//!     version: env!("CARGO_PKG_VERSION"),
//!     metrics: [CountChildren],
//! }
//! ```

pub mod client;
pub mod cohort;
pub mod domain;
pub mod drilldown;
mod error;
pub mod ffi;
mod info;
pub mod output;
pub mod relation;
#[doc(hidden)]
pub mod rt;
pub mod schema;
pub mod testing;
pub mod validate;

/// Arrow's arrays and schemas, at the versions the SDK (and `iro`) were
/// built with: a table from [`CohortView::table`] or for
/// [`Output::from_batch`] is of these types.
pub use arrow_array;
pub use arrow_schema;
/// chrono, at the version the SDK was built with (`Datelike` for a date's
/// year, month and day; `NaiveDate` is re-exported at the root).
pub use chrono;
pub use chrono::NaiveDate;
pub use cohort::{CohortView, LookedAfter, Population};
pub use drilldown::Drilldown;
pub use error::Error;
pub use info::{MeasureInfo, MetricInfo, ParamInfo, is_id};
/// The C interface, re-exported for the macro and for authors who want it.
pub use iro_plugin_abi as abi;
/// A measure's unit and a row's period: the built-in metrics' own types
/// (`iro-vocabulary`), with the text forms of `abi::UNITS` and `abi::PERIODS`.
pub use iro_vocabulary::{Period, Unit};
pub use output::{OutRow, Output, OutputBuilder, OutputRow};
pub use relation::{Cells, Field, Relation, Term};
pub use serde_json;
pub use validate::RowError;

/// What most plugins need, in one `use iro_plugin_sdk::prelude::*;`: the
/// metric trait and its context, the output, relations, the domain's types
/// and rules ([`domain`]) and chrono's `NaiveDate` and `Datelike`.
pub mod prelude {
    pub use crate::chrono::{Datelike, NaiveDate};
    pub use crate::domain::{
        AgeBand, CollectionYear, LegalStatus, LegalStatusGroup, PlacementGroup, PlacementType,
        Quarter, quarter_period,
    };
    pub use crate::{
        Cells, CohortView, Context, Drilldown, Error, Field, LookedAfter, Metric, MetricInfo,
        Output, OutputBuilder, Period, Population, Relation, Term, Unit,
    };
}

/// A metric's parameters: its declared defaults merged with `iro.toml`.
pub type Params = serde_json::Map<String, serde_json::Value>;

/// The SDK's version, written into every descriptor.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A metric in a plugin. Must be deterministic: the same cohort and parameters
/// give the same table, whatever the thread.
pub trait Metric: Send + Sync + 'static {
    /// What the metric is. Called once, when the host lists the metrics.
    fn info(&self) -> MetricInfo;

    /// The table for one authority and collection year.
    fn compute(&self, ctx: &Context<'_>) -> Result<Output, Error>;

    /// The child-level tables behind the figures for one authority and
    /// collection year (ABI 1.1): lists an analyst asks for to check or
    /// correct records, e.g. the children counted as missing. Personal data:
    /// the host asks for them only when the user does (`iro run --personal`)
    /// and writes them apart, marked as such. Most metrics have none.
    fn drilldown(&self, _ctx: &Context<'_>) -> Result<Vec<Drilldown>, Error> {
        Ok(Vec::new())
    }
}

/// What the host said about itself (`set_host_info`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInfo {
    pub host_name: String,
    pub host_version: String,
    pub abi_major: u16,
    pub abi_minor: u16,
    /// Threads the plugin may use for its own parallelism.
    pub max_threads: u32,
    pub data_contract: String,
}

impl Default for HostInfo {
    fn default() -> Self {
        HostInfo {
            host_name: "unknown".into(),
            host_version: String::new(),
            abi_major: abi::ABI_MAJOR,
            abi_minor: abi::ABI_MINOR,
            max_threads: 1,
            data_contract: abi::DATA_CONTRACT.into(),
        }
    }
}

/// Everything a metric may read for one computation.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The metric's own description (as [`Metric::info`] returned it).
    pub info: &'a MetricInfo,
    pub cohort: &'a CohortView,
    /// Resolved parameters: the declared defaults merged with `iro.toml`.
    pub params: &'a Params,
    pub host: &'a HostInfo,
}

impl Context<'_> {
    /// The authority's DfE 3-digit code.
    pub fn la_code(&self) -> &str {
        self.cohort.la_code()
    }

    /// The collection year computed (2025 = 1 April 2024 to 31 March 2025).
    pub fn year(&self) -> i32 {
        self.cohort.year()
    }

    /// Whether `date` falls in the collection year computed.
    pub fn in_year(&self, date: NaiveDate) -> bool {
        self.cohort.in_year(date)
    }

    /// The collection year computed, typed (its start, end, quarters, label).
    pub fn collection_year(&self) -> domain::CollectionYear {
        self.cohort.collection_year()
    }

    /// The quarter of the collection year computed that `date` falls in
    /// (Q1 April–June … Q4 January–March); `None` outside the year.
    pub fn quarter_of(&self, date: NaiveDate) -> Option<domain::Quarter> {
        self.collection_year().quarter_of(date)
    }

    /// The flow periods an event on `date` counts in: the year and its
    /// quarter ([`Period::Year`], then `Q1`…`Q4`), or none outside the year
    /// (the built-in metrics' `FLOWS`).
    pub fn periods_of(&self, date: NaiveDate) -> impl Iterator<Item = Period> + use<> {
        let q = self.quarter_of(date);
        q.map(|_| Period::Year)
            .into_iter()
            .chain(q.map(domain::quarter_period))
    }

    /// The England and Wales working-day calendar, the built-in metrics'
    /// (`working_days_between`, `add_working_days`, `is_working_day`…).
    pub fn calendar(&self) -> &'static domain::WorkingDayCalendar {
        domain::calendar()
    }

    /// A builder for this metric's output, with LA, year and units filled in.
    pub fn output(&self) -> OutputBuilder {
        OutputBuilder::new(self.la_code(), self.year(), self.info)
    }

    fn param(&self, name: &str) -> Result<&serde_json::Value, Error> {
        self.params
            .get(name)
            .ok_or_else(|| Error::invalid_input(format!("no parameter `{name}`")))
    }

    /// A parameter as a number.
    pub fn param_f64(&self, name: &str) -> Result<f64, Error> {
        self.param(name)?
            .as_f64()
            .ok_or_else(|| Error::invalid_input(format!("parameter `{name}`: expected a number")))
    }

    /// A parameter as a whole number.
    pub fn param_i64(&self, name: &str) -> Result<i64, Error> {
        self.param(name)?.as_i64().ok_or_else(|| {
            Error::invalid_input(format!("parameter `{name}`: expected a whole number"))
        })
    }

    /// A parameter as true or false.
    pub fn param_bool(&self, name: &str) -> Result<bool, Error> {
        self.param(name)?.as_bool().ok_or_else(|| {
            Error::invalid_input(format!("parameter `{name}`: expected true or false"))
        })
    }

    /// A parameter as a string.
    pub fn param_str(&self, name: &str) -> Result<&str, Error> {
        self.param(name)?
            .as_str()
            .ok_or_else(|| Error::invalid_input(format!("parameter `{name}`: expected a string")))
    }
}

/// Declared defaults overridden by `given`; an unknown name is an error.
pub fn resolve_params(info: &MetricInfo, given: &Params) -> Result<Params, Error> {
    let mut out = Params::new();
    for p in &info.params {
        out.insert(p.name.clone(), p.default.clone());
    }
    for (k, v) in given {
        if !out.contains_key(k) {
            return Err(Error::invalid_input(format!(
                "`{}` has no parameter `{k}`",
                info.id
            )));
        }
        out.insert(k.clone(), v.clone());
    }
    Ok(out)
}

/// Generates the plugin's C entry points and its descriptor symbol
/// (`iro_plugin_descriptor`). Call it once, at the crate root:
///
/// ```ignore
/// iro_plugin_sdk::export_plugin! {
///     name: "my-plugin",                    // a string literal or env!(..)
///     version: env!("CARGO_PKG_VERSION"),
///     metrics: [MyMetric, MyOtherMetric::default()],
///     // thread_safe: false,                // optional; default true
/// }
/// ```
///
/// Every entry point runs its body inside `catch_unwind`: a panic is turned
/// into the `PANIC` status, with its message (and location) for `last_error`.
#[macro_export]
macro_rules! export_plugin {
    (
        name: $name:expr,
        version: $version:expr,
        metrics: [ $($metric:expr),* $(,)? ]
        $(, thread_safe: $thread_safe:expr)?
        $(,)?
    ) => {
        #[doc(hidden)]
        fn __iro_plugin_registry() -> &'static $crate::rt::RegistryResult {
            static REGISTRY: ::std::sync::OnceLock<$crate::rt::RegistryResult> =
                ::std::sync::OnceLock::new();
            REGISTRY.get_or_init(|| {
                $crate::rt::Registry::new(::std::vec![
                    $( ::std::boxed::Box::new($metric) as ::std::boxed::Box<dyn $crate::Metric> ),*
                ])
            })
        }

        #[doc(hidden)]
        unsafe extern "C" fn __iro_plugin_set_host_info(
            info: *const $crate::abi::IroHostInfo,
        ) -> $crate::abi::IroStatus {
            // SAFETY: the host passes a valid pointer, per the ABI.
            unsafe { $crate::rt::set_host_info(info) }
        }

        #[doc(hidden)]
        unsafe extern "C" fn __iro_plugin_list_metrics(
            out: *mut $crate::abi::IroBuffer,
        ) -> $crate::abi::IroStatus {
            // SAFETY: the host passes a valid pointer, per the ABI.
            unsafe { $crate::rt::list_metrics(__iro_plugin_registry, out) }
        }

        #[doc(hidden)]
        unsafe extern "C" fn __iro_plugin_compute(
            args: *const $crate::abi::IroComputeArgs,
            out_schema: *mut $crate::abi::ArrowSchema,
            out_array: *mut $crate::abi::ArrowArray,
        ) -> $crate::abi::IroStatus {
            // SAFETY: the host passes valid pointers, per the ABI.
            unsafe { $crate::rt::compute(__iro_plugin_registry, args, out_schema, out_array) }
        }

        #[doc(hidden)]
        unsafe extern "C" fn __iro_plugin_drilldown(
            args: *const $crate::abi::IroComputeArgs,
            out_schema: *mut $crate::abi::ArrowSchema,
            out_array: *mut $crate::abi::ArrowArray,
        ) -> $crate::abi::IroStatus {
            // SAFETY: the host passes valid pointers, per the ABI.
            unsafe { $crate::rt::drilldown(__iro_plugin_registry, args, out_schema, out_array) }
        }

        #[doc(hidden)]
        unsafe extern "C" fn __iro_plugin_last_error(
            out: *mut $crate::abi::IroBuffer,
        ) -> $crate::abi::IroStatus {
            // SAFETY: the host passes a valid pointer, per the ABI.
            unsafe { $crate::rt::last_error(out) }
        }

        #[doc(hidden)]
        unsafe extern "C" fn __iro_plugin_release(buf: *mut $crate::abi::IroBuffer) {
            // SAFETY: the host passes back a buffer this plugin made.
            unsafe { $crate::rt::release(buf) }
        }

        #[doc(hidden)]
        static __IRO_PLUGIN_DESCRIPTOR: $crate::abi::IroPluginDescriptor =
            $crate::abi::IroPluginDescriptor {
                header: $crate::abi::IroDescriptorHeader {
                    magic: $crate::abi::MAGIC,
                    abi_major: $crate::abi::ABI_MAJOR,
                    abi_minor: $crate::abi::ABI_MINOR,
                    descriptor_size: $crate::abi::DESCRIPTOR_SIZE_V1_1,
                },
                data_contract: $crate::abi::DATA_CONTRACT_NUL.as_ptr().cast(),
                sdk_version: $crate::rt::SDK_VERSION_NUL.as_ptr().cast(),
                plugin_name: ::std::concat!($name, "\0").as_ptr().cast(),
                plugin_version: ::std::concat!($version, "\0").as_ptr().cast(),
                panic_unwind: ::std::cfg!(panic = "unwind") as u8,
                thread_safe: {
                    let _thread_safe: bool = true;
                    $( let _thread_safe: bool = $thread_safe; )?
                    _thread_safe as u8
                },
                reserved: [0; 6],
                vtable: $crate::abi::IroPluginVTable {
                    set_host_info: ::std::option::Option::Some(__iro_plugin_set_host_info),
                    list_metrics: ::std::option::Option::Some(__iro_plugin_list_metrics),
                    compute: ::std::option::Option::Some(__iro_plugin_compute),
                    last_error: ::std::option::Option::Some(__iro_plugin_last_error),
                    release: ::std::option::Option::Some(__iro_plugin_release),
                    drilldown: ::std::option::Option::Some(__iro_plugin_drilldown),
                },
            };

        /// The plugin's descriptor (IRO plugin ABI v1): the one exported symbol.
        #[unsafe(no_mangle)]
        pub extern "C" fn iro_plugin_descriptor() -> *const $crate::abi::IroPluginDescriptor {
            &__IRO_PLUGIN_DESCRIPTOR
        }
    };
}
