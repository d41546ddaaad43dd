"""Connexion's check of each contract against the OpenAPI 3.0 schema, done by jsonschema-rs.

`AsyncApp.add_api` validates every document it is given with the pure-Python `jsonschema` (Draft 4, plus an
extension checking each schema's `default` against the schema): about 450 ms for the six documents, most of the
mock's start-up once imports are done. The same schema compiled once by jsonschema-rs takes about 3 ms for all six,
so `fast_specification_checks()` puts that in place of Connexion's check for the duration of the `add_api` calls and
restores it afterwards. The strictness is the same: a document the OpenAPI schema rejects, or whose `default`
does not validate against its own schema, raises Connexion's `InvalidSpecification`, as before.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
from connexion.exceptions import InvalidSpecification
from connexion.spec import OpenAPISpecification

__all__ = ["check_document", "fast_specification_checks"]

_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_VALUES = ("items", "not", "additionalProperties")


@functools.cache
def _openapi_validator() -> Any:
    return jsonschema_rs.Draft4Validator(OpenAPISpecification.openapi_schema)


def check_document(document: dict[str, Any]) -> None:
    """Raise `InvalidSpecification` when `document` is not a valid OpenAPI 3.0 document (Connexion's rules)."""
    error = next(iter(_openapi_validator().iter_errors(document)), None)
    if error is not None:
        where = "/".join(str(part) for part in error.instance_path) or "(document)"
        raise InvalidSpecification(f"{where}: {error.message}")
    for where, schema in _schemas(document):
        if "default" not in schema:
            continue
        # The document's components ride along at the root (an unknown keyword to Draft 4) so `$ref`s resolve.
        bare = {key: value for key, value in schema.items() if key != "default"}
        bare["components"] = document.get("components") or {}
        default_error = next(iter(jsonschema_rs.Draft4Validator(bare).iter_errors(schema["default"])), None)
        if default_error is not None:
            raise InvalidSpecification(
                f"{where}: the default {schema['default']!r} is invalid: {default_error.message}"
            )


def _schemas(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object in the document, with a readable location."""

    def within(schema: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if not isinstance(schema, dict) or "$ref" in schema:
            return
        yield where, schema
        for key in _SCHEMA_VALUES:
            yield from within(schema.get(key), f"{where}/{key}")
        for key in _SCHEMA_LISTS:
            for index, item in enumerate(schema.get(key) or []):
                yield from within(item, f"{where}/{key}/{index}")
        for name, item in (schema.get("properties") or {}).items():
            yield from within(item, f"{where}/properties/{name}")

    def in_content(content: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for media, entry in (content or {}).items():
            if isinstance(entry, dict):
                yield from within(entry.get("schema"), f"{where}/content/{media}/schema")

    def in_parameters(parameters: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for index, parameter in enumerate(parameters or []):
            if isinstance(parameter, dict):
                yield from within(parameter.get("schema"), f"{where}/parameters/{index}/schema")

    def in_responses(responses: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for status, response in (responses or {}).items():
            if not isinstance(response, dict):
                continue
            yield from in_content(response.get("content"), f"{where}/responses/{status}")
            for name, header in (response.get("headers") or {}).items():
                if isinstance(header, dict):
                    yield from within(header.get("schema"), f"{where}/responses/{status}/headers/{name}")

    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        yield from in_parameters(item.get("parameters"), f"paths/{path}")
        for method, operation in item.items():
            if not isinstance(operation, dict) or method == "parameters":
                continue
            where = f"paths/{path}/{method}"
            yield from in_parameters(operation.get("parameters"), where)
            body = operation.get("requestBody")
            if isinstance(body, dict):
                yield from in_content(body.get("content"), f"{where}/requestBody")
            yield from in_responses(operation.get("responses"), where)
    components = document.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        yield from within(schema, f"components/schemas/{name}")
    for name, parameter in (components.get("parameters") or {}).items():
        if isinstance(parameter, dict):
            yield from within(parameter.get("schema"), f"components/parameters/{name}/schema")
    yield from in_responses(components.get("responses"), "components")
    for name, body in (components.get("requestBodies") or {}).items():
        if isinstance(body, dict):
            yield from in_content(body.get("content"), f"components/requestBodies/{name}")


def _validate_spec(cls: type[OpenAPISpecification], spec: dict[str, Any]) -> None:
    check_document(spec)


@contextlib.contextmanager
def fast_specification_checks() -> Iterator[None]:
    """Within the block, Connexion checks OpenAPI 3 documents with `check_document` instead of its own validator."""
    own = "_validate_spec" in OpenAPISpecification.__dict__  # Connexion defines it on the base class
    original = OpenAPISpecification.__dict__.get("_validate_spec")
    setattr(OpenAPISpecification, "_validate_spec", classmethod(_validate_spec))  # noqa: B010
    try:
        yield
    finally:
        if own:
            setattr(OpenAPISpecification, "_validate_spec", original)  # noqa: B010
        else:
            delattr(OpenAPISpecification, "_validate_spec")
