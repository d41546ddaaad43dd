"""The paging, ordering and filtering shared by the record, document and monitor queries.

`order` is a list of `[field, direction]` pairs applied left to right (the first pair sorts first); direction is
`ASC` or `DESC`; empty values sort last in both directions. An order pair the contract's schema cannot reject (a
field outside the operation's list, a direction in the field position) is answered in-band, like the service's
other errors, with the accepted values.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

__all__ = ["DEFAULT_LIMIT", "Page", "like", "page_of"]

DEFAULT_LIMIT = 100
DIRECTIONS = ("ASC", "DESC")


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


def page_of(body: dict[str, Any], fields: Collection[str], default_order: list[list[str]]) -> Page | str:
    """The page a query body asks for, or the error message for an order the service refuses."""
    pairs = body.get("order", default_order)
    order = []
    for pair in pairs:
        field, direction = pair
        if field not in fields:
            return f"Invalid order field {field!r}: use one of {', '.join(sorted(fields))}"
        if direction not in DIRECTIONS:
            return f"Invalid order direction {direction!r} for {field}: use ASC or DESC"
        order.append((field, direction))
    return Page(limit=body.get("limit", DEFAULT_LIMIT), offset=body.get("offset", 0), order=tuple(order))


def like(pattern: str, value: str | None) -> bool:
    """SQL `LIKE` (`%` any text, `_` one character), ignoring case as the service's database does."""
    if value is None:
        return False
    parts = (".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern)
    return re.fullmatch("".join(parts), value, re.IGNORECASE | re.DOTALL) is not None
