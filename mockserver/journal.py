"""The request journal: every request to a contract, with its operation, status and validation problems.

Entries live in the store (collection `__journal`) so every worker writes to, and the admin API reads, one journal.
Credentials never enter it: only method, path (without query string), operation and outcome are kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.runtime import Runtime

__all__ = ["COLLECTION", "entries", "record_event", "record_request"]

COLLECTION = "__journal"
_PRUNE_EVERY = 200


def _append(rt: Runtime, entry: dict[str, Any]) -> None:
    number = rt.store.append(COLLECTION, entry)
    if number % _PRUNE_EVERY == 0:
        _prune(rt)


def _prune(rt: Runtime) -> None:
    rt.store.trim(COLLECTION, keep=rt.settings.journal_limit)


def record_request(
    rt: Runtime,
    *,
    spec: str,
    operation_id: str | None,
    method: str,
    path: str,
    status: int,
    duration_ms: float,
    problems: list[str],
) -> None:
    """Add one request's outcome."""
    _append(
        rt,
        {
            "kind": "request",
            "time": rt.clock.now_iso(),
            "spec": spec,
            "operationId": operation_id,
            "method": method,
            "path": path,
            "status": status,
            "durationMs": round(duration_ms, 2),
            "problems": problems,
        },
    )


def record_event(rt: Runtime, spec: str, kind: str, detail: dict[str, Any]) -> None:
    """Add something that happened outside a request (a callback attempt, a background step)."""
    _append(rt, {"kind": kind, "time": rt.clock.now_iso(), "spec": spec, "detail": detail})


def entries(
    rt: Runtime, *, spec: str | None = None, operation_id: str | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """Journal entries, oldest first, filtered by any of spec, operationId and kind."""
    filters: dict[str, Any] = {}
    if spec:
        filters["spec"] = spec
    if operation_id:
        filters["operationId"] = operation_id
    if kind:
        filters["kind"] = kind
    return rt.store.find(COLLECTION, **filters)
