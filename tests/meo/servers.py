"""Real servers for the facade's tests: an Edge OSM (the embedded sandbox, the same code
the chain's Edge OSMs run, at time scale 0) with a VIM account and an ENABLED K8s cluster,
the facade under uvicorn in a thread, and the sample application's AppD package."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from osm_mec.appd import load_chart
from osm_mec.appd.writer import appd_package_bytes
from osm_mec.meo import MeoContext, MeoSettings, build_context, create_app
from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient
from osm_mec.osm.waiting import OperationListener
from osm_mec.sandbox import Sandbox

from ..net import free_port

REPO = Path(__file__).resolve().parents[2]
EDGE_VIM = "edge-vim"
ADMIN = "meo-admin-token"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


def sample_package(appd_id: str | None = None) -> bytes:
    """The sample MEC application's AppD package (AppD + its chart), optionally with
    another appDId (each test onboards its own)."""
    text = (REPO / "examples/mecapp-appd.yaml").read_text()
    if appd_id:
        text = text.replace("appDId: osm-mec-sample-app-0.1.0", f"appDId: {appd_id}")
    return appd_package_bytes(text.encode(), "mecapp-appd.yaml", load_chart(str(REPO / "helm/mec-app")))


def edge_osm(time_scale: float = 0) -> Sandbox:
    """An Edge OSM sandbox with the applications' VIM account and an ENABLED cluster."""
    edge = Sandbox(Credentials("admin", secrets.token_urlsafe(12), "admin"),
                   time_scale=time_scale,
                   vims=(EDGE_VIM,), name="edge:meo-tests").start()
    client = NbiClient(edge.url, edge.credentials)
    vim = client.find_admin("vim", EDGE_VIM)
    assert vim is not None
    cluster = client.create_admin("k8scluster", {
        "name": "meo-edge-cluster", "vim_account": vim["_id"], "k8s_version": "1.30",
        "nets": {"net1": None}, "credentials": {"apiVersion": "v1", "kind": "Config",
                                                "clusters": [], "users": [], "contexts": []}})
    client.wait_for_admin("k8scluster", cluster, timeout=30)
    return edge


class MeoServer:
    """The facade served by uvicorn in a thread on a free loopback port."""

    def __init__(self, edge_url: str, credentials: Credentials, state_dir: Path,
                 mep: tuple[str, str] | None = None, kafka: str | None = None,
                 vim_account: str = EDGE_VIM, **settings: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.listener = OperationListener(kafka) if kafka else None
        self.meo: MeoContext = build_context(
            MeoSettings(public_url=self.url, state_dir=state_dir, **settings),
            lambda: NbiClient(edge_url, credentials, timeout=30), ADMIN, vim_account, mep,
            self.listener)
        self.server = uvicorn.Server(uvicorn.Config(create_app(self.meo), host="127.0.0.1",
                                                    port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> MeoServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the facade did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.meo.store.close()
        if self.listener is not None:
            self.listener.close()
