"""What one `POST /api/receive` body asks for, read once: the user, the kind of request and its session data.

The body's places are reconciled here, so the dialogue never looks at two spellings: `userId` before its lower-case
`userid` (then `userEmail`); `sessionVars` and `needsSessionHistory` at the top level (Aisera Conversation API, API
Overview, FAQ 1 and 9: "as a body parameter") and inside `data` (the WebSocket page's samples), `data` winning when
both are sent (assumption A17).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["UserRequest"]

ANONYMOUS = "anonymous"
"""The user of a request that names none."""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class UserRequest:
    """One end-user request."""

    token: str
    user: str
    text: str
    """The utterance, stripped (empty when nothing was typed)."""
    follow_up_id: str | None = None
    follow_up_data: dict[str, Any] | None = None
    session_vars: dict[str, Any] = field(default_factory=dict)
    needs_history: bool = False
    req_id: str | None = None
    reset: bool = False
    logout: bool = False
    go_back: bool = False
    start_over: bool = False

    @classmethod
    def read(cls, body: dict[str, Any]) -> UserRequest:
        """The request a validated body makes."""
        data: dict[str, Any] = body["data"]
        user = next((body[key] for key in ("userId", "userid", "userEmail") if _text(body.get(key))), ANONYMOUS)
        top_vars = body.get("sessionVars")
        data_vars = data.get("sessionVars")
        history = data.get("needsSessionHistory", body.get("needsSessionHistory", False))
        follow_up_id = data.get("followUpId")
        follow_up_data = data.get("followUpData")
        return cls(
            token=body["token"],
            user=user,
            text=_text(data.get("text")),
            follow_up_id=follow_up_id if isinstance(follow_up_id, str) and follow_up_id else None,
            follow_up_data=follow_up_data if isinstance(follow_up_data, dict) else None,
            session_vars={
                **(top_vars if isinstance(top_vars, dict) else {}),
                **(data_vars if isinstance(data_vars, dict) else {}),
            },
            needs_history=history is True,
            req_id=data.get("reqId") if isinstance(data.get("reqId"), str) else None,
            reset=data.get("isReset") is True,
            logout=data.get("isLogout") is True,
            go_back=data.get("isGoBack") is True,
            start_over=data.get("isStartOver") is True,
        )

    @property
    def history_only(self) -> bool:
        """A request that only asks for the session's history (nothing typed, clicked or submitted)."""
        acts = (self.text, self.follow_up_id, self.follow_up_data, self.go_back, self.start_over)
        return self.needs_history and not any(acts)
