"""The request being served, as handlers and security checkers see it (`current()`), without a framework object.

The pipeline builds one `Call` per request from the raw ASGI scope: headers lower-cased once, the query string and
cookies parsed once, the path parameters and the parsed body filled in as validation accepts them, and `principal`
holding what each security checker returned, by scheme name.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.types import Scope

from contracts import Operation

if TYPE_CHECKING:
    from mockserver.runtime import Runtime

__all__ = ["Call", "activate_call", "current"]


@dataclass
class Call:
    """One request to one operation."""

    spec: str
    operation: Operation
    method: str
    path: str
    """The request path as received (after public-prefix rewriting), without the query string."""
    headers: Mapping[str, str]
    """Lower-cased names; repeated headers joined with `, `."""
    query: Mapping[str, list[str]]
    cookies: Mapping[str, str]
    runtime: Runtime
    scope: Scope = field(repr=False)
    variables: dict[str, str] = field(default_factory=dict)
    """The path's template variables as sent (percent-decoded text), known before security runs: a checker that
    authorizes by resource (an organization in the path, say) reads them here."""
    path_params: dict[str, Any] = field(default_factory=dict)
    """The path and query parameters, coerced and validated (after security)."""
    raw_body: bytes = b""
    body: Any = None
    files: dict[str, Any] = field(default_factory=dict)
    """Multipart file parts by name (`starlette.datastructures.UploadFile`)."""
    principal: dict[str, Any] = field(default_factory=dict)
    """Scheme name -> what its checker returned, for the security requirement that was satisfied."""

    @property
    def operation_id(self) -> str:
        """The operation's id."""
        return self.operation.operation_id

    def query_value(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None


_current: ContextVar[Call | None] = ContextVar("mockserver_call", default=None)


def current() -> Call:
    """The call being served by this task."""
    call = _current.get()
    if call is None:
        raise LookupError("no request is being served in this context")
    return call


def activate_call(call: Call | None) -> None:
    """Make `call` the current one (the pipeline does this before security and the handler)."""
    _current.set(call)
