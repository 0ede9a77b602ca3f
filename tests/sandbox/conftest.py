"""Sandbox fixtures: a running sandbox OSM (real HTTP server, real Kafka protocol broker from
librdkafka's mock cluster), a client logged in to it, a Kafka listener, onboarded packages."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient, RetryPolicy
from osm_mec.osm.waiting import OperationListener
from osm_mec.sandbox import Sandbox

CREDENTIALS = Credentials("admin", "sandbox pass w/ spaces", "admin")
VNF_PACKAGES = ("k8s_cluster_vnf", "mec_blocks_cnf", "edge_mano_cnf", "mec_app_cnf",
                "baseline_vnf", "baseline_cnf")
NS_PACKAGES = ("k8s_osm_cluster_ns", "mec_env_ns", "mec_app_ns", "baseline_vnf_ns",
               "baseline_cnf_ns")
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


def client_for(sandbox: Sandbox, **kwargs) -> NbiClient:
    kwargs.setdefault("retry", FAST_RETRY)
    return NbiClient(sandbox.url, sandbox.credentials, verify=sandbox.verify, seed=1, **kwargs)


def onboard(client: NbiClient, built: Path, names=VNF_PACKAGES + NS_PACKAGES) -> dict[str, str]:
    """Upload built packages (VNFs first); package name -> _id."""
    ids = {}
    for name in names:
        kind = "ns" if name.endswith("_ns") else "vnf"
        ids[name] = client.upload_package(kind, (built / f"{name}.tar.gz").read_bytes(),
                                          f"{name}.tar.gz", f"mecaas_{name}")
    return ids


@pytest.fixture()
def make_sandbox() -> Iterator:
    """Start sandboxes with any options; all stopped at the end of the test."""
    started: list[Sandbox] = []

    def make(**kwargs) -> Sandbox:
        kwargs.setdefault("time_scale", 0)
        kwargs.setdefault("seed", 7)
        sandbox = Sandbox(CREDENTIALS, **kwargs).start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """A module-wide sandbox at time scale 0."""
    with Sandbox(CREDENTIALS, time_scale=0, seed=7) as running:
        yield running


@pytest.fixture(scope="module")
def listener(sandbox: Sandbox) -> Iterator[OperationListener]:
    listening = OperationListener(sandbox.kafka_bootstrap)
    yield listening
    listening.close()


@pytest.fixture(scope="module")
def onboarded(sandbox: Sandbox, built: Path) -> dict[str, str]:
    return onboard(client_for(sandbox), built)


@pytest.fixture()
def client(sandbox: Sandbox) -> NbiClient:
    return client_for(sandbox)
