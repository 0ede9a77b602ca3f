"""`osm-mec provision --appd`: the CSP's first MEC app deployed from its AppD (through the
MEC 010-2 facade's code) on the CSP's Edge OSM instead of the sample app, on a sandbox
started for the test and kept across the commands (--osm-url, as a real OSM would be).
The sandbox's Edge OSMs are real HTTP NBIs with a Kafka bus (librdkafka's mock cluster);
their LCM is the sandbox's simulation (no Juju, Helm or Kubernetes here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from osm_mec.appd import load_appd, package_ids
from osm_mec.chain import names
from osm_mec.chain.apps import edge_of, facade_state
from osm_mec.chain.state import CspState
from osm_mec.cli.commands import cli
from osm_mec.offer.profile import default_profile
from osm_mec.osm.nbi import NbiClient

from .conftest import b2c_profile

REPO = Path(__file__).resolve().parents[2]
APPD = REPO / "examples/mecapp-appd.yaml"
CHART = REPO / "helm/mec-app"


@pytest.fixture()
def chain_cli(osm, tmp_path: Path):
    """(sandbox, invoke(command, *args) -> click Result) against one sandbox."""
    sandbox, options = osm()

    def invoke(command: str, *args: str):
        return CliRunner().invoke(cli, [
            command, "--csp", "acme", *args, "--osm-url", options.osm_url,
            "--osm-credentials", str(options.credentials_file), "--kafka", options.kafka,
            "--state-dir", str(tmp_path / "state"), "--timings-dir", str(tmp_path / "timings"),
            "--json"])
    return sandbox, invoke


def _edge(tmp_path: Path) -> NbiClient:
    """The CSP's Edge OSM, logged in as the CSP (the state file names it)."""
    url, _, credentials = edge_of(CspState.load(tmp_path / "state", "acme"),
                                  lambda: pytest.fail("the CSP has no Edge OSM account"))
    return NbiClient(url, credentials)


def _mecapp_ns(edge: NbiClient) -> list[dict]:
    return [ns for ns in edge.list_ns() if ns["name"].startswith("mecapp-")]


def test_provision_appd_deploys_resumes_and_tears_down(chain_cli, tmp_path: Path):
    sandbox, invoke = chain_cli
    done = invoke("provision", "--appd", str(APPD), "--app-chart", str(CHART))
    assert done.exit_code == 0, done.output
    app = json.loads(done.stdout)["objects"][names.APP.key]
    assert app["appd"] == load_appd(APPD).appd_id and app["osm"] == "edge"
    edge = _edge(tmp_path)
    ns = edge.find_ns(app["name"])
    assert ns is not None and ns["nsState"] == "READY" and ns["_id"] == app["id"]
    # instead of the sample app, not beside it
    assert edge.find_ns(names.APP.ns_name(default_profile(), "acme")) is None
    assert facade_state(tmp_path / "state" / "acme.json").is_dir()
    timings = [json.loads(line) for line in
               (tmp_path / "timings" / "acme.jsonl").read_text().splitlines()]
    assert [(t["ns_package"], t["osm"], t["state"]) for t in timings
            if t["ns_name"] == app["name"]] == [("mec-app-ns", "edge", "COMPLETED")]

    again = invoke("provision", "--appd", str(APPD), "--app-chart", str(CHART))
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["objects"][names.APP.key] == app
    assert [n["_id"] for n in _mecapp_ns(edge)] == [app["id"]]
    plain = invoke("provision")  # without --appd: the recorded app is kept, no sample app
    assert plain.exit_code == 0, plain.output
    assert [n["_id"] for n in _mecapp_ns(edge)] == [app["id"]]
    assert edge.find_ns(names.APP.ns_name(default_profile(), "acme")) is None

    gone = invoke("teardown")
    assert gone.exit_code == 0, gone.output
    assert not facade_state(tmp_path / "state" / "acme.json").exists()
    assert not (tmp_path / "state" / "acme.json").exists()
    main = NbiClient(sandbox.url, sandbox.credentials)
    assert main.list_ns() == []
    timings = [json.loads(line) for line in
               (tmp_path / "timings" / "acme.jsonl").read_text().splitlines()]
    assert sorted(t["operation"] for t in timings if t["ns_name"] == app["name"]) == [
        "instantiate", "terminate"]
    assert {t["ns_package"] for t in timings if t["ns_name"] == app["name"]} == {"mec-app-ns"}


def test_teardown_removes_the_app_and_its_packages_from_a_kept_edge(chain_cli, tmp_path):
    """A rollback-like teardown of the app alone: NS and AppD packages leave the Edge OSM."""
    from osm_mec.chain.progress import quiet
    from osm_mec.chain.run import run_for_csp
    from osm_mec.chain.session import OsmOptions, Session
    from osm_mec.chain.teardown import teardown

    sandbox, invoke = chain_cli
    assert invoke("provision", "--appd", str(APPD), "--app-chart", str(CHART)).exit_code == 0
    app = CspState.load(tmp_path / "state", "acme").get(names.APP.key)
    creds = next(tmp_path.glob("osm-*.yaml"))
    options = OsmOptions(osm_url=sandbox.url, credentials_file=creds,
                         kafka=sandbox.kafka_bootstrap)
    with Session(options) as session:
        run_for_csp(session, default_profile(), "acme", tmp_path / "state",
                    tmp_path / "timings", lambda chain: teardown(chain, {names.APP.key}),
                    quiet())
    edge = _edge(tmp_path)
    assert edge.find_ns(app["name"]) is None and _mecapp_ns(edge) == []
    ids = package_ids(load_appd(APPD))
    assert edge.find_package("ns", ids.ns) is None and edge.find_package("vnf", ids.cnf) is None
    assert CspState.load(tmp_path / "state", "acme").get(names.APP.key) is None


def test_bad_appd_exits_2_before_anything_is_created(chain_cli, tmp_path: Path):
    sandbox, invoke = chain_cli
    bad = tmp_path / "bad-appd.yaml"
    data = yaml.safe_load(APPD.read_text())
    data.pop("appDId")
    bad.write_text(yaml.safe_dump(data))
    broken = invoke("provision", "--appd", str(bad), "--app-chart", str(CHART))
    assert broken.exit_code == 2 and "bad-appd.yaml" in broken.output, broken.output
    assert "appDId" in broken.output and "Traceback" not in broken.output
    no_chart = invoke("provision", "--appd", str(APPD))
    assert no_chart.exit_code == 2 and "--chart" in no_chart.output
    chart_alone = invoke("provision", "--app-chart", str(CHART))
    assert chart_alone.exit_code == 2 and "--appd" in chart_alone.output
    main = NbiClient(sandbox.url, sandbox.credentials)
    assert main.list_ns() == [] and main.list_packages("ns") == []
    assert not (tmp_path / "state" / "acme.json").exists()


def test_appd_needs_the_b2b2c_model(chain_cli, tmp_path: Path):
    sandbox, invoke = chain_cli
    profile = tmp_path / "b2c.yaml"
    profile.write_text(yaml.safe_dump(dict(b2c_profile().data)))
    refused = invoke("provision", "--profile", str(profile), "--appd", str(APPD),
                     "--app-chart", str(CHART))
    assert refused.exit_code == 2 and "b2b2c" in refused.output, refused.output
    assert NbiClient(sandbox.url, sandbox.credentials).list_ns() == []


def test_the_demo_deploys_the_sample_app_from_its_appd(tmp_path: Path):
    from osm_mec.chain.demo import run_demo

    text = run_demo("demo", 0, 1, tmp_path / "demo")
    assert "| mec-app-ns | instantiate | 1 |" in text
    timings = [json.loads(line) for line in
               (tmp_path / "demo" / "timings" / "demo.jsonl").read_text().splitlines()]
    app = [(t["operation"], t["osm"]) for t in timings if t["ns_package"] == "mec-app-ns"]
    assert app == [("instantiate", "edge"), ("terminate", "edge")]
    assert all(t["ns_name"].startswith("mecapp-") for t in timings
               if t["ns_package"] == "mec-app-ns")
