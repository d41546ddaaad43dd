"""`contract-mock serve --reload` (mockserver/reload.py): edited contracts and fixtures are applied without a restart
and without losing stored state; an edit that does not load keeps the previous version serving and logs why.

The contracts folder is not a setting (`contracts.registry.SPECS_DIR`): the tests copy `specs/` and the default
fixtures to a temporary folder and point `SPECS_DIR` at the copy. Most tests call `apply_changes` directly, on the
app's own event loop, with the runtime, mounts and served documents the app hands its watcher; one test runs the
real watcher (watchfiles) with a bounded wait."""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

import contracts.registry
import mockserver.reload
from contracts import FIXTURES_DIR, SPECS_DIR
from mockserver import Settings, create_app
from mockserver.reload import apply_changes

ASAPP = "asapp-metadata-ingestion"
BASE = f"/{ASAPP}/metadata-ingestion/v1"
HEADERS = {"asapp-api-id": "asapp-demo-app-id", "asapp-api-secret": "asapp-demo-app-secret"}
NEW_APP = {"apiId": "asapp-reloaded-app-id", "apiSecret": "asapp-reloaded-app-secret"}
NEW_HEADERS = {"asapp-api-id": NEW_APP["apiId"], "asapp-api-secret": NEW_APP["apiSecret"]}
AGENT_ID_LIMIT = """          description: The agent's id in the customer's systems.
          pattern: '^[a-zA-Z0-9_-]+$'
          maxLength: 256
"""


@dataclass
class Folders:
    specs: Path
    fixtures: Path

    @property
    def contract(self) -> Path:
        return self.specs / f"{ASAPP}.yaml"

    @property
    def fixture(self) -> Path:
        return self.fixtures / f"{ASAPP}.yaml"


@dataclass
class Reloading:
    """A mock started with `reload=True` whose watcher hands its arguments to the test instead of watching."""

    client: TestClient
    folders: Folders
    watched: dict[str, Any]

    def apply(self, *paths: Path) -> list[str]:
        rt, mounts, served = self.watched["rt"], self.watched["mounts"], self.watched["served"]
        changed = {path.resolve() for path in paths}
        outcome: list[str] = self.client.portal.call(apply_changes, rt, mounts, served, changed)  # type: ignore[union-attr]
        return outcome


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Folders:
    copied = Folders(tmp_path / "specs", tmp_path / "fixtures")
    shutil.copytree(SPECS_DIR, copied.specs)
    shutil.copytree(FIXTURES_DIR, copied.fixtures)
    monkeypatch.setattr(contracts.registry, "SPECS_DIR", copied.specs)
    monkeypatch.setattr(mockserver.reload, "SPECS_DIR", copied.specs)
    return copied


@pytest.fixture
def reloading(folders: Folders, monkeypatch: pytest.MonkeyPatch) -> Iterator[Reloading]:
    watched: dict[str, Any] = {}

    async def hand_over(rt: Any, mounts: Any, served: Any) -> None:
        watched.update(rt=rt, mounts=mounts, served=served)
        await asyncio.Event().wait()  # until the app cancels its watcher on shutdown

    monkeypatch.setattr(mockserver.reload, "watch", hand_over)
    settings = Settings(specs=(ASAPP,), fixtures=folders.fixtures, reload=True)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        deadline = time.monotonic() + 5
        while not watched and time.monotonic() < deadline:
            client.portal.call(asyncio.sleep, 0.01)  # type: ignore[union-attr]
        assert watched, "the app did not start its watcher"
        yield Reloading(client, folders, watched)


def ingest(client: TestClient, agent: str, headers: dict[str, str] = HEADERS) -> httpx.Response:
    response: httpx.Response = client.post(
        f"{BASE}/single-agent-metadata", json={"externalAgentId": agent}, headers=headers
    )
    return response


def stored_agents(client: TestClient) -> list[str]:
    collections = client.get(f"/__admin/records/{ASAPP}").json()["collections"]
    found: list[str] = []
    for name in sorted(collections):
        if name.endswith(".agent"):
            records = client.get(f"/__admin/records/{ASAPP}/{name}").json()["records"]
            found += [record["metadata"]["externalAgentId"] for record in records]
    return sorted(found)


def add_app(fixture: Path) -> None:
    data = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    data["apps"]["acme-reloaded"] = {**NEW_APP, "environment": "sandbox", "metadataIngestion": True}
    fixture.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def limit_agent_ids(contract: Path, length: int) -> None:
    text = contract.read_text(encoding="utf-8")
    assert text.count(AGENT_ID_LIMIT) == 1, "the contract changed: update AGENT_ID_LIMIT"
    edited = text.replace(AGENT_ID_LIMIT, AGENT_ID_LIMIT.replace("maxLength: 256", f"maxLength: {length}"))
    contract.write_text(edited.replace("title: ASAPP Metadata Ingestion API", "title: ASAPP (reloaded)", 1))


# --- fixtures -----------------------------------------------------------------------------------------------------


def test_an_edited_fixture_is_seeded_over_the_stored_state(reloading: Reloading) -> None:
    client = reloading.client
    assert ingest(client, "stored-before").status_code == 200
    assert ingest(client, "agent-new", NEW_HEADERS).status_code == 401
    add_app(reloading.folders.fixture)
    outcome = reloading.apply(reloading.folders.fixture)
    assert outcome == [f"{ASAPP}: fixtures reloaded over the stored state"]
    assert ingest(client, "agent-new", NEW_HEADERS).status_code == 200  # the new identity works, no restart
    assert ingest(client, "agent-old", HEADERS).status_code == 200  # the existing ones still do
    assert "stored-before" in stored_agents(client)  # a record stored before the reload is kept


def test_an_invalid_fixture_changes_nothing_and_logs_why(
    reloading: Reloading, caplog: pytest.LogCaptureFixture
) -> None:
    client = reloading.client
    assert ingest(client, "stored-before").status_code == 200
    data = yaml.safe_load(reloading.folders.fixture.read_text(encoding="utf-8"))
    data["apps"]["acme-reloaded"] = {**NEW_APP, "environment": "sandbox", "metadataIngestion": True}
    data["apps"]["acme-sandbox"]["apiId"] = 42  # not a string: the fixture schema refuses the file
    reloading.folders.fixture.write_text(yaml.safe_dump(data), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="mockserver.reload"):
        [outcome] = reloading.apply(reloading.folders.fixture)
    assert outcome.startswith(f"{ASAPP}: fixtures not reloaded, nothing changed:")
    assert "apiId" in outcome
    assert any(record.getMessage() == outcome for record in caplog.records if record.levelno >= logging.ERROR)
    assert ingest(client, "agent-new", NEW_HEADERS).status_code == 401  # the valid part was not applied either
    assert ingest(client, "agent-old").status_code == 200
    assert "stored-before" in stored_agents(client)

    reloading.folders.fixture.write_text("apps: [unclosed", encoding="utf-8")
    [not_yaml] = reloading.apply(reloading.folders.fixture)
    assert "fixtures not reloaded" in not_yaml and "YAML" in not_yaml
    assert ingest(client, "agent-old").status_code == 200


def test_a_change_outside_the_served_files_is_ignored(reloading: Reloading) -> None:
    other = reloading.folders.specs / "aisera-ingestion.yaml"  # a contract this mock does not serve
    assert reloading.apply(other, reloading.folders.specs / "notes.txt") == []


# --- contracts ----------------------------------------------------------------------------------------------------


def test_an_edited_contract_serves_from_the_next_request_and_keeps_the_state(reloading: Reloading) -> None:
    client = reloading.client
    assert ingest(client, "stored-before-reload").status_code == 200
    assert ingest(client, "long-agent-id").status_code == 200
    fault = client.put(f"/__admin/faults/{ASAPP}/singleConvoMetadata", json={"status": 503})
    assert fault.status_code == 200
    limit_agent_ids(reloading.folders.contract, 5)
    [outcome] = reloading.apply(reloading.folders.contract)
    assert outcome.startswith(f"{ASAPP}: contract reloaded (")
    refused = ingest(client, "long-agent-id")
    assert refused.status_code == 400, refused.text  # the new constraint applies without a restart
    assert ingest(client, "short").status_code == 200
    assert client.get(f"/{ASAPP}/openapi.json").json()["info"]["title"] == "ASAPP (reloaded)"
    assert "title: ASAPP (reloaded)" in client.get(f"/{ASAPP}/openapi.yaml").text
    assert stored_agents(client) == ["long-agent-id", "short", "stored-before-reload"]
    convo = client.post(f"{BASE}/single-convo-metadata", json={"externalConversationId": "c"}, headers=HEADERS)
    assert convo.status_code == 503  # a fault installed before the reload still fires
    overrides = client.post(
        "/__admin/overrides",
        json={"spec": ASAPP, "operationId": "singleAgentMetadata", "response": {"status": 200, "body": {}}},
    )
    assert overrides.status_code == 400  # the admin API checks overrides against the reloaded contract too


def test_a_contract_that_no_longer_loads_keeps_the_previous_one_serving(
    reloading: Reloading, caplog: pytest.LogCaptureFixture
) -> None:
    client = reloading.client
    assert ingest(client, "stored-before").status_code == 200
    served_before = client.get(f"/{ASAPP}/openapi.json").json()
    reloading.folders.contract.write_text("openapi: 3.0.3\npaths: {unclosed: [\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="mockserver.reload"):
        [outcome] = reloading.apply(reloading.folders.contract)
    assert outcome.startswith(f"{ASAPP}: contract not reloaded, the previous one keeps serving:")
    assert len(outcome) > len(f"{ASAPP}: contract not reloaded, the previous one keeps serving: ")  # it says why
    assert any(record.getMessage() == outcome for record in caplog.records if record.levelno >= logging.ERROR)
    assert ingest(client, "still-served").status_code == 200
    assert ingest(client, "bad id!").status_code == 400  # validation still from the previous contract
    assert client.get(f"/{ASAPP}/openapi.json").json() == served_before
    assert stored_agents(client) == ["still-served", "stored-before"]


def test_a_contract_whose_operations_have_no_handler_keeps_the_previous_one_serving(reloading: Reloading) -> None:
    client = reloading.client
    text = reloading.folders.contract.read_text(encoding="utf-8")
    assert "operationId: singleAgentMetadata\n" in text
    reloading.folders.contract.write_text(
        text.replace("operationId: singleAgentMetadata\n", "operationId: singleAgentMetadataRenamed\n")
    )
    [outcome] = reloading.apply(reloading.folders.contract)
    assert "contract not reloaded" in outcome
    assert "singleAgentMetadataRenamed" in outcome
    assert ingest(client, "still-served").status_code == 200
    entry = client.get("/__admin/journal", params={"spec": ASAPP}).json()["entries"][-1]
    assert entry["operationId"] == "singleAgentMetadata"


def test_a_broken_contract_can_be_fixed_by_the_next_edit(reloading: Reloading) -> None:
    original = reloading.folders.contract.read_text(encoding="utf-8")
    reloading.folders.contract.write_text("not: [a contract", encoding="utf-8")
    assert "not reloaded" in reloading.apply(reloading.folders.contract)[0]
    reloading.folders.contract.write_text(original, encoding="utf-8")
    limit_agent_ids(reloading.folders.contract, 5)
    assert "contract reloaded" in reloading.apply(reloading.folders.contract)[0]
    assert ingest(reloading.client, "long-agent-id").status_code == 400


def test_contract_and_fixture_changed_together_are_both_applied(reloading: Reloading) -> None:
    limit_agent_ids(reloading.folders.contract, 8)
    add_app(reloading.folders.fixture)
    outcome = reloading.apply(reloading.folders.contract, reloading.folders.fixture)
    assert [line.split(": ", 1)[1].split(" (")[0] for line in outcome] == [
        "contract reloaded",
        "fixtures reloaded over the stored state",
    ]
    assert ingest(reloading.client, "agent-9", NEW_HEADERS).status_code == 200  # 7 characters: allowed
    assert ingest(reloading.client, "too-long-for-it", NEW_HEADERS).status_code == 400


# --- the real watcher ---------------------------------------------------------------------------------------------


def _eventually(check: Callable[[], bool], touch: Callable[[], None], seconds: float = 8.0) -> bool:
    """Poll `check` (re-writing the edited file now and then, in case the watcher was not ready yet)."""
    deadline = time.monotonic() + seconds
    next_touch = 0.0
    while time.monotonic() < deadline:
        if time.monotonic() >= next_touch:
            touch()
            next_touch = time.monotonic() + 1.0
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_the_watcher_applies_an_edited_fixture_while_serving(folders: Folders) -> None:
    settings = Settings(specs=(ASAPP,), fixtures=folders.fixtures, reload=True)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert ingest(client, "stored-before").status_code == 200
        assert ingest(client, "agent-new", NEW_HEADERS).status_code == 401
        original = folders.fixture.read_text(encoding="utf-8")

        def touch() -> None:
            folders.fixture.write_text(original, encoding="utf-8")
            add_app(folders.fixture)

        assert _eventually(lambda: ingest(client, "agent-new", NEW_HEADERS).status_code == 200, touch)
        assert "stored-before" in stored_agents(client)
