"""Alvaria: client-credentials token (HTTP Basic client auth) and the streaming session behind
`via-client-sessionid`, obtained the way Alvaria's agent clients do before any messaging call."""

from __future__ import annotations

import time
from typing import ClassVar
from urllib.parse import urlparse

import requests

from conformance.auth.base import AuthProfile
from conformance.contracts import OperationInfo
from conformance.errors import AuthenticationError

__all__ = ["AlvariaProfile"]

EXPIRY_MARGIN_SECONDS = 60
SESSION_HEADER = "via-client-sessionid"
# Operation (from the contract) that creates a streaming session, and its path parameter for the org.
CREATE_SESSION_OPERATION = "createStreamingSession"
SESSION_REFUSALS = frozenset({400, 401, 403, 404})


class AlvariaProfile(AuthProfile):
    """Bearer token + `x-api-key` on every call; a live streaming session id where the header is declared."""

    spec: ClassVar[str] = "alvaria-messaging"
    expected_keys: ClassVar[tuple[str, ...]] = (
        "org_id",
        "client_id",
        "client_secret",
        "api_key",
        "scope",
        "user_id",
    )

    _token: str | None = None
    _expires_at: float = 0.0
    _session: str | None = None
    lifetime: int | None = None
    """`expires_in` of the last token issued, when the answer carried one."""

    def scheme_value(self, scheme: str) -> str | None:
        """Basic client credentials, the bearer token or the API key, by scheme type."""
        definition = self.contract.security_schemes.get(scheme, {})
        if definition.get("type") == "http" and str(definition.get("scheme", "")).lower() == "basic":
            client_id, secret = self.credentials.require("client_id"), self.credentials.require("client_secret")
            self.redactor.add_basic(client_id, secret)
            return f"{client_id}:{secret}"
        if definition.get("type") == "oauth2":
            return self.token()
        if definition.get("type") == "apiKey":
            return self.credentials.require("api_key")
        return None

    def binding(self, operation: OperationInfo, location: str, name: str) -> str | None:
        """Our org, user and streaming session; a DELETE of the session gets a disposable one of its own."""
        if (location, name) in (("path", "orgId"), ("query", "realm")):
            return self.credentials.require("org_id")
        if location == "path" and name == "userId":
            return self.credentials.require("user_id")
        if location == "header" and name == SESSION_HEADER:
            return self.create_session() if operation.method == "delete" else self.session()
        if location == "body" and name in ("scope", "realm"):
            return self.credentials.require(name if name == "scope" else "org_id")
        return None

    def token_path(self) -> str:
        """Path of the token service, from the oauth2 scheme's `tokenUrl`."""
        for definition in self.contract.security_schemes.values():
            flow = definition.get("flows", {}).get("clientCredentials")
            if flow:
                return urlparse(str(flow["tokenUrl"])).path
        return "/tokenservice/oauth2/access_token"

    def token(self) -> str:
        """A valid access token for the configured scopes (client credentials grant)."""
        with self.lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                org = self.credentials.require("org_id")
                client_id, secret = self.credentials.require("client_id"), self.credentials.require("client_secret")
                form = {"grant_type": "client_credentials", "scope": self.credentials.require("scope")}
                path = self.token_path()
                issuer = self.issuer(
                    self.operation_at("post", path), "token", ("client_id", "client_secret", "scope", "org_id")
                )

                def send() -> requests.Response:
                    return self.client.request("POST", path, params={"realm": org}, data=form, auth=(client_id, secret))

                body = self.issue(issuer, send, "access_token")
                self._token = str(body["access_token"])
                lifetime = body.get("expires_in")
                self.lifetime = lifetime if isinstance(lifetime, int) else None
                self._expires_at = time.monotonic() + max((self.lifetime or 3599) - EXPIRY_MARGIN_SECONDS, 1)
                self.redactor.add(self._token)
            return self._token

    def session(self) -> str:
        """The profile's long-lived streaming session id."""
        with self.lock:
            if self._session is None:
                self._session = self.create_session()
            return self._session

    def create_session(self) -> str:
        """Create a streaming session (`createStreamingSession`) and return its id."""
        operation = self.contract.operation(CREATE_SESSION_OPERATION)
        if operation is None:
            raise AuthenticationError(f"{self.spec}: the contract declares no {CREATE_SESSION_OPERATION} operation")
        path = operation.path.replace("{orgId}", self.credentials.require("org_id"))
        headers = {"Authorization": f"Bearer {self.token()}", "x-api-key": self.credentials.require("api_key")}
        # An unknown organization (404) is as much a configuration error as a refused key.
        issuer = self.issuer(
            operation, "session", ("api_key", "org_id", "client_id", "client_secret"), SESSION_REFUSALS
        )
        body = self.issue(issuer, lambda: self.client.request("POST", path, json={}, headers=headers), "sessionId")
        session = str(body["sessionId"])
        self.redactor.add(session)
        return session

    def issuing_labels(self) -> set[str]:
        """The token service and the streaming session the profile creates itself."""
        operation = self.contract.operation(CREATE_SESSION_OPERATION)
        return super().issuing_labels() | ({operation.label} if operation is not None else set())

    def invalidate(self) -> None:
        """Drop the token and the session: a 401 may mean either is gone."""
        with self.lock:
            self._token = None
            self._session = None
