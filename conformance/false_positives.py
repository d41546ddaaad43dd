"""Known Schemathesis false positives, each scoped to a contract's operations, one check and a precise condition,
with the reason it is not a defect. Nothing is switched off globally: every entry is a `filter_failure` hook
predicate, and every suppression is counted and reported.

The entries here follow from what a contract states in an extension, so they hold for every contract that states it
(`x-refusals`, `x-sse-events`); the ones only a vendor's documented behaviour explains are in that vendor's profile
(`conformance/vendors/`), and `known_false_positives()` lists both.

A predicate judges the answer the failure is about. That is usually the case's own answer, which the hook receives;
a failure about a probe Schemathesis sent itself (`ignored_auth`'s request without credentials) names the probe, whose
answer only the scenario's recorder holds. Such a failure is taken out of the engine by the hook (so generation goes
on, as for any filtered failure) and judged by `Deferred.resolve` when the collector has the probe's answer: covered,
it is counted like any suppression; not covered, it becomes a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.answers import EVENT_STREAM, decode_body
from conformance.context import CampaignContext
from conformance.refusals import NOT_LOGGED_IN, documented_refusal
from contracts import Contract, Operation

if TYPE_CHECKING:
    from schemathesis import BaseSchema, Case, HookContext, Response
    from schemathesis.core.failures import Failure

__all__ = [
    "ENGINE_FALSE_POSITIVES",
    "EXTENSION_FALSE_POSITIVES",
    "Deferred",
    "KnownFalsePositive",
    "install",
    "known_false_positives",
    "matching",
]

Predicate = Callable[["Contract", "Failure", "Case[Any]", "Response"], bool]
Operations = tuple[str, ...] | Callable[["Contract"], frozenset[str]]


@dataclass(frozen=True)
class KnownFalsePositive:
    """One accepted deviation between Schemathesis' expectation and a contract's documented behaviour."""

    id: str
    spec: str | None
    """The contract it is scoped to; None: every contract, scoped by the operations its `operations` computes."""
    operations: Operations
    check: str
    failure: str
    condition: str
    reason: str
    predicate: Predicate

    def operation_ids(self, contract: Contract) -> frozenset[str]:
        """The operations this entry is scoped to."""
        return frozenset(self.operations) if isinstance(self.operations, tuple) else self.operations(contract)

    def scopes(self, contract: Contract, operation_id: str, failure: Failure) -> bool:
        """Whether a failure is of this entry's kind, on one of its operations (its condition not yet judged)."""
        return (
            self.spec in (None, contract.name)
            and type(failure).__name__ == self.failure
            and operation_id in self.operation_ids(contract)
        )

    def applies(
        self, contract: Contract, operation_id: str, failure: Failure, case: Case[Any], response: Response
    ) -> bool:
        """Whether this entry covers a failure, given the answer it is about."""
        return self.scopes(contract, operation_id, failure) and self.predicate(contract, failure, case, response)


def _operation(contract: Contract, case: Case[Any]) -> Operation | None:
    return contract.by_label.get(case.operation.label)


def _login_refused_as_documented(contract: Contract, failure: Failure, case: Case[Any], response: Response) -> bool:
    operation = _operation(contract, case)
    refusal = documented_refusal(operation, NOT_LOGGED_IN) if operation is not None else None
    return refusal is not None and refusal.matches(response.status_code, *decode_body(response))


def _login_header_refused_as_documented(
    contract: Contract, failure: Failure, case: Case[Any], response: Response
) -> bool:
    header = str(getattr(failure, "header_name", "")).lower()
    schemes = contract.security_schemes.values()
    credential = any(s.location == "header" and s.parameter.lower() == header for s in schemes)
    return credential and _login_refused_as_documented(contract, failure, case, response)


def _not_logged_in_operations(contract: Contract) -> frozenset[str]:
    """Operations documenting their own answer to a caller who is not logged in (`x-refusals.notLoggedIn`)."""
    return frozenset(op.operation_id for op in contract if documented_refusal(op, NOT_LOGGED_IN))


def _sse_events_declared(contract: Contract, operation: Operation, status: str) -> bool:
    response = contract.resolve(operation.definition.get("responses", {}).get(status)) or {}
    media = contract.resolve((response.get("content") or {}).get(EVENT_STREAM))
    return isinstance(media, Mapping) and isinstance(contract.resolve(media.get("x-sse-events")), Mapping)


def _event_judged_against_the_stream_schema(
    contract: Contract, failure: Failure, case: Case[Any], response: Response
) -> bool:
    operation = _operation(contract, case)
    return (
        operation is not None
        and decode_body(response)[0] == EVENT_STREAM
        and _sse_events_declared(contract, operation, str(response.status_code))
        and failure.title.startswith("SSE event")
    )


def _event_stream_operations(contract: Contract) -> frozenset[str]:
    """Operations with a `text/event-stream` answer whose events' data schemas are given in `x-sse-events`."""
    return frozenset(
        op.operation_id for op in contract if any(_sse_events_declared(contract, op, key) for key in op.responses)
    )


EXTENSION_FALSE_POSITIVES: tuple[KnownFalsePositive, ...] = (
    KnownFalsePositive(
        id="not-logged-in-refusal",
        spec=None,
        operations=_not_logged_in_operations,
        check="ignored_auth",
        failure="IgnoredAuth",
        condition="the request without (or with rejected) login credentials got the operation's "
        "x-refusals.notLoggedIn answer: its status and its example body",
        reason="The operation documents its own answer to a caller who is not logged in (SysAid: an in-band 200 "
        '"User not logged in", or a 400 text, as those sections of its guide say); Schemathesis only recognises '
        "401 or 403 as a refusal. auth_enforcement checks every missing, malformed and foreign credential against "
        "the same answer.",
        predicate=_login_refused_as_documented,
    ),
    KnownFalsePositive(
        id="not-logged-in-missing-header",
        spec=None,
        operations=_not_logged_in_operations,
        check="missing_required_header",
        failure="MissingHeaderNotRejected",
        condition="the header left out is a login credential (a security scheme's header) and the answer is the "
        "operation's x-refusals.notLoggedIn answer",
        reason="Leaving out a login header (SysAid: x-sysaid-hostname) leaves the caller not logged in, which the "
        "operation answers as it documents (x-refusals.notLoggedIn); Schemathesis expects a 4xx.",
        predicate=_login_header_refused_as_documented,
    ),
    KnownFalsePositive(
        id="sse-events-against-the-stream-schema",
        spec=None,
        operations=_event_stream_operations,
        check="response_schema_conformance",
        failure="JsonSchemaError",
        condition="an SSE event of a text/event-stream answer whose media type declares x-sse-events",
        reason="The contract declares the stream body as a binary string (OpenAPI 3.0: `schema` describes the body) "
        "and each event's data schema in x-sse-events; Schemathesis 4.32 validates every event against `schema` "
        "instead, so every correct stream fails. stream_event_schema validates each event against x-sse-events.",
        predicate=_event_judged_against_the_stream_schema,
    ),
)
"""The false positives a contract extension explains, for every contract that carries it."""


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _content_type_overridden(contract: Contract, failure: Failure, case: Case[Any], response: Response) -> bool:
    sent = next((str(v) for k, v in (case.headers or {}).items() if k.lower() == "content-type"), None)
    generated = case.media_type
    return (
        sent is not None
        and generated is not None
        and _media_type(sent) != _media_type(generated)
        and 400 <= response.status_code < 500
    )


def _operations_with_a_body(contract: Contract) -> frozenset[str]:
    return frozenset(op.operation_id for op in contract if op.request_body is not None)


ENGINE_FALSE_POSITIVES: tuple[KnownFalsePositive, ...] = (
    KnownFalsePositive(
        id="generated-content-type-header",
        spec=None,
        operations=_operations_with_a_body,
        check="positive_data_acceptance",
        failure="RejectedPositiveData",
        condition="the case's generated headers include a Content-Type other than the media type its body was "
        "generated for, and the answer is a 4xx",
        reason="A case Schemathesis counts as schema-valid can carry a generated header named Content-Type (seen in "
        "CI on an ASAPP case); it replaces the body's media type, so the request no longer sends the declared "
        "body and refusing it is correct. Bodies sent with their declared media type are judged as usual.",
        predicate=_content_type_overridden,
    ),
)
"""The false positives of the engine itself, for every contract."""


def known_false_positives() -> tuple[KnownFalsePositive, ...]:
    """The engine's and the extension-driven entries, then every registered vendor profile's own."""
    from conformance.vendors import profiles  # the vendor modules import this one for `KnownFalsePositive`

    own = ENGINE_FALSE_POSITIVES + EXTENSION_FALSE_POSITIVES
    return own + tuple(entry for p in profiles().values() for entry in p.false_positives)


def matching(
    contract: Contract, operation_id: str, failure: Failure, case: Case[Any], response: Response
) -> str | None:
    """The id of the known false positive covering a failure, given the answer it is about, if any."""
    entries = known_false_positives()
    return next((e.id for e in entries if e.applies(contract, operation_id, failure, case, response)), None)


def _entries(context: CampaignContext) -> tuple[KnownFalsePositive, ...]:
    vendor = context.vendor.false_positives if context.vendor is not None else ()
    return ENGINE_FALSE_POSITIVES + EXTENSION_FALSE_POSITIVES + vendor


@dataclass(frozen=True)
class Deferred:
    """A failure about a probe's answer, taken out of the engine until that answer is known."""

    entry: KnownFalsePositive
    failure: Failure
    case: Case[Any]
    """The case whose check sent the probe (its operation is the probe's)."""

    def resolve(self, contract: Contract, answer: Response) -> bool:
        """Whether the entry covers the failure, given the probe's answer."""
        return self.entry.predicate(contract, self.failure, self.case, answer)


def install(schema: BaseSchema, context: CampaignContext) -> None:
    """Register the campaign's false-positive filter on `schema` (schema-scoped, not global)."""
    entries = _entries(context)

    def filter_failure(hook_context: HookContext, failure: Failure, case: Case[Any], response: Response) -> bool:
        operation = context.operation_for(case)
        if operation is None:
            return True
        scoped = [entry for entry in entries if entry.scopes(context.contract, operation.operation_id, failure)]
        if not scoped:
            return True
        if failure.case_id is not None and failure.case_id != case.id:
            with context.lock:
                context.deferred[failure.case_id] = Deferred(scoped[0], failure, case)
            return False
        entry = next((e for e in scoped if e.predicate(context.contract, failure, case, response)), None)
        if entry is None:
            return True
        with context.lock:
            context.suppressed[entry.id] += 1
        return False

    schema.hook("filter_failure")(filter_failure)
