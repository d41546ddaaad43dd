"""Everything the request path needs, compiled once per operation at start-up: the route table (with OpenAPI's
precedence), parameter decoders and validators, body parsers and validators, security checkers, the handler and how
to call it, the declared responses, and where credentials travel (for masking).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from contracts import Contract, Operation, PathTemplate
from mockserver.pipeline.parameters import CompiledParameter, compile_parameters
from mockserver.pipeline.responses import ResponseChecks, compile_response_checks
from mockserver.pipeline.schemas import Direction, SchemaValidator, to_json_schema
from mockserver.pipeline.security import CompiledSecurity, compile_security
from mockserver.problems import Kind, Rejected, RequestError

__all__ = ["BodyKind", "CompiledApi", "CompiledBody", "CompiledOperation", "Credentials", "compile_api"]

BodyKind = str
"""`json`, `form`, `multipart`, `text` or `binary`."""


def _body_kind(media: str) -> BodyKind:
    base = media.split(";")[0].strip().lower()
    if base.endswith("json") or base == "*/*":
        return "json"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    if base.startswith("text/"):
        return "text"
    return "binary"


@dataclass(frozen=True)
class CompiledMedia:
    """One declared request media type."""

    media_type: str
    kind: BodyKind
    schema: Mapping[str, Any]
    validator: SchemaValidator | None


@dataclass(frozen=True)
class CompiledBody:
    """A declared request body."""

    required: bool
    media: tuple[CompiledMedia, ...]

    def for_content_type(self, content_type: str | None) -> CompiledMedia | None:
        """The declared media type a request's `Content-Type` selects (`*/*json` patterns included)."""
        if not content_type:
            return None
        base = content_type.split(";")[0].strip().lower()
        for media in self.media:
            declared = media.media_type.lower()
            if declared == base or declared == "*/*":
                return media
            if declared.endswith("/*") and base.startswith(declared[:-1]):
                return media
            if declared.startswith("*/*") and base.endswith(declared[3:]):
                return media
        if base.endswith("+json"):
            return next((media for media in self.media if media.media_type.lower() == "application/json"), None)
        return None


@dataclass(frozen=True)
class Credentials:
    """Where credentials travel in an API (from its security schemes and `x-credential` marks), for masking."""

    headers: frozenset[str] = frozenset()
    query: frozenset[str] = frozenset()
    cookies: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    """Body and response field names (any depth) marked `x-credential: true`."""
    path: frozenset[str] = frozenset()
    """Path variables marked `x-credential: true` (a stream id that is the only protection of its stream, say)."""


@dataclass(frozen=True)
class CompiledOperation:
    """One operation, ready to serve."""

    spec: str
    operation: Operation
    handler: Callable[..., Any]
    arguments: frozenset[str]
    takes_kwargs: bool
    parameters: tuple[CompiledParameter, ...]
    query_allowed: frozenset[str]
    body: CompiledBody | None
    security: CompiledSecurity
    responses: ResponseChecks

    def call_arguments(self, arguments: dict[str, Any], body: Any, files: Mapping[str, Any]) -> dict[str, Any]:
        """The keyword arguments the handler accepts (as Connexion passes them: parameters, `body`, file parts)."""
        available = {**arguments, **files}
        if self.body is not None:
            available["body"] = body
        if self.takes_kwargs:
            return available
        return {name: value for name, value in available.items() if name in self.arguments}


@dataclass(frozen=True)
class Route:
    """A routed request: the operation and the raw path variables."""

    operation: CompiledOperation
    variables: dict[str, str]


@dataclass(frozen=True)
class CompiledApi:
    """One mounted contract."""

    name: str
    base: str
    contract: Contract
    operations: Mapping[str, CompiledOperation]
    credentials: Credentials
    static: Mapping[str, Mapping[str, CompiledOperation]] = field(repr=False)
    templated: tuple[tuple[PathTemplate, Mapping[str, CompiledOperation]], ...] = field(repr=False)

    def route(self, method: str, path: str) -> Route:
        """The operation for a method and a path relative to the base; `Rejected` 404/405 otherwise."""
        methods = self.static.get(path)
        variables: dict[str, str] = {}
        template = path
        if methods is None:
            for candidate, by_method in self.templated:
                found = candidate.match(path)
                if found is not None:
                    methods, variables, template = by_method, found, candidate.template
                    break
        if methods is None:
            raise Rejected(RequestError(Kind.ROUTE_NOT_FOUND, f"{self.name} declares no path {path or '/'}"))
        operation = methods.get(method.lower())
        if operation is None:
            allowed = tuple(sorted(m.upper() for m in methods))
            detail = f"{method.upper()} is not declared for {template}; declared: {', '.join(allowed)}"
            raise Rejected(
                RequestError(Kind.METHOD_NOT_ALLOWED, detail, allowed=allowed, headers={"Allow": ", ".join(allowed)})
            )
        return Route(operation, variables)


def _marked_fields(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            if isinstance(sub, dict) and sub.get("x-credential") is True:
                found.add(str(name))
        for value in node.values():
            _marked_fields(value, found)
    elif isinstance(node, list):
        for item in node:
            _marked_fields(item, found)


WELL_KNOWN_CREDENTIALS = frozenset({"access_token", "refresh_token", "id_token", "client_secret", "password"})
"""OAuth 2.0 parameter names that always carry a secret (RFC 6749), whatever the contract declares."""


def credentials_of(contract: Contract, *, anywhere: bool = True) -> Credentials:
    """Every place the contract says a credential travels (with `anywhere`, also its credential names and OAuth's
    wherever they turn up in a query or a body: what masking needs)."""
    headers: set[str] = {"authorization"}
    query: set[str] = set()
    cookies: set[str] = set()
    fields: set[str] = set()
    path: set[str] = set()
    for scheme in contract.security_schemes.values():
        target = {"header": headers, "query": query, "cookie": cookies}[scheme.location]
        target.add(scheme.parameter.lower() if scheme.location == "header" else scheme.parameter)
    for operation in contract:
        for parameter in operation.parameters:
            if parameter.definition.get("x-credential") is True:
                target = {"header": headers, "query": query, "cookie": cookies, "path": path}[parameter.location]
                target.add(parameter.name.lower() if parameter.location == "header" else parameter.name)
    _marked_fields(contract.document, fields)
    # A credential sent where this contract does not expect it (a `client_secret` in the query string, an API key
    # header name as a form field) is still a credential: every name the contract uses for one, and OAuth's own,
    # is masked in the query and in bodies wherever it turns up.
    if anywhere:
        names = {*headers, *query, *cookies, *fields, *WELL_KNOWN_CREDENTIALS} - {"authorization"}
        query |= names
        fields |= names
    return Credentials(frozenset(headers), frozenset(query), frozenset(cookies), frozenset(fields), frozenset(path))


def _compile_body(root: Mapping[str, Any], operation: Operation) -> CompiledBody | None:
    body = operation.request_body
    if body is None:
        return None
    media = []
    for name, content in body.content.items():
        schema = to_json_schema(root, content.schema, Direction.REQUEST) if content.schema else {}
        if operation.extensions.get("x-per-item-validation") and isinstance(schema.get("properties"), dict):
            # Items are validated one by one by the vendor (partial success); the envelope is checked here.
            items = dict(schema["properties"].get("items") or {})
            items["items"] = {}
            schema = {**schema, "properties": {**schema["properties"], "items": items}}
        kind = _body_kind(name)
        validator = SchemaValidator.compile(schema) if schema and kind in ("json", "form", "multipart") else None
        media.append(CompiledMedia(name, kind, schema, validator))
    return CompiledBody(body.required, tuple(media))


def compile_operation(
    contract: Contract,
    operation: Operation,
    handler: Callable[..., Any],
    checkers: Mapping[str, Any],
    *,
    open_access: bool = False,
) -> CompiledOperation:
    """Compile one operation (`open_access`: serve it without checking credentials)."""
    root = contract.document
    signature = inspect.signature(handler)
    security = CompiledSecurity(()) if open_access else compile_security(operation, contract.security_schemes, checkers)
    declared_query = {p.name for p in operation.parameters if p.location == "query"}
    return CompiledOperation(
        spec=contract.name,
        operation=operation,
        handler=handler,
        arguments=frozenset(signature.parameters),
        takes_kwargs=any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()),
        parameters=compile_parameters(root, operation.parameters),
        query_allowed=frozenset(declared_query | security.query_names),
        body=_compile_body(root, operation),
        security=security,
        responses=compile_response_checks(root, operation),
    )


def compile_api(
    contract: Contract,
    base: str,
    handlers: Mapping[str, Callable[..., Any]],
    checkers: Mapping[str, Any],
    *,
    open_access: bool = False,
) -> CompiledApi:
    """Compile a contract's operations and its route table."""
    operations = {
        op.operation_id: compile_operation(contract, op, handlers[op.operation_id], checkers, open_access=open_access)
        for op in contract
    }
    by_path: dict[str, dict[str, CompiledOperation]] = {}
    for compiled in operations.values():
        by_path.setdefault(compiled.operation.path, {})[compiled.operation.method] = compiled
    static = {template.template: by_path[template.template] for template in contract.templates if template.is_static}
    templated = tuple(
        (template, by_path[template.template]) for template in contract.templates if not template.is_static
    )
    return CompiledApi(contract.name, base, contract, operations, credentials_of(contract), static, templated)
