//! PL_DISTANCE, PL_LA and PL_LOCATION for one episode, as the DfE derives
//! them from HOME_POST and PL_POST (spec §2.2, §7).

use iro_domain::{LaCode, Postcode};
use iro_metric_api::Reference;
use iro_postcodes::{
    Country, Grid, Location, OnsCode, PostcodeIndex, Precision, Reading, Resolved,
    dfe_distance_tenths,
};

/// Why PL_DISTANCE cannot be computed (DfE: 999.9, or blank for UASC).
/// Listed in the order they are tested: a child gets the first that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NotKnown {
    /// UASC, or formerly UASC: the DfE leaves the distance blank (rule 406).
    Uasc,
    HomeNotRecorded,
    PlacementNotRecorded,
    /// HOME_POST is not in the postcode directory (nor its sector), or could
    /// be a sector or a district and the tables hold both.
    HomeNotFound,
    /// HOME_POST is in Wales, Scotland, Northern Ireland, the Channel Islands
    /// or the Isle of Man (DfE: 999.9 when the home is outside England).
    HomeOutsideEngland,
    /// HOME_POST is known but has no grid reference (some terminated postcodes).
    HomeNoGridReference,
    /// PL_POST is not in the postcode directory (nor its sector), or could
    /// be a sector or a district and the tables hold both.
    PlacementNotFound,
    /// PL_POST is in Northern Ireland (Irish Grid: not comparable with an
    /// English home), the Channel Islands or the Isle of Man (no grid
    /// reference), or has no grid reference.
    PlacementNoGridReference,
}

impl NotKnown {
    pub const ALL: [NotKnown; 8] = [
        NotKnown::Uasc,
        NotKnown::HomeNotRecorded,
        NotKnown::PlacementNotRecorded,
        NotKnown::HomeNotFound,
        NotKnown::HomeOutsideEngland,
        NotKnown::HomeNoGridReference,
        NotKnown::PlacementNotFound,
        NotKnown::PlacementNoGridReference,
    ];

    pub fn label(self) -> &'static str {
        match self {
            NotKnown::Uasc => "UASC or formerly UASC",
            NotKnown::HomeNotRecorded => "home postcode not recorded",
            NotKnown::PlacementNotRecorded => "placement postcode not recorded",
            NotKnown::HomeNotFound => "home postcode not found",
            NotKnown::HomeOutsideEngland => "home postcode outside England",
            NotKnown::HomeNoGridReference => "home postcode has no grid reference",
            NotKnown::PlacementNotFound => "placement postcode not found",
            NotKnown::PlacementNoGridReference => {
                "placement in Northern Ireland, Channel Islands or Isle of Man, or without a grid reference"
            }
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// PL_LA: the upper-tier authority of the placement (ONS code), or the
/// country code the DfE uses outside England.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlLa {
    /// An English upper-tier authority (April 2023 boundaries).
    Authority(OnsCode),
    Scotland,
    Wales,
    NorthernIreland,
    /// Channel Islands or Isle of Man (ONS pseudo-code).
    CrownDependency(OnsCode),
}

impl PlLa {
    /// As the DfE validator writes PL_LA: the ONS UTLA code, or `SCO`, `WAL`,
    /// `NIR`; the Channel Islands and Isle of Man keep the ONS pseudo-code.
    pub fn code(&self) -> &str {
        match self {
            PlLa::Authority(c) | PlLa::CrownDependency(c) => c.as_str(),
            PlLa::Scotland => "SCO",
            PlLa::Wales => "WAL",
            PlLa::NorthernIreland => "NIR",
        }
    }
}

/// PL_LOCATION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InOut {
    /// Inside the responsible authority's boundary.
    In,
    Out,
}

/// The authority's own area: the ONS codes of the upper-tier area(s) that
/// make it up, in the postcode directory's (April 2023) geography.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnArea {
    codes: Vec<OnsCode>,
    /// Set when the authority no longer exists and its area is taken as its
    /// successors' (e.g. Cumbria 909 = Cumberland + Westmorland and Furness).
    pub via_successors: Option<String>,
}

impl OwnArea {
    /// The area of DfE authority `la` from the reference data: its current ONS
    /// code and any former ones (North Yorkshire 815 is `E06000065`, formerly
    /// `E10000023`; Somerset 933 `E06000066`, formerly `E10000027`), and for an
    /// abolished authority its successors' codes.
    pub fn of(reference: &Reference, la: LaCode) -> Option<Self> {
        let rec = reference.la_record(la)?;
        let mut codes: Vec<OnsCode> = std::iter::once(&rec.identity.ons_code)
            .chain(&rec.former_ons_codes)
            .filter_map(|c| OnsCode::parse(c))
            .collect();
        let mut via = None;
        if rec.valid_to.is_some() && !rec.successors.is_empty() {
            let mut names = Vec::new();
            for s in &rec.successors {
                if let Some(id) = reference.la(*s) {
                    codes.extend(OnsCode::parse(&id.ons_code));
                    names.push(format!("{} {}", id.code, id.name));
                }
            }
            via = Some(names.join(", "));
        }
        (!codes.is_empty()).then_some(OwnArea {
            codes,
            via_successors: via,
        })
    }

    /// An area made of the given upper-tier codes.
    pub fn from_codes(codes: impl IntoIterator<Item = OnsCode>) -> Self {
        OwnArea {
            codes: codes.into_iter().collect(),
            via_successors: None,
        }
    }

    pub fn contains(&self, utla: OnsCode) -> bool {
        self.codes.contains(&utla)
    }
}

/// The derived fields for one episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Derived {
    /// PL_DISTANCE in tenths of a mile; `None` = not known (999.9 or blank).
    pub distance_tenths: Option<u32>,
    /// Why the distance is not known.
    pub not_known: Option<NotKnown>,
    pub pl_la: Option<PlLa>,
    /// `None` when the placement postcode is missing or not found, or the
    /// authority's own area is not known.
    pub location: Option<InOut>,
    /// The distance was computed from at least one sector or district
    /// centroid.
    pub distance_approximate: bool,
    /// The location came from the placement's sector or district centroid.
    pub location_approximate: bool,
    pub home: Option<Resolved>,
    pub placement: Option<Resolved>,
}

impl Derived {
    /// PL_DISTANCE as the DfE return holds it: miles to 1 dp, 999.9 when not
    /// known — except for UASC, where it is blank (`None`).
    pub fn pl_distance(&self) -> Option<f64> {
        match (self.distance_tenths, self.not_known) {
            (Some(t), _) => Some(f64::from(t) / 10.0),
            (None, Some(NotKnown::Uasc)) => None,
            (None, _) => Some(999.9),
        }
    }
}

/// Derives PL_DISTANCE, PL_LA and PL_LOCATION for an episode.
/// `uasc`: the child is or was UASC. A value such as `BA12` that could be a
/// sector or a district is placed only when the tables hold one reading of
/// it ([`derive_as`] takes a reading).
pub fn derive(
    index: &PostcodeIndex,
    home_post: Option<&Postcode>,
    pl_post: Option<&Postcode>,
    uasc: bool,
    own: Option<&OwnArea>,
) -> Derived {
    derive_as(index, Reading::Either, home_post, pl_post, uasc, own)
}

/// [`derive`], reading a value that could be a sector or a district as
/// `reading` says.
pub fn derive_as(
    index: &PostcodeIndex,
    reading: Reading,
    home_post: Option<&Postcode>,
    pl_post: Option<&Postcode>,
    uasc: bool,
    own: Option<&OwnArea>,
) -> Derived {
    let home = home_post.map(|p| index.resolve_as(p, reading));
    let placement = pl_post.map(|p| index.resolve_as(p, reading));
    derive_resolved(home, placement, uasc, own)
}

/// [`derive`] from postcodes already looked up (`None`: not recorded).
pub fn derive_resolved(
    home: Option<Resolved>,
    placement: Option<Resolved>,
    uasc: bool,
    own: Option<&OwnArea>,
) -> Derived {
    // Location, from the placement alone (UASC children have one too).
    let pl_lad = match placement {
        Some(Resolved::Found(l)) => l.lad,
        Some(Resolved::NoCoordinates { lad, .. }) => lad,
        _ => None,
    };
    let pl_precision = precision(placement);
    let pl_utla = placement.and_then(|r| r.location()).and_then(|l| l.utla);
    let pl_la = pl_lad.and_then(|lad| match lad.country() {
        Country::England => pl_utla.map(PlLa::Authority),
        Country::Scotland => Some(PlLa::Scotland),
        Country::Wales => Some(PlLa::Wales),
        Country::NorthernIreland => Some(PlLa::NorthernIreland),
        Country::ChannelIslands | Country::IsleOfMan => Some(PlLa::CrownDependency(lad)),
        Country::Unknown => None,
    });
    let location = match pl_la {
        Some(PlLa::Authority(utla)) => own.map(|a| {
            if a.contains(utla) {
                InOut::In
            } else {
                InOut::Out
            }
        }),
        Some(_) => Some(InOut::Out),
        None => None,
    };
    let location_approximate =
        location.is_some() && pl_precision.is_some_and(Precision::is_approximate);

    let (distance_tenths, not_known, distance_approximate) = match distance(home, placement, uasc) {
        Ok((t, approx)) => (Some(t), None, approx),
        Err(reason) => (None, Some(reason), false),
    };
    Derived {
        distance_tenths,
        not_known,
        pl_la,
        location,
        distance_approximate,
        location_approximate,
        home,
        placement,
    }
}

/// The precision of a postcode found in the tables.
pub fn precision(r: Option<Resolved>) -> Option<Precision> {
    match r {
        Some(Resolved::Found(l)) => Some(l.precision),
        Some(Resolved::NoCoordinates { precision, .. }) => Some(precision),
        _ => None,
    }
}

fn distance(
    home: Option<Resolved>,
    placement: Option<Resolved>,
    uasc: bool,
) -> Result<(u32, bool), NotKnown> {
    if uasc {
        return Err(NotKnown::Uasc);
    }
    let Some(home) = home else {
        return Err(NotKnown::HomeNotRecorded);
    };
    let Some(placement) = placement else {
        return Err(NotKnown::PlacementNotRecorded);
    };
    let home: Location = match home {
        Resolved::Found(l) if l.country() == Country::England => l,
        Resolved::Found(l) if l.country() == Country::Unknown => {
            return Err(NotKnown::HomeNotFound);
        }
        Resolved::Found(_) => return Err(NotKnown::HomeOutsideEngland),
        Resolved::NoCoordinates { lad, .. } => {
            return Err(match lad.map(|l| l.country()) {
                Some(Country::England) | None => NotKnown::HomeNoGridReference,
                Some(_) => NotKnown::HomeOutsideEngland,
            });
        }
        Resolved::NotFound | Resolved::Ambiguous => return Err(NotKnown::HomeNotFound),
    };
    let pl = match placement {
        Resolved::Found(l) if l.grid == Grid::Gb => l,
        Resolved::Found(_) | Resolved::NoCoordinates { .. } => {
            return Err(NotKnown::PlacementNoGridReference);
        }
        Resolved::NotFound | Resolved::Ambiguous => return Err(NotKnown::PlacementNotFound),
    };
    let approx = home.precision.is_approximate() || pl.precision.is_approximate();
    dfe_distance_tenths(&home, &pl)
        .map(|t| (t, approx))
        .ok_or(NotKnown::PlacementNoGridReference)
}

/// Counts by [`NotKnown`], in [`NotKnown::ALL`] order.
pub(crate) fn not_known_slot(n: NotKnown) -> usize {
    n.index()
}
