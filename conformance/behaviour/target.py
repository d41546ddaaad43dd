"""What a behaviour check judges: the campaign's case, its operation, and the decoded success answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from conformance.answers import decode_body
from conformance.context import CampaignContext, context_for
from conformance.violations import BehaviourViolation
from contracts import Operation

if TYPE_CHECKING:
    from schemathesis import Case, Response

__all__ = ["Statement", "Target", "judge", "target", "violated"]

Problem = tuple[str, str]


@dataclass(frozen=True)
class Target:
    """One answer a behaviour check looks at."""

    context: CampaignContext
    operation: Operation
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
    operation: Operation, received: str, rule: str, statement: str, case_id: str | None = None
) -> BehaviourViolation:
    """A finding that quotes the contract statement it enforces as what is documented."""
    return BehaviourViolation(
        operation=operation.label,
        received=received,
        documented=f"{rule} ({statement})",
        case_id=case_id,
    )


class Statement(Protocol):
    """A behaviour extension, as `conformance.behaviour.extensions` reads it."""

    @property
    def statement(self) -> str: ...  # pragma: no cover


S = TypeVar("S", bound=Statement)


def judge(
    case: Case[Any],
    response: Response,
    read: Callable[[Operation], S | None],
    rule: Callable[[Target, S], Problem | None],
    *,
    success_only: bool = True,
) -> bool | None:
    """The body of a statement check: skip (True) where the operation makes no such statement, else apply `rule`."""
    found = target(case, response, success_only=success_only)
    statement = read(found.operation) if found is not None else None
    if found is None or statement is None:
        return True
    problem = rule(found, statement)
    if problem is not None:
        raise violated(found.operation, problem[0], problem[1], statement.statement)
    return None
