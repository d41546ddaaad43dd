"""Reading the behaviour statements the contracts make in vendor extensions (`specs/CONVENTIONS.md`), typed.

Each extension carries a `statement`: where the vendor (or the contract's stated assumption) says it; every
finding of the check that enforces it quotes that statement as what is documented. A malformed extension is a
contract defect and fails loudly (`ConfigurationError`), naming the operation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.contracts import Contract, OperationInfo
from conformance.errors import ConfigurationError

__all__ = [
    "Batch",
    "EventStream",
    "LongOperation",
    "Ordering",
    "OwnerOnly",
    "Paging",
    "Parameter",
    "TokenLifetime",
    "Visibility",
    "visibility_rules",
]


def _section(operation: OperationInfo, key: str) -> Mapping[str, Any] | None:
    value = operation.extensions.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping) or not isinstance(value.get("statement"), str):
        raise ConfigurationError(f"{operation.label} [{operation.operation_id}]: {key} needs a `statement`")
    return value


def _require(operation: OperationInfo, key: str, section: Mapping[str, Any], name: str) -> Any:
    if name not in section:
        raise ConfigurationError(f"{operation.label} [{operation.operation_id}]: {key} needs `{name}`")
    return section[name]


@dataclass(frozen=True)
class Parameter:
    """A request value named by an extension: a body field or a query parameter."""

    location: str
    name: str

    @classmethod
    def read(cls, operation: OperationInfo, key: str, value: Any) -> Parameter:
        """From `{in: body|query, name: ...}`."""
        if not isinstance(value, Mapping) or value.get("in") not in ("body", "query", "path") or "name" not in value:
            raise ConfigurationError(f"{operation.label}: {key} parameters are {{in: body|query|path, name: ...}}")
        return cls(str(value["in"]), str(value["name"]))

    def of(self, case: Any) -> Any:
        """The value a Schemathesis case sends for this parameter (None when absent)."""
        container = {"body": case.body, "query": case.query, "path": case.path_parameters}[self.location]
        return container.get(self.name) if isinstance(container, Mapping) else None

    def default(self, contract: Contract, operation: OperationInfo) -> Any:
        """The schema's `default` for this parameter, when the contract declares one."""
        schema = contract.parameter_schema(operation, self.location, self.name) or {}
        return schema.get("default")


@dataclass(frozen=True)
class Paging:
    """`x-paging`: the page size (and offset) the request asks for, and where the answer puts the page."""

    statement: str
    limit: Parameter
    offset: Parameter | None
    items: str
    total: str | None
    echo: tuple[str, ...]

    @classmethod
    def of(cls, operation: OperationInfo) -> Paging | None:
        """The operation's paging statement, if it makes one."""
        key = "x-paging"
        section = _section(operation, key)
        if section is None:
            return None
        offset = section.get("offset")
        return cls(
            statement=str(section["statement"]),
            limit=Parameter.read(operation, key, _require(operation, key, section, "limit")),
            offset=Parameter.read(operation, key, offset) if offset is not None else None,
            items=str(_require(operation, key, section, "items")),
            total=str(section["total"]) if section.get("total") else None,
            echo=tuple(str(name) for name in section.get("echo", ())),
        )


@dataclass(frozen=True)
class Ordering:
    """`x-ordering`: the `[field, direction]` pairs the request orders by, and the answer's array they order."""

    statement: str
    order: Parameter
    items: str
    directions: tuple[str, str]

    @classmethod
    def of(cls, operation: OperationInfo) -> Ordering | None:
        """The operation's ordering statement, if it makes one."""
        key = "x-ordering"
        section = _section(operation, key)
        if section is None:
            return None
        directions = tuple(str(d) for d in section.get("directions", ("ASC", "DESC")))
        if len(directions) != 2:
            raise ConfigurationError(f"{operation.label}: {key}.directions names the ascending then descending word")
        return cls(
            statement=str(section["statement"]),
            order=Parameter.read(operation, key, _require(operation, key, section, "order")),
            items=str(_require(operation, key, section, "items")),
            directions=(directions[0], directions[1]),
        )


@dataclass(frozen=True)
class Batch:
    """`x-batch`: one result per request item, in order; the status says whether any item was accepted."""

    statement: str
    items: str
    results: str
    error: str
    partial: int
    all_failed: int
    max_items: int | None

    @classmethod
    def of(cls, operation: OperationInfo) -> Batch | None:
        """The operation's batch statement, if it makes one."""
        key = "x-batch"
        section = _section(operation, key)
        if section is None:
            return None
        return cls(
            statement=str(section["statement"]),
            items=str(_require(operation, key, section, "items")),
            results=str(_require(operation, key, section, "results")),
            error=str(_require(operation, key, section, "error")),
            partial=int(_require(operation, key, section, "partial")),
            all_failed=int(_require(operation, key, section, "all-failed")),
            max_items=int(section["max-items"]) if "max-items" in section else None,
        )


@dataclass(frozen=True)
class LongOperation:
    """`x-long-operation`: an answer that starts work elsewhere, the operation to poll, and its final states."""

    statement: str
    id: str
    poll: str
    parameter: Parameter
    status: str
    pending: tuple[str, ...]
    failed: tuple[str, ...]
    settles_within: float

    @classmethod
    def of(cls, operation: OperationInfo) -> LongOperation | None:
        """The operation's long-operation statement, if it makes one."""
        key = "x-long-operation"
        section = _section(operation, key)
        if section is None:
            return None
        return cls(
            statement=str(section["statement"]),
            id=str(_require(operation, key, section, "id")),
            poll=str(_require(operation, key, section, "poll")),
            parameter=Parameter.read(operation, key, _require(operation, key, section, "parameter")),
            status=str(section.get("status", "status")),
            pending=tuple(str(v) for v in _require(operation, key, section, "pending")),
            failed=tuple(str(v) for v in section.get("failed", ())),
            settles_within=float(_require(operation, key, section, "settles-within-seconds")),
        )


@dataclass(frozen=True)
class EventStream:
    """`x-event-stream`: how a `text/event-stream` answer is framed and how it ends."""

    statement: str
    final: tuple[str, ...]
    part_event: str | None
    part_field: str | None
    final_event: str | None
    final_field: str | None

    @classmethod
    def of(cls, operation: OperationInfo) -> EventStream | None:
        """The operation's stream statement, if it makes one."""
        key = "x-event-stream"
        section = _section(operation, key)
        if section is None:
            return None
        assembles = section.get("assembles") or {}
        return cls(
            statement=str(section["statement"]),
            final=tuple(str(name) for name in _require(operation, key, section, "final")),
            part_event=assembles.get("part-event"),
            part_field=assembles.get("part-field"),
            final_event=assembles.get("final-event"),
            final_field=assembles.get("final-field"),
        )


@dataclass(frozen=True)
class OwnerOnly:
    """`x-owner-only`: a resource read by another identity than its owner's is refused, as `refusal` says."""

    statement: str
    refusal: Mapping[str, Any]
    """`{statuses: [...], in-band: {field, value}}`: the documented refusals."""

    @classmethod
    def of(cls, operation: OperationInfo) -> OwnerOnly | None:
        """The operation's ownership statement, if it makes one."""
        key = "x-owner-only"
        section = _section(operation, key)
        if section is None:
            return None
        refusal = _require(operation, key, section, "refusal")
        if not isinstance(refusal, Mapping) or not (refusal.get("statuses") or refusal.get("in-band")):
            raise ConfigurationError(f"{operation.label}: {key}.refusal names `statuses` and/or `in-band`")
        return cls(str(section["statement"]), refusal)

    def describe_refusal(self) -> str:
        """`HTTP 400, 401 or 200 with status "error"`."""
        parts = [f"HTTP {' or '.join(str(s) for s in self.refusal.get('statuses', ()))}"]
        in_band = self.refusal.get("in-band")
        if in_band:
            parts.append(f"an answer with {in_band.get('field')} {in_band.get('value')!r}")
        return ", or ".join(parts)


@dataclass(frozen=True)
class TokenLifetime:
    """`x-token-lifetime`: how long an issued token works, and the answer's field that says so."""

    statement: str
    field: str
    seconds: int

    @classmethod
    def of(cls, operation: OperationInfo) -> TokenLifetime | None:
        """The token operation's lifetime statement, if it makes one."""
        key = "x-token-lifetime"
        section = _section(operation, key)
        if section is None:
            return None
        return cls(
            statement=str(section["statement"]),
            field=str(_require(operation, key, section, "field")),
            seconds=int(_require(operation, key, section, "seconds")),
        )


@dataclass(frozen=True)
class Visibility:
    """`x-visible-to` on a response property: only callers with one of these roles receive the property."""

    path: tuple[str, ...]
    """Where the property sits in the body; `*` stands for every array element."""
    roles: tuple[str, ...]
    statement: str


def _walk(contract: Contract, node: Any, path: tuple[str, ...], depth: int = 0) -> Iterator[Visibility]:
    node = contract.resolve(node)
    if depth > 12 or not isinstance(node, Mapping):
        return
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in node.get(key, ()):
            yield from _walk(contract, branch, path, depth + 1)
    if "items" in node:
        yield from _walk(contract, node["items"], (*path, "*"), depth + 1)
    for name, child in (node.get("properties") or {}).items():
        child = contract.resolve(child)
        rule = child.get("x-visible-to") if isinstance(child, Mapping) else None
        if isinstance(rule, Mapping):
            roles = tuple(str(role) for role in rule.get("roles", ()))
            yield Visibility((*path, str(name)), roles, str(rule.get("statement", "")))
        yield from _walk(contract, child, (*path, str(name)), depth + 1)


def visibility_rules(contract: Contract, operation: OperationInfo) -> tuple[Visibility, ...]:
    """Every role-restricted property of an operation's 2xx JSON answers."""
    rules: dict[tuple[str, ...], Visibility] = {}
    for status, response in operation.responses.items():
        if not status.startswith("2"):
            continue
        for media, content in (response.get("content") or {}).items():
            if media.endswith("json"):
                for rule in _walk(contract, content.get("schema", {}), ()):
                    rules.setdefault(rule.path, rule)
    return tuple(rules.values())
