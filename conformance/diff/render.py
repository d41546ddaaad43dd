"""Write a `Report` as text (terminal), Markdown (pull-request comment), JSON or JUnit XML (CI)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from enum import StrEnum
from xml.etree import ElementTree

from conformance.diff.catalog import RULES
from conformance.diff.findings import Finding, Level, Report

__all__ = ["OutputFormat", "render", "summary_line"]


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


def _text(report: Report, fail_on: Level) -> str:
    lines: list[str] = []
    width = max((len(finding.rule_id) for finding in report.findings), default=0)
    contract = None
    for finding in report.findings:
        if finding.contract != contract and len(report.contracts) > 1:
            contract = finding.contract
            lines.append(f"== {contract}")
        lines.append(f"{finding.level.value:<4}  {finding.rule_id:<{width}}  {finding.operation}: {finding.message}")
    for finding, rule in report.ignored:
        lines.append(f"ignored  {finding.rule_id}  {finding.operation} ({rule.source}:{rule.line}: {rule.reason})")
    for rule in report.unused_ignores:
        lines.append(f"note: ignore line {rule} matched no finding; remove it if the change is gone")
    lines.append(summary_line(report, fail_on))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(report: Report, fail_on: Level) -> str:
    failing = report.failing(fail_on)
    icon = ":x:" if failing else ":white_check_mark:"
    lines = [f"### {icon} Contract drift", "", summary_line(report, fail_on), ""]
    if report.findings:
        multi = len(report.contracts) > 1
        header = "| Level | Rule | " + ("Contract | " if multi else "") + "Operation | Change |"
        lines += [header, "|" + "---|" * (5 if multi else 4)]
        for finding in report.findings:
            contract = f"{_cell(finding.contract)} | " if multi else ""
            lines.append(
                f"| {finding.level.value} | `{finding.rule_id}` | {contract}`{_cell(finding.operation)}` "
                f"| {_cell(finding.message)} |"
            )
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
    }
    return json.dumps(document, indent=2) + "\n"


def _finding_data(finding: Finding) -> dict[str, str]:
    data = finding.as_dict()
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
                failure = ElementTree.SubElement(case, "failure", type=finding.level.value, message=finding.message)
                failure.text = f"{finding.level.value} {finding.rule_id}: {finding.operation}: {finding.message}"
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


def _case(suite: ElementTree.Element, finding: Finding) -> ElementTree.Element:
    classname = f"{finding.contract}.{finding.operation}" if finding.contract else finding.operation
    return ElementTree.SubElement(suite, "testcase", classname=classname, name=f"{finding.rule_id}: {finding.message}")


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
