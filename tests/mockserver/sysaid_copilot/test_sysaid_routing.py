"""Integer path parameters reach their operation whatever their text, so a malformed id gets the contract's 400.

The compiled pipeline routes every path segment to its template and coerces the declared types afterwards; these
tests used to pin the digit-string rewrite of the contract that Connexion's routing needed (`routing.py`, removed).
"""

from __future__ import annotations

from typing import Any

import pytest
from sysaid_support import SPEC, Sysaid


def test_served_contract_keeps_integer_types(sysaid: Sysaid) -> None:
    served = sysaid.client.get(f"/{SPEC}/openapi.json").json()
    assert served["components"]["parameters"]["DatasetIdPath"]["schema"] == {"$ref": "#/components/schemas/DatasetId"}
    assert served["components"]["schemas"]["DatasetId"]["type"] == "integer"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "error"),
    [
        ("GET", "/api/dataset/abc", {}, "datasetId: 'abc' is not an integer"),
        ("GET", "/api/dataset/1.5", {}, "datasetId: '1.5' is not an integer"),
        ("DELETE", "/api/document/123/x1", {}, "id: 'x1' is not an integer"),
        ("POST", "/api/dataset/x/17", {"json": {"text": "t"}}, "datasetId: 'x' is not an integer"),
        (
            "PUT",
            f"/api/monitor/{'123e4567-e89b-12d3-a456-426614174000'}/-1",
            {"json": {}},
            "index: -1 is less than the minimum of 0",
        ),
        (
            "PUT",
            "/api/monitor/123e4567-e89b-12d3-a456-426614174000/one",
            {"json": {}},
            "index: 'one' is not an integer",
        ),
    ],
)
def test_malformed_ids_reach_their_operation_and_get_its_400(
    sysaid: Sysaid, method: str, path: str, kwargs: dict[str, Any], error: str
) -> None:
    response = sysaid.call(method, path, **kwargs)
    assert (response.status_code, response.json()) == (400, {"status": "error", "error": error})


def test_a_negative_id_is_an_integer_and_reaches_the_handler(sysaid: Sysaid) -> None:
    assert sysaid.refused("GET", "/api/dataset/-1") == "Failed to retrieve specified dataset"
    assert sysaid.refused("DELETE", "/api/dataset/4/-17") == "Record -17 not found in dataset 4"


def test_optional_bodies_may_be_absent_but_not_json_null(sysaid: Sysaid) -> None:
    for path, method in (
        ("/api/dataset/4/query", "POST"),
        ("/api/document/123/query", "POST"),
        ("/api/monitor/query", "POST"),
        ("/api/monitor/123e4567-e89b-12d3-a456-426614174000/5", "PUT"),
    ):
        assert sysaid.ok(method, path)["status"] == "ok"
        response = sysaid.call(method, path, content=b"null", headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert response.json()["status"] == "error"
