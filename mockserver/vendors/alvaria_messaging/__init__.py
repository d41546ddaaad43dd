"""Alvaria Messaging (Chat/SMS) v2.0.1 with the token service and streaming session it depends on.

A client gets a client-credentials token (`auth`), opens a streaming session (`streaming`) whose id it sends as
`via-client-sessionid`, sends text, typing notifications and URLs on its agents' interactions (`messaging`), and
reads the resulting events from the session. Fixtures and stored records: `directory`; error envelopes:
`envelopes`.
"""

from __future__ import annotations

from typing import Any

from mockserver.pipeline.security import Checker
from mockserver.vendors.alvaria_messaging.auth import (
    API_KEY,
    BEARER,
    CLIENT,
    check_access_token,
    check_api_key,
    check_client,
    request_alvaria_access_token,
)
from mockserver.vendors.alvaria_messaging.directory import (
    FIXTURE_SCHEMA,
    SPEC,
    fixture_from_exchanges,
    seed,
    validate_fixture,
)
from mockserver.vendors.alvaria_messaging.envelopes import error_body, fault_reasons, refine
from mockserver.vendors.alvaria_messaging.messaging import send_notification, send_text, send_url
from mockserver.vendors.alvaria_messaging.streaming import (
    create_streaming_session,
    delete_streaming_session,
    get_streaming_events,
)

__all__ = [
    "FIXTURE_SCHEMA",
    "SECURITY",
    "SPEC",
    "create_streaming_session",
    "delete_streaming_session",
    "error_body",
    "fault_reasons",
    "fixture_from_exchanges",
    "get_streaming_events",
    "prepare_served",
    "refine",
    "request_alvaria_access_token",
    "seed",
    "send_notification",
    "send_text",
    "send_url",
    "validate_fixture",
]

SECURITY: dict[str, Checker] = {
    BEARER: check_access_token,
    API_KEY: check_api_key,
    CLIENT: check_client,
}


def prepare_served(document: dict[str, Any], demo: dict[str, Any]) -> None:
    """The served token URL names the demo organization as `realm`: Swagger UI's client-credentials flow sends no
    realm of its own, and the token service needs one (form field or query)."""
    org = demo.get("org_id")
    if not org:
        return
    for scheme in (document.get("components", {}).get("securitySchemes") or {}).values():
        flow = (scheme.get("flows") or {}).get("clientCredentials")
        if flow and "realm=" not in str(flow.get("tokenUrl", "")):
            flow["tokenUrl"] = f"{flow['tokenUrl']}?realm={org}"
