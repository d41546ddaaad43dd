"""SysAid Copilot's answers: the `{status, ...}` JSON envelopes, the plain-text errors, and `error_body`.

The service reports most failures in-band (HTTP 200, `{"status": "error", "error": ...}`; `POST /api/org` uses
`message`), so handlers refuse with `refuse(...)`. Refusals of the request path (schema violations, missing
credentials, body limits, faults) reach `error_body` as typed data and are rendered in the media type the contract
declares for the operation and status: JSON `{status: "error", <field>}` with the field the declared error envelope
requires, or plain text shaped by the declared text schema (a one-value enum such as "Invalid request" is sent as
it is; a `^prefix` pattern such as "Error in summarizeSR: " prefixes the message). A refusal the operation
documents by example (`x-refusals`, faults with a `reason`) is that example's body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from contracts import Operation, load_contract
from mockserver.problems import Kind, Location, RequestError, Violation
from mockserver.vendors.sysaid_copilot.model import SPEC, component
from mockserver.vendors.sysaid_copilot.refusals import documented_body

__all__ = ["JSON", "TEXT", "Reply", "error_body", "ok", "refuse", "shorten", "text"]

Reply = tuple[Any, int, dict[str, str]]

JSON = {"Content-Type": "application/json"}
TEXT = {"Content-Type": "text/plain; charset=utf-8"}
"""Plain text is UTF-8 (messages echo ids such as `²`; without a charset, `text/plain` means US-ASCII)."""
MISSING_CREDENTIALS = (
    "Unauthorized: the JSESSIONID and SERVERID cookies and the x-sysaid-hostname header are all required"
)
_PARAMETERS = (Location.PATH, Location.QUERY, Location.HEADER, Location.COOKIE)
_REGEX_SYNTAX = re.compile(r"[\\.^$*+?{}\[\]|()]")


def ok(**fields: Any) -> Reply:
    """A success envelope (`status` "ok") with the given fields."""
    return {"status": "ok", **fields}, 200, JSON


def refuse(message: str, **fields: Any) -> Reply:
    """The in-band error envelope: HTTP 200 with `status` "error" (A4)."""
    return {"status": "error", "error": message, **fields}, 200, JSON


def text(message: str, status: int) -> Reply:
    """A plain-text answer (the long-operation, stream, summarize and feedback errors)."""
    return message, status, TEXT


def shorten(message: str, limit: int = 240) -> str:
    """Keep a message short even when it echoes a large value; the reason is at the end, so both ends stay."""
    return message if len(message) <= limit else f"{message[:100]} ... {message[-(limit - 105) :]}"


def _uuid_pattern() -> str:
    return str(component("Uuid")["pattern"])


def _violation_text(violation: Violation) -> str:
    """`<field>: <what is wrong>`, with integer and UUID parameters named in words."""
    value = shorten(repr(violation.value), 80)
    if violation.location in _PARAMETERS and violation.constraint == "type" and "integer" in str(violation.expected):
        return f"{violation.name}: {value} is not an integer"
    uuid = (violation.constraint, violation.expected) in (("format", "uuid"), ("pattern", _uuid_pattern()))
    if violation.constraint == "required" or violation.constraint == "additionalProperties":
        where = violation.parent
    else:
        where = violation.dotted or (violation.name if violation.location is not Location.BODY else "") or ""
    message = f"{value} is not a valid UUID" if uuid else violation.message()
    return f"{where}: {message}" if where else message


def _message(error: RequestError) -> str:
    """What went wrong, in a short sentence built from the refusal's data."""
    violation = error.first
    if error.kind is Kind.CREDENTIALS_MISSING:
        missing = ", ".join(v.name for v in error.violations if v.name)
        return f"{MISSING_CREDENTIALS} (missing: {missing})" if missing else MISSING_CREDENTIALS
    if error.kind is Kind.CREDENTIALS_INVALID:
        return f"Unauthorized: {error.detail}"
    if error.kind is Kind.BODY_MISSING:
        return "request body is required"
    if error.kind is Kind.BODY_TOO_LARGE:
        return f"request entity too large: {error.detail}"
    if error.kind is Kind.METHOD_NOT_ALLOWED:
        return "Method Not Allowed"
    if error.kind is Kind.MEDIA_TYPE_UNSUPPORTED and violation is not None:
        wanted = ", ".join(violation.expected or ())
        return f"Content-Type {violation.value or '(none)'} is not supported: send {wanted}"
    if error.kind in (Kind.SCHEMA_VIOLATION, Kind.PARAMETER_MISSING) and violation is not None:
        return shorten(_violation_text(violation))
    return shorten(error.detail)


def _resolved(node: Any) -> Any:
    return load_contract(SPEC).resolve(node)


def _schema(operation: Operation, status: int, media_type: str) -> Mapping[str, Any]:
    response = operation.response_for(status)
    media = response.content.get(media_type) if response is not None else None
    schema = _resolved(media.schema) if media is not None and media.schema is not None else {}
    return schema if isinstance(schema, Mapping) else {}


def _text_body(schema: Mapping[str, Any], message: str) -> str:
    """The plain-text body the declared schema allows: its only value, its literal `^prefix` and the message, or the
    message itself."""
    values = schema.get("enum")
    if isinstance(values, list) and len(values) == 1:
        return str(values[0])
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and pattern.startswith("^") and not _REGEX_SYNTAX.search(pattern[1:]):
        return pattern[1:] + message
    return message


def _error_field(schema: Mapping[str, Any]) -> str:
    """The message field of the declared error envelope (`error`, or `message` on `POST /api/org`)."""
    for branch in [schema, *(schema.get("oneOf") or []), *(schema.get("anyOf") or [])]:
        branch = _resolved(branch)
        status = (branch.get("properties") or {}).get("status") or {}
        if _resolved(status).get("enum") == ["error"]:
            required = branch.get("required") or []
            return "message" if "message" in required and "error" not in required else "error"
    return "error"


def error_body(error: RequestError, operation: Operation | None, media_type: str | None) -> Any:
    """The SysAid answer to a refusal, in the media type the operation declares for its status."""
    if media_type is None:
        return None
    if operation is not None and error.reason is not None:
        documented = documented_body(operation, error.status, media_type, error.reason)
        if documented is not None:
            return documented
    message = _message(error)
    schema = _schema(operation, error.status, media_type) if operation is not None else {}
    if not media_type.split(";")[0].strip().endswith("json"):
        return _text_body(schema, message)
    return {"status": "error", _error_field(schema): message}
