"""`osm-mec provision`, `scale` and `teardown --osm-url` against OSM's real NBI
(``../shared/osm-nbi``) with the harness's LCM stand-in (`real_nbi_lcm`: not OSM code, the
one stand-in here because no LCM, RO or Juju can run; it completes every operation after
100 ms and deploys nothing). The chain goes as far as data that only a real LCM produces
(a primitive's results, VNF records of new VMs, KDU services) and then stops with a message
naming what is missing and why, exit 1, never a traceback; teardown removes what was made.
Clusters registered by hand name a local Kubernetes API-server double in their kubeconfig
(tests/osm/test_kube_api.py; no Kubernetes runs here): the chain puts the MEP's admin token
there as a Secret before mec-env-ns.

Each test has its own CSP, VIM accounts and profile prefix: the harness's DB is shared by
the whole session.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from osm_mec.cli.commands import cli
from osm_mec.core.secret_files import write_secret_file
from osm_mec.offer.profile import default_profile
from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient

from ..osm.test_kube_api import FakeApiServer
from .test_client_real import cluster_body, vim_body

LCM_GAP = "OSM's LCM did not produce it"


def _client(harness) -> NbiClient:
    return NbiClient(harness.url, Credentials(harness.user, harness.password, harness.project))


class ChainRun:
    """osm-mec's chain commands against the harness for one CSP, as a user types them."""

    def __init__(self, harness, tmp: Path, csp: str, model: str, credentials_file: bool,
                 workers: int = 1) -> None:
        self.harness, self.csp = harness, csp
        self.prefix = f"h3{model}w{workers}"  # one package set per profile
        self.client = _client(harness)
        data = yaml.safe_load(yaml.safe_dump(dict(default_profile().data)))
        data.update(name_prefix=self.prefix, model=model)
        data["workers"].update(initial=workers, min=1)
        profile = tmp / f"{csp}-profile.yaml"
        profile.write_text(yaml.safe_dump(data))
        self.vims = {"nsp": f"{csp}-nsp-vim", "edge": f"{csp}-edge-vim"}
        self.vim_ids = {site: self.client.create_admin("vim", vim_body(name))
                        for site, name in self.vims.items()}
        self.args = ["--csp", csp, "--osm-url", harness.url, "--profile", str(profile),
                     "--vim", self.vims["nsp"], "--edge-vim", self.vims["edge"],
                     "--state-dir", str(tmp / "state"), "--timings-dir", str(tmp / "timings")]
        self.env = {"OSM_PASSWORD": harness.password, "OSM_HOSTNAME": None, "OSM_URL": None,
                    "OSM_EDGE_VIM_PASSWORD": "edge vim secret"}
        if credentials_file:  # the other way in: a 0600 file instead of the environment
            creds = tmp / "osm.yaml"
            write_secret_file(creds, yaml.safe_dump({"user": harness.user, "password":
                                                     harness.password,
                                                     "project": harness.project}))
            self.args += ["--osm-credentials", str(creds)]
            self.env["OSM_PASSWORD"] = None
        self.state = tmp / "state" / f"{csp}.json"

    def __call__(self, *command: str) -> Result:
        head, tail = (list(command[:2]), list(command[2:])) if command[0] == "scale" else \
            ([command[0]], list(command[1:]))
        result = CliRunner(env=self.env).invoke(cli, head + self.args + tail)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            "".join(__import__("traceback").format_exception(result.exception))
        return result

    def register_cluster(self, site: str, kubeconfig: dict | None = None) -> None:
        """Register the CSP's cluster as an operator would (`osm k8scluster-add`)."""
        name = f"{self.prefix}-{self.csp}-{site}"
        body = cluster_body(name, self.vim_ids[site])
        if kubeconfig is not None:
            body["credentials"] = kubeconfig
        cluster = self.client.create_admin("k8scluster", body)
        self.client.wait_for_admin("k8scluster", cluster, timeout=30)

    def ns_names(self) -> list[str]:
        return sorted(n["name"] for n in self.client.list_ns()
                      if n["name"].startswith(f"{self.prefix}-{self.csp}-"))

    def cluster_names(self) -> list[str]:
        return sorted(c["name"] for c in self.client.list_admin("k8scluster")
                      if c["name"].startswith(f"{self.prefix}-{self.csp}-"))

    def teardown_removes_everything(self) -> None:
        down = self("teardown")
        assert down.exit_code == 0, down.output
        assert self.ns_names() == [] and self.cluster_names() == []
        assert not self.state.exists()


def _stopped(result: Result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    message = result.output
    assert LCM_GAP in message, message
    for word in words:
        assert word in message, (word, message)
    return message


@pytest.mark.parametrize("model,credentials_file", [("b2b2c", False), ("b2c", True)])
def test_provision_stops_at_register_cluster_and_teardown_cleans_up(
        real_nbi_lcm, tmp_path: Path, model: str, credentials_file: bool) -> None:
    """Packages onboard, k8s-osm-cluster-ns instantiates; the charm's register-cluster
    result (the cluster's id) only exists when a real LCM runs the charm."""
    run = ChainRun(real_nbi_lcm, tmp_path, f"stop-{model}", model, credentials_file)
    result = run("provision")
    message = _stopped(result, "register-cluster", "no cluster-id",
                       f"{run.prefix}-stop-{model}-nsp", "Done [LCM stand-in]",
                       "osm k8scluster-add")
    assert "step '2 k8s-osm-cluster-ns" in message
    assert "onboarded" in result.output  # step 1 went through: every package accepted
    assert run.ns_names() == [f"{run.prefix}-stop-{model}-nsp-cluster"]
    run.teardown_removes_everything()


@pytest.mark.parametrize("model", ["b2b2c", "b2c"])
def test_with_registered_clusters_provision_and_scale_reach_the_lcm_boundary(
        real_nbi_lcm, tmp_path: Path, model: str) -> None:
    """With the clusters registered by hand, provision adopts them and goes on: the MEP's
    admin token goes to the NSP cluster's API as a Secret, mec-env-ns names only the
    Secret; b2b2c stops at the Edge OSM's address (a KDU service), b2c at the MEP's (a KDU
    service), which the sample app needs before its NS; scale-out stops at the new worker's
    VNF record, scale-in at the worker's node name (the VM's name), before draining anything.
    """
    run = ChainRun(real_nbi_lcm, tmp_path, f"far-{model}", model, False, workers=2)
    api = FakeApiServer(tmp_path)
    run.register_cluster("nsp", api.kubeconfig())
    if model == "b2c":
        run.register_cluster("edge", api.kubeconfig())
    provision = run("provision")
    if model == "b2b2c":
        message = _stopped(provision, "step '4", "'nbi'", "edge-osm",
                           f"{run.prefix}-far-{model}-env")
    else:
        message = _stopped(provision, "step '5", "MEP address", "KDU 'mep'")
        assert f"{run.prefix}-far-{model}-app" not in run.ns_names()
    token = (run.state.parent / f"far-{model}.mep" / "admin-token").read_text().strip()
    secret = api.secrets[(f"{run.prefix}-far-{model}-mep", "osm-mec-mep-admin")]
    assert secret["stringData"] == {"admin-token": token}
    env = run.client.find_ns(f"{run.prefix}-far-{model}-env")
    instantiate = run.client.list_operations(env["_id"])[0]
    assert "osm-mec-mep-admin" in str(instantiate["operationParams"])
    assert token not in str(instantiate) and token not in str(env)
    assert "already registered and ENABLED" in provision.output
    assert "teardown" in message

    out = run("scale", "out")
    _stopped(out, "scale-out", "no new worker VDU", "COMPLETED")
    ops = run.client.list_operations(run.client.find_ns(f"{run.prefix}-far-{model}-env")["_id"])
    before = len(ops)
    refused = run("scale", "in", "--count", "2")  # 2 workers, at least 1: refused at once
    assert refused.exit_code == 2 and "allows 1 to 10" in refused.output
    shrink = run("scale", "in")
    _stopped(shrink, "worker VDU count-index 1", "no VM name")
    ops = run.client.list_operations(run.client.find_ns(f"{run.prefix}-far-{model}-env")["_id"])
    assert ops[before:] == []  # nothing drained, nothing scaled
    run.teardown_removes_everything()


def test_provision_on_a_real_osm_refuses_images_without_a_registry(real_nbi_lcm, tmp_path):
    """A real OSM's Kubernetes would pull `osm-mec/mep:...` from Docker Hub, where it is not
    published: provision stops with exit 2 naming the profile field, before it changes
    anything in OSM (`build` only warns; the embedded sandbox never pulls an image)."""
    run = ChainRun(real_nbi_lcm, tmp_path, "noreg", "b2b2c", credentials_file=False)
    profile = Path(run.args[run.args.index("--profile") + 1])
    data = yaml.safe_load(profile.read_text())
    data["mep"]["image"] = "osm-mec/mep:0.1.0"
    profile.write_text(yaml.safe_dump(data))
    packages_before = len(run.client.list_packages("vnf"))
    result = run("provision")
    assert result.exit_code == 2, result.output
    assert "mep.image" in result.output and "registry" in result.output
    assert run.ns_names() == [] and not run.state.exists()
    assert len(run.client.list_packages("vnf")) == packages_before
    built = CliRunner().invoke(cli, ["build", "--profile", str(profile), "--out",
                                     str(tmp_path / "out"), "--package", "mec_blocks_cnf"])
    assert built.exit_code == 0, built.output
    assert "warning: mep.image" in built.output
