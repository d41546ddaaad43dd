"""Errors of the mock server, and the mapping of every framework error onto the vendor's declared envelope.

Exception tree::

    MockServerError(Exception)
    ├── ConfigurationError(MockServerError, ValueError)   bad settings or command line
    └── FixtureError(MockServerError, ValueError)         a fixture file that does not match its schema

Framework errors (Connexion's problem exceptions, Starlette's routing errors, and the three crashes the stack notes
list) never reach a client as `application/problem+json`: `render_error` asks the vendor module for its envelope,
in the media type the contract declares for that operation and status.
"""

from __future__ import annotations

import http.cookies
import json
import logging
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from python_multipart.exceptions import MultipartParseError
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from mockserver.contracts import Operation
from mockserver.runtime import runtime
from mockserver.vendors import vendor_module

__all__ = [
    "ConfigurationError",
    "FixtureError",
    "InjectedFault",
    "MockServerError",
    "PayloadTooLarge",
    "render_error",
]

log = logging.getLogger("mockserver.errors")

PROBLEMS_KEY = "mockserver.problems"
"""Scope key under which the problems of the current request are collected for the journal."""


class MockServerError(Exception):
    """Root of the mock server's own errors."""


class ConfigurationError(MockServerError, ValueError):
    """A setting or option that cannot work; the message says which and what is valid."""


class FixtureError(MockServerError, ValueError):
    """A fixture file that does not match its schema; the message names file, path and reason."""


class PayloadTooLarge(ProblemException):  # type: ignore[misc]  # connexion ships no type hints
    """A request body above the configured limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(status=413, title="Payload Too Large", detail=f"Request body exceeds {limit} bytes")


class InjectedFault(ProblemException):  # type: ignore[misc]  # connexion ships no type hints
    """An error answer injected through the admin API."""

    def __init__(self, status: int, headers: dict[str, str]) -> None:
        super().__init__(status=status, title="Injected fault", detail="Fault injected by the mock's admin API")
        self.headers = headers


_CLIENT_ERRORS: tuple[type[BaseException], ...] = (
    UnicodeDecodeError,
    json.JSONDecodeError,
    MultiPartException,
    MultipartParseError,
    http.cookies.CookieError,
)


def _status_and_message(exc: Exception) -> tuple[int, str, dict[str, str]]:
    if isinstance(exc, ProblemException):
        detail = exc.detail or exc.title or "Request failed"
        return exc.status, str(detail), dict(getattr(exc, "headers", None) or {})
    if isinstance(exc, HTTPException):
        return exc.status_code, str(exc.detail), dict(exc.headers or {})
    if isinstance(exc, _CLIENT_ERRORS):
        return 400, f"Malformed request: {exc}", {}
    return 500, "Internal error", {}


def _declared_status(operation: Operation | None, status: int) -> int:
    """The status to send: the one raised when declared, else the nearest declared fallback."""
    if operation is None or operation.declares(status):
        return status
    fallback = 400 if 400 <= status < 500 else 500
    if status == 403 and operation.declares(401):
        fallback = 401
    log.warning(
        "%s %s does not declare %s; answering %s", operation.spec, operation.operation_id, status, fallback
    )
    return fallback


def spec_of(path: str) -> str | None:
    """The contract mounted at the start of a request path, if any."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in runtime().contracts else None


def render_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Answer a framework error with the vendor's envelope, status and media type."""
    status, message, headers = _status_and_message(exc)
    if status >= 500 and not isinstance(exc, ProblemException | HTTPException):
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    scope: dict[str, Any] = request.scope
    scope.setdefault(PROBLEMS_KEY, []).append(f"{status}: {message}")
    spec = spec_of(scope.get("path", ""))
    if spec is None:
        body = json.dumps({"type": "about:blank", "title": message, "status": status, "detail": message})
        return ConnexionResponse(status_code=status, body=body, mimetype="application/problem+json", headers=headers)
    routing = scope.get("extensions", {}).get("connexion_routing", {})
    contract = runtime().contracts[spec]
    path = scope.get("path", "")[len(spec) + 1 :]
    operation = contract.operation(routing.get("operation_id"))
    if status == 405:  # Connexion routes each (path, method) separately, so its Allow names only one method
        allowed = contract.methods_at(path)
        headers = {**headers, "Allow": ", ".join(allowed)} if allowed else headers
        operation = None
    status = _declared_status(operation, status)
    media_type = operation.media_type(status) if operation else "application/json"
    payload = vendor_module(spec).error_body(status, message, media_type, operation)
    if media_type is None:
        return ConnexionResponse(status_code=status, body=b"", headers=headers)
    if isinstance(payload, dict | list):
        payload = json.dumps(payload)
    return ConnexionResponse(status_code=status, body=payload, mimetype=media_type, headers=headers)
