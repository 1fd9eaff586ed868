//! Deterministic synthetic SSDA903 data for IRO Analytics tests, benches and the bundled
//! sample.
//!
//! Each child's whole history is simulated (birth, periods of care, legal statuses,
//! placements, reviews, missing spells, social-worker allocations), then every collection
//! year's return is cut from the histories as the DfE collection does: a year's Episodes
//! file holds every episode overlapping 1 April–31 March, including the one open on
//! 1 April, with DEC/REC blank when still open on 31 March. No real child's data is used;
//! identifiers are made up.
//!
//! ```no_run
//! let cfg = iro_testkit::Config::small(2, 60, 2023, 2025, 7);
//! let data = iro_testkit::generate(&cfg);
//! iro_testkit::write_dataset(&data, std::path::Path::new("/tmp/iro-903")).unwrap();
//! ```

#![forbid(unsafe_code)]

pub mod calendar;
pub mod calibration;
pub mod check;
pub mod codes;
pub mod geo;
mod model;
pub mod returns;
pub mod service;
pub mod write;
pub mod xml;

use std::path::Path;
use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::calendar::{year_end, year_start};
use crate::calibration::{LaProfile, Settings};
use crate::geo::Geography;
use crate::model::{Child, Ctx, Kind, simulate_child};
pub use crate::returns::{
    EpisodeRow, HeaderRow, MissingRow, Oc2Row, Oc3Row, PrevPermRow, ReviewRow, SwEpisodeRow,
    UascRow, YearCounts, YearReturn,
};

/// Seed of the bundled sample (`iro-testkit sample`).
pub const SAMPLE_SEED: u64 = 903;

/// Default national total of children looked after at 31 March.
pub const NATIONAL_CLA: u32 = 80_000;

/// The DfE authorities bundled with the crate (`data/authorities.csv`: 3-digit code, name,
/// ONS code, region, children looked after at 31 March 2025 from DfE statistics).
pub const AUTHORITIES_CSV: &str = include_str!("../data/authorities.csv");

/// One authority to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthoritySpec {
    /// DfE 3-digit code (e.g. 800).
    pub code: u16,
    /// Name, for summaries.
    pub name: String,
    /// ONS upper-tier code (E06…, E08…, E09…, E10…); real postcodes are used when the
    /// bundled list has some for it.
    pub ons_code: String,
    /// Children looked after at 31 March the simulation aims for (V3/V4 excluded): at
    /// 31 March 2025, other years following the authority's published numbers when it has
    /// a [`calibration`] profile (the same number every year otherwise).
    pub target_cla: u32,
}

/// Which postcodes to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Postcodes {
    /// Real postcodes from the bundled list where it covers the authority, made-up
    /// postcodes otherwise.
    Real,
    /// Made-up, plausible-looking postcodes everywhere.
    Synthetic,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Seed: the same configuration and seed give byte-identical files.
    pub seed: u64,
    /// First collection year (the year the return ends: 2021 = 2020-21).
    pub first_year: i32,
    /// Last collection year.
    pub last_year: i32,
    /// Authorities.
    pub authorities: Vec<AuthoritySpec>,
    /// Postcode source.
    pub postcodes: Postcodes,
    /// Also make the IRO service's own records (reviews, allocations, midway
    /// reviews, DRP log; [`service`]) and write them beside the returns.
    pub service_records: bool,
}

/// The bundled list of English authorities (153, those with children's services in 2025).
pub fn english_authorities() -> &'static [AuthoritySpec] {
    static LIST: OnceLock<Vec<AuthoritySpec>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut r = csv::Reader::from_reader(AUTHORITIES_CSV.as_bytes());
        r.records()
            .map(|rec| {
                let rec = rec.expect("bundled authorities.csv");
                AuthoritySpec {
                    code: rec[0].parse().expect("code"),
                    name: rec[1].to_string(),
                    ons_code: rec[2].to_string(),
                    target_cla: rec[4].parse().expect("count"),
                }
            })
            .collect()
    })
}

impl Config {
    /// The bundled sample: Bath and North East Somerset (800), Medway (887) and South
    /// Gloucestershire (803), collection years 2021–2025, real postcodes, seed
    /// [`SAMPLE_SEED`]. Each authority follows its published numbers looked after at each
    /// 31 March (220, 495 and 207 in 2025) and the rest of its [`calibration`] profile.
    pub fn sample() -> Config {
        let spec = |code: u16, name: &str, ons: &str, target: u32| AuthoritySpec {
            code,
            name: name.to_string(),
            ons_code: ons.to_string(),
            target_cla: target,
        };
        Config {
            seed: SAMPLE_SEED,
            first_year: 2021,
            last_year: 2025,
            authorities: vec![
                spec(800, "Bath and North East Somerset", "E06000022", 220),
                spec(887, "Medway", "E06000035", 495),
                spec(803, "South Gloucestershire", "E06000025", 207),
            ],
            postcodes: Postcodes::Real,
            service_records: true,
        }
    }

    /// A national-scale set: all 153 English authorities, sized as in DfE statistics
    /// (31 March 2025) and scaled to [`NATIONAL_CLA`] in all, collection years 2021–2025,
    /// made-up postcodes.
    pub fn national(seed: u64) -> Config {
        Config::national_scaled(seed, NATIONAL_CLA)
    }

    /// As [`Config::national`] with another national total.
    pub fn national_scaled(seed: u64, total_cla: u32) -> Config {
        let all = english_authorities();
        let sum: f64 = all.iter().map(|a| f64::from(a.target_cla)).sum();
        let authorities = all
            .iter()
            .map(|a| AuthoritySpec {
                target_cla: ((f64::from(a.target_cla) * f64::from(total_cla) / sum).round() as u32)
                    .max(2),
                ..a.clone()
            })
            .collect();
        Config {
            seed,
            first_year: 2021,
            last_year: 2025,
            authorities,
            postcodes: Postcodes::Synthetic,
            service_records: false,
        }
    }

    /// A small configuration for tests: the first `n` bundled authorities (in code order)
    /// with `target_cla` each.
    pub fn small(n: usize, target_cla: u32, first_year: i32, last_year: i32, seed: u64) -> Config {
        Config {
            seed,
            first_year,
            last_year,
            authorities: english_authorities()
                .iter()
                .take(n)
                .map(|a| AuthoritySpec {
                    target_cla,
                    ..a.clone()
                })
                .collect(),
            postcodes: Postcodes::Synthetic,
            service_records: false,
        }
    }

    /// Collection years covered, in order.
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.first_year..=self.last_year
    }
}

/// One authority's returns.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorityData {
    /// The authority.
    pub spec: AuthoritySpec,
    /// One return per collection year, in order.
    pub years: Vec<YearReturn>,
    /// The IRO service's records per collection year, in order, when the
    /// configuration asks for them.
    pub service: Option<Vec<service::ServiceYear>>,
}

/// Everything generated.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Per authority, in the configuration's order.
    pub authorities: Vec<AuthorityData>,
}

/// Per-year figures of what was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSummary {
    /// Collection year.
    pub year: i32,
    /// DfE headline counts.
    pub counts: YearCounts,
    /// Rows per table file, in [`write::file_names`] order.
    pub rows: Vec<(&'static str, usize)>,
    /// Bytes written (0 if not written).
    pub bytes: u64,
}

/// Per-authority figures of what was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthoritySummary {
    /// DfE code.
    pub code: u16,
    /// Name.
    pub name: String,
    /// Per year.
    pub years: Vec<YearSummary>,
}

fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("date")
}

fn make_ctx<'a>(
    rng: &mut ChaCha8Rng,
    code: u16,
    target: u32,
    geo: &'a Geography,
    horizon: NaiveDate,
    other_las: &'a [u16],
    settings: Settings,
) -> Ctx<'a> {
    let la_fostering_urn = format!("SC{:06}", rng.random_range(100_000..999_999));
    let ifa_urns = (0..12)
        .map(|_| format!("SC{:06}", rng.random_range(100_000..999_999)))
        .collect();
    let n_sw = (target / 12 + 4) as usize;
    let sw_ids = (0..n_sw)
        .map(|_| format!("SW{:06}", rng.random_range(10_000..999_999)))
        .collect();
    Ctx {
        la_code: code,
        geo,
        horizon,
        // Every period in detail unless the caller says otherwise.
        detail_from: NaiveDate::MIN,
        la_fostering_urn,
        ifa_urns,
        sw_ids,
        other_las,
        settings,
    }
}

/// Mean days looked after per child entering care (all periods), for ordinary entrants and
/// for UASC, from a pilot simulation; used to turn a target stock into an entry rate.
fn mean_care_days(seed: u64, settings: Settings) -> (f64, f64) {
    let geo = Geography::synthetic(0);
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, 0x0009_1107));
    let far = d(2100, 3, 31);
    let mut ctx = make_ctx(&mut rng, 999, 100, &geo, far, &[], settings);
    // Only the dates matter here.
    ctx.detail_from = far;
    let mut out = [0.0f64; 2];
    for (k, kind) in [Kind::Normal, Kind::Uasc].into_iter().enumerate() {
        let n = if kind == Kind::Normal { 6000 } else { 1500 };
        let mut total = 0i64;
        for i in 0..n {
            let entry = d(2005, 1, 1) + Duration::days(rng.random_range(0..3650));
            let c = simulate_child(&ctx, &mut rng, i.to_string(), entry, kind);
            total += c
                .periods
                .iter()
                .map(|p| (p.end.expect("closed by 2100") - p.start).num_days())
                .sum::<i64>();
        }
        out[k] = total as f64 / f64::from(n);
    }
    (out[0], out[1])
}

fn child_id(salt: u64, i: u64) -> String {
    format!("{}", 1_000_000 + (i * 7919 + salt) % 9_000_000)
}

/// Share of children looked after at 31 March who are UASC.
const UASC_SHARE: f64 = 0.06;
/// Short-break children active at a time, as a share of the looked-after target.
const SHORT_BREAK_SHARE: f64 = 0.03;
/// How much the published starts count, beside the number looked after, when choosing how
/// many children enter each year (see [`choose_entrants`]).
const STARTS_WEIGHT: f64 = 0.5;

/// The authority's calibration profile: its own (sample authorities) or England's.
fn profile_of(spec: &AuthoritySpec) -> &'static LaProfile {
    calibration::profile(spec.code).unwrap_or(&calibration::NATIONAL)
}

/// One simulated candidate entrant with what the choice of entrants needs to know.
struct Candidate {
    child: Child,
    /// Bit `k`: looked after at 31 March of the `k`-th collection year.
    in_care: u32,
    /// Bit `k`: started a period of care during the `k`-th collection year.
    started: u32,
}

fn candidate(child: Child, years: &[i32]) -> Candidate {
    let mut in_care = 0;
    let mut started = 0;
    for (k, &y) in years.iter().enumerate() {
        let (from, at) = (year_start(y), year_end(y));
        for p in child.periods.iter().filter(|p| !p.short_break) {
            if p.start <= at && p.end.is_none_or(|e| e > at) {
                in_care |= 1 << k;
            }
            if p.start >= from && p.start <= at {
                started |= 1 << k;
            }
        }
    }
    Candidate {
        child,
        in_care,
        started,
    }
}

/// A bucket of entrants, simulated on demand in index order (entry dates are random, so a
/// prefix is a random subsample), with running counts per year.
struct Bucket<F: FnMut(u64) -> Candidate> {
    make: F,
    items: Vec<Candidate>,
    /// `at[k][n]`: how many of the first `n` are looked after at the `k`-th 31 March;
    /// `starts[k][n]` likewise for starts.
    at: Vec<Vec<u32>>,
    starts: Vec<Vec<u32>>,
}

impl<F: FnMut(u64) -> Candidate> Bucket<F> {
    fn new(make: F, n_years: usize) -> Self {
        Bucket {
            make,
            items: Vec::new(),
            at: vec![vec![0]; n_years],
            starts: vec![vec![0]; n_years],
        }
    }

    /// Makes sure the first `n` exist.
    fn ensure(&mut self, n: usize) {
        while self.items.len() < n {
            let c = (self.make)(self.items.len() as u64);
            for k in 0..self.at.len() {
                let (a, s) = (
                    self.at[k][self.items.len()],
                    self.starts[k][self.items.len()],
                );
                self.at[k].push(a + (c.in_care >> k & 1));
                self.starts[k].push(s + (c.started >> k & 1));
            }
            self.items.push(c);
        }
    }

    fn at(&mut self, k: usize, n: usize) -> u32 {
        self.ensure(n);
        self.at[k][n]
    }

    fn starts(&mut self, k: usize, n: usize) -> u32 {
        self.ensure(n);
        self.starts[k][n]
    }
}

/// What the choice of entrants aims at, per collection year.
struct Targets<'a> {
    cla: &'a [f64],
    starts: &'a [f64],
    /// Already decided: looked after / starts from other children (UASC, earlier buckets).
    fixed_at: Vec<f64>,
    fixed_starts: Vec<f64>,
}

impl Targets<'_> {
    fn cost(&self, k: usize, at: u32, starts: u32) -> f64 {
        let a = self.fixed_at[k] + f64::from(at) - self.cla[k];
        let s = self.fixed_starts[k] + f64::from(starts) - self.starts[k];
        a * a + STARTS_WEIGHT * s * s
    }

    /// Both counts at or above their targets: more entrants can only make it worse.
    fn past(&self, k: usize, at: u32, starts: u32) -> bool {
        self.fixed_at[k] + f64::from(at) >= self.cla[k]
            && self.fixed_starts[k] + f64::from(starts) >= self.starts[k]
    }
}

/// Chooses how many entrants to keep from each bucket (bucket 0: entries before the first
/// collection year; bucket `k`: entries during the `k`-th collection year).
///
/// Year by year, the number looked after at 31 March of year `k` depends only on buckets
/// `0..=k`: bucket 0 (with bucket 1 at the same daily rate, `ratio_1`) is sized for the
/// first 31 March, then each year's entrants for that year's 31 March. Each choice minimises
/// the squared gap to the target number looked after plus [`STARTS_WEIGHT`] times the
/// squared gap to the target number of starts. Both counts grow with the number of
/// entrants, so candidates are simulated only until both pass their targets.
fn choose_entrants<F: FnMut(u64) -> Candidate>(
    buckets: &mut [Bucket<F>],
    ratio_1: f64,
    mut t: Targets<'_>,
    cap: usize,
) -> Vec<usize> {
    let n_years = t.cla.len();
    let mut chosen = vec![0usize; buckets.len()];
    if n_years == 0 {
        return chosen;
    }
    let n1_of = |n0: usize| (n0 as f64 * ratio_1).round() as usize;
    let mut best = (f64::INFINITY, 0usize);
    for n0 in 0..=cap {
        let n1 = n1_of(n0);
        let at = buckets[0].at(0, n0) + buckets[1].at(0, n1);
        let st = buckets[0].starts(0, n0) + buckets[1].starts(0, n1);
        let c = t.cost(0, at, st);
        if c < best.0 {
            best = (c, n0);
        }
        if t.past(0, at, st) {
            break;
        }
    }
    chosen[0] = best.1;
    chosen[1] = n1_of(best.1);
    for k in 1..n_years {
        // What the buckets already chosen contribute to year k.
        for b in 0..=k {
            let n = chosen[b];
            t.fixed_at[k] += f64::from(buckets[b].at(k, n));
            t.fixed_starts[k] += f64::from(buckets[b].starts(k, n));
        }
        let mut best = (f64::INFINITY, 0usize);
        for n in 0..=cap {
            let (at, st) = (buckets[k + 1].at(k, n), buckets[k + 1].starts(k, n));
            let c = t.cost(k, at, st);
            if c < best.0 {
                best = (c, n);
            }
            if t.past(k, at, st) {
                break;
            }
        }
        chosen[k + 1] = best.1;
    }
    chosen
}

/// Simulates one authority's children (whole histories).
fn simulate_authority(
    cfg: &Config,
    spec: &AuthoritySpec,
    index: usize,
    care_days: (f64, f64),
) -> (Geography, Vec<Child>) {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(cfg.seed, u64::from(spec.code)));
    let geo = match cfg.postcodes {
        Postcodes::Real => {
            Geography::real(&spec.ons_code).unwrap_or_else(|| Geography::synthetic(index))
        }
        Postcodes::Synthetic => Geography::synthetic(index),
    };
    let other_las: Vec<u16> = english_authorities()
        .iter()
        .map(|a| a.code)
        .filter(|&c| c != spec.code)
        // Codes created since 2019 are not in the validator's LA_PERM list (rule 633).
        .filter(|c| !matches!(c, 838 | 839 | 940 | 941 | 942 | 943))
        .collect();
    let profile = profile_of(spec);
    let horizon = year_end(cfg.last_year);
    let first_start = year_start(cfg.first_year);
    let keep_from = year_start(cfg.first_year - 1);
    let mut ctx = make_ctx(
        &mut rng,
        spec.code,
        spec.target_cla,
        &geo,
        horizon,
        &other_las,
        profile.settings,
    );
    ctx.detail_from = keep_from;
    let years: Vec<i32> = cfg.years().collect();
    let n_years = years.len();
    assert!(n_years <= 32, "at most 32 collection years");
    // Targets per year: the authority's published shape over the years, scaled to
    // `target_cla` at the last published year.
    let target = f64::from(spec.target_cla);
    let cla_target: Vec<f64> = years
        .iter()
        .map(|&y| target * profile.cla_shape(y))
        .collect();
    let starts_target: Vec<f64> = years
        .iter()
        .zip(&cla_target)
        .map(|(&y, t)| t * profile.starts_ratio(y))
        .collect();
    let mean_target = cla_target.iter().sum::<f64>() / n_years.max(1) as f64;

    let window_start = first_start - Duration::days(18 * 366 + 30);
    let window_days = (horizon - window_start).num_days();
    let pre_days = (first_start - window_start).num_days();
    // Entrants a day at the mean target.
    let rate = mean_target * (1.0 - UASC_SHARE) / care_days.0;
    let n_uasc = (mean_target * UASC_SHARE / care_days.1 * window_days as f64).round();
    let sb_window_start = first_start - Duration::days(6 * 366);
    let sb_days = (horizon - sb_window_start).num_days();
    let n_sb = (mean_target * SHORT_BREAK_SHARE / (3.5 * 365.0) * sb_days as f64).round();

    let salt: u64 = rng.random_range(0..9_000_000);
    let la_seed = mix(cfg.seed, u64::from(spec.code));
    // Tags: 0 UASC, 1 short breaks, 2 + k ordinary entrants of bucket k. Each child has its
    // own random stream (so that adding or removing children does not change the others).
    let n_tags = 3 + n_years as u64;
    let one = |tag: u64, i: u64, from: NaiveDate, span: i64| -> Child {
        let kind = match tag {
            0 => Kind::Uasc,
            1 => Kind::ShortBreak,
            _ => Kind::Normal,
        };
        let mut crng = ChaCha8Rng::seed_from_u64(mix(la_seed, (tag << 40) | i));
        let entry = from + Duration::days(crng.random_range(0..span));
        simulate_child(
            &ctx,
            &mut crng,
            child_id(salt, i * n_tags + tag),
            entry,
            kind,
        )
    };
    let mut children: Vec<Child> = Vec::new();
    let mut fixed_at = vec![0u32; n_years];
    let mut fixed_starts = vec![0u32; n_years];
    for i in 0..n_uasc as u64 {
        let c = candidate(one(0, i, window_start, window_days + 1), &years);
        for k in 0..n_years {
            fixed_at[k] += c.in_care >> k & 1;
            fixed_starts[k] += c.started >> k & 1;
        }
        children.push(c.child);
    }
    for i in 0..n_sb as u64 {
        children.push(one(1, i, sb_window_start, sb_days + 1));
    }
    // Ordinary entrants: each entry bucket simulated on demand, as many kept as the targets
    // need.
    let one = &one;
    let years_ref = &years;
    let make = move |tag: u64, from: NaiveDate, span: i64| {
        move |i: u64| candidate(one(tag, i, from, span), years_ref)
    };
    let mut buckets = Vec::with_capacity(n_years + 1);
    buckets.push(Bucket::new(make(2, window_start, pre_days), n_years));
    for (k, &y) in years.iter().enumerate() {
        let (from, to) = (year_start(y), year_end(y));
        let span = (to - from).num_days() + 1;
        buckets.push(Bucket::new(make(3 + k as u64, from, span), n_years));
    }
    let ratio_1 = if n_years > 0 {
        (year_end(years[0]) - year_start(years[0])).num_days() as f64 / pre_days as f64
    } else {
        0.0
    };
    // Far more than any plausible need (guards against a target that cannot be reached).
    let cap = (rate * window_days as f64 * 4.0).ceil() as usize + 50;
    let targets = Targets {
        cla: &cla_target,
        starts: &starts_target,
        fixed_at: fixed_at.iter().map(|&x| f64::from(x)).collect(),
        fixed_starts: fixed_starts.iter().map(|&x| f64::from(x)).collect(),
    };
    let chosen = choose_entrants(&mut buckets, ratio_1, targets, cap);

    for (bucket, n) in buckets.into_iter().zip(chosen) {
        children.extend(bucket.items.into_iter().take(n).map(|c| c.child));
    }
    children.retain(|c| {
        let last_end = c.periods.last().and_then(|p| p.end);
        last_end.is_none_or(|e| e >= keep_from)
    });
    (geo, children)
}

/// Pilot mean days in care per entrant for each distinct setting used by the configuration.
struct CareDays(Vec<(Settings, (f64, f64))>);

impl CareDays {
    fn new(cfg: &Config) -> CareDays {
        let mut settings: Vec<Settings> = Vec::new();
        for spec in &cfg.authorities {
            let s = profile_of(spec).settings;
            if !settings.contains(&s) {
                settings.push(s);
            }
        }
        let out: Vec<(Settings, (f64, f64))> = settings
            .into_par_iter()
            .map(|s| (s, mean_care_days(cfg.seed, s)))
            .collect();
        if std::env::var_os("IRO_TESTKIT_DEBUG").is_some() {
            for (s, c) in &out {
                eprintln!(
                    "{s:?}: mean care days per entrant {:.0} (UASC {:.0})",
                    c.0, c.1
                );
            }
        }
        CareDays(out)
    }

    fn get(&self, spec: &AuthoritySpec) -> (f64, f64) {
        let s = profile_of(spec).settings;
        self.0
            .iter()
            .find(|(x, _)| *x == s)
            .map(|(_, c)| *c)
            .expect("pilot for every setting")
    }
}

fn authority_data(cfg: &Config, index: usize, care: &CareDays) -> AuthorityData {
    let spec = &cfg.authorities[index];
    let (geo, children) = simulate_authority(cfg, spec, index, care.get(spec));
    let years = cfg
        .years()
        .map(|y| returns::cut_year(&children, &geo, y))
        .collect();
    let service = cfg.service_records.then(|| {
        service::generate(
            spec.code,
            cfg.seed,
            spec.target_cla,
            &children,
            cfg.first_year,
            cfg.last_year,
        )
    });
    AuthorityData {
        spec: spec.clone(),
        years,
        service,
    }
}

/// Generates every authority's returns (in parallel over authorities).
pub fn generate(cfg: &Config) -> Dataset {
    let care = CareDays::new(cfg);
    let authorities = (0..cfg.authorities.len())
        .into_par_iter()
        .map(|i| authority_data(cfg, i, &care))
        .collect();
    Dataset { authorities }
}

/// Generates one authority's returns (`index` into `cfg.authorities`).
pub fn generate_authority(cfg: &Config, index: usize) -> AuthorityData {
    let care = CareDays::new(&Config {
        authorities: vec![cfg.authorities[index].clone()],
        ..cfg.clone()
    });
    authority_data(cfg, index, &care)
}

fn summarise(ret: &YearReturn, service: Option<&service::ServiceYear>, bytes: u64) -> YearSummary {
    let mut rows: Vec<(&'static str, usize)> = write::file_names(ret.year)
        .into_iter()
        .map(|name| {
            let n = match name {
                "header.csv" => ret.header.len(),
                "episodes.csv" => ret.episodes.len(),
                "reviews.csv" => ret.reviews.len(),
                "uasc.csv" => ret.uasc.len(),
                "missing.csv" => ret.missing.len(),
                "prevperm.csv" => ret.prevperm.len(),
                "oc2.csv" => ret.oc2.len(),
                "oc3.csv" => ret.oc3.len(),
                _ => ret.sw_episodes.as_ref().map_or(0, Vec::len),
            };
            (name, n)
        })
        .collect();
    if let Some(s) = service {
        rows.extend(write::service_file_names(s).into_iter().map(|name| {
            let n = match name {
                "iro_reviews.csv" => s.reviews.len(),
                "iro_allocations.csv" => s.allocations.len(),
                "midway_reviews.csv" => s.midway.as_ref().map_or(0, Vec::len),
                _ => s.drp.len(),
            };
            (name, n)
        }));
    }
    YearSummary {
        year: ret.year,
        counts: ret.counts(),
        rows,
        bytes,
    }
}

/// Writes one authority as `dir/<la>/<year>/<table>.csv`.
pub fn write_authority(data: &AuthorityData, dir: &Path) -> anyhow::Result<AuthoritySummary> {
    write_authority_as(data, dir, Format::Csv)
}

/// How a return is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One CSV per table (`header.csv`, `episodes.csv`, …).
    Csv,
    /// One SSDA903 XML return (`return.xml`), with the SWEpisodes table, which
    /// the XML schema does not have, as `sw_episodes.csv` beside it.
    Xml,
}

/// Writes one authority's returns in `format`, with its IRO-service files.
pub fn write_authority_as(
    data: &AuthorityData,
    dir: &Path,
    format: Format,
) -> anyhow::Result<AuthoritySummary> {
    let mut years = Vec::new();
    for (k, ret) in data.years.iter().enumerate() {
        let sub = dir
            .join(format!("{:03}", data.spec.code))
            .join(ret.year.to_string());
        let mut bytes = match format {
            Format::Csv => write::write_return(ret, &sub)?,
            Format::Xml => xml::write_return_xml(ret, &sub)?,
        };
        let service = data.service.as_ref().and_then(|s| s.get(k));
        if let Some(s) = service {
            bytes += write::write_service(s, &sub)?;
        }
        years.push(summarise(ret, service, bytes));
    }
    Ok(AuthoritySummary {
        code: data.spec.code,
        name: data.spec.name.clone(),
        years,
    })
}

/// Writes a whole dataset as `dir/<la>/<year>/<table>.csv`.
pub fn write_dataset(data: &Dataset, dir: &Path) -> anyhow::Result<Vec<AuthoritySummary>> {
    write_dataset_as(data, dir, Format::Csv)
}

/// Writes a whole dataset as `dir/<la>/<year>/…` in `format`.
pub fn write_dataset_as(
    data: &Dataset,
    dir: &Path,
    format: Format,
) -> anyhow::Result<Vec<AuthoritySummary>> {
    data.authorities
        .iter()
        .map(|a| write_authority_as(a, dir, format))
        .collect()
}

/// Generates and writes authority by authority (in parallel), keeping only one
/// authority's data per worker in memory: the way to make the national set.
pub fn generate_to_dir(cfg: &Config, dir: &Path) -> anyhow::Result<Vec<AuthoritySummary>> {
    let care = CareDays::new(cfg);
    (0..cfg.authorities.len())
        .into_par_iter()
        .map(|i| write_authority(&authority_data(cfg, i, &care), dir))
        .collect()
}

/// Summaries without writing.
pub fn summarise_dataset(data: &Dataset) -> Vec<AuthoritySummary> {
    data.authorities
        .iter()
        .map(|a| AuthoritySummary {
            code: a.spec.code,
            name: a.spec.name.clone(),
            years: a
                .years
                .iter()
                .enumerate()
                .map(|(k, r)| summarise(r, a.service.as_ref().and_then(|s| s.get(k)), 0))
                .collect(),
        })
        .collect()
}
