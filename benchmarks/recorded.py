"""Where benchmark figures are recorded: ``benchmarks/results/<name>.json`` (and stdout)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def record(name: str, result: dict[str, Any]) -> Path:
    """Write the result as results/<name>.json, print it, return the path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    text = json.dumps(result, indent=2)
    path.write_text(text + "\n")
    print(text)
    return path
