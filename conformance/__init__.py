"""Conformance harness: property-tests any deployment of the vendor contracts with Schemathesis, adding
vendor auth profiles, envelope and auth-enforcement checks, documented-response coverage, scoped false
positives, safety for live systems, and JUnit/HTML/JSON reports.

Layering: `conformance` reads `specs/` (data) and reaches the mock server only through its public app factory.
"""

from __future__ import annotations

from conformance.errors import (
    AuthenticationError,
    BaselineError,
    ConfigurationError,
    ConformanceError,
    CredentialsError,
    UnknownSpecError,
)
from conformance.results import Exchange, Finding, RunResult, SpecResult
from conformance.runner import Campaign
from conformance.settings import DataMode, Phase, ProgressMode, RunSettings

__all__ = [
    "AuthenticationError",
    "BaselineError",
    "Campaign",
    "ConfigurationError",
    "ConformanceError",
    "CredentialsError",
    "DataMode",
    "Exchange",
    "Finding",
    "Phase",
    "ProgressMode",
    "RunResult",
    "RunSettings",
    "SpecResult",
    "UnknownSpecError",
]
