"""Application-instance lifecycle on the platform: termination (graceful, with
AppTerminationNotification, or immediate) and the liveness watchdog (v2.2.1)."""

from __future__ import annotations

import asyncio
import logging

from .context import MepContext
from .outage import UNAVAILABLE
from .tasks import stop_tasks, wait_event

log = logging.getLogger("osm_mec.mep.lifecycle")


async def finalize_termination(mep: MepContext, app_id: str) -> bool:
    """Remove an application instance: its services (REMOVED notifications), its
    subscriptions, rules and token. False when it was already gone."""
    if not await mep.store.app_exists(app_id):
        return False
    removed = []
    for sid in await mep.store.service_ids(owner=app_id):
        service = await mep.store.delete_service(sid)
        if service is not None:
            removed.append(service)
    if removed:
        await mep.notifier.service_changed("REMOVED", removed)
    await mep.store.delete_app(app_id)
    mep.tokens.forget(app_id)
    log.info("application instance %s removed", app_id)
    return True


class Timers:
    """Graceful-termination deadlines, rescheduled from Redis after a restart."""

    def __init__(self, mep: MepContext) -> None:
        self.mep = mep
        self.tasks: dict[str, asyncio.Task[None]] = {}

    def schedule(self, app_id: str, deadline: float) -> None:
        async def later() -> None:
            await self.mep.clock.sleep_until(deadline)
            while True:
                try:
                    app = await self.mep.store.get_app(app_id)
                    if app is not None and app.get("state") == "TERMINATING":
                        log.info("application %s did not confirm termination in time",
                                 app_id)
                        await finalize_termination(self.mep, app_id)
                    return
                except UNAVAILABLE as exc:  # Redis away: try again shortly
                    self.mep.store.outage.failed(exc)
                    await asyncio.sleep(1.0)

        self.cancel(app_id)
        self.tasks[app_id] = asyncio.create_task(later())

    def cancel(self, app_id: str) -> None:
        task = self.tasks.pop(app_id, None)
        if task is not None:
            task.cancel()

    async def resume(self, stop: asyncio.Event) -> None:
        """Reschedule the deadlines of terminations in progress; while Redis is away,
        try again every second."""
        while not stop.is_set():
            try:
                apps = await self.mep.store.list_apps()
            except UNAVAILABLE as exc:
                self.mep.store.outage.failed(exc)
                await wait_event(stop, 1.0)
                continue
            for app in apps:
                if app.get("state") == "TERMINATING":
                    self.schedule(app["appInstanceId"],
                                  float(app.get("terminationDeadline", 0)))
            return

    async def stop(self) -> None:
        await stop_tasks(list(self.tasks.values()))
        self.tasks.clear()


async def watchdog(mep: MepContext, stop: asyncio.Event) -> None:
    """Mark a service SUSPENDED when its heartbeat lapses, and notify subscribers.

    Stops when `stop` is set: a cancellation landing inside a Redis call can be swallowed
    by the client library, so the loop does not rely on cancellation alone."""
    while not stop.is_set():
        try:
            due = await mep.store.expired(mep.clock.time())
            mep.store.outage.recovered()
            for sid in due:
                await mep.store.clear_deadline(sid)
                service = await mep.store.get_service(sid)
                if service is None or service.info["state"] != "ACTIVE":
                    continue
                _, new = await mep.store.replace_service(
                    sid, {**service.info, "state": "SUSPENDED"}, None)
                log.info("service %s missed its heartbeat: SUSPENDED", sid)
                await mep.notifier.service_changed("STATE_CHANGED", [new])
        except UNAVAILABLE as exc:  # Redis away: said once, keep watching
            mep.store.outage.failed(exc)
        await wait_event(stop, mep.settings.watchdog_period)
