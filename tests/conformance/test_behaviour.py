"""The behaviour rules, without a server: each reads its statement from the real contracts and judges answers."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from conformance.answers import parse_events
from conformance.behaviour.batches import batch_problem
from conformance.behaviour.extensions import (
    Batch,
    EventSchemas,
    EventStream,
    LongOperation,
    Ordering,
    OwnerOnly,
    Paging,
    TokenLifetime,
    visibility_rules,
)
from conformance.behaviour.identities import hidden_fields_present, is_refusal
from conformance.behaviour.long_operations import settled_problem
from conformance.behaviour.paging import ordering_problem, paging_problem
from conformance.behaviour.streams import event_schema_problem, framing_problem
from conformance.behaviour.tokens import lifetime_problem
from conformance.errors import ConfigurationError
from contracts import Operation, load_contract


def _operation(spec: str, operation_id: str) -> Operation:
    operation = load_contract(spec).operation(operation_id)
    assert operation is not None
    return operation


def _statement(spec: str, operation_id: str, kind: Any) -> Any:
    statement = kind.of(_operation(spec, operation_id))
    assert statement is not None, f"{operation_id} states no {kind.__name__}"
    return statement


RECORDS = _statement("sysaid-copilot", "queryDatasetRecords", Paging)
EVENTS = _statement("alvaria-messaging", "getStreamingEvents", Paging)
ORDER = _statement("sysaid-copilot", "queryDatasetRecords", Ordering)
BATCH = _statement("asapp-metadata-ingestion", "manyAgentMetadata", Batch)
STREAM = _statement("sysaid-copilot", "streamChat", EventStream)
ESCALATION = _statement("sysaid-copilot", "createSrFromChat", LongOperation)
LIFETIME = _statement("aisera-ingestion", "requestIngestionToken", TokenLifetime)


def _page(count: int, total: int, limit: int = 2, offset: int = 0) -> dict[str, Any]:
    records = [{"id": 100 - i} for i in range(count)]
    return {"status": "ok", "total": total, "records": records, "limit": limit, "offset": offset}


@pytest.mark.parametrize(
    ("limit", "offset", "body"),
    [(2, 0, _page(2, 3)), (2, 2, _page(1, 3, offset=2)), (2, 5, _page(0, 3, offset=5)), (100, 0, _page(3, 3, 100))],
)
def test_a_page_that_follows_limit_offset_and_total_passes(limit: int, offset: int, body: dict[str, Any]):
    assert paging_problem(RECORDS, limit, offset, body) is None


@pytest.mark.parametrize(
    ("limit", "offset", "body", "received"),
    [
        (2, 0, _page(3, 3), "3 records for limit 2"),
        (2, 2, _page(2, 3, offset=2), "2 records with total 3, offset 2, limit 2"),
        (2, 0, _page(1, 3), "1 records with total 3, offset 0, limit 2"),
        (2, 0, _page(2, 3, limit=100), "limit 100 in the answer to limit 2"),
        (2, 1, _page(1, 2, offset=0), "offset 0 in the answer to offset 1"),
    ],
)
def test_a_page_that_ignores_the_request_is_named(limit: int, offset: int, body: dict[str, Any], received: str):
    problem = paging_problem(RECORDS, limit, offset, body)
    assert problem is not None and problem[0] == received


def test_paging_ignores_errors_and_unknown_limits():
    assert paging_problem(RECORDS, 2, 0, {"status": "error", "error": "User is not admin"}) is None
    assert paging_problem(RECORDS, None, 0, _page(5, 5)) is None
    assert paging_problem(EVENTS, 1, None, {"events": [{}, {}]}) == (
        "2 events for maxEvents 1",
        "at most maxEvents (1) events",
    )


@pytest.mark.parametrize(
    ("order", "ids"),
    [
        ([["id", "DESC"]], [19, 18, 17]),
        ([["id", "ASC"]], [17, 18, 19]),
        ([["updatedAt", "DESC"], ["id", "ASC"]], [17, 18, 19]),
    ],
)
def test_items_in_the_requested_order_pass(order: Any, ids: list[int]):
    records = [{"id": i, "updatedAt": "2024-07-02T10:00:00.000Z"} for i in ids]
    assert ordering_problem(ORDER, order, {"records": records}) is None


def test_items_out_of_order_are_named_with_the_pair_that_breaks_it():
    records = [{"id": 17}, {"id": 19}, {"id": 18}]
    assert ordering_problem(ORDER, [["id", "DESC"]], {"records": records}) == (
        "records[0].id 17 before records[1].id 19",
        "records ordered by [['id', 'DESC']] (id DESC)",
    )


def test_timestamps_are_compared_as_times_and_empty_values_not_at_all():
    later, earlier = "2024-07-02T10:00:00Z", "2024-07-02T09:59:59.500Z"
    assert (
        ordering_problem(ORDER, [["createdAt", "DESC"]], {"records": [{"createdAt": later}, {"createdAt": earlier}]})
        is None
    )
    assert ordering_problem(ORDER, [["createdAt", "ASC"]], {"records": [{"createdAt": later}, {"createdAt": earlier}]})
    unknown = [{"createdAt": None}, {"createdAt": earlier}, {"createdAt": None}]
    assert ordering_problem(ORDER, [["createdAt", "ASC"]], {"records": unknown}) is None
    assert ordering_problem(ORDER, [["id", "SIDEWAYS"]], {"records": [{"id": 1}, {"id": 2}]}) is None


def _results(*errors: str) -> dict[str, Any]:
    return {"errorCount": sum(1 for e in errors if e), "results": [{"eventId": "e", "error": e} for e in errors]}


@pytest.mark.parametrize(
    ("status", "items", "body", "fragment"),
    [
        (200, [{}, {}], _results("", "bad"), None),
        (400, [{}, {}], _results("bad", "bad"), None),
        (200, [{}, {}], _results("bad", "bad"), "HTTP 200 with every item failed (2 of 2)"),
        (400, [{}, {}], _results("", "bad"), "HTTP 400 with 1 accepted item(s)"),
        (200, [{}, {}, {}], _results("", "bad"), "2 results for 3 items"),
        (400, "not a list", _results("items must be an array"), None),
        (401, [{}], {"error": {"code": "401-01"}}, None),
    ],
)
def test_batch_results_and_status_follow_the_rule(status: int, items: Any, body: Any, fragment: str | None):
    problem = batch_problem(BATCH, status, items, body)
    assert (problem[0] if problem else None) == fragment


def test_admin_only_fields_are_read_from_the_contract_and_found_in_answers():
    contract = load_contract("sysaid-copilot")
    thread = visibility_rules(contract, _operation("sysaid-copilot", "getChat"))
    assert [(rule.path, rule.roles) for rule in thread] == [(("messages", "*", "info"), ("admin",))]
    assert "only included if the user requesting the chat is an admin" in thread[0].statement
    answer = [(rule.path, rule.roles) for rule in visibility_rules(contract, _operation("sysaid-copilot", "startChat"))]
    assert answer == [(("system",), ("admin",))]
    body = {"status": "ok", "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "info": "KB-1"}]}
    assert [where for where, _ in hidden_fields_present(thread, "user", body)] == ["messages[1].info"]
    assert hidden_fields_present(thread, "admin", body) == []


def test_owner_only_refusals_are_in_band_or_documented_statuses():
    owner_only = _statement("sysaid-copilot", "getChat", OwnerOnly)
    refusal = owner_only.refusal
    assert is_refusal(200, {"status": "error", "error": "Chat belongs to another user"}, refusal)
    assert is_refusal(400, {"status": "error"}, refusal)
    assert not is_refusal(200, {"status": "ok", "messages": []}, refusal)
    assert owner_only.describe_refusal() == "HTTP 400 or 401, or an answer with status 'error'"


STREAM_OK = (
    'data: {"status":"stream","content":"Restart the VPN client"}\n\n'
    'data: {"status":"stream","content":" and sign in again."}\n\n'
    'event: done\ndata: {"status":"ok","chatuid":"x","response":"Restart the VPN client and sign in again."}\n\n'
)


def test_a_stream_framed_as_declared_passes_and_parses():
    assert framing_problem(STREAM, STREAM_OK, complete=True) is None
    assert [event.name for event in parse_events(STREAM_OK)] == ["message", "message", "done"]
    assert framing_problem(STREAM, 'event: error\ndata: {"status":"error","error":"No Answer"}\n\n', True) is None


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (STREAM_OK.split("event: done")[0], "the stream ends with one of done, error"),
        (STREAM_OK + 'data: {"status":"stream","content":"more"}\n\n', "nothing after a final event"),
        (STREAM_OK.rstrip("\n"), "every event ends with a blank line"),
        ("data: not json\n\n" + STREAM_OK, "each event carries one JSON object"),
        (STREAM_OK.replace('sign in again."}\n\nevent', 'sign in."}\n\nevent'), "done.response is the content"),
        ("", "every event ends with a blank line"),
    ],
)
def test_stream_framing_problems_are_named(text: str, rule: str):
    problem = framing_problem(STREAM, text, complete=True)
    assert problem is not None and problem[1].startswith(rule)


def test_stream_events_are_judged_against_the_schemas_x_sse_events_names():
    schemas = EventSchemas.of(load_contract("sysaid-copilot"), _operation("sysaid-copilot", "streamChat"), 200)
    assert schemas is not None and set(schemas.schemas) == {"message", "done", "error"}
    done = 'event: done\ndata: {"status":"ok","chatuid":"3f2b9c1e-0d4a-4e5b-9c7d-2a1b3c4d5e6f","response":"a"}\n\n'
    assert event_schema_problem(schemas, 'data: {"status":"stream","content":"a"}\n\n' + done) is None
    assert event_schema_problem(schemas, 'event: error\ndata: {"status":"error","error":"No Answer"}\n\n') is None
    assert event_schema_problem(schemas, "data: not json\n\n") is None, "framing, not the schema, judges that"
    missing = event_schema_problem(schemas, 'event: done\ndata: {"status":"ok","response":"a"}\n\n')
    assert missing == (
        """event 0 (done) data {"status": "ok", "response": "a"}: 'chatuid' is a required property at data""",
        "the data of a 'done' event valid against its schema",
    )
    wrong = event_schema_problem(schemas, 'data: {"status":"stream","content":7}\n\n')
    assert wrong is not None and wrong[0].endswith("7 is not of type 'string' at content")
    unknown = event_schema_problem(schemas, "event: ping\ndata: {}\n\n")
    assert unknown == ("event 0 named 'ping'", "events named message, done, error")
    assert EventSchemas.of(load_contract("sysaid-copilot"), _operation("sysaid-copilot", "startChat"), 200) is None


def test_a_stream_cut_short_by_the_client_is_judged_on_what_was_read():
    assert framing_problem(STREAM, STREAM_OK.split("event: done")[0], complete=False) is None


def test_a_long_operation_settles_unless_stuck_or_polled_wrong():
    assert settled_problem(ESCALATION, 200, {"status": "completed"}, timed_out=False) is None
    assert settled_problem(ESCALATION, 200, {"status": "failed"}, timed_out=False) is None, "failed is a final state"
    stuck = settled_problem(ESCALATION, 200, {"status": "in-progress"}, timed_out=True)
    assert stuck is not None and stuck[0] == "status still 'in-progress' after 10s"
    assert settled_problem(ESCALATION, 404, "Long operation not found", timed_out=False) is not None


@pytest.mark.parametrize(("expires_in", "ok"), [(3600, True), (1800, True), (3601, False), (0, False), ("1h", False)])
def test_a_token_lifetime_above_the_documented_one_is_named(expires_in: Any, ok: bool):
    assert (lifetime_problem(LIFETIME, {"access_token": "t", "expires_in": expires_in}) is None) is ok


def test_a_malformed_extension_fails_loudly_naming_the_operation():
    real = _operation("sysaid-copilot", "getHealth")
    things = dataclasses.replace(real, operation_id="listThings", method="get", path="/things")
    operation = dataclasses.replace(things, extensions={"x-paging": {"limit": {}}})
    with pytest.raises(ConfigurationError, match=r"GET /things \[listThings\]: x-paging needs a `statement`"):
        Paging.of(operation)
    broken = dataclasses.replace(things, extensions={"x-paging": {"statement": "s"}})
    with pytest.raises(ConfigurationError, match="x-paging needs `limit`"):
        Paging.of(broken)
