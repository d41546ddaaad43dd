"""The ignore file: accepted changes (`METHOD /path rule-id reason`) and severity overrides (`severity rule-id LEVEL`).

Blank lines and lines starting with `#` are skipped. METHOD may be `*` for every method; path variables match
whatever their name (`/a/{id}` ignores `/a/{itemId}`). The reason is mandatory on an ignore line, and on a
severity line that lowers a rule's level: an accepted breaking change without a why is a future surprise. Raising
a level needs no reason. A malformed line stops the run with the file, the line and what is wrong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from conformance.diff.catalog import RULES
from conformance.diff.errors import IgnoreFileError
from conformance.diff.findings import DriftFinding, Level, operation_key
from conformance.diff.operations import HTTP_METHODS
from conformance.errors import did_you_mean

__all__ = [
    "IgnoreFile",
    "IgnoreRule",
    "SeverityOverride",
    "apply_ignores",
    "apply_severities",
    "load_ignore_file",
    "parse_ignore_lines",
]

_METHODS = frozenset(method.upper() for method in HTTP_METHODS) | {"*"}
_SEVERITY = "severity"
_FORMS = "METHOD /path rule-id reason, or severity rule-id LEVEL reason"
# A problem in, the error naming the file and the line out.
_Fail = Callable[[str], IgnoreFileError]


@dataclass(frozen=True)
class IgnoreRule:
    """One accepted change, with where it was written."""

    method: str
    path: str
    rule_id: str
    reason: str
    source: str = ""
    line: int = 0

    def matches(self, finding: DriftFinding) -> bool:
        """Whether this line accepts `finding`."""
        if finding.rule_id != self.rule_id:
            return False
        method = finding.method if self.method == "*" else self.method
        return operation_key(method, self.path) == finding.key

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.method} {self.path} {self.rule_id}"


@dataclass(frozen=True)
class SeverityOverride:
    """A rule reported at another level than the catalogue's, everywhere, with where it was written."""

    rule_id: str
    level: Level
    reason: str = ""
    source: str = ""
    line: int = 0

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: severity {self.rule_id} {self.level.value}"


@dataclass(frozen=True)
class IgnoreFile:
    """What an ignore file says: the accepted changes and the severity overrides."""

    ignores: tuple[IgnoreRule, ...] = ()
    severities: tuple[SeverityOverride, ...] = ()


def parse_ignore_lines(lines: Iterable[str], source: str) -> IgnoreFile:
    """Parse ignore-file lines; raise `IgnoreFileError` naming `source`, the line and the problem."""
    ignores: list[IgnoreRule] = []
    severities: dict[str, SeverityOverride] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(None, 3)

        def fail(problem: str, line: int = number) -> IgnoreFileError:
            return IgnoreFileError(f"{source}, line {line}: {problem} (expected: {_FORMS})")

        if len(parts) < 3:
            raise fail(f"{text!r} has only {len(parts)} field(s)")
        reason = parts[3].lstrip("#").strip() if len(parts) > 3 else ""
        _check_rule_id(parts[2] if parts[0].lower() != _SEVERITY else parts[1], fail)
        if parts[0].lower() == _SEVERITY:
            override = _severity(parts[1], parts[2], reason, fail)
            if override.rule_id in severities:
                raise fail(
                    f"the severity of {override.rule_id} is already set at line {severities[override.rule_id].line}"
                )
            severities[override.rule_id] = dataclasses.replace(override, source=source, line=number)
            continue
        method, path, rule_id = parts[0].upper(), parts[1], parts[2]
        if method not in _METHODS:
            hint = did_you_mean(parts[0].upper(), sorted(_METHODS))
            raise fail(f"unknown method {parts[0]!r}.{hint} Use one of {', '.join(sorted(_METHODS))} or 'severity'")
        if not path.startswith("/"):
            raise fail(f"the path {path!r} does not start with '/'")
        if not reason:
            raise fail(f"no reason given for ignoring {rule_id} on {method} {path}")
        ignores.append(IgnoreRule(method, path, rule_id, reason, source, number))
    return IgnoreFile(tuple(ignores), tuple(severities.values()))


def _check_rule_id(rule_id: str, fail: _Fail) -> None:
    if rule_id not in RULES:
        raise fail(f"unknown rule id {rule_id!r}.{did_you_mean(rule_id, RULES)}")


def _severity(rule_id: str, level: str, reason: str, fail: _Fail) -> SeverityOverride:
    choices = [choice.value for choice in Level]
    if level.upper() not in choices:
        raise fail(
            f"{level!r} is not a level.{did_you_mean(level.upper(), choices)} Valid choices: {', '.join(choices)}"
        )
    override = SeverityOverride(rule_id, Level(level.upper()), reason)
    catalogued = RULES[rule_id].level
    if override.level.rank < catalogued.rank and not reason:
        raise fail(f"no reason given for lowering {rule_id} from {catalogued.value} to {override.level.value}")
    return override


def load_ignore_file(path: Path) -> IgnoreFile:
    """Read and parse an ignore file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise IgnoreFileError(f"cannot read the ignore file {path}: {error}") from error
    return parse_ignore_lines(text.splitlines(), str(path))


def apply_severities(
    findings: Iterable[DriftFinding], overrides: Iterable[SeverityOverride]
) -> tuple[list[DriftFinding], list[tuple[SeverityOverride, int]]]:
    """Findings at their overridden levels, and each override that changed some with how many it changed."""
    by_rule = {override.rule_id: override for override in overrides}
    counts: dict[str, int] = {}
    result: list[DriftFinding] = []
    for finding in findings:
        override = by_rule.get(finding.rule_id)
        if override is not None and override.level != finding.level:
            finding = dataclasses.replace(finding, level=override.level)
            counts[override.rule_id] = counts.get(override.rule_id, 0) + 1
        result.append(finding)
    return result, [(by_rule[rule_id], count) for rule_id, count in sorted(counts.items())]


def apply_ignores(
    findings: Iterable[DriftFinding], rules: Iterable[IgnoreRule]
) -> tuple[list[DriftFinding], list[tuple[DriftFinding, IgnoreRule]], list[IgnoreRule]]:
    """Split findings into kept and ignored (with the line that ignored each); also return unused lines."""
    rules = list(rules)
    kept: list[DriftFinding] = []
    ignored: list[tuple[DriftFinding, IgnoreRule]] = []
    used: set[IgnoreRule] = set()
    for finding in findings:
        rule = next((rule for rule in rules if rule.matches(finding)), None)
        if rule is None:
            kept.append(finding)
        else:
            ignored.append((finding, rule))
            used.add(rule)
    return kept, ignored, [rule for rule in rules if rule not in used]
