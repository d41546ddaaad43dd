"""Alvaria's error envelopes: `ErrorResponse {code, message, errors[]}` and, on the token service, RFC 6749 errors.

`ErrorResponse.code` is always the HTTP status. `message` is the short summary (the lower-case reason phrase, as in
the seed's `"not found"`, except a stale streaming session's `"Invalid via-client-sessionid"`, the wording Alvaria
clients look for to create a new session); the one `errors[]` entry names the field (`scope`), a `reason` and the
explanation.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from mockserver.contracts import Operation

__all__ = [
    "JSON",
    "TOKEN_OPERATION",
    "Reply",
    "error_body",
    "error_reply",
    "error_response",
    "oauth_reply",
]

Reply = tuple[Any, int, dict[str, str]]
JSON = {"Content-Type": "application/json"}
TOKEN_OPERATION = "requestAlvariaAccessToken"
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
_SUMMARIES = {422: "cannot process entity"}
"""Where the seed's wording differs from the standard reason phrase (seed 004: 422 "Cannot Process Entity")."""

_OAUTH_ERRORS = {401: "invalid_client", 500: "server_error"}
_SCOPE_PROBLEM = "Provided token does not have the required scopes"
"""How Connexion words an insufficient-scope 403."""
_FIELD_SUFFIX = re.compile(r" - '([^']+)'$")
"""Connexion names the offending field of an invalid value at the end of its message."""
_FIELD_PATTERNS = (
    _FIELD_SUFFIX,
    re.compile(r"^'([^']+)' is a required property"),
    re.compile(r"parameter '([^']+)'"),
)


def _short(text: str) -> str:
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 3] + "..."


def error_response(
    status: int, detail: str, *, scope: str = "request", reason: str | None = None, message: str | None = None
) -> dict[str, Any]:
    """An `ErrorResponse` whose `code` is the HTTP status."""
    summary = message or _SUMMARIES.get(status) or HTTPStatus(status).phrase.lower()
    entry = {"scope": scope, "reason": reason or _REASONS.get(status, "error"), "message": _short(detail)}
    return {"code": status, "message": summary, "errors": [entry]}


def error_reply(
    status: int, detail: str, *, scope: str, reason: str | None = None, message: str | None = None
) -> Reply:
    """A handler's error answer in the `ErrorResponse` envelope."""
    return error_response(status, detail, scope=scope, reason=reason, message=message), status, dict(JSON)


def oauth_reply(status: int, error: str, description: str) -> Reply:
    """A token-service error answer (RFC 6749 section 5.2)."""
    return {"error": error, "error_description": _short(description)}, status, dict(JSON)


def _field_of(message: str) -> str:
    """The field a Connexion validation message is about, or `request`."""
    for pattern in _FIELD_PATTERNS:
        found = pattern.search(message)
        if found:
            return found.group(1)
    return "request"


def _oauth_error(status: int, message: str) -> dict[str, Any]:
    error = _OAUTH_ERRORS.get(status, "invalid_request")
    if status == 400 and _FIELD_SUFFIX.search(message):  # an invalid value, not a missing one
        field = _field_of(message)
        error = {"grant_type": "unsupported_grant_type", "scope": "invalid_scope"}.get(field, "invalid_request")
    return {"error": error, "error_description": _short(message)}


def _required_scopes(operation: Operation | None) -> list[str]:
    if operation is None:
        return []
    return [
        scope
        for requirement in operation.definition.get("security", [])
        for scope in requirement.get("oauth2ClientCredentials", [])
    ]


def error_body(status: int, message: str, media_type: str | None, operation: Operation | None) -> dict[str, Any]:
    """The envelope of a framework error (validation, authentication, routing, size, injected fault)."""
    if operation is not None and operation.operation_id == TOKEN_OPERATION:
        return _oauth_error(status, message)
    if media_type is None:
        return {}
    if status == 403 and message.startswith(_SCOPE_PROBLEM):
        scopes = " ".join(_required_scopes(operation)) or "required"
        detail = f"The access token does not grant the {scopes} scope."
        return error_response(403, detail, scope=scopes, reason="insufficientScope")
    if status == 403:
        return error_response(403, message, scope="orgId")
    if status >= 500:
        return error_response(status, message, scope="server")
    return error_response(status, message, scope=_field_of(message))
