"""The networked store: PostgreSQL through psycopg 3, shared by mock replicas on several hosts.

Four tables in the connection's current schema (`mock_documents`, `mock_counters`, `mock_snapshots`, `mock_journal`)
are created at first use, under an advisory lock so that replicas starting together do not race. A replaced document
keeps its `pos`, hence its place in insertion order.

Concurrency is SQLite's, across hosts: one writing transaction at a time.
- `transaction()` takes the store lock (a transaction-scoped advisory lock) exclusively: transactions run one after
  another across replicas, and no write lands between a transaction's read and its write;
- every write outside a transaction takes the same lock shared, in the same statement: such writes run side by side,
  never inside someone else's transaction;
- a journal append takes the journal lock, so sequence numbers become visible in increasing order.
Reads take no lock and see committed data. A lock awaited past `BUSY_DEADLINE_SECONDS` raises `StoreBusy`.

Connections come from one `AsyncConnectionPool` per running event loop, opened on first use: an async connection
belongs to the loop that opened it, and the app seeds from a temporary loop before serving from uvicorn's. The pool of
a loop that has finished is dropped and its connections closed. A transaction's connection is bound to its task by a
context variable: the task's (and its child tasks') store calls use it, every other task uses the pool.

Documents, journal bodies and snapshots are `json` columns, which keep `encode`'s text as it is: a value reads back
exactly as written (key order, floats such as 1e+16 or -0.0), as from SQLite; JSONB would reorder keys and rewrite
numbers. A query casts the one field it compares to JSONB, so 1 equals 1.0 and objects compare by content. U+0000,
which no PostgreSQL text can hold (nor a JSON value cast to JSONB), is stored escaped with the noncharacter U+FDD0 in
keys and strings, U+FDD0 itself too.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import weakref
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import AsyncConnection, errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from mockserver.store.base import (
    BUSY_DEADLINE_SECONDS,
    Document,
    JournalQuery,
    Store,
    StoreBusy,
    StoreError,
    StoreRefused,
    check_field,
    check_key,
    encode,
)

__all__ = ["POOL_MAX_SIZE", "PostgresStore"]

POOL_MAX_SIZE = 10
"""Connections one replica's pool opens at most (keep replicas x this under the server's `max_connections`)."""

Connection = AsyncConnection[TupleRow]
Params = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mock_documents (
    collection text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    pos bigint GENERATED ALWAYS AS IDENTITY,
    body json NOT NULL,
    PRIMARY KEY (collection, id)
);
CREATE INDEX IF NOT EXISTS mock_documents_order ON mock_documents (collection, pos);
CREATE TABLE IF NOT EXISTS mock_counters (name text COLLATE "C" PRIMARY KEY, value bigint NOT NULL);
CREATE TABLE IF NOT EXISTS mock_snapshots (
    name text COLLATE "C" PRIMARY KEY,
    created double precision NOT NULL,
    body json NOT NULL
);
CREATE TABLE IF NOT EXISTS mock_journal (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at double precision NOT NULL,
    kind text NOT NULL,
    spec text,
    operation_id text,
    method text,
    status integer,
    body json NOT NULL
);
CREATE INDEX IF NOT EXISTS mock_journal_operation ON mock_journal (spec, operation_id);
"""

# A write outside a transaction starts with this: the store lock, shared, held until the statement commits.
_SHARED = "WITH turn AS (SELECT pg_advisory_xact_lock_shared(%(lock)s::bigint)) "
_INSERT_DOCUMENT = (
    _SHARED + "INSERT INTO mock_documents (collection, id, body) "
    "SELECT %(collection)s, %(id)s, %(body)s::json FROM turn ON CONFLICT "
)


@dataclass(frozen=True)
class _Locks:
    """Advisory lock keys of one schema (deployments in different schemas of one database do not contend)."""

    schema: int
    store: int
    journal: int

    @classmethod
    def of(cls, schema: str) -> _Locks:
        base = zlib.crc32(f"contract-mock:{schema}".encode()) << 8
        return cls(base, base + 1, base + 2)


@dataclass
class _LoopPool:
    """One event loop's pool (being opened, or open) and every connection it made, to close them if the loop ends."""

    loop: asyncio.AbstractEventLoop
    ready: asyncio.Task[AsyncConnectionPool[Connection]]
    connections: weakref.WeakSet[Connection]

    def finish(self) -> None:
        """Close the connections of a loop that no longer runs (nothing can be awaited there)."""
        for conn in list(self.connections):
            if not conn.closed:
                conn.pgconn.finish()

    async def close(self) -> None:
        """Close the pool, from its own loop."""
        if not self.ready.done():
            self.ready.cancel()
        with suppress(Exception, asyncio.CancelledError):
            await (await self.ready).close()
        self.finish()


@dataclass
class _Transaction:
    """An open transaction's connection, and whether it is still open (a child task may outlive it)."""

    store: PostgresStore
    conn: Connection
    open: bool = True


_bound: ContextVar[_Transaction | None] = ContextVar("postgres_store_transaction", default=None)


class PostgresStore(Store):
    """Every collection in one PostgreSQL database, shared by every replica given the same URL."""

    def __init__(self, url: str, *, pool_max_size: int = POOL_MAX_SIZE) -> None:
        self.url = _without_password(url)
        try:
            given = conninfo_to_dict(url)
        except psycopg.ProgrammingError:
            raise StoreError(f"{self.url} is not a valid PostgreSQL URL") from None  # libpq's message may quote it
        self._conninfo = url
        self._connect_options: dict[str, Any] = {"autocommit": True}
        if "application_name" not in given:
            self._connect_options["application_name"] = "contract-mock"
        self._pool_max_size = pool_max_size
        self._locks: _Locks | None = None
        self._pools: dict[asyncio.AbstractEventLoop, _LoopPool] = {}
        self._guard = threading.Lock()  # `_pools` is shared by the loops of several threads (seeding, serving)
        self._closed = False

    # -- connections -------------------------------------------------------------------------------------------

    async def _pool(self) -> AsyncConnectionPool[Connection]:
        """The running loop's pool, opened on first use; pools of finished loops are dropped on the way."""
        loop = asyncio.get_running_loop()
        with self._guard:
            if self._closed:
                raise StoreError(f"the store {self.url} is closed")
            entry = self._pools.get(loop)
            if entry is None:
                for finished in [other for other in self._pools if other.is_closed()]:
                    self._pools.pop(finished).finish()
                connections: weakref.WeakSet[Connection] = weakref.WeakSet()
                entry = _LoopPool(loop, loop.create_task(self._open_pool(connections)), connections)
                self._pools[loop] = entry
            ready = entry.ready
        if ready.done() and not ready.cancelled() and ready.exception() is None:
            return ready.result()
        try:
            return await asyncio.shield(ready)
        except Exception:
            with self._guard:
                if ready.done() and self._pools.get(loop) is entry:
                    del self._pools[loop]  # the next call tries again
            raise

    async def _open_pool(self, connections: weakref.WeakSet[Connection]) -> AsyncConnectionPool[Connection]:
        if self._locks is None:
            self._locks = await self._create_schema()
        lock_timeout = f"SET lock_timeout = '{round(BUSY_DEADLINE_SECONDS * 1000)}ms'"

        async def configure(conn: Connection) -> None:
            connections.add(conn)
            set_json_loads(_loads, conn)
            await conn.execute(lock_timeout)

        pool = AsyncConnectionPool(
            self._conninfo,
            kwargs=self._connect_options,
            min_size=1,
            max_size=self._pool_max_size,
            open=False,
            configure=configure,
            timeout=BUSY_DEADLINE_SECONDS,
            name=f"contract-mock {self.url}",
        )
        try:
            await pool.open(wait=True, timeout=BUSY_DEADLINE_SECONDS)
        except PoolTimeout:
            await pool.close()
            raise StoreError(f"no connection to PostgreSQL at {self.url} within {BUSY_DEADLINE_SECONDS:g}s") from None
        return pool

    async def _create_schema(self) -> _Locks:
        """Create the tables (replicas starting together take turns) and learn the schema's lock keys."""
        try:
            conn = await AsyncConnection.connect(self._conninfo, **self._connect_options)
        except psycopg.OperationalError as exc:
            raise StoreError(f"cannot connect to PostgreSQL at {self.url}: {exc}") from None
        with _translated(self.url):
            async with conn:
                row = await (await conn.execute("SELECT current_schema()")).fetchone()
                if row is None or row[0] is None:
                    raise StoreError(f"{self.url}: no schema to create the tables in (see the search_path setting)")
                locks = _Locks.of(row[0])
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock(%s::bigint)", (locks.schema,))
                    await conn.execute(_SCHEMA)
        return locks

    def _joined(self) -> _Transaction | None:
        """The transaction of this store that the current task is in (its own, or its parent task's)."""
        bound = _bound.get()
        return bound if bound is not None and bound.open and bound.store is self else None

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[tuple[Connection, _Locks]]:
        """The task's transaction connection, else one from the pool; PostgreSQL's errors become the store's."""
        joined = self._joined()
        if joined is not None:
            assert self._locks is not None  # set before the transaction's pool was opened
            with _translated(self.url):
                yield joined.conn, self._locks
            return
        pool = await self._pool()
        assert self._locks is not None
        with _translated(self.url):
            async with pool.connection() as conn:
                yield conn, self._locks

    async def _rows(self, sql: str, params: Params) -> list[TupleRow]:
        """Run a statement that returns rows (a write outside a transaction starts with `_SHARED`)."""
        async with self._connection() as (conn, locks):
            cursor = await conn.execute(sql, {**params, "lock": locks.store, "journal_lock": locks.journal})
            return await cursor.fetchall()

    async def _changed(self, sql: str, params: Params) -> int:
        """Run a write; how many rows it changed."""
        async with self._connection() as (conn, locks):
            cursor = await conn.execute(sql, {**params, "lock": locks.store, "journal_lock": locks.journal})
            return cursor.rowcount

    async def close(self) -> None:
        with self._guard:
            self._closed = True
            entries, self._pools = list(self._pools.values()), {}
        current = asyncio.get_running_loop()
        for entry in entries:
            if entry.loop is current:
                await entry.close()
            elif entry.loop.is_running():  # another thread's loop: it closes its own pool
                asyncio.run_coroutine_threadsafe(entry.close(), entry.loop)
            else:
                entry.finish()

    # -- transactions ------------------------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if self._joined() is not None:
            yield
            return
        pool = await self._pool()
        assert self._locks is not None
        begin = f"BEGIN; SELECT pg_advisory_xact_lock({self._locks.store})"
        with _translated(self.url):
            async with pool.connection() as conn:
                await conn.execute(begin)
                current = _Transaction(self, conn)
                reset = _bound.set(current)
                try:
                    yield
                except BaseException:
                    current.open = False
                    with suppress(psycopg.Error):
                        await conn.execute("ROLLBACK")
                    raise
                finally:
                    current.open = False
                    _bound.reset(reset)
                await conn.execute("COMMIT")

    # -- documents ---------------------------------------------------------------------------------------------

    async def get(self, collection: str, doc_id: str) -> Document | None:
        check_key(collection, doc_id)
        rows = await self._rows(
            "SELECT body FROM mock_documents WHERE collection = %(collection)s AND id = %(id)s",
            _key(collection, doc_id),
        )
        return rows[0][0] if rows else None

    async def put(self, collection: str, doc_id: str, body: Mapping[str, Any]) -> Document:
        check_key(collection, doc_id)
        await self._changed(
            _INSERT_DOCUMENT + "(collection, id) DO UPDATE SET body = excluded.body",
            {**_key(collection, doc_id), "body": _json(body)},
        )
        return dict(body)

    async def insert(self, collection: str, doc_id: str, body: Mapping[str, Any]) -> bool:
        check_key(collection, doc_id)
        inserted = await self._changed(
            _INSERT_DOCUMENT + "DO NOTHING",
            {**_key(collection, doc_id), "body": _json(body)},
        )
        return inserted > 0

    async def delete(self, collection: str, doc_id: str) -> bool:
        check_key(collection, doc_id)
        deleted = await self._changed(
            _SHARED + "DELETE FROM mock_documents USING turn WHERE collection = %(collection)s AND id = %(id)s",
            _key(collection, doc_id),
        )
        return deleted > 0

    async def delete_where(self, collection: str, **equals: Any) -> int:
        check_key(collection)
        where, params = _where(equals)
        async with self.transaction():  # its statement's snapshot is taken after the lock: it misses no commit
            return await self._changed(
                f"DELETE FROM mock_documents WHERE collection = %(collection)s{where}",
                {**params, "collection": _escape(collection)},
            )

    async def find(self, collection: str, *, limit: int | None = None, **equals: Any) -> list[Document]:
        check_key(collection)
        where, params = _where(equals)
        rows = await self._rows(
            f"SELECT body FROM mock_documents WHERE collection = %(collection)s{where} ORDER BY pos LIMIT %(limit)s",
            {**params, "collection": _escape(collection), "limit": _limit(limit)},
        )
        return [row[0] for row in rows]

    async def count(self, collection: str, **equals: Any) -> int:
        check_key(collection)
        where, params = _where(equals)
        rows = await self._rows(
            f"SELECT count(*) FROM mock_documents WHERE collection = %(collection)s{where}",
            {**params, "collection": _escape(collection)},
        )
        return int(rows[0][0])

    async def collections(self, prefix: str = "") -> list[str]:
        check_key(prefix)
        rows = await self._rows(
            "SELECT DISTINCT collection FROM mock_documents WHERE starts_with(collection, %(prefix)s)",
            {"prefix": _escape(prefix)},
        )
        return sorted(_unescape(row[0]) for row in rows)

    # -- counters ----------------------------------------------------------------------------------------------

    async def increment(self, name: str, by: int = 1) -> int:
        check_key(name)
        rows = await self._rows(
            _SHARED + "INSERT INTO mock_counters AS c (name, value) SELECT %(name)s, %(by)s::bigint FROM turn "
            "ON CONFLICT (name) DO UPDATE SET value = c.value + excluded.value RETURNING value",
            {"name": _escape(name), "by": by},
        )
        return int(rows[0][0])

    async def counter(self, name: str) -> int:
        check_key(name)
        rows = await self._rows("SELECT value FROM mock_counters WHERE name = %(name)s", {"name": _escape(name)})
        return int(rows[0][0]) if rows else 0

    # -- journal -----------------------------------------------------------------------------------------------

    async def journal_append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        if not entries:
            return
        batch = _json([{key: value for key, value in entry.items() if key != "seq"} for entry in entries])
        await self._changed(  # the indexed columns are read from each entry by the statement itself
            "WITH turn AS (SELECT pg_advisory_xact_lock(%(journal_lock)s::bigint)) "
            "INSERT INTO mock_journal (at, kind, spec, operation_id, method, status, body) "
            "SELECT coalesce((e->>'at')::float8, 0), coalesce(e->>'kind', 'request'), e->>'spec', e->>'operationId', "
            "e->>'method', (e->>'status')::integer, e "
            "FROM turn, json_array_elements(%(batch)s::json) WITH ORDINALITY AS batch(e, n) ORDER BY n",
            {"batch": batch},
        )

    async def journal_read(self, query: JournalQuery) -> list[Document]:
        clauses: list[str] = []
        params: Params = {"limit": _limit(query.limit)}
        for column, text in (
            ("spec", query.spec),
            ("operation_id", query.operation_id),
            ("kind", query.kind),
            ("method", query.method),
        ):
            if text is not None:
                check_key(text)
                clauses.append(f"{column} = %({column})s")
                params[column] = _escape(text)
        for clause, name, value in (
            ("status = %(status)s", "status", query.status),
            ("seq > %(since_seq)s", "since_seq", query.since_seq),
            ("at >= %(since_time)s", "since_time", query.since_time),
        ):
            if value is not None:
                clauses.append(clause)
                params[name] = value
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        rows = await self._rows(f"SELECT seq, body FROM mock_journal{where} ORDER BY seq DESC LIMIT %(limit)s", params)
        return [{**body, "seq": seq} for seq, body in reversed(rows)]

    async def journal_clear(self) -> int:
        return await self._changed("DELETE FROM mock_journal", {})

    async def journal_trim(self, keep: int) -> int:
        return await self._changed(
            "DELETE FROM mock_journal WHERE seq <= "
            "(SELECT seq FROM mock_journal ORDER BY seq DESC LIMIT 1 OFFSET %(keep)s)",
            {"keep": max(keep, 0)},
        )

    # -- whole state -------------------------------------------------------------------------------------------

    async def clear(self, *, keep: tuple[str, ...] = ()) -> None:
        check_key(*keep)
        async with self.transaction():
            await self._changed(
                "DELETE FROM mock_documents WHERE collection <> ALL(%(keep)s::text[])",
                {"keep": [_escape(name) for name in keep]},
            )
            await self._changed("DELETE FROM mock_counters WHERE NOT starts_with(name, '__')", {})

    async def dump(self, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        check_key(*exclude)
        async with self.transaction():  # one consistent state, even under live traffic
            documents = await self._rows(
                "SELECT collection, id, body FROM mock_documents WHERE collection <> ALL(%(exclude)s::text[]) "
                "ORDER BY pos",
                {"exclude": [_escape(name) for name in exclude]},
            )
            counters = await self._rows(
                "SELECT name, value FROM mock_counters WHERE NOT starts_with(name, '__') ORDER BY name", {}
            )
        return {
            "documents": [[_unescape(name), _unescape(doc_id), encode(body)] for name, doc_id, body in documents],
            "counters": [[_unescape(name), int(value)] for name, value in counters],
        }

    async def load(self, state: Mapping[str, Any], *, keep: tuple[str, ...] = ()) -> None:
        documents = [[row[0], row[1], _parsed(row[2])] for row in state["documents"] if row[0] not in keep]
        counters = [list(row) for row in state["counters"] if not str(row[0]).startswith("__")]
        check_key(*(key for name, doc_id, _ in documents for key in (name, doc_id)), *(row[0] for row in counters))
        documents_batch, counters_batch = _json(documents), _json(counters)
        async with self.transaction():
            await self.clear(keep=keep)
            await self._changed(
                "INSERT INTO mock_documents (collection, id, body) SELECT d->>0, d->>1, d->2 "
                "FROM json_array_elements(%(batch)s::json) WITH ORDINALITY AS state(d, n) ORDER BY n",
                {"batch": documents_batch},
            )
            await self._changed(
                "INSERT INTO mock_counters (name, value) SELECT c->>0, (c->>1)::bigint "
                "FROM json_array_elements(%(batch)s::json) AS state(c)",
                {"batch": counters_batch},
            )

    async def save_snapshot(self, name: str, created: float, state: Mapping[str, Any]) -> None:
        check_key(name)
        await self._changed(
            _SHARED + "INSERT INTO mock_snapshots (name, created, body) SELECT %(name)s, %(created)s, %(body)s::json "
            "FROM turn ON CONFLICT (name) DO UPDATE SET created = excluded.created, body = excluded.body",
            {"name": _escape(name), "created": created, "body": _json(state)},
        )

    async def snapshot(self, name: str) -> dict[str, Any] | None:
        check_key(name)
        rows = await self._rows("SELECT body FROM mock_snapshots WHERE name = %(name)s", {"name": _escape(name)})
        return rows[0][0] if rows else None

    async def snapshots(self) -> list[tuple[str, float]]:
        rows = await self._rows("SELECT name, created FROM mock_snapshots ORDER BY created, name", {})
        return [(_unescape(name), float(created)) for name, created in rows]

    async def delete_snapshot(self, name: str) -> bool:
        check_key(name)
        deleted = await self._changed(
            _SHARED + "DELETE FROM mock_snapshots USING turn WHERE name = %(name)s", {"name": _escape(name)}
        )
        return deleted > 0


# -- errors and URLs -----------------------------------------------------------------------------------------------


@contextmanager
def _translated(url: str) -> Iterator[None]:
    """PostgreSQL's errors as the store's (`url` is the one without the password)."""
    try:
        yield
    except PoolTimeout as exc:
        raise StoreBusy(f"no free connection to {url} within {BUSY_DEADLINE_SECONDS:g}s") from exc
    except (errors.LockNotAvailable, errors.DeadlockDetected) as exc:
        raise StoreBusy(f"{url} stayed locked by another replica for {BUSY_DEADLINE_SECONDS:g}s") from exc
    except psycopg.DataError as exc:
        raise StoreRefused(f"PostgreSQL cannot store the value: {exc}") from exc
    except psycopg.Error as exc:
        raise StoreError(f"PostgreSQL at {url}: {exc}") from exc


def _without_password(url: str) -> str:
    """The URL as it may be shown: no password in the user part nor in the query."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, hosts = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}@{hosts}"
    query = urlencode([(key, value) for key, value in parse_qsl(parts.query) if key != "password"])
    return urlunsplit(parts._replace(netloc=netloc, query=query))


# -- values --------------------------------------------------------------------------------------------------------

_ESCAPE = "\ufdd0"
_ESCAPED = re.compile("\ufdd0(.)", re.DOTALL)
_ESCAPE_UTF8 = _ESCAPE.encode()


def _escape(text: str) -> str:
    """Text PostgreSQL can hold: U+0000 as U+FDD0 '0', U+FDD0 as U+FDD0 U+FDD0 (no other text changes)."""
    if "\0" not in text and _ESCAPE not in text:
        return text
    return text.replace(_ESCAPE, _ESCAPE * 2).replace("\0", _ESCAPE + "0")


def _unescape(text: str) -> str:
    """Inverse of `_escape`."""
    if _ESCAPE not in text:
        return text
    return _ESCAPED.sub(lambda match: "\0" if match[1] == "0" else match[1], text)


def _key(collection: str, doc_id: str) -> Params:
    return {"collection": _escape(collection), "id": _escape(doc_id)}


def _strings(value: Any, change: Callable[[str], str]) -> Any:
    """A copy of a JSON value with `change` applied to every string, object keys included."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {change(key) if isinstance(key, str) else key: _strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_strings(item, change) for item in value]
    return value


def _json(value: Any) -> str:
    """JSON text for a `json` parameter: `encode`'s checks (nothing is written when they refuse), then the escapes."""
    text = encode(value)
    if "\\u0000" in text or "\\ufdd0" in text:  # `encode` writes every character beyond ASCII as \\uxxxx
        text = encode(_strings(value, _escape))
    return text


def _loads(data: str | bytes) -> Any:
    """A stored JSON value as it was written (escapes undone)."""
    value = json.loads(data)
    raw = data.encode() if isinstance(data, str) else data
    escaped = b"\\ufdd0" in raw or _ESCAPE_UTF8 in raw  # as `encode` wrote it, or as PostgreSQL wrote it
    return _strings(value, _unescape) if escaped else value


def _parsed(text: Any) -> Any:
    """A dumped document's body (JSON text) as a value."""
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise StoreRefused(f"a dumped document is not JSON text: {exc}") from exc


def _limit(limit: int | None) -> int | None:
    """SQL `LIMIT` (None, or a negative limit as SQLite reads it: no limit)."""
    return None if limit is None or limit < 0 else int(limit)


def _where(equals: Mapping[str, Any]) -> tuple[str, Params]:
    """SQL conditions on top-level JSON fields (None matches a missing field or a JSON null)."""
    clauses: list[str] = []
    params: Params = {}
    for index, (name, value) in enumerate(equals.items()):
        check_field(name)
        params[f"field{index}"] = name
        if value is None:
            clauses.append(f" AND coalesce((body -> %(field{index})s::text)::jsonb, 'null') = 'null'")
        else:
            clauses.append(f" AND (body -> %(field{index})s::text)::jsonb = %(value{index})s::jsonb")
            params[f"value{index}"] = _json(value)
    return "".join(clauses), params
