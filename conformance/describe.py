"""Turning any Schemathesis failure into the house format: "Received ... / Documented ...".

Schemathesis' failures carry structured fields (status codes, media types, schema paths); each is read here
so every finding, whichever check raised it, says what came back and what the contract documents.
"""

from __future__ import annotations

from typing import Any

from schemathesis.core.failures import Failure

from conformance.coverage import normalize_media_type
from conformance.violations import HarnessFailure
from contracts import Operation

__all__ = ["describe", "documented_statuses", "received_text"]

BODY_EXCERPT = 160


def documented_statuses(operation: Operation | None) -> str:
    """`200, 400, 401` for an operation, or a placeholder when unknown."""
    return ", ".join(operation.responses) if operation is not None else "(operation not in the contract)"


def received_text(status: int | None, media_type: str, body: str | None) -> str:
    """`HTTP 200 application/json: {...}` with a short, single-line excerpt of the body."""
    if status is None:
        return "no response (network error)"
    excerpt = (body or "").strip().replace("\n", " ")
    if len(excerpt) > BODY_EXCERPT:
        excerpt = excerpt[:BODY_EXCERPT] + "..."
    return f"HTTP {status} {media_type or '(no content type)'}" + (f": {excerpt}" if excerpt else "")


def _documented(failure: Failure, operation: Operation | None) -> str:
    get: Any = getattr
    kind = type(failure).__name__
    if kind == "UndefinedStatusCode":
        return f"one of the statuses {', '.join(get(failure, 'defined_status_codes', []))}"
    if kind in ("UndefinedContentType", "MalformedMediaType", "MissingContentType"):
        defined = get(failure, "defined_content_types", None) or get(failure, "media_types", None)
        defined = defined or [get(failure, "defined", "")]
        return f"a documented media type: {', '.join(map(str, defined))}"
    if kind == "JsonSchemaError":
        path = "/".join(str(part) for part in get(failure, "schema_path", []))
        return f"a body valid against the documented schema ({get(failure, 'validation_message', '')} at {path})"
    if kind == "RejectedPositiveData":
        return f"schema-valid input accepted ({', '.join(get(failure, 'allowed_statuses', []))})"
    if kind == "AcceptedNegativeData":
        return f"invalid input rejected ({', '.join(get(failure, 'expected_statuses', []))})"
    if kind in ("ServerError", "ContentTypeServerError"):
        return f"no server error; documented statuses {documented_statuses(operation)}"
    if kind == "MissingHeaders":
        return f"the required response headers {', '.join(get(failure, 'missing_headers', []))}"
    if kind == "MissingHeaderNotRejected":
        return f"a request without required header {get(failure, 'header_name', '?')} rejected"
    if kind == "UnsupportedMethodResponse":
        method = get(failure, "method", "?")
        if get(failure, "failure_reason", "") == "missing_allow_header":
            return f"405 for the undeclared method {method} with an `Allow` header listing the declared methods"
        return f"405 Method Not Allowed for the undeclared method {method}"
    if kind == "IgnoredAuth":
        return "401 or 403 without valid credentials"
    if kind == "UseAfterFree":
        return "404 for a resource after it was deleted"
    if kind == "EnsureResourceAvailability":
        return "a resource readable right after it was created"
    lines = [line for line in failure.message.splitlines() if line.strip()]
    return lines[-1] if lines else failure.title


def describe(
    failure: Failure, status: int | None, content_type: str | None, body: str | None, operation: Operation | None
) -> tuple[str, str]:
    """(received, documented) for any failure; the harness' own failures already carry both."""
    if isinstance(failure, HarnessFailure):
        return failure.received, failure.documented
    received = received_text(status, normalize_media_type(content_type), body)
    if getattr(failure, "failure_reason", None) == "missing_allow_header":
        received = f"{received} (no `Allow` header)"
    return received, _documented(failure, operation)
