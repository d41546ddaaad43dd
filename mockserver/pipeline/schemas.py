"""Contract schemas compiled once into fast validators (jsonschema-rs, Draft 4 as OpenAPI 3.0 defines), and their
failures turned into typed violations.

OpenAPI 3.0 schemas are not quite JSON Schema: `nullable: true` admits `null` past `type` and `enum` (as Connexion
reads it), a `writeOnly` property must not appear in a response, and `readOnly`/`writeOnly` properties are only
required in the direction they belong to. `to_json_schema` rewrites a schema accordingly, once, at start-up.
Violations carry the JSON Schema keyword, the path and what was expected, never a library's sentence, so a reworded
upstream message cannot change what a client receives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jsonschema_rs

from contracts import inline
from mockserver.problems import Location, Violation

__all__ = ["Direction", "SchemaValidator", "to_json_schema", "violation_from"]

_WEAK = frozenset({"anyOf", "oneOf"})


class Direction(StrEnum):
    """Whether a schema validates what clients send or what the mock answers."""

    REQUEST = "request"
    RESPONSE = "response"


def to_json_schema(root: Mapping[str, Any], schema: Mapping[str, Any] | None, direction: Direction) -> dict[str, Any]:
    """An OpenAPI 3.0 schema (references inlined from `root`) as an equivalent Draft 4 JSON Schema."""
    if schema is None:
        return {}
    inlined = inline(root, schema)
    if _has_ref(inlined):
        # A recursive schema: keep the references, resolvable within a root that carries the components.
        converted = _convert(dict(schema), direction)
        components = {
            name: _convert(dict(node), direction)
            for name, node in (root.get("components", {}).get("schemas") or {}).items()
        }
        return {**converted, "components": {"schemas": components}}
    result: dict[str, Any] = _convert(inlined, direction)
    return result


def _has_ref(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(_has_ref(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_ref(item) for item in node)
    return False


def _convert(node: Any, direction: Direction) -> Any:
    if isinstance(node, list):
        return [_convert(item, direction) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            out[key] = {name: _convert(sub, direction) for name, sub in value.items()}
        elif key in ("example", "examples", "xml", "externalDocs", "discriminator") or key.startswith("x-"):
            continue
        else:
            out[key] = _convert(value, direction)
    if node.get("nullable") is True or node.get("x-nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    out.pop("nullable", None)
    properties = node.get("properties") if isinstance(node.get("properties"), dict) else {}
    hidden = "readOnly" if direction is Direction.REQUEST else "writeOnly"
    if properties and isinstance(out.get("required"), list):
        out["required"] = [name for name in out["required"] if not (properties.get(name) or {}).get(hidden)]
        if not out["required"]:
            out.pop("required")
    if direction is Direction.RESPONSE and node.get("writeOnly") is True:
        return {"not": {}}
    return out


@dataclass(frozen=True)
class SchemaValidator:
    """One compiled schema."""

    schema: Mapping[str, Any]
    _compiled: Any

    @classmethod
    def compile(cls, schema: Mapping[str, Any]) -> SchemaValidator:
        """Compile once (Draft 4, formats checked as the Draft 4 format checker does)."""
        return cls(schema, jsonschema_rs.Draft4Validator(dict(schema), validate_formats=True))

    def is_valid(self, instance: Any) -> bool:
        """Whether the instance satisfies the schema (the fast path: no error objects built)."""
        return bool(self._compiled.is_valid(instance))

    def violations(self, instance: Any, location: Location, name: str | None = None) -> tuple[Violation, ...]:
        """Every violation, the most relevant first (shallowest path, then not a weak `anyOf`/`oneOf` match)."""
        found = [violation_from(error, location, name) for error in self._compiled.iter_errors(instance)]
        return tuple(sorted(found, key=lambda v: (len(v.path), v.constraint in _WEAK)))


def violation_from(error: Any, location: Location, name: str | None = None) -> Violation:
    """A jsonschema-rs error as a typed violation: its keyword, path and parameters; its message is not used."""
    kind = error.kind
    keyword = str(getattr(kind, "name", "")) or _keyword_of(error)
    details = kind.as_dict() if hasattr(kind, "as_dict") else {}
    path = tuple(error.instance_path)
    expected: Any = None
    if keyword == "required":
        path = (*path, str(details.get("property", "")).strip('"'))
    elif keyword == "additionalProperties":
        expected = tuple(details.get("unexpected", ()))
    elif keyword == "enum":
        expected = details.get("options")
    elif keyword == "type":
        expected = details.get("types") or details.get("expected")
    elif keyword == "pattern":
        expected = details.get("pattern")
    elif keyword == "format":
        expected = details.get("format")
    elif "limit" in details:
        expected = details.get("limit")
    return Violation(
        location=location,
        name=name if name is not None else (str(path[0]) if path and location is Location.BODY else None),
        path=path,
        constraint=keyword,
        expected=_plain(expected),
        value=error.instance,
    )


def _keyword_of(error: Any) -> str:
    schema_path = list(getattr(error, "schema_path", ()))
    return str(schema_path[-1]) if schema_path else "schema"


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
