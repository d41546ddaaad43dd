"""Before a campaign: the target answers, and every configured identity's credentials are accepted.

One request per credential set (the profile's identity, plus SysAid's non-administrator when configured), on an
operation of the selection that needs credentials, safe methods first, built from the contract's own examples:
- no HTTP answer: `PreflightError` "cannot connect to ...", exit 2;
- a 401 or 403, or the refusal the operation documents for a caller not logged in (`x-refusals.notLoggedIn`):
  `PreflightError` naming the credential set and where each value came from, exit 2;
- a token or session endpoint refusing the credentials with a documented 400/401/403: `PreflightError`, exit 2;
- a token or session endpoint answering against its contract: a `token_endpoint` finding; the operations that
  need what it failed to issue are left out of the campaign, and everything else is tested.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from conformance.answers import decode_body
from conformance.auth.apply import apply_credentials
from conformance.auth.base import ApiClient, AuthProfile
from conformance.errors import CredentialEndpointBroken, PreflightError
from conformance.refusals import NOT_LOGGED_IN, documented_refusal
from conformance.results import Finding
from conformance.safety import SAFE_METHODS
from conformance.transport import describe_transport_error, is_transport_error
from contracts import Contract, Operation

if TYPE_CHECKING:
    from schemathesis import BaseSchema, Case

__all__ = ["TOKEN_ENDPOINT_CHECK", "Preflight", "PreflightOutcome", "example_value", "token_endpoint_finding"]

TOKEN_ENDPOINT_CHECK = "token_endpoint"
REFUSED = frozenset({401, 403})
_NONE = object()


@dataclass
class PreflightOutcome:
    """What the preflight established: notes for the summary, violations found, operations left untestable."""

    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    untestable: list[str] = field(default_factory=list)


def example_value(contract: Contract, node: Mapping[str, Any]) -> Any:
    """A value the contract gives for a parameter: its example, first example, or its schema's default or enum value."""
    if "example" in node:
        return node["example"]
    for example in (node.get("examples") or {}).values():
        example = contract.resolve(example)
        if isinstance(example, Mapping) and "value" in example:
            return example["value"]
    schema = contract.resolve(node.get("schema", {}))
    for key in ("example", "default"):
        if isinstance(schema, Mapping) and key in schema:
            return schema[key]
    if isinstance(schema, Mapping) and schema.get("enum"):
        return schema["enum"][0]
    return _NONE


def _needs_credentials(profile: AuthProfile, operation: Operation) -> bool:
    return operation.protected or bool(profile.body_slots(operation))


def _identities(profile: AuthProfile) -> Iterator[AuthProfile]:
    yield profile
    for identity in profile.other_identities():
        yield profile.for_identity(identity)


@dataclass
class Preflight:
    """The preflight of one contract's campaign."""

    contract: Contract
    schema: BaseSchema
    client: ApiClient
    base_url: str
    seed: int
    app: Any = None

    def run(self, profile: AuthProfile | None, selection: list[str]) -> PreflightOutcome:
        """Probe the target; raise `PreflightError` when the campaign could not test anything as configured."""
        outcome = PreflightOutcome()
        probed = False
        for identity in _identities(profile) if profile is not None else ():
            try:
                probed |= self._probe(identity, selection, outcome)
            except CredentialEndpointBroken as exc:
                outcome.findings.append(self._finding(exc))
                probed = True
                break
        if not probed:
            self._reach()
        if profile is not None and profile.broken is not None:
            outcome.untestable = [
                info.operation_id
                for info in self.contract
                if info.operation_id in selection and not profile.can_serve(info)
            ]
            if outcome.untestable:
                outcome.notes.append(
                    f"not tested: {len(outcome.untestable)} operation(s) need the {profile.broken.credential} that "
                    f"{profile.broken.operation} did not issue (see the token_endpoint finding): "
                    + ", ".join(outcome.untestable)
                )
        return outcome

    def _reach(self) -> None:
        try:
            self.client.request("GET", "")
        except Exception as exc:
            if is_transport_error(exc):
                raise self._unreachable(exc) from None
            raise

    def _unreachable(self, error: BaseException) -> PreflightError:
        return PreflightError(
            f"cannot connect to {self.base_url}: {describe_transport_error(error)}; "
            "check --base-url and that the server is running"
        )

    def _candidates(self, profile: AuthProfile, selection: list[str]) -> list[Operation]:
        """Operations that can carry this identity's credentials, safe methods and body-less ones first."""
        primary = not profile.identities or profile.identity == profile.identities[0]
        issuing = profile.issuing_labels()
        found = [
            info
            for info in self.contract
            if info.operation_id in selection
            and info.label not in issuing
            and _needs_credentials(profile, info)
            and (primary or not info.admin_only)
        ]
        return sorted(
            found,
            key=lambda info: (
                info.method.upper() not in SAFE_METHODS,
                any(parameter.location == "path" for parameter in info.parameters),
                info.request_body is not None,
            ),
        )

    def _probe(self, profile: AuthProfile, selection: list[str], outcome: PreflightOutcome) -> bool:
        """One authenticated request for `profile`'s identity; False when no selected operation can carry one."""
        for info in self._candidates(profile, selection):
            case = self._case(info, profile)
            if case is None:
                continue
            try:
                if not apply_credentials(profile, info, case):
                    continue
                response = case.call(**({"app": self.app} if self.app is not None else {}))
            except requests.RequestException as exc:
                raise self._unreachable(exc) from None
            identity = f" as {profile.identity}" if profile.identity else ""
            refusal = documented_refusal(info, NOT_LOGGED_IN)
            in_band = refusal is not None and refusal.matches(response.status_code, *decode_body(response))
            if response.status_code in REFUSED or in_band:
                documented = f" (the documented {NOT_LOGGED_IN} refusal)" if in_band else ""
                raise PreflightError(
                    f"{self.contract.name}: the preflight request {info.label} [{info.operation_id}]{identity} got "
                    f"{response.status_code}{documented}: check the credentials for {self.contract.name}{identity} "
                    f"({profile.credentials.describe(profile.credential_keys())})"
                )
            verdict = "accepted" if 200 <= response.status_code < 300 else f"answered {response.status_code}"
            outcome.notes.append(f"preflight: {info.label}{identity} {verdict}")
            return True
        return False

    def _case(self, info: Operation, profile: AuthProfile) -> Case[Any] | None:
        """A request built from the contract's examples and the client's own values (an org, a session), or None
        when a required value has neither."""
        operation = self.schema.find_operation_by_label(info.label)
        if operation is None:
            return None
        containers: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}, "cookie": {}}
        for parameter in info.parameters:
            value = example_value(self.contract, parameter.definition)
            if value is _NONE and parameter.required:
                value = profile.binding(info, parameter.location, parameter.name) or _NONE
            if value is not _NONE and parameter.location in containers:
                containers[parameter.location][parameter.name] = value
            elif parameter.required:
                return None
        body: Any = _NONE
        media_type = None
        for name, media in info.request_body.content.items() if info.request_body is not None else ():
            body, media_type = next(iter(media.examples.values()), _NONE), name
            if body is not _NONE:
                break
        if body is _NONE and info.request_body is not None and info.request_body.required:
            return None
        extra = {"body": body, "media_type": media_type} if body is not _NONE else {}
        return operation.Case(
            path_parameters=containers["path"],
            query=containers["query"],
            headers=containers["header"],
            cookies=containers["cookie"],
            **extra,
        )

    def _finding(self, error: CredentialEndpointBroken) -> Finding:
        return token_endpoint_finding(error, self.contract.name, self.seed, "preflight")


def token_endpoint_finding(error: CredentialEndpointBroken, spec: str, seed: int, phase: str) -> Finding:
    """The `token_endpoint` finding for an issuing endpoint's violation."""
    return Finding(
        spec=spec,
        operation=error.operation,
        operation_id=error.operation_id,
        check=TOKEN_ENDPOINT_CHECK,
        title=error.title,
        received=error.received,
        documented=error.documented,
        curl=(error.curl,),
        seed=seed,
        phase=phase,
    )
