"""Paging and ordering parameters are honoured (`x-paging`, `x-ordering`).

- `paging_honoured`: a page holds at most `limit` items; with a `total` of all matches, exactly
  `min(limit, total - offset)` of them; echoed `limit`/`offset` repeat the request's (or the defaults).
- `ordering_honoured`: consecutive items follow the requested `[field, direction]` pairs (or the schema's default
  order). Items missing a field, or with values of different types, are not compared: the contracts say nothing
  about where empty values sort.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import schemathesis

from conformance.behaviour.extensions import Ordering, Paging
from conformance.behaviour.target import Target, judge
from contracts import Contract, Operation

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["ordering_problem", "paging_problem"]

Problem = tuple[str, str]


def _requested(value: Any, default: Any, minimum: int) -> int | None:
    chosen = default if value is None else value
    if isinstance(chosen, str) and chosen.isdigit():
        chosen = int(chosen)  # a query parameter, as sent
    return chosen if isinstance(chosen, int) and not isinstance(chosen, bool) and chosen >= minimum else None


def paging_problem(paging: Paging, limit: int | None, offset: int | None, body: Any) -> Problem | None:
    """(received, rule) when a page disagrees with the requested limit and offset."""
    items = body.get(paging.items) if isinstance(body, dict) else None
    if not isinstance(items, list) or limit is None:
        return None
    count, name = len(items), paging.items
    if count > limit:
        return f"{count} {name} for {paging.limit.name} {limit}", f"at most {paging.limit.name} ({limit}) {name}"
    total = body.get(paging.total) if paging.total else None
    start = offset or 0
    if isinstance(total, int) and not isinstance(total, bool):
        expected = max(0, min(limit, total - start))
        if count != expected:
            return (
                f"{count} {name} with {paging.total} {total}, offset {start}, {paging.limit.name} {limit}",
                f"{expected} {name}: the matches after the offset, at most {paging.limit.name}",
            )
    for field, value in ((paging.limit.name, limit), (paging.offset.name if paging.offset else "", start)):
        if field in paging.echo and field in body and body[field] != value:
            return f"{field} {body[field]!r} in the answer to {field} {value}", f"`{field}` repeats the {field} used"
    return None


def _comparable(a: Any, b: Any) -> tuple[Any, Any] | None:
    """The two values in one comparable form, or None when the contract gives no order between them."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a, b
    if isinstance(a, str) and isinstance(b, str):
        try:
            first, second = datetime.fromisoformat(a), datetime.fromisoformat(b)
        except ValueError:
            return a, b
        return (first, second) if (first.tzinfo is None) == (second.tzinfo is None) else None
    return None


def _pairs(ordering: Ordering, value: Any) -> list[tuple[str, bool]] | None:
    """`[(field, ascending)]`, or None when the order is not one the check can judge."""
    if not isinstance(value, list) or not value:
        return None
    pairs = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)):
            return None
        if pair[1] not in ordering.directions:
            return None
        pairs.append((pair[0], pair[1] == ordering.directions[0]))
    return pairs


def ordering_problem(ordering: Ordering, order: Any, body: Any) -> Problem | None:
    """(received, rule) when two consecutive items break the requested order."""
    items = body.get(ordering.items) if isinstance(body, dict) else None
    pairs = _pairs(ordering, order)
    if not isinstance(items, list) or pairs is None:
        return None
    for index, (first, second) in enumerate(pairwise(items)):
        if not isinstance(first, dict) or not isinstance(second, dict):
            return None
        for field, ascending in pairs:
            values = _comparable(first.get(field), second.get(field))
            if values is None:
                break
            if values[0] == values[1]:
                continue
            if (values[0] < values[1]) != ascending:
                word = ordering.directions[0] if ascending else ordering.directions[1]
                return (
                    f"{ordering.items}[{index}].{field} {first[field]!r} before "
                    f"{ordering.items}[{index + 1}].{field} {second[field]!r}",
                    f"{ordering.items} ordered by {order} ({field} {word})",
                )
            break
    return None


def _limits(contract: Contract, operation: Operation, paging: Paging, case: Case[Any]) -> tuple[Any, Any]:
    limit = _requested(paging.limit.of(case), paging.limit.default(contract, operation), 1)
    offset = None
    if paging.offset is not None:
        offset = _requested(paging.offset.of(case), paging.offset.default(contract, operation) or 0, 0)
    return limit, offset


@schemathesis.check
def paging_honoured(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A page holds what `limit`, `offset` and `total` say it should."""

    def rule(found: Target, paging: Paging) -> Problem | None:
        limit, offset = _limits(found.context.contract, found.operation, paging, case)
        if paging.offset is not None and offset is None:
            return None
        return paging_problem(paging, limit, offset, found.body)

    return judge(case, response, Paging.of, rule)


@schemathesis.check
def ordering_honoured(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """The items come in the requested (or the documented default) order."""

    def rule(found: Target, ordering: Ordering) -> Problem | None:
        order = ordering.order.of(case)
        if order is None:
            order = ordering.order.default(found.context.contract, found.operation)
        return ordering_problem(ordering, order, found.body)

    return judge(case, response, Ordering.of, rule)
