"""The app factory: mounts, index, served contracts, and framework errors in the vendor's own envelope."""

from __future__ import annotations

import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR
from mockserver import Settings, SettingsError, create_app

ASAPP = "asapp-metadata-ingestion"
BASE = f"/{ASAPP}/metadata-ingestion/v1"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())[ASAPP]
HEADERS = {"asapp-api-id": CREDENTIALS["api_id"], "asapp-api-secret": CREDENTIALS["api_secret"]}


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client(specs=(ASAPP,))


def test_index_lists_every_mounted_api_with_its_ui_and_contract(client: TestClient) -> None:
    listing = client.get("/", headers={"accept": "application/json"}).json()
    assert [api["name"] for api in listing["apis"]] == [ASAPP]
    api = listing["apis"][0]
    assert client.get(api["ui"]).status_code == 200
    served = client.get(api["spec"]).json()
    assert served["info"]["title"] == api["title"]
    assert "Swagger UI" in client.get("/").text


def test_unknown_spec_name_fails_with_the_valid_names() -> None:
    with pytest.raises(SettingsError, match="Valid: aisera-ingestion"):
        create_app(Settings(specs=("asap",)))


def test_undeclared_method_gets_405_in_the_vendor_envelope(client: TestClient) -> None:
    for method in ("GET", "TRACE", "DELETE"):
        response = client.request(method, f"{BASE}/single-agent-metadata", headers=HEADERS)
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "405-01"


def test_unknown_path_gets_404_in_the_vendor_envelope(client: TestClient) -> None:
    response = client.get(f"/{ASAPP}/no/such/path")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == "404-01"


def test_unknown_mount_gets_a_problem_document(client: TestClient) -> None:
    response = client.get("/no-such-api/x")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        (b'{"externalAgentId": "\xff"}', "application/json", "UTF-8"),
        (b'{"externalAgentId": ', "application/json", ""),
        (b"externalAgentId=a1", "text/plain", "Content-type"),
    ],
    ids=["non-utf8-json", "truncated-json", "wrong-media-type"],
)
def test_malformed_bodies_get_the_operations_400_envelope(
    client: TestClient, content: bytes, content_type: str, reason: str
) -> None:
    response = client.post(
        f"{BASE}/single-agent-metadata", content=content, headers={**HEADERS, "content-type": content_type}
    )
    assert response.status_code == 400
    error = response.json()["result"]["error"]
    assert error.startswith("FAIL_BAD_PARAMS")
    assert reason in error


def test_missing_and_wrong_credentials_get_the_declared_401(client: TestClient) -> None:
    body = {"externalAgentId": "agent1"}
    for headers in ({}, {"asapp-api-id": HEADERS["asapp-api-id"]}, {**HEADERS, "asapp-api-secret": "wrong"}):
        response = client.post(f"{BASE}/single-agent-metadata", json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"].startswith("401")


def test_oversized_body_gets_the_declared_413(make_client) -> None:
    client = make_client(specs=(ASAPP,), max_body_bytes=1024)
    response = client.post(
        f"{BASE}/single-agent-metadata", json={"externalAgentId": "a", "lobName": "x" * 2000}, headers=HEADERS
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"].startswith("413")


def test_a_handler_without_a_contract_operation_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import mockserver.vendors.asapp_metadata_ingestion as module

    monkeypatch.delattr(module, "single_agent_metadata")
    with pytest.raises(SettingsError, match="singleAgentMetadata' has no handler"):
        TestClient(create_app(Settings(specs=(ASAPP,)))).__enter__()


def test_served_contract_is_the_file_as_written_plus_the_mount_and_how_to_try_it(client: TestClient) -> None:
    from contracts import load_contract

    served = client.get(f"/{ASAPP}/openapi.json").json()
    original = load_contract(ASAPP).document
    assert served["servers"][0]["url"] == f"/{ASAPP}"
    assert served["servers"][1:] == original["servers"]
    assert served["paths"] == original["paths"] and served["components"] == original["components"]
    description = served["info"].pop("description")
    assert description.startswith(original["info"]["description"].rstrip())
    assert CREDENTIALS["api_secret"] in description.split("**Try it against this mock.**")[1]
    assert served["info"] == {k: v for k, v in original["info"].items() if k != "description"}
    assert "InfoFunc" not in client.get(f"/{ASAPP}/openapi.yaml").text


def test_index_shows_the_demo_credentials(client: TestClient) -> None:
    listing = client.get("/", headers={"accept": "application/json"}).json()
    assert listing["apis"][0]["demoCredentials"] == {
        "api_id": CREDENTIALS["api_id"],
        "api_secret": CREDENTIALS["api_secret"],
    }
    assert CREDENTIALS["api_id"] in client.get("/").text


def test_405_lists_every_method_the_contract_declares_on_the_path(make_client) -> None:
    client = make_client(specs=("alvaria-messaging",))
    response = client.put("/alvaria-messaging/via/v2/organizations/acme/streaming/session")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, POST"


def test_an_absent_optional_body_is_accepted_but_a_literal_null_is_not(make_client) -> None:
    client = make_client(specs=("sysaid-copilot",))
    cookies = "JSESSIONID=A1B2C3D4E5F60718293A4B5C6D7E8F90; SERVERID=srv-app-01"
    headers = {"x-sysaid-hostname": "acme.sysaidit.com", "Cookie": cookies}
    absent = client.post("/sysaid-copilot/api/monitor/query", headers=headers)
    assert absent.status_code == 200, absent.text
    null = client.post(
        "/sysaid-copilot/api/monitor/query", content=b"null", headers={**headers, "content-type": "application/json"}
    )
    assert null.status_code == 400


SYSAID_ADMIN = {
    "x-sysaid-hostname": "acme.sysaidit.com",
    "Cookie": "JSESSIONID=A1B2C3D4E5F60718293A4B5C6D7E8F90; SERVERID=srv-app-01",
}


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/sr/suggest_category_for_text", "POST"),
        ("PUT", "/api/document/5/query", "POST"),
        ("OPTIONS", "/api/chat/fromEmail", "POST"),
    ],
)
def test_a_more_specific_path_is_not_answered_by_its_templated_sibling(
    make_client, method: str, path: str, allow: str
) -> None:
    client = make_client(specs=("sysaid-copilot",))
    response = client.request(method, f"/sysaid-copilot{path}", headers=SYSAID_ADMIN)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json() == {"status": "error", "error": "Method Not Allowed"}


def test_a_newline_in_a_path_segment_reaches_the_operation_it_addresses(make_client) -> None:
    client = make_client(specs=("sysaid-copilot",))
    chat = client.get("/sysaid-copilot/api/chat/%0A", headers=SYSAID_ADMIN)
    assert chat.status_code == 400  # chatuid must be a UUID
    assert chat.json()["status"] == "error"
    stream = client.get("/sysaid-copilot/api/stream/x%0A")
    assert (stream.status_code, stream.text) == (400, "Stream not found")
    operation = client.get("/sysaid-copilot/api/longOperation/%0A", headers=SYSAID_ADMIN)
    assert (operation.status_code, operation.headers["content-type"]) == (400, "text/plain; charset=utf-8")
    assert operation.text == "Invalid request"
