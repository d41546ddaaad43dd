"""How SysAid's integer path parameters reach Connexion, so malformed ids get the contract's 400, not a 404.

Connexion routes an `integer` path parameter with Starlette's `int` convertor, which only matches unsigned digits:
`/api/dataset/abc` or `/api/dataset/-1` then match no route and would be answered with an undeclared 404. The
document handed to Connexion (never the served contract) therefore declares those parameters as strings of digits,
so every such request is routed to its operation and a non-integer is refused with the operation's 400; handlers
decorated with `integer_path` receive the value as an `int` again.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

__all__ = ["INTEGER_PATTERN", "NATURAL_PATTERN", "integer_path", "prepare_contract"]

INTEGER_PATTERN = "^-?[0-9]+$"
NATURAL_PATTERN = "^[0-9]+$"
"""Digits only, for integer path parameters with `minimum: 0`."""

P = ParamSpec("P")
R = TypeVar("R")


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _as_digits(document: dict[str, Any], parameter: dict[str, Any]) -> dict[str, Any]:
    """An integer path parameter rewritten as a string of digits (other parameters unchanged)."""
    schema = _resolve(document, parameter.get("schema", {}))
    if parameter.get("in") != "path" or schema.get("type") != "integer":
        return parameter
    natural = isinstance(schema.get("minimum"), int) and schema["minimum"] >= 0
    pattern = NATURAL_PATTERN if natural else INTEGER_PATTERN
    return {**parameter, "schema": {"type": "string", "pattern": pattern}}


def prepare_contract(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the contract for Connexion in which integer path parameters are routed as digit strings."""
    prepared = copy.deepcopy(document)
    for name, parameter in prepared.get("components", {}).get("parameters", {}).items():
        prepared["components"]["parameters"][name] = _as_digits(prepared, parameter)
    for path_item in prepared.get("paths", {}).values():
        for owner in [path_item, *(op for op in path_item.values() if isinstance(op, dict))]:
            if isinstance(owner.get("parameters"), list):
                owner["parameters"] = [_as_digits(prepared, p) if "$ref" not in p else p for p in owner["parameters"]]
    return prepared


def integer_path(*names: str) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Hand the named path parameters (digit strings, see `prepare_contract`) to the handler as integers."""

    def decorate(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(handler)
        async def converted(*args: P.args, **kwargs: P.kwargs) -> R:
            for name in names:
                value = kwargs.get(name)
                if isinstance(value, str):
                    kwargs[name] = int(value)
            return await handler(*args, **kwargs)

        return converted

    return decorate
