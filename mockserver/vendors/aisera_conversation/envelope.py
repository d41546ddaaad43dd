"""The Aisera error envelope `{code, error, errors[{message, path}]}` built from typed refusals.

Aisera Conversation API, API Overview, "Error Response" and "Error Detail" document it; the Ingestion APIs, whose
page documents no error body, use it too (their assumption A7), so both Aisera modules build it here. `detail`
says what is wrong and where from the refusal's data (kind, violation, constraint), never from a sentence, and a
value travelling in a field the contract marks `x-credential: true` is never part of a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from contracts import Contract
from mockserver.journal import MASK
from mockserver.problems import Kind, Location, RequestError, Violation

__all__ = ["credential_fields", "detail", "envelope"]

MESSAGE_LIMIT = 300
"""Longest `message` sent (a huge offending value is cut in the middle)."""
_BODY_KINDS = (Kind.BODY_MALFORMED, Kind.BODY_MISSING, Kind.BODY_TOO_LARGE, Kind.BODY_INCOMPLETE)


_MARKED: dict[int, tuple[Mapping[str, Any], frozenset[str]]] = {}
"""id(contract document) -> (the document, kept alive so the id stays its own; its marked field names)."""


def _marked(document: Mapping[str, Any]) -> frozenset[str]:
    found: set[str] = set()
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and sub.get("x-credential") is True:
                    found.add(str(name))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(found)


def credential_fields(contract: Contract) -> frozenset[str]:
    """Names of the body and response properties the contract marks `x-credential: true`."""
    cached = _MARKED.get(id(contract.document))
    if cached is None:
        cached = _MARKED[id(contract.document)] = (contract.document, _marked(contract.document))
    return cached[1]


def _short(message: str) -> str:
    if len(message) <= MESSAGE_LIMIT:
        return message
    return f"{message[: MESSAGE_LIMIT - 60]} ... {message[-55:]}"


def _where(violation: Violation, body_root: str) -> str:
    """`body.0.id`, `data.text`, `query.debug`, `Content-Type`: where the violation (or the missing field) is."""
    inner = violation.dotted
    if violation.location is Location.BODY:
        return ".".join(part for part in (body_root, inner) if part) or "body"
    if violation.location in (Location.QUERY, Location.COOKIE):
        return f"{violation.location.value}.{violation.name}" + (f".{inner}" if inner else "")
    return violation.name or violation.location.value


def _message(violation: Violation, secret: frozenset[str]) -> str:
    """The constraint broken; a credential's value is replaced by the journal's mask."""
    names = {violation.name, *(part for part in violation.path if isinstance(part, str))}
    if violation.value not in (None, "") and names & secret:
        violation = replace(violation, value=MASK)
    return violation.message()


def detail(error: RequestError, *, body_root: str, secret: frozenset[str]) -> dict[str, str]:
    """`{message, path}` for one refusal (no `path` when it concerns the request as a whole)."""
    first = error.first
    message, path = error.detail, ""
    if error.kind is Kind.SCHEMA_VIOLATION and first is not None:
        message, path = _message(first, secret), _where(first, body_root)
    elif error.kind is Kind.MEDIA_TYPE_UNSUPPORTED and first is not None:
        accepted = first.expected if isinstance(first.expected, list | tuple) else [first.expected]
        message = f"Content-Type {first.value or '(none)'} is not supported: send {' or '.join(map(str, accepted))}"
        path = "Content-Type"
    elif error.kind is Kind.PARAMETER_UNEXPECTED and first is not None:
        names = [violation.name for violation in error.violations]
        message, path = f"unexpected query parameter(s): {', '.join(map(str, names))}", _where(first, body_root)
    elif error.kind in _BODY_KINDS:
        path = body_root or "body"
    elif first is not None and first.location is not Location.CREDENTIALS:
        path = _where(first, body_root)
    found = {"message": _short(message)}
    if path:
        found["path"] = path
    return found


def envelope(status: int, error: str, details: list[dict[str, str]]) -> dict[str, Any]:
    """The envelope itself."""
    return {"code": status, "error": error, "errors": details}
