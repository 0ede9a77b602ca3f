"""The sandbox's simulated clock: epoch seconds that run `1/time_scale` times faster than
the wall clock and never go backwards past an operation that already completed.

With time scale 0 the clock follows the wall clock, but every completed operation moves it
to its simulated end, so operations run one after another appear back to back in time.
"""

from __future__ import annotations

import threading
import time
from typing import Callable


class SimClock:
    """Simulated epoch time; ``sleep`` waits the real time a simulated span takes."""

    def __init__(self, time_scale: float, wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if time_scale < 0:
            raise ValueError("time scale must be >= 0")
        self.time_scale = time_scale
        self._base = wall()
        self._mono0 = monotonic()
        self._monotonic = monotonic
        self._sleep = sleep
        self._high = self._base
        self._lock = threading.Lock()

    def now(self) -> float:
        elapsed = self._monotonic() - self._mono0
        running = self._base + (elapsed / self.time_scale if self.time_scale else elapsed)
        with self._lock:
            return max(self._high, running)

    def advance_to(self, moment: float) -> None:
        """An operation ended at `moment` (simulated): nothing later may look earlier."""
        with self._lock:
            self._high = max(self._high, moment)

    def sleep(self, simulated_seconds: float) -> None:
        """Wait the real time that `simulated_seconds` take at this time scale."""
        if self.time_scale and simulated_seconds > 0:
            self._sleep(simulated_seconds * self.time_scale)
