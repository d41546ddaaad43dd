"""Curl lines for the harness' own requests (workflows, token and session calls), filtered like Schemathesis' own.

Credential headers (the names the contract's credentials travel under, and Schemathesis' defaults) are replaced by
`[Filtered]` by name, as in Schemathesis' code samples; the caller then masks every known secret by value
(`Redactor`), which also covers secrets in bodies such as a password grant's form.
"""

from __future__ import annotations

import shlex

import requests

from conformance.engine_config import SENSITIVE_MARKERS, sensitive_keys
from contracts import Contract

__all__ = ["curl_line"]


def _shown(key: str, value: str | bytes, sensitive: frozenset[str]) -> str:
    lowered = key.lower()
    if lowered in sensitive or any(marker in lowered for marker in SENSITIVE_MARKERS):
        return "[Filtered]"
    return value.decode() if isinstance(value, bytes) else value


def curl_line(request: requests.PreparedRequest, contract: Contract) -> str:
    """One shell-quoted curl command reproducing `request` to `contract`'s API, credential headers filtered."""
    sensitive = sensitive_keys(contract)
    parts = ["curl", "-X", str(request.method)]
    for key, value in request.headers.items():
        parts += ["-H", f"{key}: {_shown(key, value, sensitive)}"]
    if request.body:
        parts += ["-d", request.body.decode(errors="replace") if isinstance(request.body, bytes) else str(request.body)]
    return " ".join(shlex.quote(part) for part in [*parts, str(request.url)])
