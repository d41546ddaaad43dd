"""Conformance harness: property-tests any deployment of the vendor contracts with Schemathesis, adding
vendor auth profiles, a preflight and a verdict that never passes on nothing, envelope, auth-enforcement and
documented-behaviour checks, documented-response coverage, scoped false positives, safety for live systems, and
JUnit/HTML/JSON reports.

Layering: `conformance` reads the contracts through the one model (`contracts`), finds each vendor's profile
(`conformance/vendors/`) through the registry, and reaches the mock server only through its public app factory.
"""

from __future__ import annotations

from conformance.errors import (
    AuthenticationError,
    BaselineError,
    ConfigurationError,
    ConformanceError,
    CredentialEndpointBroken,
    CredentialsError,
    PreflightError,
    UnknownSpecError,
)
from conformance.results import CaseCounts, ErrorGroup, Exchange, Finding, RunResult, SpecResult, Verdict
from conformance.runner import Campaign
from conformance.settings import DataMode, Phase, ProgressMode, RunSettings

__all__ = [
    "AuthenticationError",
    "BaselineError",
    "Campaign",
    "CaseCounts",
    "ConfigurationError",
    "ConformanceError",
    "CredentialEndpointBroken",
    "CredentialsError",
    "DataMode",
    "ErrorGroup",
    "Exchange",
    "Finding",
    "Phase",
    "PreflightError",
    "ProgressMode",
    "RunResult",
    "RunSettings",
    "SpecResult",
    "UnknownSpecError",
    "Verdict",
]
