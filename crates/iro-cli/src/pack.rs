//! `iro pack`: the regional pack. Arguments and printing only: the run and
//! the document are `iro_pipeline::pack`'s and `iro_pack`'s.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use iro_pipeline::pack::{PackRequest, Who};

use crate::{
    AudienceArgs, Common, PrintArgs, finish, load_config, origin, print_not_computable_of,
    print_written, problems, resolve_input,
};

#[derive(Debug, Args)]
pub struct PackArgs {
    /// Input folder laid out as <la>/<collection year>/*.csv, holding the
    /// group's returns (and, for those that keep them, their IRO records).
    #[arg(value_name = "INPUT")]
    input: Option<PathBuf>,
    /// Compare a region's authorities (those that exist in the year): name,
    /// e.g. "South West", or ONS code E12….
    #[arg(long, value_name = "REGION", conflicts_with_all = ["group_las", "group"], required_unless_present_any = ["group_las", "group"])]
    region: Option<String>,
    /// Compare these authorities (comma-separated DfE codes).
    #[arg(
        long = "las",
        value_name = "CODES",
        value_delimiter = ',',
        conflicts_with = "group"
    )]
    group_las: Vec<String>,
    /// Compare a group of iro.toml's [[groups]] (its name); its letters, if
    /// it has them, make the pack anonymised.
    #[arg(long, value_name = "NAME")]
    group: Option<String>,
    /// The collection year compared (default: the latest in the input).
    #[arg(long = "pack-year", value_name = "YEAR")]
    pack_year: Option<i32>,
    /// The group's target for reviews held on time, in % (over the group's
    /// review_target in iro.toml).
    #[arg(long, value_name = "PERCENT")]
    target: Option<f64>,
    /// Output folder: the pack goes to <DIR>/pack/ (default: out/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    audience: AudienceArgs,
    #[command(flatten)]
    print: PrintArgs,
    #[command(flatten)]
    common: Common,
}

pub fn pack(args: PackArgs) -> Result<ExitCode> {
    let mut config = load_config(&args.common)?;
    if let Some(out) = &args.out {
        config.output.dir = out.clone();
    }
    args.audience.apply(&mut config)?;
    let pdf = args.print.browser(&mut config)?;
    if let Some(t) = args.target
        && !(0.0..=100.0).contains(&t)
    {
        anyhow::bail!("--target {t}: a percentage from 0 to 100");
    }
    let who = match (&args.region, &args.group) {
        (Some(r), _) => Who::Region(r.clone()),
        (None, Some(g)) => Who::Group(g.clone()),
        (None, None) => Who::List(args.group_las.clone()),
    };
    let dir = config.output.dir.join("pack");
    let mut pipeline = iro_pipeline::Pipeline::for_run(config, origin(&args.common, &args.input))?;
    crate::say_overlay(pipeline.reference(), args.common.quiet);
    let source = resolve_input(pipeline.config(), args.input.clone())?;
    let request = PackRequest {
        who,
        year: args.pack_year,
        review_target: args.target,
        dir,
        pdf,
    };
    let packed = iro_pipeline::pack::run(&mut pipeline, &source, &request, &|_| {})?;
    for w in &packed.warnings {
        eprintln!("warning: {w}");
    }
    if !packed.without_return.is_empty() {
        problems::wrapped(
            &mut std::io::stderr().lock(),
            "warning: ",
            &format!(
                "no return in the input for {} in {}: their figures show as x",
                packed.without_return.join(", "),
                packed.year.label()
            ),
            2,
        )?;
    }
    if !args.common.quiet {
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "{} ({} authorities), {}: pack built in {:.2} s",
            packed.group.name,
            packed.group.members.len(),
            packed.year.label(),
            packed.seconds
        )?;
        print_written(&mut stdout, &packed.files)?;
        // IRO records are the service's own: most authorities keep none in
        // the shared format, which the pack says once, not per metric.
        let year = packed.year.0;
        let with: Vec<String> = packed
            .group
            .members
            .iter()
            .filter(|m| with_records(&packed.result, &m.area_code(), year))
            .map(|m| m.label())
            .collect();
        problems::wrapped(
            &mut stdout,
            "IRO records: ",
            &format!(
                "supplied by {} of {} authorities for {}{}; the others' IRO-record figures \
                 say \"not supplied\".",
                with.len(),
                packed.group.members.len(),
                packed.year.label(),
                if with.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", with.join(", "))
                }
            ),
            2,
        )?;
        // Why the exit code is 1, if it is: the data's warnings, in a line.
        let far: Vec<String> = packed
            .group
            .members
            .iter()
            .filter(|m| {
                packed
                    .result
                    .quality
                    .published_flag(&m.area_code(), year)
                    .is_some()
            })
            .map(|m| m.label())
            .collect();
        if !far.is_empty() {
            problems::wrapped(
                &mut stdout,
                "Check the data: ",
                &format!(
                    "the count at 31 March {year} is far from the DfE's for {} (Annex B of the \
                     pack).",
                    far.join(", ")
                ),
                2,
            )?;
        }
        let warnings = packed
            .result
            .loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity >= iro_domain::Severity::Warning)
            .count();
        if warnings > 0 {
            problems::wrapped(
                &mut stdout,
                "Data problems: ",
                &format!(
                    "{warnings} warning(s) or error(s) in the input files: `iro validate` lists \
                     them by rule, with the rows."
                ),
                2,
            )?;
        }
        writeln!(stdout)?;
        let members: Vec<String> = packed.group.members.iter().map(|m| m.area_code()).collect();
        print_not_computable_of(&mut stdout, &packed.result, &|s| {
            let iro_records = matches!(s.metric.as_str(), "service-records" | "drp-flow");
            s.year == year
                && members.contains(&s.la_code)
                && (!iro_records || with_records(&packed.result, &s.la_code, year))
        })?;
    }
    Ok(finish(&packed.result))
}

/// Whether the authority supplied any IRO records for the year (its
/// service-records or DRP figures were computed).
fn with_records(result: &iro_engine::RunResult, la: &str, year: i32) -> bool {
    result.statuses.iter().any(|s| {
        s.year == year
            && s.la_code == la
            && matches!(s.metric.as_str(), "service-records" | "drp-flow")
            && matches!(s.outcome, iro_engine::Outcome::Ok(_))
    })
}
