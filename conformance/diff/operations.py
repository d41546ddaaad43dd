"""Index a contract's operations in a comparable form: parameters, bodies, responses and security resolved."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.diff.findings import operation_key
from conformance.diff.lifecycle import Lifecycle
from conformance.diff.normalize import Normalizer, Schema

__all__ = [
    "HTTP_METHODS",
    "Body",
    "Header",
    "Operation",
    "Parameter",
    "Requirement",
    "Response",
    "Security",
    "index_operations",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_VARIABLE = re.compile(r"\{([^}/]*)\}")
_STATUS_RANGE = re.compile(r"[1-5]xx", re.IGNORECASE)

# One way to authenticate: the schemes that must all be satisfied, each with its scopes.
Requirement = frozenset[tuple[str, frozenset[str]]]


@dataclass(frozen=True)
class Parameter:
    """A parameter; `key` identifies it across versions (a path parameter by position, not by name)."""

    key: tuple[str, str]
    location: str
    name: str
    required: bool
    schema: Schema
    lifecycle: Lifecycle = field(default_factory=Lifecycle)


@dataclass(frozen=True)
class Body:
    """Media type to schema for a request body or a response; `required` is the request body's flag."""

    content: Mapping[str, Schema]
    required: bool = False


@dataclass(frozen=True)
class Header:
    """A response header (keyed by its lower-case name; `name` is as written)."""

    name: str
    required: bool
    schema: Schema


@dataclass(frozen=True)
class Response:
    """One documented status of an operation."""

    status: str
    body: Body
    headers: Mapping[str, Header]


@dataclass(frozen=True)
class Security:
    """The ways to call an operation: alternatives, and whether calling with no credentials is allowed."""

    alternatives: frozenset[Requirement]
    anonymous: bool
    names: Mapping[str, str] = field(default_factory=dict)

    def describe(self, requirement: Requirement) -> str:
        """The requirement as written in the contract, for example `oauth2[read, write] + apiKey`."""
        parts = []
        for scheme, scopes in sorted(requirement):
            name = self.names.get(scheme, scheme)
            parts.append(f"{name}[{', '.join(sorted(scopes))}]" if scopes else name)
        return " + ".join(parts) if parts else "no credentials"


@dataclass(frozen=True)
class Operation:
    """An operation of a contract, everything resolved and normalized."""

    method: str
    path: str
    lifecycle: Lifecycle
    parameters: Mapping[tuple[str, str], Parameter]
    request_body: Body | None
    responses: Mapping[str, Response]
    security: Security
    operation_id: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """`METHOD /path` with path variables blanked."""
        return operation_key(self.method, self.path)

    @property
    def deprecated(self) -> bool:
        """Whether the operation is marked `deprecated: true`."""
        return self.lifecycle.deprecated


def index_operations(document: Mapping[str, Any], source: str) -> dict[str, Operation]:
    """Every operation of `document`, keyed by `operation_key` (so renamed path variables still match)."""
    normalizer = Normalizer(document, source)
    schemes = _scheme_signatures(normalizer)
    global_security = document.get("security")
    operations: dict[str, Operation] = {}
    paths = document.get("paths") or {}
    for path, raw_item in paths.items():
        item = normalizer.deref(raw_item)
        if not isinstance(item, Mapping):
            continue
        shared = _parameters(normalizer, str(path), item.get("parameters") or [])
        for method in HTTP_METHODS:
            raw = item.get(method)
            if not isinstance(raw, Mapping):
                continue
            parameters = {**shared, **_parameters(normalizer, str(path), raw.get("parameters") or [])}
            security = raw.get("security", global_security)
            operation_id = raw.get("operationId")
            operation = Operation(
                method=method.upper(),
                path=str(path),
                lifecycle=Lifecycle.of(raw),
                parameters=parameters,
                request_body=_request_body(normalizer, raw.get("requestBody")),
                responses=_responses(normalizer, raw.get("responses") or {}),
                security=_security(security, schemes),
                operation_id=str(operation_id) if operation_id is not None else None,
                tags=tuple(str(tag) for tag in raw.get("tags") or ()),
            )
            operations[operation.key] = operation
    return operations


def _parameters(normalizer: Normalizer, path: str, raw: list[Any]) -> dict[tuple[str, str], Parameter]:
    positions = {name: str(index) for index, name in enumerate(_TEMPLATE_VARIABLE.findall(path))}
    result: dict[tuple[str, str], Parameter] = {}
    for entry in raw:
        parameter = normalizer.deref(entry)
        if not isinstance(parameter, Mapping) or "name" not in parameter:
            continue
        location, name = str(parameter.get("in", "query")), str(parameter["name"])
        if location == "path":
            key = ("path", positions.get(name, name))
        elif location == "header":
            key = ("header", name.lower())
        else:
            key = (location, name)
        schema: Any = parameter.get("schema")
        if schema is None and isinstance(parameter.get("content"), Mapping):
            media: Any = next(iter(parameter["content"].values()), None)
            schema = media.get("schema") if isinstance(media, Mapping) else None
        result[key] = Parameter(
            key=key,
            location=location,
            name=name,
            required=location == "path" or bool(parameter.get("required", False)),
            schema=normalizer.schema(schema or {}),
            lifecycle=Lifecycle.of(parameter),
        )
    return result


def _content(normalizer: Normalizer, raw: Any) -> dict[str, Schema]:
    content: dict[str, Schema] = {}
    for media_type, media in (raw or {}).items():
        schema = media.get("schema") if isinstance(media, Mapping) else None
        content["".join(str(media_type).lower().split())] = normalizer.schema(schema or {})
    return content


def _request_body(normalizer: Normalizer, raw: Any) -> Body | None:
    body = normalizer.deref(raw)
    if not isinstance(body, Mapping):
        return None
    return Body(content=_content(normalizer, body.get("content")), required=bool(body.get("required", False)))


def _responses(normalizer: Normalizer, raw: Mapping[Any, Any]) -> dict[str, Response]:
    responses: dict[str, Response] = {}
    for status, entry in raw.items():
        response = normalizer.deref(entry)
        if not isinstance(response, Mapping):
            continue
        headers: dict[str, Header] = {}
        for name, header_entry in (response.get("headers") or {}).items():
            header = normalizer.deref(header_entry)
            if isinstance(header, Mapping):
                schema = normalizer.schema(header.get("schema") or {})
                required = bool(header.get("required", False))
                headers[str(name).lower()] = Header(name=str(name), required=required, schema=schema)
        code = str(status)
        code = code.upper() if _STATUS_RANGE.fullmatch(code) else code
        responses[code] = Response(code, Body(_content(normalizer, response.get("content"))), headers)
    return responses


def _scheme_signatures(normalizer: Normalizer) -> dict[str, str]:
    """Scheme name to what a client must send, so a renamed scheme is the same scheme."""
    components = normalizer.document.get("components") or {}
    signatures: dict[str, str] = {}
    for name, raw in (components.get("securitySchemes") or {}).items():
        scheme = normalizer.deref(raw)
        if not isinstance(scheme, Mapping):
            continue
        kind = str(scheme.get("type", ""))
        if kind == "apiKey":
            location = str(scheme.get("in", ""))
            key_name = str(scheme.get("name", ""))
            signatures[str(name)] = f"apiKey {location} {key_name.lower() if location == 'header' else key_name}"
        elif kind == "http":
            signatures[str(name)] = f"http {str(scheme.get('scheme', '')).lower()}"
        elif kind == "oauth2":
            signatures[str(name)] = f"oauth2 {' '.join(sorted(scheme.get('flows') or {}))}"
        else:
            signatures[str(name)] = f"{kind} {scheme.get('openIdConnectUrl', '')}".strip()
    return signatures


def _security(raw: Any, schemes: Mapping[str, str]) -> Security:
    if not isinstance(raw, list) or not raw:
        return Security(alternatives=frozenset(), anonymous=True)
    alternatives: set[Requirement] = set()
    names: dict[str, str] = {}
    anonymous = False
    for entry in raw:
        if not isinstance(entry, Mapping) or not entry:
            anonymous = True
            continue
        requirement = []
        for name, scopes in entry.items():
            signature = schemes.get(str(name), str(name))
            names.setdefault(signature, str(name))
            requirement.append((signature, frozenset(str(scope) for scope in scopes or [])))
        alternatives.add(frozenset(requirement))
    return Security(alternatives=frozenset(alternatives), anonymous=anonymous, names=names)
