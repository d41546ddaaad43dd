"""The end-of-run text summary: per contract, how many cases reached the implementation and were judged, then each
root cause (with every check its answer tripped) and its reproduction, unobserved documented responses, suppressed
false positives, errors (each once, with a count), and the verdict."""

from __future__ import annotations

from collections import defaultdict

from conformance.results import Finding, RunResult, SpecResult, Verdict

__all__ = ["render_summary"]

MAX_UNOBSERVED_LINES = 40


def _grouped(findings: list[Finding]) -> dict[tuple[str, tuple[str, ...]], list[Finding]]:
    groups: dict[tuple[str, tuple[str, ...]], list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(finding.operation, finding.checks)].append(finding)
    return dict(sorted(groups.items()))


def _header(spec: SpecResult) -> str:
    counts = spec.counts
    return (
        f"== {spec.spec} ({spec.base_url}) seed {spec.seed}: {counts.answered} of {counts.sent} cases reached the "
        f"implementation, {counts.judged} judged, in {spec.duration:.1f}s ({spec.cases_per_second:.1f} cases/s); "
        f"{len(spec.new_findings)} failure(s); stop: {spec.stop_reason}"
    )


def _unobserved(spec: SpecResult, fail_on_unobserved: bool, verbose: bool) -> list[str]:
    unobserved = spec.coverage.unobserved()
    if not unobserved:
        return []
    failing = [u for u in unobserved if u.exempt_reason is None]
    exempt = [u for u in unobserved if u.exempt_reason is not None]
    verb = "failing" if fail_on_unobserved and failing else "reported"
    hint = "" if verbose or not exempt else "; --verbose lists the exempt ones"
    lines = [f"-- documented responses never observed ({len(failing)} {verb}, {len(exempt)} exempt{hint}):"]
    for item in failing[:MAX_UNOBSERVED_LINES]:
        lines.append(f"   {item.operation}: {item.status} {item.media_type}".rstrip())
    if len(failing) > MAX_UNOBSERVED_LINES:
        lines.append(f"   ... and {len(failing) - MAX_UNOBSERVED_LINES} more (see the reports)")
    if verbose:
        lines.extend(
            f"   {u.operation}: {u.status} {u.media_type}".rstrip() + f" (exempt: {u.exempt_reason})" for u in exempt
        )
    return lines


def _spec(spec: SpecResult, fail_on_unobserved: bool, verbose: bool) -> list[str]:
    lines = [_header(spec)]
    lines.extend(f"   {note}" for note in spec.notes)
    for (operation, checks), findings in _grouped(spec.findings).items():
        known = " [accepted by the baseline]" if all(f.known for f in findings) else ""
        also = f" (+ {', '.join(checks[1:])}: same answer)" if len(checks) > 1 else ""
        lines.append(f"-- {operation} / {checks[0]}{also}{known}")
        lines.extend(f.render() for f in findings)
    lines.extend(_unobserved(spec, fail_on_unobserved, verbose))
    for entry, count in sorted(spec.suppressed.items()):
        lines.append(f"-- suppressed known false positive {entry}: {count} time(s)")
    lines.extend(f"!! error: {group.render()}" for group in spec.errors)
    if spec.untested is not None:
        lines.append(f"!! not tested: {spec.untested}")
    return lines


def _verdict(result: RunResult) -> str:
    verdict = result.verdict
    if verdict is Verdict.NOT_TESTED:
        reasons = "; ".join(f"{s.spec}: {s.untested}" for s in result.specs if s.untested) or "no contract ran"
        return f"NOT TESTED ({reasons})"
    if verdict is Verdict.VIOLATIONS:
        return f"VIOLATIONS FOUND ({sum(len(s.new_findings) for s in result.specs)} failure(s))"
    if verdict is Verdict.ERRORS:
        return f"ERRORS ({sum(g.count for s in result.specs for g in s.errors)} error(s), no failure)"
    return "CONFORMANT"


def render_summary(result: RunResult, verbose: bool = False) -> str:
    """The whole summary as text (secrets already masked by the collector)."""
    lines: list[str] = []
    for spec in result.specs:
        lines.extend(_spec(spec, result.fail_on_unobserved, verbose))
    lines.append(f"Result: {_verdict(result)}; exit code {result.exit_code}")
    return "\n".join(lines)
