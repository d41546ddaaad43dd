"""Put schemas in a canonical form so that a refactor of a contract compares equal to the original.

`$ref` is resolved (any depth, moved components included; in OpenAPI 3.1 its sibling keywords apply too), `allOf`
is merged into one schema, `oneOf`/`anyOf` get the keywords of their parent distributed into each branch and nested
alternatives flattened, annotations (`description`, `example(s)`, `title`, `x-*` but the lifecycle and
`x-extensible-enum` extensions ...) are dropped and defaults spelled out (`nullable: false`, `minLength: 0`,
`pattern: ''`) are removed. OpenAPI 3.1 forms become their 3.0 equivalents: `type: [string, "null"]` and a `oneOf`
branch `{type: "null"}` are `nullable: true`, a numeric `exclusiveMinimum` is `minimum` made exclusive; a list of
several types stays a sorted list. A recursive `$ref` becomes `{"x-cycle": n}`, n being how many `$ref`s up the
chain the target is, so the marker does not depend on component names. Results are shared, never mutated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from conformance.diff.errors import ContractStructureError
from contracts import UnresolvableReference, references

__all__ = ["CYCLE", "KEPT_EXTENSIONS", "Normalizer", "Schema", "alternatives", "merge", "signature"]

Schema = dict[str, Any]
CYCLE = "x-cycle"
ALTERNATIVE_KEYS = ("oneOf", "anyOf")
_DROPPED = frozenset({"description", "title", "example", "examples", "externalDocs", "xml", "$comment"})
# Extensions that change what the gate reports (lifecycle marks, an open enum); every other x-* is an annotation.
KEPT_EXTENSIONS = frozenset({"x-extensible-enum", "x-sunset", "x-stability-level"})
_NULL: Mapping[str, Any] = {"type": "null"}
_EXCLUSIVE = (("exclusiveMinimum", "minimum", max), ("exclusiveMaximum", "maximum", min))
_DEFAULTS: Mapping[str, Any] = {
    "nullable": False,
    "deprecated": False,
    "pattern": "",
    "readOnly": False,
    "writeOnly": False,
    "uniqueItems": False,
    "exclusiveMinimum": False,
    "exclusiveMaximum": False,
    "additionalProperties": True,
    "minLength": 0,
    "minItems": 0,
    "minProperties": 0,
    "required": [],
    "properties": {},
}


def signature(schema: Any) -> str:
    """A canonical text of a normalized schema: equal signatures mean equal schemas."""
    return json.dumps(schema, sort_keys=True, default=str)


def alternatives(schema: Schema) -> tuple[str | None, list[Schema]]:
    """The `oneOf`/`anyOf` keyword and branches of a normalized schema, or (None, [schema])."""
    for key in ALTERNATIVE_KEYS:
        if key in schema:
            return key, list(schema[key])
    return None, [schema]


class Normalizer:
    """Resolves references and normalizes schemas of one document, caching acyclic results."""

    def __init__(self, document: Mapping[str, Any], source: str) -> None:
        self.document = document
        self.source = source
        self.ref_siblings_apply = str(document.get("openapi", "")).startswith("3.1")
        self._cache: dict[str, Schema] = {}

    def lookup(self, ref: str) -> Any:
        """The node a local `$ref` points to."""
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise ContractStructureError(
                f"{self.source}: $ref {ref!r} is not a local reference (contracts must be self-contained)"
            )
        try:
            return references.target(self.document, ref)
        except UnresolvableReference as error:
            raise ContractStructureError(f"{self.source}: $ref {ref!r} points nowhere") from error

    def deref(self, node: Any) -> Any:
        """Follow a chain of `$ref` on a non-schema object (parameter, response, header, body)."""
        seen: list[str] = []
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ContractStructureError(f"{self.source}: $ref cycle {' -> '.join([*seen, ref])}")
            seen.append(ref)
            node = self.lookup(ref)
        return node

    def schema(self, node: Any) -> Schema:
        """The normalized form of a schema object."""
        return self._normalize(node, ())[0]

    def _normalize(self, node: Any, stack: tuple[str, ...]) -> tuple[Schema, bool]:
        """Normalize `node` below the `$ref` chain `stack`; the flag says whether a cycle marker is inside."""
        if not isinstance(node, Mapping):
            return {}, False
        if "$ref" in node:
            return self._reference(node, stack)
        out: Schema = {}
        cyclic = False
        for key, value in node.items():
            if key in _DROPPED or (str(key).startswith("x-") and key not in KEPT_EXTENSIONS):
                continue
            if key == "properties" and isinstance(value, Mapping):
                properties: dict[str, Schema] = {}
                for name, sub in value.items():
                    properties[str(name)], inner = self._normalize(sub, stack)
                    cyclic |= inner
                out[key] = properties
            elif key in ("items", "not") or (key == "additionalProperties" and isinstance(value, Mapping)):
                out[key], inner = self._normalize(value, stack)
                cyclic |= inner
            elif key in ("allOf", *ALTERNATIVE_KEYS) and isinstance(value, list):
                members = []
                for sub in value:
                    member, inner = self._normalize(sub, stack)
                    cyclic |= inner
                    members.append(member)
                out[key] = members
            elif key == "required" and isinstance(value, list):
                out[key] = sorted({str(name) for name in value})
            elif key == "discriminator" and isinstance(value, Mapping):
                out[key] = {"propertyName": value.get("propertyName")}
            elif key == "type":
                _set_types(out, value)
            elif key == "nullable":
                out[key] = bool(value) or bool(out.get(key))
            elif key == "enum":
                out[key] = list(value) if isinstance(value, list) else [value]
            else:
                out[str(key)] = value
        _exclusive_bounds(out)
        return _canonical(out), cyclic

    def _reference(self, node: Mapping[str, Any], stack: tuple[str, ...]) -> tuple[Schema, bool]:
        """A `$ref` schema: its target, merged with its sibling keywords where OpenAPI 3.1 says they apply."""
        target, cyclic = self._resolve(str(node["$ref"]), stack)
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        if not self.ref_siblings_apply or not siblings:
            return target, cyclic
        extra, inner = self._normalize(siblings, stack)
        return (merge(target, extra) if extra else target), cyclic or inner

    def _resolve(self, ref: str, stack: tuple[str, ...]) -> tuple[Schema, bool]:
        if ref in stack:
            return {CYCLE: len(stack) - stack.index(ref)}, True
        cached = self._cache.get(ref)
        if cached is not None:
            return cached, False
        result, cyclic = self._normalize(self.lookup(ref), (*stack, ref))
        if not cyclic:
            self._cache[ref] = result
        return result, cyclic


def _set_types(out: Schema, value: Any) -> None:
    """`type` as one name, or a sorted list of several; a `"null"` among others is `nullable: true`."""
    names = [str(name) for name in value] if isinstance(value, list) else [str(value)]
    concrete = sorted(set(names) - {"null"})
    if "null" in names and concrete:
        out["nullable"] = True
    out["type"] = concrete[0] if len(concrete) == 1 else concrete or "null"


def _exclusive_bounds(out: Schema) -> None:
    """A numeric `exclusiveMinimum`/`exclusiveMaximum` (3.1) as `minimum`/`maximum` with the 3.0 boolean flag."""
    for flag, bound, tighter in _EXCLUSIVE:
        value = out.get(flag)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        inclusive = out.get(bound)
        if isinstance(inclusive, int | float) and tighter(value, inclusive) != value:
            del out[flag]
        else:
            out[bound], out[flag] = value, True


def _canonical(schema: Schema) -> Schema:
    """Merge `allOf`, distribute and flatten alternatives, drop spelled-out defaults, infer `type`."""
    members = schema.pop("allOf", [])
    for member in members:
        schema = merge(schema, member)
    kind, branches = alternatives(schema)
    if kind is not None:
        schema = _distribute(schema, kind, branches)
    for key, default in _DEFAULTS.items():
        if key in schema and schema[key] == default:
            del schema[key]
    if "type" not in schema and kind is None and CYCLE not in schema:
        if schema.keys() & {"properties", "required", "additionalProperties"}:
            schema["type"] = "object"
        elif "items" in schema:
            schema["type"] = "array"
    return schema


def _distribute(schema: Schema, kind: str, branches: list[Schema]) -> Schema:
    """The parent's keywords merged into each branch; nullability and the discriminator stay with the parent."""
    base = {key: value for key, value in schema.items() if key not in (kind, "nullable", "discriminator")}
    flattened: list[Schema] = []
    seen: set[str] = set()
    for branch in branches:
        merged = merge(base, branch) if base else _canonical(dict(branch))
        nested_kind, nested = alternatives(merged)
        for candidate in nested if nested_kind is not None else [merged]:
            text = signature(candidate)
            if text not in seen:
                seen.add(text)
                flattened.append(candidate)
    concrete = [branch for branch in flattened if branch != _NULL]
    nullable = bool(schema.get("nullable")) or (bool(concrete) and len(concrete) < len(flattened))
    flattened = concrete or flattened
    result: Schema = dict(flattened[0]) if len(flattened) == 1 else {kind: flattened}
    if len(flattened) > 1 and "discriminator" in schema:
        result["discriminator"] = schema["discriminator"]
    if nullable:
        result["nullable"] = True
    return result


def merge(first: Schema, second: Schema) -> Schema:
    """The schema both `first` and `second` describe (an `allOf` of the two), as far as the gate needs."""
    if CYCLE in first or CYCLE in second:
        marker, other = (first, second) if CYCLE in first else (second, first)
        return {**other, "x-cycle-merged": marker[CYCLE]}
    first_kind, first_branches = alternatives(first)
    second_kind, second_branches = alternatives(second)
    if first_kind is not None or second_kind is not None:
        left = _with_base(first, first_kind, first_branches)
        right = _with_base(second, second_kind, second_branches)
        result: Schema = {str(first_kind or second_kind): [merge(a, b) for a in left for b in right]}
        if first.get("nullable") or second.get("nullable"):
            result["nullable"] = True
        return _canonical(result)
    result = dict(first)
    for key, value in second.items():
        result[key] = _MERGERS.get(key, _keep_first)(result[key], value) if key in result else value
    _merge_exclusive(result, first, second, "minimum", "exclusiveMinimum", max)
    _merge_exclusive(result, first, second, "maximum", "exclusiveMaximum", min)
    return _canonical(result)


def _with_base(schema: Schema, kind: str | None, branches: list[Schema]) -> list[Schema]:
    """The branches of `schema` with its other keywords merged into each (or the schema itself)."""
    if kind is None:
        return [schema]
    base = {key: value for key, value in schema.items() if key not in (kind, "nullable")}
    return [merge(base, branch) for branch in branches] if base else branches


def _keep_first(first: Any, second: Any) -> Any:
    return first


def _merge_type(first: Any, second: Any) -> Any:
    """The types both allow; integer is a number."""
    left = set(first) if isinstance(first, list) else {first}
    right = set(second) if isinstance(second, list) else {second}
    common = (left & right) | {"integer" for a, b in ((left, right), (right, left)) if "integer" in a and "number" in b}
    if not common:
        return first
    return sorted(common)[0] if len(common) == 1 else sorted(common)


def _merge_properties(first: Any, second: Any) -> Any:
    merged = dict(first)
    for name, schema in second.items():
        merged[name] = merge(merged[name], schema) if name in merged else schema
    return merged


def _merge_enum(first: Any, second: Any) -> Any:
    allowed = {signature(value) for value in second}
    return [value for value in first if signature(value) in allowed]


def _merge_pattern(first: Any, second: Any) -> Any:
    return first if first == second else " && ".join(sorted({str(first), str(second)}))


def _merge_additional(first: Any, second: Any) -> Any:
    if first is False or second is False:
        return False
    if isinstance(first, dict) and isinstance(second, dict):
        return merge(first, second)
    return first if isinstance(first, dict) else second


_MERGERS: Mapping[str, Callable[[Any, Any], Any]] = {
    "type": _merge_type,
    "properties": _merge_properties,
    "required": lambda a, b: sorted(set(a) | set(b)),
    "enum": _merge_enum,
    "pattern": _merge_pattern,
    "items": merge,
    "additionalProperties": _merge_additional,
    "nullable": lambda a, b: bool(a or b),
    "deprecated": lambda a, b: bool(a or b),
    "readOnly": lambda a, b: bool(a or b),
    "writeOnly": lambda a, b: bool(a or b),
    "uniqueItems": lambda a, b: bool(a or b),
    "minLength": max,
    "minItems": max,
    "minProperties": max,
    "maxLength": min,
    "maxItems": min,
    "maxProperties": min,
    "minimum": _keep_first,
    "maximum": _keep_first,
}


def _merge_exclusive(
    result: Schema, first: Schema, second: Schema, bound: str, flag: str, tighter: Callable[[Any, Any], Any]
) -> None:
    """Keep the tighter of two bounds together with its own exclusive flag."""
    if bound not in first or bound not in second:
        return
    a, b = first[bound], second[bound]
    chosen = tighter(a, b)
    result[bound] = chosen
    if a == b:
        exclusive = bool(first.get(flag) or second.get(flag))
    else:
        exclusive = bool((first if chosen == a else second).get(flag))
    if exclusive:
        result[flag] = True
    else:
        result.pop(flag, None)
