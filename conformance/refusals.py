"""The refusals a contract documents in `x-refusals`: the answer an operation gives a caller refused for a reason.

Most APIs refuse a missing or rejected credential with 401. Some document another answer on some operations (SysAid:
`GET /api/chat/{chatuid}` answers a caller who is not logged in with HTTP 200 `{"status": "error", "error": "User
not logged in"}`), and say so as data (`specs/CONVENTIONS.md`):

    x-refusals:
      notLoggedIn: {status: 200, example: notLoggedIn}

a status the operation declares and the name of that response's example holding the body. Such an answer is the
documented refusal wherever the harness judges one: auth enforcement, Schemathesis' `ignored_auth`, the preflight
and the verdict. It must be that example (the status, the media type and the body), not merely "some error".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.errors import ConfigurationError
from contracts import Operation

__all__ = ["NOT_ADMIN", "NOT_LOGGED_IN", "Refusal", "documented_refusal"]

NOT_LOGGED_IN = "notLoggedIn"
"""The reason of a caller whose login credentials are missing or rejected."""
NOT_ADMIN = "notAdmin"
"""The reason of a non-administrator calling an `x-admin-only` operation."""


@dataclass(frozen=True)
class Refusal:
    """One documented refusal: the status, media type and body (the named example) an operation answers with."""

    reason: str
    status: int
    media_type: str
    example: str
    body: Any

    def matches(self, status: int, media_type: str, body: Any) -> bool:
        """Whether an answer (media type without parameters, body decoded as `checks.decode_body` does) is this one."""
        if status != self.status or media_type != self.media_type:
            return False
        if isinstance(self.body, str) and isinstance(body, str):
            return body.strip() == self.body.strip()
        return bool(body == self.body)

    def describe(self) -> str:
        """`HTTP 200 with the documented notLoggedIn answer {"status": ...}` for Documented lines."""
        return f"HTTP {self.status} with the documented {self.reason} answer (example {self.example!r}: {self.body!r})"


def _malformed(operation: Operation, reason: str, why: str) -> ConfigurationError:
    return ConfigurationError(f"{operation.label} [{operation.operation_id}]: x-refusals.{reason} {why}")


def documented_refusal(operation: Operation, reason: str) -> Refusal | None:
    """The operation's documented answer for `reason`, or None when it documents none (then 401/403 stand).

    A refusal that names an undeclared status or an example its response does not hold is a contract defect and
    fails loudly.
    """
    declared = operation.extensions.get("x-refusals") or {}
    entry = declared.get(reason) if isinstance(declared, Mapping) else None
    if entry is None:
        return None
    if not isinstance(entry, Mapping) or "status" not in entry or "example" not in entry:
        raise _malformed(operation, reason, "needs `status` and `example`")
    status, example = int(entry["status"]), str(entry["example"])
    response = operation.responses.get(str(status))
    if response is None:
        raise _malformed(operation, reason, f"names status {status}, which the operation does not declare")
    for media_type, media in response.content.items():
        if example in media.examples:
            return Refusal(reason, status, media_type.lower(), example, media.examples[example])
    raise _malformed(operation, reason, f"names example {example!r}, which the {status} response does not hold")
