"""The request journal: what an entry keeps, credential masking, filters, count and verify, HAR export, clearing,
and the near misses of a request no operation matches."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR
from mockserver.journal import MASK, Journal
from mockserver.store import JournalQuery, SqliteStore

MakeClient = Callable[..., TestClient]

CREDENTIALS: dict[str, Any] = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text(encoding="utf-8"))

ASAPP = "asapp-metadata-ingestion"
ASAPP_BASE = f"/{ASAPP}/metadata-ingestion/v1"
ASAPP_HEADERS = {
    "asapp-api-id": CREDENTIALS[ASAPP]["api_id"],
    "asapp-api-secret": CREDENTIALS[ASAPP]["api_secret"],
}
INGESTION = "aisera-ingestion"
INGESTION_CREDENTIALS = CREDENTIALS[INGESTION]
CONVERSATION = "aisera-conversation"
SYSAID = "sysaid-copilot"
SYSAID_ADMIN = CREDENTIALS[SYSAID]["admin"]
SYSAID_HEADERS = {
    "x-sysaid-hostname": CREDENTIALS[SYSAID]["hostname"],
    "Cookie": f"JSESSIONID={SYSAID_ADMIN['jsessionid']}; SERVERID={SYSAID_ADMIN['serverid']}",
}
SPECS = (ASAPP, INGESTION, CONVERSATION, SYSAID)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A fresh mock serving the four contracts these tests call."""
    return make_client(specs=SPECS)


def entries(client: TestClient, **filters: Any) -> list[dict[str, Any]]:
    response = client.get("/__admin/journal", params=filters)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["entries"]
    return found


def ingest_agent(client: TestClient, agent: str, headers: dict[str, str] | None = None) -> httpx.Response:
    response: httpx.Response = client.post(
        f"{ASAPP_BASE}/single-agent-metadata", json={"externalAgentId": agent}, headers=headers or ASAPP_HEADERS
    )
    return response


def ingestion_token(client: TestClient) -> str:
    form = {
        "grant_type": "password",
        "client_id": INGESTION_CREDENTIALS["app_token"],
        "username": INGESTION_CREDENTIALS["username"],
        "password": INGESTION_CREDENTIALS["password"],
    }
    response = client.post(f"/{INGESTION}/tenant-users/oauth2/token", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def secret_values() -> list[str]:
    """Every credential value of the default fixtures' clients that is a secret (not a user name or a host)."""
    return [
        CREDENTIALS[ASAPP]["api_id"],
        CREDENTIALS[ASAPP]["api_secret"],
        INGESTION_CREDENTIALS["app_token"],
        INGESTION_CREDENTIALS["password"],
        CREDENTIALS[CONVERSATION]["token"],
        SYSAID_ADMIN["jsessionid"],
        CREDENTIALS[SYSAID]["user"]["jsessionid"],
    ]


def assert_masked(text: str, *values: str) -> None:
    for value in values:
        assert value not in text, f"credential {value!r} is in the journal"
    assert MASK in text


# --- what an entry keeps ------------------------------------------------------------------------------------------


def test_an_entry_keeps_the_request_the_answer_and_the_operation(client: TestClient) -> None:
    client.delete("/__admin/journal")
    answered = client.post(
        f"{ASAPP_BASE}/single-agent-metadata",
        json={"externalAgentId": "agent-7"},
        headers={**ASAPP_HEADERS, "x-trace": "trace-42"},
    )
    assert answered.status_code == 200
    [entry] = entries(client)
    assert entry["kind"] == "request"
    assert (entry["spec"], entry["operationId"], entry["method"]) == (ASAPP, "singleAgentMetadata", "POST")
    assert entry["path"] == f"{ASAPP_BASE}/single-agent-metadata"
    assert entry["status"] == 200
    assert entry["problems"] == []
    assert entry["request"]["headers"]["x-trace"] == "trace-42"
    assert json.loads(entry["request"]["body"]) == {"externalAgentId": "agent-7"}
    assert entry["response"]["mediaType"] == "application/json"
    assert json.loads(entry["response"]["body"]) == answered.json()
    assert isinstance(entry["seq"], int) and entry["seq"] >= 1
    assert client.get(f"/__admin/journal/{entry['seq']}").json() == entry


def test_an_entry_keeps_the_query_and_the_validation_problems(client: TestClient) -> None:
    client.delete("/__admin/journal")
    refused = client.post(
        f"{ASAPP_BASE}/single-agent-metadata", params={"dryRun": "yes"}, json={}, headers=ASAPP_HEADERS
    )
    assert refused.status_code == 400
    [entry] = entries(client)
    assert entry["query"] == {"dryRun": "yes"}
    assert entry["status"] == 400
    assert entry["operationId"] == "singleAgentMetadata"
    kinds = [problem["kind"] for problem in entry["problems"]]
    assert kinds and all(isinstance(kind, str) for kind in kinds)
    assert any("dryRun" in json.dumps(problem) for problem in entry["problems"]), entry["problems"]


def test_bodies_are_kept_up_to_the_configured_size(make_client: MakeClient) -> None:
    client = make_client(specs=(SYSAID, INGESTION), journal_body_bytes=100)
    bearer = ingestion_token(client)
    client.delete("/__admin/journal")
    big = {"id": "big", "text": "x" * 5000}
    headers = {"Authorization": f"Bearer {bearer}", "x-app-token": INGESTION_CREDENTIALS["app_token"]}
    assert client.post(f"/{INGESTION}/alerts", json=big, headers=headers).status_code == 200
    login = client.post(f"/{SYSAID}/api/login", headers=SYSAID_HEADERS)
    assert login.status_code == 200 and len(login.text) > 150
    request_entry, login_entry = entries(client)
    kept = request_entry["request"]["body"]
    assert kept.startswith('{"id": "big", "text": "xxx')
    assert len(kept.split("... (")[0]) == 100 and kept.endswith("bytes)")
    kept_answer = login_entry["response"]["body"]
    assert len(kept_answer.split("... (")[0]) == 100 and kept_answer.endswith("bytes)")
    assert kept_answer.startswith('{"status": "ok"')


def test_the_body_size_limit_counts_bytes_not_characters(make_client: MakeClient) -> None:
    client = make_client(specs=(INGESTION,), journal_body_bytes=100)
    bearer = ingestion_token(client)
    client.delete("/__admin/journal")
    query = {"access_token": bearer, "x-app-token": INGESTION_CREDENTIALS["app_token"]}
    assert client.post(f"/{INGESTION}/alerts", json={"id": "é" * 500}, params=query).status_code == 200
    [entry] = entries(client, operationId="ingestAlerts")
    kept = entry["request"]["body"].split("... (")[0]
    assert kept.startswith('{"id": "ééé')  # the body was kept, cut to the limit
    assert len(kept.encode("utf-8")) <= 100


# --- credentials are masked ---------------------------------------------------------------------------------------


def test_query_credentials_are_masked(client: TestClient) -> None:
    bearer = ingestion_token(client)
    app_token = INGESTION_CREDENTIALS["app_token"]
    client.delete("/__admin/journal")
    answered = client.post(
        f"/{INGESTION}/alerts", json={"id": "q"}, params={"access_token": bearer, "x-app-token": app_token}
    )
    assert answered.status_code == 200, answered.text
    [entry] = entries(client)
    assert entry["query"] == {"access_token": MASK, "x-app-token": MASK}
    assert_masked(json.dumps(entry), bearer, app_token)


def test_query_credentials_are_masked_on_refusals_and_unknown_paths(client: TestClient) -> None:
    app_token = INGESTION_CREDENTIALS["app_token"]
    client.delete("/__admin/journal")
    refused = client.post(
        f"/{INGESTION}/alerts", json={}, params={"access_token": "not-a-token", "x-app-token": app_token}
    )
    assert refused.status_code == 401
    unknown = client.post(f"/{INGESTION}/alertz", params={"access_token": "not-a-token", "x-app-token": app_token})
    assert unknown.status_code == 404
    repeated = client.post(
        f"/{INGESTION}/alerts", json={}, params=[("x-app-token", app_token), ("x-app-token", app_token)]
    )
    assert repeated.status_code >= 400
    found = entries(client)
    assert [entry["status"] for entry in found] == [401, 404, repeated.status_code]
    for entry in found[:2]:
        assert entry["query"] == {"access_token": MASK, "x-app-token": MASK}
    assert found[2]["query"] == {"x-app-token": [MASK, MASK]}
    assert_masked(json.dumps(found), app_token, "not-a-token")


def test_header_credentials_are_masked(client: TestClient) -> None:
    bearer = ingestion_token(client)
    client.delete("/__admin/journal")
    assert ingest_agent(client, "agent-1").status_code == 200
    wrong_id = {**ASAPP_HEADERS, "asapp-api-id": "not-an-id"}
    assert ingest_agent(client, "agent-2", wrong_id).status_code == 401
    app_token = INGESTION_CREDENTIALS["app_token"]
    headers = {"Authorization": f"Bearer {bearer}", "x-app-token": app_token}
    assert client.post(f"/{INGESTION}/alerts", json={"id": "h"}, headers=headers).status_code == 200
    ok, refused, ingestion = entries(client)
    for entry in (ok, refused):
        assert entry["request"]["headers"]["asapp-api-secret"] == MASK
        assert entry["request"]["headers"]["asapp-api-id"] == MASK
    assert ingestion["request"]["headers"]["authorization"] == MASK
    assert ingestion["request"]["headers"]["x-app-token"] == MASK
    assert_masked(
        json.dumps([ok, refused, ingestion]), CREDENTIALS[ASAPP]["api_secret"], bearer, app_token, "not-an-id"
    )


def test_cookie_credentials_are_masked(client: TestClient) -> None:
    client.delete("/__admin/journal")
    assert client.post(f"/{SYSAID}/api/login", headers=SYSAID_HEADERS).status_code == 200
    unknown_host = {**SYSAID_HEADERS, "x-sysaid-hostname": "other.sysaidit.com"}
    assert client.post(f"/{SYSAID}/api/login", headers=unknown_host).status_code != 200
    found = entries(client)
    for entry in found:
        cookie = entry["request"]["headers"]["cookie"]
        assert f"JSESSIONID={MASK}" in cookie
        assert entry["request"]["headers"]["x-sysaid-hostname"] == MASK
    assert_masked(json.dumps(found), SYSAID_ADMIN["jsessionid"])


def test_a_cookie_with_a_space_before_the_equals_sign_is_masked(client: TestClient) -> None:
    client.delete("/__admin/journal")
    cookie = f"SERVERID={SYSAID_ADMIN['serverid']};JSESSIONID ={SYSAID_ADMIN['jsessionid']}"
    headers = {"x-sysaid-hostname": CREDENTIALS[SYSAID]["hostname"], "Cookie": cookie}
    assert client.post(f"/{SYSAID}/api/login", headers=headers).status_code == 200  # the mock accepted the session
    assert SYSAID_ADMIN["jsessionid"] not in json.dumps(entries(client))


def test_a_credential_in_a_path_is_masked(client: TestClient) -> None:
    client.delete("/__admin/journal")
    client.get(f"/{SYSAID}/api/chat/stream/stream-id-secret-1", headers=SYSAID_HEADERS)
    [entry] = entries(client)
    assert entry["operationId"] == "getChatStreamMessages"
    assert entry["path"] == f"/{SYSAID}/api/chat/stream/{MASK}"
    assert "stream-id-secret-1" not in json.dumps(entry)


def test_body_credentials_are_masked_in_requests_answers_and_refusals(client: TestClient) -> None:
    token = CREDENTIALS[CONVERSATION]["token"]
    user = CREDENTIALS[CONVERSATION]["user_id"]
    url = f"/{CONVERSATION}/api/receive"
    client.delete("/__admin/journal")
    assert client.post(url, json={"token": token, "userId": user, "data": {"text": "hello"}}).status_code == 200
    assert client.post(url, json={"token": token, "userId": user}).status_code == 400  # schema refusal
    assert client.post(url, json={"token": [token], "userId": user, "data": {"text": "x"}}).status_code == 400
    broken = b'{"token": "' + token.encode() + b'", "userId": '
    assert client.post(url, content=broken, headers={"content-type": "application/json"}).status_code == 400
    found = entries(client, spec=CONVERSATION)
    assert len(found) == 4
    assert json.loads(found[0]["request"]["body"])["token"] == MASK
    assert json.loads(found[0]["request"]["body"])["userId"] == user  # only credentials are masked
    assert json.loads(found[1]["request"]["body"])["token"] == MASK
    assert token not in found[3]["request"]["body"]
    assert_masked(json.dumps(found), token)

    bearer = ingestion_token(client)
    [grant] = entries(client, operationId="requestIngestionToken")
    assert json.loads(grant["request"]["body"])["password"] == MASK
    assert json.loads(grant["response"]["body"])["access_token"] == MASK
    assert_masked(json.dumps(grant), bearer, INGESTION_CREDENTIALS["password"], INGESTION_CREDENTIALS["app_token"])


def test_no_secret_of_the_demo_credentials_reaches_the_journal(client: TestClient) -> None:
    """A mix of answered and refused calls to every API, then one check over the whole journal and its export."""
    bearer = ingestion_token(client)
    ingest_agent(client, "agent-1")
    ingest_agent(client, "bad id!")
    client.post(f"/{INGESTION}/alerts", json={"id": 1}, params={"access_token": bearer, "x-app-token": "nope"})
    client.post(f"/{SYSAID}/api/login", headers=SYSAID_HEADERS)
    client.post(f"/{CONVERSATION}/api/receive", json={"token": CREDENTIALS[CONVERSATION]["token"], "userId": "u"})
    text = client.get("/__admin/journal").text + client.get("/__admin/journal.har").text
    for value in [*secret_values(), bearer]:
        assert value not in text, value


# --- filters ------------------------------------------------------------------------------------------------------


def test_filters_narrow_by_spec_operation_status_and_method(client: TestClient) -> None:
    client.delete("/__admin/journal")
    assert ingest_agent(client, "agent-1").status_code == 200
    assert ingest_agent(client, "bad id!").status_code == 400
    convo = client.post(
        f"{ASAPP_BASE}/single-convo-metadata", json={"externalConversationId": "c"}, headers=ASAPP_HEADERS
    )
    assert convo.status_code == 200
    assert client.post(f"/{SYSAID}/api/login", headers=SYSAID_HEADERS).status_code == 200
    assert client.get(f"/{SYSAID}/api/chatt").status_code == 404

    everything = entries(client)
    assert len(everything) == 5
    by_spec = entries(client, spec=ASAPP)
    assert [e["operationId"] for e in by_spec] == ["singleAgentMetadata", "singleAgentMetadata", "singleConvoMetadata"]
    assert all(e["spec"] == ASAPP for e in by_spec)
    by_operation = entries(client, operationId="singleAgentMetadata")
    assert [e["status"] for e in by_operation] == [200, 400]
    by_status = entries(client, status=200)
    assert [e["operationId"] for e in by_status] == ["singleAgentMetadata", "singleConvoMetadata", "loginUser"]
    combined = entries(client, spec=ASAPP, status=400)
    assert [(e["operationId"], e["status"]) for e in combined] == [("singleAgentMetadata", 400)]
    assert [e["path"] for e in entries(client, method="get")] == [f"/{SYSAID}/api/chatt"]
    assert entries(client, spec=SYSAID, operationId="singleAgentMetadata") == []
    seqs = [e["seq"] for e in everything]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    assert [e["seq"] for e in entries(client, after=seqs[2])] == seqs[3:]
    assert [e["seq"] for e in entries(client, limit=2)] == seqs[-2:]


def test_the_time_filter_keeps_entries_at_or_after_a_mock_time(client: TestClient) -> None:
    client.delete("/__admin/journal")
    assert ingest_agent(client, "before-1").status_code == 200
    assert ingest_agent(client, "before-2").status_code == 200
    assert client.post("/__admin/clock/advance", json={"seconds": 3600}).status_code == 200
    boundary = client.get("/__admin/clock").json()["now"]
    assert ingest_agent(client, "after-1").status_code == 200
    assert client.post(f"/{SYSAID}/api/login", headers=SYSAID_HEADERS).status_code == 200

    later = entries(client, since=boundary)
    assert [e["operationId"] for e in later] == ["singleAgentMetadata", "loginUser"]
    assert json.loads(later[0]["request"]["body"]) == {"externalAgentId": "after-1"}
    assert len(entries(client)) == 4
    assert len(entries(client, since="2000-01-01T00:00:00Z")) == 4
    assert entries(client, since="9999-01-01T00:00:00+00:00") == []
    assert [e["operationId"] for e in entries(client, since=boundary, spec=SYSAID)] == ["loginUser"]
    refused = client.get("/__admin/journal", params={"since": "yesterday"})
    assert refused.status_code == 400 and "since" in refused.json()["detail"]


def test_clearing_empties_the_journal_and_sequence_numbers_keep_increasing(client: TestClient) -> None:
    ingest_agent(client, "one")
    last = entries(client)[-1]["seq"]
    assert client.delete("/__admin/journal").status_code == 204
    assert entries(client) == []
    assert client.get(f"/__admin/journal/{last}").status_code == 404
    ingest_agent(client, "two")
    [entry] = entries(client)
    assert entry["seq"] > last


def test_the_journal_is_capped_oldest_dropped_first(make_client: MakeClient) -> None:
    client = make_client(specs=(ASAPP,), journal_limit=3)
    for n in range(8):
        assert ingest_agent(client, f"agent-{n}").status_code == 200
        entries(client)  # each read flushes, so the cap is applied as the journal grows
    kept = entries(client)
    assert 1 <= len(kept) <= 3
    assert json.loads(kept[-1]["request"]["body"]) == {"externalAgentId": "agent-7"}
    assert {"externalAgentId": "agent-0"} not in [json.loads(e["request"]["body"]) for e in kept]


# --- count and verify ---------------------------------------------------------------------------------------------


def _calls(client: TestClient) -> None:
    client.delete("/__admin/journal")
    for agent in ("agent-1", "agent-2", "agent-1"):
        assert ingest_agent(client, agent).status_code == 200
    assert ingest_agent(client, "bad id!").status_code == 400
    assert ingest_agent(client, "agent-3", {**ASAPP_HEADERS, "asapp-api-id": "wrong"}).status_code == 401


def test_count_gives_the_number_and_sequence_numbers_of_matching_requests(client: TestClient) -> None:
    _calls(client)
    journal = entries(client)
    pattern = {"spec": ASAPP, "operationId": "singleAgentMetadata", "body": {"externalAgentId": "agent-1"}}
    counted = client.post("/__admin/journal/count", json=pattern).json()
    expected = [e["seq"] for e in journal if e["request"]["body"] and '"agent-1"' in e["request"]["body"]]
    assert counted == {"count": 2, "seqs": expected}
    answered = client.post("/__admin/journal/count", json={**pattern, "status": 200}).json()
    assert answered == counted  # both were answered 200
    refused = client.post("/__admin/journal/count", json={"spec": ASAPP, "status": 401}).json()
    assert refused["seqs"] == [journal[-1]["seq"]]
    by_path = client.post(
        "/__admin/journal/count", json={"method": "post", "path": f"{ASAPP_BASE}/single-agent-metadata"}
    ).json()
    assert by_path["count"] == 5
    by_header = client.post(
        "/__admin/journal/count", json={"spec": ASAPP, "headers": {"Content-Type": "application/json"}}
    )
    assert by_header.json()["count"] == 5
    nothing = client.post("/__admin/journal/count", json={"spec": ASAPP, "operationId": "manyAgentMetadata"}).json()
    assert nothing == {"count": 0, "seqs": []}


def test_a_matching_verify_passes(client: TestClient) -> None:
    _calls(client)
    pattern = {"spec": ASAPP, "operationId": "singleAgentMetadata", "body": {"externalAgentId": "agent-1"}}
    exact = client.post("/__admin/journal/verify", json={**pattern, "count": 2})
    assert exact.status_code == 200 and exact.json() == {"count": 2}
    ranged = client.post("/__admin/journal/verify", json={**pattern, "atLeast": 1, "atMost": 2})
    assert ranged.status_code == 200 and ranged.json() == {"count": 2}
    assert client.post("/__admin/journal/verify", json=pattern).status_code == 200  # at least once by default
    never = {"spec": ASAPP, "operationId": "manyAgentMetadata", "count": 0}
    assert client.post("/__admin/journal/verify", json=never).json() == {"count": 0}


def test_a_failed_verify_explains_and_lists_the_closest_requests(client: TestClient) -> None:
    _calls(client)
    journal = entries(client)
    pattern = {
        "spec": ASAPP,
        "operationId": "singleAgentMetadata",
        "body": {"externalAgentId": "agent-2"},
        "status": 200,
    }
    failed = client.post("/__admin/journal/verify", json={**pattern, "count": 2})
    assert failed.status_code == 409
    assert failed.headers["content-type"].startswith("application/problem+json")
    problem = failed.json()
    assert problem["status"] == 409 and problem["count"] == 1
    assert "expected exactly 2" in problem["detail"] and "got 1" in problem["detail"]
    assert "agent-2" in problem["detail"]
    closest = problem["closest"]
    assert 1 <= len(closest) <= 3
    by_seq = {e["seq"]: e for e in journal}
    for near in closest:
        assert set(near) >= {"seq", "method", "path", "operationId", "differences"}
        assert near["differences"], near
        assert near["seq"] in by_seq and by_seq[near["seq"]]["path"] == near["path"]
    # Ranked by how little differs: the two answered "agent-1" calls differ only by their body.
    assert [len(near["differences"]) for near in closest] == sorted(len(near["differences"]) for near in closest)
    assert len(closest[0]["differences"]) == 1 and "does not contain" in closest[0]["differences"][0]
    assert "agent-1" in closest[0]["differences"][0]

    too_few = client.post("/__admin/journal/verify", json={"spec": ASAPP, "operationId": "manyAgentMetadata"})
    assert too_few.status_code == 409
    assert "at least 1" in too_few.json()["detail"] and too_few.json()["count"] == 0
    assert any("operationId is 'singleAgentMetadata'" in d for d in too_few.json()["closest"][0]["differences"])
    too_many = client.post("/__admin/journal/verify", json={"spec": ASAPP, "atMost": 2})
    assert too_many.status_code == 409 and too_many.json()["count"] == 5
    assert "at most 2" in too_many.json()["detail"]


# --- HAR export ---------------------------------------------------------------------------------------------------

_HAR_REQUEST = {"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"}
_HAR_RESPONSE = {"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize",
                 "bodySize"}  # fmt: skip


def _assert_har_shape(har: dict[str, Any]) -> list[dict[str, Any]]:
    log = har["log"]
    assert log["version"] == "1.2"
    assert isinstance(log["creator"]["name"], str) and isinstance(log["creator"]["version"], str)
    for item in log["entries"]:
        assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(item)
        assert set(item["request"]) >= _HAR_REQUEST, item["request"]
        assert set(item["response"]) >= _HAR_RESPONSE, item["response"]
        assert {"size", "mimeType"} <= set(item["response"]["content"])
        assert {"send", "wait", "receive"} <= set(item["timings"])
        for header in item["request"]["headers"] + item["response"]["headers"]:
            assert set(header) == {"name", "value"} and isinstance(header["value"], str)
        if "postData" in item["request"]:
            assert {"mimeType", "text"} <= set(item["request"]["postData"])
    entries_: list[dict[str, Any]] = log["entries"]
    return entries_


def test_har_export_is_har_1_2_with_credentials_masked(client: TestClient) -> None:
    bearer = ingestion_token(client)
    app_token = INGESTION_CREDENTIALS["app_token"]
    assert ingest_agent(client, "agent-har").status_code == 200
    client.post(f"/{INGESTION}/alerts", json={"id": "q"}, params={"access_token": bearer, "x-app-token": app_token})
    client.post(f"/{SYSAID}/api/login", headers=SYSAID_HEADERS)
    client.post(
        f"/{CONVERSATION}/api/receive",
        json={"token": CREDENTIALS[CONVERSATION]["token"], "userId": "u", "data": {"text": "hi"}},
    )
    response = client.get("/__admin/journal.har")
    assert response.status_code == 200
    har = response.json()
    exported = _assert_har_shape(har)
    journal = entries(client, kind="request")
    assert len(exported) == len(journal) == 5
    assert [(h["request"]["method"], h["response"]["status"]) for h in exported] == [
        (e["method"], e["status"]) for e in journal
    ]
    alerts = next(h for h in exported if "/alerts" in h["request"]["url"])
    assert {q["name"]: q["value"] for q in alerts["request"]["queryString"]} == {
        "access_token": MASK,
        "x-app-token": MASK,
    }
    asapp = next(h for h in exported if "single-agent-metadata" in h["request"]["url"])
    assert json.loads(asapp["request"]["postData"]["text"]) == {"externalAgentId": "agent-har"}
    assert asapp["request"]["postData"]["mimeType"] == "application/json"
    assert {h["name"]: h["value"] for h in asapp["request"]["headers"]}["asapp-api-secret"] == MASK
    assert_masked(response.text, *secret_values(), bearer)

    only = _assert_har_shape(client.get("/__admin/journal.har", params={"spec": SYSAID}).json())
    assert [httpx.URL(h["request"]["url"]).path.split("/")[1] for h in only] == [SYSAID]


def test_har_urls_are_absolute(client: TestClient) -> None:
    assert ingest_agent(client, "agent-url").status_code == 200
    [exported] = client.get("/__admin/journal.har").json()["log"]["entries"]
    assert httpx.URL(exported["request"]["url"]).is_absolute_url


# --- near misses --------------------------------------------------------------------------------------------------


def test_an_unknown_path_is_journaled_with_the_closest_operations_and_why(client: TestClient) -> None:
    client.delete("/__admin/journal")
    assert client.get(f"/{SYSAID}/api/chatt", headers=SYSAID_HEADERS).status_code == 404
    [entry] = entries(client)
    assert entry["operationId"] is None and entry["status"] == 404
    assert [problem["kind"] for problem in entry["problems"]] == ["route-not-found"]
    misses = entry["nearMisses"]
    assert 1 <= len(misses) <= 3
    for miss in misses:
        assert set(miss) >= {"operationId", "label", "reason"} and miss["reason"]
    assert misses[0]["operationId"] == "listChats"
    assert misses[0]["label"] == "GET /api/chat"
    assert "chatt" in misses[0]["reason"]


def test_a_wrong_method_is_journaled_with_the_operations_on_that_path(client: TestClient) -> None:
    client.delete("/__admin/journal")
    refused = client.put(f"/{SYSAID}/api/chat", headers=SYSAID_HEADERS)
    assert refused.status_code == 405
    [entry] = entries(client)
    assert entry["operationId"] is None
    misses = {miss["operationId"]: miss for miss in entry["nearMisses"]}
    assert {"listChats", "startChat"} <= set(misses)
    assert "PUT" in misses["listChats"]["reason"] and "GET" in misses["listChats"]["reason"]
    assert "POST" in misses["startChat"]["reason"]


def test_a_trailing_slash_is_a_near_miss_of_the_operation(client: TestClient) -> None:
    client.delete("/__admin/journal")
    assert ingest_agent(client, "ok").status_code == 200
    slashed = client.post(f"{ASAPP_BASE}/single-agent-metadata/", json={"externalAgentId": "a"}, headers=ASAPP_HEADERS)
    assert slashed.status_code == 404
    matched, missed = entries(client)
    assert "nearMisses" not in matched or not matched["nearMisses"]
    assert missed["operationId"] is None
    assert missed["nearMisses"][0]["operationId"] == "singleAgentMetadata"
    assert_masked(json.dumps(missed), CREDENTIALS[ASAPP]["api_secret"])


# --- the cap holds under sustained load ---------------------------------------------------------------------------


def test_the_journal_stays_capped_while_requests_keep_arriving_during_a_flush() -> None:
    """Entries recorded while a chunk is being written keep the flush going; trimming must not wait for a lull
    (under wrk the journal grew to 26,000 rows, then one 160 ms DELETE blocked the loop)."""
    limit, arrivals = 100, 3000
    rows_seen: list[int] = []

    class Busy(SqliteStore):
        """A store during whose every journal write as many new requests arrive as were written."""

        journal: Journal | None = None
        arrived = 0

        def arrive(self) -> None:
            self.arrived += 1
            assert self.journal is not None
            self.journal.record({"at": float(self.arrived), "kind": "request", "spec": "s", "operationId": "op",
                                 "method": "GET", "status": 200, "n": self.arrived})  # fmt: skip

        async def journal_append(self, entries: Sequence[Mapping[str, Any]]) -> None:
            await super().journal_append(entries)
            rows_seen.append(len(await self.journal_read(JournalQuery())))
            for _ in entries:
                if self.arrived < arrivals:
                    self.arrive()

    async def scenario() -> tuple[int, int]:
        store = Busy(None)
        store.journal = Journal(store, limit=limit, flush_seconds=60)
        for _ in range(64):
            store.arrive()
        await store.journal.flush()
        return store.arrived, len(await store.journal_read(JournalQuery()))

    arrived, final = asyncio.run(scenario())
    assert arrived == arrivals, "the flush kept going while entries arrived"
    assert final <= limit + limit // 10
    assert max(rows_seen) <= limit + limit // 10 + 64, f"the journal grew to {max(rows_seen)} rows during the flush"


def test_a_credential_sent_where_the_contract_does_not_expect_it_is_still_masked(make_client: MakeClient) -> None:
    """A client that puts its secret in the wrong place (the query string, a JSON field) must not leak it."""
    alvaria = CREDENTIALS["alvaria-messaging"]
    client = make_client(specs=("alvaria-messaging", ASAPP))
    client.delete("/__admin/journal")
    token_url = "/alvaria-messaging/tokenservice/oauth2/access_token"
    form = {"grant_type": "client_credentials", "scope": alvaria["scope"], "realm": alvaria["org_id"]}
    query = {"client_id": alvaria["client_id"], "client_secret": alvaria["client_secret"]}
    client.post(token_url, params=query, data=form)
    body = {"externalAgentId": "a-1", "asapp-api-secret": CREDENTIALS[ASAPP]["api_secret"]}
    client.post(f"{ASAPP_BASE}/single-agent-metadata", json=body, headers={"asapp-api-id": "x"})
    text = json.dumps(entries(client))
    assert_masked(text, alvaria["client_secret"], CREDENTIALS[ASAPP]["api_secret"])
    assert alvaria["client_id"] in text, "an identifier that is not a secret is kept"


def test_closing_leaves_no_timer_or_task_behind_and_writes_the_buffer() -> None:
    """A stop writes every buffered entry, and nothing the journal scheduled outlives the server's loop."""

    async def scenario() -> tuple[int, int]:
        store = SqliteStore(None)
        journal = Journal(store, limit=100, flush_seconds=60)
        journal.record({"at": 1.0, "kind": "request", "spec": "s", "operationId": "op", "method": "GET", "status": 200})
        assert journal._timer is not None, "an entry arms the flush timer"
        await journal.close()
        journal.record({"at": 2.0, "kind": "request", "spec": "s", "operationId": "op", "method": "GET", "status": 200})
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        handles = journal._timer
        stored = len(await store.journal_read(JournalQuery()))
        return len(pending) + (handles is not None), stored

    leftovers, stored = asyncio.run(scenario())
    assert leftovers == 0
    assert stored == 1
