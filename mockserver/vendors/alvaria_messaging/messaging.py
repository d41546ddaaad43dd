"""Alvaria Messaging (Chat/SMS) v2.0.1: send text, a typing notification or a URL on an agent's chat or SMS
interaction.

Checks, in order: the organization exists (404), `via-client-sessionid` names a live streaming session of it (400
"Invalid ..."), the agent exists (404), the interaction exists and is the agent's (404: another agent's interaction
does not exist for this one), it has not ended (410), its channel can take this kind of message (422, e.g. a
`composing` notification on SMS, per the fixture's `channels` table). An accepted request answers 202 without a body
and queues an event on the caller's session: `messaging.TextSent`, `messaging.NotificationSent` or
`messaging.UrlSent` (the vendor's messaging event names are not published), whose payload echoes the request
fields with the agent's `userId` and the interaction's `channel`.
"""

from __future__ import annotations

from typing import Any

from mockserver.problems import Location
from mockserver.runtime import runtime
from mockserver.store import Document
from mockserver.vendors.alvaria_messaging import directory
from mockserver.vendors.alvaria_messaging.envelopes import refusal
from mockserver.vendors.alvaria_messaging.streaming import invalid_session, live_session, publish, require_organization

__all__ = ["send_notification", "send_text", "send_url"]

Reply = tuple[None, int, dict[str, str]]

_CHANNEL_NAMES = {"chat": "chat", "sms": "SMS"}
_KIND_NAMES = {"text": "text", "url": "a URL", "composing": "a composing notification"}


async def _accepting_interaction(org_id: str, user_id: str, interaction_id: str, kind: str) -> Document:
    """The agent's interaction if it can take this kind of message, else the refusal."""
    if await directory.user(org_id, user_id) is None:
        raise refusal(
            404, f"User {user_id!r} not found in organization {org_id!r}.", scope="userId", location=Location.PATH
        )
    found = await directory.interaction(org_id, interaction_id)
    if found is None or found["userId"] != user_id:
        raise refusal(404, f"Interaction {interaction_id!r} not found for user {user_id!r}.", scope="interactionId")
    if found["state"] == "ended":
        raise refusal(410, f"Interaction {interaction_id!r} has ended.", scope="interactionId")
    accepted = (await directory.channels()).get(found["channel"], [])
    if kind not in accepted:
        takes = ", ".join(_KIND_NAMES[name] for name in accepted) or "nothing"
        channel = _CHANNEL_NAMES[found["channel"]]
        detail = f"{channel} interaction {interaction_id!r} cannot take {_KIND_NAMES[kind]}; it takes: {takes}."
        raise refusal(422, detail, scope="state" if kind == "composing" else "interactionId")
    return found


async def _deliver(org_id: str, user_id: str, body: dict[str, Any], kind: str, event_type: str) -> Reply:
    await require_organization(org_id)
    session = await live_session(org_id)
    target = await _accepting_interaction(org_id, user_id, body["interactionId"], kind)
    store = runtime().store
    async with store.transaction():
        if await store.get(directory.SESSIONS, session["sessionSha256"]) is None:
            raise invalid_session()  # deleted or dropped by a concurrent request; nothing written here
        await publish(session, event_type, {**body, "userId": user_id, "channel": target["channel"]})
    return None, 202, {}


async def send_text(org_id: str, user_id: str, body: dict[str, Any]) -> Reply:
    """Text on the agent's interaction."""
    return await _deliver(org_id, user_id, body, "text", "messaging.TextSent")


async def send_notification(org_id: str, user_id: str, body: dict[str, Any]) -> Reply:
    """A state notification (`composing`) on the agent's interaction."""
    return await _deliver(org_id, user_id, body, body["state"], "messaging.NotificationSent")


async def send_url(org_id: str, user_id: str, body: dict[str, Any]) -> Reply:
    """A URL pushed on the agent's interaction."""
    return await _deliver(org_id, user_id, body, "url", "messaging.UrlSent")
