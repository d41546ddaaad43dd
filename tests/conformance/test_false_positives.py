"""Known false positives: each entry is scoped to real operations, one check and a precise condition."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import jsonschema_rs
import pytest
from schemathesis.core import failures as core_failures
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.openapi import checks as openapi_failures
from schemathesis.openapi.checks import AuthScenario

import conformance.checks  # noqa: F401  (registers the harness' checks)
from conformance.context import CampaignContext
from conformance.false_positives import ENGINE_FALSE_POSITIVES, install, known_false_positives, matching
from conformance.redaction import Redactor
from conformance.vendors import profile_for
from contracts import contract_names, load_contract

SYSAID = "sysaid-copilot"


def response(status: int, body: Any = None, media_type: str | None = None) -> Any:
    content = json.dumps(body).encode() if isinstance(body, (dict, list)) else (body or "").encode()
    media_type = media_type or ("application/json" if isinstance(body, (dict, list)) else "text/plain")
    headers = {"content-type": [media_type]}
    return SimpleNamespace(
        status_code=status, content=content, headers=headers, request=SimpleNamespace(url="http://t/x")
    )


def case(
    path: str = "/x",
    body: Any = None,
    media_type: str | None = None,
    label: str = "",
    id: str = "c",
    headers: dict[str, str] | None = None,
) -> Any:
    operation = SimpleNamespace(path=path, label=label)
    return SimpleNamespace(operation=operation, body=body, media_type=media_type, id=id, headers=headers)


NOT_LOGGED_IN = {"status": "error", "error": "User not logged in"}
THREAD = {"status": "ok", "messages": []}


@pytest.mark.parametrize("entry", known_false_positives(), ids=lambda e: e.id)
def test_every_entry_is_scoped_to_real_operations_and_a_real_check(entry):
    scoped = 0
    for name in (entry.spec,) if entry.spec else contract_names():
        contract = load_contract(name)
        operations = entry.operation_ids(contract)
        known = set(contract.operations)
        assert operations <= known
        if entry not in ENGINE_FALSE_POSITIVES:
            assert len(operations) < len(known), "only the engine's own false positives may cover a whole contract"
        scoped += len(operations)
    assert scoped, f"{entry.id} applies to no operation of any contract"
    failure_class = getattr(openapi_failures, entry.failure, None) or getattr(core_failures, entry.failure)
    assert entry.check in failure_class.checks
    assert entry.reason and entry.condition


def test_a_vendor_profiles_entries_are_scoped_to_its_own_contract():
    for name in contract_names():
        vendor = profile_for(name)
        assert vendor is not None
        assert all(entry.spec == name for entry in vendor.false_positives), name


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


def test_a_login_refusal_is_the_documented_one_only_where_the_contract_says_so():
    sysaid = load_contract(SYSAID)
    ignored = openapi_failures.IgnoredAuth(operation="x", message="m", scenario=AuthScenario.NO_AUTH, case_id="probe")
    get_chat = case(label="GET /api/chat/{chatuid}")
    assert matching(sysaid, "getChat", ignored, get_chat, response(200, NOT_LOGGED_IN)) == "not-logged-in-refusal"
    assert matching(sysaid, "getChat", ignored, get_chat, response(200, THREAD)) is None, "served without a login"
    summarize = case(label="GET /summarize/{srid}")
    text = response(400, "Error in summarizeSR: User not logged in")
    assert matching(sysaid, "summarizeSr", ignored, summarize, text) == "not-logged-in-refusal"
    start = case(label="POST /api/chat")
    assert matching(sysaid, "startChat", ignored, start, response(200, NOT_LOGGED_IN)) is None, "no x-refusals there"


def test_a_missing_login_header_answered_as_documented_is_recognised():
    sysaid = load_contract(SYSAID)
    get_chat = case(label="GET /api/chat/{chatuid}")

    def missing(header: str) -> Any:
        return openapi_failures.MissingHeaderNotRejected(
            operation="x", header_name=header, status_code=200, expected_statuses=[400], message="m"
        )

    refused = response(200, NOT_LOGGED_IN)
    assert matching(sysaid, "getChat", missing("x-sysaid-hostname"), get_chat, refused) == (
        "not-logged-in-missing-header"
    )
    assert matching(sysaid, "getChat", missing("x-request-id"), get_chat, refused) is None, "not a credential"
    assert matching(sysaid, "getChat", missing("x-sysaid-hostname"), get_chat, response(200, THREAD)) is None


def test_a_generated_content_type_header_that_replaces_the_bodys_media_type_is_recognised():
    asapp = load_contract("asapp-metadata-ingestion")
    rejected = openapi_failures.RejectedPositiveData(
        operation="x", message="m", status_code=400, allowed_statuses=["2xx"]
    )
    label = "POST /metadata-ingestion/v1/single-agent-metadata"
    refusal = response(400, {"result": {"error": "FAIL_BAD_PARAMS: ERROR: Content-type is not supported"}})
    overridden = case(label=label, media_type="application/json", headers={"Content-Type": "t'Ac{,]RoT"})
    assert matching(asapp, "singleAgentMetadata", rejected, overridden, refusal) == "generated-content-type-header"
    same = case(label=label, media_type="application/json", headers={"content-type": "application/json; charset=utf-8"})
    assert matching(asapp, "singleAgentMetadata", rejected, same, refusal) is None, "the declared media type"
    plain = case(label=label, media_type="application/json", headers={"X-Other": "1"})
    assert matching(asapp, "singleAgentMetadata", rejected, plain, refusal) is None
    assert matching(asapp, "singleAgentMetadata", rejected, overridden, response(500, {})) is None, "not a 4xx"


def _schema_error(title: str) -> Any:
    try:
        jsonschema_rs.validator_for({"type": "string"}).validate({"data": "{}", "event": "message"})
    except jsonschema_rs.ValidationError as exc:
        return openapi_failures.JsonSchemaError(operation="x", exc=exc, root_schema={"type": "string"}, title=title)
    raise AssertionError("the instance is not a string")


def test_only_sse_events_of_streams_declaring_x_sse_events_are_scoped_out():
    sysaid = load_contract(SYSAID)
    stream = case(label="GET /api/stream/{sid}")
    event = _schema_error("SSE event violates schema")
    sse = response(200, 'data: {"status":"stream","content":"a"}\n\n', "text/event-stream")
    assert matching(sysaid, "streamChat", event, stream, sse) == "sse-events-against-the-stream-schema"
    other = _schema_error("Response violates schema")
    assert matching(sysaid, "streamChat", other, stream, sse) is None
    assert matching(sysaid, "streamChat", event, stream, response(400, "Stream not found")) is None


def test_a_failure_about_a_probe_is_judged_once_the_probes_answer_is_known():
    """ignored_auth names the request it sent without credentials; the hook only has the authenticated answer."""
    sysaid = load_contract(SYSAID)
    hooks: dict[str, Any] = {}
    schema = SimpleNamespace(hook=lambda name: lambda function: hooks.setdefault(name, function))
    context = CampaignContext(SYSAID, sysaid, None, Redactor(()), profile_for(SYSAID))
    install(schema, context)  # type: ignore[arg-type]
    ignored = openapi_failures.IgnoredAuth(operation="x", message="m", scenario=AuthScenario.NO_AUTH, case_id="probe")
    parent = case(label="GET /api/chat/{chatuid}", id="parent")
    assert hooks["filter_failure"](None, ignored, parent, response(200, THREAD)) is False
    deferred = context.deferred["probe"]
    assert deferred.resolve(sysaid, response(200, NOT_LOGGED_IN)) is True
    assert deferred.resolve(sysaid, response(200, THREAD)) is False
    assert not context.suppressed, "counted only once judged"
    outside = case(label="POST /api/chat", id="parent")
    assert hooks["filter_failure"](None, ignored, outside, response(200, THREAD)) is True, "no entry covers it"
