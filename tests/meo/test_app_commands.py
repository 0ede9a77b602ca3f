"""`osm-mec app deploy|remove` on a CSP's edge: the CSP's state file names its Edge OSM (a
sandbox with its Kafka bus, standing in for the Edge OSM a provision brings up: an
embedded provision's OSMs end with the command) and a real MEP registers the application.
The OSM operations are timed into the CSP's timings file, from the Edge OSM's Kafka
records."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from osm_mec.appd import load_appd, package_ids
from osm_mec.cli.meo_commands import app_group
from osm_mec.core.secret_files import write_secret_file
from osm_mec.osm.nbi import NbiClient

from .conftest import MEP_ADMIN
from .servers import REPO

APPD = REPO / "examples/mecapp-appd.yaml"


@pytest.fixture()
def csp(edge, mep, tmp_path) -> dict[str, Path | str]:
    state_dir = tmp_path / "state"
    write_secret_file(state_dir / "acme.json", json.dumps({
        "csp": "acme", "model": "b2b2c", "objects": {
            "edge-osm": {"url": edge.url, "kafka": edge.kafka_bootstrap},
            "edge-vim": {"name": "edge-vim", "osm": "edge"}}}))
    c = edge.credentials
    write_secret_file(tmp_path / "edge.yaml", yaml.safe_dump(
        {"user": c.user, "password": c.password, "project": c.project}))
    write_secret_file(tmp_path / "mep-token", MEP_ADMIN + "\n")
    return {"state": state_dir, "timings": tmp_path / "timings",
            "args": ["--csp", "acme", "--state-dir", str(state_dir), "--timings-dir",
                     str(tmp_path / "timings"), "--osm-credentials", str(tmp_path / "edge.yaml"),
                     "--mep-url", mep.url, "--mep-token-file", str(tmp_path / "mep-token"),
                     "--json"]}


def test_deploy_and_remove_an_app_from_its_appd(csp, edge, mep):
    deployed = CliRunner().invoke(app_group, ["deploy", str(APPD), "--chart",
                                              str(REPO / "helm/mec-app"), *csp["args"]])
    assert deployed.exit_code == 0, deployed.output
    result = json.loads(deployed.output[deployed.output.index("{"):])
    assert result["appDId"] == "osm-mec-sample-app-0.1.0" and result["simulated"] is True
    osm = NbiClient(edge.url, edge.credentials)
    ns = osm.find_ns(result["ns"])
    assert ns["nsState"] == "READY" and ns["_id"] == result["ns_id"]
    admin = {"Authorization": f"Bearer {MEP_ADMIN}"}
    assert httpx.get(f"{mep.url}/mec_platform_mgmt/v1/app_instances/"
                     f"{result['appInstanceId']}", headers=admin).status_code == 200

    again = CliRunner().invoke(app_group, ["remove", str(APPD), *csp["args"]])
    assert again.exit_code == 0, again.output
    assert osm.find_ns(result["ns"]) is None
    ids = package_ids(load_appd(APPD))
    assert osm.find_package("ns", ids.ns) is None and osm.find_package("vnf", ids.cnf) is None
    timings = [json.loads(line) for line in
               (csp["timings"] / "acme.jsonl").read_text().splitlines()]
    assert [(t["operation"], t["ns_name"], t["source"], t["state"]) for t in timings] == [
        ("instantiate", result["ns"], "kafka", "COMPLETED"),
        ("terminate", result["ns"], "kafka", "COMPLETED")]


def test_bad_input_is_named(csp, tmp_path):
    runner = CliRunner()
    no_chart = runner.invoke(app_group, ["deploy", str(APPD), *csp["args"]])
    assert no_chart.exit_code == 2 and "--chart" in no_chart.output
    other = runner.invoke(app_group, ["deploy", str(APPD), "--chart", str(REPO / "helm/mec-app"),
                                      *[a.replace("acme", "nobody") for a in csp["args"]]])
    assert other.exit_code == 2 and "provision --csp nobody" in other.output
    unknown = runner.invoke(app_group, ["remove", "no-such-app", *csp["args"]])
    assert unknown.exit_code == 2 and "no-such-app" in unknown.output
    open_token = tmp_path / "open-token"
    open_token.write_text("x\n")
    open_token.chmod(0o644)
    args = list(csp["args"])
    args[args.index("--mep-token-file") + 1] = str(open_token)
    exposed = runner.invoke(app_group, ["remove", "no-such-app", *args])
    assert exposed.exit_code == 2 and "chmod 600" in exposed.output
