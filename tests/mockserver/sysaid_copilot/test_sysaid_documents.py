"""Document items: create with defaults, upload and download byte for byte, processing on the mock clock, crawl."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sysaid_support import Sysaid

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Title (VPN guide) >> endobj\n\x00\xff\x10 binary tail"
DELAY = 30.0


@pytest.fixture
def slow(make_sysaid: Callable[..., Sysaid]) -> Sysaid:
    """A mock whose background processing takes 30 s (of mock or wall time)."""
    return make_sysaid(background_delay_seconds=DELAY)


def create(sysaid: Sysaid, dataset: int = 123, **fields: object) -> dict[str, Any]:
    body = {"name": "VPN guide", "itemType": 1, **fields}
    return sysaid.ok("PUT", f"/api/document/{dataset}", json=body)


def upload(
    sysaid: Sysaid, item: object, content: bytes, filename: str = "vpn.pdf", wait: bool = False, dataset: int = 123
) -> dict[str, Any]:
    params = {"wait": "true"} if wait else {}
    files = {"file": (filename, content, "application/pdf")}
    return sysaid.ok("PUT", f"/api/document/{dataset}/{item}", files=files, params=params)


def items(sysaid: Sysaid, dataset: int = 123, **query: object) -> dict[str, Any]:
    return sysaid.ok("POST", f"/api/document/{dataset}/query", json=query)


def test_create_applies_the_documented_defaults(sysaid: Sysaid) -> None:
    created = create(sysaid)
    assert created == {"status": "ok", "dataset": 123, "id": 461, "itemType": 1, "itemStatus": 0}
    item = items(sysaid, name="VPN guide")["items"][0]
    assert (item["status"], item["statusMessage"], item["resourceLocator"]) == (0, "Processing document", "VPN guide")
    assert item["resourceUpdatedAt"] == item["createdAt"]
    explicit = create(
        sysaid,
        status=3,
        statusMessage="Uploading",
        resourceLocator="http://x/doc",
        resourceUpdatedAt="2023-04-01T12:00:00Z",
    )
    stored = items(sysaid, resourceLocator="http://x/doc")["items"][0]
    assert (explicit["itemStatus"], stored["statusMessage"], stored["resourceUpdatedAt"]) == (
        3,
        "Uploading",
        "2023-04-01T12:00:00.000Z",
    )


def test_upload_then_download_returns_exactly_the_bytes(sysaid: Sysaid) -> None:
    item = create(sysaid)["id"]
    assert upload(sysaid, item, PDF)["itemStatus"] == 0
    response = sysaid.call("GET", f"/api/document/123/{item}")
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == 'attachment; filename="vpn.pdf"'


def test_every_byte_value_survives_the_round_trip(sysaid: Sysaid) -> None:
    content = bytes(range(256)) * 64
    item = create(sysaid, itemType=3, name="all bytes")["id"]
    upload(sysaid, item, content, filename="bytes.csv", wait=True)
    assert sysaid.call("GET", f"/api/document/123/{item}").content == content


def test_non_ascii_file_name_gets_an_rfc_6266_disposition(sysaid: Sysaid) -> None:
    item = create(sysaid)["id"]
    upload(sysaid, item, PDF, filename="Übersicht.pdf")
    disposition = sysaid.call("GET", f"/api/document/123/{item}").headers["content-disposition"]
    assert disposition == "attachment; filename=\"_bersicht.pdf\"; filename*=UTF-8''%C3%9Cbersicht.pdf"


def test_fixture_document_of_the_contract_example_downloads(sysaid: Sysaid) -> None:
    response = sysaid.call("GET", "/api/document/123/456")
    assert (response.status_code, response.content) == (200, b"%PDF-1.4 example.pdf content")
    assert response.headers["content-disposition"] == 'attachment; filename="example.pdf"'


def test_wait_returns_the_processed_status_and_creates_records(sysaid: Sysaid) -> None:
    item = create(sysaid)["id"]
    assert upload(sysaid, item, PDF, wait=True)["itemStatus"] == 1
    stored = items(sysaid, name="VPN guide")["items"][0]
    assert (stored["status"], stored["statusMessage"]) == (1, "Document processed")
    records = sysaid.ok("POST", "/api/dataset/123/query", json={})["records"]
    assert len(records) == 1
    assert "VPN guide" in records[0]["text"]
    assert (records[0]["status"], records[0]["resourceLocator"]) == ("FETCHED", "VPN guide")
    fetch = sysaid.ok("GET", "/api/dataset/123")["fetchStatus"]
    assert fetch["lastFetchError"] == ""
    assert fetch["lastSucccessfulFetch"] == fetch["lastFetchAttempt"]


def test_without_wait_processing_completes_after_the_delay_on_the_mock_clock(slow: Sysaid) -> None:
    item = create(slow)["id"]
    assert upload(slow, item, PDF)["itemStatus"] == 0
    assert items(slow, status=0)["total"] == 1
    slow.advance(DELAY - 5)
    assert items(slow, status=0)["total"] == 1
    slow.advance(5)
    assert items(slow, status=1)["total"] == 2
    assert slow.ok("GET", "/api/dataset/123")["statusSummary"] == [{"status": 1, "count": 2, "caption": "COMPLETED"}]


def test_background_task_completes_processing_without_any_read(make_sysaid: Callable[..., Sysaid]) -> None:
    sysaid = make_sysaid(background_delay_seconds=0)
    item = create(sysaid)["id"]
    upload(sysaid, item, PDF)
    stored = [i for i in sysaid.records("items") if i["id"] == item]
    for _ in range(100):
        if stored and stored[0]["status"] == 1:
            break
        stored = [i for i in sysaid.records("items") if i["id"] == item]
    assert stored[0]["status"] == 1


@pytest.mark.parametrize(
    ("item_type", "content", "message"),
    [
        (1, b"not a pdf", "The file is not a PDF document"),
        (2, b"%PDF-1.4", "The file is not a Word document (.docx or .doc)"),
        (3, b"\xff\xfe\x00bad", "The file is not UTF-8 CSV text"),
        (1, b"", "The file is empty"),
    ],
)
def test_content_that_does_not_fit_the_item_type_fails(
    sysaid: Sysaid, item_type: int, content: bytes, message: str
) -> None:
    item = create(sysaid, itemType=item_type)["id"]
    assert upload(sysaid, item, content, wait=True)["itemStatus"] == 2
    stored = items(sysaid, name="VPN guide")["items"][0]
    assert (stored["status"], stored["statusMessage"]) == (2, message)
    assert sysaid.ok("GET", "/api/dataset/123")["fetchStatus"]["lastFetchError"] == message


def test_word_document_is_processed(sysaid: Sysaid) -> None:
    item = create(sysaid, itemType=2, name="handbook")["id"]
    assert upload(sysaid, item, b"PK\x03\x04 word/document.xml Handbook", "handbook.docx", wait=True)["itemStatus"] == 1


def test_url_master_item_crawls_its_pages(slow: Sysaid) -> None:
    created = create(slow, name="Support site", itemType=4, resourceLocator="https://support.example.com/", maxLevels=3)
    assert created["itemStatus"] == 0
    slow.advance(DELAY)
    item = items(slow, itemType=4)["items"][0]
    assert (item["status"], item["statusMessage"]) == (1, "Crawled 7 page(s)")
    pages = {r["resourceLocator"] for r in slow.ok("POST", "/api/dataset/123/query", json={"limit": 50})["records"]}
    assert "https://support.example.com/" in pages
    assert "https://support.example.com/page-2/page-1" in pages
    assert len(pages) == 7


def test_url_master_needs_an_http_url_and_takes_no_upload(sysaid: Sysaid) -> None:
    created = create(sysaid, name="bad", itemType=4, resourceLocator="ftp://files")
    sysaid.advance(1)
    assert items(sysaid, itemType=4)["items"][0]["status"] == 2
    assert "takes no upload" in sysaid.refused(
        "PUT", f"/api/document/123/{created['id']}", files={"file": ("a.pdf", PDF, "application/pdf")}
    )
    assert "maxLevels must be 1 or more" in sysaid.refused(
        "PUT", "/api/document/123", json={"name": "x", "itemType": 4, "maxLevels": 0}
    )


def test_delete_removes_the_item_its_document_and_its_records(sysaid: Sysaid) -> None:
    item = create(sysaid)["id"]
    upload(sysaid, item, PDF, wait=True)
    assert sysaid.ok("DELETE", f"/api/document/123/{item}") == {"status": "ok"}
    assert sysaid.ok("POST", "/api/dataset/123/query", json={})["total"] == 0
    response = sysaid.call("GET", f"/api/document/123/{item}")
    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": f"Document {item} not found in dataset 123"}
    assert sysaid.refused("DELETE", f"/api/document/123/{item}") == f"Document {item} not found in dataset 123"


def test_query_filters_with_like_orders_and_counts(sysaid: Sysaid) -> None:
    for name in ("Alpha guide", "beta GUIDE", "Gamma notes"):
        create(sysaid, name=name)
    assert [i["name"] for i in items(sysaid, name="%guide")["items"]] == ["beta GUIDE", "Alpha guide"]
    assert items(sysaid, name="_amma%")["total"] == 1
    ordered = items(sysaid, order=[["name", "ASC"]], limit=2, offset=1)
    assert (ordered["total"], [i["name"] for i in ordered["items"]]) == (4, ["Gamma notes", "Sample Document"])
    assert items(sysaid, status=1, itemType=1)["items"][0]["id"] == 456
    assert "Invalid order field 'size'" in sysaid.refused(
        "POST", "/api/document/123/query", json={"order": [["size", "ASC"]]}
    )


def test_seed_sample_query_finds_the_fixture_document(sysaid: Sysaid) -> None:
    body = items(
        sysaid,
        limit=50,
        offset=0,
        order=[["createdAt", "DESC"]],
        name="Sample Document",
        status=1,
        resourceLocator="http://example.com/resource",
    )
    assert (body["dataset"], body["total"], body["items"][0]["id"]) == (123, 1, 456)


def test_missing_file_and_unknown_item(sysaid: Sysaid) -> None:
    response = sysaid.call("PUT", "/api/document/123/456", files={"other": ("a", b"x")})
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert sysaid.refused("PUT", "/api/document/123/999", files={"file": ("a.pdf", PDF)}) == (
        "Document 999 not found in dataset 123"
    )
    assert sysaid.refused("PUT", "/api/document/7", json={"name": "x", "itemType": 1}) == "Dataset 7 not found"


def test_download_is_refused_to_non_admins_with_http_400(sysaid: Sysaid) -> None:
    response = sysaid.call("GET", "/api/document/123/456", who="user")
    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "User is not admin"}
    placeholder = create(sysaid)["id"]
    response = sysaid.call("GET", f"/api/document/123/{placeholder}")
    assert (response.status_code, response.json()["error"]) == (400, f"Document {placeholder} has no uploaded content")


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("PUT", "/api/document/123", {"json": {"name": "x", "itemType": 1}}),
        ("PUT", "/api/document/123/456", {"files": {"file": ("a.pdf", PDF)}}),
        ("DELETE", "/api/document/123/456", {}),
        ("POST", "/api/document/123/query", {"json": {}}),
    ],
)
def test_document_management_is_admin_only(sysaid: Sysaid, method: str, path: str, kwargs: dict[str, Any]) -> None:
    assert sysaid.refused(method, path, who="user", **kwargs) == "User is not admin"
    assert sysaid.call("GET", "/api/document/123/456").content == b"%PDF-1.4 example.pdf content"


def test_documents_of_another_organization_are_out_of_reach(sysaid: Sysaid) -> None:
    response = sysaid.call("GET", "/api/document/7/460")
    assert (response.status_code, response.json()["error"]) == (400, "Document 460 not found in dataset 7")
    globex = sysaid.call("GET", "/api/document/7/460", who="globex_admin")
    assert globex.content == b"gateway,region\ngp-eu,Europe\ngp-us,Americas\n"
