"""Overrides (`POST /__admin/overrides`): the next N matching calls of an operation get a chosen documented answer,
then normal behaviour resumes; answers the contract does not declare are refused; listing, deleting, resetting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR

MakeClient = Callable[..., TestClient]

CREDENTIALS: dict[str, Any] = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text(encoding="utf-8"))
ASAPP = "asapp-metadata-ingestion"
BASE = f"/{ASAPP}/metadata-ingestion/v1"
HEADERS = {"asapp-api-id": CREDENTIALS[ASAPP]["api_id"], "asapp-api-secret": CREDENTIALS[ASAPP]["api_secret"]}
TOO_MANY = {"error": {"requestId": "r-1", "code": "429-01", "message": "Too Many Requests"}}
CONFLICT = {"error": {"requestId": "r-2", "code": "409-01", "message": "Conflict"}}
INGESTION = "aisera-ingestion"


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client(specs=(ASAPP, INGESTION))


def agent(client: TestClient, name: str, headers: dict[str, str] | None = None) -> httpx.Response:
    response: httpx.Response = client.post(
        f"{BASE}/single-agent-metadata", json={"externalAgentId": name}, headers={**HEADERS, **(headers or {})}
    )
    return response


def install(client: TestClient, operation: str = "singleAgentMetadata", **fields: Any) -> dict[str, Any]:
    body = {"spec": ASAPP, "operationId": operation, "response": {"status": 429, "body": TOO_MANY}, **fields}
    response = client.post("/__admin/overrides", json=body)
    assert response.status_code == 201, response.text
    installed: dict[str, Any] = response.json()
    return installed


def refused(client: TestClient, **body: Any) -> str:
    response = client.post("/__admin/overrides", json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail: str = response.json()["detail"]
    return detail


def listed(client: TestClient) -> list[dict[str, Any]]:
    response = client.get("/__admin/overrides")
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.json()["overrides"]
    return found


def test_the_next_n_calls_get_the_answer_then_normal_behaviour_resumes(client: TestClient) -> None:
    installed = install(client, times=2, response={"status": 429, "body": TOO_MANY, "headers": {"Retry-After": "3"}})
    assert (installed["remaining"], installed["skip"]) == (2, 0)
    first = agent(client, "agent-1")
    assert first.status_code == 429
    assert first.json() == TOO_MANY
    assert first.headers["retry-after"] == "3"
    assert first.headers["content-type"].startswith("application/json")
    assert [item["remaining"] for item in listed(client)] == [1]
    assert agent(client, "agent-2").status_code == 429
    assert listed(client) == []
    normal = agent(client, "agent-3")
    assert normal.status_code == 200
    assert normal.json()["result"]["eventId"]
    journal = client.get("/__admin/journal", params={"operationId": "singleAgentMetadata"}).json()["entries"]
    assert [(entry["status"], entry.get("override")) for entry in journal] == [
        (429, installed["id"]),
        (429, installed["id"]),
        (200, None),
    ]


def test_an_override_on_one_operation_leaves_the_others_alone(client: TestClient) -> None:
    install(client, operation="singleConvoMetadata", times=5)
    assert agent(client, "agent-1").status_code == 200
    convo = client.post(f"{BASE}/single-convo-metadata", json={"externalConversationId": "c-1"}, headers=HEADERS)
    assert convo.status_code == 429
    assert [item["remaining"] for item in listed(client)] == [4]


def test_matching_by_body_overrides_only_matching_calls(client: TestClient) -> None:
    install(client, match={"body": {"externalAgentId": "agent-2"}})
    assert agent(client, "agent-1").status_code == 200
    assert [item["remaining"] for item in listed(client)] == [1]  # a call that does not match uses nothing up
    matched = agent(client, "agent-2")
    assert matched.status_code == 429 and matched.json() == TOO_MANY
    assert agent(client, "agent-2").status_code == 200


def test_matching_by_header_compares_names_case_insensitively_and_values_exactly(client: TestClient) -> None:
    install(client, match={"headers": {"X-Tenant": "blue"}})
    assert agent(client, "agent-1").status_code == 200
    assert agent(client, "agent-1", {"X-Tenant": "green"}).status_code == 200
    assert agent(client, "agent-1", {"X-Tenant": "Blue"}).status_code == 200
    assert len(listed(client)) == 1
    assert agent(client, "agent-1", {"x-tenant": "blue"}).status_code == 429
    assert listed(client) == []


def test_skip_counts_only_matching_calls(client: TestClient) -> None:
    install(client, skip=1, match={"body": {"externalAgentId": "agent-2"}})
    statuses = [agent(client, name).status_code for name in ("agent-1", "agent-2", "agent-1", "agent-2", "agent-2")]
    assert statuses == [200, 200, 200, 429, 200]


def test_calls_are_authenticated_and_validated_before_an_override_answers(client: TestClient) -> None:
    install(client)
    unauthenticated = agent(client, "agent-1", {"asapp-api-secret": "wrong"})
    assert unauthenticated.status_code == 401
    invalid = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "bad id!"}, headers=HEADERS)
    assert invalid.status_code == 400
    assert [item["remaining"] for item in listed(client)] == [1]  # neither refusal used the override up
    assert agent(client, "agent-1").status_code == 429


def test_several_overrides_answer_in_the_order_they_were_installed(client: TestClient) -> None:
    first = install(client)
    second = install(client, response={"status": 409, "body": CONFLICT})
    assert first["id"] != second["id"]
    assert [agent(client, "a").status_code for _ in range(3)] == [429, 409, 200]


def test_restoring_a_snapshot_keeps_the_overrides_installed_since(client: TestClient) -> None:
    assert client.post("/__admin/snapshots", json={"name": "before"}).status_code == 201
    install(client)
    assert client.post("/__admin/snapshots/before/restore").status_code == 200
    assert len(listed(client)) == 1
    assert agent(client, "a").status_code == 429


# --- refused overrides --------------------------------------------------------------------------------------------


def test_a_status_the_operation_does_not_declare_is_refused(client: TestClient) -> None:
    detail = refused(client, spec=ASAPP, operationId="singleAgentMetadata", response={"status": 418})
    assert "status 418 is not declared" in detail
    assert "429" in detail and "200" in detail  # the declared statuses are listed
    assert listed(client) == []
    assert agent(client, "a").status_code == 200


def test_a_body_that_does_not_validate_is_refused(client: TestClient) -> None:
    missing = {"error": {"code": "429-01", "message": "Too Many Requests"}}
    detail = refused(client, spec=ASAPP, operationId="singleAgentMetadata", response={"status": 429, "body": missing})
    assert "does not match the schema" in detail and "requestId" in detail
    wrong_type = refused(client, spec=ASAPP, operationId="singleAgentMetadata", response={"status": 429, "body": "no"})
    assert "not of type 'object'" in wrong_type
    no_body = refused(client, spec=ASAPP, operationId="singleAgentMetadata", response={"status": 200})
    assert "does not match the schema" in no_body
    assert listed(client) == []
    assert agent(client, "a").status_code == 200


def test_an_undeclared_media_type_or_a_missing_required_header_is_refused(client: TestClient) -> None:
    text = refused(
        client,
        spec=ASAPP,
        operationId="singleAgentMetadata",
        response={"status": 429, "body": TOO_MANY, "mediaType": "text/plain"},
    )
    assert "media type text/plain is not declared" in text
    no_retry = refused(
        client,
        spec=INGESTION,
        operationId="ingestAlerts",
        response={"status": 429, "body": {"code": 429, "error": "x"}},
    )
    assert "required header Retry-After is missing" in no_retry
    assert listed(client) == []


def test_a_header_value_the_contract_does_not_allow_is_refused(client: TestClient) -> None:
    response = client.post(
        "/__admin/overrides",
        json={
            "spec": INGESTION,
            "operationId": "ingestAlerts",
            "response": {"status": 429, "body": {"code": 429, "error": "x"}, "headers": {"Retry-After": "soon"}},
        },
    )
    assert response.status_code == 400


def test_an_unknown_api_or_operation_is_refused_naming_the_known_ones(client: TestClient) -> None:
    unknown_api = refused(client, spec="nope", operationId="x", response={"status": 200})
    assert "nope" in unknown_api and ASAPP in unknown_api
    unknown_operation = refused(client, spec=ASAPP, operationId="singleAgentMetadatum", response={"status": 200})
    assert "singleAgentMetadatum" in unknown_operation and "singleAgentMetadata" in unknown_operation
    malformed = client.post("/__admin/overrides", json={"spec": ASAPP, "operationId": "singleAgentMetadata", "times": 0,
                                                      "response": {"status": 429, "body": TOO_MANY}})  # fmt: skip
    assert malformed.status_code == 400 and "times" in malformed.json()["detail"]
    assert listed(client) == []


# --- listing, deleting, reset -------------------------------------------------------------------------------------


def test_overrides_are_listed_and_deleted_one_by_one(client: TestClient) -> None:
    agents = install(client, times=3, match={"body": {"externalAgentId": "x"}})
    convos = install(client, operation="singleConvoMetadata", skip=1)
    shown = listed(client)
    assert [item["id"] for item in shown] == [agents["id"], convos["id"]]
    assert shown[0] == {**agents}
    assert shown[0]["match"] == {"body": {"externalAgentId": "x"}} and shown[0]["remaining"] == 3
    assert (shown[1]["operationId"], shown[1]["skip"]) == ("singleConvoMetadata", 1)
    assert shown[1]["response"] == {"status": 429, "body": TOO_MANY}

    assert client.delete(f"/__admin/overrides/{agents['id']}").status_code == 204
    assert [item["id"] for item in listed(client)] == [convos["id"]]
    assert agent(client, "x").status_code == 200  # the deleted override no longer answers
    again = client.delete(f"/__admin/overrides/{agents['id']}")
    assert again.status_code == 404 and agents["id"] in again.json()["detail"]
    assert client.delete("/__admin/overrides/not-an-id").status_code == 404

    assert client.delete("/__admin/overrides").status_code == 204
    assert listed(client) == []


def test_reset_clears_overrides_and_keeps_faults_and_the_journal(client: TestClient) -> None:
    install(client, times=10)
    assert agent(client, "a").status_code == 429
    fault = client.put(f"/__admin/faults/{ASAPP}/singleConvoMetadata", json={"status": 503})
    assert fault.status_code == 200
    journal_before = client.get("/__admin/journal").json()["entries"]
    assert client.post("/__admin/reset").status_code == 200
    assert listed(client) == []
    assert agent(client, "a").status_code == 200
    assert [f["operationId"] for f in client.get("/__admin/faults").json()["faults"]] == ["singleConvoMetadata"]
    journal_after = client.get("/__admin/journal").json()["entries"]
    assert [e["seq"] for e in journal_after[: len(journal_before)]] == [e["seq"] for e in journal_before]
