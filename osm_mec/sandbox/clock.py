"""The sandbox's simulated clock: epoch seconds that run `1/time_scale` times faster than
the wall clock and never go backwards past an operation that already completed.

With time scale 0 the operations take no real time but keep their simulated durations: the
clock then starts ``PAST_HORIZON`` seconds before the wall clock, every completed operation
moves it to its simulated end, and it never passes the wall clock (no record is dated in the
future; should the simulated work of one run ever exceed the horizon, later operations are
dated at the wall clock and their recorded durations shrink).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

PAST_HORIZON = 30 * 24 * 3600.0


class SimClock:
    """Simulated epoch time; ``sleep`` waits the real time a simulated span takes."""

    def __init__(self, time_scale: float, wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if time_scale < 0:
            raise ValueError("time scale must be >= 0")
        self.time_scale = time_scale
        self._wall = wall
        self._base = wall() - (0.0 if time_scale else PAST_HORIZON)
        self._mono0 = monotonic()
        self._monotonic = monotonic
        self._sleep = sleep
        self._high = self._base
        self._lock = threading.Lock()

    def _bounded(self, moment: float) -> float:
        return moment if self.time_scale else min(moment, self._wall())

    def now(self) -> float:
        elapsed = self._monotonic() - self._mono0
        running = self._base + (elapsed / self.time_scale if self.time_scale else elapsed)
        with self._lock:
            return self._bounded(max(self._high, running))

    def advance_to(self, moment: float) -> float:
        """An operation ended at `moment` (simulated): nothing later may look earlier.
        Returns the moment as recorded (at time scale 0 never after the wall clock)."""
        with self._lock:
            self._high = max(self._high, self._bounded(moment))
            return self._bounded(moment)

    def sleep(self, simulated_seconds: float) -> None:
        """Wait the real time that `simulated_seconds` take at this time scale."""
        if self.time_scale and simulated_seconds > 0:
            self._sleep(simulated_seconds * self.time_scale)
