"""SysAid Copilot's answers: the `{status, ...}` JSON envelopes, the plain-text errors, and `error_body`.

The service reports most failures in-band (HTTP 200, `{"status": "error", "error": ...}`; `POST /api/org` uses
`message`), so handlers refuse with `refuse(...)`. Framework errors (schema violations, missing credentials, body
limits) reach `error_body`, which renders them in the media type the contract declares for the operation: JSON
`{status: "error", error}` almost everywhere, plain text on the long-operation, stream, summarize and feedback
operations, with their documented wording ("Invalid request", "Error in summarizeSR: ...", "Missing one of ...").
"""

from __future__ import annotations

import re
from typing import Any

from mockserver.contracts import Operation
from mockserver.vendors.sysaid_copilot.routing import INTEGER_PATTERN, NATURAL_PATTERN

__all__ = [
    "FEEDBACK_MISSING",
    "JSON",
    "NOT_ADMIN",
    "TEXT",
    "Reply",
    "error_body",
    "ok",
    "refuse",
    "shorten",
    "text",
]

Reply = tuple[Any, int, dict[str, str]]

JSON = {"Content-Type": "application/json"}
TEXT = {"Content-Type": "text/plain"}
NOT_ADMIN = "User is not admin"
"""The seed's own wording for a non-administrator caller."""
FEEDBACK_MISSING = "Missing one of accountId, feedback, userId, srId"

_PATH_SUFFIX = re.compile(r"(?P<message>.*) - '(?P<path>[^']*)'", re.DOTALL)
_JSON_DECODE = re.compile(r".*: line \d+ column \d+ \(char \d+\)", re.DOTALL)
_MISMATCH = re.compile(r"(?P<value>.*) does not match '(?P<pattern>.*)'", re.DOTALL)
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_CLEARER = {
    "No authorization token provided": (
        "Unauthorized: the JSESSIONID and SERVERID cookies and the x-sysaid-hostname header are all required"
    ),
    "Request body must not be empty": "request body is required",
    "RequestBody is required": "request body is required",
}


def ok(**fields: Any) -> Reply:
    """A success envelope (`status` "ok") with the given fields."""
    return {"status": "ok", **fields}, 200, JSON


def refuse(message: str, **fields: Any) -> Reply:
    """The in-band error envelope: HTTP 200 with `status` "error" (contract A4)."""
    return {"status": "error", "error": message, **fields}, 200, JSON


def text(message: str, status: int) -> Reply:
    """A plain-text answer (the long-operation, stream, summarize and feedback errors)."""
    return message, status, TEXT


def shorten(message: str, limit: int = 240) -> str:
    """Keep a message short even when it echoes a large value; the reason is at the end, so both ends stay."""
    return message if len(message) <= limit else f"{message[:100]} ... {message[-(limit - 105) :]}"


def _parameter_names(operation: Operation | None, kind: str) -> str:
    """The path parameters of an operation that a pattern mismatch can concern (integers or UUIDs)."""
    names = []
    for parameter in operation.definition.get("parameters", []) if operation else []:
        schema = parameter.get("schema", {})
        concerned = schema.get("type") == "integer" if kind == "integer" else "pattern" in schema
        if parameter.get("in") == "path" and concerned:
            names.append(str(parameter["name"]))
    return " or ".join(names) or "path parameter"


def _readable(message: str, operation: Operation | None) -> str:
    """Connexion's message, short: `<path>: <reason>`, the first paragraph only, patterns named in words."""
    message = _CLEARER.get(message, message).split("\n\n", 1)[0]
    split = _PATH_SUFFIX.fullmatch(message)
    if split:
        message = f"{split['path']}: {split['message']}"
    if _JSON_DECODE.fullmatch(message):
        message = f"request body is not valid JSON: {message}"
    mismatch = _MISMATCH.fullmatch(message)
    if mismatch and mismatch["pattern"] in (INTEGER_PATTERN, NATURAL_PATTERN):
        wanted = "an integer" if mismatch["pattern"] == INTEGER_PATTERN else "an integer of 0 or more"
        message = f"{_parameter_names(operation, 'integer')}: {shorten(mismatch['value'], 80)} is not {wanted}"
    elif mismatch and mismatch["pattern"] == UUID_PATTERN:
        message = f"{_parameter_names(operation, 'uuid')}: {shorten(mismatch['value'], 80)} is not a valid UUID"
    return shorten(message)


def _text_error(status: int, message: str, operation_id: str) -> str:
    """The documented plain-text wording of an operation's framework error."""
    if operation_id == "getLongOperation":
        if status == 400:
            return "Invalid request"
        return "Internal error" if status >= 500 else message
    if operation_id == "summarizeSr" and status == 400:
        return f"Error in summarizeSR: {message}"
    if operation_id == "submitSummaryFeedback":
        if status >= 500:
            return f"Error in summarizeSRFeedback: {message}"
        missing = (
            "is a required property",
            "is too short",
            "should be non-empty",
            _CLEARER["Request body must not be empty"],
        )
        if any(reason in message for reason in missing):
            return FEEDBACK_MISSING
    return message


def error_body(status: int, message: str, media_type: str | None, operation: Operation | None) -> dict[str, Any] | str:
    """The SysAid envelope of a framework error, in the media type the operation declares for `status`."""
    readable = _readable(message, operation)
    if media_type is None:
        return ""
    if media_type.startswith("text/"):
        return _text_error(status, readable, operation.operation_id if operation else "")
    return {"status": "error", "error": readable}
