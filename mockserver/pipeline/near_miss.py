"""For a request no operation matches: the closest operations of the API and why each did not match, for the
journal (as responses' `matchers` return `(ok, reason)` and vcrpy lists the closest recorded requests)."""

from __future__ import annotations

import difflib
from typing import Any

from contracts import Contract, Operation

__all__ = ["near_misses"]


def _reason(operation: Operation, method: str, path: str) -> str | None:
    """Why `method path` is not this operation (None: it is)."""
    sent = path.strip("/").split("/")
    declared = operation.path.strip("/").split("/")
    if path.endswith("/") and len(path) > 1 and path.rstrip("/").strip("/").split("/") == declared:
        return f"trailing slash: the contract declares {operation.path} without one"
    if len(sent) != len(declared):
        return f"{len(sent)} path segment(s); {operation.path} has {len(declared)}"
    for index, (got, wanted) in enumerate(zip(sent, declared, strict=True), start=1):
        if not (wanted.startswith("{") and wanted.endswith("}")) and got != wanted:
            return f"segment {index} is {got!r}; {operation.path} has {wanted!r}"
    if method.lower() != operation.method:
        return f"method {method.upper()}; {operation.path} declares {operation.method.upper()} here"
    return None


def near_misses(contract: Contract, method: str, path: str, limit: int = 3) -> list[dict[str, Any]]:
    """The `limit` operations closest to a request that matched none, each with why it did not match."""
    scored = []
    for operation in contract:
        reason = _reason(operation, method, path)
        if reason is None:
            continue
        similarity = difflib.SequenceMatcher(None, path, operation.path).ratio()
        similarity += 0.25 if operation.method == method.lower() else 0.0
        scored.append((similarity, operation, reason))
    scored.sort(key=lambda item: -item[0])
    return [
        {"operationId": operation.operation_id, "label": operation.label, "reason": reason}
        for _, operation, reason in scored[:limit]
    ]
