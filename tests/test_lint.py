"""ruff and mypy over the package and the charm, with the settings in pyproject.toml.

Both run from the test environment (the ``test`` extra installs them); a finding fails the
test with the tool's own report, so the message says which file and line to mend.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS = ("osm_mec", "charms/k8s-cluster/src")

def test_ruff_finds_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format=concise",
         *TARGETS],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, f"ruff check {' '.join(TARGETS)}:\n{result.stdout}{result.stderr}"


def test_mypy_finds_nothing() -> None:
    from mypy import api

    stdout, stderr, status = api.run(["--config-file", str(REPO / "pyproject.toml"),
                                      "--cache-dir", str(REPO / ".mypy_cache"),
                                      *(str(REPO / target) for target in TARGETS)])
    assert status == 0, f"mypy {' '.join(TARGETS)}:\n{stdout}{stderr}"
