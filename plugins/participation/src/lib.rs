//! # participation
//!
//! Built-in metric: how children took part in their statutory reviews. The
//! SSDA903 records one participation code per review (REVIEW_CODE): PN0 for a
//! child under 4, PN1–PN7 for a child of 4 or over, from "attends and speaks
//! for him or herself" (PN1) to "does not attend nor are his or her views
//! conveyed" (PN7).
//!
//! The reviews counted are those `review-timeliness` times: reviews held in
//! ordinary care (short-break reviews apart), attributed to a period of care,
//! one per child per day (`iro_domain::review_attribution`, as `review-timeliness` does). Of those, the
//! reviews of children aged 4 or over at the review (age from the Header date
//! of birth) coded PN1–PN7 are distributed by code, and "participated" is
//! PN1–PN6 of PN1–PN7. Codes inconsistent with age (PN0 at 4 or over, rule
//! 440; PN1–PN7 under 4, rule 441) are counted and flagged, never recoded.
//! Method in docs/METHODS.md.

use chrono::NaiveDate;
use iro_domain::review_attribution::{DEFAULT_SERIES_GAP_DAYS, Place, Scratch};
use iro_domain::{CollectionYear, ParticipationCode, TableKind, age_in_years};
use iro_metric_api::periods::{FLOWS as PERIODS, Periods};
use iro_metric_api::{
    Breakdown, Column, ColumnNeed, Field, MeasureId, MeasureSpec, Metric, MetricContext,
    MetricError, MetricRow, MetricSpec, Period, Relation, Subject, Term, Unit, row,
};

/// The metric.
#[derive(Debug, Default, Clone, Copy)]
pub struct Participation;

/// The ids of this metric's measures (the `metric` column): the report,
/// the charts, targets and benchmarking name measures by these, never by text.
pub const REVIEWS: MeasureId = MeasureId::new("participation.reviews");
pub const DISTRIBUTION: MeasureId = MeasureId::new("participation.distribution");
pub const PARTICIPATED: MeasureId = MeasureId::new("participation.participated");
pub const FLAGS: MeasureId = MeasureId::new("participation.flags");

static SPEC: MetricSpec = MetricSpec {
    id: "participation",
    title: "Children's participation in their statutory reviews",
    version: env!("CARGO_PKG_VERSION"),
    requires: &[TableKind::Reviews],
    // Every figure splits reviews by the code and by age (4 or over).
    needs: &[ColumnNeed::all(&[
        Column::of(TableKind::Reviews, "REVIEW_CODE"),
        Column::of(TableKind::Header, "DOB"),
    ])],
    measures: &[
        MeasureSpec {
            id: REVIEWS,
            title: "Reviews held in ordinary care, by age and participation code group",
            unit: Unit::Count,
            additive_breakdowns: &["population"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: DISTRIBUTION,
            title: "Reviews of children aged 4 or over, by participation code (PN1-PN7)",
            unit: Unit::Percent,
            additive_breakdowns: &["code"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: PARTICIPATED,
            title: "Reviews in which the child participated (PN1-PN6), % of reviews of children aged 4 or over coded PN1-PN7, by age band",
            unit: Unit::Percent,
            additive_breakdowns: &["age_band"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: FLAGS,
            title: "Reviews flagged: code inconsistent with age (rules 440, 441), no code, no date of birth, duplicates, short breaks and reviews outside care left out",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
    ],
    params: &[],
};

/// The groups of `reviews`, a partition: every review in exactly one.
const POPULATIONS: [&str; 6] = [
    "4+ PN1-PN7",
    "under 4 PN0",
    "4+ PN0",
    "under 4 PN1-PN7",
    "no code",
    "no DOB",
];
const POP_COUNTED: usize = 0;
const POP_UNDER4_PN0: usize = 1;
const POP_PN0_4PLUS: usize = 2;
const POP_PN_UNDER4: usize = 3;
const POP_NO_CODE: usize = 4;
const POP_NO_DOB: usize = 5;

/// Age bands at the review: primary (4-9), secondary (10-15), leaving-care age
/// (16-17), and 18+ for reviews recorded after the 18th birthday (shown only
/// when there are any).
const AGE_BANDS: [&str; 4] = ["4-9", "10-15", "16-17", "18+"];

fn age_band(age: i32) -> usize {
    match age {
        ..=9 => 0,
        10..=15 => 1,
        16..=17 => 2,
        _ => 3,
    }
}

/// Edge cases counted in `flags`.
const FLAG_NAMES: [&str; 7] = [
    "pn0-aged-4-plus",
    "pn1-7-under-4",
    "no-code",
    "no-dob",
    "duplicate-review",
    "short-break-review",
    "review-outside-care",
];
const F_PN0_4PLUS: usize = 0;
const F_PN_UNDER4: usize = 1;
const F_NO_CODE: usize = 2;
const F_NO_DOB: usize = 3;
const F_DUPLICATE: usize = 4;
const F_SHORT_BREAK: usize = 5;
const F_OUTSIDE: usize = 6;

/// Counts for one period.
#[derive(Debug, Clone, Default)]
struct Counts {
    population: [u64; 6],
    /// PN1–PN7 of children 4+, by code (index 0 = PN1).
    codes: [u64; 7],
    /// By age band: (participated, PN1–PN7).
    bands: [(u64, u64); 4],
    flags: [u64; 7],
}

struct Aggregate {
    /// The year and its quarters (flows, by the date of the review).
    periods: Periods,
    counts: [Counts; 5],
}

impl Aggregate {
    fn new(year: CollectionYear) -> Self {
        Aggregate {
            periods: Periods::new(year),
            counts: Default::default(),
        }
    }

    fn in_year(&self, date: NaiveDate) -> bool {
        self.periods.flows_of(date).is_some()
    }

    /// Counts a review held on `date` in the year and in its quarter.
    fn add(&mut self, date: NaiveDate, f: impl Fn(&mut Counts)) {
        for p in self.periods.flows_of(date).into_iter().flatten() {
            f(&mut self.counts[p]);
        }
    }
}

/// What [`Metric::relations`] declares (secondary suppression): the PN1–PN7
/// population is the base of the distribution and of "participated";
/// participated (PN1–PN6) + PN7 = that base, and PN1 + … + PN6 = participated; each population that breaks a
/// rule is also a flag; denominators by age band add up; and every count adds
/// up from the quarters to the year. (That the reviews counted are
/// `review-timeliness.held`, and the reviews left out its flags, is declared
/// where the two metrics are wired together: the engine's registry.)
static RELATIONS: [Relation; 16] = [
    Relation::Sum {
        total: Term::num(REVIEWS).only("population=4+ PN1-PN7"),
        parts: &[Term::num(DISTRIBUTION).only("")],
    },
    Relation::Sum {
        total: Term::den(DISTRIBUTION).only(""),
        parts: &[Term::den(DISTRIBUTION)],
    },
    Relation::Sum {
        total: Term::num(DISTRIBUTION).only(""),
        parts: &[Term::den(DISTRIBUTION).only("")],
    },
    Relation::Sum {
        total: Term::den(PARTICIPATED).only(""),
        parts: &[Term::num(DISTRIBUTION).only("")],
    },
    Relation::Sum {
        total: Term::den(PARTICIPATED).only(""),
        parts: &[
            Term::num(PARTICIPATED).only(""),
            Term::num(DISTRIBUTION).only("code=PN7"),
        ],
    },
    Relation::Sum {
        total: Term::num(PARTICIPATED).only(""),
        parts: &[
            Term::num(DISTRIBUTION).only("code=PN1"),
            Term::num(DISTRIBUTION).only("code=PN2"),
            Term::num(DISTRIBUTION).only("code=PN3"),
            Term::num(DISTRIBUTION).only("code=PN4"),
            Term::num(DISTRIBUTION).only("code=PN5"),
            Term::num(DISTRIBUTION).only("code=PN6"),
        ],
    },
    Relation::Sum {
        total: Term::num(REVIEWS).only("population=4+ PN0"),
        parts: &[Term::num(FLAGS).only("flag=pn0-aged-4-plus")],
    },
    Relation::Sum {
        total: Term::num(REVIEWS).only("population=under 4 PN1-PN7"),
        parts: &[Term::num(FLAGS).only("flag=pn1-7-under-4")],
    },
    Relation::Sum {
        total: Term::num(REVIEWS).only("population=no code"),
        parts: &[Term::num(FLAGS).only("flag=no-code")],
    },
    Relation::BreakdownSumsToTotal {
        metric: PARTICIPATED,
        key: "age_band",
        field: Field::Denominator,
    },
    Relation::QuartersSumToYear(Term::num(REVIEWS)),
    Relation::QuartersSumToYear(Term::num(DISTRIBUTION)),
    Relation::QuartersSumToYear(Term::den(DISTRIBUTION)),
    Relation::QuartersSumToYear(Term::num(PARTICIPATED)),
    Relation::QuartersSumToYear(Term::den(PARTICIPATED)),
    Relation::QuartersSumToYear(Term::num(FLAGS)),
];

impl Metric for Participation {
    fn spec(&self) -> &MetricSpec {
        &SPEC
    }

    /// One walk over the children for all the years with an Episodes table,
    /// one for those without: where a review belongs does not depend on the
    /// dates looked at, so each review is counted in the year it was held.
    fn compute_years(
        &self,
        ctxs: &[MetricContext<'_>],
    ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        let mut out: Vec<Option<Result<Vec<MetricRow>, MetricError>>> =
            ctxs.iter().map(|_| None).collect();
        for episodes in [true, false] {
            let years: Vec<usize> = (0..ctxs.len())
                .filter(|&i| {
                    let ctx = &ctxs[i];
                    if !ctx.has(ctx.year, TableKind::Reviews) {
                        out[i] = Some(Err(MetricError::NotComputable(format!(
                            "no Reviews table for {}",
                            ctx.year.label()
                        ))));
                        return false;
                    }
                    ctx.has(ctx.year, TableKind::Episodes) == episodes
                })
                .collect();
            if years.is_empty() {
                continue;
            }
            let mut aggs: Vec<Aggregate> = years
                .iter()
                .map(|&i| Aggregate::new(ctxs[i].year))
                .collect();
            let from = aggs
                .iter()
                .map(|a| a.periods.bounds(0).0)
                .min()
                .unwrap_or_default();
            let to = aggs
                .iter()
                .map(|a| a.periods.bounds(0).1)
                .max()
                .unwrap_or_default();
            let mut scratch = Scratch::default();
            for child in ctxs[years[0]].cohort.iter_children() {
                if !child
                    .reviews
                    .iter()
                    .any(|r| aggs.iter().any(|a| a.in_year(r.review)))
                {
                    continue;
                }
                let periods = if episodes { child.periods } else { &[] };
                scratch.classify_child(periods, child.reviews, DEFAULT_SERIES_GAP_DAYS, from, to);
                for (r, place) in child.reviews.iter().zip(&scratch.places) {
                    let date = r.review;
                    let Some(agg) = aggs.iter_mut().find(|a| a.in_year(date)) else {
                        continue;
                    };
                    let excluded = match *place {
                        Place::OutsideWindow => continue,
                        Place::Ordinary(_) => None,
                        Place::NoEpisodes if !episodes => None,
                        Place::Duplicate => Some(F_DUPLICATE),
                        Place::ShortBreaks(_) => Some(F_SHORT_BREAK),
                        Place::BeforeCare | Place::AfterCare | Place::NoEpisodes => Some(F_OUTSIDE),
                    };
                    if let Some(f) = excluded {
                        agg.add(date, |c| c.flags[f] += 1);
                        continue;
                    }
                    let age = child.child.dob.map(|dob| age_in_years(dob, date));
                    let code = r.review_code;
                    agg.add(date, |c| classify(c, code, age));
                }
            }
            for (agg, &i) in aggs.into_iter().zip(&years) {
                out[i] = Some(Ok(rows(&ctxs[i], agg, episodes)));
            }
        }
        out.into_iter()
            .map(|r| r.unwrap_or_else(|| Err(MetricError::Failed("year not computed".into()))))
            .collect()
    }

    fn relations(&self) -> &[Relation] {
        &RELATIONS
    }
}

/// Counts one review held in ordinary care.
fn classify(c: &mut Counts, code: Option<ParticipationCode>, age: Option<i32>) {
    if code.is_none() {
        c.flags[F_NO_CODE] += 1;
    }
    if age.is_none() {
        c.flags[F_NO_DOB] += 1;
    }
    let (Some(code), Some(age)) = (code, age) else {
        c.population[if code.is_none() {
            POP_NO_CODE
        } else {
            POP_NO_DOB
        }] += 1;
        return;
    };
    let pn0 = code == ParticipationCode::PN0;
    match (age >= 4, pn0) {
        (false, true) => c.population[POP_UNDER4_PN0] += 1,
        (false, false) => {
            c.population[POP_PN_UNDER4] += 1;
            c.flags[F_PN_UNDER4] += 1;
        }
        (true, true) => {
            c.population[POP_PN0_4PLUS] += 1;
            c.flags[F_PN0_4PLUS] += 1;
        }
        (true, false) => {
            c.population[POP_COUNTED] += 1;
            let i = ParticipationCode::ALL
                .iter()
                .position(|&k| k == code)
                .unwrap_or(1)
                - 1;
            c.codes[i] += 1;
            let band = &mut c.bands[age_band(age)];
            band.1 += 1;
            if code.participated() == Some(true) {
                band.0 += 1;
            }
        }
    }
}

fn rows(ctx: &MetricContext<'_>, agg: Aggregate, episodes: bool) -> Vec<MetricRow> {
    let r = |m: &str, p: Period| row(&SPEC, ctx, m, p);
    let caveat = (!episodes).then(|| {
        format!(
            "no Episodes table for {}: short-break reviews and reviews outside care could not be left out",
            ctx.year.label()
        )
    });
    let noted = |row: MetricRow| match &caveat {
        Some(n) => row.note(n.clone()),
        None => row,
    };
    // 18+ is shown only when the year has such reviews.
    let bands = if agg.counts[0].bands[3].1 > 0 { 4 } else { 3 };
    let mut out = Vec::new();
    for (p, &period) in PERIODS.iter().enumerate() {
        let c = &agg.counts[p];
        let reviews: u64 = c.population.iter().sum();
        out.push(noted(r("reviews", period).count(reviews)));
        for (i, label) in POPULATIONS.iter().enumerate() {
            out.push(
                r("reviews", period)
                    .with_breakdown(Breakdown::one("population", *label))
                    .count(c.population[i]),
            );
        }
        let counted = c.population[POP_COUNTED];
        out.push(noted(r("distribution", period).percent(counted, counted)));
        for (i, code) in ParticipationCode::ALL[1..].iter().enumerate() {
            out.push(
                r("distribution", period)
                    .with_breakdown(Breakdown::one("code", code.code()))
                    .percent(c.codes[i], counted)
                    .note(code.meaning()),
            );
        }
        let participated: u64 = c.bands.iter().map(|b| b.0).sum();
        out.push(noted(
            r("participated", period)
                .percent(participated, counted)
                .note("PN1-PN6 of PN1-PN7 (our grouping of the DfE code meanings, not a published DfE indicator)"),
        ));
        for (i, label) in AGE_BANDS.iter().enumerate().take(bands) {
            out.push(
                r("participated", period)
                    .with_breakdown(Breakdown::one("age_band", *label))
                    .percent(c.bands[i].0, c.bands[i].1),
            );
        }
        for (i, label) in FLAG_NAMES.iter().enumerate() {
            out.push(
                r("flags", period)
                    .with_breakdown(Breakdown::one("flag", *label))
                    .count(c.flags[i]),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
