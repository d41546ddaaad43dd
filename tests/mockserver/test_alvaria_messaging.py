"""Alvaria Messaging mock: token service, credentials, streaming sessions and events, messaging on interactions."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR
from mockserver import Settings, create_app
from mockserver.errors import FixtureError

MakeClient = Callable[..., TestClient]

SPEC = "alvaria-messaging"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text(encoding="utf-8"))[SPEC]
ORG = CREDENTIALS["org_id"]
USER = CREDENTIALS["user_id"]
CLIENT_AUTH = (CREDENTIALS["client_id"], CREDENTIALS["client_secret"])
API_KEY = CREDENTIALS["api_key"]
TOKEN_URL = f"/{SPEC}/tokenservice/oauth2/access_token"
ORG_BASE = f"/{SPEC}/via/v2/organizations"
SESSION_URL = f"{ORG_BASE}/{ORG}/streaming/session"
EVENTS_URL = f"{ORG_BASE}/{ORG}/streaming/events"
GLOBEX_AUTH = ("alv-client-globex", "alv-client-globex-secret")
SEED_TEXT = {"interactionId": "4321", "entityName": "contactCenterAgent", "entityType": "Agent", "text": "Hi"}
SEED_NOTIFICATION = {
    "interactionId": "4321",
    "entityName": "contactCenterAgent",
    "entityType": "Agent",
    "state": "composing",
    "expiresAfterSeconds": 10,
}
SEED_URL = {"interactionId": "4321", "entityName": "contactCenterAgent", "entityType": "Agent", "url": "https://a.b"}
INVALID_SESSION = "Invalid via-client-sessionid"
JSON_MEDIA = {"Content-Type": "application/json"}
TEXT_PLAIN = {"Content-Type": "text/plain"}


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A fresh mock serving only this contract."""
    return make_client(specs=(SPEC,))


def request_token(
    client: TestClient,
    scope: str = CREDENTIALS["scope"],
    auth: tuple[str, str] | None = CLIENT_AUTH,
    query_realm: str | None = ORG,
    **form: str,
) -> httpx.Response:
    params = {"realm": query_realm} if query_realm else {}
    response: httpx.Response = client.post(
        TOKEN_URL, params=params, data={"grant_type": "client_credentials", "scope": scope, **form}, auth=auth
    )
    return response


def token(
    client: TestClient, scope: str = CREDENTIALS["scope"], auth: tuple[str, str] = CLIENT_AUTH, realm: str = ORG
) -> str:
    response = request_token(client, scope, auth, query_realm=realm)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def auth_headers(access_token: str, session: str | None = None, api_key: str = API_KEY) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {access_token}", "x-api-key": api_key}
    if session is not None:
        headers["via-client-sessionid"] = session
    return headers


def open_session(client: TestClient, access_token: str, **body: Any) -> str:
    response = client.post(SESSION_URL, headers=auth_headers(access_token), json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["sessionId"])


def send(
    client: TestClient,
    access_token: str,
    session: str,
    operation: str,
    body: dict[str, Any],
    user: str = USER,
    org: str = ORG,
) -> httpx.Response:
    url = f"{ORG_BASE}/{org}/messaging/users/{user}/{operation}"
    response: httpx.Response = client.post(url, headers=auth_headers(access_token, session), json=body)
    return response


def poll(client: TestClient, access_token: str, session: str, max_events: int | None = None) -> httpx.Response:
    params = {"maxEvents": max_events} if max_events is not None else {}
    response: httpx.Response = client.get(EVENTS_URL, headers=auth_headers(access_token, session), params=params)
    return response


def advance(client: TestClient, seconds: float) -> None:
    assert client.post("/__admin/clock/advance", json={"seconds": seconds}).status_code == 200


def records(client: TestClient, collection: str) -> list[dict[str, Any]]:
    """The admin API's listing of one of this mock's collections (empty when it holds nothing)."""
    response = client.get(f"/__admin/records/{SPEC}/{collection}")
    found: list[dict[str, Any]] = response.json()["records"] if response.status_code == 200 else []
    return found


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def assert_error(
    response: httpx.Response, status: int, scope: str, reason: str | None = None, message: str | None = None
) -> dict[str, Any]:
    """An ErrorResponse whose code is the HTTP status, naming the field (`scope`) concerned."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == status
    if message is not None:
        assert body["message"] == message
    assert body["errors"][0]["scope"] == scope
    if reason is not None:
        assert body["errors"][0]["reason"] == reason
    return body


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def assert_unauthorized(response: httpx.Response) -> None:
    """Seed 004: 401 has no body."""
    assert response.status_code == 401
    assert response.content == b""


# -- token service -------------------------------------------------------------------------------------------


def test_token_grants_the_requested_scopes_the_client_is_allowed(client: TestClient) -> None:
    response = request_token(client, scope="messagingapi outreachapi streamingapi messagingapi")
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == "messagingapi streamingapi"  # outreachapi is known but not allowed: left out
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    tokens = records(client, "tokens")
    assert [(t["tokenSha256"], t["orgId"], t["scope"]) for t in tokens] == [
        (sha256(body["access_token"]), ORG, "messagingapi streamingapi")
    ]


def test_token_realm_may_be_a_form_field(client: TestClient) -> None:
    response = request_token(client, scope="streamingapi", query_realm=None, realm=ORG)
    assert response.status_code == 200
    assert response.json()["scope"] == "streamingapi"


@pytest.mark.parametrize(
    ("scope", "form", "realm", "status", "error"),
    [
        ("messagingapi chatapi", {}, ORG, 400, "invalid_scope"),  # unknown scope
        ("outreachapi", {}, ORG, 400, "invalid_scope"),  # nothing the client may be granted
        ("messagingapi", {}, None, 400, "invalid_request"),  # no realm at all
        ("messagingapi", {"realm": "globex"}, ORG, 400, "invalid_request"),  # query and form disagree
        ("messagingapi", {}, "globex", 401, "invalid_client"),  # another organization's realm
        ("messagingapi", {}, "nowhere", 401, "invalid_client"),  # a realm the client is not registered in
        ("messagingapi", {"grant_type": "password"}, ORG, 400, "unsupported_grant_type"),
        ("messagingapi  streamingapi", {}, ORG, 400, "invalid_scope"),  # malformed scope list
        ("messagingapi", {"client_id": "alv-client-demo"}, ORG, 400, "invalid_request"),  # undeclared field
    ],
)
def test_token_request_errors_are_rfc_6749(
    client: TestClient, scope: str, form: dict[str, str], realm: str | None, status: int, error: str
) -> None:
    response = client.post(
        TOKEN_URL,
        params={"realm": realm} if realm else {},
        data={"grant_type": "client_credentials", "scope": scope, **form},
        auth=CLIENT_AUTH,
    )
    assert_oauth_error(response, status, error)


def test_token_request_without_scope_is_invalid_request(client: TestClient) -> None:
    response = client.post(
        TOKEN_URL, params={"realm": ORG}, data={"grant_type": "client_credentials"}, auth=CLIENT_AUTH
    )
    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize(
    "auth", [None, ("alv-client-demo", "wrong-secret"), ("no-such-client", "x")], ids=["none", "secret", "client"]
)
def test_token_client_authentication_failures_are_invalid_client(
    client: TestClient, auth: tuple[str, str] | None
) -> None:
    assert_oauth_error(request_token(client, auth=auth), 401, "invalid_client")


def test_token_expires_after_its_lifetime_on_the_mock_clock(client: TestClient) -> None:
    access_token = token(client)
    advance(client, 3598)
    assert client.post(SESSION_URL, headers=auth_headers(access_token)).status_code == 200
    advance(client, 1)
    assert_unauthorized(client.post(SESSION_URL, headers=auth_headers(access_token)))


# -- credentials on the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"x-api-key": API_KEY},
        {"Authorization": "Bearer not-a-token", "x-api-key": API_KEY},
        {"Authorization": "Basic YTpi", "x-api-key": API_KEY},
        {"Authorization": "Bearer {token}"},
        {"Authorization": "Bearer {token}", "x-api-key": "not-a-key"},
    ],
    ids=["no-token", "unknown-token", "not-bearer", "no-api-key", "unknown-api-key"],
)
def test_missing_or_unknown_credentials_are_401_without_body(client: TestClient, headers: dict[str, str]) -> None:
    access_token = token(client)
    session = open_session(client, access_token)
    headers = {name: value.format(token=access_token) for name, value in headers.items()}
    assert_unauthorized(client.post(SESSION_URL, headers=headers))
    url = f"{ORG_BASE}/{ORG}/messaging/users/{USER}/sendText"
    assert_unauthorized(client.post(url, headers={**headers, "via-client-sessionid": session}, json=SEED_TEXT))


def test_token_without_the_operation_scope_is_403(client: TestClient) -> None:
    streaming_only = token(client, scope="streamingapi")
    session = open_session(client, streaming_only)
    response = send(client, streaming_only, session, "sendText", SEED_TEXT)
    assert_error(response, 403, scope="messagingapi", reason="insufficientScope", message="forbidden")
    messaging_only = token(client, scope="messagingapi")
    assert_error(client.post(SESSION_URL, headers=auth_headers(messaging_only)), 403, scope="streamingapi")


def test_credentials_of_another_organization_are_403(client: TestClient) -> None:
    globex = token(client, auth=GLOBEX_AUTH, realm="globex")
    response = client.post(SESSION_URL, headers=auth_headers(globex, api_key="alv-api-key-globex"))
    assert_error(response, 403, scope="orgId", reason="forbidden")
    assert "'globex'" in response.json()["errors"][0]["message"]
    acme = token(client)
    response = client.post(SESSION_URL, headers=auth_headers(acme, api_key="alv-api-key-globex"))
    assert_error(response, 403, scope="orgId")
    assert "x-api-key" in response.json()["errors"][0]["message"]


def test_unknown_organization_is_404(client: TestClient) -> None:
    access_token = token(client)
    session = open_session(client, access_token)
    response = client.post(f"{ORG_BASE}/initech/streaming/session", headers=auth_headers(access_token))
    assert_error(response, 404, scope="orgId", message="not found")
    assert_error(send(client, access_token, session, "sendText", SEED_TEXT, org="initech"), 404, scope="orgId")
    response = client.get(f"{ORG_BASE}/initech/streaming/events", headers=auth_headers(access_token, session))
    assert_error(response, 404, scope="orgId")


# -- streaming sessions and events ---------------------------------------------------------------------------


def test_create_session_defaults_and_options(client: TestClient) -> None:
    access_token = token(client)
    response = client.post(SESSION_URL, headers=auth_headers(access_token))  # no body at all
    assert response.status_code == 200
    body = response.json()
    assert body["inactivityDelay"] == 60
    assert body["creationTime"].endswith("Z")
    assert body["sessionId"]
    response = client.post(
        SESSION_URL, headers=auth_headers(access_token), json={"inactivityDelay": 120, "requireAcknowledgement": True}
    )
    assert response.json()["inactivityDelay"] == 120
    assert response.json()["sessionId"] != body["sessionId"]


def test_create_session_refuses_an_invalid_delay(client: TestClient) -> None:
    response = client.post(SESSION_URL, headers=auth_headers(token(client)), json={"inactivityDelay": 0})
    assert_error(response, 400, scope="inactivityDelay", message="bad request")


def test_create_session_refuses_a_null_body_but_not_an_absent_one(client: TestClient) -> None:
    headers = {**auth_headers(token(client)), "Content-Type": "application/json"}
    assert_error(client.post(SESSION_URL, headers=headers, content=b"null"), 400, scope="body")
    assert client.post(SESSION_URL, headers=headers, content=b"").status_code == 200


def test_poll_without_events_answers_an_empty_list(client: TestClient) -> None:
    access_token = token(client)
    response = poll(client, access_token, open_session(client, access_token))
    assert response.status_code == 200
    assert response.json() == {"events": []}


def test_accepted_messages_are_delivered_once_oldest_first_within_max_events(client: TestClient) -> None:
    access_token = token(client)
    session = open_session(client, access_token)
    for operation, body in (("sendText", SEED_TEXT), ("notification", SEED_NOTIFICATION), ("sendUrl", SEED_URL)):
        response = send(client, access_token, session, operation, body)
        assert response.status_code == 202
        assert response.content == b""
    first = poll(client, access_token, session, max_events=2).json()["events"]
    assert [event["eventType"] for event in first] == ["messaging.TextSent", "messaging.NotificationSent"]
    assert first[0]["payload"] == {**SEED_TEXT, "userId": USER, "channel": "chat"}
    assert first[1]["payload"]["expiresAfterSeconds"] == 10
    second = poll(client, access_token, session, max_events=5).json()["events"]
    assert [event["eventType"] for event in second] == ["messaging.UrlSent"]
    assert second[0]["payload"]["url"] == SEED_URL["url"]
    assert poll(client, access_token, session, max_events=5).json() == {"events": []}


def test_max_events_defaults_to_one(client: TestClient) -> None:
    access_token = token(client)
    session = open_session(client, access_token)
    for _ in range(2):
        assert send(client, access_token, session, "sendText", SEED_TEXT).status_code == 202
    assert len(poll(client, access_token, session).json()["events"]) == 1


def test_events_go_to_the_session_named_in_the_request_only(client: TestClient) -> None:
    access_token = token(client)
    mine, other = open_session(client, access_token), open_session(client, access_token)
    assert send(client, access_token, mine, "sendText", SEED_TEXT).status_code == 202
    assert poll(client, access_token, other, max_events=5).json() == {"events": []}
    assert len(poll(client, access_token, mine, max_events=5).json()["events"]) == 1


def test_session_is_dropped_after_inactivity_delay_without_a_poll(client: TestClient) -> None:
    access_token = token(client)
    session = open_session(client, access_token)
    assert send(client, access_token, session, "sendText", SEED_TEXT).status_code == 202
    advance(client, 50)
    assert poll(client, access_token, session).status_code == 200  # a poll restarts the timer
    advance(client, 59)
    assert poll(client, access_token, session).status_code == 200
    advance(client, 61)
    response = poll(client, access_token, session)
    assert_error(response, 400, scope="via-client-sessionid", reason="invalidSession", message=INVALID_SESSION)
    response = send(client, access_token, session, "sendText", SEED_TEXT)
    assert_error(response, 400, scope="via-client-sessionid", message=INVALID_SESSION)
    assert client.get(f"/__admin/records/{SPEC}/sessions").status_code == 404  # dropped with its events
    journal = client.get("/__admin/journal", params={"kind": "background", "spec": SPEC}).json()["entries"]
    assert journal[-1]["detail"] == {
        "event": "streamingSessionDropped",
        "sessionSha256": sha256(session),
        "why": "no events poll within 60 s",
    }


def test_a_longer_inactivity_delay_is_honoured(client: TestClient) -> None:
    access_token = token(client)
    session = open_session(client, access_token, inactivityDelay=120)
    advance(client, 119)
    assert poll(client, access_token, session).status_code == 200


def test_deleted_session_is_invalid_afterwards(client: TestClient) -> None:
    access_token = token(client)
    session = open_session(client, access_token)
    response = client.delete(SESSION_URL, headers=auth_headers(access_token, session))
    assert response.status_code == 204
    assert response.content == b""
    response = client.delete(SESSION_URL, headers=auth_headers(access_token, session))
    assert_error(response, 400, scope="via-client-sessionid", message=INVALID_SESSION)
    assert_error(send(client, access_token, session, "sendUrl", SEED_URL), 400, scope="via-client-sessionid")


def test_unknown_or_missing_session_header_is_400(client: TestClient) -> None:
    access_token = token(client)
    response = send(client, access_token, "no-such-session", "sendText", SEED_TEXT)
    assert_error(response, 400, scope="via-client-sessionid", reason="invalidSession", message=INVALID_SESSION)
    response = client.get(EVENTS_URL, headers=auth_headers(access_token))
    assert_error(response, 400, scope="via-client-sessionid", reason="badRequest", message="bad request")


# -- messaging on interactions -------------------------------------------------------------------------------


@pytest.fixture
def live(client: TestClient) -> tuple[str, str]:
    """A token of credentials.yaml's client and a live session."""
    access_token = token(client)
    return access_token, open_session(client, access_token)


@pytest.mark.parametrize(
    ("operation", "body"), [("sendText", SEED_TEXT), ("notification", SEED_NOTIFICATION), ("sendUrl", SEED_URL)]
)
def test_seed_examples_are_accepted(
    client: TestClient, live: tuple[str, str], operation: str, body: dict[str, Any]
) -> None:
    response = send(client, *live, operation, body)
    assert response.status_code == 202
    assert response.content == b""


@pytest.mark.parametrize(
    ("user", "interaction", "status", "scope", "reason"),
    [
        (USER, "9999", 404, "interactionId", "notFound"),  # unknown interaction
        (USER, "5001", 404, "interactionId", "notFound"),  # agent-002's interaction
        (USER, "9001", 404, "interactionId", "notFound"),  # another organization's interaction
        ("agent-999", "4321", 404, "userId", "notFound"),  # unknown agent
        (USER, "4320", 410, "interactionId", "gone"),  # ended
    ],
)
def test_interaction_errors(
    client: TestClient, live: tuple[str, str], user: str, interaction: str, status: int, scope: str, reason: str
) -> None:
    for operation, body in (("sendText", SEED_TEXT), ("notification", SEED_NOTIFICATION), ("sendUrl", SEED_URL)):
        response = send(client, *live, operation, {**body, "interactionId": interaction}, user=user)
        assert_error(response, status, scope=scope, reason=reason)
    assert poll(client, *live, max_events=10).json() == {"events": []}  # nothing refused reaches the stream


def test_sms_interaction_takes_text_and_urls_but_no_composing_notification(
    client: TestClient, live: tuple[str, str]
) -> None:
    assert send(client, *live, "sendText", {**SEED_TEXT, "interactionId": "4322"}).status_code == 202
    assert send(client, *live, "sendUrl", {**SEED_URL, "interactionId": "4322"}).status_code == 202
    response = send(client, *live, "notification", {**SEED_NOTIFICATION, "interactionId": "4322"})
    body = assert_error(response, 422, scope="state", reason="cannotProcessEntity", message="cannot process entity")
    assert "SMS" in body["errors"][0]["message"]
    events = poll(client, *live, max_events=10).json()["events"]
    assert [event["payload"]["channel"] for event in events] == ["sms", "sms"]


@pytest.mark.parametrize(
    ("operation", "body", "field"),
    [
        ("sendText", {k: v for k, v in SEED_TEXT.items() if k != "text"}, "text"),
        ("notification", {**SEED_NOTIFICATION, "expiresAfterSeconds": 31}, "expiresAfterSeconds"),
        ("notification", {**SEED_NOTIFICATION, "state": "paused"}, "state"),
        ("sendUrl", {**SEED_URL, "entityType": "Robot"}, "entityType"),
    ],
)
def test_invalid_bodies_are_400_naming_the_field(
    client: TestClient, live: tuple[str, str], operation: str, body: dict[str, Any], field: str
) -> None:
    assert_error(send(client, *live, operation, body), 400, scope=field, reason="badRequest", message="bad request")


# -- framework errors in the vendor envelope -----------------------------------------------------------------


def test_undeclared_method_is_405_error_response(client: TestClient) -> None:
    response = client.put(f"{ORG_BASE}/{ORG}/messaging/users/{USER}/sendText")
    assert_error(response, 405, scope="request", reason="methodNotAllowed")


def test_injected_fault_uses_the_error_envelope(client: TestClient, live: tuple[str, str]) -> None:
    fault = {"status": 429, "retryAfter": 7}
    assert client.put(f"/__admin/faults/{SPEC}/sendText", json=fault).status_code == 200
    response = send(client, *live, "sendText", SEED_TEXT)
    assert_error(response, 429, scope="request", reason="tooManyRequests")
    assert response.headers["retry-after"] == "7"


def test_token_endpoint_body_limit_is_an_oauth_error(make_client: MakeClient) -> None:
    client = make_client(specs=(SPEC,), max_body_bytes=64)
    assert_oauth_error(request_token(client, scope="messagingapi " * 10), 413, "invalid_request")


# -- fixtures ------------------------------------------------------------------------------------------------


def _fixture() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES_DIR / f"{SPEC}.yaml").read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def _app_with(tmp_path: Path, data: dict[str, Any]) -> None:
    (tmp_path / f"{SPEC}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    create_app(Settings(specs=(SPEC,), fixtures=tmp_path))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["organizations"][0]["interactions"][0].update(userId="ghost"), "unknown user 'ghost'"),
        (lambda d: d["organizations"][1]["clients"].append(d["organizations"][0]["clients"][0]), "used twice"),
        (lambda d: d["organizations"][0]["clients"][0]["scopes"].append("chatapi"), "not in tokenService.scopes"),
        (lambda d: d["organizations"][0]["interactions"][0].update(channel="voice"), "'voice' is not one of"),
    ],
    ids=["owner", "duplicate-client", "scope", "channel"],
)
def test_fixture_errors_are_refused_at_load(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = _fixture()
    change(data)
    with pytest.raises(FixtureError, match=message):
        _app_with(tmp_path, data)


def test_channel_table_comes_from_the_fixture(tmp_path: Path) -> None:
    data = _fixture()
    data["channels"]["sms"] = ["text", "url", "composing"]
    data["tokenService"]["lifetimeSeconds"] = 60
    (tmp_path / f"{SPEC}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with TestClient(create_app(Settings(specs=(SPEC,), fixtures=tmp_path))) as client:
        assert request_token(client).json()["expires_in"] == 60
        access_token = token(client)
        session = open_session(client, access_token)
        response = send(client, access_token, session, "notification", {**SEED_NOTIFICATION, "interactionId": "4322"})
        assert response.status_code == 202


# -- credentials at rest and in the journal ------------------------------------------------------------------


def test_issued_tokens_are_stored_by_their_hash_only(client: TestClient) -> None:
    access_token = token(client)
    listing = client.get(f"/__admin/records/{SPEC}/tokens")
    assert access_token not in listing.text
    [stored] = listing.json()["records"]
    assert stored["tokenSha256"] == sha256(access_token)
    assert stored["clientId"] == CREDENTIALS["client_id"]
    assert client.post(SESSION_URL, headers=auth_headers(access_token)).status_code == 200  # still honoured


def test_expired_tokens_are_purged_when_a_token_is_issued(client: TestClient) -> None:
    first, second = token(client), token(client)
    advance(client, 1800)
    third = token(client)
    advance(client, 1799)  # first and second are 3599 s old: expired; third is 1799 s old
    fourth = token(client)
    assert [record["tokenSha256"] for record in records(client, "tokens")] == [sha256(third), sha256(fourth)]
    for expired in (first, second):
        assert_unauthorized(client.post(SESSION_URL, headers=auth_headers(expired)))
    assert client.post(SESSION_URL, headers=auth_headers(third)).status_code == 200


def test_an_expired_token_presented_is_forgotten(client: TestClient) -> None:
    access_token = token(client)
    advance(client, 3599)
    assert_unauthorized(client.post(SESSION_URL, headers=auth_headers(access_token)))
    assert records(client, "tokens") == []


def test_streaming_sessions_and_their_events_are_stored_by_the_session_hash(client: TestClient) -> None:
    access_token = token(client)
    session = open_session(client, access_token)
    assert send(client, access_token, session, "sendText", SEED_TEXT).status_code == 202
    listing = client.get(f"/__admin/records/{SPEC}/sessions")
    events = client.get(f"/__admin/records/{SPEC}/events")
    assert session not in listing.text and session not in events.text
    [stored] = listing.json()["records"]
    assert (stored["sessionSha256"], stored["orgId"], stored["inactivityDelay"]) == (sha256(session), ORG, 60)
    assert [event["session"] for event in events.json()["records"]] == [sha256(session)]


def test_idle_sessions_are_purged_when_a_session_is_created(client: TestClient) -> None:
    access_token = token(client)
    idle = open_session(client, access_token)
    patient = open_session(client, access_token, inactivityDelay=600)
    assert send(client, access_token, idle, "sendText", SEED_TEXT).status_code == 202
    advance(client, 61)
    fresh = open_session(client, access_token)
    assert [record["sessionSha256"] for record in records(client, "sessions")] == [sha256(patient), sha256(fresh)]
    assert records(client, "events") == []  # the idle session's pending event went with it
    journal = client.get("/__admin/journal", params={"kind": "background", "spec": SPEC}).json()["entries"]
    assert [entry["detail"]["sessionSha256"] for entry in journal] == [sha256(idle)]


def test_the_journal_masks_every_credential(client: TestClient) -> None:
    access_token = token(client)
    session = open_session(client, access_token)
    assert send(client, access_token, session, "sendText", SEED_TEXT).status_code == 202
    entries = client.get("/__admin/journal", params={"spec": SPEC}).json()["entries"]
    dumped = json.dumps(entries)
    for secret in (access_token, session, API_KEY, CREDENTIALS["client_secret"]):
        assert secret not in dumped
    by_operation = {entry["operationId"]: entry for entry in entries}
    assert json.loads(by_operation["requestAlvariaAccessToken"]["response"]["body"])["access_token"] == "[MASKED]"
    assert json.loads(by_operation["createStreamingSession"]["response"]["body"])["sessionId"] == "[MASKED]"
    sent = by_operation["sendText"]["request"]["headers"]
    assert sent["via-client-sessionid"] == sent["x-api-key"] == sent["authorization"] == "[MASKED]"


# -- the request path ----------------------------------------------------------------------------------------


def test_a_lone_surrogate_interaction_id_is_a_documented_400(client: TestClient, live: tuple[str, str]) -> None:
    url = f"{ORG_BASE}/{ORG}/messaging/users/{USER}/sendText"
    body = json.dumps({**SEED_TEXT, "interactionId": "__"}).replace("__", "\\ud800").encode()
    headers = {**auth_headers(*live), "Content-Type": "application/json"}
    response = client.post(url, headers=headers, content=body)
    assert_error(response, 400, scope="body", reason="badRequest", message="bad request")
    assert "surrogate" in response.json()["errors"][0]["message"]
    assert poll(client, *live, max_events=5).json() == {"events": []}


async def _chunked_session(app: Any, body: list[bytes]) -> tuple[httpx.Response, httpx.Response | None]:
    """Create a session with a chunked body (several ASGI body messages, no Content-Length); then, if it worked,
    advance the mock clock by 3000 s (the token lives 3599 s) and poll the session."""

    async def stream() -> Any:
        for part in body:
            yield part

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
        form = {"grant_type": "client_credentials", "scope": CREDENTIALS["scope"]}
        issued = await http.post(TOKEN_URL, params={"realm": ORG}, data=form, auth=CLIENT_AUTH)
        access_token = issued.json()["access_token"]
        headers = {**auth_headers(access_token), "Content-Type": "application/json"}
        created = await http.post(SESSION_URL, headers=headers, content=stream())
        if created.status_code != 200:
            return created, None
        assert (await http.post("/__admin/clock/advance", json={"seconds": 3000})).status_code == 200
        polled = await http.get(EVENTS_URL, headers=auth_headers(access_token, created.json()["sessionId"]))
        return created, polled


def test_a_chunked_create_session_body_is_read_as_it_arrives() -> None:
    app = create_app(Settings(specs=(SPEC,)))
    created, polled = asyncio.run(_chunked_session(app, [b'{"inactivity', b'Delay": 36', b"00}"]))
    assert created.status_code == 200, created.text
    assert created.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in created.request.headers
    assert created.json()["inactivityDelay"] == 3600
    assert polled is not None and polled.status_code == 200  # 3000 s idle: alive only with the delay sent


def test_a_chunked_body_over_the_limit_is_413() -> None:
    app = create_app(Settings(specs=(SPEC,), max_body_bytes=64))
    created, _ = asyncio.run(_chunked_session(app, [b'{"inactivityDelay": 3600, "pad": "', b"x" * 80, b'"}']))
    assert_error(created, 413, scope="body", reason="payloadTooLarge", message="payload too large")


def test_a_bad_credential_is_401_before_a_missing_scope_or_organization_is_403(client: TestClient) -> None:
    streaming_only = token(client, scope="streamingapi")
    session = open_session(client, streaming_only)
    url = f"{ORG_BASE}/{ORG}/messaging/users/{USER}/sendText"
    headers = {**auth_headers(streaming_only, session, api_key="not-a-key")}
    assert_unauthorized(client.post(url, headers=headers, json=SEED_TEXT))
    globex = token(client, auth=GLOBEX_AUTH, realm="globex")
    assert_unauthorized(client.post(SESSION_URL, headers=auth_headers(globex, api_key="not-a-key")))


def test_a_credential_refusal_comes_before_body_validation(client: TestClient) -> None:
    streaming_only = token(client, scope="streamingapi")
    session = open_session(client, streaming_only)
    response = send(client, streaming_only, session, "sendText", {"interactionId": 4321})
    assert_error(response, 403, scope="messagingapi", reason="insufficientScope")
    assert_unauthorized(send(client, "not-a-token", session, "sendText", {"interactionId": 4321}))


def test_failed_client_authentication_carries_a_basic_challenge(client: TestClient) -> None:
    response = request_token(client, auth=("alv-client-demo", "wrong-secret"))
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert "pragma" not in response.headers  # only a token answer carries the no-cache headers


@pytest.mark.parametrize(
    ("method", "target", "options", "scope"),
    [
        ("post", "sendText", {"content": b"interactionId=4321", "headers": TEXT_PLAIN}, "Content-Type"),
        ("post", "sendText", {"content": b'{"interactionId": ', "headers": JSON_MEDIA}, "body"),
        ("post", "sendText", {"content": b"", "headers": JSON_MEDIA}, "body"),
        ("post", "sendText", {"json": {**SEED_TEXT, "entityName": 7}}, "entityName"),
        ("post", "sendText", {"json": SEED_TEXT, "params": {"debug": "1"}}, "debug"),
        ("get", "events", {"params": {"maxEvents": 0}}, "maxEvents"),
        ("get", "events", {"params": {"maxEvents": "many"}}, "maxEvents"),
    ],
    ids=["media-type", "malformed-json", "no-body", "wrong-type", "unknown-query", "max-events-0", "max-events-text"],
)
def test_request_errors_name_what_is_wrong(
    client: TestClient, live: tuple[str, str], method: str, target: str, options: dict[str, Any], scope: str
) -> None:
    url = EVENTS_URL if target == "events" else f"{ORG_BASE}/{ORG}/messaging/users/{USER}/{target}"
    headers = {**auth_headers(*live), **options.pop("headers", {})}
    response = client.request(method.upper(), url, headers=headers, **options)
    assert_error(response, 400, scope=scope, reason="badRequest", message="bad request")


def test_a_token_request_in_json_is_invalid_request(client: TestClient) -> None:
    body = {"grant_type": "client_credentials", "scope": "messagingapi", "realm": ORG}
    assert_oauth_error(client.post(TOKEN_URL, json=body, auth=CLIENT_AUTH), 400, "invalid_request")


def test_a_token_service_fault_carries_the_rfc_6749_code_asked_for(client: TestClient) -> None:
    fault = {"status": 400, "reason": "invalid_grant"}
    assert client.put(f"/__admin/faults/{SPEC}/requestAlvariaAccessToken", json=fault).status_code == 200
    assert_oauth_error(request_token(client), 400, "invalid_grant")
    refused = client.put(f"/__admin/faults/{SPEC}/sendText", json={"status": 400, "reason": "invalid_grant"})
    assert refused.status_code == 400
    assert "none for this operation" in refused.text


@pytest.mark.parametrize(
    ("status", "error"), [(500, "server_error"), (401, "invalid_client"), (400, "invalid_request")]
)
def test_a_token_service_fault_without_a_code_gets_the_rfc_6749_one(
    client: TestClient, status: int, error: str
) -> None:
    assert client.put(f"/__admin/faults/{SPEC}/requestAlvariaAccessToken", json={"status": status}).status_code == 200
    response = request_token(client)
    assert_oauth_error(response, status, error)
    assert ("www-authenticate" in response.headers) is (status == 401)
