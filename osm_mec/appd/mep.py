"""What the MEC platform must know about an application instance, from its AppD: the body
of our MEP's registration request (``POST /mec_platform_mgmt/v1/app_instances``).

MEC 010-2 and MEC 011 spell a few values differently; the registration uses MEC 011's, the
MEP's language: traffic rule actions (``FORWARD_AS_IS`` -> ``FORWARD_ENCAPSULATED``, ...),
tunnel type ``GTP-U`` -> ``GTP_U``, interface addresses (``dstIPAddress`` ->
``dstIpAddress``, ...) and the filter's ``tag`` -> ``token``. Rules start ACTIVE.
"""

from __future__ import annotations

from typing import Any

from .model import AppD

ACTION_TO_MEC011 = {
    "DROP": "DROP",
    "FORWARD_DECAPSULATED": "FORWARD_DECAPSULATED",
    "FORWARD_AS_IS": "FORWARD_ENCAPSULATED",
    "PASSTHROUGH": "PASSTHROUGH",
    "DUPLICATED_DECAPSULATED": "DUPLICATE_DECAPSULATED",
    "DUPLICATE_AS_IS": "DUPLICATE_ENCAPSULATED",
}
_INTERFACE_KEYS = {"srcMACAddress": "srcMacAddress", "dstMACAddress": "dstMacAddress",
                   "dstIPAddress": "dstIpAddress"}
_TUNNEL_TYPES = {"GTP-U": "GTP_U", "GRE": "GRE"}


def _interface(interface: dict[str, Any]) -> dict[str, Any]:
    out = {_INTERFACE_KEYS.get(key, key): value for key, value in interface.items()}
    if "tunnelInfo" in out:
        tunnel = dict(out["tunnelInfo"])
        tunnel["tunnelType"] = _TUNNEL_TYPES[tunnel["tunnelType"]]
        out["tunnelInfo"] = tunnel
    return out


def _filter(flt: dict[str, Any]) -> dict[str, Any]:
    return {("token" if key == "tag" else key): value for key, value in flt.items()}


def traffic_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """An AppD traffic rule as a MEC 011 TrafficRule (state ACTIVE)."""
    out: dict[str, Any] = {
        "trafficRuleId": rule["trafficRuleId"],
        "filterType": rule["filterType"],
        "priority": rule["priority"],
        "trafficFilter": [_filter(f) for f in rule["trafficFilter"]],
        "action": ACTION_TO_MEC011[rule["action"]],
        "state": "ACTIVE",
    }
    if rule.get("dstInterface"):
        out["dstInterface"] = [_interface(i) for i in rule["dstInterface"]]
    return out


def dns_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """An AppD DNS rule as a MEC 011 DnsRule (state ACTIVE)."""
    out = {key: rule[key] for key in ("dnsRuleId", "domainName", "ipAddressType", "ipAddress")}
    if "ttl" in rule:
        out["ttl"] = rule["ttl"]
    return {**out, "state": "ACTIVE"}


def graceful_termination(appd: AppD) -> tuple[int | None, int | None]:
    """(minimum, largest recommended) graceful termination timeout in seconds, or None."""
    config = appd.data.get("terminateAppInstanceOpConfig")
    if not config:
        return None, None
    largest = config.get("macGracefulTerminationTimeout",
                         config.get("maxGracefulTerminationTimeout"))
    return config["minGracefulTerminationTimeout"], largest


def mep_registration(appd: AppD, app_instance_id: str | None = None) -> dict[str, Any]:
    """The MEP registration body of an instance of the application: its name, traffic and
    DNS rules, the names of the services it requires, may use and produces and, when the
    AppD has one, its minimum graceful termination timeout (the MEP waits that long for the
    application to confirm termination)."""
    body: dict[str, Any] = {}
    if app_instance_id is not None:
        body["appInstanceId"] = app_instance_id
    body["appName"] = appd.name
    body["trafficRules"] = [traffic_rule(r) for r in appd.items("appTrafficRule")]
    body["dnsRules"] = [dns_rule(r) for r in appd.items("appDNSRule")]
    for key, registered_as in (("appServiceRequired", "requiredServices"),
                               ("appServiceOptional", "optionalServices"),
                               ("appServiceProduced", "producedServices")):
        body[registered_as] = [s["serName"] for s in appd.items(key)]
    minimum, _ = graceful_termination(appd)
    if minimum is not None:
        body["gracefulTerminationTimeout"] = minimum
    return body
