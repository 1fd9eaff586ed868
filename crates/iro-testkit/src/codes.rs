//! SSDA903 code lists used by the generator (spec §3), with the mixes we draw from.

/// Column headers of each table, in the order of spec §2.
pub mod headers {
    /// Header.
    pub const HEADER: [&str; 7] = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"];
    /// Episodes.
    pub const EPISODES: [&str; 13] = [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ];
    /// Reviews.
    pub const REVIEWS: [&str; 4] = ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"];
    /// UASC.
    pub const UASC: [&str; 4] = ["CHILD", "SEX", "DOB", "DUC"];
    /// Missing.
    pub const MISSING: [&str; 5] = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"];
    /// PrevPerm.
    pub const PREVPERM: [&str; 5] = ["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"];
    /// OC2.
    pub const OC2: [&str; 12] = [
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ];
    /// OC3.
    pub const OC3: [&str; 5] = ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"];
    /// SWEpisodes.
    pub const SW_EPISODES: [&str; 6] = ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"];
}

/// Ethnicity mix for children looked after (roughly England's CLA population; UASC drawn
/// separately).
pub const ETHNIC_MIX: &[(&str, f64)] = &[
    ("WBRI", 74.0),
    ("WIRI", 0.4),
    ("WOTH", 3.6),
    ("WIRT", 0.3),
    ("WROM", 0.6),
    ("MWBC", 3.0),
    ("MWBA", 1.1),
    ("MWAS", 1.4),
    ("MOTH", 3.2),
    ("AIND", 0.6),
    ("APKN", 1.1),
    ("ABAN", 0.4),
    ("AOTH", 1.2),
    ("BCRB", 1.2),
    ("BAFR", 2.4),
    ("BOTH", 1.0),
    ("CHNE", 0.1),
    ("OOTH", 2.4),
    ("REFU", 0.1),
    ("NOBT", 0.5),
];

/// Ethnicity mix of unaccompanied asylum-seeking children.
pub const UASC_ETHNIC_MIX: &[(&str, f64)] = &[
    ("AOTH", 30.0),
    ("BAFR", 30.0),
    ("OOTH", 25.0),
    ("WOTH", 10.0),
    ("BOTH", 5.0),
];

/// Category of need at the start of a period of care.
pub const CIN_MIX: &[(&str, f64)] = &[
    ("N1", 65.0),
    ("N2", 3.0),
    ("N3", 3.0),
    ("N4", 7.0),
    ("N5", 14.0),
    ("N6", 2.0),
    ("N7", 0.3),
    ("N8", 5.7),
];

/// Reasons for a change of carer (recorded on the ending episode).
pub const MOVE_REASON_MIX: &[(&str, f64)] = &[
    ("CARPL", 38.0),
    ("CREQB", 14.0),
    ("CREQO", 11.0),
    ("LAREQ", 7.0),
    ("CHILD", 7.0),
    ("STAND", 4.0),
    ("ALLEG", 3.0),
    ("CLOSE", 5.0),
    ("APPRR", 2.0),
    ("OTHER", 9.0),
];

/// Participation in reviews for children aged 4 and over.
pub const PARTICIPATION_MIX: &[(&str, f64)] = &[
    ("PN1", 46.0),
    ("PN2", 6.0),
    ("PN3", 3.0),
    ("PN4", 3.0),
    ("PN5", 14.0),
    ("PN6", 16.0),
    ("PN7", 12.0),
];

/// Participation for children aged 4–7 (more symbolic and indirect participation).
pub const PARTICIPATION_YOUNG_MIX: &[(&str, f64)] = &[
    ("PN1", 20.0),
    ("PN2", 8.0),
    ("PN3", 20.0),
    ("PN4", 10.0),
    ("PN5", 15.0),
    ("PN6", 12.0),
    ("PN7", 15.0),
];

/// Reasons for a change of social worker (not the first allocation, which is FCONTA).
pub const SW_REASON_MIX: &[(&str, f64)] = &[
    ("LEFTRL", 30.0),
    ("MANAGE", 20.0),
    ("TSPROC", 20.0),
    ("ORGRST", 8.0),
    ("ABSENC", 7.0),
    ("CHCHAN", 3.0),
    ("PCCHAN", 3.0),
    ("OTHERS", 9.0),
];

/// Temporary placement codes.
pub const TEMPORARY: [&str; 5] = ["T0", "T1", "T2", "T3", "T4"];

/// `true` for T0–T4.
pub fn is_temporary(place: &str) -> bool {
    TEMPORARY.contains(&place)
}

/// `true` for foster placements U1–U6.
pub fn is_foster(place: &str) -> bool {
    matches!(place, "U1" | "U2" | "U3" | "U4" | "U5" | "U6")
}

/// `true` for short-break legal statuses.
pub fn is_short_break(ls: &str) -> bool {
    matches!(ls, "V3" | "V4")
}

/// Draws from a weighted list.
pub fn pick<R: rand::Rng + ?Sized>(rng: &mut R, mix: &[(&'static str, f64)]) -> &'static str {
    let total: f64 = mix.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (code, w) in mix {
        if x < *w {
            return code;
        }
        x -= w;
    }
    mix[mix.len() - 1].0
}
