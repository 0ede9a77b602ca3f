"""The MEP's clock: wall time for liveness deadlines and termination deadlines, a
monotonic time for the token cache, and sleeping until a deadline. The platform runs on
the system clock; a test passes its own clock and moves time explicitly instead of
racing the watchdog in real time."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """What the MEP asks of a clock."""

    def time(self) -> float:
        """Seconds since the epoch (deadlines stored in Redis)."""

    def monotonic(self) -> float:
        """Seconds that only go forward (cache lifetimes)."""

    async def sleep_until(self, deadline: float) -> None:
        """Return once time() has reached `deadline`."""


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep_until(self, deadline: float) -> None:
        await asyncio.sleep(max(0.0, deadline - time.time()))
