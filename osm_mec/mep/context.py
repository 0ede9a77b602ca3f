"""What every request handler needs (store, notifier, settings) and who is calling."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fastapi import Request

from .notifications import CallbackPolicy, Notifier
from .problems import Problem
from .store import Store


@dataclass
class Settings:
    """MEP settings; `osm-mec mep serve` fills them from flags and environment."""

    redis_url: str = "redis://127.0.0.1:6379/0"
    public_url: str = "http://127.0.0.1:8080"
    allowed_callback_networks: list[str] | None = None
    max_body_bytes: int = 1 << 20
    watchdog_period: float = 0.2
    ntp_servers: list[str] = field(default_factory=list)
    notify_max_attempts: int = 8
    notify_first_backoff: float = 0.05


@dataclass
class MepContext:
    settings: Settings
    store: Store
    notifier: Notifier
    policy: CallbackPolicy
    tokens: "TokenCache" = field(default_factory=lambda: TokenCache())


def ctx(request: Request) -> MepContext:
    return request.app.state.mep


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="mep"'}


class TokenCache:
    """Token -> application, remembered for a few seconds to save a Redis round trip.

    Revocations made by this process take effect at once (`forget`); those made by
    another MEP replica within `ttl` seconds."""

    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self.entries: dict[str, tuple[str, float]] = {}

    def get(self, token: str) -> str | None:
        entry = self.entries.get(token)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, token: str, app_id: str) -> None:
        if len(self.entries) > 10000:
            self.entries.clear()
        self.entries[token] = (app_id, time.monotonic() + self.ttl)

    def forget(self, app_id: str) -> None:
        for token in [t for t, (a, _) in self.entries.items() if a == app_id]:
            del self.entries[token]


async def caller(request: Request) -> str:
    """The registered application whose bearer token came with the request (401 if none)."""
    token = _bearer(request)
    if token is None:
        raise Problem(401, "an application's bearer token is required", UNAUTHORIZED)
    mep = ctx(request)
    app_id = mep.tokens.get(token)
    if app_id is None:
        app_id = await mep.store.app_for_token(token)
        if app_id is None:
            raise Problem(401, "unknown or revoked bearer token", UNAUTHORIZED)
        mep.tokens.put(token, app_id)
    return app_id


async def own_app(appInstanceId: str, request: Request) -> str:  # noqa: N803 (spec name)
    """The path's application, which must exist (404) and be the caller (403)."""
    if not await ctx(request).store.app_exists(appInstanceId):
        raise Problem(404, f"application instance {appInstanceId!r} is not registered on "
                           "this platform")
    if await caller(request) != appInstanceId:
        raise Problem(403, f"this token does not belong to application {appInstanceId!r}")
    return appInstanceId
