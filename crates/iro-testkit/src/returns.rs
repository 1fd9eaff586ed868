//! Cutting annual SSDA903 returns from whole histories, as the DfE collection does.

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::calendar::{add_years, year_end, year_start};
use crate::geo::Geography;
use crate::model::{Child, Ep};

/// Header: one row per child in the return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderRow {
    /// CHILD.
    pub child: String,
    /// SEX as coded that year (`1`/`2` up to 2023-24, `M`/`F` from 2024-25).
    pub sex: &'static str,
    /// DOB.
    pub dob: NaiveDate,
    /// ETHNIC.
    pub ethnic: &'static str,
    /// UPN (13 characters, or UN1–UN5).
    pub upn: String,
    /// MOTHER (`Some(false)` = `0`), blank for boys, short-break-only children and care
    /// leavers with no episode in the year.
    pub mother: Option<bool>,
    /// MC_DOB.
    pub mc_dob: Option<NaiveDate>,
}

/// Episodes: one row per episode overlapping the collection year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeRow {
    /// CHILD.
    pub child: String,
    /// DECOM.
    pub decom: NaiveDate,
    /// RNE.
    pub rne: &'static str,
    /// LS.
    pub ls: &'static str,
    /// CIN.
    pub cin: &'static str,
    /// PLACE.
    pub place: &'static str,
    /// PLACE_PROVIDER.
    pub place_provider: Option<&'static str>,
    /// DEC (blank when open on 31 March).
    pub dec: Option<NaiveDate>,
    /// REC.
    pub rec: Option<&'static str>,
    /// REASON_PLACE_CHANGE.
    pub reason_place_change: Option<&'static str>,
    /// HOME_POST.
    pub home_post: Option<String>,
    /// PL_POST.
    pub pl_post: Option<String>,
    /// URN.
    pub urn: Option<String>,
}

/// Reviews: one row per review held in the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    /// CHILD.
    pub child: String,
    /// DOB.
    pub dob: NaiveDate,
    /// REVIEW.
    pub review: NaiveDate,
    /// REVIEW_CODE.
    pub review_code: &'static str,
}

/// UASC: one row per (current or former) unaccompanied asylum-seeking child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UascRow {
    /// CHILD.
    pub child: String,
    /// SEX (as in Header).
    pub sex: &'static str,
    /// DOB.
    pub dob: NaiveDate,
    /// DUC (the 18th birthday).
    pub duc: Option<NaiveDate>,
}

/// Missing: one row per missing or away spell starting in the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingRow {
    /// CHILD.
    pub child: String,
    /// DOB.
    pub dob: NaiveDate,
    /// MISSING (`M` or `A`).
    pub missing: &'static str,
    /// MIS_START.
    pub mis_start: NaiveDate,
    /// MIS_END.
    pub mis_end: Option<NaiveDate>,
}

/// PrevPerm: one row per child who started to be looked after in the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrevPermRow {
    /// CHILD.
    pub child: String,
    /// DOB.
    pub dob: NaiveDate,
    /// PREV_PERM.
    pub prev_perm: &'static str,
    /// LA_PERM (DfE 3-digit code).
    pub la_perm: Option<u16>,
    /// DATE_PERM.
    pub date_perm: Option<NaiveDate>,
}

/// OC2: children looked after continuously for 12 months at 31 March.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oc2Row {
    /// CHILD.
    pub child: String,
    /// DOB.
    pub dob: NaiveDate,
    /// SDQ_SCORE.
    pub sdq_score: Option<u8>,
    /// SDQ_REASON.
    pub sdq_reason: Option<&'static str>,
    /// CONVICTED.
    pub convicted: Option<bool>,
    /// HEALTH_CHECK.
    pub health_check: Option<bool>,
    /// IMMUNISATIONS.
    pub immunisations: Option<bool>,
    /// TEETH_CHECK.
    pub teeth_check: Option<bool>,
    /// HEALTH_ASSESSMENT.
    pub health_assessment: Option<bool>,
    /// SUBSTANCE_MISUSE.
    pub substance_misuse: Option<bool>,
    /// INTERVENTION_RECEIVED.
    pub intervention_received: Option<bool>,
    /// INTERVENTION_OFFERED.
    pub intervention_offered: Option<bool>,
}

/// OC3: care leavers around their 17th, 18th and 19th birthdays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oc3Row {
    /// CHILD.
    pub child: String,
    /// DOB.
    pub dob: NaiveDate,
    /// IN_TOUCH.
    pub in_touch: &'static str,
    /// ACTIV.
    pub activ: &'static str,
    /// ACCOM.
    pub accom: &'static str,
}

/// SWEpisodes: social-worker allocations overlapping the year (from 2023-24).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwEpisodeRow {
    /// CHILD.
    pub child: String,
    /// DOB.
    pub dob: NaiveDate,
    /// SW_ID.
    pub sw_id: String,
    /// SW_DECOM.
    pub sw_decom: NaiveDate,
    /// SW_DEC (blank when still allocated on 31 March).
    pub sw_dec: Option<NaiveDate>,
    /// SW_REASON.
    pub sw_reason: Option<&'static str>,
}

/// One authority's SSDA903 return for one collection year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearReturn {
    /// Collection year (the year the return ends: 2025 = 2024-25).
    pub year: i32,
    /// Header table.
    pub header: Vec<HeaderRow>,
    /// Episodes table.
    pub episodes: Vec<EpisodeRow>,
    /// Reviews table.
    pub reviews: Vec<ReviewRow>,
    /// UASC table.
    pub uasc: Vec<UascRow>,
    /// Missing table.
    pub missing: Vec<MissingRow>,
    /// PrevPerm table.
    pub prevperm: Vec<PrevPermRow>,
    /// OC2 table.
    pub oc2: Vec<Oc2Row>,
    /// OC3 table.
    pub oc3: Vec<Oc3Row>,
    /// SWEpisodes table; `None` before collection year 2024.
    pub sw_episodes: Option<Vec<SwEpisodeRow>>,
}

/// Headline counts of a return, as the DfE counts them (short breaks excluded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearCounts {
    /// Children looked after at 31 March (an open episode, LS not V3/V4).
    pub cla_31_march: usize,
    /// Children who started to be looked after (RNE S in the year, not V3/V4).
    pub starts: usize,
    /// Children who ceased to be looked after (DEC in the year, REC not X1, not V3/V4).
    pub ceases: usize,
    /// Children with any episode in the year, not V3/V4.
    pub during_year: usize,
}

impl YearReturn {
    /// Headline counts (children, not episodes).
    pub fn counts(&self) -> YearCounts {
        use std::collections::BTreeSet;
        let (s, e) = (year_start(self.year), year_end(self.year));
        let mut cla = BTreeSet::new();
        let mut starts = BTreeSet::new();
        let mut ceases = BTreeSet::new();
        let mut during = BTreeSet::new();
        for ep in &self.episodes {
            if matches!(ep.ls, "V3" | "V4") {
                continue;
            }
            during.insert(&ep.child);
            if ep.dec.is_none() {
                cla.insert(&ep.child);
            }
            if ep.rne == "S" && ep.decom >= s && ep.decom <= e {
                starts.insert(&ep.child);
            }
            if let (Some(d), Some(r)) = (ep.dec, ep.rec)
                && r != "X1"
                && d >= s
                && d <= e
            {
                ceases.insert(&ep.child);
            }
        }
        YearCounts {
            cla_31_march: cla.len(),
            starts: starts.len(),
            ceases: ceases.len(),
            during_year: during.len(),
        }
    }
}

fn sex_code(male: bool, year: i32) -> &'static str {
    match (male, year >= 2025) {
        (true, false) => "1",
        (false, false) => "2",
        (true, true) => "M",
        (false, true) => "F",
    }
}

fn ep_row(child: &Child, ep: &Ep, geo: &Geography, e: NaiveDate) -> EpisodeRow {
    let open = ep.dec.is_none_or(|d| d > e);
    EpisodeRow {
        child: child.id.clone(),
        decom: ep.decom,
        rne: ep.rne,
        ls: ep.ls,
        cin: ep.cin,
        place: ep.place,
        place_provider: ep.provider,
        dec: if open { None } else { ep.dec },
        rec: if open { None } else { ep.rec },
        reason_place_change: if open { None } else { ep.reason },
        home_post: ep.home.map(|p| geo.get(p).to_string()),
        pl_post: ep.pl.map(|p| geo.get(p).to_string()),
        urn: ep.urn.clone(),
    }
}

/// `true` if the validator would call the child "continuously looked after" for the year
/// (csc-validator-be-903 `add_col_to_episodes_CONTINUOUSLY_LOOKED_AFTER`).
fn continuously_looked_after(rows: &[EpisodeRow], s: NaiveDate, e: NaiveDate) -> bool {
    !rows.is_empty()
        && !rows.iter().any(|r| {
            let enters = r.rne == "S" && r.decom > s && r.decom <= e;
            let leaves = r.rec != Some("X1") && r.dec.is_some_and(|d| d >= s && d < e);
            enters || leaves || matches!(r.ls, "V3" | "V4")
        })
}

fn oc2_row(child: &Child, year: i32) -> Oc2Row {
    let (s, e) = (year_start(year), year_end(year));
    let mut rng = ChaCha8Rng::seed_from_u64(child.seed ^ (year as u64).wrapping_mul(0x51_7CC1));
    let dob = child.dob;
    let d4 = add_years(dob, 4);
    let d17 = add_years(dob, 17);
    let in_year = |d: NaiveDate| d >= s && d <= e;
    let (sdq_score, sdq_reason) = if d4 <= s && d17 > e {
        if rng.random_bool(0.78) {
            // Skewed towards the lower half, as SDQ totals are.
            let a: u8 = rng.random_range(0..=20);
            let b: u8 = rng.random_range(0..=20);
            (Some(a.max(b).min(40)), None)
        } else {
            let r = match rng.random_range(0..4) {
                0 => "SDQ2",
                1 => "SDQ3",
                2 => "SDQ4",
                _ => "SDQ5",
            };
            (None, Some(r))
        }
    } else if in_year(d4) || in_year(d17) {
        (None, Some("SDQ1"))
    } else {
        (None, None)
    };
    let b = |rng: &mut ChaCha8Rng, p: f64| Some(rng.random_bool(p));
    let convicted = if e > add_years(dob, 10) {
        b(&mut rng, 0.03)
    } else {
        None
    };
    let health_check = if e < add_years(dob, 5) {
        b(&mut rng, 0.92)
    } else {
        None
    };
    let teen = e >= add_years(dob, 12);
    let substance = Some(teen && rng.random_bool(0.05));
    let (received, offered) = if substance == Some(true) {
        // OFFERED only when no intervention was received (rules 158, 159).
        let r = rng.random_bool(0.6);
        (Some(r), (!r).then(|| rng.random_bool(0.5)))
    } else {
        (None, None)
    };
    Oc2Row {
        child: child.id.clone(),
        dob,
        sdq_score,
        sdq_reason,
        convicted,
        health_check,
        immunisations: b(&mut rng, 0.88),
        teeth_check: b(&mut rng, 0.82),
        health_assessment: b(&mut rng, 0.9),
        substance_misuse: substance,
        intervention_received: received,
        intervention_offered: offered,
    }
}

/// OC3 (care leaver) row for `year`, for the small cohort this generator reports: care
/// leavers (left at 16 or over, not adopted, not UASC) whose 17th, 18th or 19th birthday falls
/// in the year, who were not looked after on that birthday and whose care ended in this or
/// last year's return.
fn oc3_row(child: &Child, year: i32) -> Option<Oc3Row> {
    // Former UASC and young mothers are left out to keep the cohort simple (their UASC and
    // MC_DOB rows would otherwise need carrying into years with no episode).
    if child.uasc || child.mc_dob.is_some() {
        return None;
    }
    let last = child.periods.last()?;
    if last.short_break {
        return None;
    }
    let end = last.end?;
    let rec = last.rec?;
    if matches!(rec, "E11" | "E12" | "E2" | "E3" | "E15" | "E16") {
        return None;
    }
    let (s, e) = (year_start(year), year_end(year));
    let prev_start = year_start(year - 1);
    if end < prev_start || end > e {
        return None;
    }
    let dob = child.dob;
    let birthday = [17, 18, 19]
        .into_iter()
        .map(|n| (n, add_years(dob, n)))
        .find(|(_, d)| *d >= s && *d <= e)?;
    // Not looked after on the birthday (rules 1007, 1016).
    if end >= birthday.1 && birthday.0 < 19 {
        return None;
    }
    // Relevant child as the validator sees it from two years of episodes (rule 1001).
    let d14 = add_years(dob, 14);
    let d16 = add_years(dob, 16);
    let (mut t14, mut t16) = (0i64, 0i64);
    for ep in &last.episodes {
        let dec = ep.dec?;
        if dec < prev_start {
            continue;
        }
        t14 += (dec - ep.decom.max(d14)).num_days().max(0);
        t16 += (dec - ep.decom.max(d16)).num_days().max(0);
    }
    if t14 < 91 || t16 < 1 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(child.seed ^ 0x0C3 ^ (year as u64) << 20);
    let x: f64 = rng.random();
    let in_touch = if x < 0.86 {
        "YES"
    } else if x < 0.92 {
        "NO"
    } else if x < 0.95 {
        "REFU"
    } else if x < 0.97 {
        "NREQ"
    } else {
        "RHOM"
    };
    let (activ, accom) = if in_touch == "YES" {
        const ACTIV: [&str; 11] = [
            "F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6",
        ];
        let activ = ACTIV[rng.random_range(0..ACTIV.len())];
        let staying_put = rec == "E17" && birthday.0 >= 18;
        let accom = if staying_put {
            "Z1"
        } else {
            const ACCOM: [&str; 12] = [
                "B1", "C1", "D1", "E1", "G1", "H1", "K1", "R1", "S2", "T1", "U1", "V2",
            ];
            ACCOM[rng.random_range(0..ACCOM.len())]
        };
        (activ, accom)
    } else {
        ("0", "0")
    };
    Some(Oc3Row {
        child: child.id.clone(),
        dob,
        in_touch,
        activ,
        accom,
    })
}

/// Cuts `year`'s return for one authority from the children's histories.
pub(crate) fn cut_year(children: &[Child], geo: &Geography, year: i32) -> YearReturn {
    let (s, e) = (year_start(year), year_end(year));
    let mut out = YearReturn {
        year,
        sw_episodes: (year >= 2024).then(Vec::new),
        ..YearReturn::default()
    };
    for child in children {
        let eps: Vec<EpisodeRow> = child
            .periods
            .iter()
            .flat_map(|p| p.episodes.iter())
            .filter(|ep| ep.decom <= e && ep.dec.is_none_or(|d| d >= s))
            .map(|ep| ep_row(child, ep, geo, e))
            .collect();
        let oc3 = oc3_row(child, year);
        if eps.is_empty() && oc3.is_none() {
            continue;
        }
        let sex = sex_code(child.male, year);
        let only_short_breaks = eps.iter().all(|r| matches!(r.ls, "V3" | "V4"));
        let mother_known = !child.male && !eps.is_empty() && !only_short_breaks;
        let is_mother = child.mc_dob.is_some_and(|d| d <= e);
        let upn = match child.upn_unknown {
            Some(code) => code.to_string(),
            None => {
                let ref_date = NaiveDate::from_ymd_opt(year - 2, 8, 31).expect("date");
                if add_years(child.dob, 4) > ref_date {
                    "UN1".to_string()
                } else {
                    child.upn.clone()
                }
            }
        };
        out.header.push(HeaderRow {
            child: child.id.clone(),
            sex,
            dob: child.dob,
            ethnic: child.ethnic,
            upn,
            mother: mother_known.then_some(is_mother),
            mc_dob: if mother_known && is_mother {
                child.mc_dob
            } else {
                None
            },
        });
        if let Some(r) = oc3 {
            out.oc3.push(r);
        }
        if eps.is_empty() {
            continue;
        }
        if child.uasc {
            out.uasc.push(UascRow {
                child: child.id.clone(),
                sex,
                dob: child.dob,
                duc: Some(add_years(child.dob, 18)),
            });
        }
        for p in &child.periods {
            for &(d, code) in &p.reviews {
                if d >= s && d <= e {
                    out.reviews.push(ReviewRow {
                        child: child.id.clone(),
                        dob: child.dob,
                        review: d,
                        review_code: code,
                    });
                }
            }
            for m in &p.missing {
                if m.start >= s && m.start <= e {
                    out.missing.push(MissingRow {
                        child: child.id.clone(),
                        dob: child.dob,
                        missing: m.kind,
                        mis_start: m.start,
                        mis_end: Some(m.end).filter(|d| *d <= e),
                    });
                }
            }
            if let Some(sw) = out.sw_episodes.as_mut() {
                for a in &p.sw {
                    if a.start <= e && a.end.is_none_or(|d| d >= s) {
                        sw.push(SwEpisodeRow {
                            child: child.id.clone(),
                            dob: child.dob,
                            sw_id: a.sw_id.clone(),
                            sw_decom: a.start,
                            sw_dec: a.end.filter(|d| *d <= e),
                            sw_reason: Some(a.reason),
                        });
                    }
                }
            }
        }
        if let Some(p) = child
            .periods
            .iter()
            .rev()
            .find(|p| p.start >= s && p.start <= e)
        {
            out.prevperm.push(PrevPermRow {
                child: child.id.clone(),
                dob: child.dob,
                prev_perm: p.prev_perm.code,
                la_perm: p.prev_perm.la,
                date_perm: p.prev_perm.date,
            });
        }
        if continuously_looked_after(&eps, s, e) {
            out.oc2.push(oc2_row(child, year));
        }
        out.episodes.extend(eps);
    }
    // Files sorted by child then date, as case-management extracts usually are.
    out.header.sort_by(|a, b| a.child.cmp(&b.child));
    out.episodes
        .sort_by(|a, b| (&a.child, a.decom).cmp(&(&b.child, b.decom)));
    out.reviews
        .sort_by(|a, b| (&a.child, a.review).cmp(&(&b.child, b.review)));
    out.uasc.sort_by(|a, b| a.child.cmp(&b.child));
    out.missing
        .sort_by(|a, b| (&a.child, a.mis_start).cmp(&(&b.child, b.mis_start)));
    out.prevperm.sort_by(|a, b| a.child.cmp(&b.child));
    out.oc2.sort_by(|a, b| a.child.cmp(&b.child));
    out.oc3.sort_by(|a, b| a.child.cmp(&b.child));
    if let Some(sw) = out.sw_episodes.as_mut() {
        sw.sort_by(|a, b| (&a.child, a.sw_decom).cmp(&(&b.child, b.sw_decom)));
    }
    out
}
