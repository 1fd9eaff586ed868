#!/usr/bin/env python3
"""Build the bundled reference tables in data/reference/ from the published DfE/ONS files.

Maintainer tool, not run in CI. The CSVs it writes are committed; the crate
`iro-reference` embeds them. Standard library only.

    python3 data/reference/build/build_reference.py [SOURCE_DIR] [OUT_DIR]

SOURCE_DIR defaults to /work/shared/reference (which holds dfe/ and the research
CSVs national_la_rates*.csv, la_indicators.csv); OUT_DIR defaults to data/reference/
next to this script.

Rules:
- Every figure is copied as published; DfE symbols (c, z, x, k, low, u) are kept as
  text. Nothing is estimated or recomputed. The only arithmetic here is in checks.
- The script cross-checks overlapping sources and stops (AssertionError) on any
  disagreement it does not know about, so a rerun on new files cannot silently drift.
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/reference")
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE.parent
DFE = SRC / "dfe"

FIRST_YEAR, LAST_YEAR = 2015, 2025  # collection years covered

# Provenance labels
DFE_REPO = "github.com/dfe-analytical-services/CSC_outcomes_and_enablers@2f5d11a:data-raw/"
REL_2025 = "DfE CLA 2025 release (EES)"
SRC_CLA = DFE_REPO + "cla_number_and_rate_per_10k_children.csv"
SRC_STAB = DFE_REPO + "la_cla_placement_stability.csv"
SRC_NEWPL = DFE_REPO + "la_cla_during_year_new_placements.csv"
SRC_POP = DFE_REPO + "ons_mid-year_population_estimates_2012_to_2024.csv"

LEVEL = {"National": "national", "Regional": "regional", "Local authority": "local_authority"}
LEVEL_ORDER = {"national": 0, "regional": 1, "london_subregion": 2, "local_authority": 3}
LONDON = "E12000007"
SYMBOLS = {"c", "z", "x", "k", "low", "u"}

# Reorganisations. Codes and years are checked against the DfE files below; which old
# authority fed which new one (e.g. Christchurch, part of Dorset county 835, went to
# BCP 839) is knowledge from the structural-change orders, not in the DfE files.
SUCCESSORS = {
    "835": ["838", "839"],  # Dorset county -> Dorset unitary + BCP (Christchurch), 1 Apr 2019
    "836": ["839"],  # Poole -> BCP, 1 Apr 2019
    "837": ["839"],  # Bournemouth -> BCP, 1 Apr 2019
    "928": ["940", "941"],  # Northamptonshire -> North / West Northamptonshire, 1 Apr 2021
    "909": ["942", "943"],  # Cumbria -> Cumberland / Westmorland and Furness, 1 Apr 2023
}
EXPECTED_VALIDITY = {  # la_code: (valid_from, valid_to) in collection years
    "835": (None, 2019), "836": (None, 2019), "837": (None, 2019),
    "838": (2020, None), "839": (2020, None),
    "928": (None, 2021), "940": (2022, None), "941": (2022, None),
    "909": (None, 2023), "942": (2024, None), "943": (2024, None),
}
NOTES = {
    "835": "Dorset County Council; abolished 1 April 2019 (Dorset 838 and, for Christchurch, BCP 839)",
    "836": "Abolished 1 April 2019; now part of Bournemouth, Christchurch and Poole (839)",
    "837": "Abolished 1 April 2019; now part of Bournemouth, Christchurch and Poole (839)",
    "838": "Dorset Council (unitary), from 1 April 2019; replaced Dorset County Council (835)",
    "839": "From 1 April 2019; replaced Bournemouth (837), Poole (836) and Christchurch (part of 835)",
    "928": "Abolished 1 April 2021 (North Northamptonshire 940, West Northamptonshire 941)",
    "940": "From 1 April 2021; replaced part of Northamptonshire (928)",
    "941": "From 1 April 2021; replaced part of Northamptonshire (928)",
    "909": "Abolished 1 April 2023 (Cumberland 942, Westmorland and Furness 943)",
    "942": "From 1 April 2023; replaced part of Cumbria (909)",
    "943": "From 1 April 2023; replaced part of Cumbria (909)",
    "825": "Unitary from 1 April 2020; DfE code unchanged, ONS code changed",
    "815": "Unitary from 1 April 2023; DfE code unchanged, ONS code changed",
    "933": "Unitary from 1 April 2023; DfE code unchanged, ONS code changed",
}


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write(name: str, header: list[str], rows: list[list]) -> None:
    with open(OUT / name, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
    print(f"{name}: {len(rows)} rows")


def geo_code(x: dict[str, str]) -> tuple[str, str, str]:
    """(level, ons_code, la_code) of a DfE EES row."""
    lvl = LEVEL[x["geographic_level"]]
    if lvl == "national":
        return lvl, x["country_code"], ""
    if lvl == "regional":
        code = x["region_code"]
        return ("london_subregion" if code.startswith("E13") else "regional"), code, ""
    return lvl, x["new_la_code"], x["old_la_code"]


def is_num(v: str) -> bool:
    return v.isdigit()


# ---------------------------------------------------------------- inputs
cla = read(DFE / "cla_number_and_rate_per_10k_children.csv")
pop = read(DFE / "ons_mid-year_population_estimates_2012_to_2024.csv")
stab = read(DFE / "la_cla_placement_stability.csv")
newpl = read(DFE / "la_cla_during_year_new_placements.csv")
nlr = read(SRC / "national_la_rates.csv")
nlr_all = read(SRC / "national_la_rates_all_vintages.csv")
ind = read(SRC / "la_indicators.csv")

# ---------------------------------------------------------------- regions.csv
regions: dict[str, str] = {}
for x in cla + pop:
    if x["geographic_level"] == "Regional":
        regions[x["region_code"]] = x["region_name"]
assert len([c for c in regions if c.startswith("E12")]) == 9, regions
assert set(c for c in regions if c.startswith("E13")) == {"E13000001", "E13000002"}
region_rows = [["E92000001", "England", "national", ""]]
for code in sorted(regions):
    if code.startswith("E12"):
        region_rows.append([code, regions[code], "regional", "E92000001"])
for code in sorted(regions):
    if code.startswith("E13"):
        region_rows.append([code, regions[code], "london_subregion", LONDON])
# check: Inner + Outer London = London, every year, in the population file
popreg = {(x["time_period"], x["region_code"]): x["population_estimate"]
          for x in pop if x["geographic_level"] == "Regional"}
for (y, c), v in popreg.items():
    if c == LONDON:
        assert int(popreg[(y, "E13000001")]) + int(popreg[(y, "E13000002")]) == int(v), y
write("regions.csv", ["ons_code", "name", "geography_level", "parent_ons_code"], region_rows)

# ---------------------------------------------------------------- local_authorities.csv
la: dict[str, dict] = {}
for x in cla:  # 2025 release: every LA 2021-2025 with its current codes
    if x["geographic_level"] != "Local authority":
        continue
    c = x["old_la_code"]
    rec = {"ons": x["new_la_code"], "name": x["la_name"], "region": x["region_code"]}
    assert la.setdefault(c, rec) == rec, (c, rec, la[c])
for x in pop:  # adds the pre-2019 Dorset authorities (835, 836, 837)
    if x["geographic_level"] != "Local authority":
        continue
    c = x["old_la_code"]
    if c not in la:
        rec = {"ons": x["new_la_code"], "name": x["la_name"], "region": x["region_code"]}
        assert la.setdefault(c, rec) == rec, (c, rec, la[c])
assert set(la) >= set(EXPECTED_VALIDITY)

# ONS code history (population file carries the code in force at each mid-year)
ons_by_year: dict[str, dict[int, str]] = defaultdict(dict)
for x in pop:
    if x["geographic_level"] == "Local authority":
        ons_by_year[x["old_la_code"]][int(x["time_period"])] = x["new_la_code"]
former: dict[str, tuple[list[str], int]] = {}
for c, by in ons_by_year.items():
    codes = [by[y] for y in sorted(by)]
    distinct = list(dict.fromkeys(codes))
    if len(distinct) > 1:
        assert distinct[-1] == la[c]["ons"], (c, distinct)
        first_new = min(y for y in by if by[y] == la[c]["ons"])
        # mid-year Y is the denominator for collection year Y+1
        former[c] = (distinct[:-1], first_new + 1)
assert set(former) == {"815", "825", "933"}, former

# Existence per collection year, from DfE symbols: population 'x' with count 'z' in the
# 2025 release means the authority did not exist; for 2015-2020 the research files
# (DfE 2022-2024 releases, SFRs) show 'z' for authorities not yet / no longer existing.
exists: dict[str, dict[int, bool]] = defaultdict(dict)
for x in cla:
    if x["geographic_level"] == "Local authority":
        e = x["population_estimate"] != "x"
        if not e:
            assert x["children_count"] == "z"
        exists[x["old_la_code"]][int(x["time_period"])] = e
for x in nlr_all:
    if x["geography_level"] == "Local authority" and x["la_code_old"] and x["cla_count"]:
        y = int(x["year"])
        if y < 2021:
            exists[x["la_code_old"]][y] = x["cla_count"] != "z"
validity: dict[str, tuple[int | None, int | None]] = {}
for c in la:
    ys = exists.get(c, {})
    yes = sorted(y for y, e in ys.items() if e)
    no = sorted(y for y, e in ys.items() if not e)
    vf = yes[0] if yes and no and no[0] < yes[0] else None
    vt = yes[-1] if yes and no and no[-1] > yes[-1] else None
    assert not any(yes[0] < y < yes[-1] for y in no), (c, ys)
    validity[c] = (vf, vt)
for c, v in EXPECTED_VALIDITY.items():
    assert validity[c] == v, (c, validity[c], v)
for c, v in validity.items():
    assert c in EXPECTED_VALIDITY or v == (None, None), (c, v)

predecessors: dict[str, list[str]] = defaultdict(list)
for old, news in SUCCESSORS.items():
    for n in news:
        assert validity[n][0] == validity[old][1] + 1, (old, n)
        predecessors[n].append(old)

la_rows = []
for c in sorted(la, key=int):
    r = la[c]
    reg = r["region"]
    sub = ""
    if reg.startswith("E13"):
        sub, reg = reg, LONDON
    assert reg in regions and reg.startswith("E12"), (c, reg)
    fo, fo_from = former.get(c, ([], None))
    la_rows.append([
        c, r["ons"], r["name"], reg, regions[reg], sub,
        validity[c][0], validity[c][1],
        ";".join(sorted(predecessors.get(c, []))), ";".join(SUCCESSORS.get(c, [])),
        ";".join(fo), fo_from, NOTES.get(c, ""),
    ])
write("local_authorities.csv",
      ["la_code", "ons_code", "name", "region_ons_code", "region_name",
       "london_subregion_ons_code", "valid_from", "valid_to", "predecessor_codes",
       "successor_codes", "former_ons_codes", "ons_code_from", "notes"], la_rows)
la_ons = {r[1]: r[0] for r in la_rows}

# LTLA-UTLA lookup: copy byte for byte, and check every English UTLA is a current LA
shutil.copyfile(DFE / "LTLA-UTLA_Apr23_Lookup_England-Wales.csv", OUT / "ltla_utla_apr23.csv")
lk = read(OUT / "ltla_utla_apr23.csv")
utla = {x["UTLA23CD"] for x in lk if x["UTLA23CD"].startswith("E")}
current_2024 = {r[1] for r in la_rows if (r[6] or 0) <= 2024 and (r[7] or 9999) >= 2024}
assert utla == current_2024, (utla ^ current_2024)
print(f"ltla_utla_apr23.csv: {len(lk)} rows (copied)")

# ---------------------------------------------------------------- population_u18.csv
pop_rows = []
for x in pop:
    lvl, ons, lac = geo_code(x)
    name = x["la_name"] if lvl == "local_authority" else (
        x["region_name"] if lvl != "national" else x["country_name"])
    v = x["population_estimate"]
    assert is_num(v) or v in SYMBOLS, v
    assert x["age_group"] == "Children aged 0 to 17 years"
    pop_rows.append([int(x["time_period"]), lvl, ons, lac, name, v])
pop_rows.sort(key=lambda r: (r[0], LEVEL_ORDER[r[1]], r[3] and int(r[3]), r[2]))
write("population_u18.csv",
      ["mid_year", "geography_level", "ons_code", "la_code", "name", "population_0_17"], pop_rows)
popv = {(r[0], r[2] if r[1] != "local_authority" else r[3]): r[5] for r in pop_rows}

# ---------------------------------------------------------------- cla_published.csv
MEASURE = {
    "Children looked after on 31 March each year": "cla_31_march",
    "Children starting to be looked after each year": "starts",
    "Children ceasing to be looked after each year": "ceases",
}
cla_rows = []
seen = set()
denom_checked = 0
for x in cla:
    lvl, ons, lac = geo_code(x)
    name = x["la_name"] if lvl == "local_authority" else (
        x["region_name"] if lvl != "national" else x["country_name"])
    y = int(x["time_period"])
    m = MEASURE[x["population_type"]]
    for col in ("population_estimate", "children_count", "rate_per_10000"):
        assert is_num(x[col]) or x[col] in SYMBOLS, (col, x[col])
    # denominator rule: population used for year Y is the ONS mid-year Y-1 estimate
    if x["population_estimate"] != "x":
        assert popv[(y - 1, lac or ons)] == x["population_estimate"], (y, lac, ons)
        denom_checked += 1
    cla_rows.append([y, lvl, ons, lac, name, m, x["children_count"], x["population_estimate"],
                     x["rate_per_10000"], REL_2025, SRC_CLA])
    seen.add((y, lac or ons, m))
print(f"  denominator rule (mid-year Y-1) holds for {denom_checked} DfE rows")

# 2015-2020: CLA at 31 March from the research file (latest vintage per year), with the
# population used taken from the all-vintages file of the same release.
def geo_of(x):
    lvl = {"National": "national", "Regional": "regional", "Local authority": "local_authority"}[
        x["geography_level"]]
    return lvl, x["ons_code"], x["la_code_old"]

vint = defaultdict(list)
for x in nlr_all:
    vint[(x["year"], x["ons_code"], x["la_code_old"])].append(x)
known_fix = []
for x in nlr:
    y = int(x["year"])
    lvl, ons, lac = geo_of(x)
    cands = [v for v in vint[(x["year"], ons, lac)] if x["source"].startswith(v["release"] + "; " + v["source"])]
    assert len(cands) == 1, (x, cands)
    v = cands[0]
    if y >= 2021:  # must equal the DfE file
        row = next(r for r in cla_rows if r[0] == y and (r[3] or r[2]) == (lac or ons) and r[5] == "cla_31_march")
        assert (row[6], row[8]) == (x["cla_count"], x["rate_per_10000"]), (x, row)
        continue
    count, rate = v["cla_count"], v["rate_per_10000"]
    if (count, rate) != (x["cla_count"], x["rate_per_10000"]):
        # England 2015: national_la_rates.csv pairs the 2024 time-series count with a
        # rate of 60 that only secondary pages quote; the release itself gives no rate.
        assert (y, ons) == (2015, "E92000001") and rate == "" and x["rate_per_10000"] == "60", (x, v)
        known_fix.append(x)
    for val in (count, rate, v["population_u18_used"]):
        assert val == "" or is_num(val) or val in SYMBOLS, val
    cla_rows.append([y, lvl, ons, lac, x["name"], "cla_31_march", count,
                     v["population_u18_used"], rate, v["release"], v["source"]])
    seen.add((y, lac or ons, "cla_31_march"))
assert len(known_fix) == 1

# 2018-2020 starts and ceases from la_indicators.csv (one release per year there)
IND_MEASURE = {"cla_starts_in_year": "starts", "cla_ceased_in_year": "ceases"}
for x in ind:
    if x["indicator"] not in IND_MEASURE:
        continue
    y = int(x["year"])
    lvl, ons, lac = geo_of(x)
    m = IND_MEASURE[x["indicator"]]
    assert x["unit"] == "rate per 10,000 children aged 0-17"
    if y >= 2021:
        row = next(r for r in cla_rows if r[0] == y and (r[3] or r[2]) == (lac or ons) and r[5] == m)
        assert (row[6], row[7], row[8]) == (x["count"], x["denominator"], x["value"]), (x, row)
        continue
    assert (y, lac or ons, m) not in seen
    cla_rows.append([y, lvl, ons, lac, x["name"], m, x["count"], x["denominator"], x["value"],
                     x["release"], x["source"]])
    seen.add((y, lac or ons, m))

MORDER = {"cla_31_march": 0, "starts": 1, "ceases": 2}
cla_rows.sort(key=lambda r: (r[0], LEVEL_ORDER[r[1]], r[3] and int(r[3]), r[2], MORDER[r[5]]))
write("cla_published.csv",
      ["year", "geography_level", "ons_code", "la_code", "name", "measure", "count",
       "population_used", "rate_per_10000", "release", "source"], cla_rows)

# ---------------------------------------------------------------- stability_published.csv
STAB = {
    "CLA on 31 March": ("placements_3plus_in_year", "With 3 or more placements during the year"),
    "CLA 2 years on 31 March": ("placements_3plus_prev_2yrs",
                                "With 3 or more placements during the previous 2 years"),
    "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years":
        ("long_term_stability_same_carer", "Living with the same carer for at least 2 years"),
}
grp: dict[tuple, dict[str, dict]] = defaultdict(dict)
for x in stab:
    lvl, ons, lac = geo_code(x)
    grp[(int(x["time_period"]), lvl, ons, lac, x["cla_group"])][x["placement_stability"]] = x
stab_rows = []
for (y, lvl, ons, lac, group), d in grp.items():
    indicator, num_label = STAB[group]
    assert set(d) == {num_label, "Total children"}, d.keys()
    num, tot = d[num_label], d["Total children"]
    x = num
    name = x["la_name"] if lvl == "local_authority" else (
        x["region_name"] if lvl != "national" else x["country_name"])
    for v in (num["children_count"], tot["children_count"], num["children_percent"]):
        assert is_num(v) or v in SYMBOLS, v
    stab_rows.append([y, lvl, ons, lac, name, indicator, num["children_count"],
                      tot["children_count"], num["children_percent"], REL_2025, SRC_STAB])

NEWPL = {
    "Placed inside LA boundary less than 20 miles from home": "new_placements_inside_la_under_20_miles",
    "Placed inside LA boundary more than 20 miles from home": "new_placements_inside_la_over_20_miles",
    "Placed outside LA boundary less than 20 miles from home": "new_placements_outside_la_under_20_miles",
    "Placed outside LA boundary more than 20 miles from home": "new_placements_outside_la_over_20_miles",
    "Distance not known or not recorded": "new_placements_distance_not_known",
}
grp = defaultdict(dict)
for x in newpl:
    if x["characteristic"] != "Location of new placements during the year":
        continue
    lvl, ons, lac = geo_code(x)
    grp[(int(x["time_period"]), lvl, ons, lac)][x["breakdown"]] = x
for (y, lvl, ons, lac), d in grp.items():
    assert set(d) == set(NEWPL) | {"Total new placements"}, d.keys()
    tot = d["Total new placements"]
    for label, indicator in NEWPL.items():
        x = d[label]
        name = x["la_name"] if lvl == "local_authority" else (
            x["region_name"] if lvl != "national" else x["country_name"])
        for v in (x["children_count"], tot["children_count"], x["children_percent"]):
            assert is_num(v) or v in SYMBOLS, v
        stab_rows.append([y, lvl, ons, lac, name, indicator, x["children_count"],
                          tot["children_count"], x["children_percent"], REL_2025, SRC_NEWPL])

# Extras from la_indicators.csv (South West authorities, Medway, England, SW/SE regions)
IND_STAB = {
    "cla_31mar_3plus_placements_in_year": "placements_3plus_in_year",
    "cla_2yrs_3plus_placements_prev_2yrs": "placements_3plus_prev_2yrs",
    "long_term_stability_same_carer_2yrs (CLA 2.5+ yrs, aged <16)": "long_term_stability_same_carer",
    "long_term_stability_same_placement_2yrs (CLA 2.5+ yrs, aged <16; pre-2023 definition)":
        "long_term_stability_same_placement_pre2023",
    "placed_more_than_20_miles_from_home": "cla_31_march_over_20_miles",
    "placed_20_miles_or_less_from_home": "cla_31_march_20_miles_or_less",
    "distance_not_known_or_not_recorded": "cla_31_march_distance_not_known",
    "placed_outside_la_boundary": "cla_31_march_outside_la_boundary",
    "placed_inside_la_20_miles_or_less": "cla_31_march_inside_la_20_miles_or_less",
    "placed_inside_la_more_than_20_miles": "cla_31_march_inside_la_over_20_miles",
    "placed_inside_la_distance_not_known": "cla_31_march_inside_la_distance_not_known",
    "placed_outside_la_20_miles_or_less": "cla_31_march_outside_la_20_miles_or_less",
    "placed_outside_la_more_than_20_miles": "cla_31_march_outside_la_over_20_miles",
    "placed_outside_la_distance_not_known": "cla_31_march_outside_la_distance_not_known",
}
have = {(r[0], r[3] or r[2], r[5]): r for r in stab_rows}
dup_checked = 0
for x in ind:
    if x["indicator"] in IND_MEASURE:
        continue
    indicator = IND_STAB[x["indicator"]]
    y = int(x["year"])
    lvl, ons, lac = geo_of(x)
    key = (y, lac or ons, indicator)
    if key in have:  # 2021-2025 stability: must equal the DfE file
        r = have[key]
        assert (r[6], r[7], r[8]) == (x["count"], x["denominator"], x["value"]), (x, r)
        dup_checked += 1
        continue
    assert x["unit"] in ("%", "count"), x["unit"]
    for v in (x["count"], x["denominator"], x["value"]):
        assert v == "" or is_num(v) or v in SYMBOLS, v
    r = [y, lvl, ons, lac, x["name"], indicator, x["count"], x["denominator"], x["value"],
         x["release"], x["source"]]
    stab_rows.append(r)
    have[key] = r
print(f"  la_indicators.csv stability rows equal to the DfE file: {dup_checked}")
stab_rows.sort(key=lambda r: (r[0], LEVEL_ORDER[r[1]], r[3] and int(r[3]), r[2], r[5]))
write("stability_published.csv",
      ["year", "geography_level", "ons_code", "la_code", "name", "indicator", "numerator",
       "denominator", "percent", "release", "source"], stab_rows)

# ---------------------------------------------------------------- statistical_neighbours.csv
sn_rows = []
with open(DFE / "New_Statistical_Neighbour_Groupings_April_2021.csv", encoding="utf-8-sig") as fh:
    rows = list(csv.reader(fh))
assert rows[0][:5] == ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
for r in rows[1:]:
    if not r[0]:  # blank lines and the "Old SNs:" divider
        continue
    assert r[0] == r[2], r
    for k in range(10):
        nb, cl = r[5 + 2 * k].strip(), r[6 + 2 * k].strip()
        sn_rows.append(["groupings_2021", r[0], k + 1, nb, cl])
with open(DFE / "sn_model_2025_wide.csv", encoding="utf-8-sig") as fh:
    rows = list(csv.reader(fh))
assert rows[0][:4] == ["old_la_code", "la_name", "region_ind", "region_name"]
for r in rows[1:]:
    if not r or not r[0]:
        continue
    for k in range(10):
        nb, cl = r[4 + 2 * k].strip(), r[5 + 2 * k].strip()
        sn_rows.append(["model_2025", r[0], k + 1, nb, cl])
for r in sn_rows:
    assert r[1] in la and r[3] in la, r
    assert r[4].lower() in {"extremely close", "very close", "close", "somewhat close", "not close"}, r
write("statistical_neighbours.csv", ["model", "la_code", "rank", "neighbour_la_code", "closeness"],
      sn_rows)
