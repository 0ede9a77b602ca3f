"""The built charm (osm_mec/offer/charm_build.py): what `charmcraft pack` lays out, byte-identical
for the same input, and runnable by Juju's `dispatch` with nothing but the base's Python.

Juju cannot run here, so the dispatch test plays the Juju agent: it sets the environment
Juju sets for a hook or an action (JUJU_DISPATCH_PATH, JUJU_UNIT_NAME, JUJU_ACTION_NAME,
JUJU_CHARM_DIR, JUJU_MODEL_NAME, JUJU_VERSION, ...) and puts test doubles of Juju's hook
tools on PATH (doubles/hook_tools.py). The interpreter is the system's /usr/bin/python3 run
with -S (no site-packages): the charm must import ops and yaml from its own venv/. SSH is
the real OpenSSH client against the test openssh-server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from osm_mec.offer.charm_build import CharmBuildError, build_charm, charm_archive, read_pins

from . import sshd
from .conftest import CHARM_DIR

HOOK_TOOLS = Path(__file__).resolve().parent / "doubles" / "hook_tools.py"
TOOLS = ("relation-ids", "config-get", "action-get", "action-set", "action-fail", "action-log", "status-set",
         "status-get", "is-leader", "juju-log", "application-version-set")
BASE_PYTHON = Path("/usr/bin/python3")
# The Python of each Ubuntu base in charmcraft.yaml (18.04: 3.6, 20.04: 3.8, 22.04: 3.10,
# 24.04: 3.12), from pyenv's interpreters on the test machines, each run with -S (nothing
# installed). 18.04 is the series OSM gives proxy-charm machines; it runs ops 1.5 from
# venv-py36/, the others ops 2.x from venv/.
PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
BASE_PYTHONS = {"18.04": "3.6", "20.04": "3.8", "22.04": "3.10", "24.04": "3.12"}


@pytest.fixture(scope="module")
def built():
    return build_charm(CHARM_DIR)


def test_layout_is_what_charmcraft_pack_writes(built):
    assert built["dispatch"].executable
    assert built["dispatch"].data.decode().splitlines()[2:] == [
        "VENV=venv",
        "/usr/bin/env python3 -c 'import sys; sys.exit(sys.version_info < (3, 8))' "
        "|| VENV=venv-py36",
        'JUJU_DISPATCH_PATH="${JUJU_DISPATCH_PATH:-$0}" PYTHONPATH="lib:$VENV" /usr/bin/env '
        'python3 ./src/charm.py']
    for name in ("metadata.yaml", "config.yaml", "actions.yaml", "manifest.yaml",
                 "src/charm.py", "src/remote.py", "cni/flannel.yaml",
                 "venv/ops/__init__.py", "venv/yaml/__init__.py", "venv/websocket/__init__.py",
                 "venv-py36/ops/__init__.py", "venv-py36/yaml/__init__.py"):
        assert name in built, name
    assert not [p for p in built if p.startswith(("wheelhouse/", "requirements"))]
    assert not [p for p in built if p.endswith((".so", ".pyc"))]  # pure Python: any base
    bases = yaml.safe_load(built["manifest.yaml"].data)["bases"]
    assert {"name": "ubuntu", "channel": "20.04", "architectures": ["amd64", "arm64"]} in bases
    assert {"name": "ubuntu", "channel": "18.04", "architectures": ["amd64", "arm64"]} in bases
    assert b"version = '1.5.5'" in built["venv-py36/ops/version.py"].data
    assert not [p for p in built if p.endswith("/dataclasses.py")]  # would shadow 3.7+'s


def test_build_is_reproducible(built):
    again = build_charm(CHARM_DIR)
    assert charm_archive(again) == charm_archive(built)
    with zipfile.ZipFile(io.BytesIO(charm_archive(built))) as archive:
        assert archive.namelist() == sorted(built)
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("requirements, expected", [
    ("requirements.txt", {"ops", "websocket-client", "pyyaml"}),
    ("requirements-py36.txt", {"ops", "pyyaml"}),
])
def test_every_dependency_is_pinned_with_a_hash(requirements, expected):
    pins = {p.key: p for p in read_pins(CHARM_DIR, requirements)}
    assert set(pins) == expected
    for pin in pins.values():
        matching = [f for f in (CHARM_DIR / "wheelhouse").iterdir()
                    if hashlib.sha256(f.read_bytes()).hexdigest() == pin.sha256]
        assert matching, pin


def test_a_tampered_artefact_is_refused(tmp_path):
    source = tmp_path / "charm"
    import shutil
    shutil.copytree(CHARM_DIR, source)
    wheel = next((source / "wheelhouse").glob("ops-*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"x")
    with pytest.raises(CharmBuildError, match=r"no artefact of ops==.* with sha256"):
        build_charm(source)


def test_an_unpinned_requirement_is_refused(tmp_path):
    source = tmp_path / "charm"
    import shutil
    shutil.copytree(CHARM_DIR, source)
    (source / "requirements.txt").write_text("ops>=2\n")
    with pytest.raises(CharmBuildError, match=r"requirements.txt:1: 'ops>=2' is not"):
        build_charm(source)


# -- dispatch, as the Juju agent runs it ------------------------------------------------------
class FakeAgent:
    """Runs the unpacked charm's dispatch with Juju's environment and hook-tool doubles."""

    def __init__(self, charm: Path, work: Path, python: Path = BASE_PYTHON) -> None:
        self.charm, self.state = charm, work / "agent"
        self.bin = work / "bin"
        self.state.mkdir()
        self.bin.mkdir()
        for tool in TOOLS:
            (self.bin / tool).symlink_to(HOOK_TOOLS)
        wrapper = self.bin / "python3"  # what `/usr/bin/env python3` in dispatch finds
        wrapper.write_text(f"#!/bin/sh\nexec {python} -S \"$@\"\n")
        wrapper.chmod(0o755)
        self.unit_state = work / "unit-state"
        self.config: dict = {}

    def dispatch(self, path: str, action: str = "", params: dict | None = None
                 ) -> subprocess.CompletedProcess:
        (self.state / "config.json").write_text(json.dumps(self.config))
        (self.state / "params.json").write_text(json.dumps(params or {}))
        (self.state / "calls.jsonl").write_text("")
        env = {"PATH": f"{self.bin}:/usr/bin:/bin", "HOOK_TOOLS_STATE": str(self.state),
               "JUJU_DISPATCH_PATH": path, "JUJU_UNIT_NAME": "k8s-cluster-ctl/0",
               "JUJU_CHARM_DIR": str(self.charm), "JUJU_MODEL_NAME": "ns-1234-vnf",
               "JUJU_MODEL_UUID": "4f0a7c6e-0000-4000-8000-000000000001",
               "JUJU_VERSION": "2.9.45", "JUJU_AGENT_SOCKET_NETWORK": "unix",
               "JUJU_AGENT_SOCKET_ADDRESS": "@/var/lib/juju/agents/unit-k8s-cluster-ctl-0/"
                                            "agent.socket",
               "K8S_CLUSTER_CHARM_STATE": str(self.unit_state)}
        if action:
            env.update(JUJU_ACTION_NAME=action, JUJU_ACTION_UUID="1")
        return subprocess.run(["./dispatch"], cwd=self.charm, env=env, capture_output=True,
                              text=True, timeout=120)

    def calls(self, tool: str) -> list[list[str]]:
        lines = (self.state / "calls.jsonl").read_text().splitlines()
        return [c["args"] for c in map(json.loads, lines) if c["tool"] == tool]

    def status(self) -> list[str]:
        return [args[1:] for args in self.calls("status-set")][-1]

    def results(self) -> dict[str, str]:
        return dict(a.split("=", 1) for args in self.calls("action-set") for a in args)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    reason = sshd.available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the built charm against sshd: {reason}")
        pytest.skip(reason)
    srv = sshd.SshServer(tmp_path_factory.mktemp("sshd"))
    srv.add_user(sshd.unique_user("osmmecdsp"), "test-dispatch")  # its only user
    srv.start()
    yield srv
    srv.cleanup()


def _unpack(built, folder: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(charm_archive(built))) as archive:
        archive.extractall(folder)
    for rel, file in built.items():  # zipfile drops modes on extraction; Juju keeps them
        (folder / rel).chmod(0o755 if file.executable else 0o644)
    return folder


@pytest.fixture()
def agent(built, tmp_path):
    assert BASE_PYTHON.exists(), "the base's python3 (/usr/bin/python3) is needed"
    return FakeAgent(_unpack(built, tmp_path / "charm"), tmp_path)


def test_every_base_in_the_manifest_has_a_python_under_test(built):
    channels = {b["channel"] for b in yaml.safe_load(built["manifest.yaml"].data)["bases"]}
    assert channels == set(BASE_PYTHONS)


def _base_python(channel: str) -> Path:
    """pyenv's interpreter of the Python an Ubuntu base ships (skips here, fails on CI)."""
    return _pyenv_python(BASE_PYTHONS[channel], f"Ubuntu {channel}")


def _pyenv_python(version: str, label: str) -> Path:
    python = PYENV / next((v.name for v in sorted(PYENV.glob(f"{version}.*"))), "missing") / \
        "bin" / "python3"
    if not python.exists():
        reason = f"no Python {version} ({label}) under {PYENV}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return python


def _only_the_venv_dispatch_picks(charm: Path, channel: str) -> None:
    """Remove the other venv: the run then proves dispatch chose by the interpreter."""
    import shutil
    shutil.rmtree(charm / ("venv" if BASE_PYTHONS[channel] == "3.6" else "venv-py36"))


@pytest.mark.parametrize("channel", sorted(BASE_PYTHONS))
def test_dispatch_runs_on_each_bases_python(built, tmp_path, channel):
    """install, then the key actions OSM runs before the VM exists, on 18.04/20.04/22.04/
    24.04's Python: dispatch picks venv-py36/ (ops 1.5) on 3.6 and venv/ (ops 2.19) on the
    others, and the vendored packages and the charm's code import there."""
    python = _base_python(channel)
    charm = _unpack(built, tmp_path / "charm")
    _only_the_venv_dispatch_picks(charm, channel)
    agent = FakeAgent(charm, tmp_path, python)
    agent.config = {"role": "controller", "ssh-hostname": "", "ssh-key-type": "ed25519"}
    done = agent.dispatch("hooks/install")
    assert done.returncode == 0, done.stderr
    assert agent.status() == ["blocked", "waiting for ssh credentials"]
    assert agent.dispatch("actions/generate-ssh-key", "generate-ssh-key").returncode == 0
    done = agent.dispatch("actions/get-ssh-public-key", "get-ssh-public-key")
    assert done.returncode == 0 and agent.results()["pubkey"].startswith("ssh-ed25519 "), \
        done.stderr


def test_python_3_7_runs_the_charm_from_venv_py36_too(built, tmp_path):
    """No Ubuntu base ships 3.7, but dispatch sends every Python older than 3.8 to
    venv-py36/: nothing there may shadow 3.7's standard library (a dataclasses backport
    did: AttributeError in typing)."""
    charm = _unpack(built, tmp_path / "charm")
    _only_the_venv_dispatch_picks(charm, "18.04")
    agent = FakeAgent(charm, tmp_path, _pyenv_python("3.7", "any Python < 3.8"))
    agent.config = {"role": "worker", "ssh-hostname": ""}
    done = agent.dispatch("hooks/install")
    assert done.returncode == 0, done.stderr
    assert agent.status() == ["blocked", "waiting for ssh credentials"]


@pytest.mark.parametrize("channel", ["18.04", "system"])
def test_dispatch_install_then_actions_over_ssh(built, tmp_path, server, channel):
    """The order OSM's N2VC drives a proxy charm: deploy (install/start) and wait for
    active|blocked, generate-ssh-key and get-ssh-public-key (the key is injected into the
    VM), the `config` primitive (config-changed), then actions. On the system's python3
    and on Ubuntu 18.04's Python 3.6 (ops 1.5), the series OSM gives the charm's machine."""
    python = BASE_PYTHON if channel == "system" else _base_python(channel)
    charm = _unpack(built, tmp_path / "charm")
    if channel != "system":
        _only_the_venv_dispatch_picks(charm, channel)
    agent = FakeAgent(charm, tmp_path, python)
    agent.config = {"role": "worker", "ssh-hostname": "", "ssh-username": "ubuntu",
                    "ssh-port": 22, "ssh-password": "", "ssh-key-type": "ed25519",
                    "ssh-key-bits": 4096, "ssh-public-key": ""}
    done = agent.dispatch("hooks/install")
    assert done.returncode == 0, done.stderr
    assert agent.status() == ["blocked", "waiting for ssh credentials"]

    done = agent.dispatch("actions/generate-ssh-key", "generate-ssh-key")
    assert done.returncode == 0 and not agent.calls("action-fail"), done.stderr
    done = agent.dispatch("actions/get-ssh-public-key", "get-ssh-public-key")
    pubkey = agent.results()["pubkey"]
    assert pubkey.startswith("ssh-ed25519 ")
    login = next(iter(server.users))
    server.users[login].authorize(pubkey)

    agent.config.update({"ssh-hostname": "127.0.0.1", "ssh-port": server.port,
                         "ssh-username": login})
    done = agent.dispatch("hooks/config-changed")
    assert done.returncode == 0, done.stderr
    assert agent.status() == ["active", "worker at 127.0.0.1"]

    done = agent.dispatch("actions/verify-ssh-credentials", "verify-ssh-credentials")
    assert done.returncode == 0 and agent.results() == {"verified": "true"}, done.stderr
    done = agent.dispatch("actions/run", "run",
                          {"command": "printf '%s' \"$NODE_NAME\"", "timeout": 60})
    assert done.returncode == 0, done.stderr
    assert agent.results() == {"output": "test-dispatch"} and not agent.calls("action-fail")

    done = agent.dispatch("actions/run", "run", {"command": "echo nope >&2; exit 4"})
    assert agent.calls("action-fail") == [["run failed: exit status 4"]]
    assert agent.results()["output"].endswith("stderr: nope")


def test_dispatch_without_vendored_ops_fails_as_juju_would_see_it(agent):
    """The defect the build fixes: a charm folder without its dependencies runs nothing."""
    import shutil
    shutil.rmtree(agent.charm / "venv" / "ops")
    done = agent.dispatch("hooks/install")
    assert done.returncode != 0 and "No module named 'ops'" in done.stderr

