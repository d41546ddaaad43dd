"""Whether two normalized schemas are provably disjoint: no value can validate both.

`oneOf` refuses a value that matches two alternatives, so wrapping a request body in a `oneOf` keeps old payloads
valid only when the added alternatives cannot match them. The answer errs on "they may overlap": only a difference of
type, of enum or const values, of a property both require, or a required property the other schema forbids
(`additionalProperties: false`) proves two schemas apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.diff.keywords import type_names
from conformance.diff.normalize import Schema, alternatives, signature

__all__ = ["disjoint"]

MAX_DEPTH = 16


def disjoint(first: Schema, second: Schema, depth: int = 0) -> bool:
    """True only when no value validates both schemas (False when unsure)."""
    if depth > MAX_DEPTH or alternatives(first)[0] or alternatives(second)[0]:
        return False
    if first.get("nullable") and second.get("nullable"):
        return False
    first_types, second_types = type_names(first), type_names(second)
    if first_types is not None and second_types is not None and not _types_meet(first_types, second_types):
        return True
    first_values, second_values = _values(first), _values(second)
    if first_values is not None and second_values is not None and not first_values & second_values:
        return True
    return _objects_disjoint(first, second, depth)


def _types_meet(first: frozenset[str], second: frozenset[str]) -> bool:
    """Whether some value has a type both allow (an integer is a number)."""
    if first & second:
        return True
    return ("integer" in first and "number" in second) or ("number" in first and "integer" in second)


def _values(schema: Schema) -> set[str] | None:
    if "const" in schema:
        return {signature(schema["const"])}
    enum = schema.get("enum")
    return {signature(value) for value in enum} if isinstance(enum, list) else None


def _objects_disjoint(first: Schema, second: Schema, depth: int) -> bool:
    first_properties: Mapping[str, Any] = first.get("properties") or {}
    second_properties: Mapping[str, Any] = second.get("properties") or {}
    for name in set(first.get("required") or []) & set(second.get("required") or []) & first_properties.keys():
        if name in second_properties and disjoint(first_properties[name], second_properties[name], depth + 1):
            return True
    for schema, other, other_properties in ((first, second, second_properties), (second, first, first_properties)):
        forbidden = [name for name in schema.get("required") or [] if name not in other_properties]
        if other.get("additionalProperties") is False and forbidden:
            return True
    return False
