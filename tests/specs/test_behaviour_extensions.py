"""The behaviour extensions the contracts carry (`x-paging`, `x-batch`, ...) are documented in CONVENTIONS.md, parse,
and name only parameters, properties and operations the contract declares."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.behaviour.extensions import (
    Batch,
    EventStream,
    LongOperation,
    Ordering,
    OwnerOnly,
    Paging,
    TokenLifetime,
    visibility_rules,
)
from conformance.contracts import parameter_schema
from conformance.safety import SAFE_METHODS
from conformance.vendors import profile_for
from contracts import Contract, Operation, contract_names, load_contract

SPECS = Path(__file__).resolve().parents[2] / "specs"
CONVENTIONS = (SPECS / "CONVENTIONS.md").read_text(encoding="utf-8")
NAMES = sorted(contract_names())


def _extensions(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if str(key).startswith("x-"):
                yield str(key)
            yield from _extensions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _extensions(item)


def _properties(contract: Contract, node: Any, depth: int = 0) -> set[str]:
    node = contract.resolve(node)
    if depth > 8 or not isinstance(node, Mapping):
        return set()
    names = set(node.get("properties") or {})
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in node.get(key, ()):
            names |= _properties(contract, branch, depth + 1)
    return names


def _answer_properties(contract: Contract, operation: Operation, status: str = "200") -> set[str]:
    response = operation.responses.get(status)
    content = response.content if response is not None else {}
    return {name for media in content.values() for name in _properties(contract, media.schema)}


def _statements(name: str) -> Iterator[tuple[Contract, Operation]]:
    contract = load_contract(name)
    for operation in contract:
        yield contract, operation


@pytest.mark.parametrize("name", NAMES)
def test_every_vendor_extension_is_documented_in_the_conventions(name: str):
    document = yaml.safe_load((SPECS / f"{name}.yaml").read_text(encoding="utf-8"))
    documented = set(re.findall(r"^\| `(x-[a-z-]+)", CONVENTIONS, flags=re.MULTILINE))
    assert set(_extensions(document)) <= documented


@pytest.mark.parametrize("name", NAMES)
def test_paging_and_ordering_name_declared_parameters_and_properties(name: str):
    for contract, operation in _statements(name):
        paging, ordering = Paging.of(operation), Ordering.of(operation)
        answer = _answer_properties(contract, operation)
        if paging is not None:
            for parameter in filter(None, (paging.limit, paging.offset)):
                assert parameter_schema(contract, operation, parameter.location, parameter.name), parameter
            assert {paging.items, *filter(None, [paging.total]), *paging.echo} <= answer, operation.label
        if ordering is not None:
            assert parameter_schema(contract, operation, ordering.order.location, ordering.order.name)
            assert ordering.items in answer


@pytest.mark.parametrize("name", NAMES)
def test_batches_long_operations_streams_and_tokens_name_what_exists(name: str):
    for contract, operation in _statements(name):
        if (batch := Batch.of(operation)) is not None:
            assert parameter_schema(contract, operation, "body", batch.items)
            assert batch.results in _answer_properties(contract, operation, str(batch.partial))
            assert batch.results in _answer_properties(contract, operation, str(batch.all_failed))
        if (long_operation := LongOperation.of(operation)) is not None:
            poll = contract.operation(long_operation.poll)
            assert poll is not None
            parameter = long_operation.parameter
            assert parameter_schema(contract, poll, parameter.location, parameter.name)
            assert long_operation.id in _answer_properties(contract, operation)
            assert long_operation.status in _answer_properties(contract, poll)
        if (stream := EventStream.of(operation)) is not None:
            assert "text/event-stream" in operation.responses["200"].content
            assert stream.final
        if (lifetime := TokenLifetime.of(operation)) is not None:
            assert lifetime.field in _answer_properties(contract, operation)
            assert lifetime.seconds > 0


@pytest.mark.parametrize("name", NAMES)
def test_identity_statements_name_roles_the_vendor_profile_knows(name: str):
    vendor = profile_for(name)
    profile = vendor.auth if vendor is not None else None
    for contract, operation in _statements(name):
        if OwnerOnly.of(operation) is not None:
            assert operation.method.upper() in SAFE_METHODS, "only reads are replayed as another identity"
            assert profile is not None and len(profile.identities) > 1
        for rule in visibility_rules(contract, operation):
            assert profile is not None and set(rule.roles) <= set(profile.identities), rule
            assert rule.statement


def test_every_behaviour_extension_is_used_somewhere():
    used = {key for name in NAMES for key in _extensions(yaml.safe_load((SPECS / f"{name}.yaml").read_text()))}
    assert {
        "x-paging",
        "x-ordering",
        "x-batch",
        "x-long-operation",
        "x-event-stream",
        "x-owner-only",
        "x-visible-to",
        "x-token-lifetime",
    } <= used
