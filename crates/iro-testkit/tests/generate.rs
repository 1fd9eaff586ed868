//! End-to-end properties of generated data: determinism, DfE chain rules across years,
//! review timeliness mix, SEX coding by year, sample sizes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use iro_testkit::calendar::{add_months, add_working_days, age_on};
use iro_testkit::calibration::LaProfile;
use iro_testkit::check::check_years;
use iro_testkit::write::{file_names, render_table};
use iro_testkit::{Config, Dataset, EpisodeRow, Postcodes, YearReturn, generate};

fn small() -> Config {
    Config::small(2, 90, 2021, 2025, 42)
}

fn bytes(data: &Dataset) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for a in &data.authorities {
        for y in &a.years {
            for name in file_names(y.year) {
                out.push(render_table(y, name).unwrap());
            }
        }
    }
    out
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = generate(&small());
    let b = generate(&small());
    assert_eq!(bytes(&a), bytes(&b));
    let c = generate(&Config {
        seed: 43,
        ..small()
    });
    assert_ne!(bytes(&a), bytes(&c));
}

#[test]
fn written_files_are_identical_between_runs() {
    let cfg = Config::small(1, 40, 2024, 2025, 9);
    let d1 = tempfile::tempdir().unwrap();
    let d2 = tempfile::tempdir().unwrap();
    iro_testkit::write_dataset(&generate(&cfg), d1.path()).unwrap();
    iro_testkit::generate_to_dir(&cfg, d2.path()).unwrap();
    let la = format!("{:03}", cfg.authorities[0].code);
    for year in ["2024", "2025"] {
        for name in file_names(year.parse().unwrap()) {
            let p1 = d1.path().join(&la).join(year).join(name);
            let p2 = d2.path().join(&la).join(year).join(name);
            assert_eq!(
                std::fs::read(&p1).unwrap(),
                std::fs::read(&p2).unwrap(),
                "{name}"
            );
        }
    }
    // Exact SSDA903 headers.
    let head =
        std::fs::read_to_string(d1.path().join(&la).join("2025").join("episodes.csv")).unwrap();
    assert!(head.starts_with(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    ));
    let head =
        std::fs::read_to_string(d1.path().join(&la).join("2025").join("header.csv")).unwrap();
    assert!(head.starts_with("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"));
}

#[test]
fn every_year_obeys_the_chain_and_review_rules() {
    let data = generate(&small());
    for a in &data.authorities {
        let v = check_years(&a.years);
        assert!(
            v.is_empty(),
            "{}: {:#?}",
            a.spec.code,
            &v[..v.len().min(20)]
        );
    }
}

#[test]
fn sample_authorities_with_real_postcodes_obey_the_rules() {
    let mut cfg = Config::sample();
    for a in &mut cfg.authorities {
        a.target_cla = 70;
    }
    cfg.seed = 5;
    assert_eq!(cfg.postcodes, Postcodes::Real);
    let data = generate(&cfg);
    let known: BTreeSet<&str> = iro_testkit::geo::real_postcodes()
        .iter()
        .map(|p| p.postcode.as_str())
        .collect();
    for a in &data.authorities {
        let v = check_years(&a.years);
        assert!(
            v.is_empty(),
            "{}: {:#?}",
            a.spec.code,
            &v[..v.len().min(20)]
        );
        for y in &a.years {
            for e in &y.episodes {
                for pc in [&e.home_post, &e.pl_post].into_iter().flatten() {
                    assert!(known.contains(pc.as_str()), "{pc} not a bundled postcode");
                }
            }
        }
    }
}

#[test]
fn open_episode_on_1_april_continues_last_years_open_episode() {
    let data = generate(&small());
    for a in &data.authorities {
        for w in a.years.windows(2) {
            let (prev, cur) = (&w[0], &w[1]);
            let open: BTreeMap<&str, &EpisodeRow> = prev
                .episodes
                .iter()
                .filter(|e| e.dec.is_none())
                .map(|e| (e.child.as_str(), e))
                .collect();
            assert!(!open.is_empty());
            for (child, o) in &open {
                let first = cur
                    .episodes
                    .iter()
                    .filter(|e| e.child == *child)
                    .min_by_key(|e| e.decom)
                    .expect("an episode open on 31 March is in next year's file");
                assert_eq!(first.decom, o.decom, "rule 502 for {child}");
                assert_eq!(
                    (
                        first.rne,
                        first.ls,
                        first.cin,
                        first.place,
                        first.place_provider
                    ),
                    (o.rne, o.ls, o.cin, o.place, o.place_provider),
                    "rule 503 for {child}"
                );
                assert_eq!((&first.urn, &first.pl_post), (&o.urn, &o.pl_post));
            }
        }
    }
}

#[test]
fn sex_is_coded_by_year() {
    let data = generate(&small());
    for y in &data.authorities[0].years {
        let codes: BTreeSet<&str> = y.header.iter().map(|h| h.sex).collect();
        if y.year <= 2024 {
            assert!(codes.is_subset(&["1", "2"].into()), "{}: {codes:?}", y.year);
        } else {
            assert!(codes.is_subset(&["M", "F"].into()), "{}: {codes:?}", y.year);
        }
        for u in &y.uasc {
            let h = y.header.iter().find(|h| h.child == u.child).unwrap();
            assert_eq!(u.sex, h.sex);
        }
        assert_eq!(y.sw_episodes.is_some(), y.year >= 2024);
    }
}

/// Rebuilds each period of care from the episodes of all years and checks review timing:
/// first review within 20 working days, second within 3 months, then 6-monthly.
#[test]
fn review_timeliness_is_mostly_on_time_with_some_late() {
    let data = generate(&Config::small(3, 120, 2021, 2025, 11));
    let (mut on_time, mut late, mut week_late, mut pn0, mut older) = (0, 0, 0, 0, 0);
    for a in &data.authorities {
        // child -> episodes (deduplicated by DECOM, latest version wins)
        let mut eps: BTreeMap<&str, BTreeMap<NaiveDate, &EpisodeRow>> = BTreeMap::new();
        let mut reviews: BTreeMap<&str, BTreeSet<NaiveDate>> = BTreeMap::new();
        for y in &a.years {
            for e in &y.episodes {
                eps.entry(&e.child).or_default().insert(e.decom, e);
            }
            for r in &y.reviews {
                reviews.entry(&r.child).or_default().insert(r.review);
                let age = age_on(r.dob, r.review);
                if r.review_code == "PN0" {
                    assert!(age < 4);
                    pn0 += 1;
                } else {
                    assert!(age >= 4);
                    older += 1;
                }
            }
        }
        let first_year_start = NaiveDate::from_ymd_opt(2020, 4, 1).unwrap();
        for (child, list) in &eps {
            let Some(revs) = reviews.get(child) else {
                continue;
            };
            // Periods of care: from an S episode to the next S.
            let starts: Vec<NaiveDate> = list
                .values()
                .filter(|e| e.rne == "S" && e.decom >= first_year_start)
                .map(|e| e.decom)
                .collect();
            for (i, &s) in starts.iter().enumerate() {
                let next = starts.get(i + 1).copied().unwrap_or(NaiveDate::MAX);
                let rs: Vec<NaiveDate> = revs
                    .iter()
                    .copied()
                    .filter(|d| *d > s && *d < next)
                    .collect();
                let mut due = add_working_days(s, 20);
                for (n, r) in rs.iter().enumerate() {
                    if *r <= due {
                        on_time += 1;
                    } else {
                        late += 1;
                        if (*r - due).num_days() >= 7 {
                            week_late += 1;
                        }
                    }
                    due = add_months(*r, if n == 0 { 3 } else { 6 });
                }
            }
        }
    }
    let total = on_time + late;
    let share = on_time as f64 / total as f64;
    assert!(total > 500, "{total} reviews checked");
    assert!((0.8..=0.95).contains(&share), "on time {share:.3}");
    assert!(week_late > 0);
    assert!(pn0 > 0 && older > pn0);
}

#[test]
fn bundled_sample_is_near_the_published_sizes() {
    let data = generate(&Config::sample());
    for a in &data.authorities {
        let profile = iro_testkit::calibration::profile(a.spec.code).expect("sample profile");
        assert_eq!(a.spec.target_cla, profile.cla[4]);
        assert_eq!(a.years.len(), 5);
        for y in &a.years {
            let c = y.counts();
            let i = LaProfile::index(y.year);
            // The published number looked after at 31 March, year by year.
            let target = f64::from(profile.cla[i]);
            let cla = c.cla_31_march as f64;
            assert!(
                (cla - target).abs() <= 0.05 * target,
                "{} {}: {} looked after at 31 March vs {}",
                a.spec.code,
                y.year,
                c.cla_31_march,
                target
            );
            // Starts and ceases near the published numbers.
            for (n, published) in [(c.starts, profile.starts[i]), (c.ceases, profile.ceases[i])] {
                let r = n as f64 / f64::from(published);
                assert!(
                    (0.7..=1.35).contains(&r),
                    "{} {}: {n} vs {published}",
                    a.spec.code,
                    y.year
                );
            }
            // UASC are a few per cent of children looked after.
            let uasc: BTreeSet<&str> = y.uasc.iter().map(|u| u.child.as_str()).collect();
            let open_uasc = y
                .episodes
                .iter()
                .filter(|e| e.dec.is_none() && uasc.contains(e.child.as_str()))
                .count() as f64;
            assert!(open_uasc / cla < 0.15, "UASC share {}", open_uasc / cla);
            // Short-break children are there, without reviews.
            let sb: BTreeSet<&str> = y
                .episodes
                .iter()
                .filter(|e| matches!(e.ls, "V3" | "V4"))
                .map(|e| e.child.as_str())
                .collect();
            assert!(!sb.is_empty());
            assert!(y.reviews.iter().all(|r| !sb.contains(r.child.as_str())));
            assert!(!y.missing.is_empty() && !y.oc2.is_empty() && !y.prevperm.is_empty());
            // Placements more than 20 miles away: a realistic minority.
            let far = y
                .episodes
                .iter()
                .filter(|e| e.dec.is_none() && e.home_post.is_some())
                .filter_map(distance)
                .collect::<Vec<f64>>();
            let share_far = far.iter().filter(|d| **d > 20.0).count() as f64 / far.len() as f64;
            assert!(
                (0.12..=0.5).contains(&share_far),
                "far share {share_far:.2}"
            );
        }
    }
}

fn distance(e: &EpisodeRow) -> Option<f64> {
    let all = iro_testkit::geo::real_postcodes();
    let h = all
        .iter()
        .find(|p| Some(&p.postcode) == e.home_post.as_ref())?;
    let p = all
        .iter()
        .find(|p| Some(&p.postcode) == e.pl_post.as_ref())?;
    Some(iro_testkit::geo::distance_miles(h, p))
}

#[test]
fn national_config_covers_england() {
    let cfg = Config::national(1);
    assert_eq!(cfg.authorities.len(), 153);
    let total: u32 = cfg.authorities.iter().map(|a| a.target_cla).sum();
    assert!((79_500..=80_500).contains(&total), "{total}");
    let codes: BTreeSet<u16> = cfg.authorities.iter().map(|a| a.code).collect();
    assert_eq!(codes.len(), 153);
    assert!(codes.contains(&800) && codes.contains(&887) && !codes.contains(&909));
    // One small authority from it generates quickly and validly.
    let one = iro_testkit::generate_authority(
        &Config {
            authorities: vec![iro_testkit::AuthoritySpec {
                target_cla: 60,
                ..cfg.authorities[10].clone()
            }],
            ..cfg
        },
        0,
    );
    assert!(check_years(&one.years).is_empty());
}

/// Placements of each child during the year, counted as the DfE indicators are (spec §8.3):
/// 1 for the placement open on 1 April or the first placement of each period of care
/// starting in the year, then 1 for each change of placement (RNE P, B, T, U) except
/// temporary placements (T0–T4), the return from one to the same placement, and a move into
/// A3/A5 with the same carer. Returns (children looked after at 31 March, of them with 3 or
/// more placements, changes of placement of all children during the year).
fn placement_counts(ret: &YearReturn) -> (usize, usize, usize) {
    let mut by_child: BTreeMap<&str, Vec<&EpisodeRow>> = BTreeMap::new();
    for e in &ret.episodes {
        if !matches!(e.ls, "V3" | "V4") {
            by_child.entry(e.child.as_str()).or_default().push(e);
        }
    }
    let temporary = |p: &str| p.starts_with('T');
    let (mut cla, mut three, mut moves) = (0, 0, 0);
    for eps in by_child.values_mut() {
        eps.sort_by_key(|e| e.decom);
        let mut n = 0;
        let mut before_temp: Option<&EpisodeRow> = None;
        for (k, e) in eps.iter().enumerate() {
            let prev = k.checked_sub(1).map(|j| eps[j]);
            if k == 0 || e.rne == "S" {
                n += 1;
                continue;
            }
            if temporary(e.place) {
                if !prev.is_some_and(|p| temporary(p.place)) {
                    before_temp = prev;
                }
                continue;
            }
            let returning = prev.is_some_and(|p| temporary(p.place))
                && before_temp.is_some_and(|b| b.place == e.place && b.pl_post == e.pl_post);
            let adoption_same_carer = matches!(e.rne, "T" | "U") && matches!(e.place, "A3" | "A5");
            if matches!(e.rne, "P" | "B" | "T" | "U") && !returning && !adoption_same_carer {
                n += 1;
                moves += 1;
            }
        }
        if eps.iter().any(|e| e.dec.is_none()) {
            cla += 1;
            if n >= 3 {
                three += 1;
            }
        }
    }
    (cla, three, moves)
}

/// The sample's placement stability and placement mix sit near each authority's published
/// figures (2023–2025 pooled; the calibration profile holds them, from DfE statistics).
#[test]
fn sample_placement_stability_is_near_the_published_figures() {
    let data = generate(&Config::sample());
    for a in &data.authorities {
        let profile = iro_testkit::calibration::profile(a.spec.code).unwrap();
        let (mut cla, mut three, mut moves, mut p1, mut foster) = (0, 0, 0, 0, 0);
        let (mut pub_three, mut pub_moves) = (0.0, 0.0);
        for y in a.years.iter().filter(|y| y.year >= 2023) {
            let (c, t, m) = placement_counts(y);
            cla += c;
            three += t;
            moves += m;
            let i = LaProfile::index(y.year);
            pub_three += f64::from(profile.three_plus_pct[i]) * f64::from(profile.cla[i]) / 100.0;
            pub_moves += f64::from(profile.moves[i]);
            for e in y.episodes.iter().filter(|e| e.dec.is_none()) {
                if e.place == "P1" {
                    p1 += 1;
                }
                if e.place.starts_with('U') {
                    foster += 1;
                }
            }
        }
        let pct = |n: usize| 100.0 * n as f64 / cla as f64;
        let pub_pct = 100.0 * pub_three / f64::from(profile.cla[2..].iter().sum::<u32>());
        assert!(
            (pct(three) - pub_pct).abs() <= 5.0,
            "{}: 3+ placements {:.1}% vs published {pub_pct:.1}%",
            a.spec.code,
            pct(three)
        );
        let r = moves as f64 / pub_moves;
        assert!(
            (0.7..=1.4).contains(&r),
            "{}: {moves} moves vs published {pub_moves}",
            a.spec.code
        );
        assert!(
            (3.0..=12.0).contains(&pct(p1)),
            "{}: P1 {:.1}%",
            a.spec.code,
            pct(p1)
        );
        assert!(
            (60.0..=82.0).contains(&pct(foster)),
            "{}: foster {:.1}%",
            a.spec.code,
            pct(foster)
        );
    }
}
