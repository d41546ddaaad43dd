"""Alvaria's error envelopes, rendered from typed refusals: `ErrorResponse {code, message, errors[]}` and, on the
token service, the RFC 6749 section 5.2 body `{error, error_description}`.

Which envelope an operation answers with is read from the contract: the schema its declared response uses. In an
`ErrorResponse` the `code` is always the HTTP status and `message` the short summary (the lower-case reason phrase,
as in the seed's `"not found"`, except a stale streaming session's `"Invalid via-client-sessionid"`, the wording
Alvaria clients look for to create a new session); the one `errors[]` entry names the field, parameter or header
concerned (`scope`), a camelCase `reason` and the explanation. A 401 on the API host has no body (the seed's schema
"None"). Handlers refuse with `refusal(...)` / `oauth_refusal(...)`, so every error, the pipeline's and the
vendor's, goes through `error_body`.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from contracts import Operation, load_contract
from mockserver.problems import Kind, Location, Rejected, RequestError, Violation
from mockserver.vendors.alvaria_messaging.directory import SPEC

__all__ = [
    "INVALID_SESSION",
    "OAUTH_ERRORS",
    "error_body",
    "error_response",
    "fault_reasons",
    "oauth_refusal",
    "refine",
    "refusal",
]

INVALID_SESSION = "invalidSession"
"""`reason` of a stale, deleted or unknown streaming session id (summary "Invalid <header>")."""
OAUTH_ERRORS = (
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "server_error",
)
"""RFC 6749 section 5.2 error codes, and `server_error` for the mock's own failures."""
_OAUTH_SCHEMA = "OAuthError"
"""The contract's component schema of the token service's error body."""
_OAUTH_FIELD_ERRORS = {"grant_type": "unsupported_grant_type", "scope": "invalid_scope"}
"""RFC 6749 section 5.2: the code for a present but invalid form field; any other request fault is invalid_request."""
_CHALLENGE = 'Basic realm="tokenservice"'
"""RFC 6749 section 5.2: a 401 `invalid_client` after HTTP Basic client authentication carries a challenge."""
_DETAIL_LIMIT = 300
_REASONS = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "notFound",
    405: "methodNotAllowed",
    410: "gone",
    413: "payloadTooLarge",
    422: "cannotProcessEntity",
    429: "tooManyRequests",
    500: "internalError",
    503: "serviceUnavailable",
}
_SUMMARIES = {413: "payload too large", 422: "cannot process entity"}
"""Where the vendor's wording differs from Python's reason phrase (Messaging v2.0.1: 422 "Cannot Process Entity";
the contract's 413 "Payload Too Large", which Python renames between versions)."""
_BODY_KINDS = frozenset({Kind.BODY_MISSING, Kind.BODY_MALFORMED, Kind.BODY_TOO_LARGE, Kind.BODY_INCOMPLETE})


def _short(text: str) -> str:
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 3] + "..."


def error_response(
    status: int, detail: str, *, scope: str = "request", reason: str | None = None, message: str | None = None
) -> dict[str, Any]:
    """An `ErrorResponse` whose `code` is the HTTP status."""
    summary = message or _SUMMARIES.get(status) or HTTPStatus(status).phrase.lower()
    entry = {"scope": scope, "reason": reason or _REASONS.get(status, "error"), "message": _short(detail)}
    return {"code": status, "message": summary, "errors": [entry]}


def refusal(
    status: int, detail: str, *, scope: str, reason: str | None = None, location: Location = Location.BODY
) -> Rejected:
    """A vendor refusal naming the field (`scope`) it concerns, rendered as `ErrorResponse` by `error_body`."""
    kind = Kind.NOT_FOUND if status == 404 else Kind.FORBIDDEN if status == 403 else Kind.BAD_REQUEST
    violation = Violation(location, scope)
    return Rejected(RequestError(kind, detail, status=status, violations=(violation,), reason=reason))


def oauth_refusal(status: int, error: str, description: str) -> Rejected:
    """A token-service refusal with its RFC 6749 error code."""
    kind = Kind.CREDENTIALS_INVALID if status == 401 else Kind.BAD_REQUEST
    return Rejected(RequestError(kind, description, status=status, reason=error))


@functools.cache
def _oauth_statuses(operation_id: str) -> frozenset[int]:
    """The statuses whose declared body is the token service's `OAuthError` (read from the contract)."""
    contract = load_contract(SPEC)
    schema = contract.document.get("components", {}).get("schemas", {}).get(_OAUTH_SCHEMA)
    operation = contract.operations[operation_id]
    return frozenset(
        int(key)
        for key, response in operation.responses.items()
        if key.isdigit() and any(media.schema == schema for media in response.content.values())
    )


def _oauth_envelope(operation: Operation | None, status: int) -> bool:
    return operation is not None and operation.contract == SPEC and status in _oauth_statuses(operation.operation_id)


def _oauth_code(error: RequestError) -> str:
    if error.reason in OAUTH_ERRORS:
        return error.reason
    if error.status == 401:
        return "invalid_client"
    if error.status >= 500:
        return "server_error"
    first = error.first
    if error.kind is Kind.SCHEMA_VIOLATION and first is not None and first.constraint != "required":
        return _OAUTH_FIELD_ERRORS.get(first.name or "", "invalid_request")
    return "invalid_request"


def _scope(error: RequestError) -> str:
    first = error.first
    if first is not None and first.name:
        return first.name
    if error.kind in _BODY_KINDS or (first is not None and first.location is Location.BODY):
        return "body"
    return "server" if error.status >= 500 else "request"


def error_body(error: RequestError, operation: Operation | None, media_type: str | None) -> dict[str, Any] | None:
    """The envelope the operation declares for the refusal's status (none for a bodiless 401)."""
    if _oauth_envelope(operation, error.status):
        return {"error": _oauth_code(error), "error_description": _short(error.detail)}
    if media_type is None:
        return None
    scope = _scope(error)
    summary = f"Invalid {scope}" if error.reason == INVALID_SESSION else None
    return error_response(error.status, error.detail, scope=scope, reason=error.reason, message=summary)


def refine(error: RequestError, operation: Operation | None) -> RequestError:
    """The token service's 401 carries the Basic challenge RFC 6749 asks for."""
    if error.status == 401 and _oauth_envelope(operation, 401):
        return replace(error, headers={**error.headers, "WWW-Authenticate": _CHALLENGE})
    return error


def fault_reasons(operation: Operation) -> tuple[str, ...]:
    """An injected token-service fault may carry any RFC 6749 code; the Messaging envelope documents none."""
    return OAUTH_ERRORS if _oauth_statuses(operation.operation_id) else ()
