"""kubectl as the model runs it: apply, get, patch, drain, delete, create token, version.

Flags are kubectl v1.30's (kubernetes.io/docs/reference/kubectl/generated/); flag errors are
printed as kubectl prints them ("error: unknown flag: --x" + "See 'kubectl drain --help' for
usage.", exit 1: staging/src/k8s.io/kubectl/pkg/util/templates/templater.go FlagErrorFunc),
server errors as "Error from server (NotFound): ..." (exit 1). The credentials are the
kubeconfig's user: kubeadm's admin, or a kubelet's "system:node:<name>", which may read nodes
and delete only its own Node.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import yaml
from cli_flags import FlagError, Parsed, flags, parse
from k8s_model import CNI_DAEMONSET, VERSION, Host, Outcome, ToolError, api_up, endpoint

GLOBAL = flags("kubeconfig", "request-timeout", "n|namespace", "context", "cluster", "user",
               "s|server", "token", "as", "as-group", "insecure-skip-tls-verify:bool",
               "certificate-authority", "client-certificate", "client-key", "tls-server-name",
               "match-server-version:bool", "warnings-as-errors:bool", "cache-dir",
               "disable-compression:bool", "v|v:int")
PRINT = ("o|output", "allow-missing-template-keys:bool", "show-managed-fields:bool",
         "template")
FLAGS = {
    "apply": flags("f|filename", "k|kustomize", "R|recursive:bool", "server-side:bool",
                   "force-conflicts:bool", "field-manager", "dry-run", "prune:bool",
                   "l|selector", "overwrite:bool", "validate", "wait:bool",
                   "timeout:duration", "force:bool", "grace-period:int", *PRINT),
    "get": flags("l|selector", "A|all-namespaces:bool", "w|watch:bool", "show-labels:bool",
                 "no-headers:bool", "field-selector", "chunk-size:int",
                 "ignore-not-found:bool", "sort-by", "L|label-columns", "show-kind:bool",
                 "raw", "subresource", "f|filename", "R|recursive:bool", *PRINT),
    "patch": flags("p|patch", "patch-file", "type", "dry-run", "local:bool", "f|filename",
                   "R|recursive:bool", "field-manager", "subresource", *PRINT),
    "drain": flags("chunk-size:int", "delete-emptydir-data:bool", "disable-eviction:bool",
                   "dry-run", "force:bool", "grace-period:int", "ignore-daemonsets:bool",
                   "pod-selector", "l|selector", "skip-wait-for-delete-timeout:int",
                   "timeout:duration"),
    "delete": flags("all:bool", "A|all-namespaces:bool", "cascade", "dry-run",
                    "field-selector", "f|filename", "force:bool", "grace-period:int",
                    "ignore-not-found:bool", "k|kustomize", "now:bool", "o|output", "raw",
                    "R|recursive:bool", "l|selector", "timeout:duration", "wait:bool",
                    "i|interactive:bool"),
    "create token": flags("duration:duration", "audience", "bound-object-kind",
                          "bound-object-name", "bound-object-uid", *PRINT),
    "version": flags("o|output", "client:bool"),
}
READY = '{.status.conditions[?(@.type=="Ready")].status}'


def kubectl(argv: list[str], host: Host, cluster: dict[str, Any]) -> Outcome:
    """Run `kubectl argv`; errors come back as kubectl prints them."""
    command = _command(argv)
    handlers: dict[str, Callable[[Parsed, Host, dict[str, Any], str], str]] = {
        "apply": _apply, "get": _get, "patch": _patch, "drain": _drain, "delete": _delete,
        "create token": _create_token, "version": _version}
    try:
        if command not in handlers:
            raise ToolError(f'unknown command "{command}" for "kubectl"')
        try:
            parsed = parse(argv, {**GLOBAL, **FLAGS[command]})
        except FlagError as exc:
            raise ToolError(f"{exc}\nSee 'kubectl {command} --help' for usage.") from None
        parsed.args = parsed.args[len(command.split()):]
        user = _credentials(parsed, host, cluster)
        return Outcome(handlers[command](parsed, host, cluster, user))
    except ToolError as exc:
        prefix = "" if exc.message.startswith(("Error from server", "The connection")) \
            else "error: "
        return Outcome(exc.stdout, f"{prefix}{exc.message}\n", exc.status)


def _command(argv: list[str]) -> str:
    words: list[str] = []
    index = 0
    while index < len(argv) and len(words) < 2:
        arg = argv[index]
        name = arg.lstrip("-").split("=", 1)[0]
        flag = GLOBAL.get(name) or next((f for f in GLOBAL.values() if f.short == name), None)
        if arg.startswith("-") and flag and flag.kind != "bool" and "=" not in arg:
            index += 2
            continue
        if not arg.startswith("-"):
            words.append(arg)
        index += 1
    return " ".join(words[:2]) if words[:1] == ["create"] else (words[0] if words else "")


def _credentials(parsed: Parsed, host: Host, cluster: dict[str, Any]) -> str:
    """The kubeconfig's user, once the API server it names answers."""
    if not parsed.has("kubeconfig"):
        raise ToolError("The connection to the server localhost:8080 was refused - did you "
                        "specify the right host or port?")
    path = parsed.value("kubeconfig")
    if not host.exists(path):
        raise ToolError(f"stat {path}: no such file or directory")
    try:
        config = yaml.safe_load(host.read(path))
        server = config["clusters"][0]["cluster"]["server"].split("//")[-1]
    except (yaml.YAMLError, TypeError, KeyError, IndexError):
        raise ToolError(f'error loading config file "{path}": couldn\'t get version/kind; '
                        "json parse error") from None
    if not api_up(cluster) or server != endpoint(cluster):
        raise ToolError(f"The connection to the server {server} was refused - did you specify "
                        "the right host or port?")
    return str(config["users"][0]["name"])


def _node_may_only(user: str, verb: str, name: str) -> None:
    if user.startswith("system:node:") and not (verb == "delete" and name == user[12:]):
        raise ToolError(f'Error from server (Forbidden): nodes "{name}" is forbidden: node '
                        f'"{user[12:]}" is not allowed to modify node "{name}"')


def _resource(parsed: Parsed, command: str) -> tuple[str, list[str]]:
    if not parsed.args:
        raise ToolError(f"You must specify the type of resource to {command}.")
    kind = {"no": "node", "nodes": "node", "sc": "storageclass",
            "storageclasses": "storageclass"}.get(parsed.args[0], parsed.args[0])
    if kind not in ("node", "storageclass"):
        raise ToolError(f'the server doesn\'t have a resource type "{parsed.args[0]}"')
    return kind, parsed.args[1:]


def _not_found(kind: str, name: str) -> ToolError:
    plural = {"node": "nodes", "storageclass": "storageclasses.storage.k8s.io"}[kind]
    return ToolError(f'Error from server (NotFound): {plural} "{name}" not found')


# -- apply ----------------------------------------------------------------------------------
def _apply(parsed: Parsed, host: Host, cluster: dict[str, Any], user: str) -> str:
    if not parsed.has("filename") and not parsed.has("kustomize"):
        raise ToolError("must specify one of -f and -k")
    if parsed.value("filename") != "-":
        raise ToolError(f"the path \"{parsed.value('filename')}\" does not exist")
    try:
        docs = [d for d in yaml.safe_load_all(host.stdin) if d]
    except yaml.YAMLError as exc:
        raise ToolError(f"error parsing STDIN: {exc}") from None
    out = []
    for item in (i for d in docs for i in (d.get("items") or [d])):
        if not item.get("kind") or not item.get("metadata", {}).get("name"):
            raise ToolError("error validating data: kind or metadata.name not set")
        ref = f"{item['kind']}/{item['metadata']['name']}"
        verb = "unchanged" if ref in cluster["applied"] else "created"
        if verb == "created":
            cluster["applied"].append(ref)
        if item["kind"] == "StorageClass":
            annotations = item["metadata"].get("annotations") or {}
            cluster["storageclasses"].setdefault(item["metadata"]["name"], dict(
                annotations, provisioner=item.get("provisioner", "")))
        out.append(f"{item['kind'].lower()}/{item['metadata']['name']} {verb}\n")
    return "".join(out)


# -- get ------------------------------------------------------------------------------------
def _get(parsed: Parsed, host: Host, cluster: dict[str, Any], user: str) -> str:
    kind, names = _resource(parsed, "get")
    output = parsed.value("output")
    if kind == "storageclass":
        items = [{"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                  "metadata": {"name": n, "annotations": {
                      k: v for k, v in sc.items() if k != "provisioner"}},
                  "provisioner": sc["provisioner"]}
                 for n, sc in sorted(cluster["storageclasses"].items())]
    else:
        poll = output.startswith("jsonpath=")
        items = [_node_item(n, cluster, poll) for n in sorted(cluster["nodes"])
                 if not names or n in names]
    if names and not items:
        raise _not_found(kind, names[0])
    if output == "json":
        return json.dumps(items[0] if names else {"apiVersion": "v1", "kind": "List",
                                                   "items": items}, indent=4) + "\n"
    if output == "name":
        return "".join(f"{kind}/{i['metadata']['name']}\n" for i in items)
    if output.startswith("jsonpath="):
        if output[9:] != READY or kind != "node" or len(items) != 1:
            raise ToolError(f"the double does not evaluate {output!r}: add it to the model")
        return items[0]["status"]["conditions"][0]["status"]
    if output:
        raise ToolError(f'unable to match a printer suitable for the output format "{output}",'
                        " allowed formats are: custom-columns,custom-columns-file,go-template,"
                        "go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,"
                        "template,templatefile,wide,yaml")
    return "NAME\n" + "".join(i["metadata"]["name"] + "\n" for i in items)


def _node_item(name: str, cluster: dict[str, Any], poll: bool) -> dict[str, Any]:
    node = cluster["nodes"][name]
    if poll and not node["ready"] and CNI_DAEMONSET in cluster["applied"]:
        node["polls"] = node.get("polls", 0) - 1  # the kubelet reports Ready once the CNI runs
        node["ready"] = node["polls"] < 0
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {f"node-role.kubernetes.io/{r}": ""
                                                  for r in node["roles"]}},
            "spec": {"unschedulable": True} if node.get("cordoned") else {},
            "status": {"conditions": [{"type": "Ready",
                                       "status": "True" if node["ready"] else "False"}],
                       "nodeInfo": {"kubeletVersion": cluster.get("version", VERSION)}}}


# -- patch, drain, delete -------------------------------------------------------------------
def _patch(parsed: Parsed, host: Host, cluster: dict[str, Any], user: str) -> str:
    kind, names = _resource(parsed, "patch")
    if not parsed.has("patch") and not parsed.has("patch-file"):
        raise ToolError("must specify --patch or --patch-file containing the contents of the "
                        "patch")
    if kind != "storageclass" or len(names) != 1:
        raise ToolError(f"the double patches one storageclass, not {parsed.args}")
    if names[0] not in cluster["storageclasses"]:
        raise _not_found(kind, names[0])
    try:
        patch = yaml.safe_load(parsed.value("patch"))
    except yaml.YAMLError as exc:
        raise ToolError(f"unable to parse \"{parsed.value('patch')}\": {exc}") from None
    cluster["storageclasses"][names[0]].update(
        (patch.get("metadata") or {}).get("annotations") or {})
    return f"storageclass.storage.k8s.io/{names[0]} patched\n"


def _drain(parsed: Parsed, host: Host, cluster: dict[str, Any], user: str) -> str:
    if len(parsed.args) != 1:
        raise ToolError("USAGE: kubectl drain NODE [flags]\nSee 'kubectl drain --help' for "
                        "usage.")
    name = parsed.args[0]
    if name not in cluster["nodes"]:
        raise _not_found("node", name)
    _node_may_only(user, "patch", name)
    if not parsed.true("ignore-daemonsets"):
        raise ToolError(f"unable to drain node \"{name}\" due to error: cannot delete "
                        "DaemonSet-managed Pods (use --ignore-daemonsets to ignore): "
                        "kube-flannel/kube-flannel-ds", stdout=f"node/{name} cordoned\n")
    cluster["nodes"][name]["cordoned"] = True
    return f"node/{name} cordoned\nnode/{name} drained\n"


def _delete(parsed: Parsed, host: Host, cluster: dict[str, Any], user: str) -> str:
    kind, names = _resource(parsed, "delete")
    if kind != "node" or not names:
        raise ToolError("resource(s) were provided, but no name was specified")
    out = []
    for name in names:
        _node_may_only(user, "delete", name)
        if name not in cluster["nodes"]:
            if parsed.true("ignore-not-found"):
                continue
            raise _not_found(kind, name)
        del cluster["nodes"][name]
        out.append(f'node "{name}" deleted\n')
    return "".join(out)


# -- create token, version ------------------------------------------------------------------
def _create_token(parsed: Parsed, host: Host, cluster: dict[str, Any], user: str) -> str:
    if len(parsed.args) != 1:
        raise ToolError("exactly one NAME is required, got " + str(len(parsed.args)))
    name, namespace = parsed.args[0], parsed.value("namespace", "default")
    if f"ServiceAccount/{name}" not in cluster["applied"]:
        raise ToolError(f'Error from server (NotFound): serviceaccounts "{name}" not found')
    claims = {"sub": f"system:serviceaccount:{namespace}:{name}",
              "exp-in": parsed.value("duration", "1h0m0s")}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJSUzI1NiJ9.{body}.signature\n"


def _version(parsed: Parsed, host: Host, cluster: dict[str, Any], user: str) -> str:
    version = str(cluster.get("version", VERSION))
    minor = version.split(".")[1]
    info = {"clientVersion": {"major": "1", "minor": minor, "gitVersion": version},
            "serverVersion": {"major": "1", "minor": minor, "gitVersion": version}}
    if parsed.value("output") not in ("json", "yaml", ""):
        raise ToolError("--output must be 'yaml' or 'json'")
    if parsed.value("output") == "yaml":
        return yaml.safe_dump(info)
    if parsed.value("output") == "json":
        return json.dumps(info, indent=2) + "\n"
    return f"Client Version: {version}\nServer Version: {version}\n"

