"""Write a `Report` as text (terminal), Markdown (pull-request comment), JSON or JUnit XML (CI).

Text and Markdown are read by people: one edit seen at many places (a shared schema reached through several
operations and statuses) is one entry listing the places, and entries come most severe first. JSON and JUnit are
read by machines: one record per finding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from xml.etree import ElementTree

from conformance.diff.catalog import RULES
from conformance.diff.findings import DriftFinding, Level, Report

__all__ = ["Entry", "OutputFormat", "entries", "render", "summary_line"]


class OutputFormat(StrEnum):
    """The report formats of `contract-test diff --format`."""

    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"
    JUNIT = "junit"


def render(report: Report, output_format: OutputFormat, fail_on: Level) -> str:
    """The report in `output_format`; findings at or above `fail_on` are the failing ones."""
    return _RENDERERS[output_format](report, fail_on)


def summary_line(report: Report, fail_on: Level) -> str:
    """One line: counts per level, ignored findings, and whether the gate passes."""
    counts = report.counts()
    total = len(report.findings)
    parts = ", ".join(f"{counts[level]} {level.value}" for level in Level)
    ignored = f", {len(report.ignored)} ignored" if report.ignored else ""
    failing = len(report.failing(fail_on))
    verdict = f"FAILED: {failing} at or above {fail_on.value}" if failing else f"passed (--fail-on {fail_on.value})"
    noun = "finding" if total == 1 else "findings"
    return f"{total} {noun} ({parts}){ignored}: {verdict}"


@dataclass(frozen=True)
class Entry:
    """Findings of one rule with the same message in one contract, at every place they were seen."""

    level: Level
    rule_id: str
    contract: str
    message: str
    places: tuple[DriftFinding, ...]


def entries(findings: Iterable[DriftFinding]) -> list[Entry]:
    """Findings grouped by contract, rule and message, most severe first (ERR, WARN, INFO)."""
    groups: dict[tuple[str, Level, str, str], list[DriftFinding]] = {}
    for finding in findings:
        groups.setdefault((finding.contract, finding.level, finding.rule_id, finding.message), []).append(finding)
    grouped = [
        Entry(level, rule_id, contract, message, tuple(sorted(places, key=lambda finding: finding.place)))
        for (contract, level, rule_id, message), places in groups.items()
    ]
    return sorted(grouped, key=lambda entry: (-entry.level.rank, entry.contract, entry.rule_id, entry.places[0].place))


def _text(report: Report, fail_on: Level) -> str:
    lines: list[str] = []
    width = max((len(finding.rule_id) for finding in report.findings), default=0)
    multi = len(report.contracts) > 1
    for entry in entries(report.findings):
        head = f"{entry.level.value:<4}  {entry.rule_id:<{width}}  " + (f"[{entry.contract}] " if multi else "")
        if len(entry.places) == 1:
            lines.append(f"{head}{entry.places[0].operation}: {entry.places[0].text}")
            continue
        lines.append(f"{head}{entry.message}, at {len(entry.places)} places:")
        lines += [f"{'':<{width + 8}}{finding.place}" for finding in entry.places]
    for finding, rule in report.ignored:
        lines.append(f"ignored  {finding.rule_id}  {finding.operation} ({rule.source}:{rule.line}: {rule.reason})")
    for rule in report.unused_ignores:
        lines.append(f"note: ignore line {rule} matched no finding; remove it if the change is gone")
    lines += [
        f"note: {override} {_because(override.reason)}set the level of {count} finding(s)"
        for override, count in report.overridden
    ]
    lines.append(summary_line(report, fail_on))
    return "\n".join(lines) + "\n"


def _because(reason: str) -> str:
    return f"({reason}) " if reason else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(items: list[Entry], multi: bool) -> list[str]:
    header = "| Level | Rule | " + ("Contract | " if multi else "") + "Change | Where |"
    lines = [header, "|" + "---|" * (5 if multi else 4)]
    for entry in items:
        contract = f"{_cell(entry.contract)} | " if multi else ""
        where = "<br>".join(
            f"`{_cell(finding.operation)}`" + (f" {_cell(finding.site)}" if finding.site else "")
            for finding in entry.places
        )
        lines.append(f"| {entry.level.value} | `{entry.rule_id}` | {contract}{_cell(entry.message)} | {where} |")
    return [*lines, ""]


def _markdown(report: Report, fail_on: Level) -> str:
    failing = report.failing(fail_on)
    icon = ":x:" if failing else ":white_check_mark:"
    lines = [f"### {icon} Contract drift", "", summary_line(report, fail_on), ""]
    multi = len(report.contracts) > 1
    grouped = entries(report.findings)
    major = [entry for entry in grouped if entry.level is not Level.INFO]
    minor = [entry for entry in grouped if entry.level is Level.INFO]
    if major:
        lines += _table(major, multi)
    if minor:
        lines += [f"<details><summary>{len(minor)} INFO change(s), for the changelog</summary>", ""]
        lines += [*_table(minor, multi), "</details>", ""]
    if report.overridden:
        lines += [
            f"Severity set by the ignore file: `{override.rule_id}` {override.level.value} "
            f"({count} finding(s)){': ' + _cell(override.reason) if override.reason else ''}"
            for override, count in report.overridden
        ]
        lines.append("")
    if report.ignored:
        lines += ["<details><summary>Ignored findings</summary>", ""]
        lines += [
            f"- `{finding.rule_id}` `{_cell(finding.operation)}`: {_cell(rule.reason)}"
            for finding, rule in report.ignored
        ]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def _json(report: Report, fail_on: Level) -> str:
    document = {
        "summary": {
            "fail_on": fail_on.value,
            "passed": not report.failing(fail_on),
            "counts": {level.value: count for level, count in report.counts().items()},
            "ignored": len(report.ignored),
        },
        "contracts": list(report.contracts),
        "findings": [_finding_data(finding) for finding in report.findings],
        "ignored": [
            {**_finding_data(finding), "reason": rule.reason, "ignore_line": f"{rule.source}:{rule.line}"}
            for finding, rule in report.ignored
        ],
        "severity_overrides": [
            {
                "id": override.rule_id,
                "level": override.level.value,
                "findings": count,
                "reason": override.reason,
                "ignore_line": f"{override.source}:{override.line}",
            }
            for override, count in report.overridden
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _finding_data(finding: DriftFinding) -> dict[str, str | None]:
    data: dict[str, str | None] = dict(finding.as_dict())
    data["oasdiff_id"] = RULES[finding.rule_id].oasdiff_id
    return data


def _junit(report: Report, fail_on: Level) -> str:
    suites = ElementTree.Element("testsuites", name="contract drift")
    contracts = list(report.contracts) or sorted({finding.contract for finding in report.findings})
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for contract in contracts or [""]:
        suite = ElementTree.SubElement(suites, "testsuite", name=f"contract drift {contract}".strip())
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for finding in (finding for finding in report.findings if finding.contract == contract):
            case = _case(suite, finding)
            counts["tests"] += 1
            if finding.level.at_least(fail_on):
                counts["failures"] += 1
                failure = ElementTree.SubElement(case, "failure", type=finding.level.value, message=finding.text)
                failure.text = f"{finding.level.value} {finding.rule_id}: {finding.operation}: {finding.text}"
        for finding, rule in report.ignored:
            if finding.contract == contract:
                counts["tests"] += 1
                counts["skipped"] += 1
                ElementTree.SubElement(_case(suite, finding), "skipped", message=f"ignored: {rule.reason}")
        if counts["tests"] == 0:
            ElementTree.SubElement(suite, "testcase", classname=contract or "contract", name="no changes found")
            counts["tests"] = 1
        _set_counts(suite, counts)
        totals = {key: totals[key] + counts[key] for key in totals}
    _set_counts(suites, totals)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


def _case(suite: ElementTree.Element, finding: DriftFinding) -> ElementTree.Element:
    classname = f"{finding.contract}.{finding.operation}" if finding.contract else finding.operation
    return ElementTree.SubElement(suite, "testcase", classname=classname, name=f"{finding.rule_id}: {finding.text}")


def _set_counts(element: ElementTree.Element, counts: Mapping[str, int]) -> None:
    element.set("tests", str(counts["tests"]))
    element.set("failures", str(counts["failures"]))
    element.set("skipped", str(counts["skipped"]))
    element.set("errors", "0")


_RENDERERS: Mapping[OutputFormat, Callable[[Report, Level], str]] = {
    OutputFormat.TEXT: _text,
    OutputFormat.MARKDOWN: _markdown,
    OutputFormat.JSON: _json,
    OutputFormat.JUNIT: _junit,
}
