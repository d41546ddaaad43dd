"""Aisera: the ingestion password grant (with refresh) and the Conversation API's channel token."""

from __future__ import annotations

import time
from typing import ClassVar
from urllib.parse import urlparse

from conformance.auth.base import AuthProfile
from conformance.contracts import OperationInfo

__all__ = ["AiseraConversationProfile", "AiseraIngestionProfile"]

# Refresh a little before the server's deadline, so a token never expires in flight.
EXPIRY_MARGIN_SECONDS = 60


class AiseraIngestionProfile(AuthProfile):
    """Service account: `POST <tokenUrl>` password grant, then bearer token plus App Token on every call."""

    spec: ClassVar[str] = "aisera-ingestion"
    expected_keys: ClassVar[tuple[str, ...]] = ("app_token", "username", "password")

    _token: str | None = None
    _expires_at: float = 0.0
    lifetime: int | None = None
    """`expires_in` of the last token issued, when the answer carried one."""

    def scheme_value(self, scheme: str) -> str | None:
        """App Token for the `x-app-token` schemes, the access token for bearer and `access_token`."""
        definition = self.contract.security_schemes.get(scheme, {})
        if definition.get("type") == "oauth2" or definition.get("name") == "access_token":
            return self.token()
        if definition.get("name") == "x-app-token":
            return self.credentials.require("app_token")
        return None

    def binding(self, operation: OperationInfo, location: str, name: str) -> str | None:
        """The token request carries the service account itself."""
        if location == "body" and operation.path == self.token_path():
            keys = {"client_id": "app_token", "username": "username", "password": "password"}
            return self.credentials.get(keys[name]) if name in keys else None
        return None

    def body_slots(self, operation: OperationInfo) -> tuple[str, ...]:
        """The token request's credentials, so auth enforcement also probes wrong service accounts."""
        return ("client_id", "username", "password") if operation.path == self.token_path() else ()

    def token_path(self) -> str:
        """Path of the token endpoint, from the oauth2 scheme's `tokenUrl`."""
        for definition in self.contract.security_schemes.values():
            flow = definition.get("flows", {}).get("password")
            if flow:
                return urlparse(str(flow["tokenUrl"])).path
        return "/tenant-users/oauth2/token"

    def token(self) -> str:
        """A valid access token, obtained again when the cached one is about to expire."""
        with self.lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                form = {
                    "grant_type": "password",
                    "client_id": self.credentials.require("app_token"),
                    "username": self.credentials.require("username"),
                    "password": self.credentials.require("password"),
                }
                path = self.token_path()
                issuer = self.issuer(self.operation_at("post", path), "token", ("app_token", "username", "password"))
                body = self.issue(issuer, lambda: self.client.request("POST", path, data=form), "access_token")
                self._token = str(body["access_token"])
                lifetime = body.get("expires_in")
                self.lifetime = lifetime if isinstance(lifetime, int) else None
                self._expires_at = time.monotonic() + max((self.lifetime or 3600) - EXPIRY_MARGIN_SECONDS, 1)
                self.redactor.add(self._token)
            return self._token

    def invalidate(self) -> None:
        """Drop the cached access token (after a 401)."""
        with self.lock:
            self._token = None


class AiseraConversationProfile(AuthProfile):
    """The channel token travels in the JSON body (`token`); the contract declares no security scheme."""

    spec: ClassVar[str] = "aisera-conversation"
    expected_keys: ClassVar[tuple[str, ...]] = ("token", "user_id")

    def scheme_value(self, scheme: str) -> str | None:
        """No security scheme is declared for this API."""
        return None

    def binding(self, operation: OperationInfo, location: str, name: str) -> str | None:
        """The channel token in every request body."""
        if location == "body" and name == "token":
            return self.credentials.require("token")
        return None

    def body_slots(self, operation: OperationInfo) -> tuple[str, ...]:
        """`token` is this API's credential."""
        return ("token",)
