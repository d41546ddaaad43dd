"""Alvaria Messaging (Chat/SMS) v2.0.1 with the token service and streaming session it depends on.

A client gets a client-credentials token (`auth`), opens a streaming session (`streaming`) whose id it sends as
`via-client-sessionid`, sends text, typing notifications and URLs on its agents' interactions (`messaging`), and
reads the resulting events from the session. Fixtures and stored records: `directory`; error envelopes:
`envelopes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.vendors.alvaria_messaging.auth import (
    check_access_token,
    check_api_key,
    check_client,
    request_alvaria_access_token,
)
from mockserver.vendors.alvaria_messaging.directory import FIXTURE_SCHEMA, SPEC, seed
from mockserver.vendors.alvaria_messaging.envelopes import error_body
from mockserver.vendors.alvaria_messaging.messaging import send_notification, send_text, send_url
from mockserver.vendors.alvaria_messaging.streaming import (
    create_streaming_session,
    delete_streaming_session,
    get_streaming_events,
    prepare_contract,
)

__all__ = [
    "FIXTURE_SCHEMA",
    "SECURITY",
    "SPEC",
    "create_streaming_session",
    "delete_streaming_session",
    "error_body",
    "get_streaming_events",
    "prepare_contract",
    "request_alvaria_access_token",
    "seed",
    "send_notification",
    "send_text",
    "send_url",
]

SECURITY: dict[str, Callable[..., Any]] = {
    "oauth2ClientCredentials": check_access_token,
    "xApiKey": check_api_key,
    "clientBasicAuth": check_client,
}
