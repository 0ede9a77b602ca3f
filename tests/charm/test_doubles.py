"""The kubeadm/kubectl model (doubles/k8s_model.py) refuses what the real tools refuse, with
their wording and exit status: a double that accepts anything would let a wrong flag in the
charm pass its tests. The unit tests' fake VM runs the model in-process, the SSH tests run it
as executables (doubles/k8s_double.py); the last tests check both give the same answers.

Wording checked against (read with the search tools, not copied):
- kubeadm's error tail and exit 1: kubernetes/kubernetes cmd/kubeadm/app/util/error.go
  (checkErr: "<message>\\nTo see the stack trace of this error execute with --v=5 or higher");
- reset's prompt and refusal: cmd/kubeadm/app/cmd/phases/reset/preflight.go and
  util.InteractivelyConfirmAction ("won't proceed; the user didn't answer (Y|y) in order to
  continue", accepting "y"/"yes"), wrapped as "error execution phase preflight: ...";
- token create/list/delete: cmd/kubeadm/app/cmd/token.go ("missing argument; 'token delete'
  is missing token of form ...", "given token didn't match pattern ...", "failed to delete
  bootstrap token ..."), flags from kubernetes/website .../setup-tools/kubeadm/generated/
  kubeadm_token_create.md, kubeadm_token_delete.md, kubeadm_reset.md, kubeadm_init.md;
- --config mixed with other flags: cmd/kubeadm/app/apis/kubeadm/validation/validation.go
  (ValidateMixedArguments/isAllowedFlag, "can not mix '--config' with arguments [...]");
- pflag's flag errors ("unknown flag: --x", "unknown shorthand flag: 'x' in -x", "flag needs
  an argument", "invalid argument ... for ... flag: time: missing unit in duration");
- kubectl's flag-error suffix: staging/src/k8s.io/kubectl/pkg/util/templates/templater.go
  (FlagErrorFunc: "See '<command> --help' for usage."); drain's flags: kubernetes/website
  content/en/docs/reference/kubectl/generated/kubectl_drain/_index.md; a missing
  --kubeconfig file: "error: stat <path>: no such file or directory" (kubernetes-sigs/
  cluster-api-provider-openstack#377);
- a kubelet modifying another Node: plugin/pkg/admission/noderestriction/admission.go
  ("node %q is not allowed to modify node %q").
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from fake_vm import FakeVm

from .conftest import TEST_CA

DOUBLE = Path(__file__).resolve().parent / "doubles" / "k8s_double.py"
HINT = "To see the stack trace of this error execute with --v=5 or higher"
KUBECTL = ["kubectl", "--kubeconfig", "/etc/kubernetes/admin.conf"]
AS_NODE = ["kubectl", "--kubeconfig", "/etc/kubernetes/kubelet.conf"]
CONFIG = """apiVersion: kubeadm.k8s.io/v1beta3
kind: InitConfiguration
localAPIEndpoint: {advertiseAddress: 172.16.0.10, bindPort: 6443}
nodeRegistration: {kubeletExtraArgs: {node-ip: 172.16.0.10}}
---
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
kubernetesVersion: v1.30.2
apiServer: {certSANs: [172.16.0.10]}
networking: {podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12}
"""


@pytest.fixture()
def vm(tmp_path) -> FakeVm:
    return FakeVm(TEST_CA, home=tmp_path)


def node(vm: FakeVm, address: str = "10.0.0.5"):
    return vm(SimpleNamespace(host=address))


def sudo(vm: FakeVm, *argv: str, stdin: str = "", address: str = "10.0.0.5"):
    return node(vm, address).run(list(argv), stdin=stdin, sudo=True)


def initialised(vm: FakeVm) -> FakeVm:
    controller = node(vm)
    controller.run(["install", "-D", "/dev/stdin", "/etc/kubernetes/k.yaml"], stdin=CONFIG)
    assert sudo(vm, "kubeadm", "init", "--config", "/etc/kubernetes/k.yaml").ok
    return vm


# -- flags ----------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, message", [
    (("kubeadm", "reset", "--yes"), "unknown flag: --yes"),
    (("kubeadm", "reset", "-y"), "unknown shorthand flag: 'y' in -y"),
    (("kubeadm", "token", "create", "--expires", "1h"), "unknown flag: --expires"),
    (("kubeadm", "token", "create", "--ttl"), "flag needs an argument: --ttl"),
    (("kubeadm", "token", "create", "--ttl", "30"),
     'invalid argument "30" for "--ttl" flag: time: missing unit in duration "30"'),
    (("kubeadm", "token", "create", "--ttl", "1d"),
     'invalid argument "1d" for "--ttl" flag: time: unknown unit "d" in duration "1d"'),
    (("kubeadm", "join", "172.16.0.10:6443", "--discovery-token-ca-cert", "sha256:x"),
     "unknown flag: --discovery-token-ca-cert"),
])
def test_kubeadm_refuses_flags_it_does_not_have(vm, argv, message):
    done = sudo(vm, *argv)
    assert (done.exit_status, done.stderr) == (1, f"{message}\n{HINT}\n")


@pytest.mark.parametrize("argv, message", [
    (("get", "nodes", "--all"), "unknown flag: --all\nSee 'kubectl get --help' for usage."),
    (("delete", "node", "w1", "--ignore-notfound"),
     "unknown flag: --ignore-notfound\nSee 'kubectl delete --help' for usage."),
    (("drain", "w1", "--delete-local-storage"),
     "unknown flag: --delete-local-storage\nSee 'kubectl drain --help' for usage."),
    (("drain", "w1", "--timeout=300"), 'invalid argument "300" for "--timeout" flag: time: '
     'missing unit in duration "300"\nSee \'kubectl drain --help\' for usage.'),
    (("delete", "node", "w1", "--wait=no"), 'invalid argument "no" for "--wait" flag: '
     'strconv.ParseBool: parsing "no": invalid syntax\nSee \'kubectl delete --help\' for '
     "usage."),
])
def test_kubectl_refuses_flags_it_does_not_have(vm, argv, message):
    done = sudo(initialised(vm), *KUBECTL, *argv)
    assert (done.exit_status, done.stderr) == (1, f"error: {message}\n")


def test_config_cannot_be_mixed_with_flags_it_replaces(vm):
    node(vm).run(["install", "-D", "/dev/stdin", "/etc/kubernetes/k.yaml"], stdin=CONFIG)
    done = sudo(vm, "kubeadm", "init", "--config", "/etc/kubernetes/k.yaml",
                "--pod-network-cidr", "10.244.0.0/16", "--skip-token-print")
    assert done.stderr == f"can not mix '--config' with arguments [pod-network-cidr]\n{HINT}\n"


@pytest.mark.parametrize("change, message", [
    (("v1beta3", "v1beta4"), 'no kind "InitConfiguration" is registered for version '
     '"kubeadm.k8s.io/v1beta4"'),  # v1beta4 needs kubeadm 1.31
    (("{node-ip: 172.16.0.10}", "[{name: node-ip, value: 172.16.0.10}]"),
     "cannot unmarshal array into Go struct field"),  # v1beta4's list in a v1beta3 file
    (("v1.30.2", "v1.31.0"), "only supports deploying clusters with the control plane "
     "version v1.30.x"),
])
def test_init_refuses_a_config_this_kubeadm_cannot_read(vm, change, message):
    node(vm).run(["install", "-D", "/dev/stdin", "/etc/kubernetes/k.yaml"],
                 stdin=CONFIG.replace(*change))
    done = sudo(vm, "kubeadm", "init", "--config", "/etc/kubernetes/k.yaml")
    assert done.exit_status == 1 and message in done.stderr and not vm.cluster["nodes"]


# -- reset, root, sudo ----------------------------------------------------------------------
def test_reset_without_force_asks_and_refuses_without_an_answer(vm):
    initialised(vm)
    done = sudo(vm, "kubeadm", "reset")
    assert done.exit_status == 1
    assert done.stdout == "[reset] Are you sure you want to proceed? [y/N]: "
    assert done.stderr == ("error execution phase preflight: won't proceed; the user didn't "
                           f"answer (Y|y) in order to continue\n{HINT}\n")
    assert "/etc/kubernetes/admin.conf" in vm.files  # nothing reset
    assert sudo(vm, "kubeadm", "reset", stdin="yes\n").ok
    assert "/etc/kubernetes/admin.conf" not in vm.files and not vm.cluster.get("advertise")


def test_reset_force_removes_what_init_wrote_but_not_other_files(vm):
    initialised(vm)
    done = sudo(vm, "kubeadm", "reset", "-f")
    assert done.ok and "does not clean CNI configuration" in done.stdout
    assert sorted(vm.files) == ["/etc/kubernetes/k.yaml", "/var/lib/osm-mec/node-prepared"]


def test_kubeadm_needs_root(vm):
    done = node(vm).run(["kubeadm", "reset", "-f"], sudo=False)
    assert done.exit_status == 1
    assert "[ERROR IsPrivilegedUser]: user is not running as root" in done.stderr


def test_a_tool_that_is_not_installed_answers_like_sudo_and_the_shell(vm):
    vm.uninstall("kubeadm")
    done = sudo(vm, "kubeadm", "reset", "-f")
    assert (done.exit_status, done.stderr) == (1, "sudo: kubeadm: command not found\n")
    done = node(vm).run(["kubeadm", "version"])
    assert (done.exit_status, done.stderr) == (127, "bash: line 1: kubeadm: command not found\n")


# -- tokens and joins -----------------------------------------------------------------------
def test_token_create_list_and_delete(vm):
    initialised(vm)
    (default,) = vm.tokens
    token = sudo(vm, "kubeadm", "token", "create", "--ttl", "30m", "--description", "w0"
                 ).stdout.strip()
    listed = [json.loads(d) for d in sudo(vm, "kubeadm", "token", "list", "-o", "json")
              .stdout.replace("}\n{", "}\0{").split("\0")]
    assert [(d["token"], d["ttl"]) for d in listed] == [(default, "24h0m0s"), (token, "30m")]
    done = sudo(vm, "kubeadm", "token", "delete", token.split(".")[0])
    assert done.stdout == f'bootstrap token "{token.split(".")[0]}" deleted\n'
    done = sudo(vm, "kubeadm", "token", "delete", token)
    assert done.exit_status == 1 and done.stderr.startswith(
        f'failed to delete bootstrap token "{token[:6]}": secrets "bootstrap-token-'
        f'{token[:6]}" not found')


@pytest.mark.parametrize("argv, message", [
    ((), "missing argument; 'token delete' is missing token of form"),
    (("abc",), "given token didn't match pattern"),
])
def test_token_delete_needs_a_token_of_kubeadms_form(vm, argv, message):
    done = sudo(initialised(vm), "kubeadm", "token", "delete", *argv)
    assert done.exit_status == 1 and done.stderr.startswith(message)


def test_token_commands_need_the_admin_kubeconfig(vm):
    done = sudo(vm, "kubeadm", "token", "list", "-o", "json")
    assert done.exit_status == 1 and done.stderr.startswith(
        "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file")


@pytest.mark.parametrize("mangle, message", [
    (lambda argv, t: argv[:4] + ["abcdef.0123456789abcdef"] + argv[5:],
     'could not find a JWS signature in the cluster-info ConfigMap for token ID "abcdef"'),
    (lambda argv, t: argv[:6] + ["sha256:" + "0" * 64],
     "cluster CA found in cluster-info ConfigMap is invalid: none of the public keys"),
    (lambda argv, t: argv[:5], "using token-based discovery without caCertHashes can be "
     "unsafe"),
    (lambda argv, t: ["kubeadm", "join", "172.16.0.99:6443"] + argv[3:],
     'Get "https://172.16.0.99:6443/api/v1/namespaces/kube-public/configmaps/cluster-info'),
])
def test_join_needs_the_clusters_token_and_ca_hash(vm, mangle, message):
    token = sudo(initialised(vm), "kubeadm", "token", "create", "--ttl", "30m").stdout.strip()
    vm.add_node_vm("10.0.0.6", "w1")
    argv = ["kubeadm", "join", "172.16.0.10:6443", "--token", token,
            "--discovery-token-ca-cert-hash", TEST_CA[2]]
    done = sudo(vm, *mangle(argv, token), address="10.0.0.6")
    assert done.exit_status == 1 and message in done.stderr and "w1" not in vm.nodes
    assert sudo(vm, *argv, address="10.0.0.6").ok and "w1" in vm.nodes


# -- kubectl --------------------------------------------------------------------------------
def test_kubectl_needs_its_kubeconfig_and_the_api_server(vm):
    done = sudo(vm, *KUBECTL, "get", "nodes", "-o", "json")
    assert done.stderr == "error: stat /etc/kubernetes/admin.conf: no such file or directory\n"
    done = sudo(vm, "kubectl", "get", "nodes")
    assert done.stderr.startswith("The connection to the server localhost:8080 was refused")
    initialised(vm)
    vm.cluster.clear()  # the API server is down
    done = sudo(vm, *KUBECTL, "get", "nodes")
    assert done.stderr.startswith("The connection to the server 172.16.0.10:6443 was refused")


def test_delete_of_a_missing_node_fails_unless_ignore_not_found(vm):
    initialised(vm)
    done = sudo(vm, *KUBECTL, "delete", "node", "gone")
    assert (done.exit_status, done.stderr) == (
        1, 'Error from server (NotFound): nodes "gone" not found\n')
    done = sudo(vm, *KUBECTL, "delete", "node", "gone", "--ignore-not-found", "--wait=false",
                "--request-timeout=30s")
    assert (done.exit_status, done.stdout, done.stderr) == (0, "", "")


def test_kubelet_credentials_may_delete_only_their_own_node(vm):
    initialised(vm).add_cluster_node("w1")
    done = sudo(vm, *AS_NODE, "delete", "node", "w1")
    assert done.exit_status == 1 and done.stderr == (
        'Error from server (Forbidden): nodes "w1" is forbidden: node '
        '"mecaas-acme-edge-controller" is not allowed to modify node "w1"\n')
    assert sudo(vm, *AS_NODE, "drain", "w1", "--ignore-daemonsets").exit_status == 1
    assert sudo(vm, *AS_NODE, "delete", "node", "mecaas-acme-edge-controller").ok


def test_drain_stops_at_daemonset_pods_without_ignore_daemonsets(vm):
    initialised(vm).add_cluster_node("w1")
    done = sudo(vm, *KUBECTL, "drain", "w1", "--timeout=60s")
    assert done.exit_status == 1 and "use --ignore-daemonsets to ignore" in done.stderr
    done = sudo(vm, *KUBECTL, "drain", "w1", "--ignore-daemonsets", "--delete-emptydir-data",
                "--force", "--timeout=60s")
    assert done.stdout == "node/w1 cordoned\nnode/w1 drained\n"


@pytest.mark.parametrize("argv, message", [
    (("apply",), "error: must specify one of -f and -k"),
    (("patch", "storageclass", "x"), "error: must specify --patch or --patch-file"),
    (("create", "token", "osm", "-n", "kube-system"),
     'Error from server (NotFound): serviceaccounts "osm" not found'),
])
def test_kubectl_refuses_incomplete_commands(vm, argv, message):
    done = sudo(initialised(vm), *KUBECTL, *argv)
    assert done.exit_status == 1 and done.stderr.startswith(message)


# -- one model: the executables answer exactly as the fake VM ------------------------------
@pytest.fixture()
def executables(tmp_path):
    """The SSH tests' executables, run directly (as root here, as through sudo there)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("kubeadm", "kubectl", "sudo"):
        (bin_dir / tool).symlink_to(DOUBLE)
    (tmp_path / "root").mkdir()
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "FAKE_ROOT": str(tmp_path / "root"),
           "NODE_NAME": "mecaas-acme-edge-controller",
           "K8S_DOUBLE_CLUSTER": str(tmp_path / "cluster.json"),
           "K8S_DOUBLE_LOG": str(tmp_path / "log")}

    def call(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        done = subprocess.run(["sudo", "-n", "--", *argv], input=stdin, text=True,
                              capture_output=True, env=env, cwd=tmp_path)
        return done.returncode, done.stdout, done.stderr
    return call


SAME_ANSWERS = [
    ("kubeadm", "reset"), ("kubeadm", "reset", "--yes"), ("kubeadm", "version", "-o", "short"),
    ("kubeadm", "token", "delete"), ("kubeadm", "token", "list", "-o", "json"),
    ("kubeadm", "token", "create", "--ttl", "1d"), ("kubeadm", "join", "172.16.0.10:6443"),
    ("kubectl", "get", "nodes"), (*KUBECTL, "get", "nodes", "--all"),
    (*KUBECTL, "delete", "node", "x", "--ignore-not-found"), ("no-such-tool", "x"),
]


@pytest.mark.parametrize("argv", SAME_ANSWERS, ids="_".join)
def test_the_executables_run_the_same_model(vm, executables, argv):
    if argv[0] == "no-such-tool":
        vm.uninstall("no-such-tool")
    mine = sudo(vm, *argv)
    assert executables(*argv) == (mine.exit_status, mine.stdout, mine.stderr)
