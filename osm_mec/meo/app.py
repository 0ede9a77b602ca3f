"""The facade as an ASGI application: the AppPkgm and AppLcm routers, ProblemDetails
errors, the operator's bearer token, and the background parts (notification delivery,
operations left running by a previous run) started and stopped with the application."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from fastapi import FastAPI

from ..core.mec_app import mec_application
from ..osm.mep_client import MepClient
from ..osm.nbi import NbiClient
from ..osm.waiting import OperationListener
from . import api_lcm, api_pkgm, lcm, problems
from .context import MeoContext, MeoSettings
from .edge import EdgeOsm
from .notify import Notifier
from .store import Store

log = logging.getLogger("osm_mec.meo")


def build_context(settings: MeoSettings, make_client: Callable[[], NbiClient],
                  admin_token: str, vim_account: str = "edge-vim",
                  mep: tuple[str, str] | None = None,
                  listener: OperationListener | None = None) -> MeoContext:
    """Everything the facade needs; `mep` is (MEP URL, platform manager's token)."""
    store = Store(settings.database)
    settings.state_dir.chmod(0o700)
    mep_client = MepClient(mep[0], mep[1]) if mep else None
    notifier = Notifier(store, settings.notify_max_attempts, settings.notify_first_backoff)
    return MeoContext(settings, store, EdgeOsm(make_client, vim_account, listener),
                      mep_client, notifier, admin_token)


def create_app(meo: MeoContext) -> FastAPI:
    """The facade over one CSP's Edge OSM."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        meo.notifier.start()
        resumed = lcm.resume(meo)
        if resumed:
            log.info("following %d operation(s) left running by the previous run", resumed)
        try:
            yield
        finally:
            meo.notifier.stop()
            meo.workers.join(timeout=1.0)

    app = mec_application("osm-mec MEC 010-2 Mm1 facade (AppPkgm, AppLcm)", lifespan,
                          problems.install, [api_pkgm.router, api_lcm.router], meo=meo)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
