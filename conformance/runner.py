"""Running a campaign: for each selected contract, load it into Schemathesis, attach the vendor's auth profile, the
harness' checks and false-positive filter, apply the safety settings, check that the target can be tested at all
(preflight), drive the engine, fold its events into results and judge whether anything was tested.

Every contract's preflight runs before the first campaign starts, so a wrong URL or credential for the last
contract fails in seconds rather than after the others' campaigns.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis.engine import from_schema

# Imported for their side effect: registering the harness' checks with Schemathesis (the vendor envelope checks
# are registered as each vendor profile is loaded).
import conformance.behaviour
import conformance.enforcement  # noqa: F401
from conformance import auth, false_positives
from conformance.auth import ApiClient
from conformance.baseline import Baseline
from conformance.collector import Collector
from conformance.context import CampaignContext, bind, unbind
from conformance.contracts import contract_file, load_contract, resolve_spec_names
from conformance.credentials import Credentials
from conformance.engine_config import build_config
from conformance.errors import ConfigurationError, CredentialEndpointBroken, did_you_mean
from conformance.preflight import TOKEN_ENDPOINT_CHECK, Preflight, token_endpoint_finding
from conformance.progress import NullProgress, Progress
from conformance.redaction import Redactor
from conformance.results import ErrorKind, RunResult, SpecResult
from conformance.safety import SAFE_METHODS, install_deadline, install_retry_after, is_loopback, rate_limit_plan
from conformance.settings import Phase, RunSettings
from conformance.vendors import VendorProfile, expected_keys, profile_for
from conformance.verdict import judge
from conformance.workflows import WorkflowContext, find_admin, run_workflows
from contracts import Contract

__all__ = ["Campaign", "read_only_drops", "select_operations", "spec_base_url"]

IN_PROCESS_ORIGIN = "http://testserver"


def spec_base_url(base_url: str, spec: str, several: bool) -> str:
    """The base URL of one contract: `{spec}` is substituted; with several contracts it is appended."""
    if "{spec}" in base_url:
        return base_url.replace("{spec}", spec).rstrip("/")
    return f"{base_url.rstrip('/')}/{spec}" if several else base_url.rstrip("/")


def _check_names(contracts: list[Contract], settings: RunSettings) -> None:
    known = {key for c in contracts for info in c for key in (info.operation_id, info.label)}
    for name in (*settings.include_operations, *settings.exclude_operations):
        if name not in known:
            raise ConfigurationError(
                f"Unknown operation {name!r}.{did_you_mean(name, known)} Use an operationId or 'METHOD /path'."
            )


def select_operations(contracts: list[Contract], settings: RunSettings) -> dict[str, list[str]]:
    """Operation ids to test per contract, after include/exclude and read-only; unknown names fail."""
    _check_names(contracts, settings)
    selected: dict[str, list[str]] = {}
    for contract in contracts:
        ids = []
        for info in contract:
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


def read_only_drops(contracts: list[Contract], settings: RunSettings) -> list[str]:
    """A warning for each operation `--include-operation` named that `--read-only` drops."""
    if not settings.read_only or not settings.include_operations:
        return []
    wanted = set(settings.include_operations)
    return [
        f"--read-only drops {info.operation_id} ({info.label}), named by --include-operation: "
        f"{info.method.upper()} is not a safe method"
        for contract in contracts
        for info in contract
        if {info.operation_id, info.label} & wanted and info.method.upper() not in SAFE_METHODS
    ]


@dataclass
class _Prepared:
    """One contract, loaded and preflighted, ready for its campaign."""

    contract: Contract
    vendor: VendorProfile | None
    result: SpecResult
    schema: Any
    context: CampaignContext
    client: ApiClient
    labels: set[str]
    run_engine: bool
    loopback: bool
    stateful: bool


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
        self.specs = resolve_spec_names(settings.specs)
        if settings.base_url is None and app is None:
            raise ConfigurationError("--base-url is required (or an in-process app)")
        self.settings = settings
        self.app = app
        self.progress = progress or NullProgress()
        self.vendors = {spec: profile_for(spec) for spec in self.specs}
        self.credentials = Credentials.load(settings.credentials_file, self.specs, environ, expected_keys(self.specs))
        self.redactor = Redactor(self.credentials.secrets())
        self.contracts = [load_contract(name) for name in self.specs]
        self.selection = select_operations(self.contracts, settings)
        self.warnings = read_only_drops(self.contracts, settings)
        self.baseline = Baseline.load(settings.baseline) if settings.baseline and not settings.update_baseline else None

    def run(self) -> RunResult:
        """Preflight every contract, run each campaign, and return the results (baseline applied and updated)."""
        result = RunResult(fail_on_unobserved=self.settings.fail_on_unobserved)
        deadline = time.monotonic() + self.settings.max_time if self.settings.max_time else None
        prepared = [self._prepare(contract) for contract in self.contracts if self.selection[contract.name]]
        for item in prepared:
            spec_result = self._execute(item, deadline)
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

    def _prepare(self, contract: Contract) -> _Prepared:
        """Load a contract, attach profile, checks and safety, and preflight the target."""
        base_url = self.base_url_for(contract.name)
        seed = self.settings.seed if self.settings.seed is not None else random.SystemRandom().getrandbits(32)
        result = SpecResult(spec=contract.name, base_url=base_url, seed=seed)
        loopback = self.app is not None or is_loopback(base_url)
        target = base_url if self.app is None else IN_PROCESS_ORIGIN
        vendor = self.vendors[contract.name]
        plan = rate_limit_plan(contract, target, self.settings.rate_limit, vendor)
        config = build_config(
            self.settings, contract, base_url=base_url, seed=seed, plan=plan, loopback=loopback, max_time=None
        )
        probed = config.projects.get_default().phases.coverage.unexpected_methods
        result.notes += [
            f"rate limit: {plan.describe()}",
            "undeclared methods probed: " + (", ".join(sorted(m.upper() for m in probed)) or "none"),
        ] + (["read-only: safe methods only, workflows skipped"] if self.settings.read_only else [])
        result.notes += [f"warning: {warning}" for warning in read_only_drops([contract], self.settings)]
        loaded = schemathesis.openapi.from_path(contract_file(contract), config=config)
        if self.app is not None:
            loaded.app = self.app
        client = ApiClient(base_url, self.app, self.settings.request_timeout)
        credentials = self.credentials.for_spec(contract.name)
        profile = vendor.create_auth(contract, credentials, client, self.redactor) if vendor is not None else None
        selection = list(self.selection[contract.name])
        outcome = Preflight(contract, loaded, client, base_url, seed, self.app).run(profile, selection)
        result.notes += outcome.notes
        result.findings += outcome.findings
        selection = [operation for operation in selection if operation not in outcome.untestable]
        run_engine = self._phases(contract, selection, result, loaded)
        stateful = Phase.STATEFUL in self.settings.phases and contract.has_links_within(set(selection))
        schema = loaded.include(operation_id=selection) if selection else loaded
        context = CampaignContext(contract.name, contract, profile, self.redactor, vendor)
        if profile is not None:
            auth.install(
                schema,
                profile,
                on_applied=lambda case_id: context.remember(context.authenticated, case_id),
                on_broken=lambda error: self._broken_mid_run(context, error, seed),
            )
        false_positives.install(schema, context)
        install_retry_after(schema)
        labels = {info.label for info in contract if info.operation_id in selection}
        return _Prepared(
            contract,
            vendor,
            result,
            schema,
            context,
            client,
            labels,
            run_engine and bool(selection),
            loopback,
            stateful,
        )

    def _phases(self, contract: Contract, selection: list[str], result: SpecResult, loaded: Any) -> bool:
        """Whether the engine has a phase to run; a stateful phase with nothing to chain is dropped with a note."""
        phases = self.settings.phases
        if Phase.STATEFUL not in phases or contract.has_links_within(set(selection)):
            return True
        # Schemathesis reports "missing links" as an error; with nothing to chain there is nothing to test.
        result.notes.append("stateful phase skipped: no declared link between the selected operations")
        loaded.config.phases.stateful.enabled = False
        return any(phase != Phase.STATEFUL for phase in phases)

    def _broken_mid_run(self, context: CampaignContext, error: CredentialEndpointBroken, seed: int) -> None:
        with context.lock:
            if not any(finding.check == TOKEN_ENDPOINT_CHECK for finding in context.findings):
                context.findings.append(token_endpoint_finding(error, context.spec, seed, "campaign"))

    def _execute(self, item: _Prepared, deadline: float | None) -> SpecResult:
        """One contract's campaign, after its preflight."""
        result, context, schema = item.result, item.context, item.schema
        if deadline is not None and deadline - time.monotonic() < 1:
            result.add_error(ErrorKind.HARNESS, "--max-time reached before this contract started")
            result.untested = "--max-time reached before this contract started"
            return result
        stopped: list[bool] = []
        if deadline is not None:
            # The engine's own limit ends no later than the deadline; the limiter waits for it rather than send.
            schema.config.max_time = max(int(deadline - time.monotonic()), 1)
            install_deadline(schema.config, deadline, lambda: stopped.append(True))
        collector = Collector(item.contract, result, self.redactor, item.labels, context)
        bind(schema.raw_schema, context)
        testing = sum(phase != Phase.STATEFUL or item.stateful for phase in self.settings.phases)
        budget = deadline - time.monotonic() if deadline is not None else None
        self.progress.start(item.contract.name, len(item.labels), testing, budget)
        started = time.monotonic()
        try:
            if item.run_engine:
                for event in from_schema(schema).execute():
                    collector.feed(event)
                    self.progress.event(event)
            self._workflows(item, deadline)
            result.notes += collector.unjudged()
        finally:
            unbind(schema.raw_schema)
            self.progress.finish()
        result.duration = max(result.duration, time.monotonic() - started)
        if stopped:
            result.stop_reason = "max_time"
        result.findings += context.findings
        result.suppressed = dict(context.suppressed)
        profile = context.profile
        judge(result, profile.credentials.describe(profile.credential_keys()) if profile is not None else "none")
        return result

    def _workflows(self, item: _Prepared, deadline: float | None) -> None:
        profile = item.context.profile
        workflows = item.vendor.workflows if item.vendor is not None else ()
        if profile is None or not workflows or self.settings.read_only or Phase.STATEFUL not in self.settings.phases:
            return
        admin = find_admin(item.client, item.result.base_url) if item.loopback else None
        workflow = WorkflowContext(item.contract, profile, item.client, self.redactor, item.result, admin)
        run_workflows(workflow, workflows, deadline)
