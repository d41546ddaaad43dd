"""Fault injection per operation: added latency and error answers, as configured through the admin API.

A fault may only inject a status that the targeted operation declares, so even injected failures stay inside the
contract (clients can test their back-off on 429 with Retry-After, or 503, exactly as documented). `reason` picks a
vendor's documented error code for the envelope (Aisera's `ERR-001`...`ERR-015`, say) where the vendor has them.
Faults fire before authentication, as a failing gateway in front of the service would.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from mockserver.errors import SettingsError
from mockserver.problems import Kind, Rejected, RequestError

if TYPE_CHECKING:
    from mockserver.runtime import Runtime

__all__ = ["COLLECTION", "Fault", "clear_faults", "load_faults", "set_fault"]

COLLECTION = "__faults"


@dataclass(frozen=True)
class Fault:
    """What to do to calls of one operation."""

    spec: str
    operationId: str
    latencyMs: int = 0
    status: int | None = None
    retryAfter: int | None = None
    probability: float = 1.0
    reason: str | None = None

    def fires(self) -> bool:
        """Whether this call gets the injected status."""
        return self.status is not None and random.random() < self.probability

    def rejection(self) -> Rejected:
        """The refusal this fault answers with."""
        headers = {"Retry-After": str(self.retryAfter)} if self.retryAfter is not None else {}
        detail = "Fault injected by the mock's admin API"
        return Rejected(
            RequestError(Kind.INJECTED_FAULT, detail, status=self.status or 500, headers=headers, reason=self.reason)
        )


def _check(rt: Runtime, fault: Fault) -> None:
    contract = rt.contracts.get(fault.spec)
    if contract is None:
        raise SettingsError(f"unknown spec {fault.spec!r}; mounted: {', '.join(rt.contracts)}")
    operation = contract.operation(fault.operationId)
    if operation is None:
        raise SettingsError(
            f"{fault.spec} has no operation {fault.operationId!r}; known: {', '.join(sorted(contract.operations))}"
        )
    if not 0.0 <= fault.probability <= 1.0:
        raise SettingsError(f"probability must be between 0 and 1, got {fault.probability}")
    behaviour = rt.behaviours.get(fault.spec)
    if fault.reason is not None:
        reasons = behaviour.fault_reasons(operation) if behaviour is not None and behaviour.fault_reasons else ()
        if fault.reason not in reasons:
            known = ", ".join(reasons) or "none for this operation"
            raise SettingsError(
                f"{fault.spec} {fault.operationId}: unknown reason {fault.reason!r} (documented: {known})"
            )
    if fault.status is None:
        return
    response = operation.response_for(fault.status)
    if response is None:
        raise SettingsError(
            f"{fault.spec} {fault.operationId} does not declare status {fault.status} "
            f"(declared: {', '.join(operation.responses)}); the mock only sends what the contract declares"
        )
    if fault.retryAfter is None and any(name.lower() == "retry-after" for name in response.required_headers):
        raise SettingsError(
            f"{fault.spec} {fault.operationId} declares a required Retry-After header on {fault.status}: "
            "give retryAfter (seconds)"
        )


async def set_fault(rt: Runtime, fault: Fault) -> Fault:
    """Install a fault after checking it against the contract; every worker picks it up."""
    _check(rt, fault)
    await rt.store.put(COLLECTION, f"{fault.spec}:{fault.operationId}", asdict(fault))
    await rt.changed()
    return fault


async def load_faults(rt: Runtime) -> dict[tuple[str, str], Fault]:
    """Every installed fault by (spec, operationId)."""
    found: list[dict[str, Any]] = await rt.store.find(COLLECTION)
    return {(item["spec"], item["operationId"]): Fault(**item) for item in found}


async def clear_faults(rt: Runtime, spec: str | None = None, operation_id: str | None = None) -> int:
    """Remove faults (all, a spec's, or one operation's); returns how many."""
    filters = {key: value for key, value in (("spec", spec), ("operationId", operation_id)) if value}
    removed = await rt.store.delete_where(COLLECTION, **filters)
    await rt.changed()
    return removed
