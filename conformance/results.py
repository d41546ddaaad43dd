"""What a run produces: findings, coverage and bookkeeping per contract, and the verdict they add up to.

The verdict never says "conformant" about a run that tested nothing: a contract whose requests never reached an
operation (transport errors only, or a 404 for every request) or whose authenticated requests were all refused is
`NOT_TESTED`, which exits 2 like a usage error, whatever else the run found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from conformance.coverage import CoverageReport

__all__ = ["CaseCounts", "ErrorGroup", "ErrorKind", "Exchange", "Finding", "RunResult", "SpecResult", "Verdict"]


class Verdict(StrEnum):
    """What a run (or one contract's campaign) amounts to, with the exit code it maps to."""

    CONFORMANT = "conformant"
    VIOLATIONS = "violations found"
    ERRORS = "errors"
    NOT_TESTED = "not tested"

    @property
    def exit_code(self) -> int:
        """0 conformant, 1 violations or errors, 2 nothing could be judged (a configuration problem)."""
        return {Verdict.CONFORMANT: 0, Verdict.NOT_TESTED: 2}.get(self, 1)


class ErrorKind(StrEnum):
    """Where an error that is not a finding came from."""

    TRANSPORT = "transport"
    """The request never got an answer (connection refused, timeout, TLS...)."""
    ENGINE = "engine"
    """Schemathesis could not generate or run a test (schema, hook, health check...)."""
    WORKFLOW = "workflow"
    """A workflow's request failed below HTTP."""
    HARNESS = "harness"
    """The harness itself could not go on (time limit, fatal engine error)."""


@dataclass(frozen=True)
class Exchange:
    """One request and its response, as sent and received, with secrets already masked."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None
    response_headers: dict[str, str]
    response_body: str | None


@dataclass(frozen=True)
class Finding:
    """One root cause: an answer that broke the contract, the check that names it and the other checks it tripped."""

    spec: str
    operation: str
    operation_id: str
    check: str
    title: str
    received: str
    documented: str
    curl: tuple[str, ...]
    seed: int
    phase: str
    exchange: Exchange | None = None
    known: bool = False
    also: tuple[str, ...] = ()
    """Other checks the same answer tripped (one root cause, reported once)."""

    @property
    def checks(self) -> tuple[str, ...]:
        """Every check this root cause tripped, the naming one first."""
        return (self.check, *self.also)

    @property
    def fingerprint(self) -> str:
        """Stable identity across runs (no generated data in it), used by baselines."""
        return f"{self.spec}|{self.operation}|{self.check}|{self.title}"

    def render(self) -> str:
        """Human-readable block: the house format for conformance failures."""
        steps = "\n".join(f"    {line}" for step in self.curl for line in step.splitlines())
        also = f"\n  Also tripped: {', '.join(self.also)} (same answer)" if self.also else ""
        return (
            f"{self.operation} [{self.operation_id}] - check {self.check}: {self.title}\n"
            f"  Received:   {self.received}\n"
            f"  Documented: {self.documented}{also}\n"
            f"  Reproduce (seed {self.seed}, phase {self.phase}):\n{steps}"
        )


@dataclass
class ErrorGroup:
    """Identical errors, reported once with how often they happened and on which operations."""

    kind: ErrorKind
    message: str
    count: int = 1
    operations: list[str] = field(default_factory=list)

    def render(self) -> str:
        """`3 x transport: Connection refused (on POST /a, GET /b)`."""
        times = f"{self.count} x " if self.count > 1 else ""
        where = f" (on {', '.join(self.operations[:5])}{', ...' if len(self.operations) > 5 else ''})"
        return f"{times}{self.kind.value}: {self.message}" + (where if self.operations else "")


@dataclass
class CaseCounts:
    """How many generated requests went out, got an answer and were judged; what the verdict is built on."""

    sent: int = 0
    """Cases the engine sent (or tried to)."""
    answered: int = 0
    """Cases that got an HTTP answer: they reached the implementation."""
    judged: int = 0
    """Answered cases whose answer went through at least one check."""
    authenticated: int = 0
    """Answered cases that carried the vendor profile's credentials."""
    refused: int = 0
    """Authenticated cases answered 401 or 403."""
    not_found: int = 0
    """Answered cases answered 404."""


@dataclass
class SpecResult:
    """The outcome of one contract's campaign."""

    spec: str
    base_url: str
    seed: int
    duration: float = 0.0
    counts: CaseCounts = field(default_factory=CaseCounts)
    findings: list[Finding] = field(default_factory=list)
    coverage: CoverageReport = field(default_factory=CoverageReport)
    checks_run: dict[str, set[str]] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)
    errors: list[ErrorGroup] = field(default_factory=list)
    stop_reason: str = "completed"
    notes: list[str] = field(default_factory=list)
    untested: str | None = None
    """Why nothing could be judged (set by the verdict rules); None when the campaign tested something."""

    @property
    def cases(self) -> int:
        """Cases that reached the implementation."""
        return self.counts.answered

    @property
    def cases_per_second(self) -> float:
        """Answered cases per second of campaign time."""
        return self.counts.answered / self.duration if self.duration > 0 else 0.0

    @property
    def new_findings(self) -> list[Finding]:
        """Findings not accepted by the baseline."""
        return [finding for finding in self.findings if not finding.known]

    def add_error(self, kind: ErrorKind, message: str, operation: str | None = None) -> None:
        """Record an error, folding it into an identical one already recorded."""
        for group in self.errors:
            if group.kind is kind and group.message == message:
                group.count += 1
                if operation and operation not in group.operations:
                    group.operations.append(operation)
                return
        self.errors.append(ErrorGroup(kind, message, 1, [operation] if operation else []))

    def verdict(self, fail_on_unobserved: bool = False) -> Verdict:
        """This contract's verdict."""
        if self.untested is not None:
            return Verdict.NOT_TESTED
        if self.new_findings or (fail_on_unobserved and self.coverage.failing()):
            return Verdict.VIOLATIONS
        return Verdict.ERRORS if self.errors else Verdict.CONFORMANT


@dataclass
class RunResult:
    """The outcome of a whole run, over every selected contract."""

    specs: list[SpecResult] = field(default_factory=list)
    fail_on_unobserved: bool = False

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every contract."""
        return [finding for spec in self.specs for finding in spec.findings]

    @property
    def verdict(self) -> Verdict:
        """Not tested if any contract could not be judged; else violations, errors, or conformant."""
        verdicts = {spec.verdict(self.fail_on_unobserved) for spec in self.specs}
        for verdict in (Verdict.NOT_TESTED, Verdict.VIOLATIONS, Verdict.ERRORS):
            if verdict in verdicts:
                return verdict
        return Verdict.CONFORMANT if self.specs else Verdict.NOT_TESTED

    @property
    def failed(self) -> bool:
        """Whether the run is anything but conformant."""
        return self.verdict is not Verdict.CONFORMANT

    @property
    def exit_code(self) -> int:
        """0 conformant, 1 violations or errors, 2 not tested (usage errors exit 2 before a result exists)."""
        return self.verdict.exit_code
