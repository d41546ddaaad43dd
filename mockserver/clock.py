"""The one clock every vendor module reads, so token expiry and long operations are testable without sleeping.

The offset added to wall-clock time lives in the store, so every worker sees the same advanced time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from mockserver.store import Store

__all__ = ["Clock"]

_OFFSET = "__clock_offset_ms__"


class Clock:
    """Wall-clock time plus an offset that the admin API can advance."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def now(self) -> float:
        """Seconds since the epoch, as the mock sees them."""
        return time.time() + self._store.counter(_OFFSET) / 1000.0

    def now_iso(self) -> str:
        """The current mock time as an ISO-8601 UTC string with milliseconds."""
        moment = datetime.fromtimestamp(self.now(), tz=UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never backward) and return the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._store.increment(_OFFSET, round(seconds * 1000))
        return self.now()

    def offset(self) -> float:
        """Seconds the clock has been advanced in total."""
        return self._store.counter(_OFFSET) / 1000.0
