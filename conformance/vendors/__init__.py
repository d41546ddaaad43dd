"""The harness' vendor profiles, found through the one registry (`contracts.REGISTRY`, `Registration.harness`).

A profile module exports `PROFILE`, a `VendorProfile`:

- `auth`: the `AuthProfile` subclass that obtains credentials the way the vendor's own clients do (`auth/base.py`
  holds everything that is not vendor-specific);
- `credential_keys`: the dotted credential keys it reads (`fixtures/default/credentials.yaml`), so that a
  `CONTRACT_<SPEC>_<KEY>` variable for a key the file lacks lands in the right place;
- `live_rate`: the request rate against live targets: `StatedRate` reads it from the contract's
  `info.x-vendor-limits`; `LiveRate` gives a figure and its source where the contract states none;
- `envelopes`: the vendor's envelope rules, each registered as a Schemathesis check under its name
  (`conformance/checks.py`);
- `workflows`: explicit workflows run after the engine (`conformance/workflows/`);
- `false_positives`: known Schemathesis false positives that only this vendor's documented behaviour explains (the
  ones a contract extension explains are in `conformance/false_positives.py`, for every contract).

A contract whose registration names no harness module (or none is registered: a team's own contract) is tested
without credentials and without vendor rules. Adding a vendor is its contract, fixtures, mock module and profile
module, plus one `Registration` line in `contracts/registry.py`.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance.checks import EnvelopeRule, register
from conformance.errors import ConfigurationError
from conformance.safety import LiveRate, StatedRate
from contracts import Contract, ContractNotFound, contract_names, registration

if TYPE_CHECKING:
    from conformance.auth.base import ApiClient, AuthProfile
    from conformance.credentials import VendorCredentials
    from conformance.false_positives import KnownFalsePositive
    from conformance.redaction import Redactor
    from conformance.workflows.context import WorkflowContext

__all__ = ["LiveRate", "StatedRate", "VendorProfile", "Workflow", "expected_keys", "profile_for", "profiles"]

Workflow = Callable[["WorkflowContext"], None]


@dataclass(frozen=True)
class VendorProfile:
    """What the harness knows about one vendor API beyond its contract."""

    auth: type[AuthProfile]
    credential_keys: tuple[str, ...]
    live_rate: LiveRate | StatedRate
    envelopes: tuple[EnvelopeRule, ...] = ()
    workflows: tuple[Workflow, ...] = ()
    false_positives: tuple[KnownFalsePositive, ...] = ()

    def create_auth(
        self, contract: Contract, credentials: VendorCredentials, client: ApiClient, redactor: Redactor
    ) -> AuthProfile:
        """The vendor's auth profile for a campaign, acting as its main identity."""
        return self.auth(contract, credentials, client, redactor)


@functools.cache
def profile_for(spec: str) -> VendorProfile | None:
    """The profile registered for a contract (its envelope rules registered as checks), or None when it has none."""
    try:
        module_name = registration(spec).harness
    except ContractNotFound:
        return None
    if not module_name:
        return None
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"{spec}: harness profile module {module_name} cannot be imported: {exc}") from exc
    profile = getattr(module, "PROFILE", None)
    if not isinstance(profile, VendorProfile):
        raise ConfigurationError(f"{spec}: {module_name} exports no PROFILE (a conformance.vendors.VendorProfile)")
    for rule in profile.envelopes:
        register(rule)
    return profile


def expected_keys(specs: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The credential keys each contract's vendor profile reads, for environment overrides."""
    found = {spec: profile_for(spec) for spec in specs}
    return {spec: profile.credential_keys for spec, profile in found.items() if profile is not None}


def profiles() -> dict[str, VendorProfile]:
    """Every registered contract's profile, by contract name, in registry order."""
    found = {name: profile_for(name) for name in contract_names()}
    return {name: profile for name, profile in found.items() if profile is not None}
