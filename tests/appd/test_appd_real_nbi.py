"""The application packages an AppD gives, judged by OSM's real NBI (the harness of
``../shared/osm-nbi``: OSM's unmodified NBI code and information model, no LCM): both
packages onboard (201) with a bundled chart and with a Helm repository reference, and the
NS is created and instantiated with ``ns_config`` (accepted, 201; it stays PROCESSING
without LCM). The harness's DB is shared by the session, so every appDId here is our own."""

from __future__ import annotations

from typing import Any

import pytest

from osm_mec.appd import app_packages, load_appd, load_chart, ns_config, package_ids
from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient, NbiError

from ..realnbi.dummies import dummy_vim_with_cluster
from .helpers import CHART_DIR, appd_bytes, example_data


@pytest.fixture(scope="module")
def nbi(real_nbi) -> NbiClient:
    return NbiClient(real_nbi.url, Credentials(real_nbi.user, real_nbi.password,
                                               real_nbi.project), timeout=30)


@pytest.fixture(scope="module")
def vim_id(nbi: NbiClient) -> str:
    """A dummy VIM and a K8s cluster on it (NBI looks one up for a KNF's instantiation)."""
    return dummy_vim_with_cluster(nbi, "appd-real")


def _appd(appd_id: str) -> Any:
    data = example_data()
    data["appDId"] = appd_id
    return load_appd(appd_bytes(data), f"{appd_id}.yaml")


def _onboard(nbi: NbiClient, appd: Any, chart_ref: str) -> str:
    """Upload the CNF then the NS package; the NSD's _id."""
    nsd_id = ""
    for package in app_packages(appd, load_chart(chart_ref)):
        try:
            nsd_id = nbi.upload_package(package.kind, package.archive(),
                                        f"{package.name}.tar.gz", package.name)
        except NbiError as exc:
            pytest.fail(f"NBI refused {package.name}: {exc}", pytrace=False)
    return nsd_id


@pytest.mark.parametrize("chart_ref", [str(CHART_DIR), "osm-mec/mec-app"],
                         ids=["bundled-chart", "repository-chart"])
def test_the_packages_onboard_and_the_ns_instantiates(nbi, vim_id, chart_ref):
    appd_id = f"rnappd-{'bundled' if chart_ref == str(CHART_DIR) else 'repo'}"
    appd = _appd(appd_id)
    ids = package_ids(appd)
    nsd_id = _onboard(nbi, appd, chart_ref)
    vnfd = nbi.find_package("vnf", ids.cnf)
    assert vnfd is not None and vnfd["kdu"][0]["name"] == ids.kdu
    config = ns_config(appd, ids, "acme-apps")
    try:
        ns_id, op_id = nbi.create_ns(f"{appd_id}-acme", nsd_id, vim_id, config=config)
    except NbiError as exc:
        pytest.fail(f"NBI refused the NS with ns_config's parameters: {exc}", pytrace=False)
    op = nbi.get_operation(op_id)
    assert op["lcmOperationType"] == "instantiate"
    kdu_params = op["operationParams"]["additionalParamsForVnf"]
    assert ids.kdu in str(kdu_params) and "256Mi" in str(kdu_params)
    assert nbi.get_ns(ns_id)["nsd-id"] == nsd_id
