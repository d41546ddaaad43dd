"""The injectable clock: advanced through the store, shared by every reader of that store."""

from __future__ import annotations

import pytest

from mockserver.clock import Clock
from mockserver.store import Store


def test_advance_moves_every_clock_on_the_same_store() -> None:
    store = Store()
    first, second = Clock(store), Clock(store)
    before = second.now()
    first.advance(3600)
    assert second.now() - before >= 3600
    assert second.offset() == 3600


def test_clock_never_moves_backwards() -> None:
    with pytest.raises(ValueError, match="forward"):
        Clock(Store()).advance(-1)


def test_iso_time_is_utc_with_milliseconds() -> None:
    assert Clock(Store()).now_iso().endswith("Z")
