//! `iro pack`: the regional pack. Arguments and printing only: the run and
//! the document are `iro_pipeline::pack`'s and `iro_pack`'s.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use iro_pipeline::pack::{PackRequest, Who};

use crate::{
    AudienceArgs, Common, PrintArgs, finish, load_config, origin, print_not_computable,
    print_written, resolve_input,
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
        eprintln!(
            "warning: no return in the input for {} in {}: their figures show as x",
            packed.without_return.join(", "),
            packed.year.label()
        );
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
        print_not_computable(&mut stdout, &packed.result)?;
    }
    Ok(finish(&packed.result))
}
