"""The OpenAPI check that replaces Connexion's at start-up is as strict as Connexion's own."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from connexion.exceptions import InvalidSpecification
from connexion.spec import OpenAPISpecification

from contracts import REGISTRY, load_contract
from mockserver.specification import check_document, fast_specification_checks


def _minimal(**extra: Any) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": {"description": "ok"}}}}},
        **extra,
    }


@pytest.mark.parametrize("name", [registration.name for registration in REGISTRY])
def test_every_contract_passes_both_checks(name: str) -> None:
    document = copy.deepcopy(dict(load_contract(name).document))
    check_document(document)
    OpenAPISpecification._validate_spec(document)  # Connexion's own check agrees


def test_a_structurally_invalid_document_is_refused_like_connexion_refuses_it() -> None:
    document = _minimal()
    document["paths"]["/x"]["get"]["responses"]["200"] = {"descriptionx": "ok"}
    with pytest.raises(InvalidSpecification):
        OpenAPISpecification._validate_spec(document)
    with pytest.raises(InvalidSpecification, match=r"paths//x/get/responses/200"):
        check_document(document)


def test_a_default_that_its_schema_refuses_is_refused_like_connexion_refuses_it() -> None:
    parameter = {"name": "n", "in": "query", "schema": {"type": "integer", "default": "ten"}}
    document = _minimal()
    document["paths"]["/x"]["get"]["parameters"] = [parameter]
    with pytest.raises(InvalidSpecification):
        OpenAPISpecification._validate_spec(document)
    with pytest.raises(InvalidSpecification, match="default 'ten' is invalid"):
        check_document(document)


def test_a_default_is_checked_against_the_referenced_schema() -> None:
    document = _minimal(components={"schemas": {"Size": {"type": "integer"}}})
    document["components"]["schemas"]["Box"] = {
        "type": "object",
        "properties": {"size": {"$ref": "#/components/schemas/Size"}},
        "default": {"size": "big"},
    }
    with pytest.raises(InvalidSpecification, match="components/schemas/Box"):
        check_document(document)
    document["components"]["schemas"]["Box"]["default"] = {"size": 3}
    check_document(document)


def test_connexion_gets_its_own_check_back_after_the_block() -> None:
    before = OpenAPISpecification._validate_spec
    with fast_specification_checks():
        assert OpenAPISpecification._validate_spec.__func__ is not before.__func__
    assert OpenAPISpecification._validate_spec.__func__ is before.__func__
    assert "_validate_spec" not in OpenAPISpecification.__dict__
