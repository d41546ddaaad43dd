"""Explicit workflows that link-driven stateful testing cannot express, run after the engine.

- token expiry (Aisera, Alvaria; against the mock, whose clock the admin API can advance): a token that worked
  is refused once expired, with the documented 401, and the profile's refresh makes the call work again;
- SysAid chat lifecycle: start, read, resolve, delete, then the deleted chat must no longer be readable (SysAid
  answers that in-band, which Schemathesis' own use-after-free check cannot judge);
- SysAid escalation: an SR created from a chat is a long operation that must leave "in-progress".

Workflows change state, so `--read-only` skips them. Each failure becomes a finding with check
`workflow:<name>`, a curl line per request and the run's seed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from conformance.auth.base import ApiClient, AuthProfile
from conformance.contracts import Contract, OperationInfo
from conformance.coverage import normalize_media_type
from conformance.curl import curl_line
from conformance.errors import CredentialEndpointBroken
from conformance.redaction import Redactor
from conformance.results import ErrorKind, Finding, SpecResult
from conformance.transport import describe_transport_error

__all__ = ["WORKFLOWS", "WorkflowContext", "find_admin", "run_workflows"]

POLL_SECONDS = 10.0
# Longer than every token lifetime the contracts document (Aisera 3600 s, Alvaria 3599 s).
EXPIRY_JUMP_SECONDS = 7200


class WorkflowFailed(Exception):
    """A step did not behave as documented (internal to this module)."""


class WorkflowSkipped(Exception):
    """The workflow cannot run against this target; the message says why (internal to this module)."""


@dataclass
class WorkflowContext:
    """What a workflow needs: the contract, the vendor profile, a client and where to record results."""

    contract: Contract
    profile: AuthProfile
    client: ApiClient
    redactor: Redactor
    result: SpecResult
    admin_url: str | None
    name: str = ""

    def call(
        self,
        operation_id: str,
        *,
        path: dict[str, str] | None = None,
        body: Any = None,
        raw: dict[str, str] | None = None,
    ) -> tuple[OperationInfo, requests.Response]:
        """Call an operation as the profile's client would; `raw` overrides scheme values (e.g. an old token)."""
        info = self.contract.operation(operation_id)
        if info is None:
            raise WorkflowFailed(f"the contract has no operation {operation_id}")
        url = info.path
        kwargs: dict[str, Any] = {"headers": {}, "cookies": {}, "params": {}}
        for parameter in info.parameters:
            name, where = str(parameter["name"]), str(parameter["in"])
            value = (path or {}).get(name) if where == "path" else None
            value = value or self.profile.binding(info, where, name)
            if value is None:
                continue
            if where == "path":
                url = url.replace("{" + name + "}", value)
            elif where in ("header", "query", "cookie"):
                kwargs[{"header": "headers", "query": "params", "cookie": "cookies"}[where]][name] = value
        for slot, value in self.profile.slots({**(self.profile.requirement_for(info) or {}), **(raw or {})}):
            target = {"header": "headers", "cookie": "cookies", "query": "params"}[slot.location]
            kwargs[target][slot.name] = slot.encode(value)
        if body is not None:
            kwargs["json"] = body
        response = self.client.request(info.method.upper(), url, **kwargs)
        self.result.coverage.record(info.label, response.status_code, response.headers.get("content-type"))
        counts = self.result.counts
        counts.sent, counts.answered, counts.judged = counts.sent + 1, counts.answered + 1, counts.judged + 1
        return info, response

    def expect(self, ok: bool, info: OperationInfo, response: requests.Response, documented: str) -> None:
        """Record a finding (and stop the workflow) unless `ok`."""
        if ok:
            return
        body = self.redactor(response.text[:200])
        media = normalize_media_type(response.headers.get("content-type"))
        self.result.findings.append(
            Finding(
                spec=self.contract.name,
                operation=info.label,
                operation_id=info.operation_id,
                check=f"workflow:{self.name}",
                title=f"Workflow {self.name} broke at {info.operation_id}",
                received=f"HTTP {response.status_code} {media}: {body}",
                documented=documented,
                curl=(self.redactor(curl_line(response.request)),),
                seed=self.result.seed,
                phase="workflow",
            )
        )
        raise WorkflowFailed(documented)


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _example(contract: Contract, info: OperationInfo) -> Any:
    for media in (info.request_body or {}).get("content", {}).values():
        for example in (media.get("examples") or {}).values():
            return contract.resolve(example).get("value")
    return None


def _token_protected_call(contract: Contract) -> tuple[OperationInfo, str] | None:
    """A POST needing an OAuth2 token, with an example body and no required header (nothing but credentials)."""
    for info in contract.operations():
        headers = [p for p in info.parameters if p.get("in") == "header" and p.get("required")]
        schemes = info.security[0] if info.security else {}
        oauth2 = [name for name in schemes if contract.security_schemes[name].get("type") == "oauth2"]
        if oauth2 and info.method == "post" and not headers and _example(contract, info) is not None:
            return info, oauth2[0]
    return None


def token_expiry(ctx: WorkflowContext) -> None:
    """An expired token gets the documented 401; after a refresh the same call succeeds."""
    token = getattr(ctx.profile, "token", None)
    if token is None:
        raise WorkflowSkipped("the vendor profile obtains no token")
    if ctx.admin_url is None:
        raise WorkflowSkipped(
            "the target has no mock admin API (<origin>/__admin/clock) to advance the clock past the token's lifetime"
        )
    found = _token_protected_call(ctx.contract)
    if found is None:
        raise WorkflowSkipped("no operation needs only the token and has an example body to send")
    info, scheme = found
    body = _example(ctx.contract, info)
    old = token()
    _, first = ctx.call(info.operation_id, body=body)
    ctx.expect(200 <= first.status_code < 300, info, first, "a 2xx answer with a fresh token")
    ctx.client.session.post(f"{ctx.admin_url}/clock/advance", json={"seconds": EXPIRY_JUMP_SECONDS}, timeout=10)
    _, expired = ctx.call(info.operation_id, body=body, raw={scheme: old})
    ctx.expect(expired.status_code == 401 and "401" in info.responses, info, expired, "401 for an expired token")
    ctx.profile.invalidate()
    _, refreshed = ctx.call(info.operation_id, body=body)
    ctx.expect(200 <= refreshed.status_code < 300, info, refreshed, "a 2xx answer after refreshing the token")


def _start_chat(ctx: WorkflowContext) -> str:
    info, started = ctx.call("startChat", body={"text": "VPN error 401. I cant connect. Please help"})
    chatuid = (_json(started) or {}).get("chatuid")
    ctx.expect(started.status_code == 200 and isinstance(chatuid, str), info, started, "200 with the new `chatuid`")
    return str(chatuid)


def sysaid_chat_lifecycle(ctx: WorkflowContext) -> None:
    """Start, read, resolve and delete a chat; afterwards it must not be readable."""
    chatuid = _start_chat(ctx)
    for operation_id, kwargs in (
        ("getChat", {"path": {"chatuid": chatuid}}),
        ("resolveChat", {"body": {"chatuid": chatuid}}),
        ("deleteChat", {"path": {"chatuid": chatuid}}),
    ):
        info, response = ctx.call(operation_id, **kwargs)
        ctx.expect((_json(response) or {}).get("status") == "ok", info, response, 'status "ok" for an existing chat')
    info, gone = ctx.call("getChat", path={"chatuid": chatuid})
    ctx.expect((_json(gone) or {}).get("status") == "error", info, gone, 'status "error" for a deleted chat')


def sysaid_escalation(ctx: WorkflowContext) -> None:
    """An SR created from a chat is a long operation that completes."""
    chatuid = _start_chat(ctx)
    info, started = ctx.call("createSrFromChat", path={"chatuid": chatuid})
    operation_id = (_json(started) or {}).get("longOperationId")
    ctx.expect(isinstance(operation_id, str), info, started, 'status "in-progress" with a `longOperationId`')
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        info, polled = ctx.call("getLongOperation", path={"id": str(operation_id)})
        status = (_json(polled) or {}).get("status")
        if polled.status_code != 200 or status != "in-progress" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    ctx.expect(
        polled.status_code == 200 and status not in ("in-progress", "error"),
        info,
        polled,
        f'the long operation leaves "in-progress" within {POLL_SECONDS:.0f}s',
    )


WORKFLOWS: dict[str, tuple[Callable[[WorkflowContext], None], ...]] = {
    "aisera-ingestion": (token_expiry,),
    "alvaria-messaging": (token_expiry,),
    "sysaid-copilot": (sysaid_chat_lifecycle, sysaid_escalation),
}


def find_admin(client: ApiClient, base_url: str) -> str | None:
    """The mock's admin API (`<origin>/__admin`) when the target is the mock, else None."""
    parts = urlsplit(base_url)
    admin = f"{parts.scheme}://{parts.netloc}/__admin"
    try:
        answer = client.session.get(f"{admin}/clock", timeout=5)
    except requests.RequestException:
        return None
    return admin if answer.status_code == 200 and "json" in answer.headers.get("content-type", "") else None


def run_workflows(ctx: WorkflowContext, deadline: float | None = None) -> None:
    """Run the contract's workflows; each stops at its first broken step (already recorded as a finding).

    A workflow that cannot run here says why in the result's notes rather than disappearing.
    """
    for workflow in WORKFLOWS.get(ctx.contract.name, ()):
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
