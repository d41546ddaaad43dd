"""The store interface every backend implements, its errors, and the value rules shared by all backends.

Every piece of mock state lives in a store: vendor records, issued tokens, sessions, long operations, the journal,
faults, overrides, snapshots and the clock offset. The interface is narrow on purpose (collections of JSON documents
with string ids, equality queries on top-level fields, atomic counters, an append-only journal) so that the vendor
modules never know which backend they have. Every method is a coroutine: a networked backend awaits its server, and
the embedded one never holds the event loop longer than one short statement.

Exception tree::

    StoreError(MockServerError)
    ├── StoreRefused(StoreError, ValueError)     a value JSON cannot carry (NaN, a lone surrogate): nothing is written
    └── StoreBusy(StoreError, TimeoutError)      the database stayed locked by another process past the deadline
"""

from __future__ import annotations

import hashlib
import json
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from mockserver.errors import MockServerError

__all__ = [
    "BUSY_DEADLINE_SECONDS",
    "Document",
    "JournalQuery",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreRefused",
    "check_field",
    "check_key",
    "decode",
    "digest",
    "encode",
]

Document = dict[str, Any]


class StoreError(MockServerError):
    """Root of the store's errors."""


class StoreRefused(StoreError, ValueError):
    """A value that a later read could not parse back (non-finite number, lone surrogate, non-JSON type)."""


class StoreBusy(StoreError, TimeoutError):
    """Another process kept the database locked longer than the store waits."""


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise StoreRefused(f"{value!r} is not a JSON number")
    return value


_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
_DECODE = json.JSONDecoder().decode


def encode(body: Any) -> str:
    """JSON text for a stored value; refuses what JSON cannot carry, so every later read parses it back."""
    try:
        text = _ENCODER.encode(body)
    except (ValueError, TypeError, RecursionError) as exc:
        raise StoreRefused(f"value cannot be stored as JSON: {exc}") from exc
    if "\\ud" in text:  # astral characters are escaped as surrogate pairs too: look closer only then
        try:
            _check_text(body)
        except UnicodeEncodeError as exc:
            raise StoreRefused("value holds a lone UTF-16 surrogate, which is not Unicode text") from exc
    return text


def _check_text(node: Any) -> None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def decode(text: str) -> Any:
    """Inverse of `encode`."""
    return _DECODE(text)


BUSY_DEADLINE_SECONDS = 10.0
"""How long a write waits for another process's lock (SQLite) or connection (PostgreSQL) before `StoreBusy`."""


def digest(secret: str) -> str:
    """The SHA-256 hex digest under which a credential is stored (the store never holds a usable one)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def check_field(name: str) -> None:
    """A top-level field a query compares: letters, digits and underscores only (it is written into the SQL)."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"invalid field name for a store query: {name!r}")


def check_key(*keys: str) -> None:
    """Collection names and ids must be Unicode text (a lone surrogate cannot be bound or compared)."""
    for key in keys:
        try:
            key.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise StoreRefused(f"key {key.encode('utf-8', 'backslashreplace').decode()!r} is not Unicode text") from exc


@dataclass(frozen=True)
class JournalQuery:
    """Which journal entries to read: every given field must match (None: any)."""

    spec: str | None = None
    operation_id: str | None = None
    kind: str | None = None
    status: int | None = None
    method: str | None = None
    since_seq: int | None = None
    """Only entries after this sequence number."""
    since_time: float | None = None
    """Only entries at or after this mock time (seconds since the epoch)."""
    limit: int | None = None
    """The newest `limit` matching entries (still returned oldest first)."""


class Store(ABC):
    """Collections of JSON documents, counters, the journal and snapshots, behind one interface."""

    url: str
    """Where the data lives (a file path, `:memory:`, or a database URL without its password)."""
    shared: bool = True
    """Whether other processes can change the data (False only for a private in-memory database)."""

    # -- documents ---------------------------------------------------------------------------------------------

    @abstractmethod
    async def get(self, collection: str, doc_id: str) -> Document | None:
        """The document, or None."""

    @abstractmethod
    async def put(self, collection: str, doc_id: str, body: Mapping[str, Any]) -> Document:
        """Insert or replace a document; a replaced document keeps its place in insertion order."""

    @abstractmethod
    async def insert(self, collection: str, doc_id: str, body: Mapping[str, Any]) -> bool:
        """Insert only when the id is free; False (and nothing written) when it is taken."""

    @abstractmethod
    async def delete(self, collection: str, doc_id: str) -> bool:
        """Remove a document; True when something was removed."""

    @abstractmethod
    async def delete_where(self, collection: str, **equals: Any) -> int:
        """Remove every document whose top-level fields equal the given values; returns the count."""

    @abstractmethod
    async def find(self, collection: str, *, limit: int | None = None, **equals: Any) -> list[Document]:
        """Documents whose top-level fields equal the given values, in insertion order."""

    @abstractmethod
    async def count(self, collection: str, **equals: Any) -> int:
        """How many documents match."""

    @abstractmethod
    async def collections(self, prefix: str = "") -> list[str]:
        """Names of the non-empty collections starting with `prefix`, sorted."""

    async def update(self, collection: str, doc_id: str, changes: Mapping[str, Any]) -> Document | None:
        """Merge top-level fields into a document atomically; None when it does not exist."""
        async with self.transaction():
            current = await self.get(collection, doc_id)
            if current is None:
                return None
            current.update(changes)
            return await self.put(collection, doc_id, current)

    # -- counters ----------------------------------------------------------------------------------------------

    @abstractmethod
    async def increment(self, name: str, by: int = 1) -> int:
        """Atomically add to a named counter and return the new value (never the same value twice)."""

    @abstractmethod
    async def counter(self, name: str) -> int:
        """A counter's value (0 when never incremented)."""

    # -- transactions ------------------------------------------------------------------------------------------

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Run several operations atomically, also across processes; nested calls join the outer one.

        Other tasks' operations wait until it ends, so never await anything but the store inside one.
        """

    # -- journal -----------------------------------------------------------------------------------------------

    @abstractmethod
    async def journal_append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """Append entries in one write; each gets the next sequence number (unique and increasing)."""

    @abstractmethod
    async def journal_read(self, query: JournalQuery) -> list[Document]:
        """Matching entries, oldest first, each with its `seq`."""

    @abstractmethod
    async def journal_clear(self) -> int:
        """Remove every entry (sequence numbers keep increasing); returns how many went."""

    @abstractmethod
    async def journal_trim(self, keep: int) -> int:
        """Remove all but the newest `keep` entries; returns how many went."""

    # -- whole state -------------------------------------------------------------------------------------------

    @abstractmethod
    async def clear(self, *, keep: tuple[str, ...] = ()) -> None:
        """Remove every document but the collections in `keep`, and every counter but the internal `__*` ones."""

    @abstractmethod
    async def dump(self, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        """The documents (in order) and counters as plain data, for snapshots; the journal is not part of it."""

    @abstractmethod
    async def load(self, state: Mapping[str, Any], *, keep: tuple[str, ...] = ()) -> None:
        """Replace documents and counters with a dump, keeping the collections in `keep` and internal counters."""

    @abstractmethod
    async def save_snapshot(self, name: str, created: float, state: Mapping[str, Any]) -> None:
        """Store a named snapshot (replacing one of the same name)."""

    @abstractmethod
    async def snapshot(self, name: str) -> dict[str, Any] | None:
        """A snapshot's state, or None."""

    @abstractmethod
    async def snapshots(self) -> list[tuple[str, float]]:
        """(name, creation time) of every snapshot, oldest first."""

    @abstractmethod
    async def delete_snapshot(self, name: str) -> bool:
        """Forget a snapshot; True when it existed."""

    # -- change detection and lifecycle ------------------------------------------------------------------------

    async def generation(self) -> int:
        """A number that changes whenever server-wide settings change (clock, faults, overrides, resets)."""
        return await self.counter(GENERATION)

    async def bump_generation(self) -> int:
        """Tell every process sharing the store that server-wide settings changed."""
        return await self.increment(GENERATION)

    @abstractmethod
    async def close(self) -> None:
        """Release connections; the store cannot be used afterwards."""


GENERATION = "__generation__"
"""Internal counter behind `generation()`; internal counters survive `clear` and `load`."""
