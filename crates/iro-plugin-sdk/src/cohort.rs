//! A typed, read-only view of one authority's cohort, over the Arrow tables
//! the host passes (data contract `903-cohort/1.x`). Column names are the
//! SSDA903 field names; dates are `chrono::NaiveDate`; codes are `&str` exactly
//! as the DfE writes them.
//!
//! ```ignore
//! let missing = ctx.cohort.missing()?;
//! for spell in missing.iter().filter(|m| ctx.in_year(m.mis_start)) {
//!     println!("{} {} {}", spell.child, spell.missing, spell.mis_start);
//! }
//! ```

use std::collections::{BTreeMap, BTreeSet};

use arrow_array::{
    Array, BooleanArray, Date32Array, Int32Array, Int64Array, RecordBatch, StringArray, UInt32Array,
};
use chrono::NaiveDate;
use iro_domain::{
    AgeBand, CollectionYear, EpisodeSpan, Ethnicity, LegalStatus, PlacementGroup, PlacementType,
    Sex, Uasc, age_in_years,
};
use iro_plugin_abi::{self as abi, ColumnType};

use crate::Error;

/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A Date32 value (days since 1970-01-01) as a date.
pub fn date32_to_date(days: i32) -> NaiveDate {
    days.checked_add(EPOCH_DAYS_FROM_CE)
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(NaiveDate::MIN)
}

/// A date as a Date32 value (days since 1970-01-01).
pub fn date_to_date32(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

/// How a column is read: its Arrow array type and the Rust value of a cell.
pub trait ColKind {
    type Array: Array + 'static;
    type Value<'a>: Copy + std::fmt::Debug + PartialEq;
    const TY: ColumnType;
    const NULLABLE: bool;
    fn value(a: &Self::Array, i: usize) -> Self::Value<'_>;
}

macro_rules! col_kind {
    ($(#[$m:meta])* $name:ident, $arr:ty, $val:ty, $ty:ident, $nullable:expr, |$a:ident, $i:ident| $get:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl ColKind for $name {
            type Array = $arr;
            type Value<'a> = $val;
            const TY: ColumnType = ColumnType::$ty;
            const NULLABLE: bool = $nullable;
            fn value($a: &Self::Array, $i: usize) -> Self::Value<'_> {
                $get
            }
        }
    };
}

col_kind!(/// Utf8, never null.
    Str, StringArray, &'a str, Utf8, false, |a, i| a.value(i));
col_kind!(/// Utf8, nullable.
    OptStr, StringArray, Option<&'a str>, Utf8, true, |a, i| a.is_valid(i).then(|| a.value(i)));
col_kind!(/// Date32, never null.
    Date, Date32Array, NaiveDate, Date32, false, |a, i| date32_to_date(a.value(i)));
col_kind!(/// Date32, nullable.
    OptDate, Date32Array, Option<NaiveDate>, Date32, true,
    |a, i| a.is_valid(i).then(|| date32_to_date(a.value(i))));
col_kind!(/// Int32, never null.
    I32, Int32Array, i32, Int32, false, |a, i| a.value(i));
col_kind!(/// Int32, nullable.
    OptI32, Int32Array, Option<i32>, Int32, true, |a, i| a.is_valid(i).then(|| a.value(i)));
col_kind!(/// Int64, never null.
    I64, Int64Array, i64, Int64, false, |a, i| a.value(i));
col_kind!(/// UInt32, never null.
    U32, UInt32Array, u32, UInt32, false, |a, i| a.value(i));
col_kind!(/// Boolean, never null.
    Bool, BooleanArray, bool, Boolean, false, |a, i| a.value(i));
col_kind!(/// Boolean, nullable.
    OptBool, BooleanArray, Option<bool>, Boolean, true, |a, i| a.is_valid(i).then(|| a.value(i)));

fn column<'a, K: ColKind>(
    batch: &'a RecordBatch,
    table: &str,
    col: &str,
) -> Result<&'a K::Array, Error> {
    let arr = batch
        .column_by_name(col)
        .ok_or_else(|| Error::invalid_input(format!("table `{table}` has no column `{col}`")))?;
    let typed = arr.as_any().downcast_ref::<K::Array>().ok_or_else(|| {
        Error::invalid_input(format!(
            "column `{col}` of `{table}` is {}, expected {}",
            arr.data_type(),
            K::TY.name()
        ))
    })?;
    if !K::NULLABLE && typed.null_count() > 0 {
        return Err(Error::invalid_input(format!(
            "column `{col}` of `{table}` has nulls"
        )));
    }
    Ok(typed)
}

macro_rules! table_view {
    (
        $(#[$doc:meta])*
        $view:ident / $row:ident = $table:path {
            $( $(#[$fdoc:meta])* $field:ident : $kind:ident = $col:literal ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $view<'a> {
            len: usize,
            $( $field: &'a <$kind as ColKind>::Array, )*
        }

        #[doc = concat!("One row of [`", stringify!($view), "`].")]
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $row<'a> {
            $( $(#[$fdoc])* #[doc = concat!("`", $col, "`")] pub $field: <$kind as ColKind>::Value<'a>, )*
        }

        impl<'a> $view<'a> {
            /// The contract table it reads.
            pub const TABLE: &'static str = $table;

            /// Opens the view, checking every column's presence, type and
            /// nullability.
            pub fn open(batch: &'a RecordBatch) -> Result<Self, Error> {
                Ok($view {
                    len: batch.num_rows(),
                    $( $field: column::<$kind>(batch, $table, $col)?, )*
                })
            }

            pub fn len(&self) -> usize {
                self.len
            }

            pub fn is_empty(&self) -> bool {
                self.len == 0
            }

            /// Row `i` (panics if out of range, like slice indexing).
            pub fn get(&self, i: usize) -> $row<'a> {
                $row { $( $field: <$kind as ColKind>::value(self.$field, i), )* }
            }

            /// Every row, in table order.
            pub fn iter(self) -> impl ExactSizeIterator<Item = $row<'a>> + 'a {
                (0..self.len).map(move |i| self.get(i))
            }

            /// Columns read, for the contract test.
            #[cfg(test)]
            fn columns_read() -> Vec<(&'static str, ColumnType, bool)> {
                vec![$( ($col, <$kind as ColKind>::TY, <$kind as ColKind>::NULLABLE) ),*]
            }
        }
    };
}

/// Tables sorted by `CHILD_IDX`: rows of one child.
macro_rules! child_indexed {
    ($view:ident / $row:ident) => {
        impl<'a> $view<'a> {
            /// The rows of child `idx` (a row of `children`), in date order.
            pub fn for_child(self, idx: u32) -> impl Iterator<Item = $row<'a>> + 'a {
                let v = self.child_idx.values();
                let from = v.partition_point(|&c| c < idx);
                let to = v.partition_point(|&c| c <= idx);
                (from..to).map(move |i| self.get(i))
            }
        }
    };
}

table_view! {
    /// `children`: one row per child; row `i` is `CHILD_IDX` `i`.
    Children / ChildRow = abi::CHILDREN {
        child: Str = "CHILD",
        sex: OptStr = "SEX",
        dob: OptDate = "DOB",
        ethnic: OptStr = "ETHNIC",
        mother: OptBool = "MOTHER",
        mc_dob: OptDate = "MC_DOB",
        uasc: Bool = "UASC",
        duc: OptDate = "DUC",
        header_year: OptI32 = "HEADER_YEAR",
    }
}

table_view! {
    /// `episodes`: SSDA903 Episodes, sorted by child and DECOM.
    Episodes / EpisodeRow = abi::EPISODES {
        child_idx: U32 = "CHILD_IDX",
        child: Str = "CHILD",
        decom: Date = "DECOM",
        rne: Str = "RNE",
        ls: Str = "LS",
        cin: OptStr = "CIN",
        place: OptStr = "PLACE",
        place_provider: OptStr = "PLACE_PROVIDER",
        dec: OptDate = "DEC",
        rec: OptStr = "REC",
        reason_place_change: OptStr = "REASON_PLACE_CHANGE",
        home_post: OptStr = "HOME_POST",
        pl_post: OptStr = "PL_POST",
        urn: OptStr = "URN",
        year: I32 = "YEAR",
    }
}
child_indexed!(Episodes / EpisodeRow);

table_view! {
    /// `reviews`: SSDA903 Reviews, sorted by child and date.
    Reviews / ReviewRow = abi::REVIEWS {
        child_idx: U32 = "CHILD_IDX",
        child: Str = "CHILD",
        review: Date = "REVIEW",
        review_code: OptStr = "REVIEW_CODE",
        year: I32 = "YEAR",
    }
}
child_indexed!(Reviews / ReviewRow);

table_view! {
    /// `periods_of_care` (derived by the host), sorted by child and start.
    PeriodsOfCare / PeriodOfCareRow = abi::PERIODS_OF_CARE {
        child_idx: U32 = "CHILD_IDX",
        child: Str = "CHILD",
        start: Date = "POC_START",
        start_known: Bool = "START_KNOWN",
        end: OptDate = "POC_END",
        rec: OptStr = "REC",
        short_break: Bool = "SHORT_BREAK",
        broken_chain: Bool = "BROKEN_CHAIN",
        first_episode: U32 = "FIRST_EPISODE",
        n_episodes: U32 = "N_EPISODES",
    }
}
child_indexed!(PeriodsOfCare / PeriodOfCareRow);

table_view! {
    /// `placements` (derived by the host), sorted by child and start.
    Placements / PlacementRow = abi::PLACEMENTS {
        child_idx: U32 = "CHILD_IDX",
        child: Str = "CHILD",
        poc_index: U32 = "POC_INDEX",
        start: Date = "PL_START",
        end: OptDate = "PL_END",
        start_reason: Str = "START_REASON",
        place: OptStr = "PLACE",
        place_provider: OptStr = "PLACE_PROVIDER",
        home_post: OptStr = "HOME_POST",
        pl_post: OptStr = "PL_POST",
        first_episode: U32 = "FIRST_EPISODE",
        n_episodes: U32 = "N_EPISODES",
    }
}
child_indexed!(Placements / PlacementRow);

table_view! {
    /// `missing`: SSDA903 Missing, sorted by child and start.
    MissingSpells / MissingRow = abi::MISSING {
        child_idx: U32 = "CHILD_IDX",
        child: Str = "CHILD",
        missing: Str = "MISSING",
        mis_start: Date = "MIS_START",
        mis_end: OptDate = "MIS_END",
        year: I32 = "YEAR",
    }
}
child_indexed!(MissingSpells / MissingRow);

table_view! {
    /// `sw_episodes`: SSDA903 SWEpisodes, sorted by child and start.
    SwEpisodes / SwEpisodeRow = abi::SW_EPISODES {
        child_idx: U32 = "CHILD_IDX",
        child: Str = "CHILD",
        sw_id: Str = "SW_ID",
        sw_decom: Date = "SW_DECOM",
        sw_dec: OptDate = "SW_DEC",
        sw_reason: OptStr = "SW_REASON",
        year: I32 = "YEAR",
    }
}
child_indexed!(SwEpisodes / SwEpisodeRow);

table_view! {
    /// `supplied`: which SSDA903 tables were supplied for which year.
    Supplied / SuppliedRow = abi::SUPPLIED {
        year: I32 = "YEAR",
        table: Str = "TABLE",
    }
}

table_view! {
    /// `population` (contract 1.1): the authority's children aged 0 to 17,
    /// by collection year (see [`CohortView::population`]).
    PopulationTable / PopulationRow = abi::POPULATION {
        year: I32 = "YEAR",
        mid_year: I32 = "MID_YEAR",
        children: I64 = "CHILDREN",
    }
}

/// The authority's children aged 0 to 17 for a collection year: the
/// denominator of a rate per 10,000 children
/// ([`crate::OutputBuilder::per_10000_children`]), the one the built-in
/// rates use (the ONS mid-year estimate for mid-year `year - 1`, the DfE's
/// rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Population {
    /// The collection year it is the denominator for.
    pub year: i32,
    /// The year of the ONS mid-year estimate.
    pub mid_year: i32,
    /// Children aged 0 to 17.
    pub children: u64,
}

impl EpisodeRow<'_> {
    /// LS as a code (`None`: not a DfE code; `iro` passes only valid ones).
    pub fn legal_status(&self) -> Option<LegalStatus> {
        LegalStatus::parse(self.ls)
    }

    /// PLACE as a code (`None`: blank or not a DfE code).
    pub fn placement_type(&self) -> Option<PlacementType> {
        self.place.and_then(PlacementType::parse)
    }

    /// The DfE placement group of PLACE (`None`: PLACE blank).
    pub fn placement_group(&self) -> Option<PlacementGroup> {
        self.placement_type().map(PlacementType::group)
    }

    /// A short break (legal status V3 or V4): not "looked after" in the DfE
    /// counts.
    pub fn is_short_break(&self) -> bool {
        EpisodeSpan::is_short_break(self)
    }

    /// Open at some point in `[from, to]`.
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        EpisodeSpan::overlaps(self, from, to)
    }

    /// Open at the end of `date`.
    pub fn open_on(&self, date: NaiveDate) -> bool {
        EpisodeSpan::open_on(self, date)
    }
}

/// The built-in metrics' rules read an episode row as they read their own
/// episodes ([`crate::domain::looked_after_on`] and the rest).
impl EpisodeSpan for EpisodeRow<'_> {
    fn decom(&self) -> NaiveDate {
        self.decom
    }
    fn dec(&self) -> Option<NaiveDate> {
        self.dec
    }
    fn is_short_break(&self) -> bool {
        self.legal_status().is_some_and(LegalStatus::is_short_break)
    }
}

impl ChildRow<'_> {
    /// Age in completed years on `date` (`None`: no date of birth).
    pub fn age_on(&self, date: NaiveDate) -> Option<i32> {
        self.dob.map(|dob| age_in_years(dob, date))
    }

    /// The DfE age band on `date` (`AgeBand::NotKnown` without a date of
    /// birth): the `age_band` of the built-in profile.
    pub fn age_band_on(&self, date: NaiveDate) -> AgeBand {
        AgeBand::on(self.dob, date)
    }

    /// An unaccompanied asylum-seeking child on `date`: a UASC row whose
    /// DUC, if any, is after `date` (the built-in profile's `uasc=UASC`).
    pub fn uasc_on(&self, date: NaiveDate) -> bool {
        self.uasc && Uasc { duc: self.duc }.held_on(date)
    }

    /// SEX in either coding (`1`/`2` or `M`/`F`/`U`).
    pub fn sex(&self) -> Option<Sex> {
        self.sex.and_then(Sex::parse).map(|(s, _)| s)
    }

    /// ETHNIC as a code.
    pub fn ethnicity(&self) -> Option<Ethnicity> {
        self.ethnic.and_then(Ethnicity::parse)
    }
}

/// A child looked after on a date, with the episode that makes them so.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LookedAfter<'a> {
    /// `CHILD_IDX`: the child's row in `children`.
    pub idx: u32,
    pub child: ChildRow<'a>,
    /// The episode open at the end of the day (for
    /// [`CohortView::looked_after_during`], the child's last episode in the
    /// period that is not a short break): its legal status and placement
    /// are the child's then.
    pub episode: EpisodeRow<'a>,
}

/// One authority's cohort as the host passed it, for the collection year
/// being computed.
#[derive(Debug, Clone)]
pub struct CohortView {
    la_code: String,
    year: i32,
    tables: BTreeMap<String, RecordBatch>,
    supplied: BTreeSet<(i32, String)>,
}

impl CohortView {
    /// Wraps the tables. `supplied` must be among them (it is in every
    /// contract version).
    pub fn new(
        la_code: impl Into<String>,
        year: i32,
        tables: impl IntoIterator<Item = (String, RecordBatch)>,
    ) -> Result<Self, Error> {
        let tables: BTreeMap<String, RecordBatch> = tables.into_iter().collect();
        let mut supplied = BTreeSet::new();
        let batch = tables
            .get(abi::SUPPLIED)
            .ok_or_else(|| Error::invalid_input("the host sent no `supplied` table"))?;
        for r in Supplied::open(batch)?.iter() {
            supplied.insert((r.year, r.table.to_string()));
        }
        Ok(CohortView {
            la_code: la_code.into(),
            year,
            tables,
            supplied,
        })
    }

    /// The authority's DfE 3-digit code.
    pub fn la_code(&self) -> &str {
        &self.la_code
    }

    /// The collection year being computed (2025 = 2024-25).
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The collection year being computed, typed.
    pub fn collection_year(&self) -> CollectionYear {
        CollectionYear(self.year)
    }

    /// 1 April at the start of the collection year.
    pub fn year_start(&self) -> NaiveDate {
        self.collection_year().start()
    }

    /// 31 March at the end of the collection year.
    pub fn year_end(&self) -> NaiveDate {
        self.collection_year().end()
    }

    /// Whether `date` is in the collection year.
    pub fn in_year(&self, date: NaiveDate) -> bool {
        self.collection_year().contains(date)
    }

    /// The children looked after at the end of `date` (the DfE's
    /// definition, the built-in `cohort-summary`'s rule: the episode open
    /// then is not a short break, V3/V4), each with that episode, in
    /// `CHILD_IDX` order. "Looked after at 31 March" is
    /// `looked_after_on(cohort.year_end())`.
    ///
    /// Over the episodes `iro` passes: the merged history of every return
    /// loaded (as `iro run --revised` counts a year; see PLUGINS.md).
    pub fn looked_after_on(&self, date: NaiveDate) -> Result<Vec<LookedAfter<'_>>, Error> {
        self.each_child(|episodes| iro_domain::looked_after_on(episodes, date))
    }

    /// The children looked after at some time in `[from, to]` (an episode
    /// that is not a short break overlaps it: `cohort-summary.during-year`
    /// over the year), each with the last such episode, in `CHILD_IDX`
    /// order.
    pub fn looked_after_during(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<LookedAfter<'_>>, Error> {
        self.each_child(|episodes| {
            episodes
                .filter(|e| !e.is_short_break() && e.overlaps(from, to))
                .last()
        })
    }

    /// Each child's episodes (one run of the sorted table each) through
    /// `pick`; the children it picks an episode for.
    fn each_child<'a>(
        &'a self,
        mut pick: impl FnMut(&mut dyn Iterator<Item = EpisodeRow<'a>>) -> Option<EpisodeRow<'a>>,
    ) -> Result<Vec<LookedAfter<'a>>, Error> {
        let children = self.children()?;
        let episodes = self.episodes()?;
        let idx = episodes.child_idx.values();
        let mut out = Vec::new();
        let mut from = 0;
        while from < idx.len() {
            let child = idx[from];
            let to = from + idx[from..].partition_point(|&c| c == child);
            if idx.get(to).is_some_and(|&next| next < child) {
                return Err(Error::invalid_input(
                    "`episodes` is not sorted by CHILD_IDX, as the data contract says",
                ));
            }
            if (child as usize) >= children.len() {
                return Err(Error::invalid_input(format!(
                    "an episode names CHILD_IDX {child}, but `children` has {} rows",
                    children.len()
                )));
            }
            let mut run = (from..to).map(|i| episodes.get(i));
            if let Some(episode) = pick(&mut run) {
                out.push(LookedAfter {
                    idx: child,
                    child: children.get(child as usize),
                    episode,
                });
            }
            from = to;
        }
        Ok(out)
    }

    /// Whether the SSDA903 table (DfE name: `Missing`, `SWEpisodes`…) was
    /// supplied for `year`.
    pub fn supplied(&self, year: i32, table: &str) -> bool {
        self.supplied.contains(&(year, table.to_string()))
    }

    /// `Err(NotComputable)` unless every table was supplied for the year
    /// computed.
    pub fn require(&self, tables: &[&str]) -> Result<(), Error> {
        let missing: Vec<&str> = tables
            .iter()
            .copied()
            .filter(|t| !self.supplied(self.year, t))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::not_computable(format!(
                "no {} table for {}-{:02}",
                missing.join(", "),
                self.year - 1,
                self.year % 100
            )))
        }
    }

    /// A table as Arrow, by contract name (for columns a typed view lacks).
    pub fn table(&self, name: &str) -> Option<&RecordBatch> {
        self.tables.get(name)
    }

    fn batch(&self, name: &str) -> Result<&RecordBatch, Error> {
        self.tables
            .get(name)
            .ok_or_else(|| Error::invalid_input(format!("the host sent no `{name}` table")))
    }

    pub fn children(&self) -> Result<Children<'_>, Error> {
        Children::open(self.batch(abi::CHILDREN)?)
    }
    pub fn episodes(&self) -> Result<Episodes<'_>, Error> {
        Episodes::open(self.batch(abi::EPISODES)?)
    }
    pub fn reviews(&self) -> Result<Reviews<'_>, Error> {
        Reviews::open(self.batch(abi::REVIEWS)?)
    }
    pub fn periods_of_care(&self) -> Result<PeriodsOfCare<'_>, Error> {
        PeriodsOfCare::open(self.batch(abi::PERIODS_OF_CARE)?)
    }
    pub fn placements(&self) -> Result<Placements<'_>, Error> {
        Placements::open(self.batch(abi::PLACEMENTS)?)
    }
    pub fn missing(&self) -> Result<MissingSpells<'_>, Error> {
        MissingSpells::open(self.batch(abi::MISSING)?)
    }
    pub fn sw_episodes(&self) -> Result<SwEpisodes<'_>, Error> {
        SwEpisodes::open(self.batch(abi::SW_EPISODES)?)
    }

    /// The authority's children aged 0 to 17 for the collection year
    /// computed (`None`: `iro`'s reference data have no estimate for it, and
    /// a rate per 10,000 is not computable).
    pub fn population(&self) -> Result<Option<Population>, Error> {
        self.population_in(self.year)
    }

    /// As [`CohortView::population`], for any collection year loaded.
    pub fn population_in(&self, year: i32) -> Result<Option<Population>, Error> {
        // Sent from contract 1.1 on; this SDK's plugins need a 1.1 host, so
        // the table is there, but no table reads as no estimate, never zero.
        let Some(batch) = self.tables.get(abi::POPULATION) else {
            return Ok(None);
        };
        let Some(row) = PopulationTable::open(batch)?
            .iter()
            .find(|r| r.year == year)
        else {
            return Ok(None);
        };
        let children = u64::try_from(row.children).map_err(|_| {
            Error::invalid_input(format!(
                "`population` has {} children for {year}",
                row.children
            ))
        })?;
        Ok(Some(Population {
            year,
            mid_year: row.mid_year,
            children,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every typed view reads exactly the contract's columns, with its types.
    #[test]
    fn views_match_the_contract() {
        type Columns = Vec<(&'static str, ColumnType, bool)>;
        let views: [(&str, Columns); 9] = [
            (PopulationTable::TABLE, PopulationTable::columns_read()),
            (Children::TABLE, Children::columns_read()),
            (Episodes::TABLE, Episodes::columns_read()),
            (Reviews::TABLE, Reviews::columns_read()),
            (PeriodsOfCare::TABLE, PeriodsOfCare::columns_read()),
            (Placements::TABLE, Placements::columns_read()),
            (MissingSpells::TABLE, MissingSpells::columns_read()),
            (SwEpisodes::TABLE, SwEpisodes::columns_read()),
            (Supplied::TABLE, Supplied::columns_read()),
        ];
        assert_eq!(views.len(), abi::COHORT_TABLES.len());
        for (name, cols) in views {
            let spec = abi::table_spec(name).unwrap();
            let want: Vec<_> = spec
                .columns
                .iter()
                .map(|c| (c.name, c.ty, c.nullable))
                .collect();
            assert_eq!(cols, want, "{name}");
        }
    }

    #[test]
    fn dates_round_trip() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(date32_to_date(date_to_date32(d)), d);
        assert_eq!(
            date32_to_date(0),
            NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
        );
    }
}
