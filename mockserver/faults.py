"""Fault injection per operation: added latency and error answers, as configured through the admin API.

A fault may only inject a status that the targeted operation declares, so even injected failures stay inside the
contract (clients can test their back-off on 429 with Retry-After, or 503, exactly as documented).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from mockserver.errors import ConfigurationError

if TYPE_CHECKING:
    from mockserver.runtime import Runtime

__all__ = ["COLLECTION", "Fault", "clear_faults", "fault_for", "set_fault"]

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

    def fires(self) -> bool:
        """Whether this call gets the injected status."""
        return self.status is not None and random.random() < self.probability

    def headers(self) -> dict[str, str]:
        """Headers of the injected answer."""
        return {"Retry-After": str(self.retryAfter)} if self.retryAfter is not None else {}


def set_fault(rt: Runtime, fault: Fault) -> Fault:
    """Install a fault after checking it against the contract."""
    contract = rt.contracts.get(fault.spec)
    if contract is None:
        raise ConfigurationError(f"unknown spec {fault.spec!r}; mounted: {', '.join(rt.contracts)}")
    operation = contract.operation(fault.operationId)
    if operation is None:
        raise ConfigurationError(
            f"{fault.spec} has no operation {fault.operationId!r}; known: {', '.join(sorted(contract.operations))}"
        )
    if fault.status is not None and not operation.declares(fault.status):
        declared = ", ".join(sorted(operation.definition.get("responses", {})))
        raise ConfigurationError(
            f"{fault.spec} {fault.operationId} does not declare status {fault.status} (declared: {declared}); "
            "the mock only sends what the contract declares"
        )
    if fault.status is not None and fault.retryAfter is None:
        declared_headers = (operation.response(fault.status) or {}).get("headers", {})
        required = [name for name, header in declared_headers.items() if header.get("required")]
        if any(name.lower() == "retry-after" for name in required):
            raise ConfigurationError(
                f"{fault.spec} {fault.operationId} declares a required Retry-After header on {fault.status}: "
                "give retryAfter (seconds)"
            )
    if not 0.0 <= fault.probability <= 1.0:
        raise ConfigurationError(f"probability must be between 0 and 1, got {fault.probability}")
    rt.store.put(COLLECTION, f"{fault.spec}:{fault.operationId}", asdict(fault))
    return fault


def fault_for(rt: Runtime, spec: str, operation_id: str) -> Fault | None:
    """The fault installed on an operation, if any."""
    data: dict[str, Any] | None = rt.store.get(COLLECTION, f"{spec}:{operation_id}")
    return Fault(**data) if data else None


def clear_faults(rt: Runtime, spec: str | None = None, operation_id: str | None = None) -> int:
    """Remove faults (all, a spec's, or one operation's); returns how many."""
    filters = {key: value for key, value in (("spec", spec), ("operationId", operation_id)) if value}
    return rt.store.delete_where(COLLECTION, **filters)
