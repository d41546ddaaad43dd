"""Compare two normalized schemas in one direction and report the rule families of the catalog.

Direction decides what breaks: a request schema may only widen (clients send what used to be valid), a response
schema may only narrow (clients read what the server sends). One method per rule family: nullability, type and
format, enum, bounds, pattern, properties and requiredness, `oneOf`/`anyOf` alternatives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from conformance.diff.catalog import RULES
from conformance.diff.normalize import CYCLE, Schema, alternatives, signature

__all__ = ["Direction", "Emit", "Site", "compare_schemas"]

Emit = Callable[[str, str], None]
MAX_DEPTH = 64
_WIDER_FORMATS = frozenset({("int32", "int64"), ("float", "double")})
# keyword, rule-id fragment, whether it is an upper bound, the exclusive flag that tightens it
_BOUNDS = (
    ("maxLength", "max-length", True, None),
    ("minLength", "min-length", False, None),
    ("maximum", "max", True, "exclusiveMaximum"),
    ("minimum", "min", False, "exclusiveMinimum"),
    ("maxItems", "max-items", True, None),
    ("minItems", "min-items", False, None),
)


class Direction(StrEnum):
    """Whether a schema describes what clients send or what they receive."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(frozen=True)
class Site:
    """Where a schema sits: its direction, a location for messages, and the parameter it belongs to if any."""

    direction: Direction
    where: str = ""
    parameter: str | None = None


def compare_schemas(old: Schema, new: Schema, site: Site, emit: Emit) -> None:
    """Report through `emit(rule_id, message)` every catalogued change from `old` to `new` at `site`."""
    _Comparison(site, emit).compare(old, new, (), 0)


def _render(path: tuple[str, ...]) -> str:
    text = ""
    for segment in path:
        if segment == "[]":
            text += "[]"
        elif segment.startswith("|"):
            text += f"({segment[1:]})"
        else:
            text += f".{segment}" if text else segment
    return text


def _is_root(path: tuple[str, ...]) -> bool:
    return all(segment.startswith("|") for segment in path)


def _describe(schema: Schema) -> str:
    properties = sorted(schema.get("properties") or {})
    if properties:
        shown = ", ".join(properties[:4]) + (", ..." if len(properties) > 4 else "")
        return f"object with {shown}"
    if "enum" in schema:
        return f"{schema.get('type', 'value')} in {_values(schema['enum'])}"
    if "type" in schema:
        return _type_text(schema.get("type"), schema.get("format"))
    return "schema"


def _values(values: list[Any]) -> str:
    return ", ".join(signature(value) for value in values)


def _type_text(kind: Any, fmt: Any) -> str:
    return f"{kind or 'any'}/{fmt}" if fmt else str(kind or "any")


def _is_number(value: Any) -> bool:
    """Whether a bound is usable: absent, or a number (a malformed bound is not compared)."""
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _format_relation(old: Any, new: Any) -> str:
    if old == new:
        return "same"
    if new is None or (old, new) in _WIDER_FORMATS:
        return "wider"
    if old is None or (new, old) in _WIDER_FORMATS:
        return "narrower"
    return "changed"


def _type_relation(old: Schema, new: Schema) -> str:
    """How the value set of `type`+`format` moved: same, wider, narrower or changed."""
    old_type, new_type = old.get("type"), new.get("type")
    formats = _format_relation(old.get("format"), new.get("format"))
    if old_type == new_type:
        return formats
    if old_type is None:
        return "narrower"
    if new_type is None:
        return "wider"
    if (old_type, new_type) == ("integer", "number"):
        base = "wider"
    elif (old_type, new_type) == ("number", "integer"):
        base = "narrower"
    else:
        return "changed"
    return base if formats in ("same", base) else "changed"


def _similarity(first: Schema, second: Schema) -> float:
    """How alike two alternatives are, 0 to 1, to pair a changed branch with its new version."""
    types = {first.get("type"), second.get("type")} - {None}
    if len(types) > 1 and types != {"integer", "number"}:
        return 0.0
    for key in ("properties", "enum"):
        left = {signature(v) if key == "enum" else v for v in first.get(key) or []}
        right = {signature(v) if key == "enum" else v for v in second.get(key) or []}
        if left or right:
            return len(left & right) / len(left | right)
    return 0.6


class _Comparison:
    """One schema comparison: the site, the output, and a cache of signatures."""

    def __init__(self, site: Site, emit: Emit) -> None:
        self.site = site
        self.emit = emit
        self.direction = site.direction
        self._signatures: dict[int, tuple[Schema, str]] = {}

    # -- helpers -------------------------------------------------------------------------------------------
    def _sig(self, schema: Schema) -> str:
        cached = self._signatures.get(id(schema))
        if cached is None:
            cached = (schema, signature(schema))
            self._signatures[id(schema)] = cached
        return cached[1]

    def _prefix(self, path: tuple[str, ...]) -> str:
        if self.site.parameter is not None:
            return "request-parameter"
        return f"{self.direction.value}-{'body' if _is_root(path) else 'property'}"

    def _subject(self, path: tuple[str, ...]) -> str:
        dotted = _render(path)
        if self.site.parameter is not None:
            return f"'{dotted}' of {self.site.parameter}" if dotted else self.site.parameter
        if _is_root(path):
            return f"the {self.direction.value} body{' ' + dotted if dotted else ''}"
        return f"{self.direction.value} property '{dotted}'"

    def _report(self, path: tuple[str, ...], candidates: list[str], text: str) -> None:
        """Emit with the first catalogued id among `candidates` (each also tried as a property rule)."""
        prefixes = (self._prefix(path), f"{self.direction.value}-property")
        for rule_id in (f"{prefix}-{suffix}" for prefix in prefixes for suffix in candidates):
            if rule_id in RULES:
                self._report_property(path, rule_id, text)
                return

    def _report_property(self, path: tuple[str, ...], rule_id: str, text: str) -> None:
        """Emit `rule_id` with a sentence naming the schema at `path` and the site."""
        where = f" ({self.site.where})" if self.site.where else ""
        self.emit(rule_id, f"{self._subject(path)} {text}{where}")

    # -- the walk ------------------------------------------------------------------------------------------
    def compare(self, old: Schema, new: Schema, path: tuple[str, ...], depth: int) -> None:
        """Compare two schemas at `path`; identical and recursive parts are skipped."""
        if old is new or depth > MAX_DEPTH or self._sig(old) == self._sig(new):
            return
        if CYCLE in old or CYCLE in new:
            return
        self._nullable(old, new, path)
        old_kind, old_branches = alternatives(old)
        new_kind, new_branches = alternatives(new)
        if old_kind is not None or new_kind is not None:
            self._alternatives(old_branches, new_branches, str(new_kind or old_kind), path, depth)
            return
        if not self._type(old, new, path):
            return
        self._enum(old, new, path)
        self._bounds(old, new, path)
        self._pattern(old, new, path)
        self._properties(old, new, path, depth)
        if "items" in old or "items" in new:
            self.compare(old.get("items") or {}, new.get("items") or {}, (*path, "[]"), depth + 1)
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.compare(old_extra, new_extra, (*path, "*"), depth + 1)

    def _nullable(self, old: Schema, new: Schema, path: tuple[str, ...]) -> None:
        was, now = bool(old.get("nullable")), bool(new.get("nullable"))
        if was != now:
            state = "nullable" if now else "not-nullable"
            self._report(path, [f"became-{state}"], f"became {state.replace('-', ' ')}")

    def _type(self, old: Schema, new: Schema, path: tuple[str, ...]) -> bool:
        """Report a type/format change; False when the types are unrelated and deeper checks would be noise."""
        relation = _type_relation(old, new)
        if relation == "same":
            return True
        before = _type_text(old.get("type"), old.get("format"))
        after = _type_text(new.get("type"), new.get("format"))
        if self.direction is Direction.REQUEST:
            suffix = "type-generalized" if relation == "wider" else "type-changed"
        else:
            suffix = {"wider": "type-generalized", "narrower": "type-specialized"}.get(relation, "type-changed")
        verb = {"wider": "was widened", "narrower": "was narrowed"}.get(relation, "changed")
        self._report(path, [suffix], f"type/format {verb} from {before} to {after}")
        kinds = {old.get("type"), new.get("type")}
        return relation != "changed" or None in kinds or kinds == {"integer", "number"} or len(kinds) == 1

    def _enum(self, old: Schema, new: Schema, path: tuple[str, ...]) -> None:
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if new_enum is None or old_enum == new_enum:
            return
        if old_enum is None:
            if self.direction is Direction.REQUEST:
                self._report(path, ["became-enum"], f"was restricted to the values {_values(new_enum)}")
            return
        old_values = {signature(value): value for value in old_enum}
        new_values = {signature(value): value for value in new_enum}
        for text in sorted(old_values.keys() - new_values.keys()):
            self._report(path, ["enum-value-removed"], f"lost the enum value {text}")
        for text in sorted(new_values.keys() - old_values.keys()):
            self._report(path, ["enum-value-added"], f"gained the enum value {text}")

    def _bounds(self, old: Schema, new: Schema, path: tuple[str, ...]) -> None:
        for keyword, fragment, upper, flag in _BOUNDS:
            before, after = old.get(keyword), new.get(keyword)
            was_exclusive = bool(flag and old.get(flag))
            now_exclusive = bool(flag and new.get(flag))
            if (before == after and was_exclusive == now_exclusive) or not (_is_number(before) and _is_number(after)):
                continue
            if before is None:
                change, narrows, text = "set", True, f"got {keyword} {after}"
            elif after is None:
                change, narrows, text = "unset", False, f"lost its {keyword} (was {before})"
            elif before != after:
                raised = after > before
                change, narrows = ("increased", not upper) if raised else ("decreased", upper)
                text = f"{keyword} was {'raised' if raised else 'lowered'} from {before} to {after}"
            else:
                narrows = now_exclusive
                change = ("decreased" if upper else "increased") if narrows else ("increased" if upper else "decreased")
                text = f"{keyword} {after} became {'exclusive' if narrows else 'inclusive'}"
            if narrows != (self.direction is Direction.REQUEST):
                continue
            tighter = "decreased" if upper else "increased"
            looser = "increased" if upper else "decreased"
            fallback = {"set": tighter, "unset": looser}.get(change, change)
            self._report(path, [f"{fragment}-{change}", f"{fragment}-{fallback}"], text)

    def _pattern(self, old: Schema, new: Schema, path: tuple[str, ...]) -> None:
        before, after = old.get("pattern"), new.get("pattern")
        if before == after:
            return
        if before is None:
            if self.direction is Direction.REQUEST:
                self._report(path, ["pattern-added"], f"got the pattern {after!r}")
        elif after is None:
            if self.direction is Direction.RESPONSE:
                self._report(path, ["pattern-removed"], f"lost the pattern {before!r}")
        else:
            self._report(path, ["pattern-changed"], f"pattern changed from {before!r} to {after!r}")

    def _visible(self, schema: Schema) -> tuple[dict[str, Schema], set[str]]:
        """Properties that travel in this direction (no readOnly in requests, no writeOnly in responses)."""
        hidden = "readOnly" if self.direction is Direction.REQUEST else "writeOnly"
        declared = schema.get("properties") or {}
        properties = {name: sub for name, sub in declared.items() if not sub.get(hidden)}
        for name in schema.get("required") or []:
            if name not in declared:
                properties[name] = {}
        return properties, {name for name in schema.get("required") or [] if name in properties}

    def _properties(self, old: Schema, new: Schema, path: tuple[str, ...], depth: int) -> None:
        old_properties, old_required = self._visible(old)
        new_properties, new_required = self._visible(new)
        request = self.direction is Direction.REQUEST
        for name in sorted(old_properties.keys() - new_properties.keys()):
            if request:
                rule_id = "request-property-removed"
            elif name in old_required:
                rule_id = "response-required-property-removed"
            else:
                rule_id = "response-optional-property-removed"
            self._report_property((*path, name), rule_id, "was removed")
        for name in sorted(new_properties.keys() - old_properties.keys()):
            required = name in new_required
            if request:
                rule_id = "new-required-request-property" if required else "new-optional-request-property"
            else:
                rule_id = "response-required-property-added" if required else "response-optional-property-added"
            self._report_property((*path, name), rule_id, f"was added as {'required' if required else 'optional'}")
        for name in sorted(old_properties.keys() & new_properties.keys()):
            was, now = name in old_required, name in new_required
            if was != now:
                rule_id = f"{self.direction.value}-property-became-{'required' if now else 'optional'}"
                self._report_property((*path, name), rule_id, f"became {'required' if now else 'optional'}")
            self.compare(old_properties[name], new_properties[name], (*path, name), depth + 1)

    def _alternatives(self, old: list[Schema], new: list[Schema], kind: str, path: tuple[str, ...], depth: int) -> None:
        """Compare branch sets: equal branches match, similar ones are compared, the rest added or removed."""
        fragment = "one-of" if kind == "oneOf" else "any-of"
        available: dict[str, list[int]] = {}
        for index, branch in enumerate(new):
            available.setdefault(self._sig(branch), []).append(index)
        unmatched_old = []
        for index, branch in enumerate(old):
            slots = available.get(self._sig(branch))
            if slots:
                slots.pop(0)
            else:
                unmatched_old.append(index)
        unmatched_new = sorted(index for slots in available.values() for index in slots)
        scored = sorted(
            ((_similarity(old[i], new[j]), i, j) for i in unmatched_old for j in unmatched_new),
            key=lambda item: (-item[0], item[1], item[2]),
        )
        single = len(unmatched_old) == 1 and len(unmatched_new) == 1
        for score, i, j in scored:
            if i in unmatched_old and j in unmatched_new and (score >= 0.5 or (single and score > 0)):
                unmatched_old.remove(i)
                unmatched_new.remove(j)
                branch_path = (*path, f"|{kind} #{j + 1}") if len(new) > 1 else path
                self.compare(old[i], new[j], branch_path, depth + 1)
        for i in unmatched_old:
            self._report(path, [f"{fragment}-removed"], f"lost the {kind} alternative '{_describe(old[i])}'")
        for j in unmatched_new:
            self._report(path, [f"{fragment}-added"], f"gained the {kind} alternative '{_describe(new[j])}'")
