"""What the harness adds to the one contract model (`contracts`): choosing contracts by name, and the facts about a
contract the campaign needs that the model does not state itself.

`--spec` takes registered names or `all`; a wrong name fails with the valid choices and a "did you mean".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import contracts
from conformance.errors import ConfigurationError, UnknownSpecError
from contracts import Contract, Operation

__all__ = ["contract_file", "credential_names", "load_contract", "parameter_schema", "resolve_spec_names"]


def resolve_spec_names(requested: tuple[str, ...]) -> tuple[str, ...]:
    """Expand `all` and validate names, failing with the valid choices and a suggestion."""
    known = contracts.contract_names()
    if not known:
        raise ConfigurationError("No contracts are registered (contracts/registry.py)")
    names: list[str] = []
    for name in requested:
        for item in known if name == "all" else (name,):
            if item not in known:
                raise UnknownSpecError(item, [*known, "all"])
            if item not in names:
                names.append(item)
    if not names:
        raise ConfigurationError(f"--spec is required. Valid choices: {', '.join([*known, 'all'])}")
    return tuple(names)


def load_contract(name: str) -> Contract:
    """A registered contract by name (a wrong name is a usage error naming the valid ones)."""
    return contracts.load_contract(resolve_spec_names((name,))[0])


def contract_file(contract: Contract) -> Path:
    """The file a contract was read from (Schemathesis loads its own copy from it)."""
    if contract.path is None:
        raise ConfigurationError(f"{contract.name}: the contract was not read from a file")
    return contract.path


def parameter_schema(contract: Contract, operation: Operation, location: str, name: str) -> Mapping[str, Any] | None:
    """The resolved schema of a parameter, or of a top-level request body property for location `body`."""
    if location == "body":
        for media in operation.request_body.content.values() if operation.request_body is not None else ():
            properties = contract.resolve(media.schema or {}).get("properties") or {}
            if name in properties:
                return dict(contract.resolve(properties[name]))
        return None
    parameter = operation.parameter(location, name)
    return dict(parameter.schema) if parameter is not None and parameter.schema is not None else None


def _credential_properties(contract: Contract, node: Any, depth: int = 0) -> Iterator[str]:
    node = contract.resolve(node)
    if depth > 12 or not isinstance(node, Mapping):
        return
    for name, child in (node.get("properties") or {}).items():
        if isinstance(contract.resolve(child), Mapping) and contract.resolve(child).get("x-credential") is True:
            yield str(name)
        yield from _credential_properties(contract, child, depth + 1)
    for key in ("items", "additionalProperties"):
        yield from _credential_properties(contract, node.get(key), depth + 1)
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in node.get(key, ()):
            yield from _credential_properties(contract, branch, depth + 1)


def credential_names(contract: Contract) -> frozenset[str]:
    """Every name a credential travels under: security scheme parameters, and the parameters and body or answer
    fields marked `x-credential: true` (lower-cased, as Schemathesis compares them when it masks output)."""
    names = {scheme.parameter for scheme in contract.security_schemes.values() if scheme.type == "apiKey"}
    for operation in contract:
        names |= {p.name for p in operation.parameters if p.definition.get("x-credential") is True}
        bodies = [*(operation.request_body.content.values() if operation.request_body else ())]
        bodies += [media for response in operation.responses.values() for media in response.content.values()]
        for media in bodies:
            names |= set(_credential_properties(contract, media.schema))
    return frozenset(name.lower() for name in names)
