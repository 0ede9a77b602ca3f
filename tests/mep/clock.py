"""A clock for MEP tests: time stands still until the test moves it (advance), so
liveness lapses and termination timeouts happen exactly when a test says, whatever the
machine's load. Thread-safe: the MEP runs in a uvicorn thread of its own."""

from __future__ import annotations

import asyncio
import threading


class ManualClock:
    """osm_mec.mep.clock.Clock whose time moves only by advance()."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        return self.time()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    async def sleep_until(self, deadline: float) -> None:
        while self.time() < deadline:   # the test moves time: look again shortly
            await asyncio.sleep(0.005)
