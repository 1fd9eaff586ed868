#!/usr/bin/env bash
# Reruns the DfE's SSDA903 validator (PyPI csc-validator-be-903, 2024-25 rules) on the
# bundled sample, each authority's 2024-25 return with its 2023-24 return loaded as the
# previous year. See scripts/check-sample-dfe-validator.py for the rules it discounts and why.
#
#   scripts/check-sample-dfe-validator.sh [SAMPLE_DIR]
#
# Installs the validator into a virtual environment under target/ on first use. Exit 0 when
# the sample passes, 1 when a rule flags rows, 2 when the validator cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/dfe-validator-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import lac_validator" 2>/dev/null; then
  python3 -m venv "$venv" || exit 2
  "$venv/bin/pip" install --quiet "csc-validator-be-903==0.1.17" || exit 2
fi
exec "$venv/bin/python" scripts/check-sample-dfe-validator.py "$@"
