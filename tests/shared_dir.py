"""The developers' ``../shared`` folder beside the clone, and OSM's real NBI harness in it.

Tests that need ``../shared`` call :func:`require_shared`: outside CI they skip with a message
naming what is missing; under ``CI=true`` a skip would hide a gap, so they fail instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OSM_MEC_SHARED", REPO.parent / "shared"))
HARNESS = SHARED / "osm-nbi" / "start"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def require_shared(relative: str) -> Path:
    """``../shared/<relative>``; skip (fail under CI=true) when it is not there."""
    path = SHARED / relative
    if not path.exists():
        message = (f"needs {path} (the developers' shared folder beside the clone); "
                   "set OSM_MEC_SHARED to point elsewhere")
        if in_ci():
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    return path


def with_shared_file(relative: str, decorate: Callable[[Path], Callable[[Any], Any]]
                     ) -> Callable[[Any], Any]:
    """A test decorator built from ``../shared/<relative>`` by `decorate(path)` (e.g.
    schemathesis' parametrize of an OpenAPI document); without the file, the test becomes one
    that skips naming it (fails under CI=true)."""
    path = SHARED / relative
    if path.is_file():
        return decorate(path)

    def missing(test: Callable[..., None]) -> Callable[[], None]:
        def needs_file() -> None:
            require_shared(relative)
        needs_file.__name__ = test.__name__
        return needs_file
    return missing


@dataclass
class RealNbi:
    """One running instance of OSM's real NBI (``../shared/osm-nbi/start``)."""

    url: str
    user: str
    password: str
    project: str
    bus: Path
    pid: int
    log: Path
    lcm: str
    info: dict[str, str] = field(repr=False, default_factory=dict)

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)

    def bus_records(self, topic: str) -> list[tuple[str, Any]]:
        """Every (key, value) NBI wrote on a topic, in order, keep-alive echoes left out."""
        path = self.bus / topic
        if not path.exists():
            return []
        records = []
        for document in _flow_records(path.read_text()):
            loaded = yaml.safe_load(document)
            if not isinstance(loaded, dict):
                continue
            for key, value in loaded.items():
                if key != "echo":
                    records.append((key, value))
        return records

    def tail_log(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _flow_records(text: str) -> list[str]:
    """Split a msglocal topic file into records: a record starts at column 0, continuation
    lines (a wrapped long record) are indented."""
    records: list[str] = []
    for line in text.splitlines():
        if line.startswith((" ", "\t")) and records:
            records[-1] += "\n" + line
        elif line.strip():
            records.append(line)
    return records


def start_real_nbi(bus_dir: Path, *, auto_complete_ms: int | None = None) -> RealNbi:
    """Start the harness in the background on a free port; stopped by :meth:`RealNbi.stop`."""
    require_shared("osm-nbi/start")
    command = [str(HARNESS), "--port", "0", "--background", "--bus-dir", str(bus_dir),
               "--watch-pid", str(os.getpid())]
    if auto_complete_ms is not None:
        command += ["--auto-complete", str(auto_complete_ms)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if done.returncode != 0:
        message = f"OSM NBI harness did not start (exit {done.returncode}): {done.stderr[-3000:]}"
        pytest.fail(message, pytrace=False)
    line = done.stdout.strip().splitlines()[-1]
    info = dict(item.split("=", 1) for item in line.split()[1:])
    return RealNbi(url=info["url"], user=info["user"], password=info["password"],
                   project=info["project"], bus=Path(info["bus"]), pid=int(info["pid"]),
                   log=Path(info.get("log", "/dev/null")), lcm=info.get("lcm", "off"), info=info)


if __name__ == "__main__":  # pragma: no cover - a manual check: python -m tests.shared_dir
    harness = start_real_nbi(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/nbi-bus"))
    print(harness)
    harness.stop()
