#!/usr/bin/env bash
# Whole-run timing on national-scale synthetic data (153 authorities, 5 years,
# ~80,000 children looked after at each 31 March). Prints the data size, the
# bare csv floor, iro's ingest+checks, and a full `iro run`, with peak memory.
# Usage: benches/national.sh [DIR]   (default DIR: benches/data/national)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-benches/data/national}
cargo build --release -p iro-testkit -p iro-bench -p iro-cli >/dev/null
if [ ! -d "$dir" ]; then
  echo "== generating $dir"
  /usr/bin/time -f "generate: %e s, peak %M KB" target/release/iro-testkit national --out "$dir"
fi
du -sh "$dir"
echo "== bare csv pass (floor), then iro ingest + checks (warm cache)"
target/release/iro-bench-floor "$dir" --floor-only >/dev/null   # warm the page cache
/usr/bin/time -f "floor process: %e s, peak %M KB" target/release/iro-bench-floor "$dir" --floor-only
/usr/bin/time -f "ingest process: %e s, peak %M KB" target/release/iro-bench-floor "$dir" --ingest-only
echo "== full iro run (ingest, metrics, suppression, outputs)"
out=$(mktemp -d)
/usr/bin/time -f "iro run: %e s, peak %M KB" target/release/iro run "$dir" --quiet --out "$out"
rm -rf "$out"
