//! The league tables: each member's figure from its own suppressed rows, the
//! DfE's published figure beside it, rank and quartile among the group's
//! shown figures, last year's figure and the change, the group's pooled
//! figure and England's.
//!
//! **Disclosure.** The pack reads only suppressed rows: a hidden figure has
//! no number here to leak. What is computed from several figures is
//! withheld where it would give a hidden one away:
//! * a member with a hidden figure gets no rank or quartile, and the others
//!   are ranked among the shown figures only;
//! * the change from last year is given only when both years are shown;
//! * the group's pooled figure pools the members whose figures are shown
//!   and says how many it leaves out: a total that included a hidden
//!   figure, less the others' figures (each published here and in its own
//!   annual report), would be the hidden count. Hiding a second authority's
//!   figure instead (complementary suppression) would protect nothing, as
//!   that authority's own report publishes it.

use std::collections::{HashMap, HashSet};

use iro_domain::CollectionYear;
use iro_metric_api::{AreaCode, Breakdown, MeasureId, MetricRow, Period};
use iro_reference::{Geography, Reference};
use iro_stats::{Order, ProportionCiMethod, Rank, RateCiMethod, Ties};

use crate::group::Group;
use crate::indicator::{PackIndicator, Published, Read, Records, Scale};

/// One member's figure for one year.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    Shown {
        value: f64,
        numerator: Option<u64>,
        denominator: Option<u64>,
    },
    /// Hidden by small-number suppression (`c`).
    Suppressed,
    /// The authority supplied no IRO records for the year.
    NotSupplied,
    /// No figure, and why (not computable, no row).
    NotAvailable(String),
}

impl Figure {
    pub fn value(&self) -> Option<f64> {
        match self {
            Figure::Shown { value, .. } if value.is_finite() => Some(*value),
            _ => None,
        }
    }

    /// Numerator and denominator, for pooling, intervals and funnels.
    pub fn counts(&self) -> Option<(u64, u64)> {
        match self {
            Figure::Shown {
                numerator: Some(n),
                denominator: Some(d),
                ..
            } if *d > 0 => Some((*n, *d)),
            _ => None,
        }
    }

    pub fn is_suppressed(&self) -> bool {
        matches!(self, Figure::Suppressed)
    }
}

/// A figure the DfE published.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedValue {
    /// On the pack's scale; `None` where the DfE printed a symbol.
    pub value: Option<f64>,
    /// The DfE's symbol (`c`, `x`, …) where it gave no number.
    pub symbol: Option<&'static str>,
    /// The release it comes from (`DfE CLA 2025 release (EES)`; an imported
    /// release's own label when the reference overlay holds the year).
    pub release: Option<String>,
}

/// One member's line of a league table.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Index into the group's members.
    pub member: usize,
    pub figure: Figure,
    pub last_year: Figure,
    /// The DfE's published figure for the member, if the DfE publishes one
    /// (none in an anonymised pack: it would name the authority).
    pub published: Option<PublishedValue>,
    /// Among the group's shown figures; 1 is the highest value.
    pub rank: Option<Rank>,
    /// 95% interval of the figure (rates and percentages with counts).
    pub interval: Option<(f64, f64)>,
}

impl Line {
    /// This year less last year, when both are shown.
    pub fn change(&self) -> Option<f64> {
        Some(self.figure.value()? - self.last_year.value()?)
    }
}

/// The group's figure pooled from its members'.
#[derive(Debug, Clone, PartialEq)]
pub enum Pooled {
    /// Σ numerators ÷ Σ denominators (a count: Σ counts; a mean: the mean of
    /// the members' means), over the `of` members with a figure shown;
    /// `hidden` members' figures are left out.
    Shown {
        value: f64,
        numerator: Option<u64>,
        denominator: Option<u64>,
        of: usize,
        hidden: usize,
    },
    /// No member has a figure shown.
    None,
}

impl Pooled {
    pub fn value(&self) -> Option<f64> {
        match self {
            Pooled::Shown { value, .. } => Some(*value),
            _ => None,
        }
    }
}

/// One indicator across the group.
#[derive(Debug, Clone, PartialEq)]
pub struct League {
    pub indicator: PackIndicator,
    pub year: CollectionYear,
    /// In the group's member order.
    pub lines: Vec<Line>,
    pub pooled: Pooled,
    pub pooled_last_year: Pooled,
    /// The region's published figure (when the group is one region).
    pub region_published: Option<PublishedValue>,
    pub england_published: Option<PublishedValue>,
}

impl League {
    /// The releases its published figures come from, once each, in the
    /// order met (members, then the region, then England).
    pub fn releases(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let all = self
            .lines
            .iter()
            .filter_map(|l| l.published.as_ref())
            .chain(&self.region_published)
            .chain(&self.england_published);
        for r in all.filter_map(|p| p.release.as_deref()) {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    /// The lines by rank (highest value first), then the hidden and missing
    /// figures in the group's order.
    pub fn ranked(&self) -> Vec<&Line> {
        let mut lines: Vec<&Line> = self.lines.iter().collect();
        lines.sort_by(|a, b| match (a.figure.value(), b.figure.value()) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.member.cmp(&b.member),
        });
        lines
    }

    /// The group's pooled figure less last year's, when both pool the same
    /// authorities (a change between two different sets would mislead).
    pub fn pooled_change(&self) -> Option<f64> {
        let same = self
            .lines
            .iter()
            .all(|l| l.figure.value().is_some() == l.last_year.value().is_some());
        if !same {
            return None;
        }
        Some(self.pooled.value()? - self.pooled_last_year.value()?)
    }

    /// Whether any member has a figure.
    pub fn any_shown(&self) -> bool {
        self.lines.iter().any(|l| l.figure.value().is_some())
    }
}

type Key = (AreaCode, i32, MeasureId, Period, Breakdown);

/// The members' rows, looked up by authority, year, measure, period and
/// breakdown.
#[derive(Debug, Default)]
pub struct Rows<'a> {
    by_key: HashMap<Key, &'a MetricRow>,
    /// (authority, year) with any IRO-records row (service records or DRP).
    service_records: HashSet<(AreaCode, i32)>,
    /// (authority, year) with any DRP row.
    drp: HashSet<(AreaCode, i32)>,
}

impl<'a> Rows<'a> {
    pub fn new(rows: &'a [MetricRow], group: &Group) -> Self {
        let members: HashSet<String> = group.members.iter().map(|m| m.area_code()).collect();
        let mut out = Rows::default();
        for r in rows.iter().filter(|r| members.contains(r.la_code.as_str())) {
            let metric = r.metric.metric();
            if metric == "service-records" || metric == "drp-flow" {
                out.service_records.insert((r.la_code, r.year));
            }
            if metric == "drp-flow" {
                out.drp.insert((r.la_code, r.year));
            }
            out.by_key
                .insert((r.la_code, r.year, r.metric, r.period, r.breakdown), r);
        }
        out
    }

    fn get(
        &self,
        la: AreaCode,
        year: i32,
        measure: MeasureId,
        period: Period,
        breakdown: Breakdown,
    ) -> Option<&'a MetricRow> {
        self.by_key
            .get(&(la, year, measure, period, breakdown))
            .copied()
    }

    /// Whether the authority supplied IRO records for the year.
    pub fn has_service_records(&self, la: AreaCode, year: i32) -> bool {
        self.service_records.contains(&(la, year))
    }

    /// Whether the authority supplied a DRP log for the year.
    pub fn has_drp(&self, la: AreaCode, year: i32) -> bool {
        self.drp.contains(&(la, year))
    }

    /// One member's figure.
    pub fn figure(&self, indicator: &PackIndicator, la: AreaCode, year: i32) -> Figure {
        let supplied = match indicator.read {
            Read::Per100 { .. } => self.has_drp(la, year),
            Read::Row { measure, .. } if measure.metric() == "drp-flow" => self.has_drp(la, year),
            _ => indicator.records == Records::Return || self.has_service_records(la, year),
        };
        if !supplied {
            return Figure::NotSupplied;
        }
        match indicator.read {
            Read::Row {
                measure,
                period,
                breakdown,
            } => match self.get(la, year, measure, period, Breakdown::parse(breakdown)) {
                Some(r) => of_row(r),
                None => Figure::NotAvailable("no figure in the tables".into()),
            },
            Read::Per100 { events, children } => {
                let e = self.get(la, year, events, Period::Year, Breakdown::NONE);
                let c = self.get(la, year, children, Period::Year, Breakdown::NONE);
                match (e.map(of_row), c.map(of_row)) {
                    (Some(Figure::Suppressed), _) | (_, Some(Figure::Suppressed)) => {
                        Figure::Suppressed
                    }
                    (
                        Some(Figure::Shown {
                            numerator: Some(e), ..
                        }),
                        Some(Figure::Shown {
                            numerator: Some(c), ..
                        }),
                    ) if c > 0 => Figure::Shown {
                        value: e as f64 * 100.0 / c as f64,
                        numerator: Some(e),
                        denominator: Some(c),
                    },
                    (Some(Figure::NotAvailable(why)), _) | (_, Some(Figure::NotAvailable(why))) => {
                        Figure::NotAvailable(why)
                    }
                    _ => Figure::NotAvailable("no figure in the tables".into()),
                }
            }
        }
    }
}

/// A suppressed row's figure: its status, never its (absent) number.
fn of_row(r: &MetricRow) -> Figure {
    if r.status.is_suppressed() {
        return Figure::Suppressed;
    }
    if let Some(why) = r.status.not_computable() {
        return Figure::NotAvailable(why.to_string());
    }
    match r.value {
        Some(v) if v.is_finite() => Figure::Shown {
            value: v,
            numerator: r.numerator,
            denominator: r.denominator,
        },
        _ if r.denominator == Some(0) => {
            Figure::NotAvailable("none to count in the year (denominator 0)".into())
        }
        _ => Figure::NotAvailable("no figure in the tables".into()),
    }
}

/// The group's pooled figure.
pub fn pool(indicator: &PackIndicator, figures: &[&Figure]) -> Pooled {
    let hidden = figures.iter().filter(|f| f.is_suppressed()).count();
    let shown: Vec<&Figure> = figures
        .iter()
        .copied()
        .filter(|f| f.value().is_some())
        .collect();
    if shown.is_empty() {
        return Pooled::None;
    }
    let of = shown.len();
    match indicator.scale {
        Scale::Count => {
            let total: f64 = shown.iter().filter_map(|f| f.value()).sum();
            Pooled::Shown {
                value: total,
                numerator: Some(total.round() as u64),
                denominator: None,
                of,
                hidden,
            }
        }
        Scale::Mean => Pooled::Shown {
            value: shown.iter().filter_map(|f| f.value()).sum::<f64>() / of as f64,
            numerator: None,
            denominator: None,
            of,
            hidden,
        },
        Scale::Rate | Scale::Percent | Scale::Per100 => {
            let counted: Vec<(u64, u64)> = shown.iter().filter_map(|f| f.counts()).collect();
            let (n, d) = counted
                .iter()
                .fold((0u64, 0u64), |(a, b), (n, d)| (a + n, b + d));
            if d == 0 {
                return Pooled::None;
            }
            Pooled::Shown {
                value: n as f64 * indicator.scale.factor() / d as f64,
                numerator: Some(n),
                denominator: Some(d),
                of: counted.len(),
                hidden,
            }
        }
    }
}

/// The 95% interval of a figure with counts.
pub fn interval(indicator: &PackIndicator, figure: &Figure) -> Option<(f64, f64)> {
    let (n, d) = figure.counts()?;
    match indicator.scale {
        Scale::Rate => iro_stats::rate_per_10k(n, d as f64, 0.95, RateCiMethod::Exact)
            .ok()
            .map(|e| (e.lower, e.upper)),
        Scale::Percent => iro_stats::proportion(n, d, 0.95, ProportionCiMethod::Wilson)
            .ok()
            .map(|e| (e.lower * 100.0, e.upper * 100.0)),
        // Events per 100 children: a Poisson count over the children.
        Scale::Per100 => iro_stats::poisson_count_interval(n, 0.95, RateCiMethod::Exact)
            .ok()
            .map(|i| (i.lower * 100.0 / d as f64, i.upper * 100.0 / d as f64)),
        Scale::Count | Scale::Mean => None,
    }
}

/// The DfE's published figure of an area.
pub fn published(
    reference: &Reference,
    indicator: &PackIndicator,
    area: &Geography,
    year: CollectionYear,
) -> Option<PublishedValue> {
    match indicator.published {
        Published::None => None,
        Published::Indicator(i) => {
            let f = regional_benchmarking::published_figure(reference, area, year, i);
            let value = f.value();
            Some(PublishedValue {
                value,
                symbol: value.is_none().then_some("x"),
                release: regional_benchmarking::published_release(reference, area, year, i),
            })
        }
        Published::Count(measure) => {
            let f = reference.published(area.clone(), year, measure);
            Some(match f {
                Some(f) => PublishedValue {
                    value: f.count.value().map(|n| n as f64),
                    symbol: f.count.symbol(),
                    release: Some(f.release.clone()),
                },
                None => PublishedValue {
                    value: None,
                    symbol: Some("x"),
                    release: None,
                },
            })
        }
    }
}

/// Builds one indicator's league table.
pub fn league(
    rows: &Rows<'_>,
    reference: &Reference,
    group: &Group,
    indicator: &PackIndicator,
    year: CollectionYear,
) -> League {
    let mut lines: Vec<Line> = group
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let code = AreaCode::new(&m.area_code());
            let figure = rows.figure(indicator, code, year.0);
            let interval = interval(indicator, &figure);
            Line {
                member: i,
                last_year: rows.figure(indicator, code, year.0 - 1),
                // In an anonymised pack an authority's published figure
                // would name it.
                published: if group.anonymised() {
                    None
                } else {
                    published(reference, indicator, &Geography::La(m.la), year)
                },
                rank: None,
                interval,
                figure,
            }
        })
        .collect();
    // Counts are not ranked: they mostly say how big an authority is.
    let values: Vec<Option<f64>> = lines
        .iter()
        .map(|l| l.figure.value().filter(|_| indicator.scale != Scale::Count))
        .collect();
    for (line, rank) in lines
        .iter_mut()
        .zip(iro_stats::rank(&values, Order::Descending, Ties::Min))
    {
        line.rank = rank;
    }
    let this: Vec<&Figure> = lines.iter().map(|l| &l.figure).collect();
    let last: Vec<&Figure> = lines.iter().map(|l| &l.last_year).collect();
    League {
        indicator: *indicator,
        year,
        pooled: pool(indicator, &this),
        pooled_last_year: pool(indicator, &last),
        region_published: group.region.as_ref().and_then(|(ons, _)| {
            published(reference, indicator, &Geography::Region(ons.clone()), year)
        }),
        england_published: published(reference, indicator, &Geography::England, year),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::INDICATORS;
    use iro_metric_api::{CellStatus, Suppression, Unit};

    fn pct(la: &str, year: i32, n: u64, d: u64) -> MetricRow {
        MetricRow::new(
            AreaCode::new(la),
            year,
            Period::Year,
            participation::PARTICIPATED,
            Unit::Percent,
        )
        .percent(n, d)
    }

    fn hidden(la: &str, year: i32) -> MetricRow {
        let mut r = pct(la, year, 0, 40);
        r.numerator = None;
        r.value = None;
        r.status = CellStatus::Suppressed(Suppression::Primary);
        r
    }

    fn group() -> Group {
        let r = Reference::bundled().unwrap();
        Group::list(
            &r,
            &["800".into(), "801".into(), "802".into()],
            None,
            CollectionYear(2025),
        )
        .unwrap()
    }

    fn participation() -> &'static PackIndicator {
        INDICATORS.iter().find(|i| i.id == "participation").unwrap()
    }

    #[test]
    fn pooled_ranked_and_changed_when_everything_is_shown() {
        let g = group();
        let data = vec![
            pct("800", 2025, 90, 100),
            pct("801", 2025, 40, 50),
            pct("802", 2025, 45, 50),
            pct("800", 2024, 80, 100),
        ];
        let rows = Rows::new(&data, &g);
        let reference = Reference::bundled().unwrap();
        let l = league(&rows, &reference, &g, participation(), CollectionYear(2025));
        assert_eq!(
            l.pooled,
            Pooled::Shown {
                value: 87.5,
                numerator: Some(175),
                denominator: Some(200),
                of: 3,
                hidden: 0
            }
        );
        let ranks: Vec<usize> = l.lines.iter().map(|x| x.rank.unwrap().rank).collect();
        // 800 (Bath…) 90%, 801 (Bristol) 80%, 802 (North Somerset) 90%.
        assert_eq!(ranks, [1, 3, 1]);
        assert!((l.lines[0].change().unwrap() - 10.0).abs() < 1e-9);
        assert_eq!(l.lines[1].change(), None, "no 2024 figure");
        let (lo, hi) = l.lines[0].interval.unwrap();
        assert!(lo < 90.0 && 90.0 < hi, "{lo} {hi}");
    }

    #[test]
    fn a_hidden_figure_is_not_ranked_pooled_or_changed() {
        let g = group();
        let data = vec![
            hidden("800", 2025),
            pct("801", 2025, 40, 50),
            pct("802", 2025, 45, 50),
            pct("800", 2024, 80, 100),
            hidden("801", 2024),
        ];
        let rows = Rows::new(&data, &g);
        let reference = Reference::bundled().unwrap();
        let l = league(&rows, &reference, &g, participation(), CollectionYear(2025));
        // Pooled over the shown figures only, saying how many are left out.
        assert_eq!(
            l.pooled,
            Pooled::Shown {
                value: 85.0,
                numerator: Some(85),
                denominator: Some(100),
                of: 2,
                hidden: 1
            }
        );
        assert!(matches!(
            l.pooled_last_year,
            Pooled::Shown {
                of: 1,
                hidden: 1,
                ..
            }
        ));
        assert_eq!(l.lines[0].figure, Figure::Suppressed);
        assert_eq!(l.lines[0].rank, None);
        assert_eq!(l.lines[0].change(), None);
        assert_eq!(l.lines[1].change(), None, "last year hidden");
        // The others are ranked among the two shown figures.
        assert_eq!(l.lines[2].rank.unwrap().of, 2);
        assert_eq!(l.lines[2].rank.unwrap().rank, 1);
    }

    #[test]
    fn iro_records_not_supplied_are_said_so() {
        let g = group();
        let mut own = MetricRow::new(
            AreaCode::new("800"),
            2025,
            Period::Year,
            service_records::RECORD_ON_TIME,
            Unit::Percent,
        )
        .percent(30, 40);
        own.note = "";
        let data = vec![own];
        let rows = Rows::new(&data, &g);
        let reference = Reference::bundled().unwrap();
        let records = INDICATORS
            .iter()
            .find(|i| i.id == "records-on-time")
            .unwrap();
        let l = league(&rows, &reference, &g, records, CollectionYear(2025));
        assert!(matches!(l.lines[0].figure, Figure::Shown { .. }));
        assert_eq!(l.lines[1].figure, Figure::NotSupplied);
        assert_eq!(
            l.pooled,
            Pooled::Shown {
                value: 75.0,
                numerator: Some(30),
                denominator: Some(40),
                of: 1,
                hidden: 0
            }
        );
    }

    #[test]
    fn published_figures_come_from_the_reference_data() {
        let g = group();
        let reference = Reference::bundled().unwrap();
        let rows = Rows::new(&[], &g);
        let cla = INDICATORS
            .iter()
            .find(|i| i.id == "children-in-care")
            .unwrap();
        let l = league(&rows, &reference, &g, cla, CollectionYear(2025));
        let england = l.england_published.as_ref().unwrap().value.unwrap();
        assert!(england > 50_000.0, "{england}");
        assert!(l.lines[0].published.as_ref().unwrap().value.is_some());
        assert!(l.region_published.is_some());
    }
}
