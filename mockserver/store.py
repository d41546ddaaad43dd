"""SQLite document store: every piece of mock state lives here.

The interface is deliberately narrow (collections of JSON documents with string ids, equality queries on
top-level fields, an atomic counter) so that a networked backend can replace it without touching the vendor
modules. One file database is shared by every worker process (WAL mode); the default is a private in-memory
database for a single process.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["Document", "Store"]

Document = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (collection, id)
);
CREATE INDEX IF NOT EXISTS documents_seq ON documents (collection, seq);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (name TEXT PRIMARY KEY, created REAL NOT NULL, body TEXT NOT NULL);
"""


class Store:
    """Collections of JSON documents in one SQLite database."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        target = str(path) if path is not None else f"file:mock-{uuid.uuid4().hex}?mode=memory&cache=shared"
        self._conn = sqlite3.connect(
            target, uri=path is None, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self._lock = threading.RLock()
        self._depth = 0
        with self._lock:
            if path is not None:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run several operations atomically (also across worker processes); nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def _next_seq(self) -> int:
        return self.increment("__seq__")

    def append(self, collection: str, body: Mapping[str, Any]) -> int:
        """Add a document under the next number of the collection's own counter (one write); returns the number."""
        with self.transaction():
            number = self.increment(f"__next__{collection}")
            self.put(collection, f"{number:012d}", {**body, "id": number})
        return number

    # -- documents -------------------------------------------------------------------------------

    def put(self, collection: str, doc_id: str, body: Mapping[str, Any]) -> Document:
        """Insert or replace a document; a replaced document keeps its insertion order."""
        text = json.dumps(body, separators=(",", ":"), sort_keys=True)
        with self.transaction():
            row = self._conn.execute(
                "SELECT seq FROM documents WHERE collection=? AND id=?", (collection, doc_id)
            ).fetchone()
            seq = row[0] if row else self._next_seq()
            self._conn.execute(
                "INSERT OR REPLACE INTO documents (collection, id, seq, body) VALUES (?, ?, ?, ?)",
                (collection, doc_id, seq, text),
            )
        return dict(body)

    def get(self, collection: str, doc_id: str) -> Document | None:
        """The document, or None when the collection has no such id."""
        with self._lock:
            row = self._conn.execute(
                "SELECT body FROM documents WHERE collection=? AND id=?", (collection, doc_id)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def update(self, collection: str, doc_id: str, changes: Mapping[str, Any]) -> Document | None:
        """Merge top-level fields into a document; None when it does not exist."""
        with self.transaction():
            current = self.get(collection, doc_id)
            if current is None:
                return None
            current.update(changes)
            return self.put(collection, doc_id, current)

    def delete(self, collection: str, doc_id: str) -> bool:
        """Remove one document; True when something was removed."""
        with self._lock:
            cursor = self._conn.execute(
                "DELETE FROM documents WHERE collection=? AND id=?", (collection, doc_id)
            )
        return cursor.rowcount > 0

    def delete_where(self, collection: str, **equals: Any) -> int:
        """Remove every document whose top-level fields equal the given values; returns the count."""
        where, params = _where(equals)
        with self._lock:
            cursor = self._conn.execute(
                f"DELETE FROM documents WHERE collection=?{where}", (collection, *params)
            )
        return cursor.rowcount

    def find(self, collection: str, *, limit: int | None = None, **equals: Any) -> list[Document]:
        """Documents whose top-level fields equal the given values, in insertion order."""
        where, params = _where(equals)
        sql = f"SELECT body FROM documents WHERE collection=?{where} ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            rows = self._conn.execute(sql, (collection, *params)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def trim(self, collection: str, keep: int) -> int:
        """Remove all but the newest `keep` documents of a collection in one statement; returns how many went."""
        with self._lock:
            cursor = self._conn.execute(
                "DELETE FROM documents WHERE collection=? AND seq <= "
                "(SELECT seq FROM documents WHERE collection=? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                (collection, collection, keep),
            )
        return cursor.rowcount

    def ids(self, collection: str) -> list[str]:
        """Every id in a collection, in insertion order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM documents WHERE collection=? ORDER BY seq", (collection,)
            ).fetchall()
        return [row[0] for row in rows]

    def count(self, collection: str, **equals: Any) -> int:
        """How many documents match."""
        where, params = _where(equals)
        with self._lock:
            row = self._conn.execute(
                f"SELECT COUNT(*) FROM documents WHERE collection=?{where}", (collection, *params)
            ).fetchone()
        return int(row[0])

    def collections(self, prefix: str = "") -> list[str]:
        """Names of the non-empty collections starting with a prefix."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT collection FROM documents WHERE collection LIKE ? ORDER BY collection",
                (prefix.replace("%", r"\%") + "%",),
            ).fetchall()
        return [row[0] for row in rows]

    # -- counters --------------------------------------------------------------------------------

    def increment(self, name: str, by: int = 1) -> int:
        """Atomically add to a named counter and return the new value."""
        with self._lock:
            row = self._conn.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value RETURNING value",
                (name, by),
            ).fetchone()
        return int(row[0])

    def counter(self, name: str) -> int:
        """Current value of a counter (0 when never incremented)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
        return int(row[0]) if row else 0

    # -- whole-state operations ------------------------------------------------------------------

    def clear(self, *, keep: tuple[str, ...] = ()) -> None:
        """Remove every document except the collections in `keep`, and every counter but the internal `__*` ones."""
        marks = ",".join("?" for _ in keep)
        with self.transaction():
            if keep:
                self._conn.execute(f"DELETE FROM documents WHERE collection NOT IN ({marks})", keep)
            else:
                self._conn.execute("DELETE FROM documents")
            self._conn.execute("DELETE FROM counters WHERE name NOT LIKE '\\_\\_%' ESCAPE '\\'")

    def dump(self, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        """The whole state as plain data (for snapshots)."""
        with self._lock:
            docs = self._conn.execute(
                "SELECT collection, id, seq, body FROM documents ORDER BY seq"
            ).fetchall()
            counters = self._conn.execute("SELECT name, value FROM counters").fetchall()
        return {
            "documents": [list(row) for row in docs if row[0] not in exclude],
            "counters": [list(row) for row in counters],
        }

    def load(self, state: Mapping[str, Any], *, keep: tuple[str, ...] = ()) -> None:
        """Replace the state with a dump, keeping the collections named in `keep`."""
        with self.transaction():
            marks = ",".join("?" for _ in keep) or "''"
            self._conn.execute(f"DELETE FROM documents WHERE collection NOT IN ({marks})", keep)
            self._conn.execute("DELETE FROM counters")
            self._conn.executemany(
                "INSERT OR REPLACE INTO documents (collection, id, seq, body) VALUES (?, ?, ?, ?)",
                [tuple(row) for row in state["documents"] if row[0] not in keep],
            )
            self._conn.executemany(
                "INSERT INTO counters (name, value) VALUES (?, ?)", [tuple(r) for r in state["counters"]]
            )

    def save_snapshot(self, name: str, created: float, state: Mapping[str, Any]) -> None:
        """Store a named snapshot (replacing one of the same name)."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO snapshots (name, created, body) VALUES (?, ?, ?)",
                (name, created, json.dumps(state)),
            )

    def snapshot(self, name: str) -> dict[str, Any] | None:
        """A named snapshot's state, or None."""
        with self._lock:
            row = self._conn.execute("SELECT body FROM snapshots WHERE name=?", (name,)).fetchone()
        return json.loads(row[0]) if row else None

    def snapshots(self) -> list[tuple[str, float]]:
        """(name, creation time) of every snapshot."""
        with self._lock:
            rows = self._conn.execute("SELECT name, created FROM snapshots ORDER BY created").fetchall()
        return [(row[0], float(row[1])) for row in rows]

    def delete_snapshot(self, name: str) -> bool:
        """Remove a snapshot; True when it existed."""
        with self._lock:
            cursor = self._conn.execute("DELETE FROM snapshots WHERE name=?", (name,))
        return cursor.rowcount > 0


def _where(equals: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """SQL conditions on top-level JSON fields (values compared as JSON)."""
    clauses: list[str] = []
    params: list[Any] = []
    for field, value in equals.items():
        if not field.replace("_", "").isalnum():
            raise ValueError(f"invalid field name for a store query: {field!r}")
        if value is None:
            clauses.append(f"json_extract(body, '$.{field}') IS NULL")
        else:
            clauses.append(f"json_extract(body, '$.{field}') = json_extract(?, '$')")
            params.append(json.dumps(value))
    return ("".join(f" AND {c}" for c in clauses), params)
