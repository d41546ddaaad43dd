"""Aisera Conversation API: the channel token travels in every request body (`token`); the contract declares no
security scheme."""

from __future__ import annotations

from conformance.auth.base import AuthProfile
from conformance.checks import EnvelopeRule, code_equals_status
from conformance.vendors import LiveRate, VendorProfile
from contracts import Operation

__all__ = ["PROFILE", "AiseraConversationProfile"]


class AiseraConversationProfile(AuthProfile):
    """The channel token in the JSON body, as the contract describes."""

    def scheme_value(self, scheme: str) -> str | None:
        """No security scheme is declared for this API."""
        return None

    def binding(self, operation: Operation, location: str, name: str) -> str | None:
        """The channel token in every request body."""
        if location == "body" and name == "token":
            return self.credentials.require("token")
        return None

    def body_slots(self, operation: Operation) -> tuple[str, ...]:
        """`token` is this API's credential."""
        return ("token",)


PROFILE = VendorProfile(
    auth=AiseraConversationProfile,
    credential_keys=("token", "user_id"),
    # The Conversation API documents no rate; Aisera's Ingestion APIs' recommendation is the conservative default.
    live_rate=LiveRate("5/m", True, "Aisera Ingestion APIs, Restrictions: 5 calls per endpoint per minute"),
    envelopes=(EnvelopeRule("aisera_error_code", "Aisera error `code` equals the HTTP status.", code_equals_status),),
)
