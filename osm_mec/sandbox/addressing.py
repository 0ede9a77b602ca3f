"""IP addresses of simulated VDUs: one subnet per VIM network, and the internal VLs' ip-profile
(DHCP range, fixed addresses of internal connection points) as OSM passes them to the VIM."""

from __future__ import annotations

import ipaddress
import threading
from typing import Any


class Subnet:
    """Hands out host addresses of one network, skipping the reserved ones."""

    def __init__(self, network: ipaddress.IPv4Network, start: ipaddress.IPv4Address | None = None,
                 reserved: set[str] | None = None) -> None:
        self.network = network
        self.reserved = set(reserved or ())
        first = int(start) if start else int(network.network_address) + 10
        self._next = first
        self._released: list[str] = []

    def take(self, fixed: str | None = None) -> str:
        if fixed:
            self.reserved.add(fixed)
            return fixed
        while True:
            address = ipaddress.IPv4Address(self._next)
            self._next += 1
            if address not in self.network or address == self.network.broadcast_address:
                raise RuntimeError(f"network {self.network} has no free address left")
            if str(address) not in self.reserved:
                self.reserved.add(str(address))
                return str(address)


class VimNetworks:
    """A deterministic /24 per VIM network name, 10.<n>.<m>.0/24 in order of first use."""

    def __init__(self) -> None:
        self._subnets: dict[tuple[str, str], Subnet] = {}
        self._lock = threading.Lock()

    def address(self, vim_id: str, network: str) -> str:
        with self._lock:
            key = (vim_id, network)
            if key not in self._subnets:
                n = len(self._subnets)
                self._subnets[key] = Subnet(ipaddress.IPv4Network(f"10.{100 + n // 256}."
                                                                  f"{n % 256}.0/24"))
            return self._subnets[key].take()


def internal_subnet(vld: dict[str, Any] | None, default_cidr: str) -> tuple[Subnet, dict[str, str]]:
    """The Subnet of an internal VL from its instantiation `internal-vld` entry, and the fixed
    addresses by internal connection point id."""
    vld = vld or {}
    profile = vld.get("ip-profile") or {}
    network = ipaddress.IPv4Network(profile.get("subnet-address") or default_cidr, strict=False)
    dhcp = profile.get("dhcp-params") or {}
    start = ipaddress.IPv4Address(dhcp["start-address"]) if dhcp.get("start-address") else None
    fixed = {str(cp["id-ref"]): str(cp["ip-address"])
             for cp in vld.get("internal-connection-point") or [] if cp.get("ip-address")}
    return Subnet(network, start, set(fixed.values())), fixed
