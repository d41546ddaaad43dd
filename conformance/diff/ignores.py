"""The ignore file: accepted changes, one per line as `METHOD /path rule-id reason`.

Blank lines and lines starting with `#` are skipped. METHOD may be `*` for every method; path variables match
whatever their name (`/a/{id}` ignores `/a/{itemId}`). The reason is mandatory: an accepted breaking change
without a why is a future surprise. A malformed line stops the run with the file, the line and what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from conformance.diff.catalog import RULES
from conformance.diff.errors import IgnoreFileError
from conformance.diff.findings import Finding, operation_key
from conformance.diff.operations import HTTP_METHODS
from conformance.errors import did_you_mean

__all__ = ["IgnoreRule", "apply_ignores", "load_ignore_file", "parse_ignore_lines"]

_METHODS = frozenset(method.upper() for method in HTTP_METHODS) | {"*"}


@dataclass(frozen=True)
class IgnoreRule:
    """One accepted change, with where it was written."""

    method: str
    path: str
    rule_id: str
    reason: str
    source: str = ""
    line: int = 0

    def matches(self, finding: Finding) -> bool:
        """Whether this line accepts `finding`."""
        if finding.rule_id != self.rule_id:
            return False
        method = finding.method if self.method == "*" else self.method
        return operation_key(method, self.path) == finding.key

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.method} {self.path} {self.rule_id}"


def parse_ignore_lines(lines: Iterable[str], source: str) -> list[IgnoreRule]:
    """Parse ignore-file lines; raise `IgnoreFileError` naming `source`, the line and the problem."""
    rules: list[IgnoreRule] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(None, 3)

        def fail(problem: str, line: int = number) -> IgnoreFileError:
            return IgnoreFileError(f"{source}, line {line}: {problem} (expected: METHOD /path rule-id reason)")

        if len(parts) < 3:
            raise fail(f"{text!r} has only {len(parts)} field(s)")
        method, path, rule_id = parts[0].upper(), parts[1], parts[2]
        reason = parts[3].lstrip("#").strip() if len(parts) > 3 else ""
        if method not in _METHODS:
            raise fail(f"unknown method {parts[0]!r}; use one of {', '.join(sorted(_METHODS))}")
        if not path.startswith("/"):
            raise fail(f"the path {path!r} does not start with '/'")
        if rule_id not in RULES:
            raise fail(f"unknown rule id {rule_id!r}.{did_you_mean(rule_id, RULES)}")
        if not reason:
            raise fail(f"no reason given for ignoring {rule_id} on {method} {path}")
        rules.append(IgnoreRule(method, path, rule_id, reason, source, number))
    return rules


def load_ignore_file(path: Path) -> list[IgnoreRule]:
    """Read and parse an ignore file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise IgnoreFileError(f"cannot read the ignore file {path}: {error}") from error
    return parse_ignore_lines(text.splitlines(), str(path))


def apply_ignores(
    findings: Iterable[Finding], rules: Iterable[IgnoreRule]
) -> tuple[list[Finding], list[tuple[Finding, IgnoreRule]], list[IgnoreRule]]:
    """Split findings into kept and ignored (with the line that ignored each); also return unused lines."""
    rules = list(rules)
    kept: list[Finding] = []
    ignored: list[tuple[Finding, IgnoreRule]] = []
    used: set[IgnoreRule] = set()
    for finding in findings:
        rule = next((rule for rule in rules if rule.matches(finding)), None)
        if rule is None:
            kept.append(finding)
        else:
            ignored.append((finding, rule))
            used.add(rule)
    return kept, ignored, [rule for rule in rules if rule not in used]
