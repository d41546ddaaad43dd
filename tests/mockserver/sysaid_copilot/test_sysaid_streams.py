"""Streamed answers: Server-Sent Events on `/api/stream/{sid}`, queued messages on `/api/chat/stream/{sid}`.

Every SSE body is read with `checked_events`, which validates each event's data against the schema the contract's
`x-sse-events` names for that event.
"""

from __future__ import annotations

from typing import Any

from sysaid_support import EXAMPLE_CHAT, SPEC, Sysaid, checked_events

from contracts import load_contract
from mockserver.vendors.sysaid_copilot.model import digest
from mockserver.vendors.sysaid_copilot.streams import STREAM_TTL_SECONDS

PRINTER = "Turn the printer off and on, then check that it shows Online in Settings > Printers."


def open_stream(sysaid: Sysaid, text: str, who: str = "admin") -> dict[str, Any]:
    body = sysaid.call("POST", "/api/chat", who, json={"text": text, "stream": True}).json()
    assert body["status"] == "stream"
    assert body["sid"]
    return dict(body)


def stream_keys(sysaid: Sysaid) -> set[str]:
    return {stream["key"] for stream in sysaid.records("streams")}


def test_sse_stream_sends_the_answer_in_parts_then_done(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline")
    response = sysaid.call("GET", f"/api/stream/{started['sid']}", who=None)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    received = checked_events(response.text)
    parts = [data for name, data in received if name == "message"]
    assert len(parts) > 1
    assert "".join(part["content"] for part in parts) == PRINTER
    assert received[-1] == ("done", {"status": "ok", "chatuid": started["chatuid"], "response": PRINTER})
    assert response.text.startswith('data: {"status":"stream","content":"Turn the printer off"}\n\n')


def test_every_example_of_the_stream_contract_is_a_valid_stream() -> None:
    media = load_contract(SPEC).operations["streamChat"].responses["200"].content["text/event-stream"]
    assert set(media.examples) == {"answer", "noAnswer"}
    assert [name for name, _ in checked_events(media.examples["answer"])] == ["message", "message", "done"]
    assert checked_events(media.examples["noAnswer"])[0][1]["error"] == "No Answer"


def test_streamed_exchange_is_stored_in_the_thread(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline", who="user")
    messages = sysaid.ok("GET", f"/api/chat/{started['chatuid']}", who="user")["messages"]
    assert [m["content"] for m in messages] == ["printer offline", PRINTER]


def test_no_answer_streams_an_error_event(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "tell me a joke")
    received = checked_events(sysaid.call("GET", f"/api/stream/{started['sid']}", who=None).text)
    assert received == [("error", {"status": "error", "error": "No Answer", "chatuid": started["chatuid"]})]


def test_a_fully_delivered_stream_is_forgotten(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline")
    key = digest(started["sid"])
    assert key in stream_keys(sysaid)
    checked_events(sysaid.call("GET", f"/api/stream/{started['sid']}", who=None).text)
    assert key not in stream_keys(sysaid)
    again = sysaid.call("GET", f"/api/stream/{started['sid']}", who=None)
    assert (again.status_code, again.text) == (400, "Stream not found")
    assert sysaid.call("GET", f"/api/chat/stream/{started['sid']}").text == "Stream not found"


def test_polling_returns_and_drains_the_queue_then_sse_sends_the_last_event(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline")
    messages = sysaid.ok("GET", f"/api/chat/stream/{started['sid']}")["messages"]
    assert messages[-1] == {"status": "ok", "chatuid": started["chatuid"], "response": PRINTER}
    assert "".join(m["content"] for m in messages[:-1]) == PRINTER
    assert sysaid.ok("GET", f"/api/chat/stream/{started['sid']}")["messages"] == []
    after_drain = checked_events(sysaid.call("GET", f"/api/stream/{started['sid']}", who=None).text)
    assert after_drain == [("done", messages[-1])]
    assert digest(started["sid"]) not in stream_keys(sysaid)


def test_undelivered_streams_are_purged_on_the_mock_clock(sysaid: Sysaid) -> None:
    forgotten = open_stream(sysaid, "printer offline")
    polled = open_stream(sysaid, "printer offline")
    sysaid.ok("GET", f"/api/chat/stream/{polled['sid']}")
    sysaid.advance(STREAM_TTL_SECONDS + 1)
    fresh = open_stream(sysaid, "printer offline")
    keys = stream_keys(sysaid)
    assert digest(fresh["sid"]) in keys
    assert digest(forgotten["sid"]) not in keys
    assert digest(polled["sid"]) not in keys
    assert sysaid.call("GET", f"/api/stream/{forgotten['sid']}", who=None).text == "Stream not found"


def test_streams_expire_on_the_mock_clock(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline")
    sysaid.advance(STREAM_TTL_SECONDS + 1)
    assert sysaid.call("GET", f"/api/stream/{started['sid']}", who=None).text == "Stream not found"
    assert sysaid.call("GET", f"/api/chat/stream/{started['sid']}").status_code == 400
    assert digest(started["sid"]) not in stream_keys(sysaid)


def test_stream_ids_are_stored_and_journaled_only_as_digests(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline")
    stored = str(sysaid.records("streams"))
    assert started["sid"] not in stored
    assert digest(started["sid"]) in stored
    started_entry = [e for e in sysaid.journal("request") if e["operationId"] == "startChat"][-1]
    assert started["sid"] not in str(started_entry["response"])
    assert '"sid": "[MASKED]"' in started_entry["response"]["body"]


def test_unknown_sid_is_a_plain_text_400(sysaid: Sysaid) -> None:
    for path, who in (("/api/stream/nope", None), ("/api/chat/stream/nope", "admin")):
        response = sysaid.call("GET", path, who=who)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "Stream not found"


def test_polling_another_users_stream_is_refused(sysaid: Sysaid) -> None:
    started = open_stream(sysaid, "printer offline", who="user")
    assert sysaid.call("GET", f"/api/chat/stream/{started['sid']}", who="user2").text == "Stream not found"
    assert sysaid.call("GET", f"/api/chat/stream/{started['sid']}", who="globex_user").status_code == 400
    assert len(sysaid.ok("GET", f"/api/chat/stream/{started['sid']}", who="user")["messages"]) > 1


def test_fixture_recording_of_the_contract_example_replays_in_full_and_never_expires(sysaid: Sysaid) -> None:
    first = checked_events(sysaid.call("GET", "/api/stream/12345", who=None).text)
    assert first[-1][0] == "done"
    assert first[-1][1]["chatuid"] == EXAMPLE_CHAT
    assert len(first) > 1
    sysaid.advance(10 * STREAM_TTL_SECONDS)
    assert checked_events(sysaid.call("GET", "/api/stream/12345", who=None).text) == first
    polled = sysaid.ok("GET", "/api/chat/stream/12345")["messages"]
    assert polled == sysaid.ok("GET", "/api/chat/stream/12345")["messages"]
    assert [message["status"] for message in polled][-1] == "ok"
