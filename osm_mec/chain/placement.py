"""Where an NS's networks land when the NS spans several VIMs (mec-env-ns: the edge cluster's
VMs on the edge VIM, the CNFs on the NSP VIM's cluster). OSM's LCM maps every NS network on
every VIM of the NS, so a network named for one VIM only would be looked for (and missing)
on the other: each gets, per VIM account, a network that exists there."""

from __future__ import annotations

from typing import Any


def networks_per_vim(config: dict[str, Any], mgmt_networks: dict[str, str]) -> None:
    """Rewrite ``vld[].vim-network-name`` of instantiation parameters in place.

    `mgmt_networks`: VIM account id -> its management network. A network named after one
    VIM's management network keeps that name there and names the management network of
    every other VIM; a network that names none of them is left as it is.
    """
    for vld in config.get("vld") or []:
        name = vld.get("vim-network-name")
        if not isinstance(name, str) or name not in mgmt_networks.values():
            continue
        vld["vim-network-name"] = {vim: (name if network == name else network)
                                   for vim, network in mgmt_networks.items()}

