"""Authentication: credentials obtained the way a real client of each API obtains them.

The generic machinery is here (`base.py`: profiles, slots, lookalike values; `apply.py`: putting credentials on
Schemathesis cases; `issuer.py`: judging token and session endpoints). Each vendor's `AuthProfile` subclass is named
by its harness profile (`conformance/vendors/<module>.py`, `VendorProfile.auth`), found through the registry.
"""

from __future__ import annotations

from conformance.auth.apply import apply_credentials, install
from conformance.auth.base import ApiClient, AuthProfile, Slot, lookalike

__all__ = ["ApiClient", "AuthProfile", "Slot", "apply_credentials", "install", "lookalike"]
