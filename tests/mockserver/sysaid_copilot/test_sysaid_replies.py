"""SysAid envelopes of framework errors: JSON `{status, error}` or the documented plain-text wording."""

from __future__ import annotations

import pytest
from sysaid_support import SPEC

from mockserver.contracts import load_contract
from mockserver.vendors.sysaid_copilot import error_body

OPERATIONS = load_contract(SPEC).operations


@pytest.mark.parametrize(
    ("operation_id", "status", "message", "expected"),
    [
        (
            "getLongOperation",
            400,
            "'x' does not match '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'",
            "Invalid request",
        ),
        ("getLongOperation", 500, "boom", "Internal error"),
        ("summarizeSr", 400, "bad", "Error in summarizeSR: bad"),
        (
            "submitSummaryFeedback",
            400,
            "'srId' is a required property",
            "Missing one of accountId, feedback, userId, srId",
        ),
        (
            "submitSummaryFeedback",
            400,
            "Request body must not be empty",
            "Missing one of accountId, feedback, userId, srId",
        ),
        ("submitSummaryFeedback", 500, "down", "Error in summarizeSRFeedback: down"),
        ("streamChat", 400, "Stream not found", "Stream not found"),
    ],
)
def test_plain_text_operations_use_their_documented_wording(
    operation_id: str, status: int, message: str, expected: str
) -> None:
    operation = OPERATIONS[operation_id]
    assert error_body(status, message, operation.media_type(status), operation) == expected


def test_json_envelope_names_the_field_and_stays_short() -> None:
    operation = OPERATIONS["startChat"]
    assert error_body(400, "5 is not of type 'string' - 'text'", "application/json", operation) == {
        "status": "error",
        "error": "text: 5 is not of type 'string'",
    }
    long = error_body(400, "[" + "1, " * 2000 + "] is too long - 'items'", "application/json", operation)
    assert isinstance(long, dict)
    assert len(long["error"]) <= 240
    assert long["error"].endswith("is too long")


def test_pattern_mismatches_are_named_in_words() -> None:
    body = error_body(
        400,
        "'abc' does not match '^-?[0-9]+$'\n\nFailed validating 'pattern'",
        "application/json",
        OPERATIONS["deleteDatasetRecord"],
    )
    assert body == {"status": "error", "error": "datasetId or id: 'abc' is not an integer"}


def test_missing_credentials_and_malformed_json_are_explained() -> None:
    operation = OPERATIONS["loginUser"]
    unauthorized = error_body(401, "No authorization token provided", "application/json", operation)
    assert unauthorized == {
        "status": "error",
        "error": "Unauthorized: the JSESSIONID and SERVERID cookies and the x-sysaid-hostname header are all required",
    }
    malformed = error_body(400, "Expecting value: line 1 column 1 (char 0)", "application/json", operation)
    assert malformed == {
        "status": "error",
        "error": "request body is not valid JSON: Expecting value: line 1 column 1 (char 0)",
    }


def test_a_response_without_body_gets_an_empty_payload() -> None:
    assert error_body(200, "x", None, OPERATIONS["submitSummaryFeedback"]) == ""
