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

POLL = 0.2


class CspBusy(UsageError):
    """Another command holds the CSP's lock (exit 2)."""


class CspLock:
    """``with CspLock(state_dir, csp, "provision"):`` - waits up to `wait` seconds."""

    def __init__(self, state_dir: Path, csp: str, command: str, wait: float = 0.0) -> None:
        self.path = state_dir / f"{csp}.lock"
        self.csp, self.command, self.wait = csp, command, wait
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
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise CspBusy(f"CSP {self.csp} is busy: {self._holder()} holds "
                                  f"{self.path}; run this again when it has finished (the "
                                  "lock goes with its process, even if it is killed)") from None
                time.sleep(POLL)
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
