"""Redis outages: told once when they start and once when they end, not per request.

Every place that meets a Redis error (request handlers, the watchdog, the notifier, the
pub/sub listener) reports it here; the first report of an outage logs one line, the first
success afterwards logs its end. Request handlers answer 503 meanwhile (problems.py).
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("osm_mec.mep.redis")
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class Outage:
    """Whether Redis is known to be away, and since when."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.since: float | None = None

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> None:
        """Redis failed: log once per outage."""
        if self.since is None:
            self.since = time.monotonic()
            log.warning("Redis at %s is unreachable (%s): answering 503 until it is back",
                        self.where, str(exc).splitlines()[0] if str(exc) else
                        type(exc).__name__)

    def recovered(self) -> None:
        """Redis answered: log the end of an outage."""
        if self.since is not None:
            log.warning("Redis at %s is back after %.1f s", self.where,
                        time.monotonic() - self.since)
            self.since = None
