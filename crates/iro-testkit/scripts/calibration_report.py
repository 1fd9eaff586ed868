#!/usr/bin/env python3
"""Compare generated data with the DfE's published figures for the same authorities.

Maintainer script, not run in CI (standard library only). From the repository root:

    cargo run --release -p iro-testkit -- sample --out data/sample
    printf '[suppression]\\nthreshold = 0\\n' > /tmp/iro-nosupp.toml
    cargo run --release -p iro-cli -- run data/sample --config /tmp/iro-nosupp.toml --out /tmp/o
    python3 crates/iro-testkit/scripts/calibration_report.py data/sample /tmp/o/metrics.csv \\
        --reference /work/shared/reference [--years 2023 2024 2025] [--markdown]

Figures taken from the tool's metrics.csv (run without suppression): CLA at 31 March,
starts, ceases, 3+ placements in the year, 3+ placements over 2 years with its cohort
("CLA 2 years": the tool's cohort is the period of care open at 31 March having begun two
years earlier or more), long-term stability, placement moves in the year, placement mix at
31 March. Computed here from the files: the share of children looked after at 31 March who
were also looked after at the previous 31 March without a new period of care in between
("CLA at both 31 Marches", which is what the DfE's "CLA 2 years on 31 March" cohort appears
to count, see the crate README) and the share placed more than 20 miles from home
(PL_DISTANCE as the DfE computes it from the bundled postcode grid references; not known
when either postcode is blank). Published figures come from the DfE files in `--reference`
(`dfe/cla_number_and_rate_per_10k_children.csv`, `dfe/la_cla_placement_stability.csv`,
`dfe/la_cla_during_year_new_placements.csv`, `la_indicators.csv`).
"""
import argparse
import csv
import math
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
POSTCODES = HERE.parent / "data" / "postcodes.csv"


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def published(ref: Path, las, years):
    """{(la, year): {key: value}} from the DfE files."""
    out = defaultdict(dict)
    las = {str(la) for la in las}
    years = {str(y) for y in years}
    names = {
        "Children looked after on 31 March each year": "cla",
        "Children starting to be looked after each year": "starts",
        "Children ceasing to be looked after each year": "ceases",
    }
    def la_of(r):
        return "England" if r["geographic_level"] == "National" else r["old_la_code"]

    for r in read_csv(ref / "dfe" / "cla_number_and_rate_per_10k_children.csv"):
        if la_of(r) in las and r["time_period"] in years:
            k = names.get(r["population_type"])
            if k:
                out[(la_of(r), r["time_period"])][k] = num(r["children_count"])
    for r in read_csv(ref / "dfe" / "la_cla_placement_stability.csv"):
        if la_of(r) not in las or r["time_period"] not in years:
            continue
        key = (la_of(r), r["time_period"])
        g, s, n = r["cla_group"], r["placement_stability"], num(r["children_count"])
        if g == "CLA on 31 March" and s.startswith("With 3"):
            out[key]["three"] = n
        elif g == "CLA 2 years on 31 March":
            out[key]["three2y" if s.startswith("With 3") else "cla2y"] = n
        elif g.startswith("Children looked after continuously"):
            out[key]["lts" if s.startswith("Living") else "lts_den"] = n
    for r in read_csv(ref / "dfe" / "la_cla_during_year_new_placements.csv"):
        if la_of(r) in las and r["time_period"] in years:
            if r["breakdown"] == "Total placements changing":
                out[(la_of(r), r["time_period"])]["moves"] = num(r["children_count"])
    for r in read_csv(ref / "la_indicators.csv"):
        la = "England" if r["geography_level"] == "National" else r["la_code_old"]
        if la in las and r["year"] in years:
            if r["indicator"] == "placed_more_than_20_miles_from_home":
                out[(la, r["year"])]["far"] = num(r["count"])
    return out


def tool_figures(metrics: Path):
    """{(la, year): {key: value}} from the tool's metrics.csv."""
    out = defaultdict(dict)
    for r in read_csv(metrics):
        key = (r["la_code"], r["year"])
        m, b = r["metric"], r["breakdown"]
        n, d = num(r["numerator"]), num(r["denominator"])
        f = out[key]
        if m == "cohort-summary.cla-31-march" and not b:
            f["cla"] = n
        elif m == "cohort-summary.starts" and not b:
            f["starts"] = n
        elif m == "cohort-summary.ceases" and not b:
            f["ceases"] = n
        elif m == "placement-stability.three-plus-placements":
            f["three"] = n
        elif m == "placement-stability.three-plus-placements-2y":
            f["three2y"], f["cla2y"] = n, d
        elif m == "placement-stability.long-term-stability":
            f["lts"], f["lts_den"] = n, d
        elif m == "placement-stability.moves" and not b:
            f["moves"] = n
        elif m == "placement-stability.placement-type" and b.startswith("group="):
            f.setdefault("groups", {})[b[6:]] = n
    return out


def grid():
    g = {}
    with open(POSTCODES, newline="") as f:
        for r in csv.DictReader(f):
            g[r["postcode"]] = (float(r["easting"]), float(r["northing"]))
    return g


def parse_date(s):
    d, m, y = s.split("/")
    return (int(y), int(m), int(d))


def placements_in_window(eps, lo, hi):
    """Placements of one child in [lo, hi] (date tuples), counted as the tool's defaults
    do (spec §8.3): the placement open at `lo` or the entry placement, then each new
    placement (RNE P/B/T/U), not temporary ones (T0–T4), not the return from one to the
    same PLACE and PL_POST, not a same-carer move into A3/A5."""
    n = 0
    prev_real = None
    after_temp = False
    for e in eps:
        start = parse_date(e["DECOM"])
        end = parse_date(e["DEC"]) if e["DEC"] else None
        temp = e["PLACE"].startswith("T")
        new_placement = e["RNE"] in ("S", "P", "B", "T", "U")
        if e["RNE"] == "S":
            prev_real, after_temp = None, False
        if start > hi or (end is not None and end < lo):
            if not temp and new_placement:
                prev_real = e
            after_temp = temp
            continue
        if temp:
            after_temp = True
            if n == 0 and prev_real is not None:
                n += 1
            continue
        returning = (
            after_temp
            and prev_real is not None
            and (prev_real["PLACE"], prev_real["PL_POST"]) == (e["PLACE"], e["PL_POST"])
        )
        after_temp = False
        if n == 0:
            n += 1
        elif new_placement and e["RNE"] != "S" and not returning and not (
            e["RNE"] in ("T", "U") and e["PLACE"] in ("A3", "A5")
        ):
            n += 1
        elif e["RNE"] == "S":
            n += 1
        if new_placement:
            prev_real = e
    return n


def file_figures(sample: Path, years):
    """{(la, year): {...}}: CLA at both 31 Marches, 3+ placements over 2 years for them,
    and placements > 20 miles."""
    g = grid()
    out = defaultdict(dict)
    for la_dir in sorted(p for p in sample.iterdir() if p.is_dir()):
        open_prev = None
        prev_eps = []
        for ydir in sorted(p for p in la_dir.iterdir() if p.is_dir()):
            eps = read_csv(ydir / "episodes.csv")
            open_now = {}
            started = set()
            ystart = f"01/04/{int(ydir.name) - 1}"
            for e in eps:
                if e["LS"] in ("V3", "V4"):
                    continue
                if not e["DEC"]:
                    open_now[e["CHILD"]] = e
                if e["RNE"] == "S" and e["DECOM"] != ystart and e["DECOM"][-4:] in (
                    ydir.name,
                    str(int(ydir.name) - 1),
                ):
                    d, m, y = e["DECOM"].split("/")
                    if (int(y), int(m), int(d)) >= (int(ydir.name) - 1, 4, 1):
                        started.add(e["CHILD"])
            f = out[(la_dir.name, ydir.name)]
            if open_prev is not None:
                both = [c for c in open_now if c in open_prev and c not in started]
                f["both"] = len(both)
                y = int(ydir.name)
                lo, hi = (y - 2, 4, 1), (y, 3, 31)
                chain = defaultdict(dict)
                for e in prev_eps + eps:
                    if e["LS"] not in ("V3", "V4"):
                        chain[e["CHILD"]][e["DECOM"]] = e
                three = 0
                for c in both:
                    ce = sorted(chain[c].values(), key=lambda e: parse_date(e["DECOM"]))
                    if placements_in_window(ce, lo, hi) >= 3:
                        three += 1
                f["both_three"] = three
            far = unknown = 0
            for e in open_now.values():
                h, p = g.get(e["HOME_POST"]), g.get(e["PL_POST"])
                if h is None or p is None:
                    unknown += 1
                    continue
                dist = round(math.hypot(h[0] - p[0], h[1] - p[1]) / 1000 / 1.6093, 1)
                if dist > 20.0:
                    far += 1
            f["far"], f["far_unknown"] = far, unknown
            open_prev = open_now
            prev_eps = eps
    return out


def pct(n, d):
    if n is None or not d:
        return None
    return 100.0 * n / d


def fmt(x, digits=0):
    return "–" if x is None else f"{x:.{digits}f}"


GROUP_KEYS = [
    ("foster", ["Foster care with other carers", "Foster care with relatives or friends"]),
    ("resi", ["Secure units, children's homes and residential settings"]),
    ("indep", ["Independent and semi-independent living"]),
    ("P1", ["Placed with parents or others with parental responsibility"]),
    ("adopt", ["Placed for adoption"]),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "runs",
        nargs="+",
        type=Path,
        help="SAMPLE_DIR METRICS_CSV pairs; several pairs (other seeds) are averaged",
    )
    ap.add_argument("--reference", type=Path, default=Path("/work/shared/reference"))
    ap.add_argument("--years", nargs="*", default=["2023", "2024", "2025"])
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument(
        "--pool-years", action="store_true", help="one row per authority: mean over the years"
    )
    ap.add_argument(
        "--pool-las",
        action="store_true",
        help="add up all authorities (a national set) and compare with England",
    )
    a = ap.parse_args()

    if len(a.runs) % 2:
        ap.error("give SAMPLE_DIR METRICS_CSV pairs")
    pairs = list(zip(a.runs[0::2], a.runs[1::2]))
    ours, files = defaultdict(dict), defaultdict(dict)
    for sample, metrics in pairs:
        for dst, src in ((ours, tool_figures(metrics)), (files, file_figures(sample, a.years))):
            for key, f in src.items():
                acc = dst[key]
                for k, v in f.items():
                    if isinstance(v, dict):
                        g = acc.setdefault(k, {})
                        for gk, gv in v.items():
                            g[gk] = g.get(gk, 0) + gv / len(pairs)
                    elif v is not None:
                        acc[k] = acc.get(k, 0) + v / len(pairs)
    las = sorted({la for la, _ in ours})
    if a.pool_las:
        for src in (ours, files):
            pooled = defaultdict(dict)
            for (la, y), f in src.items():
                acc = pooled[("England", y)]
                for k, v in f.items():
                    if isinstance(v, dict):
                        g = acc.setdefault(k, {})
                        for gk, gv in v.items():
                            g[gk] = g.get(gk, 0) + gv
                    elif v is not None:
                        acc[k] = acc.get(k, 0) + v
            src.clear()
            src.update(pooled)
        las = ["England"]
    pub = published(a.reference, las, a.years)

    cols = [
        ("CLA", lambda f: f.get("cla"), 0),
        ("starts", lambda f: f.get("starts"), 0),
        ("ceases", lambda f: f.get("ceases"), 0),
        ("2y %", lambda f: pct(f.get("cla2y"), f.get("cla")), 0),
        ("both31M %", lambda f: pct(f.get("both"), f.get("cla")), 0),
        ("3+ yr %", lambda f: pct(f.get("three"), f.get("cla")), 0),
        ("3+ 2y %", lambda f: pct(f.get("three2y"), f.get("cla2y")), 0),
        ("3+ both %", lambda f: pct(f.get("both_three"), f.get("both")), 0),
        ("LTS %", lambda f: pct(f.get("lts"), f.get("lts_den")), 0),
        ("LTS den %", lambda f: pct(f.get("lts_den"), f.get("cla")), 0),
        ("moves", lambda f: f.get("moves"), 0),
        (">20mi %", lambda f: pct(f.get("far"), f.get("cla")), 0),
    ]
    gcols = [
        (f"{k} %", (lambda names: lambda f: pct(
            sum((f.get("groups") or {}).get(n, 0) for n in names), f.get("cla")
        ) if f.get("groups") else None)(names), 0)
        for k, names in GROUP_KEYS
    ]
    if a.pool_years:
        for src in (ours, files, pub):
            for la in las:
                acc = {}
                for y in a.years:
                    for k, v in src.get((la, y), {}).items():
                        if isinstance(v, dict):
                            g = acc.setdefault(k, {})
                            for gk, gv in v.items():
                                g[gk] = g.get(gk, 0) + gv / len(a.years)
                        elif v is not None:
                            acc[k] = acc.get(k, 0) + v / len(a.years)
                src[(la, "mean")] = acc
        a.years = ["mean"]
    head = ["LA", "year", "src"] + [c[0] for c in cols + gcols]
    rows = []
    for la in las:
        for y in a.years:
            f_ours = dict(ours.get((la, y), {}))
            f_ours.update({k: v for k, v in files.get((la, y), {}).items() if k != "far"})
            f_ours["far"] = files.get((la, y), {}).get("far")
            f_pub = dict(pub.get((la, y), {}))
            # The DfE's "CLA 2 years" cohort is compared with ours both ways.
            f_pub["both"] = f_pub.get("cla2y")
            f_pub["both_three"] = f_pub.get("three2y")
            for src, f in (("DfE", f_pub), ("ours", f_ours)):
                vals = [fmt(fn(f), dg) for _, fn, dg in cols]
                gvals = [fmt(fn(f), dg) if src == "ours" else "" for _, fn, dg in gcols]
                rows.append([la, y, src] + vals + gvals)
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
        print("  ".join(h.rjust(w[i]) for i, h in enumerate(head)))
        for r in rows:
            print("  ".join(v.rjust(w[i]) for i, v in enumerate(r)))


if __name__ == "__main__":
    main()
