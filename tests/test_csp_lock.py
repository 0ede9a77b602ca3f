"""osm_mec.chain.lock: how a chain command waits for a CSP's lock (core.retry.poll on a fake
clock, so nothing really waits). The locks are real ``flock`` locks on a file in tmp_path: two
opens of one file conflict even inside one process. The message a second command gets and
the lock's release on SIGKILL are tested across processes in tests/chain/test_safety.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from osm_mec.chain.lock import CspBusy, CspLock


class FakeClock:
    """Time that moves only when the lock sleeps; `on_sleep` runs after each sleep."""

    def __init__(self, on_sleep=lambda n: None) -> None:
        self.t = 50.0
        self.slept: list[float] = []
        self.on_sleep = on_sleep

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds
        self.on_sleep(len(self.slept))


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_busy_lock_is_tried_every_0_2_s_until_the_wait_is_over(tmp_path: Path) -> None:
    clock = FakeClock()
    with CspLock(tmp_path, "acme", "provision"):
        fds = _open_fds()
        with pytest.raises(CspBusy) as busy:
            CspLock(tmp_path, "acme", "scale", wait=1.0, sleep=clock.sleep,
                    now=clock.now).__enter__()
        assert _open_fds() == fds  # the waiting side's file is closed again
    assert [round(s, 6) for s in clock.slept] == [0.2] * 5
    assert busy.value.exit_code == 2
    message = str(busy.value)
    assert message.startswith(f"CSP acme is busy: `osm-mec provision` (pid {os.getpid()} on ")
    assert message.endswith(f"holds {tmp_path / 'acme.lock'}; run this again when it has "
                            "finished (the lock goes with its process, even if it is killed)")


def test_without_a_wait_a_busy_lock_is_refused_at_once(tmp_path: Path) -> None:
    clock = FakeClock()
    with CspLock(tmp_path, "acme", "provision"), pytest.raises(CspBusy):
        CspLock(tmp_path, "acme", "teardown", sleep=clock.sleep, now=clock.now).__enter__()
    assert clock.slept == []


def test_a_lock_released_while_waiting_is_taken(tmp_path: Path) -> None:
    first = CspLock(tmp_path, "acme", "provision").__enter__()
    clock = FakeClock(on_sleep=lambda n: first.__exit__() if n == 2 else None)
    with CspLock(tmp_path, "acme", "scale", wait=10.0, sleep=clock.sleep, now=clock.now):
        assert '"command": "scale"' in (tmp_path / "acme.lock").read_text()
    assert clock.slept == [0.2, 0.2]
    assert (tmp_path / "acme.lock").read_text() == ""  # released: the holder is forgotten
