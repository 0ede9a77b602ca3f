"""An ASGI application the sandbox runs for a KDU (its MEP, a sample MEC app): uvicorn in a
thread, on a loopback port held from the start (no race for a "free" port), stopped by
asking uvicorn to exit."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

from ..core.retry import Backoff, poll

HOST = "127.0.0.1"
START_TIMEOUT = 10.0  # seconds a workload gets to answer
START_POLL = Backoff(0.005, factor=1.0)


class WorkloadFailed(Exception):
    """A workload of a KDU could not start; the message says why and what to do."""


def wait_started(ready: Callable[[], bool], alive: Callable[[], bool], failure: str) -> None:
    """Until `ready()`, for START_TIMEOUT s; WorkloadFailed(`failure`) when the process or
    thread is gone (`alive()` false) or the time is up."""
    def check() -> bool | None:
        if ready():
            return True
        if not alive():
            raise WorkloadFailed(failure)
        return None

    if poll(check, START_TIMEOUT, START_POLL) is None:
        raise WorkloadFailed(failure)


class ServedApp:
    """One ASGI application under uvicorn on HOST:<a port the system picked>."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((HOST, 0))
        self.host, self.port = HOST, int(self._listener.getsockname()[1])
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, app: Any) -> ServedApp:
        """Serve `app` (uvicorn is imported here: a dependency of osm-mec's mep extra)."""
        try:
            import uvicorn
        except ImportError:
            raise WorkloadFailed(f"{self.name} cannot run here: uvicorn is missing; install "
                                 "osm-mec with its mep extra (pip install 'osm-mec[mep]', or "
                                 "run scripts/install.sh)") from None
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                                     access_log=False))
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._listener]},
                                        name=f"sandbox-{self.name}-{self.port}", daemon=True)
        self._thread.start()
        thread = self._thread
        wait_started(lambda: bool(self._server.started), thread.is_alive,
                     f"{self.name} did not start on {self.url}")
        return self

    def request_exit(self) -> None:
        """Ask uvicorn to stop (what SIGTERM does to the real pod's process)."""
        if self._server is not None:
            self._server.should_exit = True

    def stop(self) -> None:
        self.request_exit()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._listener.close()
