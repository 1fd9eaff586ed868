//! Compare iro-stats with the independent SciPy (`generate.py`) and base-R
//! (`generate.R`) reference values committed in `tests/reference/`.
//!
//! Tolerance: 1e-6 absolute for every rate, proportion, limit, z, φ̂ and τ̂²,
//! relaxed to 1e-9 relative for values above 1,000 (the R files carry 15
//! significant digits).

use std::collections::HashMap;
use std::path::PathBuf;

use iro_stats::*;

type Row = HashMap<String, String>;

fn load(name: &str) -> Vec<Row> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "reference", name]
        .iter()
        .collect();
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn f(row: &Row, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {:?}", row[col]))
}

fn u(row: &Row, col: &str) -> u64 {
    // R writes large whole numbers like 1.2e+07.
    let v = f(row, col);
    assert!(v >= 0.0 && v.fract() == 0.0, "{col}: {v}");
    v as u64
}

/// Tracks the worst deviation and fails the test if any exceeds tolerance.
#[derive(Default)]
struct Check {
    worst_abs: f64,
    n: usize,
    failures: Vec<String>,
}

impl Check {
    fn cmp(&mut self, what: &str, got: f64, want: f64) {
        self.n += 1;
        let d = (got - want).abs();
        let tol = if want.abs() > 1000.0 {
            1e-9 * want.abs()
        } else {
            1e-6
        };
        if want.abs() <= 1000.0 && d > self.worst_abs {
            self.worst_abs = d;
        }
        if d.is_nan() || d > tol {
            self.failures.push(format!(
                "{what}: got {got:.12}, want {want:.12}, diff {d:.3e}"
            ));
        }
    }

    fn finish(self, name: &str) {
        println!(
            "{name}: {} comparisons, worst absolute difference {:.3e}",
            self.n, self.worst_abs
        );
        assert!(
            self.failures.is_empty(),
            "{name}: {} failures:\n{}",
            self.failures.len(),
            self.failures[..self.failures.len().min(30)].join("\n")
        );
    }
}

#[test]
fn rate_confidence_intervals() {
    for file in ["rate_ci.csv", "r_rate_ci.csv"] {
        let mut c = Check::default();
        for row in load(file) {
            let (o, pop, lv) = (u(&row, "observed"), f(&row, "population"), f(&row, "level"));
            let e = rate_per_10k(o, pop, lv, RateCiMethod::Exact).unwrap();
            let b = rate_per_10k(o, pop, lv, RateCiMethod::Byar).unwrap();
            let k = format!("O={o} pop={pop} L={lv}");
            if row.contains_key("rate") {
                c.cmp(&format!("{k} rate"), e.value, f(&row, "rate"));
            }
            c.cmp(&format!("{k} exact lower"), e.lower, f(&row, "exact_lower"));
            c.cmp(&format!("{k} exact upper"), e.upper, f(&row, "exact_upper"));
            c.cmp(&format!("{k} byar lower"), b.lower, f(&row, "byar_lower"));
            c.cmp(&format!("{k} byar upper"), b.upper, f(&row, "byar_upper"));
        }
        c.finish(file);
    }
}

#[test]
fn proportion_confidence_intervals() {
    for file in ["proportion_ci.csv", "r_proportion_ci.csv"] {
        let mut c = Check::default();
        for row in load(file) {
            let (x, n, lv) = (u(&row, "observed"), u(&row, "n"), f(&row, "level"));
            let w = proportion(x, n, lv, ProportionCiMethod::Wilson).unwrap();
            let e = proportion(x, n, lv, ProportionCiMethod::Exact).unwrap();
            let k = format!("x={x} n={n} L={lv}");
            c.cmp(
                &format!("{k} wilson lower"),
                w.lower,
                f(&row, "wilson_lower"),
            );
            c.cmp(
                &format!("{k} wilson upper"),
                w.upper,
                f(&row, "wilson_upper"),
            );
            c.cmp(&format!("{k} exact lower"), e.lower, f(&row, "exact_lower"));
            c.cmp(&format!("{k} exact upper"), e.upper, f(&row, "exact_upper"));
        }
        c.finish(file);
    }
}

#[test]
fn rate_control_limits() {
    for file in ["rate_limits.csv", "r_rate_limits.csv"] {
        let mut c = Check::default();
        for row in load(file) {
            let (t, pop, lv) = (f(&row, "target"), f(&row, "population"), f(&row, "level"));
            let k = format!("theta={t} pop={pop} L={lv}");
            let e = rate_limits(t, pop, lv, LimitMethod::Exact).unwrap();
            c.cmp(&format!("{k} exact lower"), e.lower, f(&row, "exact_lower"));
            c.cmp(&format!("{k} exact upper"), e.upper, f(&row, "exact_upper"));
            if row.contains_key("normal_lower") {
                let n = rate_limits(t, pop, lv, LimitMethod::Normal).unwrap();
                c.cmp(
                    &format!("{k} normal lower"),
                    n.lower,
                    f(&row, "normal_lower"),
                );
                c.cmp(
                    &format!("{k} normal upper"),
                    n.upper,
                    f(&row, "normal_upper"),
                );
            }
        }
        c.finish(file);
    }
}

#[test]
fn proportion_control_limits() {
    for file in ["proportion_limits.csv", "r_proportion_limits.csv"] {
        let mut c = Check::default();
        for row in load(file) {
            let (t, n, lv) = (f(&row, "target"), u(&row, "n"), f(&row, "level"));
            let k = format!("theta={t} n={n} L={lv}");
            let e = proportion_limits(t, n, lv, LimitMethod::Exact).unwrap();
            c.cmp(&format!("{k} exact lower"), e.lower, f(&row, "exact_lower"));
            c.cmp(&format!("{k} exact upper"), e.upper, f(&row, "exact_upper"));
            if row.contains_key("normal_lower") {
                let m = proportion_limits(t, n, lv, LimitMethod::Normal).unwrap();
                c.cmp(
                    &format!("{k} normal lower"),
                    m.lower,
                    f(&row, "normal_lower"),
                );
                c.cmp(
                    &format!("{k} normal upper"),
                    m.upper,
                    f(&row, "normal_upper"),
                );
            }
        }
        c.finish(file);
    }
}

/// The datasets in funnel_units.csv, as (name, indicator, target, units).
fn datasets() -> Vec<(String, Indicator, f64, Vec<Unit>)> {
    let mut out: Vec<(String, Indicator, f64, Vec<Unit>)> = Vec::new();
    for row in load("funnel_units.csv") {
        let name = row["dataset"].clone();
        let unit = Unit::new(
            row["id"].clone(),
            u(&row, "observed"),
            u(&row, "denominator"),
        );
        match out.last_mut() {
            Some(last) if last.0 == name => last.3.push(unit),
            _ => {
                let ind = match row["indicator"].as_str() {
                    "rate" => Indicator::RatePer10k,
                    "proportion" => Indicator::Proportion,
                    other => panic!("indicator {other}"),
                };
                out.push((name, ind, f(&row, "target"), vec![unit]));
            }
        }
    }
    out
}

const LEVELS: [f64; 4] = [0.8, 0.95, 0.998, 0.9999];

fn funnel_for(ind: Indicator, target: f64, units: &[Unit], adj: Adjustment) -> Funnel {
    FunnelSpec::new(ind, Target::new(target, TargetSource::England))
        .levels(LEVELS)
        .adjustment(adj)
        .compute(units)
        .unwrap()
}

#[test]
fn funnel_over_dispersion_summary() {
    let sets = datasets();
    for file in ["funnel_summary.csv", "r_funnel_summary.csv"] {
        let mut c = Check::default();
        for row in load(file) {
            let (name, ind, target, units) = sets
                .iter()
                .find(|d| d.0 == row["dataset"])
                .expect("dataset");
            let fun = funnel_for(*ind, *target, units, Adjustment::RandomEffects);
            let od = fun.over_dispersion.expect("od");
            assert_eq!(od.units as u64, u(&row, "units"), "{name}");
            assert_eq!(od.overdispersed, row["overdispersed"] == "1", "{name}");
            c.cmp(&format!("{name} phi"), od.phi, f(&row, "phi"));
            c.cmp(&format!("{name} tau2"), od.tau2, f(&row, "tau2"));
            c.cmp(&format!("{name} z_lower"), od.z_lower, f(&row, "z_lower"));
            c.cmp(&format!("{name} z_upper"), od.z_upper, f(&row, "z_upper"));
            println!("{name}: {od}");
        }
        c.finish(file);
    }
}

#[test]
fn funnel_units_against_python() {
    let sets = datasets();
    let expected = load("funnel_expected.csv");
    let mut c = Check::default();
    let mut positions = 0usize;
    for (name, ind, target, units) in &sets {
        let re = funnel_for(*ind, *target, units, Adjustment::RandomEffects);
        let mu = funnel_for(*ind, *target, units, Adjustment::Multiplicative);
        for row in expected.iter().filter(|r| &r["dataset"] == name) {
            let id = &row["id"];
            let lv = f(row, "level");
            let k = LEVELS.iter().position(|&l| l == lv).expect("level");
            let ur = re.unit(id).expect("unit");
            let um = mu.unit(id).expect("unit");
            let key = format!("{name} {id} L={lv}");
            c.cmp(&format!("{key} value"), ur.value, f(row, "value"));
            c.cmp(&format!("{key} z"), ur.z, f(row, "z"));
            c.cmp(
                &format!("{key} z_adjusted"),
                ur.z_adjusted,
                f(row, "z_adjusted"),
            );
            let b = ur.bands[k];
            assert_eq!(b.level, lv);
            c.cmp(
                &format!("{key} exact lower"),
                b.unadjusted.lower,
                f(row, "exact_lower"),
            );
            c.cmp(
                &format!("{key} exact upper"),
                b.unadjusted.upper,
                f(row, "exact_upper"),
            );
            c.cmp(
                &format!("{key} re lower"),
                b.adjusted.lower,
                f(row, "re_lower"),
            );
            c.cmp(
                &format!("{key} re upper"),
                b.adjusted.upper,
                f(row, "re_upper"),
            );
            let m = um.bands[k];
            c.cmp(
                &format!("{key} mult lower"),
                m.adjusted.lower,
                f(row, "mult_lower"),
            );
            c.cmp(
                &format!("{key} mult upper"),
                m.adjusted.upper,
                f(row, "mult_upper"),
            );
            // Positions follow from value and limits.
            let want = if ur.value < f(row, "re_lower") {
                Position::Below
            } else if ur.value > f(row, "re_upper") {
                Position::Above
            } else {
                Position::Within
            };
            assert_eq!(b.adjusted.position, want, "{key}");
            positions += 1;
        }
    }
    assert_eq!(positions, expected.len());
    c.finish("funnel_expected.csv");
}

#[test]
fn funnel_grid_against_python() {
    let sets = datasets();
    let expected = load("funnel_grid.csv");
    let mut c = Check::default();
    for (name, ind, target, units) in &sets {
        let fun = funnel_for(*ind, *target, units, Adjustment::RandomEffects);
        let rows: Vec<&Row> = expected.iter().filter(|r| &r["dataset"] == name).collect();
        assert_eq!(rows.len(), fun.grid.len() * LEVELS.len(), "{name}");
        for row in rows {
            let k = u(row, "k") as usize;
            let lv = f(row, "level");
            let li = LEVELS.iter().position(|&l| l == lv).expect("level");
            let key = format!("{name} k={k} L={lv}");
            c.cmp(
                &format!("{key} precision"),
                fun.grid[k],
                f(row, "precision"),
            );
            let cv = &fun.curves[li];
            c.cmp(
                &format!("{key} exact lower"),
                cv.lower[k],
                f(row, "exact_lower"),
            );
            c.cmp(
                &format!("{key} exact upper"),
                cv.upper[k],
                f(row, "exact_upper"),
            );
            c.cmp(
                &format!("{key} re lower"),
                cv.adjusted_lower[k],
                f(row, "re_lower"),
            );
            c.cmp(
                &format!("{key} re upper"),
                cv.adjusted_upper[k],
                f(row, "re_upper"),
            );
        }
    }
    c.finish("funnel_grid.csv");
}
