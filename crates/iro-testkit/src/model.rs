//! Whole-history simulation of one child: date of birth, periods of care, legal statuses,
//! placements, reviews, missing spells and social-worker allocations. Annual returns are cut
//! from these histories in `returns.rs`.

use chrono::{Duration, NaiveDate};
use rand::Rng;

use crate::calendar::{
    add_months, add_working_days, add_years, age_on, collection_year_of, working_day_on_or_after,
    working_day_on_or_before, year_end,
};
use crate::calibration::Settings;
use crate::codes::{self, is_foster, pick};
use crate::geo::{Geography, Pc};

/// What one authority's simulation needs to know besides the random stream.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub la_code: u16,
    pub geo: &'a Geography,
    /// Nothing happens after this date (end of the last collection year).
    pub horizon: NaiveDate,
    /// Periods of care ending before this date are simulated in outline only (no random
    /// moves, temporary placements, reviews or missing spells): no return holds them.
    pub detail_from: NaiveDate,
    /// Ofsted URN of the authority's own fostering service.
    pub la_fostering_urn: String,
    /// URNs of independent fostering agencies the authority uses.
    pub ifa_urns: Vec<String>,
    /// Social workers' Social Work England numbers.
    pub sw_ids: Vec<String>,
    /// DfE codes other authorities may have made previous-permanence orders in.
    pub other_las: &'a [u16],
    /// Per-authority model settings (length of stay, mobility, distance).
    pub settings: Settings,
}

/// One episode of care as simulated (dates before cutting into returns).
#[derive(Debug, Clone)]
pub(crate) struct Ep {
    pub decom: NaiveDate,
    /// `None` while still open at the simulation horizon.
    pub dec: Option<NaiveDate>,
    pub rne: &'static str,
    pub ls: &'static str,
    pub cin: &'static str,
    pub place: &'static str,
    pub provider: Option<&'static str>,
    pub rec: Option<&'static str>,
    pub reason: Option<&'static str>,
    pub home: Option<Pc>,
    pub pl: Option<Pc>,
    pub urn: Option<String>,
}

/// A missing / away-without-authorisation spell.
#[derive(Debug, Clone)]
pub(crate) struct MissingSpell {
    pub kind: &'static str,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A social-worker allocation.
#[derive(Debug, Clone)]
pub(crate) struct SwAlloc {
    pub sw_id: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub reason: &'static str,
}

/// Previous permanence recorded at the start of a period of care.
#[derive(Debug, Clone)]
pub(crate) struct PrevPermRec {
    pub code: &'static str,
    pub la: Option<u16>,
    pub date: Option<NaiveDate>,
}

/// One period of care (from an RNE=S episode to a leaving code).
#[derive(Debug, Clone)]
pub(crate) struct Period {
    pub start: NaiveDate,
    /// Date care ended, `None` if still looked after at the horizon.
    pub end: Option<NaiveDate>,
    pub rec: Option<&'static str>,
    pub episodes: Vec<Ep>,
    pub reviews: Vec<(NaiveDate, &'static str)>,
    pub missing: Vec<MissingSpell>,
    pub sw: Vec<SwAlloc>,
    pub prev_perm: PrevPermRec,
    pub short_break: bool,
}

/// A simulated child and their whole history with the authority.
#[derive(Debug, Clone)]
pub(crate) struct Child {
    pub id: String,
    pub male: bool,
    pub dob: NaiveDate,
    pub ethnic: &'static str,
    /// Unique Pupil Number once of school age.
    pub upn: String,
    /// A UN code used instead of a UPN throughout (UASC: UN2; a few others UN3/UN5).
    pub upn_unknown: Option<&'static str>,
    pub uasc: bool,
    pub mc_dob: Option<NaiveDate>,
    pub periods: Vec<Period>,
    /// Seed for per-year OC2/OC3 answers.
    pub seed: u64,
}

/// How a child first comes to the authority's attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Normal,
    Uasc,
    ShortBreak,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Short,
    ReturnHome,
    Relatives,
    Cao,
    Sgo,
    Adoption,
    AdoptionConsent,
    LongTerm,
    Transfer,
    Independent,
    AgeAssessed,
    Abroad,
    Remand,
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// Draws from a log-normal with the given median (days) and spread, clamped.
fn lognormal_days<R: Rng>(rng: &mut R, median: f64, sigma: f64, lo: i64, hi: i64) -> i64 {
    // Box–Muller.
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    ((median.ln() + sigma * z).exp().round() as i64).clamp(lo, hi)
}

fn exp_days<R: Rng>(rng: &mut R, mean: f64) -> i64 {
    let u: f64 = rng.random::<f64>().max(1e-12);
    (-u.ln() * mean).round() as i64
}

/// UPN: check letter + LA (3) + establishment (4) + year (2) + serial (3).
pub(crate) fn make_upn<R: Rng>(rng: &mut R, la: u16, dob: NaiveDate) -> String {
    use chrono::Datelike;
    let estab: u32 = rng.random_range(2000..7999);
    let yr = (add_years(dob, 4).year() % 100) as u32;
    let serial: u32 = rng.random_range(0..1000);
    let body = format!("{la:03}{estab:04}{yr:02}{serial:03}");
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * (i as u32 + 2))
        .sum();
    const CHECK: &[u8] = b"ABCDEFGHJKLMNPQRTUVWXYZ";
    format!("{}{body}", CHECK[(sum % 23) as usize] as char)
}

/// One placement (carer spell or status within a carer spell).
#[derive(Debug, Clone)]
struct Seg {
    start: NaiveDate,
    place: &'static str,
    provider: Option<&'static str>,
    urn: Option<String>,
    pl: Option<Pc>,
    /// Same carer as the previous segment (status change only: T/U).
    same_carer: bool,
    /// REASON_PLACE_CHANGE for the move into this placement.
    reason: Option<&'static str>,
}

/// Ofsted-style URN derived from a postcode (stable provider identity).
fn urn_for(ctx: &Ctx, pc: Pc, kind: u64, seven_digit: bool) -> String {
    let h = (u64::from(ctx.la_code) << 40 ^ u64::from(pc) << 8 ^ kind)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        >> 20;
    if seven_digit {
        format!("2{:06}", h % 1_000_000)
    } else {
        format!("SC{:06}", 100_000 + h % 900_000)
    }
}

/// Supported accommodation regulations in force (H5 needs a URN from here, rule 230).
fn supported_accommodation_regulated() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 10, 28).expect("date")
}

fn semi_independent_code(date: NaiveDate) -> &'static str {
    if date < NaiveDate::from_ymd_opt(2024, 4, 1).expect("date") {
        "H5"
    } else {
        "K3"
    }
}

struct ChildCtx<'c> {
    dob: NaiveDate,
    male: bool,
    home: Pc,
    ctx: &'c Ctx<'c>,
}

impl ChildCtx<'_> {
    fn age(&self, d: NaiveDate) -> i32 {
        age_on(self.dob, d)
    }

    /// A new placement of type `place` starting `start`, with provider, URN and postcode.
    fn placement<R: Rng>(
        &self,
        rng: &mut R,
        start: NaiveDate,
        place: &'static str,
        avoid: Option<Pc>,
        reason: Option<&'static str>,
    ) -> Seg {
        let ctx = self.ctx;
        let avoid = avoid.unwrap_or(self.home);
        let far_p = match place {
            "U1" | "U3" => 0.14,
            "U2" | "U4" | "U5" | "U6" => 0.26,
            "K2" => 0.55,
            "K1" | "R5" => 0.85,
            "S1" => 0.6,
            "H5" | "K3" => 0.3,
            "A3" | "A4" | "A5" | "A6" => 0.45,
            "R3" => 0.4,
            _ => 0.3,
        };
        let far = rng.random_bool((far_p * ctx.settings.far).min(0.95));
        let mut pl = Some(ctx.geo.pick_placement(rng, self.home, far, avoid));
        let (provider, urn): (&'static str, Option<String>) = match place {
            "U1" | "U3" => {
                if rng.random_bool(0.95) {
                    ("PR1", Some(ctx.la_fostering_urn.clone()))
                } else {
                    (
                        "PR4",
                        Some(ctx.ifa_urns[rng.random_range(0..ctx.ifa_urns.len())].clone()),
                    )
                }
            }
            "U2" | "U4" | "U5" | "U6" => {
                if rng.random_bool(0.6) {
                    ("PR1", Some(ctx.la_fostering_urn.clone()))
                } else {
                    (
                        "PR4",
                        Some(ctx.ifa_urns[rng.random_range(0..ctx.ifa_urns.len())].clone()),
                    )
                }
            }
            "A3" | "A4" | "A5" | "A6" => {
                let x: f64 = rng.random();
                if x < 0.55 {
                    ("PR1", Some("XXXXXXX".to_string()))
                } else if x < 0.75 {
                    ("PR2", Some(urn_for(ctx, 0, 77, false)))
                } else {
                    ("PR5", Some(urn_for(ctx, 1, 78, false)))
                }
            }
            "K2" => {
                let x: f64 = rng.random();
                if x < 0.13 {
                    let p = ctx.geo.pick_own(rng, avoid);
                    pl = Some(if p == self.home {
                        ctx.geo.pick_own(rng, self.home)
                    } else {
                        p
                    });
                    ("PR1", None)
                } else if x < 0.95 {
                    ("PR4", None)
                } else {
                    ("PR5", None)
                }
            }
            "K1" => ("PR2", None),
            "S1" => (if rng.random_bool(0.5) { "PR4" } else { "PR5" }, None),
            "H5" | "K3" => (if rng.random_bool(0.7) { "PR4" } else { "PR5" }, None),
            "R3" => ("PR4", None),
            "R5" => ("PR3", None),
            "P1" => {
                pl = Some(self.home);
                ("PR0", None)
            }
            other => unreachable!("placement {other}"),
        };
        let urn = match place {
            "K2" | "K1" | "S1" | "R3" => Some(urn_for(ctx, pl.expect("pl"), 1, false)),
            // Supported accommodation had no Ofsted registration before 28 October 2023.
            "H5" if start < supported_accommodation_regulated() => None,
            "H5" | "K3" => Some(urn_for(ctx, pl.expect("pl"), 2, true)),
            _ => urn,
        };
        Seg {
            start,
            place,
            provider: Some(provider),
            urn,
            pl,
            same_carer: false,
            reason,
        }
    }

    /// Placement type for a change of carer at `d`.
    fn move_type<R: Rng>(&self, rng: &mut R, d: NaiveDate) -> &'static str {
        let age = self.age(d);
        let x: f64 = rng.random();
        if age < 8 {
            if x < 0.72 {
                "U6"
            } else if x < 0.88 {
                "U3"
            } else {
                "U4"
            }
        } else if age < 10 {
            if x < 0.68 {
                "U6"
            } else if x < 0.82 {
                "U3"
            } else if x < 0.93 {
                "U4"
            } else {
                "K2"
            }
        } else if age < 16 {
            if x < 0.45 {
                "U6"
            } else if x < 0.55 {
                "U4"
            } else if x < 0.63 {
                "U3"
            } else if x < 0.95 {
                "K2"
            } else if x < 0.97 && age >= 11 {
                "S1"
            } else {
                "K2"
            }
        } else if x < 0.30 {
            "U6"
        } else if x < 0.36 {
            "U4"
        } else if x < 0.40 {
            "U3"
        } else if x < 0.62 {
            "K2"
        } else {
            semi_independent_code(d)
        }
    }
}

/// Simulates a child's whole history with the authority.
pub(crate) fn simulate_child<R: Rng>(
    ctx: &Ctx,
    rng: &mut R,
    id: String,
    entry: NaiveDate,
    kind: Kind,
) -> Child {
    // Date of birth from the age at entry.
    let age_days: i64 = match kind {
        Kind::Uasc => {
            let x: f64 = rng.random();
            let years = if x < 0.05 {
                14
            } else if x < 0.20 {
                15
            } else if x < 0.62 {
                16
            } else {
                17
            };
            let max = if years == 17 { 300 } else { 364 };
            years * 365 + rng.random_range(0..max)
        }
        Kind::ShortBreak => rng.random_range(5 * 365..15 * 365),
        Kind::Normal => {
            let x: f64 = rng.random();
            if x < 0.10 {
                rng.random_range(0..21)
            } else if x < 0.19 {
                rng.random_range(21..365)
            } else if x < 0.34 {
                rng.random_range(365..5 * 365)
            } else if x < 0.51 {
                rng.random_range(5 * 365..10 * 365)
            } else if x < 0.84 {
                rng.random_range(10 * 365..16 * 365)
            } else {
                rng.random_range(16 * 365..18 * 365 - 45)
            }
        }
    };
    let dob = entry - days(age_days);
    let male = match kind {
        Kind::Uasc => rng.random_bool(0.93),
        Kind::ShortBreak => rng.random_bool(0.65),
        Kind::Normal => rng.random_bool(0.55),
    };
    let ethnic = if kind == Kind::Uasc {
        pick(rng, codes::UASC_ETHNIC_MIX)
    } else {
        pick(rng, codes::ETHNIC_MIX)
    };
    let upn = make_upn(rng, ctx.la_code, dob);
    let upn_unknown = match kind {
        Kind::Uasc => Some("UN2"),
        _ => {
            let x: f64 = rng.random();
            if x < 0.006 {
                Some("UN3")
            } else if x < 0.016 {
                Some("UN5")
            } else {
                None
            }
        }
    };
    let home = ctx.geo.pick_home(rng);
    let cc = ChildCtx {
        dob,
        male,
        home,
        ctx,
    };
    let seed: u64 = rng.random();

    let mut periods = Vec::new();
    if kind == Kind::ShortBreak {
        periods = short_breaks(&cc, rng, entry);
    } else {
        let mut start = entry;
        let mut prev_rec: Option<&'static str> = None;
        let b18 = add_years(dob, 18);
        loop {
            let p = simulate_period(&cc, rng, start, kind, prev_rec);
            let (end, rec) = (p.end, p.rec);
            periods.push(p);
            let Some(end) = end else { break };
            let p_re = match rec {
                Some("E4B") => 0.25,
                Some("E4A") | Some("E13") => 0.14,
                Some("E41") | Some("E45") | Some("E46") | Some("E47") | Some("E48") => 0.04,
                _ => 0.0,
            };
            if kind == Kind::Uasc || !rng.random_bool(p_re) {
                break;
            }
            let gap = lognormal_days(rng, 300.0, 0.9, 14, 2500);
            let next = end + days(gap);
            if next > ctx.horizon || next >= b18 - days(60) {
                break;
            }
            prev_rec = rec;
            start = next;
        }
    }

    // Social-worker allocations continue between periods of care that are close together
    // (the child stays allocated as a child in need): the previous period's last allocation
    // runs to the re-entry and the next period's first one is a transfer, not a first contact.
    for k in 1..periods.len() {
        let (before, after) = periods.split_at_mut(k);
        let (prev, cur) = (&mut before[k - 1], &mut after[0]);
        let (Some(prev_end), Some(first)) = (prev.end, cur.sw.first_mut()) else {
            continue;
        };
        if (cur.start - prev_end).num_days() <= 400
            && let Some(last) = prev.sw.last_mut()
        {
            // Not in the last six days of March (SW11b), as elsewhere.
            let ye = year_end(collection_year_of(first.start));
            let join = if first.start > ye - days(6) {
                ye - days(6)
            } else {
                first.start
            };
            if join > last.start + days(1) {
                last.end = Some(join);
                first.start = join;
                first.reason = "TSPROC";
            }
        }
    }

    // Teenage mothers: a few girls have a first child while looked after.
    let mut mc_dob = None;
    if !male && kind != Kind::ShortBreak && rng.random_bool(0.05) {
        for p in &periods {
            let lo = p.start.max(add_years(dob, 15));
            let hi = p.end.unwrap_or(ctx.horizon).min(ctx.horizon);
            if hi > lo + days(30) {
                mc_dob = Some(lo + days(rng.random_range(0..(hi - lo).num_days())));
                break;
            }
        }
    }

    Child {
        id,
        male,
        dob,
        ethnic,
        upn,
        upn_unknown,
        uasc: kind == Kind::Uasc,
        mc_dob,
        periods,
        seed,
    }
}

/// Short-break children: V3 (each break an episode) or V4 (the agreement as one episode).
fn short_breaks<R: Rng>(cc: &ChildCtx, rng: &mut R, first: NaiveDate) -> Vec<Period> {
    let ctx = cc.ctx;
    let b18 = add_years(cc.dob, 18);
    let stop = (first + days(rng.random_range(365..6 * 365))).min(b18 - days(30));
    let v4 = rng.random_bool(0.3);
    let place: &'static str = if rng.random_bool(0.6) { "K2" } else { "U6" };
    let mut out = Vec::new();
    let mut d = first;
    while d < stop && d <= ctx.horizon {
        let len = if v4 {
            364.min((stop - d).num_days().max(1))
        } else {
            rng.random_range(2..=5)
        };
        let dec = d + days(len);
        let (dec, rec) = if dec > ctx.horizon {
            (None, None)
        } else {
            (Some(dec), Some("E4A"))
        };
        out.push(Period {
            start: d,
            end: dec,
            rec,
            episodes: vec![Ep {
                decom: d,
                dec,
                rne: "S",
                ls: if v4 { "V4" } else { "V3" },
                cin: "N2",
                place,
                provider: Some("PR1"),
                rec,
                reason: None,
                home: None,
                pl: None,
                urn: None,
            }],
            reviews: Vec::new(),
            missing: Vec::new(),
            sw: Vec::new(),
            prev_perm: PrevPermRec {
                code: "Z1",
                la: None,
                date: None,
            },
            short_break: true,
        });
        let Some(dec) = dec else { break };
        d = if v4 {
            dec + days(1)
        } else {
            dec + days(rng.random_range(30..60))
        };
    }
    out
}

fn choose_outcome<R: Rng>(rng: &mut R, age: i32, kind: Kind, male: bool, stay: f64) -> Outcome {
    use Outcome::*;
    if kind == Kind::Uasc {
        let x: f64 = rng.random();
        return if x < 0.06 {
            Transfer
        } else if x < 0.10 {
            AgeAssessed
        } else if x < 0.11 {
            Abroad
        } else if x < 0.15 {
            Independent
        } else {
            LongTerm
        };
    }
    if age >= 12 && rng.random_bool(if male { 0.035 } else { 0.01 }) {
        return Remand;
    }
    let table: &[(Outcome, f64)] = match age {
        0 => &[
            (Adoption, 0.27),
            (AdoptionConsent, 0.03),
            (Sgo, 0.22),
            (ReturnHome, 0.22),
            (Relatives, 0.04),
            (Cao, 0.04),
            (LongTerm, 0.12),
            (Transfer, 0.02),
            (Short, 0.04),
        ],
        1..=4 => &[
            (Adoption, 0.15),
            (Sgo, 0.22),
            (ReturnHome, 0.28),
            (Relatives, 0.05),
            (Cao, 0.05),
            (LongTerm, 0.18),
            (Transfer, 0.02),
            (Short, 0.05),
        ],
        5..=9 => &[
            (Adoption, 0.03),
            (Sgo, 0.18),
            (ReturnHome, 0.32),
            (Relatives, 0.06),
            (Cao, 0.05),
            (LongTerm, 0.30),
            (Transfer, 0.02),
            (Short, 0.04),
        ],
        10..=15 => &[
            (Sgo, 0.06),
            (ReturnHome, 0.38),
            (Relatives, 0.08),
            (Cao, 0.02),
            (LongTerm, 0.36),
            (Transfer, 0.02),
            (Short, 0.04),
        ],
        _ => &[
            (ReturnHome, 0.35),
            (Relatives, 0.12),
            (Independent, 0.13),
            (LongTerm, 0.33),
            (Transfer, 0.02),
            (Short, 0.05),
        ],
    };
    // Longer stays (`stay` above 1): fewer short periods and returns home, more children
    // staying long term.
    let weight = |o: Outcome, w: f64| -> f64 {
        match o {
            Short | ReturnHome => w / stay,
            Relatives => w / stay.sqrt(),
            LongTerm => w * stay,
            _ => w,
        }
    };
    let total: f64 = table.iter().map(|&(o, w)| weight(o, w)).sum();
    let mut x = rng.random::<f64>() * total;
    for &(o, w) in table {
        let w = weight(o, w);
        if x < w {
            return o;
        }
        x -= w;
    }
    table[table.len() - 1].0
}

/// Chance that a period of care starts with an emergency placement followed within days by
/// another (times the authority's mobility setting).
const EMERGENCY_MOVE_P: f64 = 0.08;

/// Hazard of a change of carer, per year, by age (before the other factors).
fn base_move_rate(age: i32, kind: Kind) -> f64 {
    if kind == Kind::Uasc {
        return 0.30;
    }
    match age {
        0..=4 => 0.08,
        5..=9 => 0.14,
        10..=12 => 0.25,
        13..=15 => 0.40,
        _ => 0.45,
    }
}

/// Spread (log scale) of the per-period instability factor.
const INSTABILITY_SIGMA: f64 = 1.4;

/// Hazard per year of a one-off planned move for a child under 16 looked after for a year or
/// more (times the authority's `late` setting).
const LATE_MOVE_RATE: f64 = 0.035;

/// Random changes of carer during a period of care from `start` to `sim_end`. The hazard of
/// a change, per year, is
///
/// `base(age) × mobility × instability × early(time in care) × fresh(time with the carer)
///  + late`
///
/// * `base`: higher for teenagers ([`base_move_rate`]);
/// * `instability`: lognormal per period of care, mean 1, spread [`INSTABILITY_SIGMA`]: very
///   unequal between children, so that a minority moves again and again while most stay put;
/// * `early`: 1.3 at the start of care, falling to 1 over the first months;
/// * `fresh`: 2.5 when a placement starts, falling to 1 over its first months (a new
///   placement is the most likely to break down; moves beget moves);
/// * `mobility`: the authority's setting;
/// * `late`: one-off planned moves of settled children under 16 after a year in care (a
///   long-term placement ending, a move to relatives or to a better-matched carer), at
///   [`LATE_MOVE_RATE`] times the authority's `late` setting.
///
/// `planned` holds the dates of the planned changes of carer. Piecewise-constant hazard
/// over 30-day steps (180-day steps once it is flat: two years into care and with the
/// carer, no birthday or planned move within the step).
fn random_moves<R: Rng>(
    cc: &ChildCtx,
    rng: &mut R,
    start: NaiveDate,
    sim_end: NaiveDate,
    kind: Kind,
    planned: &[NaiveDate],
) -> Vec<NaiveDate> {
    // 30-day steps while the hazard changes quickly, longer ones once it is nearly flat.
    const STEP: i64 = 30;
    const LONG_STEP: i64 = 180;
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    let instability = (INSTABILITY_SIGMA * z - INSTABILITY_SIGMA * INSTABILITY_SIGMA / 2.0).exp();
    let settings = cc.ctx.settings;
    let mobility = settings.mobility * instability;
    let mut out = Vec::new();
    let mut t = start;
    let mut last_move = start;
    let mut age = cc.age(t);
    let mut next_birthday = add_years(cc.dob, age + 1);
    while t < sim_end {
        while t >= next_birthday {
            age += 1;
            next_birthday = add_years(cc.dob, age + 1);
        }
        let last_change = planned
            .iter()
            .copied()
            .filter(|&d| d <= t)
            .fold(last_move, NaiveDate::max);
        let in_care = (t - start).num_days();
        let with_carer = (t - last_change).num_days();
        let early = if in_care < 1200 {
            1.0 + 0.3 * (-(in_care as f64) / 120.0).exp()
        } else {
            1.0
        };
        let fresh = if with_carer < 1500 {
            1.0 + 1.5 * (-(with_carer as f64) / 150.0).exp()
        } else {
            1.0
        };
        let late = if kind == Kind::Normal && age < 16 && in_care >= 365 {
            LATE_MOVE_RATE * settings.late
        } else {
            0.0
        };
        let rate = base_move_rate(age, kind) * mobility * early * fresh + late;
        // Long steps only where nothing changes within them (no birthday, no planned move).
        let step = if in_care > 730
            && with_carer > 730
            && t + days(LONG_STEP) <= next_birthday
            && !planned.iter().any(|&d| d > t && d <= t + days(LONG_STEP))
        {
            LONG_STEP
        } else {
            STEP
        };
        let u: f64 = rng.random::<f64>().max(1e-12);
        let wait = -u.ln() * 365.0 / rate.max(1e-6);
        if wait < step as f64 {
            t += days((wait.ceil() as i64).max(1));
            if t >= sim_end {
                break;
            }
            out.push(t);
            last_move = t;
        } else {
            t += days(step);
        }
    }
    out
}

/// Simulates one period of care starting `start`.
fn simulate_period<R: Rng>(
    cc: &ChildCtx,
    rng: &mut R,
    start: NaiveDate,
    kind: Kind,
    prev_rec: Option<&'static str>,
) -> Period {
    use Outcome::*;
    let ctx = cc.ctx;
    let dob = cc.dob;
    let age = cc.age(start);
    let b18 = add_years(dob, 18);
    let stay = ctx.settings.stay;
    let outcome = choose_outcome(rng, age, kind, cc.male, stay);
    let cin = match (kind, outcome) {
        (Kind::Uasc, _) => {
            if rng.random_bool(0.85) {
                "N8"
            } else {
                "N4"
            }
        }
        (_, Remand) => "N6",
        _ => pick(rng, codes::CIN_MIX),
    };

    // --- legal status timeline and planned end ---------------------------------------
    let mut ls: Vec<(NaiveDate, &'static str)> = Vec::new();
    let court_p = match age {
        0 => 0.9,
        1..=4 => 0.85,
        5..=9 => 0.8,
        10..=15 => 0.6,
        _ => 0.25,
    };
    let court = match outcome {
        Adoption | Sgo | Cao => true,
        LongTerm if kind == Kind::Normal && age < 16 => rng.random_bool(0.92),
        AdoptionConsent | Remand | Transfer | Independent | AgeAssessed | Abroad => false,
        Short => false,
        _ => kind == Kind::Normal && rng.random_bool(court_p),
    };
    let mut end: NaiveDate;
    // Planned events (date, what).
    let mut adoption_placement: Option<NaiveDate> = None;
    let mut final_hearing: Option<NaiveDate> = None;
    // Placement with parents under a care order, from this date to the end of the period.
    let mut with_parents: Option<NaiveDate> = None;
    match outcome {
        Short => {
            let x: f64 = rng.random();
            if x < 0.2 {
                ls.push((start, "L1"));
                end = start + days(rng.random_range(1..=2));
            } else if x < 0.35 {
                ls.push((start, "L2"));
                end = start + days(rng.random_range(4..=18));
            } else {
                ls.push((start, "V2"));
                end = start + days(rng.random_range(3..=60));
            }
        }
        Remand => {
            ls.push((start, "J1"));
            end = start + days(lognormal_days(rng, 45.0, 0.7, 7, 240));
        }
        _ if court => {
            let mut t = start;
            if rng.random_bool(0.12) {
                if rng.random_bool(0.5) {
                    ls.push((t, "L1"));
                    t += days(rng.random_range(1..=2));
                } else {
                    ls.push((t, "L2"));
                    t += days(rng.random_range(4..=14));
                }
            }
            if rng.random_bool(0.3) {
                ls.push((t, "V2"));
                t += days(rng.random_range(30..=200));
            }
            ls.push((t, "C1"));
            let fh = t + days(rng.random_range(120..=330));
            final_hearing = Some(fh);
            match outcome {
                Adoption => {
                    ls.push((fh, "E1"));
                    let placed = fh + days(rng.random_range(45..=200));
                    adoption_placement = Some(placed);
                    end = placed + days(rng.random_range(150..=400));
                }
                Sgo | Cao => {
                    end = if rng.random_bool(0.65) {
                        fh
                    } else {
                        ls.push((fh, "C2"));
                        fh + days(rng.random_range(90..=700))
                    };
                }
                LongTerm => {
                    ls.push((fh, "C2"));
                    end = b18;
                    // Some long-term children later go home or to relatives.
                    if age < 14 && rng.random_bool(0.12) {
                        end = fh + days(rng.random_range(365..6 * 365));
                    }
                }
                // Most children who go home after care proceedings are first placed with
                // their parents under the (interim) care order, often for about a year,
                // before the order is discharged: placed-with-parents children are ~7% of
                // those looked after.
                ReturnHome if rng.random_bool(0.75) => {
                    let home = t + days(rng.random_range(45..=300));
                    with_parents = Some(home);
                    let stay_home = lognormal_days(rng, 380.0 * stay.sqrt(), 0.6, 60, 5 * 365);
                    end = home + days(stay_home);
                    if end > fh {
                        ls.push((fh, "C2"));
                    }
                }
                _ => {
                    let dur = lognormal_days(rng, 400.0 * stay, 0.9, 14, 6 * 365);
                    end = start + days(dur);
                    if end > fh {
                        ls.push((fh, "C2"));
                    }
                }
            }
        }
        AdoptionConsent => {
            ls.push((start, "V2"));
            let placed = start + days(rng.random_range(40..=200));
            adoption_placement = Some(placed);
            end = placed + days(rng.random_range(110..=300));
        }
        _ => {
            ls.push((start, "V2"));
            end = match outcome {
                LongTerm => b18,
                Transfer => start + days(rng.random_range(10..=400)),
                AgeAssessed => start + days(rng.random_range(20..=200)),
                Abroad => start + days(rng.random_range(30..=500)),
                Independent => {
                    let lo = add_years(dob, 16).max(start + days(30));
                    if lo >= b18 - days(10) {
                        b18
                    } else {
                        lo + days(rng.random_range(0..(b18 - lo).num_days() - 5))
                    }
                }
                Relatives => start + days(lognormal_days(rng, 300.0 * stay, 0.9, 14, 5 * 365)),
                _ => {
                    let med = (if age >= 10 { 260.0 } else { 360.0 }) * stay;
                    start + days(lognormal_days(rng, med, 1.0, 7, 6 * 365))
                }
            };
        }
    }
    let mut rec_override = None;
    if end >= b18 {
        end = b18;
        rec_override = Some("AGE18");
    }
    if end <= start {
        end = start + days(1);
    }
    // Drop legal-status changes on or after the end.
    ls.retain(|(d, _)| *d < end);
    // The placement order precedes any adoptive placement; if the period ends first the
    // adoption does not happen.
    if let Some(pd) = adoption_placement
        && pd >= end - days(30)
    {
        adoption_placement = None;
    }
    let sim_end = end.min(ctx.horizon + days(1));
    // A period that ended before any return needs its details is simulated in outline only
    // (legal statuses and planned placements, no random moves, temporary placements,
    // reviews or missing spells): it is cut away, only its dates and leaving code matter.
    let detailed = end > ctx.horizon || end >= ctx.detail_from;

    // --- placements ----------------------------------------------------------------------
    let mut segs: Vec<Seg> = Vec::new();
    let first_type: &'static str = match (kind, outcome) {
        (Kind::Uasc, _) => {
            let x: f64 = rng.random();
            if age < 16 {
                if x < 0.75 { "U6" } else { "K2" }
            } else if x < 0.55 {
                semi_independent_code(start)
            } else if x < 0.9 {
                "U6"
            } else {
                "K2"
            }
        }
        (_, Remand) => {
            let x: f64 = rng.random();
            if x < 0.4 {
                "K2"
            } else if x < 0.7 {
                "U6"
            } else if x < 0.9 || age < 15 {
                "K1"
            } else {
                "R5"
            }
        }
        _ => {
            let x: f64 = rng.random();
            if age == 0 {
                if outcome == Adoption && x < 0.3 {
                    "U5"
                } else if x < 0.06 && cc.age(start) == 0 {
                    "R3"
                } else if x < 0.22 {
                    "U3"
                } else {
                    "U6"
                }
            } else if age < 10 {
                if x < 0.2 { "U3" } else { "U6" }
            } else if age < 16 {
                if x < 0.12 {
                    "U3"
                } else if x < 0.40 {
                    "K2"
                } else {
                    "U6"
                }
            } else if x < 0.08 {
                "U3"
            } else if x < 0.30 {
                "K2"
            } else if x < 0.58 {
                semi_independent_code(start)
            } else {
                "U6"
            }
        }
    };
    segs.push(cc.placement(rng, start, first_type, None, None));

    // Planned events and random moves.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Ev {
        Move,
        EmergencyMove,
        LongTerm,
        LongTermNew,
        Adopt,
        ToKin,
        ToParents,
        SemiIndependent,
    }
    let mut events: Vec<(NaiveDate, Ev)> = Vec::new();
    // An emergency first placement followed within days by a planned one.
    let p_emergency = (EMERGENCY_MOVE_P * ctx.settings.mobility).min(0.5);
    if first_type != "R3"
        && kind == Kind::Normal
        && outcome != Short
        && rng.random_bool(p_emergency)
    {
        events.push((start + days(rng.random_range(3..=30)), Ev::EmergencyMove));
    }
    if let Some(pd) = adoption_placement {
        events.push((pd, Ev::Adopt));
    }
    if matches!(outcome, Sgo) && rng.random_bool(0.5) {
        let d = end - days(rng.random_range(90..=270));
        events.push((d, Ev::ToKin));
    }
    if let Some(d) = with_parents {
        events.push((d, Ev::ToParents));
    }
    // Long-term children are matched with a long-term carer some months into care, after
    // the final hearing when there are care proceedings. For half that is a move to a new
    // carer (implementing the care plan); otherwise the present carer becomes the long-term
    // one, recorded for half of those as a new episode (U6 → U4 or U3 → U1, same carer).
    if outcome == LongTerm {
        let d = match final_hearing {
            Some(fh) => fh + days(rng.random_range(0..=150)),
            None => start + days(rng.random_range(150..=420)),
        };
        if rng.random_bool(0.5) {
            events.push((d, Ev::LongTermNew));
        } else if rng.random_bool(0.5) {
            events.push((d, Ev::LongTerm));
        }
        let d16 = add_years(dob, 16) + days(rng.random_range(0..500));
        if d16 > start && rng.random_bool(0.35) {
            events.push((d16, Ev::SemiIndependent));
        }
    }
    // Random changes of carer.
    let planned: Vec<NaiveDate> = events
        .iter()
        .filter(|(_, e)| *e != Ev::LongTerm)
        .map(|&(d, _)| d)
        .collect();
    if detailed {
        for d in random_moves(cc, rng, start, sim_end, kind, &planned) {
            events.push((d, Ev::Move));
        }
    }
    events.retain(|(d, _)| *d > start && *d < sim_end - days(3));
    // Planned events win over random moves close to them.
    let planned: Vec<NaiveDate> = events
        .iter()
        .filter(|(_, e)| *e != Ev::Move)
        .map(|(d, _)| *d)
        .collect();
    events
        .retain(|(d, e)| *e != Ev::Move || planned.iter().all(|p| (*p - *d).num_days().abs() > 10));
    events.sort_by_key(|(d, _)| *d);
    let mut last = start;
    let mut kept = Vec::new();
    for (d, e) in events {
        if d < last + days(7) {
            continue;
        }
        // Nothing but the adoption itself once placed for adoption.
        last = d;
        kept.push((d, e));
    }
    let mut placed_for_adoption = false;
    for (d, e) in kept {
        let cur = segs.last().expect("first placement").clone();
        if placed_for_adoption {
            break;
        }
        let ls_now = ls
            .iter()
            .rev()
            .find(|(s, _)| *s <= d)
            .map(|(_, l)| *l)
            .unwrap_or("V2");
        if ls_now == "J1" && e != Ev::Move {
            continue;
        }
        let new = match e {
            Ev::EmergencyMove => {
                let t = cc.move_type(rng, d);
                Some(cc.placement(rng, d, t, cur.pl, Some("CARPL")))
            }
            Ev::Move => {
                if cur.place == "P1" {
                    continue;
                }
                let t = if kind == Kind::Uasc && cc.age(d) >= 16 && rng.random_bool(0.6) {
                    semi_independent_code(d)
                } else if ls_now == "J1" {
                    if rng.random_bool(0.5) { "K2" } else { "U6" }
                } else {
                    cc.move_type(rng, d)
                };
                let reason = pick(rng, codes::MOVE_REASON_MIX);
                Some(cc.placement(rng, d, t, cur.pl, Some(reason)))
            }
            Ev::LongTermNew => {
                let t = match cur.place {
                    "U1" | "U3" => "U1",
                    _ if cc.age(d) >= 16 && rng.random_bool(0.5) => semi_independent_code(d),
                    _ => "U4",
                };
                Some(cc.placement(rng, d, t, cur.pl, Some("CARPL")))
            }
            Ev::LongTerm => match cur.place {
                "U6" | "U3" => Some(Seg {
                    start: d,
                    place: if cur.place == "U6" { "U4" } else { "U1" },
                    same_carer: true,
                    reason: Some("CARPL"),
                    ..cur.clone()
                }),
                _ => None,
            },
            Ev::Adopt => {
                placed_for_adoption = true;
                if outcome == AdoptionConsent {
                    // A4 must follow a foster placement (rule 336).
                    if is_foster(cur.place) {
                        Some(cc.placement(rng, d, "A4", cur.pl, Some("CARPL")))
                    } else {
                        placed_for_adoption = false;
                        None
                    }
                } else if ls_now == "E1" && cur.place == "U5" {
                    Some(Seg {
                        start: d,
                        place: "A5",
                        same_carer: true,
                        reason: Some("CARPL"),
                        ..cur.clone()
                    })
                } else if ls_now == "E1" {
                    Some(cc.placement(rng, d, "A6", cur.pl, Some("CARPL")))
                } else {
                    None
                }
            }
            Ev::ToKin => {
                if matches!(cur.place, "U1" | "U3") {
                    None
                } else {
                    Some(cc.placement(rng, d, "U3", cur.pl, Some("CARPL")))
                }
            }
            Ev::ToParents => {
                if matches!(ls_now, "C1" | "C2") {
                    Some(cc.placement(rng, d, "P1", cur.pl, Some("CARPL")))
                } else {
                    None
                }
            }
            Ev::SemiIndependent => {
                if cc.age(d) >= 16 && !matches!(cur.place, "H5" | "K3") {
                    Some(cc.placement(rng, d, semi_independent_code(d), cur.pl, Some("CARPL")))
                } else {
                    None
                }
            }
        };
        if let Some(mut s) = new {
            // Semi-independent and K3 only from 16 (rules 370/371).
            if matches!(s.place, "H5" | "K3") && cc.age(d) < 16 {
                s = cc.placement(rng, d, "U6", cur.pl, s.reason);
            }
            if s.place == "S1" && cc.age(d) < 4 {
                continue;
            }
            segs.push(s);
        }
    }

    // Supported accommodation had to register with Ofsted from 28 October 2023: H5
    // placements running then gain a URN (same provider); from 2024-25 registered
    // supported accommodation is K3, and H5 placements still running in April 2024 become
    // K3 by the end of September.
    {
        let reg = supported_accommodation_regulated();
        let mut i = 0;
        while i < segs.len() {
            if segs[i].place == "H5" && segs[i].urn.is_none() {
                let seg_end = segs.get(i + 1).map(|s| s.start).unwrap_or(sim_end);
                if segs[i].start < reg && seg_end > reg {
                    let d = reg;
                    if d > segs[i].start + days(1) && d < seg_end {
                        let mut with_urn = segs[i].clone();
                        with_urn.start = d;
                        with_urn.same_carer = true;
                        with_urn.reason = Some("PLACE");
                        with_urn.urn = Some(urn_for(ctx, with_urn.pl.expect("pl"), 2, true));
                        segs.insert(i + 1, with_urn);
                        i += 1;
                    } else {
                        // Too close to a change to split: register from the start.
                        segs[i].urn = Some(urn_for(ctx, segs[i].pl.expect("pl"), 2, true));
                    }
                }
            }
            i += 1;
        }
        let conv_lo = NaiveDate::from_ymd_opt(2024, 4, 1).expect("date");
        let mut i = 0;
        while i < segs.len() {
            if segs[i].place == "H5" {
                let seg_end = segs.get(i + 1).map(|s| s.start).unwrap_or(sim_end);
                let d = conv_lo + days(rng.random_range(0..183));
                if d > segs[i].start + days(7) && d < seg_end - days(3) {
                    let mut k3 = segs[i].clone();
                    k3.start = d;
                    k3.place = "K3";
                    k3.same_carer = true;
                    k3.reason = Some("PLACE");
                    k3.urn = Some(urn_for(ctx, k3.pl.expect("pl"), 3, true));
                    segs.insert(i + 1, k3);
                    i += 1;
                }
            }
            i += 1;
        }
    }

    // Occasional temporary placements inside long foster placements (rule 383 pattern).
    if detailed {
        let mut t3_used = 0;
        let mut i = 0;
        while i < segs.len() {
            let seg_end = segs.get(i + 1).map(|s| s.start).unwrap_or(sim_end);
            let len = (seg_end - segs[i].start).num_days();
            let foster = is_foster(segs[i].place);
            let p = (len as f64 / 365.0 * 0.07).min(0.3);
            if foster && len > 120 && rng.random_bool(p) {
                let x: f64 = rng.random();
                let (code, dur) = if x < 0.5 && t3_used < 1 {
                    ("T3", rng.random_range(7..=20))
                } else if x < 0.8 {
                    ("T1", rng.random_range(2..=20))
                } else {
                    ("T4", rng.random_range(2..=6))
                };
                let lo = segs[i].start + days(20);
                let hi = seg_end - days(20 + dur);
                if hi > lo {
                    let d = lo + days(rng.random_range(0..=(hi - lo).num_days()));
                    let back = d + days(dur);
                    let clash = ls
                        .iter()
                        .any(|(s, _)| *s >= d - days(2) && *s <= back + days(2));
                    if !clash {
                        if code == "T3" {
                            t3_used += 1;
                        }
                        let base = segs[i].clone();
                        let tpl =
                            ctx.geo
                                .pick_placement(rng, cc.home, false, base.pl.unwrap_or(cc.home));
                        let temp = Seg {
                            start: d,
                            place: code,
                            provider: None,
                            urn: None,
                            pl: Some(tpl),
                            same_carer: false,
                            reason: None,
                        };
                        let ret = Seg {
                            start: back,
                            reason: None,
                            same_carer: false,
                            ..base
                        };
                        segs.insert(i + 1, temp);
                        segs.insert(i + 2, ret);
                        i += 2;
                    }
                }
            }
            i += 1;
        }
    }

    // --- episodes ----------------------------------------------------------------------------
    let mut bounds: Vec<NaiveDate> = ls
        .iter()
        .map(|(d, _)| *d)
        .chain(segs.iter().map(|s| s.start))
        .filter(|d| *d < sim_end)
        .collect();
    bounds.sort();
    bounds.dedup();
    let ls_at = |d: NaiveDate| -> &'static str {
        ls.iter()
            .rev()
            .find(|(s, _)| *s <= d)
            .map(|(_, l)| *l)
            .expect("legal status from the start")
    };
    let seg_at = |d: NaiveDate| -> usize {
        segs.iter()
            .rposition(|s| s.start <= d)
            .expect("placement from the start")
    };
    let final_rec = period_rec(rng, outcome, rec_override, &segs, cin);
    let open = end > ctx.horizon;
    let mut eps: Vec<Ep> = Vec::with_capacity(bounds.len());
    for (k, &b) in bounds.iter().enumerate() {
        let si = seg_at(b);
        let s = &segs[si];
        let l = ls_at(b);
        let rne = if k == 0 {
            "S"
        } else {
            let ls_changed = ls_at(b - days(1)) != l;
            let seg_changed = s.start == b;
            match (ls_changed, seg_changed) {
                (true, false) => "L",
                (false, true) if s.same_carer => "T",
                (false, true) => "P",
                (true, true) if s.same_carer => "U",
                (true, true) => "B",
                (false, false) => unreachable!("boundary without change"),
            }
        };
        let next = bounds.get(k + 1).copied();
        let (dec, rec) = match next {
            Some(n) => (Some(n), Some("X1")),
            None if open => (None, None),
            None => (Some(end), Some(final_rec)),
        };
        eps.push(Ep {
            decom: b,
            dec,
            rne,
            ls: l,
            cin,
            place: s.place,
            provider: s.provider,
            rec,
            reason: None,
            // UASC have no home address in England: HOME_POST is left blank, so no
            // distance is derived (rule 406).
            home: (kind != Kind::Uasc).then_some(cc.home),
            pl: s.pl,
            urn: s.urn.clone(),
        });
    }
    // REASON_PLACE_CHANGE on the episode that ends with a change of placement.
    for k in 0..eps.len().saturating_sub(1) {
        let next = &eps[k + 1];
        if matches!(next.rne, "P" | "B" | "T" | "U")
            && !codes::is_temporary(eps[k].place)
            && !codes::is_temporary(next.place)
        {
            let si = seg_at(next.decom);
            eps[k].reason = Some(segs[si].reason.unwrap_or("CARPL"));
        }
    }

    // --- reviews ---------------------------------------------------------------------------
    let reviews = if detailed {
        reviews_for(
            cc,
            rng,
            start,
            if open { None } else { Some(end) },
            ctx.horizon,
        )
    } else {
        Vec::new()
    };

    // --- missing spells ----------------------------------------------------------------------
    let missing = if detailed {
        missing_for(cc, rng, &eps)
    } else {
        Vec::new()
    };

    // --- social workers ------------------------------------------------------------------
    let sw = sw_for(ctx, rng, start, if open { None } else { Some(end) });

    let prev_perm = prev_perm_for(ctx, rng, dob, start, prev_rec);
    Period {
        start,
        end: if open { None } else { Some(end) },
        rec: if open { None } else { Some(final_rec) },
        episodes: eps,
        reviews,
        missing,
        sw,
        prev_perm,
        short_break: false,
    }
}

fn period_rec<R: Rng>(
    rng: &mut R,
    outcome: Outcome,
    rec_override: Option<&'static str>,
    segs: &[Seg],
    cin: &str,
) -> &'static str {
    use Outcome::*;
    let last = segs.last().map(|s| s.place).unwrap_or("U6");
    let x: f64 = rng.random();
    if rec_override == Some("AGE18") {
        return match last {
            p if is_foster(p) => {
                if x < 0.55 {
                    "E17"
                } else if x < 0.8 {
                    "E8"
                } else {
                    "E5"
                }
            }
            "H5" | "K3" => {
                if x < 0.55 {
                    "E5"
                } else if x < 0.75 {
                    "E6"
                } else {
                    "E8"
                }
            }
            "K2" if cin == "N2" && x < 0.5 => "E7",
            "K2" if x < 0.45 => "E5",
            _ => "E8",
        };
    }
    match outcome {
        Short => {
            if x < 0.7 {
                "E4A"
            } else if x < 0.9 {
                "E13"
            } else {
                "E4B"
            }
        }
        ReturnHome => {
            if x < 0.85 {
                "E4A"
            } else {
                "E4B"
            }
        }
        Relatives => "E13",
        Cao => "E41",
        // E45/E46 (SGO to former foster carers) need a foster placement (rule 516).
        Sgo => match last {
            "U1" | "U3" => "E45",
            p if is_foster(p) && x < 0.3 => "E46",
            _ => {
                if x < 0.92 {
                    "E47"
                } else {
                    "E48"
                }
            }
        },
        Adoption | AdoptionConsent => {
            if matches!(last, "A3" | "A4" | "A5" | "A6") {
                if x < 0.88 { "E11" } else { "E12" }
            } else {
                // The adoptive placement did not happen in time: care ends otherwise.
                "E4A"
            }
        }
        Transfer => "E3",
        Independent => {
            if x < 0.7 {
                "E5"
            } else {
                "E6"
            }
        }
        AgeAssessed => "E15",
        Abroad => "E16",
        Remand => "E14",
        LongTerm => {
            if x < 0.5 {
                "E4A"
            } else if x < 0.8 {
                if is_foster(last) { "E45" } else { "E47" }
            } else {
                "E13"
            }
        }
    }
}

/// Statutory reviews: first within 20 working days, second within 3 months, then every
/// 6 months, with realistic lateness.
fn reviews_for<R: Rng>(
    cc: &ChildCtx,
    rng: &mut R,
    start: NaiveDate,
    end: Option<NaiveDate>,
    horizon: NaiveDate,
) -> Vec<(NaiveDate, &'static str)> {
    let mut out = Vec::new();
    let limit = end.unwrap_or(horizon + days(1)).min(horizon + days(1));
    let mut prev = start;
    let mut due = add_working_days(start, 20);
    let mut n = 0;
    loop {
        let x: f64 = rng.random();
        let held = if x < 0.88 {
            // On time: usually a little before the due date.
            let early = if n == 0 {
                rng.random_range(0..=8)
            } else {
                rng.random_range(0..=21)
            };
            working_day_on_or_before(due - days(early))
        } else if x < 0.95 {
            working_day_on_or_after(due + days(rng.random_range(1..=7)))
        } else {
            working_day_on_or_after(due + days(rng.random_range(8..=45)))
        };
        let held = if held <= prev {
            working_day_on_or_after(prev + days(1))
        } else {
            held
        };
        if held >= limit {
            break;
        }
        out.push((held, participation(cc, rng, held)));
        prev = held;
        n += 1;
        due = if n == 1 {
            add_months(held, 3)
        } else {
            add_months(held, 6)
        };
    }
    out
}

fn participation<R: Rng>(cc: &ChildCtx, rng: &mut R, on: NaiveDate) -> &'static str {
    if on < add_years(cc.dob, 4) {
        "PN0"
    } else if on < add_years(cc.dob, 8) {
        pick(rng, codes::PARTICIPATION_YOUNG_MIX)
    } else {
        pick(rng, codes::PARTICIPATION_MIX)
    }
}

/// Missing and away spells for some children aged 11 and over.
fn missing_for<R: Rng>(cc: &ChildCtx, rng: &mut R, eps: &[Ep]) -> Vec<MissingSpell> {
    let mut out = Vec::new();
    let from11 = add_years(cc.dob, 11);
    let resi = eps.iter().any(|e| matches!(e.place, "K2" | "H5" | "K3"));
    let p = if resi { 0.35 } else { 0.1 };
    if eps.last().map(|e| e.dec.unwrap_or(cc.ctx.horizon)) < Some(from11) || !rng.random_bool(p) {
        return out;
    }
    let rate_per_day = rng.random_range(1.0..8.0) / 365.0;
    for e in eps {
        if codes::is_temporary(e.place) || e.ls == "J1" {
            continue;
        }
        let lo = e.decom.max(from11) + days(1);
        let hi = e.dec.unwrap_or(cc.ctx.horizon).min(cc.ctx.horizon) - days(2);
        let mut t = lo;
        loop {
            t += days(exp_days(rng, 1.0 / rate_per_day).max(2));
            if t >= hi {
                break;
            }
            let len = if rng.random_bool(0.45) {
                0
            } else {
                rng.random_range(1..=3)
            };
            let mut end = t + days(len);
            if end >= hi {
                end = t;
            }
            // Keep each spell inside one collection year (no spell open at 31 March).
            if collection_year_of(end) != collection_year_of(t) {
                end = year_end(collection_year_of(t));
            }
            out.push(MissingSpell {
                kind: if rng.random_bool(0.75) { "M" } else { "A" },
                start: t,
                end,
            });
            t = end + days(1);
        }
    }
    out
}

/// Social-worker allocations from the start of care (first contact) to a little after care
/// ends.
fn sw_for<R: Rng>(
    ctx: &Ctx,
    rng: &mut R,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Vec<SwAlloc> {
    let mut out = Vec::new();
    // Social-worker episodes are collected from 2023-24; earlier allocations are not needed
    // beyond the one running on 1 April 2022.
    if end.is_some_and(|e| e < NaiveDate::from_ymd_opt(2022, 4, 1).expect("date")) {
        return out;
    }
    // No allocation ends in the last six days of March (the validator's SW11b reads any
    // such end as "no successor").
    let shift = |d: NaiveDate| -> NaiveDate {
        let ye = year_end(collection_year_of(d));
        if d > ye - days(6) { ye + days(2) } else { d }
    };
    let stop = match end {
        Some(e) => {
            let mut sw_end = e + days(rng.random_range(0..=28));
            if collection_year_of(sw_end) != collection_year_of(e) {
                sw_end = e;
            }
            Some(shift(sw_end))
        }
        None => None,
    };
    let mut t = start;
    let mut reason = "FCONTA";
    let mut worker = rng.random_range(0..ctx.sw_ids.len());
    loop {
        let next = shift(t + days((exp_days(rng, 150.0) + exp_days(rng, 150.0)).max(45)));
        // Changes of worker happen while the child is looked after (rule SW12 reads a new
        // allocation after the end of care as an error); the last one runs on a little.
        let limit = end.unwrap_or(ctx.horizon + days(1));
        if next >= limit || next > ctx.horizon {
            out.push(SwAlloc {
                sw_id: ctx.sw_ids[worker].clone(),
                start: t,
                end: stop.filter(|s| *s <= ctx.horizon),
                reason,
            });
            break;
        }
        out.push(SwAlloc {
            sw_id: ctx.sw_ids[worker].clone(),
            start: t,
            end: Some(next),
            reason,
        });
        t = next;
        reason = pick(rng, codes::SW_REASON_MIX);
        let mut w = rng.random_range(0..ctx.sw_ids.len());
        if w == worker {
            w = (w + 1) % ctx.sw_ids.len();
        }
        worker = w;
    }
    out
}

fn prev_perm_for<R: Rng>(
    ctx: &Ctx,
    rng: &mut R,
    dob: NaiveDate,
    start: NaiveDate,
    prev_rec: Option<&'static str>,
) -> PrevPermRec {
    let code = match prev_rec {
        Some("E45" | "E46" | "E47" | "E48") => "P2",
        Some("E41") => "P3",
        Some(_) => "Z1",
        None => {
            let x: f64 = rng.random();
            if x < 0.86 {
                "Z1"
            } else if x < 0.91 {
                "P4"
            } else if x < 0.95 {
                "P2"
            } else if x < 0.98 {
                "P3"
            } else {
                "P1"
            }
        }
    };
    if code == "Z1" {
        return PrevPermRec {
            code,
            la: None,
            date: None,
        };
    }
    let lo = dob + days(180);
    let hi = start - days(60);
    if hi <= lo {
        return PrevPermRec {
            code: "Z1",
            la: None,
            date: None,
        };
    }
    let date = lo + days(rng.random_range(0..=(hi - lo).num_days()));
    let la = if rng.random_bool(0.7) || ctx.other_las.is_empty() {
        ctx.la_code
    } else {
        ctx.other_las[rng.random_range(0..ctx.other_las.len())]
    };
    PrevPermRec {
        code,
        la: Some(la),
        date: Some(date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upn_is_well_formed() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for _ in 0..100 {
            let u = make_upn(&mut rng, 800, NaiveDate::from_ymd_opt(2012, 5, 6).unwrap());
            assert_eq!(u.len(), 13);
            let first = u.chars().next().unwrap();
            assert!(first.is_ascii_uppercase() && !"IOS".contains(first));
            assert!(u[1..].bytes().all(|b| b.is_ascii_digit()));
            assert!(u[1..].starts_with("800"));
        }
    }
}
