"""Integer path parameters are routed as digit strings for Connexion; the served contract keeps its types."""

from __future__ import annotations

from sysaid_support import SPEC, Sysaid

from mockserver.contracts import load_contract
from mockserver.vendors.sysaid_copilot.routing import INTEGER_PATTERN, NATURAL_PATTERN, prepare_contract


def test_prepared_document_routes_integer_path_parameters_as_digits() -> None:
    document = load_contract(SPEC).document
    prepared = prepare_contract(document)
    assert prepared["components"]["parameters"]["DatasetIdPath"]["schema"] == {
        "type": "string",
        "pattern": INTEGER_PATTERN,
    }
    monitor = prepared["paths"]["/api/monitor/{chatuid}/{index}"]["put"]["parameters"]
    assert monitor[1]["schema"] == {"type": "string", "pattern": NATURAL_PATTERN}
    assert monitor[0] == document["paths"]["/api/monitor/{chatuid}/{index}"]["put"]["parameters"][0]
    assert document["components"]["parameters"]["DatasetIdPath"]["schema"] == {"$ref": "#/components/schemas/DatasetId"}


def test_served_contract_keeps_integer_types(sysaid: Sysaid) -> None:
    served = sysaid.client.get(f"/{SPEC}/openapi.json").json()
    assert served["components"]["parameters"]["DatasetIdPath"]["schema"] == {"$ref": "#/components/schemas/DatasetId"}


def test_negative_and_malformed_ids_reach_their_operation(sysaid: Sysaid) -> None:
    assert sysaid.refused("GET", "/api/dataset/-1") == "Failed to retrieve specified dataset"
    response = sysaid.call("DELETE", "/api/document/123/x1")
    assert (response.status_code, response.json()) == (
        400,
        {"status": "error", "error": "datasetId or id: 'x1' is not an integer"},
    )
    response = sysaid.call("PUT", "/api/monitor/123e4567-e89b-12d3-a456-426614174000/-1", json={})
    assert response.json()["error"] == "index: '-1' is not an integer of 0 or more"


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
