"""Alvaria Public Cloud Messaging: a client-credentials token (HTTP Basic client auth, `realm`) and the streaming
session behind `via-client-sessionid`, obtained the way Alvaria's agent clients do before any messaging call."""

from __future__ import annotations

from typing import Any

import requests

from conformance.auth.base import TokenProfile
from conformance.checks import EnvelopeRule, code_equals_status
from conformance.errors import AuthenticationError
from conformance.vendors import LiveRate, VendorProfile
from conformance.workflows.tokens import token_expiry
from contracts import Operation

__all__ = ["PROFILE", "AlvariaProfile"]

SESSION_HEADER = "via-client-sessionid"
CREATE_SESSION_OPERATION = "createStreamingSession"
"""The operation (from the contract) that creates a streaming session; its path names the organization."""
SESSION_REFUSALS = frozenset({400, 401, 403, 404})
TOKEN_PATH = "/tokenservice/oauth2/access_token"


class AlvariaProfile(TokenProfile):
    """Bearer token + `x-api-key` on every call; a live streaming session id where the header is declared."""

    default_lifetime = 3599
    _session: str | None = None

    def scheme_value(self, scheme: str) -> str | None:
        """Basic client credentials, the bearer token or the API key, by scheme type."""
        definition = self.contract.security_schemes.get(scheme)
        if definition is None:
            return None
        if definition.type == "http" and definition.scheme == "basic":
            client_id, secret = self.credentials.require("client_id"), self.credentials.require("client_secret")
            self.redactor.add_basic(client_id, secret)
            return f"{client_id}:{secret}"
        if definition.type == "oauth2":
            return self.token()
        if definition.type == "apiKey":
            return self.credentials.require("api_key")
        return None

    def binding(self, operation: Operation, location: str, name: str) -> str | None:
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

    def request_token(self) -> dict[str, Any]:
        """The client-credentials grant for the configured scopes, HTTP Basic client auth, the org as `realm`."""
        org = self.credentials.require("org_id")
        client_id, secret = self.credentials.require("client_id"), self.credentials.require("client_secret")
        form = {"grant_type": "client_credentials", "scope": self.credentials.require("scope")}
        path = self.token_path("clientCredentials", TOKEN_PATH)
        issuer = self.issuer(
            self.operation_at("post", path), "token", ("client_id", "client_secret", "scope", "org_id")
        )

        def send() -> requests.Response:
            return self.client.request("POST", path, params={"realm": org}, data=form, auth=(client_id, secret))

        return self.issue(issuer, send, "access_token")

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
            raise AuthenticationError(
                f"{self.contract.name}: the contract declares no {CREATE_SESSION_OPERATION} operation"
            )
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
            super().invalidate()
            self._session = None


PROFILE = VendorProfile(
    auth=AlvariaProfile,
    credential_keys=("org_id", "client_id", "client_secret", "api_key", "scope", "user_id"),
    live_rate=LiveRate("60/m", False, "no vendor figure; conservative harness default"),
    envelopes=(
        EnvelopeRule("alvaria_error_code", "Alvaria `ErrorResponse.code` equals the HTTP status.", code_equals_status),
    ),
    workflows=(token_expiry,),
)
