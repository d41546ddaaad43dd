"""Explicit workflows that link-driven stateful testing cannot express, run after the engine.

Each vendor profile (`conformance/vendors/`) lists its workflows: `token_expiry` (`tokens.py`, Aisera Ingestion and
Alvaria), `sysaid_chat_lifecycle`, `sysaid_escalation` and `sysaid_user_view` (`sysaid.py`, SysAid Copilot).

Workflows change state, so `--read-only` skips them. Each failure becomes a finding with check
`workflow:<name>` (or the check of the contract statement it enforces), a curl line per request and the run's
seed; a workflow that cannot run here says why in the notes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import requests

from conformance.auth.base import ApiClient
from conformance.errors import CredentialEndpointBroken
from conformance.results import ErrorKind
from conformance.transport import describe_transport_error
from conformance.workflows.context import WorkflowContext, WorkflowFailed, WorkflowSkipped

__all__ = ["WorkflowContext", "find_admin", "run_workflows"]


def find_admin(client: ApiClient, base_url: str) -> str | None:
    """The mock's admin API (`<origin>/__admin`) when the target is the mock, else None."""
    parts = urlsplit(base_url)
    admin = f"{parts.scheme}://{parts.netloc}/__admin"
    try:
        answer = client.session.get(f"{admin}/clock", timeout=5)
    except requests.RequestException:
        return None
    return admin if answer.status_code == 200 and "json" in answer.headers.get("content-type", "") else None


def run_workflows(
    ctx: WorkflowContext, workflows: Sequence[Callable[[WorkflowContext], None]], deadline: float | None = None
) -> None:
    """Run a contract's workflows (its vendor profile's); each stops at its first broken step (already recorded as
    a finding). A workflow that cannot run here says why in the result's notes rather than disappearing.
    """
    for workflow in workflows:
        ctx.name = workflow.__name__
        if deadline is not None and time.monotonic() >= deadline:
            ctx.result.notes.append(f"workflow {ctx.name} not run: --max-time reached")
            continue
        try:
            workflow(ctx)
        except WorkflowSkipped as skipped:
            ctx.result.notes.append(f"workflow {ctx.name} not run: {skipped}")
        except WorkflowFailed:
            continue
        except CredentialEndpointBroken as exc:
            ctx.result.notes.append(f"workflow {ctx.name} not run: {exc.operation} did not issue a {exc.credential}")
        except requests.RequestException as exc:
            ctx.result.add_error(ErrorKind.WORKFLOW, f"workflow {ctx.name}: {describe_transport_error(exc)}")
