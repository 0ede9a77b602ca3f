"""The MEP as an ASGI application: FastAPI routers for MEC 011 service management and
application support, the platform-management API, the OAuth 2.0 token endpoint,
problem+json errors, request gates (JSON bodies, a size limit, the discovery fast path),
and the background tasks (notification delivery, liveness watchdog, termination timers,
the cache-invalidation listener) started and stopped with the application."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

from fastapi import FastAPI

from ..core.mec_app import mec_application
from . import app_support, oauth, platform_mgmt, problems, service_mgmt
from .callbacks import CallbackPolicy, Resolve, parse_networks, system_resolve
from .clock import Clock, SystemClock
from .context import MepContext, Settings, TokenCache
from .gates import BodyLimit, FastPath, JsonOnly
from .lifecycle import Timers, watchdog
from .notifications import Notifier
from .store import Store
from .tasks import stop_tasks


def create_app(settings: Settings, admin_token: str, store: Store | None = None,
               resolve: Resolve = system_resolve, clock: Clock | None = None) -> FastAPI:
    """The MEP application. The store is created from settings.redis_url when not given;
    `resolve` turns callback host names into addresses (the system resolver); `clock`
    times liveness, terminations and the token cache (the system clock)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_store = store or Store.from_url(settings.redis_url)
        policy = CallbackPolicy(settings.allowed_callback_networks, resolve)
        notifier = Notifier(own_store, settings.public_url, policy,
                            max_attempts=settings.notify_max_attempts,
                            first_backoff=settings.notify_first_backoff)
        own_clock = clock or SystemClock()
        mep = MepContext(settings, own_store, notifier, policy, TokenCache(clock=own_clock),
                         legacy_networks=parse_networks(settings.legacy_app_networks),
                         clock=own_clock)
        app.state.mep = mep
        app.state.timers = Timers(mep)
        notifier.start()
        stopping = asyncio.Event()
        resume = asyncio.create_task(app.state.timers.resume(stopping), name="mep-timers")
        dog = asyncio.create_task(watchdog(mep, stopping), name="mep-liveness-watchdog")
        listener = asyncio.create_task(own_store.listen_for_changes(stopping),
                                       name="mep-changes")
        gc.freeze()  # start-up objects live forever: keep them out of GC passes (tail latency)
        try:
            yield
        finally:
            stopping.set()
            await stop_tasks([resume, dog, listener])
            await app.state.timers.stop()
            await notifier.stop()
            if store is None:
                await own_store.close()

    app = mec_application("osm-mec MEC platform (MEC 011 Mp1)", lifespan, problems.install,
                          [service_mgmt.router, app_support.router, platform_mgmt.router,
                           oauth.router], admin_token=admin_token)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """Readiness: 503 while Redis is unreachable."""
        await app.state.mep.store.ping()
        return {"status": "ok"}

    @app.get("/livez", include_in_schema=False)
    async def livez() -> dict[str, str]:
        """Liveness: the process serves (a restart would not bring Redis back)."""
        return {"status": "ok"}

    app.add_middleware(FastPath, path=f"{service_mgmt.BASE}/services",
                       handler=service_mgmt.discover)
    app.add_middleware(JsonOnly, exempt=(oauth.PATH,))
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app
