//! Architecture invariant: crate dependencies point one way
//! (docs/ARCHITECTURE.md, "Code map"). Reads `cargo metadata` and fails on an
//! arrow that points up or sideways, on a new crate nobody has placed in a
//! layer, on the CLI-only and Arrow-only dependencies leaking, and on the
//! report or the charts reaching the engine (they read `iro-results`).

use std::collections::BTreeMap;
use std::process::Command;

/// Layer of each workspace crate: a crate may depend only on lower layers.
fn layer(name: &str) -> Option<u8> {
    Some(match name {
        "iro-domain" | "iro-vocabulary" => 0,
        "iro-ingest" | "iro-reference" | "iro-postcodes" | "iro-stats" | "iro-plugin-abi" => 1,
        "iro-metric-api" => 2,
        "cohort-summary"
        | "review-timeliness"
        | "participation"
        | "placement-stability"
        | "placement-distance"
        | "service-records"
        | "drp-flow"
        | "regional-benchmarking"
        | "iro-plugin-sdk"
        | "iro-plugin-host"
        // What a run produced, as plain data: below the engine, so that the
        // report and the charts read it without depending on the engine.
        | "iro-results" => 3,
        "iro-engine" => 4,
        "iro-charts" | "iro-report" => 5,
        // The regional pack: the report's document and renderers, for a group.
        "iro-pack" => 6,
        // The orchestration `iro run`, `iro report` and `iro benchmark` share.
        "iro-pipeline" => 7,
        "iro-cli" => 8,
        _ => return None,
    })
}

/// Crates outside the layers: test data, benchmarks, example and test plugins.
fn aside(name: &str) -> bool {
    matches!(name, "iro-testkit" | "iro-bench")
        || name.contains("example")
        || name.contains("misbehaving")
        // The plugin host's test plugin of the count-and-share shape.
        || name == "uasc-plugin"
}

/// Same-layer dependencies allowed on purpose.
const SIDEWAYS: &[(&str, &str)] = &[
    // Postcode areas are mapped to authorities with the reference LTLA lookup.
    ("iro-postcodes", "iro-reference"),
    // The host presents plugins through the SDK's table types.
    ("iro-plugin-host", "iro-plugin-sdk"),
    // The report draws its charts with the charts crate.
    ("iro-report", "iro-charts"),
    // The DRP and service-record measures share the IRO-records join.
    ("drp-flow", "service-records"),
];

/// The workspace's `cargo metadata` (its own crates, no registry packages).
fn metadata() -> serde_json::Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn dependencies_point_one_way() {
    let meta = metadata();
    let packages = meta["packages"].as_array().unwrap();
    let members: Vec<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    // A crate under plugins/ that is not set aside is a built-in metric
    // (layer 3) whatever its name: adding one needs no line here
    // (docs/METRICS.md).
    let root = meta["workspace_root"].as_str().unwrap_or("");
    let builtin: Vec<&str> = packages
        .iter()
        .filter(|p| {
            let path = p["manifest_path"].as_str().unwrap_or("");
            let inside = path.strip_prefix(root).unwrap_or(path);
            inside
                .trim_start_matches(['/', '\\'])
                .starts_with("plugins")
                && !aside(p["name"].as_str().unwrap_or(""))
        })
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let layer = |name: &str| layer(name).or_else(|| builtin.contains(&name).then_some(3));

    let mut problems = Vec::new();
    let mut external: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in packages {
        let name = p["name"].as_str().unwrap();
        if aside(name) {
            continue;
        }
        let Some(mine) = layer(name) else {
            problems.push(format!(
                "{name}: not placed in a layer (tests/architecture.rs)"
            ));
            continue;
        };
        for d in p["dependencies"].as_array().unwrap() {
            if d["kind"].as_str().is_some_and(|k| k == "dev") {
                continue;
            }
            let dep = d["name"].as_str().unwrap();
            if members.contains(&dep) {
                match layer(dep) {
                    Some(theirs) if theirs < mine => {}
                    Some(theirs) if theirs == mine && SIDEWAYS.contains(&(name, dep)) => {}
                    _ => problems.push(format!("{name} (layer {mine}) depends on {dep}")),
                }
            } else {
                external.entry(dep).or_default().push(name);
            }
        }
    }
    // Only the binary knows clap and indicatif.
    for cli_only in ["clap", "indicatif"] {
        for user in external.get(cli_only).into_iter().flatten() {
            if *user != "iro-cli" {
                problems.push(format!("{user} depends on {cli_only} (only iro-cli may)"));
            }
        }
    }
    // The vocabulary is compiled into every run-time plugin (through the
    // SDK and the ABI): serde only, no rayon, no reference data, no Arrow.
    for (dep, users) in &external {
        if users.contains(&"iro-vocabulary") && *dep != "serde" {
            problems.push(format!(
                "iro-vocabulary depends on {dep} (it may depend on serde only)"
            ));
        }
    }
    // Only the plugin crates know Arrow, and the engine, which writes the
    // Parquet outputs (in one module: `engine_knows_arrow_in_one_module`).
    for (dep, users) in &external {
        if dep.starts_with("arrow") || *dep == "parquet" {
            for user in users {
                if !user.starts_with("iro-plugin") && *user != "iro-engine" {
                    problems.push(format!(
                        "{user} depends on {dep} (only iro-plugin-* and iro-engine may)"
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "architecture problems:\n{}",
        problems.join("\n")
    );
}

/// Inside `iro-engine`, only `src/parquet_out.rs` names Arrow or Parquet:
/// the rest of the engine works on `MetricRow`s, and the Parquet writer is
/// an output format beside CSV and JSON, not a data model.
#[test]
fn engine_knows_arrow_in_one_module() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../iro-engine/src");
    let mut stack = vec![src.clone()];
    let mut offenders = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("parquet_out.rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                if ["arrow_array", "arrow_schema", "parquet::"]
                    .iter()
                    .any(|n| text.contains(n))
                {
                    offenders.push(p.display().to_string());
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "Arrow or Parquet named outside iro-engine/src/parquet_out.rs: {offenders:?}"
    );
}

/// The report, the charts and the pack read a run's results from `iro-results`, never
/// from the engine: building them must not build ingest, every metric, the
/// plugin host and Arrow. Checked over every normal and build dependency,
/// directly or through another workspace crate.
#[test]
fn report_and_charts_do_not_depend_on_the_engine() {
    let meta = metadata();
    let packages = meta["packages"].as_array().unwrap();
    // Workspace crate → its workspace dependencies (dev-dependencies aside:
    // tests may run the engine).
    let deps: BTreeMap<&str, Vec<&str>> = packages
        .iter()
        .map(|p| {
            let uses = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].as_str().is_none_or(|k| k != "dev"))
                .map(|d| d["name"].as_str().unwrap())
                .collect();
            (p["name"].as_str().unwrap(), uses)
        })
        .collect();
    for consumer in ["iro-report", "iro-charts", "iro-pack"] {
        assert!(
            deps.contains_key(consumer),
            "{consumer} is not in the workspace"
        );
        // Depth-first, with the path that reached each crate.
        let mut stack: Vec<Vec<&str>> = vec![vec![consumer]];
        let mut seen = vec![consumer];
        while let Some(path) = stack.pop() {
            let last = *path.last().unwrap();
            for &dep in deps.get(last).into_iter().flatten() {
                assert_ne!(
                    dep,
                    "iro-engine",
                    "{} → iro-engine: the report and the charts read iro-results, not the engine",
                    path.join(" → ")
                );
                if deps.contains_key(dep) && !seen.contains(&dep) {
                    seen.push(dep);
                    let mut next = path.clone();
                    next.push(dep);
                    stack.push(next);
                }
            }
        }
    }
}
