"""The embedded store: SQLite through the standard library, in memory for one process or a WAL file shared by
every worker process on one machine.

Statements are short and run on the event loop's thread. The one wait SQLite can impose, another process holding
the write lock, never happens inside the C library: the busy timeout is zero, and a locked database is retried with
`asyncio.sleep` backoff, so the loop keeps serving other requests (up to `BUSY_DEADLINE_SECONDS`, then `StoreBusy`).
Inside a transaction no statement waits at all: `BEGIN IMMEDIATE` has taken the write lock already.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from mockserver.store.base import (
    BUSY_DEADLINE_SECONDS,
    Document,
    JournalQuery,
    Store,
    StoreBusy,
    check_field,
    check_key,
    decode,
    encode,
)

__all__ = ["BUSY_DEADLINE_SECONDS", "SqliteStore"]

T = TypeVar("T")

_BACKOFF = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (collection, id)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (name TEXT PRIMARY KEY, created REAL NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    spec TEXT,
    operation_id TEXT,
    method TEXT,
    status INTEGER,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_operation ON journal (spec, operation_id);
"""

_owner: ContextVar[object | None] = ContextVar("sqlite_store_owner", default=None)


def _busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class SqliteStore(Store):
    """Every collection in one SQLite database (`path` None: a private in-memory database)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.url = str(path) if path is not None else ":memory:"
        self.shared = path is not None
        self._conn = sqlite3.connect(self.url, check_same_thread=False, isolation_level=None, timeout=0.0)
        self._lock = threading.RLock()
        self._depth = 0
        self._owner_token: object | None = None
        with self._lock:
            if path is not None:
                self._retry_sync(lambda: self._conn.execute("PRAGMA journal_mode=WAL"))
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._retry_sync(lambda: self._conn.executescript(_SCHEMA))

    # -- plumbing ----------------------------------------------------------------------------------------------

    def _retry_sync(self, work: Callable[[], T]) -> T:
        """Start-up only (no loop yet): retry a locked database with real sleeps."""
        deadline = time.monotonic() + BUSY_DEADLINE_SECONDS
        attempt = 0
        while True:
            try:
                return work()
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(_BACKOFF[min(attempt, len(_BACKOFF) - 1)])
                attempt += 1

    async def _wait_turn(self) -> None:
        """Another task's transaction is open on this connection: let it finish (it never waits itself)."""
        while self._depth and self._owner_token is not _owner.get():
            await asyncio.sleep(0)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run one statement group, retrying (without blocking the loop) while another process holds the lock."""
        deadline: float | None = None
        attempt = 0
        while True:
            if self._depth and self._owner_token is not _owner.get():
                await self._wait_turn()  # on every attempt: another task may have begun one while we backed off
            try:
                with self._lock:
                    return work(self._conn)
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or self._depth:
                    raise
                now = time.monotonic()
                deadline = deadline or now + BUSY_DEADLINE_SECONDS
                if now > deadline:
                    raise StoreBusy(
                        f"{self.url} stayed locked by another process for {BUSY_DEADLINE_SECONDS:.0f}s"
                    ) from exc
                await asyncio.sleep(_BACKOFF[min(attempt, len(_BACKOFF) - 1)])
                attempt += 1

    async def close(self) -> None:
        with self._lock:
            self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if self._depth and self._owner_token is _owner.get():
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        await self._run(lambda conn: conn.execute("BEGIN IMMEDIATE"))
        token = object()
        reset = _owner.set(token)
        self._owner_token, self._depth = token, 1
        try:
            yield
        except BaseException:
            with self._lock:
                self._conn.execute("ROLLBACK")
            raise
        else:
            with self._lock:
                self._conn.execute("COMMIT")
        finally:
            self._depth, self._owner_token = 0, None
            _owner.reset(reset)

    # -- documents ---------------------------------------------------------------------------------------------

    async def get(self, collection: str, doc_id: str) -> Document | None:
        check_key(collection, doc_id)
        row = await self._run(
            lambda c: c.execute(
                "SELECT body FROM documents WHERE collection=? AND id=?", (collection, doc_id)
            ).fetchone()
        )
        return decode(row[0]) if row else None

    async def put(self, collection: str, doc_id: str, body: Mapping[str, Any]) -> Document:
        check_key(collection, doc_id)
        text = encode(body)
        await self._run(
            lambda c: c.execute(
                "INSERT INTO documents (collection, id, body) VALUES (?, ?, ?) "
                "ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body",
                (collection, doc_id, text),
            )
        )
        return dict(body)

    async def insert(self, collection: str, doc_id: str, body: Mapping[str, Any]) -> bool:
        check_key(collection, doc_id)
        text = encode(body)
        cursor = await self._run(
            lambda c: c.execute(
                "INSERT INTO documents (collection, id, body) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (collection, doc_id, text),
            )
        )
        return cursor.rowcount > 0

    async def delete(self, collection: str, doc_id: str) -> bool:
        check_key(collection, doc_id)
        cursor = await self._run(
            lambda c: c.execute("DELETE FROM documents WHERE collection=? AND id=?", (collection, doc_id))
        )
        return cursor.rowcount > 0

    async def delete_where(self, collection: str, **equals: Any) -> int:
        check_key(collection)
        where, params = _where(equals)
        cursor = await self._run(
            lambda c: c.execute(f"DELETE FROM documents WHERE collection=?{where}", (collection, *params))
        )
        return cursor.rowcount

    async def find(self, collection: str, *, limit: int | None = None, **equals: Any) -> list[Document]:
        check_key(collection)
        where, params = _where(equals)
        sql = f"SELECT body FROM documents WHERE collection=?{where} ORDER BY rowid"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = await self._run(lambda c: c.execute(sql, (collection, *params)).fetchall())
        return [decode(row[0]) for row in rows]

    async def count(self, collection: str, **equals: Any) -> int:
        check_key(collection)
        where, params = _where(equals)
        row = await self._run(
            lambda c: c.execute(
                f"SELECT COUNT(*) FROM documents WHERE collection=?{where}", (collection, *params)
            ).fetchone()
        )
        return int(row[0])

    async def collections(self, prefix: str = "") -> list[str]:
        check_key(prefix)
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = await self._run(
            lambda c: c.execute(
                "SELECT DISTINCT collection FROM documents WHERE collection LIKE ? ESCAPE '\\' ORDER BY collection",
                (pattern,),
            ).fetchall()
        )
        return [row[0] for row in rows]

    # -- counters ----------------------------------------------------------------------------------------------

    async def increment(self, name: str, by: int = 1) -> int:
        check_key(name)
        row = await self._run(
            lambda c: c.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
                (name, by),
            ).fetchone()
        )
        return int(row[0])

    async def counter(self, name: str) -> int:
        check_key(name)
        row = await self._run(lambda c: c.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone())
        return int(row[0]) if row else 0

    # -- journal -----------------------------------------------------------------------------------------------

    async def journal_append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        rows = [
            (
                float(entry.get("at", 0.0)),
                str(entry.get("kind", "request")),
                entry.get("spec"),
                entry.get("operationId"),
                entry.get("method"),
                entry.get("status"),
                encode({key: value for key, value in entry.items() if key != "seq"}),
            )
            for entry in entries
        ]
        if rows:
            await self._run(
                lambda c: c.executemany(
                    "INSERT INTO journal (at, kind, spec, operation_id, method, status, body) VALUES (?,?,?,?,?,?,?)",
                    rows,
                )
            )

    async def journal_read(self, query: JournalQuery) -> list[Document]:
        clauses, params = _journal_where(query)
        sql = f"SELECT seq, body FROM journal{clauses} ORDER BY seq DESC"
        if query.limit is not None:
            sql += f" LIMIT {int(query.limit)}"
        rows = await self._run(lambda c: c.execute(sql, params).fetchall())
        return [{**decode(body), "seq": seq} for seq, body in reversed(rows)]

    async def journal_clear(self) -> int:
        cursor = await self._run(lambda c: c.execute("DELETE FROM journal"))
        return cursor.rowcount

    async def journal_trim(self, keep: int) -> int:
        cursor = await self._run(
            lambda c: c.execute(
                "DELETE FROM journal WHERE seq <= (SELECT seq FROM journal ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                (max(keep, 0),),
            )
        )
        return cursor.rowcount

    # -- whole state -------------------------------------------------------------------------------------------

    async def clear(self, *, keep: tuple[str, ...] = ()) -> None:
        check_key(*keep)
        marks = ",".join("?" for _ in keep) or "''"
        async with self.transaction():
            await self._run(lambda c: c.execute(f"DELETE FROM documents WHERE collection NOT IN ({marks})", keep))
            await self._run(lambda c: c.execute("DELETE FROM counters WHERE name NOT LIKE '\\_\\_%' ESCAPE '\\'"))

    async def dump(self, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        docs = await self._run(
            lambda c: c.execute("SELECT collection, id, body FROM documents ORDER BY rowid").fetchall()
        )
        counters = await self._run(
            lambda c: c.execute("SELECT name, value FROM counters WHERE name NOT LIKE '\\_\\_%' ESCAPE '\\'").fetchall()
        )
        return {
            "documents": [list(row) for row in docs if row[0] not in exclude],
            "counters": [list(row) for row in counters],
        }

    async def load(self, state: Mapping[str, Any], *, keep: tuple[str, ...] = ()) -> None:
        documents = [tuple(row[:3]) for row in state["documents"] if row[0] not in keep]
        counters = [tuple(row) for row in state["counters"] if not str(row[0]).startswith("__")]
        async with self.transaction():
            await self.clear(keep=keep)
            await self._run(
                lambda c: c.executemany("INSERT INTO documents (collection, id, body) VALUES (?, ?, ?)", documents)
            )
            await self._run(lambda c: c.executemany("INSERT INTO counters (name, value) VALUES (?, ?)", counters))

    async def save_snapshot(self, name: str, created: float, state: Mapping[str, Any]) -> None:
        check_key(name)
        text = encode(state)
        await self._run(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO snapshots (name, created, body) VALUES (?, ?, ?)", (name, created, text)
            )
        )

    async def snapshot(self, name: str) -> dict[str, Any] | None:
        check_key(name)
        row = await self._run(lambda c: c.execute("SELECT body FROM snapshots WHERE name=?", (name,)).fetchone())
        return decode(row[0]) if row else None

    async def snapshots(self) -> list[tuple[str, float]]:
        rows = await self._run(lambda c: c.execute("SELECT name, created FROM snapshots ORDER BY created").fetchall())
        return [(row[0], float(row[1])) for row in rows]

    async def delete_snapshot(self, name: str) -> bool:
        check_key(name)
        cursor = await self._run(lambda c: c.execute("DELETE FROM snapshots WHERE name=?", (name,)))
        return cursor.rowcount > 0


def _where(equals: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """SQL conditions on top-level JSON fields (values compared as JSON)."""
    clauses: list[str] = []
    params: list[Any] = []
    for field, value in equals.items():
        check_field(field)
        if value is None:
            clauses.append(f"json_extract(body, '$.{field}') IS NULL")
        else:
            clauses.append(f"json_extract(body, '$.{field}') = json_extract(?, '$')")
            params.append(encode(value))
    return ("".join(f" AND {c}" for c in clauses), params)


def _journal_where(query: JournalQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("spec", query.spec),
        ("operation_id", query.operation_id),
        ("kind", query.kind),
        ("status", query.status),
        ("method", query.method),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if query.since_seq is not None:
        clauses.append("seq > ?")
        params.append(query.since_seq)
    if query.since_time is not None:
        clauses.append("at >= ?")
        params.append(query.since_time)
    return (" WHERE " + " AND ".join(clauses) if clauses else "", params)
