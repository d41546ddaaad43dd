"""Alvaria streaming sessions: create, delete, long-poll events; the session behind `via-client-sessionid`.

A session belongs to the organization it was created in and lives while it is polled: when no GET /events arrives
within its `inactivityDelay` (default 60 s) on the mock clock, it is dropped with its pending events, and its id is
answered 400 "Invalid via-client-sessionid" from then on, as for a deleted or unknown one. Creating a session also
sweeps out every session idle past its delay (at most once per `SWEEP_INTERVAL_SECONDS`). The session id is a
credential: it is stored by its SHA-256 only (`directory.credential_key`) and never echoed in an error.

Events are delivered once, oldest first, at most `maxEvents` per poll; a poll with nothing pending answers at once
with no events instead of holding the request (a long poll that timed out). `requireAcknowledgement` is stored but
has no effect: the contract has no acknowledge operation, so events are never re-delivered. Defaults
(`inactivityDelay`, `requireAcknowledgement`, `maxEvents`) are the contract's.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from starlette.responses import Response

from contracts import Operation, load_contract
from mockserver.pipeline.call import current
from mockserver.problems import Location, Rejected
from mockserver.runtime import runtime
from mockserver.store import Document
from mockserver.vendors.alvaria_messaging import directory
from mockserver.vendors.alvaria_messaging.auth import BEARER
from mockserver.vendors.alvaria_messaging.envelopes import INVALID_SESSION, refusal

__all__ = [
    "SESSION_HEADER",
    "SWEEP_INTERVAL_SECONDS",
    "create_streaming_session",
    "delete_streaming_session",
    "get_streaming_events",
    "invalid_session",
    "live_session",
    "publish",
    "require_organization",
]

SESSION_HEADER = "via-client-sessionid"
SWEEP_INTERVAL_SECONDS = 10.0
"""How often (mock seconds) session creation looks for idle sessions of other clients to drop."""
_EVENT_COUNTER = f"{directory.SPEC}/eventSeq"
_SWEEP = "sessionSweep"

Reply = tuple[dict[str, Any], int, dict[str, str]]


@functools.cache
def _body_defaults(operation_id: str) -> dict[str, Any]:
    """The defaults the contract gives the fields of an operation's JSON request body."""
    contract = load_contract(directory.SPEC)
    body = contract.operations[operation_id].request_body
    media = body.content.get("application/json") if body is not None else None
    schema = contract.inline(media.schema) if media is not None and media.schema is not None else {}
    return {name: node["default"] for name, node in schema.get("properties", {}).items() if "default" in node}


def _query_default(operation: Operation, name: str) -> Any:
    parameter = operation.parameter("query", name)
    return (parameter.schema or {}).get("default") if parameter is not None else None


async def require_organization(org_id: str) -> None:
    """404 for an organization the fixtures do not hold."""
    if await directory.organization(org_id) is None:
        raise refusal(404, f"Organization {org_id!r} not found.", scope="orgId", location=Location.PATH)


def invalid_session() -> Rejected:
    """The vendor's stale-session answer: a 400 "Invalid ..." telling the client to create a new session."""
    detail = (
        f"The streaming session named by {SESSION_HEADER} does not exist in this organization, was deleted, or was "
        "dropped after no events poll within its inactivityDelay; create a new session."
    )
    return refusal(400, detail, scope=SESSION_HEADER, reason=INVALID_SESSION, location=Location.HEADER)


def _expired(session: Document, now: float) -> bool:
    return bool(now - session["lastPollAt"] > session["inactivityDelay"])


async def _drop(session: Document, why: str) -> None:
    store = runtime().store
    await store.delete(directory.SESSIONS, session["sessionSha256"])
    await store.delete_where(directory.EVENTS, session=session["sessionSha256"])
    detail = {"event": "streamingSessionDropped", "sessionSha256": session["sessionSha256"], "why": why}
    runtime().journal_event(directory.SPEC, "background", detail)


def _idle(session: Document) -> str:
    return f"no events poll within {session['inactivityDelay']} s"


async def live_session(org_id: str) -> Document:
    """The organization's session named by the request's header; dropped now if idle past its delay."""
    key = directory.credential_key(current().headers.get(SESSION_HEADER, ""))
    rt = runtime()
    async with rt.store.transaction():
        found = await rt.store.get(directory.SESSIONS, key)
        stale = found is not None and found["orgId"] == org_id and _expired(found, rt.clock.now())
        if found is not None and stale:
            await _drop(found, _idle(found))
    if found is None or found["orgId"] != org_id or stale:
        raise invalid_session()
    return found


async def publish(session: Document, event_type: str, payload: dict[str, Any]) -> None:
    """Queue an event on a session's stream (call within the transaction that saw the session live)."""
    rt = runtime()
    number = await rt.store.increment(_EVENT_COUNTER)
    event_id = f"{number:012d}"
    event = {
        "eventId": event_id,
        "session": session["sessionSha256"],
        "eventType": event_type,
        "eventTime": rt.clock.now_iso(),
        "payload": payload,
    }
    await rt.store.put(directory.EVENTS, event_id, event)


async def _sweep(now: float) -> None:
    """Drop every session idle past its delay, unless a sweep ran within the last interval."""
    store = runtime().store
    last = await store.get(directory.CONFIG, _SWEEP)
    if last is not None and now < last["nextAt"]:
        return
    for session in await store.find(directory.SESSIONS):
        if _expired(session, now):
            await _drop(session, _idle(session))
    await store.put(directory.CONFIG, _SWEEP, {"nextAt": now + SWEEP_INTERVAL_SECONDS})


async def create_streaming_session(org_id: str, body: dict[str, Any] | None = None) -> Reply:
    """Open a session in the organization; sessions idle past their delay are swept out first."""
    await require_organization(org_id)
    call = current()
    options = {**_body_defaults(call.operation_id), **(body or {})}
    rt = runtime()
    session_id = str(uuid.uuid4())
    key = directory.credential_key(session_id)
    now = rt.clock.now()
    session: Document = {
        "sessionSha256": key,
        "orgId": org_id,
        "clientId": call.principal[BEARER]["clientId"],
        "creationTime": rt.clock.now_iso(),
        "inactivityDelay": int(options["inactivityDelay"]),
        "requireAcknowledgement": bool(options["requireAcknowledgement"]),
        "lastPollAt": now,
    }
    async with rt.store.transaction():
        await _sweep(now)
        await rt.store.put(directory.SESSIONS, key, session)
    reply = {
        "sessionId": session_id,
        "creationTime": session["creationTime"],
        "inactivityDelay": session["inactivityDelay"],
    }
    return reply, 200, {}


async def delete_streaming_session(org_id: str) -> Response:
    """End a live session and discard its pending events."""
    await require_organization(org_id)
    session = await live_session(org_id)
    async with runtime().store.transaction():
        if await runtime().store.get(directory.SESSIONS, session["sessionSha256"]) is None:
            raise invalid_session()  # deleted by a concurrent request; nothing written here
        await _drop(session, "deleted by the client")
    return Response(status_code=204)


async def get_streaming_events(org_id: str, max_events: int | None = None) -> Reply:
    """Deliver up to `maxEvents` pending events, oldest first, and restart the inactivity timer."""
    await require_organization(org_id)
    call = current()
    limit = max_events if max_events is not None else int(_query_default(call.operation, "maxEvents"))
    session = await live_session(org_id)
    rt = runtime()
    key = session["sessionSha256"]
    async with rt.store.transaction():
        if await rt.store.update(directory.SESSIONS, key, {"lastPollAt": rt.clock.now()}) is None:
            raise invalid_session()  # deleted by a concurrent request; nothing written here
        pending = await rt.store.find(directory.EVENTS, limit=min(limit, 2**31), session=key)
        for event in pending:
            await rt.store.delete(directory.EVENTS, event["eventId"])
    events = [{name: event[name] for name in ("eventType", "eventTime", "payload")} for event in pending]
    return {"events": events}, 200, {}
