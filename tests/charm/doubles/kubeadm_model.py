"""kubeadm as the model runs it: version, init, join, reset, token create/list/delete.

Flags are the real ones of kubeadm v1.30 (kubeadm <cmd> --help; kubernetes.io/docs/reference/
setup-tools/kubeadm/generated/). Errors end like kubeadm's (util.CheckErr): the message,
then "To see the stack trace of this error execute with --v=5 or higher", exit 1.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from collections.abc import Callable
from typing import Any

import yaml
from cli_flags import FlagError, Parsed, flags, parse
from k8s_model import (
    ADMIN_CONF,
    API_PORT,
    APISERVER_MANIFEST,
    CA_CRT,
    CA_KEY,
    KUBE,
    KUBELET_CONF,
    Host,
    Outcome,
    ToolError,
    api_up,
    endpoint,
    kubeconfig,
    new_cluster,
)

STACK_HINT = "To see the stack trace of this error execute with --v=5 or higher"
TOKEN = re.compile(r"^[a-z0-9]{6}\.[a-z0-9]{16}$")
TOKEN_ID = re.compile(r"^[a-z0-9]{6}$")
# bootstrapapi.BootstrapTokenPattern / BootstrapTokenIDPattern, as Go's %q prints them
TOKEN_FORMS = '"\\\\A([a-z0-9]{6})\\\\.([a-z0-9]{16})\\\\z" or "\\\\A([a-z0-9]{6})\\\\z"'
GLOBAL = ("rootfs", "v|v:int", "log-file")
# flags that may be given together with --config (validation.isAllowedFlag), plus skip-*
CONFIG_COMPATIBLE = {"config", "ignore-preflight-errors", "dry-run", "kubeconfig", "node-name",
                     "kubeconfig-dir", "upload-certs", "print-join-command", "rootfs", "v",
                     "log-file"}
FLAGS = {
    "version": flags(*GLOBAL, "o|output"),
    "init": flags(*GLOBAL, "config", "skip-token-print:bool", "upload-certs:bool",
                  "ignore-preflight-errors", "dry-run:bool", "node-name", "skip-phases",
                  "apiserver-advertise-address", "apiserver-bind-port:int",
                  "apiserver-cert-extra-sans", "cert-dir", "certificate-key",
                  "control-plane-endpoint", "cri-socket", "feature-gates",
                  "image-repository", "kubernetes-version", "patches", "pod-network-cidr",
                  "service-cidr", "service-dns-domain", "skip-certificate-key-print:bool",
                  "token", "token-ttl:duration"),
    "join": flags(*GLOBAL, "config", "token", "discovery-token",
                  "discovery-token-ca-cert-hash",
                  "discovery-token-unsafe-skip-ca-verification:bool", "discovery-file",
                  "tls-bootstrap-token", "node-name", "cri-socket", "ignore-preflight-errors",
                  "control-plane:bool", "certificate-key", "apiserver-advertise-address",
                  "apiserver-bind-port:int", "dry-run:bool", "patches", "skip-phases"),
    "reset": flags(*GLOBAL, "f|force:bool", "cert-dir", "cleanup-tmp-dir:bool", "config",
                   "cri-socket", "dry-run:bool", "ignore-preflight-errors", "kubeconfig",
                   "skip-phases"),
    "token create": flags(*GLOBAL, "kubeconfig", "dry-run:bool", "config",
                          "print-join-command:bool", "certificate-key", "ttl:duration",
                          "usages", "groups", "description"),
    "token list": flags(*GLOBAL, "kubeconfig", "dry-run:bool", "o|output",
                        "allow-missing-template-keys:bool", "show-managed-fields:bool"),
    "token delete": flags(*GLOBAL, "kubeconfig", "dry-run:bool"),
}


def kubeadm(argv: list[str], host: Host, cluster: dict[str, Any]) -> Outcome:
    """Run `kubeadm argv`; errors come back as kubeadm prints them."""
    words = [a for a in argv if not a.startswith("-")]
    command = " ".join(words[:2]) if words[:1] == ["token"] else (words[0] if words else "")
    handlers: dict[str, Callable[[Parsed, Host, dict[str, Any]], str]] = {
        "version": _version, "init": _init, "join": _join, "reset": _reset,
        "token create": _token_create, "token list": _token_list,
        "token delete": _token_delete}
    try:
        if command not in handlers:
            raise ToolError(f'unknown command "{words[0] if words else ""}" for "kubeadm"'
                            if words[:1] != ["token"] or len(words) > 1 else
                            "missing subcommand; \"token\" is not meant to be run on its own")
        try:
            parsed = parse(argv, FLAGS[command])
        except FlagError as exc:
            raise ToolError(str(exc)) from None
        parsed.args = parsed.args[len(command.split()):]
        return Outcome(handlers[command](parsed, host, cluster))
    except ToolError as exc:
        return Outcome(exc.stdout, f"{exc.message}\n{STACK_HINT}\n", exc.status)


# -- helpers --------------------------------------------------------------------------------
def _preflight(errors: list[str]) -> None:
    if errors:
        raise ToolError("error execution phase preflight: [preflight] Some fatal errors "
                        "occurred:\n" + "".join(f"\t[ERROR {e}\n" for e in errors) +
                        "[preflight] If you know what you are doing, you can make a check "
                        "non-fatal with `--ignore-preflight-errors=...`")


def _root_check(host: Host) -> list[str]:
    return [] if host.root else ["IsPrivilegedUser]: user is not running as root"]


def _file_available(host: Host, *paths: str) -> list[str]:
    return [f"FileAvailable-{p.replace('/', '-')}]: {p} already exists"
            for p in paths if host.exists(p)]


def _mixed_with_config(parsed: Parsed) -> None:
    if not parsed.has("config"):
        return
    mixed = sorted(n for n in parsed.flags
                   if n not in CONFIG_COMPATIBLE and not n.startswith("skip-"))
    if mixed:
        raise ToolError(f"can not mix '--config' with arguments [{' '.join(mixed)}]")


def _new_token() -> str:
    alphabet = string.ascii_lowercase + string.digits
    pick = lambda n: "".join(secrets.choice(alphabet) for _ in range(n))  # noqa: E731
    return f"{pick(6)}.{pick(16)}"


def _client(parsed: Parsed, host: Host, cluster: dict[str, Any]) -> None:
    """What GetClientSet needs: the kubeconfig file and an answering API server."""
    path = parsed.value("kubeconfig", ADMIN_CONF)
    if not host.exists(path):
        raise ToolError(f"failed to load admin kubeconfig: open {path}: no such file or "
                        "directory")
    if not api_up(cluster):
        server = yaml.safe_load(host.read(path))["clusters"][0]["cluster"]["server"]
        raise ToolError(f'Get "{server}/api/v1/namespaces/kube-system/secrets": dial tcp '
                        f"{server.split('//')[-1]}: connect: connection refused")


# -- kubeadm version ------------------------------------------------------------------------
def _version(parsed: Parsed, host: Host, cluster: dict[str, Any]) -> str:
    output, version = parsed.value("output"), host.version
    if output == "short":
        return version + "\n"
    info = {"clientVersion": {"major": version[1], "minor": version.split(".")[1],
                              "gitVersion": version, "platform": "linux/amd64"}}
    if output == "json":
        return json.dumps(info, indent=2) + "\n"
    if output == "yaml":
        return yaml.safe_dump(info)
    if output:
        raise ToolError(f"invalid output format: {output}")
    return f'kubeadm version: &version.Info{{GitVersion:"{version}"}}\n'


# -- kubeadm init ---------------------------------------------------------------------------
def _load_config(host: Host, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The InitConfiguration and ClusterConfiguration, refused as this kubeadm refuses."""
    if not host.exists(path):
        raise ToolError(f'unable to read config from "{path}" : open {path}: no such file '
                        "or directory")
    docs = {d.get("kind"): d for d in yaml.safe_load_all(host.read(path)) if d}
    init, cfg = docs.get("InitConfiguration", {}), docs.get("ClusterConfiguration", {})
    version = host.version
    minor = int(version.split(".")[1])
    for doc in (init, cfg):
        api = doc.get("apiVersion", "")
        if (api == "kubeadm.k8s.io/v1beta4" and minor < 31) or api not in (
                "kubeadm.k8s.io/v1beta3", "kubeadm.k8s.io/v1beta4"):
            raise ToolError(f'no kind "{doc.get("kind")}" is registered for version "{api}" '
                            'in scheme "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/'
                            'scheme/scheme.go:31"')
    args = init.get("nodeRegistration", {}).get("kubeletExtraArgs")
    wants_list = init.get("apiVersion") == "kubeadm.k8s.io/v1beta4"
    if args is not None and isinstance(args, list) != wants_list:
        got, want = ("array", "map[string]string") if isinstance(args, list) else \
            ("object", "[]v1beta4.Arg")
        raise ToolError(f"json: cannot unmarshal {got} into Go struct field NodeRegistration"
                        f"Options.nodeRegistration.kubeletExtraArgs of type {want}")
    wanted = str(cfg.get("kubernetesVersion", version))
    if wanted.lstrip("v").split(".")[:2] != version.lstrip("v").split(".")[:2]:
        raise ToolError(f"this version of kubeadm only supports deploying clusters with the "
                        f"control plane version {version.rsplit('.', 1)[0]}.x; asked for "
                        f"{wanted}")
    return init, cfg


def _init(parsed: Parsed, host: Host, cluster: dict[str, Any]) -> str:
    _mixed_with_config(parsed)
    init, cfg = _load_config(host, parsed.value("config")) if parsed.has("config") else \
        ({}, {})
    _preflight(_root_check(host) + _file_available(
        host, APISERVER_MANIFEST, f"{KUBE}/manifests/etcd.yaml") +
        ([] if not host.exists("/var/lib/etcd/member") else
         ["DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty"]))
    name = parsed.value("node-name") or host.node_name
    advertise = init.get("localAPIEndpoint", {}).get("advertiseAddress") or \
        parsed.value("apiserver-advertise-address", "10.0.0.1")
    if not host.exists(CA_CRT):  # kubeadm keeps a CA it finds (the key never leaves)
        cert, key = host.new_ca()
        host.write(CA_CRT, cert)
        host.write(CA_KEY, key, mode=0o600)
    ca = host.read(CA_CRT)
    server = f"https://{advertise}:{API_PORT}"
    host.write(APISERVER_MANIFEST, f"# kube-apiserver --advertise-address={advertise}\n")
    host.write(f"{KUBE}/manifests/etcd.yaml", "# etcd\n")
    host.write("/var/lib/etcd/member/snap", "")
    host.write(ADMIN_CONF, kubeconfig(server, ca, "kubernetes-admin"), mode=0o600)
    host.write(f"{KUBE}/super-admin.conf", kubeconfig(server, ca, "kubernetes-super-admin"),
               mode=0o600)
    host.write(KUBELET_CONF, kubeconfig(server, ca, f"system:node:{name}"), mode=0o600)
    host.write("/var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\n")
    if host.fault("init"):
        raise ToolError("[wait-control-plane] Waiting for the kubelet to boot up the control "
                        "plane\nerror execution phase wait-control-plane: couldn't initialize "
                        "a Kubernetes cluster")
    default = _new_token()  # no bootstrapTokens in the config: kubeadm makes one (24 h)
    tokens = [t["token"] for t in init.get("bootstrapTokens") or [{"token": default}]]
    ca_hash = host.ca_hash(ca)
    polls = cluster.get("not_ready_polls", 1)
    cluster.clear()
    new_cluster(cluster).update(not_ready_polls=polls,
        advertise=advertise, control_plane=name, ca_hash=ca_hash, ca_pem=ca,
        version=host.version,
        sans=cfg.get("apiServer", {}).get("certSANs", []),
        pod_cidr=cfg.get("networking", {}).get("podSubnet", ""),
        service_cidr=cfg.get("networking", {}).get("serviceSubnet", "10.96.0.0/12"),
        tokens=tokens, ttls=dict.fromkeys(tokens, "24h0m0s"))
    cluster["nodes"][name] = {"ready": False, "roles": ["control-plane"],
                              "polls": cluster["not_ready_polls"]}
    token = "<value withheld>" if parsed.true("skip-token-print") else tokens[0]
    return ("Your Kubernetes control-plane has initialized successfully!\n\n"
            "Then you can join any number of worker nodes by running the following on each "
            f"as root:\n\nkubeadm join {advertise}:{API_PORT} --token {token} \\\n"
            f"\t--discovery-token-ca-cert-hash {ca_hash}\n")


# -- kubeadm join ---------------------------------------------------------------------------
def _join(parsed: Parsed, host: Host, cluster: dict[str, Any]) -> str:
    _mixed_with_config(parsed)
    token = parsed.value("token") or parsed.value("discovery-token")
    if not token and not parsed.has("discovery-file") and not parsed.has("config"):
        raise ToolError('discovery: Invalid value: "": bootstrapToken or file must be set')
    if token and not TOKEN.match(token):
        raise ToolError(f'the bootstrap token "{token}" was not of the form '
                        '"^([a-z0-9]{6})\\.([a-z0-9]{16})$"')
    hashes = parsed.value("discovery-token-ca-cert-hash")
    if not hashes and not parsed.true("discovery-token-unsafe-skip-ca-verification"):
        raise ToolError('discovery.bootstrapToken: Invalid value: "": using token-based '
                        "discovery without caCertHashes can be unsafe. Set "
                        "unsafeSkipCAVerification as true in your kubeadm config file or pass "
                        "--discovery-token-unsafe-skip-ca-verification flag to continue")
    if len(parsed.args) != 1:
        raise ToolError("[discovery] Please provide an API server endpoint (host:port)"
                        if not parsed.args else "accepts at most 1 arg(s), received "
                        f"{len(parsed.args)}")
    _preflight(_root_check(host) + _file_available(host, KUBELET_CONF, CA_CRT))
    target = parsed.args[0]
    discovery = "error execution phase preflight: couldn't validate the identity of the API " \
        "Server: "
    if not api_up(cluster) or endpoint(cluster) != target:
        raise ToolError(f'{discovery}Get "https://{target}/api/v1/namespaces/kube-public/'
                        f'configmaps/cluster-info?timeout=10s": dial tcp {target}: connect: '
                        "connection refused")
    if token not in cluster["tokens"]:
        raise ToolError(f"{discovery}could not find a JWS signature in the cluster-info "
                        f'ConfigMap for token ID "{token.split(".")[0]}"')
    if hashes and cluster["ca_hash"] not in hashes.split(","):
        raise ToolError(f"{discovery}cluster CA found in cluster-info ConfigMap is invalid: "
                        f'none of the public keys "{cluster["ca_hash"]}" are pinned')
    name = parsed.value("node-name") or host.node_name
    known = cluster["nodes"].get(name)
    if known and known["ready"]:
        raise ToolError(f'error execution phase kubelet-start: a Node with name "{name}" and '
                        'status "Ready" already exists in the cluster. You must delete the '
                        "existing Node or change the name of this new joining Node")
    ca = str(cluster["ca_pem"])
    host.write(CA_CRT, ca)
    host.write(KUBELET_CONF, kubeconfig(f"https://{target}", ca, f"system:node:{name}"),
               mode=0o600)
    host.write("/var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\n")
    cluster["nodes"][name] = {"ready": False, "roles": [], "polls": cluster["not_ready_polls"]}
    if host.fault("join"):
        raise ToolError("error execution phase kubelet-start: timed out waiting for the "
                        "condition")
    return "This node has joined the cluster:\n* Certificate signing request was sent to " \
        "apiserver and a response was received.\n"


# -- kubeadm reset --------------------------------------------------------------------------
RESET_FILES = (f"{KUBE}/manifests", f"{KUBE}/pki", ADMIN_CONF, f"{KUBE}/super-admin.conf",
               KUBELET_CONF, f"{KUBE}/bootstrap-kubelet.conf",
               f"{KUBE}/controller-manager.conf", f"{KUBE}/scheduler.conf",
               "/var/lib/kubelet", "/var/lib/etcd")


def _reset(parsed: Parsed, host: Host, cluster: dict[str, Any]) -> str:
    _mixed_with_config(parsed)
    prompt = ""
    if not parsed.true("force") and not parsed.true("dry-run"):
        prompt = "[reset] Are you sure you want to proceed? [y/N]: "
        answer = (host.stdin.splitlines() or [""])[0].strip().lower()
        if answer not in ("y", "yes"):
            raise ToolError("error execution phase preflight: won't proceed; the user didn't "
                            "answer (Y|y) in order to continue", stdout=prompt)
    _preflight(_root_check(host))
    if cluster.get("control_plane") == host.node_name and host.exists(ADMIN_CONF):
        cluster.clear()  # the only control plane's etcd data is gone: so is the cluster
    for path in RESET_FILES:
        host.remove(path)
    return (prompt + "[preflight] Running pre-flight checks\n[reset] Deleted contents of the "
            "etcd data directory: /var/lib/etcd\n[reset] Deleting contents of "
            f"directories: [{KUBE}/manifests /var/lib/kubelet {KUBE}/pki]\n\n"
            "The reset process does not clean CNI configuration. To do so, you must remove "
            "/etc/cni/net.d\n")


# -- kubeadm token --------------------------------------------------------------------------
def _token_create(parsed: Parsed, host: Host, cluster: dict[str, Any]) -> str:
    _mixed_with_config(parsed)
    if len(parsed.args) > 1:
        raise ToolError(f"accepts at most 1 arg(s), received {len(parsed.args)}")
    token = parsed.args[0] if parsed.args else _new_token()
    if not TOKEN.match(token):
        raise ToolError(f'the bootstrap token "{token}" was not of the form '
                        '"^([a-z0-9]{6})\\.([a-z0-9]{16})$"')
    if parsed.has("certificate-key") and not parsed.true("print-join-command"):
        raise ToolError("cannot use --certificate-key without --print-join-command")
    _client(parsed, host, cluster)
    cluster["tokens"].append(token)
    cluster["created"].append(token)
    cluster["ttls"][token] = parsed.value("ttl", "24h0m0s")
    cluster["descriptions"][token] = parsed.value("description")
    if parsed.true("print-join-command"):
        return (f"kubeadm join {endpoint(cluster)} --token {token} "
                f"--discovery-token-ca-cert-hash {cluster['ca_hash']} \n")
    return token + "\n"


def _token_list(parsed: Parsed, host: Host, cluster: dict[str, Any]) -> str:
    if parsed.args:
        raise ToolError(f'unknown command "{parsed.args[0]}" for "kubeadm token list"')
    output = parsed.value("output", "text")
    if output not in ("text", "json", "yaml"):
        raise ToolError(f'unable to match a printer suitable for the output format "{output}",'
                        ' allowed formats are: json,yaml,text')
    _client(parsed, host, cluster)
    docs = [{"kind": "BootstrapToken", "apiVersion": "output.kubeadm.k8s.io/v1alpha3",
             "token": t, "description": cluster["descriptions"].get(t, ""),
             "ttl": cluster["ttls"].get(t, "24h0m0s"),
             "usages": ["authentication", "signing"],
             "groups": ["system:bootstrappers:kubeadm:default-node-token"]}
            for t in cluster["tokens"]]
    if output == "json":
        return "".join(json.dumps(d, indent=4) + "\n" for d in docs)
    if output == "yaml":
        return "".join(yaml.safe_dump(d) for d in docs)
    return "TOKEN                     TTL         EXPIRES   USAGES\n" + "".join(
        f"{d['token']}   {d['ttl']}   -   authentication,signing\n" for d in docs)


def _token_delete(parsed: Parsed, host: Host, cluster: dict[str, Any]) -> str:
    if not parsed.args:
        raise ToolError(f"missing argument; 'token delete' is missing token of form "
                        f"{TOKEN_FORMS}")
    _client(parsed, host, cluster)
    out: list[str] = []
    for given in parsed.args:
        if not TOKEN_ID.match(given) and not TOKEN.match(given):
            raise ToolError(f"given token didn't match pattern {TOKEN_FORMS}",
                            stdout="".join(out))
        token_id = given.split(".")[0]
        kept = [t for t in cluster["tokens"] if t.split(".")[0] != token_id]
        if len(kept) == len(cluster["tokens"]):
            raise ToolError(f'failed to delete bootstrap token "{token_id}": secrets '
                            f'"bootstrap-token-{token_id}" not found', stdout="".join(out))
        cluster["tokens"] = kept
        out.append(f'bootstrap token "{token_id}" deleted\n')
    return "".join(out)
