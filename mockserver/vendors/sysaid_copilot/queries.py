"""The paging, ordering and filtering shared by the record, document and monitor queries.

`order` is a list of `[field, direction]` pairs applied left to right (the first pair sorts first); direction is
`ASC` or `DESC`; empty values sort last in both directions. An order pair the contract's schema cannot reject (a
field outside the operation's list, a direction in the field position) is answered in-band, like the service's
other errors, with the accepted values.

`like` is SQL `LIKE` without backtracking: the pattern is cut at each `%` into segments of fixed length (`_` stands
for one character), the first segment must start the value, the last must end it, and each one between is matched
at its leftmost place after the previous one. Leftmost is always right for fixed-length segments, so a value is
read once per segment and a pattern of any number of `%` costs time linear in the value, never exponential.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from mockserver.vendors.sysaid_copilot.model import component

__all__ = ["DEFAULT_LIMIT", "DIRECTIONS", "Page", "like", "page_of"]

DEFAULT_LIMIT = 100
"""Items per page when neither the body nor the contract's query schema says (the guide's default)."""
DIRECTIONS = tuple(component("OrderDirection")["enum"])
"""`ASC`, `DESC` (the contract's `OrderDirection`)."""


@dataclass(frozen=True)
class Page:
    """The requested slice and order of a query's matches."""

    limit: int
    offset: int
    order: tuple[tuple[str, str], ...]

    def apply(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The matches in the requested order, sliced."""
        ordered = list(rows)
        for field, direction in reversed(self.order):
            present = [row for row in ordered if row.get(field) is not None]
            missing = [row for row in ordered if row.get(field) is None]
            present.sort(key=itemgetter(field), reverse=direction == "DESC")
            ordered = present + missing
        return ordered[self.offset : self.offset + self.limit]


def page_of(
    body: dict[str, Any],
    schema: Mapping[str, Any],
    fields: Collection[str],
    fallback_order: Sequence[Sequence[str]] = (),
) -> Page | str:
    """The page a query body asks for, with the defaults its contract `schema` declares (`limit`, `offset`, `order`;
    `fallback_order` where the contract gives none), or the error message for an order the service refuses."""
    properties = schema.get("properties") or {}
    defaults = {name: (properties.get(name) or {}).get("default") for name in ("limit", "offset", "order")}
    pairs = body.get("order", defaults["order"] if defaults["order"] is not None else fallback_order)
    order = []
    for pair in pairs:
        field, direction = pair
        if field not in fields:
            return f"Invalid order field {field!r}: use one of {', '.join(sorted(fields))}"
        if direction not in DIRECTIONS:
            return f"Invalid order direction {direction!r} for {field}: use ASC or DESC"
        order.append((field, direction))
    limit = body.get("limit", defaults["limit"] if defaults["limit"] is not None else DEFAULT_LIMIT)
    return Page(limit=limit, offset=body.get("offset", defaults["offset"] or 0), order=tuple(order))


def _fold(text: str) -> str:
    """Lower case, character by character (a character whose lower case is longer is kept, so `_` stays one)."""
    if text.isascii():
        return text.lower()
    return "".join(lower if len(lower := char.lower()) == 1 else char for char in text)


def _fits(segment: str, text: str, at: int) -> bool:
    """Whether a segment (`_`: any one character) matches `text` at position `at`."""
    if at < 0 or at + len(segment) > len(text):
        return False
    return all(wanted in ("_", found) for wanted, found in zip(segment, text[at : at + len(segment)], strict=True))


def _find(segment: str, text: str, start: int) -> int:
    """The leftmost position at or after `start` where a segment matches, or -1."""
    if "_" not in segment:
        return text.find(segment, start)
    offset, anchor = 0, ""
    position = 0
    for piece in segment.split("_"):
        if len(piece) > len(anchor):
            offset, anchor = position, piece
        position += len(piece) + 1
    if not anchor:
        return start if start + len(segment) <= len(text) else -1
    found = text.find(anchor, start + offset)
    while found >= 0:
        if _fits(segment, text, found - offset):
            return found - offset
        found = text.find(anchor, found + 1)
    return -1


def like(pattern: str, value: str | None) -> bool:
    """SQL `LIKE` (`%` any text, `_` one character, no escape character), ignoring case as the service's database
    does; linear in the value for any pattern (see the module docstring)."""
    if value is None:
        return False
    text = _fold(value)
    first, *rest = _fold(pattern).split("%")
    if not rest:
        return len(first) == len(text) and _fits(first, text, 0)
    if not _fits(first, text, 0):
        return False
    position = len(first)
    *middle, last = rest
    for segment in middle:
        found = _find(segment, text, position)
        if found < 0:
            return False
        position = found + len(segment)
    return len(text) - len(last) >= position and _fits(last, text, len(text) - len(last))
