"""Batch endpoints answer one result per item and a status that follows the documented rule (`x-batch`).

`batch_status`: with a well-formed batch (a list of 1 to `max-items` items) the answer carries one result per item;
the status is `partial` (ASAPP: 200) when at least one item was accepted and `all-failed` (ASAPP: 400) when every
item failed. A result failed when its `error` is non-empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import schemathesis

from conformance.behaviour.extensions import Batch
from conformance.behaviour.target import Target, judge
from conformance.coverage import normalize_media_type

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["batch_problem"]

Problem = tuple[str, str]


def batch_problem(batch: Batch, status: int, items: Any, body: Any) -> Problem | None:
    """(received, rule) when a batch answer breaks the one-result-per-item or the status rule."""
    results = body.get(batch.results) if isinstance(body, dict) else None
    if not isinstance(results, list) or status not in (batch.partial, batch.all_failed):
        return None
    failed = sum(1 for result in results if isinstance(result, dict) and result.get(batch.error))
    well_formed = isinstance(items, list) and 1 <= len(items) <= (batch.max_items or len(items))
    if well_formed and len(results) != len(items):
        return (
            f"{len(results)} {batch.results} for {len(items)} {batch.items}",
            f"one entry of `{batch.results}` per item, in request order",
        )
    if status == batch.partial and results and failed == len(results):
        return (
            f"HTTP {status} with every item failed ({failed} of {len(results)})",
            f"{batch.partial} only when at least one item is accepted, {batch.all_failed} when every item fails",
        )
    if status == batch.all_failed and failed < len(results):
        return (
            f"HTTP {status} with {len(results) - failed} accepted item(s)",
            f"{batch.all_failed} only when every item fails, {batch.partial} when at least one is accepted",
        )
    return None


def _sent_as_json(case: Case[Any]) -> bool:
    """Whether the server could read the batch: a JSON body sent as JSON (a negative case may relabel it)."""
    declared = normalize_media_type(case.media_type)
    header = next((value for key, value in (case.headers or {}).items() if key.lower() == "content-type"), None)
    sent = normalize_media_type(header) if isinstance(header, str) else declared
    return declared.endswith("json") and sent.endswith("json")


@schemathesis.check
def batch_status(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """One result per item, and the status the batch rule documents."""

    def rule(found: Target, batch: Batch) -> tuple[str, str] | None:
        items = case.body.get(batch.items) if isinstance(case.body, dict) and _sent_as_json(case) else None
        return batch_problem(batch, response.status_code, items, found.body)

    return judge(case, response, Batch.of, rule, success_only=False)
