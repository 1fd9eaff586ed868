//! The pack as a document of the report's model, so the report's renderers
//! write it as HTML, Word, a workbook and Markdown.

use std::collections::BTreeSet;

use iro_charts::Chart;
use iro_domain::{CollectionYear, TableKind};
use iro_metric_api::AreaCode;
use iro_report::format::{self, Shown};
use iro_report::model::{Block, Cell, Section, Table, TableRow};
use iro_report::{DocumentKind, Report};

use crate::charts;
use crate::indicator::{
    INDICATORS, PackIndicator, Published, QUARTERS, REVIEWS_ON_TIME, Records, Scale,
};
use crate::league::{self, Figure, League, Line, Pooled, PublishedValue, Rows};
use crate::{PackInput, TREND_YEARS};

/// A section of the pack: (id, title, indicators whose league tables it has).
const SECTIONS: [(&str, &str, &[&str]); 5] = [
    (
        "children-in-care",
        "Children in care",
        &["children-in-care", "cla-rate", "starts-rate", "uasc"],
    ),
    (
        "reviews",
        "Reviews and participation",
        &["reviews-on-time", "overdue-at-end", "participation"],
    ),
    (
        "placements",
        "Placement stability and distance",
        &[
            "three-plus-placements",
            "long-term-stability",
            "over-20-miles",
        ],
    ),
    (
        "service-records",
        "The IRO services' own records",
        &[
            "records-on-time",
            "reports-on-time",
            "allocated-on-time",
            "caseload",
            "drps-per-100",
            "drp-responses-on-time",
        ],
    ),
    ("trends", "Five-year trends", &[]),
];

/// The fewest authorities a funnel plot is drawn for: with fewer, its
/// limits say nothing about the group.
const MIN_FUNNEL: usize = 5;

/// Numbers tables and figures as they are added.
struct Counter {
    tables: usize,
    figures: usize,
}

impl Counter {
    fn table(&mut self, mut t: Table) -> Block {
        self.tables += 1;
        t.number = self.tables;
        Block::Table(t)
    }

    fn figure(&mut self, slug: &str, caption: String, chart: Result<Chart, String>) -> Block {
        match chart {
            Ok(chart) => {
                self.figures += 1;
                Block::Figure(iro_report::draw(
                    self.figures,
                    slug.to_string(),
                    caption,
                    &chart,
                ))
            }
            Err(why) => Block::NotAvailable(format!("{caption}: {why}")),
        }
    }
}

/// Builds the pack's document.
pub fn build(input: &PackInput<'_>) -> Report {
    let group = input.group;
    let year = input.year;
    let rows = Rows::new(input.rows, group);
    let leagues: Vec<League> = INDICATORS
        .iter()
        .map(|i| league::league(&rows, input.reference, group, i, year))
        .collect();
    let find = |id: &str| leagues.iter().find(|l| l.indicator.id == id);
    let mut n = Counter {
        tables: 0,
        figures: 0,
    };
    let mut sections = Vec::new();

    // The funnel plots, drawn once: shown in their sections, and read for
    // the headlines (who lies outside the limits).
    let funnels: Vec<(&str, Result<Chart, String>)> = leagues
        .iter()
        .filter(|l| matches!(l.indicator.scale, Scale::Rate | Scale::Percent))
        .filter(|l| {
            l.lines
                .iter()
                .filter(|x| x.figure.counts().is_some())
                .count()
                >= MIN_FUNNEL
        })
        .map(|l| (l.indicator.id, charts::funnel(input, l)))
        .collect();
    let funnel_of = |id: &str| {
        funnels
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, c)| c.clone())
    };
    let quarters: Vec<League> = QUARTERS
        .iter()
        .map(|(_, i)| league::league(&rows, input.reference, group, i, year))
        .collect();
    let (plausibility, flagged) = plausibility_table(input, find("children-in-care"));

    // 1. The headlines, what the pack is, and the figures at a glance.
    let mut blocks = vec![Block::Heading("Headlines".into())];
    blocks.extend(
        headlines(input, &leagues, &funnels, &rows, &flagged)
            .into_iter()
            .map(Block::Para),
    );
    blocks.push(Block::Heading("About this pack".into()));
    blocks.push(Block::Para(about(input)));
    blocks.push(n.table(at_a_glance(input, &leagues)));
    blocks.push(Block::Para(reading_guide(input)));
    sections.push(("summary", "Summary", blocks));

    for (id, title, ids) in SECTIONS {
        let mut blocks = Vec::new();
        if id == "reviews" {
            blocks.push(n.table(timeliness_table(input, &quarters, find("reviews-on-time"))));
            blocks.push(n.figure(
                "reviews-on-time-by-quarter",
                format!(
                    "Reviews held on time by quarter, {}, each authority",
                    year.label()
                ),
                charts::quarter_multiples(input, &quarters),
            ));
        }
        if id == "service-records" {
            blocks.push(Block::Para(service_records_words(input, &rows)));
        }
        if id == "trends" {
            for i in [
                INDICATORS.iter().find(|i| i.id == "cla-rate"),
                Some(&REVIEWS_ON_TIME),
            ]
            .into_iter()
            .flatten()
            {
                let history = trend_leagues(input, &rows, i);
                blocks.push(n.figure(
                    &format!("{}-trend", i.id),
                    format!("{} over {} years, each authority", i.short, history.len()),
                    charts::trend_multiples(input, i, &history),
                ));
            }
        }
        for &lid in ids {
            let Some(l) = find(lid) else { continue };
            if l.indicator.records == Records::ServiceRecords && !l.any_shown() {
                blocks.push(Block::NotAvailable(format!(
                    "{}: no authority of the group supplied the IRO records it needs for {}.",
                    l.indicator.title,
                    year.label()
                )));
                continue;
            }
            blocks.push(Block::Heading(l.indicator.title.to_string()));
            blocks.push(n.table(league_table(input, l)));
            if l.indicator.has_counts() && l.any_shown() {
                blocks.push(n.figure(
                    &format!("{}-ranked", l.indicator.id),
                    format!(
                        "{}: each authority with its 95% interval",
                        l.indicator.short
                    ),
                    charts::ranked_bars(input, l),
                ));
            }
            // A funnel plot needs a rate per 10,000 or a percentage, and
            // enough authorities for its limits to say anything.
            if let Some(chart) = funnel_of(l.indicator.id) {
                blocks.push(n.figure(
                    &format!("{}-funnel", l.indicator.id),
                    format!("{}: funnel plot of the group", l.indicator.short),
                    chart,
                ));
            }
        }
        sections.push((id, title, blocks));
    }

    // Annexes.
    sections.push((
        "coverage",
        "Annex A: what each authority supplied",
        vec![
            Block::Para(
                "The figures can only be as complete as the returns behind them. This annex \
                 shows which years of the SSDA903 return and of the IRO service's own records \
                 each authority supplied, and the rows read from each table in the year of \
                 the pack."
                    .into(),
            ),
            n.table(coverage_years(input, &rows)),
            n.table(coverage_tables(input)),
        ],
    ));
    let mut blocks = vec![Block::Para(format!(
        "Each authority's count of children looked after at 31 March, from the return supplied \
         for this pack, beside the count the DfE published from the authority's statutory \
         return. A count more than {} apart is flagged: the return supplied may be incomplete \
         or a different extract, and every figure of that authority should be read with care.{}",
        percent_words(input.quality.published_difference),
        if group.anonymised() {
            " In this anonymised pack only the flag is given: the counts would name the \
             authorities."
        } else {
            ""
        }
    ))];
    blocks.push(n.table(plausibility));
    blocks.push(Block::Para(if flagged.is_empty() {
        format!(
            "No authority's count is flagged: every return supplied is within {} of the \
             DfE's count.",
            percent_words(input.quality.published_difference)
        )
    } else {
        format!("Flagged: {}.", flagged.join("; "))
    }));
    sections.push((
        "plausibility",
        "Annex B: plausibility against the DfE's counts",
        blocks,
    ));

    let mut data_quality = Vec::new();
    if !flagged.is_empty() {
        data_quality.push(format!(
            "The count of children in care at 31 March {} differs from the DfE's published \
             count by more than {} for {}: see Annex B.",
            year.0,
            percent_words(input.quality.published_difference),
            flagged.join(", ")
        ));
    }
    Report {
        kind: DocumentKind::RegionalPack {
            members: group.members.len(),
        },
        la_code: group.slug.clone(),
        la_name: group.name.clone(),
        region: String::new(),
        year: year.0,
        year_label: year.label(),
        period_text: format!("1 April {} to 31 March {}", year.0 - 1, year.0),
        disclosure: input.disclosure,
        settings: input.settings.clone(),
        data_quality,
        sections: sections
            .into_iter()
            .enumerate()
            .map(|(i, (id, title, blocks))| Section {
                id,
                number: i + 1,
                title,
                blocks,
                narrative: None,
                narrative_only: false,
            })
            .collect(),
        images: Default::default(),
    }
}

/// The pack's headlines, in sentences: who lies outside the funnel limits,
/// timeliness against the group's target, who supplied IRO records, whose
/// counts are far from the DfE's.
fn headlines(
    input: &PackInput<'_>,
    leagues: &[League],
    funnels: &[(&str, Result<Chart, String>)],
    rows: &Rows<'_>,
    flagged: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    let year = input.year;
    for (id, chart) in funnels {
        let (Ok(Chart::Funnel(f)), Some(l)) =
            (chart, leagues.iter().find(|l| l.indicator.id == *id))
        else {
            continue;
        };
        let dp = l.indicator.scale.decimals();
        let outside = |above: bool, level: f64| -> Vec<String> {
            f.points
                .iter()
                .filter(|p| {
                    p.bands.iter().any(|b| {
                        (b.level - level).abs() < 1e-9
                            && if above {
                                p.value > b.upper
                            } else {
                                p.value < b.lower
                            }
                    })
                })
                .map(|p| {
                    format!(
                        "{} ({}{})",
                        p.label,
                        format::number(p.value, dp),
                        l.indicator.scale.suffix()
                    )
                })
                .collect()
        };
        let (above, below) = (outside(true, 0.95), outside(false, 0.95));
        if above.is_empty() && below.is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        if !above.is_empty() {
            parts.push(format!("above: {}", above.join("; ")));
        }
        if !below.is_empty() {
            parts.push(format!("below: {}", below.join("; ")));
        }
        out.push(format!(
            "{}: outside the 95% limits around {} ({}), {}.",
            l.indicator.short,
            f.target_label,
            l.indicator
                .better
                .words()
                .trim_end_matches('.')
                .to_lowercase(),
            parts.join("; ")
        ));
    }
    if out.is_empty() {
        out.push(
            "No authority's figure lies outside the 95% limits of any funnel plot: the \
             differences between the authorities are within what chance alone could give."
                .to_string(),
        );
    } else {
        out.insert(
            0,
            "Authorities whose figures differ from the centre line by more than chance alone \
             would give (outside the 95% limits of the funnel plots, where about 1 in 40 \
             authorities would lie above by chance alone, and as many below):"
                .to_string(),
        );
    }
    if let Some(l) = leagues
        .iter()
        .find(|l| l.indicator.id == REVIEWS_ON_TIME.id)
    {
        let shown: Vec<f64> = l.lines.iter().filter_map(|x| x.figure.value()).collect();
        if let Some(t) = input.group.review_target {
            let met = shown.iter().filter(|&&v| v >= t).count();
            out.push(format!(
                "Reviews on time: {met} of the {} authorities with a figure met the group's \
                 target of {}% for {}.",
                shown.len(),
                format::number(t, 0),
                year.label()
            ));
        }
        if let Some(p) = l.pooled.value() {
            out.push(format!(
                "Across the group, {}% of reviews were held on time in {} ({} the year before).",
                format::number(p, 1),
                year.label(),
                l.pooled_last_year
                    .value()
                    .map_or("no figure".to_string(), |v| format!(
                        "{}%",
                        format::number(v, 1)
                    ))
            ));
        }
    }
    let with = input
        .group
        .members
        .iter()
        .filter(|m| rows.has_service_records(AreaCode::new(&m.area_code()), year.0))
        .count();
    out.push(format!(
        "{with} of the {} authorities supplied the IRO service's own records (review records, \
         allocations, DRP log) for {}: section 5 compares them.",
        input.group.members.len(),
        year.label()
    ));
    if !flagged.is_empty() {
        out.push(format!(
            "Check the data: the count of children in care from the return supplied is far from \
             the DfE's for {} (Annex B).",
            flagged.join("; ")
        ));
    }
    out
}

fn percent_words(share: f64) -> String {
    format!("{}%", format::number(share * 100.0, 0))
}

fn about(input: &PackInput<'_>) -> String {
    let g = input.group;
    let names: Vec<String> = g.members.iter().map(|m| m.label()).collect();
    let anonymised = if g.anonymised() {
        " The authorities are named by letter only (the letters are the group's own), and \
         their published figures are left out. Anyone holding the DfE's tables could still \
         match an authority's figures to its name: anonymise for the group's discussion, not \
         for publication."
    } else {
        ""
    };
    let whose = if g.region.is_some() {
        format!("of the {} region", g.name)
    } else {
        format!("of {}", g.name)
    };
    format!(
        "This pack compares the {} authorities {whose} on the figures IRO services run on, for \
         {} (1 April {} to 31 March {}): {}.{anonymised}",
        g.members.len(),
        input.year.label(),
        input.year.0 - 1,
        input.year.0,
        names.join("; ")
    )
}

fn reading_guide(input: &PackInput<'_>) -> String {
    let threshold = input.disclosure.threshold;
    let suppression = if threshold > 0 {
        format!(
            "A count from 1 to {threshold}, and any figure from which one could be worked out, \
             is shown as c. "
        )
    } else {
        "Small-number suppression is off: the pack is not for publication. ".to_string()
    };
    format!(
        "How to read it. Each league table gives the figure each authority's own return \
         (SSDA903) gives, and beside it the figure the DfE published for the authority, where \
         the DfE publishes one: the two can differ because a return is revised, or because the \
         extract supplied differs from the statutory return. Ranks are among the group's own \
         figures (1 is the highest value, which is not always the best) and quartile 1 is the \
         highest quarter. The group's row pools the counts of the authorities with a figure shown. \
         {suppression}A hidden figure is not ranked, its change from last year is not given, and \
         it is left out of the group's pooled figure, which would otherwise give it away (the \
         total less the others' figures). x: no figure (not computable from the data supplied). Not \
         supplied: the authority did not supply the IRO records the figure needs. The \
         ranked bars give each figure a 95% interval: the range within which it could have \
         fallen by chance alone (the play of chance in a year's events), so two authorities \
         whose intervals overlap may not really differ. The funnel plots put every authority \
         against one centre line (England's published figure where the DfE publishes one, else \
         the group's) with limits that narrow as authorities grow: a point outside them differs \
         by more than chance would give."
    )
}

fn shown(indicator: &PackIndicator, v: f64) -> Shown {
    Shown::Value(format!(
        "{}{}",
        format::number(v, indicator.scale.decimals()),
        indicator.scale.suffix()
    ))
}

fn figure_cell(indicator: &PackIndicator, f: &Figure) -> Cell {
    match f {
        Figure::Shown { value, .. } => shown(indicator, *value).into(),
        Figure::Suppressed => Shown::Suppressed.into(),
        Figure::NotSupplied => Cell::Text("not supplied".into()),
        Figure::NotAvailable(_) => Shown::Missing.into(),
    }
}

fn published_cell(indicator: &PackIndicator, p: &Option<PublishedValue>) -> Cell {
    match p {
        Some(PublishedValue { value: Some(v), .. }) => shown(indicator, *v).into(),
        Some(PublishedValue {
            symbol: Some("c"), ..
        }) => Shown::Suppressed.into(),
        _ => Shown::Missing.into(),
    }
}

fn pooled_cell(indicator: &PackIndicator, p: &Pooled) -> Cell {
    match p {
        Pooled::Shown { value, .. } => shown(indicator, *value).into(),
        Pooled::None => Shown::Missing.into(),
    }
}

/// `up 2.1`, `down 0.4`, `no change`.
/// A change from last year as a signed number (`+1.2`, `-0.4`, `0.0`).
fn change_cell(indicator: &PackIndicator, change: Option<f64>, hidden: bool) -> Cell {
    match change {
        Some(c) => {
            let dp = indicator.scale.decimals();
            let text = format::number(c.abs(), dp);
            if text == format::number(0.0, dp) {
                Shown::Value(text).into()
            } else if c > 0.0 {
                Shown::Value(format!("+{text}")).into()
            } else {
                Shown::Value(format!("-{text}")).into()
            }
        }
        None if hidden => Shown::Suppressed.into(),
        None => Shown::Missing.into(),
    }
}

/// The columns of one league table.
struct Columns {
    published: bool,
    /// Ranked (not a count), and how many figures are ranked.
    ranked: Option<usize>,
    /// Quartiles mean something: four or more ranked.
    quartiles: bool,
}

impl Columns {
    fn of(l: &League) -> Columns {
        let ranked = l.lines.iter().filter(|x| x.rank.is_some()).count();
        let is_ranked = l.indicator.scale != crate::indicator::Scale::Count;
        Columns {
            published: l.indicator.published != Published::None,
            ranked: is_ranked.then_some(ranked),
            quartiles: is_ranked && ranked >= 4,
        }
    }
}

fn blank() -> Cell {
    Cell::Text(String::new())
}

fn line_cells(input: &PackInput<'_>, l: &League, cols: &Columns, line: &Line) -> Vec<Cell> {
    let i = &l.indicator;
    let mut cells = vec![figure_cell(i, &line.figure)];
    if cols.published {
        cells.push(if input.group.anonymised() {
            blank()
        } else {
            published_cell(i, &line.published)
        });
    }
    let not_supplied = line.figure == Figure::NotSupplied;
    if cols.ranked.is_some() {
        cells.push(match &line.rank {
            Some(r) if r.tied => Cell::Text(format!("{}=", r.rank)),
            Some(r) => Shown::Value(r.rank.to_string()).into(),
            None if line.figure.is_suppressed() => Shown::Suppressed.into(),
            None => blank(),
        });
    }
    if cols.quartiles {
        cells.push(match &line.rank {
            Some(r) => Shown::Value(r.quartile.to_string()).into(),
            None if line.figure.is_suppressed() => Shown::Suppressed.into(),
            None => blank(),
        });
    }
    cells.push(figure_cell(i, &line.last_year));
    let hidden = line.figure.is_suppressed() || line.last_year.is_suppressed();
    cells.push(if not_supplied {
        blank()
    } else {
        change_cell(i, line.change(), hidden)
    });
    cells
}

/// "(903)" or "(IRO records)": where a column's figures come from.
fn source_tag(i: &PackIndicator) -> &'static str {
    match i.records {
        Records::Return => "(903)",
        Records::ServiceRecords => "(IRO records)",
    }
}

fn league_table(input: &PackInput<'_>, l: &League) -> Table {
    let i = &l.indicator;
    let year = l.year;
    let last = CollectionYear(year.0 - 1);
    let cols = Columns::of(l);
    let mut head = vec![
        "Authority".to_string(),
        format!("{} {}", year.label(), source_tag(i)),
    ];
    if cols.published {
        head.push("DfE published".into());
    }
    if let Some(n) = cols.ranked {
        head.push(format!("Rank (of {n})"));
    }
    if cols.quartiles {
        head.push("Quartile".into());
    }
    head.extend([
        format!("{} {}", last.label(), source_tag(i)),
        "Change".to_string(),
    ]);
    let mut rows: Vec<TableRow> = l
        .ranked()
        .into_iter()
        .map(|line| {
            let member = &input.group.members[line.member];
            TableRow::new(member.label(), line_cells(input, l, &cols, line))
        })
        .collect();
    // The group's pooled figure, and England's published one.
    let mut pooled = vec![pooled_cell(i, &l.pooled)];
    if cols.published {
        pooled.push(match &l.region_published {
            Some(_) => published_cell(i, &l.region_published),
            None => blank(),
        });
    }
    pooled.extend(cols.ranked.map(|_| blank()));
    if cols.quartiles {
        pooled.push(blank());
    }
    pooled.push(pooled_cell(i, &l.pooled_last_year));
    pooled.push(change_cell(i, l.pooled_change(), false));
    rows.push(TableRow::new(format!("{} (pooled)", input.group.name), pooled).total());
    if cols.published {
        let mut england = vec![blank(), published_cell(i, &l.england_published)];
        england.extend(cols.ranked.map(|_| blank()));
        if cols.quartiles {
            england.push(blank());
        }
        england.extend([blank(), blank()]);
        rows.push(TableRow::new("England", england).total());
    }
    let mut notes = vec![format!("{}.", capitalise(i.definition))];
    notes.push(i.better.words().to_string());
    match cols.ranked {
        Some(n) => notes.push(format!(
            "Rank: among the {n} authorities with a figure shown, 1 the highest value{}.",
            if cols.quartiles {
                "; quartile 1 is the highest quarter"
            } else {
                " (too few for quartiles)"
            }
        )),
        None => notes.push(
            "Counts are not ranked: they mostly reflect how big an authority is (the rate \
             compares them)."
                .to_string(),
        ),
    }
    notes.push(format!(
        "Change: this year less last year, in {}.",
        i.scale.difference_words()
    ));
    if let Some(note) = pooled_note(&l.pooled, l.lines.len()) {
        notes.push(note);
    }
    if l.pooled.value().is_some()
        && l.pooled_last_year.value().is_some()
        && l.pooled_change().is_none()
    {
        notes.push(
            "The group's figures of the two years pool different authorities, so no change \
             is given for the group."
                .to_string(),
        );
    }
    let releases = l.releases();
    let from = if releases.is_empty() {
        String::new()
    } else {
        format!(" Published figures from: {}.", releases.join("; "))
    };
    if cols.published && input.group.anonymised() {
        notes.push(format!(
            "DfE published: left out for each authority in an anonymised pack, as it would \
             name the authority; given for the region and England.{from}"
        ));
    } else if cols.published {
        notes.push(format!(
            "DfE published: the DfE's figure for the authority from its statutory return{}.{from}",
            if l.region_published.is_some() {
                "; on the group's row, the region's, which covers every authority of the \
                 region, including any left out of the group's own figure"
            } else {
                ""
            }
        ));
    } else {
        notes.push("The DfE publishes no figure for this by authority.".to_string());
    }
    Table {
        number: 0,
        caption: format!("{}, {}", i.title, year.label()),
        head,
        rows,
        notes,
    }
}

/// What the group's pooled figure leaves out, if anything.
fn pooled_note(pooled: &Pooled, members: usize) -> Option<String> {
    match pooled {
        Pooled::Shown { of, hidden, .. } if *of < members => Some(format!(
            "The group's figure pools the {of} of {members} authorities with a figure shown{}.",
            if *hidden > 0 {
                format!(
                    "; {hidden} hidden (c) {} left out, as a total including {} would give {} away",
                    if *hidden == 1 { "is" } else { "are" },
                    if *hidden == 1 { "it" } else { "them" },
                    if *hidden == 1 { "it" } else { "them" },
                )
            } else {
                String::new()
            }
        )),
        _ => None,
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn at_a_glance(input: &PackInput<'_>, leagues: &[League]) -> Table {
    let ids = [
        "cla-rate",
        "reviews-on-time",
        "participation",
        "three-plus-placements",
        "records-on-time",
    ];
    let chosen: Vec<&League> = ids
        .iter()
        .filter_map(|id| leagues.iter().find(|l| l.indicator.id == *id))
        .collect();
    let mut head = vec!["Authority".to_string()];
    head.extend(chosen.iter().map(|l| l.indicator.short.to_string()));
    let mut rows: Vec<TableRow> = input
        .group
        .members
        .iter()
        .enumerate()
        .map(|(m, member)| {
            TableRow::new(
                member.label(),
                chosen
                    .iter()
                    .map(|l| figure_cell(&l.indicator, &l.lines[m].figure))
                    .collect(),
            )
        })
        .collect();
    rows.push(
        TableRow::new(
            format!("{} (pooled)", input.group.name),
            chosen
                .iter()
                .map(|l| pooled_cell(&l.indicator, &l.pooled))
                .collect(),
        )
        .total(),
    );
    Table {
        number: 0,
        caption: format!(
            "The group at a glance, {} (903 figures)",
            input.year.label()
        ),
        head,
        rows,
        notes: chosen
            .iter()
            .map(|l| format!("{}: {}.", l.indicator.short, l.indicator.definition))
            .chain(std::iter::once(
                "The group's row pools the authorities with a figure shown (the league tables \
                 say which are left out)."
                    .to_string(),
            ))
            .collect(),
    }
}

fn timeliness_table(input: &PackInput<'_>, quarters: &[League], year: Option<&League>) -> Table {
    let target = input.group.review_target;
    let mut head = vec!["Authority".to_string()];
    head.extend(["Q1", "Q2", "Q3", "Q4", "Year"].map(String::from));
    if let Some(t) = target {
        head.push(format!("Year at least {}%", format::number(t, 0)));
    }
    let mut rows = Vec::new();
    for (m, member) in input.group.members.iter().enumerate() {
        let mut cells: Vec<Cell> = quarters
            .iter()
            .map(|q| figure_cell(&q.indicator, &q.lines[m].figure))
            .collect();
        let whole = year.map(|l| &l.lines[m].figure);
        cells.push(match whole {
            Some(f) => figure_cell(&REVIEWS_ON_TIME, f),
            None => Shown::Missing.into(),
        });
        if let Some(t) = target {
            cells.push(match whole {
                Some(Figure::Shown { value, .. }) => {
                    Cell::Text(if *value >= t { "met" } else { "not met" }.into())
                }
                Some(Figure::Suppressed) => Shown::Suppressed.into(),
                _ => Shown::Missing.into(),
            });
        }
        rows.push(TableRow::new(member.label(), cells));
    }
    let mut pooled: Vec<Cell> = quarters
        .iter()
        .map(|q| pooled_cell(&q.indicator, &q.pooled))
        .collect();
    pooled.push(match year {
        Some(l) => pooled_cell(&REVIEWS_ON_TIME, &l.pooled),
        None => Shown::Missing.into(),
    });
    if let Some(t) = target {
        pooled.push(match year.map(|l| &l.pooled) {
            Some(Pooled::Shown { value, .. }) => {
                Cell::Text(if *value >= t { "met" } else { "not met" }.into())
            }
            _ => Shown::Missing.into(),
        });
    }
    rows.push(TableRow::new(format!("{} (pooled)", input.group.name), pooled).total());
    let mut notes = vec![format!("{}.", capitalise(REVIEWS_ON_TIME.definition))];
    match target {
        Some(t) => notes.push(format!(
            "The group's target: at least {}% of reviews on time.",
            format::number(t, 0)
        )),
        None => notes.push(
            "The group has set no target: give one as review_target in its [[groups]] entry \
             of iro.toml, or with --target."
                .into(),
        ),
    }
    Table {
        number: 0,
        caption: format!(
            "Reviews held on time by quarter, {} (%)",
            input.year.label()
        ),
        head,
        rows,
        notes,
    }
}

fn service_records_words(input: &PackInput<'_>, rows: &Rows<'_>) -> String {
    let year = input.year.0;
    let with: Vec<String> = input
        .group
        .members
        .iter()
        .filter(|m| rows.has_service_records(AreaCode::new(&m.area_code()), year))
        .map(|m| m.label())
        .collect();
    let n = input.group.members.len();
    if with.is_empty() {
        return format!(
            "No authority of the group supplied the IRO service's own records (review records, \
             IRO allocations, DRP log) for {}.",
            input.year.label()
        );
    }
    format!(
        "These figures come from the IRO services' own records (review records, IRO \
         allocations, the DRP log), which {} of the {n} authorities supplied for {}: {}. The \
         others are marked \"not supplied\"; the DfE publishes none of these figures.",
        with.len(),
        input.year.label(),
        with.join(", ")
    )
}

/// One indicator's league for each of the last five years.
fn trend_leagues(input: &PackInput<'_>, rows: &Rows<'_>, i: &PackIndicator) -> Vec<League> {
    regional_benchmarking::trend::window(input.year, TREND_YEARS)
        .map(|y| league::league(rows, input.reference, input.group, i, y))
        .filter(|l| l.any_shown() || l.year == input.year)
        .collect()
}

fn coverage_years(input: &PackInput<'_>, rows: &Rows<'_>) -> Table {
    let years: Vec<CollectionYear> =
        regional_benchmarking::trend::window(input.year, TREND_YEARS).collect();
    let mut head = vec!["Authority".to_string()];
    head.extend(years.iter().map(|y| y.label()));
    let rows_out = input
        .group
        .members
        .iter()
        .map(|m| {
            let code = AreaCode::new(&m.area_code());
            let cells = years
                .iter()
                .map(|&y| {
                    let has_return = input
                        .accounts
                        .iter()
                        .any(|a| a.la == m.la && a.year == y && a.rows_read > 0);
                    let mut parts = Vec::new();
                    if has_return {
                        parts.push("903");
                    }
                    if rows.has_service_records(code, y.0) {
                        parts.push("IRO records");
                    }
                    if rows.has_drp(code, y.0) {
                        parts.push("DRP log");
                    }
                    Cell::Text(if parts.is_empty() {
                        "none".into()
                    } else {
                        parts.join(", ")
                    })
                })
                .collect();
            TableRow::new(m.label(), cells)
        })
        .collect();
    Table {
        number: 0,
        caption: "What each authority supplied, by year".into(),
        head,
        rows: rows_out,
        notes: vec![
            "903: an SSDA903 return with at least one row. IRO records: the IRO service's review \
             records or allocations. DRP log: its dispute resolution log."
                .into(),
        ],
    }
}

fn coverage_tables(input: &PackInput<'_>) -> Table {
    let year = input.year;
    let threshold = input.disclosure.threshold;
    let tables: Vec<TableKind> = {
        let mut seen = BTreeSet::new();
        input
            .accounts
            .iter()
            .filter(|a| a.year == year)
            .filter(|a| seen.insert(a.table))
            .map(|a| a.table)
            .collect()
    };
    let mut head = vec!["Authority".to_string()];
    head.extend(tables.iter().map(|t| t.to_string()));
    head.push("Rows excluded".into());
    let rows = input
        .group
        .members
        .iter()
        .map(|m| {
            let mine: Vec<_> = input
                .accounts
                .iter()
                .filter(|a| a.la == m.la && a.year == year)
                .collect();
            // Rows are children, episodes, reviews: a small count is hidden
            // as any other (no total is shown to subtract it from).
            let count = |n: u64| -> Cell {
                if n >= 1 && n <= threshold {
                    Shown::Suppressed.into()
                } else {
                    Shown::Value(format::count(n)).into()
                }
            };
            let mut cells: Vec<Cell> = tables
                .iter()
                .map(|t| match mine.iter().find(|a| a.table == *t) {
                    Some(a) => count(a.rows_read),
                    None => Cell::Text("not supplied".into()),
                })
                .collect();
            let excluded: u64 = mine.iter().map(|a| a.rows_excluded).sum();
            cells.push(count(excluded));
            TableRow::new(m.label(), cells)
        })
        .collect();
    Table {
        number: 0,
        caption: format!("Rows read from each SSDA903 table, {}", year.label()),
        head,
        rows,
        notes: vec![
            "Rows excluded: rows read but left out of every figure because of an error in \
             them (the data-problems listing of iro validate gives each)."
                .into(),
        ],
    }
}

/// The plausibility table, and the members flagged.
fn plausibility_table(input: &PackInput<'_>, cla: Option<&League>) -> (Table, Vec<String>) {
    let year = input.year;
    let anonymised = input.group.anonymised();
    let mut flagged = Vec::new();
    let rows = input
        .group
        .members
        .iter()
        .enumerate()
        .map(|(m, member)| {
            let line = cla.map(|l| &l.lines[m]);
            let own = line.map(|l| &l.figure);
            let published = line
                .and_then(|l| l.published.as_ref())
                .and_then(|p| p.value);
            let flag = input
                .quality
                .published_flag(&member.area_code(), year.0)
                .is_some();
            if flag {
                flagged.push(member.label());
            }
            let difference = match (own.and_then(Figure::value), published) {
                (Some(a), Some(b)) if b > 0.0 => Shown::Value(format!(
                    "{}{}%",
                    if a >= b { "+" } else { "" },
                    format::number((a - b) * 100.0 / b, 1)
                ))
                .into(),
                (None, _) if own.is_some_and(Figure::is_suppressed) => Shown::Suppressed.into(),
                _ => Shown::Missing.into(),
            };
            let flag = Cell::Text(if flag { "far apart: check" } else { "" }.into());
            let cells = if anonymised {
                // The DfE's count, or the difference from it, would name
                // the authority.
                vec![flag]
            } else {
                vec![
                    match own {
                        Some(f) => figure_cell(&INDICATORS[0], f),
                        None => Shown::Missing.into(),
                    },
                    match published {
                        Some(v) => Shown::Value(format::number(v, 0)).into(),
                        None => Shown::Missing.into(),
                    },
                    difference,
                    flag,
                ]
            };
            TableRow::new(member.label(), cells)
        })
        .collect();
    (
        Table {
            number: 0,
            caption: format!(
                "Children looked after at 31 March {}: the return supplied and the DfE's count",
                year.0
            ),
            head: if anonymised {
                vec!["Authority".into(), "Flag".into()]
            } else {
                vec![
                    "Authority".into(),
                    "Return supplied (903)".into(),
                    "DfE published".into(),
                    "Difference".into(),
                    "Flag".into(),
                ]
            },
            rows,
            notes: vec![format!(
                "Flagged where the two differ by more than {} of the DfE's count.",
                percent_words(input.quality.published_difference)
            )],
        },
        flagged,
    )
}
