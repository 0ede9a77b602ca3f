"""Notifications: which subscriptions an event concerns, a persistent per-subscription
outbox in Redis, and one delivery task per subscription (order kept) that retries with
exponential backoff and expires subscriptions whose callback never answers."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp

from .callbacks import CallbackPolicy, PolicyResolver
from .outage import UNAVAILABLE
from .store import Service, Store
from .tasks import stop_tasks, wait_event

log = logging.getLogger("osm_mec.mep.notifications")
SERVICE_NOTIFICATION = "SerAvailabilityNotification"
TERMINATION_NOTIFICATION = "AppTerminationNotification"


def _matches(criteria: dict[str, Any] | None, info: dict[str, Any]) -> bool:
    if not criteria:
        return True
    if criteria.get("serInstanceIds") is not None and \
            info["serInstanceId"] not in criteria["serInstanceIds"]:
        return False
    if criteria.get("serNames") is not None and info["serName"] not in criteria["serNames"]:
        return False
    if criteria.get("serCategories") is not None:
        category = (info.get("serCategory") or {}).get("id")
        if category not in [c.get("id") for c in criteria["serCategories"]]:
            return False
    if criteria.get("states") is not None and info["state"] not in criteria["states"]:
        return False
    return criteria.get("isLocal") is None or \
        bool(info.get("isLocal", True)) == criteria["isLocal"]


class Notifier:
    """Queues notifications in Redis and delivers them in the background."""

    def __init__(self, store: Store, base_url: str, policy: CallbackPolicy,
                 max_attempts: int = 8, first_backoff: float = 0.05,
                 max_backoff: float = 30.0, timeout: float = 5.0,
                 max_connections: int = 128) -> None:
        self.store = store
        self.base_url = base_url.rstrip("/")
        self.policy = policy
        self.timeout = timeout
        self.max_connections = max_connections
        # aiohttp, not httpx: ~10x the POST rate here and no pool timeouts with 1,000
        # deliveries queued (benchmarks/mep_fanout.py)
        self.session: aiohttp.ClientSession | None = None
        self.max_attempts = max_attempts
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._loop: asyncio.Task[None] | None = None
        self._stopping = False
        self._callbacks: dict[str, str] = {}  # subscription id -> callbackReference
        self.delivered = 0
        self.expired: list[str] = []

    # -- events ---------------------------------------------------------------------------
    def _service_link(self, info: dict[str, Any], owner: str) -> str:
        return (f"{self.base_url}/mec_service_mgmt/v1/applications/{owner}/services/"
                f"{info['serInstanceId']}")

    async def service_changed(self, change: str, services: list[Service]) -> int:
        """Queue a ServiceAvailabilityNotification for every matching subscription."""
        subs = await self.store.all_subscriptions("availability")
        items = []
        for sub_id, sub in sorted(subs.items()):
            refs = [{"link": {"href": self._service_link(s.info, s.owner)},
                     "serName": s.info["serName"], "serInstanceId": s.info["serInstanceId"],
                     "state": s.info["state"], "changeType": change}
                    for s in services if _matches(sub["body"].get("filteringCriteria"), s.info)]
            if refs:
                self._callbacks[sub_id] = sub["body"]["callbackReference"]
                items.append((sub_id, {
                    "notificationType": SERVICE_NOTIFICATION, "serviceReferences": refs,
                    "_links": {"subscription": {"href": sub["body"]["_links"]["self"]["href"]}},
                }))
        await self.store.enqueue(items)
        self.wake()
        return len(items)

    async def app_terminating(self, app_id: str, timeout: int) -> int:
        """Queue an AppTerminationNotification for the application's own subscriptions."""
        subs = await self.store.subscriptions_of(app_id, "termination")
        items = [(sub_id, {
            "notificationType": TERMINATION_NOTIFICATION, "operationAction": "TERMINATING",
            "maxGracefulTimeout": timeout,
            "_links": {"subscription": {"href": sub["body"]["_links"]["self"]["href"]},
                       "confirmTermination": {"href": f"{self.base_url}/mec_app_support/v1/"
                                                      f"applications/{app_id}/"
                                                      "confirm_termination"}},
        }) for sub_id, sub in subs.items()]
        await self.store.enqueue(items)
        self.wake()
        return len(items)

    # -- delivery -------------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self.session is None:
            self.session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections,
                                               resolver=PolicyResolver(self.policy),
                                               use_dns_cache=False),
                timeout=aiohttp.ClientTimeout(total=self.timeout))
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(), name="mep-notifier")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        await stop_tasks(([self._loop] if self._loop else []) + list(self._tasks.values()))
        self._loop = None
        self._tasks.clear()
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                for sub_id in await self.store.pending():
                    task = self._tasks.get(sub_id)
                    if task is None or task.done():
                        self._tasks[sub_id] = asyncio.create_task(self._drain(sub_id))
            except UNAVAILABLE as exc:  # Redis away: said once, try again shortly
                self.store.outage.failed(exc)
            await wait_event(self._wake, 1.0)

    async def _post(self, url: str, body: dict[str, Any]) -> bool:
        if self.session is None:
            raise RuntimeError("the notifier is not started: call start() first")
        try:
            self.policy.check_literal(url)  # names: checked by the resolver on connecting
            async with self.session.post(url, json=body) as response:
                await response.read()
                return 200 <= response.status < 300
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, OSError) as exc:
            log.info("notification to %s failed: %s", url, exc or type(exc).__name__)
            return False

    async def _callback(self, sub_id: str) -> str | None:
        callback = self._callbacks.get(sub_id)
        if callback is None:
            sub = await self.store.get_subscription(sub_id)
            if sub is None:
                return None
            callback = self._callbacks[sub_id] = sub["body"]["callbackReference"]
        return callback

    async def _drain(self, sub_id: str) -> None:
        """Deliver a subscription's outbox (see _deliver); when Redis goes away, stop: the
        outbox stays in Redis and the next pass of the loop resumes it."""
        try:
            await self._deliver(sub_id)
        except UNAVAILABLE as exc:
            self.store.outage.failed(exc)

    async def _deliver(self, sub_id: str) -> None:
        """Deliver a subscription's outbox in order: one Redis round trip and one POST per
        notification; retries with exponential backoff; expiry after max_attempts."""
        callback = await self._callback(sub_id)
        if callback is None:  # deleted: clear whatever is left of it
            await self.store.delete_subscription(sub_id)
            await self.store.clear_pending(sub_id)
            return
        attempts, delay = 0, self.first_backoff
        head = await self.store.advance(sub_id, delivered=False)
        while head is not None and not self._stopping:
            if await self._post(callback, json.loads(head)):
                self.delivered += 1
                attempts, delay = 0, self.first_backoff
                head = await self.store.advance(sub_id, delivered=True)
                continue
            attempts += 1
            if attempts >= self.max_attempts:
                log.warning("subscription %s expired: its callback failed %d times", sub_id,
                            attempts)
                self.expired.append(sub_id)
                self._callbacks.pop(sub_id, None)
                await self.store.delete_subscription(sub_id)
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_backoff)
            head = await self.store.advance(sub_id, delivered=False)  # still subscribed?
