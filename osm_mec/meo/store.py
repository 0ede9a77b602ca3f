"""The facade's state: one SQLite file (Python's stdlib ``sqlite3``) in the state folder.

Why SQLite: the facade serves one CSP, so its state is small (packages, instances,
operation occurrences, subscriptions, pending notifications) and has one writer, the
facade's process. SQLite gives atomic writes that survive a crash or restart of the
facade without a server to run (the MEP's Redis would be one more process per CSP), and it
ships with Python. Write-ahead log with ``synchronous=NORMAL``: a crash of the process
loses nothing committed; a power cut may lose the last transactions, never corrupt the
file. The file is created 0600 (callback URIs and package names only, no secrets).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, callback TEXT NOT NULL, body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, due REAL NOT NULL);
"""
Doc = dict[str, Any]


@dataclass(frozen=True)
class Pending:
    """One notification waiting to be delivered."""

    seq: int
    callback: str
    body: Doc
    attempts: int


class Store:
    """JSON documents by kind and id, and the notification outbox. Thread-safe."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- records --------------------------------------------------------------------------
    def put(self, kind: str, doc: Doc) -> Doc:
        """Insert or replace a document (its "id" is the key); list order is creation order."""
        with self._lock:
            row = self._db.execute("SELECT seq FROM records WHERE kind=? AND id=?",
                                   (kind, doc["id"])).fetchone()
            seq = row[0] if row else time.time_ns()
            self._db.execute("INSERT OR REPLACE INTO records (kind, id, seq, doc) "
                             "VALUES (?, ?, ?, ?)", (kind, doc["id"], seq, json.dumps(doc)))
        return doc

    def get(self, kind: str, doc_id: str) -> Doc | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM records WHERE kind=? AND id=?",
                                   (kind, doc_id)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, kind: str) -> list[Doc]:
        with self._lock:
            rows = self._db.execute("SELECT doc FROM records WHERE kind=? ORDER BY seq",
                                    (kind,)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def delete(self, kind: str, doc_id: str) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM records WHERE kind=? AND id=?",
                                      (kind, doc_id))
        return cursor.rowcount > 0

    # -- outbox ---------------------------------------------------------------------------
    def enqueue(self, deliveries: list[tuple[str, Doc]]) -> None:
        """Queue notifications (callback URI, body) in one transaction, in order."""
        now = time.time()
        with self._lock, self._transaction():
            self._db.executemany("INSERT INTO outbox (callback, body, due) VALUES (?, ?, ?)",
                                 [(uri, json.dumps(body), now) for uri, body in deliveries])

    def pending(self) -> list[Pending]:
        """Every queued notification, oldest first (due or not)."""
        with self._lock:
            rows = self._db.execute("SELECT seq, callback, body, attempts, due FROM outbox "
                                    "ORDER BY seq").fetchall()
        return [Pending(seq, uri, json.loads(body), attempts)
                for seq, uri, body, attempts, _ in rows]

    def due_at(self, seq: int) -> float:
        with self._lock:
            row = self._db.execute("SELECT due FROM outbox WHERE seq=?", (seq,)).fetchone()
        return float(row[0]) if row else 0.0

    def delivered(self, seq: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE seq=?", (seq,))

    def postpone(self, seq: int, attempts: int, due: float) -> None:
        with self._lock:
            self._db.execute("UPDATE outbox SET attempts=?, due=? WHERE seq=?",
                             (attempts, due, seq))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *rest: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def public(doc: Doc) -> Doc:
    """A record as the API shows it: internal fields (leading underscore but _links) left
    out."""
    return {k: v for k, v in doc.items() if not k.startswith("_") or k == "_links"}
