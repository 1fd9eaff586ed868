//! Criterion benchmark: what placement distance and placement stability add to
//! a run over the national synthetic set (153 authorities × 5 collection
//! years, ~80,000 children looked after at each 31 March), on 1 and on 2
//! worker threads, **postcode table load included**.
//!
//! Each iteration loads the postcode index, builds the two metrics and runs
//! them through `iro_engine::compute` (every authority × year, then sorting
//! and suppression, as in `iro run`). Ingest is done once, outside the
//! measurement. Two postcode set-ups:
//!
//! * `sectors` — the bundled postcode-sector centroids (what `iro run` loads
//!   when no unit table is configured);
//! * `units` — a unit-postcode table of ONSPD size (2.7 million postcodes),
//!   synthesised once from the sector table and written to a temporary file in
//!   the format `iro reference import-onspd` writes, plus every postcode the
//!   national set uses, so every lookup takes the unit path. Set
//!   `IRO_UNIT_TABLE=/path/units.bin` to use a real imported table instead.
//!
//! The national set is read from `benches/data/national` (or `IRO_NATIONAL`);
//! when absent it is generated there first (seed 1, as
//! `iro-testkit national --out benches/data/national`).
//!
//! ```sh
//! cargo bench -p iro-bench --bench placements
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use iro_engine::{Config, compute, load, load_reference};
use iro_metric_api::Metric;
use iro_postcodes::PostcodeIndex;
use iro_postcodes::units::{Area, UnitRecord, UnitTable};
use iro_postcodes::{Grid, OnsCode};

fn national_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("IRO_NATIONAL") {
        return PathBuf::from(p);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/national");
    if !dir.join("800").is_dir() {
        eprintln!("generating the national set in {}", dir.display());
        iro_testkit::generate_to_dir(&iro_testkit::Config::national(1), &dir)
            .expect("generate the national set");
    }
    dir
}

/// A unit table of ONSPD size: for every sector of the bundled table, as many
/// invented unit postcodes as the sector has (up to the 676 a sector's key
/// space holds) scattered around its centroid, plus `extra` postcodes at their
/// sector's centroid. Deterministic.
fn synthetic_unit_table(extra: &[iro_domain::Postcode], path: &Path) -> u64 {
    let text = include_str!("../../data/reference/postcodes/sector_centroids.csv");
    let index = PostcodeIndex::bundled().expect("bundled sectors");
    let mut areas: Vec<Area> = Vec::new();
    let mut area_of = std::collections::HashMap::new();
    let mut records = Vec::with_capacity(2_800_000);
    let mut seen = std::collections::HashSet::new();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut push = |pc: iro_domain::Postcode,
                    coords: Option<(u32, u32)>,
                    grid: Grid,
                    lad: Option<OnsCode>,
                    utla: Option<OnsCode>,
                    records: &mut Vec<_>| {
        if !seen.insert(pc) {
            return;
        }
        let area = lad.map(|lad| {
            *area_of.entry(lad).or_insert_with(|| {
                areas.push(Area { lad, utla });
                (areas.len() - 1) as u16
            })
        });
        records.push((pc, UnitRecord { coords, grid, area }));
    };
    const LETTERS: &[u8; 26] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (Some(sector), Some(units)) = (f.first(), f.get(5).and_then(|u| u.parse::<u32>().ok()))
        else {
            continue;
        };
        let iro_postcodes::Resolved::Found(c) = index.lookup_sector(sector) else {
            continue;
        };
        for k in 0..units.min(676) {
            let (a, b) = (LETTERS[(k / 26) as usize], LETTERS[(k % 26) as usize]);
            let Some(pc) =
                iro_domain::Postcode::parse(&format!("{sector}{}{}", a as char, b as char))
            else {
                continue;
            };
            let r = next();
            let e = (i64::from(c.easting) + (r % 2001) as i64 - 1000).max(0) as u32;
            let n = (i64::from(c.northing) + ((r >> 16) % 2001) as i64 - 1000).max(0) as u32;
            push(pc, Some((e, n)), c.grid, c.lad, c.utla, &mut records);
        }
    }
    for pc in extra {
        if let Some(c) = index.lookup(pc) {
            push(
                *pc,
                Some((c.easting, c.northing)),
                c.grid,
                c.lad,
                c.utla,
                &mut records,
            );
        }
    }
    let keyed = records
        .into_iter()
        .filter_map(|(pc, r)| Some((iro_postcodes::units::key_of(&pc)?, r)))
        .collect();
    let table = UnitTable::from_records(keyed, areas, "synthetic (bench)".into())
        .expect("synthetic unit table");
    table.write(path).expect("write the unit table")
}

fn placements(c: &mut Criterion) {
    let dir = national_dir();
    let config = Config::default();
    let source = iro_ingest::InputSource::Folder(dir.clone());
    let loaded = load(&config, &source).expect("load the national set");
    let reference = load_reference(&config).expect("reference");

    let tmp = tempfile::tempdir().expect("temp dir");
    let units_path = match std::env::var_os("IRO_UNIT_TABLE") {
        Some(p) => PathBuf::from(p),
        None => {
            let mut used: Vec<iro_domain::Postcode> = loaded
                .cohorts
                .iter()
                .flat_map(|c| c.episodes())
                .flat_map(|e| [e.home_post, e.pl_post])
                .flatten()
                .collect();
            used.sort_unstable();
            used.dedup();
            let path = tmp.path().join("units.bin");
            let bytes = synthetic_unit_table(&used, &path);
            eprintln!(
                "synthetic unit table: {bytes} bytes, {} postcodes of the national set",
                used.len()
            );
            path
        }
    };

    let mut g = c.benchmark_group("placements-national");
    g.sample_size(10);
    for (label, units) in [("sectors", None), ("units", Some(units_path.as_path()))] {
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            g.bench_function(
                format!("distance + stability, {label}, {threads} thread(s)"),
                |b| {
                    b.iter(|| {
                        pool.install(|| {
                            let index = PostcodeIndex::load(units).expect("postcode index");
                            let metrics: Vec<Box<dyn Metric>> = vec![
                                Box::new(placement_stability::PlacementStability),
                                Box::new(placement_distance::PlacementDistance::new(Arc::new(
                                    index,
                                ))),
                            ];
                            compute(&config, &loaded, &reference, &metrics, &|_| {})
                                .expect("compute")
                        })
                    })
                },
            );
        }
    }
    // A million unit-postcode lookups (the postcodes of the national set's
    // episodes, over again until a million, then shuffled: no locality
    // between lookups).
    let all: Vec<iro_domain::Postcode> = loaded
        .cohorts
        .iter()
        .flat_map(|c| c.episodes())
        .flat_map(|e| [e.home_post, e.pl_post])
        .flatten()
        .collect();
    let mut pcs: Vec<iro_domain::Postcode> = all.iter().cycle().take(1_000_000).copied().collect();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for i in (1..pcs.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        pcs.swap(i, (state % (i as u64 + 1)) as usize);
    }
    for (label, units) in [("sectors", None), ("units", Some(units_path.as_path()))] {
        let index = PostcodeIndex::load(units).expect("postcode index");
        g.bench_function(format!("part: {} lookups, {label}", pcs.len()), |b| {
            b.iter(|| pcs.iter().filter(|p| index.lookup(p).is_some()).count())
        });
    }

    // Where the time goes: each part alone (2 threads for the metrics).
    for (label, units) in [("sectors", None), ("units", Some(units_path.as_path()))] {
        g.bench_function(format!("part: postcode index load, {label}"), |b| {
            b.iter(|| PostcodeIndex::load(units).expect("postcode index"))
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
    let index = Arc::new(PostcodeIndex::load(Some(&units_path)).expect("postcode index"));
    let parts: [(&str, Box<dyn Metric>); 3] = [
        (
            "stability",
            Box::new(placement_stability::PlacementStability),
        ),
        (
            "distance, sectors",
            Box::new(placement_distance::PlacementDistance::bundled().expect("sectors")),
        ),
        (
            "distance, units",
            Box::new(placement_distance::PlacementDistance::new(index)),
        ),
    ];
    for (label, metric) in parts {
        let metrics = [metric];
        g.bench_function(format!("part: {label} (index loaded), 2 threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    compute(&config, &loaded, &reference, &metrics, &|_| {}).expect("compute")
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, placements);
criterion_main!(benches);
