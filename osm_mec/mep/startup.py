"""Checks `osm-mec mep serve` makes before serving: settings that parse, and a Redis that
answers. At start the MEP waits for Redis up to a bound, then exits 1 with one clear line
(a MEP without its state cannot do anything useful; Kubernetes restarts it). Once started,
a Redis outage is answered with 503 and the MEP recovers by itself."""

from __future__ import annotations

from collections.abc import Callable

import redis
from redis.exceptions import RedisError

from ..core.errors import OsmMecError, UsageError
from ..core.retry import Backoff, poll
from .callbacks import parse_networks
from .context import Settings
from .store import redis_location

REDIS_POLLING = Backoff(0.5, factor=1.0)  # PING every 0.5 s while waiting at start


def check_settings(settings: Settings) -> None:
    """UsageError naming the option whose value cannot be used."""
    for option, networks in (("--allow-callbacks", settings.allowed_callback_networks),
                             ("--legacy-app-networks", settings.legacy_app_networks)):
        try:
            parse_networks(networks)
        except ValueError as exc:
            raise UsageError(f"{option}: {exc}") from None
    if not settings.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise UsageError(f"--redis-url {settings.redis_url!r}: give a redis://, rediss:// "
                         "or unix:// URL")


def wait_for_redis(url: str, seconds: float, say: Callable[[str], None]) -> None:
    """Return once Redis answers PING; OsmMecError after `seconds` without an answer."""
    where = redis_location(url)
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    failures: list[BaseException] = []

    def answers() -> bool | None:
        try:
            client.ping()
            return True
        except (RedisError, OSError) as exc:
            if not failures:
                say(f"waiting up to {seconds:g} s for Redis at {where}")
            failures.append(exc)
            return None

    try:
        if poll(answers, seconds, REDIS_POLLING) is None:
            exc = failures[-1]
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise OsmMecError(
                f"Redis at {where} is unreachable after {seconds:g} s ({reason}): "
                "start it, or point --redis-url (MEP_REDIS_URL) at it; "
                "--redis-wait sets how long to wait") from None
    finally:
        client.close()
