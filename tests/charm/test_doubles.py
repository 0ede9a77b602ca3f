"""The kubeadm/kubectl/sudo doubles refuse what the real tools refuse, with their messages:
a double that accepts anything would let a wrong flag in the charm pass its tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

DOUBLE = Path(__file__).resolve().parent / "doubles" / "k8s_double.py"


@pytest.fixture()
def run(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("kubeadm", "kubectl", "sudo"):
        (bin_dir / tool).symlink_to(DOUBLE)
    (tmp_path / "root").mkdir()
    (tmp_path / "kubeconfig").write_text("x")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "FAKE_ROOT": str(tmp_path / "root"),
           "NODE_NAME": "n1", "K8S_DOUBLE_CLUSTER": str(tmp_path / "cluster.json"),
           "K8S_DOUBLE_LOG": str(tmp_path / "log")}

    def call(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(list(argv), input=stdin, text=True, capture_output=True,
                              env=env, cwd=tmp_path)
    return call


def test_kubeadm_reset_without_force_is_refused_when_nobody_answers(run):
    done = run("kubeadm", "reset")
    assert done.returncode == 1
    assert "won't proceed; the user didn't answer (Y|n) in order to continue" in done.stderr
    assert run("kubeadm", "reset", "-f").returncode == 0


@pytest.mark.parametrize("argv, message", [
    (("kubeadm", "reset", "--yes"), "unknown flag: --yes"),
    (("kubeadm", "init", "--token-ttl", "0"), "unknown flag: --token-ttl"),
    (("kubectl", "--kubeconfig", "kubeconfig", "get", "nodes", "--all"),
     "error: unknown flag: --all"),
])
def test_unknown_flags_are_refused(run, argv, message):
    done = run(*argv)
    assert done.returncode == 1 and message in done.stderr


def test_sudo_of_a_missing_tool_answers_like_sudo(run):
    done = run("sudo", "-n", "--", "no-such-tool", "x")
    assert (done.returncode, done.stderr.strip()) == (1, "sudo: no-such-tool: command not found")


def test_kubelet_credentials_may_delete_only_their_own_node(run, tmp_path):
    kubelet = tmp_path / "kubelet.conf"
    kubelet.write_text("x")
    done = run("kubectl", "--kubeconfig", str(kubelet), "delete", "node", "other")
    assert done.returncode == 1 and "Forbidden" in done.stderr
    done = run("kubectl", "--kubeconfig", str(kubelet), "delete", "node", "n1",
               "--ignore-not-found")
    assert done.returncode == 0, done.stderr
