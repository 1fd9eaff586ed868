//! The pipeline on the bundled sample: `iro report` writes the report `iro
//! run` writes, Table 1 is the one written, and each step writes only what
//! it is asked for.

use std::path::{Path, PathBuf};

use iro_engine::Config;
use iro_pipeline::{Origin, Pipeline, ReportRequest, Steps};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample")
}

/// The sample's configuration (its demonstration targets), writing to `out`.
fn pipeline(out: &Path) -> Pipeline {
    let mut config = Config::load(&sample().join("iro.toml")).unwrap();
    config.output.dir = out.to_path_buf();
    config.output.narrative_dir = out.join("no-narrative");
    Pipeline::for_run(
        config,
        Origin {
            config_file: true,
            input_given: true,
        },
    )
    .unwrap()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn report_alone_is_the_report_of_a_full_run() {
    let full = tempfile::tempdir().unwrap();
    let alone = tempfile::tempdir().unwrap();
    let p = pipeline(full.path());
    let source = iro_engine::input_source(p.config(), Some(sample())).unwrap();
    let run = p
        .run(
            &source,
            &Steps {
                tables: true,
                charts: true,
                report: Some(ReportRequest::default()),
            },
            &|_| {},
        )
        .unwrap();
    assert!(!run.summary.is_empty());
    assert!(!run.result.targets.is_empty(), "the sample's targets apply");
    let written: Vec<&Path> = run.written.iter().map(|p| p.as_path()).collect();
    assert!(written.contains(&full.path().join("charts").as_path()));
    assert!(written.contains(&full.path().join("report").as_path()));

    let p = pipeline(alone.path());
    let only = p
        .run(
            &source,
            &Steps {
                tables: false,
                charts: false,
                report: Some(ReportRequest::default()),
            },
            &|_| {},
        )
        .unwrap();
    // Only the report is written.
    assert_eq!(
        std::fs::read_dir(alone.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        ["report"]
    );
    let report_files = files(&full.path().join("report"));
    assert!(
        report_files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "html"))
    );
    assert_eq!(report_files, files(&alone.path().join("report")));
    for f in &report_files {
        // The workbook's zip holds no timestamp of its own; compare all bytes.
        assert_eq!(
            std::fs::read(full.path().join("report").join(f)).unwrap(),
            std::fs::read(alone.path().join("report").join(f)).unwrap(),
            "report/{} differs between `iro run` and `iro report`",
            f.display()
        );
    }
    assert_eq!(
        only.report.as_ref().map(|w| w.files.len()),
        run.report.as_ref().map(|w| w.files.len())
    );
}

#[test]
fn table_1_is_built_once_and_is_the_one_written() {
    let out = tempfile::tempdir().unwrap();
    let p = pipeline(out.path());
    let source = iro_engine::input_source(p.config(), Some(sample())).unwrap();
    let run = p
        .run(
            &source,
            &Steps {
                tables: true,
                ..Steps::default()
            },
            &|_| {},
        )
        .unwrap();
    let written = std::fs::read_to_string(out.path().join("cohort_summary.json")).unwrap();
    assert_eq!(
        written,
        format!("{}\n", serde_json::to_string_pretty(&run.summary).unwrap())
    );
    assert!(!out.path().join("charts").exists());
    assert!(!out.path().join("report").exists());
    assert!(run.report.is_none());
}

#[test]
fn benchmarking_gets_the_threshold_unless_iro_toml_sets_it() {
    let mut config = Config::parse("[suppression]\nthreshold = 7\n").unwrap();
    iro_pipeline::configure_benchmarking(&mut config, &[], false).unwrap();
    let params = config.metric_params("regional-benchmarking");
    assert_eq!(params.get("small_count"), Some(&serde_json::json!(7)));

    let mut config =
        Config::parse("[metrics.regional-benchmarking]\nsmall_count = 3\nselection = [\"800\"]\n")
            .unwrap();
    let selection = ["803".parse().unwrap(), "887".parse().unwrap()];
    iro_pipeline::configure_benchmarking(&mut config, &selection, true).unwrap();
    let params = config.metric_params("regional-benchmarking");
    assert_eq!(params.get("small_count"), Some(&serde_json::json!(3)));
    assert_eq!(
        params.get("selection"),
        Some(&serde_json::json!(["803", "887"]))
    );
    assert!(config.metric_enabled("regional-benchmarking"));
}
