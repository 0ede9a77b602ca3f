"""Redis goes away under load and comes back (issue #11): 503 problem+json with
Retry-After meanwhile, one log line per outage, and the pub/sub invalidation listener and
the liveness watchdog back by themselves. A real redis-server is killed and restarted on
the same port and append-only file; real threads keep calling the running MEP."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import pytest
import redis

from .conftest import add_service, register_app
from .servers import MepServer, RedisServer

SM = "/mec_service_mgmt/v1"


class Collected(logging.Handler):
    """The MEP's log records (it runs in this process, in uvicorn's thread)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Load:
    """Threads calling discovery and the own-services list until stopped."""

    def __init__(self, url: str, app: str, auth: dict, threads: int = 4) -> None:
        self.statuses: list[tuple[float, int, httpx.Response]] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(url, app, auth), daemon=True)
                        for _ in range(threads)]

    def _run(self, url: str, app: str, auth: dict) -> None:
        with httpx.Client(base_url=url, headers=auth, timeout=30) as client:
            paths = [f"{SM}/services", f"{SM}/applications/{app}/services"]
            i = 0
            while not self.stopping.is_set():
                response = client.get(paths[i % 2])
                self.statuses.append((time.monotonic(), response.status_code, response))
                i += 1
                time.sleep(0.005)

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)


def _wait(predicate, timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture()
def logs():
    handler = Collected()
    logger = logging.getLogger("osm_mec.mep")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    yield handler.records
    logger.removeHandler(handler)
    logger.setLevel(old)


def test_redis_outage_under_load(tmp_path, logs):
    store = RedisServer(tmp_path / "redis").start()
    server = MepServer(store.url, watchdog_period=0.05).start()
    server.mep.store.cache.ttl = 3600  # only pub/sub invalidation can refresh discovery
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            app, auth = register_app(client, "app-1")
            add_service(client, app, auth, "before")
            with Load(server.url, app, auth) as load:
                _wait(lambda: len(load.statuses) >= 40, what="load before the outage")
                killed_at = time.monotonic()
                store.kill()
                time.sleep(1.5)
                outage = [(t, s, r) for t, s, r in load.statuses if t > killed_at + 0.2]
                restarted_at = time.monotonic()
                store.start()  # the same port and append-only file
                _wait(lambda: load.statuses[-1][1] == 200, what="200s after the restart")
                time.sleep(0.3)
            assert outage, "the load generator made calls during the outage"
            assert {s for _, s, _ in outage} == {503}, {s for _, s, _ in outage}
            sample = outage[-1][2]
            assert sample.headers["content-type"].startswith("application/problem+json")
            assert int(sample.headers["retry-after"]) >= 1
            assert "Redis" in sample.json()["detail"]
            assert {s for t, s, _ in load.statuses if t < killed_at} == {200}
            during = [r for r in logs if r.levelno >= logging.WARNING]
            assert not any(r.exc_info for r in logs), "no traceback in the log"
            assert len(during) <= 3, [r.getMessage() for r in during]
            assert sum("unreachable" in r.getMessage() for r in during) == 1, \
                [r.getMessage() for r in during]
            # the pub/sub listener is back: another replica's change reaches this one
            _wait(lambda: redis.Redis.from_url(store.url).pubsub_numsub(
                "mep:changed")[0][1] >= 1, what="the listener to resubscribe")
            assert [s["serName"] for s in client.get(f"{SM}/services", headers=auth).json()] \
                == ["before"]
            replica = MepServer(store.url).start()
            try:
                with httpx.Client(base_url=replica.url) as other:
                    add_service(other, app, auth, "from-replica")
            finally:
                replica.stop()
            _wait(lambda: len(client.get(f"{SM}/services", headers=auth).json()) == 2,
                  timeout=5, what="the replica's change (pub/sub invalidation)")
            # the liveness watchdog is back: a lapsed heartbeat suspends the service
            sid = add_service(client, app, auth, "beating", livenessInterval=1)[
                "serInstanceId"]
            _wait(lambda: client.get(f"{SM}/services/{sid}", headers=auth).json()[
                "state"] == "SUSPENDED", timeout=5, what="the watchdog")
            assert restarted_at > killed_at
    finally:
        server.stop()
        store.stop()
