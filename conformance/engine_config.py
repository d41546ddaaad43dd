"""Translating `RunSettings` into a Schemathesis configuration for one contract."""

from __future__ import annotations

from typing import Any

from schemathesis.config import SchemathesisConfig
from schemathesis.config._output import DEFAULT_KEYS_TO_SANITIZE, DEFAULT_SENSITIVE_MARKERS

from conformance.contracts import credential_names
from conformance.safety import SAFE_PROBE_METHODS, RateLimitPlan
from conformance.settings import Phase, RunSettings
from contracts import Contract

__all__ = ["SENSITIVE_MARKERS", "build_config", "sensitive_keys"]

SENSITIVE_MARKERS = DEFAULT_SENSITIVE_MARKERS


def sensitive_keys(contract: Contract) -> frozenset[str]:
    """The names Schemathesis masks in its output: its defaults, and every name the contract's credentials travel
    under (security scheme parameters, `x-credential` parameters and fields)."""
    return frozenset({*DEFAULT_KEYS_TO_SANITIZE, *credential_names(contract)})


def _probe_methods(settings: RunSettings, loopback: bool) -> list[str] | None:
    """Undeclared methods to probe: Schemathesis' default set, only safe ones, or none."""
    wanted = settings.probe_methods if settings.probe_methods is not None else loopback
    if not wanted:
        return []
    return list(SAFE_PROBE_METHODS) if settings.read_only else None


def build_config(
    settings: RunSettings,
    contract: Contract,
    *,
    base_url: str,
    seed: int,
    plan: RateLimitPlan,
    loopback: bool,
    max_time: int | None,
) -> SchemathesisConfig:
    """The Schemathesis configuration for one contract's campaign."""
    # No example database: a campaign depends only on its seed and its target. With Hypothesis' default database
    # in ./.hypothesis, examples that failed against another implementation (a mutant, yesterday's build) are
    # replayed first, so the same seed gave different runs and "Reproduce (seed N)" did not reproduce.
    generation = {"mode": settings.data_mode.value, "max-examples": settings.max_examples, "database": "none"}
    coverage: dict[str, Any] = {"enabled": Phase.COVERAGE in settings.phases}
    unexpected = _probe_methods(settings, loopback)
    if unexpected is not None:
        coverage["unexpected-methods"] = unexpected
    stateful: dict[str, Any] = {"enabled": Phase.STATEFUL in settings.phases}
    if settings.stateful_max_steps is not None:
        stateful["max-steps"] = settings.stateful_max_steps
    data: dict[str, Any] = {
        "seed": seed,
        "base-url": base_url,
        "workers": settings.workers,
        "request-timeout": settings.request_timeout,
        "generation": generation,
        "phases": {
            "examples": {"enabled": Phase.EXAMPLES in settings.phases},
            "coverage": coverage,
            "fuzzing": {"enabled": Phase.FUZZING in settings.phases},
            "stateful": stateful,
        },
        "output": {"sanitization": {"keys-to-sanitize": sorted(sensitive_keys(contract))}},
    }
    if max_time is not None:
        data["max-time"] = max_time
    if settings.extra_headers:
        data["headers"] = dict(settings.extra_headers)
    if plan.rate is not None and not plan.per_operation:
        data["rate-limit"] = plan.rate
    if plan.rate is not None and plan.per_operation:
        # One operation config per endpoint, so each gets its own limiter (the vendor counts per endpoint).
        data["operations"] = [{"include-operation-id": info.operation_id, "rate-limit": plan.rate} for info in contract]
    return SchemathesisConfig.from_dict(data)
