"""Independent oracle for the England funnels of 2025 (SciPy), from the bundled
reference data: children looked after per 10,000 (Poisson) and 3+ placements in
the year (binomial), every authority with a published count and denominator,
centred on England's published figure.

Written from the published formulas (Spiegelhalter 2005, App. A.1.1, for the
interpolated exact limits; FunnelPlotR's square-root and arcsine z-scores,
type-7 winsorisation at the 10th/90th percentiles, DerSimonian-Laird tau^2 and
random-effects limits), not from the Rust code.

    python3 plugins/regional-benchmarking/tests/reference/generate.py

writes funnels_2025.csv beside this file.
"""
import csv
import math
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "..", "..", "..", "data", "reference")
LEVELS = [0.95, 0.998]


def units_cla():
    out, england = [], None
    with open(os.path.join(REF, "cla_published.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["year"] != "2025" or r["measure"] != "cla_31_march":
                continue
            if not (r["count"].isdigit() and r["population_used"].isdigit()):
                continue
            o, n = int(r["count"]), int(r["population_used"])
            if r["geography_level"] == "national":
                england = o / n * 10000
            elif r["geography_level"] == "local_authority":
                out.append((r["la_code"], o, n))
    return out, england


def units_p3():
    out, england = [], None
    with open(os.path.join(REF, "stability_published.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["year"] != "2025" or r["indicator"] != "placements_3plus_in_year":
                continue
            if not (r["numerator"].isdigit() and r["denominator"].isdigit()):
                continue
            o, n = int(r["numerator"]), int(r["denominator"])
            if n == 0 or o > n:
                continue
            if r["geography_level"] == "national":
                england = o / n
            elif r["geography_level"] == "local_authority":
                out.append((r["la_code"], o, n))
    return out, england


def interpolated(dist, p):
    """Spiegelhalter's interpolated quantile r_p - alpha of a discrete dist."""
    r = dist.ppf(p)
    # ppf can be one off at the boundary: smallest r with cdf >= p.
    while r > 0 and dist.cdf(r - 1) >= p:
        r -= 1
    while dist.cdf(r) < p:
        r += 1
    F, Fm = dist.cdf(r), (dist.cdf(r - 1) if r > 0 else 0.0)
    return r - (F - p) / (F - Fm)


def funnel(units, theta, rate):
    # z-scores and over-dispersion
    if rate:
        E = np.array([theta * n / 10000 for _, _, n in units])
        O = np.array([o for _, o, _ in units], dtype=float)
        z = 2 * (np.sqrt(O) - np.sqrt(E))
        s = 1 / (2 * np.sqrt(E))
    else:
        n = np.array([n for _, _, n in units], dtype=float)
        y = np.arcsin(np.sqrt(np.array([o for _, o, _ in units]) / n))
        t0 = math.asin(math.sqrt(theta))
        s = 1 / (2 * np.sqrt(n))
        z = (y - t0) / s
    lo, hi = np.quantile(z, [0.1, 0.9])  # type 7 is NumPy's default
    zw = np.clip(z, lo, hi)
    I = len(units)
    phi = float(np.mean(zw ** 2))
    w = 1 / s ** 2
    tau2 = max(0.0, (I * phi - (I - 1)) / (w.sum() - (w ** 2).sum() / w.sum())) if I * phi > I - 1 else 0.0
    rows = []
    for k, (la, o, n) in enumerate(units):
        rec = {"la": la, "phi": phi, "tau2": tau2, "z": z[k]}
        sd = math.sqrt(s[k] ** 2 + tau2)
        rec["z_adjusted"] = z[k] * s[k] / sd if tau2 > 0 else z[k]
        for L in LEVELS:
            a = (1 - L) / 2
            zq = stats.norm.ppf(1 - a)
            if rate:
                rho = n / 10000
                d = stats.poisson(theta * rho)
                lower = max(0.0, interpolated(d, a)) / rho
                upper = interpolated(d, 1 - a) / rho
                lower, upper = min(lower, theta), max(upper, theta)
                alo = theta * max(0.0, 1 - zq * sd) ** 2
                ahi = theta * (1 + zq * sd) ** 2
            else:
                d = stats.binom(n, theta)
                lower = max(0.0, interpolated(d, a)) / n
                upper = interpolated(d, 1 - a) / n
                lower, upper = min(lower, theta), min(max(upper, theta), 1.0)
                t0 = math.asin(math.sqrt(theta))
                alo = math.sin(min(max(t0 - zq * sd, 0), math.pi / 2)) ** 2
                ahi = math.sin(min(max(t0 + zq * sd, 0), math.pi / 2)) ** 2
            if tau2 == 0:
                alo, ahi = lower, upper
            scale = 1 if rate else 100
            tag = f"{L * 100:g}"
            rec[f"lower_{tag}"] = lower * scale
            rec[f"upper_{tag}"] = upper * scale
            rec[f"adj_lower_{tag}"] = alo * scale
            rec[f"adj_upper_{tag}"] = ahi * scale
        rows.append(rec)
    return rows


def main():
    out = []
    for name, (units, theta), rate in [
        ("cla-rate", units_cla(), True),
        ("three-plus-placements", units_p3(), False),
    ]:
        for rec in funnel(units, theta, rate):
            rec["indicator"] = name
            out.append(rec)
    cols = ["indicator", "la", "phi", "tau2", "z", "z_adjusted"]
    for L in LEVELS:
        tag = f"{L * 100:g}"
        cols += [f"lower_{tag}", f"upper_{tag}", f"adj_lower_{tag}", f"adj_upper_{tag}"]
    with open(os.path.join(HERE, "funnels_2025.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for rec in out:
            w.writerow([rec[c] if isinstance(rec[c], str) else f"{rec[c]:.12g}" for c in cols])


if __name__ == "__main__":
    main()
