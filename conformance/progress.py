"""Live progress while a run is going: current contract, operation and phase, cases sent, failures so far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text
from schemathesis.engine import Status, events

__all__ = ["NullProgress", "Progress", "ProgressState", "RichProgress"]


class Progress(Protocol):
    """Receives the engine's events of each contract's campaign."""

    def start(self, spec: str, operations: int) -> None: ...  # pragma: no cover

    def event(self, event: events.EngineEvent) -> None: ...  # pragma: no cover

    def finish(self) -> None: ...  # pragma: no cover


@dataclass
class ProgressState:
    """What the display shows; kept apart from rendering so it can be tested."""

    spec: str = ""
    operations: int = 0
    phase: str = ""
    operation: str = ""
    cases: int = 0
    failures: int = 0
    done: int = 0

    def update(self, event: events.EngineEvent) -> None:
        """Fold one engine event into the state."""
        if isinstance(event, events.PhaseStarted):
            self.phase = event.phase.name.value
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


class NullProgress:
    """No display (CI logs, pytest, `--progress off`)."""

    def start(self, spec: str, operations: int) -> None:
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

    def start(self, spec: str, operations: int) -> None:
        """Begin a contract's panel."""
        self.finish()
        self.state = ProgressState(spec=spec, operations=operations)
        self.live = Live(self._render(), console=self.console, refresh_per_second=8, transient=True)
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
            self.console.print(f"[bold]{s.spec}[/]: {s.cases} cases, {s.failures} failing check(s)")

    def _render(self) -> Group:
        s = self.state
        table = Table.grid(padding=(0, 2))
        table.add_row("contract", Text(s.spec, style="bold"))
        table.add_row("phase", f"{s.phase} ({s.done}/{s.operations} operations)")
        table.add_row("operation", s.operation)
        table.add_row("cases", str(s.cases))
        table.add_row("failures", Text(str(s.failures), style="red" if s.failures else "green"))
        return Group(table)
