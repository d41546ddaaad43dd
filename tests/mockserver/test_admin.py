"""The admin API: reset, fixtures, snapshots, journal, records, faults, clock and settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR

ASAPP = "asapp-metadata-ingestion"
BASE = f"/{ASAPP}/metadata-ingestion/v1"
CREDENTIALS = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())[ASAPP]
HEADERS = {"asapp-api-id": CREDENTIALS["api_id"], "asapp-api-secret": CREDENTIALS["api_secret"]}


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client(specs=(ASAPP,))


def _ingest(client: TestClient, agent: str) -> None:
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": agent}, headers=HEADERS)
    assert response.status_code == 200, response.text


def _agents(client: TestClient) -> list[str]:
    collections = client.get(f"/__admin/records/{ASAPP}").json()["collections"]
    agents = [name for name in collections if name.endswith(".agent")]
    if not agents:
        return []
    records = client.get(f"/__admin/records/{ASAPP}/{agents[0]}").json()["records"]
    return sorted(record["metadata"]["externalAgentId"] for record in records)


def test_records_are_listed_per_collection(client: TestClient) -> None:
    _ingest(client, "agent-1")
    assert _agents(client) == ["agent-1"]
    missing = client.get(f"/__admin/records/{ASAPP}/nothing-here")
    assert missing.status_code == 404
    assert "stored:" in missing.json()["detail"]


def test_reset_returns_to_the_fixtures(client: TestClient) -> None:
    _ingest(client, "agent-1")
    assert client.post("/__admin/reset").status_code == 200
    assert _agents(client) == []


def test_snapshot_and_restore(client: TestClient) -> None:
    _ingest(client, "before")
    assert client.post("/__admin/snapshots", json={"name": "one"}).status_code == 201
    _ingest(client, "after")
    assert _agents(client) == ["after", "before"]
    assert client.post("/__admin/snapshots/one/restore").status_code == 200
    assert _agents(client) == ["before"]
    assert [s["name"] for s in client.get("/__admin/snapshots").json()["snapshots"]] == ["one"]
    assert client.delete("/__admin/snapshots/one").status_code == 204
    assert client.post("/__admin/snapshots/one/restore").status_code == 404


def test_loading_a_bad_fixtures_folder_names_the_problem_and_changes_nothing(
    client: TestClient, tmp_path: Path
) -> None:
    _ingest(client, "kept")
    shutil.copy(FIXTURES_DIR / f"{ASAPP}.yaml", tmp_path / f"{ASAPP}.yaml")
    broken = yaml.safe_load((tmp_path / f"{ASAPP}.yaml").read_text())
    first_app = next(iter(broken["apps"].values()))
    first_app["apiId"] = 42
    (tmp_path / f"{ASAPP}.yaml").write_text(yaml.safe_dump(broken))
    response = client.post("/__admin/fixtures", json={"path": str(tmp_path)})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert f"{ASAPP}.yaml" in detail and "apiId" in detail
    assert _agents(client) == ["kept"]
    missing = client.post("/__admin/fixtures", json={"path": str(tmp_path / "nope")})
    assert missing.status_code == 400 and "does not exist" in missing.json()["detail"]


def test_journal_records_operation_status_and_problems_without_secrets(client: TestClient) -> None:
    client.delete("/__admin/journal")
    _ingest(client, "agent-1")
    client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "bad id!"}, headers=HEADERS)
    entries = client.get(f"/__admin/journal?spec={ASAPP}").json()["entries"]
    assert [(e["operationId"], e["status"]) for e in entries] == [
        ("singleAgentMetadata", 200),
        ("singleAgentMetadata", 400),
    ]
    assert entries[0]["problems"] == []
    [problem] = entries[1]["problems"]
    assert (problem["kind"], problem["violations"][0]["name"]) == ("schema-violation", "externalAgentId")
    assert "value" not in problem["violations"][0]
    assert CREDENTIALS["api_secret"] not in str(entries)
    only = client.get("/__admin/journal?operationId=manyAgentMetadata").json()["entries"]
    assert only == []


def test_fault_injects_a_declared_status_with_retry_after(client: TestClient) -> None:
    installed = client.put(f"/__admin/faults/{ASAPP}/singleAgentMetadata", json={"status": 429, "retryAfter": 7})
    assert installed.status_code == 200
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=HEADERS)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json()["error"]["code"].startswith("429")
    other = client.post(f"{BASE}/single-convo-metadata", json={"externalConversationId": "c"}, headers=HEADERS)
    assert other.status_code == 200
    assert client.delete(f"/__admin/faults/{ASAPP}/singleAgentMetadata").status_code == 204
    after = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=HEADERS)
    assert after.status_code == 200


def test_fault_with_an_undeclared_status_or_operation_is_refused(client: TestClient) -> None:
    refused = client.put(f"/__admin/faults/{ASAPP}/singleAgentMetadata", json={"status": 418})
    assert refused.status_code == 400
    assert "does not declare status 418" in refused.json()["detail"]
    unknown = client.put(f"/__admin/faults/{ASAPP}/singleAgentMetadatum", json={"status": 503})
    assert unknown.status_code == 400 and "singleAgentMetadata" in unknown.json()["detail"]


def test_fault_probability_zero_never_fires_and_latency_is_added(client: TestClient) -> None:
    client.put(f"/__admin/faults/{ASAPP}/singleAgentMetadata", json={"status": 503, "probability": 0, "latencyMs": 50})
    response = client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": "a"}, headers=HEADERS)
    assert response.status_code == 200
    entry = client.get("/__admin/journal?operationId=singleAgentMetadata").json()["entries"][-1]
    assert entry["durationMs"] >= 50
    assert [f["operationId"] for f in client.get("/__admin/faults").json()["faults"]] == ["singleAgentMetadata"]
    assert client.delete("/__admin/faults").status_code == 204
    assert client.get("/__admin/faults").json()["faults"] == []


def test_clock_advances_and_settings_toggle(client: TestClient) -> None:
    assert client.get("/__admin/clock").json()["offsetSeconds"] == 0
    advanced = client.post("/__admin/clock/advance", json={"seconds": 90}).json()
    assert advanced["offsetSeconds"] == 90
    assert client.post("/__admin/clock/advance", json={"seconds": -1}).status_code == 400
    assert client.get("/__admin/settings").json()["vendorLimits"] is False
    assert client.patch("/__admin/settings", json={"vendorLimits": True}).json()["vendorLimits"] is True
    assert client.patch("/__admin/settings", json={"unknown": 1}).status_code == 400


def test_fault_on_a_status_with_a_required_retry_after_needs_retry_after(make_client) -> None:
    client = make_client(specs=("aisera-ingestion",))
    refused = client.put("/__admin/faults/aisera-ingestion/ingestAlerts", json={"status": 429})
    assert refused.status_code == 400
    assert "Retry-After" in refused.json()["detail"]
    assert (
        client.put("/__admin/faults/aisera-ingestion/ingestAlerts", json={"status": 429, "retryAfter": 2}).status_code
        == 200
    )


def test_journal_keeps_the_newest_entries_up_to_its_limit(make_client) -> None:
    client = make_client(specs=(ASAPP,), journal_limit=50)
    for index in range(205):
        client.post(f"{BASE}/single-agent-metadata", json={"externalAgentId": f"a{index}"}, headers=HEADERS)
    entries = client.get("/__admin/journal?limit=10000").json()["entries"]
    assert 50 <= len(entries) < 50 + 200
    assert entries[-1]["seq"] == 205
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
