"""Dataset records (admin): add with defaults, update, delete, and query with paging, order, filters and total."""

from __future__ import annotations

from typing import Any

import pytest
from sysaid_support import Sysaid

RECORD_FIELDS = {
    "dataset",
    "id",
    "text",
    "summary",
    "status",
    "resourceLocator",
    "resourceUpdatedAt",
    "createdAt",
    "updatedAt",
}


def add(sysaid: Sysaid, text: str, dataset: int = 4, **fields: object) -> dict[str, Any]:
    return dict(sysaid.ok("PUT", f"/api/dataset/{dataset}", json={"text": text, **fields})["record"])


def query(sysaid: Sysaid, dataset: int = 4, **body: object) -> dict[str, Any]:
    return sysaid.ok("POST", f"/api/dataset/{dataset}/query", json=body)


def test_add_defaults_to_fetched_and_normalizes_the_date(sysaid: Sysaid) -> None:
    record = add(sysaid, "VPN profiles are pushed nightly.", resourceUpdatedAt="2024-07-01T10:00:00+02:00")
    assert set(record) == RECORD_FIELDS
    assert (record["dataset"], record["status"], record["summary"], record["resourceLocator"]) == (
        4,
        "FETCHED",
        None,
        None,
    )
    assert record["resourceUpdatedAt"] == "2024-07-01T08:00:00.000Z"
    assert record["createdAt"] == record["updatedAt"]
    explicit = add(sysaid, "Draft", status="PENDING", summary="s", resourceLocator="https://kb/x")
    assert (explicit["status"], explicit["summary"], explicit["resourceLocator"]) == ("PENDING", "s", "https://kb/x")


def test_add_refuses_a_date_that_is_not_rfc3339_and_a_missing_text(sysaid: Sysaid) -> None:
    response = sysaid.call("PUT", "/api/dataset/4", json={"text": "t", "resourceUpdatedAt": "yesterday"})
    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "resourceUpdatedAt: 'yesterday' is not a 'date-time'"}
    response = sysaid.call("PUT", "/api/dataset/4", json={"summary": "no text"})
    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "'text' is a required property"}


def test_update_changes_the_record_and_its_update_time(sysaid: Sysaid) -> None:
    sysaid.advance(60)
    record = sysaid.ok("POST", "/api/dataset/4/17", json={"text": "Open Settings > Advanced > Reset."})["record"]
    assert record["text"] == "Open Settings > Advanced > Reset."
    assert record["summary"] == "Resetting the VPN client"
    assert record["updatedAt"] > record["createdAt"]
    assert sysaid.refused("POST", "/api/dataset/2/17", json={"text": "x"}) == "Record 17 not found in dataset 2"


def test_delete_removes_the_record(sysaid: Sysaid) -> None:
    assert sysaid.ok("DELETE", "/api/dataset/4/18") == {"status": "ok"}
    assert [r["id"] for r in query(sysaid)["records"]] == [19, 17]
    assert sysaid.refused("DELETE", "/api/dataset/4/18") == "Record 18 not found in dataset 4"


def test_query_defaults_to_newest_id_first_with_total_limit_and_offset(sysaid: Sysaid) -> None:
    for number in range(5):
        add(sysaid, f"note {number}")
    body = query(sysaid)
    assert (body["total"], body["limit"], body["offset"]) == (8, 100, 0)
    ids = [r["id"] for r in body["records"]]
    assert ids == sorted(ids, reverse=True)
    page = query(sysaid, limit=3, offset=2)
    assert (page["total"], page["limit"], page["offset"]) == (8, 3, 2)
    assert [r["id"] for r in page["records"]] == ids[2:5]
    assert query(sysaid, offset=50)["records"] == []


def test_query_orders_by_several_pairs(sysaid: Sysaid) -> None:
    sysaid.advance(10)
    newer = add(sysaid, "newer")
    ascending = query(sysaid, order=[["createdAt", "ASC"], ["id", "DESC"]])["records"]
    assert [r["id"] for r in ascending] == [19, 18, 17, newer["id"]]
    assert query(sysaid, order=[["updatedAt", "DESC"]])["records"][0]["id"] == newer["id"]


def test_query_filters_by_text_status_and_resource_locator(sysaid: Sysaid) -> None:
    assert [r["id"] for r in query(sysaid, text="vpn")["records"]] == [17]
    assert query(sysaid, text="VPN")["total"] == 1
    assert [r["id"] for r in query(sysaid, status="PENDING")["records"]] == [19]
    locator = query(sysaid, resourceLocator="https://kb.example.com/printers")
    assert (locator["total"], locator["records"][0]["id"]) == (1, 18)
    assert query(sysaid, text="nothing like this")["total"] == 0


def test_query_without_a_body_uses_the_defaults(sysaid: Sysaid) -> None:
    body = sysaid.ok("POST", "/api/dataset/4/query")
    assert (body["total"], body["limit"], body["offset"]) == (3, 100, 0)


@pytest.mark.parametrize(
    ("order", "fragment"),
    [([["ASC", "id"]], "Invalid order field 'ASC'"), ([["id", "id"]], "Invalid order direction 'id'")],
)
def test_an_order_pair_in_the_wrong_positions_is_refused_in_band(sysaid: Sysaid, order: object, fragment: str) -> None:
    assert fragment in sysaid.refused("POST", "/api/dataset/4/query", json={"order": order})


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"limit": 0}, "limit: 0 is less than the minimum of 1"),
        ({"limit": 1001}, "limit: 1001 is greater than the maximum of 1000"),
        ({"offset": -1}, "offset: -1 is less than the minimum of 0"),
        ({"order": [["name", "ASC"]]}, "is not one of"),
    ],
)
def test_out_of_range_paging_is_a_400(sysaid: Sysaid, body: object, fragment: str) -> None:
    response = sysaid.call("POST", "/api/dataset/4/query", json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]


def test_qa_dataset_records_carry_is_verified_answer(sysaid: Sysaid) -> None:
    records = query(sysaid, dataset=2)["records"]
    assert records[0]["isVerifiedAnswer"] is True
    assert add(sysaid, "A manual answer", dataset=2)["isVerifiedAnswer"] is False
    assert "isVerifiedAnswer" not in query(sysaid)["records"][0]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/dataset/4/query", {}),
        ("PUT", "/api/dataset/4", {"text": "x"}),
        ("POST", "/api/dataset/4/17", {"text": "x"}),
        ("DELETE", "/api/dataset/4/17", None),
    ],
)
def test_record_operations_are_admin_only(sysaid: Sysaid, method: str, path: str, body: object) -> None:
    assert sysaid.refused(method, path, who="user", json=body) == "User is not admin"
    assert query(sysaid)["total"] == 3


def test_records_of_another_organization_are_out_of_reach(sysaid: Sysaid) -> None:
    assert sysaid.refused("POST", "/api/dataset/7/query", json={}) == "Dataset 7 not found"
    assert sysaid.refused("PUT", "/api/dataset/7", json={"text": "x"}) == "Dataset 7 not found"
    assert sysaid.refused("DELETE", "/api/dataset/4/30") == "Record 30 not found in dataset 4"
    assert sysaid.ok("POST", "/api/dataset/7/query", who="globex_admin", json={})["total"] == 1
