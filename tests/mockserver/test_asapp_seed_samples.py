"""What ASAPP's "Metadata Ingestion API" page documents as requests, replayed against the default fixtures.

The page (docs.asapp.com/reporting/metadata-ingestion) prints no sample request or response: it describes the
requests in prose and leaves bodies to the per-operation OpenAPI pages (whose examples the contract carries and
`test_asapp_metadata_ingestion.py` replays). Each request the page describes, with the answer it documents:

| # | page section | request described | documented answer |
|---|---|---|---|
| 1 | Before You Begin | no API credentials | refused (401, the ASAPP error envelope) |
| 2 | (introduction) | credentials of an app the API is not enabled for | not accessible (403, error envelope) |
| 3 | Endpoints | metadata for a single entity, "e.g., one agent" | accepted (`result`) |
| 4 | Endpoints | "several hundred agents" in a batch | accepted (`errorCount`, one result each) |
| 5-7 | Agent, Conversation, Customer | each entity's listed kinds of metadata, single and batch | accepted |
| 8 | Agent, Conversation, Customer | custom-defined attributes in key-value pairs | accepted and kept with the item |
| 9 | Before You Begin | credentials are per app | each app's submissions are its own |

Field names come from the vendor's OpenAPI document (as the page says: "The OpenAPI specification for each ...
endpoint shows the types of metadata the API accepts").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR

MakeClient = Callable[..., TestClient]

SPEC = "asapp-metadata-ingestion"
BASE = f"/{SPEC}/metadata-ingestion/v1"
APPS: dict[str, dict[str, Any]] = yaml.safe_load((FIXTURES_DIR / f"{SPEC}.yaml").read_text(encoding="utf-8"))["apps"]


def app_credentials(name: str) -> dict[str, str]:
    """The header pair of a default-fixture app."""
    return {"asapp-api-id": APPS[name]["apiId"], "asapp-api-secret": APPS[name]["apiSecret"]}


AUTH = app_credentials("acme-sandbox")
OTHER_APP = app_credentials("acme-production")
NOT_ENABLED = app_credentials("acme-not-enabled")
SEVERAL_HUNDRED = 300
CUSTOM = [{"name": "loyaltyTier", "value": "gold"}, {"name": "region", "value": "north-east"}]
ERROR_CODE = re.compile(r"^\d{3}-\d{2,}$")

AGENT: dict[
    str, Any
] = {  # Agent: lines of business, groups, locations, supervisors, languages, vendor, job role, email
    "externalAgentId": "agent158",
    "lobId": "1038",
    "lobName": "manufacturing",
    "groupId": "group5",
    "groupName": "XYZ",
    "agentLocation": "Northern-California",
    "supervisorId": "3080",
    "supervisorName": "Linda Lemon",
    "languages": ["en-us", "es-pe"],
    "vendor": "Contracting",
    "jobRole": "booking",
    "emailAddress": "jdoe@example.com",
}
CONVERSATION: dict[
    str, Any
] = {  # ids, lines of business, group and subdivision, routing codes, campaign, rule, browser, device
    "externalConversationId": "issue1389",
    "lobId": "1038",
    "groupId": "group5",
    "companySubdivision": "retail",
    "agentRoutingCode": "route-13988",
    "campaign": "campaign-A",
    "businessRule": "route VIP customers first",
    "browserType": "Safari",
    "browserVersion": "14.1.2",
    "deviceType": "PHONE",
}
CUSTOMER: dict[str, Any] = {  # Customer: unique identifiers, statuses, contact details, location
    "externalConversationId": "issue509",
    "externalCustomerId": "555.555.0100-jdoe@example.com",
    "status": "new",
    "phoneNumber": "(555)555-0100",
    "emailAddress": "jdoe@example.com",
    "addressCountry": "United-States",
    "addressState": "New-York",
    "addressZipcode": "10001",
}
ENTITIES: dict[
    str, tuple[str, str, str, dict[str, Any], str]
] = {  # entity -> (single path, batch path, stored collection suffix, example, id field)
    "agent": ("single-agent-metadata", "many-agent-metadata", "agent", AGENT, "externalAgentId"),
    "conversation": ("single-convo-metadata", "many-convo-metadata", "convo", CONVERSATION, "externalConversationId"),
    "customer": ("single-customer-metadata", "many-customer-metadata", "customer", CUSTOMER, "externalConversationId"),
}


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """The mock with the default fixtures."""
    return make_client(specs=(SPEC,))


def assert_error_envelope(body: Any, status: int) -> None:
    """ASAPP's error envelope: `{error: {requestId, message, code "<status>-NN"}}`."""
    error = body["error"]
    assert isinstance(error["requestId"], str) and error["requestId"]
    assert isinstance(error["message"], str) and error["message"]
    assert ERROR_CODE.match(error["code"]) and error["code"].startswith(f"{status}-")


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_requests_without_credentials_are_refused(client: TestClient, entity: str) -> None:
    single, _, _, example, _ = ENTITIES[entity]
    response = client.post(f"{BASE}/{single}", json=example)
    assert response.status_code == 401
    assert_error_envelope(response.json(), 401)


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_the_api_is_not_accessible_until_enabled_for_the_app(client: TestClient, entity: str) -> None:
    single, _, _, example, _ = ENTITIES[entity]
    response = client.post(f"{BASE}/{single}", json=example, headers=NOT_ENABLED)
    assert response.status_code == 403
    assert_error_envelope(response.json(), 403)


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_one_entity_with_custom_attributes_is_accepted(client: TestClient, entity: str) -> None:
    single, _, suffix, example, id_field = ENTITIES[entity]
    response = client.post(f"{BASE}/{single}", json={**example, "attributes": CUSTOM}, headers=AUTH)
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["eventId"] and not result.get("error")
    [record] = client.get(f"/__admin/records/{SPEC}/acme-sandbox.{suffix}").json()["records"]
    assert record["metadata"][id_field] == example[id_field]
    assert record["metadata"]["attributes"] == CUSTOM


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_several_hundred_entities_in_one_batch_are_accepted(client: TestClient, entity: str) -> None:
    _, batch, suffix, example, id_field = ENTITIES[entity]
    items = [{**example, id_field: f"{example[id_field]}-{n}", "attributes": CUSTOM} for n in range(SEVERAL_HUNDRED)]
    response = client.post(f"{BASE}/{batch}", json={"items": items}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["errorCount"] == 0
    assert len(body["results"]) == SEVERAL_HUNDRED
    assert all(result["eventId"] and not result.get("error") for result in body["results"])
    assert client.get(f"/__admin/records/{SPEC}").json()["collections"][f"acme-sandbox.{suffix}"] == SEVERAL_HUNDRED


def test_each_app_submits_under_its_own_credentials(client: TestClient) -> None:
    assert client.post(f"{BASE}/single-agent-metadata", json=AGENT, headers=AUTH).status_code == 200
    assert client.post(f"{BASE}/single-agent-metadata", json=AGENT, headers=OTHER_APP).status_code == 200
    collections = client.get(f"/__admin/records/{SPEC}").json()["collections"]
    assert (collections["acme-sandbox.agent"], collections["acme-production.agent"]) == (1, 1)
