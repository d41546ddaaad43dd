"""Contract-first mock server: every vendor contract in `specs/`, served with stateful vendor behaviour.

Public surface: `create_app` (an ASGI app), `Settings`, and the contract helpers the conformance harness uses.
"""

from mockserver.app import create_app
from mockserver.contracts import FIXTURES_DIR, SPEC_NAMES, SPECS_DIR, Contract, Operation, load_contract
from mockserver.errors import ConfigurationError, FixtureError, MockServerError
from mockserver.settings import Settings

__all__ = [
    "FIXTURES_DIR",
    "SPECS_DIR",
    "SPEC_NAMES",
    "ConfigurationError",
    "Contract",
    "FixtureError",
    "MockServerError",
    "Operation",
    "Settings",
    "create_app",
    "load_contract",
]
