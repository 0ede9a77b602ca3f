"""The MEP's state in Redis (redis.asyncio): application instances and their tokens,
services and their indexes, subscriptions, traffic and DNS rules, liveness deadlines and
the notification outbox. Everything the MEP knows lives here, so it survives restarts of
the service and (with append-only persistence) of Redis.

Key layout (all under the prefix, default ``mep:``):
  app:{app}                JSON of the application instance
  app:{app}:svcs|subs      sets of its service / subscription ids
  app:{app}:traffic|dns    hashes rule id -> {"etag", "rule"}
  app:{app}:gen            the instance's credential generation (new at registration and
                           rotation: every token of an older generation is dead)
  app:{app}:token|client   sha256 of its bearer token / of its OAuth client secret
  token:{sha256}           "{generation} {app}" of a bearer or OAuth access token
  svc:{id}                 {"owner", "etag", "info"}
  svcjson:{id}             the service's JSON exactly as returned (discovery splices it)
  svcs, svcs:name:{n}, svcs:cat:{c}   discovery indexes
  sub:{id}                 {"kind", "owner", "body"}; subs:availability set
  liveness                 sorted set service id -> deadline (epoch s)
  outbox:{sub}             list of pending notifications; outbox:pending set
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

from .discovery_cache import DiscoveryCache
from .outage import UNAVAILABLE, Outage
from .tasks import wait_event

# SUNION of the index sets, then MGET of the services' JSON, sorted by id: one round trip.
_DISCOVER = """
local ids = redis.call('SUNION', unpack(KEYS))
if #ids == 0 then return {} end
table.sort(ids)
local keys = {}
for i, id in ipairs(ids) do keys[i] = ARGV[1] .. id end
return redis.call('MGET', unpack(keys))
"""


# Drop the delivered head (ARGV[2] == "1"), return the next; clear the pending mark when
# the outbox is empty, in the same atomic step.
_ADVANCE = """
if ARGV[2] == '1' then redis.call('LPOP', KEYS[1]) end
local head = redis.call('LINDEX', KEYS[1], 0)
if not head then redis.call('SREM', KEYS[2], ARGV[1]) end
return head
"""


# Credentials of an application instance, in one atomic step: ARGV[5] "new" registers
# (nothing when the instance exists: one winner among concurrent registrations), "rotate"
# replaces them (nothing when the instance is gone). A new generation kills every token
# issued before, whoever holds it.
_CREDENTIALS = """
local exists = redis.call('EXISTS', KEYS[1]) == 1
if (ARGV[5] == 'new') == exists then return 0 end
if ARGV[5] == 'new' then redis.call('SET', KEYS[1], ARGV[1]) end
local old = redis.call('GET', KEYS[4])
if old then redis.call('DEL', ARGV[6] .. old) end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
redis.call('SET', KEYS[4], ARGV[4])
redis.call('SET', ARGV[6] .. ARGV[4], ARGV[2] .. ' ' .. ARGV[7])
return 1
"""

# The application a token belongs to, if its generation is the instance's current one.
_RESOLVE = """
local value = redis.call('GET', KEYS[1])
if not value then return false end
local space = string.find(value, ' ', 1, true)
local app = string.sub(value, space + 1)
if redis.call('GET', ARGV[1] .. app .. ':gen') ~= string.sub(value, 1, space - 1) then
  return false
end
return app
"""

# An OAuth access token for a client whose secret matches (ARGV[1]: its sha256), valid for
# ARGV[3] seconds and only as long as the instance's generation stays the same.
_ISSUE = """
local gen = redis.call('GET', KEYS[1])
if not gen or redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[3], gen .. ' ' .. ARGV[2], 'EX', tonumber(ARGV[3]))
return 1
"""

# Add a member to a set unless the set already holds ARGV[2] members (per-app quotas).
_RESERVE = """
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""


def etag_of(body: Any) -> str:
    """A strong ETag of a JSON body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return '"' + hashlib.sha256(canonical).hexdigest()[:32] + '"'


def redis_location(url: str) -> str:
    """host:port/db of a Redis URL, without credentials (for log lines)."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path or ''}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _matches(if_match: list[str] | None, etag: str) -> bool:
    """True when there is no If-Match, or one of its tags is the ETag or *."""
    return if_match is None or etag in if_match or "*" in if_match


class Conflict(Exception):
    """The resource changed under the caller (ETag mismatch)."""


@dataclass(frozen=True)
class Credentials:
    """What an application instance authenticates with: a bearer token, and a client
    secret for OAuth 2.0 client credentials (client id: the instance id)."""

    access_token: str = field(repr=False)
    client_secret: str = field(repr=False)


@dataclass
class Service:
    owner: str
    etag: str
    info: dict[str, Any]


class Store:
    """Typed access to the MEP's Redis keys."""

    def __init__(self, client: aioredis.Redis, prefix: str = "mep:",
                 where: str = "") -> None:
        # decode_responses=True (connect): answers are str, which redis's types cannot say
        self.r: Any = client
        self.p = prefix
        self.outage = Outage(where or "the configured URL")
        self._discover = client.register_script(_DISCOVER)
        self._advance = client.register_script(_ADVANCE)
        self._credentials = client.register_script(_CREDENTIALS)
        self._resolve = client.register_script(_RESOLVE)
        self._issue = client.register_script(_ISSUE)
        self._reserve = client.register_script(_RESERVE)
        self.cache = DiscoveryCache()
        self._inflight: dict[tuple, asyncio.Future[str]] = {}
        self.channel = self.k("changed")

    @classmethod
    def from_url(cls, url: str, prefix: str = "mep:", max_connections: int = 64) -> Store:
        """A store on a bounded pool: under load, callers wait for a free connection
        (up to 10 s) instead of failing with "Too many connections"."""
        pool = aioredis.BlockingConnectionPool.from_url(
            url, decode_responses=True, max_connections=max_connections, timeout=10,
            health_check_interval=30, socket_connect_timeout=2, socket_timeout=5,
            # one quick retry absorbs a pooled connection that died with a Redis restart;
            # while Redis is away, calls fail fast (the MEP answers 503)
            retry=Retry(ExponentialBackoff(cap=0.05, base=0.01), 1,
                        supported_errors=(RedisConnectionError, RedisTimeoutError)))
        return cls(aioredis.Redis(connection_pool=pool), prefix, redis_location(url))

    async def _services_changed(self) -> None:
        """Clear this process's discovery cache now; tell the other replicas."""
        self.cache.clear()
        await self.r.publish(self.channel, "services")

    async def listen_for_changes(self, stop: asyncio.Event, max_backoff: float = 2.0) -> None:
        """Clear the discovery cache whenever another replica changes services. When Redis
        goes away, keep reconnecting (backoff up to max_backoff); on each (re)subscription
        clear the cache, since changes made meanwhile were not heard."""
        delay = 0.05
        while not stop.is_set():
            pubsub = self.r.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self.cache.clear()
                delay = 0.05
                while not stop.is_set():
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self.cache.clear()
            except UNAVAILABLE as exc:
                self.outage.failed(exc)
                self.cache.clear()
            finally:
                with contextlib.suppress(*UNAVAILABLE):
                    await pubsub.aclose()
            await wait_event(stop, delay)
            delay = min(delay * 2, max_backoff)

    def k(self, *parts: str) -> str:
        return self.p + ":".join(parts)

    async def close(self) -> None:
        await self.r.aclose()

    async def ping(self) -> bool:
        return bool(await self.r.ping())

    # -- application instances ------------------------------------------------------------
    async def _set_credentials(self, mode: str, app: dict[str, Any]) -> Credentials | None:
        app_id = app["appInstanceId"]
        creds = Credentials(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
        done = await self._credentials(
            keys=[self.k("app", app_id), self.k("app", app_id, "gen"),
                  self.k("app", app_id, "client"), self.k("app", app_id, "token")],
            args=[json.dumps(app), secrets.token_hex(16), token_hash(creds.client_secret),
                  token_hash(creds.access_token), mode, self.k("token", ""), app_id])
        return creds if done else None

    async def create_app(self, app: dict[str, Any]) -> Credentials | None:
        """Register an application instance with fresh credentials; None when an instance
        with that id exists (atomic: one winner among concurrent registrations)."""
        return await self._set_credentials("new", app)

    async def rotate_credentials(self, app: dict[str, Any]) -> Credentials | None:
        """New credentials for the instance; every token issued before stops working.
        None when the instance is gone."""
        return await self._set_credentials("rotate", app)

    async def issue_access_token(self, app_id: str, client_secret: str, ttl: int) -> str | None:
        """An OAuth 2.0 access token for the client credentials, or None when they are
        wrong. It dies with the instance's credentials (rotation, deregistration)."""
        token = secrets.token_urlsafe(32)
        issued = await self._issue(keys=[self.k("app", app_id, "gen"),
                                         self.k("app", app_id, "client"),
                                         self.k("token", token_hash(token))],
                                   args=[token_hash(client_secret), app_id, ttl])
        return token if issued else None

    async def reserve(self, app_id: str, kind: str, member: str, limit: int) -> bool:
        """Add to the application's set of services or subscriptions unless it already
        holds `limit` of them (atomic, so concurrent requests cannot pass the quota)."""
        return bool(await self._reserve(keys=[self.k("app", app_id, kind)],
                                        args=[member, limit]))

    async def app_exists(self, app_id: str) -> bool:
        return bool(await self.r.exists(self.k("app", app_id)))

    async def get_app(self, app_id: str) -> dict[str, Any] | None:
        raw = await self.r.get(self.k("app", app_id))
        return json.loads(raw) if raw else None

    async def put_app(self, app: dict[str, Any]) -> None:
        await self.r.set(self.k("app", app["appInstanceId"]), json.dumps(app))

    async def list_apps(self) -> list[dict[str, Any]]:
        keys = [k async for k in self.r.scan_iter(match=self.k("app", "*"), count=500)
                if k.count(":") == self.p.count(":") + 1]
        values = await self.r.mget(keys) if keys else []
        return [json.loads(v) for v in values if v]

    async def app_for_token(self, token: str) -> str | None:
        """The application of a live token (its instance's current generation), or None."""
        return await self._resolve(keys=[self.k("token", token_hash(token))],
                                   args=[self.k("app", "")])

    async def delete_app(self, app_id: str) -> None:
        """Remove an application instance with its token, rules and subscriptions.

        Its services are removed by the caller first (they need notifications)."""
        hashed = await self.r.get(self.k("app", app_id, "token"))
        subs = await self.r.smembers(self.k("app", app_id, "subs"))
        for sub_id in subs:
            await self.delete_subscription(sub_id)
        keys = [self.k("app", app_id, part) for part in
                ("gen", "client", "token", "svcs", "subs", "traffic", "dns")]
        keys.append(self.k("app", app_id))
        if hashed:
            keys.append(self.k("token", hashed))
        await self.r.delete(*keys)

    # -- services -------------------------------------------------------------------------
    def _indexes(self, info: dict[str, Any]) -> list[str]:
        keys = [self.k("svcs"), self.k("svcs", "name", info["serName"])]
        category = info.get("serCategory") or {}
        if category.get("id"):
            keys.append(self.k("svcs", "cat", category["id"]))
        return keys

    async def add_service(self, owner: str, info: dict[str, Any]) -> Service:
        service = Service(owner, etag_of(info), info)
        sid = info["serInstanceId"]
        async with self.r.pipeline(transaction=True) as pipe:
            pipe.set(self.k("svc", sid), json.dumps(service.__dict__))
            pipe.set(self.k("svcjson", sid), json.dumps(info))
            for key in self._indexes(info):
                pipe.sadd(key, sid)
            pipe.sadd(self.k("app", owner, "svcs"), sid)
            await pipe.execute()
        await self._services_changed()
        return service

    async def get_service(self, sid: str) -> Service | None:
        raw = await self.r.get(self.k("svc", sid))
        return Service(**json.loads(raw)) if raw else None

    async def replace_service(self, sid: str, info: dict[str, Any],
                              if_match: list[str] | None) -> tuple[Service, Service]:
        """Replace a service atomically; Conflict when none of the If-Match tags is its
        current ETag (or *). (old, new)"""
        key = self.k("svc", sid)
        async with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    if raw is None:
                        raise KeyError(sid)
                    old = Service(**json.loads(raw))
                    if not _matches(if_match, old.etag):
                        raise Conflict(old.etag)
                    new = Service(old.owner, etag_of(info), info)
                    pipe.multi()
                    pipe.set(key, json.dumps(new.__dict__))
                    pipe.set(self.k("svcjson", sid), json.dumps(info))
                    for index in self._indexes(old.info):
                        pipe.srem(index, sid)
                    for index in self._indexes(info):
                        pipe.sadd(index, sid)
                    await pipe.execute()
                    await self._services_changed()
                    return old, new
                except WatchError:
                    continue

    async def delete_service(self, sid: str) -> Service | None:
        service = await self.get_service(sid)
        if service is None:
            return None
        async with self.r.pipeline(transaction=True) as pipe:
            pipe.delete(self.k("svc", sid), self.k("svcjson", sid))
            for index in self._indexes(service.info):
                pipe.srem(index, sid)
            pipe.srem(self.k("app", service.owner, "svcs"), sid)
            pipe.zrem(self.k("liveness"), sid)
            await pipe.execute()
        await self._services_changed()
        return service

    async def services(self, ids: Iterable[str]) -> list[Service]:
        ids = list(ids)
        if not ids:
            return []
        values = await self.r.mget([self.k("svc", sid) for sid in ids])
        return [Service(**json.loads(v)) for v in values if v]

    async def service_ids(self, names: list[str] | None = None,
                          category: str | None = None, owner: str | None = None) -> set[str]:
        """Ids by name(s) (union), by category, by owner, or all."""
        if names:
            return set(await self.r.sunion([self.k("svcs", "name", n) for n in names]))
        if category:
            return set(await self.r.smembers(self.k("svcs", "cat", category)))
        if owner:
            return set(await self.r.smembers(self.k("app", owner, "svcs")))
        return set(await self.r.smembers(self.k("svcs")))

    async def discovery_answer(self, names: list[str] | None = None,
                               ids: list[str] | None = None) -> str:
        """The JSON array of services by names, by ids, or all, from the cache if fresh."""
        key = ("ids", tuple(sorted(ids))) if ids is not None else \
            ("names", tuple(sorted(names or ())))
        answer = self.cache.get(key)
        if answer is not None:
            return answer
        pending = self._inflight.get(key)
        if pending is not None:  # single flight: concurrent misses share one fetch
            return await asyncio.shield(pending)
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            generation = self.cache.generation
            answer = "[" + ",".join(await self.services_json(names=names, ids=ids)) + "]"
            self.cache.put(key, generation, answer)
            future.set_result(answer)
            return answer
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when unshared
            raise
        finally:
            del self._inflight[key]

    async def services_json(self, names: list[str] | None = None,
                            ids: list[str] | None = None) -> list[str]:
        """Services' JSON texts, by names (union), by ids, or all: one round trip."""
        prefix = self.k("svcjson", "")
        if ids is not None:
            keys = [prefix + i for i in sorted(set(ids))]
            values = await self.r.mget(keys) if keys else []
        else:
            sets = [self.k("svcs", "name", n) for n in names] if names else [self.k("svcs")]
            values = await self._discover(keys=sets, args=[prefix])
        return [v for v in values if v]

    # -- liveness (v2.2.1) ----------------------------------------------------------------
    async def set_deadline(self, sid: str, deadline: float) -> None:
        await self.r.zadd(self.k("liveness"), {sid: deadline})

    async def expired(self, now: float) -> list[str]:
        return list(await self.r.zrangebyscore(self.k("liveness"), "-inf", now))

    async def clear_deadline(self, sid: str) -> None:
        await self.r.zrem(self.k("liveness"), sid)

    async def deadline(self, sid: str) -> float | None:
        return await self.r.zscore(self.k("liveness"), sid)

    # -- subscriptions --------------------------------------------------------------------
    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    async def add_subscription(self, kind: str, owner: str, body: dict[str, Any],
                               sub_id: str) -> str:
        async with self.r.pipeline(transaction=True) as pipe:
            pipe.set(self.k("sub", sub_id), json.dumps({"kind": kind, "owner": owner,
                                                        "body": body}))
            pipe.sadd(self.k("app", owner, "subs"), sub_id)
            pipe.sadd(self.k("subs", kind), sub_id)
            await pipe.execute()
        return sub_id

    async def get_subscription(self, sub_id: str) -> dict[str, Any] | None:
        raw = await self.r.get(self.k("sub", sub_id))
        return json.loads(raw) if raw else None

    async def subscriptions_of(self, owner: str, kind: str) -> dict[str, dict[str, Any]]:
        ids = sorted(await self.r.smembers(self.k("app", owner, "subs")))
        values = await self.r.mget([self.k("sub", i) for i in ids]) if ids else []
        subs = {i: json.loads(v) for i, v in zip(ids, values, strict=True) if v}
        return {i: s for i, s in subs.items() if s["kind"] == kind}

    async def all_subscriptions(self, kind: str) -> dict[str, dict[str, Any]]:
        ids = list(await self.r.smembers(self.k("subs", kind)))
        values = await self.r.mget([self.k("sub", i) for i in ids]) if ids else []
        return {i: json.loads(v) for i, v in zip(ids, values, strict=True) if v}

    async def delete_subscription(self, sub_id: str) -> bool:
        sub = await self.get_subscription(sub_id)
        if sub is None:
            return False
        async with self.r.pipeline(transaction=True) as pipe:
            pipe.delete(self.k("sub", sub_id), self.k("outbox", sub_id))
            pipe.srem(self.k("app", sub["owner"], "subs"), sub_id)
            pipe.srem(self.k("subs", sub["kind"]), sub_id)
            pipe.srem(self.k("outbox", "pending"), sub_id)
            await pipe.execute()
        return True

    # -- traffic and DNS rules ------------------------------------------------------------
    async def set_rules(self, app_id: str, kind: str, rules: list[dict[str, Any]],
                        id_field: str) -> None:
        key = self.k("app", app_id, kind)
        async with self.r.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            for rule in rules:
                pipe.hset(key, rule[id_field], json.dumps({"etag": etag_of(rule),
                                                           "rule": rule}))
            await pipe.execute()

    async def rules(self, app_id: str, kind: str) -> list[dict[str, Any]]:
        raw = await self.r.hgetall(self.k("app", app_id, kind))
        return [json.loads(raw[i])["rule"] for i in sorted(raw)]

    async def rule(self, app_id: str, kind: str, rule_id: str) -> dict[str, Any] | None:
        raw = await self.r.hget(self.k("app", app_id, kind), rule_id)
        return json.loads(raw) if raw else None

    async def replace_rule(self, app_id: str, kind: str, rule_id: str, rule: dict[str, Any],
                           if_match: list[str] | None) -> dict[str, Any]:
        key = self.k("app", app_id, kind)
        async with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = await pipe.hget(key, rule_id)
                    if raw is None:
                        raise KeyError(rule_id)
                    current = json.loads(raw)
                    if not _matches(if_match, current["etag"]):
                        raise Conflict(current["etag"])
                    new = {"etag": etag_of(rule), "rule": rule}
                    pipe.multi()
                    pipe.hset(key, rule_id, json.dumps(new))
                    await pipe.execute()
                    return new
                except WatchError:
                    continue

    # -- notification outbox --------------------------------------------------------------
    async def enqueue(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        """Append notifications (subscription id, body) to their outboxes, in order."""
        if not items:
            return
        async with self.r.pipeline(transaction=True) as pipe:
            for sub_id, body in items:
                pipe.rpush(self.k("outbox", sub_id), json.dumps(body))
                pipe.sadd(self.k("outbox", "pending"), sub_id)
            await pipe.execute()

    async def clear_pending(self, sub_id: str) -> None:
        """Forget that a subscription has notifications waiting."""
        await self.r.srem(self.k("outbox", "pending"), sub_id)

    async def pending(self) -> set[str]:
        return set(await self.r.smembers(self.k("outbox", "pending")))

    async def advance(self, sub_id: str, delivered: bool) -> str | None:
        """Drop the head when it was delivered, then return the next one (JSON text); when
        none is left, clear the pending mark in the same atomic step. One round trip."""
        return await self._advance(keys=[self.k("outbox", sub_id),
                                         self.k("outbox", "pending")],
                                   args=[sub_id, "1" if delivered else "0"])
