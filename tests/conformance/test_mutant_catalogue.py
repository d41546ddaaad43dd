"""The harness proves its strength: every mutant of the mock fails its campaign, named by the expected check.

A mutant counts as killed when its run fails, the expected check is among the findings, and the same campaign
against the unbroken mock does not report that check (otherwise the finding would prove nothing about the
mutant). Each mutant and its control run once per module; the kill-rate test reuses those runs.

When the harness misses a mutant because of a harness gap, record it in `KNOWN_GAPS` (mutant name -> what is
missing): its test and the kill-rate test become strict xfails, so the suite stays green, the gap stays visible,
and the fix is noticed (a strict xfail that passes fails the suite).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from mock_mutants import CATALOGUE, Mutant

from conformance import Campaign, RunResult
from contracts import contract_names

pytestmark = pytest.mark.slow

KNOWN_GAPS: dict[str, str] = {}
"""Mutants the harness cannot catch yet, with the missing harness piece; empty while the kill rate is 100%."""
MINIMUM_MUTANTS = 14


@dataclass(frozen=True)
class Outcome:
    """What one mutant's campaign and its control campaign reported."""

    mutant: Mutant
    failed: bool
    checks: frozenset[str]
    control_checks: frozenset[str]
    seconds: float
    control_seconds: float

    @property
    def killed(self) -> bool:
        """The run failed on the expected check, which the unbroken mock does not trip."""
        return self.failed and self.mutant.caught_by in self.checks and self.mutant.caught_by not in self.control_checks


def _campaign(mutant: Mutant, broken: bool) -> tuple[RunResult, float]:
    started = time.perf_counter()
    if broken:
        with mutant.app() as app:
            result = Campaign(mutant.settings(), app=app).run()
    else:
        result = Campaign(mutant.settings(), app=mutant.pristine_app()).run()
    return result, time.perf_counter() - started


def _checks(result: RunResult) -> frozenset[str]:
    """Every check a finding names, including the ones its root cause also tripped."""
    return frozenset(check for finding in result.findings for check in finding.checks)


@pytest.fixture(scope="module")
def outcome_of() -> Callable[[Mutant], Outcome]:
    """Run a mutant's campaign and its control once per module; later calls reuse the outcome."""
    outcomes: dict[str, Outcome] = {}

    def run(mutant: Mutant) -> Outcome:
        if mutant.name not in outcomes:
            broken, seconds = _campaign(mutant, broken=True)
            control, control_seconds = _campaign(mutant, broken=False)
            outcomes[mutant.name] = Outcome(
                mutant, broken.failed, _checks(broken), _checks(control), seconds, control_seconds
            )
        return outcomes[mutant.name]

    return run


def test_catalogue_covers_every_vendor_with_distinct_mutants() -> None:
    names = [mutant.name for mutant in CATALOGUE]
    assert len(names) >= MINIMUM_MUTANTS
    assert len(set(names)) == len(names)
    assert {mutant.spec for mutant in CATALOGUE} == set(contract_names())
    assert all(mutant.breaks and mutant.operations for mutant in CATALOGUE)
    assert set(KNOWN_GAPS) <= set(names)


@pytest.mark.parametrize(
    "mutant",
    [
        pytest.param(mutant, id=mutant.name, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[mutant.name])])
        if mutant.name in KNOWN_GAPS
        else pytest.param(mutant, id=mutant.name)
        for mutant in CATALOGUE
    ],
)
def test_harness_fails_the_mutant_naming_the_expected_check(
    mutant: Mutant, outcome_of: Callable[[Mutant], Outcome]
) -> None:
    outcome = outcome_of(mutant)
    assert outcome.failed, f"{mutant.name}: the run passed, though {mutant.breaks}"
    assert mutant.caught_by in outcome.checks, (
        f"{mutant.name}: expected check {mutant.caught_by!r}, the run reported only {sorted(outcome.checks)}"
    )
    assert mutant.caught_by not in outcome.control_checks, (
        f"{mutant.name}: the unbroken mock also fails {mutant.caught_by!r}, so this finding proves nothing"
    )


def _table(outcomes: list[Outcome]) -> str:
    rows = [f"{'mutant':<44} {'caught by':<32} {'killed':<6} {'mutant s':>8} {'control s':>9}"]
    for outcome in outcomes:
        verdict = "yes" if outcome.killed else "NO"
        rows.append(
            f"{outcome.mutant.name:<44} {outcome.mutant.caught_by:<32} {verdict:<6} "
            f"{outcome.seconds:>8.1f} {outcome.control_seconds:>9.1f}"
        )
    killed = sum(outcome.killed for outcome in outcomes)
    total = sum(outcome.seconds + outcome.control_seconds for outcome in outcomes)
    rows.append(f"kill rate {killed}/{len(outcomes)} = {killed / len(outcomes):.0%}; {total:.1f} s with controls")
    return "\n".join(rows)


@pytest.mark.xfail(bool(KNOWN_GAPS), strict=True, reason=f"known harness gaps: {sorted(KNOWN_GAPS)}")
def test_kill_rate_over_the_catalogue_is_total(
    outcome_of: Callable[[Mutant], Outcome], capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = [outcome_of(mutant) for mutant in CATALOGUE]
    with capsys.disabled():
        print("\n" + _table(outcomes))
    missed = sorted(outcome.mutant.name for outcome in outcomes if not outcome.killed)
    assert sum(outcome.killed for outcome in outcomes) / len(outcomes) == 1.0, f"missed {missed}; see the table"
