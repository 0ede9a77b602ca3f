#!/usr/bin/env bash
# The main job: install osm-mec (in the project venv, see install.sh), then run the full B2B2C
# chain on the embedded sandbox OSM (provision one CSP, scale its edge cluster out and in, tear
# it down) and print the timing report beside the paper's. Every figure is simulated.
# Output folder: ${1:-out/demo}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
"${OSM_MEC_VENV:-.venv}/bin/osm-mec" demo --out "${1:-out/demo}"
