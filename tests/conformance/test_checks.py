"""Vendor envelope rules (each vendor profile's), the registered checks that apply them, and auth enforcement on a
toy API."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.checks import CHECKS
from toy_api import make_app

from conformance import Campaign, Phase, RunSettings
from conformance.answers import parse_events
from conformance.checks import code_equals_status, judge_envelope
from conformance.context import CampaignContext, bind, unbind
from conformance.redaction import Redactor
from conformance.vendors import profile_for
from conformance.vendors.asapp_metadata_ingestion import asapp_problem
from conformance.vendors.sysaid_copilot import sysaid_problem, sysaid_stream_problem
from conformance.violations import EnvelopeViolation
from contracts import load_contract


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"status": "ok", "response": "hi", "chatuid": "x"}),
        (200, {"status": "error", "error": "Chat not found"}),
        (200, {"status": "error", "message": "User is not admin"}),
        (200, {"status": "stream", "sid": "abc", "chatuid": "x"}),
        (200, {"status": "in-progress", "longOperationId": "x"}),
        (401, {"status": "error", "error": "User not logged in"}),
        (200, ["not", "an", "envelope"]),
        # An RFC 9457 problem body (Prism's, Connexion's): its numeric `status` is not SysAid's field.
        (404, {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No route"}),
        (422, {"title": "Invalid request", "status": 422}),
    ],
)
def test_consistent_sysaid_envelopes_pass(status: int, body: Any):
    assert sysaid_problem(status, body) is None


@pytest.mark.parametrize(
    ("status", "body", "fragment"),
    [
        (400, {"status": "ok"}, "HTTP 400 with status 'ok'"),
        (200, {"status": "error"}, "without an error text"),
        (200, {"status": "error", "error": ""}, "without an error text"),
        (202, {"status": "error", "error": "x"}, "HTTP 202"),
        (200, {"status": "ok", "error": "Chat not found"}, "with an `error` field"),
        (200, {"status": "stream", "chatuid": "x"}, "without `sid`"),
    ],
)
def test_contradicting_sysaid_envelopes_are_named(status: int, body: Any, fragment: str):
    problem = sysaid_problem(status, body)
    assert problem is not None
    assert fragment in problem[0]


def test_stream_events_are_parsed_with_their_names_and_judged_by_their_status():
    text = 'data: {"status":"stream","content":"a"}\n\nevent: done\ndata: {"status":"ok","response":"a"}\n\n'
    events = parse_events(text)
    assert [(event.name, event.payload) for event in events] == [
        ("message", {"status": "stream", "content": "a"}),
        ("done", {"status": "ok", "response": "a"}),
    ]
    assert sysaid_stream_problem(200, events) is None
    wrong = parse_events('event: done\ndata: {"status":"stream","content":"a"}\n\n')
    assert sysaid_stream_problem(200, wrong) == (
        "event 'done' with status 'stream'",
        "event 'done' carries status \"ok\"",
    )


def test_asapp_batch_counts_must_match_failed_results():
    ok = {"errorCount": 1, "results": [{"eventId": "a"}, {"eventId": "b", "error": "bad"}]}
    assert asapp_problem(200, ok) is None
    lying = {"errorCount": 0, "results": [{"eventId": "a"}, {"eventId": "b", "error": "bad"}]}
    assert asapp_problem(200, lying) == (
        "errorCount 0 with 1 failed result(s)",
        "errorCount equal to the failed results",
    )
    all_failed = {"errorCount": 2, "results": [{"error": "x"}, {"error": "y"}]}
    assert asapp_problem(400, all_failed) is None


def test_asapp_single_results_and_error_codes_follow_the_status():
    assert asapp_problem(200, {"result": {"eventId": "a", "error": ""}}) is None
    assert asapp_problem(200, {"result": {"eventId": "a", "error": "FAIL"}}) is not None
    assert asapp_problem(400, {"result": {"eventId": "a"}}) is not None
    assert asapp_problem(401, {"error": {"requestId": "r", "message": "m", "code": "401-01"}}) is None
    assert asapp_problem(401, {"error": {"requestId": "r", "message": "m", "code": "403-01"}}) is not None


def test_aisera_and_alvaria_codes_equal_the_status():
    assert code_equals_status(401, {"code": 401, "error": "x"}) is None
    assert code_equals_status(401, {"code": 400, "error": "x"}) == (
        "HTTP 401 with body code 400",
        "`code` equal to the HTTP status (401)",
    )
    assert code_equals_status(200, {"code": 7}) is None
    assert code_equals_status(404, {"code": 404}) is None
    assert code_equals_status(404, {"code": 500, "message": "x"}) is not None
    assert code_equals_status(400, {"error": "invalid_request"}) is None


def _case_and_response(spec: str, label: str, status: int, body: bytes) -> tuple[Any, Any]:
    raw: dict[str, Any] = {}
    operation = SimpleNamespace(label=label, schema=SimpleNamespace(raw_schema=raw))
    response = SimpleNamespace(status_code=status, headers={"content-type": ["application/json"]}, content=body)
    context = CampaignContext(spec, load_contract(spec), None, Redactor(), profile_for(spec))
    bind(raw, context)
    return SimpleNamespace(operation=operation), response


def test_loading_a_profile_registers_its_envelope_checks_which_apply_to_its_vendor_only():
    case, response = _case_and_response("aisera-ingestion", "POST /alerts", 401, b'{"code": 400, "error": "x"}')
    profile_for("sysaid-copilot")
    aisera_error_code: Any = CHECKS.get_one("aisera_error_code")
    sysaid_status_envelope: Any = CHECKS.get_one("sysaid_status_envelope")
    try:
        with pytest.raises(EnvelopeViolation) as excinfo:
            aisera_error_code(None, response, case)
        assert "Received: HTTP 401 with body code 400" in str(excinfo.value)
        assert sysaid_status_envelope(None, response, case) is True
        assert judge_envelope(case, response, "alvaria_error_code") is True, "not a rule of this vendor"
    finally:
        unbind(case.operation.schema.raw_schema)


def test_sysaid_envelope_check_leaves_problem_json_to_the_content_type_check():
    body = b'{"type": "https://stoplight.io/prism/errors#NOT_FOUND", "title": "Route not resolved", "status": 404}'
    case, response = _case_and_response("sysaid-copilot", "GET /api/chat", 404, body)
    response.headers = {"content-type": ["application/problem+json"]}
    try:
        assert judge_envelope(case, response, "sysaid_status_envelope") is True
    finally:
        unbind(case.operation.schema.raw_schema)


def test_checks_ignore_schemas_the_harness_did_not_load():
    operation = SimpleNamespace(label="POST /alerts", schema=SimpleNamespace(raw_schema={}))
    response: Any = SimpleNamespace(status_code=401, headers={}, content=b'{"code": 1}')
    case: Any = SimpleNamespace(operation=operation)
    assert judge_envelope(case, response, "aisera_error_code") is True


def test_auth_enforcement_catches_an_api_that_ignores_credentials(toy_contract: Path):
    settings = RunSettings(
        specs=("toy",), credentials_file=toy_contract, max_examples=20, seed=3, phases=(Phase.FUZZING,)
    )
    broken = Campaign(settings, app=make_app(ignore_auth=True)).run()
    checks = {f.check for f in broken.findings}
    assert "auth_enforcement" in checks
    finding = next(f for f in broken.findings if f.check == "auth_enforcement")
    assert "for a request without header x-toy-key" in finding.received
    assert finding.documented.startswith("HTTP 401")
    correct = Campaign(settings, app=make_app()).run()
    assert correct.findings == []
    assert "auth_enforcement" in correct.specs[0].checks_run["GET /items/{id}"]
