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

    // 1. About the pack, and the figures at a glance.
    let mut blocks = vec![Block::Para(about(input))];
    blocks.push(n.table(at_a_glance(input, &leagues)));
    blocks.push(Block::Para(reading_guide(input)));
    sections.push(("about", "About this pack", blocks));

    for (id, title, ids) in SECTIONS {
        let mut blocks = Vec::new();
        if id == "reviews" {
            let quarters: Vec<League> = QUARTERS
                .iter()
                .map(|(_, i)| league::league(&rows, input.reference, group, i, year))
                .collect();
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
            // A funnel plot needs a rate per 10,000 or a percentage.
            if matches!(l.indicator.scale, Scale::Rate | Scale::Percent) && l.any_shown() {
                blocks.push(n.figure(
                    &format!("{}-funnel", l.indicator.id),
                    format!("{}: funnel plot of the group", l.indicator.short),
                    charts::funnel(input, l),
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
    let (plausibility, flagged) = plausibility_table(input, find("children-in-care"));
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
    format!(
        "This pack compares the {} authorities of {} on the figures IRO services run on, for \
         {} (1 April {} to 31 March {}): {}.{anonymised}",
        g.members.len(),
        g.name,
        input.year.label(),
        input.year.0 - 1,
        input.year.0,
        names.join(", ")
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
         supplied: the authority did not supply the IRO records the figure needs."
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
fn change_words(indicator: &PackIndicator, change: Option<f64>, hidden: bool) -> Cell {
    match change {
        Some(c) => {
            let dp = indicator.scale.decimals();
            let text = format::number(c.abs(), dp);
            let zero = format::number(0.0, dp);
            if text == zero {
                Cell::Text("no change".into())
            } else if c > 0.0 {
                Cell::Text(format!("up {text}"))
            } else {
                Cell::Text(format!("down {text}"))
            }
        }
        None if hidden => Shown::Suppressed.into(),
        None => Shown::Missing.into(),
    }
}

fn line_cells(input: &PackInput<'_>, l: &League, line: &Line) -> (String, Vec<Cell>) {
    let i = &l.indicator;
    let member = &input.group.members[line.member];
    let mut cells = vec![figure_cell(i, &line.figure)];
    if i.published != Published::None {
        cells.push(if input.group.anonymised() {
            Cell::Text(String::new())
        } else {
            published_cell(i, &line.published)
        });
    }
    let (rank, quartile) = match &line.rank {
        Some(r) => (
            Cell::Text(r.to_string()),
            Cell::Text(r.quartile.to_string()),
        ),
        None if line.figure.is_suppressed() => (Shown::Suppressed.into(), Shown::Suppressed.into()),
        None => (Cell::Text(String::new()), Cell::Text(String::new())),
    };
    cells.push(rank);
    cells.push(quartile);
    cells.push(figure_cell(i, &line.last_year));
    let hidden = line.figure.is_suppressed() || line.last_year.is_suppressed();
    cells.push(change_words(i, line.change(), hidden));
    (member.label(), cells)
}

fn league_table(input: &PackInput<'_>, l: &League) -> Table {
    let i = &l.indicator;
    let year = l.year;
    let last = CollectionYear(year.0 - 1);
    let mut head = vec!["Authority".to_string(), format!("{} (903)", year.label())];
    if i.published != Published::None {
        head.push("DfE published".into());
    }
    head.extend([
        "Rank".to_string(),
        "Quartile".to_string(),
        format!("{} (903)", last.label()),
        "Change".to_string(),
    ]);
    let mut rows: Vec<TableRow> = l
        .ranked()
        .into_iter()
        .map(|line| {
            let (header, cells) = line_cells(input, l, line);
            TableRow::new(header, cells)
        })
        .collect();
    // The group's pooled figure, and England's published one.
    let mut pooled = vec![pooled_cell(i, &l.pooled)];
    if i.published != Published::None {
        pooled.push(match &l.region_published {
            Some(_) => published_cell(i, &l.region_published),
            None => Cell::Text(String::new()),
        });
    }
    let change = match (l.pooled.value(), l.pooled_last_year.value()) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    pooled.extend([
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        pooled_cell(i, &l.pooled_last_year),
        change_words(i, change, false),
    ]);
    rows.push(TableRow::new(format!("{} (pooled)", input.group.name), pooled).total());
    if i.published != Published::None {
        let mut england = vec![Cell::Text(String::new())];
        england.push(published_cell(i, &l.england_published));
        england.extend((0..4).map(|_| Cell::Text(String::new())));
        rows.push(TableRow::new("England", england).total());
    }
    let shown = l.lines.iter().filter(|x| x.rank.is_some()).count();
    let mut notes = vec![format!("{}.", capitalise(i.definition))];
    notes.push(format!(
        "Ranked among the {shown} authorities with a figure shown; 1 is the highest value."
    ));
    if let Some(note) = pooled_note(&l.pooled, l.lines.len()) {
        notes.push(note);
    }
    if i.published != Published::None && input.group.anonymised() {
        notes.push(
            "DfE published: left out for each authority in an anonymised pack, as it would \
             name the authority; given for the region and England."
                .to_string(),
        );
    } else if i.published != Published::None {
        notes.push(format!(
            "DfE published: the DfE's figure for the authority from its statutory return{}.",
            if l.region_published.is_some() {
                "; on the group's row, the region's"
            } else {
                ""
            }
        ));
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
    (0..TREND_YEARS as i32)
        .rev()
        .map(|back| CollectionYear(input.year.0 - back))
        .map(|y| league::league(rows, input.reference, input.group, i, y))
        .filter(|l| l.any_shown() || l.year == input.year)
        .collect()
}

fn coverage_years(input: &PackInput<'_>, rows: &Rows<'_>) -> Table {
    let years: Vec<CollectionYear> = (0..TREND_YEARS as i32)
        .rev()
        .map(|back| CollectionYear(input.year.0 - back))
        .collect();
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
            let mut cells: Vec<Cell> = tables
                .iter()
                .map(|t| match mine.iter().find(|a| a.table == *t) {
                    Some(a) => Shown::Value(format::count(a.rows_read)).into(),
                    None => Cell::Text("not supplied".into()),
                })
                .collect();
            let excluded: u64 = mine.iter().map(|a| a.rows_excluded).sum();
            cells.push(Shown::Value(format::count(excluded)).into());
            TableRow::new(m.label(), cells)
        })
        .collect();
    Table {
        number: 0,
        caption: format!("Rows read from each SSDA903 table, {}", year.label()),
        head,
        rows,
        notes: vec![
            "Rows excluded: rows read but left out of every figure because of an error \
             (iro validate lists them)."
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
                "Flagged where the two differ by more than {} of the DfE's count ([quality] \
                 published_difference in iro.toml).",
                percent_words(input.quality.published_difference)
            )],
        },
        flagged,
    )
}
