"""Path, query, header and cookie parameters: decoded and coerced as OpenAPI serialises them, then validated.

Coercion follows the declared schema: integers, numbers and booleans are parsed from their text when they can be,
arrays are split by their style (`form` explode repeats the name, otherwise commas). A value that cannot be
coerced is left as text, so validation reports it with the declared type.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from contracts import Parameter
from mockserver.pipeline.schemas import Direction, SchemaValidator, to_json_schema
from mockserver.problems import Kind, Location, Rejected, RequestError, Violation

__all__ = ["CompiledParameter", "coerce_scalar", "compile_parameters", "pythonic", "read_parameters"]


def pythonic(name: str) -> str:
    """A parameter name as a Python argument, as Connexion's `pythonic_params` names it: `datasetId` ->
    `dataset_id`, a shadowed built-in or keyword gets a trailing underscore (`id` -> `id_`)."""
    snake = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    snake = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", snake).replace("-", "_").lower()
    if snake in builtins.__dict__ or keyword.iskeyword(snake):
        snake += "_"
    return re.sub("^[^a-zA-Z_]+", "", re.sub("[^0-9a-zA-Z_]", "", snake))


def _boolean(text: str) -> bool | str:
    lowered = text.lower()
    return True if lowered == "true" else False if lowered == "false" else text


def coerce_scalar(kind: str | None, text: str) -> Any:
    """Wire text as a scalar of the declared JSON type, or the text itself when it is not one."""
    if kind == "integer":
        stripped = text.strip()
        if stripped.lstrip("+-").isdigit() and len(stripped) < 400:
            return int(stripped)
        return text
    if kind == "number":
        try:
            value = float(text)
        except ValueError:
            return text
        return value if value == value and value not in (float("inf"), float("-inf")) else text
    if kind == "boolean":
        return _boolean(text)
    return text


@dataclass(frozen=True)
class CompiledParameter:
    """One parameter with its coercion and validator."""

    parameter: Parameter
    location: Location
    argument: str
    """The handler's argument name."""
    kind: str | None
    item_kind: str | None
    validator: SchemaValidator | None

    def coerce(self, values: list[str]) -> Any:
        """The wire text(s) as the declared type."""
        if self.kind == "array":
            if not (self.parameter.explode and self.parameter.style == "form"):
                values = [part for value in values for part in value.split(",")]
            return [coerce_scalar(self.item_kind, value) for value in values]
        return coerce_scalar(self.kind, values[-1] if self.location is Location.QUERY else values[0])


def compile_parameters(root: Mapping[str, Any], parameters: tuple[Parameter, ...]) -> tuple[CompiledParameter, ...]:
    """Compile an operation's parameters once."""
    compiled = []
    for parameter in parameters:
        schema = to_json_schema(root, parameter.schema, Direction.REQUEST) if parameter.schema else {}
        kind = schema.get("type") if isinstance(schema.get("type"), str) else None
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        compiled.append(
            CompiledParameter(
                parameter=parameter,
                location=Location(parameter.location),
                argument=pythonic(parameter.name),
                kind=kind,
                item_kind=items.get("type") if isinstance(items.get("type"), str) else None,
                validator=SchemaValidator.compile(schema) if schema else None,
            )
        )
    return tuple(compiled)


def _raw(
    spec: CompiledParameter,
    path_params: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> list[str] | None:
    name = spec.parameter.name
    if spec.location is Location.PATH:
        value = path_params.get(name)
        return None if value is None else [unquote(value)]
    if spec.location is Location.QUERY:
        return query.get(name)
    if spec.location is Location.HEADER:
        header = headers.get(name.lower())
        return None if header is None else [header]
    cookie = cookies.get(name)
    return None if cookie is None else [cookie]


def read_parameters(
    compiled: tuple[CompiledParameter, ...],
    path_params: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> dict[str, Any]:
    """Every declared parameter present, coerced and validated, by handler argument name (path and query only)."""
    arguments: dict[str, Any] = {}
    for spec in compiled:
        raw = _raw(spec, path_params, query, headers, cookies)
        if raw is None:
            if spec.parameter.required:
                violation = Violation(spec.location, spec.parameter.name, constraint="required")
                raise Rejected(RequestError(Kind.PARAMETER_MISSING, violation.describe(), violations=(violation,)))
            continue
        value = spec.coerce(raw)
        if spec.validator is not None and not spec.validator.is_valid(value):
            violations = spec.validator.violations(value, spec.location, spec.parameter.name)
            raise Rejected(RequestError(Kind.SCHEMA_VIOLATION, violations[0].describe(), violations=violations))
        if spec.location in (Location.PATH, Location.QUERY):
            arguments[spec.argument] = value
    return arguments
