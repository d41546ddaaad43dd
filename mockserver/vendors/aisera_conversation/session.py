"""Conversation sessions: one per channel and user, kept in the store and renewed on timeout, reset or logout."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import Any

from mockserver.store import Store
from mockserver.vendors.aisera_conversation.fixture import CONFIG, SPEC

__all__ = ["SESSIONS", "Session", "load", "save"]

SESSIONS = f"{SPEC}/sessions"
HISTORY_LIMIT = 200
"""Turns kept per session (the oldest are dropped first)."""
DEFAULT_TIMEOUT_SECONDS = 1800.0
_NAMESPACE = uuid.UUID("9b1f3a6e-5c2d-4e8f-a7b0-3d6c9e1f2a4b")
"""Session ids are name-based UUIDs (channel, user, session number): the same conversation gives the same ids."""


@dataclass
class Session:
    """The state of one user's current conversation on one channel."""

    channel_id: str
    channel: str
    user: str
    number: int
    session_id: str
    started_at: str
    last_activity: float
    session_vars: dict[str, Any] = field(default_factory=dict)
    flow: dict[str, Any] | None = None
    """`{workflow, trail: [step ids], values: {form field: value}, done}` of the latest workflow."""
    live_agent: dict[str, Any] | None = None
    """`{state: queued | joined, since, replies, awaiting}` while a live agent is involved."""
    history: list[dict[str, Any]] = field(default_factory=list)
    ended: bool = False

    @classmethod
    def start(cls, channel_id: str, channel: str, user: str, number: int, now: float, now_iso: str) -> Session:
        """A new, empty session."""
        session_id = str(uuid.uuid5(_NAMESPACE, f"{channel_id}:{user}:{number}"))
        return cls(channel_id, channel, user, number, session_id, now_iso, now)

    @property
    def key(self) -> str:
        """Store id: one current session per channel and user."""
        return f"{self.channel_id}:{self.user}"

    def renew(self, now: float, now_iso: str) -> Session:
        """The next session of the same user on the same channel."""
        return Session.start(self.channel_id, self.channel, self.user, self.number + 1, now, now_iso)

    def add_turn(self, sender: str, text: str) -> None:
        """Append one turn (`{sender, text}`, the contract's HistoryEntry) to the history."""
        self.history.append({"sender": sender, "text": text})
        del self.history[:-HISTORY_LIMIT]


async def load(store: Store, channel: dict[str, Any], user: str, now: float, now_iso: str) -> Session:
    """The user's current session, or a new one after logout or inactivity."""
    data = await store.get(SESSIONS, f"{channel['channel_id']}:{user}")
    if data is None:
        return Session.start(channel["channel_id"], channel["name"], user, 1, now, now_iso)
    session = Session(**data)
    timeout = float((await store.get(*CONFIG) or {}).get("timeoutSeconds", DEFAULT_TIMEOUT_SECONDS))
    if session.ended or now - session.last_activity > timeout:
        return session.renew(now, now_iso)
    return session


async def save(store: Store, session: Session, now: float) -> None:
    """Store the session after a request."""
    session.last_activity = now
    await store.put(SESSIONS, session.key, dataclasses.asdict(session))
