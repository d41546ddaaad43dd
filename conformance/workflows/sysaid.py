"""SysAid Copilot workflows:
- chat lifecycle: start, read, resolve, delete, then the deleted chat must no longer be readable (SysAid answers
  that in-band, which Schemathesis' own use-after-free check cannot judge);
- escalation: an SR created from a chat is a long operation that leaves its pending status (`x-long-operation`);
- user view: the non-administrator's own chat carries none of the admin-only fields (`x-visible-to`).
"""

from __future__ import annotations

import dataclasses
import time

import requests

from conformance.behaviour.extensions import LongOperation, visibility_rules
from conformance.behaviour.identities import hidden_fields_present
from conformance.workflows.context import WorkflowContext, WorkflowSkipped, json_body

__all__ = ["sysaid_chat_lifecycle", "sysaid_escalation", "sysaid_user_view"]


def _start_chat(ctx: WorkflowContext) -> str:
    return _started_chat(ctx)[0]


def _started_chat(ctx: WorkflowContext) -> tuple[str, requests.Response]:
    info, started = ctx.call("startChat", body={"text": "VPN error 401. I cant connect. Please help"})
    chatuid = (json_body(started) or {}).get("chatuid")
    ctx.expect(started.status_code == 200 and isinstance(chatuid, str), info, started, "200 with the new `chatuid`")
    return str(chatuid), started


def sysaid_chat_lifecycle(ctx: WorkflowContext) -> None:
    """Start, read, resolve and delete a chat; afterwards it must not be readable."""
    chatuid = _start_chat(ctx)
    for operation_id, kwargs in (
        ("getChat", {"path": {"chatuid": chatuid}}),
        ("resolveChat", {"body": {"chatuid": chatuid}}),
        ("deleteChat", {"path": {"chatuid": chatuid}}),
    ):
        info, response = ctx.call(operation_id, **kwargs)
        ctx.expect(
            (json_body(response) or {}).get("status") == "ok", info, response, 'status "ok" for an existing chat'
        )
    info, gone = ctx.call("getChat", path={"chatuid": chatuid})
    ctx.expect((json_body(gone) or {}).get("status") == "error", info, gone, 'status "error" for a deleted chat')


def sysaid_escalation(ctx: WorkflowContext) -> None:
    """An SR created from a chat is a long operation that leaves its pending status in time (`x-long-operation`)."""
    started_by = ctx.contract.operation("createSrFromChat")
    long_operation = LongOperation.of(started_by) if started_by is not None else None
    if long_operation is None:
        raise WorkflowSkipped("the contract states no x-long-operation on createSrFromChat")
    chatuid = _start_chat(ctx)
    info, started = ctx.call("createSrFromChat", path={"chatuid": chatuid})
    identifier = (json_body(started) or {}).get(long_operation.id)
    pending = " or ".join(repr(value) for value in long_operation.pending)
    ctx.expect(isinstance(identifier, str), info, started, f"status {pending} with a `{long_operation.id}`")
    deadline = time.monotonic() + long_operation.settles_within
    while True:
        info, polled = ctx.call(long_operation.poll, path={long_operation.parameter.name: str(identifier)})
        status = (json_body(polled) or {}).get(long_operation.status)
        if polled.status_code != 200 or status not in long_operation.pending or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    ctx.expect(
        polled.status_code == 200 and status not in (*long_operation.pending, "error"),
        info,
        polled,
        f"the long operation leaves {pending} within {long_operation.settles_within:.0f}s ({long_operation.statement})",
    )


def sysaid_user_view(ctx: WorkflowContext) -> None:
    """As the non-administrator, in its own chat: no answer or message carries a field only admins may see.

    The engine's `role_dependent_fields` replays the administrator's requests as the user, which cannot reach the
    administrator's chat thread (it belongs to another user); this reads the user's own thread.
    """
    identity = next(iter(ctx.profile.other_identities()), None)
    if identity is None:
        raise WorkflowSkipped("no non-administrator credentials are configured (user.jsessionid, user.serverid)")
    view = dataclasses.replace(ctx, profile=ctx.profile.for_identity(identity))
    chatuid, started = _started_chat(view)
    _, thread = view.call("getChat", path={"chatuid": chatuid})
    for operation_id, answer in (("startChat", started), ("getChat", thread)):
        info = ctx.contract.operation(operation_id)
        assert info is not None
        present = hidden_fields_present(visibility_rules(ctx.contract, info), identity, json_body(answer))
        if present:
            where, rule = present[0]
            documented = f"`{rule.path[-1]}` only for {', '.join(rule.roles)} ({rule.statement})"
            view.expect(False, info, answer, f"no `{where}` for {identity}: {documented}", "role_dependent_fields")
