"""One module per vendor API, each holding that vendor's whole behaviour.

A vendor module provides:

- ``SPEC``: the contract name it serves (``specs/<SPEC>.yaml``);
- ``SECURITY``: security-scheme name -> checker, called by Connexion as that scheme type requires
  (apiKey: ``(value, request=...)``, http bearer / oauth2: ``(token)``, http basic: ``(username, password)``);
  a checker returns a dict describing the caller, or None to refuse with the contract's 401;
- ``FIXTURE_SCHEMA``: JSON Schema of its fixture file ``<fixtures>/<SPEC>.yaml``;
- ``seed(store, fixture)``: load that fixture into the store;
- ``error_body(status, message, media_type, operation)``: the vendor's error envelope for a framework error;
- one handler per operationId, named in snake_case (``sendText`` -> ``send_text``);
- optionally ``validate_fixture(data)``: checks beyond the JSON Schema (raise ``FixtureError``), run before any
  state is replaced;
- optionally ``prepare_contract(document)``, to adapt the document handed to Connexion (never the served one's
  meaning: see ASAPP's per-item validation).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MODULES", "vendor_module"]

MODULES: dict[str, str] = {
    "aisera-ingestion": "mockserver.vendors.aisera_ingestion",
    "aisera-conversation": "mockserver.vendors.aisera_conversation",
    "sysaid-copilot": "mockserver.vendors.sysaid_copilot",
    "asapp-metadata-ingestion": "mockserver.vendors.asapp_metadata_ingestion",
    "alvaria-messaging": "mockserver.vendors.alvaria_messaging",
}


def vendor_module(spec: str) -> ModuleType:
    """The module holding the behaviour of one contract."""
    return importlib.import_module(MODULES[spec])
