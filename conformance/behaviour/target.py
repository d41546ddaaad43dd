"""What a behaviour check judges: the campaign's case, its operation, and the decoded success answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.checks import decode_body
from conformance.context import CampaignContext, context_for
from conformance.contracts import OperationInfo
from conformance.violations import BehaviourViolation

if TYPE_CHECKING:
    from schemathesis import Case, Response

__all__ = ["Target", "target", "violated"]


@dataclass(frozen=True)
class Target:
    """One answer a behaviour check looks at."""

    context: CampaignContext
    operation: OperationInfo
    media: str
    body: Any


def target(case: Case[Any], response: Response, *, success_only: bool = True) -> Target | None:
    """The campaign, operation and decoded body of an answer; None for schemas the harness did not load."""
    context = context_for(case)
    if context is None:
        return None
    operation = context.operation_for(case)
    if operation is None or str(case.method).upper() != operation.method.upper():
        return None
    if success_only and not 200 <= response.status_code < 300:
        return None
    media, body = decode_body(response)
    return Target(context, operation, media, body)


def violated(
    operation: OperationInfo, received: str, rule: str, statement: str, case_id: str | None = None
) -> BehaviourViolation:
    """A finding that quotes the contract statement it enforces as what is documented."""
    return BehaviourViolation(
        operation=operation.label,
        received=received,
        documented=f"{rule} ({statement})",
        case_id=case_id,
    )
