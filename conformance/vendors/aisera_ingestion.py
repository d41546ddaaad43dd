"""Aisera Ingestion APIs: the service account's password grant (cached until shortly before `expires_in`, fetched
again after a 401), then the bearer token and the App Token on every call."""

from __future__ import annotations

from typing import Any

from conformance.auth.base import TokenProfile
from conformance.checks import EnvelopeRule, code_equals_status
from conformance.vendors import StatedRate, VendorProfile
from conformance.workflows.tokens import token_expiry
from contracts import Operation

__all__ = ["PROFILE", "AiseraIngestionProfile"]

TOKEN_FIELDS = {"client_id": "app_token", "username": "username", "password": "password"}
"""The token request's body fields, by the credential key each carries."""


TOKEN_PATH = "/tenant-users/oauth2/token"


class AiseraIngestionProfile(TokenProfile):
    """Service account: `POST <tokenUrl>` password grant, then bearer token plus App Token on every call."""

    def scheme_value(self, scheme: str) -> str | None:
        """App Token for the `x-app-token` schemes, the access token for bearer and `access_token`."""
        definition = self.contract.security_schemes.get(scheme)
        if definition is None:
            return None
        if definition.type == "oauth2" or definition.parameter == "access_token":
            return self.token()
        if definition.parameter == "x-app-token":
            return self.credentials.require("app_token")
        return None

    def binding(self, operation: Operation, location: str, name: str) -> str | None:
        """The token request carries the service account itself."""
        if location == "body" and operation.path == self.token_path("password", TOKEN_PATH):
            return self.credentials.get(TOKEN_FIELDS[name]) if name in TOKEN_FIELDS else None
        return None

    def body_slots(self, operation: Operation) -> tuple[str, ...]:
        """The token request's credentials, so auth enforcement also probes wrong service accounts."""
        token_path = self.token_path("password", TOKEN_PATH)
        return tuple(TOKEN_FIELDS) if operation.path == token_path else ()

    def request_token(self) -> dict[str, Any]:
        """The password grant with the service account, at the contract's `tokenUrl`."""
        form = {
            "grant_type": "password",
            **{field: self.credentials.require(key) for field, key in TOKEN_FIELDS.items()},
        }
        path = self.token_path("password", TOKEN_PATH)
        issuer = self.issuer(self.operation_at("post", path), "token", tuple(TOKEN_FIELDS.values()))
        return self.issue(issuer, lambda: self.client.request("POST", path, data=form), "access_token")


AISERA_ERROR_CODE = EnvelopeRule("aisera_error_code", "Aisera error `code` equals the HTTP status.", code_equals_status)

PROFILE = VendorProfile(
    auth=AiseraIngestionProfile,
    credential_keys=tuple(TOKEN_FIELDS.values()),
    live_rate=StatedRate("callsPerEndpointPerMinute", "m", per_operation=True),
    envelopes=(AISERA_ERROR_CODE,),
    workflows=(token_expiry,),
)
