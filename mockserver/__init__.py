"""Contract-first mock server: every vendor contract in `specs/`, served with stateful vendor behaviour.

Public surface: `create_app` (an ASGI app), `Settings` and `load_settings`, and the exception root.
"""

import warnings

# Connexion imports starlette.testclient at import time, which makes Starlette 1.x warn on every start about a test
# helper the mock never uses; silence exactly that message so users do not see it.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")

from mockserver.app import create_app  # noqa: E402
from mockserver.client import AdminClient, AdminError, VerificationFailed  # noqa: E402
from mockserver.errors import FixtureError, MockServerError, SettingsError  # noqa: E402
from mockserver.settings import Settings, load_settings  # noqa: E402

__all__ = [
    "AdminClient",
    "AdminError",
    "FixtureError",
    "MockServerError",
    "Settings",
    "SettingsError",
    "VerificationFailed",
    "create_app",
    "load_settings",
]
