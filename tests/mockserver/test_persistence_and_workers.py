"""State lives in SQLite: it survives a restart with --db, and two workers see the same records and tokens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR
from mockserver import Settings, create_app

CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())
ASAPP = "asapp-metadata-ingestion"
ASAPP_HEADERS = {
    "asapp-api-id": CREDENTIALS[ASAPP]["api_id"],
    "asapp-api-secret": CREDENTIALS[ASAPP]["api_secret"],
}
AGENT_URL = f"/{ASAPP}/metadata-ingestion/v1/single-agent-metadata"


def _stored_agents(client: TestClient | httpx.Client) -> set[str]:
    collections = client.get(f"/__admin/records/{ASAPP}").json()["collections"]
    found: set[str] = set()
    for name in collections:
        if name.endswith(".agent"):
            records = client.get(f"/__admin/records/{ASAPP}/{name}").json()["records"]
            found |= {record["metadata"]["externalAgentId"] for record in records}
    return found


def test_state_survives_a_restart_with_a_database_file(tmp_path: Path) -> None:
    settings = Settings(specs=(ASAPP,), db=str(tmp_path / "state.sqlite"))
    with TestClient(create_app(settings)) as first:
        assert first.post(AGENT_URL, json={"externalAgentId": "persisted"}, headers=ASAPP_HEADERS).status_code == 200
        first.post("/__admin/clock/advance", json={"seconds": 120})
    with TestClient(create_app(settings)) as second:
        assert _stored_agents(second) == {"persisted"}
        assert second.get("/__admin/clock").json()["offsetSeconds"] == 120
        second.post("/__admin/reset")
        assert _stored_agents(second) == set()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def two_workers() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--workers", "2", "--port", str(port), "--log-level", "warning",
         "--spec", ASAPP, "--spec", "aisera-ingestion"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        output = process.stdout.read().decode(errors="replace") if process.stdout else ""
        pytest.fail(f"two-worker mock did not start: {output}")
    yield base
    process.terminate()
    process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


def _fresh(base: str) -> httpx.Client:
    """A client opening a new connection per request, so requests spread over both workers."""
    return httpx.Client(base_url=base, headers={"connection": "close"}, timeout=10)


def test_two_workers_see_every_record(two_workers: str) -> None:
    with _fresh(two_workers) as client:
        for index in range(30):
            response = client.post(AGENT_URL, json={"externalAgentId": f"w{index}"}, headers=ASAPP_HEADERS)
            assert response.status_code == 200
        for _ in range(10):
            assert _stored_agents(client) >= {f"w{index}" for index in range(30)}


def test_two_workers_honour_the_same_tokens(two_workers: str) -> None:
    aisera = CREDENTIALS["aisera-ingestion"]
    with _fresh(two_workers) as client:
        token = client.post(
            "/aisera-ingestion/tenant-users/oauth2/token",
            data={
                "grant_type": "password",
                "client_id": aisera["app_token"],
                "username": aisera["username"],
                "password": aisera["password"],
            },
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}", "x-app-token": aisera["app_token"]}
        statuses = [
            client.post("/aisera-ingestion/alerts", json={"id": f"a{index}"}, headers=headers).status_code
            for index in range(30)
        ]
        assert statuses == [200] * 30
