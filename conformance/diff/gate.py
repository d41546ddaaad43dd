"""One run of the drift gate: its settings in one place, and `run_diff` that turns them into a `Report`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from conformance.diff.errors import DiffError
from conformance.diff.findings import DriftFinding, Level, Report
from conformance.diff.ignores import IgnoreFile, apply_ignores, apply_severities, load_ignore_file
from conformance.diff.lifecycle import Policy
from conformance.diff.loader import ContractPair, ContractRevision, contracts_at_ref, load_revision
from conformance.diff.render import OutputFormat
from conformance.diff.rules import diff_documents

__all__ = ["DEFAULT_BASE_REF", "DiffOptions", "run_diff"]

DEFAULT_BASE_REF = "origin/main"
_EMPTY: Mapping[str, Any] = {"openapi": "3.0.3", "paths": {}}


@dataclass(frozen=True)
class DiffOptions:
    """Every option of `contract-test diff`, with its default; `None` means "not given"."""

    old: str | None = None
    new: str | None = None
    base_ref: str | None = None
    fail_on: Level = Level.ERR
    ignore_file: Path | None = None
    output_format: OutputFormat = OutputFormat.TEXT
    output: Path | None = None
    repo: Path | None = None
    specs_dir: Path = Path("specs")
    today: date | None = None
    deprecation_days_beta: int = 0
    deprecation_days_stable: int = 0

    def __post_init__(self) -> None:
        pair_given = self.old is not None or self.new is not None
        if self.base_ref is not None and pair_given:
            raise DiffError("give either OLD and NEW, or --all [REF], not both")
        if self.base_ref is None and (self.old is None or self.new is None):
            raise DiffError("give two contracts, OLD and NEW (a file or REF:path each), or --all [REF]")
        if min(self.deprecation_days_beta, self.deprecation_days_stable) < 0:
            raise DiffError("deprecation days cannot be negative (0 makes a sunset date optional)")

    def policy(self) -> Policy:
        """The lifecycle policy: `today` (the system date when not given) and the grace periods."""
        today = self.today or date.today()
        return Policy(today, self.deprecation_days_beta, self.deprecation_days_stable)


def run_diff(options: DiffOptions) -> Report:
    """Load the contracts, diff them, apply the ignore file; raise `DiffError` on any input problem."""
    repo = options.repo or Path.cwd()
    config = load_ignore_file(options.ignore_file) if options.ignore_file else IgnoreFile()
    if options.base_ref is not None:
        pairs = contracts_at_ref(options.base_ref, options.specs_dir, repo)
        if not pairs:
            raise DiffError(f"no OpenAPI contract under {options.specs_dir} nor at {options.base_ref}")
    else:
        assert options.old is not None and options.new is not None
        old, new = load_revision(options.old, repo), load_revision(options.new, repo)
        pairs = [ContractPair(new.label, old, new)]
    policy = options.policy()
    findings: list[DriftFinding] = []
    for pair in pairs:
        sources = (_source(pair.old), _source(pair.new))
        findings += diff_documents(_document(pair.old), _document(pair.new), pair.label, sources, policy)
    leveled, overridden = apply_severities(findings, config.severities)
    kept, ignored, unused = apply_ignores(leveled, config.ignores)
    labels = tuple(pair.label for pair in pairs)
    return Report(tuple(kept), tuple(ignored), tuple(unused), labels, tuple(overridden))


def _document(contract: ContractRevision | None) -> Mapping[str, Any]:
    return contract.document if contract is not None else _EMPTY


def _source(contract: ContractRevision | None) -> str:
    return contract.source if contract is not None else "(absent)"
