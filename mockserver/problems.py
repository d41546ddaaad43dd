"""What is wrong with a request, as data: the kind of refusal, where in the request, which field and constraint.

Everything on the request path (routing, body reading, parameter and schema validation, security checkers, vendor
handlers, injected faults) raises `Rejected` with a `RequestError`; each vendor module turns that data into its
documented envelope (`Behaviour.error_body`). No code downstream reads an English sentence to decide anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from mockserver.errors import MockServerError

__all__ = [
    "Kind",
    "Location",
    "Rejected",
    "RequestError",
    "Violation",
    "bad_request",
    "forbidden",
    "not_found",
    "rate_limited",
    "unauthorized",
]


class Kind(StrEnum):
    """Why a request is refused."""

    ROUTE_NOT_FOUND = "route-not-found"
    NOT_FOUND = "not-found"
    """A resource the request names does not exist."""
    METHOD_NOT_ALLOWED = "method-not-allowed"
    CREDENTIALS_MISSING = "credentials-missing"
    CREDENTIALS_INVALID = "credentials-invalid"
    FORBIDDEN = "forbidden"
    MEDIA_TYPE_UNSUPPORTED = "media-type-unsupported"
    BODY_MISSING = "body-missing"
    BODY_MALFORMED = "body-malformed"
    BODY_TOO_LARGE = "body-too-large"
    BODY_INCOMPLETE = "body-incomplete"
    PARAMETER_MISSING = "parameter-missing"
    PARAMETER_UNEXPECTED = "parameter-unexpected"
    SCHEMA_VIOLATION = "schema-violation"
    BAD_REQUEST = "bad-request"
    RATE_LIMITED = "rate-limited"
    INJECTED_FAULT = "injected-fault"
    UNAVAILABLE = "unavailable"
    SIMULATED_FAILURE = "simulated-failure"
    """A failure the fixtures configure (a workflow step that fails, a bot that was not retrained...)."""
    INTERNAL = "internal"


class Location(StrEnum):
    """Where in the request a violation sits."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"
    CREDENTIALS = "credentials"
    REQUEST = "request"


_DEFAULT_STATUS = {
    Kind.ROUTE_NOT_FOUND: 404,
    Kind.NOT_FOUND: 404,
    Kind.METHOD_NOT_ALLOWED: 405,
    Kind.CREDENTIALS_MISSING: 401,
    Kind.CREDENTIALS_INVALID: 401,
    Kind.FORBIDDEN: 403,
    Kind.MEDIA_TYPE_UNSUPPORTED: 415,
    Kind.BODY_TOO_LARGE: 413,
    Kind.RATE_LIMITED: 429,
    Kind.INJECTED_FAULT: 500,
    Kind.SIMULATED_FAILURE: 500,
    Kind.UNAVAILABLE: 503,
    Kind.INTERNAL: 500,
}


@dataclass(frozen=True)
class Violation:
    """One thing wrong in a request."""

    location: Location
    name: str | None = None
    """The parameter, header or cookie name, or the top-level body field."""
    path: tuple[str | int, ...] = ()
    """Path inside the body (or inside a structured parameter value)."""
    constraint: str | None = None
    """The JSON Schema keyword (`required`, `type`, `enum`, `pattern`, `maxLength`...) or a pipeline rule."""
    expected: Any = None
    """What the constraint wants: the types, the allowed values, the limit."""
    value: Any = None
    """The offending value; dropped by `masked()` wherever the contract says a credential travels."""

    @property
    def dotted(self) -> str:
        """`items.0.name`: the field path as Connexion used to print it (empty at the top level)."""
        return ".".join(str(part) for part in self.path)

    @property
    def parent(self) -> str:
        """The dotted path of the object holding the field (for `required`, where the field itself is missing)."""
        return ".".join(str(part) for part in self.path[:-1])

    def message(self) -> str:
        """The constraint broken, in the familiar JSON Schema phrasing, built from the data (never a library's text)."""
        value = _short(self.value)
        expected = self.expected
        if self.constraint == "required":
            return f"{str(self.path[-1]) if self.path else self.name!r} is a required property"
        if self.constraint == "type":
            kinds = expected if isinstance(expected, list | tuple) else [expected]
            return f"{value} is not of type {', '.join(repr(kind) for kind in kinds)}"
        if self.constraint == "enum":
            return f"{value} is not one of {list(expected) if isinstance(expected, list | tuple) else expected!r}"
        if self.constraint == "pattern":
            return f"{value} does not match {expected!r}"
        if self.constraint in ("maxLength", "maxItems", "maxProperties"):
            return f"{value} is too long"
        if self.constraint in ("minLength", "minItems", "minProperties"):
            return f"{value} should be non-empty" if expected == 1 else f"{value} is too short"
        if self.constraint in ("minimum", "exclusiveMinimum"):
            return f"{value} is less than the minimum of {expected}"
        if self.constraint in ("maximum", "exclusiveMaximum"):
            return f"{value} is greater than the maximum of {expected}"
        if self.constraint == "additionalProperties":
            names = list(expected) if isinstance(expected, list | tuple) else [self.name]
            verb = "was" if len(names) == 1 else "were"
            return f"Additional properties are not allowed ({', '.join(repr(n) for n in names)} {verb} unexpected)"
        if self.constraint == "format":
            return f"{value} is not a {expected!r}"
        if self.constraint in ("oneOf", "anyOf"):
            return f"{value} is not valid under any of the given schemas"
        return f"{value} is not valid ({self.constraint or 'schema'})"

    def describe(self) -> str:
        """Where the violation is and what it breaks, in one line."""
        where = self.parent if self.constraint == "required" else self.dotted
        where = where or (self.name if self.location is not Location.BODY else "") or ""
        prefix = f"{self.location.value} {where}: " if where else f"{self.location.value}: "
        return prefix + self.message()

    def masked(self) -> Violation:
        """The same violation with its value hidden (a credential's value is never echoed or journaled)."""
        return replace(self, value=MASKED)


MASKED = "[MASKED]"
"""What a masked violation holds instead of its value."""


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}...{text[-15:]}"


@dataclass(frozen=True)
class RequestError:
    """A refusal: its kind, the status it asks for, what is wrong and the headers it must carry."""

    kind: Kind
    detail: str
    status: int = 0
    violations: tuple[Violation, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    scheme: str | None = None
    """The security scheme concerned (credential refusals)."""
    allowed: tuple[str, ...] = ()
    """Methods declared at the path (405)."""
    reason: str | None = None
    """A vendor-chosen code for the refusal (Aisera `ERR-012`, OAuth `invalid_client`...)."""

    def __post_init__(self) -> None:
        if not self.status:
            object.__setattr__(self, "status", _DEFAULT_STATUS.get(self.kind, 400))

    @property
    def first(self) -> Violation | None:
        """The most relevant violation, if any."""
        return self.violations[0] if self.violations else None

    def with_status(self, status: int) -> RequestError:
        """The same refusal answered with another status (the nearest one the operation declares)."""
        return replace(self, status=status)

    def for_journal(self) -> dict[str, Any]:
        """Plain data for the journal: kind, status, detail and violations, never a value."""
        return {
            "kind": self.kind.value,
            "status": self.status,
            "detail": self.detail,
            "violations": [
                {
                    "location": v.location.value,
                    "name": v.name,
                    "path": list(v.path),
                    "constraint": v.constraint,
                    "expected": v.expected if not isinstance(v.expected, tuple) else list(v.expected),
                }
                for v in self.violations
            ],
        }


class Rejected(MockServerError):
    """Raised anywhere on the request path to refuse the request with a `RequestError`."""

    def __init__(self, error: RequestError) -> None:
        super().__init__(error.detail)
        self.error = error


def unauthorized(detail: str, *, scheme: str | None = None, missing: bool = False) -> Rejected:
    """A refused or missing credential (401)."""
    kind = Kind.CREDENTIALS_MISSING if missing else Kind.CREDENTIALS_INVALID
    return Rejected(RequestError(kind, detail, violations=(Violation(Location.CREDENTIALS, scheme),), scheme=scheme))


def forbidden(detail: str, *, scheme: str | None = None) -> Rejected:
    """An authenticated caller who may not do this (403)."""
    return Rejected(RequestError(Kind.FORBIDDEN, detail, scheme=scheme))


def rate_limited(detail: str, retry_after: int) -> Rejected:
    """Too many requests (429) with the seconds to wait."""
    return Rejected(RequestError(Kind.RATE_LIMITED, detail, headers={"Retry-After": str(max(retry_after, 0))}))


def not_found(detail: str) -> Rejected:
    """A resource the request names does not exist (404)."""
    return Rejected(RequestError(Kind.NOT_FOUND, detail))


def bad_request(detail: str, *violations: Violation, kind: Kind = Kind.BAD_REQUEST, status: int = 400) -> Rejected:
    """A request the vendor refuses as invalid."""
    return Rejected(RequestError(kind, detail, status=status, violations=violations))
