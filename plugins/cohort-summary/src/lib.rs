//! # cohort-summary
//!
//! Built-in metric: the first table of every IRO annual report — children looked
//! after at 31 March, children who started and ceased to be looked after, the
//! rate per 10,000 children and the change on the previous year — with the
//! reasons children left care and the profile of children looked after at
//! 31 March (age band, sex, ethnic group, legal status, category of need, UASC,
//! placement type).
//!
//! Counts follow the DfE definitions (docs/METHODS.md, "Cohorts"): short breaks
//! (legal status V3/V4) are left out; a child who started (or ceased) more than
//! once in the year is counted once.

use iro_domain::care::periods_without_short_breaks;
use iro_domain::{
    CategoryOfNeed, ChildRecord, CollectionYear, Episode, LegalStatus, PeriodOfCare,
    ReasonEpisodeCeased, ReasonNewEpisode, TableKind, looked_after_during, looked_after_on,
};
use iro_metric_api::{
    Breakdown, Cells, Column, ColumnNeed, MeasureId, MeasureSpec, Metric, MetricContext,
    MetricError, MetricRow, MetricSpec, Period, Relation, Subject, Term, Unit, row,
};

/// The metric.
#[derive(Debug, Default, Clone, Copy)]
pub struct CohortSummary;

const PROFILE_KEYS: &[&str] = &[
    "age_band",
    "sex",
    "ethnicity",
    "legal_status",
    "category_of_need",
    "uasc",
    "placement",
];

/// The ids of this metric's measures (the `metric` column): the report,
/// the charts, targets and benchmarking name measures by these, never by text.
pub const CLA_31_MARCH: MeasureId = MeasureId::new("cohort-summary.cla-31-march");
pub const CLA_RATE: MeasureId = MeasureId::new("cohort-summary.cla-rate");
pub const CLA_CHANGE: MeasureId = MeasureId::new("cohort-summary.cla-change");
pub const STARTS: MeasureId = MeasureId::new("cohort-summary.starts");
pub const STARTS_RATE: MeasureId = MeasureId::new("cohort-summary.starts-rate");
pub const CEASES: MeasureId = MeasureId::new("cohort-summary.ceases");
pub const CEASES_RATE: MeasureId = MeasureId::new("cohort-summary.ceases-rate");
pub const DURING_YEAR: MeasureId = MeasureId::new("cohort-summary.during-year");
pub const PERIODS_AT_START: MeasureId = MeasureId::new("cohort-summary.periods-at-start");
pub const PERIODS_STARTED: MeasureId = MeasureId::new("cohort-summary.periods-started");
pub const PERIODS_ENDED: MeasureId = MeasureId::new("cohort-summary.periods-ended");
pub const PERIODS_AT_END: MeasureId = MeasureId::new("cohort-summary.periods-at-end");
pub const PERIODS_DURING_YEAR: MeasureId = MeasureId::new("cohort-summary.periods-during-year");
pub const PROFILE: MeasureId = MeasureId::new("cohort-summary.profile");
pub const CEASED_REASON: MeasureId = MeasureId::new("cohort-summary.ceased-reason");
/// Unaccompanied asylum-seeking children at 31 March, by sex and by age (%
/// of UASC at 31 March).
pub const UASC_PROFILE: MeasureId = MeasureId::new("cohort-summary.uasc-profile");
/// Children who started to be looked after in the year as UASC.
pub const UASC_STARTS: MeasureId = MeasureId::new("cohort-summary.uasc-starts");
/// Children looked after at 31 March by age and legal status (counts), care
/// orders interim and full apart.
pub const AGE_LEGAL_STATUS: MeasureId = MeasureId::new("cohort-summary.age-legal-status");

/// The profile's `care_order` rows (% of all children looked after): the
/// care orders of `legal_status=Care order` split into interim (C1) and full
/// (C2). Also the values of `age-legal-status`'s `legal_status` for them.
/// (Declared in `iro-domain`, which run-time plugins share through the SDK.)
pub use iro_domain::{FULL_CARE_ORDER, INTERIM_CARE_ORDER};

/// The keys of `age-legal-status`.
const AGE_LEGAL_STATUS_KEYS: &str = "age_band;legal_status";

/// The legal status of `age-legal-status`: the DfE's groups, care orders
/// interim and full apart (the seed reports' Graph 6).
pub fn legal_status_detail(ls: LegalStatus) -> &'static str {
    ls.group_with_care_orders_apart()
}

static SPEC: MetricSpec = MetricSpec {
    id: "cohort-summary",
    title: "Children looked after: numbers, rates and profile",
    version: env!("CARGO_PKG_VERSION"),
    requires: &[TableKind::Episodes],
    needs: NEEDS,
    measures: &[
        MeasureSpec {
            id: CLA_31_MARCH,
            title: "Children looked after at 31 March",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: CLA_RATE,
            title: "Children looked after at 31 March per 10,000 children aged under 18",
            unit: Unit::Per10000,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: CLA_CHANGE,
            title: "Change in children looked after at 31 March on the previous year",
            unit: Unit::PercentChange,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: STARTS,
            title: "Children who started to be looked after during the year",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: STARTS_RATE,
            title: "Children who started to be looked after per 10,000 children aged under 18",
            unit: Unit::Per10000,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: CEASES,
            title: "Children who ceased to be looked after during the year",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: CEASES_RATE,
            title: "Children who ceased to be looked after per 10,000 children aged under 18",
            unit: Unit::Per10000,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: DURING_YEAR,
            title: "Children looked after at any time during the year",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: PERIODS_AT_START,
            title: "Periods of care open at the start of the year (1 April)",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: PERIODS_STARTED,
            title: "Periods of care started during the year",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: PERIODS_ENDED,
            title: "Periods of care ended during the year",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: PERIODS_AT_END,
            title: "Periods of care open at the end of the year (31 March)",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: PERIODS_DURING_YEAR,
            title: "Periods of care open at any time during the year",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: PROFILE,
            title: "Children looked after at 31 March by characteristic",
            unit: Unit::Percent,
            additive_breakdowns: PROFILE_KEYS,
            subject: Subject::Children,
        },
        MeasureSpec {
            id: CEASED_REASON,
            title: "Children who ceased to be looked after, by reason",
            unit: Unit::Percent,
            additive_breakdowns: &["reason"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: UASC_PROFILE,
            title: "Unaccompanied asylum-seeking children looked after at 31 March, by sex and by age",
            unit: Unit::Percent,
            additive_breakdowns: &["sex", "age_band"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: UASC_STARTS,
            title: "Children who started to be looked after during the year as unaccompanied asylum-seeking children",
            unit: Unit::Count,
            additive_breakdowns: &[],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: AGE_LEGAL_STATUS,
            title: "Children looked after at 31 March by age and legal status",
            unit: Unit::Count,
            additive_breakdowns: &[AGE_LEGAL_STATUS_KEYS],
            subject: Subject::Children,
        },
    ],
    params: &[],
};

/// Columns beyond each table's essential ones: the reasons for leaving read
/// REC (ceases themselves need only DEC and the chain of episodes), and each
/// profile characteristic reads its own column.
const NEEDS: &[ColumnNeed] = {
    const REC: Column = Column::of(TableKind::Episodes, "REC");
    &[
        ColumnNeed::measure(CEASED_REASON, &[REC]),
        ColumnNeed::breakdown(PROFILE, "age_band", &[Column::of(TableKind::Header, "DOB")]),
        ColumnNeed::breakdown(PROFILE, "sex", &[Column::of(TableKind::Header, "SEX")]),
        ColumnNeed::breakdown(
            PROFILE,
            "ethnicity",
            &[Column::of(TableKind::Header, "ETHNIC")],
        ),
        ColumnNeed::breakdown(
            PROFILE,
            "category_of_need",
            &[Column::of(TableKind::Episodes, "CIN")],
        ),
        ColumnNeed::breakdown(
            PROFILE,
            "placement",
            &[Column::of(TableKind::Episodes, "PLACE")],
        ),
        ColumnNeed::breakdown(
            UASC_PROFILE,
            "age_band",
            &[Column::of(TableKind::Header, "DOB")],
        ),
        ColumnNeed::breakdown(UASC_PROFILE, "sex", &[Column::of(TableKind::Header, "SEX")]),
        ColumnNeed::measure(AGE_LEGAL_STATUS, &[Column::of(TableKind::Header, "DOB")]),
    ]
};

/// What [`Metric::relations`] declares: each rate counts the children its
/// count does, the change on the year has this year's count as numerator, the
/// profile and reasons for leaving are shares of the counts shown, and the
/// flow of periods of care adds up (open at the start + started = open during
/// the year = ended + open at the end).
static RELATIONS: [Relation; 14] = [
    Relation::Sum {
        total: Term::num(CLA_31_MARCH),
        parts: &[Term::num(CLA_RATE)],
    },
    Relation::Sum {
        total: Term::num(CLA_31_MARCH),
        parts: &[Term::num(CLA_CHANGE)],
    },
    Relation::Sum {
        total: Term::num(STARTS),
        parts: &[Term::num(STARTS_RATE)],
    },
    Relation::Sum {
        total: Term::num(CEASES),
        parts: &[Term::num(CEASES_RATE)],
    },
    Relation::Sum {
        total: Term::num(CLA_31_MARCH).only(""),
        parts: &[Term::den(PROFILE)],
    },
    Relation::Sum {
        total: Term::num(CEASES).only(""),
        parts: &[Term::den(CEASED_REASON)],
    },
    Relation::Sum {
        total: Term::num(PERIODS_DURING_YEAR),
        parts: &[Term::num(PERIODS_AT_START), Term::num(PERIODS_STARTED)],
    },
    Relation::Sum {
        total: Term::num(PERIODS_DURING_YEAR),
        parts: &[Term::num(PERIODS_ENDED), Term::num(PERIODS_AT_END)],
    },
    // Care orders, interim and full, add up to the care orders.
    Relation::Sum {
        total: Term::num(PROFILE).only("legal_status=Care order"),
        parts: &[
            Term::num(PROFILE).only("care_order=Interim care order (C1)"),
            Term::num(PROFILE).only("care_order=Full care order (C2)"),
        ],
    },
    // UASC by sex and by age are shares of the UASC at 31 March.
    Relation::Sum {
        total: Term::num(PROFILE).only("uasc=UASC"),
        parts: &[Term::den(UASC_PROFILE)],
    },
    // Age by legal status: its total is the count at 31 March, its margins
    // the profile's ages and legal statuses (care orders by their kind).
    Relation::Sum {
        total: Term::num(CLA_31_MARCH).only(""),
        parts: &[Term::num(AGE_LEGAL_STATUS).only("")],
    },
    Relation::SumByValue {
        parts: Cells::num(AGE_LEGAL_STATUS, AGE_LEGAL_STATUS_KEYS, "age_band"),
        total: Cells::num(PROFILE, "age_band", "age_band"),
    },
    Relation::Regroup {
        parts: Cells::num(AGE_LEGAL_STATUS, AGE_LEGAL_STATUS_KEYS, "legal_status"),
        total: Cells::num(PROFILE, "legal_status", "legal_status"),
        groups: &[
            (INTERIM_CARE_ORDER, "Care order"),
            (FULL_CARE_ORDER, "Care order"),
            ("Placement order", "Placement order"),
            ("Voluntary agreement (s20)", "Voluntary agreement (s20)"),
            ("Emergency orders", "Emergency orders"),
            ("Youth justice", "Youth justice"),
        ],
    },
    Relation::SumByValue {
        parts: Cells::num(AGE_LEGAL_STATUS, AGE_LEGAL_STATUS_KEYS, "legal_status"),
        total: Cells::num(PROFILE, "care_order", "care_order"),
    },
];

/// The reason shown for a period of care that ended with REC left blank.
pub const REASON_NOT_RECORDED: &str = "Not recorded";

/// The reason shown for a period of care whose last episode ended X1 ("a new
/// episode begins on the same day") with no episode following on.
pub const REASON_X1_NOTHING_FOLLOWS: &str = "Not recorded: REC X1 but no episode follows";

impl Metric for CohortSummary {
    fn spec(&self) -> &MetricSpec {
        &SPEC
    }

    /// One walk over the cohort's children for every year asked for.
    fn compute_years(
        &self,
        ctxs: &[MetricContext<'_>],
    ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        let Some(first) = ctxs.first() else {
            return Vec::new();
        };
        let cohort = first.cohort;
        // The years computed, then the year before each (for the change on
        // the year): a 31 March count is needed for each.
        let mut snapshots: Vec<CollectionYear> = ctxs.iter().map(|c| c.year).collect();
        for c in ctxs {
            if !snapshots.contains(&c.year.previous()) {
                snapshots.push(c.year.previous());
            }
        }
        let mut acc: Vec<YearCounts> = snapshots.iter().map(|_| YearCounts::default()).collect();
        let mut held = Vec::new();
        for child in cohort.iter_children() {
            // The child's care runs from its first episode's start to its
            // last end (open: no end); a year outside that has nothing of it.
            let Some(first_start) = child.episodes.iter().map(|e| e.decom).min() else {
                continue;
            };
            let last_end = child
                .episodes
                .iter()
                .map(|e| e.dec)
                .try_fold(first_start, |m, d| d.map(|d| m.max(d)));
            for (i, &year) in snapshots.iter().enumerate() {
                if first_start > year.end() || last_end.is_some_and(|e| e < year.start()) {
                    continue;
                }
                child.episodes_in_return(year, &mut held);
                acc[i].add_child(&child, &held, year, i < ctxs.len());
            }
        }
        ctxs.iter()
            .enumerate()
            .map(|(i, ctx)| {
                if !ctx.has(ctx.year, TableKind::Episodes) {
                    return Err(MetricError::NotComputable(format!(
                        "no Episodes table for {}",
                        ctx.year.label()
                    )));
                }
                let prev = snapshots
                    .iter()
                    .position(|&y| y == ctx.year.previous())
                    .map_or(0, |p| acc[p].cla);
                Ok(acc[i].rows(ctx, prev))
            })
            .collect()
    }

    fn relations(&self) -> &[Relation] {
        &RELATIONS
    }
}

/// Number of values of each profile characteristic, in `PROFILE_KEYS` order.
type Profile = [Vec<(&'static str, u64)>; 7];

/// One collection year's counts, built child by child.
#[derive(Debug, Default)]
struct YearCounts {
    cla: u64,
    starts: u64,
    ceases: u64,
    during: u64,
    flow: Flow,
    profile: Profile,
    /// Category of need at 31 March: counted by code, labelled at the end.
    need: Vec<(Option<CategoryOfNeed>, u64)>,
    ceased: Vec<(&'static str, u64)>,
    /// Care orders at 31 March, interim and full.
    care_order: Vec<(&'static str, u64)>,
    /// UASC at 31 March, and by sex and age band.
    uasc: u64,
    uasc_by: [Vec<(&'static str, u64)>; 2],
    /// Started to be looked after in the year as UASC.
    uasc_starts: u64,
    /// Age band × legal status (detail) at 31 March.
    age_legal: Vec<((&'static str, &'static str), u64)>,
}

/// The year's flow of periods of care (short-break episodes left out before
/// chaining: [`periods_without_short_breaks`]): open at the start + started =
/// open during = ended + open at the end, for every period whose end is not
/// before its start (ingest excludes an episode whose DEC is before its DECOM,
/// so every period).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Flow {
    at_start: u64,
    started: u64,
    ended: u64,
    at_end: u64,
}

impl Flow {
    fn add(&mut self, p: &PeriodOfCare, year: CollectionYear) {
        let before = year.previous().end();
        self.at_start += u64::from(p.open_on(before));
        self.started += u64::from(year.contains(p.start));
        self.ended += u64::from(p.end.is_some_and(|e| year.contains(e)));
        self.at_end += u64::from(p.open_on(year.end()));
    }

    fn during(&self) -> u64 {
        self.at_start + self.started
    }
}

fn bump<K: PartialEq>(tally: &mut Vec<(K, u64)>, key: K) {
    match tally.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => tally.push((key, 1)),
    }
}

impl YearCounts {
    /// Adds one child, seen through `episodes`: the child's episodes as the
    /// year's figures see them ([`ChildRecord::episodes_in_return`]).
    /// `full`: the year is reported (not only the 31 March count of a
    /// previous year).
    fn add_child(
        &mut self,
        c: &ChildRecord<'_>,
        episodes: &[&Episode],
        year: CollectionYear,
        full: bool,
    ) {
        let end = year.end();
        if let Some(e) = looked_after_on(episodes.iter().copied(), end) {
            self.cla += 1;
            if full {
                self.profile_child(c, e, year);
            }
        }
        if !full {
            return;
        }
        if let Some(start) = start_in(episodes, year) {
            self.starts += 1;
            if c.child.is_uasc_on(start.decom) {
                self.uasc_starts += 1;
            }
        }
        let (care, periods) = periods_without_short_breaks(c.idx, episodes);
        let mut last_ended = None;
        for p in &periods {
            self.flow.add(p, year);
            if p.end.is_some_and(|e| year.contains(e)) {
                last_ended = Some(p);
            }
        }
        if let Some(p) = last_ended {
            self.ceases += 1;
            let last_rec = (p.episodes.end as usize)
                .checked_sub(1)
                .and_then(|i| care.get(i))
                .and_then(|e| e.rec);
            let reason = match (p.reason_ceased, last_rec) {
                (Some(rec), _) => rec.leaving_group(),
                (None, Some(ReasonEpisodeCeased::X1)) => REASON_X1_NOTHING_FOLLOWS,
                (None, _) => REASON_NOT_RECORDED,
            };
            bump(&mut self.ceased, reason);
        }
        if looked_after_during(episodes.iter().copied(), year.start(), end) {
            self.during += 1;
        }
    }

    /// The 31 March profile of a child looked after then (`e`: the episode
    /// open at the end of 31 March).
    fn profile_child(&mut self, c: &ChildRecord<'_>, e: &Episode, year: CollectionYear) {
        let end = year.end();
        let values: [&'static str; 6] = [
            c.age_band_on(end).label(),
            c.child.sex.map_or("Not known", |s| s.label()),
            c.child.ethnic.map_or("Not known", |e| e.group()),
            e.ls.group().label(),
            if c.child.is_uasc_on(end) {
                "UASC"
            } else {
                "Not UASC"
            },
            e.place.map_or("Not known", |p| p.group().label()),
        ];
        // PROFILE_KEYS: age_band, sex, ethnicity, legal_status,
        // category_of_need (apart), uasc, placement.
        for (slot, value) in [0, 1, 2, 3, 5, 6].into_iter().zip(values) {
            bump(&mut self.profile[slot], value);
        }
        bump(&mut self.need, e.cin);
        let [age, sex, ..] = values;
        let detail = legal_status_detail(e.ls);
        bump(&mut self.age_legal, (age, detail));
        if matches!(e.ls, LegalStatus::C1 | LegalStatus::C2) {
            bump(&mut self.care_order, detail);
        }
        if c.child.is_uasc_on(end) {
            self.uasc += 1;
            bump(&mut self.uasc_by[0], sex);
            bump(&mut self.uasc_by[1], age);
        }
    }

    fn rows(&self, ctx: &MetricContext<'_>, prev_cla: u64) -> Vec<MetricRow> {
        let year = ctx.year;
        let r = |measure: &str, period: Period| row(&SPEC, ctx, measure, period);
        let (cla, starts, ceases) = (self.cla, self.starts, self.ceases);
        let mut rows = Vec::with_capacity(64);
        rows.push(r("cla-31-march", Period::Snapshot).count(cla));
        rows.push(r("starts", Period::Year).count(starts));
        rows.push(r("ceases", Period::Year).count(ceases));
        rows.push(r("during-year", Period::Year).count(self.during));
        let f = self.flow;
        let basis = ctx.cohort.figure_basis().label();
        for (measure, n) in [
            ("periods-at-start", f.at_start),
            ("periods-started", f.started),
            ("periods-ended", f.ended),
            ("periods-at-end", f.at_end),
            ("periods-during-year", f.during()),
        ] {
            rows.push(
                r(measure, Period::Year)
                    .count(n)
                    .note(format!("counted from {basis}")),
            );
        }

        // Rates per 10,000, on the population DfE uses for this year.
        let la = ctx.cohort.la();
        let denominator = ctx.reference.denominator_for(la, year);
        for (measure, period, n) in [
            ("cla-rate", Period::Snapshot, cla),
            ("starts-rate", Period::Year, starts),
            ("ceases-rate", Period::Year, ceases),
        ] {
            rows.push(match denominator {
                Some(d) => r(measure, period).per_10000(n, d.population).note(format!(
                    "population: ONS mid-{} estimate, aged 0-17",
                    d.mid_year
                )),
                None => r(measure, period).not_computable(format!(
                    "no under-18 population for {la} in the reference data for {}",
                    year.label()
                )),
            });
        }

        // Change on the previous year, only when that year's return was loaded.
        let prev = year.previous();
        rows.push(if ctx.has(prev, TableKind::Episodes) {
            r("cla-change", Period::Snapshot)
                .change(cla, prev_cla)
                .note(format!("against 31 March {}", prev.0))
        } else {
            r("cla-change", Period::Snapshot)
                .not_computable(format!("no Episodes table for {}", prev.label()))
        });

        // Profile at 31 March, each characteristic's values in label order.
        for (key, values) in PROFILE_KEYS.iter().zip(&self.profile) {
            let mut sorted: Vec<(String, u64)> = if *key == "category_of_need" {
                self.need
                    .iter()
                    .map(|&(n, count)| {
                        let label = n.map_or("Not known".to_string(), |n| {
                            format!("{} {}", n.code(), n.meaning())
                        });
                        (label, count)
                    })
                    .collect()
            } else {
                values.iter().map(|&(v, n)| (v.to_string(), n)).collect()
            };
            sorted.sort();
            for (value, n) in sorted {
                rows.push(
                    r("profile", Period::Snapshot)
                        .with_breakdown(Breakdown::one(key, value))
                        .percent(n, cla),
                );
            }
        }

        // Care orders, interim and full, as shares of all at 31 March.
        let mut care_order = self.care_order.clone();
        care_order.sort();
        for (value, n) in care_order {
            rows.push(
                r("profile", Period::Snapshot)
                    .with_breakdown(Breakdown::one("care_order", value))
                    .percent(n, cla),
            );
        }

        // UASC at 31 March by sex and by age, and UASC who started.
        for (key, values) in ["sex", "age_band"].iter().zip(&self.uasc_by) {
            let mut sorted = values.clone();
            sorted.sort();
            for (value, n) in sorted {
                rows.push(
                    r("uasc-profile", Period::Snapshot)
                        .with_breakdown(Breakdown::one(key, value))
                        .percent(n, self.uasc),
                );
            }
        }
        rows.push(r("uasc-starts", Period::Year).count(self.uasc_starts));

        // Age by legal status at 31 March.
        rows.push(r("age-legal-status", Period::Snapshot).count(cla));
        let mut age_legal = self.age_legal.clone();
        age_legal.sort();
        for ((age, status), n) in age_legal {
            rows.push(
                r("age-legal-status", Period::Snapshot)
                    .with_breakdown(Breakdown::new(&[
                        ("age_band", age),
                        ("legal_status", status),
                    ]))
                    .count(n),
            );
        }

        // Reasons for leaving care.
        let mut ceased = self.ceased.clone();
        ceased.sort();
        for (reason, n) in ceased {
            rows.push(
                r("ceased-reason", Period::Year)
                    .with_breakdown(Breakdown::one("reason", reason))
                    .percent(n, ceases),
            );
        }
        rows
    }
}

/// Started to be looked after in the year: the first RNE = S episode in the
/// year that is not a short break.
fn start_in<'e>(episodes: &[&'e Episode], year: CollectionYear) -> Option<&'e Episode> {
    episodes
        .iter()
        .copied()
        .find(|e| e.rne == ReasonNewEpisode::S && !e.is_short_break() && year.contains(e.decom))
}

#[cfg(test)]
mod tests {
    //! A five-child cohort whose figures were worked out by hand.
    use super::*;
    use chrono::NaiveDate;
    use iro_domain::*;
    use iro_metric_api::MetricExt;
    use iro_metric_api::Params;
    use std::collections::{BTreeMap, BTreeSet};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%d/%m/%Y").unwrap()
    }

    fn child(id: &str, sex: Sex, dob: &str, ethnic: Ethnicity) -> Child {
        Child {
            child_id: id.into(),
            sex: Some(sex),
            dob: Some(d(dob)),
            ethnic: Some(ethnic),
            upn: None,
            mother: None,
            mc_dob: None,
            uasc: None,
            header_year: Some(CollectionYear(2025)),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn ep(
        c: u32,
        decom: &str,
        rne: ReasonNewEpisode,
        ls: LegalStatus,
        place: PlacementType,
        dec: Option<&str>,
        rec: Option<ReasonEpisodeCeased>,
    ) -> Episode {
        Episode {
            child: ChildIdx(c),
            decom: d(decom),
            rne,
            ls,
            cin: Some(CategoryOfNeed::N1),
            place: Some(place),
            place_provider: None,
            dec: dec.map(d),
            rec,
            reason_place_change: None,
            home_post: None,
            pl_post: None,
            urn: None,
            year: CollectionYear::containing(d(decom)),
            source: SourceRef { file: 0, line: 2 },
        }
    }

    fn cohort() -> Cohort {
        use LegalStatus::*;
        use PlacementType::*;
        use ReasonEpisodeCeased::*;
        use ReasonNewEpisode::*;
        let children = vec![
            // 0: in care throughout, aged 12 at 31/03/2025.
            child("A1", Sex::Male, "10/05/2012", Ethnicity::WBRI),
            // 1: starts in 2024-25 as a baby, still in care.
            child("A2", Sex::Female, "01/06/2024", Ethnicity::MWBC),
            // 2: in care at 31/03/2024, ceases in 2024-25 (SGO).
            child("A3", Sex::Female, "20/02/2016", Ethnicity::WBRI),
            // 3: starts and ceases in 2024-25, then starts again: counted once each.
            child("A4", Sex::Male, "03/03/2008", Ethnicity::BAFR),
            // 4: short breaks only: never counted.
            child("A5", Sex::Male, "03/03/2014", Ethnicity::WBRI),
        ];
        let mut uasc_child = children;
        uasc_child[3].uasc = Some(Uasc { duc: None });
        let episodes = vec![
            ep(0, "01/09/2020", S, C2, U4, Some("01/07/2024"), Some(X1)),
            ep(0, "01/07/2024", P, C2, K2, None, None),
            ep(1, "10/06/2024", S, C1, U6, Some("10/10/2024"), Some(X1)),
            ep(1, "10/10/2024", L, C2, U6, None, None),
            ep(2, "15/01/2023", S, V2, U3, Some("30/09/2024"), Some(E45)),
            ep(3, "05/05/2024", S, V2, H5, Some("20/05/2024"), Some(E13)),
            ep(3, "01/02/2025", S, V2, K2, Some("01/03/2025"), Some(X1)),
            ep(3, "01/03/2025", P, V2, H5, None, None),
            ep(4, "01/03/2025", S, V3, K2, Some("04/03/2025"), Some(E8)),
        ];
        let mut tables = BTreeMap::new();
        for y in [2024, 2025] {
            tables.insert(
                CollectionYear(y),
                BTreeSet::from([TableKind::Header, TableKind::Episodes]),
            );
        }
        Cohort::new(
            LaCode::new(800).unwrap(),
            CohortParts {
                children: uasc_child,
                episodes,
                tables,
                ..Default::default()
            },
        )
    }

    fn value(rows: &[MetricRow], metric: MeasureId, breakdown: &str) -> Option<f64> {
        rows.iter()
            .find(|r| r.metric == metric && r.breakdown.to_string() == breakdown)
            .and_then(|r| r.value)
    }

    #[test]
    fn table_one_figures_by_hand() {
        let cohort = cohort();
        let reference = iro_metric_api::Reference::bundled().unwrap();
        let calendar = WorkingDayCalendar::england_and_wales();
        let params = Params::new();
        let ctx = MetricContext {
            cohort: &cohort,
            la: reference.la(cohort.la()),
            year: CollectionYear(2025),
            reference: &reference,
            calendar: &calendar,
            params: &params,
        };
        let rows = CohortSummary.compute(&ctx).unwrap();
        // At 31/03/2025: A1, A2, A4 (A3 ceased, A5 short breaks only).
        assert_eq!(value(&rows, CLA_31_MARCH, ""), Some(3.0));
        // At 31/03/2024: A1, A3.
        assert_eq!(value(&rows, CLA_CHANGE, ""), Some(50.0));
        // Starts: A2, A4 (twice, counted once). A5's short break is not a start.
        assert_eq!(value(&rows, STARTS, ""), Some(2.0));
        // Ceases: A3 (E45) and A4 (E13, once).
        assert_eq!(value(&rows, CEASES, ""), Some(2.0));
        assert_eq!(value(&rows, DURING_YEAR, ""), Some(4.0));
        // BANES population for 31 March 2025 is the mid-2024 estimate, 36,601.
        let rate = value(&rows, CLA_RATE, "").unwrap();
        assert!((rate - 3.0 * 10_000.0 / 36_601.0).abs() < 1e-9);
        // Profile: A1 aged 12, A2 aged 0, A4 aged 17.
        let third = 100.0 / 3.0;
        for band in [
            "age_band=10 to 15",
            "age_band=Under 1",
            "age_band=16 and over",
        ] {
            assert_eq!(value(&rows, PROFILE, band), Some(third));
        }
        assert_eq!(
            value(&rows, PROFILE, "legal_status=Care order"),
            Some(2.0 * third)
        );
        assert_eq!(value(&rows, PROFILE, "uasc=UASC"), Some(third));
        assert_eq!(
            value(&rows, CEASED_REASON, "reason=Special guardianship order"),
            Some(50.0)
        );
    }

    /// The same five children: at 31 March 2025 A1 (full care order, 12),
    /// A2 (interim care order until October, full at 31 March, under 1) and
    /// A4 (s20, 17, UASC, who started twice in the year).
    #[test]
    fn uasc_age_by_legal_status_and_care_orders_apart() {
        let cohort = cohort();
        let rows = run_year(&cohort, 2025);
        let get = |m: MeasureId, b: &str| {
            rows.iter()
                .find(|r| r.metric == m && r.breakdown.to_string() == b)
                .map(|r| (r.numerator, r.denominator))
        };
        // Care orders at 31 March: two full, no interim (A2's C1 ended).
        assert_eq!(
            get(PROFILE, "care_order=Full care order (C2)"),
            Some((Some(2), Some(3)))
        );
        assert_eq!(get(PROFILE, "care_order=Interim care order (C1)"), None);
        assert_eq!(
            get(PROFILE, "legal_status=Care order"),
            Some((Some(2), Some(3)))
        );
        // UASC at 31 March: A4, a boy of 17.
        assert_eq!(get(UASC_PROFILE, "sex=Male"), Some((Some(1), Some(1))));
        assert_eq!(
            get(UASC_PROFILE, "age_band=16 and over"),
            Some((Some(1), Some(1)))
        );
        assert_eq!(get(UASC_PROFILE, "sex=Female"), None);
        // A4 started twice as UASC: counted once; A2 is not UASC.
        assert_eq!(get(UASC_STARTS, ""), Some((Some(1), None)));
        // Age by legal status: each child once, the total the 31 March count.
        assert_eq!(get(AGE_LEGAL_STATUS, ""), Some((Some(3), None)));
        for cell in [
            "age_band=10 to 15;legal_status=Full care order (C2)",
            "age_band=Under 1;legal_status=Full care order (C2)",
            "age_band=16 and over;legal_status=Voluntary agreement (s20)",
        ] {
            assert_eq!(get(AGE_LEGAL_STATUS, cell), Some((Some(1), None)), "{cell}");
        }
        let cells = rows
            .iter()
            .filter(|r| r.metric == AGE_LEGAL_STATUS && !r.breakdown.is_empty())
            .count();
        assert_eq!(cells, 3);
    }

    /// A child whose UASC status ceased before they started is not a UASC
    /// start; one looked after on an interim care order at 31 March is.
    #[test]
    fn uasc_status_is_read_on_the_day() {
        use LegalStatus::*;
        use PlacementType::*;
        use ReasonNewEpisode::*;
        let mut kids = children(2);
        kids[0].uasc = Some(Uasc {
            duc: Some(d("01/05/2024")),
        });
        kids[1].uasc = Some(Uasc { duc: None });
        let cohort = Cohort::new(
            LaCode::new(800).unwrap(),
            CohortParts {
                children: kids,
                episodes: vec![
                    ep(0, "01/06/2024", S, C1, U4, None, None),
                    ep(1, "01/06/2024", S, C1, U4, None, None),
                ],
                tables: tables(&[2025]),
                ..Default::default()
            },
        );
        let rows = run_year(&cohort, 2025);
        let n = |m: MeasureId, b: &str| {
            rows.iter()
                .find(|r| r.metric == m && r.breakdown.to_string() == b)
                .and_then(|r| r.numerator)
        };
        assert_eq!(n(UASC_STARTS, ""), Some(1));
        assert_eq!(n(PROFILE, "uasc=UASC"), Some(1));
        assert_eq!(n(PROFILE, "care_order=Interim care order (C1)"), Some(2));
        assert_eq!(
            n(
                AGE_LEGAL_STATUS,
                "age_band=10 to 15;legal_status=Interim care order (C1)"
            ),
            Some(2)
        );
    }

    #[test]
    fn all_years_at_once_equal_each_year_alone() {
        // 2024 and 2025 have Episodes tables, 2026 has none (not computable)
        // and 2023's 31 March count (for 2024's change) comes from the same
        // walk.
        let cohort = cohort();
        let reference = iro_metric_api::Reference::bundled().unwrap();
        let calendar = WorkingDayCalendar::england_and_wales();
        let params = Params::new();
        let ctxs: Vec<MetricContext<'_>> = [2024, 2025, 2026]
            .map(|y| MetricContext {
                cohort: &cohort,
                la: reference.la(cohort.la()),
                year: CollectionYear(y),
                reference: &reference,
                calendar: &calendar,
                params: &params,
            })
            .to_vec();
        let together = CohortSummary.compute_years(&ctxs);
        assert_eq!(together.len(), 3);
        for (ctx, got) in ctxs.iter().zip(together) {
            assert_eq!(got, CohortSummary.compute(ctx), "{:?}", ctx.year);
        }
        assert!(CohortSummary.compute_years(&[]).is_empty());
    }

    #[test]
    fn relations_name_measures_that_exist() {
        for r in CohortSummary.relations() {
            for t in r.terms() {
                let (id, measure) = t.metric.as_str().split_once('.').unwrap();
                assert_eq!(id, "cohort-summary", "{r}");
                assert!(SPEC.measure_named(measure).is_some(), "{r}");
            }
        }
    }

    #[test]
    fn missing_tables_are_not_computable() {
        let cohort = cohort();
        let reference = iro_metric_api::Reference::bundled().unwrap();
        let calendar = WorkingDayCalendar::england_and_wales();
        let params = Params::new();
        let mut ctx = MetricContext {
            cohort: &cohort,
            la: None,
            year: CollectionYear(2026),
            reference: &reference,
            calendar: &calendar,
            params: &params,
        };
        assert!(matches!(
            CohortSummary.compute(&ctx),
            Err(MetricError::NotComputable(_))
        ));
        ctx.year = CollectionYear(2024);
        let rows = CohortSummary.compute(&ctx).unwrap();
        let change = rows.iter().find(|r| r.metric == CLA_CHANGE).unwrap();
        assert_eq!(change.value, None);
        assert!(change.note_text().starts_with("not computable"));
    }

    fn run_year(cohort: &Cohort, year: i32) -> Vec<MetricRow> {
        static REFERENCE: std::sync::OnceLock<iro_metric_api::Reference> =
            std::sync::OnceLock::new();
        let reference = REFERENCE.get_or_init(|| iro_metric_api::Reference::bundled().unwrap());
        let calendar = WorkingDayCalendar::england_and_wales();
        let params = Params::new();
        let ctx = MetricContext {
            cohort,
            la: reference.la(cohort.la()),
            year: CollectionYear(year),
            reference,
            calendar: &calendar,
            params: &params,
        };
        CohortSummary.compute(&ctx).unwrap()
    }

    fn count(rows: &[MetricRow], measure: &str) -> u64 {
        rows.iter()
            .find(|r| r.metric == format!("cohort-summary.{measure}") && r.breakdown.is_empty())
            .and_then(|r| r.numerator)
            .unwrap_or_else(|| panic!("no {measure} row"))
    }

    fn flow(rows: &[MetricRow]) -> [u64; 5] {
        [
            "periods-at-start",
            "periods-started",
            "periods-ended",
            "periods-at-end",
            "periods-during-year",
        ]
        .map(|m| count(rows, m))
    }

    fn tables(years: &[i32]) -> BTreeMap<CollectionYear, BTreeSet<TableKind>> {
        years
            .iter()
            .map(|&y| {
                (
                    CollectionYear(y),
                    BTreeSet::from([TableKind::Header, TableKind::Episodes]),
                )
            })
            .collect()
    }

    fn children(n: usize) -> Vec<Child> {
        (0..n)
            .map(|i| child(&format!("C{i}"), Sex::Female, "01/01/2015", Ethnicity::WBRI))
            .collect()
    }

    /// Ten children leave with a DEC but no REC, ten are adopted, ten are
    /// still in care: every one of the twenty who left has ceased, and the
    /// ten without a reason are "Not recorded".
    #[test]
    fn a_blank_rec_still_ends_the_period_of_care() {
        use LegalStatus::*;
        use PlacementType::*;
        use ReasonNewEpisode::*;
        let mut episodes = Vec::new();
        for c in 0..30u32 {
            let (dec, rec) = match c / 10 {
                0 => (Some("01/12/2024"), None),
                1 => (Some("01/12/2024"), Some(ReasonEpisodeCeased::E11)),
                _ => (None, None),
            };
            episodes.push(ep(c, "01/06/2024", S, C2, U4, dec, rec));
        }
        let cohort = Cohort::new(
            LaCode::new(800).unwrap(),
            CohortParts {
                children: children(30),
                episodes,
                tables: tables(&[2025]),
                ..Default::default()
            },
        );
        let rows = run_year(&cohort, 2025);
        assert_eq!(count(&rows, "starts"), 30);
        assert_eq!(count(&rows, "ceases"), 20);
        assert_eq!(count(&rows, "cla-31-march"), 10);
        assert_eq!(flow(&rows), [0, 30, 20, 10, 30]);
        let reason = |r: &str| {
            rows.iter()
                .find(|x| {
                    x.metric == CEASED_REASON && x.breakdown.to_string() == format!("reason={r}")
                })
                .and_then(|x| x.numerator)
        };
        assert_eq!(reason(REASON_NOT_RECORDED), Some(10));
        assert_eq!(reason("Adopted"), Some(10));
    }

    /// An episode ending X1 with nothing following it ends its period too.
    #[test]
    fn an_x1_with_nothing_after_it_ends_the_period_unrecorded() {
        use LegalStatus::*;
        use PlacementType::*;
        use ReasonNewEpisode::*;
        let cohort = Cohort::new(
            LaCode::new(800).unwrap(),
            CohortParts {
                children: children(1),
                episodes: vec![ep(
                    0,
                    "01/02/2024",
                    S,
                    C2,
                    U4,
                    Some("01/12/2024"),
                    Some(ReasonEpisodeCeased::X1),
                )],
                tables: tables(&[2024, 2025]),
                ..Default::default()
            },
        );
        let rows = run_year(&cohort, 2025);
        assert_eq!(count(&rows, "ceases"), 1);
        assert_eq!(flow(&rows), [1, 0, 1, 0, 1]);
        let reason = rows.iter().find(|r| r.metric == CEASED_REASON).unwrap();
        assert_eq!(
            reason.breakdown.to_string(),
            format!("reason={REASON_X1_NOTHING_FOLLOWS}")
        );
    }

    /// A short break open at 31 March 2024 that turns into care in May 2024
    /// is not care at 31 March 2024 in either year's count: the period starts
    /// in 2024-25, whichever return is looked at.
    #[test]
    fn a_short_break_that_becomes_care_starts_the_period_when_care_starts() {
        use LegalStatus::*;
        use PlacementType::*;
        use ReasonNewEpisode::*;
        let cohort = Cohort::new(
            LaCode::new(800).unwrap(),
            CohortParts {
                children: children(1),
                episodes: vec![
                    ep(
                        0,
                        "01/03/2024",
                        S,
                        V3,
                        U4,
                        Some("10/05/2024"),
                        Some(ReasonEpisodeCeased::X1),
                    ),
                    ep(0, "10/05/2024", L, C2, U4, None, None),
                ],
                tables: tables(&[2024, 2025]),
                ..Default::default()
            },
        );
        assert_eq!(flow(&run_year(&cohort, 2024)), [0, 0, 0, 0, 0]);
        let rows = run_year(&cohort, 2025);
        assert_eq!(flow(&rows), [0, 1, 0, 1, 1]);
        assert_eq!(count(&rows, "cla-31-march"), 1);
        assert_eq!(count(&rows, "ceases"), 0);
    }

    /// A 2022 return holds an episode that started in 2020-21 but is missing
    /// from the 2021 return. With the return history, 2021's figures are the
    /// 2021 return's; without it (revised), the later return's episode counts.
    #[test]
    fn a_years_counts_come_from_its_own_return() {
        use LegalStatus::*;
        use PlacementType::*;
        use ReasonNewEpisode::*;
        let mut late = ep(1, "01/10/2020", S, C2, U4, None, None);
        late.year = CollectionYear(2022);
        let mut kept = ep(0, "01/05/2020", S, C2, U4, None, None);
        kept.year = CollectionYear(2022);
        // The 2021 return had child 0 ceasing on 1 March 2021; the 2022
        // return corrected that: still in care.
        let mut earlier_copy = kept.clone();
        earlier_copy.year = CollectionYear(2021);
        earlier_copy.dec = Some(d("01/03/2021"));
        earlier_copy.rec = Some(ReasonEpisodeCeased::E13);
        let parts = || CohortParts {
            children: children(2),
            episodes: vec![kept.clone(), late.clone()],
            tables: tables(&[2021, 2022]),
            ..Default::default()
        };
        let revised = Cohort::new(LaCode::new(800).unwrap(), parts());
        assert_eq!(revised.figure_basis(), FigureBasis::Revised);
        let rows = run_year(&revised, 2021);
        assert_eq!(count(&rows, "cla-31-march"), 2);
        assert_eq!(count(&rows, "starts"), 2);
        assert_eq!(count(&rows, "ceases"), 0);

        let mut each = Cohort::new(LaCode::new(800).unwrap(), parts());
        let both = {
            let mut s = YearSet::of(CollectionYear(2021));
            s.insert(CollectionYear(2022));
            s
        };
        each.set_return_history(
            vec![
                (ChildIdx(0), d("01/05/2020"), both),
                (
                    ChildIdx(1),
                    d("01/10/2020"),
                    YearSet::of(CollectionYear(2022)),
                ),
            ],
            vec![earlier_copy],
        );
        assert_eq!(each.figure_basis(), FigureBasis::EachYearsReturn);
        let rows = run_year(&each, 2021);
        assert_eq!(count(&rows, "cla-31-march"), 0);
        assert_eq!(count(&rows, "starts"), 1);
        assert_eq!(count(&rows, "ceases"), 1);
        assert_eq!(flow(&rows), [0, 1, 1, 0, 1]);
        // 2022 from the 2022 return: both children open on 1 April 2021.
        let rows = run_year(&each, 2022);
        assert_eq!(count(&rows, "cla-31-march"), 2);
        assert_eq!(flow(&rows), [2, 0, 0, 2, 2]);
        assert!(
            rows.iter()
                .find(|r| r.metric == PERIODS_AT_START)
                .unwrap()
                .note
                .contains("each year's own return")
        );
    }

    mod flow_adds_up {
        use super::*;
        use proptest::prelude::*;

        fn episode_strategy() -> impl Strategy<Value = (u32, i64, Option<i64>, u8, u8, bool)> {
            (
                0u32..6,
                0i64..2200,
                prop::option::of(0i64..400),
                0u8..4,
                0u8..3,
                any::<bool>(),
            )
        }

        proptest! {
            /// Whatever the episodes, the flow of periods of care reported
            /// adds up: open at the start + started − ended = open at the end.
            #[test]
            fn for_any_episodes(raw in prop::collection::vec(episode_strategy(), 0..40), year in 2021i32..2026) {
                use LegalStatus::*;
                use ReasonNewEpisode::*;
                let base = d("01/04/2019");
                let mut episodes = Vec::new();
                for (c, start, len, rne, rec, short) in raw {
                    let decom = base + chrono::Duration::days(start);
                    let dec = len.map(|l| decom + chrono::Duration::days(l));
                    let rne = [S, P, L, B][rne as usize];
                    let rec = dec.and([None, Some(ReasonEpisodeCeased::X1), Some(ReasonEpisodeCeased::E13)][rec as usize]);
                    let mut e = ep(c, "01/04/2019", rne, if short { V3 } else { C2 }, PlacementType::U4, None, rec);
                    e.decom = decom;
                    e.dec = dec;
                    episodes.push(e);
                }
                // One row per CHILD and DECOM, as ingest keeps them.
                episodes.sort_by_key(|e| (e.child, e.decom));
                episodes.dedup_by_key(|e| (e.child, e.decom));
                let cohort = Cohort::new(
                    LaCode::new(800).unwrap(),
                    CohortParts {
                        children: children(6),
                        episodes,
                        tables: tables(&[2021, 2022, 2023, 2024, 2025]),
                        ..Default::default()
                    },
                );
                let rows = run_year(&cohort, year);
                let [at_start, started, ended, at_end, during] = flow(&rows);
                prop_assert_eq!(at_start + started, during);
                prop_assert_eq!(ended + at_end, during);
            }
        }
    }
}
