"""Hostile input and hostile clients: every bad request gets the vendor's documented error, nothing stored breaks a
later read, slow clients are cut off, admin operations stay atomic under traffic, and credentials stay out of logs."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR
from mockserver import Settings, SettingsError, create_app
from mockserver.pipeline.bodies import MAX_JSON_DEPTH
from mockserver.server import CredentialFilter

ASAPP = "asapp-metadata-ingestion"
BASE = f"/{ASAPP}/metadata-ingestion/v1"
SINGLE = f"{BASE}/single-agent-metadata"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())[ASAPP]
HEADERS = {"asapp-api-id": CREDENTIALS["api_id"], "asapp-api-secret": CREDENTIALS["api_secret"]}
JSON_HEADERS = {**HEADERS, "content-type": "application/json"}


@pytest.fixture
def client(make_client: Any) -> TestClient:
    return make_client(specs=(ASAPP,))


def _stored(client: TestClient) -> int:
    collections = client.get(f"/__admin/records/{ASAPP}").json()["collections"]
    return int(collections.get("acme-sandbox.agent", 0))


def _refused(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["result"]["error"]
    assert error.startswith("FAIL_BAD_PARAMS") and reason in error, error


# -- bodies no JSON reader should accept ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 1000 + "]" * 1000,
        '{"externalAgentId": "a", "agentName": ' + "[" * (MAX_JSON_DEPTH + 5) + "]" * (MAX_JSON_DEPTH + 5) + "}",
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=["whole-body-1000", "inside-a-field", "whole-body-100000"],
)
def test_deeply_nested_json_gets_the_documented_400(client: TestClient, body: str) -> None:
    _refused(client.post(SINGLE, content=body.encode(), headers=JSON_HEADERS), f"deeper than {MAX_JSON_DEPTH}")
    assert _stored(client) == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_non_finite_numbers_are_refused_and_nothing_is_stored(client: TestClient, literal: str) -> None:
    body = f'{{"externalAgentId": "a1", "concurrency": {literal}}}'.encode()
    response = client.post(SINGLE, content=body, headers=JSON_HEADERS)
    _refused(response, "number")
    assert _stored(client) == 0
    assert client.post(SINGLE, json={"externalAgentId": "a1"}, headers=HEADERS).status_code == 200


@pytest.mark.parametrize("text", ['"\\ud800x"', '"x\\udfff"', '"\\udc00\\ud800"'])
def test_a_lone_surrogate_is_not_text_and_is_refused(client: TestClient, text: str) -> None:
    body = f'{{"externalAgentId": "a1", "eventId": {text}}}'.encode()
    _refused(client.post(SINGLE, content=body, headers=JSON_HEADERS), "surrogate")
    assert _stored(client) == 0


def test_a_surrogate_pair_is_ordinary_text(client: TestClient) -> None:
    body = b'{"externalAgentId": "a1", "agentName": "J \\ud83d\\ude00"}'
    response = client.post(SINGLE, content=body, headers=JSON_HEADERS)
    assert response.status_code == 200, response.text


def test_a_huge_integer_is_refused_rather_than_crashing(client: TestClient) -> None:
    body = b'{"externalAgentId": "a1", "concurrency": ' + b"9" * 5000 + b"}"
    _refused(client.post(SINGLE, content=body, headers=JSON_HEADERS), "number")


# -- framing: chunked bodies and trailing slashes --------------------------------------------------------------------


def _chunks(payload: bytes, size: int = 7) -> Iterator[bytes]:
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


def test_a_chunked_body_is_read_in_full(client: TestClient) -> None:
    payload = json.dumps({"externalAgentId": "chunked-1", "eventId": "ev-chunked"}).encode()
    response = client.post(SINGLE, content=_chunks(payload), headers=JSON_HEADERS)
    assert response.status_code == 200, response.text
    assert response.json()["result"]["eventId"] == "ev-chunked"


def test_a_chunked_body_over_the_limit_gets_413(make_client: Any) -> None:
    client = make_client(specs=(ASAPP,), max_body_bytes=1024)
    payload = json.dumps({"externalAgentId": "a", "attributes": {"x": "y" * 5000}}).encode()
    response = client.post(SINGLE, content=_chunks(payload, 256), headers=JSON_HEADERS)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "413-01"


def test_a_trailing_slash_gets_the_vendors_404_not_a_redirect(client: TestClient) -> None:
    response = client.post(f"{SINGLE}/", json={"externalAgentId": "a"}, headers=HEADERS, follow_redirects=False)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "404-01"
    [entry] = client.get("/__admin/journal?status=404").json()["entries"]
    assert entry["nearMisses"][0]["reason"].startswith("trailing slash")


# -- slow clients ----------------------------------------------------------------------------------------------------


@pytest.fixture
def live(serve_app: Any) -> str:
    app = create_app(Settings(specs=(ASAPP,), body_timeout_seconds=0.5))
    return str(serve_app(app))


def _connect(base: str) -> socket.socket:
    parts = urlsplit(base)
    return socket.create_connection((parts.hostname, parts.port), timeout=5)


def _read_all(sock: socket.socket, deadline: float) -> bytes:
    data = b""
    sock.settimeout(max(deadline - time.monotonic(), 0.1))
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pass
    return data


def test_a_stalled_body_is_refused_after_the_body_timeout(live: str) -> None:
    with _connect(live) as sock:
        head = (
            f"POST {SINGLE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
            f"asapp-api-id: {HEADERS['asapp-api-id']}\r\nasapp-api-secret: {HEADERS['asapp-api-secret']}\r\n\r\n"
        )
        started = time.monotonic()
        sock.sendall(head.encode() + b'{"externa')
        answer = _read_all(sock, started + 5)
    elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"did not arrive within 0.5 s" in answer
    assert elapsed < 4


def test_a_client_that_never_finishes_its_headers_is_disconnected(serve_app: Any) -> None:
    from mockserver.server import GuardedHttpToolsProtocol

    previous = GuardedHttpToolsProtocol.header_timeout
    GuardedHttpToolsProtocol.header_timeout = 0.5
    try:
        base = serve_app(create_app(Settings(specs=(ASAPP,))))
        sockets = [_connect(base) for _ in range(50)]
        for sock in sockets[:25]:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: slow\r\n")  # and then nothing: slowloris
        started = time.monotonic()
        closed = sum(1 for sock in sockets if _read_all(sock, started + 3) == b"")
        for sock in sockets:
            sock.close()
    finally:
        GuardedHttpToolsProtocol.header_timeout = previous
    assert closed == 50
    assert time.monotonic() - started < 3
    with httpx.Client(base_url=base) as client:
        assert client.post(SINGLE, json={"externalAgentId": "a"}, headers=HEADERS).status_code == 200


# -- the admin API: clock, atomic reset and restore under traffic --------------------------------------------------


@pytest.mark.parametrize("raw", [b'{"seconds": NaN}', b'{"seconds": 1e400}', b'{"seconds": -5}', b'{"seconds": "x"}'])
def test_the_clock_refuses_values_that_are_not_a_forward_move(client: TestClient, raw: bytes) -> None:
    response = client.post("/__admin/clock/advance", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/__admin/clock").json()["offsetSeconds"] == 0


def test_the_clock_stops_before_the_year_9999_and_everything_keeps_working(client: TestClient) -> None:
    millennia = 31_536_000 * 1000
    answers = [client.post("/__admin/clock/advance", json={"seconds": millennia}).status_code for _ in range(9)]
    assert answers[:7] == [200] * 7 and answers[-1] == 400
    refusal = client.post("/__admin/clock/advance", json={"seconds": millennia})
    assert refusal.status_code == 400 and "year 9999" in refusal.json()["detail"]
    assert client.get("/__admin/clock").json()["now"][:2] in (
        "90",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
        "97",
        "98",
        "99",
    )
    assert client.post(SINGLE, json={"externalAgentId": "late"}, headers=HEADERS).status_code == 200
    assert client.post("/__admin/reset").status_code == 200


def test_reset_under_concurrent_writers_is_atomic(serve_app: Any, tmp_path: Any) -> None:
    base = serve_app(create_app(Settings(specs=(ASAPP,), db=str(tmp_path / "state.sqlite"))))
    stop = threading.Event()
    statuses: list[int] = []

    def writer(index: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as http:
            counter = 0
            while not stop.is_set():
                counter += 1
                answer = http.post(SINGLE, json={"externalAgentId": f"w{index}-{counter}"}, headers=HEADERS)
                statuses.append(answer.status_code)

    with ThreadPoolExecutor(max_workers=9) as pool:
        for index in range(8):
            pool.submit(writer, index)
        with httpx.Client(base_url=base, timeout=10) as admin:
            resets = [admin.post("/__admin/reset").status_code for _ in range(20)]
        stop.set()
    assert resets == [200] * 20
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    with httpx.Client(base_url=base) as http:
        for headers in (HEADERS, {"asapp-api-id": "asapp-prod-app-id", "asapp-api-secret": "asapp-prod-app-secret"}):
            assert http.post(SINGLE, json={"externalAgentId": "after"}, headers=headers).status_code == 200


DEMO = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())


def _every_identity_authenticates(http: httpx.Client) -> dict[str, int]:
    """Each identity of the default fixtures' credentials.yaml used once: identity -> status of its call."""
    aisera, conversation = DEMO["aisera-ingestion"], DEMO["aisera-conversation"]
    sysaid, asapp, alvaria = DEMO["sysaid-copilot"], DEMO["asapp-metadata-ingestion"], DEMO["alvaria-messaging"]
    outcome: dict[str, int] = {}
    grant = {
        "grant_type": "password",
        "client_id": aisera["app_token"],
        "username": aisera["username"],
        "password": aisera["password"],
    }
    outcome["aisera-ingestion"] = http.post("/aisera-ingestion/tenant-users/oauth2/token", data=grant).status_code
    outcome["aisera-conversation"] = http.post(
        "/aisera-conversation/api/receive",
        json={"token": conversation["token"], "userId": conversation["user_id"], "data": {"text": "hi"}},
    ).status_code
    for role in ("admin", "user"):
        cookie = f"JSESSIONID={sysaid[role]['jsessionid']}; SERVERID={sysaid[role]['serverid']}"
        outcome[f"sysaid-copilot {role}"] = http.get(
            "/sysaid-copilot/api/chat", headers={"x-sysaid-hostname": sysaid["hostname"], "Cookie": cookie}
        ).status_code
    outcome["asapp-metadata-ingestion"] = http.post(
        SINGLE,
        json={"externalAgentId": "after"},
        headers={"asapp-api-id": asapp["api_id"], "asapp-api-secret": asapp["api_secret"]},
    ).status_code
    granted = http.post(
        "/alvaria-messaging/tokenservice/oauth2/access_token",
        params={"realm": alvaria["org_id"]},
        data={"grant_type": "client_credentials", "scope": alvaria["scope"]},
        auth=(alvaria["client_id"], alvaria["client_secret"]),
    )
    outcome["alvaria-messaging token"] = granted.status_code
    if granted.status_code == 200:
        outcome["alvaria-messaging session"] = http.post(
            f"/alvaria-messaging/via/v2/organizations/{alvaria['org_id']}/streaming/session",
            json={},
            headers={"Authorization": f"Bearer {granted.json()['access_token']}", "x-api-key": alvaria["api_key"]},
        ).status_code
    return outcome


def test_every_fixture_identity_authenticates_after_resets_and_restores_under_writers(
    serve_app: Any, tmp_path: Any
) -> None:
    base = serve_app(create_app(Settings(db=str(tmp_path / "state.sqlite"))))
    with httpx.Client(base_url=base, timeout=10) as http:
        before = _every_identity_authenticates(http)
        assert http.post("/__admin/snapshots", json={"name": "seeded"}).status_code == 201
    assert set(before.values()) <= {200, 201}, before
    stop = threading.Event()
    failures: list[str] = []

    def writer() -> None:
        with httpx.Client(base_url=base, timeout=10) as http:
            while not stop.is_set():
                for name, status in _every_identity_authenticates(http).items():
                    if name.endswith(" session"):
                        continue  # its token may be issued just before a reset, which rightly forgets it
                    if status not in (200, 201):  # a half-seeded moment would show as a 401 here
                        failures.append(f"{name}: {status}")

    with ThreadPoolExecutor(max_workers=5) as pool:
        running = [pool.submit(writer) for _ in range(4)]
        with httpx.Client(base_url=base, timeout=10) as admin:
            answers = []
            for _ in range(6):
                answers.append(admin.post("/__admin/reset").status_code)
                answers.append(admin.post("/__admin/snapshots/seeded/restore").status_code)
        stop.set()
        for future in running:
            future.result()
    assert answers == [200] * 12
    assert not failures, failures[:5]
    with httpx.Client(base_url=base, timeout=10) as http:
        assert _every_identity_authenticates(http) == before


def test_restore_never_rewinds_the_journal(client: TestClient) -> None:
    for index in range(5):
        client.post(SINGLE, json={"externalAgentId": f"before-{index}"}, headers=HEADERS)
    assert client.post("/__admin/snapshots", json={"name": "s"}).status_code == 201
    for index in range(5):
        client.post(SINGLE, json={"externalAgentId": f"between-{index}"}, headers=HEADERS)
    assert client.post("/__admin/snapshots/s/restore").status_code == 200
    for index in range(5):
        client.post(SINGLE, json={"externalAgentId": f"after-{index}"}, headers=HEADERS)
    seqs = [entry["seq"] for entry in client.get(f"/__admin/journal?spec={ASAPP}").json()["entries"]]
    assert len(seqs) == 15 and seqs == sorted(set(seqs))
    assert _stored(client) == 10


# -- secrets ---------------------------------------------------------------------------------------------------------


def test_the_admin_api_needs_a_token_off_loopback() -> None:
    with pytest.raises(SettingsError, match="admin_token"):
        Settings(host="0.0.0.0")
    app = create_app(Settings(specs=(ASAPP,), host="0.0.0.0", admin_token="s3cret-admin"))
    with TestClient(app) as client:
        assert client.get("/__admin/journal").status_code == 401
        assert client.get("/__admin/journal", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/__admin/journal", headers={"Authorization": "Bearer s3cret-admin"}).status_code == 200


def test_access_log_lines_mask_credential_query_parameters() -> None:
    mask = CredentialFilter(frozenset({"access_token", "x-app-token"}))
    target = "/aisera-ingestion/alerts?access_token=SECRET1&x-app-token=SECRET2&page=2"
    arguments = ("127.0.0.1:1", "POST", target, "1.1", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', arguments, None)
    assert mask.filter(record)
    line = record.getMessage()
    assert "SECRET1" not in line and "SECRET2" not in line
    assert "access_token=[MASKED]" in line and "x-app-token=[MASKED]" in line and "page=2" in line


def test_a_stopping_server_cancels_background_work_still_waiting_after_the_grace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    from mockserver import runtime as runtime_module
    from mockserver.app import create_runtime

    monkeypatch.setattr(runtime_module, "SHUTDOWN_GRACE_SECONDS", 0.05)

    async def stop_with_work() -> tuple[bool, bool]:
        rt = create_runtime(Settings(specs=("sysaid-copilot",)))
        quick = rt.spawn(asyncio.sleep(0))
        waiting = rt.spawn(asyncio.sleep(3600))
        await rt.close()
        return quick.done() and not quick.cancelled(), waiting.cancelled()

    finished_quick, cancelled_waiting = asyncio.run(stop_with_work())
    assert finished_quick  # work that finishes within the grace is not cut short
    assert cancelled_waiting  # and a simulated hour-long job does not hold the stop
