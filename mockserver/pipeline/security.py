"""Security requirements compiled per operation: where each credential travels, and the vendor checker for it.

An operation's `security` lists alternatives; each alternative is a set of schemes that must all be satisfied.
Credentials are read as the scheme declares (header, query or cookie; `Bearer` or `Basic` for http schemes) and
handed to the vendor's checker, which returns what it knows about the caller or raises `Rejected` (401/403).
The first satisfied alternative wins. Otherwise the most informative refusal is raised: a checker's own refusal
of a presented credential before a plain "missing credential".
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from contracts import Operation, SecurityScheme
from mockserver.errors import SettingsError
from mockserver.pipeline.call import Call
from mockserver.problems import Kind, Location, Rejected, RequestError, Violation

__all__ = ["Checker", "CompiledSecurity", "compile_security"]

Checker = Callable[[Any, Call], Awaitable[Mapping[str, Any]]]
"""`async (credential, call) -> caller info`; the credential is a string, or `(user, password)` for Basic."""

_MALFORMED = object()


@dataclass(frozen=True)
class _Scheme:
    scheme: SecurityScheme
    checker: Checker

    def read(self, call: Call) -> Any:
        """The credential as sent: None when absent, `_MALFORMED` when present but unusable."""
        definition = self.scheme
        if definition.location == "query":
            return call.query_value(definition.parameter)
        if definition.location == "cookie":
            return call.cookies.get(definition.parameter)
        raw = call.headers.get(definition.parameter.lower())
        if raw is None or definition.type == "apiKey":
            return raw
        kind, _, value = raw.strip().partition(" ")
        expected = "basic" if definition.scheme == "basic" else "bearer"
        if kind.lower() != expected or not value.strip():
            return _MALFORMED
        if expected == "bearer":
            return value.strip()
        try:
            user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return _MALFORMED
        return (user, password) if sep else _MALFORMED

    def describe(self) -> str:
        definition = self.scheme
        if definition.type == "apiKey":
            return f"{definition.location} {definition.parameter}"
        return f"Authorization: {'Basic' if definition.scheme == 'basic' else 'Bearer'} header"


@dataclass(frozen=True)
class CompiledSecurity:
    """An operation's alternatives, each a tuple of schemes that must all pass."""

    alternatives: tuple[tuple[_Scheme, ...], ...]

    @property
    def anonymous(self) -> bool:
        """Whether the operation needs no credential."""
        return not self.alternatives or any(not alternative for alternative in self.alternatives)

    @property
    def query_names(self) -> frozenset[str]:
        """Query parameters that carry credentials (allowed beside the declared parameters)."""
        return frozenset(s.scheme.parameter for alt in self.alternatives for s in alt if s.scheme.location == "query")

    async def authenticate(self, call: Call) -> dict[str, Any]:
        """The principal of the first satisfied alternative, or the refusal that best explains the failure."""
        if self.anonymous:
            return {}
        refusal: Rejected | None = None
        missing: list[str] = []
        for alternative in self.alternatives:
            values = [(scheme, scheme.read(call)) for scheme in alternative]
            absent = [scheme.describe() for scheme, value in values if value is None]
            if absent:
                missing.extend(name for name in absent if name not in missing)
                continue
            principal: dict[str, Any] = {}
            call.principal = principal  # later checkers of the alternative see what earlier ones found
            try:
                for scheme, value in values:
                    if value is _MALFORMED:
                        raise _malformed(scheme)
                    principal[scheme.scheme.name] = await scheme.checker(value, call)
            except Rejected as exc:
                if exc.error.kind is Kind.FORBIDDEN:
                    raise
                refusal = refusal or exc
                continue
            return principal
        if refusal is not None:
            raise refusal
        detail = f"no credentials: send {' and '.join(missing)}" if missing else "no credentials"
        violations = tuple(Violation(Location.CREDENTIALS, name) for name in missing)
        raise Rejected(RequestError(Kind.CREDENTIALS_MISSING, detail, violations=violations))


def _malformed(scheme: _Scheme) -> Rejected:
    detail = f"malformed credential in the {scheme.describe()}"
    violation = Violation(Location.CREDENTIALS, scheme.scheme.name, constraint="format")
    return Rejected(RequestError(Kind.CREDENTIALS_INVALID, detail, violations=(violation,), scheme=scheme.scheme.name))


def compile_security(
    operation: Operation, schemes: Mapping[str, SecurityScheme], checkers: Mapping[str, Checker]
) -> CompiledSecurity:
    """Compile an operation's requirements; a scheme without a checker stops the mock at start-up."""
    alternatives = []
    for requirement in operation.security:
        compiled = []
        for name in requirement:
            scheme = schemes.get(name)
            if scheme is None:
                raise SettingsError(f"{operation.contract} {operation.operation_id}: unknown security scheme {name!r}")
            if scheme.type not in ("apiKey", "http", "oauth2") or (
                scheme.type == "http" and scheme.scheme not in ("basic", "bearer")
            ):
                raise SettingsError(f"{operation.contract}: security scheme {name!r} ({scheme.type}) is not supported")
            checker = checkers.get(name)
            if checker is None:
                raise SettingsError(f"{operation.contract}: the vendor module has no checker for scheme {name!r}")
            compiled.append(_Scheme(scheme, checker))
        alternatives.append(tuple(compiled))
    return CompiledSecurity(tuple(alternatives))
