"""No credential in any log, journal entry or admin listing: a real `contract-mock serve --log-level debug` is driven
through every API with the fixture credentials (in headers, cookies, query strings and bodies) and the tokens and
sessions it issues; then its whole output, the journal (and its HAR export) and every stored collection are searched
for each of those values."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from contracts import FIXTURES_DIR, contract_names

DEMO = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())
SECRET_KEYS = {
    "app_token",
    "password",
    "token",
    "jsessionid",
    "serverid",
    "api_id",
    "api_secret",
    "client_secret",
    "api_key",
}


def _flat(values: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key, value in values.items():
        if isinstance(value, dict):
            yield from _flat(value)
        else:
            yield key, str(value)


FIXTURE_SECRETS = {value for api in DEMO.values() for key, value in _flat(api) if key in SECRET_KEYS}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path_factory.mktemp("secrets") / "mock.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--log-level", "debug"],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        try:
            yield base, log
        finally:
            process.terminate()
            process.wait(timeout=15)


def _exercise(base: str) -> set[str]:
    """Call every API as a client would, good and bad requests alike; returns the credentials the mock issued."""
    issued: set[str] = set()
    aisera, conversation = DEMO["aisera-ingestion"], DEMO["aisera-conversation"]
    sysaid, asapp, alvaria = DEMO["sysaid-copilot"], DEMO["asapp-metadata-ingestion"], DEMO["alvaria-messaging"]
    with httpx.Client(base_url=base, timeout=10) as client:
        form = {
            "grant_type": "password",
            "client_id": aisera["app_token"],
            "username": aisera["username"],
            "password": aisera["password"],
        }
        token = client.post("/aisera-ingestion/tenant-users/oauth2/token", data=form).json()["access_token"]
        issued.add(token)
        client.post("/aisera-ingestion/tenant-users/oauth2/token", data={**form, "password": 12345})  # refused
        client.post("/aisera-ingestion/tenant-users/oauth2/token", json={**form, "password": [aisera["password"]]})
        bearer = {"Authorization": f"Bearer {token}", "x-app-token": aisera["app_token"]}
        client.post("/aisera-ingestion/alerts", json={"id": "a1"}, headers=bearer)
        client.post(
            "/aisera-ingestion/alerts",
            params={"access_token": token, "x-app-token": aisera["app_token"]},
            json={"id": "a2"},
        )
        client.post("/aisera-ingestion/problems", params={"access_token": token, "x-app-token": "wrong"}, json={})
        client.post(
            "/aisera-conversation/api/receive",
            json={"token": conversation["token"], "userId": "u", "data": {"text": "hello"}},
        )
        client.post("/aisera-conversation/api/receive", json={"token": [conversation["token"]], "data": {}})
        login = f"JSESSIONID={sysaid['admin']['jsessionid']}; SERVERID={sysaid['admin']['serverid']}"
        hostname = {"x-sysaid-hostname": sysaid["hostname"], "Cookie": login}
        client.get("/sysaid-copilot/api/chat", headers=hostname)
        started = client.post("/sysaid-copilot/api/chat", json={"text": "VPN error"}, headers=hostname)
        sid = started.json().get("sid")
        if sid:
            issued.add(sid)
            client.get(f"/sysaid-copilot/api/stream/{sid}")
        client.get("/sysaid-copilot/api/chat", headers={**hostname, "Cookie": f"JSESSIONID={'0' * 32}; SERVERID=s"})
        client.post(
            "/asapp-metadata-ingestion/metadata-ingestion/v1/single-agent-metadata",
            json={"externalAgentId": "a1"},
            headers={"asapp-api-id": asapp["api_id"], "asapp-api-secret": asapp["api_secret"]},
        )
        client.post(
            "/asapp-metadata-ingestion/metadata-ingestion/v1/single-agent-metadata",
            json={},
            headers={"asapp-api-id": asapp["api_id"], "asapp-api-secret": "wrong"},
        )
        granted = client.post(
            "/alvaria-messaging/tokenservice/oauth2/access_token",
            params={"realm": alvaria["org_id"]},
            data={"grant_type": "client_credentials", "scope": alvaria["scope"]},
            auth=(alvaria["client_id"], alvaria["client_secret"]),
        ).json()
        issued.add(granted["access_token"])
        headers = {"Authorization": f"Bearer {granted['access_token']}", "x-api-key": alvaria["api_key"]}
        session = client.post(
            f"/alvaria-messaging/via/v2/organizations/{alvaria['org_id']}/streaming/session", json={}, headers=headers
        ).json()["sessionId"]
        issued.add(session)
        client.post(
            f"/alvaria-messaging/via/v2/organizations/{alvaria['org_id']}/messaging/users/{alvaria['user_id']}/sendText",
            json={"interactionId": "4321", "text": "hi"},
            headers={**headers, "via-client-sessionid": session},
        )
    return issued


def test_no_credential_appears_in_logs_journal_or_admin_listings(server: tuple[str, Path]) -> None:
    base, log = server
    secrets = FIXTURE_SECRETS | _exercise(base)
    assert len(secrets) >= 12
    with httpx.Client(base_url=base, timeout=10) as client:
        places = {
            "journal": client.get("/__admin/journal", params={"limit": 10000}).text,
            "journal HAR": client.get("/__admin/journal.har").text,
            "journal page": client.get("/__admin/").text,
        }
        for spec in contract_names():
            listing = client.get(f"/__admin/records/{spec}").json()["collections"]
            for collection in listing:
                places[f"records {spec}/{collection}"] = client.get(f"/__admin/records/{spec}/{collection}").text
    time.sleep(0.3)  # the access log line of the last request
    output = log.read_text(encoding="utf-8", errors="replace")
    banner, _, served = output.partition("__admin   (Swagger UI")  # the banner publishes the demo credentials
    assert DEMO["asapp-metadata-ingestion"]["api_secret"] in banner
    places["server output after the banner"] = served
    assert "POST /aisera-ingestion/alerts?access_token=[MASKED]" in served  # the access log ran
    leaks = sorted(
        (where, secret[:6] + "...") for where, text in places.items() for secret in secrets if secret in text
    )
    assert leaks == [], "\n".join(f"{w}: {s}" for w, s in leaks)
