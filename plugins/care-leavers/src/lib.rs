//! # care-leavers
//!
//! Built-in metric: the DfE's care-leaver indicators, from the OC3 table of
//! each year's return. For the young people whose 17th to 21st birthday fell
//! in the collection year and whom the authority returned in OC3 (those it
//! looked after for at least 13 weeks after their 14th birthday, including
//! their 16th), by age group (17 to 18, 19 to 21):
//!
//! * whether the authority is in touch (IN_TOUCH: in touch, not in touch,
//!   refused contact, no longer requires services);
//! * whether their accommodation is suitable (ACCOM: the code's digit);
//! * whether they are in education, employment or training (ACTIV).
//!
//! As in the DfE's tables, young people who died (IN_TOUCH `DIED`) or who
//! returned home for six months or more (`RHOM`) are not counted; nor is a
//! 17- or 18-year-old still looked after on their birthday, for whom no care
//! leaver information is required. Every OC3 row of the year is either
//! counted or in `not-counted` with its reason, never dropped
//! (docs/METHODS.md, "Care leavers").
//!
//! Never does IO, never suppresses: the engine does.

use chrono::{Datelike, NaiveDate};
use iro_domain::{
    CareLeaverAccommodation, CareLeaverActivity, CareLeaverContact, CollectionYear, Oc3, TableKind,
};
use iro_metric_api::{
    Breakdown, Cells, Column, ColumnNeed, MeasureId, MeasureSpec, Metric, MetricContext,
    MetricError, MetricRow, MetricSpec, Period, Relation, Subject, Unit, row,
};

/// The metric.
#[derive(Debug, Default, Clone, Copy)]
pub struct CareLeavers;

/// Care leavers the indicators count, by age group.
pub const IN_SCOPE: MeasureId = MeasureId::new("care-leavers.in-scope");
/// Whether the authority is in touch, % of those counted in the age group.
pub const CONTACT: MeasureId = MeasureId::new("care-leavers.contact");
/// Suitable accommodation, % of those counted in the age group.
pub const ACCOMMODATION: MeasureId = MeasureId::new("care-leavers.accommodation");
/// In education, employment or training, % of those counted in the age group.
pub const ACTIVITY: MeasureId = MeasureId::new("care-leavers.activity");
/// OC3 rows of the year the indicators do not count, by reason.
pub const NOT_COUNTED: MeasureId = MeasureId::new("care-leavers.not-counted");

/// The age groups of the DfE's indicators, by age at the birthday in the year.
pub const AGE_17_18: &str = "17 to 18";
pub const AGE_19_21: &str = "19 to 21";

/// Values of `contact` (IN_TOUCH).
pub const IN_TOUCH: &str = "In touch";
pub const NOT_IN_TOUCH: &str = "Not in touch";
pub const REFUSED: &str = "Refused contact";
pub const NOT_REQUIRED: &str = "No longer requires services";
pub const CONTACT_NOT_VALID: &str = "Not recorded: IN_TOUCH code not valid";

/// Values of `accommodation` (ACCOM).
pub const SUITABLE: &str = "Suitable";
pub const NOT_SUITABLE: &str = "Not suitable";
/// Values of `activity` (ACTIV).
pub const EET: &str = "In education, employment or training";
pub const NOT_EET: &str = "Not in education, employment or training";
/// ACCOM or ACTIV 0, blank or not a valid code.
pub const NO_INFORMATION: &str = "No information";

/// Reasons of `not-counted`.
pub const DIED: &str = "Died";
pub const RETURNED_HOME: &str = "Returned home for 6 months or more";
pub const STILL_LOOKED_AFTER: &str = "Aged 17 or 18 and still looked after on their birthday";
pub const OUTSIDE_AGES: &str = "Not aged 17 to 21 at their birthday in the year";
pub const NO_DOB: &str = "Date of birth not known";

const CONTACT_KEYS: &str = "age_group;contact";
const ACCOMMODATION_KEYS: &str = "age_group;accommodation";
const ACTIVITY_KEYS: &str = "age_group;activity";

static SPEC: MetricSpec = MetricSpec {
    id: "care-leavers",
    title: "Care leavers aged 17 to 21: in touch, accommodation, education, employment or training",
    version: env!("CARGO_PKG_VERSION"),
    // Without the year's OC3 there are no care leavers to count (never 0);
    // without the Header, no date of birth and so no age.
    requires: &[TableKind::Header, TableKind::Oc3],
    needs: NEEDS,
    measures: &[
        MeasureSpec {
            id: IN_SCOPE,
            title: "Care leavers aged 17 to 21 whose birthday fell in the year (the DfE's indicators' population)",
            unit: Unit::Count,
            additive_breakdowns: &["age_group"],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: CONTACT,
            title: "Care leavers by whether the authority is in touch",
            unit: Unit::Percent,
            additive_breakdowns: &[CONTACT_KEYS],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: ACCOMMODATION,
            title: "Care leavers by whether their accommodation is suitable",
            unit: Unit::Percent,
            additive_breakdowns: &[ACCOMMODATION_KEYS],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: ACTIVITY,
            title: "Care leavers by whether they are in education, employment or training",
            unit: Unit::Percent,
            additive_breakdowns: &[ACTIVITY_KEYS],
            subject: Subject::Children,
        },
        MeasureSpec {
            id: NOT_COUNTED,
            title: "Care leavers in OC3 the indicators do not count, by reason",
            unit: Unit::Count,
            additive_breakdowns: &["reason"],
            subject: Subject::Children,
        },
    ],
    params: &[],
};

/// The activity and accommodation figures read their own OC3 columns (an OC3
/// file without ACCOM makes the accommodation figure not computable, not
/// "no information" for everyone).
const NEEDS: &[ColumnNeed] = &[
    ColumnNeed::measure(ACCOMMODATION, &[Column::of(TableKind::Oc3, "ACCOM")]),
    ColumnNeed::measure(ACTIVITY, &[Column::of(TableKind::Oc3, "ACTIV")]),
    ColumnNeed::measure(IN_SCOPE, &[Column::of(TableKind::Header, "DOB")]),
];

/// Each cross-tab's row of an age group sums to the care leavers counted in
/// that age group, which is also each of its cells' denominator: declared
/// outright too (the count of the age group = each cell's denominator), so
/// that a hidden count is not read off a shown denominator in one step.
static RELATIONS: [Relation; 9] = {
    const fn to_in_scope(keys: &'static str, metric: MeasureId) -> Relation {
        Relation::SumByValue {
            parts: Cells::num(metric, keys, "age_group"),
            total: Cells::num(IN_SCOPE, "age_group", "age_group"),
        }
    }
    const fn to_own_denominator(keys: &'static str, metric: MeasureId) -> Relation {
        Relation::SumByValue {
            parts: Cells::num(metric, keys, "age_group"),
            total: Cells::num(metric, keys, "age_group").den(),
        }
    }
    const fn denominators_are_in_scope(keys: &'static str, metric: MeasureId) -> Relation {
        Relation::SumByValue {
            parts: Cells::num(IN_SCOPE, "age_group", "age_group"),
            total: Cells::num(metric, keys, "age_group").den(),
        }
    }
    [
        denominators_are_in_scope(CONTACT_KEYS, CONTACT),
        denominators_are_in_scope(ACCOMMODATION_KEYS, ACCOMMODATION),
        denominators_are_in_scope(ACTIVITY_KEYS, ACTIVITY),
        to_in_scope(CONTACT_KEYS, CONTACT),
        to_own_denominator(CONTACT_KEYS, CONTACT),
        to_in_scope(ACCOMMODATION_KEYS, ACCOMMODATION),
        to_own_denominator(ACCOMMODATION_KEYS, ACCOMMODATION),
        to_in_scope(ACTIVITY_KEYS, ACTIVITY),
        to_own_denominator(ACTIVITY_KEYS, ACTIVITY),
    ]
};

impl Metric for CareLeavers {
    fn spec(&self) -> &MetricSpec {
        &SPEC
    }

    fn compute_years(
        &self,
        ctxs: &[MetricContext<'_>],
    ) -> Vec<Result<Vec<MetricRow>, MetricError>> {
        ctxs.iter().map(compute_year).collect()
    }

    fn relations(&self) -> &[Relation] {
        &RELATIONS
    }
}

/// The birthday that falls in the collection year (29 February: 28 February
/// in a year without one) and the age reached on it.
pub fn birthday_in(dob: NaiveDate, year: CollectionYear) -> (NaiveDate, i32) {
    // 1 April to 31 December: the first calendar year of the collection
    // year; 1 January to 31 March: the second.
    let calendar_year = if dob.month() >= 4 { year.0 - 1 } else { year.0 };
    let day = NaiveDate::from_ymd_opt(calendar_year, dob.month(), dob.day())
        .or_else(|| NaiveDate::from_ymd_opt(calendar_year, 2, 28))
        .unwrap_or(dob);
    (day, calendar_year - dob.year())
}

/// The indicators' age group of an age at the birthday, if 17 to 21.
pub fn age_group(age: i32) -> Option<&'static str> {
    match age {
        17 | 18 => Some(AGE_17_18),
        19..=21 => Some(AGE_19_21),
        _ => None,
    }
}

/// What one OC3 row contributes: counted in an age group with its three
/// answers, or not counted with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaver {
    Counted {
        age_group: &'static str,
        contact: &'static str,
        accommodation: &'static str,
        activity: &'static str,
    },
    NotCounted(&'static str),
}

/// Classifies one OC3 row of `year` (the child's date of birth from the
/// Header; `looked_after_on`: whether the child was looked after on a day).
pub fn classify(
    row: &Oc3,
    dob: Option<NaiveDate>,
    year: CollectionYear,
    looked_after_on: impl Fn(NaiveDate) -> bool,
) -> Leaver {
    let contact = CareLeaverContact::parse(&row.in_touch);
    match contact {
        Some(CareLeaverContact::Died) => return Leaver::NotCounted(DIED),
        Some(CareLeaverContact::ReturnedHome) => return Leaver::NotCounted(RETURNED_HOME),
        _ => {}
    }
    let Some(dob) = dob else {
        return Leaver::NotCounted(NO_DOB);
    };
    let (birthday, age) = birthday_in(dob, year);
    let Some(age_group) = age_group(age) else {
        return Leaver::NotCounted(OUTSIDE_AGES);
    };
    if age <= 18 && looked_after_on(birthday) {
        return Leaver::NotCounted(STILL_LOOKED_AFTER);
    }
    let contact = match contact {
        Some(CareLeaverContact::Yes) => IN_TOUCH,
        Some(CareLeaverContact::No) => NOT_IN_TOUCH,
        Some(CareLeaverContact::Refused) => REFUSED,
        Some(CareLeaverContact::NotRequired) => NOT_REQUIRED,
        // Died and returned home are not counted (above).
        Some(CareLeaverContact::Died | CareLeaverContact::ReturnedHome) | None => CONTACT_NOT_VALID,
    };
    let accommodation = match row
        .accom
        .as_deref()
        .and_then(CareLeaverAccommodation::parse)
        .and_then(CareLeaverAccommodation::suitable)
    {
        Some(true) => SUITABLE,
        Some(false) => NOT_SUITABLE,
        None => NO_INFORMATION,
    };
    let activity = match row
        .activ
        .as_deref()
        .and_then(CareLeaverActivity::parse)
        .and_then(CareLeaverActivity::in_eet)
    {
        Some(true) => EET,
        Some(false) => NOT_EET,
        None => NO_INFORMATION,
    };
    Leaver::Counted {
        age_group,
        contact,
        accommodation,
        activity,
    }
}

const AGE_GROUPS: [&str; 2] = [AGE_17_18, AGE_19_21];
const CONTACTS: [&str; 5] = [
    IN_TOUCH,
    NOT_IN_TOUCH,
    REFUSED,
    NOT_REQUIRED,
    CONTACT_NOT_VALID,
];
const ACCOMMODATIONS: [&str; 3] = [SUITABLE, NOT_SUITABLE, NO_INFORMATION];
const ACTIVITIES: [&str; 3] = [EET, NOT_EET, NO_INFORMATION];
const REASONS: [&str; 5] = [
    DIED,
    RETURNED_HOME,
    STILL_LOOKED_AFTER,
    OUTSIDE_AGES,
    NO_DOB,
];

fn compute_year(ctx: &MetricContext<'_>) -> Result<Vec<MetricRow>, MetricError> {
    let year = ctx.year;
    for table in [TableKind::Header, TableKind::Oc3] {
        if !ctx.has(year, table) {
            return Err(MetricError::NotComputable(format!(
                "no {} table for {}",
                table.name(),
                year.label()
            )));
        }
    }
    let cohort = ctx.cohort;
    let episodes_loaded = ctx.has(year, TableKind::Episodes);
    let mut counted: Vec<Leaver> = Vec::new();
    let mut not_counted = [0u64; REASONS.len()];
    for r in cohort.oc3().iter().filter(|r| r.year == year) {
        let child = cohort.child(r.child);
        let leaver = classify(r, child.child.dob, year, |day| {
            episodes_loaded && child.looked_after_on(day)
        });
        match leaver {
            Leaver::NotCounted(reason) => {
                if let Some(i) = REASONS.iter().position(|&x| x == reason) {
                    not_counted[i] += 1;
                }
            }
            c @ Leaver::Counted { .. } => counted.push(c),
        }
    }
    let r = |measure: &str| row(&SPEC, ctx, measure, Period::Year);
    let mut rows = Vec::with_capacity(48);
    let group_of = |l: &Leaver| match l {
        Leaver::Counted { age_group, .. } => Some(*age_group),
        Leaver::NotCounted(_) => None,
    };
    rows.push(r("in-scope").count(counted.len() as u64));
    for g in AGE_GROUPS {
        let n = counted.iter().filter(|l| group_of(l) == Some(g)).count() as u64;
        rows.push(
            r("in-scope")
                .with_breakdown(Breakdown::one("age_group", g))
                .count(n),
        );
        let in_group: Vec<&Leaver> = counted.iter().filter(|l| group_of(l) == Some(g)).collect();
        let cross = |measure: &str, key: &str, values: &[&str], pick: fn(&Leaver) -> &str| {
            values
                .iter()
                .map(|&v| {
                    let k = in_group.iter().filter(|l| pick(l) == v).count() as u64;
                    r(measure)
                        .with_breakdown(Breakdown::new(&[("age_group", g), (key, v)]))
                        .percent(k, n)
                })
                .collect::<Vec<_>>()
        };
        rows.extend(cross("contact", "contact", &CONTACTS, |l| match l {
            Leaver::Counted { contact, .. } => contact,
            Leaver::NotCounted(_) => "",
        }));
        rows.extend(cross(
            "accommodation",
            "accommodation",
            &ACCOMMODATIONS,
            |l| match l {
                Leaver::Counted { accommodation, .. } => accommodation,
                Leaver::NotCounted(_) => "",
            },
        ));
        rows.extend(cross("activity", "activity", &ACTIVITIES, |l| match l {
            Leaver::Counted { activity, .. } => activity,
            Leaver::NotCounted(_) => "",
        }));
    }
    // Without the year's Episodes, a 17- or 18-year-old still looked after
    // cannot be told apart: say so beside the reasons.
    let note = (!episodes_loaded).then(|| {
        format!(
            "no Episodes table for {}: 17- and 18-year-olds still looked after on their birthday could not be told apart",
            year.label()
        )
    });
    let with_note = |row: MetricRow| match &note {
        Some(n) => row.note(n),
        None => row,
    };
    rows.push(with_note(r("not-counted").count(not_counted.iter().sum())));
    for (reason, n) in REASONS.iter().zip(not_counted) {
        rows.push(with_note(
            r("not-counted")
                .with_breakdown(Breakdown::one("reason", reason))
                .count(n),
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
