//! The sections of the report, in the order of the National IRO Managers
//! Partnership template as the authorities' own reports follow it, and what
//! each shows.
//!
//! [`SECTIONS`] is the one table mapping a section to the metric ids it shows.
//! A section whose layout is [`Layout::Generic`] shows every measure it lists
//! (an exact `crate.measure`, or every measure of `crate.`) as a table by
//! period and breakdown, with a chart where the shape allows; listing exact ids
//! there fixes their order.

use iro_charts::build::{self as cb, Categories};
use iro_charts::standard::NamedChart;
use iro_charts::{Cell as ChartCell, Chart, ChartError, ChartMeta, SegmentColours, TargetLine};
use iro_metric_api::{Breakdown, MeasureId, MetricRow, MetricSpec, Period, Unit};
use iro_results::SummaryRow;
use iro_results::{Direction, Met, Outcome, TaskStatus, Trend};

use crate::TargetRow;
use crate::charts::{self, Words, cell};
use crate::data::LaRows;
use crate::format::{self, Shown, count, in_unit};
use crate::model::{Block, Cell, Table, TableRow};

/// How a section is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The service's words only.
    NarrativeOnly,
    Introduction,
    /// "Table 1": children in care over five years.
    ChildrenInCare,
    LeavingCare,
    ReviewTimeliness,
    Profile,
    Placements,
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
        if_missing: "no children-looked-after figures (cohort-summary) for this year",
        prompt: "What lies behind the numbers: entries, exits, the trend over five years.",
    },
    SectionSpec {
        id: "leaving-care",
        title: "Reasons for leaving care",
        metrics: &[cohort_summary::CEASED_REASON, cohort_summary::CEASES],
        layout: Layout::LeavingCare,
        charts: &[],
        if_missing: "no figures on why children ceased to be looked after, from cohort-summary",
        prompt: "Reunification, special guardianship, adoption, leaving care at 18: how IROs \
                 oversaw these plans.",
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
            service_records::ALLOCATED_ON_TIME,
            service_records::CASELOAD_IROS,
            service_records::CASELOAD_MEAN,
            service_records::CASELOAD_MAX,
            service_records::CHILDREN_WITHOUT_IRO,
            service_records::CHILDREN_CHANGED_IRO,
            service_records::MIDWAY_ON_TIME,
            service_records::REVIEWS_HELD,
            service_records::REVIEWS_CANCELLED,
        ],
        layout: Layout::Generic,
        charts: &[
            service_records::SW_REPORT_ON_TIME,
            service_records::RECORD_ON_TIME,
            service_records::ALLOCATED_ON_TIME,
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
        if_missing: "no placement figures, from placement-distance and placement-stability",
        prompt: "Sufficiency, children placed far from home, stability meetings, residential \
                 care: what IROs saw and challenged.",
    },
    SectionSpec {
        id: "participation",
        title: "Voice of the child: participation in reviews",
        metrics: &[participation::PARTICIPATED, participation::DISTRIBUTION],
        layout: Layout::Participation,
        charts: &[],
        if_missing: "no participation figures: participation needs the Reviews table",
        prompt: "How children took part, advocacy, feedback from children, families and \
                 professionals, complaints.",
    },
    SectionSpec {
        id: "drp",
        title: "Dispute resolution protocol",
        metrics: &[
            drp_flow::ESCALATIONS,
            drp_flow::DRPS_RAISED,
            drp_flow::CHILDREN,
            drp_flow::ISSUES,
            drp_flow::OUTCOMES,
            drp_flow::RESPONSES_ON_TIME,
            drp_flow::RESOLUTION_WORKING_DAYS_MEDIAN,
            drp_flow::ENDED_WITHIN_TIMESCALE,
            drp_flow::OPEN_AT_END,
        ],
        layout: Layout::Generic,
        charts: &[drp_flow::ESCALATIONS, drp_flow::ISSUES],
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
        if_missing: "",
        prompt: "Practice themes IROs raised with managers, audits, and what came of them.",
    },
    SectionSpec {
        id: "local-targets",
        title: "Local targets",
        metrics: &[],
        layout: Layout::LocalTargets,
        charts: &[],
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
        if_missing: "",
        prompt: "Anything the reader should know about the data (e.g. late-recorded episodes).",
    },
];

/// The ids of every section, for the narrative file.
pub fn section_ids() -> Vec<&'static str> {
    SECTIONS.iter().map(|s| s.id).collect()
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
    pub threshold: u64,
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
            let why = match &s.outcome {
                Outcome::NotComputable(why) => format!("{} is not computable: {why}", s.metric),
                Outcome::Failed(why) => format!("{} failed: {why}", s.metric),
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
fn notes_of<'r>(rows: impl IntoIterator<Item = &'r MetricRow>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        for n in r.note.split("; ") {
            let n = n.trim();
            if !n.is_empty() && !out.iter().any(|o| o == n) {
                out.push(n.to_string());
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

/// Builds the generated content of a section.
pub fn build(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    match spec.layout {
        Layout::NarrativeOnly => Vec::new(),
        Layout::Introduction => introduction(ctx),
        Layout::ChildrenInCare => children_in_care(spec, ctx),
        Layout::LeavingCare => leaving_care(spec, ctx),
        Layout::ReviewTimeliness => review_timeliness(spec, ctx),
        Layout::Profile => profile(spec, ctx),
        Layout::Placements => placements(spec, ctx),
        Layout::Participation => participation(spec, ctx),
        Layout::LocalTargets => local_targets(spec, ctx),
        Layout::Generic => generic(spec, ctx),
        Layout::Benchmarking => benchmarking(spec, ctx),
        Layout::About => about(ctx),
    }
}

// ---------------------------------------------------------------- sections

fn introduction(ctx: &Ctx<'_>) -> Vec<Draft> {
    let y = ctx.year;
    let mut out = vec![para(format!(
        "This is the annual report of the Independent Reviewing Officer (IRO) service of {} for \
         the year from 1 April {} to 31 March {y}: the children the authority looked after, how \
         their statutory reviews were held and how they took part in them, where they lived, and \
         the work of the IRO service. The IRO Handbook (2010) asks the manager of the IRO service \
         to produce this report for the authority's corporate parents.",
        ctx.la_name,
        y - 1
    ))];
    let first = ctx.years.first().copied().unwrap_or(y);
    let span = if first == y {
        format!("the {} return", label(y))
    } else {
        format!("the returns for {} to {}", label(first), label(y))
    };
    out.push(para(format!(
        "The figures are computed from the authority's SSDA903 children looked after data \
         ({span}) and, where supplied, the IRO service's own records. Tables and charts show \
         numbers of children and reviews, never individual children."
    )));
    out.push(para(suppression_sentence(ctx.threshold)));
    out
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

/// A `cohort_summary.csv` cell as the report shows it.
fn summary_cell(s: &str) -> Shown {
    match s.trim() {
        "" => Shown::Missing,
        "c" => Shown::Suppressed,
        t => match t.parse::<u64>() {
            Ok(n) => Shown::Value(count(n)),
            Err(_) => Shown::Value(t.to_string()),
        },
    }
}

fn children_in_care(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let rows: Vec<&SummaryRow> = ctx
        .years
        .iter()
        .filter_map(|y| ctx.summary.iter().find(|s| s.year == *y).copied())
        .collect();
    let Some(this) = rows.iter().find(|s| s.year == ctx.year) else {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    };
    let mut out = Vec::new();
    // The headline sentence, from the same cells as the table.
    let cla = summary_cell(&this.cla_31_march);
    let rate = summary_cell(&this.cla_rate_per_10000);
    let published = summary_cell(&this.published_rate_per_10000);
    let mut s = match v(&cla) {
        Some(n) => format!(
            "At 31 March {} {} looked after {n} children",
            ctx.year, ctx.la_name
        ),
        None => format!(
            "The number of children {} looked after at 31 March {} is not shown (c)",
            ctx.la_name, ctx.year
        ),
    };
    if let (Some(_), Ok(change)) = (v(&cla), this.cla_change_percent.trim().parse::<f64>()) {
        let prev = ctx.summary.iter().find(|r| r.year == ctx.year - 1);
        let was = prev
            .and_then(|p| v(&summary_cell(&p.cla_31_march)).map(str::to_string))
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let pct = format::number(change.abs(), 1);
        if pct == "0.0" {
            s.push_str(&format!(", about as many as a year earlier{was}"));
        } else if change > 0.0 {
            s.push_str(&format!(", {pct}% more than a year earlier{was}"));
        } else {
            s.push_str(&format!(", {pct}% fewer than a year earlier{was}"));
        }
    }
    s.push('.');
    if let Some(flag) = ctx.published_flag {
        s.push_str(&format!(
            " Check the data: the DfE published {} children looked after at 31 March {}.",
            count(flag.published),
            ctx.year
        ));
    }
    if let Some(r) = v(&rate) {
        s.push_str(&format!(
            " That is {r} children in every 10,000 aged 0 to 17 in the area"
        ));
        if let Some(p) = v(&published) {
            s.push_str(&format!(" (the DfE published {p})"));
        }
        s.push('.');
    }
    let starts = summary_cell(&this.starts);
    let ceases = summary_cell(&this.ceases);
    if let (Some(a), Some(b)) = (v(&starts), v(&ceases)) {
        s.push_str(&format!(
            " During {}, {a} children started to be looked after and {b} ceased.",
            ctx.year_label()
        ));
    }
    out.push(para(s));

    let mut head = vec!["Measure".to_string()];
    head.extend(rows.iter().map(|r| r.year_label.clone()));
    type Field = fn(&SummaryRow) -> &str;
    let lines: [(&str, Field); 8] = [
        ("Children looked after at 31 March", |r| &r.cla_31_march),
        ("Change on the previous 31 March (%)", |r| {
            &r.cla_change_percent
        }),
        ("Rate per 10,000 children aged 0 to 17", |r| {
            &r.cla_rate_per_10000
        }),
        ("DfE published: children looked after at 31 March", |r| {
            &r.published_cla_31_march
        }),
        ("DfE published: rate per 10,000", |r| {
            &r.published_rate_per_10000
        }),
        ("Children who started to be looked after", |r| &r.starts),
        ("Children who ceased to be looked after", |r| &r.ceases),
        ("Children looked after at any time in the year", |r| {
            &r.during_year
        }),
    ];
    let body = lines
        .iter()
        .map(|(name, f)| {
            TableRow::new(
                *name,
                rows.iter()
                    .map(|r| Cell::from(summary_cell(f(r))))
                    .collect(),
            )
        })
        .collect();
    let mut t = table(
        format!(
            "Children looked after, starts and ceases, {} to {}",
            rows.first().map(|r| r.year_label.as_str()).unwrap_or(""),
            ctx.year_label()
        ),
        head,
        body,
    );
    let mut notes: Vec<String> = rows
        .iter()
        .filter(|r| !r.note.is_empty())
        .map(|r| format!("{}: {}", r.year_label, r.note))
        .collect();
    notes.push(if this.counted_from == iro_domain::FigureBasis::Revised {
        "Every year is recounted from the merged history of all the returns loaded, later \
         corrections applied, so earlier years can differ from the returns as they were sent."
            .to_string()
    } else {
        "Each year is counted from that year's own return, as the DfE counts.".to_string()
    });
    notes.push(
        "Rates use the ONS mid-year estimate of children aged 0 to 17 for the previous year, as \
         the DfE does. The DfE computes its published figures from its own cleaned national \
         database, so they can differ by a child or two."
            .into(),
    );
    t.notes = notes;
    out.push(Draft::Block(Block::Table(t)));

    // The chart: the same three counts, from the tidy rows behind the table.
    let years: Vec<String> = ctx.years.iter().map(|&y| label(y)).collect();
    let series = [
        (
            cohort_summary::CLA_31_MARCH,
            Period::Snapshot,
            "Looked after at 31 March",
        ),
        (
            cohort_summary::STARTS,
            Period::Year,
            "Started to be looked after",
        ),
        (
            cohort_summary::CEASES,
            Period::Year,
            "Ceased to be looked after",
        ),
    ]
    .iter()
    .map(|(m, p, name)| {
        (
            name.to_string(),
            ctx.years
                .iter()
                .map(|&y| cell(ctx.rows.total(y, *m, *p)))
                .collect(),
        )
    })
    .collect();
    let words = Words {
        title: "Children looked after at 31 March, starts and ceases",
        x_label: "Year",
        y_label: "Children",
        unit: "",
        period: &years.join(", "),
        source: &ctx.source(),
    };
    out.push(figure(
        "children-in-care",
        format!(
            "Children looked after at 31 March, starts and ceases, {} to {}",
            years.first().map(String::as_str).unwrap_or(""),
            ctx.year_label()
        ),
        charts::bars(&words, years.clone(), series, false, 0, None),
    ));
    out
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

fn leaving_care(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    const M: MeasureId = cohort_summary::CEASED_REASON;
    let mut reasons = categories(ctx, ctx.year, M, Period::Year, "reason");
    if reasons.is_empty() {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    // Largest first; suppressed cells after the shown ones, in their order.
    reasons.sort_by(|a, b| {
        let key = |r: &MetricRow| (r.status.is_suppressed(), std::cmp::Reverse(r.numerator));
        key(a.1).cmp(&key(b.1))
    });
    let total = ctx
        .rows
        .total(ctx.year, cohort_summary::CEASES, Period::Year);
    let mut out = Vec::new();
    let shown: Vec<String> = reasons
        .iter()
        .filter(|(_, r)| !r.status.is_suppressed() && r.numerator.unwrap_or(0) > 0)
        .take(3)
        .map(|(reason, r)| {
            format!(
                "{} ({}, {})",
                lower_first(reason),
                format::numerator(Some(r)).text(),
                format::value(Some(r)).text()
            )
        })
        .collect();
    if let Some(n) = v(&format::numerator(total)) {
        let mut s = format!(
            "In {}, {n} children ceased to be looked after.",
            ctx.year_label()
        );
        if !shown.is_empty() {
            s.push_str(&format!(
                " The most common reasons were: {}.",
                shown.join("; ")
            ));
        }
        out.push(para(s));
    }
    let prev = ctx.prev();
    let mut head = vec!["Reason for ceasing to be looked after".to_string()];
    if let Some(p) = prev {
        head.push(format!("{} children", label(p)));
    }
    head.push(format!("{} children", ctx.year_label()));
    head.push(format!("{} %", ctx.year_label()));
    let mut body: Vec<TableRow> = reasons
        .iter()
        .map(|(reason, r)| {
            let mut cells = Vec::new();
            if let Some(p) = prev {
                cells.push(
                    format::numerator(ctx.rows.get(
                        p,
                        M,
                        Period::Year,
                        &format!("reason={reason}"),
                    ))
                    .into(),
                );
            }
            cells.push(format::numerator(Some(r)).into());
            cells.push(format::value(Some(r)).into());
            TableRow::new(*reason, cells)
        })
        .collect();
    let mut total_cells = Vec::new();
    if let Some(p) = prev {
        total_cells.push(
            format::numerator(ctx.rows.total(p, cohort_summary::CEASES, Period::Year)).into(),
        );
    }
    total_cells.push(format::numerator(total).into());
    total_cells.push(Cell::Figure(Shown::Value("100%".into())));
    body.push(TableRow::new("All children who ceased", total_cells).total());
    out.push(with_notes(
        table(
            format!("Children who ceased to be looked after by reason, {}", ctx.year_label()),
            head,
            body,
        ),
        vec!["A child who ceased more than once in the year is counted once, by the reason of their last ceasing.".into()],
    ));
    let words = Words {
        title: "Reasons for ceasing to be looked after",
        x_label: "Reason",
        y_label: "Children who ceased",
        unit: "%",
        period: &ctx.year_label(),
        source: &ctx.source(),
    };
    out.push(figure(
        "leaving-care",
        format!(
            "Children who ceased to be looked after by reason, % of all who ceased, {}",
            ctx.year_label()
        ),
        charts::bars(
            &words,
            reasons.iter().map(|(r, _)| r.to_string()).collect(),
            vec![(
                ctx.year_label(),
                reasons.iter().map(|(_, r)| cell(Some(r))).collect(),
            )],
            true,
            1,
            None,
        ),
    ));
    out
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

const QUARTERS: [(Period, &str); 4] = [
    (Period::Q1, "Q1 (April to June)"),
    (Period::Q2, "Q2 (July to September)"),
    (Period::Q3, "Q3 (October to December)"),
    (Period::Q4, "Q4 (January to March)"),
];

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

fn review_timeliness(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    const HELD: MeasureId = review_timeliness::HELD;
    const ON: MeasureId = review_timeliness::ON_TIME;
    let y = ctx.year;
    let year_on = ctx.rows.total(y, ON, Period::Year);
    if ctx.rows.total(y, HELD, Period::Year).is_none() && year_on.is_none() {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut out = Vec::new();
    let held = format::numerator(ctx.rows.total(y, HELD, Period::Year));
    if let Some(h) = v(&held) {
        let mut s = format!(
            "In {} IROs chaired {h} reviews of children looked after.",
            ctx.year_label()
        );
        if let (Some(n), Some(d), Some(p)) = (
            v(&format::numerator(year_on)),
            v(&format::denominator(year_on)),
            v(&format::value(year_on)),
        ) {
            s.push_str(&format!(
                " Of the {d} whose timeliness could be assessed, {n} ({p}) were held within the \
                 statutory timescale."
            ));
        }
        let overdue = format::numerator(ctx.rows.total(
            y,
            review_timeliness::OVERDUE_AT_END,
            Period::Snapshot,
        ));
        match &overdue {
            Shown::Value(n) => s.push_str(&format!(
                " At 31 March {y}, {n} children's reviews were overdue."
            )),
            Shown::Suppressed => s.push_str(&format!(
                " The number of reviews overdue at 31 March {y} is small and not shown (c)."
            )),
            Shown::Missing => {}
        }
        out.push(para(s));
    }
    let head: Vec<String> = [
        "Quarter",
        "Reviews held",
        "Reviews timed",
        "On time",
        "% on time",
        "Late",
        "Median days late",
        "Overdue at end of quarter",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let line = |period: Period, name: &str, stock: Period| {
        let on = ctx.rows.total(y, ON, period);
        TableRow::new(
            name,
            vec![
                format::numerator(ctx.rows.total(y, HELD, period)).into(),
                format::denominator(on).into(),
                format::numerator(on).into(),
                format::value(on).into(),
                format::numerator(ctx.rows.total(y, review_timeliness::LATE, period)).into(),
                format::value(
                    ctx.rows
                        .total(y, review_timeliness::DAYS_LATE_MEDIAN, period),
                )
                .into(),
                format::numerator(ctx.rows.total(y, review_timeliness::OVERDUE_AT_END, stock))
                    .into(),
            ],
        )
    };
    let mut body: Vec<TableRow> = QUARTERS.iter().map(|(p, n)| line(*p, n, *p)).collect();
    body.push(line(Period::Year, "The year", Period::Snapshot).total());
    out.push(with_notes(
        table(
            format!("Reviews held and on time by quarter, {}", ctx.year_label()),
            head,
            body,
        ),
        vec![
            "Reviews are counted in the quarter they were held. \"Reviews timed\" leaves out reviews whose due date cannot be worked out from the data (see About these figures).".into(),
            "Overdue: reviews due and not held by the end of the quarter (for the year, at 31 March), children still in care.".into(),
        ],
    ));

    // By review in the sequence.
    let seq = [
        ("first", "First review"),
        ("second", "Second review"),
        ("subsequent", "Later reviews"),
    ];
    let body: Vec<TableRow> = seq
        .iter()
        .map(|(k, name)| {
            let b = format!("review={k}");
            let on = ctx.rows.get(y, ON, Period::Year, &b);
            TableRow::new(
                *name,
                vec![
                    format::numerator(ctx.rows.get(y, HELD, Period::Year, &b)).into(),
                    format::denominator(on).into(),
                    format::numerator(on).into(),
                    format::value(on).into(),
                ],
            )
        })
        .collect();
    out.push(Draft::Block(Block::Table(table(
        format!("Reviews held and on time by review, {}", ctx.year_label()),
        [
            "Review",
            "Reviews held",
            "Reviews timed",
            "On time",
            "% on time",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        body,
    ))));

    // Trend over the years.
    if ctx.years.len() > 1 {
        let mut head = vec!["Measure".to_string()];
        head.extend(ctx.years.iter().map(|&y| label(y)));
        let body = vec![
            TableRow::new(
                "Reviews held",
                ctx.years
                    .iter()
                    .map(|&yy| format::numerator(ctx.rows.total(yy, HELD, Period::Year)).into())
                    .collect(),
            ),
            TableRow::new(
                "% on time",
                ctx.years
                    .iter()
                    .map(|&yy| format::value(ctx.rows.total(yy, ON, Period::Year)).into())
                    .collect(),
            ),
        ];
        let notes = notes_of(
            ctx.years
                .iter()
                .filter_map(|&yy| ctx.rows.total(yy, ON, Period::Year)),
        );
        out.push(with_notes(
            table("Reviews held and on time over the years", head, body),
            notes,
        ));
    }

    let target = target_for(ctx, ON).map(|t| TargetLine {
        value: t.target,
        label: target_words(t, Unit::Percent),
    });
    out.extend(built(
        "review-timeliness",
        format!(
            "Reviews held within the statutory timescale by quarter, {}",
            ctx.year_label()
        ),
        cb::quarter_bars(
            ctx.chart_rows,
            ctx.la,
            ON,
            y,
            &Breakdown::default(),
            target,
            "Reviews on time",
            meta(
                ctx,
                "Reviews held on time by quarter",
                "Quarter",
                "Reviews on time",
                &ctx.year_label(),
            ),
        )
        .map(Chart::Bars),
    ));
    out
}

/// The profile breakdowns, in the order the seed reports show them: key,
/// column heading, what the caption says after "Children looked after at 31
/// March".
const PROFILE: [(&str, &str, &str); 6] = [
    ("age_band", "Age", "by age"),
    ("sex", "Sex", "by sex"),
    ("ethnicity", "Ethnicity", "by ethnicity"),
    ("legal_status", "Legal status", "by legal status"),
    (
        "category_of_need",
        "Category of need",
        "by category of need (the main reason they are looked after)",
    ),
    (
        "uasc",
        "Unaccompanied asylum-seeking children",
        "who were unaccompanied asylum-seeking children (UASC)",
    ),
];

const AGE_ORDER: [&str; 5] = ["Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over"];

fn profile(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    const M: MeasureId = cohort_summary::PROFILE;
    let y = ctx.year;
    if ctx.rows.all(y, M).is_empty() {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut out = Vec::new();
    let find = |key: &str, val: &str| {
        ctx.rows
            .get(y, M, Period::Snapshot, &format!("{key}={val}"))
    };
    let mut facts = Vec::new();
    if let (Some(m), Some(f)) = (
        v(&format::value(find("sex", "Male"))),
        v(&format::value(find("sex", "Female"))),
    ) {
        facts.push(format!("{m} were boys and {f} girls"));
    }
    let ages = categories(ctx, y, M, Period::Snapshot, "age_band");
    if let Some((band, r)) = ages
        .iter()
        .filter(|(_, r)| !r.status.is_suppressed())
        .max_by_key(|(_, r)| r.numerator)
    {
        facts.push(format!(
            "the largest age group was {} ({}, {})",
            lower_first(band),
            format::numerator(Some(r)).text(),
            format::value(Some(r)).text()
        ));
    }
    let n2 = find("category_of_need", "N2 Child's disability");
    match (format::numerator(n2), format::value(n2)) {
        (Shown::Value(n), Shown::Value(p)) => facts.push(format!(
            "{n} ({p}) were looked after mainly because of their own disability (category of need N2)"
        )),
        (Shown::Suppressed, _) => facts.push(
            "the number looked after mainly because of their own disability (category of need N2) is small and not shown".into(),
        ),
        _ => {}
    }
    let uasc = find("uasc", "UASC");
    if let (Shown::Value(n), Shown::Value(p)) = (format::numerator(uasc), format::value(uasc)) {
        facts.push(format!(
            "{n} ({p}) were unaccompanied asylum-seeking children"
        ));
    }
    if !facts.is_empty() {
        out.push(para(format!(
            "Of the children looked after at 31 March {y}, {}.",
            facts.join("; ")
        )));
    }
    let prev = ctx.prev();
    for (key, name, by) in PROFILE {
        let mut cats = categories(ctx, y, M, Period::Snapshot, key);
        if cats.is_empty() {
            continue;
        }
        if key == "age_band" {
            cats.sort_by_key(|(c, _)| AGE_ORDER.iter().position(|a| a == c).unwrap_or(99));
        }
        let mut head = vec![name.to_string()];
        if let Some(p) = prev {
            head.push(format!("{} children", label(p)));
            head.push(format!("{} %", label(p)));
        }
        head.push(format!("{} children", ctx.year_label()));
        head.push(format!("{} %", ctx.year_label()));
        let body = cats
            .iter()
            .map(|(c, r)| {
                let mut cells: Vec<Cell> = Vec::new();
                if let Some(p) = prev {
                    let pr = ctx.rows.get(p, M, Period::Snapshot, &format!("{key}={c}"));
                    cells.push(format::numerator(pr).into());
                    cells.push(format::value(pr).into());
                }
                cells.push(format::numerator(Some(r)).into());
                cells.push(format::value(Some(r)).into());
                TableRow::new(*c, cells)
            })
            .collect();
        out.push(with_notes(
            table(
                format!("Children looked after at 31 March {by}"),
                head,
                body,
            ),
            Vec::new(),
        ));
        if matches!(key, "age_band" | "legal_status") {
            let title = format!("Children looked after at 31 March {by}");
            let colours = if key == "age_band" {
                SegmentColours::Sequential
            } else {
                SegmentColours::Categorical
            };
            out.extend(built(
                &format!("profile-{}", key.replace('_', "-")),
                format!("{title}, % of all, {}", ctx.years_text()),
                cb::stacked(
                    ctx.chart_rows,
                    ctx.la,
                    M,
                    key,
                    &ctx.snapshot_years(),
                    colours,
                    meta(
                        ctx,
                        &title,
                        "Year",
                        "Children looked after",
                        &ctx.years_text(),
                    ),
                )
                .map(Chart::StackedBars),
            ));
        }
    }
    out
}

fn placements(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let y = ctx.year;
    let mut out = Vec::new();
    // --- Distance and location.
    out.push(heading("Distance from home"));
    const DIST: MeasureId = placement_distance::DISTANCE;
    const LOC: MeasureId = placement_distance::LOCATION;
    let mut dist = categories(ctx, y, DIST, Period::Snapshot, "distance");
    dist.sort_by_key(|(c, _)| band_order(c));
    if dist.is_empty() {
        out.push(Draft::Block(ctx.not_available(
            &[placement_distance::DISTANCE],
            "no placement distance figures: placement-distance needs the Episodes table",
        )));
    } else {
        let over = dist
            .iter()
            .find(|(c, _)| c.starts_with("Over"))
            .map(|(_, r)| *r);
        let outside = ctx.rows.at(
            y,
            LOC,
            Period::Snapshot,
            Breakdown::one("location", placement_distance::OUTSIDE),
        );
        let mut s = String::new();
        if let (Some(n), Some(p)) = (v(&format::numerator(over)), v(&format::value(over))) {
            s.push_str(&format!(
                "At 31 March {y}, {n} children looked after ({p}) lived more than {} from home",
                over.map(|r| r.breakdown.pairs()[0]
                    .1
                    .trim_start_matches("Over ")
                    .to_string())
                    .unwrap_or_default()
            ));
            if let (Some(n2), Some(p2)) =
                (v(&format::numerator(outside)), v(&format::value(outside)))
            {
                s.push_str(&format!(
                    ", and {n2} ({p2}) lived outside the authority's boundary"
                ));
            }
            s.push('.');
            out.push(para(s));
        }
        let mut head = vec!["Distance from home".to_string()];
        head.extend(ctx.years.iter().map(|&yy| format!("{} %", label(yy))));
        head.push(format!("{} children", ctx.year_label()));
        let body = dist
            .iter()
            .map(|(c, r)| {
                let b = format!("distance={c}");
                let mut cells: Vec<Cell> = ctx
                    .years
                    .iter()
                    .map(|&yy| format::value(ctx.rows.get(yy, DIST, Period::Snapshot, &b)).into())
                    .collect();
                cells.push(format::numerator(Some(r)).into());
                TableRow::new(*c, cells)
            })
            .collect();
        out.push(with_notes(
            table(
                "Children looked after at 31 March by distance from home",
                head,
                body,
            ),
            distance_notes(dist.iter().map(|(_, r)| *r)),
        ));
        let title = "Children looked after at 31 March by distance from home";
        out.extend(built(
            "placement-distance",
            format!("{title}, % of all, {}", ctx.years_text()),
            cb::stacked(
                ctx.chart_rows,
                ctx.la,
                DIST,
                "distance",
                &ctx.snapshot_years(),
                SegmentColours::Sequential,
                meta(
                    ctx,
                    title,
                    "Year",
                    "Children looked after",
                    &ctx.years_text(),
                ),
            )
            .map(Chart::StackedBars),
        ));
        let mut loc = categories(ctx, y, LOC, Period::Snapshot, "location");
        loc.sort_by_key(|(c, _)| band_order(c));
        if !loc.is_empty() {
            out.push(with_notes(
                share_table(
                    &format!("Children looked after at 31 March {y} by placement location"),
                    "Location",
                    &loc,
                ),
                distance_notes(loc.iter().map(|(_, r)| *r)),
            ));
        }
        let mut bands = categories(
            ctx,
            y,
            placement_distance::DISTANCE_BAND,
            Period::Snapshot,
            "band",
        );
        bands.sort_by_key(|(c, _)| band_order(c));
        if !bands.is_empty() {
            out.push(with_notes(
                share_table(
                    &format!("Children looked after at 31 March {y} by distance band"),
                    "Distance from home",
                    &bands,
                ),
                Vec::new(),
            ));
        }
    }

    // --- Stability.
    out.push(heading("Placement stability"));
    const IND: [MeasureId; 3] = [
        placement_stability::THREE_PLUS_PLACEMENTS,
        placement_stability::THREE_PLUS_PLACEMENTS_2Y,
        placement_stability::LONG_TERM_STABILITY,
    ];
    if IND
        .iter()
        .all(|&m| ctx.rows.total(y, m, Period::Snapshot).is_none())
    {
        out.push(Draft::Block(ctx.not_available(
            &IND,
            "no placement stability figures: placement-stability needs the Episodes table",
        )));
    } else {
        let three = ctx.rows.total(y, IND[0], Period::Snapshot);
        let lts = ctx.rows.total(y, IND[2], Period::Snapshot);
        let mut facts = Vec::new();
        if let (Some(n), Some(p)) = (v(&format::numerator(three)), v(&format::value(three))) {
            facts.push(format!(
                "{n} children looked after at 31 March {y} ({p}) had 3 or more placements during the year"
            ));
        }
        if let (Some(n), Some(d), Some(p)) = (
            v(&format::numerator(lts)),
            v(&format::denominator(lts)),
            v(&format::value(lts)),
        ) {
            facts.push(format!(
                "{n} of the {d} children under 16 looked after for two and a half years or more ({p}) had lived with the same carer for at least 2 years"
            ));
        }
        if !facts.is_empty() {
            out.push(para(format!("{}.", upper_first(&facts.join("; ")))));
        }
        let mut head = vec!["Indicator".to_string()];
        head.extend(ctx.years.iter().map(|&yy| format!("{} %", label(yy))));
        head.push(format!("{} children", ctx.year_label()));
        head.push(format!("{} of", ctx.year_label()));
        let body = IND
            .iter()
            .map(|&m| {
                let mut cells: Vec<Cell> = ctx
                    .years
                    .iter()
                    .map(|&yy| format::value(ctx.rows.total(yy, m, Period::Snapshot)).into())
                    .collect();
                let r = ctx.rows.total(y, m, Period::Snapshot);
                cells.push(format::numerator(r).into());
                cells.push(format::denominator(r).into());
                TableRow::new(ctx.measure_title(m).unwrap_or(m.as_str()), cells)
            })
            .collect();
        out.push(with_notes(
            table("Placement stability indicators", head, body),
            notes_of(
                IND.iter()
                    .filter_map(|&m| ctx.rows.total(y, m, Period::Snapshot)),
            ),
        ));
        let years: Vec<String> = ctx.years.iter().map(|&yy| label(yy)).collect();
        let words = Words {
            title: "Placement stability indicators",
            x_label: "Year",
            y_label: "Children",
            unit: "%",
            period: &years.join(", "),
            source: &ctx.source(),
        };
        let short = [
            "3 or more placements in the year",
            "3 or more placements in 2 years",
            "Same carer for 2 years (long-term stability)",
        ];
        out.push(figure(
            "placement-stability",
            format!(
                "Placement stability indicators, {} to {}",
                years.first().map(String::as_str).unwrap_or(""),
                ctx.year_label()
            ),
            charts::bars(
                &words,
                years,
                IND.iter()
                    .zip(short)
                    .map(|(&m, name)| {
                        (
                            name.to_string(),
                            ctx.years
                                .iter()
                                .map(|&yy| cell(ctx.rows.total(yy, m, Period::Snapshot)))
                                .collect(),
                        )
                    })
                    .collect(),
                true,
                1,
                None,
            ),
        ));
        const MOVES: MeasureId = placement_stability::MOVES;
        let moves = ctx.rows.total(y, MOVES, Period::Year);
        if let Some(n) = v(&format::numerator(moves)) {
            out.push(para(format!(
                "Children looked after during {} moved placement {n} times.",
                ctx.year_label()
            )));
        }
        let reasons = categories(ctx, y, MOVES, Period::Year, "reason");
        if !reasons.is_empty() {
            let body = reasons
                .iter()
                .map(|(code, r)| {
                    let name = iro_domain::ReasonPlaceChange::parse(code)
                        .map(|c| format!("{} ({code})", c.meaning()))
                        .unwrap_or_else(|| upper_first(code));
                    TableRow::new(name, vec![format::numerator(Some(r)).into()])
                })
                .chain(std::iter::once(
                    TableRow::new("All moves", vec![format::numerator(moves).into()]).total(),
                ))
                .collect();
            out.push(with_notes(
                table(
                    format!("Placement moves by reason, {}", ctx.year_label()),
                    vec!["Reason for the move".into(), "Moves".into()],
                    body,
                ),
                notes_of(moves),
            ));
        }
    }

    // --- Placement type.
    out.push(heading("Type of placement"));
    const TYPE: MeasureId = placement_stability::PLACEMENT_TYPE;
    let groups = categories(ctx, y, TYPE, Period::Snapshot, "group");
    if groups.is_empty() {
        out.push(Draft::Block(ctx.not_available(&[TYPE], spec.if_missing)));
    } else {
        out.push(with_notes(
            share_table(
                &format!("Children looked after at 31 March {y} by type of placement"),
                "Placement",
                &groups,
            ),
            Vec::new(),
        ));
        let title = "Children looked after at 31 March by type of placement";
        out.extend(built(
            "placement-type",
            format!("{title}, % of all, {}", ctx.years_text()),
            cb::stacked(
                ctx.chart_rows,
                ctx.la,
                TYPE,
                "group",
                &ctx.snapshot_years(),
                SegmentColours::Categorical,
                meta(
                    ctx,
                    title,
                    "Year",
                    "Children looked after",
                    &ctx.years_text(),
                ),
            )
            .map(Chart::StackedBars),
        ));
    }
    out
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

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Notes of distance rows, the sector-centroid caveat in words.
fn distance_notes<'r>(rows: impl IntoIterator<Item = &'r MetricRow>) -> Vec<String> {
    notes_of(rows)
        .into_iter()
        .map(|n| {
            if n == "approximate: sector centroids" {
                "Approximate: distances and locations are measured from the centre of each \
                 postcode sector, not the exact address (see About these figures)."
                    .to_string()
            } else {
                n
            }
        })
        .collect()
}

/// Category | children | % for one year, with the total row.
fn share_table(caption: &str, first: &str, cats: &[(&str, &MetricRow)]) -> Table {
    let mut body: Vec<TableRow> = cats
        .iter()
        .map(|(c, r)| {
            TableRow::new(
                *c,
                vec![
                    format::numerator(Some(r)).into(),
                    format::value(Some(r)).into(),
                ],
            )
        })
        .collect();
    if let Some(d) = cats.first().and_then(|(_, r)| r.denominator) {
        body.push(
            TableRow::new(
                "All",
                vec![
                    Cell::Figure(Shown::Value(count(d))),
                    Cell::Figure(Shown::Value("100%".into())),
                ],
            )
            .total(),
        );
    }
    table(
        caption,
        vec![first.to_string(), "Children".into(), "%".into()],
        body,
    )
}

/// Short labels of the participation codes (the DfE meanings, abridged).
const PN: [(&str, &str); 7] = [
    ("PN1", "attended and spoke for themselves"),
    ("PN2", "attended, an advocate spoke for them"),
    ("PN3", "attended and conveyed their views non-verbally"),
    ("PN4", "attended without conveying their views"),
    ("PN5", "did not attend, briefed an advocate"),
    ("PN6", "did not attend, conveyed their views another way"),
    ("PN7", "did not attend, views not conveyed"),
];

fn participation(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    const P: MeasureId = participation::PARTICIPATED;
    const D: MeasureId = participation::DISTRIBUTION;
    let y = ctx.year;
    let year = ctx.rows.total(y, P, Period::Year);
    if year.is_none() {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut out = Vec::new();
    if let (Some(n), Some(d), Some(p)) = (
        v(&format::numerator(year)),
        v(&format::denominator(year)),
        v(&format::value(year)),
    ) {
        let mut s = format!(
            "Of the {d} reviews of children aged 4 or over in {}, the child took part in {n} \
             ({p}): they attended, or their views were conveyed to the review (codes PN1 to PN6).",
            ctx.year_label()
        );
        let pn7 = ctx.rows.get(y, D, Period::Year, "code=PN7");
        if let (Some(n7), Some(p7)) = (v(&format::numerator(pn7)), v(&format::value(pn7))) {
            s.push_str(&format!(
                " In {n7} ({p7}) the child did not attend and their views were not conveyed (PN7)."
            ));
        }
        out.push(para(s));
    }
    let line = |period: Period, name: &str| {
        let r = ctx.rows.total(y, P, period);
        TableRow::new(
            name,
            vec![
                format::denominator(r).into(),
                format::numerator(r).into(),
                format::value(r).into(),
            ],
        )
    };
    let mut body: Vec<TableRow> = QUARTERS.iter().map(|(p, n)| line(*p, n)).collect();
    body.push(line(Period::Year, "The year").total());
    out.push(with_notes(
        table(
            format!("Participation in reviews by quarter, {}", ctx.year_label()),
            vec![
                "Quarter".into(),
                "Reviews of children aged 4 or over".into(),
                "Child took part".into(),
                "% took part".into(),
            ],
            body,
        ),
        vec!["Took part: codes PN1 to PN6 of PN1 to PN7 (our grouping of the DfE code meanings, not a published DfE indicator). Reviews of children under 4 (PN0) are not counted.".into()],
    ));
    let codes: Vec<TableRow> = PN
        .iter()
        .map(|(code, meaning)| {
            let r = ctx.rows.get(y, D, Period::Year, &format!("code={code}"));
            TableRow::new(
                format!("{code}: {meaning}"),
                vec![format::numerator(r).into(), format::value(r).into()],
            )
        })
        .collect();
    out.push(Draft::Block(Block::Table(table(
        format!(
            "How children took part in their reviews, {}",
            ctx.year_label()
        ),
        vec!["Participation code".into(), "Reviews".into(), "%".into()],
        codes,
    ))));
    let mut bands = categories(ctx, y, P, Period::Year, "age_band");
    bands.sort_by_key(|(c, _)| band_order(c));
    if !bands.is_empty() {
        let body = bands
            .iter()
            .map(|(b, r)| {
                TableRow::new(
                    format!("Aged {b}"),
                    vec![
                        format::denominator(Some(r)).into(),
                        format::numerator(Some(r)).into(),
                        format::value(Some(r)).into(),
                    ],
                )
            })
            .collect();
        out.push(Draft::Block(Block::Table(table(
            format!("Participation in reviews by age, {}", ctx.year_label()),
            vec![
                "Age at the review".into(),
                "Reviews".into(),
                "Child took part".into(),
                "% took part".into(),
            ],
            body,
        ))));
    }
    let title = "How children aged 4 or over took part in their reviews";
    let mut periods: Vec<Period> = QUARTERS.iter().map(|(p, _)| *p).collect();
    periods.push(Period::Year);
    out.extend(built(
        "participation",
        format!("{title}, % of reviews by quarter, {}", ctx.year_label()),
        cb::stacked(
            ctx.chart_rows,
            ctx.la,
            D,
            "code",
            &Categories::Periods { year: y, periods },
            SegmentColours::Categorical,
            meta(ctx, title, "Quarter", "Reviews", &ctx.year_label()),
        )
        .map(Chart::StackedBars),
    ));
    out
}

fn local_targets(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let targets: Vec<&TargetRow> = ctx
        .targets
        .iter()
        .copied()
        .filter(|t| t.year == ctx.year)
        .collect();
    if targets.is_empty() {
        return vec![Draft::Block(Block::NotAvailable(
            ctx.with_year(spec.if_missing),
        ))];
    }
    let met = targets.iter().filter(|t| t.met == Met::Yes).count();
    let mut out = vec![para(format!(
        "{} of the {} local targets for {} {} met.",
        count(met as u64),
        count(targets.len() as u64),
        ctx.year_label(),
        if met == 1 { "was" } else { "were" }
    ))];
    let body = targets
        .iter()
        .map(|t| {
            let unit = ctx
                .rows
                .all(t.year, t.metric)
                .first()
                .map(|r| r.unit)
                .unwrap_or(Unit::Percent);
            let shown = |x: Option<f64>, hidden: bool| match x {
                _ if hidden => Shown::Suppressed,
                Some(x) => Shown::Value(in_unit(x, unit)),
                None => Shown::Missing,
            };
            let met_text = match t.met {
                Met::Yes => "\u{2713} Met",
                Met::No => "\u{2717} Not met",
                Met::Suppressed => "Not shown (c)",
                Met::NotComputable => "Not computable",
            };
            let trend = match t.trend {
                Trend::Better => "Better",
                Trend::Worse => "Worse",
                Trend::Same => "Same",
                Trend::None => "Not comparable",
            };
            let period = period_name(t.period, t.year);
            TableRow::new(
                t.label.clone(),
                vec![
                    Cell::Text(period),
                    Cell::Text(
                        target_words(t, unit)
                            .trim_start_matches("Target: ")
                            .to_string(),
                    ),
                    shown(t.value, t.met == Met::Suppressed).into(),
                    Cell::Text(met_text.to_string()),
                    shown(t.previous_value, t.previous_suppressed).into(),
                    Cell::Text(trend.to_string()),
                ],
            )
        })
        .collect();
    out.push(Draft::Block(Block::Table(table(
        format!("Local targets, {}", ctx.year_label()),
        vec![
            "Target".into(),
            "Period".into(),
            "Aim".into(),
            ctx.year_label(),
            "Met".into(),
            "Previous period".into(),
            "Trend".into(),
        ],
        body,
    ))));
    out
}

/// The order periods are shown in.
const PERIODS: [Period; 6] = [
    Period::Q1,
    Period::Q2,
    Period::Q3,
    Period::Q4,
    Period::Year,
    Period::Snapshot,
];

fn period_name(p: Period, year: i32) -> String {
    match p {
        Period::Year => "The year".into(),
        Period::Snapshot => format!("31 March {year}"),
        q => q.label().into(),
    }
}

fn breakdown_name(r: &MetricRow) -> String {
    if r.breakdown.is_empty() {
        "All".into()
    } else {
        r.breakdown
            .iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

/// The first part of a row's note (before `; `).
fn lead_note(r: &MetricRow) -> &str {
    r.note.split("; ").next().unwrap_or("").trim()
}

/// The breakdown key of `rows` in words (`issue`, `stage`).
fn key_words(rows: &[&MetricRow]) -> String {
    rows.iter()
        .find(|r| !r.breakdown.is_empty())
        .map(|r| upper_first(&r.breakdown.keys().replace(';', " / ").replace('_', " ")))
        .unwrap_or_else(|| "Category".into())
}

/// Every measure the section lists, as a table by breakdown (rows) and
/// period (columns), with a chart by quarter where there is one.
fn generic(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let y = ctx.year;
    if !ctx.rows.has_any(y, spec.metrics) {
        return vec![Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        )];
    }
    let mut out = Vec::new();
    let mut seen: Vec<MeasureId> = Vec::new();
    for &metric in spec.metrics {
        {
            if seen.contains(&metric) || ctx.rows.all(y, metric).is_empty() {
                continue;
            }
            seen.push(metric);
            let rows = ctx.rows.all(y, metric);
            let title = ctx.measure_title(metric).unwrap_or(metric.as_str());
            let periods: Vec<Period> = PERIODS
                .iter()
                .copied()
                .filter(|p| rows.iter().any(|r| r.period == *p))
                .collect();
            let mut names: Vec<String> = Vec::new();
            for r in rows {
                let n = breakdown_name(r);
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            let key = rows
                .iter()
                .find(|r| !r.breakdown.is_empty())
                .map(|r| r.breakdown.keys().replace(';', " / ").replace('_', " "))
                .map(|k| upper_first(&k))
                .unwrap_or_else(|| "Breakdown".into());
            let find = |name: &str, p: Period| {
                rows.iter()
                    .find(|r| r.period == p && breakdown_name(r) == name)
                    .copied()
            };
            // A category whose rows carry their own meaning as the note
            // (e.g. stage 1 = "Social worker") is labelled with it.
            let meaning = |n: &str| -> Option<&str> {
                let notes: Vec<&str> = rows
                    .iter()
                    .filter(|r| breakdown_name(r) == n)
                    .map(|r| lead_note(r))
                    .collect();
                let first = *notes.first()?;
                let total_note = rows
                    .iter()
                    .find(|r| r.breakdown.is_empty())
                    .map(|r| lead_note(r));
                (n != "All"
                    && !first.is_empty()
                    && notes.iter().all(|x| *x == first)
                    && total_note != Some(first)
                    && names.iter().filter(|m| m.as_str() != "All").count() > 1
                    && rows
                        .iter()
                        .filter(|r| !r.breakdown.is_empty() && breakdown_name(r) != n)
                        .all(|r| lead_note(r) != first))
                .then_some(first)
            };
            let labelled: Vec<&str> = names.iter().filter_map(|n| meaning(n)).collect();
            let mut head = vec![key];
            head.extend(periods.iter().map(|&p| period_name(p, y)));
            let body = names
                .iter()
                .map(|n| {
                    let label = match meaning(n) {
                        Some(m) => format!("{n}: {m}"),
                        None => n.clone(),
                    };
                    let row = TableRow::new(
                        label,
                        periods
                            .iter()
                            .map(|&p| format::value(find(n, p)).into())
                            .collect(),
                    );
                    if n == "All" { row.total() } else { row }
                })
                .collect();
            out.push(with_notes(
                table(
                    format!("{} ({}), {}", upper_first(title), metric, ctx.year_label()),
                    head,
                    body,
                ),
                notes_of(rows.iter().copied())
                    .into_iter()
                    .filter(|n| !labelled.contains(&n.as_str()))
                    .collect(),
            ));
            // A chart by quarter: bars for a total, stacked bars for one
            // breakdown of counts.
            let quarters = QUARTERS.iter().all(|(q, _)| periods.contains(q));
            let unit = rows[0].unit;
            let parts: Vec<&String> = names.iter().filter(|n| *n != "All").collect();
            if !quarters
                || !matches!(unit, Unit::Count | Unit::Percent)
                || !spec.charts.contains(&metric)
            {
                continue;
            }
            let cats: Vec<String> = QUARTERS
                .iter()
                .map(|(q, _)| q.label().to_string())
                .collect();
            let words = Words {
                title: &upper_first(title),
                x_label: "Quarter",
                y_label: title,
                unit: if unit == Unit::Percent { "%" } else { "" },
                period: &ctx.year_label(),
                source: &ctx.source(),
            };
            let slug = metric.as_str().replace('.', "-");
            let caption = if parts.len() > 5 && unit == Unit::Count {
                format!("{}, {}", upper_first(title), ctx.year_label())
            } else {
                format!("{}: by quarter, {}", upper_first(title), ctx.year_label())
            };
            let target = target_for(ctx, metric).map(|t| (t.target, target_words(t, unit)));
            let chart = if parts.len() > 5 && unit == Unit::Count {
                // Many categories: the year's figure of each, as bars.
                charts::bars(
                    &Words {
                        x_label: &key_words(rows),
                        ..words.clone()
                    },
                    parts.iter().map(|n| n.to_string()).collect(),
                    vec![(
                        ctx.year_label(),
                        parts.iter().map(|n| cell(find(n, Period::Year))).collect(),
                    )],
                    false,
                    0,
                    None,
                )
            } else if parts.is_empty() || unit == Unit::Percent {
                charts::bars(
                    &words,
                    cats,
                    vec![(
                        "All".to_string(),
                        QUARTERS
                            .iter()
                            .map(|(q, _)| cell(find("All", *q)))
                            .collect(),
                    )],
                    unit == Unit::Percent,
                    if unit == Unit::Percent { 1 } else { 0 },
                    target,
                )
            } else {
                charts::stacked(
                    &words,
                    cats,
                    parts
                        .iter()
                        .map(|n| {
                            (
                                n.to_string(),
                                QUARTERS
                                    .iter()
                                    .map(|(q, _)| cell(find(n, *q)))
                                    .collect::<Vec<ChartCell>>(),
                            )
                        })
                        .collect(),
                    false,
                    false,
                    0,
                )
            };
            out.push(figure(&slug, caption, chart));
        }
    }
    out
}

fn benchmarking(spec: &SectionSpec, ctx: &Ctx<'_>) -> Vec<Draft> {
    let mut out = Vec::new();
    let chart = |name: &str| {
        ctx.standard
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.chart.clone())
    };
    let rate = ctx
        .rows
        .total(ctx.year, cohort_summary::CLA_RATE, Period::Snapshot);
    // Exactly whom the funnel plot compares (never "every authority" unless so).
    let funnel = chart("cla-rate-funnel");
    let compared = match &funnel {
        Some(Chart::Funnel(f)) => f.compared.clone(),
        _ => None,
    };
    if let Some(r) = v(&format::value(rate)) {
        let funnel_words = match &compared {
            Some(who) => format!(", and, in a funnel plot, with {who}"),
            None => String::new(),
        };
        out.push(para(format!(
            "At 31 March {} {} looked after {r} children per 10,000 aged 0 to 17. The charts \
             compare this rate with the region's and England's, as published by the DfE{funnel_words}.",
            ctx.year, ctx.la_name
        )));
    }
    if let Some(c) = chart("cla-rate-trend") {
        out.push(figure(
            "cla-rate-trend",
            format!(
                "Children looked after per 10,000 children: {}, its region and England",
                ctx.la_name
            ),
            c,
        ));
    }
    if let (Some(c), Some(who)) = (funnel, compared) {
        out.push(figure(
            "cla-rate-funnel",
            format!(
                "Children looked after per 10,000 children at 31 March {}: {who}, each against \
                 its child population (funnel plot)",
                ctx.year
            ),
            c,
        ));
        out.push(para(
            "In a funnel plot each dot is an authority: the further right, the more children \
             live there. The curved lines show how far a rate can differ from England's by \
             chance alone; a rate outside the outer lines differs by more than chance explains.",
        ));
    }
    out.extend(benchmark_tables(ctx));
    if out.is_empty() {
        out.push(Draft::Block(
            ctx.not_available(spec.metrics, spec.if_missing),
        ));
    }
    out
}

/// The benchmarked indicators of `regional-benchmarking`, with the words the
/// report uses for them.
const INDICATORS: [(&str, &str); 6] = [
    ("cla-rate", "Children looked after per 10,000 (31 March)"),
    (
        "starts-rate",
        "Children starting to be looked after per 10,000",
    ),
    (
        "three-plus-placements",
        "3 or more placements in the year (%)",
    ),
    (
        "long-term-stability",
        "Long-term stability: same carer for 2 years (%)",
    ),
    (
        "over-20-miles",
        "Placed more than 20 miles from home (%, 31 March)",
    ),
    (
        "new-placements-over-20-miles",
        "New placements more than 20 miles from home (%)",
    ),
];

/// The comparison tables from `regional-benchmarking`'s rows: the
/// authority's figures beside its region, England and statistical
/// neighbours, then where it stands (rank, funnel position).
fn benchmark_tables(ctx: &Ctx<'_>) -> Vec<Draft> {
    let y = ctx.year;
    let value_of = |ind: &str, source: &str| {
        ctx.rows
            .all(y, regional_benchmarking::measure_id(ind))
            .iter()
            .find(|r| r.breakdown.to_string() == format!("source={source}"))
            .copied()
    };
    let present: Vec<(&str, &str, Period)> = INDICATORS
        .iter()
        .filter_map(|(ind, name)| {
            value_of(ind, "903")
                .or_else(|| value_of(ind, "published"))
                .map(|r| (*ind, *name, r.period))
        })
        .collect();
    if present.is_empty() {
        return Vec::new();
    }
    let find = |metric: MeasureId, period: Period, b: String| ctx.rows.get(y, metric, period, &b);
    let mut out = Vec::new();
    let comparators = [
        ("region", ctx.region.to_string()),
        ("england", "England".to_string()),
        ("sn2021", "Statistical neighbours (2021)".to_string()),
        ("sn2025", "Statistical neighbours (2025)".to_string()),
    ];
    let mut head = vec![
        "Indicator".to_string(),
        ctx.la_name.to_string(),
        "DfE published".to_string(),
    ];
    head.extend(comparators.iter().map(|(_, n)| n.clone()));
    let body = present
        .iter()
        .map(|(ind, name, period)| {
            let mut cells: Vec<Cell> = vec![
                format::value(value_of(ind, "903")).into(),
                format::value(value_of(ind, "published")).into(),
            ];
            cells.extend(comparators.iter().map(|(c, _)| {
                Cell::from(format::value(find(
                    regional_benchmarking::COMPARATOR_VALUE,
                    *period,
                    format!("indicator={ind};comparator={c}"),
                )))
            }));
            TableRow::new(*name, cells)
        })
        .collect();
    out.push(with_notes(
        table(
            format!("{} beside its region, England and statistical neighbours, {}", ctx.la_name, ctx.year_label()),
            head,
            body,
        ),
        vec![
            format!("{}: computed from the authority's SSDA903 return; the other columns are the DfE's published figures. Statistical neighbours: the mean of the neighbours' published values (DfE groupings of April 2021 and the 2025 model).", ctx.la_name),
        ],
    ));
    // Where the authority stands.
    let rank = |ind: &str, period: Period, c: &str| {
        let r = find(
            regional_benchmarking::RANK,
            period,
            format!("indicator={ind};comparator={c};source=903"),
        );
        match r {
            Some(r) if r.status.is_suppressed() => Shown::Suppressed,
            Some(MetricRow {
                value: Some(v),
                denominator: Some(n),
                ..
            }) => Shown::Value(format!("{} of {}", format::number(*v, 0), count(*n))),
            _ => Shown::Missing,
        }
    };
    let position = |ind: &str, period: Period| {
        ["adjusted", "exact"].iter().find_map(|l| {
            let r = find(
                regional_benchmarking::FUNNEL_POSITION,
                period,
                format!("indicator={ind};comparator=england;source=903;level=99.8;limits={l}"),
            )?;
            let side = match r.value {
                Some(v) if v < 0.0 => "Below the limits",
                Some(v) if v > 0.0 => "Above the limits",
                Some(_) => "Within the limits",
                None => return None,
            };
            Some(if *l == "adjusted" {
                format!("{side} (adjusted for over-dispersion)")
            } else {
                side.to_string()
            })
        })
    };
    let body: Vec<TableRow> = present
        .iter()
        .map(|(ind, name, period)| {
            TableRow::new(
                *name,
                vec![
                    rank(ind, *period, "region").into(),
                    rank(ind, *period, "england").into(),
                    match position(ind, *period) {
                        Some(t) => Cell::Text(t),
                        None => Shown::Missing.into(),
                    },
                ],
            )
        })
        .collect();
    out.push(with_notes(
        table(
            format!("Where {} stands, {}", ctx.la_name, ctx.year_label()),
            vec![
                "Indicator".into(),
                format!("Rank in {}", if ctx.region.is_empty() { "the region" } else { ctx.region }),
                "Rank in England".into(),
                "Against England's rate (funnel plot, 99.8% limits)".into(),
            ],
            body,
        ),
        vec!["Rank 1 is the lowest value. Funnel limits show how far a figure can differ from England's by chance given the authority's size; over-dispersion adjusted where the spread between authorities calls for it (see docs/METHODS.md, \"Regional benchmarking\").".into()],
    ));
    out
}

fn about(ctx: &Ctx<'_>) -> Vec<Draft> {
    let mut out = vec![
        para(format!(
            "Every figure in this report is in the tables IRO Analytics writes beside it \
             (metrics.csv, cohort_summary.csv, targets.csv), computed from {}'s SSDA903 return \
             by the definitions in the tool's methods document (docs/METHODS.md). The DfE \
             publishes children looked after figures from its own cleaned national data, so a \
             count here can differ from the published one by a child or two.",
            ctx.la_name
        )),
        para(suppression_sentence(ctx.threshold)),
        para(
            "Review timeliness is rebuilt from the dates reviews were held: the SSDA903 holds no \
             due dates, so a review whose period of care began before the data does cannot be \
             timed, and is counted as held but not in the percentage on time. Placement \
             distances are measured in a straight line between the home and placement \
             postcodes, as the DfE measures them.",
        ),
    ];
    let problems: Vec<TableRow> = ctx
        .statuses
        .iter()
        .filter(|s| s.year == ctx.year)
        .filter_map(|s| match &s.outcome {
            Outcome::NotComputable(why) => Some(TableRow::new(
                s.metric.clone(),
                vec![Cell::Text("Not computable".into()), Cell::Text(why.clone())],
            )),
            Outcome::Failed(why) => Some(TableRow::new(
                s.metric.clone(),
                vec![Cell::Text("Failed".into()), Cell::Text(why.clone())],
            )),
            Outcome::Ok(_) => None,
        })
        .collect();
    if !problems.is_empty() {
        out.push(Draft::Block(Block::Table(table(
            format!("Figures that could not be computed, {}", ctx.year_label()),
            vec!["Metric".into(), "Status".into(), "Why".into()],
            problems,
        ))));
    }
    let body = ctx
        .specs
        .iter()
        .map(|s| {
            TableRow::new(
                s.id,
                vec![
                    Cell::Text(s.title.to_string()),
                    Cell::Text(s.version.to_string()),
                ],
            )
        })
        .collect();
    out.push(Draft::Block(Block::Table(table(
        "Metrics computed for this report",
        vec!["Metric".into(), "What it computes".into(), "Version".into()],
        body,
    ))));
    out
}

/// Whether a metric id of the table is one the section lists.
pub fn section_shows(spec: &SectionSpec, metric: MeasureId) -> bool {
    spec.metrics.contains(&metric)
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
    fn every_data_section_says_why_when_missing() {
        for s in SECTIONS {
            if !matches!(
                s.layout,
                Layout::NarrativeOnly | Layout::Introduction | Layout::About
            ) {
                assert!(!s.if_missing.is_empty(), "{}", s.id);
            }
        }
        assert!(section_shows(&SECTIONS[5], service_records::RECORD_ON_TIME));
        assert!(!section_shows(&SECTIONS[5], drp_flow::ESCALATIONS));
    }
}
