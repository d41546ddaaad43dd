"""The contracts layer: where the vendor contracts are, how they are read, and the one model of what they declare.

It sits below everything: `mockserver`, `conformance` and `conformance.diff` import it; it imports neither.
"""

from __future__ import annotations

from contracts.documents import parse_document, parse_text, read_document
from contracts.errors import ContractError, ContractNotFound, ContractUnreadable, UnresolvableReference, did_you_mean
from contracts.model import (
    HTTP_METHODS,
    Contract,
    Header,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Response,
    SecurityScheme,
)
from contracts.paths import PathTemplate
from contracts.references import inline, resolve, target
from contracts.registry import (
    FIXTURES_DIR,
    REGISTRY,
    SPECS_DIR,
    Registration,
    contract_names,
    load_contract,
    load_contract_file,
    registration,
)

__all__ = [
    "FIXTURES_DIR",
    "HTTP_METHODS",
    "REGISTRY",
    "SPECS_DIR",
    "Contract",
    "ContractError",
    "ContractNotFound",
    "ContractUnreadable",
    "Header",
    "MediaType",
    "Operation",
    "Parameter",
    "PathTemplate",
    "Registration",
    "RequestBody",
    "Response",
    "SecurityScheme",
    "UnresolvableReference",
    "contract_names",
    "did_you_mean",
    "inline",
    "load_contract",
    "load_contract_file",
    "parse_document",
    "parse_text",
    "read_document",
    "registration",
    "resolve",
    "target",
]
