"""Discovery answers kept in memory.

Service changes made through this MEP clear it at once (synchronously, before the write's
response); changes made by other MEP replicas arrive over Redis pub/sub; a short TTL bounds
staleness should that subscription drop. A generation counter stops a read that started
before a change from storing its (old) answer after it.
"""

from __future__ import annotations

import time
from collections.abc import Hashable


class DiscoveryCache:
    def __init__(self, ttl: float = 1.0, max_entries: int = 4096) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.generation = 0
        self._entries: dict[Hashable, tuple[float, str]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> str | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            self.misses += 1
            return None
        self.hits += 1
        return entry[1]

    def put(self, key: Hashable, generation: int, value: str) -> None:
        """Store value read at `generation`, unless a change happened meanwhile."""
        if generation != self.generation:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
