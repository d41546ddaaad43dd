"""Per-vendor auth profiles: credentials obtained the way a real client of each API obtains them."""

from __future__ import annotations

from conformance.auth.aisera import AiseraConversationProfile, AiseraIngestionProfile
from conformance.auth.alvaria import AlvariaProfile
from conformance.auth.apply import apply_credentials, install
from conformance.auth.asapp import AsappProfile
from conformance.auth.base import ApiClient, AuthProfile, Slot, lookalike
from conformance.auth.sysaid import SysaidProfile, is_admin_only
from conformance.contracts import Contract
from conformance.credentials import VendorCredentials
from conformance.redaction import Redactor

__all__ = [
    "PROFILES",
    "ApiClient",
    "AuthProfile",
    "Slot",
    "apply_credentials",
    "create_profile",
    "expected_keys",
    "install",
    "is_admin_only",
    "lookalike",
]

PROFILES: dict[str, type[AuthProfile]] = {
    profile.spec: profile
    for profile in (
        AiseraIngestionProfile,
        AiseraConversationProfile,
        SysaidProfile,
        AsappProfile,
        AlvariaProfile,
    )
}


def expected_keys() -> dict[str, tuple[str, ...]]:
    """The credential keys each vendor profile knows, for environment overrides."""
    return {spec: profile.expected_keys for spec, profile in PROFILES.items()}


def create_profile(
    contract: Contract, credentials: VendorCredentials, client: ApiClient, redactor: Redactor
) -> AuthProfile | None:
    """The profile for a contract, or None for a contract no profile knows (tested without credentials)."""
    profile = PROFILES.get(contract.name)
    return profile(contract, credentials, client, redactor) if profile is not None else None
