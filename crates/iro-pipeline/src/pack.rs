//! `iro pack`: one engine run over the group's authorities, then the
//! regional pack (`iro_pack`) written through the report's renderers.

use std::path::PathBuf;
use std::time::Instant;

use iro_domain::{CollectionYear, LaCode};
use iro_engine::{Progress, RunResult};
use iro_ingest::InputSource;
use iro_pack::{Group, GroupError};

use crate::{Pipeline, PipelineError, Steps};

/// Who the pack compares.
#[derive(Debug, Clone, PartialEq)]
pub enum Who {
    /// A region's authorities that exist in the year (name or ONS code).
    Region(String),
    /// These authorities (DfE codes).
    List(Vec<String>),
    /// A `[[groups]]` group of iro.toml, by name.
    Group(String),
}

/// What to write.
#[derive(Debug, Clone)]
pub struct PackRequest {
    pub who: Who,
    /// The collection year compared; `None`: the latest year of the input.
    pub year: Option<i32>,
    /// The group's target for reviews on time (%), over the group's own.
    pub review_target: Option<f64>,
    /// Where the pack goes.
    pub dir: PathBuf,
    /// Also print it to PDF with this browser.
    pub pdf: Option<iro_report::print::Browser>,
}

/// What [`run`] computed and wrote.
#[derive(Debug)]
pub struct Packed {
    pub result: RunResult,
    pub group: Group,
    pub year: CollectionYear,
    pub files: Vec<PathBuf>,
    pub warnings: Vec<String>,
    /// Members with no return in the input for the year.
    pub without_return: Vec<String>,
    /// Building and writing the pack, after the engine run.
    pub seconds: f64,
}

/// Errors of the pack alone.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error(transparent)]
    Group(#[from] GroupError),
    #[error("the input has no return for any year: nothing to compare")]
    NoYears,
}

impl From<PackError> for PipelineError {
    fn from(e: PackError) -> Self {
        PipelineError::Params(e.to_string())
    }
}

/// The authorities to compute before the year is known: a region's every
/// authority of any year (narrowed to the year's once it is known).
fn candidates(pipeline: &Pipeline, who: &Who) -> Result<Vec<String>, PipelineError> {
    Ok(match who {
        Who::Region(r) => crate::region_las(pipeline.reference(), r)?,
        Who::List(las) => las.clone(),
        Who::Group(name) => iro_pack::group::settings(&pipeline.config().groups, name)
            .map_err(PackError::from)?
            .las
            .clone(),
    })
}

/// Runs the engine on the group's authorities and writes the pack.
pub fn run(
    pipeline: &mut Pipeline,
    source: &InputSource,
    request: &PackRequest,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Packed, PipelineError> {
    let las = candidates(pipeline, &request.who)?;
    pipeline.config_mut().run.las = las;
    let run = pipeline.run(source, &Steps::default(), progress)?;
    let started = Instant::now();
    let year = match request.year {
        Some(y) => CollectionYear(y),
        None => *run.result.years.last().ok_or(PackError::NoYears)?,
    };
    let reference = pipeline.reference();
    let config = pipeline.config();
    let mut group = match &request.who {
        Who::Region(r) => Group::region(reference, r, year),
        Who::List(las) => Group::list(reference, las, None, year),
        Who::Group(name) => Group::configured(reference, &config.groups, name, year),
    }
    .map_err(PackError::from)?;
    if request.review_target.is_some() {
        group.review_target = request.review_target;
    }
    let input = iro_pack::PackInput {
        group: &group,
        year,
        rows: &run.result.rows,
        accounts: &run.result.loaded.accounts,
        quality: &run.result.quality,
        reference,
        disclosure: config.suppression.disclosure(),
        settings: &config.report,
    };
    let report = iro_pack::build(&input);
    let dir = &request.dir;
    let report_err = |source| PipelineError::Report {
        dir: dir.clone(),
        source,
    };
    let mut files = iro_pack::write(&report, dir).map_err(report_err)?;
    let mut warnings = Vec::new();
    if let Some(browser) = &request.pdf {
        let (pdf, warning) = iro_report::print_report(&report, dir, browser).map_err(report_err)?;
        warnings.extend(warning);
        files.insert(1, pdf);
    }
    let supplied: Vec<LaCode> = run
        .result
        .loaded
        .accounts
        .iter()
        .filter(|a| a.year == year && a.rows_read > 0)
        .map(|a| a.la)
        .collect();
    let without_return = group
        .members
        .iter()
        .filter(|m| !supplied.contains(&m.la))
        .map(|m| m.label())
        .collect();
    Ok(Packed {
        result: run.result,
        group,
        year,
        files,
        warnings,
        without_return,
        seconds: started.elapsed().as_secs_f64(),
    })
}
