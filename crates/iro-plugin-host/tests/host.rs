//! The plugin host against real shared libraries: the example plugin and a
//! deliberately misbehaving one, in-process and isolated.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use iro_engine::{Config, Outcome};
use iro_metric_api::{Metric, MetricError};
use iro_plugin_host::{Host, Isolation, LoadErrorKind, PluginConfig, PluginTimeout};
use serde_json::json;

fn load(path: &Path, isolation: Isolation) -> Vec<Box<dyn Metric>> {
    Host::new(vec![entry(path, isolation)], options())
        .metrics()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn example_gives_the_same_answer_in_process_and_isolated() {
    let lib = example();
    let in_process = load(&lib, Isolation::InProcess);
    let isolated = load(&lib, Isolation::Process);
    assert_eq!(in_process.len(), 1);
    let (a, b) = (&in_process[0], &isolated[0]);
    assert_eq!(a.spec().id, "missing-from-care");
    assert_eq!(b.spec().measures.len(), a.spec().measures.len());
    assert_eq!(a.spec().params[0].name, "repeat_threshold");

    let mut compared = 0;
    for cohort in &sample().cohorts {
        for year in [2021, 2025] {
            let x = compute(a.as_ref(), cohort, year, json!({})).unwrap();
            let y = compute(b.as_ref(), cohort, year, json!({})).unwrap();
            assert_eq!(x, y, "{} {year}", cohort.la());
            assert!(x.len() >= 10);
            assert!(
                x.iter()
                    .all(|r| !r.status.is_suppressed() && r.year == year)
            );
            let cla = &x[0];
            assert_eq!(cla.metric, "missing-from-care.children-looked-after");
            assert!(cla.numerator.unwrap() > 0);
            compared += 1;
        }
    }
    assert_eq!(compared, 6);

    // Parameters reach the plugin the same way in both.
    let cohort = &sample().cohorts[0];
    let x = compute(a.as_ref(), cohort, 2025, json!({"repeat_threshold": 1})).unwrap();
    let y = compute(b.as_ref(), cohort, 2025, json!({"repeat_threshold": 1})).unwrap();
    assert_eq!(x, y);
    let repeat = |rows: &[iro_metric_api::MetricRow]| {
        rows.iter()
            .find(|r| r.metric.as_str().ends_with(".children-repeat"))
            .unwrap()
            .numerator
    };
    let default = compute(a.as_ref(), cohort, 2025, json!({})).unwrap();
    assert!(repeat(&x) >= repeat(&default));
    // An unknown parameter is refused by the engine's own resolution.
    assert!(matches!(
        compute(a.as_ref(), cohort, 2025, json!({"nope": 1})),
        Err(MetricError::BadParameter { .. })
    ));
}

#[test]
fn example_runs_through_the_engine_and_is_suppressed_there() {
    let lib = example();
    let host = Host::new(vec![entry(&lib, Isolation::InProcess)], options());
    let mut metrics = iro_engine::builtin_metrics();
    metrics.extend(host.metrics().unwrap());
    // A threshold above any count in the sample, so that suppression shows.
    let mut config = Config::default();
    config.suppression.threshold = 100_000;
    let _scope = host.cache_scope();
    let c = iro_engine::compute(&config, sample(), reference(), &metrics, &|_| {}).unwrap();
    let ours: Vec<_> = c
        .statuses
        .iter()
        .filter(|s| s.metric == "missing-from-care")
        .collect();
    assert_eq!(ours.len(), 15);
    assert!(
        ours.iter()
            .all(|s| matches!(s.outcome, Outcome::Ok(n) if n > 0)),
        "{ours:?}"
    );
    let failures: Vec<_> = c
        .statuses
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Failed(_)))
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    let rows: Vec<_> = c
        .rows
        .iter()
        .filter(|r| r.metric.as_str().starts_with("missing-from-care."))
        .collect();
    // Small counts are hidden by the engine, never by the plugin.
    assert!(rows.iter().any(|r| r.status.is_suppressed()));
    assert!(
        rows.iter()
            .filter(|r| r.unit == iro_metric_api::Unit::Count)
            .all(|r| r.status.is_suppressed() || r.numerator.is_none_or(|n| n == 0))
    );
}

#[test]
fn a_panic_an_error_and_an_abort_do_not_stop_the_run() {
    let lib = misbehaving();
    let in_process = load(&lib, Isolation::InProcess);
    let isolated = load(&lib, Isolation::Process);
    let mut metrics = iro_engine::builtin_metrics();
    let builtins = metrics.len();
    for (set, wanted) in [
        (
            in_process,
            &["good", "panic", "error", "not-computable"][..],
        ),
        (isolated, &["abort", "segfault"][..]),
    ] {
        metrics.extend(set.into_iter().filter(|m| wanted.contains(&m.spec().id)));
    }
    assert_eq!(metrics.len(), builtins + 6);
    let mut config = Config::default();
    config.run.years = vec![2025];
    let c = iro_engine::compute(&config, sample(), reference(), &metrics, &|_| {}).unwrap();
    let status = |id: &str| {
        let s: Vec<_> = c.statuses.iter().filter(|s| s.metric == id).collect();
        assert_eq!(s.len(), 3, "{id}");
        s[0].outcome.clone()
    };
    assert!(matches!(status("good"), Outcome::Ok(2)));
    let failed = |id: &str| match status(id) {
        Outcome::Failed(m) => m,
        other => panic!("{id}: {other:?}"),
    };
    let m = failed("panic");
    assert!(
        m.contains("panicked") && m.contains("a deliberate panic"),
        "{m}"
    );
    assert!(m.contains("lib.rs:"), "the panic location is reported: {m}");
    assert_eq!(failed("error"), "a deliberate failure");
    assert!(failed("abort").contains("SIGABRT"), "{}", failed("abort"));
    assert!(
        failed("segfault").contains("SIGSEGV"),
        "{}",
        failed("segfault")
    );
    assert!(matches!(status("not-computable"), Outcome::NotComputable(m) if m == "no such table"));
    // Every built-in still ran.
    for m in &metrics[..builtins] {
        let id = m.spec().id;
        assert!(
            c.statuses
                .iter()
                .filter(|s| s.metric == id)
                .all(|s| !matches!(s.outcome, Outcome::Failed(_))),
            "{id}"
        );
    }
    // And the good plugin metric's rows are there.
    assert!(c.rows.iter().any(|r| r.metric == "good.n"));
}

#[test]
fn output_breaking_each_rule_is_rejected() {
    let lib = misbehaving();
    let in_process = load(&lib, Isolation::InProcess);
    let isolated = load(&lib, Isolation::Process);
    let cohort = &sample().cohorts[0];
    let cases: &[(&str, &str)] = &[
        ("no-output", "not filled in"),
        ("schema-name", "column 6 is `num`, expected `numerator`"),
        ("schema-type", "column `year` is Int64, expected Int32"),
        (
            "schema-nullability",
            "column `value` is declared not nullable",
        ),
        ("schema-extra-column", "11 columns, expected 10"),
        ("invalid-arrow", "invalid Arrow data"),
        // A row is named by what it is, never by its place in the table:
        // `<fault>.n` is the count of the year, `<fault>.p [sex=F]` the
        // percentage at 31 March.
        (
            "negative-numerator",
            "@n, authority #, year 2025, period year: negative numerator -1",
        ),
        (
            "negative-denominator",
            "@p [sex=F], authority #, year 2025, period 31-03: negative denominator -4",
        ),
        (
            "numerator-over-denominator",
            "@p [sex=F], authority #, year 2025, period 31-03: numerator 441 exceeds denominator 440 in a percentage",
        ),
        (
            "wrong-la",
            "@p [sex=F], authority 999, year 2025, period 31-03: la_code `999` is not the authority computed",
        ),
        (
            "wrong-year",
            "@n, authority #, year 1999, period year: year 1999 is not the year computed",
        ),
        (
            "unknown-unit",
            "@n, authority #, year 2025, period year: unknown unit `furlongs`",
        ),
        (
            "unit-mismatch",
            "@p [sex=F], authority #, year 2025, period 31-03: unit `count`, but `unit-mismatch.p` was declared in `percent`",
        ),
        (
            "unknown-period",
            "@n, authority #, year 2025, period Q5: unknown period `Q5`",
        ),
        ("undeclared-measure", "undeclared-measure.nope, authority"),
        (
            "bad-breakdown",
            "@p [sex], authority #, year 2025, period 31-03: breakdown `sex` is not key=value",
        ),
        (
            "non-finite-value",
            "@n, authority #, year 2025, period year: value is not finite",
        ),
    ];
    for (fault, want) in cases {
        let la = iro_metric_api::AreaCode::of_la(cohort.la());
        let want = &want
            .replace('@', &format!("{fault}."))
            .replace('#', &la.to_string());
        for (how, set) in [("in-process", &in_process), ("isolated", &isolated)] {
            let m = &set[pick(set, fault)];
            match compute(m.as_ref(), cohort, 2025, json!({})) {
                Err(MetricError::Failed(msg)) => {
                    assert!(
                        msg.contains(want),
                        "{fault} ({how}): `{msg}` lacks `{want}`"
                    )
                }
                other => panic!("{fault} ({how}): accepted: {other:?}"),
            }
        }
    }
    // The same plugin's good metric passes every rule.
    let good = &in_process[pick(&in_process, "good")];
    let rows = compute(good.as_ref(), cohort, 2025, json!({})).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].breakdown.to_string(), "sex=F");
    assert_eq!(rows[1].value, Some(50.0));
}

#[test]
fn a_wrong_hash_or_a_path_not_allowed_is_refused() {
    let lib = example();
    for isolation in [Isolation::InProcess, Isolation::Process] {
        let mut e = entry(&lib, isolation);
        e.sha256 = "0".repeat(64);
        let err = Host::new(vec![e], options()).load_all().unwrap_err();
        assert_eq!(err.path, lib);
        assert!(
            matches!(&err.kind, LoadErrorKind::HashMismatch { actual, .. } if *actual == hash(&lib)),
            "{err}"
        );
        assert!(err.to_string().contains(&lib.display().to_string()));
    }
    let mut e = entry(&lib, Isolation::InProcess);
    e.sha256 = "not-a-hash".into();
    let err = Host::new(vec![e], options()).load_all().unwrap_err();
    assert!(matches!(err.kind, LoadErrorKind::BadHash(_)), "{err}");

    // Only listed paths load.
    let host = Host::new(vec![entry(&misbehaving(), Isolation::InProcess)], options());
    let err = host.load(&lib).unwrap_err();
    assert_eq!(err.kind, LoadErrorKind::NotAllowed);
    assert!(host.load(&misbehaving()).is_ok());
}

/// A copy of the misbehaving plugin with its descriptor symbol renamed.
#[test]
fn a_library_without_the_descriptor_symbol_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(misbehaving()).unwrap();
    let from = b"iro_plugin_descriptor\0";
    let to = b"iro_plugin_descriptoX\0";
    let mut n = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            n += 1;
        }
        i += 1;
    }
    assert!(n >= 1);
    let path = dir.path().join(misbehaving().file_name().unwrap());
    std::fs::write(&path, &bytes).unwrap();
    for isolation in [Isolation::InProcess, Isolation::Process] {
        let err = Host::new(vec![entry(&path, isolation)], options())
            .load_all()
            .unwrap_err();
        assert!(matches!(err.kind, LoadErrorKind::MissingSymbol(_)), "{err}");
        assert_eq!(err.path, path);
    }
    let err = Host::new(
        vec![PluginConfig {
            path: dir.path().join("nothing.so"),
            sha256: "0".repeat(64),
            isolation: Isolation::InProcess,
            development: false,
            timeout_s: None,
        }],
        options(),
    )
    .load_all()
    .unwrap_err();
    assert!(matches!(err.kind, LoadErrorKind::Read(_)), "{err}");
}

#[test]
fn check_reports_without_computing() {
    let lib = example();
    let r = iro_plugin_host::check(&lib).unwrap();
    assert_eq!(r.sha256, hash(&lib));
    assert_eq!((r.abi_major, r.abi_minor), (1, 2));
    assert_eq!(r.data_contract, "903-cohort/1.1");
    assert_eq!(r.plugin_name, "example-cdylib");
    assert!(r.panic_unwind && r.thread_safe && r.drilldowns);
    assert_eq!(r.metrics[0].id, "missing-from-care");
    let text = r.to_string();
    for want in [
        "sha256",
        "903-cohort/1.1",
        "missing-from-care.spells",
        "repeat_threshold",
        "entry present (ABI 1.1): child-level tables, from the metrics that give any (Metric::drilldown), are written with --personal only",
        "    relation  missing-from-care.spells = missing-from-care.spells-per-child\n",
        "[[plugins]]",
    ] {
        assert!(text.contains(want), "{want} in\n{text}");
    }
    // Its percentages and mean are tied to its counts: nothing to warn of.
    assert!(r.warnings().is_empty(), "{:?}", r.warnings());
    assert!(!text.contains("warning:"), "{text}");
    let isolated = iro_plugin_host::check_isolated(&lib, &options()).unwrap();
    assert_eq!(isolated, r);
    // The snippet it prints is a valid [[plugins]] entry.
    let snippet = text.split("In iro.toml:").nth(1).unwrap();
    #[derive(serde::Deserialize)]
    struct T {
        plugins: Vec<PluginConfig>,
    }
    let t: T = toml::from_str(snippet).unwrap();
    assert_eq!(t.plugins[0], entry(&lib, Isolation::Process));
}

#[test]
fn the_config_entry_parses_with_process_isolation_by_default() {
    #[derive(serde::Deserialize)]
    struct T {
        plugins: Vec<PluginConfig>,
    }
    let t: T = toml::from_str(
        "[[plugins]]\npath = \"a.so\"\nsha256 = \"ab\"\n\
         [[plugins]]\npath = \"b.so\"\nsha256 = \"cd\"\nisolation = \"in-process\"\n",
    )
    .unwrap();
    assert_eq!(t.plugins[0].isolation, Isolation::Process);
    assert_eq!(t.plugins[1].isolation, Isolation::InProcess);
    assert!(
        toml::from_str::<T>("[[plugins]]\npath = \"a\"\nsha256 = \"b\"\nisolate = \"process\"\n")
            .is_err()
    );
}

#[test]
fn the_cohort_export_matches_the_sdk_views() {
    for cohort in &sample().cohorts {
        let t = iro_plugin_host::export_cohort(cohort, reference()).unwrap();
        let view = iro_plugin_sdk::CohortView::new(cohort.la().to_string(), 2025, t.tables.clone())
            .unwrap();
        assert_eq!(view.children().unwrap().len(), cohort.children().len());
        assert_eq!(view.episodes().unwrap().len(), cohort.episodes().len());
        assert_eq!(view.reviews().unwrap().len(), cohort.reviews().len());
        assert_eq!(
            view.periods_of_care().unwrap().len(),
            cohort.periods().len()
        );
        assert_eq!(view.placements().unwrap().len(), cohort.placements().len());
        assert_eq!(view.missing().unwrap().len(), cohort.missing().len());
        assert_eq!(
            view.sw_episodes().unwrap().len(),
            cohort.sw_episodes().len()
        );
        assert!(view.supplied(2025, "Episodes"));
        let e = view.episodes().unwrap().get(0);
        let d = &cohort.episodes()[0];
        assert_eq!(e.decom, d.decom);
        assert_eq!(e.child, &*cohort.children()[d.child.get()].child_id);
        assert_eq!(e.ls, d.ls.code());
        for (name, batch) in &t.tables {
            let md = batch.schema().metadata().clone();
            assert_eq!(md.get("iro.table").map(String::as_str), Some(name.as_str()));
            assert_eq!(
                md.get("iro.la_code").cloned(),
                Some(cohort.la().to_string())
            );
        }
    }
}

#[test]
fn plugins_md_documents_the_contract_as_coded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(dir.join("../../docs/PLUGINS.md")).expect("docs/PLUGINS.md");
    assert!(
        doc.contains(&iro_plugin_abi::contract_markdown()),
        "the data-contract tables in PLUGINS.md are out of date: paste \
         iro_plugin_abi::contract_markdown() between the markers"
    );
}

#[test]
fn isolated_workers_serve_call_after_call_and_one_that_hangs_is_stopped() {
    let lib = misbehaving();
    // The entry's timeout_s, not the host's default (300 s).
    let mut e = entry(&lib, Isolation::Process);
    e.timeout_s = Some(PluginTimeout::from_secs(2.0).unwrap());
    let host = Host::new(vec![e], options());
    let board = host.options().calls.clone();
    let set = host.metrics().unwrap_or_else(|e| panic!("{e}"));
    let cohort = &sample().cohorts[0];
    let run = |id: &str| compute(set[pick(&set, id)].as_ref(), cohort, 2025, json!({}));
    let n = |rows: &[iro_metric_api::MetricRow]| {
        rows.iter()
            .find(|r| r.metric == "calls.n")
            .and_then(|r| r.numerator)
    };
    // One call at a time: the same worker serves them all, library loaded once.
    assert_eq!(n(&run("calls").unwrap()), Some(1));
    assert_eq!(n(&run("calls").unwrap()), Some(2));
    // What a plugin writes on stdout does not get in the way of the answer.
    assert_eq!(run("noisy").unwrap().len(), 2);
    assert_eq!(n(&run("calls").unwrap()), Some(3));
    // A plugin's error leaves the worker serving.
    assert!(matches!(run("error"), Err(MetricError::Failed(m)) if m == "a deliberate failure"));
    assert_eq!(n(&run("calls").unwrap()), Some(4));
    // A call that never answers is stopped at the timeout and fails alone,
    // reported by plugin, metric, authority, year and timeout...
    let t0 = Instant::now();
    match run("hang") {
        Err(MetricError::Failed(m)) => assert!(
            m.starts_with(
                "timed out: plugin `misbehaving-plugin`, metric `hang`, 800 Bath and North East \
                 Somerset, 2024-25 (libmisbehaving_plugin.so) gave no answer within 2 s \
                 (timeout_s); its worker process was stopped and the run went on"
            ) && !m.contains("noise on stderr"),
            "{m} (an earlier call's stderr is not this one's)"
        ),
        other => panic!("hang: {other:?}"),
    }
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
    assert_eq!(board.timed_out().len(), 1);
    assert_eq!(board.hung_in_process(), None);
    assert!(board.under_way().is_empty());
    // ...and so does one that crashes; the next call gets a new worker.
    match run("abort") {
        Err(MetricError::Failed(m)) => assert!(m.contains("SIGABRT"), "{m}"),
        other => panic!("abort: {other:?}"),
    }
    assert_eq!(n(&run("calls").unwrap()), Some(1));
    assert_eq!(run("good").unwrap().len(), 2);
}

/// An in-process call cannot be stopped: past its timeout it is reported
/// (plugin, metric, authority, year, timeout), the host records that the
/// run must stop, and the plugin is called no more (its thread may still be
/// inside it).
#[test]
fn an_in_process_call_past_its_timeout_is_reported_and_the_plugin_called_no_more() {
    let lib = misbehaving();
    let mut e = entry(&lib, Isolation::InProcess);
    e.timeout_s = Some(PluginTimeout::from_secs(1.0).unwrap());
    let host = Host::new(vec![e], options());
    let board = host.options().calls.clone();
    let set = host.metrics().unwrap_or_else(|e| panic!("{e}"));
    let cohort = &sample().cohorts[1];
    let run = |id: &str| compute(set[pick(&set, id)].as_ref(), cohort, 2024, json!({}));
    assert_eq!(run("good").unwrap().len(), 2);
    assert_eq!(board.hung_in_process(), None);

    let t0 = Instant::now();
    let m = match run("hang") {
        Err(MetricError::Failed(m)) => m,
        other => panic!("hang: {other:?}"),
    };
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_eq!(
        m,
        "timed out: plugin `misbehaving-plugin`, metric `hang`, 803 South Gloucestershire, \
         2023-24 (libmisbehaving_plugin.so) gave no answer within 1 s (timeout_s). A plugin \
         loaded in-process cannot be stopped, so the run stops and writes nothing: set \
         isolation = \"process\" in its [[plugins]] entry (a call that hangs is then stopped \
         and the run goes on), or raise its timeout_s if it is only slow"
    );
    let hung = board.hung_in_process().expect("recorded");
    assert_eq!(hung.to_string(), m);
    assert!(board.under_way().is_empty());

    // Any later call of the plugin, any metric, fails at once.
    let t0 = Instant::now();
    match run("good") {
        Err(MetricError::Failed(m)) => assert!(
            m.starts_with(
                "not called: an earlier call of this plugin (plugin `misbehaving-plugin`, \
                 metric `hang`, 803 South Gloucestershire, 2023-24) gave no answer within 1 s"
            ),
            "{m}"
        ),
        other => panic!("good after a hang: {other:?}"),
    }
    assert!(t0.elapsed() < Duration::from_millis(500));
}

/// While a call runs it is on the host's board (what `iro run`'s progress
/// line shows): plugin, metric, authority, year, time waited and timeout.
#[test]
fn a_call_under_way_is_on_the_board_until_it_ends() {
    let lib = misbehaving();
    for isolation in [Isolation::Process, Isolation::InProcess] {
        let mut e = entry(&lib, isolation);
        e.timeout_s = Some(PluginTimeout::from_secs(1.5).unwrap());
        let host = Host::new(vec![e], options());
        let board = host.options().calls.clone();
        let set = host.metrics().unwrap_or_else(|e| panic!("{e}"));
        let cohort = &sample().cohorts[2];
        std::thread::scope(|s| {
            let call =
                s.spawn(|| compute(set[pick(&set, "hang")].as_ref(), cohort, 2025, json!({})));
            let t0 = Instant::now();
            let seen = loop {
                if let Some(c) = board.longest(Duration::from_millis(200)) {
                    break c;
                }
                assert!(t0.elapsed() < Duration::from_secs(5), "never on the board");
                std::thread::sleep(Duration::from_millis(20));
            };
            assert_eq!(seen.call.plugin, "misbehaving-plugin");
            assert_eq!(seen.call.metric, "hang");
            assert_eq!(seen.call.la_code, "887");
            assert_eq!(seen.call.year.0, 2025);
            assert_eq!(seen.timeout, Some(Duration::from_millis(1500)));
            let shown = seen.to_string();
            assert!(
                shown.starts_with(
                    "plugin `misbehaving-plugin`, metric `hang`, 887 Medway, 2024-25: "
                ) && shown.ends_with(" s of 1.5 s"),
                "{shown}"
            );
            assert!(call.join().unwrap().is_err());
        });
        assert!(board.under_way().is_empty(), "{isolation:?}");
        assert_eq!(board.timed_out().len(), 1, "{isolation:?}");
    }
}

#[test]
fn drill_downs_are_the_same_in_process_and_isolated_and_a_1_0_plugin_has_none() {
    let lib = example();
    let in_process = load(&lib, Isolation::InProcess);
    let isolated = load(&lib, Isolation::Process);
    let mut listed = 0;
    for cohort in &sample().cohorts {
        let x = drilldown(in_process[0].as_ref(), cohort, 2025);
        let y = drilldown(isolated[0].as_ref(), cohort, 2025);
        assert_eq!(x, y, "{}", cohort.la());
        assert_eq!(x.len(), 1);
        assert_eq!(x[0].name, "repeat-missing");
        assert_eq!(x[0].columns, ["CHILD", "missing_spells", "away_spells"]);
        for row in &x[0].rows {
            assert!(row[1].parse::<u64>().unwrap() >= 3, "{row:?}");
        }
        listed += x[0].rows.len();
    }
    assert!(listed > 0, "the sample has repeat missing children");
    // The same number the figures count.
    let cohort = &sample().cohorts[0];
    let rows = compute(in_process[0].as_ref(), cohort, 2025, json!({})).unwrap();
    let repeat = rows
        .iter()
        .find(|r| r.metric == "missing-from-care.children-repeat")
        .and_then(|r| r.numerator);
    let listed = drilldown(in_process[0].as_ref(), cohort, 2025)[0]
        .rows
        .len();
    assert_eq!(repeat, Some(listed as u64));

    // The misbehaving plugin is built for ABI 1.0: it loads, and has none.
    let lib = misbehaving();
    for set in [
        load(&lib, Isolation::InProcess),
        load(&lib, Isolation::Process),
    ] {
        assert!(drilldown(set[pick(&set, "good")].as_ref(), cohort, 2025).is_empty());
    }
}

/// `iro run` hands the engine one authority at a time and lets each go once
/// its metrics are done, so a later authority's cohort can sit where an
/// earlier one was: the export cache must never give it the earlier one's
/// tables. A streamed run gives each authority exactly what a run over the
/// whole input gives.
#[test]
fn a_run_an_authority_at_a_time_gives_each_authority_its_own_export() {
    let lib = example();
    let host = Host::new(vec![entry(&lib, Isolation::InProcess)], options());
    let metrics: Vec<Box<dyn Metric>> = host.metrics().unwrap();
    let config = Config::default();
    let _scope = host.cache_scope();
    let source = iro_ingest::InputSource::Folder(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample"),
    );
    let streamed = iro_engine::run(&config, &source, &metrics, &|_| {}).unwrap();
    let whole = iro_engine::compute(&config, sample(), reference(), &metrics, &|_| {}).unwrap();
    let plugin_rows = |rows: &[iro_metric_api::MetricRow]| -> Vec<iro_metric_api::MetricRow> {
        rows.iter()
            .filter(|r| r.metric.metric() == "missing-from-care")
            .copied()
            .collect()
    };
    let (a, b) = (plugin_rows(&streamed.rows), plugin_rows(&whole.rows));
    assert!(a.len() > 30, "{}", a.len());
    assert_eq!(a, b);
    // Three authorities, each with its own figures.
    let cla: Vec<_> = a
        .iter()
        .filter(|r| r.metric.measure() == "children-looked-after" && r.year == 2025)
        .map(|r| (r.la_code.to_string(), r.numerator))
        .collect();
    assert_eq!(cla.len(), 3, "{cla:?}");
    assert!(cla[0].1 != cla[1].1 || cla[1].1 != cla[2].1, "{cla:?}");
}
