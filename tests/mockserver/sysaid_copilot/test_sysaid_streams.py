"""Streamed answers: Server-Sent Events on `/api/stream/{sid}`, queued messages on `/api/chat/stream/{sid}`."""

from __future__ import annotations

import json
from typing import Any

from sysaid_support import EXAMPLE_CHAT, Sysaid

from mockserver.vendors.sysaid_copilot.streams import STREAM_TTL_SECONDS

PRINTER = "Turn the printer off and on, then check that it shows Online in Settings > Printers."


def events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(event name, decoded data) of every event of an SSE body."""
    parsed = []
    for block in text.split("\n\n"):
        if not block:
            continue
        name, data = "message", ""
        for line in block.split("\n"):
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                data = value
        parsed.append((name, json.loads(data)))
    return parsed


def open_stream(sysaid: Sysaid, text: str, who: str = "admin") -> dict[str, Any]:
    body = sysaid.call("POST", "/api/chat", who, json={"text": text, "stream": True}).json()
    assert body["status"] == "stream"
    assert body["sid"]
    return dict(body)


def test_sse_stream_sends_the_answer_in_parts_then_done(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline")
    response = sysaid.call("GET", f"/api/stream/{started['sid']}", who=None)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    received = events(response.text)
    parts = [data for name, data in received if name == "message"]
    assert all(part["status"] == "stream" for part in parts)
    assert len(parts) > 1
    assert "".join(part["content"] for part in parts) == PRINTER
    assert received[-1] == ("done", {"status": "ok", "chatuid": started["chatuid"], "response": PRINTER})
    assert response.text.startswith('data: {"status":"stream","content":"Turn the printer off"}\n\n')


def test_streamed_exchange_is_stored_in_the_thread(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline", who="user")
    messages = sysaid.ok("GET", f"/api/chat/{started['chatuid']}", who="user")["messages"]
    assert [m["content"] for m in messages] == ["printer offline", PRINTER]


def test_no_answer_streams_an_error_event(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "tell me a joke")
    received = events(sysaid.call("GET", f"/api/stream/{started['sid']}", who=None).text)
    assert received == [("error", {"status": "error", "error": "No Answer", "chatuid": started["chatuid"]})]


def test_polling_returns_and_drains_the_queue(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline")
    messages = sysaid.ok("GET", f"/api/chat/stream/{started['sid']}")["messages"]
    assert messages[-1] == {"status": "ok", "chatuid": started["chatuid"], "response": PRINTER}
    assert "".join(m["content"] for m in messages[:-1]) == PRINTER
    assert sysaid.ok("GET", f"/api/chat/stream/{started['sid']}")["messages"] == []
    after_drain = events(sysaid.call("GET", f"/api/stream/{started['sid']}", who=None).text)
    assert after_drain == [("done", messages[-1])]


def test_sse_drains_what_polling_would_return(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline")
    sysaid.call("GET", f"/api/stream/{started['sid']}", who=None)
    assert sysaid.ok("GET", f"/api/chat/stream/{started['sid']}")["messages"] == []


def test_unknown_sid_is_a_plain_text_400(sysaid: Sysaid) -> None:
    for path, who in (("/api/stream/nope", None), ("/api/chat/stream/nope", "admin")):
        response = sysaid.call("GET", path, who=who)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "Stream not found"


def test_streams_expire_on_the_mock_clock(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline")
    sysaid.advance(STREAM_TTL_SECONDS + 1)
    assert sysaid.call("GET", f"/api/stream/{started['sid']}", who=None).text == "Stream not found"
    assert sysaid.call("GET", f"/api/chat/stream/{started['sid']}").status_code == 400


def test_polling_another_users_stream_is_refused(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline", who="user")
    assert sysaid.call("GET", f"/api/chat/stream/{started['sid']}", who="user2").text == "Stream not found"
    assert sysaid.call("GET", f"/api/chat/stream/{started['sid']}", who="globex_user").status_code == 400
    assert len(sysaid.ok("GET", f"/api/chat/stream/{started['sid']}", who="user")["messages"]) > 1


def test_fixture_stream_of_the_contract_example_never_expires(sysaid: Sysaid) -> None:
    sysaid.advance(10 * STREAM_TTL_SECONDS)
    received = events(sysaid.call("GET", "/api/stream/12345", who=None).text)
    assert received[-1][0] == "done"
    assert received[-1][1]["chatuid"] == EXAMPLE_CHAT
