"""The injectable clock: advanced through the store, seen by every clock on that store once it reloads."""

from __future__ import annotations

import asyncio
import math

import pytest

from mockserver.clock import LATEST, Clock
from mockserver.errors import ClockError
from mockserver.store import SqliteStore


def test_advance_moves_every_clock_on_the_same_store_once_it_reloads() -> None:
    async def scenario() -> tuple[float, float, float]:
        store = SqliteStore()
        first, second = Clock(store), Clock(store)
        before = second.now()
        await first.advance(3600)
        stale = second.offset()
        await second.load()
        return before, stale, second.offset()

    before, stale, offset = asyncio.run(scenario())
    assert (stale, offset) == (0.0, 3600.0)
    assert before > 0


@pytest.mark.parametrize("seconds", [-1, math.nan, math.inf])
def test_the_clock_refuses_backward_and_non_finite_moves(seconds: float) -> None:
    with pytest.raises(ClockError):
        asyncio.run(Clock(SqliteStore()).advance(seconds))


def test_the_clock_never_passes_the_year_9999() -> None:
    async def scenario() -> Clock:
        clock = Clock(SqliteStore())
        with pytest.raises(ClockError, match="year 9999"):
            await clock.advance(LATEST)
        return clock

    clock = asyncio.run(scenario())
    assert clock.offset() == 0.0
    assert clock.now_iso().startswith("20")


def test_iso_time_is_utc_with_milliseconds() -> None:
    assert Clock(SqliteStore()).now_iso().endswith("Z")
