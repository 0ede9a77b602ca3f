"""The SOL006 v2.6.1 + OSM-augment subset that osm-mec reads and writes, as JSON schema.

Closed objects (unknown keys are errors), strict leaf types (no numeric strings for
integers), enumerations and ranges as in OSM's YANG, and ``listKey`` on every YANG list
(the list's key leaves in OSM's IM) so that duplicate keys, which OSM's model would
silently merge, are rejected. Every node here exists in OSM's IM at the same place, as the
same kind of node (tests/realnbi/test_im_agreement.py checks it against OSM's generated
bindings); where this schema refuses what OSM accepts, that test lists why.
"""

from __future__ import annotations

from typing import Any

STR: dict[str, Any] = {"type": "string"}
ID: dict[str, Any] = {"type": "string", "minLength": 1}
BOOL: dict[str, Any] = {"type": "boolean"}
UINT: dict[str, Any] = {"type": "integer", "minimum": 0}
UINT8: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 255}
UINT16: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 65535}
NUMBER: dict[str, Any] = {"type": "number"}
STR_LIST: dict[str, Any] = {"type": "array", "items": STR}

DATA_TYPES = ["STRING", "INTEGER", "BOOLEAN"]
INTERFACE_TYPES = ["PARAVIRT", "OM-MGMT", "PCI-PASSTHROUGH", "SR-IOV", "VIRTIO", "E1000",
                   "RTL8139", "PCNET"]
MEMPAGE_SIZES = ["LARGE", "SMALL", "SIZE_2MB", "SIZE_1GB", "PREFER_LARGE"]
CONTAINER_FORMATS = ["aki", "ami", "ari", "bare", "docker", "ova", "ovf"]
DISK_FORMATS = ["aki", "ami", "ari", "iso", "qcow2", "raw", "vdi", "vhd", "vhdx", "vmdk"]
CHECKSUM_ALGORITHMS = ["sha-224", "sha-256", "sha-384", "sha-512"]
RELATIONAL_OPERATIONS = ["GE", "LE", "GT", "LT", "EQ", "NE"]
LAYER_PROTOCOLS = ["Ethernet", "MPLS", "ODU2", "IPV4", "IPV6", "Pseudo-Wire", "ipv4", "ipv6",
                   "ethernet"]


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    """A closed YANG container / list entry."""
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False,
                              "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    return schema


def lst(item: dict[str, Any], key: str | list[str], **extra: Any) -> dict[str, Any]:
    """A YANG list: entries must be unique by their key leaf (or leaves)."""
    keys = [key] if isinstance(key, str) else key
    entry = dict(item)
    entry["required"] = sorted(set(entry.get("required", [])) | set(keys))
    return {"type": "array", "items": entry, "listKey": keys, **extra}


def _parameter(value_key: str) -> dict[str, Any]:
    props: dict[str, Any] = {"name": ID, "data-type": {"enum": DATA_TYPES}}
    if value_key == "value":
        props["value"] = STR
    else:
        props.update({"default-value": STR, "mandatory": BOOL, "read-only": BOOL,
                      "hidden": BOOL, "parameter-pool": STR})
    return lst(obj(props), "name")


_INITIAL_PRIMITIVE = lst(obj({
    "seq": UINT8, "name": ID, "execution-environment-ref": ID,
    "parameter": _parameter("value"), "user-defined-script": STR,
}, ("name",)), "seq")

_CONFIG_PRIMITIVE = lst(obj({
    "name": ID, "execution-environment-ref": ID, "execution-environment-primitive": STR,
    "parameter": _parameter("default-value"), "user-defined-script": STR,
}), "name")

_RELATION_EE = obj({
    "vdu-profile-id": ID, "kdu-resource-profile-id": STR, "vnf-profile-id": STR,
    "execution-environment-ref": STR, "endpoint": STR,
})

_RELATION = lst(obj({
    "name": ID, "provider": _RELATION_EE, "requirer": _RELATION_EE,
    "entities": lst(obj({"id": ID, "endpoint": STR}), "id"),
}), "name")

_DAY12 = lst(obj({
    "id": ID,
    "config-access": obj({"ssh-access": obj({"required": BOOL, "default-user": STR})}),
    "execution-environment-list": lst(obj({
        "id": ID,
        "juju": obj({"charm": ID, "proxy": BOOL, "cloud": {"enum": ["lxd", "k8s"]}},
                    ("charm",)),
        "helm-chart": STR, "helm-version": {"enum": ["v2", "v3"]},
        "metric-service": STR, "external-connection-point-ref": STR,
    }), "id"),
    "initial-config-primitive": _INITIAL_PRIMITIVE,
    "config-primitive": _CONFIG_PRIMITIVE,
    "terminate-config-primitive": _INITIAL_PRIMITIVE,
    "relation": _RELATION,
}), "id")

_SCALING_ASPECT = lst(obj({
    "id": ID, "name": STR, "description": STR,
    "max-scale-level": {"type": "integer", "minimum": 1, "maximum": 65535},
    "aspect-delta-details": obj({
        "deltas": lst(obj({
            "id": ID,
            "vdu-delta": lst(obj({"id": ID, "number-of-instances": UINT}), "id"),
        }), "id"),
        "step-deltas": STR,
    }),
    "scaling-policy": lst(obj({
        "name": ID, "scaling-type": {"enum": ["manual", "automatic"]}, "enabled": BOOL,
        "threshold-time": UINT, "cooldown-time": UINT,
        "scale-in-operation-type": {"enum": ["AND", "OR"]},
        "scale-out-operation-type": {"enum": ["AND", "OR"]},
        "scaling-criteria": lst(obj({
            "name": ID, "scale-in-threshold": NUMBER, "scale-out-threshold": NUMBER,
            "scale-in-relational-operation": {"enum": RELATIONAL_OPERATIONS},
            "scale-out-relational-operation": {"enum": RELATIONAL_OPERATIONS},
            "vnf-monitoring-param-ref": STR,
        }), "name"),
    }, ("scaling-type",)), "name"),
    "scaling-config-action": lst(obj({
        "trigger": {"enum": ["pre-scale-in", "post-scale-in", "pre-scale-out",
                             "post-scale-out"]},
        "vnf-config-primitive-name-ref": STR,
    }), "trigger"),
}), "id")

_VNFD = obj({
    "id": ID, "provider": STR, "product-name": STR, "software-version": STR, "version": STR,
    "product-info-name": STR, "product-info-description": STR, "description": STR,
    "vnfm-info": STR_LIST, "localization-language": STR,
    "default-localization-language": STR, "mgmt-cp": ID,
    "vdu": lst(obj({
        "id": ID, "name": STR, "description": STR,
        "int-cpd": lst(obj({
            "id": ID, "description": STR, "int-virtual-link-desc": ID,
            "layer-protocol": {"type": "array", "items": {"enum": LAYER_PROTOCOLS}},
            "port-security-enabled": BOOL,
            "virtual-network-interface-requirement": lst(obj({
                "name": ID, "description": STR, "position": UINT, "support-mandatory": BOOL,
                "virtual-interface": obj({"type": {"enum": INTERFACE_TYPES}, "vpci": STR,
                                          "bandwidth": UINT}, ("type",)),
            }), "name"),
        }), "id"),
        "virtual-compute-desc": ID, "virtual-storage-desc": STR_LIST, "sw-image-desc": ID,
        "cloud-init-file": ID, "cloud-init": STR, "pdu-type": STR,
        "monitoring-parameter": lst(obj({"id": ID, "name": STR, "performance-metric": STR,
                                         "collection-period": UINT}), "id"),
    }, ("name",)), "id"),
    "virtual-compute-desc": lst(obj({
        "id": ID,
        "virtual-cpu": obj({"num-virtual-cpu": {"type": "integer", "minimum": 1,
                                                "maximum": 65535},
                            "cpu-architecture": STR},
                           ("num-virtual-cpu",)),
        "virtual-memory": obj({"size": {"type": "number", "exclusiveMinimum": 0},
                               "mempage-size": {"enum": MEMPAGE_SIZES},
                               "numa-enabled": BOOL}, ("size",)),
    }), "id"),
    "virtual-storage-desc": lst(obj({
        "id": ID,
        "type-of-storage": {"enum": ["root-storage", "swap-storage", "ephemeral-storage",
                                     "persistent-storage"]},
        "size-of-storage": UINT, "sw-image-desc": STR,
    }), "id"),
    "sw-image-desc": lst(obj({
        "id": ID, "name": STR, "version": STR, "image": STR,
        "container-format": {"enum": CONTAINER_FORMATS}, "disk-format": {"enum": DISK_FORMATS},
        "min-disk": UINT, "min-ram": NUMBER, "size": UINT,
        "checksum": obj({"algorithm": {"enum": CHECKSUM_ALGORITHMS}, "hash": STR}),
    }), "id"),
    "int-virtual-link-desc": lst(obj({
        "id": ID, "description": STR,
        "flavour": lst(obj({"id": ID}), "id"),
        "test-access": STR_LIST,
    }), "id"),
    "ext-cpd": lst(obj({
        "id": ID, "description": STR, "role": {"enum": ["root", "leaf"]},
        "layer-protocol": {"type": "array", "items": {"enum": LAYER_PROTOCOLS}},
        "int-virtual-link-desc": ID,
        "int-cpd": obj({"vdu-id": ID, "cpd": ID}, ("vdu-id", "cpd")),
        "k8s-cluster-net": ID,
        "port-security-enabled": BOOL,
    }), "id"),
    "k8s-cluster": obj({
        "version": STR_LIST,
        "cni": {"type": "array", "items": {"enum": ["calico", "flannel", "multus"]}},
        "nets": lst(obj({"id": ID}), "id"),
    }),
    "kdu": lst(obj({
        "name": ID, "description": STR,
        "helm-chart": ID, "juju-bundle": ID, "helm-version": {"enum": ["v2", "v3"]},
        # no mgmt-service: OSM's IM dropped it in 2021 (OSM 11+), NBI answers 422
        "service": lst(obj({"name": ID, "external-connection-point-ref": STR}), "name"),
    }, (), **{"not": {"required": ["helm-chart", "juju-bundle"]},
              "anyOf": [{"required": ["helm-chart"]}, {"required": ["juju-bundle"]}]}),
        "name"),
    "df": lst(obj({
        "id": ID, "description": STR,
        "vdu-profile": lst(obj({
            "id": ID,
            "min-number-of-instances": UINT16,
            "max-number-of-instances": UINT16,
        }), "id"),
        "virtual-link-profile": lst(obj({"id": ID, "flavour": ID}), ["id", "flavour"]),
        "instantiation-level": lst(obj({
            "id": ID, "description": STR,
            "vdu-level": lst(obj({"vdu-id": ID, "number-of-instances": UINT16}), "vdu-id"),
        }), "id"),
        "default-instantiation-level": STR,
        "scaling-aspect": _SCALING_ASPECT,
        "lcm-operations-configuration": obj({
            "operate-vnf-op-config": obj({"day1-2": _DAY12}),
        }),
    }), "id", minItems=1),
}, ("id", "product-name", "provider", "version"))

_NSD_ITEM = obj({
    "id": ID, "name": STR, "designer": STR, "version": STR, "description": STR,
    "invariant-id": STR,
    "vnfd-id": {"type": "array", "items": ID, "uniqueItems": True},
    "virtual-link-desc": lst(obj({
        "id": ID, "description": STR, "mgmt-network": BOOL, "vim-network-name": STR,
        "connectivity-type": obj({
            "layer-protocol": {"type": "array", "items": {"enum": LAYER_PROTOCOLS}},
            "flow-pattern": {"enum": ["line", "tree", "mesh"]}}),
    }), "id"),
    "df": lst(obj({
        "id": ID,
        "vnf-profile": lst(obj({
            "id": ID, "vnfd-id": ID, "flavour-id": STR, "instantiation-level": STR,
            "min-number-of-instances": UINT16, "max-number-of-instances": UINT16,
            "virtual-link-connectivity": lst(obj({
                "virtual-link-profile-id": ID,
                "constituent-cpd-id": lst(obj({
                    "constituent-base-element-id": ID, "constituent-cpd-id": ID,
                    "ip-address": STR_LIST,
                }), ["constituent-base-element-id", "constituent-cpd-id"]),
            }), "virtual-link-profile-id"),
        }, ("vnfd-id",)), "id"),
        "virtual-link-profile": lst(obj({
            "id": ID, "virtual-link-desc-id": ID, "flavour-id": STR,
            "virtual-link-protocol-data": {"type": "object"},
        }), "id"),
    }), "id"),
}, ("id", "name", "version"))

VNFD_FILE_SCHEMA: dict[str, Any] = obj({"vnfd": _VNFD}, ("vnfd",))
NSD_FILE_SCHEMA: dict[str, Any] = obj(
    {"nsd": obj({"nsd": lst(_NSD_ITEM, "id", minItems=1, maxItems=1)}, ("nsd",))}, ("nsd",))
