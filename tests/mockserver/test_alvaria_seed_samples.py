"""Every sample the vendor's document prints, replayed against the default fixtures, gets the documented answer.

Source: "Alvaria Public Cloud Messaging (Chat/SMS) REST API v2.0.1" (ViaMessagingExternalSwagger.html). For each of
its three operations it prints three code samples (Shell curl, Node.js fetch, raw HTTP) and a "Body parameter"; its
Schemas section repeats each body as the schema example, and prints one response sample ("400 Response", an
`ErrorResponse`). The samples, as printed:

| # | operation | sample | body sent | documented answer |
|---|---|---|---|---|
| 1 | User Send Text | Shell (curl) | none (the sample has no `-d`) | 400 Bad Request, ErrorResponse |
| 2 | User Send Text | Node.js | `inputBody` | 202 Accepted, no body |
| 3 | User Send Text | HTTP | none | 400 Bad Request, ErrorResponse |
| 4 | User Send Text | Body parameter / SendTextParmsSchema example | the body | 202 Accepted, no body |
| 5-8 | User Send Notification state | the same four | | the same |
| 9-12 | User Push Url | the same four | | the same |
| 13 | every operation | the headers exactly as printed (`Authorization: string`, ...) | the body | 401, no body |
| 14 | ErrorResponse | "400 Response" example | | the shape of every ErrorResponse the mock sends |

The path placeholders `{orgId}` and `{userId}` and the header values printed as `string` are filled from the default
fixtures (`fixtures/default/credentials.yaml`), except in sample 13, which sends them as printed. The printed
`Host: orgid.via.aspect-cloud.net` names the vendor's host and is not replayed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR

MakeClient = Callable[..., TestClient]

SPEC = "alvaria-messaging"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text(encoding="utf-8"))[SPEC]
PRINTED_PATH = "/via/v2/organizations/{orgId}/messaging/users/{userId}/"
PRINTED_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "Authorization": "string",
    "x-api-key": "string",
    "via-client-sessionid": "string",
}
PRINTED_BODIES: dict[str, dict[str, Any]] = {
    "sendText": {
        "interactionId": "4321",
        "entityName": "contactCenterAgent",
        "entityType": "Agent",
        "text": "Hi this is an example of a text string.",
    },
    "notification": {
        "interactionId": "4321",
        "entityName": "contactCenterAgent",
        "entityType": "Agent",
        "state": "composing",
        "expiresAfterSeconds": 10,
    },
    "sendUrl": {
        "interactionId": "4321",
        "entityName": "contactCenterAgent",
        "entityType": "Agent",
        "url": "https://www.alvaria.com",
    },
}
PRINTED_ERROR_RESPONSE: dict[str, Any] = {
    "code": 404,
    "message": "not found",
    "errors": [{"scope": "scope", "reason": "reason", "message": "message"}],
}
SAMPLES = [
    (operation, sample, body)
    for operation, printed in PRINTED_BODIES.items()
    for sample, body in (("curl", None), ("node", printed), ("http", None), ("body-parameter", printed))
]


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """The mock with the default fixtures."""
    return make_client(specs=(SPEC,))


def _filled_headers(client: TestClient) -> dict[str, str]:
    """The printed headers with the `string` placeholders filled: a token, the API key and a live session."""
    form = {"grant_type": "client_credentials", "scope": CREDENTIALS["scope"], "realm": CREDENTIALS["org_id"]}
    auth = (CREDENTIALS["client_id"], CREDENTIALS["client_secret"])
    issued = client.post(f"/{SPEC}/tokenservice/oauth2/access_token", data=form, auth=auth)
    assert issued.status_code == 200, issued.text
    headers = {**PRINTED_HEADERS, "Authorization": f"Bearer {issued.json()['access_token']}"}
    headers["x-api-key"] = CREDENTIALS["api_key"]
    session = client.post(f"/{SPEC}/via/v2/organizations/{CREDENTIALS['org_id']}/streaming/session", headers=headers)
    assert session.status_code == 200, session.text
    headers["via-client-sessionid"] = session.json()["sessionId"]
    return headers


def _url(operation: str) -> str:
    path = PRINTED_PATH.format(orgId=CREDENTIALS["org_id"], userId=CREDENTIALS["user_id"])
    return f"/{SPEC}{path}{operation}"


def _replay(client: TestClient, operation: str, headers: dict[str, str], body: dict[str, Any] | None) -> httpx.Response:
    response: httpx.Response = client.post(_url(operation), headers=headers, json=body)
    return response


def _assert_error_response_shape(body: Any) -> None:
    """Same keys and value types as the printed "400 Response" sample."""
    assert set(body) == set(PRINTED_ERROR_RESPONSE)
    assert isinstance(body["code"], int) and isinstance(body["message"], str)
    assert body["errors"] and all(set(entry) == set(PRINTED_ERROR_RESPONSE["errors"][0]) for entry in body["errors"])
    assert all(isinstance(value, str) for entry in body["errors"] for value in entry.values())


@pytest.mark.parametrize(("operation", "sample", "body"), SAMPLES, ids=[f"{o}-{s}" for o, s, _ in SAMPLES])
def test_each_printed_sample_gets_the_documented_answer(
    client: TestClient, operation: str, sample: str, body: dict[str, Any] | None
) -> None:
    headers = _filled_headers(client)
    response = _replay(client, operation, headers, body)
    if body is None:  # curl and raw HTTP samples print no body: the required body is missing
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/json")
        _assert_error_response_shape(response.json())
        assert response.json()["code"] == 400
        assert response.json()["errors"][0]["scope"] == "body"
    else:
        assert response.status_code == 202
        assert response.content == b""


def test_the_printed_bodies_produce_their_events(client: TestClient) -> None:
    headers = _filled_headers(client)
    for operation, body in PRINTED_BODIES.items():
        assert _replay(client, operation, headers, body).status_code == 202
    events_url = f"/{SPEC}/via/v2/organizations/{CREDENTIALS['org_id']}/streaming/events"
    events = client.get(events_url, headers=headers, params={"maxEvents": 5}).json()["events"]
    assert [event["eventType"] for event in events] == [
        "messaging.TextSent",
        "messaging.NotificationSent",
        "messaging.UrlSent",
    ]
    assert [event["payload"]["interactionId"] for event in events] == ["4321"] * 3


@pytest.mark.parametrize("operation", sorted(PRINTED_BODIES))
def test_the_headers_as_printed_are_unauthorized_without_a_body(client: TestClient, operation: str) -> None:
    response = _replay(client, operation, PRINTED_HEADERS, PRINTED_BODIES[operation])
    assert response.status_code == 401
    assert response.content == b""


@pytest.mark.parametrize("entity_type", ["Agent", "Monitor", "System"])
def test_every_enumerated_entity_type_is_accepted(client: TestClient, entity_type: str) -> None:
    headers = _filled_headers(client)
    for operation, body in PRINTED_BODIES.items():
        assert _replay(client, operation, headers, {**body, "entityType": entity_type}).status_code == 202


@pytest.mark.parametrize(("seconds", "status"), [(30, 202), (31, 400)])
def test_expires_after_seconds_is_at_most_30(client: TestClient, seconds: int, status: int) -> None:
    body = {**PRINTED_BODIES["notification"], "expiresAfterSeconds": seconds}
    response = _replay(client, "notification", _filled_headers(client), body)
    assert response.status_code == status
    if status == 400:
        _assert_error_response_shape(response.json())
        assert response.json()["errors"][0]["scope"] == "expiresAfterSeconds"


def test_every_error_response_has_the_printed_shape(client: TestClient) -> None:
    headers = _filled_headers(client)
    not_found = _replay(client, "sendText", headers, {**PRINTED_BODIES["sendText"], "interactionId": "9999"})
    assert not_found.status_code == 404
    _assert_error_response_shape(not_found.json())
    assert not_found.json()["message"] == PRINTED_ERROR_RESPONSE["message"]  # "not found", as printed
    for status in (429, 500, 503):  # documented, with no trigger of their own: injected
        fault = {"status": status, "retryAfter": 1} if status == 429 else {"status": status}
        assert client.put(f"/__admin/faults/{SPEC}/sendText", json=fault).status_code == 200
        faulted = _replay(client, "sendText", headers, PRINTED_BODIES["sendText"])
        assert faulted.status_code == status
        _assert_error_response_shape(faulted.json())
    client.delete("/__admin/faults")
    gone = _replay(client, "sendText", headers, {**PRINTED_BODIES["sendText"], "interactionId": "4320"})
    sms = _replay(client, "notification", headers, {**PRINTED_BODIES["notification"], "interactionId": "4322"})
    wrong_method = client.put(_url("sendText"), headers=headers)
    for response, status in ((gone, 410), (sms, 422), (wrong_method, 405)):
        assert response.status_code == status
        _assert_error_response_shape(response.json())
