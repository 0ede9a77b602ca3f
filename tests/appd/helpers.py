"""Shared by the AppD tests: the sample AppD (examples/mecapp-appd.yaml) and its chart."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "mecapp-appd.yaml"
CHART_DIR = ROOT / "helm" / "mec-app"


def example_data() -> dict[str, Any]:
    """A fresh copy of the sample AppD's data."""
    return copy.deepcopy(yaml.safe_load(EXAMPLE.read_text()))


def appd_bytes(data: dict[str, Any]) -> bytes:
    return yaml.safe_dump(data, sort_keys=False).encode()
