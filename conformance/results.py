"""What a run produces: findings, coverage and bookkeeping per contract, consumed by reports and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.coverage import CoverageReport

__all__ = ["Exchange", "Finding", "RunResult", "SpecResult"]


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
    """One conformance violation: which operation, which check, what was received and what is documented."""

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

    @property
    def fingerprint(self) -> str:
        """Stable identity across runs (no generated data in it), used by baselines."""
        return f"{self.spec}|{self.operation}|{self.check}|{self.title}"

    def render(self) -> str:
        """Human-readable block: the house format for conformance failures."""
        steps = "\n".join(f"    {line}" for step in self.curl for line in step.splitlines())
        return (
            f"{self.operation} [{self.operation_id}] - check {self.check}: {self.title}\n"
            f"  Received:   {self.received}\n"
            f"  Documented: {self.documented}\n"
            f"  Reproduce (seed {self.seed}, phase {self.phase}):\n{steps}"
        )


@dataclass
class SpecResult:
    """The outcome of one contract's campaign."""

    spec: str
    base_url: str
    seed: int
    duration: float = 0.0
    cases: int = 0
    findings: list[Finding] = field(default_factory=list)
    coverage: CoverageReport = field(default_factory=CoverageReport)
    checks_run: dict[str, set[str]] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    stop_reason: str = "completed"
    notes: list[str] = field(default_factory=list)

    @property
    def new_findings(self) -> list[Finding]:
        """Findings not accepted by the baseline."""
        return [finding for finding in self.findings if not finding.known]


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
    def failed(self) -> bool:
        """Whether the run found new violations, errors, or (when asked) unobserved responses."""
        return any(
            spec.new_findings or spec.errors or (self.fail_on_unobserved and spec.coverage.failing())
            for spec in self.specs
        )

    @property
    def exit_code(self) -> int:
        """0 conformant, 1 violations found (usage errors exit 2 before a result exists)."""
        return 1 if self.failed else 0
