"""Overrides: a test makes one operation give a chosen documented answer for its next N matching calls.

An override names the operation, optionally what a call must carry (`match`: body subset, headers, query), how many
matching calls to let through first (`skip`) and how many answers to give (`times`), and the answer itself. The
answer is checked against the operation's contract when the override is installed (a status the operation
declares, a declared media type, a body that validates, every required header), so an override can never make
the mock send what its contract does not allow. Requests are still authenticated and validated before an
override answers. Counting is atomic in the store, so with several workers the N answers are given exactly once
each. Overrides are cleared by a reset; they are not part of snapshots.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.errors import SettingsError
from mockserver.matching import Pattern
from mockserver.pipeline.responses import Answer, normalise

if TYPE_CHECKING:
    from mockserver.pipeline.call import Call
    from mockserver.pipeline.compiler import CompiledOperation
    from mockserver.runtime import Runtime

__all__ = ["COLLECTION", "answer_for", "clear_overrides", "install_override", "overridden_operations"]

COLLECTION = "__overrides"


def _answer(compiled: CompiledOperation, response: Mapping[str, Any]) -> Answer:
    headers = dict(response.get("headers") or {})
    if response.get("mediaType"):
        headers["Content-Type"] = str(response["mediaType"])
    return normalise((response.get("body"), int(response["status"]), headers), compiled.operation)


async def install_override(rt: Runtime, data: Mapping[str, Any]) -> dict[str, Any]:
    """Check an override against its operation's contract and store it; returns the stored override."""
    api = rt.apis.get(str(data["spec"]))
    if api is None:
        raise SettingsError(f"unknown API {data['spec']!r}; mounted: {', '.join(rt.contracts)}")
    compiled = api.operations.get(str(data["operationId"]))
    if compiled is None:
        known = ", ".join(sorted(api.operations))
        raise SettingsError(f"{data['spec']} has no operation {data['operationId']!r}; known: {known}")
    problems = compiled.responses.problems(_answer(compiled, data["response"]))
    if problems:
        raise SettingsError(
            f"{data['spec']} {data['operationId']}: the override's answer is not one the contract declares: "
            + "; ".join(problems)
        )
    override = {
        "id": uuid.uuid4().hex[:12],
        "spec": data["spec"],
        "operationId": data["operationId"],
        "remaining": int(data.get("times", 1)),
        "skip": int(data.get("skip", 0)),
        "match": dict(data.get("match") or {}),
        "response": dict(data["response"]),
        "created": rt.clock.now(),
    }
    await rt.store.put(COLLECTION, override["id"], override)
    await rt.changed()
    return override


async def overridden_operations(rt: Runtime) -> frozenset[tuple[str, str]]:
    """(spec, operationId) of every operation with an override (cached by the runtime per generation)."""
    return frozenset((item["spec"], item["operationId"]) for item in await rt.store.find(COLLECTION))


@dataclass(frozen=True)
class Taken:
    """An override that answers the current call."""

    id: str
    answer: Answer


async def answer_for(rt: Runtime, compiled: CompiledOperation, call: Call) -> Taken | None:
    """The answer of the first override matching this call, counted atomically; None to let the call through."""
    spec, operation_id = compiled.spec, compiled.operation.operation_id
    emptied = False
    taken: Taken | None = None
    async with rt.store.transaction():
        for item in await rt.store.find(COLLECTION, spec=spec, operationId=operation_id):
            match = item.get("match") or {}
            pattern = Pattern.from_json(match)
            if match and not pattern.matches_live(call.body, call.headers, call.query):
                continue
            if item["skip"] > 0:
                await rt.store.put(COLLECTION, item["id"], {**item, "skip": item["skip"] - 1})
                return None
            if item["remaining"] <= 1:
                await rt.store.delete(COLLECTION, item["id"])
                emptied = True
            else:
                await rt.store.put(COLLECTION, item["id"], {**item, "remaining": item["remaining"] - 1})
            taken = Taken(item["id"], _answer(compiled, item["response"]))
            break
    if emptied:
        await rt.changed()
    return taken


async def clear_overrides(rt: Runtime, override_id: str | None = None) -> int:
    """Remove one override, or all; returns how many went."""
    removed = (
        int(await rt.store.delete(COLLECTION, override_id)) if override_id else await rt.store.delete_where(COLLECTION)
    )
    await rt.changed()
    return removed
