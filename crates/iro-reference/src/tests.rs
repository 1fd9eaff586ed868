//! Tests of the bundled data and of [`Reference`]'s lookups.

use std::sync::OnceLock;

use iro_domain::{CollectionYear, LaCode};

use crate::*;

fn reference() -> &'static Reference {
    static R: OnceLock<Reference> = OnceLock::new();
    R.get_or_init(|| match Reference::bundled() {
        Ok(r) => r,
        Err(e) => panic!("bundled reference data does not load: {e}"),
    })
}

fn la(code: u16) -> LaCode {
    LaCode::new(code).expect("3-digit code")
}

const Y: fn(i32) -> CollectionYear = CollectionYear;

#[test]
fn bundled_data_loads() {
    let r = reference();
    assert_eq!(r.las().len(), 158);
    assert_eq!(r.regions().len(), 9);
    assert_eq!(r.london_subregions().len(), 2);
    assert_eq!(r.england().ons_code, "E92000001");
    assert_eq!(r.england().name, "England");
    assert_eq!(r.las_current(Y(2025)).count(), 153);
    assert_eq!(r.las_current(Y(2015)).count(), 152);
    // every region has authorities, and every current authority is in one region
    for region in r.regions() {
        assert!(
            r.las_in_region(&region.ons_code).next().is_some(),
            "{region:?}"
        );
    }
    let london: usize = r.las_in_region("E12000007").count();
    let inner = r.las_in_region("E13000001").count();
    let outer = r.las_in_region("E13000002").count();
    assert_eq!((london, inner + outer), (33, 33));
    assert_eq!(r.published_all().len(), 2752);
    assert_eq!(r.stability_all().len(), 7315);
    assert_eq!(r.ltla_links().len(), 318);
}

#[test]
fn bath_and_north_east_somerset() {
    let r = reference();
    let banes = r.la(la(800)).unwrap();
    assert_eq!(banes.ons_code, "E06000022");
    assert_eq!(banes.name, "Bath and North East Somerset");
    assert_eq!(banes.region.ons_code, "E12000009");
    assert_eq!(banes.region.name, "South West");
    assert_eq!(r.la_by_ons("E06000022").map(|i| i.code), Some(la(800)));
    assert_eq!(r.geography("E06000022"), Some(Geography::La(la(800))));
    assert_eq!(r.geography("800"), Some(Geography::La(la(800))));
    assert_eq!(
        r.name_of(&Geography::La(la(800))),
        Some("Bath and North East Somerset")
    );
    assert!(r.is_current(la(800), Y(2015)) && r.is_current(la(800), Y(2025)));
    // published 2023 figure is the 2025-release revision (226), not the first 228
    let f = r.published(la(800), Y(2023), Measure::Cla31March).unwrap();
    assert_eq!(f.count, Published::Value(226));
    assert_eq!(f.rate_per_10000, Published::Value(62.0));
    assert_eq!(f.population_used, Published::Value(36209));
}

#[test]
fn medway_is_in_the_south_east() {
    let r = reference();
    let region = r.region_of(la(887)).unwrap();
    assert_eq!(
        (region.ons_code.as_str(), region.name.as_str()),
        ("E12000008", "South East")
    );
    assert!(r.las_in_region("E12000008").any(|l| l.code() == la(887)));
    let f = r.published(la(887), Y(2025), Measure::Cla31March).unwrap();
    assert_eq!(
        (f.count, f.rate_per_10000),
        (Published::Value(495), Published::Value(72.0))
    );
}

#[test]
fn london_boroughs_are_in_london_with_a_subregion() {
    let r = reference();
    let camden = r.la_record(la(202)).unwrap();
    assert_eq!(camden.identity.region.ons_code, "E12000007");
    assert_eq!(
        camden.london_subregion.as_ref().unwrap().name,
        "Inner London"
    );
    assert_eq!(
        r.geography("E13000002"),
        Some(Geography::Region("E13000002".into()))
    );
}

#[test]
fn reorganisation_2019_dorset_bcp() {
    let r = reference();
    for old in [835, 836, 837] {
        let rec = r.la_record(la(old)).unwrap();
        assert_eq!(
            (rec.valid_from, rec.valid_to),
            (None, Some(Y(2019))),
            "{old}"
        );
        assert!(r.is_current(la(old), Y(2019)) && !r.is_current(la(old), Y(2020)));
        assert!(rec.successors.contains(&la(839)));
    }
    assert_eq!(
        r.la_record(la(835)).unwrap().successors,
        vec![la(838), la(839)]
    );
    let bcp = r.la_record(la(839)).unwrap();
    assert_eq!(bcp.identity.ons_code, "E06000058");
    assert_eq!(bcp.predecessors, vec![la(835), la(836), la(837)]);
    assert_eq!(bcp.valid_from, Some(Y(2020)));
    let dorset = r.la_record(la(838)).unwrap();
    assert_eq!(dorset.identity.ons_code, "E06000059");
    assert_eq!(dorset.predecessors, vec![la(835)]);
    assert!(!r.is_current(la(838), Y(2019)) && r.is_current(la(838), Y(2020)));
    assert_eq!(r.la_by_ons("E10000009").map(|i| i.code), Some(la(835)));
    assert_eq!(r.la_by_ons("E06000028").map(|i| i.code), Some(la(837)));
    assert_eq!(r.la_by_ons("E06000029").map(|i| i.code), Some(la(836)));
    // DfE printed x for the pre-2019 authorities' populations; kept as a symbol
    assert_eq!(
        r.population_u18(la(835), 2017),
        Some(Published::NotAvailable)
    );
    assert_eq!(r.denominator_for(la(835), Y(2018)), None);
    assert_eq!(r.denominator_for(la(839), Y(2019)), None);
    assert_eq!(
        r.denominator_for(la(839), Y(2020)),
        Some(Denominator {
            mid_year: 2019,
            population: 72905
        })
    );
    // the 2023 release gives the old authorities' 2019 rates as x
    let f = r.published(la(835), Y(2019), Measure::Cla31March).unwrap();
    assert_eq!(
        (f.count, f.rate_per_10000),
        (Published::Value(414), Published::NotAvailable)
    );
}

#[test]
fn reorganisation_2021_northamptonshire() {
    let r = reference();
    let n = r.la_record(la(928)).unwrap();
    assert_eq!(n.valid_to, Some(Y(2021)));
    assert_eq!(n.successors, vec![la(940), la(941)]);
    for new in [940, 941] {
        let rec = r.la_record(la(new)).unwrap();
        assert_eq!(rec.valid_from, Some(Y(2022)));
        assert_eq!(rec.predecessors, vec![la(928)]);
        assert_eq!(rec.identity.region.name, "East Midlands");
    }
    assert_eq!(r.la(la(940)).unwrap().ons_code, "E06000061");
    assert_eq!(r.la(la(941)).unwrap().ons_code, "E06000062");
    assert!(r.is_current(la(928), Y(2021)) && !r.is_current(la(928), Y(2022)));
    assert!(!r.is_current(la(940), Y(2021)) && r.is_current(la(940), Y(2022)));
    // DfE: z for the new authorities in 2021, for the old one from 2022
    let f = r.published(la(940), Y(2021), Measure::Cla31March).unwrap();
    assert_eq!(
        (f.count, f.population_used),
        (Published::NotApplicable, Published::NotAvailable)
    );
    let f = r.published(la(928), Y(2022), Measure::Cla31March).unwrap();
    assert_eq!(f.count, Published::NotApplicable);
    assert!(
        r.published(la(928), Y(2021), Measure::Cla31March)
            .unwrap()
            .count
            .is_value()
    );
}

#[test]
fn reorganisation_2023_cumbria_north_yorkshire_somerset() {
    let r = reference();
    let c = r.la_record(la(909)).unwrap();
    assert_eq!(
        (c.valid_to, c.successors.clone()),
        (Some(Y(2023)), vec![la(942), la(943)])
    );
    for (new, ons) in [(942, "E06000063"), (943, "E06000064")] {
        let rec = r.la_record(la(new)).unwrap();
        assert_eq!(rec.identity.ons_code, ons);
        assert_eq!(rec.valid_from, Some(Y(2024)));
        assert_eq!(rec.predecessors, vec![la(909)]);
    }
    // North Yorkshire and Somerset kept their DfE codes, with new ONS codes
    for (code, new, old) in [
        (815, "E06000065", "E10000023"),
        (933, "E06000066", "E10000027"),
    ] {
        let rec = r.la_record(la(code)).unwrap();
        assert_eq!(rec.identity.ons_code, new);
        assert_eq!(rec.former_ons_codes, vec![old.to_string()]);
        assert_eq!(rec.ons_code_from, Some(Y(2024)));
        assert_eq!(rec.ons_code_in(Y(2023)), old);
        assert_eq!(rec.ons_code_in(Y(2024)), new);
        assert!(rec.successors.is_empty() && rec.predecessors.is_empty());
        assert!(rec.valid_from.is_none() && rec.valid_to.is_none());
        assert_eq!(r.la_by_ons(old).map(|i| i.code), Some(la(code)));
        assert_eq!(r.la_by_ons(new).map(|i| i.code), Some(la(code)));
    }
    // Buckinghamshire: unitary from April 2020, same DfE code 825
    let b = r.la_record(la(825)).unwrap();
    assert_eq!(
        (b.identity.ons_code.as_str(), b.ons_code_from),
        ("E06000060", Some(Y(2021)))
    );
    // the population file carries the ONS code in force at each mid-year
    assert_eq!(
        r.population_u18(la(815), 2022),
        Some(Published::Value(114700))
    );
    assert_eq!(r.denominator_for(la(942), Y(2023)), None);
    assert_eq!(
        r.denominator_for(la(942), Y(2024)),
        Some(Denominator {
            mid_year: 2023,
            population: 52019
        })
    );
}

/// count × 10,000 ÷ population, rounded half up, in exact integer arithmetic.
fn rate_half_up(count: u64, population: u64) -> u64 {
    (count * 20_000 + population) / (2 * population)
}

#[test]
fn denominators_and_rates_match_dfe_2021_to_2025() {
    let r = reference();
    let (mut la_rows, mut la_exact) = (0, 0);
    let (mut area_rows, mut area_exact, mut area_within_1) = (0, 0, 0);
    for year in 2021..=2025 {
        let year = Y(year);
        for rec in r.las() {
            for m in Measure::ALL {
                let Some(f) = r.published(rec.code(), year, m) else {
                    // only the authorities abolished in 2019 are absent from the 2025 release
                    assert!(
                        !rec.is_current(year) && rec.valid_to < Some(Y(2021)),
                        "{}",
                        rec.code()
                    );
                    continue;
                };
                let d = r.denominator_for(rec.code(), year);
                match f.population_used {
                    Published::Value(pop) => {
                        let d = d.unwrap_or_else(|| panic!("{} {year}", rec.code()));
                        assert_eq!(
                            (d.population, d.mid_year),
                            (pop, year.0 - 1),
                            "{}",
                            rec.code()
                        );
                        assert!(rec.is_current(year));
                    }
                    other => {
                        // x: the authority did not exist that year (2019, 2021, 2023 changes)
                        assert_eq!(other, Published::NotAvailable, "{} {year}", rec.code());
                        assert_eq!(d, None);
                        assert!(!rec.is_current(year), "{} {year}", rec.code());
                        assert_eq!(f.count, Published::NotApplicable);
                        continue;
                    }
                }
                if let (Published::Value(c), Published::Value(p), Published::Value(rate)) =
                    (f.count, f.population_used, f.rate_per_10000)
                {
                    la_rows += 1;
                    if rate_half_up(c, p) as f64 == rate {
                        la_exact += 1;
                    }
                }
            }
        }
        let areas = std::iter::once(Geography::England)
            .chain(r.regions().iter().map(Geography::from))
            .chain(r.london_subregions().iter().map(Geography::from));
        for g in areas {
            for m in Measure::ALL {
                let f = r.published(&g, year, m).unwrap();
                let d = r.denominator_for(&g, year).unwrap();
                assert_eq!(
                    f.population_used,
                    Published::Value(d.population),
                    "{g} {year}"
                );
                let (Published::Value(c), Published::Value(rate)) = (f.count, f.rate_per_10000)
                else {
                    panic!("{g} {year} has no published count or rate");
                };
                area_rows += 1;
                let computed = rate_half_up(c, d.population) as f64;
                if computed == rate {
                    area_exact += 1;
                }
                if (computed - rate).abs() <= 1.0 {
                    area_within_1 += 1;
                }
            }
        }
    }
    println!(
        "local authorities: {la_exact} of {la_rows} published rates equal count/population×10,000 \
         rounded half up; England/regions: {area_exact} of {area_rows} exact, {area_within_1} within 1 \
         (DfE rounds those counts to the nearest 10 after computing the rate)"
    );
    // Every LA rate matches exactly. Regional and national counts are published
    // rounded to 10, so a rate computed from them can be 1 out.
    assert_eq!(la_exact, la_rows);
    assert_eq!(la_rows, 2267);
    assert_eq!(area_within_1, area_rows);
    assert!(area_exact + 4 >= area_rows);
}

#[test]
fn earlier_releases_2018_to_2020() {
    // 2019 and 2020 come from the 2023 and 2024 releases, which use the current
    // (Census-2021-rebased) series; 2018 from the 2022 release, on the older series.
    let r = reference();
    let (mut same, mut differ, mut la_rates, mut la_exact) = (0, 0, 0, 0);
    for f in r
        .published_all()
        .iter()
        .filter(|f| (2018..=2020).contains(&f.year.0))
    {
        let Published::Value(pop) = f.population_used else {
            continue;
        };
        // the current series prints x for pre-2019 Dorset, Poole and Bournemouth
        let d = r.denominator_for(&f.geography, f.year);
        if let Some(d) = d {
            assert_eq!(d.mid_year, f.year.0 - 1);
        }
        if d.map(|d| d.population) == Some(pop) {
            same += 1;
            assert!(f.year.0 >= 2019, "{} {}", f.geography, f.year);
        } else {
            differ += 1;
            assert_eq!(f.year.0, 2018, "{} {}", f.geography, f.year);
        }
        if let (Geography::La(_), Published::Value(c), Published::Value(rate)) =
            (&f.geography, f.count, f.rate_per_10000)
        {
            la_rates += 1;
            if rate_half_up(c, pop) as f64 == rate {
                la_exact += 1;
            }
        }
    }
    println!(
        "2018-2020: {same} populations equal the current series, {differ} (2018) differ; LA rates {la_exact}/{la_rates} exact"
    );
    assert_eq!((same, differ), (108, 60));
    assert_eq!(la_exact, la_rates);
}

#[test]
fn statistical_neighbours_are_known_authorities() {
    let r = reference();
    let mut covered = [0usize; 2];
    for (k, model) in SnModel::ALL.into_iter().enumerate() {
        for rec in r.las() {
            let Some(list) = r.statistical_neighbours(rec.code(), model) else {
                continue;
            };
            covered[k] += 1;
            assert_eq!(list.len(), 10, "{} {}", model.id(), rec.code());
            for (i, n) in list.iter().enumerate() {
                assert_eq!(usize::from(n.rank), i + 1);
                assert!(r.la(n.la).is_some(), "{} neighbour {}", rec.code(), n.la);
                assert_ne!(n.la, rec.code());
            }
        }
    }
    // 2021: 152 authorities of the time plus 835, 836, 837, 928 ("Old SNs");
    // 2025: the 153 current authorities
    assert_eq!(covered, [156, 153]);
    for rec in r.las_current(Y(2025)) {
        assert!(
            r.statistical_neighbours(rec.code(), SnModel::Model2025)
                .is_some()
        );
    }
    let banes = r
        .statistical_neighbours(la(800), SnModel::Groupings2021)
        .unwrap();
    assert_eq!(banes[0].la, la(916));
    assert_eq!(banes[0].closeness, Closeness::ExtremelyClose);
}

#[test]
fn published_symbols_are_kept() {
    let r = reference();
    let scilly = r.published(la(420), Y(2025), Measure::Cla31March).unwrap();
    assert_eq!(scilly.count, Published::NotApplicable);
    let city = r.published(la(201), Y(2025), Measure::Cla31March).unwrap();
    assert_eq!(
        (city.count, city.rate_per_10000),
        (Published::Suppressed, Published::Suppressed)
    );
    let eng = r
        .published(Geography::England, Y(2025), Measure::Cla31March)
        .unwrap();
    assert_eq!(eng.count, Published::Value(81770));
    assert_eq!(eng.rate_per_10000, Published::Value(67.0));
    // 2015: count from DfE's time series, no rate published in that release
    let eng = r
        .published(Geography::England, Y(2015), Measure::Cla31March)
        .unwrap();
    assert_eq!(
        (eng.count, eng.rate_per_10000),
        (Published::Value(69460), Published::Missing)
    );
    // starts and ceases 2018-2020 are held for the South West and Medway
    let s = r.published(la(800), Y(2019), Measure::Starts).unwrap();
    assert_eq!(
        (s.count, s.population_used),
        (Published::Value(90), Published::Value(35423))
    );
    assert!(r.published(la(330), Y(2019), Measure::Starts).is_none());
}

#[test]
fn stability_indicators() {
    let r = reference();
    let f = r
        .stability(la(800), Y(2025), indicators::PLACEMENTS_3PLUS_IN_YEAR)
        .unwrap();
    assert_eq!(
        (f.numerator, f.denominator, f.percent),
        (
            Published::Value(18),
            Published::Value(220),
            Published::Value(8.0)
        )
    );
    let f = r
        .stability(
            Geography::England,
            Y(2025),
            indicators::LONG_TERM_STABILITY_SAME_CARER,
        )
        .unwrap();
    assert_eq!(
        (f.numerator, f.denominator),
        (Published::Value(19680), Published::Value(28710))
    );
    let f = r
        .stability(la(800), Y(2023), indicators::CLA_31_MARCH_OVER_20_MILES)
        .unwrap();
    assert_eq!(f.numerator, Published::Value(45));
    // every authority has the three DfE indicators for every year 2021-2025
    for year in 2021..=2025 {
        for rec in r.las() {
            for ind in [
                indicators::PLACEMENTS_3PLUS_IN_YEAR,
                indicators::PLACEMENTS_3PLUS_PREV_2YRS,
                indicators::LONG_TERM_STABILITY_SAME_CARER,
                indicators::NEW_PLACEMENTS_OUTSIDE_LA_OVER_20_MILES,
            ] {
                let present = r.stability(rec.code(), Y(year), ind).is_some();
                assert_eq!(
                    present,
                    ![835, 836, 837].contains(&rec.code().get()),
                    "{}",
                    rec.code()
                );
            }
        }
    }
}

#[test]
fn population_series() {
    let r = reference();
    assert_eq!(
        r.population_u18(Geography::England, 2024),
        Some(Published::Value(12183016))
    );
    let sw = r.geography("E12000009").unwrap();
    assert_eq!(r.population_u18(&sw, 2024), Some(Published::Value(1114244)));
    assert_eq!(
        r.population_u18(la(887), 2014),
        Some(Published::Value(62183))
    );
    assert_eq!(r.population_u18(la(800), 2011), None);
    assert_eq!(r.denominator_for(la(800), Y(2026)), None);
    assert_eq!(
        r.denominator_for(Geography::England, Y(2016)),
        Some(Denominator {
            mid_year: 2015,
            population: 11593891
        })
    );
}

#[test]
fn ltla_lookup() {
    let r = reference();
    assert_eq!(r.la_for_ltla("E07000105").map(|i| i.code), Some(la(886)));
    assert_eq!(r.la_for_ltla("E06000022").map(|i| i.code), Some(la(800)));
    assert_eq!(r.ltla("W06000001").unwrap().utla_name, "Isle of Anglesey");
    assert_eq!(r.la_for_ltla("W06000001"), None);
    assert_eq!(r.la_for_ltla("E99999999"), None);
    // every English upper-tier authority of April 2023 is a 2024 authority
    for link in r
        .ltla_links()
        .iter()
        .filter(|l| l.utla_code.starts_with('E'))
    {
        let id = r.la_for_ltla(&link.ltla_code).unwrap();
        assert!(r.is_current(id.code, Y(2024)), "{}", link.ltla_code);
    }
}

// ------------------------------------------------------------------ from_dir

fn copy_bundled(dir: &std::path::Path) {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/reference");
    for name in FILES {
        std::fs::copy(src.join(name), dir.join(name)).unwrap();
    }
}

fn replace_line(path: &std::path::Path, line: usize, f: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let out: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(k, l)| if k + 1 == line { f(l) } else { l.to_string() })
        .collect();
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}

#[test]
fn from_dir_loads_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    copy_bundled(dir.path());
    let r = Reference::from_dir(dir.path()).unwrap();
    assert_eq!(r.las(), reference().las());
    assert_eq!(r.published_all(), reference().published_all());
    assert_eq!(r.national_all(), reference().national_all());
}

#[test]
fn malformed_value_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    copy_bundled(dir.path());
    let path = dir.path().join("population_u18.csv");
    replace_line(&path, 5, |l| {
        let mut f: Vec<&str> = l.split(',').collect();
        *f.last_mut().unwrap() = "12x4";
        f.join(",")
    });
    let e = Reference::from_dir(dir.path()).unwrap_err();
    assert!(e.file().ends_with("population_u18.csv"), "{e}");
    assert_eq!(e.line(), Some(5), "{e}");
    assert_eq!(e.column(), Some("population_0_17"));
    let msg = e.to_string();
    assert!(
        msg.contains("population_u18.csv, line 5") && msg.contains("`12x4`"),
        "{msg}"
    );
}

#[test]
fn ragged_row_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_bundled(dir.path());
    replace_line(&dir.path().join("cla_published.csv"), 10, |l| {
        format!("{l},extra")
    });
    let e = Reference::from_dir(dir.path()).unwrap_err();
    assert!(matches!(e, ReferenceError::Csv { .. }), "{e}");
    assert!(e.file().ends_with("cla_published.csv"));
    assert_eq!(e.line(), Some(10));
}

#[test]
fn unknown_neighbour_and_missing_file_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    copy_bundled(dir.path());
    replace_line(&dir.path().join("statistical_neighbours.csv"), 2, |_| {
        "groupings_2021,201,1,999,Not Close".to_string()
    });
    let e = Reference::from_dir(dir.path()).unwrap_err();
    assert_eq!(
        (e.line(), e.column()),
        (Some(2), Some("neighbour_la_code")),
        "{e}"
    );

    std::fs::remove_file(dir.path().join("regions.csv")).unwrap();
    let e = Reference::from_dir(dir.path()).unwrap_err();
    assert!(
        matches!(e, ReferenceError::Io { .. }) && e.file().ends_with("regions.csv"),
        "{e}"
    );
}

#[test]
fn inconsistent_tables_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    copy_bundled(dir.path());
    // an LA row whose ONS code belongs to a different authority
    let path = dir.path().join("cla_published.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains(",E06000022,800,"))
        .unwrap()
        + 1;
    replace_line(&path, line, |l| {
        l.replace(",E06000022,800,", ",E06000023,800,")
    });
    let e = Reference::from_dir(dir.path()).unwrap_err();
    assert_eq!(
        (e.line(), e.column()),
        (Some(line as u64), Some("ons_code")),
        "{e}"
    );
    // a duplicated authority
    copy_bundled(dir.path());
    let path = dir.path().join("local_authorities.csv");
    let second = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    replace_line(&path, 3, |_| second.clone());
    let e = Reference::from_dir(dir.path()).unwrap_err();
    assert!(
        matches!(e, ReferenceError::Duplicate { line: 3, .. }),
        "{e}"
    );
}

// ------------------------------------------------------------ England's figures

#[test]
fn englands_published_figures_load() {
    let r = reference();
    assert_eq!(r.national_all().len(), 48);
    // DfE 2020 release, table tool: care leavers aged 19 to 21 in 2019 in
    // suitable accommodation, 85% (25,030).
    let f = r
        .national(
            CollectionYear(2019),
            NationalSubject::CareLeavers,
            "age_group=19 to 21;accommodation=Suitable",
        )
        .unwrap();
    assert_eq!(f.percent.value(), Some(85.0));
    assert_eq!(f.count.value(), Some(25_030));
    assert!(f.source.contains("explore-education-statistics"));
    // DfE 2025 release: 71% of children looked after were White.
    let w = r
        .national(
            CollectionYear(2025),
            NationalSubject::Cla31March,
            "ethnicity=White",
        )
        .unwrap();
    assert_eq!(w.percent.value(), Some(71.0));
    assert_eq!(w.count, Published::Missing);
    // A figure we do not hold is None, never 0.
    assert!(
        r.national(
            CollectionYear(2025),
            NationalSubject::Cla31March,
            "sex=Female"
        )
        .is_none()
    );
    // Every subject's percentages of one breakdown key add to about 100
    // where the whole set is held (rounded figures: 98 to 102).
    let sum: f64 = r
        .national_all()
        .iter()
        .filter(|f| f.year == CollectionYear(2022) && f.breakdown.starts_with("age_band="))
        .filter_map(|f| f.percent.value())
        .sum();
    assert!((98.0..=102.0).contains(&sum), "{sum}");
}

#[test]
fn a_folder_without_englands_figures_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    copy_bundled(dir.path());
    std::fs::remove_file(dir.path().join("england_published.csv")).unwrap();
    let r = Reference::from_dir(dir.path()).unwrap();
    assert!(r.national_all().is_empty());
    assert_eq!(r.published_all(), reference().published_all());
}

#[test]
fn a_bad_national_row_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_bundled(dir.path());
    std::fs::write(
        dir.path().join("england_published.csv"),
        "year,subject,breakdown,percent,count,release,source\n2025,cla_31_march,sex,56,,r,s\n",
    )
    .unwrap();
    let e = Reference::from_dir(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("england_published.csv") && e.contains("breakdown"),
        "{e}"
    );
}
