"""osm_mec.core.retry: growing delays, the deadline, polling; a fake clock, no real waiting."""

from __future__ import annotations

import random

from osm_mec.core.retry import Backoff, Deadline, poll


class FakeClock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.t = 100.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def test_backoff_grows_to_its_ceiling() -> None:
    delays = Backoff(0.5, 1.5, 5.0).delays()
    assert [round(next(delays), 3) for _ in range(8)] == [0.5, 0.75, 1.125, 1.688, 2.531,
                                                          3.797, 5.0, 5.0]


def test_backoff_jitter_stays_in_the_upper_half() -> None:
    rng = random.Random(7)
    backoff = Backoff(0.5, 2.0, 8.0, jitter=True)
    for attempt in range(6):
        ceiling = min(8.0, 0.5 * 2 ** attempt)
        assert ceiling / 2 <= backoff.delay(attempt, rng) <= ceiling


def test_poll_returns_what_check_found_and_sleeps_the_backoff() -> None:
    clock, answers = FakeClock(), iter([None, None, "there"])
    assert poll(lambda: next(answers), 60, Backoff(1.0, 2.0), clock.sleep, clock.now) == "there"
    assert clock.slept == [1.0, 2.0]


def test_poll_gives_up_at_the_deadline_after_a_last_check() -> None:
    clock, calls = FakeClock(), []
    found = poll(lambda: calls.append(clock.now()), 5, Backoff(2.0, 1.0), clock.sleep, clock.now)
    assert found is None
    assert clock.slept == [2.0, 2.0, 1.0]  # never sleeps past the deadline
    assert calls == [100.0, 102.0, 104.0, 105.0]


def test_deadline_counts_down_on_its_clock() -> None:
    clock = FakeClock()
    deadline = Deadline(3, clock.now)
    clock.sleep(2)
    assert deadline.remaining() == 1 and not deadline.expired()
    clock.sleep(1)
    assert deadline.remaining() == 0 and deadline.expired()
