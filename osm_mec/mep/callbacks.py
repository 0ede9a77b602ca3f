"""Where the MEP may send notifications: deny by default.

Only addresses inside networks the operator names (`--allow-callbacks`, the chart's
`allowCallbackNetworks`) are called. Loopback, link-local, private, shared, multicast,
reserved and cloud metadata addresses are refused even inside a broad named network
(0.0.0.0/0): they pass only when a named network lies within their own special range
(127.0.0.0/8 names loopback; 169.254.169.254/32 names the metadata address).

A callback URL is checked when the subscription is made (its host resolved) and again
right before every connection: the aiohttp resolver below only returns allowed addresses,
so a name whose DNS answer changed to an internal address is never connected to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str], Awaitable[list[str]]]

# Most specific first: an address belongs to the first range that contains it.
SPECIAL = [ipaddress.ip_network(n) for n in (
    "169.254.169.254/32", "100.100.100.200/32", "fd00:ec2::254/128",  # cloud metadata
    "127.0.0.0/8", "::1/128",  # loopback
    "169.254.0.0/16", "fe80::/10",  # link-local
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7",  # private
    "100.64.0.0/10",  # shared address space (carrier-grade NAT)
    "0.0.0.0/8", "::/128",  # this network, unspecified
    "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "2001:db8::/32",  # protocol assignments, documentation, benchmarking
    "224.0.0.0/4", "ff00::/8",  # multicast
    "240.0.0.0/4",  # reserved, broadcast
)]


def parse_networks(networks: list[str]) -> list[Network]:
    """CIDR strings as networks; ValueError naming the one that is not a network."""
    parsed = []
    for network in networks:
        try:
            parsed.append(ipaddress.ip_network(network.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{network!r} is not an IP network (CIDR like 10.0.0.0/8)") \
                from None
    return parsed


def _special_range(address: Address) -> Network | None:
    return next((s for s in SPECIAL if s.version == address.version and address in s), None)


async def system_resolve(host: str) -> list[str]:
    """The host's addresses from the system resolver (getaddrinfo)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


class CallbackPolicy:
    """Which callback URLs the platform calls: only hosts in the named networks."""

    def __init__(self, allowed_networks: list[str], resolve: Resolve = system_resolve) -> None:
        self.networks = parse_networks(allowed_networks)
        self.resolve = resolve

    def describe(self) -> str:
        if not self.networks:
            return ("this platform calls back no network (the operator names allowed "
                    "networks with --allow-callbacks or the chart's allowCallbackNetworks)")
        return f"this platform calls back {', '.join(map(str, self.networks))} only"

    def allows(self, address: str) -> bool:
        """True when the address is inside a named network, and, for a special address
        (loopback, private, metadata...), when that network lies within its range."""
        try:
            ip = ipaddress.ip_address(address.split("%")[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        special = _special_range(ip)
        return any(ip in n and (special is None or n.subnet_of(special))  # type: ignore[arg-type]
                   for n in self.networks if n.version == ip.version)

    @staticmethod
    def host_of(url: str) -> str:
        """The URL's host; ValueError unless it is an http(s) URL with a host."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"callbackReference {url!r} is not an http(s) URL")
        return parts.hostname

    def check_literal(self, url: str) -> str | None:
        """Check a URL whose host is an IP address (ValueError when refused); return the
        host name when it is a name that still needs resolving."""
        host = self.host_of(url)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return host
        if not self.allows(host):
            raise ValueError(f"callbackReference host {host} is refused: {self.describe()}")
        return None

    async def allowed_addresses(self, host: str) -> list[str]:
        """The host's allowed addresses; ValueError when it resolves to none."""
        try:
            addresses = await self.resolve(host)
        except OSError as exc:
            raise ValueError(f"callbackReference host {host!r} cannot be resolved: "
                             f"{exc.strerror or exc}") from None
        allowed = [a for a in addresses if self.allows(a)]
        if not allowed:
            raise ValueError(f"callbackReference host {host!r} ({', '.join(addresses)}) is "
                             f"refused: {self.describe()}")
        return allowed

    async def check(self, url: str) -> None:
        """ValueError naming what is wrong with a callbackReference."""
        host = self.check_literal(url)
        if host is not None:
            await self.allowed_addresses(host)


class PolicyResolver(AbstractResolver):
    """aiohttp resolver returning only the addresses the policy allows, resolved right
    before each connection (DNS answers may change after the subscription was made)."""

    def __init__(self, policy: CallbackPolicy) -> None:
        self.policy = policy

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        try:
            addresses = await self.policy.allowed_addresses(host)
        except ValueError as exc:
            raise OSError(str(exc)) from None
        return [ResolveResult(hostname=host, host=a, port=port,
                              family=socket.AF_INET6 if ":" in a else socket.AF_INET,
                              proto=0, flags=socket.AI_NUMERICHOST) for a in addresses]

    async def close(self) -> None:
        return None
