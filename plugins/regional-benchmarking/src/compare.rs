//! Comparison groups, their funnels and ranks, and the tidy rows of each
//! authority's comparisons.

use std::collections::HashMap;
use std::sync::Arc;

use iro_domain::{CollectionYear, LaCode};
use iro_metric_api::{AreaCode, Breakdown, MeasureId, MetricRow, Period, Unit as RowUnit};
use iro_reference::{Geography, Reference, SnModel};
use iro_stats::{
    Adjustment, Funnel, FunnelSpec, Order, Position, Rank, Target, TargetSource, Ties, Unit, rank,
};

use crate::figure::{Counts, Figure, PublishedFigures, Source};
use crate::indicator::Indicator;
use crate::trend::{self, Trend};

/// A comparison (the `comparator=` breakdown value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Comparator {
    /// Every English authority; centre: England's published figure.
    England,
    /// The authorities of the region; centre: the region's published figure.
    Region,
    /// The authority and its ten DfE statistical neighbours, April 2021
    /// groupings; centre: the neighbours' mean.
    Sn2021,
    /// The same, DfE 2025 model.
    Sn2025,
    /// A benchmarking group chosen by the user; centre: the mean of its
    /// members' values.
    Selection,
}

impl Comparator {
    pub const ALL: [Comparator; 5] = [
        Comparator::England,
        Comparator::Region,
        Comparator::Sn2021,
        Comparator::Sn2025,
        Comparator::Selection,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Comparator::England => "england",
            Comparator::Region => "region",
            Comparator::Sn2021 => "sn2021",
            Comparator::Sn2025 => "sn2025",
            Comparator::Selection => "selection",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Comparator::ALL.into_iter().find(|c| c.id() == s.trim())
    }

    fn model(self) -> Option<SnModel> {
        match self {
            Comparator::Sn2021 => Some(SnModel::Groupings2021),
            Comparator::Sn2025 => Some(SnModel::Model2025),
            _ => None,
        }
    }
}

/// Options of a benchmark (the metric's parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Two-sided funnel levels.
    pub levels: Vec<f64>,
    /// Over-dispersion adjustment of the adjusted limits.
    pub adjustment: Adjustment,
    /// A benchmarking group (adds `comparator=selection` for its members).
    pub selection: Vec<LaCode>,
    /// A 903 figure with a numerator (or percentage denominator) from 1 to
    /// this gets no comparisons.
    pub small_count: u64,
    /// Years in the trend window.
    pub trend_years: u32,
    /// Also write z-scores and the exact (unadjusted) limits; otherwise only
    /// the positions against the exact limits.
    pub full_detail: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            levels: vec![0.95, 0.998],
            adjustment: Adjustment::RandomEffects,
            selection: Vec::new(),
            small_count: 7,
            trend_years: 5,
            full_detail: false,
        }
    }
}

/// Which group: the key of a computed [`Group`] (with indicator and year).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupId {
    England,
    /// A region's ONS code.
    Region(String),
    /// An authority and its neighbours in a model.
    Neighbours(SnModel, LaCode),
    Selection,
}

/// A group's centre line θ₀.
#[derive(Debug, Clone, PartialEq)]
pub struct Centre {
    /// On the display scale (per 10,000, or %).
    pub display: f64,
    /// The comparator area's own counts (England, a region); `None` for a
    /// mean of members' values (neighbours, a selection).
    pub counts: Option<Counts>,
    pub source: TargetSource,
    /// What it is, for the `comparator-value` note.
    pub note: String,
}

/// One comparison group for one indicator and year: members, centre, funnel
/// and ranks of the members' published figures.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: GroupId,
    pub comparator: Comparator,
    pub indicator: Indicator,
    pub year: CollectionYear,
    /// Authorities that existed in the year, in code order (for neighbours:
    /// the authority first, then its neighbours closest first).
    pub members: Vec<LaCode>,
    /// Anything left out, e.g. neighbours that did not exist that year.
    pub note: String,
    pub centre: Result<Centre, String>,
    /// The funnel of the members' published figures (its spec and the
    /// over-dispersion estimated from the members), or why there is none.
    pub funnel: Result<GroupFunnel, String>,
    /// The plotted units, for placing a figure on the funnel.
    units: Vec<Unit>,
    /// Each member's published value rounded to whole numbers.
    rounded: Vec<(LaCode, Option<f64>)>,
    /// The members' finite rounded values, ascending.
    sorted: Vec<f64>,
    ranks: HashMap<LaCode, Rank>,
    unit_index: HashMap<String, usize>,
}

impl Group {
    /// Builds the group from the published figures. With `full`, every
    /// member's funnel limits are computed at once (when most members are
    /// looked at); otherwise each is placed when asked for.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        reference: &Reference,
        published: &PublishedFigures,
        options: &Options,
        id: GroupId,
        comparator: Comparator,
        indicator: Indicator,
        year: CollectionYear,
        full: bool,
    ) -> Group {
        let (members, note) = members(reference, published, options, &id, year);
        let figure = |la: LaCode| published.la(indicator, year, la);
        let rounded: Vec<(LaCode, Option<f64>)> = members
            .iter()
            .map(|&la| (la, figure(la).and_then(Figure::rounded)))
            .collect();
        let values: Vec<Option<f64>> = rounded.iter().map(|(_, v)| *v).collect();
        let mut sorted: Vec<f64> = values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        sorted.sort_by(f64::total_cmp);
        let ranks = rank(&values, Order::Ascending, Ties::Min)
            .into_iter()
            .zip(&members)
            .filter_map(|(r, &la)| r.map(|r| (la, r)))
            .collect();
        let centre = centre(reference, published, &id, &members, indicator, year);
        let units: Vec<Unit> = members
            .iter()
            .filter_map(|&la| {
                figure(la)
                    .and_then(|f| f.counts)
                    .map(|c| Unit::new(la.to_string(), c.numerator, c.denominator))
            })
            .collect();
        let funnel = match &centre {
            Err(why) => Err(format!("no centre line: {why}")),
            Ok(_) if units.is_empty() => {
                Err("no member has a published numerator and denominator".to_string())
            }
            Ok(c) => GroupFunnel::new(spec(indicator, c, options), &units, full)
                .map_err(|e| format!("funnel not computable: {e}")),
        };
        let unit_index = units
            .iter()
            .enumerate()
            .map(|(k, u)| (u.id.clone(), k))
            .collect();
        Group {
            id,
            comparator,
            indicator,
            year,
            members,
            note,
            centre,
            funnel,
            units,
            rounded,
            sorted,
            ranks,
            unit_index,
        }
    }

    /// A member's rank among the members' published figures.
    pub fn published_rank(&self, la: LaCode) -> Option<Rank> {
        self.ranks.get(&la).copied()
    }

    /// The rank `value` (rounded) would have among the other members'
    /// published figures, `la`'s own left out.
    ///
    /// Counted in the members' sorted values (what [`rank`] with ascending
    /// order and competition ties gives, without sorting for every figure).
    pub fn rank_among_others(&self, la: LaCode, value: f64) -> Option<Rank> {
        // `la`'s own published value, left out.
        let own = self
            .rounded
            .iter()
            .find(|(m, _)| *m == la)
            .and_then(|(_, v)| *v);
        rank_in_sorted(&self.sorted, own, value)
    }
    /// A member's result on the published funnel.
    pub fn published_placement(&self, la: LaCode) -> Result<Placement, String> {
        let funnel = self.funnel.as_ref().map_err(Clone::clone)?;
        let code = la.to_string();
        let k = self
            .unit_index
            .get(&code)
            .ok_or("no published numerator and denominator")?;
        funnel.placement(&self.units[*k])
    }

    /// Places a figure that is not one of the funnel's units (a 903 figure)
    /// on the published funnel at its own denominator: the limits there, its
    /// position and z-scores. The funnel, φ̂ and τ̂² do not change.
    pub fn place(&self, counts: Counts) -> Result<Placement, String> {
        let funnel = self.funnel.as_ref().map_err(Clone::clone)?;
        let unit = Unit::new("903", counts.numerator, counts.denominator);
        funnel.placement_of_other(&unit)
    }
}

/// The rank `value` would have, in ascending order with competition ties,
/// among `sorted` (ascending, finite) with one copy of `own` left out: what
/// [`rank`] gives the first of `[value, others…]`, counted by binary search.
/// `None` when `value` is not finite or no other value is left.
fn rank_in_sorted(sorted: &[f64], own: Option<f64>, value: f64) -> Option<Rank> {
    if !value.is_finite() {
        return None;
    }
    let mut others = sorted.len();
    let mut below = sorted.partition_point(|&v| v < value);
    let mut equal = sorted.partition_point(|&v| v <= value) - below;
    if let Some(v) = own.filter(|v| v.is_finite()) {
        others -= 1;
        if v < value {
            below -= 1;
        } else if v == value {
            equal -= 1;
        }
    }
    // Alone, a figure has no rank worth the name.
    if others == 0 {
        return None;
    }
    let r = below + 1;
    Some(Rank {
        rank: r,
        of: others + 1,
        tied: equal > 0,
        quartile: iro_stats::quartile_of_rank(r, others + 1),
    })
}

/// A group's funnel: the spec, the over-dispersion of the members and, when
/// built in full, every member's result.
#[derive(Debug, Clone)]
pub struct GroupFunnel {
    pub spec: FunnelSpec,
    pub over_dispersion: Option<iro_stats::OverDispersion>,
    /// The full funnel and each plotted unit's index in it.
    full: Option<(Funnel, HashMap<String, usize>)>,
}

impl GroupFunnel {
    fn new(spec: FunnelSpec, units: &[Unit], full: bool) -> Result<Self, iro_stats::StatsError> {
        if full {
            let f = spec.compute(units)?;
            let index = f
                .units
                .iter()
                .enumerate()
                .map(|(k, u)| (u.id.clone(), k))
                .collect();
            Ok(GroupFunnel {
                spec,
                over_dispersion: f.over_dispersion,
                full: Some((f, index)),
            })
        } else {
            let od = spec.over_dispersion(units)?;
            Ok(GroupFunnel {
                spec,
                over_dispersion: od,
                full: None,
            })
        }
    }

    /// A member's result (from the full funnel, or placed now).
    fn placement(&self, unit: &Unit) -> Result<Placement, String> {
        if let Some((f, index)) = &self.full {
            if let Some(&k) = index.get(&unit.id) {
                return Ok(Placement::from(&f.units[k]));
            }
            if let Some(e) = f.excluded.iter().find(|e| e.id == unit.id) {
                return Err(format!("not on the funnel: {:?}", e.reason));
            }
        }
        self.placement_of_other(unit)
    }

    /// Places `unit` with the over-dispersion estimated when the funnel was
    /// built (the same estimate `FunnelSpec::place` would make again).
    fn placement_of_other(&self, unit: &Unit) -> Result<Placement, String> {
        self.spec
            .place_with(self.over_dispersion, unit)
            .map_err(|e| format!("cannot place the figure: {e}"))?
            .as_ref()
            .map(Placement::from)
            .map_err(|r| format!("not on the funnel: {r:?}"))
    }

    /// Whether the adjusted limits differ from the exact ones.
    pub fn adjusted(&self) -> bool {
        self.over_dispersion.is_some_and(|o| o.applied())
    }
}

impl From<&iro_stats::UnitResult> for Placement {
    fn from(u: &iro_stats::UnitResult) -> Self {
        Placement {
            z: u.z,
            z_adjusted: u.z_adjusted,
            bands: u
                .bands
                .iter()
                .map(|b| PlacedBand {
                    level: b.level,
                    exact: (
                        b.unadjusted.lower,
                        b.unadjusted.upper,
                        b.unadjusted.position,
                    ),
                    adjusted: (b.adjusted.lower, b.adjusted.upper, b.adjusted.position),
                })
                .collect(),
        }
    }
}

/// A figure's z-scores and its position against each pair of limits (limits
/// on the `iro-stats` scale).
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub z: f64,
    pub z_adjusted: f64,
    pub bands: Vec<PlacedBand>,
}

/// Lower, upper and position, exact and adjusted, at one level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedBand {
    pub level: f64,
    pub exact: (f64, f64, Position),
    pub adjusted: (f64, f64, Position),
}

fn spec(indicator: Indicator, centre: &Centre, options: &Options) -> FunnelSpec {
    FunnelSpec::new(
        indicator.kind(),
        Target::new(indicator.to_stats(centre.display), centre.source.clone()),
    )
    .levels(options.levels.clone())
    .adjustment(options.adjustment)
    // The curves are not written (charts rebuild them from the target, the
    // levels and φ̂/τ̂²): one grid point keeps the funnel cheap.
    .grid_points(1)
}

/// The members of a group in a year, and a note on any left out.
fn members(
    reference: &Reference,
    published: &PublishedFigures,
    options: &Options,
    id: &GroupId,
    year: CollectionYear,
) -> (Vec<LaCode>, String) {
    let current = |la: &LaCode| reference.is_current(*la, year);
    match id {
        GroupId::England => (published.las(year).to_vec(), String::new()),
        GroupId::Region(code) => (
            reference
                .las_in_region(code)
                .filter(|r| r.identity.region.ons_code == *code && r.is_current(year))
                .map(|r| r.code())
                .collect(),
            String::new(),
        ),
        GroupId::Neighbours(model, la) => {
            let list = reference.statistical_neighbours(*la, *model).unwrap_or(&[]);
            let mut members = vec![*la];
            let mut gone = Vec::new();
            for n in list {
                if current(&n.la) {
                    members.push(n.la);
                } else {
                    gone.push(n.la.to_string());
                }
            }
            let note = if gone.is_empty() {
                String::new()
            } else {
                format!(
                    "neighbours that did not exist in {}: {}",
                    year.label(),
                    gone.join(", ")
                )
            };
            (members, note)
        }
        GroupId::Selection => {
            let mut members: Vec<LaCode> = Vec::new();
            let mut gone = Vec::new();
            for la in &options.selection {
                if members.contains(la) {
                    continue;
                }
                if current(la) {
                    members.push(*la);
                } else {
                    gone.push(la.to_string());
                }
            }
            members.sort();
            let note = if gone.is_empty() {
                String::new()
            } else {
                format!(
                    "selected authorities that did not exist in {}: {}",
                    year.label(),
                    gone.join(", ")
                )
            };
            (members, note)
        }
    }
}

fn centre(
    reference: &Reference,
    published: &PublishedFigures,
    id: &GroupId,
    members: &[LaCode],
    indicator: Indicator,
    year: CollectionYear,
) -> Result<Centre, String> {
    let area_centre = |area: Geography, source: TargetSource| -> Result<Centre, String> {
        let name = reference.name_of(&area).unwrap_or("?").to_string();
        let f = published
            .get(indicator, year, &area)
            .ok_or_else(|| format!("no published figure for {name}"))?;
        let counts = f.counts.ok_or_else(|| format!("{name}: {}", f.note))?;
        let display = f.value().unwrap_or_default();
        let shown = f
            .published_value
            .map_or_else(|| format!("{display:.1}"), |p| format!("{p}"));
        Ok(Centre {
            display,
            counts: Some(counts),
            source,
            note: format!(
                "{name}: {shown} {} published ({})",
                indicator.unit_words(),
                f.note
            ),
        })
    };
    match id {
        GroupId::England => area_centre(Geography::England, TargetSource::England),
        GroupId::Region(code) => {
            let name = reference
                .name_of(&Geography::Region(code.clone()))
                .unwrap_or(code)
                .to_string();
            area_centre(Geography::Region(code.clone()), TargetSource::Region(name))
        }
        GroupId::Neighbours(model, la) => {
            let values: Vec<(LaCode, f64)> = members
                .iter()
                .filter(|m| *m != la)
                .filter_map(|&m| published.la(indicator, year, m)?.value().map(|v| (m, v)))
                .collect();
            if values.is_empty() {
                return Err("no neighbour has a published figure".to_string());
            }
            let mean = values.iter().map(|(_, v)| v).sum::<f64>() / values.len() as f64;
            let codes: Vec<String> = values.iter().map(|(m, _)| m.to_string()).collect();
            Ok(Centre {
                display: mean,
                counts: None,
                source: TargetSource::StatisticalNeighbours,
                note: format!(
                    "mean of {} statistical neighbours' values ({}): {}",
                    values.len(),
                    match model {
                        SnModel::Groupings2021 => "April 2021 groupings",
                        SnModel::Model2025 => "2025 model",
                    },
                    codes.join(", ")
                ),
            })
        }
        GroupId::Selection => {
            // The mean of the members' values, unweighted, as the DfE's
            // statistical neighbour average is: a group's "average" is the
            // typical member's figure, not the largest members' pooled one.
            let values: Vec<f64> = members
                .iter()
                .filter_map(|&m| published.la(indicator, year, m)?.value())
                .collect();
            if values.is_empty() {
                return Err("no selected authority has a published figure".to_string());
            }
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            Ok(Centre {
                display: mean,
                counts: None,
                source: TargetSource::Other("the selection's mean".to_string()),
                note: format!(
                    "mean of {} selected authorities' published values (unweighted, as the DfE's statistical neighbour average)",
                    values.len()
                ),
            })
        }
    }
}

/// The groups an authority is compared in, in a year.
pub fn groups_of(
    reference: &Reference,
    options: &Options,
    la: LaCode,
) -> Vec<(Comparator, GroupId)> {
    let mut out = vec![(Comparator::England, GroupId::England)];
    if let Some(region) = reference.region_of(la) {
        out.push((Comparator::Region, GroupId::Region(region.ons_code.clone())));
    }
    for c in [Comparator::Sn2021, Comparator::Sn2025] {
        if let Some(model) = c.model()
            && reference
                .statistical_neighbours(la, model)
                .is_some_and(|l| !l.is_empty())
        {
            out.push((c, GroupId::Neighbours(model, la)));
        }
    }
    if options.selection.contains(&la) {
        out.push((Comparator::Selection, GroupId::Selection));
    }
    out
}

/// Computed groups, by id, indicator and year.
///
/// A group is shared (`Arc`) because it is the same for every authority
/// compared in it: a run builds England's and each region's once.
pub type Groups = HashMap<GroupKey, Arc<Group>>;

/// Which group: its id, the indicator and the year.
pub type GroupKey = (GroupId, Indicator, CollectionYear);

// ------------------------------------------------------------------ rows

/// Formats a level for the `level=` breakdown: 0.95 → `95`, 0.998 → `99.8`.
pub fn level_label(level: f64) -> String {
    let s = format!("{:.4}", level * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// [`level_label`] held once ([`iro_metric_api::symbol`]), remembered per
/// thread: a run asks for the same one or two levels for every figure.
fn level_symbol(level: f64) -> &'static str {
    thread_local! {
        static LABELS: std::cell::RefCell<Vec<(u64, &'static str)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    LABELS.with(|labels| {
        let bits = level.to_bits();
        if let Some(&(_, l)) = labels.borrow().iter().find(|(b, _)| *b == bits) {
            return l;
        }
        let l = iro_metric_api::symbol::intern(&level_label(level));
        labels.borrow_mut().push((bits, l));
        l
    })
}

fn position_code(p: Position) -> (f64, &'static str) {
    match p {
        Position::Below => (-1.0, "below"),
        Position::Within => (0.0, "within"),
        Position::Above => (1.0, "above"),
    }
}

/// A blank row of the metric. The breakdown's text is the benchmarking's
/// own vocabulary (indicator, comparator and source ids, level labels held
/// once per run): nothing is allocated per row.
pub fn new_row(
    la_code: AreaCode,
    year: CollectionYear,
    period: Period,
    measure: &str,
    unit: RowUnit,
    breakdown: &[(&'static str, &'static str)],
) -> MetricRow {
    MetricRow::new(la_code, year.0, period, crate::measure_id(measure), unit)
        .with_breakdown(Breakdown::of_static(breakdown))
}

/// The value row of a figure (`regional-benchmarking.<indicator>`,
/// `source=…`).
pub fn value_row(la_code: AreaCode, f: &Figure) -> MetricRow {
    let ind = f.indicator;
    let mut r = new_row(
        la_code,
        f.year,
        ind.period(),
        ind.id(),
        ind.unit(),
        &[("source", f.source.id())],
    );
    if let Some(c) = f.counts {
        r.numerator = Some(c.numerator);
        r.denominator = Some(c.denominator);
    }
    r.value = f.value();
    let note = match (f.source, f.published_value, f.counts.is_some()) {
        (Source::Published, Some(p), true) => {
            format!("published {p} {} ({})", ind.unit_words(), f.note)
        }
        (Source::Published, Some(p), false) => {
            format!("published {p} {}; no counts: {}", ind.unit_words(), f.note)
        }
        (Source::Published, None, true) => f.note.clone(),
        (_, _, false) if f.value().is_none() => format!("no figure: {}", f.note),
        _ => f.note.clone(),
    };
    r.set_note(&note);
    r
}

/// Everything needed to write one authority's comparison rows.
#[derive(Debug)]
pub struct RowContext<'a> {
    pub reference: &'a Reference,
    pub published: &'a PublishedFigures,
    pub options: &'a Options,
    pub groups: &'a Groups,
}

impl RowContext<'_> {
    /// Every row about authority `la` in `year`: its published value rows and,
    /// for each `computed` figure (its 903 figures, same year), the 903 value
    /// rows; then for each indicator and comparison group the centre,
    /// over-dispersion, rank, quartile, z-scores and funnel limits and
    /// positions of each source; then the published five-year trend.
    pub fn authority_rows(
        &self,
        la: LaCode,
        year: CollectionYear,
        computed: &[Figure],
    ) -> Vec<MetricRow> {
        let code = AreaCode::of_la(la);
        let mut rows = Vec::new();
        let groups = groups_of(self.reference, self.options, la);
        for indicator in Indicator::ALL {
            let published = self
                .published
                .la(indicator, year, la)
                .cloned()
                .unwrap_or_else(|| {
                    Figure::missing(
                        indicator,
                        year,
                        Geography::La(la),
                        Source::Published,
                        format!("the authority did not exist in {}", year.label()),
                    )
                });
            rows.push(value_row(code, &published));
            let own = computed
                .iter()
                .find(|f| f.indicator == indicator && f.year == year);
            if let Some(f) = own {
                rows.push(value_row(code, f));
            }
            let any_published = self.published.any_la_value(indicator, year);
            for (comparator, id) in &groups {
                let Some(group) = self.groups.get(&(id.clone(), indicator, year)) else {
                    continue;
                };
                if !any_published && own.is_none() {
                    continue;
                }
                // A figure with no value has nothing to compare: its value
                // row says why.
                let mine = std::iter::once(&published)
                    .chain(own)
                    .filter(|f| f.value().is_some());
                let mut group_done = false;
                for f in mine {
                    if !group_done {
                        self.group_rows(&mut rows, code, group, *comparator);
                        group_done = true;
                    }
                    self.comparison_rows(&mut rows, code, la, group, *comparator, f);
                }
            }
            self.published_trend(&mut rows, code, &Geography::La(la), indicator, year);
        }
        rows
    }

    /// Value and published-trend rows of England or a region.
    pub fn area_rows(&self, area: &Geography, year: CollectionYear) -> Vec<MetricRow> {
        let code = AreaCode::new(&area.to_string());
        let mut rows = Vec::new();
        for indicator in Indicator::ALL {
            if let Some(f) = self.published.get(indicator, year, area) {
                rows.push(value_row(code, f));
            }
            self.published_trend(&mut rows, code, area, indicator, year);
        }
        rows
    }

    fn published_trend(
        &self,
        rows: &mut Vec<MetricRow>,
        code: AreaCode,
        area: &Geography,
        indicator: Indicator,
        year: CollectionYear,
    ) {
        let series: Vec<(i32, f64)> = trend::window(year, self.options.trend_years)
            .filter_map(|y| {
                self.published
                    .get(indicator, y, area)
                    .and_then(Figure::value)
                    .map(|v| (y.0, v))
            })
            .collect();
        if series.last().is_some_and(|p| p.0 == year.0)
            && let Some(t) = Trend::of(&series)
        {
            rows.extend(t.rows(code, year, indicator, Source::Published));
        }
    }

    /// Group-level rows (no `source`): centre and over-dispersion.
    fn group_rows(
        &self,
        rows: &mut Vec<MetricRow>,
        code: AreaCode,
        group: &Group,
        comparator: Comparator,
    ) {
        let ind = group.indicator;
        let bd = [("indicator", ind.id()), ("comparator", comparator.id())];
        let mut centre = new_row(
            code,
            group.year,
            ind.period(),
            "comparator-value",
            ind.unit(),
            &bd,
        );
        match &group.centre {
            Ok(c) => {
                centre.value = Some(c.display);
                if let Some(k) = c.counts {
                    centre.numerator = Some(k.numerator);
                    centre.denominator = Some(k.denominator);
                }
                centre.set_note(&c.note.clone());
            }
            Err(why) => centre.set_note(&format!("no centre line: {why}")),
        }
        if !group.note.is_empty() {
            centre = centre.note(group.note.clone());
        }
        rows.push(centre);
        for (measure, pick) in [
            (
                "overdispersion-phi",
                (|o: &iro_stats::OverDispersion| o.phi) as fn(&_) -> f64,
            ),
            ("overdispersion-tau2", |o: &iro_stats::OverDispersion| {
                o.tau2
            }),
        ] {
            let mut r = new_row(code, group.year, ind.period(), measure, RowUnit::Mean, &bd);
            match &group.funnel {
                Ok(f) => match &f.over_dispersion {
                    Some(o) => {
                        r.value = Some(pick(o));
                        // The chart footnote (I included), once per group.
                        r.set_note(&if measure == "overdispersion-phi" {
                            o.to_string()
                        } else {
                            format!("I = {}", o.units)
                        });
                    }
                    None => r.set_note("fewer than two members on the funnel: not estimated"),
                },
                Err(why) => r.set_note(&why.clone()),
            }
            rows.push(r);
        }
    }

    /// Rank, quartile, z-scores and funnel rows of one figure in one group
    /// (the z-scores and exact limits only with `full_detail`).
    fn comparison_rows(
        &self,
        rows: &mut Vec<MetricRow>,
        code: AreaCode,
        la: LaCode,
        group: &Group,
        comparator: Comparator,
        figure: &Figure,
    ) {
        let ind = group.indicator;
        let year = group.year;
        let source = figure.source;
        let row = |measure: MeasureId, unit: RowUnit, extra: &[(&'static str, &'static str)]| {
            // At most two extra pairs (level, limits): no allocation per row.
            let mut bd = [("", ""); 5];
            bd[..3].copy_from_slice(&[
                ("indicator", ind.id()),
                ("comparator", comparator.id()),
                ("source", source.id()),
            ]);
            bd[3..3 + extra.len()].copy_from_slice(extra);
            MetricRow::new(code, year.0, ind.period(), measure, unit)
                .with_breakdown(Breakdown::of_static(&bd[..3 + extra.len()]))
        };
        let levels = &self.options.levels;
        let limit_kinds = [("exact", false), ("adjusted", true)];
        // Every row this figure gets, filled below or left with the reason.
        let mut rank_row = row(crate::RANK, RowUnit::Mean, &[]);
        let mut quartile_row = row(crate::QUARTILE, RowUnit::Mean, &[]);
        let full = self.options.full_detail;
        let mut z_rows: Vec<MetricRow> = if full {
            limit_kinds
                .iter()
                .map(|(k, _)| row(crate::Z_SCORE, RowUnit::Mean, &[("limits", *k)]))
                .collect()
        } else {
            Vec::new()
        };
        // Lower and upper limits (the exact ones only in full) and position.
        let mut band_rows: Vec<[Option<MetricRow>; 3]> = Vec::new();
        for &level in levels {
            let label = level_symbol(level);
            for (k, adjusted) in limit_kinds {
                let extra = [("level", label), ("limits", k)];
                let limits = full || adjusted;
                band_rows.push([
                    limits.then(|| row(crate::FUNNEL_LOWER, ind.unit(), &extra)),
                    limits.then(|| row(crate::FUNNEL_UPPER, ind.unit(), &extra)),
                    Some(row(crate::FUNNEL_POSITION, RowUnit::Mean, &extra)),
                ]);
            }
        }
        let withheld = self.withheld(figure);
        let no_value = |why: &str, rows: &mut Vec<MetricRow>| {
            for r in rows {
                r.set_note(why);
            }
        };
        if let Some(why) = &withheld {
            let mut all: Vec<MetricRow> = vec![rank_row, quartile_row];
            all.append(&mut z_rows);
            all.extend(band_rows.into_iter().flatten().flatten());
            no_value(why, &mut all);
            rows.extend(all);
            return;
        }

        // Rank and quartile.
        let r = match source {
            Source::Published => group.published_rank(la),
            Source::Ssda903 => figure
                .rounded()
                .and_then(|v| group.rank_among_others(la, v)),
        };
        match r {
            Some(r) => {
                // N is in the note, not the denominator: it counts
                // authorities, and a rank among a few is no small count.
                rank_row.value = Some(r.rank as f64);
                rank_row.set_note(&format!("{r} (1 = lowest)"));
                if r.of < group.members.len() {
                    rank_row = rank_row.note(format!(
                        "{} of the {} members have a figure",
                        r.of,
                        group.members.len()
                    ));
                }
                quartile_row.value = Some(f64::from(r.quartile));
                quartile_row.set_note(&format!(
                    "quartile {} of 4 (1 = lowest values), of {} ranked",
                    r.quartile, r.of
                ));
            }
            None => {
                let why = if figure.value().is_none() {
                    format!("no figure: {}", figure.note)
                } else {
                    "no member has a figure to rank against".to_string()
                };
                rank_row.set_note(&why.clone());
                quartile_row.set_note(&why);
            }
        }
        if !group.note.is_empty() {
            rank_row = rank_row.note(group.note.clone());
        }
        rows.push(rank_row);
        rows.push(quartile_row);

        // Funnel.
        let placement = match (source, figure.counts) {
            (_, None) => Err(format!("no numerator and denominator: {}", figure.note)),
            (Source::Published, Some(_)) => group.published_placement(la),
            (Source::Ssda903, Some(c)) => group.place(c),
        };
        match placement {
            Ok(p) => {
                if let [exact, adjusted] = &mut z_rows[..] {
                    exact.value = Some(p.z);
                    adjusted.value = Some(p.z_adjusted);
                    if let Ok(f) = &group.funnel
                        && !f.adjusted()
                    {
                        adjusted.note = "no over-dispersion adjustment applied: same as exact";
                    }
                }
                let mut k = 0;
                for b in &p.bands {
                    for (_, adjusted) in limit_kinds {
                        let (lo, hi, pos) = if adjusted { b.adjusted } else { b.exact };
                        let Some([lower, upper, position]) = band_rows.get_mut(k) else {
                            break;
                        };
                        if let Some(lower) = lower {
                            lower.value = Some(ind.from_stats(lo));
                        }
                        if let Some(upper) = upper {
                            upper.value = Some(ind.from_stats(hi));
                        }
                        if let Some(position) = position {
                            let (code, word) = position_code(pos);
                            position.value = Some(code);
                            position.set_note(word);
                        }
                        k += 1;
                    }
                }
                rows.append(&mut z_rows);
                rows.extend(band_rows.into_iter().flatten().flatten());
            }
            Err(why) => {
                let mut all = z_rows;
                all.extend(band_rows.into_iter().flatten().flatten());
                no_value(&why, &mut all);
                rows.extend(all);
            }
        }
    }

    /// Why a 903 figure's comparisons are withheld (a small count), if they are.
    fn withheld(&self, figure: &Figure) -> Option<String> {
        if !is_small(figure, self.options.small_count) {
            return None;
        }
        let c = figure.counts?;
        let small = |n: u64| n >= 1 && n <= self.options.small_count;
        if small(c.numerator) {
            return Some(format!(
                "withheld: the 903 count is from 1 to {} and a comparison would reveal it",
                self.options.small_count
            ));
        }
        if !figure.indicator.is_rate() && small(c.denominator) {
            return Some(format!(
                "withheld: the 903 denominator is from 1 to {} and a comparison would reveal it",
                self.options.small_count
            ));
        }
        None
    }
}

/// Whether a 903 figure has a count from 1 to `small_count` (its numerator,
/// or the denominator of a percentage), which its comparisons would reveal.
pub fn is_small(figure: &Figure, small_count: u64) -> bool {
    let small = |n: u64| n >= 1 && n <= small_count;
    figure.source == Source::Ssda903
        && figure.counts.is_some_and(|c| {
            small(c.numerator) || (!figure.indicator.is_rate() && small(c.denominator))
        })
}

/// The groups that `las` are compared in, for `years` and every indicator,
/// each once, with the comparator it is built for.
pub fn wanted_groups(
    reference: &Reference,
    options: &Options,
    las: &[LaCode],
    years: &[CollectionYear],
) -> Vec<(GroupKey, Comparator)> {
    let mut wanted = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for &year in years {
        for &la in las {
            for (comparator, id) in groups_of(reference, options, la) {
                for indicator in Indicator::ALL {
                    if seen.insert((id.clone(), indicator, year)) {
                        wanted.push(((id.clone(), indicator, year), comparator));
                    }
                }
            }
        }
    }
    wanted
}

/// Builds one group; `parallel`: for a whole-benchmark run (every member
/// placed), not for one authority's task.
pub fn build_group(
    reference: &Reference,
    published: &PublishedFigures,
    options: &Options,
    (key, comparator): &(GroupKey, Comparator),
    parallel: bool,
) -> Arc<Group> {
    let (id, indicator, year) = key;
    // Neighbour groups are looked at for one authority only.
    let full = parallel && !matches!(id, GroupId::Neighbours(..));
    Arc::new(Group::build(
        reference,
        published,
        options,
        id.clone(),
        *comparator,
        *indicator,
        *year,
        full,
    ))
}

/// Builds every group that `las` are compared in, for `years` and every
/// indicator.
pub fn build_groups(
    reference: &Reference,
    published: &PublishedFigures,
    options: &Options,
    las: &[LaCode],
    years: &[CollectionYear],
    parallel: bool,
) -> Groups {
    let wanted = wanted_groups(reference, options, las, years);
    build_wanted(reference, published, options, &wanted, parallel)
}

/// Builds the groups of `wanted` ([`wanted_groups`]); `parallel` as for
/// [`build_group`].
pub fn build_wanted(
    reference: &Reference,
    published: &PublishedFigures,
    options: &Options,
    wanted: &[(GroupKey, Comparator)],
    parallel: bool,
) -> Groups {
    let build = |w: &(GroupKey, Comparator)| {
        (
            w.0.clone(),
            build_group(reference, published, options, w, parallel),
        )
    };
    if parallel {
        use rayon::prelude::*;
        wanted.par_iter().map(build).collect()
    } else {
        wanted.iter().map(build).collect()
    }
}

#[cfg(test)]
mod rank_tests {
    use super::*;
    use proptest::prelude::*;

    /// What the ranking of `[value, others…]` gives `value`, as
    /// `rank_among_others` did before it counted in sorted values.
    fn by_ranking(members: &[Option<f64>], own: usize, value: f64) -> Option<Rank> {
        let mut values = vec![Some(value)];
        values.extend(
            members
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != own)
                .map(|(_, v)| *v),
        );
        if values[1..].iter().all(Option::is_none) {
            return None;
        }
        rank(&values, Order::Ascending, Ties::Min)[0]
    }

    proptest! {
        #[test]
        fn counting_in_sorted_values_ranks_as_ranking_does(
            members in prop::collection::vec(prop::option::weighted(0.9, 0u8..40), 1..30),
            own in 0usize..30,
            value in 0u8..45,
        ) {
            // Whole numbers, as published figures are rounded: many ties.
            let members: Vec<Option<f64>> = members.iter().map(|v| v.map(f64::from)).collect();
            let own = own % members.len();
            let mut sorted: Vec<f64> = members.iter().flatten().copied().collect();
            sorted.sort_by(f64::total_cmp);
            let value = f64::from(value);
            prop_assert_eq!(
                rank_in_sorted(&sorted, members[own], value),
                by_ranking(&members, own, value)
            );
        }
    }

    #[test]
    fn a_figure_with_no_other_value_has_no_rank() {
        assert_eq!(rank_in_sorted(&[5.0], Some(5.0), 7.0), None);
        assert_eq!(rank_in_sorted(&[], None, 7.0), None);
        assert_eq!(rank_in_sorted(&[5.0], None, f64::NAN), None);
        let r = rank_in_sorted(&[3.0, 5.0, 5.0], Some(3.0), 5.0).unwrap();
        assert_eq!((r.rank, r.of, r.tied), (1, 3, true));
    }
}
