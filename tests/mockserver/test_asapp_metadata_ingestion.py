"""ASAPP Metadata Ingestion mock: credentials, single and batch ingestion, stored records, errors, vendor limits."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR, load_contract
from mockserver.clock import Clock
from mockserver.errors import FixtureError
from mockserver.pipeline.compiler import compile_api
from mockserver.store import SqliteStore
from mockserver.vendors import Behaviour
from mockserver.vendors import asapp_metadata_ingestion as asapp

MakeClient = Callable[..., TestClient]

SPEC = "asapp-metadata-ingestion"
BASE = f"/{SPEC}/metadata-ingestion/v1"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text(encoding="utf-8"))[SPEC]
AUTH = {"asapp-api-id": CREDENTIALS["api_id"], "asapp-api-secret": CREDENTIALS["api_secret"]}
PRODUCTION = {"asapp-api-id": "asapp-prod-app-id", "asapp-api-secret": "asapp-prod-app-secret"}
QUOTA_DEMO = {"asapp-api-id": "asapp-quota-demo-app-id", "asapp-api-secret": "asapp-quota-demo-app-secret"}
NOT_ENABLED = {"asapp-api-id": "asapp-disabled-app-id", "asapp-api-secret": "asapp-disabled-app-secret"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
BLANK_AGENT = "FAIL_BAD_PARAMS: ERROR: agent id cannot be blank"
OPERATION_PATHS = {
    "singleAgentMetadata": "single-agent-metadata",
    "manyAgentMetadata": "many-agent-metadata",
    "singleConvoMetadata": "single-convo-metadata",
    "manyConversationMetadata": "many-convo-metadata",
    "singleCustomerMetadata": "single-customer-metadata",
    "manyCustomerMetadata": "many-customer-metadata",
}


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A fresh mock serving only this contract."""
    return make_client(specs=(SPEC,))


def records(client: TestClient, collection: str) -> list[dict[str, Any]]:
    response = client.get(f"/__admin/records/{SPEC}/{collection}")
    found: list[dict[str, Any]] = response.json()["records"] if response.status_code == 200 else []
    return found


def assert_envelope(response: httpx.Response, status: int, message_start: str) -> dict[str, Any]:
    assert response.status_code == status
    error: dict[str, Any] = response.json()["error"]
    assert UUID.match(error["requestId"])
    assert error["code"] == f"{status}-01"
    assert error["message"].startswith(message_start)
    return error


# -- contract examples and single ingestion ---------------------------------------------------------------------


@pytest.mark.parametrize("operation_id", sorted(OPERATION_PATHS))
def test_every_contract_request_example_is_accepted(client: TestClient, operation_id: str) -> None:
    operation = load_contract(SPEC).operations[operation_id]
    assert operation.request_body is not None
    examples = operation.request_body.content["application/json"].examples
    assert examples
    for example in examples.values():
        response = client.post(f"{BASE}/{OPERATION_PATHS[operation_id]}", json=example, headers=AUTH)
        assert response.status_code == 200, response.text
        body = response.json()
        errors = [body["result"]["error"]] if "result" in body else [r["error"] for r in body["results"]]
        assert errors and all(error == "" for error in errors)


def test_single_agent_generates_a_uuid_event_id_and_stores_the_record(client: TestClient) -> None:
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "agent158"}, headers=AUTH)
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["error"] == "" and UUID.match(result["eventId"])
    [record] = records(client, "acme-sandbox.agent")
    assert record["eventId"] == result["eventId"] and record["submissions"] == 1
    assert record["metadata"] == {"externalAgentId": "agent158", "eventId": result["eventId"]}


def test_sent_event_id_is_echoed_and_resending_it_is_an_idempotent_accept(client: TestClient) -> None:
    first = {"externalAgentId": "agent158", "eventId": "eventId-158", "lobName": "retail"}
    second = {**first, "lobName": "manufacturing"}
    for body in (first, second):
        response = client.post(f"{BASE}/single-agent-metadata", json=body, headers=AUTH)
        assert response.status_code == 200
        assert response.json() == {"result": {"eventId": "eventId-158", "error": ""}}
    [record] = records(client, "acme-sandbox.agent")
    assert record["submissions"] == 2 and record["metadata"]["lobName"] == "manufacturing"


def test_records_are_kept_per_app_and_entity(client: TestClient) -> None:
    convo = {"externalConversationId": "issue1389", "eventId": "ev-1", "deviceType": None}
    customer = {"externalConversationId": "issue509", "externalCustomerId": "555.555.0100-jdoe@example.com"}
    assert client.post(f"{BASE}/single-convo-metadata", json=convo, headers=AUTH).status_code == 200
    assert client.post(f"{BASE}/single-convo-metadata", json=convo, headers=PRODUCTION).status_code == 200
    assert client.post(f"{BASE}/single-customer-metadata", json=customer, headers=AUTH).status_code == 200
    collections = client.get(f"/__admin/records/{SPEC}").json()["collections"]
    assert collections["acme-sandbox.convo"] == 1
    assert collections["acme-production.convo"] == 1
    assert collections["acme-sandbox.customer"] == 1
    assert (
        records(client, "acme-sandbox.customer")[0]["metadata"]["externalCustomerId"] == customer["externalCustomerId"]
    )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"lobId": "1038"}, BLANK_AGENT),
        ({"externalAgentId": ""}, BLANK_AGENT),
        ({"externalAgentId": None}, BLANK_AGENT),
        ({"externalAgentId": "agent 158"}, "FAIL_BAD_PARAMS: ERROR: externalAgentId: 'agent 158' does not match"),
        ({"externalAgentId": "a", "emailAddress": "nope"}, "FAIL_BAD_PARAMS: ERROR: emailAddress: 'nope' is not"),
    ],
)
def test_single_invalid_item_is_400_in_the_result_shape(client: TestClient, body: Any, error: str) -> None:
    response = client.post(f"{BASE}/single-agent-metadata", json=body, headers=AUTH)
    assert response.status_code == 400
    assert set(response.json()) == {"result"}
    assert response.json()["result"]["error"].startswith(error)
    assert records(client, "acme-sandbox.agent") == []


def test_single_customer_names_each_missing_id(client: TestClient) -> None:
    response = client.post(f"{BASE}/single-customer-metadata", json={"externalCustomerId": "x@y"}, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["result"]["error"] == "FAIL_BAD_PARAMS: ERROR: conversation id cannot be blank"
    response = client.post(f"{BASE}/single-customer-metadata", json={"externalConversationId": "c1"}, headers=AUTH)
    assert response.json()["result"]["error"] == "FAIL_BAD_PARAMS: ERROR: customer id cannot be blank"


def test_single_body_not_json_or_not_json_media_type_is_400_without_event_id(client: TestClient) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = client.post(f"{BASE}/single-convo-metadata", content=b"{nope", headers=headers)
    assert response.status_code == 400
    assert response.json()["result"]["error"].startswith("FAIL_BAD_PARAMS: ERROR: request body is not valid JSON")
    assert "eventId" not in response.json()["result"]
    response = client.post(
        f"{BASE}/single-convo-metadata", content=b"x", headers={**AUTH, "Content-Type": "text/plain"}
    )
    assert response.status_code == 400
    assert "Content-type" in response.json()["result"]["error"]


# -- batches ---------------------------------------------------------------------------------------------------


def test_batch_partial_success_is_200_with_results_in_request_order(client: TestClient) -> None:
    items = [
        {"externalAgentId": "agent1", "eventId": "ev-1"},
        {"lobId": "1038", "eventId": "ev-2"},
        {"externalAgentId": "agent3", "languages": ["en-us", "a-language-code-too-long"]},
        "not an object",
        {"externalAgentId": "agent5"},
    ]
    response = client.post(f"{BASE}/many-agent-metadata", json={"items": items}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["errorCount"] == 3
    results = body["results"]
    assert [r["eventId"] for r in results[:2]] == ["ev-1", "ev-2"]
    assert all(UUID.match(r["eventId"]) for r in results[2:])
    assert [r["error"] for r in (results[0], results[4])] == ["", ""]
    assert results[1]["error"] == BLANK_AGENT
    assert results[2]["error"].startswith("FAIL_BAD_PARAMS: ERROR: languages.1: 'a-language-code-too-long' is too long")
    assert results[3]["error"] == "FAIL_BAD_PARAMS: ERROR: 'not an object' is not of type 'object'"
    stored = {r["eventId"] for r in records(client, "acme-sandbox.agent")}
    assert stored == {"ev-1", results[4]["eventId"]}


def test_batch_items_are_checked_against_the_contract_item_schema(client: TestClient) -> None:
    items = [
        {"externalConversationId": "c1", "platform": None, "operatingSystem": "LINUX"},
        {"externalConversationId": "c2", "platform": "FAX"},
        {"externalConversationId": "c3", "eventId": "bad id"},
        {"externalConversationId": "c4", "attributes": [{"name": "n", "value": "v"}] * 11},
    ]
    response = client.post(f"{BASE}/many-convo-metadata", json={"items": items}, headers=AUTH)
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["error"] == ""
    assert results[1]["error"].startswith("FAIL_BAD_PARAMS: ERROR: platform: 'FAX' is not one of")
    assert results[2]["error"].startswith("FAIL_BAD_PARAMS: ERROR: eventId: 'bad id' does not match")
    assert results[2]["eventId"] != "bad id" and UUID.match(results[2]["eventId"])
    assert results[3]["error"].startswith("FAIL_BAD_PARAMS: ERROR: attributes: ")
    assert results[3]["error"].endswith("is too long")


def test_batch_where_every_item_fails_is_400_in_the_batch_shape(client: TestClient) -> None:
    items = [{"externalCustomerId": "x@y"}, {"externalConversationId": "c1"}]
    response = client.post(f"{BASE}/many-customer-metadata", json={"items": items}, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["errorCount"] == 2
    assert [r["error"] for r in response.json()["results"]] == [
        "FAIL_BAD_PARAMS: ERROR: conversation id cannot be blank",
        "FAIL_BAD_PARAMS: ERROR: customer id cannot be blank",
    ]
    assert client.get(f"/__admin/records/{SPEC}/acme-sandbox.customer").status_code == 404


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"items": []}, "FAIL_BAD_PARAMS: ERROR: items must hold between 1 and 1000 entries"),
        (
            {"items": [{"externalAgentId": "a"}] * 1001},
            "FAIL_BAD_PARAMS: ERROR: items must hold between 1 and 1000 entries",
        ),
        ({}, "FAIL_BAD_PARAMS: ERROR: 'items' is a required property"),
        ({"items": "agent1"}, "FAIL_BAD_PARAMS: ERROR: items: 'agent1' is not of type 'array'"),
    ],
)
def test_invalid_batch_envelope_is_400_with_one_result_and_no_event_id(
    client: TestClient, body: Any, error: str
) -> None:
    response = client.post(f"{BASE}/many-agent-metadata", json=body, headers=AUTH)
    assert response.status_code == 400
    assert response.json() == {"errorCount": 1, "results": [{"error": error}]}


def test_batch_of_1000_items_is_accepted(client: TestClient) -> None:
    items = [{"externalAgentId": f"agent{i}"} for i in range(1000)]
    response = client.post(f"{BASE}/many-agent-metadata", json={"items": items}, headers=AUTH)
    assert response.status_code == 200
    assert response.json()["errorCount"] == 0 and len(response.json()["results"]) == 1000
    assert client.get(f"/__admin/records/{SPEC}").json()["collections"]["acme-sandbox.agent"] == 1000


def test_the_pipeline_checks_only_the_batch_envelope_of_per_item_operations() -> None:
    contract = load_contract(SPEC)
    behaviour = Behaviour.load(SPEC)
    api = compile_api(contract, f"/{SPEC}", behaviour.handlers(contract), behaviour.security)
    for operation_id in OPERATION_PATHS:
        body = api.operations[operation_id].body
        assert body is not None
        schema = body.media[0].schema
        if operation_id.startswith("many"):
            assert schema["properties"]["items"]["items"] == {}
            assert (schema["required"], schema["properties"]["items"]["maxItems"]) == (["items"], 1000)
        else:
            assert "externalAgentId" in str(schema) or "externalConversationId" in str(schema)


# -- credentials, access and error envelopes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Unauthorized: send both the asapp-api-id and the asapp-api-secret header"),
        ({"asapp-api-id": AUTH["asapp-api-id"]}, "Unauthorized: send both"),
        ({"asapp-api-secret": AUTH["asapp-api-secret"]}, "Unauthorized: send both"),
        ({"asapp-api-id": "unknown", "asapp-api-secret": "x"}, "Unauthorized: asapp-api-id is not the id of a known"),
        ({**AUTH, "asapp-api-secret": PRODUCTION["asapp-api-secret"]}, "Unauthorized: asapp-api-secret does not match"),
    ],
)
def test_missing_or_wrong_credentials_are_401_in_the_error_envelope(
    client: TestClient, headers: dict[str, str], message: str
) -> None:
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=headers)
    assert_envelope(response, 401, message)


def test_every_error_carries_a_fresh_request_id(client: TestClient) -> None:
    ids = {
        client.post(f"{BASE}/many-agent-metadata", json={"items": [{}]}).json()["error"]["requestId"] for _ in range(3)
    }
    assert len(ids) == 3


def test_app_without_metadata_ingestion_enabled_is_403(client: TestClient) -> None:
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=NOT_ENABLED)
    assert_envelope(response, 403, "Forbidden Response: Metadata Ingestion is not enabled for app 'acme-not-enabled'")


def test_body_above_the_limit_is_413(make_client: MakeClient) -> None:
    client = make_client(specs=(SPEC,), max_body_bytes=512)
    items = [{"externalAgentId": f"agent{i}"} for i in range(100)]
    response = client.post(f"{BASE}/many-agent-metadata", json={"items": items}, headers=AUTH)
    assert_envelope(response, 413, "Request Entity Too Large: Request body exceeds 512 bytes")


@pytest.mark.parametrize(("status", "message"), [(409, "Conflict"), (422, "Unprocessable Entity"), (404, "Not Found")])
def test_statuses_without_a_documented_trigger_come_from_fault_injection(
    client: TestClient, status: int, message: str
) -> None:
    fault = client.put(f"/__admin/faults/{SPEC}/singleAgentMetadata", json={"status": status})
    assert fault.status_code == 200
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=AUTH)
    assert_envelope(response, status, message)


# -- vendor limits -----------------------------------------------------------------------------------------------


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wall time stands still at 2030-01-01T23:59:00Z; only the admin API's clock advance moves it."""
    start = datetime(2030, 1, 1, 23, 59, tzinfo=UTC).timestamp()
    monkeypatch.setattr(Clock, "now", lambda self: start + self.offset())


def advance(client: TestClient, seconds: float) -> None:
    assert client.post("/__admin/clock/advance", json={"seconds": seconds}).status_code == 200


def test_limits_are_not_enforced_unless_vendor_limits_are_on(client: TestClient) -> None:
    for _ in range(5):
        response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=QUOTA_DEMO)
        assert response.status_code == 200


def test_daily_quota_is_429_with_retry_after_until_midnight_utc(make_client: MakeClient, frozen_clock: None) -> None:
    client = make_client(specs=(SPEC,), vendor_limits=True)
    for _ in range(3):
        response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=QUOTA_DEMO)
        assert response.status_code == 200
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=QUOTA_DEMO)
    assert_envelope(response, 429, "Too Many Requests: daily quota of 3 requests reached")
    assert response.headers["Retry-After"] == "60"
    other = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=AUTH)
    assert other.status_code == 200
    advance(client, 60)
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=QUOTA_DEMO)
    assert response.status_code == 200


def test_spike_arrest_allows_100_requests_per_second_per_app(make_client: MakeClient, frozen_clock: None) -> None:
    client = make_client(specs=(SPEC,))
    assert client.patch("/__admin/settings", json={"vendorLimits": True}).status_code == 200
    for _ in range(100):
        response = client.post(f"{BASE}/many-agent-metadata", json={"items": [{}]}, headers=AUTH)
        assert response.status_code == 400
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=AUTH)
    assert_envelope(response, 429, "Too Many Requests: spike arrest")
    assert response.headers["Retry-After"] == "1"
    assert client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=PRODUCTION).is_success
    advance(client, 1)
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=AUTH)
    assert response.status_code == 200
    [usage] = [u for u in records(client, "usage") if u["requestsToday"] == 101]
    assert usage["day"] == "2030-01-01"


def test_fixture_apps_sharing_an_api_id_are_refused() -> None:
    app = {"apiId": "same", "apiSecret": "s", "environment": "sandbox", "metadataIngestion": True}
    with pytest.raises(FixtureError, match="share apiId 'same'"):
        asapp.validate_fixture({"apps": {"first": app, "second": app}})


def test_daily_quota_defaults_to_the_vendor_figure_per_environment() -> None:
    store = SqliteStore()
    fixture = yaml.safe_load((FIXTURES_DIR / f"{SPEC}.yaml").read_text(encoding="utf-8"))
    asyncio.run(asapp.seed(store, fixture))
    quotas = {app["name"]: app["dailyQuota"] for app in asyncio.run(store.find(f"{SPEC}/apps"))}
    assert quotas["acme-sandbox"] == 10_000 and quotas["acme-production"] == 50_000
    assert quotas["acme-quota-demo"] == 3
