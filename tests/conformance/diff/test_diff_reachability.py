"""Every catalogued rule is produced by some change: the catalogue has no dead ids.

The corpus asserts exact findings for chosen pairs; this sweep applies every keyword change at every site a schema
can sit (parameter, object-parameter property, request and response body and property, response header, read-only
request and write-only response property) and collects what comes out. Together they must reach every rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from conformance.diff import RULES, Policy, diff_documents

CORPUS = Path(__file__).resolve().parents[3] / "fixtures" / "diff"
POLICY = Policy(date(2026, 1, 15), deprecation_days_beta=31, deprecation_days_stable=180)
POLICIES = (POLICY, Policy(date(2026, 1, 15)))
Schema = dict[str, Any]


def _document(operation: dict[str, Any]) -> dict[str, Any]:
    operation.setdefault("responses", {"200": {"description": "ok"}})
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"post": operation}}}


def _content(schema: Schema) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _object(schema: Schema, **flags: Any) -> Schema:
    return {"type": "object", "properties": {"p": {**schema, **flags}}}


SITES: dict[str, Callable[[Schema], dict[str, Any]]] = {
    "parameter": lambda s: _document({"parameters": [{"name": "q", "in": "query", "schema": s}]}),
    "parameter property": lambda s: _document({"parameters": [{"name": "q", "in": "query", "schema": _object(s)}]}),
    "request body": lambda s: _document({"requestBody": {"content": _content(s)}}),
    "request property": lambda s: _document({"requestBody": {"content": _content(_object(s))}}),
    "read-only request property": lambda s: _document(
        {"requestBody": {"content": _content(_object(s, readOnly=True))}}
    ),
    "response body": lambda s: _document({"responses": {"200": {"description": "ok", "content": _content(s)}}}),
    "response property": lambda s: _document(
        {"responses": {"200": {"description": "ok", "content": _content(_object(s))}}}
    ),
    "write-only response property": lambda s: _document(
        {"responses": {"200": {"description": "ok", "content": _content(_object(s, writeOnly=True))}}}
    ),
    "response header": lambda s: _document(
        {"responses": {"200": {"description": "ok", "headers": {"X-H": {"schema": s}}}}}
    ),
}

STRING, INTEGER, NUMBER = {"type": "string"}, {"type": "integer"}, {"type": "number"}
KEYWORD_CHANGES: list[tuple[Schema, Schema]] = [
    (STRING, INTEGER),
    (INTEGER, NUMBER),
    (NUMBER, INTEGER),
    ({"type": ["string", "integer"]}, STRING),
    (STRING, {"type": ["string", "integer"]}),
    (STRING, {**STRING, "nullable": True}),
    ({**STRING, "nullable": True}, STRING),
    (STRING, {**STRING, "enum": ["a"]}),
    ({**STRING, "enum": ["a", "b"]}, {**STRING, "enum": ["a"]}),
    ({**STRING, "enum": ["a"]}, {**STRING, "enum": ["a", "b"]}),
    ({**STRING, "x-extensible-enum": ["a", "b"]}, {**STRING, "x-extensible-enum": ["a"]}),
    *[(STRING, {**STRING, key: "a"}) for key in ("const", "default")],
    *[({**STRING, key: "a"}, {**STRING, key: "b"}) for key in ("const", "default")],
    *[({**STRING, key: "a"}, STRING) for key in ("const", "default")],
    *[
        pair
        for key in ("maxLength", "minLength", "maximum", "minimum", "maxItems", "minItems")
        for pair in (({}, {key: 5}), ({key: 5}, {}), ({key: 5}, {key: 3}), ({key: 3}, {key: 5}))
    ],
    (STRING, {**STRING, "pattern": "^a$"}),
    ({**STRING, "pattern": "^a$"}, STRING),
    ({**STRING, "pattern": "^a$"}, {**STRING, "pattern": "^b$"}),
    *[
        pair
        for kind in ("oneOf", "anyOf")
        for pair in (
            ({kind: [STRING, INTEGER]}, {kind: [STRING]}),
            ({kind: [STRING]}, {kind: [STRING, {"type": "boolean"}]}),
        )
    ],
]


def _body(properties: Schema, required: list[str], direction: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    if direction == "request":
        return _document({"requestBody": {"content": _content(schema)}})
    return _document({"responses": {"200": {"description": "ok", "content": _content(schema)}}})


def _property_changes() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Properties added, removed, (un)required, flipped read-only/write-only, deprecated, in both directions."""
    pairs = []
    lifecycle: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({}, {"deprecated": True}),
        ({}, {"deprecated": True, "x-sunset": "2026-12-31"}),
        ({}, {"deprecated": True, "x-sunset": "2026-02-01"}),
        ({}, {"deprecated": True, "x-sunset": "soon"}),
        ({"deprecated": True}, {}),
        ({"x-stability-level": "beta"}, {"x-stability-level": "stable"}),
        ({"x-stability-level": "stable"}, {"x-stability-level": "beta"}),
    ]
    for direction in ("request", "response"):
        for required in ([], ["p"]):
            for flags in ({}, {"readOnly": True}, {"writeOnly": True}):
                prop = {**STRING, **flags}
                pairs.append((_body({}, [], direction), _body({"p": prop}, required, direction)))
                pairs.append((_body({"p": prop}, required, direction), _body({}, [], direction)))
                pairs.append((_body({"p": prop}, [], direction), _body({"p": prop}, ["p"], direction)))
                pairs.append((_body({"p": prop}, ["p"], direction), _body({"p": prop}, [], direction)))
                for flag in ("readOnly", "writeOnly"):
                    flipped = {**prop, flag: not prop.get(flag, False)}
                    pairs.append((_body({"p": prop}, required, direction), _body({"p": flipped}, required, direction)))
            with_default = {**STRING, "default": "a"}
            pairs.append((_body({}, [], direction), _body({"p": with_default}, ["p"], direction)))
            pairs.append((_body({"p": with_default}, [], direction), _body({"p": with_default}, ["p"], direction)))
        for before, after in lifecycle:
            pairs.append(
                (_body({"p": {**STRING, **before}}, [], direction), _body({"p": {**STRING, **after}}, [], direction))
            )
    return pairs


def _operation_changes() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Bodies, statuses, media types, headers, parameters and security of one operation, changed one at a time."""
    body = {"content": _content(STRING)}
    ok = {"description": "ok"}
    header = {"description": "ok", "headers": {"X-H": {"schema": STRING}}}
    required_header = {"description": "ok", "headers": {"X-H": {"required": True, "schema": STRING}}}
    scopes = {"components": {"securitySchemes": {"o": {"type": "oauth2", "flows": {}}}}}
    parameter = {"name": "q", "in": "query", "schema": STRING}
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({}, {"requestBody": {**body, "required": True}}),
        ({}, {"requestBody": body}),
        ({"requestBody": body}, {}),
        ({"requestBody": {**body, "required": True}}, {"requestBody": body}),
        ({"responses": {"200": ok}}, {"responses": {"200": ok, "404": ok}}),
        ({"responses": {"200": ok}}, {"responses": {"200": {"description": "ok", "content": _content(STRING)}}}),
        ({"responses": {"200": header}}, {"responses": {"200": ok}}),
        ({"responses": {"200": required_header}}, {"responses": {"200": header}}),
        ({"parameters": [parameter]}, {}),
        ({"security": [{"o": ["a", "b"]}], **scopes}, {"security": [{"o": ["a"]}], **scopes}),
    ]
    for before, after in (
        ({}, {"deprecated": True}),
        ({}, {"deprecated": True, "x-sunset": "2026-02-01"}),
        ({}, {"deprecated": True, "x-sunset": "soon"}),
    ):
        pairs.append(({"parameters": [{**parameter, **before}]}, {"parameters": [{**parameter, **after}]}))
    return [(_document(dict(old)), _document(dict(new))) for old, new in pairs]


def _with_components(document: dict[str, Any]) -> dict[str, Any]:
    """Move a `components` key an operation dict carried up to the document."""
    operation = document["paths"]["/x"]["post"]
    if "components" in operation:
        document["components"] = operation.pop("components")
    return document


def _emitted() -> set[str]:
    found: set[str] = set()
    for build in SITES.values():
        for before, after in KEYWORD_CHANGES:
            found |= {finding.rule_id for finding in diff_documents(build(before), build(after), policy=POLICY)}
    for old, new in [*_property_changes(), *_operation_changes()]:
        old, new = _with_components(old), _with_components(new)
        for policy in POLICIES:
            found |= {finding.rule_id for finding in diff_documents(old, new, policy=policy)}
    deprecated_path = _document({"deprecated": True})
    found |= {finding.rule_id for finding in diff_documents(deprecated_path, {"openapi": "3.1.0", "paths": {}})}
    return found


def _corpus_ids() -> set[str]:
    ids: set[str] = set()
    for case in CORPUS.iterdir():
        if case.is_dir():
            data = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
            ids |= {item["id"] for item in data["findings"]}
    return ids


def test_every_catalogued_rule_is_produced_by_some_change() -> None:
    assert set(RULES) - (_emitted() | _corpus_ids()) == set()


def test_the_sweep_emits_only_catalogued_rules_at_their_levels() -> None:
    for build in SITES.values():
        for before, after in KEYWORD_CHANGES:
            for finding in diff_documents(build(before), build(after), policy=POLICY):
                assert finding.level is RULES[finding.rule_id].level
