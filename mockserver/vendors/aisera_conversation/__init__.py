"""Aisera Conversation API: `POST /api/receive` answered by fixture bots, with per-user sessions.

The channel `token` in the body authenticates (401 otherwise); the request is read once (`request.py`), a session
is kept per channel and user (`session.py`), and the bot's answer comes from `dialogue.py`. Errors use the
`{code, error, errors}` envelope (`envelope.py`) with the ERR code of Aisera Conversation API, API Overview,
Exceptions at the start of `error`: the contract's `x-aisera-error-codes` says which code each refusal carries,
and a fault (`PUT /__admin/faults/...` with `reason`) or the fixture may ask for any documented code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts import Operation
from mockserver.problems import Kind, Location, Rejected, RequestError, Violation
from mockserver.runtime import runtime
from mockserver.store import digest
from mockserver.vendors.aisera_conversation import session as sessions
from mockserver.vendors.aisera_conversation.dialogue import Reply, respond
from mockserver.vendors.aisera_conversation.envelope import credential_fields, detail, envelope
from mockserver.vendors.aisera_conversation.fixture import (
    BOTS,
    CHANNELS,
    FEEDBACK,
    FIXTURE_SCHEMA,
    SPEC,
    seed,
    validate_fixture,
)
from mockserver.vendors.aisera_conversation.request import UserRequest

__all__ = [
    "FIXTURE_SCHEMA",
    "SECURITY",
    "SPEC",
    "error_body",
    "fault_reasons",
    "receive_conversation_request",
    "seed",
    "validate_fixture",
]

SECURITY: dict[str, Any] = {}
"""The contract declares no security scheme: the channel token travels in the body."""

_HEADERS = {"Content-Type": "application/json"}
_AGENT_MODES = frozenset({"LiveAgent", "LiveAgentWaiting", "LiveAgentFileUpload"})
"""Modes whose answers the live agent wrote (the history's `agent` turns)."""


def _error_codes() -> Mapping[str, Any]:
    codes: Mapping[str, Any] = runtime().contracts[SPEC].document["x-aisera-error-codes"]
    return codes


def _error(status: int, message: str | None, path: str | None, code: str | None = None) -> dict[str, Any]:
    """The envelope; `code` defaults to the one the contract gives the status (its 4xx or 5xx default otherwise)."""
    table = _error_codes()
    refusals: Mapping[str, str] = table["refusals"]
    code = code or refusals.get(str(status)) or refusals["500" if status >= 500 else "400"]
    details = [] if message is None else [{"message": message} | ({"path": path} if path else {})]
    return envelope(status, f"{code}: {table['codes'][code]['error']}", details)


def fault_reasons(operation: Operation) -> tuple[str, ...]:
    """Every ERR code of the contract's table: a fault may ask for any of them."""
    return tuple(_error_codes()["codes"])


def error_body(error: RequestError, operation: Operation | None, media_type: str | None) -> dict[str, Any]:
    """The Aisera envelope for a refusal: the ERR code it asks for (or the status's), and what is wrong where."""
    if error.status >= 500 and not error.violations:
        return _error(error.status, None, None, error.reason)
    found = detail(error, body_root="", secret=credential_fields(runtime().contracts[SPEC]))
    return _error(error.status, found["message"], found.get("path"), error.reason)


def _unknown_channel() -> Rejected:
    violation = Violation(Location.BODY, "token", ("token",), constraint="credential")
    return Rejected(RequestError(Kind.CREDENTIALS_INVALID, "unknown channel token", violations=(violation,)))


def _reply(reply: Reply, session: sessions.Session, request: UserRequest) -> dict[str, Any]:
    body: dict[str, Any] = {"sessionId": session.session_id, "modeType": reply.mode, "answers": reply.answers}
    if request.req_id is not None:
        body["reqId"] = request.req_id
    if session.session_vars:
        body["sessionVars"] = session.session_vars
    if request.needs_history:
        body["history"] = session.history
    return body


async def receive_conversation_request(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """`POST /api/receive`: one user request (text, option, form, session kind) and the bot's answers."""
    rt = runtime()
    request = UserRequest.read(body)
    channel = await rt.store.get(CHANNELS, digest(request.token))
    if channel is None:
        raise _unknown_channel()
    async with rt.store.transaction():
        now, when = rt.clock.now(), rt.clock.now_iso()
        bot = await rt.store.get(BOTS, channel["bot"]) or {}
        session = await sessions.load(rt.store, channel, request.user, now, when)
        if request.reset:
            session = session.renew(now, when)  # the reset request already belongs to the new session
        session.session_vars.update(request.session_vars)
        reply = respond(bot, session, request, now)  # a configured failure raises here: nothing is saved
        if reply.said:
            session.add_turn("user", reply.said)
        sender = "agent" if reply.mode in _AGENT_MODES else "bot"
        for answer in reply.answers:
            session.add_turn(sender, str(answer.get("text", "")))
        if reply.feedback is not None:
            entry = {"channel": channel["name"], "user": request.user, "at": when, **reply.feedback}
            await rt.store.put(FEEDBACK, f"{await rt.store.increment(FEEDBACK)}", entry)
        await sessions.save(rt.store, session, now)
    return _reply(reply, session, request), 200, _HEADERS
