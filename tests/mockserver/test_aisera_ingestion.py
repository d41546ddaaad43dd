"""Aisera Ingestion mock: password grant, bearer + App Token checks, stored records, vendor limits, envelopes."""

from __future__ import annotations

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

from contracts import FIXTURES_DIR, load_contract
from mockserver.errors import FixtureError
from mockserver.runtime import runtime
from mockserver.vendors import aisera_ingestion

MakeClient = Callable[..., TestClient]

SPEC = "aisera-ingestion"
TOKEN_URL = f"/{SPEC}/tenant-users/oauth2/token"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text(encoding="utf-8"))[SPEC]
APP = CREDENTIALS["app_token"]
HR_APP = "ais-app-c41e88d2-hr"
GLOBEX = {
    "client_id": "ais-app-3d9b61f0-globex",
    "username": "svc-ingest@globex.example",
    "password": "globex-demo-password",
}
ENTITIES = [operation.path[1:] for operation in load_contract(SPEC) if "Ingestion" in operation.tags]
BOTH_MISSING = (
    "missing credentials: send the access token (Authorization: Bearer header) "
    "and the App Token (x-app-token header or x-app-token query parameter)"
)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A fresh mock serving only this contract."""
    return make_client(specs=(SPEC,))


def grant(client: TestClient, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "password",
        "client_id": APP,
        "username": CREDENTIALS["username"],
        "password": CREDENTIALS["password"],
        **overrides,
    }
    response: httpx.Response = client.post(TOKEN_URL, data=form)
    return response


def token(client: TestClient, **overrides: str) -> str:
    response = grant(client, **overrides)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def auth(client: TestClient, app: str = APP, **overrides: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(client, **overrides)}", "x-app-token": app}


def records(client: TestClient, collection: str) -> list[dict[str, Any]]:
    response = client.get(f"/__admin/records/{SPEC}/{collection}")
    found: list[dict[str, Any]] = response.json()["records"] if response.status_code == 200 else []
    return found


def assert_error(response: httpx.Response, status: int, message_part: str, path: str | None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == status
    assert isinstance(body["error"], str) and body["error"]
    (detail,) = body["errors"]
    assert message_part in detail["message"]
    assert detail.get("path") == path


# -- token endpoint ------------------------------------------------------------------------------------------------


def test_password_grant_issues_a_one_hour_bearer_token(client: TestClient) -> None:
    response = grant(client)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) >= 32
    assert token(client) != body["access_token"]


def test_password_grant_accepts_a_json_body(client: TestClient) -> None:
    form = {"grant_type": "password", "client_id": APP, **{k: CREDENTIALS[k] for k in ("username", "password")}}
    response = client.post(TOKEN_URL, json=form)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 3600


@pytest.mark.parametrize(
    ("overrides", "message", "path"),
    [
        ({"password": "wrong"}, "username or password is incorrect", "password"),
        ({"password": "pässwörd"}, "username or password is incorrect", "password"),
        ({"username": "nobody@acme.example"}, "username or password is incorrect", "password"),
        ({"client_id": "not-an-app-token"}, "client_id is not the App Token", "client_id"),
        (
            {"username": "jane.doe@acme.example", "password": "jane-demo-password"},
            "login role of jane.doe@acme.example is End User, not Service Account",
            "username",
        ),
        # a service account of another tenant cannot use this tenant's App Token
        ({"username": GLOBEX["username"], "password": GLOBEX["password"]}, "incorrect", "password"),
    ],
)
def test_password_grant_refuses_wrong_credentials(
    client: TestClient, overrides: dict[str, str], message: str, path: str
) -> None:
    response = grant(client, **overrides)
    assert_error(response, 401, message, path)
    assert response.json()["error"] == "Unauthorized"


def test_password_grant_validates_the_form(client: TestClient) -> None:
    """The envelope names the field and the broken constraint (no framework wording)."""
    assert_error(grant(client, grant_type="client_credentials"), 400, "is not one of ['password']", "body.grant_type")
    response = client.post(TOKEN_URL, data={"grant_type": "password", "client_id": APP, "password": "x"})
    assert_error(response, 400, "'username' is a required property", "body.username")
    extra = grant(client, scope="everything")
    assert_error(extra, 400, "Additional properties are not allowed ('scope' was unexpected)", "body.scope")
    wrong_type = client.post(TOKEN_URL, content=b"grant_type=password", headers={"content-type": "text/plain"})
    assert_error(wrong_type, 400, "Content-Type text/plain is not supported", "Content-Type")


def test_token_request_credentials_are_never_echoed(client: TestClient) -> None:
    """A wrongly typed password or client_id is refused without its value in the envelope."""
    body = {"grant_type": "password", "client_id": ["secret-app-token"], "username": "u", "password": 987654321}
    response = client.post(TOKEN_URL, json=body)
    assert response.status_code == 400
    assert "secret-app-token" not in response.text and "987654321" not in response.text
    assert response.json()["errors"][0]["message"].startswith("'[MASKED]' is not of type")


# -- credentials on the entity endpoints ---------------------------------------------------------------------------


def test_every_entity_endpoint_needs_both_tokens(client: TestClient) -> None:
    headers = auth(client)
    for entity in ENTITIES:
        response = client.post(f"/{SPEC}/{entity}", json=[{"id": "1"}], headers=headers)
        assert response.status_code == 200, (entity, response.text)
        assert response.json() == {"entity": entity, "accepted": 1}
        without_bearer = client.post(f"/{SPEC}/{entity}", json=[{"id": "1"}], headers={"x-app-token": APP})
        assert_error(without_bearer, 401, "missing credentials: send the access token (", "Authorization")
        assert "App Token" not in without_bearer.json()["errors"][0]["message"]
        bearer_only = {"Authorization": headers["Authorization"]}
        without_app = client.post(f"/{SPEC}/{entity}", json=[{"id": "1"}], headers=bearer_only)
        assert_error(without_app, 401, "missing credentials: send the App Token (x-app-token header or", "x-app-token")


def test_missing_credentials_message_lists_the_accepted_places(client: TestClient) -> None:
    incidents = client.post(f"/{SPEC}/incidents", json={})
    assert_error(incidents, 401, BOTH_MISSING, "Authorization")
    assert incidents.json()["errors"][0]["message"] == BOTH_MISSING
    alerts = client.post(f"/{SPEC}/alerts", json={})
    assert "(Authorization: Bearer header or access_token query parameter)" in alerts.json()["errors"][0]["message"]


def test_unknown_tokens_are_refused(client: TestClient) -> None:
    response = client.post(f"/{SPEC}/incidents", json={}, headers={"Authorization": "Bearer nope", "x-app-token": APP})
    assert_error(response, 401, "unknown access token (Authorization: Bearer header)", "Authorization")
    response = client.post(f"/{SPEC}/incidents", json={}, headers={**auth(client), "x-app-token": "nope"})
    assert_error(response, 401, "unknown App Token (x-app-token header)", "x-app-token")
    response = client.post(f"/{SPEC}/alerts", json={}, params={"access_token": "nope", "x-app-token": APP})
    assert_error(response, 401, "unknown access token (access_token query parameter)", "access_token")
    malformed = client.post(f"/{SPEC}/incidents", json={}, headers={"Authorization": "Basic abc", "x-app-token": APP})
    assert_error(malformed, 401, "malformed credential", "Authorization")


def test_token_expires_after_an_hour_on_the_mock_clock(client: TestClient) -> None:
    headers = auth(client)
    client.post("/__admin/clock/advance", json={"seconds": 3599})
    assert client.post(f"/{SPEC}/incidents", json={}, headers=headers).status_code == 200
    client.post("/__admin/clock/advance", json={"seconds": 1})
    response = client.post(f"/{SPEC}/incidents", json={}, headers=headers)
    assert_error(response, 401, "access token expired (Authorization: Bearer header)", "Authorization")
    assert client.post(f"/{SPEC}/incidents", json={}, headers=auth(client)).status_code == 200


def test_expired_tokens_are_purged_when_tokens_are_issued(client: TestClient) -> None:
    first = auth(client)["Authorization"].split()[1]
    second = auth(client)["Authorization"].split()[1]
    keys = {hashlib.sha256(value.encode()).hexdigest() for value in (first, second)}
    assert {item["key"] for item in records(client, "tokens")} == keys
    client.post("/__admin/clock/advance", json={"seconds": 3600})
    third = token(client)
    stored = records(client, "tokens")
    assert [item["key"] for item in stored] == [hashlib.sha256(third.encode()).hexdigest()]
    refused = client.post(
        f"/{SPEC}/incidents", json={}, headers={"Authorization": f"Bearer {first}", "x-app-token": APP}
    )
    assert_error(refused, 401, "unknown access token", "Authorization")


def test_token_of_one_app_is_refused_with_another_apps_token(client: TestClient) -> None:
    """Assumption A21: a bearer token is bound to the application whose App Token was its client_id."""
    headers = auth(client, app=HR_APP)
    response = client.post(f"/{SPEC}/incidents", json={}, headers=headers)
    message = "issued for the application 'Acme Service Desk', not 'Acme HR Assistant'"
    assert_error(response, 401, message, "x-app-token")
    own_token = auth(client, app=HR_APP, client_id=HR_APP)
    assert client.post(f"/{SPEC}/incidents", json={}, headers=own_token).status_code == 200
    cross_tenant = {**auth(client, **GLOBEX), "x-app-token": APP}
    assert_error(client.post(f"/{SPEC}/incidents", json={}, headers=cross_tenant), 401, "issued for", "x-app-token")


def test_query_credentials_where_the_contract_allows_them(client: TestClient) -> None:
    bearer = token(client)
    query = {"access_token": bearer, "x-app-token": APP}
    assert client.post(f"/{SPEC}/alerts", json={"id": "q"}, params=query).status_code == 200
    header_bearer = {"Authorization": f"Bearer {bearer}"}
    response = client.post(f"/{SPEC}/incidents", json={}, params={"x-app-token": APP}, headers=header_bearer)
    assert response.status_code == 200
    # /incidents takes only the App Token from the query string: the bearer in the query does not count
    refused = client.post(f"/{SPEC}/incidents", json={}, params=query)
    message = "missing credentials: send the access token (Authorization: Bearer header)"
    assert_error(refused, 401, message, "Authorization")


def test_tokens_live_in_the_shared_store(make_client: MakeClient, tmp_path: Path) -> None:
    database = tmp_path / "mock.db"
    first = make_client(specs=(SPEC,), db=str(database))
    headers = auth(first)
    second = make_client(specs=(SPEC,), db=str(database))
    assert second.post(f"/{SPEC}/incidents", json={"n": 1}, headers=headers).status_code == 200
    (stored,) = records(second, "tokens")
    assert stored["username"] == CREDENTIALS["username"]
    assert headers["Authorization"].split()[1] not in str(stored)  # stored under its hash only
    assert APP not in str(stored) and stored["appKey"] == hashlib.sha256(APP.encode()).hexdigest()


def test_credentials_are_masked_in_the_journal(client: TestClient) -> None:
    bearer = token(client)
    client.post(f"/{SPEC}/alerts", json={"n": 1}, params={"access_token": bearer, "x-app-token": APP})
    client.post(TOKEN_URL, json={"grant_type": "password", "client_id": APP, "username": "u", "password": "pw-123"})
    entries = client.get("/__admin/journal", params={"spec": SPEC}).json()["entries"]
    text = json.dumps(entries)
    assert bearer not in text and APP not in text and "pw-123" not in text
    issued = next(entry for entry in entries if entry["operationId"] == "requestIngestionToken")
    assert json.loads(issued["response"]["body"])["access_token"] == "[MASKED]"


def test_a_refused_body_is_journaled_without_the_password(client: TestClient) -> None:
    client.post(TOKEN_URL, json={"grant_type": "password", "client_id": APP, "username": "u", "password": 987654321})
    entry = client.get("/__admin/journal", params={"spec": SPEC}).json()["entries"][-1]
    assert entry["status"] == 400
    assert "987654321" not in entry["request"]["body"]


def test_journal_problems_never_carry_a_credential_value(client: TestClient) -> None:
    client.post(TOKEN_URL, json={"grant_type": "password", "client_id": APP, "username": "u", "password": 987654321})
    entry = client.get("/__admin/journal", params={"spec": SPEC}).json()["entries"][-1]
    (problem,) = entry["problems"]
    assert problem["violations"][0]["name"] == "password"
    assert "987654321" not in json.dumps(problem)


# -- stored records ------------------------------------------------------------------------------------------------


def test_records_are_stored_per_tenant_and_entity(client: TestClient) -> None:
    acme, globex = auth(client), auth(client, app=GLOBEX["client_id"], **GLOBEX)
    assert client.post(f"/{SPEC}/incidents", json={"number": "INC1"}, headers=acme).json()["accepted"] == 1
    batch = [{"number": "INC2"}, {"number": "INC3"}]
    assert client.post(f"/{SPEC}/incidents", json=batch, headers=acme).json() == {"entity": "incidents", "accepted": 2}
    client.post(f"/{SPEC}/incidents", json={"number": "GLX1"}, headers=globex)
    client.post(f"/{SPEC}/alerts", json={"alertId": "A1"}, headers=acme)
    stored = records(client, "acme.incidents")
    assert [item["record"] for item in stored] == [{"number": "INC1"}, {"number": "INC2"}, {"number": "INC3"}]
    assert {item["app"] for item in stored} == {"Acme Service Desk"}
    assert all(item["receivedAt"].endswith("Z") for item in stored)
    assert [item["record"] for item in records(client, "globex.incidents")] == [{"number": "GLX1"}]
    assert [item["record"] for item in records(client, "acme.alerts")] == [{"alertId": "A1"}]
    collections = client.get(f"/__admin/records/{SPEC}").json()["collections"]
    assert collections["acme.incidents"] == 3


def test_knowledge_articles_are_upserted_by_id(client: TestClient) -> None:
    headers = auth(client)
    url = f"/{SPEC}/knowledge-articles"
    first = [{"id": "1", "groups": ["Grp1"], "text": "<p>v1</p>"}, {"id": "2", "text": "<p>other</p>"}]
    assert client.post(url, json=first, headers=headers).json() == {"entity": "knowledge-articles", "accepted": 2}
    before = {item["id"]: item for item in records(client, "acme.knowledge-articles")}
    client.post("/__admin/clock/advance", json={"seconds": 60})
    client.post(
        url, json=[{"id": "1", "groups": ["Grp2"], "text": "<p>v2</p>"}, {"text": "<p>no id</p>"}], headers=headers
    )
    after = {item["id"]: item for item in records(client, "acme.knowledge-articles")}
    assert list(after) == ["1", "2", "auto-1"]
    assert after["1"]["record"] == {"id": "1", "groups": ["Grp2"], "text": "<p>v2</p>"}
    assert after["1"]["firstReceivedAt"] == before["1"]["receivedAt"] != after["1"]["receivedAt"]
    assert after["2"] == before["2"]


def test_entity_bodies_are_validated(client: TestClient) -> None:
    headers = auth(client)
    assert_error(client.post(f"/{SPEC}/incidents", json=[], headers=headers), 400, "is not valid under any", "body")
    response = client.post(f"/{SPEC}/knowledge-articles", json={"id": "1"}, headers=headers)
    assert_error(response, 400, "is not of type 'array'", "body")
    response = client.post(f"/{SPEC}/knowledge-articles", json=[{"id": 1}], headers=headers)
    assert_error(response, 400, "1 is not of type 'string'", "body.0.id")
    response = client.post(f"/{SPEC}/incidents", json={"n": 1}, headers=headers, params={"debug": "1"})
    assert_error(response, 400, "unexpected query parameter(s): debug", "query.debug")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'[{"number": "INC1", "impact": NaN}]', "NaN is not a JSON number"),
        (b'{"number": "INC1", "impact": Infinity}', "Infinity is not a JSON number"),
        (b'{"number": "INC1", "impact": 1e400}', "1e400 is too large to be a finite number"),
        (b'{"number": "INC1\\udc00"}', "lone UTF-16 surrogate"),
    ],
)
def test_records_json_cannot_carry_are_refused_and_not_stored(client: TestClient, raw: bytes, message: str) -> None:
    headers = {**auth(client), "content-type": "application/json"}
    response = client.post(f"/{SPEC}/incidents", content=raw, headers=headers)
    assert_error(response, 400, message, "body")
    assert records(client, "acme.incidents") == []


# -- vendor limits -------------------------------------------------------------------------------------------------


def test_recommendations_are_not_enforced_by_default(client: TestClient) -> None:
    headers = auth(client)
    statuses = [client.post(f"/{SPEC}/problems", json={"n": n}, headers=headers).status_code for n in range(8)]
    assert statuses == [200] * 8
    big = [{"n": n} for n in range(120)]
    assert client.post(f"/{SPEC}/problems", json=big, headers=headers).json()["accepted"] == 120


def test_vendor_limits_rate_limit_each_endpoint_with_retry_after(make_client: MakeClient) -> None:
    client = make_client(specs=(SPEC,), vendor_limits=True)
    headers = auth(client)
    assert [client.post(f"/{SPEC}/changes", json={}, headers=headers).status_code for _ in range(5)] == [200] * 5
    refused = client.post(f"/{SPEC}/changes", json={}, headers=headers)
    assert_error(refused, 429, "at most 5 calls per endpoint per minute", "/changes")
    assert refused.headers["retry-after"] == "60"
    assert client.post(f"/{SPEC}/alerts", json={}, headers=headers).status_code == 200  # another endpoint
    globex = auth(client, app=GLOBEX["client_id"], **GLOBEX)
    assert client.post(f"/{SPEC}/changes", json={}, headers=globex).status_code == 200  # another tenant
    client.post("/__admin/clock/advance", json={"seconds": 45})
    assert client.post(f"/{SPEC}/changes", json={}, headers=headers).headers["retry-after"] == "15"
    client.post("/__admin/clock/advance", json={"seconds": 15})
    assert client.post(f"/{SPEC}/changes", json={}, headers=headers).status_code == 200
    assert len(records(client, "acme.changes")) == 6


def test_vendor_limits_refuse_large_payloads(make_client: MakeClient) -> None:
    client = make_client(specs=(SPEC,), vendor_limits=True)
    headers = auth(client)
    assert client.post(f"/{SPEC}/incidents", json=[{"n": n} for n in range(50)], headers=headers).status_code == 200
    too_many = client.post(f"/{SPEC}/requests", json=[{"n": n} for n in range(51)], headers=headers)
    assert_error(too_many, 413, "at most 50 records per request, got 51", "body")
    assert too_many.json()["error"] == "Payload Too Large"
    too_big = client.post(
        f"/{SPEC}/requestitems", json=[{"text": "x" * 600_000}, {"text": "y" * 500_000}], headers=headers
    )
    assert_error(too_big, 413, "at most 1048576 bytes of content per request", "body")
    assert records(client, "acme.requests") == records(client, "acme.requestitems") == []


def test_vendor_limits_come_from_the_contract_and_the_admin_switch(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = runtime().contracts[SPEC].document["info"]["x-vendor-limits"]
    monkeypatch.setitem(limits, "callsPerEndpointPerMinute", 2)
    headers = auth(client)
    assert client.patch("/__admin/settings", json={"vendorLimits": True}).json()["vendorLimits"] is True
    statuses = [client.post(f"/{SPEC}/problems", json={}, headers=headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    client.patch("/__admin/settings", json={"vendorLimits": False})
    assert client.post(f"/{SPEC}/problems", json={}, headers=headers).status_code == 200


# -- envelopes -----------------------------------------------------------------------------------------------------


def test_injected_server_error_uses_the_envelope(client: TestClient) -> None:
    installed = client.put(f"/__admin/faults/{SPEC}/ingestIncidents", json={"status": 500})
    assert installed.status_code == 200
    response = client.post(f"/{SPEC}/incidents", json={}, headers=auth(client))
    assert response.status_code == 500
    assert response.json() == {"code": 500, "error": "Internal Server Error", "errors": []}


def test_injected_rate_limit_keeps_retry_after(client: TestClient) -> None:
    client.put(f"/__admin/faults/{SPEC}/ingestAlerts", json={"status": 429, "retryAfter": 7})
    response = client.post(f"/{SPEC}/alerts", json={}, headers=auth(client))
    assert_error(response, 429, "Fault injected", None)
    assert response.headers["retry-after"] == "7"


def test_faults_cannot_ask_for_an_error_code(client: TestClient) -> None:
    """The Ingestion APIs document no error codes, so a fault's `reason` is refused."""
    response = client.put(f"/__admin/faults/{SPEC}/ingestAlerts", json={"status": 500, "reason": "ERR-012"})
    assert response.status_code == 400
    assert "none for this operation" in response.json()["detail"]


def test_unknown_path_uses_the_envelope(client: TestClient) -> None:
    response = client.post(f"/{SPEC}/tickets", json={})
    assert response.status_code == 404
    assert response.json()["error"] == "Not Found"
    assert response.json()["code"] == 404


# -- fixture -------------------------------------------------------------------------------------------------------


def _fixture() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES_DIR / f"{SPEC}.yaml").read_text(encoding="utf-8"))
    return data


def test_fixture_schema_refuses_unknown_keys() -> None:
    import jsonschema

    fixture = _fixture()
    jsonschema.Draft202012Validator(aisera_ingestion.FIXTURE_SCHEMA).validate(fixture)
    aisera_ingestion.validate_fixture(fixture)
    fixture["tenants"][0]["users"][0]["role"] = "admin"
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        jsonschema.Draft202012Validator(aisera_ingestion.FIXTURE_SCHEMA).validate(fixture)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data["tenants"][1]["apps"][0].update(app_token=APP), "share an App Token"),
        (lambda data: data["tenants"].append(copy.deepcopy(data["tenants"][1])), "tenant 'globex' is listed twice"),
        (
            lambda data: data["tenants"][0]["users"].append(dict(data["tenants"][0]["users"][0])),
            r"lists user\(s\) \['svc-ingest@acme.example'\] more than once",
        ),
    ],
)
def test_validate_fixture_refuses_ambiguous_identities(change: Callable[[dict[str, Any]], None], message: str) -> None:
    data = copy.deepcopy(_fixture())
    change(data)
    with pytest.raises(FixtureError, match=message):
        aisera_ingestion.validate_fixture(data)
