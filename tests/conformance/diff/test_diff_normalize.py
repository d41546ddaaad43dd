"""Schema normalization: references, allOf, alternatives and cycles reduce to one canonical form."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.diff import ContractStructureError
from conformance.diff.normalize import CYCLE, Normalizer, signature


def _doc(schemas: dict[str, Any], version: str = "3.0.3") -> dict[str, Any]:
    return {"openapi": version, "paths": {}, "components": {"schemas": schemas}}


def test_ref_resolves_to_the_target_without_annotations() -> None:
    normalizer = Normalizer(_doc({"A": {"type": "string", "description": "text", "example": "x", "x-y": 1}}), "t")
    assert normalizer.schema({"$ref": "#/components/schemas/A"}) == {"type": "string"}


def test_spelled_out_defaults_are_dropped_and_object_type_inferred() -> None:
    schema = Normalizer(_doc({}), "t").schema(
        {"properties": {"a": {"type": "string", "nullable": False, "minLength": 0}}, "additionalProperties": True}
    )
    assert schema == {"type": "object", "properties": {"a": {"type": "string"}}}


def test_allof_merges_properties_required_and_tighter_bounds() -> None:
    schema = Normalizer(_doc({}), "t").schema(
        {
            "allOf": [
                {"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "maxLength": 10}}},
                {"required": ["b"], "properties": {"a": {"maxLength": 5}, "b": {"type": "integer"}}},
            ]
        }
    )
    assert schema["required"] == ["a", "b"]
    assert schema["properties"]["a"] == {"type": "string", "maxLength": 5}
    assert schema["properties"]["b"] == {"type": "integer"}


def test_allof_intersects_enums_and_keeps_a_false_additional_properties() -> None:
    schema = Normalizer(_doc({}), "t").schema(
        {"allOf": [{"enum": ["a", "b", "c"]}, {"enum": ["c", "b"]}, {"additionalProperties": False}]}
    )
    assert schema["enum"] == ["b", "c"]
    assert schema["additionalProperties"] is False


def test_parent_keywords_are_distributed_into_each_branch() -> None:
    normalizer = Normalizer(_doc({}), "t")
    shared = normalizer.schema(
        {
            "type": "object",
            "properties": {"kind": {"type": "string"}},
            "oneOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"b": {"type": "string"}}}],
        }
    )
    spelled = normalizer.schema(
        {
            "oneOf": [
                {"type": "object", "properties": {"kind": {"type": "string"}, "a": {"type": "string"}}},
                {"type": "object", "properties": {"kind": {"type": "string"}, "b": {"type": "string"}}},
            ]
        }
    )
    assert signature(shared) == signature(spelled)
    assert len(shared["oneOf"]) == 2


def test_nested_alternatives_are_flattened_and_a_single_branch_unwrapped() -> None:
    normalizer = Normalizer(_doc({}), "t")
    nested = normalizer.schema({"oneOf": [{"type": "string"}, {"oneOf": [{"type": "integer"}, {"type": "boolean"}]}]})
    assert [branch["type"] for branch in nested["oneOf"]] == ["string", "integer", "boolean"]
    assert normalizer.schema({"anyOf": [{"type": "string"}]}) == {"type": "string"}


def test_recursive_refs_become_name_independent_markers() -> None:
    first = Normalizer(_doc({"Node": {"properties": {"next": {"$ref": "#/components/schemas/Node"}}}}), "a")
    second = Normalizer(_doc({"Item": {"properties": {"next": {"$ref": "#/components/schemas/Item"}}}}), "b")
    one = first.schema({"$ref": "#/components/schemas/Node"})
    other = second.schema({"$ref": "#/components/schemas/Item"})
    assert one["properties"]["next"] == {CYCLE: 1}
    assert signature(one) == signature(other)


def test_mutual_recursion_terminates_with_the_distance_to_the_target() -> None:
    normalizer = Normalizer(
        _doc(
            {
                "A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"properties": {"a": {"$ref": "#/components/schemas/A"}}},
            }
        ),
        "t",
    )
    schema = normalizer.schema({"$ref": "#/components/schemas/A"})
    assert schema["properties"]["b"]["properties"]["a"] == {CYCLE: 2}


def test_a_dangling_ref_names_the_source_and_the_ref() -> None:
    with pytest.raises(ContractStructureError, match=r"specs/x\.yaml: \$ref '#/components/schemas/Gone'"):
        Normalizer(_doc({}), "specs/x.yaml").schema({"$ref": "#/components/schemas/Gone"})


def test_an_external_ref_is_refused_with_the_reason() -> None:
    with pytest.raises(ContractStructureError, match="not a local reference"):
        Normalizer(_doc({}), "t").schema({"$ref": "common.yaml#/Thing"})


def test_escaped_pointer_tokens_are_decoded() -> None:
    document = {"openapi": "3.0.3", "paths": {"/a/{id}": {"x": {"type": "integer"}}}}
    assert Normalizer(document, "t").schema({"$ref": "#/paths/~1a~1%7Bid%7D/x"}) == {"type": "integer"}


def test_keywords_the_rules_read_are_kept_and_other_extensions_dropped() -> None:
    schema = Normalizer(_doc({}), "t").schema(
        {
            "type": "string",
            "default": "a",
            "const": "a",
            "deprecated": True,
            "x-sunset": "2026-12-31",
            "x-stability-level": "beta",
            "x-extensible-enum": ["a", "b"],
            "x-internal": True,
        }
    )
    assert set(schema) == {
        "type",
        "default",
        "const",
        "deprecated",
        "x-sunset",
        "x-stability-level",
        "x-extensible-enum",
    }


def test_an_empty_pattern_and_deprecated_false_are_spelled_out_defaults() -> None:
    assert Normalizer(_doc({}), "t").schema({"type": "string", "pattern": "", "deprecated": False}) == {
        "type": "string"
    }


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ({"type": ["string", "null"]}, {"type": "string", "nullable": True}),
        ({"type": ["integer", "string"]}, {"type": ["integer", "string"]}),
        ({"type": ["string"]}, {"type": "string"}),
        ({"oneOf": [{"type": "string"}, {"type": "null"}]}, {"type": "string", "nullable": True}),
        ({"type": "integer", "exclusiveMinimum": 0}, {"type": "integer", "minimum": 0, "exclusiveMinimum": True}),
        ({"type": "integer", "minimum": 5, "exclusiveMinimum": 0}, {"type": "integer", "minimum": 5}),
        (
            {"type": "integer", "maximum": 9, "exclusiveMaximum": 9},
            {"type": "integer", "maximum": 9, "exclusiveMaximum": True},
        ),
        ({"type": "string", "examples": ["a", "b"]}, {"type": "string"}),
    ],
)
def test_openapi_31_forms_read_as_their_30_equivalents(written: dict[str, Any], canonical: dict[str, Any]) -> None:
    assert Normalizer(_doc({}, "3.1.0"), "t").schema(written) == canonical


def test_ref_siblings_apply_in_31_and_are_ignored_in_30() -> None:
    node = {"$ref": "#/components/schemas/Name", "maxLength": 9, "description": "annotation"}
    schemas = {"Name": {"type": "string"}}
    assert Normalizer(_doc(schemas, "3.1.0"), "t").schema(node) == {"type": "string", "maxLength": 9}
    assert Normalizer(_doc(schemas, "3.0.3"), "t").schema(node) == {"type": "string"}


def test_a_discriminator_stays_with_the_alternatives_it_selects() -> None:
    schema = Normalizer(_doc({}), "t").schema(
        {"oneOf": [{"type": "object"}, {"type": "string"}], "discriminator": {"propertyName": "kind"}}
    )
    assert schema == {"oneOf": [{"type": "object"}, {"type": "string"}], "discriminator": {"propertyName": "kind"}}
