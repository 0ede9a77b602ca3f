"""The KDU's Helm values and the NS's instantiation parameters that an AppD implies:
``virtualComputeDescriptor`` -> resource requests and limits, ``swImageDescriptor`` ->
the image."""

from __future__ import annotations

import math
from typing import Any

from ..offer.descriptors.common import MGMT_VL
from .ids import AppPackageIds
from .model import AppD

DEFAULT_VIM_NETWORK = "edge-mgmt"


def cpu_quantity(cpus: float) -> str:
    """Kubernetes CPU quantity: whole CPUs as "2", fractions in millicores ("500m")."""
    millis = round(cpus * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def memory_quantity(megabytes: float) -> str:
    """Kubernetes memory quantity from IFA 011's MB, read as MiB as OpenStack flavours do
    ("512Mi"); a fraction is rounded up to whole KiB."""
    if float(megabytes).is_integer():
        return f"{int(megabytes)}Mi"
    return f"{math.ceil(megabytes * 1024)}Ki"


def image_values(reference: str) -> dict[str, str]:
    """{repository, tag} of an image reference; a digest (@sha256:...) stays in the
    repository and the tag is empty."""
    if "@" in reference:
        return {"repository": reference, "tag": ""}
    repository, colon, tag = reference.rpartition(":")
    if not colon or "/" in tag:
        return {"repository": reference, "tag": "latest"}
    return {"repository": repository, "tag": tag}


def resources(appd: AppD) -> dict[str, Any]:
    """Requests and limits, both equal to what the AppD asks for (Guaranteed QoS)."""
    compute = appd.data["virtualComputeDescriptor"]
    amounts = {"cpu": cpu_quantity(compute["virtualCpu"]["numVirtualCpu"]),
               "memory": memory_quantity(compute["virtualMemory"]["virtualMemSize"])}
    return {"requests": dict(amounts), "limits": dict(amounts)}


def kdu_values(appd: AppD) -> dict[str, Any]:
    """The Helm values the AppD implies: the image and the resources."""
    return {"image": image_values(appd.image), "resources": resources(appd)}


def ns_config(appd: AppD, ids: AppPackageIds, namespace: str,
              vim_network: str = DEFAULT_VIM_NETWORK,
              values: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``osm ns-create --config`` mapping of the application's NS: its management VL on
    vim_network and the KDU in namespace with the AppD's values (plus ``values``, which win
    key by key at the top level)."""
    merged = {**kdu_values(appd), **(values or {})}
    kdu = {"kdu_name": ids.kdu, "k8s-namespace": namespace, "additionalParams": merged}
    return {"vld": [{"name": MGMT_VL, "vim-network-name": vim_network}],
            "additionalParamsForVnf": [{"member-vnf-index": ids.member,
                                        "additionalParamsForKdu": [kdu]}]}
