"""Juju relations between the execution environments of one VNF, as OSM's LCM adds them.

LCM (``ns.py`` ``_add_vca_relations``, right after each EE is installed and before its
day-1 primitives) reads a VNF's relations from the day1-2 entry whose id is the VNFD's id,
with ``provider``/``requirer`` (or the older ``entities``) ends. It resolves a VDU end to a
deployed EE with ``get_deployed_vca`` filtered on member, VDU id and EE id, but not on the
count index: the FIRST deployed instance of that VDU. So every instance of a scaled VDU
asks for the same relation to instance 0, and N2VC takes "relation already exists" as
done; instances 1, 2, ... are never related. Juju then refuses a relation whose endpoints
the charms do not have, which N2VC only logs: nothing is related either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .deploy import day1_config

# The endpoints of the k8s-cluster charm the sandbox simulates (its metadata.yaml).
CHARM_PROVIDES = {"cluster-join": "k8s-cluster-join"}
CHARM_REQUIRES = {"control-plane": "k8s-cluster-join"}


@dataclass(frozen=True)
class Relation:
    """One VNF relation: (VDU, endpoint) of the provider and of the requirer."""

    name: str
    provider_vdu: str
    provider_endpoint: str
    requirer_vdu: str
    requirer_endpoint: str

    @property
    def juju_accepts(self) -> bool:
        """Whether Juju relates these endpoints of the simulated charm."""
        provided = CHARM_PROVIDES.get(self.provider_endpoint)
        return provided is not None and provided == CHARM_REQUIRES.get(self.requirer_endpoint)


def _end(item: dict[str, Any]) -> tuple[str, str]:
    return str(item.get("vdu-profile-id") or item.get("id") or ""), str(item.get("endpoint"))


def vnf_relations(vnfd: dict[str, Any]) -> list[Relation]:
    """The relations of the VNF-level day1-2 entry (id = the VNFD's id)."""
    found = []
    for item in day1_config(vnfd, str(vnfd.get("id"))).get("relation") or []:
        if "provider" in item and "requirer" in item:
            provider, requirer = _end(item["provider"]), _end(item["requirer"])
        elif len(item.get("entities") or []) == 2:
            provider, requirer = _end(item["entities"][0]), _end(item["entities"][1])
        else:
            continue
        found.append(Relation(str(item.get("name")), *provider, *requirer))
    return found


def related_instances(vnfd: dict[str, Any], vdurs: list[dict[str, Any]]
                      ) -> set[tuple[str, int]]:
    """(VDU id, count index) of every VDU instance whose EE LCM relates with its peer: for
    each relation Juju accepts, the first deployed instance of each end."""
    def first(vdu_id: str) -> int | None:
        indexes = [v["count-index"] for v in vdurs if v["vdu-id-ref"] == vdu_id]
        return min(indexes) if indexes else None

    related: set[tuple[str, int]] = set()
    for relation in vnf_relations(vnfd):
        ends = [(relation.provider_vdu, first(relation.provider_vdu)),
                (relation.requirer_vdu, first(relation.requirer_vdu))]
        if relation.juju_accepts and all(index is not None for _, index in ends):
            related.update((vdu, int(index)) for vdu, index in ends if index is not None)
    return related
