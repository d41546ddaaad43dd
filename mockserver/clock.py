"""The one clock every vendor module reads, so token expiry and long operations are testable without sleeping.

The offset added to wall-clock time lives in the store, so every worker sees the same advanced time; each worker
keeps a copy and reloads it when the store's generation says server-wide settings changed (`Runtime.sync`).
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from mockserver.errors import ClockError
from mockserver.store import Store

__all__ = ["LATEST", "Clock", "iso_time"]

_OFFSET = "__clock_offset_ms__"
LATEST = datetime(9999, 1, 1, tzinfo=UTC).timestamp()
"""The clock never passes the start of year 9999: ISO dates and every vendor's date fields need four digits."""


def iso_time(moment: float) -> str:
    """Seconds since the epoch as an ISO-8601 UTC string with milliseconds (`2030-01-01T00:00:00.000Z`)."""
    return datetime.fromtimestamp(moment, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Clock:
    """Wall-clock time plus an offset that the admin API can advance (never backward)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._offset = 0.0

    def now(self) -> float:
        """Seconds since the epoch, as the mock sees them."""
        return time.time() + self._offset

    def now_iso(self) -> str:
        """The current mock time as an ISO-8601 UTC string with milliseconds."""
        return iso_time(self.now())

    def offset(self) -> float:
        """Seconds the clock has been advanced in total."""
        return self._offset

    async def load(self) -> None:
        """Read the shared offset from the store."""
        self._offset = await self._store.counter(_OFFSET) / 1000.0

    async def advance(self, seconds: float) -> float:
        """Move the clock forward and return the new time; refuses NaN, negative moves and passing year 9999."""
        if not isinstance(seconds, int | float) or not math.isfinite(seconds):
            raise ClockError(f"seconds must be a finite number, got {seconds!r}")
        if seconds < 0:
            raise ClockError("the clock only moves forward")
        if self.now() + seconds >= LATEST:
            room = max(LATEST - self.now() - 1, 0)
            raise ClockError(f"the clock cannot pass the year 9999: at most {room:.0f} more seconds")
        self._offset = await self._store.increment(_OFFSET, round(seconds * 1000)) / 1000.0
        await self._store.bump_generation()
        return self.now()
