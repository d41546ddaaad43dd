"""Contract-first mock server: every vendor contract in `specs/`, served with stateful vendor behaviour.

Public surface: `create_app` (an ASGI app), `Settings`, and the contract helpers the conformance harness uses.
"""

import warnings

# Connexion imports starlette.testclient at import time, which makes Starlette 1.x warn on every start about a test
# helper the mock never uses; silence exactly that message so users do not see it.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")

from mockserver.app import create_app  # noqa: E402
from mockserver.contracts import (  # noqa: E402
    FIXTURES_DIR,
    SPEC_NAMES,
    SPECS_DIR,
    Contract,
    Operation,
    load_contract,
)
from mockserver.errors import ConfigurationError, FixtureError, MockServerError  # noqa: E402
from mockserver.settings import Settings  # noqa: E402

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
