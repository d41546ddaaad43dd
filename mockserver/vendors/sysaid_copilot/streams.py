"""Streamed answers: `GET /api/stream/{sid}` (Server-Sent Events) and `GET /api/chat/stream/{sid}` (polling).

`POST /api/chat` with `stream: true` queues the answer's parts under a random `sid`, stored under its digest (the
`sid` is the SSE endpoint's only protection, so the store never holds it in clear). Both endpoints drain the same
queue from the store, so any worker can serve either:

- the SSE endpoint sends what is left, always ending with the last event (`done`, or `error` for "No Answer"), and
  forgets the stream once that last event has gone out (A40);
- the polling endpoint returns and removes the queued messages; once they are all taken it answers an empty array
  (as the guide documents) until the stream expires.

A stream is forgotten `STREAM_TTL_SECONDS` of mock time after it was opened (A12: an unknown or expired `sid` is a
plain-text 400); expired streams are purged whenever a stream is opened or read. Fixture streams (the contract's
example `sid`) are recordings: every read replays them in full, and they never expire.
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
from mockserver.vendors.sysaid_copilot.model import STREAMS, digest, now_iso
from mockserver.vendors.sysaid_copilot.replies import Reply, ok, text
from mockserver.vendors.sysaid_copilot.session import caller

__all__ = [
    "STREAM_NOT_FOUND",
    "STREAM_TTL_SECONDS",
    "get_chat_stream_messages",
    "open_stream",
    "purge_expired_streams",
    "stream_chat",
    "stream_document",
]

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
    """A stream as stored under `digest(sid)`: its queued messages (answer parts, then the last one) and its owner;
    a stream that never expires is a fixture recording, replayed in full on every read."""
    if content is None:
        final: dict[str, Any] = {"status": "error", "error": NO_ANSWER, "chatuid": chat["chatuid"]}
        queue = [final]
    else:
        final = {"status": "ok", "chatuid": chat["chatuid"], "response": content}
        queue = [{"status": "stream", "content": part} for part in chunks(content)] + [final]
    return {
        "key": digest(sid),
        "chatuid": chat["chatuid"],
        "org": chat["org"],
        "username": chat["username"],
        "queue": queue,
        "final": final,
        "createdAt": created,
        "expiresAt": expires_at,
    }


async def purge_expired_streams() -> int:
    """Forget every stream whose time is up on the mock clock; returns how many went."""
    rt = runtime()
    now = rt.clock.now()
    purged = 0
    async with rt.store.transaction():
        for stream in await rt.store.find(STREAMS):
            if stream["expiresAt"] is not None and now >= stream["expiresAt"]:
                purged += await rt.store.delete(STREAMS, stream["key"])
    return purged


async def open_stream(chat: dict[str, Any], content: str | None) -> str:
    """Queue an answer for streaming and return its new random `sid`."""
    rt = runtime()
    await purge_expired_streams()
    sid = "".join(secrets.choice(_SID_ALPHABET) for _ in range(16))
    expires_at = rt.clock.now() + STREAM_TTL_SECONDS
    await rt.store.put(
        STREAMS, digest(sid), stream_document(sid, chat, content, created=now_iso(), expires_at=expires_at)
    )
    return sid


async def _take(sid: str, owner: tuple[str, str] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """The queued messages of a live stream (of `owner` (org, username) when given), removed from its queue, and
    the stream; None when it is unknown, expired or someone else's. A recording gives its whole queue every time."""
    await purge_expired_streams()
    store = runtime().store
    async with store.transaction():
        stream = await store.get(STREAMS, digest(sid))
        if stream is None or (owner is not None and (stream["org"], stream["username"]) != owner):
            return None
        if stream["queue"] and stream["expiresAt"] is not None:
            await store.put(STREAMS, stream["key"], {**stream, "queue": []})
    return stream["queue"], stream


def _event(message: dict[str, Any]) -> bytes:
    name = _EVENT_NAMES.get(message["status"])
    ordered = {key: message[key] for key in _FIELD_ORDER if key in message}
    data = json.dumps(ordered, separators=(",", ":"), ensure_ascii=False)
    return (f"event: {name}\n" if name else "").encode() + f"data: {data}\n\n".encode()


async def stream_chat(sid: str) -> Reply | StreamingResponse:
    """`GET /api/stream/{sid}`: the rest of the answer as Server-Sent Events, ending with `done` or `error` (A11);
    the stream is forgotten once its last event has been sent (A40)."""
    taken = await _take(sid)
    if taken is None:
        return text(STREAM_NOT_FOUND, 400)
    queue, stream = taken
    events = queue if queue and queue[-1] == stream["final"] else [*queue, stream["final"]]

    async def send() -> AsyncIterator[bytes]:
        for message in events:
            yield _event(message)
        if stream["expiresAt"] is not None:
            await runtime().store.delete(STREAMS, stream["key"])

    return StreamingResponse(send(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def get_chat_stream_messages(sid: str) -> Reply:
    """`GET /api/chat/stream/{sid}`: the messages queued since the last poll (possibly none), then removed."""
    user = caller()
    taken = await _take(sid, owner=(user.org, user.username))
    if taken is None:
        return text(STREAM_NOT_FOUND, 400)
    return ok(messages=taken[0])
