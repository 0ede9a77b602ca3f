"""Waiting and retrying, once for the package: delays that grow (``Backoff``), a time budget
(``Deadline``) and polling until something is there (``poll``). Clocks and sleeps are
injectable, so tests run without waiting."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
Sleep = Callable[[float], None]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Backoff:
    """Delays starting at ``first``, multiplied by ``factor`` each time up to ``ceiling``.
    With ``jitter`` each delay is drawn from [d/2, d] (no two clients retry in step)."""

    first: float
    factor: float = 2.0
    ceiling: float = math.inf
    jitter: bool = False

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """The delay before retry number ``attempt + 1`` (attempt counts from 0)."""
        ceiling = min(self.ceiling, self.first * self.factor ** attempt)
        if not self.jitter:
            return ceiling
        return ceiling / 2 + (rng or random.Random()).uniform(0, ceiling / 2)

    def delays(self, rng: random.Random | None = None) -> Iterator[float]:
        """The delays one after another, without end."""
        attempt = 0
        while True:
            yield self.delay(attempt, rng)
            attempt += 1


class Deadline:
    """A time budget of ``seconds`` from now on the given clock."""

    def __init__(self, seconds: float, now: Clock = time.monotonic) -> None:
        self.now = now
        self.at = now() + seconds

    def remaining(self) -> float:
        """Seconds left (0 once passed)."""
        return max(0.0, self.at - self.now())

    def expired(self) -> bool:
        return self.now() >= self.at


def poll(check: Callable[[], T | None], timeout: float, backoff: Backoff,
         sleep: Sleep = time.sleep, now: Clock = time.monotonic) -> T | None:
    """Call ``check`` until it returns something other than None, sleeping ``backoff``'s
    delays in between (never past the deadline); None once ``timeout`` seconds passed.
    ``check`` runs at least once, and once more at the deadline."""
    deadline = Deadline(timeout, now)
    delays = backoff.delays()
    while True:
        found = check()
        if found is not None:
            return found
        if deadline.expired():
            return None
        sleep(min(next(delays), deadline.remaining()))
