"""Errors raised while locating, reading or modelling a contract.

Exception tree::

    ContractError(Exception)
    ├── ContractNotFound(ContractError, LookupError)      a contract name no registration has
    ├── ContractUnreadable(ContractError, ValueError)     a file that is not YAML/JSON or not an OpenAPI document
    └── UnresolvableReference(ContractError, LookupError)  a `$ref` that points nowhere in its document
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["ContractError", "ContractNotFound", "ContractUnreadable", "UnresolvableReference", "did_you_mean"]


class ContractError(Exception):
    """Root of every error of the contracts layer."""


class ContractNotFound(ContractError, LookupError):
    """A contract name that no registration has; the message lists the known ones."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(f"unknown contract {name!r}.{did_you_mean(name, self.known)} Known: {', '.join(self.known)}")


class ContractUnreadable(ContractError, ValueError):
    """A file that cannot be parsed, or whose content is not an OpenAPI document."""


class UnresolvableReference(ContractError, LookupError):
    """A local `$ref` whose JSON Pointer does not lead to a node of the document."""

    def __init__(self, ref: str, source: str = "") -> None:
        self.ref = ref
        where = f" in {source}" if source else ""
        super().__init__(f"$ref {ref!r}{where} points to nothing")


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A ' Did you mean ...?' hint for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
    return f" Did you mean {matches[0]!r}?" if matches else ""
