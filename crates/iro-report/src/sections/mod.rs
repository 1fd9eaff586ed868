//! The sections of the report, in the order of the National IRO Managers
//! Partnership template as the authorities' own reports follow it, and what
//! each shows.
//!
//! [`SECTIONS`] is the one table mapping a section to the metric ids it shows.
//! A section whose layout is [`Layout::Generic`] shows every measure it lists
//! (an exact `crate.measure`, or every measure of `crate.`) as a table by
//! period and breakdown, with a chart where the shape allows; listing exact ids
//! there fixes their order.
//!
//! Each layout is drawn by its own module (`placements` for
//! [`Layout::Placements`], `generic` for [`Layout::Generic`], …); this module
//! holds the section list, the [`Ctx`] a builder reads and the drafting helpers
//! several layouts share.

mod about;
mod benchmarking;
mod care_leavers;
mod children_in_care;
mod generic;
mod introduction;
mod leaving_care;
mod local_targets;
mod placements;
mod profile;
mod timeliness;
mod uasc;
mod voice;

use iro_charts::build::{self as cb, Categories};
use iro_charts::standard::NamedChart;
use iro_charts::{Chart, ChartError, ChartMeta};
use iro_metric_api::{MeasureId, MetricRow, MetricSpec, Period, Unit};
use iro_results::SummaryRow;
use iro_results::{Direction, Outcome, TaskStatus};

use crate::TargetRow;
use crate::data::LaRows;
use crate::format::{Shown, in_unit};
use crate::model::{Block, Table, TableRow};

/// How a section is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The service's words only.
    NarrativeOnly,
    Introduction,
    /// "Table 1": children in care over five years.
    ChildrenInCare,
    LeavingCare,
    /// Care leavers aged 17 to 21 (OC3): in touch, accommodation, activity,
    /// against England.
    CareLeavers,
    ReviewTimeliness,
    Profile,
    Placements,
    /// Unaccompanied asylum-seeking children at 31 March and starting in
    /// the year.
    Uasc,
    Participation,
    LocalTargets,
    /// The charts crate's comparison charts (rate trend against region and
    /// England, funnel plot), then the listed measures as [`Layout::Generic`].
    Benchmarking,
    /// Every listed measure as a table by period and breakdown.
    Generic,
    About,
}

/// One section of the report.
#[derive(Debug, Clone, Copy)]
pub struct SectionSpec {
    /// Stable id: the `## <id>` heading of the narrative file.
    pub id: &'static str,
    pub title: &'static str,
    /// The measures shown (each metric's own constants). Empty: the section
    /// shows no metric.
    pub metrics: &'static [MeasureId],
    pub layout: Layout,
    /// [`Layout::Generic`]: the measures also drawn as a chart by quarter
    /// (the others are tables only).
    pub charts: &'static [MeasureId],
    /// [`Layout::Generic`]: the caption of the table of measures with no
    /// breakdown that holds the given measure (measures next to each other
    /// in `metrics`, with the same periods, share a table, a row each).
    pub groups: &'static [(MeasureId, &'static str)],
    /// Said after "Not available:" when none of `metrics` has a row.
    pub if_missing: &'static str,
    /// The prompt in the narrative template.
    pub prompt: &'static str,
}

/// Every section, in report order. **The mapping section → metric ids.**
pub const SECTIONS: &[SectionSpec] = &[
    SectionSpec {
        id: "introduction",
        title: "Introduction and purpose of the report",
        metrics: &[],
        layout: Layout::Introduction,
        charts: &[],
        groups: &[],
        if_missing: "",
        prompt: "Who the report is for (the Director of Children's Services, the Lead Member, the \
                 Corporate Parenting Board), the statutory basis (IRO Handbook 2010) and where it \
                 will be published.",
    },
    SectionSpec {
        id: "iro-service",
        title: "The IRO service",
        metrics: &[],
        layout: Layout::NarrativeOnly,
        charts: &[],
        groups: &[],
        if_missing: "",
        prompt: "The service's structure and where it sits, staffing and vacancies in the year, \
                 changes of IRO for children, regional IRO managers' group.",
    },
    SectionSpec {
        id: "children-in-care",
        title: "Children in care over five years",
        metrics: &[
            cohort_summary::CLA_31_MARCH,
            cohort_summary::CLA_CHANGE,
            cohort_summary::CLA_RATE,
            cohort_summary::STARTS,
            cohort_summary::CEASES,
            cohort_summary::DURING_YEAR,
        ],
        layout: Layout::ChildrenInCare,
        charts: &[],
        groups: &[],
        if_missing: "no children-looked-after figures (cohort-summary) for this year",
        prompt: "What lies behind the numbers: entries, exits, the trend over five years.",
    },
    SectionSpec {
        id: "leaving-care",
        title: "Reasons for leaving care",
        metrics: &[cohort_summary::CEASED_REASON, cohort_summary::CEASES],
        layout: Layout::LeavingCare,
        charts: &[],
        groups: &[],
        if_missing: "no figures on why children ceased to be looked after, from cohort-summary",
        prompt: "Reunification, special guardianship, adoption, leaving care at 18: how IROs \
                 oversaw these plans.",
    },
    SectionSpec {
        id: "care-leavers",
        title: "Care leavers",
        metrics: &[
            ::care_leavers::IN_SCOPE,
            ::care_leavers::CONTACT,
            ::care_leavers::ACCOMMODATION,
            ::care_leavers::ACTIVITY,
            ::care_leavers::NOT_COUNTED,
        ],
        layout: Layout::CareLeavers,
        charts: &[],
        groups: &[],
        if_missing: "no care-leaver figures: care-leavers needs the year's OC3 table (care leavers \
                     aged 17 to 21) and Header",
        prompt: "Where the care leavers the service is not in touch with are, pathway plans and \
                 personal advisers, staying put, and what IROs did before young people left care.",
    },
    SectionSpec {
        id: "review-timeliness",
        title: "Timeliness of reviews",
        metrics: &[
            review_timeliness::HELD,
            review_timeliness::ON_TIME,
            review_timeliness::LATE,
            review_timeliness::DAYS_LATE_MEDIAN,
            review_timeliness::OVERDUE_AT_END,
        ],
        layout: Layout::ReviewTimeliness,
        charts: &[],
        groups: &[],
        if_missing: "no review timeliness figures: review-timeliness needs the Episodes and Reviews tables",
        prompt: "Why reviews were late in the quarters where fewer were on time (staffing, \
                 reallocations), and what the service did about it.",
    },
    SectionSpec {
        id: "service-records",
        title: "IRO service records: reports, review records, allocation and caseloads",
        metrics: &[
            service_records::SW_REPORT_ON_TIME,
            service_records::SW_REPORT_RECEIVED,
            service_records::DECISIONS_ON_TIME,
            service_records::RECORD_ON_TIME,
            service_records::RECORD_WORKING_DAYS_MEDIAN,
            service_records::MIDWAY_ON_TIME,
            service_records::ALLOCATED_ON_TIME,
            service_records::CHILDREN_CHANGED_IRO,
            service_records::CASELOAD_IROS,
            service_records::CASELOAD_MEAN,
            service_records::CASELOAD_MAX,
            service_records::CHILDREN_WITHOUT_IRO,
            service_records::REVIEWS_HELD,
            service_records::REVIEWS_CANCELLED,
        ],
        layout: Layout::Generic,
        charts: &[
            service_records::SW_REPORT_ON_TIME,
            service_records::RECORD_ON_TIME,
            service_records::ALLOCATED_ON_TIME,
        ],
        groups: &[
            (
                service_records::SW_REPORT_ON_TIME,
                "Social workers' reports, decisions, review records and midway reviews",
            ),
            (service_records::ALLOCATED_ON_TIME, "Allocating an IRO"),
            (
                service_records::CASELOAD_IROS,
                "IROs and their caseloads at the end of each quarter",
            ),
            (
                service_records::REVIEWS_CANCELLED,
                "Review meetings cancelled",
            ),
        ],
        if_missing: "no IRO service records in the input: the service's own review, allocation \
                     and midway-review tables, see docs/DATA.md",
        prompt: "Social work reports before reviews, review records distributed within 20 working \
                 days, IRO allocation and caseloads, midway reviews.",
    },
    SectionSpec {
        id: "profile",
        title: "Profile of children in care at 31 March",
        metrics: &[cohort_summary::PROFILE],
        layout: Layout::Profile,
        charts: &[],
        groups: &[],
        if_missing: "no profile of children looked after at 31 March, from cohort-summary",
        prompt: "How the profile compares with England and last year; disabled children; \
                 unaccompanied asylum-seeking children; legal status and what IROs see in it.",
    },
    SectionSpec {
        id: "placements",
        title: "Placements: distance, stability and type",
        metrics: &[
            placement_distance::DISTANCE,
            placement_distance::LOCATION,
            placement_distance::DISTANCE_BAND,
            placement_stability::THREE_PLUS_PLACEMENTS,
            placement_stability::THREE_PLUS_PLACEMENTS_2Y,
            placement_stability::LONG_TERM_STABILITY,
            placement_stability::MOVES,
            placement_stability::PLACEMENT_TYPE,
        ],
        layout: Layout::Placements,
        charts: &[],
        groups: &[],
        if_missing: "no placement figures, from placement-distance and placement-stability",
        prompt: "Sufficiency, children placed far from home, stability meetings, residential \
                 care: what IROs saw and challenged.",
    },
    SectionSpec {
        id: "uasc",
        title: "Unaccompanied asylum-seeking children",
        metrics: &[
            cohort_summary::PROFILE,
            cohort_summary::UASC_PROFILE,
            cohort_summary::UASC_STARTS,
        ],
        layout: Layout::Uasc,
        charts: &[],
        groups: &[],
        if_missing: "no figures on unaccompanied asylum-seeking children at 31 March, from \
                     cohort-summary",
        prompt: "Where UASC are placed, the National Transfer Scheme, specialist social workers, \
                 how IROs make sure UASC understand their rights and are heard.",
    },
    SectionSpec {
        id: "participation",
        title: "Voice of the child: participation in reviews",
        metrics: &[participation::PARTICIPATED, participation::DISTRIBUTION],
        layout: Layout::Participation,
        charts: &[],
        groups: &[],
        if_missing: "no participation figures: participation needs the Reviews table",
        prompt: "How children took part, advocacy, feedback from children, families and \
                 professionals, complaints.",
    },
    SectionSpec {
        id: "drp",
        title: "Dispute resolution protocol",
        metrics: &[
            drp_flow::DRPS_RAISED,
            drp_flow::CHILDREN,
            drp_flow::ESCALATIONS,
            drp_flow::ISSUES,
            drp_flow::OUTCOMES,
            drp_flow::RESPONSES_ON_TIME,
            drp_flow::RESOLUTION_WORKING_DAYS_MEDIAN,
            drp_flow::ENDED_WITHIN_TIMESCALE,
            drp_flow::OPEN_AT_END,
        ],
        layout: Layout::Generic,
        charts: &[drp_flow::ESCALATIONS, drp_flow::ISSUES],
        groups: &[
            (
                drp_flow::DRPS_RAISED,
                "DRPs raised and the children they were for",
            ),
            (
                drp_flow::RESOLUTION_WORKING_DAYS_MEDIAN,
                "How quickly DRPs were resolved",
            ),
        ],
        if_missing: "no dispute resolution records in the input: the service's DRP log, see \
                     docs/DATA.md",
        prompt: "The themes IROs escalated, how they were resolved, and what changed for children.",
    },
    SectionSpec {
        id: "quality-assurance",
        title: "Quality assurance by the IRO service",
        metrics: &[],
        layout: Layout::NarrativeOnly,
        charts: &[],
        groups: &[],
        if_missing: "",
        prompt: "Practice themes IROs raised with managers, audits, and what came of them.",
    },
    SectionSpec {
        id: "local-targets",
        title: "Local targets",
        metrics: &[],
        layout: Layout::LocalTargets,
        charts: &[],
        groups: &[],
        if_missing: "no local targets are set: add [[targets]] to iro.toml, see docs/CONFIG.md",
        prompt: "Why a target was or was not met, and the targets for next year.",
    },
    SectionSpec {
        id: "benchmarking",
        title: "Benchmarking: England, region and statistical neighbours",
        metrics: &[
            cohort_summary::CLA_RATE,
            regional_benchmarking::CLA_RATE,
            regional_benchmarking::STARTS_RATE,
            regional_benchmarking::THREE_PLUS_PLACEMENTS,
            regional_benchmarking::LONG_TERM_STABILITY,
            regional_benchmarking::OVER_20_MILES,
            regional_benchmarking::NEW_PLACEMENTS_OVER_20_MILES,
            regional_benchmarking::COMPARATOR_VALUE,
            regional_benchmarking::RANK,
            regional_benchmarking::FUNNEL_POSITION,
        ],
        layout: Layout::Benchmarking,
        charts: &[],
        groups: &[],
        if_missing: "no rate per 10,000 children for this year, and no benchmarking figures \
                     from regional-benchmarking in this run",
        prompt: "How the authority compares with England, its region and its statistical \
                 neighbours, and why.",
    },
    SectionSpec {
        id: "summary",
        title: "Summary and areas for development",
        metrics: &[],
        layout: Layout::NarrativeOnly,
        charts: &[],
        groups: &[],
        if_missing: "",
        prompt: "What went well, what needs to improve, progress on last year's areas for \
                 development, and the priorities for next year with their actions.",
    },
    SectionSpec {
        id: "about",
        title: "About these figures",
        metrics: &[],
        layout: Layout::About,
        charts: &[],
        groups: &[],
        if_missing: "",
        prompt: "Anything the reader should know about the data (e.g. late-recorded episodes).",
    },
];

/// The ids of every section, for the narrative file.
pub fn section_ids() -> Vec<&'static str> {
    SECTIONS.iter().map(|s| s.id).collect()
}

/// Whether a metric id of the table is one the section lists.
pub fn section_shows(spec: &SectionSpec, metric: MeasureId) -> bool {
    spec.metrics.contains(&metric)
}

/// A section's content before tables and figures are numbered and charts drawn.
#[derive(Debug)]
pub enum Draft {
    Block(Block),
    Figure {
        slug: String,
        caption: String,
        chart: Box<Chart>,
    },
}

/// What a section builder reads: one authority's share of the tables.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub la: &'a str,
    pub la_name: &'a str,
    /// The authority's region, e.g. `South West`.
    pub region: &'a str,
    pub year: i32,
    /// Years shown in trends, increasing, the report's year last (at most five).
    pub years: Vec<i32>,
    pub rows: &'a LaRows<'a>,
    /// The same rows, indexed for the charts crate's builders.
    pub chart_rows: &'a cb::Rows<'a>,
    pub summary: Vec<&'a SummaryRow>,
    pub targets: Vec<&'a TargetRow>,
    /// The charts crate's standard set for this authority.
    pub standard: Vec<&'a NamedChart>,
    pub statuses: Vec<&'a TaskStatus>,
    pub specs: &'a [MetricSpec],
    pub disclosure: iro_results::Disclosure,
    /// Published figures: England's beside the authority's.
    pub reference: &'a iro_metric_api::Reference,
    /// The count at 31 March of the report's year, when far from the DfE's.
    pub published_flag: Option<&'a iro_results::quality::PublishedCheck>,
}

fn label(year: i32) -> String {
    iro_domain::CollectionYear(year).label()
}

impl Ctx<'_> {
    fn year_label(&self) -> String {
        label(self.year)
    }

    fn prev(&self) -> Option<i32> {
        self.years
            .iter()
            .rev()
            .copied()
            .find(|&y| y < self.year)
            .filter(|&y| y == self.year - 1)
    }

    /// `2020-21 to 2024-25`.
    fn years_text(&self) -> String {
        match (self.years.first(), self.years.last()) {
            (Some(a), Some(b)) if a != b => format!("{} to {}", label(*a), label(*b)),
            _ => self.year_label(),
        }
    }

    /// One bar per trend year, at 31 March.
    fn snapshot_years(&self) -> Categories {
        Categories::Years {
            years: self.years.clone(),
            period: Some(Period::Snapshot),
        }
    }

    fn source(&self) -> String {
        format!("{} SSDA903 return; IRO Analytics", self.la_name)
    }

    /// "DfE published figures: DfE CLA 2025 release (EES)." — the releases
    /// the authority's and England's published counts of `years` come from
    /// (an imported release's own label when the reference overlay holds the
    /// year), once each; `None` when the reference data hold none.
    fn published_from(&self, years: &[i32]) -> Option<String> {
        let la = self.la.parse::<iro_domain::LaCode>().ok();
        let mut releases: Vec<&str> = Vec::new();
        for &y in years {
            let year = iro_domain::CollectionYear(y);
            let areas = la
                .map(iro_reference::Geography::La)
                .into_iter()
                .chain([iro_reference::Geography::England]);
            for area in areas {
                if let Some(f) =
                    self.reference
                        .published(area, year, iro_reference::Measure::Cla31March)
                    && !releases.contains(&f.release.as_str())
                {
                    releases.push(&f.release);
                }
            }
        }
        (!releases.is_empty()).then(|| format!("DfE published figures: {}.", releases.join("; ")))
    }

    /// The measure's title from its metric's spec.
    fn measure_title(&self, metric: MeasureId) -> Option<&'static str> {
        self.specs
            .iter()
            .find(|s| s.id == metric.metric())
            .and_then(|s| s.measure(metric))
            .map(|m| m.title)
    }

    /// "Not available: …" for a part of a section whose rows are missing: the
    /// reason the engine recorded, or `fallback`.
    fn not_available(&self, ids: &[MeasureId], fallback: &str) -> Block {
        let mut reasons: Vec<String> = Vec::new();
        for s in &self.statuses {
            if s.year != self.year || !ids.iter().any(|id| id.metric() == s.metric) {
                continue;
            }
            // Named by its title, as "About these figures" names it: the
            // metric's id is for the tables, not the page.
            let what = self
                .specs
                .iter()
                .find(|m| m.id == s.metric)
                .map_or("These figures", |m| m.title);
            let why = match &s.outcome {
                Outcome::NotComputable(why) => format!("{what}: {why}"),
                Outcome::Failed(why) => format!("{what} could not be worked out: {why}"),
                Outcome::Ok(_) => continue,
            };
            if !reasons.contains(&why) {
                reasons.push(why);
            }
        }
        let text = if reasons.is_empty() {
            fallback.to_string()
        } else {
            reasons.join("; ")
        };
        Block::NotAvailable(self.with_year(&text))
    }

    /// `text (2024-25).`, unless the text names the year already.
    fn with_year(&self, text: &str) -> String {
        let text = text.trim_end_matches('.');
        if text.contains(&self.year_label()) {
            format!("{text}.")
        } else {
            format!("{text} ({}).", self.year_label())
        }
    }
}

fn para(s: impl Into<String>) -> Draft {
    Draft::Block(Block::Para(s.into()))
}

fn heading(s: impl Into<String>) -> Draft {
    Draft::Block(Block::Heading(s.into()))
}

fn table(caption: impl Into<String>, head: Vec<String>, rows: Vec<TableRow>) -> Table {
    Table {
        number: 0,
        caption: caption.into(),
        head,
        rows,
        notes: Vec::new(),
    }
}

fn figure(slug: &str, caption: impl Into<String>, chart: Chart) -> Draft {
    Draft::Figure {
        slug: slug.to_string(),
        caption: caption.into(),
        chart: Box::new(chart),
    }
}

/// A chart made by one of the charts crate's builders; nothing to draw (the
/// table beside it says `x`) means no figure.
fn built(slug: &str, caption: String, made: Result<Chart, ChartError>) -> Option<Draft> {
    made.ok().map(|c| figure(slug, caption, c))
}

fn meta(ctx: &Ctx<'_>, title: &str, x: &str, y: &str, period: &str) -> ChartMeta {
    ChartMeta::new(title)
        .axes(x, y)
        .source(ctx.source())
        .period(period)
}

/// The distinct method notes of `rows`, for a table's footnotes (a figure's
/// not-computable reason is its status, said where the figure would be).
/// Parameter settings written into notes (`count_temporary=false`) are left
/// out: "About these figures" lists them ([`settings_in`]).
fn notes_of<'r>(rows: impl IntoIterator<Item = &'r MetricRow>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        for n in r.note.split("; ") {
            let (n, _) = split_settings(n);
            // Which relation protected a cell is for metrics.csv: the
            // table's `c` footnote says it in words.
            if n.starts_with(iro_metric_api::SECONDARY_NOTE) {
                continue;
            }
            if !n.is_empty() && !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Whether `s` is a parameter setting as metrics write it: `key=value`, the
/// key in snake case.
fn is_setting(s: &str) -> bool {
    match s.split_once('=') {
        Some((k, v)) => {
            !k.is_empty()
                && !v.is_empty()
                && !v.contains(' ')
                && k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        }
        None => false,
    }
}

/// One note part without its parameter settings, and the settings: a whole
/// part `count_temporary=false`, or a trailing `(cla_2_years=both-31-march)`.
pub(crate) fn split_settings(part: &str) -> (String, Vec<String>) {
    let part = part.trim();
    if is_setting(part) {
        return (String::new(), vec![part.to_string()]);
    }
    if let Some(open) = part.rfind(" (")
        && let Some(inner) = part[open + 2..].strip_suffix(')')
        && is_setting(inner)
    {
        return (part[..open].trim_end().to_string(), vec![inner.to_string()]);
    }
    (part.to_string(), Vec::new())
}

/// The parameter settings the rows' notes record, each once, in order.
pub(crate) fn settings_in<'r>(rows: impl IntoIterator<Item = &'r MetricRow>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        for n in r.note.split("; ") {
            for s in split_settings(n).1 {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

fn with_notes(mut t: Table, notes: Vec<String>) -> Draft {
    t.notes.extend(notes);
    Draft::Block(Block::Table(t))
}

/// A figure in a sentence: the value, or `None` when it is suppressed or
/// missing (the sentence is then not written, the table says `c` or `x`).
fn v(s: &Shown) -> Option<&str> {
    match s {
        Shown::Value(t) => Some(t),
        _ => None,
    }
}

/// Rows of one breakdown key in `period`, as (category, row).
fn categories<'a>(
    ctx: &Ctx<'a>,
    year: i32,
    metric: MeasureId,
    period: Period,
    key: &str,
) -> Vec<(&'a str, &'a MetricRow)> {
    ctx.rows.by_key(year, metric, period, key)
}

fn suppression_sentence(threshold: u64) -> String {
    if threshold == 0 {
        "Small-number suppression was switched off for this run: this version of the report \
         may identify children and must not be shared or published."
            .to_string()
    } else {
        format!(
            "To protect children's privacy, counts from 1 to {threshold} are shown as c, and so \
             is any figure from which one could be worked out; x means that a figure is not \
             available."
        )
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Reading order of ordered bands: "less than" / "or less" first, then by the
/// first number, "over" last, "not known" after everything.
fn band_order(name: &str) -> (u8, u64) {
    let lower = name.to_ascii_lowercase();
    if lower.contains("not known") {
        return (3, 0);
    }
    if lower.starts_with("less") || lower.starts_with("under") || lower.contains("or less") {
        return (0, 0);
    }
    if lower.starts_with("over") {
        return (2, 0);
    }
    let n: String = lower
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    (1, n.parse().unwrap_or(u64::MAX))
}

/// The age groups (cohort-summary's `age_band`) in reading order, for every
/// table by age: the domain's own list and labels, so the report cannot
/// spell one differently from `metrics.csv`.
const AGE_ORDER: [&str; 6] = {
    let all = iro_domain::AgeBand::ALL;
    [
        all[0].label(),
        all[1].label(),
        all[2].label(),
        all[3].label(),
        all[4].label(),
        all[5].label(),
    ]
};

const QUARTERS: [(Period, &str); 4] = [
    (Period::Q1, "Q1 (April to June)"),
    (Period::Q2, "Q2 (July to September)"),
    (Period::Q3, "Q3 (October to December)"),
    (Period::Q4, "Q4 (January to March)"),
];

fn period_name(p: Period, year: i32) -> String {
    match p {
        Period::Year => "The year".into(),
        Period::Snapshot => format!("31 March {year}"),
        q => q.label().into(),
    }
}

/// The local target on a metric's blank breakdown, for a chart's target line.
fn target_for<'a>(ctx: &Ctx<'a>, metric: MeasureId) -> Option<&'a TargetRow> {
    ctx.targets.iter().copied().find(|t| {
        t.metric == metric
            && t.breakdown.is_empty()
            && t.year == ctx.year
            && t.period != Period::Snapshot
    })
}

fn target_words(t: &TargetRow, unit: Unit) -> String {
    let dir = match t.direction {
        Direction::AtMost => "at most",
        Direction::AtLeast => "at least",
    };
    format!("Target: {dir} {}", in_unit(t.target, unit))
}

/// Builds the generated content of a section.
pub fn build(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    match spec.layout {
        Layout::NarrativeOnly => Vec::new(),
        Layout::Introduction => introduction::introduction(ctx),
        Layout::ChildrenInCare => children_in_care::children_in_care(spec, ctx),
        Layout::LeavingCare => leaving_care::leaving_care(spec, ctx),
        Layout::CareLeavers => care_leavers::care_leavers(spec, ctx),
        Layout::ReviewTimeliness => timeliness::review_timeliness(spec, ctx),
        Layout::Profile => profile::profile(spec, ctx),
        Layout::Placements => placements::placements(spec, ctx),
        Layout::Uasc => uasc::uasc(spec, ctx),
        Layout::Participation => voice::participation(spec, ctx),
        Layout::LocalTargets => local_targets::local_targets(spec, ctx),
        Layout::Generic => generic::generic(spec, ctx),
        Layout::Benchmarking => benchmarking::benchmarking(spec, ctx),
        Layout::About => about::about(ctx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_ids_are_unique_slugs() {
        let ids = section_ids();
        for (i, id) in ids.iter().enumerate() {
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
            assert!(!ids[i + 1..].contains(id), "{id} twice");
        }
    }

    #[test]
    fn bands_read_in_order() {
        let mut b = vec![
            "Over 100 miles",
            "Distance not known or not recorded",
            "21-40 miles",
            "Less than 20 miles",
            "61-80 miles",
        ];
        b.sort_by_key(|c| band_order(c));
        assert_eq!(
            b,
            [
                "Less than 20 miles",
                "21-40 miles",
                "61-80 miles",
                "Over 100 miles",
                "Distance not known or not recorded"
            ]
        );
        let mut a = vec!["16-17", "4-9", "10-15"];
        a.sort_by_key(|c| band_order(c));
        assert_eq!(a, ["4-9", "10-15", "16-17"]);
        let mut d = vec![
            "Over 20 miles",
            "Distance not known or not recorded",
            "20 miles or less",
        ];
        d.sort_by_key(|c| band_order(c));
        assert_eq!(
            d,
            [
                "20 miles or less",
                "Over 20 miles",
                "Distance not known or not recorded"
            ]
        );
    }

    #[test]
    fn settings_are_taken_out_of_notes() {
        assert_eq!(
            split_settings("count_temporary=false"),
            (String::new(), vec!["count_temporary=false".to_string()])
        );
        assert_eq!(
            split_settings(
                "CLA 2 years: looked after at 31 March 2024 and 2025 (cla_2_years=both-31-march)"
            ),
            (
                "CLA 2 years: looked after at 31 March 2024 and 2025".to_string(),
                vec!["cla_2_years=both-31-march".to_string()]
            )
        );
        // Words with an equals sign are not settings.
        assert_eq!(split_settings("a = b").1, Vec::<String>::new());
        assert_eq!(
            split_settings("denominator = records sent").0,
            "denominator = records sent"
        );
        assert_eq!(
            split_settings("(x) and y (not one)").1,
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_data_section_says_why_when_missing() {
        for s in SECTIONS {
            if !matches!(
                s.layout,
                Layout::NarrativeOnly | Layout::Introduction | Layout::About
            ) {
                assert!(!s.if_missing.is_empty(), "{}", s.id);
            }
        }
        let records = SECTIONS.iter().find(|s| s.id == "service-records").unwrap();
        assert!(section_shows(records, service_records::RECORD_ON_TIME));
        assert!(!section_shows(records, drp_flow::ESCALATIONS));
    }
}
