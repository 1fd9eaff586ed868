//! The domain's rules, as the built-in metrics use them: the same code
//! (`iro-domain`), so a plugin and a built-in compute the same thing the
//! same way.
//!
//! * Collection years and quarters: [`CollectionYear`], [`Quarter`]
//!   ([`crate::Context::quarter_of`], [`crate::Context::periods_of`]).
//! * Ages: [`age_in_years`] (29 February birthdays on 1 March in common
//!   years, as English law counts them), [`AgeBand`] (the DfE's bands for
//!   children looked after), and on a child row
//!   [`crate::cohort::ChildRow::age_on`].
//! * Legal status ([`LegalStatus`], [`LegalStatus::group`] →
//!   [`LegalStatusGroup`], care orders interim and full apart) and placement
//!   type ([`PlacementType`], [`PlacementType::group`] → [`PlacementGroup`]),
//!   parsed from an episode row with
//!   [`crate::cohort::EpisodeRow::legal_status`] and
//!   [`crate::cohort::EpisodeRow::placement_type`].
//! * "Looked after on a date" and "during a period": [`looked_after_on`],
//!   [`looked_after_during`] over any episodes ([`EpisodeSpan`]), or for the
//!   whole cohort [`crate::CohortView::looked_after_on`].
//! * Working days: [`calendar`], the England and Wales calendar the
//!   built-in metrics' timescales use (bank holidays bundled).

use std::sync::OnceLock;

pub use iro_domain::{
    AgeBand, CategoryOfNeed, CollectionYear, EpisodeSpan, Ethnicity, FULL_CARE_ORDER,
    INTERIM_CARE_ORDER, LegalStatus, LegalStatusGroup, MissingType, ParticipationCode,
    PlaceProvider, PlacementGroup, PlacementType, Quarter, ReasonEpisodeCeased, ReasonNewEpisode,
    Sex, WorkingDayCalendar, add_months_clamped, age_in_years, episode_open_on,
    looked_after_during, looked_after_on,
};

use crate::Period;

/// The England and Wales working-day calendar (weekends and the bundled
/// bank holidays, 2010–2030), the one `iro` gives the built-in metrics.
pub fn calendar() -> &'static WorkingDayCalendar {
    static CALENDAR: OnceLock<WorkingDayCalendar> = OnceLock::new();
    CALENDAR.get_or_init(WorkingDayCalendar::england_and_wales)
}

/// The `period` of a quarter's rows (`Q1`…`Q4`).
pub fn quarter_period(q: Quarter) -> Period {
    match q {
        Quarter::Q1 => Period::Q1,
        Quarter::Q2 => Period::Q2,
        Quarter::Q3 => Period::Q3,
        Quarter::Q4 => Period::Q4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_calendar_counts_working_days_without_bank_holidays() {
        let cal = calendar();
        // Christmas 2024: 25 and 26 December are bank holidays.
        assert!(!cal.is_working_day(d(2024, 12, 25)));
        assert_eq!(
            cal.working_days_between(d(2024, 12, 24), d(2024, 12, 27)),
            1
        );
        // 20 working days from Monday 2 December 2024 skip the holidays.
        assert_eq!(cal.add_working_days(d(2024, 12, 2), 20), d(2025, 1, 2));
        assert_eq!(cal, &WorkingDayCalendar::england_and_wales());
    }

    #[test]
    fn quarters_are_periods() {
        let labels: Vec<&str> = Quarter::ALL
            .iter()
            .map(|&q| quarter_period(q).label())
            .collect();
        assert_eq!(labels, [Quarter::Q1.label(), "Q2", "Q3", "Q4"]);
    }
}
