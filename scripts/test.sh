#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install, check the committed descriptors,
# run pytest. pytest's "no tests ran" (exit 5) counts as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
echo "== osm-mec build --check descriptors/" >&2
osm-mec build --check descriptors/
echo "== pytest" >&2
set +e
python3 -m pytest "$@"
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
  echo "pytest ran no tests: failing" >&2
  exit 1
fi
exit $rc
