"""Safety against live systems: vendor rate limits off loopback, read-only on the wire, Retry-After."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.config import SchemathesisConfig
from toy_api import make_app
from toy_server import serve

from conformance import Campaign, RunSettings
from conformance.engine_config import build_config
from conformance.errors import ConfigurationError
from conformance.safety import StatedRate, install_retry_after, is_loopback, rate_limit_plan
from conformance.vendors import profile_for
from contracts import load_contract


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000/x", True),
        ("http://localhost/x", True),
        ("http://[::1]:80", True),
        ("https://acme.api.aisera.cloud", False),
        ("http://10.0.0.5", False),
    ],
)
def test_loopback_detection(url: str, loopback: bool):
    assert is_loopback(url) is loopback


def plan_for(spec: str, base_url: str, explicit: str | None = None) -> Any:
    return rate_limit_plan(load_contract(spec), base_url, explicit, profile_for(spec))


def test_vendor_rate_limit_applies_off_loopback_only_and_yields_to_the_option():
    live = plan_for("aisera-ingestion", "https://acme.api.aisera.cloud")
    assert (live.rate, live.per_operation) == ("5/m", True)
    assert live.describe() == (
        "5/m per operation (Aisera Ingestion APIs, Restrictions (info.x-vendor-limits.callsPerEndpointPerMinute: 5))"
    )
    assert plan_for("aisera-ingestion", "http://127.0.0.1:8000").rate is None
    explicit = plan_for("aisera-ingestion", "https://acme.api.aisera.cloud", "2/s")
    assert (explicit.rate, explicit.per_operation) == ("2/s", False)


def test_live_rates_are_read_from_the_contract_where_it_states_one():
    asapp = plan_for("asapp-metadata-ingestion", "https://api.asapp.com")
    assert (asapp.rate, asapp.per_operation) == ("100/s", False)
    assert 'ASAPP "API Rate Limits and Retry Logic"' in asapp.source
    assert plan_for("sysaid-copilot", "https://acme.sysaidit.com").rate == "200/m"
    unregistered = rate_limit_plan(load_contract("alvaria-messaging"), "https://h", None, None)
    assert unregistered.source == "no vendor figure; conservative harness default"
    stated = StatedRate("requestsPerSecond", "s")
    with pytest.raises(
        ConfigurationError, match=r"aisera-ingestion: info\.x-vendor-limits states no requestsPerSecond"
    ):
        stated.for_contract(load_contract("aisera-ingestion"))


def test_per_endpoint_limits_become_one_limiter_per_operation():
    contract = load_contract("aisera-ingestion")
    plan = plan_for("aisera-ingestion", "https://acme.api.aisera.cloud")
    config = build_config(
        RunSettings(),
        contract,
        base_url="https://acme.api.aisera.cloud",
        seed=1,
        plan=plan,
        loopback=False,
        max_time=None,
    )
    project = config.projects.get_default()
    assert project.rate_limit is None
    limiters = {id(op.rate_limit) for op in project.operations.operations}
    assert len(limiters) == len(contract.operations) == 9


def test_undeclared_methods_are_probed_only_when_safe_to():
    contract = load_contract("aisera-ingestion")
    plan = plan_for("aisera-ingestion", "https://h")

    def methods(settings: RunSettings, loopback: bool) -> set[str]:
        config = build_config(
            settings, contract, base_url="https://h", seed=1, plan=plan, loopback=loopback, max_time=None
        )
        return config.projects.get_default().phases.coverage.unexpected_methods

    assert methods(RunSettings(), loopback=False) == set()
    assert "trace" in methods(RunSettings(), loopback=True)
    assert methods(RunSettings(probe_methods=True, read_only=True), loopback=False) == {"options", "trace"}
    assert isinstance(
        build_config(RunSettings(), contract, base_url="https://h", seed=1, plan=plan, loopback=True, max_time=None),
        SchemathesisConfig,
    )


def test_read_only_sends_no_unsafe_method(toy_contract: Path):
    log: list[str] = []
    settings = RunSettings(specs=("toy",), credentials_file=toy_contract, read_only=True, max_examples=10, seed=9)
    result = Campaign(settings, app=make_app(log=log)).run()
    assert set(result.specs[0].checks_run) == {"GET /items/{id}"}
    assert result.specs[0].notes == [
        "rate limit: no rate limit (loopback target)",
        "undeclared methods probed: OPTIONS, TRACE",
        "read-only: safe methods only, workflows skipped",
        "stateful phase skipped: no declared link between the selected operations",
    ]
    assert log, "the GET operation must have been exercised"
    assert {entry.split()[0] for entry in log} <= {"GET", "HEAD", "OPTIONS", "TRACE"}


def test_retry_after_is_honoured_after_a_429():
    slept: list[float] = []
    hooks: dict[str, object] = {}
    schema = SimpleNamespace(hook=lambda name: lambda func: hooks.setdefault(name, func))
    install_retry_after(schema, sleep=slept.append)  # type: ignore[arg-type]
    after_call = hooks["after_call"]
    after_call(None, None, SimpleNamespace(status_code=429, headers={"retry-after": ["3"]}))  # type: ignore[operator]
    after_call(None, None, SimpleNamespace(status_code=200, headers={"retry-after": ["9"]}))  # type: ignore[operator]
    assert slept == [3.0]


def test_max_time_is_honoured_under_a_rate_limit(toy_contract: Path):
    """`--max-time 20` under a 5/m rate limit used to run 60 s: a request blocked in the limiter ran past it."""
    settings = RunSettings(
        specs=("toy",), credentials_file=toy_contract, rate_limit="2/m", max_time=3, seed=5, max_examples=10
    )
    with serve(make_app()) as origin:
        started = time.monotonic()
        result = Campaign(settings.with_changes(base_url=f"{origin}/toy")).run()
        elapsed = time.monotonic() - started
    spec = result.specs[0]
    assert elapsed < 8, f"ran {elapsed:.1f}s for --max-time 3"
    assert spec.stop_reason == "max_time"
    assert spec.errors == [], "stopping at the deadline is not an error"
    assert 0 < spec.counts.answered <= 3, "2/m lets at most the preflight and two cases through"
