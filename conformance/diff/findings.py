"""What a diff produces: the `Level` of a change, one `DriftFinding` per change, and the `Report` of a run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.diff.ignores import IgnoreRule, SeverityOverride

__all__ = ["DriftFinding", "Level", "Report", "operation_key"]

_TEMPLATE_VARIABLE = re.compile(r"\{[^}/]*\}")


class Level(StrEnum):
    """How bad a change is for existing clients; the names and meaning are oasdiff's."""

    ERR = "ERR"
    WARN = "WARN"
    INFO = "INFO"

    @property
    def rank(self) -> int:
        """Severity as a number: ERR 3, WARN 2, INFO 1."""
        return {"ERR": 3, "WARN": 2, "INFO": 1}[self.value]

    def at_least(self, threshold: Level) -> bool:
        """Whether this level is as severe as `threshold` or more."""
        return self.rank >= threshold.rank


def operation_key(method: str, path: str) -> str:
    """`METHOD /path` with path variables blanked, so `/a/{id}` and `/a/{itemId}` are the same operation."""
    return f"{method.upper()} {_TEMPLATE_VARIABLE.sub('{}', path)}"


@dataclass(frozen=True)
class DriftFinding:
    """One change between two versions of a contract, classified by a rule of the catalog.

    `message` names what changed ("response property 'status' gained the enum value "x""); `site` names where in the
    operation it was seen ("response 200 application/json"), so one edit reached through many places groups.
    """

    rule_id: str
    level: Level
    method: str
    path: str
    message: str
    contract: str = ""
    site: str = ""

    @property
    def text(self) -> str:
        """The whole sentence: the message, and the site in parentheses."""
        return f"{self.message} ({self.site})" if self.site else self.message

    @property
    def place(self) -> str:
        """The operation and the site: `GET /a (response 200 application/json)`."""
        return f"{self.operation} ({self.site})" if self.site else self.operation

    @property
    def operation(self) -> str:
        """The operation as users write it: `POST /api/chat/{chatuid}`."""
        return f"{self.method} {self.path}"

    @property
    def key(self) -> str:
        """The operation with path variables blanked (see `operation_key`)."""
        return operation_key(self.method, self.path)

    def sort_key(self) -> tuple[str, str, str, int, str, str, str]:
        """Order for reports: contract, path, method, most severe first, rule, message, site."""
        return (self.contract, self.path, self.method, -self.level.rank, self.rule_id, self.message, self.site)

    def as_dict(self) -> dict[str, str]:
        """Plain data for the JSON report."""
        return {
            "contract": self.contract,
            "id": self.rule_id,
            "level": self.level.value,
            "operation": self.operation,
            "message": self.text,
        }


@dataclass(frozen=True)
class Report:
    """The outcome of a diff run: reported findings, ignored ones with their rule, stale ignore lines, and the
    severity overrides that changed a level (with how many findings each changed)."""

    findings: tuple[DriftFinding, ...]
    ignored: tuple[tuple[DriftFinding, IgnoreRule], ...] = ()
    unused_ignores: tuple[IgnoreRule, ...] = ()
    contracts: tuple[str, ...] = field(default=())
    overridden: tuple[tuple[SeverityOverride, int], ...] = ()

    def failing(self, threshold: Level) -> tuple[DriftFinding, ...]:
        """Findings at or above `threshold`; ignored findings never fail."""
        return tuple(finding for finding in self.findings if finding.level.at_least(threshold))

    def counts(self) -> dict[Level, int]:
        """Number of reported findings per level, every level present."""
        counts = dict.fromkeys(Level, 0)
        for finding in self.findings:
            counts[finding.level] += 1
        return counts
