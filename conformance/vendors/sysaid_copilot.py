"""SysAid Copilot: the `JSESSIONID`/`SERVERID` cookies of a SysAid login plus `x-sysaid-hostname`, for an
administrator and, when configured, an ordinary user of the same organization; the in-band `status` envelope;
the workflows of a chat; and the Schemathesis false positives SysAid's in-band answers explain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from conformance.answers import Event, decode_body
from conformance.auth.base import AuthProfile
from conformance.checks import EnvelopeRule, Problem
from conformance.false_positives import KnownFalsePositive
from conformance.vendors import LiveRate, VendorProfile
from conformance.workflows.sysaid import sysaid_chat_lifecycle, sysaid_escalation, sysaid_user_view

if TYPE_CHECKING:
    from schemathesis import Case, Response
    from schemathesis.core.failures import Failure

    from contracts import Contract

__all__ = ["PROFILE", "SysaidProfile", "sysaid_problem", "sysaid_stream_problem"]

SPEC = "sysaid-copilot"
ADMIN, USER = "admin", "user"
SSE_STATUS = {"done": "ok", "error": "error", "message": "stream"}
"""The `status` each stream event carries, by event name."""


class SysaidProfile(AuthProfile):
    """Cookies and hostname of one identity (`admin` by default, `user` for the non-admin checks)."""

    identities: ClassVar[tuple[str, ...]] = (ADMIN, USER)
    # The contract describes SERVERID as a load-balancer stickiness cookie: required, but not a secret that
    # the server checks, so only its absence is probed.
    presence_only: ClassVar[frozenset[str]] = frozenset({"SERVERID"})

    def scheme_value(self, scheme: str) -> str | None:
        """Cookie values of the current identity, or the hostname header."""
        definition = self.contract.security_schemes.get(scheme)
        name = definition.parameter.lower() if definition is not None else ""
        if name == "x-sysaid-hostname":
            return self.credentials.require("hostname")
        if name in ("jsessionid", "serverid"):
            return self.credentials.require(f"{self.identity}.{name}")
        return None

    def has_identity(self, identity: str) -> bool:
        """Whether `identity` has a session configured (`<identity>.jsessionid`)."""
        return self.credentials.get(f"{identity}.jsessionid") is not None


def sysaid_problem(status: int, body: Any) -> Problem | None:
    """SysAid `status` ("ok", "error", "stream", "in-progress") must agree with the body and HTTP status.

    SysAid's `status` is a string; a numeric `status` belongs to another envelope (RFC 9457 problem details, which
    a non-SysAid error page sends), which this rule does not judge: content-type and schema checks do.
    """
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        return None
    kind, text = body["status"], body.get("error", body.get("message"))
    if status >= 400 and kind != "error":
        return f"HTTP {status} with status {kind!r}", f'HTTP {status} answers carry status "error"'
    if kind == "error":
        if not isinstance(text, str) or not text:
            return 'status "error" without an error text', 'status "error" carries a non-empty `error` or `message`'
        if 200 < status < 400:
            return f'HTTP {status} with status "error"', "in-band errors are answered 200, other errors 4xx/5xx"
    elif kind in ("ok", "in-progress", "stream") and "error" in body:
        return f"status {kind!r} with an `error` field", f"status {kind!r} bodies carry no `error`"
    if kind == "stream" and not body.get("sid") and not isinstance(body.get("content"), str):
        return (
            'status "stream" without `sid` or `content`',
            'status "stream" carries the stream `sid` (events: `content`)',
        )
    return None


def sysaid_stream_problem(status: int, events: list[Event]) -> Problem | None:
    """Each stream event's `status` matches its event name, and its data is a consistent SysAid envelope."""
    for event in events:
        if not event.data:
            continue
        data = event.payload
        expected = SSE_STATUS.get(event.name)
        actual = data.get("status") if isinstance(data, dict) else None
        if expected is not None and actual != expected:
            return f"event {event.name!r} with status {actual!r}", f'event {event.name!r} carries status "{expected}"'
        problem = sysaid_problem(status, data)
        if problem is not None:
            return problem
    return None


def _in_band_error(contract: Contract, failure: Failure, case: Case[Any], response: Response) -> bool:
    body = decode_body(response)[1]
    return response.status_code == 200 and isinstance(body, dict) and body.get("status") == "error"


def _unknown_id_answered_400(contract: Contract, failure: Failure, case: Case[Any], response: Response) -> bool:
    return response.status_code == 400 and b"not found" in (response.content or b"").lower()


def _has_error_branch(contract: Contract, node: Any, depth: int = 0) -> bool:
    node = contract.resolve(node)
    if depth > 6 or not isinstance(node, Mapping):
        return False
    status = contract.resolve(node.get("properties", {}).get("status", {}))
    if isinstance(status, Mapping) and status.get("enum") == ["error"]:
        return True
    return any(_has_error_branch(contract, b, depth + 1) for key in ("oneOf", "anyOf") for b in node.get(key, ()))


def _in_band_error_operations(contract: Contract) -> frozenset[str]:
    """Operations whose documented 200 answer includes the SysAid error envelope (`status: "error"`)."""
    return frozenset(
        operation.operation_id
        for operation in contract
        if "200" in operation.responses
        and any(_has_error_branch(contract, media.schema) for media in operation.responses["200"].content.values())
    )


FALSE_POSITIVES = (
    KnownFalsePositive(
        id="sysaid-in-band-not-found",
        spec=SPEC,
        operations=_in_band_error_operations,
        check="use_after_free",
        failure="UseAfterFree",
        condition='200 with status "error" after the resource was deleted',
        reason='SysAid reports a deleted chat or dataset in-band (200, status "error", "Chat not found"), as its '
        'contract documents; Schemathesis only recognises 404 as "gone". The sysaid_chat_lifecycle workflow '
        "checks the in-band answer instead.",
        predicate=_in_band_error,
    ),
    KnownFalsePositive(
        id="sysaid-unknown-id-400",
        spec=SPEC,
        operations=("streamChat", "getChatStreamMessages", "downloadDocument", "summarizeSr"),
        check="positive_data_acceptance",
        failure="RejectedPositiveData",
        condition='400 whose body says "not found"',
        reason="These operations document an unknown stream, document or service request as a 400 (SysAid Copilot "
        "REST API Guide and the contract); Schemathesis accepts only 404 for a well-formed id that does not exist.",
        predicate=_unknown_id_answered_400,
    ),
    KnownFalsePositive(
        id="sysaid-in-band-rejection",
        spec=SPEC,
        operations=_in_band_error_operations,
        check="negative_data_rejection",
        failure="AcceptedNegativeData",
        condition='200 with status "error"',
        reason='SysAid refuses requests in-band (HTTP 200, status "error"), as the contract documents for these '
        "operations; Schemathesis reads any 2xx as acceptance.",
        predicate=_in_band_error,
    ),
)

PROFILE = VendorProfile(
    auth=SysaidProfile,
    credential_keys=("hostname", "admin.jsessionid", "admin.serverid", "user.jsessionid", "user.serverid"),
    live_rate=LiveRate("200/m", False, "SysAid REST API: 1,000 requests per 5 minutes"),
    envelopes=(
        EnvelopeRule(
            "sysaid_status_envelope",
            "SysAid's in-band `status` agrees with the body and the HTTP status.",
            sysaid_problem,
            sysaid_stream_problem,
        ),
    ),
    workflows=(sysaid_chat_lifecycle, sysaid_escalation, sysaid_user_view),
    false_positives=FALSE_POSITIVES,
)
