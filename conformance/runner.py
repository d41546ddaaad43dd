"""Running a campaign: for each selected contract, load it into Schemathesis, attach the vendor's auth
profile, the harness' checks and false-positive filter, apply the safety settings, drive the engine and fold
its events into results.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Mapping
from typing import Any

import schemathesis
from schemathesis.engine import from_schema

# Imported for their side effect: registering the harness' checks with Schemathesis.
import conformance.checks
import conformance.enforcement  # noqa: F401
from conformance import auth, false_positives
from conformance.auth import ApiClient, expected_keys
from conformance.baseline import Baseline
from conformance.collector import Collector
from conformance.context import CampaignContext, bind, unbind
from conformance.contracts import Contract, load_contract, resolve_spec_names
from conformance.credentials import Credentials
from conformance.engine_config import build_config
from conformance.errors import ConfigurationError, did_you_mean
from conformance.progress import NullProgress, Progress
from conformance.redaction import Redactor
from conformance.results import RunResult, SpecResult
from conformance.safety import SAFE_METHODS, install_retry_after, is_loopback, rate_limit_plan
from conformance.settings import Phase, RunSettings
from conformance.workflows import WorkflowContext, find_admin, run_workflows

__all__ = ["Campaign", "select_operations", "spec_base_url"]

IN_PROCESS_ORIGIN = "http://testserver"


def spec_base_url(base_url: str, spec: str, several: bool) -> str:
    """The base URL of one contract: `{spec}` is substituted; with several contracts it is appended."""
    if "{spec}" in base_url:
        return base_url.replace("{spec}", spec).rstrip("/")
    return f"{base_url.rstrip('/')}/{spec}" if several else base_url.rstrip("/")


def select_operations(contracts: list[Contract], settings: RunSettings) -> dict[str, list[str]]:
    """Operation ids to test per contract, after include/exclude and read-only; unknown names fail."""
    known = {key for c in contracts for info in c.operations() for key in (info.operation_id, info.label)}
    for name in (*settings.include_operations, *settings.exclude_operations):
        if name not in known:
            raise ConfigurationError(
                f"Unknown operation {name!r}.{did_you_mean(name, known)} Use an operationId or 'METHOD /path'."
            )
    selected: dict[str, list[str]] = {}
    for contract in contracts:
        ids = []
        for info in contract.operations():
            keys = {info.operation_id, info.label}
            if settings.include_operations and not keys & set(settings.include_operations):
                continue
            if keys & set(settings.exclude_operations):
                continue
            if settings.read_only and info.method.upper() not in SAFE_METHODS:
                continue
            ids.append(info.operation_id)
        selected[contract.name] = ids
    if not any(selected.values()):
        mode = " (--read-only keeps only GET, HEAD and OPTIONS operations)" if settings.read_only else ""
        raise ConfigurationError(f"No operation left to test after the filters{mode}")
    return selected


class Campaign:
    """One `contract-test run`: every selected contract, one after the other."""

    def __init__(
        self,
        settings: RunSettings,
        *,
        app: Any | None = None,
        progress: Progress | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if settings.base_url is None and app is None:
            raise ConfigurationError("--base-url is required (or an in-process app)")
        self.settings = settings
        self.app = app
        self.progress = progress or NullProgress()
        self.specs = resolve_spec_names(settings.specs)
        self.credentials = Credentials.load(settings.credentials_file, self.specs, environ, expected_keys())
        self.redactor = Redactor(self.credentials.secrets())
        self.contracts = [load_contract(name) for name in self.specs]
        self.selection = select_operations(self.contracts, settings)
        self.baseline = Baseline.load(settings.baseline) if settings.baseline and not settings.update_baseline else None

    def run(self) -> RunResult:
        """Run every contract and return the results (baseline applied, baseline file updated if asked)."""
        result = RunResult(fail_on_unobserved=self.settings.fail_on_unobserved)
        deadline = time.monotonic() + self.settings.max_time if self.settings.max_time else None
        for contract in self.contracts:
            if not self.selection[contract.name]:
                continue
            remaining = None if deadline is None else int(deadline - time.monotonic())
            spec_result = self.run_contract(contract, remaining)
            if self.baseline is not None:
                spec_result.findings = self.baseline.mark(spec_result.findings)
            result.specs.append(spec_result)
        if self.settings.update_baseline and self.settings.baseline is not None:
            Baseline.from_findings(result.findings).save(self.settings.baseline)
        return result

    def base_url_for(self, spec: str) -> str:
        """The base URL the contract is tested at."""
        raw = self.settings.base_url or f"{IN_PROCESS_ORIGIN}/{{spec}}"
        return spec_base_url(raw, spec, several=len(self.specs) > 1)

    def run_contract(self, contract: Contract, max_time: int | None) -> SpecResult:
        """One contract's campaign."""
        base_url = self.base_url_for(contract.name)
        seed = self.settings.seed if self.settings.seed is not None else random.SystemRandom().getrandbits(32)
        result = SpecResult(spec=contract.name, base_url=base_url, seed=seed)
        if max_time is not None and max_time < 1:
            result.errors.append("time limit reached before this contract started")
            return result
        loopback = self.app is not None or is_loopback(base_url)
        target = base_url if self.app is None else IN_PROCESS_ORIGIN
        plan = rate_limit_plan(contract.name, target, self.settings.rate_limit)
        settings = self.settings
        if Phase.STATEFUL in settings.phases and not contract.has_links_within(set(self.selection[contract.name])):
            # Schemathesis reports "missing links" as an error; with nothing to chain there is nothing to test.
            skipped = ["stateful phase skipped: no declared link between the selected operations"]
            others = tuple(phase for phase in settings.phases if phase != Phase.STATEFUL)
            settings = dataclasses.replace(settings, phases=others) if others else settings
            run_engine = bool(others)
        else:
            run_engine, skipped = True, []
        config = build_config(
            settings, contract, base_url=base_url, seed=seed, plan=plan, loopback=loopback, max_time=max_time
        )
        probed = config.projects.get_default().phases.coverage.unexpected_methods
        result.notes += [
            f"rate limit: {plan.describe()}",
            "undeclared methods probed: " + (", ".join(sorted(m.upper() for m in probed)) or "none"),
        ] + (["read-only: safe methods only, workflows skipped"] if self.settings.read_only else []) + skipped
        loaded = schemathesis.openapi.from_path(contract.path, config=config)
        if self.app is not None:
            loaded.app = self.app
        schema = loaded.include(operation_id=self.selection[contract.name])
        client = ApiClient(base_url, self.app, self.settings.request_timeout)
        profile = auth.create_profile(contract, self.credentials.for_spec(contract.name), client, self.redactor)
        context = CampaignContext(contract.name, contract, profile, self.redactor)
        if profile is not None:
            auth.install(schema, profile)
            self._preflight(contract, profile)
        false_positives.install(schema, context)
        install_retry_after(schema)
        labels = {info.label for info in contract.operations() if info.operation_id in self.selection[contract.name]}
        collector = Collector(contract, result, self.redactor, labels)
        bind(schema.raw_schema, context)
        self.progress.start(contract.name, len(labels))
        try:
            for event in from_schema(schema).execute() if run_engine else ():
                collector.feed(event)
                self.progress.event(event)
            if profile is not None and not self.settings.read_only and Phase.STATEFUL in self.settings.phases:
                admin = find_admin(client, base_url) if loopback else None
                run_workflows(WorkflowContext(contract, profile, client, self.redactor, result, admin))
        finally:
            unbind(schema.raw_schema)
            self.progress.finish()
        result.suppressed = dict(context.suppressed)
        return result

    def _preflight(self, contract: Contract, profile: auth.AuthProfile) -> None:
        """Obtain credentials once before the engine starts, so a bad credential fails fast and clearly."""
        for info in contract.operations():
            if info.operation_id in self.selection[contract.name] and info.is_protected:
                profile.requirement_for(info)
                return
