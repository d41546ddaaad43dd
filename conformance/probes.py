"""The extra requests the harness' own checks send (a spoiled credential, another identity, a poll of a long
operation): recorded as children of the case that triggered them, through Schemathesis' transport and rate limit,
so they show up in reports, coverage and the case counts like every other request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemathesis.core.rate_limit import ratelimit

from conformance.auth.apply import write_slot
from conformance.auth.base import AuthProfile
from conformance.context import context_for
from contracts import Operation

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["as_identity", "send_probe"]


def send_probe(ctx: CheckContext, parent: Case[Any], probe: Case[Any]) -> Response:
    """Send `probe` as a child of `parent`: rate-limited, recorded, and counted as judged by its parent's check."""
    kwargs: dict[str, Any] = dict(ctx.internals.transport_kwargs or {})
    kwargs.pop("session", None)
    kwargs.pop("auth", None)
    if probe.operation.app is not None:
        kwargs.setdefault("app", probe.operation.app)
    ctx.internals.record_case(parent_id=parent.id, case=probe)
    context = context_for(parent)
    if context is not None:
        context.remember(context.probes, probe.id)
    limiter = probe.operation.schema.config.rate_limit_for(operation=probe.operation)
    with ratelimit(limiter, probe.operation.base_url):
        response: Response = probe.operation.schema.transport.send(probe, **kwargs)
    ctx.internals.record_response(case_id=probe.id, response=response)
    return response


def as_identity(case: Case[Any], profile: AuthProfile, operation: Operation, identity: str) -> Case[Any]:
    """A copy of `case` carrying `identity`'s credentials instead of the profile's own."""
    other = profile.for_identity(identity)
    probe = case.derive()
    for slot, raw in other.slots(other.requirement_for(operation) or {}):
        write_slot(probe, slot.location, slot.name, slot.encode(raw))
    return probe
