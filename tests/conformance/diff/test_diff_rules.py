"""Rule behaviour beyond the corpus: direction, matching of operations, security, and speed on real contracts."""

from __future__ import annotations

import copy
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conformance.diff import DriftFinding, Level, Policy, diff_documents, load_revision
from conformance.diff.operations import HTTP_METHODS
from conformance.diff.overlap import disjoint

SPECS = Path(__file__).resolve().parents[3] / "specs"


def _api(schema: dict[str, Any], *, where: str = "response", security: Any = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
    if where == "response":
        operation["responses"]["200"]["content"] = {"application/json": {"schema": schema}}
    else:
        operation["requestBody"] = {"content": {"application/json": {"schema": schema}}}
    if security is not None:
        operation["security"] = security
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"post": operation}}}


def _ids(findings: list[DriftFinding]) -> list[str]:
    return [finding.rule_id for finding in findings]


@pytest.mark.parametrize(
    ("before", "after", "request_ids", "response_ids"),
    [
        (
            {"type": "string", "maxLength": 10},
            {"type": "string", "maxLength": 5},
            ["request-body-max-length-decreased"],
            [],
        ),
        (
            {"type": "string", "maxLength": 5},
            {"type": "string", "maxLength": 10},
            ["request-body-max-length-increased"],
            ["response-body-max-length-increased"],
        ),
        (
            {"type": "integer", "minimum": 0},
            {"type": "integer"},
            ["request-body-min-decreased"],
            ["response-body-min-decreased"],
        ),
        (
            {"type": "string"},
            {"type": "string", "nullable": True},
            ["request-body-became-nullable"],
            ["response-body-became-nullable"],
        ),
        (
            {"type": "string", "enum": ["a"]},
            {"type": "string", "enum": ["a", "b"]},
            ["request-property-enum-value-added"],
            ["response-property-enum-value-added"],
        ),
        (
            {"type": "string", "enum": ["a", "b"]},
            {"type": "string", "enum": ["a"]},
            ["request-body-enum-value-removed"],
            ["response-property-enum-value-removed"],
        ),
        (
            {"type": "integer"},
            {"type": "number"},
            ["request-body-type-generalized"],
            ["response-body-type-generalized"],
        ),
    ],
)
def test_the_same_change_is_judged_by_direction(
    before: dict[str, Any], after: dict[str, Any], request_ids: list[str], response_ids: list[str]
) -> None:
    assert _ids(diff_documents(_api(before, where="request"), _api(after, where="request"))) == request_ids
    assert _ids(diff_documents(_api(before), _api(after))) == response_ids


def test_a_widened_request_is_only_a_changelog_entry() -> None:
    widened = diff_documents(_api({"maxLength": 5}, where="request"), _api({"maxLength": 9}, where="request"))
    assert [(f.rule_id, f.level) for f in widened] == [("request-body-max-length-increased", Level.INFO)]


def test_properties_that_do_not_travel_in_a_direction_change_nothing_there_but_info() -> None:
    before = {"type": "object", "properties": {"id": {"type": "string", "readOnly": True}}}
    after = {"type": "object", "properties": {"id": {"type": "integer", "readOnly": True}}}
    assert diff_documents(_api(before, where="request"), _api(after, where="request")) == []
    secret_before = {"type": "object", "properties": {"pin": {"type": "string", "writeOnly": True}}}
    [finding] = diff_documents(_api(secret_before), _api({"type": "object"}))
    assert (finding.rule_id, finding.level) == ("response-optional-write-only-property-removed", Level.INFO)


def test_a_request_body_wrapped_in_one_of_without_the_original_is_breaking() -> None:
    before = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}
    after = {
        "oneOf": [{"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}}}, {"type": "string"}]
    }
    findings = diff_documents(_api(before, where="request"), _api(after, where="request"))
    assert "request-body-one-of-removed" in _ids(findings)
    assert all(f.level is Level.ERR for f in findings if f.rule_id.endswith("removed"))


def test_an_unrelated_type_change_is_reported_once_not_per_nested_keyword() -> None:
    before = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}
    findings = diff_documents(_api(before), _api({"type": "string", "maxLength": 3}))
    assert _ids(findings) == ["response-body-type-changed"]


def test_renamed_path_variables_match_but_a_different_shape_does_not() -> None:
    def api(path: str) -> dict[str, Any]:
        return {"openapi": "3.0.3", "paths": {path: {"get": {"responses": {"200": {"description": "ok"}}}}}}

    assert diff_documents(api("/a/{id}/b"), api("/a/{itemId}/b")) == []
    findings = diff_documents(api("/a/{id}/b"), api("/a/{id}/c"))
    assert _ids(findings) == ["api-path-removed-without-deprecation", "endpoint-added"]
    assert [finding.operation for finding in findings] == ["GET /a/{id}/b", "GET /a/{id}/c"]


def test_a_path_removed_after_deprecation_is_info() -> None:
    old = {"openapi": "3.0.3", "paths": {"/a": {"get": {"deprecated": True, "responses": {}}}}}
    findings = diff_documents(old, {"openapi": "3.0.3", "paths": {}})
    assert [(f.rule_id, f.level) for f in findings] == [("api-path-removed-with-deprecation", Level.INFO)]


def test_security_that_still_allows_anonymous_calls_breaks_nobody() -> None:
    schemes = {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}}
    old = _api({"type": "object"}, security=[{"key": []}])
    new = _api({"type": "object"}, security=[{}, {"key": []}])
    old["components"] = new["components"] = schemes
    assert diff_documents(old, new) == []
    assert _ids(diff_documents(new, old)) == ["api-security-became-required"]


def test_changing_the_api_key_header_name_is_a_changed_requirement() -> None:
    old, new = _api({}, security=[{"key": []}]), _api({}, security=[{"key": []}])
    old["components"] = {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}}
    new["components"] = {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Token"}}}
    assert sorted(_ids(diff_documents(old, new))) == ["api-security-added", "api-security-removed"]


def test_findings_name_the_property_path_and_the_site() -> None:
    before: dict[str, Any] = {
        "type": "object",
        "properties": {
            "lines": {
                "type": "array",
                "items": {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}}},
            }
        },
    }
    after = copy.deepcopy(before)
    after["properties"]["lines"]["items"]["required"] = []
    [finding] = diff_documents(_api(before), _api(after), contract="shop")
    assert finding.rule_id == "response-property-became-optional"
    assert finding.contract == "shop"
    assert finding.message == "response property 'lines[].sku' became optional"
    assert finding.site == "response 200 application/json"
    assert finding.text == f"{finding.message} (response 200 application/json)"


@pytest.mark.parametrize("spec", sorted(path.name for path in SPECS.glob("*.yaml") if path.name != "inventory.yaml"))
def test_a_real_contract_diffs_quickly_and_against_nothing_reports_every_operation(spec: str) -> None:
    contract = load_revision(str(SPECS / spec))
    started = time.perf_counter()
    assert diff_documents(contract.document, copy.deepcopy(contract.document)) == []
    removed = diff_documents(contract.document, {"openapi": "3.0.3", "paths": {}})
    added = diff_documents({"openapi": "3.0.3", "paths": {}}, contract.document)
    assert time.perf_counter() - started < 1.0
    operations = sum(1 for item in contract.document["paths"].values() for key in item if key in HTTP_METHODS)
    assert len(removed) == len(added) == operations
    assert {f.rule_id for f in removed} <= {"api-path-removed-without-deprecation", "api-path-removed-with-deprecation"}
    assert {f.rule_id for f in added} == {"endpoint-added"}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


@pytest.mark.parametrize(
    ("first", "second", "apart"),
    [
        ({"type": "string"}, {"type": "integer"}, True),
        ({"type": "integer"}, {"type": "number"}, False),
        ({"type": "string", "nullable": True}, {"type": "integer", "nullable": True}, False),
        ({"enum": ["a"]}, {"enum": ["b"]}, True),
        ({"const": "a"}, {"enum": ["a", "b"]}, False),
        (_object(["k"], k={"enum": ["card"]}), _object(["k"], k={"enum": ["iban"]}), True),
        (_object(["k"], k={"enum": ["card"]}), _object([], k={"enum": ["iban"]}), False),
        (_object(["a"], a={}), {**_object([], b={}), "additionalProperties": False}, True),
        (_object(["a"], a={}), _object(["b"], b={}), False),
    ],
)
def test_schemas_are_disjoint_only_when_provably_so(first: dict[str, Any], second: dict[str, Any], apart: bool) -> None:
    assert disjoint(first, second) is apart
    assert disjoint(second, first) is apart


def test_sunset_dates_are_judged_by_the_policy_date() -> None:
    old = {
        "openapi": "3.0.3",
        "paths": {"/a": {"get": {"deprecated": True, "x-sunset": "2026-06-01", "responses": {}}}},
    }
    gone = {"openapi": "3.0.3", "paths": {}}
    before = diff_documents(old, gone, policy=Policy(date(2026, 5, 31)))
    on_the_day = diff_documents(old, gone, policy=Policy(date(2026, 6, 1)))
    assert [(f.rule_id, f.level) for f in before] == [("api-path-removed-before-sunset", Level.ERR)]
    assert [(f.rule_id, f.level) for f in on_the_day] == [("api-path-removed-with-deprecation", Level.INFO)]


def test_a_grace_period_makes_a_sunset_date_mandatory_for_the_stability_it_names() -> None:
    def operation(**marks: Any) -> dict[str, Any]:
        return {"openapi": "3.0.3", "paths": {"/a": {"get": {**marks, "responses": {}}}}}

    beta_only = Policy(date(2026, 1, 15), deprecation_days_beta=31)
    stable = diff_documents(operation(), operation(deprecated=True), policy=beta_only)
    beta = diff_documents(
        operation(**{"x-stability-level": "beta"}),
        operation(deprecated=True, **{"x-stability-level": "beta"}),
        policy=beta_only,
    )
    assert _ids(stable) == ["endpoint-deprecated"]
    assert _ids(beta) == ["api-deprecated-sunset-missing"]


def test_a_response_header_schema_is_compared_through_its_ref() -> None:
    def api(header: dict[str, Any]) -> dict[str, Any]:
        response = {"description": "ok", "headers": {"X-Rate": {"$ref": "#/components/headers/Rate"}}}
        return {
            "openapi": "3.0.3",
            "paths": {"/a": {"get": {"responses": {"200": response}}}},
            "components": {"headers": {"Rate": header}},
        }

    [finding] = diff_documents(api({"schema": {"type": "integer"}}), api({"schema": {"type": "string"}}))
    assert (finding.rule_id, finding.message, finding.site) == (
        "response-header-type-changed",
        "the header X-Rate type/format changed from integer to string",
        "response 200",
    )
