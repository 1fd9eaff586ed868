//! # placement-distance
//!
//! Built-in metric: how far from home children are placed, and whether inside
//! their authority's boundary, by the DfE's definitions (spec §7;
//! docs/METHODS.md).
//!
//! PL_DISTANCE, PL_LA and PL_LOCATION are not in an authority's SSDA903 files:
//! the DfE derives them from HOME_POST and PL_POST with the ONS Postcode
//! Directory. [`derive()`] does the same with an [`iro_postcodes::PostcodeIndex`]:
//! straight-line distance on OS grid references,
//! `round(sqrt(dE² + dN²) / 1000 / 1.6093, 1)` miles; not known (999.9) when
//! it cannot be computed, blank for UASC and formerly UASC children (rule 406).
//!
//! Measures for children looked after at 31 March (short breaks excluded):
//! `distance` (20 miles or less / over 20 miles / not known), `location`
//! (inside / outside the authority's boundary), `distance-location`,
//! `distance-band` (the DfE's alternative groupings), `distance-by-placement`,
//! `median-distance`, `distance-not-known` (by reason), `postcodes-not-found`
//! and `approximate-locations`; and `new-placements` during the year by
//! location and distance, as the DfE's "new placements" file.
//!
//! The metric needs the postcode index, which `MetricContext` does not carry:
//! construct it with one ([`PlacementDistance::new`]) or with the bundled
//! sector centroids ([`PlacementDistance::bundled`]). Every figure computed
//! from a sector centroid carries the note `approximate: sector centroids`.

pub mod derive;

use std::sync::{Arc, LazyLock};

use iro_domain::{ChildRecord, PlacementGroup, TableKind};
use iro_metric_api::{
    Breakdown, MeasureSpec, Metric, MetricContext, MetricError, MetricRow, MetricSpec, ParamSpec,
    Period, Unit, row,
};
use iro_postcodes::{PostcodeError, PostcodeIndex, Resolved};

pub use derive::{Derived, InOut, NotKnown, OwnArea, PlLa, derive};

/// Parameter names.
pub const THRESHOLD_MILES: &str = "threshold_miles";
pub const BANDS: &str = "bands";
/// The note on every row computed (in part) from sector centroids.
pub const APPROXIMATE: &str = "approximate: sector centroids";

/// The DfE's label for a distance that is not known (its LA-level files).
pub const DISTANCE_NOT_KNOWN: &str = "Distance not known or not recorded";
pub const INSIDE: &str = "Inside LA boundary";
pub const OUTSIDE: &str = "Outside LA boundary";
pub const LOCATION_NOT_KNOWN: &str = "Location not known";
const NOT_KNOWN_GROUP: &str = "Not known";

/// The metric. Cheap to clone (the index is shared).
#[derive(Debug, Clone)]
pub struct PlacementDistance {
    index: Arc<PostcodeIndex>,
}

impl PlacementDistance {
    /// With a postcode index (the bundled sectors plus, when the user has
    /// imported one, the unit-postcode table: [`PostcodeIndex::load`]).
    pub fn new(index: Arc<PostcodeIndex>) -> Self {
        PlacementDistance { index }
    }

    /// With the bundled postcode-sector centroids only: every distance is
    /// approximate.
    pub fn bundled() -> Result<Self, PostcodeError> {
        Ok(Self::new(Arc::new(PostcodeIndex::bundled()?)))
    }

    pub fn index(&self) -> &PostcodeIndex {
        &self.index
    }
}

static PARAMS: LazyLock<[ParamSpec; 2]> = LazyLock::new(|| {
    [
        ParamSpec {
            name: THRESHOLD_MILES,
            default: serde_json::Value::from(20),
            help: "Distance (miles) above which a placement counts as over the threshold: over means PL_DISTANCE > threshold on the 1-decimal-place value (so 20.0 is not over 20, 20.1 is). The DfE uses 20.",
        },
        ParamSpec {
            name: BANDS,
            default: serde_json::Value::from(DFE_BANDS.to_vec()),
            help: "Upper edges (whole miles, increasing) of the distance bands. The default is the DfE's alternative groupings: Less than 20 miles (up to and including 20.0), 21-40 miles (20.1 to 40.0), 41-60, 61-80, 81-100, Over 100 miles.",
        },
    ]
});

static SPEC: LazyLock<MetricSpec> = LazyLock::new(|| MetricSpec {
    id: "placement-distance",
    title: "Placement distance from home and location inside or outside the authority (DfE definitions)",
    version: env!("CARGO_PKG_VERSION"),
    requires: &[TableKind::Episodes],
    measures: &[
        MeasureSpec {
            id: "distance",
            title: "Children looked after at 31 March by distance between home and placement",
            unit: Unit::Percent,
            additive_breakdowns: &["distance"],
        },
        MeasureSpec {
            id: "location",
            title: "Children looked after at 31 March placed inside or outside the authority's boundary",
            unit: Unit::Percent,
            additive_breakdowns: &["location"],
        },
        MeasureSpec {
            id: "distance-location",
            title: "Children looked after at 31 March by placement location and distance from home",
            unit: Unit::Percent,
            additive_breakdowns: &["location;distance"],
        },
        MeasureSpec {
            id: "distance-band",
            title: "Children looked after at 31 March by distance from home (DfE alternative distance groupings)",
            unit: Unit::Percent,
            additive_breakdowns: &["band"],
        },
        MeasureSpec {
            id: "distance-by-placement",
            title: "Children looked after at 31 March by placement group and distance from home (% of the group)",
            unit: Unit::Percent,
            additive_breakdowns: &["placement_group;distance"],
        },
        MeasureSpec {
            id: "median-distance",
            title: "Median distance from home of children looked after at 31 March whose distance is known",
            unit: Unit::Miles,
            additive_breakdowns: &[],
        },
        MeasureSpec {
            id: "distance-not-known",
            title: "Children looked after at 31 March whose distance from home is not known, by reason",
            unit: Unit::Count,
            additive_breakdowns: &["reason"],
        },
        MeasureSpec {
            id: "postcodes-not-found",
            title: "Postcodes recorded for children looked after at 31 March that are not in the postcode directory",
            unit: Unit::Count,
            additive_breakdowns: &["field"],
        },
        MeasureSpec {
            id: "approximate-locations",
            title: "Children looked after at 31 March whose distance or location was computed from a postcode-sector centroid",
            unit: Unit::Count,
            additive_breakdowns: &[],
        },
        MeasureSpec {
            id: "new-placements",
            title: "New placements during the year by location and distance from home",
            unit: Unit::Percent,
            additive_breakdowns: &["location_distance"],
        },
    ],
    params: &*PARAMS,
});

/// The DfE's alternative distance groupings.
pub const DFE_BANDS: [u32; 5] = [20, 40, 60, 80, 100];

/// The resolved parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The threshold in tenths of a mile (200 = 20.0 miles).
    pub threshold_tenths: u32,
    /// Band upper edges in whole miles.
    pub bands: Vec<u32>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold_tenths: 200,
            bands: DFE_BANDS.to_vec(),
        }
    }
}

impl Options {
    /// Reads `threshold_miles` and `bands`, falling back to the defaults.
    pub fn from_context(ctx: &MetricContext<'_>) -> Result<Self, MetricError> {
        let bad = |name: &str, reason: &str| MetricError::BadParameter {
            name: name.to_string(),
            reason: reason.to_string(),
        };
        let mut o = Options::default();
        if let Some(v) = ctx.params.get(THRESHOLD_MILES).filter(|v| !v.is_null()) {
            let t = v
                .as_f64()
                .filter(|t| t.is_finite() && *t > 0.0 && *t < 999.9)
                .ok_or_else(|| {
                    bad(
                        THRESHOLD_MILES,
                        "expected a number of miles above 0 and below 999.9",
                    )
                })?;
            o.threshold_tenths = (t * 10.0).round() as u32;
        }
        if let Some(v) = ctx.params.get(BANDS).filter(|v| !v.is_null()) {
            let reason = "expected a list of whole miles, increasing, e.g. [20, 40, 60, 80, 100]";
            let list = v.as_array().ok_or_else(|| bad(BANDS, reason))?;
            let mut bands = Vec::with_capacity(list.len());
            for x in list {
                let b = x
                    .as_u64()
                    .filter(|b| (1..=999).contains(b))
                    .ok_or_else(|| bad(BANDS, reason))?;
                if bands.last().is_some_and(|&l| u64::from(l) >= b) {
                    return Err(bad(BANDS, reason));
                }
                bands.push(b as u32);
            }
            if bands.is_empty() || bands.len() > 20 {
                return Err(bad(BANDS, "expected 1 to 20 band edges"));
            }
            o.bands = bands;
        }
        Ok(o)
    }

    fn threshold_label(&self) -> String {
        let t = self.threshold_tenths;
        if t.is_multiple_of(10) {
            format!("{}", t / 10)
        } else {
            format!("{}.{}", t / 10, t % 10)
        }
    }

    /// The labels of the `distance` breakdown: within, over, not known.
    pub fn distance_labels(&self) -> [String; 3] {
        let t = self.threshold_label();
        [
            format!("{t} miles or less"),
            format!("Over {t} miles"),
            DISTANCE_NOT_KNOWN.to_string(),
        ]
    }

    /// The labels of the `band` breakdown, in the DfE's style: `Less than 20
    /// miles`, `21-40 miles`, …, `Over 100 miles`, then not known.
    pub fn band_labels(&self) -> Vec<String> {
        let mut v = Vec::with_capacity(self.bands.len() + 2);
        let mut prev = None;
        for &b in &self.bands {
            v.push(match prev {
                None => format!("Less than {b} miles"),
                Some(p) => format!("{}-{b} miles", p + 1),
            });
            prev = Some(b);
        }
        v.push(format!(
            "Over {} miles",
            self.bands.last().copied().unwrap_or(0)
        ));
        v.push(DISTANCE_NOT_KNOWN.to_string());
        v
    }

    /// The DfE's new-placement categories.
    pub fn new_placement_labels(&self) -> [String; 6] {
        let t = self.threshold_label();
        [
            format!("Placed inside LA boundary less than {t} miles from home"),
            format!("Placed inside LA boundary more than {t} miles from home"),
            format!("Placed outside LA boundary less than {t} miles from home"),
            format!("Placed outside LA boundary more than {t} miles from home"),
            DISTANCE_NOT_KNOWN.to_string(),
            LOCATION_NOT_KNOWN.to_string(),
        ]
    }

    /// 0 within, 1 over, 2 not known.
    fn distance_slot(&self, tenths: Option<u32>) -> usize {
        match tenths {
            Some(t) if t > self.threshold_tenths => 1,
            Some(_) => 0,
            None => 2,
        }
    }

    fn band_slot(&self, tenths: Option<u32>) -> usize {
        match tenths {
            None => self.bands.len() + 1,
            Some(t) => self
                .bands
                .iter()
                .position(|&b| t <= b * 10)
                .unwrap_or(self.bands.len()),
        }
    }
}

/// A count, and whether any child in it was placed by a sector centroid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Cell {
    n: u64,
    approx: bool,
}

impl Cell {
    fn add(&mut self, approx: bool) {
        self.n += 1;
        self.approx |= approx;
    }
}

const GROUPS: usize = 9; // the eight PlacementGroups and "not known"

fn group_slot(g: Option<PlacementGroup>) -> usize {
    match g {
        None => GROUPS - 1,
        Some(g) => match g {
            PlacementGroup::FosterRelativeFriend => 0,
            PlacementGroup::FosterOther => 1,
            PlacementGroup::PlacedForAdoption => 2,
            PlacementGroup::WithParents => 3,
            PlacementGroup::IndependentLiving => 4,
            PlacementGroup::Residential => 5,
            PlacementGroup::Other => 6,
            PlacementGroup::Temporary => 7,
        },
    }
}

const GROUP_LABELS: [&str; GROUPS] = [
    "Foster care with relatives or friends",
    "Foster care with other carers",
    "Placed for adoption",
    "Placed with parents or others with parental responsibility",
    "Independent and semi-independent living",
    "Secure units, children's homes and residential settings",
    "Other placements",
    "Temporary placements",
    NOT_KNOWN_GROUP,
];

/// Everything counted for one authority and year.
#[derive(Debug, Clone, Default)]
struct Tally {
    cla: u64,
    dist: [Cell; 3],
    loc: [Cell; 3],
    loc_dist: [[Cell; 3]; 3],
    bands: Vec<Cell>,
    group_n: [u64; GROUPS],
    group_dist: [[Cell; 3]; GROUPS],
    reasons: [u64; NotKnown::ALL.len()],
    not_found: [u64; 2],
    approx_children: u64,
    tenths: Vec<u32>,
    new_total: Cell,
    new: [Cell; 6],
}

fn loc_slot(l: Option<InOut>) -> usize {
    match l {
        Some(InOut::In) => 0,
        Some(InOut::Out) => 1,
        None => 2,
    }
}

impl Metric for PlacementDistance {
    fn spec(&self) -> &MetricSpec {
        &SPEC
    }

    fn compute(&self, ctx: &MetricContext<'_>) -> Result<Vec<MetricRow>, MetricError> {
        let year = ctx.year;
        if !ctx.has(year, TableKind::Episodes) {
            return Err(MetricError::NotComputable(format!(
                "no Episodes table for {}",
                year.label()
            )));
        }
        let opts = Options::from_context(ctx)?;
        let own = OwnArea::of(ctx.reference, ctx.cohort.la());
        let tally = self.tally(ctx, &opts, own.as_ref());
        Ok(rows(ctx, &opts, own.as_ref(), &tally))
    }
}

impl PlacementDistance {
    /// The derived fields of one child's episode.
    fn derive_for(
        &self,
        c: &ChildRecord<'_>,
        e: &iro_domain::Episode,
        own: Option<&OwnArea>,
    ) -> Derived {
        derive(
            &self.index,
            e.home_post.as_ref(),
            e.pl_post.as_ref(),
            c.child.uasc.is_some(),
            own,
        )
    }

    fn tally(&self, ctx: &MetricContext<'_>, opts: &Options, own: Option<&OwnArea>) -> Tally {
        let end = ctx.year.end();
        let cohort = ctx.cohort;
        let episodes = cohort.episodes();
        let mut t = Tally {
            bands: vec![Cell::default(); opts.bands.len() + 2],
            ..Tally::default()
        };
        for c in cohort.iter_children() {
            // New placements during the year (not short breaks, not temporary).
            for (i, p) in c.placements.iter().enumerate() {
                if !ctx.year.contains(p.start) || p.is_temporary() || is_return(c.placements, i) {
                    continue;
                }
                let Some(first) = episodes.get(p.episodes.start as usize) else {
                    continue;
                };
                if first.is_short_break() {
                    continue;
                }
                let d = self.derive_for(&c, first, own);
                let slot = match (d.distance_tenths, d.location) {
                    (None, _) => 4,
                    (Some(_), None) => 5,
                    (Some(tenths), Some(l)) => {
                        let over = usize::from(opts.distance_slot(Some(tenths)) == 1);
                        loc_slot(Some(l)) * 2 + over
                    }
                };
                let approx = d.distance_approximate || d.location_approximate;
                t.new_total.add(approx);
                t.new[slot].add(approx);
            }

            // Children looked after at 31 March.
            let Some(e) = c.episode_open_on(end).filter(|e| !e.is_short_break()) else {
                continue;
            };
            let d = self.derive_for(&c, e, own);
            t.cla += 1;
            let ds = opts.distance_slot(d.distance_tenths);
            let ls = loc_slot(d.location);
            let (ad, al) = (d.distance_approximate, d.location_approximate);
            t.dist[ds].add(ad);
            t.loc[ls].add(al);
            t.loc_dist[ls][ds].add(ad || al);
            t.bands[opts.band_slot(d.distance_tenths)].add(ad);
            let g = group_slot(e.place.map(|p| p.group()));
            t.group_n[g] += 1;
            t.group_dist[g][ds].add(ad);
            if let Some(r) = d.not_known {
                t.reasons[derive::not_known_slot(r)] += 1;
            }
            for (i, r) in [d.home, d.placement].into_iter().enumerate() {
                if r == Some(Resolved::NotFound) {
                    t.not_found[i] += 1;
                }
            }
            if ad || al {
                t.approx_children += 1;
            }
            if let Some(tenths) = d.distance_tenths {
                t.tenths.push(tenths);
            }
        }
        t
    }
}

/// A return to the placement held before a temporary one (same period of
/// care, placement type and postcode; cf. DfE rule 383) is not a new placement.
fn is_return(placements: &[iro_domain::Placement], i: usize) -> bool {
    let (Some(before), Some(temp), Some(p)) = (
        i.checked_sub(2).and_then(|k| placements.get(k)),
        i.checked_sub(1).and_then(|k| placements.get(k)),
        placements.get(i),
    ) else {
        return false;
    };
    temp.is_temporary()
        && before.period == p.period
        && temp.period == p.period
        && before.place == p.place
        && before.pl_post == p.pl_post
}

fn rows(
    ctx: &MetricContext<'_>,
    opts: &Options,
    own: Option<&OwnArea>,
    t: &Tally,
) -> Vec<MetricRow> {
    let r = |measure: &str, period: Period| row(&SPEC, ctx, measure, period);
    let snap = |measure: &str| r(measure, Period::Snapshot);
    let approx = |row: MetricRow, a: bool| if a { row.note(APPROXIMATE) } else { row };
    // Notes: the threshold where it is not the DfE's (rows that depend on
    // it), and a missing UASC table (every distance row: UASC children then
    // look like any other child).
    let uasc_note = (!ctx.has(ctx.year, TableKind::Uasc)).then(|| {
        format!(
            "no UASC table for {}: UASC children cannot be told apart",
            ctx.year.label()
        )
    });
    let common = [
        (opts.threshold_tenths != 200)
            .then(|| format!("threshold_miles={} (DfE: 20)", opts.threshold_label())),
        uasc_note.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("; ");
    let with_uasc = |row: MetricRow| match &uasc_note {
        Some(n) => row.note(n.clone()),
        None => row,
    };
    let with_common = |row: MetricRow| row.note(common.clone());
    let loc_note = match own {
        None => Some(format!(
            "location not computable: authority {} is not in the reference data",
            ctx.la_code()
        )),
        Some(a) => a
            .via_successors
            .as_ref()
            .map(|s| format!("authority's area taken as its successors': {s}")),
    };
    let with_loc = |row: MetricRow| match &loc_note {
        Some(n) => row.note(n.clone()),
        None => row,
    };
    let any = |cells: &[Cell]| cells.iter().any(|c| c.approx);
    let mut out = Vec::new();
    let cla = t.cla;

    // distance
    let dl = opts.distance_labels();
    out.push(with_common(approx(
        snap("distance").percent(cla, cla),
        any(&t.dist),
    )));
    for (label, c) in dl.iter().zip(&t.dist) {
        out.push(with_common(approx(
            snap("distance")
                .with_breakdown(Breakdown::one("distance", label.clone()))
                .percent(c.n, cla),
            c.approx,
        )));
    }

    // location
    let ll = [INSIDE, OUTSIDE, LOCATION_NOT_KNOWN];
    out.push(with_loc(approx(
        snap("location").percent(cla, cla),
        any(&t.loc),
    )));
    for (label, c) in ll.iter().zip(&t.loc) {
        out.push(with_loc(approx(
            snap("location")
                .with_breakdown(Breakdown::one("location", *label))
                .percent(c.n, cla),
            c.approx,
        )));
    }

    // distance-location
    let all_ld: Vec<Cell> = t.loc_dist.iter().flatten().copied().collect();
    out.push(with_loc(with_common(approx(
        snap("distance-location").percent(cla, cla),
        any(&all_ld),
    ))));
    for (li, label) in ll.iter().enumerate() {
        for (di, dlabel) in dl.iter().enumerate() {
            let c = t.loc_dist[li][di];
            out.push(with_loc(with_common(approx(
                snap("distance-location")
                    .with_breakdown(Breakdown(vec![
                        ("location".into(), (*label).to_string()),
                        ("distance".into(), dlabel.clone()),
                    ]))
                    .percent(c.n, cla),
                c.approx,
            ))));
        }
    }

    // distance-band
    let mut band_total = snap("distance-band").percent(cla, cla);
    if opts.bands != DFE_BANDS {
        band_total = band_total.note(format!("bands={:?} (DfE: {DFE_BANDS:?})", opts.bands));
    }
    out.push(with_uasc(approx(band_total, any(&t.bands))));
    for (label, c) in opts.band_labels().into_iter().zip(&t.bands) {
        out.push(with_uasc(approx(
            snap("distance-band")
                .with_breakdown(Breakdown::one("band", label))
                .percent(c.n, cla),
            c.approx,
        )));
    }

    // distance-by-placement: % of the children in each placement group.
    let all_gd: Vec<Cell> = t.group_dist.iter().flatten().copied().collect();
    out.push(with_common(approx(
        snap("distance-by-placement").percent(cla, cla),
        any(&all_gd),
    )));
    for (g, glabel) in GROUP_LABELS.iter().enumerate() {
        if t.group_n[g] == 0 {
            continue;
        }
        for (di, dlabel) in dl.iter().enumerate() {
            let c = t.group_dist[g][di];
            out.push(with_common(approx(
                snap("distance-by-placement")
                    .with_breakdown(Breakdown(vec![
                        ("placement_group".into(), (*glabel).to_string()),
                        ("distance".into(), dlabel.clone()),
                    ]))
                    .percent(c.n, t.group_n[g]),
                c.approx,
            )));
        }
    }

    // median-distance
    let mut m = snap("median-distance");
    let mut sorted = t.tenths.clone();
    sorted.sort_unstable();
    m.denominator = Some(sorted.len() as u64);
    m.value = match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(f64::from(sorted[n / 2]) / 10.0),
        n => Some(f64::from(sorted[n / 2 - 1] + sorted[n / 2]) / 20.0),
    };
    out.push(with_uasc(approx(m, any(&t.dist[..2]))));

    // distance-not-known
    let nk: u64 = t.reasons.iter().sum();
    out.push(with_common(snap("distance-not-known").count(nk)));
    for (reason, &n) in NotKnown::ALL.iter().zip(&t.reasons) {
        out.push(with_common(
            snap("distance-not-known")
                .with_breakdown(Breakdown::one("reason", reason.label()))
                .count(n),
        ));
    }

    // postcodes-not-found
    let nf_note = "HOME_POST and PL_POST of the episode open at 31 March; a postcode whose sector is known counts as found (approximately)";
    out.push(
        snap("postcodes-not-found")
            .count(t.not_found.iter().sum())
            .note(nf_note),
    );
    for (field, &n) in ["HOME_POST", "PL_POST"].iter().zip(&t.not_found) {
        out.push(
            snap("postcodes-not-found")
                .with_breakdown(Breakdown::one("field", *field))
                .count(n)
                .note(nf_note),
        );
    }

    out.push(snap("approximate-locations").count(t.approx_children));

    // new-placements
    let np = r("new-placements", Period::Year).percent(t.new_total.n, t.new_total.n);
    out.push(with_loc(with_common(approx(np, t.new_total.approx))));
    for (label, c) in opts.new_placement_labels().into_iter().zip(&t.new) {
        out.push(with_loc(with_common(approx(
            r("new-placements", Period::Year)
                .with_breakdown(Breakdown::one("location_distance", label))
                .percent(c.n, t.new_total.n),
            c.approx,
        ))));
    }
    out
}

#[cfg(test)]
mod tests;
