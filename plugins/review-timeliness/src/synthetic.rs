//! A deterministic national-scale cohort for timing tests: about 80,000
//! children looked after at any time and about a million reviews over five
//! collection years. Not a model of real care histories (iro-testkit is);
//! just the right size and shape — periods of care across years, placement
//! moves, re-entries, short breaks, reviews roughly on time.

use chrono::{Duration, NaiveDate};
use iro_domain::{
    Child, ChildIdx, Cohort, CohortParts, CollectionYear, Episode, LaCode, LegalStatus,
    ParticipationCode, PlacementType, ReasonEpisodeCeased, ReasonNewEpisode, Review, SourceRef,
    TableKind, dates::age_in_years,
};
use std::collections::{BTreeMap, BTreeSet};

struct Rng(u64);

impl Rng {
    /// splitmix64.
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo).max(1) as u64) as i64
    }
}

struct Out {
    children: Vec<Child>,
    episodes: Vec<Episode>,
    reviews: Vec<Review>,
}

fn episode(
    c: u32,
    decom: NaiveDate,
    rne: ReasonNewEpisode,
    ls: LegalStatus,
    dec: Option<NaiveDate>,
    rec: Option<ReasonEpisodeCeased>,
) -> Episode {
    Episode {
        child: ChildIdx(c),
        decom,
        rne,
        ls,
        cin: None,
        place: Some(if ls.is_short_break() {
            PlacementType::K2
        } else {
            PlacementType::U4
        }),
        place_provider: None,
        dec,
        rec,
        reason_place_change: None,
        home_post: None,
        pl_post: None,
        urn: None,
        year: CollectionYear::containing(decom),
        source: SourceRef { file: 0, line: 0 },
    }
}

/// One authority holding the whole country, with Header, Episodes and
/// Reviews tables for `first_year..=last_year`.
pub fn national_cohort(first_year: i32, last_year: i32, seed: u64) -> Cohort {
    let mut rng = Rng(seed);
    let data_start = CollectionYear(first_year).start();
    let data_end = CollectionYear(last_year).end();
    let sim_start = data_start - Duration::days(6 * 365);
    let span = (data_end - sim_start).num_days();
    let entries = 33_000 * span / 365;
    let mut out = Out {
        children: Vec::new(),
        episodes: Vec::new(),
        reviews: Vec::new(),
    };
    let codes = ParticipationCode::ALL;
    for _ in 0..entries {
        let entry = sim_start + Duration::days(rng.range(0, span));
        let dob = entry - Duration::days(rng.range(0, 17 * 365 + 300));
        let at18 = iro_domain::dates::birthday(dob, 18);
        let short_breaks = rng.range(0, 100) < 4;
        let dur = match rng.range(0, 100) {
            0..30 => rng.range(7, 180),
            30..70 => rng.range(180, 1100),
            _ => rng.range(1100, 4000),
        };
        let mut exit = (entry + Duration::days(dur)).min(at18);
        if exit <= entry {
            continue;
        }
        if exit < data_start {
            continue;
        }
        let c = out.children.len() as u32;
        out.children.push(Child {
            child_id: format!("N{c}").into(),
            sex: None,
            dob: Some(dob),
            ethnic: None,
            upn: None,
            mother: None,
            mc_dob: None,
            uasc: None,
            header_year: Some(CollectionYear(last_year)),
        });
        let review = |out: &mut Out, date: NaiveDate, rng: &mut Rng| {
            if date < data_start || date > data_end {
                return;
            }
            let code = if age_in_years(dob, date) < 4 {
                ParticipationCode::PN0
            } else {
                codes[rng.range(1, 8) as usize]
            };
            out.reviews.push(Review {
                child: ChildIdx(c),
                review: date,
                review_code: Some(code),
                year: CollectionYear::containing(date),
                source: SourceRef { file: 1, line: 0 },
            });
        };
        if short_breaks {
            // A break of 2 days about every month; a review every ~6 months.
            let mut t = entry;
            while t < exit && t <= data_end {
                let dec = t + Duration::days(2);
                let closed = dec <= data_end;
                out.episodes.push(episode(
                    c,
                    t,
                    ReasonNewEpisode::S,
                    LegalStatus::V3,
                    closed.then_some(dec),
                    closed.then_some(ReasonEpisodeCeased::E8),
                ));
                t += Duration::days(rng.range(20, 45));
            }
            let mut r = entry + Duration::days(rng.range(60, 100));
            while r < exit {
                review(&mut out, r, &mut rng);
                r += Duration::days(rng.range(150, 190));
            }
            continue;
        }
        let mut start = entry;
        for spell in 0..2 {
            let open = exit > data_end;
            let ls = if rng.range(0, 2) == 0 {
                LegalStatus::C2
            } else {
                LegalStatus::V2
            };
            let (end_dec, end_rec) = if open {
                (None, None)
            } else {
                (Some(exit), Some(ReasonEpisodeCeased::E13))
            };
            let length = (exit - start).num_days();
            if length > 400 && rng.range(0, 2) == 0 {
                let mv = start + Duration::days(length / 2);
                out.episodes.push(episode(
                    c,
                    start,
                    ReasonNewEpisode::S,
                    ls,
                    Some(mv),
                    Some(ReasonEpisodeCeased::X1),
                ));
                out.episodes
                    .push(episode(c, mv, ReasonNewEpisode::P, ls, end_dec, end_rec));
            } else {
                out.episodes
                    .push(episode(c, start, ReasonNewEpisode::S, ls, end_dec, end_rec));
            }
            let mut r = start + Duration::days(rng.range(10, 34));
            let mut gap = (80, 100);
            while r < exit {
                review(&mut out, r, &mut rng);
                r += Duration::days(rng.range(gap.0, gap.1));
                gap = (165, 195);
            }
            if spell == 1 || open || rng.range(0, 100) >= 10 {
                break;
            }
            start = exit + Duration::days(rng.range(60, 400));
            exit = (start + Duration::days(rng.range(30, 700))).min(at18);
            if exit <= start {
                break;
            }
        }
    }
    let mut tables = BTreeMap::new();
    for y in first_year..=last_year {
        tables.insert(
            CollectionYear(y),
            BTreeSet::from([TableKind::Header, TableKind::Episodes, TableKind::Reviews]),
        );
    }
    Cohort::new(
        LaCode::new(999).expect("999 is a valid code"),
        CohortParts {
            children: out.children,
            episodes: out.episodes,
            reviews: out.reviews,
            tables,
            ..Default::default()
        },
    )
}
