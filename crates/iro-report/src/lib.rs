//! # iro-report
//!
//! The IRO annual report: one self-contained HTML file (inline SVG charts,
//! inline CSS with a print stylesheet for a clean A4 PDF), one Markdown file
//! (charts as SVG files beside it), one Excel workbook of its tables
//! ([`xlsx`]) and one editable Word document ([`docx`]: heading styles, a
//! table-of-contents field, real tables, charts as PNG with alt text) per
//! authority and year, with the service's own narrative from a file the tool
//! never writes. Every file is rendered from one document model ([`model`]),
//! so they all say the same thing.
//!
//! **Invariants:** the report reads only the shareable, already-suppressed
//! tables the engine writes (the rows of `metrics.csv`, `cohort_summary.csv`,
//! `targets.csv`, and the task statuses of `run.json`), never the cohort; it
//! computes nothing beyond formatting; the same tables and narrative give
//! byte-identical files; changing the narrative changes only the narrative's
//! text in them. Sections, and the metric ids each shows, are listed in one
//! table: [`sections::SECTIONS`].

pub mod charts;
pub mod data;
pub mod docx;
pub mod format;
pub mod html;
pub mod markdown;
pub mod model;
pub mod narrative;
pub mod print;
pub mod quality;
pub mod sections;
pub mod xlsx;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use iro_charts::standard::NamedChart;
use iro_metric_api::{MetricRow, MetricSpec, Reference};
use iro_results::{SummaryRow, TaskStatus};
use rayon::prelude::*;

pub use model::{DocumentKind, Report};
pub use narrative::Narrative;
pub use sections::{SECTIONS, SectionSpec};

use crate::data::LaRows;
use crate::model::{Block, Figure, Section};
use crate::sections::{Ctx, Draft, Layout};

/// Errors writing or reading report files.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot make the workbook {path}: {reason}")]
    Xlsx { path: PathBuf, reason: String },
    #[error("cannot make the Word document {path}: {reason}")]
    Docx { path: PathBuf, reason: String },
    #[error("cannot print the report {stem} to PDF")]
    Print {
        stem: String,
        source: Box<print::PrintError>,
    },
    #[error("no figures for authority {la} in {year}")]
    NoData { la: String, year: String },
}

/// One local target in one authority, year and period, met or not: a row
/// of `targets.csv`.
pub use iro_results::TargetResult as TargetRow;

/// Everything the report may read: the shareable tables of one run.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The suppressed tidy rows (`metrics.csv`).
    pub rows: &'a [MetricRow],
    /// "Table 1" (`cohort_summary.csv`).
    pub summary: &'a [SummaryRow],
    /// Local targets (`targets.csv`).
    pub targets: &'a [TargetRow],
    /// What happened to each metric task (`run.json`).
    pub statuses: &'a [TaskStatus],
    /// The data-quality gate's findings (`run.json`'s `data_quality`): the
    /// "Data quality" box and the marks on the sections it touches.
    pub quality: &'a iro_results::DataQuality,
    /// The metrics run, for measure titles and versions.
    pub specs: &'a [MetricSpec],
    /// Names of authorities and regions.
    pub reference: &'a Reference,
    /// Who the rows were suppressed for, and the threshold applied (0 = off).
    pub disclosure: iro_results::Disclosure,
    /// `[report]`: cover details, draft or final.
    pub settings: &'a iro_results::ReportSettings,
    /// The charts crate's standard set drawn from the same rows (as `iro run`
    /// writes it); `None`: the report makes it.
    pub charts: Option<&'a [NamedChart]>,
}

/// Where the reports go and which to write.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// `<out>/report`.
    pub dir: PathBuf,
    /// Folder of `<la>.md` narrative files.
    pub narrative_dir: PathBuf,
    /// Authorities to report (DfE codes); empty = every authority in the run.
    pub las: Vec<String>,
    /// Collection year to report; `None` = each authority's latest.
    pub year: Option<i32>,
    /// Also print each report to PDF with this browser ([`print`]).
    pub pdf: Option<print::Browser>,
}

/// What [`write_reports`] did.
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    /// Narrative problems (unknown or repeated section headings).
    pub warnings: Vec<String>,
}

/// Most years shown in a trend table ("over five years").
pub const TREND_YEARS: usize = 5;

/// The authorities in the run (3-digit codes), sorted.
pub fn authorities(input: &ReportInput<'_>) -> Vec<String> {
    let mut las: BTreeSet<&str> = input.statuses.iter().map(|s| s.la_code.as_str()).collect();
    las.extend(
        input
            .rows
            .iter()
            .map(|r| r.la_code.as_str())
            .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit())),
    );
    las.into_iter().map(String::from).collect()
}

fn la_name(input: &ReportInput<'_>, la: &str) -> (String, String) {
    match la
        .parse::<iro_domain::LaCode>()
        .ok()
        .and_then(|c| input.reference.la(c))
    {
        Some(id) => (id.name.clone(), id.region.name.clone()),
        None => (format!("Authority {la}"), String::new()),
    }
}

/// Builds one authority's report for `year` (default: its latest year).
pub fn build_report(
    input: &ReportInput<'_>,
    la: &str,
    year: Option<i32>,
    narrative: &Narrative,
) -> Result<Report, ReportError> {
    let rows: Vec<&MetricRow> = input.rows.iter().filter(|r| r.la_code == la).collect();
    let own;
    let charts = match input.charts {
        Some(c) => c,
        None => {
            own = standard_charts(input, &[la.to_string()]);
            &own
        }
    };
    build_with(input, la, year, narrative, &rows, charts)
}

/// The charts crate's standard set for `las`, compared with the DfE's
/// published figures.
///
/// Every authority of the run is compared with its own figures (the others
/// with the DfE's), whichever authorities are reported, so a funnel plot is
/// the same in every report of a run; charts are kept only for `las`.
pub fn standard_charts(input: &ReportInput<'_>, las: &[String]) -> Vec<NamedChart> {
    let set = iro_charts::standard::standard_set(
        input.rows,
        &iro_charts::standard::published_rows(input.reference),
        &iro_charts::standard::areas_from_reference(input.reference),
        &iro_charts::standard::Options {
            years: TREND_YEARS,
            png: false,
            ..Default::default()
        },
    );
    set.charts
        .into_iter()
        .filter(|c| las.contains(&c.la_code))
        .collect()
}

fn build_with(
    input: &ReportInput<'_>,
    la: &str,
    year: Option<i32>,
    narrative: &Narrative,
    la_rows: &[&MetricRow],
    charts: &[NamedChart],
) -> Result<Report, ReportError> {
    let rows = LaRows::new(la_rows.iter().copied());
    let chart_rows = iro_charts::build::Rows::new(la_rows.iter().copied());
    let statuses: Vec<&TaskStatus> = input.statuses.iter().filter(|s| s.la_code == la).collect();
    let mut years: BTreeSet<i32> = statuses.iter().map(|s| s.year).collect();
    years.extend(la_rows.iter().map(|r| r.year));
    let year = match year.or_else(|| years.last().copied()) {
        Some(y) if years.contains(&y) => y,
        y => {
            return Err(ReportError::NoData {
                la: la.to_string(),
                year: y
                    .map(|y| y.to_string())
                    .unwrap_or_else(|| "any year".into()),
            });
        }
    };
    let trend: Vec<i32> = {
        let before: Vec<i32> = years.iter().copied().filter(|&y| y <= year).collect();
        before[before.len().saturating_sub(TREND_YEARS)..].to_vec()
    };
    let (name, region) = la_name(input, la);
    let ctx = Ctx {
        la,
        la_name: &name,
        region: &region,
        year,
        years: trend,
        rows: &rows,
        chart_rows: &chart_rows,
        summary: input.summary.iter().filter(|s| s.la_code == la).collect(),
        targets: input.targets.iter().filter(|t| t.la_code == la).collect(),
        standard: charts.iter().filter(|c| c.la_code == la).collect(),
        statuses,
        specs: input.specs,
        disclosure: input.disclosure,
        reference: input.reference,
        published_flag: input.quality.published_flag(la, year),
    };
    let quality = quality::build(input.quality, la, &ctx.years);
    let mut sections = Vec::new();
    let (mut tables, mut figures) = (0, 0);
    let is_final = input.settings.status == iro_results::ReportStatus::Final;
    // A final report leaves out a section of the service's words only that
    // the service has not written (a draft prompts for it instead).
    let specs = SECTIONS.iter().filter(|spec| {
        !(is_final && spec.layout == Layout::NarrativeOnly && narrative.get(spec.id).is_none())
    });
    for (i, spec) in specs.enumerate() {
        let mut blocks: Vec<Block> = quality
            .affected
            .iter()
            .filter(|(id, _)| *id == spec.id)
            .map(|(_, words)| Block::DataQuality(words.clone()))
            .collect();
        for d in sections::build(spec, &ctx) {
            match d {
                Draft::Block(Block::Table(mut t)) => {
                    tables += 1;
                    t.number = tables;
                    blocks.push(Block::Table(t));
                }
                Draft::Block(b) => blocks.push(b),
                Draft::Figure {
                    slug,
                    caption,
                    chart,
                } => {
                    figures += 1;
                    blocks.push(Block::Figure(draw(figures, slug, caption, &chart)));
                }
            }
        }
        sections.push(Section {
            id: spec.id,
            number: i + 1,
            title: spec.title,
            blocks,
            narrative: narrative.get(spec.id).map(str::to_string),
            narrative_only: spec.layout == Layout::NarrativeOnly,
        });
    }
    Ok(Report {
        kind: crate::model::DocumentKind::AnnualReport,
        la_code: la.to_string(),
        la_name: name,
        region,
        year,
        year_label: iro_domain::CollectionYear(year).label(),
        period_text: format!("1 April {} to 31 March {year}", year - 1),
        disclosure: input.disclosure,
        settings: input.settings.clone(),
        data_quality: quality.lines,
        sections,
        images: narrative.images.clone(),
    })
}

/// Draws a chart as figure `number` of a document; a chart that cannot be
/// drawn keeps its text and data table.
pub fn draw(number: usize, slug: String, caption: String, chart: &iro_charts::Chart) -> Figure {
    let alt = iro_charts::alt_text(chart);
    let alt = if alt.trim().is_empty() {
        format!(
            "{}: {}. The figures are in the table that follows.",
            chart.kind_name(),
            chart.meta().title
        )
    } else {
        alt
    };
    // The caption above the chart names it: drawn without its own title,
    // so the page does not say the same thing twice.
    let mut untitled = chart.clone();
    untitled.meta_mut().title.clear();
    Figure {
        number,
        slug,
        caption,
        alt,
        svg: iro_charts::svg(&untitled).map_err(|e| e.to_string()),
        data: iro_charts::data_table(chart),
        chart: Some(Box::new(untitled)),
    }
}

/// The narrative file of an authority.
pub fn narrative_path(dir: &Path, la: &str) -> PathBuf {
    dir.join(format!("{la}.md"))
}

/// Writes the HTML and Markdown reports (and the Markdown's SVG charts) of
/// every authority asked for, in parallel.
pub fn write_reports(
    input: &ReportInput<'_>,
    options: &ReportOptions,
) -> Result<Written, ReportError> {
    let las: Vec<String> = if options.las.is_empty() {
        authorities(input)
    } else {
        options.las.clone()
    };
    std::fs::create_dir_all(&options.dir).map_err(write_err(&options.dir))?;
    let mut by_la: BTreeMap<&str, Vec<&MetricRow>> = BTreeMap::new();
    for r in input.rows {
        by_la.entry(r.la_code.as_str()).or_default().push(r);
    }
    let known = sections::section_ids();
    let own;
    let charts = match input.charts {
        Some(c) => c,
        None => {
            own = standard_charts(input, &las);
            &own
        }
    };
    let results: Vec<Result<Written, ReportError>> = las
        .par_iter()
        .map(|la| {
            let narrative = Narrative::load(&narrative_path(&options.narrative_dir, la), &known)?;
            let rows: &[&MetricRow] = by_la.get(la.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let report = build_with(input, la, options.year, &narrative, rows, charts)?;
            let mut files = write_report(&report, &options.dir)?;
            let mut warnings = narrative.warnings;
            if let Some(browser) = &options.pdf {
                let (pdf, warning) = print_report(&report, &options.dir, browser)?;
                warnings.extend(warning);
                files.insert(1, pdf);
            }
            Ok(Written { files, warnings })
        })
        .collect();
    let mut out = Written::default();
    let s = input.settings;
    if s.status == iro_results::ReportStatus::Final {
        let lacking: Vec<&str> = [
            ("author", &s.author),
            ("approver", &s.approver),
            ("date", &s.date),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k)
        .collect();
        if !lacking.is_empty() {
            out.warnings.push(format!(
                "the report is final but its cover has no {}: add {} under [report] in iro.toml",
                lacking.join(", "),
                lacking
                    .iter()
                    .map(|k| format!("{k} = \"…\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    for r in results {
        let w = r?;
        out.files.extend(w.files);
        out.warnings.extend(w.warnings);
    }
    Ok(out)
}

/// Prints a written report (or pack) to `<stem>.pdf` in `dir`; returns the
/// PDF and, when its sections kept moving between printings, a warning.
pub fn print_report(
    report: &Report,
    dir: &Path,
    browser: &print::Browser,
) -> Result<(PathBuf, Option<String>), ReportError> {
    let printed = print::write_pdf(report, dir, browser).map_err(|source| ReportError::Print {
        stem: report.file_stem(),
        source: Box::new(source),
    })?;
    let warning = (!printed.settled).then(|| {
        format!(
            "{}: the sections kept moving between printings; check the contents' page numbers",
            printed.pdf.display()
        )
    });
    Ok((printed.pdf, warning))
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// The folder of a report's SVG charts, beside its Markdown file.
pub fn charts_dir_name(report: &Report) -> String {
    format!("{}-charts", report.file_stem())
}

/// Writes `<stem>.html`, `<stem>.md`, `<stem>.xlsx` (every table, a sheet
/// each), `<stem>.docx` (the editable Word document) and `<stem>-charts/*.svg`
/// into `dir`.
pub fn write_report(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let stem = report.file_stem();
    let html_path = dir.join(format!("{stem}.html"));
    std::fs::write(&html_path, html::render(report)).map_err(write_err(&html_path))?;
    let md_path = dir.join(format!("{stem}.md"));
    std::fs::write(&md_path, markdown::render(report)).map_err(write_err(&md_path))?;
    let xlsx_path = dir.join(format!("{stem}.xlsx"));
    xlsx::write(report, &xlsx_path)?;
    let docx_path = dir.join(format!("{stem}.docx"));
    docx::write(report, &docx_path)?;
    let mut files = vec![html_path, md_path, xlsx_path, docx_path];
    let charts = dir.join(charts_dir_name(report));
    std::fs::create_dir_all(&charts).map_err(write_err(&charts))?;
    let mut keep = BTreeSet::new();
    for f in report.figures() {
        if let Ok(svg) = &f.svg {
            let name = format!("{}.svg", f.slug);
            let p = charts.join(&name);
            std::fs::write(&p, svg).map_err(write_err(&p))?;
            keep.insert(name);
            files.push(p);
        }
    }
    if !report.images.is_empty() {
        let images = dir.join(report.images_dir_name());
        std::fs::create_dir_all(&images).map_err(write_err(&images))?;
        for img in report.images.values() {
            let p = images.join(&img.name);
            std::fs::write(&p, &img.bytes).map_err(write_err(&p))?;
            files.push(p);
        }
    }
    // Charts of an earlier run that this report no longer has.
    if let Ok(entries) = std::fs::read_dir(&charts) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".svg") && !keep.contains(&name) {
                let p = e.path();
                std::fs::remove_file(&p).map_err(write_err(&p))?;
            }
        }
    }
    Ok(files)
}

/// Writes the narrative template for each authority where no narrative file
/// exists; returns (path, written). An existing file is never touched.
pub fn init_narratives(
    reference: &Reference,
    las: &[String],
    dir: &Path,
) -> Result<Vec<(PathBuf, bool)>, ReportError> {
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    let prompts: Vec<(&str, &str, &str)> =
        SECTIONS.iter().map(|s| (s.id, s.title, s.prompt)).collect();
    let mut out = Vec::new();
    for la in las {
        let path = narrative_path(dir, la);
        if path.exists() {
            out.push((path, false));
            continue;
        }
        let name = la
            .parse::<iro_domain::LaCode>()
            .ok()
            .and_then(|c| reference.la(c))
            .map(|i| i.name.clone())
            .unwrap_or_else(|| format!("Authority {la}"));
        let text = narrative::template(&name, la, &prompts);
        // `create_new`: never overwrite, even if the file appeared meanwhile.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                use std::io::Write;
                f.write_all(text.as_bytes()).map_err(write_err(&path))?;
                out.push((path, true));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => out.push((path, false)),
            Err(source) => return Err(ReportError::Write { path, source }),
        }
    }
    Ok(out)
}
