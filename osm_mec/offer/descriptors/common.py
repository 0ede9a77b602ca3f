"""Building blocks shared by the descriptor generators (SOL006 shapes as OSM reads them)."""

from __future__ import annotations

from typing import Any, Iterable

from ... import __version__
from ..charm_interface import CharmInterface, Param, sol006_text
from ..profile import Profile

DF_ID = "default-df"
INSTANTIATION_LEVEL_ID = "default-instantiation-level"
MGMT_VL = "mgmtnet"
PROVIDER = "osm-mec"
DESCRIPTOR_VERSION = "1.0"


def header(profile: Profile, package: str, description: str) -> dict[str, Any]:
    """The identity fields every VNFD starts with."""
    return {
        "id": profile.descriptor_id(package),
        "product-name": profile.descriptor_id(package),
        "description": description,
        "provider": PROVIDER,
        "version": DESCRIPTOR_VERSION,
        "software-version": __version__,
    }


def _param_spec(charm: CharmInterface, primitive: str, name: str) -> Param:
    spec = charm.primitive(primitive)
    if spec is None or name not in spec.params:
        raise KeyError(f"charm {charm.name}: primitive {primitive!r} has no parameter {name!r}")
    return spec.params[name]


def initial_primitive(charm: CharmInterface, seq: int, name: str, ee_ref: str,
                      values: dict[str, Any]) -> dict[str, Any]:
    """An initial (or terminate) config primitive with typed, valued parameters."""
    primitive: dict[str, Any] = {"seq": seq, "name": name, "execution-environment-ref": ee_ref}
    if values:
        primitive["parameter"] = [
            {"name": pname, "data-type": _param_spec(charm, name, pname).data_type,
             "value": sol006_text(value)}
            for pname, value in values.items()
        ]
    return primitive


def osm_parameters(charm: CharmInterface, name: str) -> list[str]:
    """The action's parameters a day-2 primitive can declare: those the charm requires and
    the optional ones with a non-empty default.

    OSM's NBI refuses an action request that lacks a declared parameter whose default-value
    is missing or empty (400 "Needed parameter ... not provided"), so an optional charm
    parameter without a usable default (register-cluster's ``vim-network``, default ``""``)
    would become required. It is left out instead: callers cannot send it through OSM, and
    the charm uses its own default.
    """
    return [pname for pname, spec in charm.actions[name].params.items()
            if spec.required or spec.optional_in_osm]


def config_primitive(charm: CharmInterface, name: str, ee_ref: str,
                     params: Iterable[str] | None = None) -> dict[str, Any]:
    """A day-2 config primitive declaring the action's parameters (those OSM can express,
    see :func:`osm_parameters`, or those named)."""
    primitive: dict[str, Any] = {"name": name, "execution-environment-ref": ee_ref}
    chosen = osm_parameters(charm, name) if params is None else list(params)
    if chosen:
        parameters = []
        for pname in chosen:
            spec = _param_spec(charm, name, pname)
            item: dict[str, Any] = {"name": pname, "data-type": spec.data_type}
            if spec.osm_default is not None:
                item["default-value"] = spec.osm_default
            parameters.append(item)
        primitive["parameter"] = parameters
    return primitive


def knf(profile: Profile, package: str, description: str,
        kdus: list[dict[str, Any]]) -> dict[str, Any]:
    """A CNF (KNF) descriptor: KDUs on a K8s cluster reached through one cluster net."""
    vnfd = header(profile, package, description)
    vnfd.update({
        "mgmt-cp": "mgmt-ext",
        "ext-cpd": [{"id": "mgmt-ext", "k8s-cluster-net": MGMT_VL}],
        "k8s-cluster": {"nets": [{"id": MGMT_VL}]},
        "kdu": kdus,
        "df": [{"id": DF_ID}],
    })
    return {"vnfd": vnfd}


def helm_kdu(name: str, chart: str, services: list[str]) -> dict[str, Any]:
    """A KDU deployed from a local Helm v3 chart, exposing the named Services."""
    return {"name": name, "description": f"{name} from the local Helm chart {chart}",
            "helm-chart": chart, "helm-version": "v3",
            "service": [{"name": service} for service in services]}


def nsd(profile: Profile, package: str, description: str,
        vls: list[tuple[str, str]],
        members: list[tuple[str, str, list[tuple[str, str]]]]) -> dict[str, Any]:
    """An NSD. vls: (VL id, VIM network); members: (member index, package, [(VL, ext-cpd)])."""
    vnfd_ids: list[str] = []
    for _, member_package, _ in members:
        vnfd_id = profile.descriptor_id(member_package)
        if vnfd_id not in vnfd_ids:
            vnfd_ids.append(vnfd_id)
    profiles = []
    for index, member_package, links in members:
        by_vl: dict[str, list[dict[str, str]]] = {}
        for vl, cpd in links:
            by_vl.setdefault(vl, []).append({"constituent-base-element-id": index,
                                             "constituent-cpd-id": cpd})
        profiles.append({
            "id": index,
            "vnfd-id": profile.descriptor_id(member_package),
            "virtual-link-connectivity": [
                {"virtual-link-profile-id": vl, "constituent-cpd-id": cpds}
                for vl, cpds in by_vl.items()
            ],
        })
    body = {
        "id": profile.descriptor_id(package),
        "name": profile.descriptor_id(package),
        "description": description,
        "designer": PROVIDER,
        "version": DESCRIPTOR_VERSION,
        "vnfd-id": vnfd_ids,
        "virtual-link-desc": [{"id": vl, "mgmt-network": True, "vim-network-name": network}
                              for vl, network in vls],
        "df": [{"id": DF_ID, "vnf-profile": profiles}],
    }
    return {"nsd": {"nsd": [body]}}
