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

Two rules have defects of their own that flag valid rows; each flagged row is re-checked with
the defect corrected (RECHECK), and only rows that still fail count:

  1001      stacks this year's and last year's Episodes without renumbering the rows, then
            drops V3/V4 (short-break) episodes by row number: a care leaver's episodes from
            last year are dropped whenever a short-break episode sits at the same row number
            this year, so a former relevant child looks as if never looked after after 14.
            Re-checked with last year's rows renumbered after this year's.
  SW12STG2  pairs every episode with every social-worker episode of the child and flags the
            episode if any one pair fails, so a child who re-enters care (RNE S, REC X1) and
            had a social worker before is flagged although a social-worker episode starts with
            the new period of care. Re-checked per episode: flagged only if no social-worker
            episode of the child meets the rule's condition.

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


def recheck_1001(registry, ds):
    """Rule 1001 with last year's Episodes renumbered after this year's."""
    if "Episodes_last" in ds and "Episodes" in ds:
        last = ds["Episodes_last"].copy()
        last.index = last.index + (ds["Episodes"].index.max() + 1)
        ds["Episodes_last"] = last
    return set(registry["1001"].func(ds).get("OC3", []))


def recheck_sw12(registry, ds):
    """SW12STG2 decided per episode: an episode that starts (RNE S) or ends (DEC, REC not
    X1) a period of care fails only if no social-worker episode of the child started on or
    after its start (when it starts care) or on or before its end (when it ends care). The
    validator's own run also depends on earlier rules having changed the shared tables in
    place; this re-check reads them fresh."""
    import pandas as pd

    if "SWEpisodes" not in ds or "Episodes" not in ds:
        return set()
    meta = ds["metadata"]
    start = pd.to_datetime(meta["collection_start"], format="%d/%m/%Y")
    end = pd.to_datetime(meta["collection_end"], format="%d/%m/%Y")
    date = lambda s: pd.to_datetime(s, format="%d/%m/%Y", errors="coerce")
    sw_starts = {}
    for child, sw_decom in zip(ds["SWEpisodes"]["CHILD"], date(ds["SWEpisodes"]["SW_DECOM"])):
        if pd.notna(sw_decom):
            sw_starts.setdefault(child, []).append(sw_decom)
    eps = ds["Episodes"]
    flagged = set()
    for idx, row in eps.iterrows():
        decom, dec = date(pd.Series([row["DECOM"]]))[0], date(pd.Series([row["DEC"]]))[0]
        in_scope = (pd.isna(dec) or (start - pd.Timedelta(days=365) <= dec <= end)) and str(
            row["LS"]
        ) not in ("V3", "V4")
        starts_care = row["RNE"] == "S"
        # An open episode (no DEC) ends nothing, whatever its blank REC says.
        ends_care = pd.notna(dec) and row["REC"] != "X1"
        if not in_scope or not (starts_care or ends_care):
            continue
        ok = any(
            (ends_care and pd.notna(dec) and s <= dec) or (starts_care and s >= decom)
            for s in sw_starts.get(row["CHILD"], [])
        )
        if not ok:
            flagged.add(idx)
    return flagged


RECHECK = {"1001": recheck_1001, "SW12STG2": recheck_sw12}


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


def validate(la_dir: Path, year: int, ruleset: str, ons: str) -> tuple[dict[str, int], dict[str, int]]:
    """Rows flagged per rule, and for the rules of RECHECK the rows still flagged once the
    rule's defect is corrected."""
    from lac_validator import lac_validator
    from lac_validator.datastore import create_datastore
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
        # One issue per (rule, table, row), whatever the number of fields it names.
        seen = issues.drop_duplicates(["rule_code", "tables_affected", "row_id"])
        for code in seen["rule_code"]:
            counts[str(code)] = counts.get(str(code), 0) + 1
    rechecked: dict[str, int] = {}
    for code, recheck in RECHECK.items():
        if code in counts:
            with redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = create_datastore(v.dfs, v.metadata)
                rechecked[code] = len(recheck(registry, ds))
    return counts, rechecked


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
        counts, rechecked = validate(la_dir, args.year, ruleset, ons_code(reference, la_dir.name))
        failing = {
            k: rechecked.get(k, n)
            for k, n in counts.items()
            if k not in KNOWN and rechecked.get(k, n) > 0
        }
        status = "FAIL" if failing else "ok"
        print(f"{la_dir.name} {args.year} ({ruleset}, previous year loaded): {status}")
        for code, n in sorted(counts.items()):
            if code in KNOWN:
                note = "known validator problem, not counted"
            elif code in rechecked:
                note = f"{rechecked[code]} still flagged with the rule's defect corrected"
            else:
                note = "FAILS"
            print(f"  rule {code}: {n} row(s) ({note})")
        failed |= bool(failing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
