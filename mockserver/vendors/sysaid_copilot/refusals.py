"""Documented refusals: the answer an operation gives a caller refused for a reason its section of the guide names.

The login middleware refuses a caller without a valid login (401, A1), yet some sections document their own answer
for a caller who "is not logged in" or "not an admin": in-band `{"status": "error", "error": "User not logged in"}`
on `GET /api/chat/{chatuid}`, HTTP 400 "Error in summarizeSR: User is not admin" on `GET /summarize/{srid}`... The
contract says so per operation, as data:

    x-refusals:
      notLoggedIn: {status: 200, example: notLoggedIn}

a status the operation declares and the name of that response's example holding the documented body. `refine`
turns a missing or rejected login (`notLoggedIn`), a forbidden caller (`notAdmin`, see `session.py`) and a missing
or empty required body field (`missingField`, "Missing one of ..." on `POST /feedback`) into that answer;
`error_body` then sends the named example as it is. An injected fault may ask for any error example the
operation documents by its name (`fault_reasons`), so a client can be tested against each documented error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from contracts import Operation
from mockserver.pipeline.render import declared_status
from mockserver.problems import Kind, Location, RequestError

__all__ = [
    "FIELD_REFUSAL",
    "LOGIN_REFUSAL",
    "ROLE_REFUSAL",
    "Refusal",
    "documented_body",
    "fault_reasons",
    "refine",
    "refusals",
]

LOGIN_REFUSAL = "notLoggedIn"
"""`x-refusals` reason of a caller without a valid login."""
ROLE_REFUSAL = "notAdmin"
"""`x-refusals` reason of a non-administrator on an `x-admin-only` operation."""
FIELD_REFUSAL = "missingField"
"""`x-refusals` reason of a request body without one of its required fields (or with one empty)."""
_EMPTY = ("required", "minLength")
_REASONS = {
    Kind.CREDENTIALS_MISSING: LOGIN_REFUSAL,
    Kind.CREDENTIALS_INVALID: LOGIN_REFUSAL,
    Kind.FORBIDDEN: ROLE_REFUSAL,
}


@dataclass(frozen=True)
class Refusal:
    """One entry of `x-refusals`: the status to answer with and the example holding the body."""

    status: int
    example: str


def refusals(operation: Operation) -> dict[str, Refusal]:
    """The operation's documented refusals by reason (`notLoggedIn`, `notAdmin`)."""
    declared: dict[str, dict[str, Any]] = operation.extensions.get("x-refusals") or {}
    return {reason: Refusal(int(entry["status"]), str(entry["example"])) for reason, entry in declared.items()}


def _is_error(status: int, body: Any) -> bool:
    return status >= 400 or (isinstance(body, dict) and body.get("status") == "error")


def _error_examples(operation: Operation) -> dict[str, list[int]]:
    """Every error example the operation documents, by name, with the statuses whose responses hold it."""
    found: dict[str, list[int]] = {}
    for key, response in operation.responses.items():
        if not key.isdigit():
            continue
        for media in response.content.values():
            for name, body in media.examples.items():
                if _is_error(int(key), body) and int(key) not in found.get(name, []):
                    found.setdefault(name, []).append(int(key))
    return found


def documented_body(operation: Operation, status: int, media_type: str | None, example: str) -> Any:
    """The body of a named example of the response for `status` in `media_type` (None when there is none)."""
    response = operation.response_for(status)
    media = response.content.get(media_type or "") if response is not None else None
    return media.examples.get(example) if media is not None else None


def fault_reasons(operation: Operation) -> tuple[str, ...]:
    """The documented error examples a fault may ask for by name (`PUT /__admin/faults/...` with `reason`)."""
    return tuple(sorted(_error_examples(operation)))


def _utf8(error: RequestError, operation: Operation) -> RequestError:
    """A plain-text refusal names its charset, as the handlers' plain-text answers do (the core sends the declared
    media type bare, and `text/plain` without a charset means US-ASCII)."""
    media = operation.media_type(declared_status(operation, error.status)) or ""
    if not media.startswith("text/") or "charset" in media:
        return error
    return replace(error, headers={**error.headers, "Content-Type": f"{media}; charset=utf-8"})


def refine(error: RequestError, operation: Operation | None) -> RequestError:
    """A refusal as the operation documents it: `x-refusals` for logins and roles, a named example for faults."""
    if operation is None:
        return error
    return _utf8(_documented(error, operation), operation)


def _documented(error: RequestError, operation: Operation) -> RequestError:
    """The refusal with the status and example the contract documents for its reason (unchanged without one)."""
    if error.kind is Kind.INJECTED_FAULT:
        statuses = _error_examples(operation).get(error.reason or "")
        if not statuses or error.status in statuses:
            return error
        return replace(error, status=statuses[0])
    reason = _REASONS.get(error.kind)
    violation = error.first
    missing = violation is not None and violation.location is Location.BODY and violation.constraint in _EMPTY
    if error.kind is Kind.BODY_MISSING or (error.kind is Kind.SCHEMA_VIOLATION and missing):
        reason = FIELD_REFUSAL
    refusal = refusals(operation).get(reason) if reason is not None else None
    if refusal is None:
        return error
    return replace(error, status=refusal.status, reason=refusal.example)
