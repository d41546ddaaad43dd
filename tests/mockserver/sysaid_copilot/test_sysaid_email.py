"""`POST /api/chat/fromEmail`: "Chat started" at once, the chat in the background, then the SysAid callback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sysaid_support import Sysaid

from mockserver.vendors.sysaid_copilot.email import CALLBACK_PATH

START = {"accountId": "exampleAccountId", "srId": 12345}


class SysaidServer:
    """A stand-in SysAid server that records the notifications it receives."""

    def __init__(self, status: int) -> None:
        self.received: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.received.append((self.path, json.loads(body), dict(self.headers)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SysaidServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sysaid_server() -> Iterator[Callable[[int], SysaidServer]]:
    servers: list[SysaidServer] = []

    def start(status: int = 200) -> SysaidServer:
        server = SysaidServer(status).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def wait_for_callbacks(sysaid: Sysaid, count: int = 1) -> list[dict[str, Any]]:
    """The callback journal entries, once `count` are there (the chat runs in the background)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        entries = sysaid.journal("callback")
        if len(entries) >= count:
            return entries
        time.sleep(0.02)
    raise AssertionError(f"expected {count} callback(s), journal has {sysaid.journal('callback')}")


def test_chat_started_then_callback_sent_and_journaled(
    make_sysaid: Callable[..., Sysaid], sysaid_server: Callable[[int], SysaidServer]
) -> None:
    server = sysaid_server(200)
    sysaid = make_sysaid(sysaid_callback_base_url=server.url + "/", background_delay_seconds=0)
    assert sysaid.ok("POST", "/api/chat/fromEmail", json=START) == {"status": "ok", "response": "Chat started"}
    entry = wait_for_callbacks(sysaid)[0]
    detail = entry["detail"]
    assert (entry["kind"], entry["spec"]) == ("callback", "sysaid-copilot")
    assert (detail["url"], detail["sent"], detail["status"], detail["outcome"]) == (
        server.url + CALLBACK_PATH,
        True,
        200,
        "accepted",
    )
    path, payload, headers = server.received[0]
    assert path == CALLBACK_PATH
    assert payload == detail["payload"]
    assert payload["accountId"] == "exampleAccountId"
    assert (payload["srId"], payload["status"], payload["relevant"]) == (12345, "answered", True)
    assert payload["response"] == "Restart the VPN client and sign in again."
    assert "Cookie" not in headers
    assert "JSESSIONID" not in json.dumps(entry)


def test_background_chat_is_a_thread_of_the_srs_requester(
    make_sysaid: Callable[..., Sysaid], sysaid_server: Callable[[int], SysaidServer]
) -> None:
    server = sysaid_server(200)
    sysaid = make_sysaid(sysaid_callback_base_url=server.url, background_delay_seconds=0)
    sysaid.ok("POST", "/api/chat/fromEmail", json=START)
    chatuid = wait_for_callbacks(sysaid)[0]["detail"]["chatuid"]
    chats = sysaid.ok("GET", "/api/chat", who="user")["chats"]
    assert {"chatuid": chatuid, "summary": "VPN error 401"} in chats
    messages = sysaid.ok("GET", f"/api/chat/{chatuid}", who="user")["messages"]
    assert messages[1]["content"] == "Restart the VPN client and sign in again."
    sr = next(s for s in sysaid.records("service-requests") if s["srId"] == 12345)
    assert sr["chatuid"] == chatuid


def test_refused_callback_is_journaled_with_its_status(
    make_sysaid: Callable[..., Sysaid], sysaid_server: Callable[[int], SysaidServer]
) -> None:
    server = sysaid_server(503)
    sysaid = make_sysaid(sysaid_callback_base_url=server.url, background_delay_seconds=0)
    sysaid.ok("POST", "/api/chat/fromEmail", json=START)
    detail = wait_for_callbacks(sysaid)[0]["detail"]
    assert (detail["sent"], detail["status"], detail["outcome"]) == (True, 503, "refused with HTTP 503")


def test_unreachable_sysaid_server_is_journaled_as_failed(make_sysaid: Callable[..., Sysaid]) -> None:
    sysaid = make_sysaid(sysaid_callback_base_url="http://127.0.0.1:9", background_delay_seconds=0)
    sysaid.ok("POST", "/api/chat/fromEmail", json=START)
    detail = wait_for_callbacks(sysaid)[0]["detail"]
    assert detail["sent"] is False
    assert detail["outcome"].startswith("failed: ConnectError")


def test_without_a_base_url_the_attempt_is_journaled_as_not_sent(make_sysaid: Callable[..., Sysaid]) -> None:
    sysaid = make_sysaid(background_delay_seconds=0)
    sysaid.ok("POST", "/api/chat/fromEmail", json=START)
    detail = wait_for_callbacks(sysaid)[0]["detail"]
    assert (detail["sent"], detail["url"]) == (False, None)
    assert "sysaid_callback_base_url" in detail["outcome"]


def test_each_organization_answers_from_its_own_knowledge(make_sysaid: Callable[..., Sysaid]) -> None:
    sysaid = make_sysaid(background_delay_seconds=0)
    sysaid.ok("POST", "/api/chat/fromEmail", who="globex_admin", json={"accountId": "globex", "srId": 5001})
    payload = wait_for_callbacks(sysaid)[0]["detail"]["payload"]
    assert (payload["accountId"], payload["srId"], payload["relevant"]) == ("globex", 5001, True)
    assert payload["response"] == "Globex uses GlobalProtect; reconnect to the nearest gateway."


def test_unanswered_email_is_reported_as_not_relevant(make_sysaid: Callable[..., Sysaid]) -> None:
    sysaid = make_sysaid(background_delay_seconds=0)
    chatuid = sysaid.call("POST", "/api/chat", json={"text": "The coffee machine is broken"}).json()["chatuid"]
    operation = sysaid.call("PUT", f"/api/sr/{chatuid}").json()["longOperationId"]
    sr_id = [sysaid.call("GET", f"/api/longOperation/{operation}").json() for _ in range(2)][-1]["srId"]
    sysaid.ok("POST", "/api/chat/fromEmail", json={**START, "srId": sr_id})
    payload = wait_for_callbacks(sysaid)[0]["detail"]["payload"]
    assert (payload["srId"], payload["status"], payload["response"]) == (sr_id, "no-answer", None)
    assert (payload["qualityRate"], payload["relevant"]) == (0.0, False)


def test_wrong_account_unknown_or_foreign_sr_are_refused(sysaid: Sysaid) -> None:
    assert "is not the SysAid account" in sysaid.refused(
        "POST", "/api/chat/fromEmail", json={"accountId": "globex", "srId": 12345}
    )
    assert sysaid.refused("POST", "/api/chat/fromEmail", json={**START, "srId": 999}) == "Service request 999 not found"
    assert (
        sysaid.refused("POST", "/api/chat/fromEmail", who="globex_admin", json={"accountId": "globex", "srId": 12345})
        == "Service request 12345 not found"
    )


def test_closed_sr_is_refused(sysaid: Sysaid) -> None:
    sysaid.ok("POST", "/api/chat/resolve", json={"chatuid": "c0ffee00-0000-4000-8000-000000000001"})
    assert (
        sysaid.refused("POST", "/api/chat/fromEmail", json={**START, "srId": 12346})
        == "Service request 12346 is closed"
    )


def test_sr_id_must_be_numeric(sysaid: Sysaid) -> None:
    response = sysaid.call("POST", "/api/chat/fromEmail", json={**START, "srId": "12345"})
    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "srId: '12345' is not of type 'integer'"}
