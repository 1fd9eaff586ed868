//! Our rate per 10,000 reproduces the DfE's published one for every
//! authority, region and year of `national_la_rates_all_vintages.csv` (every
//! DfE release we hold, 2015–2025) that has a population; the rows that
//! differ are listed with the reason. The file is a copy of
//! `/work/shared/reference/national_la_rates_all_vintages.csv` (compiled
//! from the DfE releases named in each row; OGL v3): see tests/data/README.md.

use iro_domain::{CollectionYear, LaCode};
use iro_reference::{Geography, Reference};
use regional_benchmarking::{Indicator, published_figure, round_half_up_ratio};

#[derive(Debug)]
struct Row {
    line: usize,
    year: i32,
    level: String,
    la: String,
    ons: String,
    name: String,
    count: String,
    rate: String,
    population: String,
    release: String,
}

fn rows() -> Vec<Row> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/national_la_rates_all_vintages.csv");
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (y, gl, la, ons, nm, c, rt, p, rel) = (
        col("year"),
        col("geography_level"),
        col("la_code_old"),
        col("ons_code"),
        col("name"),
        col("cla_count"),
        col("rate_per_10000"),
        col("population_u18_used"),
        col("release"),
    );
    r.records()
        .enumerate()
        .map(|(k, rec)| {
            let rec = rec.unwrap();
            Row {
                line: k + 2,
                year: rec[y].parse().unwrap(),
                level: rec[gl].to_string(),
                la: rec[la].to_string(),
                ons: rec[ons].to_string(),
                name: rec[nm].to_string(),
                count: rec[c].to_string(),
                rate: rec[rt].to_string(),
                population: rec[p].to_string(),
                release: rec[rel].to_string(),
            }
        })
        .collect()
}

fn geography(r: &Row) -> Geography {
    match r.level.as_str() {
        "National" => Geography::England,
        "Regional" => Geography::Region(r.ons.clone()),
        _ => Geography::La(r.la.parse::<LaCode>().unwrap()),
    }
}

#[test]
fn published_rates_are_reproduced() {
    let all = rows();
    let mut with_population = 0;
    let mut compared = 0;
    let mut symbols = 0;
    let mut differ = Vec::new();
    for r in &all {
        if r.population.trim().is_empty() {
            continue;
        }
        with_population += 1;
        let (Ok(count), Ok(pop), Ok(rate)) = (
            r.count.parse::<u64>(),
            r.population.parse::<u64>(),
            r.rate.parse::<u64>(),
        ) else {
            // A DfE symbol (z: the authority did not exist; c; x) in the count,
            // the population or the rate: there is no rate to reproduce.
            assert!(
                [&r.count, &r.population, &r.rate]
                    .iter()
                    .any(|v| ["z", "c", "x"].contains(&v.as_str())),
                "line {}: {r:?}",
                r.line
            );
            symbols += 1;
            continue;
        };
        compared += 1;
        let ours = round_half_up_ratio(count, pop, 10_000).unwrap();
        if ours != rate {
            differ.push(format!(
                "line {}: {} {} {} ({}): {count} × 10,000 ÷ {pop} = {ours}, published {rate}",
                r.line, r.year, r.level, r.name, r.release
            ));
        }
    }
    println!(
        "{with_population} rows with a population: {compared} compared, {symbols} with a DfE symbol"
    );
    for d in &differ {
        println!("differs: {d}");
    }
    // The only differences: South West regional rates of 2019 and 2020. DfE
    // rounds national and regional counts to the nearest 10 but computes the
    // rate from the unrounded count (6,130 and 6,260 are rounded; e.g. 2020
    // in the 2024 release: 6,260 / 1,088,101 = 57.53, published 57, so the
    // unrounded count was at most 6,256). Every authority's rate is reproduced.
    assert_eq!(with_population, 410);
    assert_eq!(compared + symbols, with_population);
    assert_eq!(differ.len(), 4, "{differ:#?}");
    assert!(
        differ.iter().all(|d| d.contains(" Regional South West ")
            && (d.contains(" 2019 ") || d.contains(" 2020 "))),
        "{differ:#?}"
    );
}

/// The release number in "DfE CLA 2024 release (EES)".
fn release_year(release: &str) -> Option<i32> {
    release
        .strip_prefix("DfE CLA ")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[test]
fn the_dfe_denominator_rule_gives_the_published_population() {
    // Each DfE release divides by the ONS mid-year Y − 1 estimates current
    // when it was published, and ONS revises them every year; the bundled
    // series is the latest (2025 release). So the latest release we hold for
    // a year must use exactly our denominator, and older releases of the
    // same year differ by ONS's revisions.
    let reference = Reference::bundled().unwrap();
    let all: Vec<Row> = rows()
        .into_iter()
        .filter(|r| r.population.parse::<u64>().is_ok())
        .collect();
    let mut latest: std::collections::HashMap<(i32, Geography), i32> = Default::default();
    for r in &all {
        let rel = release_year(&r.release).unwrap();
        let e = latest.entry((r.year, geography(r))).or_insert(rel);
        *e = (*e).max(rel);
    }
    let (mut same, mut superseded, mut pre_census, mut not_rebased) = (0, 0, 0, Vec::new());
    for r in &all {
        let pop: u64 = r.population.parse().unwrap();
        let rel = release_year(&r.release).unwrap();
        let year = CollectionYear(r.year);
        let ours = reference.denominator_for(geography(r), year);
        if ours.is_some_and(|d| d.population == pop) {
            assert_eq!(ours.unwrap().mid_year, r.year - 1);
            same += 1;
        } else if rel < latest[&(r.year, geography(r))] {
            println!(
                "superseded: line {}: {} {} ({}): {pop}, revised to {:?}",
                r.line,
                r.year,
                r.name,
                r.release,
                ours.map(|d| d.population)
            );
            superseded += 1;
        } else if r.release.contains("pre-Census-2021") {
            // The DfE 2022 release (the latest we hold for 2018) divided by
            // the pre-Census-2021 estimates, since rebased.
            pre_census += 1;
        } else if ours.is_none() && ["835", "836", "837"].contains(&r.la.as_str()) {
            // Dorset county, Poole and Bournemouth (to 2019) are not on the
            // rebased series (`x` in the population file).
            not_rebased.push(r.line);
        } else {
            panic!(
                "line {}: {} {} ({}): published {pop}, ours {:?}",
                r.line, r.year, r.name, r.release, ours
            );
        }
    }
    println!(
        "{same} equal ours; {superseded} superseded by a later release; {pre_census} pre-Census-2021 (2022 release); {} not rebased",
        not_rebased.len()
    );
    assert_eq!(
        same + superseded + pre_census + not_rebased.len(),
        all.len()
    );
    assert!(same >= 220, "{same}");
}

#[test]
fn our_published_figures_match_the_latest_release_of_every_year() {
    // The figure the benchmark uses (the latest release we hold for each
    // year) reproduces its published rate, 2018-2025.
    let reference = Reference::bundled().unwrap();
    let mut checked = 0;
    for f in reference.published_all() {
        if f.year.0 < 2018 || f.measure != iro_reference::Measure::Cla31March {
            continue;
        }
        let ours = published_figure(&reference, &f.geography, f.year, Indicator::ClaRate);
        match (ours.rounded(), f.rate_per_10000.value()) {
            (Some(a), Some(b)) if matches!(f.geography, Geography::La(_)) => {
                assert_eq!(a, b, "{} {}", f.geography, f.year);
                checked += 1;
            }
            (None, Some(_)) => panic!("{} {}: no counts: {}", f.geography, f.year, ours.note),
            _ => {}
        }
    }
    assert!(checked > 750, "{checked}");
}
