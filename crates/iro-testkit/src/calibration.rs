//! Per-authority calibration: the DfE's published figures for the sample authorities, and
//! the model settings that make the simulation reproduce them.
//!
//! Source of every published figure: DfE, "Children looked after in England including
//! adoptions" and "Stability measures for children looked after in England", 2025 release
//! (explore-education-statistics; local-authority files `cla_number_and_rate_per_10k_children`,
//! `la_cla_placement_stability`, `la_cla_during_year_new_placements` and the placement
//! distance table, as held by github.com/dfe-analytical-services/CSC_outcomes_and_enablers
//! at commit 2f5d11a, folder `data-raw/`). Open Government Licence v3.0. Local-authority
//! counts are unrounded, percentages whole numbers, as published.
//!
//! Authorities without a profile (the national set) use [`NATIONAL`]: England's figures and
//! settings of 1.

/// First collection year of the published series below (index 0 of every array).
pub const PUBLISHED_FIRST_YEAR: i32 = 2021;

/// Published figures for one authority, 2021–2025 (index 0 = 31 March 2021 / 2020-21), and
/// the model settings calibrated to them.
#[derive(Debug, Clone, PartialEq)]
pub struct LaProfile {
    /// DfE 3-digit code; 0 for England.
    pub code: u16,
    /// Children looked after at 31 March.
    pub cla: [u32; 5],
    /// Children starting to be looked after during the year.
    pub starts: [u32; 5],
    /// Children ceasing to be looked after during the year.
    pub ceases: [u32; 5],
    /// % of children looked after at 31 March with 3 or more placements during the year.
    pub three_plus_pct: [u8; 5],
    /// % of "CLA 2 years on 31 March" with 3 or more placements during the previous 2 years.
    pub three_plus_2y_pct: [u8; 5],
    /// Long-term stability: % of children aged under 16 looked after for 2.5 years or more
    /// at 31 March who had lived with the same carer for at least 2 years.
    pub long_term_pct: [u8; 5],
    /// Placement changes during the year ("Total placements changing").
    pub moves: [u32; 5],
    /// % of children looked after at 31 March placed more than 20 miles from home.
    pub far_pct: [u8; 5],
    /// Model settings (calibrated, see [`Settings`]).
    pub settings: Settings,
}

/// The model's per-authority settings, each 1.0 for England's average.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Length of stay: above 1, fewer short periods of care and longer ones (fewer starts
    /// for the same number looked after).
    pub stay: f64,
    /// Multiplies the hazard of a change of carer.
    pub mobility: f64,
    /// Further multiplies that hazard for children looked after for a year or more
    /// (instability of long-term placements, which the long-term stability indicator
    /// measures), phasing in over the first years of a period of care.
    pub late: f64,
    /// Multiplies the chance that a new placement is more than 20 miles from home.
    pub far: f64,
}

impl Settings {
    /// England's average.
    pub const NATIONAL: Settings = Settings {
        stay: 1.0,
        mobility: 1.0,
        late: 1.0,
        far: 1.0,
    };
}

/// England (national rows of the same files; national counts rounded to the nearest 10).
pub const NATIONAL: LaProfile = LaProfile {
    code: 0,
    cla: [80_780, 82_090, 83_750, 83_530, 81_770],
    starts: [28_470, 31_100, 33_090, 33_130, 32_270],
    ceases: [28_120, 30_230, 31_850, 33_780, 34_450],
    three_plus_pct: [9, 10, 11, 11, 10],
    three_plus_2y_pct: [21, 21, 22, 23, 23],
    long_term_pct: [70, 71, 68, 68, 69],
    moves: [53_990, 56_480, 59_620, 67_490, 59_140],
    far_pct: [21, 21, 21, 22, 22],
    settings: Settings::NATIONAL,
};

/// The sample authorities.
pub const PROFILES: &[LaProfile] = &[
    // Bath and North East Somerset (E06000022).
    LaProfile {
        code: 800,
        cla: [179, 196, 226, 217, 220],
        starts: [52, 77, 95, 77, 76],
        ceases: [55, 60, 67, 89, 73],
        three_plus_pct: [7, 7, 7, 8, 8],
        three_plus_2y_pct: [18, 14, 21, 25, 22],
        long_term_pct: [71, 71, 79, 74, 63],
        moves: [129, 100, 127, 129, 125],
        far_pct: [30, 26, 20, 24, 26],
        settings: Settings {
            stay: 1.35,
            mobility: 0.75,
            late: 0.7,
            far: 0.9,
        },
    },
    // South Gloucestershire (E06000025).
    LaProfile {
        code: 803,
        cla: [220, 260, 258, 219, 207],
        starts: [108, 142, 124, 96, 109],
        ceases: [102, 107, 127, 135, 122],
        three_plus_pct: [8, 6, 7, 4, 7],
        three_plus_2y_pct: [17, 18, 17, 20, 11],
        long_term_pct: [69, 70, 69, 67, 62],
        moves: [100, 116, 128, 106, 100],
        far_pct: [20, 17, 19, 17, 17],
        settings: Settings {
            stay: 0.7,
            mobility: 0.55,
            late: 3.5,
            far: 0.8,
        },
    },
    // Medway (E06000035).
    LaProfile {
        code: 887,
        cla: [440, 444, 466, 476, 495],
        starts: [149, 125, 163, 191, 156],
        ceases: [135, 124, 147, 186, 139],
        three_plus_pct: [11, 11, 13, 14, 14],
        three_plus_2y_pct: [22, 25, 24, 29, 28],
        long_term_pct: [67, 71, 70, 61, 61],
        moves: [366, 303, 334, 453, 372],
        far_pct: [25, 28, 31, 28, 29],
        settings: Settings {
            stay: 1.4,
            mobility: 1.35,
            late: 0.8,
            far: 1.1,
        },
    },
];

/// The profile of authority `code`, if it has one.
pub fn profile(code: u16) -> Option<&'static LaProfile> {
    PROFILES.iter().find(|p| p.code == code)
}

impl LaProfile {
    /// Index into the published arrays for a collection year (clamped to 2021–2025).
    pub fn index(year: i32) -> usize {
        (year - PUBLISHED_FIRST_YEAR).clamp(0, 4) as usize
    }

    /// Children looked after at 31 March of `year` relative to 31 March 2025.
    pub fn cla_shape(&self, year: i32) -> f64 {
        f64::from(self.cla[Self::index(year)]) / f64::from(self.cla[4])
    }

    /// Starts in `year` per child looked after at 31 March of that year.
    pub fn starts_ratio(&self, year: i32) -> f64 {
        let i = Self::index(year);
        f64::from(self.starts[i]) / f64::from(self.cla[i])
    }
}
