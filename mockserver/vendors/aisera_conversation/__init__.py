"""Aisera Conversation API: `POST /api/receive` answered by fixture bots, with per-user sessions.

The channel `token` in the body authenticates (401 otherwise); a session is kept per channel and user id
(`sessions.py`), and the bot's answer comes from `dialogue.py`. Errors use the `{code, error, errors}` envelope
with the ERR code of seed 002 at the start of `error`.
"""

from __future__ import annotations

from typing import Any

from mockserver.contracts import Operation
from mockserver.runtime import runtime
from mockserver.vendors.aisera_conversation import session as sessions
from mockserver.vendors.aisera_conversation.dialogue import Reply, respond
from mockserver.vendors.aisera_conversation.fixture import BOTS, CHANNELS, FIXTURE_SCHEMA, SPEC, seed

__all__ = ["FIXTURE_SCHEMA", "SECURITY", "SPEC", "error_body", "receive_conversation_request", "seed"]

SECURITY: dict[str, Any] = {}
"""The contract declares no security scheme: the channel token travels in the body."""

ILLEGAL_ARGUMENT = "ERR-003: Internal System Error"
"""Seed 002, "Exceptions": IllegalArgumentException (improper arguments), used for every 4xx."""
UNEXPECTED = "ERR-012: Aisera Unexpected Server Error"
"""Seed 002, "Exceptions": the default code."""

_HEADERS = {"Content-Type": "application/json"}


def _error(status: int, message: str, path: str | None) -> dict[str, Any]:
    detail: dict[str, Any] = {"message": message if len(message) <= 300 else message[:297] + "..."}
    if path:
        detail["path"] = path
    return {"code": status, "error": ILLEGAL_ARGUMENT if status < 500 else UNEXPECTED, "errors": [detail]}


def error_body(status: int, message: str, media_type: str | None, operation: Operation | None) -> dict[str, Any]:
    """The Aisera envelope for a framework error; `path` names the body field Connexion complained about."""
    if status >= 500:
        return {"code": status, "error": UNEXPECTED, "errors": []}
    path: str | None = "body" if status in (400, 413) else None
    if " - '" in message and message.endswith("'"):
        path = message.rsplit(" - '", 1)[1][:-1]
    elif message.endswith("is a required property") and message.startswith("'"):
        path = message.split("'")[1]
    elif message.startswith("Extra query parameter"):
        path = "query"
    elif message.startswith("Invalid Content-type"):
        path = "Content-Type"
    return _error(status, message, path)


def _reply(reply: Reply, session: sessions.Session, data: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"sessionId": session.session_id, "modeType": reply.mode, "answers": reply.answers}
    if isinstance(data.get("reqId"), str):
        body["reqId"] = data["reqId"]
    if session.session_vars:
        body["sessionVars"] = session.session_vars
    if data.get("needsSessionHistory"):
        body["history"] = session.history
    return body


async def receive_conversation_request(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """`POST /api/receive`: one user request (text, option, form, session kind) and the bot's answers."""
    rt = runtime()
    channel = rt.store.get(CHANNELS, str(body["token"]))
    if channel is None:
        return _error(401, "unknown channel token", "token"), 401, _HEADERS
    data: dict[str, Any] = body["data"]
    with rt.store.transaction():
        now, when = rt.clock.now(), rt.clock.now_iso()
        bot = rt.store.get(BOTS, channel["bot"]) or {}
        session = sessions.load(rt.store, channel, sessions.user_of(body), now, when)
        if data.get("isReset"):
            session = session.renew(now, when)  # the reset request already belongs to the new session
        if isinstance(data.get("sessionVars"), dict):
            session.session_vars.update(data["sessionVars"])
        reply, said = respond(bot, session, data, now)
        if said:
            session.add_turn("user", said)
        sender = "agent" if reply.mode == "LiveAgent" else "bot"
        for answer in reply.answers:
            session.add_turn(sender, str(answer.get("text", "")))
        sessions.save(rt.store, session, now)
    return _reply(reply, session, data), 200, _HEADERS
