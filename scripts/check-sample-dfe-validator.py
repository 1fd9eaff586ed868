#!/usr/bin/env python3
"""Runs the DfE's SSDA903 validator (PyPI `csc-validator-be-903`) on the bundled sample.

For every authority in the sample folder, the latest collection year is validated with the
rules of that year (2024-25: `lac2024_25`) and the year before loaded as "previous year", as
the DfE's upload does. Each failing rule is printed with the number of rows it flags.

Rules that are known to be wrong in the validator (not in the data) are listed in KNOWN and
reported but do not fail the check:

  146     reads PLACE case-sensitively and rejects K3 as lower-case `k3` is listed;
  202     compares SEX 1/2 in the previous year with M/F in 2024-25;
  231     crashes on some inputs (the validator reports it as an error of its own);
  392a/b  the validator's own notes call them possible false positives (HOME_POST/PL_POST
          changes without a new episode).

Exit 0 when only known rules fail, 1 when any other rule fails, 2 when the validator
cannot be imported or the sample is not where expected.

Usage: scripts/check-sample-dfe-validator.py [SAMPLE_DIR] [--year 2025] [--ruleset lac2024_25]
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import logging
import sys
import warnings
from contextlib import redirect_stdout
from pathlib import Path

KNOWN = {"146", "202", "231", "392a", "392b"}


def ons_code(reference: Path, la: str) -> str:
    with open(reference, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["la_code"] == la:
                return row["ons_code"]
    return "E09000027"


def csv_files(folder: Path) -> list[str]:
    # Only the SSDA903 tables: the IRO service's own records share the folder.
    skip = {"iro_reviews.csv", "iro_allocations.csv", "midway_reviews.csv", "drp_log.csv"}
    return sorted(str(p) for p in folder.glob("*.csv") if p.name not in skip)


def validate(la_dir: Path, year: int, ruleset: str, ons: str) -> dict[str, int]:
    from lac_validator import lac_validator
    from lac_validator.report import Report
    from lac_validator.utils import process_uploaded_files

    this_year = la_dir / str(year)
    prev_year = la_dir / str(year - 1)
    files = {"This year": csv_files(this_year)}
    if prev_year.is_dir():
        files["Prev year"] = csv_files(prev_year)
    uploaded = process_uploaded_files(files)
    registry = getattr(importlib.import_module(f"lac_validator.rules.{ruleset}"), "registry")
    metadata = {"collectionYear": str(year), "localAuthority": ons}
    logging.disable(logging.CRITICAL)
    with redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = lac_validator.LacValidator(
            metadata=metadata, files=uploaded, registry=registry, selected_rules=None
        )
        report = Report(v.ds_results, registry)
        issues = lac_validator.create_issue_df(report.report, report.error_report)
    counts: dict[str, int] = {}
    if len(issues):
        for code in issues["rule_code"]:
            counts[str(code)] = counts.get(str(code), 0) + 1
    return counts


def main() -> int:
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sample", nargs="?", default=str(here / "data" / "sample"))
    ap.add_argument("--year", type=int, default=2025, help="collection year (the year it ends)")
    ap.add_argument("--ruleset", default=None, help="validator rule set (default: of --year)")
    args = ap.parse_args()
    ruleset = args.ruleset or f"lac{args.year - 1}_{args.year % 100:02d}"
    try:
        importlib.import_module("lac_validator")
    except ImportError:
        print("csc-validator-be-903 is not installed: pip install csc-validator-be-903", file=sys.stderr)
        return 2
    sample = Path(args.sample)
    las = sorted(p for p in sample.iterdir() if p.is_dir() and (p / str(args.year)).is_dir())
    if not las:
        print(f"no <la>/{args.year} folders in {sample}", file=sys.stderr)
        return 2
    reference = here / "data" / "reference" / "local_authorities.csv"
    failed = False
    for la_dir in las:
        counts = validate(la_dir, args.year, ruleset, ons_code(reference, la_dir.name))
        unknown = {k: n for k, n in counts.items() if k not in KNOWN}
        known = {k: n for k, n in counts.items() if k in KNOWN}
        status = "FAIL" if unknown else "ok"
        print(f"{la_dir.name} {args.year} ({ruleset}, previous year loaded): {status}")
        for code, n in sorted(unknown.items()):
            print(f"  rule {code}: {n} row(s)")
        for code, n in sorted(known.items()):
            print(f"  rule {code}: {n} row(s) (known validator problem, not counted)")
        failed |= bool(unknown)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
