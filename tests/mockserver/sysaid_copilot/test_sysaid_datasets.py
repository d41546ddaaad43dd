"""Datasets: admin-only list, create, get (status summary, fetch status), update, delete; per organization."""

from __future__ import annotations

from typing import Any

import pytest
from sysaid_support import Sysaid

DATASET_FIELDS = {"id", "title", "datasetType", "builtIn", "enabled", "maxDistance", "gueranteeItems", "configuration"}


def create(sysaid: Sysaid, **fields: object) -> dict[str, Any]:
    return dict(sysaid.ok("PUT", "/api/dataset", json={"title": "HR policies", "datasetType": 1, **fields})["dataset"])


def test_list_shows_only_the_callers_organization(sysaid: Sysaid) -> None:
    acme = sysaid.ok("GET", "/api/dataset")["datasets"]
    assert [d["id"] for d in acme] == [2, 4, 123]
    assert all(set(d) == DATASET_FIELDS for d in acme)
    assert [d["id"] for d in sysaid.ok("GET", "/api/dataset", who="globex_admin")["datasets"]] == [7]


def test_create_fills_defaults_and_assigns_a_new_id(sysaid: Sysaid) -> None:
    dataset = create(sysaid)
    assert dataset == {
        "id": 124,
        "title": "HR policies",
        "datasetType": 1,
        "builtIn": False,
        "enabled": True,
        "maxDistance": None,
        "gueranteeItems": None,
        "configuration": None,
    }
    full = create(sysaid, enabled=False, maxDistance=0.5, gueranteeItems=2, configuration='{"a": 1}')
    assert (full["id"], full["enabled"], full["maxDistance"], full["gueranteeItems"]) == (125, False, 0.5, 2)
    assert full in sysaid.ok("GET", "/api/dataset")["datasets"]


def test_create_refuses_blank_title_or_configuration_that_is_not_json(sysaid: Sysaid) -> None:
    assert sysaid.refused("PUT", "/api/dataset", json={"title": "", "datasetType": 1}) == "Failed to create dataset"
    body = {"title": "x", "datasetType": 1, "configuration": "{not json"}
    assert sysaid.refused("PUT", "/api/dataset", json=body) == "Failed to create dataset"
    response = sysaid.call("PUT", "/api/dataset", json={"title": "x"})
    assert response.status_code == 400
    assert response.json()["error"] == "'datasetType' is a required property"


def test_get_returns_the_dataset_with_status_summary_and_fetch_status(sysaid: Sysaid) -> None:
    body = sysaid.ok("GET", "/api/dataset/123")
    assert body["dataset"]["title"] == "Sample dataset"
    assert body["statusSummary"] == [{"status": 1, "count": 1, "caption": "COMPLETED"}]
    assert body["fetchStatus"] == {"lastSucccessfulFetch": None, "lastFetchAttempt": None, "lastFetchError": None}
    sysaid.ok("PUT", "/api/document/123", json={"name": "placeholder", "itemType": 1})
    summary = sysaid.ok("GET", "/api/dataset/123")["statusSummary"]
    assert summary == [
        {"status": 0, "count": 1, "caption": "PROCESSING"},
        {"status": 1, "count": 1, "caption": "COMPLETED"},
    ]


def test_update_changes_the_given_fields_but_never_the_type(sysaid: Sysaid) -> None:
    assert sysaid.ok("POST", "/api/dataset/4", json={"enabled": False, "title": "KB", "datasetType": 9}) == {
        "status": "ok"
    }
    dataset = sysaid.ok("GET", "/api/dataset/4")["dataset"]
    assert (dataset["enabled"], dataset["title"], dataset["datasetType"], dataset["maxDistance"]) == (
        False,
        "KB",
        1,
        0.35,
    )
    assert sysaid.refused("POST", "/api/dataset/4", json={"configuration": "nope"}) == "Failed to update dataset"


def test_delete_removes_the_dataset_with_its_records_and_documents(sysaid: Sysaid) -> None:
    assert sysaid.ok("DELETE", "/api/dataset/123") == {"status": "ok"}
    assert sysaid.refused("GET", "/api/dataset/123") == "Failed to retrieve specified dataset"
    assert not [i for i in sysaid.records("items") if i["dataset"] == 123]
    contents = {(c["dataset"], c["item"]) for c in sysaid.records("contents")}
    assert (123, 456) not in contents
    assert {(4, 456), (7, 460)} <= contents
    assert sysaid.call("GET", "/api/document/4/456").status_code == 200
    assert sysaid.refused("DELETE", "/api/dataset/123") == "Failed to delete dataset"


def test_built_in_dataset_cannot_be_deleted(sysaid: Sysaid) -> None:
    assert sysaid.refused("DELETE", "/api/dataset/2") == "Failed to delete dataset"
    assert sysaid.ok("GET", "/api/dataset/2")["dataset"]["builtIn"] is True


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/dataset", None),
        ("PUT", "/api/dataset", {"title": "x", "datasetType": 1}),
        ("GET", "/api/dataset/4", None),
        ("POST", "/api/dataset/4", {"enabled": False}),
        ("DELETE", "/api/dataset/4", None),
    ],
)
def test_non_admins_are_refused_in_band(sysaid: Sysaid, method: str, path: str, body: object) -> None:
    assert sysaid.refused(method, path, who="user", json=body) == "User is not admin"
    assert sysaid.ok("GET", "/api/dataset/4")["dataset"]["enabled"] is True


def test_another_organizations_dataset_is_like_a_missing_one(sysaid: Sysaid) -> None:
    assert sysaid.refused("GET", "/api/dataset/7") == "Failed to retrieve specified dataset"
    assert sysaid.refused("POST", "/api/dataset/7", json={"title": "mine"}) == "Failed to update dataset"
    assert sysaid.refused("DELETE", "/api/dataset/7") == "Failed to delete dataset"
    assert sysaid.ok("GET", "/api/dataset/7", who="globex_admin")["dataset"]["title"] == "Globex knowledge"


def test_malformed_dataset_id_is_a_400(sysaid: Sysaid) -> None:
    for path in ("/api/dataset/abc", "/api/dataset/1.5", "/api/dataset/null,null"):
        response = sysaid.call("GET", path)
        assert response.status_code == 400
        assert response.json()["error"].startswith("datasetId: ")
    assert sysaid.refused("GET", "/api/dataset/-4") == "Failed to retrieve specified dataset"


def test_a_non_finite_number_is_refused_and_every_organization_still_lists_its_datasets(sysaid: Sysaid) -> None:
    body = b'{"title": "Infinite", "datasetType": 1, "maxDistance": 1e400}'
    response = sysaid.call("PUT", "/api/dataset", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "1e400 is too large to be a finite number"}
    for who in ("admin", "globex_admin"):
        listed = sysaid.call("GET", "/api/dataset", who)
        assert listed.status_code == 200, listed.text
        assert listed.json()["status"] == "ok"
        assert "Infinite" not in {d["title"] for d in listed.json()["datasets"]}
