"""ASAPP: a static API id and secret pair, sent together as two headers."""

from __future__ import annotations

from typing import ClassVar

from conformance.auth.base import AuthProfile

__all__ = ["AsappProfile"]


class AsappProfile(AuthProfile):
    """`asapp-api-id` and `asapp-api-secret` headers, issued per app by ASAPP's developer portal."""

    spec: ClassVar[str] = "asapp-metadata-ingestion"
    expected_keys: ClassVar[tuple[str, ...]] = ("api_id", "api_secret")

    def scheme_value(self, scheme: str) -> str | None:
        """The id or the secret, by the header name the scheme declares."""
        header = str(self.contract.security_schemes.get(scheme, {}).get("name", "")).lower()
        if header == "asapp-api-id":
            return self.credentials.require("api_id")
        if header == "asapp-api-secret":
            return self.credentials.require("api_secret")
        return None
