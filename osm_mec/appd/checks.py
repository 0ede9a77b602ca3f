"""The AppD checks a JSON schema cannot express: unique ids, addresses that match their
declared type, ports, FQDNs, interfaces that carry what their type needs, min <= max, and
warnings for the fields osm-mec keeps but cannot act on."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..offer.images import registry_host
from ..offer.validation.findings import WARNING, Finding

FORWARDING_ACTIONS = ("FORWARD_DECAPSULATED", "FORWARD_AS_IS", "DUPLICATED_DECAPSULATED",
                      "DUPLICATE_AS_IS")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_PORT_RANGE = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")
_IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")
_INTERFACE_NEEDS = {"TUNNEL": "tunnelInfo", "MAC": "dstMACAddress", "IP": "dstIPAddress"}


def semantic_findings(data: dict[str, Any], source: str) -> list[Finding]:
    """Errors and warnings of a schema-valid AppD."""
    found = [Finding(source, path, message) for path, message in _errors(data)]
    found += [Finding(source, path, message, WARNING) for path, message in _warnings(data)]
    return found


def _errors(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield from _unique(data, "appTrafficRule", "trafficRuleId")
    yield from _unique(data, "appDNSRule", "dnsRuleId")
    yield from _unique(data, "appServiceProduced", "serName")
    yield from _unique(data, "appServiceRequired", "serName")
    yield from _unique(data, "appServiceOptional", "serName")
    required = {s["serName"] for s in data.get("appServiceRequired", [])}
    for i, service in enumerate(data.get("appServiceOptional", [])):
        if service["serName"] in required:
            yield (f"appServiceOptional[{i}].serName", f"{service['serName']!r} is also in "
                   "appServiceRequired; list a service in one of the two")
    image = data["swImageDescriptor"]["swImage"]
    if not _IMAGE.match(image):
        yield ("swImageDescriptor.swImage", f"{image!r} is not a container image reference "
               "(like registry.example.com/team/app:1.2)")
    cpu = data["virtualComputeDescriptor"]["virtualCpu"]["numVirtualCpu"]
    if cpu * 1000 < 1 or abs(cpu * 1000 - round(cpu * 1000)) > 1e-6:
        yield ("virtualComputeDescriptor.virtualCpu.numVirtualCpu", f"{cpu} is not a whole "
               "number of millicores (use at most three decimals, at least 0.001)")
    for i, rule in enumerate(data.get("appTrafficRule", [])):
        yield from _traffic_rule(rule, f"appTrafficRule[{i}]")
    for i, rule in enumerate(data.get("appDNSRule", [])):
        yield from _dns_rule(rule, f"appDNSRule[{i}]")
    for key, low, high in (("terminateAppInstanceOpConfig", "minGracefulTerminationTimeout",
                            "GracefulTerminationTimeout"),
                           ("changeAppInstanceStateOpConfig", "minGracefulStopTimeout",
                            "GracefulStopTimeout")):
        yield from _bounds(data.get(key), key, low, high)


def _unique(data: dict[str, Any], key: str, field: str) -> Iterator[tuple[str, str]]:
    counts = Counter(item[field] for item in data.get(key, []))
    seen: set[str] = set()
    for i, item in enumerate(data.get(key, [])):
        value = item[field]
        if counts[value] > 1 and value in seen:
            yield f"{key}[{i}].{field}", f"{value!r} is used more than once; ids must be unique"
        seen.add(value)


def _traffic_rule(rule: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    if rule["action"] in FORWARDING_ACTIONS and not rule.get("dstInterface"):
        yield (f"{where}.dstInterface", f"action {rule['action']} needs a destination "
               "interface; add dstInterface or use DROP or PASSTHROUGH")
    for f, flt in enumerate(rule["trafficFilter"]):
        for key in ("srcAddress", "dstAddress", "srcTunnelAddress", "tgtTunnelAddress"):
            for a, address in enumerate(flt.get(key, [])):
                if not _address_or_range(address):
                    yield (f"{where}.trafficFilter[{f}].{key}[{a}]", f"{address!r} is not an "
                           "IP address, a prefix (a.b.c.d/n) or a range (first-last)")
        for key in ("srcPort", "dstPort", "srcTunnelPort", "dstTunnelPort"):
            for p, port in enumerate(flt.get(key, [])):
                if not _port_or_range(port):
                    yield (f"{where}.trafficFilter[{f}].{key}[{p}]", f"{port!r} is not a port "
                           "(0-65535) or a range of ports (low-high)")
    for d, interface in enumerate(rule.get("dstInterface", [])):
        needed = _INTERFACE_NEEDS[interface["interfaceType"]]
        if needed not in interface:
            yield (f"{where}.dstInterface[{d}]", f"interfaceType {interface['interfaceType']} "
                   f"needs {needed}")
        address = interface.get("dstIPAddress")
        if address is not None and not _ip(address):
            yield f"{where}.dstInterface[{d}].dstIPAddress", f"{address!r} is not an IP address"


def _dns_rule(rule: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    domain = rule["domainName"]
    if not all(_LABEL.match(label) for label in domain.removesuffix(".").split(".")):
        yield (f"{where}.domainName", f"{domain!r} is not a fully qualified domain name "
               "(dot-separated labels of letters, digits and '-')")
    version = 4 if rule["ipAddressType"] == "IP_V4" else 6
    address = _ip(rule["ipAddress"])
    if address is None or address.version != version:
        yield (f"{where}.ipAddress", f"{rule['ipAddress']!r} is not an IPv{version} address, "
               f"as ipAddressType {rule['ipAddressType']} says")


def _bounds(config: dict[str, Any] | None, key: str, low: str,
            high: str) -> Iterator[tuple[str, str]]:
    if config is None:
        return
    spellings = [name for name in (f"mac{high}", f"max{high}") if name in config]
    if len(spellings) == 2:
        yield f"{key}.max{high}", f"give mac{high} (the specification's spelling) or max{high}"
    elif spellings and config[spellings[0]] < config[low]:
        yield (f"{key}.{spellings[0]}", f"{config[spellings[0]]} is less than {low} "
               f"({config[low]})")


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _address_or_range(value: str) -> bool:
    if "/" in value:
        try:
            ipaddress.ip_network(value, strict=False)
            return True
        except ValueError:
            return False
    first, dash, last = value.partition("-")
    if dash:
        low, high = _ip(first), _ip(last)
        return low is not None and high is not None and low.version == high.version \
            and int(low) <= int(high)
    return _ip(value) is not None


def _port_or_range(value: str) -> bool:
    match = _PORT_RANGE.match(value)
    if not match:
        return False
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return low <= high <= 65535


def _warnings(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    image = data["swImageDescriptor"]["swImage"]
    if registry_host(image) is None:
        yield ("swImageDescriptor.swImage", f"{image!r} names no registry host, so Kubernetes "
               f"pulls it from Docker Hub (docker.io/{image}); name the registry (like "
               "ghcr.io/team/app:1.0) if the image is published elsewhere")
    if data.get("virtualStorageDescriptor"):
        yield ("virtualStorageDescriptor", "ignored: a Helm KDU gets its storage from its "
               "chart (persistent volume claims), not from the AppD")
    if data.get("appExtCpd"):
        yield ("appExtCpd", "ignored: the application's CNF has one connection point, on "
               "the edge cluster's network; expose ports through the chart's Services")
    if data.get("appFeatureRequired"):
        yield ("appFeatureRequired", "not checked: osm-mec's MEP does not announce platform "
               "features, so a missing one is not detected before instantiation")
    if "appLatency" in data:
        yield ("appLatency", "not enforced: the application runs on the CSP's edge cluster "
               "whatever its latency")
    for key in ("appServiceRequired", "appServiceOptional"):
        for i, service in enumerate(data.get(key, [])):
            types = {t["transport"]["type"] for t in service.get("serTransportDependencies", [])}
            if types and "REST_HTTP" not in types:
                yield (f"{key}[{i}].serTransportDependencies", "the MEP offers services over "
                       "REST_HTTP only; none of these transports is REST_HTTP")
