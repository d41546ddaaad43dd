"""SysAid Copilot test fixtures: a fresh mock per test, with a client that logs in as a fixture identity.

After every test, each mock it built must have kept to its contract: the journal may hold no `contract-breach`
problem. A handler's breach becomes a 500 anyway, but a refusal rendered outside the contract (a wrong status or
envelope from `error_body`) is only journaled, so this is where it would show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from sysaid_support import SPEC, Sysaid


@pytest.fixture
def make_sysaid(make_client: Callable[..., TestClient]) -> Iterator[Callable[..., Sysaid]]:
    """A SysAid client over a fresh mock with the given settings."""
    made: list[Sysaid] = []

    def make(**settings: Any) -> Sysaid:
        sysaid = Sysaid(make_client(specs=(SPEC,), **settings))
        made.append(sysaid)
        return sysaid

    yield make
    for sysaid in made:
        entries = sysaid.client.get("/__admin/journal", params={"spec": SPEC, "limit": 10000}).json()["entries"]
        breaches = [
            (entry.get("operationId"), problem["detail"])
            for entry in entries
            for problem in entry.get("problems", [])
            if problem.get("kind") == "contract-breach"
        ]
        assert not breaches, f"the mock broke its own contract: {breaches}"


@pytest.fixture
def sysaid(make_sysaid: Callable[..., Sysaid]) -> Sysaid:
    """A SysAid client over a fresh mock with the default settings."""
    return make_sysaid()
