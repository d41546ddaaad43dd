"""The one contract model: an OpenAPI 3.0 document and the facts every reader needs from it.

The mock server compiles its request path from it, the harness derives its checks and auth from it, the drift gate
compares documents it reads through it. Nodes are resolved through `contracts.references` (the one `$ref`
resolver); the document itself is kept as written (`Contract.document`) and is shared, so never modify it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from contracts import references
from contracts.errors import ContractUnreadable
from contracts.paths import PathTemplate

__all__ = [
    "HTTP_METHODS",
    "Contract",
    "Header",
    "MediaType",
    "Operation",
    "Parameter",
    "RequestBody",
    "Response",
    "SecurityScheme",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""The operation keys of an OpenAPI path item, in the specification's order."""


def _extensions(node: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if isinstance(key, str) and key.startswith("x-")}


@dataclass(frozen=True)
class MediaType:
    """One entry of a `content` map: its schema (references not inlined) and its example values."""

    name: str
    schema: Mapping[str, Any] | None
    examples: Mapping[str, Any]
    """Example name -> value (`example` becomes the name `example`)."""
    encoding: Mapping[str, Any]


@dataclass(frozen=True)
class Header:
    """A declared response header."""

    name: str
    required: bool
    schema: Mapping[str, Any] | None


@dataclass(frozen=True)
class Response:
    """A declared response: the status key as written (`200`, `4XX`, `default`), bodies, headers and links."""

    key: str
    description: str
    content: Mapping[str, MediaType]
    headers: Mapping[str, Header]
    links: Mapping[str, Mapping[str, Any]]

    @property
    def media_type(self) -> str | None:
        """The first declared media type; None for a response without a body."""
        return next(iter(self.content), None)

    @property
    def required_headers(self) -> tuple[str, ...]:
        """Names of the headers the response must carry (`Content-Type` is never a declared header)."""
        return tuple(name for name, header in self.headers.items() if header.required)


@dataclass(frozen=True)
class Parameter:
    """A path, query, header or cookie parameter (path-item and operation levels merged)."""

    name: str
    location: str
    required: bool
    schema: Mapping[str, Any] | None
    style: str
    explode: bool
    definition: Mapping[str, Any] = field(repr=False)

    @property
    def key(self) -> tuple[str, str]:
        """(location, name) with header names lower-cased, as they compare on the wire."""
        return (self.location, self.name.lower() if self.location == "header" else self.name)


@dataclass(frozen=True)
class RequestBody:
    """A declared request body."""

    required: bool
    content: Mapping[str, MediaType]
    description: str = ""


@dataclass(frozen=True)
class SecurityScheme:
    """A security scheme and where its credential travels."""

    name: str
    type: str
    """`apiKey`, `http`, `oauth2` or `openIdConnect`."""
    scheme: str | None
    """For `http`: `bearer` or `basic` (lower-cased)."""
    location: str
    """`header`, `query` or `cookie`."""
    parameter: str
    """The header, query parameter or cookie name (`Authorization` for http and oauth2)."""
    definition: Mapping[str, Any] = field(repr=False)

    @property
    def flows(self) -> Mapping[str, Any]:
        """The oauth2 flows, by flow name."""
        flows: Mapping[str, Any] = self.definition.get("flows", {})
        return flows

    def token_url(self, flow: str) -> str | None:
        """The `tokenUrl` of an oauth2 flow."""
        url = self.flows.get(flow, {}).get("tokenUrl")
        return str(url) if url is not None else None


@dataclass(frozen=True)
class Operation:
    """One operation with everything it declares."""

    contract: str
    operation_id: str
    method: str
    """Lower case, as in the document."""
    path: str
    order: int
    summary: str
    description: str
    tags: tuple[str, ...]
    deprecated: bool
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: Mapping[str, Response]
    security: tuple[Mapping[str, tuple[str, ...]], ...]
    """Alternatives (any one suffices), each a set of schemes that are all required (scheme -> scopes)."""
    extensions: Mapping[str, Any]
    definition: Mapping[str, Any] = field(repr=False)
    """The operation object as written (references not resolved)."""

    @property
    def label(self) -> str:
        """`METHOD /path`, the label Schemathesis and the reports use."""
        return f"{self.method.upper()} {self.path}"

    @property
    def protected(self) -> bool:
        """Whether every security alternative needs a credential (no anonymous alternative)."""
        return bool(self.security) and all(self.security)

    @property
    def admin_only(self) -> bool:
        """`x-admin-only: true`: only administrators may call it."""
        return self.extensions.get("x-admin-only") is True

    def response_for(self, status: int) -> Response | None:
        """The declared response for a status: exact, then its range (`4XX`), then `default`."""
        for key in (str(status), f"{status // 100}XX", "default"):
            if key in self.responses:
                return self.responses[key]
        return None

    def declares(self, status: int) -> bool:
        """Whether the operation may answer with `status`."""
        return self.response_for(status) is not None

    def media_type(self, status: int) -> str | None:
        """The first media type declared for a status (None without a body or without the status)."""
        response = self.response_for(status)
        return response.media_type if response is not None else None

    def statuses(self) -> frozenset[int]:
        """Every concrete status the operation declares, ranges (`4XX`) expanded; `default` is not included."""
        found: set[int] = set()
        for key in self.responses:
            if key.isdigit():
                found.add(int(key))
            elif len(key) == 3 and key[0].isdigit() and key[1:].upper() == "XX":
                found.update(range(int(key[0]) * 100, int(key[0]) * 100 + 100))
        return frozenset(found)

    def parameter(self, location: str, name: str) -> Parameter | None:
        """A parameter by location and name (header names compare case-insensitively)."""
        key = (location, name.lower() if location == "header" else name)
        return next((parameter for parameter in self.parameters if parameter.key == key), None)


@dataclass(frozen=True)
class Contract:
    """A loaded contract: the document as written and the operations it declares, in document order."""

    name: str
    document: Mapping[str, Any] = field(repr=False)
    path: Path | None = None
    operations: Mapping[str, Operation] = field(default_factory=dict, repr=False)
    security_schemes: Mapping[str, SecurityScheme] = field(default_factory=dict, repr=False)

    @classmethod
    def from_document(cls, name: str, document: Mapping[str, Any], path: Path | None = None) -> Contract:
        """Model a parsed OpenAPI 3.0 document."""
        version = str(document.get("openapi", ""))
        if not version.startswith("3."):
            source = path or name
            raise ContractUnreadable(f"{source}: not an OpenAPI 3 document (openapi: {version or 'missing'})")
        builder = _Builder(name, document)
        return cls(
            name=name,
            document=document,
            path=path,
            operations=builder.operations(),
            security_schemes=builder.security_schemes(),
        )

    @property
    def title(self) -> str:
        """`info.title`."""
        return str(self.document.get("info", {}).get("title", self.name))

    @property
    def version(self) -> str:
        """`info.version`."""
        return str(self.document.get("info", {}).get("version", ""))

    @property
    def extensions(self) -> Mapping[str, Any]:
        """The `x-` keys of `info` (vendor limits and the like)."""
        return _extensions(self.document.get("info", {}))

    @cached_property
    def by_label(self) -> Mapping[str, Operation]:
        """Every operation by its `METHOD /path` label."""
        return {operation.label: operation for operation in self.operations.values()}

    @cached_property
    def templates(self) -> tuple[PathTemplate, ...]:
        """The path templates, most specific first."""
        seen: dict[str, PathTemplate] = {}
        for operation in self.operations.values():
            seen.setdefault(operation.path, PathTemplate(operation.path, len(seen)))
        return tuple(sorted(seen.values(), key=lambda template: template.specificity))

    def operation(self, key: str | None) -> Operation | None:
        """An operation by operationId or `METHOD /path` label (None for None or an unknown key)."""
        if not key:
            return None
        return self.operations.get(key) or self.by_label.get(key)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations.values())

    def template_for(self, path: str) -> PathTemplate | None:
        """The most specific template matching a concrete path (relative to the API's base)."""
        return next((template for template in self.templates if template.match(path) is not None), None)

    def methods_at(self, template: str) -> tuple[str, ...]:
        """The methods declared at a path template, upper-cased and sorted (for `Allow`)."""
        return tuple(sorted({op.method.upper() for op in self.operations.values() if op.path == template}))

    def match(self, method: str, path: str) -> Operation | None:
        """The operation a method and concrete path address: the most specific template, then its method."""
        template = self.template_for(path)
        if template is None:
            return None
        wanted = method.lower()
        return next(
            (op for op in self.operations.values() if op.path == template.template and op.method == wanted), None
        )

    def resolve(self, node: Any) -> Any:
        """Follow a node's `$ref` chain within this document."""
        return references.resolve(self.document, node)

    def inline(self, node: Any) -> Any:
        """A copy of a node with its references inlined (recursive ones left as `$ref`)."""
        return references.inline(self.document, node)

    def has_links_within(self, operation_ids: set[str]) -> bool:
        """Whether some declared link leads from one of these operations to another (stateful testing needs one)."""
        for operation in self.operations.values():
            if operation.operation_id not in operation_ids:
                continue
            for response in operation.responses.values():
                if any(link.get("operationId") in operation_ids for link in response.links.values()):
                    return True
        return False


class _Builder:
    """Builds the model of one document (resolving each node once)."""

    def __init__(self, name: str, document: Mapping[str, Any]) -> None:
        self.name = name
        self.document = document

    def resolve(self, node: Any) -> Any:
        return references.resolve(self.document, node)

    def operations(self) -> dict[str, Operation]:
        found: dict[str, Operation] = {}
        default_security = self.document.get("security", [])
        order = 0
        for path, item in (self.document.get("paths") or {}).items():
            item = self.resolve(item)
            shared = [self.resolve(parameter) for parameter in item.get("parameters", ())]
            for method in HTTP_METHODS:
                definition = item.get(method)
                if not isinstance(definition, Mapping):
                    continue
                operation_id = str(definition.get("operationId") or f"{method.upper()} {path}")
                found[operation_id] = self._operation(
                    operation_id, method, str(path), order, definition, shared, default_security
                )
                order += 1
        return found

    def _operation(
        self,
        operation_id: str,
        method: str,
        path: str,
        order: int,
        definition: Mapping[str, Any],
        shared: list[Mapping[str, Any]],
        default_security: Any,
    ) -> Operation:
        own = [self.resolve(parameter) for parameter in definition.get("parameters", ())]
        names = {(parameter.get("in"), parameter.get("name")) for parameter in own}
        merged = [p for p in shared if (p.get("in"), p.get("name")) not in names] + own
        security = definition.get("security", default_security) or []
        return Operation(
            contract=self.name,
            operation_id=operation_id,
            method=method,
            path=path,
            order=order,
            summary=str(definition.get("summary", "")),
            description=str(definition.get("description", "")),
            tags=tuple(str(tag) for tag in definition.get("tags", ())),
            deprecated=definition.get("deprecated") is True,
            parameters=tuple(self._parameter(parameter) for parameter in merged),
            request_body=self._request_body(definition.get("requestBody")),
            responses={
                str(key): self._response(str(key), value) for key, value in definition.get("responses", {}).items()
            },
            security=tuple(
                {str(scheme): tuple(scopes or ()) for scheme, scopes in (requirement or {}).items()}
                for requirement in security
            ),
            extensions=_extensions(definition),
            definition=definition,
        )

    def _parameter(self, node: Mapping[str, Any]) -> Parameter:
        location = str(node.get("in", ""))
        style = str(node.get("style") or ("form" if location in ("query", "cookie") else "simple"))
        return Parameter(
            name=str(node.get("name", "")),
            location=location,
            required=node.get("required") is True or location == "path",
            schema=self.resolve(node.get("schema")),
            style=style,
            explode=bool(node.get("explode", style == "form")),
            definition=node,
        )

    def _content(self, content: Any) -> dict[str, MediaType]:
        media: dict[str, MediaType] = {}
        for name, node in (content or {}).items():
            node = self.resolve(node) or {}
            examples = {key: self.resolve(value).get("value") for key, value in (node.get("examples") or {}).items()}
            if "example" in node:
                examples = {"example": node["example"], **examples}
            media[str(name)] = MediaType(
                str(name), self.resolve(node.get("schema")), examples, node.get("encoding", {})
            )
        return media

    def _request_body(self, node: Any) -> RequestBody | None:
        if node is None:
            return None
        node = self.resolve(node)
        return RequestBody(
            node.get("required") is True, self._content(node.get("content")), str(node.get("description", ""))
        )

    def _response(self, key: str, node: Any) -> Response:
        node = self.resolve(node) or {}
        headers = {
            str(name): Header(str(name), header.get("required") is True, self.resolve(header.get("schema")))
            for name, header in ((name, self.resolve(value)) for name, value in (node.get("headers") or {}).items())
        }
        links = {str(name): self.resolve(link) for name, link in (node.get("links") or {}).items()}
        return Response(key, str(node.get("description", "")), self._content(node.get("content")), headers, links)

    def security_schemes(self) -> dict[str, SecurityScheme]:
        schemes: dict[str, SecurityScheme] = {}
        for name, node in (self.document.get("components", {}).get("securitySchemes") or {}).items():
            node = self.resolve(node)
            kind = str(node.get("type", ""))
            if kind == "apiKey":
                location, parameter, scheme = str(node.get("in", "header")), str(node.get("name", "")), None
            else:
                location, parameter = "header", "Authorization"
                scheme = str(node.get("scheme", "")).lower() if kind == "http" else None
            schemes[str(name)] = SecurityScheme(str(name), kind, scheme, location, parameter, node)
        return schemes
