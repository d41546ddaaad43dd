"""Auth enforcement checks: protected operations refuse bad credentials, admin-only ones refuse non-admins.

Both run once per operation, after the first request the vendor profile authenticated successfully: the
same request is sent again without each credential, with a malformed one and with a foreign one (same shape,
never issued), and, on SysAid's admin-only operations, as the configured non-administrator. Each answer must
be a refusal the operation documents, in the documented body: a 401/403 (400 for a malformed credential), or the
answer its `x-refusals` names for that reason (`notLoggedIn`, `notAdmin`; `conformance/refusals.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import schemathesis
from schemathesis.core.failures import Failure, FailureGroup

from conformance.answers import decode_body
from conformance.auth.apply import read_slot, write_slot
from conformance.auth.base import AuthProfile, Slot, SlotKind, lookalike
from conformance.context import CampaignContext, context_for
from conformance.probes import as_identity, send_probe
from conformance.refusals import NOT_ADMIN, NOT_LOGGED_IN, Refusal, documented_refusal
from conformance.violations import AdminNotEnforced, AuthNotEnforced
from contracts import Operation

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["Variant", "malformed", "variants"]

MISSING_OR_FOREIGN = frozenset({401, 403})
MALFORMED = frozenset({400, 401, 403})
BODY_CREDENTIAL = frozenset({400, 401})


@dataclass(frozen=True)
class Variant:
    """One way of spoiling a credential, and the statuses that count as the documented refusal."""

    description: str
    slot: Slot
    value: str | None
    expected: frozenset[int]


def malformed(slot: Slot) -> str:
    """A value that cannot be a credential of this slot's kind."""
    if slot.kind is SlotKind.BEARER:
        return "Bearer"
    if slot.kind is SlotKind.BASIC:
        return "Basic %%%not-base64%%%"
    return "" if slot.location == "body" else "%%%malformed%%%"


def variants(profile: AuthProfile, operation: Operation) -> Iterator[Variant]:
    """Every spoiled-credential request to try on `operation`."""
    requirement = profile.requirement_for(operation) or {}
    slots = [(slot, slot.encode(raw), MISSING_OR_FOREIGN) for slot, raw in profile.slots(requirement)]
    for name in profile.body_slots(operation):
        value = profile.binding(operation, "body", name)
        if value is not None:
            slots.append((Slot("body", name), value, BODY_CREDENTIAL))
    for slot, value, missing in slots:
        label = f"{slot.location} {slot.name}"
        yield Variant(f"without {label}", slot, None, missing)
        if slot.name in profile.presence_only:
            continue
        yield Variant(f"with a malformed {label}", slot, malformed(slot), MALFORMED | missing)
        yield Variant(f"with a foreign {label}", slot, lookalike(value), MISSING_OR_FOREIGN)


def _received(response: Response) -> str:
    media, body = decode_body(response)
    text = body if isinstance(body, str) else json.dumps(body)
    excerpt = text[:200] if body not in (None, "") else "no body"
    return f"HTTP {response.status_code} {media or '(no content type)'}: {excerpt}"


def _documented_refusal(
    case: Case[Any], probe: Case[Any], response: Response, expected: set[int], refusal: Refusal | None = None
) -> str | None:
    """None when `response` is a documented refusal (one of the `expected` statuses in a schema-valid body, or the
    operation's `x-refusals` answer for the reason); otherwise what the contract documents instead."""
    if refusal is not None and refusal.matches(response.status_code, *decode_body(response)):
        return None
    if response.status_code not in expected:
        statuses = f"HTTP {' or '.join(map(str, sorted(expected)))}"
        return f"{statuses}, or {refusal.describe()}" if refusal is not None else statuses
    try:
        case.operation.schema.validate_response(case.operation, response, case=probe)
    except (Failure, FailureGroup) as exc:
        return f"the documented {response.status_code} body ({str(exc).splitlines()[0]})"
    return None


def _carries(case: Case[Any], profile: AuthProfile, operation: Operation) -> bool:
    requirement = profile.requirement_for(operation) or {}
    slots: list[tuple[Slot, str | None]] = [(slot, slot.encode(raw)) for slot, raw in profile.slots(requirement)]
    slots += [(Slot("body", n), profile.binding(operation, "body", n)) for n in profile.body_slots(operation)]
    return bool(slots) and all(read_slot(case, s.location, s.name) == value for s, value in slots)


def _campaign(case: Case[Any], response: Response) -> tuple[CampaignContext, AuthProfile, Operation] | None:
    context = context_for(case)
    if context is None or context.profile is None or not 200 <= response.status_code < 300:
        return None
    operation = context.operation_for(case)
    if operation is None or not _carries(case, context.profile, operation):
        return None
    return context, context.profile, operation


@schemathesis.check
def auth_enforcement(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Missing, malformed and foreign credentials get the operation's documented refusal."""
    found = _campaign(case, response)
    if found is None:
        return True
    context, profile, operation = found
    if not context.first_time(context.enforced, operation.label):
        return True
    failures: list[Failure] = []
    refusal = documented_refusal(operation, NOT_LOGGED_IN)
    for variant in variants(profile, operation):
        probe = case.derive()
        write_slot(probe, variant.slot.location, variant.slot.name, variant.value)
        answer = send_probe(ctx, case, probe)
        expected = set(variant.expected) & operation.statuses() or set(variant.expected)
        documented = _documented_refusal(case, probe, answer, expected, refusal)
        if documented is not None:
            failures.append(
                AuthNotEnforced(
                    operation=operation.label,
                    received=f"{_received(answer)} for a request {variant.description}",
                    documented=f"{documented} for a request {variant.description}",
                    case_id=probe.id,
                )
            )
    if failures:
        raise FailureGroup(failures)
    return None


@schemathesis.check
def admin_role_enforcement(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Administrator-only operations refuse the configured non-administrator."""
    found = _campaign(case, response)
    if found is None:
        return True
    context, profile, operation = found
    others = profile.other_identities()
    if not operation.admin_only or not others or profile.identity != profile.identities[0]:
        return True
    _, body = decode_body(response)
    if isinstance(body, dict) and body.get("status") == "error":
        return True
    if not context.first_time(context.admin_checked, operation.label):
        return True
    probe = as_identity(case, profile, operation, others[0])
    answer = send_probe(ctx, case, probe)
    documented = _admin_refusal(operation, case, probe, answer)
    if documented is not None:
        raise AdminNotEnforced(
            operation=operation.label,
            received=f"{_received(answer)} as a non-administrator ({others[0]})",
            documented=f"a refusal for non-administrators: {documented}",
            case_id=probe.id,
        )
    return None


def _admin_refusal(operation: Operation, case: Case[Any], probe: Case[Any], answer: Response) -> str | None:
    """None when a non-administrator's answer is the documented refusal: the `x-refusals.notAdmin` answer where the
    operation names one, else an in-band error or a documented 4xx."""
    refusal = documented_refusal(operation, NOT_ADMIN)
    if refusal is not None:
        return None if refusal.matches(answer.status_code, *decode_body(answer)) else refusal.describe()
    _, body = decode_body(answer)
    if answer.status_code == 200 and isinstance(body, dict) and body.get("status") == "error":
        return None
    refusals = {status for status in operation.statuses() if 400 <= status < 500}
    documented = _documented_refusal(case, probe, answer, refusals)
    return None if documented is None else f'200 with status "error", or {documented}'
