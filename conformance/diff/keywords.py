"""What changed in one schema's own keywords, as rule-id suffixes with a sentence, wherever the schema sits.

Each check returns `Change`s: the suffix candidates (`max-length-set`, then `max-length-decreased` ...) and the
sentence. The schema walk puts the site's prefix in front (`request-parameter-`, `response-property-`,
`response-header-` ...) and reports the first id the catalogue has, so a change with no rule at that site is silent
by construction. Whether a change breaks clients is the catalogue's business (the level of the id), not this module's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from conformance.diff.normalize import Schema, signature

__all__ = ["Change", "Direction", "keyword_changes", "nullable_change", "type_change", "type_names", "values_text"]

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
class Change:
    """One keyword change: rule-id suffixes to try in order, and the sentence after the subject."""

    suffixes: tuple[str, ...]
    text: str


def values_text(values: list[Any]) -> str:
    """Enum or const values as the report shows them."""
    return ", ".join(signature(value) for value in values)


def type_text(kind: Any, fmt: Any) -> str:
    """`string/date-time`, `integer`, `[integer, string]` or `any`."""
    shown = f"[{', '.join(kind)}]" if isinstance(kind, list) else str(kind or "any")
    return f"{shown}/{fmt}" if fmt else shown


def type_names(schema: Schema) -> frozenset[str] | None:
    """The types a schema allows (None: any type)."""
    kind = schema.get("type")
    if kind is None:
        return None
    return frozenset(kind) if isinstance(kind, list) else frozenset({str(kind)})


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    return all(name in wide or (name == "integer" and "number" in wide) for name in narrow)


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
    old_types, new_types = type_names(old), type_names(new)
    formats = _format_relation(old.get("format"), new.get("format"))
    if old_types == new_types:
        return formats
    if old_types is None:
        return "narrower"
    if new_types is None:
        return "wider"
    if _covers(new_types, old_types):
        base = "wider"
    elif _covers(old_types, new_types):
        base = "narrower"
    else:
        return "changed"
    return base if formats in ("same", base) else "changed"


def type_change(old: Schema, new: Schema, direction: Direction) -> tuple[Change | None, bool]:
    """The type/format change, and whether the schemas are related enough for deeper checks to mean something."""
    relation = _type_relation(old, new)
    if relation == "same":
        return None, True
    listed = any(len(names) > 1 for names in (type_names(old), type_names(new)) if names)
    widened = ("list-of-types-widened",) if listed else ()
    narrowed = ("list-of-types-narrowed",) if listed else ()
    if relation == "wider":
        suffixes = (*widened, "type-generalized")
    elif relation == "narrower":
        request = ("type-changed",) if direction is Direction.REQUEST else ()
        suffixes = (*narrowed, "type-specialized", *request)
    else:
        suffixes = ("type-changed",)
    verb = {"wider": "was widened", "narrower": "was narrowed"}.get(relation, "changed")
    before, after = type_text(old.get("type"), old.get("format")), type_text(new.get("type"), new.get("format"))
    old_types, new_types = type_names(old), type_names(new)
    related = (
        relation != "changed"
        or not old_types
        or not new_types
        or bool(old_types & new_types)
        or _covers(old_types, new_types)
        or _covers(new_types, old_types)
    )
    return Change(suffixes, f"type/format {verb} from {before} to {after}"), related


def nullable_change(old: Schema, new: Schema) -> Change | None:
    """Whether null became allowed or refused (checked on alternatives too, so kept apart from the others)."""
    was, now = bool(old.get("nullable")), bool(new.get("nullable"))
    if was == now:
        return None
    state = "nullable" if now else "not-nullable"
    return Change((f"became-{state}",), f"became {state.replace('-', ' ')}")


def keyword_changes(old: Schema, new: Schema) -> Iterator[Change]:
    """Every change of the value keywords: enum, x-extensible-enum, const, default, bounds, pattern."""
    yield from _enum(old, new, "enum", "enum")
    yield from _enum(old, new, "x-extensible-enum", "x-extensible-enum")
    yield from _value(old, new, "const", "const")
    yield from _value(old, new, "default", "default-value")
    yield from _bounds(old, new)
    yield from _pattern(old, new)


def _enum(old: Schema, new: Schema, keyword: str, fragment: str) -> Iterator[Change]:
    old_enum, new_enum = old.get(keyword), new.get(keyword)
    if not isinstance(new_enum, list) or old_enum == new_enum:
        return
    if not isinstance(old_enum, list):
        if keyword == "enum":
            yield Change(("became-enum",), f"was restricted to the values {values_text(new_enum)}")
        return
    old_values = {signature(value) for value in old_enum}
    new_values = {signature(value) for value in new_enum}
    for text in sorted(old_values - new_values):
        yield Change((f"{fragment}-value-removed",), f"lost the {keyword} value {text}")
    for text in sorted(new_values - old_values):
        yield Change((f"{fragment}-value-added",), f"gained the {keyword} value {text}")


def _value(old: Schema, new: Schema, keyword: str, fragment: str) -> Iterator[Change]:
    if keyword not in old and keyword not in new:
        return
    before, after = old.get(keyword), new.get(keyword)
    if keyword not in old:
        yield Change((f"{fragment}-added",), f"got the {keyword} {signature(after)}")
    elif keyword not in new:
        yield Change((f"{fragment}-removed",), f"lost the {keyword} {signature(before)}")
    elif signature(before) != signature(after):
        yield Change((f"{fragment}-changed",), f"{keyword} changed from {signature(before)} to {signature(after)}")


def _is_number(value: Any) -> bool:
    """Whether a bound is usable: absent, or a number (a malformed bound is not compared)."""
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _bounds(old: Schema, new: Schema) -> Iterator[Change]:
    for keyword, fragment, upper, flag in _BOUNDS:
        before, after = old.get(keyword), new.get(keyword)
        was_exclusive = bool(flag and old.get(flag))
        now_exclusive = bool(flag and new.get(flag))
        if (before == after and was_exclusive == now_exclusive) or not (_is_number(before) and _is_number(after)):
            continue
        tighter, looser = ("decreased", "increased") if upper else ("increased", "decreased")
        if before is None:
            change, fallback, text = "set", tighter, f"got {keyword} {after}"
        elif after is None:
            change, fallback, text = "unset", looser, f"lost its {keyword} (was {before})"
        elif before != after:
            raised = after > before
            change = fallback = "increased" if raised else "decreased"
            text = f"{keyword} was {'raised' if raised else 'lowered'} from {before} to {after}"
        else:
            change = fallback = tighter if now_exclusive else looser
            text = f"{keyword} {after} became {'exclusive' if now_exclusive else 'inclusive'}"
        yield Change((f"{fragment}-{change}", f"{fragment}-{fallback}"), text)


def _pattern(old: Schema, new: Schema) -> Iterator[Change]:
    before, after = old.get("pattern"), new.get("pattern")
    if before == after:
        return
    if before is None:
        yield Change(("pattern-added",), f"got the pattern {after!r}")
    elif after is None:
        yield Change(("pattern-removed",), f"lost the pattern {before!r}")
    else:
        yield Change(("pattern-changed",), f"pattern changed from {before!r} to {after!r}")
