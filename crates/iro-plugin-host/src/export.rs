//! A [`Cohort`] as the data contract's Arrow tables (`903-cohort/1.1`), and
//! the cache that makes the export happen once per cohort and run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Int32Array, Int64Array, RecordBatch, StringArray,
    UInt32Array,
};
use arrow_schema::ArrowError;
use iro_domain::{Cohort, PlacementStart};
use iro_metric_api::Reference;
use iro_plugin_abi::{self as abi, metadata};
use iro_plugin_sdk::cohort::date_to_date32;
use iro_plugin_sdk::schema::table_schema;

/// A cohort's tables, exported once, shared by every plugin call on it.
#[derive(Debug)]
pub struct CohortTables {
    pub la_code: String,
    pub tables: Vec<(String, RecordBatch)>,
    wire: OnceLock<Result<Arc<Vec<u8>>, String>>,
}

impl CohortTables {
    /// The tables as the worker's stdin body, encoded once.
    pub fn wire(&self) -> Result<Arc<Vec<u8>>, String> {
        self.wire
            .get_or_init(|| crate::worker::encode_tables(&self.tables).map(Arc::new))
            .clone()
    }
}

fn utf8<'a>(it: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(it))
}

fn utf8_owned(it: impl Iterator<Item = Option<String>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(it))
}

fn date(it: impl Iterator<Item = Option<chrono::NaiveDate>>) -> ArrayRef {
    Arc::new(Date32Array::from_iter(it.map(|d| d.map(date_to_date32))))
}

fn i32s(it: impl Iterator<Item = Option<i32>>) -> ArrayRef {
    Arc::new(Int32Array::from_iter(it))
}

fn u32s(it: impl Iterator<Item = u32>) -> ArrayRef {
    Arc::new(UInt32Array::from_iter_values(it))
}

fn bools(it: impl Iterator<Item = Option<bool>>) -> ArrayRef {
    Arc::new(BooleanArray::from_iter(it))
}

/// Exports every table of the data contract for one authority. The schema
/// metadata holds the table, LA code and contract; the collection year is
/// added per call. The `population` table (contract 1.1) holds, for each
/// collection year the cohort has tables for, the under-18 population the
/// built-in rates divide by (`Reference::denominator_for`, the same call).
pub fn export_cohort(c: &Cohort, reference: &Reference) -> Result<CohortTables, ArrowError> {
    let la = c.la().to_string();
    let ch = c.children();
    let id = |i: iro_domain::ChildIdx| ch.get(i.get()).map(|c| &*c.child_id);
    let mut tables = Vec::new();
    let mut push = |name: &'static str, cols: Vec<ArrayRef>| -> Result<(), ArrowError> {
        let spec = abi::table_spec(name).ok_or_else(|| {
            ArrowError::InvalidArgumentError(format!("no table `{name}` in the contract"))
        })?;
        let schema = table_schema(
            spec,
            &[
                (metadata::TABLE, name),
                (metadata::LA_CODE, &la),
                (metadata::DATA_CONTRACT, abi::DATA_CONTRACT),
            ],
        );
        tables.push((
            name.to_string(),
            RecordBatch::try_new(Arc::new(schema), cols)?,
        ));
        Ok(())
    };

    push(
        abi::CHILDREN,
        vec![
            utf8(ch.iter().map(|c| Some(&*c.child_id))),
            utf8(ch.iter().map(|c| c.sex.map(|s| s.code()))),
            date(ch.iter().map(|c| c.dob)),
            utf8(ch.iter().map(|c| c.ethnic.map(|e| e.code()))),
            bools(ch.iter().map(|c| c.mother)),
            date(ch.iter().map(|c| c.mc_dob)),
            bools(ch.iter().map(|c| Some(c.uasc.is_some()))),
            date(ch.iter().map(|c| c.uasc.and_then(|u| u.duc))),
            i32s(ch.iter().map(|c| c.header_year.map(|y| y.0))),
        ],
    )?;

    let ep = c.episodes();
    push(
        abi::EPISODES,
        vec![
            u32s(ep.iter().map(|e| e.child.0)),
            utf8(ep.iter().map(|e| id(e.child))),
            date(ep.iter().map(|e| Some(e.decom))),
            utf8(ep.iter().map(|e| Some(e.rne.code()))),
            utf8(ep.iter().map(|e| Some(e.ls.code()))),
            utf8(ep.iter().map(|e| e.cin.map(|x| x.code()))),
            utf8(ep.iter().map(|e| e.place.map(|x| x.code()))),
            utf8(ep.iter().map(|e| e.place_provider.map(|x| x.code()))),
            date(ep.iter().map(|e| e.dec)),
            utf8(ep.iter().map(|e| e.rec.map(|x| x.code()))),
            utf8(ep.iter().map(|e| e.reason_place_change.map(|x| x.code()))),
            utf8_owned(ep.iter().map(|e| e.home_post.map(|p| p.to_string()))),
            utf8_owned(ep.iter().map(|e| e.pl_post.map(|p| p.to_string()))),
            utf8(ep.iter().map(|e| e.urn.as_deref())),
            i32s(ep.iter().map(|e| Some(e.year.0))),
        ],
    )?;

    let rv = c.reviews();
    push(
        abi::REVIEWS,
        vec![
            u32s(rv.iter().map(|r| r.child.0)),
            utf8(rv.iter().map(|r| id(r.child))),
            date(rv.iter().map(|r| Some(r.review))),
            utf8(rv.iter().map(|r| r.review_code.map(|x| x.code()))),
            i32s(rv.iter().map(|r| Some(r.year.0))),
        ],
    )?;

    let pc = c.periods();
    push(
        abi::PERIODS_OF_CARE,
        vec![
            u32s(pc.iter().map(|p| p.child.0)),
            utf8(pc.iter().map(|p| id(p.child))),
            date(pc.iter().map(|p| Some(p.start))),
            bools(pc.iter().map(|p| Some(p.start_known))),
            date(pc.iter().map(|p| p.end)),
            utf8(pc.iter().map(|p| p.reason_ceased.map(|x| x.code()))),
            bools(pc.iter().map(|p| Some(p.short_break))),
            bools(pc.iter().map(|p| Some(p.broken_chain))),
            u32s(pc.iter().map(|p| p.episodes.start)),
            u32s(pc.iter().map(|p| p.episodes.len() as u32)),
        ],
    )?;

    let pl = c.placements();
    push(
        abi::PLACEMENTS,
        vec![
            u32s(pl.iter().map(|p| p.child.0)),
            utf8(pl.iter().map(|p| id(p.child))),
            u32s(pl.iter().map(|p| p.period)),
            date(pl.iter().map(|p| Some(p.start))),
            date(pl.iter().map(|p| p.end)),
            utf8(pl.iter().map(|p| {
                Some(match p.start_reason {
                    PlacementStart::Entry => "entry",
                    PlacementStart::NewCarer => "new_carer",
                    PlacementStart::SameCarer => "same_carer",
                })
            })),
            utf8(pl.iter().map(|p| p.place.map(|x| x.code()))),
            utf8(pl.iter().map(|p| p.place_provider.map(|x| x.code()))),
            utf8_owned(pl.iter().map(|p| p.home_post.map(|x| x.to_string()))),
            utf8_owned(pl.iter().map(|p| p.pl_post.map(|x| x.to_string()))),
            u32s(pl.iter().map(|p| p.episodes.start)),
            u32s(pl.iter().map(|p| p.episodes.len() as u32)),
        ],
    )?;

    let ms = c.missing();
    push(
        abi::MISSING,
        vec![
            u32s(ms.iter().map(|m| m.child.0)),
            utf8(ms.iter().map(|m| id(m.child))),
            utf8(ms.iter().map(|m| Some(m.missing.code()))),
            date(ms.iter().map(|m| Some(m.mis_start))),
            date(ms.iter().map(|m| m.mis_end)),
            i32s(ms.iter().map(|m| Some(m.year.0))),
        ],
    )?;

    let sw = c.sw_episodes();
    push(
        abi::SW_EPISODES,
        vec![
            u32s(sw.iter().map(|s| s.child.0)),
            utf8(sw.iter().map(|s| id(s.child))),
            utf8(sw.iter().map(|s| Some(&*s.sw_id))),
            date(sw.iter().map(|s| Some(s.sw_decom))),
            date(sw.iter().map(|s| s.sw_dec)),
            utf8(sw.iter().map(|s| s.sw_reason.as_deref())),
            i32s(sw.iter().map(|s| Some(s.year.0))),
        ],
    )?;

    let supplied: Vec<(i32, &'static str)> = c
        .tables()
        .iter()
        .flat_map(|(y, ts)| ts.iter().map(move |t| (y.0, t.name())))
        .collect();
    push(
        abi::SUPPLIED,
        vec![
            i32s(supplied.iter().map(|(y, _)| Some(*y))),
            utf8(supplied.iter().map(|(_, t)| Some(*t))),
        ],
    )?;

    let population: Vec<(i32, i32, u64)> = c
        .tables()
        .keys()
        .filter_map(|&y| {
            reference
                .denominator_for(c.la(), y)
                .map(|d| (y.0, d.mid_year, d.population))
        })
        .collect();
    push(
        abi::POPULATION,
        vec![
            i32s(population.iter().map(|p| Some(p.0))),
            i32s(population.iter().map(|p| Some(p.1))),
            Arc::new(Int64Array::from_iter(population.iter().map(|p| {
                // An under-18 population is far below i64::MAX.
                Some(i64::try_from(p.2).unwrap_or(i64::MAX))
            }))),
        ],
    )?;

    Ok(CohortTables {
        la_code: la,
        tables,
        wire: OnceLock::new(),
    })
}

type Slot = Arc<OnceLock<Result<Arc<CohortTables>, String>>>;

/// Exports shared between calls while a [`CacheScope`] is open.
///
/// Outside a scope every call exports afresh (always correct). Inside one,
/// exports are kept by the cohort's [`Cohort::stamp`], which names what it
/// holds: never by its address, which a later authority's cohort can take
/// once ingest hands cohorts over one at a time (`iro run`).
///
/// It keeps the exports of the last few cohorts asked for (a few per worker
/// thread): a run computes an authority's metrics together, then moves on,
/// so an older export is not asked for again, and holding every authority's
/// would hold the national input that ingest lets go. One evicted while still
/// in use is exported again: slower, never wrong.
#[derive(Debug, Default)]
pub(crate) struct ExportCache {
    state: Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    /// Open scopes.
    scopes: usize,
    slots: HashMap<u64, Slot>,
    /// Stamps in the order first asked for (oldest first).
    order: std::collections::VecDeque<u64>,
}

impl ExportCache {
    pub(crate) fn get(
        &self,
        cohort: &Cohort,
        reference: &Reference,
    ) -> Result<Arc<CohortTables>, String> {
        let key = cohort.stamp();
        let slot = {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if st.scopes == 0 {
                None
            } else {
                if !st.slots.contains_key(&key) {
                    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
                    let keep = 2 * threads + 2;
                    while st.order.len() >= keep {
                        if let Some(old) = st.order.pop_front() {
                            st.slots.remove(&old);
                        }
                    }
                    st.order.push_back(key);
                }
                Some(st.slots.entry(key).or_default().clone())
            }
        };
        let export = || {
            export_cohort(cohort, reference)
                .map(Arc::new)
                .map_err(|e| format!("exporting the cohort to Arrow: {e}"))
        };
        match slot {
            None => export(),
            Some(slot) => slot.get_or_init(export).clone(),
        }
    }

    pub(crate) fn open(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).scopes += 1;
    }

    pub(crate) fn close(&self) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.scopes = st.scopes.saturating_sub(1);
        if st.scopes == 0 {
            st.slots.clear();
            st.order.clear();
        }
    }
}

/// While alive, plugin calls share one Arrow export per cohort. Open one
/// around a single `iro_engine::compute` (see [`crate::Host::cache_scope`]).
#[derive(Debug)]
pub struct CacheScope {
    cache: Arc<ExportCache>,
}

impl CacheScope {
    pub(crate) fn new(cache: Arc<ExportCache>) -> Self {
        cache.open();
        CacheScope { cache }
    }
}

impl Drop for CacheScope {
    fn drop(&mut self) {
        self.cache.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_cohort() -> Cohort {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
        let loaded = iro_ingest::load(
            &iro_ingest::InputSource::Folder(dir),
            &iro_ingest::LoadOptions::default(),
        )
        .unwrap();
        loaded.cohorts.into_iter().next().unwrap()
    }

    fn reference() -> &'static Reference {
        static R: std::sync::OnceLock<Reference> = std::sync::OnceLock::new();
        R.get_or_init(|| Reference::bundled().expect("bundled reference"))
    }

    /// Every year the sample loaded has its authority's under-18
    /// population, the one `cohort-summary`'s rates divide by.
    #[test]
    fn the_population_is_the_built_in_rates_denominator() {
        let cohort = sample_cohort();
        let t = export_cohort(&cohort, reference()).unwrap();
        let view =
            iro_plugin_sdk::CohortView::new(t.la_code.clone(), 2025, t.tables.clone()).unwrap();
        let years: Vec<_> = cohort.tables().keys().copied().collect();
        assert_eq!(rows_of(&t, "population"), years.len());
        for y in years {
            let d = reference().denominator_for(cohort.la(), y).unwrap();
            let p = view.population_in(y.0).unwrap().unwrap();
            assert_eq!((p.mid_year, p.children), (d.mid_year, d.population));
        }
        assert_eq!(view.population_in(1990).unwrap(), None);
    }

    fn rows_of(t: &CohortTables, name: &str) -> usize {
        t.tables
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, b)| b.num_rows())
    }

    #[test]
    fn a_cohort_changed_in_place_is_exported_afresh() {
        let cache = ExportCache::default();
        cache.open();
        let mut cohort = sample_cohort();
        let r = reference();
        let first = cache.get(&cohort, r).unwrap();
        assert!(Arc::ptr_eq(&first, &cache.get(&cohort, r).unwrap()));
        // An unchanged clone holds the same records: the same export.
        assert!(Arc::ptr_eq(&first, &cache.get(&cohort.clone(), r).unwrap()));
        let episodes = rows_of(&first, "episodes");
        assert!(episodes > 0);

        // Same address, records let go: never the old export.
        cohort.release_records();
        let after = cache.get(&cohort, r).unwrap();
        assert!(!Arc::ptr_eq(&first, &after));
        assert_eq!(rows_of(&after, "episodes"), 0);
        cache.close();
    }

    #[test]
    fn only_the_last_few_exports_are_kept() {
        let cache = ExportCache::default();
        cache.open();
        let cohort = sample_cohort();
        for _ in 0..40 {
            let mut changed = cohort.clone();
            changed.set_absent_columns(Vec::new());
            cache.get(&changed, reference()).unwrap();
        }
        let st = cache.state.lock().unwrap();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert!(st.slots.len() <= 2 * threads + 2, "{}", st.slots.len());
        assert_eq!(st.slots.len(), st.order.len());
    }
}
