"""JUnit XML: one test case per operation and check, so CI systems list each separately."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from conformance.results import Finding, RunResult, SpecResult

__all__ = ["COVERAGE_CHECK", "render_junit", "write_junit"]

COVERAGE_CHECK = "documented_responses_observed"


def _suite(spec: SpecResult, fail_on_unobserved: bool) -> ET.Element:
    findings: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in spec.findings:
        findings[(finding.operation, finding.check)].append(finding)
    pairs = {(op, check) for op, checks in spec.checks_run.items() for check in checks} | set(findings)
    suite = ET.Element("testsuite", name=spec.spec, time=f"{spec.duration:.3f}")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    # Checks a root cause tripped besides the one naming it: noted, not failed again (one cause, one failure).
    echoes: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in spec.findings:
        for other in finding.also:
            echoes[(finding.operation, other)].append(finding)
    for operation, check in sorted(pairs):
        coverage = spec.coverage.operations.get(operation)
        operation_id = coverage.operation_id if coverage else operation
        case = ET.SubElement(suite, "testcase", classname=f"{spec.spec}.{operation_id}", name=check)
        counts["tests"] += 1
        new = [f for f in findings.get((operation, check), []) if not f.known]
        known = [f for f in findings.get((operation, check), []) if f.known]
        if new:
            counts["failures"] += 1
            failure = ET.SubElement(case, "failure", message=new[0].title, type=check)
            failure.text = "\n\n".join(f.render() for f in new)
        elif known:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=f"accepted by the baseline: {known[0].title}")
        elif echoes.get((operation, check)):
            causes = echoes[(operation, check)]
            ET.SubElement(case, "system-out").text = "\n".join(
                f"also tripped by the root cause reported under {f.check}: {f.title}" for f in causes
            )
    for label, coverage in spec.coverage.operations.items():
        missing = [u for u in coverage.unobserved() if u.exempt_reason is None]
        case = ET.SubElement(suite, "testcase", classname=f"{spec.spec}.{coverage.operation_id}", name=COVERAGE_CHECK)
        counts["tests"] += 1
        if missing:
            text = "\n".join(
                f"{label}: documented {u.status} {u.media_type}".rstrip() + " never observed" for u in missing
            )
            if fail_on_unobserved:
                counts["failures"] += 1
                ET.SubElement(
                    case, "failure", message="documented responses never observed", type=COVERAGE_CHECK
                ).text = text
            else:
                ET.SubElement(case, "system-out").text = text
    for error in spec.errors:
        case = ET.SubElement(suite, "testcase", classname=f"{spec.spec}.engine", name=f"error:{error.kind.value}")
        ET.SubElement(case, "error", message=error.render()[:200]).text = error.render()
        counts["tests"] += 1
        counts["errors"] += 1
    if spec.untested is not None:
        case = ET.SubElement(suite, "testcase", classname=f"{spec.spec}.verdict", name="tested")
        ET.SubElement(case, "error", message=spec.untested[:200]).text = spec.untested
        counts["tests"] += 1
        counts["errors"] += 1
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def render_junit(result: RunResult) -> str:
    """The JUnit XML document."""
    root = ET.Element("testsuites", name="contract-test")
    for spec in result.specs:
        root.append(_suite(spec, result.fail_on_unobserved))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def write_junit(result: RunResult, path: Path) -> None:
    """Write the JUnit XML report."""
    path.write_text(render_junit(result) + "\n", encoding="utf-8")
