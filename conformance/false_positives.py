"""Known Schemathesis false positives on these contracts, each scoped to one operation, one check and a
precise condition, with the reason it is not a defect. Nothing is switched off globally: every entry is a
`filter_failure` hook predicate, and every suppression is counted and reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.context import CampaignContext
from conformance.contracts import Contract

if TYPE_CHECKING:
    from schemathesis import BaseSchema, Case, HookContext, Response
    from schemathesis.core.failures import Failure

__all__ = ["KNOWN_FALSE_POSITIVES", "KnownFalsePositive", "install", "matching"]

Predicate = Callable[["Contract", "Failure", "Case[Any]", "Response"], bool]
Operations = tuple[str, ...] | Callable[["Contract"], frozenset[str]]


def _json(response: Response) -> Any:
    try:
        return json.loads(response.content or b"")
    except ValueError:
        return None


def _in_band_error(contract: Contract, failure: Failure, case: Case[Any], response: Response) -> bool:
    body = _json(response)
    return response.status_code == 200 and isinstance(body, dict) and body.get("status") == "error"


def _batch_partial_success(contract: Contract, failure: Failure, case: Case[Any], response: Response) -> bool:
    body = _json(response)
    return (
        response.status_code == 200
        and isinstance(body, dict)
        and isinstance(body.get("errorCount"), int)
        and (body["errorCount"] >= 1)
    )


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
        info.operation_id
        for info in contract.operations()
        if any(
            _has_error_branch(contract, media.get("schema", {}))
            for media in info.responses.get("200", {}).get("content", {}).values()
        )
    )


@dataclass(frozen=True)
class KnownFalsePositive:
    """One accepted deviation between Schemathesis' expectation and a contract's documented behaviour."""

    id: str
    spec: str
    operations: Operations
    check: str
    failure: str
    condition: str
    reason: str
    predicate: Predicate

    def operation_ids(self, contract: Contract) -> frozenset[str]:
        """The operations this entry is scoped to."""
        return frozenset(self.operations) if isinstance(self.operations, tuple) else self.operations(contract)

    def applies(
        self, contract: Contract, operation_id: str, failure: Failure, case: Case[Any], response: Response
    ) -> bool:
        """Whether this entry covers a given failure."""
        return (
            contract.name == self.spec
            and type(failure).__name__ == self.failure
            and operation_id in self.operation_ids(contract)
            and self.predicate(contract, failure, case, response)
        )


KNOWN_FALSE_POSITIVES: tuple[KnownFalsePositive, ...] = (
    KnownFalsePositive(
        id="sysaid-in-band-not-found",
        spec="sysaid-copilot",
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
        id="asapp-batch-partial-success",
        spec="asapp-metadata-ingestion",
        operations=("manyAgentMetadata", "manyConversationMetadata", "manyCustomerMetadata"),
        check="negative_data_rejection",
        failure="AcceptedNegativeData",
        condition="200 with errorCount >= 1",
        reason="ASAPP batches succeed partially by design: 200 when at least one item is accepted, the "
        "invalid item reported in results[].error and counted in errorCount.",
        predicate=_batch_partial_success,
    ),
    KnownFalsePositive(
        id="sysaid-unknown-id-400",
        spec="sysaid-copilot",
        operations=("streamChat", "getChatStreamMessages", "downloadDocument", "summarizeSr"),
        check="positive_data_acceptance",
        failure="RejectedPositiveData",
        condition='400 whose body says "not found"',
        reason="These operations document an unknown stream, document or service request as a 400 (seed 001 and "
        "the contract); Schemathesis accepts only 404 for a well-formed id that does not exist.",
        predicate=_unknown_id_answered_400,
    ),
    KnownFalsePositive(
        id="sysaid-in-band-rejection",
        spec="sysaid-copilot",
        operations=_in_band_error_operations,
        check="negative_data_rejection",
        failure="AcceptedNegativeData",
        condition='200 with status "error"',
        reason='SysAid refuses requests in-band (HTTP 200, status "error"), as the contract documents for these '
        "operations; Schemathesis reads any 2xx as acceptance.",
        predicate=_in_band_error,
    ),
)


def matching(
    contract: Contract, operation_id: str, failure: Failure, case: Case[Any], response: Response
) -> str | None:
    """The id of the entry covering a failure, if any."""
    for entry in KNOWN_FALSE_POSITIVES:
        if entry.applies(contract, operation_id, failure, case, response):
            return entry.id
    return None


def install(schema: BaseSchema, context: CampaignContext) -> None:
    """Register the campaign's false-positive filter on `schema` (schema-scoped, not global)."""

    def filter_failure(hook_context: HookContext, failure: Failure, case: Case[Any], response: Response) -> bool:
        operation = context.operation_for(case)
        if operation is None:
            return True
        entry = matching(context.contract, operation.operation_id, failure, case, response)
        if entry is None:
            return True
        with context.lock:
            context.suppressed[entry] += 1
        return False

    schema.hook("filter_failure")(filter_failure)
