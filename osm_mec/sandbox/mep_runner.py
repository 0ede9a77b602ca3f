"""A real MEP for the sandbox's MEP KDU: Debian's ``redis-server`` (on a unix socket in a
private temporary folder, no persistence) and our MEP application (``osm_mec.mep``) under
uvicorn in a thread on a free loopback port, with the admin token the KDU's Secret holds.

Unlike the real chart's pods, both run on this machine; the simulated cluster then says the
MEP KDU's NodePort is the MEP's port (``kube_sim.SimulatedClusters.serve``). The MEP is
imported only when a KDU needs it: without osm-mec's ``mep`` extra or without
``redis-server``, ``WorkloadFailed`` says what to install."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .served_app import ServedApp, WorkloadFailed, wait_started

__all__ = ["RedisProcess", "RunningMep", "WorkloadFailed"]
# callbacks go to workloads the sandbox runs, all on loopback: the MEP must allow it
SANDBOX_CALLBACK_NETWORKS = ["127.0.0.0/8"]


def _redis_answers(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(1.0)
            conn.connect(str(path))
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisProcess:
    """``redis-server`` on a unix socket in `folder` (no TCP port, nothing saved)."""

    def __init__(self, folder: Path) -> None:
        self.socket = folder / "redis.sock"
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}?db=0"

    def start(self) -> RedisProcess:
        binary = shutil.which("redis-server")
        if binary is None:
            raise WorkloadFailed("redis-server is not installed: the sandbox runs the MEP "
                                 "with Debian's redis-server (apt-get install redis-server, "
                                 "or run scripts/install.sh)")
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm",
             "700", "--dir", str(self.folder), "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--logfile", ""],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        process = self.process
        try:
            wait_started(lambda: _redis_answers(self.socket), lambda: process.poll() is None,
                         f"redis-server did not start (socket {self.socket})")
        except WorkloadFailed:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None


def _mep_application(admin_token: str, redis_url: str, public_url: str) -> Any:
    try:
        from ..mep import Settings, create_app  # only when a MEP KDU runs: the [mep] extra
    except ImportError as exc:
        raise WorkloadFailed(f"the MEP cannot run here ({exc}): install osm-mec with its "
                             "mep extra (pip install 'osm-mec[mep]', or run "
                             "scripts/install.sh)") from None
    settings = Settings(redis_url=redis_url, public_url=public_url,
                        allowed_callback_networks=list(SANDBOX_CALLBACK_NETWORKS))
    return create_app(settings, admin_token)


class RunningMep:
    """A MEP and its Redis, started together and stopped together."""

    def __init__(self, admin_token: str) -> None:
        self._token = admin_token
        self._folder = tempfile.TemporaryDirectory(prefix="osm-mec-mep-")
        self.redis = RedisProcess(Path(self._folder.name))
        self.served = ServedApp("mep")
        self.host, self.port = self.served.host, self.served.port

    @property
    def url(self) -> str:
        return self.served.url

    def start(self) -> RunningMep:
        try:
            app = _mep_application(self._token, self.redis.url, self.url)
            self.redis.start()
            self.served.start(app)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.served.stop()
        self.redis.stop()
        self._folder.cleanup()
