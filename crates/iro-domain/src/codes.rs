//! SSDA903 code lists as enums. Each enum parses the code as written in the return
//! (after trimming and upper-casing) and prints it back unchanged, so SSDA903 field
//! values survive a round trip. Meanings are abridged from the DfE guidance.

use serde::{Deserialize, Serialize};

/// Defines a code-list enum with `parse`, `code`, `meaning` and `ALL`.
macro_rules! code_list {
    (
        $(#[$meta:meta])*
        $name:ident { $( $variant:ident = $code:literal : $meaning:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( #[doc = $meaning] #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every code in the list, in DfE order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Parses a code as written in an SSDA903 file. Surrounding spaces and
            /// lower case are accepted; anything else is `None`.
            pub fn parse(raw: &str) -> Option<Self> {
                let t = raw.trim();
                $( if t.eq_ignore_ascii_case($code) { return Some($name::$variant); } )+
                None
            }

            /// The code as the DfE writes it.
            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code, )+ }
            }

            /// The DfE meaning, abridged.
            pub fn meaning(self) -> &'static str {
                match self { $( $name::$variant => $meaning, )+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_list! {
    /// LS: legal status (spec §3.4).
    LegalStatus {
        C1 = "C1": "Interim care order",
        C2 = "C2": "Full care order",
        D1 = "D1": "Freeing order granted",
        E1 = "E1": "Placement order granted",
        V2 = "V2": "Single period of accommodation under section 20",
        V3 = "V3": "Agreed series of short-term breaks, individual episodes recorded",
        V4 = "V4": "Agreed series of short-term breaks, agreement recorded",
        L1 = "L1": "Under police protection and in local authority accommodation",
        L2 = "L2": "Emergency protection order",
        L3 = "L3": "Under child assessment order and in local authority accommodation",
        J1 = "J1": "Remanded to local authority accommodation or youth detention accommodation",
        J2 = "J2": "Placed in local authority accommodation under PACE",
        J3 = "J3": "Youth rehabilitation order with residence or intensive fostering requirement",
    }
}

impl LegalStatus {
    /// Short breaks (V3/V4), which DfE statistics leave out.
    pub fn is_short_break(self) -> bool {
        matches!(self, LegalStatus::V3 | LegalStatus::V4)
    }

    /// The group used in DfE tables of legal status at 31 March.
    pub fn group(self) -> LegalStatusGroup {
        use LegalStatusGroup as G;
        match self {
            LegalStatus::C1 | LegalStatus::C2 => G::CareOrder,
            LegalStatus::D1 | LegalStatus::E1 => G::PlacementOrder,
            LegalStatus::V2 => G::Section20,
            LegalStatus::V3 | LegalStatus::V4 => G::ShortBreaks,
            LegalStatus::L1 | LegalStatus::L2 | LegalStatus::L3 => G::EmergencyOrder,
            LegalStatus::J1 | LegalStatus::J2 | LegalStatus::J3 => G::YouthJustice,
        }
    }

    /// Interim (C1) or full (C2) care order.
    pub fn is_care_order(self) -> bool {
        self.group() == LegalStatusGroup::CareOrder
    }

    /// The DfE's groups with care orders interim and full apart
    /// ([`INTERIM_CARE_ORDER`], [`FULL_CARE_ORDER`]; every other status its
    /// group's label): the legal status of `cohort-summary.age-legal-status`.
    pub fn group_with_care_orders_apart(self) -> &'static str {
        match self {
            LegalStatus::C1 => INTERIM_CARE_ORDER,
            LegalStatus::C2 => FULL_CARE_ORDER,
            other => other.group().label(),
        }
    }
}

/// An interim care order (C1), where care orders are shown interim and full
/// apart ([`LegalStatus::group_with_care_orders_apart`]).
pub const INTERIM_CARE_ORDER: &str = "Interim care order (C1)";
/// A full care order (C2), where care orders are shown interim and full apart.
pub const FULL_CARE_ORDER: &str = "Full care order (C2)";

/// Groups of legal status, as in DfE tables of legal status at 31 March.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LegalStatusGroup {
    /// C1, C2.
    CareOrder,
    /// D1 (freeing order), E1.
    PlacementOrder,
    /// V2: voluntary agreement under section 20.
    Section20,
    /// V3, V4 (not looked after in the DfE's counts).
    ShortBreaks,
    /// L1, L2, L3.
    EmergencyOrder,
    /// J1, J2, J3.
    YouthJustice,
}

impl LegalStatusGroup {
    pub const ALL: [LegalStatusGroup; 6] = [
        Self::CareOrder,
        Self::PlacementOrder,
        Self::Section20,
        Self::ShortBreaks,
        Self::EmergencyOrder,
        Self::YouthJustice,
    ];

    /// The label of the `legal_status` breakdown (`metrics.csv`).
    pub const fn label(self) -> &'static str {
        match self {
            Self::CareOrder => "Care order",
            Self::PlacementOrder => "Placement order",
            Self::Section20 => "Voluntary agreement (s20)",
            Self::ShortBreaks => "Short breaks",
            Self::EmergencyOrder => "Emergency orders",
            Self::YouthJustice => "Youth justice",
        }
    }
}

impl std::fmt::Display for LegalStatusGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

code_list! {
    /// RNE: reason for new episode (spec §3.5).
    ReasonNewEpisode {
        S = "S": "Started to be looked after",
        L = "L": "Change of legal status only",
        P = "P": "Change of placement and carer only",
        T = "T": "Change of placement, same carer",
        B = "B": "Change of legal status and placement and carer at the same time",
        U = "U": "Change of legal status and placement, same carer",
    }
}

impl ReasonNewEpisode {
    /// P and B: the child moves to a different carer.
    pub fn is_new_carer(self) -> bool {
        matches!(self, Self::P | Self::B)
    }
    /// T and U: the placement changes but the carer stays the same.
    pub fn is_same_carer_move(self) -> bool {
        matches!(self, Self::T | Self::U)
    }
}

code_list! {
    /// CIN: category of need at the start of the period of care (spec §3.6).
    CategoryOfNeed {
        N1 = "N1": "Abuse or neglect",
        N2 = "N2": "Child's disability",
        N3 = "N3": "Parental illness or disability",
        N4 = "N4": "Family in acute stress",
        N5 = "N5": "Family dysfunction",
        N6 = "N6": "Socially unacceptable behaviour",
        N7 = "N7": "Low income",
        N8 = "N8": "Absent parenting",
    }
}

code_list! {
    /// PLACE: placement type (spec §3.7).
    PlacementType {
        A3 = "A3": "Placed for adoption with consent with current foster carer(s)",
        A4 = "A4": "Placed for adoption with consent not with current foster carer(s)",
        A5 = "A5": "Placed for adoption with placement order with current foster carer(s)",
        A6 = "A6": "Placed for adoption with placement order not with current foster carer(s)",
        H5 = "H5": "Semi-independent living accommodation not subject to children's homes regulations",
        K1 = "K1": "Secure children's home",
        K2 = "K2": "Children's home subject to Children's Homes Regulations",
        K3 = "K3": "Registered supported accommodation",
        P1 = "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
        P2 = "P2": "Independent living",
        P3 = "P3": "Residential employment",
        R1 = "R1": "Residential care home",
        R2 = "R2": "NHS/health trust or other establishment providing medical or nursing care",
        R3 = "R3": "Family centre or mother and baby unit",
        R5 = "R5": "Young offender institution",
        S1 = "S1": "Residential school not dual-registered as a children's home",
        T0 = "T0": "Temporary move of any type",
        T1 = "T1": "Temporary periods in hospital",
        T2 = "T2": "Temporary absence of the child on holiday",
        T3 = "T3": "Temporary accommodation whilst normal foster carer on holiday",
        T4 = "T4": "Temporary accommodation of seven days or less for any other reason",
        U1 = "U1": "Foster placement with relative(s) or friend(s): long-term fostering",
        U2 = "U2": "Foster placement with relative(s) or friend(s) who are also approved adopters: fostering for adoption or concurrent planning",
        U3 = "U3": "Foster placement with relative(s) or friend(s): not long-term or fostering for adoption",
        U4 = "U4": "Foster placement with other foster carer(s): long-term fostering",
        U5 = "U5": "Foster placement with other foster carer(s) who are also approved adopters: fostering for adoption or concurrent planning",
        U6 = "U6": "Foster placement with other foster carer(s): not long-term or fostering for adoption",
        Z1 = "Z1": "Other placements",
        Z11 = "Z11": "Other placements (from 2025-26; DfE meaning not yet confirmed)",
        Z12 = "Z12": "Other placements (from 2025-26; DfE meaning not yet confirmed)",
        Z13 = "Z13": "Other placements (from 2025-26; DfE meaning not yet confirmed)",
        Z14 = "Z14": "Other placements (from 2025-26; DfE meaning not yet confirmed)",
    }
}

impl PlacementType {
    /// T0–T4: temporary placements, which neither start nor end a period of care
    /// and are not counted as placement moves.
    pub fn is_temporary(self) -> bool {
        matches!(self, Self::T0 | Self::T1 | Self::T2 | Self::T3 | Self::T4)
    }

    /// A3 and A5: placed for adoption with the current foster carer.
    pub fn is_adoption_with_current_carer(self) -> bool {
        matches!(self, Self::A3 | Self::A5)
    }

    /// Placed for adoption (A3–A6).
    pub fn is_placed_for_adoption(self) -> bool {
        matches!(self, Self::A3 | Self::A4 | Self::A5 | Self::A6)
    }

    /// The broad group used in DfE placement tables.
    pub fn group(self) -> PlacementGroup {
        use PlacementType::*;
        match self {
            U1 | U2 | U3 => PlacementGroup::FosterRelativeFriend,
            U4 | U5 | U6 => PlacementGroup::FosterOther,
            A3 | A4 | A5 | A6 => PlacementGroup::PlacedForAdoption,
            P1 => PlacementGroup::WithParents,
            H5 | K3 | P2 => PlacementGroup::IndependentLiving,
            K1 | K2 | R1 | S1 => PlacementGroup::Residential,
            R2 | R3 | R5 | P3 | Z1 | Z11 | Z12 | Z13 | Z14 => PlacementGroup::Other,
            T0 | T1 | T2 | T3 | T4 => PlacementGroup::Temporary,
        }
    }
}

/// Broad placement groups, as in DfE tables of placement at 31 March.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PlacementGroup {
    FosterRelativeFriend,
    FosterOther,
    PlacedForAdoption,
    WithParents,
    IndependentLiving,
    Residential,
    Other,
    Temporary,
}

impl PlacementGroup {
    /// A stable, human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            Self::FosterRelativeFriend => "Foster care with relatives or friends",
            Self::FosterOther => "Foster care with other carers",
            Self::PlacedForAdoption => "Placed for adoption",
            Self::WithParents => "Placed with parents or others with parental responsibility",
            Self::IndependentLiving => "Independent and semi-independent living",
            Self::Residential => "Secure units, children's homes and residential settings",
            Self::Other => "Other placements",
            Self::Temporary => "Temporary placements",
        }
    }
}

code_list! {
    /// PLACE_PROVIDER (spec §3.8).
    PlaceProvider {
        PR0 = "PR0": "Parent(s) or other person(s) with parental responsibility",
        PR1 = "PR1": "Own provision (by the local authority)",
        PR2 = "PR2": "Other local authority provision",
        PR3 = "PR3": "Other public provision (e.g. by a PCT etc)",
        PR4 = "PR4": "Private provision",
        PR5 = "PR5": "Voluntary/third sector provision",
    }
}

code_list! {
    /// REC: reason episode ceased (spec §3.9).
    ReasonEpisodeCeased {
        X1 = "X1": "Episode ceases, and new episode begins on same day, for any reason",
        E11 = "E11": "Adopted: application for an adoption order unopposed",
        E12 = "E12": "Adopted: consent dispensed with by the court",
        E2 = "E2": "Died",
        E3 = "E3": "Care taken over by another local authority in the UK",
        E4A = "E4A": "Returned home to live with parent(s) or other person(s) with parental responsibility as part of the care planning process",
        E4B = "E4B": "Returned home to live with parent(s) or other person(s) with parental responsibility which was not part of the current care planning process",
        E13 = "E13": "Left care to live with parent(s), relative(s), or other person(s) with no parental responsibility",
        E41 = "E41": "Residence order or child arrangement order granted",
        E43 = "E43": "Special guardianship order made to former foster carer(s) (before 2018-19)",
        E44 = "E44": "Special guardianship order made to carer(s) other than former foster carer(s) (before 2018-19)",
        E45 = "E45": "Special guardianship order made to former foster carer(s), who are relative(s) or friend(s)",
        E46 = "E46": "Special guardianship order made to former foster carer(s), other than relative(s) or friend(s)",
        E47 = "E47": "Special guardianship order made to carer(s), other than former foster carer(s), who are relative(s) or friend(s)",
        E48 = "E48": "Special guardianship order made to carer(s), other than former foster carer(s), other than relative(s) or friend(s)",
        E5 = "E5": "Moved into independent living arrangement and no longer looked-after: supportive accommodation providing formalised advice/support arrangements",
        E6 = "E6": "Moved into independent living arrangement and no longer looked-after: accommodation providing no formalised advice/support arrangements",
        E7 = "E7": "Transferred to residential care funded by adult social care services",
        E8 = "E8": "Period of being looked-after ceased for any other reason",
        E9 = "E9": "Sentenced to custody",
        E14 = "E14": "Accommodation on remand ended",
        E15 = "E15": "Age assessment determined child is aged 18 or over",
        E16 = "E16": "Child moved abroad",
        E17 = "E17": "Aged 18 (or over) and remained with current carers",
    }
}

impl ReasonEpisodeCeased {
    /// Every code but X1 ends the period of care.
    pub fn ends_period_of_care(self) -> bool {
        self != Self::X1
    }

    /// The group used in reports of reasons for leaving care.
    pub fn leaving_group(self) -> &'static str {
        use ReasonEpisodeCeased::*;
        match self {
            X1 => "Not a leaving reason",
            E11 | E12 => "Adopted",
            E2 => "Died",
            E3 => "Care taken over by another local authority",
            E4A | E4B => "Returned home to parents or others with parental responsibility",
            E13 => {
                "Left care to live with parents, relatives or others without parental responsibility"
            }
            E41 => "Residence or child arrangements order",
            E43 | E44 | E45 | E46 | E47 | E48 => "Special guardianship order",
            E5 | E6 => "Moved into independent living",
            E7 => "Transferred to adult social care",
            E9 | E14 => "Custody or remand ended",
            E15 => "Age assessed as 18 or over",
            E16 => "Moved abroad",
            E17 => "Aged 18 and remained with current carers",
            E8 => "Other reason",
        }
    }
}

code_list! {
    /// REASON_PLACE_CHANGE (spec §3.14).
    ReasonPlaceChange {
        CARPL = "CARPL": "Change to/implementation of care plan",
        CLOSE = "CLOSE": "Resignation/closure of provision",
        ALLEG = "ALLEG": "Allegation (s47)",
        STAND = "STAND": "Standards of care concern",
        APPRR = "APPRR": "Approval removed",
        CREQB = "CREQB": "Carer requests placement end due to child's behaviour",
        CREQO = "CREQO": "Carer requests placement end for other reason",
        CHILD = "CHILD": "Child requests placement end",
        LAREQ = "LAREQ": "Responsible/area authority requests placement end",
        PLACE = "PLACE": "Change in the status of placement only",
        CUSTOD = "CUSTOD": "Custody arrangement",
        OTHER = "OTHER": "Other",
    }
}

code_list! {
    /// ETHNIC (spec §3.2).
    Ethnicity {
        WBRI = "WBRI": "White British",
        WIRI = "WIRI": "White Irish",
        WOTH = "WOTH": "Any other White background",
        WIRT = "WIRT": "Traveller of Irish heritage",
        WROM = "WROM": "Gypsy/Roma",
        MWBC = "MWBC": "White and Black Caribbean",
        MWBA = "MWBA": "White and Black African",
        MWAS = "MWAS": "White and Asian",
        MOTH = "MOTH": "Any other mixed background",
        AIND = "AIND": "Indian",
        APKN = "APKN": "Pakistani",
        ABAN = "ABAN": "Bangladeshi",
        AOTH = "AOTH": "Any other Asian background",
        BCRB = "BCRB": "Caribbean",
        BAFR = "BAFR": "African",
        BOTH = "BOTH": "Any other Black background",
        CHNE = "CHNE": "Chinese",
        OOTH = "OOTH": "Any other ethnic group",
        REFU = "REFU": "Refused",
        NOBT = "NOBT": "Information not yet obtained",
    }
}

impl Ethnicity {
    /// The major ethnic group used in DfE tables. Chinese is grouped with
    /// "Other ethnic group", as in DfE's CLA tables.
    pub fn group(self) -> &'static str {
        use Ethnicity::*;
        match self {
            WBRI | WIRI | WOTH | WIRT | WROM => "White",
            MWBC | MWBA | MWAS | MOTH => "Mixed or multiple ethnic groups",
            AIND | APKN | ABAN | AOTH => "Asian or Asian British",
            BCRB | BAFR | BOTH => "Black, African, Caribbean or Black British",
            CHNE | OOTH => "Other ethnic group",
            REFU | NOBT => "Refused or not obtained",
        }
    }
}

code_list! {
    /// REVIEW_CODE: participation in the review (spec §3.10).
    ParticipationCode {
        PN0 = "PN0": "Child aged under 4 at the time of the review",
        PN1 = "PN1": "Child physically attends and speaks for him or herself",
        PN2 = "PN2": "Child physically attends and an advocate speaks on his or her behalf",
        PN3 = "PN3": "Child physically attends and conveys his or her view symbolically (non-verbally)",
        PN4 = "PN4": "Child physically attends but does not speak for him or herself, does not convey his or her view symbolically (non-verbally) and does not ask an advocate to speak for him or her",
        PN5 = "PN5": "Child does not attend physically but briefs an advocate to speak for him or her",
        PN6 = "PN6": "Child does not attend but conveys his or her feelings to the review by a facilitative medium",
        PN7 = "PN7": "Child does not attend nor are his or her views conveyed to the review",
    }
}

impl ParticipationCode {
    /// PN1–PN6: the child's views reached the review.
    pub fn participated(self) -> Option<bool> {
        match self {
            Self::PN0 => None,
            Self::PN7 => Some(false),
            _ => Some(true),
        }
    }
}

/// SEX, in either coding: `1`/`2` up to 2023-24, `M`/`F`/`U` from 2024-25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Sex {
    Male,
    Female,
    Unknown,
}

impl Sex {
    /// Parses either coding. Returns the value and whether it used the
    /// numeric (pre-2024-25) coding.
    pub fn parse(raw: &str) -> Option<(Self, bool)> {
        match raw.trim() {
            "1" => Some((Sex::Male, true)),
            "2" => Some((Sex::Female, true)),
            s if s.eq_ignore_ascii_case("M") => Some((Sex::Male, false)),
            s if s.eq_ignore_ascii_case("F") => Some((Sex::Female, false)),
            s if s.eq_ignore_ascii_case("U") => Some((Sex::Unknown, false)),
            _ => None,
        }
    }

    /// The 2024-25 code letter.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::Unknown => "U",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "Male",
            Sex::Female => "Female",
            Sex::Unknown => "Unknown",
        }
    }
}

code_list! {
    /// MISSING: missing from care or away without authorisation (spec §3.12).
    MissingType {
        Missing = "M": "Missing from care",
        Away = "A": "Away from placement without authorisation",
    }
}

code_list! {
    /// IN_TOUCH (OC3): whether the authority is in touch with a care leaver
    /// around their birthday (validation rule 131).
    CareLeaverContact {
        Yes = "YES": "In touch",
        No = "NO": "Not in touch",
        Died = "DIED": "Died",
        Refused = "REFU": "Young person refuses contact",
        NotRequired = "NREQ": "Young person no longer requires services",
        ReturnedHome = "RHOM": "Returned home to parents or someone with parental responsibility for a continuous period of at least 6 months",
    }
}

impl CareLeaverContact {
    /// Whether the DfE's care-leaver indicators count the young person:
    /// not those who died or who returned home for six months or more.
    pub fn in_indicators(self) -> bool {
        !matches!(self, Self::Died | Self::ReturnedHome)
    }
}

code_list! {
    /// ACTIV (OC3): main activity around the birthday (validation rule 132;
    /// F3/P3 before 2021-22, F4/P4 and F5/P5 from then).
    CareLeaverActivity {
        F1 = "F1": "Full-time in higher education",
        P1 = "P1": "Part-time in higher education",
        F2 = "F2": "Full-time in education other than higher education",
        P2 = "P2": "Part-time in education other than higher education",
        F3 = "F3": "Full-time in training or employment (before 2021-22)",
        P3 = "P3": "Part-time in training or employment (before 2021-22)",
        F4 = "F4": "Full-time in an apprenticeship",
        P4 = "P4": "Part-time in an apprenticeship",
        F5 = "F5": "Full-time in training or employment other than an apprenticeship",
        P5 = "P5": "Part-time in training or employment other than an apprenticeship",
        G4 = "G4": "Not in education, training or employment because of illness or disability",
        G5 = "G5": "Not in education, training or employment for other reasons",
        G6 = "G6": "Not in education, training or employment because of pregnancy or parenting",
        NoInformation = "0": "No information (the authority is not in touch, or the young person died or returned home)",
    }
}

impl CareLeaverActivity {
    /// In education, employment or training (`Some(true)`), not
    /// (`Some(false)`: G4, G5, G6), or no information (`None`: code 0).
    pub fn in_eet(self) -> Option<bool> {
        match self {
            Self::NoInformation => None,
            Self::G4 | Self::G5 | Self::G6 => Some(false),
            _ => Some(true),
        }
    }
}

code_list! {
    /// ACCOM (OC3): accommodation around the birthday, the letter the kind
    /// and the digit whether it is suitable (1) or not (2); 0 is no
    /// information (validation rule 133).
    CareLeaverAccommodation {
        B1 = "B1": "With parents or relatives, suitable",
        B2 = "B2": "With parents or relatives, not suitable",
        C1 = "C1": "Community home or other form of residential care, suitable",
        C2 = "C2": "Community home or other form of residential care, not suitable",
        D1 = "D1": "Semi-independent, transitional accommodation, suitable",
        D2 = "D2": "Semi-independent, transitional accommodation, not suitable",
        E1 = "E1": "Supported lodgings, suitable",
        E2 = "E2": "Supported lodgings, not suitable",
        G1 = "G1": "Gone abroad, suitable",
        G2 = "G2": "Gone abroad, not suitable",
        H1 = "H1": "Deported, suitable",
        H2 = "H2": "Deported, not suitable",
        K1 = "K1": "Ordinary lodgings without formal support, suitable",
        K2 = "K2": "Ordinary lodgings without formal support, not suitable",
        R1 = "R1": "Residence not known, suitable",
        R2 = "R2": "Residence not known, not suitable",
        S2 = "S2": "No fixed abode or homeless, not suitable",
        T1 = "T1": "Foyers and similar supported accommodation, suitable",
        T2 = "T2": "Foyers and similar supported accommodation, not suitable",
        U1 = "U1": "Independent living, suitable",
        U2 = "U2": "Independent living, not suitable",
        V1 = "V1": "Emergency accommodation, suitable",
        V2 = "V2": "Emergency accommodation, not suitable",
        W1 = "W1": "Bed and breakfast, suitable",
        W2 = "W2": "Bed and breakfast, not suitable",
        X2 = "X2": "In custody, not suitable",
        Y1 = "Y1": "Other accommodation, suitable",
        Y2 = "Y2": "Other accommodation, not suitable",
        Z1 = "Z1": "With former foster carers, suitable",
        Z2 = "Z2": "With former foster carers, not suitable",
        NoInformation = "0": "No information",
    }
}

impl CareLeaverAccommodation {
    /// Suitable (`Some(true)`: codes ending 1), not suitable (`Some(false)`:
    /// ending 2), or no information (`None`: code 0).
    pub fn suitable(self) -> Option<bool> {
        match self.code().as_bytes().last() {
            Some(b'1') => Some(true),
            Some(b'2') => Some(false),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for ls in LegalStatus::ALL {
            assert_eq!(LegalStatus::parse(ls.code()), Some(*ls));
        }
        for p in PlacementType::ALL {
            assert_eq!(PlacementType::parse(p.code()), Some(*p));
        }
        for r in ReasonEpisodeCeased::ALL {
            assert_eq!(ReasonEpisodeCeased::parse(r.code()), Some(*r));
        }
        assert_eq!(
            ReasonEpisodeCeased::parse(" e4a "),
            Some(ReasonEpisodeCeased::E4A)
        );
        assert_eq!(PlacementType::parse("Z11"), Some(PlacementType::Z11));
        assert_eq!(PlacementType::parse("Z"), None);
        assert_eq!(LegalStatus::parse(""), None);
    }

    #[test]
    fn sex_accepts_both_codings() {
        assert_eq!(Sex::parse("1"), Some((Sex::Male, true)));
        assert_eq!(Sex::parse("f"), Some((Sex::Female, false)));
        assert_eq!(Sex::parse("3"), None);
    }

    #[test]
    fn groups() {
        assert!(LegalStatus::V3.is_short_break());
        assert!(!LegalStatus::C2.is_short_break());
        assert_eq!(LegalStatus::C1.group(), LegalStatusGroup::CareOrder);
        assert_eq!(LegalStatus::D1.group().label(), "Placement order");
        assert_eq!(LegalStatus::V2.group().label(), "Voluntary agreement (s20)");
        assert!(LegalStatus::C2.is_care_order() && !LegalStatus::E1.is_care_order());
        assert_eq!(
            LegalStatus::C1.group_with_care_orders_apart(),
            "Interim care order (C1)"
        );
        assert_eq!(
            LegalStatus::C2.group_with_care_orders_apart(),
            "Full care order (C2)"
        );
        assert_eq!(
            LegalStatus::J2.group_with_care_orders_apart(),
            "Youth justice"
        );
        for ls in LegalStatus::ALL {
            assert!(LegalStatusGroup::ALL.contains(&ls.group()));
        }
        assert!(PlacementType::T3.is_temporary());
        assert_eq!(PlacementType::U4.group(), PlacementGroup::FosterOther);
        assert_eq!(Ethnicity::CHNE.group(), "Other ethnic group");
        assert_eq!(ParticipationCode::PN7.participated(), Some(false));
        assert_eq!(ParticipationCode::PN0.participated(), None);
        assert!(!ReasonEpisodeCeased::X1.ends_period_of_care());
    }

    #[test]
    fn care_leaver_codes() {
        assert_eq!(
            CareLeaverContact::parse("nreq"),
            Some(CareLeaverContact::NotRequired)
        );
        assert!(!CareLeaverContact::Died.in_indicators());
        assert!(!CareLeaverContact::ReturnedHome.in_indicators());
        assert!(CareLeaverContact::Refused.in_indicators());
        assert_eq!(
            CareLeaverActivity::parse("F5").and_then(|a| a.in_eet()),
            Some(true)
        );
        assert_eq!(
            CareLeaverActivity::parse("P3").and_then(|a| a.in_eet()),
            Some(true)
        );
        assert_eq!(
            CareLeaverActivity::parse("G6").and_then(|a| a.in_eet()),
            Some(false)
        );
        assert_eq!(
            CareLeaverActivity::parse("0").and_then(|a| a.in_eet()),
            None
        );
        assert_eq!(CareLeaverActivity::parse("F6"), None);
        for a in CareLeaverAccommodation::ALL {
            let want = match a.code() {
                "0" => None,
                c => Some(c.ends_with('1')),
            };
            assert_eq!(a.suitable(), want, "{a}");
        }
        assert_eq!(CareLeaverAccommodation::parse("S1"), None);
        assert_eq!(
            CareLeaverAccommodation::parse("x2"),
            Some(CareLeaverAccommodation::X2)
        );
    }
}
