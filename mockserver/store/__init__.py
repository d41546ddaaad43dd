"""Mock state: one store interface (`base.Store`) and its backends, chosen by the database URL.

- no URL: a private in-memory SQLite database (one worker);
- a file path or `sqlite:///path`: a SQLite WAL file shared by every worker on one machine;
- `postgresql://...`: a PostgreSQL database shared by replicas on several hosts.
"""

from __future__ import annotations

from pathlib import Path

from mockserver.store.base import (
    Document,
    JournalQuery,
    Store,
    StoreBusy,
    StoreError,
    StoreRefused,
    digest,
)
from mockserver.store.sqlite import SqliteStore

__all__ = [
    "Document",
    "JournalQuery",
    "SqliteStore",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreRefused",
    "digest",
    "open_store",
]


def open_store(url: str | None) -> Store:
    """The backend a database URL names (see the module docstring)."""
    if url is None or url == ":memory:":
        return SqliteStore(None)
    if url.startswith(("postgresql://", "postgres://")):
        from mockserver.store.postgres import PostgresStore

        return PostgresStore(url)
    return SqliteStore(Path(url.removeprefix("sqlite://")) if url.startswith("sqlite:///") else Path(url))
