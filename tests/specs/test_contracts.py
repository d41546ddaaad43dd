"""Every contract is valid OpenAPI 3.0.3, loads in Connexion and Schemathesis, and follows specs/CONVENTIONS.md."""

from __future__ import annotations

import re
from typing import Any

import connexion
import pytest
import schemathesis
import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from schemathesis.core.result import Ok

from contracts import HTTP_METHODS, SPECS_DIR, contract_names, load_contract

SPEC_NAMES = contract_names()

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def _raw(name: str) -> dict[str, Any]:
    return yaml.safe_load((SPECS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, item[method])
        for path, item in document["paths"].items()
        for method in HTTP_METHODS
        if method in item
    ]


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_is_valid_openapi_303(name: str) -> None:
    document = _raw(name)
    assert document["openapi"] == "3.0.3"
    validate(document)


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_loads_in_connexion(name: str) -> None:
    app = connexion.AsyncApp(__name__)
    app.add_api(SPECS_DIR / f"{name}.yaml", resolver_error=501)
    assert app.middleware.apis, f"{name} did not register"


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_loads_in_schemathesis(name: str) -> None:
    schema = schemathesis.openapi.from_path(SPECS_DIR / f"{name}.yaml")
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == len(_operations(_raw(name)))


def test_operation_ids_are_camel_case_and_unique_across_contracts() -> None:
    seen: dict[str, str] = {}
    for name in SPEC_NAMES:
        for method, path, operation in _operations(_raw(name)):
            operation_id = operation.get("operationId", "")
            assert CAMEL_CASE.match(operation_id), f"{name} {method} {path}: operationId {operation_id!r}"
            assert operation_id not in seen, f"{operation_id} in both {seen.get(operation_id)} and {name}"
            seen[operation_id] = name


INTERNAL_NAMES = re.compile(r"\b[Ss]eeds? ?\d{3}\b|vendor-facts|shared/(seeds|reference)")
"""What user-facing text must not cite: the project's own file names for the vendor documents."""


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_every_operation_cites_the_vendor_document_by_its_title(name: str) -> None:
    document = _raw(name)
    for method, path, operation in _operations(document):
        assert operation.get("summary"), f"{method} {path} has no summary"
        assert operation.get("description"), f"{method} {path} has no description"
        docs = operation.get("externalDocs") or document.get("externalDocs")
        assert docs and str(docs.get("url", "")).startswith("https://"), f"{method} {path}: no externalDocs"
    found = sorted({match.group(0) for match in INTERNAL_NAMES.finditer(yaml.safe_dump(document))})
    assert not found, f"{name} cites internal file names instead of the vendor's documents: {found}"


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_every_protected_operation_declares_401(name: str) -> None:
    contract = load_contract(name)
    for operation in contract.operations.values():
        if operation.protected:
            assert operation.declares(401), f"{operation.operation_id} is protected but declares no 401"


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_every_operation_declares_the_statuses_the_mock_can_send(name: str) -> None:
    contract = load_contract(name)
    for operation in contract.operations.values():
        responses = operation.definition["responses"]
        assert "400" in responses, f"{operation.operation_id}: no 400 for bad input"
        assert "500" in responses, f"{operation.operation_id}: no 500"
        if "requestBody" in operation.definition:
            assert "413" in responses, f"{operation.operation_id}: has a body but no 413"


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_no_static_path_is_shadowed_by_an_earlier_templated_one(name: str) -> None:
    """Connexion routes in document order: `/a/{id}` declared first would swallow `/a/query`."""
    paths = list(_raw(name)["paths"])
    for index, path in enumerate(paths):
        for earlier in paths[:index]:
            if "{" not in earlier:
                continue
            pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(earlier)) + "$"
            assert not re.match(pattern, path), f"{path} is shadowed by earlier {earlier}"


def _examples(node: Any, schema: Any = None) -> list[tuple[Any, Any, str]]:
    found: list[tuple[Any, Any, str]] = []
    if isinstance(node, dict):
        current = node.get("schema", schema)
        for key, example in (node.get("examples") or {}).items() if isinstance(node.get("examples"), dict) else []:
            if isinstance(example, dict) and "value" in example and current is not None:
                found.append((current, example["value"], key))
        if "example" in node and current is not None and "schema" in node:
            found.append((current, node["example"], "example"))
        for key, value in node.items():
            if key not in ("examples", "example"):
                found.extend(_examples(value, current if key != "schema" else None))
    elif isinstance(node, list):
        for item in node:
            found.extend(_examples(item, schema))
    return found


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_every_example_validates_against_its_schema(name: str) -> None:
    contract = load_contract(name)
    resolved_paths = {op.label: contract.inline(op.definition) for op in contract.operations.values()}
    checked = 0
    for path, definition in resolved_paths.items():
        for schema, value, key in _examples(definition):
            if isinstance(schema, dict) and schema.get("format") == "binary":
                continue
            errors = list(OAS30Validator(schema, format_checker=OAS30Validator.FORMAT_CHECKER).iter_errors(value))
            assert not errors, f"{name} {path} example {key!r}: {errors[0].message}"
            checked += 1
    assert checked > 0, f"{name} has no examples"
