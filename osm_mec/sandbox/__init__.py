"""The embedded OSM sandbox: an NBI-compatible HTTP server, a simulated LCM on a simulated
clock and OSM's Kafka records on a real Kafka protocol broker (librdkafka's mock cluster
unless one is given). An Edge-MANO KDU brings up a second sandbox as the Edge OSM; a MEP KDU
whose values name ``adminTokenSecret`` a real MEP with its own redis-server, and a sample
app KDU with ``mep.existingSecret`` the real sample application (``kdu_workloads``).

    with Sandbox(credentials, time_scale=0) as sandbox:
        sandbox.url, sandbox.kafka_bootstrap
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..osm.credentials import Credentials
from ..osm.kafka_bus import Publisher
from .engine import SandboxOsm
from .faults import Faults
from .server import NbiServer
from .timing import derived_seed
from .tls import self_signed

log = logging.getLogger(__name__)
DEFAULT_VIMS = ("nsp-vim", "edge-vim")
DEFAULT_TIME_SCALE = 0.01
TOPICS = ("ns", "vnfd", "nsd", "vim_account", "k8scluster", "users", "project")
# a Charmed OSM's NBI creates this user when its user database is empty (the bundle has no
# option for another one): every Edge OSM starts with it, whatever the Main OSM's password
CHARMED_OSM_INITIAL = Credentials("admin", "admin", "admin")


class Sandbox:
    """One sandbox OSM (and the Edge OSMs its Edge-MANO KDUs bring up)."""

    def __init__(self, credentials: Credentials, port: int = 0, kafka: str | None = None,
                 time_scale: float = DEFAULT_TIME_SCALE, seed: int | None = None,
                 faults: Faults | None = None, vims: tuple[str, ...] = DEFAULT_VIMS,
                 tls: bool = False, token_lifetime: float = 3600.0, name: str = "main",
                 on_edge: Callable[[Sandbox], None] | None = None) -> None:
        self.credentials = credentials
        self.time_scale, self.seed, self.tls, self.name = time_scale, seed, tls, name
        self.on_edge = on_edge
        self.edges: list[Sandbox] = []
        self._lock = threading.Lock()
        self._tmp = tempfile.TemporaryDirectory(prefix="osm-mec-sandbox-") if tls else None
        self.ca_file: Path | None = None
        context = None
        if self._tmp is not None:
            self.ca_file, context = self_signed(Path(self._tmp.name))
        self.publisher = Publisher(kafka, TOPICS)
        self.osm = SandboxOsm(credentials, time_scale, seed, faults,
                              self.publisher.publish, self._launch_edge, vims,
                              token_lifetime, name)
        self.server = NbiServer(self.osm, port=port, tls=context)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def kafka_bootstrap(self) -> str:
        return self.publisher.bootstrap

    @property
    def verify(self) -> bool | str:
        """What an NbiClient needs to verify this sandbox's TLS certificate."""
        return str(self.ca_file) if self.ca_file else True

    def _launch_edge(self, label: str, cluster_id: str, namespace: str
                     ) -> tuple[str, Callable[[], None]]:
        """Start an Edge OSM (own port, own broker, Charmed OSM's initial admin user) as
        application ``nbi`` of `namespace` on cluster `cluster_id`; (Kafka, stop)."""
        edge = Sandbox(CHARMED_OSM_INITIAL, time_scale=self.time_scale,
                       seed=derived_seed(self.seed, label),
                       vims=(), name=f"edge:{label}")  # plain http, as Charmed OSM
        edge.start()
        with self._lock:
            self.edges.append(edge)
        self.osm.kube.serve(cluster_id, namespace, "nbi", edge.server.host, edge.server.port)
        if self.on_edge:
            self.on_edge(edge)
        log.info("Edge OSM %s at %s (Kafka %s)", label, edge.url, edge.kafka_bootstrap)

        def stop() -> None:
            self.osm.kube.forget(cluster_id, namespace)
            with self._lock:
                if edge in self.edges:
                    self.edges.remove(edge)
            edge.stop()

        return edge.kafka_bootstrap, stop

    def start(self) -> Sandbox:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
        self.osm.stop()
        self.publisher.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
