"""Our JSON schema of the MEC application descriptor (AppD) of ETSI GS MEC 010-2 v2.1.1,
clause 6.2.1.2, written from the specification's tables.

The official OpenAPI document leaves several types open ("Ref NFV" strings for
virtualComputeDescriptor and swImageDescriptor, "See MEC011" for CategoryRef and
SecurityInfo); here they get the shapes of the documents they refer to (ETSI GS NFV-IFA 011
VirtualComputeDesc and SwImageDesc, ETSI GS MEC 011 CategoryRef and SecurityInfo). Every
mapping is closed: an unknown key is most often a typo, and the error names the allowed keys.
What a schema cannot express (unique ids, addresses matching their type, min <= max) is
checked in ``checks.py``.
"""

from __future__ import annotations

from typing import Any

UINT32 = 4294967295
# The action values of MEC 010-2 v2.1.1 (MEC 011 names three of them differently).
ACTIONS = ["DROP", "FORWARD_DECAPSULATED", "FORWARD_AS_IS", "PASSTHROUGH",
           "DUPLICATED_DECAPSULATED", "DUPLICATE_AS_IS"]
TRANSPORT_TYPES = ["REST_HTTP", "MB_TOPIC_BASED", "MB_ROUTING", "MB_PUBSUB", "RPC",
                   "RPC_STREAMING", "WEBSOCKET"]
SERIALIZERS = ["JSON", "XML", "PROTOBUF3"]
CONTAINER_FORMATS = ["DOCKER"]


def text(description: str, max_length: int = 256) -> dict[str, Any]:
    """A non-empty string."""
    return {"type": "string", "minLength": 1, "maxLength": max_length,
            "description": description}


def integer(description: str, minimum: int = 0, maximum: int = UINT32) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum,
            "description": description}


def strings(description: str, min_items: int = 0) -> dict[str, Any]:
    return {"type": "array", "minItems": min_items, "maxItems": 256,
            "items": text(description), "description": description}


def array(items: dict[str, Any], description: str, min_items: int = 0,
          max_items: int = 256) -> dict[str, Any]:
    return {"type": "array", "minItems": min_items, "maxItems": max_items, "items": items,
            "description": description}


def closed(description: str, properties: dict[str, Any],
           required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A mapping with known keys only (unknown keys are reported with the allowed ones)."""
    return {"type": "object", "description": description, "additionalProperties": False,
            "properties": properties, "required": list(required)}


def open_mapping(description: str) -> dict[str, Any]:
    """A mapping osm-mec keeps but does not look into."""
    return {"type": "object", "description": description}


CATEGORY_REF = closed("MEC 011 CategoryRef: the category of a service.", {
    "href": text("URI of the category resource.", 2048),
    "id": text("Category id."),
    "name": text("Category name."),
    "version": text("Category version."),
}, ("href", "id", "name", "version"))

TRANSPORT_DESCRIPTOR = closed("A transport (MEC 010-2 TransportDescriptor).", {
    "type": {"enum": TRANSPORT_TYPES, "description": "Transport type (MEC 011 TransportType)."},
    "protocol": text("Protocol name; HTTP for a REST API."),
    "version": text("Protocol version."),
    "security": open_mapping("MEC 011 SecurityInfo (e.g. oAuth2Info)."),
}, ("type", "protocol", "version", "security"))

TRANSPORT_DEPENDENCY = closed("A group of transport bindings (MEC 010-2 TransportDependency).", {
    "transport": TRANSPORT_DESCRIPTOR,
    "serializers": array({"enum": SERIALIZERS}, "Serializers (MEC 011 SerializerType).", 1),
    "labels": strings("Labels grouping transport bindings.", 1),
}, ("transport", "serializers", "labels"))

SERVICE_DEPENDENCY = closed("A service the application uses (MEC 010-2 ServiceDependency).", {
    "serName": text("Service name, e.g. RNIS or LocationService."),
    "serCategory": CATEGORY_REF,
    "version": text("Service version."),
    "serTransportDependencies": array(TRANSPORT_DEPENDENCY, "Transports the application "
                                      "can consume the service over (REST + JSON if absent)."),
    "requestedPermissions": strings("Permissions requested on the service (MEC 009 8.2)."),
}, ("serName", "version"))

TRANSPORTS_SUPPORTED = closed("A transport a produced service is offered over.", {
    "transport": TRANSPORT_DESCRIPTOR,
    "serializers": array({"enum": SERIALIZERS}, "Serializers (MEC 011 SerializerType).", 1),
}, ("transport", "serializers"))

SERVICE_DESCRIPTOR = closed("A service the application produces (MEC 010-2 "
                            "ServiceDescriptor).", {
    "serName": text("Service name."),
    "serCategory": CATEGORY_REF,
    "version": text("Service version."),
    "transportsSupported": array(TRANSPORTS_SUPPORTED, "Transports the service is offered "
                                 "over (REST + JSON if absent)."),
}, ("serName", "version"))

FEATURE_DEPENDENCY = closed("A platform feature (MEC 010-2 FeatureDependency).", {
    "featureName": text("Feature name, e.g. UserApps or UEIdentity."),
    "version": text("Feature version."),
}, ("featureName", "version"))

_ADDRESSES = "IP addresses, IP prefixes or ranges."
TRAFFIC_FILTER = closed("What a traffic rule matches (MEC 010-2 TrafficFilter).", {
    "srcAddress": strings(_ADDRESSES),
    "dstAddress": strings(_ADDRESSES),
    "srcPort": strings("Ports or port ranges."),
    "dstPort": strings("Ports or port ranges."),
    "protocol": strings("Protocols."),
    "tag": strings("Tags (tag-based rules)."),
    "srcTunnelAddress": strings("GTP tunnel source addresses."),
    "tgtTunnelAddress": strings("GTP tunnel target addresses."),
    "srcTunnelPort": strings("GTP tunnel source ports."),
    "dstTunnelPort": strings("GTP tunnel destination ports."),
    "qCI": integer("QoS class identifier.", 0, 255),
    "dSCP": integer("DSCP of IPv4 packets.", 0, 63),
    "tC": integer("Traffic class of IPv6 packets.", 0, 255),
})

TUNNEL_INFO = closed("A tunnel (MEC 010-2 TunnelInfo).", {
    "tunnelType": {"enum": ["GTP-U", "GRE"], "description": "Tunnel type."},
    "tunnelDstAddress": text("Tunnel destination address."),
    "tunnelSrcAddress": text("Tunnel source address."),
    "tunnelSpecificData": text("Tunnel-specific data.", 1024),
}, ("tunnelType", "tunnelDstAddress", "tunnelSrcAddress"))

INTERFACE_DESCRIPTOR = closed("Where matched traffic goes (MEC 010-2 InterfaceDescriptor).", {
    "interfaceType": {"enum": ["TUNNEL", "MAC", "IP"], "description": "Interface type."},
    "tunnelInfo": TUNNEL_INFO,
    "srcMACAddress": text("Source MAC address (MAC interfaces)."),
    "dstMACAddress": text("Destination MAC address (MAC interfaces)."),
    "dstIPAddress": text("Destination IP address (IP interfaces)."),
}, ("interfaceType",))

TRAFFIC_RULE = closed("A traffic rule (MEC 010-2 TrafficRuleDescriptor).", {
    "trafficRuleId": text("Traffic rule id, unique in the AppD."),
    "filterType": {"enum": ["FLOW", "PACKET"], "description": "Per flow or per packet."},
    "priority": integer("Priority (0-255, as MEC 011); the higher wins on conflicts.", 0, 255),
    "trafficFilter": array(TRAFFIC_FILTER, "Filters identifying the traffic.", 1, 64),
    "action": {"enum": ACTIONS, "description": "What the data plane does with matched traffic."},
    "dstInterface": array(INTERFACE_DESCRIPTOR, "Destination interfaces (forwarding and "
                          "duplicating actions).", 0, 2),
}, ("trafficRuleId", "filterType", "priority", "trafficFilter", "action"))

DNS_RULE = closed("A DNS rule (MEC 010-2 DNSRuleDescriptor).", {
    "dnsRuleId": text("DNS rule id, unique in the AppD."),
    "domainName": text("Fully qualified domain name.", 253),
    "ipAddressType": {"enum": ["IP_V4", "IP_V6"], "description": "Address family."},
    "ipAddress": text("The address the name resolves to."),
    "ttl": integer("Time to live in seconds."),
}, ("dnsRuleId", "domainName", "ipAddressType", "ipAddress"))

VIRTUAL_COMPUTE = closed("Virtual compute resources (NFV-IFA 011 VirtualComputeDesc).", {
    "virtualComputeDescId": text("Id of this compute descriptor."),
    "logicalNode": array(open_mapping("Logical node requirements."), "Logical nodes."),
    "requestAdditionalCapabilities": array(open_mapping("An additional capability."),
                                           "Additional capabilities."),
    "computeRequirements": array(open_mapping("A compute requirement."),
                                 "Compute requirements."),
    "virtualMemory": closed("Virtual memory (IFA 011 VirtualMemoryData).", {
        "virtualMemSize": {"type": "number", "exclusiveMinimum": 0, "maximum": 4194304,
                           "description": "Memory in MB (IFA 011)."},
        "virtualMemOversubscriptionPolicy": text("Oversubscription policy."),
        "numaEnabled": {"type": "boolean", "description": "NUMA pinning."},
    }, ("virtualMemSize",)),
    "virtualCpu": closed("Virtual CPU (IFA 011 VirtualCpuData).", {
        "cpuArchitecture": text("CPU architecture."),
        "numVirtualCpu": {"type": "number", "exclusiveMinimum": 0, "maximum": 1024,
                          "description": "Virtual CPUs (IFA 011: an integer; fractions "
                                         "become millicores)."},
        "virtualCpuClock": {"type": "number", "minimum": 0,
                            "description": "Minimum CPU clock in MHz."},
        "virtualCpuOversubscriptionPolicy": text("Oversubscription policy."),
        "vduCpuRequirements": array(open_mapping("A CPU requirement."), "CPU requirements."),
        "virtualCpuPinning": open_mapping("CPU pinning."),
    }, ("numVirtualCpu",)),
    "virtualDisk": array(open_mapping("A virtual disk."), "Virtual disks."),
}, ("virtualMemory", "virtualCpu"))

SW_IMAGE = closed("The software image (NFV-IFA 011 SwImageDesc); a container image here.", {
    "id": text("Image descriptor id."),
    "name": text("Image name."),
    "version": text("Image version."),
    "checksum": closed("Image checksum.", {"algorithm": text("Hash algorithm."),
                                           "hash": text("Hash value.", 1024)},
                       ("algorithm", "hash")),
    "containerFormat": {"enum": CONTAINER_FORMATS, "description": "Container format: DOCKER "
                        "(an OCI/Docker image, the only kind a Helm KDU runs)."},
    "diskFormat": text("Disk format (not used for container images)."),
    "minDisk": {"type": "number", "minimum": 0, "description": "Minimum disk in GB."},
    "minRam": {"type": "number", "minimum": 0, "description": "Minimum RAM in GB."},
    "size": {"type": "number", "minimum": 0, "description": "Image size in GB."},
    "swImage": text("Image reference, e.g. registry.example.com/app:1.2.", 1024),
    "operatingSystem": text("Operating system."),
    "supportedVirtualisationEnvironment": strings("Virtualisation environments."),
}, ("name", "version", "containerFormat", "swImage"))

TERMINATE_CONFIG = closed("Graceful termination (MEC 010-2 TerminateAppInstanceOpConfig).", {
    "minGracefulTerminationTimeout": integer("Seconds the application needs, at least, to "
                                             "terminate gracefully."),
    "macGracefulTerminationTimeout": integer("Largest recommended graceful termination "
                                             "timeout in seconds (the specification's "
                                             "spelling)."),
    "maxGracefulTerminationTimeout": integer("The same, spelt max...; give one of the two."),
    "additionalParams": open_mapping("Additional parameters."),
}, ("minGracefulTerminationTimeout",))

CHANGE_STATE_CONFIG = closed("Graceful stop (MEC 010-2 ChangeAppInstanceStateOpConfig).", {
    "minGracefulStopTimeout": integer("Seconds the application needs, at least, to stop."),
    "macGracefulStopTimeout": integer("Largest recommended graceful stop timeout in seconds "
                                      "(the specification's spelling)."),
    "maxGracefulStopTimeout": integer("The same, spelt max...; give one of the two."),
    "additionalParams": open_mapping("Additional parameters."),
}, ("minGracefulStopTimeout",))

REQUIRED = ("appDId", "appName", "appProvider", "appSoftVersion", "appDVersion", "mecVersion",
            "appDescription", "virtualComputeDescriptor", "swImageDescriptor")

SCHEMA: dict[str, Any] = closed("MEC 010-2 v2.1.1 application descriptor (AppD).", {
    "appDId": text("Globally unique id of the AppD and of its application package.", 128),
    "appName": text("Name identifying the application."),
    "appProvider": text("Provider of the application and of the AppD."),
    "appSoftVersion": text("Version of the application's software."),
    "appDVersion": text("Version of the AppD."),
    "mecVersion": strings("MEC system versions the application is compatible with.", 1),
    "appInfoName": text("Human-readable name."),
    "appDescription": text("Human-readable description.", 1024),
    "virtualComputeDescriptor": VIRTUAL_COMPUTE,
    "swImageDescriptor": SW_IMAGE,
    "virtualStorageDescriptor": array(open_mapping("A storage descriptor (IFA 011)."),
                                      "Virtual storage (not used by a Helm KDU)."),
    "appExtCpd": array(open_mapping("An external connection point (AppExternalCpd)."),
                       "External connection points."),
    "appServiceRequired": array(SERVICE_DEPENDENCY, "Services the application requires."),
    "appServiceOptional": array(SERVICE_DEPENDENCY, "Services the application may use."),
    "appServiceProduced": array(SERVICE_DESCRIPTOR, "Services the application produces."),
    "appFeatureRequired": array(FEATURE_DEPENDENCY, "Features the application requires."),
    "appFeatureOptional": array(FEATURE_DEPENDENCY, "Features the application may use."),
    "transportDependencies": array(TRANSPORT_DEPENDENCY, "Transports the platform must offer "
                                   "for the services the application produces."),
    "appTrafficRule": array(TRAFFIC_RULE, "Traffic rules the application requires."),
    "appDNSRule": array(DNS_RULE, "DNS rules the application requires."),
    "appLatency": closed("Maximum latency (MEC 010-2 LatencyDescriptor).", {
        "maxLatency": integer("Largest one-way latency tolerated, in nanoseconds."),
    }, ("maxLatency",)),
    "terminateAppInstanceOpConfig": TERMINATE_CONFIG,
    "changeAppInstanceStateOpConfig": CHANGE_STATE_CONFIG,
}, REQUIRED)
