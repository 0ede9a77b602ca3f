"""One chain command per CSP at a time: an advisory lock on ``<state dir>/<csp>.lock``
(``flock``, released by the kernel when its holder ends, even on SIGKILL). The file names
its holder (command, pid, host, start time) for the message a second run gets."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from ..core.errors import UsageError
from ..core.retry import Backoff, Clock, Sleep, poll

POLLING = Backoff(0.2, factor=1.0)  # try the lock again every 0.2 s while waiting


class CspBusy(UsageError):
    """Another command holds the CSP's lock (exit 2)."""


def _try_lock(fd: int) -> bool | None:
    """True once the lock on ``fd`` is ours; None while another process holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return None
    return True


class CspLock:
    """``with CspLock(state_dir, csp, "provision"):`` - waits up to `wait` seconds (on the
    given clock and sleep)."""

    def __init__(self, state_dir: Path, csp: str, command: str, wait: float = 0.0,
                 sleep: Sleep = time.sleep, now: Clock = time.monotonic) -> None:
        self.path = state_dir / f"{csp}.lock"
        self.csp, self.command, self.wait = csp, command, wait
        self.sleep, self.now = sleep, now
        self._fd: int | None = None

    def _holder(self) -> str:
        try:
            holder: dict[str, Any] = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            holder = {}
        if not holder:
            return "another osm-mec command"
        started = time.strftime("%H:%M:%S UTC", time.gmtime(float(holder.get("since", 0))))
        return (f"`osm-mec {holder.get('command', '?')}` (pid {holder.get('pid', '?')} on "
                f"{holder.get('host', '?')}, since {started})")

    def __enter__(self) -> CspLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        if poll(lambda: _try_lock(fd), self.wait, POLLING, self.sleep, self.now) is None:
            os.close(fd)
            raise CspBusy(f"CSP {self.csp} is busy: {self._holder()} holds {self.path}; run "
                          "this again when it has finished (the lock goes with its process, "
                          "even if it is killed)")
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"command": self.command, "pid": os.getpid(),
                                 "host": socket.gethostname(), "since": time.time()}).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
