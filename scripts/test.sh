#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install (project venv, see install.sh), set up
# OSM's real NBI harness once (../shared/osm-nbi, outside any test timeout), check the
# committed descriptors, run pytest from the venv. pytest's "no tests ran" (exit 5) is a
# failure. Under CI=true a missing ../shared is an error. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
VENV="$(cd "${OSM_MEC_VENV:-.venv}" && pwd)"
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
# the harness makes its own venv from the venv's base interpreter: one cached set-up per
# machine, not one per clone (its cache key names the interpreter's path)
OSM_NBI_PYTHON="${OSM_NBI_PYTHON:-$(python -c 'import sys; print(sys._base_executable)')}"
export OSM_NBI_PYTHON

SHARED="${OSM_MEC_SHARED:-$(cd .. && pwd)/shared}"
case "${CI:-}" in [Tt][Rr][Uu][Ee]|1|[Yy][Ee][Ss]) in_ci=1 ;; *) in_ci="" ;; esac
if [[ -x "$SHARED/osm-nbi/start" ]]; then
  echo "== $SHARED/osm-nbi/start --setup-only" >&2
  "$SHARED/osm-nbi/start" --setup-only
elif [[ -n "$in_ci" ]]; then
  echo "CI=true: $SHARED/osm-nbi/start not found (the shared folder beside the clone; set OSM_MEC_SHARED)" >&2
  exit 1
else
  echo "note: no $SHARED/osm-nbi: the tests that need it will skip" >&2
fi

echo "== osm-mec build --check descriptors/" >&2
osm-mec build --check descriptors/
echo "== pytest" >&2
set +e
python -m pytest "$@"
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
  echo "pytest ran no tests: failing" >&2
  exit 1
fi
exit $rc
