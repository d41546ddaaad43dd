"""SysAid answers to typed refusals: JSON `{status, error}`, the documented plain-text wording, `x-refusals`, faults.

These assert the vendor envelope built from the refusal's data (kind, violation location, field, constraint); the
old versions fed Connexion's sentences to `error_body` and pinned how they were rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sysaid_support import SPEC, Sysaid

from contracts import load_contract
from mockserver.problems import Kind, Location, RequestError, Violation
from mockserver.vendors.sysaid_copilot import error_body, fault_reasons, refine

OPERATIONS = load_contract(SPEC).operations
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def schema_error(*violations: Violation) -> RequestError:
    return RequestError(Kind.SCHEMA_VIOLATION, violations[0].describe(), violations=violations)


def rendered(error: RequestError, operation_id: str) -> tuple[int, Any]:
    """What the pipeline sends: the refusal refined, then rendered in the media type declared for its status."""
    operation = OPERATIONS[operation_id]
    error = refine(error, operation)
    return error.status, error_body(error, operation, operation.media_type(error.status))


BAD_UUID = Violation(Location.PATH, "id", constraint="pattern", expected=UUID_PATTERN, value="x")
MISSING_SR = Violation(Location.BODY, "srId", ("srId",), "required")


@pytest.mark.parametrize(
    ("operation_id", "error", "expected"),
    [
        ("getLongOperation", schema_error(BAD_UUID), (400, "Invalid request")),
        ("getLongOperation", RequestError(Kind.INTERNAL, "boom"), (500, "Internal error")),
        ("summarizeSr", RequestError(Kind.BAD_REQUEST, "bad"), (400, "Error in summarizeSR: bad")),
        ("submitSummaryFeedback", schema_error(MISSING_SR), (400, "Missing one of accountId, feedback, userId, srId")),
        (
            "submitSummaryFeedback",
            schema_error(Violation(Location.BODY, "feedback", ("feedback",), "minLength", 1, "")),
            (400, "Missing one of accountId, feedback, userId, srId"),
        ),
        (
            "submitSummaryFeedback",
            RequestError(Kind.BODY_MISSING, "request body is required"),
            (400, "Missing one of accountId, feedback, userId, srId"),
        ),
        (
            "submitSummaryFeedback",
            schema_error(Violation(Location.BODY, "srId", ("srId",), "type", ["string"], 12345)),
            (400, "srId: 12345 is not of type 'string'"),
        ),
        ("submitSummaryFeedback", RequestError(Kind.INTERNAL, "down"), (500, "Error in summarizeSRFeedback: down")),
        ("streamChat", RequestError(Kind.BAD_REQUEST, "Stream not found"), (400, "Stream not found")),
    ],
    ids=[
        "long-operation-400",
        "long-operation-500",
        "summarize-400",
        "feedback-missing",
        "feedback-empty",
        "feedback-no-body",
        "feedback-wrong-type",
        "feedback-500",
        "stream-400",
    ],
)
def test_plain_text_operations_use_their_documented_wording(
    operation_id: str, error: RequestError, expected: tuple[int, str]
) -> None:
    assert rendered(error, operation_id) == expected


def test_json_envelope_names_the_field_and_stays_short() -> None:
    wrong_type = schema_error(Violation(Location.BODY, "text", ("text",), "type", ["string"], 5))
    assert rendered(wrong_type, "startChat") == (400, {"status": "error", "error": "text: 5 is not of type 'string'"})
    missing = schema_error(Violation(Location.BODY, "text", ("text",), "required"))
    assert rendered(missing, "startChat") == (400, {"status": "error", "error": "'text' is a required property"})
    long = schema_error(Violation(Location.BODY, "text", ("text",), "maxLength", 10, "x" * 5000))
    status, body = rendered(long, "startChat")
    assert status == 400
    assert isinstance(body, dict)
    assert len(body["error"]) <= 240
    assert body["error"].startswith("text: 'xxxx")
    assert body["error"].endswith("is too long")


def test_integer_and_uuid_path_parameters_are_named_in_words() -> None:
    integer = schema_error(Violation(Location.PATH, "id", constraint="type", expected=["integer"], value="x1"))
    assert rendered(integer, "deleteDatasetRecord") == (400, {"status": "error", "error": "id: 'x1' is not an integer"})
    uuid = schema_error(Violation(Location.PATH, "chatuid", constraint="pattern", expected=UUID_PATTERN, value="no"))
    assert rendered(uuid, "getChat") == (400, {"status": "error", "error": "chatuid: 'no' is not a valid UUID"})


def test_missing_credentials_and_malformed_json_are_explained() -> None:
    missing = RequestError(
        Kind.CREDENTIALS_MISSING,
        "no credentials",
        violations=(Violation(Location.CREDENTIALS, "cookie SERVERID"),),
    )
    assert rendered(missing, "loginUser") == (
        401,
        {
            "status": "error",
            "error": "Unauthorized: the JSESSIONID and SERVERID cookies and the x-sysaid-hostname header are all "
            "required (missing: cookie SERVERID)",
        },
    )
    malformed = RequestError(
        Kind.BODY_MALFORMED,
        "the body is not valid JSON: Expecting value at line 1 column 1",
        violations=(Violation(Location.BODY, constraint="json"),),
    )
    assert rendered(malformed, "startChat") == (
        400,
        {"status": "error", "error": "the body is not valid JSON: Expecting value at line 1 column 1"},
    )


def test_the_org_envelope_carries_message_instead_of_error() -> None:
    fault = RequestError(Kind.INJECTED_FAULT, "Fault injected by the mock's admin API", status=200)
    assert rendered(fault, "updateOrg") == (
        200,
        {"status": "error", "message": "Fault injected by the mock's admin API"},
    )


def test_refusals_of_a_caller_not_logged_in_or_not_admin_follow_x_refusals() -> None:
    unknown = RequestError(Kind.CREDENTIALS_INVALID, "the JSESSIONID cookie is not a logged-in SysAid session")
    assert rendered(unknown, "listChats") == (200, {"status": "error", "error": "User not logged in"})
    assert rendered(unknown, "loginUser")[0] == 401
    not_admin = RequestError(Kind.FORBIDDEN, "User is not admin")
    assert rendered(not_admin, "updateOrg") == (200, {"status": "error", "message": "User is not admin"})
    assert rendered(not_admin, "downloadDocument") == (400, {"status": "error", "error": "User is not admin"})
    assert rendered(not_admin, "summarizeSr") == (400, "Error in summarizeSR: User is not admin")


def test_faults_may_ask_for_each_documented_error_by_name() -> None:
    assert "seedError" in fault_reasons(OPERATIONS["listDatasets"])
    assert "datasets" not in fault_reasons(OPERATIONS["listDatasets"])
    assert {"notLoggedIn", "chatNotFound", "otherUser"} <= set(fault_reasons(OPERATIONS["getChat"]))
    fault = RequestError(Kind.INJECTED_FAULT, "Fault injected", status=500, reason="seedError")
    assert rendered(fault, "listDatasets") == (200, {"status": "error", "error": "Failed to retrieve datasets"})


def test_an_injected_fault_with_a_documented_reason_reaches_the_client(make_sysaid: Callable[..., Sysaid]) -> None:
    sysaid = make_sysaid()
    fault = {"status": 500, "reason": "seedError"}  # the admin API takes error statuses; the example is at 200
    assert sysaid.client.put(f"/__admin/faults/{SPEC}/listDatasets", json=fault).status_code == 200
    assert sysaid.refused("GET", "/api/dataset") == "Failed to retrieve datasets"
    unknown = sysaid.client.put(f"/__admin/faults/{SPEC}/listDatasets", json={"status": 500, "reason": "nope"})
    assert unknown.status_code == 400
    assert "seedError" in unknown.text


def test_a_response_without_body_gets_no_payload() -> None:
    error = RequestError(Kind.INJECTED_FAULT, "x", status=200)
    assert error_body(error, OPERATIONS["submitSummaryFeedback"], None) is None


def test_documented_failures_the_mock_never_has_are_reachable_through_faults(
    make_sysaid: Callable[..., Sysaid],
) -> None:
    sysaid = make_sysaid()
    faults = {"submitSummaryFeedback": {"status": 500, "reason": "failed"}, "getLongOperation": {"status": 500}}
    for operation_id, fault in faults.items():
        assert sysaid.client.put(f"/__admin/faults/{SPEC}/{operation_id}", json=fault).status_code == 200
    feedback = {"accountId": "exampleAccountId", "feedback": "x", "userId": "7", "srId": "12345"}
    failed = sysaid.call("POST", "/feedback", json=feedback)
    assert (failed.status_code, failed.text) == (500, "Error in summarizeSRFeedback: SysAid server unavailable")
    assert failed.headers["content-type"] == "text/plain; charset=utf-8"
    internal = sysaid.call("GET", "/api/longOperation/3f2b8c1e-6d4a-4e8f-9b1c-2a7d5e9f0c13")
    assert (internal.status_code, internal.text) == (500, "Internal error")
