"""MEC 011 (v2.1.1, plus the v2.2.1 liveness additions) data types the MEP reads.

Request bodies are validated with these models; what the MEP stores and returns is the
validated body as JSON (unknown attributes are kept, as the specification allows).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..core.mec_types import AbsoluteUri as Uri
from ..core.mec_types import LongText, Text

UInt32 = Annotated[int, Field(ge=0, le=4294967295)]


class _Open(BaseModel):
    """MEC types are open: unknown attributes are kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ServiceState(str, Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUSPENDED = "SUSPENDED"  # v2.2.1: set by the platform when a heartbeat lapses


class LocalityType(str, Enum):
    MEC_SYSTEM = "MEC_SYSTEM"
    MEC_HOST = "MEC_HOST"
    NFVI_POP = "NFVI_POP"
    ZONE = "ZONE"
    ZONE_GROUP = "ZONE_GROUP"
    NFVI_NODE = "NFVI_NODE"


class CategoryRef(_Open):
    href: Uri
    id: Text
    name: Text
    version: Text


class Address(_Open):
    host: Text
    port: UInt32


class EndPointInfo(_Open):
    uris: list[Uri] | None = Field(default=None, max_length=64)
    addresses: list[Address] | None = Field(default=None, max_length=64)
    alternative: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> EndPointInfo:
        given = [k for k in ("uris", "addresses", "alternative") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("endpoint needs exactly one of uris, addresses or alternative")
        return self


class OAuth2Info(_Open):
    grantTypes: list[Literal["OAUTH2_AUTHORIZATION_CODE", "OAUTH2_IMPLICIT_GRANT",
                             "OAUTH2_RESOURCE_OWNER", "OAUTH2_CLIENT_CREDENTIALS"]] = Field(
        min_length=1, max_length=4)
    tokenEndpoint: Uri


class SecurityInfo(_Open):
    oAuth2Info: OAuth2Info | None = None


class TransportInfo(_Open):
    id: Text
    name: Text
    description: LongText | None = None
    type: Literal["REST_HTTP", "MB_TOPIC_BASED", "MB_ROUTING", "MB_PUBSUB", "RPC",
                  "RPC_STREAMING", "WEBSOCKET"]
    protocol: Text
    version: Text
    endpoint: EndPointInfo
    security: SecurityInfo
    implSpecificInfo: dict[str, Any] | None = None

    @field_validator("security", mode="before")
    @classmethod
    def _null_security(cls, value: Any) -> Any:
        """`security: null` (sent by some applications) means no security information."""
        return {} if value is None else value


class ServiceInfo(_Open):
    """A MEC service as an application registers or updates it (ServiceInfo.Post of
    v2.2.1: a transport of its own, or the id of one the platform lists)."""

    serInstanceId: Text | None = None
    serName: Text = Field(min_length=1)
    serCategory: CategoryRef | None = None
    version: Text
    state: ServiceState
    transportId: Text | None = None
    transportInfo: TransportInfo | None = None
    serializer: Literal["JSON", "XML", "PROTOBUF3"]
    scopeOfLocality: LocalityType | None = None
    consumedLocalOnly: bool | None = None
    isLocal: bool | None = None
    livenessInterval: UInt32 | None = None  # v2.2.1

    @model_validator(mode="after")
    def _one_transport(self) -> ServiceInfo:
        if (self.transportId is None) == (self.transportInfo is None):
            raise ValueError("give exactly one of transportId or transportInfo")
        return self


class FilteringCriteria(_Open):
    serInstanceIds: list[Text] | None = Field(default=None, max_length=256)
    serNames: list[Text] | None = Field(default=None, max_length=256)
    serCategories: list[CategoryRef] | None = Field(default=None, max_length=256)
    states: list[ServiceState] | None = None
    isLocal: bool | None = None

    @model_validator(mode="after")
    def _exclusive(self) -> FilteringCriteria:
        given = [k for k in ("serInstanceIds", "serNames", "serCategories")
                 if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"filteringCriteria: {', '.join(given)} are mutually exclusive")
        return self


class SerAvailabilitySubscription(_Open):
    subscriptionType: Literal["SerAvailabilityNotificationSubscription"]
    callbackReference: Uri
    filteringCriteria: FilteringCriteria | None = None


class AppTerminationSubscription(_Open):
    subscriptionType: Literal["AppTerminationNotificationSubscription"]
    callbackReference: Uri
    appInstanceId: Text


class TrafficFilter(_Open):
    srcAddress: list[str] | None = None
    dstAddress: list[str] | None = None
    srcPort: list[str] | None = None
    dstPort: list[str] | None = None
    protocol: list[str] | None = None
    token: list[str] | None = None
    srcTunnelAddress: list[str] | None = None
    tgtTunnelAddress: list[str] | None = None
    srcTunnelPort: list[str] | None = None
    dstTunnelPort: list[str] | None = None
    qCI: UInt32 | None = None
    dSCP: UInt32 | None = None
    tC: UInt32 | None = None


class TunnelInfo(_Open):
    tunnelType: Literal["GTP_U", "GRE"]
    tunnelDstAddress: str | None = None
    tunnelSrcAddress: str | None = None


class DestinationInterface(_Open):
    interfaceType: Literal["TUNNEL", "MAC", "IP"]
    tunnelInfo: TunnelInfo | None = None
    srcMacAddress: str | None = None
    dstMacAddress: str | None = None
    dstIpAddress: str | None = None


class TrafficRule(_Open):
    trafficRuleId: Text
    filterType: Literal["FLOW", "PACKET"]
    priority: UInt32
    trafficFilter: list[TrafficFilter] = Field(max_length=64)
    action: Literal["DROP", "FORWARD_DECAPSULATED", "FORWARD_ENCAPSULATED", "PASSTHROUGH",
                    "DUPLICATE_DECAPSULATED", "DUPLICATE_ENCAPSULATED"]
    dstInterface: list[DestinationInterface] | None = Field(default=None, max_length=2)
    state: Literal["ACTIVE", "INACTIVE"]


class DnsRule(_Open):
    dnsRuleId: Text
    domainName: Text
    ipAddressType: Literal["IP_V6", "IP_V4"]
    ipAddress: Text
    ttl: UInt32 | None = None
    state: Literal["ACTIVE", "INACTIVE"]


class AppReadyConfirmation(_Open):
    indication: Literal["READY"]


class AppTerminationConfirmation(_Open):
    operationAction: Literal["STOPPING", "TERMINATING"]


class LivenessUpdate(_Open):
    """v2.2.1 PATCH body of a service's liveness resource."""

    state: Literal["ACTIVE"]


class AppRegistration(BaseModel):
    """Management side (Mm5-style): configure the platform for an application instance."""

    model_config = ConfigDict(extra="forbid")

    appInstanceId: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,64}$")
    appName: Text | None = None
    trafficRules: list[TrafficRule] = Field(default_factory=list, max_length=256)
    dnsRules: list[DnsRule] = Field(default_factory=list, max_length=256)
    requiredServices: list[Text] = Field(default_factory=list, max_length=256)
    optionalServices: list[Text] = Field(default_factory=list, max_length=256)
    producedServices: list[Text] = Field(default_factory=list, max_length=256)
    gracefulTerminationTimeout: UInt32 = 30
