"""Calling the operations that issue credentials (an OAuth2 token, Alvaria's streaming session) and judging the
answer against the contract, the way every other answer is judged.

- a documented 400, 401 or 403 means the configured credentials were refused: a usage error (`PreflightError`,
  exit 2) naming the credentials and where they came from, never their values;
- any other answer that is not a documented, schema-valid success carrying the credential is the
  implementation's violation (`CredentialEndpointBroken`, reported as a `token_endpoint` finding).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
import schemathesis
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.transport import Response

from conformance.contracts import contract_file
from conformance.coverage import normalize_media_type
from conformance.credentials import VendorCredentials
from conformance.curl import curl_line
from conformance.describe import describe, documented_statuses, received_text
from conformance.errors import CredentialEndpointBroken, PreflightError
from conformance.redaction import Redactor
from contracts import Contract, Operation

if TYPE_CHECKING:
    from schemathesis import BaseSchema

__all__ = ["CREDENTIAL_REFUSALS", "Issuer"]

CREDENTIAL_REFUSALS = frozenset({400, 401, 403})
"""Statuses that, when the contract documents them, mean the credentials (or their scope or realm) were refused."""
EXCERPT = 120


@cache
def _engine_schema(path: Path) -> BaseSchema:
    """The contract loaded by Schemathesis once, to validate issued credentials like every other answer."""
    return schemathesis.openapi.from_path(path)


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


@dataclass(frozen=True)
class Issuer:
    """One operation of a contract that issues a credential the other operations need."""

    contract: Contract
    operation: Operation
    credentials: VendorCredentials
    redactor: Redactor
    keys: tuple[str, ...]
    """The credential keys the issuing request uses (named when they are refused)."""
    kind: str
    """What it issues: `token`, `session`."""
    refusals: frozenset[int] = CREDENTIAL_REFUSALS

    def issue(self, send: Callable[[], requests.Response], field: str) -> dict[str, Any]:
        """Send the issuing request and return the decoded answer carrying `field`, or raise (refused or broken)."""
        response = send()
        status = response.status_code
        if status in self.refusals and str(status) in self.operation.responses:
            raise PreflightError(self._refusal(response))
        problem = self._problem(response, field)
        if problem is not None:
            received, documented = problem
            raise CredentialEndpointBroken(
                operation=self.operation.label,
                operation_id=self.operation.operation_id,
                credential=self.kind,
                title=f"The {self.kind} endpoint did not issue a {self.kind}",
                received=self.redactor(received),
                documented=self.redactor(documented),
                curl=self.redactor(curl_line(response.request, self.contract)),
            )
        body: dict[str, Any] = _body(response)
        return body

    def _refusal(self, response: requests.Response) -> str:
        excerpt = self.redactor(" ".join(response.text.split()))[:EXCERPT]
        return (
            f"{self.contract.name}: the {self.kind} endpoint {self.operation.label} refused the credentials with "
            f"{response.status_code} ({excerpt or 'no body'}): check {self.credentials.describe(self.keys)}"
        )

    def _problem(self, response: requests.Response, field: str) -> tuple[str, str] | None:
        """(received, documented) when the answer is not a documented success carrying `field`."""
        status = response.status_code
        media = normalize_media_type(response.headers.get("content-type"))
        received = received_text(status, media, self.redactor(response.text))
        if not 200 <= status < 300:
            refusals = sorted(str(s) for s in self.refusals if str(s) in self.operation.responses)
            return received, (
                f"a 2xx answer issuing the {self.kind} (documented statuses {documented_statuses(self.operation)}; "
                f"{', '.join(refusals) or 'none'} only for refused credentials)"
            )
        failure = self._schema_failure(response)
        if failure is not None:
            return describe(failure, status, media, self.redactor(response.text), self.operation)
        value = (_body(response) or {}).get(field) if isinstance(_body(response), dict) else None
        if not isinstance(value, str) or not value:
            return received, f"a non-empty `{field}` in the {status} answer"
        return None

    def _schema_failure(self, response: requests.Response) -> Failure | None:
        schema = _engine_schema(contract_file(self.contract))
        operation = schema.find_operation_by_label(self.operation.label)
        if operation is None:
            return None
        try:
            schema.validate_response(operation, Response.from_requests(response, verify=True))
        except FailureGroup as group:
            return group.exceptions[0] if group.exceptions else None
        except Failure as failure:
            return failure
        return None
