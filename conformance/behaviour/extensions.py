"""Reading the behaviour statements the contracts make in vendor extensions (`specs/CONVENTIONS.md`), typed.

Each extension carries a `statement`: where the vendor (or the contract's stated assumption) says it; every
finding of the check that enforces it quotes that statement as what is documented. A malformed extension is a
contract defect and fails loudly (`ConfigurationError`), naming the operation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.contracts import parameter_schema
from conformance.errors import ConfigurationError
from contracts import Contract, Operation

__all__ = [
    "Batch",
    "EventSchemas",
    "EventStream",
    "LongOperation",
    "Ordering",
    "OwnerOnly",
    "Paging",
    "Parameter",
    "Section",
    "TokenLifetime",
    "Visibility",
    "visibility_rules",
]


@dataclass(frozen=True)
class Section:
    """One extension of one operation, read with errors that name the operation and the missing key."""

    operation: Operation
    key: str
    values: Mapping[str, Any]

    @classmethod
    def of(cls, operation: Operation, key: str) -> Section | None:
        """The extension's mapping, or None when the operation does not carry it; it must have a `statement`."""
        value = operation.extensions.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping) or not isinstance(value.get("statement"), str):
            raise ConfigurationError(f"{operation.label} [{operation.operation_id}]: {key} needs a `statement`")
        return cls(operation, key, value)

    @property
    def statement(self) -> str:
        """Where the vendor (or a listed assumption) documents the behaviour."""
        return str(self.values["statement"])

    def required(self, name: str) -> Any:
        """A value the extension must give."""
        if name not in self.values:
            raise ConfigurationError(
                f"{self.operation.label} [{self.operation.operation_id}]: {self.key} needs `{name}`"
            )
        return self.values[name]

    def parameter(self, name: str) -> Parameter:
        """A request value the extension names."""
        return Parameter.read(self.operation, self.key, self.required(name))

    def names(self, name: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """A list of names (statuses, events, fields)."""
        value = self.values.get(name, default) if default is not None else self.required(name)
        return tuple(str(item) for item in value)


@dataclass(frozen=True)
class Parameter:
    """A request value named by an extension: a body field or a query parameter."""

    location: str
    name: str

    @classmethod
    def read(cls, operation: Operation, key: str, value: Any) -> Parameter:
        """From `{in: body|query, name: ...}`."""
        if not isinstance(value, Mapping) or value.get("in") not in ("body", "query", "path") or "name" not in value:
            raise ConfigurationError(f"{operation.label}: {key} parameters are {{in: body|query|path, name: ...}}")
        return cls(str(value["in"]), str(value["name"]))

    def of(self, case: Any) -> Any:
        """The value a Schemathesis case sends for this parameter (None when absent)."""
        container = {"body": case.body, "query": case.query, "path": case.path_parameters}[self.location]
        return container.get(self.name) if isinstance(container, Mapping) else None

    def default(self, contract: Contract, operation: Operation) -> Any:
        """The schema's `default` for this parameter, when the contract declares one."""
        schema = parameter_schema(contract, operation, self.location, self.name) or {}
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
    def of(cls, operation: Operation) -> Paging | None:
        """The operation's paging statement, if it makes one."""
        section = Section.of(operation, "x-paging")
        if section is None:
            return None
        return cls(
            statement=section.statement,
            limit=section.parameter("limit"),
            offset=section.parameter("offset") if "offset" in section.values else None,
            items=str(section.required("items")),
            total=str(section.values["total"]) if section.values.get("total") else None,
            echo=section.names("echo", ()),
        )


@dataclass(frozen=True)
class Ordering:
    """`x-ordering`: the `[field, direction]` pairs the request orders by, and the answer's array they order."""

    statement: str
    order: Parameter
    items: str
    directions: tuple[str, str]

    @classmethod
    def of(cls, operation: Operation) -> Ordering | None:
        """The operation's ordering statement, if it makes one."""
        section = Section.of(operation, "x-ordering")
        if section is None:
            return None
        directions = section.names("directions", ("ASC", "DESC"))
        if len(directions) != 2:
            raise ConfigurationError(
                f"{operation.label}: x-ordering.directions names the ascending, then descending word"
            )
        return cls(section.statement, section.parameter("order"), str(section.required("items")), directions[:2])


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
    def of(cls, operation: Operation) -> Batch | None:
        """The operation's batch statement, if it makes one."""
        section = Section.of(operation, "x-batch")
        if section is None:
            return None
        items, results, error = (str(section.required(name)) for name in ("items", "results", "error"))
        maximum = section.values.get("max-items")
        return cls(
            statement=section.statement,
            items=items,
            results=results,
            error=error,
            partial=int(section.required("partial")),
            all_failed=int(section.required("all-failed")),
            max_items=int(maximum) if maximum is not None else None,
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
    settles_within: float

    @classmethod
    def of(cls, operation: Operation) -> LongOperation | None:
        """The operation's long-operation statement, if it makes one."""
        section = Section.of(operation, "x-long-operation")
        if section is None:
            return None
        return cls(
            statement=section.statement,
            id=str(section.required("id")),
            poll=str(section.required("poll")),
            parameter=section.parameter("parameter"),
            status=str(section.values.get("status", "status")),
            pending=section.names("pending"),
            settles_within=float(section.required("settles-within-seconds")),
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
    def of(cls, operation: Operation) -> EventStream | None:
        """The operation's stream statement, if it makes one."""
        section = Section.of(operation, "x-event-stream")
        if section is None:
            return None
        assembles = section.values.get("assembles") or {}
        return cls(
            statement=section.statement,
            final=section.names("final"),
            part_event=assembles.get("part-event"),
            part_field=assembles.get("part-field"),
            final_event=assembles.get("final-event"),
            final_field=assembles.get("final-field"),
        )


@dataclass(frozen=True)
class EventSchemas:
    """`x-sse-events` on a `text/event-stream` media type: the JSON schema of each event's data, by event name."""

    statement: str
    schemas: Mapping[str, Mapping[str, Any]]
    """Event name -> the data's schema, references inlined (an event without an `event:` line is a `message`)."""

    @classmethod
    def of(cls, contract: Contract, operation: Operation, status: int) -> EventSchemas | None:
        """The event schemas of the operation's `text/event-stream` answer for `status`, if it declares them."""
        # The model keeps a media type's schema and examples, not its extensions: read the media type as written.
        response = contract.resolve(operation.definition.get("responses", {}).get(str(status))) or {}
        media = contract.resolve((response.get("content") or {}).get("text/event-stream"))
        declared = contract.resolve(media.get("x-sse-events")) if isinstance(media, Mapping) else None
        if declared is None:
            return None
        if not isinstance(declared, Mapping) or not all(isinstance(s, Mapping) for s in declared.values()):
            raise ConfigurationError(f"{operation.label}: x-sse-events maps each event name to a schema")
        schemas = {str(name): contract.inline(schema) for name, schema in declared.items()}
        return cls(f"the {status} text/event-stream answer's x-sse-events", schemas)


@dataclass(frozen=True)
class OwnerOnly:
    """`x-owner-only`: a resource read by another identity than its owner's is refused, as `refusal` says."""

    statement: str
    refusal: Mapping[str, Any]
    """`{statuses: [...], in-band: {field, value}}`: the documented refusals."""

    @classmethod
    def of(cls, operation: Operation) -> OwnerOnly | None:
        """The operation's ownership statement, if it makes one."""
        section = Section.of(operation, "x-owner-only")
        if section is None:
            return None
        refusal = section.required("refusal")
        if not isinstance(refusal, Mapping) or not (refusal.get("statuses") or refusal.get("in-band")):
            raise ConfigurationError(f"{operation.label}: x-owner-only.refusal names `statuses` and/or `in-band`")
        return cls(section.statement, refusal)

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
    def of(cls, operation: Operation) -> TokenLifetime | None:
        """The token operation's lifetime statement, if it makes one."""
        section = Section.of(operation, "x-token-lifetime")
        if section is None:
            return None
        return cls(section.statement, str(section.required("field")), int(section.required("seconds")))


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


def visibility_rules(contract: Contract, operation: Operation) -> tuple[Visibility, ...]:
    """Every role-restricted property of an operation's 2xx JSON answers."""
    rules: dict[tuple[str, ...], Visibility] = {}
    for status, response in operation.responses.items():
        if not status.startswith("2"):
            continue
        for media, content in response.content.items():
            if media.endswith("json"):
                for rule in _walk(contract, content.schema, ()):
                    rules.setdefault(rule.path, rule)
    return tuple(rules.values())
