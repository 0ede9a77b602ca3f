"""The Kubernetes cluster VNF: a controller VDU and a scalable worker VDU on cluster-net.

Why the worker VDU is listed BEFORE the controller: the controller gets a fixed address on
cluster-net through the instantiation parameter
``vnf[cluster].internal-vld[cluster-net].internal-connection-point[id-ref=controller-cluster]``
(see params.py), so workers can join without waiting for it. OSM's NBI checks that id-ref
with a defect present in every release from v8 to 2026 master: for each internal VL it
keeps only the id of the LAST int-cpd attached to it (walking ``vdu`` in order, a plain
string, not a list) and tests ``id-ref in <that string>``; any other CP is refused with
400 "... internal-connection-point[id-ref:...] is not present". With the controller's VDU
last, its ``controller-cluster`` CP is the one NBI keeps, so the fixed address is accepted
and NBI writes it into the controller's VNF record (``vdur.interfaces[].ip-address``,
``fixed-ip: true``), which is what LCM hands to RO. Nothing else in OSM depends on the
order of ``vdu``: LCM and RO look VDUs up by id, and day-1 primitives of all VDUs run in
parallel anyway. Keep the controller last (tests/test_generators.py checks it).
"""

from __future__ import annotations

from typing import Any

from ..assets import charm_dir
from ..charm_interface import CharmInterface, load_charm_interface
from ..profile import Profile
from . import cloud_init
from .common import (DF_ID, INSTANTIATION_LEVEL_ID, config_primitive, header,
                     initial_primitive)

PACKAGE = "k8s_cluster_vnf"
CHARM = "k8s-cluster"
EE_ID = "k8s-cluster-ee"
CLUSTER_VL = "cluster-net"
SCALING_ASPECT = "worker-scale"
# Order of the `vdu` list: the controller LAST (see the module docstring).
VDU_ORDER = ("worker", "controller")
CONTROLLER_DAY2 = ["get-join-info", "get-kubeconfig", "remove-node", "list-nodes",
                   "register-cluster", "add-worker", "get-ssh-public-key"]
WORKER_DAY2 = ["authorize-controller", "leave-cluster"]
# The Juju relation that carries the join data (charm endpoints in its metadata.yaml).
JOIN_RELATION = "cluster-join"
PROVIDER_ENDPOINT = "cluster-join"   # the controller's EE provides it
REQUIRER_ENDPOINT = "control-plane"  # each worker's EE requires it


def cluster_cpd(role: str) -> str:
    """Id of a VDU's connection point on cluster-net (target of the fixed address)."""
    return f"{role}-cluster"


def mgmt_ext_cpd(role: str) -> str:
    """Id of a VDU's external (management) connection point."""
    return f"{role}-mgmt-ext"


def _vdu(role: str, image: str) -> dict[str, Any]:
    def interface(name: str) -> list[dict[str, Any]]:
        return [{"name": name, "position": 1 if name == "eth0" else 2,
                 "virtual-interface": {"type": "PARAVIRT"}}]

    return {
        "id": role,
        "name": role,
        "description": f"Kubernetes {role} node",
        "cloud-init-file": cloud_init.file_name(role),
        "int-cpd": [
            {"id": f"{role}-mgmt", "virtual-network-interface-requirement": interface("eth0")},
            {"id": cluster_cpd(role), "int-virtual-link-desc": CLUSTER_VL,
             "virtual-network-interface-requirement": interface("eth1")},
        ],
        "virtual-compute-desc": f"{role}-compute",
        "virtual-storage-desc": [f"{role}-storage"],
        "sw-image-desc": image,
    }


def _ssh_config(charm: CharmInterface, profile: Profile, role: str) -> dict[str, Any]:
    return initial_primitive(charm, 1, "config", EE_ID, {
        "ssh-hostname": "<rw_mgmt_ip>",
        "ssh-username": profile["cluster"]["ssh_user"],
        "role": role,
    })


def _day12(charm: CharmInterface, profile: Profile, role: str) -> dict[str, Any]:
    cluster = profile["cluster"]
    entry: dict[str, Any] = {
        "id": role,
        "config-access": {"ssh-access": {"required": True,
                                         "default-user": cluster["ssh_user"]}},
        "execution-environment-list": [{"id": EE_ID, "juju": {"charm": CHARM, "proxy": True}}],
    }
    if role == "controller":
        entry["initial-config-primitive"] = [
            _ssh_config(charm, profile, role),
            initial_primitive(charm, 2, "init-control-plane", EE_ID, {
                "advertise-address": "<controller_ip>",
                "pod-cidr": cluster["pod_cidr"],
                "service-cidr": cluster["service_cidr"],
                "kubernetes-version": cluster["kubernetes_version"],
                "cni": cluster["cni"],
                # flannel carries pod traffic on cluster-net, not the management network
                "cluster-net-cidr": cluster["network_cidr"],
            }),
        ]
        entry["config-primitive"] = [config_primitive(charm, name, EE_ID)
                                     for name in CONTROLLER_DAY2]
    else:
        # the worker joins through the cluster-join relation (see relation()), not a primitive
        entry["initial-config-primitive"] = [_ssh_config(charm, profile, role)]
        entry["config-primitive"] = [config_primitive(charm, name, EE_ID)
                                     for name in WORKER_DAY2]
        entry["terminate-config-primitive"] = [
            initial_primitive(charm, 1, "leave-cluster", EE_ID, {})
        ]
    return entry


def relation(vnfd_id: str) -> dict[str, Any]:
    """The VNF-level day1-2 entry (LCM reads VNF relations from the entry whose id is the
    VNFD's id) relating the controller's EE (provider) with the worker's (requirer).

    OSM's LCM resolves a VDU end of a relation to the FIRST deployed instance of that VDU
    (``get_deployed_vca`` has no count index), so only worker 0 is related; osm-mec joins
    the other workers with the charm's authorize-controller and add-worker primitives."""
    return {"id": vnfd_id, "relation": [{
        "name": JOIN_RELATION,
        "provider": {"vdu-profile-id": "controller", "execution-environment-ref": EE_ID,
                     "endpoint": PROVIDER_ENDPOINT},
        "requirer": {"vdu-profile-id": "worker", "execution-environment-ref": EE_ID,
                     "endpoint": REQUIRER_ENDPOINT},
    }]}


def descriptor(profile: Profile) -> dict[str, Any]:
    """The cluster VNFD for a profile."""
    charm = load_charm_interface(charm_dir(CHARM))
    workers = profile["workers"]
    flavours = profile["flavours"]
    image = profile["image"]
    vnfd = header(profile, PACKAGE, "Kubernetes cluster (kubeadm): one controller (CISM) and "
                  "scalable workers (CIS), set up by cloud-init and the k8s-cluster proxy charm")
    vnfd.update({
        "mgmt-cp": mgmt_ext_cpd("controller"),
        "sw-image-desc": [{"id": image, "name": image, "image": image}],
        "virtual-compute-desc": [
            {"id": f"{role}-compute",
             "virtual-cpu": {"num-virtual-cpu": flavours[role]["vcpu"]},
             "virtual-memory": {"size": float(flavours[role]["ram_gib"])}}
            for role in cloud_init.ROLES
        ],
        "virtual-storage-desc": [
            {"id": f"{role}-storage", "type-of-storage": "root-storage",
             "size-of-storage": flavours[role]["disk_gib"]}
            for role in cloud_init.ROLES
        ],
        "int-virtual-link-desc": [{"id": CLUSTER_VL}],
        "vdu": [_vdu(role, image) for role in VDU_ORDER],
        "ext-cpd": [
            {"id": mgmt_ext_cpd(role), "int-cpd": {"vdu-id": role, "cpd": f"{role}-mgmt"}}
            for role in cloud_init.ROLES
        ],
        "df": [{
            "id": DF_ID,
            "vdu-profile": [
                {"id": "controller", "min-number-of-instances": 1,
                 "max-number-of-instances": 1},
                {"id": "worker", "min-number-of-instances": workers["min"],
                 "max-number-of-instances": workers["max"]},
            ],
            "instantiation-level": [{
                "id": INSTANTIATION_LEVEL_ID,
                "vdu-level": [{"vdu-id": "controller", "number-of-instances": 1},
                              {"vdu-id": "worker", "number-of-instances": workers["initial"]}],
            }],
            "scaling-aspect": [{
                "id": SCALING_ASPECT,
                "name": SCALING_ASPECT,
                "description": "Add or remove one Kubernetes worker",
                "max-scale-level": max(1, workers["max"] - workers["min"]),
                "aspect-delta-details": {"deltas": [{
                    "id": f"{SCALING_ASPECT}-delta",
                    "vdu-delta": [{"id": "worker", "number-of-instances": 1}],
                }]},
            }],
            "lcm-operations-configuration": {"operate-vnf-op-config": {
                "day1-2": [_day12(charm, profile, role) for role in cloud_init.ROLES]
                + [relation(vnfd["id"])],
            }},
        }],
    })
    return {"vnfd": vnfd}
