#!/usr/bin/python3
"""Test doubles for the charm's SSH integration tests (kubeadm, kubelet and a Kubernetes
API server cannot run here). Installed in the throwaway user's ~/bin under the names
kubeadm, kubectl, systemctl, sudo, curl and hostname; each records its arguments to
$K8S_DOUBLE_LOG and answers like the real tool for the calls the charm makes.

State: the node's files under $FAKE_ROOT (sudo maps /etc/kubernetes, /etc/cni,
/var/lib/osm-mec and /var/lib/kubelet there), the cluster in $K8S_DOUBLE_CLUSTER
(a JSON file shared by every node's user, guarded by a lock).
"""

import base64
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import string
import subprocess
import sys
from contextlib import contextmanager

TOOL = os.path.basename(sys.argv[0])
ARGS = sys.argv[1:]
FAKE = os.environ["FAKE_ROOT"]
CLUSTER = os.environ["K8S_DOUBLE_CLUSTER"]
MAPPED = ("/etc/kubernetes", "/etc/cni", "/var/lib/osm-mec", "/var/lib/kubelet")
VERSION = os.environ.get("K8S_DOUBLE_VERSION", "v1.30.2")


def record(argv):
    with open(os.environ["K8S_DOUBLE_LOG"], "a") as log:
        log.write(json.dumps({"tool": TOOL, "argv": argv, "user": os.environ.get("USER"),
                              "node": os.environ.get("NODE_NAME")}) + "\n")


def fail(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)


@contextmanager
def cluster():
    with open(CLUSTER + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(CLUSTER) as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            data = {}
        data.setdefault("nodes", {})
        data.setdefault("tokens", [])
        data.setdefault("applied", [])
        yield data
        with open(CLUSTER, "w") as handle:
            json.dump(data, handle)


# Flags each subcommand accepts (the ones the real tools have that the charm may use); any
# other flag is refused the way cobra-based kubeadm/kubectl refuse it.
KUBEADM_FLAGS = {
    "init": {"--config": 1, "--skip-token-print": 0, "--upload-certs": 0,
             "--ignore-preflight-errors": 1},
    "join": {"--token": 1, "--discovery-token-ca-cert-hash": 1, "--node-name": 1,
             "--ignore-preflight-errors": 1},
    "reset": {"-f": 0, "--force": 0, "--cri-socket": 1, "--cleanup-tmp-dir": 0},
    "version": {"-o": 1}, "token list": {"-o": 1},
    "token create": {"--ttl": 1, "--print-join-command": 0, "--description": 1},
    "token delete": {},
}
KUBECTL_FLAGS = {"-o": 1, "-f": 1, "-n": 1, "-p": 1, "--type": 1, "--ignore-not-found": 0,
                 "--ignore-daemonsets": 0, "--delete-emptydir-data": 0, "--force": 0,
                 "--timeout": 1, "--duration": 1, "--wait": 1, "--overwrite": 0,
                 "--request-timeout": 1}


def check_flags(args, allowed, tool, usage):
    """Positional arguments, after refusing flags the real tool does not know."""
    positional, index = [], 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("-") and arg != "-":
            name = arg.split("=", 1)[0]
            if name not in allowed:
                prefix = "error: " if tool == "kubectl" else ""
                fail(f"{prefix}unknown flag: {name}\n{usage}")
            index += 1 if "=" in arg or not allowed[name] else 2
            continue
        positional.append(arg)
        index += 1
    return positional


def flag(args, name, default=None):
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default


def fault(name):
    """A one-shot fault the test arms by creating $FAKE_ROOT/fault-<name>."""
    path = fake(f"/fault-{name}")
    if os.path.exists(path):
        os.remove(path)
        return True
    return False


def fake(path):
    return FAKE + path


def ca_hash(cert_path):
    pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout", "-in", cert_path],
                         capture_output=True, text=True, check=True).stdout
    der = base64.b64decode("".join(l for l in pub.splitlines() if "-----" not in l))
    return "sha256:" + hashlib.sha256(der).hexdigest()


def token():
    alphabet = string.ascii_lowercase + string.digits
    pick = lambda n: "".join(secrets.choice(alphabet) for _ in range(n))  # noqa: E731
    return f"{pick(6)}.{pick(16)}"


# -- sudo: map node paths into the fake root, then run the command ---------------------------
def sudo():
    args = list(ARGS)
    while args and args[0] in ("-n", "--"):
        args.pop(0)
    mapped = []
    for arg in args:
        for prefix in MAPPED:
            if arg == prefix or arg.startswith(prefix + "/"):
                arg = FAKE + arg
        mapped.append(arg)
    if shutil.which(mapped[0]) is None:
        fail(f"sudo: {mapped[0]}: command not found")  # real sudo: exit 1, not 127
    os.execvp(mapped[0], mapped)


# -- kubeadm ----------------------------------------------------------------------------------
def kubeadm():
    kube = fake("/etc/kubernetes")
    command = " ".join(ARGS[:2]) if ARGS[:1] == ["token"] else (ARGS[0] if ARGS else "")
    if command not in KUBEADM_FLAGS:
        fail(f"kubeadm double: unsupported {ARGS}")
    check_flags(ARGS[len(command.split()):], KUBEADM_FLAGS[command], "kubeadm",
                "To see the stack trace of this error execute with --v=5 or higher")
    if ARGS[:1] == ["version"]:
        print(VERSION)
        return
    if ARGS[:1] == ["init"]:
        import yaml
        config_path = ARGS[ARGS.index("--config") + 1]
        if os.path.exists(f"{kube}/admin.conf"):
            fail("[ERROR FileAvailable--etc-kubernetes-admin.conf]: "
                 "/etc/kubernetes/admin.conf already exists")
        docs = list(yaml.safe_load_all(open(config_path)))
        init, cfg = docs[0], docs[1]
        if cfg["kubernetesVersion"] != VERSION:
            fail(f"this version of kubeadm only supports deploying clusters with {VERSION}")
        os.makedirs(f"{kube}/pki", exist_ok=True)
        crt, key = f"{kube}/pki/ca.crt", f"{kube}/pki/ca.key"
        if not os.path.exists(crt):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", key, "-out", crt, "-subj", "/CN=kubernetes", "-days",
                            "1"], capture_output=True, check=True)
        advertise = init["localAPIEndpoint"]["advertiseAddress"]
        with open(f"{kube}/admin.conf", "w") as handle:
            yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "clusters": [
                {"name": "kubernetes", "cluster": {
                    "server": f"https://{advertise}:6443",
                    "certificate-authority-data": base64.b64encode(open(crt, "rb").read())
                    .decode()}}],
                "users": [{"name": "kubernetes-admin",
                           "user": {"client-certificate-data": "FAKE-ADMIN-CERT",
                                    "client-key-data": "FAKE-ADMIN-KEY"}}]}, handle)
        if fault("init"):
            fail("[wait-control-plane] Waiting for the kubelet to boot up the control plane\n"
                 "error execution phase wait-control-plane: couldn't initialize a Kubernetes "
                 "cluster")
        with cluster() as state:
            state.update(advertise=advertise, ca_hash=ca_hash(crt), sans=cfg["apiServer"]
                         ["certSANs"], pod_cidr=cfg["networking"]["podSubnet"])
            # no bootstrapTokens given: kubeadm makes a default one (24 h)
            state["tokens"] = [t["token"] for t in init.get("bootstrapTokens")
                               or [{"token": token()}]]
            state["nodes"][os.environ["NODE_NAME"]] = {"ready": False, "roles": [
                "control-plane"]}
        print("Your Kubernetes control-plane has initialized successfully!")
        return
    if ARGS[:1] == ["join"]:
        endpoint = ARGS[1]
        given_token = ARGS[ARGS.index("--token") + 1]
        given_hash = ARGS[ARGS.index("--discovery-token-ca-cert-hash") + 1]
        if os.path.exists(f"{kube}/kubelet.conf"):
            fail("[ERROR FileAvailable--etc-kubernetes-kubelet.conf]: "
                 "/etc/kubernetes/kubelet.conf already exists")
        with cluster() as state:
            if endpoint != f"{state.get('advertise')}:6443":
                fail(f"couldn't connect to {endpoint}: connection refused")
            if given_token not in state["tokens"]:
                fail(f'error execution phase preflight: token id "{given_token[:6]}" is invalid')
            if given_hash != state["ca_hash"]:
                fail("error execution phase preflight: cluster CA found in cluster-info "
                     "ConfigMap is invalid: none of the public keys \"" + state["ca_hash"] +
                     "\" are pinned")
            state["nodes"][os.environ["NODE_NAME"]] = {"ready": False, "roles": []}
        os.makedirs(kube, exist_ok=True)
        with open(f"{kube}/kubelet.conf", "w") as handle:
            handle.write("kubelet credentials\n")
        if fault("join"):
            fail("error execution phase kubelet-start: timed out waiting for the condition")
        print("This node has joined the cluster")
        return
    if ARGS[:1] == ["reset"]:
        if "-f" not in ARGS and "--force" not in ARGS:
            sys.stdout.write("[reset] Are you sure you want to proceed? [y/N]: ")
            if sys.stdin.readline().strip().lower() != "y":
                fail("won't proceed; the user didn't answer (Y|n) in order to continue")
        subprocess.run(["rm", "-rf", kube, fake("/var/lib/kubelet")], check=True)
        print("[reset] Deleted contents of /etc/kubernetes")
        return
    if ARGS[:2] == ["token", "list"]:
        with cluster() as state:
            for t in state["tokens"]:
                print(json.dumps({"token": t, "usages": ["authentication", "signing"]}))
        return
    if ARGS[:2] == ["token", "create"]:
        new = token()
        with cluster() as state:
            state["tokens"].append(new)
            state.setdefault("ttls", {})[new] = flag(ARGS, "--ttl", "24h0m0s")
        print(new)
        return
    if ARGS[:2] == ["token", "delete"]:
        if len(ARGS) < 3:
            fail("missing subcommand; 'token delete' is missing token of form "
                 "'[a-z0-9]{6}'")
        with cluster() as state:
            kept = [t for t in state["tokens"] if t.split(".")[0] != ARGS[2].split(".")[0]]
            if len(kept) == len(state["tokens"]):
                fail(f'bootstrap token "{ARGS[2]}" not found')
            state["tokens"] = kept
        print(f'bootstrap token "{ARGS[2]}" deleted')
        return
    fail(f"kubeadm double: unsupported {ARGS}")


# -- kubectl ----------------------------------------------------------------------------------
def kubectl():
    args = list(ARGS)
    if args[:1] != ["--kubeconfig"] or not os.path.exists(args[1]):
        fail("The connection to the server localhost:8080 was refused")
    as_node = args[1].endswith("/kubelet.conf")  # the kubelet's own credentials
    args = args[2:]
    check_flags(args, KUBECTL_FLAGS, "kubectl", "See 'kubectl --help' for usage.")
    with cluster() as state:
        nodes = state["nodes"]
        classes = state.setdefault("storageclasses", {})
        if args[:1] == ["apply"]:
            import yaml
            if flag(args, "-f") != "-":
                fail("error: must specify one of -f and -k")
            docs = [d for d in yaml.safe_load_all(sys.stdin.read()) if d]
            items = [i for d in docs for i in (d.get("items") or [d])]
            for item in items:
                state["applied"].append(f"{item['kind']}/{item['metadata']['name']}")
                if item["kind"] == "StorageClass":
                    classes[item["metadata"]["name"]] = dict(
                        item["metadata"].get("annotations") or {},
                        provisioner=item["provisioner"])
                print(f"{item['kind'].lower()}/{item['metadata']['name']} created")
            return
        if args[:2] == ["get", "storageclass"] and flag(args, "-o") == "json":
            print(json.dumps({"items": [{
                "metadata": {"name": name, "annotations": {
                    k: v for k, v in sc.items() if k != "provisioner"}},
                "provisioner": sc["provisioner"]} for name, sc in sorted(classes.items())]}))
            return
        if args[:2] == ["patch", "storageclass"]:
            name = args[2]
            if name not in classes:
                fail(f'Error from server (NotFound): storageclasses.storage.k8s.io "{name}" '
                     "not found")
            patch = json.loads(flag(args, "-p"))
            classes[name].update(patch.get("metadata", {}).get("annotations", {}))
            print(f"storageclass.storage.k8s.io/{name} patched")
            return
        if as_node and args[:1] in (["drain"], ["delete"]) and \
                not (args[:2] == ["delete", "node"] and args[2] == os.environ["NODE_NAME"]):
            fail(f'Error from server (Forbidden): nodes "{args[2] if len(args) > 2 else ""}" '
                 f'is forbidden: node "{os.environ["NODE_NAME"]}" may only delete itself')
        if args[:2] == ["get", "node"]:
            name = args[2]
            if name not in nodes:
                fail(f'Error from server (NotFound): nodes "{name}" not found')
            if args[-1] == "name":
                print(f"node/{name}")
                return
            node = nodes[name]
            sys.stdout.write("True" if node["ready"] else "False")
            if "DaemonSet/kube-flannel-ds" in state["applied"]:
                node["ready"] = True  # Ready from the next poll on, once the CNI runs
            return
        if args[:2] == ["get", "nodes"]:
            print(json.dumps({"items": [{
                "metadata": {"name": n, "labels": {f"node-role.kubernetes.io/{r}": ""
                                                   for r in v["roles"]}},
                "status": {"conditions": [{"type": "Ready",
                                           "status": "True" if v["ready"] else "False"}],
                           "nodeInfo": {"kubeletVersion": VERSION}}}
                for n, v in sorted(nodes.items())]}))
            return
        if args[:1] == ["drain"]:
            if args[1] not in nodes:
                fail(f'Error from server (NotFound): nodes "{args[1]}" not found')
            print(f"node/{args[1]} drained")
            return
        if args[:2] == ["delete", "node"]:
            nodes.pop(args[2], None)
            return
        if args[:2] == ["create", "token"]:
            if f"ServiceAccount/{args[2]}" not in state["applied"]:
                fail(f'error: failed to create token: serviceaccounts "{args[2]}" not found')
            print("eyJhbGciOiJSUzI1NiJ9." + base64.urlsafe_b64encode(
                json.dumps({"sub": args[2]}).encode()).decode().rstrip("=") + ".signature")
            return
        if args[:1] == ["version"]:
            major, minor = VERSION.lstrip("v").split(".")[:2]
            print(json.dumps({"serverVersion": {"major": major, "minor": minor}}))
            return
    fail(f"kubectl double: unsupported {ARGS}")


def curl():
    url = ARGS[-1]
    with cluster() as state:
        up = state.get("advertise") and url == f"https://{state['advertise']}:6443/livez"
    if not up:
        fail(f"curl: (7) Failed to connect to {url}", 7)
    print("ok")


def systemctl():
    print("active" if ARGS[:1] == ["is-active"] else "")


def hostname():
    print(os.environ["NODE_NAME"])


def main():
    record(ARGS)
    handlers = {"sudo": sudo, "kubeadm": kubeadm, "kubectl": kubectl, "curl": curl,
                "systemctl": systemctl, "hostname": hostname}
    handlers[TOOL]()


if __name__ == "__main__":
    main()
