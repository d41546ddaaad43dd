"""Known false positives: each entry is scoped to real operations, one check and a precise condition."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.core import failures as core_failures
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.openapi import checks as openapi_failures

import conformance.checks  # noqa: F401  (registers the harness' checks)
from conformance.contracts import load_contract
from conformance.false_positives import KNOWN_FALSE_POSITIVES, matching

SYSAID = "sysaid-copilot"


def response(status: int, body: Any = None, url: str = "http://t/sysaid-copilot/x", **headers: list[str]) -> Any:
    content = json.dumps(body).encode() if isinstance(body, (dict, list)) else (body or "").encode()
    return SimpleNamespace(status_code=status, content=content, headers=headers, request=SimpleNamespace(url=url))


def case(path: str = "/x", body: Any = None, media_type: str | None = None) -> Any:
    return SimpleNamespace(operation=SimpleNamespace(path=path), body=body, media_type=media_type)


@pytest.mark.parametrize("entry", KNOWN_FALSE_POSITIVES, ids=lambda e: e.id)
def test_every_entry_is_scoped_to_real_operations_and_a_real_check(entry):
    contract = load_contract(entry.spec)
    operations = entry.operation_ids(contract)
    known = {info.operation_id for info in contract.operations()}
    assert operations and operations <= known
    assert len(operations) < len(known)
    failure_class = getattr(openapi_failures, entry.failure, None) or getattr(core_failures, entry.failure)
    assert entry.check in failure_class.checks
    assert entry.reason and entry.condition


def test_in_band_rejections_and_partial_batches_are_recognised():
    rejected = AcceptedNegativeData(operation="x", message="m", status_code=200, expected_statuses=["400"])
    in_band = response(200, {"status": "error", "error": "chatuid not provided"})
    assert matching(load_contract(SYSAID), "rateChat", rejected, case(), in_band) == "sysaid-in-band-rejection"
    accepted = response(200, {"status": "ok"})
    assert matching(load_contract(SYSAID), "rateChat", rejected, case(), accepted) is None
    assert matching(load_contract(SYSAID), "getHealth", rejected, case(), in_band) is None
    asapp = load_contract("asapp-metadata-ingestion")
    partial = response(200, {"errorCount": 1, "results": [{"eventId": "a"}, {"error": "bad"}]})
    assert matching(asapp, "manyAgentMetadata", rejected, case(), partial) == "asapp-batch-partial-success"
    assert matching(asapp, "singleAgentMetadata", rejected, case(), partial) is None
    clean = response(200, {"errorCount": 0, "results": [{"eventId": "a"}]})
    assert matching(asapp, "manyAgentMetadata", rejected, case(), clean) is None
