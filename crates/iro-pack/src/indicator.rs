//! The figures a regional IRO group meets about, each read from one measure
//! of the authorities' suppressed tables, with the DfE's published figure
//! beside it where the DfE publishes one.

use iro_metric_api::{MeasureId, Period};
use iro_reference::Measure;
use regional_benchmarking::Indicator as Published903;

/// How a figure is shown and pooled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A number of children (or reviews).
    Count,
    /// Per 10,000 children aged 0 to 17.
    Rate,
    /// A percentage of a count.
    Percent,
    /// An average (IRO caseloads): not a count, so never suppressed.
    Mean,
    /// Events per 100 children looked after during the year.
    Per100,
}

impl Scale {
    /// Numerator ÷ denominator × this.
    pub fn factor(self) -> f64 {
        match self {
            Scale::Rate => 10_000.0,
            Scale::Percent | Scale::Per100 => 100.0,
            Scale::Count | Scale::Mean => 1.0,
        }
    }

    /// Decimal places shown.
    pub fn decimals(self) -> usize {
        match self {
            Scale::Count => 0,
            _ => 1,
        }
    }

    /// The unit after a value: "%", " per 10,000".
    pub fn suffix(self) -> &'static str {
        match self {
            Scale::Percent => "%",
            _ => "",
        }
    }

    /// The units of a difference between two values.
    pub fn difference_words(self) -> &'static str {
        match self {
            Scale::Count => "children",
            Scale::Rate => "per 10,000",
            Scale::Percent => "percentage points",
            Scale::Mean => "children per IRO",
            Scale::Per100 => "per 100 children",
        }
    }
}

/// Which way is better, as the pack's notes say it. Ranks follow the value
/// (1 the highest) whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither is better in itself (how many children are in care, UASC,
    /// caseloads within a range, DRPs raised).
    Neither,
}

impl Better {
    /// The sentence in a table's notes.
    pub fn words(self) -> &'static str {
        match self {
            Better::Higher => "A higher figure is better.",
            Better::Lower => "A lower figure is better.",
            Better::Neither => "Neither a higher nor a lower figure is better in itself.",
        }
    }
}

/// Whose records a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// The SSDA903 return every authority makes.
    Return,
    /// The IRO service's own records (`iro_reviews`, `iro_allocations`,
    /// `drp_log`), which only some authorities supply.
    ServiceRecords,
}

/// Where a figure is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// One row: a measure, its period and breakdown (`key=value`, empty for
    /// the total).
    Row {
        measure: MeasureId,
        period: Period,
        breakdown: &'static str,
    },
    /// `events` ÷ `children` × 100, both whole-year counts without a
    /// breakdown (DRPs per 100 children looked after during the year).
    Per100 {
        events: MeasureId,
        children: MeasureId,
    },
}

/// The DfE's published figure beside the group's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// The DfE publishes none.
    None,
    /// One of the benchmarking indicators (rates and percentages with their
    /// counts).
    Indicator(Published903),
    /// A count of the DfE's children looked after tables.
    Count(Measure),
}

/// One figure of the pack.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PackIndicator {
    /// Stable id: the workbook's sheet and the charts' file names.
    pub id: &'static str,
    /// The league table's caption.
    pub title: &'static str,
    /// A short name for headings and chart panels.
    pub short: &'static str,
    pub read: Read,
    pub scale: Scale,
    pub published: Published,
    pub records: Records,
    pub better: Better,
    /// What the figure counts, in a sentence of the method notes.
    pub definition: &'static str,
}

impl PackIndicator {
    /// The period of its rows.
    pub fn period(&self) -> Period {
        match self.read {
            Read::Row { period, .. } => period,
            Read::Per100 { .. } => Period::Year,
        }
    }

    /// Whether a funnel plot and intervals apply: a rate or a percentage
    /// with its counts.
    pub fn has_counts(&self) -> bool {
        matches!(self.scale, Scale::Rate | Scale::Percent | Scale::Per100)
    }

    /// The same figure for one quarter (reviews on time by quarter).
    pub const fn in_period(mut self, id: &'static str, period: Period) -> Self {
        self.id = id;
        if let Read::Row {
            measure, breakdown, ..
        } = self.read
        {
            self.read = Read::Row {
                measure,
                period,
                breakdown,
            };
        }
        self
    }
}

const fn row(measure: MeasureId, period: Period) -> Read {
    Read::Row {
        measure,
        period,
        breakdown: "",
    }
}

/// Reviews held on time in the year: its quarters are drawn and tabled too.
pub const REVIEWS_ON_TIME: PackIndicator = PackIndicator {
    id: "reviews-on-time",
    title: "Reviews held on time during the year (%)",
    short: "Reviews on time",
    read: row(review_timeliness::ON_TIME, Period::Year),
    scale: Scale::Percent,
    published: Published::None,
    records: Records::Return,
    better: Better::Higher,
    definition: "reviews held on time as a percentage of the reviews held in the period \
                 (SSDA903 Reviews; first review within 20 working days, second within \
                 3 months, then every 6 months)",
};

/// Every figure of the league tables, in the pack's order.
pub const INDICATORS: &[PackIndicator] = &[
    PackIndicator {
        id: "children-in-care",
        title: "Children looked after at 31 March",
        short: "Children in care",
        read: row(cohort_summary::CLA_31_MARCH, Period::Snapshot),
        scale: Scale::Count,
        published: Published::Count(Measure::Cla31March),
        records: Records::Return,
        better: Better::Neither,
        definition: "children looked after at 31 March (SSDA903 Episodes)",
    },
    PackIndicator {
        id: "cla-rate",
        title: "Children looked after at 31 March per 10,000 children aged 0 to 17",
        short: "Children in care per 10,000",
        read: row(cohort_summary::CLA_RATE, Period::Snapshot),
        scale: Scale::Rate,
        published: Published::Indicator(Published903::ClaRate),
        records: Records::Return,
        better: Better::Neither,
        definition: "children looked after at 31 March per 10,000 children aged 0 to 17 \
                     (ONS mid-year estimates)",
    },
    PackIndicator {
        id: "starts-rate",
        title: "Children who started to be looked after during the year per 10,000 children",
        short: "Starts per 10,000",
        read: row(cohort_summary::STARTS_RATE, Period::Year),
        scale: Scale::Rate,
        published: Published::Indicator(Published903::StartsRate),
        records: Records::Return,
        better: Better::Neither,
        definition: "children who started to be looked after during the year per 10,000 \
                     children aged 0 to 17",
    },
    PackIndicator {
        id: "uasc",
        title: "Unaccompanied asylum-seeking children looked after at 31 March (%)",
        short: "UASC",
        read: Read::Row {
            measure: cohort_summary::PROFILE,
            period: Period::Snapshot,
            breakdown: "uasc=UASC",
        },
        scale: Scale::Percent,
        published: Published::None,
        records: Records::Return,
        better: Better::Neither,
        definition: "unaccompanied asylum-seeking children as a percentage of children \
                     looked after at 31 March (SSDA903 UASC and Episodes)",
    },
    REVIEWS_ON_TIME,
    PackIndicator {
        id: "overdue-at-end",
        title: "Reviews overdue at 31 March",
        short: "Reviews overdue",
        read: row(review_timeliness::OVERDUE_AT_END, Period::Snapshot),
        scale: Scale::Count,
        published: Published::None,
        records: Records::Return,
        better: Better::Lower,
        definition: "children looked after at 31 March whose next review was due before it \
                     and not held",
    },
    PackIndicator {
        id: "participation",
        title: "Reviews in which the child aged 4 or over participated (%)",
        short: "Participation",
        read: row(participation::PARTICIPATED, Period::Year),
        scale: Scale::Percent,
        published: Published::None,
        records: Records::Return,
        better: Better::Higher,
        definition: "reviews of children aged 4 or over coded PN1 to PN6, as a percentage of \
                     those coded PN1 to PN7",
    },
    PackIndicator {
        id: "three-plus-placements",
        title: "Children looked after at 31 March with 3 or more placements during the year (%)",
        short: "3+ placements",
        read: row(placement_stability::THREE_PLUS_PLACEMENTS, Period::Snapshot),
        scale: Scale::Percent,
        published: Published::Indicator(Published903::ThreePlusPlacements),
        records: Records::Return,
        better: Better::Lower,
        definition: "the DfE's short-term stability measure",
    },
    PackIndicator {
        id: "long-term-stability",
        title: "Children looked after 2.5 years or more, under 16, in the same placement for 2 years (%)",
        short: "Long-term stability",
        read: row(placement_stability::LONG_TERM_STABILITY, Period::Snapshot),
        scale: Scale::Percent,
        published: Published::Indicator(Published903::LongTermStability),
        records: Records::Return,
        better: Better::Higher,
        definition: "the DfE's long-term stability measure",
    },
    PackIndicator {
        id: "over-20-miles",
        title: "Children looked after at 31 March placed more than 20 miles from home (%)",
        short: "Over 20 miles",
        read: Read::Row {
            measure: regional_benchmarking::OVER_20_MILES,
            period: Period::Snapshot,
            breakdown: "source=903",
        },
        scale: Scale::Percent,
        published: Published::Indicator(Published903::Over20Miles),
        records: Records::Return,
        better: Better::Lower,
        definition: "children placed more than 20 miles from home (inside or outside the \
                     authority) as a percentage of those looked after at 31 March",
    },
    PackIndicator {
        id: "records-on-time",
        title: "Review records sent within 20 working days (%)",
        short: "Records on time",
        read: row(service_records::RECORD_ON_TIME, Period::Year),
        scale: Scale::Percent,
        published: Published::None,
        records: Records::ServiceRecords,
        better: Better::Higher,
        definition: "review records sent within 20 working days of the review (IRO \
                     records); not sent counts as not on time",
    },
    PackIndicator {
        id: "reports-on-time",
        title: "Social work reports received 3 working days before the review (%)",
        short: "Reports on time",
        read: row(service_records::SW_REPORT_ON_TIME, Period::Year),
        scale: Scale::Percent,
        published: Published::None,
        records: Records::ServiceRecords,
        better: Better::Higher,
        definition: "reviews with the social worker's report received at least 3 working \
                     days before (IRO records); no report counts as not on time",
    },
    PackIndicator {
        id: "allocated-on-time",
        title: "IRO allocated within 5 working days of the start of care (%)",
        short: "Allocation on time",
        read: row(service_records::ALLOCATED_ON_TIME, Period::Year),
        scale: Scale::Percent,
        published: Published::None,
        records: Records::ServiceRecords,
        better: Better::Higher,
        definition: "periods of care starting in the year with an IRO allocated within 5 \
                     working days (IRO allocations)",
    },
    PackIndicator {
        id: "caseload",
        title: "Average IRO caseload at 31 March (children per IRO)",
        short: "IRO caseload",
        read: row(service_records::CASELOAD_MEAN, Period::Snapshot),
        scale: Scale::Mean,
        published: Published::None,
        records: Records::ServiceRecords,
        better: Better::Neither,
        definition: "children looked after with an IRO allocated at 31 March, divided by the \
                     IROs with at least one (the IRO Handbook suggests 50 to 70)",
    },
    PackIndicator {
        id: "drps-per-100",
        title: "Dispute resolution (DRP) issues raised per 100 children looked after",
        short: "DRPs per 100 children",
        read: Read::Per100 {
            events: drp_flow::DRPS_RAISED,
            children: cohort_summary::DURING_YEAR,
        },
        scale: Scale::Per100,
        published: Published::None,
        records: Records::ServiceRecords,
        better: Better::Neither,
        definition: "DRP issues raised during the year (DRP log) per 100 children looked \
                     after at any time during the year (SSDA903)",
    },
    PackIndicator {
        id: "drp-responses-on-time",
        title: "DRP responses received on time (%)",
        short: "DRP responses on time",
        read: row(drp_flow::RESPONSES_ON_TIME, Period::Year),
        scale: Scale::Percent,
        published: Published::None,
        records: Records::ServiceRecords,
        better: Better::Higher,
        definition: "responses at every stage received by their due date (DRP log); no \
                     response counts as not on time",
    },
];

/// Reviews on time in each quarter, for the timeliness table and charts.
pub const QUARTERS: [(Period, PackIndicator); 4] = [
    (
        Period::Q1,
        REVIEWS_ON_TIME.in_period("reviews-on-time-q1", Period::Q1),
    ),
    (
        Period::Q2,
        REVIEWS_ON_TIME.in_period("reviews-on-time-q2", Period::Q2),
    ),
    (
        Period::Q3,
        REVIEWS_ON_TIME.in_period("reviews-on-time-q3", Period::Q3),
    ),
    (
        Period::Q4,
        REVIEWS_ON_TIME.in_period("reviews-on-time-q4", Period::Q4),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_quarters_read_their_period() {
        let mut ids: Vec<&str> = INDICATORS.iter().map(|i| i.id).collect();
        ids.extend(QUARTERS.iter().map(|(_, i)| i.id));
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
        for (p, i) in QUARTERS {
            assert_eq!(i.period(), p);
        }
        assert!(
            INDICATORS
                .iter()
                .filter(|i| i.records == Records::ServiceRecords)
                .all(|i| i.published == Published::None)
        );
    }
}
