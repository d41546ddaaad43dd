"""The end-of-run text summary: failures grouped by contract, operation and check, each with its
reproduction and seed; then unobserved documented responses, suppressed false positives and the verdict."""

from __future__ import annotations

from collections import defaultdict

from conformance.results import Finding, RunResult, SpecResult

__all__ = ["render_summary"]

MAX_UNOBSERVED_LINES = 40


def _grouped(findings: list[Finding]) -> dict[tuple[str, str], list[Finding]]:
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(finding.operation, finding.check)].append(finding)
    return dict(sorted(groups.items()))


def _spec(spec: SpecResult, fail_on_unobserved: bool) -> list[str]:
    lines = [
        f"== {spec.spec} ({spec.base_url}) seed {spec.seed}: {spec.cases} cases in {spec.duration:.1f}s, "
        f"{len(spec.new_findings)} failure(s), stop: {spec.stop_reason}"
    ]
    lines.extend(f"   {note}" for note in spec.notes)
    for (operation, check), findings in _grouped(spec.findings).items():
        known = " [accepted by baseline]" if all(f.known for f in findings) else ""
        lines.append(f"-- {operation} / {check}{known}")
        lines.extend(f.render() for f in findings)
    unobserved = spec.coverage.unobserved()
    if unobserved:
        failing = [u for u in unobserved if u.exempt_reason is None]
        verb = "failing" if fail_on_unobserved and failing else "reported"
        lines.append(
            f"-- documented responses never observed ({len(failing)} {verb}, {len(unobserved) - len(failing)} exempt):"
        )
        for item in failing[:MAX_UNOBSERVED_LINES]:
            lines.append(f"   {item.operation}: {item.status} {item.media_type}".rstrip())
        if len(failing) > MAX_UNOBSERVED_LINES:
            lines.append(f"   ... and {len(failing) - MAX_UNOBSERVED_LINES} more (see the reports)")
    for entry, count in sorted(spec.suppressed.items()):
        lines.append(f"-- suppressed known false positive {entry}: {count} time(s)")
    lines.extend(f"!! error: {error}" for error in spec.errors)
    return lines


def render_summary(result: RunResult) -> str:
    """The whole summary as text (secrets already masked by the collector)."""
    lines: list[str] = []
    for spec in result.specs:
        lines.extend(_spec(spec, result.fail_on_unobserved))
    new = sum(len(s.new_findings) for s in result.specs)
    verdict = "CONFORMANT" if not result.failed else f"VIOLATIONS FOUND ({new} failure(s))"
    lines.append(f"Result: {verdict}; exit code {result.exit_code}")
    return "\n".join(lines)
