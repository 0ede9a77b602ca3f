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
    os.execvp(mapped[0], mapped)


# -- kubeadm ----------------------------------------------------------------------------------
def kubeadm():
    kube = fake("/etc/kubernetes")
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
        with cluster() as state:
            state.update(advertise=advertise, ca_hash=ca_hash(crt), sans=cfg["apiServer"]
                         ["certSANs"], pod_cidr=cfg["networking"]["podSubnet"])
            state["tokens"] = [t["token"] for t in init["bootstrapTokens"]]
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
        print("This node has joined the cluster")
        return
    if ARGS[:1] == ["reset"]:
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
        print(new)
        return
    fail(f"kubeadm double: unsupported {ARGS}")


# -- kubectl ----------------------------------------------------------------------------------
def kubectl():
    args = list(ARGS)
    if args[:1] != ["--kubeconfig"] or not os.path.exists(args[1]):
        fail("The connection to the server localhost:8080 was refused")
    args = args[2:]
    with cluster() as state:
        nodes = state["nodes"]
        if args[:1] == ["apply"]:
            import yaml
            docs = [d for d in yaml.safe_load_all(sys.stdin.read()) if d]
            items = [i for d in docs for i in (d.get("items") or [d])]
            for item in items:
                state["applied"].append(f"{item['kind']}/{item['metadata']['name']}")
                print(f"{item['kind'].lower()}/{item['metadata']['name']} created")
            return
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
