"""Fixtures of the mock server's tests: a throw-away PostgreSQL server (one per session, started on first use) and an
empty schema on it per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from postgres_support import SKIP_REASON, PostgresServer, server_binaries


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test session (skips the test when no server binary is installed)."""
    bindir = server_binaries()
    if bindir is None:
        pytest.skip(SKIP_REASON)
    server = PostgresServer.start(bindir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL (password included) of a new, empty schema of the server's database."""
    return postgres_server.new_schema()
