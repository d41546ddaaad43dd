"""SysAid Copilot test fixtures: a fresh mock per test, with a client that logs in as a fixture identity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient
from sysaid_support import SPEC, Sysaid


@pytest.fixture
def make_sysaid(make_client: Callable[..., TestClient]) -> Callable[..., Sysaid]:
    """A SysAid client over a fresh mock with the given settings."""

    def make(**settings: Any) -> Sysaid:
        return Sysaid(make_client(specs=(SPEC,), **settings))

    return make


@pytest.fixture
def sysaid(make_sysaid: Callable[..., Sysaid]) -> Sysaid:
    """A SysAid client over a fresh mock with the default settings."""
    return make_sysaid()
