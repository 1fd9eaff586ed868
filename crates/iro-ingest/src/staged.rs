//! Rows as read from one file, before the authority's tables are merged. Child
//! references are indices into the file's own list of CHILD strings until the
//! merge maps them onto the authority's children.

use chrono::NaiveDate;
use iro_domain::*;

/// A Header row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeaderRow {
    pub child: ChildIdx,
    pub sex: Option<Sex>,
    pub dob: Option<NaiveDate>,
    pub ethnic: Option<Ethnicity>,
    pub upn: Option<Box<str>>,
    pub mother: Option<bool>,
    pub mc_dob: Option<NaiveDate>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// A UASC row (its DOB is in [`Staged::dob`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UascRow {
    pub child: ChildIdx,
    pub sex: Option<Sex>,
    pub duc: Option<NaiveDate>,
    pub year: CollectionYear,
    pub source: SourceRef,
}

/// A row with what the merge needs besides the row itself.
#[derive(Debug, Clone)]
pub(crate) struct Staged<T> {
    pub row: T,
    /// DOB as given in this table (for the cross-table DOB checks).
    pub dob: Option<NaiveDate>,
}

/// Access to the child, year and origin every staged row has.
pub(crate) trait Row {
    fn child(&self) -> ChildIdx;
    fn set_child(&mut self, c: ChildIdx);
    fn year(&self) -> CollectionYear;
    fn source(&self) -> SourceRef;
}

macro_rules! impl_row {
    ($($t:ty),+) => {$(
        impl Row for $t {
            fn child(&self) -> ChildIdx { self.child }
            fn set_child(&mut self, c: ChildIdx) { self.child = c }
            fn year(&self) -> CollectionYear { self.year }
            fn source(&self) -> SourceRef { self.source }
        }
    )+};
}

impl_row!(
    HeaderRow,
    UascRow,
    Episode,
    Review,
    MissingSpell,
    PrevPerm,
    SwEpisode,
    DeprivationOfLiberty,
    Oc2,
    Oc3,
    RawRow
);

/// The rows of one file.
#[derive(Debug)]
pub(crate) enum TableRows {
    Header(Vec<Staged<HeaderRow>>),
    Episodes(Vec<Staged<Episode>>),
    Reviews(Vec<Staged<Review>>),
    Uasc(Vec<Staged<UascRow>>),
    Oc2(Vec<Staged<Oc2>>),
    Oc3(Vec<Staged<Oc3>>),
    Ad1(Vec<Staged<RawRow>>),
    PlacedAdoption(Vec<Staged<RawRow>>),
    PrevPerm(Vec<Staged<PrevPerm>>),
    Missing(Vec<Staged<MissingSpell>>),
    SwEpisodes(Vec<Staged<SwEpisode>>),
    DoLo(Vec<Staged<DeprivationOfLiberty>>),
}

impl TableRows {
    /// Empty rows of `table`, with room for `n`.
    pub fn with_capacity(table: TableKind, n: usize) -> Self {
        let n = n.min(1 << 24);
        match table {
            TableKind::Header => TableRows::Header(Vec::with_capacity(n)),
            TableKind::Episodes => TableRows::Episodes(Vec::with_capacity(n)),
            TableKind::Reviews => TableRows::Reviews(Vec::with_capacity(n)),
            TableKind::Uasc => TableRows::Uasc(Vec::with_capacity(n)),
            TableKind::Oc2 => TableRows::Oc2(Vec::with_capacity(n)),
            TableKind::Oc3 => TableRows::Oc3(Vec::with_capacity(n)),
            TableKind::Ad1 => TableRows::Ad1(Vec::with_capacity(n)),
            TableKind::PlacedAdoption => TableRows::PlacedAdoption(Vec::with_capacity(n)),
            TableKind::PrevPerm => TableRows::PrevPerm(Vec::with_capacity(n)),
            TableKind::Missing => TableRows::Missing(Vec::with_capacity(n)),
            TableKind::SwEpisodes => TableRows::SwEpisodes(Vec::with_capacity(n)),
            TableKind::DoLo => TableRows::DoLo(Vec::with_capacity(n)),
        }
    }
}

/// The CHILD identifiers of one file, stored end to end (index = the
/// file-local child index).
#[derive(Debug, Clone, Default)]
pub(crate) struct IdList {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl IdList {
    pub fn reserve(&mut self, n: usize) {
        self.ends.reserve(n);
        self.bytes.reserve(n.saturating_mul(8));
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn push(&mut self, id: &[u8]) {
        self.bytes.extend_from_slice(id);
        self.ends.push(self.bytes.len());
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1],
        };
        self.bytes.get(start..end)
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let id = self.bytes.get(start..end).unwrap_or_default();
            start = end;
            id
        })
    }
}

/// A CHILD identifier, stored inline when short (no allocation for the usual
/// 6–10 character identifiers).
#[derive(Clone)]
pub(crate) enum IdBuf {
    Inline { len: u8, bytes: [u8; 22] },
    Heap(Box<[u8]>),
}

impl IdBuf {
    pub fn new(s: &[u8]) -> Self {
        if s.len() <= 22 {
            let mut bytes = [0u8; 22];
            bytes[..s.len()].copy_from_slice(s);
            IdBuf::Inline {
                len: s.len() as u8,
                bytes,
            }
        } else {
            IdBuf::Heap(s.into())
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            IdBuf::Inline { len, bytes } => &bytes[..*len as usize],
            IdBuf::Heap(b) => b,
        }
    }

    /// As text (CHILD values are checked to be UTF-8 when read).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

impl std::fmt::Debug for IdBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

// An identifier of up to 22 bytes is always inline, so equal identifiers have
// the same variant and the fixed-size arrays can be compared and hashed whole.
impl PartialEq for IdBuf {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (IdBuf::Inline { len: a, bytes: x }, IdBuf::Inline { len: b, bytes: y }) => {
                a == b && x == y
            }
            (IdBuf::Heap(x), IdBuf::Heap(y)) => x == y,
            _ => false,
        }
    }
}

impl Eq for IdBuf {}

impl std::hash::Hash for IdBuf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            IdBuf::Inline { len, bytes } => {
                state.write_u8(*len);
                state.write(bytes);
            }
            IdBuf::Heap(b) => state.write(b),
        }
    }
}

/// Same content, ignoring the child, year and origin: tells an exact copy
/// (`row.duplicate`) from a clash of keys (`row.duplicate_key`).
pub(crate) trait SameContent {
    fn same_content(&self, other: &Self) -> bool;
}

macro_rules! same_content {
    ($($t:ty => [$($f:ident),*]);+ $(;)?) => {$(
        impl SameContent for $t {
            fn same_content(&self, o: &Self) -> bool {
                true $(&& self.$f == o.$f)*
            }
        }
    )+};
}

same_content! {
    HeaderRow => [sex, dob, ethnic, upn, mother, mc_dob];
    UascRow => [sex, duc];
    Episode => [decom, rne, ls, cin, place, place_provider, dec, rec, reason_place_change, home_post, pl_post, urn];
    Review => [review, review_code];
    MissingSpell => [missing, mis_start, mis_end];
    PrevPerm => [prev_perm, la_perm, date_perm];
    SwEpisode => [sw_id, sw_decom, sw_dec, sw_reason];
    DeprivationOfLiberty => [dolo_start, dolo_end];
    Oc2 => [sdq_score, sdq_reason, convicted, health_check, immunisations, teeth_check, health_assessment, substance_misuse, intervention_received, intervention_offered];
    Oc3 => [in_touch, activ, accom];
    RawRow => [values];
}

impl<T: SameContent> Staged<T> {
    pub fn same_content(&self, o: &Self) -> bool {
        self.dob == o.dob && self.row.same_content(&o.row)
    }
}

/// A cheap stand-in value, left behind when a row is moved out of a vector.
pub(crate) trait Placeholder {
    fn placeholder() -> Self;
}

const NO_DATE: NaiveDate = NaiveDate::MIN;
const NO_SOURCE: SourceRef = SourceRef { file: 0, line: 0 };
const NO_YEAR: CollectionYear = CollectionYear(0);

impl Placeholder for HeaderRow {
    fn placeholder() -> Self {
        HeaderRow {
            child: ChildIdx(0),
            sex: None,
            dob: None,
            ethnic: None,
            upn: None,
            mother: None,
            mc_dob: None,
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl Placeholder for UascRow {
    fn placeholder() -> Self {
        UascRow {
            child: ChildIdx(0),
            sex: None,
            duc: None,
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl Placeholder for Episode {
    fn placeholder() -> Self {
        Episode {
            child: ChildIdx(0),
            decom: NO_DATE,
            rne: ReasonNewEpisode::S,
            ls: LegalStatus::C1,
            cin: None,
            place: None,
            place_provider: None,
            dec: None,
            rec: None,
            reason_place_change: None,
            home_post: None,
            pl_post: None,
            urn: None,
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl Placeholder for Review {
    fn placeholder() -> Self {
        Review {
            child: ChildIdx(0),
            review: NO_DATE,
            review_code: None,
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl Placeholder for MissingSpell {
    fn placeholder() -> Self {
        MissingSpell {
            child: ChildIdx(0),
            missing: MissingType::Missing,
            mis_start: NO_DATE,
            mis_end: None,
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl Placeholder for PrevPerm {
    fn placeholder() -> Self {
        PrevPerm {
            child: ChildIdx(0),
            prev_perm: Box::default(),
            la_perm: None,
            date_perm: None,
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl Placeholder for SwEpisode {
    fn placeholder() -> Self {
        SwEpisode {
            child: ChildIdx(0),
            sw_id: Box::default(),
            sw_decom: NO_DATE,
            sw_dec: None,
            sw_reason: None,
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl Placeholder for DeprivationOfLiberty {
    fn placeholder() -> Self {
        DeprivationOfLiberty {
            child: ChildIdx(0),
            dolo_start: NO_DATE,
            dolo_end: None,
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl Placeholder for Oc2 {
    fn placeholder() -> Self {
        Oc2 {
            child: ChildIdx(0),
            sdq_score: None,
            sdq_reason: None,
            convicted: None,
            health_check: None,
            immunisations: None,
            teeth_check: None,
            health_assessment: None,
            substance_misuse: None,
            intervention_received: None,
            intervention_offered: None,
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl Placeholder for Oc3 {
    fn placeholder() -> Self {
        Oc3 {
            child: ChildIdx(0),
            in_touch: Box::default(),
            activ: None,
            accom: None,
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl Placeholder for RawRow {
    fn placeholder() -> Self {
        RawRow {
            child: ChildIdx(0),
            values: Vec::new(),
            year: NO_YEAR,
            source: NO_SOURCE,
        }
    }
}

impl<T: Placeholder> Placeholder for Staged<T> {
    fn placeholder() -> Self {
        Staged {
            row: T::placeholder(),
            dob: None,
        }
    }
}
