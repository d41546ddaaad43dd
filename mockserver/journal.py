"""The request journal: every request to a contract (and background events), kept append-only in the store.

Entries are buffered in memory and written in batches off the request path (`Journal.flush`, scheduled after the
first entry of a batch and run again on shutdown), so serving a request never waits on a journal write; reading the
journal flushes this worker's buffer first. Each entry keeps the request and the response (method, path, query,
headers and bodies up to `Settings.journal_body_bytes`), with every credential the contract declares masked, the
operation matched, the problems found and, for a request no operation matches, the closest operations and why.
Sequence numbers come from the store: unique and increasing across workers, never rewound by a restore.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from http.cookies import SimpleCookie
from typing import Any

from mockserver.store import JournalQuery, Store, StoreRefused
from mockserver.store.base import encode

__all__ = ["MASK", "Journal", "mask_cookie_header", "mask_json", "mask_query"]

log = logging.getLogger("mockserver.journal")

MASK = "[MASKED]"
_BATCH = 256
_CHUNK = 64
"""Entries written per statement: a flush yields to the loop between chunks, so no step holds it for long."""
_TRIM_EVERY = 500


def mask_json(value: Any, fields: frozenset[str]) -> Any:
    """A copy of a JSON value with every field named in `fields` (at any depth) masked."""
    if not fields:
        return value
    if isinstance(value, dict):
        return {key: MASK if key in fields else mask_json(item, fields) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_json(item, fields) for item in value]
    return value


def mask_query(query: Mapping[str, list[str]], names: frozenset[str]) -> dict[str, Any]:
    """Query parameters with credential values masked (one value shown as a string, several as a list)."""
    return {
        name: ([MASK] * len(values) if name in names else values)
        if len(values) > 1
        else (MASK if name in names else values[0])
        for name, values in query.items()
    }


def mask_cookie_header(header: str, names: frozenset[str]) -> str:
    """A `Cookie` header with the values of credential cookies masked."""
    parts = []
    for chunk in header.split(";"):
        name, sep, value = chunk.strip().partition("=")
        name = name.strip()  # `JSESSIONID =...` authenticates (the cookie parser strips the name), so mask it too
        parts.append(f"{name}={MASK if name in names else value}" if sep else chunk.strip())
    return "; ".join(part for part in parts if part)


def _cookie_names(header: str) -> list[str]:
    with contextlib.suppress(Exception):
        return list(SimpleCookie(header).keys())
    return []


def _storable(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry, with any text that is not Unicode (lone surrogates echoed from a refused request) replaced by
    U+FFFD: the journal records what happened; it must never refuse to record it."""
    try:
        encode(entry)
    except StoreRefused:
        return _unicode(entry)  # type: ignore[no-any-return]
    return entry


def _unicode(node: Any) -> Any:
    if isinstance(node, str):
        return node.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(node, dict):
        return {_unicode(key): _unicode(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_unicode(item) for item in node]
    return node


class Journal:
    """One worker's view of the journal: a buffer in front of the store's append-only table."""

    def __init__(self, store: Store, limit: int, flush_seconds: float) -> None:
        self.store = store
        self.limit = limit
        self.flush_seconds = flush_seconds
        self._buffer: list[dict[str, Any]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._since_trim = 0
        self._lock: asyncio.Lock | None = None
        self._closed = False

    def record(self, entry: dict[str, Any]) -> None:
        """Queue an entry; it reaches the store within `flush_seconds` (or sooner when a batch fills)."""
        self._buffer.append(entry)
        if self._closed:
            return  # written by `close`'s final flush, or by the next `flush` call
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if len(self._buffer) >= _BATCH:
            self._start(loop)
        elif self._timer is None and self._task is None:
            self._timer = loop.call_later(self.flush_seconds, self._start, loop)

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        if self._closed or loop.is_closed():
            return
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        try:
            await self.flush()
        except Exception:  # a journal write must never take a request down; the entries are retried next time
            log.exception("journal flush failed; %d entries kept for the next attempt", len(self._buffer))
        finally:
            self._task = None

    async def flush(self) -> None:
        """Write every buffered entry (one statement per batch) and trim to the limit now and then."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            while self._buffer:
                batch, self._buffer = [_storable(entry) for entry in self._buffer[:_CHUNK]], self._buffer[_CHUNK:]
                try:
                    await self.store.journal_append(batch)
                except BaseException:
                    self._buffer[:0] = batch
                    raise
                self._since_trim += len(batch)
                # Trim inside the loop: under sustained load the buffer refills while a chunk is written, so a trim
                # after the loop waited for a lull (the journal grew to 26,000 rows, then one 160 ms DELETE).
                if self._since_trim >= max(1, min(_TRIM_EVERY, self.limit // 10)):
                    self._since_trim = 0
                    await self.store.journal_trim(self.limit)
                await asyncio.sleep(0)  # let waiting requests run between chunks

    async def close(self) -> None:
        """Stop the background flushing (no timer or task outlives the server's loop) and write what is buffered."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)
        await self.flush()

    async def entries(self, query: JournalQuery) -> list[dict[str, Any]]:
        """Matching entries, oldest first (this worker's buffer flushed first)."""
        await self.flush()
        return await self.store.journal_read(query)

    async def clear(self) -> int:
        """Forget every entry (buffered ones too)."""
        self._buffer.clear()
        return await self.store.journal_clear()
