"""What every request handler needs (store, notifier, settings) and who is calling."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from fastapi import Request

from .callbacks import CallbackPolicy
from .clock import Clock, SystemClock
from .notifications import Notifier
from .problems import Problem
from .store import Store


@dataclass
class Settings:
    """MEP settings; `osm-mec mep serve` fills them from flags and environment."""

    redis_url: str = "redis://127.0.0.1:6379/0"
    public_url: str = "http://127.0.0.1:8080"
    # networks notification callbacks may go to; empty: none (deny by default)
    allowed_callback_networks: list[str] = field(default_factory=list)
    # networks whose callers may omit the token (legacy Mp1 applications); empty: none
    legacy_app_networks: list[str] = field(default_factory=list)
    max_body_bytes: int = 1 << 20
    watchdog_period: float = 0.2
    ntp_servers: list[str] = field(default_factory=list)
    notify_max_attempts: int = 8
    notify_first_backoff: float = 0.05
    liveness_interval: int = 30  # seconds, when an application proposes livenessInterval 0
    max_services_per_app: int = 100
    max_subscriptions_per_app: int = 50
    oauth_token_ttl: int = 3600  # seconds an OAuth 2.0 access token lives
    retry_after: int = 2  # seconds, in 503 answers while Redis is unreachable


@dataclass
class MepContext:
    settings: Settings
    store: Store
    notifier: Notifier
    policy: CallbackPolicy
    tokens: TokenCache = field(default_factory=lambda: TokenCache())
    legacy_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(
        default_factory=list)
    clock: Clock = field(default_factory=SystemClock)   # liveness and termination deadlines


def ctx(request: Request) -> MepContext:
    return request.app.state.mep


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="mep"'}
LEGACY_CALLER = "legacy application"  # a caller without token on a path naming no app


class TokenCache:
    """Token -> application, remembered for a few seconds to save a Redis round trip.

    Revocations made by this process take effect at once (`forget`); those made by
    another MEP replica within `ttl` seconds."""

    def __init__(self, ttl: float = 2.0, clock: Clock | None = None) -> None:
        self.ttl = ttl
        self.clock = clock or SystemClock()
        self.entries: dict[str, tuple[str, float]] = {}

    def get(self, token: str) -> str | None:
        entry = self.entries.get(token)
        if entry is None or entry[1] < self.clock.monotonic():
            return None
        return entry[0]

    def put(self, token: str, app_id: str) -> None:
        if len(self.entries) > 10000:
            self.entries.clear()
        self.entries[token] = (app_id, self.clock.monotonic() + self.ttl)

    def forget(self, app_id: str) -> None:
        for token in [t for t, (a, _) in self.entries.items() if a == app_id]:
            del self.entries[token]


UNKNOWN_TOKEN = "a valid access token of a registered application is required"


def _legacy_caller(request: Request) -> str | None:
    """Without a token, from a network the operator named for legacy applications: the
    application named in the path (or a placeholder where the path names none)."""
    networks = ctx(request).legacy_networks
    client = request.client
    if not networks or client is None:
        return None
    try:
        address = ipaddress.ip_address(client.host)
    except ValueError:
        return None
    if not any(address in network for network in networks):
        return None
    return request.path_params.get("appInstanceId") or LEGACY_CALLER


async def caller(request: Request) -> str:
    """The registered application calling: from its bearer token (ours or an OAuth access
    token), or from the path in legacy mode. The same 401 for any missing, unknown or
    revoked token, whatever the path names: application ids cannot be enumerated."""
    mep = ctx(request)
    token = _bearer(request)
    if token is None:
        legacy = _legacy_caller(request)
        if legacy == LEGACY_CALLER or (legacy and await mep.store.app_exists(legacy)):
            return legacy
        raise Problem(401, UNKNOWN_TOKEN, UNAUTHORIZED)
    app_id = mep.tokens.get(token)
    if app_id is None:
        app_id = await mep.store.app_for_token(token)
        if app_id is None:
            raise Problem(401, UNKNOWN_TOKEN, UNAUTHORIZED)
        mep.tokens.put(token, app_id)
    return app_id


async def own_app(appInstanceId: str, request: Request) -> str:
    """The path's application, which must be the caller: 401 without a valid token, 403
    with another application's token (whether or not the path's id exists)."""
    if await caller(request) != appInstanceId:
        raise Problem(403, f"this token does not belong to application {appInstanceId!r}")
    return appInstanceId
