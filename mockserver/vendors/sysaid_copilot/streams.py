"""Streamed answers: `GET /api/stream/{sid}` (Server-Sent Events) and `GET /api/chat/stream/{sid}` (polling).

`POST /api/chat` with `stream: true` stores the answer's parts as a queue under a random `sid`; both endpoints drain
the same queue from the store (so any worker can serve either). The SSE endpoint sends what is left, ending with the
`done` event (or an `error` event for "No Answer"); the polling endpoint returns and removes the queued messages,
then an empty array. A stream is forgotten `STREAM_TTL_SECONDS` of mock time after it was opened (A12: unknown or
expired `sid` is a plain-text 400).
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.knowledge import NO_ANSWER, chunks
from mockserver.vendors.sysaid_copilot.model import STREAMS, now_iso
from mockserver.vendors.sysaid_copilot.replies import Reply, ok, text
from mockserver.vendors.sysaid_copilot.session import caller

__all__ = ["STREAM_TTL_SECONDS", "get_chat_stream_messages", "open_stream", "stream_chat", "stream_document"]

STREAM_TTL_SECONDS = 300.0
"""How long (mock time) an opened stream can be read."""
STREAM_NOT_FOUND = "Stream not found"
_FIELD_ORDER = ("status", "content", "chatuid", "response", "error")
"""Field order of an event's data, as in the contract's wire example (the store does not keep key order)."""
_EVENT_NAMES = {"stream": None, "ok": "done", "error": "error"}
_SID_ALPHABET = string.ascii_lowercase + string.digits


def stream_document(
    sid: str, chat: dict[str, Any], content: str | None, *, created: str, expires_at: float | None
) -> dict[str, Any]:
    """A stream as stored: its queued messages (answer parts, then the final one) and its owner."""
    if content is None:
        final: dict[str, Any] = {"status": "error", "error": NO_ANSWER, "chatuid": chat["chatuid"]}
        queue = [final]
    else:
        final = {"status": "ok", "chatuid": chat["chatuid"], "response": content}
        queue = [{"status": "stream", "content": part} for part in chunks(content)] + [final]
    return {
        "sid": sid,
        "chatuid": chat["chatuid"],
        "org": chat["org"],
        "username": chat["username"],
        "queue": queue,
        "final": final,
        "createdAt": created,
        "expiresAt": expires_at,
    }


def open_stream(chat: dict[str, Any], content: str | None) -> str:
    """Queue an answer for streaming and return its new random `sid`."""
    rt = runtime()
    sid = "".join(secrets.choice(_SID_ALPHABET) for _ in range(16))
    expires_at = rt.clock.now() + STREAM_TTL_SECONDS
    rt.store.put(STREAMS, sid, stream_document(sid, chat, content, created=now_iso(), expires_at=expires_at))
    return sid


def _drain(sid: str, owner: tuple[str, str] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """Take the queued messages of a live stream (of `owner` (org, username) when given); None when unknown."""
    rt = runtime()
    with rt.store.transaction():
        stream = rt.store.get(STREAMS, sid)
        if stream is None:
            return None
        if stream["expiresAt"] is not None and rt.clock.now() >= stream["expiresAt"]:
            rt.store.delete(STREAMS, sid)
            return None
        if owner is not None and (stream["org"], stream["username"]) != owner:
            return None
        if stream["queue"]:
            rt.store.put(STREAMS, sid, {**stream, "queue": []})
        return stream["queue"], stream["final"]


def _event(message: dict[str, Any]) -> bytes:
    name = _EVENT_NAMES.get(message["status"])
    ordered = {key: message[key] for key in _FIELD_ORDER if key in message}
    data = json.dumps(ordered, separators=(",", ":"), ensure_ascii=False)
    return (f"event: {name}\n" if name else "").encode() + f"data: {data}\n\n".encode()


async def stream_chat(sid: str) -> Reply | StreamingResponse:
    """`GET /api/stream/{sid}`: the rest of the answer as Server-Sent Events, ending with `done` or `error` (A11)."""
    drained = _drain(sid)
    if drained is None:
        return text(STREAM_NOT_FOUND, 400)
    queue, final = drained
    events = queue if queue and queue[-1] == final else [*queue, final]

    async def send() -> AsyncIterator[bytes]:
        for message in events:
            yield _event(message)

    return StreamingResponse(send(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def get_chat_stream_messages(sid: str) -> Reply:
    """`GET /api/chat/stream/{sid}`: the messages queued since the last poll (possibly none), then removed."""
    user = caller()
    drained = _drain(sid, owner=(user.org, user.username))
    if drained is None:
        return text(STREAM_NOT_FOUND, 400)
    return ok(messages=drained[0])
