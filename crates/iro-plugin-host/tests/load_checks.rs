//! Load-time checks against descriptors that are wrong in one way each. The
//! misbehaving plugin picks its descriptor from `IRO_TEST_PLUGIN_VARIANT`
//! each time it is loaded, so these run one after another in a single test
//! (the variable is process-wide), in a test binary of their own.

mod common;

use common::*;
use iro_plugin_host::{Host, Isolation, LoadErrorKind};

fn load(isolation: Isolation) -> Result<(), LoadErrorKind> {
    Host::new(vec![entry(&misbehaving(), isolation)], options())
        .load_all()
        .map(|_| ())
        .map_err(|e| {
            assert_eq!(e.path, misbehaving(), "the error names the file");
            e.kind
        })
}

fn with_variant<T>(variant: &str, f: impl FnOnce() -> T) -> T {
    // SAFETY: this binary runs a single test, so no other thread reads the
    // environment while it is changed.
    unsafe { std::env::set_var("IRO_TEST_PLUGIN_VARIANT", variant) };
    let r = f();
    // SAFETY: as above.
    unsafe { std::env::remove_var("IRO_TEST_PLUGIN_VARIANT") };
    r
}

#[test]
fn each_bad_descriptor_is_refused_with_its_own_error() {
    // Build (or find) the library before changing the environment.
    let _ = misbehaving();
    assert_eq!(load(Isolation::InProcess), Ok(()));

    for isolation in [Isolation::InProcess, Isolation::Process] {
        let check = |variant: &str, want: &dyn Fn(&LoadErrorKind) -> bool| {
            let got = with_variant(variant, || load(isolation));
            match got {
                Err(k) if want(&k) => {
                    // Every message says what to do, not only what is wrong.
                    assert!(!k.to_string().is_empty());
                }
                other => panic!("{variant} ({isolation:?}): {other:?}"),
            }
        };
        check("wrong-magic", &|k| *k == LoadErrorKind::BadMagic);
        check("wrong-major", &|k| {
            *k == LoadErrorKind::AbiMajor { plugin: 2, host: 1 }
        });
        check("newer-minor", &|k| {
            *k == LoadErrorKind::AbiMinor {
                major: 1,
                plugin: 3,
                host: 2,
            }
        });
        check(
            "older-contract-major",
            &|k| matches!(k, LoadErrorKind::DataContract { plugin, .. } if plugin == "903-cohort/0.9"),
        );
        check(
            "newer-contract",
            &|k| matches!(k, LoadErrorKind::DataContract { plugin, host } if plugin == "903-cohort/1.99" && host == "903-cohort/1.1"),
        );
        check("missing-entry", &|k| {
            *k == LoadErrorKind::MissingEntry("compute".into())
        });
        check("small-descriptor", &|k| {
            matches!(k, LoadErrorKind::DescriptorTooSmall { size: 16, .. })
        });
        check("null", &|k| *k == LoadErrorKind::NullDescriptor);
    }

    // A panic = "abort" build cannot run in-process, but can isolated.
    let in_process = with_variant("panic-abort", || load(Isolation::InProcess));
    assert_eq!(in_process, Err(LoadErrorKind::PanicAbort));
    let isolated = with_variant("panic-abort", || load(Isolation::Process));
    assert_eq!(isolated, Ok(()));
    // `iro plugins check` reports it rather than refusing.
    let report = with_variant("panic-abort", || iro_plugin_host::check(&misbehaving())).unwrap();
    assert!(!report.panic_unwind);
    assert!(report.to_string().contains("needs isolation = \"process\""));
    let err = with_variant("newer-minor", || iro_plugin_host::check(&misbehaving())).unwrap_err();
    assert!(
        err.to_string().contains("1.3 is newer than this iro's 1.2"),
        "{err}"
    );

    older_minors_load_with_their_old_relations();
}

/// A plugin of an older minor (1.0, 1.1) still loads, with the relations it
/// had then: its additive breakdowns. A `relations` field in its metric list
/// is left out (and `plugins check` says so); from 1.2 it is read.
fn older_minors_load_with_their_old_relations() {
    for isolation in [Isolation::InProcess, Isolation::Process] {
        for (variant, minor, relations) in [("", 0, 0), ("minor-1", 1, 0), ("minor-2", 2, 1)] {
            let (report, metrics) = with_variant(variant, || {
                let host = Host::new(vec![entry(&misbehaving(), isolation)], options());
                let plugin = host.load_all().expect("loads").remove(0);
                (plugin.report().clone(), host.metrics().expect("metrics"))
            });
            assert_eq!(report.abi_minor, minor, "{variant}");
            let related = &metrics[pick(&metrics, "related")];
            assert_eq!(
                related.relations().len(),
                relations,
                "{variant} {isolation:?}"
            );
            // The additive breakdown stands at every minor.
            let p = related.spec().measure_named("p").expect("p");
            assert_eq!(p.additive_breakdowns, ["sex"]);
            assert_eq!(report.ignored_relations, 1 - relations, "{variant}");
            let left_out = report.warnings().iter().any(|w| w.contains("left out"));
            assert_eq!(
                left_out,
                relations == 0,
                "{variant}: {:?}",
                report.warnings()
            );
        }
    }
    let minor_2 = with_variant("minor-2", || {
        let host = Host::new(vec![entry(&misbehaving(), Isolation::InProcess)], options());
        host.metrics().expect("metrics")
    });
    let related = &minor_2[pick(&minor_2, "related")];
    assert_eq!(
        related.relations()[0].to_string(),
        "related.n = related.p[sex=F] denominator"
    );
}
