"""Live progress while a run is going: current contract, operation and phase, cases sent, failures so far, the time
elapsed and an estimate of the time left."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text
from schemathesis.engine import Status, events

__all__ = ["TESTING_PHASES", "NullProgress", "Progress", "ProgressState", "RichProgress", "format_seconds"]

TESTING_PHASES = frozenset({"examples", "coverage", "fuzzing", "stateful"})
"""The engine phases that send test cases; probing and schema analysis take no measurable share of a run."""


class Progress(Protocol):
    """Receives the engine's events of each contract's campaign."""

    def start(self, spec: str, operations: int, phases: int, budget: float | None) -> None: ...  # pragma: no cover

    def event(self, event: events.EngineEvent) -> None: ...  # pragma: no cover

    def finish(self) -> None: ...  # pragma: no cover


def format_seconds(seconds: float) -> str:
    """`42s`, `3m05s`, `1h02m`."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


@dataclass
class ProgressState:
    """What the display shows; kept apart from rendering so it can be tested (`now` is injectable)."""

    spec: str = ""
    operations: int = 0
    phases: int = 1
    budget: float | None = None
    """`--max-time` seconds left for this contract, when given."""
    phase: str = ""
    operation: str = ""
    cases: int = 0
    failures: int = 0
    done: int = 0
    phases_done: int = 0
    started: float = field(default_factory=time.monotonic)

    def update(self, event: events.EngineEvent) -> None:
        """Fold one engine event into the state."""
        if isinstance(event, events.PhaseStarted):
            self.phase = event.phase.name.value
            self.done = 0
        elif isinstance(event, events.PhaseFinished) and event.phase.name.value in TESTING_PHASES:
            self.phases_done += 1
            self.done = 0
        elif isinstance(event, events.ScenarioStarted) and event.label:
            self.operation = event.label
        elif isinstance(event, events.ScenarioFinished):
            self.done += 1
            self.cases += len(event.recorder.cases)
            if event.status == Status.FAILURE:
                self.failures += sum(
                    1 for checks in event.recorder.checks.values() for check in checks if check.status == Status.FAILURE
                )

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since the contract's campaign started."""
        return (time.monotonic() if now is None else now) - self.started

    def fraction(self) -> float:
        """How much of the campaign is done, by finished phases and scenarios of the current one."""
        within = min(self.done / self.operations, 1.0) if self.operations else 0.0
        return min((self.phases_done + within) / max(self.phases, 1), 1.0)

    def remaining(self, now: float | None = None) -> float | None:
        """Estimated seconds left (capped by the time budget), or None before anything finished."""
        elapsed, fraction = self.elapsed(now), self.fraction()
        estimate = elapsed * (1 - fraction) / fraction if fraction > 0 else None
        if self.budget is not None:
            left = max(self.budget - elapsed, 0.0)
            return left if estimate is None else min(estimate, left)
        return estimate

    def timing(self, now: float | None = None) -> str:
        """`12s elapsed, about 40s left`."""
        remaining = self.remaining(now)
        estimate = "estimating..." if remaining is None else f"about {format_seconds(remaining)} left"
        return f"{format_seconds(self.elapsed(now))} elapsed, {estimate}"


class NullProgress:
    """No display (CI logs, pytest, `--progress off`)."""

    def start(self, spec: str, operations: int, phases: int, budget: float | None) -> None:
        """Nothing to show."""

    def event(self, event: events.EngineEvent) -> None:
        """Nothing to show."""

    def finish(self) -> None:
        """Nothing to show."""


class RichProgress:
    """A `rich` live panel, refreshed as events arrive."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.state = ProgressState()
        self.live: Live | None = None

    def start(self, spec: str, operations: int, phases: int, budget: float | None) -> None:
        """Begin a contract's panel."""
        self.finish()
        self.state = ProgressState(spec=spec, operations=operations, phases=phases, budget=budget)
        self.live = Live(self._render(), console=self.console, refresh_per_second=4, transient=True)
        self.live.start()

    def event(self, event: events.EngineEvent) -> None:
        """Update the panel."""
        self.state.update(event)
        if self.live is not None:
            self.live.update(self._render())

    def finish(self) -> None:
        """Close the panel and leave a one-line summary."""
        if self.live is not None:
            self.live.stop()
            self.live = None
            s = self.state
            self.console.print(
                f"[bold]{s.spec}[/]: {s.cases} cases, {s.failures} failing check(s) in {format_seconds(s.elapsed())}"
            )

    def _render(self) -> Group:
        s = self.state
        table = Table.grid(padding=(0, 2))
        table.add_row("contract", Text(s.spec, style="bold"))
        table.add_row("phase", f"{s.phase} ({s.done}/{s.operations} operations)")
        table.add_row("operation", s.operation)
        table.add_row("cases", str(s.cases))
        table.add_row("failures", Text(str(s.failures), style="red" if s.failures else "green"))
        table.add_row("time", s.timing())
        return Group(table)
