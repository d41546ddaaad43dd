"""Documented refusals (`x-refusals`), read from the real contracts: the status, media type and body they name."""

from __future__ import annotations

import dataclasses

import pytest

from conformance.errors import ConfigurationError
from conformance.refusals import NOT_ADMIN, NOT_LOGGED_IN, documented_refusal
from contracts import Operation, load_contract

SYSAID = load_contract("sysaid-copilot")


def _operation(operation_id: str) -> Operation:
    operation = SYSAID.operation(operation_id)
    assert operation is not None
    return operation


def test_an_in_band_refusal_is_the_named_example_and_nothing_else():
    refusal = documented_refusal(_operation("getChat"), NOT_LOGGED_IN)
    assert refusal is not None
    assert (refusal.status, refusal.media_type, refusal.example) == (200, "application/json", "notLoggedIn")
    assert refusal.matches(200, "application/json", {"status": "error", "error": "User not logged in"})
    assert not refusal.matches(200, "application/json", {"status": "error", "error": "Chat not found"})
    assert not refusal.matches(200, "application/json", {"status": "ok", "messages": []})
    assert not refusal.matches(401, "application/json", {"status": "error", "error": "User not logged in"})
    assert not refusal.matches(200, "text/plain", "User not logged in")


def test_a_text_refusal_compares_the_text():
    refusal = documented_refusal(_operation("summarizeSr"), NOT_LOGGED_IN)
    assert refusal is not None and (refusal.status, refusal.media_type) == (400, "text/plain")
    assert refusal.matches(400, "text/plain", "Error in summarizeSR: User not logged in\n")
    assert not refusal.matches(400, "text/plain", "Error in summarizeSR: User is not admin")
    admin = documented_refusal(_operation("summarizeSr"), NOT_ADMIN)
    assert admin is not None and admin.matches(400, "text/plain", "Error in summarizeSR: User is not admin")
    feedback = documented_refusal(_operation("submitSummaryFeedback"), NOT_LOGGED_IN)
    assert feedback is not None and feedback.example == "missingField"


def test_operations_without_a_documented_refusal_keep_401_and_403():
    assert documented_refusal(_operation("startChat"), NOT_LOGGED_IN) is None
    asapp = load_contract("asapp-metadata-ingestion")
    assert all(documented_refusal(info, NOT_LOGGED_IN) is None for info in asapp)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"status": 200}, "needs `status` and `example`"),
        ({"status": 418, "example": "notLoggedIn"}, "names status 418, which the operation does not declare"),
        ({"status": 200, "example": "nowhere"}, "names example 'nowhere', which the 200 response does not hold"),
    ],
)
def test_a_malformed_refusal_fails_loudly_naming_the_operation(entry: dict[str, object], message: str):
    real = _operation("getChat")
    broken = dataclasses.replace(real, extensions={"x-refusals": {NOT_LOGGED_IN: entry}})
    with pytest.raises(
        ConfigurationError, match=rf"GET /api/chat/\{{chatuid\}} \[getChat\]: x-refusals.notLoggedIn {message}"
    ):
        documented_refusal(broken, NOT_LOGGED_IN)
