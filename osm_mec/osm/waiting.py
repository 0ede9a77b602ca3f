"""Waiting for OSM: operation occurrences until a final state, K8s clusters and VIM accounts
until ENABLED. Completion is noticed from the Kafka bus when a listener is given (the
``instantiated``/``scaled``/... record), otherwise by adaptive polling (0.5 s growing to
5 s); polling continues in both cases to report every new ``detailed-status``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.errors import OsmMecError
from ..core.retry import Backoff, Deadline, poll
from .errors import NbiError
from .kafka_bus import (
    COMPLETION_KEYS,
    NS_TOPIC,
    KafkaUnavailable,
    Record,
    open_consumer,
    poll_record,
)

if TYPE_CHECKING:
    from .nbi import NbiClient

SUCCESS = ("COMPLETED", "PARTIALLY_COMPLETED")
FAILURE = ("FAILED", "FAILED_TEMP", "ROLLED_BACK")
FIRST_POLL, MAX_POLL, POLL_GROWTH = 0.5, 5.0, 1.5
GONE_POLL = 0.05
POLLING = Backoff(FIRST_POLL, POLL_GROWTH, MAX_POLL)  # 0.5 s growing to 5 s
GONE_POLLING = Backoff(GONE_POLL, POLL_GROWTH, MAX_POLL)
Progress = Callable[[str], None]


class OperationFailed(OsmMecError):
    """An OSM operation ended FAILED (or timed out); carries OSM's detailed-status."""

    def __init__(self, op_id: str, operation: str, state: str, detail: str) -> None:
        self.op_id, self.operation, self.state, self.detail = op_id, operation, state, detail
        super().__init__(f"OSM operation {operation or '?'} {op_id} {state}: "
                         f"{detail or 'no detailed-status'}")


class OperationListener:
    """Follows topic ``ns`` of one OSM: every completion record by op id (for waiters) and,
    with ``keep_records``, every record (for the timing collector)."""

    def __init__(self, bootstrap: str, keep_records: bool = False) -> None:
        self.bootstrap = bootstrap
        self._consumer = open_consumer(bootstrap, NS_TOPIC)
        self._done: dict[str, tuple[str, int]] = {}
        self._records: list[Record] = []
        self._keep = keep_records
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._last = self._polled = time.monotonic()
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="osm-ns-listener", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                record = poll_record(self._consumer, 0.05)
                with self._changed:
                    self._polled = time.monotonic()
                    if record is None:
                        continue
                    self._last = self._polled
                    if self._keep:
                        self._records.append(record)
                    if record.key in COMPLETION_KEYS:
                        value = record.value if isinstance(record.value, dict) else {}
                        self._done[str(value.get("nslcmop_id", ""))] = (
                            str(value.get("operationState", "")), record.timestamp_ms)
                        self._changed.notify_all()
        except KafkaUnavailable as exc:  # polling still finishes every wait
            self.error = str(exc)
        finally:
            self._consumer.close()

    def completion(self, op_id: str) -> tuple[str, int] | None:
        """(operationState, record timestamp in ms) once the completion record arrived."""
        with self._changed:
            return self._done.get(op_id)

    def wait(self, op_id: str, timeout: float) -> bool:
        """True as soon as op_id's completion record arrives, False after `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: op_id in self._done, timeout)

    def records(self) -> list[Record]:
        with self._changed:
            return list(self._records)

    def settle(self, idle: float = 0.1, limit: float = 1.0) -> None:
        """Wait until the bus has been quiet for `idle` s (records in flight arrive)."""
        asked = time.monotonic()

        def quiet() -> bool | None:
            if not self._thread.is_alive():
                return True
            with self._changed:
                return True if self._polled - max(self._last, asked) >= idle else None

        poll(quiet, limit, Backoff(0.01, factor=1.0))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def __enter__(self) -> OperationListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _report(progress: Progress | None, last: str | None, status: Any) -> str | None:
    if status and status != last and progress is not None:
        progress(str(status))
    return status or last


def wait_for_operation(client: NbiClient, op_id: str, timeout: float = 3600.0,
                       progress: Progress | None = None,
                       listener: OperationListener | None = None,
                       gone_ok: bool = False,
                       sleep: Callable[[float], None] = time.sleep,
                       now: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """The final operation occurrence when it COMPLETED (or PARTIALLY_COMPLETED).

    Raises OperationFailed with OSM's detailed-status on FAILED/FAILED_TEMP/ROLLED_BACK and
    when `timeout` seconds pass first. With `gone_ok` (a terminate with autoremove) it returns
    once the operation has vanished (404): OSM deletes the NS and its operation records
    right after the terminate COMPLETED, so only then is the NS really gone.
    """
    deadline = Deadline(timeout, now)
    intervals = POLLING.delays()
    last: str | None = None
    while True:
        try:
            op = client.get_operation(op_id)
        except NbiError as exc:
            if not (gone_ok and exc.status == 404):
                raise
            return {"id": op_id, "_id": op_id, "operationState": "COMPLETED",
                    "lcmOperationType": "terminate",
                    "detailed-status": "Done (NS and its operation records deleted)"}
        last = _report(progress, last, op.get("detailed-status"))
        state = str(op.get("operationState", ""))
        if state in SUCCESS and not gone_ok:
            return op
        if state in FAILURE:
            raise OperationFailed(op_id, str(op.get("lcmOperationType", "")), state,
                                  str(op.get("detailed-status") or op.get("errorMessage") or ""))
        if deadline.expired():
            raise OperationFailed(op_id, str(op.get("lcmOperationType", "")), "TIMEOUT",
                                  f"still {state or 'unknown'} after {timeout:.0f} s (last "
                                  f"status: {last or 'none'}); OSM may still finish it: check "
                                  f"`GET /nslcm/v1/ns_lcm_op_occs/{op_id}`")
        pause = min(next(intervals), deadline.remaining())
        if state in SUCCESS:  # completed, autoremove pending: its records go at once
            sleep(min(pause, GONE_POLL))
        elif listener is not None and listener.error is None:
            listener.wait(op_id, pause)
        else:
            sleep(pause)


def wait_for_admin(client: NbiClient, kind: str, object_id: str, timeout: float = 600.0,
                   progress: Progress | None = None,
                   sleep: Callable[[float], None] = time.sleep,
                   now: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """The K8s cluster or VIM account once ``_admin.operationalState`` is ENABLED
    (OperationFailed when it ends ERROR, or DEGRADED: a K8s cluster on which LCM could
    initialise only some deployment methods stays so)."""
    seen: dict[str, str | None] = {"status": None, "state": None}

    def enabled() -> dict[str, Any] | None:
        item = client.get_admin(kind, object_id)
        admin = item.get("_admin") or {}
        state = seen["state"] = str(admin.get("operationalState", ""))
        seen["status"] = _report(progress, seen["status"], admin.get("detailed-status") or state)
        if state in ("ERROR", "DEGRADED"):
            raise OperationFailed(object_id, f"{kind} registration", state,
                                  str(admin.get("detailed-status") or "no detail"))
        return item if state == "ENABLED" else None

    item = poll(enabled, timeout, POLLING, sleep, now)
    if item is None:
        raise OperationFailed(object_id, f"{kind} registration", "TIMEOUT",
                              f"still {seen['state'] or 'unknown'} after {timeout:.0f} s")
    return item


def wait_for_admin_gone(client: NbiClient, kind: str, object_id: str, timeout: float = 600.0,
                        sleep: Callable[[float], None] = time.sleep,
                        now: Callable[[], float] = time.monotonic) -> None:
    """Until a deleted K8s cluster or VIM account is gone (OSM removes it asynchronously)."""
    last: dict[str, Any] = {}

    def gone() -> bool | None:
        try:
            last.update(client.get_admin(kind, object_id))
        except NbiError as exc:
            if exc.status == 404:
                return True
            raise
        return None

    if poll(gone, timeout, GONE_POLLING, sleep, now) is None:
        state = (last.get("_admin") or {}).get("operationalState", "unknown")
        raise OperationFailed(object_id, f"{kind} deletion", "TIMEOUT",
                              f"still there ({state}) after {timeout:.0f} s")
