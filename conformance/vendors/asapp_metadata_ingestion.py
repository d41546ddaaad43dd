"""ASAPP Metadata Ingestion API: a static API id and secret pair, sent together as two headers; batch answers
count their failed items; batches succeed partially by design."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.answers import decode_body
from conformance.auth.base import AuthProfile
from conformance.checks import EnvelopeRule, Problem
from conformance.false_positives import KnownFalsePositive
from conformance.vendors import StatedRate, VendorProfile

if TYPE_CHECKING:
    from schemathesis import Case, Response
    from schemathesis.core.failures import Failure

    from contracts import Contract

__all__ = ["PROFILE", "AsappProfile", "asapp_problem"]

SPEC = "asapp-metadata-ingestion"


class AsappProfile(AuthProfile):
    """`asapp-api-id` and `asapp-api-secret` headers, issued per app by ASAPP's developer portal."""

    def scheme_value(self, scheme: str) -> str | None:
        """The id or the secret, by the header name the scheme declares."""
        definition = self.contract.security_schemes.get(scheme)
        header = definition.parameter.lower() if definition is not None else ""
        if header == "asapp-api-id":
            return self.credentials.require("api_id")
        if header == "asapp-api-secret":
            return self.credentials.require("api_secret")
        return None


def asapp_problem(status: int, body: Any) -> Problem | None:
    """ASAPP batch `errorCount` equals the failed results; single results and error codes match the status.

    The batch status rule (200 for a partial success, 400 when every item failed) is the contract's `x-batch`
    statement, enforced by `batch_status`.
    """
    if not isinstance(body, dict):
        return None
    results = body.get("results")
    if isinstance(results, list) and "errorCount" in body:
        failed = sum(1 for item in results if isinstance(item, dict) and item.get("error"))
        if body["errorCount"] != failed:
            received = f"errorCount {body['errorCount']!r} with {failed} failed result(s)"
            return received, "errorCount equal to the failed results"
    result = body.get("result")
    if isinstance(result, dict):
        if status == 200 and result.get("error"):
            return f"HTTP 200 with result.error {result['error']!r}", "an accepted item carries no error"
        if status == 400 and not result.get("error"):
            return "HTTP 400 with an empty result.error", "a refused item says why in result.error"
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), str) and not error["code"].startswith(f"{status}-"):
        return f"HTTP {status} with error.code {error['code']!r}", f"error.code of the form {status}-NN"
    return None


def _batch_partial_success(contract: Contract, failure: Failure, case: Case[Any], response: Response) -> bool:
    body = decode_body(response)[1]
    return (
        response.status_code == 200
        and isinstance(body, dict)
        and isinstance(body.get("errorCount"), int)
        and body["errorCount"] >= 1
    )


PROFILE = VendorProfile(
    auth=AsappProfile,
    credential_keys=("api_id", "api_secret"),
    live_rate=StatedRate("requestsPerSecond", "s"),
    envelopes=(
        EnvelopeRule(
            "asapp_batch_error_count",
            "ASAPP batch counts, single results and error codes agree with each other and the HTTP status.",
            asapp_problem,
        ),
    ),
    false_positives=(
        KnownFalsePositive(
            id="asapp-batch-partial-success",
            spec=SPEC,
            operations=("manyAgentMetadata", "manyConversationMetadata", "manyCustomerMetadata"),
            check="negative_data_rejection",
            failure="AcceptedNegativeData",
            condition="200 with errorCount >= 1",
            reason="ASAPP batches succeed partially by design: 200 when at least one item is accepted, the "
            "invalid item reported in results[].error and counted in errorCount.",
            predicate=_batch_partial_success,
        ),
    ),
)
