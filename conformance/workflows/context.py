"""What a workflow works with: the contract, the vendor profile, a client, and where findings go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from conformance.auth.base import ApiClient, AuthProfile
from conformance.coverage import normalize_media_type
from conformance.curl import curl_line
from conformance.redaction import Redactor
from conformance.results import Finding, SpecResult
from contracts import Contract, Operation

__all__ = ["WorkflowContext", "WorkflowFailed", "WorkflowSkipped", "example_body", "json_body"]


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
    ) -> tuple[Operation, requests.Response]:
        """Call an operation as the profile's client would; `raw` overrides scheme values (e.g. an old token)."""
        info = self.contract.operation(operation_id)
        if info is None:
            raise WorkflowFailed(f"the contract has no operation {operation_id}")
        url = info.path
        kwargs: dict[str, Any] = {"headers": {}, "cookies": {}, "params": {}}
        for parameter in info.parameters:
            name, where = parameter.name, parameter.location
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

    def advance_clock(self, seconds: float) -> None:
        """Move the mock's clock forward (the admin API is known to exist when a workflow needs it)."""
        assert self.admin_url is not None
        self.client.session.post(f"{self.admin_url}/clock/advance", json={"seconds": seconds}, timeout=10)

    def expect(
        self, ok: bool, info: Operation, response: requests.Response, documented: str, check: str | None = None
    ) -> None:
        """Record a finding (and stop the workflow) unless `ok`; `check` names the statement, when not the workflow."""
        if ok:
            return
        body = self.redactor(response.text[:200])
        media = normalize_media_type(response.headers.get("content-type"))
        self.result.findings.append(
            Finding(
                spec=self.contract.name,
                operation=info.label,
                operation_id=info.operation_id,
                check=check or f"workflow:{self.name}",
                title=f"Workflow {self.name} broke at {info.operation_id}",
                received=f"HTTP {response.status_code} {media}: {body}",
                documented=documented,
                curl=(self.redactor(curl_line(response.request, self.contract)),),
                seed=self.result.seed,
                phase="workflow",
            )
        )
        raise WorkflowFailed(documented)


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body, or None."""
    try:
        return response.json()
    except ValueError:
        return None


def example_body(info: Operation) -> Any:
    """The first example of the operation's request body, or None."""
    for media in info.request_body.content.values() if info.request_body is not None else ():
        for example in media.examples.values():
            return example
    return None
