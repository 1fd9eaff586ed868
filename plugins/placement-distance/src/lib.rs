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
//! `median-distance`, `distance-not-known` (by reason), `postcodes-not-found`,
//! `postcode-resolution` (how each HOME_POST and PL_POST was placed: unit
//! postcode, sector or district centroid, not found, ambiguous, not recorded)
//! and `approximate-locations`; and `new-placements` during the year by
//! location and distance, as the DfE's "new placements" file.
//!
//! The metric needs the postcode index, which `MetricContext` does not carry:
//! construct it with one ([`PlacementDistance::new`]) or with the bundled
//! sector centroids ([`PlacementDistance::bundled`]). Every figure computed
//! from a sector centroid carries the note `approximate: sector centroids`,
//! from a district centroid `approximate: district centroids`.
//!
//! HOME_POST and PL_POST may hold unit postcodes, postcode sectors (`BA1 2`)
//! or districts (`BA1`) ([`iro_domain::PostcodeKind`]). A value written
//! without a space that reads both ways (`BA12`) is read the way the
//! authority's other truncated values are written ([`authority_reading`]).
//!
//! [`Metric::compute_years`] walks the authority's children once for every
//! year asked for, looking each child's postcodes up once.

pub mod derive;

use std::sync::{Arc, LazyLock};

use chrono::NaiveDate;
use iro_domain::{Cohort, Episode, PlacementGroup, Postcode, PostcodeKind, TableKind};
use iro_metric_api::MetricExt;
use iro_metric_api::{
    Breakdown, Cells, Column, ColumnNeed, MeasureId, MeasureSpec, Metric, MetricContext,
    MetricError, MetricRow, MetricSpec, ParamSpec, Period, Relation, Subject, Term, Unit, row,
};
use iro_postcodes::{PostcodeError, PostcodeIndex, Precision, Reading, Resolved};
use rustc_hash::FxHashMap;

pub use derive::{
    Derived, InOut, NotKnown, OwnArea, PlLa, derive, derive_as, derive_resolved, precision,
};

/// Parameter names.
pub const THRESHOLD_MILES: &str = "threshold_miles";
pub const BANDS: &str = "bands";
/// The note on every row computed (in part) from sector centroids.
pub const APPROXIMATE: &str = "approximate: sector centroids";
/// The note on every row computed (in part) from district centroids.
pub const APPROXIMATE_DISTRICT: &str = "approximate: district centroids";

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

/// Distance is between the two postcodes; placements are told apart and
/// broken down by PLACE.
const NEEDS: &[ColumnNeed] = &[ColumnNeed::all(&[
    Column::of(TableKind::Episodes, "HOME_POST"),
    Column::of(TableKind::Episodes, "PL_POST"),
    Column::of(TableKind::Episodes, "PLACE"),
])];

/// The ids of this metric's measures (the `metric` column): the report,
/// the charts, targets and benchmarking name measures by these, never by text.
pub const DISTANCE: MeasureId = MeasureId::new("placement-distance.distance");
pub const LOCATION: MeasureId = MeasureId::new("placement-distance.location");
pub const DISTANCE_LOCATION: MeasureId = MeasureId::new("placement-distance.distance-location");
pub const DISTANCE_BAND: MeasureId = MeasureId::new("placement-distance.distance-band");
pub const DISTANCE_BY_PLACEMENT: MeasureId =
    MeasureId::new("placement-distance.distance-by-placement");
pub const MEDIAN_DISTANCE: MeasureId = MeasureId::new("placement-distance.median-distance");
pub const UNKNOWN_DISTANCE: MeasureId = MeasureId::new("placement-distance.distance-not-known");
pub const POSTCODES_NOT_FOUND: MeasureId = MeasureId::new("placement-distance.postcodes-not-found");
pub const POSTCODE_RESOLUTION: MeasureId = MeasureId::new("placement-distance.postcode-resolution");
pub const APPROXIMATE_LOCATIONS: MeasureId =
    MeasureId::new("placement-distance.approximate-locations");
pub const NEW_PLACEMENTS: MeasureId = MeasureId::new("placement-distance.new-placements");

static SPEC: LazyLock<MetricSpec> = LazyLock::new(|| MetricSpec {
    id: "placement-distance",
    title: "Placement distance from home and location inside or outside the authority (DfE definitions)",
    version: env!("CARGO_PKG_VERSION"),
    requires: &[TableKind::Episodes],
    needs: NEEDS,
    measures: &[
        MeasureSpec {
            id: DISTANCE,
            title: "Children looked after at 31 March by distance between home and placement",
            unit: Unit::Percent,
            additive_breakdowns: &["distance"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: LOCATION,
            title: "Children looked after at 31 March placed inside or outside the authority's boundary",
            unit: Unit::Percent,
            additive_breakdowns: &["location"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: DISTANCE_LOCATION,
            title: "Children looked after at 31 March by placement location and distance from home",
            unit: Unit::Percent,
            additive_breakdowns: &["location;distance"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: DISTANCE_BAND,
            title: "Children looked after at 31 March by distance from home (DfE alternative distance groupings)",
            unit: Unit::Percent,
            additive_breakdowns: &["band"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: DISTANCE_BY_PLACEMENT,
            title: "Children looked after at 31 March by placement group and distance from home (% of the group)",
            unit: Unit::Percent,
            additive_breakdowns: &["placement_group;distance"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: MEDIAN_DISTANCE,
            title: "Median distance from home of children looked after at 31 March whose distance is known",
            unit: Unit::Miles,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: UNKNOWN_DISTANCE,
            title: "Children looked after at 31 March whose distance from home is not known, by reason",
            unit: Unit::Count,
            additive_breakdowns: &["reason"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: POSTCODES_NOT_FOUND,
            title: "Postcodes recorded for children looked after at 31 March that could not be placed: not in the postcode tables, or a sector-or-district value (e.g. BA12) the tables hold both ways",
            unit: Unit::Count,
            additive_breakdowns: &["field"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: POSTCODE_RESOLUTION,
            title: "HOME_POST and PL_POST of children looked after at 31 March by how they were placed: unit postcode, sector or district centroid, not found, ambiguous, not recorded",
            unit: Unit::Count,
            additive_breakdowns: &["field;resolution"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: APPROXIMATE_LOCATIONS,
            title: "Children looked after at 31 March whose distance or location was computed from a postcode-sector or district centroid",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: NEW_PLACEMENTS,
            title: "New placements during the year by location and distance from home",
            unit: Unit::Percent,
            additive_breakdowns: &["location_distance"],
            subject: Subject::Children,
        },
    ],
    params: &*PARAMS,
});

/// The relations between the metric's figures, and with other metrics'
/// counts of the same children at 31 March: the children whose distance is
/// not known are one cell of `distance` and of `distance-band` and the total
/// of `distance-not-known`; the default bands regroup `distance`; the cross
/// tables' margins are `distance`, `location` and each placement group (also
/// `placement-stability.placement-type` and `cohort-summary.profile` by
/// placement), which is also the denominator of its cells; the median is of
/// the children whose distance is known; the postcodes not found are two
/// `postcode-resolution` cells a field; the children looked after at 31
/// March, every percentage's denominator, are `cohort-summary`'s and
/// `placement-stability`'s. The band relations name the default labels:
/// with other `bands` or `threshold_miles` their rows are not there and the
/// relation is left out (`docs/METHODS.md`, "Suppression").
static RELATIONS: [Relation; 21] = {
    const DIST: MeasureId = DISTANCE;
    const BAND: MeasureId = DISTANCE_BAND;
    const NEAR: &str = "distance=20 miles or less";
    const OVER: &str = "distance=Over 20 miles";
    const NOT_KNOWN: &str = "distance=Distance not known or not recorded";
    const CLA: Term = Term::num(MeasureId::new("cohort-summary.cla-31-march")).only("");
    const RESOLUTION: MeasureId = POSTCODE_RESOLUTION;
    const NOT_FOUND: MeasureId = POSTCODES_NOT_FOUND;
    const BY_GROUP: Cells = Cells::num(
        DISTANCE_BY_PLACEMENT,
        "placement_group;distance",
        "placement_group",
    );
    const fn same(total: Term, part: &'static [Term]) -> Relation {
        Relation::Sum { total, parts: part }
    }
    [
        same(
            Term::num(UNKNOWN_DISTANCE).only(""),
            &[Term::num(DIST).only(NOT_KNOWN)],
        ),
        same(
            Term::num(DIST).only(NOT_KNOWN),
            &[Term::num(BAND).only("band=Distance not known or not recorded")],
        ),
        same(
            Term::num(DIST).only(NEAR),
            &[Term::num(BAND).only("band=Less than 20 miles")],
        ),
        same(
            Term::num(DIST).only(OVER),
            &[
                Term::num(BAND).only("band=21-40 miles"),
                Term::num(BAND).only("band=41-60 miles"),
                Term::num(BAND).only("band=61-80 miles"),
                Term::num(BAND).only("band=81-100 miles"),
                Term::num(BAND).only("band=Over 100 miles"),
            ],
        ),
        same(
            Term::den(MEDIAN_DISTANCE).only(""),
            &[Term::num(DIST).only(NEAR), Term::num(DIST).only(OVER)],
        ),
        Relation::SumByValue {
            parts: Cells::num(
                DISTANCE_LOCATION,
                "location;distance",
                "distance",
            ),
            total: Cells::num(DIST, "distance", "distance"),
        },
        Relation::SumByValue {
            parts: Cells::num(
                DISTANCE_LOCATION,
                "location;distance",
                "location",
            ),
            total: Cells::num(LOCATION, "location", "location"),
        },
        Relation::SumByValue {
            parts: Cells::num(
                DISTANCE_BY_PLACEMENT,
                "placement_group;distance",
                "distance",
            ),
            total: Cells::num(DIST, "distance", "distance"),
        },
        Relation::SumByValue {
            parts: BY_GROUP,
            total: BY_GROUP.den(),
        },
        // The group's children, shown as each cell's denominator, are the
        // same count as the group in `placement-stability` and in the
        // profile: declared equal outright, so that a reader who has one
        // has the other in one step.
        Relation::SumByValue {
            parts: Cells::num(MeasureId::new("placement-stability.placement-type"), "group", "group"),
            total: BY_GROUP.den(),
        },
        Relation::SumByValue {
            parts: Cells::num(MeasureId::new("cohort-summary.profile"), "placement", "placement"),
            total: BY_GROUP.den(),
        },
        same(
            Term::num(DIST).only(""),
            &[
                Term::num(RESOLUTION).only("field=HOME_POST;resolution=unit postcode"),
                Term::num(RESOLUTION).only(
                    "field=HOME_POST;resolution=unit postcode not in the unit table: sector centroid",
                ),
                Term::num(RESOLUTION)
                    .only("field=HOME_POST;resolution=postcode sector: sector centroid"),
                Term::num(RESOLUTION)
                    .only("field=HOME_POST;resolution=postcode district: district centroid"),
                Term::num(RESOLUTION).only("field=HOME_POST;resolution=not found"),
                Term::num(RESOLUTION)
                    .only("field=HOME_POST;resolution=sector or district (e.g. BA12): cannot tell"),
                Term::num(RESOLUTION).only("field=HOME_POST;resolution=not recorded"),
            ],
        ),
        same(
            Term::num(DIST).only(""),
            &[
                Term::num(RESOLUTION).only("field=PL_POST;resolution=unit postcode"),
                Term::num(RESOLUTION).only(
                    "field=PL_POST;resolution=unit postcode not in the unit table: sector centroid",
                ),
                Term::num(RESOLUTION)
                    .only("field=PL_POST;resolution=postcode sector: sector centroid"),
                Term::num(RESOLUTION)
                    .only("field=PL_POST;resolution=postcode district: district centroid"),
                Term::num(RESOLUTION).only("field=PL_POST;resolution=not found"),
                Term::num(RESOLUTION)
                    .only("field=PL_POST;resolution=sector or district (e.g. BA12): cannot tell"),
                Term::num(RESOLUTION).only("field=PL_POST;resolution=not recorded"),
            ],
        ),
        same(
            Term::num(NOT_FOUND).only("field=HOME_POST"),
            &[
                Term::num(RESOLUTION).only("field=HOME_POST;resolution=not found"),
                Term::num(RESOLUTION)
                    .only("field=HOME_POST;resolution=sector or district (e.g. BA12): cannot tell"),
            ],
        ),
        same(
            Term::num(NOT_FOUND).only("field=PL_POST"),
            &[
                Term::num(RESOLUTION).only("field=PL_POST;resolution=not found"),
                Term::num(RESOLUTION)
                    .only("field=PL_POST;resolution=sector or district (e.g. BA12): cannot tell"),
            ],
        ),
        same(CLA, &[Term::den(DIST)]),
        same(CLA, &[Term::den(LOCATION)]),
        same(CLA, &[Term::den(DISTANCE_LOCATION)]),
        same(CLA, &[Term::den(BAND)]),
        same(
            CLA,
            &[Term::num(DISTANCE_BY_PLACEMENT).only("")],
        ),
        same(
            Term::num(DIST).only(""),
            &[Term::num(MeasureId::new("placement-stability.placements-per-child")).only("")],
        ),
    ]
};

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

/// Which kinds of centroid a count rests on (bits).
const SECTOR: u8 = 1;
const DISTRICT: u8 = 2;

/// The centroid bits of a precision.
fn centroid_bits(p: Option<Precision>) -> u8 {
    match p {
        Some(Precision::SectorCentroid) => SECTOR,
        Some(Precision::DistrictCentroid) => DISTRICT,
        Some(Precision::Unit) | None => 0,
    }
}

/// A count, and which kinds of centroid placed any child in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Cell {
    n: u64,
    approx: u8,
}

impl Cell {
    fn add(&mut self, approx: u8) {
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

/// How a HOME_POST or PL_POST value was placed (`postcode-resolution`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resolution {
    /// A unit postcode found in the unit table (its own grid reference).
    Unit,
    /// A unit postcode not in the loaded unit table (or no unit table
    /// loaded): placed at its sector's centroid.
    UnitAtSector,
    /// A postcode sector (`BA1 2`): its centroid.
    Sector,
    /// A postcode district (`BA1`): its centroid.
    District,
    /// Not in the postcode tables, nor its sector.
    NotFound,
    /// A value such as `BA12` that could be a sector or a district, both in
    /// the tables, and the authority's other values do not say which.
    Ambiguous,
    NotRecorded,
}

impl Resolution {
    pub const ALL: [Resolution; 7] = [
        Resolution::Unit,
        Resolution::UnitAtSector,
        Resolution::Sector,
        Resolution::District,
        Resolution::NotFound,
        Resolution::Ambiguous,
        Resolution::NotRecorded,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Resolution::Unit => "unit postcode",
            Resolution::UnitAtSector => "unit postcode not in the unit table: sector centroid",
            Resolution::Sector => "postcode sector: sector centroid",
            Resolution::District => "postcode district: district centroid",
            Resolution::NotFound => "not found",
            Resolution::Ambiguous => "sector or district (e.g. BA12): cannot tell",
            Resolution::NotRecorded => "not recorded",
        }
    }

    /// How `pc` (looked up as `r`) was placed.
    pub fn of(pc: Option<&Postcode>, r: Option<Resolved>) -> Self {
        let Some(pc) = pc else {
            return Resolution::NotRecorded;
        };
        match (r, precision(r)) {
            (Some(Resolved::Ambiguous), _) => Resolution::Ambiguous,
            (_, Some(Precision::Unit)) => Resolution::Unit,
            (_, Some(Precision::SectorCentroid)) if pc.is_unit() => Resolution::UnitAtSector,
            (_, Some(Precision::SectorCentroid)) => Resolution::Sector,
            (_, Some(Precision::DistrictCentroid)) => Resolution::District,
            (_, None) => Resolution::NotFound,
        }
    }
}

/// How the authority's sector-or-district values (`BA12`) are read: as
/// sectors if its other truncated HOME_POST and PL_POST values (in every
/// loaded year) are more often sectors (`BA1 2`, `BA123`) than districts
/// (`BA1`, `SW1A`), as districts if more often districts, and otherwise only
/// when the postcode tables hold one reading ([`Reading::Either`]). A system
/// truncates all of an authority's postcodes the same way, so its
/// unambiguous values show the convention. Also returns the counts of
/// unambiguous sectors and districts, and of sector-or-district values.
pub fn authority_reading(episodes: &[Episode]) -> (Reading, [u64; 3]) {
    let mut n = [0u64; 3];
    for e in episodes {
        for pc in [&e.home_post, &e.pl_post].into_iter().flatten() {
            match pc.kind() {
                PostcodeKind::Sector => n[0] += 1,
                PostcodeKind::District => n[1] += 1,
                PostcodeKind::SectorOrDistrict => n[2] += 1,
                PostcodeKind::Unit => {}
            }
        }
    }
    let reading = match n[0].cmp(&n[1]) {
        std::cmp::Ordering::Greater => Reading::Sector,
        std::cmp::Ordering::Less => Reading::District,
        std::cmp::Ordering::Equal => Reading::Either,
    };
    (reading, n)
}

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
    /// By field (HOME_POST, PL_POST) and [`Resolution`].
    resolution: [[u64; Resolution::ALL.len()]; 2],
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

/// One year to compute: its position among the contexts and its tally.
#[derive(Debug)]
struct YearPlan {
    ctx: usize,
    /// 1 April and 31 March of the year.
    start: NaiveDate,
    end: NaiveDate,
    tally: Tally,
}

impl Metric for PlacementDistance {
    fn spec(&self) -> &MetricSpec {
        &SPEC
    }

    fn compute_years(
        &self,
        ctxs: &[MetricContext<'_>],
    ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        let Some(first) = ctxs.first() else {
            return Vec::new();
        };
        // One walk serves every year only if they share cohort and parameters.
        if ctxs
            .iter()
            .any(|c| !std::ptr::eq(c.cohort, first.cohort) || c.params != first.params)
        {
            return ctxs.iter().map(|c| self.compute(c)).collect();
        }
        let opts = match Options::from_context(first) {
            Ok(o) => o,
            Err(e) => return ctxs.iter().map(|_| Err(e.clone())).collect(),
        };
        let cohort = first.cohort;
        let own = OwnArea::of(first.reference, cohort.la());
        let (reading, forms) = authority_reading(cohort.episodes());
        let mut plans: Vec<YearPlan> = ctxs
            .iter()
            .enumerate()
            .filter(|(_, c)| c.has(c.year, TableKind::Episodes))
            .map(|(i, c)| YearPlan {
                ctx: i,
                start: c.year.start(),
                end: c.year.end(),
                tally: Tally {
                    bands: vec![Cell::default(); opts.bands.len() + 2],
                    ..Tally::default()
                },
            })
            .collect();
        self.tally(cohort, reading, own.as_ref(), &opts, &mut plans);
        let mut out: Vec<Result<Vec<MetricRow>, MetricError>> = ctxs
            .iter()
            .map(|c| {
                Err(MetricError::NotComputable(format!(
                    "no Episodes table for {}",
                    c.year.label()
                )))
            })
            .collect();
        let reading_note = reading_note(reading, forms);
        for p in &plans {
            out[p.ctx] = Ok(rows(
                &ctxs[p.ctx],
                &opts,
                own.as_ref(),
                &p.tally,
                reading_note.as_deref(),
            ));
        }
        out
    }

    fn relations(&self) -> &[Relation] {
        &RELATIONS
    }
}

/// Says how sector-or-district values were read, when there were any.
fn reading_note(reading: Reading, forms: [u64; 3]) -> Option<String> {
    let [sectors, districts, either] = forms;
    (either > 0).then(|| {
        let how = match reading {
            Reading::Sector => "read as sectors",
            Reading::District => "read as districts",
            Reading::Either => "placed only where the tables hold one reading",
        };
        format!(
            "{either} values such as BA12 (sector BA1 2 or district BA12) {how}: the authority's other values hold {sectors} sectors and {districts} districts"
        )
    })
}

/// Postcode lookups for one authority: each distinct postcode is looked up
/// once, and each child's episode open at a 31 March is derived once.
#[derive(Debug, Default)]
struct Lookups {
    /// By [`memo_key`].
    resolved: FxHashMap<u64, Resolved>,
    /// The current child's episodes (index in its episodes) open at a 31
    /// March, derived.
    derived: Vec<(usize, Derived)>,
}

impl Lookups {
    fn resolve(&mut self, index: &PostcodeIndex, reading: Reading, pc: &Postcode) -> Resolved {
        *self
            .resolved
            .entry(memo_key(pc))
            .or_insert_with(|| index.resolve_as(pc, reading))
    }
}

/// A postcode as one number: its compact bytes (at most 7) and its kind in
/// the top byte. Distinct postcodes have distinct keys; a `u64` hashes in one
/// multiplication.
fn memo_key(pc: &Postcode) -> u64 {
    let mut b = [0u8; 8];
    let c = pc.as_bytes();
    let n = c.len().min(7);
    b[..n].copy_from_slice(&c[..n]);
    b[7] = match pc.kind() {
        PostcodeKind::Unit => 1,
        PostcodeKind::Sector => 2,
        PostcodeKind::District => 3,
        PostcodeKind::SectorOrDistrict => 4,
    };
    u64::from_le_bytes(b)
}

impl PlacementDistance {
    /// Counts every child of the cohort into every year's tally, in one walk.
    fn tally(
        &self,
        cohort: &Cohort,
        reading: Reading,
        own: Option<&OwnArea>,
        opts: &Options,
        plans: &mut [YearPlan],
    ) {
        let (Some(lo), Some(hi)) = (
            plans.iter().map(|p| p.start).min(),
            plans.iter().map(|p| p.end).max(),
        ) else {
            return;
        };
        let episodes = cohort.episodes();
        let mut lookups = Lookups::default();
        for c in cohort.iter_children() {
            // A child matters only through a placement overlapping a year.
            let Some(first) = c.placements.first() else {
                continue;
            };
            if first.start > hi || c.placements.iter().all(|p| p.end.is_some_and(|e| e < lo)) {
                continue;
            }
            lookups.derived.clear();
            let uasc = c.child.uasc.is_some();
            let derive_episode = |lookups: &mut Lookups, e: &Episode| {
                let home = e
                    .home_post
                    .as_ref()
                    .map(|p| lookups.resolve(&self.index, reading, p));
                let placement = e
                    .pl_post
                    .as_ref()
                    .map(|p| lookups.resolve(&self.index, reading, p));
                derive_resolved(home, placement, uasc, own)
            };

            // New placements during each year (not short breaks, not temporary).
            for (i, p) in c.placements.iter().enumerate() {
                let Some(plan) = plans
                    .iter_mut()
                    .find(|pl| pl.start <= p.start && p.start <= pl.end)
                else {
                    continue;
                };
                if p.is_temporary() || is_return(c.placements, i) {
                    continue;
                }
                let Some(first) = episodes.get(p.episodes.start as usize) else {
                    continue;
                };
                if first.is_short_break() {
                    continue;
                }
                let d = derive_episode(&mut lookups, first);
                let t = &mut plan.tally;
                let slot = match (d.distance_tenths, d.location) {
                    (None, _) => 4,
                    (Some(_), None) => 5,
                    (Some(tenths), Some(l)) => {
                        let over = usize::from(opts.distance_slot(Some(tenths)) == 1);
                        loc_slot(Some(l)) * 2 + over
                    }
                };
                let approx = approx_bits(&d);
                t.new_total.add(approx.0 | approx.1);
                t.new[slot].add(approx.0 | approx.1);
            }

            // Children looked after at each 31 March.
            for plan in plans.iter_mut() {
                let end = plan.end;
                let Some(k) = c.episodes.iter().rposition(|e| e.open_on(end)) else {
                    continue;
                };
                let e = &c.episodes[k];
                if e.is_short_break() {
                    continue;
                }
                let d = match lookups.derived.iter().find(|(j, _)| *j == k) {
                    Some((_, d)) => *d,
                    None => {
                        let d = derive_episode(&mut lookups, e);
                        lookups.derived.push((k, d));
                        d
                    }
                };
                count_at_31_march(&mut plan.tally, opts, e, &d);
            }
        }
    }
}

/// The centroid bits behind a derived distance and location.
fn approx_bits(d: &Derived) -> (u8, u8) {
    let pl = centroid_bits(precision(d.placement));
    let dist = if d.distance_approximate {
        centroid_bits(precision(d.home)) | pl
    } else {
        0
    };
    let loc = if d.location_approximate { pl } else { 0 };
    (dist, loc)
}

/// Counts one child looked after at 31 March, in episode `e`.
fn count_at_31_march(t: &mut Tally, opts: &Options, e: &Episode, d: &Derived) {
    t.cla += 1;
    let ds = opts.distance_slot(d.distance_tenths);
    let ls = loc_slot(d.location);
    let (ad, al) = approx_bits(d);
    t.dist[ds].add(ad);
    t.loc[ls].add(al);
    t.loc_dist[ls][ds].add(ad | al);
    let band = opts.band_slot(d.distance_tenths);
    if let Some(cell) = t.bands.get_mut(band) {
        cell.add(ad);
    }
    let g = group_slot(e.place.map(|p| p.group()));
    t.group_n[g] += 1;
    t.group_dist[g][ds].add(ad);
    if let Some(r) = d.not_known {
        t.reasons[derive::not_known_slot(r)] += 1;
    }
    for (i, (pc, r)) in [(&e.home_post, d.home), (&e.pl_post, d.placement)]
        .into_iter()
        .enumerate()
    {
        let res = Resolution::of(pc.as_ref(), r);
        if matches!(res, Resolution::NotFound | Resolution::Ambiguous) {
            t.not_found[i] += 1;
        }
        t.resolution[i][res as usize] += 1;
    }
    if ad | al != 0 {
        t.approx_children += 1;
    }
    if let Some(tenths) = d.distance_tenths {
        t.tenths.push(tenths);
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

/// Adds the centroid notes a count rests on.
fn approx(row: MetricRow, bits: u8) -> MetricRow {
    let row = if bits & SECTOR != 0 {
        row.note(APPROXIMATE)
    } else {
        row
    };
    if bits & DISTRICT != 0 {
        row.note(APPROXIMATE_DISTRICT)
    } else {
        row
    }
}

fn rows(
    ctx: &MetricContext<'_>,
    opts: &Options,
    own: Option<&OwnArea>,
    t: &Tally,
    reading_note: Option<&str>,
) -> Vec<MetricRow> {
    let r = |measure: &str, period: Period| row(&SPEC, ctx, measure, period);
    let snap = |measure: &str| r(measure, Period::Snapshot);
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
    let any = |cells: &[Cell]| cells.iter().fold(0, |a, c| a | c.approx);
    let mut out = Vec::with_capacity(80);
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
                    .with_breakdown(Breakdown::new(&[("location", label), ("distance", dlabel)]))
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
                    .with_breakdown(Breakdown::new(&[
                        ("placement_group", glabel),
                        ("distance", dlabel),
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
    let with_reading = |row: MetricRow| match reading_note {
        Some(n) => row.note(n),
        None => row,
    };
    out.push(with_reading(
        snap("postcodes-not-found")
            .count(t.not_found.iter().sum())
            .note(nf_note),
    ));
    for (field, &n) in ["HOME_POST", "PL_POST"].iter().zip(&t.not_found) {
        out.push(with_reading(
            snap("postcodes-not-found")
                .with_breakdown(Breakdown::one("field", *field))
                .count(n)
                .note(nf_note),
        ));
    }

    // postcode-resolution
    let values: u64 = t.resolution.iter().flatten().sum();
    out.push(with_reading(snap("postcode-resolution").count(values)));
    for (field, counts) in ["HOME_POST", "PL_POST"].iter().zip(&t.resolution) {
        for (res, &n) in Resolution::ALL.iter().zip(counts) {
            out.push(with_reading(
                snap("postcode-resolution")
                    .with_breakdown(Breakdown::new(&[
                        ("field", field),
                        ("resolution", res.label()),
                    ]))
                    .count(n),
            ));
        }
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
