"""Alvaria streaming sessions: create, delete, long-poll events; the session behind `via-client-sessionid`.

A session belongs to the organization it was created in and lives while it is polled: when no GET /events arrives
within its `inactivityDelay` (default 60 s) on the mock clock, it is dropped with its pending events, and its id is
answered 400 "Invalid via-client-sessionid" from then on, as for a deleted or unknown one. Events are delivered
once, oldest first, at most `maxEvents` per poll; a poll with nothing pending answers at once with no events
instead of holding the request (a long poll that timed out). `requireAcknowledgement` is stored but has no effect:
the contract has no acknowledge operation, so events are never re-delivered.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from connexion.context import context, request
from starlette.responses import Response

from mockserver.runtime import runtime
from mockserver.store import Document
from mockserver.vendors.alvaria_messaging import directory
from mockserver.vendors.alvaria_messaging.envelopes import JSON, Reply, error_reply

__all__ = [
    "SESSION_HEADER",
    "create_streaming_session",
    "delete_streaming_session",
    "get_streaming_events",
    "invalid_session",
    "live_session",
    "missing_organization",
    "prepare_contract",
    "publish",
    "session_header",
]

SESSION_HEADER = "via-client-sessionid"
DEFAULT_INACTIVITY_DELAY = 60
"""Seconds without a poll before the vendor drops a session (Streaming Client REST API; 120 recommended)."""
_EVENT_COUNTER = f"{directory.SPEC}/eventSeq"


def session_header() -> str:
    """The `via-client-sessionid` of the current request."""
    return str(request.headers.get(SESSION_HEADER, ""))


def missing_organization(org_id: str) -> Reply | None:
    """404 for an organization the fixtures do not hold."""
    if directory.organization(org_id) is None:
        return error_reply(404, f"Organization {org_id!r} not found.", scope="orgId")
    return None


def invalid_session(session_id: str) -> Reply:
    """The vendor's stale-session answer: a 400 "Invalid ..." telling the client to create a new session."""
    return error_reply(
        400,
        f"Streaming session {session_id!r} does not exist in this organization, was deleted, or was dropped after "
        "no events poll within its inactivityDelay; create a new session.",
        scope=SESSION_HEADER,
        reason="invalidSession",
        message=f"Invalid {SESSION_HEADER}",
    )


def _drop(session: Document, why: str) -> None:
    store = runtime().store
    store.delete(directory.SESSIONS, session["sessionId"])
    store.delete_where(directory.EVENTS, sessionId=session["sessionId"])
    detail = {"event": "streamingSessionDropped", "sessionId": session["sessionId"], "why": why}
    runtime().journal_event(directory.SPEC, "background", detail)


def _expired(session: Document) -> bool:
    return bool(runtime().clock.now() - session["lastPollAt"] > session["inactivityDelay"])


def live_session(org_id: str, session_id: str) -> Document | None:
    """The organization's session with that id, unless unknown or dropped for inactivity (dropped now if due)."""
    found = runtime().store.get(directory.SESSIONS, session_id)
    if found is None or found["orgId"] != org_id:
        return None
    if _expired(found):
        _drop(found, f"no events poll within {found['inactivityDelay']} s")
        return None
    return found


def publish(session: Document, event_type: str, payload: dict[str, Any]) -> None:
    """Queue an event on a session's stream."""
    rt = runtime()
    number = rt.store.increment(_EVENT_COUNTER)
    event_id = f"{session['sessionId']}:{number:012d}"
    event = {
        "eventId": event_id,
        "sessionId": session["sessionId"],
        "eventType": event_type,
        "eventTime": rt.clock.now_iso(),
        "payload": payload,
    }
    rt.store.put(directory.EVENTS, event_id, event)


def prepare_contract(document: dict[str, Any]) -> dict[str, Any]:
    """Connexion's copy: the create-session body becomes required, so a literal JSON `null` is refused.

    The core's optional-body validator lets `null` through as if no body had been sent; with `required: true` an
    absent body still passes, because Connexion substitutes the schema's `default: {}` before validating.
    """
    for item in document.get("paths", {}).values():
        operation = item.get("post", {})
        if operation.get("operationId") == "createStreamingSession":
            operation["requestBody"]["required"] = True
    return document


def _options(body: Any) -> dict[str, Any]:
    """The create-session body; an omitted one arrives as the schema default, `b'{}'` (Connexion 3.3)."""
    if isinstance(body, bytes | str):
        body = json.loads(body) if body.strip() else {}
    return body if isinstance(body, dict) else {}


async def create_streaming_session(org_id: str, body: Any = None) -> Reply:
    """Open a session in the organization; sessions of any client idle past their delay are dropped first."""
    missing = missing_organization(org_id)
    if missing:
        return missing
    rt = runtime()
    options = _options(body)
    for stale in rt.store.find(directory.SESSIONS):
        if _expired(stale):
            _drop(stale, f"no events poll within {stale['inactivityDelay']} s")
    caller = _caller()
    session_id = str(uuid.uuid4())
    session: Document = {
        "sessionId": session_id,
        "orgId": org_id,
        "clientId": caller,
        "creationTime": rt.clock.now_iso(),
        "inactivityDelay": int(options.get("inactivityDelay", DEFAULT_INACTIVITY_DELAY)),
        "requireAcknowledgement": bool(options.get("requireAcknowledgement", False)),
        "lastPollAt": rt.clock.now(),
    }
    rt.store.put(directory.SESSIONS, session_id, session)
    reply = {key: session[key] for key in ("sessionId", "creationTime", "inactivityDelay")}
    return reply, 200, dict(JSON)


def _caller() -> str | None:
    """The client whose token opened the session (recorded for the admin API)."""
    info = context.get("token_info") or {}
    return (info.get("oauth2ClientCredentials") or {}).get("sub")


async def delete_streaming_session(org_id: str) -> Reply | Response:
    """End a live session and discard its pending events."""
    missing = missing_organization(org_id)
    if missing:
        return missing
    session_id = session_header()
    with runtime().store.transaction():
        session = live_session(org_id, session_id)
        if session is None:
            return invalid_session(session_id)
        _drop(session, "deleted by the client")
    return Response(status_code=204)


async def get_streaming_events(org_id: str, max_events: int = 1) -> Reply:
    """Deliver up to `maxEvents` pending events, oldest first, and restart the inactivity timer."""
    missing = missing_organization(org_id)
    if missing:
        return missing
    session_id = session_header()
    rt = runtime()
    with rt.store.transaction():
        session = live_session(org_id, session_id)
        if session is None:
            return invalid_session(session_id)
        rt.store.put(directory.SESSIONS, session_id, {**session, "lastPollAt": rt.clock.now()})
        pending = rt.store.find(directory.EVENTS, limit=min(max_events, 2**31), sessionId=session_id)
        for event in pending:
            rt.store.delete(directory.EVENTS, event["eventId"])
    events = [{key: event[key] for key in ("eventType", "eventTime", "payload")} for event in pending]
    return {"events": events}, 200, dict(JSON)
