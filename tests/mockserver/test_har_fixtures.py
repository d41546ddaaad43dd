"""From a recording to fixtures: what a vendor module can take from recorded traffic becomes fixture data the mock
seeds from, and what it cannot use is said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

from contracts import FIXTURES_DIR
from mockserver import Settings, create_app
from mockserver.cli import main

DEMO = yaml.safe_load((FIXTURES_DIR / "credentials.yaml").read_text())
SYSAID = DEMO["sysaid-copilot"]
ADMIN = {
    "x-sysaid-hostname": SYSAID["hostname"],
    "Cookie": f"JSESSIONID={SYSAID['admin']['jsessionid']}; SERVERID={SYSAID['admin']['serverid']}",
}


def _draft(har: Path, spec: str, out: Path) -> Any:
    result = CliRunner().invoke(main, ["fixtures-from-har", str(har), "--spec", spec, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result.output


def test_sysaid_datasets_and_records_recorded_become_fixtures_the_mock_serves(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(specs=("sysaid-copilot",)))) as client:
        body = {"title": "Recorded KB", "datasetType": 1, "enabled": True}
        created = client.put("/sysaid-copilot/api/dataset", json=body, headers=ADMIN).json()
        dataset = created["dataset"]["id"]
        added = client.put(f"/sysaid-copilot/api/dataset/{dataset}", json={"text": "Recorded answer."}, headers=ADMIN)
        assert added.json()["status"] == "ok", added.text
        client.get("/sysaid-copilot/api/dataset", headers=ADMIN)
        client.post(f"/sysaid-copilot/api/dataset/{dataset}/query", json={}, headers=ADMIN)
        har = tmp_path / "traffic.har"
        har.write_text(client.get("/__admin/journal.har").text)
    output = _draft(har, "sysaid-copilot", tmp_path / "drafted")
    assert "exchange(s) used" in output and "login cookies" in output
    drafted = yaml.safe_load((tmp_path / "drafted" / "sysaid-copilot.yaml").read_text())
    [recorded] = [d for d in drafted["organizations"]["acme"]["datasets"] if d["title"] == "Recorded KB"]
    assert [record["text"] for record in recorded["records"]] == ["Recorded answer."]
    for other in ("aisera-ingestion", "aisera-conversation", "asapp-metadata-ingestion", "alvaria-messaging"):
        (tmp_path / "drafted" / f"{other}.yaml").write_text((FIXTURES_DIR / f"{other}.yaml").read_text())
    with TestClient(create_app(Settings(specs=("sysaid-copilot",), fixtures=tmp_path / "drafted"))) as fresh:
        listed = fresh.get("/sysaid-copilot/api/dataset", headers=ADMIN).json()["datasets"]
        assert "Recorded KB" in [item["title"] for item in listed]


def test_alvaria_agents_and_interactions_seen_in_messaging_calls_are_added(tmp_path: Path) -> None:
    url = "https://api.example.alvaria.cloud/via/v2/organizations/acme/messaging/users/agent-777/sendText"
    entry = {
        "request": {"method": "POST", "url": url, "headers": [],
                    "postData": {"mimeType": "application/json", "text": json.dumps({"interactionId": "7777",
                                                                                      "text": "hello"})}},
        "response": {"status": 202, "headers": [], "content": {"mimeType": "", "text": ""}},
    }  # fmt: skip
    unrelated = {"request": {"method": "GET", "url": "https://x/elsewhere"}, "response": {"status": 200}}
    har = tmp_path / "traffic.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry, unrelated]}}))
    output = _draft(har, "alvaria-messaging", tmp_path / "drafted")
    assert "1 recorded exchange(s) used" in output
    assert "is no operation of alvaria-messaging" in output and "does not show an interaction's channel" in output
    drafted = yaml.safe_load((tmp_path / "drafted" / "alvaria-messaging.yaml").read_text())
    acme = next(org for org in drafted["organizations"] if org["orgId"] == "acme")
    assert {"userId": "agent-777", "name": "agent-777"} in acme["users"]
    assert any(item["interactionId"] == "7777" and item["userId"] == "agent-777" for item in acme["interactions"])


def test_an_api_whose_fixtures_hold_identities_only_says_so(tmp_path: Path) -> None:
    har = tmp_path / "traffic.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": []}}))
    output = _draft(har, "asapp-metadata-ingestion", tmp_path / "drafted")
    assert "identities and configuration only" in output
    kept = yaml.safe_load((tmp_path / "drafted" / "asapp-metadata-ingestion.yaml").read_text())
    assert kept == yaml.safe_load((FIXTURES_DIR / "asapp-metadata-ingestion.yaml").read_text())
