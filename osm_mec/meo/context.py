"""What every part of the facade needs: settings, the store, the Edge OSM, the MEP, the
notifier, and the background workers that follow OSM's operations."""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from ..osm.kube import KubeApi
from ..osm.mep_access import FileDrop, MepAccess, SecretDrop
from ..osm.mep_client import MepClient
from .edge import EdgeOsm
from .notify import Notifier
from .problems import UNAUTHORIZED, Problem
from .store import Store

log = logging.getLogger("osm_mec.meo")
PKGM_BASE, LCM_BASE = "/app_pkgm/v1", "/app_lcm/v1"


@dataclass
class MeoSettings:
    """`osm-mec meo serve` fills them from its flags."""

    public_url: str
    state_dir: Path
    max_package_bytes: int = 64 * 2**20
    notify_max_attempts: int = 8
    notify_first_backoff: float = 0.2

    @property
    def database(self) -> Path:
        return self.state_dir / "meo.sqlite3"

    @property
    def packages_dir(self) -> Path:
        return self.state_dir / "packages"

    @property
    def credentials_dir(self) -> Path:
        return self.state_dir / "app-credentials"

    def link(self, path: str) -> dict[str, str]:
        return {"href": f"{self.public_url.rstrip('/')}{path}"}


class Workers:
    """Background threads (one per LCM operation being followed), stopped together."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    def spawn(self, name: str, target: Callable[[], None]) -> None:
        def run() -> None:
            try:
                target()
            except Exception:
                log.exception("worker %s failed", name)

        thread = threading.Thread(target=run, name=name, daemon=True)
        with self._lock:
            self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()

    def join(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        with self._lock:
            threads = list(self.threads)
        for thread in threads:
            thread.join(timeout)


@dataclass
class MeoContext:
    settings: MeoSettings
    store: Store
    edge: EdgeOsm
    mep: MepClient | None
    notifier: Notifier
    admin_token: str = field(repr=False)
    workers: Workers = field(default_factory=Workers)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # the Kubernetes API of the cluster the applications are deployed to (the edge
    # cluster, as the Edge OSM holds it): their MEP credentials go there as Secrets; None
    # (the standalone facade): to 0600 files in settings.credentials_dir, for the operator
    app_cluster: KubeApi | None = None

    @property
    def mep_access(self) -> MepAccess | None:
        """The MEP and where applications' credentials go; None without a MEP."""
        if self.mep is None:
            return None
        if self.app_cluster is not None:
            return MepAccess(self.mep, SecretDrop(self.app_cluster))
        return MepAccess(self.mep, FileDrop(self.settings.credentials_dir))


def ctx(request: Request) -> MeoContext:
    meo: MeoContext = request.app.state.meo
    return meo


def authorized(request: Request) -> None:
    """The CSP operator's bearer token (the facade's admin token) is required."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    expected = ctx(request).admin_token
    if scheme.lower() != "bearer" or not token.strip() or \
            not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Problem(401, "the operator's bearer token is required "
                           "(Authorization: Bearer <token from the admin token file>)",
                      UNAUTHORIZED)
