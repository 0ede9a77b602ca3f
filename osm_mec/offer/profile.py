"""The MECaaS profile: one YAML file that describes an NSP's MEC-as-a-Service offer.

The JSON schema below is the single source of the fields, their defaults (the paper's
set-up) and their help texts; ``default_profile_yaml`` writes the commented default file
from it and ``load_profile`` validates a file against it plus the checks a schema cannot
express (addresses inside the cluster network, worker bounds).
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .. import __version__
from ..core.errors import UsageError
from ..core.yamlio import load_yaml_file
from .images import DEFAULT_REGISTRY, OUR_IMAGES, REGISTRY_PATTERN, default_image

NAME_PATTERN = "^[a-z][a-z0-9-]{0,19}$"


def _s(description: str, default: Any, **extra: Any) -> dict[str, Any]:
    """A scalar property with its help text and default."""
    kind = {bool: "boolean", int: "integer", float: "number", str: "string"}[type(default)]
    return {"type": kind, "description": description, "default": default, **extra}


def _o(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    """A closed mapping: every key optional (defaults fill it), unknown keys rejected."""
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "properties": properties,
    }


def _flavour(role: str) -> dict[str, Any]:
    return _o(
        f"Flavour of the {role} VM (the paper used 4 vCPU / 8 GiB nodes).",
        {
            "vcpu": _s("Virtual CPUs.", 4, minimum=1, maximum=128),
            "ram_gib": _s("Memory in GiB.", 8, minimum=2, maximum=1024),
            "disk_gib": _s("Root disk in GiB.", 40, minimum=10, maximum=4096),
        },
    )


SCHEMA: dict[str, Any] = _o(
    "osm-mec MECaaS profile.",
    {
        "name_prefix": _s(
            "Prefix of every descriptor id, NS name, namespace and host name of this offer "
            "(lower-case letters, digits and '-').",
            "mecaas",
            pattern=NAME_PATTERN,
        ),
        "model": _s(
            "b2b2c: the NSP deploys an Edge OSM per CSP, which deploys the MEC apps; "
            "b2c: the NSP's Main OSM deploys the MEC apps itself.",
            "b2b2c",
            enum=["b2b2c", "b2c"],
        ),
        "vim": _o(
            "VIM networks used for management (mapped to each NS's management VL).",
            {
                "nsp_mgmt_network": _s(
                    "Management network in the NSP VIM (cluster for the CNFs).", "osm-ext",
                    minLength=1,
                ),
                "edge_mgmt_network": _s(
                    "Management network in the edge VIM (the MEC host's cluster).",
                    "edge-mgmt",
                    minLength=1,
                ),
            },
        ),
        "image": _s("VM image of every cluster node (Ubuntu 22.04 cloud image).",
                    "ubuntu-22.04", minLength=1),
        "registry": _s(
            "Container registry (host, optional port and path) osm-mec's images are pushed "
            "to; they are pulled as <registry>/osm-mec/mep:<version> and "
            "<registry>/osm-mec/mecapp:<version>. Use your own (see docs/real-osm.md).",
            DEFAULT_REGISTRY, pattern=REGISTRY_PATTERN,
        ),
        "flavours": _o(
            "VM flavours of the Kubernetes cluster VNF.",
            {"controller": _flavour("controller"), "worker": _flavour("worker")},
        ),
        "workers": _o(
            "Worker VDU instances of each cluster: initial count and scaling bounds.",
            {
                "initial": _s("Workers at instantiation.", 1, minimum=0, maximum=100),
                "min": _s("Fewest workers scale-in may leave.", 1, minimum=0, maximum=100),
                "max": _s("Most workers scale-out may reach.", 10, minimum=1, maximum=100),
            },
        ),
        "cluster": _o(
            "Kubernetes cluster settings.",
            {
                "network_cidr": _s(
                    "CIDR of the internal VL cluster-net between the nodes.", "172.16.0.0/24"
                ),
                "controller_ip": _s(
                    "Fixed address of the controller on cluster-net; workers join it.",
                    "172.16.0.10",
                ),
                "pod_cidr": _s("Pod network CIDR.", "10.244.0.0/16"),
                "service_cidr": _s("Service network CIDR.", "10.96.0.0/12"),
                "kubernetes_version": _s(
                    "Kubernetes minor version (kubeadm, kubelet, kubectl).", "1.30",
                    pattern=r"^1\.(2[4-9]|3[0-9])$",
                ),
                "cni": _s("Container network plugin.", "flannel", enum=["flannel", "calico"]),
                "ssh_user": _s("Login user of the image; the charm connects as this user.",
                               "ubuntu", pattern="^[a-z_][a-z0-9_-]{0,31}$"),
            },
        ),
        "mep": _o(
            "Values of the MEC platform (MEP) Helm chart.",
            {
                "image": _s("MEP container image. Empty: "
                            f"<registry>/osm-mec/mep:{__version__}.", ""),
                "service_type": _s(
                    "How the Mp1 service is exposed. NodePort: Kubernetes picks the port and "
                    "OSM records it; the chain and the CSP's applications reach the MEP there "
                    "(ClusterIP is reachable only inside the NSP cluster).", "NodePort",
                    enum=["ClusterIP", "NodePort"]),
                "replicas": _s("MEP replicas.", 1, minimum=1, maximum=10),
            },
        ),
        "edge_osm": _o(
            "The Edge OSM (Charmed OSM as a Juju bundle) deployed per CSP in b2b2c.",
            {
                "channel": _s("Charmhub channel of the Charmed OSM charms.", "14.0/stable",
                              pattern=r"^[a-z0-9.]+/(stable|candidate|beta|edge)$"),
            },
        ),
        "mec_app": _o(
            "Values of the sample MEC application's Helm chart.",
            {
                "image": _s("Sample MEC application image. Empty: "
                            f"<registry>/osm-mec/mecapp:{__version__}.", ""),
                "replicas": _s("Replicas.", 1, minimum=1, maximum=10),
                "service_name": _s("Name under which the app registers its Mp1 service.",
                                   "mec-sample", pattern="^[a-zA-Z0-9._-]{1,63}$"),
            },
        ),
    },
)


def _defaults(schema: dict[str, Any]) -> Any:
    if schema.get("type") == "object":
        return {key: _defaults(sub) for key, sub in schema["properties"].items()}
    return copy.deepcopy(schema["default"])


def _merge(defaults: Any, given: Any) -> Any:
    if isinstance(defaults, dict) and isinstance(given, dict):
        merged = dict(defaults)
        for key, value in given.items():
            merged[key] = _merge(defaults.get(key), value) if key in defaults else value
        return merged
    return given


@dataclass(frozen=True)
class Profile:
    """A validated profile: the merged mapping plus where it came from."""

    data: dict[str, Any]
    source: str = "<default>"

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    @property
    def prefix(self) -> str:
        return str(self.data["name_prefix"])

    def descriptor_id(self, package: str) -> str:
        """The OSM descriptor id of a package of this offer."""
        return f"{self.prefix}_{package}"


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


# fields earlier releases had, and why they are gone (a profile naming one is refused)
REMOVED: dict[tuple[str, str], str] = {
    ("mep", "node_port"): "NodePorts are no longer fixed: Kubernetes allocates the MEP's "
                          "(CSPs sharing the NSP cluster collided on a fixed one) and the "
                          "chain reads it from OSM's KDU record",
    ("edge_osm", "nbi_node_port"): "the Edge OSM's NBI is exposed by a NodePort Service the "
                                   "chain creates through the cluster's API; Kubernetes "
                                   "allocates the port and the chain reads it back",
}


def _without_removed(data: Any) -> tuple[Any, list[str]]:
    """`data` without the removed fields (a copy when it named one), and a problem for
    each of them."""
    if not isinstance(data, dict):
        return data, []
    problems = []
    for (section, key), why in REMOVED.items():
        if isinstance(data.get(section), dict) and key in data[section]:
            problems.append(f"{section}.{key}: no longer a profile field ({why}); remove it")
            data = {**data, section: {k: v for k, v in data[section].items() if k != key}}
    return data, problems


def _schema_errors(data: Any) -> Iterator[str]:
    data, removed = _without_removed(data)
    yield from removed
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        where = _path(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = ", ".join(error.schema["properties"])
            yield f"{where}: {error.message}; allowed keys: {allowed}"
        elif error.validator == "enum":
            yield f"{where}: {error.instance!r} is not allowed; use one of {error.validator_value}"
        else:
            yield f"{where}: {error.message}"


def _network(value: str, where: str, problems: list[str]) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        problems.append(f"{where}: {value!r} is not an IPv4 network in CIDR form ({exc})")
        return None


def _semantic_errors(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    workers = data["workers"]
    if not workers["min"] <= workers["initial"] <= workers["max"]:
        problems.append(
            f"workers: need min <= initial <= max, got min={workers['min']} "
            f"initial={workers['initial']} max={workers['max']}"
        )
    cluster = data["cluster"]
    nets = {key: _network(cluster[key], f"cluster.{key}", problems)
            for key in ("network_cidr", "pod_cidr", "service_cidr")}
    try:
        controller = ipaddress.IPv4Address(cluster["controller_ip"])
    except ValueError:
        problems.append(f"cluster.controller_ip: {cluster['controller_ip']!r} is not an IPv4 "
                        "address")
        controller = None
    net = nets["network_cidr"]
    if net is not None and controller is not None:
        hosts = list(net.hosts()) if net.num_addresses <= 65536 else None
        if controller not in net:
            problems.append(f"cluster.controller_ip: {controller} is outside "
                            f"cluster.network_cidr {net}")
        elif hosts is not None and (len(hosts) < 3 or controller in (hosts[0], net.network_address,
                                                                     net.broadcast_address)):
            problems.append(f"cluster.controller_ip: {controller} is the network, broadcast or "
                            f"gateway (first host) address of {net}; pick another")
        elif hosts is not None and int(hosts[-1]) - int(controller) < workers["max"]:
            problems.append(f"cluster.controller_ip: {controller} leaves fewer than workers.max="
                            f"{workers['max']} addresses after it in {net} for the workers")
    pairs = [("network_cidr", "pod_cidr"), ("network_cidr", "service_cidr"),
             ("pod_cidr", "service_cidr")]
    for left, right in pairs:
        first, second = nets[left], nets[right]
        if first is not None and second is not None and first.overlaps(second):
            problems.append(f"cluster.{right}: {second} overlaps cluster.{left} {first}")
    return problems


def _resolve_images(data: dict[str, Any]) -> None:
    """Images left empty are osm-mec's own, in the profile's registry."""
    for section, name in OUR_IMAGES.items():
        if not data[section]["image"]:
            data[section]["image"] = default_image(data["registry"], name)


def validate_profile_data(data: Any, source: str = "<profile>") -> Profile:
    """Validate a parsed profile mapping; raise UsageError listing every problem."""
    if data is None:
        data = {}
    problems = list(_schema_errors(data))
    if not problems:
        data = _merge(_defaults(SCHEMA), data)
        _resolve_images(data)
        problems = _semantic_errors(data)
    if problems:
        raise UsageError(
            f"{source}: invalid profile:\n" + "\n".join(f"  {source}: {p}" for p in problems)
        )
    return Profile(data=data, source=source)


def load_profile(path: str | Path | None) -> Profile:
    """Load and validate a profile file; the default profile when path is None."""
    if path is None:
        return validate_profile_data({}, "<default profile>")
    path = Path(path)
    return validate_profile_data(load_yaml_file(path, "profile"), str(path))


def default_profile() -> Profile:
    """The default profile (the paper's set-up)."""
    return load_profile(None)


def _comment_lines(text: str, indent: str) -> list[str]:
    return [f"{indent}# {line}" for line in text.splitlines()]


def _emit(schema: dict[str, Any], depth: int) -> list[str]:
    lines: list[str] = []
    indent = "  " * depth
    for key, sub in schema["properties"].items():
        lines += _comment_lines(sub["description"], indent)
        if sub.get("type") == "object":
            lines.append(f"{indent}{key}:")
            lines += _emit(sub, depth + 1)
        else:
            allowed = f" (one of: {', '.join(sub['enum'])})" if "enum" in sub else ""
            if allowed:
                lines[-1] += allowed
            value = yaml.safe_dump(sub["default"], default_flow_style=True).strip()
            value = value.removesuffix("\n...").removesuffix("...").strip()
            lines.append(f"{indent}{key}: {value}")
    return lines


def default_profile_yaml() -> str:
    """The default profile as YAML with a comment on every field."""
    header = [
        "# osm-mec MECaaS profile. Every field is optional; these are the defaults.",
        "# Check a profile with: osm-mec profile check FILE",
    ]
    return "\n".join(header + _emit(SCHEMA, 0)) + "\n"
