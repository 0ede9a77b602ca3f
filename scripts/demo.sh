#!/usr/bin/env bash
# The main job: install osm-mec, build the packages of the default profile and validate them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
out="${1:-out}"
osm-mec build --out "$out"
osm-mec validate "$out"/*
