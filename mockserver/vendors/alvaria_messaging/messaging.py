"""Alvaria Messaging (seed 004): send text, a typing notification or a URL on an agent's chat or SMS interaction.

Checks, in order: the organization exists (404), `via-client-sessionid` names a live streaming session of it (400
"Invalid ..."), the agent exists (404), the interaction exists and is the agent's (404: another agent's interaction
does not exist for this one), it has not ended (410), its channel can take this kind of message (422, e.g. a
`composing` notification on SMS). An accepted request answers 202 and queues an event on the caller's session:
`messaging.TextSent`, `messaging.NotificationSent` or `messaging.UrlSent` (the vendor's messaging event names are
not published), whose payload echoes the interaction, channel and request fields.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mockserver.runtime import runtime
from mockserver.store import Document
from mockserver.vendors.alvaria_messaging import directory
from mockserver.vendors.alvaria_messaging.envelopes import Reply, error_reply
from mockserver.vendors.alvaria_messaging.streaming import (
    invalid_session,
    live_session,
    missing_organization,
    publish,
    session_header,
)

__all__ = ["send_notification", "send_text", "send_url"]

_CHANNEL_NAMES = {"chat": "chat", "sms": "SMS"}
_KIND_NAMES = {"text": "text", "url": "a URL", "composing": "a composing notification"}


def _accepting_interaction(org_id: str, user_id: str, interaction_id: str, kind: str) -> Document | Reply:
    """The agent's interaction if it can take this kind of message, else the refusal."""
    if directory.user(org_id, user_id) is None:
        return error_reply(404, f"User {user_id!r} not found in organization {org_id!r}.", scope="userId")
    found = directory.interaction(org_id, interaction_id)
    if found is None or found["userId"] != user_id:
        return error_reply(
            404, f"Interaction {interaction_id!r} not found for user {user_id!r}.", scope="interactionId"
        )
    if found["state"] == "ended":
        return error_reply(410, f"Interaction {interaction_id!r} has ended.", scope="interactionId")
    accepted = directory.token_service()["channels"].get(found["channel"], [])
    if kind not in accepted:
        channel = _CHANNEL_NAMES[found["channel"]]
        return error_reply(
            422,
            f"{channel} interaction {interaction_id!r} cannot take {_KIND_NAMES[kind]}; it takes: "
            f"{', '.join(_KIND_NAMES[name] for name in accepted) or 'nothing'}.",
            scope="state" if kind == "composing" else "interactionId",
        )
    return found


def _deliver(org_id: str, user_id: str, body: dict[str, Any], kind: str, event_type: str) -> Reply | Response:
    missing = missing_organization(org_id)
    if missing:
        return missing
    session_id = session_header()
    with runtime().store.transaction():
        session = live_session(org_id, session_id)
        if session is None:
            return invalid_session(session_id)
        target = _accepting_interaction(org_id, user_id, body["interactionId"], kind)
        if isinstance(target, tuple):
            return target
        publish(session, event_type, {**body, "userId": user_id, "channel": target["channel"]})
    return Response(status_code=202)


async def send_text(org_id: str, user_id: str, body: dict[str, Any]) -> Reply | Response:
    """Text on the agent's interaction."""
    return _deliver(org_id, user_id, body, "text", "messaging.TextSent")


async def send_notification(org_id: str, user_id: str, body: dict[str, Any]) -> Reply | Response:
    """A state notification (`composing`) on the agent's interaction."""
    return _deliver(org_id, user_id, body, body["state"], "messaging.NotificationSent")


async def send_url(org_id: str, user_id: str, body: dict[str, Any]) -> Reply | Response:
    """A URL pushed on the agent's interaction."""
    return _deliver(org_id, user_id, body, "url", "messaging.UrlSent")
