#!/usr/bin/env bash
# Opens the IRO annual report in a real headless browser (Debian chromium):
# a screenshot of the page and a printed A4 PDF, turned into one PNG per page
# with pdftoppm, for a person to look at. Not run by CI.
#
#   apt-get install -y chromium poppler-utils
#   scripts/check-report-browser.sh [REPORT.html] [OUT_DIR]
#
# Defaults: the first report under out/report/ (made by
# `cargo run --release -p iro-cli -- run`), and out/report-check/.
set -euo pipefail

cd "$(dirname "$0")/.."
report="${1:-}"
if [[ -z "$report" ]]; then
    report="$(ls out/report/*.html 2>/dev/null | head -n 1 || true)"
fi
if [[ -z "$report" || ! -f "$report" ]]; then
    echo "no report: run \`cargo run --release -p iro-cli -- run\` first, or give REPORT.html" >&2
    exit 2
fi
out="${2:-out/report-check}"
mkdir -p "$out"

browser="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$browser" ]]; then
    echo "chromium not found: apt-get install -y chromium poppler-utils" >&2
    exit 2
fi
command -v pdftoppm >/dev/null || { echo "pdftoppm not found: apt-get install -y poppler-utils" >&2; exit 2; }

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
url="file://$(realpath "$report")"
flags=(
    --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir="$profile" --hide-scrollbars
)
stem="$(basename "$report" .html)"

# The top of the page as a reader sees it, and a tall one with every chart.
"$browser" "${flags[@]}" --window-size=1280,1600 --screenshot="$out/$stem-screen.png" "$url" 2>/dev/null
"$browser" "${flags[@]}" --window-size=1280,16000 --screenshot="$out/$stem-full.png" "$url" 2>/dev/null
# Printed as the print stylesheet lays it out (A4 from @page).
"$browser" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$out/$stem.pdf" "$url" 2>/dev/null

rm -f "$out/$stem-page"-*.png
pdftoppm -png -r 60 "$out/$stem.pdf" "$out/$stem-page"
pages=$(ls "$out/$stem-page"-*.png | wc -l)
size=$(pdfinfo "$out/$stem.pdf" 2>/dev/null | awk -F': *' '/Page size/ {print $2}')
echo "Report:      $report"
echo "Screenshots: $out/$stem-screen.png, $out/$stem-full.png"
echo "PDF:         $out/$stem.pdf ($pages pages, $size)"
echo "Pages:       $out/$stem-page-*.png"
echo "Look at them: every chart drawn, no table or chart cut across a page, each section on a new page."
