"""Notifications to subscribers: queued in the store's outbox in the same order as the
changes they report, delivered by one background thread, retried with a growing pause
until delivered or `max_attempts` failed, and kept across restarts. One subscriber's
notifications are delivered strictly in order: a failing one holds back the later ones."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import requests

from .store import Doc, Pending, Store

log = logging.getLogger("osm_mec.meo.notify")


def timestamp(now: float | None = None) -> dict[str, int]:
    """MEC TimeStamp (seconds and nanoseconds since the epoch)."""
    ns = time.time_ns() if now is None else int(now * 1e9)
    return {"seconds": ns // 1_000_000_000, "nanoSeconds": ns % 1_000_000_000}


def notification(subscription: Doc, body: Doc, notification_id: str) -> Doc:
    """The body one subscriber gets (the same id for every subscriber of one change)."""
    return {"id": notification_id, "subscriptionId": subscription["id"],
            "timeStamp": timestamp(), **body,
            "_links": {**body.get("_links", {}),
                       "subscription": {"href": subscription["_links"]["self"]["href"]}}}


class Notifier:
    """Queues notifications and delivers them in the background."""

    def __init__(self, store: Store, max_attempts: int = 8, first_backoff: float = 0.2,
                 max_backoff: float = 30.0, timeout: float = 5.0,
                 post: Callable[..., Any] | None = None) -> None:
        self.store = store
        self.max_attempts, self.first_backoff, self.max_backoff = \
            max_attempts, first_backoff, max_backoff
        self.timeout = timeout
        self.session = requests.Session()
        self.post = post or self.session.post
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def send(self, subscriptions: list[Doc], body: Doc) -> None:
        """Queue one change for every matching subscription."""
        if not subscriptions:
            return
        notification_id = str(uuid.uuid4())
        self.store.enqueue([(sub["callbackUri"], notification(sub, body, notification_id))
                            for sub in subscriptions])
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="meo-notifier", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            pause = self.deliver_due()
            self._wake.wait(pause)
            self._wake.clear()

    def deliver_due(self) -> float:
        """Deliver what is due, in order per callback; seconds until the next is due."""
        held: set[str] = set()
        next_due = 1.0
        for item in self.store.pending():
            if self._stop.is_set():
                break
            if item.callback in held:
                continue
            wait = self.store.due_at(item.seq) - time.time()
            if wait > 0:
                held.add(item.callback)
                next_due = min(next_due, wait)
                continue
            if not self._deliver(item):
                held.add(item.callback)
                next_due = min(next_due, self.store.due_at(item.seq) - time.time())
        return max(0.01, next_due)

    def _deliver(self, item: Pending) -> bool:
        try:
            response = self.post(item.callback, json=item.body, timeout=self.timeout)
            ok = 200 <= response.status_code < 300
            why = f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            ok, why = False, type(exc).__name__
        if ok:
            self.store.delivered(item.seq)
            return True
        attempts = item.attempts + 1
        if attempts >= self.max_attempts:
            log.warning("notification %s to %s dropped after %d attempts (%s)",
                        item.body.get("id"), item.callback, attempts, why)
            self.store.delivered(item.seq)
            return True
        pause = min(self.max_backoff, self.first_backoff * 2 ** (attempts - 1))
        log.info("notification to %s failed (%s); retry %d in %.1f s", item.callback, why,
                 attempts, pause)
        self.store.postpone(item.seq, attempts, time.time() + pause)
        return False
