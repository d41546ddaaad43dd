"""Long operations reach a final state (`x-long-operation`).

`long_operation_completes`: the first answer of an operation that reports a pending long operation (SysAid: an SR
created from a chat, `status: "in-progress"` with a `longOperationId`) is followed by polling the operation the
extension names until its status leaves the pending values, within the extension's time; a poll that is not a
success, or a status still pending at the deadline, is a finding. Any other status is final (SysAid's "completed",
and "failed" for an SR whose chat was deleted meanwhile). Once per operation.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import schemathesis

from conformance.answers import decode_body
from conformance.auth.apply import apply_credentials
from conformance.behaviour.extensions import LongOperation
from conformance.behaviour.target import target, violated
from conformance.probes import send_probe

if TYPE_CHECKING:
    from schemathesis import Case, CheckContext, Response

__all__ = ["POLL_INTERVAL_SECONDS", "settled_problem"]

POLL_INTERVAL_SECONDS = 0.1


def settled_problem(long_operation: LongOperation, status: int, body: Any, timed_out: bool) -> tuple[str, str] | None:
    """(received, rule) when the last poll shows no final state; None when it left the pending values in time."""
    value = body.get(long_operation.status) if isinstance(body, dict) else None
    rule = (
        f"the long operation leaves {', '.join(repr(v) for v in long_operation.pending)} for a final state "
        f"within {long_operation.settles_within:g}s"
    )
    if not 200 <= status < 300:
        return f"HTTP {status} while polling {long_operation.poll}", rule
    if value in long_operation.pending and timed_out:
        return f"{long_operation.status} still {value!r} after {long_operation.settles_within:g}s", rule
    return None


@schemathesis.check
def long_operation_completes(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A started long operation reaches a final state in time."""
    found = target(case, response)
    long_operation = LongOperation.of(found.operation) if found is not None else None
    if found is None or long_operation is None or not isinstance(found.body, dict):
        return True
    identifier = found.body.get(long_operation.id)
    profile = found.context.profile
    if found.body.get(long_operation.status) not in long_operation.pending or not isinstance(identifier, str):
        return True
    poll = found.context.contract.operation(long_operation.poll)
    if poll is None or profile is None or not found.context.first_time(found.context.polled, found.operation.label):
        return True
    operation = case.operation.schema.find_operation_by_label(poll.label)
    deadline = time.monotonic() + long_operation.settles_within
    while True:
        probe = operation.Case(path_parameters={}, query={}, headers={}, cookies={})
        target_container = {"path": probe.path_parameters, "query": probe.query}[long_operation.parameter.location]
        target_container[long_operation.parameter.name] = identifier
        apply_credentials(profile, poll, probe)
        answer = send_probe(ctx, case, probe)
        _, body = decode_body(answer)
        value = body.get(long_operation.status) if isinstance(body, dict) else None
        timed_out = time.monotonic() >= deadline
        if not 200 <= answer.status_code < 300 or value not in long_operation.pending or timed_out:
            break
        time.sleep(POLL_INTERVAL_SECONDS)
    problem = settled_problem(long_operation, answer.status_code, body, timed_out)
    if problem is not None:
        raise violated(poll, problem[0], problem[1], long_operation.statement, case_id=probe.id)
    return None
