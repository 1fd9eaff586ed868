#!/usr/bin/env python3
"""Independent reference values for iro-stats, computed with SciPy.

Kept in the repository, not run in CI. Regenerate the fixtures with

    pip install scipy numpy
    python3 crates/iro-stats/tests/reference/generate.py

and commit the CSV files it writes next to itself. `generate.R` (base R only)
recomputes the same quantities a second way; tests/reference.rs checks the
Rust crate against both to 1e-6.

Everything here is written from the published formulas, not from the Rust code:

* exact Poisson (Garwood) intervals through the chi-square quantile function,
  chi2.ppf(a, 2O)/2 and chi2.isf(a, 2O + 2)/2;
* Byar's approximation (as in PHEindicatormethods);
* Wilson score and Clopper-Pearson (beta.ppf / beta.isf) intervals;
* Spiegelhalter (2005) App. A.1.1 interpolated exact limits, with r_p from
  scipy's ppf checked against the definition (smallest r with P(R <= r) >= p)
  and alpha from cdf/sf/pmf;
* the over-dispersion steps of NHS-R FunnelPlotR (transformed z-scores,
  winsorisation at type-7 percentiles, phi, DerSimonian-Laird tau^2,
  back-transformed random-effects limits), with the target supplied
  externally instead of pooled.

Clamping conventions match METHODS.md: exact and normal lower limits are
floored at 0 and capped at the target; upper limits are at least the target
and, for proportions, at most 1.
"""

import csv
import math
import os

import numpy as np
from scipy.stats import beta, binom, chi2, norm, poisson

HERE = os.path.dirname(os.path.abspath(__file__))
PER_10K = 10_000.0
LEVELS = [0.8, 0.95, 0.998, 0.9999]


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([fmt(x) for x in r])


def fmt(x):
    if isinstance(x, float):
        return repr(float(x))
    if isinstance(x, (np.floating,)):
        return repr(float(x))
    if isinstance(x, (np.integer,)):
        return str(int(x))
    return str(x)


# ---------------------------------------------------------------- intervals


def garwood(o, level):
    a = (1 - level) / 2
    lo = 0.0 if o == 0 else chi2.ppf(a, 2 * o) / 2
    hi = chi2.isf(a, 2 * o + 2) / 2
    return lo, hi


def byar(o, level):
    z = norm.isf((1 - level) / 2)
    if o == 0:
        lo = 0.0
    else:
        lo = max(0.0, o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3)
    o1 = o + 1
    hi = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3
    return lo, hi


def wilson(x, n, level):
    z = norm.isf((1 - level) / 2)
    p = x / n
    centre = 2 * x + z * z
    half = z * math.sqrt(z * z + 4 * x * (1 - p))
    den = 2 * (n + z * z)
    return min(max((centre - half) / den, 0.0), p), max(min((centre + half) / den, 1.0), p)


def clopper_pearson(x, n, level):
    a = (1 - level) / 2
    lo = 0.0 if x == 0 else beta.ppf(a, x, n - x + 1)
    hi = 1.0 if x == n else beta.isf(a, x + 1, n - x)
    return lo, hi


def rate_ci_rows():
    rows = []
    for o in [0, 1, 2, 5, 17, 100, 1234, 83_840, 84_000]:
        for pop in [500, 2_300, 45_000, 350_000, 12_000_000]:
            for lv in LEVELS:
                s = PER_10K / pop
                el, eh = garwood(o, lv)
                bl, bh = byar(o, lv)
                rows.append([o, pop, lv, o * s, el * s, eh * s, bl * s, bh * s])
    return rows


def proportion_ci_rows():
    pairs = [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (0, 250), (57, 250),
             (250, 250), (1, 5000), (2400, 5000), (38_000, 83_000), (0, 83_000),
             (83_000, 83_000), (41_500, 83_000)]
    rows = []
    for x, n in pairs:
        for lv in LEVELS:
            wl, wh = wilson(x, n, lv)
            cl, ch = clopper_pearson(x, n, lv)
            rows.append([x, n, lv, x / n, wl, wh, cl, ch])
    return rows


# ---------------------------------------------------------------- exact limits


def discrete_quantile(dist, p):
    """Smallest r >= 0 with P(R <= r) >= p, decided on the smaller tail."""
    q = 1 - p
    r = int(max(0, dist.ppf(p)))

    def reached(k):
        if k < 0:
            return False
        return dist.cdf(k) >= p if p <= 0.5 else dist.sf(k) <= q

    while reached(r - 1):
        r -= 1
    while not reached(r):
        r += 1
    return r


def interpolated(dist, p):
    q = 1 - p
    r = discrete_quantile(dist, p)
    pmf = dist.pmf(r)
    if p <= 0.5:
        alpha = (dist.cdf(r) - p) / pmf
    else:
        alpha = (q - dist.sf(r)) / pmf
    alpha = min(max(alpha, 0.0), 1.0)
    return r - alpha


def exact_rate_limits(theta, pop, level):
    a = (1 - level) / 2
    rho = pop / PER_10K
    d = poisson(theta * rho)
    lo = interpolated(d, a) / rho
    hi = interpolated(d, 1 - a) / rho
    return min(max(lo, 0.0), theta), max(hi, theta)


def normal_rate_limits(theta, pop, level):
    z = norm.isf((1 - level) / 2)
    se = math.sqrt(theta * PER_10K / pop)
    return min(max(theta - z * se, 0.0), theta), theta + z * se


def exact_prop_limits(theta, n, level):
    a = (1 - level) / 2
    d = binom(n, theta)
    lo = interpolated(d, a) / n
    hi = interpolated(d, 1 - a) / n
    return min(max(lo, 0.0), theta), min(max(hi, theta), 1.0)


def normal_prop_limits(theta, n, level):
    z = norm.isf((1 - level) / 2)
    se = math.sqrt(theta * (1 - theta) / n)
    return min(max(theta - z * se, 0.0), theta), min(max(theta + z * se, theta), 1.0)


def rate_limit_rows():
    rows = []
    for theta in [0.5, 27.0, 70.0, 184.0, 5000.0]:
        for pop in [1, 10, 500, 2_300, 45_000, 350_000, 12_000_000]:
            for lv in LEVELS:
                el, eh = exact_rate_limits(theta, pop, lv)
                nl, nh = normal_rate_limits(theta, pop, lv)
                rows.append([theta, pop, lv, el, eh, nl, nh])
    return rows


def prop_limit_rows():
    rows = []
    for theta in [0.001, 0.05, 0.3, 0.5, 0.92, 0.999]:
        for n in [1, 2, 7, 50, 250, 1000, 5000, 83_000]:
            for lv in LEVELS:
                el, eh = exact_prop_limits(theta, n, lv)
                nl, nh = normal_prop_limits(theta, n, lv)
                rows.append([theta, n, lv, el, eh, nl, nh])
    return rows


# ---------------------------------------------------------------- funnels


def datasets():
    rng = np.random.default_rng(20250331)
    out = []

    # 152 authorities, child populations 1,500 .. ~350,000, true rates spread
    # around 70 per 10,000 (CV ~0.35, like the 27..184 range of 2025).
    pops = np.clip(np.round(np.exp(rng.normal(math.log(70_000), 0.7, 150))), 1_500, 400_000)
    pops = np.concatenate([pops, [1_500, 400]]).astype(int)
    true = rng.gamma(1 / 0.35**2, 70 * 0.35**2, len(pops))
    obs = rng.poisson(true * pops / PER_10K)
    obs[-1] = 0  # a tiny authority with no children looked after
    out.append(("cla_rates", "rate", 70.0, [(f"LA{i:03d}", int(o), int(p)) for i, (o, p) in enumerate(zip(obs, pops))]))

    # 60 units with pure Poisson variation around the target: no over-dispersion
    # expected. Seed chosen so that I*phi <= I - 1 holds.
    for seed in range(100):
        r2 = np.random.default_rng(seed)
        pops2 = r2.integers(5_000, 200_000, 60)
        obs2 = r2.poisson(55.0 * pops2 / PER_10K)
        z = 2 * (np.sqrt(obs2) - np.sqrt(55.0 * pops2 / PER_10K))
        zw = winsorise(z, 0.1, 0.9)[0]
        if len(z) * np.mean(zw**2) <= len(z) - 1:
            break
    out.append(("poisson_only", "rate", 55.0, [(f"P{i:02d}", int(o), int(p)) for i, (o, p) in enumerate(zip(obs2, pops2))]))

    # Zero counts and tiny populations.
    tiny = [("T0", 0, 400), ("T1", 0, 1_500), ("T2", 1, 1_500), ("T3", 3, 2_000),
            ("T4", 0, 10_000), ("T5", 12, 10_000), ("T6", 70, 10_000), ("T7", 150, 20_000),
            ("T8", 5, 800), ("T9", 400, 60_000)]
    out.append(("tiny_rates", "rate", 70.0, tiny))

    # Proportions: reviews on time out of reviews held, 152 authorities.
    n = np.clip(np.round(np.exp(rng.normal(math.log(600), 0.8, 152))), 20, 6_000).astype(int)
    p_true = rng.beta(0.88 * 60, 0.12 * 60, 152)
    x = rng.binomial(n, p_true)
    out.append(("reviews_on_time", "proportion", 0.88, [(f"LA{i:03d}", int(a), int(b)) for i, (a, b) in enumerate(zip(x, n))]))

    # Small proportions with x = 0 and x = n.
    small = [("S0", 0, 5), ("S1", 5, 5), ("S2", 1, 3), ("S3", 2, 12), ("S4", 9, 12),
             ("S5", 0, 40), ("S6", 40, 40), ("S7", 13, 40), ("S8", 30, 90), ("S9", 70, 200),
             ("S10", 1, 1), ("S11", 0, 1)]
    out.append(("participation_small", "proportion", 0.35, small))
    return out


def type7(sorted_z, p):
    h = (len(sorted_z) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_z) - 1)
    return sorted_z[lo] + (h - lo) * (sorted_z[hi] - sorted_z[lo])


def winsorise(z, lo_p, hi_p):
    s = sorted(z)
    lz, uz = type7(s, lo_p), type7(s, hi_p)
    assert abs(lz - np.quantile(z, lo_p)) < 1e-12 and abs(uz - np.quantile(z, hi_p)) < 1e-12
    return np.clip(z, lz, uz), lz, uz


def transformed(kind, theta, o, d):
    """(Y, t0, s) on the sqrt (rates, CQC) or arcsine-sqrt (proportions) scale."""
    if kind == "rate":
        e = theta * d / PER_10K
        return math.sqrt(o / e), 1.0, 1 / (2 * math.sqrt(e))
    return math.asin(math.sqrt(o / d)), math.asin(math.sqrt(theta)), 1 / (2 * math.sqrt(d))


def back(kind, theta, z, sd):
    if kind == "rate":
        lo = max(0.0, 1 - z * sd)
        hi = 1 + z * sd
        return min(theta * lo * lo, theta), max(theta * hi * hi, theta)
    t0 = math.asin(math.sqrt(theta))
    lo = math.sin(min(max(t0 - z * sd, 0.0), math.pi / 2))
    hi = math.sin(min(max(t0 + z * sd, 0.0), math.pi / 2))
    return min(max(lo * lo, 0.0), theta), min(max(hi * hi, theta), 1.0)


def funnel_rows():
    summary, units_in, expected, grid_rows = [], [], [], []
    for name, kind, theta, units in datasets():
        for uid, o, d in units:
            units_in.append([name, kind, theta, uid, o, d])
        tr = [transformed(kind, theta, o, d) for _, o, d in units]
        z = np.array([(y - t0) / s for y, t0, s in tr])
        s = np.array([t[2] for t in tr])
        zw, lz, uz = winsorise(z, 0.1, 0.9)
        I = len(z)
        phi = float(np.mean(zw**2))
        over = I * phi > I - 1
        w = 1 / s**2
        tau2 = max(0.0, (I * phi - (I - 1)) / (w.sum() - (w**2).sum() / w.sum())) if over else 0.0
        phi_used = max(phi, 1.0) if over else 1.0
        summary.append([name, kind, theta, I, phi, tau2, int(over), lz, uz])
        for (uid, o, d), (y, t0, si) in zip(units, tr):
            value = o / d * (PER_10K if kind == "rate" else 1.0)
            zi = (y - t0) / si
            z_re = (y - t0) / math.sqrt(si**2 + tau2) if over else zi
            for lv in LEVELS:
                zm = norm.isf((1 - lv) / 2)
                if kind == "rate":
                    el, eh = exact_rate_limits(theta, d, lv)
                else:
                    el, eh = exact_prop_limits(theta, d, lv)
                if over:
                    rl, rh = back(kind, theta, zm, math.sqrt(si**2 + tau2))
                    ml, mh = back(kind, theta, zm, math.sqrt(phi_used) * si)
                else:
                    rl, rh, ml, mh = el, eh, el, eh
                expected.append([name, uid, lv, value, zi, z_re, el, eh, rl, rh, ml, mh])
        # Limit curves on 100 log-spaced points between the smallest and
        # largest denominators (whole numbers for proportions).
        ds = [d for _, _, d in units]
        g = np.geomspace(min(ds), max(ds), 100)
        g[0], g[-1] = min(ds), max(ds)
        if kind == "proportion":
            g = np.maximum(np.round(g), 1)
            g = np.array(sorted(set(g.tolist())))
        for k, gd in enumerate(g):
            gd = float(gd)
            sd0 = 1 / (2 * math.sqrt(theta * gd / PER_10K)) if kind == "rate" else 1 / (2 * math.sqrt(gd))
            for lv in LEVELS:
                zm = norm.isf((1 - lv) / 2)
                if kind == "rate":
                    el, eh = exact_rate_limits(theta, gd, lv)
                else:
                    el, eh = exact_prop_limits(theta, int(gd), lv)
                if over:
                    rl, rh = back(kind, theta, zm, math.sqrt(sd0**2 + tau2))
                else:
                    rl, rh = el, eh
                grid_rows.append([name, k, gd, lv, el, eh, rl, rh])
    return summary, units_in, expected, grid_rows


def main():
    write("rate_ci.csv",
          ["observed", "population", "level", "rate", "exact_lower", "exact_upper", "byar_lower", "byar_upper"],
          rate_ci_rows())
    write("proportion_ci.csv",
          ["observed", "n", "level", "value", "wilson_lower", "wilson_upper", "exact_lower", "exact_upper"],
          proportion_ci_rows())
    write("rate_limits.csv",
          ["target", "population", "level", "exact_lower", "exact_upper", "normal_lower", "normal_upper"],
          rate_limit_rows())
    write("proportion_limits.csv",
          ["target", "n", "level", "exact_lower", "exact_upper", "normal_lower", "normal_upper"],
          prop_limit_rows())
    summary, units_in, expected, grid_rows = funnel_rows()
    write("funnel_units.csv", ["dataset", "indicator", "target", "id", "observed", "denominator"], units_in)
    write("funnel_summary.csv",
          ["dataset", "indicator", "target", "units", "phi", "tau2", "overdispersed", "z_lower", "z_upper"],
          summary)
    write("funnel_expected.csv",
          ["dataset", "id", "level", "value", "z", "z_adjusted", "exact_lower", "exact_upper",
           "re_lower", "re_upper", "mult_lower", "mult_upper"],
          expected)
    write("funnel_grid.csv",
          ["dataset", "k", "precision", "level", "exact_lower", "exact_upper", "re_lower", "re_upper"],
          grid_rows)
    for s in summary:
        print(f"{s[0]:22s} I={s[3]:4d} phi={s[4]:.4f} tau2={s[5]:.6g} overdispersed={s[6]}")


if __name__ == "__main__":
    main()
