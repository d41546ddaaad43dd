"""Every sample request printed in the SysAid Copilot REST API Guide (30 Jul 2024) succeeds against the default
fixtures, sent as printed (method, path, body), and answers in the shape the guide documents.

The guide prints no credentials; every protected sample is sent as the fixture administrator (the document, monitor
and dataset operations are for administrators). Where the guide prints a sample response, the answer must have
exactly its fields with values of the same types (a placeholder array such as `// Array of dataset items` only says
"an array"); values the guide fixes ("Chat started", the dataset id of the path...) must be equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sysaid_support import Sysaid

CHAT = "123e4567-e89b-12d3-a456-426614174000"


@dataclass(frozen=True)
class Sample:
    """One sample request of the guide and what its section documents for the answer."""

    section: str
    method: str
    path: str
    request: dict[str, Any] = field(default_factory=dict)
    shape: Any = None
    """The sample response as printed (types matter, placeholder arrays are empty), or None when none is printed."""
    fixed: dict[str, Any] = field(default_factory=dict)
    """Top-level values the guide fixes for this request."""


SAMPLES = [
    Sample(
        "Endpoints, POST /api/chat/fromEmail",
        "POST",
        "/api/chat/fromEmail",
        {"json": {"accountId": "exampleAccountId", "srId": 12345}},
        {"status": "ok", "response": "Chat started"},
        {"status": "ok", "response": "Chat started"},
    ),
    Sample(
        "Endpoints, GET /api/chat/stream/:sid",
        "GET",
        "/api/chat/stream/12345",
        shape={"status": "ok", "messages": []},
        fixed={"status": "ok"},
    ),
    Sample(
        "Endpoints, POST /api/chat/rate",
        "POST",
        "/api/chat/rate",
        {"json": {"chatuid": CHAT, "index": 5, "rate": 1}},
        {"status": "ok"},
        {"status": "ok"},
    ),
    Sample(
        "Endpoints, POST /api/chat/resolve",
        "POST",
        "/api/chat/resolve",
        {"json": {"chatuid": CHAT}},
        {"status": "ok"},
        {"status": "ok"},
    ),
    Sample(
        "Endpoints, PUT /api/sr/:chatuid",
        "PUT",
        f"/api/sr/{CHAT}",
        shape={"status": "in-progress", "longOperationId": "456f7890-g12h-34i5-j678-90kl12345678"},
        fixed={"status": "in-progress"},
    ),
    Sample(
        "Document endpoints, POST /api/document/:datasetid/query",
        "POST",
        "/api/document/123/query",
        {
            "json": {
                "limit": 50,
                "offset": 10,
                "order": [["createdAt", "DESC"]],
                "name": "Sample Document",
                "status": 1,
                "resourceLocator": "http://example.com/resource",
            }
        },
        {"status": "ok", "dataset": 123, "total": 200, "items": []},
        {"status": "ok", "dataset": 123},
    ),
    Sample(
        "Document endpoints, PUT /api/document/:datasetid",
        "PUT",
        "/api/document/123",
        {
            "json": {
                "name": "Example Document",
                "itemType": 1,
                "status": 2,
                "statusMessage": "Uploading document",
                "resourceLocator": "http://example.com/resource",
                "resourceUpdatedAt": "2023-04-01T12:00:00Z",
            }
        },
        {"status": "ok", "dataset": 123, "id": 456, "itemType": 1, "itemStatus": 2},
        {"status": "ok", "dataset": 123, "itemType": 1, "itemStatus": 2},
    ),
    Sample(
        "Document endpoints, PUT /api/document/:datasetid/:id",
        "PUT",
        "/api/document/123/456",
        {"files": {"file": ("example.pdf", b"")}},
        {"status": "ok", "dataset": 123, "id": 456, "itemType": 1, "itemStatus": 2},
        {"status": "ok", "dataset": 123, "id": 456, "itemType": 1},
    ),
    Sample("Document endpoints, GET /api/document/:datasetid/:id", "GET", "/api/document/4/456"),
    Sample(
        "Monitor & Fine-tune API Endpoints, POST /api/monitor/query",
        "POST",
        "/api/monitor/query",
        {
            "json": {
                "limit": 50,
                "offset": 10,
                "order": [["createdAt", "DESC"]],
                "text": "example query",
                "verificationIndicator": 1,
            }
        },
        {"status": "ok", "total": 0, "records": [], "limit": 50, "offset": 10},
        {"status": "ok", "limit": 50, "offset": 10},
    ),
    Sample(
        "Monitor & Fine-tune API Endpoints, PUT /api/monitor/:chatuid/:index",
        "PUT",
        f"/api/monitor/{CHAT}/5",
        {
            "json": {
                "readIndicator": 1,
                "verifiedAnswerDataset": 2,
                "verifiedAnswerId": 10,
                "answer": "Updated answer",
                "question": "Updated question",
                "verificationIndicator": 1,
            }
        },
        {"status": "ok"},
        {"status": "ok"},
    ),
    Sample(
        "Added endpoint: POST /api/sr/suggest_category_for_text (example URL with the public prefix)",
        "POST",
        "/spaces/api/sysai/api/sr/suggest_category_for_text",
        {"json": {"text": "VPN error 401. I cant connect. Please help", "srType": 1}},
        {
            "status": "ok",
            "category": {
                "category_id": 361,
                "problem_type": "Network",
                "problem_sub_type": "VPN",
                "third_level_category": "Issues",
                "module_relevance": 83,
                "first_level_key": 298,
                "second_level_key": 299,
                "third_level_key": 300,
                "incident_template": -1,
                "request_template": -1,
                "srType": 1,
                "similarity": 0.8518417425289576,
            },
            "template": -1,
            "srType": 1,
            "title": "VPN Error 401 Connection Issue",
            "updateInfo": [],
        },
        {"status": "ok", "template": -1, "srType": 1, "updateInfo": []},
    ),
]

BY_REQUEST = {f"{sample.method} {sample.path}": sample for sample in SAMPLES}


def shape_problems(actual: Any, documented: Any, where: str = "body") -> list[str]:
    """How `actual` departs from the shape of a documented sample (same fields, same JSON types)."""
    if isinstance(documented, dict):
        if not isinstance(actual, dict):
            return [f"{where} is {type(actual).__name__}, documented object"]
        problems = [f"{where} lacks {key}" for key in documented if key not in actual]
        problems += [f"{where} has undocumented {key}" for key in actual if key not in documented]
        for key in documented.keys() & actual.keys():
            problems += shape_problems(actual[key], documented[key], f"{where}.{key}")
        return problems
    if isinstance(documented, list):
        if not isinstance(actual, list):
            return [f"{where} is {type(actual).__name__}, documented array"]
        return [p for item in actual for p in (shape_problems(item, documented[0], f"{where}[]") if documented else [])]
    kinds = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}
    kind, wanted = kinds.get(type(actual)), kinds.get(type(documented))
    return [] if kind == wanted else [f"{where} is {kind}, documented {wanted}"]


def replay(sysaid: Sysaid, sample: Sample) -> httpx.Response:
    """Send a sample as printed, logged in as the fixture administrator, and check the documented answer."""
    response = sysaid.call(sample.method, sample.path, "admin", **sample.request)
    assert response.status_code == 200, f"{sample.section}: {response.status_code} {response.text[:300]}"
    if sample.shape is None:
        return response
    body = response.json()
    assert not shape_problems(body, sample.shape), (sample.section, shape_problems(body, sample.shape), body)
    assert {key: body[key] for key in sample.fixed} == sample.fixed, sample.section
    return response


def test_every_sample_request_of_the_guide_is_listed() -> None:
    documented = {
        "POST /api/chat/fromEmail",
        "GET /api/chat/stream/12345",
        "POST /api/chat/rate",
        "POST /api/chat/resolve",
        f"PUT /api/sr/{CHAT}",
        "POST /api/document/123/query",
        "PUT /api/document/123",
        "PUT /api/document/123/456",
        "GET /api/document/4/456",
        "POST /api/monitor/query",
        f"PUT /api/monitor/{CHAT}/5",
        "POST /spaces/api/sysai/api/sr/suggest_category_for_text",
    }
    assert set(BY_REQUEST) == documented
    assert len(SAMPLES) == len(documented)


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{s.method} {s.path}" for s in SAMPLES])
def test_each_sample_request_succeeds_as_printed(sysaid: Sysaid, sample: Sample) -> None:
    replay(sysaid, sample)


def test_the_samples_succeed_one_after_the_other_on_one_mock(make_sysaid: Callable[..., Sysaid]) -> None:
    sysaid = make_sysaid()
    for sample in SAMPLES:
        replay(sysaid, sample)


def test_the_download_sample_sends_the_document_with_its_disposition(sysaid: Sysaid) -> None:
    response = replay(sysaid, BY_REQUEST["GET /api/document/4/456"])
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == 'attachment; filename="vpn-setup.pdf"'


def test_the_upload_sample_sends_its_part_as_printed_and_ends_failed_as_the_sample_shows(
    make_sysaid: Callable[..., Sysaid],
) -> None:
    sysaid = make_sysaid(background_delay_seconds=0)
    replay(sysaid, BY_REQUEST["PUT /api/document/123/456"])
    sysaid.advance(1)
    item = sysaid.ok("POST", "/api/document/123/query", json={"name": "Sample Document"})["items"][0]
    assert (item["status"], item["statusMessage"]) == (2, "The file is empty")
    assert sysaid.call("GET", "/api/document/123/456").content == b""


def test_the_category_sample_suggests_the_samples_category(sysaid: Sysaid) -> None:
    sample = BY_REQUEST["POST /spaces/api/sysai/api/sr/suggest_category_for_text"]
    body = replay(sysaid, sample).json()
    documented = sample.shape["category"]
    assert {key: value for key, value in body["category"].items() if key != "similarity"} == {
        key: value for key, value in documented.items() if key != "similarity"
    }


def test_the_monitor_update_sample_overwrites_the_verified_answer_it_names(sysaid: Sysaid) -> None:
    replay(sysaid, BY_REQUEST[f"PUT /api/monitor/{CHAT}/5"])
    record = next(r for r in sysaid.ok("POST", "/api/dataset/2/query", json={})["records"] if r["id"] == 10)
    assert (record["text"], record["summary"], record["isVerifiedAnswer"]) == (
        "Updated answer",
        "Updated question",
        True,
    )
    monitored = sysaid.ok("POST", "/api/monitor/query", json={"verificationIndicator": 1})["records"]
    assert [(r["chatuid"], r["index"], r["readIndicator"]) for r in monitored] == [(CHAT, 5, 1)]
